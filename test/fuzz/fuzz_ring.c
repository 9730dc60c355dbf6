/*
 * fuzz_ring: runs the input as a program of operations on one ring and checks
 * every step against a model FIFO.
 *
 * First it probes a few configs (edge and raw values): get_heap_size must agree
 * with the header's rules, and every refused init (bad config, misaligned or
 * NULL heap, block too small) must return its code and leave the block
 * untouched and unattachable. Then it initialises a small ring (1..32
 * channels, 256..4096 frames) and runs ops: interleaved and planar writes and
 * reads of 0..2*capacity frames, close, attach, uninit and reinit (the model
 * resets), indices moved near 2^32, NULL and zero-frame calls. Samples encode
 * a running sequence number, so every frame read is checked for order and
 * content, and destination bytes past the frames moved must stay untouched.
 * After every op: fill, free space, raw indices, underrun and overrun counts,
 * closed flag and the canaries around the heap block.
 */
#include "ringlet.h"
#include "internal.h"
#include "fuzz_util.h"

#define FUZZ_RING_MAX_CAPACITY 4096u
#define FUZZ_RING_MAX_FRAMES (2u * FUZZ_RING_MAX_CAPACITY)
/* Sentinel floats after each destination (and each plane). */
#define FUZZ_RING_PAD 16u
#define FUZZ_RING_SENTINEL 0x7FC0DEADu
/* Samples moved per input before the program stops: keeps each run short. */
#define FUZZ_RING_BUDGET (8u << 20)

static float g_io[((size_t)FUZZ_RING_MAX_FRAMES + FUZZ_RING_PAD) * RL_RING_MAX_CHANNELS];

typedef struct ring_state {
    fuzz_block block;
    rl_ring* ring;
    int live; /* initialised and not uninit */
    uint32_t channels;
    uint32_t capacity;
    size_t need;
    /* The model. Indices mirror the ring's free-running ones; sequence numbers
     * name the frames and keep counting across reinits, so stale data shows. */
    uint32_t w;
    uint32_t r;
    uint32_t seq_w;
    uint32_t seq_r;
    uint32_t underruns;
    uint32_t overruns;
    int closed;
    uint64_t work;
} ring_state;

/* Exact in a float: at most 23 significant bits; never 0, so zeroed storage
 * read by mistake cannot pass. */
static float sample(uint32_t seq, uint32_t channel) {
    return (float)(((((seq & 0x3FFFFu) << 5) | channel)) + 1u);
}

static uint32_t min_u32(uint32_t a, uint32_t b) {
    return a < b ? a : b;
}

/* Sentinel floats to copy from: memcpy and memcmp check a whole range at once
 * under ASan, where a loop pays per element. */
static float g_sentinels[((size_t)FUZZ_RING_MAX_FRAMES + FUZZ_RING_PAD) * RL_RING_MAX_CHANNELS];

FUZZ_UNCOVERED static void fill_sentinel(float* p, size_t n) {
    if (fuzz_bits_float(g_sentinels[0]) != FUZZ_RING_SENTINEL) {
        size_t i;
        for (i = 0; i < FUZZ_COUNT(g_sentinels); ++i) {
            g_sentinels[i] = fuzz_float_bits(FUZZ_RING_SENTINEL);
        }
    }
    memcpy(p, g_sentinels, n * sizeof(float));
}

/* Index of the first non-sentinel float in p[0 .. n), or n. */
FUZZ_UNCOVERED static size_t find_non_sentinel(const float* p, size_t n) {
    size_t i;
    if (memcmp(p, g_sentinels, n * sizeof(float)) == 0) {
        return n;
    }
    for (i = 0; i < n && fuzz_bits_float(p[i]) == FUZZ_RING_SENTINEL; ++i) {
    }
    return i;
}

