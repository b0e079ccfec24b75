import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, tempDir } from '@thanos-ts/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteBlock, downloadBlock, listBlocks, readLocalBlockMeta, uploadBlock } from './block';
import { parseBlockMeta } from './block-meta';
import type { UploadBody } from './bucket';
import { InMemoryBucket } from './inmem';
import { markForDeletion, markNoCompact, readDeletionMark } from './markers';

const BLOCKS = join(fixturesDir, 'openmetrics-blocks', 'blocks');
const ID = '01M87WZDRW12N1VYN3CC8X70A0';
const NOW = new Date('2024-10-29T14:05:12.123Z');

/** An in-memory bucket that records the order of mutating calls. */
class RecordingBucket extends InMemoryBucket {
  readonly calls: string[] = [];
  failUploadOf?: string;

  override async upload(name: string, body: UploadBody): Promise<void> {
    this.calls.push(`upload ${name}`);
    if (name === this.failUploadOf) throw new Error(`injected failure uploading ${name}`);
    await super.upload(name, body);
  }

  override async delete(name: string): Promise<void> {
    this.calls.push(`delete ${name}`);
    await super.delete(name);
  }
}

const work = tempDir('objstore-block-');
afterAll(() => work.cleanup());

async function labelledMeta(id = ID) {
  const meta = await readLocalBlockMeta(join(BLOCKS, id));
  meta.thanos.labels = { tenant_id: 'default-tenant', receive_replica: '0' };
  meta.thanos.source = 'receive';
  return meta;
}

describe('uploadBlock', () => {
  it('uploads chunks, then index, then meta.json last, without tombstones', async () => {
    const bucket = new RecordingBucket();
    const uploaded = await uploadBlock(bucket, join(BLOCKS, ID), await labelledMeta(), { now: () => NOW });
    expect(bucket.calls).toEqual([`upload ${ID}/chunks/000001`, `upload ${ID}/index`, `upload ${ID}/meta.json`]);
    const index = readFileSync(join(BLOCKS, ID, 'index'));
    expect(Buffer.compare(Buffer.from(await bucket.get(`${ID}/index`)), index)).toBe(0);

    const meta = parseBlockMeta(Buffer.from(await bucket.get(`${ID}/meta.json`)).toString(), 'meta.json');
    expect(meta).toEqual(uploaded);
    expect(meta.thanos.labels).toEqual({ tenant_id: 'default-tenant', receive_replica: '0' });
    expect(meta.thanos.files).toEqual([
      { rel_path: 'chunks/000001', size_bytes: readFileSync(join(BLOCKS, ID, 'chunks', '000001')).length },
      { rel_path: 'index', size_bytes: index.length },
      { rel_path: 'meta.json' },
    ]);
    expect(meta.thanos.upload_time).toBe('2024-10-29T14:05:12.123Z');
    expect(meta.stats.numSeries).toBe(36);
    expect(Buffer.from(await bucket.get(`${ID}/meta.json`)).toString()).toMatch(
      /^\{\n\t"ulid": "01M87WZDRW12N1VYN3CC8X70A0",\n/,
    );
  });

  it('adds SHA256 hashes on request', async () => {
    const bucket = new InMemoryBucket();
    const meta = await uploadBlock(bucket, join(BLOCKS, ID), await labelledMeta(), { hashFunc: 'SHA256' });
    expect(meta.thanos.files![0].hash?.func).toBe('SHA256');
    expect(meta.thanos.files![0].hash?.value).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.thanos.files![2].hash).toBeUndefined();
  });

  it('refuses blocks without external labels or with a mismatched ULID', async () => {
    const bucket = new InMemoryBucket();
    await expect(uploadBlock(bucket, join(BLOCKS, ID))).rejects.toThrow(/empty external labels/);
    await expect(
      uploadBlock(bucket, join(BLOCKS, ID), await labelledMeta('01M87WZDTJRFQV7EVDRVH2M3VB')),
    ).rejects.toThrow(/meta.json has ulid 01M87WZDTJRFQV7EVDRVH2M3VB/);
    await expect(uploadBlock(bucket, BLOCKS, await labelledMeta())).rejects.toThrow(/not a block ULID/);
    expect(bucket.objectNames()).toEqual([]);
  });

  it('removes a partial upload when a file fails', async () => {
    const bucket = new RecordingBucket();
    bucket.failUploadOf = `${ID}/index`;
    await expect(uploadBlock(bucket, join(BLOCKS, ID), await labelledMeta())).rejects.toThrow(/injected failure/);
    expect(bucket.objectNames()).toEqual([]);
  });
});

