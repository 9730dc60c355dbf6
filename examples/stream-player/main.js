// stream-player: ringlet/stream plays files decoded in its Worker straight
// into a source node's ring. The page opens files (or the generated sample,
// as a WAV), sends transport commands, and draws what the ring has played.
// One context plays every file: the stream's node resamples, converting at
// each file's first frame, so files at any rate follow each other gaplessly.
import { unlockAudio } from '../../dist/ringlet.js';
import { RingletStream } from '../../dist/ringlet-stream.js';
import {
  $,
  drawLevels,
  expose,
  fitCanvas,
  formatCount,
  formatTime,
  palette,
  setGauge,
  showContext,
  showError,
  showIsolation,
  showTransport,
  sleep,
} from '../shared/ui.js';
import { renderSample, SAMPLE_PEAK, SAMPLE_TITLE } from '../shared/sample.js';
import { encodeWavFloat } from '../shared/wav.js';

// About 0.74 s at 44.1 kHz. Pause and seek empty the ring, so its size adds
// no latency to them, and it rides out a decoder that loses the CPU a while.
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
const cover = /** @type {HTMLImageElement} */ ($('cover'));

/** @type {AudioContext} */
let ctx;
/** @type {RingletStream} */
let stream;
let seeking = false;
/** Serialises the commands. */
let busy = Promise.resolve();
/** The recent output, for the scope. */
const scope = new Float32Array(1024);

/**
 * The context and its stream, made once: the stream's node plays files of
 * any rate at the context's (its resampler converts them; files at the
 * context's rate are copied sample for sample).
 */
async function build() {
  if (ctx) return;
  ctx = new AudioContext({ latencyHint: 'interactive' });
  showContext(ctx);
  ctx.addEventListener('statechange', () => showContext(ctx));
  stream = await RingletStream.create(ctx, { capacityFrames: CAPACITY_FRAMES });
  stream.node.connect(ctx.destination);
  stream.loop = loop.checked;
  stream.addEventListener('statechange', (e) => {
    updateButtons();
    const state = /** @type {CustomEvent} */ (e).detail;
    if (state === 'playing')
      say(`Playing from ${formatTime(stream.position)}: the Worker decodes into the ring as it plays.`);
    else if (state === 'paused')
      say(`Paused at ${formatTime(stream.position)}: the ring was emptied, and Play refills it from here.`);
    else if (state === 'stopped') say('Stopped.');
  });
  stream.addEventListener('trackchange', () => showInfo());
  stream.addEventListener('ended', () =>
    say(
      stream.error
        ? 'Ended early.'
        : 'End of track: the Worker closed the ring, which then drained without an underrun.',
    ),
  );
  stream.addEventListener('error', (e) => showError(/** @type {CustomEvent} */ (e).detail, 'stream'));
  showTransport(stream.node);
  $('writer').textContent =
    stream.node.transport === 'shared' ? 'Worker · writeSync' : 'Worker → page · writer.write()';
  $('ring-size').textContent =
    `${formatCount(CAPACITY_FRAMES)} frames · ${((CAPACITY_FRAMES / ctx.sampleRate) * 1000).toFixed(0)} ms`;
  if (ctx.state !== 'running') {
    await Promise.race([ctx.resume().catch(() => {}), sleep(300)]);
    if (ctx.state !== 'running') {
      say('Click anywhere on the page, or press a key, to start audio.');
      void unlockAudio(ctx, { timeoutMs: 600000 });
    }
  }
}

/** @param {() => Promise<void>} fn */
function command(fn) {
  busy = busy
    .then(fn)
    .catch((error) => showError(error, 'player'))
    .finally(updateButtons);
  return busy;
}

/** @param {string} text */
function say(text) {
  $('message').textContent = text;
  $('message').className = 'note';
}

/**
 * Opens a source, whatever its rate.
 * @param {Blob} source
 * @param {string} name
 */
async function load(source, name) {
  await build();
  await stream.open(source);
  showInfo(name);
  say('Ready. Press Play.');
}

/** @param {string} [name] */
function showInfo(name) {
  const info = stream.info;
  if (!info) return;
  const title = info.tags.title ?? name ?? $('title').textContent ?? '';
  $('title').textContent = [title, info.tags.artist].filter(Boolean).join(' · ');
  $('meta').textContent =
    `${formatTime(info.duration ?? 0)} · ${info.sampleRate} Hz${info.sampleRate !== ctx.sampleRate ? ` → ${ctx.sampleRate} Hz` : ''} · ${info.channels === 1 ? 'mono' : `${info.channels} ch`} · ${info.codec} in ${info.format}`;
  seek.max = String(info.duration ?? 0);
  if (cover.src) URL.revokeObjectURL(cover.src);
  cover.hidden = !info.cover;
  if (info.cover) cover.src = URL.createObjectURL(info.cover);
}

async function loadSample() {
  await build();
  const buffer = await renderSample(ctx.sampleRate);
  const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c));
  // A float WAV: the stream decodes it back to exactly these samples.
  await load(new Blob([encodeWavFloat(channels, buffer.sampleRate)], { type: 'audio/wav' }), SAMPLE_TITLE);
}

