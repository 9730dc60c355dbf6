/*
 * fuzz_params: runs the input as a program of pushes and pops on one
 * parameter queue and checks every step against a model FIFO of
 * RL_PARAMS_CAPACITY messages.
 *
 * Checks: a push onto a full queue returns RL_QUEUE_FULL and leaves every
 * byte of the queue as it was; a pop of an empty queue returns RL_QUEUE_EMPTY and changes
 * nothing; pops return the pushed messages in order, byte for byte (NaN
 * payloads and the reserved word included); the rejected counter counts; the
 * raw indices and counter at their RL_PARAMS_OFFSET_* match the model after
 * every op (also with indices moved near 2^32); refused inits (NULL,
 * misaligned, too small) touch nothing; NULL arguments are refused; and the
 * canaries around the block stay intact.
 */
#include "ringlet.h"
#include "fuzz_util.h"

#define FUZZ_PARAMS_BLOCK (RL_PARAMS_BYTES + 64u)

typedef struct params_state {
    fuzz_block block;
    rl_params* params;
    rl_param_message model[RL_PARAMS_CAPACITY]; /* model[w % capacity] */
    uint32_t w;
    uint32_t r;
    uint32_t rejected;
    uint32_t seq;
} params_state;

static uint32_t raw_u32(const params_state* s, size_t offset) {
    uint32_t v;
    memcpy(&v, s->block.heap + offset, sizeof v);
    return v;
}

static void set_raw_u32(params_state* s, size_t offset, uint32_t v) {
    memcpy(s->block.heap + offset, &v, sizeof v);
}

static void check_state(params_state* s, const char* op) {
    fuzz_block_check(&s->block, op);
    FUZZ_CHECK_EQ(raw_u32(s, RL_PARAMS_OFFSET_WRITE_INDEX), s->w, "raw write index");
    FUZZ_CHECK_EQ(raw_u32(s, RL_PARAMS_OFFSET_READ_INDEX), s->r, "raw read index");
    FUZZ_CHECK_EQ(raw_u32(s, RL_PARAMS_OFFSET_REJECTED), s->rejected, "rejected counter");
    FUZZ_CHECK(s->w - s->r <= RL_PARAMS_CAPACITY, "model holds more than the capacity");
}

/* A message mixing input bytes with a counter: any bit pattern may occur. */
static rl_param_message make_message(params_state* s, fuzz_input* in) {
    rl_param_message m;
    uint32_t words[8];
    uint8_t shape = fuzz_u8(in);
    uint32_t k;
    for (k = 0; k < 8u; ++k) {
        words[k] = fuzz_mix32(s->seq * 8u + k);
    }
    ++s->seq;
    words[0] = (shape & 1u) ? fuzz_u32(in) : (uint32_t)fuzz_u8(in) % 10u;
    if (shape & 2u) {
        words[1] = fuzz_u8(in);
        words[2] = fuzz_u8(in);
    }
    if (shape & 4u) {
        words[4 + fuzz_u8(in) % 4u] = fuzz_special_bits[fuzz_u8(in) % FUZZ_SPECIALS];
    }
    if (shape & 8u) {
        words[4 + fuzz_u8(in) % 4u] = fuzz_u32(in);
    }
    memcpy(&m, words, sizeof m);
    return m;
}

static void op_push(params_state* s, fuzz_input* in) {
    rl_param_message m = make_message(s, in);
    static unsigned char before[RL_PARAMS_BYTES];
    int full = s->w - s->r >= RL_PARAMS_CAPACITY;
    rl_result res;
    if (full) {
        memcpy(before, s->block.heap, RL_PARAMS_BYTES);
    }
    res = rl_params_push(s->params, &m);
    if (full) {
        FUZZ_CHECK_EQ(res, RL_QUEUE_FULL, "push onto a full queue");
        FUZZ_CHECK(memcmp(before, s->block.heap, RL_PARAMS_BYTES) == 0,
                   "push onto a full queue changed the queue");
        return;
    }
    FUZZ_CHECK_EQ(res, RL_OK, "push");
    s->model[s->w % RL_PARAMS_CAPACITY] = m;
    ++s->w;
}

/* Returns 1 if a message came out. */
static int op_pop(params_state* s) {
    static unsigned char before[RL_PARAMS_BYTES];
    rl_param_message m;
    rl_result got;
    memset(&m, 0xEE, sizeof m);
    if (s->w == s->r) {
        memcpy(before, s->block.heap, RL_PARAMS_BYTES);
        FUZZ_CHECK_EQ(rl_params_pop(s->params, &m), RL_QUEUE_EMPTY, "pop of an empty queue");
        FUZZ_CHECK(memcmp(before, s->block.heap, RL_PARAMS_BYTES) == 0,
                   "pop of an empty queue changed the queue");
        return 0;
    }
    got = rl_params_pop(s->params, &m);
    FUZZ_CHECK_EQ(got, RL_OK, "pop");
    if (memcmp(&m, &s->model[s->r % RL_PARAMS_CAPACITY], sizeof m) != 0) {
        const uint32_t* a = (const uint32_t*)(const void*)&m;
        const uint32_t* b = (const uint32_t*)(const void*)&s->model[s->r % RL_PARAMS_CAPACITY];
        uint32_t k;
        for (k = 0; k < 8u && a[k] == b[k]; ++k) {
        }
        FUZZ_FAIL("pop returned the wrong message at read index %u (%u queued): word %u is "
                  "0x%08x, want 0x%08x",
                  s->r, s->w - s->r, k, a[k % 8u], b[k % 8u]);
    }
    ++s->r;
    return 1;
}

