// Underruns where users hear them: the stream player's own streaming code
// (examples/shared/stream-client.js: a Worker with writeSync on 'shared', the
// main thread with write() on 'message') feeding a source node in a realtime
// AudioContext, at two ring sizes, on an idle machine, with two busy-loop
// processes holding both cores, and with the page's main thread blocked by a
// 150 ms long task every second (a heavy app). Counts underruns and silent
// frames per minute of playback. Run: node test/bench/underrun.browser.js
// (UNDERRUN_BENCH_SECONDS per configuration, default 10). Prints a table and,
// last, a JSON summary line.
import { spawn } from 'node:child_process';
import { openBrowser } from '../browser/harness.js';

const SECONDS = Number(process.env.UNDERRUN_BENCH_SECONDS ?? 10);
const TRANSPORTS = ['shared', 'message'];
const CAPACITIES = [8192, 32768];
const LOADS = ['idle', 'busy cores', 'main-thread long tasks'];

/** Starts `n` busy-loop processes; returns a function that stops them by PID. */
function busyLoops(n) {
  const children = Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  return () => {
    for (const c of children) c.kill('SIGKILL');
  };
}

const b = await openBrowser();
try {
  await b.page.evaluate(async () => {
    const { renderSample } = await import('/examples/shared/sample.js');
    const ctx = new AudioContext();
    await Promise.race([ctx.resume(), new Promise((r) => setTimeout(r, 2000))]);
    globalThis.benchCtx = ctx;
    globalThis.benchSample = await renderSample(ctx.sampleRate);
  });
  const rows = [];
  for (const load of LOADS) {
    for (const transport of TRANSPORTS) {
      for (const capacityFrames of CAPACITIES) {
        const stop = load === 'busy cores' ? busyLoops(2) : () => {};
        try {
          const r = await b.page.evaluate(
            async ({ transport, capacityFrames, seconds, jank }) => {
              const { RingletNode } = await import('/dist/ringlet.js');
              const { StreamClient } = await import('/examples/shared/stream-client.js');
              const ctx = globalThis.benchCtx;
              const node = await RingletNode.create(ctx, { channels: 2, capacityFrames, transport });
              node.connect(ctx.destination);
              const client = new StreamClient(node, {});
              client.setLoop(true);
              client.load(globalThis.benchSample);
              client.play(0);
              let longTasks = 0;
              const timer = jank
                ? setInterval(() => {
                    const t = performance.now();
                    while (performance.now() - t < 150);
                    longTasks++;
                  }, 1000)
                : 0;
              const start = node.stats();
              await new Promise((r) => setTimeout(r, seconds * 1000));
              clearInterval(timer);
              await node.flush();
              const end = node.stats();
              await client.halt();
              client.dispose();
              node.dispose();
              return {
                where: client.where,
                played: end.framesProcessed - start.framesProcessed,
                underruns: end.underruns - start.underruns,
                silentFrames: end.silentFrames - start.silentFrames,
                longTasks,
                sampleRate: ctx.sampleRate,
              };
            },
            { transport, capacityFrames, seconds: SECONDS, jank: load === 'main-thread long tasks' },
          );
          const minutes = r.played / r.sampleRate / 60;
          rows.push({
            load,
            transport,
            producer: r.where,
            capacityFrames,
            bufferMs: (capacityFrames / r.sampleRate) * 1000,
            seconds: r.played / r.sampleRate,
            underrunsPerMinute: r.underruns / minutes,
            silentMsPerMinute: ((r.silentFrames / r.sampleRate) * 1000) / minutes,
            longTasks: r.longTasks,
          });
        } finally {
          stop();
        }
      }
    }
  }
  console.log(`underrun bench (headless Chromium, realtime AudioContext, ${SECONDS} s per configuration)`);
  for (const x of rows) {
    console.log(
      `${x.load.padEnd(24)} ${x.transport.padEnd(8)} ${String(x.capacityFrames).padStart(6)} frames ` +
        `(${x.bufferMs.toFixed(0)} ms): ${x.underrunsPerMinute.toFixed(1)} underruns/min, ` +
        `${x.silentMsPerMinute.toFixed(0)} ms silence/min`,
    );
  }
  console.log(JSON.stringify({ bench: 'underrun', seconds: SECONDS, rows }));
} finally {
  await b.close();
}
