/*
 * The WebAssembly surface: flat functions with plain integer arguments, so
 * JavaScript can call the core without emscripten glue. Only built for wasm.
 *
 * Memory plan of one node's shared WebAssembly.Memory:
 *   [0, __heap_base)          static data and the 32 KiB stack of this instance
 *   [node_base, +heap size)   the rl_node (stats, planar buffers, ring)
 * node_base is __heap_base rounded up to 64 bytes. The memory is created by the
 * main thread at exactly the size it needs and never grows.
 *
 * Every export is this file's own function, named rlw_ (the binding's
 * prefix) and exported under that same name, so a JavaScript call names the
 * function it runs. The signatures are the binding's, not the C API's: the
 * rlw_ functions without a module name (rlw_init, rlw_input, rlw_process,
 * ...) act on the instance's one node at node_base and take no node
 * argument; the rlw_ring_, rlw_spectrum_, rlw_resampler_ and rlw_loudness_
 * ones take the address of the object they act on. Each says which rl_
 * function it wraps where that is not the obvious one.
 */
#include "internal.h"

#define RLW_EXPORT(name) __attribute__((export_name(#name)))

extern unsigned char __heap_base;

static uintptr_t rlw_node_base(void) {
    return ((uintptr_t)&__heap_base + 63u) & ~(uintptr_t)63u;
}

RLW_EXPORT(rlw_version)
const char* rlw_version(void) {
    return rl_version_string();
}

RLW_EXPORT(rlw_result_string)
const char* rlw_result_string(int result) {
    return rl_result_string((rl_result)result);
}

/* Offset where a node or a standalone ring starts in this instance's memory:
 * __heap_base rounded up to 64 bytes. */
RLW_EXPORT(rlw_heap_base)
uint32_t rlw_heap_base(void) {
    return (uint32_t)rlw_node_base();
}

/* Layout constants by index. scripts/gen-constants.mjs reads this table for
 * LAYOUT's keys and order, and a test proves the generated LAYOUT agrees. */
RLW_EXPORT(rlw_layout)
uint32_t rlw_layout(uint32_t which) {
    static const uint32_t values[] = {
        RL_RING_MAGIC,
        RL_RING_LAYOUT_VERSION,
        RL_RING_OFFSET_MAGIC,
        RL_RING_OFFSET_LAYOUT_VERSION,
        RL_RING_OFFSET_CHANNELS,
        RL_RING_OFFSET_CAPACITY,
        RL_RING_OFFSET_DATA,
        RL_RING_OFFSET_WRITE_INDEX,
        RL_RING_OFFSET_READ_INDEX,
        RL_RING_OFFSET_CLOSED,
        RL_RING_OFFSET_WRITER_WAITING,
        RL_RING_OFFSET_READER_WAITING,
        RL_RING_OFFSET_UNDERRUNS,
        RL_RING_OFFSET_OVERRUNS,
        RL_RING_HEADER_BYTES,
        RL_RING_MIN_CHANNELS,
        RL_RING_MAX_CHANNELS,
        RL_RING_MIN_CAPACITY,
        RL_RING_MAX_CAPACITY,
        RL_RING_MAX_DATA_BYTES,
        RL_MAX_QUANTUM_FRAMES,
        RL_STATS_OFFSET_FRAMES_PROCESSED,
        RL_STATS_OFFSET_QUANTA,
        RL_STATS_OFFSET_SILENT_FRAMES,
        RL_STATS_OFFSET_LATENCY_FRAMES,
        RL_STATS_OFFSET_LOOKAHEAD_FRAMES,
        RL_STATS_BYTES,
        RL_PARAMS_CAPACITY,
        RL_PARAMS_OFFSET_WRITE_INDEX,
        RL_PARAMS_OFFSET_READ_INDEX,
        RL_PARAMS_OFFSET_REJECTED,
        RL_PARAMS_OFFSET_MESSAGES,
        RL_PARAMS_MESSAGE_BYTES,
        RL_PARAMS_BYTES,
        RL_METER_OFFSET_PEAK,
        RL_METER_OFFSET_RMS,
        RL_METER_OFFSET_CLIPS,
        RL_METER_CHANNEL_BYTES,
        RL_TIMEBUF_OFFSET_WRITE_INDEX,
        RL_TIMEBUF_OFFSET_CAPACITY,
        RL_TIMEBUF_OFFSET_DATA,
        RL_TIMEBUF_DEFAULT_CAPACITY,
        RL_SPECTRUM_MIN_FFT_SIZE,
        RL_SPECTRUM_MAX_FFT_SIZE,
        RL_EQ_DEFAULT_BANDS,
        RL_RING_OFFSET_RATE_MARKS_ON,
        RL_RING_OFFSET_MARKS_WRITTEN,
        RL_RING_OFFSET_MARKS_TAKEN,
        RL_RING_OFFSET_MARKS,
        RL_RING_RATE_MARKS,
        RL_RING_RATE_MARK_BYTES,
        RL_STATS_OFFSET_HEARD_FRAMES,
    };
    return which < sizeof(values) / sizeof(values[0]) ? values[which] : 0xFFFFFFFFu;
}

