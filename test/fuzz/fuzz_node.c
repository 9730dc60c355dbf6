/*
 * fuzz_node: drives one node the way a worklet and the threads around it do,
 * with hostile inputs, and checks what must hold whatever the node's DSP does.
 *
 * First it probes configs (valid and invalid modes, channels, capacities,
 * sample rates): get_heap_size must agree with the header's rules, refused
 * inits must return their code and leave the block untouched. Then it
 * initialises a node (sample rate 3 kHz .. 768 kHz; a source node may read its
 * ring at another rate, take playback rates (varispeed), or both, which puts
 * a resampler in it) in a block pre-filled with garbage and checks its layout: input and output
 * planes, ring, statistics, parameter queue, gain values, meter readout and analyser buffer lie
 * inside the block and do not overlap. Then it runs a program of process calls with
 * 0..RL_MAX_QUANTUM_FRAMES + 10 frames and 0, 1, `frames` or a wrong number of
 * gain values, and on a node with varispeed 0, 1, `frames` or a wrong number
 * of playback rates (any count on a node without it is refused), holding
 * NaN, infinities and values far outside 0.25 .. 4
 * (invalid calls must return RL_INVALID_ARGS and change nothing)
 * on inputs and gain values holding NaN, infinities, subnormals and extremes;
 * ring writes (source) and reads (capture) from the other side; pushes of
 * arbitrary RL_PARAM_* messages; close; uninit and reinit.
 *
 * After every process call: the result, the statistics (frames, quanta,
 * silent frames), the ring indices moved only by the side that owns them, no
 * NaN or infinity in any output frame (outputs are pre-filled with NaN, so a
 * frame the node forgot to write fails too), nor in frames a capture node put
 * in its ring, nor in the analyser buffer; meter peaks and RMS finite and not
 * negative. After every op: the canaries around the node's block.
 *
 * Messages go to the node's own queue (rl_node_params), which process drains.
 * The function is referenced weakly: against a core without it, they go to a
 * queue of the harness's own, which it drains itself, so the target also runs
 * on a node that does not consume parameters.
 */
#include "ringlet.h"
#include "fuzz_util.h"

#include <stdatomic.h>

/* Weak: NULL if the core has no such function. */
rl_params* rl_node_params(rl_node* node) __attribute__((weak));

#define FUZZ_NODE_MAX_CAPACITY 4096u
#define FUZZ_NODE_MAX_FRAMES (2u * FUZZ_NODE_MAX_CAPACITY)
#define FUZZ_NODE_BUDGET (8u << 20)
/* A NaN the node's outputs are pre-filled with: left there, it fails the check. */
#define FUZZ_NODE_UNWRITTEN 0x7FC0BEEFu
#define FUZZ_NODE_PLANE_BYTES ((size_t)RL_MAX_QUANTUM_FRAMES * sizeof(float))

static float g_io[(size_t)FUZZ_NODE_MAX_FRAMES * RL_RING_MAX_CHANNELS];

static const char* const mode_names[] = {"source", "effect", "capture"};

typedef struct node_state {
    fuzz_block block;
    fuzz_block queue; /* the harness's own queue, when the node has none */
    rl_node* node;
    rl_ring* ring;
    rl_params* params;
    int node_owns_queue;
    int live;
    rl_node_config cfg;
    uint32_t mode;
    uint32_t channels;
    uint32_t capacity;
    int resampler; /* input_rate differs or varispeed: the ring is read at another pace */
    size_t size;
    size_t ring_size;
    int closed;
    int fed_nonfinite; /* the producer has written NaN or Inf into the ring */
    uint32_t salt;
    uint64_t work;
} node_state;

typedef struct node_stats {
    uint64_t frames;
    uint32_t quanta;
    uint32_t silent;
} node_stats;

static node_stats read_stats(rl_node* node) {
    node_stats st;
    unsigned char* s = (unsigned char*)rl_node_stats(node);
    st.frames = atomic_load((_Atomic uint64_t*)(void*)(s + RL_STATS_OFFSET_FRAMES_PROCESSED));
    st.quanta = atomic_load((_Atomic uint32_t*)(void*)(s + RL_STATS_OFFSET_QUANTA));
    st.silent = atomic_load((_Atomic uint32_t*)(void*)(s + RL_STATS_OFFSET_SILENT_FRAMES));
    return st;
}

/* Raw ring indices, read the way the other thread reads them. */
static uint32_t ring_u32(const rl_ring* ring, size_t offset) {
    if (ring == NULL) {
        return 0; /* an effect node has no ring */
    }
    return atomic_load((_Atomic uint32_t*)(void*)((unsigned char*)(void*)(uintptr_t)ring + offset));
}

/* The parameter queue's words, read at their RL_PARAMS_OFFSET_*. */
static uint32_t params_u32(const rl_params* params, size_t offset) {
    return atomic_load(
        (_Atomic uint32_t*)(void*)((unsigned char*)(void*)(uintptr_t)params + offset));
}

static int node_config_valid(uint32_t mode, uint32_t channels, uint32_t capacity, double rate) {
    /* NaN fails both comparisons. */
    /* An effect node has no ring: any capacity will do. */
    int shape = mode == (uint32_t)RL_MODE_EFFECT
                    ? channels >= 1u && channels <= RL_RING_MAX_CHANNELS
                    : fuzz_ring_config_valid(channels, capacity);
    return mode <= (uint32_t)RL_MODE_CAPTURE && shape && rate >= RL_DSP_MIN_SAMPLE_RATE &&
           rate <= RL_DSP_MAX_SAMPLE_RATE;
}

