/**
 * The shared-memory layout, parameter kinds and node modes of
 * csrc/include/ringlet.h, which is the source of truth. The values are
 * generated from the header at build time (scripts/gen-constants.mjs, into
 * the git-ignored constants.generated.js); test/unit/layout.test.js proves
 * the generated file current and equal to the wasm's own table (rlw_layout).
 * Any thread.
 */
export { LAYOUT, MODES, PARAM } from './constants.generated.js';
