import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { tempDir } from '@thanos-ts/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { loadObjstoreConfig, parseObjstoreConfig } from './config';
import type { GcsConfig, S3Config } from './config';
import { ObjstoreConfigError } from './errors';
import { createBucket } from './factory';
import { FilesystemBucket } from './filesystem';
import { InMemoryBucket } from './inmem';
import { PrefixedBucket } from './prefixed';

const S3_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SA_SECRET = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC';

function parseError(yaml: string): string {
  try {
    parseObjstoreConfig(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(ObjstoreConfigError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseObjstoreConfig', () => {
  it('reads the Thanos S3 example with defaults for unset fields', () => {
    const cfg = parseObjstoreConfig(`type: s3
config:
  bucket: "thanos"
  endpoint: "s3.us-east-1.amazonaws.com"
  region: us-east-1
  access_key: AKIAEXAMPLE
  secret_key: "${S3_SECRET}"
  put_user_metadata: {team: obs}
  http_config:
    idle_conn_timeout: 1m30s
    response_header_timeout: 2m
prefix: /tenants/a/
`);
    expect(cfg.type).toBe('S3');
    expect(cfg.prefix).toBe('/tenants/a/');
    const s3 = cfg.config as S3Config;
    expect(s3.bucket).toBe('thanos');
    expect(s3.secret_key).toBe(S3_SECRET);
    expect(s3.part_size).toBe(64 * 1024 * 1024);
    expect(s3.send_content_md5).toBe(true);
    expect(s3.http_config.idle_conn_timeout).toBe(90_000);
    expect(s3.http_config.response_header_timeout).toBe(120_000);
    expect(s3.http_config.tls_handshake_timeout).toBe(10_000);
    expect(s3.put_user_metadata).toEqual({ team: 'obs' });
  });

  it('accepts type names in any case and uses only the first YAML document', () => {
    const cfg = parseObjstoreConfig('type: FileSystem\nconfig:\n  directory: /data\n---\ntype: S3\n');
    expect(cfg.type).toBe('FILESYSTEM');
    expect(parseObjstoreConfig('type: in-memory').type).toBe('IN-MEMORY');
  });

  it('names the offending field in a one-line error', () => {
    expect(parseError('type: FOO\nconfig: {}')).toMatch(
      /unknown type "FOO" \(supported: FILESYSTEM, S3, GCS, IN-MEMORY\)/,
    );
    expect(parseError('type: AZURE\nconfig: {}')).toMatch(/type AZURE is not supported/);
    expect(parseError('config: {}')).toMatch(/field type is required/);
    expect(parseError('type: S3\nconfig:\n  endpoint: x:9000\n')).toMatch(/S3 config\.bucket is required/);
    expect(parseError('type: S3\nconfig:\n  bucket: b\n')).toMatch(/S3 config\.endpoint is required/);
    expect(parseError('type: S3\nconfig:\n  bucket: b\n  endpoint: e\n  buckit: x\n')).toMatch(
      /unknown field S3 config\.buckit/,
    );
    expect(parseError('type: S3\nconfig:\n  bucket: b\n  endpoint: e\n  http_config: {idle: 1s}\n')).toMatch(
      /unknown field S3 config\.http_config\.idle/,
    );
    expect(parseError('type: S3\nconfig:\n  bucket: b\n  endpoint: e\n  insecure: "yes"\n')).toMatch(
      /S3 config\.insecure must be true or false/,
    );
    expect(
      parseError('type: S3\nconfig:\n  bucket: b\n  endpoint: e\n  http_config: {response_header_timeout: soon}\n'),
    ).toMatch(/S3 config\.http_config\.response_header_timeout must be a duration/);
    expect(parseError('type: S3\nconfig:\n  bucket: b\n  endpoint: e\n  signature_version2: true\n')).toMatch(
      /signature_version2 is not supported/,
    );
    expect(parseError('type: S3\nconfig:\n  bucket: b\n  endpoint: https://e\n')).toMatch(/without a scheme/);
    expect(parseError('type: S3\nconfig:\n  bucket: b\n  endpoint: e\n  part_size: 1024\n')).toMatch(
      /part_size must be at least 5 MiB/,
    );
    expect(parseError('type: FILESYSTEM\nconfig: {}\n')).toMatch(/FILESYSTEM config\.directory is required/);
    expect(parseError('type: GCS\nconfig: {}\n')).toMatch(/GCS config\.bucket is required/);
    expect(parseError('type: FILESYSTEM\nconfig:\n  directory: /x\nprefixx: a\n')).toMatch(/unknown field prefixx/);
    expect(parseError('type: [FILESYSTEM\n')).toMatch(/malformed YAML/);
    expect(parseError('')).toMatch(/config is empty/);
    expect(parseError('- a\n- b\n')).toMatch(/top level must be a mapping/);
  });

  it('never shows secrets in errors, strings, JSON or inspection', () => {
    const s3Yaml = `type: S3\nconfig:\n  bucket: b\n  endpoint: e\n  access_key: AKIA\n  secret_key: "${S3_SECRET}"\n  session_token: "tok-${S3_SECRET}"\n`;
    const s3 = parseObjstoreConfig(s3Yaml);
    const sa = JSON.stringify({ type: 'service_account', private_key: SA_SECRET, project_id: 'p' });
    const gcs = parseObjstoreConfig(`type: GCS\nconfig:\n  bucket: b\n  service_account: '${sa}'\n`);
    expect((gcs.config as GcsConfig).service_account).toBe(sa);
    for (const cfg of [s3, gcs]) {
      for (const shown of [String(cfg), JSON.stringify(cfg), inspect(cfg, { depth: 10 })]) {
        expect(shown).not.toContain(S3_SECRET);
        expect(shown).not.toContain(SA_SECRET);
        expect(shown).toContain('<secret>');
      }
    }
    expect(String(s3)).toContain('access_key: AKIA');
    expect(parseError(`${s3Yaml}  secret: "${S3_SECRET}"\n`)).not.toContain(S3_SECRET);
    expect(parseError(`type: S3\nconfig:\n  bucket: b\n  endpoint: e\n  secret_key: "${S3_SECRET}"\n`)).toMatch(
      /access_key is required when config.secret_key is set/,
    );
    expect(parseError(`type: GCS\nconfig:\n  bucket: b\n  service_account: "{not json ${SA_SECRET}"\n`)).not.toContain(
      SA_SECRET,
    );
  });
});

describe('loadObjstoreConfig', () => {
  const dir = tempDir('objstore-config-');
  afterAll(() => dir.cleanup());

  it('reads the file flag or the inline flag, exactly one of them', async () => {
    const file = join(dir.path, 'objstore.yml');
    writeFileSync(file, `type: FILESYSTEM\nconfig:\n  directory: ${dir.path}\n`);
    expect((await loadObjstoreConfig({ file })).type).toBe('FILESYSTEM');
    expect((await loadObjstoreConfig({ content: 'type: IN-MEMORY' })).type).toBe('IN-MEMORY');
    await expect(loadObjstoreConfig({ file, content: 'type: IN-MEMORY' })).rejects.toThrow(/mutually exclusive/);
    await expect(loadObjstoreConfig({})).rejects.toThrow(/no object storage config/);
    await expect(loadObjstoreConfig({ file: join(dir.path, 'nope.yml') })).rejects.toThrow(/cannot read .*nope\.yml/);
  });
});

describe('createBucket', () => {
  it('builds the provider and applies the prefix', async () => {
    const dir = tempDir('objstore-create-');
    try {
      const plain = createBucket(parseObjstoreConfig(`type: FILESYSTEM\nconfig:\n  directory: ${dir.path}\n`));
      expect(plain).toBeInstanceOf(FilesystemBucket);
      const prefixed = createBucket(
        parseObjstoreConfig(`type: FILESYSTEM\nconfig:\n  directory: ${dir.path}\nprefix: /tenant-a/`),
      );
      expect(prefixed).toBeInstanceOf(PrefixedBucket);
      await prefixed.upload('01ABC/meta.json', Buffer.from('{}'));
      expect(await plain.exists('tenant-a/01ABC/meta.json')).toBe(true);
      const names: string[] = [];
      await prefixed.iter('', (n) => void names.push(n));
      expect(names).toEqual(['01ABC/']);
      expect(createBucket('type: IN-MEMORY')).toBeInstanceOf(InMemoryBucket);
    } finally {
      dir.cleanup();
    }
  });
});
