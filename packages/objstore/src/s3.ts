import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { CompletedPart, PutObjectCommandInput } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { BaseBucket, checkObjectName, checkRange, dirPrefix } from './bucket';
import type { IterOptions, ObjectAttributes, UploadBody } from './bucket';
import type { S3Config } from './config';
import { ObjectNotFoundError, ObjstoreOperationError } from './errors';
import { agentsFor } from './http-agent';
import type { ObjstoreLogger } from './logger';
import { uploadParts } from './parts';
import type { UploadPart } from './parts';
import { isRetryable, retryLogger, retryPolicyFor, withRetries } from './retry';
import type { RetryPolicy } from './retry';

export interface S3BucketOptions {
  logger?: ObjstoreLogger;
  /** Overrides the retry policy derived from `max_retries` (tests use short delays). */
  retry?: Partial<RetryPolicy>;
}

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

function statusOf(err: unknown): number | undefined {
  return (err as SdkError)?.$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const e = err as SdkError;
  return e?.name !== 'NoSuchBucket' && (statusOf(err) === 404 || e?.name === 'NoSuchKey' || e?.name === 'NotFound');
}

function describe(err: unknown): string {
  const e = err as SdkError;
  const status = statusOf(err);
  const what = status !== undefined ? `${e.name ?? 'error'} (HTTP ${status})` : (e?.code ?? e?.name ?? 'error');
  return e?.message ? `${what}: ${e.message}` : what;
}

/** AWS endpoints resolve buckets as virtual hosts; anything else (MinIO, s3rver, IPs) needs path style. */
function usesPathStyle(cfg: S3Config): boolean {
  if (cfg.bucket_lookup_type !== 'auto') return cfg.bucket_lookup_type === 'path';
  const host = cfg.endpoint.split(':')[0];
  return !/(^|\.)amazonaws\.com(\.cn)?$/.test(host);
}

function userMetadata(cfg: S3Config): Record<string, string> | undefined {
  const entries = Object.entries(cfg.put_user_metadata);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map(([k, v]) => [k.replace(/^x-amz-meta-/i, ''), v]));
}

function encryptionParams(cfg: S3Config): Partial<PutObjectCommandInput> {
  const sse = cfg.sse_config;
  if (sse.type === 'SSE-S3') return { ServerSideEncryption: 'AES256' };
  if (sse.type !== 'SSE-KMS') return {};
  const context = Object.keys(sse.kms_encryption_context).length
    ? Buffer.from(JSON.stringify(sse.kms_encryption_context)).toString('base64')
    : undefined;
  return { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: sse.kms_key_id, SSEKMSEncryptionContext: context };
}

/** An S3 (or S3-compatible) bucket (Thanos `S3`), with request timeouts, retries and multipart uploads. */
export class S3Bucket extends BaseBucket {
  readonly name: string;
  private readonly client: S3Client;
  private readonly policy: RetryPolicy;
  private readonly logger: ObjstoreLogger;
  private readonly putParams: Partial<PutObjectCommandInput>;

