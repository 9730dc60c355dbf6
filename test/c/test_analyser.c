/*
 * Tests for the analyser (csrc/analyser.c): the real FFT against a naive DFT,
 * the Blackman window, AnalyserNode's float and byte frequency data and its
 * smoothing, the byte time-domain data, and the time buffer's down-mix,
 * wrap and latest-samples read.
 *
 * Self-contained: a tiny check macro, no framework. Every failing check prints
 * file:line and the expression; main returns non-zero if anything failed.
 * Includes the private "dsp_internal.h" for the raw FFT and the window.
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

static uint32_t g_rng = 0xC0FFEE11u;

static float frand(void) {
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 17;
    g_rng ^= g_rng << 5;
    return (float)((double)(int32_t)g_rng / 2147483648.0);
}

static rl_spectrum* make_spectrum(uint32_t n, void** mem) {
    rl_spectrum_config cfg = rl_spectrum_config_init(n);
    size_t size = 0;
    rl_spectrum* s = NULL;
    CHECK_EQ(rl_spectrum_get_heap_size(&cfg, &size), RL_OK);
    *mem = alloc64(size);
    if (!CHECK_EQ(rl_spectrum_init_preallocated(&cfg, *mem, size, &s), RL_OK)) {
        exit(2);
    }
    return s;
}

static rl_timebuf* make_timebuf(uint32_t capacity, void** mem) {
    rl_timebuf_config cfg = rl_timebuf_config_init(capacity);
    size_t size = 0;
    rl_timebuf* c = NULL;
    CHECK_EQ(rl_timebuf_get_heap_size(&cfg, &size), RL_OK);
    *mem = alloc64(size);
    if (!CHECK_EQ(rl_timebuf_init_preallocated(&cfg, *mem, size, &c), RL_OK)) {
        exit(2);
    }
    return c;
}

/* ------------------------------------------------------------------------ */
/* FFT and window                                                           */
/* ------------------------------------------------------------------------ */

static double g_fft_err;

static void test_fft_against_dft(void) {
    uint32_t n;
    g_fft_err = 0.0;
    for (n = 32; n <= 4096; n *= 2) {
        void* mem;
        rl_spectrum* s = make_spectrum(n, &mem);
        double* x = (double*)malloc(n * sizeof(double));
        double* re = (double*)malloc((n / 2 + 1) * sizeof(double));
        double* im = (double*)malloc((n / 2 + 1) * sizeof(double));
        double* cs = (double*)malloc(n * sizeof(double));
        double* sn = (double*)malloc(n * sizeof(double));
        double worst = 0.0;
        double scale = 0.0;
        uint32_t k;
        uint32_t i;
        for (i = 0; i < n; ++i) {
            x[i] = frand();
            cs[i] = cos(2.0 * PI * (double)i / (double)n);
            sn[i] = sin(2.0 * PI * (double)i / (double)n);
        }
        rl_spectrum_rfft(s, x, re, im);
        for (k = 0; k <= n / 2; ++k) {
            double dr = 0.0;
            double di = 0.0;
            double e;
            for (i = 0; i < n; ++i) {
                uint32_t j = (uint32_t)(((uint64_t)k * i) % n);
                dr += x[i] * cs[j];
                di -= x[i] * sn[j];
            }
            e = hypot(re[k] - dr, im[k] - di);
            worst = e > worst ? e : worst;
            scale = hypot(dr, di) > scale ? hypot(dr, di) : scale;
        }
        worst /= scale;
        g_fft_err = worst > g_fft_err ? worst : g_fft_err;
        if (!CHECK(worst < 1e-12)) {
            fprintf(stderr, "  n=%u: relative error %g\n", n, worst);
        }
        free(x);
        free(re);
        free(im);
        free(cs);
        free(sn);
        free(mem);
    }
    printf("test_analyser: FFT vs naive DFT, worst relative error %.2e\n", g_fft_err);
}

