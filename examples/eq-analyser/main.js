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

const F_MIN = 20;
const F_MAX = 20000;
/** The response curve's range, ± dB. */
const DB_RANGE = 24;
/** The spectrum's range, dBFS (per FFT bin). */
const SPEC_MIN = -115;
const SPEC_MAX = -25;
const GAIN_TYPES = new Set(['peaking', 'lowshelf', 'highshelf']);
const COLOURS = ['#ff7b7b', '#ffa45c', '#f1d35a', '#8ee07c', '#46d8c4', '#5cb4ff', '#9d8bff', '#e681e6'];

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
let selected = 0;
/** @type {number | null} the band being dragged */
let dragging = null;
/** @type {ReturnType<typeof setInterval> | 0} */
let sweepTimer = 0;

// ---- frequency response (throwaway BiquadFilterNodes) -------------------

const offline = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: ctx.sampleRate });
const filters = Array.from({ length: 8 }, () => new BiquadFilterNode(offline));
/** @type {Float32Array} */
let freqs = new Float32Array(0);
/** @type {Float32Array[]} per band, dB at freqs */
let bandDb = [];
/** @type {Float32Array} */
let totalDb = new Float32Array(0);
let responseDirty = true;

/** @param {number} points */
function ensureFrequencies(points) {
  if (freqs.length === points) return;
  freqs = new Float32Array(points);
  for (let i = 0; i < points; i++) freqs[i] = F_MIN * (F_TOP / F_MIN) ** (i / (points - 1));
  bandDb = Array.from({ length: 8 }, () => new Float32Array(points));
  totalDb = new Float32Array(points);
  responseDirty = true;
}

function computeResponse() {
  const mag = new Float32Array(freqs.length);
  const phase = new Float32Array(freqs.length);
  totalDb.fill(0);
  for (let i = 0; i < 8; i++) {
    const b = node.eq.getBand(i);
    const f = filters[i];
    f.type = b.type;
    f.frequency.value = b.frequency;
    f.Q.value = b.q;
    f.gain.value = b.gainDb;
    f.getFrequencyResponse(freqs, mag, phase);
    for (let k = 0; k < freqs.length; k++) {
      const db = 20 * Math.log10(Math.max(mag[k], 1e-6));
      bandDb[i][k] = db;
      totalDb[k] += db;
    }
  }
  responseDirty = false;
}

// ---- geometry -------------------------------------------------------------

const PAD = { left: 44, right: 50, top: 12, bottom: 24 };
let plot = { x: 0, y: 0, w: 1, h: 1 };

/** @param {number} f */
const xOf = (f) => plot.x + (Math.log(f / F_MIN) / Math.log(F_MAX / F_MIN)) * plot.w;
/** @param {number} x */
const fOf = (x) => F_MIN * (F_MAX / F_MIN) ** ((x - plot.x) / plot.w);
/** @param {number} db */
const yOf = (db) => plot.y + ((DB_RANGE - db) / (2 * DB_RANGE)) * plot.h;
/** @param {number} y */
const dbOf = (y) => DB_RANGE - ((y - plot.y) / plot.h) * 2 * DB_RANGE;
/** @param {number} dbfs */
const ySpec = (dbfs) => plot.y + ((SPEC_MAX - dbfs) / (SPEC_MAX - SPEC_MIN)) * plot.h;

/** The response (dB) at frequency f, from the computed curve. */
function responseAt(/** @type {number} */ f) {
  if (freqs.length === 0) return 0;
  const k = Math.round((Math.log(f / F_MIN) / Math.log(F_TOP / F_MIN)) * (freqs.length - 1));
  return totalDb[Math.min(freqs.length - 1, Math.max(0, k))];
}

/** A band's handle, in canvas CSS pixels. */
function handleXY(/** @type {number} */ i) {
  const b = node.eq.getBand(i);
  const y = GAIN_TYPES.has(b.type) ? b.gainDb : Math.max(-DB_RANGE, Math.min(DB_RANGE, responseAt(b.frequency)));
  return { x: xOf(b.frequency), y: yOf(Math.max(-DB_RANGE, Math.min(DB_RANGE, y))) };
}

// ---- drawing ---------------------------------------------------------------

