/*
 * Tests for the resampler (csrc/resampler.c) and for source nodes that
 * resample (csrc/node.c).
 *
 * Quality is measured the way soxr and libsamplerate publish theirs: the SNR
 * of pure tones after a least-squares sine fit (so gain and delay do not
 * count, only what is not the tone: noise, aliases, images), passband gain
 * and stopband rejection from stepped tones, and sweeps through the passband
 * (against the analytic sweep) and the stopband (whose output must be
 * silence). Varispeed runs against an analytic reference: the tone at the
 * position the resampler says it plays. Then: every rl_result, rejected
 * calls changing nothing, bit-identical output however the calls are cut,
 * bounded work per call, latency and position, the direct start, the end of
 * the input, and the node's direct and resampled paths.
 *
 * Randomised parts print their seed on failure; RL_SEED overrides it.
 */
#include "ringlet.h"

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define PI 3.14159265358979323846
#define H (RL_RESAMPLER_TAPS / 2u)
#define BLOCK 128u

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct rs_box {
    rl_resampler* rs;
    void* heap;
    size_t size;
} rs_box;

static int make_rs(rs_box* b, uint32_t channels, double in_rate, double out_rate) {
    rl_resampler_config c = rl_resampler_config_init(channels, in_rate, out_rate);
    b->rs = NULL;
    b->heap = NULL;
    if (!CHECK_EQ(rl_resampler_get_heap_size(&c, &b->size), RL_OK)) {
        return 0;
    }
    b->heap = alloc64(b->size);
    memset(b->heap, 0xA5, b->size); /* init must not rely on zeroed memory */
    if (!CHECK_EQ(rl_resampler_init_preallocated(&c, b->heap, b->size, &b->rs), RL_OK)) {
        free(b->heap);
        b->heap = NULL;
        return 0;
    }
    return 1;
}

static void free_rs(rs_box* b) {
    rl_resampler_uninit(b->rs);
    free(b->heap);
    b->heap = NULL;
    b->rs = NULL;
}

/* Converts `nin` frames through process_buffers in calls of BLOCK frames
 * (the last may be shorter), with one speed value per call (`speeds` NULL:
 * the constant `speed`) or one per output frame (`per_frame`). With `end`,
 * ends the input once it is used up and runs until RL_CLOSED. Returns the
 * frames made (at most `cap`). */
static long convert(rl_resampler* rs, uint32_t channels, float* const* in, long nin,
                    float* const* out, long cap, float speed, const float* per_frame, int end) {
    long used = 0;
    long made = 0;
    int ended = 0;
    while (made < cap) {
        const float* ip[RL_RESAMPLER_MAX_CHANNELS];
        float* op[RL_RESAMPLER_MAX_CHANNELS];
        uint32_t frames = (uint32_t)(cap - made < (long)BLOCK ? cap - made : (long)BLOCK);
        uint32_t u = 0;
        uint32_t m = 0;
        uint32_t c;
        rl_result r;
        for (c = 0; c < channels; ++c) {
            ip[c] = in[c] + used;
            op[c] = out[c] + made;
        }
        r = rl_resampler_process_buffers(rs, ip, (uint32_t)(nin - used), &u, op, frames, &m,
                                         per_frame != NULL ? per_frame + made : &speed,
                                         per_frame != NULL && frames > 1 ? frames : 1u);
        used += u;
        made += m;
        if (r == RL_CLOSED) {
            break;
        }
        if (!CHECK_EQ(r, RL_OK)) {
            break;
        }
        if (m < frames) {
            if (!end || ended) {
                break;
            }
            if (used == nin) {
                CHECK_EQ(rl_resampler_end_input(rs), RL_OK);
                ended = 1;
            }
        }
    }
    return made;
}

/* Least-squares fit of a cos(w j) + b sin(w j) + c over [j0, j1). Returns
 * the SNR in dB, the tone against everything else; *amp is its amplitude. */
static double sine_fit(const float* y, long j0, long j1, double w, double* amp) {
    double s[3][4];
    double coef[3];
    double res = 0.0;
    long j;
    int a;
    int b;
    int k;
    memset(s, 0, sizeof s);
    for (j = j0; j < j1; ++j) {
        double v[3];
        v[0] = cos(w * (double)j);
        v[1] = sin(w * (double)j);
        v[2] = 1.0;
        for (a = 0; a < 3; ++a) {
            for (b = 0; b < 3; ++b) {
                s[a][b] += v[a] * v[b];
            }
            s[a][3] += v[a] * (double)y[j];
        }
    }
    for (k = 0; k < 3; ++k) { /* Gauss-Jordan: the system is well conditioned */
        for (a = 0; a < 3; ++a) {
            if (a != k) {
                double f = s[a][k] / s[k][k];
                for (b = 0; b < 4; ++b) {
                    s[a][b] -= f * s[k][b];
                }
            }
        }
    }
    for (a = 0; a < 3; ++a) {
        coef[a] = s[a][3] / s[a][a];
    }
    for (j = j0; j < j1; ++j) {
        double e =
            (double)y[j] - (coef[0] * cos(w * (double)j) + coef[1] * sin(w * (double)j) + coef[2]);
        res += e * e;
    }
    *amp = sqrt(coef[0] * coef[0] + coef[1] * coef[1]);
    return 10.0 * log10(0.5 * *amp * *amp / (res / (double)(j1 - j0)));
}

static float* tone(long n, double f, double rate, double amp, double phase) {
    float* x = malloc(sizeof(float) * (size_t)n);
    long i;
    for (i = 0; i < n; ++i) {
        x[i] = (float)(amp * sin(2.0 * PI * f * (double)i / rate + phase));
    }
    return x;
}

static double rms(const float* y, long j0, long j1) {
    double s = 0.0;
    long j;
    for (j = j0; j < j1; ++j) {
        s += (double)y[j] * (double)y[j];
    }
    return sqrt(s / (double)(j1 - j0));
}

static double db(double x) {
    return 20.0 * log10(x);
}

/* A mono conversion of a tone, from an aligned start; returns the output. */
static float* convert_tone(double in_rate, double out_rate, double f, double amp, float speed,
                           long nout, long* made) {
    rs_box b;
    long nin = (long)ceil((double)nout * in_rate / out_rate * (double)speed) + 2048;
    float* x = tone(nin, f, in_rate, amp, 0.3);
    float* y = calloc((size_t)nout, sizeof(float));
    *made = 0;
    if (make_rs(&b, 1, in_rate, out_rate)) {
        float* ip[1] = {x};
        float* op[1] = {y};
        /* A fresh start at the speed: no ramp in the output. */
        CHECK_EQ(rl_resampler_reset(b.rs, RL_RESAMPLER_START_ALIGNED, speed), RL_OK);
        CHECK_NEAR(rl_resampler_speed(b.rs), speed, 0.0);
        *made = convert(b.rs, 1, ip, nin, op, nout, speed, NULL, 0);
        free_rs(&b);
    }
    free(x);
    return y;
}

/* ------------------------------------------------------------------------ */
/* Arguments and results                                                    */
/* ------------------------------------------------------------------------ */

static uint32_t pull_none(void* user, float* const* planar, uint32_t frames, int* ended) {
    (void)planar;
    (void)frames;
    (void)ended;
    ++*(uint32_t*)user;
    return 0;
}

static void test_config(void) {
    rl_resampler_config c = rl_resampler_config_init(2, 44100, 48000);
    rl_resampler_config bad;
    size_t size = 123;
    size_t small;
    size_t big;
    const double bad_rates[] = {7999.99, 384000.01, 0.0, -48000.0, NAN, INFINITY};
    const double bad_speeds[] = {0.99, 4.01, NAN, 0.0};
    uint32_t i;
    CHECK_EQ(c.channels, 2);
    CHECK_NEAR(c.max_speed, RL_RESAMPLER_MAX_SPEED, 0.0);
    CHECK_EQ(rl_resampler_get_heap_size(&c, NULL), RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_get_heap_size(NULL, &size), RL_INVALID_ARGS);
    CHECK_EQ(size, 0);
    for (i = 0; i < 2; ++i) {
        bad = c;
        bad.channels = i == 0 ? 0u : RL_RESAMPLER_MAX_CHANNELS + 1u;
        size = 1;
        CHECK_EQ(rl_resampler_get_heap_size(&bad, &size), RL_INVALID_ARGS);
        CHECK_EQ(size, 0);
    }
    for (i = 0; i < sizeof bad_rates / sizeof bad_rates[0]; ++i) {
        bad = c;
        bad.input_rate = bad_rates[i];
        CHECK_EQ(rl_resampler_get_heap_size(&bad, &size), RL_INVALID_ARGS);
        bad = c;
        bad.output_rate = bad_rates[i];
        CHECK_EQ(rl_resampler_get_heap_size(&bad, &size), RL_INVALID_ARGS);
    }
    for (i = 0; i < sizeof bad_speeds / sizeof bad_speeds[0]; ++i) {
        bad = c;
        bad.max_speed = bad_speeds[i];
        CHECK_EQ(rl_resampler_get_heap_size(&bad, &size), RL_INVALID_ARGS);
    }
    /* The extremes are accepted, both ways. */
    bad = rl_resampler_config_init(1, RL_RESAMPLER_MIN_RATE, RL_RESAMPLER_MAX_RATE);
    CHECK_EQ(rl_resampler_get_heap_size(&bad, &size), RL_OK);
    bad = rl_resampler_config_init(RL_RESAMPLER_MAX_CHANNELS, RL_RESAMPLER_MAX_RATE,
                                   RL_RESAMPLER_MIN_RATE);
    CHECK_EQ(rl_resampler_get_heap_size(&bad, &big), RL_OK);
    /* The input buffer grows with the largest step. */
    bad = c;
    bad.max_speed = 1.0;
    CHECK_EQ(rl_resampler_get_heap_size(&bad, &small), RL_OK);
    CHECK_EQ(rl_resampler_get_heap_size(&c, &size), RL_OK);
    CHECK(small < size);
    CHECK(size < big);
}

