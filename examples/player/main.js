// ringlet player: the desktop player's web app on ringlet's public API. One
// AudioContext; a RingletStream plays the playlist into a varispeed source
// node whose chain is the player's volume, EQ, limiter and spectrum; a
// WorkerPool makes the waveform overview, measures the loudness and renders
// the export. Main thread.
import { unlockAudio } from '../../dist/ringlet.js';
import {
  $,
  drawLevels,
  expose,
  fitCanvas,
  formatTime,
  palette,
  showContext,
  showIsolation,
  showTransport,
  sleep,
} from '../shared/ui.js';
import { renderSample, SAMPLE_TITLE } from '../shared/sample.js';
import { encodeWavFloat } from '../shared/wav.js';
import { createEngine } from './engine.js';
import { Playlist, isAudioFile, tracksFromDrop } from './playlist.js';
import { mountEq } from './eq.js';
import { mountSpectrum } from './spectrum.js';
import { mountSettings } from './settings.js';
import { mountKeyboard } from './keyboard.js';
import { mountStudio } from './studio.js';

/** Tracks up to this long keep their decoded PCM for the export (the loudness is measured as the track decodes, at any length). */
const KEEP_PCM_SECONDS = 20 * 60;
const OVERVIEW_BUCKETS = 1600;

showIsolation();
const message = $('message');

/** @param {string} text */
function say(text) {
  message.textContent = text;
  message.className = 'note status-line';
}

/**
 * Shows an error in the status line (with its RingletError code) and
 * keeps the console readable, without throwing further.
 * @param {unknown} error
 * @param {string} where
 */
function fail(error, where) {
  const code = /** @type {any} */ (error)?.code;
  const text = error instanceof Error ? error.message : String(error);
  message.textContent = `${where}: ${code ? `${code}: ` : ''}${text}`;
  message.className = 'note status-line error';
  lastError = { where, code: code ?? null, message: text };
  console.warn(`[ringlet player] ${where}:`, error);
}
/** @type {{ where: string, code: string | null, message: string } | null} */
let lastError = null;

let engine;
try {
  engine = await createEngine();
} catch (error) {
  fail(error, 'could not start the audio engine');
  throw error;
}
const { ctx, node, stream, speakers, pool } = engine;
showContext(ctx);
ctx.addEventListener('statechange', () => showContext(ctx));
showTransport(node);
node.analyser.fftSize = 8192;
node.analyser.smoothingTimeConstant = 0.7;

/** Resumes the context: at once where autoplay is allowed, else on the first gesture. */
async function resume() {
  if (ctx.state === 'running') return;
  await Promise.race([ctx.resume().catch(() => {}), sleep(300)]);
}
void (async () => {
  await resume();
  if (ctx.state !== 'running') {
    say('Click anywhere or press a key to start audio.');
    await unlockAudio(ctx, { timeoutMs: 600000 });
    say('Audio is on.');
  }
})();

// ---- gain: volume × loudness normalisation, through node.gain ----------------

const volume = /** @type {HTMLInputElement} */ ($('volume'));
let normDb = 0;
const volumeGain = () => (Number(volume.value) / 100) ** 2;
const currentGain = () => volumeGain() * 10 ** (normDb / 20);
function applyGain() {
  node.gain.setTargetAtTime(currentGain(), ctx.currentTime, 0.015);
  const db = 20 * Math.log10(volumeGain());
  const text = Number.isFinite(db) ? `${db.toFixed(1).replace('-', '−')} dB` : 'muted';
  $('volume-out').textContent = `${volume.value} %`;
  volume.setAttribute('aria-valuetext', `${volume.value} percent, ${text}`);
}
volume.value = localStorage.getItem('ringlet-player:volume') ?? '80';
volume.addEventListener('input', () => {
  localStorage.setItem('ringlet-player:volume', volume.value);
  applyGain();
});
node.gain.value = currentGain();
applyGain();

