// BufferPool: bounded reuse of same-length Float32Arrays, and what it refuses
// to keep (detached, wrong size, shared, duplicates, beyond the bound).
import { expect, test } from '@jest/globals';
import { BufferPool, DEFAULT_MAX_BUFFERS } from '../../lib/offline/buffer-pool.js';

/** Detaches `a`'s buffer the way postMessage's transfer does. */
function detach(a) {
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

test('acquire() creates buffers of the fixed length, then reuses released ones (LIFO), counting both', () => {
  const pool = new BufferPool({ length: 256 });
  expect(pool.length).toBe(256);
  expect(pool.maxBuffers).toBe(DEFAULT_MAX_BUFFERS);
  expect(DEFAULT_MAX_BUFFERS).toBe(32);
  const a = pool.acquire();
  const b = pool.acquire();
  expect(a).toBeInstanceOf(Float32Array);
  expect(a).toHaveLength(256);
  expect(a).not.toBe(b);
  expect(pool.stats()).toEqual({ pooled: 0, created: 2, reused: 0, dropped: 0 });
  a[0] = 42;
  expect(pool.release(a)).toBe(true);
  expect(pool.release(b)).toBe(true);
  expect(pool.stats()).toEqual({ pooled: 2, created: 2, reused: 0, dropped: 0 });
  expect(pool.acquire()).toBe(b);
  const again = pool.acquire();
  expect(again).toBe(a);
  expect(again[0]).toBe(42); // contents are not cleared
  expect(pool.acquire()).not.toBe(a);
  expect(pool.stats()).toEqual({ pooled: 0, created: 3, reused: 2, dropped: 0 });
});

test('the pool is bounded: releases beyond maxBuffers are dropped', () => {
  const pool = new BufferPool({ length: 8, maxBuffers: 3 });
  const arrays = Array.from({ length: 5 }, () => pool.acquire());
  const kept = arrays.map((a) => pool.release(a));
  expect(kept).toEqual([true, true, true, false, false]);
  expect(pool.stats()).toEqual({ pooled: 3, created: 5, reused: 0, dropped: 2 });
  // Only the kept ones come back.
  const back = [pool.acquire(), pool.acquire(), pool.acquire()];
  expect(new Set(back)).toEqual(new Set(arrays.slice(0, 3)));
  expect(pool.acquire()).not.toBe(arrays[3]);
});

test('maxBuffers 0 keeps nothing', () => {
  const pool = new BufferPool({ length: 4, maxBuffers: 0 });
  expect(pool.release(pool.acquire())).toBe(false);
  expect(pool.stats()).toEqual({ pooled: 0, created: 1, reused: 0, dropped: 1 });
});

test('a detached (transferred) buffer is never pooled, and counts as dropped', () => {
  const pool = new BufferPool({ length: 64 });
  const a = pool.acquire();
  detach(a);
  expect(a.buffer.byteLength).toBe(0);
  expect(pool.release(a)).toBe(false);
  expect(pool.stats()).toEqual({ pooled: 0, created: 1, reused: 0, dropped: 1 });
  // The next acquire allocates rather than handing out the dead array.
  const b = pool.acquire();
  expect(b).not.toBe(a);
  expect(b).toHaveLength(64);
});

test('a pooled buffer released again is not duplicated', () => {
  const pool = new BufferPool({ length: 16 });
  const a = pool.acquire();
  expect(pool.release(a)).toBe(true);
  expect(pool.release(a)).toBe(false);
  expect(pool.release(a)).toBe(false);
  expect(pool.stats()).toEqual({ pooled: 1, created: 1, reused: 0, dropped: 0 });
  const first = pool.acquire();
  const second = pool.acquire();
  expect(first).toBe(a);
  expect(second).not.toBe(a); // a was in the pool once, not three times
  // Once handed out again, it may be released again.
  expect(pool.release(first)).toBe(true);
});

test('buffers of the wrong shape are dropped: wrong length, a view into a larger buffer, shared memory', () => {
  const pool = new BufferPool({ length: 32 });
  expect(pool.release(new Float32Array(31))).toBe(false);
  expect(pool.release(new Float32Array(33))).toBe(false);
  const big = new Float32Array(64);
  expect(pool.release(big.subarray(0, 32))).toBe(false); // right length, but shares a bigger buffer
  expect(pool.release(big.subarray(32))).toBe(false);
  expect(pool.release(new Float32Array(new SharedArrayBuffer(32 * 4)))).toBe(false);
  expect(pool.stats()).toEqual({ pooled: 0, created: 0, reused: 0, dropped: 5 });
  expect(pool.release(new Float32Array(32))).toBe(true); // a foreign but well-shaped buffer is fine
});

test('clear() drops every pooled buffer', () => {
  const pool = new BufferPool({ length: 2 });
  pool.release(pool.acquire());
  pool.release(pool.acquire());
  expect(pool.stats().pooled).toBe(1); // one was acquired twice
  pool.release(new Float32Array(2));
  pool.clear();
  expect(pool.stats()).toEqual({ pooled: 0, created: 1, reused: 1, dropped: 2 });
});

test('validation errors name the parameter and its range', () => {
  expect(() => new BufferPool()).toThrow(TypeError);
  expect(() => new BufferPool()).toThrow(/options must be an object with a length/);
  expect(() => new BufferPool({})).toThrow(/length is required/);
  expect(() => new BufferPool({ length: '8' })).toThrow(TypeError);
  expect(() => new BufferPool({ length: '8' })).toThrow(/length must be an integer from 1 to 268435456; got string/);
  expect(() => new BufferPool({ length: 0 })).toThrow(RangeError);
  expect(() => new BufferPool({ length: 0 })).toThrow(/length must be an integer from 1 to 268435456; got 0/);
  expect(() => new BufferPool({ length: 2.5 })).toThrow(/length .*got 2.5/);
  expect(() => new BufferPool({ length: 2 ** 28 + 1 })).toThrow(RangeError);
  expect(() => new BufferPool({ length: 8, maxBuffers: -1 })).toThrow(RangeError);
  expect(() => new BufferPool({ length: 8, maxBuffers: -1 })).toThrow(
    /maxBuffers must be an integer from 0 to 4096; got -1/,
  );
  expect(() => new BufferPool({ length: 8, maxBuffers: null })).toThrow(TypeError);
  expect(() => new BufferPool({ length: 8, maxBuffers: null })).toThrow(/maxBuffers .*got null/);
  const pool = new BufferPool({ length: 8 });
  expect(() => pool.release(new Float64Array(8))).toThrow(TypeError);
  expect(() => pool.release(new Float64Array(8))).toThrow(/release: buffer must be a Float32Array; got Float64Array/);
  expect(() => pool.release(undefined)).toThrow(/got undefined/);
});