  constructor(
    private readonly cfg: S3Config,
    options: S3BucketOptions = {},
  ) {
    super();
    this.name = cfg.bucket;
    this.logger = options.logger ?? {};
    this.policy = retryPolicyFor(cfg.max_retries, options.retry);
    const credentials =
      cfg.access_key !== '' && !cfg.aws_sdk_auth
        ? {
            accessKeyId: cfg.access_key,
            secretAccessKey: cfg.secret_key,
            sessionToken: cfg.session_token || undefined,
          }
        : undefined;
    this.client = new S3Client({
      region: cfg.region || 'us-east-1',
      endpoint: `${cfg.insecure ? 'http' : 'https'}://${cfg.endpoint}`,
      forcePathStyle: usesPathStyle(cfg),
      credentials,
      // Retries are ours (same policy for every provider); the SDK makes single attempts.
      maxAttempts: 1,
      // Checksum trailers and aws-chunked bodies are not understood by many S3-compatible servers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        ...agentsFor(cfg.http_config),
        connectionTimeout: cfg.http_config.tls_handshake_timeout,
        // An inactivity bound: it catches a server that never answers (Go's ResponseHeaderTimeout)
        // as well as a stalled body transfer, without limiting how long a large part may take.
        socketTimeout: cfg.http_config.response_header_timeout,
      },
    });
    this.putParams = { ...encryptionParams(cfg), Metadata: userMetadata(cfg) };
  }

  /** Runs one request with retries; not-found becomes `ObjectNotFoundError`, final failures an `ObjstoreOperationError`. */
  private async request<T>(operation: string, name: string, op: () => Promise<T>): Promise<T> {
    let attempts = 0;
    try {
      return await withRetries(
        (attempt) => {
          attempts = attempt;
          return op();
        },
        this.policy,
        (err) => !isNotFound(err) && isRetryable(statusOf(err), err),
        retryLogger(this.logger, 'S3', this.name, operation, name, describe),
      );
    } catch (err) {
      // The SDK attaches the raw HTTP response (sockets and all), which makes logged errors unreadable.
      if (typeof err === 'object' && err !== null) Reflect.deleteProperty(err, '$response');
      if (isNotFound(err)) throw new ObjectNotFoundError(this.name, name, { cause: err });
      if (err instanceof ObjectNotFoundError) throw err;
      const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
      throw new ObjstoreOperationError(
        `s3 bucket "${this.name}" at ${this.cfg.endpoint}: ${operation} "${name}" failed${tries}: ${describe(err)}`,
        statusOf(err),
        { cause: err },
      );
    }
  }

  async get(name: string): Promise<Uint8Array> {
    checkObjectName(name);
    return this.request('get', name, async () => {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: name }));
      return res.Body!.transformToByteArray();
    });
  }

  async getStream(name: string): Promise<Readable> {
    checkObjectName(name);
    return this.request('get', name, async () => {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: name }));
      return res.Body as Readable;
    });
  }

  async getRange(name: string, offset: number, length: number): Promise<Uint8Array> {
    checkObjectName(name);
    checkRange(name, offset, length);
    if (length === 0) {
      await this.attributes(name);
      return new Uint8Array(0);
    }
    const range = `bytes=${offset}-${length === -1 ? '' : offset + length - 1}`;
    return this.request('get_range', name, async () => {
      try {
        const res = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: name, Range: range }));
        return await res.Body!.transformToByteArray();
      } catch (err) {
        // S3 answers 416 for a range starting at or past the end; Thanos readers expect no bytes.
        if (statusOf(err) === 416) return new Uint8Array(0);
        throw err;
      }
    });
  }

  async upload(name: string, body: UploadBody): Promise<void> {
    checkObjectName(name);
    const partSize = this.cfg.disable_multipart ? Number.MAX_SAFE_INTEGER : this.cfg.part_size;
    const parts = uploadParts(body, partSize)[Symbol.asyncIterator]();
    // uploadParts yields at least one part; a second one means the body needs a multipart upload.
    const first = (await parts.next()).value as UploadPart;
    const second = await parts.next();
    if (second.done) await this.putObject(name, first);
    else await this.multipartUpload(name, [first, second.value], parts);
  }

  private putObject(name: string, part: UploadPart): Promise<void> {
    return this.request('upload', name, async () => {
      await this.client.send(
        new PutObjectCommand({
          ...this.putParams,
          Bucket: this.name,
          Key: name,
          Body: part.open(),
          ContentLength: part.size,
        }),
      );
    });
  }

  private async multipartUpload(name: string, head: UploadPart[], rest: AsyncIterator<UploadPart>): Promise<void> {
    const created = await this.request('upload', name, () =>
      this.client.send(new CreateMultipartUploadCommand({ ...this.putParams, Bucket: this.name, Key: name })),
    );
    const uploadId = created.UploadId!;
    const completed: CompletedPart[] = [];
    try {
      const send = async (part: UploadPart) => {
        const PartNumber = completed.length + 1;
        const res = await this.request('upload', `${name} (part ${PartNumber})`, () =>
          this.client.send(
            new UploadPartCommand({
              Bucket: this.name,
              Key: name,
              UploadId: uploadId,
              PartNumber,
              Body: part.open(),
              ContentLength: part.size,
            }),
          ),
        );
        completed.push({ PartNumber, ETag: res.ETag });
      };
      for (const part of head) await send(part);
      for (let next = await rest.next(); !next.done; next = await rest.next()) await send(next.value);
      await this.request('upload', name, () =>
        this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.name,
            Key: name,
            UploadId: uploadId,
            MultipartUpload: { Parts: completed },
          }),
        ),
      );
    } catch (err) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.name, Key: name, UploadId: uploadId }))
        .catch((abortErr) =>
          this.logger.warn?.('aborting multipart upload failed', { object: name, err: describe(abortErr) }),
        );
      throw err;
    }
  }

  async delete(name: string): Promise<void> {
    checkObjectName(name);
    await this.request('delete', name, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.name, Key: name })),
    );
  }

  async attributes(name: string): Promise<ObjectAttributes> {
    checkObjectName(name);
    const res = await this.request('attributes', name, () =>
      this.client.send(new HeadObjectCommand({ Bucket: this.name, Key: name })),
    );
    return { size: res.ContentLength ?? 0, lastModified: res.LastModified ?? new Date(0) };
  }

  async *iterate(dir: string, options?: IterOptions): AsyncIterable<string> {
    const prefix = dirPrefix(dir);
    const delimiter = options?.recursive ? undefined : '/';
    let token: string | undefined;
    do {
      const page = await this.request('iter', prefix, () => this.listPage(prefix, delimiter, token));
      yield* page.names.filter((n) => n !== prefix);
      token = page.next;
    } while (token !== undefined);
  }

  /** One listing page, objects and common prefixes merged in lexical order. */
  private async listPage(
    prefix: string,
    delimiter: string | undefined,
    token: string | undefined,
  ): Promise<{ names: string[]; next?: string }> {
    const base = { Bucket: this.name, Prefix: prefix, Delimiter: delimiter };
    if (this.cfg.list_objects_version === 'v1') {
      const res = await this.client.send(new ListObjectsCommand({ ...base, Marker: token }));
      const names = mergeSorted(
        (res.Contents ?? []).map((o) => o.Key!),
        (res.CommonPrefixes ?? []).map((p) => p.Prefix!),
      );
      // V1 only returns NextMarker with a delimiter; otherwise the last key continues the listing.
      const next = res.IsTruncated ? (res.NextMarker ?? names[names.length - 1]) : undefined;
      return { names, next };
    }
    const res = await this.client.send(new ListObjectsV2Command({ ...base, ContinuationToken: token }));
    const names = mergeSorted(
      (res.Contents ?? []).map((o) => o.Key!),
      (res.CommonPrefixes ?? []).map((p) => p.Prefix!),
    );
    return { names, next: res.IsTruncated ? res.NextContinuationToken : undefined };
  }

  override async close(): Promise<void> {
    this.client.destroy();
  }
}

function mergeSorted(a: string[], b: string[]): string[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return [...a, ...b].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}