static const double valid_rates[] = {48000.0, 44100.0, 3000.0,   8000.0,
                                     22050.0, 96000.0, 192000.0, 768000.0};

/* Valid rates, the edges just outside, and nonsense. */
static double edge_rate(uint8_t k) {
    static const double rates[] = {2999.0, 768001.0, 0.0, -48000.0, 1e300, 1e-300};
    if (k < FUZZ_COUNT(valid_rates)) {
        return valid_rates[k];
    }
    k = (uint8_t)(k - FUZZ_COUNT(valid_rates));
    if (k < FUZZ_COUNT(rates)) {
        return rates[k];
    }
    return (double)fuzz_special(k);
}

static void expect_refused(const rl_node_config* cfg, const fuzz_block* b, unsigned char fill,
                           unsigned char* heap, size_t size, rl_result want, const char* what) {
    rl_node* node = (rl_node*)(void*)(uintptr_t)b;
    FUZZ_CHECK_EQ(rl_node_init_preallocated(cfg, heap, size, &node), want, what);
    FUZZ_CHECK(node == NULL, "%s: refused init left *node set", what);
    fuzz_block_untouched(b, fill, what);
}

/* ------------------------------------------------------------------------ */
/* Config probes                                                            */
/* ------------------------------------------------------------------------ */

static const uint32_t edge_modes[] = {0u, 1u, 2u, 3u, 7u, 0x7FFFFFFFu};

static void probe_config(fuzz_input* in) {
    uint32_t mode = edge_modes[fuzz_u8(in) % FUZZ_COUNT(edge_modes)];
    uint32_t channels = fuzz_edge_channels[fuzz_u8(in) % FUZZ_COUNT(fuzz_edge_channels)];
    uint32_t capacity = fuzz_edge_capacities[fuzz_u8(in) % FUZZ_COUNT(fuzz_edge_capacities)];
    double rate = edge_rate(fuzz_u8(in) % 32u);
    unsigned char fill = fuzz_u8(in);
    rl_node_config cfg = rl_node_config_init((rl_mode)mode, channels, capacity);
    size_t size = 12345;
    rl_result res;
    fuzz_block b = fuzz_block_alloc(8192, fill);
    cfg.sample_rate = rate;
    res = rl_node_get_heap_size(&cfg, &size);
    if (!node_config_valid(mode, channels, capacity, rate)) {
        FUZZ_CHECK_EQ(res, RL_INVALID_ARGS, "node get_heap_size of an invalid config");
        FUZZ_CHECK_EQ(size, 0, "node heap size of an invalid config");
        expect_refused(&cfg, &b, fill, b.heap, b.size, RL_INVALID_ARGS, "node init, invalid");
    } else {
        size_t ring = mode == (uint32_t)RL_MODE_EFFECT
                          ? 0u
                          : RL_RING_HEADER_BYTES + (size_t)capacity * channels * 4u;
        FUZZ_CHECK_EQ(res, RL_OK, "node get_heap_size of a valid config");
        FUZZ_CHECK(size >= ring + 2u * channels * FUZZ_NODE_PLANE_BYTES + RL_STATS_BYTES,
                   "node heap size %zu too small for %u channels, capacity %u", size, channels,
                   capacity);
        expect_refused(&cfg, &b, fill, b.heap, b.size, RL_OUT_OF_MEMORY, "node init, too small");
        expect_refused(&cfg, &b, fill, b.heap + 1u + fuzz_u8(in) % 63u, b.size - 64u,
                       RL_INVALID_ARGS, "node init, misaligned");
    }
    expect_refused(&cfg, &b, fill, NULL, b.size, RL_INVALID_ARGS, "node init, NULL heap");
    expect_refused(NULL, &b, fill, b.heap, b.size, RL_INVALID_ARGS, "node init, NULL config");
    FUZZ_CHECK_EQ(rl_node_get_heap_size(NULL, &size), RL_INVALID_ARGS, "heap size, NULL config");
    FUZZ_CHECK_EQ(rl_node_get_heap_size(&cfg, NULL), RL_INVALID_ARGS, "heap size, NULL out");
    FUZZ_CHECK_EQ(rl_node_init_preallocated(&cfg, b.heap, b.size, NULL), RL_INVALID_ARGS,
                  "node init, NULL out");
    fuzz_block_untouched(&b, fill, "node init, NULL out");
    fuzz_block_free(&b);
}

