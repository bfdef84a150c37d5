// SPDX-License-Identifier: MIT
// Hung tasks: khungtaskd's report ("INFO: task %s:%d blocked for more than %ld
// seconds.", "task:%-15.15s state:%c ...", its call trace: kernel/hung_task.c and
// kernel/sched/core.c sched_show_task(), 6.1), and the blocked task's stack in the
// dump: where it sleeps and what it waits on.
#include <stdio.h>
#include <string.h>

#include "coroner/stack.h"
#include "coroner/symbols.h"
#include "coroner/tasks.h"
#include "diag/internal.h"

/* Scheduler entry points: the wait site is the first frame past them. */
static bool is_sched(const char *func)
{
	static const char *const sched[] = {
	    "__schedule",
	    "schedule",
	    "schedule_timeout",
	    "schedule_preempt_disabled",
	    "io_schedule",
	    "io_schedule_timeout",
	    "schedule_hrtimeout_range_clock",
	    "schedule_hrtimeout_range",
	    "do_nanosleep",
	    "hrtimer_nanosleep",
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
	    {"mutex_lock", "a mutex"},
	    {"__mutex_lock", "a mutex"},
	    {"rwsem_down_read_slowpath", "an rw-semaphore (read)"},
	    {"rwsem_down_write_slowpath", "an rw-semaphore (write)"},
	    {"wait_for_completion", "a completion"},
	    {"folio_wait_bit_common", "a page lock"},
	    {"__lock_page", "a page lock"},
	    {"io_schedule", "I/O"},
	    {"down", "a semaphore"},
	    {"__down", "a semaphore"},
	    {"wait_on_page_bit", "a page"},
	    {"jbd2_log_wait_commit", "a journal commit"},
	};
	for (int i = 0; i < r->num_frames; i++)
		for (size_t k = 0; k < COR_ARRAY_SIZE(kinds); k++)
			if (strncmp(r->frames[i].func, kinds[k].func, strlen(kinds[k].func)) == 0 &&
			    (r->frames[i].func[strlen(kinds[k].func)] == '\0' ||
			     r->frames[i].func[strlen(kinds[k].func)] == '.'))
				return kinds[k].kind;
	return NULL;
}

/* The other tasks in uninterruptible sleep: often the real story is a crowd. */
static void other_blocked(struct diag_ctx *ctx, const struct cor_task_list *list, int pid)
{
	int n = 0;
	struct cor_finding *f = NULL;
	for (size_t i = 0; i < list->tasks.len; i++) {
		const struct cor_task *t = cor_vec_at(&list->tasks, i);
		if (strcmp(t->st, "UN") != 0 || t->pid == pid)
			continue;
		if (!f)
			f = diag_finding(ctx, "hung-task", COR_SEV_WARNING,
					 "other tasks in uninterruptible sleep (D)");
		if (n++ < 16)
			diag_evidence(ctx, f, "%s (pid %d)", t->comm, t->pid);
	}
	if (f && n > 16)
		diag_evidence(ctx, f, "... %d in all", n);
}

/* The blocked task's own stack in the dump: its frames, and the wait site: the first
 * frame past the scheduler, with a frame a tail call removed put back. */
static bool site_from_dump(struct diag_ctx *ctx, int pid, struct cor_finding *f, char *site,
			   size_t size)
{
	struct cor_task_list list;
	struct cor_error *err = cor_program_tasks(ctx->prog, &list);
	if (err) {
		diag_evidence(ctx, f, "the task list cannot be read: %s", err->message);
		cor_error_destroy(err);
		return false;
	}
	const struct cor_task *t = cor_task_list_find(&list, (uint64_t)pid);
	if (!t)
		diag_evidence(ctx, f, "pid %d is not in the task list (%zu tasks)", pid,
			      list.tasks.len);
	struct cor_backtrace bt;
	struct cor_bt_options opts = {.max_frames = 64};
	cor_backtrace_init(&bt);
	err = t ? cor_program_backtrace_task(ctx->prog, t->addr, &opts, &bt) : &cor_not_found;
	bool found = false;
	if (!err) {
		diag_evidence(
		    ctx, f, "task %s (pid %d) at 0x%llx, state %s; its stack in the dump:", t->comm,
		    t->pid, (unsigned long long)t->addr, t->st);
		for (size_t i = 0; i < bt.frames.len && i < 16; i++) {
			const struct cor_frame *fr = cor_backtrace_frame(&bt, i);
			diag_evidence(ctx, f, "  #%zu %s", i, fr->symbol);
		}
		for (size_t i = 1; i < bt.frames.len && !found; i++) {
			const struct cor_frame *callee = cor_backtrace_frame(&bt, i - 1);
			const struct cor_frame *caller = cor_backtrace_frame(&bt, i);
			if (!caller->function[0] || is_sched(caller->function))
				continue;
			snprintf(site, size, "%s", caller->function);
			found = true;
			struct cor_symbol sym;
			if (cor_program_symbol_by_name(ctx->prog, callee->function, &sym) == NULL &&
			    diag_recover_tail_call(ctx, caller->pc, sym.addr,
						   cor_backtrace_frame(&bt, 0)->sp - 64,
						   caller->sp + 128, site, size))
				diag_evidence(ctx, f,
					      "%s does not call %s directly: the missing frame "
					      "is %s, which tail-calls it (jmp %s); found "
					      "through a pointer left on the stack",
					      caller->function, callee->function, site,
					      callee->function);
		}
	}
	if (err && err != &cor_not_found)
		diag_evidence(ctx, f, "the task's stack cannot be unwound: %s", err->message);
	if (t)
		diag_wait_chain(ctx, &list, t, f);
	other_blocked(ctx, &list, pid);
	if (err != &cor_not_found)
		cor_error_destroy(err);
	cor_backtrace_deinit(&bt);
	cor_task_list_deinit(&list);
	return found;
}

void diag_rule_hung_task(struct diag_ctx *ctx)
{
	const struct log_scan *ls = &ctx->ls;
	if (!ls->hung_task)
		return;
	struct cor_report *rep = ctx->rep;
	struct cor_finding *f =
	    diag_finding(ctx, "hung-task", COR_SEV_CRITICAL,
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
	char dump_site[128];
	if (site_from_dump(ctx, ls->hung_pid, f, dump_site, sizeof(dump_site))) {
		site = dump_site;
		ctx->frames_id[0] = '\0';
		diag_sig_frame(ctx, dump_site);
	}
	const char *kind = r ? wait_kind(r) : NULL;
	if (site)
		diag_fact(ctx, f, "wait_site", "%s", site);
	if (kind)
		diag_fact(ctx, f, "waits_on", "%s", kind);
	if (!rep->crash_class || strcmp(rep->crash_class, "hung task") == 0 ||
	    strcmp(rep->crash_class, "panic") == 0) {
		diag_set(ctx, &rep->crash_class, "hung task");
		diag_set(ctx, &rep->trigger,
			 "khungtaskd: a task slept in D state longer than "
			 "hung_task_timeout_secs, and hung_task_panic is set");
		diag_set(ctx, &rep->summary,
			 "Task %s (pid %d) slept uninterruptibly for more than %d seconds%s%s%s%s. "
			 "Nothing woke it: the event it waits for never came (a lost wake-up, or "
			 "a lock or I/O that never completes).",
			 ls->hung_comm, ls->hung_pid, ls->hung_secs, site ? ", waiting in " : "",
			 site ? site : "", kind ? ", waiting on " : "", kind ? kind : "");
		diag_verdict(ctx, COR_VERDICT_SOFTWARE, 70);
	}
}
