// eq-analyser: a desktop player's EQ screen on one ringlet source node.
// The node's generator (or the streamed sample) feeds its chain; the page
// draws the EQ's response, the node's analyser and its meters.
import { RingletNode } from '../../dist/ringlet.js';
import {
  $,
  expose,
  fitCanvas,
  openAudio,
  palette,
  showError,
  showIsolation,
  showTransport,
  toDb,
} from '../shared/ui.js';
import { renderSample } from '../shared/sample.js';
import { StreamClient } from '../shared/stream-client.js';
import { fillPresetSelect, presetBands } from '../shared/presets.js';
import { BAND_COLOURS, EqCurve, GAIN_TYPES, freshSpectrum } from '../shared/eq-curve.js';

const F_MIN = 20;
const F_MAX = 20000;
/** The sliders' range, ± dB (the curve's too). */
const DB_RANGE = 24;
/** @typedef {import('../../types/index.js').EqBand} EqBand */
/** @typedef {import('../../types/index.js').BiquadType} BiquadType */

showIsolation();
const canvas = /** @type {HTMLCanvasElement} */ ($('eq'));
const meterCanvas = /** @type {HTMLCanvasElement} */ ($('meters'));
const startButton = /** @type {HTMLButtonElement} */ ($('start'));
const sourceSelect = /** @type {HTMLSelectElement} */ ($('source'));
const level = /** @type {HTMLInputElement} */ ($('level'));
const tone = /** @type {HTMLInputElement} */ ($('tone'));

const { ctx, running } = await openAudio();
const samplePromise = renderSample(ctx.sampleRate);
await running;
const node = await RingletNode.create(ctx, { mode: 'source', channels: 2, capacityFrames: 8192 });
const monitor = new GainNode(ctx, { gain: 1 });
node.connect(monitor).connect(ctx.destination);
showTransport(node);
node.analyser.fftSize = 16384;
node.analyser.smoothingTimeConstant = 0.72;
const NYQUIST = ctx.sampleRate / 2;
const F_TOP = Math.min(F_MAX, NYQUIST - 1);

/** @type {StreamClient | null} */
let stream = null;
let started = false;
/** @type {ReturnType<typeof setInterval> | 0} */
let sweepTimer = 0;

// ---- the response curve and the spectrum (shared/eq-curve.js) ---------------

const curve = new EqCurve(canvas, {
  eq: node.eq,
  sampleRate: ctx.sampleRate,
  apply: (i, change) => applyBand(i, change),
  onSelect: () => refreshBands(),
  spectrumOf: node,
  showSpectrum: () => started,
});

function drawMeters() {
  const { g, width, height } = fitCanvas(meterCanvas);
  const p = palette();
  const m = node.meters();
  g.fillStyle = p.bg;
  g.fillRect(0, 0, width, height);
  const floor = -60;
  const top = 14;
  const bottom = height - 18;
  const yOfDbfs = (/** @type {number} */ db) =>
    bottom - (bottom - top) * Math.min(1, Math.max(0, (db - floor) / -floor));
  const barW = Math.min(30, (width - 60) / 2);
  const x0 = Math.max(34, (width - 2 * barW - 6) / 2 + 10);
  g.font = '10px ui-monospace, monospace';
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (let db = 0; db >= floor; db -= 6) {
    const y = Math.round(yOfDbfs(db)) + 0.5;
    g.fillStyle = p.grid;
    g.fillRect(x0 - 4, y, 2 * barW + 14, 1);
    if (db % 12 === 0) {
      g.fillStyle = p.text;
      g.fillText(String(db).replace('-', '−'), x0 - 8, y);
    }
  }
  const gradient = g.createLinearGradient(0, bottom, 0, top);
  gradient.addColorStop(0, p.accent2);
  gradient.addColorStop(0.7, p.accent);
  gradient.addColorStop(0.9, p.warn);
  gradient.addColorStop(1, p.bad);
  g.textAlign = 'center';
  for (let c = 0; c < 2; c++) {
    const x = x0 + c * (barW + 6);
    g.fillStyle = '#121820';
    g.fillRect(x, top, barW, bottom - top);
    const ry = yOfDbfs(toDb(m.rms[c]));
    g.fillStyle = gradient;
    g.fillRect(x, ry, barW, bottom - ry);
    const py = yOfDbfs(toDb(m.peak[c]));
    if (py < bottom - 1) {
      g.fillStyle = p.bright;
      g.fillRect(x, py - 1, barW, 2.5);
    }
    g.fillStyle = m.clips[c] > 0 ? p.bad : '#2a1518';
    g.fillRect(x, 2, barW, 6);
    g.fillStyle = p.text;
    g.fillText(c ? 'R' : 'L', x + barW / 2, height - 8);
  }
  $('peak').textContent = `${shortDb(m.peak[0])} ${shortDb(m.peak[1])}`;
  $('rms').textContent = `${shortDb(m.rms[0])} ${shortDb(m.rms[1])}`;
  $('clips').textContent = `${m.clips[0]} · ${m.clips[1]}`;
}

