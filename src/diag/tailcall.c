// SPDX-License-Identifier: MIT
// Recovering a frame a tail call removed. When G ends with "jmp F" (a tail call),
// F returns straight to G's caller C: the stack shows C -> F and G is gone. If the
// call in C before the return address does not target F (an indirect call, or
// another function), G is missing; its address is usually still around: in C's
// frame, or in a structure C's frame points to (a function-pointer table). Every
// such candidate that contains a direct jmp to F is the missing frame.
#include <string.h>

#include "coroner/disasm.h"
#include "coroner/program.h"
#include "coroner/symbols.h"
#include "diag/internal.h"

#define MAX_CANDIDATES 32
#define SCAN_WORDS     96
#define DEREF_WORDS    8

/* True if the instruction ending at @p ret_addr is a direct call to @p target. */
static bool direct_call_to(struct diag_ctx *ctx, struct cor_disasm *d, uint64_t ret_addr,
			   uint64_t target)
{
	uint8_t code[5];
	struct cor_insn in;
	struct cor_error *err = cor_program_read(ctx->prog, ret_addr - 5, code, 5);
	if (!err)
		err = cor_disasm_decode(d, code, 5, ret_addr - 5, &in);
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	return (in.flags & COR_INSN_CALL) && in.has_target && in.target == target;
}

/* True if function @p fn (at its start) contains a direct jmp to @p target. */
static bool tail_calls(struct diag_ctx *ctx, struct cor_disasm *d, uint64_t fn, uint64_t target)
{
	struct cor_disasm_func f;
	struct cor_error *err = cor_disasm_function(d, ctx->prog, fn, &f);
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	bool found = false;
	for (size_t i = 0; i < f.insns.len && !found; i++) {
		const struct cor_insn *in = cor_vec_at(&f.insns, i);
		found = (in->flags & COR_INSN_JUMP) && !(in->flags & COR_INSN_COND) &&
			in->has_target && in->target == target;
	}
	cor_disasm_func_deinit(&f);
	return found;
}

static void add_candidate(struct diag_ctx *ctx, uint64_t v, uint64_t *cand, int *n)
{
	struct cor_symbol sym;
	uint64_t off;
	if (v < 0xffff800000000000ull || *n >= MAX_CANDIDATES)
		return;
	struct cor_error *err = cor_program_symbol_by_addr(ctx->prog, v, &sym, &off);
	if (err) {
		cor_error_destroy(err);
		return;
	}
	if (off != 0 || (sym.type != 'T' && sym.type != 't'))
		return;
	for (int i = 0; i < *n; i++)
		if (cand[i] == v)
			return;
	cand[(*n)++] = v;
}

bool diag_recover_tail_call(struct diag_ctx *ctx, uint64_t caller_ret, uint64_t callee,
			    uint64_t sp_lo, uint64_t sp_hi, char *name, size_t size)
{
	struct cor_disasm *d;
	if (cor_disasm_create(&d))
		return false;
	bool found = false;
	if (direct_call_to(ctx, d, caller_ret, callee)) {
		cor_disasm_destroy(d);
		return false; /* the caller called the callee itself: nothing is missing */
	}
	uint64_t cand[MAX_CANDIDATES];
	int n = 0;
	for (uint64_t a = sp_lo; a < sp_hi && a < sp_lo + 8 * SCAN_WORDS; a += 8) {
		uint64_t w, words[DEREF_WORDS];
		struct cor_error *err = cor_program_read_u64(ctx->prog, a, &w);
		if (err) {
			cor_error_destroy(err);
			break;
		}
		add_candidate(ctx, w, cand, &n);
		/* one level of indirection: a table entry {name, func, ...} */
		if (w >= 0xffff800000000000ull &&
		    !(err = cor_program_read(ctx->prog, w, words, sizeof(words))))
			for (int k = 0; k < DEREF_WORDS; k++)
				add_candidate(ctx, words[k], cand, &n);
		cor_error_destroy(err);
	}
	for (int i = 0; i < n && !found; i++) {
		if (!tail_calls(ctx, d, cand[i], callee))
			continue;
		struct cor_symbol sym;
		uint64_t off;
		struct cor_error *err = cor_program_symbol_by_addr(ctx->prog, cand[i], &sym, &off);
		if (!err) {
			snprintf(name, size, "%s", sym.name);
			found = true;
		}
		cor_error_destroy(err);
	}
	cor_disasm_destroy(d);
	return found;
}
