// The app's stream Worker: ringlet's, with WebAssembly FLAC and MP3 decoders.
import 'ringlet/stream-worker-wasm';
