/* The node one AudioWorkletProcessor drives: input -> chain -> output. */
#include "internal.h"

#include <math.h>
#include <string.h>

/* Every part of a node lives in its one heap block, at these offsets from the
 * node's start (each 64-byte aligned), so the whole node can sit in a shared
 * WebAssembly.Memory that other threads read. */
struct rl_node {
    uint32_t magic;
    uint32_t mode;
    uint32_t channels;
    uint32_t in_offset;
    uint32_t out_offset;
    uint32_t ring_offset;
    uint32_t ring_bytes;
    uint32_t primed; /* source: the ring has delivered a frame since init */
    unsigned char pad0[32];
    /* Statistics block, RL_STATS_OFFSET_* relative to here. */
    rl_atomic_u64 frames_processed;
    rl_atomic_u32 quanta;
    rl_atomic_u32 silent_frames;
    rl_atomic_u32 latency_bits;   /* float32 */
    rl_atomic_u32 lookahead_bits; /* float32 */
    rl_atomic_u32 heard_frames;
    unsigned char pad1[36];
    /* The chain. Pointers into this block, fixed at init. */
    rl_params* params;
    float* gain_values;
    rl_gain* gain;
    rl_eq* eq;
    rl_limiter* limiter;
    rl_meter* meter;
    rl_timebuf* timebuf;
    rl_generator* generator;
    rl_resampler* resampler; /* NULL unless input_rate differs or varispeed */
    float* rate_values;      /* NULL unless varispeed */
    double sample_rate;
    float gain_hold; /* the last gain value given, held while none arrive */
    uint32_t gain_bypass;
    uint32_t limiter_bypass;
    uint32_t meter_bypass;
    uint32_t generator_on;   /* the generator is the node's input */
    uint32_t generator_fade; /* frames of fade-out left after a stop */
    uint32_t generator_fade_frames;
    uint32_t varispeed;
    uint32_t resampling; /* the resampler is between the ring and the chain */
    uint32_t fresh;      /* nothing read from the ring since the last resampler reset */
    float rate_hold;     /* the last playback rate given, held while none arrive */
    double in_rate;      /* the ring's rate after the last rate mark taken */
};

_Static_assert(offsetof(struct rl_node, frames_processed) == 64, "stats block is 64-aligned");
_Static_assert(offsetof(struct rl_node, quanta) - 64 == RL_STATS_OFFSET_QUANTA, "layout");
_Static_assert(offsetof(struct rl_node, silent_frames) - 64 == RL_STATS_OFFSET_SILENT_FRAMES,
               "layout");
_Static_assert(offsetof(struct rl_node, latency_bits) - 64 == RL_STATS_OFFSET_LATENCY_FRAMES,
               "layout");
_Static_assert(offsetof(struct rl_node, lookahead_bits) - 64 == RL_STATS_OFFSET_LOOKAHEAD_FRAMES,
               "layout");
_Static_assert(offsetof(struct rl_node, heard_frames) - 64 == RL_STATS_OFFSET_HEARD_FRAMES,
               "layout");
_Static_assert(offsetof(struct rl_node, params) == 64 + RL_STATS_BYTES, "layout");

#define RL_PLANE_BYTES (RL_MAX_QUANTUM_FRAMES * sizeof(float))

static size_t rl_align64(size_t n) {
    return (n + 63u) & ~(size_t)63u;
}

rl_node_config rl_node_config_init(rl_mode mode, uint32_t channels, uint32_t capacity_frames) {
    rl_node_config c;
    c.mode = mode;
    c.channels = channels;
    c.capacity_frames = capacity_frames;
    c.sample_rate = 48000.0;
    c.input_rate = 0.0;
    c.varispeed = 0;
    return c;
}

/* Each module's config, and where each part goes (sizes from each module's
 * own get_heap_size). rl_node_get_heap_size and rl_node_init_preallocated
 * share one plan, so they cannot disagree. */
