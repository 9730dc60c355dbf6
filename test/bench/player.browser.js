// The player (examples/player/) with a one-hour file, in Chromium: memory
// and frame rate while it plays. ffmpeg makes a one-hour stereo 44.1 kHz
// FLAC (a tone); the player opens it by URL (HTTP range requests, as from a
// server), plays it at 4x (node.playbackRate) and seeks to 20, 40 and 58
// minutes on the way, so the decoder walks the whole hour. Every 5 s: the
// page's JavaScript heap after a garbage collection (CDP), the memory of the
// page and its Workers (performance.measureUserAgentSpecificMemory, on this
// isolated page), and the animation frames the UI drew in that window (its
// rate, and the longest gap between two frames). Run:
//   node test/bench/player.browser.js     (PLAYER_BENCH_SECONDS, default 120)
// Prints a table and, last, a JSON summary.
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { openBrowser } from '../browser/harness.js';
import { MEDIA_DIR } from '../browser/fixtures/media.js';
import { DEV_IMPORTS } from '../../scripts/serve.mjs';

const SECONDS = Number(process.env.PLAYER_BENCH_SECONDS ?? 120);
const WINDOW_S = 5;
const HOUR = 3600;
const NAME = 'hour-44100.flac';
const SEEKS = [
  [0.25, 20 * 60],
  [0.5, 40 * 60],
  [0.75, 58 * 60],
];

mkdirSync(MEDIA_DIR, { recursive: true });
const file = join(MEDIA_DIR, NAME);
if (!existsSync(file)) {
  const made = spawnSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=440:sample_rate=44100:duration=${HOUR}`,
      '-af',
      'volume=0.5',
      '-ac',
      '2',
      '-c:a',
      'flac',
      file,
    ],
    { stdio: 'inherit' },
  );
  if (made.status !== 0) throw new Error(`ffmpeg could not make ${file}`);
}
const bytes = statSync(file).size;

/**
 * /media/NAME answers HTTP range requests (206), as a file server does.
 * @type {import('../../scripts/serve.mjs').RouteHandler}
 */
function mediaRoute(req, res, url) {
  if (url.pathname !== `/media/${NAME}`) return false;
  const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
  const start = range ? Number(range[1]) : 0;
  const end = range?.[2] ? Math.min(Number(range[2]), bytes - 1) : bytes - 1;
  res.writeHead(range ? 206 : 200, {
    'Content-Type': 'audio/flac',
    'Accept-Ranges': 'bytes',
    'Content-Length': String(end - start + 1),
    ...(range ? { 'Content-Range': `bytes ${start}-${end}/${bytes}` } : {}),
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file, { start, end }).pipe(res);
  return true;
}

const b = await openBrowser({ imports: DEV_IMPORTS, handle: mediaRoute });
try {
  const version = await b.version();
  await b.page.goto(`${b.server.url}/examples/player/`);
  await b.page.waitForFunction(() => /** @type {any} */ (window).ringletExample?.idle !== undefined, null, {
    timeout: 30000,
  });
  await b.page.evaluate(async () => {
    const e = /** @type {any} */ (window).ringletExample;
    await e.idle();
    document.getElementById('clear-list')?.click();
    // Frames the UI draws: a counter of animation frames and the longest gap.
    const w = /** @type {any} */ (window);
    w.__frames = { count: 0, last: 0, maxGap: 0 };
    const tick = (/** @type {number} */ t) => {
      const f = w.__frames;
      if (f.last) f.maxGap = Math.max(f.maxGap, t - f.last);
      f.last = t;
      f.count++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await b.page.fill('#url', `${b.server.url}/media/${NAME}`);
  await b.page.click('#open-url');
  await b.page.waitForFunction(
    () => {
      const st = /** @type {any} */ (window).ringletExample.stream;
      return st.state === 'playing' && st.position > 0.2;
    },
    null,
    { timeout: 30000 },
  );
  await b.page.fill('#speed', '2'); // log2: 4x
  const info = await b.page.evaluate(() => {
    const e = /** @type {any} */ (window).ringletExample;
    return { duration: e.stream.info.duration, transport: e.node.transport, rate: e.node.playbackRate.value };
  });
  const rows = [];
  const started = Date.now();
  let seekIndex = 0;
  while ((Date.now() - started) / 1000 < SECONDS) {
    await b.page.evaluate(() => {
      const f = /** @type {any} */ (window).__frames;
      f.count = 0;
      f.maxGap = 0;
    });
    const from = performance.now();
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
    const frames = await b.page.evaluate(() => ({ .../** @type {any} */ (window).__frames }));
    const windowMs = performance.now() - from;
    const heap = await b.heapUsed();
    const m = await b.page.evaluate(async () => {
      const e = /** @type {any} */ (window).ringletExample;
      let total = null;
      const p = /** @type {any} */ (performance);
      if (typeof p.measureUserAgentSpecificMemory === 'function' && globalThis.crossOriginIsolated) {
        try {
          total = (await p.measureUserAgentSpecificMemory()).bytes;
        } catch {
          total = null;
        }
      }
      return { position: e.stream.position, state: e.stream.state, total, underruns: e.node.stats().underruns };
    });
    const at = (Date.now() - started) / 1000;
    const row = {
      at,
      position: m.position,
      state: m.state,
      heap,
      total: m.total,
      fps: (frames.count * 1000) / windowMs,
      maxGapMs: frames.maxGap,
      underruns: m.underruns,
    };
    rows.push(row);
    console.log(
      `${at.toFixed(0).padStart(4)} s  position ${(m.position / 60).toFixed(1).padStart(5)} min  heap ${(heap / 2 ** 20).toFixed(2)} MiB  ` +
        `page+workers ${m.total === null ? '–' : `${(m.total / 2 ** 20).toFixed(1)} MiB`}  ${row.fps.toFixed(1)} fps  longest frame gap ${frames.maxGap.toFixed(0)} ms`,
    );
    const next = SEEKS[seekIndex];
    if (next && at >= next[0] * SECONDS) {
      seekIndex++;
      await b.page.evaluate(async (s) => {
        const seek = /** @type {HTMLInputElement} */ (document.getElementById('seek'));
        seek.value = String(s);
        seek.dispatchEvent(new Event('change', { bubbles: true }));
        await /** @type {any} */ (window).ringletExample.idle();
      }, next[1]);
    }
  }
  console.log(JSON.stringify({ engine: 'chromium', version, seconds: SECONDS, bytes, info, rows }));
} finally {
  await b.close();
}
