/*
 * Tests for the generator (csrc/generator.c): sine THD+N, aliasing of the
 * band-limited square/sawtooth/triangle, pink noise slope, sweep coverage,
 * the impulse train's spacing and the multitone against their closed forms,
 * start/stop/waveform fades, seeding, and validation.
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

static rl_generator* make_gen(double rate, void** mem) {
    rl_generator_config cfg = rl_generator_config_init(rate);
    size_t size = 0;
    rl_generator* g = NULL;
    CHECK_EQ(rl_generator_get_heap_size(&cfg, &size), RL_OK);
    *mem = alloc64(size);
    if (!CHECK_EQ(rl_generator_init_preallocated(&cfg, *mem, size, &g), RL_OK)) {
        exit(2);
    }
    return g;
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

/* Generates n mono frames in quanta of 128. */
static void render(rl_generator* g, float* out, size_t n) {
    size_t i;
    for (i = 0; i < n; i += 128) {
        uint32_t f = (uint32_t)(n - i < 128 ? n - i : 128);
        float* p = out + i;
        CHECK_EQ(rl_generator_process(g, &p, 1, f), RL_OK);
    }
}

/* ------------------------------------------------------------------------ */
/* Sine                                                                     */
/* ------------------------------------------------------------------------ */

/* THD+N in dB: the residual after a least-squares fit of a sine of the
 * known frequency (plus DC), relative to the fit. */
static double thd_n(const float* x, size_t n, double w, double* amplitude) {
    double m[3][4] = {{0}};
    double coef[3];
    double res = 0.0;
    double sig = 0.0;
    size_t i;
    int r;
    int c;
    int k;
    for (i = 0; i < n; ++i) {
        double b[3] = {sin(w * (double)i), cos(w * (double)i), 1.0};
        for (r = 0; r < 3; ++r) {
            for (c = 0; c < 3; ++c) {
                m[r][c] += b[r] * b[c];
            }
            m[r][3] += b[r] * x[i];
        }
    }
    for (k = 0; k < 3; ++k) { /* Gauss-Jordan; the system is well conditioned */
        for (r = 0; r < 3; ++r) {
            if (r != k) {
                double f = m[r][k] / m[k][k];
                for (c = 0; c < 4; ++c) {
                    m[r][c] -= f * m[k][c];
                }
            }
        }
    }
    for (k = 0; k < 3; ++k) {
        coef[k] = m[k][3] / m[k][k];
    }
    for (i = 0; i < n; ++i) {
        double fit = coef[0] * sin(w * (double)i) + coef[1] * cos(w * (double)i) + coef[2];
        res += (x[i] - fit) * (x[i] - fit);
        sig += fit * fit;
    }
    *amplitude = hypot(coef[0], coef[1]);
    return 10.0 * log10(res / sig);
}

static void test_sine_thd(void) {
    static const double cases[][2] = {{48000, 1000},  {48000, 997},   {48000, 5000},
                                      {48000, 15000}, {48000, 20},    {48000, 23000},
                                      {44100, 1000},  {44100, 19000}, {96000, 440}};
    const size_t skip = 4096;
    const size_t n = 24000;
    float* x = (float*)malloc((skip + n) * sizeof(float));
    double worst = -400.0;
    size_t c;
    for (c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        void* mem;
        rl_generator* g = make_gen(cases[c][0], &mem);
        double amp = 0.0;
        double d;
        CHECK_EQ(rl_generator_set_frequency(g, cases[c][1]), RL_OK);
        CHECK_EQ(rl_generator_set_amplitude(g, 1.0), RL_OK);
        rl_generator_start(g);
        render(g, x, skip + n);
        d = thd_n(x + skip, n, 2.0 * PI * cases[c][1] / cases[c][0], &amp);
        if (!CHECK(d < -100.0)) {
            fprintf(stderr, "  sine %g Hz at %g: THD+N %.1f dB\n", cases[c][1], cases[c][0], d);
        }
        CHECK_NEAR(amp, 1.0, 1e-6);
        worst = d > worst ? d : worst;
        free(mem);
    }
    printf("test_generator: sine THD+N, worst of %zu cases: %.1f dB\n",
           sizeof cases / sizeof cases[0], worst);
    free(x);
}

