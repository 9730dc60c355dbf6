// Drains a capture node's ring and records what it reads as a WAV. Runs in a
// Worker with a RingReader rebuilt from node.readerHandle (blocking readSync),
// or, on the message transport (no handle), on the main thread with the
// node's own reader and the async read(). Never on the audio
// thread.
//
// It drains all the time, so the ring never overruns once it runs; frames
// count only while recording. A capture node fills its ring from the moment
// it is created, so the ring overruns until the drainer starts: it posts
//   { type: 'attached' }              once it has caught up with that backlog
//   { type: 'record', limitFrames }   start a take (0: no limit)
//   { type: 'stop' }                  finish the take
// It posts:
//   { type: 'progress', frames }      every ~50 ms while recording
//   { type: 'done', wav, frames, peak, rms, sampleRate, channels, overview }
//                                     (wav and overview transferred; overview is
//                                     OVERVIEW_BUCKETS [min, max] pairs, see WavWriter.overview)
// The WAV is 16-bit PCM, or 32-bit float with { format: 'float32' }.
import { yieldToMessages } from './yield.js';
import { WavWriter } from './wav.js';

const CHUNK_FRAMES = 4096;
/** Spans in a take's waveform overview. */
export const OVERVIEW_BUCKETS = 600;
const READ_TIMEOUT_MS = 40;

/**
 * @typedef {{ status: string, frames: number }} ReadResult
 * @typedef {{
 *   channels: number, closed: boolean,
 *   readSync(dst: Float32Array, timeoutMs: number): ReadResult,
 *   read(dst: Float32Array, timeoutMs: number): Promise<ReadResult>,
 * }} Reader
 */

export class Drainer {
  /**
   * @param {Reader} reader
   * @param {{ blocking: boolean, sampleRate: number, format?: import('./wav.js').WavFormat, post: (message: object, transfer?: Transferable[]) => void }} options
   */
  constructor(reader, { blocking, sampleRate, format = 'pcm16', post }) {
    this.reader = reader;
    this.format = format;
    this.blocking = blocking;
    this.sampleRate = sampleRate;
    this.post = post;
    /** @type {WavWriter | null} */
    this.take = null;
    this.limit = 0;
    this.peak = 0;
    this.sumSquares = 0;
    this.running = true;
    this.loop = this.run();
  }

  /** @param {{ type: string, limitFrames?: number }} m */
  handle(m) {
    if (m.type === 'record') {
      this.take = new WavWriter(
        this.reader.channels,
        this.sampleRate,
        Math.min(m.limitFrames || Infinity, this.sampleRate * 30), // a hint: the take grows past it
        this.format,
      );
      this.limit = m.limitFrames ?? 0;
      this.peak = 0;
      this.sumSquares = 0;
    } else if (m.type === 'stop') {
      this.finish();
    }
  }

  finish() {
    const take = this.take;
    if (!take) return;
    this.take = null;
    const overview = take.overview(OVERVIEW_BUCKETS);
    const wav = take.finish();
    const samples = take.frames * take.channels;
    this.post(
      {
        type: 'done',
        wav,
        frames: take.frames,
        channels: take.channels,
        sampleRate: take.sampleRate,
        peak: this.peak,
        rms: samples ? Math.sqrt(this.sumSquares / samples) : 0,
        overview,
      },
      [wav, overview.buffer],
    );
  }

  async run() {
    const ch = this.reader.channels;
    const dst = new Float32Array(CHUNK_FRAMES * ch);
    let lastPost = 0;
    let attached = false;
    while (this.running && !this.reader.closed) {
      const r = this.blocking
        ? this.reader.readSync(dst, { timeoutMs: READ_TIMEOUT_MS })
        : await this.reader.read(dst, { timeoutMs: READ_TIMEOUT_MS });
      if (!attached && r.frames < CHUNK_FRAMES) {
        attached = true;
        this.post({ type: 'attached' });
      }
      const take = this.take;
      if (take && r.frames > 0) {
        const n = this.limit ? Math.min(r.frames, this.limit - take.frames) : r.frames;
        for (let i = 0; i < n * ch; i++) {
          const v = dst[i];
          this.sumSquares += v * v;
          const a = Math.abs(v);
          if (a > this.peak) this.peak = a;
        }
        take.appendInterleaved(dst, n);
        const now = performance.now();
        if (now - lastPost > 50) {
          this.post({ type: 'progress', frames: take.frames });
          lastPost = now;
        }
        if (this.limit && take.frames >= this.limit) this.finish();
      }
      // Let 'record' and 'stop' in between reads.
      if (this.blocking) await yieldToMessages();
    }
  }

  dispose() {
    this.running = false;
  }
}
