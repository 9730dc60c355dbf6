/**
 * One play session of ringlet/stream's decoder: decodes a playlist of opened
 * tracks from a start frame and writes the audio into a source node's ring,
 * track after track with no gap (and the same track again while looping).
 * Worker thread only.
 *
 * - 'shared' transport: the ring is the node's own, written here with
 *   RingWriter.writeSync in bounded slices; between slices the session word
 *   of the control memory is checked, so a halt stops writes at once even
 *   while the ring is full.
 * - 'message' transport: decoded chunks are posted to the page, which writes
 *   them with the node's writer and acknowledges each; no more than `credit`
 *   frames are ever unacknowledged, so the page's queue stays bounded.
 *
 * Decoded audio lives only in the ring, in the chunk being written, and (on
 * 'message') in the bounded credit: memory does not grow with the file.
 *
 * Looping with a region (loopStart < loopEnd, in seconds): each pass after
 * the first starts at loopStart's frame, and a pass that starts before
 * loopEnd's frame stops there, so the region repeats sample-exact with no
 * gap. A region set (or looping turned on) that the decoder can no longer
 * honour in flight (it is past the region's end, or on a later pass than the
 * one heard) is answered with 'late', and the page restarts the session from
 * the frame heard, or from loopStart once that is past loopEnd.
 *
 * On a node that resamples, each track's first frame is preceded by a rate
 * mark (RingWriter.setSampleRate, or a 'rate' message on 'message') when its
 * rate differs from the one before, so tracks at any rates play one after
 * another at the context's rate, gapless.
 */
import { regionFrames } from '../shared/loop-region.js';
import { errorRecord, errorText, firstFrameFailure, StreamFailure } from './tracks.js';

/** @typedef {import('./tracks.js').Track} Track */
/** @typedef {import('./tracks.js').ErrorRecord} ErrorRecord */
/** @typedef {import('../shared/ring-ends.js').RingWriter} RingWriter */

/** Longest single block in writeSync before the halt word is checked again. */
const SLICE_MS = 20;
/**
 * Frames a track may end short of its stated duration without being called
 * truncated: lossy codecs' priming and padding (an AAC or MP3 frame or two).
 */
const SHORT_END_FRAMES = 4096;
/**
 * A session's first write holds at least this many frames (or all the track
 * has): PumpOptions.firstWriteFrames' default. The node starts playing on
 * the quantum that finds frames in its ring, so a first write of part of a
 * quantum (an MP3's first packet less its priming: 47 frames) that landed
 * alone played with a gap after it, in the same quantum, until the next
 * write's frames came (seen on a loaded machine in Chromium and Firefox).
 */
const FIRST_WRITE_FRAMES = 1024;

/**
 * @typedef {object} PumpOptions
 * @property {number} session
 * @property {typeof import('mediabunny')} mb
 * @property {(id: number) => Track | undefined} track
 * @property {number[]} playlist track ids, the first one playing from `frame`
 * @property {number} frame
 * @property {boolean} loop
 * @property {LoopRegion} region
 * @property {number} [firstWriteFrames] FIRST_WRITE_FRAMES unless given (tests that count writes give 1)
 * @property {number} channels the node's
 * @property {RingWriter | null} ring 'shared': the node's ring
 * @property {Int32Array | null} control 'shared': word 0 holds the session allowed to write
 * @property {number} credit 'message': frames that may be unacknowledged
 * @property {boolean} rates the node resamples: mark each track's rate in the ring
 * @property {(message: object, transfer?: Transferable[]) => void} post
 */

/**
 * A loop region in seconds of the looping track; a region only when
 * 0 <= start < end, else the whole track loops (as AudioBufferSourceNode's
 * loopStart and loopEnd).
 * @typedef {{ start: number, end: number }} LoopRegion
 */

export class Pump {
  /** @param {PumpOptions} o */
  constructor(o) {
    this.o = o;
    /** Frames this session has written (shared) or posted (message). */
    this.written = 0;
    /** Frames posted and not yet acknowledged ('message'). */
    this.unacked = 0;
    /** The most frames ever unacknowledged: the page's queue bound, for debugStats. */
    this.maxUnacked = 0;
    /** The largest chunk decoded, in frames. */
    this.maxChunk = 0;
    this.halted = false;
    /** @type {(() => void) | null} */
    this.wake = null;
    this.playlist = o.playlist.slice();
    this.loop = o.loop;
    this.region = o.region;
    /**
     * The pass being decoded: its track, the frame it started at, the next
     * frame to write, the track's rate and length in frames (Infinity when
     * its container states none), and the frame it ends at (Infinity unless
     * the file states its gapless length: Track.trim).
     */
    this.pass = { id: -1, from: 0, next: 0, rate: 0, frames: Infinity, end: Infinity };
    /** Passes begun in this session (each track, and each loop of one). */
    this.passes = 0;
  }

