/**
 * ringlet: a C realtime core in WebAssembly for the Web Audio API.
 *
 * Importing this entry touches no Window-only global, so Workers and Node can
 * import it to use RingWriter / RingReader on handles posted to them.
 */
export { RingletError } from './shared/errors.js';
export { RingReader, RingWriter } from './shared/ring-ends.js';
export { loadRinglet, setAssetUrls } from './node/load.js';
export { getAudioContext, isMainThread, unlockAudio } from './node/context.js';
export { clearPanicHistory, getPanicStats, onPanic } from './node/panic.js';
export { RingletNode } from './node/node.js';
export { VERSION, PROCESSOR_NAME } from './shared/version.js';
export { ensureCrossOriginIsolation } from './isolation/isolation.js';
export { AbortError, QueueFullError, TerminatedError, TimeoutError, WorkerPoolError } from './offline/pool-errors.js';
export { WorkerPool } from './offline/pool.js';
export { BufferPool } from './offline/buffer-pool.js';
export { getDefaultRenderPool, renderOffline } from './offline/render.js';
