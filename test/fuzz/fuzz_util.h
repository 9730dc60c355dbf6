/*
 * Helpers shared by the fuzz targets: an input reader that turns the fuzzer's
 * bytes into choices (reading past the end yields zeros, so every input is a
 * complete program), guarded heap blocks whose canaries catch an out-of-bounds
 * write even where ASan's redzones do not reach, and a failure macro that
 * prints what broke before aborting (libFuzzer and the replay driver both
 * treat the abort as a crash). Deterministic: no clock, no rand().
 */
#ifndef RINGLET_FUZZ_UTIL_H
#define RINGLET_FUZZ_UTIL_H

#include "ringlet.h"

#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Data loops (fills, comparisons) gain nothing from coverage feedback and
 * would spend most of each run in its callbacks; the op choices keep theirs. */
#if defined(__clang__) && __clang_major__ >= 13
#define FUZZ_UNCOVERED __attribute__((no_sanitize("coverage"), noinline))
#else
#define FUZZ_UNCOVERED
#endif

#define FUZZ_FAIL(...)                                                                             \
    do {                                                                                           \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                            \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fprintf(stderr, "\n");                                                                     \
        abort();                                                                                   \
    } while (0)

#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            FUZZ_FAIL(__VA_ARGS__);                                                                \
        }                                                                                          \
    } while (0)

#define FUZZ_CHECK_EQ(got, want, what)                                                             \
    do {                                                                                           \
        long long fuzz_got_ = (long long)(got);                                                    \
        long long fuzz_want_ = (long long)(want);                                                  \
        if (fuzz_got_ != fuzz_want_) {                                                             \
            FUZZ_FAIL("%s: got %lld, want %lld", what, fuzz_got_, fuzz_want_);                     \
        }                                                                                          \
    } while (0)

/* ------------------------------------------------------------------------ */
/* Input                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct fuzz_input {
    const uint8_t* data;
    size_t size;
    size_t pos;
} fuzz_input;

static inline fuzz_input fuzz_input_init(const uint8_t* data, size_t size) {
    fuzz_input in;
    in.data = data;
    in.size = size;
    in.pos = 0;
    return in;
}

static inline int fuzz_more(const fuzz_input* in) {
    return in->pos < in->size;
}

static inline uint8_t fuzz_u8(fuzz_input* in) {
    return in->pos < in->size ? in->data[in->pos++] : 0u;
}

static inline uint16_t fuzz_u16(fuzz_input* in) {
    uint16_t lo = fuzz_u8(in);
    return (uint16_t)(lo | (uint16_t)(fuzz_u8(in) << 8));
}

static inline uint32_t fuzz_u32(fuzz_input* in) {
    uint32_t lo = fuzz_u16(in);
    return lo | ((uint32_t)fuzz_u16(in) << 16);
}

/* A value in [0, n] (inclusive), from two bytes. */
static inline uint32_t fuzz_upto(fuzz_input* in, uint32_t n) {
    return (uint32_t)fuzz_u16(in) % (n + 1u);
}

/* splitmix32-style mixer: spreads a counter into well-distributed bits. */
static inline uint32_t fuzz_mix32(uint32_t x) {
    x += 0x9E3779B9u;
    x = (x ^ (x >> 16)) * 0x85EBCA6Bu;
    x = (x ^ (x >> 13)) * 0xC2B2AE35u;
    return x ^ (x >> 16);
}

