/**
 * ringlet/wasm-decoders: the WebAssembly FLAC (libFLAC) and MP3 (libmpg123)
 * decoders of ringlet/stream-worker-wasm, for a Worker of the app's own that
 * decodes with mediabunny (a WorkerPool module that draws a waveform
 * overview, say), so that it decodes what the stream plays, in every engine
 * and to the same samples. It imports the two decoder packages (optional peer
 * dependencies) and takes the app's mediabunny, so that the decoders are
 * registered with the very module instance that decodes. Worker or page;
 * never the audio thread.
 */
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { MPEGDecoder } from 'mpg123-decoder';
import { registerWasmDecoders as register } from './stream-worker/wasm-decoders.js';

/** Each mediabunny module's registration, made once. @type {WeakMap<object, Promise<Array<'flac' | 'mp3'>>>} */
const registrations = new WeakMap();

/**
 * Registers the FLAC and MP3 decoders with `mediabunny` (the module, as
 * `import * as mediabunny from 'mediabunny'` gives it), in place of WebCodecs
 * for those two codecs. Resolves with the codecs registered. Calling it again
 * with the same module changes nothing and gives the same promise.
 * @param {typeof import('mediabunny')} mediabunny
 * @returns {Promise<Array<'flac' | 'mp3'>>}
 */
export function registerWasmDecoders(mediabunny) {
  if (
    mediabunny === null ||
    typeof mediabunny !== 'object' ||
    typeof mediabunny.registerDecoder !== 'function' ||
    typeof mediabunny.CustomAudioDecoder !== 'function'
  ) {
    throw new TypeError(
      'registerWasmDecoders: mediabunny must be the mediabunny module (import * as mediabunny from "mediabunny"), with registerDecoder and CustomAudioDecoder',
    );
  }
  let done = registrations.get(mediabunny);
  if (!done) {
    done = register(mediabunny, { flac: FLACDecoder, mp3: MPEGDecoder });
    registrations.set(mediabunny, done);
  }
  return done;
}
