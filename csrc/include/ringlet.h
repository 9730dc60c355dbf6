/*
 * ringlet: the realtime core of the ringlet Web Audio package.
 *
 * A single-producer, single-consumer ring of interleaved float frames, and the
 * node that an AudioWorkletProcessor drives once per render quantum. Both live
 * entirely inside a caller-provided memory block, so that in the browser the
 * block can be a shared WebAssembly.Memory that JavaScript on other threads
 * reads and writes through the same layout.
 *
 * Lifecycle of every object: config -> get_heap_size -> init_preallocated ->
 * process -> uninit. Nothing allocates; nothing waits; every loop is bounded by
 * the frame count passed in.
 *
 * This header is the one source of truth for the shared-memory layout. The
 * RL_RING_OFFSET_* and RL_STATS_OFFSET_* constants are mirrored in
 * lib/layout.js, and test/unit/layout.test.js proves both sides agree.
 */
#ifndef RINGLET_H
#define RINGLET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Results                                                                  */
/* ------------------------------------------------------------------------ */

typedef enum rl_result {
    /** Success. */
    RL_OK = 0,
    /** One or more arguments are null, out of range or inconsistent. */
    RL_INVALID_ARGS = -1,
    /** The memory block is too small for the requested configuration. */
    RL_OUT_OF_MEMORY = -2,
    /** The ring has been closed; a read returns this once it is also empty. */
    RL_CLOSED = -3,
    /** The memory block does not hold an initialised ring or node. */
    RL_INVALID_STATE = -4
} rl_result;

/** A static, human-readable description of a result code. Any thread. */
const char* rl_result_string(rl_result result);

/** The package version compiled into the core, e.g. "0.1.0". Any thread. */
const char* rl_version_string(void);

/* ------------------------------------------------------------------------ */
/* Panics                                                                   */
/* ------------------------------------------------------------------------ */

/** A test build's forced trap (RL_TEST_HOOKS). */
#define RL_PANIC_TEST 1
/** Shared state the core relies on was found corrupted. */
#define RL_PANIC_CORRUPT 2

/**
 * Reports a broken invariant to the host, then stops; never returns. In wasm
 * it calls the imported env.rl_host_panic(code, message) and traps, so the
 * worklet's catch sees a RuntimeError carrying this message, latches the node
 * silent and reports once. Natively it prints to stderr and aborts. Only for
 * broken invariants: ordinary bad input returns an rl_result.
 */
_Noreturn void rl_panic(int32_t code, const char* message);

/* ------------------------------------------------------------------------ */
/* Ring                                                                     */
/* ------------------------------------------------------------------------ */

#define RL_RING_MIN_CHANNELS 1u
#define RL_RING_MAX_CHANNELS 32u
#define RL_RING_MIN_CAPACITY 256u
#define RL_RING_MAX_CAPACITY 16777216u /* 2^24 frames */
/** Sample storage of one ring may not exceed 64 MiB (capacity * channels * 4). */
#define RL_RING_MAX_DATA_BYTES 67108864u

/** "RLRG": marks an initialised ring header. */
#define RL_RING_MAGIC 0x47524C52u
/** Bumped whenever the header layout below changes. */
#define RL_RING_LAYOUT_VERSION 1u

/*
 * Ring header layout, byte offsets from the start of the header. The write
 * and read indices sit on their own 64-byte lines so producer and consumer do
 * not share a cache line. Indices are free-running uint32 frame counters:
 * fill = write - read (mod 2^32), slot = index & (capacity - 1). No slot is
 * wasted and wrap past 2^32 is exact because capacity divides 2^32.
 */
#define RL_RING_OFFSET_MAGIC 0u
#define RL_RING_OFFSET_LAYOUT_VERSION 4u
#define RL_RING_OFFSET_CHANNELS 8u
#define RL_RING_OFFSET_CAPACITY 12u
#define RL_RING_OFFSET_DATA 16u /* byte offset of sample storage from header start */
#define RL_RING_OFFSET_WRITE_INDEX 64u
#define RL_RING_OFFSET_READ_INDEX 128u
#define RL_RING_OFFSET_CLOSED 192u
#define RL_RING_OFFSET_WRITER_WAITING 196u /* producer sleeps on READ_INDEX */
#define RL_RING_OFFSET_READER_WAITING 200u /* consumer sleeps on WRITE_INDEX */
#define RL_RING_OFFSET_UNDERRUNS 204u
#define RL_RING_OFFSET_OVERRUNS 208u
#define RL_RING_HEADER_BYTES 256u

typedef struct rl_ring rl_ring; /* lives at the start of its heap block */

typedef struct rl_ring_config {
    uint32_t channels;        /* 1 .. 32 */
    uint32_t capacity_frames; /* power of two, 256 .. 2^24 */
} rl_ring_config;

