// SPDX-License-Identifier: MIT
// The CPUs as the diagnosis sees them: for each CPU, the context it was
// running when the machine stopped. Sources, best first:
//  - the dump's saved registers (crash_notes / QEMU notes): for a CPU stopped by
//    the NMI shoot-down they are the interrupted context (crash_nmi_callback ->
//    crash_save_cpu(regs) in arch/x86/kernel/crash.c, 6.1);
//  - for the crashing CPU, whose notes hold panic()'s own registers, the kernel's
//    report in the log: its register block is the interrupted context when the
//    panic came from an NMI or an interrupt (show_regs in nmi_panic paths);
//  - otherwise the latest report block of the log for that CPU.
#include <stdio.h>
#include <string.h>

#include "coroner/cpus.h"
#include "coroner/program.h"
#include "coroner/stack.h"
#include "coroner/symbols.h"
#include "coroner/types.h"
#include "diag/internal.h"

void diag_symbolize(struct diag_ctx *ctx, uint64_t addr, char *buf, size_t size)
{
	if (!cor_program_format_addr(ctx->prog, addr, true, buf, size))
		snprintf(buf, size, "0x%llx", (unsigned long long)addr);
}

static void resolve_func(struct diag_ctx *ctx, struct diag_cpu *c)
{
	struct cor_symbol sym;
	uint64_t off;
	struct cor_error *err = cor_program_symbol_by_addr(ctx->prog, c->rip, &sym, &off);
	if (err) {
		cor_error_destroy(err);
		return;
	}
	snprintf(c->func, sizeof(c->func), "%s", sym.name);
	snprintf(c->module, sizeof(c->module), "%s", sym.module ? sym.module : "");
	c->func_off = off;
	c->func_addr = sym.addr;
	c->func_size = sym.size;
}

static void read_task(struct diag_ctx *ctx, struct diag_cpu *c)
{
	uint64_t off_comm, off_pid;
	if (!c->task)
		return;
	struct cor_error *err =
	    cor_program_member_offset(ctx->prog, "struct task_struct", "comm", &off_comm);
	if (!err)
		err = cor_program_member_offset(ctx->prog, "struct task_struct", "pid", &off_pid);
	if (err) {
		cor_error_destroy(err);
		return;
	}
	uint32_t pid;
	err = cor_program_read(ctx->prog, c->task + off_comm, c->comm, 16);
	if (!err)
		err = cor_program_read_u32(ctx->prog, c->task + off_pid, &pid);
	if (err) {
		cor_error_destroy(err);
		c->comm[0] = '\0';
		return;
	}
	c->comm[16] = '\0';
	c->pid = (int)pid;
}

static void regs_from_note(struct diag_cpu *c, const struct cor_cpu_state *st)
{
	static const enum cor_cpu_reg order[16] = {
	    COR_CPU_REG_AX,  COR_CPU_REG_CX,  COR_CPU_REG_DX,  COR_CPU_REG_BX,
	    COR_CPU_REG_SP,  COR_CPU_REG_BP,  COR_CPU_REG_SI,  COR_CPU_REG_DI,
	    COR_CPU_REG_R8,  COR_CPU_REG_R9,  COR_CPU_REG_R10, COR_CPU_REG_R11,
	    COR_CPU_REG_R12, COR_CPU_REG_R13, COR_CPU_REG_R14, COR_CPU_REG_R15,
	};
	for (int i = 0; i < 16; i++)
		c->gpr[i] = st->regs.r[order[i]];
	c->rip = st->regs.r[COR_CPU_REG_IP];
	c->rsp = st->regs.r[COR_CPU_REG_SP];
	c->rflags = st->regs.r[COR_CPU_REG_FLAGS];
	c->has_regs = true;
}

static void regs_from_log(struct diag_cpu *c, const struct log_regs *g)
{
	const uint64_t v[16] = {g->rax, g->rcx, g->rdx, g->rbx, g->rsp, g->rbp, g->rsi, g->rdi,
				g->r8,	g->r9,	g->r10, g->r11, g->r12, g->r13, g->r14, g->r15};
	memcpy(c->gpr, v, sizeof(v));
	c->rsp = g->rsp;
	c->rflags = g->eflags;
	c->has_regs = true;
}

/* The latest report block of the log about @p cpu with kernel registers, or NULL. */
static const struct log_report *log_block_for(const struct log_scan *ls, int cpu)
{
	for (int i = ls->num_reports - 1; i >= 0; i--) {
		const struct log_report *r = &ls->reports[i];
		if (r->has_ctx && r->cpu == cpu && r->regs.valid && (r->regs.cs & 3) == 0)
			return r;
	}
	return NULL;
}

/* The address of a log "func+0xoff/0xsize [mod]" RIP, through the symbol table. */
static bool log_rip_addr(struct diag_ctx *ctx, const char *rip_sym, uint64_t *addr)
{
	char name[128];
	unsigned long long off;
	if (sscanf(rip_sym, "%127[^+]+0x%llx", name, &off) != 2)
		return false;
	struct cor_symbol sym;
	struct cor_error *err = cor_program_symbol_by_name(ctx->prog, name, &sym);
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	*addr = sym.addr + off;
	return true;
}

