// The EQ's response curve with draggable band handles, over an optional live
// spectrum: the eq-analyser's and the player's EQ screen. Drag a handle
// (frequency and gain), wheel over it (Q), double-click it (0 dB). The curve
// is BiquadFilterNode.getFrequencyResponse on throwaway nodes, whose
// coefficients ringlet's bands match. Main thread.
import { fitCanvas, palette } from './ui.js';

/** @typedef {import('../../types/index.js').EqBand} EqBand */
/** @typedef {import('../../types/index.js').Eq} Eq */
/** @typedef {import('../../types/index.js').Analyser} Analyser */

const F_MIN = 20;
const F_MAX = 20000;
/** The spectrum's range, dBFS (per FFT bin). */
const SPEC_MIN = -115;
const SPEC_MAX = -25;
export const GAIN_TYPES = new Set(['peaking', 'lowshelf', 'highshelf']);
export const BAND_COLOURS = ['#ff7b7b', '#ffa45c', '#f1d35a', '#8ee07c', '#46d8c4', '#5cb4ff', '#9d8bff', '#e681e6'];
const PAD = { left: 44, right: 50, top: 12, bottom: 24 };

/**
 * On the 'message' transport, getFloatFrequencyData alone can freeze on one
 * snapshot: it asks the worklet for fresh samples only when the snapshot
 * changed, and the request that should follow a new snapshot can be dropped
 * by the 16 ms rate limit. A time-domain read always asks, so do one first.
 */
const keepAlive = new Float32Array(32);

/**
 * The node's latest spectrum into `into`, fresh on either transport.
 * @param {{ transport: string, analyser: Analyser }} node
 * @param {Float32Array} into
 */
export function freshSpectrum(node, into) {
  if (node.transport === 'message') node.analyser.getFloatTimeDomainData(keepAlive);
  node.analyser.getFloatFrequencyData(into);
}