rl_ring_config rl_ring_config_init(uint32_t channels, uint32_t capacity_frames);

/** Bytes needed for header plus storage. RL_INVALID_ARGS for a bad config. */
rl_result rl_ring_get_heap_size(const rl_ring_config* config, size_t* heap_size);

/**
 * Initialises a ring at `heap`, which must be 64-byte aligned and hold at
 * least rl_ring_get_heap_size() bytes. Not realtime-safe only in the sense that
 * it touches the whole header; it never allocates. Call before either side
 * starts using the ring.
 */
rl_result rl_ring_init_preallocated(const rl_ring_config* config, void* heap, size_t heap_size,
                                    rl_ring** ring);

/** Validates an existing header at `heap` (e.g. one initialised elsewhere). */
rl_result rl_ring_attach(void* heap, size_t heap_size, rl_ring** ring);

/** Clears the magic so later attaches fail. No thread may use the ring after. */
void rl_ring_uninit(rl_ring* ring);

/*
 * Producer side (one thread). Realtime-safe: wait-free, no allocation.
 * Moves min(frames, available_write) frames; a short write counts one overrun.
 * Returns RL_CLOSED (moving nothing) once the ring is closed.
 */
rl_result rl_ring_write(rl_ring* ring, const float* interleaved, uint32_t frames,
                        uint32_t* frames_written);
rl_result rl_ring_write_planar(rl_ring* ring, const float* const* planar, uint32_t frames,
                               uint32_t* frames_written);

/*
 * Consumer side (one thread). Realtime-safe: wait-free, no allocation.
 * Moves min(frames, available_read) frames; a short read of an open ring
 * counts one underrun. Returns RL_CLOSED only when the ring is closed and
 * empty. After consuming, wakes a producer that sleeps on the read index
 * (memory.atomic.notify in wasm); the consumer itself never waits.
 */
rl_result rl_ring_read(rl_ring* ring, float* interleaved, uint32_t frames, uint32_t* frames_read);
rl_result rl_ring_read_planar(rl_ring* ring, float* const* planar, uint32_t frames,
                              uint32_t* frames_read);

/** Either thread; wait-free. */
uint32_t rl_ring_available_read(const rl_ring* ring);
uint32_t rl_ring_available_write(const rl_ring* ring);
uint32_t rl_ring_channels(const rl_ring* ring);
uint32_t rl_ring_capacity(const rl_ring* ring);
uint32_t rl_ring_underruns(const rl_ring* ring);
uint32_t rl_ring_overruns(const rl_ring* ring);
int rl_ring_is_closed(const rl_ring* ring);

/** Either thread. Marks the ring closed and wakes any waiter. Idempotent. */
void rl_ring_close(rl_ring* ring);

/* ------------------------------------------------------------------------ */
/* Parameter queue: settings from the main thread to the audio thread       */
/* ------------------------------------------------------------------------ */

/*
 * A single-producer, single-consumer queue of fixed 32-byte messages in
 * shared memory. The main thread pushes (lib/params.js); the node pops them
 * all at the start of a quantum, before processing, so a setting takes effect
 * on a quantum boundary and no postMessage sits in the audio path. Layout,
 * byte offsets from the queue start:
 */
#define RL_PARAMS_CAPACITY 64u /* messages; a power of two */
#define RL_PARAMS_OFFSET_WRITE_INDEX 0u
#define RL_PARAMS_OFFSET_READ_INDEX 64u
#define RL_PARAMS_OFFSET_REJECTED 128u /* uint32: messages the core refused */
#define RL_PARAMS_OFFSET_MESSAGES 192u
#define RL_PARAMS_MESSAGE_BYTES 32u
#define RL_PARAMS_BYTES (RL_PARAMS_OFFSET_MESSAGES + RL_PARAMS_CAPACITY * RL_PARAMS_MESSAGE_BYTES)

/* Message field offsets within one message. */
#define RL_PARAM_FIELD_KIND 0u    /* uint32, rl_param_kind */
#define RL_PARAM_FIELD_INDEX 4u   /* uint32, e.g. the EQ band */
#define RL_PARAM_FIELD_ARG 8u     /* uint32, e.g. a type or a flag */
#define RL_PARAM_FIELD_VALUES 16u /* float[4] */

