// offline-render: a buffer through the node chain with renderOffline() on a
// WorkerPool, then loudness before and after with the pool's 'analyze' task,
// and a WAV to download. No AudioContext is needed except to listen.
import * as ringlet from '../../dist/ringlet.js';
import {
  $,
  expose,
  fitCanvas,
  formatBytes,
  formatCount,
  formatTime,
  palette,
  setGauge,
  showError,
  showIsolation,
} from '../shared/ui.js';
import { renderSample, SAMPLE_SECONDS } from '../shared/sample.js';
import { encodeWav } from '../shared/wav.js';
import { fillPresetSelect, presetBands, responseDb } from '../shared/presets.js';

const SAMPLE_RATE = 48000;
const SEGMENT_FRAMES = 65536;

showIsolation();
const renderButton = /** @type {HTMLButtonElement} */ ($('render'));
const cancelButton = /** @type {HTMLButtonElement} */ ($('cancel'));
const download = /** @type {HTMLAnchorElement} */ ($('download'));
const lengthSelect = /** @type {HTMLSelectElement} */ ($('length'));
const gainInput = /** @type {HTMLInputElement} */ ($('gain'));
const ceilingInput = /** @type {HTMLInputElement} */ ($('ceiling'));
const limiterOn = /** @type {HTMLInputElement} */ ($('limiter-on'));
fillPresetSelect(/** @type {HTMLSelectElement} */ ($('preset')), 'loudness');

/**
 * renderOffline arrived in ringlet after these examples were started: look it
 * up at run time, so a build without it shows a clear state, not a SyntaxError.
 * @type {((input: AudioBuffer, chain?: object, options?: object) => Promise<AudioBuffer>) | undefined}
 */
const renderOffline = /** @type {any} */ (ringlet).renderOffline;

/** @type {AudioBuffer | null} the loop or the decoded file, before repeating */
let base = null;
let baseTitle = '';
/** @type {AudioBuffer | null} */
let input = null;
/** @type {AudioBuffer | null} */
let output = null;
/** @type {AbortController | null} */
let controller = null;
/** @typedef {'idle' | 'rendering' | 'analysing' | 'done' | 'cancelled' | 'failed' | 'unavailable'} RenderState */
/** @type {RenderState} */
let state = 'idle';
let progress = 0;
/** @type {{ before: any, after: any }} */
const loudness = { before: null, after: null };

const pool = new ringlet.WorkerPool({ maxWorkers: 2, idleTimeoutMs: 30000 });

if (typeof renderOffline !== 'function') {
  state = 'unavailable';
  const box = $('unavailable');
  box.hidden = false;
  box.textContent =
    'Not available yet: this build of ringlet does not export renderOffline (lib/offline/render.js). ' +
    'Rebuild with `npm run build` once it lands; the rest of this page is disabled until then.';
  $('render-state').textContent = 'not available';
}

// ---- input -------------------------------------------------------------------

/** Repeats `base` to the chosen length (a long input makes progress and Cancel visible). */
function buildInput() {
  if (!base) return;
  const times = base === sampleBuffer ? Number(lengthSelect.value) : 1;
  const frames = base.length * times;
  const buffer = new AudioBuffer({
    numberOfChannels: base.numberOfChannels,
    length: frames,
    sampleRate: base.sampleRate,
  });
  for (let c = 0; c < base.numberOfChannels; c++) {
    const src = base.getChannelData(c);
    const dst = buffer.getChannelData(c);
    for (let k = 0; k < times; k++) dst.set(src, k * base.length);
  }
  input = buffer;
  output = null;
  loudness.before = null;
  loudness.after = null;
  download.hidden = true;
  $('in-meta').textContent =
    `${baseTitle} · ${formatTime(buffer.duration)} · ${buffer.numberOfChannels} ch · ${buffer.sampleRate} Hz · ${formatCount(frames)} frames`;
  lengthSelect.disabled = base !== sampleBuffer;
  setState(typeof renderOffline === 'function' ? 'idle' : 'unavailable');
  showLoudness();
  if (typeof renderOffline === 'function') analyse(buffer, 'before');
}

