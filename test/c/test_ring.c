/*
 * Unit tests for the ringlet SPSC ring (csrc/ring.c).
 *
 * Self-contained: a tiny check macro, no framework. Every failing check prints
 * file:line and the expression; main returns non-zero if anything failed.
 * Includes the private "internal.h" only to move the free-running indices
 * close to 2^32 for the wrap tests.
 *
 * RL_SEED=<n> (decimal or 0x-hex) overrides the seed of the random model test.
 */
#include "ringlet.h"
#include "internal.h"

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

#define SENTINEL (-12345.25f)

/* An exact float unique per (frame mod 65536, channel): at most 22 bits. */
static float pattern(uint32_t frame, uint32_t channel) {
    return (float)(((frame & 0xFFFFu) << 5) | channel) + 0.5f;
}

/* Creates a ring in a fresh block; `*mem` must be freed by the caller. */
static rl_ring* make_ring(uint32_t channels, uint32_t capacity, void** mem) {
    rl_ring_config cfg = rl_ring_config_init(channels, capacity);
    size_t size = 0;
    rl_ring* ring = NULL;
    *mem = NULL;
    if (!CHECK_EQ(rl_ring_get_heap_size(&cfg, &size), RL_OK)) {
        return NULL;
    }
    *mem = alloc64(size);
    if (!CHECK_EQ(rl_ring_init_preallocated(&cfg, *mem, size, &ring), RL_OK) ||
        !CHECK(ring != NULL)) {
        free(*mem);
        *mem = NULL;
        return NULL;
    }
    return ring;
}

/* Moves both free-running indices (ring must be empty and idle). */
static void set_indices(rl_ring* ring, uint32_t index) {
    atomic_store(&ring->write_index, index);
    atomic_store(&ring->read_index, index);
}

static uint32_t raw_write_index(rl_ring* ring) {
    return atomic_load(&ring->write_index);
}

static uint32_t raw_read_index(rl_ring* ring) {
    return atomic_load(&ring->read_index);
}

static uint32_t rng_below(uint64_t* s, uint32_t n) {
    return n == 0 ? 0u : (uint32_t)((rng_next(s) >> 32) % n);
}

/* Fills `frames` interleaved frames starting at sequence `first`. */
static void fill_interleaved(float* buf, uint32_t channels, uint32_t first, uint32_t frames) {
    uint32_t i;
    uint32_t c;
    for (i = 0; i < frames; ++i) {
        for (c = 0; c < channels; ++c) {
            buf[(size_t)i * channels + c] = pattern(first + i, c);
        }
    }
}

static void fill_planar(float* const* planes, uint32_t channels, uint32_t first, uint32_t frames) {
    uint32_t i;
    uint32_t c;
    for (c = 0; c < channels; ++c) {
        for (i = 0; i < frames; ++i) {
            planes[c][i] = pattern(first + i, c);
        }
    }
}

static void fill_value(float* buf, size_t n, float v) {
    size_t i;
    for (i = 0; i < n; ++i) {
        buf[i] = v;
    }
}

/* Number of samples that differ from the pattern; reports the first one. */
static uint32_t diff_interleaved(const float* buf, uint32_t channels, uint32_t first,
                                 uint32_t frames) {
    uint32_t bad = 0;
    uint32_t i;
    uint32_t c;
    for (i = 0; i < frames; ++i) {
        for (c = 0; c < channels; ++c) {
            float got = buf[(size_t)i * channels + c];
            if (got != pattern(first + i, c)) {
                if (bad == 0) {
                    fprintf(stderr, "  interleaved frame %u ch %u: got %.2f want %.2f\n", i, c,
                            (double)got, (double)pattern(first + i, c));
                }
                ++bad;
            }
        }
    }
    return bad;
}

static uint32_t diff_planar(float* const* planes, uint32_t channels, uint32_t first,
                            uint32_t frames) {
    uint32_t bad = 0;
    uint32_t i;
    uint32_t c;
    for (c = 0; c < channels; ++c) {
        for (i = 0; i < frames; ++i) {
            if (planes[c][i] != pattern(first + i, c)) {
                if (bad == 0) {
                    fprintf(stderr, "  planar frame %u ch %u: got %.2f want %.2f\n", i, c,
                            (double)planes[c][i], (double)pattern(first + i, c));
                }
                ++bad;
            }
        }
    }
    return bad;
}

static uint32_t count_not(const float* buf, size_t n, float v) {
    uint32_t bad = 0;
    size_t i;
    for (i = 0; i < n; ++i) {
        bad += buf[i] != v;
    }
    return bad;
}

/* ------------------------------------------------------------------------ */
/* Config validation                                                        */
/* ------------------------------------------------------------------------ */

static rl_result heap_size_of(uint32_t channels, uint32_t capacity, size_t* size) {
    rl_ring_config cfg = rl_ring_config_init(channels, capacity);
    return rl_ring_get_heap_size(&cfg, size);
}

