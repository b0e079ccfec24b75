import type { IncomingMessage, ServerResponse } from 'node:http';
import { KillableHttpServer } from './killable-server';

interface FakeObject {
  bytes: Buffer;
  updated: Date;
  generation: number;
}

/**
 * Just enough of the Google Cloud Storage JSON API for `@google-cloud/storage` to work against:
 * object metadata, media download with Range, listing with prefix/delimiter/pageToken,
 * delete, and multipart ("uploadType=multipart") and resumable inserts.
 */
export class FakeGcsServer {
  private server?: KillableHttpServer;
  readonly buckets = new Map<string, Map<string, FakeObject>>();
  private readonly sessions = new Map<string, { bucket: string; name: string; parts: Buffer[] }>();
  private generation = 1;
  /** Largest listing page the server returns (GCS uses 1000). */
  pageSize = 1000;
  readonly requests: string[] = [];
  port = 0;

  constructor(bucketNames: string[]) {
    for (const b of bucketNames) this.buckets.set(b, new Map());
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = await KillableHttpServer.start((req, res) => {
      this.requests.push(`${req.method} ${req.url}`);
      this.handle(req, res).catch((err) => send(res, 500, { error: { code: 500, message: String(err) } }));
    });
    this.port = this.server.port;
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }

  private metadata(bucket: string, name: string, obj: FakeObject) {
    return {
      kind: 'storage#object',
      id: `${bucket}/${name}/${obj.generation}`,
      name,
      bucket,
      generation: String(obj.generation),
      metageneration: '1',
      size: String(obj.bytes.length),
      updated: obj.updated.toISOString(),
      timeCreated: obj.updated.toISOString(),
      contentType: 'application/octet-stream',
    };
  }

  private store(bucket: string, name: string, bytes: Buffer) {
    const obj = { bytes, updated: new Date(), generation: this.generation++ };
    this.buckets.get(bucket)!.set(name, obj);
    return this.metadata(bucket, name, obj);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await readBody(req);
    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    if (upload) return this.handleUpload(req, res, url, decodeURIComponent(upload[1]), body);
    const session = url.searchParams.get('upload_id');
    if (session && req.method === 'PUT') return this.handleResumableChunk(req, res, session, body);
    const m = /^\/storage\/v1\/b\/([^/]+)\/o(?:\/(.+))?$/.exec(url.pathname);
    const objects = m && this.buckets.get(decodeURIComponent(m[1]));
    if (!m || !objects) return send(res, 404, { error: { code: 404, message: 'Not Found' } });
    const bucket = decodeURIComponent(m[1]);
    if (m[2] === undefined) {
      if (req.method === 'GET') return this.handleList(res, url, bucket, objects);
      return send(res, 405, { error: { code: 405, message: 'method not allowed' } });
    }
    const name = decodeURIComponent(m[2]);
    const obj = objects.get(name);
    if (!obj) return send(res, 404, { error: { code: 404, message: `No such object: ${bucket}/${name}` } });
    if (req.method === 'DELETE') {
      objects.delete(name);
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'GET') return send(res, 405, { error: { code: 405, message: 'method not allowed' } });
    if (url.searchParams.get('alt') !== 'media') return send(res, 200, this.metadata(bucket, name, obj));
    return sendMedia(req, res, obj.bytes);
  }

  private handleList(res: ServerResponse, url: URL, bucket: string, objects: Map<string, FakeObject>): void {
    const prefix = url.searchParams.get('prefix') ?? '';
    const delimiter = url.searchParams.get('delimiter') ?? '';
    const max = Math.min(this.pageSize, Number(url.searchParams.get('maxResults') ?? this.pageSize));
    const after = url.searchParams.get('pageToken') ?? '';
    const entries: { key: string; isPrefix: boolean }[] = [];
    const seen = new Set<string>();
    for (const name of [...objects.keys()].sort()) {
      if (!name.startsWith(prefix)) continue;
      const cut = delimiter ? name.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const p = name.slice(0, cut + delimiter.length);
        if (!seen.has(p)) entries.push({ key: p, isPrefix: true });
        seen.add(p);
      } else entries.push({ key: name, isPrefix: false });
    }
    const rest = entries.filter((e) => e.key > after);
    const page = rest.slice(0, max);
    send(res, 200, {
      kind: 'storage#objects',
      items: page.filter((e) => !e.isPrefix).map((e) => this.metadata(bucket, e.key, objects.get(e.key)!)),
      prefixes: page.filter((e) => e.isPrefix).map((e) => e.key),
      nextPageToken: rest.length > max ? page[page.length - 1].key : undefined,
    });
  }

  private handleUpload(req: IncomingMessage, res: ServerResponse, url: URL, bucket: string, body: Buffer): void {
    if (!this.buckets.has(bucket)) return send(res, 404, { error: { code: 404, message: 'no such bucket' } });
    const type = url.searchParams.get('uploadType');
    if (type === 'resumable') {
      const meta = body.length ? JSON.parse(body.toString('utf8')) : {};
      const id = `s${this.generation++}`;
      this.sessions.set(id, { bucket, name: meta.name ?? url.searchParams.get('name'), parts: [] });
      res.writeHead(200, { location: `${this.endpoint}/upload/session?upload_id=${id}` }).end();
      return;
    }
    const boundary = /boundary="?([^";]+)"?/.exec(req.headers['content-type'] ?? '')?.[1];
    if (!boundary) return send(res, 400, { error: { code: 400, message: 'multipart boundary missing' } });
    const [metaPart, mediaPart] = splitMultipart(body, boundary);
    const meta = JSON.parse(metaPart.toString('utf8'));
    send(res, 200, this.store(bucket, meta.name ?? url.searchParams.get('name'), mediaPart));
  }

  private handleResumableChunk(req: IncomingMessage, res: ServerResponse, id: string, body: Buffer): void {
    const s = this.sessions.get(id);
    if (!s) return send(res, 404, { error: { code: 404, message: 'no such upload' } });
    s.parts.push(body);
    const range = /bytes (\d+)-(\d+)\/(\d+|\*)/.exec(req.headers['content-range'] ?? '');
    if (range && range[3] === '*') {
      res.writeHead(308, { range: `bytes=0-${Buffer.concat(s.parts).length - 1}` }).end();
      return;
    }
    this.sessions.delete(id);
    send(res, 200, this.store(s.bucket, s.name, Buffer.concat(s.parts)));
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendMedia(req: IncomingMessage, res: ServerResponse, bytes: Buffer): void {
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (!range) {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
    return;
  }
  const start = Number(range[1]);
  if (start >= bytes.length)
    return send(res, 416, { error: { code: 416, message: 'Requested range not satisfiable' } });
  const end = range[2] === '' ? bytes.length - 1 : Math.min(Number(range[2]), bytes.length - 1);
  const slice = bytes.subarray(start, end + 1);
  res
    .writeHead(206, {
      'content-type': 'application/octet-stream',
      'content-length': slice.length,
      'content-range': `bytes ${start}-${end}/${bytes.length}`,
    })
    .end(slice);
}

/** The two parts (metadata JSON, media) of a multipart/related upload body. */
function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const delim = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let pos = body.indexOf(delim);
  while (pos >= 0) {
    const next = body.indexOf(delim, pos + delim.length);
    if (next < 0) break;
    const part = body.subarray(pos + delim.length, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    parts.push(part.subarray(headerEnd + 4, part.length - 2));
    pos = next;
  }
  return parts;
}
