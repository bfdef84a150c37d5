/* SPDX-License-Identifier: MIT */
/**
 * @file threadpool.h
 * An ordered work queue: jobs run on N worker threads and come back in the
 * order they were submitted, with at most a fixed number in flight (so the
 * memory of a pipeline is bounded whatever the input size).
 */
#ifndef CORONER_THREADPOOL_H
#define CORONER_THREADPOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "coroner/error.h"

/** Processes @p job on worker number @p worker (0 <= worker < nthreads, 0 inline). */
typedef void (*cor_workq_fn)(void *ctx, void *job, unsigned worker);

struct cor_workq;

/**
 * Creates a queue of @p nthreads workers (0: jobs run inline in
 * cor_workq_submit()) running @p fn(@p ctx, job, worker), with at most
 * @p max_inflight jobs submitted and not yet taken back. Free with
 * cor_workq_destroy().
 */
struct cor_error *cor_workq_create(unsigned nthreads, size_t max_inflight, cor_workq_fn fn,
				   void *ctx, struct cor_workq **ret) COR_MUST_CHECK;
/** True if cor_workq_submit() would block (max_inflight jobs are out). */
bool cor_workq_full(const struct cor_workq *q);
/** Number of jobs submitted and not yet taken back. */
size_t cor_workq_inflight(const struct cor_workq *q);
/**
 * Submits @p job (borrowed until cor_workq_next() returns it). The caller
 * must take a job back first when cor_workq_full().
 */
void cor_workq_submit(struct cor_workq *q, void *job);
/** Waits for the oldest job submitted and returns it; NULL if none is in flight. */
void *cor_workq_next(struct cor_workq *q);
/** Stops the workers (jobs in flight are finished first) and frees @p q; NULL does nothing. */
void cor_workq_destroy(struct cor_workq *q);

#endif
