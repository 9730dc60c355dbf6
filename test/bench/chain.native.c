/*
 * Native cost of one 128-frame stereo quantum through an effect node's chain:
 * input -> non-finite scrub -> gain -> 8-band EQ -> limiter -> meters ->
 * analyser time buffer -> output. The analyser's FFT is not part of it: it
 * runs on the main thread when the UI asks (lib/node/analyser.js).
 *
 *   chain_native [trials [quanta [warmup]]]     defaults: 7 3750 3750
 *
 * Built by CMake with the tests (target chain_native, not registered with
 * ctest) and run by test/bench/chain.bench.js, which builds it with clang in
 * Release (-O3) into build/bench and sets it side by side with the same loop
 * in wasm. Each quantum does what a host must: copy the quantum's input into
 * rl_node_input(), give the gain value, call rl_node_process_gain(). Variants
 * run interleaved (rotating which goes first), each trial over `quanta`
 * quanta (3750 = the whole 10 s test signal once), timed with
 * clock_gettime(CLOCK_MONOTONIC), and also with CLOCK_THREAD_CPUTIME_ID
 * for reference (which leaves out the time other processes held the core, on
 * a shared machine). Prints a table and, on its last line, a JSON summary
 * with every trial's ns per quantum. Never fails on time: the exit code is
 * non-zero only if the core refused something.
 *
 * The signal, the settings and the untimed checks repeat
 * test/bench/chain-common.js; keep them in step.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ringlet.h"

#define FRAMES 128u
#define CHANNELS 2u
#define CAPACITY 8192u
#define SAMPLE_RATE 48000.0
#define SIGNAL_SECONDS 10u
#define LOOP_FRAMES (SIGNAL_SECONDS * 48000u)
#define LOOP_QUANTA (LOOP_FRAMES / FRAMES)
#define GAIN 0.9f
#define MAX_TRIALS 1000
#define PI 3.14159265358979323846

static const double ACTIVE_GAINS_DB[8] = {6, -4, 3, -6, 5, -3, 9, -7};

typedef enum variant { V_FLAT, V_ACTIVE, V_BYPASSED, V_COPY, V_COUNT } variant;
static const char* const VARIANT_KEYS[V_COUNT] = {"flat", "active", "bypassed", "copy"};
static const char* const VARIANT_LABELS[V_COUNT] = {
    "flat bands (default node, gain 0.9)",
    "8 active bands (gain 0.9)",
    "EQ + limiter bypassed, gain 1",
    "input copies only (reference)",
};

static float* g_signal[CHANNELS];

static uint32_t xorshift(uint32_t* s) {
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

/* makeSignal() of chain-common.js, in C. */
static void make_signal(void) {
    static const double tones[11][2] = {
        {55, 1},        {110, 0.7}, {164.81, 0.5},   {220, 0.5},      {329.63, 0.35}, {440, 0.35},
        {659.26, 0.25}, {880, 0.2}, {1318.51, 0.12}, {2637.02, 0.08}, {5274.04, 0.05}};
    double* raw[CHANNELS];
    double sum_squares = 0;
    double scale;
    uint32_t c;
    uint32_t n;
    int k;
    for (c = 0; c < CHANNELS; ++c) {
        uint32_t seed = 0x9e3779b9u ^ ((c + 1u) * 0x85ebca6bu);
        double lp = 0;
        raw[c] = malloc(sizeof(double) * LOOP_FRAMES);
        g_signal[c] = malloc(sizeof(float) * LOOP_FRAMES);
        if (raw[c] == NULL || g_signal[c] == NULL) {
            fprintf(stderr, "chain_native: out of memory\n");
            exit(2);
        }
        for (n = 0; n < LOOP_FRAMES; ++n) {
            double t = n / SAMPLE_RATE;
            double s = 0;
            double white;
            for (k = 0; k < 11; ++k) {
                s += tones[k][1] * sin(2 * PI * tones[k][0] * t + 0.7 * k + 1.3 * c);
            }
            s *= 0.75 + 0.25 * sin(2 * PI * 0.5 * t + c);
            white = (xorshift(&seed) / 4294967296.0) * 2 - 1;
            lp += 0.05 * (white - lp);
            s += 0.8 * lp + 0.05 * white;
            raw[c][n] = s;
            sum_squares += s * s;
        }
    }
    scale = 0.25 / sqrt(sum_squares / (2.0 * LOOP_FRAMES));
    for (c = 0; c < CHANNELS; ++c) {
        uint32_t seed = 0x2545f491u ^ ((c + 7u) * 0x27d4eb2du);
        for (n = 0; n < LOOP_FRAMES; ++n) {
            double t = n / SAMPLE_RATE;
            double since = fmod(t - 0.7, 2.5);
            double hit = 0;
            uint32_t r = xorshift(&seed);
            if (t >= 0.7 && since < 0.06) {
                double white = (r / 4294967296.0) * 2 - 1;
                hit = 0.75 * exp(-since / 0.015) * sin(2 * PI * 90 * since) +
                      0.15 * exp(-since / 0.003) * white;
            }
            g_signal[c][n] = (float)(raw[c][n] * scale + hit);
        }
        free(raw[c]);
    }
}

