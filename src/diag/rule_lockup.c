// SPDX-License-Identifier: MIT
// Lockups: which CPUs were stuck, since when, in what. The log's watchdog lines
// (kernel/watchdog.c soft lockups, kernel/watchdog_hld.c hard lockups, RCU stall
// reports, arch/x86/kernel/nmi.c unknown NMIs) say that and when; the dump's CPU
// states say where each CPU was; the spin-loop analysis (spinloop.c) says why
// the loop cannot exit, and the lock rules (locks.c) whose fault that is.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coroner/disasm.h"
#include "coroner/program.h"
#include "diag/internal.h"

#define RFLAGS_IF 0x200ull /* interrupt enable flag, Intel SDM vol. 1, 3.4.3 */

/* True if the instruction before @p rip is hlt or mwait: the CPU is idle, not stuck. */
static bool halted(struct diag_ctx *ctx, uint64_t rip)
{
	uint8_t b[3];
	struct cor_error *err = cor_program_read(ctx->prog, rip - 3, b, 3);
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	return b[2] == 0xf4 || (b[0] == 0x0f && b[1] == 0x01 && b[2] == 0xc9);
}

static void describe_cpu(struct diag_ctx *ctx, const struct diag_cpu *c, struct cor_finding *f)
{
	char where[192];
	if (!c->known) {
		diag_evidence(ctx, f,
			      "CPU %d: no saved state (it did not answer the crash NMI, or "
			      "the dump has no notes for it)",
			      c->cpu);
		return;
	}
	if (c->func[0])
		snprintf(where, sizeof(where), "%s+0x%llx%s%s%s", c->func,
			 (unsigned long long)c->func_off, c->module[0] ? " [" : "", c->module,
			 c->module[0] ? "]" : "");
	else
		snprintf(where, sizeof(where), "0x%llx", (unsigned long long)c->rip);
	diag_evidence(ctx, f, "CPU %d: %s (pid %d) at %s, RFLAGS %08llx (interrupts %s)%s [%s]",
		      c->cpu, c->comm[0] ? c->comm : "?", c->pid, where,
		      (unsigned long long)c->rflags, (c->rflags & RFLAGS_IF) ? "on" : "off",
		      c->crashing ? ", the CPU that panicked" : "", c->source ? c->source : "");
}

/* The stuck CPUs: in a loop that cannot exit, or named by a watchdog. */
static bool is_stuck(const struct diag_ctx *ctx, const struct diag_cpu *c,
		     const struct diag_spin *s)
{
	if (ctx->ls.soft_lockup && ctx->ls.soft_cpu == c->cpu)
		return true;
	for (int i = 0; i < ctx->ls.num_hard; i++)
		if (ctx->ls.hard_cpus[i] == c->cpu)
			return true;
	switch (s->kind) {
	case DIAG_SPIN_ENDLESS:
	case DIAG_SPIN_DIVISION:
		return true;
	case DIAG_SPIN_SEQCOUNT:
	case DIAG_SPIN_QSPINLOCK:
	case DIAG_SPIN_POLL:
		return s->exit_known && !s->can_exit;
	default:
		return false;
	}
}

/* Since when: the earliest report of the log that shows this CPU in the same function
 * (an NMI backtrace, an RCU stall or watchdog report), against the panic time. */
static void since_when(struct diag_ctx *ctx, const struct diag_cpu *c, struct cor_finding *f)
{
	const struct log_scan *ls = &ctx->ls;
	size_t n = strlen(c->func);
	for (int i = 0; i < ls->num_reports && n; i++) {
		const struct log_report *r = &ls->reports[i];
		if (i == ls->panic_report || !r->has_ctx || r->cpu != c->cpu || !r->regs.valid ||
		    strncmp(r->regs.rip_sym, c->func, n) != 0 || r->regs.rip_sym[n] != '+')
			continue;
		double end = ls->has_panic ? ls->panic_ts : ls->reports[ls->num_reports - 1].ts;
		diag_evidence(ctx, f,
			      "CPU %d was already in %s at %.3f s (\"%s\" in the log): stuck "
			      "for at least %.1f s before the dump",
			      c->cpu, c->func, r->ts, r->headline, end - r->ts);
		diag_fact(ctx, f, "stuck_since", "%.3f", r->ts);
		return;
	}
	if (ls->soft_lockup && ls->soft_cpu == c->cpu && ls->soft_report >= 0)
		diag_evidence(ctx, f,
			      "the watchdog saw CPU %d stuck for %d s at %.3f s: since %.1f s",
			      c->cpu, ls->soft_secs, ls->reports[ls->soft_report].ts,
			      ls->reports[ls->soft_report].ts - ls->soft_secs);
}

