// SPDX-License-Identifier: MIT
// Lock reasoning on a spin loop's polled word: a seqcount left odd (who is the
// writer? none -> corruption), a queued spinlock (who owns it? nobody running ->
// leaked). Layouts: include/linux/seqlock.h (an odd sequence = a write section is
// open), include/asm-generic/qspinlock_types.h (locked byte 0-7, pending 8,
// tail index 16-17, tail CPU + 1 in 18-31, for NR_CPUS < 16K), 6.1.
#include <stdio.h>
#include <string.h>

#include "coroner/disasm.h"
#include "coroner/program.h"
#include "coroner/symbols.h"
#include "diag/internal.h"

#define MAX_FUNCS 64

/* True if the function at @p addr writes the memory at @p target (an explicit operand). */
static bool func_writes(struct diag_ctx *ctx, struct cor_disasm *d, uint64_t addr, uint64_t target,
			char *name, size_t size)
{
	struct cor_disasm_func fn;
	struct cor_error *err = cor_disasm_function(d, ctx->prog, addr, &fn);
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	bool found = false;
	for (size_t i = 0; i < fn.insns.len && !found; i++) {
		const struct cor_insn *in = cor_vec_at(&fn.insns, i);
		for (unsigned k = 0; k < in->num_ops; k++) {
			const struct cor_insn_operand *op = &in->ops[k];
			if (op->kind == COR_OP_MEM && op->written && op->mem.has_addr &&
			    op->mem.seg == COR_SEG_NONE && op->mem.addr <= target &&
			    target < op->mem.addr + (op->size ? op->size : 1))
				found = true;
		}
	}
	snprintf(name, size, "%s", fn.name ? fn.name : "?");
	cor_disasm_func_deinit(&fn);
	return found;
}

/* Looks for a CPU running (or called from) code that writes @p target. Returns the CPU or -1. */
static int find_writer(struct diag_ctx *ctx, uint64_t target, char *func, size_t size, int *checked)
{
	struct cor_disasm *d;
	*checked = 0;
	if (cor_disasm_create(&d))
		return -1;
	uint64_t seen[MAX_FUNCS];
	int nseen = 0, writer = -1;
	for (int i = 0; i < ctx->num_cpus && writer < 0; i++) {
		const struct diag_cpu *c = &ctx->cpus[i];
		if (!c->known || !c->kernel_mode)
			continue;
		for (int k = -1; k < c->num_frames && writer < 0; k++) {
			uint64_t addr = c->func_addr;
			if (k >= 0) {
				struct cor_symbol sym;
				struct cor_error *err =
				    cor_program_symbol_by_name(ctx->prog, c->frames[k], &sym);
				if (err) {
					cor_error_destroy(err);
					continue;
				}
				addr = sym.addr;
			}
			bool dup = !addr;
			for (int s = 0; s < nseen && !dup; s++)
				dup = seen[s] == addr;
			if (dup || nseen >= MAX_FUNCS)
				continue;
			seen[nseen++] = addr;
			if (func_writes(ctx, d, addr, target, func, size))
				writer = c->cpu;
		}
	}
	cor_disasm_destroy(d);
	*checked = nseen;
	return writer;
}

void diag_lock_seqcount(struct diag_ctx *ctx, const struct diag_spin *s, const int *cpus, int n,
			struct cor_finding *f)
{
	struct cor_report *rep = ctx->rep;
	bool odd = s->mem_value & 1;
	snprintf(ctx->lock_id, sizeof(ctx->lock_id), "%s", s->mem_sym);
	diag_fact(ctx, f, "lock", "%s", s->mem_sym);
	diag_fact(ctx, f, "lock_kind", "seqcount");
	diag_fact(ctx, f, "sequence", "%llu", (unsigned long long)s->mem_value);
	diag_fact(ctx, f, "parity", "%s", odd ? "odd" : "even");
	diag_evidence(ctx, f,
		      "%s is a sequence count (the loop retries while bit 0 is set, as "
		      "read_seqcount_begin() does); its value %llu is %s%s",
		      s->mem_name, (unsigned long long)s->mem_value, odd ? "odd" : "even",
		      odd ? ": a write section was opened (write_seqcount_begin) and not closed"
			  : "");
	if (!odd)
		return;
	char func[128] = "";
	int checked = 0;
	int writer = find_writer(ctx, s->mem_addr, func, sizeof(func), &checked);
	if (writer >= 0) {
		diag_fact(ctx, f, "writer_present", "CPU %d in %s", writer, func);
		diag_evidence(ctx, f,
			      "writer: CPU %d is in %s, which writes %s: the write section "
			      "is in progress there; see what that CPU waits for",
			      writer, func, s->mem_name);
		diag_set(ctx, &rep->summary,
			 "%d CPU(s) spin waiting for %s to become even; CPU %d is inside a write "
			 "section (%s) and has not finished it.",
			 n, s->mem_name, writer, func);
		diag_verdict(ctx, COR_VERDICT_SOFTWARE, 60);
		return;
	}
	diag_fact(ctx, f, "writer_present", "no writer");
	diag_fact(ctx, f, "cause", "corrupt sequence: lost write or memory/CPU corruption");
	diag_evidence(ctx, f,
		      "no writer: none of the %d functions running or on the stacks of "
		      "the %d CPUs writes %s; seqcount writers run with preemption "
		      "disabled, so an open write section must be on some CPU, and none is",
		      checked, ctx->num_cpus, s->mem_name);
	const struct diag_cpu *c = &ctx->cpus[cpus[0]];
	diag_set(ctx, &rep->summary,
		 "%d of %d CPUs spin with interrupts disabled in %s, waiting for the sequence "
		 "count %s to become even. It is %llu: odd, so a write section is open, but no "
		 "CPU is inside one (no writer anywhere). The sequence can never become even "
		 "again: every reader spins forever. An odd sequence with no writer means the "
		 "count is corrupt: either an update path skipped write_seqcount_end (a bug that "
		 "would show a writer or a preceding oops, and there is none), or the value was "
		 "corrupted in memory or by the CPU: hardware suspected (memory or a CPU erratum).",
		 n, ctx->num_cpus, c->func, s->mem_name, (unsigned long long)s->mem_value);
	diag_verdict(ctx, COR_VERDICT_HARDWARE, 70);
}