const spectrum = new Float32Array(node.analyser.frequencyBinCount);
/** @type {Float32Array} per pixel column, dBFS */
let columns = new Float32Array(0);
/** @type {Float32Array} */
let peakHold = new Float32Array(0);

/**
 * On the 'message' transport, getFloatFrequencyData alone can freeze on one
 * snapshot: it asks the worklet for fresh samples only when the snapshot
 * changed, and the request that should follow a new snapshot can be dropped
 * by the 16 ms rate limit. A time-domain read always asks, so do one first.
 */
const keepAlive = new Float32Array(32);
function freshSpectrum(/** @type {Float32Array} */ into) {
  if (node.transport === 'message') node.analyser.getFloatTimeDomainData(keepAlive);
  node.analyser.getFloatFrequencyData(into);
}

function readSpectrum(/** @type {number} */ width) {
  freshSpectrum(spectrum);
  const step = 2;
  const n = Math.ceil(width / step);
  if (columns.length !== n) {
    columns = new Float32Array(n);
    peakHold = new Float32Array(n).fill(SPEC_MIN);
  }
  const binHz = ctx.sampleRate / node.analyser.fftSize;
  for (let c = 0; c < n; c++) {
    const x = plot.x + c * step;
    const f0 = fOf(x);
    const f1 = fOf(x + step);
    const k0 = f0 / binHz;
    const k1 = f1 / binHz;
    let v;
    if (Math.floor(k1) > Math.floor(k0) + 1) {
      // Several bins in this column: their mean power.
      let power = 0;
      let count = 0;
      for (let k = Math.ceil(k0); k <= Math.floor(k1) && k < spectrum.length; k++) {
        power += 10 ** (spectrum[k] / 10);
        count++;
      }
      v = count ? 10 * Math.log10(power / count) : -Infinity;
    } else {
      // Fewer than one bin per column: interpolate between the nearest two.
      const k = Math.min(spectrum.length - 2, Math.max(0, (k0 + k1) / 2));
      const lo = Math.floor(k);
      const t = k - lo;
      v = spectrum[lo] * (1 - t) + spectrum[lo + 1] * t;
    }
    columns[c] = Number.isFinite(v) ? v : SPEC_MIN;
    peakHold[c] = Math.max(columns[c], peakHold[c] - 0.35);
  }
  return step;
}

