// SPDX-License-Identifier: MIT
// Panic classification: what stopped the machine, on which CPU, in which
// task, from the panic message (kernel/panic.c and its callers, 6.1) and the
// kernel's own report block around it.
#include <stdlib.h>
#include <string.h>

#include "diag/internal.h"

/* Functions of the panic / dump / NMI / timer-interrupt machinery: they say how the
 * kernel reported the problem, not where it was. Skipped when naming the culprit. */
static const char *const machinery[] = {
    "dump_stack_lvl",
    "dump_stack",
    "show_stack",
    "panic",
    "vpanic",
    "nmi_panic",
    "__crash_kexec",
    "crash_kexec",
    "machine_kexec",
    "unknown_nmi_error",
    "default_do_nmi",
    "exc_nmi",
    "end_repeat_nmi",
    "nmi_handle",
    "oops_end",
    "die",
    "__die",
    "do_trap",
    "do_error_trap",
    "watchdog_timer_fn",
    "__hrtimer_run_queues",
    "hrtimer_interrupt",
    "__sysvec_apic_timer_interrupt",
    "sysvec_apic_timer_interrupt",
    "asm_sysvec_apic_timer_interrupt",
    "_printk",
    "printk",
    "nmi_cpu_backtrace",
    "nmi_trigger_cpumask_backtrace",
    "arch_trigger_cpumask_backtrace",
    "watchdog",
    "check_hung_uninterruptible_tasks",
    "kthread",
    "ret_from_fork",
};

bool diag_is_machinery(const char *func)
{
	size_t n = strcspn(func, ".");
	for (size_t i = 0; i < COR_ARRAY_SIZE(machinery); i++)
		if (strlen(machinery[i]) == n && strncmp(func, machinery[i], n) == 0)
			return true;
	return false;
}

struct panic_class {
	const char *needle; /* in the panic message */
	const char *crash_class;
};

/* Panic messages of Linux 6.1 and where they come from. */
static const struct panic_class classes[] = {
    {"softlockup: hung tasks", "soft lockup"}, /* kernel/watchdog.c */
    {"Hard LOCKUP", "hard lockup"},	       /* kernel/watchdog_hld.c */
    {"hung_task: blocked tasks", "hung task"}, /* kernel/hung_task.c */
    {"sysrq triggered crash", "sysrq"},	       /* drivers/tty/sysrq.c */
    {"machine check", "machine check"},	       /* arch/x86/kernel/cpu/mce/core.c */
    {"Machine check", "machine check"},
    {"NMI: Not continuing", "nmi"}, /* arch/x86/kernel/nmi.c */
    {"NMI IOCK error", "nmi"},
    {"Fatal exception", "oops"},      /* arch/x86/kernel/dumpstack.c */
    {"panic_on_warn set", "warning"}, /* kernel/panic.c check_panic_on_warn */
    {"Oops - BUG", "oops"},
    {"Out of memory", "out of memory"}, /* mm/oom_kill.c */
    {"System is deadlocked on memory", "out of memory"},
    {"RCU Stall", "rcu stall"},				/* kernel/rcu/tree_stall.h */
    {"stack-protector", "stack corruption"},		/* kernel/panic.c __stack_chk_fail */
    {"Attempted to kill init", "init died"},		/* kernel/exit.c */
    {"corrupted stack end detected", "stack overflow"}, /* kernel/sched/core.c */
};

/* Sets the culprit frames of a report block: the first reliable frames past the machinery. */
void diag_frames_from_log(struct diag_ctx *ctx, const struct log_report *r, int max,
			  struct cor_finding *f)
{
	int n = 0;
	ctx->frames_id[0] = '\0';
	for (int i = 0; i < r->num_frames && n < max; i++) {
		const struct log_frame *fr = &r->frames[i];
		if (fr->unreliable || diag_is_machinery(fr->func))
			continue;
		diag_sig_frame(ctx, fr->func);
		char buf[256];
		log_frame_format(fr, buf, sizeof(buf));
		diag_evidence(ctx, f, "  frame: %s", buf);
		n++;
	}
}

