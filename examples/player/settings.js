// The Settings tab: themes and high contrast (remembered), the limiter, the
// output device, the transport and isolation, the panic history, the
// track's loudness with optional normalisation, and the offline export.
// Main thread.
import { ensureCrossOriginIsolation, getPanicStats, onPanic, renderOffline } from '../../dist/ringlet.js';
import { $, formatCount, setGauge } from '../shared/ui.js';
import { encodeWavFloat } from '../shared/wav.js';

const APPEARANCE_KEY = 'ringlet-player:appearance';
const LIGHT = new Set(['latte', 'light']);
/** Normalisation never adds more than this, dB. */
const MAX_BOOST_DB = 12;

/** @param {number} db */
const signed = (db) => `${db > 0 ? '+' : ''}${db.toFixed(1)}`.replace('-', '−');

/**
 * @param {string} theme
 * @param {boolean} contrast
 */
export function applyAppearance(theme, contrast) {
  const root = document.documentElement;
  root.dataset.theme = theme;
  root.dataset.scheme = LIGHT.has(theme) ? 'light' : 'dark';
  if (contrast) root.dataset.contrast = 'high';
  else delete root.dataset.contrast;
  localStorage.setItem(APPEARANCE_KEY, JSON.stringify({ theme, scheme: root.dataset.scheme, contrast }));
}

/**
 * @param {object} app
 * @param {AudioContext} app.ctx
 * @param {import('../../types/index.js').RingletNode<'source'>} app.node
 * @param {import('../../types/index.js').WorkerPool | undefined} app.pool
 * @param {(text: string) => void} app.say
 * @param {(error: unknown, where: string) => void} app.fail
 * @param {(normDb: number) => void} app.setNormalisation the gain (dB) normalisation adds to the volume
 * @param {() => number} app.currentGain the linear gain the node applies now (volume × normalisation)
 * @param {() => { title: string, pcm: { channels: Float32Array[], sampleRate: number } | null } | null} app.track
 */
