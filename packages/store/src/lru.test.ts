import { describe, expect, it } from 'vitest';
import { ByteLruCache, type CacheObserver } from './lru';

describe('ByteLruCache', () => {
  it('evicts the least recently used entries to stay within its byte budget', () => {
    const events: string[] = [];
    const observer: CacheObserver = {
      request: (k, hit) => events.push(`${hit ? 'hit' : 'miss'} ${k}`),
      added: (k) => events.push(`add ${k}`),
      evicted: (k) => events.push(`evict ${k}`),
    };
    const cache = new ByteLruCache<string>(10, (v) => v.length, observer);
    cache.set('a', 'xxxx');
    cache.set('b', 'yyyy');
    expect(cache.get('a')).toBe('xxxx');
    cache.set('c', 'zzzz');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('xxxx');
    expect(cache.bytes).toBe(8);
    expect(events).toEqual(['add a', 'add b', 'hit a', 'evict b', 'add c', 'miss b', 'hit a']);
  });

  it('never stores an item larger than the whole budget', () => {
    const cache = new ByteLruCache<string>(3, (v) => v.length);
    cache.set('big', 'xxxx');
    expect(cache.size).toBe(0);
  });

  it('drops all entries of a prefix', () => {
    const cache = new ByteLruCache<string>(100, (v) => v.length);
    cache.set('P:b1:x', 'a');
    cache.set('P:b2:x', 'b');
    cache.deletePrefix('P:b1:');
    expect(cache.get('P:b1:x')).toBeUndefined();
    expect(cache.get('P:b2:x')).toBe('b');
    expect(cache.bytes).toBe(1);
  });
});