// ---- speed: node.playbackRate, 0.25 .. 4 ------------------------------------

const speed = /** @type {HTMLInputElement} */ ($('speed'));
const rate = () => 2 ** Number(speed.value);
function applySpeed() {
  const r = rate();
  if (node.playbackRate) node.playbackRate.value = r;
  $('speed-out').textContent = `${r.toFixed(2)}×`;
  speed.setAttribute('aria-valuetext', `${r.toFixed(2)} times`);
}
speed.addEventListener('input', applySpeed);
speed.addEventListener('dblclick', () => {
  speed.value = '0';
  applySpeed();
});

// ---- the playlist ---------------------------------------------------------------

const playlist = new Playlist();
const list = $('tracks');

/**
 * What is open: the playlist index and track, its info, and what the pool
 * made of it (overview, PCM, loudness), by generation so a late result for
 * an older track is dropped.
 */
const now = {
  index: -1,
  generation: 0,
  /** @type {import('../../types/stream.js').StreamInfo | null} */
  info: null,
  title: '',
  /** @type {{ peaks: Float32Array, rms: Float32Array, frames: number, sampleRate: number } | null} */
  overview: null,
  /** @type {{ channels: Float32Array[], sampleRate: number } | null} */
  pcm: null,
  /** @type {AbortController | null} */
  analysis: null,
  overviewState: 'none',
};
/**
 * The next track, once stream.queue() took it (by id: the list may be
 * reordered meanwhile). The stream keeps it even if the list changes, so
 * one is queued at a time.
 */
let queued = /** @type {{ id: string, info: import('../../types/stream.js').StreamInfo } | null} */ (null);
let queuePending = false;
/** Counts open()s: a queue() answered for an earlier track is dropped. */
let opened = 0;

/** @param {number | undefined} s */
const shortTime = (s) => (s === undefined || !Number.isFinite(s) ? '' : formatTime(s).replace(/\.\d$/, ''));

function renderList() {
  $('pl-count').textContent = `${playlist.tracks.length} track${playlist.tracks.length === 1 ? '' : 's'}`;
  /** @type {HTMLButtonElement} */ ($('shuffle')).setAttribute('aria-pressed', String(playlist.shuffle));
  /** @type {HTMLSelectElement} */ ($('repeat')).value = playlist.repeat;
  list.replaceChildren(
    ...playlist.tracks.map((t, i) => {
      const li = document.createElement('li');
      li.draggable = true;
      li.dataset.index = String(i);
      li.classList.toggle('current', i === playlist.current);
      const pick = document.createElement('button');
      pick.className = 'pick';
      const label = t.title ? `${t.title}${t.artist ? ` · ${t.artist}` : ''}` : t.name;
      if (i === playlist.current) pick.setAttribute('aria-current', 'true');
      pick.append(
        Object.assign(document.createElement('span'), { className: 'visually-hidden', textContent: 'Play ' }),
      );
      pick.append(Object.assign(document.createElement('span'), { textContent: `${i + 1}. ${label}` }));
      pick.append(
        Object.assign(document.createElement('span'), { className: 'dur', textContent: shortTime(t.duration) }),
      );
      pick.addEventListener('click', () => command(() => playIndex(i)));
      pick.addEventListener('keydown', (e) => {
        if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
        e.preventDefault();
        const to = i + (e.key === 'ArrowUp' ? -1 : 1);
        void playlist.move(i, to).then(() => {
          /** @type {HTMLElement | undefined} */ (list.children[to]?.querySelector('.pick'))?.focus();
        });
      });
      const remove = document.createElement('button');
      remove.className = 'remove';
      remove.textContent = '×';
      remove.setAttribute('aria-label', `Remove ${label}`);
      remove.addEventListener('click', () => void playlist.remove(i));
      li.append(pick, remove);
      return li;
    }),
  );
}
playlist.addEventListener('change', renderList);

