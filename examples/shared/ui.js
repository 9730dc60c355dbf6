// Page helpers shared by ringlet's examples: the status badges, starting
// audio, the level meters and a few formatters. Main thread only.
import { getAudioContext, unlockAudio } from '../../dist/ringlet.js';

/** @param {string} id */
export const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @param {number} ms */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Colours for canvases, read from style.css's custom properties as `el`
 * inherits them (a page that themes itself redefines them); the canvas ones
 * (--canvas-bg, --grid, ...) are optional, else the examples' dark defaults.
 * @param {Element} [el]
 */
export function palette(el = document.documentElement) {
  const css = getComputedStyle(el);
  const v = (/** @type {string} */ name, fallback = '') => css.getPropertyValue(name).trim() || fallback;
  return {
    bg: v('--canvas-bg', '#090c11'),
    grid: v('--grid', '#1c2430'),
    gridStrong: v('--grid-strong', '#2b3647'),
    zero: v('--grid-zero', '#3a4a60'),
    spectrum: v('--spectrum-ink', '#6c5fae'),
    peak: v('--peak-ink', 'rgba(255, 255, 255, 0.18)'),
    well: v('--meter-well', '#121820'),
    lampOff: v('--lamp-off', '#2a1518'),
    text: v('--muted'),
    bright: v('--text'),
    accent: v('--accent'),
    accentStrong: v('--accent-strong'),
    accent2: v('--accent-2'),
    warn: v('--warn'),
    bad: v('--bad'),
    ok: v('--ok'),
  };
}

/**
 * @param {string} id  the badge value's element (inside an li.badge)
 * @param {string} text
 * @param {'ok' | 'warn' | 'bad' | ''} tone
 * @param {string} [title]
 */
function setBadge(id, text, tone, title) {
  const value = $(id);
  if (!value) return;
  value.textContent = text;
  const badge = value.closest('.badge');
  if (!badge) return;
  badge.classList.remove('ok', 'warn', 'bad');
  if (tone) badge.classList.add(tone);
  if (title) badge.setAttribute('title', title);
}

/** Fills the crossOriginIsolated badge; call at load. */
export function showIsolation() {
  const isolated = globalThis.crossOriginIsolated === true;
  setBadge(
    'isolated',
    String(isolated),
    isolated ? 'ok' : 'warn',
    isolated
      ? 'SharedArrayBuffer is available: rings live in shared memory'
      : 'Not isolated: nodes fall back to the message transport (no Worker handles)',
  );
  return isolated;
}

/** @param {{ transport: string } | null} node */
export function showTransport(node) {
  const transport = node?.transport ?? '—';
  setBadge(
    'transport',
    transport,
    transport === 'shared' ? 'ok' : transport === 'message' ? 'warn' : '',
    transport === 'shared'
      ? "The node's ring is a SharedArrayBuffer: Workers write or read it directly"
      : transport === 'message'
        ? 'The ring lives in the worklet; writes travel over the MessagePort'
        : undefined,
  );
}

/**
 * Fills the AudioContext badge (state and rate).
 * @param {BaseAudioContext} ctx
 */
export function showContext(ctx) {
  const rate = `${(ctx.sampleRate / 1000).toFixed(ctx.sampleRate % 1000 ? 1 : 0)} kHz`;
  const tone = ctx.state === 'running' ? 'ok' : ctx.state === 'closed' ? 'bad' : 'warn';
  setBadge('context', ctx.state === 'running' ? `running · ${rate}` : `${ctx.state} · click to start`, tone);
}

/**
 * The page's AudioContext (ringlet's shared one, with the worklet loaded),
 * and a promise that resolves once it runs: at once where autoplay is
 * allowed, otherwise on the first click or key press (unlockAudio).
 * @returns {Promise<{ ctx: AudioContext, running: Promise<void> }>}
 */
export async function openAudio() {
  const ctx = await getAudioContext({ latencyHint: 'interactive' });
  showContext(ctx);
  ctx.addEventListener('statechange', () => showContext(ctx));
  const running = (async () => {
    if (ctx.state !== 'running') {
      // A resume() before any gesture may never settle: race it.
      await Promise.race([ctx.resume().catch(() => {}), sleep(300)]);
    }
    if (ctx.state !== 'running') {
      const line = $('message');
      if (line) line.textContent = 'Click anywhere on the page, or press a key, to start audio.';
    }
    while (ctx.state !== 'running') {
      const result = await unlockAudio(ctx, { timeoutMs: 600000 });
      if (result === 'closed') throw new Error('the AudioContext was closed');
    }
    showContext(ctx);
  })();
  return { ctx, running };
}

/**
 * Shows an error in a page's status line and in its state pill, without
 * throwing it further (examples must keep their console clean on success,
 * and readable on failure).
 * @param {unknown} error
 * @param {string} [where]
 */
export function showError(error, where = 'error') {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const line = $('message');
  if (line) {
    line.textContent = `${where}: ${message}`;
    line.className = 'note error';
  }
  console.warn(`[ringlet example] ${where}:`, error);
}

/** @param {number} linear */
export function toDb(linear) {
  return linear > 0 ? 20 * Math.log10(linear) : -Infinity;
}

/** @param {number} linear */
export function formatDb(linear) {
  const db = toDb(linear);
  return db === -Infinity || db < -99 ? '−∞ dB' : `${db.toFixed(1).replace('-', '−')} dB`;
}

