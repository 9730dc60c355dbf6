// The page's side of streaming into a source node: a Worker when the node
// has a writerHandle (the 'shared' transport), or the same Streamer on the
// main thread with the node's async writer (the 'message' transport).
import { Streamer } from './streamer.js';

export class StreamClient {
  /**
   * @param {import('../../types/index.js').RingletNode<'source'>} node
   * @param {{ onEnded?: () => void, onError?: (message: string) => void }} [callbacks]
   */
  constructor(node, callbacks = {}) {
    this.node = node;
    this.callbacks = callbacks;
    this.session = 0;
    /** Frames written in the current session (from the streamer's progress reports). */
    this.written = 0;
    /** @type {Map<number, () => void>} */
    this.halts = new Map();
    this.nextHalt = 1;
    const onMessage = (/** @type {any} */ m) => this.onMessage(m);
    if (node.writerHandle) {
      this.where = 'worker';
      this.worker = new Worker(new URL('./stream.worker.js', import.meta.url), { type: 'module' });
      this.worker.onmessage = (event) => onMessage(event.data);
      this.worker.onerror = (event) => callbacks.onError?.(event.message);
      this.worker.postMessage({ type: 'attach', handle: node.writerHandle });
      this.local = null;
    } else {
      this.where = 'main thread';
      this.worker = null;
      const writer = /** @type {any} */ (node.writer);
      this.local = new Streamer(writer, { blocking: false, post: (m) => queueMicrotask(() => onMessage(m)) });
    }
  }

  /** @param {object} m */
  send(m, /** @type {Transferable[]} */ transfer = []) {
    if (this.worker) this.worker.postMessage(m, transfer);
    else this.local?.handle(/** @type {any} */ (m)).catch((error) => this.callbacks.onError?.(String(error)));
  }

  /**
   * Hands the audio over (copies, transferred to the Worker).
   * @param {AudioBuffer} buffer
   */
  load(buffer) {
    const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c).slice());
    this.send(
      { type: 'load', channels },
      channels.map((c) => c.buffer),
    );
  }

  /** @param {boolean} on */
  setLoop(on) {
    this.send({ type: 'loop', on });
  }

  /**
   * Starts streaming from file frame `from`; returns the session number.
   * @param {number} from
   */
  play(from) {
    this.session += 1;
    this.written = 0;
    this.send({ type: 'play', from, session: this.session });
    return this.session;
  }

  /** Stops writing; resolves once no write is in flight (so the ring may be reset). */
  halt() {
    this.session += 1;
    const id = this.nextHalt++;
    return new Promise((resolve) => {
      this.halts.set(id, () => resolve(undefined));
      this.send({ type: 'halt', id });
    });
  }

  /** @param {any} m */
  onMessage(m) {
    if (m.type === 'progress' && m.session === this.session) this.written = m.written;
    else if (m.type === 'ended' && m.session === this.session) this.callbacks.onEnded?.();
    else if (m.type === 'halted') {
      this.halts.get(m.id)?.();
      this.halts.delete(m.id);
    } else if (m.type === 'error') this.callbacks.onError?.(m.message);
  }

  dispose() {
    this.worker?.terminate();
    this.local?.halt();
  }
}
