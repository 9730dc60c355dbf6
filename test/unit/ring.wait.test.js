// Waiting: RingWriter.write / RingReader.read (async, never block),
// and writeSync / readSync (Atomics.wait) on Node's main thread and in a
// worker_threads Worker. The other end of the ring is the wasm core on this
// thread (rlw_ring_read / rlw_ring_write / rlw_ring_close), driven from timers,
// so the core's memory.atomic.notify must wake the JavaScript waiter.
//
// Only status and frame counts are asserted, never elapsed time. A wait that
// should be woken is given a long timeout (WAIT_MS) and raced against a
// shorter guard (GUARD_MS), so a missed wake fails with a clear message
// instead of passing late as a timeout.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Worker } from 'node:worker_threads';
import { RingletError } from '../../lib/shared/errors.js';
import { RingReader, RingWriter } from '../../lib/shared/ring-ends.js';
import { RL, makeCoreRing, nextMessage } from './helpers.js';

const WAIT_MS = 30000;
const GUARD_MS = 15000;
const CAP = 256;
const CH = 2;

/** Resolves like `promise`, or rejects with `what` if it has not settled in GUARD_MS. */
function guard(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `${what}: not woken within ${GUARD_MS} ms (the wait's own timeout is ${WAIT_MS} ms), so a wake-up was missed`,
          ),
        ),
      GUARD_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Frames with distinct values: frame f of the stream starting at `from` holds (from+f)*CH + c + 1. */
function frames(from, count) {
  return Float32Array.from({ length: count * CH }, (_, i) => from * CH + i + 1);
}

function ring() {
  const r = makeCoreRing({ channels: CH, capacity: CAP, scratchBytes: 4 * CH * CAP * 4 });
  const writer = new RingWriter(r.memory.buffer, r.base);
  const reader = new RingReader(r.memory.buffer, r.base);
  const scratch = new Float32Array(r.memory.buffer, r.scratch, CH * CAP * 4);
  /** Reads up to n frames with the core; returns them (copied) or the negative rl_result. */
  const coreRead = (n) => {
    const got = r.x.rlw_ring_read(r.base, r.scratch, n);
    return got < 0 ? got : scratch.slice(0, got * CH);
  };
  /** Writes `data` with the core; returns frames moved or the negative rl_result. */
  const coreWrite = (data) => {
    scratch.set(data);
    return r.x.rlw_ring_write(r.base, r.scratch, data.length / CH);
  };
  const coreClose = () => r.x.rlw_ring_close(r.base);
  return { ...r, writer, reader, coreRead, coreWrite, coreClose };
}

/** Drains everything with the core and returns the samples as a plain array. */
function drain(t) {
  const out = [];
  for (;;) {
    const got = t.coreRead(CAP);
    if (typeof got === 'number' || got.length === 0) return out;
    out.push(...got);
  }
}

