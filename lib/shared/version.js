/** The package version. The wasm embeds the same string; a mismatch refuses to load. */
export const VERSION = '0.1.0';

/** The processor name carries the version so two copies of ringlet on one page coexist. */
export const PROCESSOR_NAME = `ringlet-${VERSION}`;
