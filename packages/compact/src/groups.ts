// Compaction groups: blocks with the same external labels (minus replica labels) and the
// same resolution are compacted together, and never with other blocks.
import type { BlockMeta } from '@thanos-ts/objstore';
import xxhash from 'xxhash-wasm';

let h64: ((input: Uint8Array, seed?: bigint) => bigint) | undefined;

/** Loads the xxhash module used for group keys; call once before {@link groupKey}. */
export async function initGroupHashing(): Promise<void> {
  h64 ??= (await xxhash()).h64Raw;
}

const utf8 = new TextEncoder();

/** Prometheus' `labels.Hash`: XXH64 of `name 0xFF value 0xFF …` over the sorted labels, in decimal. */
export function labelsHash(labels: Record<string, string>): string {
  if (!h64) throw new Error('initGroupHashing() must be awaited before hashing labels');
  const parts: Uint8Array[] = [];
  for (const name of Object.keys(labels).sort()) parts.push(utf8.encode(name), utf8.encode(labels[name]));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
  let pos = 0;
  for (const p of parts) {
    bytes.set(p, pos);
    pos += p.length;
    bytes[pos++] = 0xff;
  }
  return h64(bytes, 0n).toString();
}

/** External labels without the replica labels (so replicas of one producer share a group). */
export function groupLabels(meta: BlockMeta, replicaLabels: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta.thanos.labels)) if (!replicaLabels.includes(k)) out[k] = v;
  return out;
}

/** Thanos' group key `"<resolution>@<labels hash>"`. */
export function groupKey(labels: Record<string, string>, resolution: number): string {
  return `${resolution}@${labelsHash(labels)}`;
}

/** `{a="1", b="2"}` for logs and the UI. */
export function formatLabelSet(labels: Record<string, string>): string {
  return `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(', ')}}`;
}

export interface Group {
  key: string;
  labels: Record<string, string>;
  resolution: number;
  blocks: BlockMeta[];
}

/** Groups blocks by (labels without replica labels, resolution), each group's blocks by min time. */
export function groupBlocks(metas: readonly BlockMeta[], replicaLabels: readonly string[]): Group[] {
  const groups = new Map<string, Group>();
  for (const m of metas) {
    const labels = groupLabels(m, replicaLabels);
    const resolution = m.thanos.downsample.resolution;
    const key = groupKey(labels, resolution);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, labels, resolution, blocks: [] }));
    g.blocks.push(m);
  }
  for (const g of groups.values()) g.blocks.sort((a, b) => a.minTime - b.minTime || (a.ulid < b.ulid ? -1 : 1));
  return [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