static void test_config(void) {
    size_t size = 123;
    rl_ring_config cfg = rl_ring_config_init(3, 512);
    CHECK_EQ(cfg.channels, 3);
    CHECK_EQ(cfg.capacity_frames, 512);

    /* Channels. */
    CHECK_EQ(heap_size_of(0, 256, &size), RL_INVALID_ARGS);
    CHECK_EQ(size, 0);
    CHECK_EQ(heap_size_of(33, 256, &size), RL_INVALID_ARGS);
    CHECK_EQ(heap_size_of(UINT32_MAX, 256, &size), RL_INVALID_ARGS);
    CHECK_EQ(heap_size_of(1, 256, &size), RL_OK);
    CHECK_EQ(heap_size_of(32, 256, &size), RL_OK);
    CHECK_EQ(size, RL_RING_HEADER_BYTES + 256u * 32u * 4u);

    /* Capacities: power of two within [256, 2^24]. */
    CHECK_EQ(heap_size_of(1, 255, &size), RL_INVALID_ARGS);
    CHECK_EQ(heap_size_of(1, 257, &size), RL_INVALID_ARGS);
    CHECK_EQ(heap_size_of(1, 384, &size), RL_INVALID_ARGS);
    CHECK_EQ(heap_size_of(1, 128, &size), RL_INVALID_ARGS);
    CHECK_EQ(heap_size_of(1, 0, &size), RL_INVALID_ARGS);
    CHECK_EQ(heap_size_of(1, 1u << 25, &size), RL_INVALID_ARGS);
    CHECK_EQ(heap_size_of(1, 1u << 31, &size), RL_INVALID_ARGS);
    CHECK_EQ(heap_size_of(1, UINT32_MAX, &size), RL_INVALID_ARGS);
    CHECK_EQ(heap_size_of(1, 256, &size), RL_OK);
    CHECK_EQ(size, RL_RING_HEADER_BYTES + 256u * 4u);
    CHECK_EQ(heap_size_of(1, 1u << 24, &size), RL_OK);
    CHECK_EQ(size, (size_t)RL_RING_HEADER_BYTES + ((size_t)1 << 24) * 4u);
    CHECK_EQ(heap_size_of(7, 4096, &size), RL_OK);
    CHECK_EQ(size, RL_RING_HEADER_BYTES + 4096u * 7u * 4u);

    /* Storage limit: capacity * channels * 4 <= 64 MiB. */
    CHECK_EQ(heap_size_of(2, 1u << 24, &size), RL_INVALID_ARGS);
    CHECK_EQ(size, 0);
    CHECK_EQ(heap_size_of(32, 1u << 24, &size), RL_INVALID_ARGS);
    CHECK_EQ(heap_size_of(16, 1u << 20, &size), RL_OK); /* exactly 64 MiB */
    CHECK_EQ(size, (size_t)RL_RING_HEADER_BYTES + RL_RING_MAX_DATA_BYTES);
    CHECK_EQ(heap_size_of(17, 1u << 20, &size), RL_INVALID_ARGS);
    CHECK_EQ(heap_size_of(32, 1u << 19, &size), RL_OK);
    CHECK_EQ(heap_size_of(32, 1u << 20, &size), RL_INVALID_ARGS);

    /* NULL arguments. */
    CHECK_EQ(rl_ring_get_heap_size(NULL, &size), RL_INVALID_ARGS);
    CHECK_EQ(rl_ring_get_heap_size(&cfg, NULL), RL_INVALID_ARGS);
}

static void test_init(void) {
    rl_ring_config cfg = rl_ring_config_init(2, 256);
    rl_ring_config bad = rl_ring_config_init(0, 256);
    size_t need = 0;
    unsigned char* mem;
    rl_ring* ring = (rl_ring*)(uintptr_t)1;

    CHECK_EQ(rl_ring_get_heap_size(&cfg, &need), RL_OK);
    CHECK_EQ(need, RL_RING_HEADER_BYTES + 256u * 2u * 4u);
    mem = (unsigned char*)alloc64(need + 64);

    /* Too small, misaligned, bad config, NULL arguments. */
    CHECK_EQ(rl_ring_init_preallocated(&cfg, mem, need - 1, &ring), RL_OUT_OF_MEMORY);
    CHECK(ring == NULL);
    CHECK_EQ(rl_ring_init_preallocated(&cfg, mem, 0, &ring), RL_OUT_OF_MEMORY);
    CHECK_EQ(rl_ring_init_preallocated(&cfg, mem + 4, need, &ring), RL_INVALID_ARGS);
    CHECK_EQ(rl_ring_init_preallocated(&cfg, mem + 32, need, &ring), RL_INVALID_ARGS);
    CHECK(ring == NULL);
    CHECK_EQ(rl_ring_init_preallocated(&bad, mem, need, &ring), RL_INVALID_ARGS);
    CHECK_EQ(rl_ring_init_preallocated(NULL, mem, need, &ring), RL_INVALID_ARGS);
    CHECK_EQ(rl_ring_init_preallocated(&cfg, NULL, need, &ring), RL_INVALID_ARGS);
    CHECK(ring == NULL);
    CHECK_EQ(rl_ring_init_preallocated(&cfg, mem, need, NULL), RL_INVALID_ARGS);

    /* Exactly big enough, on a dirty block: header fields and empty state. */
    memset(mem, 0xA5, need + 64);
    CHECK_EQ(rl_ring_init_preallocated(&cfg, mem, need, &ring), RL_OK);
    CHECK(ring == (rl_ring*)(void*)mem);
    CHECK_EQ(rl_ring_channels(ring), 2);
    CHECK_EQ(rl_ring_capacity(ring), 256);
    CHECK_EQ(rl_ring_available_read(ring), 0);
    CHECK_EQ(rl_ring_available_write(ring), 256);
    CHECK_EQ(rl_ring_underruns(ring), 0);
    CHECK_EQ(rl_ring_overruns(ring), 0);
    CHECK_EQ(rl_ring_is_closed(ring), 0);
    {
        uint32_t magic;
        uint32_t version;
        uint32_t data;
        memcpy(&magic, mem + RL_RING_OFFSET_MAGIC, 4);
        memcpy(&version, mem + RL_RING_OFFSET_LAYOUT_VERSION, 4);
        memcpy(&data, mem + RL_RING_OFFSET_DATA, 4);
        CHECK_EQ(magic, RL_RING_MAGIC);
        CHECK_EQ(version, RL_RING_LAYOUT_VERSION);
        CHECK_EQ(data, RL_RING_HEADER_BYTES);
        CHECK_EQ(mem[need], 0xA5); /* nothing past the block is touched */
    }
    rl_ring_uninit(ring);

    /* Larger than needed is fine. */
    CHECK_EQ(rl_ring_init_preallocated(&cfg, mem, need + 64, &ring), RL_OK);
    rl_ring_uninit(ring);
    free(mem);

    /* The largest ring: 2^24 mono frames, 64 MiB of storage. */
    {
        rl_ring_config big = rl_ring_config_init(1, RL_RING_MAX_CAPACITY);
        float frame[1] = {7.5f};
        float out[1] = {0.0f};
        uint32_t n = 0;
        CHECK_EQ(rl_ring_get_heap_size(&big, &need), RL_OK);
        mem = (unsigned char*)alloc64(need);
        CHECK_EQ(rl_ring_init_preallocated(&big, mem, need, &ring), RL_OK);
        if (ring != NULL) {
            CHECK_EQ(rl_ring_available_write(ring), RL_RING_MAX_CAPACITY);
            set_indices(ring, 0xFFFFFFFFu);
            CHECK_EQ(rl_ring_write(ring, frame, 1, &n), RL_OK);
            CHECK_EQ(n, 1);
            CHECK_EQ(rl_ring_available_write(ring), RL_RING_MAX_CAPACITY - 1u);
            CHECK_EQ(rl_ring_read(ring, out, 1, &n), RL_OK);
            CHECK(out[0] == 7.5f);
            CHECK_EQ(raw_read_index(ring), 0);
            rl_ring_uninit(ring);
        }
        free(mem);
    }
}

