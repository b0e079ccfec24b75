// Test-only crash injection for the CLI: THANOS_TS_COMPACT_CRASH=<point> makes the
// process SIGKILL itself at that point, to check that a bucket left by a dying compactor
// is recovered by the next run. Unset in production.
import type { Bucket } from '@thanos-ts/objstore';
import type { CompactorOptions, CrashPoint } from './compactor';

export const CRASH_ENV = 'THANOS_TS_COMPACT_CRASH';

/** `mid-upload`: after a compacted block's index is uploaded, before its meta.json. */
export type CrashSetting = CrashPoint | 'mid-upload';

function die(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL sent');
}

/** The bucket and hook implementing the crash point named in `env`, if any. */
export function crashInjection(env: NodeJS.ProcessEnv, bucket: Bucket): Pick<CompactorOptions, 'bucket' | 'hook'> {
  const point = env[CRASH_ENV] as CrashSetting | undefined;
  if (!point) return { bucket };
  if (point !== 'mid-upload') return { bucket, hook: (p) => (p === point ? die() : undefined) };
  const crashing = new Proxy(bucket, {
    get(target, prop) {
      if (prop === 'upload') {
        return async (name: string, body: Parameters<Bucket['upload']>[1]) => {
          await target.upload(name, body);
          if (name.endsWith('/index')) die();
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { bucket: crashing };
}
