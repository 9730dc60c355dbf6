// Property tests of RingWriter / RingReader against a plain FIFO model, plus
// close semantics and the argument-validation matrix. Rings are initialised by
// the C core (rlw_ring_init) and cross-checked with rlw_ring_available_read.
//
// Reproduce a failure: RINGLET_FC_SEED=<seed printed in the test name or by
// fast-check> npm run test:unit -- test/unit/ring.property.test.js
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { LAYOUT } from '../../lib/shared/layout.js';
import { RingletError } from '../../lib/shared/errors.js';
import { RingReader, RingWriter } from '../../lib/shared/ring-ends.js';
import { RL, indices, makeCoreRing, seedFrom, setIndices, snapshot } from './helpers.js';

const BASE_SEED = seedFrom('RINGLET_FC_SEED', 0x52494e47); // "RING"
const NUM_RUNS = Number(process.env.RINGLET_FC_RUNS ?? 150);
const MAX_COMMANDS = 48;
const CHANNELS = [1, 2, 3, 8, 32];
const CAPACITIES = [256, 1024];
const SPECIALS = [-0, Infinity, -Infinity, 1.401298464324817e-45, -3.4028234663852886e38, 0];

// One memory and one core instance for every property run: each run re-initialises
// the ring at the heap base with its own channels and capacity.
const core = makeCoreRing({ channels: 32, capacity: 1024 });

function check(condition, message) {
  if (!condition) throw new Error(message());
}

const sizeArb = (cap) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(0) },
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 16 }) },
    { weight: 4, arbitrary: fc.integer({ min: 1, max: cap }) },
    { weight: 2, arbitrary: fc.integer({ min: cap - 3, max: 2 * cap + 3 }) },
  );

const commandArb = (cap) =>
  fc.record({
    op: fc.constantFrom('writeI', 'writeP', 'readI', 'readP'),
    frames: sizeArb(cap),
    specials: fc.boolean(),
  });

const scenarioArb = (cap) =>
  fc.record({
    start: fc.oneof(
      fc.constant(0),
      fc.constant(0xffffff80),
      fc.integer({ min: 0xffffffff - 2 * cap, max: 0xffffffff }),
      fc.integer({ min: 0, max: 0xffffffff }),
    ),
    scale: fc.constantFrom(1, -1, 0.5, -0.25, 1024),
    commands: fc.array(commandArb(cap), { minLength: 1, maxLength: MAX_COMMANDS }),
  });

/**
 * Runs one scenario against a fresh ring and the model; throws on divergence.
 * Sample values are unique (counter x scale), so loss, duplication and
 * reordering all show; some writes also carry -0, infinities and denormals.
 */
