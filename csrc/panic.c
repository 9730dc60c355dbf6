/* rl_panic: the one way the core stops on a broken invariant. */
#include "ringlet.h"

#if defined(__wasm__)
__attribute__((import_module("env"), import_name("rl_host_panic"))) void
rl_host_panic(int32_t code, const char* message);

_Noreturn void rl_panic(int32_t code, const char* message) {
    rl_host_panic(code, message);
    __builtin_trap();
}
#else
#include <stdio.h>
#include <stdlib.h>

_Noreturn void rl_panic(int32_t code, const char* message) {
    fprintf(stderr, "ringlet: rl_panic(%d): %s\n", (int)code, message != NULL ? message : "");
    abort();
}
#endif