typedef struct rl_node_plan {
    rl_ring_config rc;
    rl_gain_config gc;
    rl_eq_config ec;
    rl_limiter_config lc;
    rl_meter_config mc;
    rl_timebuf_config tc;
    rl_generator_config nc;
    rl_resampler_config sc;
    int resampled;
    size_t params;
    size_t gain_values;
    size_t gain;
    size_t eq;
    size_t limiter;
    size_t meter;
    size_t timebuf;
    size_t generator;
    size_t resampler;
    size_t rate_values;
    size_t in;
    size_t out;
    size_t ring;
    size_t ring_bytes;
    size_t total;
} rl_node_plan;

static int rl_node_plan_for(const rl_node_config* config, rl_node_plan* plan) {
    size_t sizes[7];
    size_t at;
    double input_rate;
    if (config == NULL || (config->mode != RL_MODE_SOURCE && config->mode != RL_MODE_EFFECT &&
                           config->mode != RL_MODE_CAPTURE)) {
        return 0;
    }
    /* 0 means the context's rate; anything else is a rate the ring runs at. */
    input_rate = config->input_rate == 0.0 ? config->sample_rate : config->input_rate;
    plan->resampled = input_rate != config->sample_rate || config->varispeed != 0;
    if (plan->resampled && config->mode != RL_MODE_SOURCE) {
        return 0;
    }
    sizes[6] = 0;
    if (plan->resampled) {
        plan->sc = rl_resampler_config_init(config->channels, input_rate, config->sample_rate);
        /* The ring's producer may change the rate (rate marks) to any the
         * resampler takes. */
        plan->sc.max_input_rate = RL_RESAMPLER_MAX_RATE;
        if (rl_resampler_get_heap_size(&plan->sc, &sizes[6]) != RL_OK) {
            return 0;
        }
    }
    plan->rc = rl_ring_config_init(config->channels, config->capacity_frames);
    plan->ring_bytes = 0;
    plan->gc = rl_gain_config_init(config->sample_rate);
    plan->ec = rl_eq_config_init(config->channels, config->sample_rate, RL_EQ_DEFAULT_BANDS);
    plan->lc = rl_limiter_config_init(config->sample_rate);
    plan->mc = rl_meter_config_init(config->channels, config->sample_rate);
    plan->tc = rl_timebuf_config_init(RL_TIMEBUF_DEFAULT_CAPACITY);
    plan->nc = rl_generator_config_init(config->sample_rate);
    /* An effect node moves its inputs to its outputs: it has no ring, and
     * checks its channel count itself. */
    if ((config->mode == RL_MODE_EFFECT
             ? config->channels == 0u || config->channels > RL_RING_MAX_CHANNELS
             : rl_ring_get_heap_size(&plan->rc, &plan->ring_bytes) != RL_OK) ||
        rl_gain_get_heap_size(&plan->gc, &sizes[0]) != RL_OK ||
        rl_eq_get_heap_size(&plan->ec, &sizes[1]) != RL_OK ||
        rl_limiter_get_heap_size(&plan->lc, &sizes[2]) != RL_OK ||
        rl_meter_get_heap_size(&plan->mc, &sizes[3]) != RL_OK ||
        rl_timebuf_get_heap_size(&plan->tc, &sizes[4]) != RL_OK ||
        rl_generator_get_heap_size(&plan->nc, &sizes[5]) != RL_OK) {
        return 0;
    }
    at = rl_align64(sizeof(struct rl_node));
    plan->params = at;
    at += rl_align64(RL_PARAMS_BYTES);
    plan->gain_values = at;
    at += rl_align64(RL_PLANE_BYTES);
    plan->gain = at;
    at += rl_align64(sizes[0]);
    plan->eq = at;
    at += rl_align64(sizes[1]);
    plan->limiter = at;
    at += rl_align64(sizes[2]);
    plan->meter = at;
    at += rl_align64(sizes[3]);
    plan->timebuf = at;
    at += rl_align64(sizes[4]);
    plan->generator = at;
    at += rl_align64(sizes[5]);
    plan->resampler = at;
    at += rl_align64(sizes[6]);
    plan->rate_values = at;
    at += config->varispeed != 0 ? rl_align64(RL_PLANE_BYTES) : 0u;
    plan->in = at;
    at += RL_PLANE_BYTES * config->channels;
    plan->out = at;
    at += RL_PLANE_BYTES * config->channels;
    plan->ring = rl_align64(at);
    plan->total = plan->ring + plan->ring_bytes;
    return 1;
}

