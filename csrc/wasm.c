/*
 * The WebAssembly surface: flat functions with plain integer arguments, so
 * JavaScript can call the core without emscripten glue. Only built for wasm.
 *
 * Memory plan of one node's shared WebAssembly.Memory:
 *   [0, __heap_base)          static data and the 32 KiB stack of this instance
 *   [node_base, +heap size)   the rl_node (stats, planar buffers, ring)
 * node_base is __heap_base rounded up to 64 bytes. The memory is created by the
 * main thread at exactly the size it needs and never grows.
 */
#include "internal.h"

#define RL_EXPORT(name) __attribute__((export_name(#name)))

extern unsigned char __heap_base;

static uintptr_t rl_node_base(void) {
    return ((uintptr_t)&__heap_base + 63u) & ~(uintptr_t)63u;
}

RL_EXPORT(rl_version)
const char* rl_wasm_version(void) {
    return rl_version_string();
}

RL_EXPORT(rl_result_string)
const char* rl_wasm_result_string(int result) {
    return rl_result_string((rl_result)result);
}

/* Offset where a node or a standalone ring starts in this instance's memory. */
RL_EXPORT(rl_heap_base)
uint32_t rl_wasm_heap_base(void) {
    return (uint32_t)rl_node_base();
}

/* Layout constants by index. scripts/gen-constants.mjs reads this table for
 * LAYOUT's keys and order, and a test proves the generated LAYOUT agrees. */
RL_EXPORT(rl_layout)
uint32_t rl_wasm_layout(uint32_t which) {
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
    };
    return which < sizeof(values) / sizeof(values[0]) ? values[which] : 0xFFFFFFFFu;
}

/* Returns the heap bytes a node needs, or 0 for an invalid configuration. */
RL_EXPORT(rl_node_heap_size)
uint32_t rl_wasm_node_heap_size(uint32_t mode, uint32_t channels, uint32_t capacity,
                                double sample_rate) {
    rl_node_config c = rl_node_config_init((rl_mode)mode, channels, capacity);
    size_t size = 0;
#ifdef RL_TEST_HOOKS
    rl_test_trap_if_armed("forced trap inside rl_node_heap_size (RL_TEST_HOOKS build)");
#endif
    c.sample_rate = sample_rate;
    return rl_node_get_heap_size(&c, &size) == RL_OK ? (uint32_t)size : 0u;
}

/* Initialises the node at the heap base; returns an rl_result. */
RL_EXPORT(rl_node_init)
int rl_wasm_node_init(uint32_t mode, uint32_t channels, uint32_t capacity, double sample_rate,
                      uint32_t heap_bytes) {
    rl_node_config c = rl_node_config_init((rl_mode)mode, channels, capacity);
    rl_node* node = NULL;
    c.sample_rate = sample_rate;
    return (int)rl_node_init_preallocated(&c, (void*)rl_node_base(), heap_bytes, &node);
}

static rl_node* rl_wasm_node(void) {
    return (rl_node*)rl_node_base();
}

/* A node whose ring runs at `input_rate` (0: the context's), with
 * playback-rate values when `varispeed` is nonzero (rl_node_config). The
 * heap bytes it needs, or 0 for an invalid configuration. */
RL_EXPORT(rl_node_heap_size_rate)
uint32_t rl_wasm_node_heap_size_rate(uint32_t mode, uint32_t channels, uint32_t capacity,
                                     double sample_rate, double input_rate, uint32_t varispeed) {
    rl_node_config c = rl_node_config_init((rl_mode)mode, channels, capacity);
    size_t size = 0;
    c.sample_rate = sample_rate;
    c.input_rate = input_rate;
    c.varispeed = varispeed;
    return rl_node_get_heap_size(&c, &size) == RL_OK ? (uint32_t)size : 0u;
}

/* rl_node_init with an input rate and varispeed; returns an rl_result. */
RL_EXPORT(rl_node_init_rate)
int rl_wasm_node_init_rate(uint32_t mode, uint32_t channels, uint32_t capacity, double sample_rate,
                           double input_rate, uint32_t varispeed, uint32_t heap_bytes) {
    rl_node_config c = rl_node_config_init((rl_mode)mode, channels, capacity);
    rl_node* node = NULL;
    c.sample_rate = sample_rate;
    c.input_rate = input_rate;
    c.varispeed = varispeed;
    return (int)rl_node_init_preallocated(&c, (void*)rl_node_base(), heap_bytes, &node);
}

RL_EXPORT(rl_node_input)
uint32_t rl_wasm_node_input(uint32_t channel) {
    return (uint32_t)(uintptr_t)rl_node_input(rl_wasm_node(), channel);
}

RL_EXPORT(rl_node_output)
uint32_t rl_wasm_node_output(uint32_t channel) {
    return (uint32_t)(uintptr_t)rl_node_output(rl_wasm_node(), channel);
}

