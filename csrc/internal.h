/* Private definitions shared by the core's translation units. */
#ifndef RINGLET_INTERNAL_H
#define RINGLET_INTERNAL_H

#include "ringlet.h"

#include <stdatomic.h>

typedef _Atomic uint32_t rl_atomic_u32;
typedef _Atomic uint64_t rl_atomic_u64;

/* Mirrors the RL_RING_OFFSET_* layout; ring.c asserts every offset. */
struct rl_ring {
    rl_atomic_u32 magic;
    uint32_t layout_version;
    uint32_t channels;
    uint32_t capacity;
    uint32_t data_offset;
    unsigned char pad0[44];
    rl_atomic_u32 write_index;
    unsigned char pad1[60];
    rl_atomic_u32 read_index;
    unsigned char pad2[60];
    rl_atomic_u32 closed;
    rl_atomic_u32 writer_waiting;
    rl_atomic_u32 reader_waiting;
    rl_atomic_u32 underruns;
    rl_atomic_u32 overruns;
    rl_atomic_u32 rate_marks_on;
    rl_atomic_u32 marks_written;
    rl_atomic_u32 marks_taken;
    struct {
        rl_atomic_u32 frame;
        rl_atomic_u32 rate_bits; /* float32 */
    } marks[RL_RING_RATE_MARKS];
};

/* Wakes every thread sleeping on `address` (Atomics.wait / waitAsync in JS).
 * In wasm this is memory.atomic.notify and never blocks. Natively there is
 * no waiter to wake: native producers poll, so it does nothing. */
static inline void rl_futex_wake(rl_atomic_u32* address) {
#if defined(__wasm__) && defined(__wasm_atomics__)
    (void)__builtin_wasm_memory_atomic_notify((int*)(void*)address, 0xFFFFFFFFu);
#else
    (void)address;
#endif
}

#ifdef RL_TEST_HOOKS
void rl_test_arm_trap(void);
/* Traps with rl_panic(RL_PANIC_TEST, where) if a trap is armed, disarming it. */
void rl_test_trap_if_armed(const char* where);
#endif

#endif /* RINGLET_INTERNAL_H */