rl_result rl_node_get_heap_size(const rl_node_config* config, size_t* heap_size) {
    rl_node_plan plan;
    if (heap_size == NULL) {
        return RL_INVALID_ARGS;
    }
    *heap_size = 0;
    if (!rl_node_plan_for(config, &plan)) {
        return RL_INVALID_ARGS;
    }
    *heap_size = plan.total;
    return RL_OK;
}

rl_result rl_node_init_preallocated(const rl_node_config* config, void* heap, size_t heap_size,
                                    rl_node** node) {
    rl_node_plan plan;
    unsigned char* base = (unsigned char*)heap;
    struct rl_node* n;
    rl_ring* ring = NULL;
    rl_result r;
    if (node == NULL) {
        return RL_INVALID_ARGS;
    }
    *node = NULL;
    if (heap == NULL || ((uintptr_t)heap & 63u) != 0 || !rl_node_plan_for(config, &plan)) {
        return RL_INVALID_ARGS;
    }
    if (heap_size < plan.total) {
        return RL_OUT_OF_MEMORY;
    }
    memset(heap, 0, sizeof(struct rl_node));
    n = (struct rl_node*)heap;
    n->mode = (uint32_t)config->mode;
    n->channels = config->channels;
    n->sample_rate = config->sample_rate;
    n->in_offset = (uint32_t)plan.in;
    n->out_offset = (uint32_t)plan.out;
    n->ring_offset = plan.ring_bytes != 0 ? (uint32_t)plan.ring : 0u;
    n->ring_bytes = (uint32_t)plan.ring_bytes;
    n->gain_values = (float*)(void*)(base + plan.gain_values);
    n->gain_hold = 1.0f;
    n->rate_hold = 1.0f;
    n->varispeed = config->varispeed != 0;
    n->in_rate = config->input_rate == 0.0 ? config->sample_rate : config->input_rate;
    n->fresh = 1u;
    n->rate_values = n->varispeed ? (float*)(void*)(base + plan.rate_values) : NULL;
    memset(base + plan.in, 0, plan.ring - plan.in);
    if ((r = rl_params_init(base + plan.params, RL_PARAMS_BYTES, &n->params)) != RL_OK ||
        (r = rl_gain_init_preallocated(&plan.gc, base + plan.gain, plan.eq - plan.gain,
                                       &n->gain)) != RL_OK ||
        (r = rl_eq_init_preallocated(&plan.ec, base + plan.eq, plan.limiter - plan.eq, &n->eq)) !=
            RL_OK ||
        (r = rl_limiter_init_preallocated(&plan.lc, base + plan.limiter, plan.meter - plan.limiter,
                                          &n->limiter)) != RL_OK ||
        (r = rl_meter_init_preallocated(&plan.mc, base + plan.meter, plan.timebuf - plan.meter,
                                        &n->meter)) != RL_OK ||
        (r = rl_timebuf_init_preallocated(&plan.tc, base + plan.timebuf,
                                          plan.generator - plan.timebuf, &n->timebuf)) != RL_OK ||
        (r = rl_generator_init_preallocated(&plan.nc, base + plan.generator,
                                            plan.resampler - plan.generator, &n->generator)) !=
            RL_OK ||
        (plan.resampled && (r = rl_resampler_init_preallocated(&plan.sc, base + plan.resampler,
                                                               plan.rate_values - plan.resampler,
                                                               &n->resampler)) != RL_OK) ||
        (plan.ring_bytes != 0 &&
         (r = rl_ring_init_preallocated(&plan.rc, base + plan.ring, plan.ring_bytes, &ring)) !=
             RL_OK)) {
        return r;
    }
    n->generator_fade_frames = (uint32_t)ceil(RL_GENERATOR_FADE_MS * config->sample_rate / 1000.0);
    /* With equal rates the node copies its ring until a playback rate other
     * than 1 arrives; otherwise it resamples from the start. */
    n->resampling = n->resampler != NULL && n->in_rate != n->sample_rate;
    if (ring != NULL && n->resampler != NULL) {
        rl_ring_take_rates(ring, 1);
    }
    n->magic = RL_NODE_MAGIC;
    *node = n;
    return RL_OK;
}