/* ------------------------------------------------------------------------ */
/* Layout                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct span {
    const unsigned char* start;
    size_t size;
    const char* what;
    uint32_t index;
} span;

static void check_layout(node_state* s) {
    span spans[2u * RL_RING_MAX_CHANNELS + 7u];
    const unsigned char* timebuf = (const unsigned char*)rl_node_timebuf(s->node);
    uint32_t timebuf_capacity = 0;
    uint32_t n = 0;
    uint32_t c;
    uint32_t i;
    uint32_t j;
    rl_ring* attached = NULL;
    const unsigned char* lo = s->block.heap;
    const unsigned char* hi = s->block.heap + s->size;
    FUZZ_CHECK(rl_node_input(s->node, s->channels) == NULL, "input plane past the channels");
    FUZZ_CHECK(rl_node_output(s->node, s->channels) == NULL, "output plane past the channels");
    FUZZ_CHECK(rl_node_input(s->node, UINT32_MAX) == NULL, "input plane UINT32_MAX");
    FUZZ_CHECK(rl_node_output(s->node, UINT32_MAX) == NULL, "output plane UINT32_MAX");
    for (c = 0; c < s->channels; ++c) {
        spans[n].start = (const unsigned char*)rl_node_input(s->node, c);
        spans[n].size = FUZZ_NODE_PLANE_BYTES;
        spans[n].what = "input plane";
        spans[n++].index = c;
        spans[n].start = (const unsigned char*)rl_node_output(s->node, c);
        spans[n].size = FUZZ_NODE_PLANE_BYTES;
        spans[n].what = "output plane";
        spans[n++].index = c;
    }
    if (s->ring != NULL) {
        spans[n].start = (const unsigned char*)s->ring;
        spans[n].size = s->ring_size;
        spans[n].what = "ring";
        spans[n++].index = 0;
    }
    spans[n].start = (const unsigned char*)rl_node_stats(s->node);
    spans[n].size = RL_STATS_BYTES;
    spans[n].what = "stats";
    spans[n++].index = 0;
    if (s->node_owns_queue) {
        spans[n].start = (const unsigned char*)s->params;
        spans[n].size = RL_PARAMS_BYTES;
        spans[n].what = "parameter queue";
        spans[n++].index = 0;
    }
    spans[n].start = (const unsigned char*)rl_node_gain_values(s->node);
    spans[n].size = FUZZ_NODE_PLANE_BYTES;
    spans[n].what = "gain values";
    spans[n++].index = 0;
    if (s->cfg.varispeed) {
        spans[n].start = (const unsigned char*)rl_node_playback_rate_values(s->node);
        spans[n].size = FUZZ_NODE_PLANE_BYTES;
        spans[n].what = "playback rate values";
        spans[n++].index = 0;
    } else {
        FUZZ_CHECK(rl_node_playback_rate_values(s->node) == NULL,
                   "playback rate values without varispeed");
    }
    FUZZ_CHECK((rl_node_resampler(s->node) != NULL) == s->resampler,
               "resampler %s, input rate %g, context %g, varispeed %u",
               rl_node_resampler(s->node) != NULL ? "present" : "absent", s->cfg.input_rate,
               s->cfg.sample_rate, s->cfg.varispeed);
    spans[n].start = (const unsigned char*)rl_node_meters(s->node);
    spans[n].size = (size_t)s->channels * RL_METER_CHANNEL_BYTES;
    spans[n].what = "meter readout";
    spans[n++].index = 0;
    FUZZ_CHECK(timebuf >= lo && timebuf + RL_TIMEBUF_OFFSET_DATA <= hi,
               "analyser buffer header is outside the node's block");
    memcpy(&timebuf_capacity, timebuf + RL_TIMEBUF_OFFSET_CAPACITY, sizeof timebuf_capacity);
    spans[n].start = timebuf;
    spans[n].size = RL_TIMEBUF_OFFSET_DATA + (size_t)timebuf_capacity * sizeof(float);
    spans[n].what = "analyser buffer";
    spans[n++].index = 0;
    for (i = 0; i < n; ++i) {
        FUZZ_CHECK(spans[i].start != NULL, "%s %u is NULL", spans[i].what, spans[i].index);
        FUZZ_CHECK(((uintptr_t)spans[i].start & 3u) == 0, "%s %u is not 4-byte aligned",
                   spans[i].what, spans[i].index);
        FUZZ_CHECK(spans[i].start >= lo && spans[i].start + spans[i].size <= hi,
                   "%s %u (%zu bytes at offset %td) is outside the node's %zu-byte block",
                   spans[i].what, spans[i].index, spans[i].size, spans[i].start - lo, s->size);
        for (j = 0; j < i; ++j) {
            int apart = spans[i].start + spans[i].size <= spans[j].start ||
                        spans[j].start + spans[j].size <= spans[i].start;
            FUZZ_CHECK(apart, "%s %u overlaps %s %u", spans[i].what, spans[i].index, spans[j].what,
                       spans[j].index);
        }
    }
    if (s->ring == NULL) {
        return;
    }
    FUZZ_CHECK_EQ(rl_ring_attach(s->ring, s->ring_size, &attached), RL_OK, "attach node ring");
    FUZZ_CHECK_EQ(rl_ring_channels(s->ring), s->channels, "node ring channels");
    FUZZ_CHECK_EQ(rl_ring_capacity(s->ring), s->capacity, "node ring capacity");
}

/* ------------------------------------------------------------------------ */
/* Init                                                                     */
/* ------------------------------------------------------------------------ */

/* Takes a freshly initialised node: what must hold right after init. */
static void node_adopt(node_state* s, rl_node* node) {
    node_stats st;
    FUZZ_CHECK(node == (rl_node*)(void*)s->block.heap, "node is not at the start of its block");
    s->node = node;
    s->ring = rl_node_ring(node);
    FUZZ_CHECK((s->ring == NULL) == (s->mode == RL_MODE_EFFECT),
               "a source or capture node has a ring, an effect node none");
    s->live = 1;
    s->closed = 0;
    s->fed_nonfinite = 0;
    if (rl_node_params != NULL) {
        s->params = rl_node_params(node);
        s->node_owns_queue = 1;
        FUZZ_CHECK(s->params != NULL, "rl_node_params returned NULL");
    } else {
        FUZZ_CHECK_EQ(rl_params_init(s->queue.heap, s->queue.size, &s->params), RL_OK,
                      "params init");
        s->node_owns_queue = 0;
    }
    st = read_stats(node);
    FUZZ_CHECK(st.frames == 0 && st.quanta == 0 && st.silent == 0,
               "statistics not zero after init");
    FUZZ_CHECK_EQ(rl_ring_available_read(s->ring), 0, "ring not empty after init");
    FUZZ_CHECK_EQ(rl_ring_is_closed(s->ring), 0, "ring closed after init");
    check_layout(s);
    fuzz_block_check(&s->block, "node init");
}

