/**
 * WebAssembly decoders for FLAC (libFLAC, from wasm-audio-decoders/flac)
 * and MP3 (libmpg123, from mpg123-decoder), as mediabunny custom decoders,
 * used in place of WebCodecs for those codecs in every engine. WebKitGTK's
 * WebCodecs decodes neither, and says it does (isConfigSupported answers
 * yes, then the first frame fails), so asking first would not do; the same
 * decoder everywhere also gives the same samples everywhere. Both libraries
 * and mediabunny are handed in by the entry (entries/stream-worker-wasm.js).
 * Worker thread.
 */

/**
 * @typedef {object} DecodedAudio what both libraries return
 * @property {Float32Array[]} channelData
 * @property {number} samplesDecoded
 * @property {number} sampleRate
 * @property {Array<{ message: string }>} errors
 */

/** @typedef {{ ready: Promise<void>, decodeFrames(frames: Uint8Array[]): Promise<DecodedAudio & { bitDepth: number }>, free(): void }} FlacLibraryDecoder */
/** @typedef {{ ready: Promise<void>, decodeFrame(frame: Uint8Array): DecodedAudio, free(): void }} Mp3LibraryDecoder */

/**
 * @typedef {object} WasmDecoderLibraries
 * @property {new () => FlacLibraryDecoder} [flac] FLACDecoder, from the package wasm-audio-decoders/flac
 * @property {new () => Mp3LibraryDecoder} [mp3] mpg123-decoder's MPEGDecoder
 */

/** @typedef {'flac' | 'mp3'} WasmCodec */

/**
 * The custom decoder class for each codec a library is given for.
 * @param {typeof import('mediabunny')} mb
 * @param {WasmDecoderLibraries} libraries
 * @returns {Map<WasmCodec, typeof import('mediabunny').CustomAudioDecoder>}
 */
export function wasmDecoderClasses(mb, libraries) {
  /** @type {Map<WasmCodec, typeof import('mediabunny').CustomAudioDecoder>} */
  const classes = new Map();
  const FLAC = libraries.flac;
  if (FLAC) {
    // A FLAC frame decodes on its own (its header carries the block size,
    // rate and depth), so each packet, a frame, is decoded as it comes.
    classes.set(
      'flac',
      class WasmFlacDecoder extends mb.CustomAudioDecoder {
        /** @param {string} codec */
        static supports(codec) {
          return codec === 'flac';
        }
        /** @private @type {FlacLibraryDecoder | undefined} */
        decoder = undefined;
        async init() {
          this.decoder = new FLAC();
          await this.decoder.ready;
        }
        /** @param {import('mediabunny').EncodedPacket} packet */
        async decode(packet) {
          const decoded = await /** @type {FlacLibraryDecoder} */ (this.decoder).decodeFrames([packet.data]);
          toFullScale(decoded);
          emit(this, mb, decoded, packet.timestamp, 'FLAC');
        }
        async flush() {}
        async close() {
          this.decoder?.free();
          this.decoder = undefined;
        }
      },
    );
  }
  const MP3 = libraries.mp3;
  if (MP3) {
    // An MP3 frame may take bits from the frames before it (the bit
    // reservoir): one decoder decodes the packets in order, and its output
    // runs on from the first packet's timestamp.
    classes.set(
      'mp3',
      class WasmMp3Decoder extends mb.CustomAudioDecoder {
        /** @param {string} codec */
        static supports(codec) {
          return codec === 'mp3';
        }
        /** @private @type {Mp3LibraryDecoder | undefined} */
        decoder = undefined;
        /** @private seconds of the first packet: the output runs on from there */
        next = NaN;
        /** @private frames emitted since */
        emitted = 0;
        async init() {
          this.decoder = new MP3();
          await this.decoder.ready;
        }
        /** @param {import('mediabunny').EncodedPacket} packet */
        async decode(packet) {
          if (Number.isNaN(this.next)) this.next = packet.timestamp;
          const decoded = /** @type {Mp3LibraryDecoder} */ (this.decoder).decodeFrame(packet.data);
          if (decoded.samplesDecoded === 0 && decoded.errors.length === 0) return;
          emit(this, mb, decoded, this.next + this.emitted / (decoded.sampleRate || 1), 'MP3');
          this.emitted += decoded.samplesDecoded;
        }
        async flush() {
          this.next = NaN;
          this.emitted = 0;
        }
        async close() {
          this.decoder?.free();
          this.decoder = undefined;
        }
      },
    );
  }
  return classes;
}

/**
 * The FLAC library scales a b-bit sample n to n / (2^(b-1) - 1); WebCodecs,
 * decodeAudioData and ringlet's own WAV path give n / 2^(b-1), so that
 * full scale is -1 and a lossless file plays bit-exact in every engine. The
 * integer comes back exactly (to 24 bits the float holds it within a
 * quarter), and is rescaled in place.
 * @param {DecodedAudio & { bitDepth: number }} decoded
 */
function toFullScale(decoded) {
  const bits = decoded.bitDepth;
  if (!(bits >= 4 && bits <= 24)) return;
  const scale = 2 ** (bits - 1);
  const library = scale - 1;
  for (const plane of decoded.channelData) {
    for (let i = 0; i < decoded.samplesDecoded; i++) plane[i] = Math.round(plane[i] * library) / scale;
  }
}

/**
 * Hands a library's output to mediabunny as one f32-planar AudioSample; a
 * decode error is thrown, so that the stream ends with 'DECODE_FAILED'.
 * @param {import('mediabunny').CustomAudioDecoder} decoder
 * @param {typeof import('mediabunny')} mb
 * @param {DecodedAudio} decoded
 * @param {number} timestamp seconds
 * @param {string} name
 */
function emit(decoder, mb, decoded, timestamp, name) {
  if (decoded.errors.length > 0) {
    throw new Error(`the ${name} WebAssembly decoder failed: ${decoded.errors.map((e) => e.message).join('; ')}`);
  }
  const frames = decoded.samplesDecoded;
  if (frames === 0) return;
  const channels = decoded.channelData.length;
  const data = new Float32Array(frames * channels);
  for (let c = 0; c < channels; c++) data.set(decoded.channelData[c].subarray(0, frames), c * frames);
  decoder.onSample(
    new mb.AudioSample({
      data,
      format: 'f32-planar',
      numberOfChannels: channels,
      sampleRate: decoded.sampleRate,
      timestamp,
    }),
  );
}

/**
 * Registers the decoder of each codec a library is given for, and compiles
 * the libraries' wasm. Resolves with the codecs registered once both are
 * ready to decode.
 * @param {typeof import('mediabunny')} mb
 * @param {WasmDecoderLibraries} libraries
 * @returns {Promise<WasmCodec[]>}
 */
export async function registerWasmDecoders(mb, libraries) {
  /** @type {WasmCodec[]} */
  const registered = [];
  for (const [codec, decoder] of wasmDecoderClasses(mb, libraries)) {
    mb.registerDecoder(decoder);
    registered.push(codec);
  }
  return registered;
}