void rl_node_uninit(rl_node* node) {
    if (node != NULL && node->magic == RL_NODE_MAGIC) {
        if (node->ring_offset != 0) {
            rl_ring_uninit(rl_node_ring(node));
        }
        node->magic = 0;
    }
}

float* rl_node_input(rl_node* node, uint32_t channel) {
    if (node == NULL || channel >= node->channels) {
        return NULL;
    }
    return (float*)((unsigned char*)node + node->in_offset + (size_t)channel * RL_PLANE_BYTES);
}

float* rl_node_output(rl_node* node, uint32_t channel) {
    if (node == NULL || channel >= node->channels) {
        return NULL;
    }
    return (float*)((unsigned char*)node + node->out_offset + (size_t)channel * RL_PLANE_BYTES);
}

rl_ring* rl_node_ring(rl_node* node) {
    return node == NULL || node->ring_offset == 0
               ? NULL
               : (rl_ring*)((unsigned char*)node + node->ring_offset);
}

void* rl_node_stats(rl_node* node) {
    return node == NULL ? NULL : (void*)&node->frames_processed;
}

rl_params* rl_node_params(rl_node* node) {
    return node == NULL ? NULL : node->params;
}

float* rl_node_gain_values(rl_node* node) {
    return node == NULL ? NULL : node->gain_values;
}

float* rl_node_playback_rate_values(rl_node* node) {
    return node == NULL ? NULL : node->rate_values;
}

const rl_resampler* rl_node_resampler(rl_node* node) {
    return node == NULL ? NULL : node->resampler;
}

const void* rl_node_meters(rl_node* node) {
    return node == NULL ? NULL : rl_meter_readout(node->meter);
}

const void* rl_node_timebuf(rl_node* node) {
    return node == NULL ? NULL : (const void*)node->timebuf;
}

static void rl_node_count(struct rl_node* n, uint32_t frames, uint32_t silent) {
    /* Single writer (the audio thread): load-then-store, no read-modify-write. */
    atomic_store_explicit(&n->frames_processed,
                          atomic_load_explicit(&n->frames_processed, memory_order_relaxed) + frames,
                          memory_order_relaxed);
    atomic_store_explicit(&n->quanta, atomic_load_explicit(&n->quanta, memory_order_relaxed) + 1u,
                          memory_order_relaxed);
    {
        double ahead = n->resampling ? rl_resampler_lookahead(n->resampler) : 0.0;
        float latency = n->resampling ? (float)rl_resampler_latency(n->resampler) : 0.0f;
        float lookahead = (float)ahead;
        uint32_t bits;
        memcpy(&bits, &latency, sizeof bits);
        atomic_store_explicit(&n->latency_bits, bits, memory_order_relaxed);
        memcpy(&bits, &lookahead, sizeof bits);
        atomic_store_explicit(&n->lookahead_bits, bits, memory_order_relaxed);
        if (n->mode == RL_MODE_SOURCE && n->ring_offset != 0) {
            /* The read count less the lookahead, rounded down; below 0
             * (before the first frame is heard) and past 2^32 it wraps, as
             * the count does. This thread is the ring's reader: its own
             * index needs no ordering. */
            uint32_t read =
                atomic_load_explicit(&rl_node_ring(n)->read_index, memory_order_relaxed);
            double heard = floor((double)read - ahead);
            atomic_store_explicit(&n->heard_frames, (uint32_t)(int64_t)heard, memory_order_relaxed);
        }
    }
    if (silent > 0) {
        atomic_store_explicit(&n->silent_frames,
                              atomic_load_explicit(&n->silent_frames, memory_order_relaxed) +
                                  silent,
                              memory_order_relaxed);
    }
}

