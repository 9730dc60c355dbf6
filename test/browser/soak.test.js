// Soak: a realtime AudioContext plays a Worker-fed source node into a capture
// node drained by a second Worker, while the page reads meters and the
// analyser every animation frame. Every frame must arrive once and in order
// from frame 0, every gap the listener would hear must be counted as an
// underrun, with no overrun and a stable heap. Whether gaps happen at all
// depends on how promptly a busy machine schedules the producer, which ringlet
// does not control: the count is printed, and `npm run soak` (ten minutes)
// records it in BENCHMARKS.md.
// RL_SOAK_SECONDS sets the length: `npm test` runs a short one.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { openBrowser, test } from './harness.js';

const SECONDS = Number(process.env.RL_SOAK_SECONDS ?? 15);

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  b = await openBrowser();
});
afterAll(async () => {
  await b?.close();
});

test.needs(['sharedArrayBuffer'], 'Worker producer and consumer on the shared rings');
test(
  `soak: ${SECONDS} s of realtime audio through source -> capture: every frame once and in order from frame 0, every gap counted`,
  async () => {
    const heap = () => b.heapUsed();
    await b.page.evaluate(async () => {
      const { RingletNode } = await import('/dist/ringlet.js');
      const ctx = new AudioContext();
      await ctx.suspend();
      const source = await RingletNode.create(ctx, { mode: 'source', channels: 2, capacityFrames: 16384 });
      const capture = await RingletNode.create(ctx, { mode: 'capture', channels: 2, capacityFrames: 65536 });
      source.connect(capture).connect(ctx.destination);
      const producer = new Worker('/test/browser/fixtures/soak-producer.worker.js', { type: 'module' });
      const consumer = new Worker('/test/browser/fixtures/soak-consumer.worker.js', { type: 'module' });
      const soak = {
        ctx,
        source,
        capture,
        producer,
        consumer,
        producerDone: null,
        consumerDone: null,
        progress: null,
        uiFrames: 0,
        errors: [],
      };
      soak.producerDone = new Promise((resolve) => {
        producer.onmessage = (e) => {
          if (e.data.type === 'error') soak.errors.push(e.data.message);
          else resolve(e.data);
        };
      });
      soak.consumerDone = new Promise((resolve) => {
        consumer.onmessage = (e) => {
          if (e.data.type === 'progress') soak.progress = e.data;
          else resolve(e.data);
        };
      });
      consumer.postMessage({ handle: capture.readerHandle });
      producer.postMessage({ handle: source.writerHandle });
      // Pre-fill: wait until the producer has filled most of the ring, then start.
      const t0 = performance.now();
      while (source.stats().availableRead < 12000 && performance.now() - t0 < 5000)
        await new Promise((r) => setTimeout(r, 5));
      await Promise.race([ctx.resume(), new Promise((r) => setTimeout(r, 2000))]);
      soak.start = source.stats();
      // The UI: meters and analyser at animation-frame rate.
      const bins = new Uint8Array(capture.analyser.frequencyBinCount);
      const draw = () => {
        if (!soak.running) return;
        capture.meters();
        capture.analyser.getByteFrequencyData(bins);
        source.stats();
        soak.uiFrames++;
        requestAnimationFrame(draw);
      };
      soak.running = true;
      requestAnimationFrame(draw);
      globalThis.soak = soak;
    });
    const heapStart = await heap();
    const deadline = Date.now() + SECONDS * 1000;
    while (Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
    const heapEnd = await heap();
    const r = await b.page.evaluate(async () => {
      const s = globalThis.soak;
      s.running = false;
      const end = { source: s.source.stats(), capture: s.capture.stats(), memory: s.source.stats().capacityFrames };
      s.producer.postMessage({ type: 'stop' });
      const produced = await Promise.race([
        s.producerDone,
        new Promise((r) => setTimeout(() => r({ timeout: true }), 5000)),
      ]);
      // The consumer stops once every frame written has come through (or
      // after a bound far beyond the ring's 0.4 s of audio).
      s.consumer.postMessage({ type: 'stop', after: produced.frames ?? 0, withinMs: 10000 });
      const consumed = await Promise.race([
        s.consumerDone,
        new Promise((r) => setTimeout(() => r({ timeout: true }), 15000)),
      ]);
      const drained = { source: s.source.stats(), capture: s.capture.stats() };
      await s.ctx.close();
      s.producer.terminate();
      s.consumer.terminate();
      return {
        start: s.start,
        end,
        drained,
        produced,
        consumed,
        uiFrames: s.uiFrames,
        errors: s.errors,
        sampleRate: s.ctx.sampleRate,
      };
    });
    const played = r.end.source.framesProcessed - r.start.framesProcessed;
    const underruns = r.drained.source.underruns - r.start.underruns;
    console.log(
      `soak ${SECONDS} s: played ${played} frames, producer wrote ${r.produced.frames}, consumer saw ${r.consumed.expected} in order of ${r.consumed.frames} frames, ` +
        `${r.consumed.gaps} gaps, ${underruns} underruns, first break ${r.consumed.firstError || 'none'}, ` +
        `${r.uiFrames} UI frames, heap ${heapStart !== null && heapEnd !== null ? `${(heapStart / 1e6).toFixed(2)} -> ${(heapEnd / 1e6).toFixed(2)} MB` : 'not measurable'}`,
    );
    expect(r.errors).toEqual([]);
    expect(r.produced.timeout).toBeUndefined();
    expect(r.consumed.timeout).toBeUndefined();
    // Bounds a loaded machine still meets: the audio thread and the producer
    // get at least half of real time even with both cores busy.
    expect(played).toBeGreaterThan(r.sampleRate * SECONDS * 0.5);
    expect(r.produced.frames).toBeGreaterThan(r.sampleRate * SECONDS * 0.5);
    // Every frame the producer wrote arrived once and in order, starting at
    // frame 0: nothing lost at the start, nothing duplicated, nothing reordered.
    expect(r.consumed.silentBefore).toBe(0);
    expect(r.consumed.firstError).toBe('');
    expect(r.consumed.errors).toBe(0);
    expect(r.consumed.expected).toBe(r.produced.frames);
    // Each gap within the stream is at least one quantum the source counted as
    // an underrun (the producer closed the ring at the end, so the tail's
    // silence is not one): no gap goes uncounted.
    expect(r.drained.source.closed).toBe(true);
    expect(r.consumed.gaps).toBeLessThanOrEqual(underruns);
    expect(r.drained.capture.overruns).toBe(0);
    // The UI reads ran alongside the audio (animation frames slow down, but do
    // not stop, on a busy machine).
    expect(r.uiFrames).toBeGreaterThan(SECONDS);
    // Chromium only: no driver of Firefox or WebKit can force a GC and read the heap.
    if (heapStart !== null && heapEnd !== null) expect(heapEnd - heapStart).toBeLessThan(2 * 1024 * 1024);
  },
  (SECONDS + 60) * 1000,
);