/* ------------------------------------------------------------------------ */
/* Round trips for every channel count                                      */
/* ------------------------------------------------------------------------ */

#define RT_CAP 256u
#define RT_FRAMES 200u

static float g_inter[RT_CAP * 2u * RL_RING_MAX_CHANNELS];
static float g_planes[RL_RING_MAX_CHANNELS][RT_CAP * 2u];

static void test_channels_roundtrip(void) {
    float* planes[RL_RING_MAX_CHANNELS];
    uint32_t ch;
    uint32_t c;
    for (c = 0; c < RL_RING_MAX_CHANNELS; ++c) {
        planes[c] = g_planes[c];
    }
    for (ch = RL_RING_MIN_CHANNELS; ch <= RL_RING_MAX_CHANNELS; ++ch) {
        void* mem;
        rl_ring* ring = make_ring(ch, RT_CAP, &mem);
        uint32_t seq = 0;
        uint32_t n = 0;
        int variant;
        if (ring == NULL) {
            continue;
        }
        CHECK_EQ(rl_ring_channels(ring), ch);
        /* 0: inter->inter, 1: planar->planar, 2: inter->planar, 3: planar->inter.
         * 200 frames per pass on a 256-frame ring, so later passes wrap. */
        for (variant = 0; variant < 4; ++variant) {
            int write_planar = variant == 1 || variant == 3;
            int read_planar = variant == 1 || variant == 2;
            if (write_planar) {
                fill_planar(planes, ch, seq, RT_FRAMES);
                CHECK_EQ(rl_ring_write_planar(ring, (const float* const*)planes, RT_FRAMES, &n),
                         RL_OK);
            } else {
                fill_interleaved(g_inter, ch, seq, RT_FRAMES);
                CHECK_EQ(rl_ring_write(ring, g_inter, RT_FRAMES, &n), RL_OK);
            }
            CHECK_EQ(n, RT_FRAMES);
            CHECK_EQ(rl_ring_available_read(ring), RT_FRAMES);
            CHECK_EQ(rl_ring_available_write(ring), RT_CAP - RT_FRAMES);
            fill_value(g_inter, (size_t)RT_CAP * 2u * ch, SENTINEL);
            for (c = 0; c < ch; ++c) {
                fill_value(planes[c], RT_CAP * 2u, SENTINEL);
            }
            if (read_planar) {
                CHECK_EQ(rl_ring_read_planar(ring, planes, RT_FRAMES, &n), RL_OK);
                CHECK_EQ(n, RT_FRAMES);
                if (!CHECK_EQ(diff_planar(planes, ch, seq, RT_FRAMES), 0)) {
                    fprintf(stderr, "  channels %u variant %d\n", ch, variant);
                }
                for (c = 0; c < ch; ++c) {
                    CHECK_EQ(count_not(planes[c] + RT_FRAMES, RT_CAP * 2u - RT_FRAMES, SENTINEL),
                             0);
                }
            } else {
                CHECK_EQ(rl_ring_read(ring, g_inter, RT_FRAMES, &n), RL_OK);
                CHECK_EQ(n, RT_FRAMES);
                if (!CHECK_EQ(diff_interleaved(g_inter, ch, seq, RT_FRAMES), 0)) {
                    fprintf(stderr, "  channels %u variant %d\n", ch, variant);
                }
                CHECK_EQ(count_not(g_inter + (size_t)RT_FRAMES * ch,
                                   (size_t)(RT_CAP * 2u - RT_FRAMES) * ch, SENTINEL),
                         0);
            }
            CHECK_EQ(rl_ring_available_read(ring), 0);
            seq += RT_FRAMES;
        }
        CHECK_EQ(rl_ring_underruns(ring), 0);
        CHECK_EQ(rl_ring_overruns(ring), 0);
        rl_ring_uninit(ring);
        free(mem);
    }
}

/* ------------------------------------------------------------------------ */
/* Partial moves, full and empty                                            */
/* ------------------------------------------------------------------------ */

