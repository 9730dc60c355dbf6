// Chromium's own resampling, measured as test/bench/resampler.bench.js
// measures ringlet's and sox's (the measures of
// test/bench/resampler-quality.js, which the page imports and runs itself):
//
//   - decodeAudioData: the test signal as a float32 WAV file, decoded by an
//     OfflineAudioContext at the output rate (Chromium resamples the decoded
//     audio to the context's rate);
//   - AudioBufferSourceNode: an AudioBuffer at the input rate played by a
//     source node into an OfflineAudioContext at the output rate.
//
//   node test/bench/resampler.browser.js
//
// A benchmark script, not a Jest test: Debian's Chromium headless through
// test/browser/harness.js. Prints a table and, on its last line, a JSON
// summary for scripts/bench.mjs; the exit code is non-zero only if something
// could not run.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { openBrowser } from '../browser/harness.js';

/** In the page: both converters through every measure. */
async function measureInPage() {
  const q = await import('/test/bench/resampler-quality.js');
  /** decodeAudioData into a context at outRate. */
  const decode = async (x, inRate, outRate) => {
    const ctx = new OfflineAudioContext(1, 1, outRate);
    const buffer = await ctx.decodeAudioData(q.encodeWav(x, inRate));
    if (buffer.sampleRate !== outRate) throw new Error(`decodeAudioData gave ${buffer.sampleRate} Hz`);
    return buffer.getChannelData(0).slice();
  };
  /** An AudioBufferSourceNode at inRate rendered at outRate. */
  const source = async (x, inRate, outRate) => {
    const frames = Math.ceil((x.length * outRate) / inRate);
    const ctx = new OfflineAudioContext(1, frames, outRate);
    const buffer = new AudioBuffer({ numberOfChannels: 1, length: x.length, sampleRate: inRate });
    buffer.copyToChannel(x, 0);
    const node = new AudioBufferSourceNode(ctx, { buffer });
    node.connect(ctx.destination);
    node.start();
    const out = await ctx.startRendering();
    return out.getChannelData(0).slice();
  };
  return {
    decodeAudioData: await q.measureAll(decode),
    bufferSource: await q.measureAll(source),
    userAgent: navigator.userAgent,
  };
}

/** @type {string[]} */
const problems = [];
const fmt = (x, d = 1) => (x === null ? 'exactly 0' : Number.isFinite(x) ? x.toFixed(d) : String(x));

async function main() {
  const started = performance.now();
  const load = os.loadavg();
  const b = await openBrowser();
  let product = 'unknown';
  let m = null;
  try {
    const cdp = await b.browser.newCDPSession(b.page);
    product = (await cdp.send('Browser.getVersion')).product;
    await cdp.detach();
    m = await b.page.evaluate(measureInPage);
  } catch (error) {
    problems.push(String(error));
  } finally {
    if (b.errors.length > 0) problems.push(...b.errors.map((e) => `page: ${e}`));
    await b.close();
  }
  if (m) {
    for (const [name, r] of Object.entries({ decodeAudioData: m.decodeAudioData, bufferSource: m.bufferSource })) {
      console.log(
        `${product} ${name}: SNR 44.1->48 ${fmt(r.snr.up1k)} / ${fmt(r.snr.up15k)} dB, 48->44.1 ${fmt(r.snr.down1k)} / ${fmt(r.snr.down15k)} dB; ` +
          `ripple ${fmt(r.passband.rippleDb, 4)} dB (edge ${fmt(r.passband.edgeDb, 4)} dB); stopband worst ${fmt(r.stopband.worstDb)} dB at ${fmt(r.stopband.worstHz, 0)} Hz; sweep alias ${fmt(r.sweepAliasDb)} dB`,
      );
    }
  }
  if (problems.length > 0) console.log(`PROBLEMS:\n- ${problems.join('\n- ')}`);
  console.log(
    JSON.stringify({
      bench: 'resampler-browser',
      chromium: product,
      userAgent: m?.userAgent ?? null,
      decodeAudioData: m?.decodeAudioData ?? null,
      bufferSource: m?.bufferSource ?? null,
      load,
      seconds: (performance.now() - started) / 1000,
      problems,
    }),
  );
  process.exitCode = problems.length > 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : String(error));
  console.log(JSON.stringify({ bench: 'resampler-browser', error: String(error), problems }));
  process.exitCode = 1;
});
