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
 * This header is the one source of truth for the shared-memory layout and
 * the constants JavaScript shares with the core: the build generates
 * lib/shared/constants.generated.js from it (scripts/gen-constants.mjs), and
 * test/unit/layout.test.js proves that file current and equal to the wasm.
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
    RL_INVALID_STATE = -4,
    /** The parameter queue holds RL_PARAMS_CAPACITY messages: nothing was added. */
    RL_QUEUE_FULL = -5,
    /** The parameter queue holds no message: nothing was taken. */
    RL_QUEUE_EMPTY = -6
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
#define RL_RING_LAYOUT_VERSION 2u

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
/*
 * Rate marks: the producer says that the frames it writes from now on run
 * at another sample rate, and the consumer (a source node's resampler)
 * changes its conversion at exactly that frame. A queue of
 * RL_RING_RATE_MARKS marks of RL_RING_RATE_MARK_BYTES: the write index a
 * mark starts at (uint32) and the rate (float32, Hz). MARKS_WRITTEN and
 * MARKS_TAKEN are free-running uint32 counts, published like the frame
 * indices: the producer fills a slot and then bumps MARKS_WRITTEN, before it
 * writes the frame the mark starts at, so a consumer that has seen a frame
 * has seen every mark before it. RATE_MARKS_ON is set by the consumer (a
 * node that resamples) at init; a ring without it refuses marks.
 */
#define RL_RING_OFFSET_RATE_MARKS_ON 212u
#define RL_RING_OFFSET_MARKS_WRITTEN 216u
#define RL_RING_OFFSET_MARKS_TAKEN 220u
#define RL_RING_OFFSET_MARKS 224u
#define RL_RING_RATE_MARKS 4u
#define RL_RING_RATE_MARK_BYTES 8u
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

/**
 * Producer side: the frames written from now on run at `rate` Hz (a rate
 * mark at the current write index). Wait-free.
 * @retval RL_OK the mark is queued
 * @retval RL_QUEUE_FULL RL_RING_RATE_MARKS marks wait for the consumer; nothing changed
 * @retval RL_INVALID_STATE the ring's consumer takes no rate marks
 * @retval RL_INVALID_ARGS a null ring, or a rate outside RL_RESAMPLER_MIN_RATE ..
 * RL_RESAMPLER_MAX_RATE
 * @retval RL_CLOSED the ring is closed
 */
rl_result rl_ring_mark_rate(rl_ring* ring, double rate);

/** Consumer side: the oldest rate mark not yet taken, in *frame (a write
 *  index) and *rate. RL_OK, or RL_QUEUE_EMPTY when none waits. Wait-free. */
rl_result rl_ring_peek_rate(const rl_ring* ring, uint32_t* frame, double* rate);

/** Consumer side: takes the mark rl_ring_peek_rate returned. Wait-free. */
void rl_ring_pop_rate(rl_ring* ring);

/** Consumer side, at init: whether the producer may queue rate marks. */
void rl_ring_take_rates(rl_ring* ring, int on);

/* ------------------------------------------------------------------------ */
/* Parameter queue: settings from the main thread to the audio thread       */
/* ------------------------------------------------------------------------ */

/*
 * A single-producer, single-consumer queue of fixed 32-byte messages in
 * shared memory. The main thread pushes (lib/shared/params.js); the node pops them
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
    RL_PARAM_METER_BYPASS = 8,
    /** A source node's resampler forgets the frames it holds (for a seek or
     *  a new stream) and starts again; at speed 1 with equal rates the node
     *  copies its ring straight through again. Refused without a resampler. */
    RL_PARAM_RESAMPLER_RESET = 9
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

/**
 * Appends a copy of `message`. Producer side (one thread). Wait-free.
 * @param params the queue, from rl_params_init or rl_node_params
 * @param message the message to copy in
 * @retval RL_OK the message is queued
 * @retval RL_QUEUE_FULL RL_PARAMS_CAPACITY messages wait; the queue is unchanged
 * @retval RL_INVALID_ARGS `params` or `message` is NULL
 */
rl_result rl_params_push(rl_params* params, const rl_param_message* message);

/**
 * Takes the oldest message. Consumer side (the audio thread). Wait-free.
 * @param params the queue, from rl_params_init or rl_node_params
 * @param message receives the message; untouched unless RL_OK
 * @retval RL_OK `*message` holds the oldest message, now off the queue
 * @retval RL_QUEUE_EMPTY no message waits; the queue is unchanged
 * @retval RL_INVALID_ARGS `params` or `message` is NULL
 */
rl_result rl_params_pop(rl_params* params, rl_param_message* message);

/** Counts a message the consumer refused (bad values). Consumer side. */
void rl_params_count_rejected(rl_params* params);

/* ------------------------------------------------------------------------ */
/* Node: what one AudioWorkletProcessor runs                                */
/* ------------------------------------------------------------------------ */

typedef enum rl_mode {
    /** Ring -> outputs. The ring is written by JavaScript on another thread. */
    RL_MODE_SOURCE = 0,
    /** Inputs -> outputs. The node has no ring: capacity_frames is ignored. */
    RL_MODE_EFFECT = 1,
    /** Inputs -> ring and outputs. The ring is read on another thread. */
    RL_MODE_CAPTURE = 2
} rl_mode;

/** Largest render quantum the node accepts in one process call. */
#define RL_MAX_QUANTUM_FRAMES 1024u

/** Web Audio's render quantum: the frames of one process() call, and of one
 *  quantum of an offline render. */
#define RL_RENDER_QUANTUM_FRAMES 128u

/** A node's first word once rl_node_init has run ("RLND"); an offline
 *  render checks it in a node state handed from one segment to the next. */
#define RL_NODE_MAGIC 0x444E4C52u

/*
 * Node statistics block layout, byte offsets from its start. Written only by
 * the thread that calls rl_node_process; read by any thread with atomic loads.
 */
#define RL_STATS_OFFSET_FRAMES_PROCESSED 0u /* uint64 */
#define RL_STATS_OFFSET_QUANTA 8u           /* uint32, wraps */
#define RL_STATS_OFFSET_SILENT_FRAMES 12u   /* uint32, wraps: silence output on underrun */
/* float32 (IEEE-754 bits), after each quantum; 0 while a source node copies
 * its ring straight through. Frames at the context's rate between a frame
 * leaving the ring and being heard (rl_resampler_latency)... */
#define RL_STATS_OFFSET_LATENCY_FRAMES 16u
/* ...and ring frames read and not yet heard (rl_resampler_lookahead): the
 * frame being heard is the ring's read count minus this. */
#define RL_STATS_OFFSET_LOOKAHEAD_FRAMES 20u
/* uint32, wraps, after each quantum: a source node's ring frames heard since
 * init, the ring's read count less the lookahead, rounded down. One value
 * stored once per quantum, so another thread reads a consistent count (the
 * read index moves inside the quantum, before the lookahead is stored: the
 * two read apart can disagree by a quantum's read-ahead). 0 for effect and
 * capture nodes. */
#define RL_STATS_OFFSET_HEARD_FRAMES 24u
#define RL_STATS_BYTES 64u

