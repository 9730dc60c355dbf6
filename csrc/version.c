/* Version and result strings. */
#include "ringlet.h"

#ifndef RL_VERSION
#error "RL_VERSION must be defined by the build (it comes from package.json)"
#endif

const char* rl_version_string(void) {
    return RL_VERSION;
}

const char* rl_result_string(rl_result result) {
    switch (result) {
    case RL_OK:
        return "ok";
    case RL_INVALID_ARGS:
        return "invalid arguments";
    case RL_OUT_OF_MEMORY:
        return "memory block too small";
    case RL_CLOSED:
        return "ring closed";
    case RL_INVALID_STATE:
        return "memory does not hold an initialised ring or node";
    case RL_QUEUE_FULL:
        return "queue full";
    case RL_QUEUE_EMPTY:
        return "queue empty";
    }
    return "unknown result";
}
