/* Biquad coefficients as Web Audio defines them, and a multi-band EQ. */
#include "dsp_internal.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

#define RL_EQ_MAGIC 0x51454C52u /* "RLEQ" */
/* Parameters move once per sub-block; coefficients are interpolated per
 * frame in between. */
#define RL_EQ_SUB_BLOCK 16u
/* A flat band is bypassed once |y - x| in its state is below this. */
#define RL_EQ_RESIDUAL 1e-9

/* ------------------------------------------------------------------------ */
/* Coefficients                                                             */
/* ------------------------------------------------------------------------ */

static void rl_biquad_set(rl_biquad_coeffs* c, double b0, double b1, double b2, double a0,
                          double a1, double a2) {
    double k = 1.0 / a0;
    c->b0 = b0 * k;
    c->b1 = b1 * k;
    c->b2 = b2 * k;
    c->a1 = a1 * k;
    c->a2 = a2 * k;
}

/* The limits at 0, Nyquist and q <= 0 are those Chromium's Biquad uses,
 * i.e. the limits of the spec's formulas. `f` is frequency / Nyquist, 0 .. 1. */
static void rl_biquad_compute(rl_biquad_type type, double f, double q, double gain_db,
                              rl_biquad_coeffs* c) {
    double a = rl_pow(10.0, gain_db / 40.0);
    double w0 = RL_PI * f;
    double k = rl_cos(w0);
    double s = rl_sin(w0);
    double alpha;
    double k2;
    double ap;
    double am;
    switch (type) {
    case RL_BIQUAD_LOWPASS:
        if (f >= 1.0) {
            rl_biquad_set(c, 1, 0, 0, 1, 0, 0);
        } else if (f > 0.0) {
            alpha = s / (2.0 * rl_pow(10.0, q / 20.0));
            rl_biquad_set(c, (1.0 - k) / 2.0, 1.0 - k, (1.0 - k) / 2.0, 1.0 + alpha, -2.0 * k,
                          1.0 - alpha);
        } else {
            rl_biquad_set(c, 0, 0, 0, 1, 0, 0);
        }
        return;
    case RL_BIQUAD_HIGHPASS:
        if (f >= 1.0) {
            rl_biquad_set(c, 0, 0, 0, 1, 0, 0);
        } else if (f > 0.0) {
            alpha = s / (2.0 * rl_pow(10.0, q / 20.0));
            rl_biquad_set(c, (1.0 + k) / 2.0, -(1.0 + k), (1.0 + k) / 2.0, 1.0 + alpha, -2.0 * k,
                          1.0 - alpha);
        } else {
            rl_biquad_set(c, 1, 0, 0, 1, 0, 0);
        }
        return;
    case RL_BIQUAD_BANDPASS:
        if (f > 0.0 && f < 1.0) {
            if (q > 0.0) {
                alpha = s / (2.0 * q);
                rl_biquad_set(c, alpha, 0, -alpha, 1.0 + alpha, -2.0 * k, 1.0 - alpha);
            } else {
                rl_biquad_set(c, 1, 0, 0, 1, 0, 0);
            }
        } else {
            rl_biquad_set(c, 0, 0, 0, 1, 0, 0);
        }
        return;
    case RL_BIQUAD_LOWSHELF:
    case RL_BIQUAD_HIGHSHELF:
        if (f >= 1.0) {
            if (type == RL_BIQUAD_LOWSHELF) {
                rl_biquad_set(c, a * a, 0, 0, 1, 0, 0);
            } else {
                rl_biquad_set(c, 1, 0, 0, 1, 0, 0);
            }
        } else if (f > 0.0) {
            /* S = 1: alpha = sin(w0)/2 * sqrt((A + 1/A)(1/S - 1) + 2). */
            alpha = 0.5 * s * sqrt(2.0);
            k2 = 2.0 * sqrt(a) * alpha;
            ap = a + 1.0;
            am = a - 1.0;
            if (type == RL_BIQUAD_LOWSHELF) {
                rl_biquad_set(c, a * (ap - am * k + k2), 2.0 * a * (am - ap * k),
                              a * (ap - am * k - k2), ap + am * k + k2, -2.0 * (am + ap * k),
                              ap + am * k - k2);
            } else {
                rl_biquad_set(c, a * (ap + am * k + k2), -2.0 * a * (am + ap * k),
                              a * (ap + am * k - k2), ap - am * k + k2, 2.0 * (am - ap * k),
                              ap - am * k - k2);
            }
        } else {
            if (type == RL_BIQUAD_LOWSHELF) {
                rl_biquad_set(c, 1, 0, 0, 1, 0, 0);
            } else {
                rl_biquad_set(c, a * a, 0, 0, 1, 0, 0);
            }
        }
        return;
    case RL_BIQUAD_PEAKING:
        if (f > 0.0 && f < 1.0) {
            if (q > 0.0) {
                alpha = s / (2.0 * q);
                rl_biquad_set(c, 1.0 + alpha * a, -2.0 * k, 1.0 - alpha * a, 1.0 + alpha / a,
                              -2.0 * k, 1.0 - alpha / a);
            } else {
                rl_biquad_set(c, a * a, 0, 0, 1, 0, 0);
            }
        } else {
            rl_biquad_set(c, 1, 0, 0, 1, 0, 0);
        }
        return;
    case RL_BIQUAD_NOTCH:
        if (f > 0.0 && f < 1.0) {
            if (q > 0.0) {
                alpha = s / (2.0 * q);
                rl_biquad_set(c, 1, -2.0 * k, 1, 1.0 + alpha, -2.0 * k, 1.0 - alpha);
            } else {
                rl_biquad_set(c, 0, 0, 0, 1, 0, 0);
            }
        } else {
            rl_biquad_set(c, 1, 0, 0, 1, 0, 0);
        }
        return;
    case RL_BIQUAD_ALLPASS:
        if (f > 0.0 && f < 1.0) {
            if (q > 0.0) {
                alpha = s / (2.0 * q);
                rl_biquad_set(c, 1.0 - alpha, -2.0 * k, 1.0 + alpha, 1.0 + alpha, -2.0 * k,
                              1.0 - alpha);
            } else {
                rl_biquad_set(c, -1, 0, 0, 1, 0, 0);
            }
        } else {
            rl_biquad_set(c, 1, 0, 0, 1, 0, 0);
        }
        return;
    }
}