// Reordering by drag within the list.
/** @type {number | null} */
let dragFrom = null;
list.addEventListener('dragstart', (e) => {
  const li = /** @type {HTMLElement} */ (e.target).closest?.('li');
  if (!li) return;
  dragFrom = Number(li.dataset.index);
  li.classList.add('dragging');
  e.dataTransfer?.setData('text/x-ringlet-track', String(dragFrom));
});
list.addEventListener('dragover', (e) => {
  if (dragFrom === null) return;
  e.preventDefault();
  e.stopPropagation();
  for (const li of list.children) li.classList.remove('drop-before');
  /** @type {HTMLElement} */ (e.target).closest?.('li')?.classList.add('drop-before');
});
list.addEventListener('drop', (e) => {
  if (dragFrom === null) return;
  e.preventDefault();
  e.stopPropagation();
  const li = /** @type {HTMLElement} */ (e.target).closest?.('li');
  const to = li ? Number(li.dataset.index) : playlist.tracks.length - 1;
  const from = dragFrom;
  dragFrom = null;
  void playlist.move(from, to);
});
list.addEventListener('dragend', () => {
  dragFrom = null;
  renderList();
});

$('shuffle').addEventListener('click', async () => {
  playlist.shuffle = !playlist.shuffle;
  await playlist.saveState();
  renderList();
  requeue();
});
$('repeat').addEventListener('change', async (e) => {
  playlist.repeat = /** @type {import('./playlist.js').Repeat} */ (/** @type {HTMLSelectElement} */ (e.target).value);
  await playlist.saveState();
  applyLoop();
  requeue();
});
$('clear-list').addEventListener('click', () => void playlist.clear());

/**
 * Adds tracks, and plays the first one added if nothing is open.
 * @param {Omit<import('./playlist.js').Track, 'id'>[]} items
 */
async function addTracks(items) {
  if (!items.length) {
    say('No audio files there.');
    return;
  }
  const first = await playlist.add(items);
  say(`Added ${items.length} track${items.length === 1 ? '' : 's'}.`);
  if (!now.info || playlist.current < 0) await playIndex(first);
  else requeue();
}

// ---- opening: file dialog, folder, drop, URL -------------------------------------

const fileInput = /** @type {HTMLInputElement} */ ($('file'));
fileInput.addEventListener('change', () => {
  const files = [...(fileInput.files ?? [])].filter(isAudioFile);
  fileInput.value = '';
  command(() => addTracks(files.map((f) => ({ name: f.name, kind: /** @type {const} */ ('file'), blob: f }))));
});
const folderInput = /** @type {HTMLInputElement} */ ($('folder'));
folderInput.addEventListener('change', () => {
  const files = [...(folderInput.files ?? [])]
    .filter(isAudioFile)
    .sort((a, b) => a.webkitRelativePath.localeCompare(b.webkitRelativePath, undefined, { numeric: true }));
  folderInput.value = '';
  command(() => addTracks(files.map((f) => ({ name: f.name, kind: /** @type {const} */ ('file'), blob: f }))));
});

/**
 * The file dialog: by handle where the browser has the File System Access
 * picker (the playlist then keeps a reference, not a copy), else the input.
 */
async function openFiles() {
  const picker = /** @type {any} */ (window).showOpenFilePicker;
  if (typeof picker !== 'function') {
    fileInput.click();
    return;
  }
  try {
    const handles = await picker({
      multiple: true,
      types: [
        { description: 'Audio', accept: { 'audio/*': ['.wav', '.mp3', '.flac', '.ogg', '.opus', '.m4a', '.webm'] } },
      ],
    });
    await addTracks(handles.map((/** @type {any} */ h) => ({ name: h.name, kind: 'handle', handle: h })));
  } catch (error) {
    if (/** @type {any} */ (error)?.name !== 'AbortError') fail(error, 'open');
  }
}
$('file').nextElementSibling?.addEventListener('click', (e) => {
  if (typeof (/** @type {any} */ (window).showOpenFilePicker) !== 'function') return;
  e.preventDefault();
  command(openFiles);
});