static void test_window(void) {
    void* mem;
    rl_spectrum* s = make_spectrum(1024, &mem);
    const double* w = rl_spectrum_window(s);
    uint32_t i;
    double sum = 0.0;
    CHECK_EQ(rl_spectrum_fft_size(s), 1024);
    for (i = 0; i < 1024; ++i) {
        /* The spec: alpha = 0.16, a0 = (1 - alpha)/2, a1 = 1/2, a2 = alpha/2,
         * w[n] = a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N). */
        double alpha = 0.16;
        double want = (1.0 - alpha) / 2.0 - 0.5 * cos(2.0 * PI * i / 1024.0) +
                      alpha / 2.0 * cos(4.0 * PI * i / 1024.0);
        CHECK_NEAR(w[i], want, 1e-15);
        sum += w[i];
    }
    CHECK_NEAR(w[0], 0.0, 1e-15);
    CHECK_NEAR(w[512], 1.0, 1e-15);
    CHECK_NEAR(sum / 1024.0, 0.42, 1e-12);
    free(mem);
}

/* ------------------------------------------------------------------------ */
/* Frequency data                                                           */
/* ------------------------------------------------------------------------ */

/* A sine exactly on bin k: the windowed spectrum is a0/2 * A at k, a1/4 * A
 * at k +- 1, a2/4 * A at k +- 2 and (numerically) nothing elsewhere. */
static void test_sine_on_bin(void) {
    static const uint32_t sizes[] = {32, 2048, 32768};
    size_t z;
    for (z = 0; z < 3; ++z) {
        const uint32_t n = sizes[z];
        const uint32_t k = n / 8u + 3u;
        void* mem;
        rl_spectrum* s = make_spectrum(n, &mem);
        float* x = (float*)malloc(n * sizeof(float));
        float* out = (float*)malloc(n / 2 * sizeof(float));
        const double amp = 0.7;
        double rest = -1e9;
        uint32_t i;
        for (i = 0; i < n; ++i) {
            x[i] = (float)(amp * sin(2.0 * PI * (double)k * i / (double)n + 0.4));
        }
        CHECK_EQ(rl_spectrum_float_frequency(s, x, 0.0, out), RL_OK);
        CHECK_NEAR(out[k], 20.0 * log10(0.21 * amp), 0.001);
        CHECK_NEAR(out[k - 1], 20.0 * log10(0.125 * amp), 0.001);
        CHECK_NEAR(out[k + 1], 20.0 * log10(0.125 * amp), 0.001);
        CHECK_NEAR(out[k - 2], 20.0 * log10(0.02 * amp), 0.001);
        CHECK_NEAR(out[k + 2], 20.0 * log10(0.02 * amp), 0.001);
        for (i = 0; i < n / 2; ++i) {
            if (i + 2 < k || i > k + 2) {
                rest = out[i] > rest ? out[i] : rest;
            }
        }
        CHECK(rest < -120.0); /* float input limits this, not the FFT */
        /* 0 dBFS at bin centre is -13.56 dB, as Chromium's fft-scaling test. */
        for (i = 0; i < n; ++i) {
            x[i] = (float)sin(2.0 * PI * (double)k * i / (double)n);
        }
        CHECK_EQ(rl_spectrum_float_frequency(s, x, 0.0, out), RL_OK);
        CHECK_NEAR(out[k], -13.5556, 0.001);
        free(x);
        free(out);
        free(mem);
    }
}

