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
    const duration = sequential ? stated : await input.computeDuration([audio]).catch(() => stated);
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
    return { input, audio, info, sequential, stated: stated ?? null, problem };
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
    let bytes;
    if (spec.kind === 'blob') bytes = await spec.blob.slice(0, WAVE_HEADER_BYTES).arrayBuffer();
    else if (spec.kind === 'url') {
      const response = await fetch(spec.url, {
        headers: { ...spec.headers, Range: `bytes=0-${WAVE_HEADER_BYTES - 1}` },
      });
      if (!response.ok) return null;
      bytes = await response.arrayBuffer();
    } else return null;
    const v = new DataView(bytes);
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
