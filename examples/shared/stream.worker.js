// A Worker that streams decoded audio into a source node's ring: it rebuilds
// the writing end from node.writerHandle and blocks in writeSync while the
// ring is full, which is what paces it. See streamer.js for the protocol.
import { RingWriter } from '../../dist/ringlet.js';
import { Streamer } from './streamer.js';

/** @type {Streamer | null} */
let streamer = null;

self.onmessage = (event) => {
  const m = event.data;
  if (m.type === 'attach') {
    streamer = new Streamer(RingWriter.fromHandle(m.handle), { blocking: true, post: (msg) => self.postMessage(msg) });
    return;
  }
  streamer?.handle(m).catch((error) => self.postMessage({ type: 'error', message: String(error?.stack ?? error) }));
};
