// The Spectrum tab: the node's analyser drawn every animation frame as bars,
// a line, a filled area or a circle, with falling peak hold. Main thread.
import { $, fitCanvas, palette } from '../shared/ui.js';
import { freshSpectrum } from '../shared/eq-curve.js';

const BANDS = 72;
const F_LO = 30;
const F_HI = 16000;
const DB_FLOOR = -100;
const DB_TOP = -20;
/** Peak hold falls this fast, in units of the full range per second. */
const PEAK_FALL = 0.35;

/** @typedef {'bars' | 'line' | 'filled' | 'circular'} SpectrumMode */

/**
 * @param {object} app
 * @param {import('../../types/index.js').RingletNode<'source'>} app.node
 * @param {AudioContext} app.ctx
 * @param {() => boolean} app.visible
 */
export function mountSpectrum({ node, ctx, visible }) {
  const canvas = /** @type {HTMLCanvasElement} */ ($('spectrum'));
  const group = $('spectrum-modes');
  const radios = /** @type {HTMLButtonElement[]} */ ([...group.querySelectorAll('[role="radio"]')]);
  const peakHold = /** @type {HTMLInputElement} */ ($('peak-hold'));
  /** @type {SpectrumMode} */
  let mode = /** @type {SpectrumMode} */ (localStorage.getItem('ringlet-player:spectrum') || 'bars');
  let data = new Float32Array(node.analyser.frequencyBinCount);
  /** Per band, 0 .. 1 of the range. */
  const levels = new Float32Array(BANDS);
  const peaks = new Float32Array(BANDS);
  let last = performance.now();
  let frames = 0;
  let fpsFrom = last;
  let fps = 0;
  let drawn = 0;

  /** @param {SpectrumMode} next */
  function setMode(next) {
    mode = next;
    localStorage.setItem('ringlet-player:spectrum', next);
    for (const r of radios) {
      const on = r.dataset.mode === next;
      r.setAttribute('aria-checked', String(on));
      r.tabIndex = on ? 0 : -1;
    }
    canvas.setAttribute('aria-label', `Spectrum of the output, ${next}`);
  }
  for (const r of radios) r.addEventListener('click', () => setMode(/** @type {SpectrumMode} */ (r.dataset.mode)));
  group.addEventListener('keydown', (e) => {
    const i = radios.findIndex((r) => r.dataset.mode === mode);
    const d =
      e.key === 'ArrowRight' || e.key === 'ArrowDown' ? 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 0;
    if (!d) return;
    e.preventDefault();
    const next = radios[(i + d + radios.length) % radios.length];
    setMode(/** @type {SpectrumMode} */ (next.dataset.mode));
    next.focus();
  });
  setMode(mode);

  function read() {
    if (data.length !== node.analyser.frequencyBinCount) data = new Float32Array(node.analyser.frequencyBinCount);
    freshSpectrum(node, data);
    const binHz = ctx.sampleRate / node.analyser.fftSize;
    const now = performance.now();
    const dt = Math.min(0.1, (now - last) / 1000);
    last = now;
    for (let b = 0; b < BANDS; b++) {
      const f0 = F_LO * (F_HI / F_LO) ** (b / BANDS);
      const f1 = F_LO * (F_HI / F_LO) ** ((b + 1) / BANDS);
      const k0 = Math.max(1, Math.floor(f0 / binHz));
      const k1 = Math.max(k0, Math.min(data.length - 1, Math.ceil(f1 / binHz) - 1));
      let db = -Infinity;
      for (let k = k0; k <= k1; k++) if (data[k] > db) db = data[k];
      const v = Number.isFinite(db) ? Math.min(1, Math.max(0, (db - DB_FLOOR) / (DB_TOP - DB_FLOOR))) : 0;
      levels[b] = v;
      peaks[b] = Math.max(v, peaks[b] - PEAK_FALL * dt);
    }
  }

  function draw() {
    const { g, width, height } = fitCanvas(canvas);
    const p = palette();
    g.fillStyle = p.bg;
    g.fillRect(0, 0, width, height);
    const hold = peakHold.checked;
    const grad = g.createLinearGradient(0, height, 0, 0);
    grad.addColorStop(0, p.accent2);
    grad.addColorStop(0.6, p.accent);
    grad.addColorStop(1, p.warn);
    g.font = '10px ui-monospace, monospace';
    g.fillStyle = p.text;
    if (mode === 'circular') {
      const cx = width / 2;
      const cy = height / 2;
      const r0 = Math.min(width, height) * 0.18;
      const r1 = Math.min(width, height) * 0.47;
      g.strokeStyle = p.grid;
      g.beginPath();
      g.arc(cx, cy, r0, 0, Math.PI * 2);
      g.stroke();
      const radial = g.createRadialGradient(cx, cy, r0, cx, cy, r1);
      radial.addColorStop(0, p.accent2);
      radial.addColorStop(0.6, p.accent);
      radial.addColorStop(1, p.warn);
      g.lineWidth = Math.max(2, ((Math.PI * 2 * r0) / BANDS) * 0.6);
      g.lineCap = 'round';
      for (let b = 0; b < BANDS; b++) {
        const a = (b / BANDS) * Math.PI * 2 - Math.PI / 2;
        const r = r0 + (r1 - r0) * levels[b];
        g.strokeStyle = radial;
        g.beginPath();
        g.moveTo(cx + Math.cos(a) * r0, cy + Math.sin(a) * r0);
        g.lineTo(cx + Math.cos(a) * r, cy + Math.sin(a) * r);
        g.stroke();
        if (hold) {
          const rp = r0 + (r1 - r0) * peaks[b];
          g.fillStyle = p.peak;
          g.beginPath();
          g.arc(cx + Math.cos(a) * rp, cy + Math.sin(a) * rp, 1.6, 0, Math.PI * 2);
          g.fill();
        }
      }
      g.lineCap = 'butt';
      g.lineWidth = 1;
      return;
    }
    const left = 34;
    const bottom = height - 18;
    const top = 8;
    const w = width - left - 8;
    const yOf = (/** @type {number} */ v) => bottom - v * (bottom - top);
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (let db = DB_TOP; db >= DB_FLOOR; db -= 20) {
      const y = Math.round(yOf((db - DB_FLOOR) / (DB_TOP - DB_FLOOR))) + 0.5;
      g.fillStyle = p.grid;
      g.fillRect(left, y, w, 1);
      g.fillStyle = p.text;
      g.fillText(String(db).replace('-', '−'), left - 6, y);
    }
    g.textAlign = 'center';
    for (const f of [50, 100, 200, 500, 1000, 2000, 5000, 10000]) {
      const x = left + (Math.log(f / F_LO) / Math.log(F_HI / F_LO)) * w;
      g.fillStyle = p.text;
      g.fillText(f >= 1000 ? `${f / 1000}k` : String(f), x, height - 8);
    }
    const bw = w / BANDS;
    if (mode === 'bars') {
      g.fillStyle = grad;
      for (let b = 0; b < BANDS; b++) {
        const y = yOf(levels[b]);
        g.fillRect(left + b * bw + 1, y, Math.max(1, bw - 2), bottom - y);
      }
    } else {
      g.beginPath();
      for (let b = 0; b < BANDS; b++) {
        const x = left + (b + 0.5) * bw;
        const y = yOf(levels[b]);
        if (b === 0) g.moveTo(x, y);
        else g.lineTo(x, y);
      }
      if (mode === 'filled') {
        g.lineTo(left + (BANDS - 0.5) * bw, bottom);
        g.lineTo(left + 0.5 * bw, bottom);
        g.closePath();
        g.globalAlpha = 0.75;
        g.fillStyle = grad;
        g.fill();
        g.globalAlpha = 1;
      } else {
        g.strokeStyle = p.accentStrong;
        g.lineWidth = 2;
        g.stroke();
        g.lineWidth = 1;
      }
    }
    if (hold) {
      g.fillStyle = p.peak;
      for (let b = 0; b < BANDS; b++) g.fillRect(left + b * bw + 1, yOf(peaks[b]) - 1, Math.max(1, bw - 2), 2);
    }
  }

  return {
    setMode,
    get mode() {
      return mode;
    },
    /** One animation frame's work. */
    frame() {
      if (!visible()) return;
      read();
      draw();
      drawn++;
      frames++;
      const now = performance.now();
      if (now - fpsFrom >= 1000) {
        fps = (frames * 1000) / (now - fpsFrom);
        frames = 0;
        fpsFrom = now;
        $('fps').textContent = `${fps.toFixed(0)} fps`;
      }
    },
    /** For tests: the bands' levels (0 .. 1) and peaks, and frames drawn. */
    snapshot() {
      return { levels: [...levels], peaks: [...peaks], drawn, fps, mode };
    },
  };
}
