/**
 * Opening a file for ringlet/stream's decoder: a source (Blob, URL with
 * HTTP range requests, or ReadableStream) becomes a mediabunny Input, its
 * primary audio track is probed, and the result is a Track with the file's
 * information. Every failure becomes an error record with a stable code.
 * Worker thread (the stream worker); mediabunny is handed in by the entry,
 * the only module that imports it.
 */

/** @typedef {typeof import('mediabunny')} Mediabunny */
/** @typedef {import('../../types/stream.js').StreamInfo} StreamInfo */
/** @typedef {import('../../types/stream.js').StreamErrorCode} StreamErrorCode */

/**
 * What the page sends to open a file.
 * @typedef {{ kind: 'blob', blob: Blob } | { kind: 'url', url: string, headers?: Record<string, string> } | { kind: 'stream', stream: ReadableStream<Uint8Array> } | { kind: 'port', port: MessagePort }} SourceSpec
 */

/**
 * An error as it crosses to the page (structured clone drops `code`).
 * @typedef {object} ErrorRecord
 * @property {string} code
 * @property {string} message
 */

/**
 * An opened file.
 * @typedef {object} Track
 * @property {import('mediabunny').Input} input
 * @property {import('mediabunny').InputAudioTrack} audio
 * @property {StreamInfo} info
 * @property {boolean} sequential true for a ReadableStream: it can only be read once, from the start
 * @property {number | null} stated the duration the container states (a header), to tell a truncated file
 * @property {Trim | null} trim the decoded frames that are the track, where the file says (an MP3's LAME tag)
 * @property {number} preroll frames decoded and dropped before a seek's frame, so that the decoder starts warm
 */

/**
 * Gapless trimming: the track is decoded frames [lead, lead + frames). An
 * MP3 encoder puts `delay` frames of priming before the audio and pads the
 * last MPEG frame; a decoder adds 529 more frames of its own filter delay.
 * The track's frame f is decoded frame f + lead, and it ends after `frames`.
 * @typedef {{ lead: number, frames: number }} Trim
 */

/** Encoded bytes mediabunny may cache per file: enough for its read-ahead, small next to a file. */
const CACHE_BYTES = 4 * 1024 * 1024;
/** Failed fetches are retried this many times (mediabunny's default never gives up). */
const FETCH_RETRIES = 2;

/** An Error with a stream error code. */
export class StreamFailure extends Error {
  /**
   * @param {StreamErrorCode} code
   * @param {string} message
   * @param {{ cause?: unknown }} [options]
   */
  constructor(code, message, options) {
    super(message, options);
    this.name = 'RingletError';
    this.code = code;
  }
}

/**
 * The record posted for `error`: its own code when it has one, else `fallback`.
 * @param {unknown} error
 * @param {StreamErrorCode} fallback
 * @returns {ErrorRecord}
 */
export function errorRecord(error, fallback) {
  if (error instanceof StreamFailure) return { code: error.code, message: error.message };
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: fallback, message };
}

/**
 * A fetch that refuses what mediabunny would otherwise work around or retry
 * forever: an HTTP error status, and a server that ignores the Range header
 * (200 instead of 206), which would force a sequential read that cannot seek.
 * @param {string} url
 * @returns {typeof fetch}
 */
function strictFetch(url) {
  return async (input, init) => {
    let response;
    try {
      response = await fetch(input, init);
    } catch (error) {
      throw new StreamFailure('FETCH_FAILED', `ringlet/stream: fetching ${url} failed: ${String(error)}`, {
        cause: error,
      });
    }
    if (!response.ok) {
      void response.body?.cancel().catch(() => {});
      throw new StreamFailure(
        'FETCH_FAILED',
        `ringlet/stream: fetching ${url} answered ${response.status} ${response.statusText}`.trim(),
      );
    }
    const ranged = new Headers(init?.headers).has('Range');
    if (ranged && response.status !== 206) {
      void response.body?.cancel().catch(() => {});
      throw new StreamFailure(
        'RANGE_UNSUPPORTED',
        `ringlet/stream: ${url} answered a range request with ${response.status}, not 206 Partial Content: ` +
          'serve it with range requests (Accept-Ranges: bytes), or open it as a Blob or ReadableStream',
      );
    }
    return response;
  };
}

