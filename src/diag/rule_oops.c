// SPDX-License-Identifier: MIT
// Oops, BUG and kernel stack overflow. The kernel's report block (headline,
// "CPU: N PID: P Comm: C", RIP, registers with CR2, call trace: arch/x86/mm/fault.c,
// arch/x86/kernel/traps.c handle_stack_overflow(), dumpstack.c, 6.1) says where;
// the dump says why: for a stack overflow, the task's stack (task_struct.stack,
// THREAD_SIZE) with its guard page below, and the recursion that filled it.
#include <stdlib.h>
#include <string.h>

#include "coroner/cpus.h"
#include "coroner/disasm.h"
#include "coroner/program.h"
#include "coroner/symbols.h"
#include "coroner/types.h"
#include "diag/internal.h"

#define GUARD_SIZE 4096u

/* The function repeated most among the frames, and how often. */
static int most_repeated(const struct log_report *r, const char **func)
{
	int best = 0;
	*func = NULL;
	for (int i = 0; i < r->num_frames; i++) {
		int n = 0;
		for (int k = 0; k < r->num_frames; k++)
			n += strcmp(r->frames[i].func, r->frames[k].func) == 0;
		if (n > best) {
			best = n;
			*func = r->frames[i].func;
		}
	}
	return best;
}

/* The task's stack base (task_struct.stack), 0 if unknown. */
static uint64_t task_stack(struct diag_ctx *ctx, int cpu)
{
	struct cor_cpu_state st;
	uint64_t off, stack = 0;
	struct cor_error *err = cor_program_cpu_state(ctx->prog, (unsigned)cpu, &st);
	if (!err && !st.task)
		return 0;
	if (!err)
		err = cor_program_member_offset(ctx->prog, "struct task_struct", "stack", &off);
	if (!err)
		err = cor_program_read_u64(ctx->prog, st.task + off, &stack);
	cor_error_destroy(err);
	return err ? 0 : stack;
}

/* Frame size of a recursion: the most common distance between return addresses into
 * @p func on the stack [base, base + THREAD_SIZE). 0 if not found. */
static uint64_t recursion_frame_size(struct diag_ctx *ctx, uint64_t base, const char *func,
				     int *count)
{
	const uint64_t thread_size = diag_thread_size(ctx);
	uint64_t *words = malloc(thread_size);
	uint64_t size = 0;
	*count = 0;
	if (!words)
		return 0;
	struct cor_error *err = cor_program_read(ctx->prog, base, words, thread_size);
	if (err) {
		cor_error_destroy(err);
		free(words);
		return 0;
	}
	uint64_t last = 0, dist[64];
	int nd = 0;
	for (size_t i = 0; i < thread_size / 8; i++) {
		struct cor_symbol sym;
		uint64_t off;
		if (words[i] < 0xffff800000000000ull)
			continue;
		err = cor_program_symbol_by_addr(ctx->prog, words[i], &sym, &off);
		if (err) {
			cor_error_destroy(err);
			continue;
		}
		if (off == 0 || strcmp(sym.name, func) != 0)
			continue;
		uint64_t pos = base + i * 8;
		if (last && nd < 64)
			dist[nd++] = pos - last;
		last = pos;
		(*count)++;
	}
	int best = 0;
	for (int i = 0; i < nd; i++) {
		int n = 0;
		for (int k = 0; k < nd; k++)
			n += dist[k] == dist[i];
		if (n > best) {
			best = n;
			size = dist[i];
		}
	}
	free(words);
	return size;
}

