// The core's planar read and write, as compiled to wasm (where stereo takes a
// SIMD path the native tests cannot reach), against a FIFO model: every
// channel count class, random chunk sizes, wrap inside a chunk.
import { expect, test } from '@jest/globals';
import { makeCoreRing } from './helpers.js';

const SEED = Number(process.env.RL_SEED ?? 0x5eed1234);

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

for (const channels of [1, 2, 3, 8]) {
  test(`channels ${channels}: rlw_ring_write_planar then rlw_ring_read_planar equal the model (seed ${SEED})`, () => {
    const capacity = 256;
    const maxChunk = 300;
    const ring = makeCoreRing({ channels, capacity, scratchBytes: 2 * channels * (maxChunk * 4 + 64) + 1024 });
    const { x, memory, base } = ring;
    // Scratch: [in planes][out planes][two pointer tables].
    const planeBytes = maxChunk * 4;
    const inPlanes = Array.from({ length: channels }, (_, c) => ring.scratch + c * planeBytes);
    const outPlanes = Array.from({ length: channels }, (_, c) => ring.scratch + (channels + c) * planeBytes);
    const inTable = ring.scratch + 2 * channels * planeBytes;
    const outTable = inTable + 4 * channels;
    const u32 = new Uint32Array(memory.buffer);
    inPlanes.forEach((p, c) => {
      u32[(inTable >> 2) + c] = p;
    });
    outPlanes.forEach((p, c) => {
      u32[(outTable >> 2) + c] = p;
    });
    const f32 = new Float32Array(memory.buffer);
    const random = rng(SEED + channels);
    /** @type {number[][]} */
    const model = Array.from({ length: channels }, () => []);
    let next = 0;
    let moved = 0;
    for (let step = 0; step < 4000; step++) {
      const size = Math.floor(random() * maxChunk);
      if (random() < 0.5) {
        for (let c = 0; c < channels; c++) {
          for (let i = 0; i < size; i++) f32[(inPlanes[c] >> 2) + i] = next + i + c * 1e6;
        }
        const free = capacity - model[0].length;
        const n = x.rlw_ring_write_planar(base, inTable, size);
        expect(n).toBe(Math.min(size, free));
        for (let c = 0; c < channels; c++) {
          for (let i = 0; i < n; i++) model[c].push(next + i + c * 1e6);
        }
        next += n;
      } else {
        const n = x.rlw_ring_read_planar(base, outTable, size);
        expect(n).toBe(Math.min(size, model[0].length));
        for (let c = 0; c < channels; c++) {
          const want = model[c].splice(0, n);
          const got = Array.from(f32.subarray(outPlanes[c] >> 2, (outPlanes[c] >> 2) + n));
          if (got.some((v, i) => v !== want[i])) {
            throw new Error(
              `channel ${c} step ${step}: got ${got.slice(0, 8)} want ${want.slice(0, 8)} (seed ${SEED})`,
            );
          }
        }
        moved += n;
      }
    }
    expect(moved).toBeGreaterThan(capacity * 50);
  });
}
