// SPDX-License-Identifier: MIT
// What a loop does: the memory it reads, the registers it steps, and for
// each exit the flag-setting instruction (cmp/test/...) that decides it,
// with each operand traced back inside the loop to a constant, a load, an
// induction register or a loop-invariant register. The kind comes from that
// structure alone (no table of function names).
#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coroner/cfg.h"

/* Bound on instructions walked back when tracing one register. */
#define MAX_TRACE 256

/*
 * Registers a call may change (System V AMD64 ABI caller-saved, which the
 * kernel follows: arch/x86/entry/calling.h), plus the flags.
 */
#define CALL_CLOBBERS                                                                              \
	(COR_REG_BIT(COR_REG_RAX) | COR_REG_BIT(COR_REG_RCX) | COR_REG_BIT(COR_REG_RDX) |          \
	 COR_REG_BIT(COR_REG_RSI) | COR_REG_BIT(COR_REG_RDI) | COR_REG_BIT(COR_REG_R8) |           \
	 COR_REG_BIT(COR_REG_R9) | COR_REG_BIT(COR_REG_R10) | COR_REG_BIT(COR_REG_R11) |           \
	 COR_REG_BIT(COR_REG_FLAGS))

const char *cor_loop_kind_name(enum cor_loop_kind kind)
{
	static const char *const names[] = {"generic", "endless", "poll", "seqcount", "counted"};
	return (unsigned)kind < COR_ARRAY_SIZE(names) ? names[kind] : "?";
}

static uint32_t written_by(const struct cor_insn *in)
{
	return in->regs_written | ((in->flags & COR_INSN_CALL) ? CALL_CLOBBERS : 0);
}

/* The loaded register of a plain load "mov/movzx/movsx MEM,REG", else COR_REG_NONE. */
static enum cor_reg load_dest(const struct cor_insn *in)
{
	switch (in->id) {
	case X86_INS_MOV:
	case X86_INS_MOVZX:
	case X86_INS_MOVSX:
	case X86_INS_MOVSXD:
		break;
	default:
		return COR_REG_NONE;
	}
	if (in->num_ops == 2 && in->ops[0].kind == COR_OP_MEM && in->ops[1].kind == COR_OP_REG)
		return in->ops[1].reg;
	return COR_REG_NONE;
}

struct walk {
	const struct cor_cfg *cfg;
	size_t loop;
	struct cor_loop_summary *s;
	uint32_t loop_written;
};

static void add_load(struct walk *w, const struct cor_insn *in, const struct cor_insn_operand *o)
{
	struct cor_loop_summary *s = w->s;
	if (s->num_loads == COR_LOOP_MAX_LOADS) {
		s->truncated = true;
		return;
	}
	struct cor_loop_load *l = &s->loads[s->num_loads++];
	memset(l, 0, sizeof(*l));
	l->insn_addr = in->addr;
	l->mem = o->mem;
	l->size = o->size;
	l->dest = load_dest(in);
	l->invariant =
	    o->mem.has_addr ||
	    ((o->mem.base == COR_REG_NONE || !(w->loop_written & COR_REG_BIT(o->mem.base))) &&
	     (o->mem.index == COR_REG_NONE || !(w->loop_written & COR_REG_BIT(o->mem.index))));
}

static size_t load_index(const struct cor_loop_summary *s, uint64_t insn_addr)
{
	for (size_t i = 0; i < s->num_loads; i++)
		if (s->loads[i].insn_addr == insn_addr)
			return i;
	return COR_CFG_NONE;
}

/* Facts of one instruction inside the loop. */
static void scan_insn(struct walk *w, const struct cor_insn *in)
{
	struct cor_loop_summary *s = w->s;
	if (in->flags & COR_INSN_PAUSE)
		s->has_pause = true;
	if (in->flags & COR_INSN_HLT)
		s->has_hlt = true;
	if (in->flags & COR_INSN_LOCK)
		s->num_locked++;
	if (in->flags & COR_INSN_CALL) {
		if (s->num_calls < COR_LOOP_MAX_CALLS)
			s->calls[s->num_calls++] = in->has_target ? in->target : 0;
		else
			s->truncated = true;
	}
	if (in->id == X86_INS_LEA || (in->flags & (COR_INSN_NOP | COR_INSN_JUMP | COR_INSN_CALL)))
		return;
	for (unsigned k = 0; k < in->num_ops; k++) {
		const struct cor_insn_operand *o = &in->ops[k];
		if (o->kind != COR_OP_MEM)
			continue;
		if (o->read)
			add_load(w, in, o);
		if (o->written && in->id != X86_INS_PUSH)
			s->num_stores++;
	}
}