/* Applies one queued setting. A message the module refuses changes nothing
 * and is counted, so the main thread can see it. */
static void rl_node_apply(struct rl_node* n, const rl_param_message* m) {
    rl_result r = RL_OK;
    rl_eq_band band;
    switch (m->kind) {
    case RL_PARAM_EQ_BAND:
        band.type = (rl_biquad_type)m->arg;
        band.frequency = (double)m->values[0];
        band.q = (double)m->values[1];
        band.gain_db = (double)m->values[2];
        r = m->arg <= (uint32_t)RL_BIQUAD_ALLPASS ? rl_eq_set_band(n->eq, m->index, &band)
                                                  : RL_INVALID_ARGS;
        break;
    case RL_PARAM_EQ_BYPASS:
        rl_eq_set_bypass(n->eq, m->arg != 0u);
        break;
    case RL_PARAM_LIMITER:
        r = rl_limiter_set(n->limiter, (double)m->values[0], (double)m->values[1],
                           (double)m->values[2]);
        break;
    case RL_PARAM_LIMITER_BYPASS:
        n->limiter_bypass = m->arg != 0u;
        break;
    case RL_PARAM_GENERATOR:
        if (m->arg > (uint32_t)RL_WAVEFORM_LAST || !(m->values[0] > 0.0f) ||
            !(m->values[2] > 0.0f) || !(m->values[3] > 0.0f)) {
            r = RL_INVALID_ARGS;
            break;
        }
        /* Validate everything before changing anything. */
        r = rl_generator_set_frequency(n->generator, (double)m->values[0]);
        if (r == RL_OK) {
            r = rl_generator_set_amplitude(n->generator, (double)m->values[1]);
        }
        if (r == RL_OK && m->arg == (uint32_t)RL_WAVEFORM_SWEEP) {
            r = rl_generator_set_sweep(n->generator, (double)m->values[0], (double)m->values[2],
                                       (double)m->values[3], 0);
        }
        if (r == RL_OK) {
            r = rl_generator_set_waveform(n->generator, (rl_waveform)m->arg);
        }
        break;
    case RL_PARAM_GENERATOR_RUN:
        if (m->arg != 0u) {
            rl_generator_start(n->generator);
            n->generator_on = 1u;
            n->generator_fade = 0;
        } else if (n->generator_on) {
            rl_generator_stop(n->generator);
            n->generator_on = 0;
            n->generator_fade = n->generator_fade_frames;
        }
        break;
    case RL_PARAM_GAIN_BYPASS:
        n->gain_bypass = m->arg != 0u;
        break;
    case RL_PARAM_METER_BYPASS:
        n->meter_bypass = m->arg != 0u;
        break;
    case RL_PARAM_RESAMPLER_RESET:
        if (n->resampler == NULL) {
            r = RL_INVALID_ARGS;
        } else if (n->in_rate == n->sample_rate && n->rate_hold == 1.0f &&
                   rl_resampler_speed(n->resampler) == 1.0 &&
                   rl_resampler_rate_changes(n->resampler) == 0u) {
            n->resampling = 0;
            n->fresh = 1u;
        } else {
            r = rl_resampler_reset(n->resampler, RL_RESAMPLER_START_SILENT, 0.0);
            n->fresh = 1u;
        }
        break;
    default:
        r = RL_INVALID_ARGS;
        break;
    }
    if (r != RL_OK) {
        rl_params_count_rejected(n->params);
    }
}

