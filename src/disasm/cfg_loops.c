// SPDX-License-Identifier: MIT
// Loops of a control-flow graph.
//  - Natural loops: for each header, the union of the bodies of its back
//    edges (Aho, Lam, Sethi, Ullman, 9.6.6). When a header has several back
//    edges and the body of one is strictly smaller than the union, it is kept
//    as an inner loop too: "do { while (seq & 1) cpu_relax(); ... } while
//    (retry)" compiles to one header with two back edges, and a CPU stuck in
//    the inner wait never runs the rest.
//  - Irreducible loops: a strongly connected component (Tarjan, iterative)
//    holding a retreating edge whose target does not dominate its source.
// Loops nest by set inclusion.
#include <stdlib.h>
#include <string.h>

#include "disasm/cfg_internal.h"

/* Bound on the total body-walk work (blocks visited), against garbage input. */
#define MAX_WORK (1u << 26)

struct cand {
	size_t header;
	bool irreducible;
	bool same_header;
	size_t *blocks;
	size_t n;
	size_t *latches;
	size_t nl;
};

struct loops_ctx {
	struct cor_cfg *cfg;
	const struct cfg_work *w;
	struct cand *c;
	size_t nc;
	uint32_t *mark;
	uint32_t stamp;
	size_t *stack;
	size_t work;
};

static void cand_free(struct cand *c)
{
	free(c->blocks);
	free(c->latches);
}

/* Collects the blocks marked with the current stamp, sorted. */
static struct cor_error *collect(struct loops_ctx *x, struct cand *c)
{
	size_t nb = x->cfg->num_blocks, n = 0;
	for (size_t b = 0; b < nb; b++)
		n += x->mark[b] == x->stamp;
	c->blocks = malloc((n ? n : 1) * sizeof(*c->blocks));
	if (!c->blocks)
		return &cor_enomem;
	c->n = 0;
	for (size_t b = 0; b < nb; b++)
		if (x->mark[b] == x->stamp)
			c->blocks[c->n++] = b;
	x->work += nb;
	return NULL;
}

/* Body of the natural loop of @p header with back edges @p latches: walk preds from the latches. */
static struct cor_error *natural_body(struct loops_ctx *x, size_t header, const size_t *latches,
				      size_t nl, struct cand *c)
{
	const struct cor_cfg *cfg = x->cfg;
	size_t sp = 0;
	x->stamp++;
	x->mark[header] = x->stamp;
	for (size_t i = 0; i < nl; i++) {
		size_t src = cfg->edges[latches[i]].from;
		if (x->mark[src] != x->stamp) {
			x->mark[src] = x->stamp;
			x->stack[sp++] = src;
		}
	}
	while (sp) {
		const struct cor_cfg_block *b = &cfg->blocks[x->stack[--sp]];
		x->work++;
		for (size_t k = 0; k < b->num_preds; k++) {
			size_t p = cfg->edges[cfg->preds[b->first_pred + k]].from;
			/* Only blocks the header dominates: not code of another DFS tree. */
			if (x->mark[p] != x->stamp && cor_cfg_dominates(cfg, header, p)) {
				x->mark[p] = x->stamp;
				x->stack[sp++] = p;
			}
		}
	}
	c->header = header;
	return collect(x, c);
}

static struct cor_error *push_cand(struct loops_ctx *x, struct cand *c)
{
	if (x->nc >= COR_CFG_MAX_LOOPS || x->work > MAX_WORK) {
		x->cfg->truncated = true;
		cand_free(c);
		return NULL;
	}
	struct cand *nc = realloc(x->c, (x->nc + 1) * sizeof(*nc));
	if (!nc) {
		cand_free(c);
		return &cor_enomem;
	}
	x->c = nc;
	x->c[x->nc++] = *c;
	return NULL;
}

static struct cor_error *latch_copy(const size_t *l, size_t n, struct cand *c)
{
	c->latches = malloc((n ? n : 1) * sizeof(*l));
	if (!c->latches)
		return &cor_enomem;
	memcpy(c->latches, l, n * sizeof(*l));
	c->nl = n;
	return NULL;
}