// The examples' generated loop, rendered at the context's rate, as a float WAV file.
$('demo-track').addEventListener('click', () =>
  command(async () => {
    const buffer = await renderSample(ctx.sampleRate);
    const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c));
    const file = new File([encodeWavFloat(channels, buffer.sampleRate)], `${SAMPLE_TITLE}.wav`, { type: 'audio/wav' });
    await addTracks([{ name: file.name, kind: 'file', blob: file }]);
  }),
);

$('url-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = /** @type {HTMLInputElement} */ ($('url'));
  const raw = input.value.trim();
  if (!raw) return;
  let url;
  try {
    url = new URL(raw, location.href).href;
  } catch {
    fail(new TypeError(`not a URL: ${raw}`), 'open URL');
    return;
  }
  input.value = '';
  const name = decodeURIComponent(url.split('/').pop()?.split('?')[0] || url);
  command(() => addTracks([{ name, kind: 'url', url }]));
});

const overlay = $('drop-overlay');
let dragDepth = 0;
document.addEventListener('dragenter', (e) => {
  if (dragFrom !== null || !e.dataTransfer?.types.includes('Files')) return;
  dragDepth++;
  overlay.hidden = false;
});
document.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (!dragDepth) overlay.hidden = true;
});
document.addEventListener('dragover', (e) => {
  if (dragFrom === null) e.preventDefault();
});
document.addEventListener('drop', (e) => {
  if (dragFrom !== null) return;
  e.preventDefault();
  dragDepth = 0;
  overlay.hidden = true;
  if (!e.dataTransfer) return;
  const pending = tracksFromDrop(e.dataTransfer);
  command(async () => addTracks(await pending));
});

// ---- playing ------------------------------------------------------------------------

/** Serialises what changes the track. */
let busy = Promise.resolve();
/** @param {() => Promise<void>} fn */
function command(fn) {
  busy = busy
    .then(fn)
    .catch((error) => fail(error, 'player'))
    .finally(updateButtons);
  return busy;
}

/** The A-B marks, in seconds of the track (see "A-B repeat" below), and the loop passes heard. */
const ab = { a: /** @type {number | null} */ (null), b: /** @type {number | null} */ (null), jumps: 0 };
function applyLoop() {
  stream.loop = loopOn || playlist.repeat === 'one' || (ab.a !== null && ab.b !== null);
  $('loop').setAttribute('aria-pressed', String(loopOn));
}
let loopOn = false;

/**
 * Opens playlist track i and plays it.
 * @param {number} i
 * @param {{ autoplay?: boolean }} [options]
 */
async function playIndex(i, { autoplay = true } = {}) {
  const track = playlist.tracks[i];
  if (!track) return;
  say(`Opening ${track.name}…`);
  const source = await playlist.sourceOf(track);
  let info;
  try {
    info = await stream.open(source);
  } catch (error) {
    fail(error, `could not open ${track.name}`);
    return;
  }
  opened++;
  lastError = null;
  queued = null;
  ab.a = null;
  ab.b = null;
  showAb();
  await playlist.setCurrent(i);
  await showTrack(info, track, source);
  applyLoop();
  if (autoplay) {
    await resume();
    await stream.play();
  }
  requeue();
}

/**
 * The track heard changed (opened, or a gapless advance): show it, and
 * start the overview and loudness on the pool.
 * @param {import('../../types/stream.js').StreamInfo} info
 * @param {import('./playlist.js').Track} track
 * @param {Blob | string} source
 */
