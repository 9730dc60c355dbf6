/*
 * Native cost of the resampler on 128-frame stereo quanta, and of a source
 * node that resamples its ring against one that copies it, both with the
 * default chain working (gain 0.9, 8 active bands, limiter, meters,
 * analyser time buffer).
 *
 *   resampler_native [trials [quanta]]     defaults: 7 3750
 *
 * Built by CMake with the tests (target resampler_native, not a ctest test)
 * and run by test/bench/resampler.bench.js, which builds it in Release (-O3)
 * into build/bench and sets it beside the same loops in wasm. Variants run
 * interleaved, rotating which goes first, each trial `quanta` quanta, timed
 * with CLOCK_MONOTONIC (and CLOCK_THREAD_CPUTIME_ID for reference). Prints a
 * table and, on its last line, a JSON summary with every trial's ns per
 * quantum. Never fails on time: non-zero exit only if the core refused
 * something. The variants repeat resampler.bench.js's VARIANTS; keep them
 * in step.
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
#define SIGNAL 96000u /* input frames per channel, looped */
#define MAX_TRIALS 1000
#define PI 3.14159265358979323846

typedef enum kind { K_RESAMPLER, K_NODE } kind;

typedef struct variant {
    const char* key;
    const char* label;
    kind kind;
    double in_rate;
    double out_rate;
    float speed;
} variant;

static const variant VARIANTS[] = {
    {"up", "44.1 kHz -> 48 kHz (interpolating)", K_RESAMPLER, 44100, 48000, 1.0f},
    {"down", "48 kHz -> 44.1 kHz (decimating)", K_RESAMPLER, 48000, 44100, 1.0f},
    {"slow", "48 kHz at speed 0.7 (interpolating)", K_RESAMPLER, 48000, 48000, 0.7f},
    {"fast", "48 kHz at speed 1.5 (decimating)", K_RESAMPLER, 48000, 48000, 1.5f},
    {"half", "96 kHz -> 48 kHz (decimating by 2)", K_RESAMPLER, 96000, 48000, 1.0f},
    {"nodeUp", "source node, 44.1 kHz ring -> 48 kHz, 8 active bands", K_NODE, 44100, 48000, 1.0f},
    {"nodeDirect", "source node, 48 kHz ring (copied), 8 active bands", K_NODE, 48000, 48000, 1.0f},
};
#define V_COUNT (sizeof VARIANTS / sizeof VARIANTS[0])

static float* g_signal[CHANNELS];

typedef struct bench {
    const variant* v;
    void* heap;
    rl_resampler* rs;
    rl_node* node;
    uint32_t at; /* read position in the looped signal */
    float out[CHANNELS][FRAMES];
} bench;

static uint32_t pull_loop(void* user, float* const* planar, uint32_t frames, int* ended) {
    bench* b = (bench*)user;
    uint32_t done = 0;
    uint32_t c;
    (void)ended;
    while (done < frames) {
        uint32_t n = frames - done < SIGNAL - b->at ? frames - done : SIGNAL - b->at;
        for (c = 0; c < CHANNELS; ++c) {
            memcpy(planar[c] + done, g_signal[c] + b->at, sizeof(float) * n);
        }
        done += n;
        b->at = (b->at + n) % SIGNAL;
    }
    return frames;
}

static void fail(const char* what, rl_result r) {
    fprintf(stderr, "resampler_native: %s: %s\n", what, rl_result_string(r));
    exit(2);
}

static void push(rl_node* node, uint32_t kind, uint32_t index, uint32_t arg, double v0, double v1,
                 double v2) {
    rl_param_message m;
    rl_result r;
    memset(&m, 0, sizeof m);
    m.kind = kind;
    m.index = index;
    m.arg = arg;
    m.values[0] = (float)v0;
    m.values[1] = (float)v1;
    m.values[2] = (float)v2;
    r = rl_params_push(rl_node_params(node), &m);
    if (r != RL_OK) {
        fail("parameter push", r);
    }
}

static void make(bench* b, const variant* v) {
    static const double gains[8] = {6, -4, 3, -6, 5, -3, 9, -7};
    size_t size = 0;
    rl_result r;
    uint32_t k;
    memset(b, 0, sizeof *b);
    b->v = v;
    if (v->kind == K_RESAMPLER) {
        rl_resampler_config c = rl_resampler_config_init(CHANNELS, v->in_rate, v->out_rate);
        if ((r = rl_resampler_get_heap_size(&c, &size)) != RL_OK) {
            fail("rl_resampler_get_heap_size", r);
        }
        b->heap = aligned_alloc(64, (size + 63u) & ~(size_t)63u);
        if (b->heap == NULL ||
            (r = rl_resampler_init_preallocated(&c, b->heap, size, &b->rs)) != RL_OK ||
            (r = rl_resampler_reset(b->rs, RL_RESAMPLER_START_SILENT, (double)v->speed)) != RL_OK) {
            fail("rl_resampler_init_preallocated", b->heap == NULL ? RL_OUT_OF_MEMORY : r);
        }
        return;
    }
    {
        rl_node_config c = rl_node_config_init(RL_MODE_SOURCE, CHANNELS, 8192);
        c.sample_rate = v->out_rate;
        c.input_rate = v->in_rate;
        if ((r = rl_node_get_heap_size(&c, &size)) != RL_OK) {
            fail("rl_node_get_heap_size", r);
        }
        b->heap = aligned_alloc(64, (size + 63u) & ~(size_t)63u);
        if (b->heap == NULL) {
            fail("out of memory", RL_OUT_OF_MEMORY);
        }
        memset(b->heap, 0, size);
        if ((r = rl_node_init_preallocated(&c, b->heap, size, &b->node)) != RL_OK) {
            fail("rl_node_init_preallocated", r);
        }
        for (k = 0; k < 8; ++k) {
            push(b->node, RL_PARAM_EQ_BAND, k, RL_BIQUAD_PEAKING, 60.0 * pow(2.0, k), 1.4,
                 gains[k]);
        }
    }
}