static struct cor_error *natural_loops(struct loops_ctx *x)
{
	struct cor_cfg *cfg = x->cfg;
	size_t *latches = malloc((cfg->num_edges ? cfg->num_edges : 1) * sizeof(*latches));
	struct cor_error *err = latches ? NULL : &cor_enomem;
	for (size_t h = 0; !err && h < cfg->num_blocks; h++) {
		const struct cor_cfg_block *hb = &cfg->blocks[h];
		size_t nl = 0;
		for (size_t k = 0; k < hb->num_preds; k++)
			if (cfg->edges[cfg->preds[hb->first_pred + k]].back)
				latches[nl++] = cfg->preds[hb->first_pred + k];
		if (!nl)
			continue;
		struct cand u = {0};
		err = natural_body(x, h, latches, nl, &u);
		if (!err)
			err = latch_copy(latches, nl, &u);
		size_t union_n = u.n;
		if (!err)
			err = push_cand(x, &u);
		else
			cand_free(&u);
		for (size_t i = 0; !err && nl > 1 && i < nl; i++) {
			struct cand s = {0};
			err = natural_body(x, h, &latches[i], 1, &s);
			if (!err)
				err = latch_copy(&latches[i], 1, &s);
			s.same_header = true;
			if (!err && s.n < union_n)
				err = push_cand(x, &s);
			else
				cand_free(&s);
		}
	}
	free(latches);
	return err;
}

/* Tarjan's strongly connected components, iteratively: comp[b]. */
static struct cor_error *scc(const struct cor_cfg *cfg, size_t *comp, size_t *ncomp)
{
	size_t nb = cfg->num_blocks, idx = 0, sp = 0, cp = 0;
	size_t *index = malloc(nb * sizeof(*index)), *low = malloc(nb * sizeof(*low));
	size_t *it = calloc(nb, sizeof(*it)), *st = malloc(nb * sizeof(*st));
	size_t *call = malloc(nb * sizeof(*call));
	bool *on = calloc(nb, sizeof(*on));
	struct cor_error *err = index && low && it && st && call && on ? NULL : &cor_enomem;
	*ncomp = 0;
	for (size_t b = 0; !err && b < nb; b++)
		index[b] = comp[b] = COR_CFG_NONE;
	for (size_t r = 0; !err && r < nb; r++) {
		if (index[r] != COR_CFG_NONE)
			continue;
		index[r] = low[r] = idx++;
		st[sp++] = r;
		on[r] = true;
		call[cp++] = r;
		while (cp) {
			size_t v = call[cp - 1];
			const struct cor_cfg_block *vb = &cfg->blocks[v];
			if (it[v] < vb->num_edges) {
				size_t to = cfg->edges[vb->first_edge + it[v]++].to;
				if (to == COR_CFG_NONE)
					continue;
				if (index[to] == COR_CFG_NONE) {
					index[to] = low[to] = idx++;
					st[sp++] = to;
					on[to] = true;
					call[cp++] = to;
				} else if (on[to]) {
					low[v] = COR_MIN(low[v], index[to]);
				}
				continue;
			}
			cp--;
			if (low[v] == index[v]) {
				size_t m;
				do {
					m = st[--sp];
					on[m] = false;
					comp[m] = *ncomp;
				} while (m != v);
				(*ncomp)++;
			}
			if (cp)
				low[call[cp - 1]] = COR_MIN(low[call[cp - 1]], low[v]);
		}
	}
	free(index);
	free(low);
	free(it);
	free(st);
	free(call);
	free(on);
	return err;
}

/* One irreducible loop: the members of component @p k, its entries and the edges into them. */
static struct cor_error *irreducible_cand(struct loops_ctx *x, const size_t *comp, size_t k)
{
	const struct cor_cfg *cfg = x->cfg;
	struct cand c = {.irreducible = true, .header = COR_CFG_NONE};
	x->stamp++;
	for (size_t b = 0; b < cfg->num_blocks; b++)
		if (comp[b] == k)
			x->mark[b] = x->stamp;
	struct cor_error *err = collect(x, &c);
	size_t nl = 0;
	if (!err)
		err = (c.latches = malloc((cfg->num_edges ? cfg->num_edges : 1) * sizeof(size_t)))
			  ? NULL
			  : &cor_enomem;
	for (size_t i = 0; !err && i < c.n; i++) {
		const struct cor_cfg_block *b = &cfg->blocks[c.blocks[i]];
		bool entry = c.blocks[i] == 0;
		for (size_t p = 0; p < b->num_preds; p++)
			entry |= comp[cfg->edges[cfg->preds[b->first_pred + p]].from] != k;
		if (!entry)
			continue;
		if (c.header == COR_CFG_NONE)
			c.header = c.blocks[i];
		for (size_t p = 0; p < b->num_preds; p++) {
			size_t e = cfg->preds[b->first_pred + p];
			if (comp[cfg->edges[e].from] == k)
				c.latches[nl++] = e;
		}
	}
	c.nl = nl;
	if (err || c.header == COR_CFG_NONE) {
		cand_free(&c);
		return err;
	}
	return push_cand(x, &c);
}