/* Returns the heap bytes a node needs, or 0 for an invalid configuration. */
RLW_EXPORT(rlw_heap_size)
uint32_t rlw_heap_size(uint32_t mode, uint32_t channels, uint32_t capacity, double sample_rate) {
    rl_node_config c = rl_node_config_init((rl_mode)mode, channels, capacity);
    size_t size = 0;
#ifdef RL_TEST_HOOKS
    rl_test_trap_if_armed("forced trap inside rlw_heap_size (RL_TEST_HOOKS build)");
#endif
    c.sample_rate = sample_rate;
    return rl_node_get_heap_size(&c, &size) == RL_OK ? (uint32_t)size : 0u;
}

/* Initialises the node at the heap base; returns an rl_result. */
RLW_EXPORT(rlw_init)
int rlw_init(uint32_t mode, uint32_t channels, uint32_t capacity, double sample_rate,
             uint32_t heap_bytes) {
    rl_node_config c = rl_node_config_init((rl_mode)mode, channels, capacity);
    rl_node* node = NULL;
    c.sample_rate = sample_rate;
    return (int)rl_node_init_preallocated(&c, (void*)rlw_node_base(), heap_bytes, &node);
}

static rl_node* rlw_node(void) {
    return (rl_node*)rlw_node_base();
}

/* A node whose ring runs at `input_rate` (0: the context's), with
 * playback-rate values when `varispeed` is nonzero (rl_node_config). The
 * heap bytes it needs, or 0 for an invalid configuration. */
RLW_EXPORT(rlw_heap_size_rate)
uint32_t rlw_heap_size_rate(uint32_t mode, uint32_t channels, uint32_t capacity, double sample_rate,
                            double input_rate, uint32_t varispeed) {
    rl_node_config c = rl_node_config_init((rl_mode)mode, channels, capacity);
    size_t size = 0;
    c.sample_rate = sample_rate;
    c.input_rate = input_rate;
    c.varispeed = varispeed;
    return rl_node_get_heap_size(&c, &size) == RL_OK ? (uint32_t)size : 0u;
}

/* rlw_init with an input rate and varispeed; returns an rl_result. */
RLW_EXPORT(rlw_init_rate)
int rlw_init_rate(uint32_t mode, uint32_t channels, uint32_t capacity, double sample_rate,
                  double input_rate, uint32_t varispeed, uint32_t heap_bytes) {
    rl_node_config c = rl_node_config_init((rl_mode)mode, channels, capacity);
    rl_node* node = NULL;
    c.sample_rate = sample_rate;
    c.input_rate = input_rate;
    c.varispeed = varispeed;
    return (int)rl_node_init_preallocated(&c, (void*)rlw_node_base(), heap_bytes, &node);
}

RLW_EXPORT(rlw_input)
uint32_t rlw_input(uint32_t channel) {
    return (uint32_t)(uintptr_t)rl_node_input(rlw_node(), channel);
}

RLW_EXPORT(rlw_output)
uint32_t rlw_output(uint32_t channel) {
    return (uint32_t)(uintptr_t)rl_node_output(rlw_node(), channel);
}

/* The node's own ring (rl_node_ring), not a standalone one. */
RLW_EXPORT(rlw_ring)
uint32_t rlw_ring(void) {
    return (uint32_t)(uintptr_t)rl_node_ring(rlw_node());
}

RLW_EXPORT(rlw_stats)
uint32_t rlw_stats(void) {
    return (uint32_t)(uintptr_t)rl_node_stats(rlw_node());
}

/* One quantum with the gain values the caller copied to rlw_gain_values()
 * (rl_node_process_gain); returns an rl_result. */
