/*
 * Tests for the biquad coefficients and the EQ (csrc/eq.c): coefficients
 * against an independent transcription of the cookbook/Web Audio formulas,
 * the magnitude response measured from processed impulse responses, flat and
 * bypassed bit-exactness, click-free parameter changes, validation, and
 * recovery from non-finite input.
 *
 * Self-contained: a tiny check macro, no framework. Every failing check prints
 * file:line and the expression; main returns non-zero if anything failed.
 * Includes the private "dsp_internal.h" only for the FFT.
 */
#include "ringlet.h"
#include "dsp_internal.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Checks                                                                   */
/* ------------------------------------------------------------------------ */

#include "check.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

#define PI 3.14159265358979323846
#define Q_FRAMES 128u

static rl_eq* make_eq(uint32_t channels, double rate, uint32_t bands, void** mem) {
    rl_eq_config cfg = rl_eq_config_init(channels, rate, bands);
    size_t size = 0;
    rl_eq* eq = NULL;
    if (!CHECK_EQ(rl_eq_get_heap_size(&cfg, &size), RL_OK)) {
        exit(2);
    }
    *mem = alloc64(size);
    if (!CHECK_EQ(rl_eq_init_preallocated(&cfg, *mem, size, &eq), RL_OK)) {
        exit(2);
    }
    return eq;
}

static rl_eq_band band(rl_biquad_type type, double f, double q, double g) {
    rl_eq_band b;
    b.type = type;
    b.frequency = f;
    b.q = q;
    b.gain_db = g;
    return b;
}

/* Runs `n` mono frames through the EQ in quanta of `quantum`. */
static void run_mono(rl_eq* eq, float* x, size_t n, uint32_t quantum) {
    size_t i;
    for (i = 0; i < n; i += quantum) {
        uint32_t f = (uint32_t)(n - i < quantum ? n - i : quantum);
        float* p = x + i;
        CHECK_EQ(rl_eq_process(eq, &p, 1, f), RL_OK);
    }
}

static uint32_t g_rng = 0x2545F491u;

static float frand(void) {
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 17;
    g_rng ^= g_rng << 5;
    return (float)((double)(int32_t)g_rng / 2147483648.0);
}

/* ------------------------------------------------------------------------ */
/* Reference: the formulas transcribed independently of eq.c                */
/* ------------------------------------------------------------------------ */

/* Unnormalised b0 b1 b2 a0 a1 a2 from the Web Audio spec's text, for
 * 0 < f < Nyquist and q > 0 (the general case). */
static void ref_coeffs(rl_biquad_type type, double f0, double q, double g, double fs, double c[6]) {
    double A = pow(10.0, g / 40.0);
    double w0 = 2.0 * PI * f0 / fs;
    double cw = cos(w0);
    double aq = sin(w0) / (2.0 * q);
    double aqdb = sin(w0) / (2.0 * pow(10.0, q / 20.0));
    double as = sin(w0) / 2.0 * sqrt((A + 1.0 / A) * (1.0 / 1.0 - 1.0) + 2.0);
    double sa = sqrt(A);
    switch (type) {
    case RL_BIQUAD_LOWPASS:
        c[0] = (1 - cw) / 2, c[1] = 1 - cw, c[2] = (1 - cw) / 2;
        c[3] = 1 + aqdb, c[4] = -2 * cw, c[5] = 1 - aqdb;
        break;
    case RL_BIQUAD_HIGHPASS:
        c[0] = (1 + cw) / 2, c[1] = -(1 + cw), c[2] = (1 + cw) / 2;
        c[3] = 1 + aqdb, c[4] = -2 * cw, c[5] = 1 - aqdb;
        break;
    case RL_BIQUAD_BANDPASS:
        c[0] = aq, c[1] = 0, c[2] = -aq;
        c[3] = 1 + aq, c[4] = -2 * cw, c[5] = 1 - aq;
        break;
    case RL_BIQUAD_NOTCH:
        c[0] = 1, c[1] = -2 * cw, c[2] = 1;
        c[3] = 1 + aq, c[4] = -2 * cw, c[5] = 1 - aq;
        break;
    case RL_BIQUAD_ALLPASS:
        c[0] = 1 - aq, c[1] = -2 * cw, c[2] = 1 + aq;
        c[3] = 1 + aq, c[4] = -2 * cw, c[5] = 1 - aq;
        break;
    case RL_BIQUAD_PEAKING:
        c[0] = 1 + aq * A, c[1] = -2 * cw, c[2] = 1 - aq * A;
        c[3] = 1 + aq / A, c[4] = -2 * cw, c[5] = 1 - aq / A;
        break;
    case RL_BIQUAD_LOWSHELF:
        c[0] = A * ((A + 1) - (A - 1) * cw + 2 * as * sa);
        c[1] = 2 * A * ((A - 1) - (A + 1) * cw);
        c[2] = A * ((A + 1) - (A - 1) * cw - 2 * as * sa);
        c[3] = (A + 1) + (A - 1) * cw + 2 * as * sa;
        c[4] = -2 * ((A - 1) + (A + 1) * cw);
        c[5] = (A + 1) + (A - 1) * cw - 2 * as * sa;
        break;
    case RL_BIQUAD_HIGHSHELF:
        c[0] = A * ((A + 1) + (A - 1) * cw + 2 * as * sa);
        c[1] = -2 * A * ((A - 1) + (A + 1) * cw);
        c[2] = A * ((A + 1) + (A - 1) * cw - 2 * as * sa);
        c[3] = (A + 1) - (A - 1) * cw + 2 * as * sa;
        c[4] = 2 * ((A - 1) - (A + 1) * cw);
        c[5] = (A + 1) - (A - 1) * cw - 2 * as * sa;
        break;
    }
}

/* |H| (linear) of unnormalised coefficients, via complex arithmetic written
 * out differently from eq.c (z = e^{jw}, H = B(z^-1) / A(z^-1)). */
