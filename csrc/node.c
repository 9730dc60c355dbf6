/* The node one AudioWorkletProcessor drives: ring <-> planar buffers. */
#include "internal.h"

#include <string.h>

#define RL_NODE_MAGIC 0x444E4C52u /* "RLND" */

struct rl_node {
    uint32_t magic;
    uint32_t mode;
    uint32_t channels;
    uint32_t in_offset;   /* bytes from the node start */
    uint32_t out_offset;  /* bytes from the node start */
    uint32_t ring_offset; /* bytes from the node start */
    uint32_t ring_bytes;
    uint32_t primed; /* source: the ring has delivered a frame since init */
    unsigned char pad0[32];
    /* Statistics block, RL_STATS_OFFSET_* relative to here. */
    rl_atomic_u64 frames_processed;
    rl_atomic_u32 quanta;
    rl_atomic_u32 silent_frames;
    unsigned char pad1[48];
};

_Static_assert(offsetof(struct rl_node, frames_processed) == 64, "stats block is 64-aligned");
_Static_assert(offsetof(struct rl_node, quanta) - 64 == RL_STATS_OFFSET_QUANTA, "layout");
_Static_assert(offsetof(struct rl_node, silent_frames) - 64 == RL_STATS_OFFSET_SILENT_FRAMES,
               "layout");
_Static_assert(sizeof(struct rl_node) == 64 + RL_STATS_BYTES, "layout");

#define RL_PLANE_BYTES (RL_MAX_QUANTUM_FRAMES * sizeof(float))

rl_node_config rl_node_config_init(rl_mode mode, uint32_t channels, uint32_t capacity_frames) {
    rl_node_config c;
    c.mode = mode;
    c.channels = channels;
    c.capacity_frames = capacity_frames;
    return c;
}

static int rl_node_ring_config(const rl_node_config* config, rl_ring_config* ring) {
    if (config == NULL || (config->mode != RL_MODE_SOURCE && config->mode != RL_MODE_EFFECT &&
                           config->mode != RL_MODE_CAPTURE)) {
        return 0;
    }
    *ring = rl_ring_config_init(config->channels, config->capacity_frames);
    return 1;
}

rl_result rl_node_get_heap_size(const rl_node_config* config, size_t* heap_size) {
    rl_ring_config rc;
    size_t ring_bytes = 0;
    if (heap_size == NULL) {
        return RL_INVALID_ARGS;
    }
    *heap_size = 0;
    if (!rl_node_ring_config(config, &rc) || rl_ring_get_heap_size(&rc, &ring_bytes) != RL_OK) {
        return RL_INVALID_ARGS;
    }
    *heap_size = sizeof(struct rl_node) + 2u * RL_PLANE_BYTES * config->channels + ring_bytes;
    return RL_OK;
}

rl_result rl_node_init_preallocated(const rl_node_config* config, void* heap, size_t heap_size,
                                    rl_node** node) {
    rl_ring_config rc;
    rl_ring* ring = NULL;
    size_t need = 0;
    size_t planes;
    struct rl_node* n;
    rl_result result;
    if (node == NULL) {
        return RL_INVALID_ARGS;
    }
    *node = NULL;
    if (heap == NULL || ((uintptr_t)heap & 63u) != 0 ||
        rl_node_get_heap_size(config, &need) != RL_OK || !rl_node_ring_config(config, &rc)) {
        return RL_INVALID_ARGS;
    }
    if (heap_size < need) {
        return RL_OUT_OF_MEMORY;
    }
    memset(heap, 0, sizeof(struct rl_node));
    n = (struct rl_node*)heap;
    planes = RL_PLANE_BYTES * config->channels;
    n->mode = (uint32_t)config->mode;
    n->channels = config->channels;
    n->in_offset = (uint32_t)sizeof(struct rl_node);
    n->out_offset = (uint32_t)(sizeof(struct rl_node) + planes);
    n->ring_offset = (uint32_t)(sizeof(struct rl_node) + 2u * planes);
    n->ring_bytes = (uint32_t)(need - n->ring_offset);
    memset((unsigned char*)heap + n->in_offset, 0, 2u * planes);
    result =
        rl_ring_init_preallocated(&rc, (unsigned char*)heap + n->ring_offset, n->ring_bytes, &ring);
    if (result != RL_OK) {
        return result;
    }
    n->magic = RL_NODE_MAGIC;
    *node = n;
    return RL_OK;
}