typedef struct bench_node {
    rl_node* node;
    void* heap;
    float* in[CHANNELS];
    float* out[CHANNELS];
    float* gain_values;
    float gain;
    uint32_t q; /* next quantum of the signal loop */
} bench_node;

static void push(rl_node* node, uint32_t kind, uint32_t index, uint32_t arg, double v0, double v1,
                 double v2) {
    rl_param_message m;
    memset(&m, 0, sizeof m);
    m.kind = kind;
    m.index = index;
    m.arg = arg;
    m.values[0] = (float)v0;
    m.values[1] = (float)v1;
    m.values[2] = (float)v2;
    if (rl_params_push(rl_node_params(node), &m) != RL_OK) {
        fprintf(stderr, "chain_native: the parameter queue is full\n");
        exit(2);
    }
}

static void make_node(bench_node* b, variant v) {
    rl_node_config config = rl_node_config_init(RL_MODE_EFFECT, CHANNELS, CAPACITY);
    size_t size = 0;
    size_t rounded;
    uint32_t c;
    uint32_t k;
    rl_result r;
    config.sample_rate = SAMPLE_RATE;
    if (rl_node_get_heap_size(&config, &size) != RL_OK) {
        fprintf(stderr, "chain_native: rl_node_get_heap_size refused the configuration\n");
        exit(2);
    }
    rounded = (size + 63u) & ~(size_t)63u;
    b->heap = aligned_alloc(64, rounded);
    if (b->heap == NULL) {
        fprintf(stderr, "chain_native: out of memory\n");
        exit(2);
    }
    memset(b->heap, 0, rounded);
    r = rl_node_init_preallocated(&config, b->heap, rounded, &b->node);
    if (r != RL_OK) {
        fprintf(stderr, "chain_native: rl_node_init_preallocated: %s\n", rl_result_string(r));
        exit(2);
    }
    for (c = 0; c < CHANNELS; ++c) {
        b->in[c] = rl_node_input(b->node, c);
        b->out[c] = rl_node_output(b->node, c);
    }
    b->gain_values = rl_node_gain_values(b->node);
    b->gain = v == V_BYPASSED ? 1.0f : GAIN;
    b->q = 0;
    if (v == V_ACTIVE) {
        for (k = 0; k < 8; ++k) {
            push(b->node, RL_PARAM_EQ_BAND, k, RL_BIQUAD_PEAKING, 60.0 * pow(2.0, k), 1.4,
                 ACTIVE_GAINS_DB[k]);
        }
    } else if (v == V_BYPASSED) {
        push(b->node, RL_PARAM_EQ_BYPASS, 0, 1, 0, 0, 0);
        push(b->node, RL_PARAM_LIMITER_BYPASS, 0, 1, 0, 0, 0);
    }
}