/** @type {AudioBuffer | null} */
let sampleBuffer = null;
async function useSample() {
  sampleBuffer ??= await renderSample(SAMPLE_RATE);
  base = sampleBuffer;
  baseTitle = 'generated loop';
  buildInput();
}

$('file').addEventListener('change', async (event) => {
  const el = /** @type {HTMLInputElement} */ (event.target);
  const file = el.files?.[0];
  el.value = '';
  if (!file) return;
  try {
    // decodeAudioData resamples to its context's rate; a 1-frame offline context is enough to decode.
    const decoder = new OfflineAudioContext({ numberOfChannels: 1, length: 1, sampleRate: SAMPLE_RATE });
    base = await decoder.decodeAudioData(await file.arrayBuffer());
    baseTitle = file.name;
    $('in-note').textContent =
      `${file.name}, decoded on the main thread with decodeAudioData and resampled to ${SAMPLE_RATE} Hz.`;
    buildInput();
  } catch (error) {
    showError(error, `could not decode ${file.name}`);
  }
});
$('use-sample').addEventListener('click', () => {
  $('in-note').textContent =
    `The generated loop (${SAMPLE_SECONDS} s, ${SAMPLE_RATE / 1000} kHz stereo, peak −3 dBFS), repeated to the chosen length.`;
  useSample();
});
lengthSelect.addEventListener('change', buildInput);

// ---- chain -----------------------------------------------------------------------

/** @param {number} db */
const signedDb = (db) => `${db > 0 ? '+' : ''}${db.toFixed(1)}`.replace('-', '−');
gainInput.addEventListener('input', () => {
  $('gain-out').textContent = `${signedDb(Number(gainInput.value))} dB`;
});
ceilingInput.addEventListener('input', () => {
  $('ceiling-out').textContent = `${signedDb(Number(ceilingInput.value))} dBFS`;
});
limiterOn.addEventListener('change', () => {
  ceilingInput.disabled = !limiterOn.checked;
});

function chain() {
  return {
    gain: 10 ** (Number(gainInput.value) / 20),
    eq: { bands: presetBands(/** @type {HTMLSelectElement} */ ($('preset')).value) },
    limiter: { ceilingDb: Number(ceilingInput.value), attackMs: 1, releaseMs: 120, bypass: !limiterOn.checked },
  };
}

// ---- render -----------------------------------------------------------------------

/** The progress bar; drawn each frame while rendering, and at once on every state change. */
function showProgress() {
  setGauge($('progress'), progress, `${(progress * 100).toFixed(0)} %`);
}

/**
 * Shows `next` and, with it, the progress it ends on: frames may not come
 * between a quick render's last progress and its end (a hidden or throttled
 * tab), and 'done' must never stand beside a stale percentage.
 * @param {RenderState} next
 */
function setState(next) {
  state = next;
  $('render-state').textContent = next;
  showProgress();
  const available = typeof renderOffline === 'function';
  renderButton.disabled = !available || !input || next === 'rendering' || next === 'analysing';
  cancelButton.disabled = next !== 'rendering';
  /** @type {HTMLButtonElement} */ ($('play-in')).disabled = !input;
  /** @type {HTMLButtonElement} */ ($('play-out')).disabled = !output;
}

