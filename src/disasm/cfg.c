// SPDX-License-Identifier: MIT
// Control-flow graph of a function: blocks and edges from a linear sweep,
// dominators (Cooper, Harvey, Kennedy 2001, iterative over reverse
// postorder), natural loops from back edges, irreducible cycles from the
// strongly connected components that hold a retreating edge whose target
// does not dominate its source. Every walk is iterative and bounded.
#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "coroner/cfg.h"
#include "coroner/program.h"
#include "disasm/cfg_internal.h"

const char *cor_cfg_edge_kind_name(enum cor_cfg_edge_kind kind)
{
	static const char *const names[] = {"fallthrough", "taken", "not-taken", "jump",
					    "call-return"};
	return (unsigned)kind < COR_ARRAY_SIZE(names) ? names[kind] : "?";
}

size_t cor_cfg_insn_at(const struct cor_cfg *cfg, uint64_t addr)
{
	size_t lo = 0, hi = cfg->num_insns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cfg->insns[mid].addr == addr)
			return mid;
		if (cfg->insns[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return COR_CFG_NONE;
}

size_t cor_cfg_block_at(const struct cor_cfg *cfg, uint64_t addr)
{
	size_t lo = 0, hi = cfg->num_blocks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct cor_cfg_block *b = &cfg->blocks[mid];
		if (addr < b->start)
			hi = mid;
		else if (addr >= b->end)
			lo = mid + 1;
		else
			return mid;
	}
	return COR_CFG_NONE;
}

/* Whether an instruction ends its block. */
static bool ends_block(const struct cor_insn *in)
{
	return in->flags &
	       (COR_INSN_JUMP | COR_INSN_CALL | COR_INSN_RET | COR_INSN_TRAP | COR_INSN_INVALID);
}

static struct cor_error *find_leaders(struct cor_cfg *cfg, bool *leader)
{
	leader[0] = true;
	for (size_t i = 0; i < cfg->num_insns; i++) {
		const struct cor_insn *in = &cfg->insns[i];
		if (ends_block(in) && i + 1 < cfg->num_insns)
			leader[i + 1] = true;
		if (!(in->flags & COR_INSN_JUMP) || !in->has_target)
			continue;
		if (in->target < cfg->start || in->target >= cfg->end)
			continue;
		size_t j = cor_cfg_insn_at(cfg, in->target);
		if (j == COR_CFG_NONE)
			cfg->mid_insn_targets++;
		else
			leader[j] = true;
	}
	return NULL;
}

static size_t block_of_addr(const struct cor_cfg *cfg, const size_t *insn_block, uint64_t addr)
{
	if (addr < cfg->start || addr >= cfg->end)
		return COR_CFG_NONE;
	size_t j = cor_cfg_insn_at(cfg, addr);
	return j == COR_CFG_NONE ? COR_CFG_NONE : insn_block[j];
}

static void add_edge(struct cor_cfg *cfg, size_t from, size_t to, uint64_t target,
		     enum cor_cfg_edge_kind kind)
{
	struct cor_cfg_edge *e = &cfg->edges[cfg->num_edges++];
	e->from = from;
	e->to = to;
	e->target = target;
	e->kind = kind;
	e->back = false;
}