describe('RingWriter.write()', () => {
  test('on a full ring resolves timeout with 0 frames', async () => {
    const t = ring();
    expect(t.writer.tryWrite(frames(0, CAP))).toBe(CAP);
    await expect(t.writer.write(frames(CAP, 10), { timeoutMs: 30 })).resolves.toEqual({ status: 'timeout', frames: 0 });
    expect(t.writer.availableRead).toBe(CAP);
  });

  test('with room for 30 frames resolves timeout with the 30 frames it wrote', async () => {
    const t = ring();
    expect(t.writer.tryWrite(frames(0, CAP - 30))).toBe(CAP - 30);
    await expect(t.writer.write(frames(CAP - 30, 100), { timeoutMs: 30 })).resolves.toEqual({
      status: 'timeout',
      frames: 30,
    });
    expect(drain(t)).toEqual([...frames(0, CAP)]);
  });

  test('resolves ready once the wasm consumer (rlw_ring_read on a timer) frees enough space', async () => {
    const t = ring();
    expect(t.writer.tryWrite(frames(0, CAP))).toBe(CAP);
    const consumed = [];
    const timer = setInterval(() => {
      const got = t.coreRead(64);
      if (typeof got !== 'number') consumed.push(...got);
    }, 5);
    let result;
    try {
      result = await guard(
        t.writer.write(frames(CAP, 300), { timeoutMs: WAIT_MS }),
        'write() waiting for rlw_ring_read',
      );
    } finally {
      clearInterval(timer);
    }
    expect(result).toEqual({ status: 'ready', frames: 300 });
    expect([...consumed, ...drain(t)]).toEqual([...frames(0, CAP + 300)]);
  });

  test('a single rlw_ring_read from a timeout wakes it (one wake, no polling consumer)', async () => {
    const t = ring();
    expect(t.writer.tryWrite(frames(0, CAP))).toBe(CAP);
    setTimeout(() => t.coreRead(CAP), 20);
    const result = await guard(
      t.writer.write(frames(CAP, 40), { timeoutMs: WAIT_MS }),
      'write() waiting for one rlw_ring_read',
    );
    expect(result).toEqual({ status: 'ready', frames: 40 });
    expect(drain(t)).toEqual([...frames(CAP, 40)]);
  });

  test('resolves ready once a JavaScript RingReader on a timer frees space (planar data)', async () => {
    const t = ring();
    expect(t.writer.tryWrite(frames(0, CAP))).toBe(CAP);
    const planes = [
      Float32Array.from({ length: 100 }, (_, f) => -f),
      Float32Array.from({ length: 100 }, (_, f) => f + 0.5),
    ];
    setTimeout(() => t.reader.tryRead(new Float32Array(CH * 60)), 10);
    setTimeout(() => t.reader.tryRead(new Float32Array(CH * 60)), 30);
    const result = await guard(t.writer.write(planes, { timeoutMs: WAIT_MS }), 'write() waiting for RingReader');
    expect(result).toEqual({ status: 'ready', frames: 100 });
    const rest = drain(t);
    expect(rest.slice(0, (CAP - 120) * CH)).toEqual([...frames(120, CAP - 120)]);
    const tail = rest.slice((CAP - 120) * CH);
    expect(tail.filter((_, i) => i % 2 === 0)).toEqual([...planes[0]]);
    expect(tail.filter((_, i) => i % 2 === 1)).toEqual([...planes[1]]);
  });

  test.each([
    ['the core (rlw_ring_close)', (t) => t.coreClose()],
    ['RingReader.close()', (t) => t.reader.close()],
  ])('resolves closed, with the frames written before, when %s closes the ring mid-wait', async (_label, close) => {
    const t = ring();
    expect(t.writer.tryWrite(frames(0, CAP - 5))).toBe(CAP - 5);
    setTimeout(() => close(t), 20);
    const result = await guard(
      t.writer.write(frames(CAP - 5, 10), { timeoutMs: WAIT_MS }),
      'write() waiting for close',
    );
    expect(result).toEqual({ status: 'closed', frames: 5 });
    expect(t.writer.availableRead).toBe(CAP);
  });

  test('a second concurrent write() rejects with RingletError BUSY and writes nothing; the writer is usable after', async () => {
    const t = ring();
    expect(t.writer.tryWrite(frames(0, CAP))).toBe(CAP);
    const first = t.writer.write(frames(CAP, 10), { timeoutMs: WAIT_MS });
    const second = t.writer.write(new Float32Array(20).fill(-1), { timeoutMs: 10 });
    await expect(second).rejects.toThrow(RingletError);
    await expect(t.writer.write(new Float32Array(2).fill(-1), { timeoutMs: 10 })).rejects.toMatchObject({
      code: 'BUSY',
    });
    expect(() => t.writer.writeSync(new Float32Array(2).fill(-1), { timeoutMs: 0 })).toThrow(
      expect.objectContaining({ code: 'BUSY' }),
    );
    setTimeout(() => t.coreRead(5), 10);
    setTimeout(() => t.coreRead(5), 30);
    await expect(guard(first, 'first write()')).resolves.toEqual({ status: 'ready', frames: 10 });
    expect(drain(t)).toEqual([...frames(10, CAP)]); // no -1 samples went in
    await expect(t.writer.write(frames(0, 3), { timeoutMs: 10 })).resolves.toEqual({ status: 'ready', frames: 3 });
  });
});