static void test_init_errors(void) {
    rl_resampler_config c = rl_resampler_config_init(2, 44100, 48000);
    rl_resampler_config bad = c;
    rl_resampler* rs = (rl_resampler*)(uintptr_t)1;
    size_t size = 0;
    unsigned char* heap;
    unsigned char* copy;
    CHECK_EQ(rl_resampler_get_heap_size(&c, &size), RL_OK);
    heap = alloc64(size + 64);
    copy = malloc(size + 64);
    memset(heap, 0x3C, size + 64);
    memcpy(copy, heap, size + 64);
    CHECK_EQ(rl_resampler_init_preallocated(&c, heap, size, NULL), RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_init_preallocated(&c, NULL, size, &rs), RL_INVALID_ARGS);
    CHECK(rs == NULL);
    CHECK_EQ(rl_resampler_init_preallocated(&c, heap + 16, size, &rs), RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_init_preallocated(&c, heap, size - 1, &rs), RL_OUT_OF_MEMORY);
    bad.output_rate = 1000.0;
    CHECK_EQ(rl_resampler_init_preallocated(&bad, heap, size, &rs), RL_INVALID_ARGS);
    CHECK(rs == NULL);
    /* A refused init writes nothing into the block. */
    CHECK(memcmp(heap, copy, size + 64) == 0);
    CHECK_EQ(rl_resampler_init_preallocated(&c, heap, size, &rs), RL_OK);
    CHECK(rs != NULL);
    CHECK_NEAR(rl_resampler_position(rs), -(double)H, 0.0);
    CHECK_EQ(rl_resampler_work(rs), 0);
    rl_resampler_uninit(rs);
    rl_resampler_uninit(NULL);
    free(heap);
    free(copy);
}

static void test_process_errors(void) {
    rs_box b;
    float a0[BLOCK];
    float a1[BLOCK];
    float* out[2] = {a0, a1};
    float* holed[2] = {a0, NULL};
    float speeds[BLOCK];
    const float* in[2] = {a0, a1};
    const float* in_holed[2] = {a0, NULL};
    uint32_t pulls = 0;
    uint32_t made = 77;
    uint32_t used = 77;
    unsigned char* snapshot;
    uint32_t i;
    if (!make_rs(&b, 2, 48000, 44100)) {
        return;
    }
    for (i = 0; i < BLOCK; ++i) {
        speeds[i] = 1.0f;
        a0[i] = a1[i] = 0.25f;
    }
    snapshot = malloc(b.size);
    memcpy(snapshot, b.heap, b.size);
    CHECK_EQ(rl_resampler_process(NULL, out, BLOCK, NULL, 0, pull_none, &pulls, &made),
             RL_INVALID_ARGS);
    CHECK_EQ(made, 0);
    CHECK_EQ(rl_resampler_process(b.rs, NULL, BLOCK, NULL, 0, pull_none, &pulls, &made),
             RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_process(b.rs, holed, BLOCK, NULL, 0, pull_none, &pulls, &made),
             RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_process(b.rs, out, 0, NULL, 0, pull_none, &pulls, &made),
             RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_process(b.rs, out, RL_MAX_QUANTUM_FRAMES + 1u, NULL, 0, pull_none, &pulls,
                                  &made),
             RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_process(b.rs, out, BLOCK, speeds, 2, pull_none, &pulls, &made),
             RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_process(b.rs, out, BLOCK, NULL, 1, pull_none, &pulls, &made),
             RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_process(b.rs, out, BLOCK, speeds, 1, NULL, &pulls, &made),
             RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_process(b.rs, out, BLOCK, speeds, 1, pull_none, &pulls, NULL),
             RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_process_buffers(b.rs, NULL, 4, &used, out, BLOCK, &made, NULL, 0),
             RL_INVALID_ARGS);
    CHECK_EQ(used, 0);
    CHECK_EQ(rl_resampler_process_buffers(b.rs, in_holed, 4, &used, out, BLOCK, &made, NULL, 0),
             RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_process_buffers(b.rs, in, 4, NULL, out, BLOCK, &made, NULL, 0),
             RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_process_buffers(b.rs, in, 4, &used, out, BLOCK, NULL, NULL, 0),
             RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_process_buffers(NULL, in, 4, &used, out, BLOCK, &made, NULL, 0),
             RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_reset(b.rs, (rl_resampler_start)3, 0.0), RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_reset(b.rs, RL_RESAMPLER_START_SILENT, 0.2), RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_reset(b.rs, RL_RESAMPLER_START_SILENT, 4.5), RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_reset(b.rs, RL_RESAMPLER_START_ALIGNED, NAN), RL_INVALID_ARGS);
    /* A direct start needs equal rates. */
    CHECK_EQ(rl_resampler_reset(b.rs, RL_RESAMPLER_START_DIRECT, 0.0), RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_reset(NULL, RL_RESAMPLER_START_SILENT, 0.0), RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_end_input(NULL), RL_INVALID_ARGS);
    CHECK_EQ(pulls, 0);
    /* Nothing above touched the resampler. */
    CHECK(memcmp(snapshot, b.heap, b.size) == 0);

    /* A pull that never delivers: no output, one pull per call, no hang. */
    CHECK_EQ(rl_resampler_process(b.rs, out, BLOCK, speeds, BLOCK, pull_none, &pulls, &made),
             RL_OK);
    CHECK_EQ(made, 0);
    CHECK_EQ(pulls, 1);

    /* An uninitialised block: RL_INVALID_STATE, NaN, 0. */
    rl_resampler_uninit(b.rs);
    CHECK_EQ(rl_resampler_process(b.rs, out, BLOCK, NULL, 0, pull_none, &pulls, &made),
             RL_INVALID_STATE);
    CHECK_EQ(rl_resampler_process_buffers(b.rs, in, 4, &used, out, BLOCK, &made, NULL, 0),
             RL_INVALID_STATE);
    CHECK_EQ(rl_resampler_reset(b.rs, RL_RESAMPLER_START_SILENT, 0.0), RL_INVALID_STATE);
    CHECK_EQ(rl_resampler_end_input(b.rs), RL_INVALID_STATE);
    CHECK(isnan(rl_resampler_latency(b.rs)));
    CHECK(isnan(rl_resampler_lookahead(b.rs)));
    CHECK(isnan(rl_resampler_position(b.rs)));
    CHECK(isnan(rl_resampler_speed(b.rs)));
    CHECK(isnan(rl_resampler_latency(NULL)));
    CHECK_EQ(rl_resampler_work(b.rs), 0);
    CHECK_EQ(pulls, 1);
    free(snapshot);
    free(b.heap);
}

/* ------------------------------------------------------------------------ */
/* Quality                                                                  */
/* ------------------------------------------------------------------------ */

/* The figure: a 0.5 tone at 44.1 kHz -> 48 kHz, fit over 0.2 .. 0.8 s
 * (sox -v: 138 and 139 dB), and the way back. */
static void test_snr(void) {
    static const struct {
        double in;
        double out;
        double f;
        double min_db;
    } cases[] = {
        {44100, 48000, 1000, 137},                             /* measured 140.2 */
        {44100, 48000, 15000, 137}, {48000, 44100, 1000, 136}, /* measured 138.6 */
        {48000, 44100, 15000, 136}, {96000, 44100, 5000, 130}, {8000, 48000, 3000, 130},
    };
    uint32_t k;
    for (k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        long made;
        double amp;
        float* y = convert_tone(cases[k].in, cases[k].out, cases[k].f, 0.5, 1.0f,
                                (long)cases[k].out, &made);
        double snr = sine_fit(y, (long)(0.2 * cases[k].out), (long)(0.8 * cases[k].out),
                              2.0 * PI * cases[k].f / cases[k].out, &amp);
        CHECK_EQ(made, (long)cases[k].out);
        if (!CHECK(snr >= cases[k].min_db)) {
            fprintf(stderr, "  %g -> %g Hz, %g Hz tone: SNR %.1f dB\n", cases[k].in, cases[k].out,
                    cases[k].f, snr);
        }
        CHECK_NEAR(amp, 0.5, 0.5 * 1e-5);
        free(y);
    }
}

typedef struct rate_case {
    double in;
    double out;
    float speed;
} rate_case;

/* The gain of stepped tones from 40 Hz to 0.45 of the lower rate (in input
 * Hz: 0.45 * min(in, out / speed)): within 0.005 dB each, so the ripple is
 * under 0.01 dB. */
static void test_passband(void) {
    static const rate_case cases[] = {
        {44100, 48000, 1.0f}, {48000, 44100, 1.0f}, {96000, 44100, 1.0f}, {8000, 48000, 1.0f},
        {48000, 8000, 1.0f},  {48000, 48000, 0.5f}, {48000, 48000, 2.0f}, {44100, 48000, 3.3f},
    };
    const int tones = 12;
    uint32_t k;
    for (k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        const rate_case* r = &cases[k];
        double lower = r->in < r->out / r->speed ? r->in : r->out / r->speed;
        double edge = 0.45 * lower;
        double lo = 1e9;
        double hi = -1e9;
        long nout = (long)(0.12 * r->out);
        int t;
        for (t = 0; t <= tones; ++t) {
            double f = 40.0 * pow(edge / 40.0, (double)t / tones);
            double fo = f * (double)r->speed; /* output Hz */
            long made;
            double amp;
            float* y = convert_tone(r->in, r->out, f, 0.5, r->speed, nout, &made);
            double g;
            sine_fit(y, nout / 3, nout - 16, 2.0 * PI * fo / r->out, &amp);
            g = db(amp / 0.5);
            lo = g < lo ? g : lo;
            hi = g > hi ? g : hi;
            if (!CHECK(fabs(g) <= 0.005)) {
                fprintf(stderr, "  %g -> %g Hz at speed %g: %.1f Hz tone at %.5f dB\n", r->in,
                        r->out, (double)r->speed, f, g);
            }
            free(y);
        }
        CHECK(hi - lo < 0.01);
    }
}

/* Tones that would alias (above the output's Nyquist frequency, in output
 * time) come out at least 100 dB down (measured: below -130 dB). */