/* Outgoing edges of block @p b, from its last instruction. */
static void block_edges(struct cor_cfg *cfg, const size_t *insn_block, size_t b)
{
	struct cor_cfg_block *blk = &cfg->blocks[b];
	const struct cor_insn *last = &cfg->insns[blk->first + blk->count - 1];
	uint64_t next_addr = last->addr + last->len;
	size_t next = b + 1 < cfg->num_blocks ? b + 1 : COR_CFG_NONE;
	blk->first_edge = cfg->num_edges;
	if (last->flags & (COR_INSN_INVALID | COR_INSN_RET)) {
		/* no successor */
	} else if (last->flags & COR_INSN_TRAP) {
		/*
		 * ud2 is also WARN(): the #UD handler skips it and execution goes
		 * on (arch/x86/kernel/traps.c handle_bug(), Linux 5.8+). int3 is
		 * padding or a text_poke breakpoint: no successor.
		 */
		if (last->id == X86_INS_UD2 || last->id == X86_INS_UD2B)
			add_edge(cfg, b, next, next_addr, COR_EDGE_FALLTHROUGH);
	} else if (last->flags & COR_INSN_JUMP) {
		if (last->flags & COR_INSN_INDIRECT) {
			blk->indirect = true;
		} else if (last->flags & COR_INSN_COND) {
			if (last->has_target)
				add_edge(cfg, b, block_of_addr(cfg, insn_block, last->target),
					 last->target, COR_EDGE_TAKEN);
			add_edge(cfg, b, next, next_addr, COR_EDGE_NOT_TAKEN);
		} else if (last->has_target) {
			add_edge(cfg, b, block_of_addr(cfg, insn_block, last->target), last->target,
				 COR_EDGE_JUMP);
		}
	} else if (last->flags & COR_INSN_CALL) {
		add_edge(cfg, b, next, next_addr, COR_EDGE_CALL_RETURN);
	} else {
		add_edge(cfg, b, next, next_addr, COR_EDGE_FALLTHROUGH);
	}
	blk->num_edges = cfg->num_edges - blk->first_edge;
}

static struct cor_error *build_blocks(struct cor_cfg *cfg)
{
	size_t n = cfg->num_insns;
	bool *leader = calloc(n, sizeof(*leader));
	size_t *insn_block = calloc(n, sizeof(*insn_block));
	struct cor_error *err = &cor_enomem;
	if (!leader || !insn_block)
		goto out;
	find_leaders(cfg, leader);
	size_t nb = 0;
	for (size_t i = 0; i < n; i++)
		nb += leader[i];
	cfg->blocks = calloc(nb, sizeof(*cfg->blocks));
	cfg->edges = calloc(2 * nb, sizeof(*cfg->edges));
	cfg->preds = calloc(2 * nb, sizeof(*cfg->preds));
	if (!cfg->blocks || !cfg->edges || !cfg->preds)
		goto out;
	size_t b = COR_CFG_NONE;
	for (size_t i = 0; i < n; i++) {
		if (leader[i]) {
			b = b == COR_CFG_NONE ? 0 : b + 1;
			cfg->blocks[b].first = i;
			cfg->blocks[b].start = cfg->insns[i].addr;
			cfg->blocks[b].idom = COR_CFG_NONE;
			cfg->blocks[b].loop = COR_CFG_NONE;
		}
		cfg->blocks[b].count++;
		cfg->blocks[b].end = cfg->insns[i].addr + cfg->insns[i].len;
		insn_block[i] = b;
	}
	cfg->num_blocks = nb;
	for (b = 0; b < nb; b++)
		block_edges(cfg, insn_block, b);
	/* Predecessor lists: count, prefix sums, fill. */
	for (size_t e = 0; e < cfg->num_edges; e++)
		if (cfg->edges[e].to != COR_CFG_NONE)
			cfg->blocks[cfg->edges[e].to].num_preds++;
	size_t pos = 0;
	for (b = 0; b < nb; b++) {
		cfg->blocks[b].first_pred = pos;
		pos += cfg->blocks[b].num_preds;
		cfg->blocks[b].num_preds = 0;
	}
	for (size_t e = 0; e < cfg->num_edges; e++) {
		struct cor_cfg_block *to =
		    cfg->edges[e].to != COR_CFG_NONE ? &cfg->blocks[cfg->edges[e].to] : NULL;
		if (to)
			cfg->preds[to->first_pred + to->num_preds++] = e;
	}
	err = NULL;
out:
	free(leader);
	free(insn_block);
	return err;
}

/*
 * Depth-first search from the entry, then from each block not yet visited
 * (code reached only through an indirect jump, a patched static branch or a
 * jump into the middle of an instruction: a CPU can still be there). Gives
 * reachability from the entry, the DFS trees, reverse postorder (rpo[i] = block, rpo_num[block] =
 * i) and retreating edges (to a block on the DFS stack). Iterative: the stack
 * holds (block, next edge).
 */
