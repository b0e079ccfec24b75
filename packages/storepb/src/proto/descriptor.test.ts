import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { upstreamDescriptor } from './upstream';
import { protoType } from './root';

describe('committed proto descriptor', () => {
  it('matches what the generator produces from /proto (run scripts/generate-descriptor.ts if not)', () => {
    const committed = JSON.parse(readFileSync(new URL('./descriptor.generated.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(upstreamDescriptor())));
  });

  it('exposes the StoreAPI messages with their upstream field numbers', () => {
    const series = protoType('thanos.SeriesRequest');
    expect(series.fields.skipChunks.id).toBe(8);
    expect(series.fields.withoutReplicaLabels.id).toBe(14);
    expect(protoType('thanos.AggrChunk').fields.counter.id).toBe(8);
    expect(protoType('thanos.WriteRequest').fields.replica.type).toBe('int64');
    expect(protoType('thanos.info.StoreInfo').fields.supportsWithoutReplicaLabels.id).toBe(5);
  });
});