/* ------------------------------------------------------------------------ */
/* Aliasing                                                                 */
/* ------------------------------------------------------------------------ */

#define ALIAS_N 32768u

typedef enum window_kind { HANN, BLACKMAN_HARRIS } window_kind;

/* The largest bin, relative to the fundamental, that is not within `guard`
 * bins of DC or of a harmonic below Nyquist. Hann with a 12-bin guard is the
 * check asked for; its leakage (about -76 dB at 12 bins) is then the floor.
 * The 4-term Blackman-Harris window (-92 dB sidelobes) with an 8-bin guard
 * sees down to about -95 dB and measures the real aliasing. */
static double worst_alias_db(rl_spectrum* sp, rl_waveform wave, double rate, double f0,
                             window_kind window) {
    void* mem;
    rl_generator* g = make_gen(rate, &mem);
    const size_t skip = 2048;
    const int guard = window == HANN ? 12 : 8;
    float* x = (float*)malloc((skip + ALIAS_N) * sizeof(float));
    double* in = (double*)malloc(ALIAS_N * sizeof(double));
    double* re = (double*)malloc((ALIAS_N / 2 + 1) * sizeof(double));
    double* im = (double*)malloc((ALIAS_N / 2 + 1) * sizeof(double));
    double fund = 0.0;
    double worst = 0.0;
    double bin_hz = rate / ALIAS_N;
    size_t i;
    long k;
    CHECK_EQ(rl_generator_set_waveform(g, wave), RL_OK);
    CHECK_EQ(rl_generator_set_frequency(g, f0), RL_OK);
    CHECK_EQ(rl_generator_set_amplitude(g, 1.0), RL_OK);
    rl_generator_start(g);
    render(g, x, skip + ALIAS_N);
    for (i = 0; i < ALIAS_N; ++i) {
        double t = 2.0 * PI * (double)i / ALIAS_N;
        double w = window == HANN ? 0.5 - 0.5 * cos(t)
                                  : 0.35875 - 0.48829 * cos(t) + 0.14128 * cos(2.0 * t) -
                                        0.01168 * cos(3.0 * t);
        in[i] = x[skip + i] * w;
    }
    rl_spectrum_rfft(sp, in, re, im);
    for (k = 0; k <= (long)(ALIAS_N / 2); ++k) {
        double mag = hypot(re[k], im[k]);
        double f = (double)k * bin_hz;
        double h = floor(f / f0 + 0.5); /* nearest harmonic number */
        int near_harmonic = h >= 1 && h * f0 < rate / 2 && fabs(f - h * f0) <= guard * bin_hz;
        if (fabs(f - f0) <= 3 * bin_hz) {
            fund = mag > fund ? mag : fund;
        }
        if (!near_harmonic && k > guard) {
            worst = mag > worst ? mag : worst;
        }
    }
    free(x);
    free(in);
    free(re);
    free(im);
    free(mem);
    return 20.0 * log10(worst / fund);
}

static void test_aliasing(void) {
    static const char* names[] = {"square", "sawtooth", "triangle"};
    static const rl_waveform waves[] = {RL_WAVEFORM_SQUARE, RL_WAVEFORM_SAWTOOTH,
                                        RL_WAVEFORM_TRIANGLE};
    static const double cases[][2] = {{48000, 5000}, {48000, 440},   {48000, 1234.5},
                                      {48000, 3000}, {48000, 11000}, {48000, 47},
                                      {48000, 30.7}, {44100, 5000},  {96000, 5000}};
    void* smem;
    rl_spectrum* sp = make_spectrum(ALIAS_N, &smem);
    size_t w;
    size_t c;
    for (w = 0; w < 3; ++w) {
        double hann5k = 0.0;
        double bh5k = 0.0;
        double worst = -400.0;
        for (c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
            double a = worst_alias_db(sp, waves[w], cases[c][0], cases[c][1], HANN);
            double b = worst_alias_db(sp, waves[w], cases[c][0], cases[c][1], BLACKMAN_HARRIS);
            if (!CHECK(a < -60.0)) {
                fprintf(stderr, "  %s %g Hz at %g: alias at %.1f dB (Hann)\n", names[w],
                        cases[c][1], cases[c][0], a);
            }
            /* The real aliasing: -90 dB and below from 47 Hz up, -75 dB below
             * that (the lowest table's interpolation images). */
            if (!CHECK(b < (cases[c][1] < 45.0 ? -75.0 : -88.0))) {
                fprintf(stderr, "  %s %g Hz at %g: alias at %.1f dB (Blackman-Harris)\n", names[w],
                        cases[c][1], cases[c][0], b);
            }
            if (c == 0) {
                hann5k = a;
                bh5k = b;
            }
            worst = b > worst ? b : worst;
        }
        printf("test_generator: %-8s worst non-harmonic bin at 5 kHz/48 kHz: %.1f dB (Hann, "
               "leakage floor), %.1f dB (Blackman-Harris); worst of all cases %.1f dB\n",
               names[w], hann5k, bh5k, worst);
    }
    free(smem);
}

