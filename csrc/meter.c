/* Per-channel peak, RMS and clip meters with a readout any thread can read. */
#include "dsp_internal.h"
#include "internal.h"

#define RL_METER_MAGIC 0x544D4C52u /* "RLMT" */

typedef struct rl_meter_record {
    rl_atomic_u32 peak;
    rl_atomic_u32 rms;
    rl_atomic_u32 clips;
    rl_atomic_u32 quanta;
} rl_meter_record;

_Static_assert(offsetof(rl_meter_record, peak) == RL_METER_OFFSET_PEAK, "layout");
_Static_assert(offsetof(rl_meter_record, rms) == RL_METER_OFFSET_RMS, "layout");
_Static_assert(offsetof(rl_meter_record, clips) == RL_METER_OFFSET_CLIPS, "layout");
_Static_assert(offsetof(rl_meter_record, quanta) == RL_METER_OFFSET_QUANTA, "layout");
_Static_assert(sizeof(rl_meter_record) == RL_METER_CHANNEL_BYTES, "layout");

struct rl_meter {
    uint32_t magic;
    uint32_t channels;
    uint32_t hold_frames;
    uint32_t readout_offset;
    double decay_log; /* ln(gain) per frame of decay */
    double rms_alpha; /* one-pole coefficient per frame */
    /* Audio-thread state; the readout mirrors it. */
    double ms[RL_DSP_MAX_CHANNELS];
    double level[RL_DSP_MAX_CHANNELS];
    uint32_t hold_left[RL_DSP_MAX_CHANNELS];
    uint32_t clips[RL_DSP_MAX_CHANNELS];
    uint32_t quanta[RL_DSP_MAX_CHANNELS];
};

#define RL_METER_HEADER_BYTES (rl_dsp_align64(sizeof(struct rl_meter)))

rl_meter_config rl_meter_config_init(uint32_t channels, double sample_rate) {
    rl_meter_config c;
    c.channels = channels;
    c.sample_rate = sample_rate;
    return c;
}

static int rl_meter_config_valid(const rl_meter_config* c) {
    return c != NULL && c->channels >= 1 && c->channels <= RL_DSP_MAX_CHANNELS &&
           rl_dsp_rate_valid(c->sample_rate);
}

rl_result rl_meter_get_heap_size(const rl_meter_config* config, size_t* heap_size) {
    if (heap_size == NULL) {
        return RL_INVALID_ARGS;
    }
    *heap_size = 0;
    if (!rl_meter_config_valid(config)) {
        return RL_INVALID_ARGS;
    }
    *heap_size = RL_METER_HEADER_BYTES + (size_t)config->channels * RL_METER_CHANNEL_BYTES;
    return RL_OK;
}

static rl_meter_record* rl_meter_records(const rl_meter* m) {
    return (rl_meter_record*)((unsigned char*)(uintptr_t)m + m->readout_offset);
}

rl_result rl_meter_init_preallocated(const rl_meter_config* config, void* heap, size_t heap_size,
                                     rl_meter** meter) {
    size_t need = 0;
    rl_meter* m;
    if (meter == NULL) {
        return RL_INVALID_ARGS;
    }
    *meter = NULL;
    if (!rl_dsp_aligned(heap) || rl_meter_get_heap_size(config, &need) != RL_OK) {
        return RL_INVALID_ARGS;
    }
    if (heap_size < need) {
        return RL_OUT_OF_MEMORY;
    }
    memset(heap, 0, need);
    m = (rl_meter*)heap;
    m->channels = config->channels;
    m->readout_offset = (uint32_t)RL_METER_HEADER_BYTES;
    m->hold_frames = (uint32_t)lround(RL_METER_PEAK_HOLD_MS * 0.001 * config->sample_rate);
    m->decay_log = -RL_METER_PEAK_DECAY_DB_PER_S / 20.0 * rl_log(10.0) / config->sample_rate;
    m->rms_alpha =
        1.0 - rl_exp(-1.0 / (RL_METER_RMS_TIME_CONSTANT_MS * 0.001 * config->sample_rate));
    m->magic = RL_METER_MAGIC;
    *meter = m;
    return RL_OK;
}

void rl_meter_uninit(rl_meter* meter) {
    if (meter != NULL && meter->magic == RL_METER_MAGIC) {
        meter->magic = 0;
    }
}

static int rl_meter_usable(const rl_meter* m) {
    return m != NULL && m->magic == RL_METER_MAGIC;
}

static void rl_meter_publish(rl_meter* m, uint32_t c) {
    rl_meter_record* r = rl_meter_records(m) + c;
    atomic_store_explicit(&r->peak, rl_dsp_bits((float)m->level[c]), memory_order_relaxed);
    atomic_store_explicit(&r->rms, rl_dsp_bits((float)sqrt(m->ms[c])), memory_order_relaxed);
    atomic_store_explicit(&r->clips, m->clips[c], memory_order_relaxed);
    atomic_store_explicit(&r->quanta, m->quanta[c], memory_order_relaxed);
}

/* One channel's quantum: peak, clips and the mean square after it. */
typedef struct rl_meter_scan {
    double ms;
    float peak;
    uint32_t clips;
} rl_meter_scan;