static void test_stopband(void) {
    static const rate_case cases[] = {
        {96000, 44100, 1.0f}, {48000, 8000, 1.0f},   {48000, 48000, 2.5f},
        {44100, 48000, 1.5f}, {384000, 44100, 1.0f},
    };
    const int tones = 8;
    uint32_t k;
    for (k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        const rate_case* r = &cases[k];
        double from = 0.5 * r->out / r->speed; /* input Hz */
        double to = 0.499 * r->in;
        long nout = (long)(0.05 * r->out);
        int t;
        for (t = 0; t <= tones; ++t) {
            double f = from + (to - from) * t / tones;
            long made;
            float* y = convert_tone(r->in, r->out, f, 0.5, r->speed, nout, &made);
            double level = db(rms(y, nout / 2, nout) / (0.5 / sqrt(2.0)));
            if (!CHECK(level <= -100.0)) {
                fprintf(stderr, "  %g -> %g Hz at speed %g: %.1f Hz tone at %.1f dB\n", r->in,
                        r->out, (double)r->speed, f, level);
            }
            free(y);
        }
    }
}

/* Sweeps: through the passband the output is the analytic sweep at the
 * positions played (an aligned start: P[j] = j * step), all but 110 dB; a
 * sweep through the stopband comes out 100 dB down. */
static void test_sweeps(void) {
    static const rate_case pass[] = {
        {44100, 48000, 1.0f},
        {48000, 44100, 1.0f},
        {44100, 96000, 1.0f},
    };
    uint32_t k;
    for (k = 0; k < sizeof pass / sizeof pass[0]; ++k) {
        const rate_case* r = &pass[k];
        double lower = r->in < r->out ? r->in : r->out;
        double f0 = 20.0;
        double f1 = 0.45 * lower;
        double seconds = 0.5;
        long nin = (long)(seconds * r->in);
        const double step = r->in / r->out;
        long nout = (long)(((double)nin - H * (step > 1.0 ? step : 1.0) - 2.0) / step);
        double rate = (f1 - f0) / seconds;
        float* x = malloc(sizeof(float) * (size_t)nin);
        float* y = calloc((size_t)nout, sizeof(float));
        double err = 0.0;
        double sig = 0.0;
        rs_box b;
        long n;
        for (n = 0; n < nin; ++n) {
            double t = (double)n / r->in;
            x[n] = (float)(0.5 * sin(2.0 * PI * (f0 * t + 0.5 * rate * t * t)));
        }
        if (make_rs(&b, 1, r->in, r->out)) {
            float* ip[1] = {x};
            float* op[1] = {y};
            CHECK_EQ(rl_resampler_reset(b.rs, RL_RESAMPLER_START_ALIGNED, 0.0), RL_OK);
            CHECK_EQ(convert(b.rs, 1, ip, nin, op, nout, 1.0f, NULL, 0), nout);
            free_rs(&b);
        }
        for (n = (long)H; n < nout; ++n) {
            double t = (double)n * (r->in / r->out) / r->in;
            double ref = 0.5 * sin(2.0 * PI * (f0 * t + 0.5 * rate * t * t));
            err += ((double)y[n] - ref) * ((double)y[n] - ref);
            sig += ref * ref;
        }
        if (!CHECK(10.0 * log10(err / sig) <= -110.0)) {
            fprintf(stderr, "  %g -> %g Hz passband sweep: error %.1f dB\n", r->in, r->out,
                    10.0 * log10(err / sig));
        }
        free(x);
        free(y);
    }
    { /* 96 kHz -> 44.1 kHz, a sweep from 22.05 kHz to 47.9 kHz: all aliasing. */
        long nin = 48000;
        long nout = 22050;
        float* x = malloc(sizeof(float) * (size_t)nin);
        float* y = calloc((size_t)nout, sizeof(float));
        double rate = (47900.0 - 22050.0) / 0.5;
        rs_box b;
        long n;
        for (n = 0; n < nin; ++n) {
            double t = (double)n / 96000.0;
            x[n] = (float)(0.5 * sin(2.0 * PI * (22050.0 * t + 0.5 * rate * t * t)));
        }
        if (make_rs(&b, 1, 96000, 44100)) {
            float* ip[1] = {x};
            float* op[1] = {y};
            CHECK_EQ(convert(b.rs, 1, ip, nin, op, nout, 1.0f, NULL, 0), nout);
            free_rs(&b);
        }
        if (!CHECK(db(rms(y, 2205, nout - 2205) / (0.5 / sqrt(2.0))) <= -100.0)) {
            fprintf(stderr, "  stopband sweep at %.1f dB\n",
                    db(rms(y, 2205, nout - 2205) / (0.5 / sqrt(2.0))));
        }
        free(x);
        free(y);
    }
}

/* A constant comes out as that constant in either form, at any speed. */
static void test_dc(void) {
    static const rate_case cases[] = {
        {44100, 48000, 1.0f}, {48000, 44100, 1.0f}, {48000, 48000, 0.25f},
        {48000, 48000, 4.0f}, {8000, 384000, 1.0f}, {384000, 8000, 1.0f},
    };
    uint32_t k;
    for (k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        const rate_case* r = &cases[k];
        /* Settled once the filter's left half is past input frame 0. */
        const double step = r->in / r->out * (double)r->speed;
        const long settle = (long)((H + 8.0) / (step < 1.0 ? step : 1.0));
        long nout = settle + 1024;
        long nin =
            (long)((double)nout * step) + (long)((H + 8.0) * (step > 1.0 ? step : 1.0)) + 4096;
        float* x = malloc(sizeof(float) * (size_t)nin);
        float* y = calloc((size_t)nout, sizeof(float));
        double worst = 0.0;
        rs_box b;
        long n;
        for (n = 0; n < nin; ++n) {
            x[n] = 0.5f;
        }
        if (make_rs(&b, 1, r->in, r->out)) {
            float* ip[1] = {x};
            float* op[1] = {y};
            CHECK_EQ(rl_resampler_reset(b.rs, RL_RESAMPLER_START_ALIGNED, (double)r->speed), RL_OK);
            convert(b.rs, 1, ip, nin, op, nout, r->speed, NULL, 0);
            free_rs(&b);
        }
        for (n = settle; n < nout; ++n) {
            double e = fabs((double)y[n] - 0.5);
            worst = e > worst ? e : worst;
        }
        if (!CHECK(worst <= 1e-6)) {
            fprintf(stderr, "  DC at %g -> %g, speed %g: off by %g\n", r->in, r->out,
                    (double)r->speed, worst);
        }
        free(x);
        free(y);
    }
}

/* ------------------------------------------------------------------------ */
/* Varispeed                                                                */
/* ------------------------------------------------------------------------ */

typedef enum automation {
    AUTO_SMOOTH,     /* per frame: 1.9 + 1.6 sin(2 pi 0.7 t), crossing 1 */
    AUTO_SMOOTHSTEP, /* per frame: 5 ms S-curves between 0.5 and 1.8 */
    AUTO_JITTER,     /* per frame: 0.97, 1.03, 0.97, ... */
    AUTO_FLIPS,      /* per frame: 0.3 for 3 frames, 3.5 for 4 */
    AUTO_JUMPS,      /* per frame: jumps between 0.5 and 1.8 every 100 ms */
    AUTO_CONSTANTS,  /* one value per call, jumping: the resampler's own ramps */
    AUTO_COUNT
} automation;

static const char* const AUTO_NAMES[AUTO_COUNT] = {"smooth", "smoothstep", "jitter",
                                                   "flips",  "jumps",      "constants"};

static float auto_speed(automation a, long j, double rate) {
    double t = (double)j / rate;
    long seg = j / (long)(0.1 * rate);
    long in = j % (long)(0.1 * rate);
    float from = seg % 2 ? 0.5f : 1.8f;
    float to = seg % 2 ? 1.8f : 0.5f;
    double u;
    switch (a) {
    case AUTO_SMOOTH:
        return (float)(1.9 + 1.6 * sin(2.0 * PI * 0.7 * t));
    case AUTO_SMOOTHSTEP:
        u = (double)in / (0.005 * rate);
        u = u > 1.0 ? 1.0 : u;
        return (float)(from + (to - from) * u * u * (3.0 - 2.0 * u));
    case AUTO_JITTER:
        return (j & 1) ? 0.97f : 1.03f;
    case AUTO_FLIPS:
        return j % 7 < 3 ? 0.3f : 3.5f;
    default:
        return to;
    }
}

/*
 * Stereo, 1 kHz and 700 Hz tones at 0.5; one call per 128 frames. The
 * reference for output frame j is each tone at the position P[j] played
 * there: P at each call's start from rl_resampler_position, then advanced
 * frame by frame by ratio * speed, the speed given RL_RESAMPLER_SPEED_DELAY_FRAMES
 * earlier (1 before that). With constants the positions come from the
 * resampler itself, one call per frame.
 *
 * Where the speed glides, the output must match the reference closely; a
 * jump in the speed is a kink in the warp, and the decimating form filters
 * what that kink puts above the cutoff, so it may depart a little there, but
 * never click.
 */