void rl_node_uninit(rl_node* node) {
    if (node != NULL && node->magic == RL_NODE_MAGIC) {
        rl_ring_uninit(rl_node_ring(node));
        node->magic = 0;
    }
}

float* rl_node_input(rl_node* node, uint32_t channel) {
    if (node == NULL || channel >= node->channels) {
        return NULL;
    }
    return (float*)((unsigned char*)node + node->in_offset + (size_t)channel * RL_PLANE_BYTES);
}

float* rl_node_output(rl_node* node, uint32_t channel) {
    if (node == NULL || channel >= node->channels) {
        return NULL;
    }
    return (float*)((unsigned char*)node + node->out_offset + (size_t)channel * RL_PLANE_BYTES);
}

rl_ring* rl_node_ring(rl_node* node) {
    return node == NULL ? NULL : (rl_ring*)((unsigned char*)node + node->ring_offset);
}

void* rl_node_stats(rl_node* node) {
    return node == NULL ? NULL : (void*)&node->frames_processed;
}

static void rl_node_count(struct rl_node* n, uint32_t frames, uint32_t silent) {
    /* Single writer (the audio thread): load-then-store, no read-modify-write. */
    atomic_store_explicit(&n->frames_processed,
                          atomic_load_explicit(&n->frames_processed, memory_order_relaxed) + frames,
                          memory_order_relaxed);
    atomic_store_explicit(&n->quanta, atomic_load_explicit(&n->quanta, memory_order_relaxed) + 1u,
                          memory_order_relaxed);
    if (silent > 0) {
        atomic_store_explicit(&n->silent_frames,
                              atomic_load_explicit(&n->silent_frames, memory_order_relaxed) +
                                  silent,
                              memory_order_relaxed);
    }
}

#ifdef RL_TEST_HOOKS
/* Test builds only: a trap armed from another thread fires inside the next
 * rl_node_process, proving the worklet's panic boundary around it. */
static _Atomic uint32_t rl_test_trap_armed;

void rl_test_arm_trap(void) {
    atomic_store_explicit(&rl_test_trap_armed, 1u, memory_order_release);
}
#endif

rl_result rl_node_process(rl_node* node, uint32_t frames) {
    struct rl_node* n = node;
    float* out[RL_RING_MAX_CHANNELS];
    const float* in[RL_RING_MAX_CHANNELS];
    uint32_t moved = 0;
    uint32_t c;
    rl_result result = RL_OK;
    if (n == NULL || n->magic != RL_NODE_MAGIC || frames == 0 || frames > RL_MAX_QUANTUM_FRAMES) {
        return RL_INVALID_ARGS;
    }
#ifdef RL_TEST_HOOKS
    if (atomic_exchange_explicit(&rl_test_trap_armed, 0u, memory_order_acq_rel) != 0u) {
        rl_panic(RL_PANIC_TEST, "forced trap inside rl_node_process (RL_TEST_HOOKS build)");
    }
#endif
    for (c = 0; c < n->channels; ++c) {
        out[c] = rl_node_output(n, c);
        in[c] = rl_node_input(n, c);
    }
    if (n->mode == RL_MODE_SOURCE) {
        /* Until the first frame arrives the node has not started playing:
         * it outputs silence without counting an underrun (a node created on
         * a running context is processed before anyone has fed it). */
        if (!n->primed && rl_ring_available_read(rl_node_ring(n)) == 0) {
            for (c = 0; c < n->channels; ++c) {
                memset(out[c], 0, (size_t)frames * sizeof(float));
            }
            rl_node_count(n, frames, 0);
            return RL_OK;
        }
        n->primed = 1u;
        result = rl_ring_read_planar(rl_node_ring(n), out, frames, &moved);
        for (c = 0; c < n->channels; ++c) {
            memset(out[c] + moved, 0, (size_t)(frames - moved) * sizeof(float));
        }
        rl_node_count(n, frames, frames - moved);
        /* A drained, closed ring is the end of a stream, not an error. */
        return result == RL_CLOSED ? RL_OK : result;
    }
    for (c = 0; c < n->channels; ++c) {
        memcpy(out[c], in[c], (size_t)frames * sizeof(float));
    }
    if (n->mode == RL_MODE_CAPTURE) {
        result = rl_ring_write_planar(rl_node_ring(n), (const float* const*)out, frames, &moved);
        if (result == RL_CLOSED) {
            result = RL_OK;
        }
    }
    rl_node_count(n, frames, 0);
    return result;
}