export class EqCurve {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {object} options
   * @param {Eq} options.eq the bands to draw (read with getBand)
   * @param {number} options.sampleRate
   * @param {(index: number, change: Partial<EqBand>) => void} options.apply sets a band (the page applies and reports errors)
   * @param {(index: number) => void} [options.onSelect] a handle was picked
   * @param {{ transport: string, analyser: Analyser } | null} [options.spectrumOf] the node whose analyser is drawn under the curve
   * @param {() => boolean} [options.showSpectrum] whether to draw it now
   * @param {number} [options.dbRange] the curve's range, ± dB (default 24)
   */
  constructor(canvas, { eq, sampleRate, apply, onSelect, spectrumOf = null, showSpectrum = () => true, dbRange = 24 }) {
    this.canvas = canvas;
    this.eq = eq;
    this.sampleRate = sampleRate;
    this.apply = apply;
    this.onSelect = onSelect ?? (() => {});
    this.spectrumOf = spectrumOf;
    this.showSpectrum = showSpectrum;
    this.dbRange = dbRange;
    this.fTop = Math.min(F_MAX, sampleRate / 2 - 1);
    this.selected = 0;
    /** @type {number | null} the band being dragged */
    this.dragging = null;
    this.plot = { x: 0, y: 0, w: 1, h: 1 };
    const offline = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate });
    this.filters = Array.from({ length: 8 }, () => new BiquadFilterNode(offline));
    this.freqs = new Float32Array(0);
    /** @type {Float32Array[]} per band, dB at freqs */
    this.bandDb = [];
    this.totalDb = new Float32Array(0);
    this.dirty = true;
    this.spectrum = spectrumOf ? new Float32Array(spectrumOf.analyser.frequencyBinCount) : new Float32Array(0);
    /** @type {Float32Array} per pixel column, dBFS */
    this.columns = new Float32Array(0);
    this.peakHold = new Float32Array(0);
    this.listen();
  }

  /** Marks the response stale: call after any band changes. */
  invalidate() {
    this.dirty = true;
  }

  /** @param {number} f */
  xOf(f) {
    return this.plot.x + (Math.log(f / F_MIN) / Math.log(F_MAX / F_MIN)) * this.plot.w;
  }
  /** @param {number} x */
  fOf(x) {
    return F_MIN * (F_MAX / F_MIN) ** ((x - this.plot.x) / this.plot.w);
  }
  /** @param {number} db */
  yOf(db) {
    return this.plot.y + ((this.dbRange - db) / (2 * this.dbRange)) * this.plot.h;
  }
  /** @param {number} y */
  dbOf(y) {
    return this.dbRange - ((y - this.plot.y) / this.plot.h) * 2 * this.dbRange;
  }
  /** @param {number} dbfs */
  ySpec(dbfs) {
    return this.plot.y + ((SPEC_MAX - dbfs) / (SPEC_MAX - SPEC_MIN)) * this.plot.h;
  }

  /** @param {number} points */
  ensureFrequencies(points) {
    if (this.freqs.length === points) return;
    this.freqs = new Float32Array(points);
    for (let i = 0; i < points; i++) this.freqs[i] = F_MIN * (this.fTop / F_MIN) ** (i / (points - 1));
    this.bandDb = Array.from({ length: 8 }, () => new Float32Array(points));
    this.totalDb = new Float32Array(points);
    this.dirty = true;
  }

  computeResponse() {
    const { freqs, totalDb } = this;
    const mag = new Float32Array(freqs.length);
    const phase = new Float32Array(freqs.length);
    totalDb.fill(0);
    for (let i = 0; i < 8; i++) {
      const b = this.eq.getBand(i);
      const f = this.filters[i];
      f.type = b.type;
      f.frequency.value = b.frequency;
      f.Q.value = b.q;
      f.gain.value = b.gainDb;
      f.getFrequencyResponse(freqs, mag, phase);
      for (let k = 0; k < freqs.length; k++) {
        const db = 20 * Math.log10(Math.max(mag[k], 1e-6));
        this.bandDb[i][k] = db;
        totalDb[k] += db;
      }
    }
    this.dirty = false;
  }

  /** The response (dB) at frequency f, from the computed curve. */
  responseAt(/** @type {number} */ f) {
    const { freqs } = this;
    if (freqs.length === 0) return 0;
    const k = Math.round((Math.log(f / F_MIN) / Math.log(this.fTop / F_MIN)) * (freqs.length - 1));
    return this.totalDb[Math.min(freqs.length - 1, Math.max(0, k))];
  }

  /** A band's handle, in canvas CSS pixels. */
  handleXY(/** @type {number} */ i) {
    const b = this.eq.getBand(i);
    const r = this.dbRange;
    const y = GAIN_TYPES.has(b.type) ? b.gainDb : Math.max(-r, Math.min(r, this.responseAt(b.frequency)));
    return { x: this.xOf(b.frequency), y: this.yOf(Math.max(-r, Math.min(r, y))) };
  }

  /** Client (viewport) coordinates of band i's handle. */
  handlePosition(/** @type {number} */ i) {
    const r = this.canvas.getBoundingClientRect();
    const h = this.handleXY(i);
    return { x: r.left + h.x, y: r.top + h.y };
  }

  /** @param {number} width */
  readSpectrum(width) {
    const node = /** @type {{ transport: string, analyser: Analyser }} */ (this.spectrumOf);
    if (this.spectrum.length !== node.analyser.frequencyBinCount)
      this.spectrum = new Float32Array(node.analyser.frequencyBinCount);
    const spectrum = this.spectrum;
    freshSpectrum(node, spectrum);
    const step = 2;
    const n = Math.ceil(width / step);
    if (this.columns.length !== n) {
      this.columns = new Float32Array(n);
      this.peakHold = new Float32Array(n).fill(SPEC_MIN);
    }
    const binHz = this.sampleRate / node.analyser.fftSize;
    for (let c = 0; c < n; c++) {
      const x = this.plot.x + c * step;
      const k0 = this.fOf(x) / binHz;
      const k1 = this.fOf(x + step) / binHz;
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
      this.columns[c] = Number.isFinite(v) ? v : SPEC_MIN;
      this.peakHold[c] = Math.max(this.columns[c], this.peakHold[c] - 0.35);
    }
    return step;
  }

  /** Draws the grid, the spectrum (if any), the response and the handles. */
  draw() {
    const { g, width, height } = fitCanvas(this.canvas);
    this.plot = { x: PAD.left, y: PAD.top, w: width - PAD.left - PAD.right, h: height - PAD.top - PAD.bottom };
    const plot = this.plot;
    this.ensureFrequencies(Math.max(64, Math.round(plot.w / 2)));
    if (this.dirty) this.computeResponse();
    const { freqs, totalDb } = this;
    const p = palette();
    const spectrumInk = p.spectrum;
    g.fillStyle = p.bg;
    g.fillRect(0, 0, width, height);

    // Grid: decades and their 2x/5x, ±dB lines.
    g.font = '10px ui-monospace, monospace';
    g.textBaseline = 'middle';
    for (const f of [
      20, 30, 40, 50, 60, 70, 80, 90, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 2000, 3000, 4000, 5000, 6000,
      7000, 8000, 9000, 10000, 20000,
    ]) {
      const x = Math.round(this.xOf(f)) + 0.5;
      const major = [20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000].includes(f);
      g.fillStyle = major ? p.gridStrong : p.grid;
      g.fillRect(x, plot.y, 1, plot.h);
      if (major) {
        g.fillStyle = p.text;
        g.textAlign = 'center';
        g.fillText(f >= 1000 ? `${f / 1000}k` : String(f), Math.min(width - 14, x), height - PAD.bottom / 2 + 1);
      }
    }
    const step = this.dbRange > 30 ? 10 : 6;
    for (let db = -this.dbRange; db <= this.dbRange; db += step) {
      const y = Math.round(this.yOf(db)) + 0.5;
      g.fillStyle = db === 0 ? p.zero : p.grid;
      g.fillRect(plot.x, y, plot.w, 1);
      g.fillStyle = db === 0 ? p.bright : p.text;
      g.textAlign = 'right';
      g.fillText(`${db > 0 ? '+' : ''}${db}`.replace('-', '−'), plot.x - 8, y);
    }
    const spectrumOn = this.spectrumOf !== null && this.showSpectrum();
    if (this.spectrumOf) {
      g.textAlign = 'left';
      for (let db = SPEC_MAX; db >= SPEC_MIN; db -= 20) {
        g.fillStyle = spectrumInk;
        g.fillText(`${db}`.replace('-', '−'), plot.x + plot.w + 8, this.ySpec(db));
      }
    }
    g.fillStyle = p.text;
    g.save();
    g.translate(10, plot.y + plot.h / 2);
    g.rotate(-Math.PI / 2);
    g.textAlign = 'center';
    g.fillText('EQ dB', 0, 0);
    g.restore();
    if (this.spectrumOf) {
      g.save();
      g.translate(width - 8, plot.y + plot.h / 2);
      g.rotate(Math.PI / 2);
      g.textAlign = 'center';
      g.fillStyle = spectrumInk;
      g.fillText('spectrum dBFS', 0, 0);
      g.restore();
    }

    g.save();
    g.beginPath();
    g.rect(plot.x, plot.y, plot.w, plot.h);
    g.clip();

    // Spectrum: filled area, a bright edge and a falling peak line.
    if (spectrumOn) {
      const s = this.readSpectrum(width);
      const { columns, peakHold } = this;
      const fill = g.createLinearGradient(0, plot.y, 0, plot.y + plot.h);
      fill.addColorStop(0, 'rgba(164, 139, 250, 0.55)');
      fill.addColorStop(0.6, 'rgba(95, 110, 220, 0.25)');
      fill.addColorStop(1, 'rgba(57, 211, 195, 0.05)');
      g.beginPath();
      g.moveTo(plot.x, plot.y + plot.h);
      for (let c = 0; c < columns.length; c++) g.lineTo(plot.x + c * s, this.ySpec(columns[c]));
      g.lineTo(plot.x + plot.w, plot.y + plot.h);
      g.closePath();
      g.fillStyle = fill;
      g.fill();
      g.beginPath();
      for (let c = 0; c < columns.length; c++) g.lineTo(plot.x + c * s, this.ySpec(columns[c]));
      g.strokeStyle = 'rgba(190, 170, 255, 0.85)';
      g.lineWidth = 1.2;
      g.stroke();
      g.beginPath();
      for (let c = 0; c < peakHold.length; c++) g.lineTo(plot.x + c * s, this.ySpec(peakHold[c]));
      g.strokeStyle = p.peak;
      g.lineWidth = 1;
      g.stroke();
    }

    // The selected band's own curve, faint.
    const sel = this.bandDb[this.selected];
    g.beginPath();
    for (let k = 0; k < freqs.length; k++) g.lineTo(this.xOf(freqs[k]), this.yOf(sel[k]));
    g.strokeStyle = `${BAND_COLOURS[this.selected]}88`;
    g.lineWidth = 1.5;
    g.setLineDash([4, 4]);
    g.stroke();
    g.setLineDash([]);

    // The total response.
    const bypass = this.eq.bypass;
    const y0 = this.yOf(0);
    g.beginPath();
    g.moveTo(this.xOf(freqs[0]), y0);
    for (let k = 0; k < freqs.length; k++) g.lineTo(this.xOf(freqs[k]), this.yOf(bypass ? 0 : totalDb[k]));
    g.lineTo(this.xOf(freqs[freqs.length - 1]), y0);
    g.closePath();
    g.fillStyle = 'rgba(57, 211, 195, 0.10)';
    g.fill();
    g.beginPath();
    for (let k = 0; k < freqs.length; k++) g.lineTo(this.xOf(freqs[k]), this.yOf(bypass ? 0 : totalDb[k]));
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
      const { x, y } = this.handleXY(i);
      const isSel = i === this.selected;
      g.beginPath();
      g.arc(x, y, isSel ? 10 : 8.5, 0, Math.PI * 2);
      g.fillStyle = BAND_COLOURS[i];
      g.globalAlpha = bypass ? 0.45 : 1;
      g.fill();
      if (isSel) {
        g.lineWidth = 2;
        g.strokeStyle = p.bright;
        g.stroke();
      }
      g.fillStyle = '#0a0f14';
      g.fillText(String(i + 1), x, y + 0.5);
      g.globalAlpha = 1;
    }
  }

  /** @param {{ x: number, y: number }} at */
  nearestHandle(at) {
    let best = -1;
    let bestD = 18;
    for (let i = 0; i < 8; i++) {
      const h = this.handleXY(i);
      const d = Math.hypot(h.x - at.x, h.y - at.y);
      if (d < bestD) {
        best = i;
        bestD = d;
      }
    }
    return best;
  }

  /** @param {number} i */
  select(i) {
    this.selected = i;
    this.onSelect(i);
  }

  listen() {
    const canvas = this.canvas;
    /** @param {PointerEvent | WheelEvent | MouseEvent} e */
    const local = (e) => {
      const r = canvas.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    canvas.addEventListener('pointerdown', (e) => {
      const i = this.nearestHandle(local(e));
      if (i < 0) return;
      this.dragging = i;
      this.select(i);
      canvas.setPointerCapture(e.pointerId);
      e.preventDefault();
    });
    canvas.addEventListener('pointermove', (e) => {
      const at = local(e);
      if (this.dragging === null) {
        canvas.style.cursor = this.nearestHandle(at) >= 0 ? 'grab' : 'default';
        return;
      }
      canvas.style.cursor = 'grabbing';
      const b = this.eq.getBand(this.dragging);
      const frequency = Math.round(Math.min(this.fTop, Math.max(F_MIN, this.fOf(at.x))));
      /** @type {Partial<EqBand>} */
      const change = { frequency };
      const r = this.dbRange;
      if (GAIN_TYPES.has(b.type)) change.gainDb = Math.round(Math.min(r, Math.max(-r, this.dbOf(at.y))) * 10) / 10;
      this.apply(this.dragging, change);
    });
    const endDrag = () => {
      this.dragging = null;
      canvas.style.cursor = 'default';
    };
    canvas.addEventListener('pointerup', endDrag);
    canvas.addEventListener('pointercancel', endDrag);
    canvas.addEventListener(
      'wheel',
      (e) => {
        const i = this.nearestHandle(local(e));
        if (i < 0) return;
        e.preventDefault();
        this.select(i);
        const q = this.eq.getBand(i).q * Math.exp(-e.deltaY * 0.0015);
        this.apply(i, { q: Math.round(Math.min(30, Math.max(0.1, q)) * 100) / 100 });
      },
      { passive: false },
    );
    canvas.addEventListener('dblclick', (e) => {
      const i = this.nearestHandle(local(e));
      if (i >= 0) this.apply(i, { gainDb: 0 });
    });
  }
}