static void node_init(node_state* s) {
    rl_node* node = NULL;
    FUZZ_CHECK_EQ(rl_node_init_preallocated(&s->cfg, s->block.heap, s->size, &node), RL_OK,
                  "node init");
    node_adopt(s, node);
}

/*
 * Initialising a node builds the generator's wavetables: milliseconds under
 * ASan, most of a run. So the last config's block is kept, with its bytes
 * right after init, and an input with the same config and garbage byte starts
 * from a copy of those bytes at the same address instead: what init would
 * have produced, since it depends on nothing else. Every input still starts
 * from a freshly initialised node.
 */
typedef struct node_cache {
    uint32_t mode;
    uint32_t channels;
    uint32_t capacity;
    double rate;
    double input_rate;
    uint32_t varispeed;
    unsigned char fill;
    fuzz_block block;
    unsigned char* image; /* block.total bytes from block.base */
} node_cache;

static node_cache g_cache;

static int cache_matches(const node_state* s, unsigned char fill) {
    return g_cache.image != NULL && g_cache.mode == s->mode && g_cache.channels == s->channels &&
           g_cache.capacity == s->capacity &&
           memcmp(&g_cache.rate, &s->cfg.sample_rate, sizeof(double)) == 0 &&
           memcmp(&g_cache.input_rate, &s->cfg.input_rate, sizeof(double)) == 0 &&
           g_cache.varispeed == s->cfg.varispeed && g_cache.fill == fill;
}

static void cache_store(const node_state* s, unsigned char fill) {
    if (g_cache.image != NULL) {
        fuzz_block_free(&g_cache.block);
        free(g_cache.image);
    }
    g_cache.mode = s->mode;
    g_cache.channels = s->channels;
    g_cache.capacity = s->capacity;
    g_cache.rate = s->cfg.sample_rate;
    g_cache.input_rate = s->cfg.input_rate;
    g_cache.varispeed = s->cfg.varispeed;
    g_cache.fill = fill;
    g_cache.block = s->block;
    g_cache.image = (unsigned char*)malloc(s->block.total);
    if (g_cache.image == NULL) {
        FUZZ_FAIL("malloc(%zu) failed", s->block.total);
    }
    memcpy(g_cache.image, s->block.base, s->block.total);
}

/* ------------------------------------------------------------------------ */
/* Ops                                                                      */
/* ------------------------------------------------------------------------ */

static void fill_inputs(node_state* s, fuzz_input* in, uint32_t frames) {
    uint32_t c;
    int each = fuzz_u8(in) & 1u;
    float* first = rl_node_input(s->node, 0);
    fuzz_fill_signal(first, frames, in, s->salt++);
    for (c = 1; c < s->channels; ++c) {
        float* plane = rl_node_input(s->node, c);
        if (each) {
            fuzz_fill_signal(plane, frames, in, s->salt++);
        } else {
            memcpy(plane, first, (size_t)frames * sizeof(float));
        }
    }
}

static int inputs_finite(node_state* s, uint32_t frames) {
    uint32_t c;
    for (c = 0; c < s->channels; ++c) {
        if (fuzz_first_nonfinite(rl_node_input(s->node, c), frames, 1) < frames) {
            return 0;
        }
    }
    return 1;
}

/* What other threads read: meter levels and the analyser's latest samples. */
static void check_readouts(node_state* s, uint32_t frames) {
    const unsigned char* meters = (const unsigned char*)rl_node_meters(s->node);
    static float latest[RL_MAX_QUANTUM_FRAMES];
    uint32_t c;
    size_t bad;
    for (c = 0; c < s->channels; ++c) {
        const unsigned char* rec = meters + (size_t)c * RL_METER_CHANNEL_BYTES;
        float peak = fuzz_float_bits(
            atomic_load((_Atomic uint32_t*)(void*)(uintptr_t)(rec + RL_METER_OFFSET_PEAK)));
        float rms = fuzz_float_bits(
            atomic_load((_Atomic uint32_t*)(void*)(uintptr_t)(rec + RL_METER_OFFSET_RMS)));
        FUZZ_CHECK(fuzz_finite(peak) && !(peak < 0.0f) && fuzz_finite(rms) && !(rms < 0.0f),
                   "%s node: meter ch %u reads peak 0x%08x, rms 0x%08x", mode_names[s->mode], c,
                   fuzz_bits_float(peak), fuzz_bits_float(rms));
    }
    FUZZ_CHECK_EQ(
        rl_timebuf_read_latest((const rl_timebuf*)rl_node_timebuf(s->node), latest, frames), RL_OK,
        "analyser read_latest");
    bad = fuzz_first_nonfinite(latest, frames, 1);
    FUZZ_CHECK(bad == frames, "%s node: analyser sample %zu of the latest %u is 0x%08x",
               mode_names[s->mode], bad, frames, fuzz_bits_float(latest[bad % frames]));
}