static double ref_mag(const double c[6], double f, double fs) {
    double w = 2.0 * PI * f / fs;
    double re_b = c[0] + c[1] * cos(-w) + c[2] * cos(-2 * w);
    double im_b = c[1] * sin(-w) + c[2] * sin(-2 * w);
    double re_a = c[3] + c[4] * cos(-w) + c[5] * cos(-2 * w);
    double im_a = c[4] * sin(-w) + c[5] * sin(-2 * w);
    return hypot(re_b, im_b) / hypot(re_a, im_a);
}

typedef struct case_t {
    rl_biquad_type type;
    double f;
    double q;
    double g;
} case_t;

static const case_t k_cases[] = {
    {RL_BIQUAD_LOWPASS, 1000, 0, 0},
    {RL_BIQUAD_LOWPASS, 200, 6, 0},
    {RL_BIQUAD_LOWPASS, 8000, -3, 0},
    {RL_BIQUAD_HIGHPASS, 1000, 0, 0},
    {RL_BIQUAD_HIGHPASS, 100, 3, 0},
    {RL_BIQUAD_HIGHPASS, 5000, 10, 0},
    {RL_BIQUAD_BANDPASS, 1000, 1, 0},
    {RL_BIQUAD_BANDPASS, 300, 5, 0},
    {RL_BIQUAD_LOWSHELF, 200, 1, 6},
    {RL_BIQUAD_LOWSHELF, 2000, 1, -12},
    {RL_BIQUAD_HIGHSHELF, 3000, 1, 9},
    {RL_BIQUAD_HIGHSHELF, 8000, 1, -6},
    {RL_BIQUAD_PEAKING, 1000, 1, 12},
    {RL_BIQUAD_PEAKING, 50, 2, -10},
    {RL_BIQUAD_PEAKING, 12000, 0.7, 6},
    {RL_BIQUAD_PEAKING, 60, 1.4142135623730951, -40},
    {RL_BIQUAD_PEAKING, 200, 1.4142135623730951, 24},
    {RL_BIQUAD_NOTCH, 1000, 1, 0},
    {RL_BIQUAD_NOTCH, 6000, 10, 0},
    {RL_BIQUAD_ALLPASS, 1000, 0.7, 0},
    {RL_BIQUAD_ALLPASS, 10000, 2, 0},
};
#define N_CASES (sizeof k_cases / sizeof k_cases[0])

static const char* type_name(rl_biquad_type t) {
    static const char* names[] = {"lowpass",   "highpass", "bandpass", "lowshelf",
                                  "highshelf", "peaking",  "notch",    "allpass"};
    return names[t];
}

/* ------------------------------------------------------------------------ */
/* Coefficients                                                             */
/* ------------------------------------------------------------------------ */

static void test_coefficients(void) {
    static const double rates[] = {44100.0, 48000.0};
    size_t r;
    size_t i;
    for (r = 0; r < 2; ++r) {
        for (i = 0; i < N_CASES; ++i) {
            const case_t* k = &k_cases[i];
            rl_biquad_coeffs c;
            double ref[6];
            double f;
            CHECK_EQ(rl_biquad_coefficients(k->type, k->f, k->q, k->g, rates[r], &c), RL_OK);
            ref_coeffs(k->type, k->f, k->q, k->g, rates[r], ref);
            CHECK_NEAR(c.b0, ref[0] / ref[3], 1e-12);
            CHECK_NEAR(c.b1, ref[1] / ref[3], 1e-12);
            CHECK_NEAR(c.b2, ref[2] / ref[3], 1e-12);
            CHECK_NEAR(c.a1, ref[4] / ref[3], 1e-12);
            CHECK_NEAR(c.a2, ref[5] / ref[3], 1e-12);
            /* rl_biquad_magnitude_db against the reference evaluation. */
            for (f = 20.0; f < 20001.0; f *= 1.25) {
                double want = 20.0 * log10(ref_mag(ref, f, rates[r]));
                double got = rl_biquad_magnitude_db(&c, f, rates[r]);
                if (want > -200.0) {
                    CHECK_NEAR(got, want, 1e-6);
                }
            }
        }
    }
}

static int coeffs_are(const rl_biquad_coeffs* c, double b0, double b1, double b2, double a1,
                      double a2) {
    return c->b0 == b0 && c->b1 == b1 && c->b2 == b2 && c->a1 == a1 && c->a2 == a2;
}

/* The limits at 0 / Nyquist / q <= 0, as the spec's formulas (and Chromium)
 * define them; frequency is clamped to 0 .. Nyquist. */