typedef enum rl_param_kind {
    RL_PARAM_NONE = 0,
    /** index = band, arg = rl_biquad_type, values = frequency, q, gain_db. */
    RL_PARAM_EQ_BAND = 1,
    /** arg = 1 to bypass the EQ, 0 to run it. */
    RL_PARAM_EQ_BYPASS = 2,
    /** values = ceiling_db, attack_ms, release_ms. */
    RL_PARAM_LIMITER = 3,
    /** arg = 1 to bypass the limiter. */
    RL_PARAM_LIMITER_BYPASS = 4,
    /** arg = waveform, values = frequency, amplitude, sweep end frequency, sweep seconds. */
    RL_PARAM_GENERATOR = 5,
    /** arg = 1 to start the generator, 0 to stop it. */
    RL_PARAM_GENERATOR_RUN = 6,
    /** arg = 1 to bypass the gain stage. */
    RL_PARAM_GAIN_BYPASS = 7,
    /** arg = 1 to bypass the meters. */
    RL_PARAM_METER_BYPASS = 8
} rl_param_kind;

typedef struct rl_param_message {
    uint32_t kind;
    uint32_t index;
    uint32_t arg;
    uint32_t reserved;
    float values[4];
} rl_param_message;

typedef struct rl_params rl_params; /* lives at the start of its RL_PARAMS_BYTES block */

/** Initialises an empty queue in a 64-byte aligned block of RL_PARAMS_BYTES. */
rl_result rl_params_init(void* heap, size_t heap_size, rl_params** params);

/** Producer side (one thread). Wait-free. RL_OUT_OF_MEMORY when full. */
rl_result rl_params_push(rl_params* params, const rl_param_message* message);

/** Consumer side (the audio thread). Wait-free. Returns 1 and fills *message, or 0 when empty. */
int rl_params_pop(rl_params* params, rl_param_message* message);

/** Counts a message the consumer refused (bad values). Consumer side. */
void rl_params_count_rejected(rl_params* params);

/* ------------------------------------------------------------------------ */
/* Node: what one AudioWorkletProcessor runs                                */
/* ------------------------------------------------------------------------ */

typedef enum rl_mode {
    /** Ring -> outputs. The ring is written by JavaScript on another thread. */
    RL_MODE_SOURCE = 0,
    /** Inputs -> outputs. The node has a ring only for API symmetry (unused). */
    RL_MODE_EFFECT = 1,
    /** Inputs -> ring and outputs. The ring is read on another thread. */
    RL_MODE_CAPTURE = 2
} rl_mode;

/** Largest render quantum the node accepts in one process call. */
#define RL_MAX_QUANTUM_FRAMES 1024u

/*
 * Node statistics block layout, byte offsets from its start. Written only by
 * the thread that calls rl_node_process; read by any thread with atomic loads.
 */
#define RL_STATS_OFFSET_FRAMES_PROCESSED 0u /* uint64 */
#define RL_STATS_OFFSET_QUANTA 8u           /* uint32, wraps */
#define RL_STATS_OFFSET_SILENT_FRAMES 12u   /* uint32, wraps: silence output on underrun */
#define RL_STATS_BYTES 64u

typedef struct rl_node rl_node; /* lives at the start of its heap block */

typedef struct rl_node_config {
    rl_mode mode;
    uint32_t channels;        /* 1 .. 32 */
    uint32_t capacity_frames; /* ring capacity, power of two, 256 .. 2^24 */
} rl_node_config;

rl_node_config rl_node_config_init(rl_mode mode, uint32_t channels, uint32_t capacity_frames);

rl_result rl_node_get_heap_size(const rl_node_config* config, size_t* heap_size);

/** `heap` must be 64-byte aligned. Initialises the node and its ring. */
rl_result rl_node_init_preallocated(const rl_node_config* config, void* heap, size_t heap_size,
                                    rl_node** node);

void rl_node_uninit(rl_node* node);

/**
 * Planar scratch buffers of RL_MAX_QUANTUM_FRAMES floats per channel. The
 * caller copies inputs into rl_node_input() before rl_node_process() and
 * copies outputs from rl_node_output() after. Stable for the node's life.
 */
float* rl_node_input(rl_node* node, uint32_t channel);
float* rl_node_output(rl_node* node, uint32_t channel);

rl_ring* rl_node_ring(rl_node* node);
/** The statistics block, laid out as RL_STATS_OFFSET_*. */
void* rl_node_stats(rl_node* node);

/**
 * Runs one render quantum of `frames` (1 .. RL_MAX_QUANTUM_FRAMES).
 * Audio thread. Realtime-safe: no allocation, no locks, no waits; its loops
 * are bounded by frames * channels.
 *
 * - source: reads `frames` from the ring into the outputs; a short read fills
 *   the rest with silence and counts one underrun. Until the ring delivers its
 *   first frame after init, the node outputs silence and counts nothing.
 * - effect: copies inputs to outputs.
 * - capture: writes the inputs into the ring (as many frames as fit; a short
 *   write counts one overrun) and copies them to the outputs.
 */
rl_result rl_node_process(rl_node* node, uint32_t frames);

#ifdef __cplusplus
}
#endif

#endif /* RINGLET_H */
