// SPDX-License-Identifier: MIT
// Spin-loop analysis: from a CPU's RIP, the control-flow graph of its function
// (src/disasm/cfg.c), the innermost loop containing RIP, the memory the loop
// polls (its address from the instruction and the CPU's saved registers), the
// exit conditions evaluated with the current memory and register values, and the
// kind of loop: endless, polling, sequence-count read, queued spinlock wait,
// subtract-and-count division. Nothing here knows a function by name except the
// kernel's spinlock primitives' naming convention (*spin_lock*).
#include <stdio.h>
#include <string.h>

#include "coroner/cfg.h"
#include "coroner/cpus.h"
#include "coroner/disasm.h"
#include "coroner/program.h"
#include "diag/internal.h"

struct flags {
	bool zf, sf, cf, of, pf;
};

static uint64_t size_mask(unsigned size)
{
	return size >= 8 || size == 0 ? ~0ull : (1ull << (8 * size)) - 1;
}

static uint64_t reg_value(const struct diag_cpu *c, enum cor_reg r)
{
	if (r >= COR_REG_RAX && r <= COR_REG_R15)
		return c->gpr[r - COR_REG_RAX];
	if (r == COR_REG_RIP)
		return c->rip;
	return 0;
}

/* Address of a memory operand on this CPU, if it can be known. */
static bool mem_addr(struct diag_ctx *ctx, const struct diag_cpu *c, const struct cor_insn_mem *m,
		     bool invariant, uint64_t *addr)
{
	uint64_t a;
	if (m->has_addr)
		a = m->addr;
	else if (invariant && m->base != COR_REG_NONE && m->base != COR_REG_RIP)
		a = reg_value(c, m->base) + (uint64_t)m->disp +
		    (m->index != COR_REG_NONE ? reg_value(c, m->index) * m->scale : 0);
	else
		return false;
	if (m->seg == COR_SEG_GS) { /* per-cpu: %gs base is __per_cpu_offset[cpu] */
		uint64_t off;
		struct cor_error *err =
		    cor_program_per_cpu_offset(ctx->prog, (unsigned)c->cpu, &off);
		if (err) {
			cor_error_destroy(err);
			return false;
		}
		a += off;
	} else if (m->seg != COR_SEG_NONE) {
		return false;
	}
	*addr = a;
	return true;
}

static bool read_value(struct diag_ctx *ctx, uint64_t addr, unsigned size, uint64_t *v)
{
	uint8_t b[8] = {0};
	if (size == 0 || size > 8)
		size = 8;
	struct cor_error *err = cor_program_read(ctx->prog, addr, b, size);
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	*v = cor_le64(b) & size_mask(size);
	return true;
}

static bool value_of(struct diag_ctx *ctx, const struct diag_cpu *c,
		     const struct cor_loop_summary *sum, const struct cor_loop_value *v,
		     uint64_t *out)
{
	switch (v->kind) {
	case COR_VAL_IMM:
		*out = (uint64_t)v->imm;
		return true;
	case COR_VAL_INVARIANT_REG:
	case COR_VAL_INDUCTION:
		*out = reg_value(c, v->reg);
		return true;
	case COR_VAL_LOAD: {
		const struct cor_loop_load *l = &sum->loads[v->load];
		uint64_t a;
		return mem_addr(ctx, c, &l->mem, l->invariant, &a) &&
		       read_value(ctx, a, l->size, out);
	}
	default:
		return false;
	}
}

static bool eval_cond(enum cor_cond cc, struct flags f)
{
	switch (cc) {
	case COR_COND_O:
		return f.of;
	case COR_COND_NO:
		return !f.of;
	case COR_COND_B:
		return f.cf;
	case COR_COND_AE:
		return !f.cf;
	case COR_COND_E:
		return f.zf;
	case COR_COND_NE:
		return !f.zf;
	case COR_COND_BE:
		return f.cf || f.zf;
	case COR_COND_A:
		return !f.cf && !f.zf;
	case COR_COND_S:
		return f.sf;
	case COR_COND_NS:
		return !f.sf;
	case COR_COND_P:
		return f.pf;
	case COR_COND_NP:
		return !f.pf;
	case COR_COND_L:
		return f.sf != f.of;
	case COR_COND_GE:
		return f.sf == f.of;
	case COR_COND_LE:
		return f.zf || f.sf != f.of;
	case COR_COND_G:
		return !f.zf && f.sf == f.of;
	default:
		return false;
	}
}

