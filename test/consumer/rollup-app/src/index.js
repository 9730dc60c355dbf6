// The Rollup app's entry. The worklet and the wasm are referenced with
// new URL(..., import.meta.url) in the package; importMetaAssets emits them.
import { RingletNode, VERSION } from 'ringlet';
import { playTone } from './tone.js';

window.ringlet = { VERSION, playTone: (options) => playTone(RingletNode, options) };
document.getElementById('status').textContent = 'ready';