/* A register's only write in the loop is "add/sub $imm" or "inc/dec": its step. */
static void find_inductions(struct walk *w, const struct cor_insn **all, size_t n)
{
	for (int r = COR_REG_RAX; r <= COR_REG_R15; r++) {
		const struct cor_insn *writer = NULL;
		size_t writers = 0;
		for (size_t i = 0; i < n; i++)
			if (written_by(all[i]) & COR_REG_BIT(r)) {
				writer = all[i];
				writers++;
			}
		if (writers != 1 || (writer->flags & COR_INSN_CALL) || writer->num_ops == 0)
			continue;
		int64_t step;
		const struct cor_insn_operand *dst = &writer->ops[writer->num_ops - 1];
		if (dst->kind != COR_OP_REG || dst->reg != (enum cor_reg)r)
			continue;
		if ((writer->id == X86_INS_ADD || writer->id == X86_INS_SUB) &&
		    writer->num_ops == 2 && writer->ops[0].kind == COR_OP_IMM)
			step = writer->id == X86_INS_ADD ? writer->ops[0].imm : -writer->ops[0].imm;
		else if (writer->id == X86_INS_INC || writer->id == X86_INS_DEC)
			step = writer->id == X86_INS_INC ? 1 : -1;
		else
			continue;
		if (w->s->num_inductions == COR_LOOP_MAX_INDUCTIONS) {
			w->s->truncated = true;
			return;
		}
		struct cor_loop_induction *ind = &w->s->inductions[w->s->num_inductions++];
		ind->reg = (enum cor_reg)r;
		ind->step = step;
		ind->insn_addr = writer->addr;
	}
}

static const struct cor_loop_induction *induction_of(const struct cor_loop_summary *s,
						     enum cor_reg r)
{
	for (size_t i = 0; i < s->num_inductions; i++)
		if (s->inductions[i].reg == r)
			return &s->inductions[i];
	return NULL;
}

/*
 * Steps back from instruction @p i of block @p b to the previous instruction
 * inside the loop: within the block, then into the block's only predecessor
 * inside the loop. Returns false at the loop's header or a merge point.
 */
static bool step_back(const struct walk *w, size_t *b, size_t *i)
{
	const struct cor_cfg *cfg = w->cfg;
	const struct cor_cfg_block *blk = &cfg->blocks[*b];
	if (*i > blk->first) {
		(*i)--;
		return true;
	}
	if (*b == cfg->loops[w->loop].header)
		return false;
	size_t pred = COR_CFG_NONE;
	for (size_t k = 0; k < blk->num_preds; k++) {
		size_t p = cfg->edges[cfg->preds[blk->first_pred + k]].from;
		if (!cor_cfg_loop_contains(cfg, w->loop, p))
			continue;
		if (pred != COR_CFG_NONE && pred != p)
			return false;
		pred = p;
	}
	if (pred == COR_CFG_NONE)
		return false;
	*b = pred;
	*i = cfg->blocks[pred].first + cfg->blocks[pred].count - 1;
	return true;
}

/* An ALU op "OP $imm,%R" that keeps R derived from its previous value (and, shr, add...). */
static bool derives_in_place(const struct cor_insn *in, enum cor_reg r)
{
	switch (in->id) {
	case X86_INS_AND:
	case X86_INS_OR:
	case X86_INS_XOR:
	case X86_INS_SHR:
	case X86_INS_SHL:
	case X86_INS_SAR:
	case X86_INS_ADD:
	case X86_INS_SUB:
		break;
	default:
		return false;
	}
	if (in->num_ops == 0)
		return false;
	const struct cor_insn_operand *d = &in->ops[in->num_ops - 1];
	return d->kind == COR_OP_REG && d->reg == r &&
	       (in->num_ops == 1 || in->ops[0].kind == COR_OP_IMM);
}