static struct cor_error *dfs(struct cor_cfg *cfg, struct cfg_work *w)
{
	size_t nb = cfg->num_blocks, post = nb;
	size_t *stack = malloc(nb * sizeof(*stack)), *next = calloc(nb, sizeof(*next));
	uint8_t *state = calloc(nb, 1); /* 0 new, 1 on stack, 2 done */
	if (!stack || !next || !state) {
		free(stack);
		free(next);
		free(state);
		return &cor_enomem;
	}
	for (size_t root = 0; root < nb; root++) {
		if (state[root])
			continue;
		size_t sp = 0;
		stack[sp++] = root;
		state[root] = 1;
		w->is_root[root] = true;
		w->tree[root] = root;
		while (sp) {
			size_t b = stack[sp - 1];
			const struct cor_cfg_block *blk = &cfg->blocks[b];
			cfg->blocks[b].reachable = root == 0;
			if (next[b] < blk->num_edges) {
				size_t e = blk->first_edge + next[b]++;
				size_t to = cfg->edges[e].to;
				if (to == COR_CFG_NONE)
					continue;
				if (state[to] == 1)
					w->retreating[e] = true;
				if (state[to] == 0) {
					state[to] = 1;
					w->tree[to] = root;
					stack[sp++] = to;
				}
				continue;
			}
			state[b] = 2;
			sp--;
			w->rpo[--post] = b;
		}
	}
	w->num_rpo = nb;
	for (size_t i = 0; i < nb; i++)
		w->rpo_num[w->rpo[i]] = i;
	free(stack);
	free(next);
	free(state);
	return NULL;
}

/*
 * Dominators within each DFS tree: a block's predecessors from another tree
 * are left out, so that code the entry never reaches (the other side of a
 * static branch, whose jmp is still a nop: arch/x86/include/asm/jump_label.h)
 * does not break the loops of the reachable code. The roots hang from a
 * virtual root V (index nb): rank(V) is 0, rank(b) = rpo_num[b] + 1.
 */
static size_t rank(const struct cfg_work *w, size_t nb, size_t b)
{
	return b == nb ? 0 : w->rpo_num[b] + 1;
}

static size_t intersect(const struct cfg_work *w, size_t nb, size_t a, size_t b)
{
	/* Each step moves a finger to its idom, of smaller rank: at most nb steps each. */
	for (size_t guard = 0; a != b && guard < 2 * nb + 2; guard++) {
		while (rank(w, nb, a) > rank(w, nb, b))
			a = w->idom[a];
		while (rank(w, nb, b) > rank(w, nb, a))
			b = w->idom[b];
	}
	return a;
}

static void dominators(struct cor_cfg *cfg, struct cfg_work *w)
{
	size_t nb = cfg->num_blocks;
	for (size_t b = 0; b < nb; b++)
		w->idom[b] = w->is_root[b] ? nb : COR_CFG_NONE;
	w->idom[nb] = nb;
	bool changed = true;
	/* Converges in (loop nesting depth + 2) passes; the bound only guards against bugs. */
	for (size_t pass = 0; changed && pass < nb + 2; pass++) {
		changed = false;
		for (size_t i = 0; i < w->num_rpo; i++) {
			size_t b = w->rpo[i], nd = COR_CFG_NONE;
			if (w->is_root[b])
				continue;
			const struct cor_cfg_block *blk = &cfg->blocks[b];
			for (size_t k = 0; k < blk->num_preds; k++) {
				size_t p = cfg->edges[cfg->preds[blk->first_pred + k]].from;
				if (w->idom[p] == COR_CFG_NONE || w->tree[p] != w->tree[b])
					continue;
				nd = nd == COR_CFG_NONE ? p : intersect(w, nb, p, nd);
			}
			if (nd != COR_CFG_NONE && w->idom[b] != nd) {
				w->idom[b] = nd;
				changed = true;
			}
		}
	}
	for (size_t b = 0; b < nb; b++)
		cfg->blocks[b].idom = w->idom[b] == nb ? COR_CFG_NONE : w->idom[b];
}