static void op_process(node_state* s, fuzz_input* in) {
    uint32_t frames = fuzz_upto(in, RL_MAX_QUANTUM_FRAMES + 10u);
    int frames_valid = frames >= 1u && frames <= RL_MAX_QUANTUM_FRAMES;
    int valid;
    int with_gain;
    uint32_t gain_count = 0;
    uint32_t rate_count = 0;
    uint8_t shape;
    node_stats before;
    node_stats after;
    uint32_t w0;
    uint32_t r0;
    uint32_t w1;
    uint32_t r1;
    uint32_t under0;
    uint32_t over0;
    uint32_t queued0;
    uint32_t rejected0;
    uint32_t c;
    uint32_t i;
    int finite_in = 1;
    rl_result res;
    if (!s->live) {
        FUZZ_CHECK_EQ(rl_node_process(s->node, frames), RL_INVALID_ARGS, "process after uninit");
        return;
    }
    /* Mostly plain process; else with 0, 1, `frames` or a wrong number of
     * gain values (the gain AudioParam's). The byte's high bits pick the
     * playback rates' count the same way (the playbackRate AudioParam's). */
    shape = fuzz_u8(in);
    switch ((shape >> 3) % 4u) {
    case 1:
        rate_count = 1;
        break;
    case 2:
        rate_count = frames;
        break;
    case 3:
        rate_count = 2u + fuzz_u16(in) % (RL_MAX_QUANTUM_FRAMES + 10u);
        rate_count += rate_count == frames ? 1u : 0u;
        break;
    default:
        break;
    }
    switch (shape % 8u) {
    case 4:
        with_gain = 1;
        break;
    case 5:
        with_gain = 1;
        gain_count = 1;
        break;
    case 6:
        with_gain = 1;
        gain_count = frames;
        break;
    case 7:
        with_gain = 1;
        gain_count = 2u + fuzz_u16(in) % (RL_MAX_QUANTUM_FRAMES + 10u);
        gain_count += gain_count == frames ? 1u : 0u;
        break;
    default:
        with_gain = 0;
        break;
    }
    valid = frames_valid && (gain_count <= 1u || gain_count == frames) &&
            (rate_count == 0 || (s->cfg.varispeed && (rate_count == 1u || rate_count == frames)));
    if (gain_count > 0 && gain_count <= RL_MAX_QUANTUM_FRAMES) {
        fuzz_fill_signal(rl_node_gain_values(s->node), gain_count, in, s->salt++);
    }
    if (rate_count > 0 && rate_count <= RL_MAX_QUANTUM_FRAMES && s->cfg.varispeed) {
        float* rates = rl_node_playback_rate_values(s->node);
        uint32_t k;
        fuzz_fill_signal(rates, rate_count, in, s->salt++);
        /* Mostly plausible speeds around 0.25 .. 4, with the signal's
         * hostile values (NaN, infinities, extremes) where they came out. */
        if (shape & 0x80u) {
            for (k = 0; k < rate_count; ++k) {
                rates[k] =
                    fuzz_finite(rates[k])
                        ? 0.25f + 3.75f * (rates[k] * rates[k] > 1.0f ? 1.0f : rates[k] * rates[k])
                        : rates[k];
            }
        }
    }
    if (valid) {
        fill_inputs(s, in, frames);
        finite_in = inputs_finite(s, frames);
        /* Stale NaN: a frame the node does not write fails the check below. */
        for (c = 0; c < s->channels; ++c) {
            fuzz_fill_bits(rl_node_output(s->node, c), frames, FUZZ_NODE_UNWRITTEN);
        }
    }
    before = read_stats(s->node);
    w0 = ring_u32(s->ring, RL_RING_OFFSET_WRITE_INDEX);
    r0 = ring_u32(s->ring, RL_RING_OFFSET_READ_INDEX);
    under0 = rl_ring_underruns(s->ring);
    over0 = rl_ring_overruns(s->ring);
    queued0 = params_u32(s->params, RL_PARAMS_OFFSET_WRITE_INDEX) -
              params_u32(s->params, RL_PARAMS_OFFSET_READ_INDEX);
    rejected0 = params_u32(s->params, RL_PARAMS_OFFSET_REJECTED);

    res = rate_count > 0 ? rl_node_process_audio_params(s->node, frames, gain_count, rate_count)
          : with_gain    ? rl_node_process_gain(s->node, frames, gain_count)
                         : rl_node_process(s->node, frames);

    after = read_stats(s->node);
    w1 = ring_u32(s->ring, RL_RING_OFFSET_WRITE_INDEX);
    r1 = ring_u32(s->ring, RL_RING_OFFSET_READ_INDEX);
    fuzz_block_check(&s->block, "process");
    if (!valid) {
        FUZZ_CHECK(res == RL_INVALID_ARGS,
                   "process(%u frames, %u gain values) returned %d, want RL_INVALID_ARGS", frames,
                   gain_count, (int)res);
        FUZZ_CHECK(after.frames == before.frames && after.quanta == before.quanta &&
                       after.silent == before.silent,
                   "process(%u, %u gain values) was refused but changed the statistics", frames,
                   gain_count);
        FUZZ_CHECK(params_u32(s->params, RL_PARAMS_OFFSET_WRITE_INDEX) -
                           params_u32(s->params, RL_PARAMS_OFFSET_READ_INDEX) ==
                       queued0,
                   "process(%u, %u gain values) was refused but took settings", frames, gain_count);
        FUZZ_CHECK(w1 == w0 && r1 == r0,
                   "process(%u, %u gain values) was refused but moved the ring", frames,
                   gain_count);
        return;
    }
    FUZZ_CHECK(res == RL_OK, "process(%u frames, %u gain values) returned %d", frames, gain_count,
               (int)res);
    if (s->node_owns_queue) {
        /* Every queued setting is taken at the start of the quantum. */
        uint32_t queued = params_u32(s->params, RL_PARAMS_OFFSET_WRITE_INDEX) -
                          params_u32(s->params, RL_PARAMS_OFFSET_READ_INDEX);
        uint32_t rejected = params_u32(s->params, RL_PARAMS_OFFSET_REJECTED) - rejected0;
        FUZZ_CHECK(queued == 0, "%u of %u queued settings left after process", queued, queued0);
        FUZZ_CHECK(rejected <= queued0, "%u settings rejected of %u queued", rejected, queued0);
    }
    FUZZ_CHECK_EQ(after.frames, before.frames + frames, "frames processed");
    FUZZ_CHECK_EQ(after.quanta, before.quanta + 1u, "quanta");
    FUZZ_CHECK(after.silent - before.silent <= frames, "silent frames grew by %u in %u frames",
               after.silent - before.silent, frames);
    FUZZ_CHECK(rl_ring_underruns(s->ring) - under0 <= 1u, "more than one underrun per quantum");
    FUZZ_CHECK(rl_ring_overruns(s->ring) - over0 <= 1u, "more than one overrun per quantum");
    if (s->mode == RL_MODE_SOURCE) {
        FUZZ_CHECK(w1 == w0, "a source node moved its ring's write index");
        /* A resampler reads at its own pace (up to 4 x 48 input frames per
         * output frame), never more than the ring holds. */
        FUZZ_CHECK((s->resampler || r1 - r0 <= frames) && r1 - r0 <= w0 - r0,
                   "a source node consumed %u frames (%u asked, %u in the ring)", r1 - r0, frames,
                   w0 - r0);
    } else if (s->mode == RL_MODE_CAPTURE) {
        FUZZ_CHECK(r1 == r0, "a capture node moved its ring's read index");
        FUZZ_CHECK(w1 - w0 <= frames && w1 - w0 <= s->capacity - (w0 - r0),
                   "a capture node produced %u frames (%u processed, %u free)", w1 - w0, frames,
                   s->capacity - (w0 - r0));
    } else {
        FUZZ_CHECK(w1 == w0 && r1 == r0, "an effect node moved its ring");
    }
    for (c = 0; c < s->channels; ++c) {
        const float* out = rl_node_output(s->node, c);
        i = (uint32_t)fuzz_first_nonfinite(out, frames, 1);
        if (i < frames) {
            const char* fed = s->mode == RL_MODE_SOURCE
                                  ? (s->fed_nonfinite ? "its ring was fed NaN/Inf"
                                                      : "its ring was fed finite samples only")
                                  : (finite_in ? "this quantum's inputs were all finite"
                                               : "this quantum's inputs held NaN/Inf");
            FUZZ_FAIL("%s node (%u ch): output ch %u frame %u is 0x%08x (%s) after process(%u "
                      "frames, %u gain values); %s",
                      mode_names[s->mode], s->channels, c, i, fuzz_bits_float(out[i]),
                      fuzz_bits_float(out[i]) == FUZZ_NODE_UNWRITTEN ? "never written"
                                                                     : "NaN or infinity",
                      frames, gain_count, fed);
        }
    }
    check_readouts(s, frames);
    s->work += (uint64_t)frames * s->channels + 1u;
}