/* Components holding a retreating edge whose target does not dominate its source. */
static struct cor_error *irreducible_loops(struct loops_ctx *x)
{
	const struct cor_cfg *cfg = x->cfg;
	bool any = false;
	for (size_t e = 0; e < cfg->num_edges; e++)
		any |= x->w->retreating[e] && !cfg->edges[e].back;
	if (!any)
		return NULL;
	size_t nb = cfg->num_blocks, ncomp;
	size_t *comp = malloc(nb * sizeof(*comp));
	if (!comp)
		return &cor_enomem;
	struct cor_error *err = scc(cfg, comp, &ncomp);
	bool *irr = err ? NULL : calloc(ncomp ? ncomp : 1, sizeof(*irr));
	if (!err && !irr)
		err = &cor_enomem;
	for (size_t e = 0; !err && e < cfg->num_edges; e++) {
		const struct cor_cfg_edge *ed = &cfg->edges[e];
		if (x->w->retreating[e] && !ed->back && comp[ed->from] != COR_CFG_NONE &&
		    comp[ed->from] == comp[ed->to])
			irr[comp[ed->from]] = true;
	}
	for (size_t k = 0; !err && k < ncomp; k++)
		if (irr[k])
			err = irreducible_cand(x, comp, k);
	free(irr);
	free(comp);
	return err;
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	if (x->header != y->header)
		return x->header < y->header ? -1 : 1;
	return x->same_header - y->same_header;
}

static bool same_set(const struct cand *a, const struct cand *b)
{
	return a->n == b->n && memcmp(a->blocks, b->blocks, a->n * sizeof(*a->blocks)) == 0;
}

/* Whether sorted set @p small is a subset of sorted set @p big. */
static bool subset(const size_t *small, size_t ns, const size_t *big, size_t nb)
{
	size_t j = 0;
	for (size_t i = 0; i < ns; i++) {
		while (j < nb && big[j] < small[i])
			j++;
		if (j == nb || big[j] != small[i])
			return false;
	}
	return true;
}

bool cor_cfg_loop_contains(const struct cor_cfg *cfg, size_t loop, size_t block)
{
	if (loop >= cfg->num_loops)
		return false;
	const struct cor_cfg_loop *l = &cfg->loops[loop];
	size_t lo = 0, hi = l->num_blocks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->blocks[mid] == block)
			return true;
		if (l->blocks[mid] < block)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Exits, address range and instruction count of loop @p i. */
static struct cor_error *loop_facts(struct cor_cfg *cfg, size_t i)
{
	struct cor_cfg_loop *l = &cfg->loops[i];
	size_t ne = 0, cap = 0;
	size_t *exits = NULL;
	l->lo = UINT64_MAX;
	l->hi = 0;
	for (size_t k = 0; k < l->num_blocks; k++) {
		const struct cor_cfg_block *b = &cfg->blocks[l->blocks[k]];
		l->lo = COR_MIN(l->lo, b->start);
		l->hi = COR_MAX(l->hi, b->end);
		l->num_insns += b->count;
		for (size_t e = b->first_edge; e < b->first_edge + b->num_edges; e++) {
			size_t to = cfg->edges[e].to;
			if (to != COR_CFG_NONE && cor_cfg_loop_contains(cfg, i, to))
				continue;
			if (ne == cap) {
				cap = cap ? 2 * cap : 4;
				size_t *nx = realloc(exits, cap * sizeof(*nx));
				if (!nx) {
					free(exits);
					return &cor_enomem;
				}
				exits = nx;
			}
			exits[ne++] = e;
		}
	}
	l->exits = exits;
	l->num_exits = ne;
	return NULL;
}

