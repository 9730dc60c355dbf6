// stream-player: decoded audio streamed by a Worker through a source node's
// ring. The main thread decodes, draws and sends transport commands.
import { RingletNode } from '../../dist/ringlet.js';
import {
  $,
  drawLevels,
  expose,
  fitCanvas,
  formatCount,
  formatTime,
  openAudio,
  palette,
  setGauge,
  showError,
  showIsolation,
  showTransport,
} from '../shared/ui.js';
import { renderSample, SAMPLE_PEAK, SAMPLE_TITLE } from '../shared/sample.js';
import { StreamClient } from '../shared/stream-client.js';

// About 0.74 s at 44.1 kHz. A player can buffer generously: pause and seek
// empty the ring, so its size adds no latency to them, and it rides out a
// producer that loses the CPU for a while (a busy main thread feeds the
// message transport).
const CAPACITY_FRAMES = 32768;

showIsolation();
const buttons = {
  play: /** @type {HTMLButtonElement} */ ($('play')),
  pause: /** @type {HTMLButtonElement} */ ($('pause')),
  stop: /** @type {HTMLButtonElement} */ ($('stop')),
  restart: /** @type {HTMLButtonElement} */ ($('restart')),
  sample: /** @type {HTMLButtonElement} */ ($('use-sample')),
};
const seek = /** @type {HTMLInputElement} */ ($('seek'));
const loop = /** @type {HTMLInputElement} */ ($('loop'));
const wave = /** @type {HTMLCanvasElement} */ ($('wave'));

/** @type {'loading' | 'stopped' | 'playing' | 'paused' | 'ended'} */
let state = 'loading';
/** @type {AudioBuffer | null} */
let audio = null;
/** The file frame the current ring session started at. */
let origin = 0;
/** The position while not playing. */
let parked = 0;
/** Counters carried over node.reset(), which zeroes the node's own. */
const carried = { underruns: 0, frames: 0, silent: 0 };
/** @type {{ min: Float32Array, max: Float32Array } | null} */
let overview = null;
let seeking = false;
/** Serialises transport commands: each waits for the one before. */
let busy = Promise.resolve();

const { ctx, running } = await openAudio();
const sample = renderSample(ctx.sampleRate);
await running;
/** @type {import('../../types/index.js').RingletNode<'source'>} */
const node = await createNode();
const client = createClient();
$('writer').textContent = client.where === 'worker' ? 'Worker · writeSync' : 'main thread · write()';
$('ring-size').textContent =
  `${formatCount(CAPACITY_FRAMES)} frames · ${((CAPACITY_FRAMES / ctx.sampleRate) * 1000).toFixed(0)} ms`;

async function createNode() {
  const n = await RingletNode.create(ctx, { mode: 'source', channels: 2, capacityFrames: CAPACITY_FRAMES });
  n.connect(ctx.destination);
  showTransport(n);
  return n;
}

function createClient() {
  const c = new StreamClient(node, {
    onEnded: () => command(onEnded),
    onError: (message) => showError(new Error(message), 'streamer'),
  });
  c.setLoop(loop.checked);
  if (audio) c.load(audio);
  return c;
}

/**
 * Empties the ring: node.reset() restarts it on both transports, and the
 * writer (the Worker's, or the page's port writer) stays valid and goes on
 * counting right.
 */
async function emptyRing() {
  await node.reset();
}

expose({
  ctx,
  get node() {
    return node;
  },
  get client() {
    return client;
  },
  samplePeak: SAMPLE_PEAK,
  carried,
  get state() {
    return state;
  },
  position,
});

try {
  await load(await sample, SAMPLE_TITLE, 'generated in an OfflineAudioContext');
} catch (error) {
  showError(error, 'rendering the sample');
}
requestAnimationFrame(draw);

// ---- transport ---------------------------------------------------------

/** @param {() => Promise<void> | void} fn */
function command(fn) {
  busy = busy
    .then(fn)
    .catch((error) => showError(error, 'transport'))
    .finally(updateButtons);
  return busy;
}

