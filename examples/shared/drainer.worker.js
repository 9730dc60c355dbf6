// Drains a capture node's ring with RingReader.readSync (blocking is fine in
// a Worker) and builds WAV files. See ../shared/drainer.js for the protocol.
import { RingReader } from '../../dist/ringlet.js';
import { Drainer } from '../shared/drainer.js';

/** @type {Drainer | null} */
let drainer = null;

self.onmessage = (event) => {
  const m = event.data;
  if (m.type === 'attach') {
    const reader = RingReader.fromHandle(m.handle);
    drainer = new Drainer(reader, {
      blocking: true,
      sampleRate: m.sampleRate,
      post: (msg, transfer) => self.postMessage(msg, transfer ?? []),
    });
    drainer.loop.catch((error) => self.postMessage({ type: 'error', message: String(error?.stack ?? error) }));
    return;
  }
  drainer?.handle(m);
};
