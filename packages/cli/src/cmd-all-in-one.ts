// `thanos-ts all-in-one`: the whole stack on one machine over a filesystem bucket, as
// child processes of this one (each service exactly as it runs alone), stopped together.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseListenAddress, type Logger } from '@thanos-ts/runtime';
import type { Command } from './command';
import { logFlags, loggerFromFlags } from './service-flags';

function freeLoopbackPort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => done(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

interface Child {
  name: string;
  proc: ChildProcess;
  exited: Promise<number>;
}

function startChild(name: string, args: string[], logger: Logger): Child {
  // Each service runs in its own process group, so a terminal's Ctrl-C reaches only this
  // process, which then stops the services once each (a second signal would cut them short).
  const proc = spawn(process.execPath, [process.argv[1], ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  const exited = new Promise<number>((done) =>
    proc.on('exit', (code, signal) => {
      logger.info('service exited', { service: name, code: code ?? signal });
      done(code ?? 1);
    }),
  );
  return { name, proc, exited };
}

/** Names of the service commands this build has (the stack starts the ones that exist). */
export type ServiceAvailability = (name: string) => boolean;

export function allInOneCommand(available: ServiceAvailability): Command {
  return {
    name: 'all-in-one',
    summary: 'Run receive, store, compact and query together on this machine over a filesystem bucket.',
    flags: [
      ...logFlags,
      { name: 'data-dir', kind: 'string', help: 'Directory for the TSDBs, the bucket and caches.', default: './data' },
      {
        name: 'remote-write.address',
        kind: 'string',
        help: 'Listen host:port for remote_write.',
        default: '0.0.0.0:19291',
      },
      {
        name: 'http-address',
        kind: 'string',
        help: 'Listen host:port of the querier API and UI.',
        default: '0.0.0.0:10902',
      },
      {
        name: 'receive.split-tenant-label-name',
        kind: 'string',
        help: 'Series label that names the tenant.',
        default: '',
      },
    ],
    async run(flags) {
      const logger = loggerFromFlags(flags, 'all-in-one');
      const dataDir = resolve(flags['data-dir'] as string);
      const bucketDir = join(dataDir, 'bucket');
      mkdirSync(bucketDir, { recursive: true });
      const objstore = join(dataDir, 'objstore.yml');
      writeFileSync(objstore, `type: FILESYSTEM\nconfig:\n  directory: ${JSON.stringify(bucketDir)}\n`);
      const log = ['--log.level', String(flags['log.level']), '--log.format', String(flags['log.format'])];
      const port = async () => `127.0.0.1:${await freeLoopbackPort()}`;
      const receiveGrpc = await port();
      const storeGrpc = await port();
      const children: Child[] = [];
      const endpoints: string[] = [];
      if (available('receive')) {
        const split = flags['receive.split-tenant-label-name'] as string;
        children.push(
          startChild(
            'receive',
            [
              'receive',
              ...log,
              `--tsdb.path=${join(dataDir, 'receive')}`,
              `--remote-write.address=${flags['remote-write.address']}`,
              `--http-address=${await port()}`,
              `--grpc-address=${receiveGrpc}`,
              `--objstore.config-file=${objstore}`,
              '--label=receive_replica="0"',
              ...(split ? [`--receive.split-tenant-label-name=${split}`] : []),
            ],
            logger,
          ),
        );
        endpoints.push(receiveGrpc);
      }
      if (available('store')) {
        children.push(
          startChild(
            'store',
            [
              'store',
              ...log,
              `--data-dir=${join(dataDir, 'store')}`,
              `--http-address=${await port()}`,
              `--grpc-address=${storeGrpc}`,
              `--objstore.config-file=${objstore}`,
              '--sync-block-duration=1m',
            ],
            logger,
          ),
        );
        endpoints.push(storeGrpc);
      }
      if (available('compact')) {
        children.push(
          startChild(
            'compact',
            [
              'compact',
              ...log,
              '--wait',
              `--data-dir=${join(dataDir, 'compact')}`,
              `--http-address=${await port()}`,
              `--objstore.config-file=${objstore}`,
            ],
            logger,
          ),
        );
      }
      if (available('query')) {
        children.push(
          startChild(
            'query',
            [
              'query',
              ...log,
              `--http-address=${flags['http-address']}`,
              `--grpc-address=${await port()}`,
              ...endpoints.map((e) => `--endpoint=${e}`),
            ],
            logger,
          ),
        );
      }
      const rw = parseListenAddress(flags['remote-write.address'] as string);
      const http = parseListenAddress(flags['http-address'] as string);
      const host = (h: string) => (h === '0.0.0.0' || h === '' ? 'localhost' : h);
      process.stdout.write(
        [
          'thanos-ts all-in-one is starting:',
          `  remote_write URL: http://${host(rw.host)}:${rw.port}/api/v1/receive`,
          available('query')
            ? `  query URL (Prometheus API and UI): http://${host(http.host)}:${http.port}`
            : '  query: not available in this build',
          `  data and bucket: ${dataDir}`,
          '',
        ].join('\n'),
      );

      return new Promise<number>((done) => {
        let stopping = false;
        const stopAll = async (reason: string) => {
          if (stopping) return;
          stopping = true;
          logger.info('stopping the stack', { reason });
          for (const c of [...children].reverse()) c.proc.kill('SIGTERM');
          const codes = await Promise.all(children.map((c) => c.exited));
          done(codes.every((c) => c === 0) ? 0 : 1);
        };
        process.on('SIGINT', () => void stopAll('SIGINT'));
        process.on('SIGTERM', () => void stopAll('SIGTERM'));
        for (const c of children) {
          void c.exited.then(() => {
            if (!stopping) void stopAll(`${c.name} exited`);
          });
        }
      });
    },
  };
}