static int rl_biquad_type_valid(rl_biquad_type type) {
    return (unsigned)type <= (unsigned)RL_BIQUAD_ALLPASS;
}

rl_result rl_biquad_coefficients(rl_biquad_type type, double frequency, double q, double gain_db,
                                 double sample_rate, rl_biquad_coeffs* out) {
    rl_biquad_coeffs c;
    double f;
    if (out == NULL || !rl_biquad_type_valid(type) || !isfinite(frequency) || !isfinite(q) ||
        !isfinite(gain_db) || !isfinite(sample_rate) || !(sample_rate > 0.0)) {
        return RL_INVALID_ARGS;
    }
    f = frequency / (sample_rate / 2.0);
    f = f < 0.0 ? 0.0 : (f > 1.0 ? 1.0 : f);
    rl_biquad_compute(type, f, q, gain_db, &c);
    if (!isfinite(c.b0) || !isfinite(c.b1) || !isfinite(c.b2) || !isfinite(c.a1) ||
        !isfinite(c.a2)) {
        return RL_INVALID_ARGS;
    }
    *out = c;
    return RL_OK;
}

double rl_biquad_magnitude_db(const rl_biquad_coeffs* c, double frequency, double sample_rate) {
    double w;
    double nr;
    double ni;
    double dr;
    double di;
    if (c == NULL || !isfinite(frequency) || !isfinite(sample_rate) || !(sample_rate > 0.0) ||
        frequency < 0.0 || frequency > sample_rate / 2.0) {
        return NAN;
    }
    w = RL_TWO_PI * frequency / sample_rate;
    nr = c->b0 + c->b1 * rl_cos(w) + c->b2 * rl_cos(2.0 * w);
    ni = -(c->b1 * rl_sin(w) + c->b2 * rl_sin(2.0 * w));
    dr = 1.0 + c->a1 * rl_cos(w) + c->a2 * rl_cos(2.0 * w);
    di = -(c->a1 * rl_sin(w) + c->a2 * rl_sin(2.0 * w));
    return 10.0 * rl_log10((nr * nr + ni * ni) / (dr * dr + di * di));
}

/* ------------------------------------------------------------------------ */
/* EQ                                                                       */
/* ------------------------------------------------------------------------ */

typedef struct rl_eq_slot {
    rl_eq_band target;      /* the last accepted setting */
    rl_eq_band cur;         /* what c_end was computed from */
    rl_eq_band from;        /* start of the running ramp */
    rl_biquad_coeffs c;     /* in use for the current frame */
    rl_biquad_coeffs c_end; /* at the end of the current sub-block */
    rl_biquad_coeffs dc;    /* per-frame increment toward c_end */
    rl_biquad_coeffs old;   /* the outgoing filter of a crossfade */
    uint32_t pending;       /* target not yet taken up */
    uint32_t ramping;
    uint32_t ramp_step; /* 1 .. ramp_steps while ramping */
    uint32_t sub_left;  /* frames left in the current sub-block */
    uint32_t xfade_left;
    uint32_t bypassed; /* flat and settled: not computed */
} rl_eq_slot;

struct rl_eq {
    uint32_t magic;
    uint32_t channels;
    uint32_t band_count;
    uint32_t ramp_steps;
    uint32_t ramp_frames;
    uint32_t started;
    uint32_t bypass;      /* requested */
    uint32_t wet;         /* 0 .. ramp_frames: wet share of the output */
    uint32_t state_bytes; /* per band: channels * 4 doubles (x1 x2 y1 y2) */
    uint32_t old_offset;  /* per band: channels * 2 doubles (y1 y2 of the old filter) */
    uint32_t dry_offset;  /* channels * RL_MAX_QUANTUM_FRAMES floats */
    uint32_t pad;
    double sample_rate;
    float last_in[RL_DSP_MAX_CHANNELS][2]; /* last two inputs: [0] newest */
    rl_eq_slot slots[RL_EQ_MAX_BANDS];
};

#define RL_EQ_HEADER_BYTES (rl_dsp_align64(sizeof(struct rl_eq)))

static double* rl_eq_state(rl_eq* eq, uint32_t band) {
    return (double*)((unsigned char*)eq + RL_EQ_HEADER_BYTES) + (size_t)band * eq->channels * 4u;
}

