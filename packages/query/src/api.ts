// The Prometheus-compatible HTTP API of the querier (/api/v1/...), with Thanos's extras:
// dedup, replicaLabels[], partial_response, /api/v1/stores and the `explain=dedup` note.
import {
  exprType,
  ParseError,
  parseExpr,
  QueryCanceledError,
  QueryError,
  QueryTimeoutError,
  TooManySamplesError,
  type Engine,
  type Expr,
} from '@thanos-ts/promql';
import type { Matcher } from '@thanos-ts/storepb';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error';
import { UnsupportedChunkError } from './chunk-decode';
import type { Endpoint } from './endpoints';
import { errorBody, jsonString, labelsJson, queryData, successBody } from './json';
import { fetchMetricMetadata } from './metadata';
import type { QueryMetrics } from './metrics';
import {
  MAX_TIME_MS,
  MIN_TIME_MS,
  parseBoolParam,
  parseDurationParam,
  parseMaxSourceResolution,
  parseTimeOr,
  parseTimeParam,
} from './params';
import type { DedupFunc } from './replica-merge';
import { StoreFailedError, StoreQueryable, type DedupExplanation } from './store-queryable';

export interface QueryApiOptions {
  engine: Engine;
  endpoints: () => Endpoint[];
  replicaLabels: string[];
  dedupFunc: DedupFunc;
  /** Default of the `partial_response` parameter. */
  partialResponse: boolean;
  queryTimeoutMs: number;
  /** Deadline of each store call (0: none). */
  storeTimeoutMs: number;
  /** Step of range queries sent without one (Thanos's --query.default-step). */
  defaultStepMs: number;
  /** Thanos's --query.auto-downsampling: range queries without max_source_resolution use step/5. */
  autoDownsampling?: boolean;
  metrics: QueryMetrics;
  /** Shown by /api/v1/status/flags. */
  flags: Record<string, string>;
  /** Called with where a query spent its time (fan-out, decoding, evaluation). */
  onQueryTiming?: (t: { fanOutMs: number; decodeMs: number; evalMs: number; series: number; samples: number }) => void;
}

/** The Prometheus version we answer to (Grafana picks its API features from it). */
export const PROMETHEUS_COMPAT_VERSION = '2.42.0';

const MAX_POINTS = 11_000;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface HandlerResult {
  data: string | Buffer[];
  warnings?: readonly string[];
  extra?: Record<string, string>;
}

interface RequestContext {
  params: URLSearchParams;
  /** Path parameters (`:name`). */
  path: Record<string, string>;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** Aborted when the client goes away or --query.timeout passes (reason: a TimeoutError). */
  storeSignal: AbortSignal;
}

type Handler = (ctx: RequestContext) => Promise<HandlerResult>;

/** Query string and form body (POST application/x-www-form-urlencoded) as one parameter list. */
function requestParams(req: FastifyRequest): URLSearchParams {
  const url = req.raw.url ?? '';
  const q = url.indexOf('?');
  const params = new URLSearchParams(q >= 0 ? url.slice(q + 1) : '');
  if (typeof req.body === 'string') for (const [k, v] of new URLSearchParams(req.body)) params.append(k, v);
  return params;
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ParseError) return ApiError.invalidParam('query', err.message);
  if (err instanceof QueryTimeoutError) return new ApiError('timeout', err.message);
  if (err instanceof QueryCanceledError) return new ApiError('canceled', err.message);
  if (err instanceof TooManySamplesError || err instanceof QueryError) return new ApiError('execution', err.message);
  if (err instanceof StoreFailedError || err instanceof UnsupportedChunkError) {
    return new ApiError('execution', err.message);
  }
  return new ApiError('internal', (err as Error)?.message ?? String(err));
}

function parseQueryParam(text: string | null): Expr {
  try {
    return parseExpr(text ?? '');
  } catch (err) {
    throw err instanceof ParseError ? ApiError.invalidParam('query', err.message) : err;
  }
}

