// C <-> JS parity: lib/shared/constants.generated.js (what lib/shared/layout.js
// exports) is generated from csrc/include/ringlet.h at build time; it must be
// current, and equal what the wasm itself says (rlw_layout exports the
// header's constants by index, a node's first word is its magic, the memory
// import's maximum is MAX_PAGES), the three version
// strings must agree, and a ring initialised by the C core must be readable
// and writable from both sides with bit-exact data.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { LAYOUT } from '../../lib/shared/layout.js';
import { MAX_PAGES, MODES, NODE_MAGIC, WAVEFORMS } from '../../lib/shared/constants.generated.js';
import { OUTPUT, generate } from '../../scripts/gen-constants.mjs';
import { VERSION, PROCESSOR_NAME } from '../../lib/shared/version.js';
import * as core from '../../lib/shared/core.js';
import { RingletError } from '../../lib/shared/errors.js';
import { RingReader, RingWriter } from '../../lib/shared/ring-ends.js';
import { PACKAGE_JSON_PATH, RL, indices, makeCoreRing, prng, setIndices, wasmModule } from './helpers.js';

const pkg = JSON.parse(readFileSync(PACKAGE_JSON_PATH, 'utf8'));
const { checkCore, instantiateCore, readCString } = core;
// The import object lib/ itself uses, when it provides one (the core may import host hooks).
const importsFor = (memory) =>
  typeof core.coreImports === 'function' ? core.coreImports(memory) : { env: { memory } };

function coreOnFreshMemory() {
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true });
  return { memory, x: instantiateCore(wasmModule(), memory) };
}

describe('layout table', () => {
  const { x } = coreOnFreshMemory();

  // rlw_layout(i) in csrc/wasm.c follows LAYOUT's declaration order.
  const LAYOUT_ORDER = Object.keys(LAYOUT);

  test.each(LAYOUT_ORDER.map((key, i) => [i, key]))('rlw_layout(%i) equals LAYOUT.%s', (i, key) => {
    expect(x.rlw_layout(i) >>> 0).toBe(LAYOUT[key]);
  });

  test('rlw_layout(LAYOUT_ORDER.length) is the 0xFFFFFFFF terminator, so both tables have the same length', () => {
    expect(x.rlw_layout(LAYOUT_ORDER.length) >>> 0).toBe(0xffffffff);
    // ...and the last real entry is not the terminator.
    expect(x.rlw_layout(LAYOUT_ORDER.length - 1) >>> 0).not.toBe(0xffffffff);
  });

  test('derived facts agree: header size, data offset, indices on their own 64-byte lines', () => {
    expect(x.rlw_ring_heap_size(3, 512)).toBe(LAYOUT.RING_HEADER_BYTES + 512 * 3 * 4);
    expect(LAYOUT.RING_OFFSET_DATA).toBeLessThan(LAYOUT.RING_OFFSET_WRITE_INDEX); // the field, not the storage
    expect(LAYOUT.RING_OFFSET_WRITE_INDEX % 64).toBe(0);
    expect(LAYOUT.RING_OFFSET_READ_INDEX % 64).toBe(0);
    expect(LAYOUT.RING_OFFSET_READ_INDEX - LAYOUT.RING_OFFSET_WRITE_INDEX).toBeGreaterThanOrEqual(64);
    expect(LAYOUT.RING_OFFSET_CLOSED - LAYOUT.RING_OFFSET_READ_INDEX).toBeGreaterThanOrEqual(64);
  });

  test('the core refuses the configurations LAYOUT says are out of range', () => {
    expect(x.rlw_ring_heap_size(LAYOUT.RING_MIN_CHANNELS - 1, 256)).toBe(0);
    expect(x.rlw_ring_heap_size(LAYOUT.RING_MAX_CHANNELS + 1, 256)).toBe(0);
    expect(x.rlw_ring_heap_size(2, LAYOUT.RING_MIN_CAPACITY / 2)).toBe(0);
    expect(x.rlw_ring_heap_size(1, LAYOUT.RING_MAX_CAPACITY * 2)).toBe(0);
    expect(x.rlw_ring_heap_size(2, 1000)).toBe(0);
    const maxFramesAt32 = LAYOUT.RING_MAX_DATA_BYTES / (4 * LAYOUT.RING_MAX_CHANNELS);
    expect(x.rlw_ring_heap_size(LAYOUT.RING_MAX_CHANNELS, maxFramesAt32)).toBe(
      LAYOUT.RING_HEADER_BYTES + LAYOUT.RING_MAX_DATA_BYTES,
    );
    expect(x.rlw_ring_heap_size(LAYOUT.RING_MAX_CHANNELS, maxFramesAt32 * 2)).toBe(0);
    expect(x.rlw_ring_heap_size(1, LAYOUT.RING_MAX_CAPACITY)).toBe(
      LAYOUT.RING_HEADER_BYTES + LAYOUT.RING_MAX_CAPACITY * 4,
    );
  });
});