RLW_EXPORT(rlw_process)
int rlw_process(uint32_t frames, uint32_t gain_value_count) {
    return (int)rl_node_process_gain(rlw_node(), frames, gain_value_count);
}

/* rlw_process with the playbackRate values the caller copied to
 * rlw_playback_rate_values() (0, 1 or `frames` of them):
 * rl_node_process_audio_params. */
RLW_EXPORT(rlw_process_rate)
int rlw_process_rate(uint32_t frames, uint32_t gain_value_count,
                     uint32_t playback_rate_value_count) {
    return (int)rl_node_process_audio_params(rlw_node(), frames, gain_value_count,
                                             playback_rate_value_count);
}

RLW_EXPORT(rlw_playback_rate_values)
uint32_t rlw_playback_rate_values(void) {
    return (uint32_t)(uintptr_t)rl_node_playback_rate_values(rlw_node());
}

RLW_EXPORT(rlw_params)
uint32_t rlw_params(void) {
    return (uint32_t)(uintptr_t)rl_node_params(rlw_node());
}

RLW_EXPORT(rlw_gain_values)
uint32_t rlw_gain_values(void) {
    return (uint32_t)(uintptr_t)rl_node_gain_values(rlw_node());
}

RLW_EXPORT(rlw_meters)
uint32_t rlw_meters(void) {
    return (uint32_t)(uintptr_t)rl_node_meters(rlw_node());
}

RLW_EXPORT(rlw_timebuf)
uint32_t rlw_timebuf(void) {
    return (uint32_t)(uintptr_t)rl_node_timebuf(rlw_node());
}

RLW_EXPORT(rlw_uninit)
void rlw_uninit(void) {
    rl_node_uninit(rlw_node());
}

/* Standalone rings, for tests and Workers that own a ring without a node. */
RLW_EXPORT(rlw_ring_heap_size)
uint32_t rlw_ring_heap_size(uint32_t channels, uint32_t capacity) {
    rl_ring_config c = rl_ring_config_init(channels, capacity);
    size_t size = 0;
    return rl_ring_get_heap_size(&c, &size) == RL_OK ? (uint32_t)size : 0u;
}

RLW_EXPORT(rlw_ring_init)
int rlw_ring_init(uint32_t address, uint32_t channels, uint32_t capacity, uint32_t bytes) {
    rl_ring_config c = rl_ring_config_init(channels, capacity);
    rl_ring* ring = NULL;
    return (int)rl_ring_init_preallocated(&c, (void*)(uintptr_t)address, bytes, &ring);
}

/* Reads up to `frames` interleaved frames to `dst`; returns frames moved, or
 * a negative rl_result (RL_CLOSED once closed and drained). */
RLW_EXPORT(rlw_ring_read)
int rlw_ring_read(uint32_t ring, uint32_t dst, uint32_t frames) {
    uint32_t moved = 0;
    rl_result r = rl_ring_read((rl_ring*)(uintptr_t)ring, (float*)(uintptr_t)dst, frames, &moved);
    return r == RL_OK ? (int)moved : (int)r;
}

RLW_EXPORT(rlw_ring_write)
int rlw_ring_write(uint32_t ring, uint32_t src, uint32_t frames) {
    uint32_t moved = 0;
    rl_result r =
        rl_ring_write((rl_ring*)(uintptr_t)ring, (const float*)(uintptr_t)src, frames, &moved);
    return r == RL_OK ? (int)moved : (int)r;
}

/* Reads into `count` planar buffers whose addresses are stored at `planes`. */
RLW_EXPORT(rlw_ring_read_planar)
int rlw_ring_read_planar(uint32_t ring, uint32_t planes, uint32_t frames) {
    uint32_t moved = 0;
    rl_result r = rl_ring_read_planar((rl_ring*)(uintptr_t)ring, (float* const*)(uintptr_t)planes,
                                      frames, &moved);
    return r == RL_OK ? (int)moved : (int)r;
}

/* Writes from `count` planar buffers whose addresses are stored at `planes`. */
RLW_EXPORT(rlw_ring_write_planar)
int rlw_ring_write_planar(uint32_t ring, uint32_t planes, uint32_t frames) {
    uint32_t moved = 0;
    rl_result r = rl_ring_write_planar((rl_ring*)(uintptr_t)ring,
                                       (const float* const*)(uintptr_t)planes, frames, &moved);
    return r == RL_OK ? (int)moved : (int)r;
}