static double* rl_eq_old_state(rl_eq* eq, uint32_t band) {
    return (double*)((unsigned char*)eq + eq->old_offset) + (size_t)band * eq->channels * 2u;
}

static float* rl_eq_dry(rl_eq* eq, uint32_t channel) {
    return (float*)((unsigned char*)eq + eq->dry_offset) + (size_t)channel * RL_MAX_QUANTUM_FRAMES;
}

static int rl_eq_gain_type(rl_biquad_type t) {
    return t == RL_BIQUAD_PEAKING || t == RL_BIQUAD_LOWSHELF || t == RL_BIQUAD_HIGHSHELF;
}

static int rl_eq_q_in_db(rl_biquad_type t) {
    return t == RL_BIQUAD_LOWPASS || t == RL_BIQUAD_HIGHPASS;
}

static int rl_eq_band_flat(const rl_eq_band* b) {
    return rl_eq_gain_type(b->type) && b->gain_db == 0.0;
}

static int rl_eq_band_equal(const rl_eq_band* a, const rl_eq_band* b) {
    return a->type == b->type && a->frequency == b->frequency && a->q == b->q &&
           a->gain_db == b->gain_db;
}

static int rl_eq_band_valid(const rl_eq_band* b, double sample_rate) {
    if (b == NULL || !rl_biquad_type_valid(b->type) || !isfinite(b->frequency) ||
        !(b->frequency > 0.0) || !(b->frequency < sample_rate / 2.0) || !isfinite(b->gain_db) ||
        b->gain_db < RL_EQ_MIN_GAIN_DB || b->gain_db > RL_EQ_MAX_GAIN_DB || !isfinite(b->q)) {
        return 0;
    }
    if (rl_eq_q_in_db(b->type)) {
        return b->q >= -RL_EQ_MAX_Q_DB && b->q <= RL_EQ_MAX_Q_DB;
    }
    return b->q > 0.0 && b->q <= RL_EQ_MAX_Q;
}

static void rl_eq_coeffs(const rl_eq* eq, const rl_eq_band* b, rl_biquad_coeffs* c) {
    /* Cannot fail for a validated band. */
    (void)rl_biquad_coefficients(b->type, b->frequency, b->q, b->gain_db, eq->sample_rate, c);
}

static int rl_eq_config_valid(const rl_eq_config* c) {
    return c != NULL && c->channels >= 1 && c->channels <= RL_DSP_MAX_CHANNELS &&
           rl_dsp_rate_valid(c->sample_rate) && c->band_count >= 1 &&
           c->band_count <= RL_EQ_MAX_BANDS;
}

rl_eq_config rl_eq_config_init(uint32_t channels, double sample_rate, uint32_t band_count) {
    rl_eq_config c;
    c.channels = channels;
    c.sample_rate = sample_rate;
    c.band_count = band_count;
    return c;
}

rl_result rl_eq_get_heap_size(const rl_eq_config* config, size_t* heap_size) {
    if (heap_size == NULL) {
        return RL_INVALID_ARGS;
    }
    *heap_size = 0;
    if (!rl_eq_config_valid(config)) {
        return RL_INVALID_ARGS;
    }
    *heap_size =
        RL_EQ_HEADER_BYTES +
        rl_dsp_align64((size_t)config->band_count * config->channels * 6u * sizeof(double)) +
        (size_t)config->channels * RL_MAX_QUANTUM_FRAMES * sizeof(float);
    return RL_OK;
}

/* Takes the target at once, with no ramp. */
static void rl_eq_slot_snap(rl_eq* eq, rl_eq_slot* s) {
    s->cur = s->target;
    s->from = s->target;
    rl_eq_coeffs(eq, &s->target, &s->c);
    s->c_end = s->c;
    memset(&s->dc, 0, sizeof s->dc);
    s->old = s->c;
    s->pending = 0;
    s->ramping = 0;
    s->ramp_step = 0;
    s->sub_left = 0;
    s->xfade_left = 0;
    s->bypassed = rl_eq_band_flat(&s->target) ? 1u : 0u;
}

rl_result rl_eq_init_preallocated(const rl_eq_config* config, void* heap, size_t heap_size,
                                  rl_eq** eq) {
    size_t need = 0;
    rl_eq* e;
    uint32_t b;
    if (eq == NULL) {
        return RL_INVALID_ARGS;
    }
    *eq = NULL;
    if (!rl_dsp_aligned(heap) || rl_eq_get_heap_size(config, &need) != RL_OK) {
        return RL_INVALID_ARGS;
    }
    if (heap_size < need) {
        return RL_OUT_OF_MEMORY;
    }
    memset(heap, 0, need);
    e = (rl_eq*)heap;
    e->channels = config->channels;
    e->band_count = config->band_count;
    e->sample_rate = config->sample_rate;
    e->ramp_steps =
        (uint32_t)ceil(RL_EQ_RAMP_MS * 0.001 * config->sample_rate / (double)RL_EQ_SUB_BLOCK);
    if (e->ramp_steps < 1) {
        e->ramp_steps = 1;
    }
    e->ramp_frames = e->ramp_steps * RL_EQ_SUB_BLOCK;
    e->state_bytes = (uint32_t)(config->channels * 4u * sizeof(double));
    e->old_offset = (uint32_t)(RL_EQ_HEADER_BYTES +
                               (size_t)config->band_count * config->channels * 4u * sizeof(double));
    e->dry_offset =
        (uint32_t)(RL_EQ_HEADER_BYTES + rl_dsp_align64((size_t)config->band_count *
                                                       config->channels * 6u * sizeof(double)));
    e->wet = e->ramp_frames;
    for (b = 0; b < e->band_count; ++b) {
        rl_eq_slot* s = &e->slots[b];
        double octave = e->band_count > 1 ? 7.0 * (double)b / (double)(e->band_count - 1) : 3.5;
        double f = 60.0 * rl_pow(2.0, octave);
        if (f > 0.45 * e->sample_rate) {
            f = 0.45 * e->sample_rate;
        }
        s->target.type = RL_BIQUAD_PEAKING;
        s->target.frequency = f;
        s->target.q = RL_EQ_DEFAULT_Q;
        s->target.gain_db = 0.0;
        rl_eq_slot_snap(e, s);
    }
    e->magic = RL_EQ_MAGIC;
    *eq = e;
    return RL_OK;
}