renderButton.addEventListener('click', async () => {
  if (!input || typeof renderOffline !== 'function') return;
  controller = new AbortController();
  output = null;
  loudness.after = null;
  showLoudness();
  download.hidden = true;
  progress = 0;
  setState('rendering');
  const segments = Math.ceil(input.length / SEGMENT_FRAMES);
  $('segments').textContent =
    `${segments} segments of ${formatCount(SEGMENT_FRAMES)} frames, pipelined over ${pool.stats().workers || 'the'} workers`;
  const started = performance.now();
  try {
    const rendered = await renderOffline(input, chain(), {
      pool,
      segmentFrames: SEGMENT_FRAMES,
      signal: controller.signal,
      onProgress: (/** @type {number} */ f) => {
        progress = f;
      },
      onSegment: (/** @type {any} */ info) => {
        $('segments').textContent =
          `segment ${info.index + 1} of ${segments} done on ${info.worker || 'a worker'}${info.restored ? ", continuing the previous segment's state" : ''}`;
      },
    });
    const ms = performance.now() - started;
    output = rendered;
    $('segments').textContent =
      `${segments} segments, ${formatTime(rendered.duration)} of audio in ${ms.toFixed(0)} ms (${(rendered.duration / (ms / 1000)).toFixed(0)}× real time)`;
    makeDownload(rendered);
    setState('analysing');
    await analyse(rendered, 'after');
    setState('done');
  } catch (error) {
    const e = /** @type {any} */ (error);
    if (e?.name === 'AbortError' || e?.code === 'ABORTED') {
      setState('cancelled');
      $('segments').textContent =
        'Cancelled: the segments still queued or running were dropped, and their workers replaced.';
    } else {
      setState('failed');
      showError(error, 'render');
    }
  } finally {
    controller = null;
  }
});
cancelButton.addEventListener('click', () => controller?.abort(new Error('cancelled by the user')));

/** @param {AudioBuffer} buffer */
function makeDownload(buffer) {
  const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c));
  const blob = new Blob([encodeWav(channels, buffer.sampleRate)], { type: 'audio/wav' });
  if (download.href) URL.revokeObjectURL(download.href);
  download.href = URL.createObjectURL(blob);
  download.download = 'ringlet-render.wav';
  download.dataset.frames = String(buffer.length);
  download.textContent = `Download WAV · ${formatBytes(blob.size)}`;
  download.hidden = false;
}

/**
 * Loudness, peak and RMS of `buffer` from the pool's built-in 'analyze' task.
 * @param {AudioBuffer} buffer
 * @param {'before' | 'after'} which
 */
async function analyse(buffer, which) {
  const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c).slice());
  try {
    const result = await pool.run(
      'analyze',
      { channels, sampleRate: buffer.sampleRate },
      { transfer: channels.map((c) => c.buffer) },
    );
    if (which === 'before' && buffer !== input) return;
    loudness[which] = result;
  } catch (error) {
    loudness[which] = { error: /** @type {any} */ (error)?.code ?? String(error) };
    showError(error, `analyze (${which})`);
  }
  showLoudness();
}

function showLoudness() {
  /** @param {number} v @param {string} unit */
  const fmt = (v, unit) =>
    Number.isFinite(v) ? `${v.toFixed(1).replace('-', '−')} ${unit}` : v === -Infinity ? `−∞ ${unit}` : '—';
  for (const which of /** @type {const} */ (['before', 'after'])) {
    const r = loudness[which];
    $(`lufs-${which}`).textContent = r?.error ? 'n/a' : r ? fmt(r.lufs, 'LUFS') : '—';
    $(`peak-${which}`).textContent = r?.error ? 'n/a' : r ? fmt(r.peakDb, 'dBFS') : '—';
    $(`rms-${which}`).textContent = r?.error ? 'n/a' : r ? fmt(r.rmsDb, 'dBFS') : '—';
  }
}

// ---- listening ---------------------------------------------------------------------

/** @type {AudioContext | null} */
let listenCtx = null;
/** @type {AudioBufferSourceNode | null} */
let playing = null;
/** @param {AudioBuffer | null} buffer */
async function play(buffer) {
  if (!buffer) return;
  listenCtx ??= new AudioContext();
  await Promise.race([listenCtx.resume(), new Promise((r) => setTimeout(r, 1000))]);
  playing?.stop();
  playing = new AudioBufferSourceNode(listenCtx, { buffer });
  playing.connect(listenCtx.destination);
  playing.start();
  /** @type {HTMLButtonElement} */ ($('play-stop')).disabled = false;
}
$('play-in').addEventListener('click', () => play(input));
$('play-out').addEventListener('click', () => play(output));
$('play-stop').addEventListener('click', () => {
  playing?.stop();
  playing = null;
});

// ---- drawing --------------------------------------------------------------------------

