/**
 * Mirror of the shared-memory layout in csrc/include/ringlet.h, which is the
 * source of truth. test/unit/layout.test.js reads the same values out of the
 * wasm (rl_layout) and fails if any differ. Order matches rl_layout's table.
 */
export const LAYOUT = Object.freeze({
  RING_MAGIC: 0x47524c52,
  RING_LAYOUT_VERSION: 1,
  RING_OFFSET_MAGIC: 0,
  RING_OFFSET_LAYOUT_VERSION: 4,
  RING_OFFSET_CHANNELS: 8,
  RING_OFFSET_CAPACITY: 12,
  RING_OFFSET_DATA: 16,
  RING_OFFSET_WRITE_INDEX: 64,
  RING_OFFSET_READ_INDEX: 128,
  RING_OFFSET_CLOSED: 192,
  RING_OFFSET_WRITER_WAITING: 196,
  RING_OFFSET_READER_WAITING: 200,
  RING_OFFSET_UNDERRUNS: 204,
  RING_OFFSET_OVERRUNS: 208,
  RING_HEADER_BYTES: 256,
  RING_MIN_CHANNELS: 1,
  RING_MAX_CHANNELS: 32,
  RING_MIN_CAPACITY: 256,
  RING_MAX_CAPACITY: 16777216,
  RING_MAX_DATA_BYTES: 67108864,
  MAX_QUANTUM_FRAMES: 1024,
  STATS_OFFSET_FRAMES_PROCESSED: 0,
  STATS_OFFSET_QUANTA: 8,
  STATS_OFFSET_SILENT_FRAMES: 12,
  STATS_BYTES: 64,
  PARAMS_CAPACITY: 64,
  PARAMS_OFFSET_WRITE_INDEX: 0,
  PARAMS_OFFSET_READ_INDEX: 64,
  PARAMS_OFFSET_REJECTED: 128,
  PARAMS_OFFSET_MESSAGES: 192,
  PARAMS_MESSAGE_BYTES: 32,
  PARAMS_BYTES: 2240,
});

/** The order of rl_layout(i) in csrc/wasm.c. */
export const LAYOUT_ORDER = Object.freeze(Object.keys(LAYOUT));

/** Message kinds of the parameter queue, as rl_param_kind. */
export const PARAM = Object.freeze({
  EQ_BAND: 1,
  EQ_BYPASS: 2,
  LIMITER: 3,
  LIMITER_BYPASS: 4,
  GENERATOR: 5,
  GENERATOR_RUN: 6,
  GAIN_BYPASS: 7,
  METER_BYPASS: 8,
});

/** Node modes, as rl_mode. */
export const MODES = Object.freeze({ source: 0, effect: 1, capture: 2 });