  /**
   * Where the pass being decoded stops: the region's end frame while looping
   * with a region the pass started before, else the track's end (Infinity
   * where the decoder's end is the track's).
   */
  passLimit() {
    const end = this.pass.end;
    if (!this.loop) return end;
    const region = regionFrames(this.region, this.pass.rate, this.pass.frames);
    return region && this.pass.from < region.end ? Math.min(region.end, end) : end;
  }

  halt() {
    this.halted = true;
    this.wake?.();
  }

  /** @param {number} frames */
  ack(frames) {
    this.unacked -= frames;
    this.wake?.();
  }

  /**
   * The tracks after the playing one, looping and the loop region, changed
   * by the page. The playlist applies when the decoder reaches the end of
   * the track it is on; looping and the region at once, unless the region's
   * end is already decoded: then the page is told ('late') and restarts,
   * and until it does this session plays on as it was. (Applied here, the
   * region would start a pass at loopStart while the page's restart was on
   * its way, and a busy page heard that pass's first frames, then loopStart
   * again from the restart.)
   * @param {number[]} playlist
   * @param {boolean} loop
   * @param {LoopRegion} region
   */
  update(playlist, loop, region) {
    const changed = region.start !== this.region.start || region.end !== this.region.end || (loop && !this.loop);
    const was = { loop: this.loop, region: this.region };
    this.playlist = playlist.slice();
    this.loop = loop;
    this.region = region;
    if (changed && this.behind()) {
      this.loop = was.loop;
      this.region = was.region;
      this.o.post({ type: 'late', session: this.o.session });
    }
  }

  /**
   * True when looping with a region that the decoder can no longer honour in
   * flight: it has decoded past the region's end in this pass, began this
   * pass at or past that end, or has begun a later pass than the first (what
   * is heard may still be in an earlier one). The frame heard decides where
   * the page restarts; only the page knows it.
   */
  behind() {
    const pass = this.pass;
    if (!this.loop || pass.id < 0) return false;
    const region = regionFrames(this.region, pass.rate, pass.frames);
    if (!region) return false;
    return this.passes > 1 || pass.next > region.end || pass.from >= region.end;
  }

  get stopped() {
    if (this.halted) return true;
    const control = this.o.control;
    return control !== null && Atomics.load(control, 0) !== this.o.session;
  }

  /**
   * Runs the session to its end, its halt, or a decode error. Resolves with
   * how it ended; 'end' and 'error' have been posted (and on 'shared' the
   * ring closed) before it resolves.
   * @returns {Promise<'end' | 'halted' | 'error'>}
   */
  async run() {
    const o = this.o;
    let id = this.playlist[0];
    let frame = o.frame;
    /** The rate the ring's frames run at, once this session marked one. */
    let rate = 0;
    for (;;) {
      const track = o.track(id);
      if (!track) return this.fail({ code: 'DISPOSED', message: `ringlet/stream: track ${id} was closed` });
      o.post({ type: 'segment', session: o.session, at: this.written, track: id, frame });
      if (o.rates && track.info.sampleRate !== rate) {
        if (!(await this.markRate(track.info.sampleRate))) return 'halted';
        rate = track.info.sampleRate;
      }
      /** @type {'done' | 'halted' | 'error'} */
      let how;
      this.pass = {
        id,
        from: frame,
        next: frame,
        rate: track.info.sampleRate,
        frames: trackFrames(track),
        end: track.trim?.frames ?? Infinity,
      };
      this.passes += 1;
      try {
        how = await this.playTrack(track, frame);
      } catch (error) {
        return this.fail(errorRecord(error, 'DECODE_FAILED'), track);
      }
      if (how === 'halted') return 'halted';
      const at = this.playlist.indexOf(id);
      const next = this.loop ? id : this.playlist[at + 1];
      if (next === undefined) break;
      frame = this.loop ? (regionFrames(this.region, track.info.sampleRate, trackFrames(track))?.start ?? 0) : 0;
      id = next;
    }
    if (this.stopped) return 'halted';
    o.ring?.close();
    o.post({ type: 'end', session: o.session, at: this.written });
    return 'end';
  }

