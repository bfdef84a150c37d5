// SPDX-License-Identifier: MIT
// Loop summaries in words, for reports: where the loop is, what it reads,
// while which condition it stays, and what its shape suggests.
#include <inttypes.h>
#include <string.h>

#include "coroner/cfg.h"

/* Symbol names are at most KSYM_NAME_LEN (512, include/linux/kallsyms.h, Linux 6.1). */
#define NAME_LEN 512

static const char *const seg_prefix[] = {"", "%es:", "%cs:", "%ss:", "%ds:", "%fs:", "%gs:"};

static uint64_t mask(int64_t v, unsigned size)
{
	return size >= 8 || size == 0 ? (uint64_t)v : (uint64_t)v & ((1ull << (8 * size)) - 1);
}

static void mem_words(const struct cor_insn_mem *m, struct cor_strbuf *out)
{
	cor_strbuf_append(out, seg_prefix[m->seg <= COR_SEG_GS ? m->seg : 0]);
	if (m->has_addr) {
		cor_strbuf_appendf(out, "0x%" PRIx64, m->addr);
		return;
	}
	if (m->disp < 0)
		cor_strbuf_appendf(out, "-0x%" PRIx64, (uint64_t)0 - (uint64_t)m->disp);
	else if (m->disp)
		cor_strbuf_appendf(out, "0x%" PRIx64, (uint64_t)m->disp);
	cor_strbuf_append(out, "(");
	if (m->base != COR_REG_NONE)
		cor_strbuf_appendf(out, "%%%s", m->base_name);
	if (m->index != COR_REG_NONE)
		cor_strbuf_appendf(out, ",%%%s,%u", m->index_name, m->scale);
	cor_strbuf_append(out, ")");
}

static void value_words(const struct cor_loop_summary *s, const struct cor_loop_value *v,
			struct cor_strbuf *out)
{
	if (v->kind == COR_VAL_IMM) {
		cor_strbuf_appendf(out, "0x%" PRIx64, mask(v->imm, v->size));
	} else if (v->kind == COR_VAL_CALL_RESULT) {
		cor_strbuf_appendf(out, "%%%s (returned by ", v->reg_name);
		if (v->call_target)
			cor_strbuf_appendf(out, "the call to 0x%" PRIx64 ")", v->call_target);
		else
			cor_strbuf_append(out, "an indirect call)");
	} else if (v->reg_name[0]) {
		cor_strbuf_appendf(out, "%%%s", v->reg_name);
	} else if (v->kind == COR_VAL_LOAD && v->load < s->num_loads) {
		cor_strbuf_appendf(out, "*(u%u *)", 8 * s->loads[v->load].size);
		mem_words(&s->loads[v->load].mem, out);
	} else {
		cor_strbuf_append(out, "?");
	}
}

static bool same_value(const struct cor_loop_value *a, const struct cor_loop_value *b)
{
	return a->reg_name[0] && strcmp(a->reg_name, b->reg_name) == 0;
}

/* "==", "<" ... of a condition on "a - b", with its signedness; NULL for O/NO/P/NP. */
static const char *relation(enum cor_cond c, const char **sign)
{
	static const char *const rel[] = {
	    [COR_COND_E] = "==",  [COR_COND_NE] = "!=", [COR_COND_B] = "<", [COR_COND_AE] = ">=",
	    [COR_COND_BE] = "<=", [COR_COND_A] = ">",	[COR_COND_L] = "<", [COR_COND_GE] = ">=",
	    [COR_COND_LE] = "<=", [COR_COND_G] = ">"};
	*sign = "";
	if (c == COR_COND_B || c == COR_COND_AE || c == COR_COND_BE || c == COR_COND_A)
		*sign = " (unsigned)";
	else if (c == COR_COND_L || c == COR_COND_GE || c == COR_COND_LE || c == COR_COND_G)
		*sign = " (signed)";
	return c < COR_ARRAY_SIZE(rel) ? rel[c] : NULL;
}

void cor_loop_exit_describe(const struct cor_loop_summary *s, const struct cor_loop_exit *e,
			    struct cor_strbuf *out)
{
	enum cor_cond stay = cor_cond_negate(e->exit_cond);
	const char *sign, *rel = relation(stay, &sign);
	if (!e->conditional) {
		cor_strbuf_append(out, "never (an unconditional exit)");
		return;
	}
	if (!e->has_setter || e->test == COR_TEST_NONE || !rel) {
		cor_strbuf_appendf(out, "flags condition \"%s\" holds", cor_cond_name(stay));
		return;
	}
	if (e->test == COR_TEST_CMP) {
		value_words(s, &e->lhs, out);
		cor_strbuf_appendf(out, " %s ", rel);
		value_words(s, &e->rhs, out);
		cor_strbuf_append(out, sign);
		return;
	}
	/* test and other flag setters compare a result with 0 (CF = OF = 0 after test). */
	if (e->test == COR_TEST_TEST && !same_value(&e->lhs, &e->rhs)) {
		cor_strbuf_append(out, "(");
		value_words(s, &e->lhs, out);
		cor_strbuf_append(out, " & ");
		value_words(s, &e->rhs, out);
		cor_strbuf_append(out, ")");
	} else {
		value_words(s, &e->lhs, out);
		if (e->test == COR_TEST_RESULT)
			cor_strbuf_appendf(out, " (after %s)", e->setter.mnemonic);
	}
	cor_strbuf_appendf(out, " %s 0%s", rel, sign);
}