static void test_byte_and_smoothing(void) {
    const uint32_t n = 2048;
    void* ma;
    void* mb;
    void* mc;
    rl_spectrum* a = make_spectrum(n, &ma);
    rl_spectrum* b = make_spectrum(n, &mb);
    rl_spectrum* c = make_spectrum(n, &mc);
    float* x1 = (float*)malloc(n * sizeof(float));
    float* x2 = (float*)malloc(n * sizeof(float));
    float* d1 = (float*)malloc(n / 2 * sizeof(float));
    float* d2 = (float*)malloc(n / 2 * sizeof(float));
    float* ds = (float*)malloc(n / 2 * sizeof(float));
    uint8_t* bytes = (uint8_t*)malloc(n / 2);
    uint32_t i;
    int byte_ok = 1;
    int smooth_ok = 1;
    double tau = 0.6;
    for (i = 0; i < n; ++i) {
        x1[i] = frand() * 0.3f + (float)(0.5 * sin(2.0 * PI * 100.5 * i / n));
        x2[i] = frand() * 0.01f + (float)(0.2 * sin(2.0 * PI * 300.0 * i / n));
    }
    /* Byte data: floor(255 / (max - min) * (dB - min)), clamped. */
    CHECK_EQ(rl_spectrum_float_frequency(a, x1, 0.0, d1), RL_OK);
    CHECK_EQ(rl_spectrum_byte_frequency(b, x1, 0.0, -100.0, -30.0, bytes), RL_OK);
    for (i = 0; i < n / 2; ++i) {
        double v = floor(255.0 / 70.0 * ((double)d1[i] + 100.0));
        v = v < 0 ? 0 : (v > 255 ? 255 : v);
        byte_ok &= bytes[i] == (uint8_t)v;
    }
    CHECK(byte_ok);
    {
        /* A narrow range around the middle of the data: both clamps and the
         * scaling between them are exercised. */
        double lo = 1e9;
        double hi = -1e9;
        double mid;
        int saw_low = 0;
        int saw_high = 0;
        for (i = 0; i < n / 2; ++i) {
            lo = d1[i] < lo ? d1[i] : lo;
            hi = d1[i] > hi ? d1[i] : hi;
        }
        mid = 0.5 * (lo + hi);
        CHECK_EQ(rl_spectrum_byte_frequency(c, x1, 0.0, mid - 3.0, mid + 3.0, bytes), RL_OK);
        for (i = 0; i < n / 2; ++i) {
            double v = floor(255.0 / 6.0 * ((double)d1[i] - (mid - 3.0)));
            v = v < 0 ? 0 : (v > 255 ? 255 : v);
            byte_ok &= bytes[i] == (uint8_t)v;
            saw_low |= bytes[i] == 0;
            saw_high |= bytes[i] == 255;
        }
        CHECK(byte_ok);
        CHECK(saw_low && saw_high);
    }
    /* Smoothing: X^ = tau X^prev + (1 - tau) |X|, kept between calls. */
    rl_spectrum_reset(a);
    rl_spectrum_reset(b);
    CHECK_EQ(rl_spectrum_float_frequency(a, x1, 0.0, d1), RL_OK);
    CHECK_EQ(rl_spectrum_float_frequency(b, x2, 0.0, d2), RL_OK);
    CHECK_EQ(rl_spectrum_float_frequency(a, x2, tau, ds), RL_OK);
    for (i = 0; i < n / 2; ++i) {
        double m1 = pow(10.0, d1[i] / 20.0);
        double m2 = pow(10.0, d2[i] / 20.0);
        double want = 20.0 * log10(tau * m1 + (1.0 - tau) * m2);
        smooth_ok &= fabs(ds[i] - want) < 1e-4;
    }
    CHECK(smooth_ok);
    /* Smoothing 1 freezes the spectrum. */
    CHECK_EQ(rl_spectrum_float_frequency(a, x1, 1.0, d1), RL_OK);
    CHECK(memcmp(d1, ds, n / 2 * sizeof(float)) == 0);
    /* Rejected calls change nothing, not even the smoothing state. */
    CHECK_EQ(rl_spectrum_float_frequency(a, x1, -0.1, d1), RL_INVALID_ARGS);
    CHECK_EQ(rl_spectrum_float_frequency(a, x1, 1.1, d1), RL_INVALID_ARGS);
    CHECK_EQ(rl_spectrum_float_frequency(a, x1, NAN, d1), RL_INVALID_ARGS);
    CHECK_EQ(rl_spectrum_float_frequency(a, NULL, 0.5, d1), RL_INVALID_ARGS);
    CHECK_EQ(rl_spectrum_float_frequency(a, x1, 0.5, NULL), RL_INVALID_ARGS);
    CHECK_EQ(rl_spectrum_byte_frequency(a, x1, 0.5, -30.0, -30.0, bytes), RL_INVALID_ARGS);
    CHECK_EQ(rl_spectrum_byte_frequency(a, x1, 0.5, -20.0, -30.0, bytes), RL_INVALID_ARGS);
    CHECK_EQ(rl_spectrum_byte_frequency(a, x1, 0.5, NAN, -30.0, bytes), RL_INVALID_ARGS);
    CHECK_EQ(rl_spectrum_byte_frequency(a, x1, 0.5, -100.0, INFINITY, bytes), RL_INVALID_ARGS);
    CHECK_EQ(rl_spectrum_float_frequency(a, x1, 1.0, d1), RL_OK);
    CHECK(memcmp(d1, ds, n / 2 * sizeof(float)) == 0);
    /* Silence: -Infinity (as Chromium), never NaN; non-finite input is 0. */
    {
        int all_inf = 1;
        memset(x1, 0, n * sizeof(float));
        x1[5] = NAN;
        x1[6] = INFINITY;
        CHECK_EQ(rl_spectrum_float_frequency(c, x1, 0.0, d1), RL_OK);
        for (i = 0; i < n / 2; ++i) {
            all_inf &= isinf(d1[i]) && d1[i] < 0;
        }
        CHECK(all_inf);
        CHECK_EQ(rl_spectrum_byte_frequency(c, x1, 0.0, -100.0, -30.0, bytes), RL_OK);
        CHECK(bytes[0] == 0 && bytes[n / 2 - 1] == 0);
    }
    free(x1);
    free(x2);
    free(d1);
    free(d2);
    free(ds);
    free(bytes);
    free(ma);
    free(mb);
    free(mc);
}

