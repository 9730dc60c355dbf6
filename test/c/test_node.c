/*
 * Unit tests for the ringlet node (csrc/node.c): heap sizing, the three modes,
 * statistics, argument checks and uninit.
 *
 * Self-contained: a tiny check macro, no framework. Every failing check prints
 * file:line and the expression; main returns non-zero if anything failed.
 */
#include "ringlet.h"

#include <stdatomic.h>
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

#define GARBAGE 99.75f

/* An exact float unique per (frame mod 65536, channel). */
static float pattern(uint32_t frame, uint32_t channel) {
    return (float)(((frame & 0xFFFFu) << 5) | channel) + 0.5f;
}

static rl_node* make_node(rl_mode mode, uint32_t channels, uint32_t capacity, void** mem,
                          size_t* size_out) {
    rl_node_config cfg = rl_node_config_init(mode, channels, capacity);
    size_t size = 0;
    rl_node* node = NULL;
    *mem = NULL;
    if (!CHECK_EQ(rl_node_get_heap_size(&cfg, &size), RL_OK)) {
        return NULL;
    }
    *mem = alloc64(size);
    memset(*mem, 0x5A, size); /* init must not rely on zeroed memory */
    if (!CHECK_EQ(rl_node_init_preallocated(&cfg, *mem, size, &node), RL_OK) ||
        !CHECK(node != NULL)) {
        free(*mem);
        *mem = NULL;
        return NULL;
    }
    if (size_out != NULL) {
        *size_out = size;
    }
    /* These tests are about routing and counting, with sample values far above
     * full scale: take the limiter out of the chain (the first quantum applies
     * it). Gain at 1 and a flat EQ are bit-exact; test_chain covers the rest. */
    {
        rl_param_message m;
        memset(&m, 0, sizeof m);
        m.kind = RL_PARAM_LIMITER_BYPASS;
        m.arg = 1;
        CHECK_EQ(rl_params_push(rl_node_params(node), &m), RL_OK);
    }
    return node;
}

/* Statistics are read the way another thread would: atomic loads at offsets. */
static uint64_t stat_frames(rl_node* node) {
    unsigned char* s = (unsigned char*)rl_node_stats(node);
    return atomic_load((_Atomic uint64_t*)(void*)(s + RL_STATS_OFFSET_FRAMES_PROCESSED));
}

static uint32_t stat_quanta(rl_node* node) {
    unsigned char* s = (unsigned char*)rl_node_stats(node);
    return atomic_load((_Atomic uint32_t*)(void*)(s + RL_STATS_OFFSET_QUANTA));
}

static uint32_t stat_silent(rl_node* node) {
    unsigned char* s = (unsigned char*)rl_node_stats(node);
    return atomic_load((_Atomic uint32_t*)(void*)(s + RL_STATS_OFFSET_SILENT_FRAMES));
}

static void fill_outputs(rl_node* node, uint32_t channels, float v) {
    uint32_t c;
    uint32_t i;
    for (c = 0; c < channels; ++c) {
        float* out = rl_node_output(node, c);
        for (i = 0; i < RL_MAX_QUANTUM_FRAMES; ++i) {
            out[i] = v;
        }
    }
}

/* Inputs of quantum `q`: frame sequence starting at `first`. */
static void fill_inputs(rl_node* node, uint32_t channels, uint32_t first, uint32_t frames) {
    uint32_t c;
    uint32_t i;
    for (c = 0; c < channels; ++c) {
        float* in = rl_node_input(node, c);
        for (i = 0; i < frames; ++i) {
            in[i] = pattern(first + i, c);
        }
    }
}

/* Mismatches of output[c][from .. to) against pattern(first + i) (or, with
 * first == UINT32_MAX, against `value`). Reports the first. */
static uint32_t diff_outputs(rl_node* node, uint32_t channels, uint32_t from, uint32_t to,
                             uint32_t first, float value) {
    uint32_t bad = 0;
    uint32_t c;
    uint32_t i;
    for (c = 0; c < channels; ++c) {
        const float* out = rl_node_output(node, c);
        for (i = from; i < to; ++i) {
            float want = first == UINT32_MAX ? value : pattern(first + (i - from), c);
            if (out[i] != want) {
                if (bad == 0) {
                    fprintf(stderr, "  output ch %u frame %u: got %.2f want %.2f\n", c, i,
                            (double)out[i], (double)want);
                }
                ++bad;
            }
        }
    }
    return bad;
}

