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
 * @typedef {{ kind: 'blob', blob: Blob } | { kind: 'url', url: string, headers?: Record<string, string> } | { kind: 'stream', stream: ReadableStream<Uint8Array> }} SourceSpec
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
  return new mb.ReadableStreamSource(spec.stream, { maxCacheSize: CACHE_BYTES, handleUnhandledError: onLateError });
}

/** Names for error messages. */
function describeSpec(/** @type {SourceSpec} */ spec) {
  if (spec.kind === 'url') return spec.url;
  if (spec.kind === 'blob') return spec.blob instanceof File ? `the file '${spec.blob.name}'` : 'the Blob';
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
 * codec), FETCH_FAILED, RANGE_UNSUPPORTED, or DECODE_FAILED.
 * @param {Mediabunny} mb
 * @param {SourceSpec} spec
 * @param {(error: unknown) => void} onLateError
 * @returns {Promise<Track>}
 */
export async function openTrack(mb, spec, onLateError) {
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
        throw new StreamFailure('UNSUPPORTED_FORMAT', `ringlet/stream: ${what} is in no container format mediabunny reads`);
      }
      throw error;
    }
    const audio = await input.getPrimaryAudioTrack();
    if (!audio) throw new StreamFailure('UNSUPPORTED_FORMAT', `ringlet/stream: ${what} (${format.name}) has no audio track`);
    const codec = await audio.getCodec();
    if (codec === null) {
      throw new StreamFailure('DECODER_MISSING', `ringlet/stream: ${what} (${format.name}) has an audio codec mediabunny does not know`);
    }
    if (!(await audio.canDecode())) {
      throw new StreamFailure(
        'DECODER_MISSING',
        `ringlet/stream: this browser has no decoder for ${codec} (${what}, ${format.name}): its WebCodecs AudioDecoder does not support it`,
      );
    }
    if (!codec.startsWith('pcm-') && codec !== 'ulaw' && codec !== 'alaw') await probeDecoder(mb, audio, codec, what, format.name);
    const [sampleRate, channels, tags] = await Promise.all([
      audio.getSampleRate(),
      audio.getNumberOfChannels(),
      input.getMetadataTags().catch(() => /** @type {import('mediabunny').MetadataTags} */ ({})),
    ]);
    // A stream has no size and cannot be read twice: its duration is what the container states, if anything.
    const sequential = spec.kind === 'stream';
    const duration = sequential
      ? await input.getDurationFromMetadata([audio]).catch(() => null)
      : await input.computeDuration([audio]);
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
    return { input, audio, info, sequential };
  } catch (error) {
    input.dispose();
    const failure = failureIn(error);
    if (failure) throw failure;
    throw new StreamFailure('DECODE_FAILED', `ringlet/stream: reading ${what} failed: ${errorText(error)}`, {
      cause: error,
    });
  }
}

/**
 * Decodes the first sample, so that a decoder that says it supports the
 * codec but fails on it (WebKitGTK's FLAC) is found at open(), not at play().
 * Its failure is DECODER_MISSING when the engine's AudioDecoder refuses the
 * codec's plain configuration too, else DECODE_FAILED (a damaged file).
 * @param {Mediabunny} mb
 * @param {import('mediabunny').InputAudioTrack} audio
 * @param {string} codec
 * @param {string} what
 * @param {string} format
 */
async function probeDecoder(mb, audio, codec, what, format) {
  const samples = new mb.AudioSampleSink(audio).samples();
  try {
    const first = await samples.next();
    if (!first.done) first.value.close();
  } catch (error) {
    const config = await audio.getDecoderConfig().catch(() => null);
    let plain = false;
    try {
      plain =
        config !== null &&
        (await AudioDecoder.isConfigSupported({
          codec: config.codec,
          sampleRate: config.sampleRate,
          numberOfChannels: config.numberOfChannels,
        })).supported === true;
    } catch {
      plain = false;
    }
    throw new StreamFailure(
      plain ? 'DECODE_FAILED' : 'DECODER_MISSING',
      plain
        ? `ringlet/stream: the first frame of ${what} (${codec}, ${format}) does not decode: ${errorText(error)}`
        : `ringlet/stream: this browser has no working decoder for ${codec} (${what}, ${format}): its WebCodecs AudioDecoder failed (${errorText(error)})`,
      { cause: error },
    );
  } finally {
    await samples.return(undefined).catch(() => {});
  }
}

/** @param {unknown} error */
export function errorText(error) {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