describe('downloadBlock', () => {
  it('restores the block directory with meta.json written last', async () => {
    const bucket = new InMemoryBucket();
    await uploadBlock(bucket, join(BLOCKS, ID), await labelledMeta());
    const dst = join(work.path, 'download', ID);
    const meta = await downloadBlock(bucket, ID, dst);
    expect(meta.ulid).toBe(ID);
    expect(readdirSync(dst).sort()).toEqual(['chunks', 'index', 'meta.json']);
    for (const rel of ['index', 'chunks/000001']) {
      expect(Buffer.compare(readFileSync(join(dst, rel)), readFileSync(join(BLOCKS, ID, rel)))).toBe(0);
    }
    await expect(downloadBlock(bucket, '01M87WZDVT2D0P30S3408M5GAX', join(work.path, 'x'))).rejects.toThrow(
      /has no meta.json/,
    );
  });
});

describe('markers', () => {
  it('writes Thanos deletion and no-compact marks once', async () => {
    const bucket = new InMemoryBucket();
    expect(await markForDeletion(bucket, ID, 'retention', { now: () => NOW })).toBe(true);
    expect(Buffer.from(await bucket.get(`${ID}/deletion-mark.json`)).toString()).toBe(
      `{\n  "id": "${ID}",\n  "version": 1,\n  "details": "retention",\n  "deletion_time": 1730210712\n}`,
    );
    expect(await markForDeletion(bucket, ID, 'again', { now: () => new Date() })).toBe(false);
    expect((await readDeletionMark(bucket, ID))?.details).toBe('retention');
    expect(await readDeletionMark(bucket, '01M87WZDVT2D0P30S3408M5GAX')).toBeUndefined();

    expect(await markNoCompact(bucket, ID, 'manual', '', { now: () => NOW })).toBe(true);
    expect(JSON.parse(Buffer.from(await bucket.get(`${ID}/no-compact-mark.json`)).toString())).toEqual({
      id: ID,
      version: 1,
      no_compact_time: 1730210712,
      reason: 'manual',
    });
  });
});

describe('deleteBlock', () => {
  it('deletes meta.json first and the deletion mark last', async () => {
    const bucket = new RecordingBucket();
    await uploadBlock(bucket, join(BLOCKS, ID), await labelledMeta());
    await markForDeletion(bucket, ID, '');
    bucket.calls.length = 0;
    await deleteBlock(bucket, ID);
    expect(bucket.calls).toEqual([
      `delete ${ID}/meta.json`,
      `delete ${ID}/chunks/000001`,
      `delete ${ID}/index`,
      `delete ${ID}/deletion-mark.json`,
    ]);
    expect(bucket.objectNames()).toEqual([]);
  });
});

describe('listBlocks', () => {
  it('returns blocks with metas and reports partial and corrupted ones', async () => {
    const bucket = new InMemoryBucket();
    for (const id of ['01M87WZDRW12N1VYN3CC8X70A0', '01M87WZDTJRFQV7EVDRVH2M3VB']) {
      await uploadBlock(bucket, join(BLOCKS, id), await labelledMeta(id));
    }
    await bucket.upload('01M87WZDVT2D0P30S3408M5GAX/index', Buffer.from('partial'));
    await bucket.upload('01JBXQ5W8Y3N7B2ZC0M4P9S6TK/meta.json', Buffer.from('{"ulid": 1'));
    await bucket.upload('debug/metas/x.json', Buffer.from('{}'));
    const listing = await listBlocks(bucket);
    expect(listing.blocks.map((b) => b.id)).toEqual(['01M87WZDRW12N1VYN3CC8X70A0', '01M87WZDTJRFQV7EVDRVH2M3VB']);
    expect(listing.blocks[1].meta.stats.numSeries).toBe(37);
    expect(listing.partial).toEqual(['01M87WZDVT2D0P30S3408M5GAX']);
    expect(listing.corrupted).toHaveLength(1);
    expect(listing.corrupted[0].id).toBe('01JBXQ5W8Y3N7B2ZC0M4P9S6TK');
    expect(listing.corrupted[0].error).toMatch(/01JBXQ5W8Y3N7B2ZC0M4P9S6TK\/meta.json: not valid JSON/);
  });
});