describe('RingReader.read()', () => {
  test('on an empty ring resolves timeout with 0 frames and leaves dst untouched', async () => {
    const t = ring();
    const dst = new Float32Array(CH * 8).fill(7);
    await expect(t.reader.read(dst, { timeoutMs: 30 })).resolves.toEqual({ status: 'timeout', frames: 0 });
    expect(dst.every((v) => v === 7)).toBe(true);
  });

  test('resolves ready after the core writes (rlw_ring_write from a timer)', async () => {
    const t = ring();
    const dst = new Float32Array(CH * 100).fill(NaN);
    setTimeout(() => expect(t.coreWrite(frames(0, 40))).toBe(40), 20);
    const result = await guard(t.reader.read(dst, { timeoutMs: WAIT_MS }), 'read() waiting for rlw_ring_write');
    expect(result).toEqual({ status: 'ready', frames: 40 });
    expect(dst.subarray(0, 40 * CH)).toEqual(frames(0, 40));
    expect(dst.subarray(40 * CH).every(Number.isNaN)).toBe(true);
  });

  test('resolves ready after a RingWriter on a timer writes (planar dst)', async () => {
    const t = ring();
    const planes = [new Float32Array(16), new Float32Array(16)];
    setTimeout(() => t.writer.tryWrite(frames(0, 3)), 20);
    const result = await guard(t.reader.read(planes, { timeoutMs: WAIT_MS }), 'read() waiting for RingWriter');
    expect(result).toEqual({ status: 'ready', frames: 3 });
    expect([...planes[0].subarray(0, 3)]).toEqual([1, 3, 5]);
    expect([...planes[1].subarray(0, 3)]).toEqual([2, 4, 6]);
  });

  test.each([
    ['the core (rlw_ring_close)', (t) => t.coreClose()],
    ['RingWriter.close()', (t) => t.writer.close()],
  ])(
    'resolves closed when %s closes the ring mid-wait; data written before the close is read first',
    async (_label, close) => {
      const t = ring();
      setTimeout(() => close(t), 20);
      const dst = new Float32Array(CH * 10);
      await expect(guard(t.reader.read(dst, { timeoutMs: WAIT_MS }), 'read() waiting for close')).resolves.toEqual({
        status: 'closed',
        frames: 0,
      });

      const u = ring();
      expect(u.coreWrite(frames(0, 4))).toBe(4);
      close(u);
      await expect(u.reader.read(dst, { timeoutMs: WAIT_MS })).resolves.toEqual({ status: 'ready', frames: 4 });
      await expect(u.reader.read(dst, { timeoutMs: WAIT_MS })).resolves.toEqual({ status: 'closed', frames: 0 });
    },
  );

  test('a second concurrent read() rejects with RingletError BUSY and reads nothing', async () => {
    const t = ring();
    const dst = new Float32Array(CH * 10);
    const first = t.reader.read(dst, { timeoutMs: WAIT_MS });
    await expect(t.reader.read(new Float32Array(CH), { timeoutMs: 10 })).rejects.toMatchObject({
      name: 'RingletError',
      code: 'BUSY',
    });
    expect(() => t.reader.readSync(new Float32Array(CH), { timeoutMs: 0 })).toThrow(
      expect.objectContaining({ code: 'BUSY' }),
    );
    setTimeout(() => t.coreWrite(frames(0, 6)), 10);
    await expect(guard(first, 'first read()')).resolves.toEqual({ status: 'ready', frames: 6 });
    expect(dst.subarray(0, 12)).toEqual(frames(0, 6));
    await expect(t.reader.read(dst, { timeoutMs: 0 })).resolves.toEqual({ status: 'timeout', frames: 0 });
  });
});