static void check_state(ring_state* s, const char* op) {
    fuzz_block_check(&s->block, op);
    if (!s->live) {
        return;
    }
    {
        uint32_t fill = s->w - s->r;
        FUZZ_CHECK_EQ(atomic_load(&s->ring->magic), RL_RING_MAGIC, "magic");
        FUZZ_CHECK_EQ(atomic_load(&s->ring->write_index), s->w, "raw write index");
        FUZZ_CHECK_EQ(atomic_load(&s->ring->read_index), s->r, "raw read index");
        FUZZ_CHECK_EQ(rl_ring_available_read(s->ring), fill, "available_read");
        FUZZ_CHECK_EQ(rl_ring_available_write(s->ring), s->capacity - fill, "available_write");
        FUZZ_CHECK_EQ(rl_ring_underruns(s->ring), s->underruns, "underruns");
        FUZZ_CHECK_EQ(rl_ring_overruns(s->ring), s->overruns, "overruns");
        FUZZ_CHECK_EQ(rl_ring_is_closed(s->ring) != 0, s->closed, "is_closed");
        FUZZ_CHECK_EQ(rl_ring_channels(s->ring), s->channels, "channels");
        FUZZ_CHECK_EQ(rl_ring_capacity(s->ring), s->capacity, "capacity");
        FUZZ_CHECK(s->seq_w - s->seq_r == fill, "model out of step");
    }
}

static void model_reset(ring_state* s, uint32_t channels, uint32_t capacity) {
    s->live = 1;
    s->channels = channels;
    s->capacity = capacity;
    s->w = 0;
    s->r = 0;
    s->seq_r = s->seq_w;
    s->underruns = 0;
    s->overruns = 0;
    s->closed = 0;
}

/* ------------------------------------------------------------------------ */
/* Config probes                                                            */
/* ------------------------------------------------------------------------ */

/* A refused init leaves nothing behind: no ring, no bytes, nothing to attach. */
static void expect_refused(const rl_ring_config* cfg, fuzz_block* b, unsigned char fill,
                           unsigned char* heap, size_t heap_size, rl_result want,
                           const char* what) {
    rl_ring* ring = (rl_ring*)(void*)b;
    rl_ring* attached = (rl_ring*)(void*)b;
    FUZZ_CHECK_EQ(rl_ring_init_preallocated(cfg, heap, heap_size, &ring), want, what);
    FUZZ_CHECK(ring == NULL, "%s: refused init left *ring set", what);
    fuzz_block_untouched(b, fill, what);
    FUZZ_CHECK(rl_ring_attach(b->heap, b->size, &attached) != RL_OK,
               "%s: attach succeeded on a block whose init was refused", what);
    FUZZ_CHECK(attached == NULL, "%s: failed attach left *ring set", what);
}

static uint32_t pick_channels(fuzz_input* in) {
    uint8_t k = fuzz_u8(in);
    if (k & 0x80u) {
        return fuzz_u32(in);
    }
    return fuzz_edge_channels[k % FUZZ_COUNT(fuzz_edge_channels)];
}

static uint32_t pick_capacity(fuzz_input* in) {
    uint8_t k = fuzz_u8(in);
    if (k & 0x80u) {
        return fuzz_u32(in);
    }
    return fuzz_edge_capacities[k % FUZZ_COUNT(fuzz_edge_capacities)];
}