static void test_byte_time_domain(void) {
    const float x[] = {0.0f, 1.0f, -1.0f, 0.5f, -0.5f, 0.99f, 2.0f, -3.0f, NAN, 0.0039f};
    const uint8_t want[] = {128, 255, 0, 192, 64, 254, 255, 0, 128, 128};
    uint8_t out[10];
    CHECK_EQ(rl_spectrum_byte_time_domain(x, 10, out), RL_OK);
    CHECK(memcmp(out, want, 10) == 0);
    CHECK_EQ(rl_spectrum_byte_time_domain(NULL, 10, out), RL_INVALID_ARGS);
}

static void test_spectrum_config(void) {
    static const uint32_t bad[] = {0, 16, 31, 48, 65536, 1000, 3u << 10};
    rl_spectrum_config cfg;
    size_t size = 0;
    size_t i;
    rl_spectrum* s = NULL;
    for (i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        cfg = rl_spectrum_config_init(bad[i]);
        CHECK_EQ(rl_spectrum_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    }
    cfg = rl_spectrum_config_init(32768);
    CHECK_EQ(rl_spectrum_get_heap_size(&cfg, &size), RL_OK);
    CHECK(size <= 28u * 32768u + 64u);
    {
        unsigned char* m = (unsigned char*)alloc64(size + 64);
        CHECK_EQ(rl_spectrum_init_preallocated(&cfg, m + 4, size, &s), RL_INVALID_ARGS);
        CHECK_EQ(rl_spectrum_init_preallocated(&cfg, m, size - 8, &s), RL_OUT_OF_MEMORY);
        CHECK_EQ(rl_spectrum_init_preallocated(&cfg, m, size, &s), RL_OK);
        rl_spectrum_uninit(s);
        CHECK_EQ(rl_spectrum_fft_size(s), 0);
        free(m);
    }
}

/* ------------------------------------------------------------------------ */
/* Time buffer                                                              */
/* ------------------------------------------------------------------------ */

static void test_downmix(void) {
    float ch[5][64];
    const float* p[5] = {ch[0], ch[1], ch[2], ch[3], ch[4]};
    float got[64];
    uint32_t channels;
    size_t i;
    for (i = 0; i < 64; ++i) {
        ch[0][i] = frand();
        ch[1][i] = frand();
        ch[2][i] = frand();
        ch[3][i] = frand();
        ch[4][i] = frand();
    }
    for (channels = 1; channels <= 5; ++channels) {
        void* mem;
        rl_timebuf* c = make_timebuf(256, &mem);
        int ok = 1;
        CHECK_EQ(rl_timebuf_process(c, p, channels, 64), RL_OK);
        CHECK_EQ(rl_timebuf_write_index(c), 64);
        CHECK_EQ(rl_timebuf_read_latest(c, got, 64), RL_OK);
        for (i = 0; i < 64; ++i) {
            float want;
            if (channels == 1) {
                want = ch[0][i];
            } else if (channels == 2) {
                want = 0.5f * (ch[0][i] + ch[1][i]);
            } else {
                double sum = 0.0;
                uint32_t k;
                for (k = 0; k < channels; ++k) {
                    sum += ch[k][i];
                }
                want = (float)(sum / channels);
            }
            ok &= channels <= 2 ? got[i] == want : fabsf(got[i] - want) < 1e-6f;
        }
        CHECK(ok);
        free(mem);
    }
}

static void test_timebuf_wrap(void) {
    void* mem;
    rl_timebuf* c = make_timebuf(256, &mem);
    float buf[300];
    float got[128];
    const float* p[1] = {buf};
    uint32_t written = 0;
    int step;
    size_t i;
    /* Nothing written yet: zeros, like AnalyserNode's initial buffer. */
    for (i = 0; i < 10; ++i) {
        buf[i] = (float)(i + 1);
    }
    CHECK_EQ(rl_timebuf_process(c, p, 1, 10), RL_OK);
    CHECK_EQ(rl_timebuf_read_latest(c, got, 100), RL_OK);
    for (i = 0; i < 90; ++i) {
        CHECK(got[i] == 0.0f);
    }
    for (i = 0; i < 10; ++i) {
        CHECK(got[90 + i] == (float)(i + 1));
    }
    written = 10;
    /* Odd chunk sizes wrap the 256-slot buffer many times. */
    for (step = 0; step < 40; ++step) {
        uint32_t chunk = (uint32_t)(step * 37 % 200) + 1u;
        int ok = 1;
        for (i = 0; i < chunk; ++i) {
            buf[i] = (float)(written + (uint32_t)i + 1u);
        }
        CHECK_EQ(rl_timebuf_process(c, p, 1, chunk), RL_OK);
        written += chunk;
        CHECK_EQ(rl_timebuf_write_index(c), written);
        CHECK_EQ(rl_timebuf_read_latest(c, got, 128), RL_OK);
        for (i = 0; i < 128; ++i) {
            /* Sample k holds k + 1; slots never written read as 0. */
            long v = (long)written - 127 + (long)i;
            ok &= got[i] == (v >= 1 ? (float)v : 0.0f);
        }
        CHECK(ok);
    }
    /* Non-finite input is stored as 0. */
    buf[0] = NAN;
    buf[1] = -INFINITY;
    CHECK_EQ(rl_timebuf_process(c, p, 1, 2), RL_OK);
    CHECK_EQ(rl_timebuf_read_latest(c, got, 2), RL_OK);
    CHECK(got[0] == 0.0f && got[1] == 0.0f);
    /* The layout JavaScript reads. */
    {
        const unsigned char* base = (const unsigned char*)c;
        uint32_t w;
        uint32_t cap;
        float last;
        memcpy(&w, base + RL_TIMEBUF_OFFSET_WRITE_INDEX, 4);
        memcpy(&cap, base + RL_TIMEBUF_OFFSET_CAPACITY, 4);
        memcpy(&last, base + RL_TIMEBUF_OFFSET_DATA + ((w - 1u) & (cap - 1u)) * 4u, 4);
        CHECK_EQ(w, written + 2u);
        CHECK_EQ(cap, 256);
        CHECK(last == 0.0f);
    }
    /* Validation. */
    CHECK_EQ(rl_timebuf_read_latest(c, got, 129), RL_INVALID_ARGS);
    CHECK_EQ(rl_timebuf_read_latest(c, got, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_timebuf_read_latest(c, NULL, 10), RL_INVALID_ARGS);
    CHECK_EQ(rl_timebuf_process(c, p, 0, 10), RL_INVALID_ARGS);
    CHECK_EQ(rl_timebuf_process(c, p, 1, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_timebuf_process(c, p, 1, 1025), RL_INVALID_ARGS);
    CHECK_EQ(rl_timebuf_write_index(c), written + 2u);
    {
        rl_timebuf_config cfg = rl_timebuf_config_init(100);
        size_t size = 0;
        CHECK_EQ(rl_timebuf_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
        cfg = rl_timebuf_config_init(128);
        CHECK_EQ(rl_timebuf_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
        cfg = rl_timebuf_config_init(RL_TIMEBUF_DEFAULT_CAPACITY);
        CHECK_EQ(rl_timebuf_get_heap_size(&cfg, &size), RL_OK);
        CHECK_EQ(size, 64u + 4u * RL_TIMEBUF_DEFAULT_CAPACITY);
    }
    rl_timebuf_uninit(c);
    CHECK_EQ(rl_timebuf_process(c, p, 1, 2), RL_INVALID_ARGS);
    free(mem);
}

/* The whole path: a stereo tone through the time buffer, the latest fft_size
 * samples out, and the spectrum shows the tone at its bin. */
static void test_timebuf_to_spectrum(void) {
    void* cm;
    void* sm;
    rl_timebuf* c = make_timebuf(RL_TIMEBUF_DEFAULT_CAPACITY, &cm);
    rl_spectrum* s = make_spectrum(RL_SPECTRUM_MAX_FFT_SIZE, &sm);
    float* l = (float*)malloc(128 * sizeof(float));
    float* r = (float*)malloc(128 * sizeof(float));
    float* t = (float*)malloc(RL_SPECTRUM_MAX_FFT_SIZE * sizeof(float));
    float* out = (float*)malloc(RL_SPECTRUM_MAX_FFT_SIZE / 2 * sizeof(float));
    const float* p[2] = {l, r};
    const double fs = 48000.0;
    const double bin = 1000.0; /* 1000 cycles per 32768 samples */
    uint32_t frame = 0;
    int q;
    size_t i;
    for (q = 0; q < 600; ++q) {
        for (i = 0; i < 128; ++i, ++frame) {
            double ph = 2.0 * PI * bin * frame / RL_SPECTRUM_MAX_FFT_SIZE;
            l[i] = (float)(0.5 * sin(ph));
            r[i] = (float)(0.3 * sin(ph));
        }
        CHECK_EQ(rl_timebuf_process(c, p, 2, 128), RL_OK);
    }
    CHECK_EQ(rl_timebuf_read_latest(c, t, RL_SPECTRUM_MAX_FFT_SIZE), RL_OK);
    CHECK_EQ(rl_spectrum_float_frequency(s, t, 0.0, out), RL_OK);
    CHECK_NEAR(out[1000], 20.0 * log10(0.21 * 0.4), 0.001);
    (void)fs;
    free(l);
    free(r);
    free(t);
    free(out);
    free(cm);
    free(sm);
}

/* rl_spectrum_add_power adds each bin's (|X[k]| / N)^2 to the sum: the
 * float path's magnitudes squared, whatever smoothing state came before. */
static void test_add_power(void) {
    const uint32_t n = 2048;
    void* sm;
    rl_spectrum* s = make_spectrum(n, &sm);
    float* t = (float*)malloc(n * sizeof(float));
    float* u = (float*)malloc(n * sizeof(float));
    float* db = (float*)malloc(n / 2 * sizeof(float));
    double* sum = (double*)malloc(n / 2 * sizeof(double));
    double worst = 0.0;
    uint32_t i;
    for (i = 0; i < n; ++i) {
        t[i] = 0.25f * frand();
        u[i] = frand();
    }
    for (i = 0; i < n / 2; ++i) {
        sum[i] = 0.0;
    }
    /* A smoothed call first: add_power must not blend its state in. */
    CHECK_EQ(rl_spectrum_float_frequency(s, u, 0.9, db), RL_OK);
    CHECK_EQ(rl_spectrum_add_power(s, t, sum), RL_OK);
    CHECK_EQ(rl_spectrum_float_frequency(s, t, 0.0, db), RL_OK);
    for (i = 0; i < n / 2; ++i) {
        double want = pow(10.0, db[i] / 10.0);
        double err = fabs(sum[i] - want) / (want > 1e-30 ? want : 1e-30);
        worst = err > worst ? err : worst;
    }
    CHECK(worst < 1e-5);
    /* A sine of amplitude 0.5 on bin 100: magnitude 0.21 * 0.5 there. */
    for (i = 0; i < n; ++i) {
        t[i] = (float)(0.5 * sin(2.0 * PI * 100.0 * i / n));
    }
    for (i = 0; i < n / 2; ++i) {
        sum[i] = 0.0;
    }
    CHECK_EQ(rl_spectrum_add_power(s, t, sum), RL_OK);
    CHECK_EQ(rl_spectrum_add_power(s, t, sum), RL_OK);
    CHECK_NEAR(sum[100], 2.0 * (0.21 * 0.5) * (0.21 * 0.5), 1e-6);
    CHECK_EQ(rl_spectrum_add_power(NULL, t, sum), RL_INVALID_ARGS);
    CHECK_EQ(rl_spectrum_add_power(s, NULL, sum), RL_INVALID_ARGS);
    CHECK_EQ(rl_spectrum_add_power(s, t, NULL), RL_INVALID_ARGS);
    free(t);
    free(u);
    free(db);
    free(sum);
    free(sm);
}

int main(void) {
    test_fft_against_dft();
    test_window();
    test_sine_on_bin();
    test_byte_and_smoothing();
    test_byte_time_domain();
    test_spectrum_config();
    test_downmix();
    test_timebuf_wrap();
    test_timebuf_to_spectrum();
    test_add_power();
    if (g_failed != 0) {
        printf("test_analyser: %llu of %llu checks FAILED\n", g_failed, g_checks);
        return 1;
    }
    printf("test_analyser: %llu checks passed\n", g_checks);
    return 0;
}