describe('writeSync / readSync on the main thread (Node allows Atomics.wait here)', () => {
  test('writeSync on a ring with room for 30 frames returns timeout with 30 frames', () => {
    const t = ring();
    expect(t.writer.tryWrite(frames(0, CAP - 30))).toBe(CAP - 30);
    expect(t.writer.writeSync(frames(CAP - 30, 100), { timeoutMs: 30 })).toEqual({ status: 'timeout', frames: 30 });
    expect(t.writer.writeSync(frames(0, 1), { timeoutMs: 0 })).toEqual({ status: 'timeout', frames: 0 });
    expect(drain(t)).toEqual([...frames(0, CAP)]);
  });

  test('writeSync with room returns ready; on a closed ring returns closed with 0 frames', () => {
    const t = ring();
    expect(t.writer.writeSync(frames(0, 100), { timeoutMs: 30 })).toEqual({ status: 'ready', frames: 100 });
    t.coreClose();
    expect(t.writer.writeSync(frames(0, 1), { timeoutMs: 30 })).toEqual({ status: 'closed', frames: 0 });
    expect(t.writer.availableRead).toBe(100);
  });

  test('readSync on an empty ring returns timeout; with data ready; closed once closed and drained', () => {
    const t = ring();
    const dst = new Float32Array(CH * 8).fill(5);
    expect(t.reader.readSync(dst, { timeoutMs: 30 })).toEqual({ status: 'timeout', frames: 0 });
    expect(dst.every((v) => v === 5)).toBe(true);
    expect(t.coreWrite(frames(0, 3))).toBe(3);
    expect(t.reader.readSync(dst, { timeoutMs: 30 })).toEqual({ status: 'ready', frames: 3 });
    expect(dst.subarray(0, 6)).toEqual(frames(0, 3));
    t.coreClose();
    expect(t.reader.readSync(dst, { timeoutMs: 30 })).toEqual({ status: 'closed', frames: 0 });
  });
});

