// CPU feature detection, per-thread gradient mode and the node sequence counter.
#include "CKilnKernels.h"
#include <stdatomic.h>

int kiln_has_avx2_fma(void) {
#if defined(__x86_64__) || defined(__i386__)
    // Threads may race to fill the cache; they all store the same value.
    static _Atomic int cached = -1;
    int known = atomic_load_explicit(&cached, memory_order_relaxed);
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        atomic_store_explicit(&cached, known, memory_order_relaxed);
    }
    return known;
#else
    return 0;
#endif
}

static _Thread_local int grad_disabled_depth = 0;

int kiln_grad_disabled_depth(void) { return grad_disabled_depth; }
void kiln_set_grad_disabled_depth(int depth) { grad_disabled_depth = depth; }

static _Atomic int64_t sequence = 0;

int64_t kiln_next_sequence(void) {
    return atomic_fetch_add_explicit(&sequence, 1, memory_order_relaxed) + 1;
}

int64_t kiln_fetch_add(int64_t *counter, int64_t value) {
    return __atomic_fetch_add(counter, value, __ATOMIC_RELAXED);
}