static void test_coefficient_limits(void) {
    const double fs = 48000.0;
    const double a2 = pow(10.0, 6.0 / 20.0); /* A^2 for 6 dB */
    rl_biquad_coeffs c;
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_LOWPASS, 24000, 1, 0, fs, &c), RL_OK);
    CHECK(coeffs_are(&c, 1, 0, 0, 0, 0));
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_LOWPASS, 30000, 1, 0, fs, &c), RL_OK);
    CHECK(coeffs_are(&c, 1, 0, 0, 0, 0));
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_LOWPASS, 0, 1, 0, fs, &c), RL_OK);
    CHECK(coeffs_are(&c, 0, 0, 0, 0, 0));
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_LOWPASS, -5, 1, 0, fs, &c), RL_OK);
    CHECK(coeffs_are(&c, 0, 0, 0, 0, 0));
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_HIGHPASS, 24000, 1, 0, fs, &c), RL_OK);
    CHECK(coeffs_are(&c, 0, 0, 0, 0, 0));
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_HIGHPASS, 0, 1, 0, fs, &c), RL_OK);
    CHECK(coeffs_are(&c, 1, 0, 0, 0, 0));
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_BANDPASS, 0, 1, 0, fs, &c), RL_OK);
    CHECK(coeffs_are(&c, 0, 0, 0, 0, 0));
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_BANDPASS, 24000, 1, 0, fs, &c), RL_OK);
    CHECK(coeffs_are(&c, 0, 0, 0, 0, 0));
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_BANDPASS, 1000, 0, 0, fs, &c), RL_OK);
    CHECK(coeffs_are(&c, 1, 0, 0, 0, 0));
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_LOWSHELF, 24000, 1, 6, fs, &c), RL_OK);
    CHECK_NEAR(c.b0, a2, 1e-12);
    CHECK(c.b1 == 0 && c.b2 == 0 && c.a1 == 0 && c.a2 == 0);
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_LOWSHELF, 0, 1, 6, fs, &c), RL_OK);
    CHECK(coeffs_are(&c, 1, 0, 0, 0, 0));
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_HIGHSHELF, 24000, 1, 6, fs, &c), RL_OK);
    CHECK(coeffs_are(&c, 1, 0, 0, 0, 0));
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_HIGHSHELF, 0, 1, 6, fs, &c), RL_OK);
    CHECK_NEAR(c.b0, a2, 1e-12);
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_PEAKING, 1000, 0, 6, fs, &c), RL_OK);
    CHECK_NEAR(c.b0, a2, 1e-12);
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_PEAKING, 0, 1, 6, fs, &c), RL_OK);
    CHECK(coeffs_are(&c, 1, 0, 0, 0, 0));
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_PEAKING, 24000, 1, 6, fs, &c), RL_OK);
    CHECK(coeffs_are(&c, 1, 0, 0, 0, 0));
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_NOTCH, 1000, 0, 0, fs, &c), RL_OK);
    CHECK(coeffs_are(&c, 0, 0, 0, 0, 0));
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_NOTCH, 0, 1, 0, fs, &c), RL_OK);
    CHECK(coeffs_are(&c, 1, 0, 0, 0, 0));
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_ALLPASS, 1000, 0, 0, fs, &c), RL_OK);
    CHECK(coeffs_are(&c, -1, 0, 0, 0, 0));
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_ALLPASS, 1000, -3, 0, fs, &c), RL_OK);
    CHECK(coeffs_are(&c, -1, 0, 0, 0, 0));
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_ALLPASS, 24000, 1, 0, fs, &c), RL_OK);
    CHECK(coeffs_are(&c, 1, 0, 0, 0, 0));
    /* Lowpass/highpass q is in dB, so negative values are ordinary. */
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_LOWPASS, 1000, -3.0103, 0, fs, &c), RL_OK);
    CHECK_NEAR(rl_biquad_magnitude_db(&c, 1000, fs), -3.0103, 1e-6);
    /* Peaking at 0 dB is an exact identity. */
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_PEAKING, 1000, 1, 0, fs, &c), RL_OK);
    CHECK(c.b0 == 1.0 && c.b1 == c.a1 && c.b2 == c.a2);

    /* Rejections leave `out` alone. */
    c.b0 = 7.0;
    CHECK_EQ(rl_biquad_coefficients((rl_biquad_type)8, 1000, 1, 0, fs, &c), RL_INVALID_ARGS);
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_PEAKING, NAN, 1, 0, fs, &c), RL_INVALID_ARGS);
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_PEAKING, 1000, INFINITY, 0, fs, &c), RL_INVALID_ARGS);
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_PEAKING, 1000, 1, NAN, fs, &c), RL_INVALID_ARGS);
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_PEAKING, 1000, 1, 0, 0, &c), RL_INVALID_ARGS);
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_PEAKING, 1000, 1, 0, -48000, &c), RL_INVALID_ARGS);
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_PEAKING, 1000, 1, 1e6, fs, &c), RL_INVALID_ARGS);
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_PEAKING, 1000, 1, 0, fs, NULL), RL_INVALID_ARGS);
    CHECK(c.b0 == 7.0);
    CHECK(isnan(rl_biquad_magnitude_db(NULL, 1000, fs)));
    CHECK(isnan(rl_biquad_magnitude_db(&c, NAN, fs)));
    CHECK(isnan(rl_biquad_magnitude_db(&c, 24000.5, fs)));
    CHECK(isnan(rl_biquad_magnitude_db(&c, -1.0, fs)));
    CHECK(!isnan(rl_biquad_magnitude_db(&c, 24000.0, fs)));
    CHECK_EQ(rl_biquad_coefficients(RL_BIQUAD_NOTCH, 1000, 1, 0, fs, &c), RL_OK);
    CHECK(isinf(rl_biquad_magnitude_db(&c, 1000, fs)) ||
          rl_biquad_magnitude_db(&c, 1000, fs) < -250);
}

/* ------------------------------------------------------------------------ */
/* Measured response                                                        */
/* ------------------------------------------------------------------------ */

#define IR_N 32768u

static double g_max_dev_db;
static double g_max_dev_db_loud; /* at points where the response is above -40 dB */

/*
 * Impulse response of one band through rl_eq_process (quanta of 128),
 * FFT'd, compared with the reference at every bin nearest to 48 log-spaced
 * points from 20 Hz to 20 kHz. Where the reference is above -80 dB the
 * tolerance is 0.01 dB; below that (a notch's centre, a lowpass's far
 * stopband) float rounding of the IR dominates a dB comparison, so the
 * linear magnitudes must agree within 1e-4 instead. 20 kHz is 2 kHz or more
 * below Nyquist at both rates, so no point sits on the Nyquist zeros.
 */
