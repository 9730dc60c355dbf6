/*
 * Tests for the BS.1770-4 loudness meter (csrc/loudness.c): the K-weighting
 * coefficients against the standard's 48 kHz table, the EBU Tech 3341
 * reference signals (generated here) within 0.1 LU at several sample rates,
 * the gates, channel weights, the histogram against an exact reference that
 * keeps every block, bad input, and bounded memory over a long signal.
 *
 * Self-contained: a tiny check macro, no framework. Every failing check prints
 * file:line and the expression; main returns non-zero if anything failed.
 */
#include "ringlet.h"

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
#define MAXCH 6u
#define CHUNK 4801u /* deliberately not a divisor of any hop */

typedef struct meter {
    rl_loudness* l;
    void* heap;
    size_t size;
} meter;

static meter meter_make_config(const rl_loudness_config* c) {
    meter m;
    m.l = NULL;
    m.size = 0;
    if (rl_loudness_get_heap_size(c, &m.size) != RL_OK) {
        fprintf(stderr, "rl_loudness_get_heap_size refused the config\n");
        exit(2);
    }
    m.heap = alloc64(m.size);
    if (rl_loudness_init_preallocated(c, m.heap, m.size, &m.l) != RL_OK) {
        fprintf(stderr, "rl_loudness_init_preallocated failed\n");
        exit(2);
    }
    return m;
}

static meter meter_make(uint32_t channels, double rate) {
    rl_loudness_config c = rl_loudness_config_init(channels, rate);
    return meter_make_config(&c);
}

static void meter_free(meter* m) {
    rl_loudness_uninit(m->l);
    free(m->heap);
    m->l = NULL;
}

/* One stretch of a test signal: a 1 kHz sine at `dbfs` peak in the channels
 * of `mask` (bit c = channel c), silence in the others; dbfs <= -200 is
 * digital silence. */
typedef struct part {
    double seconds;
    double dbfs;
    unsigned mask;
} part;

/* Feeds the parts through `m` in CHUNK-frame calls with a continuous phase;
 * optionally also through an exact reference (see below). */
typedef struct reference reference;
static void reference_feed(reference* r, const float* const* planar, uint32_t channels,
                           uint32_t frames);

static void feed_parts(meter* m, reference* r, uint32_t channels, double rate, const part* parts,
                       size_t count, double hz) {
    static float buf[MAXCH][CHUNK];
    const float* planes[MAXCH];
    uint64_t n = 0;
    size_t p;
    uint32_t c;
    for (c = 0; c < MAXCH; ++c) {
        planes[c] = buf[c];
    }
    for (p = 0; p < count; ++p) {
        uint64_t frames = (uint64_t)llround(parts[p].seconds * rate);
        double amp = parts[p].dbfs <= -200.0 ? 0.0 : pow(10.0, parts[p].dbfs / 20.0);
        while (frames > 0) {
            uint32_t k = frames < CHUNK ? (uint32_t)frames : CHUNK;
            uint32_t i;
            for (i = 0; i < k; ++i) {
                float v = (float)(amp * sin(2.0 * PI * hz * (double)(n + i) / rate));
                for (c = 0; c < channels; ++c) {
                    buf[c][i] = ((parts[p].mask >> c) & 1u) ? v : 0.0f;
                }
            }
            if (m != NULL) {
                CHECK_EQ(rl_loudness_process(m->l, planes, channels, k), RL_OK);
            }
            if (r != NULL) {
                reference_feed(r, planes, channels, k);
            }
            n += k;
            frames -= k;
        }
    }
}

static double measure(uint32_t channels, double rate, const part* parts, size_t count) {
    meter m = meter_make(channels, rate);
    double lufs;
    feed_parts(&m, NULL, channels, rate, parts, count, 1000.0);
    lufs = rl_loudness_integrated(m.l);
    meter_free(&m);
    return lufs;
}

/* An exact reference: the same K-weighting, but every block's energy kept in
 * a growing array and gated exactly (no histogram). */
struct reference {
    uint32_t channels;
    uint32_t hop;
    uint32_t fill;
    rl_biquad_coeffs s;
    rl_biquad_coeffs h;
    double st[MAXCH][4];
    double hop_energy;
    double* hops;
    size_t hop_count;
    size_t hop_cap;
};