static void stack_overflow(struct diag_ctx *ctx, const struct log_report *r)
{
	const uint64_t thread_size = diag_thread_size(ctx);
	struct cor_report *rep = ctx->rep;
	diag_set(ctx, &rep->crash_class, "stack overflow");
	struct cor_finding *f = diag_finding(ctx, "stack-overflow", COR_SEV_CRITICAL,
					     "kernel stack overflow in task %s (pid %d) on CPU %d: "
					     "the stack guard page was hit",
					     r->comm, r->pid, r->cpu);
	diag_evidence(ctx, f, "[%12.6f] %s", r->ts, r->headline);
	diag_evidence(ctx, f, "RIP: %s  RSP: %016llx  CR2 (fault address): %016llx",
		      r->regs.rip_sym, (unsigned long long)r->regs.rsp,
		      (unsigned long long)r->regs.cr2);
	diag_fact(ctx, f, "task", "%s", r->comm);
	diag_fact(ctx, f, "pid", "%d", r->pid);
	diag_fact(ctx, f, "cpu", "%d", r->cpu);
	uint64_t base = task_stack(ctx, r->cpu);
	if (base) {
		bool in_guard = r->regs.cr2 >= base - GUARD_SIZE && r->regs.cr2 < base;
		diag_evidence(ctx, f,
			      "task stack: %016llx..%016llx; guard page %016llx..%016llx: "
			      "the fault address is %s",
			      (unsigned long long)base, (unsigned long long)(base + thread_size),
			      (unsigned long long)(base - GUARD_SIZE), (unsigned long long)base,
			      in_guard ? "inside the guard page" : "outside it");
		diag_fact(ctx, f, "detail", "%s", in_guard ? "guard page" : "beyond the stack");
	}
	const char *func;
	int reps = most_repeated(r, &func);
	ctx->frames_id[0] = '\0';
	if (func && reps >= 4) {
		int count = 0;
		uint64_t fsz = base ? recursion_frame_size(ctx, base, func, &count) : 0;
		diag_evidence(ctx, f, "recursion: %s appears %d times in the call trace%s", func,
			      reps, count ? "" : " (the stack itself could not be scanned)");
		if (fsz)
			diag_evidence(ctx, f,
				      "on the stack: %d return addresses into %s, one every %llu "
				      "bytes: each call uses a %llu-byte frame, so %llu "
				      "nested calls fill the %llu-byte stack",
				      count, func, (unsigned long long)fsz, (unsigned long long)fsz,
				      (unsigned long long)(thread_size / fsz),
				      (unsigned long long)thread_size);
		diag_fact(ctx, f, "culprit", "%s", func);
		if (fsz)
			diag_fact(ctx, f, "frame_size", "%llu", (unsigned long long)fsz);
		diag_sig_frame(ctx, func);
		diag_set(
		    ctx, &rep->summary,
		    "Unbounded recursion in %s overflowed the kernel stack of task %s (pid %d) "
		    "on CPU %d; the access below the stack hit the guard page. A software bug: "
		    "the recursion needs a depth limit or must become iterative.",
		    func, r->comm, r->pid, r->cpu);
		if (fsz)
			diag_set(
			    ctx, &rep->summary,
			    "Unbounded recursion in %s overflowed the kernel stack of task %s "
			    "(pid %d) on CPU %d: each call takes a %llu-byte frame, %llu calls "
			    "fill the %llu-byte stack, and the next access hit the guard page. A "
			    "software bug: the recursion needs a depth limit (or must become "
			    "iterative), or the large local variables must move off the stack.",
			    func, r->comm, r->pid, r->cpu, (unsigned long long)fsz,
			    (unsigned long long)(thread_size / fsz),
			    (unsigned long long)thread_size);
	} else {
		diag_frames_from_log(ctx, r, 4, f);
		diag_set(ctx, &rep->summary,
			 "Task %s (pid %d) overflowed its kernel stack on CPU %d; the deepest "
			 "frames are listed below.",
			 r->comm, r->pid, r->cpu);
	}
	diag_verdict(ctx, COR_VERDICT_SOFTWARE, 90);
}

static uint64_t log_reg(const struct log_regs *g, enum cor_reg reg)
{
	const uint64_t v[] = {0,     g->rax, g->rcx, g->rdx, g->rbx, g->rsp, g->rbp, g->rsi, g->rdi,
			      g->r8, g->r9,  g->r10, g->r11, g->r12, g->r13, g->r14, g->r15};
	return (unsigned)reg < COR_ARRAY_SIZE(v) ? v[reg] : 0;
}

