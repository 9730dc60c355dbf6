// ringlet/stream-worker-wasm in a Vite build: the app's own Worker module
// (stream.worker.js) imports it, Vite bundles it with mediabunny and the
// two WebAssembly decoders (optional peers this app installs), and the
// stream starts it through `workerUrl`. It plays a FLAC file of the pages'
// signal (made by the consumer run with ffmpeg, served from public/),
// which must come out bit-exact (stream-check.js): in WebKitGTK, whose
// WebCodecs has no FLAC decoder, only the bundled WebAssembly one can.
import streamWorkerUrl from './stream.worker.js?worker&url';
import { playAndCompare } from './stream-check.js';

async function run() {
  return playAndCompare({ workerUrl: streamWorkerUrl }, async () => (await fetch('./signal.flac')).blob());
}

window.ringlet = { run };
document.getElementById('status').textContent = 'ready';