static void reference_init(reference* r, uint32_t channels, double rate) {
    memset(r, 0, sizeof *r);
    r->channels = channels;
    r->hop = (uint32_t)lround(rate / 10.0);
    CHECK_EQ(rl_loudness_k_weighting(rate, &r->s, &r->h), RL_OK);
}

static void reference_feed(reference* r, const float* const* planar, uint32_t channels,
                           uint32_t frames) {
    uint32_t i;
    uint32_t c;
    for (i = 0; i < frames; ++i) {
        for (c = 0; c < channels; ++c) {
            double* st = r->st[c];
            double x = (double)planar[c][i];
            double y = r->s.b0 * x + st[0];
            double z;
            st[0] = r->s.b1 * x - r->s.a1 * y + st[1];
            st[1] = r->s.b2 * x - r->s.a2 * y;
            z = r->h.b0 * y + st[2];
            st[2] = r->h.b1 * y - r->h.a1 * z + st[3];
            st[3] = r->h.b2 * y - r->h.a2 * z;
            r->hop_energy += z * z;
        }
        if (++r->fill == r->hop) {
            if (r->hop_count == r->hop_cap) {
                r->hop_cap = r->hop_cap ? r->hop_cap * 2 : 1024;
                r->hops = realloc(r->hops, r->hop_cap * sizeof(double));
                if (r->hops == NULL) {
                    exit(2);
                }
            }
            r->hops[r->hop_count++] = r->hop_energy;
            r->hop_energy = 0.0;
            r->fill = 0;
        }
    }
}

