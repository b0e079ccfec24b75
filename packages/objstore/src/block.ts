import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { encodeBlockMeta, isUlid, META_FILENAME, parseBlockMeta } from './block-meta';
import type { BlockFile, BlockMeta } from './block-meta';
import type { Bucket } from './bucket';
import { isObjNotFoundErr } from './errors';
import type { ObjstoreLogger } from './logger';
import { mapLimit } from '@thanos-ts/runtime';
import { DELETION_MARK_FILENAME } from './markers';

export const CHUNKS_DIRNAME = 'chunks';
export const INDEX_FILENAME = 'index';

export class BlockError extends Error {
  override readonly name = 'BlockError';
}

export interface UploadBlockOptions {
  /** Adds a SHA256 `hash` to the chunk and index entries of `thanos.files` (Thanos `--hash-func=SHA256`). */
  hashFunc?: 'SHA256';
  logger?: ObjstoreLogger;
  /** Clock for `thanos.upload_time` (tests). */
  now?: () => Date;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Local files of a block that get uploaded, in upload order: chunk segments, then the index. */
async function blockDataFiles(blockDir: string): Promise<string[]> {
  let chunks: string[];
  try {
    chunks = (await readdir(join(blockDir, CHUNKS_DIRNAME), { withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => `${CHUNKS_DIRNAME}/${e.name}`)
      .sort();
  } catch (err) {
    throw new BlockError(`${blockDir}: cannot read ${CHUNKS_DIRNAME}/: ${(err as Error).message}`);
  }
  return [...chunks, INDEX_FILENAME];
}

/** `thanos.files` for a block: data files with sizes (and hashes), plus meta.json without size, sorted. */
async function gatherFileStats(blockDir: string, relPaths: string[], hashFunc?: 'SHA256'): Promise<BlockFile[]> {
  const files: BlockFile[] = [];
  for (const rel of relPaths) {
    const path = join(blockDir, rel);
    const entry: BlockFile = { rel_path: rel, size_bytes: (await stat(path)).size };
    if (hashFunc) entry.hash = { func: hashFunc, value: await sha256Of(path) };
    files.push(entry);
  }
  files.push({ rel_path: META_FILENAME });
  return files.sort((a, b) => (a.rel_path < b.rel_path ? -1 : a.rel_path > b.rel_path ? 1 : 0));
}

export async function readLocalBlockMeta(blockDir: string): Promise<BlockMeta> {
  const path = join(blockDir, META_FILENAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new BlockError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return parseBlockMeta(text, path);
}

/**
 * Uploads a local block as Thanos does: every `chunks/` segment, then `index`, then
 * `meta.json` last (with `thanos.files` and `thanos.upload_time` filled in), because a
 * block directory without meta.json counts as a partial upload. Tombstones are not
 * uploaded. `meta` replaces the local meta.json (e.g. with external labels set). On
 * failure the partial upload is removed again, best effort.
 */
export async function uploadBlock(
  bucket: Bucket,
  blockDir: string,
  meta?: BlockMeta,
  options: UploadBlockOptions = {},
): Promise<BlockMeta> {
  const id = basename(blockDir);
  if (!isUlid(id)) throw new BlockError(`${blockDir}: directory name is not a block ULID`);
  const uploaded: BlockMeta = structuredClone(meta ?? (await readLocalBlockMeta(blockDir)));
  if (uploaded.ulid !== id) throw new BlockError(`${blockDir}: meta.json has ulid ${uploaded.ulid}, expected ${id}`);
  if (Object.keys(uploaded.thanos.labels ?? {}).length === 0)
    throw new BlockError(`${blockDir}: empty external labels (thanos.labels); refusing to upload`);
  const dataFiles = await blockDataFiles(blockDir);
  uploaded.thanos.files = await gatherFileStats(blockDir, dataFiles, options.hashFunc);
  uploaded.thanos.upload_time = (options.now ?? (() => new Date()))().toISOString();
  try {
    for (const rel of dataFiles) await bucket.upload(`${id}/${rel}`, join(blockDir, rel));
    await bucket.upload(`${id}/${META_FILENAME}`, Buffer.from(encodeBlockMeta(uploaded)));
  } catch (err) {
    options.logger?.warn?.('block upload failed; removing the partial upload', { block: id, err: String(err) });
    await deleteBlock(bucket, id).catch((cleanupErr) =>
      options.logger?.warn?.('removing partial upload failed', { block: id, err: String(cleanupErr) }),
    );
    throw err;
  }
  return uploaded;
}

/** Writes an object to a local file atomically (temp file + rename). */
async function downloadFile(bucket: Bucket, name: string, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.download-tmp`;
  try {
    await pipeline(await bucket.getStream(name), createWriteStream(temp));
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/**
 * Downloads block `id` into the block directory `dst` (like Thanos `block.Download`). meta.json
 * is written last locally, so an interrupted download never looks like a complete block.
 */
export async function downloadBlock(bucket: Bucket, id: string, dst: string): Promise<BlockMeta> {
  if (!isUlid(id)) throw new BlockError(`"${id}" is not a block ULID`);
  const metaName = `${id}/${META_FILENAME}`;
  let metaBytes: Uint8Array;
  try {
    metaBytes = await bucket.get(metaName);
  } catch (err) {
    if (isObjNotFoundErr(err))
      throw new BlockError(`block ${id} has no ${META_FILENAME} in the bucket (partial or deleted)`);
    throw err;
  }
  const meta = parseBlockMeta(Buffer.from(metaBytes).toString('utf8'), metaName);
  await mkdir(join(dst, CHUNKS_DIRNAME), { recursive: true });
  for await (const name of bucket.iterate(id, { recursive: true })) {
    if (name === metaName) continue;
    await downloadFile(bucket, name, join(dst, name.slice(id.length + 1)));
  }
  await downloadFile(bucket, metaName, join(dst, META_FILENAME));
  return meta;
}

/**
 * Deletes a block as Thanos does: meta.json first (so readers stop seeing the block), then
 * every other object, then the deletion mark last (so an interrupted delete is retried).
 */
export async function deleteBlock(bucket: Bucket, id: string): Promise<void> {
  if (!isUlid(id)) throw new BlockError(`"${id}" is not a block ULID`);
  const metaName = `${id}/${META_FILENAME}`;
  const markName = `${id}/${DELETION_MARK_FILENAME}`;
  if (await bucket.exists(metaName)) await bucket.delete(metaName);
  const rest: string[] = [];
  for await (const name of bucket.iterate(id, { recursive: true })) {
    if (name !== metaName && name !== markName) rest.push(name);
  }
  for (const name of rest) await bucket.delete(name);
  if (await bucket.exists(markName)) await bucket.delete(markName);
}

export interface ListedBlock {
  id: string;
  meta: BlockMeta;
}

export interface BlockListing {
  /** Blocks with a readable meta.json, by ULID. */
  blocks: ListedBlock[];
  /** Block directories without meta.json (partial uploads or deletions in progress). */
  partial: string[];
  /** Block directories whose meta.json could not be parsed. */
  corrupted: { id: string; error: string }[];
}

/** Lists the blocks at the bucket root, reading their metas (`concurrency` at a time). */
export async function listBlocks(bucket: Bucket, options: { concurrency?: number } = {}): Promise<BlockListing> {
  const ids: string[] = [];
  for await (const name of bucket.iterate('')) {
    if (name.endsWith('/') && isUlid(name.slice(0, -1))) ids.push(name.slice(0, -1));
  }
  const listing: BlockListing = { blocks: [], partial: [], corrupted: [] };
  type Outcome = { id: string; meta: BlockMeta } | { id: string; partial: true } | { id: string; error: string };
  const results = await mapLimit(ids, options.concurrency ?? 16, async (id): Promise<Outcome> => {
    const name = `${id}/${META_FILENAME}`;
    try {
      return { id, meta: parseBlockMeta(Buffer.from(await bucket.get(name)).toString('utf8'), name) };
    } catch (err) {
      if (isObjNotFoundErr(err)) return { id, partial: true };
      if (err instanceof Error && err.name === 'BlockMetaError') return { id, error: err.message };
      throw err;
    }
  });
  for (const r of results) {
    if ('meta' in r) listing.blocks.push({ id: r.id, meta: r.meta });
    else if ('partial' in r) listing.partial.push(r.id);
    else listing.corrupted.push({ id: r.id, error: r.error });
  }
  return listing;
}