/** `match[]` selectors as matcher lists; each must be an instant-vector selector. */
function parseMatchParams(params: URLSearchParams, required: boolean): Matcher[][] {
  const texts = params.getAll('match[]');
  if (texts.length === 0) {
    if (required) throw new ApiError('bad_data', 'no match[] parameter provided');
    return [[]];
  }
  return texts.map((text) => {
    let expr: Expr;
    try {
      expr = parseExpr(text);
    } catch (err) {
      throw ApiError.invalidParam('match[]', (err as Error).message);
    }
    if (expr.kind !== 'VectorSelector') {
      throw ApiError.invalidParam('match[]', `${JSON.stringify(text)} is not a series selector`);
    }
    return expr.matchers.map((m) => ({ type: m.type, name: m.name, value: m.value }));
  });
}

function limitParam(params: URLSearchParams): number {
  const text = params.get('limit');
  if (text === null || text === '') return 0;
  if (!/^\d+$/.test(text))
    throw ApiError.invalidParam('limit', `cannot parse ${JSON.stringify(text)}: want a non-negative integer`);
  return Number(text);
}

function explanationJson(list: readonly DedupExplanation[]): string {
  const items = list.map(
    (e) =>
      `{"selector":${jsonString(e.selector)},"series":${labelsJson(e.labels)},"ranges":[${e.ranges
        .map(
          (r) =>
            `{"replica":${jsonString(r.replica)},"from":${r.from / 1000},"to":${r.to / 1000},"samples":${r.samples}}`,
        )
        .join(',')}]}`,
  );
  return `[${items.join(',')}]`;
}

