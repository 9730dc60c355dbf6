/* The parameter queue: settings from the main thread to the audio thread. */
#include "internal.h"

#include <string.h>

struct rl_params {
    rl_atomic_u32 write_index;
    unsigned char pad0[60];
    rl_atomic_u32 read_index;
    unsigned char pad1[60];
    rl_atomic_u32 rejected;
    unsigned char pad2[60];
    rl_param_message messages[RL_PARAMS_CAPACITY];
};

_Static_assert(offsetof(struct rl_params, write_index) == RL_PARAMS_OFFSET_WRITE_INDEX, "layout");
_Static_assert(offsetof(struct rl_params, read_index) == RL_PARAMS_OFFSET_READ_INDEX, "layout");
_Static_assert(offsetof(struct rl_params, rejected) == RL_PARAMS_OFFSET_REJECTED, "layout");
_Static_assert(offsetof(struct rl_params, messages) == RL_PARAMS_OFFSET_MESSAGES, "layout");
_Static_assert(sizeof(rl_param_message) == RL_PARAMS_MESSAGE_BYTES, "layout");
_Static_assert(offsetof(rl_param_message, index) == RL_PARAM_FIELD_INDEX, "layout");
_Static_assert(offsetof(rl_param_message, arg) == RL_PARAM_FIELD_ARG, "layout");
_Static_assert(offsetof(rl_param_message, values) == RL_PARAM_FIELD_VALUES, "layout");
_Static_assert(sizeof(struct rl_params) == RL_PARAMS_BYTES, "layout");
_Static_assert((RL_PARAMS_CAPACITY & (RL_PARAMS_CAPACITY - 1u)) == 0, "capacity is a power of two");

rl_result rl_params_init(void* heap, size_t heap_size, rl_params** params) {
    if (params == NULL) {
        return RL_INVALID_ARGS;
    }
    *params = NULL;
    if (heap == NULL || ((uintptr_t)heap & 63u) != 0) {
        return RL_INVALID_ARGS;
    }
    if (heap_size < RL_PARAMS_BYTES) {
        return RL_OUT_OF_MEMORY;
    }
    memset(heap, 0, RL_PARAMS_BYTES);
    *params = (rl_params*)heap;
    return RL_OK;
}

rl_result rl_params_push(rl_params* params, const rl_param_message* message) {
    uint32_t w;
    uint32_t r;
    if (params == NULL || message == NULL) {
        return RL_INVALID_ARGS;
    }
    w = atomic_load_explicit(&params->write_index, memory_order_relaxed);
    r = atomic_load_explicit(&params->read_index, memory_order_acquire);
    if (w - r >= RL_PARAMS_CAPACITY) {
        return RL_QUEUE_FULL;
    }
    params->messages[w & (RL_PARAMS_CAPACITY - 1u)] = *message;
    atomic_store_explicit(&params->write_index, w + 1u, memory_order_release);
    return RL_OK;
}

rl_result rl_params_pop(rl_params* params, rl_param_message* message) {
    uint32_t r;
    uint32_t w;
    if (params == NULL || message == NULL) {
        return RL_INVALID_ARGS;
    }
    r = atomic_load_explicit(&params->read_index, memory_order_relaxed);
    w = atomic_load_explicit(&params->write_index, memory_order_acquire);
    if (w == r) {
        return RL_QUEUE_EMPTY;
    }
    *message = params->messages[r & (RL_PARAMS_CAPACITY - 1u)];
    atomic_store_explicit(&params->read_index, r + 1u, memory_order_release);
    return RL_OK;
}

void rl_params_count_rejected(rl_params* params) {
    if (params != NULL) {
        atomic_store_explicit(&params->rejected,
                              atomic_load_explicit(&params->rejected, memory_order_relaxed) + 1u,
                              memory_order_relaxed);
    }
}
