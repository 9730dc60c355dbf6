// Drains a capture node's ring with RingReader.readSync (blocking is fine in
// a Worker) and builds WAV files. See ./drainer.js for the protocol; besides
// it this Worker takes
//   { type: 'attach', handle, sampleRate, format? }   the ring, and 'pcm16' (default) or 'float32'
//   { type: 'dispose' }                               stop draining and close
import { RingReader } from '../../dist/ringlet.js';
import { Drainer } from './drainer.js';

/** @type {Drainer | null} */
let drainer = null;

self.onmessage = (event) => {
  const m = event.data;
  if (m.type === 'attach') {
    const reader = RingReader.fromHandle(m.handle);
    drainer = new Drainer(reader, {
      blocking: true,
      sampleRate: m.sampleRate,
      format: m.format,
      post: (msg, transfer) => self.postMessage(msg, transfer ?? []),
    });
    drainer.loop.catch((error) => self.postMessage({ type: 'error', message: String(error?.stack ?? error) }));
    return;
  }
  if (m.type === 'dispose') {
    drainer?.dispose();
    self.close();
    return;
  }
  drainer?.handle(m);
};
