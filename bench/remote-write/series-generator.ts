// Synthetic but realistic Kubernetes series: a mix of node-exporter, kube-state-metrics and cAdvisor
// metrics with ~10 labels each, sorted by name as Prometheus sends them.
import type { Label } from '../../packages/remote-write/src/index';
import { seededRandom } from '../../packages/testkit/src/index';

export interface GeneratedSeries {
  labels: Label[];
  /** Counters grow monotonically; gauges wander. */
  counter: boolean;
}

function sorted(pairs: Record<string, string>): Label[] {
  return Object.keys(pairs)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => ({ name, value: pairs[name] }));
}

const NAMESPACES = ['default', 'monitoring', 'kube-system', 'payments', 'checkout', 'search', 'ingress', 'batch'];
const CPU_MODES = ['idle', 'user', 'system', 'iowait', 'irq', 'softirq', 'steal', 'nice'];
const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];
const CADVISOR_METRICS: [string, boolean][] = [
  ['container_cpu_usage_seconds_total', true],
  ['container_memory_working_set_bytes', false],
  ['container_network_receive_bytes_total', true],
  ['container_fs_writes_bytes_total', true],
];

function hex(rnd: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rnd() * 16).toString(16);
  return s;
}

/** The labels of the `i`-th series; every third series comes from each exporter. */
function seriesAt(i: number, rnd: () => number): GeneratedSeries {
  const node = `worker-${(i >> 7) % 200}`;
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const namespace = NAMESPACES[i % NAMESPACES.length];
  const pod = `${namespace}-app-${hex(rnd, 9)}-${hex(rnd, 5)}`;
  switch (i % 3) {
    case 0:
      return {
        counter: true,
        labels: sorted({
          __name__: 'node_cpu_seconds_total',
          container: 'node-exporter',
          cpu: String(i % 64),
          endpoint: 'metrics',
          instance: `${ip}:9100`,
          job: 'node-exporter',
          mode: CPU_MODES[(i >> 6) % CPU_MODES.length],
          namespace: 'monitoring',
          pod: `node-exporter-${hex(rnd, 5)}`,
          service: 'node-exporter',
        }),
      };
    case 1:
      return {
        counter: false,
        labels: sorted({
          __name__: 'kube_pod_status_phase',
          container: 'kube-state-metrics',
          endpoint: 'http',
          instance: '10.1.0.12:8080',
          job: 'kube-state-metrics',
          namespace,
          phase: PHASES[i % PHASES.length],
          pod,
          service: 'kube-state-metrics',
          uid: `${hex(rnd, 8)}-${hex(rnd, 4)}-${hex(rnd, 4)}-${hex(rnd, 4)}-${hex(rnd, 12)}`,
        }),
      };
    default: {
      const [name, counter] = CADVISOR_METRICS[(i >> 2) % CADVISOR_METRICS.length];
      return {
        counter,
        labels: sorted({
          __name__: name,
          container: 'app',
          id: `/kubepods/burstable/pod${hex(rnd, 8)}/${hex(rnd, 16)}`,
          image: `registry.example.com/${namespace}/app:1.${i % 40}.0`,
          instance: `${node}:10250`,
          job: 'kubelet',
          metrics_path: '/metrics/cadvisor',
          namespace,
          node,
          pod,
          service: 'kubelet',
        }),
      };
    }
  }
}

/** `count` distinct series with realistic label sets. */
export function generateSeries(count: number, seed = 1): GeneratedSeries[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => seriesAt(i, rnd));
}
