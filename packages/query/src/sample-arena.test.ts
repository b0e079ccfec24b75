import { describe, expect, it } from 'vitest';
import { SampleArena } from './sample-arena';
import { SampleBuffer } from './sample-buffer';

const STALE_HI = 0x7ff00000;
const STALE_LO = 2;

function fill(arena: SampleArena, reserve: number, samples: number, first: number) {
  const b = new SampleBuffer(reserve, arena);
  for (let i = 0; i < samples; i++) {
    if (i === 0) b.pushBits(first, STALE_HI, STALE_LO);
    else b.push(first + i, first + i);
  }
  return b.finish();
}

describe('SampleArena', () => {
  it('hands out disjoint slices that keep what was written, NaN payloads included', () => {
    const arena = new SampleArena();
    const parts = [fill(arena, 10, 7, 100), fill(arena, 3000, 2999, 200), fill(arena, 50, 50, 300)];
    expect(parts.map((p) => p.timestamps.length)).toEqual([7, 2999, 50]);
    parts.forEach((p, k) => {
      const first = [100, 200, 300][k];
      expect(p.timestamps[0]).toBe(first);
      expect(p.timestamps[p.timestamps.length - 1]).toBe(first + p.timestamps.length - 1);
      const words = new Uint32Array(p.values.buffer, p.values.byteOffset, 2);
      const hi = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
      expect([words[hi], words[1 - hi]]).toEqual([STALE_HI, STALE_LO]);
      expect(p.values[1]).toBe(first + 1);
    });
  });

  it('moves a buffer to arrays of its own when more samples come than it reserved', () => {
    const arena = new SampleArena();
    const grown = fill(arena, 4, 100, 0);
    const next = fill(arena, 4, 4, 1000);
    expect(Array.from(grown.timestamps)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(next.timestamps)).toEqual([1000, 1001, 1002, 1003]);
    expect(grown.timestamps.buffer).not.toBe(next.timestamps.buffer);
  });

  it('hands its largest blocks to a later arena once released', () => {
    const first = new SampleArena();
    const parts = Array.from({ length: 12 }, (_, k) => fill(first, 20_000, 20_000, k * 100_000));
    const largest = parts.filter((p) => p.timestamps.buffer.byteLength === 65_536 * 8).map((p) => p.timestamps.buffer);
    expect(largest.length).toBeGreaterThan(0);
    first.release();
    const second = new SampleArena();
    const reused = fill(second, 10, 10, 7);
    expect(largest).toContain(reused.timestamps.buffer);
    expect(Array.from(reused.timestamps)).toEqual(Array.from({ length: 10 }, (_, i) => 7 + i));
  });

  it('refuses a second reservation while one is open', () => {
    const arena = new SampleArena();
    arena.reserve(5);
    expect(() => arena.reserve(5)).toThrow(/still open/);
    expect(() => arena.commit(6)).toThrow(/exceeds/);
  });
});