function updateButtons() {
  const state = stream?.state ?? 'idle';
  const has = state !== 'idle' && state !== 'disposed';
  buttons.play.disabled = !has || state === 'playing';
  buttons.pause.disabled = state !== 'playing';
  buttons.stop.disabled = !has || state === 'stopped';
  buttons.restart.disabled = !has;
  buttons.sample.disabled = false;
  seek.disabled = !has || stream.info?.seekable === false;
}

buttons.play.addEventListener('click', () => command(() => stream.play()));
buttons.pause.addEventListener('click', () => command(() => stream.pause()));
buttons.stop.addEventListener('click', () => command(() => stream.stop()));
buttons.restart.addEventListener('click', () => command(() => stream.seek(0)));
loop.addEventListener('change', () => {
  if (stream) stream.loop = loop.checked;
});
seek.addEventListener('input', () => {
  seeking = true;
});
seek.addEventListener('change', () => {
  seeking = false;
  command(() => stream.seek(Math.min(Number(seek.value), stream.info?.duration ?? 0)));
});
wave.addEventListener('pointerdown', (event) => {
  const duration = stream?.info?.duration;
  if (!duration) return;
  const rect = wave.getBoundingClientRect();
  const f = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
  command(() => stream.seek(f * duration));
});
$('file').addEventListener('change', (event) => {
  const input = /** @type {HTMLInputElement} */ (event.target);
  const file = input.files?.[0];
  input.value = '';
  if (file) command(() => load(file, file.name));
});
$('next').addEventListener('change', (event) => {
  const input = /** @type {HTMLInputElement} */ (event.target);
  const file = input.files?.[0];
  input.value = '';
  if (file)
    command(async () => {
      const info = await stream.queue(file);
      say(`Queued ${file.name} (${formatTime(info.duration ?? 0)}): it follows with no gap.`);
    });
});
buttons.sample.addEventListener('click', () => command(loadSample));

expose({
  get ctx() {
    return ctx;
  },
  get stream() {
    return stream;
  },
  get node() {
    return stream?.node ?? null;
  },
  get state() {
    return stream?.state ?? 'idle';
  },
  /** What the ring has played in the track, in frames. */
  position: () => stream?.positionFrames ?? 0,
  samplePeak: SAMPLE_PEAK,
});

say('Rendering the built-in sample with an OfflineAudioContext…');
await command(loadSample);
requestAnimationFrame(draw);

// ---- drawing -----------------------------------------------------------

function drawWave() {
  const { g, width, height } = fitCanvas(wave);
  const p = palette();
  g.fillStyle = p.bg;
  g.fillRect(0, 0, width, height);
  const info = stream?.info;
  if (!info) return;
  const duration = info.duration ?? 0;
  const t = stream.position;
  const head = duration > 0 ? (t / duration) * width : 0;
  // Played part of the track, then the live output (the analyser's latest window).
  g.fillStyle = p.grid;
  for (let s = 1; s < duration; s++) g.fillRect(Math.round((s / duration) * width), 0, 1, height);
  g.fillStyle = p.accent;
  g.globalAlpha = 0.25;
  g.fillRect(0, 0, head, height);
  g.globalAlpha = 1;
  stream.node.analyser.fftSize = scope.length;
  stream.node.analyser.getFloatTimeDomainData(scope);
  const mid = height / 2;
  const scale = (height / 2 - 8) / Math.max(0.05, SAMPLE_PEAK);
  g.strokeStyle = p.accentStrong;
  g.beginPath();
  for (let x = 0; x < width; x++) {
    const y = mid - scope[Math.floor((x / width) * scope.length)] * scale;
    if (x === 0) g.moveTo(x, y);
    else g.lineTo(x, y);
  }
  g.stroke();
  g.fillStyle = p.bright;
  g.fillRect(Math.round(head) - 1, 0, 2, height);
  g.fillStyle = p.text;
  g.font = '11px ui-monospace, monospace';
  g.fillText(formatTime(t), Math.min(width - 50, head + 6), 14);
}

function draw() {
  if (stream && stream.state !== 'disposed') {
    const node = stream.node;
    const s = node.stats();
    const fill = s.availableRead / s.capacityFrames;
    const playing = stream.state === 'playing';
    setGauge($('fill'), fill, `${(fill * 100).toFixed(0)} %`);
    $('fill').classList.toggle('low', playing && fill < 0.25);
    $('fill-ms').textContent = `${((s.availableRead / ctx.sampleRate) * 1000).toFixed(0)} ms buffered`;
    $('underruns').textContent = formatCount(s.underruns);
    $('underruns-stat').classList.toggle('alert', s.underruns > 0);
    $('underruns-stat').classList.toggle('good', s.underruns === 0);
    $('frames').textContent = formatCount(s.framesProcessed);
    $('silent').textContent = formatCount(s.silentFrames);
    const pill = $('state');
    pill.textContent = stream.state;
    pill.className = `state-pill ${stream.state}`;
    const info = stream.info;
    if (info) {
      $('time').textContent = `${formatTime(stream.position)} / ${formatTime(info.duration ?? 0)}`;
      if (!seeking) seek.value = String(stream.position);
    }
    drawWave();
    drawLevels(/** @type {HTMLCanvasElement} */ ($('levels')), node.meters());
  }
  requestAnimationFrame(draw);
}
