// The shared and message transports side by side in a headless browser
// engine: what writing costs the producing thread, and how long written audio
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
      const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: 128, sampleRate: 48000 });
      const capacityFrames = 1 << 20;
      const node = await RingletNode.create(ctx, { channels: 2, capacityFrames, transport });
      const quantum = new Float32Array(256).fill(0.1);
      // Producer cost: fill most of the ring in quanta (nothing consumes it).
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
      return { writeNs, deliverMs, rttMedianMs: rtts[25], rttP90Ms: rtts[45] };
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
      framesPerSecondM: (128 / median(r.map((x) => x.writeNs))) * 1e3,
      deliverMsFor786kFrames: median(r.map((x) => x.deliverMs)),
      writeToWorkletMedianMs: t === 'shared' ? 0 : median(r.map((x) => x.rttMedianMs)),
      writeToWorkletP90Ms: t === 'shared' ? 0 : median(r.map((x) => x.rttP90Ms)),
    };
  }
  summary.ratioWriteCost =
    summary.message && summary.shared ? summary.message.writeNsPerQuantum / summary.shared.writeNsPerQuantum : null;
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
        `write-to-worklet ${s.writeToWorkletMedianMs.toFixed(3)} ms median / ${s.writeToWorkletP90Ms.toFixed(3)} ms p90`,
    );
  }
  if (summary.ratioWriteCost !== null)
    console.log(`message / shared write cost: ${summary.ratioWriteCost.toFixed(1)}x`);
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
