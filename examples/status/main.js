// status: what ringlet reports about itself, live. A quiet generator keeps
// the node busy; the test-hooks wasm makes a panic possible on purpose.
import {
  clearPanicHistory,
  getPanicStats,
  onPanic,
  PROCESSOR_NAME,
  RingletNode,
  VERSION,
  WorkerPool,
} from '../../dist/ringlet.js';
import {
  $,
  drawLevels,
  expose,
  formatCount,
  openAudio,
  showError,
  showIsolation,
  showTransport,
} from '../shared/ui.js';

const HOOKS_WASM = new URL('../../build/wasm-hooks/ringlet.wasm', import.meta.url).href;
const GENERATOR = /** @type {const} */ ({ type: 'sine', frequency: 220, amplitude: 0.08 });

showIsolation();
const hooksBox = /** @type {HTMLInputElement} */ ($('use-hooks'));
const panicButton = /** @type {HTMLButtonElement} */ ($('force-panic'));
const resetButton = /** @type {HTMLButtonElement} */ ($('reset'));

const { ctx, running } = await openAudio();
await running;
const output = new GainNode(ctx, { gain: 0 });
output.connect(ctx.destination);
/** @type {import('../../types/index.js').RingletNode<'source'> | null} */
let node = null;
let usingHooks = false;
let busy = false;

// The test-hooks build exists only in a development checkout, after `npm run build`.
const hooksAvailable = await fetch(HOOKS_WASM, { method: 'HEAD' }).then(
  (r) => r.ok,
  () => false,
);
hooksBox.disabled = !hooksAvailable;
hooksBox.title = hooksAvailable
  ? HOOKS_WASM
  : 'build/wasm-hooks/ringlet.wasm is not here: run `npm run build` in a checkout';

async function createNode() {
  busy = true;
  updateButtons();
  const old = node;
  node = null;
  old?.dispose();
  try {
    const n = await RingletNode.create(ctx, {
      mode: 'source',
      channels: 2,
      capacityFrames: 4096,
      ...(usingHooks ? { wasmUrl: HOOKS_WASM } : {}),
    });
    n.generator.set(GENERATOR);
    n.generator.start();
    n.connect(output);
    n.addEventListener('panic', (event) => {
      say(`Panic: ${event.detail.code}: ${event.detail.message}`, 'error');
      updateButtons();
    });
    node = n;
    showTransport(n);
    $('wasm').textContent = usingHooks ? 'test-hooks wasm' : 'release wasm';
    $('node-desc').textContent = `source · ${n.channels} ch · generator ${GENERATOR.frequency} Hz`;
  } catch (error) {
    showError(error, 'creating the node');
  } finally {
    busy = false;
    updateButtons();
  }
}

/**
 * @param {string} text
 * @param {'' | 'error' | 'warn'} [tone]
 */
function say(text, tone = '') {
  $('message').textContent = text;
  $('message').className = `note ${tone}`;
}

function updateButtons() {
  panicButton.disabled = busy || !node || !usingHooks || node.state !== 'running';
  panicButton.title = usingHooks
    ? 'Posts { type: "test:trap" } to node.port'
    : 'Needs the test-hooks wasm: the release build ignores test:trap';
  resetButton.disabled = busy || !node;
  hooksBox.disabled = busy || !hooksAvailable;
}

hooksBox.addEventListener('change', () => {
  usingHooks = hooksBox.checked;
  createNode();
});
$('sound').addEventListener('change', (e) => {
  output.gain.setTargetAtTime(/** @type {HTMLInputElement} */ (e.target).checked ? 1 : 0, ctx.currentTime, 0.02);
});
panicButton.addEventListener('click', () => {
  // Arms a trap inside the core's next quantum; only RL_TEST_HOOKS builds act on it.
  node?.port.postMessage({ type: 'test:trap' });
  panicButton.disabled = true;
});
resetButton.addEventListener('click', async () => {
  if (!node) return;
  busy = true;
  updateButtons();
  try {
    await node.reset();
    // reset() reinitialises the core: the generator (like the EQ and the
    // limiter) is back at its defaults there, so apply the settings again.
    node.generator.set(GENERATOR);
    node.generator.start();
    say('Reset: a fresh core instance on the same memory; the node runs again.');
  } catch (error) {
    showError(error, 'reset');
  } finally {
    busy = false;
    updateButtons();
  }
});
$('clear-history').addEventListener('click', () => clearPanicHistory());
onPanic(() => renderPanics());

// ---- the pool ----------------------------------------------------------------

let pool = new WorkerPool({ maxWorkers: 3, idleTimeoutMs: 15000 });
$('run-tasks').addEventListener('click', async () => {
  if (pool.state === 'terminated') pool = new WorkerPool({ maxWorkers: 3, idleTimeoutMs: 15000 });
  const values = new Float64Array(400000).map((_, i) => i % 7);
  const runs = Array.from({ length: 24 }, (_, i) => (i % 3 ? pool.run('sum', values) : pool.run('echo', { i })));
  const results = await Promise.allSettled(runs);
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  say(`${ok} of 24 tasks completed ('sum' over 400,000 numbers and 'echo').`);
});
$('terminate-pool').addEventListener('click', () => pool.terminate());