/* The other side of the ring: the producer of a source node. */
static void op_ring_write(node_state* s, fuzz_input* in) {
    uint32_t frames = fuzz_upto(in, 2u * s->capacity);
    uint32_t fill = rl_ring_available_read(s->ring);
    uint32_t expect = s->closed ? 0u : (frames < s->capacity - fill ? frames : s->capacity - fill);
    uint32_t written = 12345u;
    size_t samples = (size_t)frames * s->channels;
    rl_result res;
    fuzz_fill_signal(g_io, samples, in, s->salt++);
    if (fuzz_first_nonfinite(g_io, samples, 1) < samples) {
        s->fed_nonfinite = 1;
    }
    if (fuzz_u8(in) & 1u) {
        const float* planes[RL_RING_MAX_CHANNELS];
        uint32_t c;
        for (c = 0; c < s->channels; ++c) {
            planes[c] = g_io + (size_t)c * frames;
        }
        res = rl_ring_write_planar(s->ring, planes, frames, &written);
    } else {
        res = rl_ring_write(s->ring, g_io, frames, &written);
    }
    FUZZ_CHECK_EQ(res, s->closed ? RL_CLOSED : RL_OK, "ring write beside the node");
    FUZZ_CHECK_EQ(written, expect, "frames written beside the node");
    s->work += samples + 1u;
    /* Now and then the producer says the next frames run at another rate: a
     * node with a resampler queues the mark (four at most), any other
     * refuses it; the node's process() must then keep every invariant. */
    if ((fuzz_u8(in) & 3u) == 0u) {
        static const double rates[] = {7999.0,  8000.0,   11025.0,  22050.0, 44100.0,
                                       48000.0, 192000.0, 384000.0, 384001.0};
        double rate = rates[fuzz_u8(in) % FUZZ_COUNT(rates)];
        uint32_t pending =
            params_u32((const rl_params*)(const void*)s->ring, RL_RING_OFFSET_MARKS_WRITTEN) -
            params_u32((const rl_params*)(const void*)s->ring, RL_RING_OFFSET_MARKS_TAKEN);
        rl_result want = !(rate >= RL_RESAMPLER_MIN_RATE && rate <= RL_RESAMPLER_MAX_RATE)
                             ? RL_INVALID_ARGS
                         : !s->resampler                 ? RL_INVALID_STATE
                         : s->closed                     ? RL_CLOSED
                         : pending >= RL_RING_RATE_MARKS ? RL_QUEUE_FULL
                                                         : RL_OK;
        FUZZ_CHECK_EQ(rl_ring_mark_rate(s->ring, rate), want, "rate mark beside the node");
    }
}

