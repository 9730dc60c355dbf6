/*
 * Two-thread stress test of the ringlet SPSC ring.
 *
 * A producer thread writes sequence-numbered stereo frames (channel 0 holds
 * seq & 0xFFFF, channel 1 holds seq >> 16, both exact in a float, so up to 2^32
 * frames stay exact) in pseudo-random chunk sizes, picking interleaved or
 * planar at random per call; a consumer thread reads in pseudo-random chunk
 * sizes, also mixing both kinds of call, and checks that every frame arrives
 * once and in order. The ring is small and its indices start just below 2^32,
 * so wrap, full and empty are hit constantly. The producer closes the ring at the end;
 * the consumer finishes on RL_CLOSED and must have seen every frame.
 *
 * After the long stream, many short streams each end in a close, to exercise
 * the hand-over of the last frames against the close flag.
 *
 * Environment:
 *   RL_STRESS_FRAMES  frames in the long stream (default 2000000, max 2^32)
 *   RL_STRESS_ROUNDS  number of short streams (default 2000)
 *   RL_SEED           seed (decimal or 0x-hex); printed at start and on failure
 *
 * On a full or empty ring a side polls again, calling sched_yield() every 16th
 * poll (polling in between keeps the consumer inside its read call when the
 * last frames and the close land). A side that makes no progress for
 * STALL_SECONDS of wall time fails the test. The default seed comes from the
 * clock; the interleaving of the threads cannot be replayed anyway.
 */
#define _POSIX_C_SOURCE 200809L

#include "ringlet.h"
#include "internal.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHANNELS 2u
#define CAPACITY 1024u
#define MAX_CHUNK (CAPACITY + CAPACITY / 2u) /* larger than the ring: partial moves */
#define STALL_SECONDS 10.0
#define DEFAULT_FRAMES 2000000ull
#define DEFAULT_ROUNDS 2000ull