static void test_measured_response(void) {
    static const double rates[] = {44100.0, 48000.0};
    rl_spectrum_config sc = rl_spectrum_config_init(IR_N);
    size_t ssize = 0;
    rl_spectrum* sp = NULL;
    void* smem;
    float* ir = (float*)malloc(IR_N * sizeof(float));
    double* in = (double*)malloc(IR_N * sizeof(double));
    double* re = (double*)malloc((IR_N / 2 + 1) * sizeof(double));
    double* im = (double*)malloc((IR_N / 2 + 1) * sizeof(double));
    size_t r;
    size_t i;
    CHECK_EQ(rl_spectrum_get_heap_size(&sc, &ssize), RL_OK);
    smem = alloc64(ssize);
    CHECK_EQ(rl_spectrum_init_preallocated(&sc, smem, ssize, &sp), RL_OK);
    g_max_dev_db = 0.0;
    for (r = 0; r < 2; ++r) {
        for (i = 0; i < N_CASES; ++i) {
            const case_t* k = &k_cases[i];
            void* mem;
            rl_eq* eq = make_eq(1, rates[r], 1, &mem);
            rl_eq_band b = band(k->type, k->f, k->q, k->g);
            double ref[6];
            double case_dev = 0.0;
            int p;
            CHECK_EQ(rl_eq_set_band(eq, 0, &b), RL_OK);
            memset(ir, 0, IR_N * sizeof(float));
            ir[0] = 1.0f;
            run_mono(eq, ir, IR_N, Q_FRAMES);
            for (p = 0; p < (int)IR_N; ++p) {
                in[p] = ir[p];
            }
            rl_spectrum_rfft(sp, in, re, im);
            ref_coeffs(k->type, k->f, k->q, k->g, rates[r], ref);
            for (p = 0; p < 48; ++p) {
                double f = 20.0 * pow(1000.0, (double)p / 47.0);
                long bin = lround(f * IR_N / rates[r]);
                double fb = (double)bin * rates[r] / IR_N;
                double got = hypot(re[bin], im[bin]);
                double want = ref_mag(ref, fb, rates[r]);
                if (want > 1e-4) {
                    double dev = fabs(20.0 * log10(got / want));
                    case_dev = dev > case_dev ? dev : case_dev;
                    if (want > 0.01 && dev > g_max_dev_db_loud) {
                        g_max_dev_db_loud = dev;
                    }
                    if (!CHECK(dev <= 0.01)) {
                        fprintf(stderr, "  %s f=%g q=%g g=%g at %g Hz (fs %g): %.5f dB off\n",
                                type_name(k->type), k->f, k->q, k->g, fb, rates[r], dev);
                    }
                } else {
                    CHECK_NEAR(got, want, 1e-4);
                }
            }
            g_max_dev_db = case_dev > g_max_dev_db ? case_dev : g_max_dev_db;
            if (getenv("RL_VERBOSE") != NULL) {
                printf("  %-9s f=%-6g q=%-6g g=%-4g fs=%g: max %.2e dB\n", type_name(k->type), k->f,
                       k->q, k->g, rates[r], case_dev);
            }
            rl_eq_uninit(eq);
            free(mem);
        }
    }
    printf("test_eq: processed response vs formulas: max %.2e dB (%.2e dB where above -40 dB)\n",
           g_max_dev_db, g_max_dev_db_loud);
    free(smem);
    free(ir);
    free(in);
    free(re);
    free(im);
}

/* The band set before the first process call applies from frame 0: the
 * output is exactly the Direct Form I recursion with those coefficients. */
static void test_immediate_and_exact(void) {
    void* mem;
    rl_eq* eq = make_eq(1, 48000, 2, &mem);
    rl_eq_band b0 = band(RL_BIQUAD_PEAKING, 1000, 2, 9);
    rl_eq_band b1 = band(RL_BIQUAD_HIGHPASS, 80, 1, 0);
    rl_biquad_coeffs c0;
    rl_biquad_coeffs c1;
    float x[2048];
    double s[2][4] = {{0}};
    size_t i;
    int same = 1;
    CHECK_EQ(rl_eq_set_band(eq, 0, &b0), RL_OK);
    CHECK_EQ(rl_eq_set_band(eq, 1, &b1), RL_OK);
    CHECK(rl_eq_is_settled(eq));
    CHECK_EQ(rl_biquad_coefficients(b0.type, b0.frequency, b0.q, b0.gain_db, 48000, &c0), RL_OK);
    CHECK_EQ(rl_biquad_coefficients(b1.type, b1.frequency, b1.q, b1.gain_db, 48000, &c1), RL_OK);
    for (i = 0; i < 2048; ++i) {
        x[i] = frand() * 0.5f;
    }
    {
        float ref[2048];
        memcpy(ref, x, sizeof ref);
        for (i = 0; i < 2048; ++i) {
            const rl_biquad_coeffs* cs[2] = {&c0, &c1};
            int k;
            for (k = 0; k < 2; ++k) {
                double* z = s[k];
                double xv = ref[i];
                double y = cs[k]->b0 * xv + cs[k]->b1 * z[0] + cs[k]->b2 * z[1] - cs[k]->a1 * z[2] -
                           cs[k]->a2 * z[3];
                z[1] = z[0];
                z[0] = xv;
                z[3] = z[2];
                z[2] = y;
                ref[i] = (float)y;
            }
        }
        run_mono(eq, x, 2048, 100);
        for (i = 0; i < 2048; ++i) {
            if (fabsf(x[i] - ref[i]) > 1e-6f * (1.0f + fabsf(ref[i]))) {
                same = 0;
            }
        }
        CHECK(same);
    }
    rl_eq_uninit(eq);
    free(mem);
}

/* ------------------------------------------------------------------------ */
/* Bit-exactness                                                            */
/* ------------------------------------------------------------------------ */

static int bits_equal(const float* a, const float* b, size_t n) {
    return memcmp(a, b, n * sizeof(float)) == 0;
}

static void fill_test_signal(float* x, size_t n) {
    size_t i;
    for (i = 0; i < n; ++i) {
        x[i] = frand();
    }
    x[0] = -0.0f;
    x[1] = 0.0f;
    x[2] = FLT_MIN;
    x[3] = -1.0f;
    x[4] = 3.5f; /* above full scale: still passes */
}

