// What an app does: import the package by name and let Vite find its assets
// (the worklet and the wasm are referenced with new URL(..., import.meta.url)).
import { RingletNode, VERSION } from 'ringlet';
import { playTone } from './tone.js';

window.ringlet = { VERSION, playTone: (options) => playTone(RingletNode, options) };
document.getElementById('status').textContent = 'ready';
