/**
 * ringlet/stream: audio files decoded in a Worker, streaming, straight into
 * a source node's ring. Main thread (the decoding runs in the stream's own
 * Worker, dist/ringlet-stream-worker.js). Needs the optional peer dependency
 * `mediabunny` (1.x), which only that Worker imports.
 *
 * @module ringlet/stream
 */
import type { RingletContext, RingletErrorCode, RingletNode, Transport } from './index.js';

/**
 * What open() and queue() take: a File or Blob; a URL (read with HTTP range
 * requests, so the server must answer them with 206); `{ url, headers }`
 * for request headers; or a ReadableStream of bytes (played once, from its
 * start: no seek, no loop).
 */
export type StreamSource =
  Blob | string | URL | { url: string | URL; headers?: Record<string, string> } | ReadableStream<Uint8Array>;

/** The codes a stream's errors carry (all RingletError codes). */
export type StreamErrorCode = Extract<
  RingletErrorCode,
  | 'UNSUPPORTED_FORMAT'
  | 'DECODER_MISSING'
  | 'DECODE_FAILED'
  | 'FETCH_FAILED'
  | 'RANGE_UNSUPPORTED'
  | 'RATE_MISMATCH'
  | 'NOT_SEEKABLE'
  | 'NO_TRACK'
  | 'TIMEOUT'
  | 'DISPOSED'
  | 'WORKER_CRASHED'
>;

/** The text tags of a file, as mediabunny normalises them (ID3, Vorbis comments, MP4, RIFF INFO). */
export interface StreamTags {
  title?: string;
  artist?: string;
  album?: string;
  albumArtist?: string;
  genre?: string;
  comment?: string;
  description?: string;
  lyrics?: string;
  trackNumber?: number;
  tracksTotal?: number;
  discNumber?: number;
  discsTotal?: number;
  beatsPerMinute?: number;
  date?: Date;
}

/** What open() and queue() resolve with. */
export interface StreamInfo {
  /** Seconds; null when a ReadableStream's container does not state it. */
  readonly duration: number | null;
  /** The file's rate in Hz. A node that resamples plays it at the context's rate; one that does not must play at it (else RATE_MISMATCH). */
  readonly sampleRate: number;
  /** The file's channels. */
  readonly channels: number;
  /** mediabunny's codec name: 'pcm-s16', 'pcm-s24', 'pcm-f32', 'flac', 'mp3', 'aac', 'vorbis', 'opus', ... */
  readonly codec: string;
  /** The container: 'WAVE', 'FLAC', 'MP3', 'MP4', 'Ogg', 'WebM', 'ADTS', ... */
  readonly format: string;
  /** The MIME type with codecs, e.g. 'audio/ogg; codecs="opus"'. */
  readonly mimeType: string;
  /** Title, artist, album ... where the file has them. */
  readonly tags: StreamTags;
  /** The front cover (else the first embedded image), typed with its MIME type; null when there is none. */
  readonly cover: Blob | null;
  /** False for a ReadableStream. */
  readonly seekable: boolean;
}

/** What inspect() resolves with: the info, and whether this engine can decode the file. */
export interface StreamInspection extends StreamInfo {
  /** False when open() would reject with DECODER_MISSING. */
  readonly decodable: boolean;
  /** That RingletError, when not decodable; else null. */
  readonly problem: (Error & { code: StreamErrorCode }) | null;
}

/** 'idle' until a file is open; 'ended' after the last frame played (or a decode error). */
export type StreamState = 'idle' | 'stopped' | 'playing' | 'paused' | 'ended' | 'disposed';

/** Options for RingletStream.create. */
export interface RingletStreamOptions {
  /**
   * A source node to play into (the stream does not dispose it); default:
   * the stream makes one, with varispeed: true, so it plays files of any
   * rate (and `node.playbackRate` is the speed). A node of your own plays
   * any rate when it resamples (`RingletNode.create(context, { mode:
   * 'source', varispeed: true })`); one made at the context's rate without
   * varispeed refuses other rates with RATE_MISMATCH.
   */
  node?: RingletNode<'source'>;
  /** For the node the stream makes: the rate its ring starts at (default the context's). With `node`, it must be that node's rate. */
  sampleRate?: number;
  /** For the node the stream makes: default 2 (mono files go to every channel). */
  channels?: number;
  /** For the node the stream makes: default 32768 frames. */
  capacityFrames?: number;
  /** For the node the stream makes: default 'auto'. */
  transport?: Transport;
  /** The Worker module; default dist/ringlet-stream-worker.js beside this entry (a bundler bundles it with mediabunny). */
  workerUrl?: string | URL;
}

