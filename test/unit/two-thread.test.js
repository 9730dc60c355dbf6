// Two threads, one ring: a worker_threads Worker produces 10^7 frames of a
// numbered sequence with RingWriter (tryWrite and writeSync, interleaved and
// planar, random chunk sizes), while this thread consumes them with the wasm
// core (rlw_ring_read into wasm scratch, random chunk sizes), checking order
// with no loss or duplication, until rlw_ring_read returns RL_CLOSED.
//
// Reproduce a failure: RINGLET_TWO_THREAD_SEED=<seed in the test name> npm run test:unit
import { expect, test } from '@jest/globals';
import { Worker } from 'node:worker_threads';
import { RingReader } from '../../lib/shared/ring-ends.js';
import { RL, makeCoreRing, prng, randInt, seedFrom } from './helpers.js';

const SEED = seedFrom('RINGLET_TWO_THREAD_SEED', 0x2b7e1516);
const TOTAL = Number(process.env.RINGLET_TWO_THREAD_FRAMES ?? 10_000_000);
const CAPACITY = 4096;
const MAX_READ = 6000; // frames; larger than the ring, so some reads take everything
const MAX_WRITE = 6000;
const DEADLINE_MS = 45000;

test(`10^7 frames from a Worker's RingWriter to the wasm consumer, in order, no loss or duplication (seed ${SEED})`, async () => {
  const { memory, x, base, scratch } = makeCoreRing({
    channels: 2,
    capacity: CAPACITY,
    scratchBytes: MAX_READ * 2 * 4,
  });
  const view = new Float32Array(memory.buffer, scratch, MAX_READ * 2);
  const ringView = new RingReader(memory.buffer, base); // only for counters; never reads
  const worker = new Worker(new URL('./fixtures/producer.worker.js', import.meta.url), {
    workerData: { handle: { buffer: memory.buffer, byteOffset: base }, seed: SEED, total: TOTAL, maxChunk: MAX_WRITE },
  });
  let workerError = null;
  let exitCode = null;
  let doneMessage = null;
  let onDone;
  const done = new Promise((resolve) => {
    onDone = resolve;
  });
  worker.on('error', (e) => {
    workerError = e;
    onDone();
  });
  worker.on('exit', (code) => {
    exitCode = code;
    onDone();
  });
  worker.on('message', (m) => {
    if (m.op === 'done') {
      doneMessage = m;
      onDone();
    }
  });

  const started = performance.now();
  const deadline = started + DEADLINE_MS;
  const fail = (message) => {
    throw new Error(`[two-thread seed ${SEED}; rerun with RINGLET_TWO_THREAD_SEED=${SEED}] ${message}`);
  };
  const yieldToEvents = () => new Promise((resolve) => setImmediate(resolve));
  const checkAlive = (seq) => {
    if (workerError) fail(`the producer failed at consumer seq ${seq}: ${workerError.stack ?? workerError}`);
    if (exitCode !== null && !doneMessage)
      fail(`the producer exited (code ${exitCode}) without finishing, at consumer seq ${seq}`);
    if (performance.now() > deadline) {
      fail(
        `deadline of ${DEADLINE_MS} ms passed after ${seq} of ${TOTAL} frames (ring: ${ringView.availableRead} frames waiting, closed ${ringView.closed})`,
      );
    }
  };

  const next = prng(SEED ^ 0x9e3779b9);
  let seq = 0;
  let lo = 0; // seq & 0xFFFF
  let hi = 0; // Math.floor(seq / 65536)
  let reads = 0;
  let emptyReads = 0;
  let fullReads = 0;
  try {
    for (;;) {
      const r = next();
      const want = r < 0.1 ? randInt(next, 1, 8) : r < 0.85 ? randInt(next, 1, 2048) : randInt(next, 2048, MAX_READ);
      const n = x.rlw_ring_read(base, scratch, want);
      if (n === RL.CLOSED) break;
      if (n < 0) fail(`rlw_ring_read returned ${n} at seq ${seq}`);
      reads++;
      if (n === 0) {
        emptyReads++;
        if ((emptyReads & 1023) === 0) {
          await yieldToEvents();
          checkAlive(seq);
        }
        continue;
      }
      if (n === CAPACITY) fullReads++;
      for (let i = 0; i < n; i++) {
        if (view[2 * i] !== lo || view[2 * i + 1] !== hi) {
          const got = view[2 * i] + view[2 * i + 1] * 65536;
          fail(
            `frame ${seq + i} (read #${reads}, frame ${i} of ${n}) holds [${view[2 * i]}, ${view[2 * i + 1]}] = seq ${got}; expected [${lo}, ${hi}]` +
              (got < seq + i ? ' (duplicated or stale)' : ' (frames lost)'),
          );
        }
        if (++lo === 65536) {
          lo = 0;
          hi++;
        }
      }
      seq += n;
      if (seq > TOTAL) fail(`read ${seq} frames, more than the ${TOTAL} written`);
      if ((reads & 4095) === 0) {
        await yieldToEvents();
        checkAlive(seq);
      }
    }
    // The ring is closed and drained. The producer's report may still be in flight.
    let timer;
    await Promise.race([
      done,
      new Promise((resolve) => {
        timer = setTimeout(resolve, 10000);
      }),
    ]);
    clearTimeout(timer);
    if (workerError) fail(`the producer failed: ${workerError.stack ?? workerError}`);
    if (!doneMessage) fail('the ring closed but the producer did not report done');
    expect(seq).toBe(TOTAL);
    expect(doneMessage.seq).toBe(TOTAL);
    expect(x.rlw_ring_read(base, scratch, 16)).toBe(RL.CLOSED);
    const s = doneMessage.stats;
    // Every path ran: both write methods, both layouts, a full ring and an empty one.
    expect(s.tryWrite).toBeGreaterThan(0);
    expect(s.writeSync).toBeGreaterThan(0);
    expect(s.planar).toBeGreaterThan(0);
    expect(s.interleaved).toBeGreaterThan(0);
    expect(s.zeroWrites + s.syncFull).toBeGreaterThan(0);
    expect(emptyReads).toBeGreaterThan(0);
    const seconds = (performance.now() - started) / 1000;
    // Informational only (never asserted): throughput and how often each side hit the limit.
    console.log(
      `two-thread seed ${SEED}: ${TOTAL} frames in ${seconds.toFixed(2)} s (${(TOTAL / seconds / 1e6).toFixed(1)} M frames/s); ` +
        `consumer reads ${reads}, empty ${emptyReads}, full-ring reads ${fullReads}, underruns ${ringView.underruns}; producer ${JSON.stringify(s)}`,
    );
  } finally {
    await worker.terminate();
  }
}, 60000);