/* Traces register @p r, read at instruction @p i of block @p b, back to what it holds. */
static void trace_reg(const struct walk *w, size_t b, size_t i, enum cor_reg r,
		      struct cor_loop_value *v)
{
	const struct cor_cfg *cfg = w->cfg;
	for (unsigned n = 0; n < MAX_TRACE && step_back(w, &b, &i); n++) {
		const struct cor_insn *in = &cfg->insns[i];
		if (!(written_by(in) & COR_REG_BIT(r)))
			continue;
		if (load_dest(in) == r) {
			v->kind = COR_VAL_LOAD;
			v->load = load_index(w->s, in->addr);
			if (v->load == COR_CFG_NONE)
				v->kind = COR_VAL_COMPUTED;
			return;
		}
		if (in->id == X86_INS_MOV && in->num_ops == 2 && in->ops[0].kind == COR_OP_REG &&
		    in->ops[1].kind == COR_OP_REG && in->ops[1].reg == r) {
			r = in->ops[0].reg; /* a copy: follow the source */
			continue;
		}
		if (derives_in_place(in, r))
			continue;
		if ((in->flags & COR_INSN_CALL) && r == COR_REG_RAX) {
			v->kind = COR_VAL_CALL_RESULT;
			v->call_target = in->has_target ? in->target : 0;
			return;
		}
		break;
	}
	const struct cor_loop_induction *ind = induction_of(w->s, r);
	if (ind) {
		v->kind = COR_VAL_INDUCTION;
		v->step = ind->step;
	} else {
		v->kind =
		    (w->loop_written & COR_REG_BIT(r)) ? COR_VAL_COMPUTED : COR_VAL_INVARIANT_REG;
	}
}

static void operand_value(const struct walk *w, size_t b, size_t i,
			  const struct cor_insn_operand *o, struct cor_loop_value *v)
{
	const struct cor_insn *setter = &w->cfg->insns[i];
	memset(v, 0, sizeof(*v));
	v->size = o->size;
	v->load = COR_CFG_NONE;
	switch (o->kind) {
	case COR_OP_IMM:
		v->kind = COR_VAL_IMM;
		v->imm = o->imm;
		break;
	case COR_OP_MEM:
		v->load = load_index(w->s, setter->addr);
		v->kind = v->load == COR_CFG_NONE ? COR_VAL_UNKNOWN : COR_VAL_LOAD;
		break;
	case COR_OP_REG:
		v->reg = o->reg;
		snprintf(v->reg_name, sizeof(v->reg_name), "%s", o->reg_name);
		trace_reg(w, b, i, o->reg, v);
		break;
	}
	if (v->kind == COR_VAL_LOAD && v->load != COR_CFG_NONE)
		w->s->loads[v->load].decides_exit = true;
}

/* The flag setter of the jcc ending block @p b, and its operands. */
static void exit_setter(const struct walk *w, size_t b, struct cor_loop_exit *x)
{
	const struct cor_cfg *cfg = w->cfg;
	size_t i = cfg->blocks[b].first + cfg->blocks[b].count - 1;
	for (unsigned n = 0; n < MAX_TRACE && step_back(w, &b, &i); n++) {
		const struct cor_insn *in = &cfg->insns[i];
		if (!(written_by(in) & COR_REG_BIT(COR_REG_FLAGS)))
			continue;
		if (in->flags & COR_INSN_CALL)
			return;
		x->has_setter = true;
		x->setter = *in;
		if (in->num_ops == 0)
			return;
		if (in->id == X86_INS_CMP || in->id == X86_INS_TEST) {
			x->test = in->id == X86_INS_CMP ? COR_TEST_CMP : COR_TEST_TEST;
			operand_value(w, b, i, &in->ops[in->num_ops - 1], &x->lhs);
			if (in->num_ops > 1)
				operand_value(w, b, i, &in->ops[0], &x->rhs);
		} else {
			x->test = COR_TEST_RESULT;
			operand_value(w, b, i, &in->ops[in->num_ops - 1], &x->lhs);
		}
		return;
	}
}

