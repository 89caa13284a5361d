// A pool of worker threads for Kiln's parallel loops.
//
// Each pool thread has its own slot: the caller of a loop writes the loop into the shared job,
// then bumps the ticket of each slot it needs. An idle thread spins on its ticket for a short
// while before it sleeps on its condition variable, so the back-to-back loops of a training step
// (a few microseconds of serial work apart) start without a wake-up: on a virtual machine waking
// a sleeping thread costs tens of microseconds, longer than many of the loops themselves.
// Threads not needed by a loop are not touched, so a loop on fewer threads than the pool has
// never waits for the others. Waiting threads on either side yield their core every few
// microseconds, so a thread the scheduler put on the same core, or another program's, gets it.
#include "CKilnWorkers.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define KILN_SPIN_PAUSE() _mm_pause()
#else
#define KILN_SPIN_PAUSE() ((void)0)
#endif

enum { KILN_MAX_WORKERS = 256, KILN_SPIN_MICROSECONDS = 2000, KILN_WAIT_MICROSECONDS = 20 };

// One pool thread's slot, on its own cache lines.
typedef struct {
    _Alignas(64) _Atomic uint64_t ticket;   // bumped by the caller to start this thread's share
    _Atomic int sleeping;                   // 1 while the thread waits on `wake`
    pthread_mutex_t lock;
    pthread_cond_t wake;
} kiln_worker_slot;

static kiln_worker_slot slots[KILN_MAX_WORKERS];
static int started = 0;                     // pool threads running (slot 1..started)
static _Atomic int busy = 0;                // 1 while a loop holds the pool

// The loop under way; written before the tickets are bumped, read after.
static kiln_worker_task job_task;
static void *job_context;
static _Atomic int job_pending;             // pool threads still working on it

static int64_t now_microseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

// Waits until the slot's ticket differs from `seen` and returns it: spinning first, then asleep.
static uint64_t await_ticket(kiln_worker_slot *slot, uint64_t seen) {
    int64_t deadline = now_microseconds() + KILN_SPIN_MICROSECONDS;
    for (unsigned spins = 1;; spins++) {
        uint64_t ticket = atomic_load_explicit(&slot->ticket, memory_order_acquire);
        if (ticket != seen) return ticket;
        KILN_SPIN_PAUSE();
        if (spins % 256 == 0) {
            if (now_microseconds() > deadline) break;
            sched_yield();   // lets another thread in when this core is shared
        }
    }
    pthread_mutex_lock(&slot->lock);
    atomic_store(&slot->sleeping, 1);
    uint64_t ticket;
    while ((ticket = atomic_load(&slot->ticket)) == seen) pthread_cond_wait(&slot->wake, &slot->lock);
    atomic_store(&slot->sleeping, 0);
    pthread_mutex_unlock(&slot->lock);
    return ticket;
}

static void *worker_main(void *argument) {
    int index = (int)(intptr_t)argument;
    kiln_worker_slot *slot = &slots[index];
    uint64_t seen = 0;
    for (;;) {
        seen = await_ticket(slot, seen);
        job_task(job_context, index);
        atomic_fetch_sub_explicit(&job_pending, 1, memory_order_release);
    }
    return NULL;
}

// Starts pool threads until slots 1..<workers run; returns 0 if a thread could not be created.
static int start_threads(int workers) {
    for (; started + 1 < workers; started++) {
        kiln_worker_slot *slot = &slots[started + 1];
        pthread_mutex_init(&slot->lock, NULL);
        pthread_cond_init(&slot->wake, NULL);
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attributes, 8u << 20);
        int failed = pthread_create(&thread, &attributes, worker_main, (void *)(intptr_t)(started + 1));
        pthread_attr_destroy(&attributes);
        if (failed) return 0;
    }
    return 1;
}

static int core_count(void) {
    // Threads may race to fill the cache; they all store the same value.
    static _Atomic int cores = 0;
    int known = atomic_load_explicit(&cores, memory_order_relaxed);
    if (known == 0) {
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        known = online < 1 ? 1 : online > KILN_MAX_WORKERS ? KILN_MAX_WORKERS : (int)online;
        atomic_store_explicit(&cores, known, memory_order_relaxed);
    }
    return known;
}

int kiln_workers_run(int workers, kiln_worker_task task, void *context) {
    if (workers < 1 || workers > core_count()) return 0;
    if (atomic_exchange_explicit(&busy, 1, memory_order_acquire)) return 0;
    if (!start_threads(workers)) {
        atomic_store_explicit(&busy, 0, memory_order_release);
        return 0;
    }
    job_task = task;
    job_context = context;
    atomic_store_explicit(&job_pending, workers - 1, memory_order_relaxed);
    for (int w = 1; w < workers; w++) {
        kiln_worker_slot *slot = &slots[w];
        atomic_fetch_add(&slot->ticket, 1);   // sequentially consistent, like the `sleeping` check
        if (atomic_load(&slot->sleeping)) {
            pthread_mutex_lock(&slot->lock);
            pthread_cond_signal(&slot->wake);
            pthread_mutex_unlock(&slot->lock);
        }
    }
    task(context, 0);
    int64_t patience = now_microseconds() + KILN_WAIT_MICROSECONDS;
    for (unsigned spins = 1; atomic_load_explicit(&job_pending, memory_order_acquire) > 0; spins++) {
        KILN_SPIN_PAUSE();
        // After a short wait, yield every few microseconds: should the scheduler have put a pool
        // thread on this core, it gets the core instead of waiting out this thread's time slice.
        if (spins % 256 == 0 && now_microseconds() > patience) sched_yield();
    }
    atomic_store_explicit(&busy, 0, memory_order_release);
    return 1;
}