export function mountSettings({ ctx, node, pool, say, fail, setNormalisation, currentGain, track }) {
  // ---- appearance ----
  const theme = /** @type {HTMLSelectElement} */ ($('theme'));
  const contrast = /** @type {HTMLInputElement} */ ($('contrast'));
  theme.value = document.documentElement.dataset.theme ?? 'studio-dark';
  contrast.checked = document.documentElement.dataset.contrast === 'high';
  const onAppearance = () => applyAppearance(theme.value, contrast.checked);
  theme.addEventListener('change', onAppearance);
  contrast.addEventListener('change', onAppearance);

  // ---- limiter ----
  const ceiling = /** @type {HTMLInputElement} */ ($('ceiling'));
  const limiterOn = /** @type {HTMLInputElement} */ ($('limiter-on'));
  ceiling.value = String(node.limiter.get().ceilingDb);
  const showCeiling = () => {
    $('ceiling-out').textContent = `${signed(Number(ceiling.value))} dBFS`;
    ceiling.setAttribute('aria-valuetext', `${ceiling.value} dBFS`);
  };
  ceiling.addEventListener('input', () => {
    try {
      node.limiter.set({ ceilingDb: Number(ceiling.value) });
    } catch (error) {
      fail(error, 'limiter');
    }
    showCeiling();
  });
  limiterOn.addEventListener('change', () => {
    node.limiter.bypass = !limiterOn.checked;
    ceiling.disabled = !limiterOn.checked;
    say(limiterOn.checked ? 'The limiter holds the output under its ceiling.' : 'Limiter off: the output may clip.');
  });
  showCeiling();

  // ---- output device ----
  const sink = /** @type {HTMLSelectElement} */ ($('sink'));
  const anyCtx = /** @type {any} */ (ctx);
  if (typeof anyCtx.setSinkId !== 'function') {
    sink.disabled = true;
    $('sink-note').textContent = 'This browser cannot choose the output device (no AudioContext.setSinkId).';
  } else {
    const list = async () => {
      try {
        const devices = (await navigator.mediaDevices?.enumerateDevices()) ?? [];
        const outs = devices.filter((d) => d.kind === 'audiooutput' && d.deviceId && d.deviceId !== 'default');
        sink.replaceChildren(
          new Option('System default', ''),
          ...outs.map((d, i) => new Option(d.label || `Output ${i + 1}`, d.deviceId)),
        );
        $('sink-note').textContent = outs.length
          ? ''
          : 'Only the default output is listed until the page may see device names.';
      } catch {
        $('sink-note').textContent = 'The devices could not be listed.';
      }
    };
    void list();
    navigator.mediaDevices?.addEventListener?.('devicechange', list);
    sink.addEventListener('change', async () => {
      try {
        await anyCtx.setSinkId(sink.value);
        say(`Output: ${sink.selectedOptions[0]?.text ?? 'default'}.`);
      } catch (error) {
        fail(error, 'output device');
      }
    });
  }

  // ---- engine ----
  const isolated = globalThis.crossOriginIsolated === true;
  $('set-transport').textContent = node.transport;
  $('set-isolated').textContent = String(isolated);
  $('set-context').textContent = `${ctx.sampleRate} Hz · ${(ctx.baseLatency * 1000).toFixed(1)} ms base latency`;
  $('isolation-note').textContent =
    node.transport === 'shared'
      ? 'Isolated: the stream Worker writes the ring in shared memory itself.'
      : 'Not isolated: the node uses the message transport, and the stream Worker posts decoded audio through the page.';
  const isolate = /** @type {HTMLButtonElement} */ ($('isolate'));
  isolate.hidden = isolated;
  // The player's own service worker (./sw.js, ringlet's coi-serviceworker
  // loaded from this folder): its scope covers this page on any static host.
  // After the one reload it isolates, the page is isolated and the node and
  // the stream Worker use the shared ring.
  const isolateWithWorker = async (quietWhenIsolated = false) => {
    const r = await ensureCrossOriginIsolation({ swUrl: new URL('./sw.js', import.meta.url).href });
    if (r.status === 'reloading' || (quietWhenIsolated && r.status === 'isolated')) return;
    say(`Isolation: ${r.status}${'reason' in r ? ` (${r.reason}: ${r.message})` : ''}`);
  };
  isolate.addEventListener('click', () => void isolateWithWorker());
  // Loaded under the worker (after that reload, or on a later visit): let it
  // confirm, which clears its reload guard, or say why the page is not isolated.
  if (navigator.serviceWorker?.controller) void isolateWithWorker(true);

  // ---- panic history ----
  const showPanics = () => {
    const s = getPanicStats();
    $('panic-summary').textContent = s.total
      ? `${s.total} panics (worklet ${s.bySource.worklet}, worker ${s.bySource.worker}, main ${s.bySource.main}); ${s.recovered} recovered.`
      : 'No panics.';
    const rows = s.history
      .slice(-8)
      .reverse()
      .map((r) => {
        const tr = document.createElement('tr');
        for (const text of [new Date(r.at).toLocaleTimeString(), r.source, r.code, r.message])
          tr.append(Object.assign(document.createElement('td'), { textContent: text }));
        return tr;
      });
    $('panics').replaceChildren(
      ...(rows.length
        ? rows
        : [Object.assign(document.createElement('tr'), { innerHTML: '<td colspan="4" class="empty">none</td>' })]),
    );
  };
  onPanic(showPanics);
  node.addEventListener('panic', () => {
    showPanics();
    say('The node panicked: resetting it.');
    node.reset().catch((error) => fail(error, 'reset'));
  });
  showPanics();

  // ---- loudness ----
  const normalise = /** @type {HTMLInputElement} */ ($('normalise'));
  const target = /** @type {HTMLSelectElement} */ ($('target'));
  /** @type {{ lufs: number, peakDb: number } | null} */
  let loudness = null;
  const applyNorm = () => {
    if (!normalise.checked || !loudness || !Number.isFinite(loudness.lufs)) {
      setNormalisation(0);
      $('norm-note').textContent = normalise.checked ? 'Waiting for the track’s loudness…' : '';
      return;
    }
    const db = Math.min(MAX_BOOST_DB, Number(target.value) - loudness.lufs);
    setNormalisation(db);
    $('norm-note').textContent = `${signed(db)} dB through node.gain (the limiter still holds the ceiling).`;
  };
  normalise.addEventListener('change', applyNorm);
  target.addEventListener('change', applyNorm);

  // ---- export ----
  const exportButton = /** @type {HTMLButtonElement} */ ($('export'));
  const cancel = /** @type {HTMLButtonElement} */ ($('export-cancel'));
  const link = /** @type {HTMLAnchorElement} */ ($('export-link'));
  /** @type {AbortController | null} */
  let controller = null;
  let exportState = 'idle';
  /** @type {{ frames: number, sampleRate: number, channels: number } | null} */
  let lastExport = null;
  const progress = (/** @type {number} */ f) => setGauge($('export-progress'), f, `${(f * 100).toFixed(0)} %`);
  const canExport = () => {
    exportButton.disabled = !pool || !track()?.pcm || exportState === 'rendering';
  };
  exportButton.addEventListener('click', async () => {
    const t = track();
    if (!pool || !t?.pcm) return;
    controller = new AbortController();
    exportState = 'rendering';
    canExport();
    cancel.disabled = false;
    link.hidden = true;
    progress(0);
    const limiter = node.limiter.get();
    const chain = {
      gain: currentGain(),
      eq: { bands: Array.from({ length: 8 }, (_, i) => node.eq.getBand(i)), bypass: node.eq.bypass },
      limiter: {
        ceilingDb: limiter.ceilingDb,
        attackMs: limiter.attackMs,
        releaseMs: limiter.releaseMs,
        bypass: node.limiter.bypass,
      },
    };
    try {
      const out = await renderOffline(t.pcm, chain, { pool, signal: controller.signal, onProgress: progress });
      progress(1);
      if (link.href) URL.revokeObjectURL(link.href);
      link.href = URL.createObjectURL(new Blob([encodeWavFloat(out.channels, out.sampleRate)], { type: 'audio/wav' }));
      link.download = `${t.title.replace(/[\\/:*?"<>|]+/g, '_')} (ringlet).wav`;
      link.hidden = false;
      lastExport = { frames: out.channels[0].length, sampleRate: out.sampleRate, channels: out.channels.length };
      exportState = 'done';
      say(`Exported ${formatCount(lastExport.frames)} frames as a 32-bit float WAV.`);
    } catch (error) {
      exportState = /** @type {any} */ (error)?.code === 'ABORTED' ? 'cancelled' : 'failed';
      if (exportState === 'cancelled') say('Export cancelled.');
      else fail(error, 'export');
    } finally {
      controller = null;
      cancel.disabled = true;
      canExport();
    }
  });
  cancel.addEventListener('click', () => controller?.abort(new Error('cancelled by the user')));

  return {
    /** A new track: forget the old loudness and export. */
    reset() {
      loudness = null;
      $('lufs').textContent = '—';
      $('track-peak').textContent = '—';
      link.hidden = true;
      progress(0);
      applyNorm();
      canExport();
    },
    /** @param {{ lufs: number, peakDb: number } | null} l */
    setLoudness(l) {
      loudness = l;
      $('lufs').textContent = l && Number.isFinite(l.lufs) ? `${l.lufs.toFixed(1).replace('-', '−')} LUFS` : 'n/a';
      $('track-peak').textContent = l ? `${signed(l.peakDb)} dBFS` : 'n/a';
      applyNorm();
    },
    canExport,
    frame() {
      $('set-underruns').textContent = formatCount(node.stats().underruns);
    },
    get exportState() {
      return exportState;
    },
    get lastExport() {
      return lastExport;
    },
    get loudness() {
      return loudness;
    },
  };
}
