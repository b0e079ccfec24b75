import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrometheus, fixturesDir, promtool, tempDir } from '@thanos-ts/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeriesChunkBuilder } from '../chunkenc';
import { readBlockMeta, writeBlockMeta } from '../meta';
import { TombstoneSet, writeTombstones } from '../tombstones';
import { ChunkSegmentWriter } from './index';

const om = join(fixturesDir, 'openmetrics-blocks');
const BLOCK = '01M87WZDRW12N1VYN3CC8X70A0';
/** Series ID of `{__name__="edge_values", case="floats"}` in that block's index (spec §14). */
const EDGE_FLOATS_REF = 27;
const EDGE_FLOATS = '{__name__="edge_values", case="floats"}';
const DELETED = { mint: 1672534080000, maxt: 1672534110000 };

function valueBits(s: string): [number, number] {
  if (s === 'NaN') return [0x7ff80000, 1];
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s));
  return [dv.getUint32(0), dv.getUint32(4)];
}

describe('a block rewritten with our chunks, meta.json and tombstones, read by promtool', () => {
  const dir = tempDir('promtool-block');
  const expected: string[] = [];

  beforeAll(() => {
    ensurePrometheus();
    const src = join(om, 'blocks', BLOCK);
    const dst = join(dir.path, BLOCK);
    mkdirSync(join(dir.path, 'wal'), { recursive: true });
    mkdirSync(dst);
    copyFileSync(join(src, 'index'), join(dst, 'index'));
    const meta = readBlockMeta(src);

    // Chunks re-encoded from the dump's samples, series in dump (= index) order.
    const writer = new ChunkSegmentWriter(join(dst, 'chunks'), { fsync: false });
    const builder = new SeriesChunkBuilder(4 * 3600_000);
    let current = '';
    const flush = (): void => {
      if (current) writer.writeChunks(builder.finish().map((c) => c.chunk));
    };
    for (const line of readFileSync(join(om, 'expected-dump.txt'), 'utf8').split('\n')) {
      if (!line) continue;
      const tsAt = line.lastIndexOf(' ');
      const valAt = line.lastIndexOf(' ', tsAt - 1);
      const t = Number(line.slice(tsAt + 1));
      if (t < meta.minTime || t >= meta.maxTime) continue;
      const labels = line.slice(0, valAt);
      if (labels !== current) flush();
      current = labels;
      const [hi, lo] = valueBits(line.slice(valAt + 1, tsAt));
      builder.appendBits(t, hi, lo);
      if (labels !== EDGE_FLOATS || t < DELETED.mint || t > DELETED.maxt) expected.push(line);
    }
    flush();
    writer.close();

    const tombstones = new TombstoneSet();
    tombstones.add(EDGE_FLOATS_REF, DELETED);
    writeTombstones(dst, tombstones);
    writeBlockMeta(dst, { ...meta, stats: { ...meta.stats, numTombstones: tombstones.total } });
  });

  afterAll(() => dir.cleanup());

  it('dumps exactly the fixture samples minus the deleted interval', () => {
    const r = promtool(['tsdb', 'dump', dir.path]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines.length).toBe(expected.length);
    expect(lines).toEqual(expected);
    expect(expected.length).toBe(5210 - 2);
  });

  it('lists the block with the stats of our meta.json', () => {
    const r = promtool(['tsdb', 'list', dir.path]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(BLOCK);
    expect(r.stdout).toMatch(/5210\s+72\s+36/);
  });
});