/** @param {number} linear */
function shortDb(linear) {
  const db = toDb(linear);
  return db < -99 ? '−∞' : db.toFixed(1).replace('-', '−');
}

function frame() {
  curve.draw();
  drawMeters();
  requestAnimationFrame(frame);
}

// ---- bands UI ---------------------------------------------------------------

const bandsEl = $('bands');
/** @type {HTMLInputElement[]} */
const sliders = [];
for (let i = 0; i < 8; i++) {
  const cell = document.createElement('div');
  cell.className = 'band';
  cell.style.setProperty('--band-colour', BAND_COLOURS[i]);
  const slider = document.createElement('input');
  slider.type = 'range';
  slider.min = String(-DB_RANGE);
  slider.max = String(DB_RANGE);
  slider.step = '0.5';
  slider.id = `band-${i}`;
  slider.addEventListener('input', () => applyBand(i, { gainDb: Number(slider.value) }));
  slider.addEventListener('focus', () => select(i));
  slider.addEventListener('pointerdown', () => select(i));
  const dot = document.createElement('span');
  dot.className = 'dot';
  dot.setAttribute('aria-hidden', 'true');
  const freq = document.createElement('span');
  freq.className = 'freq';
  const db = document.createElement('span');
  db.className = 'db';
  cell.append(db, slider, dot, freq);
  bandsEl.append(cell);
  sliders.push(slider);
}

/** @param {number} f */
const formatHz = (f) => (f >= 1000 ? `${(f / 1000).toFixed(f >= 10000 ? 0 : 1)}k` : f.toFixed(0));

function refreshBands() {
  for (let i = 0; i < 8; i++) {
    const b = node.eq.getBand(i);
    const cell = /** @type {HTMLElement} */ (bandsEl.children[i]);
    const gainType = GAIN_TYPES.has(b.type);
    sliders[i].value = String(b.gainDb);
    sliders[i].disabled = !gainType;
    sliders[i].setAttribute('aria-label', `Band ${i + 1} gain, ${b.type} at ${Math.round(b.frequency)} Hz`);
    /** @type {HTMLElement} */ (cell.querySelector('.freq')).textContent = formatHz(b.frequency);
    /** @type {HTMLElement} */ (cell.querySelector('.db')).textContent = gainType
      ? `${b.gainDb > 0 ? '+' : ''}${b.gainDb.toFixed(1)}`
      : b.type.slice(0, 5);
    cell.classList.toggle('selected', i === curve.selected);
  }
  const b = node.eq.getBand(curve.selected);
  const chip = $('band-chip');
  chip.textContent = String(curve.selected + 1);
  chip.style.setProperty('--band-colour', BAND_COLOURS[curve.selected]);
  /** @type {HTMLSelectElement} */ ($('band-type')).value = b.type;
  const freqInput = /** @type {HTMLInputElement} */ ($('band-freq'));
  const qInput = /** @type {HTMLInputElement} */ ($('band-q'));
  if (document.activeElement !== freqInput) freqInput.value = String(Math.round(b.frequency));
  if (document.activeElement !== qInput) qInput.value = b.q.toFixed(2);
  $('readout').textContent =
    `band ${curve.selected + 1}: ${b.type} · ${Math.round(b.frequency)} Hz · Q ${b.q.toFixed(2)}${GAIN_TYPES.has(b.type) ? ` · ${b.gainDb > 0 ? '+' : ''}${b.gainDb.toFixed(1)} dB` : ''}`;
}

/** @param {number} i */
function select(i) {
  curve.selected = i;
  refreshBands();
}

/**
 * Sets a band, showing a refused value's message instead of throwing.
 * @param {number} i
 * @param {Partial<EqBand>} band
 */
function applyBand(i, band) {
  try {
    node.eq.setBand(i, band);
    curve.invalidate();
    refreshBands();
  } catch (error) {
    showError(error, `band ${i + 1}`);
  }
}