RL_EXPORT(rl_node_ring)
uint32_t rl_wasm_node_ring(void) {
    return (uint32_t)(uintptr_t)rl_node_ring(rl_wasm_node());
}

RL_EXPORT(rl_node_stats)
uint32_t rl_wasm_node_stats(void) {
    return (uint32_t)(uintptr_t)rl_node_stats(rl_wasm_node());
}

RL_EXPORT(rl_node_process)
int rl_wasm_node_process(uint32_t frames, uint32_t gain_value_count) {
    return (int)rl_node_process_gain(rl_wasm_node(), frames, gain_value_count);
}

/* rl_node_process with the playbackRate values the caller copied to
 * rl_node_playback_rate_values() (0, 1 or `frames` of them). */
RL_EXPORT(rl_node_process_rate)
int rl_wasm_node_process_rate(uint32_t frames, uint32_t gain_value_count,
                              uint32_t playback_rate_value_count) {
    return (int)rl_node_process_audio_params(rl_wasm_node(), frames, gain_value_count,
                                             playback_rate_value_count);
}

RL_EXPORT(rl_node_playback_rate_values)
uint32_t rl_wasm_node_playback_rate_values(void) {
    return (uint32_t)(uintptr_t)rl_node_playback_rate_values(rl_wasm_node());
}

RL_EXPORT(rl_node_params)
uint32_t rl_wasm_node_params(void) {
    return (uint32_t)(uintptr_t)rl_node_params(rl_wasm_node());
}

RL_EXPORT(rl_node_gain_values)
uint32_t rl_wasm_node_gain_values(void) {
    return (uint32_t)(uintptr_t)rl_node_gain_values(rl_wasm_node());
}

RL_EXPORT(rl_node_meters)
uint32_t rl_wasm_node_meters(void) {
    return (uint32_t)(uintptr_t)rl_node_meters(rl_wasm_node());
}

RL_EXPORT(rl_node_timebuf)
uint32_t rl_wasm_node_timebuf(void) {
    return (uint32_t)(uintptr_t)rl_node_timebuf(rl_wasm_node());
}

RL_EXPORT(rl_node_uninit)
void rl_wasm_node_uninit(void) {
    rl_node_uninit(rl_wasm_node());
}

/* Standalone rings, for tests and Workers that own a ring without a node. */
RL_EXPORT(rl_ring_heap_size)
uint32_t rl_wasm_ring_heap_size(uint32_t channels, uint32_t capacity) {
    rl_ring_config c = rl_ring_config_init(channels, capacity);
    size_t size = 0;
    return rl_ring_get_heap_size(&c, &size) == RL_OK ? (uint32_t)size : 0u;
}

RL_EXPORT(rl_ring_init)
int rl_wasm_ring_init(uint32_t address, uint32_t channels, uint32_t capacity, uint32_t bytes) {
    rl_ring_config c = rl_ring_config_init(channels, capacity);
    rl_ring* ring = NULL;
    return (int)rl_ring_init_preallocated(&c, (void*)(uintptr_t)address, bytes, &ring);
}

/* Reads up to `frames` interleaved frames to `dst`; returns frames moved, or
 * a negative rl_result (RL_CLOSED once closed and drained). */
RL_EXPORT(rl_ring_read)
int rl_wasm_ring_read(uint32_t ring, uint32_t dst, uint32_t frames) {
    uint32_t moved = 0;
    rl_result r = rl_ring_read((rl_ring*)(uintptr_t)ring, (float*)(uintptr_t)dst, frames, &moved);
    return r == RL_OK ? (int)moved : (int)r;
}

RL_EXPORT(rl_ring_write)
int rl_wasm_ring_write(uint32_t ring, uint32_t src, uint32_t frames) {
    uint32_t moved = 0;
    rl_result r =
        rl_ring_write((rl_ring*)(uintptr_t)ring, (const float*)(uintptr_t)src, frames, &moved);
    return r == RL_OK ? (int)moved : (int)r;
}

/* Reads into `count` planar buffers whose addresses are stored at `planes`. */
RL_EXPORT(rl_ring_read_planar)
int rl_wasm_ring_read_planar(uint32_t ring, uint32_t planes, uint32_t frames) {
    uint32_t moved = 0;
    rl_result r = rl_ring_read_planar((rl_ring*)(uintptr_t)ring, (float* const*)(uintptr_t)planes,
                                      frames, &moved);
    return r == RL_OK ? (int)moved : (int)r;
}

/* Writes from `count` planar buffers whose addresses are stored at `planes`. */
RL_EXPORT(rl_ring_write_planar)
int rl_wasm_ring_write_planar(uint32_t ring, uint32_t planes, uint32_t frames) {
    uint32_t moved = 0;
    rl_result r = rl_ring_write_planar((rl_ring*)(uintptr_t)ring,
                                       (const float* const*)(uintptr_t)planes, frames, &moved);
    return r == RL_OK ? (int)moved : (int)r;
}