async function showTrack(info, track, source) {
  now.index = playlist.current;
  now.info = info;
  const tags = info.tags;
  now.title = tags.title ?? track.name.replace(/\.\w+$/, '');
  $('title').textContent = now.title;
  const year = tags.date ? String(tags.date.getFullYear()) : '';
  $('artist').textContent = [tags.artist, tags.album, year].filter(Boolean).join(' · ') || '—';
  $('meta').textContent =
    `${info.codec} in ${info.format} · ${info.sampleRate} Hz · ${info.channels === 1 ? 'mono' : `${info.channels} ch`} · ${formatTime(info.duration ?? 0)}`;
  const cover = /** @type {HTMLImageElement} */ ($('cover'));
  if (cover.src) URL.revokeObjectURL(cover.src);
  cover.hidden = !info.cover;
  if (info.cover) {
    cover.src = URL.createObjectURL(info.cover);
    cover.alt = `Cover of ${tags.album ?? now.title}`;
  } else cover.removeAttribute('src');
  const seek = /** @type {HTMLInputElement} */ ($('seek'));
  seek.max = String(info.duration ?? 0);
  document.title = `${now.title} · ringlet player`;
  await playlist.describeCurrent({ title: tags.title, artist: tags.artist, duration: info.duration ?? undefined });
  analyse(source);
}

/**
 * The waveform overview and the loudness, on the pool: the 'decode' task
 * (player.worker.js) makes both as it decodes.
 * @param {Blob | string} source
 */
function analyse(source) {
  now.analysis?.abort();
  now.overview = null;
  now.pcm = null;
  settings.reset();
  const generation = ++now.generation;
  if (!pool) {
    now.overviewState = 'no pool';
    return;
  }
  const controller = new AbortController();
  now.analysis = controller;
  now.overviewState = 'decoding';
  void (async () => {
    try {
      const r = /** @type {any} */ (
        await pool.run(
          'decode',
          { source, buckets: OVERVIEW_BUCKETS, keepSeconds: KEEP_PCM_SECONDS },
          {
            signal: controller.signal,
            onProgress: (f) => (now.overviewState = `decoding ${Math.round(Number(f) * 100)} %`),
          },
        )
      );
      if (generation !== now.generation) return;
      now.overview = { peaks: r.peaks, rms: r.rms, frames: r.frames, sampleRate: r.sampleRate };
      now.overviewState = 'ready';
      settings.setLoudness(r.loudness);
      if (!r.channels) {
        say('Track longer than 20 minutes: no export for it (its overview and loudness are there).');
        return;
      }
      now.pcm = { channels: r.channels, sampleRate: r.sampleRate };
      settings.canExport();
    } catch (error) {
      if (generation !== now.generation || /** @type {any} */ (error)?.code === 'ABORTED') return;
      now.overviewState = 'failed';
      fail(error, 'overview');
    }
  })();
}

/** Queues the playlist's next track for a gapless advance (none while looping). */
function requeue() {
  if (!now.info || stream.loop || queued || queuePending) return;
  const next = playlist.nextIndex(playlist.current);
  const track = playlist.tracks[next];
  if (!track) return;
  queuePending = true;
  const ticket = opened;
  void (async () => {
    try {
      const info = await stream.queue(await playlist.sourceOf(track));
      if (ticket === opened) queued = { id: track.id, info };
    } catch (error) {
      fail(error, `could not queue ${track.name}`);
    } finally {
      queuePending = false;
    }
  })();
}

stream.addEventListener('trackchange', (e) => {
  const info = /** @type {CustomEvent<import('../../types/stream.js').StreamInfo>} */ (e).detail;
  if (!queued) {
    // The same track again: a loop pass (of the A-B region when one is set).
    if (ab.a !== null && ab.b !== null) ab.jumps++;
    return;
  }
  const { id } = queued;
  queued = null;
  const index = playlist.tracks.findIndex((t) => t.id === id);
  const track = playlist.tracks[index];
  void (async () => {
    await playlist.setCurrent(index);
    ab.a = null;
    ab.b = null;
    showAb();
    if (track) await showTrack(info, track, await playlist.sourceOf(track));
    requeue();
  })();
});
stream.addEventListener('statechange', updateButtons);
stream.addEventListener('ended', () => {
  if (!stream.error) say('End of the playlist.');
});
stream.addEventListener('error', (e) => fail(/** @type {CustomEvent} */ (e).detail, 'stream'));