static void partial_moves_at(uint32_t start) {
    const uint32_t ch = 3;
    const uint32_t cap = 256;
    static float buf[512 * 3];
    float* planes[3];
    static float pl[3][512];
    void* mem;
    rl_ring* ring = make_ring(ch, cap, &mem);
    uint32_t n = 99;
    uint32_t c;
    if (ring == NULL) {
        return;
    }
    for (c = 0; c < ch; ++c) {
        planes[c] = pl[c];
    }
    set_indices(ring, start);

    /* Empty. Zero-frame moves are no-ops and count nothing. */
    CHECK_EQ(rl_ring_available_read(ring), 0);
    CHECK_EQ(rl_ring_available_write(ring), cap);
    CHECK_EQ(rl_ring_write(ring, buf, 0, &n), RL_OK);
    CHECK_EQ(n, 0);
    CHECK_EQ(rl_ring_read(ring, buf, 0, &n), RL_OK);
    CHECK_EQ(n, 0);
    CHECK_EQ(rl_ring_overruns(ring), 0);
    CHECK_EQ(rl_ring_underruns(ring), 0);

    /* Read from empty: nothing moved, one underrun per short read. */
    fill_value(buf, sizeof buf / sizeof buf[0], SENTINEL);
    CHECK_EQ(rl_ring_read(ring, buf, 10, &n), RL_OK);
    CHECK_EQ(n, 0);
    CHECK_EQ(rl_ring_underruns(ring), 1);
    CHECK_EQ(count_not(buf, sizeof buf / sizeof buf[0], SENTINEL), 0);
    CHECK_EQ(rl_ring_read_planar(ring, planes, 10, &n), RL_OK);
    CHECK_EQ(n, 0);
    CHECK_EQ(rl_ring_underruns(ring), 2);

    /* Overfill: exactly available_write frames move, one overrun. */
    fill_interleaved(buf, ch, 0, 300);
    CHECK_EQ(rl_ring_write(ring, buf, 300, &n), RL_OK);
    CHECK_EQ(n, cap);
    CHECK_EQ(rl_ring_overruns(ring), 1);
    CHECK_EQ(rl_ring_available_read(ring), cap);
    CHECK_EQ(rl_ring_available_write(ring), 0);
    CHECK_EQ(raw_write_index(ring), start + cap);

    /* Full: nothing moves, one overrun per short write (planar too). */
    CHECK_EQ(rl_ring_write(ring, buf, 1, &n), RL_OK);
    CHECK_EQ(n, 0);
    CHECK_EQ(rl_ring_overruns(ring), 2);
    fill_planar(planes, ch, 1000, 5);
    CHECK_EQ(rl_ring_write_planar(ring, (const float* const*)planes, 5, &n), RL_OK);
    CHECK_EQ(n, 0);
    CHECK_EQ(rl_ring_overruns(ring), 3);
    CHECK_EQ(rl_ring_write(ring, buf, 0, &n), RL_OK); /* zero is not short */
    CHECK_EQ(rl_ring_overruns(ring), 3);
    CHECK_EQ(rl_ring_available_read(ring), cap);

    /* Over-read: exactly what is there, one underrun, nothing past it. */
    fill_value(buf, sizeof buf / sizeof buf[0], SENTINEL);
    CHECK_EQ(rl_ring_read(ring, buf, 300, &n), RL_OK);
    CHECK_EQ(n, cap);
    CHECK_EQ(rl_ring_underruns(ring), 3);
    CHECK_EQ(diff_interleaved(buf, ch, 0, cap), 0);
    CHECK_EQ(count_not(buf + (size_t)cap * ch, (size_t)(512 - cap) * ch, SENTINEL), 0);
    CHECK_EQ(rl_ring_available_read(ring), 0);
    CHECK_EQ(rl_ring_available_write(ring), cap);
    CHECK_EQ(raw_read_index(ring), start + cap);

    /* Exact fit in both directions counts nothing; planar partial moves. */
    fill_planar(planes, ch, 5000, cap);
    CHECK_EQ(rl_ring_write_planar(ring, (const float* const*)planes, cap, &n), RL_OK);
    CHECK_EQ(n, cap);
    CHECK_EQ(rl_ring_overruns(ring), 3);
    CHECK_EQ(rl_ring_read(ring, buf, 100, &n), RL_OK);
    CHECK_EQ(n, 100);
    CHECK_EQ(diff_interleaved(buf, ch, 5000, 100), 0);
    fill_planar(planes, ch, 5000 + cap, 150);
    CHECK_EQ(rl_ring_write_planar(ring, (const float* const*)planes, 150, &n), RL_OK);
    CHECK_EQ(n, 100);
    CHECK_EQ(rl_ring_overruns(ring), 4);
    CHECK_EQ(rl_ring_available_write(ring), 0);
    for (c = 0; c < ch; ++c) {
        fill_value(planes[c], 512, SENTINEL);
    }
    CHECK_EQ(rl_ring_read_planar(ring, planes, cap, &n), RL_OK);
    CHECK_EQ(n, cap);
    CHECK_EQ(rl_ring_underruns(ring), 3);
    CHECK_EQ(diff_planar(planes, ch, 5100, cap), 0);
    for (c = 0; c < ch; ++c) {
        CHECK_EQ(count_not(planes[c] + cap, 512 - cap, SENTINEL), 0);
    }
    CHECK_EQ(rl_ring_read_planar(ring, planes, 300, &n), RL_OK);
    CHECK_EQ(n, 0);
    CHECK_EQ(rl_ring_underruns(ring), 4);
    CHECK_EQ(rl_ring_available_read(ring), 0);
    CHECK_EQ(rl_ring_available_write(ring), cap);
    CHECK_EQ(raw_write_index(ring), start + 2u * cap + 100u);

    rl_ring_uninit(ring);
    free(mem);
}

static void test_partial_moves(void) {
    partial_moves_at(0);
    partial_moves_at(0xFFFFFF80u); /* full state straddles 2^32 */
    partial_moves_at(0xFFFFFFFFu); /* every slot offset by one */
    partial_moves_at(0x7FFFFFC3u); /* across the sign bit, unaligned slot */
}

/* ------------------------------------------------------------------------ */
/* Wrap of the free-running indices past 2^32                               */
/* ------------------------------------------------------------------------ */