// ---- rendering ------------------------------------------------------------------

/**
 * @param {HTMLElement} tbody
 * @param {Record<string, unknown>} values
 */
function renderTable(tbody, values) {
  const rows = Object.entries(values);
  if (tbody.children.length !== rows.length) {
    tbody.replaceChildren(
      ...rows.map(([key]) => {
        const tr = document.createElement('tr');
        const th = document.createElement('th');
        th.scope = 'row';
        th.textContent = key;
        const td = document.createElement('td');
        td.dataset.key = key;
        tr.append(th, td);
        return tr;
      }),
    );
  }
  rows.forEach(([, value], i) => {
    const td = /** @type {HTMLElement} */ (tbody.children[i].lastElementChild);
    const text = typeof value === 'number' ? formatCount(value) : String(value);
    if (td.textContent !== text) td.textContent = text;
  });
}

let historyShown = -1;
function renderPanics() {
  const s = getPanicStats();
  $('panic-total').textContent = String(s.total);
  $('panic-total-stat').classList.toggle('alert', s.total > s.recovered);
  $('panic-recovered').textContent = String(s.recovered);
  $('panic-worklet').textContent = String(s.bySource.worklet);
  $('panic-other').textContent = `${s.bySource.worker} · ${s.bySource.main}`;
  $('history-count').textContent = s.history.length ? `(${s.history.length} of at most 100)` : '';
  const key = s.history.length * 1e6 + s.total;
  if (key === historyShown) return;
  historyShown = key;
  const list = $('history');
  if (s.history.length === 0) {
    list.innerHTML = '<li class="empty">No panics yet.</li>';
    return;
  }
  list.replaceChildren(
    ...s.history
      .slice(-4)
      .reverse()
      .map((h) => {
        const li = document.createElement('li');
        const when = document.createElement('div');
        when.className = 'when';
        when.textContent = `${new Date(h.at).toLocaleTimeString('en-GB')} · ${h.source} · ${h.code}`;
        const what = document.createElement('div');
        what.className = 'what';
        what.textContent = h.message;
        li.append(when, what);
        return li;
      }),
  );
}

function renderEnv() {
  const env = {
    'ringlet VERSION': VERSION,
    PROCESSOR_NAME,
    crossOriginIsolated: String(globalThis.crossOriginIsolated),
    SharedArrayBuffer: typeof SharedArrayBuffer === 'function' ? 'available' : 'missing',
    'Atomics.waitAsync': typeof (/** @type {any} */ (Atomics).waitAsync) === 'function' ? 'available' : 'missing',
    'sample rate': `${ctx.sampleRate} Hz`,
    'base latency': `${((ctx.baseLatency ?? 0) * 1000).toFixed(1)} ms`,
    'hooks wasm': hooksAvailable ? 'build/wasm-hooks/ringlet.wasm' : 'not built',
    'hardware threads': String(navigator.hardwareConcurrency ?? '?'),
  };
  $('env').replaceChildren(
    ...Object.entries(env).flatMap(([k, v]) => {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      return [dt, dd];
    }),
  );
}

function frame() {
  if (node) {
    const state = node.state;
    const pill = $('node-state');
    if (pill.textContent !== state) {
      pill.textContent = state;
      pill.className = `state-pill ${state}`;
      updateButtons();
    }
    const s = node.stats();
    renderTable($('node-stats'), {
      framesProcessed: s.framesProcessed,
      quanta: s.quanta,
      silentFrames: s.silentFrames,
      underruns: s.underruns,
      overruns: s.overruns,
      availableRead: s.availableRead,
      capacityFrames: s.capacityFrames,
      closed: s.closed,
    });
    const levels = /** @type {HTMLCanvasElement} */ ($('levels'));
    drawLevels(levels, node.meters());
    // A panicked core no longer updates its meters: show them as stale.
    levels.classList.toggle('panicked-dim', state !== 'running');
  }
  const p = pool.stats();
  renderTable($('pool-stats'), {
    state: p.state,
    workers: p.workers,
    'busy · idle · starting': `${p.busyWorkers} · ${p.idleWorkers} · ${p.startingWorkers}`,
    'active · queued': `${p.activeTasks} · ${p.queuedTasks}`,
    totalTasks: p.totalTasks,
    completedTasks: p.completedTasks,
    'failed · timeout · cancel': `${p.failedTasks} · ${p.timedOutTasks} · ${p.cancelledTasks}`,
    refusedTasks: p.refusedTasks,
    workersCreated: p.workersCreated,
    workerCrashes: p.workerCrashes,
    'listeners · timers': `${p.listeners + p.workerListeners} · ${p.timers}`,
  });
  renderPanics();
  requestAnimationFrame(frame);
}

renderEnv();
await createNode();
requestAnimationFrame(frame);
expose({
  ctx,
  get node() {
    return node;
  },
  get pool() {
    return pool;
  },
});