/**
 * The mediabunny Source for a SourceSpec.
 * @param {Mediabunny} mb
 * @param {SourceSpec} spec
 * @param {(error: unknown) => void} onLateError errors that happen while no read is pending
 */
function sourceOf(mb, spec, onLateError) {
  if (spec.kind === 'blob') {
    return new mb.BlobSource(spec.blob, { maxCacheSize: CACHE_BYTES, handleUnhandledError: onLateError });
  }
  if (spec.kind === 'url') {
    /** @type {StreamFailure | null} */
    let failure = null;
    const doFetch = strictFetch(spec.url);
    return new mb.UrlSource(spec.url, {
      maxCacheSize: CACHE_BYTES,
      requestInit: spec.headers ? { headers: spec.headers } : undefined,
      fetchFn: async (input, init) => {
        try {
          return await doFetch(input, init);
        } catch (error) {
          if (error instanceof StreamFailure) failure = error;
          throw error;
        }
      },
      // A refusal (404, no ranges) is final; a network error is tried again, a few times.
      getRetryDelay: (attempts) => (failure?.code === 'RANGE_UNSUPPORTED' || attempts > FETCH_RETRIES ? null : 0.2),
      handleUnhandledError: onLateError,
    });
  }
  const stream = spec.kind === 'port' ? portStream(spec.port) : spec.stream;
  return new mb.ReadableStreamSource(stream, { maxCacheSize: CACHE_BYTES, handleUnhandledError: onLateError });
}

/**
 * A ReadableStream fed over a MessagePort, one chunk per pull: for engines
 * that cannot transfer a ReadableStream to a Worker (WebKit). The page's
 * end is streamBridge() in stream/player.js.
 * @param {MessagePort} port
 * @returns {ReadableStream<Uint8Array>}
 */