typedef struct stream {
    rl_ring* ring;
    uint64_t frames; /* total frames the producer sends */
    uint64_t seed;
    int drain_before_last; /* producer waits for an empty ring before its last chunk */
    atomic_int abort;      /* set by whichever side fails */
    /* Producer results; `produced` and `consumed` are also read by the other
     * side for its stall report. */
    _Atomic uint64_t produced;
    uint64_t write_calls;
    uint64_t full_spins;
    int producer_ok;
    /* Consumer results. */
    _Atomic uint64_t consumed;
    uint64_t read_calls;
    uint64_t empty_spins;
    int consumer_ok;
} stream;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* xorshift64*. */
static uint64_t rng_next(uint64_t* s) {
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Mostly small chunks, often mid-sized, sometimes larger than the ring. */
static uint32_t rng_chunk(uint64_t* s) {
    uint64_t r = rng_next(s);
    uint32_t pick = (uint32_t)(r & 3u);
    uint32_t v = (uint32_t)(r >> 32);
    if (pick == 0) {
        return 1u + v % 16u;
    }
    if (pick == 1) {
        return 1u + v % 256u;
    }
    return 1u + v % MAX_CHUNK;
}

static float seq_lo(uint64_t seq) {
    return (float)(uint32_t)(seq & 0xFFFFu);
}

static float seq_hi(uint64_t seq) {
    return (float)(uint32_t)((seq >> 16) & 0xFFFFu);
}

/* Both halves are integers below 2^16, exact in a float: the pair decodes to
 * the sequence number for every frame of a stream of up to 2^32 frames. */
static int encoding_is_exact(void) {
    static const uint64_t probes[] = {0u,          1u,         0xFFFFu,     0x10000u,
                                      0x12345678u, 100000000u, 0xFFFFFFFEu, 0xFFFFFFFFu};
    size_t i;
    for (i = 0; i < sizeof probes / sizeof probes[0]; ++i) {
        uint64_t back = (uint64_t)seq_hi(probes[i]) * 65536u + (uint64_t)seq_lo(probes[i]);
        if (back != probes[i]) {
            fprintf(stderr, "test_stress: frame %llu encodes as %llu\n",
                    (unsigned long long)probes[i], (unsigned long long)back);
            return 0;
        }
    }
    return 1;
}

/* Spins once on a full/empty ring. Returns 0 if the stream must stop: the
 * other side failed, or this side has made no progress for STALL_SECONDS. */
static int spin_wait(stream* s, const char* who, uint64_t* spins, double* last_progress) {
    ++*spins;
    if (atomic_load(&s->abort)) {
        return 0;
    }
    if ((*spins & 63u) == 0 && now_seconds() - *last_progress > STALL_SECONDS) {
        fprintf(stderr,
                "test_stress: %s made no progress for %.0f s (produced %llu, consumed %llu of "
                "%llu, available_read %u); seed 0x%llX\n",
                who, STALL_SECONDS, (unsigned long long)atomic_load(&s->produced),
                (unsigned long long)atomic_load(&s->consumed), (unsigned long long)s->frames,
                rl_ring_available_read(s->ring), (unsigned long long)s->seed);
        atomic_store(&s->abort, 1);
        return 0;
    }
    if ((*spins & 15u) == 0) {
        sched_yield();
    }
    return 1;
}

static void* producer_main(void* arg) {
    stream* s = (stream*)arg;
    float inter[MAX_CHUNK * CHANNELS];
    float plane0[MAX_CHUNK];
    float plane1[MAX_CHUNK];
    const float* planes[CHANNELS];
    uint64_t rng = s->seed ^ 0x50524F44554345ULL; /* "PRODUCE" */
    uint64_t next = 0;                            /* first frame not yet written */
    uint32_t chunk = 0;                           /* frames in the buffers */
    uint32_t pos = 0;                             /* of which already written */
    double last_progress = now_seconds();
    planes[0] = plane0;
    planes[1] = plane1;
    s->producer_ok = 1;
    while (next < s->frames) {
        uint32_t n = 0;
        rl_result r;
        uint32_t i;
        if (pos == chunk) {
            /* A new chunk: the same frames in both layouts, so each call can
             * pick either one. */
            chunk = rng_chunk(&rng);
            if (chunk > s->frames - next) {
                chunk = (uint32_t)(s->frames - next);
            }
            pos = 0;
            if (s->drain_before_last && next + chunk == s->frames) {
                /* Let the consumer drain and poll the empty ring, so that the
                 * last write and the close land while it is mid-read. */
                double wait_start = now_seconds();
                while (rl_ring_available_read(s->ring) != 0) {
                    if (!spin_wait(s, "producer (drain)", &s->full_spins, &wait_start)) {
                        s->producer_ok = 0;
                        break;
                    }
                }
                if (!s->producer_ok) {
                    break;
                }
            }
            for (i = 0; i < chunk; ++i) {
                float lo = seq_lo(next + i);
                float hi = seq_hi(next + i);
                inter[i * CHANNELS] = lo;
                inter[i * CHANNELS + 1u] = hi;
                plane0[i] = lo;
                plane1[i] = hi;
            }
        }
        if (rng_next(&rng) & 1u) {
            const float* p[CHANNELS];
            p[0] = planes[0] + pos;
            p[1] = planes[1] + pos;
            r = rl_ring_write_planar(s->ring, p, chunk - pos, &n);
        } else {
            r = rl_ring_write(s->ring, inter + (size_t)pos * CHANNELS, chunk - pos, &n);
        }
        ++s->write_calls;
        if (r != RL_OK || n > chunk - pos) {
            fprintf(stderr, "test_stress: write returned %s, %u of %u frames; seed 0x%llX\n",
                    rl_result_string(r), n, chunk - pos, (unsigned long long)s->seed);
            s->producer_ok = 0;
            atomic_store(&s->abort, 1);
            break;
        }
        if (n > 0) {
            pos += n;
            next += n;
            atomic_store_explicit(&s->produced, next, memory_order_relaxed);
            last_progress = now_seconds();
        } else if (!spin_wait(s, "producer", &s->full_spins, &last_progress)) {
            s->producer_ok = 0;
            break;
        }
    }
    /* Always close: it ends the consumer, also after a failure. */
    rl_ring_close(s->ring);
    return NULL;
}

static void* consumer_main(void* arg) {
    stream* s = (stream*)arg;
    float inter[MAX_CHUNK * CHANNELS];
    float plane0[MAX_CHUNK];
    float plane1[MAX_CHUNK];
    float* planes[CHANNELS];
    uint64_t rng = s->seed ^ 0x434F4E53554D45ULL; /* "CONSUME" */
    uint64_t expected = 0;
    double last_progress = now_seconds();
    planes[0] = plane0;
    planes[1] = plane1;
    s->consumer_ok = 1;
    for (;;) {
        uint32_t want = rng_chunk(&rng);
        int planar = (int)(rng_next(&rng) & 1u);
        uint32_t n = 0;
        uint32_t i;
        rl_result r = planar ? rl_ring_read_planar(s->ring, planes, want, &n)
                             : rl_ring_read(s->ring, inter, want, &n);
        ++s->read_calls;
        if (r == RL_CLOSED) {
            if (n != 0) {
                fprintf(stderr, "test_stress: RL_CLOSED with %u frames read\n", n);
                s->consumer_ok = 0;
            }
            break;
        }
        if (r != RL_OK || n > want) {
            fprintf(stderr, "test_stress: read returned %s, %u of %u frames; seed 0x%llX\n",
                    rl_result_string(r), n, want, (unsigned long long)s->seed);
            s->consumer_ok = 0;
            break;
        }
        for (i = 0; i < n; ++i) {
            uint64_t seq = expected + i;
            float lo = planar ? plane0[i] : inter[i * CHANNELS];
            float hi = planar ? plane1[i] : inter[i * CHANNELS + 1u];
            if (lo != seq_lo(seq) || hi != seq_hi(seq)) {
                fprintf(stderr,
                        "test_stress: frame %llu arrived as (%.0f, %.0f), i.e. frame %llu "
                        "(%s read of %u, frame %u of it); seed 0x%llX\n",
                        (unsigned long long)seq, (double)lo, (double)hi,
                        (unsigned long long)((uint64_t)hi * 65536u + (uint64_t)lo),
                        planar ? "planar" : "interleaved", n, i, (unsigned long long)s->seed);
                s->consumer_ok = 0;
                break;
            }
        }
        if (!s->consumer_ok) {
            break;
        }
        if (n > 0) {
            expected += n;
            atomic_store_explicit(&s->consumed, expected, memory_order_relaxed);
            last_progress = now_seconds();
        } else if (!spin_wait(s, "consumer", &s->empty_spins, &last_progress)) {
            s->consumer_ok = 0;
            break;
        }
    }
    if (s->consumer_ok && expected != s->frames) {
        fprintf(stderr,
                "test_stress: stream ended after %llu of %llu frames (lost %llu); seed 0x%llX\n",
                (unsigned long long)expected, (unsigned long long)s->frames,
                (unsigned long long)(s->frames - expected), (unsigned long long)s->seed);
        s->consumer_ok = 0;
    }
    if (!s->consumer_ok) {
        atomic_store(&s->abort, 1);
    }
    return NULL;
}

/* Runs one stream of `frames` through a fresh ring whose indices start at
 * `start`. Returns 1 on success. */
static int run_stream(void* mem, size_t size, uint64_t frames, uint64_t seed, uint32_t start,
                      int drain_before_last, stream* s, double* seconds) {
    rl_ring_config cfg = rl_ring_config_init(CHANNELS, CAPACITY);
    pthread_t prod;
    pthread_t cons;
    double t0;
    memset(s, 0, sizeof *s);
    atomic_init(&s->abort, 0);
    atomic_init(&s->produced, 0);
    atomic_init(&s->consumed, 0);
    if (rl_ring_init_preallocated(&cfg, mem, size, &s->ring) != RL_OK) {
        fprintf(stderr, "test_stress: ring init failed\n");
        return 0;
    }
    /* Start just below 2^32 so the free-running indices wrap early. Done
     * before the threads exist, so it is ordered before all their accesses. */
    atomic_store(&s->ring->write_index, start);
    atomic_store(&s->ring->read_index, start);
    s->frames = frames;
    s->seed = seed;
    s->drain_before_last = drain_before_last;
    t0 = now_seconds();
    if (pthread_create(&cons, NULL, consumer_main, s) != 0) {
        fprintf(stderr, "test_stress: pthread_create failed\n");
        return 0;
    }
    if (pthread_create(&prod, NULL, producer_main, s) != 0) {
        fprintf(stderr, "test_stress: pthread_create failed\n");
        atomic_store(&s->abort, 1);
        rl_ring_close(s->ring);
        pthread_join(cons, NULL);
        return 0;
    }
    pthread_join(prod, NULL);
    pthread_join(cons, NULL);
    *seconds = now_seconds() - t0;
    rl_ring_uninit(s->ring);
    return s->producer_ok && s->consumer_ok && !atomic_load(&s->abort) &&
           atomic_load(&s->consumed) == frames && atomic_load(&s->produced) == frames;
}

static uint64_t env_u64(const char* name, uint64_t fallback) {
    const char* v = getenv(name);
    if (v == NULL || v[0] == '\0') {
        return fallback;
    }
    return (uint64_t)strtoull(v, NULL, 0);
}

int main(void) {
    rl_ring_config cfg = rl_ring_config_init(CHANNELS, CAPACITY);
    uint64_t frames = env_u64("RL_STRESS_FRAMES", DEFAULT_FRAMES);
    uint64_t rounds = env_u64("RL_STRESS_ROUNDS", DEFAULT_ROUNDS);
    uint64_t seed = env_u64("RL_SEED", (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL);
    uint64_t rng;
    size_t size = 0;
    void* mem;
    stream* s;
    double seconds = 0.0;
    uint64_t round;
    uint64_t short_frames = 0;
    int ok;

    if (seed == 0) {
        seed = 1;
    }
    if (!encoding_is_exact()) {
        return 1;
    }
    if (frames == 0 || frames > ((uint64_t)1 << 32)) {
        fprintf(stderr, "test_stress: RL_STRESS_FRAMES must be 1 .. 2^32\n");
        return 2;
    }
    printf("test_stress: seed 0x%llX (set RL_SEED to repeat), %llu frames, %llu short streams\n",
           (unsigned long long)seed, (unsigned long long)frames, (unsigned long long)rounds);
    fflush(stdout);
    if (rl_ring_get_heap_size(&cfg, &size) != RL_OK) {
        return 2;
    }
    mem = aligned_alloc(64, (size + 63u) & ~(size_t)63u);
    s = (stream*)malloc(sizeof *s);
    if (mem == NULL || s == NULL) {
        return 2;
    }
    rng = seed;

    /* The long stream. */
    ok = run_stream(mem, size, frames, seed, 0xFFFFF000u, 0, s, &seconds);
    printf("test_stress: %llu frames in %.3f s = %.0f frames/s; %llu writes (%llu overruns, "
           "%llu full spins), %llu reads (%llu underruns, %llu empty spins)\n",
           (unsigned long long)atomic_load(&s->consumed), seconds,
           seconds > 0.0 ? (double)atomic_load(&s->consumed) / seconds : 0.0,
           (unsigned long long)s->write_calls, (unsigned long long)rl_ring_overruns(s->ring),
           (unsigned long long)s->full_spins, (unsigned long long)s->read_calls,
           (unsigned long long)rl_ring_underruns(s->ring), (unsigned long long)s->empty_spins);
    if (!ok) {
        fprintf(stderr, "test_stress: long stream FAILED; seed 0x%llX\n", (unsigned long long)seed);
    }

    /* Short streams: each ends in a close racing with the consumer. */
    for (round = 0; ok && round < rounds; ++round) {
        uint64_t round_seed = rng_next(&rng) | 1u;
        uint64_t n = 1u + rng_next(&rng) % (4u * CAPACITY);
        uint32_t start = 0u - (uint32_t)(rng_next(&rng) % (8u * CAPACITY));
        double t = 0.0;
        ok = run_stream(mem, size, n, round_seed, start, 1, s, &t);
        short_frames += atomic_load(&s->consumed);
        if (!ok) {
            fprintf(stderr,
                    "test_stress: short stream %llu of %llu frames FAILED (got %llu); seed "
                    "0x%llX, stream seed 0x%llX\n",
                    (unsigned long long)round, (unsigned long long)n,
                    (unsigned long long)atomic_load(&s->consumed), (unsigned long long)seed,
                    (unsigned long long)round_seed);
        }
    }
    if (ok) {
        printf("test_stress: %llu short streams, %llu frames, all complete and in order\n",
               (unsigned long long)rounds, (unsigned long long)short_frames);
    }

    free(s);
    free(mem);
    printf("test_stress: %s\n", ok ? "passed" : "FAILED");
    return ok ? 0 : 1;
}