/** The playing position in file frames. */
function position() {
  if (!audio) return 0;
  if (state !== 'playing') return parked;
  const consumed = Math.max(0, client.written - node.stats().availableRead);
  return (origin + consumed) % audio.length;
}

/** Stops the Worker writing and empties the ring, keeping the counters. */
async function halt() {
  await client.halt();
  const s = node.stats();
  carried.underruns += s.underruns;
  carried.frames += s.framesProcessed;
  carried.silent += s.silentFrames;
  await emptyRing();
}

/** @param {number} from */
function start(from) {
  origin = from;
  client.play(from);
  state = 'playing';
  say(`Playing from ${formatTime(from / ctx.sampleRate)}.`);
}

/** @param {string} text */
function say(text) {
  $('message').textContent = text;
  $('message').className = 'note';
}

async function play() {
  if (!audio || state === 'playing') return;
  if (state === 'ended') parked = 0;
  start(parked);
}

async function pause() {
  if (state !== 'playing') return;
  parked = position();
  await halt();
  state = 'paused';
  say(`Paused at ${formatTime(parked / ctx.sampleRate)}: the ring was emptied, and Play refills it from here.`);
}

async function stop() {
  if (state === 'playing') await halt();
  parked = 0;
  state = 'stopped';
  say('Stopped.');
}

/** @param {number} frame */
async function seekTo(frame) {
  if (!audio) return;
  const target = Math.min(Math.max(0, Math.round(frame)), audio.length - 1);
  if (state === 'playing') {
    await halt();
    start(target);
  } else {
    parked = target;
    if (state === 'ended') state = 'paused';
  }
}

async function onEnded() {
  // The ring is closed; let it drain (that is the track's tail), then reopen it.
  while (state === 'playing' && node.stats().availableRead > 0) await new Promise((r) => setTimeout(r, 10));
  if (state !== 'playing') return;
  parked = audio ? audio.length : 0;
  await halt();
  state = 'ended';
  say('End of track: the Worker closed the ring, which then drained without an underrun.');
}

/**
 * @param {AudioBuffer} buffer
 * @param {string} title
 * @param {string} how
 */
async function load(buffer, title, how) {
  await command(async () => {
    if (state === 'playing') await halt();
    audio = buffer;
    client.load(buffer);
    overview = null;
    parked = 0;
    state = 'stopped';
    $('title').textContent = title;
    $('meta').textContent =
      `${formatTime(buffer.duration)} · ${buffer.sampleRate} Hz · ${buffer.numberOfChannels === 1 ? 'mono' : `${buffer.numberOfChannels} ch`} · ${how}`;
    seek.max = String(buffer.duration);
    say('Ready. Press Play.');
  });
}

function updateButtons() {
  const has = audio !== null;
  buttons.play.disabled = !has || state === 'playing';
  buttons.pause.disabled = state !== 'playing';
  buttons.stop.disabled = state === 'stopped' || state === 'loading';
  buttons.restart.disabled = !has;
  buttons.sample.disabled = state === 'loading';
  seek.disabled = !has;
}

buttons.play.addEventListener('click', () => command(play));
buttons.pause.addEventListener('click', () => command(pause));
buttons.stop.addEventListener('click', () => command(stop));
buttons.restart.addEventListener('click', () => command(() => seekTo(0)));
loop.addEventListener('change', () => client.setLoop(loop.checked));
seek.addEventListener('input', () => {
  seeking = true;
});
seek.addEventListener('change', () => {
  seeking = false;
  if (audio) command(() => seekTo(Number(seek.value) * /** @type {AudioBuffer} */ (audio).sampleRate));
});

/** @param {PointerEvent} event */
function seekFromPointer(event) {
  if (!audio) return;
  const rect = wave.getBoundingClientRect();
  const f = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
  command(() => seekTo(f * /** @type {AudioBuffer} */ (audio).length));
}
wave.addEventListener('pointerdown', seekFromPointer);