function portStream(port) {
  return new ReadableStream(
    {
      pull(controller) {
        return new Promise((resolve) => {
          port.onmessage = (event) => {
            const m = event.data;
            if (m.done) controller.close();
            else if (m.error !== undefined) controller.error(new Error(m.error));
            else controller.enqueue(new Uint8Array(m.chunk));
            resolve(undefined);
          };
          port.postMessage('pull');
        });
      },
      cancel() {
        port.postMessage('cancel');
        port.close();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Names for error messages. */
function describeSpec(/** @type {SourceSpec} */ spec) {
  if (spec.kind === 'url') return spec.url;
  if (spec.kind === 'blob') return spec.blob instanceof File ? `the file '${spec.blob.name}'` : 'the Blob';
  if (spec.kind === 'port') return 'the ReadableStream';
  return 'the ReadableStream';
}

/**
 * The first StreamFailure in an error's cause chain, if any: mediabunny
 * wraps or rethrows what our fetch threw.
 * @param {unknown} error
 * @returns {StreamFailure | null}
 */
function failureIn(error) {
  for (let e = error, depth = 0; e && depth < 8; depth++) {
    if (e instanceof StreamFailure) return e;
    e = /** @type {{ cause?: unknown }} */ (e).cause;
  }
  return null;
}

/**
 * The cover art: the front cover if tagged so, else the first image.
 * @param {import('mediabunny').MetadataTags} tags
 * @returns {Blob | null}
 */
function coverOf(tags) {
  const images = tags.images ?? [];
  const image = images.find((i) => i.kind === 'coverFront') ?? images[0];
  if (!image) return null;
  return new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (image.data)], { type: image.mimeType });
}

/**
 * The text tags a player shows; images are in `cover`, raw tags are left out.
 * @param {import('mediabunny').MetadataTags} tags
 * @returns {import('../../types/stream.js').StreamTags}
 */
function textTags(tags) {
  /** @type {Record<string, string | number | Date>} */
  const out = {};
  for (const key of /** @type {const} */ ([
    'title',
    'artist',
    'album',
    'albumArtist',
    'genre',
    'comment',
    'description',
    'lyrics',
    'trackNumber',
    'tracksTotal',
    'discNumber',
    'discsTotal',
    'beatsPerMinute',
    'date',
  ])) {
    const value = tags[key];
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out;
}

/**
 * Opens and probes a file. Rejects with a StreamFailure: UNSUPPORTED_FORMAT
 * (no known container, or no audio track), DECODER_MISSING (naming the
 * codec), FETCH_FAILED, RANGE_UNSUPPORTED, or DECODE_FAILED. With
 * `{ inspect: true }` a missing decoder is no failure: the track comes back
 * with `problem` set instead, for inspect().
 * @param {Mediabunny} mb
 * @param {SourceSpec} spec
 * @param {(error: unknown) => void} onLateError
 * @param {{ inspect?: boolean }} [options]
 * @returns {Promise<Track & { problem: StreamFailure | null }>}
 */
export async function openTrack(mb, spec, onLateError, options = {}) {
  const input = new mb.Input({ source: sourceOf(mb, spec, onLateError), formats: mb.ALL_FORMATS });
  const what = describeSpec(spec);
  try {
    let format;
    try {
      format = await input.getFormat();
    } catch (error) {
      const failure = failureIn(error);
      if (failure) throw failure;
      if (error instanceof mb.UnsupportedInputFormatError) {
        throw new StreamFailure(
          'UNSUPPORTED_FORMAT',
          `ringlet/stream: ${what} is in no container format mediabunny reads`,
        );
      }
      throw error;
    }
    const audio = await input.getPrimaryAudioTrack();
    if (!audio)
      throw new StreamFailure('UNSUPPORTED_FORMAT', `ringlet/stream: ${what} (${format.name}) has no audio track`);
    const codec = (await audio.getCodec()) ?? 'unknown';
    const [sampleRate, channels, tags] = await Promise.all([
      audio.getSampleRate(),
      audio.getNumberOfChannels(),
      input.getMetadataTags().catch(() => /** @type {import('mediabunny').MetadataTags} */ ({})),
    ]);
    // A stream has no size and cannot be read twice: its duration is what the container states, if anything.
    const sequential = spec.kind === 'stream' || spec.kind === 'port';
    const stated =
      format.name === 'WAVE'
        ? await waveStatedDuration(spec, sampleRate)
        : await input.getDurationFromMetadata([audio]).catch(() => null);
    // A damaged file can make the exact duration fail (it reads to the end): fall back to what the container states.
    const measured = sequential ? stated : await input.computeDuration([audio]).catch(() => stated);
    // An MP3's LAME tag says which decoded frames are the track (gapless
    // playback); its duration and every frame position are then the track's.
    const trim = format.name === 'MP3' ? await mp3Trim(spec) : null;
    const duration = trim ? trim.frames / sampleRate : measured;
    /** @type {StreamInfo} */
    const info = {
      duration: duration ?? null,
      sampleRate,
      channels,
      codec,
      format: format.name,
      mimeType: await input.getMimeType().catch(() => ''),
      tags: textTags(tags),
      cover: coverOf(tags),
      seekable: !sequential,
    };
    /** @type {StreamFailure | null} */
    let problem = null;
    if (codec === 'unknown') {
      problem = new StreamFailure(
        'DECODER_MISSING',
        `ringlet/stream: ${what} (${format.name}) has an audio codec mediabunny does not know`,
      );
    } else if (!(await audio.canDecode())) {
      problem = new StreamFailure(
        'DECODER_MISSING',
        `ringlet/stream: this browser has no decoder for ${codec} (${what}, ${format.name}): its WebCodecs AudioDecoder does not support it`,
      );
    } else if (!sequential && !codec.startsWith('pcm-') && codec !== 'ulaw' && codec !== 'alaw') {
      // A ReadableStream is not probed: that would read it ahead of playing it.
      problem = await probeDecoder(mb, audio, codec, what, format.name);
    }
    if (problem && !options.inspect) throw problem;
    // MP3 frames borrow bytes from the ones before (the bit reservoir) and
    // overlap them: a decoder started cold at a seek's frame is off for about
    // 1.5 frames (measured, mpg123), so it starts four frames earlier.
    const preroll = format.name === 'MP3' ? 4 * 1152 : 0;
    return { input, audio, info, sequential, stated: trim ? duration : (stated ?? null), trim, preroll, problem };
  } catch (error) {
    input.dispose();
    const failure = failureIn(error);
    if (failure) throw failure;
    throw new StreamFailure('DECODE_FAILED', `ringlet/stream: reading ${what} failed: ${errorText(error)}`, {
      cause: error,
    });
  }
}

/** Bytes of a WAV's start read for its header. */
const WAVE_HEADER_BYTES = 65536;

/**
 * The duration a WAV's header states (its data chunk's size), or null. A
 * reader takes a cut-short file's data as ending where the file ends, so
 * this is what tells it truncated. Blobs and URLs only (one more ranged
 * request); not a ReadableStream.
 * @param {SourceSpec} spec
 * @param {number} sampleRate
 * @returns {Promise<number | null>}
 */
async function waveStatedDuration(spec, sampleRate) {
  try {
    const v = await bytesOf(spec, 0, WAVE_HEADER_BYTES);
    if (v === null) return null;
    const tag = (/** @type {number} */ at) =>
      String.fromCharCode(v.getUint8(at), v.getUint8(at + 1), v.getUint8(at + 2), v.getUint8(at + 3));
    if (v.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return null;
    let blockAlign = 0;
    for (let at = 12; at + 8 <= v.byteLength;) {
      const id = tag(at);
      const size = v.getUint32(at + 4, true);
      if (id === 'fmt ' && at + 22 <= v.byteLength) blockAlign = v.getUint16(at + 20, true);
      if (id === 'data')
        return blockAlign > 0 && size !== 0xffffffff ? Math.floor(size / blockAlign) / sampleRate : null;
      at += 8 + size + (size & 1);
    }
    return null;
  } catch {
    return null;
  }
}

/** Bytes of an MP3's start read for its first frame (after any ID3v2 tag): the Xing/Info frame is in it. */
const MP3_HEAD_BYTES = 4096;
/** MPEG audio Layer III decoders' own delay, in frames (the synthesis filterbank's 528, plus one). */
const MP3_DECODER_DELAY = 529;

/**
 * Bytes [start, end) of a Blob or a URL (one ranged request), or null for a
 * stream or when the read fails.
 * @param {SourceSpec} spec
 * @param {number} start
 * @param {number} end
 * @returns {Promise<DataView | null>}
 */
async function bytesOf(spec, start, end) {
  try {
    if (spec.kind === 'blob') return new DataView(await spec.blob.slice(start, end).arrayBuffer());
    if (spec.kind !== 'url') return null;
    const response = await fetch(spec.url, { headers: { ...spec.headers, Range: `bytes=${start}-${end - 1}` } });
    const body = response.body;
    // A server that ignores the range sends the whole file from its start: only its first bytes are read.
    if (body === null || !(response.status === 206 || (response.ok && start === 0))) {
      await body?.cancel();
      return null;
    }
    const out = new Uint8Array(end - start);
    let filled = 0;
    const reader = body.getReader();
    while (filled < out.length) {
      const { done, value } = await reader.read();
      if (done) break;
      const n = Math.min(value.length, out.length - filled);
      out.set(value.subarray(0, n), filled);
      filled += n;
    }
    await reader.cancel();
    return new DataView(out.buffer, 0, filled);
  } catch {
    return null;
  }
}

/**
 * An MP3's gapless trim from the LAME tag of its Xing or Info frame: the
 * encoder's delay and padding (12 bits each, 21 bytes into the tag), and the
 * frame count. Null when the file has no such frame, the fields are not
 * plausible, or the source is a stream (it would be read ahead of playing).
 * @param {SourceSpec} spec
 * @returns {Promise<Trim | null>}
 */
export async function mp3Trim(spec) {
  let head = await bytesOf(spec, 0, 10);
  if (head === null || head.byteLength < 10) return null;
  let start = 0;
  // ID3v2: a 10-byte header with a syncsafe size, plus a footer when flagged.
  if (head.getUint8(0) === 0x49 && head.getUint8(1) === 0x44 && head.getUint8(2) === 0x33) {
    let size = 0;
    for (let i = 6; i < 10; i++) size = size * 128 + (head.getUint8(i) & 0x7f);
    start = 10 + size + (head.getUint8(5) & 0x10 ? 10 : 0);
  }
  head = await bytesOf(spec, start, start + MP3_HEAD_BYTES);
  return head === null ? null : lameTrim(head);
}

/**
 * The trim a LAME tag states, read from bytes that start where the first
 * MPEG frame may be (a few junk bytes before its sync are skipped).
 * @param {DataView} v
 * @returns {Trim | null}
 */
export function lameTrim(v) {
  let at = 0;
  while (at + 4 <= v.byteLength && !(v.getUint8(at) === 0xff && (v.getUint8(at + 1) & 0xe0) === 0xe0)) at++;
  if (at + 4 > v.byteLength) return null;
  const b1 = v.getUint8(at + 1);
  const version = (b1 >> 3) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
  const layer = (b1 >> 1) & 3; // 1: Layer III
  if (layer !== 1 || version === 1) return null;
  const mono = v.getUint8(at + 3) >> 6 === 3;
  const sideInfo = version === 3 ? (mono ? 17 : 32) : mono ? 9 : 17;
  const crc = (b1 & 1) === 0 ? 2 : 0;
  const xing = at + 4 + crc + sideInfo;
  if (xing + 8 > v.byteLength) return null;
  const id = v.getUint32(xing);
  if (id !== 0x58696e67 && id !== 0x496e666f) return null; // 'Xing', 'Info'
  const flags = v.getUint32(xing + 4);
  let o = xing + 8;
  if (!(flags & 1)) return null; // no frame count: the length is unknown
  const count = v.getUint32(o);
  o += 4;
  if (flags & 2) o += 4;
  if (flags & 4) o += 100;
  if (flags & 8) o += 4;
  // The LAME extension: a 9-byte encoder name, then delay and padding at +21.
  if (o + 24 > v.byteLength) return null;
  const delay = (v.getUint8(o + 21) << 4) | (v.getUint8(o + 22) >> 4);
  const padding = ((v.getUint8(o + 22) & 0x0f) << 8) | v.getUint8(o + 23);
  const perFrame = version === 3 ? 1152 : 576;
  const frames = count * perFrame - delay - padding;
  if ((delay === 0 && padding === 0) || frames <= 0) return null;
  return { lead: delay + MP3_DECODER_DELAY, frames };
}

/** How long the first frame may take to decode before the decoder is called missing. */
const PROBE_MS = 5000;

/**
 * Decodes the first sample, so that a decoder that says it supports the
 * codec but fails on it (WebKitGTK's FLAC and MP3, say) or never answers is
 * found at open(), not at play(). Resolves with the DECODER_MISSING failure,
 * or null when the first frame decoded.
 * @param {Mediabunny} mb
 * @param {import('mediabunny').InputAudioTrack} audio
 * @param {string} codec
 * @param {string} what
 * @param {string} format
 * @returns {Promise<StreamFailure | null>}
 */
async function probeDecoder(mb, audio, codec, what, format) {
  const samples = new mb.AudioSampleSink(audio).samples();
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  try {
    const first = await Promise.race([
      samples.next(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no frame decoded within ${PROBE_MS} ms`)), PROBE_MS);
      }),
    ]);
    const r = /** @type {IteratorResult<import('mediabunny').AudioSample>} */ (first);
    if (!r.done) r.value.close();
    return null;
  } catch (error) {
    return firstFrameFailure(codec, what, format, error);
  } finally {
    clearTimeout(timer);
    void samples.return(undefined).catch(() => {});
  }
}

/**
 * The failure for a decoder that fails on a file's first frame: the engine
 * claims the codec, but has no decoder that works on it.
 * @param {string} codec
 * @param {string} what
 * @param {string} format
 * @param {unknown} error
 */
export function firstFrameFailure(codec, what, format, error) {
  return new StreamFailure(
    'DECODER_MISSING',
    `ringlet/stream: this browser has no working decoder for ${codec} (${what}, ${format}): its WebCodecs AudioDecoder failed on the first frame (${errorText(error)})`,
    { cause: error },
  );
}

/** @param {unknown} error */
export function errorText(error) {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