function runScenario(ch, cap, scenario, stats) {
  const { memory, x, base } = core;
  const bytes = x.rlw_ring_heap_size(ch, cap);
  check(x.rlw_ring_init(base, ch, cap, bytes) === RL.OK, () => 'rlw_ring_init failed');
  setIndices(memory.buffer, base, scenario.start);
  const writer = new RingWriter(memory.buffer, base);
  const reader = new RingReader(memory.buffer, base);

  const model = new Float32Array(MAX_COMMANDS * (2 * cap + 3) * ch);
  let head = 0; // samples
  let tail = 0;
  let counter = 0;
  let written = 0; // frames
  const nextValue = (i, specials) => {
    counter++;
    return specials && i % 7 === 3 ? SPECIALS[counter % SPECIALS.length] : Math.fround(counter * scenario.scale);
  };
  const where = (k, c) =>
    `command #${k} ${JSON.stringify(c)} (channels ${ch}, capacity ${cap}, start ${scenario.start})`;

  scenario.commands.forEach((cmd, k) => {
    const fill = (tail - head) / ch;
    const n = cmd.frames;
    if (cmd.op === 'writeI' || cmd.op === 'writeP') {
      const expected = Math.min(n, cap - fill);
      let got;
      if (cmd.op === 'writeI') {
        const data = new Float32Array(n * ch);
        for (let i = 0; i < data.length; i++) data[i] = nextValue(i, cmd.specials);
        got = writer.tryWrite(data);
        model.set(data.subarray(0, expected * ch), tail);
      } else {
        const planes = Array.from({ length: ch }, () => new Float32Array(n));
        for (let f = 0; f < n; f++) for (let c = 0; c < ch; c++) planes[c][f] = nextValue(f * ch + c, cmd.specials);
        got = writer.tryWrite(planes);
        for (let f = 0; f < expected; f++) for (let c = 0; c < ch; c++) model[tail + f * ch + c] = planes[c][f];
      }
      check(got === expected, () => `${where(k, cmd)}: tryWrite returned ${got}, model says ${expected}`);
      tail += expected * ch;
      written += expected;
      if (n > 0 && expected < n) stats.full++;
    } else {
      const expectedFrames = Math.min(n, fill);
      const expectedStatus = n === 0 ? 'ready' : fill === 0 ? 'not-ready' : 'ready';
      let result;
      if (cmd.op === 'readI') {
        const dst = new Float32Array(n * ch).fill(NaN);
        result = reader.tryRead(dst);
        check(
          result.status === expectedStatus && result.frames === expectedFrames,
          () =>
            `${where(k, cmd)}: tryRead returned ${JSON.stringify(result)}, model says ${expectedStatus} ${expectedFrames}`,
        );
        for (let i = 0; i < expectedFrames * ch; i++) {
          check(
            Object.is(dst[i], model[head + i]),
            () => `${where(k, cmd)}: sample ${i} is ${dst[i]}, model says ${model[head + i]}`,
          );
        }
        for (let i = expectedFrames * ch; i < dst.length; i++) {
          check(
            Number.isNaN(dst[i]),
            () => `${where(k, cmd)}: dst[${i}] beyond the frames read was overwritten with ${dst[i]}`,
          );
        }
      } else {
        const planes = Array.from({ length: ch }, () => new Float32Array(n).fill(NaN));
        result = reader.tryRead(planes);
        check(
          result.status === expectedStatus && result.frames === expectedFrames,
          () =>
            `${where(k, cmd)}: tryRead (planar) returned ${JSON.stringify(result)}, model says ${expectedStatus} ${expectedFrames}`,
        );
        for (let c = 0; c < ch; c++) {
          for (let f = 0; f < n; f++) {
            const want = f < expectedFrames ? model[head + f * ch + c] : NaN;
            check(
              Object.is(planes[c][f], want),
              () => `${where(k, cmd)}: channel ${c} frame ${f} is ${planes[c][f]}, model says ${want}`,
            );
          }
        }
      }
      if (expectedStatus === 'not-ready') stats.empty++;
      head += expectedFrames * ch;
    }
    const now = (tail - head) / ch;
    check(
      writer.availableRead === now && reader.availableRead === now,
      () =>
        `${where(k, cmd)}: availableRead writer ${writer.availableRead} reader ${reader.availableRead}, model ${now}`,
    );
    check(
      writer.availableWrite === cap - now && reader.availableWrite === cap - now,
      () =>
        `${where(k, cmd)}: availableWrite writer ${writer.availableWrite} reader ${reader.availableWrite}, model ${cap - now}`,
    );
    check(
      x.rlw_ring_available_read(base) === now,
      () => `${where(k, cmd)}: the core sees ${x.rlw_ring_available_read(base)} frames, model ${now}`,
    );
    const [w, r] = indices(memory.buffer, base);
    check(
      w === (scenario.start + written) >>> 0 && (w - r) >>> 0 === now,
      () => `${where(k, cmd)}: indices write ${w} read ${r}; expected write ${(scenario.start + written) >>> 0}`,
    );
  });
  if (scenario.start + written > 0xffffffff) stats.wrapped++;
}

describe('RingWriter / RingReader against a FIFO model (fast-check)', () => {
  const configs = CHANNELS.flatMap((ch) => CAPACITIES.map((cap) => [ch, cap]));
  test.each(configs.map(([ch, cap], i) => [ch, cap, BASE_SEED + i]))(
    'channels %i, capacity %i (fast-check seed %i)',
    (ch, cap, seed) => {
      const stats = { full: 0, empty: 0, wrapped: 0 };
      try {
        fc.assert(
          fc.property(scenarioArb(cap), (scenario) => runScenario(ch, cap, scenario, stats)),
          { seed, numRuns: NUM_RUNS, includeErrorInReport: true },
        );
      } catch (error) {
        error.message = `[fast-check seed ${seed} (base seed ${BASE_SEED}; rerun with RINGLET_FC_SEED=${BASE_SEED})]\n${error.message}`;
        throw error;
      }
      // The runs really covered full rings, empty rings and index wrap past 2^32.
      expect(stats.full).toBeGreaterThan(0);
      expect(stats.empty).toBeGreaterThan(0);
      expect(stats.wrapped).toBeGreaterThan(0);
    },
  );

  test('a fixed scenario starting at 0xFFFFFF80 wraps the indices past 2^32 and keeps every frame', () => {
    const stats = { full: 0, empty: 0, wrapped: 0 };
    const commands = [];
    for (let i = 0; i < 6; i++) {
      commands.push({ op: 'writeI', frames: 200, specials: i === 2 }, { op: 'readP', frames: 150, specials: false });
      commands.push({ op: 'writeP', frames: 300, specials: false }, { op: 'readI', frames: 400, specials: false });
    }
    runScenario(3, 256, { start: 0xffffff80, scale: -1, commands }, stats);
    expect(stats.wrapped).toBe(1);
    expect(stats.full).toBeGreaterThan(0);
    const [w, r] = indices(core.memory.buffer, core.base);
    expect(w).toBeLessThan(0xffffff80);
    expect(w).toBe(r);
  });
});

