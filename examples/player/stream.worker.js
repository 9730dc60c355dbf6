// The player's decoding Worker for ringlet/stream: ringlet's stream worker
// with its WebAssembly FLAC and MP3 decoders (ringlet/stream-worker-wasm), so
// that those play in every engine, WebKitGTK's included, started from this
// folder. A dedicated Worker is controlled by the
// service worker whose scope covers the Worker's own URL, so a Worker started
// from dist/ would get none of the isolation headers of the player's service
// worker (./sw.js), and an isolated page may not start a Worker without them.
// Worker thread.
import '../../dist/ringlet-stream-worker-wasm.js';