#ifdef RL_TEST_HOOKS
/* Test builds only: a trap armed from another thread fires inside the next
 * call that checks it (rl_node_process, and the wasm entries the main thread
 * calls), proving the panic boundary around each. */
static _Atomic uint32_t rl_test_trap_armed;

void rl_test_arm_trap(void) {
    atomic_store_explicit(&rl_test_trap_armed, 1u, memory_order_release);
}

void rl_test_trap_if_armed(const char* where) {
    if (atomic_exchange_explicit(&rl_test_trap_armed, 0u, memory_order_acq_rel) != 0u) {
        rl_panic(RL_PANIC_TEST, where);
    }
}
#endif

/* Ring frames before ring frame `at` (negative once read past it). */
static int64_t rl_node_ahead(rl_ring* ring, uint32_t at) {
    return (int64_t)(int32_t)(at - atomic_load_explicit(&ring->read_index, memory_order_relaxed));
}

/* Whether the node would copy its ring: at the context's rate, speed 1. */
static int rl_node_at_rest(const struct rl_node* n) {
    return n->in_rate == n->sample_rate && n->rate_hold == 1.0f &&
           rl_resampler_speed(n->resampler) == 1.0;
}

/*
 * Takes the ring's rate marks: the producer queues each before the frame it
 * starts at, so a mark is seen before its frame is read. Resampling, each
 * goes to the resampler at once (rl_resampler_set_input_rate), far enough
 * ahead to be exact while the ring holds more than the resampler's reach.
 * Copying, the node goes on copying until the quantum before a change can
 * no longer wait, then starts the resampler directly (RL_RESAMPLER_START_DIRECT,
 * at least RL_RESAMPLER_SPEED_DELAY_FRAMES + 1 frames before the change, so
 * its warm-up is over and the change lands exactly). A change at the very
 * next frame with nothing held (the first frame after a reset, or after an
 * underrun while copying) restarts the resampler at the new rate, or goes
 * back to copying when that rate is the context's. `may_reset` is 0 inside
 * the resampler's pull. Audio thread; at most RL_RING_RATE_MARKS marks.
 */
static void rl_node_take_marks(struct rl_node* n, uint32_t frames, int may_reset) {
    rl_ring* ring = rl_node_ring(n);
    uint32_t i;
    for (i = 0; i < RL_RING_RATE_MARKS; ++i) {
        uint32_t at;
        double rate;
        int64_t ahead;
        if (rl_ring_peek_rate(ring, &at, &rate) != RL_OK) {
            return;
        }
        ahead = rl_node_ahead(ring, at);
        if (rate == n->in_rate) {
            rl_ring_pop_rate(ring);
            continue;
        }
        if (may_reset && ahead <= 0 && (n->fresh || !n->resampling)) {
            if (rl_resampler_reset_rate(n->resampler, RL_RESAMPLER_START_SILENT, 0.0, rate) !=
                RL_OK) {
                return;
            }
            n->in_rate = rate;
            n->resampling = !rl_node_at_rest(n);
            n->fresh = 1u;
        } else if (!n->resampling) {
            if (!may_reset ||
                ahead >= (int64_t)frames + (int64_t)RL_RESAMPLER_SPEED_DELAY_FRAMES + 1) {
                return; /* copy on: the switch can wait for a later quantum */
            }
            if (rl_resampler_reset(n->resampler, RL_RESAMPLER_START_DIRECT, 1.0) != RL_OK ||
                rl_resampler_set_input_rate(n->resampler, rate, ahead) != RL_OK) {
                return;
            }
            n->resampling = 1u;
            n->in_rate = rate;
        } else {
            if (rl_resampler_set_input_rate(n->resampler, rate, ahead) != RL_OK) {
                return; /* the resampler holds all it can: reads stop at this mark */
            }
            n->in_rate = rate;
        }
        rl_ring_pop_rate(ring);
    }
}