/** @param {number} seconds */
export function formatTime(seconds) {
  const s = Math.max(0, seconds);
  const m = Math.floor(s / 60);
  return `${m}:${(s - m * 60).toFixed(1).padStart(4, '0')}`;
}

/** @param {number} n */
export function formatCount(n) {
  return n.toLocaleString('en-US');
}

/** @param {number} bytes */
export function formatBytes(bytes) {
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 1048576).toFixed(2)} MB`;
}

/**
 * Sizes a canvas's backing store to its CSS box times devicePixelRatio and
 * returns a context scaled to CSS pixels, plus the CSS size.
 * @param {HTMLCanvasElement} canvas
 */
export function fitCanvas(canvas) {
  const dpr = Math.min(window.devicePixelRatio || 1, 2);
  const rect = canvas.getBoundingClientRect();
  const width = Math.max(1, Math.round(rect.width));
  const height = Math.max(1, Math.round(rect.height));
  if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
  }
  const g = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { g, width, height };
}

/**
 * A horizontal gauge: <div class="gauge" role="meter|progressbar"><div class="fill"></div><span class="label"></span></div>.
 * @param {HTMLElement} el
 * @param {number} fraction 0 .. 1
 * @param {string} label
 */
export function setGauge(el, fraction, label) {
  const f = Math.min(1, Math.max(0, fraction));
  const fill = /** @type {HTMLElement} */ (el.querySelector('.fill'));
  fill.style.width = `${(f * 100).toFixed(1)}%`;
  const text = /** @type {HTMLElement} */ (el.querySelector('.label'));
  text.textContent = label;
  el.setAttribute('aria-valuenow', (f * 100).toFixed(0));
  el.setAttribute('aria-valuetext', label);
}

const METER_FLOOR_DB = -60;

/**
 * Draws per-channel level bars from node.meters(): RMS as the bar, peak as a
 * bright tick, clips as a red lamp. Horizontal, one row per channel.
 * @param {HTMLCanvasElement} canvas
 * @param {{ peak: number[], rms: number[], clips: number[] }} m
 * @param {string[]} [names]
 * @param {ReturnType<typeof palette>} [p] the colours (default: palette())
 */
export function drawLevels(canvas, m, names = ['L', 'R'], p = palette()) {
  const { g, width, height } = fitCanvas(canvas);
  const rows = m.peak.length;
  const labelW = 22;
  const lampW = 12;
  const scaleH = 16;
  const barX = labelW;
  const barW = width - labelW - lampW - 10;
  const rowH = (height - scaleH - 6) / rows;
  const xOf = (/** @type {number} */ db) =>
    barX + barW * Math.min(1, Math.max(0, (db - METER_FLOOR_DB) / -METER_FLOOR_DB));
  g.fillStyle = p.bg;
  g.fillRect(0, 0, width, height);
  const gradient = g.createLinearGradient(barX, 0, barX + barW, 0);
  gradient.addColorStop(0, p.accent2);
  gradient.addColorStop(0.7, p.accent);
  gradient.addColorStop(0.9, p.warn);
  gradient.addColorStop(1, p.bad);
  g.font = '600 11px ui-monospace, monospace';
  g.textBaseline = 'middle';
  for (let c = 0; c < rows; c++) {
    const y = 4 + c * rowH;
    const h = Math.max(4, rowH - 6);
    g.fillStyle = p.well;
    g.fillRect(barX, y, barW, h);
    g.fillStyle = gradient;
    g.fillRect(barX, y, xOf(toDb(m.rms[c])) - barX, h);
    const px = xOf(toDb(m.peak[c]));
    if (px > barX + 1) {
      g.fillStyle = p.bright;
      g.fillRect(px - 1.5, y, 3, h);
    }
    g.fillStyle = p.text;
    g.fillText(names[c] ?? String(c + 1), 4, y + h / 2);
    g.fillStyle = m.clips[c] > 0 ? p.bad : p.lampOff;
    g.beginPath();
    g.arc(width - lampW / 2 - 2, y + h / 2, 5, 0, Math.PI * 2);
    g.fill();
  }
  g.fillStyle = p.text;
  g.font = '10px ui-monospace, monospace';
  g.textAlign = 'center';
  for (let db = METER_FLOOR_DB; db <= 0; db += 6) {
    const x = xOf(db);
    g.fillStyle = db === 0 ? p.bright : p.text;
    g.fillRect(x, height - scaleH - 2, 1, 3);
    if (db % 12 === 0)
      g.fillText(
        db === 0 ? '0' : String(db).replace('-', '−'),
        Math.min(width - 12, Math.max(barX + 8, x)),
        height - scaleH / 2 + 1,
      );
  }
  g.textAlign = 'start';
  canvas.setAttribute(
    'aria-label',
    `Levels: ${m.peak.map((v, c) => `${names[c] ?? c + 1} peak ${formatDb(v)}, RMS ${formatDb(m.rms[c])}`).join('; ')}`,
  );
}

/**
 * Publishes the page's objects for tests and the console, as
 * window.ringletExample.
 * @param {Record<string, unknown>} values
 */
export function expose(values) {
  const w = /** @type {any} */ (window);
  // defineProperties, not assign: getters stay live.
  w.ringletExample = Object.defineProperties(w.ringletExample ?? {}, Object.getOwnPropertyDescriptors(values));
}