function drawEq() {
  const { g, width, height } = fitCanvas(canvas);
  plot = { x: PAD.left, y: PAD.top, w: width - PAD.left - PAD.right, h: height - PAD.top - PAD.bottom };
  ensureFrequencies(Math.max(64, Math.round(plot.w / 2)));
  if (responseDirty) computeResponse();
  const p = palette();
  g.fillStyle = p.bg;
  g.fillRect(0, 0, width, height);

  // Grid: decades and their 2x/5x, ±dB lines.
  g.font = '10px ui-monospace, monospace';
  g.textBaseline = 'middle';
  for (const f of [
    20, 30, 40, 50, 60, 70, 80, 90, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 2000, 3000, 4000, 5000, 6000,
    7000, 8000, 9000, 10000, 20000,
  ]) {
    const x = Math.round(xOf(f)) + 0.5;
    const major = [20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000].includes(f);
    g.fillStyle = major ? p.gridStrong : p.grid;
    g.fillRect(x, plot.y, 1, plot.h);
    if (major) {
      g.fillStyle = p.text;
      g.textAlign = 'center';
      g.fillText(f >= 1000 ? `${f / 1000}k` : String(f), Math.min(width - 14, x), height - PAD.bottom / 2 + 1);
    }
  }
  for (let db = -DB_RANGE; db <= DB_RANGE; db += 6) {
    const y = Math.round(yOf(db)) + 0.5;
    g.fillStyle = db === 0 ? '#3a4a60' : p.grid;
    g.fillRect(plot.x, y, plot.w, 1);
    g.fillStyle = db === 0 ? p.bright : p.text;
    g.textAlign = 'right';
    g.fillText(`${db > 0 ? '+' : ''}${db}`.replace('-', '−'), plot.x - 8, y);
  }
  g.textAlign = 'left';
  for (let db = SPEC_MAX; db >= SPEC_MIN; db -= 20) {
    g.fillStyle = '#6c5fae';
    g.fillText(`${db}`.replace('-', '−'), plot.x + plot.w + 8, ySpec(db));
  }
  g.fillStyle = p.text;
  g.save();
  g.translate(10, plot.y + plot.h / 2);
  g.rotate(-Math.PI / 2);
  g.textAlign = 'center';
  g.fillText('EQ dB', 0, 0);
  g.restore();
  g.save();
  g.translate(width - 8, plot.y + plot.h / 2);
  g.rotate(Math.PI / 2);
  g.textAlign = 'center';
  g.fillStyle = '#6c5fae';
  g.fillText('spectrum dBFS', 0, 0);
  g.restore();

  g.save();
  g.beginPath();
  g.rect(plot.x, plot.y, plot.w, plot.h);
  g.clip();

  // Spectrum: filled area, a bright edge and a falling peak line.
  if (started) {
    const step = readSpectrum(width);
    const fill = g.createLinearGradient(0, plot.y, 0, plot.y + plot.h);
    fill.addColorStop(0, 'rgba(164, 139, 250, 0.55)');
    fill.addColorStop(0.6, 'rgba(95, 110, 220, 0.25)');
    fill.addColorStop(1, 'rgba(57, 211, 195, 0.05)');
    g.beginPath();
    g.moveTo(plot.x, plot.y + plot.h);
    for (let c = 0; c < columns.length; c++) g.lineTo(plot.x + c * step, ySpec(columns[c]));
    g.lineTo(plot.x + plot.w, plot.y + plot.h);
    g.closePath();
    g.fillStyle = fill;
    g.fill();
    g.beginPath();
    for (let c = 0; c < columns.length; c++) g.lineTo(plot.x + c * step, ySpec(columns[c]));
    g.strokeStyle = 'rgba(190, 170, 255, 0.85)';
    g.lineWidth = 1.2;
    g.stroke();
    g.beginPath();
    for (let c = 0; c < peakHold.length; c++) g.lineTo(plot.x + c * step, ySpec(peakHold[c]));
    g.strokeStyle = 'rgba(255, 255, 255, 0.18)';
    g.lineWidth = 1;
    g.stroke();
  }

  // The selected band's own curve, faint.
  const sel = bandDb[selected];
  g.beginPath();
  for (let k = 0; k < freqs.length; k++) g.lineTo(xOf(freqs[k]), yOf(sel[k]));
  g.strokeStyle = `${COLOURS[selected]}88`;
  g.lineWidth = 1.5;
  g.setLineDash([4, 4]);
  g.stroke();
  g.setLineDash([]);

  // The total response.
  const bypass = node.eq.bypass;
  const y0 = yOf(0);
  g.beginPath();
  g.moveTo(xOf(freqs[0]), y0);
  for (let k = 0; k < freqs.length; k++) g.lineTo(xOf(freqs[k]), yOf(bypass ? 0 : totalDb[k]));
  g.lineTo(xOf(freqs[freqs.length - 1]), y0);
  g.closePath();
  g.fillStyle = 'rgba(57, 211, 195, 0.10)';
  g.fill();
  g.beginPath();
  for (let k = 0; k < freqs.length; k++) g.lineTo(xOf(freqs[k]), yOf(bypass ? 0 : totalDb[k]));
  g.strokeStyle = bypass ? p.text : p.accentStrong;
  g.lineWidth = 2.5;
  g.shadowColor = p.accent;
  g.shadowBlur = bypass ? 0 : 10;
  if (bypass) g.setLineDash([6, 5]);
  g.stroke();
  g.setLineDash([]);
  g.shadowBlur = 0;
  g.restore();

  // Handles.
  g.font = '700 10px ui-monospace, monospace';
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  for (let i = 0; i < 8; i++) {
    const { x, y } = handleXY(i);
    const isSel = i === selected;
    g.beginPath();
    g.arc(x, y, isSel ? 10 : 8.5, 0, Math.PI * 2);
    g.fillStyle = COLOURS[i];
    g.globalAlpha = bypass ? 0.45 : 1;
    g.fill();
    if (isSel) {
      g.lineWidth = 2;
      g.strokeStyle = '#ffffff';
      g.stroke();
    }
    g.fillStyle = '#0a0f14';
    g.fillText(String(i + 1), x, y + 0.5);
    g.globalAlpha = 1;
  }
}

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
  drawEq();
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
  cell.style.setProperty('--band-colour', COLOURS[i]);
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
    cell.classList.toggle('selected', i === selected);
  }
  const b = node.eq.getBand(selected);
  const chip = $('band-chip');
  chip.textContent = String(selected + 1);
  chip.style.setProperty('--band-colour', COLOURS[selected]);
  /** @type {HTMLSelectElement} */ ($('band-type')).value = b.type;
  const freqInput = /** @type {HTMLInputElement} */ ($('band-freq'));
  const qInput = /** @type {HTMLInputElement} */ ($('band-q'));
  if (document.activeElement !== freqInput) freqInput.value = String(Math.round(b.frequency));
  if (document.activeElement !== qInput) qInput.value = b.q.toFixed(2);
  $('readout').textContent =
    `band ${selected + 1}: ${b.type} · ${Math.round(b.frequency)} Hz · Q ${b.q.toFixed(2)}${GAIN_TYPES.has(b.type) ? ` · ${b.gainDb > 0 ? '+' : ''}${b.gainDb.toFixed(1)} dB` : ''}`;
}