/* The resampler's input: the ring. A short read of a ring that is closed and
 * now empty is the end of the stream (the filter's tail then plays). Marks
 * that arrived meanwhile go to the resampler first; a mark it has no room
 * for stops the read at its frame. */
static uint32_t rl_node_pull(void* user, float* const* planar, uint32_t frames, int* ended) {
    struct rl_node* n = (struct rl_node*)user;
    rl_ring* ring = rl_node_ring(n);
    uint32_t moved = 0;
    uint32_t at;
    double rate;
    rl_result r;
    rl_node_take_marks(n, frames, 0);
    if (rl_ring_peek_rate(ring, &at, &rate) == RL_OK) {
        int64_t ahead = rl_node_ahead(ring, at);
        if (ahead < (int64_t)frames) {
            frames = ahead > 0 ? (uint32_t)ahead : 0u;
        }
        if (frames == 0) {
            return 0;
        }
    }
    r = rl_ring_read_planar(ring, planar, frames, &moved);
    if (moved > 0) {
        n->fresh = 0;
    }
    if (r == RL_CLOSED ||
        (moved < frames && rl_ring_is_closed(ring) && rl_ring_available_read(ring) == 0)) {
        *ended = 1;
    }
    return moved;
}

/* Whether this quantum's playback rates leave 1 (non-finite ones are ignored). */
static int rl_node_rate_moves(const float* rates, uint32_t count) {
    uint32_t i;
    for (i = 0; i < count; ++i) {
        if (isfinite(rates[i]) && rates[i] != 1.0f) {
            return 1;
        }
    }
    return 0;
}

/* Converts from the ring's rate for this quantum. Returns the silent frames. */
static uint32_t rl_node_resample(struct rl_node* n, float* const* out, uint32_t frames,
                                 const float* rates, uint32_t count) {
    uint32_t made = 0;
    uint32_t c;
    if (!n->resampling && rl_node_rate_moves(rates, count)) {
        rl_resampler_reset(n->resampler, RL_RESAMPLER_START_DIRECT, 1.0);
        n->resampling = 1u;
    }
    if (!n->resampling) {
        return UINT32_MAX; /* copy the ring straight through */
    }
    /* RL_CLOSED (the stream has ended and its tail has played) is no error. */
    (void)rl_resampler_process(n->resampler, out, frames, rates, count, rl_node_pull, n, &made);
    for (c = 0; c < n->channels; ++c) {
        memset(out[c] + made, 0, (size_t)(frames - made) * sizeof(float));
    }
    return frames - made;
}

/* The node's input for this quantum, into the output planes. Returns the
 * frames of silence a starved source had to emit. */
static uint32_t rl_node_input_stage(struct rl_node* n, float* const* out, uint32_t frames,
                                    const float* rates, uint32_t rate_count, rl_result* result) {
    uint32_t c;
    uint32_t moved = 0;
    if (n->generator_on || n->generator_fade > 0) {
        rl_generator_process(n->generator, out, n->channels, frames);
        n->generator_fade = n->generator_fade > frames ? n->generator_fade - frames : 0;
        return 0;
    }
    if (n->mode != RL_MODE_SOURCE) {
        for (c = 0; c < n->channels; ++c) {
            memcpy(out[c], rl_node_input(n, c), (size_t)frames * sizeof(float));
        }
        return 0;
    }
    /* Until the first frame arrives the node has not started playing: it
     * outputs silence without counting an underrun (a node created on a
     * running context is processed before anyone has fed it). */
    if (!n->primed && rl_ring_available_read(rl_node_ring(n)) == 0) {
        for (c = 0; c < n->channels; ++c) {
            memset(out[c], 0, (size_t)frames * sizeof(float));
        }
        return 0;
    }
    n->primed = 1u;
    if (n->resampler != NULL) {
        uint32_t silent;
        rl_node_take_marks(n, frames, 1);
        silent = rl_node_resample(n, out, frames, rates, rate_count);
        if (silent != UINT32_MAX) {
            return silent;
        }
    }
    *result = rl_ring_read_planar(rl_node_ring(n), out, frames, &moved);
    if (moved > 0) {
        n->fresh = 0;
    }
    for (c = 0; c < n->channels; ++c) {
        memset(out[c] + moved, 0, (size_t)(frames - moved) * sizeof(float));
    }
    /* A drained, closed ring is the end of a stream, not an error. */
    if (*result == RL_CLOSED) {
        *result = RL_OK;
    }
    return frames - moved;
}