/** A 2-channel, 256-frame ring holding `prefill` frames (values 1, 2, 3, ...). */
function smallRing(prefill = 10, channels = 2) {
  const ring = makeCoreRing({ channels, capacity: 256, scratchBytes: 4096 });
  const writer = new RingWriter(ring.memory.buffer, ring.base);
  const reader = new RingReader(ring.memory.buffer, ring.base);
  const data = Float32Array.from({ length: prefill * channels }, (_, i) => i + 1);
  expect(writer.tryWrite(data)).toBe(prefill);
  return { ...ring, writer, reader, data };
}

describe('close', () => {
  test('tryWrite after close throws RingletError CLOSED and changes nothing; tryRead drains, then reports closed', () => {
    const { memory, base, bytes, writer, reader } = smallRing(0);
    const all = Float32Array.from({ length: 300 * 2 }, (_, i) => i * 0.5);
    expect(writer.tryWrite(all)).toBe(256);
    writer.close();
    expect(writer.closed).toBe(true);
    expect(reader.closed).toBe(true);
    const before = snapshot(memory.buffer, base, bytes);
    for (const attempt of [all.subarray(512), new Float32Array(0), [new Float32Array(1), new Float32Array(1)]]) {
      let error;
      try {
        writer.tryWrite(attempt);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RingletError);
      expect(error.code).toBe('CLOSED');
      expect(snapshot(memory.buffer, base, bytes)).toEqual(before);
    }
    expect(writer.availableRead).toBe(256);

    const got = [];
    for (const size of [100, 100, 100]) {
      const dst = new Float32Array(size * 2);
      const r = reader.tryRead(dst);
      expect(r.status).toBe('ready');
      got.push(...dst.subarray(0, r.frames * 2));
    }
    expect(got).toEqual([...all.subarray(0, 512)]);
    expect(reader.tryRead(new Float32Array(2))).toEqual({ status: 'closed', frames: 0 });
    expect(reader.tryRead([new Float32Array(8), new Float32Array(8)])).toEqual({ status: 'closed', frames: 0 });
    expect(reader.availableRead).toBe(0);
  });

  // Each end on a ring of its own, so one end's close cannot stand in for the other's.
  test.each([
    ['the reader', (ring) => ring.reader],
    ['the writer', (ring) => ring.writer],
  ])('close by %s alone is idempotent, both ends and the core see it, and what was written still drains', (_, end) => {
    const ring = smallRing(4);
    const { x, memory, base, bytes, scratch, writer, reader } = ring;
    expect([writer.closed, reader.closed]).toEqual([false, false]);
    end(ring).close();
    const once = snapshot(memory.buffer, base, bytes);
    end(ring).close();
    expect(snapshot(memory.buffer, base, bytes)).toEqual(once); // the second close changes nothing
    expect([writer.closed, reader.closed]).toEqual([true, true]);
    expect(() => writer.tryWrite(new Float32Array(2))).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    // The 4 frames written before the close: 2 to the core, 2 to the JS reader, then closed for both.
    expect(x.rlw_ring_read(base, scratch, 2)).toBe(2);
    const dst = new Float32Array(8);
    expect(reader.tryRead(dst)).toEqual({ status: 'ready', frames: 2 });
    expect([...dst.subarray(0, 4)]).toEqual([5, 6, 7, 8]);
    expect(reader.tryRead(dst)).toEqual({ status: 'closed', frames: 0 });
    expect(x.rlw_ring_read(base, scratch, 2)).toBe(RL.CLOSED);
  });

  test('a close by the core (rlw_ring_close) makes tryWrite throw CLOSED and write() resolve closed', async () => {
    const { x, base, writer } = smallRing(0);
    x.rlw_ring_close(base);
    expect(() => writer.tryWrite(new Float32Array(2))).toThrow(RingletError);
    await expect(writer.write(new Float32Array(2))).resolves.toEqual({ status: 'closed', frames: 0 });
    expect(writer.availableRead).toBe(0);
  });
});