static void describe_exits(struct walk *w)
{
	const struct cor_cfg *cfg = w->cfg;
	const struct cor_cfg_loop *l = &cfg->loops[w->loop];
	for (size_t k = 0; k < l->num_exits; k++) {
		if (w->s->num_exits == COR_LOOP_MAX_EXITS) {
			w->s->truncated = true;
			return;
		}
		const struct cor_cfg_edge *e = &cfg->edges[l->exits[k]];
		const struct cor_cfg_block *b = &cfg->blocks[e->from];
		const struct cor_insn *last = &cfg->insns[b->first + b->count - 1];
		struct cor_loop_exit *x = &w->s->exits[w->s->num_exits++];
		memset(x, 0, sizeof(*x));
		x->edge = l->exits[k];
		x->branch_addr = last->addr;
		snprintf(x->branch_mnemonic, sizeof(x->branch_mnemonic), "%s", last->mnemonic);
		x->target = e->target;
		x->leaves_function = e->to == COR_CFG_NONE;
		x->exit_cond = COR_COND_NONE;
		if (e->kind == COR_EDGE_TAKEN || e->kind == COR_EDGE_NOT_TAKEN) {
			x->conditional = true;
			x->exit_cond =
			    e->kind == COR_EDGE_TAKEN ? last->cond : cor_cond_negate(last->cond);
			if (last->cond <= COR_COND_G)
				exit_setter(w, e->from, x);
		}
	}
}

static bool same_mem(const struct cor_insn_mem *a, const struct cor_insn_mem *b)
{
	if (a->has_addr || b->has_addr)
		return a->has_addr && b->has_addr && a->addr == b->addr && a->seg == b->seg;
	return a->base == b->base && a->index == b->index && a->disp == b->disp &&
	       a->scale == b->scale && a->seg == b->seg;
}

/*
 * Sequence-count shapes (include/linux/seqlock.h, Linux 3.x..6.x): a wait
 * while (load & 1) != 0 (__read_seqcount_begin), and a retry while a re-read
 * differs from the first read (read_seqcount_retry). The wait alone is any
 * bit-0 wait (csd_lock_wait() has one); it is a seqcount read only when this
 * loop or an enclosing one retries on the same word.
 */
static size_t seq_odd_load(const struct cor_loop_exit *x)
{
	const struct cor_loop_value *a = &x->lhs, *b = &x->rhs;
	if (x->test != COR_TEST_TEST || x->exit_cond != COR_COND_E)
		return COR_CFG_NONE;
	if (b->kind == COR_VAL_LOAD)
		a = &x->rhs, b = &x->lhs;
	return a->kind == COR_VAL_LOAD && b->kind == COR_VAL_IMM && b->imm == 1 ? a->load
										: COR_CFG_NONE;
}

/* The load index of a retry exit's first read, or COR_CFG_NONE. */
static size_t seq_retry_load(const struct cor_loop_summary *s, const struct cor_loop_exit *x)
{
	const struct cor_loop_value *a = &x->lhs, *b = &x->rhs;
	if (x->test == COR_TEST_CMP && x->exit_cond == COR_COND_E && a->kind == COR_VAL_LOAD &&
	    b->kind == COR_VAL_LOAD && a->load != b->load &&
	    same_mem(&s->loads[a->load].mem, &s->loads[b->load].mem))
		return a->load;
	return COR_CFG_NONE;
}

static bool retries_on(const struct cor_loop_summary *s, const struct cor_insn_mem *m)
{
	for (size_t i = 0; i < s->num_exits; i++) {
		size_t l = seq_retry_load(s, &s->exits[i]);
		if (l != COR_CFG_NONE && same_mem(&s->loads[l].mem, m))
			return true;
	}
	return false;
}

static bool fixed_load(const struct cor_loop_summary *s, const struct cor_loop_value *v)
{
	return v->kind == COR_VAL_LOAD && v->load < s->num_loads && s->loads[v->load].invariant;
}

/*
 * An exit decided by memory alone: a load from the same address on every
 * iteration, against a constant, an invariant register or another such
 * load. A load whose address moves (a list walk: mov (%rax),%rax) is not a
 * poll.
 */
static bool poll_exit(const struct cor_loop_summary *s, const struct cor_loop_exit *x)
{
	const struct cor_loop_value *a = &x->lhs, *b = &x->rhs;
	if (!fixed_load(s, a)) {
		const struct cor_loop_value *t = a;
		a = b;
		b = t;
	}
	if (!fixed_load(s, a))
		return false;
	if (x->test == COR_TEST_RESULT || (x->test == COR_TEST_TEST && a->load == b->load))
		return true;
	return fixed_load(s, b) || b->kind == COR_VAL_IMM || b->kind == COR_VAL_INVARIANT_REG;
}

