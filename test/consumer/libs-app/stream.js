// ringlet/stream in a Vite build: its Worker (bundled by Vite together with
// mediabunny, an optional peer this app installs) decodes a WAV made here
// into a source node's ring, which must play the WAV's samples exactly
// (stream-check.js).
import { playAndCompare } from './stream-check.js';
import { wavBytes } from './stream-signal.js';

async function run() {
  return playAndCompare({}, async () => new Blob([wavBytes()], { type: 'audio/wav' }));
}

window.ringlet = { run };
document.getElementById('status').textContent = 'ready';