static double reference_integrated(const reference* r) {
    double sum = 0.0;
    double n = 0.0;
    double gate;
    size_t j;
    for (j = 3; j < r->hop_count; ++j) {
        double e = (r->hops[j] + r->hops[j - 1] + r->hops[j - 2] + r->hops[j - 3]) / (4.0 * r->hop);
        if (e > 0.0 && -0.691 + 10.0 * log10(e) > -70.0) {
            sum += e;
            n += 1.0;
        }
    }
    if (n == 0.0) {
        return -HUGE_VAL;
    }
    gate = -0.691 + 10.0 * log10(sum / n) - 10.0;
    sum = 0.0;
    n = 0.0;
    for (j = 3; j < r->hop_count; ++j) {
        double e = (r->hops[j] + r->hops[j - 1] + r->hops[j - 2] + r->hops[j - 3]) / (4.0 * r->hop);
        double l = e > 0.0 ? -0.691 + 10.0 * log10(e) : -HUGE_VAL;
        if (l > -70.0 && l > gate) {
            sum += e;
            n += 1.0;
        }
    }
    return -0.691 + 10.0 * log10(sum / n);
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */
/* ------------------------------------------------------------------------ */

/* ITU-R BS.1770-4, Tables 1 and 2 (48 kHz). */
static void test_k_weighting(void) {
    rl_biquad_coeffs s;
    rl_biquad_coeffs h;
    CHECK_EQ(rl_loudness_k_weighting(48000.0, &s, &h), RL_OK);
    CHECK_NEAR(s.b0, 1.53512485958697, 1e-9);
    CHECK_NEAR(s.b1, -2.69169618940638, 1e-9);
    CHECK_NEAR(s.b2, 1.19839281085285, 1e-9);
    CHECK_NEAR(s.a1, -1.69065929318241, 1e-9);
    CHECK_NEAR(s.a2, 0.73248077421585, 1e-9);
    CHECK_NEAR(h.b0, 1.0, 0.0);
    CHECK_NEAR(h.b1, -2.0, 0.0);
    CHECK_NEAR(h.b2, 1.0, 0.0);
    CHECK_NEAR(h.a1, -1.99004745483398, 1e-9);
    CHECK_NEAR(h.a2, 0.99007225036621, 1e-9);
    /* Re-derived at 44.1 kHz: the same analog shelf, so its gain at 0 Hz
     * (1) and at 1 kHz (about +0.69 dB with the high-pass) barely moves. */
    CHECK_EQ(rl_loudness_k_weighting(44100.0, &s, &h), RL_OK);
    CHECK_NEAR((s.b0 + s.b1 + s.b2) / (1.0 + s.a1 + s.a2), 1.0, 1e-9);
    CHECK(s.b0 > 1.5 && s.b0 < 1.6);
    CHECK_EQ(rl_loudness_k_weighting(7999.0, &s, &h), RL_INVALID_ARGS);
    CHECK_EQ(rl_loudness_k_weighting(NAN, &s, &h), RL_INVALID_ARGS);
    CHECK_EQ(rl_loudness_k_weighting(48000.0, NULL, &h), RL_INVALID_ARGS);
    CHECK_EQ(rl_loudness_k_weighting(48000.0, &s, NULL), RL_INVALID_ARGS);
}

/* EBU Tech 3341 (2016) Table 1, tests 1-5: stereo 1 kHz sines, "dBFS"
 * being each channel's peak amplitude. Expected -23.0 LUFS (test 2: -33.0)
 * +-0.1 LU; tests 3 and 4 exercise the gates. Printed per rate so the
 * report can quote the errors. */
static void test_ebu_3341(void) {
    static const double rates[] = {48000.0, 44100.0, 96000.0, 32000.0};
    size_t r;
    for (r = 0; r < sizeof rates / sizeof rates[0]; ++r) {
        double fs = rates[r];
        const part t1[] = {{20.0, -23.0, 3u}};
        const part t2[] = {{20.0, -33.0, 3u}};
        const part t3[] = {{10.0, -36.0, 3u}, {60.0, -23.0, 3u}, {10.0, -36.0, 3u}};
        const part t4[] = {{10.0, -72.0, 3u},
                           {10.0, -36.0, 3u},
                           {60.0, -23.0, 3u},
                           {10.0, -36.0, 3u},
                           {10.0, -72.0, 3u}};
        const part t5[] = {{20.0, -26.0, 3u}, {20.1, -20.0, 3u}, {20.0, -26.0, 3u}};
        double l1 = measure(2, fs, t1, 1);
        double l2 = measure(2, fs, t2, 1);
        double l3 = measure(2, fs, t3, 3);
        double l4 = measure(2, fs, t4, 5);
        double l5 = measure(2, fs, t5, 3);
        printf("EBU 3341 at %.0f Hz: test1 %+.4f LU, test2 %+.4f LU, test3 %+.4f LU, "
               "test4 %+.4f LU, test5 %+.4f LU (errors)\n",
               fs, l1 + 23.0, l2 + 33.0, l3 + 23.0, l4 + 23.0, l5 + 23.0);
        CHECK_NEAR(l1, -23.0, 0.1);
        CHECK_NEAR(l2, -33.0, 0.1);
        CHECK_NEAR(l3, -23.0, 0.1);
        CHECK_NEAR(l4, -23.0, 0.1);
        CHECK_NEAR(l5, -23.0, 0.1);
    }
}

static void test_gating(void) {
    const double fs = 48000.0;
    const part tone[] = {{20.0, -23.0, 3u}};
    const part tone_then_silence[] = {{20.0, -23.0, 3u}, {60.0, -999.0, 3u}};
    const part silence_then_tone[] = {{60.0, -999.0, 3u}, {20.0, -23.0, 3u}};
    /* -80 dBFS is under the absolute gate, so it counts like silence. */
    const part tone_then_quiet[] = {{20.0, -23.0, 3u}, {60.0, -80.0, 3u}};
    const part silence[] = {{10.0, -999.0, 3u}};
    const part short_tone[] = {{0.399, -23.0, 3u}};
    const part just_one_block[] = {{0.4, -23.0, 3u}};
    double base = measure(2, fs, tone, 1);
    double a = measure(2, fs, tone_then_silence, 2);
    double b = measure(2, fs, silence_then_tone, 2);
    double c = measure(2, fs, tone_then_quiet, 2);
    printf(
        "gating: tone %.4f, +60 s silence after %.4f, before %.4f, +60 s at -80 dBFS %.4f LUFS\n",
        base, a, b, c);
    /* Only the three blocks that straddle the edge differ (0.03 LU). */
    CHECK_NEAR(a, base, 0.05);
    CHECK_NEAR(b, base, 0.05);
    CHECK_NEAR(c, base, 0.05);
    CHECK(isinf(measure(2, fs, silence, 1)) && measure(2, fs, silence, 1) < 0);
    CHECK(isinf(measure(2, fs, short_tone, 1)));
    CHECK_NEAR(measure(2, fs, just_one_block, 1), -23.0, 0.1);
    {
        /* The relative gate: a long stretch 20 LU down is ignored, while
         * without the gate it would pull the average down by about 2.4 LU. */
        const part loud_quiet[] = {{10.0, -23.0, 3u}, {50.0, -43.0, 3u}};
        double l = measure(2, fs, loud_quiet, 2);
        CHECK_NEAR(l, -23.0, 0.1);
    }
}

/* Block counts and the mono and multichannel weights. */
static void test_channels(void) {
    const double fs = 48000.0;
    const part mono[] = {{10.0, -23.0, 1u}};
    const part left[] = {{10.0, -23.0, 1u}};
    const part surround[] = {{10.0, -23.0, 1u << 4}};
    const part lfe[] = {{10.0, -23.0, 1u << 3}};
    double m = measure(1, fs, mono, 1);
    double l51 = measure(6, fs, left, 1);
    double s51 = measure(6, fs, surround, 1);
    /* One channel of a -23 dBFS sine carries half the energy: -26.01. */
    CHECK_NEAR(m, -23.0 - 10.0 * log10(2.0), 0.1);
    CHECK_NEAR(l51, m, 1e-9);
    CHECK_NEAR(s51 - l51, 10.0 * log10(1.41), 1e-6);
    CHECK(isinf(measure(6, fs, lfe, 1)));
    {
        rl_loudness_config c = rl_loudness_config_init(4, fs);
        CHECK_NEAR(c.channel_weights[0], 1.0, 0.0);
        CHECK_NEAR(c.channel_weights[2], 1.41, 0.0);
        CHECK_NEAR(c.channel_weights[3], 1.41, 0.0);
        c = rl_loudness_config_init(2, fs);
        CHECK_NEAR(c.channel_weights[0], 1.0, 0.0);
        CHECK_NEAR(c.channel_weights[1], 1.0, 0.0);
    }
    {
        meter mt = meter_make(2, fs);
        feed_parts(&mt, NULL, 2, fs, mono, 1, 1000.0);
        /* 10 s = 100 hops of 100 ms: blocks end at hops 4 .. 100. */
        CHECK_EQ(rl_loudness_blocks(mt.l), 97);
        CHECK_EQ(rl_loudness_frames(mt.l), 480000);
        meter_free(&mt);
    }
}

/* Peak and RMS of a sine whose peak falls on a sample (1 kHz at 48 kHz). */
static void test_peak_rms(void) {
    const part tone[] = {{1.0, -6.0, 3u}};
    meter m = meter_make(2, 48000.0);
    double amp = pow(10.0, -6.0 / 20.0);
    CHECK_NEAR(rl_loudness_sample_peak(m.l), 0.0, 0.0);
    CHECK_NEAR(rl_loudness_mean_square(m.l), 0.0, 0.0);
    feed_parts(&m, NULL, 2, 48000.0, tone, 1, 1000.0);
    CHECK_NEAR(rl_loudness_sample_peak(m.l), (double)(float)amp, 1e-12);
    CHECK_NEAR(rl_loudness_mean_square(m.l), amp * amp / 2.0, 1e-6);
    meter_free(&m);
}

/* The histogram against the exact reference, on a signal whose level jumps
 * at random every 100 ms between -60 and -5 dBFS, in noise and tone. */
static void test_histogram_vs_exact(void) {
    static const double rates[] = {48000.0, 44100.0};
    size_t ri;
    for (ri = 0; ri < 2; ++ri) {
        double fs = rates[ri];
        meter m = meter_make(2, fs);
        reference ref;
        part parts[600];
        size_t i;
        uint32_t seed = 12345u;
        double got;
        double want;
        reference_init(&ref, 2, fs);
        for (i = 0; i < 600; ++i) {
            seed = seed * 1664525u + 1013904223u;
            parts[i].seconds = 0.1;
            parts[i].dbfs = -60.0 + 55.0 * (double)(seed >> 8) / 16777216.0;
            parts[i].mask = 3u;
        }
        feed_parts(&m, &ref, 2, fs, parts, 600, 997.0);
        got = rl_loudness_integrated(m.l);
        want = reference_integrated(&ref);
        printf("histogram vs exact gating at %.0f Hz: %.6f vs %.6f LUFS\n", fs, got, want);
        CHECK_NEAR(got, want, 0.005);
        free(ref.hops);
        meter_free(&m);
    }
}

/* Non-finite samples count as 0; a signal split anywhere gives the same
 * result; reset starts over. */
static void test_robustness(void) {
    const double fs = 48000.0;
    uint32_t n = 48000u * 3u;
    float* a = alloc64(n * sizeof(float));
    float* b = alloc64(n * sizeof(float));
    const float* pa[1];
    const float* pb[1];
    meter m1 = meter_make(1, fs);
    meter m2 = meter_make(1, fs);
    uint32_t i;
    uint32_t done;
    double first;
    for (i = 0; i < n; ++i) {
        a[i] = (float)(0.3 * sin(2.0 * PI * 440.0 * i / fs));
        b[i] = a[i];
    }
    for (i = 0; i < n; i += 997u) {
        a[i] = (i % 3u == 0) ? NAN : (i % 3u == 1 ? INFINITY : -INFINITY);
        b[i] = 0.0f;
    }
    pa[0] = a;
    pb[0] = b;
    CHECK_EQ(rl_loudness_process(m1.l, pa, 1, n), RL_OK);
    CHECK_EQ(rl_loudness_process(m2.l, pb, 1, n), RL_OK);
    CHECK(rl_loudness_integrated(m1.l) == rl_loudness_integrated(m2.l));
    CHECK(rl_loudness_sample_peak(m1.l) == rl_loudness_sample_peak(m2.l));
    first = rl_loudness_integrated(m2.l);
    /* Split at odd places: one frame, then growing pieces. */
    rl_loudness_reset(m2.l);
    CHECK_EQ(rl_loudness_blocks(m2.l), 0);
    CHECK(isinf(rl_loudness_integrated(m2.l)));
    for (done = 0, i = 1; done < n; i = i * 3u + 1u) {
        uint32_t k = n - done < i ? n - done : i;
        pb[0] = b + done;
        CHECK_EQ(rl_loudness_process(m2.l, pb, 1, k), RL_OK);
        done += k;
    }
    CHECK_NEAR(rl_loudness_integrated(m2.l), first, 1e-9);
    meter_free(&m1);
    meter_free(&m2);
    free(a);
    free(b);
}

static void test_bad_input(void) {
    rl_loudness_config c = rl_loudness_config_init(2, 48000.0);
    rl_loudness* l = (rl_loudness*)(uintptr_t)1;
    size_t size = 0;
    size_t good = 0;
    unsigned char* heap;
    float x[16] = {0};
    const float* planes[2] = {x, x};
    const float* holes[2] = {x, NULL};
    CHECK_EQ(rl_loudness_get_heap_size(&c, NULL), RL_INVALID_ARGS);
    CHECK_EQ(rl_loudness_get_heap_size(NULL, &size), RL_INVALID_ARGS);
    CHECK_EQ(rl_loudness_get_heap_size(&c, &good), RL_OK);
    c.channels = 0;
    CHECK_EQ(rl_loudness_get_heap_size(&c, &size), RL_INVALID_ARGS);
    CHECK_EQ(size, 0);
    c.channels = 33;
    CHECK_EQ(rl_loudness_get_heap_size(&c, &size), RL_INVALID_ARGS);
    c = rl_loudness_config_init(2, 7999.0);
    CHECK_EQ(rl_loudness_get_heap_size(&c, &size), RL_INVALID_ARGS);
    c = rl_loudness_config_init(2, 768001.0);
    CHECK_EQ(rl_loudness_get_heap_size(&c, &size), RL_INVALID_ARGS);
    c = rl_loudness_config_init(2, NAN);
    CHECK_EQ(rl_loudness_get_heap_size(&c, &size), RL_INVALID_ARGS);
    c = rl_loudness_config_init(2, 48000.0);
    c.channel_weights[1] = -1.0;
    CHECK_EQ(rl_loudness_get_heap_size(&c, &size), RL_INVALID_ARGS);
    c.channel_weights[1] = NAN;
    CHECK_EQ(rl_loudness_get_heap_size(&c, &size), RL_INVALID_ARGS);
    c.channel_weights[1] = INFINITY;
    CHECK_EQ(rl_loudness_get_heap_size(&c, &size), RL_INVALID_ARGS);
    /* Weights of channels beyond the count are not looked at. */
    c.channel_weights[1] = 1.0;
    c.channel_weights[2] = NAN;
    CHECK_EQ(rl_loudness_get_heap_size(&c, &size), RL_OK);

    c = rl_loudness_config_init(2, 48000.0);
    heap = alloc64(good + 64u);
    CHECK_EQ(rl_loudness_init_preallocated(&c, heap, good, NULL), RL_INVALID_ARGS);
    CHECK_EQ(rl_loudness_init_preallocated(&c, NULL, good, &l), RL_INVALID_ARGS);
    CHECK(l == NULL);
    CHECK_EQ(rl_loudness_init_preallocated(&c, heap + 8, good, &l), RL_INVALID_ARGS);
    CHECK_EQ(rl_loudness_init_preallocated(&c, heap, good - 1u, &l), RL_OUT_OF_MEMORY);
    CHECK(l == NULL);
    CHECK_EQ(rl_loudness_init_preallocated(&c, heap, good, &l), RL_OK);
    CHECK_EQ(rl_loudness_process(l, planes, 2, 16), RL_OK);
    CHECK_EQ(rl_loudness_process(l, planes, 1, 16), RL_INVALID_ARGS);
    CHECK_EQ(rl_loudness_process(l, planes, 3, 16), RL_INVALID_ARGS);
    CHECK_EQ(rl_loudness_process(l, planes, 2, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_loudness_process(l, NULL, 2, 16), RL_INVALID_ARGS);
    CHECK_EQ(rl_loudness_process(l, holes, 2, 16), RL_INVALID_ARGS);
    CHECK_EQ(rl_loudness_frames(l), 16);
    CHECK_EQ(rl_loudness_process(NULL, planes, 2, 16), RL_INVALID_ARGS);
    CHECK(isnan(rl_loudness_integrated(NULL)));
    CHECK_EQ(rl_loudness_blocks(NULL), 0);
    CHECK_NEAR(rl_loudness_sample_peak(NULL), 0.0, 0.0);
    CHECK_NEAR(rl_loudness_mean_square(NULL), 0.0, 0.0);
    rl_loudness_reset(NULL);
    rl_loudness_uninit(NULL);
    rl_loudness_uninit(l);
    CHECK_EQ(rl_loudness_process(l, planes, 2, 16), RL_INVALID_ARGS);
    CHECK(isnan(rl_loudness_integrated(l)));
    free(heap);
}

/* Memory: the heap size depends on the channel count only, and an hour of
 * stereo (at a low rate, to keep the test fast) never writes past it. */
static void test_bounded_memory(void) {
    const double fs = 8000.0;
    rl_loudness_config c = rl_loudness_config_init(2, fs);
    rl_loudness_config c48 = rl_loudness_config_init(2, 192000.0);
    size_t size = 0;
    size_t size48 = 0;
    unsigned char* heap;
    rl_loudness* l = NULL;
    float x[2][4000];
    const float* planes[2] = {x[0], x[1]};
    uint32_t seed = 99u;
    uint32_t i;
    uint32_t k;
    size_t j;
    int canary_ok = 1;
    CHECK_EQ(rl_loudness_get_heap_size(&c, &size), RL_OK);
    CHECK_EQ(rl_loudness_get_heap_size(&c48, &size48), RL_OK);
    CHECK_EQ(size, size48);
    CHECK(size < 200u * 1024u);
    printf("loudness heap: %zu bytes for stereo at any rate and duration\n", size);
    heap = alloc64(size + 4096u);
    memset(heap + size, 0xA5, 4096u);
    CHECK_EQ(rl_loudness_init_preallocated(&c, heap, size, &l), RL_OK);
    for (k = 0; k < 3600u * 2u; ++k) { /* 3600 s in 0.5 s calls */
        for (i = 0; i < 4000u; ++i) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            /* Noise whose level wanders, to spread blocks over the histogram. */
            x[0][i] = (float)(((double)seed / 4294967296.0 - 0.5) * (double)(k % 97u) / 50.0);
            x[1][i] = -x[0][i];
        }
        CHECK(rl_loudness_process(l, planes, 2, 4000u) == RL_OK);
    }
    for (j = 0; j < 4096u; ++j) {
        canary_ok &= heap[size + j] == 0xA5;
    }
    CHECK(canary_ok);
    CHECK_EQ(rl_loudness_blocks(l), 36000 - 3);
    CHECK(isfinite(rl_loudness_integrated(l)));
    free(heap);
}

int main(void) {
    test_k_weighting();
    test_ebu_3341();
    test_gating();
    test_channels();
    test_peak_rms();
    test_histogram_vs_exact();
    test_robustness();
    test_bad_input();
    test_bounded_memory();
    printf("test_loudness: %llu checks, %llu failed\n", g_checks, g_failed);
    return g_failed == 0 ? 0 : 1;
}