static void expect_refused_init(params_state* s, void* heap, size_t size, rl_result want,
                                const char* what) {
    static unsigned char before[FUZZ_PARAMS_BLOCK];
    rl_params* p = (rl_params*)(void*)s;
    memcpy(before, s->block.heap, s->block.size);
    FUZZ_CHECK_EQ(rl_params_init(heap, size, &p), want, what);
    FUZZ_CHECK(p == NULL, "%s: refused init left *params set", what);
    FUZZ_CHECK(memcmp(before, s->block.heap, s->block.size) == 0, "%s: refused init wrote", what);
}

static void op_init(params_state* s, fuzz_input* in) {
    rl_params* p = NULL;
    switch (fuzz_u8(in) % 5u) {
    case 0:
        expect_refused_init(s, NULL, RL_PARAMS_BYTES, RL_INVALID_ARGS, "init, NULL heap");
        break;
    case 1:
        expect_refused_init(s, s->block.heap + 1u + fuzz_u8(in) % 63u, RL_PARAMS_BYTES,
                            RL_INVALID_ARGS, "init, misaligned heap");
        break;
    case 2:
        expect_refused_init(s, s->block.heap, RL_PARAMS_BYTES - 1u - fuzz_u16(in) % RL_PARAMS_BYTES,
                            RL_OUT_OF_MEMORY, "init, block too small");
        break;
    case 3:
        FUZZ_CHECK_EQ(rl_params_init(s->block.heap, RL_PARAMS_BYTES, NULL), RL_INVALID_ARGS,
                      "init, NULL out");
        break;
    default:
        /* Reinitialising empties the queue and clears the counter. */
        FUZZ_CHECK_EQ(rl_params_init(s->block.heap, s->block.size, &p), RL_OK, "reinit");
        FUZZ_CHECK(p == s->params, "reinit moved the queue");
        s->w = 0;
        s->r = 0;
        s->rejected = 0;
        break;
    }
}

static void op_set_indices(params_state* s, fuzz_input* in) {
    uint32_t fill = s->w - s->r;
    uint32_t r;
    rl_param_message moved[RL_PARAMS_CAPACITY];
    uint32_t k;
    if (fill == 0) {
        r = (fuzz_u8(in) & 1u) ? fuzz_u32(in) : 0u - fuzz_upto(in, 2u * RL_PARAMS_CAPACITY);
    } else {
        /* Keep every message in its slot: move by a multiple of the capacity. */
        r = 0u - (1u + fuzz_u8(in) % 4u) * RL_PARAMS_CAPACITY + (s->r & (RL_PARAMS_CAPACITY - 1u));
    }
    for (k = 0; k < fill; ++k) {
        moved[k] = s->model[(s->r + k) % RL_PARAMS_CAPACITY];
    }
    s->r = r;
    s->w = r + fill;
    for (k = 0; k < fill; ++k) {
        s->model[(s->r + k) % RL_PARAMS_CAPACITY] = moved[k];
    }
    set_raw_u32(s, RL_PARAMS_OFFSET_READ_INDEX, s->r);
    set_raw_u32(s, RL_PARAMS_OFFSET_WRITE_INDEX, s->w);
}

static void op_null_args(params_state* s, fuzz_input* in) {
    rl_param_message m;
    memset(&m, 0, sizeof m);
    switch (fuzz_u8(in) % 3u) {
    case 0:
        FUZZ_CHECK_EQ(rl_params_push(NULL, &m), RL_INVALID_ARGS, "push, NULL queue");
        FUZZ_CHECK_EQ(rl_params_push(s->params, NULL), RL_INVALID_ARGS, "push, NULL message");
        break;
    case 1:
        FUZZ_CHECK_EQ(rl_params_pop(NULL, &m), RL_INVALID_ARGS, "pop, NULL queue");
        FUZZ_CHECK_EQ(rl_params_pop(s->params, NULL), RL_INVALID_ARGS, "pop, NULL message");
        break;
    default:
        rl_params_count_rejected(NULL);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz_input in = fuzz_input_init(data, size);
    params_state s;
    uint32_t ops = 0;
    memset(&s, 0, sizeof s);
    s.seq = fuzz_u32(&in);
    s.block = fuzz_block_alloc(FUZZ_PARAMS_BLOCK, fuzz_u8(&in));
    FUZZ_CHECK_EQ(rl_params_init(s.block.heap, s.block.size, &s.params), RL_OK, "init");
    FUZZ_CHECK(s.params == (rl_params*)(void*)s.block.heap, "queue is not at its block's start");
    check_state(&s, "init");
    while (fuzz_more(&in) && ops < 8192u) {
        uint8_t op = fuzz_u8(&in);
        const char* name = "?";
        uint32_t k;
        uint32_t n;
        ++ops;
        switch (op % 10u) {
        case 0:
        case 1:
        case 2:
            name = "push";
            op_push(&s, &in);
            break;
        case 3:
            name = "push burst";
            n = 1u + fuzz_u8(&in) % (RL_PARAMS_CAPACITY + 8u);
            for (k = 0; k < n; ++k) {
                op_push(&s, &in);
            }
            break;
        case 4:
        case 5:
            name = "pop";
            op_pop(&s);
            break;
        case 6:
            name = "pop all"; /* what the node does at the start of a quantum */
            while (op_pop(&s)) {
            }
            break;
        case 7:
            name = "count rejected";
            rl_params_count_rejected(s.params);
            ++s.rejected;
            break;
        case 8:
            name = (op & 0x10u) ? "set indices" : "init";
            if (op & 0x10u) {
                op_set_indices(&s, &in);
            } else {
                op_init(&s, &in);
            }
            break;
        default:
            name = "NULL arguments";
            op_null_args(&s, &in);
            break;
        }
        check_state(&s, name);
    }
    fuzz_block_free(&s.block);
    return 0;
}