/* n quanta onward; returns the OR of the results (0 = all RL_OK). */
static int run(bench_node* b, variant v, uint32_t n) {
    int result = 0;
    uint32_t i;
    uint32_t c;
    for (i = 0; i < n; ++i) {
        for (c = 0; c < CHANNELS; ++c) {
            memcpy(b->in[c], g_signal[c] + (size_t)b->q * FRAMES, FRAMES * sizeof(float));
        }
        if (v != V_COPY) {
            b->gain_values[0] = b->gain;
            result |= (int)rl_node_process_gain(b->node, FRAMES, 1);
        }
        if (++b->q == LOOP_QUANTA) {
            b->q = 0;
        }
    }
    return result;
}

static double clock_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Wall time: the figure. */
static double now_ns(void) {
    return clock_ns(CLOCK_MONOTONIC);
}

/* This thread's CPU time: the same trial without the time other processes
 * took the core away (a shared machine), for reference. */
static double cpu_ns(void) {
    return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

static int cmp_double(const void* a, const void* b) {
    double x = *(const double*)a;
    double y = *(const double*)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

static double quantile(const double* xs, int n, double q) {
    double s[MAX_TRIALS];
    double pos;
    int lo;
    int hi;
    memcpy(s, xs, sizeof(double) * (size_t)n);
    qsort(s, (size_t)n, sizeof(double), cmp_double);
    pos = (n - 1) * q;
    lo = (int)floor(pos);
    hi = (int)ceil(pos);
    return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/* The checks of chainChecks() in chain-common.js: one loop to settle, one
 * measured, with and without the limiter. */
static int checks(double* changed_pct, double* over_pct, double* rms_db, double* peak_out) {
    bench_node a;
    bench_node b;
    uint32_t q;
    uint32_t c;
    uint32_t i;
    uint32_t changed = 0;
    uint32_t over = 0;
    double sum_squares = 0;
    double peak = 0;
    int finite = 1;
    make_node(&a, V_ACTIVE);
    make_node(&b, V_ACTIVE);
    push(b.node, RL_PARAM_LIMITER_BYPASS, 0, 1, 0, 0, 0);
    if (run(&a, V_ACTIVE, LOOP_QUANTA) != 0 || run(&b, V_ACTIVE, LOOP_QUANTA) != 0) {
        return 0;
    }
    for (q = 0; q < LOOP_QUANTA; ++q) {
        int differs = 0;
        double peak_pre = 0;
        if (run(&a, V_ACTIVE, 1) != 0 || run(&b, V_ACTIVE, 1) != 0) {
            return 0;
        }
        for (c = 0; c < CHANNELS; ++c) {
            for (i = 0; i < FRAMES; ++i) {
                double y = a.out[c][i];
                double z = b.out[c][i];
                finite &= isfinite(y) ? 1 : 0;
                differs |= y != z;
                peak_pre = fabs(z) > peak_pre ? fabs(z) : peak_pre;
                peak = fabs(y) > peak ? fabs(y) : peak;
                sum_squares += y * y;
            }
        }
        changed += differs ? 1u : 0u;
        over += peak_pre > pow(10.0, -1.0 / 20.0) ? 1u : 0u;
    }
    *changed_pct = 100.0 * changed / LOOP_QUANTA;
    *over_pct = 100.0 * over / LOOP_QUANTA;
    *rms_db = 10.0 * log10(sum_squares / ((double)LOOP_QUANTA * FRAMES * CHANNELS));
    *peak_out = peak;
    rl_node_uninit(a.node);
    rl_node_uninit(b.node);
    free(a.heap);
    free(b.heap);
    return finite;
}

static long arg_or(int argc, char** argv, int i, long fallback) {
    long v;
    if (argc <= i) {
        return fallback;
    }
    v = strtol(argv[i], NULL, 10);
    if (v <= 0) {
        fprintf(stderr, "chain_native: argument %d must be a positive integer; got %s\n", i,
                argv[i]);
        exit(2);
    }
    return v;
}

int main(int argc, char** argv) {
    int trials = (int)arg_or(argc, argv, 1, 7);
    uint32_t quanta = (uint32_t)arg_or(argc, argv, 2, (long)LOOP_QUANTA);
    uint32_t warmup = (uint32_t)arg_or(argc, argv, 3, (long)LOOP_QUANTA);
    static double samples[V_COUNT][MAX_TRIALS];
    static double cpu_samples[V_COUNT][MAX_TRIALS];
    bench_node nodes[V_COUNT];
    double changed_pct = 0;
    double over_pct = 0;
    double rms_db = 0;
    double peak_out = 0;
    int finite;
    int failed = 0;
    int t;
    int k;
    int v;
    double started;
    if (trials > MAX_TRIALS) {
        trials = MAX_TRIALS;
    }
    make_signal();
    finite = checks(&changed_pct, &over_pct, &rms_db, &peak_out);
    for (v = 0; v < V_COUNT; ++v) {
        make_node(&nodes[v], (variant)v);
    }
    started = now_ns();
    for (k = 0; k < 2; ++k) {
        for (v = 0; v < V_COUNT; ++v) {
            failed |= run(&nodes[v], (variant)v, warmup / 2u + 1u);
        }
    }
    for (t = 0; t < trials; ++t) {
        for (k = 0; k < V_COUNT; ++k) {
            int w = (t + k) % V_COUNT;
            double t0 = now_ns();
            double c0 = cpu_ns();
            failed |= run(&nodes[w], (variant)w, quanta);
            cpu_samples[w][t] = (cpu_ns() - c0) / quanta;
            samples[w][t] = (now_ns() - t0) / quanta;
        }
    }

    printf("ringlet chain, native: %u-frame stereo quantum at 48 kHz, %d trials x %u quanta per "
           "variant, %.1f s\n",
           FRAMES, trials, quanta, (now_ns() - started) / 1e9);
    printf("%-40s %10s %20s %9s\n", "variant", "ns/q med", "p25..p75", "budget");
    for (v = 0; v < V_COUNT; ++v) {
        double med = quantile(samples[v], trials, 0.5);
        printf("%-40s %10.1f %9.1f..%-9.1f %8.3f%%\n", VARIANT_LABELS[v], med,
               quantile(samples[v], trials, 0.25), quantile(samples[v], trials, 0.75),
               100.0 * med / (FRAMES / SAMPLE_RATE * 1e9));
    }
    printf("checks: limiter changed %.1f%% of quanta, pre-limiter peak over the ceiling in %.1f%%, "
           "output %.2f dBFS RMS, peak %.4f%s\n",
           changed_pct, over_pct, rms_db, peak_out, finite ? "" : ", NON-FINITE OUTPUT");
    if (failed) {
        printf("PROBLEM: rl_node_process_gain returned an error\n");
    }

    printf("{\"bench\":\"chain-native\",\"compiler\":\"%s\",\"optimized\":%s,\"trials\":%d,"
           "\"quanta\":%u,\"warmup\":%u,\"ok\":%s,",
#ifdef __clang__
           "clang " __clang_version__,
#else
           "gcc " __VERSION__,
#endif
#ifdef __OPTIMIZE__
           "true",
#else
           "false",
#endif
           trials, quanta, warmup, failed || !finite ? "false" : "true");
    printf("\"checks\":{\"limiterChangedPercent\":%.6f,\"overCeilingPercent\":%.6f,"
           "\"outputRmsDb\":%.6f,\"outputPeak\":%.9f,\"finite\":%s},\"samples\":{",
           changed_pct, over_pct, rms_db, peak_out, finite ? "true" : "false");
    for (k = 0; k < 2; ++k) {
        if (k == 1) {
            printf("},\"cpuSamples\":{");
        }
        for (v = 0; v < V_COUNT; ++v) {
            printf("%s\"%s\":[", v ? "," : "", VARIANT_KEYS[v]);
            for (t = 0; t < trials; ++t) {
                printf("%s%.3f", t ? "," : "", k == 0 ? samples[v][t] : cpu_samples[v][t]);
            }
            printf("]");
        }
    }
    printf("}}\n");
    for (v = 0; v < V_COUNT; ++v) {
        rl_node_uninit(nodes[v].node);
        free(nodes[v].heap);
    }
    free(g_signal[0]);
    free(g_signal[1]);
    return failed || !finite ? 1 : 0;
}