static void no_panic(struct diag_ctx *ctx)
{
	struct cor_report *rep = ctx->rep;
	if (ctx->ls.oops_report >= 0) {
		/* oops_end() calls crash_kexec() before panic() when a capture kernel is
		 * loaded (arch/x86/kernel/dumpstack.c), so there is no panic line. */
		const struct log_report *r = &ctx->ls.reports[ctx->ls.oops_report];
		diag_set(ctx, &rep->crash_class, "oops");
		diag_set(ctx, &rep->trigger,
			 "the oops itself: oops_end() jumped to the capture "
			 "kernel (crash_kexec) before any panic message");
		rep->panic_cpu = r->cpu;
		rep->panic_pid = r->pid;
		diag_set(ctx, &rep->panic_comm, "%s", r->comm);
		return;
	}
	diag_set(ctx, &rep->crash_class, "no crash");
	diag_set(ctx, &rep->trigger,
		 "no panic: the kernel was running when the dump was taken "
		 "(by a hypervisor, or a dump of a live or hung system)");
	struct cor_finding *f = diag_finding(ctx, "panic", COR_SEV_INFO,
					     "the log has no panic message: the dump was taken "
					     "while the kernel was still running");
	if (ctx->ls.num_reports > 0) {
		const struct log_report *r = &ctx->ls.reports[ctx->ls.num_reports - 1];
		diag_evidence(ctx, f, "last kernel report in the log: [%.6f] %s", r->ts,
			      r->headline);
	}
}

void diag_rule_panic(struct diag_ctx *ctx)
{
	struct cor_report *rep = ctx->rep;
	const struct log_scan *ls = &ctx->ls;
	if (!ls->has_panic) {
		no_panic(ctx);
		return;
	}
	diag_set(ctx, &rep->panic_message, "Kernel panic - not syncing: %s", ls->panic_msg);
	const char *cls = "panic";
	for (size_t i = 0; i < COR_ARRAY_SIZE(classes); i++)
		if (strstr(ls->panic_msg, classes[i].needle)) {
			cls = classes[i].crash_class;
			break;
		}
	diag_set(ctx, &rep->crash_class, "%s", cls);
	struct cor_finding *f =
	    diag_finding(ctx, "panic", COR_SEV_CRITICAL, "kernel panic: %s", ls->panic_msg);
	diag_evidence(ctx, f, "[%12.6f] Kernel panic - not syncing: %s", ls->panic_ts,
		      ls->panic_msg);
	diag_fact(ctx, f, "panic_message", "%s", ls->panic_msg);
	if (ls->panic_report >= 0) {
		const struct log_report *r = &ls->reports[ls->panic_report];
		if (r->has_ctx) {
			rep->panic_cpu = r->cpu;
			rep->panic_pid = r->pid;
			diag_set(ctx, &rep->panic_comm, "%s", r->comm);
			diag_evidence(ctx, f, "panic on CPU %d in task %s (pid %d)", r->cpu,
				      r->comm, r->pid);
			diag_fact(ctx, f, "panic_cpu", "%d", r->cpu);
			diag_fact(ctx, f, "panic_task", "%s", r->comm);
			diag_fact(ctx, f, "panic_pid", "%d", r->pid);
			if (r->tainted[0])
				diag_evidence(ctx, f, "kernel tainted: %s", r->tainted);
		}
		diag_frames_from_log(ctx, r, 4, f);
	}
	if (ls->sysrq_crash) {
		diag_set(ctx, &rep->trigger,
			 "requested: sysrq 'c' (echo c > /proc/sysrq-trigger, "
			 "or the SysRq key) calls panic() on purpose");
		diag_set(
		    ctx, &rep->summary,
		    "The crash was requested through sysrq 'c' by task %s (pid %d) on CPU %d: "
		    "no fault is involved; the dump shows the system as it was at that moment.",
		    rep->panic_comm ? rep->panic_comm : "?", rep->panic_pid, rep->panic_cpu);
		diag_verdict(ctx, COR_VERDICT_UNDETERMINED, 90);
	}
}
