/* Private helpers shared by the DSP modules (eq, gain, limiter, meter,
 * analyser, generator). Tests include it to reach the FFT. */
#ifndef RINGLET_DSP_INTERNAL_H
#define RINGLET_DSP_INTERNAL_H

#include "ringlet.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* Elementary functions (csrc/math.c): libm's results to a few ulp over the
 * arguments the core uses, without libm's tables. rl_pow needs x > 0. */
double rl_sin(double x);
double rl_cos(double x);
double rl_tan(double x);
double rl_exp(double x);
double rl_log(double x);
double rl_log10(double x);
double rl_pow(double x, double y);

#define RL_PI 3.14159265358979323846
#define RL_TWO_PI 6.28318530717958647692

/* Filter and envelope state below this is flushed to 0: wasm has no
 * flush-to-zero mode, and decaying state would otherwise end up subnormal. */
#define RL_DSP_TINY 1e-20

static inline int rl_dsp_aligned(const void* p) {
    return p != NULL && ((uintptr_t)p & 63u) == 0;
}

static inline size_t rl_dsp_align64(size_t n) {
    return (n + 63u) & ~(size_t)63u;
}

/* NaN fails both comparisons. */
static inline int rl_dsp_rate_valid(double sample_rate) {
    return sample_rate >= RL_DSP_MIN_SAMPLE_RATE && sample_rate <= RL_DSP_MAX_SAMPLE_RATE;
}

static inline int rl_dsp_const_buffers_valid(const float* const* planar, uint32_t channels,
                                             uint32_t frames, uint32_t max_channels) {
    uint32_t c;
    if (planar == NULL || channels == 0 || channels > max_channels || frames == 0 ||
        frames > RL_MAX_QUANTUM_FRAMES) {
        return 0;
    }
    for (c = 0; c < channels; ++c) {
        if (planar[c] == NULL) {
            return 0;
        }
    }
    return 1;
}

static inline int rl_dsp_buffers_valid(float* const* planar, uint32_t channels, uint32_t frames,
                                       uint32_t max_channels) {
    return rl_dsp_const_buffers_valid((const float* const*)planar, channels, frames, max_channels);
}

static inline double rl_dsp_flush(double x) {
    return fabs(x) < RL_DSP_TINY ? 0.0 : x;
}

static inline uint32_t rl_dsp_bits(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline float rl_dsp_from_bits(uint32_t u) {
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* A non-finite sample becomes 0 and a subnormal one a zero of its sign;
 * every other value is kept bit for bit. Branch-free on the bits so the
 * loops vectorise and never do arithmetic on a subnormal. */
static inline float rl_dsp_clean(float x, uint32_t* bad) {
    uint32_t u = rl_dsp_bits(x);
    uint32_t e = u & 0x7F800000u;
    *bad |= e == 0x7F800000u ? 1u : 0u;
    u = e == 0x7F800000u ? 0u : (e == 0u ? (u & 0x80000000u) : u);
    return rl_dsp_from_bits(u);
}

/* Cleans a buffer in place; nonzero if any sample was non-finite. */
static inline uint32_t rl_dsp_sanitize(float* x, uint32_t n) {
    uint32_t bad = 0;
    uint32_t i;
    for (i = 0; i < n; ++i) {
        x[i] = rl_dsp_clean(x[i], &bad);
    }
    return bad;
}

/* ------------------------------------------------------------------------ */
/* Real FFT (analyser.c), exposed for the tests and the generator's tests.  */
/* ------------------------------------------------------------------------ */

/* Forward real DFT of `in` (fft_size doubles) without window or scaling:
 * re/im receive bins 0 .. fft_size/2 (fft_size/2 + 1 values each),
 * X[k] = sum_n in[n] e^(-2 pi i k n / N). Uses the spectrum's scratch. */
void rl_spectrum_rfft(rl_spectrum* spectrum, const double* in, double* re, double* im);

/* The spectrum's Blackman window (fft_size doubles). */
const double* rl_spectrum_window(const rl_spectrum* spectrum);

uint32_t rl_spectrum_fft_size(const rl_spectrum* spectrum);

#endif /* RINGLET_DSP_INTERNAL_H */
