// End-to-end latency in headless Chromium: from a frame written into a source
// node's ring to that frame at the node's output, in frames and quanta.
// Graph: source RingletNode -> capture RingletNode -> destination. The stream
// is silent except for markers (one frame of 0.5 on both channels). When the
// page writes a marker it reads the source's stats().framesProcessed (P) and
// the ring's fill; a reader on the capture ring finds the frame index M at
// which the marker came out (both nodes start in the same quantum, so their
// frame counts agree; checked). latency = M - P.
// - offline: an OfflineAudioContext suspended at quantum boundaries; the
//   marker goes in after `fill` frames of silence: deterministic.
// - realtime: an AudioContext; a loop keeps the ring at `fill` frames (0 =
//   just-in-time: nothing queued, the node outputs silence until the marker)
//   and writes a marker every ~40 ms; >= 50 markers per level.
// - message transport (source on 'message', the clock from the shared capture
//   node): the same, fill 0.
// Run: node test/bench/latency.browser.js. Prints a table, last a JSON line.
import { openBrowser } from '../browser/harness.js';

const FILLS = [0, 128, 512, 2048];
const MARKERS = Number(process.env.LATENCY_MARKERS ?? 60);
const Q = 128;

const b = await openBrowser();
const problems = [];
try {
  const offline = await b.page.evaluate(
    async ({ FILLS, Q }) => {
      const { RingletNode } = await import('/dist/ringlet.js');
      const sampleRate = 48000;
      const out = [];
      const cases = [...FILLS.map((fill) => ({ fill, transport: 'shared' })), { fill: 0, transport: 'message' }];
      for (const { fill, transport } of cases) {
        const every = Math.max(8, Math.ceil((fill + 2 * Q) / Q)); // quanta between markers
        const count = 12;
        const length = Q * (every * (count + 1) + 4);
        const ctx = new OfflineAudioContext({ numberOfChannels: 2, length, sampleRate });
        const source = await RingletNode.create(ctx, { mode: 'source', channels: 2, capacityFrames: 8192, transport });
        const capture = await RingletNode.create(ctx, { mode: 'capture', channels: 2, capacityFrames: 1 << 16 });
        source.connect(capture).connect(ctx.destination);
        const writes = [];
        const marker = new Float32Array([0.5, 0.5]);
        for (let k = 1; k <= count; k++) {
          const at = k * every * Q;
          ctx.suspend(at / sampleRate).then(async () => {
            // The ring is empty here (the markers are far apart): queue `fill` frames of silence, then the marker.
            if (fill > 0) source.writer.tryWrite(new Float32Array(2 * fill));
            const ahead = transport === 'shared' ? source.stats().availableRead : fill;
            source.writer.tryWrite(marker);
            if (transport === 'message') await source.flush();
            const p = capture.stats().framesProcessed;
            const ps = transport === 'shared' ? source.stats().framesProcessed : p;
            writes.push({ at, p, ps, ahead });
            await ctx.resume();
          });
        }
        const rendered = await ctx.startRendering();
        const l = rendered.getChannelData(0);
        const found = [];
        for (let i = 0; i < l.length; i++) if (l[i] > 0.25) found.push(i);
        out.push({
          fill,
          transport,
          writes,
          found,
          sourceFrames: source.stats().framesProcessed,
          captureFrames: capture.stats().framesProcessed,
        });
      }
      return out;
    },
    { FILLS, Q },
  );

  const offlineSummary = [];
  for (const o of offline) {
    const lat = o.writes.map((w, i) => (o.found[i] ?? NaN) - w.p);
    const ok =
      o.found.length === o.writes.length && o.writes.every((w) => w.p === w.at && w.ps === w.at && w.ahead === o.fill);
    if (!ok)
      problems.push(
        `offline ${o.transport} fill ${o.fill}: markers ${o.found.length}/${o.writes.length}, writes ${JSON.stringify(o.writes.slice(0, 2))}`,
      );
    const uniq = [...new Set(lat)];
    offlineSummary.push({
      transport: o.transport,
      fill: o.fill,
      markers: o.writes.length,
      latencyFrames: uniq.length === 1 ? uniq[0] : uniq,
      nodeFrames: uniq.length === 1 ? uniq[0] - o.fill : uniq.map((x) => x - o.fill),
    });
  }

  const realtime = await b.page.evaluate(
    async ({ FILLS, MARKERS }) => {
      const { RingletNode } = await import('/dist/ringlet.js');
      const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
      const out = [];
      const cases = [...FILLS.map((fill) => ({ fill, transport: 'shared' })), { fill: 0, transport: 'message' }];
      for (const { fill, transport } of cases) {
        const ctx = new AudioContext({ latencyHint: 'interactive' });
        await ctx.suspend();
        const source = await RingletNode.create(ctx, { mode: 'source', channels: 2, capacityFrames: 8192, transport });
        const capture = await RingletNode.create(ctx, { mode: 'capture', channels: 2, capacityFrames: 1 << 16 });
        source.connect(capture).connect(ctx.destination);
        const buf = new Float32Array(2 * 8192);
        let readFrames = 0;
        const found = [];
        const drain = () => {
          for (;;) {
            const r = capture.reader.tryRead(buf);
            if (r.frames === 0) return;
            for (let i = 0; i < r.frames; i++) if (buf[2 * i] > 0.25) found.push(readFrames + i);
            readFrames += r.frames;
          }
        };
        const zeros = new Float32Array(2 * 8192);
        const marker = new Float32Array([0.5, 0.5]);
        const topUp = () => {
          if (fill === 0 || transport !== 'shared') return;
          const need = fill - source.writer.availableRead;
          if (need > 0) source.writer.tryWrite(zeros.subarray(0, 2 * need));
        };
        topUp();
        await Promise.race([ctx.resume(), sleep(2000)]);
        const writes = [];
        const t0 = performance.now();
        let next = t0 + 100;
        while (writes.length < MARKERS && performance.now() - t0 < 30000) {
          topUp();
          drain();
          if (performance.now() >= next) {
            topUp();
            const before = transport === 'shared' ? source.stats().availableRead : 0;
            source.writer.tryWrite(marker);
            const p = (transport === 'shared' ? source : capture).stats().framesProcessed;
            const after = transport === 'shared' ? source.stats().availableRead : 1;
            // The fill read after the write, less the marker: a lower bound of what was queued ahead of it (0 if the
            // audio thread already took the marker, which cannot have had frames ahead of it that it skipped).
            writes.push({ p, before, ahead: Math.max(0, after - 1) });
            next = performance.now() + 30 + Math.random() * 20; // random phase against the render
          }
          await sleep(1);
        }
        await sleep(300);
        drain();
        await ctx.suspend();
        await sleep(50);
        const s = source.stats();
        const c = capture.stats();
        out.push({
          fill,
          transport,
          writes,
          found,
          sampleRate: ctx.sampleRate,
          baseLatency: ctx.baseLatency,
          outputLatency: ctx.outputLatency,
          sourceFrames: s.framesProcessed,
          captureFrames: c.framesProcessed,
          readFrames,
          underruns: s.underruns,
          overruns: c.overruns,
        });
        await ctx.close();
      }
      return out;
    },
    { FILLS, MARKERS, Q },
  );

  const pct = (xs, p) => {
    const s = [...xs].sort((x, y) => x - y);
    return s[Math.min(s.length - 1, Math.floor(p * s.length))];
  };
  const dist = (xs) => ({
    n: xs.length,
    min: Math.min(...xs),
    median: pct(xs, 0.5),
    p90: pct(xs, 0.9),
    max: Math.max(...xs),
  });
  const realtimeSummary = [];
  for (const r of realtime) {
    if (r.found.length !== r.writes.length)
      problems.push(
        `realtime ${r.transport} fill ${r.fill}: ${r.found.length} markers found for ${r.writes.length} written`,
      );
    // On 'message' the source's stats are a snapshot, so only the shared counters are compared.
    if ((r.transport === 'shared' && r.sourceFrames !== r.captureFrames) || r.captureFrames !== r.readFrames) {
      problems.push(
        `realtime ${r.transport} fill ${r.fill}: frame counts differ (source ${r.sourceFrames}, capture ${r.captureFrames}, read ${r.readFrames})`,
      );
    }
    const n = Math.min(r.found.length, r.writes.length);
    const lat = [];
    const node = [];
    const ahead = [];
    for (let i = 0; i < n; i++) {
      lat.push(r.found[i] - r.writes[i].p);
      ahead.push(r.writes[i].ahead);
      node.push(r.found[i] - r.writes[i].p - r.writes[i].ahead);
    }
    realtimeSummary.push({
      transport: r.transport,
      fill: r.fill,
      latencyFrames: dist(lat),
      aheadFrames: dist(ahead),
      nodeFrames: dist(node),
      sampleRate: r.sampleRate,
      baseLatency: r.baseLatency,
      outputLatency: r.outputLatency,
      overrunsCapture: r.overruns,
    });
  }

  const chromium = b.browser.browser()?.version() ?? 'unknown';
  console.log(
    `latency bench (headless Chromium ${chromium}): source -> capture -> destination, marker frame out - framesProcessed at write`,
  );
  console.log('offline (quantum-boundary suspends, deterministic):');
  for (const s of offlineSummary) {
    console.log(
      `  ${s.transport.padEnd(7)} fill ${String(s.fill).padStart(4)}: latency ${JSON.stringify(s.latencyFrames)} frames, node's own part ${JSON.stringify(s.nodeFrames)} frames (${s.markers} markers)`,
    );
  }
  console.log(`realtime (AudioContext, ${MARKERS} markers per level; frames: median / p90 / max):`);
  for (const s of realtimeSummary) {
    const d = (x) => `${x.median} / ${x.p90} / ${x.max}`;
    console.log(
      `  ${s.transport.padEnd(7)} fill ${String(s.fill).padStart(4)}: latency ${d(s.latencyFrames)} (quanta ${(s.latencyFrames.median / Q).toFixed(2)} / ${(s.latencyFrames.p90 / Q).toFixed(2)} / ${(s.latencyFrames.max / Q).toFixed(2)}), ` +
        `queued ahead ${d(s.aheadFrames)}, beyond the queue ${d(s.nodeFrames)}`,
    );
  }
  if (problems.length > 0) console.log(`problems:\n  ${problems.join('\n  ')}`);
  console.log(
    JSON.stringify({
      bench: 'latency',
      config: { chromium, fills: FILLS, markers: MARKERS, quantum: Q },
      offline: offlineSummary,
      realtime: realtimeSummary,
      problems,
    }),
  );
  if (problems.length > 0) process.exitCode = 1;
} finally {
  await b.close();
}
