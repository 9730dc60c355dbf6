// The tone example: main thread builds the graph, a Worker feeds the ring.
import { RingletNode } from '../../dist/ringlet.js';

const $ = (id) => document.getElementById(id);
$('isolated').textContent = String(globalThis.crossOriginIsolated);

/** @type {AudioContext | null} */
let ctx = null;
/** @type {RingletNode | null} */
let node = null;
/** @type {Worker | null} */
let worker = null;
let frame = 0;

$('freq').addEventListener('input', () => {
  $('freqOut').textContent = $('freq').value;
  worker?.postMessage({ type: 'frequency', value: Number($('freq').value) });
});

$('play').addEventListener('click', async () => {
  $('play').disabled = true;
  try {
    ctx ??= new AudioContext();
    node = await RingletNode.create(ctx, { mode: 'source', channels: 2, capacityFrames: 8192 });
    worker = new Worker(new URL('./tone.worker.js', import.meta.url), { type: 'module' });
    worker.postMessage({ type: 'start', handle: node.writerHandle, sampleRate: ctx.sampleRate, frequency: Number($('freq').value) });
    node.connect(ctx.destination);
    await Promise.race([ctx.resume(), new Promise((r) => setTimeout(r, 2000))]);
    $('stop').disabled = false;
    $('state').textContent = 'playing';
    frame = requestAnimationFrame(draw);
  } catch (error) {
    $('state').textContent = `error: ${error.message}`;
    $('play').disabled = false;
  }
});

$('stop').addEventListener('click', () => {
  cancelAnimationFrame(frame);
  worker?.terminate();
  node?.dispose();
  worker = null;
  node = null;
  $('stop').disabled = true;
  $('play').disabled = false;
  $('state').textContent = 'stopped';
});

function draw() {
  if (!node) return;
  const s = node.stats();
  $('fill').value = s.availableRead / s.capacityFrames;
  $('frames').textContent = String(s.framesProcessed);
  $('underruns').textContent = String(s.underruns);
  frame = requestAnimationFrame(draw);
}