static void wrap_one(uint32_t ch, uint32_t cap, uint32_t start, uint64_t* rng) {
    const uint64_t total = 6u * (uint64_t)cap + 17u;
    float* inter = (float*)malloc(sizeof(float) * cap * ch);
    float* planes[RL_RING_MAX_CHANNELS];
    uint64_t written = 0;
    uint64_t consumed = 0;
    int ok = 1;
    int step = 0;
    uint32_t c;
    void* mem;
    rl_ring* ring = make_ring(ch, cap, &mem);
    if (ring == NULL || inter == NULL) {
        free(inter);
        free(mem);
        return;
    }
    for (c = 0; c < ch; ++c) {
        planes[c] = (float*)malloc(sizeof(float) * cap);
    }
    set_indices(ring, start);
    while (ok && consumed < total) {
        uint32_t fill = (uint32_t)(written - consumed);
        uint32_t want;
        uint32_t n = 0;
        ++step;
        /* Mixed chunk sizes: tiny, medium, exactly the space, more than fits. */
        switch (rng_below(rng, 4)) {
        case 0:
            want = 1 + rng_below(rng, 7);
            break;
        case 1:
            want = 1 + rng_below(rng, cap / 2);
            break;
        case 2:
            want = cap - fill;
            break;
        default:
            want = cap;
            break;
        }
        if (want > total - written) {
            want = (uint32_t)(total - written);
        }
        if (step & 1) {
            fill_planar(planes, ch, (uint32_t)written, want);
            ok &=
                CHECK_EQ(rl_ring_write_planar(ring, (const float* const*)planes, want, &n), RL_OK);
        } else {
            fill_interleaved(inter, ch, (uint32_t)written, want);
            ok &= CHECK_EQ(rl_ring_write(ring, inter, want, &n), RL_OK);
        }
        ok &= CHECK_EQ(n, want < cap - fill ? want : cap - fill);
        written += n;
        ok &= CHECK_EQ(raw_write_index(ring), (uint32_t)(start + (uint32_t)written));
        ok &= CHECK_EQ(rl_ring_available_read(ring), written - consumed);
        ok &= CHECK_EQ(rl_ring_available_write(ring), cap - (written - consumed));

        fill = (uint32_t)(written - consumed);
        switch (rng_below(rng, 3)) {
        case 0:
            want = 1 + rng_below(rng, 7);
            break;
        case 1:
            want = 1 + rng_below(rng, cap);
            break;
        default:
            want = fill;
            break;
        }
        if (step % 3 == 0) {
            ok &= CHECK_EQ(rl_ring_read_planar(ring, planes, want, &n), RL_OK);
            ok &= CHECK_EQ(n, want < fill ? want : fill);
            ok &= CHECK_EQ(diff_planar(planes, ch, (uint32_t)consumed, n), 0);
        } else {
            ok &= CHECK_EQ(rl_ring_read(ring, inter, want, &n), RL_OK);
            ok &= CHECK_EQ(n, want < fill ? want : fill);
            ok &= CHECK_EQ(diff_interleaved(inter, ch, (uint32_t)consumed, n), 0);
        }
        consumed += n;
        ok &= CHECK_EQ(raw_read_index(ring), (uint32_t)(start + (uint32_t)consumed));
        ok &= CHECK_EQ(rl_ring_available_read(ring), written - consumed);
        ok &= CHECK_EQ(rl_ring_available_write(ring), cap - (written - consumed));
    }
    if (!ok) {
        fprintf(stderr, "  wrap: channels %u capacity %u start 0x%08X step %d\n", ch, cap, start,
                step);
    }
    CHECK_EQ(consumed, total);
    /* The stream really crossed 2^32 when it started within `total` of it. */
    if ((uint64_t)start + total > ((uint64_t)1 << 32)) {
        CHECK(raw_write_index(ring) < start);
        CHECK(raw_read_index(ring) < start);
    }
    for (c = 0; c < ch; ++c) {
        free(planes[c]);
    }
    free(inter);
    rl_ring_uninit(ring);
    free(mem);
}