/* The other side of the ring: the consumer of a capture node. */
static void op_ring_read(node_state* s, fuzz_input* in) {
    uint32_t frames = fuzz_upto(in, 2u * s->capacity);
    uint32_t fill = rl_ring_available_read(s->ring);
    uint32_t expect = frames < fill ? frames : fill;
    uint32_t got = 12345u;
    int planar = fuzz_u8(in) & 1u;
    float* planes[RL_RING_MAX_CHANNELS];
    rl_result res;
    size_t i;
    uint32_t c;
    for (c = 0; c < s->channels; ++c) {
        planes[c] = g_io + (size_t)c * frames;
    }
    res = planar ? rl_ring_read_planar(s->ring, planes, frames, &got)
                 : rl_ring_read(s->ring, g_io, frames, &got);
    FUZZ_CHECK_EQ(res, (s->closed && frames > 0 && expect == 0) ? RL_CLOSED : RL_OK,
                  "ring read beside the node");
    FUZZ_CHECK_EQ(got, expect, "frames read beside the node");
    if (s->mode == RL_MODE_CAPTURE) {
        for (c = 0; c < s->channels; ++c) {
            i = planar ? fuzz_first_nonfinite(planes[c], got, 1)
                       : fuzz_first_nonfinite(g_io + c, got, s->channels);
            if (i < got) {
                float v = planar ? planes[c][i] : g_io[i * s->channels + c];
                FUZZ_FAIL("capture node (%u ch) put 0x%08x (NaN or infinity) in its ring: "
                          "ch %u, frame %zu of %u read",
                          s->channels, fuzz_bits_float(v), c, i, got);
            }
        }
    }
    s->work += (uint64_t)frames * s->channels + 1u;
}

static float param_value(fuzz_input* in) {
    switch (fuzz_u8(in) % 5u) {
    case 0:
        return fuzz_special(fuzz_u8(in));
    case 1:
        return fuzz_float_bits(fuzz_u32(in));
    case 2:
        return (float)fuzz_u16(in); /* frequencies, milliseconds */
    case 3:
        return ((float)fuzz_u8(in) - 128.0f) / 4.0f; /* gains in dB, q */
    default:
        return (float)fuzz_u8(in) / 64.0f; /* amplitudes, seconds */
    }
}

static void op_param(node_state* s, fuzz_input* in) {
    rl_param_message m;
    uint8_t shape = fuzz_u8(in);
    uint32_t k;
    rl_result res;
    memset(&m, 0, sizeof m);
    m.kind = (shape & 1u) ? fuzz_u32(in) : fuzz_u8(in) % 10u;
    m.index = (shape & 2u) ? fuzz_u32(in) : fuzz_u8(in) % 10u;
    m.arg = (shape & 4u) ? fuzz_u32(in) : fuzz_u8(in) % 8u;
    m.reserved = (shape & 8u) ? fuzz_u32(in) : 0u;
    for (k = 0; k < 4u; ++k) {
        m.values[k] = param_value(in);
    }
    res = rl_params_push(s->params, &m);
    if (res == RL_QUEUE_FULL && !s->node_owns_queue) {
        /* Nobody else drains the harness's queue. */
        rl_param_message out;
        while (rl_params_pop(s->params, &out) == RL_OK) {
        }
        res = rl_params_push(s->params, &m);
    }
    FUZZ_CHECK(res == RL_OK || res == RL_QUEUE_FULL, "push returned %d", (int)res);
    if (!s->node_owns_queue) {
        fuzz_block_check(&s->queue, "parameter push");
    }
}

static void op_uninit(node_state* s, fuzz_input* in) {
    rl_ring* attached = NULL;
    uint8_t variant = fuzz_u8(in);
    rl_node_uninit(s->node);
    if (variant & 1u) {
        rl_node_uninit(s->node); /* twice is harmless */
    }
    s->live = 0;
    fuzz_block_check(&s->block, "uninit");
    FUZZ_CHECK_EQ(rl_node_process(s->node, 128), RL_INVALID_ARGS, "process after uninit");
    if (s->ring != NULL) {
        FUZZ_CHECK_EQ(rl_ring_attach(s->ring, s->ring_size, &attached), RL_INVALID_STATE,
                      "attach to the ring of an uninit node");
    }
    if (variant & 2u) {
        node_init(s);
    }
}