/* ------------------------------------------------------------------------ */
/* Noise                                                                    */
/* ------------------------------------------------------------------------ */

#define WELCH_N 4096u

/* Third-octave band levels (dB, arbitrary reference) of `wave` from 100 Hz
 * to 10 kHz: Welch average of Hann-windowed 4096-point spectra, 50% overlap. */
static void band_levels(rl_waveform wave, double rate, double* levels, int bands) {
    const size_t n = (size_t)1 << 20;
    void* gmem;
    void* smem;
    rl_generator* g = make_gen(rate, &gmem);
    rl_spectrum* sp = make_spectrum(WELCH_N, &smem);
    float* x = (float*)malloc(n * sizeof(float));
    double* in = (double*)malloc(WELCH_N * sizeof(double));
    double* re = (double*)malloc((WELCH_N / 2 + 1) * sizeof(double));
    double* im = (double*)malloc((WELCH_N / 2 + 1) * sizeof(double));
    double* psd = (double*)calloc(WELCH_N / 2 + 1, sizeof(double));
    size_t start;
    size_t i;
    int b;
    CHECK_EQ(rl_generator_set_waveform(g, wave), RL_OK);
    CHECK_EQ(rl_generator_set_amplitude(g, 1.0), RL_OK);
    rl_generator_set_seed(g, 1234u);
    rl_generator_start(g);
    render(g, x, n);
    for (start = 4096; start + WELCH_N <= n; start += WELCH_N / 2) {
        for (i = 0; i < WELCH_N; ++i) {
            in[i] = x[start + i] * (0.5 - 0.5 * cos(2.0 * PI * (double)i / WELCH_N));
        }
        rl_spectrum_rfft(sp, in, re, im);
        for (i = 0; i <= WELCH_N / 2; ++i) {
            psd[i] += re[i] * re[i] + im[i] * im[i];
        }
    }
    for (b = 0; b < bands; ++b) {
        double fc = 100.0 * pow(2.0, (double)b / 3.0);
        double sum = 0.0;
        int count = 0;
        for (i = 1; i <= WELCH_N / 2; ++i) {
            double f = (double)i * rate / WELCH_N;
            if (f >= fc * pow(2.0, -1.0 / 6.0) && f < fc * pow(2.0, 1.0 / 6.0)) {
                sum += psd[i];
                ++count;
            }
        }
        levels[b] = 10.0 * log10(sum / count);
    }
    free(x);
    free(in);
    free(re);
    free(im);
    free(psd);
    free(gmem);
    free(smem);
}