static inline void rl_meter_frame(float x, double alpha, double* ms, float* peak, uint32_t* clips) {
    uint32_t bad = 0;
    float v = rl_dsp_clean(x, &bad);
    float a = fabsf(v);
    *clips += (bad | (a >= 1.0f ? 1u : 0u));
    *peak = a > *peak ? a : *peak;
    *ms += alpha * ((double)v * (double)v - *ms);
}

static void rl_meter_scan_one(const float* x, uint32_t frames, double alpha, rl_meter_scan* s) {
    double ms = s->ms;
    float peak = 0.0f;
    uint32_t clips = 0;
    uint32_t i;
    for (i = 0; i < frames; ++i) {
        rl_meter_frame(x[i], alpha, &ms, &peak, &clips);
    }
    s->ms = ms;
    s->peak = peak;
    s->clips = clips;
}

/* The mean square is a chain of dependent operations, frame after frame;
 * two channels in one loop run two chains side by side. */
static void rl_meter_scan_two(const float* x, const float* y, uint32_t frames, double alpha,
                              rl_meter_scan* s, rl_meter_scan* t) {
    double ms = s->ms;
    double mt = t->ms;
    float ps = 0.0f;
    float pt = 0.0f;
    uint32_t cs = 0;
    uint32_t ct = 0;
    uint32_t i;
    for (i = 0; i < frames; ++i) {
        rl_meter_frame(x[i], alpha, &ms, &ps, &cs);
        rl_meter_frame(y[i], alpha, &mt, &pt, &ct);
    }
    s->ms = ms;
    s->peak = ps;
    s->clips = cs;
    t->ms = mt;
    t->peak = pt;
    t->clips = ct;
}

rl_result rl_meter_process(rl_meter* meter, const float* const* planar, uint32_t channels,
                           uint32_t frames) {
    rl_meter_scan scan[RL_DSP_MAX_CHANNELS];
    uint32_t c;
    if (!rl_meter_usable(meter) ||
        !rl_dsp_const_buffers_valid(planar, channels, frames, meter->channels)) {
        return RL_INVALID_ARGS;
    }
    for (c = 0; c < channels; ++c) {
        scan[c].ms = meter->ms[c];
    }
    for (c = 0; c + 1u < channels; c += 2u) {
        rl_meter_scan_two(planar[c], planar[c + 1u], frames, meter->rms_alpha, &scan[c],
                          &scan[c + 1u]);
    }
    if (c < channels) {
        rl_meter_scan_one(planar[c], frames, meter->rms_alpha, &scan[c]);
    }
    for (c = 0; c < channels; ++c) {
        double ms = scan[c].ms;
        double level = meter->level[c];
        float peak = scan[c].peak;
        uint32_t clips = scan[c].clips;
        uint32_t decay_frames;
        /* Hold, then fall at RL_METER_PEAK_DECAY_DB_PER_S; a new peak at or
         * above the fallen level takes over and restarts the hold. */
        if (meter->hold_left[c] >= frames) {
            meter->hold_left[c] -= frames;
            decay_frames = 0;
        } else {
            decay_frames = frames - meter->hold_left[c];
            meter->hold_left[c] = 0;
        }
        if (decay_frames > 0) {
            level *= rl_exp(meter->decay_log * (double)decay_frames);
        }
        if ((double)peak >= level && peak > 0.0f) {
            level = peak;
            meter->hold_left[c] = meter->hold_frames;
        }
        meter->level[c] = rl_dsp_flush(level);
        meter->ms[c] = ms < 1e-30 ? 0.0 : ms;
        meter->clips[c] += clips;
        meter->quanta[c] += 1u;
        rl_meter_publish(meter, c);
    }
    return RL_OK;
}

void rl_meter_reset(rl_meter* meter) {
    uint32_t c;
    if (!rl_meter_usable(meter)) {
        return;
    }
    for (c = 0; c < meter->channels; ++c) {
        meter->ms[c] = 0.0;
        meter->level[c] = 0.0;
        meter->hold_left[c] = 0;
        meter->clips[c] = 0;
        meter->quanta[c] = 0;
        rl_meter_publish(meter, c);
    }
}

const void* rl_meter_readout(const rl_meter* meter) {
    return rl_meter_usable(meter) ? (const void*)rl_meter_records(meter) : NULL;
}

static rl_meter_record* rl_meter_record_at(const rl_meter* meter, uint32_t channel) {
    if (!rl_meter_usable(meter) || channel >= meter->channels) {
        return NULL;
    }
    return rl_meter_records(meter) + channel;
}

float rl_meter_peak(const rl_meter* meter, uint32_t channel) {
    rl_meter_record* r = rl_meter_record_at(meter, channel);
    return r == NULL ? 0.0f
                     : rl_dsp_from_bits(atomic_load_explicit(&r->peak, memory_order_relaxed));
}

float rl_meter_rms(const rl_meter* meter, uint32_t channel) {
    rl_meter_record* r = rl_meter_record_at(meter, channel);
    return r == NULL ? 0.0f : rl_dsp_from_bits(atomic_load_explicit(&r->rms, memory_order_relaxed));
}

uint32_t rl_meter_clips(const rl_meter* meter, uint32_t channel) {
    rl_meter_record* r = rl_meter_record_at(meter, channel);
    return r == NULL ? 0u : atomic_load_explicit(&r->clips, memory_order_relaxed);
}
