// webpack's default entry. The worklet and the wasm are referenced with
// new URL(..., import.meta.url) in the package, which webpack 5 emits as assets.
import { RingletNode, VERSION, renderOffline } from 'ringlet';
import { playTone, renderTone } from './tone.js';

window.ringlet = {
  VERSION,
  playTone: (options) => playTone(RingletNode, options),
  renderTone: () => renderTone(renderOffline),
};
document.getElementById('status').textContent = 'ready';
