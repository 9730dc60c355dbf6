/*
 * Tests for gain (csrc/gain.c), limiter (csrc/limiter.c) and meters
 * (csrc/meter.c), numeric safety across a chain of the DSP modules, and a
 * report (not an assertion) of each module's cost per 128-frame stereo
 * quantum.
 *
 * Self-contained: a tiny check macro, no framework. Every failing check prints
 * file:line and the expression; main returns non-zero if anything failed.
 * RL_DSP_BENCH_QUANTA=<n> sets how many quanta the cost report times (0 skips).
 */
#include "ringlet.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------------ */
/* Checks                                                                   */
/* ------------------------------------------------------------------------ */

#include "check.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

#define PI 3.14159265358979323846
#define FS 48000.0
#define QF 128u

static uint32_t g_rng = 0x9E3779B9u;

static float frand(void) {
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 17;
    g_rng ^= g_rng << 5;
    return (float)((double)(int32_t)g_rng / 2147483648.0);
}

static int bits_equal(const float* a, const float* b, size_t n) {
    return memcmp(a, b, n * sizeof(float)) == 0;
}

/* Finite and never subnormal. */
static int clean(const float* x, size_t n) {
    size_t i;
    for (i = 0; i < n; ++i) {
        if (!isfinite(x[i]) || (x[i] != 0.0f && fabsf(x[i]) < FLT_MIN)) {
            return 0;
        }
    }
    return 1;
}

static double db(double x) {
    return 20.0 * log10(x);
}

static rl_gain* make_gain(float initial, void** mem) {
    rl_gain_config cfg = rl_gain_config_init(FS);
    size_t size = 0;
    rl_gain* g = NULL;
    cfg.initial_gain = initial;
    CHECK_EQ(rl_gain_get_heap_size(&cfg, &size), RL_OK);
    *mem = alloc64(size);
    if (!CHECK_EQ(rl_gain_init_preallocated(&cfg, *mem, size, &g), RL_OK)) {
        exit(2);
    }
    return g;
}

static rl_limiter* make_limiter(void** mem) {
    rl_limiter_config cfg = rl_limiter_config_init(FS);
    size_t size = 0;
    rl_limiter* l = NULL;
    CHECK_EQ(rl_limiter_get_heap_size(&cfg, &size), RL_OK);
    *mem = alloc64(size);
    if (!CHECK_EQ(rl_limiter_init_preallocated(&cfg, *mem, size, &l), RL_OK)) {
        exit(2);
    }
    return l;
}

static rl_meter* make_meter(uint32_t channels, void** mem) {
    rl_meter_config cfg = rl_meter_config_init(channels, FS);
    size_t size = 0;
    rl_meter* m = NULL;
    CHECK_EQ(rl_meter_get_heap_size(&cfg, &size), RL_OK);
    *mem = alloc64(size);
    if (!CHECK_EQ(rl_meter_init_preallocated(&cfg, *mem, size, &m), RL_OK)) {
        exit(2);
    }
    return m;
}

/* ------------------------------------------------------------------------ */
/* Gain                                                                     */
/* ------------------------------------------------------------------------ */

static void test_gain_arate(void) {
    void* mem;
    rl_gain* g = make_gain(1.0f, &mem);
    float l[QF];
    float r[QF];
    float l0[QF];
    float r0[QF];
    float v[QF];
    float* p[2] = {l, r};
    float last;
    size_t i;
    int exact = 1;
    for (i = 0; i < QF; ++i) {
        l[i] = l0[i] = frand();
        r[i] = r0[i] = frand();
        v[i] = (float)i * 0.01f - 0.3f;
    }
    v[50] = NAN; /* both count as v[49] */
    v[51] = INFINITY;
    CHECK_EQ(rl_gain_process(g, p, 2, QF, v, QF), RL_OK);
    for (i = 0; i < QF; ++i) {
        float gv = (i == 50 || i == 51) ? v[49] : v[i];
        if (l[i] != l0[i] * gv || r[i] != r0[i] * gv) {
            exact = 0;
        }
    }
    CHECK(exact);
    last = v[QF - 1u];
    CHECK(rl_gain_current(g) == last);
    /* Leading non-finite values hold the gain from before. */
    for (i = 0; i < QF; ++i) {
        l[i] = l0[i];
        v[i] = i < 4 ? NAN : 2.0f;
    }
    CHECK_EQ(rl_gain_process(g, p, 1, QF, v, QF), RL_OK);
    CHECK(l[0] == l0[0] * last && l[3] == l0[3] * last);
    CHECK(l[4] == l0[4] * 2.0f);
    /* Overflow and subnormals never reach the output. */
    for (i = 0; i < QF; ++i) {
        l[i] = (i & 1) ? FLT_MAX : 1e-39f;
        v[i] = 10.0f;
    }
    CHECK_EQ(rl_gain_process(g, p, 1, QF, v, QF), RL_OK);
    CHECK(clean(l, QF));
    CHECK(l[1] == 0.0f && l[0] == 0.0f);
    rl_gain_uninit(g);
    free(mem);
}