static void test_noise_spectra(void) {
    enum { BANDS = 21 }; /* 100 Hz .. 10.2 kHz in thirds of an octave */
    double lv[BANDS];
    double mean = 0.0;
    double sx = 0.0;
    double sy = 0.0;
    double sxx = 0.0;
    double sxy = 0.0;
    double slope;
    double dev = 0.0;
    int b;
    /* Pink: -3.01 dB/octave. */
    band_levels(RL_WAVEFORM_PINK_NOISE, 48000, lv, BANDS);
    for (b = 0; b < BANDS; ++b) {
        double oct = (double)b / 3.0;
        mean += lv[b] + 3.0103 * oct;
        sx += oct;
        sy += lv[b];
        sxx += oct * oct;
        sxy += oct * lv[b];
    }
    mean /= BANDS;
    slope = (BANDS * sxy - sx * sy) / (BANDS * sxx - sx * sx);
    for (b = 0; b < BANDS; ++b) {
        double d = fabs(lv[b] + 3.0103 * (double)b / 3.0 - mean);
        dev = d > dev ? d : dev;
    }
    CHECK(dev <= 1.0);
    CHECK_NEAR(slope, -3.0103, 0.25);
    printf("test_generator: pink noise slope %.3f dB/octave, max deviation from -3.01 dB/octave "
           "%.2f dB (100 Hz .. 10 kHz)\n",
           slope, dev);
    /* White: flat. */
    band_levels(RL_WAVEFORM_WHITE_NOISE, 48000, lv, BANDS);
    mean = 0.0;
    for (b = 0; b < BANDS; ++b) {
        mean += lv[b] / BANDS;
    }
    dev = 0.0;
    for (b = 0; b < BANDS; ++b) {
        dev = fabs(lv[b] - mean) > dev ? fabs(lv[b] - mean) : dev;
    }
    CHECK(dev <= 1.0);
}

static void test_noise_seed_and_range(void) {
    void* ma;
    void* mb;
    rl_generator* a = make_gen(48000, &ma);
    rl_generator* b = make_gen(48000, &mb);
    float xa[4096];
    float xb[4096];
    double sum = 0.0;
    double sq = 0.0;
    double peak = 0.0;
    size_t i;
    CHECK_EQ(rl_generator_set_waveform(a, RL_WAVEFORM_WHITE_NOISE), RL_OK);
    CHECK_EQ(rl_generator_set_waveform(b, RL_WAVEFORM_WHITE_NOISE), RL_OK);
    CHECK_EQ(rl_generator_set_amplitude(a, 1.0), RL_OK);
    CHECK_EQ(rl_generator_set_amplitude(b, 1.0), RL_OK);
    rl_generator_set_seed(a, 42u);
    rl_generator_set_seed(b, 42u);
    rl_generator_start(a);
    rl_generator_start(b);
    render(a, xa, 4096);
    render(b, xb, 4096);
    CHECK(memcmp(xa, xb, sizeof xa) == 0);
    rl_generator_set_seed(b, 43u);
    render(a, xa, 4096);
    render(b, xb, 4096);
    CHECK(memcmp(xa, xb, sizeof xa) != 0);
    rl_generator_set_seed(b, 0u); /* any seed works */
    render(b, xb, 4096);
    for (i = 0; i < 4096; ++i) {
        sum += xb[i];
        sq += (double)xb[i] * xb[i];
        peak = fabs(xb[i]) > peak ? fabs(xb[i]) : peak;
    }
    CHECK(fabs(sum / 4096) < 0.05);
    CHECK_NEAR(sqrt(sq / 4096), 1.0 / sqrt(3.0), 0.03);
    CHECK(peak <= 1.0 && peak > 0.99);
    /* Pink stays within -1 .. 1. */
    CHECK_EQ(rl_generator_set_waveform(a, RL_WAVEFORM_PINK_NOISE), RL_OK);
    for (i = 0; i < 100; ++i) {
        size_t k;
        render(a, xa, 4096);
        for (k = 0; k < 4096; ++k) {
            peak = fabs(xa[k]) > peak ? fabs(xa[k]) : peak;
        }
    }
    CHECK(peak <= 1.0);
    free(ma);
    free(mb);
}

/* ------------------------------------------------------------------------ */
/* Sweep                                                                    */
/* ------------------------------------------------------------------------ */

/* Mean frequency between the first and last rising zero crossings within
 * about 20 expected periods around t; their times are returned too. */
static double measured_hz(const float* x, size_t n, double rate, double t, double expect,
                          double* t1, double* t2) {
    double half = 10.0 / expect;
    size_t from = (size_t)((t - half) * rate);
    size_t to = (size_t)((t + half) * rate);
    double first = -1.0;
    double last = -1.0;
    int crossings = 0;
    size_t i;
    to = to < n ? to : n;
    for (i = from + 1; i < to; ++i) {
        if (x[i - 1] < 0.0f && x[i] >= 0.0f) {
            double at = (double)(i - 1) + x[i - 1] / (x[i - 1] - x[i]);
            if (first < 0) {
                first = at;
            }
            last = at;
            ++crossings;
        }
    }
    *t1 = first / rate;
    *t2 = last / rate;
    return crossings > 1 ? (crossings - 1) * rate / (last - first) : 0.0;
}

