// The player's decoding Worker for ringlet/stream: ringlet's own stream
// worker, started from this folder. A dedicated Worker is controlled by the
// service worker whose scope covers the Worker's own URL, so a Worker started
// from dist/ would get none of the isolation headers of the player's service
// worker (./sw.js), and an isolated page may not start a Worker without them.
// Worker thread.
import '../../dist/ringlet-stream-worker.js';