describe('bad input', () => {
  const f32 = (n) => new Float32Array(n);
  // [label, value, expected error class]; the ring has 2 channels.
  const cases = [
    ['a number', 42, TypeError],
    ['undefined', undefined, TypeError],
    ['null', null, TypeError],
    ['a string', 'abcd', TypeError],
    ['a Float64Array', new Float64Array(4), TypeError],
    ['an Int16Array', new Int16Array(4), TypeError],
    ['a plain array of numbers with one entry per channel', [0.5, 0.25], TypeError],
    ['a plain array of interleaved numbers', [0.5, 0.25, 1, 2], TypeError],
    ['an interleaved Float32Array whose length is not a multiple of channels', f32(3), RangeError],
    ['planar with too few channels', [f32(4)], RangeError],
    ['planar with too many channels', [f32(4), f32(4), f32(4)], RangeError],
    ['planar with no channels', [], RangeError],
    ['planar with unequal lengths', [f32(4), f32(5)], RangeError],
    ['planar with a Float64Array channel', [f32(4), new Float64Array(4)], TypeError],
    ['planar with a null channel', [f32(4), null], TypeError],
  ];

  const writerCalls = [
    ['tryWrite', (w, d) => w.tryWrite(d)],
    ['writeSync', (w, d) => w.writeSync(d, { timeoutMs: 10 })],
    ['write', (w, d) => w.write(d, { timeoutMs: 10 })],
  ];
  const readerCalls = [
    ['tryRead', (r, d) => r.tryRead(d)],
    ['readSync', (r, d) => r.readSync(d, { timeoutMs: 10 })],
    ['read', (r, d) => r.read(d, { timeoutMs: 10 })],
  ];

  /** Calls fn, returning the error it throws or rejects with (async calls must reject, not throw). */
  async function errorOf(name, fn) {
    let result;
    try {
      result = fn();
    } catch (e) {
      if (name === 'write' || name === 'read') {
        throw new Error(`${name}() threw synchronously instead of returning a rejected promise: ${e}`, { cause: e });
      }
      return e;
    }
    if (result && typeof result.then === 'function') {
      try {
        await result;
      } catch (e) {
        return e;
      }
    }
    return undefined;
  }

  for (const [side, calls, param] of [
    ['RingWriter', writerCalls, 'data'],
    ['RingReader', readerCalls, 'dst'],
  ]) {
    describe(side, () => {
      test.each(calls.flatMap(([name, call]) => cases.map(([label, value, type]) => [name, label, value, type, call])))(
        `%s(%s) -> error naming "${param}", ring unchanged`,
        async (name, label, value, type, call) => {
          const { memory, base, bytes, writer, reader } = smallRing(10);
          const before = snapshot(memory.buffer, base, bytes);
          const error = await errorOf(name, () => call(side === 'RingWriter' ? writer : reader, value));
          expect(error).toBeInstanceOf(type);
          expect(error.message).toMatch(new RegExp(`\\b${param}\\b`));
          expect(error.message).toContain(side);
          expect(writer.availableRead).toBe(10);
          expect(reader.availableWrite).toBe(246);
          expect(snapshot(memory.buffer, base, bytes)).toEqual(before);
        },
      );
    });
  }

  test('a plain array of numbers is a TypeError whatever its length (not a RangeError about the channel count)', () => {
    // Regression: lib/shared/ring-ends.js framesOf() used to check an Array's length against
    // the channel count before its entries' type, so [0.5, 0.25, 1, 2] on a
    // 2-channel ring was a RangeError "data (planar) must have exactly 2 channels".
    const { writer, reader } = smallRing(10);
    expect(() => writer.tryWrite([0.5, 0.25, 1, 2])).toThrow(TypeError);
    expect(() => reader.tryRead([0, 0, 0, 0])).toThrow(TypeError);
  });

  test('a 3-channel ring rejects interleaved data of 4 samples and accepts 6', () => {
    const { writer } = smallRing(0, 3);
    expect(() => writer.tryWrite(new Float32Array(4))).toThrow(RangeError);
    expect(writer.tryWrite(new Float32Array(6))).toBe(2);
  });
});

