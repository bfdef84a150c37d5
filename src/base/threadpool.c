// SPDX-License-Identifier: MIT
// The ordered work queue of include/coroner/threadpool.h: a ring of
// max_inflight slots; workers take the oldest pending slot, the consumer
// waits on the oldest submitted one. One mutex: the jobs are coarse (a
// batch of pages each), so contention is negligible.
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "coroner/threadpool.h"

enum slot_state { SLOT_FREE, SLOT_PENDING, SLOT_RUNNING, SLOT_DONE };

struct slot {
	void *job;
	enum slot_state state;
};

struct cor_workq {
	cor_workq_fn fn;
	void *ctx;
	unsigned nthreads;
	pthread_t *threads;
	pthread_mutex_t lock;
	pthread_cond_t work; /* a job is pending, or stop */
	pthread_cond_t done; /* a job finished */
	struct slot *ring;
	size_t cap;
	uint64_t head; /* oldest submitted, not yet taken back */
	uint64_t next; /* oldest pending (not yet started) */
	uint64_t tail; /* next submission */
	bool stop;
};

struct worker_arg {
	struct cor_workq *q;
	unsigned id;
};

static void *worker_main(void *p)
{
	struct worker_arg *a = p;
	struct cor_workq *q = a->q;
	unsigned id = a->id;
	free(a);
	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->stop && q->next == q->tail)
			pthread_cond_wait(&q->work, &q->lock);
		if (q->next == q->tail && q->stop)
			break;
		struct slot *s = &q->ring[q->next % q->cap];
		q->next++;
		s->state = SLOT_RUNNING;
		pthread_mutex_unlock(&q->lock);
		q->fn(q->ctx, s->job, id);
		pthread_mutex_lock(&q->lock);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&q->done);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

struct cor_error *cor_workq_create(unsigned nthreads, size_t max_inflight, cor_workq_fn fn,
				   void *ctx, struct cor_workq **ret)
{
	if (max_inflight == 0 || nthreads > 1024)
		return cor_error_create(COR_ERR_INVALID, "work queue of %u threads, %zu jobs",
					nthreads, max_inflight);
	struct cor_workq *q = calloc(1, sizeof(*q));
	if (!q)
		return &cor_enomem;
	q->fn = fn;
	q->ctx = ctx;
	q->cap = max_inflight;
	q->ring = calloc(max_inflight, sizeof(*q->ring));
	q->threads = calloc(nthreads ? nthreads : 1, sizeof(*q->threads));
	if (!q->ring || !q->threads) {
		free(q->ring);
		free(q->threads);
		free(q);
		return &cor_enomem;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->done, NULL);
	for (unsigned i = 0; i < nthreads; i++) {
		struct worker_arg *a = malloc(sizeof(*a));
		int r = a ? 0 : ENOMEM;
		if (a) {
			*a = (struct worker_arg){q, i};
			r = pthread_create(&q->threads[i], NULL, worker_main, a);
			if (r)
				free(a);
		}
		if (r) {
			cor_workq_destroy(q);
			return cor_error_os(r, NULL, "starting worker thread %u", i);
		}
		q->nthreads++;
	}
	*ret = q;
	return NULL;
}

bool cor_workq_full(const struct cor_workq *q)
{
	return q->tail - q->head >= q->cap;
}

size_t cor_workq_inflight(const struct cor_workq *q)
{
	return (size_t)(q->tail - q->head);
}

void cor_workq_submit(struct cor_workq *q, void *job)
{
	if (q->nthreads == 0) {
		q->fn(q->ctx, job, 0);
		q->ring[q->tail % q->cap] = (struct slot){job, SLOT_DONE};
		q->tail++;
		q->next = q->tail;
		return;
	}
	pthread_mutex_lock(&q->lock);
	q->ring[q->tail % q->cap] = (struct slot){job, SLOT_PENDING};
	q->tail++;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->lock);
}

void *cor_workq_next(struct cor_workq *q)
{
	if (q->head == q->tail)
		return NULL;
	pthread_mutex_lock(&q->lock);
	struct slot *s = &q->ring[q->head % q->cap];
	while (s->state != SLOT_DONE)
		pthread_cond_wait(&q->done, &q->lock);
	void *job = s->job;
	s->state = SLOT_FREE;
	q->head++;
	pthread_mutex_unlock(&q->lock);
	return job;
}

void cor_workq_destroy(struct cor_workq *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_broadcast(&q->work);
	pthread_mutex_unlock(&q->lock);
	for (unsigned i = 0; i < q->nthreads; i++)
		pthread_join(q->threads[i], NULL);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->done);
	free(q->ring);
	free(q->threads);
	free(q);
}
