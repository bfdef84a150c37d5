/* SPDX-License-Identifier: MIT */
/* Internals of the control-flow graph (src/disasm/cfg*.c). */
#ifndef CORONER_DISASM_CFG_INTERNAL_H
#define CORONER_DISASM_CFG_INTERNAL_H

#include <stdlib.h>

#include "coroner/cfg.h"

/* Scratch state of one build. */
struct cfg_work {
	/* Reachable blocks in reverse postorder, and each block's number (COR_CFG_NONE if
	 * unreachable). */
	size_t *rpo;
	size_t *rpo_num;
	size_t num_rpo;
	/* Per edge: goes to a block on the DFS stack (a retreating edge). */
	bool *retreating;
	/* Per block: a DFS root (the entry, or a block no earlier search reached). */
	bool *is_root;
	/* Per block: the root of its DFS tree. */
	size_t *tree;
	/* Immediate dominators, index num_blocks being the virtual root above all DFS roots. */
	size_t *idom;
};

static inline struct cor_error *cfg_work_init(struct cfg_work *w, const struct cor_cfg *cfg)
{
	size_t nb = cfg->num_blocks ? cfg->num_blocks : 1;
	w->rpo = calloc(nb, sizeof(*w->rpo));
	w->rpo_num = calloc(nb, sizeof(*w->rpo_num));
	w->retreating = calloc(cfg->num_edges ? cfg->num_edges : 1, sizeof(*w->retreating));
	w->is_root = calloc(nb, sizeof(*w->is_root));
	w->idom = calloc(nb + 1, sizeof(*w->idom));
	w->tree = calloc(nb, sizeof(*w->tree));
	return w->rpo && w->rpo_num && w->retreating && w->is_root && w->idom && w->tree
		   ? NULL
		   : &cor_enomem;
}

static inline void cfg_work_deinit(struct cfg_work *w)
{
	free(w->rpo);
	free(w->rpo_num);
	free(w->retreating);
	free(w->is_root);
	free(w->idom);
	free(w->tree);
}

/* Finds natural and irreducible loops, their nesting, exits and the blocks' innermost loops. */
struct cor_error *cor_cfg_find_loops(struct cor_cfg *cfg, const struct cfg_work *w);

#endif
