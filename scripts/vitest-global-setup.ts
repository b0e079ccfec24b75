import { ensurePrometheus } from '@thanos-ts/testkit';

/** Installs the oracle (Debian's Prometheus 2.42) once, before any test file runs. */
export default function setup(): void {
  ensurePrometheus();
}