$('band-type').addEventListener('change', (e) =>
  applyBand(curve.selected, { type: /** @type {BiquadType} */ (/** @type {HTMLSelectElement} */ (e.target).value) }),
);
$('band-freq').addEventListener('change', (e) =>
  applyBand(curve.selected, { frequency: Number(/** @type {HTMLInputElement} */ (e.target).value) }),
);
$('band-q').addEventListener('change', (e) =>
  applyBand(curve.selected, { q: Number(/** @type {HTMLInputElement} */ (e.target).value) }),
);

// ---- presets, bypass, gain --------------------------------------------------

fillPresetSelect(/** @type {HTMLSelectElement} */ ($('preset')));
$('preset').addEventListener('change', (e) => {
  presetBands(/** @type {HTMLSelectElement} */ (e.target).value).forEach((band, i) => applyBand(i, band));
});
$('bypass').addEventListener('change', (e) => {
  node.eq.bypass = /** @type {HTMLInputElement} */ (e.target).checked;
});
$('gain').addEventListener('input', (e) => {
  const db = Number(/** @type {HTMLInputElement} */ (e.target).value);
  node.gain.value = 10 ** (db / 20);
  $('gain-out').textContent = `${db > 0 ? '+' : ''}${db.toFixed(1)} dB`;
});
$('monitor').addEventListener('change', (e) => {
  monitor.gain.setTargetAtTime(/** @type {HTMLInputElement} */ (e.target).checked ? 1 : 0, ctx.currentTime, 0.02);
});

// ---- the signal -------------------------------------------------------------

async function applySource() {
  const type = sourceSelect.value;
  clearInterval(sweepTimer);
  sweepTimer = 0;
  tone.disabled = !(type === 'sine' || type === 'sawtooth');
  level.disabled = type === 'sample';
  if (!started) {
    // A silent generator holds the node's input: the streamed sample (if
    // any) waits in its ring, unread, so stopping causes no underruns and
    // Start resumes it where it was.
    if (node.generator.started || stream) {
      node.generator.set({ amplitude: 0 });
      node.generator.start();
    }
    return;
  }
  if (type === 'sample') {
    node.generator.stop();
    if (!stream) {
      stream = new StreamClient(node, { onError: (m) => showError(new Error(m), 'streamer') });
      stream.load(await samplePromise);
      stream.setLoop(true);
      stream.play(0);
    }
    return;
  }
  const amplitude = Number(level.value);
  if (type === 'sweep') {
    node.generator.set({ type, frequency: F_MIN, endFrequency: F_TOP, durationSeconds: 8, amplitude });
    // The sweep holds its end frequency: restart it for a continuous display.
    sweepTimer = setInterval(() => {
      node.generator.stop();
      node.generator.start();
    }, 8000);
  } else {
    node.generator.set({
      type: /** @type {import('../../types/index.js').GeneratorType} */ (type),
      amplitude,
      frequency: Number(tone.value),
    });
  }
  node.generator.start();
}

sourceSelect.addEventListener('change', () => applySource().catch((e) => showError(e, 'source')));
level.addEventListener('input', () => {
  if (started && sourceSelect.value !== 'sample') node.generator.set({ amplitude: Number(level.value) });
});
tone.addEventListener('change', () => {
  try {
    node.generator.set({ frequency: Number(tone.value) });
  } catch (error) {
    showError(error, 'tone');
  }
});

startButton.addEventListener('click', () => {
  started = !started;
  /** @type {HTMLElement} */ (startButton.querySelector('span')).textContent = started ? 'Stop' : 'Start';
  startButton.classList.toggle('primary', !started);
  /** @type {SVGPathElement} */ (startButton.querySelector('path')).setAttribute(
    'd',
    started ? 'M3 3h10v10H3z' : 'M4 2.5v11l9.5-5.5z',
  );
  applySource().catch((e) => showError(e, 'source'));
});

startButton.disabled = false;
refreshBands();
applySource();
requestAnimationFrame(frame);

/** The loudest spectrum level (dBFS) within ±1/6 octave of f, for tests. */
function spectrumAt(/** @type {number} */ f) {
  const data = new Float32Array(node.analyser.frequencyBinCount);
  freshSpectrum(node, data);
  const binHz = ctx.sampleRate / node.analyser.fftSize;
  let sum = 0;
  let n = 0;
  for (let k = Math.floor((f * 2 ** -(1 / 6)) / binHz); k <= Math.ceil((f * 2 ** (1 / 6)) / binHz); k++) {
    sum += data[k];
    n++;
  }
  return sum / n;
}

expose({
  ctx,
  node,
  spectrumAt,
  /** Client (viewport) coordinates of band i's handle. */
  handlePosition: (/** @type {number} */ i) => curve.handlePosition(i),
});
