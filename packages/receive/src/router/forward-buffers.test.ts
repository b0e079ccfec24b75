import { describe, expect, it } from 'vitest';
import { ForwardBuffers } from './forward-buffers';

describe('ForwardBuffers', () => {
  it('hands out buffers of the asked size and reuses the memory of those given back', () => {
    const pool = new ForwardBuffers();
    const a = pool.acquire(100_000);
    expect(a.length).toBe(100_000);
    expect(a.buffer.byteLength).toBe(131_072);
    const b = pool.acquire(70_000);
    expect(b.buffer).not.toBe(a.buffer);
    pool.release(a);
    pool.release(a); // a second release does not hand the memory out twice
    const c = pool.acquire(120_000);
    expect(c.buffer).toBe(a.buffer);
    expect(c.length).toBe(120_000);
    expect(pool.acquire(100_000).buffer).not.toBe(a.buffer);
  });

  it('leaves small, huge and foreign buffers alone', () => {
    const pool = new ForwardBuffers();
    const small = pool.acquire(100);
    expect(small.length).toBe(100);
    pool.release(small);
    const foreign = Buffer.alloc(100_000);
    pool.release(foreign);
    expect(pool.acquire(100_000).buffer).not.toBe(foreign.buffer);
    const huge = pool.acquire(20 * 1024 * 1024);
    pool.release(huge);
    expect(pool.acquire(20 * 1024 * 1024).buffer).not.toBe(huge.buffer);
  });
});