RL_EXPORT(rl_ring_available_read)
uint32_t rl_wasm_ring_available_read(uint32_t ring) {
    return rl_ring_available_read((const rl_ring*)(uintptr_t)ring);
}

RL_EXPORT(rl_ring_close)
void rl_wasm_ring_close(uint32_t ring) {
    rl_ring_close((rl_ring*)(uintptr_t)ring);
}

/* The analysis half of the analyser, for an instance on a private memory (the
 * main thread's): a spectrum at `address`, fed the latest samples it copied. */
RL_EXPORT(rl_spectrum_heap_size)
uint32_t rl_wasm_spectrum_heap_size(uint32_t fft_size) {
    rl_spectrum_config c = rl_spectrum_config_init(fft_size);
    size_t size = 0;
    return rl_spectrum_get_heap_size(&c, &size) == RL_OK ? (uint32_t)size : 0u;
}

RL_EXPORT(rl_spectrum_init)
int rl_wasm_spectrum_init(uint32_t address, uint32_t fft_size, uint32_t bytes) {
    rl_spectrum_config c = rl_spectrum_config_init(fft_size);
    rl_spectrum* spectrum = NULL;
    return (int)rl_spectrum_init_preallocated(&c, (void*)(uintptr_t)address, bytes, &spectrum);
}

RL_EXPORT(rl_spectrum_float)
int rl_wasm_spectrum_float(uint32_t spectrum, uint32_t time, double smoothing, uint32_t out) {
#ifdef RL_TEST_HOOKS
    rl_test_trap_if_armed("forced trap inside rl_spectrum_float (RL_TEST_HOOKS build)");
#endif
    return (int)rl_spectrum_float_frequency((rl_spectrum*)(uintptr_t)spectrum,
                                            (const float*)(uintptr_t)time, smoothing,
                                            (float*)(uintptr_t)out);
}

RL_EXPORT(rl_spectrum_byte)
int rl_wasm_spectrum_byte(uint32_t spectrum, uint32_t time, double smoothing, double min_db,
                          double max_db, uint32_t out) {
#ifdef RL_TEST_HOOKS
    rl_test_trap_if_armed("forced trap inside rl_spectrum_byte (RL_TEST_HOOKS build)");
#endif
    return (int)rl_spectrum_byte_frequency((rl_spectrum*)(uintptr_t)spectrum,
                                           (const float*)(uintptr_t)time, smoothing, min_db, max_db,
                                           (uint8_t*)(uintptr_t)out);
}

RL_EXPORT(rl_spectrum_reset)
void rl_wasm_spectrum_reset(uint32_t spectrum) {
    rl_spectrum_reset((rl_spectrum*)(uintptr_t)spectrum);
}

/* ---- Standalone resampler (offline conversion, tests) ---------------------
 * For an instance on a private memory: a resampler at `address`, fed planar
 * input whose plane addresses are stored at `in_planes` and writing to the
 * planes at `out_planes`. */
RL_EXPORT(rl_resampler_heap_size)
uint32_t rl_wasm_resampler_heap_size(uint32_t channels, double input_rate, double output_rate,
                                     double max_speed) {
    rl_resampler_config c = rl_resampler_config_init(channels, input_rate, output_rate);
    size_t size = 0;
    c.max_speed = max_speed;
    return rl_resampler_get_heap_size(&c, &size) == RL_OK ? (uint32_t)size : 0u;
}

RL_EXPORT(rl_resampler_init)
int rl_wasm_resampler_init(uint32_t address, uint32_t channels, double input_rate,
                           double output_rate, double max_speed, uint32_t bytes) {
    rl_resampler_config c = rl_resampler_config_init(channels, input_rate, output_rate);
    rl_resampler* resampler = NULL;
    c.max_speed = max_speed;
    return (int)rl_resampler_init_preallocated(&c, (void*)(uintptr_t)address, bytes, &resampler);
}

RL_EXPORT(rl_resampler_reset)
int rl_wasm_resampler_reset(uint32_t address, uint32_t start, double speed) {
    return (int)rl_resampler_reset((rl_resampler*)(uintptr_t)address, (rl_resampler_start)start,
                                   speed);
}

/* rl_resampler_process_buffers; the frames used and made go to the two
 * uint32 at `counts`. Returns an rl_result. */