RLW_EXPORT(rlw_ring_available_read)
uint32_t rlw_ring_available_read(uint32_t ring) {
    return rl_ring_available_read((const rl_ring*)(uintptr_t)ring);
}

RLW_EXPORT(rlw_ring_close)
void rlw_ring_close(uint32_t ring) {
    rl_ring_close((rl_ring*)(uintptr_t)ring);
}

/* The analysis half of the analyser, for an instance on a private memory (the
 * main thread's): a spectrum at `address`, fed the latest samples it copied. */
RLW_EXPORT(rlw_spectrum_heap_size)
uint32_t rlw_spectrum_heap_size(uint32_t fft_size) {
    rl_spectrum_config c = rl_spectrum_config_init(fft_size);
    size_t size = 0;
    return rl_spectrum_get_heap_size(&c, &size) == RL_OK ? (uint32_t)size : 0u;
}

RLW_EXPORT(rlw_spectrum_init)
int rlw_spectrum_init(uint32_t address, uint32_t fft_size, uint32_t bytes) {
    rl_spectrum_config c = rl_spectrum_config_init(fft_size);
    rl_spectrum* spectrum = NULL;
    return (int)rl_spectrum_init_preallocated(&c, (void*)(uintptr_t)address, bytes, &spectrum);
}

RLW_EXPORT(rlw_spectrum_float)
int rlw_spectrum_float(uint32_t spectrum, uint32_t time, double smoothing, uint32_t out) {
#ifdef RL_TEST_HOOKS
    rl_test_trap_if_armed("forced trap inside rlw_spectrum_float (RL_TEST_HOOKS build)");
#endif
    return (int)rl_spectrum_float_frequency((rl_spectrum*)(uintptr_t)spectrum,
                                            (const float*)(uintptr_t)time, smoothing,
                                            (float*)(uintptr_t)out);
}

RLW_EXPORT(rlw_spectrum_byte)
int rlw_spectrum_byte(uint32_t spectrum, uint32_t time, double smoothing, double min_db,
                      double max_db, uint32_t out) {
#ifdef RL_TEST_HOOKS
    rl_test_trap_if_armed("forced trap inside rlw_spectrum_byte (RL_TEST_HOOKS build)");
#endif
    return (int)rl_spectrum_byte_frequency((rl_spectrum*)(uintptr_t)spectrum,
                                           (const float*)(uintptr_t)time, smoothing, min_db, max_db,
                                           (uint8_t*)(uintptr_t)out);
}

RLW_EXPORT(rlw_spectrum_reset)
void rlw_spectrum_reset(uint32_t spectrum) {
    rl_spectrum_reset((rl_spectrum*)(uintptr_t)spectrum);
}

/* ---- Standalone resampler (offline conversion, tests) ---------------------
 * For an instance on a private memory: a resampler at `address`, fed planar
 * input whose plane addresses are stored at `in_planes` and writing to the
 * planes at `out_planes`. */
RLW_EXPORT(rlw_resampler_heap_size)
uint32_t rlw_resampler_heap_size(uint32_t channels, double input_rate, double output_rate,
                                 double max_speed) {
    rl_resampler_config c = rl_resampler_config_init(channels, input_rate, output_rate);
    size_t size = 0;
    c.max_speed = max_speed;
    return rl_resampler_get_heap_size(&c, &size) == RL_OK ? (uint32_t)size : 0u;
}

RLW_EXPORT(rlw_resampler_init)
int rlw_resampler_init(uint32_t address, uint32_t channels, double input_rate, double output_rate,
                       double max_speed, uint32_t bytes) {
    rl_resampler_config c = rl_resampler_config_init(channels, input_rate, output_rate);
    rl_resampler* resampler = NULL;
    c.max_speed = max_speed;
    return (int)rl_resampler_init_preallocated(&c, (void*)(uintptr_t)address, bytes, &resampler);
}

RLW_EXPORT(rlw_resampler_reset)
int rlw_resampler_reset(uint32_t address, uint32_t start, double speed) {
    return (int)rl_resampler_reset((rl_resampler*)(uintptr_t)address, (rl_resampler_start)start,
                                   speed);
}

/* rl_resampler_process_buffers; the frames used and made go to the two
 * uint32 at `counts`. Returns an rl_result. */
