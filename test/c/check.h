/*
 * The native tests' assertions and allocation: no framework, just counting. Every failing
 * check prints file:line, the expression and the values; a test's main
 * prints the totals and returns non-zero if anything failed. Each macro
 * evaluates to 1 on success, so `if (!CHECK(x)) return;` bails early.
 */
#ifndef RINGLET_TEST_CHECK_H
#define RINGLET_TEST_CHECK_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned long long g_checks;
static unsigned long long g_failed;

static inline int check_impl(int ok, const char* file, int line, const char* expr) {
    ++g_checks;
    if (!ok) {
        ++g_failed;
        fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
    }
    return ok;
}

static inline int check_eq_impl(long long a, long long b, const char* file, int line,
                                const char* ea, const char* eb) {
    ++g_checks;
    if (a != b) {
        ++g_failed;
        fprintf(stderr, "%s:%d: check failed: %s == %s (%lld != %lld)\n", file, line, ea, eb, a, b);
    }
    return a == b;
}

static inline int check_near_impl(double a, double b, double tol, const char* file, int line,
                                  const char* ea, const char* eb) {
    ++g_checks;
    if (!(fabs(a - b) <= tol)) {
        ++g_failed;
        fprintf(stderr, "%s:%d: check failed: %s ~ %s (%.12g vs %.12g, tol %g)\n", file, line, ea,
                eb, a, b, tol);
        return 0;
    }
    return 1;
}

#define CHECK(expr) check_impl((expr) ? 1 : 0, __FILE__, __LINE__, #expr)
#define CHECK_EQ(a, b) check_eq_impl((long long)(a), (long long)(b), __FILE__, __LINE__, #a, #b)
#define CHECK_NEAR(a, b, tol)                                                                      \
    check_near_impl((double)(a), (double)(b), (double)(tol), __FILE__, __LINE__, #a, #b)

/* A 64-byte aligned block of at least `size` bytes (the core's objects need
 * that alignment); exits the test on failure. Free with free(). */
static inline void* alloc64(size_t size) {
    size_t rounded = size == 0 ? 64u : (size + 63u) & ~(size_t)63u;
    void* p = aligned_alloc(64, rounded);
    if (p == NULL) {
        fprintf(stderr, "aligned_alloc(%zu) failed\n", size);
        exit(2);
    }
    return p;
}

/* xorshift64*: tiny, deterministic, good enough to drive tests. */
static inline uint64_t rng_next(uint64_t* s) {
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* The seed for a test's random inputs: RL_SEED (decimal or 0x-hex) when set,
 * else `fallback`; never 0, since xorshift state must be non-zero. Tests
 * print it on failure. */
static inline uint64_t test_seed(uint64_t fallback) {
    const char* env = getenv("RL_SEED");
    uint64_t seed = fallback;
    if (env != NULL && env[0] != '\0') {
        seed = (uint64_t)strtoull(env, NULL, 0);
    }
    return seed == 0 ? 1u : seed;
}

#endif /* RINGLET_TEST_CHECK_H */
