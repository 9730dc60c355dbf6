// The dev server's stand-in for @eshaz/web-worker (a dependency of the
// WebAssembly FLAC and MP3 decoders that ringlet/stream-worker-wasm imports):
// its browser build is CommonJS, which a page cannot import unbundled; a
// bundler converts it, and it is the platform's Worker either way.
export default globalThis.Worker;