static void spin_evidence(struct diag_ctx *ctx, const struct diag_spin *s, struct cor_finding *f)
{
	diag_evidence(ctx, f, "the loop %s:", s->loop_text);
	for (int i = 0; i < s->num_insns; i++)
		diag_evidence(ctx, f, "  %s", s->insns[i]);
	if (s->mem_addr && s->mem_value_known)
		diag_evidence(ctx, f, "it polls %u bytes at 0x%llx <%s>, which hold %llu (0x%llx)",
			      s->mem_size, (unsigned long long)s->mem_addr, s->mem_name,
			      (unsigned long long)s->mem_value, (unsigned long long)s->mem_value);
	else if (s->mem_addr)
		diag_evidence(ctx, f, "it polls %u bytes at 0x%llx <%s> (unreadable in the dump)",
			      s->mem_size, (unsigned long long)s->mem_addr, s->mem_name);
	if (s->exit_text[0])
		diag_evidence(ctx, f, "it loops %s%s", s->exit_text,
			      !s->exit_known ? ""
			      : s->can_exit  ? " (false now: the loop can exit)"
					     : " (true with the current values: it cannot exit)");
}

struct group {
	int cpus[DIAG_MAX_CPUS];
	int n;
	const struct diag_spin *spin;
	const struct diag_cpu *first;
};

static void cpu_list(const struct group *g, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < g->n && n + 8 < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%d", i ? " " : "", g->cpus[i]);
}

static void report_group(struct diag_ctx *ctx, struct group *g, bool first_group)
{
	const struct diag_cpu *c = g->first;
	const struct diag_spin *s = g->spin;
	char cpus[256];
	cpu_list(g, cpus, sizeof(cpus));
	bool irqs_off = !(c->rflags & RFLAGS_IF);
	struct cor_finding *f = diag_finding(
	    ctx, "spin-loop", COR_SEV_CRITICAL, "CPU%s %s spin%s in %s with interrupts %s%s%s",
	    g->n > 1 ? "s" : "", cpus, g->n > 1 ? "" : "s", c->func[0] ? c->func : "?",
	    irqs_off ? "disabled" : "enabled", s->kind != DIAG_SPIN_NONE ? ": " : "",
	    s->kind == DIAG_SPIN_NONE ? "" : s->loop_text);
	diag_fact(ctx, f, "spinning_cpus", "%s", cpus);
	diag_fact(ctx, f, "rip_function", "%s", c->func);
	diag_fact(ctx, f, "task", "%s", c->comm);
	diag_fact(ctx, f, "pid", "%d", c->pid);
	diag_fact(ctx, f, "irqs", "%s", irqs_off ? "disabled" : "enabled");
	for (int i = 0; i < g->n; i++)
		describe_cpu(ctx, &ctx->cpus[g->cpus[i]], f);
	for (int i = 0; i < g->n; i++)
		since_when(ctx, &ctx->cpus[g->cpus[i]], f);
	if (s->kind != DIAG_SPIN_NONE)
		spin_evidence(ctx, s, f);
	if (first_group) {
		ctx->frames_id[0] = '\0';
		diag_sig_frame(ctx, c->func);
		for (int i = 0; i < c->num_frames && i < 3; i++)
			if (!diag_is_machinery(c->frames[i]) && strcmp(c->frames[i], c->func) != 0)
				diag_sig_frame(ctx, c->frames[i]);
	}
	if (s->kind == DIAG_SPIN_SEQCOUNT)
		diag_lock_seqcount(ctx, s, g->cpus, g->n, f);
	else if (s->kind == DIAG_SPIN_QSPINLOCK)
		diag_lock_qspinlock(ctx, s, g->cpus, g->n, f);
	else if (s->kind == DIAG_SPIN_DIVISION)
		diag_timekeeping(ctx, c, s, f);
	else if (first_group && !ctx->rep->summary) {
		diag_set(ctx, &ctx->rep->summary,
			 "CPU%s %s %s in %s (task %s, pid %d) with interrupts %s%s: %s.",
			 g->n > 1 ? "s" : "", cpus, g->n > 1 ? "are stuck" : "is stuck", c->func,
			 c->comm, c->pid, irqs_off ? "disabled" : "enabled",
			 irqs_off ? " (nothing can interrupt it but an NMI)" : "",
			 s->kind == DIAG_SPIN_ENDLESS
			     ? "the loop has no exit at all: an endless loop in the code itself"
			     : "the code never leaves this loop");
		diag_verdict(ctx, COR_VERDICT_SOFTWARE, s->kind == DIAG_SPIN_ENDLESS ? 85 : 60);
	}
}

