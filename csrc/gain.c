/* Gain with AudioParam-style values: a-rate exact, constants smoothed. */
#include "dsp_internal.h"

#define RL_GAIN_MAGIC 0x4E474C52u /* "RLGN" */

struct rl_gain {
    uint32_t magic;
    uint32_t ramp_frames; /* RL_GAIN_SMOOTHING_MS at the sample rate */
    uint32_t ramp_left;   /* frames left in the running ramp */
    float target;         /* the last good value */
    double current;       /* gain of the last frame */
    double step;          /* per frame while ramping */
};

rl_gain_config rl_gain_config_init(double sample_rate) {
    rl_gain_config c;
    c.sample_rate = sample_rate;
    c.initial_gain = 1.0f;
    return c;
}

static int rl_gain_config_valid(const rl_gain_config* c) {
    return c != NULL && rl_dsp_rate_valid(c->sample_rate) && isfinite(c->initial_gain);
}

rl_result rl_gain_get_heap_size(const rl_gain_config* config, size_t* heap_size) {
    if (heap_size == NULL) {
        return RL_INVALID_ARGS;
    }
    *heap_size = 0;
    if (!rl_gain_config_valid(config)) {
        return RL_INVALID_ARGS;
    }
    *heap_size = rl_dsp_align64(sizeof(struct rl_gain));
    return RL_OK;
}

rl_result rl_gain_init_preallocated(const rl_gain_config* config, void* heap, size_t heap_size,
                                    rl_gain** gain) {
    size_t need = 0;
    rl_gain* g;
    if (gain == NULL) {
        return RL_INVALID_ARGS;
    }
    *gain = NULL;
    if (!rl_dsp_aligned(heap) || rl_gain_get_heap_size(config, &need) != RL_OK) {
        return RL_INVALID_ARGS;
    }
    if (heap_size < need) {
        return RL_OUT_OF_MEMORY;
    }
    memset(heap, 0, need);
    g = (rl_gain*)heap;
    g->ramp_frames = (uint32_t)lround(RL_GAIN_SMOOTHING_MS * 0.001 * config->sample_rate);
    if (g->ramp_frames < 1) {
        g->ramp_frames = 1;
    }
    g->target = config->initial_gain;
    g->current = config->initial_gain;
    g->magic = RL_GAIN_MAGIC;
    *gain = g;
    return RL_OK;
}

void rl_gain_uninit(rl_gain* gain) {
    if (gain != NULL && gain->magic == RL_GAIN_MAGIC) {
        gain->magic = 0;
    }
}

float rl_gain_current(const rl_gain* gain) {
    return gain != NULL && gain->magic == RL_GAIN_MAGIC ? (float)gain->current : 0.0f;
}

/* y = x * g in float as GainNode does; x*g can overflow for a huge gain,
 * and rl_dsp_clean turns that into 0. */
static void rl_gain_apply_constant(float* x, uint32_t frames, float g) {
    uint32_t bad = 0;
    uint32_t i;
    for (i = 0; i < frames; ++i) {
        x[i] = rl_dsp_clean(x[i] * g, &bad);
    }
}

/* Gains are worked out per chunk of this many frames, then applied channel
 * by channel so the multiply loops vectorise. */
#define RL_GAIN_CHUNK 128u

static void rl_gain_apply(float* x, const float* g, uint32_t n) {
    uint32_t bad = 0;
    uint32_t i;
    for (i = 0; i < n; ++i) {
        x[i] = rl_dsp_clean(x[i] * g[i], &bad);
    }
}

rl_result rl_gain_process(rl_gain* gain, float* const* planar, uint32_t channels, uint32_t frames,
                          const float* values, uint32_t value_count) {
    float g[RL_GAIN_CHUNK];
    uint32_t c;
    uint32_t i;
    uint32_t done;
    if (gain == NULL || gain->magic != RL_GAIN_MAGIC ||
        !rl_dsp_buffers_valid(planar, channels, frames, RL_DSP_MAX_CHANNELS) || values == NULL ||
        (value_count != 1 && value_count != frames)) {
        return RL_INVALID_ARGS;
    }
    for (c = 0; c < channels; ++c) {
        (void)rl_dsp_sanitize(planar[c], frames);
    }
    if (value_count == 1) {
        float v = values[0];
        if (isfinite(v) && v != gain->target) {
            gain->target = v;
            gain->ramp_left = gain->ramp_frames;
            gain->step = ((double)v - gain->current) / (double)gain->ramp_frames;
        }
        if (gain->ramp_left == 0) {
            /* Settled: exact, and free at unity. */
            if (gain->target != 1.0f) {
                for (c = 0; c < channels; ++c) {
                    rl_gain_apply_constant(planar[c], frames, gain->target);
                }
            }
            return RL_OK;
        }
    }
    for (done = 0; done < frames; done += RL_GAIN_CHUNK) {
        uint32_t n = frames - done < RL_GAIN_CHUNK ? frames - done : RL_GAIN_CHUNK;
        if (value_count == 1) {
            for (i = 0; i < n; ++i) {
                if (gain->ramp_left > 0) {
                    gain->ramp_left--;
                    gain->current =
                        gain->ramp_left == 0 ? (double)gain->target : gain->current + gain->step;
                }
                g[i] = (float)gain->current;
            }
        } else {
            /* a-rate: exact per frame; the automation owns the value, so a
             * ramp in progress is over. */
            float last = (float)gain->current;
            for (i = 0; i < n; ++i) {
                float v = values[done + i];
                last = isfinite(v) ? v : last;
                g[i] = last;
            }
            gain->current = last;
            gain->target = last;
            gain->ramp_left = 0;
        }
        for (c = 0; c < channels; ++c) {
            rl_gain_apply(planar[c] + done, g, n);
        }
    }
    return RL_OK;
}
