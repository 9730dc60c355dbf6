// The Worker of test/bench/decode.browser.js: ringlet/stream's own decode
// path (stream-worker/tracks.js opens the file with mediabunny,
// stream-worker/pump.js decodes it and writes every frame into a ring with
// RingWriter.writeSync), timed from the first frame asked to the last frame
// written. The ring holds the whole file, so nothing waits for a consumer:
// the figure is the decoder's and the writes', not the audio thread's.
import * as mb from 'mediabunny';
import { LAYOUT } from '/lib/shared/layout.js';
import { RingWriter } from '/lib/shared/ring-ends.js';
import { openTrack } from '/lib/stream-worker/tracks.js';
import { Pump } from '/lib/stream-worker/pump.js';

/**
 * A ring of `capacity` stereo frames on a SharedArrayBuffer, its header
 * written as the core writes it (csrc/ring.c), for a RingWriter.
 * @param {number} capacity
 */
function ring(capacity) {
  const buffer = new SharedArrayBuffer(LAYOUT.RING_HEADER_BYTES + capacity * 2 * 4);
  const u32 = new Uint32Array(buffer, 0, LAYOUT.RING_HEADER_BYTES >> 2);
  u32[LAYOUT.RING_OFFSET_LAYOUT_VERSION >> 2] = LAYOUT.RING_LAYOUT_VERSION;
  u32[LAYOUT.RING_OFFSET_CHANNELS >> 2] = 2;
  u32[LAYOUT.RING_OFFSET_CAPACITY >> 2] = capacity;
  u32[LAYOUT.RING_OFFSET_DATA >> 2] = LAYOUT.RING_HEADER_BYTES;
  Atomics.store(u32, LAYOUT.RING_OFFSET_MAGIC >> 2, LAYOUT.RING_MAGIC);
  return new RingWriter(buffer, 0);
}

self.onmessage = async (/** @type {MessageEvent} */ event) => {
  const { blob, capacity } = event.data;
  try {
    const opened = performance.now();
    const track = await openTrack(mb, { kind: 'blob', blob }, () => {});
    const writer = ring(capacity);
    /** @type {{ type: string, at?: number }[]} */
    const posted = [];
    const pump = new Pump({
      session: 1,
      mb,
      track: () => track,
      playlist: [1],
      frame: 0,
      loop: false,
      channels: 2,
      ring: writer,
      control: null,
      credit: capacity,
      rates: false,
      post: (m) => posted.push(/** @type {{ type: string, at?: number }} */ (m)),
    });
    const start = performance.now();
    const how = await pump.run();
    const ms = performance.now() - start;
    track.input.dispose();
    const end = posted.find((m) => m.type === 'end' || m.type === 'error');
    self.postMessage({
      how,
      ms,
      openMs: start - opened,
      frames: pump.written,
      seconds: pump.written / track.info.sampleRate,
      rate: track.info.sampleRate,
      codec: track.info.codec,
      error: end?.type === 'error' ? end : null,
    });
  } catch (error) {
    self.postMessage({ how: 'failed', error: String(/** @type {Error} */ (error)?.message ?? error) });
  }
};