static void probe_config(fuzz_input* in) {
    uint32_t channels = pick_channels(in);
    uint32_t capacity = pick_capacity(in);
    rl_ring_config cfg = rl_ring_config_init(channels, capacity);
    int valid = fuzz_ring_config_valid(channels, capacity);
    size_t size = 12345;
    unsigned char fill = fuzz_u8(in);
    rl_result res = rl_ring_get_heap_size(&cfg, &size);
    if (!valid) {
        fuzz_block b = fuzz_block_alloc(4096, fill);
        FUZZ_CHECK_EQ(res, RL_INVALID_ARGS, "get_heap_size of an invalid config");
        FUZZ_CHECK_EQ(size, 0, "heap size of an invalid config");
        expect_refused(&cfg, &b, fill, b.heap, b.size, RL_INVALID_ARGS, "init, invalid config");
        fuzz_block_free(&b);
        return;
    }
    FUZZ_CHECK_EQ(res, RL_OK, "get_heap_size of a valid config");
    FUZZ_CHECK_EQ(size, RL_RING_HEADER_BYTES + (size_t)capacity * channels * 4u, "heap size");
    if (size > (64u << 10) + RL_RING_HEADER_BYTES) {
        /* Too big to allocate per input: a small block must be refused. */
        fuzz_block b = fuzz_block_alloc(4096, fill);
        expect_refused(&cfg, &b, fill, b.heap, b.size, RL_OUT_OF_MEMORY, "init, block too small");
        fuzz_block_free(&b);
        return;
    }
    {
        fuzz_block b = fuzz_block_alloc(size, fill);
        size_t shortfall = 1u + fuzz_u8(in);
        rl_ring* ring = NULL;
        rl_ring* attached = NULL;
        uintptr_t skew = 1u + fuzz_u8(in) % 63u;
        expect_refused(&cfg, &b, fill, b.heap, size - shortfall, RL_OUT_OF_MEMORY,
                       "init, heap_size short");
        expect_refused(&cfg, &b, fill, b.heap + skew, size - 64u, RL_INVALID_ARGS,
                       "init, misaligned heap");
        expect_refused(&cfg, &b, fill, NULL, size, RL_INVALID_ARGS, "init, NULL heap");
        expect_refused(NULL, &b, fill, b.heap, size, RL_INVALID_ARGS, "init, NULL config");
        FUZZ_CHECK_EQ(rl_ring_init_preallocated(&cfg, b.heap, size, NULL), RL_INVALID_ARGS,
                      "init, NULL out");
        fuzz_block_untouched(&b, fill, "init, NULL out");
        FUZZ_CHECK_EQ(rl_ring_init_preallocated(&cfg, b.heap, size, &ring), RL_OK, "probe init");
        FUZZ_CHECK(ring == (rl_ring*)(void*)b.heap, "ring is not at the start of its block");
        fuzz_block_check(&b, "probe init");
        FUZZ_CHECK_EQ(rl_ring_attach(b.heap, size, &attached), RL_OK, "probe attach");
        FUZZ_CHECK_EQ(rl_ring_attach(b.heap, size - shortfall, &attached), RL_OUT_OF_MEMORY,
                      "probe attach, heap_size short");
        FUZZ_CHECK(attached == NULL, "failed attach left *ring set");
        fuzz_block_free(&b);
    }
}

/* ------------------------------------------------------------------------ */
/* Ops                                                                      */
/* ------------------------------------------------------------------------ */

FUZZ_UNCOVERED static void fill_write(uint32_t seq, uint32_t ch, uint32_t frames, int planar,
                                      float* const* planes) {
    uint32_t i;
    uint32_t c;
    for (i = 0; i < frames; ++i) {
        for (c = 0; c < ch; ++c) {
            if (planar) {
                planes[c][i] = sample(seq + i, c);
            } else {
                g_io[(size_t)i * ch + c] = sample(seq + i, c);
            }
        }
    }
}

static void op_write(ring_state* s, fuzz_input* in, int planar) {
    uint32_t frames = fuzz_upto(in, 2u * s->capacity);
    uint32_t ch = s->channels;
    uint32_t fill = s->w - s->r;
    uint32_t expect = s->closed ? 0u : min_u32(frames, s->capacity - fill);
    uint32_t written = 12345u;
    float* planes[RL_RING_MAX_CHANNELS];
    rl_result res;
    uint32_t c;
    /* Only the frames that fit are ever read; the rest may hold anything. */
    for (c = 0; c < ch; ++c) {
        planes[c] = g_io + (size_t)c * (frames + FUZZ_RING_PAD);
    }
    fill_write(s->seq_w, ch, expect, planar, planes);
    res = planar ? rl_ring_write_planar(s->ring, (const float* const*)planes, frames, &written)
                 : rl_ring_write(s->ring, g_io, frames, &written);
    if (s->closed) {
        FUZZ_CHECK_EQ(res, RL_CLOSED, "write to a closed ring");
        FUZZ_CHECK_EQ(written, 0, "frames written to a closed ring");
    } else {
        FUZZ_CHECK_EQ(res, RL_OK, planar ? "write_planar" : "write");
        FUZZ_CHECK_EQ(written, expect, planar ? "frames written (planar)" : "frames written");
        if (expect < frames) {
            ++s->overruns;
        }
    }
    s->w += expect;
    s->seq_w += expect;
    s->work += (uint64_t)expect * ch + 1u;
}

/* The frames read must be the model's next ones, and every float past them
 * (in each plane, or after the interleaved frames) must still be a sentinel. */
