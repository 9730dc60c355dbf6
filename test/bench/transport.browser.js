// The shared and message transports side by side in headless Chromium: what
// writing costs the producing thread, and how long written audio takes to
// reach the worklet. Run: node test/bench/transport.browser.js
// Prints a table and, last, a JSON summary line.
import { openBrowser } from '../browser/harness.js';

const TRIALS = 7;

const b = await openBrowser();
try {
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

  const results = { shared: [], message: [] };
  for (let i = 0; i < TRIALS; i++) {
    results.shared.push(await trial('shared'));
    results.message.push(await trial('message'));
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
  const summary = {};
  for (const t of ['shared', 'message']) {
    const r = results[t];
    summary[t] = {
      writeNsPerQuantum: median(r.map((x) => x.writeNs)),
      framesPerSecondM: (128 / median(r.map((x) => x.writeNs))) * 1e3,
      deliverMsFor786kFrames: median(r.map((x) => x.deliverMs)),
      writeToWorkletMedianMs: t === 'shared' ? 0 : median(r.map((x) => x.rttMedianMs)),
      writeToWorkletP90Ms: t === 'shared' ? 0 : median(r.map((x) => x.rttP90Ms)),
    };
  }
  summary.ratioWriteCost = summary.message.writeNsPerQuantum / summary.shared.writeNsPerQuantum;
  console.log(`transport bench (headless Chromium, ${TRIALS} interleaved trials, medians; 128-frame stereo quanta)`);
  for (const t of ['shared', 'message']) {
    const s = summary[t];
    console.log(
      `${t.padEnd(8)} write ${s.writeNsPerQuantum.toFixed(0)} ns/quantum (${s.framesPerSecondM.toFixed(0)} M frames/s), ` +
        `write-to-worklet ${s.writeToWorkletMedianMs.toFixed(3)} ms median / ${s.writeToWorkletP90Ms.toFixed(3)} ms p90`,
    );
  }
  console.log(`message / shared write cost: ${summary.ratioWriteCost.toFixed(1)}x`);
  console.log(JSON.stringify({ bench: 'transport', summary }));
} finally {
  await b.close();
}
