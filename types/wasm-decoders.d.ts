/**
 * `ringlet/wasm-decoders` (dist/ringlet-wasm-decoders.js): the WebAssembly
 * FLAC (libFLAC) and MP3 (libmpg123) decoders that ringlet/stream-worker-wasm
 * decodes with, for a Worker of your own that decodes with mediabunny (a
 * WorkerPool module that draws a waveform overview, say), so that it decodes
 * what the stream plays, in every engine and to the same samples. Needs the
 * optional peer dependencies mediabunny, `@wasm-audio-decoders/flac` and
 * `mpg123-decoder`. Worker or page; never the audio thread.
 */

/** The part of the mediabunny module that registration uses. */
export interface MediabunnyModule {
  /** mediabunny's registerDecoder. */
  registerDecoder(decoder: unknown): void;
  /** mediabunny's CustomAudioDecoder class, which the decoders extend. */
  readonly CustomAudioDecoder: unknown;
  /** mediabunny's AudioSample class, which the decoders emit. */
  readonly AudioSample: unknown;
}

/**
 * Registers the FLAC and MP3 decoders with `mediabunny` (the module, as
 * `import * as mediabunny from 'mediabunny'` gives it), in place of
 * WebCodecs for those two codecs. Resolves with the codecs registered;
 * calling it again with the same module gives the same promise. A value that
 * is not the mediabunny module throws TypeError.
 */
export declare function registerWasmDecoders(mediabunny: MediabunnyModule): Promise<Array<'flac' | 'mp3'>>;
