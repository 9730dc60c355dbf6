/**
 * The stream's decoding Worker with WebAssembly decoders for FLAC and MP3
 * (libFLAC and libmpg123), used in every engine, for engines whose WebCodecs
 * lacks them (WebKitGTK lacks both); bundled alone as
 * dist/ringlet-stream-worker-wasm.js, with mediabunny and the two decoder
 * packages (optional peer dependencies) left as imports for the app's
 * bundler to resolve. Otherwise the same Worker as entries/stream-worker.js:
 * messages that arrive while the decoders register wait for it. Worker
 * thread only.
 */
import * as mediabunny from 'mediabunny';
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { MPEGDecoder } from 'mpg123-decoder';
import { registerWasmDecoders } from '../stream-worker/wasm-decoders.js';
import { installStreamWorker } from '../stream-worker/worker.js';

const ready = registerWasmDecoders(mediabunny, { flac: FLACDecoder, mp3: MPEGDecoder });
installStreamWorker(
  /** @type {import('../stream-worker/worker.js').WorkerScope} */ (/** @type {unknown} */ (globalThis)),
  mediabunny,
  { ready },
);