static enum cor_loop_kind classify(struct cor_loop_summary *s, size_t *odd_load)
{
	bool poll = false, counted = false;
	*odd_load = COR_CFG_NONE;
	if (s->num_exits == 0)
		return COR_LOOP_ENDLESS;
	for (size_t i = 0; i < s->num_exits; i++) {
		size_t odd = seq_odd_load(&s->exits[i]);
		if (odd != COR_CFG_NONE) {
			s->seq_waits_odd = true;
			*odd_load = odd;
		}
		s->seq_retries |= seq_retry_load(s, &s->exits[i]) != COR_CFG_NONE;
	}
	if (s->seq_retries)
		return COR_LOOP_SEQCOUNT;
	for (size_t i = 0; i < s->num_exits; i++) {
		const struct cor_loop_exit *x = &s->exits[i];
		enum cor_loop_value_kind a = x->lhs.kind, b = x->rhs.kind;
		poll |= poll_exit(s, x);
		/* An induction register against a bound the loop does not change. */
		counted |=
		    (a == COR_VAL_INDUCTION &&
		     (b == COR_VAL_IMM || b == COR_VAL_INVARIANT_REG || fixed_load(s, &x->rhs) ||
		      x->test != COR_TEST_CMP)) ||
		    (b == COR_VAL_INDUCTION &&
		     (a == COR_VAL_IMM || a == COR_VAL_INVARIANT_REG || fixed_load(s, &x->lhs)));
	}
	return poll ? COR_LOOP_POLL : counted ? COR_LOOP_COUNTED : COR_LOOP_GENERIC;
}

static struct cor_error *summarize_one(const struct cor_cfg *cfg, size_t loop,
				       struct cor_loop_summary *s, size_t *odd_load)
{
	const struct cor_cfg_loop *l = &cfg->loops[loop];
	memset(s, 0, sizeof(*s));
	s->loop = loop;
	s->seq_retry_loop = COR_CFG_NONE;
	s->header = cfg->blocks[l->header].start;
	s->lo = l->lo;
	s->hi = l->hi;
	s->num_insns = l->num_insns;
	s->num_blocks = l->num_blocks;
	s->depth = l->depth;
	s->irreducible = l->irreducible;
	const struct cor_insn **all = malloc((l->num_insns ? l->num_insns : 1) * sizeof(*all));
	if (!all)
		return &cor_enomem;
	struct walk w = {.cfg = cfg, .loop = loop, .s = s};
	size_t n = 0;
	for (size_t k = 0; k < l->num_blocks; k++) {
		const struct cor_cfg_block *b = &cfg->blocks[l->blocks[k]];
		for (size_t i = b->first; i < b->first + b->count; i++) {
			all[n++] = &cfg->insns[i];
			s->last_insn = COR_MAX(s->last_insn, cfg->insns[i].addr);
			w.loop_written |= written_by(&cfg->insns[i]);
		}
	}
	for (size_t i = 0; i < n; i++)
		scan_insn(&w, all[i]);
	find_inductions(&w, all, n);
	free(all);
	describe_exits(&w);
	s->kind = classify(s, odd_load);
	if (s->seq_retries)
		s->seq_retry_loop = loop;
	return NULL;
}

struct cor_error *cor_loop_summarize(const struct cor_cfg *cfg, size_t loop,
				     struct cor_loop_summary *ret)
{
	if (loop >= cfg->num_loops)
		return cor_error_create(COR_ERR_INVALID, "no loop %zu (the graph has %zu)", loop,
					cfg->num_loops);
	struct cor_loop_summary *s = malloc(2 * sizeof(*s)), *anc = s + 1;
	size_t odd, unused;
	if (!s)
		return &cor_enomem;
	struct cor_error *err = summarize_one(cfg, loop, s, &odd);
	/* A bit-0 wait is a seqcount read when an enclosing loop retries on the same word. */
	size_t p = cfg->loops[loop].parent;
	for (unsigned guard = 0; !err && odd != COR_CFG_NONE && !s->seq_retries &&
				 p != COR_CFG_NONE && guard < COR_CFG_MAX_LOOPS;
	     guard++, p = cfg->loops[p].parent) {
		err = summarize_one(cfg, p, anc, &unused);
		if (!err && retries_on(anc, &s->loads[odd].mem)) {
			s->kind = COR_LOOP_SEQCOUNT;
			s->seq_retry_loop = p;
			break;
		}
	}
	if (!err)
		*ret = *s;
	free(s);
	return err;
}