static void test_varispeed(void) {
    static const double pairs[][2] = {{48000, 48000}, {44100, 48000}, {48000, 44100}};
    /* Bounds in dB against 0.5, each a few dB above what was measured. */
    static const double limit_db[AUTO_COUNT] = {-115, -98, -45, -120, -45, -75};
    uint32_t p;
    int a;
    for (p = 0; p < sizeof pairs / sizeof pairs[0]; ++p) {
        for (a = 0; a < AUTO_COUNT; ++a) {
            const double in_rate = pairs[p][0];
            const double out_rate = pairs[p][1];
            const double ratio = in_rate / out_rate;
            const long nout = (long)(0.5 * out_rate) / (long)BLOCK * (long)BLOCK;
            const long nin = (long)(4.2 * (double)nout * ratio) + 4096;
            const double f[2] = {1000.0, 700.0};
            float* x[2];
            float* speeds = malloc(sizeof(float) * (size_t)nout);
            float y0[BLOCK];
            float y1[BLOCK];
            float* op[2] = {y0, y1};
            double worst = 0.0;
            long worst_at = -1;
            long used = 0;
            long j;
            rs_box b;
            x[0] = tone(nin, f[0], in_rate, 0.5, 0.0);
            x[1] = tone(nin, f[1], in_rate, 0.5, 0.0);
            for (j = 0; j < nout; ++j) {
                speeds[j] = auto_speed((automation)a, j, out_rate);
            }
            if (make_rs(&b, 2, in_rate, out_rate)) {
                CHECK_EQ(rl_resampler_reset(b.rs, RL_RESAMPLER_START_ALIGNED, 0.0), RL_OK);
                for (j = 0; j < nout;) {
                    const float* ip[2] = {x[0] + used, x[1] + used};
                    uint32_t frames = a == AUTO_CONSTANTS ? 1u : BLOCK;
                    double pos = rl_resampler_position(b.rs);
                    uint32_t u;
                    uint32_t m;
                    uint32_t i;
                    float sp = auto_speed((automation)a, j / (long)BLOCK * (long)BLOCK, out_rate);
                    CHECK_EQ(rl_resampler_process_buffers(
                                 b.rs, ip, (uint32_t)(nin - used), &u, op, frames, &m,
                                 a == AUTO_CONSTANTS ? &sp : speeds + j, frames),
                             RL_OK);
                    used += u;
                    if (!CHECK_EQ(m, frames)) {
                        break;
                    }
                    for (i = 0; i < frames; ++i, ++j) {
                        long k = j - (long)RL_RESAMPLER_SPEED_DELAY_FRAMES;
                        uint32_t c;
                        for (c = 0; c < 2; ++c) {
                            double ref = 0.5 * sin(2.0 * PI * f[c] * pos / in_rate);
                            double e = fabs((double)op[c][i] - ref);
                            if (j >= 2048 && e > worst) {
                                worst = e;
                                worst_at = j;
                            }
                        }
                        pos += ratio * (k < 0 ? 1.0 : (double)speeds[k]);
                    }
                }
                free_rs(&b);
            }
            if (!CHECK(db(worst / 0.5) <= limit_db[a])) {
                fprintf(stderr, "  %s at %g -> %g: %.1f dB at frame %ld (limit %.0f)\n",
                        AUTO_NAMES[a], in_rate, out_rate, db(worst / 0.5), worst_at, limit_db[a]);
            }
            free(x[0]);
            free(x[1]);
            free(speeds);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Call sizes, starvation and work                                          */
/* ------------------------------------------------------------------------ */

typedef struct source {
    const float* x;
    long n;
    long used;
    int stingy; /* deliver 0, some or all of what is asked, at random */
    uint64_t rng;
    uint32_t pulls;
    uint32_t max_ask;
} source;

static uint32_t pull_source(void* user, float* const* planar, uint32_t frames, int* ended) {
    source* s = (source*)user;
    uint32_t k = frames;
    ++s->pulls;
    s->max_ask = frames > s->max_ask ? frames : s->max_ask;
    if (s->stingy) {
        uint32_t r = (uint32_t)(rng_next(&s->rng) % 4u);
        k = r == 0 ? 0 : r == 1 ? (uint32_t)(rng_next(&s->rng) % (frames + 1u)) : frames;
    }
    if (k > s->n - s->used) {
        k = (uint32_t)(s->n - s->used);
    }
    memcpy(planar[0], s->x + s->used, sizeof(float) * k);
    s->used += k;
    if (s->used == s->n) {
        *ended = 1;
    }
    return k;
}

/* Runs to the end (or `cap` frames): calls of `frames` (0: random 2 .. 1024). */
static long run_pull(double in_rate, double out_rate, const float* x, long nin, const float* sp,
                     float* y, long cap, int stingy, uint64_t seed) {
    rs_box b;
    source s;
    long made = 0;
    int idle = 0;
    memset(&s, 0, sizeof s);
    s.x = x;
    s.n = nin;
    s.stingy = stingy;
    s.rng = seed;
    if (!make_rs(&b, 1, in_rate, out_rate)) {
        return 0;
    }
    while (made < cap) {
        uint32_t f = stingy ? 2u + (uint32_t)(rng_next(&s.rng) % 1023u) : 1024u;
        float* op[1] = {y + made};
        uint32_t m;
        rl_result r;
        f = (long)f > cap - made ? (uint32_t)(cap - made) : f;
        f = f < 2u ? 2u : f;
        if ((long)f > cap - made) {
            break;
        }
        r = rl_resampler_process(b.rs, op, f, sp + made, f, pull_source, &s, &m);
        made += m;
        if (r == RL_CLOSED) {
            break;
        }
        /* Bounded: the input is all there and nothing came out. */
        if (m == 0 && s.used == s.n && ++idle > 4) {
            CHECK(!"the resampler stalled after the end of its input");
            break;
        }
    }
    free_rs(&b);
    return made;
}

/* Output is bit-identical however the calls are cut and however the input
 * arrives (pulls that deliver nothing or part of what they were asked),
 * with a new speed every frame: frames a short call did not make drop their
 * speeds, and the caller gives them again. */
static void test_call_sizes(void) {
    static const double pairs[][2] = {
        {48000, 48000}, {44100, 48000}, {48000, 44100}, {96000, 44100}, {8000, 48000}};
    const uint64_t seed = test_seed(0x5eedC0DEull);
    const long nin = 60000;
    const long cap = 90000;
    float* x = malloc(sizeof(float) * (size_t)nin);
    float* sp = malloc(sizeof(float) * (size_t)(cap + 1024));
    long n;
    uint32_t k;
    for (n = 0; n < nin; ++n) {
        x[n] = (float)(0.4 * sin((double)n * 0.05) +
                       0.3 * sin((double)n * 1.9 + 0.3 * sin((double)n * 0.001)));
    }
    for (n = 0; n < cap + 1024; ++n) {
        sp[n] = (float)(1.2 + 1.1 * sin((double)n * 0.0007) + ((n / 3000) % 4 == 1 ? 1.5 : 0.0));
    }
    for (k = 0; k < sizeof pairs / sizeof pairs[0]; ++k) {
        float* a = calloc((size_t)cap, sizeof(float));
        float* b = calloc((size_t)cap, sizeof(float));
        long na = run_pull(pairs[k][0], pairs[k][1], x, nin, sp, a, cap, 0, seed);
        long nb = run_pull(pairs[k][0], pairs[k][1], x, nin, sp, b, cap, 1, seed + k);
        long diff = -1;
        CHECK(na > 10000);
        CHECK_EQ(na, nb);
        for (n = 0; n < na && n < nb; ++n) {
            if (memcmp(&a[n], &b[n], sizeof(float)) != 0) {
                diff = n;
                break;
            }
        }
        if (!CHECK_EQ(diff, -1)) {
            fprintf(stderr, "  %g -> %g: first difference at frame %ld (seed 0x%llx)\n",
                    pairs[k][0], pairs[k][1], diff, (unsigned long long)seed);
        }
        free(a);
        free(b);
    }
    free(x);
    free(sp);
}

/* Work per call stays within the header's bound whatever the automation:
 * frames * (1 + step_max) filter evaluations plus at most two splices, each
 * of H + SPLICE (64) interpolated samples. Pulls never ask for more than the
 * input buffer holds, and one pull that runs short ends the call's input. */
static void test_bounded_work(void) {
    static const double pairs[][2] = {{48000, 48000}, {48000, 44100}, {384000, 96000}};
    uint32_t p;
    int a;
    for (p = 0; p < sizeof pairs / sizeof pairs[0]; ++p) {
        for (a = 0; a < AUTO_COUNT; ++a) {
            const double ratio = pairs[p][0] / pairs[p][1];
            const double step_max = ratio * RL_RESAMPLER_MAX_SPEED;
            const double bound = (double)RL_RESAMPLER_TAPS * (3.0 + 1.0) *
                                 ((double)BLOCK * (1.0 + ceil(step_max)) +
                                  (H + 2.0) * ceil(step_max) + 4.0 * (H + 64.0) + 8.0);
            const long nout = 64L * (long)BLOCK;
            const long nin = (long)(step_max * (double)nout) + 8192;
            float* x = tone(nin, 300.0, pairs[p][0], 0.5, 0.0);
            float* sp = malloc(sizeof(float) * (size_t)nout);
            float y[BLOCK];
            float* op[1] = {y};
            double worst = 0.0;
            source s;
            rs_box b;
            long j;
            memset(&s, 0, sizeof s);
            s.x = x;
            s.n = nin;
            for (j = 0; j < nout; ++j) {
                sp[j] = a == AUTO_CONSTANTS ? 4.0f : auto_speed((automation)a, j, pairs[p][1]);
            }
            if (make_rs(&b, 1, pairs[p][0], pairs[p][1])) {
                for (j = 0; j < nout; j += (long)BLOCK) {
                    uint64_t w0 = rl_resampler_work(b.rs);
                    uint32_t pulls0 = s.pulls;
                    uint32_t m;
                    double w;
                    CHECK_EQ(
                        rl_resampler_process(b.rs, op, BLOCK, sp + j, BLOCK, pull_source, &s, &m),
                        RL_OK);
                    CHECK_EQ(m, BLOCK);
                    w = (double)(rl_resampler_work(b.rs) - w0);
                    worst = w > worst ? w : worst;
                    CHECK(w > 0.0);
                    /* A pull asks for all the call needs, or as much as fits:
                     * a few pulls per call (one more after a shift, one more
                     * when the form switches), never one per frame. */
                    if (!CHECK(s.pulls - pulls0 <= 3u + (uint32_t)(step_max * BLOCK / 1024.0))) {
                        fprintf(stderr, "  %s %g->%g call %ld: %u pulls, max ask %u\n",
                                AUTO_NAMES[a], pairs[p][0], pairs[p][1], j / (long)BLOCK,
                                s.pulls - pulls0, s.max_ask);
                    }
                }
                free_rs(&b);
            }
            if (!CHECK(worst <= bound)) {
                fprintf(stderr, "  %s at %g -> %g: %.0f multiply-adds in a call, bound %.0f\n",
                        AUTO_NAMES[a], pairs[p][0], pairs[p][1], worst, bound);
            }
            free(x);
            free(sp);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Timing: latency, position, starts, end                                   */
/* ------------------------------------------------------------------------ */

/* Where an impulse at input frame 0 comes out, to a fraction of a frame. */
static double peak_at(const float* y, long n) {
    long best = 0;
    long j;
    double a;
    double b;
    double c;
    for (j = 1; j < n; ++j) {
        if (fabs(y[j]) > fabs(y[best])) {
            best = j;
        }
    }
    if (best == 0 || best == n - 1) {
        return (double)best;
    }
    a = y[best - 1];
    b = y[best];
    c = y[best + 1];
    return (double)best + 0.5 * (a - c) / (a - 2.0 * b + c);
}

static void test_latency(void) {
    static const double pairs[][2] = {{44100, 48000}, {48000, 44100}, {48000, 48000}};
    uint32_t k;
    for (k = 0; k < sizeof pairs / sizeof pairs[0]; ++k) {
        const double ratio = pairs[k][0] / pairs[k][1];
        const double look = (double)H * (ratio > 1.0 ? ratio : 1.0);
        const double latency = look / ratio;
        float x[4096];
        float y[1024];
        float* ip[1] = {x};
        float* op[1] = {y};
        rs_box b;
        memset(x, 0, sizeof x);
        x[0] = 1.0f;
        if (!make_rs(&b, 1, pairs[k][0], pairs[k][1])) {
            continue;
        }
        /* A silent start: the frame pulled first is heard `latency` frames on. */
        CHECK_NEAR(rl_resampler_position(b.rs), -look, 1e-9);
        CHECK_NEAR(rl_resampler_lookahead(b.rs), look, 1e-9);
        CHECK_NEAR(rl_resampler_latency(b.rs), latency, 1e-9);
        CHECK_EQ(convert(b.rs, 1, ip, 4096, op, 1024, 1.0f, NULL, 0), 1024);
        CHECK_NEAR(peak_at(y, 1024), latency, 0.02);
        CHECK_NEAR(rl_resampler_position(b.rs), -look + 1024.0 * ratio, 1e-9);
        /* Between calls, the lookahead is about H frames (plus what the last
         * pull brought beyond the last frame's need). */
        CHECK(rl_resampler_lookahead(b.rs) >= look - 1.0 - ratio);
        CHECK(rl_resampler_lookahead(b.rs) <= look + 1.0 + ratio);
        /* Aligned: input frame 0 is output frame 0. */
        CHECK_EQ(rl_resampler_reset(b.rs, RL_RESAMPLER_START_ALIGNED, 0.0), RL_OK);
        CHECK_NEAR(rl_resampler_position(b.rs), 0.0, 0.0);
        CHECK_EQ(convert(b.rs, 1, ip, 4096, op, 1024, 1.0f, NULL, 0), 1024);
        CHECK_NEAR(peak_at(y, 1024), 0.0, 0.02);
        free_rs(&b);
    }
}

/* A direct start copies H frames bit for bit, fades into the filtered
 * signal, and a speed given at the start moves P only after the delay. */
static void test_direct_start(void) {
    const long n = 8192;
    float* x = tone(n, 1234.0, 48000, 0.5, 0.1);
    float* y = calloc((size_t)n, sizeof(float));
    float* ref = calloc((size_t)n, sizeof(float));
    float* ip[1] = {x};
    rs_box b;
    long j;
    if (!make_rs(&b, 1, 48000, 48000)) {
        free(x);
        free(y);
        free(ref);
        return;
    }
    { /* The filtered signal, from an aligned start at speed 1. */
        float* op[1] = {ref};
        CHECK_EQ(rl_resampler_reset(b.rs, RL_RESAMPLER_START_ALIGNED, 0.0), RL_OK);
        CHECK_EQ(convert(b.rs, 1, ip, n, op, 4096, 1.0f, NULL, 0), 4096);
    }
    { /* A direct start, with 1.5 given at once. */
        float* op[1] = {y};
        CHECK_EQ(rl_resampler_reset(b.rs, RL_RESAMPLER_START_DIRECT, 0.0), RL_OK);
        CHECK_NEAR(rl_resampler_latency(b.rs), 0.0, 0.0);
        CHECK_EQ(convert(b.rs, 1, ip, n, op, 4096, 1.5f, NULL, 0), 4096);
    }
    for (j = 0; j < (long)H; ++j) {
        if (!CHECK(memcmp(&y[j], &x[j], sizeof(float)) == 0)) {
            break;
        }
    }
    /* The fade and the frames up to the speed's delay: the signal at speed 1. */
    for (j = (long)H; j < (long)RL_RESAMPLER_SPEED_DELAY_FRAMES; ++j) {
        if (!CHECK(fabs(y[j] - x[j]) <= 2e-6)) {
            break;
        }
        if (j >= (long)(H + RL_RESAMPLER_CROSSFADE_FRAMES) && !CHECK(y[j] == ref[j])) {
            break;
        }
    }
    /* Then the speed ramps to 1.5: the tone's period shortens. */
    CHECK(rl_resampler_position(b.rs) > 4096.0 * 1.4);
    CHECK_EQ(rl_resampler_reset(b.rs, RL_RESAMPLER_START_SILENT, 0.0), RL_OK);
    CHECK_NEAR(rl_resampler_speed(b.rs), 1.5, 0.0);
    free_rs(&b);
    free(x);
    free(y);
    free(ref);
}

/* The end: the tail plays, then RL_CLOSED, with the input's energy kept. */
static void test_end_of_input(void) {
    const long nin = 4410;
    float* x = malloc(sizeof(float) * (size_t)nin);
    float* y = calloc(8192, sizeof(float));
    float* ip[1] = {x};
    float* op[1] = {y};
    float z[BLOCK];
    float* zp[1] = {z};
    double sum = 0.0;
    uint32_t u;
    uint32_t m;
    rs_box b;
    long made;
    long j;
    for (j = 0; j < nin; ++j) {
        x[j] = 1.0f;
    }
    if (make_rs(&b, 1, 44100, 48000)) {
        CHECK_EQ(rl_resampler_reset(b.rs, RL_RESAMPLER_START_ALIGNED, 0.0), RL_OK);
        made = convert(b.rs, 1, ip, nin, op, 8192, 1.0f, NULL, 1);
        /* Input frames 0 .. nin - 1 plus the H-frame tail, at 48/44.1 frames each. */
        CHECK(made >= (long)floor((double)(nin + H) * 48000.0 / 44100.0) - 1);
        CHECK(made <= (long)ceil((double)(nin + H) * 48000.0 / 44100.0) + 1);
        for (j = 0; j < made; ++j) {
            sum += y[j];
        }
        CHECK_NEAR(sum, (double)nin * 48000.0 / 44100.0, 0.5);
        CHECK(fabs(y[made - 1]) < 1e-6);
        CHECK_EQ(rl_resampler_process_buffers(b.rs, NULL, 0, &u, zp, BLOCK, &m, NULL, 0),
                 RL_CLOSED);
        CHECK_EQ(m, 0);
        /* A reset starts a new stream. */
        CHECK_EQ(rl_resampler_reset(b.rs, RL_RESAMPLER_START_SILENT, 0.0), RL_OK);
        CHECK_EQ(convert(b.rs, 1, ip, nin, op, 1024, 1.0f, NULL, 0), 1024);
        free_rs(&b);
    }
    free(x);
    free(y);
}

/* NaN and infinities count as 0; subnormals as 0. */
static void test_non_finite(void) {
    const long n = 6000;
    float* x = tone(n, 440.0, 48000, 0.5, 0.0);
    float* clean = malloc(sizeof(float) * (size_t)n);
    float* y = calloc(4096, sizeof(float));
    float* z = calloc(4096, sizeof(float));
    rs_box b;
    long j;
    memcpy(clean, x, sizeof(float) * (size_t)n);
    for (j = 100; j < n; j += 97) {
        x[j] = j % 3 == 0 ? NAN : j % 3 == 1 ? INFINITY : -1e-40f;
        clean[j] = j % 3 == 2 ? -0.0f : 0.0f;
    }
    if (make_rs(&b, 1, 48000, 44100)) {
        float* ip[1] = {x};
        float* op[1] = {y};
        float* cp[1] = {clean};
        float* zp[1] = {z};
        CHECK_EQ(convert(b.rs, 1, ip, n, op, 4096, 1.0f, NULL, 0), 4096);
        CHECK_EQ(rl_resampler_reset(b.rs, RL_RESAMPLER_START_SILENT, 0.0), RL_OK);
        CHECK_EQ(convert(b.rs, 1, cp, n, zp, 4096, 1.0f, NULL, 0), 4096);
        for (j = 0; j < 4096; ++j) {
            if (!CHECK(isfinite(y[j]) && y[j] == z[j])) {
                break;
            }
        }
        free_rs(&b);
    }
    free(x);
    free(clean);
    free(y);
    free(z);
}

/* ------------------------------------------------------------------------ */
/* Source nodes                                                             */
/* ------------------------------------------------------------------------ */

typedef struct node_box {
    rl_node* node;
    void* heap;
    size_t size;
} node_box;

static int make_node(node_box* nb, uint32_t channels, double rate, double input_rate,
                     uint32_t varispeed) {
    rl_node_config c = rl_node_config_init(RL_MODE_SOURCE, channels, 16384);
    rl_param_message m;
    c.sample_rate = rate;
    c.input_rate = input_rate;
    c.varispeed = varispeed;
    nb->node = NULL;
    if (!CHECK_EQ(rl_node_get_heap_size(&c, &nb->size), RL_OK)) {
        return 0;
    }
    nb->heap = alloc64(nb->size);
    memset(nb->heap, 0x5A, nb->size);
    if (!CHECK_EQ(rl_node_init_preallocated(&c, nb->heap, nb->size, &nb->node), RL_OK)) {
        free(nb->heap);
        return 0;
    }
    /* Full-scale test data: the limiter stays out of the chain. */
    memset(&m, 0, sizeof m);
    m.kind = RL_PARAM_LIMITER_BYPASS;
    m.arg = 1;
    CHECK_EQ(rl_params_push(rl_node_params(nb->node), &m), RL_OK);
    return 1;
}

static void free_node(node_box* nb) {
    rl_node_uninit(nb->node);
    free(nb->heap);
}

static float stat_float(rl_node* node, uint32_t offset) {
    uint32_t bits =
        atomic_load((_Atomic uint32_t*)(void*)((unsigned char*)rl_node_stats(node) + offset));
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static uint32_t stat_u32(rl_node* node, uint32_t offset) {
    return atomic_load((_Atomic uint32_t*)(void*)((unsigned char*)rl_node_stats(node) + offset));
}

static void test_node_config(void) {
    rl_node_config c = rl_node_config_init(RL_MODE_SOURCE, 2, 4096);
    rl_node_config d;
    size_t plain = 0;
    size_t same = 0;
    size_t vs = 0;
    size_t other = 0;
    size_t size = 0;
    CHECK_NEAR(c.input_rate, 0.0, 0.0);
    CHECK_EQ(c.varispeed, 0);
    CHECK_EQ(rl_node_get_heap_size(&c, &plain), RL_OK);
    d = c;
    d.input_rate = d.sample_rate;
    CHECK_EQ(rl_node_get_heap_size(&d, &same), RL_OK);
    /* Equal rates without varispeed: the old node, no resampler. */
    CHECK_EQ(same, plain);
    d.varispeed = 1;
    CHECK_EQ(rl_node_get_heap_size(&d, &vs), RL_OK);
    CHECK(vs > plain);
    d = c;
    d.input_rate = 44100;
    CHECK_EQ(rl_node_get_heap_size(&d, &other), RL_OK);
    CHECK(other > plain);
    d.input_rate = 7000; /* below RL_RESAMPLER_MIN_RATE */
    CHECK_EQ(rl_node_get_heap_size(&d, &size), RL_INVALID_ARGS);
    d.input_rate = 44100;
    d.sample_rate = 3000; /* a node may run at 3 kHz, a resampler not */
    CHECK_EQ(rl_node_get_heap_size(&d, &size), RL_INVALID_ARGS);
    d = rl_node_config_init(RL_MODE_EFFECT, 2, 4096);
    d.input_rate = 44100;
    CHECK_EQ(rl_node_get_heap_size(&d, &size), RL_INVALID_ARGS);
    d.input_rate = d.sample_rate; /* equal: fine for any mode */
    CHECK_EQ(rl_node_get_heap_size(&d, &size), RL_OK);
    d.varispeed = 1;
    CHECK_EQ(rl_node_get_heap_size(&d, &size), RL_INVALID_ARGS);
    {
        node_box nb;
        if (make_node(&nb, 2, 48000, 0, 0)) {
            CHECK(rl_node_resampler(nb.node) == NULL);
            CHECK(rl_node_playback_rate_values(nb.node) == NULL);
            free_node(&nb);
        }
    }
}

/* Reads `quanta` quanta of 128 frames from a node fed `x` (per channel),
 * writing as much as fits before each; rates: 0 values, or one constant. */
static long node_run(rl_node* node, uint32_t channels, float* const* x, long nx, long* fed,
                     float* const* y, long quanta, int rate_count, float rate) {
    long q;
    for (q = 0; q < quanta; ++q) {
        uint32_t c;
        uint32_t moved = 0;
        long room = (long)rl_ring_available_write(rl_node_ring(node));
        long n = nx - *fed < room ? nx - *fed : room;
        if (n > 0) {
            const float* planes[RL_RING_MAX_CHANNELS];
            for (c = 0; c < channels; ++c) {
                planes[c] = x[c] + *fed;
            }
            CHECK_EQ(rl_ring_write_planar(rl_node_ring(node), planes, (uint32_t)n, &moved), RL_OK);
            *fed += moved;
        }
        if (rate_count > 0) {
            rl_node_playback_rate_values(node)[0] = rate;
        }
        if (!CHECK_EQ(rl_node_process_audio_params(node, BLOCK, 0, (uint32_t)rate_count), RL_OK)) {
            return q;
        }
        for (c = 0; c < channels; ++c) {
            memcpy(y[c] + q * (long)BLOCK, rl_node_output(node, c), sizeof(float) * BLOCK);
        }
    }
    return q;
}

/* RL_STATS_OFFSET_HEARD_FRAMES after every quantum of a varispeed node whose
 * speed sweeps 0.25 to 4: the read count less the lookahead, rounded down,
 * never moving back; and the read count itself on a node that copies. */
static void test_node_heard_frames(void) {
    const long n = 200000;
    float* x[1];
    float* y[1];
    node_box nb;
    long fed = 0;
    long q;
    uint32_t last = 0;
    long backwards = 0;
    long wrong = 0;
    x[0] = tone(n, 440.0, 44100, 0.5, 0.0);
    y[0] = calloc(BLOCK, sizeof(float));
    if (make_node(&nb, 1, 48000, 44100, 1)) {
        for (q = 0; q < 600; ++q) {
            float rate = (float)(0.25 + 3.75 * (double)(q % 97) / 96.0);
            uint32_t heard;
            double want;
            if (node_run(nb.node, 1, x, n, &fed, y, 1, 1, rate) != 1) {
                break;
            }
            heard = stat_u32(nb.node, RL_STATS_OFFSET_HEARD_FRAMES);
            want = floor((double)fed - (double)rl_ring_available_read(rl_node_ring(nb.node)) -
                         rl_resampler_lookahead(rl_node_resampler(nb.node)));
            wrong += (double)heard != want;
            backwards += heard < last;
            last = heard;
        }
        CHECK_EQ(wrong, 0);
        CHECK_EQ(backwards, 0);
        CHECK(last > 100000u); /* it played: 600 quanta at 2.1x on average */
        free_node(&nb);
    }
    if (make_node(&nb, 1, 44100, 44100, 0)) {
        fed = 0;
        CHECK(rl_node_resampler(nb.node) == NULL);
        CHECK_EQ(node_run(nb.node, 1, x, n, &fed, y, 1, 0, 1.0f), 1);
        CHECK_EQ(stat_u32(nb.node, RL_STATS_OFFSET_HEARD_FRAMES),
                 (uint32_t)(fed - (long)rl_ring_available_read(rl_node_ring(nb.node))));
        free_node(&nb);
    }
    free(x[0]);
    free(y[0]);
}

/* A ring at 44.1 kHz into a 48 kHz context, through the whole chain. */
static void test_node_resampled(void) {
    const long quanta = 48000 / (long)BLOCK;
    const long n = 44100 + 8192;
    float* x[2];
    float* y[2];
    node_box nb;
    long fed = 0;
    double amp;
    double snr;
    x[0] = tone(n, 1000.0, 44100, 0.5, 0.0);
    x[1] = tone(n, 15000.0, 44100, 0.5, 0.0);
    y[0] = calloc((size_t)(quanta * (long)BLOCK), sizeof(float));
    y[1] = calloc((size_t)(quanta * (long)BLOCK), sizeof(float));
    if (make_node(&nb, 2, 48000, 44100, 0)) {
        CHECK(rl_node_resampler(nb.node) != NULL);
        CHECK_EQ(node_run(nb.node, 2, x, n, &fed, y, quanta, 0, 1.0f), quanta);
        snr = sine_fit(y[0], 9600, 38400, 2.0 * PI * 1000.0 / 48000.0, &amp);
        if (!CHECK(snr >= 135.0)) {
            fprintf(stderr, "  node, 1 kHz: %.1f dB\n", snr);
        }
        CHECK_NEAR(amp, 0.5, 1e-5);
        snr = sine_fit(y[1], 9600, 38400, 2.0 * PI * 15000.0 / 48000.0, &amp);
        if (!CHECK(snr >= 135.0)) {
            fprintf(stderr, "  node, 15 kHz: %.1f dB\n", snr);
        }
        /* The stats: H frames of lookahead, H / 0.91875 at the context's rate. */
        CHECK_NEAR(stat_float(nb.node, RL_STATS_OFFSET_LATENCY_FRAMES), 96.0 / 0.91875, 1.1);
        CHECK_NEAR(stat_float(nb.node, RL_STATS_OFFSET_LOOKAHEAD_FRAMES), 96.0, 1.0);
        CHECK_EQ(stat_u32(nb.node, RL_STATS_OFFSET_SILENT_FRAMES), 0);
        CHECK_EQ(rl_ring_underruns(rl_node_ring(nb.node)), 0);
        /* Frames heard = frames read - lookahead: 48000 output frames at 0.91875. */
        CHECK_NEAR((double)fed - (double)rl_ring_available_read(rl_node_ring(nb.node)) -
                       stat_float(nb.node, RL_STATS_OFFSET_LOOKAHEAD_FRAMES),
                   48000.0 * 0.91875 - 96.0, 1e-2);
        /* ...which the node also stores whole, rounded down. */
        CHECK_EQ(stat_u32(nb.node, RL_STATS_OFFSET_HEARD_FRAMES),
                 (uint32_t)floor((double)fed -
                                 (double)rl_ring_available_read(rl_node_ring(nb.node)) -
                                 rl_resampler_lookahead(rl_node_resampler(nb.node))));
        free_node(&nb);
    }
    free(x[0]);
    free(x[1]);
    free(y[0]);
    free(y[1]);
}

/* Equal rates with varispeed: a bit-exact copy at speed 1, no latency; the
 * first rate other than 1 starts the resampler without a jump; a reset at
 * speed 1 makes it a copy again. */
static void test_node_varispeed(void) {
    const long quanta = 40;
    const long n = quanta * (long)BLOCK * 3;
    float* x[1];
    float* y[1];
    node_box nb;
    long fed = 0;
    long j;
    uint64_t s = test_seed(0xFEEDull);
    x[0] = malloc(sizeof(float) * (size_t)n);
    y[0] = calloc((size_t)(quanta * (long)BLOCK), sizeof(float));
    for (j = 0; j < n; ++j) {
        x[0][j] = (float)(0.5 * sin((double)j * 0.03)) +
                  (float)((double)(rng_next(&s) >> 40) / 16777216.0 - 0.5) * 0.01f;
    }
    if (make_node(&nb, 1, 48000, 0, 1)) {
        float* rates = rl_node_playback_rate_values(nb.node);
        rl_param_message m;
        uint32_t i;
        CHECK(rates != NULL);
        /* Ones, as a constant and per frame: the ring straight through. */
        CHECK_EQ(node_run(nb.node, 1, x, n, &fed, y, 4, 1, 1.0f), 4);
        CHECK(memcmp(y[0], x[0], sizeof(float) * 4 * BLOCK) == 0);
        for (i = 0; i < BLOCK; ++i) {
            rates[i] = 1.0f;
        }
        CHECK_EQ(rl_node_process_audio_params(nb.node, BLOCK, 0, BLOCK), RL_OK);
        CHECK(memcmp(rl_node_output(nb.node, 0), x[0] + 4 * BLOCK, sizeof(float) * BLOCK) == 0);
        CHECK_NEAR(stat_float(nb.node, RL_STATS_OFFSET_LATENCY_FRAMES), 0.0, 0.0);
        /* 1.25 from now: the first H frames are still the copy, then a fade. */
        CHECK_EQ(node_run(nb.node, 1, x, n, &fed, y, quanta, 1, 1.25f), quanta);
        CHECK(memcmp(y[0], x[0] + 5 * BLOCK, sizeof(float) * H) == 0);
        for (j = 1; j < quanta * (long)BLOCK; ++j) {
            /* No jump: a slow tone plus 1 % noise moves at most ~0.03 a frame. */
            if (!CHECK(fabs(y[0][j] - y[0][j - 1]) < 0.05)) {
                fprintf(stderr, "  jump at frame %ld\n", j);
                break;
            }
        }
        CHECK(stat_float(nb.node, RL_STATS_OFFSET_LATENCY_FRAMES) > 60.0);
        CHECK_NEAR(rl_resampler_speed(rl_node_resampler(nb.node)), 1.25, 0.0);
        /* A reset while the speed is not 1 keeps resampling. */
        memset(&m, 0, sizeof m);
        m.kind = RL_PARAM_RESAMPLER_RESET;
        CHECK_EQ(rl_params_push(rl_node_params(nb.node), &m), RL_OK);
        CHECK_EQ(node_run(nb.node, 1, x, n, &fed, y, 2, 1, 1.25f), 2);
        CHECK(stat_float(nb.node, RL_STATS_OFFSET_LATENCY_FRAMES) > 60.0);
        /* Back to 1, then a reset: a copy again, from the ring's next frame. */
        CHECK_EQ(node_run(nb.node, 1, x, n, &fed, y, 8, 1, 1.0f), 8);
        CHECK_EQ(rl_params_push(rl_node_params(nb.node), &m), RL_OK);
        {
            uint32_t before = rl_ring_available_read(rl_node_ring(nb.node));
            long next = fed - (long)before;
            CHECK_EQ(rl_node_process_audio_params(nb.node, BLOCK, 0, 0), RL_OK);
            CHECK(memcmp(rl_node_output(nb.node, 0), x[0] + next, sizeof(float) * BLOCK) == 0);
            CHECK_NEAR(stat_float(nb.node, RL_STATS_OFFSET_LATENCY_FRAMES), 0.0, 0.0);
        }
        free_node(&nb);
    }
    free(x[0]);
    free(y[0]);
}

/* Underruns, the end of a stream, and calls the node refuses. */
static void test_node_edges(void) {
    const long n = 20000;
    float* x[1];
    float* y[1];
    node_box nb;
    long fed = 0;
    x[0] = tone(n, 500.0, 44100, 0.5, 0.0);
    y[0] = calloc(64 * BLOCK, sizeof(float));
    if (make_node(&nb, 1, 48000, 44100, 0)) {
        unsigned char* params = (unsigned char*)rl_node_params(nb.node);
        uint32_t moved = 0;
        uint32_t reads;
        uint32_t silent;
        const float* planes[1] = {x[0]};
        rl_param_message m;
        /* Not fed yet: silence, nothing counted. */
        CHECK_EQ(rl_node_process_audio_params(nb.node, BLOCK, 0, 0), RL_OK);
        CHECK_EQ(stat_u32(nb.node, RL_STATS_OFFSET_SILENT_FRAMES), 0);
        /* Playback rates on a node without varispeed: refused, nothing moves. */
        reads = rl_ring_available_read(rl_node_ring(nb.node));
        CHECK_EQ(rl_node_process_audio_params(nb.node, BLOCK, 0, 1), RL_INVALID_ARGS);
        CHECK_EQ(rl_node_process_audio_params(nb.node, BLOCK, 0, 2), RL_INVALID_ARGS);
        CHECK_EQ(stat_u32(nb.node, RL_STATS_OFFSET_QUANTA), 1);
        CHECK_EQ(rl_ring_available_read(rl_node_ring(nb.node)), reads);
        /* A short feed runs dry: one underrun a quantum, silence counted. */
        CHECK_EQ(rl_ring_write_planar(rl_node_ring(nb.node), planes, 1000, &moved), RL_OK);
        fed = 1000;
        CHECK_EQ(node_run(nb.node, 1, x, fed, &fed, y, 16, 0, 1.0f), 16);
        silent = stat_u32(nb.node, RL_STATS_OFFSET_SILENT_FRAMES);
        CHECK(silent > 0);
        CHECK(rl_ring_underruns(rl_node_ring(nb.node)) >= 1);
        CHECK(rl_ring_underruns(rl_node_ring(nb.node)) <= 16);
        /* 2000 more, then the end: the tail plays out, then silence. */
        CHECK_EQ(node_run(nb.node, 1, x, 3000, &fed, y, 8, 0, 1.0f), 8);
        rl_ring_close(rl_node_ring(nb.node));
        CHECK_EQ(node_run(nb.node, 1, x, fed, &fed, y, 64, 0, 1.0f), 64);
        CHECK(fabs(y[0][64 * BLOCK - 1]) == 0.0f);
        /* Every frame written was heard, the last one's filter tail too. */
        CHECK(rl_resampler_position(rl_node_resampler(nb.node)) >= (double)(fed + (long)H));
        CHECK(stat_u32(nb.node, RL_STATS_OFFSET_SILENT_FRAMES) > silent);
        free_node(&nb);
        /* A resampler reset on a node without one is refused and counted. */
        if (make_node(&nb, 1, 48000, 0, 0)) {
            params = (unsigned char*)rl_node_params(nb.node);
            memset(&m, 0, sizeof m);
            m.kind = RL_PARAM_RESAMPLER_RESET;
            CHECK_EQ(rl_params_push(rl_node_params(nb.node), &m), RL_OK);
            CHECK_EQ(rl_node_process(nb.node, BLOCK), RL_OK);
            CHECK_EQ(atomic_load((_Atomic uint32_t*)(void*)(params + RL_PARAMS_OFFSET_REJECTED)),
                     1);
            free_node(&nb);
        }
    }
    free(x[0]);
    free(y[0]);
}

/* ------------------------------------------------------------------------ */
/* Input-rate changes                                                       */
/* ------------------------------------------------------------------------ */

/* The phase, in radians, of a cos(w j) + b sin(w j) fitted over [j0, j1),
 * as the phase of sin(w j + phase). */
static double sine_phase(const float* y, long j0, long j1, double w) {
    double scc = 0.0, sss = 0.0, scs = 0.0, sy_c = 0.0, sy_s = 0.0;
    long j;
    for (j = j0; j < j1; ++j) {
        double c = cos(w * (double)j);
        double sn = sin(w * (double)j);
        scc += c * c;
        sss += sn * sn;
        scs += c * sn;
        sy_c += (double)y[j] * c;
        sy_s += (double)y[j] * sn;
    }
    {
        double det = scc * sss - scs * scs;
        double a = (sy_c * sss - sy_s * scs) / det; /* cos coefficient */
        double b = (sy_s * scc - sy_c * scs) / det; /* sin coefficient */
        return atan2(a, b);
    }
}

static double wrap_pi(double x) {
    while (x > PI) {
        x -= 2.0 * PI;
    }
    while (x < -PI) {
        x += 2.0 * PI;
    }
    return x;
}

/* A at 44.1 kHz, then B at 22.05 kHz, into 48 kHz: B's frame m is heard at
 * the output time A's end puts it at, exactly; the same whether the change
 * is given before the start or later, and however the calls are cut. */
static void test_rate_change(void) {
    const long na = 20000;
    const long nb = 12000;
    const long cap = 48000;
    const double f = 1000.0;
    float* in[1];
    float* out[3];
    float* a = tone(na, f, 44100, 0.5, 0.0);
    float* b = tone(nb, f, 22050, 0.5, 0.0);
    rs_box box;
    long k;
    in[0] = malloc(sizeof(float) * (size_t)(na + nb));
    memcpy(in[0], a, sizeof(float) * (size_t)na);
    memcpy(in[0] + na, b, sizeof(float) * (size_t)nb);
    for (k = 0; k < 3; ++k) {
        out[k] = calloc((size_t)cap, sizeof(float));
    }
    {
        rl_resampler_config c = rl_resampler_config_init(1, 44100, 48000);
        c.max_input_rate = 96000;
        CHECK(rl_resampler_get_heap_size(&c, &box.size) == RL_OK);
        box.heap = alloc64(box.size);
        CHECK_EQ(rl_resampler_init_preallocated(&c, box.heap, box.size, &box.rs), RL_OK);
    }
    /* Bad input changes nothing. */
    CHECK_EQ(rl_resampler_set_input_rate(box.rs, 7999, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_set_input_rate(box.rs, 96001, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_set_input_rate(NULL, 48000, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_resampler_rate_changes(box.rs), 0);
    /* 1: the change queued before the start, converted in calls of 128. */
    CHECK_EQ(rl_resampler_set_input_rate(box.rs, 22050, na), RL_OK);
    CHECK_EQ(rl_resampler_rate_changes(box.rs), 1);
    CHECK_NEAR(rl_resampler_input_rate(box.rs), 44100, 0.0);
    {
        float* op[1];
        op[0] = out[0];
        CHECK_EQ(convert(box.rs, 1, in, na + nb, op, cap, 1.0f, NULL, 1), cap);
    }
    CHECK_EQ(rl_resampler_rate_changes(box.rs), 0);
    CHECK_NEAR(rl_resampler_input_rate(box.rs), 22050, 0.0);
    /* 2: the same, the change given once 40 calls have run (the trajectory
     * is still short of it), in calls of 37 frames: bit for bit the same. */
    CHECK_EQ(rl_resampler_reset_rate(box.rs, RL_RESAMPLER_START_SILENT, 1.0, 44100), RL_OK);
    {
        long used = 0;
        long made = 0;
        int given = 0;
        while (made < cap) {
            const float* ip[1];
            float* op[1];
            uint32_t frames = (uint32_t)(cap - made < 37 ? cap - made : 37);
            uint32_t u = 0;
            uint32_t m = 0;
            float one = 1.0f;
            if (!given && made >= 40 * 37) {
                CHECK_EQ(rl_resampler_set_input_rate(box.rs, 22050, na - used), RL_OK);
                given = 1;
            }
            ip[0] = in[0] + used;
            op[0] = out[1] + made;
            if (rl_resampler_process_buffers(box.rs, ip, (uint32_t)(na + nb - used), &u, op, frames,
                                             &m, &one, 1) != RL_OK) {
                break;
            }
            used += u;
            made += m;
            if (m < frames) {
                if (used == na + nb) {
                    CHECK_EQ(rl_resampler_end_input(box.rs), RL_OK);
                } else {
                    break;
                }
            }
        }
        CHECK_EQ(made, cap);
    }
    CHECK(memcmp(out[0], out[1], sizeof(float) * (size_t)cap) == 0);
    {
        /* The seam: A's frame 0 is heard at output t0 (the latency), B's
         * frame 0 at t0 + na * 48000 / 44100. Both tones start at phase 0,
         * so B's phase is A's less 2 pi f na / 44100: a slip of 0.001 frame
         * would show as 1.3e-4 rad. */
        double w = 2.0 * PI * f / 48000.0;
        double seam = (double)na * 48000.0 / 44100.0;
        double pa = sine_phase(out[0], 2000, 20000, w);
        double pb = sine_phase(out[0], (long)seam + 2000, (long)seam + 20000, w);
        double want = wrap_pi(pa - 2.0 * PI * f * (double)na / 44100.0);
        double ampl = 0.0;
        double snr = sine_fit(out[0], (long)seam + 2000, (long)seam + 20000, w, &ampl);
        CHECK_NEAR(wrap_pi(pb - want), 0.0, 1e-5);
        CHECK_NEAR(ampl, 0.5, 1e-4);
        CHECK(snr > 120.0);
        if (!CHECK_NEAR(wrap_pi(pb - want), 0.0, 1e-5) || !(snr > 120.0)) {
            fprintf(stderr, "  seam phase error %.3g rad, SNR %.1f dB\n", wrap_pi(pb - want), snr);
        }
    }
    /* A change for a frame already pulled, and one before a waiting one:
     * queued all the same (where the trajectory can still take them). */
    CHECK_EQ(rl_resampler_reset(box.rs, RL_RESAMPLER_START_SILENT, 1.0), RL_OK);
    for (k = 0; k < (long)RL_RESAMPLER_RATE_CHANGES; ++k) {
        CHECK_EQ(rl_resampler_set_input_rate(box.rs, 48000, 100000 + k), RL_OK);
    }
    CHECK_EQ(rl_resampler_set_input_rate(box.rs, 48000, 200000), RL_QUEUE_FULL);
    /* A reset keeps the changes for frames not yet pulled. */
    CHECK_EQ(rl_resampler_reset(box.rs, RL_RESAMPLER_START_SILENT, 1.0), RL_OK);
    CHECK_EQ(rl_resampler_rate_changes(box.rs), RL_RESAMPLER_RATE_CHANGES);
    CHECK_EQ(rl_resampler_reset_rate(box.rs, RL_RESAMPLER_START_SILENT, 1.0, 500000),
             RL_INVALID_ARGS);
    rl_resampler_uninit(box.rs);
    free(box.heap);
    free(a);
    free(b);
    free(in[0]);
    for (k = 0; k < 3; ++k) {
        free(out[k]);
    }
}

/* Rate marks in a source node's ring: a node at the context's rate copies
 * until just before a mark, then converts from exactly its frame; a mark at
 * the first frame starts at that rate; a node without a resampler refuses. */
static void test_node_rate_marks(void) {
    const long n1 = 6000;
    const long n2 = 8000;
    const long quanta = 200;
    const double f = 750.0;
    float* a = tone(n1, f, 48000, 0.5, 0.0);
    float* b = tone(n2, f, 44100, 0.5, 0.0);
    float* y[1];
    node_box nb;
    uint32_t moved = 0;
    long q;
    y[0] = calloc((size_t)(quanta * (long)BLOCK), sizeof(float));
    /* No resampler: no marks. */
    if (make_node(&nb, 1, 48000, 0, 0)) {
        CHECK_EQ(rl_ring_mark_rate(rl_node_ring(nb.node), 44100), RL_INVALID_STATE);
        free_node(&nb);
    }
    if (make_node(&nb, 1, 48000, 0, 1)) {
        rl_ring* ring = rl_node_ring(nb.node);
        const float* p[1];
        CHECK_EQ(rl_ring_mark_rate(ring, 7000), RL_INVALID_ARGS);
        p[0] = a;
        CHECK_EQ(rl_ring_write_planar(ring, p, (uint32_t)n1, &moved), RL_OK);
        CHECK_EQ(rl_ring_mark_rate(ring, 44100), RL_OK);
        p[0] = b;
        CHECK_EQ(rl_ring_write_planar(ring, p, (uint32_t)n2, &moved), RL_OK);
        rl_ring_close(ring);
        for (q = 0; q < quanta; ++q) {
            CHECK_EQ(rl_node_process_audio_params(nb.node, BLOCK, 0, 0), RL_OK);
            memcpy(y[0] + q * (long)BLOCK, rl_node_output(nb.node, 0), sizeof(float) * BLOCK);
        }
        /* Copied bit for bit until the resampler starts (a direct start, at
         * most a quantum and 163 frames before the mark, whose first 96
         * frames are still the copy). */
        CHECK(memcmp(y[0], a, sizeof(float) * (size_t)(n1 - 128 - 163 + 96)) == 0);
        {
            double w = 2.0 * PI * f / 48000.0;
            double pa = sine_phase(y[0], 1000, 5000, w);
            double seam = (double)n1; /* output frame j hears input frame j until the mark */
            long from = (long)seam + 400;
            long to = (long)(seam + (double)n2 * 48000.0 / 44100.0) - 400;
            double pb = sine_phase(y[0], from, to, w);
            double want = wrap_pi(pa - 2.0 * PI * f * (double)n1 / 48000.0);
            double ampl = 0.0;
            double snr = sine_fit(y[0], from, to, w, &ampl);
            if (!CHECK_NEAR(wrap_pi(pb - want), 0.0, 1e-5) || !CHECK(snr > 120.0)) {
                fprintf(stderr, "  node seam phase error %.3g rad, SNR %.1f dB\n",
                        wrap_pi(pb - want), snr);
            }
            CHECK_NEAR(ampl, 0.5, 1e-4);
        }
        CHECK_NEAR(rl_resampler_input_rate(rl_node_resampler(nb.node)), 44100, 0.0);
        free_node(&nb);
    }
    /* A mark at the first frame: the node starts at that rate. */
    if (make_node(&nb, 1, 48000, 0, 1)) {
        rl_ring* ring = rl_node_ring(nb.node);
        const float* p[1];
        int k;
        CHECK_EQ(rl_ring_mark_rate(ring, 44100), RL_OK);
        p[0] = b;
        CHECK_EQ(rl_ring_write_planar(ring, p, (uint32_t)n2, &moved), RL_OK);
        for (q = 0; q < 40; ++q) {
            CHECK_EQ(rl_node_process_audio_params(nb.node, BLOCK, 0, 0), RL_OK);
            memcpy(y[0] + q * (long)BLOCK, rl_node_output(nb.node, 0), sizeof(float) * BLOCK);
        }
        {
            double ampl = 0.0;
            double snr = sine_fit(y[0], 500, 40 * (long)BLOCK, 2.0 * PI * f / 48000.0, &ampl);
            CHECK(snr > 120.0);
            CHECK_NEAR(ampl, 0.5, 1e-4);
        }
        CHECK(stat_float(nb.node, RL_STATS_OFFSET_LOOKAHEAD_FRAMES) > 90.0);
        /* Marks queue up to RL_RING_RATE_MARKS; the closed ring takes none. */
        for (k = 0; k < (int)RL_RING_RATE_MARKS; ++k) {
            CHECK_EQ(rl_ring_mark_rate(ring, k % 2 ? 44100 : 32000), RL_OK);
        }
        CHECK_EQ(rl_ring_mark_rate(ring, 22050), RL_QUEUE_FULL);
        /* The resampling node hands them to its resampler at the next quantum. */
        CHECK_EQ(rl_node_process_audio_params(nb.node, BLOCK, 0, 0), RL_OK);
        CHECK_EQ(rl_ring_mark_rate(ring, 22050), RL_OK);
        free_node(&nb);
    }
    /* A node made at 44.1 kHz given 48 kHz at its first frame copies, bit for bit. */
    if (make_node(&nb, 1, 48000, 44100, 0)) {
        rl_ring* ring = rl_node_ring(nb.node);
        const float* p[1];
        CHECK_EQ(rl_ring_mark_rate(ring, 48000), RL_OK);
        p[0] = a;
        CHECK_EQ(rl_ring_write_planar(ring, p, (uint32_t)n1, &moved), RL_OK);
        for (q = 0; q < 10; ++q) {
            CHECK_EQ(rl_node_process_audio_params(nb.node, BLOCK, 0, 0), RL_OK);
            memcpy(y[0] + q * (long)BLOCK, rl_node_output(nb.node, 0), sizeof(float) * BLOCK);
        }
        CHECK(memcmp(y[0], a, sizeof(float) * 10 * BLOCK) == 0);
        rl_ring_close(ring);
        CHECK_EQ(rl_ring_mark_rate(ring, 44100), RL_CLOSED);
        free_node(&nb);
    }
    free(a);
    free(b);
    free(y[0]);
}

int main(void) {
    test_config();
    test_init_errors();
    test_process_errors();
    test_snr();
    test_passband();
    test_stopband();
    test_sweeps();
    test_dc();
    test_varispeed();
    test_call_sizes();
    test_bounded_work();
    test_latency();
    test_direct_start();
    test_end_of_input();
    test_non_finite();
    test_node_config();
    test_node_resampled();
    test_node_heard_frames();
    test_node_varispeed();
    test_node_edges();
    test_rate_change();
    test_node_rate_marks();
    if (g_failed != 0) {
        printf("test_resampler: %llu of %llu checks FAILED\n", g_failed, g_checks);
        return 1;
    }
    printf("test_resampler: %llu checks passed\n", g_checks);
    return 0;
}
