/**
 * The Worker that decodes for ringlet/stream; bundled alone as
 * dist/ringlet-stream-worker.js, with mediabunny (an optional peer
 * dependency) left as the import `mediabunny` for the app's bundler to
 * resolve. This is the only module of ringlet that imports mediabunny.
 * Worker thread only.
 */
import * as mediabunny from 'mediabunny';
import { installStreamWorker } from '../stream-worker/worker.js';

installStreamWorker(
  /** @type {import('../stream-worker/worker.js').WorkerScope} */ (/** @type {unknown} */ (globalThis)),
  mediabunny,
);