static void frames_from_log(struct diag_cpu *c, const struct log_report *r)
{
	c->num_frames = 0;
	for (int i = 0; i < r->num_frames && c->num_frames < DIAG_MAX_FRAMES; i++) {
		if (r->frames[i].unreliable)
			continue;
		snprintf(c->frames[c->num_frames++], sizeof(c->frames[0]), "%s", r->frames[i].func);
	}
}

/* From the CPU's backtrace in the dump: the innermost kernel exception frame (the
 * context an NMI or interrupt stopped) and the call chain below it. */
static bool from_backtrace(struct diag_ctx *ctx, struct diag_cpu *c, unsigned cpu, bool use_regs)
{
	struct cor_backtrace bt;
	struct cor_bt_options opts = {.max_frames = 64};
	cor_backtrace_init(&bt);
	struct cor_error *err = cor_program_backtrace_cpu(ctx->prog, cpu, &opts, &bt);
	if (err) {
		cor_error_destroy(err);
		cor_backtrace_deinit(&bt);
		return false;
	}
	size_t start = 0;
	bool found = false;
	for (size_t i = 0; i < bt.frames.len; i++) {
		const struct cor_frame *fr = cor_backtrace_frame(&bt, i);
		if (fr->has_regs && !fr->user_regs &&
		    fr->regs.r[COR_CPU_REG_IP] >= 0xffff800000000000ull) {
			start = i + 1;
			found = true;
			if (use_regs) {
				struct cor_cpu_state st = {.regs = fr->regs};
				st.source = COR_CPU_SRC_NONE;
				regs_from_note(c, &st);
				c->source = "the exception frame on its stack";
			}
			break;
		}
	}
	c->num_frames = 0;
	for (size_t i = start; i < bt.frames.len && c->num_frames < DIAG_MAX_FRAMES; i++) {
		const struct cor_frame *fr = cor_backtrace_frame(&bt, i);
		if (fr->function[0] && fr->how != COR_FRAME_SCAN)
			snprintf(c->frames[c->num_frames++], sizeof(c->frames[0]), "%s",
				 fr->function);
	}
	cor_backtrace_deinit(&bt);
	return found;
}

static void collect_one(struct diag_ctx *ctx, struct diag_cpu *c, unsigned cpu)
{
	struct cor_cpu_state st;
	memset(&st, 0, sizeof(st));
	c->cpu = (int)cpu;
	c->pid = -1;
	struct cor_error *err = cor_program_cpu_state(ctx->prog, cpu, &st);
	if (err) {
		cor_error_destroy(err);
		st.source = COR_CPU_SRC_NONE;
	}
	c->crashing = st.crashing;
	c->task = st.task;
	c->idle_task = st.task && st.task == st.idle_task;
	const struct log_report *r = log_block_for(&ctx->ls, (int)cpu);
	uint64_t log_rip = 0;
	bool have_log = r && log_rip_addr(ctx, r->regs.rip_sym, &log_rip);
	bool have_note = st.source != COR_CPU_SRC_NONE;
	/* A CPU stopped by the crash NMI saved its interrupted context in its note. The
	 * crashing CPU saved panic()'s registers: its interrupted context is the exception
	 * frame on its stack, or the register block the kernel printed. */
	if (have_note && !st.crashing) {
		regs_from_note(c, &st);
		c->source = cor_cpu_source_name(st.source);
		from_backtrace(ctx, c, cpu, false);
	} else if (have_log) {
		c->rip = log_rip;
		regs_from_log(c, &r->regs);
		c->source = st.crashing ? "the panic report in the log" : "the kernel log";
		from_backtrace(ctx, c, cpu, false);
	} else if (!from_backtrace(ctx, c, cpu, true) && have_note) {
		regs_from_note(c, &st);
		c->source = cor_cpu_source_name(st.source);
	}
	if (c->num_frames == 0 && r)
		frames_from_log(c, r);
	c->known = c->has_regs;
	c->kernel_mode = c->has_regs && c->rip >= 0xffff800000000000ull;
	if (c->has_regs)
		resolve_func(ctx, c);
	read_task(ctx, c);
	if (!c->comm[0] && r) {
		snprintf(c->comm, sizeof(c->comm), "%s", r->comm);
		c->pid = r->pid;
	}
}

void diag_collect_cpus(struct diag_ctx *ctx)
{
	unsigned n = 0;
	struct cor_error *err = cor_program_num_cpus(ctx->prog, &n);
	if (err) {
		cor_error_destroy(err);
		n = ctx->si.cpus;
	}
	if (n > DIAG_MAX_CPUS)
		n = DIAG_MAX_CPUS;
	ctx->num_cpus = (int)n;
	for (unsigned i = 0; i < n; i++)
		collect_one(ctx, &ctx->cpus[i], i);
}