FUZZ_UNCOVERED static void verify_read(const ring_state* s, float* const* planes, int planar,
                                       uint32_t frames, uint32_t expect, size_t stride) {
    uint32_t ch = s->channels;
    uint32_t fill = s->w - s->r;
    uint32_t i;
    uint32_t c;
    size_t bad;
    for (i = 0; i < expect; ++i) {
        for (c = 0; c < ch; ++c) {
            float v = planar ? planes[c][i] : g_io[(size_t)i * ch + c];
            if (fuzz_bits_float(v) != fuzz_bits_float(sample(s->seq_r + i, c))) {
                FUZZ_FAIL("%s: frame %u ch %u of %u: got %.1f want %.1f (read index %u, %u "
                          "frames in the ring, %u requested)",
                          planar ? "read_planar" : "read", i, c, ch, (double)v,
                          (double)sample(s->seq_r + i, c), s->r, fill, frames);
            }
        }
    }
    if (planar) {
        for (c = 0; c < ch; ++c) {
            bad = find_non_sentinel(planes[c] + expect, stride - expect);
            if (bad < stride - expect) {
                FUZZ_FAIL("read_planar wrote past the frames it moved: plane %u index %zu "
                          "(moved %u of %u requested)",
                          c, expect + bad, expect, frames);
            }
        }
    } else {
        size_t moved = (size_t)expect * ch;
        size_t total = (size_t)ch * stride;
        bad = find_non_sentinel(g_io + moved, total - moved);
        if (bad < total - moved) {
            FUZZ_FAIL("read wrote past the frames it moved: sample %zu (moved %u frames of %u "
                      "requested, %u channels)",
                      moved + bad, expect, frames, ch);
        }
    }
}

static void op_read(ring_state* s, fuzz_input* in, int planar) {
    uint32_t frames = fuzz_upto(in, 2u * s->capacity);
    uint32_t ch = s->channels;
    uint32_t fill = s->w - s->r;
    uint32_t expect = min_u32(frames, fill);
    uint32_t got = 12345u;
    size_t stride = (size_t)frames + FUZZ_RING_PAD;
    float* planes[RL_RING_MAX_CHANNELS];
    rl_result want = (s->closed && frames > 0 && expect == 0) ? RL_CLOSED : RL_OK;
    rl_result res;
    uint32_t c;
    for (c = 0; c < ch; ++c) {
        planes[c] = g_io + (size_t)c * stride;
    }
    /* Planar planes and the interleaved buffer (plus its pad) span the same
     * ch * stride floats; everything past the moved frames must survive. */
    fill_sentinel(g_io, (size_t)ch * stride);
    res = planar ? rl_ring_read_planar(s->ring, planes, frames, &got)
                 : rl_ring_read(s->ring, g_io, frames, &got);
    FUZZ_CHECK_EQ(res, want, planar ? "read_planar result" : "read result");
    FUZZ_CHECK_EQ(got, expect, planar ? "frames read (planar)" : "frames read");
    if (!s->closed && expect < frames) {
        ++s->underruns;
    }
    verify_read(s, planes, planar, frames, expect, stride);
    s->r += expect;
    s->seq_r += expect;
    s->work += (uint64_t)frames * ch + 1u;
}

static void op_attach(ring_state* s, fuzz_input* in) {
    rl_ring* attached = (rl_ring*)(void*)s;
    switch (fuzz_u8(in) % 4u) {
    case 0:
        FUZZ_CHECK_EQ(rl_ring_attach(s->block.heap, s->block.size, &attached), RL_OK, "attach");
        FUZZ_CHECK(attached == s->ring, "attach returned another pointer");
        break;
    case 1:
        FUZZ_CHECK_EQ(rl_ring_attach(s->block.heap, s->need - 1u - fuzz_u8(in), &attached),
                      RL_OUT_OF_MEMORY, "attach, heap_size short");
        FUZZ_CHECK(attached == NULL, "failed attach left *ring set");
        break;
    case 2:
        FUZZ_CHECK_EQ(
            rl_ring_attach(s->block.heap, RL_RING_HEADER_BYTES - 1u - fuzz_u8(in) % 64u, &attached),
            RL_INVALID_ARGS, "attach, heap_size below the header");
        FUZZ_CHECK(attached == NULL, "failed attach left *ring set");
        break;
    default:
        FUZZ_CHECK_EQ(
            rl_ring_attach(s->block.heap + 1u + fuzz_u8(in) % 63u, s->block.size - 64u, &attached),
            RL_INVALID_ARGS, "attach, misaligned");
        FUZZ_CHECK(attached == NULL, "failed attach left *ring set");
        FUZZ_CHECK_EQ(rl_ring_attach(s->block.heap, s->block.size, NULL), RL_INVALID_ARGS,
                      "attach, NULL out");
        FUZZ_CHECK_EQ(rl_ring_attach(NULL, s->block.size, &attached), RL_INVALID_ARGS,
                      "attach, NULL heap");
        break;
    }
}

