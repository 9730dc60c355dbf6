// What an app does: import the package by name and let Vite find its assets
// (the worklet and the wasm are referenced with new URL(..., import.meta.url)).
import { RingletNode, VERSION, renderOffline } from 'ringlet';
import { playTone, renderTone } from './tone.js';

window.ringlet = {
  VERSION,
  playTone: (options) => playTone(RingletNode, options),
  renderTone: () => renderTone(renderOffline),
};
document.getElementById('status').textContent = 'ready';