bool cor_cfg_dominates(const struct cor_cfg *cfg, size_t a, size_t b)
{
	if (a >= cfg->num_blocks || b >= cfg->num_blocks)
		return false;
	for (size_t guard = 0; guard <= cfg->num_blocks; guard++) {
		if (b == a)
			return true;
		if (cfg->blocks[b].idom == COR_CFG_NONE)
			return false;
		b = cfg->blocks[b].idom;
	}
	return false;
}

static void mark_back_edges(struct cor_cfg *cfg)
{
	for (size_t e = 0; e < cfg->num_edges; e++) {
		struct cor_cfg_edge *ed = &cfg->edges[e];
		if (ed->to != COR_CFG_NONE && cor_cfg_dominates(cfg, ed->to, ed->from))
			ed->back = true;
	}
}

struct cor_error *cor_cfg_build(const struct cor_insn *insns, size_t n, struct cor_cfg **ret)
{
	if (n == 0)
		return cor_error_create(COR_ERR_INVALID, "no instructions");
	if (n > COR_CFG_MAX_INSNS)
		return cor_error_create(COR_ERR_UNSUPPORTED, "%zu instructions: more than %u", n,
					COR_CFG_MAX_INSNS);
	struct cor_cfg *cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return &cor_enomem;
	cfg->insns = malloc(n * sizeof(*insns));
	if (!cfg->insns) {
		free(cfg);
		return &cor_enomem;
	}
	memcpy(cfg->insns, insns, n * sizeof(*insns));
	cfg->num_insns = n;
	cfg->start = insns[0].addr;
	cfg->end = insns[n - 1].addr + insns[n - 1].len;
	struct cfg_work w = {0};
	struct cor_error *err = build_blocks(cfg);
	if (!err)
		err = cfg_work_init(&w, cfg);
	if (!err)
		err = dfs(cfg, &w);
	if (!err) {
		dominators(cfg, &w);
		mark_back_edges(cfg);
		err = cor_cfg_find_loops(cfg, &w);
	}
	cfg_work_deinit(&w);
	if (err) {
		cor_cfg_destroy(cfg);
		return err;
	}
	*ret = cfg;
	return NULL;
}

struct cor_error *cor_cfg_parse_mem(struct cor_disasm *d, const void *code, size_t len,
				    uint64_t addr, struct cor_cfg **ret)
{
	struct cor_vec insns;
	cor_vec_init(&insns, sizeof(struct cor_insn));
	if (len > COR_DISASM_MAX_FUNC)
		return cor_error_create(COR_ERR_UNSUPPORTED, "%zu bytes of code: more than %u", len,
					COR_DISASM_MAX_FUNC);
	struct cor_error *err = cor_disasm_parse_mem(d, code, len, addr, &insns);
	if (!err)
		err = cor_cfg_build(insns.data, insns.len, ret);
	cor_vec_deinit(&insns);
	return err;
}

struct cor_error *cor_cfg_build_function(struct cor_disasm *d, struct cor_program *prog,
					 uint64_t addr, struct cor_cfg **ret)
{
	struct cor_disasm_func f;
	struct cor_error *err = cor_disasm_function(d, prog, addr, &f);
	if (err)
		return err;
	struct cor_cfg *cfg;
	err = cor_cfg_build(f.insns.data, f.insns.len, &cfg);
	if (!err) {
		cfg->name = f.name;
		f.name = NULL;
		*ret = cfg;
	}
	cor_disasm_func_deinit(&f);
	return err;
}

void cor_cfg_destroy(struct cor_cfg *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->num_loops; i++) {
		free((void *)cfg->loops[i].blocks);
		free((void *)cfg->loops[i].exits);
		free((void *)cfg->loops[i].latches);
	}
	free(cfg->loops);
	free(cfg->name);
	free(cfg->insns);
	free(cfg->blocks);
	free(cfg->edges);
	free(cfg->preds);
	free(cfg);
}
