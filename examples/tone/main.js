// The tone example: main thread builds the graph, a Worker feeds the ring.
import { RingletNode } from '../../dist/ringlet.js';
import { $, setGauge, showContext, showError, showIsolation, showTransport } from '../shared/ui.js';

showIsolation();

/** @type {AudioContext | null} */
let ctx = null;
/** @type {RingletNode | null} */
let node = null;
/** @type {Worker | null} */
let worker = null;
let frame = 0;

$('freq').addEventListener('input', () => {
  $('freqOut').textContent = /** @type {HTMLInputElement} */ ($('freq')).value;
  worker?.postMessage({ type: 'frequency', value: Number(/** @type {HTMLInputElement} */ ($('freq')).value) });
});

$('play').addEventListener('click', async () => {
  /** @type {HTMLButtonElement} */ ($('play')).disabled = true;
  try {
    ctx ??= new AudioContext();
    node = await RingletNode.create(ctx, { mode: 'source', channels: 2, capacityFrames: 8192 });
    showTransport(node);
    if (!node.writerHandle)
      throw new Error('this page needs cross-origin isolation: the Worker writes the shared ring');
    worker = new Worker(new URL('./tone.worker.js', import.meta.url), { type: 'module' });
    worker.postMessage({
      type: 'start',
      handle: node.writerHandle,
      sampleRate: ctx.sampleRate,
      frequency: Number(/** @type {HTMLInputElement} */ ($('freq')).value),
    });
    node.connect(ctx.destination);
    await Promise.race([ctx.resume(), new Promise((r) => setTimeout(r, 2000))]);
    showContext(ctx);
    /** @type {HTMLButtonElement} */ ($('stop')).disabled = false;
    $('state').textContent = 'playing';
    frame = requestAnimationFrame(draw);
  } catch (error) {
    $('state').textContent = 'error';
    showError(error, 'play');
    /** @type {HTMLButtonElement} */ ($('play')).disabled = false;
  }
});

$('stop').addEventListener('click', () => {
  cancelAnimationFrame(frame);
  worker?.terminate();
  node?.dispose();
  worker = null;
  node = null;
  /** @type {HTMLButtonElement} */ ($('stop')).disabled = true;
  /** @type {HTMLButtonElement} */ ($('play')).disabled = false;
  $('state').textContent = 'stopped';
});

function draw() {
  if (!node) return;
  const s = node.stats();
  const fill = s.availableRead / s.capacityFrames;
  setGauge($('fill'), fill, `${(fill * 100).toFixed(0)} %`);
  $('frames').textContent = s.framesProcessed.toLocaleString('en-US');
  $('underruns').textContent = String(s.underruns);
  frame = requestAnimationFrame(draw);
}