/* Evaluates whether exit @p e is taken with the current values; false if unknown. */
static bool eval_exit(struct diag_ctx *ctx, const struct diag_cpu *c,
		      const struct cor_loop_summary *sum, const struct cor_loop_exit *e,
		      bool *taken)
{
	uint64_t a, b;
	if (!e->conditional || !e->has_setter ||
	    (e->test != COR_TEST_CMP && e->test != COR_TEST_TEST) ||
	    !value_of(ctx, c, sum, &e->lhs, &a) || !value_of(ctx, c, sum, &e->rhs, &b))
		return false;
	unsigned size = e->lhs.size ? e->lhs.size : 8;
	uint64_t m = size_mask(size), sign = 1ull << (8 * size - 1);
	a &= m;
	b &= m;
	uint64_t r = (e->test == COR_TEST_TEST ? a & b : a - b) & m;
	struct flags f = {
	    .zf = r == 0, .sf = (r & sign) != 0, .pf = !(__builtin_popcountll(r & 0xff) & 1)};
	if (e->test == COR_TEST_CMP) {
		f.cf = a < b;
		f.of = ((a ^ b) & (a ^ r) & sign) != 0;
	}
	*taken = eval_cond(e->exit_cond, f);
	return true;
}

static void loop_text(struct diag_ctx *ctx, const struct diag_cpu *c, const struct cor_cfg *cfg,
		      const struct cor_loop_summary *sum, struct diag_spin *s)
{
	uint64_t last = sum->lo;
	for (size_t i = 0; i < cfg->num_insns; i++)
		if (cfg->insns[i].addr >= sum->lo && cfg->insns[i].addr < sum->hi)
			last = cfg->insns[i].addr;
	snprintf(s->loop_text, sizeof(s->loop_text), "%s+%llu..+%llu", c->func,
		 (unsigned long long)(sum->lo - c->func_addr),
		 (unsigned long long)(last - c->func_addr));
	s->loop_lo = sum->lo;
	s->loop_hi = sum->hi;
	for (size_t i = 0; i < cfg->num_insns && s->num_insns < 16; i++) {
		const struct cor_insn *in = &cfg->insns[i];
		if (in->addr < sum->lo || in->addr >= sum->hi)
			continue;
		struct cor_strbuf sb = {0};
		cor_disasm_format_line(in, cor_disasm_program_symbolize, ctx->prog, &sb);
		snprintf(s->insns[s->num_insns++], sizeof(s->insns[0]), "%s%s",
			 cor_strbuf_cstr(&sb), in->addr == c->rip ? "   <-- RIP" : "");
		cor_strbuf_deinit(&sb);
	}
}

/* The polled word: the load that decides an exit (else the first invariant load). */
static void polled(struct diag_ctx *ctx, const struct diag_cpu *c,
		   const struct cor_loop_summary *sum, struct diag_spin *s)
{
	const struct cor_loop_load *best = NULL;
	for (size_t i = 0; i < sum->num_loads; i++) {
		const struct cor_loop_load *l = &sum->loads[i];
		if (l->decides_exit && (!best || !best->decides_exit))
			best = l;
		else if (!best && l->invariant)
			best = l;
	}
	uint64_t a;
	if (!best || !mem_addr(ctx, c, &best->mem, best->invariant, &a))
		return;
	s->mem_addr = a;
	s->mem_size = best->size ? best->size : 8;
	s->mem_value_known = read_value(ctx, a, s->mem_size, &s->mem_value);
	diag_name_addr(ctx, a, s->mem_name, sizeof(s->mem_name));
	snprintf(s->mem_sym, sizeof(s->mem_sym), "%.*s", (int)strcspn(s->mem_name, ".+["),
		 s->mem_name);
}

static void exits(struct diag_ctx *ctx, const struct diag_cpu *c,
		  const struct cor_loop_summary *sum, struct diag_spin *s)
{
	size_t n = 0;
	bool all_known = sum->num_exits > 0, any = false;
	for (size_t i = 0; i < sum->num_exits; i++) {
		const struct cor_loop_exit *e = &sum->exits[i];
		struct cor_strbuf sb = {0};
		cor_loop_exit_describe(sum, e, &sb);
		if (n + 4 < sizeof(s->exit_text))
			n += (size_t)snprintf(s->exit_text + n, sizeof(s->exit_text) - n, "%s%s",
					      i ? " and " : "while ", cor_strbuf_cstr(&sb));
		cor_strbuf_deinit(&sb);
		bool taken;
		if (eval_exit(ctx, c, sum, e, &taken))
			any = any || taken;
		else
			all_known = false;
	}
	s->exit_known = all_known || any;
	s->can_exit = any;
}