RLW_EXPORT(rlw_resampler_process)
int rlw_resampler_process(uint32_t address, uint32_t in_planes, uint32_t in_frames,
                          uint32_t out_planes, uint32_t out_frames, uint32_t speeds,
                          uint32_t speed_count, uint32_t counts) {
    uint32_t* n = (uint32_t*)(uintptr_t)counts;
    return (int)rl_resampler_process_buffers(
        (rl_resampler*)(uintptr_t)address, (const float* const*)(uintptr_t)in_planes, in_frames,
        &n[0], (float* const*)(uintptr_t)out_planes, out_frames, &n[1],
        (const float*)(uintptr_t)speeds, speed_count);
}

RLW_EXPORT(rlw_resampler_end_input)
int rlw_resampler_end_input(uint32_t address) {
    return (int)rl_resampler_end_input((rl_resampler*)(uintptr_t)address);
}

RLW_EXPORT(rlw_resampler_latency)
double rlw_resampler_latency(uint32_t address) {
    return rl_resampler_latency((const rl_resampler*)(uintptr_t)address);
}

RLW_EXPORT(rlw_resampler_lookahead)
double rlw_resampler_lookahead(uint32_t address) {
    return rl_resampler_lookahead((const rl_resampler*)(uintptr_t)address);
}

RLW_EXPORT(rlw_resampler_position)
double rlw_resampler_position(uint32_t address) {
    return rl_resampler_position((const rl_resampler*)(uintptr_t)address);
}

#ifdef RL_TEST_HOOKS
/* Test builds only (absent from release): arms a trap inside the next
 * rl_node_process (any rlw_process), rlw_heap_size or rlw_spectrum_float/byte call. The
 * worklet calls this on a 'test:trap' message; main-thread tests call it on
 * the instance they mean to trap. */
RLW_EXPORT(rlw_test_arm_trap)
void rlw_test_arm_trap(void) {
    rl_test_arm_trap();
}
#endif

/* ---- Offline analysis (lib/worker/dsp-tasks.js 'analyze') ------------------------
 * For an instance on a Worker's private memory: a loudness meter at
 * `address`, fed planar audio whose `channels` plane addresses are stored at
 * `planes`, and the averaged power spectrum. */

RLW_EXPORT(rlw_loudness_heap_size)
uint32_t rlw_loudness_heap_size(uint32_t channels, double sample_rate) {
    rl_loudness_config c = rl_loudness_config_init(channels, sample_rate);
    size_t size = 0;
    return rl_loudness_get_heap_size(&c, &size) == RL_OK ? (uint32_t)size : 0u;
}

RLW_EXPORT(rlw_loudness_init)
int rlw_loudness_init(uint32_t address, uint32_t channels, double sample_rate, uint32_t bytes) {
    rl_loudness_config c = rl_loudness_config_init(channels, sample_rate);
    rl_loudness* loudness = NULL;
    return (int)rl_loudness_init_preallocated(&c, (void*)(uintptr_t)address, bytes, &loudness);
}

RLW_EXPORT(rlw_loudness_process)
int rlw_loudness_process(uint32_t address, uint32_t planes, uint32_t channels, uint32_t frames) {
    return (int)rl_loudness_process((rl_loudness*)(uintptr_t)address,
                                    (const float* const*)(uintptr_t)planes, channels, frames);
}

RLW_EXPORT(rlw_loudness_integrated)
double rlw_loudness_integrated(uint32_t address) {
    return rl_loudness_integrated((const rl_loudness*)(uintptr_t)address);
}

RLW_EXPORT(rlw_loudness_sample_peak)
double rlw_loudness_sample_peak(uint32_t address) {
    return rl_loudness_sample_peak((const rl_loudness*)(uintptr_t)address);
}

RLW_EXPORT(rlw_loudness_mean_square)
double rlw_loudness_mean_square(uint32_t address) {
    return rl_loudness_mean_square((const rl_loudness*)(uintptr_t)address);
}

/* rl_spectrum_add_power: one frame's power spectrum added to the
 * fft_size/2 doubles at `sum`. */
RLW_EXPORT(rlw_spectrum_add_power)
int rlw_spectrum_add_power(uint32_t spectrum, uint32_t time, uint32_t sum) {
    return (int)rl_spectrum_add_power((rl_spectrum*)(uintptr_t)spectrum,
                                      (const float*)(uintptr_t)time, (double*)(uintptr_t)sum);
}
/* ---- end of offline analysis ---------------------------------------------- */
