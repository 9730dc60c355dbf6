// Soak: a realtime AudioContext plays a Worker-fed source node into a capture
// node drained by a second Worker, while the page reads meters and the
// analyser at 60 fps. Every frame must arrive once and in order, with no
// underrun after pre-fill, no overrun, and a stable heap.
// RL_SOAK_SECONDS sets the length: `npm test` runs a short one, `npm run soak` ten minutes.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { openBrowser } from './harness.js';

const SECONDS = Number(process.env.RL_SOAK_SECONDS ?? 15);

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  b = await openBrowser();
});
afterAll(async () => {
  await b?.close();
});

test(
  `soak: ${SECONDS} s of realtime audio through source -> capture, sequence-checked`,
  async () => {
    const cdp = await b.page.context().newCDPSession(b.page);
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    };
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
      // The consumer stops once every frame written has come through (bounded:
      // a busy machine only makes the play-out longer).
      s.consumer.postMessage({ type: 'stop', frames: produced.frames ?? 0, withinMs: 10000 });
      const consumed = await Promise.race([
        s.consumerDone,
        new Promise((r) => setTimeout(() => r({ timeout: true }), 15000)),
      ]);
      await s.ctx.close();
      s.producer.terminate();
      s.consumer.terminate();
      return {
        start: s.start,
        end,
        produced,
        consumed,
        uiFrames: s.uiFrames,
        errors: s.errors,
        sampleRate: s.ctx.sampleRate,
      };
    });
    await cdp.detach();
    const played = r.end.source.framesProcessed - r.start.framesProcessed;
    console.log(
      `soak ${SECONDS} s: played ${played} frames, producer wrote ${r.produced.frames}, consumer saw ${r.consumed.dataFrames} of them from frame ${r.consumed.first} ` +
        `(${r.consumed.silentBefore} silent frames before, ${r.consumed.gaps} in gaps), first break at ${r.consumed.firstErrorAt} (${r.consumed.firstError || 'none'}), ` +
        `${r.uiFrames} UI frames, heap ${(heapStart / 1e6).toFixed(2)} -> ${(heapEnd / 1e6).toFixed(2)} MB`,
    );
    expect(r.errors).toEqual([]);
    expect(played).toBeGreaterThan(r.sampleRate * SECONDS * 0.8);
    // Every frame the producer wrote arrives once and in order, from frame 0;
    // silence (the play-out after the stream, or an underrun) is no frame.
    expect(r.produced.frames).toBeGreaterThan(r.sampleRate * SECONDS * 0.8);
    const intactUpTo = r.consumed.errors > 0 ? r.consumed.firstErrorAt : r.consumed.expected;
    expect({
      first: r.consumed.first,
      errors: r.consumed.errors,
      firstError: r.consumed.firstError,
      dataFrames: r.consumed.dataFrames,
    }).toEqual({ first: 0, errors: 0, firstError: '', dataFrames: r.produced.frames });
    expect(intactUpTo).toBeGreaterThanOrEqual(r.produced.frames);
    expect(r.end.source.underruns - r.start.underruns).toBe(0);
    expect(r.end.capture.overruns).toBe(0);
    expect(r.uiFrames).toBeGreaterThan(SECONDS * 10);
    expect(heapEnd - heapStart).toBeLessThan(2 * 1024 * 1024);
  },
  (SECONDS + 60) * 1000,
);