/* Cycles of the 100 Hz -> 10 kHz, 1 s exponential sweep by time t <= 1. */
static double sweep_cycles(double t) {
    return 100.0 / log(100.0) * (pow(100.0, t) - 1.0);
}

static void test_sweep(void) {
    const double rate = 48000;
    const size_t n = 72000; /* 1.5 s */
    void* mem;
    rl_generator* g = make_gen(rate, &mem);
    float* x = (float*)malloc(n * sizeof(float));
    static const double at[] = {0.1, 0.3, 0.5, 0.7, 0.9, 0.98};
    size_t i;
    CHECK_EQ(rl_generator_set_waveform(g, RL_WAVEFORM_SWEEP), RL_OK);
    CHECK_EQ(rl_generator_set_sweep(g, 100, 10000, 1.0, 0), RL_OK);
    CHECK_NEAR(rl_generator_frequency(g), 100.0, 1e-9);
    rl_generator_start(g);
    render(g, x, n);
    for (i = 0; i < sizeof at / sizeof at[0]; ++i) {
        double t1;
        double t2;
        double got = measured_hz(x, n, rate, at[i], 100.0 * pow(100.0, at[i]), &t1, &t2);
        double want = (sweep_cycles(t2) - sweep_cycles(t1)) / (t2 - t1);
        CHECK_NEAR(got / want, 1.0, 0.002);
    }
    /* Holds the end frequency afterwards. */
    {
        double t1;
        double t2;
        CHECK_NEAR(measured_hz(x, n, rate, 1.3, 10000.0, &t1, &t2), 10000.0, 10.0);
    }
    CHECK_NEAR(rl_generator_frequency(g), 10000.0, 1e-9);
    /* Its amplitude is steady (it is a sine throughout). */
    {
        float peak = 0.0f;
        for (i = 24000; i < n; ++i) {
            peak = fabsf(x[i]) > peak ? fabsf(x[i]) : peak;
        }
        CHECK(peak <= 0.5f && peak > 0.49f);
    }
    /* Looping starts over from the start frequency. */
    CHECK_EQ(rl_generator_set_sweep(g, 100, 10000, 1.0, 1), RL_OK);
    render(g, x, 50400); /* 1.05 s */
    CHECK_NEAR(rl_generator_frequency(g), 100.0 * pow(100.0, 0.05), 0.01);
    /* Downward sweeps work too. */
    CHECK_EQ(rl_generator_set_sweep(g, 8000, 50, 0.5, 0), RL_OK);
    render(g, x, 12000);
    CHECK_NEAR(rl_generator_frequency(g), 8000.0 * pow(50.0 / 8000.0, 0.5), 0.01);
    free(x);
    free(mem);
}

/* ------------------------------------------------------------------------ */
/* Impulse and multitone                                                    */
/* ------------------------------------------------------------------------ */

/* The impulse train against its definition: impulse k >= 1 on frame
 * ceil(k * rate / f) - 1, exactly there when rate / f is whole and within a
 * frame of it otherwise (the period is accumulated in floating point); one
 * sample of the amplitude (ramped only inside the start's fade), zero
 * everywhere else. */
