import { Storage } from '@google-cloud/storage';
import type { Bucket as GcsApiBucket, File, GetFilesOptions } from '@google-cloud/storage';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BaseBucket, checkObjectName, checkRange, dirPrefix } from './bucket';
import type { IterOptions, ObjectAttributes, UploadBody } from './bucket';
import { isFilePath, isReplayable, knownSize } from './body';
import type { GcsConfig } from './config';
import { ObjectNotFoundError, ObjstoreOperationError } from './errors';
import type { ObjstoreLogger } from './logger';
import { isRetryable, retryLogger, retryPolicyFor, withRetries } from './retry';
import type { RetryPolicy } from './retry';

export interface GcsBucketOptions {
  logger?: ObjstoreLogger;
  retry?: Partial<RetryPolicy>;
}

interface ApiErrorLike {
  code?: number | string;
  status?: number;
  response?: { status?: number };
  message?: string;
}

function statusOf(err: unknown): number | undefined {
  const e = err as ApiErrorLike;
  if (typeof e?.code === 'number') return e.code;
  return e?.response?.status ?? e?.status;
}

function describe(err: unknown): string {
  const e = err as ApiErrorLike;
  const status = statusOf(err);
  const what = status !== undefined ? `HTTP ${status}` : typeof e?.code === 'string' ? e.code : 'error';
  return e?.message ? `${what}: ${e.message.split('\n')[0]}` : what;
}

/** Thanos' (and the Go client's) default upload chunk: 16 MiB. */
const DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024;

/** A Google Cloud Storage bucket (Thanos `GCS`) over the JSON API. */
export class GcsBucket extends BaseBucket {
  readonly name: string;
  private readonly bucket: GcsApiBucket;
  private readonly policy: RetryPolicy;
  private readonly logger: ObjstoreLogger;
  private readonly chunkSize: number;

  constructor(cfg: GcsConfig, options: GcsBucketOptions = {}) {
    super();
    this.name = cfg.bucket;
    this.logger = options.logger ?? {};
    this.policy = retryPolicyFor(cfg.max_retries, options.retry);
    this.chunkSize = cfg.chunk_size_bytes > 0 ? cfg.chunk_size_bytes : DEFAULT_CHUNK_SIZE;
    const credentials = cfg.service_account !== '' ? JSON.parse(cfg.service_account) : undefined;
    const storage = new Storage({
      credentials,
      projectId: credentials?.project_id,
      apiEndpoint: cfg.endpoint || undefined,
      useAuthWithCustomEndpoint: cfg.endpoint !== '' && credentials !== undefined,
      // Retries are ours (same policy for every provider).
      retryOptions: { autoRetry: false, maxRetries: 0 },
      timeout: cfg.http_config.response_header_timeout,
    });
    this.bucket = storage.bucket(cfg.bucket);
  }

  private file(name: string): File {
    checkObjectName(name);
    return this.bucket.file(name);
  }

  private async request<T>(operation: string, name: string, op: () => Promise<T>, retryable = true): Promise<T> {
    let attempts = 0;
    try {
      return await withRetries(
        (attempt) => {
          attempts = attempt;
          return op();
        },
        retryable ? this.policy : { ...this.policy, maxAttempts: 1 },
        (err) => statusOf(err) !== 404 && isRetryable(statusOf(err), err),
        retryLogger(this.logger, 'GCS', this.name, operation, name, describe),
      );
    } catch (err) {
      if (statusOf(err) === 404) throw new ObjectNotFoundError(this.name, name, { cause: err });
      const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
      throw new ObjstoreOperationError(
        `gcs bucket "${this.name}": ${operation} "${name}" failed${tries}: ${describe(err)}`,
        statusOf(err),
        { cause: err },
      );
    }
  }

  async get(name: string): Promise<Uint8Array> {
    const file = this.file(name);
    return this.request('get', name, async () => (await file.download({ validation: false }))[0]);
  }

  async getStream(name: string): Promise<Readable> {
    const file = this.file(name);
    // The client only sends the request once the stream is read; asking for metadata first
    // reports a missing object to the caller instead of as a later stream error.
    await this.attributes(name);
    return file.createReadStream({ validation: false });
  }

  async getRange(name: string, offset: number, length: number): Promise<Uint8Array> {
    const file = this.file(name);
    checkRange(name, offset, length);
    if (length === 0) {
      await this.attributes(name);
      return new Uint8Array(0);
    }
    const range = length === -1 ? { start: offset } : { start: offset, end: offset + length - 1 };
    return this.request('get_range', name, async () => {
      try {
        return (await file.download({ ...range, validation: false }))[0];
      } catch (err) {
        // GCS answers 416 for a range starting at or past the end; Thanos readers expect no bytes.
        if (statusOf(err) === 416) return new Uint8Array(0);
        throw err;
      }
    });
  }

  /**
   * Small objects go up in one multipart request; larger ones and streams of unknown size use
   * a resumable session sent in `chunk_size_bytes` pieces, as Thanos' chunked GCS writer does.
   */
  async upload(name: string, body: UploadBody): Promise<void> {
    const file = this.file(name);
    const size = await knownSize(body);
    const resumable = size === undefined || size > this.chunkSize;
    const write = () => {
      const source = isFilePath(body)
        ? createReadStream(body)
        : body instanceof Readable
          ? body
          : Readable.from([body]);
      const options = resumable ? { resumable, chunkSize: this.chunkSize } : { resumable };
      return pipeline(source, file.createWriteStream({ ...options, validation: false }));
    };
    await this.request('upload', name, write, isReplayable(body));
  }

  async delete(name: string): Promise<void> {
    const file = this.file(name);
    await this.request('delete', name, () => file.delete({ ignoreNotFound: true }));
  }

  async attributes(name: string): Promise<ObjectAttributes> {
    const file = this.file(name);
    const [meta] = await this.request('attributes', name, () => file.getMetadata());
    return { size: Number(meta.size ?? 0), lastModified: new Date(meta.updated ?? 0) };
  }

  async *iterate(dir: string, options?: IterOptions): AsyncIterable<string> {
    const prefix = dirPrefix(dir);
    let query: GetFilesOptions | undefined = {
      prefix,
      delimiter: options?.recursive ? undefined : '/',
      autoPaginate: false,
    };
    while (query) {
      const current: GetFilesOptions = query;
      const [files, next, response] = await this.request('iter', prefix, () => this.bucket.getFiles(current));
      const prefixes = ((response as { prefixes?: string[] } | undefined)?.prefixes ?? []).slice();
      const names = [...files.map((f) => f.name), ...prefixes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      yield* names.filter((n) => n !== prefix);
      query = next ? { ...current, ...(next as GetFilesOptions), autoPaginate: false } : undefined;
    }
  }
}