RL_EXPORT(rl_resampler_process)
int rl_wasm_resampler_process(uint32_t address, uint32_t in_planes, uint32_t in_frames,
                              uint32_t out_planes, uint32_t out_frames, uint32_t speeds,
                              uint32_t speed_count, uint32_t counts) {
    uint32_t* n = (uint32_t*)(uintptr_t)counts;
    return (int)rl_resampler_process_buffers(
        (rl_resampler*)(uintptr_t)address, (const float* const*)(uintptr_t)in_planes, in_frames,
        &n[0], (float* const*)(uintptr_t)out_planes, out_frames, &n[1],
        (const float*)(uintptr_t)speeds, speed_count);
}

RL_EXPORT(rl_resampler_end_input)
int rl_wasm_resampler_end_input(uint32_t address) {
    return (int)rl_resampler_end_input((rl_resampler*)(uintptr_t)address);
}

RL_EXPORT(rl_resampler_latency)
double rl_wasm_resampler_latency(uint32_t address) {
    return rl_resampler_latency((const rl_resampler*)(uintptr_t)address);
}

RL_EXPORT(rl_resampler_lookahead)
double rl_wasm_resampler_lookahead(uint32_t address) {
    return rl_resampler_lookahead((const rl_resampler*)(uintptr_t)address);
}

RL_EXPORT(rl_resampler_position)
double rl_wasm_resampler_position(uint32_t address) {
    return rl_resampler_position((const rl_resampler*)(uintptr_t)address);
}

#ifdef RL_TEST_HOOKS
/* Test builds only (absent from release): arms a trap inside the next
 * rl_node_process, rl_node_heap_size or rl_spectrum_float/byte call. The
 * worklet calls this on a 'test:trap' message; main-thread tests call it on
 * the instance they mean to trap. */
RL_EXPORT(rl_test_arm_trap)
void rl_wasm_test_arm_trap(void) {
    rl_test_arm_trap();
}
#endif

/* ---- Offline analysis (lib/worker/dsp-tasks.js 'analyze') ------------------------
 * For an instance on a Worker's private memory: a loudness meter at
 * `address`, fed planar audio whose `channels` plane addresses are stored at
 * `planes`, and the averaged power spectrum. */
#include "dsp_internal.h"

RL_EXPORT(rl_loudness_heap_size)
uint32_t rl_wasm_loudness_heap_size(uint32_t channels, double sample_rate) {
    rl_loudness_config c = rl_loudness_config_init(channels, sample_rate);
    size_t size = 0;
    return rl_loudness_get_heap_size(&c, &size) == RL_OK ? (uint32_t)size : 0u;
}

RL_EXPORT(rl_loudness_init)
int rl_wasm_loudness_init(uint32_t address, uint32_t channels, double sample_rate, uint32_t bytes) {
    rl_loudness_config c = rl_loudness_config_init(channels, sample_rate);
    rl_loudness* loudness = NULL;
    return (int)rl_loudness_init_preallocated(&c, (void*)(uintptr_t)address, bytes, &loudness);
}

RL_EXPORT(rl_loudness_process)
int rl_wasm_loudness_process(uint32_t address, uint32_t planes, uint32_t channels,
                             uint32_t frames) {
    return (int)rl_loudness_process((rl_loudness*)(uintptr_t)address,
                                    (const float* const*)(uintptr_t)planes, channels, frames);
}

RL_EXPORT(rl_loudness_integrated)
double rl_wasm_loudness_integrated(uint32_t address) {
    return rl_loudness_integrated((const rl_loudness*)(uintptr_t)address);
}

RL_EXPORT(rl_loudness_sample_peak)
double rl_wasm_loudness_sample_peak(uint32_t address) {
    return rl_loudness_sample_peak((const rl_loudness*)(uintptr_t)address);
}

RL_EXPORT(rl_loudness_mean_square)
double rl_wasm_loudness_mean_square(uint32_t address) {
    return rl_loudness_mean_square((const rl_loudness*)(uintptr_t)address);
}

/* Adds one frame's power spectrum, |X[k]|^2 / N^2 with the analyser's
 * Blackman window and no smoothing, to the fft_size/2 doubles at `sum`;
 * `db` is fft_size/2 floats of scratch. */
RL_EXPORT(rl_spectrum_add_power)
int rl_wasm_spectrum_add_power(uint32_t spectrum, uint32_t time, uint32_t fft_size, uint32_t db,
                               uint32_t sum) {
    float* out = (float*)(uintptr_t)db;
    double* acc = (double*)(uintptr_t)sum;
    uint32_t k;
    rl_result r = rl_spectrum_float_frequency((rl_spectrum*)(uintptr_t)spectrum,
                                              (const float*)(uintptr_t)time, 0.0, out);
    if (r != RL_OK) {
        return (int)r;
    }
    for (k = 0; k < fft_size / 2u; ++k) {
        acc[k] += rl_pow(10.0, (double)out[k] / 10.0);
    }
    return (int)RL_OK;
}
/* ---- end of offline analysis ---------------------------------------------- */