typedef struct rl_node rl_node;           /* lives at the start of its heap block */
typedef struct rl_resampler rl_resampler; /* see "Resampler" below */

typedef struct rl_node_config {
    rl_mode mode;
    uint32_t channels;        /* 1 .. 32 */
    uint32_t capacity_frames; /* ring capacity, power of two, 256 .. 2^24; effect nodes: ignored */
    double sample_rate;       /* the context's; rl_node_config_init sets 48000 */
    /** Source nodes: the rate of the ring's frames, or 0 (the default) for
     *  sample_rate. Other modes: 0 or sample_rate. A rate other than
     *  sample_rate puts an rl_resampler between the ring and the chain (both
     *  rates must then lie in RL_RESAMPLER_MIN_RATE .. RL_RESAMPLER_MAX_RATE). */
    double input_rate;
    /** Source nodes: nonzero to take playback-rate values (varispeed,
     *  rl_node_process_audio_params); this too gives the node a resampler.
     *  Other modes: 0 (the default). */
    uint32_t varispeed;
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

/** The node's ring: NULL for an effect node, which has none. */
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

/**
 * rl_node_process with the gain AudioParam's values for this quantum, which
 * the caller has copied to rl_node_gain_values(): 1 value (constant, reached
 * by a click-free ramp) or `frames` values (a-rate automation, applied
 * exactly). 0 values holds the last gain given. Audio thread; realtime-safe.
 *
 * The chain, for every mode: input (ring, through the resampler for a source
 * node that has one; inputs; or the generator while it runs) -> non-finite
 * samples zeroed -> gain -> EQ -> limiter -> meters ->
 * analyser time buffer -> output (and, for capture, the ring). Queued
 * settings (rl_node_params) are applied first, on the quantum boundary.
 */
rl_result rl_node_process_gain(rl_node* node, uint32_t frames, uint32_t gain_value_count);

/**
 * rl_node_process_gain with, for a node configured with varispeed, the
 * playbackRate AudioParam's values too, copied by the caller to
 * rl_node_playback_rate_values(): 1 (a constant, reached by a
 * RL_RESAMPLER_SPEED_RAMP_MS ramp), `frames` (one per frame, exact) or 0
 * (hold the last). Values are clamped to RL_RESAMPLER_MIN_SPEED ..
 * RL_RESAMPLER_MAX_SPEED; non-finite ones are ignored. RL_INVALID_ARGS for
 * a count other than 0, 1 or `frames`, and for any count on a node without
 * varispeed. Audio thread; realtime-safe: the resampler's work is bounded
 * as its header says.
 *
 * A source node with a resampler reads from the ring at its input rate and
 * converts to sample_rate before the chain. While the rates are equal and
 * every playback rate so far was 1, it does not resample: the ring is copied
 * straight through as before, bit for bit, with no latency. The first value
 * other than 1 starts the resampler there (RL_RESAMPLER_START_DIRECT: the
 * next RL_RESAMPLER_TAPS / 2 frames are still copied, then the lookahead, as
 * many frames again, is read from the ring while they fade into the filtered
 * signal; a ring holding less runs short once); it then stays on until an
 * RL_PARAM_RESAMPLER_RESET at speed 1. A short read counts one underrun
 * and outputs silence for the frames it could not make; a closed ring
 * plays the filter's tail, then silence.
 */
rl_result rl_node_process_audio_params(rl_node* node, uint32_t frames, uint32_t gain_value_count,
                                       uint32_t playback_rate_value_count);

/** The parameter queue the main thread writes. Stable for the node's life. */
rl_params* rl_node_params(rl_node* node);
/** RL_MAX_QUANTUM_FRAMES floats for the gain AudioParam's values. */
float* rl_node_gain_values(rl_node* node);
/** RL_MAX_QUANTUM_FRAMES floats for the playbackRate AudioParam's values;
 *  NULL unless the node was configured with varispeed. */
float* rl_node_playback_rate_values(rl_node* node);
/** The node's resampler (NULL without one), for its accessors. */
const rl_resampler* rl_node_resampler(rl_node* node);
/** The meter readout (RL_METER_OFFSET_* per channel), readable from any thread. */
const void* rl_node_meters(rl_node* node);
/** The analyser's time buffer (RL_TIMEBUF_OFFSET_*), readable from any thread. */
const void* rl_node_timebuf(rl_node* node);

/* ======================================================================== */
/* DSP modules                                                              */
/* ======================================================================== */
/*
 * Building blocks the node chains inside a render quantum: EQ, gain, limiter,
 * meters, analyser time buffer and generator, plus the analyser's spectrum, which
 * runs on another thread. Each follows the lifecycle above (config ->
 * get_heap_size -> init_preallocated -> process -> uninit) over a 64-byte
 * aligned caller block, so it can sit inside the node's memory.
 *
 * Rules shared by every process function here (the audio thread's calls):
 * - Realtime-safe: no allocation, no locks, no waits; loops are bounded by
 *   frames * channels (times the band count for the EQ).
 * - Works in place on planar buffers, `planar[c][i]` for channels 1 .. 32
 *   and frames 1 .. RL_MAX_QUANTUM_FRAMES. A bad argument returns
 *   RL_INVALID_ARGS and changes neither the buffers nor the state.
 * - A non-finite input sample is replaced by 0 (and the filter state of that
 *   channel is reset); subnormal inputs become 0; the output never holds NaN,
 *   Inf or subnormals. "Bit-exact pass-through" below means for finite,
 *   normal (or zero) samples.
 * - Setters validate; a rejected setting returns RL_INVALID_ARGS and changes
 *   nothing. Setters belong to the thread that calls process unless a
 *   comment says otherwise.
 */

/** Sample rates the DSP modules accept (the Web Audio range). */
#define RL_DSP_MIN_SAMPLE_RATE 3000.0
#define RL_DSP_MAX_SAMPLE_RATE 768000.0
#define RL_DSP_MAX_CHANNELS 32u

/* ------------------------------------------------------------------------ */
/* Biquad: Web Audio BiquadFilterNode coefficients                          */
/* ------------------------------------------------------------------------ */

/** Same order as the Web Audio BiquadFilterType enumeration. */
typedef enum rl_biquad_type {
    RL_BIQUAD_LOWPASS = 0,
    RL_BIQUAD_HIGHPASS = 1,
    RL_BIQUAD_BANDPASS = 2,
    RL_BIQUAD_LOWSHELF = 3,
    RL_BIQUAD_HIGHSHELF = 4,
    RL_BIQUAD_PEAKING = 5,
    RL_BIQUAD_NOTCH = 6,
    RL_BIQUAD_ALLPASS = 7
} rl_biquad_type;

/** Normalised by a0: y = b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2. */
typedef struct rl_biquad_coeffs {
    double b0;
    double b1;
    double b2;
    double a1;
    double a2;
} rl_biquad_coeffs;

/**
 * Coefficients exactly as the Web Audio spec's BiquadFilterNode (and
 * Chromium) compute them: A = 10^(gain_db/40); lowpass/highpass take `q` in
 * dB (alpha = sin(w0) / (2 * 10^(q/20))); bandpass, notch, allpass and
 * peaking take a plain Q (alpha = sin(w0) / (2q)); the shelves use S = 1 and
 * ignore q. `frequency` is clamped to 0 .. sample_rate/2 and the spec's
 * limits apply at 0, at Nyquist and for q <= 0 (e.g. a lowpass at Nyquist
 * is the identity, a peaking filter with q = 0 is the gain A^2). Any thread.
 * RL_INVALID_ARGS for a bad type, a non-finite argument, sample_rate <= 0 or
 * coefficients that would not be finite; `out` is untouched then.
 */
rl_result rl_biquad_coefficients(rl_biquad_type type, double frequency, double q, double gain_db,
                                 double sample_rate, rl_biquad_coeffs* out);

/**
 * |H(e^jw)| in dB at `frequency`, as getFrequencyResponse() computes it; -inf
 * at an exact zero; NaN, as there, for a frequency outside 0 .. sample_rate/2
 * and for a null or non-finite argument. Any thread.
 */
double rl_biquad_magnitude_db(const rl_biquad_coeffs* coeffs, double frequency, double sample_rate);

/* ------------------------------------------------------------------------ */
/* EQ: up to 16 biquad bands in series                                      */
/* ------------------------------------------------------------------------ */

#define RL_EQ_MAX_BANDS 16u
#define RL_EQ_DEFAULT_BANDS 8u
#define RL_EQ_MIN_GAIN_DB (-40.0)
#define RL_EQ_MAX_GAIN_DB 40.0
/** Plain Q (bandpass, notch, allpass, peaking, shelves): 0 < q <= this. */
#define RL_EQ_MAX_Q 1000.0
/** Lowpass/highpass q is in dB (as in Web Audio): -40 .. 40. */
#define RL_EQ_MAX_Q_DB 40.0
/** Default plain Q: sqrt(2), one octave wide, matching the octave spacing. */
#define RL_EQ_DEFAULT_Q 1.4142135623730951
/** Length of a parameter ramp or crossfade: about this long, in 16-frame steps. */
#define RL_EQ_RAMP_MS 10.0

typedef struct rl_eq rl_eq; /* lives at the start of its heap block */

/**
 * One band. Peaking and shelf bands at exactly 0 dB are "flat": identities
 * that cost nothing. Frequency: 0 < f < sample_rate/2. Gain: -40 .. 40 dB
 * (ignored, but still checked, by the types without gain). Q: see above.
 */
typedef struct rl_eq_band {
    rl_biquad_type type;
    double frequency;
    double q;
    double gain_db;
} rl_eq_band;

typedef struct rl_eq_config {
    uint32_t channels;   /* 1 .. 32; process may pass fewer */
    double sample_rate;  /* RL_DSP_MIN_SAMPLE_RATE .. RL_DSP_MAX_SAMPLE_RATE */
    uint32_t band_count; /* 1 .. RL_EQ_MAX_BANDS */
} rl_eq_config;

/**
 * Bands start flat: peaking, Q RL_EQ_DEFAULT_Q, 0 dB, centres spaced evenly
 * in log frequency from 60 Hz to 7680 Hz (60 * 2^k for the default 8 bands),
 * each capped at 0.45 * sample_rate.
 */
rl_eq_config rl_eq_config_init(uint32_t channels, double sample_rate, uint32_t band_count);

rl_result rl_eq_get_heap_size(const rl_eq_config* config, size_t* heap_size);

/** `heap` must be 64-byte aligned and hold rl_eq_get_heap_size() bytes. */
rl_result rl_eq_init_preallocated(const rl_eq_config* config, void* heap, size_t heap_size,
                                  rl_eq** eq);

void rl_eq_uninit(rl_eq* eq);

/**
 * Sets a band's target. Before the first rl_eq_process (or right after
 * rl_eq_reset, or while the EQ is fully bypassed) it applies at once.
 * Otherwise the change starts at the next 16-frame boundary and glides
 * without clicks: parameters (frequency and plain Q on a log scale, gain and
 * dB-Q linearly) move in RL_EQ_RAMP_MS worth of 16-frame steps with the
 * coefficients interpolated per frame in between, so the band reaches the
 * exact new coefficients after rl_eq_ramp_frames() frames (480 at 48 kHz,
 * 448 at 44.1 kHz) plus at most 15. A change of type (other than between
 * peaking and the shelves while flat) crossfades the old and new filters
 * over the same length; a further type change waits for that crossfade.
 * A band that becomes flat is bypassed once its residual has died away
 * (below 1e-9). Audio thread, realtime-safe.
 */
rl_result rl_eq_set_band(rl_eq* eq, uint32_t index, const rl_eq_band* band);

/** The band's target (the last accepted setting). Audio thread. */
rl_result rl_eq_get_band(const rl_eq* eq, uint32_t index, rl_eq_band* band);

/**
 * Nonzero: the output is the input, bit-exact, and the bands are not run.
 * Switching crossfades dry/wet over rl_eq_ramp_frames() frames. Audio thread.
 */
void rl_eq_set_bypass(rl_eq* eq, int bypass);

/** Clears filter state, finishes every ramp and fade at its target. Audio thread. */
void rl_eq_reset(rl_eq* eq);

/** Frames a parameter ramp or crossfade lasts (16 * ceil(10 ms / 16 frames)). */
uint32_t rl_eq_ramp_frames(const rl_eq* eq);

/** 1 when no band is ramping, crossfading or waiting and no bypass fade runs. */
int rl_eq_is_settled(const rl_eq* eq);

/**
 * Filters in place through every band that is not flat, with double
 * precision Direct Form I state per channel (as Chromium's Biquad). Audio
 * thread, realtime-safe; loops bounded by frames * channels * bands.
 */
rl_result rl_eq_process(rl_eq* eq, float* const* planar, uint32_t channels, uint32_t frames);

/* ------------------------------------------------------------------------ */
/* Gain with AudioParam-style values                                        */
/* ------------------------------------------------------------------------ */

/** A constant gain value is reached by a linear ramp of this length. */
#define RL_GAIN_SMOOTHING_MS 5.0

typedef struct rl_gain rl_gain;

typedef struct rl_gain_config {
    double sample_rate;
    float initial_gain; /* finite; default 1 */
} rl_gain_config;

rl_gain_config rl_gain_config_init(double sample_rate);
rl_result rl_gain_get_heap_size(const rl_gain_config* config, size_t* heap_size);
rl_result rl_gain_init_preallocated(const rl_gain_config* config, void* heap, size_t heap_size,
                                    rl_gain** gain);
void rl_gain_uninit(rl_gain* gain);

/**
 * Multiplies every channel by the gain. `value_count` == 1: a constant
 * (k-rate or unautomated) value, approached by a linear ramp of
 * RL_GAIN_SMOOTHING_MS and then applied exactly (x * value in float, as a
 * GainNode); a settled gain of exactly 1 is a bit-exact pass-through.
 * `value_count` == frames (and > 1): a-rate, y[i] = x[i] * values[i] exactly.
 * A non-finite value counts as the last good one. Audio thread, realtime-safe.
 */
rl_result rl_gain_process(rl_gain* gain, float* const* planar, uint32_t channels, uint32_t frames,
                          const float* values, uint32_t value_count);

/** The gain applied to the last frame processed. Audio thread. */
float rl_gain_current(const rl_gain* gain);

/* ------------------------------------------------------------------------ */
/* Limiter: no lookahead, no latency                                        */
/* ------------------------------------------------------------------------ */

#define RL_LIMITER_MIN_CEILING_DB (-60.0)
#define RL_LIMITER_MAX_CEILING_DB 0.0
#define RL_LIMITER_DEFAULT_CEILING_DB (-1.0)
#define RL_LIMITER_MIN_ATTACK_MS 0.0 /* 0: the envelope follows at once */
#define RL_LIMITER_MAX_ATTACK_MS 100.0
#define RL_LIMITER_DEFAULT_ATTACK_MS 1.0
#define RL_LIMITER_MIN_RELEASE_MS 1.0
#define RL_LIMITER_MAX_RELEASE_MS 5000.0
#define RL_LIMITER_DEFAULT_RELEASE_MS 100.0

typedef struct rl_limiter rl_limiter;

typedef struct rl_limiter_config {
    double sample_rate;
    double ceiling_db;
    double attack_ms;
    double release_ms;
} rl_limiter_config;

/** Defaults: ceiling -1 dBFS, attack 1 ms, release 100 ms. */
rl_limiter_config rl_limiter_config_init(double sample_rate);
rl_result rl_limiter_get_heap_size(const rl_limiter_config* config, size_t* heap_size);
rl_result rl_limiter_init_preallocated(const rl_limiter_config* config, void* heap,
                                       size_t heap_size, rl_limiter** limiter);
void rl_limiter_uninit(rl_limiter* limiter);

/** Ranges are the RL_LIMITER_* constants above. Audio thread. */
rl_result rl_limiter_set(rl_limiter* limiter, double ceiling_db, double attack_ms,
                         double release_ms);

/**
 * Stereo-linked peak limiter: one gain for all channels, driven by a
 * one-pole envelope toward ceiling / max|x| (attack while it falls, release
 * while it recovers), then a hard clamp, so |output| <= rl_limiter_ceiling()
 * always. Below the ceiling with the envelope at rest (gain exactly 1) the
 * output is the input, bit-exact. Audio thread, realtime-safe.
 */
rl_result rl_limiter_process(rl_limiter* limiter, float* const* planar, uint32_t channels,
                             uint32_t frames);

/** The linear ceiling as a float, never above 10^(ceiling_db/20). */
float rl_limiter_ceiling(const rl_limiter* limiter);

/** Current gain reduction in dB (0 at rest, negative while limiting). Audio thread. */
double rl_limiter_gain_db(const rl_limiter* limiter);

/* ------------------------------------------------------------------------ */
/* Meters: peak, RMS and clip count per channel, readable from any thread   */
/* ------------------------------------------------------------------------ */

/** The peak holds this long, then falls at RL_METER_PEAK_DECAY_DB_PER_S. */
#define RL_METER_PEAK_HOLD_MS 50.0
#define RL_METER_PEAK_DECAY_DB_PER_S 20.0
/** RMS: exponential average of x^2 with this time constant. */
#define RL_METER_RMS_TIME_CONSTANT_MS 300.0

/*
 * Readout layout: one RL_METER_CHANNEL_BYTES record per channel, starting at
 * rl_meter_readout() (64-byte aligned), byte offsets within a record below.
 * Written only by the thread that calls rl_meter_process, with relaxed
 * atomic 32-bit stores; any thread reads them with 32-bit loads. Floats are
 * stored as their IEEE-754 bits, linear (not dB).
 */
#define RL_METER_OFFSET_PEAK 0u    /* float32: sample peak with hold and decay */
#define RL_METER_OFFSET_RMS 4u     /* float32 */
#define RL_METER_OFFSET_CLIPS 8u   /* uint32, wraps: samples with |x| >= 1 or non-finite */
#define RL_METER_OFFSET_QUANTA 12u /* uint32, wraps: process calls measured */
#define RL_METER_CHANNEL_BYTES 16u

typedef struct rl_meter rl_meter;

typedef struct rl_meter_config {
    uint32_t channels; /* 1 .. 32 */
    double sample_rate;
} rl_meter_config;

rl_meter_config rl_meter_config_init(uint32_t channels, double sample_rate);
rl_result rl_meter_get_heap_size(const rl_meter_config* config, size_t* heap_size);
rl_result rl_meter_init_preallocated(const rl_meter_config* config, void* heap, size_t heap_size,
                                     rl_meter** meter);
void rl_meter_uninit(rl_meter* meter);

/**
 * Measures (never modifies) up to the configured channel count. Non-finite
 * samples count as clips and as silence for the levels. Audio thread,
 * realtime-safe.
 */
rl_result rl_meter_process(rl_meter* meter, const float* const* planar, uint32_t channels,
                           uint32_t frames);

/** Zeroes levels and counts. Audio thread. */
void rl_meter_reset(rl_meter* meter);

/** The readout records (RL_METER_OFFSET_*). Stable for the meter's life. */
const void* rl_meter_readout(const rl_meter* meter);

/** Any thread: relaxed atomic loads of the readout; 0 for a bad channel. */
float rl_meter_peak(const rl_meter* meter, uint32_t channel);
float rl_meter_rms(const rl_meter* meter, uint32_t channel);
uint32_t rl_meter_clips(const rl_meter* meter, uint32_t channel);

/* ------------------------------------------------------------------------ */
/* Analyser, audio half: the time buffer                                    */
/* ------------------------------------------------------------------------ */

/** Default storage: twice AnalyserNode's largest fftSize, so that a reader
 *  copying the latest 32768 samples has 32768 samples of slack. */
#define RL_TIMEBUF_DEFAULT_CAPACITY 65536u
#define RL_TIMEBUF_MIN_CAPACITY 256u
#define RL_TIMEBUF_MAX_CAPACITY 1048576u

/*
 * Time buffer layout, byte offsets from rl_timebuf's start. The write index is a
 * free-running count of mono samples written (wraps at 2^32); sample k lives
 * at slot k & (capacity - 1). The writer stores samples, then publishes the
 * index with a release store; a reader loads the index (acquire), copies,
 * and loads it again: if it moved by more than capacity - count, the copy
 * may be torn and should be retried.
 */
#define RL_TIMEBUF_OFFSET_WRITE_INDEX 0u /* uint32 */
#define RL_TIMEBUF_OFFSET_CAPACITY 4u    /* uint32, power of two */
#define RL_TIMEBUF_OFFSET_DATA 64u       /* float32[capacity] */

typedef struct rl_timebuf rl_timebuf;

typedef struct rl_timebuf_config {
    uint32_t capacity_frames; /* power of two, RL_TIMEBUF_MIN .. MAX_CAPACITY */
} rl_timebuf_config;

rl_timebuf_config rl_timebuf_config_init(uint32_t capacity_frames);
rl_result rl_timebuf_get_heap_size(const rl_timebuf_config* config, size_t* heap_size);
rl_result rl_timebuf_init_preallocated(const rl_timebuf_config* config, void* heap,
                                       size_t heap_size, rl_timebuf** timebuf);
void rl_timebuf_uninit(rl_timebuf* timebuf);

/**
 * Appends the mono down-mix as AnalyserNode makes it ("speakers"): one
 * channel as is, two as 0.5 * (L + R), more as their average. Does not
 * modify the input. Audio thread, realtime-safe.
 */
rl_result rl_timebuf_process(rl_timebuf* timebuf, const float* const* planar, uint32_t channels,
                             uint32_t frames);

/** Samples written so far (wraps). Any thread. */
uint32_t rl_timebuf_write_index(const rl_timebuf* timebuf);

/**
 * Any thread, wait-free. Copies the latest `count` samples (1 ..
 * capacity / 2), oldest first; samples never written read as 0, as an
 * AnalyserNode's initial buffer. Retries a torn copy a few times and then
 * keeps the last attempt (a reader stalled for ~capacity/2 samples).
 */
rl_result rl_timebuf_read_latest(const rl_timebuf* timebuf, float* out, uint32_t count);

/* ------------------------------------------------------------------------ */
/* Analyser, analysis half: AnalyserNode's spectrum, on any one thread      */
/* ------------------------------------------------------------------------ */

#define RL_SPECTRUM_MIN_FFT_SIZE 32u
#define RL_SPECTRUM_MAX_FFT_SIZE 32768u

typedef struct rl_spectrum rl_spectrum;

typedef struct rl_spectrum_config {
    uint32_t fft_size; /* power of two, 32 .. 32768 */
} rl_spectrum_config;

rl_spectrum_config rl_spectrum_config_init(uint32_t fft_size);

/** Window, twiddles, scratch and smoothing state: about 28 * fft_size bytes. */
rl_result rl_spectrum_get_heap_size(const rl_spectrum_config* config, size_t* heap_size);
rl_result rl_spectrum_init_preallocated(const rl_spectrum_config* config, void* heap,
                                        size_t heap_size, rl_spectrum** spectrum);
void rl_spectrum_uninit(rl_spectrum* spectrum);

/** Forgets the smoothing history. */
void rl_spectrum_reset(rl_spectrum* spectrum);

/*
 * The analysis functions follow the Web Audio AnalyserNode: the fft_size
 * `time_samples` (oldest first; non-finite ones count as 0) are multiplied
 * by the Blackman window w[n] = 0.42 - 0.5 cos(2 pi n/N) + 0.08 cos(4 pi n/N),
 * transformed by a real FFT (double precision), and each of the fft_size/2
 * magnitudes |X[k]| / N is smoothed, X^[k] = s X^prev[k] + (1 - s) |X[k]|,
 * with the state kept here (a non-finite result resets it to 0). Each call
 * advances the smoothing once. Not realtime: bounded by fft_size log
 * fft_size, no allocation, no waits; call from one thread at a time.
 * RL_INVALID_ARGS for null pointers or smoothing outside 0 .. 1.
 */

/** out_db[k] = 20 log10(X^[k]); -inf where X^[k] is 0, as Chromium. */
rl_result rl_spectrum_float_frequency(rl_spectrum* spectrum, const float* time_samples,
                                      double smoothing, float* out_db);

/**
 * power_sum[k] += (|X[k]| / N)^2 for the fft_size/2 bins: one frame's power
 * spectrum, with no smoothing (the state is left as smoothing 0 leaves it),
 * added to a running sum for an averaged spectrum (offline analysis).
 */
rl_result rl_spectrum_add_power(rl_spectrum* spectrum, const float* time_samples,
                                double* power_sum);

/**
 * out[k] = floor(255 / (max_db - min_db) * (dB[k] - min_db)) clamped to
 * 0 .. 255. RL_INVALID_ARGS unless min_db < max_db (both finite).
 */
rl_result rl_spectrum_byte_frequency(rl_spectrum* spectrum, const float* time_samples,
                                     double smoothing, double min_db, double max_db, uint8_t* out);

/** out[i] = floor(128 * (1 + x[i])) clamped to 0 .. 255. Any thread. */
rl_result rl_spectrum_byte_time_domain(const float* time_samples, uint32_t count, uint8_t* out);

/* ------------------------------------------------------------------------ */
/* Generator: test tones and noise                                          */
/* ------------------------------------------------------------------------ */

typedef enum rl_waveform {
    RL_WAVEFORM_SINE = 0,
    RL_WAVEFORM_SQUARE = 1,   /* band-limited */
    RL_WAVEFORM_SAWTOOTH = 2, /* band-limited, rising */
    RL_WAVEFORM_TRIANGLE = 3, /* band-limited */
    RL_WAVEFORM_WHITE_NOISE = 4,
    RL_WAVEFORM_PINK_NOISE = 5,
    RL_WAVEFORM_SWEEP = 6, /* logarithmic sine sweep */
    /* One sample of full amplitude per period, zero elsewhere: impulse k
     * (k >= 1, counted from start) lands on frame ceil(k * rate / f) - 1,
     * so the spacing is exactly rate / f frames on average, and exactly
     * that many when it is a whole number. */
    RL_WAVEFORM_IMPULSE = 7,
    /* Equal-amplitude cosines at f, 2f, 4f, ... (octaves): every octave
     * below sample_rate / 2, at most RL_GENERATOR_MAX_TONES of them, each at
     * amplitude / tones. All start a period in phase, so the sum peaks at
     * exactly the amplitude there; its RMS is amplitude / sqrt(2 * tones). */
    RL_WAVEFORM_MULTITONE = 8
} rl_waveform;

/** The last rl_waveform value; every value from 0 to it is a waveform. */
#define RL_WAVEFORM_LAST RL_WAVEFORM_MULTITONE

/** Start, stop, amplitude and waveform changes ramp over this long. */
#define RL_GENERATOR_FADE_MS 5.0
#define RL_GENERATOR_MAX_SWEEP_SECONDS 3600.0
/** The multitone's most octaves: f .. 512 f. */
#define RL_GENERATOR_MAX_TONES 10u

typedef struct rl_generator rl_generator;

typedef struct rl_generator_config {
    double sample_rate;
} rl_generator_config;

rl_generator_config rl_generator_config_init(double sample_rate);

/** Includes the band-limited wavetables (about 250 KB). */
rl_result rl_generator_get_heap_size(const rl_generator_config* config, size_t* heap_size);

/**
 * Builds the wavetables: not realtime (about a millisecond); call before
 * audio starts. The generator starts stopped: sine, 1000 Hz (capped at 0.45
 * * sample_rate), amplitude 0.5, seed 1.
 */
rl_result rl_generator_init_preallocated(const rl_generator_config* config, void* heap,
                                         size_t heap_size, rl_generator** generator);
void rl_generator_uninit(rl_generator* generator);

/*
 * Setters, audio thread. Frequency: 0 < f < sample_rate/2, takes effect at
 * once with continuous phase. Amplitude: 0 .. 1, ramped. A waveform change
 * while running fades out, switches and fades back in.
 */
rl_result rl_generator_set_waveform(rl_generator* generator, rl_waveform waveform);
rl_result rl_generator_set_frequency(rl_generator* generator, double frequency);
rl_result rl_generator_set_amplitude(rl_generator* generator, double amplitude);

/**
 * Sweep from start_hz to end_hz (either may be the larger; both 0 < f <
 * sample_rate/2) over `seconds` (0 < s <= RL_GENERATOR_MAX_SWEEP_SECONDS),
 * exponentially in frequency with continuous phase. At the end it holds
 * end_hz as a steady sine, or with `loop` nonzero starts over from start_hz.
 * The sweep restarts from start_hz now and at every rl_generator_start().
 */
rl_result rl_generator_set_sweep(rl_generator* generator, double start_hz, double end_hz,
                                 double seconds, int loop);

/** Reseeds the noise (xorshift32; any seed, 0 included). */
void rl_generator_set_seed(rl_generator* generator, uint32_t seed);

/** Start resets the phase and fades in; stop fades out, then outputs silence. */
void rl_generator_start(rl_generator* generator);
void rl_generator_stop(rl_generator* generator);

/** The frequency the next sample is generated at (the sweep's position). */
double rl_generator_frequency(const rl_generator* generator);

/**
 * Writes the signal to every channel (the same samples on all), replacing
 * what the buffers held; silence when stopped. Audio thread, realtime-safe.
 */
rl_result rl_generator_process(rl_generator* generator, float* const* planar, uint32_t channels,
                               uint32_t frames);

/* ======================================================================== */
/* Loudness                                                                 */
/* ======================================================================== */
/*
 * Integrated loudness per ITU-R BS.1770-4 (as EBU R 128 uses it), with the
 * sample peak and RMS level of the same signal: offline analysis, run in a
 * Worker over a whole recording. Realtime-safe all the same (no allocation,
 * no waits, loops bounded by frames * channels); one thread at a time.
 *
 * - K-weighting: BS.1770's high-frequency shelf and RLB high-pass biquads,
 *   in double precision. Their 48 kHz coefficients are re-derived for other
 *   sample rates through the bilinear transform, as libebur128 and
 *   pyloudnorm do.
 * - Gating blocks of 400 ms every 100 ms (75 % overlap); only complete blocks
 *   count. Block loudness: -0.691 + 10 log10(sum_i G_i z_i), with z_i the
 *   mean square of channel i and G_i its weight.
 * - Absolute gate -70 LUFS, then a relative gate 10 LU below the loudness of
 *   the blocks that passed the absolute gate.
 * - Memory stays bounded for any duration: a block above the absolute gate
 *   is added to a histogram of 0.01 LU bins that keeps each bin's block
 *   count and exact energy sum, so the averages are exact; only the relative
 *   gate is decided per bin, which can count a block within 0.005 LU of the
 *   gate on the wrong side of it.
 */

/** Gating block length and hop (75 % overlap). */
#define RL_LOUDNESS_BLOCK_MS 400.0
#define RL_LOUDNESS_HOP_MS 100.0
/** Absolute gate, LUFS: blocks at or below it are ignored. */
#define RL_LOUDNESS_ABSOLUTE_GATE_LUFS (-70.0)
/** Relative gate, LU below the absolute-gated loudness. */
#define RL_LOUDNESS_RELATIVE_GATE_LU (-10.0)
/** Histogram of block loudness: bins of 0.01 LU from -70 LUFS; the top bin
 *  also takes every louder block (+30 LUFS and up). */
#define RL_LOUDNESS_HISTOGRAM_BINS 10000u
#define RL_LOUDNESS_HISTOGRAM_BIN_LU 0.01
/** The shelf's corner (about 1.68 kHz) must lie below Nyquist. */
#define RL_LOUDNESS_MIN_SAMPLE_RATE 8000.0
#define RL_LOUDNESS_MAX_SAMPLE_RATE RL_DSP_MAX_SAMPLE_RATE
/** BS.1770's weight for the surround channels. */
#define RL_LOUDNESS_SURROUND_WEIGHT 1.41

typedef struct rl_loudness rl_loudness; /* lives at the start of its heap block */

typedef struct rl_loudness_config {
    uint32_t channels;  /* 1 .. RL_DSP_MAX_CHANNELS */
    double sample_rate; /* RL_LOUDNESS_MIN_SAMPLE_RATE .. RL_LOUDNESS_MAX_SAMPLE_RATE */
    /** G_i, finite and >= 0. rl_loudness_config_init fills BS.1770's weights
     *  for the Web Audio channel order: 1.0 for every channel, except quad
     *  (L R SL SR) 1, 1, 1.41, 1.41 and 5.1 (L R C LFE SL SR) 1, 1, 1, 0,
     *  1.41, 1.41 (the LFE is not measured). */
    double channel_weights[RL_DSP_MAX_CHANNELS];
} rl_loudness_config;

rl_loudness_config rl_loudness_config_init(uint32_t channels, double sample_rate);

/** About 160 KiB for the histogram plus 64 bytes a channel, whatever the duration. */
rl_result rl_loudness_get_heap_size(const rl_loudness_config* config, size_t* heap_size);

/** `heap` must be 64-byte aligned and hold rl_loudness_get_heap_size() bytes. */
rl_result rl_loudness_init_preallocated(const rl_loudness_config* config, void* heap,
                                        size_t heap_size, rl_loudness** loudness);

void rl_loudness_uninit(rl_loudness* loudness);

/** Forgets everything measured: filter state, blocks, peak and RMS. */
void rl_loudness_reset(rl_loudness* loudness);

/**
 * Measures `frames` (1 or more: any length, not only a quantum) of planar
 * audio with exactly the configured channel count; never modifies it.
 * Non-finite samples count as 0. Calls may split the signal anywhere: the
 * result is that of one call over all of it, up to the rounding of sums
 * taken in another order. RL_INVALID_ARGS for a
 * null pointer, a channel count other than the configured one or 0 frames.
 */
rl_result rl_loudness_process(rl_loudness* loudness, const float* const* planar, uint32_t channels,
                              uint32_t frames);

/**
 * Gated integrated loudness in LUFS of everything measured since init or
 * reset; -infinity when no complete block passed the absolute gate (silence,
 * or less than 400 ms); NaN for a null or uninitialised object.
 */
double rl_loudness_integrated(const rl_loudness* loudness);

/** Complete 400 ms blocks measured (passed the absolute gate or not). */
uint64_t rl_loudness_blocks(const rl_loudness* loudness);

/** Frames measured. */
uint64_t rl_loudness_frames(const rl_loudness* loudness);

/** Largest |sample| over every channel (linear; 0 before any audio). */
double rl_loudness_sample_peak(const rl_loudness* loudness);

/** Mean of x^2 over every sample of every channel, unweighted (0 before any audio). */
double rl_loudness_mean_square(const rl_loudness* loudness);

/**
 * BS.1770's K-weighting biquads at `sample_rate`: the shelf, then the
 * high-pass. RL_INVALID_ARGS outside the loudness sample-rate range. Any thread.
 */
rl_result rl_loudness_k_weighting(double sample_rate, rl_biquad_coeffs* shelf,
                                  rl_biquad_coeffs* highpass);

/* ======================================================================== */
/* End of Loudness                                                          */
/* ======================================================================== */

/* ======================================================================== */
/* Resampler                                                                */
/* ======================================================================== */
/*
 * Band-limited sample-rate conversion with varispeed: a source node's ring
 * holds frames at the producer's rate, and this converts them to the
 * context's rate on the audio thread; renderOffline's workers run a
 * standalone one after the chain (RL_RESAMPLER_START_ALIGNED, the tail
 * played with rl_resampler_end_input) to deliver another rate. Any input
 * rate to any output rate (RL_RESAMPLER_MIN_RATE .. RL_RESAMPLER_MAX_RATE
 * both ways), times a speed of 0.25 .. 4 that may
 * change per call or per frame (AudioBufferSourceNode.playbackRate's
 * meaning: 2 plays twice as fast, an octave up).
 *
 * The filter: one Kaiser-windowed sinc (beta 15, RL_RESAMPLER_TAPS taps on
 * the lower rate's grid, cutoff 0.475 of the lower rate), passband flat to
 * 0.45 and stopband from 0.5 of the lower rate, so nothing aliases into the
 * output and no image survives. Its coefficients for a fractional position
 * come from a table of RL_RESAMPLER_PHASES cubic segments per sample period,
 * evaluated in float with four lanes at a time. Let step = speed *
 * input_rate / output_rate, the input frames per output frame:
 * - step <= 1 (interpolating): each output frame is a dot product of the
 *   taps with the input around its position (the filter on the input grid).
 * - step > 1 (decimating): each input frame is added, scaled by 1 / step,
 *   into the output frames around it (the transposed form, the filter on the
 *   output grid), so the cutoff follows the output rate as the speed moves.
 * The form follows the step. Between frames the warp is a monotone cubic
 * through the positions, so a gliding speed adds no error. A switch splices
 * over 64 frames: the signal on one side is carried by output-grid samples
 * of the interpolating form, on the other by the input frames, each faded
 * by a smooth curve, so a jump in the speed hands over without a click. The
 * decimating form is entered only when the step stays above 1 for 129
 * frames (until then the interpolating form carries on; it only aliases
 * what lies above the output's Nyquist frequency), so its splices never
 * overlap and a speed that jitters across 1 costs no more than one that
 * crosses once.
 *
 * Work per call, in multiply-adds: RL_RESAMPLER_TAPS * (3 + channels) per
 * output frame (interpolating) or per input frame (decimating), so about
 * frames * max(1, step) * RL_RESAMPLER_TAPS * (3 + channels); plus, at most
 * once per 225 frames, a switch in and out costing 2 * 160 interpolated
 * samples. rl_resampler_work() counts them.
 *
 * Timing: the frame heard at an output frame is its position, P. P starts
 * where rl_resampler_reset puts it and advances by step each frame. A speed
 * given for the frame a call is producing moves P only
 * RL_RESAMPLER_SPEED_DELAY_FRAMES frames later: the transposed form must
 * place an input frame before the output frames it touches are due, so it
 * must know the steps that far ahead. Input frames are pulled only when an
 * output needs them: H = RL_RESAMPLER_TAPS / 2 frames ahead of P while
 * interpolating, P + H * step while decimating. rl_resampler_latency() and
 * rl_resampler_lookahead() report the current figures.
 *
 * Rules for process, reset and the accessors (the audio thread's calls):
 * realtime-safe, no allocation, no locks, no waits; loops bounded as above.
 * Non-finite input samples become 0; the output never holds NaN, Inf or
 * subnormals. A rejected call returns its code and changes nothing.
 */

#define RL_RESAMPLER_MIN_RATE 8000.0
#define RL_RESAMPLER_MAX_RATE 384000.0
#define RL_RESAMPLER_MIN_SPEED 0.25
#define RL_RESAMPLER_MAX_SPEED 4.0
#define RL_RESAMPLER_MAX_CHANNELS 32u
/** Filter length, in samples of the lower rate (even). */
#define RL_RESAMPLER_TAPS 192u
/** Cubic table segments per sample period of the filter. */
#define RL_RESAMPLER_PHASES 32u
/** Passband edge and stopband start, as fractions of the lower rate. */
#define RL_RESAMPLER_PASSBAND 0.45
#define RL_RESAMPLER_STOPBAND 0.5
/** Frames between a call's speed value and the frame it moves. */
#define RL_RESAMPLER_SPEED_DELAY_FRAMES 162u
/** A single speed value per call (a constant) is reached by a linear ramp this long. */
#define RL_RESAMPLER_SPEED_RAMP_MS 5.0
/** RL_RESAMPLER_START_DIRECT: the raw frames fade into the filtered ones over this many. */
#define RL_RESAMPLER_CROSSFADE_FRAMES 64u
/** Input-rate changes (rl_resampler_set_input_rate) a resampler holds before the trajectory reaches
 * them. */
#define RL_RESAMPLER_RATE_CHANGES 8u

/* rl_resampler (declared with the node) lives at the start of its heap block. */

typedef struct rl_resampler_config {
    uint32_t channels;  /* 1 .. RL_RESAMPLER_MAX_CHANNELS */
    double input_rate;  /* RL_RESAMPLER_MIN_RATE .. RL_RESAMPLER_MAX_RATE */
    double output_rate; /* likewise */
    /** Speeds are clamped to RL_RESAMPLER_MIN_SPEED .. max_speed (1 .. 4;
     *  rl_resampler_config_init sets 4). It sizes the input buffer. */
    double max_speed;
    /** The highest input rate rl_resampler_set_input_rate may set (0, the
     *  default: input_rate, so the rate never rises; otherwise input_rate ..
     *  RL_RESAMPLER_MAX_RATE). It sizes the input buffer too. */
    double max_input_rate;
} rl_resampler_config;

rl_resampler_config rl_resampler_config_init(uint32_t channels, double input_rate,
                                             double output_rate);

/**
 * Bytes for the coefficient table (RL_RESAMPLER_PHASES * RL_RESAMPLER_TAPS *
 * 16: 96 KiB), the trajectory and its speeds (64 KiB) and, per channel, an
 * input buffer of (RL_RESAMPLER_TAPS + 2) * max(1, max_speed * max(input_rate,
 * max_input_rate) / output_rate) + 1,232 floats and five accumulator planes of
 * RL_MAX_QUANTUM_FRAMES + RL_RESAMPLER_TAPS + 64 floats: 227.5 KiB in all
 * for stereo at 44.1 -> 48 kHz.
 */
rl_result rl_resampler_get_heap_size(const rl_resampler_config* config, size_t* heap_size);

/**
 * `heap` must be 64-byte aligned and hold rl_resampler_get_heap_size()
 * bytes. Builds the coefficient table: not realtime (about a millisecond
 * natively), no allocation. Starts as rl_resampler_reset(rs,
 * RL_RESAMPLER_START_SILENT, 1).
 */
rl_result rl_resampler_init_preallocated(const rl_resampler_config* config, void* heap,
                                         size_t heap_size, rl_resampler** resampler);

void rl_resampler_uninit(rl_resampler* resampler);

typedef enum rl_resampler_start {
    /** Silence before the first input frame: P starts at -lookahead, so the
     *  first frame pulled is heard rl_resampler_latency() frames later, and
     *  the first output needs only about one step of input. */
    RL_RESAMPLER_START_SILENT = 0,
    /** Silence before the first input frame, and P starts at 0: the first
     *  output is input frame 0 (offline conversion without a delay); it
     *  needs the lookahead pulled at once. */
    RL_RESAMPLER_START_ALIGNED = 1,
    /** Input rate equal to the output rate, at speed 1: continues a stream
     *  that was copied straight through until now. The first H frames are
     *  copied bit for bit (the history fills), the next
     *  RL_RESAMPLER_CROSSFADE_FRAMES fade into the filtered signal (pulling
     *  the lookahead), and a speed given now moves P only after
     *  RL_RESAMPLER_SPEED_DELAY_FRAMES, so nothing jumps. */
    RL_RESAMPLER_START_DIRECT = 2
} rl_resampler_start;

/**
 * Forgets the input held (the frames pulled and not yet heard are dropped)
 * and starts over as `start` says, at `speed` from the first frame: 0 keeps
 * the current speed (a ramp in progress ends at its target), otherwise
 * RL_RESAMPLER_MIN_SPEED .. max_speed. RL_RESAMPLER_START_DIRECT needs equal
 * rates and a speed of 0 or 1, and starts at 1. RL_INVALID_ARGS otherwise,
 * changing nothing.
 */
rl_result rl_resampler_reset(rl_resampler* resampler, rl_resampler_start start, double speed);

/**
 * rl_resampler_reset, with the input from the reset on at `input_rate` Hz
 * (RL_RESAMPLER_MIN_RATE .. the config's max_input_rate; changes waiting for
 * frames not yet pulled still follow). RL_INVALID_ARGS otherwise, changing
 * nothing.
 */
rl_result rl_resampler_reset_rate(rl_resampler* resampler, rl_resampler_start start, double speed,
                                  double input_rate);

/**
 * Supplies up to `frames` input frames into `planar` (one pointer per
 * channel) and returns how many it wrote. Fewer than asked means no more
 * input for now: the call ends there. Setting *ended nonzero says the input
 * has ended after the frames written: the resampler then pads with silence
 * until the last frame's filter tail has played, and never pulls again
 * until a reset. Called from rl_resampler_process, on its thread; it must
 * be realtime-safe too.
 */
typedef uint32_t (*rl_resampler_pull)(void* user, float* const* planar, uint32_t frames,
                                      int* ended);

/**
 * Produces up to `frames` (1 .. RL_MAX_QUANTUM_FRAMES) output frames into
 * `out` (one pointer per channel, `frames` floats each), pulling input as
 * it needs it. *frames_out says how many it produced: fewer than `frames`
 * when the pull ran short (the rest of `out` is untouched; P did not move
 * past them and their speed values are dropped) or when the input has
 * ended and its tail has played.
 *
 * Speeds: `speed_count` 0 keeps the last speed (and any ramp), 1 is a
 * constant reached by a RL_RESAMPLER_SPEED_RAMP_MS linear ramp, `frames`
 * gives one per frame, applied exactly. Each is clamped to
 * RL_RESAMPLER_MIN_SPEED .. max_speed; a non-finite one counts as the last.
 *
 * RL_OK; RL_CLOSED once the input has ended and every output frame it
 * makes has been produced (*frames_out < frames then); RL_INVALID_ARGS for
 * a null pointer, 0 or too many frames, or a wrong speed count;
 * RL_INVALID_STATE for a block that holds no initialised resampler.
 */
rl_result rl_resampler_process(rl_resampler* resampler, float* const* out, uint32_t frames,
                               const float* speeds, uint32_t speed_count, rl_resampler_pull pull,
                               void* user, uint32_t* frames_out);

/**
 * rl_resampler_process over an input array: pulls from `in` (`in_frames`
 * frames a channel, 0 allowed), reports the frames it took in *in_used and
 * the frames it made in *out_made. Input it did not take is for the next
 * call. For offline conversion: loop until the input is used up, then call
 * rl_resampler_end_input and loop until RL_CLOSED to play the tail.
 */
rl_result rl_resampler_process_buffers(rl_resampler* resampler, const float* const* in,
                                       uint32_t in_frames, uint32_t* in_used, float* const* out,
                                       uint32_t out_frames, uint32_t* out_made, const float* speeds,
                                       uint32_t speed_count);

/** Marks the input ended after the frames pulled so far (as *ended does). */
rl_result rl_resampler_end_input(rl_resampler* resampler);

/**
 * The input changes rate: from input frame F = (frames pulled since the
 * reset) + `ahead` on, it runs at `input_rate` Hz, so the step becomes
 * speed * input_rate / output_rate there. The output frame whose step
 * reaches F is split at F: the time left of it after F runs at the new
 * step, so F is heard at the exact output time its predecessors put it at
 * (gapless, to within the filter's accuracy: outputs whose filter spans F
 * interpolate across the join, as they would across any edit). `ahead` may
 * be negative (a frame already pulled) as long as the trajectory has not
 * reached it: the trajectory is known RL_RESAMPLER_SPEED_DELAY_FRAMES
 * output frames ahead, and a change it has already passed takes effect
 * where it ends (that many frames late). Up to RL_RESAMPLER_RATE_CHANGES
 * changes wait at once, in the order of their frames (one before a waiting
 * one is moved to it). rl_resampler_reset keeps the ones for frames not yet
 * pulled and applies the others. Audio thread; realtime-safe, O(1).
 * @retval RL_OK the change is queued
 * @retval RL_QUEUE_FULL RL_RESAMPLER_RATE_CHANGES changes wait; nothing changed
 * @retval RL_INVALID_ARGS a rate outside RL_RESAMPLER_MIN_RATE .. the config's max_input_rate
 * @retval RL_INVALID_STATE no initialised resampler
 */
rl_result rl_resampler_set_input_rate(rl_resampler* resampler, double input_rate, int64_t ahead);

/** The input rate in effect at the frame heard next, in Hz. NaN without a resampler. */
double rl_resampler_input_rate(const rl_resampler* resampler);

/** Input-rate changes waiting (0 .. RL_RESAMPLER_RATE_CHANGES). */
uint32_t rl_resampler_rate_changes(const rl_resampler* resampler);

/**
 * Output frames between pulling an input frame and hearing it, at the
 * current step: H / step while interpolating, about H while decimating (for
 * 44.1 kHz -> 48 kHz at speed 1, 96 / 0.91875 = 104.5). 0 during a direct
 * start's copied frames. NaN for a null or uninitialised resampler.
 */
double rl_resampler_latency(const rl_resampler* resampler);

/** Input frames pulled and not yet heard (P's distance to the input's end;
 *  once the input has ended, to its last frame, and never below 0). */
double rl_resampler_lookahead(const rl_resampler* resampler);

/** P: the input frame (fractional, counted from the reset) the next output hears. */
double rl_resampler_position(const rl_resampler* resampler);

/** The speed of the newest frame of the trajectory (the last one given, ramped). */
double rl_resampler_speed(const rl_resampler* resampler);

/** Multiply-adds done since init: a cost meter for tests and benchmarks. */
uint64_t rl_resampler_work(const rl_resampler* resampler);

/* ======================================================================== */
/* End of Resampler                                                         */
/* ======================================================================== */

#ifdef __cplusplus
}
#endif

#endif /* RINGLET_H */
