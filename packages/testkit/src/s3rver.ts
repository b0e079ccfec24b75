import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * A real s3rver in its own process. s3rver encrypts ListObjectsV2 continuation tokens with
 * DES, which Node 17+ only offers with the legacy OpenSSL provider, so the process gets
 * `--openssl-legacy-provider`. A separate process also lets a test kill the server outright.
 */
export class S3rverProcess {
  private child?: ChildProcess;

  /** `port` 0 picks a free one; pass the old port to restart a stopped server where it was. */
  constructor(
    readonly directory: string,
    private readonly buckets: string[],
    public port = 0,
  ) {}

  async start(): Promise<this> {
    const bin = join(dirname(createRequire(import.meta.url).resolve('s3rver/package.json')), 'bin', 's3rver.js');
    const args = [
      '--openssl-legacy-provider',
      bin,
      '-d',
      this.directory,
      '-a',
      '127.0.0.1',
      '-p',
      String(this.port),
      '--silent',
    ];
    for (const b of this.buckets) args.push('--configure-bucket', b);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.port = await new Promise<number>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on [\d.]+:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}: ${err}`)));
    });
    return this;
  }

  /**
   * Writes objects straight into s3rver's on-disk layout (`<key>._S3rver_object` and its
   * metadata), which is much faster than uploading thousands of objects over HTTP.
   */
  seed(bucket: string, keys: string[], content = '.'): void {
    for (const key of keys) {
      const base = join(this.directory, bucket, key);
      mkdirSync(dirname(base), { recursive: true });
      writeFileSync(`${base}._S3rver_object`, content);
      writeFileSync(`${base}._S3rver_metadata.json`, '{"content-type":"application/octet-stream"}');
      // s3rver would otherwise compute and store the MD5 on first listing.
      writeFileSync(`${base}._S3rver_object.md5`, createHash('md5').update(content).digest('hex'));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}
