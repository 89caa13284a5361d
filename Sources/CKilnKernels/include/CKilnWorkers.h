// Kiln's worker threads for parallel loops.
#ifndef CKILNWORKERS_H
#define CKILNWORKERS_H

/// One worker's share of a parallel loop: called with the loop's context and the worker's index.
typedef void (*kiln_worker_task)(void *context, int worker);

/// Runs `task(context, w)` for every w in 0..<workers at once: w = 0 on the calling thread, the
/// others on the pool's threads, and returns when all have finished.
///
/// Returns 1 when it ran the loop, 0 when it did not start it (another loop holds the pool, or
/// `workers` exceeds the machine's cores, where waiting threads that spin would take turns with
/// the ones they wait for); the caller then runs the loop some other way.
int kiln_workers_run(int workers, kiln_worker_task task, void *context);

#endif
