/* Stereo-linked peak limiter without lookahead: envelope, then hard clamp. */
#include "dsp_internal.h"

#define RL_LIMITER_MAGIC 0x4D4C4C52u /* "RLLM" */

/* A release closer to 1 than this snaps to exactly 1 (a -140 dB step), so
 * the limiter returns to bit-exact pass-through. */
#define RL_LIMITER_REST 1e-7

struct rl_limiter {
    uint32_t magic;
    float ceiling; /* linear, rounded down to a float */
    double sample_rate;
    double ceiling_db;
    double attack_ms;
    double release_ms;
    double attack; /* one-pole coefficients per frame */
    double release;
    double env; /* gain, 1 at rest */
};

static int rl_limiter_params_valid(double ceiling_db, double attack_ms, double release_ms) {
    return ceiling_db >= RL_LIMITER_MIN_CEILING_DB && ceiling_db <= RL_LIMITER_MAX_CEILING_DB &&
           attack_ms >= RL_LIMITER_MIN_ATTACK_MS && attack_ms <= RL_LIMITER_MAX_ATTACK_MS &&
           release_ms >= RL_LIMITER_MIN_RELEASE_MS && release_ms <= RL_LIMITER_MAX_RELEASE_MS;
}

rl_limiter_config rl_limiter_config_init(double sample_rate) {
    rl_limiter_config c;
    c.sample_rate = sample_rate;
    c.ceiling_db = RL_LIMITER_DEFAULT_CEILING_DB;
    c.attack_ms = RL_LIMITER_DEFAULT_ATTACK_MS;
    c.release_ms = RL_LIMITER_DEFAULT_RELEASE_MS;
    return c;
}

static int rl_limiter_config_valid(const rl_limiter_config* c) {
    return c != NULL && rl_dsp_rate_valid(c->sample_rate) &&
           rl_limiter_params_valid(c->ceiling_db, c->attack_ms, c->release_ms);
}

rl_result rl_limiter_get_heap_size(const rl_limiter_config* config, size_t* heap_size) {
    if (heap_size == NULL) {
        return RL_INVALID_ARGS;
    }
    *heap_size = 0;
    if (!rl_limiter_config_valid(config)) {
        return RL_INVALID_ARGS;
    }
    *heap_size = rl_dsp_align64(sizeof(struct rl_limiter));
    return RL_OK;
}

static double rl_limiter_coefficient(double ms, double sample_rate) {
    return ms <= 0.0 ? 0.0 : rl_exp(-1.0 / (ms * 0.001 * sample_rate));
}

static void rl_limiter_apply(rl_limiter* l, double ceiling_db, double attack_ms,
                             double release_ms) {
    double linear = rl_pow(10.0, ceiling_db / 20.0);
    float f = (float)linear;
    if ((double)f > linear) {
        f = nextafterf(f, 0.0f);
    }
    l->ceiling = f;
    l->ceiling_db = ceiling_db;
    l->attack_ms = attack_ms;
    l->release_ms = release_ms;
    l->attack = rl_limiter_coefficient(attack_ms, l->sample_rate);
    l->release = rl_limiter_coefficient(release_ms, l->sample_rate);
}

rl_result rl_limiter_init_preallocated(const rl_limiter_config* config, void* heap,
                                       size_t heap_size, rl_limiter** limiter) {
    size_t need = 0;
    rl_limiter* l;
    if (limiter == NULL) {
        return RL_INVALID_ARGS;
    }
    *limiter = NULL;
    if (!rl_dsp_aligned(heap) || rl_limiter_get_heap_size(config, &need) != RL_OK) {
        return RL_INVALID_ARGS;
    }
    if (heap_size < need) {
        return RL_OUT_OF_MEMORY;
    }
    memset(heap, 0, need);
    l = (rl_limiter*)heap;
    l->sample_rate = config->sample_rate;
    l->env = 1.0;
    rl_limiter_apply(l, config->ceiling_db, config->attack_ms, config->release_ms);
    l->magic = RL_LIMITER_MAGIC;
    *limiter = l;
    return RL_OK;
}

void rl_limiter_uninit(rl_limiter* limiter) {
    if (limiter != NULL && limiter->magic == RL_LIMITER_MAGIC) {
        limiter->magic = 0;
    }
}

static int rl_limiter_usable(const rl_limiter* l) {
    return l != NULL && l->magic == RL_LIMITER_MAGIC;
}

rl_result rl_limiter_set(rl_limiter* limiter, double ceiling_db, double attack_ms,
                         double release_ms) {
    if (!rl_limiter_usable(limiter) ||
        !rl_limiter_params_valid(ceiling_db, attack_ms, release_ms)) {
        return RL_INVALID_ARGS;
    }
    rl_limiter_apply(limiter, ceiling_db, attack_ms, release_ms);
    return RL_OK;
}

float rl_limiter_ceiling(const rl_limiter* limiter) {
    return rl_limiter_usable(limiter) ? limiter->ceiling : 0.0f;
}

double rl_limiter_gain_db(const rl_limiter* limiter) {
    return rl_limiter_usable(limiter) ? 20.0 * rl_log10(limiter->env) : 0.0;
}

/* Nonzero if a sample is above the ceiling. A compare and an or per
 * sample, so the loop vectorises. */
static uint32_t rl_limiter_any_over(float* const* planar, uint32_t channels, uint32_t frames,
                                    float ceiling) {
    uint32_t over = 0;
    uint32_t c;
    uint32_t i;
    for (c = 0; c < channels; ++c) {
        const float* x = planar[c];
        for (i = 0; i < frames; ++i) {
            over |= fabsf(x[i]) > ceiling ? 1u : 0u;
        }
    }
    return over;
}

rl_result rl_limiter_process(rl_limiter* limiter, float* const* planar, uint32_t channels,
                             uint32_t frames) {
    uint32_t bad = 0;
    uint32_t c;
    uint32_t i;
    double env;
    if (!rl_limiter_usable(limiter) ||
        !rl_dsp_buffers_valid(planar, channels, frames, RL_DSP_MAX_CHANNELS)) {
        return RL_INVALID_ARGS;
    }
    for (c = 0; c < channels; ++c) {
        (void)rl_dsp_sanitize(planar[c], frames);
    }
    /* At rest with every sample at or below the ceiling, each frame below
     * would keep the gain at exactly 1 and leave its samples untouched. */
    if (limiter->env == 1.0 && !rl_limiter_any_over(planar, channels, frames, limiter->ceiling)) {
        return RL_OK;
    }
    env = limiter->env;
    for (i = 0; i < frames; ++i) {
        float peak = 0.0f;
        double want;
        for (c = 0; c < channels; ++c) {
            float a = fabsf(planar[c][i]);
            peak = a > peak ? a : peak;
        }
        want = peak > limiter->ceiling ? (double)limiter->ceiling / (double)peak : 1.0;
        if (want < env) {
            env = want + limiter->attack * (env - want);
        } else {
            env = want + limiter->release * (env - want);
            if (env > 1.0 - RL_LIMITER_REST) {
                env = 1.0;
            }
        }
        if (env == 1.0 && peak <= limiter->ceiling) {
            continue; /* at rest and below the ceiling: untouched */
        }
        for (c = 0; c < channels; ++c) {
            float y = (float)((double)planar[c][i] * env);
            y = y > limiter->ceiling ? limiter->ceiling : y;
            y = y < -limiter->ceiling ? -limiter->ceiling : y;
            planar[c][i] = rl_dsp_clean(y, &bad);
        }
    }
    limiter->env = env;
    return RL_OK;
}
