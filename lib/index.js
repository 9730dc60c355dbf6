/**
 * ringlet: a C realtime core in WebAssembly for the Web Audio API.
 *
 * Importing this entry touches no Window-only global, so Workers and Node can
 * import it to use RingWriter / RingReader on handles posted to them.
 */
export { RingletError } from './errors.js';
export { RingReader, RingWriter } from './ring.js';
export { loadRinglet, setAssetUrls } from './load.js';
export { getAudioContext, isMainThread, unlockAudio } from './context.js';
export { clearPanicHistory, getPanicStats, onPanic } from './panic.js';
export { RingletNode } from './node.js';
export { VERSION, PROCESSOR_NAME } from './version.js';
export { ensureCrossOriginIsolation } from './isolation.js';
export { AbortError, QueueFullError, TerminatedError, TimeoutError, WorkerPool, WorkerPoolError } from './pool.js';
export { BufferPool } from './buffer-pool.js';
export { getDefaultRenderPool, renderOffline } from './render.js';