static void test_wrap(void) {
    static const uint32_t channels[] = {1, 2, 3, 8, 32};
    static const uint32_t caps[] = {256, 1024};
    uint64_t rng = 0x9E3779B97F4A7C15ULL;
    size_t i;
    size_t j;
    for (i = 0; i < sizeof channels / sizeof channels[0]; ++i) {
        for (j = 0; j < sizeof caps / sizeof caps[0]; ++j) {
            uint32_t cap = caps[j];
            wrap_one(channels[i], cap, 0xFFFFFF00u, &rng);
            wrap_one(channels[i], cap, 0xFFFFFFFFu - 2u, &rng);
            wrap_one(channels[i], cap, 0u - cap, &rng);
            wrap_one(channels[i], cap, 0u - cap / 2u - 1u, &rng);
            wrap_one(channels[i], cap, 0x7FFFFF80u, &rng);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Close                                                                    */
/* ------------------------------------------------------------------------ */

static void test_close(void) {
    const uint32_t ch = 2;
    float buf[64 * 2];
    float pl[2][64];
    float* planes[2] = {pl[0], pl[1]};
    uint32_t n = 99;
    void* mem;
    rl_ring* ring = make_ring(ch, 256, &mem);
    if (ring == NULL) {
        return;
    }
    set_indices(ring, 0xFFFFFFFAu); /* drain across the wrap */
    fill_interleaved(buf, ch, 0, 10);
    CHECK_EQ(rl_ring_write(ring, buf, 10, &n), RL_OK);
    CHECK_EQ(n, 10);
    CHECK_EQ(rl_ring_is_closed(ring), 0);
    rl_ring_close(ring);
    CHECK(rl_ring_is_closed(ring) != 0);
    rl_ring_close(ring); /* idempotent */
    CHECK(rl_ring_is_closed(ring) != 0);

    /* Writes after close move nothing and count nothing. */
    n = 99;
    CHECK_EQ(rl_ring_write(ring, buf, 5, &n), RL_CLOSED);
    CHECK_EQ(n, 0);
    n = 99;
    CHECK_EQ(rl_ring_write_planar(ring, (const float* const*)planes, 5, &n), RL_CLOSED);
    CHECK_EQ(n, 0);
    CHECK_EQ(rl_ring_available_read(ring), 10);
    CHECK_EQ(rl_ring_overruns(ring), 0);

    /* Reads drain what is left with RL_OK, short reads count no underrun. */
    CHECK_EQ(rl_ring_read(ring, buf, 3, &n), RL_OK);
    CHECK_EQ(n, 3);
    CHECK_EQ(diff_interleaved(buf, ch, 0, 3), 0);
    CHECK_EQ(rl_ring_read_planar(ring, planes, 4, &n), RL_OK);
    CHECK_EQ(n, 4);
    CHECK_EQ(diff_planar(planes, ch, 3, 4), 0);
    CHECK_EQ(rl_ring_read(ring, buf, 64, &n), RL_OK);
    CHECK_EQ(n, 3);
    CHECK_EQ(diff_interleaved(buf, ch, 7, 3), 0);
    CHECK_EQ(rl_ring_underruns(ring), 0);

    /* Closed and empty. */
    n = 99;
    CHECK_EQ(rl_ring_read(ring, buf, 64, &n), RL_CLOSED);
    CHECK_EQ(n, 0);
    n = 99;
    CHECK_EQ(rl_ring_read_planar(ring, planes, 1, &n), RL_CLOSED);
    CHECK_EQ(n, 0);
    CHECK_EQ(rl_ring_read(ring, buf, 64, &n), RL_CLOSED);
    CHECK_EQ(rl_ring_underruns(ring), 0);
    CHECK_EQ(rl_ring_available_read(ring), 0);
    rl_ring_uninit(ring);
    free(mem);

    /* A ring closed while empty reports RL_CLOSED at once; a partial final
     * read returns RL_OK with what is there. */
    ring = make_ring(ch, 256, &mem);
    if (ring == NULL) {
        return;
    }
    rl_ring_close(ring);
    CHECK_EQ(rl_ring_read(ring, buf, 1, &n), RL_CLOSED);
    CHECK_EQ(rl_ring_write(ring, buf, 0, &n), RL_CLOSED);
    CHECK_EQ(rl_ring_underruns(ring), 0);
    rl_ring_uninit(ring);
    free(mem);

    ring = make_ring(ch, 256, &mem);
    if (ring == NULL) {
        return;
    }
    fill_interleaved(buf, ch, 40, 5);
    CHECK_EQ(rl_ring_write(ring, buf, 5, &n), RL_OK);
    rl_ring_close(ring);
    fill_value(pl[0], 64, SENTINEL);
    fill_value(pl[1], 64, SENTINEL);
    CHECK_EQ(rl_ring_read_planar(ring, planes, 64, &n), RL_OK);
    CHECK_EQ(n, 5);
    CHECK_EQ(diff_planar(planes, ch, 40, 5), 0);
    CHECK_EQ(count_not(pl[0] + 5, 59, SENTINEL), 0);
    CHECK_EQ(rl_ring_underruns(ring), 0);
    CHECK_EQ(rl_ring_read_planar(ring, planes, 64, &n), RL_CLOSED);
    rl_ring_uninit(ring);
    free(mem);
}

/* ------------------------------------------------------------------------ */
/* Attach and uninit                                                        */
/* ------------------------------------------------------------------------ */

static void test_attach(void) {
    rl_ring_config cfg = rl_ring_config_init(4, 512);
    size_t need = 0;
    unsigned char* mem;
    rl_ring* ring = NULL;
    rl_ring* other = (rl_ring*)(uintptr_t)1;
    float buf[8 * 4];
    uint32_t n = 0;

    CHECK_EQ(rl_ring_get_heap_size(&cfg, &need), RL_OK);
    mem = (unsigned char*)alloc64(need + 64);

    /* Zeroed block: no magic. */
    memset(mem, 0, need);
    CHECK_EQ(rl_ring_attach(mem, need, &other), RL_INVALID_STATE);
    CHECK(other == NULL);

    /* Argument checks. */
    CHECK_EQ(rl_ring_attach(NULL, need, &other), RL_INVALID_ARGS);
    CHECK_EQ(rl_ring_attach(mem, need, NULL), RL_INVALID_ARGS);
    CHECK_EQ(rl_ring_attach(mem + 8, need, &other), RL_INVALID_ARGS);
    CHECK_EQ(rl_ring_attach(mem, RL_RING_HEADER_BYTES - 1u, &other), RL_INVALID_ARGS);

    CHECK_EQ(rl_ring_init_preallocated(&cfg, mem, need, &ring), RL_OK);
    CHECK_EQ(rl_ring_attach(mem, need, &other), RL_OK);
    CHECK(other == ring);
    CHECK_EQ(rl_ring_channels(other), 4);
    CHECK_EQ(rl_ring_capacity(other), 512);
    CHECK_EQ(rl_ring_attach(mem, need + 64, &other), RL_OK);
    /* A header that fits but storage that does not. */
    CHECK_EQ(rl_ring_attach(mem, need - 1, &other), RL_OUT_OF_MEMORY);
    CHECK(other == NULL);
    CHECK_EQ(rl_ring_attach(mem, need, &other), RL_OK);

    /* Both handles see the same ring. */
    fill_interleaved(buf, 4, 77, 8);
    CHECK_EQ(rl_ring_write(ring, buf, 8, &n), RL_OK);
    CHECK_EQ(rl_ring_available_read(other), 8);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(rl_ring_read(other, buf, 8, &n), RL_OK);
    CHECK_EQ(n, 8);
    CHECK_EQ(diff_interleaved(buf, 4, 77, 8), 0);

    /* A corrupted header is rejected. */
    {
        uint32_t saved;
        uint32_t bogus = 33;
        memcpy(&saved, mem + RL_RING_OFFSET_CHANNELS, 4);
        memcpy(mem + RL_RING_OFFSET_CHANNELS, &bogus, 4);
        CHECK_EQ(rl_ring_attach(mem, need, &other), RL_INVALID_STATE);
        memcpy(mem + RL_RING_OFFSET_CHANNELS, &saved, 4);
        memcpy(&saved, mem + RL_RING_OFFSET_LAYOUT_VERSION, 4);
        bogus = RL_RING_LAYOUT_VERSION + 1u;
        memcpy(mem + RL_RING_OFFSET_LAYOUT_VERSION, &bogus, 4);
        CHECK_EQ(rl_ring_attach(mem, need, &other), RL_INVALID_STATE);
        memcpy(mem + RL_RING_OFFSET_LAYOUT_VERSION, &saved, 4);
        CHECK_EQ(rl_ring_attach(mem, need, &other), RL_OK);
    }

    /* After uninit: attach fails, the ring is closed, moves are refused. */
    rl_ring_uninit(ring);
    other = (rl_ring*)(uintptr_t)1;
    CHECK_EQ(rl_ring_attach(mem, need, &other), RL_INVALID_STATE);
    CHECK(other == NULL);
    CHECK(rl_ring_is_closed(ring) != 0);
    CHECK_EQ(rl_ring_write(ring, buf, 1, &n), RL_INVALID_ARGS);
    CHECK_EQ(n, 0);
    CHECK_EQ(rl_ring_read(ring, buf, 1, &n), RL_INVALID_ARGS);
    CHECK_EQ(n, 0);

    /* Re-initialising the block makes it attachable again. */
    CHECK_EQ(rl_ring_init_preallocated(&cfg, mem, need, &ring), RL_OK);
    CHECK_EQ(rl_ring_attach(mem, need, &other), RL_OK);
    CHECK_EQ(rl_ring_is_closed(other), 0);
    rl_ring_uninit(ring);
    free(mem);
}

/* ------------------------------------------------------------------------ */
/* NULL and degenerate arguments                                            */
/* ------------------------------------------------------------------------ */

static void test_null_args(void) {
    float buf[4 * 2];
    float* planes[2] = {buf, buf + 4};
    uint32_t n = 99;
    void* mem;
    rl_ring* ring = make_ring(2, 256, &mem);
    if (ring == NULL) {
        return;
    }
    CHECK_EQ(rl_ring_write(NULL, buf, 1, &n), RL_INVALID_ARGS);
    CHECK_EQ(n, 0);
    CHECK_EQ(rl_ring_write(ring, buf, 1, NULL), RL_INVALID_ARGS);
    CHECK_EQ(rl_ring_write(ring, NULL, 1, &n), RL_INVALID_ARGS);
    CHECK_EQ(rl_ring_write_planar(NULL, (const float* const*)planes, 1, &n), RL_INVALID_ARGS);
    CHECK_EQ(rl_ring_write_planar(ring, (const float* const*)planes, 1, NULL), RL_INVALID_ARGS);
    CHECK_EQ(rl_ring_write_planar(ring, NULL, 1, &n), RL_INVALID_ARGS);
    CHECK_EQ(rl_ring_read(NULL, buf, 1, &n), RL_INVALID_ARGS);
    CHECK_EQ(rl_ring_read(ring, buf, 1, NULL), RL_INVALID_ARGS);
    CHECK_EQ(rl_ring_read(ring, NULL, 1, &n), RL_INVALID_ARGS);
    CHECK_EQ(rl_ring_read_planar(NULL, planes, 1, &n), RL_INVALID_ARGS);
    CHECK_EQ(rl_ring_read_planar(ring, planes, 1, NULL), RL_INVALID_ARGS);
    CHECK_EQ(rl_ring_read_planar(ring, NULL, 1, &n), RL_INVALID_ARGS);
    CHECK_EQ(rl_ring_available_read(ring), 0);
    CHECK_EQ(rl_ring_overruns(ring), 0);
    CHECK_EQ(rl_ring_underruns(ring), 0);

    /* A NULL buffer is allowed with zero frames, on an empty or full ring. */
    CHECK_EQ(rl_ring_write(ring, NULL, 0, &n), RL_OK);
    CHECK_EQ(rl_ring_write_planar(ring, NULL, 0, &n), RL_OK);
    CHECK_EQ(rl_ring_read(ring, NULL, 0, &n), RL_OK);
    CHECK_EQ(rl_ring_read_planar(ring, NULL, 0, &n), RL_OK);
    fill_interleaved(buf, 2, 0, 4);
    CHECK_EQ(rl_ring_write(ring, buf, 4, &n), RL_OK);
    CHECK_EQ(rl_ring_write(ring, NULL, 0, &n), RL_OK);
    CHECK_EQ(rl_ring_write_planar(ring, NULL, 0, &n), RL_OK);
    CHECK_EQ(rl_ring_read(ring, NULL, 0, &n), RL_OK);
    CHECK_EQ(rl_ring_read_planar(ring, NULL, 0, &n), RL_OK);
    CHECK_EQ(n, 0);
    CHECK_EQ(rl_ring_available_read(ring), 4);
    CHECK_EQ(rl_ring_overruns(ring), 0);
    CHECK_EQ(rl_ring_underruns(ring), 0);

    /* Queries on NULL are harmless. */
    CHECK_EQ(rl_ring_available_read(NULL), 0);
    CHECK_EQ(rl_ring_available_write(NULL), 0);
    CHECK_EQ(rl_ring_channels(NULL), 0);
    CHECK_EQ(rl_ring_capacity(NULL), 0);
    CHECK_EQ(rl_ring_underruns(NULL), 0);
    CHECK_EQ(rl_ring_overruns(NULL), 0);
    CHECK_EQ(rl_ring_is_closed(NULL), 0);
    rl_ring_close(NULL);
    rl_ring_uninit(NULL);
    rl_ring_uninit(ring);
    free(mem);
}

/* ------------------------------------------------------------------------ */
/* Random model test                                                        */
/* ------------------------------------------------------------------------ */

/* Sample value of a frame tagged `tag`, exact in a float (< 2^24). */
static float tag_value(uint32_t tag, uint32_t channel) {
    return (float)((tag + channel * 2654435761u) & 0xFFFFFFu);
}

/* Runs `ops` random writes/reads against a FIFO model. Returns 0 on the first
 * divergence (after reporting it), 1 otherwise. */
static int model_run(uint32_t ch, uint32_t cap, uint32_t ops, uint64_t seed, uint64_t* rng) {
    const uint32_t max_chunk = cap + cap / 2u;
    uint32_t* fifo = (uint32_t*)malloc(sizeof(uint32_t) * cap); /* model: tags, circular */
    uint64_t head = 0;                                          /* model read count */
    uint64_t tail = 0;                                          /* model write count */
    uint32_t overruns = 0;
    uint32_t underruns = 0;
    float* inter = (float*)malloc(sizeof(float) * max_chunk * ch);
    float* planes[RL_RING_MAX_CHANNELS];
    uint32_t* tags = (uint32_t*)malloc(sizeof(uint32_t) * max_chunk);
    uint32_t start = (rng_next(rng) & 1u) ? 0u - rng_below(rng, 4u * cap) : (uint32_t)rng_next(rng);
    uint32_t op;
    uint32_t c;
    int ok = 1;
    void* mem;
    rl_ring* ring = make_ring(ch, cap, &mem);
    if (ring == NULL || fifo == NULL || inter == NULL || tags == NULL) {
        free(fifo);
        free(inter);
        free(tags);
        free(mem);
        return 0;
    }
    for (c = 0; c < ch; ++c) {
        planes[c] = (float*)malloc(sizeof(float) * max_chunk);
    }
    set_indices(ring, start);

    for (op = 0; ok && op < ops; ++op) {
        uint32_t fill = (uint32_t)(tail - head);
        uint32_t kind = rng_below(rng, 4);
        uint32_t size;
        uint32_t expect;
        uint32_t n = 0;
        uint32_t i;
        /* Mostly small, sometimes large, sometimes exactly fill/space. */
        switch (rng_below(rng, 8)) {
        case 0:
            size = 0;
            break;
        case 1:
        case 2:
        case 3:
            size = 1 + rng_below(rng, 16);
            break;
        case 4:
        case 5:
            size = 1 + rng_below(rng, max_chunk);
            break;
        default:
            size = kind < 2 ? cap - fill : fill;
            break;
        }
        if (kind < 2) { /* write */
            expect = size < cap - fill ? size : cap - fill;
            for (i = 0; i < size; ++i) {
                tags[i] = (uint32_t)rng_next(rng);
                for (c = 0; c < ch; ++c) {
                    float v = tag_value(tags[i], c);
                    inter[(size_t)i * ch + c] = v;
                    planes[c][i] = v;
                }
            }
            if (kind == 0) {
                ok &= CHECK_EQ(rl_ring_write(ring, inter, size, &n), RL_OK);
            } else {
                ok &= CHECK_EQ(rl_ring_write_planar(ring, (const float* const*)planes, size, &n),
                               RL_OK);
            }
            ok &= CHECK_EQ(n, expect);
            for (i = 0; i < expect; ++i) {
                fifo[(tail + i) % cap] = tags[i];
            }
            tail += expect;
            overruns += expect < size;
        } else { /* read */
            expect = size < fill ? size : fill;
            fill_value(inter, (size_t)max_chunk * ch, SENTINEL);
            for (c = 0; c < ch; ++c) {
                fill_value(planes[c], max_chunk, SENTINEL);
            }
            if (kind == 2) {
                ok &= CHECK_EQ(rl_ring_read(ring, inter, size, &n), RL_OK);
            } else {
                ok &= CHECK_EQ(rl_ring_read_planar(ring, planes, size, &n), RL_OK);
            }
            ok &= CHECK_EQ(n, expect);
            /* Moved frames match the model; the rest of the buffer is untouched. */
            {
                uint32_t bad = 0;
                for (i = 0; i < size; ++i) {
                    for (c = 0; c < ch; ++c) {
                        float want = i < expect ? tag_value(fifo[(head + i) % cap], c) : SENTINEL;
                        float got = kind == 2 ? inter[(size_t)i * ch + c] : planes[c][i];
                        if (got != want && bad++ == 0) {
                            fprintf(stderr, "  frame %u of %u, channel %u: got %.1f want %.1f\n", i,
                                    size, c, (double)got, (double)want);
                        }
                    }
                }
                ok &= CHECK_EQ(bad, 0);
            }
            head += expect;
            underruns += expect < size;
        }
        ok &= CHECK_EQ(rl_ring_available_read(ring), tail - head);
        ok &= CHECK_EQ(rl_ring_available_write(ring), cap - (tail - head));
        ok &= CHECK_EQ(rl_ring_overruns(ring), overruns);
        ok &= CHECK_EQ(rl_ring_underruns(ring), underruns);
        if (!ok) {
            fprintf(stderr,
                    "  model test failed: seed 0x%016llX (rerun with RL_SEED=0x%llX), channels %u "
                    "capacity %u start 0x%08X, op %u (%s of %u frames)\n",
                    (unsigned long long)seed, (unsigned long long)seed, ch, cap, start, op,
                    kind < 2 ? "write" : "read", size);
        }
    }

    /* Close and drain: everything left comes out in order, then RL_CLOSED. */
    if (ok) {
        uint32_t n = 0;
        rl_ring_close(ring);
        ok &= CHECK_EQ(rl_ring_write(ring, inter, 1, &n), RL_CLOSED);
        while (ok && head < tail) {
            uint32_t want = 1 + rng_below(rng, 64);
            uint32_t expect = want < tail - head ? want : (uint32_t)(tail - head);
            uint32_t i;
            ok &= CHECK_EQ(rl_ring_read(ring, inter, want, &n), RL_OK);
            ok &= CHECK_EQ(n, expect);
            {
                uint32_t bad = 0;
                for (i = 0; i < expect; ++i) {
                    for (c = 0; c < ch; ++c) {
                        bad += inter[(size_t)i * ch + c] != tag_value(fifo[(head + i) % cap], c);
                    }
                }
                ok &= CHECK_EQ(bad, 0);
            }
            head += expect;
        }
        ok &= CHECK_EQ(rl_ring_read(ring, inter, 1, &n), RL_CLOSED);
        ok &= CHECK_EQ(rl_ring_underruns(ring), underruns);
        if (!ok) {
            fprintf(stderr, "  model drain failed: seed 0x%016llX, channels %u capacity %u\n",
                    (unsigned long long)seed, ch, cap);
        }
    }

    for (c = 0; c < ch; ++c) {
        free(planes[c]);
    }
    free(fifo);
    free(inter);
    free(tags);
    rl_ring_uninit(ring);
    free(mem);
    return ok;
}

static void test_model(void) {
    static const uint32_t configs[][2] = {{1, 256}, {2, 1024}, {5, 512}, {32, 256}, {8, 4096}};
    uint64_t seed = test_seed(0x5EED2024C0FFEEULL);
    uint64_t rng = seed;
    size_t i;
    for (i = 0; i < sizeof configs / sizeof configs[0]; ++i) {
        if (!model_run(configs[i][0], configs[i][1], 6000, seed, &rng)) {
            break;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Strings                                                                  */
/* ------------------------------------------------------------------------ */

static void test_strings(void) {
    static const rl_result codes[] = {RL_OK, RL_INVALID_ARGS, RL_OUT_OF_MEMORY, RL_CLOSED,
                                      RL_INVALID_STATE};
    const size_t count = sizeof codes / sizeof codes[0];
    size_t i;
    size_t j;
    for (i = 0; i < count; ++i) {
        const char* s = rl_result_string(codes[i]);
        CHECK(s != NULL);
        CHECK(s != NULL && s[0] != '\0');
        for (j = 0; j < i; ++j) {
            const char* t = rl_result_string(codes[j]);
            CHECK(s != NULL && t != NULL && strcmp(s, t) != 0);
        }
    }
    CHECK(rl_result_string((rl_result)42) != NULL);
    CHECK(rl_version_string() != NULL);
    CHECK(strcmp(rl_version_string(), RL_VERSION) == 0);
    CHECK(rl_version_string()[0] != '\0');
}

int main(void) {
    test_config();
    test_init();
    test_channels_roundtrip();
    test_partial_moves();
    test_wrap();
    test_close();
    test_attach();
    test_null_args();
    test_model();
    test_strings();
    if (g_failed != 0) {
        printf("test_ring: %llu of %llu checks FAILED\n", g_failed, g_checks);
        return 1;
    }
    printf("test_ring: %llu checks passed\n", g_checks);
    return 0;
}
