/* Elementary functions for the DSP modules, without libm's tables.
 *
 * libm's sin/cos/pow carry about 12 KB of code and tables into ringlet.wasm
 * (Payne-Hanek reduction for huge arguments, table-driven pow), a quarter of
 * the module. The core only ever needs moderate arguments: filter angles,
 * window phases, decibels, time constants. These are short polynomials after
 * a classic argument reduction, accurate to a few units in the last place
 * over the ranges the core uses (test/c/test_math.c checks them against the
 * host's libm), and allocation-free, lock-free and branch-light, so they may
 * run on the audio thread. */
#include "dsp_internal.h"

#include <string.h>

#define RL_LN2_HI 6.93147180369123816490e-01 /* ln 2, high 33 bits */
#define RL_LN2_LO 1.90821492927058770002e-10 /* ln 2 - RL_LN2_HI */
#define RL_INV_LN2 1.44269504088896338700e+00
#define RL_INV_LN10 0.43429448190325182765
#define RL_SQRT2 1.41421356237309504880
#define RL_PIO2_HI 1.57079632673412561417e+00 /* pi/2, high 33 bits */
#define RL_PIO2_LO 6.07710050650619224932e-11 /* pi/2 - RL_PIO2_HI */
#define RL_TWO_OVER_PI 6.36619772367581382433e-01

static uint64_t rl_bits(double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static double rl_from_bits(uint64_t u) {
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* 2^k for -1022 <= k <= 1023. */
static double rl_pow2i(int k) {
    return rl_from_bits((uint64_t)(k + 1023) << 52);
}

double rl_exp(double x) {
    double k, r, p;
    int n;
    if (x != x) {
        return x;
    }
    if (x > 709.782712893384) {
        return HUGE_VAL;
    }
    if (x < -745.1332191019412) {
        return 0.0;
    }
    /* x = n ln2 + r, |r| <= ln2 / 2; exp(r) by Taylor to r^13 (error < 4e-18). */
    k = floor(x * RL_INV_LN2 + 0.5);
    n = (int)k;
    r = (x - k * RL_LN2_HI) - k * RL_LN2_LO;
    p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r * r + r + 1.0;
    if (n > 1023) {
        return p * rl_pow2i(1023) * rl_pow2i(n - 1023);
    }
    if (n < -1022) {
        return p * rl_pow2i(-1022) * rl_pow2i(n + 1022);
    }
    return p * rl_pow2i(n);
}

double rl_log(double x) {
    uint64_t u;
    int e = 0;
    double m, s, s2, p, es;
    if (x != x || x == HUGE_VAL) {
        return x;
    }
    if (x < 0.0) {
        return (x - x) / 0.0; /* NaN */
    }
    if (x == 0.0) {
        return -HUGE_VAL;
    }
    u = rl_bits(x);
    if ((u >> 52) == 0) {         /* subnormal */
        x *= 18014398509481984.0; /* 2^54 */
        u = rl_bits(x);
        e = -54;
    }
    /* x = m 2^e with sqrt(1/2) <= m < sqrt(2). */
    e += (int)(u >> 52) - 1023;
    m = rl_from_bits((u & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull);
    if (m > RL_SQRT2) {
        m *= 0.5;
        e += 1;
    }
    /* log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716: series to s^23. */
    s = (m - 1.0) / (m + 1.0);
    s2 = s * s;
    p = 1.0 / 23.0;
    p = p * s2 + 1.0 / 21.0;
    p = p * s2 + 1.0 / 19.0;
    p = p * s2 + 1.0 / 17.0;
    p = p * s2 + 1.0 / 15.0;
    p = p * s2 + 1.0 / 13.0;
    p = p * s2 + 1.0 / 11.0;
    p = p * s2 + 1.0 / 9.0;
    p = p * s2 + 1.0 / 7.0;
    p = p * s2 + 1.0 / 5.0;
    p = p * s2 + 1.0 / 3.0;
    es = (double)e;
    return es * RL_LN2_HI + (es * RL_LN2_LO + 2.0 * s + 2.0 * s * s2 * p);
}

double rl_log10(double x) {
    return rl_log(x) * RL_INV_LN10;
}

double rl_pow(double x, double y) {
    if (y == 0.0) {
        return 1.0;
    }
    if (x == 1.0) {
        return 1.0;
    }
    return rl_exp(y * rl_log(x));
}

/* sin and cos of |r| <= pi/4 by Taylor to r^17 and r^18 (error < 2e-19). */
static double rl_sin_kernel(double r) {
    double r2 = r * r;
    double p = -1.0 / 355687428096000.0;
    p = p * r2 + 1.0 / 1307674368000.0;
    p = p * r2 - 1.0 / 6227020800.0;
    p = p * r2 + 1.0 / 39916800.0;
    p = p * r2 - 1.0 / 362880.0;
    p = p * r2 + 1.0 / 5040.0;
    p = p * r2 - 1.0 / 120.0;
    p = p * r2 + 1.0 / 6.0;
    return r - r * r2 * p;
}

static double rl_cos_kernel(double r) {
    double r2 = r * r;
    double p = -1.0 / 6402373705728000.0;
    p = p * r2 + 1.0 / 20922789888000.0;
    p = p * r2 - 1.0 / 87178291200.0;
    p = p * r2 + 1.0 / 479001600.0;
    p = p * r2 - 1.0 / 3628800.0;
    p = p * r2 + 1.0 / 40320.0;
    p = p * r2 - 1.0 / 720.0;
    p = p * r2 + 1.0 / 24.0;
    return 1.0 - r2 * (0.5 - r2 * p);
}

/* x = q pi/2 + r with |r| <= pi/4 (Cody-Waite, two parts: accurate while
 * |x| < 2^20 pi/2, far beyond what the core passes). Returns q mod 4. */
static unsigned rl_reduce(double x, double* r) {
    double q = floor(x * RL_TWO_OVER_PI + 0.5);
    *r = (x - q * RL_PIO2_HI) - q * RL_PIO2_LO;
    return (unsigned)(long long)q & 3u;
}

double rl_sin(double x) {
    double r;
    if (x - x != 0.0) {
        return x - x; /* NaN for NaN and infinities */
    }
    switch (rl_reduce(x, &r)) {
    case 0:
        return rl_sin_kernel(r);
    case 1:
        return rl_cos_kernel(r);
    case 2:
        return -rl_sin_kernel(r);
    default:
        return -rl_cos_kernel(r);
    }
}

double rl_cos(double x) {
    double r;
    if (x - x != 0.0) {
        return x - x;
    }
    switch (rl_reduce(x, &r)) {
    case 0:
        return rl_cos_kernel(r);
    case 1:
        return -rl_sin_kernel(r);
    case 2:
        return -rl_cos_kernel(r);
    default:
        return rl_sin_kernel(r);
    }
}

double rl_tan(double x) {
    double r, s, c;
    if (x - x != 0.0) {
        return x - x;
    }
    s = 0.0;
    c = 0.0;
    switch (rl_reduce(x, &r)) {
    case 0:
    case 2:
        s = rl_sin_kernel(r);
        c = rl_cos_kernel(r);
        break;
    default:
        s = rl_cos_kernel(r);
        c = -rl_sin_kernel(r);
        break;
    }
    return s / c;
}
