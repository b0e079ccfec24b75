export { parseOpenMetrics, parseOpenMetricsFloat, OpenMetricsParseError } from './parser';
export type { OpenMetricsSample } from './parser';