/* n quanta onward; returns nonzero if the core refused something. */
static int run(bench* b, uint32_t n) {
    float* out[CHANNELS];
    uint32_t i;
    uint32_t c;
    int failed = 0;
    for (c = 0; c < CHANNELS; ++c) {
        out[c] = b->out[c];
    }
    for (i = 0; i < n; ++i) {
        if (b->rs != NULL) {
            uint32_t made = 0;
            failed |= rl_resampler_process(b->rs, out, FRAMES, NULL, 0, pull_loop, b, &made) != 0;
            failed |= made != FRAMES;
        } else {
            /* What a producer gives per quantum, then the quantum. */
            rl_ring* ring = rl_node_ring(b->node);
            const float* in[CHANNELS];
            uint32_t want = (uint32_t)ceil(FRAMES * b->v->in_rate / b->v->out_rate) + 1u;
            uint32_t moved = 0;
            if (want > SIGNAL - b->at) {
                b->at = 0;
            }
            for (c = 0; c < CHANNELS; ++c) {
                in[c] = g_signal[c] + b->at;
            }
            if (rl_ring_available_write(ring) >= want) {
                rl_ring_write_planar(ring, in, want, &moved);
                b->at += moved;
            }
            rl_node_gain_values(b->node)[0] = 0.9f;
            failed |= rl_node_process_gain(b->node, FRAMES, 1) != 0;
        }
    }
    return failed;
}

static double clock_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp(const void* a, const void* b) {
    double x = *(const double*)a;
    double y = *(const double*)b;
    return x < y ? -1 : x > y;
}

static double median(const double* xs, int n) {
    double s[MAX_TRIALS];
    memcpy(s, xs, sizeof(double) * (size_t)n);
    qsort(s, (size_t)n, sizeof(double), cmp);
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

int main(int argc, char** argv) {
    int trials = argc > 1 ? atoi(argv[1]) : 7;
    uint32_t quanta = argc > 2 ? (uint32_t)atoi(argv[2]) : 3750u;
    static double samples[V_COUNT][MAX_TRIALS];
    static double cpu[V_COUNT][MAX_TRIALS];
    bench benches[V_COUNT];
    int failed = 0;
    uint32_t c;
    uint32_t i;
    size_t v;
    int t;
    if (trials < 1 || trials > MAX_TRIALS || quanta < 1) {
        fprintf(stderr, "resampler_native: trials 1 .. %d, quanta >= 1\n", MAX_TRIALS);
        return 2;
    }
    for (c = 0; c < CHANNELS; ++c) {
        uint32_t seed = 0x9e3779b9u * (c + 1u);
        g_signal[c] = malloc(sizeof(float) * SIGNAL);
        for (i = 0; i < SIGNAL; ++i) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            g_signal[c][i] = (float)(0.3 * sin(2.0 * PI * (220.0 + 110.0 * c) * i / 44100.0) +
                                     0.1 * sin(2.0 * PI * 5000.0 * i / 44100.0) +
                                     0.05 * ((double)seed / 4294967296.0 - 0.5));
        }
    }
    for (v = 0; v < V_COUNT; ++v) {
        make(&benches[v], &VARIANTS[v]);
        failed |= run(&benches[v], quanta / 2u + 1u);
    }
    for (t = 0; t < trials; ++t) {
        for (v = 0; v < V_COUNT; ++v) {
            size_t w = ((size_t)t + v) % V_COUNT;
            double t0 = clock_ns(CLOCK_MONOTONIC);
            double c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
            failed |= run(&benches[w], quanta);
            cpu[w][t] = (clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0) / quanta;
            samples[w][t] = (clock_ns(CLOCK_MONOTONIC) - t0) / quanta;
        }
    }
    printf("resampler, native: %u-frame stereo quanta, %d trials x %u quanta per variant\n", FRAMES,
           trials, quanta);
    printf("%-58s %12s %12s\n", "variant", "ns/q median", "cpu median");
    for (v = 0; v < V_COUNT; ++v) {
        printf("%-58s %12.1f %12.1f\n", VARIANTS[v].label, median(samples[v], trials),
               median(cpu[v], trials));
    }
    printf("{\"bench\":\"resampler-native\",\"compiler\":\"%s\",\"trials\":%d,\"quanta\":%u,"
           "\"ok\":%s,\"samples\":{",
#ifdef __clang__
           "clang " __clang_version__,
#else
           "gcc " __VERSION__,
#endif
           trials, quanta, failed ? "false" : "true");
    for (i = 0; i < 2; ++i) {
        if (i == 1) {
            printf("},\"cpuSamples\":{");
        }
        for (v = 0; v < V_COUNT; ++v) {
            printf("%s\"%s\":[", v ? "," : "", VARIANTS[v].key);
            for (t = 0; t < trials; ++t) {
                printf("%s%.3f", t ? "," : "", i == 0 ? samples[v][t] : cpu[v][t]);
            }
            printf("]");
        }
    }
    printf("}}\n");
    for (v = 0; v < V_COUNT; ++v) {
        free(benches[v].heap);
    }
    for (c = 0; c < CHANNELS; ++c) {
        free(g_signal[c]);
    }
    return failed ? 1 : 0;
}