static void check_impulses(double rate, double f, double amplitude, size_t n, int exact) {
    const uint32_t fade = (uint32_t)lround(RL_GENERATOR_FADE_MS * 0.001 * rate);
    void* mem;
    rl_generator* g = make_gen(rate, &mem);
    float* x = (float*)malloc(n * sizeof(float));
    double period = rate / f;
    size_t expected = 0;
    size_t found = 0;
    size_t misplaced = 0;
    size_t wrong_level = 0;
    size_t i;
    CHECK_EQ(rl_generator_set_waveform(g, RL_WAVEFORM_IMPULSE), RL_OK);
    CHECK_EQ(rl_generator_set_frequency(g, f), RL_OK);
    CHECK_EQ(rl_generator_set_amplitude(g, amplitude), RL_OK);
    rl_generator_start(g);
    render(g, x, n);
    while (ceil((double)(expected + 1) * period) - 1.0 <= (double)n - 1.0) {
        ++expected;
    }
    for (i = 0; i < n; ++i) {
        if (x[i] != 0.0f) {
            double want = ceil((double)(found + 1) * period) - 1.0;
            double off = fabs((double)i - want);
            ++found;
            misplaced += exact ? off != 0.0 : off > 1.0;
            if (i >= fade) {
                wrong_level += x[i] != (float)amplitude;
            } else {
                wrong_level += !(x[i] > 0.0f && x[i] <= (float)amplitude);
            }
        }
    }
    if (!CHECK(found == expected || (!exact && found + 1 >= expected && found <= expected + 1))) {
        fprintf(stderr, "  impulse %g Hz at %g: %zu impulses in %zu frames, expected %zu\n", f,
                rate, found, n, expected);
    }
    if (!CHECK_EQ(misplaced, 0)) {
        fprintf(stderr, "  impulse %g Hz at %g: %zu impulses off their frames\n", f, rate,
                misplaced);
    }
    CHECK_EQ(wrong_level, 0);
    free(x);
    free(mem);
}

static void test_impulse(void) {
    const size_t n = 96000;
    void* mem;
    rl_generator* g;
    float x[4096];
    size_t i;
    size_t count = 0;
    check_impulses(48000, 1000, 1.0, n, 1); /* 48 frames apart */
    check_impulses(48000, 1, 0.5, n, 1);    /* frames 47999, 95999 */
    check_impulses(48000, 12000, 0.25, n, 1);
    check_impulses(44100, 1000, 1.0, n, 0); /* 44.1: 44 and 45 apart */
    check_impulses(48000, 7, 0.7, n, 0);
    check_impulses(96000, 440, 0.9, n, 0);
    /* A new frequency takes over from where the period got to. */
    g = make_gen(48000, &mem);
    CHECK_EQ(rl_generator_set_waveform(g, RL_WAVEFORM_IMPULSE), RL_OK);
    CHECK_EQ(rl_generator_set_frequency(g, 100), RL_OK); /* 480 frames */
    rl_generator_start(g);
    render(g, x, 4096);
    CHECK_EQ(rl_generator_set_frequency(g, 4800), RL_OK); /* 10 frames */
    render(g, x, 4096);
    for (i = 0; i < 4096; ++i) {
        count += x[i] != 0.0f;
    }
    /* 4096 frames in, 256 past the last impulse at 3839: the first comes at once. */
    CHECK(x[0] != 0.0f);
    CHECK_EQ(count, 410);
    printf("test_generator: impulse trains on their frames at 1 .. 12000 Hz, 44.1 .. 96 kHz\n");
    free(mem);
}

/* The multitone against its closed form: (amplitude / N) * sum of
 * cos(2 pi 2^k f t) for the N = min(10, octaves below Nyquist). */
static void test_multitone(void) {
    static const double cases[][3] = {{48000, 1000, 0.8},  {48000, 20, 1.0},  {48000, 7000, 0.5},
                                      {48000, 13000, 0.5}, {44100, 440, 0.3}, {96000, 100, 0.9},
                                      {48000, 5, 1.0}};
    const size_t n = 48000;
    float* x = (float*)malloc(n * sizeof(float));
    double worst = 0.0;
    size_t c;
    for (c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        const double rate = cases[c][0];
        const double f = cases[c][1];
        const double amp = cases[c][2];
        const size_t fade = (size_t)lround(RL_GENERATOR_FADE_MS * 0.001 * rate);
        void* mem;
        rl_generator* g = make_gen(rate, &mem);
        int tones = 0;
        double err = 0.0;
        double peak = 0.0;
        double sq = 0.0;
        size_t i;
        while (tones < (int)RL_GENERATOR_MAX_TONES && f * pow(2.0, tones) < rate / 2.0) {
            ++tones;
        }
        CHECK_EQ(rl_generator_set_waveform(g, RL_WAVEFORM_MULTITONE), RL_OK);
        CHECK_EQ(rl_generator_set_frequency(g, f), RL_OK);
        CHECK_EQ(rl_generator_set_amplitude(g, amp), RL_OK);
        rl_generator_start(g);
        render(g, x, n);
        for (i = fade; i < n; ++i) {
            double want = 0.0;
            int k;
            for (k = 0; k < tones; ++k) {
                want += cos(2.0 * PI * fmod(pow(2.0, k) * f * (double)i / rate, 1.0));
            }
            want *= amp / tones;
            err = fabs(x[i] - want) > err ? fabs(x[i] - want) : err;
            peak = fabs(x[i]) > peak ? fabs(x[i]) : peak;
            sq += (double)x[i] * x[i];
        }
        if (!CHECK(err < 2e-6)) {
            fprintf(stderr, "  multitone %g Hz at %g (%d tones): max error %.3g\n", f, rate, tones,
                    err);
        }
        /* The peak: the amplitude, at the start of each period. */
        CHECK(peak <= amp * (1.0 + 1e-7));
        CHECK_NEAR(peak, amp, amp * 1e-4);
        /* RMS amplitude / sqrt(2 N), within the partial period at the end. */
        CHECK_NEAR(sqrt(sq / (double)(n - fade)) / (amp / sqrt(2.0 * tones)), 1.0, 0.01);
        worst = err > worst ? err : worst;
        free(mem);
    }
    printf("test_generator: multitone against the sum of octave cosines, worst error %.2g\n",
           worst);
    free(x);
}

