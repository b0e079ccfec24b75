import type { ObjstoreLogger } from './logger';

export interface RetryPolicy {
  /** Total attempts including the first (≥ 1). */
  maxAttempts: number;
  /** Upper bound of the first backoff; it doubles per attempt up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 5_000 };

/** Thanos `max_retries` (retries after the first attempt; 0 = provider default) as a policy. */
export function retryPolicyFor(maxRetries: number | undefined, override?: Partial<RetryPolicy>): RetryPolicy {
  const fromConfig = maxRetries && maxRetries > 0 ? { maxAttempts: maxRetries + 1 } : {};
  return { ...DEFAULT_RETRY_POLICY, ...fromConfig, ...override };
}

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

/** True for errors raised by the network rather than by a server answer. */
export function isTransientNetworkError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, name, message } = e as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) return true;
    if (name === 'TimeoutError' || name === 'AbortError') return true;
    if (typeof message === 'string' && /socket hang up|ECONNRESET|ECONNREFUSED|timed? ?out/i.test(message)) return true;
  }
  return false;
}

/** Retry on 5xx, 429 and network failures; never on other 4xx. */
export function isRetryable(status: number | undefined, err: unknown): boolean {
  if (status !== undefined) return status >= 500 || status === 429;
  return isTransientNetworkError(err);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `op` until it succeeds, fails with a non-retryable error, or attempts run out.
 * Backoff is "full jitter": a uniform delay up to the exponential bound, so clients that
 * failed together do not retry together.
 */
export async function withRetries<T>(
  op: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  shouldRetry: (err: unknown) => boolean,
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (err) {
      if (attempt >= policy.maxAttempts || !shouldRetry(err)) throw err;
      const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delay = Math.random() * bound;
      onRetry?.(err, attempt, delay);
      await sleep(delay);
    }
  }
}

/** The `onRetry` callback of a provider request: one warning per retry, naming the object and the error. */
export function retryLogger(
  logger: ObjstoreLogger,
  provider: string,
  bucket: string,
  operation: string,
  object: string,
  describe: (err: unknown) => string,
): (err: unknown, attempt: number, delayMs: number) => void {
  return (err, attempt, delayMs) =>
    logger.warn?.(`retrying ${provider} request`, {
      bucket,
      operation,
      object,
      attempt,
      delay_ms: Math.round(delayMs),
      err: describe(err),
    });
}