/** What the stream holds on the main thread, counted by the stream itself. */
export interface StreamDebugStats {
  /** 'message': decoded chunks waiting to be written into the node. */
  queuedChunks: number;
  /** 'message': their frames (never more than the ring's capacity plus one chunk). */
  queuedFrames: number;
  /** The most frames ever queued. */
  maxQueuedFrames: number;
  /** Track starts remembered for the position (passed ones are dropped). */
  segments: number;
  /** Tracks open: the heard one and the queued ones. */
  tracks: number;
  /** Timers armed: the playing poll and reply timeouts. */
  timers: number;
  /** Answers awaited from the Worker. */
  pendingReplies: number;
  /** While playing: frames the ring has played this session. */
  played: number;
  /** Frames the session wrote in all, once the decoder reached the end (or an error); else null. */
  endAt: number | null;
}

/** What the decoding Worker holds, counted by it. */
export interface StreamWorkerStats {
  tracks: number;
  sessions: number;
  /** 'message': frames posted and not yet written. */
  unacked: number;
  /** 'message': the most ever posted and not yet written (at most the ring's capacity plus one chunk). */
  maxUnacked: number;
  /** The largest decoded chunk, in frames. */
  maxChunk: number;
  /** Frames this session wrote into the ring (or posted). */
  written: number;
}

/** The events a RingletStream fires. */
export interface RingletStreamEventMap {
  /** The state changed; detail is the new one. */
  statechange: CustomEvent<StreamState>;
  /** A queued track (or the same one, looping) started playing, with no gap; detail is its info. */
  trackchange: CustomEvent<StreamInfo>;
  /** The last frame played (after an error too). */
  ended: Event;
  /** A decode failed mid-file (what decoded played first), or the Worker failed; detail is the RingletError. */
  error: CustomEvent<Error & { code: StreamErrorCode }>;
}

/**
 * A file player on a ringlet source node. Main thread only. Transport calls
 * run one after another, in call order.
 */
export declare class RingletStream extends EventTarget {
  private constructor(key: symbol, options: never);
  /** Makes the source node (or takes options.node) and the decoding Worker. */
  static create(context: RingletContext, options?: RingletStreamOptions): Promise<RingletStream>;
  /** The source node: connect it. */
  readonly node: RingletNode<'source'>;
  readonly state: StreamState;
  /** The track heard (after a gapless advance, the new one); null before open(). */
  readonly info: StreamInfo | null;
  /** The error that ended the last session early, or null. */
  readonly error: Error | null;
  /** Seconds played in the heard track, in the file's own seconds: the ring's frames heard (less a resampler's lookahead), not frames decoded. */
  readonly position: number;
  /** The same in frames. */
  readonly positionFrames: number;
  /** Play the heard track again at its end (applies at the next track boundary the decoder reaches). */
  loop: boolean;
  /**
   * Where each loop pass after the first starts, in seconds of the track
   * (default 0). As AudioBufferSourceNode's loopStart: while `loop` is on,
   * the region loopStart .. loopEnd repeats sample-exact with no gap when
   * 0 <= loopStart < loopEnd, else the whole track does; clamped to the
   * track's length. TypeError when not a finite number, RangeError below 0.
   */
  loopStart: number;
  /**
   * Where each loop pass ends, in seconds of the track (default 0: its end).
   * Set while looping and after the decoder has passed it, the decoder
   * restarts at once, from the frame heard (or from loopStart when that is
   * past loopEnd), with the short refill a seek has.
   */
  loopEnd: number;
  /**
   * Stops what plays and opens a file. Rejects with a RingletError
   * (UNSUPPORTED_FORMAT, DECODER_MISSING naming the codec, FETCH_FAILED,
   * RANGE_UNSUPPORTED, RATE_MISMATCH, DECODE_FAILED, TIMEOUT after
   * timeoutMs, default 30000), and then changes nothing.
   */
  open(source: StreamSource, options?: { timeoutMs?: number }): Promise<StreamInfo>;
  /**
   * Reads a file's info without opening it as the track, and whether it
   * decodes here (a playlist's durations and tags, before playing them).
   * TypeError for a ReadableStream. Rejects as open(), except that a missing
   * decoder is reported in `problem`.
   */
  inspect(
    source: Blob | string | URL | { url: string | URL; headers?: Record<string, string> },
    options?: { timeoutMs?: number },
  ): Promise<StreamInspection>;
  /** Opens a file to follow the heard one with no gap. Rejects as open(). */
  queue(source: StreamSource, options?: { timeoutMs?: number }): Promise<StreamInfo>;
  /** Plays from the parked position (after the end, from the start). */
  play(): Promise<void>;
  /** Parks at the position and empties the ring. */
  pause(): Promise<void>;
  /** Parks at the start and empties the ring. */
  stop(): Promise<void>;
  /** Moves to `seconds` (0 .. duration; RangeError outside). At once while playing. */
  seek(seconds: number): Promise<void>;
  /** Counts held on the main thread. Cheap; no message. */
  debugStats(): StreamDebugStats;
  /** The Worker's counts (one message round trip). */
  workerStats(): Promise<StreamWorkerStats>;
  /** Ends the Worker, and disposes the node if the stream made it. Idempotent. */
  dispose(): void;
  addEventListener<K extends keyof RingletStreamEventMap>(
    type: K,
    listener: (this: RingletStream, ev: RingletStreamEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
}