static void test_flat_bit_exact(void) {
    void* mem;
    rl_eq* eq = make_eq(2, 48000, RL_EQ_DEFAULT_BANDS, &mem);
    float l[1024];
    float r[1024];
    float l0[1024];
    float r0[1024];
    float* p[2];
    rl_eq_band b;
    int q;
    uint32_t k;
    /* Defaults: flat peaking bands at 60 * 2^k, Q sqrt(2). */
    for (k = 0; k < RL_EQ_DEFAULT_BANDS; ++k) {
        CHECK_EQ(rl_eq_get_band(eq, k, &b), RL_OK);
        CHECK_EQ(b.type, RL_BIQUAD_PEAKING);
        CHECK_NEAR(b.frequency, 60.0 * (double)(1u << k), 1e-9);
        CHECK_NEAR(b.q, 1.4142135623730951, 1e-12);
        CHECK(b.gain_db == 0.0);
    }
    for (q = 0; q < 20; ++q) {
        fill_test_signal(l, 1024);
        fill_test_signal(r, 1024);
        memcpy(l0, l, sizeof l);
        memcpy(r0, r, sizeof r);
        p[0] = l;
        p[1] = r;
        CHECK_EQ(rl_eq_process(eq, p, 2, q % 2 ? 1024 : 128), RL_OK);
        CHECK(bits_equal(l, l0, q % 2 ? 1024 : 128) && bits_equal(r, r0, q % 2 ? 1024 : 128));
    }
    /* A band goes to +6 dB and back to 0 dB: once its residual has died it
     * is bypassed again and the output is bit-exact once more. */
    b = band(RL_BIQUAD_PEAKING, 1000, 1, 6);
    CHECK_EQ(rl_eq_set_band(eq, 3, &b), RL_OK);
    for (q = 0; q < 100; ++q) {
        fill_test_signal(l, 128);
        fill_test_signal(r, 128);
        p[0] = l;
        p[1] = r;
        CHECK_EQ(rl_eq_process(eq, p, 2, 128), RL_OK);
    }
    b.gain_db = 0.0;
    CHECK_EQ(rl_eq_set_band(eq, 3, &b), RL_OK);
    for (q = 0; q < 400; ++q) { /* ~1 s */
        fill_test_signal(l, 128);
        fill_test_signal(r, 128);
        p[0] = l;
        p[1] = r;
        CHECK_EQ(rl_eq_process(eq, p, 2, 128), RL_OK);
    }
    CHECK(rl_eq_is_settled(eq));
    fill_test_signal(l, 128);
    fill_test_signal(r, 128);
    memcpy(l0, l, 128 * sizeof(float));
    memcpy(r0, r, 128 * sizeof(float));
    p[0] = l;
    p[1] = r;
    CHECK_EQ(rl_eq_process(eq, p, 2, 128), RL_OK);
    CHECK(bits_equal(l, l0, 128) && bits_equal(r, r0, 128));
    rl_eq_uninit(eq);
    free(mem);
}

static void test_bypass(void) {
    void* mem;
    rl_eq* eq = make_eq(1, 48000, 4, &mem);
    rl_eq_band b = band(RL_BIQUAD_LOWPASS, 500, 6, 0);
    float x[128];
    float x0[128];
    float* p = x;
    int q;
    uint32_t i;
    CHECK_EQ(rl_eq_set_band(eq, 0, &b), RL_OK);
    /* Before audio starts, bypass is immediate. */
    rl_eq_set_bypass(eq, 1);
    fill_test_signal(x, 128);
    memcpy(x0, x, sizeof x);
    CHECK_EQ(rl_eq_process(eq, &p, 1, 128), RL_OK);
    CHECK(bits_equal(x, x0, 128));
    rl_eq_set_bypass(eq, 0);
    /* Un-bypassing while running fades in: the filter acts again. */
    for (q = 0; q < 10; ++q) {
        fill_test_signal(x, 128);
        memcpy(x0, x, sizeof x);
        CHECK_EQ(rl_eq_process(eq, &p, 1, 128), RL_OK);
    }
    CHECK(!bits_equal(x, x0, 128));
    CHECK(rl_eq_is_settled(eq));
    /* Bypass while running: after the fade, bit-exact. */
    rl_eq_set_bypass(eq, 1);
    CHECK(!rl_eq_is_settled(eq));
    for (i = 0; i < rl_eq_ramp_frames(eq) / 128u + 1u; ++i) {
        fill_test_signal(x, 128);
        CHECK_EQ(rl_eq_process(eq, &p, 1, 128), RL_OK);
    }
    CHECK(rl_eq_is_settled(eq));
    for (q = 0; q < 5; ++q) {
        fill_test_signal(x, 128);
        memcpy(x0, x, sizeof x);
        CHECK_EQ(rl_eq_process(eq, &p, 1, 128), RL_OK);
        CHECK(bits_equal(x, x0, 128));
    }
    /* Settings made while bypassed apply when it ends. */
    b.frequency = 2000;
    CHECK_EQ(rl_eq_set_band(eq, 0, &b), RL_OK);
    rl_eq_set_bypass(eq, 0);
    rl_eq_set_bypass(eq, 0);
    CHECK_EQ(rl_eq_get_band(eq, 0, &b), RL_OK);
    CHECK(b.frequency == 2000);
    rl_eq_uninit(eq);
    free(mem);
}

/* ------------------------------------------------------------------------ */
/* Clicks                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct click_result {
    double max_step;     /* largest |y[n] - y[n-1]| */
    double natural_step; /* largest amplitude seen * 2 sin(w/2) */
} click_result;

/*
 * A sine of `hz` through a band that starts as `from` and, after 0.1 s,
 * changes to `to` (and, if `then` is non-NULL, after 5 ms more to `then`);
 * runs 0.4 s in quanta of 128. A click shows up as a frame-to-frame step
 * larger than any step a sine of the largest output amplitude can make.
 */
static click_result click_run(double hz, const rl_eq_band* from, const rl_eq_band* to,
                              const rl_eq_band* then) {
    const double fs = 48000.0;
    const size_t n = 19200;
    void* mem;
    rl_eq* eq = make_eq(1, fs, 1, &mem);
    float* y = (float*)malloc(n * sizeof(float));
    double peak = 0.0;
    click_result res = {0.0, 0.0};
    size_t i;
    for (i = 0; i < n; ++i) {
        y[i] = (float)(0.25 * sin(2.0 * PI * hz * (double)i / fs));
    }
    CHECK_EQ(rl_eq_set_band(eq, 0, from), RL_OK);
    for (i = 0; i < n; i += Q_FRAMES) {
        float* p = y + i;
        if (i == 4800) {
            CHECK_EQ(rl_eq_set_band(eq, 0, to), RL_OK);
        }
        if (then != NULL && i == 4992) {
            CHECK_EQ(rl_eq_set_band(eq, 0, then), RL_OK);
        }
        CHECK_EQ(rl_eq_process(eq, &p, 1, Q_FRAMES), RL_OK);
    }
    CHECK(rl_eq_is_settled(eq));
    /* From 50 ms on: the filter's own start from silence is not a change. */
    for (i = 2400; i < n; ++i) {
        double d = fabs((double)y[i] - (double)y[i - 1]);
        res.max_step = d > res.max_step ? d : res.max_step;
        peak = fabs((double)y[i]) > peak ? fabs((double)y[i]) : peak;
    }
    res.natural_step = peak * 2.0 * sin(PI * hz / fs);
    free(y);
    rl_eq_uninit(eq);
    free(mem);
    return res;
}

