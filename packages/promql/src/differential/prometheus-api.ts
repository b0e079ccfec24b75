// Minimal client of Prometheus's query API (`/api/v1/query`, `/api/v1/query_range`).

import { normalizePrometheus, type NormResult } from './normalize';

export interface PromQueryStats {
  totalQueryableSamples?: number;
}

export interface PromAnswer {
  result: NormResult;
  stats?: PromQueryStats;
}

export type QuerySpec =
  | { kind: 'instant'; query: string; time: number }
  | { kind: 'range'; query: string; start: number; end: number; step: number };

const toSeconds = (ms: number) => (ms / 1000).toFixed(3);

/** Runs one query against Prometheus at `baseUrl`; API errors become `{kind: 'error'}` results. */
export async function queryPrometheus(baseUrl: string, spec: QuerySpec, withStats = false): Promise<PromAnswer> {
  const form = new URLSearchParams({ query: spec.query });
  if (spec.kind === 'instant') form.set('time', toSeconds(spec.time));
  else {
    form.set('start', toSeconds(spec.start));
    form.set('end', toSeconds(spec.end));
    form.set('step', toSeconds(spec.step));
  }
  if (withStats) form.set('stats', 'all');
  const path = spec.kind === 'instant' ? '/api/v1/query' : '/api/v1/query_range';
  const res = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: Parameters<typeof normalizePrometheus>[0] & { stats?: { samples?: PromQueryStats } };
  };
  if (body.status !== 'success' || !body.data)
    return { result: { kind: 'error', message: body.error ?? `HTTP ${res.status}` } };
  return { result: normalizePrometheus(body.data), stats: body.data.stats?.samples };
}