function drawCompare() {
  const canvas = /** @type {HTMLCanvasElement} */ ($('compare'));
  const { g, width, height } = fitCanvas(canvas);
  const p = palette();
  g.fillStyle = p.bg;
  g.fillRect(0, 0, width, height);
  if (!input) return;
  const mid = height / 2;
  const scale = height / 2 - 6;
  // Show at most the first 16 s, where the detail is visible.
  const frames = Math.min(input.length, input.sampleRate * 16);
  /** @param {AudioBuffer} buffer @param {string} colour */
  const envelope = (buffer, colour) => {
    const per = frames / width;
    g.fillStyle = colour;
    for (let x = 0; x < width; x++) {
      let lo = 0;
      let hi = 0;
      const end = Math.min(frames, Math.floor((x + 1) * per));
      for (let c = 0; c < buffer.numberOfChannels; c++) {
        const d = buffer.getChannelData(c);
        for (let i = Math.floor(x * per); i < end; i += 4) {
          const v = d[i];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      g.fillRect(x, mid - hi * scale, 1, Math.max(1, (hi - lo) * scale));
    }
  };
  // The rendered signal behind, the input over it: the difference shows as the teal margin.
  if (output) envelope(output, p.accent);
  g.globalAlpha = output ? 0.75 : 1;
  envelope(input, output ? '#9aa8bd' : '#4a5870');
  g.globalAlpha = 1;
  if (limiterOn.checked) {
    const ceiling = 10 ** (Number(ceilingInput.value) / 20);
    g.fillStyle = p.bad;
    g.fillRect(0, Math.round(mid - ceiling * scale), width, 1);
    g.fillRect(0, Math.round(mid + ceiling * scale), width, 1);
  }
  g.fillStyle = p.text;
  g.font = '10px ui-monospace, monospace';
  g.fillText(`first ${formatTime(frames / input.sampleRate)}`, 6, 12);
}

function drawCurve() {
  const canvas = /** @type {HTMLCanvasElement} */ ($('curve'));
  const { g, width, height } = fitCanvas(canvas);
  const p = palette();
  g.fillStyle = p.bg;
  g.fillRect(0, 0, width, height);
  const freqs = new Float32Array(width);
  for (let x = 0; x < width; x++) freqs[x] = 20 * 1000 ** (x / (width - 1));
  const db = responseDb(presetBands(/** @type {HTMLSelectElement} */ ($('preset')).value), SAMPLE_RATE, freqs);
  const gain = Number(gainInput.value);
  const y = (/** @type {number} */ v) => height / 2 - (v / 24) * (height / 2 - 4);
  g.fillStyle = p.grid;
  g.fillRect(0, Math.round(y(0)), width, 1);
  for (const f of [100, 1000, 10000]) g.fillRect(Math.round((Math.log10(f / 20) / 3) * (width - 1)), 0, 1, height);
  g.beginPath();
  for (let x = 0; x < width; x++) g.lineTo(x, y(db[x] + gain));
  g.strokeStyle = p.accentStrong;
  g.lineWidth = 2;
  g.stroke();
  g.fillStyle = p.text;
  g.font = '10px ui-monospace, monospace';
  g.textAlign = 'right';
  g.fillText('EQ + gain · ±24 dB', width - 6, height - 6);
  g.textAlign = 'left';
}

let drawnKey = '';
let curveKey = '';
function frame() {
  const ck = `${/** @type {HTMLSelectElement} */ ($('preset')).value}:${gainInput.value}:${$('curve').clientWidth}`;
  if (ck !== curveKey) {
    curveKey = ck;
    drawCurve();
  }
  showProgress();
  const key = `${input?.length}:${output ? 1 : 0}:${limiterOn.checked}:${ceilingInput.value}:${$('compare').clientWidth}`;
  if (key !== drawnKey) {
    drawnKey = key;
    drawCompare();
  }
  $('workers').textContent = String(pool.stats().workers);
  requestAnimationFrame(frame);
}

setState(typeof renderOffline === 'function' ? 'idle' : 'unavailable');
requestAnimationFrame(frame);
try {
  await useSample();
} catch (error) {
  showError(error, 'rendering the sample');
}
expose({
  pool,
  renderOffline,
  get input() {
    return input;
  },
  get output() {
    return output;
  },
  get state() {
    return state;
  },
  get progress() {
    return progress;
  },
  get loudness() {
    return loudness;
  },
});