void rl_eq_uninit(rl_eq* eq) {
    if (eq != NULL && eq->magic == RL_EQ_MAGIC) {
        eq->magic = 0;
    }
}

static int rl_eq_usable(const rl_eq* eq) {
    return eq != NULL && eq->magic == RL_EQ_MAGIC;
}

/* Filters are not running while the EQ is wholly dry. */
static int rl_eq_dry_only(const rl_eq* eq) {
    return eq->bypass && eq->wet == 0;
}

rl_result rl_eq_set_band(rl_eq* eq, uint32_t index, const rl_eq_band* band) {
    rl_eq_slot* s;
    if (!rl_eq_usable(eq) || index >= eq->band_count || !rl_eq_band_valid(band, eq->sample_rate)) {
        return RL_INVALID_ARGS;
    }
    s = &eq->slots[index];
    if (rl_eq_band_equal(&s->target, band)) {
        return RL_OK;
    }
    s->target = *band;
    if (!eq->started || rl_eq_dry_only(eq)) {
        rl_eq_slot_snap(eq, s);
    } else {
        s->pending = 1;
    }
    return RL_OK;
}

rl_result rl_eq_get_band(const rl_eq* eq, uint32_t index, rl_eq_band* band) {
    if (!rl_eq_usable(eq) || index >= eq->band_count || band == NULL) {
        return RL_INVALID_ARGS;
    }
    *band = eq->slots[index].target;
    return RL_OK;
}

uint32_t rl_eq_ramp_frames(const rl_eq* eq) {
    return rl_eq_usable(eq) ? eq->ramp_frames : 0u;
}

static int rl_eq_slot_active(const rl_eq_slot* s) {
    return s->pending || s->ramping || s->sub_left > 0 || s->xfade_left > 0;
}

int rl_eq_is_settled(const rl_eq* eq) {
    uint32_t b;
    if (!rl_eq_usable(eq)) {
        return 0;
    }
    if (eq->wet != (eq->bypass ? 0u : eq->ramp_frames)) {
        return 0;
    }
    for (b = 0; b < eq->band_count; ++b) {
        if (rl_eq_slot_active(&eq->slots[b])) {
            return 0;
        }
    }
    return 1;
}

/* Filter state that makes a band with identity coefficients an exact
 * identity: y history = x history = the band's recent input. */
static void rl_eq_identity_state(double* st, double newest, double older) {
    st[0] = newest;
    st[1] = older;
    st[2] = newest;
    st[3] = older;
}

void rl_eq_set_bypass(rl_eq* eq, int bypass) {
    uint32_t b;
    uint32_t c;
    uint32_t on = bypass != 0 ? 1u : 0u;
    if (!rl_eq_usable(eq) || on == eq->bypass) {
        return;
    }
    if (!on && eq->wet == 0) {
        /* Leaving a dry-only stretch: the filters' state is stale, so restart
         * every band from the input as if it had been an identity, at its
         * target, and let the dry/wet fade hide the difference. */
        for (b = 0; b < eq->band_count; ++b) {
            double* st = rl_eq_state(eq, b);
            rl_eq_slot_snap(eq, &eq->slots[b]);
            for (c = 0; c < eq->channels; ++c) {
                rl_eq_identity_state(st + c * 4u, eq->last_in[c][0], eq->last_in[c][1]);
            }
        }
    }
    eq->bypass = on;
    if (!eq->started) {
        eq->wet = on ? 0u : eq->ramp_frames;
    }
}

void rl_eq_reset(rl_eq* eq) {
    uint32_t b;
    if (!rl_eq_usable(eq)) {
        return;
    }
    memset((unsigned char*)eq + RL_EQ_HEADER_BYTES, 0,
           (size_t)eq->band_count * eq->channels * 6u * sizeof(double));
    memset(eq->last_in, 0, sizeof eq->last_in);
    for (b = 0; b < eq->band_count; ++b) {
        rl_eq_slot_snap(eq, &eq->slots[b]);
    }
    eq->wet = eq->bypass ? 0u : eq->ramp_frames;
    eq->started = 0;
}

/* ------------------------------------------------------------------------ */
/* Per-band processing                                                      */
/* ------------------------------------------------------------------------ */