rl_result rl_node_process_audio_params(rl_node* node, uint32_t frames, uint32_t gain_value_count,
                                       uint32_t playback_rate_value_count) {
    struct rl_node* n = node;
    const float* rates;
    uint32_t rate_count = playback_rate_value_count;
    float* out[RL_RING_MAX_CHANNELS];
    rl_param_message message;
    uint32_t silent;
    uint32_t moved = 0;
    uint32_t c;
    uint32_t i;
    rl_result result = RL_OK;
    if (n == NULL || n->magic != RL_NODE_MAGIC || frames == 0 || frames > RL_MAX_QUANTUM_FRAMES ||
        (gain_value_count != 0 && gain_value_count != 1 && gain_value_count != frames) ||
        (rate_count != 0 && (!n->varispeed || (rate_count != 1 && rate_count != frames)))) {
        return RL_INVALID_ARGS;
    }
#ifdef RL_TEST_HOOKS
    rl_test_trap_if_armed("forced trap inside rl_node_process (RL_TEST_HOOKS build)");
#endif
    /* Settings take effect on a quantum boundary; at most one queue's worth
     * per quantum keeps the loop bounded. */
    for (i = 0; i < RL_PARAMS_CAPACITY && rl_params_pop(n->params, &message) == RL_OK; ++i) {
        rl_node_apply(n, &message);
    }
    for (c = 0; c < n->channels; ++c) {
        out[c] = rl_node_output(n, c);
    }
    /* No values: the last constant given holds. */
    if (rate_count == 0) {
        rates = &n->rate_hold;
        rate_count = 1;
    } else {
        rates = n->rate_values;
        if (isfinite(rates[rate_count - 1])) {
            n->rate_hold = rates[rate_count - 1];
        }
    }
    silent = rl_node_input_stage(n, out, frames, rates, rate_count, &result);
    /* A non-finite sample never enters the chain. */
    for (c = 0; c < n->channels; ++c) {
        float* x = out[c];
        for (i = 0; i < frames; ++i) {
            if (!isfinite(x[i])) {
                x[i] = 0.0f;
            }
        }
    }
    if (!n->gain_bypass) {
        if (gain_value_count == 0) {
            rl_gain_process(n->gain, out, n->channels, frames, &n->gain_hold, 1);
        } else {
            n->gain_hold = n->gain_values[gain_value_count - 1];
            rl_gain_process(n->gain, out, n->channels, frames, n->gain_values, gain_value_count);
        }
    }
    rl_eq_process(n->eq, out, n->channels, frames);
    if (!n->limiter_bypass) {
        rl_limiter_process(n->limiter, out, n->channels, frames);
    }
    if (!n->meter_bypass) {
        rl_meter_process(n->meter, (const float* const*)out, n->channels, frames);
    }
    rl_timebuf_process(n->timebuf, (const float* const*)out, n->channels, frames);
    if (n->mode == RL_MODE_CAPTURE) {
        result = rl_ring_write_planar(rl_node_ring(n), (const float* const*)out, frames, &moved);
        if (result == RL_CLOSED) {
            result = RL_OK;
        }
    }
    rl_node_count(n, frames, silent);
    return result;
}

rl_result rl_node_process_gain(rl_node* node, uint32_t frames, uint32_t gain_value_count) {
    return rl_node_process_audio_params(node, frames, gain_value_count, 0);
}

rl_result rl_node_process(rl_node* node, uint32_t frames) {
    return rl_node_process_gain(node, frames, 0);
}