static uint32_t diff_interleaved(const float* buf, uint32_t channels, uint32_t first,
                                 uint32_t frames) {
    uint32_t bad = 0;
    uint32_t i;
    uint32_t c;
    for (i = 0; i < frames; ++i) {
        for (c = 0; c < channels; ++c) {
            if (buf[(size_t)i * channels + c] != pattern(first + i, c)) {
                if (bad == 0) {
                    fprintf(stderr, "  ring frame %u ch %u: got %.2f want %.2f\n", i, c,
                            (double)buf[(size_t)i * channels + c], (double)pattern(first + i, c));
                }
                ++bad;
            }
        }
    }
    return bad;
}

/* ------------------------------------------------------------------------ */
/* Heap size and init                                                       */
/* ------------------------------------------------------------------------ */

static void test_heap_size(void) {
    static const rl_mode modes[] = {RL_MODE_SOURCE, RL_MODE_EFFECT, RL_MODE_CAPTURE};
    size_t size = 1;
    size_t ring = 0;
    size_t prev = 0;
    size_t i;
    uint32_t ch;
    rl_node_config cfg = rl_node_config_init(RL_MODE_CAPTURE, 3, 512);
    CHECK_EQ(cfg.mode, RL_MODE_CAPTURE);
    CHECK_EQ(cfg.channels, 3);
    CHECK_EQ(cfg.capacity_frames, 512);

    for (i = 0; i < 3; ++i) {
        for (ch = 1; ch <= RL_RING_MAX_CHANNELS; ++ch) {
            rl_ring_config rc = rl_ring_config_init(ch, 1024);
            cfg = rl_node_config_init(modes[i], ch, 1024);
            CHECK_EQ(rl_ring_get_heap_size(&rc, &ring), RL_OK);
            CHECK_EQ(rl_node_get_heap_size(&cfg, &size), RL_OK);
            /* Room for the ring (an effect node has none), two planar scratch
             * sets and the stats block. */
            if (modes[i] == RL_MODE_EFFECT) {
                ring = 0;
            }
            CHECK(size >=
                  ring + 2u * (size_t)ch * RL_MAX_QUANTUM_FRAMES * sizeof(float) + RL_STATS_BYTES);
            CHECK(ch == 1 || size > prev);
            prev = size;
        }
    }

    /* Invalid mode, channels and capacities; NULL arguments. */
    cfg = rl_node_config_init((rl_mode)3, 2, 256);
    CHECK_EQ(rl_node_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    CHECK_EQ(size, 0);
    cfg = rl_node_config_init((rl_mode)-1, 2, 256);
    CHECK_EQ(rl_node_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    cfg = rl_node_config_init(RL_MODE_SOURCE, 0, 256);
    CHECK_EQ(rl_node_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    cfg = rl_node_config_init(RL_MODE_SOURCE, 33, 256);
    CHECK_EQ(rl_node_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    cfg = rl_node_config_init(RL_MODE_SOURCE, 2, 255);
    CHECK_EQ(rl_node_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    cfg = rl_node_config_init(RL_MODE_CAPTURE, 2, 128);
    CHECK_EQ(rl_node_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    /* An effect node has no ring: its capacity is not looked at, and it needs
     * no more memory with a larger one. */
    cfg = rl_node_config_init(RL_MODE_EFFECT, 2, 255);
    CHECK_EQ(rl_node_get_heap_size(&cfg, &size), RL_OK);
    cfg = rl_node_config_init(RL_MODE_EFFECT, 2, 1u << 24);
    CHECK_EQ(rl_node_get_heap_size(&cfg, &ring), RL_OK);
    CHECK_EQ(ring, size);
    cfg = rl_node_config_init(RL_MODE_EFFECT, 0, 256);
    CHECK_EQ(rl_node_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    cfg = rl_node_config_init(RL_MODE_EFFECT, 33, 256);
    CHECK_EQ(rl_node_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    cfg = rl_node_config_init(RL_MODE_CAPTURE, 2, 1u << 25);
    CHECK_EQ(rl_node_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    cfg = rl_node_config_init(RL_MODE_CAPTURE, 2, 1u << 24); /* 128 MiB of storage */
    CHECK_EQ(rl_node_get_heap_size(&cfg, &size), RL_INVALID_ARGS);
    cfg = rl_node_config_init(RL_MODE_CAPTURE, 1, 1u << 24);
    CHECK_EQ(rl_node_get_heap_size(&cfg, &size), RL_OK);
    CHECK_EQ(rl_node_get_heap_size(NULL, &size), RL_INVALID_ARGS);
    CHECK_EQ(rl_node_get_heap_size(&cfg, NULL), RL_INVALID_ARGS);
}

static void test_init(void) {
    rl_node_config cfg = rl_node_config_init(RL_MODE_SOURCE, 2, 256);
    rl_node_config bad = rl_node_config_init((rl_mode)7, 2, 256);
    size_t need = 0;
    unsigned char* mem;
    rl_node* node = (rl_node*)(uintptr_t)1;
    rl_ring* ring;
    uint32_t c;

    CHECK_EQ(rl_node_get_heap_size(&cfg, &need), RL_OK);
    mem = (unsigned char*)alloc64(need + 64);
    CHECK_EQ(rl_node_init_preallocated(&cfg, mem, need - 1, &node), RL_OUT_OF_MEMORY);
    CHECK(node == NULL);
    CHECK_EQ(rl_node_init_preallocated(&cfg, mem + 16, need, &node), RL_INVALID_ARGS);
    CHECK_EQ(rl_node_init_preallocated(&bad, mem, need, &node), RL_INVALID_ARGS);
    CHECK_EQ(rl_node_init_preallocated(NULL, mem, need, &node), RL_INVALID_ARGS);
    CHECK_EQ(rl_node_init_preallocated(&cfg, NULL, need, &node), RL_INVALID_ARGS);
    CHECK_EQ(rl_node_init_preallocated(&cfg, mem, need, NULL), RL_INVALID_ARGS);
    CHECK(node == NULL);

    memset(mem, 0xEE, need + 64);
    CHECK_EQ(rl_node_init_preallocated(&cfg, mem, need, &node), RL_OK);
    CHECK(node == (rl_node*)(void*)mem);
    CHECK_EQ(mem[need], 0xEE); /* nothing past the block is touched */

    /* Scratch planes: in the block, zeroed, disjoint, RL_MAX_QUANTUM_FRAMES each. */
    for (c = 0; c < 2; ++c) {
        unsigned char* in = (unsigned char*)rl_node_input(node, c);
        unsigned char* out = (unsigned char*)rl_node_output(node, c);
        const size_t plane = RL_MAX_QUANTUM_FRAMES * sizeof(float);
        size_t i;
        size_t nonzero = 0;
        CHECK(in != NULL && out != NULL);
        if (in == NULL || out == NULL) {
            continue;
        }
        CHECK(in >= mem && in + plane <= mem + need);
        CHECK(out >= mem && out + plane <= mem + need);
        CHECK(in + plane <= out || out + plane <= in);
        for (i = 0; i < RL_MAX_QUANTUM_FRAMES; ++i) {
            nonzero += ((float*)(void*)in)[i] != 0.0f;
            nonzero += ((float*)(void*)out)[i] != 0.0f;
        }
        CHECK_EQ(nonzero, 0);
    }
    CHECK((unsigned char*)rl_node_input(node, 1) >=
          (unsigned char*)rl_node_input(node, 0) + RL_MAX_QUANTUM_FRAMES * sizeof(float));
    CHECK(rl_node_input(node, 2) == NULL);
    CHECK(rl_node_output(node, 2) == NULL);
    CHECK(rl_node_input(NULL, 0) == NULL);
    CHECK(rl_node_output(NULL, 0) == NULL);
    CHECK(rl_node_ring(NULL) == NULL);
    CHECK(rl_node_stats(NULL) == NULL);

    /* The ring is a valid, attachable ring inside the block. */
    ring = rl_node_ring(node);
    CHECK(ring != NULL);
    if (ring != NULL) {
        rl_ring* other = NULL;
        size_t offset = (size_t)((unsigned char*)ring - mem);
        CHECK_EQ(offset % 64, 0);
        CHECK_EQ(rl_ring_attach(ring, need - offset, &other), RL_OK);
        CHECK(other == ring);
        CHECK_EQ(rl_ring_channels(ring), 2);
        CHECK_EQ(rl_ring_capacity(ring), 256);
        CHECK_EQ(rl_ring_available_read(ring), 0);
    }
    CHECK_EQ((uintptr_t)rl_node_stats(node) % 8, 0);
    CHECK_EQ(stat_frames(node), 0);
    CHECK_EQ(stat_quanta(node), 0);
    CHECK_EQ(stat_silent(node), 0);
    rl_node_uninit(node);
    free(mem);
}

/* ------------------------------------------------------------------------ */
/* Source mode                                                              */
/* ------------------------------------------------------------------------ */

static void test_source(void) {
    const uint32_t ch = 2;
    const uint32_t q = 128;
    float buf[512 * 2];
    uint32_t n = 0;
    uint32_t i;
    uint32_t c;
    uint32_t seq;
    void* mem;
    rl_node* node = make_node(RL_MODE_SOURCE, ch, 256, &mem, NULL);
    rl_ring* ring;
    if (node == NULL) {
        return;
    }
    ring = rl_node_ring(node);

    /* N < quantum frames: they come out first, then silence; one underrun. */
    for (i = 0; i < 50; ++i) {
        for (c = 0; c < ch; ++c) {
            buf[i * ch + c] = pattern(i, c);
        }
    }
    CHECK_EQ(rl_ring_write(ring, buf, 50, &n), RL_OK);
    CHECK_EQ(n, 50);
    fill_outputs(node, ch, GARBAGE);
    CHECK_EQ(rl_node_process(node, q), RL_OK);
    CHECK_EQ(diff_outputs(node, ch, 0, 50, 0, 0.0f), 0);
    CHECK_EQ(diff_outputs(node, ch, 50, q, UINT32_MAX, 0.0f), 0);
    CHECK_EQ(diff_outputs(node, ch, q, RL_MAX_QUANTUM_FRAMES, UINT32_MAX, GARBAGE), 0);
    CHECK_EQ(rl_ring_underruns(ring), 1);
    CHECK_EQ(stat_silent(node), q - 50);
    CHECK_EQ(stat_frames(node), q);
    CHECK_EQ(stat_quanta(node), 1);
    CHECK_EQ(rl_ring_available_read(ring), 0);

    /* Empty ring: a whole quantum of silence. */
    fill_outputs(node, ch, GARBAGE);
    CHECK_EQ(rl_node_process(node, q), RL_OK);
    CHECK_EQ(diff_outputs(node, ch, 0, q, UINT32_MAX, 0.0f), 0);
    CHECK_EQ(rl_ring_underruns(ring), 2);
    CHECK_EQ(stat_silent(node), q - 50 + q);
    CHECK_EQ(stat_frames(node), 2u * q);
    CHECK_EQ(stat_quanta(node), 2);

    /* A full ring streams quanta across its wrap without underruns. */
    seq = 1000;
    for (i = 0; i < 10; ++i) {
        uint32_t k;
        /* One quantum in, one quantum out; the indices pass the ring's end. */
        for (k = 0; k < q; ++k) {
            for (c = 0; c < ch; ++c) {
                buf[k * ch + c] = pattern(seq + k, c);
            }
        }
        CHECK_EQ(rl_ring_write(ring, buf, q, &n), RL_OK);
        CHECK_EQ(n, q);
        fill_outputs(node, ch, GARBAGE);
        CHECK_EQ(rl_node_process(node, q), RL_OK);
        CHECK_EQ(diff_outputs(node, ch, 0, q, seq, 0.0f), 0);
        seq += q;
    }
    CHECK_EQ(rl_ring_underruns(ring), 2);
    CHECK_EQ(stat_silent(node), q - 50 + q);
    CHECK_EQ(stat_frames(node), 12u * q);
    CHECK_EQ(stat_quanta(node), 12);

    /* Odd quantum sizes, including 1 and RL_MAX_QUANTUM_FRAMES on a small ring. */
    for (i = 0; i < 3; ++i) {
        for (c = 0; c < ch; ++c) {
            buf[i * ch + c] = pattern(7 + i, c);
        }
    }
    CHECK_EQ(rl_ring_write(ring, buf, 3, &n), RL_OK);
    fill_outputs(node, ch, GARBAGE);
    CHECK_EQ(rl_node_process(node, 1), RL_OK);
    CHECK_EQ(diff_outputs(node, ch, 0, 1, 7, 0.0f), 0);
    CHECK_EQ(diff_outputs(node, ch, 1, RL_MAX_QUANTUM_FRAMES, UINT32_MAX, GARBAGE), 0);
    CHECK_EQ(rl_node_process(node, RL_MAX_QUANTUM_FRAMES), RL_OK);
    CHECK_EQ(diff_outputs(node, ch, 0, 2, 8, 0.0f), 0);
    CHECK_EQ(diff_outputs(node, ch, 2, RL_MAX_QUANTUM_FRAMES, UINT32_MAX, 0.0f), 0);
    CHECK_EQ(rl_ring_underruns(ring), 3);
    CHECK_EQ(stat_silent(node), q - 50 + q + RL_MAX_QUANTUM_FRAMES - 2u);
    CHECK_EQ(stat_frames(node), 12u * q + 1u + RL_MAX_QUANTUM_FRAMES);
    CHECK_EQ(stat_quanta(node), 14);

    /* Closed: remaining frames play out, then silence with RL_OK and no
     * further underruns (end of stream is not an underrun). */
    for (i = 0; i < 20; ++i) {
        for (c = 0; c < ch; ++c) {
            buf[i * ch + c] = pattern(300 + i, c);
        }
    }
    CHECK_EQ(rl_ring_write(ring, buf, 20, &n), RL_OK);
    rl_ring_close(ring);
    fill_outputs(node, ch, GARBAGE);
    CHECK_EQ(rl_node_process(node, q), RL_OK);
    CHECK_EQ(diff_outputs(node, ch, 0, 20, 300, 0.0f), 0);
    CHECK_EQ(diff_outputs(node, ch, 20, q, UINT32_MAX, 0.0f), 0);
    fill_outputs(node, ch, GARBAGE);
    CHECK_EQ(rl_node_process(node, q), RL_OK);
    CHECK_EQ(diff_outputs(node, ch, 0, q, UINT32_MAX, 0.0f), 0);
    CHECK_EQ(rl_ring_underruns(ring), 3);
    CHECK_EQ(stat_quanta(node), 16);

    rl_node_uninit(node);
    free(mem);
}

/* A source that has never been fed has not started: silence, no underrun. */
static void test_source_unprimed(void) {
    const uint32_t q = 128;
    float buf[4] = {0.25f, 0.5f, 0.75f, 1.0f};
    uint32_t n = 0;
    void* mem;
    rl_node* node = make_node(RL_MODE_SOURCE, 1, 256, &mem, NULL);
    rl_ring* ring;
    if (node == NULL) {
        return;
    }
    ring = rl_node_ring(node);
    fill_outputs(node, 1, GARBAGE);
    CHECK_EQ(rl_node_process(node, q), RL_OK);
    CHECK_EQ(rl_node_process(node, q), RL_OK);
    CHECK_EQ(diff_outputs(node, 1, 0, q, UINT32_MAX, 0.0f), 0);
    CHECK_EQ(rl_ring_underruns(ring), 0);
    CHECK_EQ(stat_silent(node), 0);
    CHECK_EQ(stat_frames(node), 2u * q);
    CHECK_EQ(stat_quanta(node), 2);
    /* Once fed, running dry counts. */
    CHECK_EQ(rl_ring_write(ring, buf, 4, &n), RL_OK);
    CHECK_EQ(rl_node_process(node, q), RL_OK);
    CHECK_EQ(rl_ring_underruns(ring), 1);
    CHECK_EQ(stat_silent(node), q - 4u);
    CHECK_EQ(rl_node_process(node, q), RL_OK);
    CHECK_EQ(rl_ring_underruns(ring), 2);
    /* Re-initialising (a reset) makes it unprimed again. */
    {
        rl_node_config cfg = rl_node_config_init(RL_MODE_SOURCE, 1, 256);
        size_t size = 0;
        rl_node* again = NULL;
        CHECK_EQ(rl_node_get_heap_size(&cfg, &size), RL_OK);
        CHECK_EQ(rl_node_init_preallocated(&cfg, mem, size, &again), RL_OK);
        CHECK_EQ(rl_node_process(again, q), RL_OK);
        CHECK_EQ(rl_ring_underruns(rl_node_ring(again)), 0);
    }
    rl_node_uninit(node);
    free(mem);
}

/* The statistics have the documented widths: 64-bit frames, 32-bit wrapping
 * silence and quanta counters. */
static void test_stats_width(void) {
    void* mem;
    rl_node* node = make_node(RL_MODE_SOURCE, 1, 256, &mem, NULL);
    unsigned char* s;
    if (node == NULL) {
        return;
    }
    s = (unsigned char*)rl_node_stats(node);
    atomic_store((_Atomic uint64_t*)(void*)(s + RL_STATS_OFFSET_FRAMES_PROCESSED),
                 (uint64_t)UINT32_MAX - 10u);
    atomic_store((_Atomic uint32_t*)(void*)(s + RL_STATS_OFFSET_QUANTA), UINT32_MAX);
    atomic_store((_Atomic uint32_t*)(void*)(s + RL_STATS_OFFSET_SILENT_FRAMES), UINT32_MAX - 9u);
    {
        /* One frame primes the source; the other 127 of the quantum are silence. */
        float one = 0.5f;
        uint32_t n = 0;
        CHECK_EQ(rl_ring_write(rl_node_ring(node), &one, 1, &n), RL_OK);
    }
    CHECK_EQ(rl_node_process(node, 128), RL_OK);
    CHECK_EQ(stat_frames(node), (uint64_t)UINT32_MAX - 10u + 128u);
    CHECK_EQ(stat_quanta(node), 0);
    CHECK_EQ(stat_silent(node), 117);
    rl_node_uninit(node);
    free(mem);
}

/* ------------------------------------------------------------------------ */
/* Effect mode                                                              */
/* ------------------------------------------------------------------------ */

static void test_effect(void) {
    static const uint32_t channels[] = {1, 2, 7, 32};
    static const uint32_t frames[] = {1, 127, 128, RL_MAX_QUANTUM_FRAMES};
    size_t i;
    size_t j;
    for (i = 0; i < sizeof channels / sizeof channels[0]; ++i) {
        const uint32_t ch = channels[i];
        void* mem;
        rl_node* node = make_node(RL_MODE_EFFECT, ch, 256, &mem, NULL);
        uint64_t total = 0;
        if (node == NULL) {
            continue;
        }
        for (j = 0; j < sizeof frames / sizeof frames[0]; ++j) {
            const uint32_t f = frames[j];
            fill_inputs(node, ch, (uint32_t)(j * 5000u), f);
            fill_outputs(node, ch, GARBAGE);
            CHECK_EQ(rl_node_process(node, f), RL_OK);
            if (!CHECK_EQ(diff_outputs(node, ch, 0, f, (uint32_t)(j * 5000u), 0.0f), 0)) {
                fprintf(stderr, "  effect: channels %u frames %u\n", ch, f);
            }
            CHECK_EQ(diff_outputs(node, ch, f, RL_MAX_QUANTUM_FRAMES, UINT32_MAX, GARBAGE), 0);
            total += f;
        }
        /* There is no ring, and nothing counts as silence. */
        CHECK(rl_node_ring(node) == NULL);
        CHECK_EQ(stat_frames(node), total);
        CHECK_EQ(stat_quanta(node), 4);
        CHECK_EQ(stat_silent(node), 0);
        rl_node_uninit(node);
        free(mem);
    }
}

/* ------------------------------------------------------------------------ */
/* Capture mode                                                             */
/* ------------------------------------------------------------------------ */

static void test_capture(void) {
    const uint32_t ch = 3;
    const uint32_t q = 128;
    static float buf[1024 * 3];
    uint32_t n = 0;
    void* mem;
    rl_node* node = make_node(RL_MODE_CAPTURE, ch, 256, &mem, NULL);
    rl_ring* ring;
    if (node == NULL) {
        return;
    }
    ring = rl_node_ring(node);

    /* Inputs go to the outputs and into the ring. */
    fill_inputs(node, ch, 0, q);
    fill_outputs(node, ch, GARBAGE);
    CHECK_EQ(rl_node_process(node, q), RL_OK);
    CHECK_EQ(diff_outputs(node, ch, 0, q, 0, 0.0f), 0);
    CHECK_EQ(rl_ring_available_read(ring), q);
    CHECK_EQ(rl_ring_read(ring, buf, 1024, &n), RL_OK);
    CHECK_EQ(n, q);
    CHECK_EQ(diff_interleaved(buf, ch, 0, q), 0);
    CHECK_EQ(rl_ring_overruns(ring), 0);

    /* Stream across the ring's wrap, reading behind. */
    {
        uint32_t seq = 1000;
        int k;
        for (k = 0; k < 9; ++k) {
            fill_inputs(node, ch, seq, q);
            CHECK_EQ(rl_node_process(node, q), RL_OK);
            CHECK_EQ(diff_outputs(node, ch, 0, q, seq, 0.0f), 0);
            CHECK_EQ(rl_ring_read(ring, buf, q, &n), RL_OK);
            CHECK_EQ(n, q);
            CHECK_EQ(diff_interleaved(buf, ch, seq, q), 0);
            seq += q;
        }
    }

    /* Fill the ring: the third quantum only partly fits (one overrun), then
     * a full ring takes nothing (another overrun); outputs are still copied
     * and the ring keeps the oldest frames. */
    fill_inputs(node, ch, 2000, q);
    CHECK_EQ(rl_node_process(node, q), RL_OK);
    fill_inputs(node, ch, 3000, 100);
    CHECK_EQ(rl_node_process(node, 100), RL_OK);
    CHECK_EQ(rl_ring_overruns(ring), 0);
    fill_inputs(node, ch, 4000, q);
    fill_outputs(node, ch, GARBAGE);
    CHECK_EQ(rl_node_process(node, q), RL_OK);
    CHECK_EQ(diff_outputs(node, ch, 0, q, 4000, 0.0f), 0);
    CHECK_EQ(rl_ring_overruns(ring), 1);
    CHECK_EQ(rl_ring_available_write(ring), 0);
    fill_inputs(node, ch, 5000, q);
    fill_outputs(node, ch, GARBAGE);
    CHECK_EQ(rl_node_process(node, q), RL_OK);
    CHECK_EQ(diff_outputs(node, ch, 0, q, 5000, 0.0f), 0);
    CHECK_EQ(rl_ring_overruns(ring), 2);
    CHECK_EQ(rl_ring_read(ring, buf, 1024, &n), RL_OK);
    CHECK_EQ(n, 256);
    CHECK_EQ(diff_interleaved(buf, ch, 2000, q), 0);
    CHECK_EQ(diff_interleaved(buf + (size_t)q * ch, ch, 3000, 100), 0);
    CHECK_EQ(diff_interleaved(buf + (size_t)(q + 100) * ch, ch, 4000, 28), 0);
    CHECK_EQ(stat_silent(node), 0);
    CHECK_EQ(stat_quanta(node), 14);

    /* A closed capture ring: outputs still copied, RL_OK, nothing counted. */
    rl_ring_close(ring);
    fill_inputs(node, ch, 6000, q);
    fill_outputs(node, ch, GARBAGE);
    CHECK_EQ(rl_node_process(node, q), RL_OK);
    CHECK_EQ(diff_outputs(node, ch, 0, q, 6000, 0.0f), 0);
    CHECK_EQ(rl_ring_available_read(ring), 0);
    CHECK_EQ(rl_ring_overruns(ring), 2);
    rl_node_uninit(node);
    free(mem);
}

/* ------------------------------------------------------------------------ */
/* Arguments and uninit                                                     */
/* ------------------------------------------------------------------------ */

static void test_process_args_and_uninit(void) {
    size_t size = 0;
    void* mem;
    rl_node* node = make_node(RL_MODE_CAPTURE, 2, 256, &mem, &size);
    rl_ring* ring;
    rl_ring* other = NULL;
    size_t offset;
    if (node == NULL) {
        return;
    }
    CHECK_EQ(rl_node_process(node, 0), RL_INVALID_ARGS);
    CHECK_EQ(rl_node_process(node, RL_MAX_QUANTUM_FRAMES + 1u), RL_INVALID_ARGS);
    CHECK_EQ(rl_node_process(node, UINT32_MAX), RL_INVALID_ARGS);
    CHECK_EQ(rl_node_process(NULL, 128), RL_INVALID_ARGS);
    CHECK_EQ(stat_quanta(node), 0); /* rejected calls count nothing */
    CHECK_EQ(stat_frames(node), 0);
    CHECK_EQ(rl_node_process(node, RL_MAX_QUANTUM_FRAMES), RL_OK);
    CHECK_EQ(rl_node_process(node, 1), RL_OK);
    CHECK_EQ(stat_quanta(node), 2);

    /* Uninit: processing is refused and the ring no longer attaches. */
    ring = rl_node_ring(node);
    offset = (size_t)((unsigned char*)ring - (unsigned char*)mem);
    CHECK_EQ(rl_ring_attach(ring, size - offset, &other), RL_OK);
    rl_node_uninit(node);
    CHECK_EQ(rl_node_process(node, 128), RL_INVALID_ARGS);
    CHECK_EQ(stat_quanta(node), 2);
    CHECK_EQ(rl_ring_attach(ring, size - offset, &other), RL_INVALID_STATE);
    CHECK(other == NULL);
    rl_node_uninit(node); /* twice is harmless */
    rl_node_uninit(NULL);

    /* The block can be initialised again. */
    {
        rl_node_config cfg = rl_node_config_init(RL_MODE_SOURCE, 2, 256);
        CHECK_EQ(rl_node_init_preallocated(&cfg, mem, size, &node), RL_OK);
        CHECK_EQ(stat_quanta(node), 0);
        CHECK_EQ(rl_node_process(node, 128), RL_OK);
        rl_node_uninit(node);
    }
    free(mem);
}

/* The parameter queue on its own: full and empty say so, and change nothing. */
static void test_params_queue(void) {
    void* mem = aligned_alloc(64, RL_PARAMS_BYTES);
    rl_params* q = NULL;
    rl_param_message m;
    rl_param_message out;
    uint32_t i;
    memset(&m, 0, sizeof m);
    CHECK_EQ(rl_params_init(mem, RL_PARAMS_BYTES, &q), RL_OK);
    memset(&out, 0xEE, sizeof out);
    CHECK_EQ(rl_params_pop(q, &out), RL_QUEUE_EMPTY);
    CHECK_EQ(out.kind, 0xEEEEEEEEu);
    for (i = 0; i < RL_PARAMS_CAPACITY; ++i) {
        m.index = i;
        CHECK_EQ(rl_params_push(q, &m), RL_OK);
    }
    m.index = RL_PARAMS_CAPACITY;
    CHECK_EQ(rl_params_push(q, &m), RL_QUEUE_FULL);
    for (i = 0; i < RL_PARAMS_CAPACITY; ++i) {
        CHECK_EQ(rl_params_pop(q, &out), RL_OK);
        CHECK_EQ(out.index, i);
    }
    CHECK_EQ(rl_params_pop(q, &out), RL_QUEUE_EMPTY);
    CHECK_EQ(out.index, RL_PARAMS_CAPACITY - 1u);
    CHECK_EQ(rl_params_push(NULL, &m), RL_INVALID_ARGS);
    CHECK_EQ(rl_params_push(q, NULL), RL_INVALID_ARGS);
    CHECK_EQ(rl_params_pop(NULL, &out), RL_INVALID_ARGS);
    CHECK_EQ(rl_params_pop(q, NULL), RL_INVALID_ARGS);
    CHECK(strcmp(rl_result_string(RL_QUEUE_FULL), "queue full") == 0);
    CHECK(strcmp(rl_result_string(RL_QUEUE_EMPTY), "queue empty") == 0);
    free(mem);
}

int main(void) {
    test_heap_size();
    test_init();
    test_source();
    test_source_unprimed();
    test_stats_width();
    test_effect();
    test_capture();
    test_process_args_and_uninit();
    test_params_queue();
    if (g_failed != 0) {
        printf("test_node: %llu of %llu checks FAILED\n", g_failed, g_checks);
        return 1;
    }
    printf("test_node: %llu checks passed\n", g_checks);
    return 0;
}