static void op_edge_call(node_state* s) {
    FUZZ_CHECK_EQ(rl_node_process(NULL, 128), RL_INVALID_ARGS, "process(NULL)");
    FUZZ_CHECK(rl_node_input(NULL, 0) == NULL, "input(NULL)");
    FUZZ_CHECK(rl_node_output(NULL, 0) == NULL, "output(NULL)");
    FUZZ_CHECK(rl_node_ring(NULL) == NULL, "ring(NULL)");
    FUZZ_CHECK(rl_node_stats(NULL) == NULL, "stats(NULL)");
    rl_node_uninit(NULL);
    (void)s;
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz_input in = fuzz_input_init(data, size);
    node_state s;
    uint8_t probes = fuzz_u8(&in);
    uint32_t ops = 0;
    size_t shortfall;
    unsigned char fill;
    double rate;
    uint8_t mode_byte;
    if ((probes & 0xF0u) == 0xF0u) {
        uint32_t k;
        for (k = 0; k <= (probes & 3u); ++k) {
            probe_config(&in);
        }
    }
    memset(&s, 0, sizeof s);
    mode_byte = fuzz_u8(&in);
    s.mode = mode_byte % 3u;
    s.channels = 1u + fuzz_u8(&in) % RL_RING_MAX_CHANNELS;
    s.capacity = RL_RING_MIN_CAPACITY << (fuzz_u8(&in) % 5u);
    rate = valid_rates[fuzz_u8(&in) % FUZZ_COUNT(valid_rates)];
    s.ring_size =
        s.mode == RL_MODE_EFFECT ? 0u : RL_RING_HEADER_BYTES + (size_t)s.capacity * s.channels * 4u;
    s.salt = fuzz_u32(&in);
    s.cfg = rl_node_config_init((rl_mode)s.mode, s.channels, s.capacity);
    s.cfg.sample_rate = rate;
    /* The mode byte's high bits: a ring at another rate (the next byte picks
     * it), varispeed, or both. Other modes, and rates outside the
     * resampler's range, must be refused; the node is then made without. */
    if ((mode_byte / 3u) & 1u) {
        s.cfg.input_rate = valid_rates[fuzz_u8(&in) % FUZZ_COUNT(valid_rates)];
    }
    s.cfg.varispeed = ((mode_byte / 3u) & 2u) ? 1u : 0u;
    s.resampler = s.cfg.varispeed != 0 || (s.cfg.input_rate != 0.0 && s.cfg.input_rate != rate);
    if (s.resampler) {
        int in_range = s.mode == RL_MODE_SOURCE && rate >= RL_RESAMPLER_MIN_RATE &&
                       rate <= RL_RESAMPLER_MAX_RATE &&
                       (s.cfg.input_rate == 0.0 || (s.cfg.input_rate >= RL_RESAMPLER_MIN_RATE &&
                                                    s.cfg.input_rate <= RL_RESAMPLER_MAX_RATE));
        if (!in_range) {
            FUZZ_CHECK_EQ(rl_node_get_heap_size(&s.cfg, &s.size), RL_INVALID_ARGS,
                          "node get_heap_size, a resampler out of range or mode");
            FUZZ_CHECK_EQ(s.size, 0, "node heap size, a resampler out of range or mode");
            s.cfg.input_rate = 0.0;
            s.cfg.varispeed = 0;
            s.resampler = 0;
        }
    }
    FUZZ_CHECK_EQ(rl_node_get_heap_size(&s.cfg, &s.size), RL_OK, "node get_heap_size");
    /* Garbage, e.g. 0xFF = NaN: init must not rely on zeroed memory. */
    fill = fuzz_u8(&in);
    shortfall = 1u + fuzz_u8(&in);
    s.queue = fuzz_block_alloc(RL_PARAMS_BYTES, fill);
    if (cache_matches(&s, fill)) {
        s.block = g_cache.block;
        memcpy(s.block.base, g_cache.image, s.block.total);
        node_adopt(&s, (rl_node*)(void*)s.block.heap);
    } else {
        s.block = fuzz_block_alloc(s.size, fill);
        expect_refused(&s.cfg, &s.block, fill, s.block.heap, s.size - shortfall, RL_OUT_OF_MEMORY,
                       "node init, heap_size short");
        node_init(&s);
        cache_store(&s, fill);
    }

    while (fuzz_more(&in) && s.work < FUZZ_NODE_BUDGET && ops < 4096u) {
        uint8_t op = fuzz_u8(&in);
        const char* name = "?";
        ++ops;
        switch (op % 10u) {
        case 0:
        case 1:
        case 2:
        case 3:
            name = "process";
            op_process(&s, &in);
            break;
        case 4:
        case 5:
            name = "ring";
            if (s.live && s.mode == RL_MODE_SOURCE) {
                op_ring_write(&s, &in);
            }
            if (s.live && s.mode == RL_MODE_CAPTURE && (op & 0x10u)) {
                op_ring_read(&s, &in);
            }
            break;
        case 6:
        case 7:
            name = "parameter";
            if (s.live) {
                uint32_t n = (op & 0x30u) == 0x30u ? 1u + fuzz_u8(&in) % 70u : 1u;
                while (n-- > 0) {
                    op_param(&s, &in);
                }
            }
            break;
        case 8:
            /* Close often; uninit (and reinit: a full init, the costly part
             * of a run) rarely. */
            if ((op & 0x70u) == 0x40u) {
                name = "uninit";
                if (s.live) {
                    op_uninit(&s, &in);
                } else {
                    node_init(&s);
                }
            } else {
                name = "close";
                if (s.live && s.ring != NULL && (op & 0x10u)) {
                    rl_ring_close(s.ring);
                    s.closed = 1;
                }
            }
            break;
        default:
            name = "edge call";
            op_edge_call(&s);
            break;
        }
        fuzz_block_check(&s.block, name);
    }
    if (s.live) {
        rl_node_uninit(s.node);
    }
    fuzz_block_check(&s.block, "final uninit");
    fuzz_block_free(&s.queue); /* the node's block stays in g_cache */
    return 0;
}