static void rl_eq_interp(const rl_eq_band* from, const rl_eq_band* to, double t, rl_eq_band* out) {
    out->type = to->type;
    out->frequency = from->frequency * rl_pow(to->frequency / from->frequency, t);
    if (rl_eq_q_in_db(to->type)) {
        out->q = from->q + (to->q - from->q) * t;
    } else {
        out->q = from->q * rl_pow(to->q / from->q, t);
    }
    out->gain_db = from->gain_db + (to->gain_db - from->gain_db) * t;
}

/* At a sub-block boundary: takes up a pending target, advances the ramp.
 * Returns 0 when the band is steady (c is then exact for cur). */
static int rl_eq_slot_boundary(rl_eq* eq, uint32_t band) {
    rl_eq_slot* s = &eq->slots[band];
    if (s->ramping && s->ramp_step >= eq->ramp_steps) {
        s->ramping = 0;
        s->c = s->c_end;
        memset(&s->dc, 0, sizeof s->dc);
    }
    if (s->pending) {
        int same = s->cur.type == s->target.type ||
                   (rl_eq_gain_type(s->target.type) && rl_eq_band_flat(&s->cur));
        if (same) {
            s->pending = 0;
            if (rl_eq_band_flat(&s->cur) && rl_eq_band_flat(&s->target)) {
                /* Identity to identity: nothing to glide. */
                s->cur = s->target;
                s->from = s->target;
                s->ramping = 0;
                rl_eq_coeffs(eq, &s->target, &s->c);
                s->c_end = s->c;
                memset(&s->dc, 0, sizeof s->dc);
            } else if (!rl_eq_band_equal(&s->cur, &s->target)) {
                s->from = s->cur;
                s->from.type = s->target.type; /* a flat gain type may change */
                s->ramping = 1;
                s->ramp_step = 0;
            } else {
                /* Back at the point reached: c is exact for it. */
                s->ramping = 0;
            }
        } else if (s->xfade_left == 0) {
            /* New type: crossfade from the current filter, frozen, to the
             * target, which starts from the same state. */
            double* st = rl_eq_state(eq, band);
            double* os = rl_eq_old_state(eq, band);
            uint32_t c;
            s->pending = 0;
            s->old = s->c;
            for (c = 0; c < eq->channels; ++c) {
                os[c * 2u] = st[c * 4u + 2u];
                os[c * 2u + 1u] = st[c * 4u + 3u];
            }
            s->cur = s->target;
            s->from = s->target;
            s->ramping = 0;
            rl_eq_coeffs(eq, &s->target, &s->c);
            s->c_end = s->c;
            memset(&s->dc, 0, sizeof s->dc);
            s->xfade_left = eq->ramp_frames;
        }
    }
    if (s->ramping) {
        double inv = 1.0 / (double)RL_EQ_SUB_BLOCK;
        s->ramp_step++;
        if (s->ramp_step >= eq->ramp_steps) {
            s->cur = s->target;
        } else {
            rl_eq_interp(&s->from, &s->target, (double)s->ramp_step / (double)eq->ramp_steps,
                         &s->cur);
        }
        rl_eq_coeffs(eq, &s->cur, &s->c_end);
        s->dc.b0 = (s->c_end.b0 - s->c.b0) * inv;
        s->dc.b1 = (s->c_end.b1 - s->c.b1) * inv;
        s->dc.b2 = (s->c_end.b2 - s->c.b2) * inv;
        s->dc.a1 = (s->c_end.a1 - s->c.a1) * inv;
        s->dc.a2 = (s->c_end.a2 - s->c.a2) * inv;
    }
    if (!s->ramping && s->xfade_left == 0 && !s->pending) {
        return 0;
    }
    s->sub_left = RL_EQ_SUB_BLOCK;
    return 1;
}

/* Frame by frame while the band ramps or crossfades. Returns the frame at
 * which the band became steady, or `frames`. */
static uint32_t rl_eq_slot_slow(rl_eq* eq, uint32_t band, float* const* planar, uint32_t channels,
                                uint32_t frames) {
    rl_eq_slot* s = &eq->slots[band];
    double* st = rl_eq_state(eq, band);
    double* os = rl_eq_old_state(eq, band);
    double inv_len = 1.0 / (double)eq->ramp_frames;
    uint32_t n;
    uint32_t c;
    for (n = 0; n < frames; ++n) {
        rl_biquad_coeffs k;
        if (s->sub_left == 0 && !rl_eq_slot_boundary(eq, band)) {
            return n;
        }
        if (s->ramping) {
            if (s->sub_left == 1) {
                s->c = s->c_end;
            } else {
                s->c.b0 += s->dc.b0;
                s->c.b1 += s->dc.b1;
                s->c.b2 += s->dc.b2;
                s->c.a1 += s->dc.a1;
                s->c.a2 += s->dc.a2;
            }
        }
        s->sub_left--;
        k = s->c;
        if (s->xfade_left > 0) {
            const rl_biquad_coeffs* o = &s->old;
            double t = 1.0 - (double)(s->xfade_left - 1u) * inv_len;
            for (c = 0; c < channels; ++c) {
                double* z = st + c * 4u;
                double* zo = os + c * 2u;
                double x = planar[c][n];
                double y = k.b0 * x + k.b1 * z[0] + k.b2 * z[1] - k.a1 * z[2] - k.a2 * z[3];
                double yo = o->b0 * x + o->b1 * z[0] + o->b2 * z[1] - o->a1 * zo[0] - o->a2 * zo[1];
                z[1] = z[0];
                z[0] = x;
                z[3] = z[2];
                z[2] = y;
                zo[1] = zo[0];
                zo[0] = yo;
                planar[c][n] = (float)(yo + t * (y - yo));
            }
            s->xfade_left--;
        } else {
            for (c = 0; c < channels; ++c) {
                double* z = st + c * 4u;
                double x = planar[c][n];
                double y = k.b0 * x + k.b1 * z[0] + k.b2 * z[1] - k.a1 * z[2] - k.a2 * z[3];
                z[1] = z[0];
                z[0] = x;
                z[3] = z[2];
                z[2] = y;
                planar[c][n] = (float)y;
            }
        }
    }
    return frames;
}