  /**
   * @param {ErrorRecord} record
   * @param {Track} [track]
   * @returns {'error'}
   */
  fail(record, track) {
    if (!this.stopped) {
      this.o.ring?.close();
      const what = track ? ` (${track.info.codec}, ${track.info.format})` : '';
      this.o.post({
        type: 'error',
        session: this.o.session,
        at: this.written,
        error: { code: record.code, message: record.message + (record.code === 'DECODE_FAILED' ? what : '') },
      });
    }
    return 'error';
  }

  /**
   * Decodes one pass of a track, from `from` (a frame) to its end, or to the
   * loop region's end (passLimit(), read before each write, so a region or
   * looping changed mid-pass applies), into the ring.
   * @param {Track} track
   * @param {number} from
   * @returns {Promise<'done' | 'halted'>}
   */
  async playTrack(track, from) {
    const rate = track.info.sampleRate;
    const sink = new this.o.mb.AudioSampleSink(track.audio);
    const pass = this.pass;
    // The track's frame f is the decoder's frame f + lead (an MP3's priming).
    const lead = track.trim?.lead ?? 0;
    let next = from;
    let decodedAny = false;
    // The session's first frames, held until there are FIRST_WRITE_FRAMES.
    /** @type {Float32Array[][] | null} */
    let head = this.written === 0 ? [] : null;
    let headFrames = 0;
    /** Writes the held frames and stops holding: false once halted. */
    const release = async () => {
      if (head === null) return true;
      const parts = head;
      head = null;
      if (headFrames === 0) return true;
      return this.write(joinPlanes(parts, headFrames), headFrames);
    };
    /**
     * @param {Float32Array[]} part
     * @param {number} frames
     */
    const put = async (part, frames) => {
      if (head === null) return this.write(part, frames);
      head.push(part);
      headFrames += frames;
      return headFrames < (this.o.firstWriteFrames ?? FIRST_WRITE_FRAMES) || release();
    };
    let samples;
    try {
      // From a little earlier where the decoder must warm up: what comes before `from` is skipped below.
      samples = sink.samples(Math.max(0, from + lead - (from > 0 ? track.preroll : 0)) / rate);
    } catch (error) {
      throw new StreamFailure('DECODE_FAILED', `ringlet/stream: decoding failed: ${errorText(error)}`, {
        cause: error,
      });
    }
    try {
      for await (const sample of samples) {
        try {
          if (this.stopped) return 'halted';
          // Timestamps are the container's; for lossless formats they are exact frames.
          const first = Math.round(sample.timestamp * rate) - lead;
          const count = sample.numberOfFrames;
          let skip = next - first;
          if (skip >= count) continue;
          if (skip < 0) {
            skip = 0;
            next = first;
          }
          if (next >= this.passLimit()) return (await release()) ? 'done' : 'halted';
          const total = count - skip;
          const planes = this.planes(sample, skip, total);
          sample.close();
          decodedAny = true;
          // Up to the loop region's end, where this pass is complete; the
          // limit is read again after each write, so a region or looping
          // changed meanwhile applies to the rest of this sample too.
          for (let done = 0; done < total;) {
            const limit = this.passLimit();
            if (next >= limit) return (await release()) ? 'done' : 'halted';
            const frames = Math.min(total - done, limit - next);
            // A part is copied: on 'message' a chunk's buffer is transferred whole.
            const part = frames === total ? planes : planes.map((p) => p.slice(done, done + frames));
            if (frames > this.maxChunk) this.maxChunk = frames;
            if (!(await put(part, frames))) return 'halted';
            done += frames;
            next += frames;
            pass.next = next;
          }
          if (next >= this.passLimit()) return (await release()) ? 'done' : 'halted';
        } finally {
          sample.close();
        }
      }
    } catch (error) {
      if (error instanceof StreamFailure) throw error;
      // Nothing of the file decoded: the engine has no decoder that works on it.
      if (!decodedAny) throw firstFrameFailure(track.info.codec, 'the file', track.info.format, error);
      // What decoded plays before the error.
      if (!(await release())) return 'halted';
      throw new StreamFailure(
        'DECODE_FAILED',
        `ringlet/stream: decoding failed at ${(next / rate).toFixed(3)} s: ${errorText(error)}`,
        {
          cause: error,
        },
      );
    }
    if (this.stopped || !(await release())) return 'halted';
    // A file that ends well before the duration its container states was cut short.
    const seconds = track.stated ?? track.info.duration;
    const stated = seconds === null ? null : Math.round(seconds * rate);
    if (stated !== null && stated - next > SHORT_END_FRAMES) {
      throw new StreamFailure(
        'DECODE_FAILED',
        `ringlet/stream: the file ends at ${(next / rate).toFixed(3)} s of the ${seconds} s its container states (truncated)`,
      );
    }
    return 'done';
  }