describe('writeSync / readSync in a worker_threads Worker', () => {
  let t;
  let worker;
  let started;
  // Created in beforeAll (not at collection time) so a filtered run (-t) that
  // skips this block never starts a Worker that would keep Jest alive.
  beforeAll(() => {
    t = ring();
    worker = new Worker(new URL('./fixtures/sync.worker.js', import.meta.url), {
      workerData: { handle: t.writer.handle },
    });
    started = nextMessage(worker, 'the worker to start');
    started.catch(() => {}); // reported by the first test
  });
  afterAll(() => worker?.terminate());

  /** Sends one step; calls onBlocking when the worker is about to block; resolves with its result. */
  function step(message, onBlocking) {
    const done = new Promise((resolve, reject) => {
      const off = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      const onMessage = (m) => {
        if (m.op === 'blocking') {
          onBlocking?.();
        } else if (m.op === 'result') {
          off();
          resolve(m.result);
        } else if (m.op === 'error') {
          off();
          reject(Object.assign(new Error(`worker: ${m.name} ${m.code ?? ''} ${m.message}`), { code: m.code }));
        }
      };
      const onError = (e) => {
        off();
        reject(e);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
    });
    worker.postMessage(message);
    return guard(done, `worker step ${message.op}`);
  }

  test('the worker attaches to the ring through its handle', async () => {
    await expect(guard(started, 'worker start')).resolves.toEqual({ op: 'started', channels: CH, capacityFrames: CAP });
  });

  test('readSync on an empty ring returns timeout', async () => {
    const r = await step({ op: 'readSync', frames: 8, timeoutMs: 30 });
    expect(r).toMatchObject({ status: 'timeout', frames: 0, untouched: true });
  });

  test('readSync blocked in Atomics.wait is woken by the core writing (rlw_ring_write)', async () => {
    const r = await step({ op: 'readSync', frames: 100, timeoutMs: WAIT_MS }, () =>
      setTimeout(() => t.coreWrite(frames(0, 40)), 20),
    );
    expect(r).toEqual({ status: 'ready', frames: 40, data: [...frames(0, 40)], untouched: true });
  });

  test('readSync into planar buffers reads what is there', async () => {
    expect(t.coreWrite(frames(0, 5))).toBe(5);
    const r = await step({ op: 'readSyncPlanar', frames: 16, timeoutMs: 30 });
    expect(r).toEqual({ status: 'ready', frames: 5, data: [...frames(0, 5)] });
  });

  test('writeSync on a full ring returns timeout with 0 frames; with room for 30, timeout with 30', async () => {
    expect(t.coreWrite(frames(0, CAP))).toBe(CAP);
    await expect(step({ op: 'writeSync', data: [...frames(CAP, 10)], timeoutMs: 30 })).resolves.toEqual({
      status: 'timeout',
      frames: 0,
    });
    expect(t.coreRead(30)).toEqual(frames(0, 30));
    await expect(step({ op: 'writeSync', data: [...frames(CAP, 100)], timeoutMs: 30 })).resolves.toEqual({
      status: 'timeout',
      frames: 30,
    });
    expect(drain(t)).toEqual([...frames(30, CAP)]);
  });

  test('writeSync blocked in Atomics.wait is woken by the core reading (rlw_ring_read) and writes everything', async () => {
    expect(t.coreWrite(frames(0, CAP))).toBe(CAP);
    const consumed = [];
    let timer;
    try {
      const r = await step({ op: 'writeSync', data: [...frames(CAP, 300)], timeoutMs: WAIT_MS }, () => {
        timer = setInterval(() => {
          const got = t.coreRead(64);
          if (typeof got !== 'number') consumed.push(...got);
        }, 5);
      });
      expect(r).toEqual({ status: 'ready', frames: 300 });
    } finally {
      clearInterval(timer);
    }
    expect([...consumed, ...drain(t)]).toEqual([...frames(0, CAP + 300)]);
  });

  test('readSync blocked in Atomics.wait returns closed when the core closes the ring; writeSync then returns closed', async () => {
    const r = await step({ op: 'readSync', frames: 10, timeoutMs: WAIT_MS }, () => setTimeout(() => t.coreClose(), 20));
    expect(r).toEqual({ status: 'closed', frames: 0, data: [], untouched: true });
    await expect(step({ op: 'writeSync', data: [1, 2], timeoutMs: WAIT_MS })).resolves.toEqual({
      status: 'closed',
      frames: 0,
    });
    expect(t.x.rlw_ring_read(t.base, t.scratch, 10)).toBe(RL.CLOSED);
  });
});

describe('without Atomics.waitAsync (the timer fallback some browsers need)', () => {
  const saved = Object.getOwnPropertyDescriptor(Atomics, 'waitAsync');
  beforeAll(() => {
    delete Atomics.waitAsync;
  });
  afterAll(() => {
    if (saved) Object.defineProperty(Atomics, 'waitAsync', saved);
  });

  test('Atomics.waitAsync is really gone for lib/ (same realm)', () => {
    expect(typeof Atomics.waitAsync).toBe('undefined');
  });

  test('write() resolves timeout with partial frames, then ready as the core consumes', async () => {
    const t = ring();
    expect(t.writer.tryWrite(frames(0, CAP - 30))).toBe(CAP - 30);
    await expect(t.writer.write(frames(CAP - 30, 100), { timeoutMs: 30 })).resolves.toEqual({
      status: 'timeout',
      frames: 30,
    });
    const consumed = [];
    const timer = setInterval(() => {
      const got = t.coreRead(64);
      if (typeof got !== 'number') consumed.push(...got);
    }, 5);
    let result;
    try {
      result = await guard(t.writer.write(frames(CAP, 300), { timeoutMs: WAIT_MS }), 'write() polling with timers');
    } finally {
      clearInterval(timer);
    }
    expect(result).toEqual({ status: 'ready', frames: 300 });
    expect([...consumed, ...drain(t)]).toEqual([...frames(0, CAP + 300)]);
  });

  test('read() resolves timeout, ready after a core write, closed after a close', async () => {
    const t = ring();
    const dst = new Float32Array(CH * 50);
    await expect(t.reader.read(dst, { timeoutMs: 30 })).resolves.toEqual({ status: 'timeout', frames: 0 });
    setTimeout(() => t.coreWrite(frames(0, 7)), 20);
    await expect(guard(t.reader.read(dst, { timeoutMs: WAIT_MS }), 'read() polling')).resolves.toEqual({
      status: 'ready',
      frames: 7,
    });
    expect(dst.subarray(0, 14)).toEqual(frames(0, 7));
    setTimeout(() => t.coreClose(), 20);
    await expect(guard(t.reader.read(dst, { timeoutMs: WAIT_MS }), 'read() polling for close')).resolves.toEqual({
      status: 'closed',
      frames: 0,
    });
  });
});

describe('a ring in a plain (non-shared) ArrayBuffer', () => {
  function arrayBufferRing() {
    const t = ring();
    const ab = new ArrayBuffer(t.bytes);
    new Uint8Array(ab).set(new Uint8Array(t.memory.buffer, t.base, t.bytes));
    return { ab, writer: new RingWriter(ab, 0), reader: new RingReader(ab, 0) };
  }

  test('writeSync and readSync refuse with RingletError WAIT_NOT_ALLOWED, moving nothing', () => {
    const { writer, reader } = arrayBufferRing();
    expect(writer.tryWrite(frames(0, 3))).toBe(3);
    expect(() => writer.writeSync(frames(3, 2), { timeoutMs: 10 })).toThrow(
      expect.objectContaining({ name: 'RingletError', code: 'WAIT_NOT_ALLOWED' }),
    );
    expect(() => reader.readSync(new Float32Array(CH * 2), { timeoutMs: 10 })).toThrow(
      expect.objectContaining({ code: 'WAIT_NOT_ALLOWED' }),
    );
    expect(reader.availableRead).toBe(3);
    const dst = new Float32Array(CH * 8);
    expect(reader.tryRead(dst)).toEqual({ status: 'ready', frames: 3 });
    expect(dst.subarray(0, 6)).toEqual(frames(0, 3));
  });

  test('write() and read() work with timers; close() wakes nobody but is seen', async () => {
    const { writer, reader } = arrayBufferRing();
    expect(writer.tryWrite(frames(0, CAP))).toBe(CAP);
    await expect(writer.write(frames(CAP, 5), { timeoutMs: 20 })).resolves.toEqual({ status: 'timeout', frames: 0 });
    setTimeout(() => reader.tryRead(new Float32Array(CH * 10)), 15);
    await expect(
      guard(writer.write(frames(CAP, 5), { timeoutMs: WAIT_MS }), 'write() on an ArrayBuffer ring'),
    ).resolves.toEqual({ status: 'ready', frames: 5 });
    setTimeout(() => writer.close(), 15);
    const dst = new Float32Array(CH * CAP);
    await expect(reader.read(dst, { timeoutMs: WAIT_MS })).resolves.toEqual({ status: 'ready', frames: CAP - 5 });
    expect(dst.subarray(0, (CAP - 10) * CH)).toEqual(frames(10, CAP - 10));
    expect(dst.subarray((CAP - 10) * CH, (CAP - 5) * CH)).toEqual(frames(CAP, 5));
    await expect(guard(reader.read(dst, { timeoutMs: WAIT_MS }), 'read() on an ArrayBuffer ring')).resolves.toEqual({
      status: 'closed',
      frames: 0,
    });
  });
});