/* One channel of a steady band: Direct Form I in double, as Chromium's
 * Biquad::Process. */
static void rl_eq_fast_channel(const rl_biquad_coeffs* c, double* z, float* p, uint32_t start,
                               uint32_t frames) {
    const rl_biquad_coeffs k = *c;
    double x1 = z[0], x2 = z[1], y1 = z[2], y2 = z[3];
    uint32_t i;
    for (i = start; i < frames; ++i) {
        double x = p[i];
        double y = k.b0 * x + k.b1 * x1 + k.b2 * x2 - k.a1 * y1 - k.a2 * y2;
        x2 = x1;
        x1 = x;
        y2 = y1;
        y1 = y;
        p[i] = (float)y;
    }
    z[0] = x1, z[1] = x2, z[2] = y1, z[3] = y2;
}

/* Steady band: as rl_eq_fast_channel. Two channels share a loop so their
 * independent recursions overlap. */
static void rl_eq_slot_fast(rl_eq* eq, uint32_t band, float* const* planar, uint32_t channels,
                            uint32_t start, uint32_t frames) {
    const rl_biquad_coeffs k = eq->slots[band].c;
    double* st = rl_eq_state(eq, band);
    uint32_t c = 0;
    uint32_t i;
    for (; c + 1u < channels; c += 2u) {
        float* p = planar[c];
        float* q = planar[c + 1u];
        double* z = st + c * 4u;
        double* w = st + (c + 1u) * 4u;
        double x1 = z[0], x2 = z[1], y1 = z[2], y2 = z[3];
        double u1 = w[0], u2 = w[1], v1 = w[2], v2 = w[3];
        for (i = start; i < frames; ++i) {
            double x = p[i];
            double u = q[i];
            double y = k.b0 * x + k.b1 * x1 + k.b2 * x2 - k.a1 * y1 - k.a2 * y2;
            double v = k.b0 * u + k.b1 * u1 + k.b2 * u2 - k.a1 * v1 - k.a2 * v2;
            x2 = x1;
            x1 = x;
            y2 = y1;
            y1 = y;
            u2 = u1;
            u1 = u;
            v2 = v1;
            v1 = v;
            p[i] = (float)y;
            q[i] = (float)v;
        }
        z[0] = x1, z[1] = x2, z[2] = y1, z[3] = y2;
        w[0] = u1, w[1] = u2, w[2] = v1, w[3] = v2;
    }
    for (; c < channels; ++c) {
        rl_eq_fast_channel(&k, st + c * 4u, planar[c], start, frames);
    }
}

/* Flushes tiny state; bypasses a steady flat band once its residual (the
 * difference its recent coefficient changes left between y and x) is gone. */
static void rl_eq_slot_finish(rl_eq* eq, uint32_t band, uint32_t channels) {
    rl_eq_slot* s = &eq->slots[band];
    double* st = rl_eq_state(eq, band);
    double* os = rl_eq_old_state(eq, band);
    uint32_t i;
    uint32_t c;
    int quiet = 1;
    for (i = 0; i < channels * 4u; ++i) {
        st[i] = rl_dsp_flush(st[i]);
    }
    for (i = 0; i < channels * 2u; ++i) {
        os[i] = rl_dsp_flush(os[i]);
    }
    if (rl_eq_slot_active(s) || !rl_eq_band_flat(&s->cur)) {
        return;
    }
    for (c = 0; c < channels; ++c) {
        double* z = st + c * 4u;
        if (fabs(z[2] - z[0]) >= RL_EQ_RESIDUAL || fabs(z[3] - z[1]) >= RL_EQ_RESIDUAL) {
            quiet = 0;
        }
    }
    if (quiet) {
        for (c = 0; c < channels; ++c) {
            double* z = st + c * 4u;
            rl_eq_identity_state(z, z[0], z[1]);
        }
        s->bypassed = 1;
    }
}

static void rl_eq_slot_run(rl_eq* eq, uint32_t band, float* const* planar, uint32_t channels,
                           uint32_t frames) {
    rl_eq_slot* s = &eq->slots[band];
    uint32_t n = 0;
    uint32_t c;
    if (rl_eq_slot_active(s)) {
        s->bypassed = 0;
        n = rl_eq_slot_slow(eq, band, planar, channels, frames);
    }
    if (s->bypassed) {
        /* Keep the state an exact identity so a later change starts from
         * the band's real input. */
        double* st = rl_eq_state(eq, band);
        for (c = 0; c < channels; ++c) {
            double* z = st + c * 4u;
            double older = frames >= 2 ? planar[c][frames - 2u] : z[0];
            rl_eq_identity_state(z, planar[c][frames - 1u], older);
        }
        return;
    }
    if (n < frames) {
        rl_eq_slot_fast(eq, band, planar, channels, n, frames);
    }
    rl_eq_slot_finish(eq, band, channels);
}