  /**
   * The sample's frames [skip, skip + frames) as one Float32Array per node
   * channel: a mono file goes to every channel, several channels into a mono
   * node are averaged.
   * @param {import('mediabunny').AudioSample} sample
   * @param {number} skip
   * @param {number} frames
   * @returns {Float32Array[]}
   */
  planes(sample, skip, frames) {
    const fileChannels = sample.numberOfChannels;
    const out = this.o.channels;
    /** @param {number} c */
    const plane = (c) => {
      const p = new Float32Array(frames);
      sample.copyTo(p, { planeIndex: c, format: 'f32-planar', frameOffset: skip, frameCount: frames });
      return p;
    };
    if (fileChannels === out) return Array.from({ length: out }, (_, c) => plane(c));
    if (fileChannels === 1) {
      const p = plane(0);
      return Array.from({ length: out }, (_, c) => (c === 0 ? p : p.slice()));
    }
    if (out === 1) {
      const sum = plane(0);
      for (let c = 1; c < fileChannels; c++) {
        const p = plane(c);
        for (let i = 0; i < frames; i++) sum[i] += p[i];
      }
      for (let i = 0; i < frames; i++) sum[i] /= fileChannels;
      return [sum];
    }
    throw new StreamFailure(
      'UNSUPPORTED_FORMAT',
      `ringlet/stream: the file has ${fileChannels} channels and the node ${out}: only equal counts, mono into any node, and any into a mono node are mixed`,
    );
  }

  /**
   * Marks the rate of the frames written next. On 'shared' the mark goes
   * into the ring, waiting in bounded steps while the ring's mark queue is
   * full (the node has not yet played up to the marks before it); on
   * 'message' it goes to the page in order with the chunks. False once
   * halted, or when the ring was closed.
   * @param {number} rate
   * @returns {Promise<boolean>}
   */
  async markRate(rate) {
    const o = this.o;
    if (!o.ring) {
      if (this.halted) return false;
      o.post({ type: 'rate', session: o.session, rate });
      return true;
    }
    for (;;) {
      if (this.stopped || o.ring.closed) return false;
      if (o.ring.setSampleRate(rate)) return true;
      await new Promise((resolve) => setTimeout(resolve, SLICE_MS / 4));
    }
  }

  /**
   * Writes planes into the ring (or posts them), waiting for space in
   * bounded steps. False once halted, or when the ring was closed.
   * @param {Float32Array[]} planes
   * @param {number} frames
   * @returns {Promise<boolean>}
   */
  async write(planes, frames) {
    const o = this.o;
    if (o.ring) {
      let done = 0;
      while (done < frames) {
        if (this.stopped) return false;
        const part = done === 0 ? planes : planes.map((p) => p.subarray(done));
        const result = o.ring.writeSync(part, { timeoutMs: SLICE_MS });
        done += result.frames;
        this.written += result.frames;
        if (result.status === 'closed') return false;
        // Full ring: let messages in (a halt, a new playlist) before the next slice.
        if (result.status === 'timeout') await yieldToEvents();
      }
      return true;
    }
    while (this.unacked > 0 && this.unacked + frames > o.credit) {
      if (this.halted) return false;
      await new Promise((resolve) => {
        this.wake = () => {
          this.wake = null;
          resolve(undefined);
        };
      });
    }
    if (this.halted) return false;
    this.unacked += frames;
    if (this.unacked > this.maxUnacked) this.maxUnacked = this.unacked;
    o.post(
      { type: 'chunk', session: o.session, planes, frames },
      planes.map((p) => p.buffer),
    );
    this.written += frames;
    return true;
  }
}

/**
 * A track's length in frames as its container states it, Infinity when it
 * states none.
 * @param {Track} track
 */
function trackFrames(track) {
  const seconds = track.info.duration ?? track.stated;
  return seconds === null ? Infinity : Math.round(seconds * track.info.sampleRate);
}

/** Resolves after the event loop has run the tasks waiting (messages among them). */
function yieldToEvents() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Parts of a track's planes, end to end: one Float32Array per channel.
 * @param {Float32Array[][]} parts
 * @param {number} frames
 * @returns {Float32Array[]}
 */
function joinPlanes(parts, frames) {
  if (parts.length === 1) return parts[0];
  return parts[0].map((_, c) => {
    const out = new Float32Array(frames);
    let at = 0;
    for (const part of parts) {
      out.set(part[c], at);
      at += part[c].length;
    }
    return out;
  });
}