static void check_click(const char* what, double hz, rl_eq_band from, rl_eq_band to,
                        const rl_eq_band* then) {
    click_result r = click_run(hz, &from, &to, then);
    if (!CHECK(r.max_step <= r.natural_step * 1.05 + 1e-5)) {
        fprintf(stderr, "  click in %s: step %.5f, natural %.5f\n", what, r.max_step,
                r.natural_step);
    }
}

static void test_clicks(void) {
    const double q = 1.4142135623730951;
    /* The brief's case: 0 -> +12 dB on a band centred on the tone. */
    check_click("peaking 0 -> +12 dB at 1 kHz", 1000, band(RL_BIQUAD_PEAKING, 1000, q, 0),
                band(RL_BIQUAD_PEAKING, 1000, q, 12), NULL);
    /* A slow tone under a high shelf: switching coefficients abruptly
     * would kick the output by a large fraction of its amplitude. */
    check_click("highshelf 0 -> +12 dB under 100 Hz", 100, band(RL_BIQUAD_HIGHSHELF, 1000, q, 0),
                band(RL_BIQUAD_HIGHSHELF, 1000, q, 12), NULL);
    check_click("highshelf +12 -> -12 dB under 100 Hz", 100, band(RL_BIQUAD_HIGHSHELF, 1000, q, 12),
                band(RL_BIQUAD_HIGHSHELF, 1000, q, -12), NULL);
    /* Flat peaking -> low shelf (a flat type switch, ramped). */
    check_click("flat peaking -> lowshelf +9 dB", 100, band(RL_BIQUAD_PEAKING, 300, q, 0),
                band(RL_BIQUAD_LOWSHELF, 300, q, 9), NULL);
    /* Frequency sweep of a boosted band across the tone. */
    check_click("peaking +12 dB 100 -> 400 Hz", 150, band(RL_BIQUAD_PEAKING, 100, q, 12),
                band(RL_BIQUAD_PEAKING, 400, q, 12), NULL);
    /* A retarget in the middle of a ramp. */
    {
        rl_eq_band then = band(RL_BIQUAD_HIGHSHELF, 2000, q, -6);
        check_click("highshelf retargeted mid-ramp", 100, band(RL_BIQUAD_HIGHSHELF, 1000, q, 0),
                    band(RL_BIQUAD_HIGHSHELF, 1000, q, 12), &then);
    }
    /* Type changes crossfade; a second one waits for the first. */
    check_click("lowpass -> highpass", 200, band(RL_BIQUAD_LOWPASS, 300, 0, 0),
                band(RL_BIQUAD_HIGHPASS, 300, 0, 0), NULL);
    {
        rl_eq_band then = band(RL_BIQUAD_NOTCH, 3000, 1, 0);
        check_click("lowshelf -> bandpass -> notch", 200, band(RL_BIQUAD_LOWSHELF, 500, q, 6),
                    band(RL_BIQUAD_BANDPASS, 200, 1, 0), &then);
    }
}

/* After a change settles, the band is exactly the target filter: its output
 * converges on that of an EQ that had the target from the start. */
static void test_settles_to_exact(void) {
    const size_t n = 48000;
    void* ma;
    void* mb;
    rl_eq* a = make_eq(1, 48000, 1, &ma);
    rl_eq* b = make_eq(1, 48000, 1, &mb);
    rl_eq_band target = band(RL_BIQUAD_PEAKING, 2500, 3, -9);
    float* x = (float*)malloc(n * sizeof(float));
    float* y = (float*)malloc(n * sizeof(float));
    size_t i;
    uint32_t settled_at = 0;
    double worst = 0.0;
    CHECK_EQ(rl_eq_set_band(b, 0, &target), RL_OK);
    for (i = 0; i < n; ++i) {
        x[i] = frand() * 0.5f;
    }
    memcpy(y, x, n * sizeof(float));
    for (i = 0; i < n; i += Q_FRAMES) {
        float* p = x + i;
        if (i == 1280) {
            CHECK_EQ(rl_eq_set_band(a, 0, &target), RL_OK);
        }
        CHECK_EQ(rl_eq_process(a, &p, 1, Q_FRAMES), RL_OK);
        if (i >= 1280 && settled_at == 0 && rl_eq_is_settled(a)) {
            settled_at = (uint32_t)(i + Q_FRAMES - 1280);
        }
    }
    run_mono(b, y, n, Q_FRAMES);
    /* Settled within ramp + one sub-block, rounded up to a quantum. */
    CHECK(settled_at > 0 && settled_at <= rl_eq_ramp_frames(a) + 16u + Q_FRAMES);
    CHECK_EQ(rl_eq_ramp_frames(a), 480);
    for (i = n / 2; i < n; ++i) {
        double d = fabs((double)x[i] - (double)y[i]);
        worst = d > worst ? d : worst;
    }
    CHECK(worst < 1e-6);
    rl_eq_uninit(a);
    rl_eq_uninit(b);
    free(ma);
    free(mb);
    free(x);
    free(y);
}

/* ------------------------------------------------------------------------ */
/* Validation                                                               */
/* ------------------------------------------------------------------------ */