/* ------------------------------------------------------------------------ */
/* Fades, channels, validation                                              */
/* ------------------------------------------------------------------------ */

static void test_start_stop_switch(void) {
    const double rate = 48000;
    const uint32_t fade = (uint32_t)lround(RL_GENERATOR_FADE_MS * 0.001 * rate);
    void* ma;
    void* mb;
    rl_generator* a = make_gen(rate, &ma);
    rl_generator* b = make_gen(rate, &mb);
    float l[1024];
    float r[1024];
    float* p[2] = {l, r};
    float ref[2048];
    float y[2048];
    size_t i;
    int zero = 1;
    /* Stopped: silence, whatever the buffers held. */
    for (i = 0; i < 1024; ++i) {
        l[i] = r[i] = 5.0f;
    }
    CHECK_EQ(rl_generator_process(a, p, 2, 1024), RL_OK);
    for (i = 0; i < 1024; ++i) {
        zero &= l[i] == 0.0f && r[i] == 0.0f;
    }
    CHECK(zero);
    /* Start fades in from exactly 0; every channel gets the same. */
    CHECK_EQ(rl_generator_set_waveform(a, RL_WAVEFORM_SAWTOOTH), RL_OK);
    CHECK_EQ(rl_generator_set_frequency(a, 220), RL_OK);
    rl_generator_start(a);
    CHECK_EQ(rl_generator_process(a, p, 2, 1024), RL_OK);
    CHECK(l[0] == 0.0f);
    CHECK(memcmp(l, r, sizeof l) == 0);
    {
        int inside = 1;
        for (i = 0; i < fade; ++i) { /* under the linear fade-in envelope */
            inside &= fabsf(l[i]) <= 0.5f * (float)(i + 1u) / (float)fade + 1e-6f;
        }
        CHECK(inside);
        CHECK(fabsf(l[fade / 2u]) > 0.0f);
    }
    /* A waveform switch while running: fade out, switch at the bottom, then
     * exactly what a fresh start of the new waveform gives. */
    CHECK_EQ(rl_generator_set_waveform(a, RL_WAVEFORM_SQUARE), RL_OK);
    CHECK_EQ(rl_generator_set_waveform(b, RL_WAVEFORM_SQUARE), RL_OK);
    CHECK_EQ(rl_generator_set_frequency(b, 220), RL_OK);
    rl_generator_start(b);
    render(a, y, 2048);
    render(b, ref, 2048 - fade);
    CHECK(y[fade - 1u] == 0.0f || fabsf(y[fade - 1u]) < 0.01f);
    CHECK(memcmp(y + fade, ref, (2048 - fade) * sizeof(float)) == 0);
    /* Stop: after the fade, exact silence. */
    rl_generator_stop(a);
    render(a, y, 2048);
    zero = 1;
    for (i = fade; i < 2048; ++i) {
        zero &= y[i] == 0.0f;
    }
    CHECK(zero);
    CHECK(y[0] != 0.0f);
    /* Amplitude changes ramp. */
    CHECK_EQ(rl_generator_set_amplitude(b, 1.0), RL_OK);
    render(b, y, 2048);
    {
        float peak_early = 0.0f;
        float peak_late = 0.0f;
        for (i = 0; i < 109; ++i) { /* half a period at 220 Hz */
            peak_early = fabsf(y[i]) > peak_early ? fabsf(y[i]) : peak_early;
        }
        for (i = 1500; i < 2048; ++i) {
            peak_late = fabsf(y[i]) > peak_late ? fabsf(y[i]) : peak_late;
        }
        CHECK(peak_early < 0.8f);
        CHECK(peak_late > 0.9f && peak_late <= 1.0f);
    }
    free(ma);
    free(mb);
}