/* Every call on an uninitialised ring is refused and moves nothing. */
static void check_dead(ring_state* s) {
    uint32_t n = 12345u;
    rl_ring* attached = (rl_ring*)(void*)s;
    const float* cplanes[RL_RING_MAX_CHANNELS];
    float* planes[RL_RING_MAX_CHANNELS];
    uint32_t c;
    for (c = 0; c < RL_RING_MAX_CHANNELS; ++c) {
        cplanes[c] = g_io + (size_t)c * 64u;
        planes[c] = g_io + (size_t)c * 64u;
    }
    FUZZ_CHECK_EQ(rl_ring_attach(s->block.heap, s->block.size, &attached), RL_INVALID_STATE,
                  "attach after uninit");
    FUZZ_CHECK(attached == NULL, "failed attach left *ring set");
    FUZZ_CHECK_EQ(rl_ring_write(s->ring, g_io, 1, &n), RL_INVALID_ARGS, "write after uninit");
    FUZZ_CHECK_EQ(n, 0, "frames written after uninit");
    n = 12345u;
    FUZZ_CHECK_EQ(rl_ring_write_planar(s->ring, cplanes, 1, &n), RL_INVALID_ARGS,
                  "write_planar after uninit");
    FUZZ_CHECK_EQ(n, 0, "frames written after uninit");
    n = 12345u;
    FUZZ_CHECK_EQ(rl_ring_read(s->ring, g_io, 1, &n), RL_INVALID_ARGS, "read after uninit");
    FUZZ_CHECK_EQ(n, 0, "frames read after uninit");
    n = 12345u;
    FUZZ_CHECK_EQ(rl_ring_read_planar(s->ring, planes, 1, &n), RL_INVALID_ARGS,
                  "read_planar after uninit");
    FUZZ_CHECK_EQ(n, 0, "frames read after uninit");
    FUZZ_CHECK_EQ(atomic_load(&s->ring->write_index), s->w, "write index moved after uninit");
    FUZZ_CHECK_EQ(atomic_load(&s->ring->read_index), s->r, "read index moved after uninit");
}

static void op_reinit(ring_state* s, fuzz_input* in) {
    uint8_t variant = fuzz_u8(in) % 4u;
    uint32_t channels = s->channels;
    uint32_t capacity = s->capacity;
    rl_ring_config cfg;
    rl_ring* ring = NULL;
    if (variant == 1) {
        /* A new config, if it fits in the block. */
        uint32_t ch = 1u + fuzz_u8(in) % RL_RING_MAX_CHANNELS;
        uint32_t cap = RL_RING_MIN_CAPACITY << (fuzz_u8(in) % 5u);
        if (RL_RING_HEADER_BYTES + (size_t)cap * ch * 4u <= s->block.size) {
            channels = ch;
            capacity = cap;
        }
    }
    if (variant != 2) {
        rl_ring_uninit(s->ring);
        s->live = 0;
        fuzz_block_check(&s->block, "uninit");
        if (variant == 3) {
            check_dead(s);
        }
    }
    cfg = rl_ring_config_init(channels, capacity);
    FUZZ_CHECK_EQ(rl_ring_init_preallocated(&cfg, s->block.heap, s->block.size, &ring), RL_OK,
                  "reinit");
    FUZZ_CHECK(ring == s->ring, "reinit moved the ring");
    model_reset(s, channels, capacity);
    s->need = RL_RING_HEADER_BYTES + (size_t)capacity * channels * 4u;
}

static void op_set_indices(ring_state* s, fuzz_input* in) {
    uint32_t fill = s->w - s->r;
    uint32_t r;
    if (fill == 0) {
        r = (fuzz_u8(in) & 1u) ? fuzz_u32(in) : 0u - fuzz_upto(in, 2u * s->capacity);
    } else {
        /* Keep every frame in its slot: move by a multiple of the capacity. */
        uint32_t base = 0u - (1u + fuzz_u8(in) % 4u) * s->capacity;
        r = base + (s->r & (s->capacity - 1u));
    }
    s->r = r;
    s->w = r + fill;
    atomic_store(&s->ring->read_index, s->r);
    atomic_store(&s->ring->write_index, s->w);
}