static inline float fuzz_float_bits(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline uint32_t fuzz_bits_float(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline int fuzz_finite(float f) {
    return (fuzz_bits_float(f) & 0x7F800000u) != 0x7F800000u;
}

/* Index of the first NaN or infinity in p[0 .. n) (every `stride`-th float), or n. */
FUZZ_UNCOVERED static inline size_t fuzz_first_nonfinite(const float* p, size_t n, size_t stride) {
    size_t i;
    for (i = 0; i < n; ++i) {
        if (!fuzz_finite(p[i * stride])) {
            return i;
        }
    }
    return n;
}

FUZZ_UNCOVERED static inline void fuzz_fill_bits(float* p, size_t n, uint32_t bits) {
    size_t i;
    float v = fuzz_float_bits(bits);
    for (i = 0; i < n; ++i) {
        p[i] = v;
    }
}

/* Values that break naive DSP: NaNs (quiet, negative, signalling), infinities,
 * the extremes, subnormals and signed zero. */
static const uint32_t fuzz_special_bits[] = {
    0x7FC00000u, /* NaN */
    0xFFC00000u, /* -NaN */
    0x7F800001u, /* signalling NaN */
    0x7F800000u, /* +Inf */
    0xFF800000u, /* -Inf */
    0x7F7FFFFFu, /* FLT_MAX */
    0xFF7FFFFFu, /* -FLT_MAX */
    0x00800000u, /* FLT_MIN */
    0x00000001u, /* smallest subnormal */
    0x807FFFFFu, /* largest negative subnormal */
    0x80000000u, /* -0 */
    0x7149F2CAu, /* 1e30 */
    0x3F800000u, /* 1 */
    0xBF800000u, /* -1 */
};
#define FUZZ_SPECIALS (sizeof fuzz_special_bits / sizeof fuzz_special_bits[0])

static inline float fuzz_special(uint32_t i) {
    return fuzz_float_bits(fuzz_special_bits[i % FUZZ_SPECIALS]);
}

/*
 * Fills n samples with a signal whose kind the input picks: silence, a
 * bounded triangle, a constant of any bit pattern, a triangle with special
 * values sprinkled in, one special everywhere, +-FLT_MAX, subnormals, or the
 * input's raw bytes. `salt` varies the signal between calls.
 */
FUZZ_UNCOVERED static inline void fuzz_fill_signal(float* dst, size_t n, fuzz_input* in,
                                                   uint32_t salt) {
    size_t i;
    uint8_t kind = fuzz_u8(in);
    switch (kind % 8u) {
    case 0:
        memset(dst, 0, n * sizeof(float));
        break;
    case 1:
    case 3: {
        uint32_t period = 2u + (uint32_t)fuzz_u8(in);
        for (i = 0; i < n; ++i) {
            uint32_t p = (uint32_t)((i + salt) % period);
            dst[i] = (float)p / (float)period * 2.0f - 1.0f;
        }
        if (kind % 8u == 3 && n > 0) {
            uint32_t k = 1u + fuzz_u8(in) % 8u;
            while (k-- > 0) {
                size_t at = (size_t)fuzz_u16(in) % n;
                dst[at] = fuzz_special(fuzz_u8(in));
            }
        }
        break;
    }
    case 2: {
        float v = fuzz_float_bits(fuzz_u32(in));
        for (i = 0; i < n; ++i) {
            dst[i] = v;
        }
        break;
    }
    case 4: {
        float v = fuzz_special(fuzz_u8(in));
        for (i = 0; i < n; ++i) {
            dst[i] = v;
        }
        break;
    }
    case 5:
        for (i = 0; i < n; ++i) {
            dst[i] = ((i + salt) & 1u) ? -FLT_MAX : FLT_MAX;
        }
        break;
    case 6:
        for (i = 0; i < n; ++i) {
            dst[i] = fuzz_float_bits(((i + salt) & 1u) ? 0x807FFFFFu : 0x00000001u + (uint32_t)i);
        }
        break;
    default: {
        /* Up to 16 raw values from the input, repeated. */
        uint32_t raw[16];
        uint32_t count = 1u + fuzz_u8(in) % 16u;
        uint32_t k;
        for (k = 0; k < count; ++k) {
            raw[k] = fuzz_u32(in);
        }
        for (i = 0; i < n; ++i) {
            dst[i] = fuzz_float_bits(raw[i % count]);
        }
        break;
    }
    }
}

/* ------------------------------------------------------------------------ */
/* Guarded blocks                                                           */
/* ------------------------------------------------------------------------ */

/* Canary bytes on each side of a block; the tail also covers the rounding. */
#define FUZZ_GUARD_BYTES 256u

typedef struct fuzz_block {
    unsigned char* base; /* the allocation */
    unsigned char* heap; /* 64-byte aligned, FUZZ_GUARD_BYTES after base */
    size_t size;         /* usable bytes at heap */
    size_t total;        /* bytes at base */
} fuzz_block;

static inline unsigned char fuzz_canary(size_t i) {
    return (unsigned char)(0xA5u ^ (unsigned char)(i * 31u));
}

/* A block of `size` usable bytes filled with `fill`, between two canaries. */
FUZZ_UNCOVERED static inline fuzz_block fuzz_block_alloc(size_t size, unsigned char fill) {
    fuzz_block b;
    size_t i;
    b.size = size;
    b.total = (FUZZ_GUARD_BYTES + size + FUZZ_GUARD_BYTES + 63u) & ~(size_t)63u;
    b.base = (unsigned char*)aligned_alloc(64, b.total);
    if (b.base == NULL) {
        FUZZ_FAIL("aligned_alloc(%zu) failed", b.total);
    }
    b.heap = b.base + FUZZ_GUARD_BYTES;
    for (i = 0; i < FUZZ_GUARD_BYTES; ++i) {
        b.base[i] = fuzz_canary(i);
    }
    memset(b.heap, fill, size);
    for (i = FUZZ_GUARD_BYTES + size; i < b.total; ++i) {
        b.base[i] = fuzz_canary(i);
    }
    return b;
}

FUZZ_UNCOVERED static inline void fuzz_block_check(const fuzz_block* b, const char* what) {
    size_t i;
    for (i = 0; i < FUZZ_GUARD_BYTES; ++i) {
        if (b->base[i] != fuzz_canary(i)) {
            FUZZ_FAIL("%s: canary %zu bytes before the block was overwritten", what,
                      FUZZ_GUARD_BYTES - i);
        }
    }
    for (i = FUZZ_GUARD_BYTES + b->size; i < b->total; ++i) {
        if (b->base[i] != fuzz_canary(i)) {
            FUZZ_FAIL("%s: canary %zu bytes after the block (size %zu) was overwritten", what,
                      i - FUZZ_GUARD_BYTES - b->size, b->size);
        }
    }
}

/* A refused init must leave every byte of the block as it was filled. */
FUZZ_UNCOVERED static inline void fuzz_block_untouched(const fuzz_block* b, unsigned char fill,
                                                       const char* what) {
    static unsigned char same[4096];
    size_t at;
    fuzz_block_check(b, what);
    memset(same, fill, sizeof same);
    for (at = 0; at < b->size; at += sizeof same) {
        size_t n = b->size - at < sizeof same ? b->size - at : sizeof same;
        if (memcmp(b->heap + at, same, n) != 0) {
            size_t i = at;
            while (b->heap[i] == fill) {
                ++i;
            }
            FUZZ_FAIL("%s: refused init changed byte %zu of the block", what, i);
        }
    }
}

static inline void fuzz_block_free(fuzz_block* b) {
    free(b->base);
    b->base = NULL;
    b->heap = NULL;
}

/* Reference validity of a ring config, written from the header's rules. */
static inline int fuzz_ring_config_valid(uint32_t channels, uint32_t capacity) {
    return channels >= RL_RING_MIN_CHANNELS && channels <= RL_RING_MAX_CHANNELS &&
           capacity >= RL_RING_MIN_CAPACITY && capacity <= RL_RING_MAX_CAPACITY &&
           (capacity & (capacity - 1u)) == 0 &&
           (uint64_t)capacity * channels * sizeof(float) <= RL_RING_MAX_DATA_BYTES;
}

/* Config values worth trying on either side of every rule. */
static const uint32_t fuzz_edge_channels[] = {0u,  1u,  2u,          31u,       32u,
                                              33u, 64u, 0x80000001u, UINT32_MAX};
static const uint32_t fuzz_edge_capacities[] = {
    0u,       1u,       128u,       255u,     256u,     257u,     384u,     1023u,
    4096u,    65536u,   1u << 20,   1u << 21, 1u << 22, 1u << 23, 1u << 24, (1u << 24) + 1u,
    1u << 25, 1u << 31, UINT32_MAX, 3u << 10};

#define FUZZ_COUNT(a) (sizeof(a) / sizeof((a)[0]))

#endif /* RINGLET_FUZZ_UTIL_H */