/** @param {number} i */
function select(i) {
  selected = i;
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
    responseDirty = true;
    refreshBands();
  } catch (error) {
    showError(error, `band ${i + 1}`);
  }
}

$('band-type').addEventListener('change', (e) =>
  applyBand(selected, { type: /** @type {BiquadType} */ (/** @type {HTMLSelectElement} */ (e.target).value) }),
);
$('band-freq').addEventListener('change', (e) =>
  applyBand(selected, { frequency: Number(/** @type {HTMLInputElement} */ (e.target).value) }),
);
$('band-q').addEventListener('change', (e) =>
  applyBand(selected, { q: Number(/** @type {HTMLInputElement} */ (e.target).value) }),
);

// Dragging handles on the canvas.
/** @param {PointerEvent | WheelEvent | MouseEvent} e */
function local(e) {
  const r = canvas.getBoundingClientRect();
  return { x: e.clientX - r.left, y: e.clientY - r.top };
}
/** @param {{ x: number, y: number }} at */
function nearestHandle(at) {
  let best = -1;
  let bestD = 18;
  for (let i = 0; i < 8; i++) {
    const h = handleXY(i);
    const d = Math.hypot(h.x - at.x, h.y - at.y);
    if (d < bestD) {
      best = i;
      bestD = d;
    }
  }
  return best;
}
canvas.addEventListener('pointerdown', (e) => {
  const i = nearestHandle(local(e));
  if (i < 0) return;
  dragging = i;
  select(i);
  canvas.setPointerCapture(e.pointerId);
  e.preventDefault();
});
canvas.addEventListener('pointermove', (e) => {
  const at = local(e);
  if (dragging === null) {
    canvas.style.cursor = nearestHandle(at) >= 0 ? 'grab' : 'default';
    return;
  }
  canvas.style.cursor = 'grabbing';
  const b = node.eq.getBand(dragging);
  const frequency = Math.round(Math.min(F_TOP, Math.max(F_MIN, fOf(at.x))));
  /** @type {Partial<EqBand>} */
  const change = { frequency };
  if (GAIN_TYPES.has(b.type)) change.gainDb = Math.round(Math.min(DB_RANGE, Math.max(-DB_RANGE, dbOf(at.y))) * 10) / 10;
  applyBand(dragging, change);
});
const endDrag = () => {
  dragging = null;
  canvas.style.cursor = 'default';
};
canvas.addEventListener('pointerup', endDrag);
canvas.addEventListener('pointercancel', endDrag);
canvas.addEventListener(
  'wheel',
  (e) => {
    const i = nearestHandle(local(e));
    if (i < 0) return;
    e.preventDefault();
    select(i);
    const q = node.eq.getBand(i).q * Math.exp(-e.deltaY * 0.0015);
    applyBand(i, { q: Math.round(Math.min(30, Math.max(0.1, q)) * 100) / 100 });
  },
  { passive: false },
);
canvas.addEventListener('dblclick', (e) => {
  const i = nearestHandle(local(e));
  if (i >= 0) applyBand(i, { gainDb: 0 });
});

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
  freshSpectrum(data);
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
  handlePosition(/** @type {number} */ i) {
    const r = canvas.getBoundingClientRect();
    const h = handleXY(i);
    return { x: r.left + h.x, y: r.top + h.y };
  },
});