describe('constructor', () => {
  const ring = makeCoreRing({ channels: 2, capacity: 256, scratchBytes: 8192 });
  const { memory, base, bytes, scratch } = ring;
  const buffer = memory.buffer;

  for (const Cls of [RingWriter, RingReader]) {
    describe(Cls.name, () => {
      test.each([
        ['not a multiple of 64', base + 4],
        ['not a multiple of 64 (32)', base + 32],
        ['negative', -64],
        ['at the end of the buffer', buffer.byteLength],
        ['beyond the buffer', buffer.byteLength + 64],
        ['so close to the end that the header does not fit', buffer.byteLength - 192],
        ['fractional', base + 0.5],
        ['NaN', NaN],
        ['a numeric string', String(base)],
        ['undefined', undefined],
      ])('byteOffset %s -> RangeError naming byteOffset', (_label, offset) => {
        expect(() => new Cls(buffer, offset)).toThrow(RangeError);
        expect(() => new Cls(buffer, offset)).toThrow(/byteOffset/);
      });

      test('a zeroed region -> RingletError INVALID_RING', () => {
        expect(new Uint8Array(buffer, scratch, 256).every((b) => b === 0)).toBe(true);
        let error;
        try {
          new Cls(buffer, scratch);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(RingletError);
        expect(error.code).toBe('INVALID_RING');
      });

      test.each([
        ['null', null],
        ['undefined', undefined],
        ['a plain object', {}],
        ['a Float32Array view', new Float32Array(1024)],
        ['the WebAssembly.Memory itself', memory],
        ['a number', 4096],
      ])('buffer %s -> TypeError naming buffer', (_label, value) => {
        expect(() => new Cls(value, 0)).toThrow(TypeError);
        expect(() => new Cls(value, 0)).toThrow(/buffer/);
      });

      test.each([null, 42, 'handle', undefined])('fromHandle(%p) -> TypeError naming handle', (value) => {
        expect(() => Cls.fromHandle(value)).toThrow(TypeError);
        expect(() => Cls.fromHandle(value)).toThrow(/handle/);
      });

      test('fromHandle with a bad byteOffset -> RangeError', () => {
        expect(() => Cls.fromHandle({ buffer, byteOffset: base + 8 })).toThrow(RangeError);
      });

      // Header corruption is tried on a copy in a plain ArrayBuffer (also accepted).
      const copy = () => {
        const ab = new ArrayBuffer(bytes + 64);
        new Uint8Array(ab, 64).set(new Uint8Array(buffer, base, bytes));
        return ab;
      };
      test('a copy of a valid ring in a plain ArrayBuffer is accepted', () => {
        const end = new Cls(copy(), 64);
        expect(end.channels).toBe(2);
        expect(end.capacityFrames).toBe(256);
      });
      test.each([
        ['magic', LAYOUT.RING_OFFSET_MAGIC, 0x12345678],
        ['layout version', LAYOUT.RING_OFFSET_LAYOUT_VERSION, LAYOUT.RING_LAYOUT_VERSION + 1],
        ['channels 0', LAYOUT.RING_OFFSET_CHANNELS, 0],
        ['channels 33', LAYOUT.RING_OFFSET_CHANNELS, 33],
        ['capacity 1000', LAYOUT.RING_OFFSET_CAPACITY, 1000],
        ['capacity 128', LAYOUT.RING_OFFSET_CAPACITY, 128],
        ['capacity 512 (storage beyond the buffer)', LAYOUT.RING_OFFSET_CAPACITY, 512],
        ['data offset', LAYOUT.RING_OFFSET_DATA, 0],
      ])('a header with a bad %s -> RingletError INVALID_RING', (_label, offset, value) => {
        const ab = copy();
        new Uint32Array(ab, 64)[offset >> 2] = value;
        expect(() => new Cls(ab, 64)).toThrow(RingletError);
        expect(() => new Cls(ab, 64)).toThrow(expect.objectContaining({ code: 'INVALID_RING' }));
      });
      test('a valid header whose storage does not fit in the buffer -> RingletError INVALID_RING', () => {
        const ab = new ArrayBuffer(LAYOUT.RING_HEADER_BYTES);
        new Uint8Array(ab).set(new Uint8Array(buffer, base, LAYOUT.RING_HEADER_BYTES));
        expect(() => new Cls(ab, 0)).toThrow(expect.objectContaining({ name: 'RingletError', code: 'INVALID_RING' }));
      });
    });
  }
});

describe('timeout validation', () => {
  const bad = [
    ['NaN', NaN, RangeError],
    ['-1', -1, RangeError],
    ['Infinity', Infinity, RangeError],
    ['-Infinity', -Infinity, RangeError],
    ['2^31 (beyond setTimeout)', 2 ** 31, RangeError],
    ["the string '5'", '5', TypeError],
    ['null', null, TypeError],
  ];

  test.each(bad)(
    'write(data, { timeoutMs: %s }) rejects (does not throw) with an error naming timeoutMs, writing nothing',
    async (_label, value, type) => {
      const { writer, reader } = smallRing(10);
      let promise;
      expect(() => {
        promise = writer.write(new Float32Array(4), { timeoutMs: value });
      }).not.toThrow();
      expect(promise).toBeInstanceOf(Promise);
      await expect(promise).rejects.toThrow(type);
      await expect(writer.write(new Float32Array(4), { timeoutMs: value })).rejects.toThrow(/timeoutMs/);
      expect(reader.availableRead).toBe(10);
    },
  );

  test.each(bad)(
    'writeSync(data, %s) throws synchronously, naming timeoutMs, writing nothing',
    (_label, value, type) => {
      const { writer } = smallRing(10);
      expect(() => writer.writeSync(new Float32Array(4), { timeoutMs: value })).toThrow(type);
      expect(() => writer.writeSync(new Float32Array(4), { timeoutMs: value })).toThrow(/timeoutMs/);
      expect(writer.availableRead).toBe(10);
    },
  );

  test.each(bad)('read(dst, %s) rejects, naming timeoutMs, reading nothing', async (_label, value, type) => {
    const { reader } = smallRing(10);
    let promise;
    expect(() => {
      promise = reader.read(new Float32Array(4), { timeoutMs: value });
    }).not.toThrow();
    await expect(promise).rejects.toThrow(type);
    await expect(reader.read(new Float32Array(4), { timeoutMs: value })).rejects.toThrow(/timeoutMs/);
    expect(reader.availableRead).toBe(10);
  });

  test.each(bad)('readSync(dst, %s) throws, naming timeoutMs, reading nothing', (_label, value, type) => {
    const { reader } = smallRing(10);
    expect(() => reader.readSync(new Float32Array(4), { timeoutMs: value })).toThrow(type);
    expect(() => reader.readSync(new Float32Array(4), { timeoutMs: value })).toThrow(/timeoutMs/);
    expect(reader.availableRead).toBe(10);
  });

  test('a number where the options belong is a TypeError naming { timeoutMs }, and moves nothing', async () => {
    const { writer, reader } = smallRing(10);
    expect(() => writer.writeSync(new Float32Array(4), /** @type {any} */ (50))).toThrow(
      /options must be an object like \{ timeoutMs \}/,
    );
    expect(() => reader.readSync(new Float32Array(4), /** @type {any} */ (50))).toThrow(TypeError);
    await expect(writer.write(new Float32Array(4), /** @type {any} */ (50))).rejects.toThrow(TypeError);
    await expect(reader.read(new Float32Array(4), /** @type {any} */ (50))).rejects.toThrow(
      /RingReader\.read: options/,
    );
    expect(reader.availableRead).toBe(10);
  });

  test('writeSync and readSync require a timeout; write() and read() default it; 0 is a valid timeout', async () => {
    const { writer, reader } = smallRing(0);
    expect(() => writer.writeSync(new Float32Array(2))).toThrow(TypeError);
    expect(() => reader.readSync(new Float32Array(2))).toThrow(/timeoutMs/);
    await expect(writer.write(new Float32Array(4))).resolves.toEqual({ status: 'ready', frames: 2 });
    await expect(writer.write(new Float32Array(4), {})).resolves.toEqual({ status: 'ready', frames: 2 });
    expect(writer.writeSync(new Float32Array(4), { timeoutMs: 0 })).toEqual({ status: 'ready', frames: 2 });
    await expect(reader.read(new Float32Array(12), { timeoutMs: 0 })).resolves.toEqual({ status: 'ready', frames: 6 });
  });
});
