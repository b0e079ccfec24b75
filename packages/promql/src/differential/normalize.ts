// One shape for query results from both sides (our Engine and Prometheus's HTTP API), so
// they can be compared: label sets as canonical strings, times in ms, values as numbers.

import { formatMetric, labelsFromRecord } from '../labels';
import type { QueryValue } from '../engine/types';

export interface NormSeries {
  metric: string;
  timestamps: number[];
  values: number[];
}

export type NormResult =
  | { kind: 'error'; message: string }
  | { kind: 'scalar'; t: number; v: number }
  | { kind: 'string'; t: number; v: string }
  | { kind: 'vector'; samples: NormSeries[] }
  | { kind: 'matrix'; series: NormSeries[] };

export function normalizeOurs(value: QueryValue): NormResult {
  switch (value.type) {
    case 'scalar':
      return { kind: 'scalar', t: value.t, v: value.v };
    case 'string':
      return { kind: 'string', t: value.t, v: value.v };
    case 'vector':
      return {
        kind: 'vector',
        samples: value.samples.map((s) => ({ metric: formatMetric(s.metric), timestamps: [s.t], values: [s.v] })),
      };
    case 'matrix':
      return {
        kind: 'matrix',
        series: value.series.map((s) => ({
          metric: formatMetric(s.metric),
          timestamps: Array.from(s.timestamps),
          values: Array.from(s.values),
        })),
      };
  }
}

/** Prometheus's JSON float strings: "NaN", "+Inf", "-Inf" or a decimal. */
export function parsePromFloat(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

type PromPoint = [number, string];
interface PromApiData {
  resultType: 'scalar' | 'string' | 'vector' | 'matrix';
  result: unknown;
}

const seconds = (t: number) => Math.round(t * 1000);

export function normalizePrometheus(data: PromApiData): NormResult {
  switch (data.resultType) {
    case 'scalar': {
      const [t, v] = data.result as PromPoint;
      return { kind: 'scalar', t: seconds(t), v: parsePromFloat(v) };
    }
    case 'string': {
      const [t, v] = data.result as PromPoint;
      return { kind: 'string', t: seconds(t), v };
    }
    case 'vector':
      return {
        kind: 'vector',
        samples: (data.result as { metric: Record<string, string>; value: PromPoint }[]).map((s) => ({
          metric: formatMetric(labelsFromRecord(s.metric)),
          timestamps: [seconds(s.value[0])],
          values: [parsePromFloat(s.value[1])],
        })),
      };
    case 'matrix':
      return {
        kind: 'matrix',
        series: (data.result as { metric: Record<string, string>; values: PromPoint[] }[]).map((s) => ({
          metric: formatMetric(labelsFromRecord(s.metric)),
          timestamps: s.values.map((p) => seconds(p[0])),
          values: s.values.map((p) => parsePromFloat(p[1])),
        })),
      };
  }
}
