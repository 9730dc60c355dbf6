// The shared and message transports side by side in a headless browser
// engine: what writing costs the producing thread (in 128-frame quanta and in
// 2048-frame chunks, each into a fresh ring), and how long written audio
// takes to reach the worklet. Run: node test/bench/transport.browser.js
// (Chromium), or with RINGLET_ENGINE=firefox, webkit-shared or webkit-message
// (test/browser/harness.js opens that engine). Where the engine mode has no
// SharedArrayBuffer (webkit-message) the 'shared' transport cannot run; the
// summary says so in `unavailable`. Prints a table and, last, a JSON summary
// line; exits non-zero only when a transport that should run could not.
import { engine, openBrowser } from '../browser/harness.js';

const TRIALS = 7;

const b = await openBrowser();
try {
  const version = await b.version();
  const trial = async (transport) =>
    b.page.evaluate(async (transport) => {
      const { RingletNode } = await import('/dist/ringlet.js');
      const capacityFrames = 1 << 20;
      const fresh = () => {
        const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: 128, sampleRate: 48000 });
        return RingletNode.create(ctx, { channels: 2, capacityFrames, transport });
      };
      // Producer cost: fill most of a fresh ring (nothing consumes it) in
      // writes of `frames` frames; the cost per 128-frame quantum written.
      const producerNs = async (frames) => {
        const node = await fresh();
        const data = new Float32Array(frames * 2).fill(0.1);
        const writes = (capacityFrames / frames) * 0.75;
        const t0 = performance.now();
        for (let i = 0; i < writes; i++) node.writer.tryWrite(data);
        const ns = ((performance.now() - t0) * 1e6) / ((writes * frames) / 128);
        await node.flush();
        node.dispose();
        return ns;
      };
      const chunkNs = await producerNs(2048);
      const node = await fresh();
      const quantum = new Float32Array(256).fill(0.1);
      const quanta = (capacityFrames / 128) * 0.75;
      const t0 = performance.now();
      for (let i = 0; i < quanta; i++) node.writer.tryWrite(quantum);
      const writeNs = ((performance.now() - t0) * 1e6) / quanta;
      // Delivery: until the worklet holds every frame written.
      const t1 = performance.now();
      await node.flush();
      const deliverMs = performance.now() - t1;
      // Latency of one small write reaching the worklet: a port round trip on 'message'.
      const rtts = [];
      for (let i = 0; i < 50; i++) {
        const t = performance.now();
        node.writer.tryWrite(quantum);
        await node.flush();
        rtts.push(performance.now() - t);
      }
      rtts.sort((x, y) => x - y);
      node.dispose();
      return { writeNs, chunkNs, deliverMs, rttMedianMs: rtts[25], rttP90Ms: rtts[45] };
    }, transport);

  /** @type {Record<string, string>} */
  const unavailable = {};
  if (!engine.sharedArrayBuffer) {
    unavailable.shared = `no SharedArrayBuffer in ${engine.label}: only the 'message' transport exists there`;
  }
  const transports = ['shared', 'message'].filter((t) => !unavailable[t]);
  /** @type {Record<string, any[]>} */
  const results = Object.fromEntries(transports.map((t) => [t, []]));
  for (let i = 0; i < TRIALS; i++) {
    for (const t of transports) {
      if (unavailable[t]) continue;
      try {
        results[t].push(await trial(t));
      } catch (error) {
        unavailable[t] = String(error instanceof Error ? error.message : error).split('\n')[0];
      }
    }
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
  /** @type {Record<string, any>} */
  const summary = {};
  for (const t of transports) {
    const r = results[t];
    if (unavailable[t]) continue;
    summary[t] = {
      writeNsPerQuantum: median(r.map((x) => x.writeNs)),
      chunkWriteNsPerQuantum: median(r.map((x) => x.chunkNs)),
      framesPerSecondM: (128 / median(r.map((x) => x.writeNs))) * 1e3,
      deliverMsFor786kFrames: median(r.map((x) => x.deliverMs)),
      writeToWorkletMedianMs: t === 'shared' ? 0 : median(r.map((x) => x.rttMedianMs)),
      writeToWorkletP90Ms: t === 'shared' ? 0 : median(r.map((x) => x.rttP90Ms)),
    };
  }
  // Ratios are medians of per-trial ratios: the two transports of one trial ran back to back.
  const ratio = (/** @type {string} */ key) =>
    summary.message && summary.shared ? median(results.message.map((x, i) => x[key] / results.shared[i][key])) : null;
  summary.ratioWriteCost = ratio('writeNs');
  summary.ratioChunkWriteCost = ratio('chunkNs');
  console.log(
    `transport bench (${version}, ${engine.id}, headless, ${TRIALS} interleaved trials, medians; 128-frame stereo quanta)`,
  );
  for (const t of ['shared', 'message']) {
    const s = summary[t];
    if (!s) {
      console.log(`${t.padEnd(8)} could not run: ${unavailable[t]}`);
      continue;
    }
    console.log(
      `${t.padEnd(8)} write ${s.writeNsPerQuantum.toFixed(0)} ns/quantum (${s.framesPerSecondM.toFixed(0)} M frames/s), ` +
        `in 2048-frame chunks ${s.chunkWriteNsPerQuantum.toFixed(0)} ns/quantum, ` +
        `write-to-worklet ${s.writeToWorkletMedianMs.toFixed(3)} ms median / ${s.writeToWorkletP90Ms.toFixed(3)} ms p90`,
    );
  }
  if (summary.ratioWriteCost !== null)
    console.log(
      `message / shared write cost: ${summary.ratioWriteCost.toFixed(1)}x (128-frame writes), ` +
        `${summary.ratioChunkWriteCost.toFixed(1)}x (2048-frame chunks)`,
    );
  console.log(
    JSON.stringify({
      bench: 'transport',
      engine: { id: engine.id, label: engine.label, version },
      summary,
      unavailable,
    }),
  );
  // A documented engine gap (no SharedArrayBuffer) is reported, not failed.
  if (Object.keys(unavailable).some((t) => t !== 'shared' || engine.sharedArrayBuffer)) process.exitCode = 1;
} finally {
  await b.close();
}
