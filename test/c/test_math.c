/*
 * Tests for the core's elementary functions (csrc/math.c) against the host's
 * libm: seeded random arguments over the ranges the DSP modules use (and
 * wider), with the error measured in units of the result's last place, plus
 * exact and special values. RL_SEED=<n> (decimal or 0x-hex) overrides the
 * seed, which every failure prints.
 */
#include "dsp_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

#define TRIALS 200000

static uint64_t g_seed;

/* Uniform in [lo, hi). */
static double rng_uniform(uint64_t* s, double lo, double hi) {
    double u = (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
    return lo + (hi - lo) * u;
}

/* |got - want| in units of the last place of want (ulp of the nearest
 * double to the true result). */
static double ulps(double got, double want) {
    double ulp;
    if (got == want) {
        return 0.0;
    }
    ulp = nextafter(fabs(want), HUGE_VAL) - fabs(want);
    return fabs(got - want) / ulp;
}

typedef double (*fn1)(double);

/* Log-uniform in [lo, hi), 0 < lo < hi: every decade gets the same share of
 * the arguments, where a uniform draw over [1e-300, 1e300) would put nearly
 * all of them in the top three decades. */
static double rng_log_uniform(uint64_t* s, double lo, double hi) {
    double x = exp(rng_uniform(s, log(lo), log(hi)));
    return x < lo ? lo : x >= hi ? nextafter(hi, lo) : x;
}

/* Worst error of `ours` against `ref` over TRIALS arguments in [lo, hi),
 * drawn uniformly or (log_scale) log-uniformly. */
static void check_sampled(const char* name, fn1 ours, fn1 ref, double lo, double hi,
                          double max_ulps, int log_scale) {
    uint64_t rng = g_seed;
    double worst = 0.0, worst_x = lo;
    int i;
    for (i = 0; i < TRIALS; ++i) {
        double x = log_scale ? rng_log_uniform(&rng, lo, hi) : rng_uniform(&rng, lo, hi);
        double e = ulps(ours(x), ref(x));
        if (!(e <= worst)) {
            worst = e;
            worst_x = x;
        }
    }
    if (!CHECK(worst <= max_ulps)) {
        fprintf(stderr, "  %s on [%g, %g)%s: %.2f ulp at x = %.17g (seed 0x%llx)\n", name, lo, hi,
                log_scale ? " log-uniform" : "", worst, worst_x, (unsigned long long)g_seed);
    }
}

static void check_range(const char* name, fn1 ours, fn1 ref, double lo, double hi,
                        double max_ulps) {
    check_sampled(name, ours, ref, lo, hi, max_ulps, 0);
}

static void check_range_log(const char* name, fn1 ours, fn1 ref, double lo, double hi,
                            double max_ulps) {
    check_sampled(name, ours, ref, lo, hi, max_ulps, 1);
}

/* Absolute error, for results near a zero of the function, where ulps of
 * a tiny result say nothing about the reduction's accuracy. */
static void check_abs(const char* name, fn1 ours, fn1 ref, double lo, double hi, double tol) {
    uint64_t rng = g_seed ^ 0xABCDEFull;
    double worst = 0.0, worst_x = lo;
    int i;
    for (i = 0; i < TRIALS; ++i) {
        double x = rng_uniform(&rng, lo, hi);
        double e = fabs(ours(x) - ref(x));
        if (!(e <= worst)) {
            worst = e;
            worst_x = x;
        }
    }
    if (!CHECK(worst <= tol)) {
        fprintf(stderr, "  %s on [%g, %g): error %.3g at x = %.17g (seed 0x%llx)\n", name, lo, hi,
                worst, worst_x, (unsigned long long)g_seed);
    }
}

static double pow10_ours(double y) {
    return rl_pow(10.0, y);
}
static double pow10_ref(double y) {
    return pow(10.0, y);
}
static double pow2_ours(double y) {
    return rl_pow(2.0, y);
}
static double pow2_ref(double y) {
    return pow(2.0, y);
}

static void test_sin_cos_tan(void) {
    /* Angles as the EQ, analyser windows and generator make them. */
    check_abs("sin", rl_sin, sin, -7.0, 7.0, 3e-16);
    check_abs("cos", rl_cos, cos, -7.0, 7.0, 3e-16);
    check_abs("sin", rl_sin, sin, -1e4, 1e4, 4e-13);
    check_abs("cos", rl_cos, cos, -1e4, 1e4, 4e-13);
    /* Relative accuracy where the result is not near zero. */
    check_range("sin", rl_sin, sin, 1e-3, 1.5, 2.0);
    check_range("cos", rl_cos, cos, 0.0, 1.5, 2.0);
    /* tan(pi f / fs) for the K-weighting and shelf prewarps: f < fs / 2. */
    check_range("tan", rl_tan, tan, 1e-4, 1.5, 3.0);
    check_range("tan", rl_tan, tan, -1.5, -1e-4, 3.0);
}

static void test_exp_log(void) {
    check_range("exp", rl_exp, exp, -20.0, 20.0, 2.0);
    check_range("exp", rl_exp, exp, -700.0, 700.0, 2.0);
    check_range("exp", rl_exp, exp, -1e-6, 1e-6, 1.0);
    check_range("log", rl_log, log, 1e-6, 10.0, 2.0);
    check_range_log("log", rl_log, log, 1e-6, 10.0, 2.0);
    check_range("log", rl_log, log, 0.5, 2.0, 2.0);
    /* Wide ranges log-uniformly, so the small magnitudes are exercised too. */
    check_range_log("log", rl_log, log, 1e-300, 1e300, 2.0);
    check_range_log("log", rl_log, log, 4.9406564584124654e-324, 1.7976931348623157e308, 2.0);
    check_range_log("log10", rl_log10, log10, 1e-12, 1e6, 3.0);
    /* Decibels to gains and octave steps: exp(y log x) turns log's last-place
     * error into |y log x| (here up to 28) times that in the result, so allow
     * about twice as many ulp: 8e-15 relative, far below audibility. */
    check_range("pow(10, y)", pow10_ours, pow10_ref, -12.0, 12.0, 64.0);
    check_range("pow(2, y)", pow2_ours, pow2_ref, -10.0, 10.0, 8.0);
}

static void test_exact_and_special(void) {
    CHECK(rl_exp(0.0) == 1.0);
    CHECK(rl_log(1.0) == 0.0);
    CHECK(rl_log10(1.0) == 0.0);
    CHECK(rl_sin(0.0) == 0.0);
    CHECK(rl_cos(0.0) == 1.0);
    CHECK(rl_tan(0.0) == 0.0);
    CHECK(rl_pow(10.0, 0.0) == 1.0);
    CHECK(rl_pow(1.0, 123.0) == 1.0);
    CHECK(rl_exp(710.0) == HUGE_VAL);
    CHECK(rl_exp(-746.0) == 0.0);
    CHECK(rl_exp(-HUGE_VAL) == 0.0);
    CHECK(rl_exp(HUGE_VAL) == HUGE_VAL);
    CHECK(isnan(rl_exp(NAN)));
    CHECK(rl_log(0.0) == -HUGE_VAL);
    CHECK(rl_log(HUGE_VAL) == HUGE_VAL);
    CHECK(isnan(rl_log(-1.0)));
    CHECK(isnan(rl_log(NAN)));
    CHECK(isnan(rl_sin(HUGE_VAL)));
    CHECK(isnan(rl_cos(-HUGE_VAL)));
    CHECK(isnan(rl_tan(NAN)));
    /* Subnormals and the ends of the double range. */
    CHECK(ulps(rl_log(4.9406564584124654e-324), log(4.9406564584124654e-324)) <= 2.0);
    CHECK(ulps(rl_log(1.7976931348623157e308), log(1.7976931348623157e308)) <= 2.0);
    CHECK(ulps(rl_exp(-740.0), exp(-740.0)) <= 1e6); /* subnormal result: fewer bits */
    CHECK(ulps(rl_exp(709.5), exp(709.5)) <= 2.0);
    /* Round trips the core relies on. */
    CHECK_NEAR(rl_pow(10.0, rl_log10(0.25)), 0.25, 1e-16);
    CHECK_NEAR(20.0 * rl_log10(rl_pow(10.0, -6.0 / 20.0)), -6.0, 1e-14);
}

int main(void) {
    g_seed = test_seed(0x5EED2024C0FFEEULL);
    test_sin_cos_tan();
    test_exp_log();
    test_exact_and_special();
    printf("test_math: %llu checks, %llu failed (seed 0x%llx)\n", g_checks, g_failed,
           (unsigned long long)g_seed);
    return g_failed == 0 ? 0 : 1;
}