describe('generated constants', () => {
  test('lib/shared/constants.generated.js is what the header generates now (run npm run build if not)', () => {
    expect(readFileSync(OUTPUT, 'utf8')).toBe(generate());
  });

  test("WAVEFORMS, rl_waveform's order, names exactly the types' GeneratorType members", () => {
    const types = readFileSync(new URL('../../types/index.d.ts', import.meta.url), 'utf8');
    const union = /export type GeneratorType =([^;]*);/.exec(types)?.[1] ?? '';
    const names = [...union.matchAll(/'([a-z-]+)'/g)].map((m) => m[1]);
    expect(WAVEFORMS).toContain('impulse');
    expect(WAVEFORMS).toContain('multitone');
    expect([...WAVEFORMS].sort()).toEqual(names.sort());
  });

  test('NODE_MAGIC is the first word of a node rlw_init built', () => {
    const probe = coreOnFreshMemory().x;
    const bytes = probe.rlw_heap_size(MODES.effect, 2, 256, 48000);
    expect(bytes).toBeGreaterThan(0);
    const pages = Math.ceil((probe.rlw_heap_base() + bytes) / core.PAGE_BYTES);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const x = instantiateCore(wasmModule(), memory);
    expect(new Uint32Array(memory.buffer, x.rlw_heap_base(), 1)[0]).not.toBe(NODE_MAGIC);
    expect(x.rlw_init(MODES.effect, 2, 256, 48000, bytes)).toBe(RL.OK);
    expect(new Uint32Array(memory.buffer, x.rlw_heap_base(), 1)[0]).toBe(NODE_MAGIC);
  });

  test("MAX_PAGES is the maximum of the wasm's memory import", () => {
    const imports = (maximum) => importsFor(new WebAssembly.Memory({ initial: 2, maximum, shared: true }));
    expect(() => new WebAssembly.Instance(wasmModule(), imports(MAX_PAGES))).not.toThrow();
    expect(() => new WebAssembly.Instance(wasmModule(), imports(MAX_PAGES + 1))).toThrow(WebAssembly.LinkError);
  });
});

describe('version', () => {
  test('lib/shared/version.js VERSION equals package.json version', () => {
    expect(VERSION).toBe(pkg.version);
    expect(PROCESSOR_NAME).toBe(`ringlet-${pkg.version}`);
  });

  test('the wasm embeds the same version string', () => {
    const { memory, x } = coreOnFreshMemory();
    expect(readCString(memory, x.rlw_version())).toBe(pkg.version);
    expect(readCString(memory, x.rlw_version())).toBe(VERSION);
  });

  test('checkCore accepts the real core and rejects a core whose version string differs (VERSION_MISMATCH)', () => {
    const module = wasmModule();
    // Data segments are written when the instance is created, so the string
    // can be patched in memory before checkCore reads it.
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true });
    const instance = new WebAssembly.Instance(module, importsFor(memory));
    const address = instance.exports.rlw_version();
    expect(readCString(memory, address)).toBe(VERSION);
    const bytes = new Uint8Array(memory.buffer);
    bytes[address] = '9'.charCodeAt(0); // "0.1.0" -> "9.1.0"
    let error;
    try {
      checkCore(instance, memory);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RingletError);
    expect(error.code).toBe('VERSION_MISMATCH');
    expect(error.message).toContain(VERSION);
    expect(error.message).toContain(`9${VERSION.slice(1)}`);

    // An empty string is a mismatch too, reported as "(none)".
    bytes[address] = 0;
    expect(() => checkCore(instance, memory)).toThrow(
      expect.objectContaining({ code: 'VERSION_MISMATCH', message: expect.stringContaining('(none)') }),
    );

    // Restoring the byte makes the same instance pass.
    bytes[address] = VERSION.charCodeAt(0);
    const x = checkCore(instance, memory);
    expect(typeof x.rlw_ring_read).toBe('function');
  });
});

