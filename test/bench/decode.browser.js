// Decode throughput of ringlet/stream, per format, in one engine
// (RINGLET_ENGINE, default chromium): test/bench/decode-worker.js runs the
// stream's own decode path (mediabunny in a Worker, Pump.run writing every
// frame into a ring with writeSync) over a file made here by ffmpeg, and
// the realtime factor is the file's duration over the time from the first
// frame asked to the last written. Formats the engine cannot decode are
// reported as such. Then the page's heap while a long file streams through
// a RingletStream in realtime, where the engine lets a page measure it
// (Chromium, over CDP). Run: RINGLET_ENGINE=<id> node test/bench/decode.browser.js
// (DECODE_BENCH_SECONDS of audio per file, default 30; DECODE_BENCH_TRIALS,
// default 3, the median kept). Prints a table and, last, a JSON summary.
import { engine, openBrowser } from '../browser/harness.js';
import { MEDIA_URL, diskName, make, makeLong } from '../browser/fixtures/media.js';
import { DEV_IMPORTS } from '../../scripts/serve.mjs';

const SECONDS = Number(process.env.DECODE_BENCH_SECONDS ?? 30);
const TRIALS = Number(process.env.DECODE_BENCH_TRIALS ?? 3);

/** The formats, as fixtures of the sweep signal (fixtures/media.js). */
const FORMATS = [
  ['WAV s16', 'decode-s16.wav', 44100, ['-c:a', 'pcm_s16le']],
  ['WAV f32', 'decode-f32.wav', 44100, ['-c:a', 'pcm_f32le']],
  ['FLAC', 'decode.flac', 44100, ['-c:a', 'flac']],
  ['MP3 192k', 'decode.mp3', 44100, ['-c:a', 'libmp3lame', '-b:a', '192k']],
  ['AAC 192k (M4A)', 'decode.m4a', 44100, ['-c:a', 'aac', '-b:a', '192k']],
  ['Vorbis q6 (Ogg)', 'decode.ogg', 44100, ['-c:a', 'libvorbis', '-q:a', '6']],
  ['Opus 160k (Ogg)', 'decode.opus', 48000, ['-c:a', 'libopus', '-b:a', '160k', '-f', 'ogg']],
];

const files = [];
for (const [label, name, rate, args] of FORMATS) {
  const f = { name, rate, channels: 2, frames: SECONDS * rate, signal: 'sweep', args, inputs: [], first: 0 };
  await make(f);
  files.push({ label, url: `${MEDIA_URL}/${diskName(f)}`, rate });
}

const b = await openBrowser({ imports: DEV_IMPORTS });
const rows = [];
let heap;
try {
  const version = await b.version();
  for (const file of files) {
    const r = await b.page.evaluate(
      async ({ url, trials, seconds }) => {
        const blob = await (await fetch(url)).blob();
        const runs = [];
        for (let t = 0; t < trials; t++) {
          const w = new Worker('/test/bench/decode-worker.js', { type: 'module' });
          const m = await new Promise((resolve) => {
            const timer = setTimeout(() => resolve({ how: 'failed', error: 'no answer within 120 s' }), 120000);
            w.onmessage = (e) => {
              clearTimeout(timer);
              resolve(e.data);
            };
            w.onerror = (e) => {
              clearTimeout(timer);
              resolve({ how: 'failed', error: e.message });
            };
            w.postMessage({ blob, capacity: 2 ** Math.ceil(Math.log2(seconds * 48000 + 65536)) });
          });
          w.terminate();
          if (m.how !== 'end') return { error: m.error?.error?.message ?? m.error ?? m.how };
          runs.push(m);
        }
        return { runs };
      },
      { url: file.url, trials: TRIALS, seconds: SECONDS },
    );
    if (r.error) {
      rows.push({ format: file.label, error: String(r.error).slice(0, 160) });
      console.log(`${engine.id} ${file.label}: ${r.error}`);
      continue;
    }
    const factors = r.runs.map((m) => (m.seconds * 1000) / m.ms).sort((x, y) => x - y);
    const median = factors[Math.floor(factors.length / 2)];
    const ms = r.runs.map((m) => m.ms).sort((x, y) => x - y);
    rows.push({
      format: file.label,
      codec: r.runs[0].codec,
      seconds: r.runs[0].seconds,
      msMedian: ms[Math.floor(ms.length / 2)],
      openMs: r.runs[0].openMs,
      realtimeFactor: median,
      min: factors[0],
      max: factors[factors.length - 1],
    });
    console.log(
      `${engine.id} ${file.label}: ${median.toFixed(0)}x realtime (${factors.map((x) => x.toFixed(0)).join(', ')}), ${r.runs[0].seconds.toFixed(1)} s in ${ms[Math.floor(ms.length / 2)].toFixed(0)} ms`,
    );
  }
  // The main thread's heap while a 10-minute file streams in realtime.
  const long = await makeLong(600, 8000);
  const samples = [];
  await b.page.evaluate(
    async ({ url }) => {
      const { RingletStream } = await import('/dist/ringlet-stream.js');
      const ctx = new AudioContext({ sampleRate: 8000 });
      const stream = await RingletStream.create(ctx, { channels: 1 });
      stream.node.connect(ctx.destination);
      await stream.open(await (await fetch(url)).blob());
      await Promise.race([ctx.resume(), new Promise((r) => setTimeout(r, 2000))]);
      await stream.play();
      globalThis.benchStream = stream;
    },
    { url: long.url },
  );
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setTimeout(r, 5000));
    const used = await b.heapUsed();
    const position = await b.page.evaluate(() => globalThis.benchStream.position);
    samples.push({ position, used });
  }
  await b.page.evaluate(() => globalThis.benchStream.dispose());
  heap =
    samples[0].used === null
      ? {
          measured: false,
          why: `${engine.family} gives a page no heap measure the harness can read (Chromium's comes over CDP)`,
        }
      : { measured: true, samples };
  console.log(`${engine.id} heap: ${JSON.stringify(heap)}`);
  console.log(JSON.stringify({ engine: engine.id, version, seconds: SECONDS, trials: TRIALS, rows, heap }));
} finally {
  await b.close();
}