const playButton = /** @type {HTMLButtonElement} */ ($('play'));
function updateButtons() {
  const state = stream.state;
  const has = state !== 'idle' && state !== 'disposed';
  playButton.disabled = !has;
  /** @type {HTMLButtonElement} */ ($('stop')).disabled = !has || state === 'stopped';
  const playing = state === 'playing';
  $('play-label').textContent = playing ? 'Pause' : 'Play';
  $('play-glyph').setAttribute('d', playing ? 'M3.5 2.5h3v11h-3zM9.5 2.5h3v11h-3z' : 'M4 2.5v11l9.5-5.5z');
  /** @type {HTMLInputElement} */ ($('seek')).disabled = !has || stream.info?.seekable === false;
}

async function togglePlay() {
  if (stream.state === 'playing') await stream.pause();
  else if (stream.state !== 'idle') {
    await resume();
    await stream.play();
  } else if (playlist.tracks.length) await playIndex(Math.max(0, playlist.current));
}
playButton.addEventListener('click', () => command(togglePlay));
$('stop').addEventListener('click', () => command(() => stream.stop()));
$('next').addEventListener('click', () =>
  command(async () => {
    const i = playlist.nextIndex(playlist.current);
    if (i >= 0) await playIndex(i);
  }),
);
$('prev').addEventListener('click', () =>
  command(async () => {
    if (stream.position > 3) await stream.seek(0);
    else {
      const i = playlist.previousIndex();
      if (i >= 0) await playIndex(i);
    }
  }),
);
$('loop').addEventListener('click', () => {
  loopOn = !loopOn;
  applyLoop();
  say(loopOn ? 'Loop on: the track plays again at its end.' : 'Loop off.');
});

/** @param {number} seconds */
function seekTo(seconds) {
  const duration = stream.info?.duration ?? 0;
  return command(() => stream.seek(Math.min(Math.max(0, seconds), duration)));
}

// ---- A-B repeat ------------------------------------------------------------------
// The stream loops the region itself (loopStart .. loopEnd): each pass
// starts at A's frame and ends at B's, sample-exact and gapless, whatever
// the page's frame rate. Setting B behind the decoder jumps back to A at once.

/** Shows the marks and gives the stream its loop region (none until both are set). */
function showAb() {
  const on = ab.a !== null && ab.b !== null;
  stream.loopStart = on ? /** @type {number} */ (ab.a) : 0;
  stream.loopEnd = on ? /** @type {number} */ (ab.b) : 0;
  applyLoop();
  $('ab').textContent = ab.a === null ? '' : `${formatTime(ab.a)} → ${ab.b === null ? '…' : formatTime(ab.b)}`;
  /** @type {HTMLButtonElement} */ ($('clear-ab')).disabled = ab.a === null && ab.b === null;
  $('mark-a').setAttribute('aria-pressed', String(ab.a !== null));
  $('mark-b').setAttribute('aria-pressed', String(ab.b !== null));
}
$('mark-a').addEventListener('click', () => {
  ab.a = stream.position;
  if (ab.b !== null && ab.b <= ab.a) ab.b = null;
  showAb();
});
$('mark-b').addEventListener('click', () => {
  const t = stream.position;
  if (ab.a === null || t <= ab.a) {
    say('Set A first, before B.');
    return;
  }
  ab.b = t;
  showAb();
  say(`A-B repeat: ${formatTime(ab.a)} to ${formatTime(ab.b)}.`);
});
$('clear-ab').addEventListener('click', () => {
  ab.a = null;
  ab.b = null;
  showAb();
});

// ---- seeking: the slider, and click and drag on the overview ------------------------