/* Sorts, dedupes, nests the candidates and moves them into cfg->loops. */
static struct cor_error *install(struct loops_ctx *x)
{
	struct cor_cfg *cfg = x->cfg;
	if (x->nc)
		qsort(x->c, x->nc, sizeof(*x->c), cmp_cand);
	size_t n = 0;
	for (size_t i = 0; i < x->nc; i++) {
		if (n && same_set(&x->c[n - 1], &x->c[i])) {
			x->c[n - 1].irreducible |= x->c[i].irreducible;
			cand_free(&x->c[i]);
			continue;
		}
		x->c[n++] = x->c[i];
	}
	x->nc = n;
	cfg->loops = calloc(n ? n : 1, sizeof(*cfg->loops));
	if (!cfg->loops)
		return &cor_enomem;
	for (size_t i = 0; i < n; i++) {
		struct cor_cfg_loop *l = &cfg->loops[i];
		struct cand *c = &x->c[i];
		l->header = c->header;
		l->irreducible = c->irreducible;
		l->blocks = c->blocks;
		l->num_blocks = c->n;
		l->latches = c->latches;
		l->num_latches = c->nl;
		c->blocks = c->latches = NULL;
		l->parent = COR_CFG_NONE;
		/* Larger loops come first: the nearest earlier strict superset is the parent. */
		for (size_t j = i; j-- > 0;) {
			const struct cor_cfg_loop *p = &cfg->loops[j];
			if (p->num_blocks > l->num_blocks &&
			    subset(l->blocks, l->num_blocks, p->blocks, p->num_blocks)) {
				l->parent = j;
				break;
			}
		}
		l->depth = l->parent == COR_CFG_NONE ? 1 : cfg->loops[l->parent].depth + 1;
		l->same_header =
		    l->parent != COR_CFG_NONE && cfg->loops[l->parent].header == l->header;
		cfg->num_loops = i + 1;
		struct cor_error *err = loop_facts(cfg, i);
		if (err)
			return err;
		for (size_t k = 0; k < l->num_blocks; k++)
			cfg->blocks[l->blocks[k]].loop = i;
	}
	return NULL;
}

struct cor_error *cor_cfg_find_loops(struct cor_cfg *cfg, const struct cfg_work *w)
{
	struct loops_ctx x = {.cfg = cfg, .w = w};
	size_t nb = cfg->num_blocks;
	x.mark = calloc(nb, sizeof(*x.mark));
	x.stack = malloc(nb * sizeof(*x.stack));
	struct cor_error *err = x.mark && x.stack ? NULL : &cor_enomem;
	if (!err)
		err = natural_loops(&x);
	if (!err)
		err = irreducible_loops(&x);
	if (!err)
		err = install(&x);
	for (size_t i = 0; i < x.nc; i++)
		cand_free(&x.c[i]);
	free(x.c);
	free(x.mark);
	free(x.stack);
	return err;
}

static bool loop_has_pause(const struct cor_cfg *cfg, const struct cor_cfg_loop *l)
{
	for (size_t k = 0; k < l->num_blocks; k++) {
		const struct cor_cfg_block *b = &cfg->blocks[l->blocks[k]];
		for (size_t i = b->first; i < b->first + b->count; i++)
			if (cfg->insns[i].flags & COR_INSN_PAUSE)
				return true;
	}
	return false;
}

/* Orders loops innermost first: fewer blocks, then with a pause, then fewer exits. */
static bool more_inner(const struct cor_cfg *cfg, size_t a, size_t b)
{
	const struct cor_cfg_loop *la = &cfg->loops[a], *lb = &cfg->loops[b];
	if (la->num_blocks != lb->num_blocks)
		return la->num_blocks < lb->num_blocks;
	bool pa = loop_has_pause(cfg, la), pb = loop_has_pause(cfg, lb);
	if (pa != pb)
		return pa;
	if (la->num_exits != lb->num_exits)
		return la->num_exits < lb->num_exits;
	return a < b;
}

size_t cor_cfg_loops_at(const struct cor_cfg *cfg, uint64_t addr, size_t *out, size_t max)
{
	size_t b = cor_cfg_block_at(cfg, addr), n = 0;
	if (b == COR_CFG_NONE)
		return 0;
	for (size_t i = 0; i < cfg->num_loops; i++) {
		if (!cor_cfg_loop_contains(cfg, i, b))
			continue;
		/* Insertion into the sorted prefix that fits in @p out. */
		size_t pos = COR_MIN(n, max);
		while (pos > 0 && more_inner(cfg, i, out[pos - 1])) {
			if (pos < max)
				out[pos] = out[pos - 1];
			pos--;
		}
		if (pos < max)
			out[pos] = i;
		n++;
	}
	return n;
}

size_t cor_cfg_innermost_loop(const struct cor_cfg *cfg, uint64_t addr)
{
	size_t best;
	return cor_cfg_loops_at(cfg, addr, &best, 1) ? best : COR_CFG_NONE;
}