static void op_edge_call(ring_state* s, fuzz_input* in) {
    uint32_t n = 12345u;
    uint32_t frames = 1u + fuzz_u8(in);
    const float* cplanes[RL_RING_MAX_CHANNELS];
    float* planes[RL_RING_MAX_CHANNELS];
    uint32_t c;
    for (c = 0; c < RL_RING_MAX_CHANNELS; ++c) {
        cplanes[c] = g_io + (size_t)c * 512u;
        planes[c] = g_io + (size_t)c * 512u;
    }
    switch (fuzz_u8(in) % 8u) {
    case 0: /* Zero frames, no buffer: not a short write. */
        FUZZ_CHECK_EQ(rl_ring_write(s->ring, NULL, 0, &n), s->closed ? RL_CLOSED : RL_OK,
                      "write of 0 frames");
        FUZZ_CHECK_EQ(n, 0, "frames written");
        n = 12345u;
        FUZZ_CHECK_EQ(rl_ring_write_planar(s->ring, NULL, 0, &n), s->closed ? RL_CLOSED : RL_OK,
                      "write_planar of 0 frames");
        FUZZ_CHECK_EQ(n, 0, "frames written");
        break;
    case 1: /* Zero frames, no buffer: not a short read. */
        FUZZ_CHECK_EQ(rl_ring_read(s->ring, NULL, 0, &n), RL_OK, "read of 0 frames");
        FUZZ_CHECK_EQ(n, 0, "frames read");
        n = 12345u;
        FUZZ_CHECK_EQ(rl_ring_read_planar(s->ring, NULL, 0, &n), RL_OK, "read_planar of 0 frames");
        FUZZ_CHECK_EQ(n, 0, "frames read");
        break;
    case 2:
        FUZZ_CHECK_EQ(rl_ring_write(s->ring, NULL, frames, &n), RL_INVALID_ARGS, "write from NULL");
        FUZZ_CHECK_EQ(n, 0, "frames written");
        n = 12345u;
        FUZZ_CHECK_EQ(rl_ring_write_planar(s->ring, NULL, frames, &n), RL_INVALID_ARGS,
                      "write_planar from NULL");
        FUZZ_CHECK_EQ(n, 0, "frames written");
        break;
    case 3:
        FUZZ_CHECK_EQ(rl_ring_read(s->ring, NULL, frames, &n), RL_INVALID_ARGS, "read into NULL");
        FUZZ_CHECK_EQ(n, 0, "frames read");
        n = 12345u;
        FUZZ_CHECK_EQ(rl_ring_read_planar(s->ring, NULL, frames, &n), RL_INVALID_ARGS,
                      "read_planar into NULL");
        FUZZ_CHECK_EQ(n, 0, "frames read");
        break;
    case 4:
        FUZZ_CHECK_EQ(rl_ring_write(s->ring, g_io, frames, NULL), RL_INVALID_ARGS,
                      "write, NULL count");
        FUZZ_CHECK_EQ(rl_ring_write_planar(s->ring, cplanes, frames, NULL), RL_INVALID_ARGS,
                      "write_planar, NULL count");
        FUZZ_CHECK_EQ(rl_ring_read(s->ring, g_io, frames, NULL), RL_INVALID_ARGS,
                      "read, NULL count");
        FUZZ_CHECK_EQ(rl_ring_read_planar(s->ring, planes, frames, NULL), RL_INVALID_ARGS,
                      "read_planar, NULL count");
        break;
    case 5:
        FUZZ_CHECK_EQ(rl_ring_write(NULL, g_io, frames, &n), RL_INVALID_ARGS, "write, NULL ring");
        FUZZ_CHECK_EQ(n, 0, "frames written");
        FUZZ_CHECK_EQ(rl_ring_read(NULL, g_io, frames, &n), RL_INVALID_ARGS, "read, NULL ring");
        FUZZ_CHECK_EQ(n, 0, "frames read");
        FUZZ_CHECK_EQ(rl_ring_write_planar(NULL, cplanes, frames, &n), RL_INVALID_ARGS,
                      "write_planar, NULL ring");
        FUZZ_CHECK_EQ(rl_ring_read_planar(NULL, planes, frames, &n), RL_INVALID_ARGS,
                      "read_planar, NULL ring");
        break;
    case 6:
        FUZZ_CHECK_EQ(rl_ring_available_read(NULL), 0, "available_read(NULL)");
        FUZZ_CHECK_EQ(rl_ring_available_write(NULL), 0, "available_write(NULL)");
        FUZZ_CHECK_EQ(rl_ring_channels(NULL), 0, "channels(NULL)");
        FUZZ_CHECK_EQ(rl_ring_capacity(NULL), 0, "capacity(NULL)");
        FUZZ_CHECK_EQ(rl_ring_underruns(NULL), 0, "underruns(NULL)");
        FUZZ_CHECK_EQ(rl_ring_overruns(NULL), 0, "overruns(NULL)");
        FUZZ_CHECK_EQ(rl_ring_is_closed(NULL), 0, "is_closed(NULL)");
        rl_ring_close(NULL);
        rl_ring_uninit(NULL);
        break;
    default: {
        size_t size = 12345;
        rl_ring_config cfg = rl_ring_config_init(s->channels, s->capacity);
        FUZZ_CHECK_EQ(rl_ring_get_heap_size(&cfg, NULL), RL_INVALID_ARGS, "heap size, NULL out");
        FUZZ_CHECK_EQ(rl_ring_get_heap_size(NULL, &size), RL_INVALID_ARGS,
                      "heap size, NULL config");
        FUZZ_CHECK_EQ(size, 0, "heap size of NULL config");
        break;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz_input in = fuzz_input_init(data, size);
    ring_state s;
    rl_ring_config cfg;
    uint8_t probes = fuzz_u8(&in);
    uint32_t ops = 0;
    unsigned char fill;
    /* Most inputs go straight to the ring; some probe configs first. */
    if ((probes & 0xF0u) == 0xF0u) {
        uint32_t k;
        for (k = 0; k <= (probes & 3u); ++k) {
            probe_config(&in);
        }
    }
    memset(&s, 0, sizeof s);
    s.channels = 1u + fuzz_u8(&in) % RL_RING_MAX_CHANNELS;
    s.capacity = RL_RING_MIN_CAPACITY << (fuzz_u8(&in) % 5u);
    s.need = RL_RING_HEADER_BYTES + (size_t)s.capacity * s.channels * 4u;
    s.seq_w = fuzz_u32(&in);
    fill = fuzz_u8(&in); /* init must not rely on zeroed memory */
    s.block = fuzz_block_alloc(s.need, fill);
    cfg = rl_ring_config_init(s.channels, s.capacity);
    FUZZ_CHECK_EQ(rl_ring_init_preallocated(&cfg, s.block.heap, s.need, &s.ring), RL_OK, "init");
    FUZZ_CHECK(s.ring == (rl_ring*)(void*)s.block.heap, "ring is not at the start of its block");
    model_reset(&s, s.channels, s.capacity);
    check_state(&s, "init");

    while (fuzz_more(&in) && s.work < FUZZ_RING_BUDGET && ops < 4096u) {
        uint8_t op = fuzz_u8(&in);
        const char* name = "?";
        ++ops;
        switch (op % 12u) {
        case 0:
        case 1:
            name = "write";
            op_write(&s, &in, 0);
            break;
        case 2:
            name = "write_planar";
            op_write(&s, &in, 1);
            break;
        case 3:
        case 4:
            name = "read";
            op_read(&s, &in, 0);
            break;
        case 5:
            name = "read_planar";
            op_read(&s, &in, 1);
            break;
        case 6:
            name = "close";
            if ((op & 0x30u) == 0x30u) {
                rl_ring_close(s.ring);
                s.closed = 1;
            }
            break;
        case 7:
            name = "attach";
            op_attach(&s, &in);
            break;
        case 8:
            name = "reinit";
            op_reinit(&s, &in);
            break;
        case 9:
        case 10:
            name = "set indices";
            op_set_indices(&s, &in);
            break;
        default:
            name = "edge call";
            op_edge_call(&s, &in);
            break;
        }
        check_state(&s, name);
    }
    fuzz_block_free(&s.block);
    return 0;
}