const seek = /** @type {HTMLInputElement} */ ($('seek'));
let seekHeld = false;
seek.addEventListener('input', () => {
  seekHeld = true;
});
seek.addEventListener('change', () => {
  seekHeld = false;
  void seekTo(Number(seek.value));
});
const overviewCanvas = /** @type {HTMLCanvasElement} */ ($('overview'));
/** @type {number | null} where a drag on the overview would seek to, seconds */
let scrub = null;
/** @param {PointerEvent} e */
const timeAt = (e) => {
  const r = overviewCanvas.getBoundingClientRect();
  return Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)) * (stream.info?.duration ?? 0);
};
overviewCanvas.addEventListener('pointerdown', (e) => {
  if (!stream.info?.duration || !stream.info.seekable) return;
  scrub = timeAt(e);
  overviewCanvas.setPointerCapture(e.pointerId);
});
overviewCanvas.addEventListener('pointermove', (e) => {
  if (scrub !== null) scrub = timeAt(e);
});
overviewCanvas.addEventListener('pointerup', (e) => {
  if (scrub === null) return;
  scrub = null;
  void seekTo(timeAt(e));
});
overviewCanvas.addEventListener('pointercancel', () => {
  scrub = null;
});

function drawOverview() {
  const { g, width, height } = fitCanvas(overviewCanvas);
  const p = palette();
  g.fillStyle = p.bg;
  g.fillRect(0, 0, width, height);
  const duration = stream.info?.duration ?? 0;
  const mid = height / 2;
  const o = now.overview;
  const t = scrub ?? stream.position;
  const head = duration > 0 ? (t / duration) * width : 0;
  if (o) {
    const n = o.peaks.length / 2;
    let top = 0.05;
    for (let i = 0; i < o.peaks.length; i++) top = Math.max(top, Math.abs(o.peaks[i]));
    const scale = (height / 2 - 4) / top;
    for (let x = 0; x < width; x++) {
      const b0 = Math.floor((x / width) * n);
      const b1 = Math.max(b0 + 1, Math.floor(((x + 1) / width) * n));
      let lo = 0;
      let hi = 0;
      let rms = 0;
      for (let b = b0; b < b1; b++) {
        lo = Math.min(lo, o.peaks[2 * b]);
        hi = Math.max(hi, o.peaks[2 * b + 1]);
        rms = Math.max(rms, o.rms[b]);
      }
      g.fillStyle = x < head ? p.accent : p.gridStrong;
      g.fillRect(x, mid - hi * scale, 1, Math.max(1, (hi - lo) * scale));
      g.fillStyle = x < head ? p.accentStrong : p.text;
      g.globalAlpha = 0.55;
      g.fillRect(x, mid - rms * scale, 1, Math.max(1, 2 * rms * scale));
      g.globalAlpha = 1;
    }
  } else {
    g.fillStyle = p.grid;
    g.fillRect(0, mid, width, 1);
    g.fillStyle = p.text;
    g.font = '11px ui-monospace, monospace';
    g.fillText(now.info ? `overview: ${now.overviewState}` : '', 8, 14);
  }
  if (duration > 0 && ab.a !== null) {
    const xa = (ab.a / duration) * width;
    const xb = ab.b === null ? xa + 2 : (ab.b / duration) * width;
    g.fillStyle = p.accent2;
    g.globalAlpha = 0.22;
    g.fillRect(xa, 0, xb - xa, height);
    g.globalAlpha = 1;
    g.fillRect(xa, 0, 2, height);
    if (ab.b !== null) g.fillRect(xb - 2, 0, 2, height);
  }
  if (duration > 0) {
    g.fillStyle = p.bright;
    g.fillRect(Math.round(head) - 1, 0, 2, height);
  }
}

// ---- tabs -------------------------------------------------------------------------