/* Groups stuck CPUs by the loop they spin in. */
static int make_groups(struct diag_ctx *ctx, const struct diag_spin *spins, const bool *stuck,
		       struct group *groups)
{
	int ng = 0;
	for (int i = 0; i < ctx->num_cpus; i++) {
		if (!stuck[i])
			continue;
		int g = 0;
		for (; g < ng; g++) {
			const struct diag_spin *o = groups[g].spin;
			if (o->kind == spins[i].kind && o->loop_lo == spins[i].loop_lo &&
			    o->mem_addr == spins[i].mem_addr &&
			    strcmp(groups[g].first->func, ctx->cpus[i].func) == 0)
				break;
		}
		if (g == ng) {
			groups[ng].n = 0;
			groups[ng].spin = &spins[i];
			groups[ng].first = &ctx->cpus[i];
			ng++;
		}
		groups[g].cpus[groups[g].n++] = i;
	}
	return ng;
}

static void log_findings(struct diag_ctx *ctx)
{
	const struct log_scan *ls = &ctx->ls;
	if (ls->soft_lockup) {
		struct cor_finding *f =
		    diag_finding(ctx, "lockup", COR_SEV_CRITICAL,
				 "soft lockup: CPU %d stuck for %ds in task %s (pid %d) (watchdog)",
				 ls->soft_cpu, ls->soft_secs, ls->soft_comm, ls->soft_pid);
		diag_fact(ctx, f, "stuck_cpu", "%d", ls->soft_cpu);
		diag_fact(ctx, f, "stuck_task", "%s", ls->soft_comm);
		diag_fact(ctx, f, "stuck_pid", "%d", ls->soft_pid);
		diag_fact(ctx, f, "stuck_seconds", "%d", ls->soft_secs);
		const struct log_report *r = &ls->reports[ls->soft_report];
		diag_evidence(ctx, f, "[%12.6f] %s", r->ts, r->headline);
		if (r->regs.valid)
			diag_evidence(ctx, f, "RIP: %s  EFLAGS: %08llx", r->regs.rip_sym,
				      (unsigned long long)r->regs.eflags);
	}
	for (int i = 0; i < ls->num_hard; i++)
		diag_finding(ctx, "lockup", COR_SEV_CRITICAL,
			     "hard lockup on CPU %d detected by the NMI watchdog",
			     ls->hard_cpus[i]);
	if (ls->rcu_stall) {
		struct cor_finding *f = diag_finding(ctx, "lockup", COR_SEV_WARNING,
						     "RCU reported a stall before the crash");
		diag_evidence(ctx, f, "%s", ls->rcu_line);
	}
}

static void set_class(struct diag_ctx *ctx, const struct group *groups, int ng)
{
	struct cor_report *rep = ctx->rep;
	const char *cls = rep->crash_class ? rep->crash_class : "";
	if (ctx->ls.nmi_unknown)
		diag_set(ctx, &rep->trigger,
			 "NMI received for unknown reason 0x%02x on CPU %d, "
			 "made fatal by unknown_nmi_panic (someone pressed the "
			 "NMI button or injected an NMI because the system hung)",
			 ctx->ls.nmi_reason, ctx->ls.nmi_cpu);
	else if (ctx->ls.soft_lockup)
		diag_set(ctx, &rep->trigger, "the soft-lockup watchdog (softlockup_panic=1)");
	if (ng == 0 || strcmp(cls, "soft lockup") == 0 || strcmp(cls, "hard lockup") == 0)
		return;
	if (strcmp(cls, "nmi") && strcmp(cls, "no crash") && strcmp(cls, "panic") &&
	    strcmp(cls, "rcu stall"))
		return;
	bool all_off = true;
	for (int g = 0; g < ng; g++)
		all_off = all_off && !(groups[g].first->rflags & RFLAGS_IF);
	diag_set(ctx, &rep->crash_class, "%s", all_off ? "hard lockup" : "lockup");
}

void diag_rule_lockup(struct diag_ctx *ctx)
{
	struct diag_spin *spins = calloc(DIAG_MAX_CPUS, sizeof(*spins));
	struct group *groups = calloc(DIAG_MAX_CPUS, sizeof(*groups));
	bool stuck[DIAG_MAX_CPUS] = {false};
	if (!spins || !groups) {
		free(spins);
		free(groups);
		ctx->err = &cor_enomem;
		return;
	}
	log_findings(ctx);
	for (int i = 0; i < ctx->num_cpus; i++) {
		struct diag_cpu *c = &ctx->cpus[i];
		memset(&spins[i], 0, sizeof(spins[i]));
		if (!c->known || !c->kernel_mode || halted(ctx, c->rip))
			continue;
		diag_spin_analyze(ctx, c, &spins[i]);
		stuck[i] = is_stuck(ctx, c, &spins[i]);
	}
	int ng = make_groups(ctx, spins, stuck, groups);
	set_class(ctx, groups, ng);
	for (int g = 0; g < ng; g++)
		report_group(ctx, &groups[g], g == 0);
	free(spins);
	free(groups);
}