static void test_validation(void) {
    void* mem;
    rl_generator* g = make_gen(44100, &mem);
    float x[128];
    float* p = x;
    rl_generator_config cfg;
    size_t size = 0;
    CHECK_EQ(rl_generator_set_frequency(g, 440), RL_OK);
    CHECK_EQ(rl_generator_set_frequency(g, 0.0), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_set_frequency(g, -1.0), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_set_frequency(g, 22050.0), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_set_frequency(g, 30000.0), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_set_frequency(g, NAN), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_set_frequency(g, INFINITY), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_frequency(g), 440);
    CHECK_EQ(rl_generator_set_frequency(g, 22049.0), RL_OK);
    CHECK_EQ(rl_generator_set_amplitude(g, -0.01), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_set_amplitude(g, 1.01), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_set_amplitude(g, NAN), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_set_amplitude(g, 0.0), RL_OK);
    CHECK_EQ(rl_generator_set_amplitude(g, 1.0), RL_OK);
    CHECK_EQ(rl_generator_set_waveform(g, (rl_waveform)(RL_WAVEFORM_LAST + 1)), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_set_waveform(g, RL_WAVEFORM_MULTITONE), RL_OK);
    CHECK_EQ(rl_generator_set_sweep(g, 0, 1000, 1, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_set_sweep(g, 100, 22050, 1, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_set_sweep(g, 100, 1000, 0, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_set_sweep(g, 100, 1000, -1, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_set_sweep(g, 100, 1000, NAN, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_set_sweep(g, 100, 1000, 3601, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_set_sweep(g, NAN, 1000, 1, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_set_waveform(g, RL_WAVEFORM_SWEEP), RL_OK);
    CHECK_NEAR(rl_generator_frequency(g), 20.0, 1e-9); /* the default sweep */
    CHECK_EQ(rl_generator_process(g, &p, 0, 128), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_process(g, &p, 1, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_process(g, NULL, 1, 128), RL_INVALID_ARGS);
    CHECK_EQ(rl_generator_process(NULL, &p, 1, 128), RL_INVALID_ARGS);
    cfg = rl_generator_config_init(1000.0);
    CHECK_EQ(rl_generator_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    cfg = rl_generator_config_init(44100);
    CHECK_EQ(rl_generator_get_heap_size(&cfg, &size), RL_OK);
    {
        unsigned char* m = (unsigned char*)alloc64(size + 64);
        rl_generator* g2 = NULL;
        CHECK_EQ(rl_generator_init_preallocated(&cfg, m + 16, size, &g2), RL_INVALID_ARGS);
        CHECK_EQ(rl_generator_init_preallocated(&cfg, m, size - 1, &g2), RL_OUT_OF_MEMORY);
        CHECK(g2 == NULL);
        free(m);
    }
    rl_generator_uninit(g);
    CHECK_EQ(rl_generator_process(g, &p, 1, 128), RL_INVALID_ARGS);
    free(mem);
}

int main(void) {
    test_sine_thd();
    test_aliasing();
    test_noise_spectra();
    test_noise_seed_and_range();
    test_sweep();
    test_impulse();
    test_multitone();
    test_start_stop_switch();
    test_validation();
    if (g_failed != 0) {
        printf("test_generator: %llu of %llu checks FAILED\n", g_failed, g_checks);
        return 1;
    }
    printf("test_generator: %llu checks passed\n", g_checks);
    return 0;
}