/* A subtract-and-count division: an induction register stepped by -D, exiting when it
 * drops to D-1 or below (include/linux/math64.h __iter_div_u64_rem). */
static bool division(const struct diag_cpu *c, const struct cor_loop_summary *sum,
		     struct diag_spin *s)
{
	for (size_t i = 0; i < sum->num_exits; i++) {
		const struct cor_loop_exit *e = &sum->exits[i];
		if (!e->has_setter || e->test != COR_TEST_CMP || e->lhs.kind != COR_VAL_INDUCTION ||
		    e->rhs.kind != COR_VAL_IMM || e->lhs.step >= 0)
			continue;
		uint64_t step = (uint64_t)(-e->lhs.step), bound = (uint64_t)e->rhs.imm;
		if (bound + 1 != step && bound != step)
			continue;
		uint64_t r = reg_value(c, e->lhs.reg);
		s->kind = DIAG_SPIN_DIVISION;
		s->divisor = step;
		s->dividend = r;
		s->iterations = r > bound ? (r - bound + step - 1) / step : 0;
		snprintf(s->dividend_reg, sizeof(s->dividend_reg), "%s", cor_reg_name(e->lhs.reg));
		s->exit_known = true;
		s->can_exit = s->iterations == 0;
		return true;
	}
	return false;
}

static bool spinlock_code(const struct diag_cpu *c)
{
	if (strstr(c->func, "spin_lock"))
		return true;
	for (int i = 0; i < c->num_frames && i < 2; i++)
		if (strstr(c->frames[i], "spin_lock"))
			return true;
	return false;
}

/* A poll that stays while bit 0 of the word is set: read_seqcount_begin()'s wait
 * (include/linux/seqlock.h: an odd sequence means a writer is inside). */
static bool bit0_wait(const struct cor_loop_summary *sum)
{
	for (size_t i = 0; i < sum->num_exits; i++) {
		const struct cor_loop_exit *e = &sum->exits[i];
		bool lhs_load = e->lhs.kind == COR_VAL_LOAD, rhs_load = e->rhs.kind == COR_VAL_LOAD;
		const struct cor_loop_value *imm = lhs_load ? &e->rhs : &e->lhs;
		if (e->test == COR_TEST_TEST && (lhs_load || rhs_load) &&
		    imm->kind == COR_VAL_IMM && imm->imm == 1 && e->exit_cond == COR_COND_E)
			return true;
	}
	return false;
}

static void classify(struct diag_ctx *ctx, const struct diag_cpu *c,
		     const struct cor_loop_summary *sum, struct diag_spin *s)
{
	polled(ctx, c, sum, s);
	exits(ctx, c, sum, s);
	switch (sum->kind) {
	case COR_LOOP_ENDLESS:
		s->kind = DIAG_SPIN_ENDLESS;
		snprintf(s->exit_text, sizeof(s->exit_text), "forever: it has no exit edge");
		s->exit_known = true;
		s->can_exit = false;
		break;
	case COR_LOOP_SEQCOUNT:
		s->kind = DIAG_SPIN_SEQCOUNT;
		break;
	case COR_LOOP_POLL:
		s->kind = spinlock_code(c) ? DIAG_SPIN_QSPINLOCK
			  : bit0_wait(sum) ? DIAG_SPIN_SEQCOUNT
					   : DIAG_SPIN_POLL;
		break;
	case COR_LOOP_COUNTED:
		if (!division(c, sum, s))
			s->kind = DIAG_SPIN_OTHER;
		break;
	default:
		s->kind = s->mem_addr && spinlock_code(c) ? DIAG_SPIN_QSPINLOCK : DIAG_SPIN_OTHER;
		break;
	}
}

void diag_spin_analyze(struct diag_ctx *ctx, const struct diag_cpu *c, struct diag_spin *ret)
{
	memset(ret, 0, sizeof(*ret));
	struct cor_disasm *d;
	struct cor_cfg *cfg = NULL;
	if (cor_disasm_create(&d))
		return;
	struct cor_error *err = cor_cfg_build_function(d, ctx->prog, c->rip, &cfg);
	if (err) {
		cor_error_destroy(err);
		cor_disasm_destroy(d);
		return;
	}
	size_t loop = cor_cfg_innermost_loop(cfg, c->rip);
	struct cor_loop_summary sum;
	if (loop != COR_CFG_NONE && !cor_loop_summarize(cfg, loop, &sum)) {
		loop_text(ctx, c, cfg, &sum, ret);
		classify(ctx, c, &sum, ret);
	}
	cor_cfg_destroy(cfg);
	cor_disasm_destroy(d);
}