const tabs = /** @type {HTMLButtonElement[]} */ ([...document.querySelectorAll('[role="tab"]')]);
/** @param {HTMLButtonElement} tab */
function showTab(tab) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(/** @type {string} */ (t.getAttribute('aria-controls'))).hidden = !on;
  }
  localStorage.setItem('ringlet-player:tab', tab.id);
}
for (const t of tabs) {
  t.addEventListener('click', () => showTab(t));
  t.addEventListener('keydown', (e) => {
    const i = tabs.indexOf(t);
    const j =
      e.key === 'ArrowRight'
        ? (i + 1) % tabs.length
        : e.key === 'ArrowLeft'
          ? (i - 1 + tabs.length) % tabs.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? tabs.length - 1
              : -1;
    if (j < 0) return;
    e.preventDefault();
    showTab(tabs[j]);
    tabs[j].focus();
  });
}
const savedTab = tabs.find((t) => t.id === localStorage.getItem('ringlet-player:tab'));
if (savedTab) showTab(savedTab);
/** @param {string} id */
const tabShown = (id) => !$(id).hidden;

// ---- the tabs' modules --------------------------------------------------------------

const eq = mountEq({ node, ctx, say, fail, visible: () => tabShown('tab-eq') });
const spectrum = mountSpectrum({ node, ctx, visible: () => tabShown('tab-spectrum') });
const settings = mountSettings({
  ctx,
  node,
  pool,
  say,
  fail,
  setNormalisation: (db) => {
    normDb = db;
    applyGain();
  },
  currentGain,
  track: () => (now.info ? { title: now.title, pcm: now.pcm } : null),
});
mountKeyboard({
  togglePlay: () => command(togglePlay),
  stop: () => command(() => stream.stop()),
  toggleLoop: () => /** @type {HTMLButtonElement} */ ($('loop')).click(),
  seekBy: (d) => (stream.info ? seekTo(stream.position + d) : undefined),
  volumeBy: (d) => {
    volume.value = String(Math.min(100, Math.max(0, Number(volume.value) + d)));
    volume.dispatchEvent(new Event('input'));
    say(`Volume ${volume.value} %.`);
  },
  open: () =>
    typeof (/** @type {any} */ (window).showOpenFilePicker) === 'function' ? command(openFiles) : fileInput.click(),
  dialog: /** @type {HTMLDialogElement} */ ($('shortcuts')),
});
$('help').addEventListener('click', () => /** @type {HTMLDialogElement} */ ($('shortcuts')).showModal());

try {
  await mountStudio({
    generatorPanel: $('tab-generator'),
    recorderPanel: $('tab-recorder'),
    ctx,
    speakers,
    pool,
    say,
  });
} catch (error) {
  fail(error, 'studio');
}

// ---- every frame --------------------------------------------------------------------

const levels = /** @type {HTMLCanvasElement} */ ($('levels'));
function frame() {
  const info = stream.info;
  const t = stream.position;
  if (info) {
    $('time').textContent = `${formatTime(scrub ?? t)} / ${formatTime(info.duration ?? 0)}`;
    if (!seekHeld && document.activeElement !== seek) seek.value = String(t);
    seek.setAttribute('aria-valuetext', `${formatTime(t)} of ${formatTime(info.duration ?? 0)}`);
  }
  drawOverview();
  drawLevels(levels, node.meters());
  eq.frame();
  spectrum.frame();
  settings.frame();
  requestAnimationFrame(frame);
}

await playlist.restore();
applySpeed();
applyLoop();
updateButtons();
if (playlist.tracks.length) {
  const i = Math.max(0, playlist.current);
  say(`Restored ${playlist.tracks.length} tracks (${playlist.storage}).`);
  await command(() => playIndex(i, { autoplay: false }));
} else say(`Ready. Open files, a folder or a URL, or drop them here. Playlist kept in ${playlist.storage}.`);
requestAnimationFrame(frame);

expose({
  ctx,
  node,
  stream,
  speakers,
  pool,
  playlist,
  eq,
  spectrum,
  settings,
  ab,
  get now() {
    return now;
  },
  get lastError() {
    return lastError;
  },
  get queued() {
    return queued;
  },
  get queuePending() {
    return queuePending;
  },
  /** Settles once every command issued so far has run. */
  idle: () => busy,
});