static void test_validation(void) {
    void* mem;
    rl_eq* eq = make_eq(2, 48000, 4, &mem);
    rl_eq_band ok = band(RL_BIQUAD_PEAKING, 1000, 1, 3);
    rl_eq_band bad;
    rl_eq_band got;
    rl_eq_config cfg;
    size_t size = 0;
    rl_eq* e2 = NULL;
    float buf[2][256];
    float saved[2][256];
    float* p[3] = {buf[0], buf[1], buf[1]};
    size_t i;
    CHECK_EQ(rl_eq_set_band(eq, 1, &ok), RL_OK);
#define REJECT(field, value)                                                                       \
    do {                                                                                           \
        bad = ok;                                                                                  \
        bad.field = value;                                                                         \
        CHECK_EQ(rl_eq_set_band(eq, 1, &bad), RL_INVALID_ARGS);                                    \
    } while (0)
    REJECT(frequency, NAN);
    REJECT(frequency, INFINITY);
    REJECT(frequency, 0.0);
    REJECT(frequency, -10.0);
    REJECT(frequency, 24000.0);
    REJECT(frequency, 30000.0);
    REJECT(gain_db, NAN);
    REJECT(gain_db, 40.001);
    REJECT(gain_db, -40.001);
    REJECT(gain_db, -INFINITY);
    REJECT(q, NAN);
    REJECT(q, 0.0);
    REJECT(q, -1.0);
    REJECT(q, 1000.5);
    REJECT(q, INFINITY);
    REJECT(type, (rl_biquad_type)8);
    REJECT(type, (rl_biquad_type)-1);
    bad = band(RL_BIQUAD_LOWPASS, 1000, 40.5, 0);
    CHECK_EQ(rl_eq_set_band(eq, 1, &bad), RL_INVALID_ARGS);
    bad = band(RL_BIQUAD_LOWPASS, 1000, -3, 0); /* dB Q may be negative */
    CHECK_EQ(rl_eq_set_band(eq, 2, &bad), RL_OK);
    CHECK_EQ(rl_eq_set_band(eq, 4, &ok), RL_INVALID_ARGS);
    CHECK_EQ(rl_eq_set_band(eq, 1, NULL), RL_INVALID_ARGS);
    CHECK_EQ(rl_eq_set_band(NULL, 1, &ok), RL_INVALID_ARGS);
    CHECK_EQ(rl_eq_get_band(eq, 1, &got), RL_OK);
    CHECK(memcmp(&got, &ok, sizeof ok) == 0);
    CHECK_EQ(rl_eq_get_band(eq, 4, &got), RL_INVALID_ARGS);
    CHECK_EQ(rl_eq_get_band(eq, 0, NULL), RL_INVALID_ARGS);
    /* Also while running (the target must not move). */
    for (i = 0; i < 256; ++i) {
        buf[0][i] = frand();
        buf[1][i] = frand();
    }
    CHECK_EQ(rl_eq_process(eq, p, 2, 256), RL_OK);
    REJECT(gain_db, 41.0);
    CHECK_EQ(rl_eq_get_band(eq, 1, &got), RL_OK);
    CHECK(memcmp(&got, &ok, sizeof ok) == 0);
    CHECK(rl_eq_is_settled(eq));
#undef REJECT
    /* Process arguments: rejected without touching the buffers. */
    memcpy(saved, buf, sizeof buf);
    CHECK_EQ(rl_eq_process(eq, p, 0, 128), RL_INVALID_ARGS);
    CHECK_EQ(rl_eq_process(eq, p, 3, 128), RL_INVALID_ARGS); /* more than configured */
    CHECK_EQ(rl_eq_process(eq, p, 2, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_eq_process(eq, p, 2, RL_MAX_QUANTUM_FRAMES + 1u), RL_INVALID_ARGS);
    CHECK_EQ(rl_eq_process(eq, NULL, 2, 128), RL_INVALID_ARGS);
    CHECK_EQ(rl_eq_process(NULL, p, 2, 128), RL_INVALID_ARGS);
    p[1] = NULL;
    CHECK_EQ(rl_eq_process(eq, p, 2, 128), RL_INVALID_ARGS);
    p[1] = buf[1];
    CHECK(memcmp(saved, buf, sizeof buf) == 0);
    /* Configs and heaps. */
    cfg = rl_eq_config_init(0, 48000, 8);
    CHECK_EQ(rl_eq_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    cfg = rl_eq_config_init(33, 48000, 8);
    CHECK_EQ(rl_eq_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    cfg = rl_eq_config_init(2, 2000, 8);
    CHECK_EQ(rl_eq_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    cfg = rl_eq_config_init(2, NAN, 8);
    CHECK_EQ(rl_eq_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    cfg = rl_eq_config_init(2, 48000, 0);
    CHECK_EQ(rl_eq_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    cfg = rl_eq_config_init(2, 48000, 17);
    CHECK_EQ(rl_eq_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    CHECK_EQ(rl_eq_get_heap_size(NULL, &size), RL_INVALID_ARGS);
    cfg = rl_eq_config_init(2, 48000, 16);
    CHECK_EQ(rl_eq_get_heap_size(&cfg, NULL), RL_INVALID_ARGS);
    CHECK_EQ(rl_eq_get_heap_size(&cfg, &size), RL_OK);
    {
        unsigned char* block = (unsigned char*)alloc64(size + 64);
        CHECK_EQ(rl_eq_init_preallocated(&cfg, block + 8, size, &e2), RL_INVALID_ARGS);
        CHECK_EQ(rl_eq_init_preallocated(&cfg, block, size - 1, &e2), RL_OUT_OF_MEMORY);
        CHECK(e2 == NULL);
        CHECK_EQ(rl_eq_init_preallocated(&cfg, block, size, &e2), RL_OK);
        /* 16 default bands span 60 .. 7680 Hz. */
        CHECK_EQ(rl_eq_get_band(e2, 0, &got), RL_OK);
        CHECK_NEAR(got.frequency, 60.0, 1e-9);
        CHECK_EQ(rl_eq_get_band(e2, 15, &got), RL_OK);
        CHECK_NEAR(got.frequency, 7680.0, 1e-6);
        rl_eq_uninit(e2);
        CHECK_EQ(rl_eq_process(e2, p, 2, 128), RL_INVALID_ARGS);
        free(block);
    }
    /* At a low rate the default centres stay below Nyquist. */
    {
        void* m8;
        rl_eq* e8 = make_eq(1, 8000, 8, &m8);
        CHECK_EQ(rl_eq_get_band(e8, 7, &got), RL_OK);
        CHECK(got.frequency < 4000.0);
        rl_eq_uninit(e8);
        free(m8);
    }
    rl_eq_uninit(eq);
    free(mem);
}

/* ------------------------------------------------------------------------ */
/* Non-finite input                                                         */
/* ------------------------------------------------------------------------ */

static int all_finite(const float* x, size_t n) {
    size_t i;
    for (i = 0; i < n; ++i) {
        if (!isfinite(x[i])) {
            return 0;
        }
    }
    return 1;
}

/* A NaN in channel 0 and an Inf in channel 1 in one quantum: outputs stay
 * finite, and from that very quantum on the EQ behaves exactly like a
 * freshly reset one fed the cleaned input (NaN/Inf -> 0). */
static void test_non_finite(void) {
    const size_t n = 128 * 40;
    void* ma;
    void* mb;
    rl_eq* a = make_eq(2, 48000, 3, &ma);
    rl_eq* b = make_eq(2, 48000, 3, &mb);
    rl_eq_band bands[3] = {band(RL_BIQUAD_PEAKING, 1000, 1, 6), band(RL_BIQUAD_LOWPASS, 5000, 3, 0),
                           band(RL_BIQUAD_ALLPASS, 300, 0.7, 0)};
    float* l = (float*)malloc(n * sizeof(float));
    float* r = (float*)malloc(n * sizeof(float));
    float* l2 = (float*)malloc(n * sizeof(float));
    float* r2 = (float*)malloc(n * sizeof(float));
    size_t i;
    uint32_t k;
    const size_t bad_q = 10 * 128;
    for (k = 0; k < 3; ++k) {
        CHECK_EQ(rl_eq_set_band(a, k, &bands[k]), RL_OK);
        CHECK_EQ(rl_eq_set_band(b, k, &bands[k]), RL_OK);
    }
    for (i = 0; i < n; ++i) {
        l[i] = frand();
        r[i] = frand();
    }
    l[bad_q + 17] = NAN;
    r[bad_q + 90] = INFINITY;
    memcpy(l2, l, n * sizeof(float));
    memcpy(r2, r, n * sizeof(float));
    l2[bad_q + 17] = 0.0f;
    r2[bad_q + 90] = 0.0f;
    for (i = 0; i < n; i += 128) {
        float* p[2] = {l + i, r + i};
        CHECK_EQ(rl_eq_process(a, p, 2, 128), RL_OK);
    }
    CHECK(all_finite(l, n) && all_finite(r, n));
    for (i = bad_q; i < n; i += 128) {
        float* p[2] = {l2 + i, r2 + i};
        CHECK_EQ(rl_eq_process(b, p, 2, 128), RL_OK);
    }
    CHECK(bits_equal(l + bad_q, l2 + bad_q, n - bad_q));
    CHECK(bits_equal(r + bad_q, r2 + bad_q, n - bad_q));
    /* Overflow: full-scale floats through +40 dB can exceed FLT_MAX. */
    {
        rl_eq_band boost = band(RL_BIQUAD_PEAKING, 1000, 1, 40);
        float* p[2] = {l, r};
        CHECK_EQ(rl_eq_set_band(a, 0, &boost), RL_OK);
        rl_eq_reset(a);
        for (i = 0; i < 128; ++i) {
            l[i] = (i & 1) ? FLT_MAX : -FLT_MAX;
            r[i] = (float)sin((double)i * 0.13) * FLT_MAX;
        }
        CHECK_EQ(rl_eq_process(a, p, 2, 128), RL_OK);
        CHECK(all_finite(l, 128) && all_finite(r, 128));
    }
    /* Subnormal input is flushed; a decaying tail never produces subnormal
     * output (the state is flushed below 1e-20). */
    {
        int sub = 0;
        int q;
        float* p[2] = {l, r};
        rl_eq_reset(b);
        for (q = 0; q < 2000; ++q) {
            for (i = 0; i < 128; ++i) {
                l[i] = q == 0 && i == 0 ? 1.0f : 0.0f;
                r[i] = 1e-40f; /* subnormal */
            }
            CHECK_EQ(rl_eq_process(b, p, 2, 128), RL_OK);
            for (i = 0; i < 128; ++i) {
                if ((l[i] != 0.0f && fabsf(l[i]) < FLT_MIN) ||
                    (r[i] != 0.0f && fabsf(r[i]) < FLT_MIN)) {
                    sub = 1;
                }
            }
        }
        CHECK(!sub);
        CHECK(r[127] == 0.0f);
    }
    rl_eq_uninit(a);
    rl_eq_uninit(b);
    free(ma);
    free(mb);
    free(l);
    free(r);
    free(l2);
    free(r2);
}

/* Pairs of channels share a loop; the odd one out runs alone. All must give
 * the same result for the same input. */
static void test_channel_paths(void) {
    void* mem;
    rl_eq* eq = make_eq(3, 44100, 2, &mem);
    rl_eq_band b = band(RL_BIQUAD_HIGHSHELF, 4000, 1, -7);
    float ch[3][512];
    float* p[3] = {ch[0], ch[1], ch[2]};
    size_t i;
    CHECK_EQ(rl_eq_set_band(eq, 1, &b), RL_OK);
    for (i = 0; i < 512; ++i) {
        ch[0][i] = ch[1][i] = ch[2][i] = frand();
    }
    CHECK_EQ(rl_eq_process(eq, p, 3, 512), RL_OK);
    CHECK(bits_equal(ch[0], ch[1], 512) && bits_equal(ch[0], ch[2], 512));
    /* Two channels of a three-channel EQ. */
    CHECK_EQ(rl_eq_process(eq, p, 2, 512), RL_OK);
    CHECK(bits_equal(ch[0], ch[1], 512));
    rl_eq_uninit(eq);
    free(mem);
}

int main(void) {
    test_coefficients();
    test_coefficient_limits();
    test_measured_response();
    test_immediate_and_exact();
    test_flat_bit_exact();
    test_bypass();
    test_clicks();
    test_settles_to_exact();
    test_validation();
    test_non_finite();
    test_channel_paths();
    if (g_failed != 0) {
        printf("test_eq: %llu of %llu checks FAILED\n", g_failed, g_checks);
        return 1;
    }
    printf("test_eq: %llu checks passed\n", g_checks);
    return 0;
}