/* The faulting instruction and the register that held the bad pointer. */
static void faulting_insn(struct diag_ctx *ctx, const struct log_report *r, struct cor_finding *f)
{
	char name[128];
	unsigned long long off;
	struct cor_symbol sym;
	if (sscanf(r->regs.rip_sym, "%127[^+]+0x%llx", name, &off) != 2)
		return;
	struct cor_error *err = cor_program_symbol_by_name(ctx->prog, name, &sym);
	if (err) {
		cor_error_destroy(err);
		return;
	}
	uint64_t rip = sym.addr + off;
	uint8_t code[16];
	struct cor_disasm *d;
	struct cor_insn in;
	err = cor_program_read(ctx->prog, rip, code, sizeof(code));
	if (err) {
		cor_error_destroy(err);
		return;
	}
	if (cor_disasm_create(&d))
		return;
	err = cor_disasm_decode(d, code, sizeof(code), rip, &in);
	cor_disasm_destroy(d);
	if (err) {
		cor_error_destroy(err);
		return;
	}
	struct cor_strbuf sb = {0};
	cor_disasm_format_line(&in, cor_disasm_program_symbolize, ctx->prog, &sb);
	diag_evidence(ctx, f, "faulting instruction: %s", cor_strbuf_cstr(&sb));
	cor_strbuf_deinit(&sb);
	const struct cor_insn_operand *op = cor_insn_mem_operand(&in);
	if (!op || op->mem.base == COR_REG_NONE || op->mem.base == COR_REG_RIP)
		return;
	uint64_t base = log_reg(&r->regs, op->mem.base);
	uint64_t ea =
	    base + (uint64_t)op->mem.disp +
	    (op->mem.index != COR_REG_NONE ? log_reg(&r->regs, op->mem.index) * op->mem.scale : 0);
	diag_evidence(ctx, f, "the address comes from %%%s = 0x%llx%s: 0x%llx%s", op->mem.base_name,
		      (unsigned long long)base, base < 4096 ? " (a NULL pointer)" : "",
		      (unsigned long long)ea,
		      r->regs.cr2 && ea == r->regs.cr2 ? " = CR2, the fault address" : "");
	diag_fact(ctx, f, "bad_pointer_register", "%s", op->mem.base_name);
	diag_fact(ctx, f, "bad_pointer", "0x%llx", (unsigned long long)base);
}

static void generic_oops(struct diag_ctx *ctx, const struct log_report *r)
{
	struct cor_report *rep = ctx->rep;
	if (!rep->crash_class || strcmp(rep->crash_class, "panic") == 0 ||
	    strcmp(rep->crash_class, "no crash") == 0)
		diag_set(ctx, &rep->crash_class, "oops");
	struct cor_finding *f = diag_finding(ctx, "oops", COR_SEV_CRITICAL, "%s", r->headline);
	if (r->has_ctx)
		diag_evidence(ctx, f, "CPU %d, task %s (pid %d)", r->cpu, r->comm, r->pid);
	if (r->regs.valid) {
		diag_evidence(ctx, f, "RIP: %s  CR2: %016llx", r->regs.rip_sym,
			      (unsigned long long)r->regs.cr2);
		faulting_insn(ctx, r, f);
	}
	diag_frames_from_log(ctx, r, 5, f);
	diag_set(ctx, &rep->summary, "Kernel oops: %s, in %s (task %s, pid %d, CPU %d).",
		 r->headline, r->regs.rip_sym[0] ? r->regs.rip_sym : "an unknown function", r->comm,
		 r->pid, r->cpu);
	diag_verdict(ctx, COR_VERDICT_SOFTWARE, 70);
}

void diag_rule_oops(struct diag_ctx *ctx)
{
	const struct log_scan *ls = &ctx->ls;
	if (ls->oops_report < 0)
		return;
	const struct log_report *r = &ls->reports[ls->oops_report];
	if (strstr(r->headline, "stack guard page was hit") ||
	    strstr(r->headline, "stack overflow"))
		stack_overflow(ctx, r);
	else
		generic_oops(ctx, r);
}