static void test_gain_constant(void) {
    void* mem;
    rl_gain* g = make_gain(1.0f, &mem);
    const uint32_t ramp = (uint32_t)lround(RL_GAIN_SMOOTHING_MS * 0.001 * FS);
    float x[QF];
    float x0[QF];
    float* p = x;
    float one = 1.0f;
    float half = 0.5f;
    float nan = NAN;
    float bad[2] = {0.5f, 0.5f};
    double prev = 1.0;
    double max_step = 0.0;
    uint32_t frame = 0;
    int q;
    size_t i;
    /* Unity, settled: bit-exact. */
    for (i = 0; i < QF; ++i) {
        x[i] = x0[i] = frand();
    }
    x[0] = -0.0f;
    x0[0] = -0.0f;
    CHECK_EQ(rl_gain_process(g, &p, 1, QF, &one, 1), RL_OK);
    CHECK(bits_equal(x, x0, QF));
    /* 1 -> 0.5: a linear ramp of RL_GAIN_SMOOTHING_MS with no jump, then the
     * exact value. The input is 1 so the output is the gain itself. */
    for (q = 0; q < 4; ++q) {
        for (i = 0; i < QF; ++i) {
            x[i] = 1.0f;
        }
        CHECK_EQ(rl_gain_process(g, &p, 1, QF, &half, 1), RL_OK);
        for (i = 0; i < QF; ++i, ++frame) {
            double step = fabs((double)x[i] - prev);
            max_step = step > max_step ? step : max_step;
            prev = x[i];
            if (frame + 1u >= ramp) {
                CHECK(x[i] == 0.5f);
            } else {
                CHECK(x[i] > 0.5f);
            }
        }
    }
    CHECK(max_step <= 0.5 / ramp * 1.001);
    for (i = 0; i < QF; ++i) {
        x[i] = x0[i];
    }
    CHECK_EQ(rl_gain_process(g, &p, 1, QF, &half, 1), RL_OK);
    for (i = 0; i < QF; ++i) {
        CHECK(x[i] == x0[i] * 0.5f);
    }
    /* NaN constant: the last good value stays. */
    CHECK_EQ(rl_gain_process(g, &p, 1, QF, &nan, 1), RL_OK);
    CHECK(rl_gain_current(g) == 0.5f);
    /* Back to unity: after the ramp, bit-exact again. */
    for (q = 0; q < 3; ++q) {
        CHECK_EQ(rl_gain_process(g, &p, 1, QF, &one, 1), RL_OK);
    }
    for (i = 0; i < QF; ++i) {
        x[i] = x0[i];
    }
    CHECK_EQ(rl_gain_process(g, &p, 1, QF, &one, 1), RL_OK);
    CHECK(bits_equal(x, x0, QF));
    /* A ramp from the last a-rate value: a-rate 0 then constant 1. */
    {
        float zeros[QF];
        memset(zeros, 0, sizeof zeros);
        CHECK_EQ(rl_gain_process(g, &p, 1, QF, zeros, QF), RL_OK);
        for (i = 0; i < QF; ++i) {
            x[i] = 1.0f;
        }
        CHECK_EQ(rl_gain_process(g, &p, 1, QF, &one, 1), RL_OK);
        CHECK(x[0] > 0.0f && x[0] < 0.01f);
    }
    /* Bad arguments change nothing. */
    memcpy(x0, x, sizeof x);
    CHECK_EQ(rl_gain_process(g, &p, 1, QF, bad, 2), RL_INVALID_ARGS);
    CHECK_EQ(rl_gain_process(g, &p, 1, QF, bad, QF + 1u), RL_INVALID_ARGS);
    CHECK_EQ(rl_gain_process(g, &p, 1, QF, NULL, 1), RL_INVALID_ARGS);
    CHECK_EQ(rl_gain_process(g, &p, 0, QF, &one, 1), RL_INVALID_ARGS);
    CHECK_EQ(rl_gain_process(g, &p, 33, QF, &one, 1), RL_INVALID_ARGS);
    CHECK_EQ(rl_gain_process(g, &p, 1, 0, &one, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_gain_process(g, &p, 1, 2000, &one, 1), RL_INVALID_ARGS);
    CHECK_EQ(rl_gain_process(NULL, &p, 1, QF, &one, 1), RL_INVALID_ARGS);
    CHECK(bits_equal(x, x0, QF));
    {
        rl_gain_config cfg = rl_gain_config_init(FS);
        size_t size = 0;
        cfg.initial_gain = NAN;
        CHECK_EQ(rl_gain_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
        cfg = rl_gain_config_init(100.0);
        CHECK_EQ(rl_gain_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    }
    rl_gain_uninit(g);
    free(mem);
}

/* ------------------------------------------------------------------------ */
/* Limiter                                                                  */
/* ------------------------------------------------------------------------ */

static double g_limiter_max_out;
static float g_limiter_ceiling;

static void test_limiter_ceiling(void) {
    void* mem;
    rl_limiter* lim = make_limiter(&mem);
    const float ceiling = rl_limiter_ceiling(lim);
    float l[QF];
    float r[QF];
    float* p[2] = {l, r};
    double max_out = 0.0;
    uint32_t frame = 0;
    int q;
    size_t i;
    CHECK(ceiling <= (float)pow(10.0, -1.0 / 20.0));
    CHECK((double)ceiling <= pow(10.0, -1.0 / 20.0));
    CHECK((double)nextafterf(ceiling, 1.0f) > pow(10.0, -1.0 / 20.0));
    /* +12 dBFS sine, then noise bursts up to +20 dBFS, then full-scale
     * square waves: the output never exceeds the ceiling. */
    for (q = 0; q < 1500; ++q) {
        for (i = 0; i < QF; ++i, ++frame) {
            double t = (double)frame / FS;
            if (q < 500) {
                l[i] = (float)(4.0 * sin(2.0 * PI * 1000.0 * t));
                r[i] = (float)(3.0 * sin(2.0 * PI * 150.0 * t));
            } else if (q < 1000) {
                float burst = (q / 20) % 2 ? 10.0f : 0.3f;
                l[i] = frand() * burst;
                r[i] = frand() * burst;
            } else {
                l[i] = (frame / 37u) % 2 ? 1.0f : -1.0f;
                r[i] = -l[i];
            }
        }
        CHECK_EQ(rl_limiter_process(lim, p, 2, QF), RL_OK);
        for (i = 0; i < QF; ++i) {
            double a =
                fabs((double)l[i]) > fabs((double)r[i]) ? fabs((double)l[i]) : fabs((double)r[i]);
            max_out = a > max_out ? a : max_out;
        }
    }
    CHECK(max_out <= (double)ceiling);
    CHECK(rl_limiter_gain_db(lim) < 0.0);
    g_limiter_max_out = max_out;
    g_limiter_ceiling = ceiling;
    /* With attack 0 the envelope alone holds the ceiling, still clamped. */
    CHECK_EQ(rl_limiter_set(lim, -6.0, 0.0, 50.0), RL_OK);
    for (q = 0; q < 50; ++q) {
        for (i = 0; i < QF; ++i) {
            l[i] = frand() * 8.0f;
            r[i] = frand() * 0.1f;
        }
        CHECK_EQ(rl_limiter_process(lim, p, 2, QF), RL_OK);
        for (i = 0; i < QF; ++i) {
            CHECK(fabsf(l[i]) <= rl_limiter_ceiling(lim) && fabsf(r[i]) <= rl_limiter_ceiling(lim));
        }
    }
    rl_limiter_uninit(lim);
    free(mem);
}

static void test_limiter_transparent_and_linked(void) {
    void* mem;
    rl_limiter* lim = make_limiter(&mem);
    float l[QF];
    float r[QF];
    float l0[QF];
    float r0[QF];
    float* p[2] = {l, r};
    uint32_t frame = 0;
    int q;
    size_t i;
    int exact = 1;
    /* Below the ceiling at rest: bit-exact. */
    for (q = 0; q < 50; ++q) {
        for (i = 0; i < QF; ++i, ++frame) {
            l[i] = l0[i] = (float)(0.85 * sin(2.0 * PI * 440.0 * frame / FS));
            r[i] = r0[i] = frand() * 0.5f;
        }
        CHECK_EQ(rl_limiter_process(lim, p, 2, QF), RL_OK);
        exact &= bits_equal(l, l0, QF) && bits_equal(r, r0, QF);
    }
    CHECK(exact);
    CHECK(rl_limiter_gain_db(lim) == 0.0);
    /* Linked: a loud left channel turns the quiet right one down by the
     * same gain. */
    for (i = 0; i < QF; ++i) {
        l[i] = l0[i] = 2.0f * (float)sin(2.0 * PI * 100.0 * (double)i / FS + 0.3);
        r[i] = r0[i] = 0.25f;
    }
    CHECK_EQ(rl_limiter_process(lim, p, 2, QF), RL_OK);
    for (i = 64; i < QF; ++i) {
        if (fabsf(l[i]) < rl_limiter_ceiling(lim) * 0.999f && fabsf(l0[i]) > 0.1f) {
            CHECK_NEAR(l[i] / l0[i], r[i] / r0[i], 1e-6);
        }
    }
    CHECK(r[QF - 1u] < 0.25f);
    /* Release: the gain recovers smoothly, then snaps to exactly 1 and the
     * limiter is transparent again (100 ms release: well within 3 s). */
    {
        double prev = rl_limiter_gain_db(lim);
        double max_jump = 0.0;
        for (q = 0; q < 1200; ++q) {
            double gdb;
            for (i = 0; i < QF; ++i) {
                l[i] = l0[i] = 0.5f * frand();
                r[i] = r0[i] = 0.5f * frand();
            }
            CHECK_EQ(rl_limiter_process(lim, p, 2, QF), RL_OK);
            gdb = rl_limiter_gain_db(lim);
            CHECK(gdb >= prev);
            max_jump = gdb - prev > max_jump ? gdb - prev : max_jump;
            prev = gdb;
        }
        CHECK(max_jump < 1.0);
        CHECK(rl_limiter_gain_db(lim) == 0.0);
        CHECK(bits_equal(l, l0, QF) && bits_equal(r, r0, QF));
    }
    /* Non-finite and subnormal input. */
    l[0] = NAN;
    l[1] = INFINITY;
    l[2] = -INFINITY;
    l[3] = 1e-40f;
    CHECK_EQ(rl_limiter_process(lim, p, 2, QF), RL_OK);
    CHECK(clean(l, QF) && l[0] == 0.0f && l[1] == 0.0f && l[3] == 0.0f);
    rl_limiter_uninit(lim);
    free(mem);
}

static void test_limiter_validation(void) {
    void* mem;
    rl_limiter* lim = make_limiter(&mem);
    float c = rl_limiter_ceiling(lim);
    float x[QF];
    float* p = x;
    rl_limiter_config cfg;
    size_t size = 0;
    CHECK_EQ(rl_limiter_set(lim, -61.0, 1.0, 100.0), RL_INVALID_ARGS);
    CHECK_EQ(rl_limiter_set(lim, 0.1, 1.0, 100.0), RL_INVALID_ARGS);
    CHECK_EQ(rl_limiter_set(lim, NAN, 1.0, 100.0), RL_INVALID_ARGS);
    CHECK_EQ(rl_limiter_set(lim, -3.0, -0.1, 100.0), RL_INVALID_ARGS);
    CHECK_EQ(rl_limiter_set(lim, -3.0, 100.1, 100.0), RL_INVALID_ARGS);
    CHECK_EQ(rl_limiter_set(lim, -3.0, NAN, 100.0), RL_INVALID_ARGS);
    CHECK_EQ(rl_limiter_set(lim, -3.0, 1.0, 0.9), RL_INVALID_ARGS);
    CHECK_EQ(rl_limiter_set(lim, -3.0, 1.0, 5001.0), RL_INVALID_ARGS);
    CHECK_EQ(rl_limiter_set(lim, -3.0, 1.0, INFINITY), RL_INVALID_ARGS);
    CHECK_EQ(rl_limiter_set(NULL, -3.0, 1.0, 100.0), RL_INVALID_ARGS);
    CHECK(rl_limiter_ceiling(lim) == c);
    CHECK_EQ(rl_limiter_set(lim, -60.0, 100.0, 5000.0), RL_OK);
    CHECK((double)rl_limiter_ceiling(lim) <= 0.001);
    CHECK_EQ(rl_limiter_set(lim, 0.0, 0.0, 1.0), RL_OK);
    CHECK(rl_limiter_ceiling(lim) == 1.0f);
    CHECK_EQ(rl_limiter_process(lim, &p, 1, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_limiter_process(lim, NULL, 1, QF), RL_INVALID_ARGS);
    cfg = rl_limiter_config_init(FS);
    cfg.release_ms = 0.0;
    CHECK_EQ(rl_limiter_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    rl_limiter_uninit(lim);
    free(mem);
}

/* ------------------------------------------------------------------------ */
/* Meters                                                                   */
/* ------------------------------------------------------------------------ */

static void test_meter_levels(void) {
    void* mem;
    rl_meter* m = make_meter(2, &mem);
    float l[QF];
    float r[QF];
    float l0[QF];
    const float* p[2] = {l, r};
    uint32_t frame = 0;
    int q;
    size_t i;
    /* 3 s of 997 Hz at 0.5 (left) and 0.25 (right). */
    for (q = 0; q < 1125; ++q) {
        for (i = 0; i < QF; ++i, ++frame) {
            double s = sin(2.0 * PI * 997.0 * frame / FS);
            l[i] = (float)(0.5 * s);
            r[i] = (float)(0.25 * s);
        }
        memcpy(l0, l, sizeof l);
        CHECK_EQ(rl_meter_process(m, p, 2, QF), RL_OK);
    }
    CHECK(bits_equal(l, l0, QF)); /* measures, never modifies */
    CHECK_NEAR(db(rl_meter_peak(m, 0)), db(0.5), 0.1);
    CHECK_NEAR(db(rl_meter_peak(m, 1)), db(0.25), 0.1);
    CHECK_NEAR(db(rl_meter_rms(m, 0)), db(0.5 / sqrt(2.0)), 0.1);
    CHECK_NEAR(db(rl_meter_rms(m, 1)), db(0.25 / sqrt(2.0)), 0.1);
    CHECK_EQ(rl_meter_clips(m, 0), 0);
    /* The readout is the documented layout. */
    {
        const unsigned char* rec = (const unsigned char*)rl_meter_readout(m);
        float peak;
        float rms;
        uint32_t clips;
        uint32_t quanta;
        CHECK(((uintptr_t)rec & 63u) == 0);
        memcpy(&peak, rec + RL_METER_CHANNEL_BYTES + RL_METER_OFFSET_PEAK, 4);
        memcpy(&rms, rec + RL_METER_CHANNEL_BYTES + RL_METER_OFFSET_RMS, 4);
        memcpy(&clips, rec + RL_METER_CHANNEL_BYTES + RL_METER_OFFSET_CLIPS, 4);
        memcpy(&quanta, rec + RL_METER_CHANNEL_BYTES + RL_METER_OFFSET_QUANTA, 4);
        CHECK(peak == rl_meter_peak(m, 1));
        CHECK(rms == rl_meter_rms(m, 1));
        CHECK_EQ(clips, 0);
        CHECK_EQ(quanta, 1125);
    }
    /* Peak: holds 50 ms, then falls at 20 dB/s. */
    rl_meter_reset(m);
    CHECK(rl_meter_peak(m, 0) == 0.0f && rl_meter_rms(m, 0) == 0.0f);
    memset(l, 0, sizeof l);
    memset(r, 0, sizeof r);
    l[10] = 0.8f;
    CHECK_EQ(rl_meter_process(m, p, 2, QF), RL_OK);
    l[10] = 0.0f;
    for (q = 0; q < 15; ++q) { /* 40 ms */
        CHECK_EQ(rl_meter_process(m, p, 2, QF), RL_OK);
    }
    CHECK(rl_meter_peak(m, 0) == 0.8f);
    for (q = 0; q < 375; ++q) { /* 1 s more */
        CHECK_EQ(rl_meter_process(m, p, 2, QF), RL_OK);
    }
    /* 390 quanta after the peak's: 50 ms held, the rest fallen at 20 dB/s. */
    CHECK_NEAR(db(rl_meter_peak(m, 0)), db(0.8) - 20.0 * (390.0 * QF / FS - 0.05), 0.05);
    /* RMS: a step to DC 1 reaches 1 - 1/e of the power in one time
     * constant (300 ms). */
    rl_meter_reset(m);
    for (i = 0; i < QF; ++i) {
        l[i] = 1.0f - 1e-7f;
    }
    for (q = 0; q < 112; ++q) { /* 298.7 ms */
        CHECK_EQ(rl_meter_process(m, p, 2, QF), RL_OK);
    }
    CHECK_NEAR(rl_meter_rms(m, 0) * rl_meter_rms(m, 0), 1.0 - exp(-112.0 * QF / FS / 0.3), 1e-3);
    rl_meter_uninit(m);
    free(mem);
}

static void test_meter_clips(void) {
    void* mem;
    rl_meter* m = make_meter(2, &mem);
    float l[QF];
    float r[QF];
    const float* p[2] = {l, r};
    memset(l, 0, sizeof l);
    memset(r, 0, sizeof r);
    l[0] = 1.0f;
    l[1] = -1.0f;
    l[2] = 0.99999994f; /* just below: not a clip */
    l[3] = 1.5f;
    l[4] = NAN;
    l[5] = INFINITY;
    l[6] = -2.0f;
    r[7] = -0.999f;
    CHECK_EQ(rl_meter_process(m, p, 2, QF), RL_OK);
    CHECK_EQ(rl_meter_clips(m, 0), 6);
    CHECK_EQ(rl_meter_clips(m, 1), 0);
    CHECK(isfinite(rl_meter_peak(m, 0)) && isfinite(rl_meter_rms(m, 0)));
    CHECK(rl_meter_peak(m, 0) == 2.0f);
    CHECK_EQ(rl_meter_process(m, p, 2, QF), RL_OK);
    CHECK_EQ(rl_meter_clips(m, 0), 12);
    /* Validation. */
    CHECK_EQ(rl_meter_process(m, p, 3, QF), RL_INVALID_ARGS);
    CHECK_EQ(rl_meter_process(m, p, 2, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_meter_process(NULL, p, 2, QF), RL_INVALID_ARGS);
    CHECK_EQ(rl_meter_clips(m, 0), 12);
    CHECK(rl_meter_peak(m, 5) == 0.0f && rl_meter_clips(m, 2) == 0);
    {
        rl_meter_config cfg = rl_meter_config_init(0, FS);
        size_t size = 0;
        CHECK_EQ(rl_meter_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
        cfg = rl_meter_config_init(33, FS);
        CHECK_EQ(rl_meter_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    }
    rl_meter_uninit(m);
    CHECK(rl_meter_readout(m) == NULL);
    free(mem);
}

/* ------------------------------------------------------------------------ */
/* Numeric safety across a chain                                            */
/* ------------------------------------------------------------------------ */

static void test_chain_safety(void) {
    void* eq_mem;
    void* gain_mem;
    void* lim_mem;
    void* met_mem;
    void* cap_mem;
    rl_eq_config ec = rl_eq_config_init(2, FS, 4);
    rl_timebuf_config cc = rl_timebuf_config_init(4096);
    size_t size = 0;
    rl_eq* eq = NULL;
    rl_timebuf* cap = NULL;
    rl_gain* gain = make_gain(1.0f, &gain_mem);
    rl_limiter* lim = make_limiter(&lim_mem);
    rl_meter* met = make_meter(2, &met_mem);
    rl_eq_band boost = {RL_BIQUAD_PEAKING, 1000, 1, 12};
    rl_eq_band lp = {RL_BIQUAD_LOWPASS, 3000, 6, 0};
    float l[QF];
    float r[QF];
    float v[QF];
    float* p[2] = {l, r};
    float latest[1024];
    int ok = 1;
    int q;
    int live = 0;
    double energy = 0.0;
    size_t i;
    CHECK_EQ(rl_eq_get_heap_size(&ec, &size), RL_OK);
    eq_mem = alloc64(size);
    CHECK_EQ(rl_eq_init_preallocated(&ec, eq_mem, size, &eq), RL_OK);
    CHECK_EQ(rl_timebuf_get_heap_size(&cc, &size), RL_OK);
    cap_mem = alloc64(size);
    CHECK_EQ(rl_timebuf_init_preallocated(&cc, cap_mem, size, &cap), RL_OK);
    CHECK_EQ(rl_eq_set_band(eq, 0, &boost), RL_OK);
    CHECK_EQ(rl_eq_set_band(eq, 1, &lp), RL_OK);
    for (q = 0; q < 200; ++q) {
        static const float nasty[] = {NAN,     INFINITY, -INFINITY, 1e-40f, -1e-45f,
                                      FLT_MAX, -FLT_MAX, FLT_MIN,   0.0f,   -0.0f};
        for (i = 0; i < QF; ++i) {
            l[i] = frand() * 2.0f;
            r[i] = frand();
            v[i] = 1.0f + frand();
        }
        for (i = 0; i < 10; ++i) {
            l[(size_t)(q * 7 + (int)i * 13) % QF] = nasty[i];
            r[(size_t)(q * 11 + (int)i * 5) % QF] = nasty[(i + (size_t)q) % 10];
        }
        if (q % 3 == 0) {
            v[q % QF] = NAN;
            v[(q + 1) % QF] = 1e30f; /* overflows some products */
        }
        if (q == 100) {
            boost.gain_db = -12.0;
            CHECK_EQ(rl_eq_set_band(eq, 0, &boost), RL_OK);
        }
        CHECK_EQ(rl_eq_process(eq, p, 2, QF), RL_OK);
        ok &= clean(l, QF) && clean(r, QF);
        CHECK_EQ(rl_gain_process(gain, p, 2, QF, v, QF), RL_OK);
        ok &= clean(l, QF) && clean(r, QF);
        CHECK_EQ(rl_limiter_process(lim, p, 2, QF), RL_OK);
        ok &= clean(l, QF) && clean(r, QF);
        for (i = 0; i < QF; ++i) {
            ok &= fabsf(l[i]) <= rl_limiter_ceiling(lim) && fabsf(r[i]) <= rl_limiter_ceiling(lim);
        }
        {
            double el = 0.0;
            double er = 0.0;
            for (i = 0; i < QF; ++i) {
                el += (double)l[i] * l[i];
                er += (double)r[i] * r[i];
            }
            energy += el + er;
            /* After a 1e30 gain spike the limiter is still releasing, so a
             * few quanta are near silent by design; most carry the signal. */
            live += sqrt(el / QF) >= 0.05 && sqrt(er / QF) >= 0.05;
        }
        CHECK_EQ(rl_meter_process(met, (const float* const*)p, 2, QF), RL_OK);
        ok &= isfinite(rl_meter_peak(met, 0)) && isfinite(rl_meter_rms(met, 1));
        CHECK_EQ(rl_timebuf_process(cap, (const float* const*)p, 2, QF), RL_OK);
    }
    CHECK(ok);
    /* Finite is not enough: all zeros is finite too. The chain still plays
     * the signal through the bad samples (measured: RMS 0.50, 169 of 200
     * quanta above 0.05 on both channels, meter peak at the ceiling). */
    CHECK(sqrt(energy / (2.0 * 200.0 * QF)) > 0.25);
    CHECK(live >= 150);
    CHECK(rl_meter_peak(met, 0) > 0.5f && rl_meter_peak(met, 1) > 0.5f);
    CHECK(rl_meter_rms(met, 0) > 0.25f && rl_meter_rms(met, 1) > 0.25f);
    CHECK_EQ(rl_timebuf_read_latest(cap, latest, 1024), RL_OK);
    CHECK(clean(latest, 1024));
    {
        double e = 0.0;
        for (i = 0; i < 1024; ++i) {
            e += (double)latest[i] * latest[i];
        }
        CHECK(sqrt(e / 1024.0) > 0.1);
    }
    /* Subnormal-only input comes out as zeros from every stage. */
    for (q = 0; q < 10; ++q) {
        float one = 1.0f;
        for (i = 0; i < QF; ++i) {
            l[i] = (i & 1) ? 1e-40f : -3e-39f;
            r[i] = 1e-44f;
        }
        rl_eq_reset(eq);
        CHECK_EQ(rl_eq_process(eq, p, 2, QF), RL_OK);
        CHECK_EQ(rl_gain_process(gain, p, 2, QF, &one, 1), RL_OK);
        CHECK_EQ(rl_limiter_process(lim, p, 2, QF), RL_OK);
    }
    for (i = 0; i < QF; ++i) {
        CHECK(l[i] == 0.0f && r[i] == 0.0f);
    }
    rl_eq_uninit(eq);
    rl_gain_uninit(gain);
    rl_limiter_uninit(lim);
    rl_meter_uninit(met);
    rl_timebuf_uninit(cap);
    free(eq_mem);
    free(gain_mem);
    free(lim_mem);
    free(met_mem);
    free(cap_mem);
}

/* ------------------------------------------------------------------------ */
/* Cost report                                                              */
/* ------------------------------------------------------------------------ */

static double now_seconds(void) {
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Each timed quantum starts from a fresh copy of this noise (+3.5 dBFS
 * peaks, so the limiter is always limiting); the copy is part of the time. */
static float g_bench_src[2][QF];
static float g_bench_l[QF];
static float g_bench_r[QF];

static void bench_fill(void) {
    size_t i;
    for (i = 0; i < QF; ++i) {
        g_bench_src[0][i] = frand() * 1.5f;
        g_bench_src[1][i] = frand() * 1.5f;
    }
}

typedef enum bench_kind {
    B_EQ,
    B_EQ_RAMPING,
    B_GAIN,
    B_GAIN_ARATE,
    B_LIMITER,
    B_METER,
    B_TIMEBUF,
    B_GENERATOR
} bench_kind;

typedef struct bench_ctx {
    rl_eq* eq;
    rl_gain* gain;
    rl_limiter* lim;
    rl_meter* met;
    rl_timebuf* cap;
    rl_generator* gen;
    float values[QF];
    int toggle;
} bench_ctx;

static double bench(bench_kind kind, bench_ctx* c, long quanta) {
    float* p[2] = {g_bench_l, g_bench_r};
    double t0;
    long i;
    float half = 0.5f;
    t0 = now_seconds();
    for (i = 0; i < quanta; ++i) {
        memcpy(g_bench_l, g_bench_src[0], sizeof g_bench_l);
        memcpy(g_bench_r, g_bench_src[1], sizeof g_bench_r);
        switch (kind) {
        case B_EQ:
            (void)rl_eq_process(c->eq, p, 2, QF);
            break;
        case B_EQ_RAMPING:
            if (i % 4 == 0) {
                uint32_t b;
                for (b = 0; b < 8; ++b) {
                    rl_eq_band band = {RL_BIQUAD_PEAKING, 60.0 * (double)(1u << b), 1.4,
                                       c->toggle ? 6.0 : -6.0};
                    (void)rl_eq_set_band(c->eq, b, &band);
                }
                c->toggle = !c->toggle;
            }
            (void)rl_eq_process(c->eq, p, 2, QF);
            break;
        case B_GAIN:
            (void)rl_gain_process(c->gain, p, 2, QF, &half, 1);
            break;
        case B_GAIN_ARATE:
            (void)rl_gain_process(c->gain, p, 2, QF, c->values, QF);
            break;
        case B_LIMITER:
            (void)rl_limiter_process(c->lim, p, 2, QF);
            break;
        case B_METER:
            (void)rl_meter_process(c->met, (const float* const*)p, 2, QF);
            break;
        case B_TIMEBUF:
            (void)rl_timebuf_process(c->cap, (const float* const*)p, 2, QF);
            break;
        case B_GENERATOR:
            (void)rl_generator_process(c->gen, p, 2, QF);
            break;
        }
    }
    return (now_seconds() - t0) / (double)quanta * 1e9;
}

static void report_costs(void) {
    const char* env = getenv("RL_DSP_BENCH_QUANTA");
    long quanta = env != NULL ? atol(env) : 20000;
    bench_ctx c;
    void* mems[6];
    size_t size = 0;
    uint32_t b;
    size_t i;
    if (quanta <= 0) {
        return;
    }
    memset(&c, 0, sizeof c);
    bench_fill();
    {
        rl_eq_config cfg = rl_eq_config_init(2, FS, 8);
        rl_eq_get_heap_size(&cfg, &size);
        mems[0] = alloc64(size);
        rl_eq_init_preallocated(&cfg, mems[0], size, &c.eq);
    }
    c.gain = make_gain(1.0f, &mems[1]);
    c.lim = make_limiter(&mems[2]);
    c.met = make_meter(2, &mems[3]);
    {
        rl_timebuf_config cfg = rl_timebuf_config_init(RL_TIMEBUF_DEFAULT_CAPACITY);
        rl_timebuf_get_heap_size(&cfg, &size);
        mems[4] = alloc64(size);
        rl_timebuf_init_preallocated(&cfg, mems[4], size, &c.cap);
    }
    {
        rl_generator_config cfg = rl_generator_config_init(FS);
        rl_generator_get_heap_size(&cfg, &size);
        mems[5] = alloc64(size);
        rl_generator_init_preallocated(&cfg, mems[5], size, &c.gen);
    }
    for (i = 0; i < QF; ++i) {
        c.values[i] = 0.5f + 0.001f * (float)i;
    }
    printf("test_dsp: cost per 128-frame stereo quantum (this build and machine):\n");
    printf("  eq, 8 flat bands           %8.0f ns\n", bench(B_EQ, &c, quanta));
    for (b = 0; b < 8; ++b) {
        rl_eq_band band = {RL_BIQUAD_PEAKING, 60.0 * (double)(1u << b), 1.4, b % 2 ? 6.0 : -6.0};
        rl_eq_set_band(c.eq, b, &band);
    }
    bench(B_EQ, &c, 100);
    printf("  eq, 8 active bands         %8.0f ns\n", bench(B_EQ, &c, quanta));
    printf("  eq, 8 bands always ramping %8.0f ns\n", bench(B_EQ_RAMPING, &c, quanta));
    printf("  gain, constant 0.5         %8.0f ns\n", bench(B_GAIN, &c, quanta));
    printf("  gain, a-rate               %8.0f ns\n", bench(B_GAIN_ARATE, &c, quanta));
    printf("  limiter, limiting          %8.0f ns\n", bench(B_LIMITER, &c, quanta));
    printf("  meter                      %8.0f ns\n", bench(B_METER, &c, quanta));
    printf("  analyser time buffer       %8.0f ns\n", bench(B_TIMEBUF, &c, quanta));
    rl_generator_start(c.gen);
    printf("  generator, sine            %8.0f ns\n", bench(B_GENERATOR, &c, quanta));
    rl_generator_set_waveform(c.gen, RL_WAVEFORM_SAWTOOTH);
    bench(B_GENERATOR, &c, 10);
    printf("  generator, sawtooth        %8.0f ns\n", bench(B_GENERATOR, &c, quanta));
    rl_generator_set_waveform(c.gen, RL_WAVEFORM_PINK_NOISE);
    bench(B_GENERATOR, &c, 10);
    printf("  generator, pink noise      %8.0f ns\n", bench(B_GENERATOR, &c, quanta));
    rl_generator_set_waveform(c.gen, RL_WAVEFORM_SWEEP);
    bench(B_GENERATOR, &c, 10);
    printf("  generator, sweep           %8.0f ns\n", bench(B_GENERATOR, &c, quanta));
    /* The analysis half, per call (not per quantum). */
    {
        static const uint32_t sizes[] = {2048, 32768};
        for (b = 0; b < 2; ++b) {
            rl_spectrum_config cfg = rl_spectrum_config_init(sizes[b]);
            rl_spectrum* s = NULL;
            void* mem;
            float* in = (float*)malloc(sizes[b] * sizeof(float));
            float* out = (float*)malloc(sizes[b] / 2 * sizeof(float));
            long calls = quanta / (long)(sizes[b] / 256u) + 1;
            double t0;
            rl_spectrum_get_heap_size(&cfg, &size);
            mem = alloc64(size);
            rl_spectrum_init_preallocated(&cfg, mem, size, &s);
            for (i = 0; i < sizes[b]; ++i) {
                in[i] = frand();
            }
            t0 = now_seconds();
            for (i = 0; i < (size_t)calls; ++i) {
                rl_spectrum_float_frequency(s, in, 0.8, out);
            }
            printf("  spectrum %5u, per call    %8.0f ns\n", sizes[b],
                   (now_seconds() - t0) / (double)calls * 1e9);
            free(in);
            free(out);
            free(mem);
        }
    }
    for (i = 0; i < 6; ++i) {
        free(mems[i]);
    }
}

int main(void) {
    test_gain_arate();
    test_gain_constant();
    test_limiter_ceiling();
    test_limiter_transparent_and_linked();
    test_limiter_validation();
    test_meter_levels();
    test_meter_clips();
    test_chain_safety();
    printf("test_dsp: limiter max |output| %.9g, ceiling %.9g (%.4f dBFS)\n", g_limiter_max_out,
           (double)g_limiter_ceiling, db(g_limiter_max_out));
    report_costs();
    if (g_failed != 0) {
        printf("test_dsp: %llu of %llu checks FAILED\n", g_failed, g_checks);
        return 1;
    }
    printf("test_dsp: %llu checks passed\n", g_checks);
    return 0;
}