$('file').addEventListener('change', async (event) => {
  const input = /** @type {HTMLInputElement} */ (event.target);
  const file = input.files?.[0];
  if (!file) return;
  $('message').textContent = `Decoding ${file.name} on the main thread…`;
  try {
    // decodeAudioData resamples to the context's rate, so the ring never resamples.
    const buffer = await ctx.decodeAudioData(await file.arrayBuffer());
    await load(buffer, file.name, 'decoded with decodeAudioData');
  } catch (error) {
    showError(error, `could not decode ${file.name}`);
  }
  input.value = '';
});
buttons.sample.addEventListener('click', async () => {
  await load(await renderSample(ctx.sampleRate), SAMPLE_TITLE, 'generated in an OfflineAudioContext');
});
updateButtons();

// ---- drawing -----------------------------------------------------------

/** @param {number} width */
function buildOverview(width) {
  const a = /** @type {AudioBuffer} */ (audio);
  const min = new Float32Array(width);
  const max = new Float32Array(width);
  const per = a.length / width;
  for (let c = 0; c < a.numberOfChannels; c++) {
    const d = a.getChannelData(c);
    for (let x = 0; x < width; x++) {
      const end = Math.min(d.length, Math.floor((x + 1) * per));
      let lo = min[x];
      let hi = max[x];
      for (let i = Math.floor(x * per); i < end; i++) {
        const v = d[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      min[x] = lo;
      max[x] = hi;
    }
  }
  return { min, max };
}

function drawWave() {
  const { g, width, height } = fitCanvas(wave);
  const p = palette();
  g.fillStyle = p.bg;
  g.fillRect(0, 0, width, height);
  if (!audio) return;
  if (!overview || overview.min.length !== width) overview = buildOverview(width);
  const frac = position() / audio.length;
  const head = frac * width;
  const mid = height / 2;
  const scale = (height / 2 - 8) / Math.max(0.05, SAMPLE_PEAK);
  // Beat grid for orientation: one line per second.
  g.fillStyle = p.grid;
  for (let s = 1; s < audio.duration; s++) g.fillRect(Math.round((s / audio.duration) * width), 0, 1, height);
  const played = g.createLinearGradient(0, 0, 0, height);
  played.addColorStop(0, p.accentStrong);
  played.addColorStop(0.5, p.accent);
  played.addColorStop(1, p.accent2);
  for (let x = 0; x < width; x++) {
    const top = mid - Math.min(1, overview.max[x]) * scale;
    const bottom = mid - Math.max(-1, overview.min[x]) * scale;
    g.fillStyle = x <= head ? played : '#3a4658';
    g.fillRect(x, top, 1, Math.max(1, bottom - top));
  }
  g.fillStyle = p.bright;
  g.fillRect(Math.round(head) - 1, 0, 2, height);
  g.fillStyle = p.text;
  g.font = '11px ui-monospace, monospace';
  g.fillText(formatTime(position() / audio.sampleRate), Math.min(width - 50, head + 6), 14);
}

function draw() {
  const s = node.stats();
  const fill = s.availableRead / s.capacityFrames;
  setGauge($('fill'), fill, `${(fill * 100).toFixed(0)} %`);
  $('fill').classList.toggle('low', state === 'playing' && fill < 0.25);
  $('fill-ms').textContent = `${((s.availableRead / ctx.sampleRate) * 1000).toFixed(0)} ms buffered`;
  const underruns = carried.underruns + s.underruns;
  $('underruns').textContent = formatCount(underruns);
  $('underruns-stat').classList.toggle('alert', underruns > 0);
  $('underruns-stat').classList.toggle('good', underruns === 0);
  $('frames').textContent = formatCount(carried.frames + s.framesProcessed);
  $('silent').textContent = formatCount(carried.silent + s.silentFrames);
  const pill = $('state');
  pill.textContent = state;
  pill.className = `state-pill ${state}`;
  if (audio) {
    const t = position() / audio.sampleRate;
    $('time').textContent = `${formatTime(t)} / ${formatTime(audio.duration)}`;
    if (!seeking) seek.value = String(t);
  }
  drawWave();
  drawLevels(/** @type {HTMLCanvasElement} */ ($('levels')), node.meters());
  requestAnimationFrame(draw);
}
