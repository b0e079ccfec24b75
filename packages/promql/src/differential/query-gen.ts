// Queries for the differential test: templates crossed with metrics and parameters, in a fixed
// order so the set (and any failure list) is the same on every run.

export interface QueryCase {
  query: string;
  /** The result order is defined by the query (sort, sort_desc, topk, bottomk at the top). */
  ordered: boolean;
}

const COUNTERS = [
  'http_requests_total',
  'http_requests_total{job="api"}',
  'http_requests_total{code=~"5..|404"}',
  'http_requests_total{instance!~".*-1:.*",job!="db"}',
] as const;
const GAUGES = ['memory_bytes', 'temperature_celsius{location="north"}', 'memory_bytes{job=~"api|web"}'] as const;
const RANGES = ['1m', '5m', '11m'] as const;

function cross<A, B>(as: readonly A[], bs: readonly B[]): [A, B][] {
  return as.flatMap((a) => bs.map((b): [A, B] => [a, b]));
}

/** Builds the query list; `atSeconds` is a time inside the data used for `@` modifiers. */
export function generateQueries(atSeconds: number): QueryCase[] {
  const q: string[] = [];
  const modifiers = ['', ' offset 5m', ' offset -3m', ` @ ${atSeconds}`, ' @ end()', ` @ ${atSeconds} offset 10m`];

  // plain selectors, all matcher types, modifiers
  const selectors = [
    ...COUNTERS,
    ...GAUGES,
    'up',
    'build_info{version="1.0.0"}',
    'nonexistent_metric',
    '{__name__=~"up|memory_bytes",job!~"w.*"}',
    '{job="api",__name__!="http_requests_total",__name__!~"request_duration.*"}',
  ];
  for (const [s, m] of cross(selectors, modifiers.slice(0, 4))) q.push(s + m);

  // counter functions
  for (const [f, [c, r]] of cross(['rate', 'irate', 'increase', 'resets', 'changes'], cross(COUNTERS, RANGES))) {
    q.push(`${f}(${c}[${r}])`);
  }
  for (const m of modifiers) q.push(`rate(http_requests_total{code="200"}[5m]${m})`);

  // gauge functions
  const gaugeFns = ['delta', 'idelta', 'deriv', 'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time'];
  for (const [f, [g, r]] of cross(gaugeFns, cross(GAUGES.slice(0, 2), RANGES))) q.push(`${f}(${g}[${r}])`);
  for (const f of ['count_over_time', 'last_over_time', 'present_over_time', 'stddev_over_time', 'stdvar_over_time']) {
    q.push(`${f}(temperature_celsius[10m])`, `${f}(http_requests_total{job="web"}[3m])`);
  }
  for (const g of GAUGES) {
    q.push(
      `predict_linear(${g}[10m], 600)`,
      `quantile_over_time(0.75, ${g}[10m])`,
      `holt_winters(${g}[10m], 0.5, 0.3)`,
    );
  }

  // aggregations
  const inners = ['rate(http_requests_total[5m])', 'memory_bytes', 'temperature_celsius'];
  const groupings = ['', ' by (job)', ' by (job, instance)', ' without (instance)', ' by ()'];
  for (const [agg, [inner, grp]] of cross(
    ['sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar', 'group'],
    cross(inners, groupings),
  )) {
    q.push(`${agg}${grp} (${inner})`);
  }
  for (const [inner, grp] of cross(inners, groupings.slice(0, 3))) {
    q.push(`topk${grp} (3, ${inner})`, `bottomk${grp} (2, ${inner})`, `quantile${grp} (0.9, ${inner})`);
  }
  // ties: which of equal values topk/bottomk keep depends on the series order Prometheus's storage gives
  q.push('topk(3, up)', 'bottomk(2, build_info)', 'topk by (job) (1, up)', 'bottomk by (instance) (1, up)');
  q.push('count_values("value", up)', 'count_values by (job) ("code_count", changes(http_requests_total[10m]))');
  q.push('topk(scalar(count(up)) - 10, memory_bytes)', 'quantile(-0.5, memory_bytes)', 'quantile(1.5, up)');

  // binary operators, matching, set operations, comparisons
  q.push(
    'rate(http_requests_total[5m]) * 60',
    '2 ^ up + 1',
    'memory_bytes / 1024 / 1024 % 7',
    '-temperature_celsius',
    'sum by (job, instance) (rate(http_requests_total[5m])) / on (job, instance) memory_bytes',
    'memory_bytes * on (job, instance) group_left (version) build_info',
    'rate(http_requests_total[5m]) / ignoring (code) group_left sum without (code) (rate(http_requests_total[5m]))',
    'sum without (code) (rate(http_requests_total[5m])) / ignoring (location) group_right temperature_celsius',
    'http_requests_total + on (job) memory_bytes',
    'http_requests_total{job="api"} + ignoring (code) http_requests_total',
    'memory_bytes > bool 50000000',
    'temperature_celsius <= 20',
    'temperature_celsius != bool temperature_celsius offset 1m',
    'up == 1',
    '1 < bool 2',
    'up and on (job) (memory_bytes > 50000000)',
    'memory_bytes or temperature_celsius',
    'http_requests_total unless on (job, instance) (memory_bytes > 40000000)',
    'up or on () vector(0)',
    'memory_bytes == bool on (job, instance) group_left memory_bytes offset 30s',
  );

  // classic histograms
  for (const quantile of ['0', '0.5', '0.9', '0.99', '1', '-1', '2']) {
    q.push(`histogram_quantile(${quantile}, sum by (le) (rate(request_duration_seconds_bucket[5m])))`);
  }
  q.push(
    'histogram_quantile(0.9, sum by (job, le) (rate(request_duration_seconds_bucket[5m])))',
    'histogram_quantile(0.5, rate(request_duration_seconds_bucket{instance="host-0:9100"}[10m]))',
    'histogram_quantile(0.75, request_duration_seconds_bucket)',
  );

  // label manipulation, absent
  q.push(
    'label_replace(up, "host", "$1", "instance", "(.*):.*")',
    'label_replace(memory_bytes, "job", "x-$1", "job", "(a.*)")',
    'label_replace(up, "1bad", "x", "job", ".*")',
    'label_join(up, "combo", "-", "job", "instance")',
    'label_join(build_info, "version", ",", "job", "version")',
    'absent(up)',
    'absent(nonexistent_metric{job="x"})',
    'absent(sum(nonexistent_metric))',
    'absent_over_time(nonexistent_metric[5m])',
    'absent_over_time(up[5m])',
  );

  // subqueries
  q.push(
    'max_over_time(rate(http_requests_total[5m])[30m:1m])',
    'avg_over_time(memory_bytes[10m:])',
    'min_over_time(deriv(temperature_celsius[5m])[20m:30s] offset 2m)',
    'rate(sum by (job) (http_requests_total)[10m:1m])',
    'sum_over_time(up[15m:2m])',
    'max_over_time((memory_bytes > 50000000)[10m:45s])',
    `last_over_time(rate(http_requests_total{job="api"}[2m])[5m:1m] @ ${atSeconds})`,
  );

  // math and clamping
  for (const f of ['abs', 'ceil', 'floor', 'round', 'sqrt', 'ln', 'log2', 'log10', 'exp', 'sgn']) {
    q.push(`${f}(temperature_celsius / 10)`);
  }
  q.push(
    'round(memory_bytes / 1000000, 0.5)',
    'clamp(temperature_celsius, 10, 30)',
    'clamp(temperature_celsius, 30, 10)',
    'clamp_min(temperature_celsius, 21)',
    'clamp_max(temperature_celsius, 19)',
    'atan2(temperature_celsius, 10)',
    'temperature_celsius atan2 on (job, instance) group_left memory_bytes',
    'sin(temperature_celsius) + cos(temperature_celsius)',
  );

  // sorting
  for (const inner of inners) q.push(`sort(${inner})`, `sort_desc(${inner})`);

  // time functions
  q.push(
    'time()',
    'timestamp(up)',
    'timestamp(memory_bytes offset 1m)',
    'hour()',
    'minute(timestamp(up))',
    'day_of_week()',
    'day_of_month(vector(time()))',
    'month()',
    'year(up)',
    'days_in_month()',
    'vector(time())',
    'scalar(sum(up))',
    'scalar(up)',
  );

  // errors
  q.push('rate(up)', 'sum(up) by (job', 'topk("a", up)', 'http_requests_total[5m] + 1', 'up[5m:1m:1m]');

  return q.map((query) => ({ query, ordered: /^(sort|sort_desc)\(|^(topk|bottomk) \(/.test(query) }));
}