static void atomic_sleep_evidence(struct diag_ctx *ctx, struct cor_finding *f)
{
	for (int i = 0; i < ctx->ls.num_atomic_sleep; i++)
		diag_evidence(ctx, f,
			      "[%12.6f] %s: that task slept or exited with preemption "
			      "disabled (preempt count > 0), i.e. holding a spinlock",
			      ctx->ls.atomic_sleep_ts[i], ctx->ls.atomic_sleep[i]);
}

/* CPUs other than the waiters that could hold the lock: running kernel code. */
static int possible_owners(struct diag_ctx *ctx, const int *cpus, int n, uint64_t lock,
			   struct cor_finding *f)
{
	int owners = 0;
	for (int i = 0; i < ctx->num_cpus; i++) {
		const struct diag_cpu *c = &ctx->cpus[i];
		bool waiter = false;
		for (int k = 0; k < n; k++)
			waiter = waiter || cpus[k] == i;
		if (waiter || !c->known)
			continue;
		bool has_addr = false;
		for (int r = 0; r < 16; r++)
			has_addr = has_addr || c->gpr[r] == lock;
		bool idle = c->idle_task || !c->kernel_mode;
		if (!idle || has_addr) {
			owners++;
			diag_evidence(ctx, f, "CPU %d runs %s (%s, pid %d)%s: a possible owner", i,
				      c->func[0] ? c->func : "?", c->comm, c->pid,
				      has_addr ? " with the lock's address in a register" : "");
		} else {
			diag_evidence(ctx, f, "CPU %d: %s: cannot hold a spinlock", i,
				      !c->kernel_mode ? "in user space" : "idle");
		}
	}
	return owners;
}

void diag_lock_qspinlock(struct diag_ctx *ctx, const struct diag_spin *s, const int *cpus, int n,
			 struct cor_finding *f)
{
	struct cor_report *rep = ctx->rep;
	uint32_t v = (uint32_t)s->mem_value;
	unsigned locked = v & 0xff, pending = (v >> 8) & 0xff, idx = (v >> 16) & 3;
	int tail_cpu = (int)(v >> 18) - 1;
	snprintf(ctx->lock_id, sizeof(ctx->lock_id), "%s", s->mem_sym);
	diag_fact(ctx, f, "lock", "%s", s->mem_sym);
	diag_fact(ctx, f, "lock_kind", "queued spinlock");
	diag_fact(ctx, f, "lock_state", "%s", locked ? "locked" : "unlocked");
	diag_evidence(ctx, f, "%s = 0x%08x: locked=%u pending=%u tail=%s (queued spinlock)",
		      s->mem_name, v, locked, pending,
		      tail_cpu >= 0 ? "a CPU queued behind" : "0, no queued waiter");
	if (tail_cpu >= 0)
		diag_evidence(ctx, f, "the queue tail is CPU %d (node %u)", tail_cpu, idx);
	if (!locked)
		return;
	atomic_sleep_evidence(ctx, f);
	int owners = possible_owners(ctx, cpus, n, s->mem_addr, f);
	if (owners) {
		diag_fact(ctx, f, "owner", "possibly running (%d candidate CPUs)", owners);
		diag_set(
		    ctx, &rep->summary,
		    "CPU %d waits for spinlock %s, which is locked; %d other CPU(s) run kernel "
		    "code and may hold it (see the findings).",
		    cpus[0], s->mem_name, owners);
		diag_verdict(ctx, COR_VERDICT_SOFTWARE, 60);
		return;
	}
	diag_fact(ctx, f, "owner", "no owner running");
	diag_evidence(ctx, f,
		      "no owner running: spinlocks are held with preemption disabled, so "
		      "the owner would have to be on a CPU; every other CPU is idle or in "
		      "user space");
	const struct diag_cpu *c = &ctx->cpus[cpus[0]];
	diag_set(ctx, &rep->summary,
		 "CPU %d (task %s, pid %d) spins forever in %s waiting for the spinlock %s. The "
		 "lock is held (locked=1) but no owner is running on any CPU: it was taken and "
		 "never released (a missing spin_unlock, e.g. a path that returned or exited with "
		 "the lock held)%s. A software bug in the code that takes %s.",
		 cpus[0], c->comm, c->pid, c->func, s->mem_name,
		 ctx->ls.num_atomic_sleep ? "; the log shows a task that slept or exited while "
					    "holding a spinlock"
					  : "",
		 s->mem_name);
	diag_verdict(ctx, COR_VERDICT_SOFTWARE, 80);
}
