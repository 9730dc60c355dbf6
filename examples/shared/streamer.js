// Streams decoded audio (planar Float32 channels) into a source node's ring.
// Runs in a Worker with a RingWriter rebuilt from node.writerHandle, where
// writeSync may block; or, on the message transport (no handle), on the main
// thread with the node's own writer and the async write(). Never on the audio
// thread.
//
// Protocol (posted by the page, or called directly on the main thread):
//   { type: 'load', channels: Float32Array[] }   the audio (transferred)
//   { type: 'play', from, session }               stream from frame `from`
//   { type: 'halt', id }                          stop writing; replies { type: 'halted', id }
//   { type: 'loop', on }
// and it posts:
//   { type: 'progress', session, written }        frames written since 'play'
//   { type: 'ended', session }                    end of the audio, ring closed

import { yieldToMessages } from './yield.js';

/** Frames per write once the ring is primed: about 23 ms at 44.1 kHz. */
export const CHUNK_FRAMES = 1024;
/** Bounds each blocking write, so 'halt' is answered within this long. */
const WRITE_TIMEOUT_MS = 20;

/**
 * @typedef {{ status: 'ready' | 'timeout' | 'closed', frames: number }} WriteResult
 * @typedef {{
 *   channels: number, capacityFrames: number, availableRead: number, closed: boolean, close(): void,
 *   writeSync(data: Float32Array[], timeoutMs: number): WriteResult,
 *   write(data: Float32Array[], options: { timeoutMs: number }): Promise<WriteResult>,
 * }} Writer
 */

export class Streamer {
  /**
   * @param {Writer} writer
   * @param {{ blocking: boolean, post: (message: object) => void }} options
   *   blocking: use writeSync (Workers) rather than write()
   */
  constructor(writer, { blocking, post }) {
    this.writer = writer;
    this.blocking = blocking;
    this.post = post;
    /** @type {Float32Array[]} */
    this.channels = [];
    this.length = 0;
    this.loop = true;
    this.position = 0;
    /** The session being played; -1 while halted. */
    this.session = -1;
    /** @type {Promise<void>} resolves when the current pump loop has returned */
    this.pumping = Promise.resolve();
    /** @type {Promise<void>} messages are applied one after another, in order */
    this.queue = Promise.resolve();
  }

  /**
   * Applies a message after every earlier one.
   * @param {{ type: string, [key: string]: any }} m
   */
  handle(m) {
    this.queue = this.queue.then(() => this.apply(m));
    return this.queue;
  }

  /** @param {{ type: string, [key: string]: any }} m */
  async apply(m) {
    switch (m.type) {
      case 'load':
        await this.halt();
        this.channels = m.channels;
        this.length = Math.min(...m.channels.map((/** @type {Float32Array} */ c) => c.length));
        break;
      case 'loop':
        this.loop = Boolean(m.on);
        break;
      case 'play':
        await this.halt();
        this.position = Math.min(Math.max(0, Math.floor(m.from)), Math.max(0, this.length - 1));
        this.session = m.session;
        this.pumping = this.pump(m.session);
        break;
      case 'halt':
        await this.halt();
        this.post({ type: 'halted', id: m.id });
        break;
    }
  }

  /** Stops writing; resolves once no write is in flight. */
  async halt() {
    this.session = -1;
    await this.pumping;
  }

  /** @param {number} session */
  async pump(session) {
    const w = this.writer;
    // Planar views of the audio, one per ring channel: a mono file feeds both sides.
    const views = Array.from({ length: w.channels }, () => new Float32Array(0));
    let written = 0;
    let lastPost = 0;
    // Pre-fill: the first write of a session fills the whole (empty) ring at
    // once, and the ring publishes it in one step, so playback starts with the
    // ring's full capacity buffered however late this thread gets its next turn.
    let want = w.capacityFrames;
    while (this.session === session) {
      let left = this.length - this.position;
      if (left <= 0) {
        if (!this.loop || this.length === 0) {
          // The end of the stream: a closed, drained ring is silence without underruns.
          w.close();
          this.post({ type: 'progress', session, written });
          this.post({ type: 'ended', session });
          this.session = -1;
          return;
        }
        this.position = 0;
        left = this.length;
      }
      const n = Math.min(want, left);
      want = CHUNK_FRAMES;
      for (let c = 0; c < views.length; c++) {
        const src = this.channels[Math.min(c, this.channels.length - 1)];
        views[c] = src.subarray(this.position, this.position + n);
      }
      const r = this.blocking
        ? w.writeSync(views, { timeoutMs: WRITE_TIMEOUT_MS })
        : await w.write(views, { timeoutMs: WRITE_TIMEOUT_MS });
      this.position += r.frames;
      written += r.frames;
      if (r.status === 'closed') break;
      const now = performance.now();
      if (now - lastPost > 15) {
        this.post({ type: 'progress', session, written });
        lastPost = now;
      }
      // Let messages ('halt', 'loop') in between writes.
      if (this.blocking) await yieldToMessages();
    }
    this.post({ type: 'progress', session, written });
  }
}