#if defined(__wasm_simd128__)
/* Steady bands that run frame by frame together (rl_eq_steady_group).
 * Measured in wasm under V8 on x86-64 (16 vector registers): groups of 2,
 * 3 and 4 bands took 3.0, 2.6 and 2.7 us for 8 bands, band by band 3.0. */
#define RL_EQ_GROUP 3u

/* A steady band is one that runs rl_eq_slot_fast over the whole quantum. */
static int rl_eq_slot_steady(const rl_eq_slot* s) {
    return !rl_eq_slot_active(s) && !s->bypassed;
}

/* One step of a group: band b takes frame i - b, so the bands of one
 * step are independent (band b's input is band b - 1's output of the step
 * before) and their chains of multiplies and adds overlap, where band by
 * band over the whole quantum each frame waits for the one before it.
 * `edge` steps (the first and last count - 1) skip bands outside 0 ..
 * frames - 1. x[b] holds band b's next input, rounded to float. */
static inline __attribute__((always_inline)) void
rl_eq_group_step(const uint32_t count, const int edge, int32_t i, int32_t frames, v128_t (*k)[5],
                 v128_t (*z)[4], v128_t* x, float* p, float* q) {
    int32_t b;
#pragma clang loop unroll(full)
    for (b = (int32_t)count - 1; b >= 0; --b) {
        int32_t n = i - b;
        v128_t in;
        v128_t y;
        if (edge && (n < 0 || n >= frames)) {
            continue;
        }
        in = b == 0 ? wasm_f64x2_make((double)p[n], (double)q[n]) : x[b];
        y = wasm_f64x2_mul(k[b][0], in);
        y = wasm_f64x2_add(y, wasm_f64x2_mul(k[b][1], z[b][0]));
        y = wasm_f64x2_add(y, wasm_f64x2_mul(k[b][2], z[b][1]));
        y = wasm_f64x2_sub(y, wasm_f64x2_mul(k[b][3], z[b][2]));
        y = wasm_f64x2_sub(y, wasm_f64x2_mul(k[b][4], z[b][3]));
        z[b][1] = z[b][0];
        z[b][0] = in;
        z[b][3] = z[b][2];
        z[b][2] = y;
        {
            /* The next band reads this band's output as a float. Without
             * the empty asm the compiler sees through the pair and rounds
             * lane by lane, four scalar operations where one each would do. */
            v128_t f = wasm_f32x4_demote_f64x2_zero(y);
            __asm__("" : "+r"(f));
            if (b + 1 == (int32_t)count) {
                p[n] = wasm_f32x4_extract_lane(f, 0);
                q[n] = wasm_f32x4_extract_lane(f, 1);
            } else {
                x[b + 1] = wasm_f64x2_promote_low_f32x4(f);
            }
        }
    }
}

/* Steady bands first .. first + count - 1 (count <= RL_EQ_GROUP) on
 * channels c and c + 1, one f64x2 per value with a channel in each lane.
 * The state lives in locals (callers pass a constant count, and the loops
 * over it unroll), which the engine keeps in registers as far as they go
 * and spills beyond. The operations, their
 * order and the float rounding between bands are those of
 * rl_eq_fast_channel, so the output is the scalar build's bit for bit
 * (wasm has no fused multiply-add to change a rounding). */
static inline __attribute__((always_inline)) void rl_eq_steady_group(rl_eq* eq, uint32_t first,
                                                                     const uint32_t count, float* p,
                                                                     float* q, uint32_t c,
                                                                     uint32_t frames) {
    v128_t k[RL_EQ_GROUP][5];
    v128_t z[RL_EQ_GROUP][4]; /* x1 x2 y1 y2 */
    v128_t x[RL_EQ_GROUP];
    int32_t n = (int32_t)frames;
    int32_t steps = n + (int32_t)count - 1;
    int32_t head = (int32_t)count - 1;
    int32_t tail = n > head ? n : head;
    int32_t i;
    uint32_t b;
#pragma clang loop unroll(full)
    for (b = 0; b < count; ++b) {
        const rl_biquad_coeffs* e = &eq->slots[first + b].c;
        const double* s = rl_eq_state(eq, first + b) + c * 4u;
        k[b][0] = wasm_f64x2_splat(e->b0);
        k[b][1] = wasm_f64x2_splat(e->b1);
        k[b][2] = wasm_f64x2_splat(e->b2);
        k[b][3] = wasm_f64x2_splat(e->a1);
        k[b][4] = wasm_f64x2_splat(e->a2);
        z[b][0] = wasm_f64x2_make(s[0], s[4]);
        z[b][1] = wasm_f64x2_make(s[1], s[5]);
        z[b][2] = wasm_f64x2_make(s[2], s[6]);
        z[b][3] = wasm_f64x2_make(s[3], s[7]);
        x[b] = z[b][0];
    }
    for (i = 0; i < head; ++i) {
        rl_eq_group_step(count, 1, i, n, k, z, x, p, q);
    }
    for (; i < tail; ++i) {
        rl_eq_group_step(count, 0, i, n, k, z, x, p, q);
    }
    for (; i < steps; ++i) {
        rl_eq_group_step(count, 1, i, n, k, z, x, p, q);
    }
#pragma clang loop unroll(full)
    for (b = 0; b < count; ++b) {
        double* s = rl_eq_state(eq, first + b) + c * 4u;
        s[0] = wasm_f64x2_extract_lane(z[b][0], 0);
        s[1] = wasm_f64x2_extract_lane(z[b][1], 0);
        s[2] = wasm_f64x2_extract_lane(z[b][2], 0);
        s[3] = wasm_f64x2_extract_lane(z[b][3], 0);
        s[4] = wasm_f64x2_extract_lane(z[b][0], 1);
        s[5] = wasm_f64x2_extract_lane(z[b][1], 1);
        s[6] = wasm_f64x2_extract_lane(z[b][2], 1);
        s[7] = wasm_f64x2_extract_lane(z[b][3], 1);
    }
}