export function registerQueryApi(app: FastifyInstance, opts: QueryApiOptions): void {
  const startedAt = new Date();

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );

  const route = (path: string, handler: Handler) => {
    const serve = async (req: FastifyRequest, reply: FastifyReply) => {
      const started = performance.now();
      const ac = new AbortController();
      const storeAc = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) ac.abort();
      });
      ac.signal.addEventListener('abort', () => storeAc.abort(ac.signal.reason), { once: true });
      const timer = setTimeout(
        () => storeAc.abort(new DOMException('query timeout', 'TimeoutError')),
        opts.queryTimeoutMs,
      );
      let status = 200;
      let body: string | Buffer[];
      try {
        const r = await handler({
          params: requestParams(req),
          path: req.params as Record<string, string>,
          signal: ac.signal,
          storeSignal: storeAc.signal,
        });
        body = successBody(r.data, r.warnings ?? [], r.extra);
        if (r.warnings?.length) opts.metrics.partialResponses.inc({ handler: path });
      } catch (err) {
        const apiErr = toApiError(err);
        status = apiErr.status;
        body = errorBody(apiErr);
      } finally {
        clearTimeout(timer);
      }
      opts.metrics.requests.inc({ handler: path, code: String(status) });
      opts.metrics.requestDuration.observe({ handler: path }, (performance.now() - started) / 1000);
      reply.code(status).type('application/json');
      if (typeof body === 'string') return reply.send(body);
      let length = 0;
      for (const b of body) length += b.length;
      return reply.header('content-length', length).send(Readable.from(body));
    };
    app.route({ method: ['GET', 'POST'], url: path, handler: serve });
  };

  /** A per-request view of the stores. */
  const queryableFor = (params: URLSearchParams, storeSignal: AbortSignal, maxResolutionMs = 0) => {
    const replicaOverride = params.getAll('replicaLabels[]');
    return new StoreQueryable(opts.endpoints, {
      replicaLabels: replicaOverride.length ? replicaOverride : opts.replicaLabels,
      dedup: parseBoolParam('dedup', params.get('dedup'), true),
      dedupFunc: opts.dedupFunc,
      partialResponse: parseBoolParam('partial_response', params.get('partial_response'), opts.partialResponse),
      signal: storeSignal,
      storeTimeoutMs: opts.storeTimeoutMs,
      explain: params.get('explain') === 'dedup',
      metrics: opts.metrics,
      maxResolutionMs,
    });
  };

  const runQuery = async (
    ctx: RequestContext,
    autoResolutionMs: number,
    run: (q: StoreQueryable, lookbackDelta: number | undefined) => ReturnType<Engine['instantQuery']>,
  ): Promise<HandlerResult> => {
    const lookback = ctx.params.get('lookback_delta');
    const lookbackDelta = lookback ? parseDurationParam('lookback_delta', lookback) : undefined;
    const maxResolution = parseMaxSourceResolution(
      ctx.params.get('max_source_resolution'),
      autoResolutionMs,
      !!opts.autoDownsampling,
    );
    const queryable = queryableFor(ctx.params, ctx.storeSignal, maxResolution);
    const started = performance.now();
    const result = await run(queryable, lookbackDelta);
    const t = queryable.timing;
    opts.onQueryTiming?.({ ...t, evalMs: performance.now() - started - t.fanOutMs - t.decodeMs });
    const extra: Record<string, string> = {};
    if (ctx.params.get('explain') === 'dedup') extra.dedup = explanationJson(queryable.explanations);
    const data = queryData(result.value);
    // The answer is text now; the selected samples (which results may alias) can go.
    queryable.release();
    return { data, warnings: [...queryable.warnings, ...result.warnings], extra };
  };

  route('/api/v1/query', (ctx) => {
    const expr = parseQueryParam(ctx.params.get('query'));
    const time = parseTimeOr('time', ctx.params.get('time'), Date.now());
    // Thanos's --query.instant.default.max_source_resolution defaults to raw data.
    return runQuery(ctx, 0, (q, lookbackDelta) =>
      opts.engine.instantQuery(q, expr, time, { signal: ctx.signal, lookbackDelta }),
    );
  });

  route('/api/v1/query_range', (ctx) => {
    const p = ctx.params;
    const start = parseTimeParam('start', p.get('start') ?? '');
    const end = parseTimeParam('end', p.get('end') ?? '');
    if (end < start) throw ApiError.invalidParam('end', 'end timestamp must not be before start time');
    const stepText = p.get('step');
    const step = stepText
      ? parseDurationParam('step', stepText)
      : Math.max(Math.floor((end - start) / 250 / 1000) * 1000, opts.defaultStepMs);
    if (step <= 0) {
      throw ApiError.invalidParam(
        'step',
        'zero or negative query resolution step widths are not accepted. Try a positive integer',
      );
    }
    if (Math.floor((end - start) / step) > MAX_POINTS) {
      throw new ApiError(
        'bad_data',
        'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
      );
    }
    const expr = parseQueryParam(p.get('query'));
    const ty = exprType(expr);
    if (ty !== 'scalar' && ty !== 'vector') {
      const name = ty === 'matrix' ? 'range vector' : ty;
      throw ApiError.invalidParam(
        'query',
        `invalid expression type "${name}" for range query, must be Scalar or instant Vector`,
      );
    }
    return runQuery(ctx, Math.floor(step / 5), (q, lookbackDelta) =>
      opts.engine.rangeQuery(q, expr, start, end, step, { signal: ctx.signal, lookbackDelta }),
    );
  });

  const timeRange = (p: URLSearchParams) => ({
    start: parseTimeOr('start', p.get('start'), MIN_TIME_MS),
    end: parseTimeOr('end', p.get('end'), MAX_TIME_MS),
  });
  const clampTime = (ms: number) => Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, ms));

  route('/api/v1/series', async (ctx) => {
    const matcherSets = parseMatchParams(ctx.params, true);
    const { start, end } = timeRange(ctx.params);
    const limit = limitParam(ctx.params);
    const q = queryableFor(ctx.params, ctx.storeSignal);
    let series = await q.seriesLabels(clampTime(start), clampTime(end), matcherSets);
    if (limit > 0) series = series.slice(0, limit);
    return { data: `[${series.map(labelsJson).join(',')}]`, warnings: q.warnings };
  });

  route('/api/v1/labels', async (ctx) => {
    const matcherSets = parseMatchParams(ctx.params, false);
    const { start, end } = timeRange(ctx.params);
    const limit = limitParam(ctx.params);
    const q = queryableFor(ctx.params, ctx.storeSignal);
    let names = await q.labelNames(clampTime(start), clampTime(end), matcherSets);
    if (limit > 0) names = names.slice(0, limit);
    return { data: `[${names.map(jsonString).join(',')}]`, warnings: q.warnings };
  });

  route('/api/v1/label/:name/values', async (ctx) => {
    const name = ctx.path.name ?? '';
    if (!LABEL_NAME.test(name)) throw new ApiError('bad_data', `invalid label name: ${JSON.stringify(name)}`);
    const matcherSets = parseMatchParams(ctx.params, false);
    const { start, end } = timeRange(ctx.params);
    const limit = limitParam(ctx.params);
    const q = queryableFor(ctx.params, ctx.storeSignal);
    let values = await q.labelValues(name, clampTime(start), clampTime(end), matcherSets);
    if (limit > 0) values = values.slice(0, limit);
    return { data: `[${values.map(jsonString).join(',')}]`, warnings: q.warnings };
  });

  route('/api/v1/stores', async () => {
    const groups = new Map<string, string[]>();
    for (const e of opts.endpoints()) {
      const s = e.status();
      const item =
        `{"name":${jsonString(s.name)},"lastCheck":${s.lastCheck === null ? 'null' : jsonString(new Date(s.lastCheck).toISOString())},` +
        `"lastError":${s.lastError === null ? 'null' : jsonString(s.lastError)},"health":"${s.healthy ? 'up' : 'down'}",` +
        `"labelSets":[${s.labelSets.map((ls) => labelsJson(ls)).join(',')}],"minTime":${s.minTime},"maxTime":${s.maxTime}}`;
      const list = groups.get(s.componentType) ?? [];
      list.push(item);
      groups.set(s.componentType, list);
    }
    return { data: `{${[...groups].map(([k, v]) => `${jsonString(k)}:[${v.join(',')}]`).join(',')}}` };
  });

  route('/api/v1/metadata', async (ctx) => {
    const { metadata, warnings } = await fetchMetricMetadata(opts.endpoints(), {
      metric: ctx.params.get('metric') ?? '',
      limit: limitParam(ctx.params),
      partialResponse: parseBoolParam('partial_response', ctx.params.get('partial_response'), opts.partialResponse),
      signal: ctx.storeSignal,
      storeTimeoutMs: opts.storeTimeoutMs,
    });
    return { data: JSON.stringify(metadata), warnings };
  });
  route('/api/v1/query_exemplars', async () => ({ data: '[]' }));
  route('/api/v1/rules', async () => ({ data: '{"groups":[]}' }));
  route('/api/v1/alerts', async () => ({ data: '{"alerts":[]}' }));
  route('/api/v1/status/buildinfo', async () => ({
    data: JSON.stringify({
      version: PROMETHEUS_COMPAT_VERSION,
      revision: 'thanos-ts',
      branch: 'main',
      buildUser: 'thanos-ts',
      buildDate: '',
      goVersion: `node${process.versions.node}`,
    }),
  }));
  route('/api/v1/status/flags', async () => ({ data: JSON.stringify(opts.flags) }));
  route('/api/v1/status/runtimeinfo', async () => ({
    data: JSON.stringify({
      startTime: startedAt.toISOString(),
      CWD: process.cwd(),
      reloadConfigSuccess: true,
      lastConfigTime: startedAt.toISOString(),
      corruptionCount: 0,
      goroutineCount: 0,
      GOMAXPROCS: 1,
      GOGC: '',
      GODEBUG: '',
      storageRetention: 'unlimited',
    }),
  }));
}