static void sym_words(cor_disasm_symbolize_fn sym, void *arg, uint64_t addr, struct cor_strbuf *out)
{
	char name[NAME_LEN];
	uint64_t off;
	cor_strbuf_appendf(out, "0x%" PRIx64, addr);
	if (sym && sym(arg, addr, name, sizeof(name), &off))
		cor_strbuf_appendf(out, off ? " <%s+0x%" PRIx64 ">" : " <%s>", name, off);
}

static void where_words(const struct cor_loop_summary *s, cor_disasm_symbolize_fn sym, void *arg,
			struct cor_strbuf *out)
{
	char name[NAME_LEN];
	uint64_t off;
	if (sym && sym(arg, s->lo, name, sizeof(name), &off))
		cor_strbuf_appendf(out, "%s+0x%" PRIx64 "..+0x%" PRIx64, name, off,
				   off + (s->last_insn - s->lo));
	else
		cor_strbuf_appendf(out, "0x%" PRIx64 "..0x%" PRIx64, s->lo, s->last_insn);
	cor_strbuf_appendf(out, " (%zu instructions", s->num_insns);
	if (s->has_pause)
		cor_strbuf_append(out, ", pause");
	if (s->num_locked)
		cor_strbuf_appendf(out, ", %zu locked", s->num_locked);
	for (size_t i = 0; i < s->num_calls; i++) {
		cor_strbuf_append(out, i ? ", " : ", calls ");
		if (s->calls[i])
			sym_words(sym, arg, s->calls[i], out);
		else
			cor_strbuf_append(out, "an indirect target");
	}
	cor_strbuf_append(out, ")");
}

/* Appends ": loads ..." for the loads that decide an exit; returns whether there were any. */
static bool load_words(const struct cor_loop_summary *s, cor_disasm_symbolize_fn sym, void *arg,
		       struct cor_strbuf *out)
{
	bool first = true;
	for (size_t i = 0; i < s->num_loads; i++) {
		const struct cor_loop_load *l = &s->loads[i];
		if (!l->decides_exit)
			continue;
		cor_strbuf_append(out, first ? ": loads " : ", ");
		first = false;
		if (l->mem.has_addr && l->mem.seg != COR_SEG_GS && l->mem.seg != COR_SEG_FS)
			sym_words(sym, arg, l->mem.addr, out);
		else
			mem_words(&l->mem, out);
		cor_strbuf_appendf(out, " (%u bytes", l->size);
		if (l->dest != COR_REG_NONE)
			cor_strbuf_appendf(out, " into %%%s", cor_reg_name(l->dest));
		if (!l->mem.has_addr)
			cor_strbuf_append(out, l->invariant ? ", same address every iteration"
							    : ", address changes in the loop");
		cor_strbuf_append(out, ")");
	}
	if (first)
		cor_strbuf_append(out, ":");
	return !first;
}

void cor_loop_describe(const struct cor_loop_summary *s, cor_disasm_symbolize_fn sym, void *arg,
		       struct cor_strbuf *out)
{
	cor_strbuf_append(out, "loop in ");
	where_words(s, sym, arg, out);
	bool loads = load_words(s, sym, arg, out);
	size_t nc = 0;
	for (size_t i = 0; i < s->num_exits; i++) {
		const struct cor_loop_exit *e = &s->exits[i];
		if (!e->conditional)
			continue;
		cor_strbuf_append(out, nc++    ? " and while "
				       : loads ? " and loops while "
					       : " loops while ");
		cor_loop_exit_describe(s, e, out);
		cor_strbuf_append(out, " (");
		if (e->has_setter)
			cor_strbuf_appendf(out, "%s %s; ", e->setter.mnemonic, e->setter.operands);
		cor_strbuf_appendf(out, "%s)", e->branch_mnemonic);
	}
	if (s->num_exits == 0)
		cor_strbuf_append(out, " has no exit");
	else if (nc == 0)
		cor_strbuf_append(out, " leaves only by an unconditional jump");
	switch (s->kind) {
	case COR_LOOP_ENDLESS:
		cor_strbuf_append(out, " -- an endless loop: only an interrupt, or a call that "
				       "does not return, leaves it");
		break;
	case COR_LOOP_SEQCOUNT:
		cor_strbuf_append(out, " -- a seqcount read loop");
		if (s->seq_waits_odd)
			cor_strbuf_append(out, ": it waits while the sequence is odd (a writer is "
					       "inside, or the count was left odd)");
		if (s->seq_retries)
			cor_strbuf_append(out, s->seq_waits_odd
						   ? ", and retries while the sequence "
						     "changed"
						   : ": it retries while the sequence changed");
		break;
	case COR_LOOP_POLL:
		cor_strbuf_append(out, " -- polls memory (a spin-wait)");
		if (s->seq_waits_odd)
			cor_strbuf_append(out, ": it waits while bit 0 of the word is set");
		break;
	case COR_LOOP_COUNTED:
		cor_strbuf_append(out, " -- a counted loop:");
		for (size_t i = 0; i < s->num_inductions; i++)
			cor_strbuf_appendf(out, "%s %%%s %s= 0x%" PRIx64 " per iteration",
					   i ? "," : "", cor_reg_name(s->inductions[i].reg),
					   s->inductions[i].step < 0 ? "-" : "+",
					   s->inductions[i].step < 0
					       ? (uint64_t)0 - (uint64_t)s->inductions[i].step
					       : (uint64_t)s->inductions[i].step);
		break;
	default:
		break;
	}
}