/* Steady bands first .. first + count - 1 on channels c and c + 1, in
 * groups; each group hands the next its output as floats, which is the
 * rounding between any two bands. */
static void rl_eq_steady_pair(rl_eq* eq, uint32_t first, uint32_t count, float* p, float* q,
                              uint32_t c, uint32_t frames) {
    while (count > 0) {
        uint32_t n;
        if (count >= RL_EQ_GROUP) {
            n = RL_EQ_GROUP;
            rl_eq_steady_group(eq, first, RL_EQ_GROUP, p, q, c, frames);
        } else if (count == 2u) {
            n = 2u;
            rl_eq_steady_group(eq, first, 2u, p, q, c, frames);
        } else {
            n = 1u;
            rl_eq_steady_group(eq, first, 1u, p, q, c, frames);
        }
        first += n;
        count -= n;
    }
}

/* Steady bands first .. first + count - 1, all channels: what
 * rl_eq_slot_run does for each, band after band. */
static void rl_eq_steady_run(rl_eq* eq, uint32_t first, uint32_t count, float* const* planar,
                             uint32_t channels, uint32_t frames) {
    uint32_t c = 0;
    uint32_t b;
    for (; c + 1u < channels; c += 2u) {
        rl_eq_steady_pair(eq, first, count, planar[c], planar[c + 1u], c, frames);
    }
    for (; c < channels; ++c) {
        for (b = first; b < first + count; ++b) {
            rl_eq_fast_channel(&eq->slots[b].c, rl_eq_state(eq, b) + c * 4u, planar[c], 0, frames);
        }
    }
    for (b = first; b < first + count; ++b) {
        rl_eq_slot_finish(eq, b, channels);
    }
}
#endif

static void rl_eq_reset_channel(rl_eq* eq, uint32_t channel) {
    uint32_t b;
    for (b = 0; b < eq->band_count; ++b) {
        memset(rl_eq_state(eq, b) + channel * 4u, 0, 4u * sizeof(double));
        memset(rl_eq_old_state(eq, b) + channel * 2u, 0, 2u * sizeof(double));
    }
}

rl_result rl_eq_process(rl_eq* eq, float* const* planar, uint32_t channels, uint32_t frames) {
    uint32_t c;
    uint32_t b;
    uint32_t i;
    int fading;
    if (!rl_eq_usable(eq) || !rl_dsp_buffers_valid(planar, channels, frames, eq->channels)) {
        return RL_INVALID_ARGS;
    }
    eq->started = 1;
    for (c = 0; c < channels; ++c) {
        if (rl_dsp_sanitize(planar[c], frames)) {
            rl_eq_reset_channel(eq, c);
        }
        eq->last_in[c][1] = frames >= 2 ? planar[c][frames - 2u] : eq->last_in[c][0];
        eq->last_in[c][0] = planar[c][frames - 1u];
    }
    if (rl_eq_dry_only(eq)) {
        return RL_OK;
    }
    fading = eq->bypass || eq->wet < eq->ramp_frames;
    if (fading) {
        for (c = 0; c < channels; ++c) {
            memcpy(rl_eq_dry(eq, c), planar[c], (size_t)frames * sizeof(float));
        }
    }
    for (b = 0; b < eq->band_count;) {
#if defined(__wasm_simd128__)
        uint32_t n = 0;
        while (b + n < eq->band_count && rl_eq_slot_steady(&eq->slots[b + n])) {
            ++n;
        }
        if (n > 0) {
            rl_eq_steady_run(eq, b, n, planar, channels, frames);
            b += n;
            continue;
        }
#endif
        rl_eq_slot_run(eq, b, planar, channels, frames);
        ++b;
    }
    if (fading) {
        uint32_t wet = eq->wet;
        double inv_len = 1.0 / (double)eq->ramp_frames;
        for (i = 0; i < frames; ++i) {
            double w;
            if (eq->bypass) {
                wet = wet > 0 ? wet - 1u : 0u;
            } else {
                wet = wet < eq->ramp_frames ? wet + 1u : wet;
            }
            w = (double)wet * inv_len;
            for (c = 0; c < channels; ++c) {
                double d = rl_eq_dry(eq, c)[i];
                planar[c][i] = (float)(d + w * ((double)planar[c][i] - d));
            }
        }
        eq->wet = wet;
    }
    /* A gain of up to +40 dB can overflow float: such a sample becomes 0
     * and its channel restarts from silence. */
    for (c = 0; c < channels; ++c) {
        if (rl_dsp_sanitize(planar[c], frames)) {
            rl_eq_reset_channel(eq, c);
        }
    }
    return RL_OK;
}