describe('a ring initialised by the C core', () => {
  test.each([
    [1, 256],
    [2, 1024],
    [3, 512],
    [32, 256],
  ])('header: channels %i, capacity %i, magic and layout version', (channels, capacity) => {
    const { memory, base, bytes } = makeCoreRing({ channels, capacity });
    const u32 = new Uint32Array(memory.buffer, base, LAYOUT.RING_HEADER_BYTES >> 2);
    expect(u32[LAYOUT.RING_OFFSET_MAGIC >> 2]).toBe(LAYOUT.RING_MAGIC);
    expect(u32[LAYOUT.RING_OFFSET_LAYOUT_VERSION >> 2]).toBe(LAYOUT.RING_LAYOUT_VERSION);
    expect(u32[LAYOUT.RING_OFFSET_CHANNELS >> 2]).toBe(channels);
    expect(u32[LAYOUT.RING_OFFSET_CAPACITY >> 2]).toBe(capacity);
    expect(u32[LAYOUT.RING_OFFSET_DATA >> 2]).toBe(LAYOUT.RING_HEADER_BYTES);
    expect(bytes).toBe(LAYOUT.RING_HEADER_BYTES + capacity * channels * 4);

    const writer = new RingWriter(memory.buffer, base);
    const reader = RingReader.fromHandle({ buffer: memory.buffer, byteOffset: base });
    for (const end of [writer, reader]) {
      expect(end.channels).toBe(channels);
      expect(end.capacityFrames).toBe(capacity);
      expect(end.availableRead).toBe(0);
      expect(end.availableWrite).toBe(capacity);
      expect(end.closed).toBe(false);
      expect(end.underruns).toBe(0);
      expect(end.overruns).toBe(0);
      expect(end.handle).toEqual({ buffer: memory.buffer, byteOffset: base });
    }
    const again = RingWriter.fromHandle(writer.handle);
    expect(again.capacityFrames).toBe(capacity);
  });

  test('the C side sees the JS close and the JS side sees the C close', () => {
    const a = makeCoreRing({ channels: 2, capacity: 256, scratchBytes: 4096 });
    const w = new RingWriter(a.memory.buffer, a.base);
    expect(w.tryWrite(new Float32Array([1, 2, 3, 4]))).toBe(2);
    w.close();
    expect(a.x.rlw_ring_read(a.base, a.scratch, 8)).toBe(2);
    expect(a.x.rlw_ring_read(a.base, a.scratch, 8)).toBe(RL.CLOSED);

    const b = makeCoreRing({ channels: 2, capacity: 256 });
    const r = new RingReader(b.memory.buffer, b.base);
    expect(r.closed).toBe(false);
    b.x.rlw_ring_close(b.base);
    expect(r.closed).toBe(true);
    expect(r.tryRead(new Float32Array(4))).toEqual({ status: 'closed', frames: 0 });
  });

  // Distinct, exactly representable values (no NaN: payloads need not survive).
  function fill(f32, next) {
    for (let i = 0; i < f32.length; i++) f32[i] = Math.fround((next() - 0.5) * 2 ** (Math.floor(next() * 40) - 20));
  }

  test.each([
    [2, 256, 0],
    [3, 512, 0xffffff80],
    [8, 256, 0xfffffff0],
  ])(
    'frames written by RingWriter come out of rlw_ring_read / rlw_ring_read_planar exactly (ch %i, cap %i, start index %i)',
    (channels, capacity, start) => {
      const { memory, x, base, scratch } = makeCoreRing({
        channels,
        capacity,
        scratchBytes: 4 * capacity * channels * 3,
      });
      setIndices(memory.buffer, base, start);
      const writer = new RingWriter(memory.buffer, base);
      const next = prng(0xc0ffee ^ channels);
      const dst = new Float32Array(memory.buffer, scratch, capacity * channels);
      const planes = Array.from({ length: channels }, (_, c) => scratch + 4 * capacity * channels + 4 * capacity * c);
      const planesTable = scratch + 4 * capacity * channels * 2;
      new Uint32Array(memory.buffer, planesTable, channels).set(planes);
      let sent = 0;
      for (let round = 0; round < 12; round++) {
        const frames = 1 + Math.floor(next() * (capacity - 1));
        let src;
        let expected;
        if (round % 3 === 2) {
          src = Array.from({ length: channels }, () => new Float32Array(frames));
          src.forEach((p) => fill(p, next));
          expected = new Float32Array(frames * channels);
          for (let f = 0; f < frames; f++) for (let c = 0; c < channels; c++) expected[f * channels + c] = src[c][f];
        } else {
          src = new Float32Array(frames * channels);
          fill(src, next);
          expected = src;
        }
        expect(writer.tryWrite(src)).toBe(frames);
        expect(x.rlw_ring_available_read(base)).toBe(frames);
        if (round % 2 === 0) {
          expect(x.rlw_ring_read(base, scratch, capacity)).toBe(frames);
          expect(dst.subarray(0, frames * channels)).toEqual(expected);
        } else {
          expect(x.rlw_ring_read_planar(base, planesTable, capacity)).toBe(frames);
          for (let c = 0; c < channels; c++) {
            const plane = new Float32Array(memory.buffer, planes[c], frames);
            for (let f = 0; f < frames; f++) {
              if (!Object.is(plane[f], expected[f * channels + c])) {
                throw new Error(
                  `round ${round} channel ${c} frame ${f}: ${plane[f]} !== ${expected[f * channels + c]}`,
                );
              }
            }
          }
        }
        sent += frames;
      }
      expect(indices(memory.buffer, base)).toEqual([(start + sent) >>> 0, (start + sent) >>> 0]);
      if (start > 0xffff0000) expect((start + sent) >>> 0).toBeLessThan(start); // really wrapped past 2^32
    },
  );

  test.each([
    [1, 256, 0],
    [2, 1024, 0xffffff00],
    [5, 256, 0xffffffff],
  ])(
    'frames written by rlw_ring_write come out of RingReader.tryRead exactly (ch %i, cap %i, start index %i)',
    (channels, capacity, start) => {
      const { memory, x, base, scratch } = makeCoreRing({ channels, capacity, scratchBytes: 4 * capacity * channels });
      setIndices(memory.buffer, base, start);
      const reader = new RingReader(memory.buffer, base);
      const src = new Float32Array(memory.buffer, scratch, capacity * channels);
      const next = prng(0xbeef + channels);
      let sent = 0;
      for (let round = 0; round < 12; round++) {
        const frames = 1 + Math.floor(next() * (capacity - 1));
        fill(src.subarray(0, frames * channels), next);
        const expected = src.slice(0, frames * channels);
        expect(x.rlw_ring_write(base, scratch, frames)).toBe(frames);
        expect(reader.availableRead).toBe(frames);
        expect(reader.availableWrite).toBe(capacity - frames);
        if (round % 2 === 0) {
          const dst = new Float32Array(capacity * channels).fill(-7);
          expect(reader.tryRead(dst)).toEqual({ status: 'ready', frames });
          expect(dst.subarray(0, frames * channels)).toEqual(expected);
          expect(dst.subarray(frames * channels).every((v) => v === -7)).toBe(true);
        } else {
          const planes = Array.from({ length: channels }, () => new Float32Array(frames + 3).fill(-7));
          expect(reader.tryRead(planes)).toEqual({ status: 'ready', frames });
          for (let c = 0; c < channels; c++) {
            const want = new Float32Array(frames);
            for (let f = 0; f < frames; f++) want[f] = expected[f * channels + c];
            expect(planes[c].subarray(0, frames)).toEqual(want);
            expect([...planes[c].subarray(frames)]).toEqual([-7, -7, -7]);
          }
        }
        expect(reader.tryRead(new Float32Array(channels))).toEqual({ status: 'not-ready', frames: 0 });
        sent += frames;
      }
      expect(indices(memory.buffer, base)).toEqual([(start + sent) >>> 0, (start + sent) >>> 0]);
    },
  );

  test('the C side counts underruns and overruns; the JS ends report them', () => {
    const { memory, x, base, scratch } = makeCoreRing({ channels: 1, capacity: 256, scratchBytes: 4096 });
    const reader = new RingReader(memory.buffer, base);
    expect(x.rlw_ring_write(base, scratch, 300)).toBe(256); // short write: one overrun
    expect(reader.overruns).toBe(1);
    expect(x.rlw_ring_read(base, scratch, 300)).toBe(256); // short read of an open ring: one underrun
    expect(reader.underruns).toBe(1);
  });
});
