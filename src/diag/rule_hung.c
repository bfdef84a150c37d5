// SPDX-License-Identifier: MIT
// Hung tasks: khungtaskd's report ("INFO: task %s:%d blocked for more than %ld
// seconds.", "task:%-15.15s state:%c ...", its call trace: kernel/hung_task.c and
// kernel/sched/core.c sched_show_task(), 6.1), and the blocked task's stack in the
// dump: where it sleeps and what it waits on.
#include <stdio.h>
#include <string.h>

#include "diag/internal.h"

/* Scheduler entry points: the wait site is the first frame past them. */
static bool is_sched(const char *func)
{
	static const char *const sched[] = {
		"__schedule", "schedule", "schedule_timeout", "schedule_preempt_disabled",
		"io_schedule", "io_schedule_timeout", "schedule_hrtimeout_range_clock",
		"schedule_hrtimeout_range", "do_nanosleep", "hrtimer_nanosleep",
	};
	size_t n = strcspn(func, ".");
	for (size_t i = 0; i < COR_ARRAY_SIZE(sched); i++)
		if (strlen(sched[i]) == n && strncmp(sched[i], func, n) == 0)
			return true;
	return false;
}

/* What a wait primitive in the trace says the task waits on. */
static const char *wait_kind(const struct log_report *r)
{
	static const struct {
		const char *func, *kind;
	} kinds[] = {
		{"mutex_lock", "a mutex"},	    {"__mutex_lock", "a mutex"},
		{"rwsem_down_read_slowpath", "an rw-semaphore (read)"},
		{"rwsem_down_write_slowpath", "an rw-semaphore (write)"},
		{"wait_for_completion", "a completion"}, {"folio_wait_bit_common", "a page lock"},
		{"__lock_page", "a page lock"},   {"io_schedule", "I/O"},
		{"down", "a semaphore"},	    {"__down", "a semaphore"},
		{"wait_on_page_bit", "a page"},   {"jbd2_log_wait_commit", "a journal commit"},
	};
	for (int i = 0; i < r->num_frames; i++)
		for (size_t k = 0; k < COR_ARRAY_SIZE(kinds); k++)
			if (strncmp(r->frames[i].func, kinds[k].func, strlen(kinds[k].func)) == 0 &&
			    (r->frames[i].func[strlen(kinds[k].func)] == '\0' ||
			     r->frames[i].func[strlen(kinds[k].func)] == '.'))
				return kinds[k].kind;
	return NULL;
}

void diag_rule_hung_task(struct diag_ctx *ctx)
{
	const struct log_scan *ls = &ctx->ls;
	if (!ls->hung_task)
		return;
	struct cor_report *rep = ctx->rep;
	struct cor_finding *f = diag_finding(ctx, "hung-task", COR_SEV_CRITICAL,
					     "task %s (pid %d) blocked in uninterruptible sleep (D) "
					     "for more than %d seconds",
					     ls->hung_comm, ls->hung_pid, ls->hung_secs);
	diag_fact(ctx, f, "blocked_task", "%s", ls->hung_comm);
	diag_fact(ctx, f, "pid", "%d", ls->hung_pid);
	diag_fact(ctx, f, "blocked_seconds", "%d", ls->hung_secs);
	const struct log_report *r = ls->hung_report >= 0 ? &ls->reports[ls->hung_report] : NULL;
	if (r)
		diag_evidence(ctx, f, "[%12.6f] %s", r->ts, r->headline);
	const char *site = NULL;
	ctx->frames_id[0] = '\0';
	for (int i = 0; r && i < r->num_frames; i++) {
		const struct log_frame *fr = &r->frames[i];
		char buf[256];
		log_frame_format(fr, buf, sizeof(buf));
		diag_evidence(ctx, f, "  frame: %s", buf);
		if (fr->unreliable || is_sched(fr->func))
			continue;
		if (!site)
			site = fr->func;
		if (i < 8)
			diag_sig_frame(ctx, fr->func);
	}
	const char *kind = r ? wait_kind(r) : NULL;
	if (site)
		diag_fact(ctx, f, "wait_site", "%s", site);
	if (kind)
		diag_fact(ctx, f, "waits_on", "%s", kind);
	if (!rep->crash_class || strcmp(rep->crash_class, "hung task") == 0 ||
	    strcmp(rep->crash_class, "panic") == 0) {
		diag_set(ctx, &rep->crash_class, "hung task");
		diag_set(ctx, &rep->trigger, "khungtaskd: a task slept in D state longer than "
					     "hung_task_timeout_secs, and hung_task_panic is set");
		diag_set(ctx, &rep->summary,
			 "Task %s (pid %d) slept uninterruptibly for more than %d seconds%s%s%s%s. "
			 "Nothing woke it: the event it waits for never came (a lost wake-up, or "
			 "a lock or I/O that never completes).",
			 ls->hung_comm, ls->hung_pid, ls->hung_secs, site ? ", called from " : "",
			 site ? site : "", kind ? ", waiting on " : "", kind ? kind : "");
		diag_verdict(ctx, COR_VERDICT_SOFTWARE, 70);
	}
}
