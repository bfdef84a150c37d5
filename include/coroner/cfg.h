/* SPDX-License-Identifier: MIT */
/**
 * @file cfg.h
 * Control-flow graph of one function and its loops, for spin-loop analysis:
 * "which loop is this CPU's RIP in, what memory does it poll, and under
 * which condition would it leave?".
 *
 * The graph comes from a linear sweep of the function's bytes (kernel
 * functions are contiguous; cold parts and tail calls are edges that leave
 * the function). Basic blocks end at every branch, call, return and trap;
 * edges are fallthrough, conditional taken / not taken, unconditional jump
 * and call-return (the call stays inside a loop that contains it).
 * Dominators (Cooper, Harvey, Kennedy, "A Simple, Fast Dominance Algorithm")
 * give back edges and natural loops; a cycle entered at more than one block
 * (no dominating header) is kept as an irreducible loop. Loops nest by
 * inclusion; a header with several back edges whose bodies nest also gives
 * inner loops (the "wait while odd" loop inside a seqcount retry loop).
 *
 * All walks are bounded: garbage bytes give a graph, never a hang.
 * Implementation: src/disasm/cfg.c, src/disasm/loop.c.
 */
#ifndef CORONER_CFG_H
#define CORONER_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coroner/disasm.h"
#include "coroner/error.h"

struct cor_program;

/** "No block / no loop / leaves the function". */
#define COR_CFG_NONE ((size_t)-1)

/** Kinds of edge. */
enum cor_cfg_edge_kind {
	/** Sequential flow into the next block (no branch). */
	COR_EDGE_FALLTHROUGH,
	/** A conditional jump, taken. */
	COR_EDGE_TAKEN,
	/** A conditional jump, not taken (falls through). */
	COR_EDGE_NOT_TAKEN,
	/** An unconditional direct jump. */
	COR_EDGE_JUMP,
	/** From a call to the instruction after it. */
	COR_EDGE_CALL_RETURN,
};

/** Name of an edge kind ("fallthrough", "taken", ...). */
const char *cor_cfg_edge_kind_name(enum cor_cfg_edge_kind kind);

/** An edge between blocks. */
struct cor_cfg_edge {
	size_t from;
	/** Destination block, or COR_CFG_NONE when the edge leaves the function. */
	size_t to;
	/** Destination address. */
	uint64_t target;
	enum cor_cfg_edge_kind kind;
	/** A back edge: its destination dominates its source (the latch of a natural loop). */
	bool back;
};

/** A basic block: instructions [first, first + count) of the graph. */
struct cor_cfg_block {
	uint64_t start;
	/** One past the last byte. */
	uint64_t end;
	size_t first;
	size_t count;
	/** Outgoing edges: cfg->edges[first_edge .. first_edge + num_edges). */
	size_t first_edge;
	size_t num_edges;
	/** Incoming edges: cfg->preds[first_pred .. first_pred + num_preds) are edge indices. */
	size_t first_pred;
	size_t num_preds;
	/**
	 * Reachable from the function's entry. Blocks that are not (reached
	 * through an indirect jump, a patched static branch, or a jump into an
	 * instruction) are still analysed: each unvisited one roots a further
	 * search, with dominators and loops of its own.
	 */
	bool reachable;
	/** Immediate dominator (COR_CFG_NONE for the entry and other search roots). */
	size_t idom;
	/** Innermost loop containing the block, or COR_CFG_NONE. */
	size_t loop;
	/** Ends with a jump through a register or memory (targets unknown). */
	bool indirect;
};

/** A loop. Index arrays are owned by the graph. */
struct cor_cfg_loop {
	/** Header block (for an irreducible loop: the entry block at the lowest address). */
	size_t header;
	/** Enclosing loop, or COR_CFG_NONE. */
	size_t parent;
	/** 1 for an outermost loop. */
	unsigned depth;
	/** Entered at more than one block (no single dominating header). */
	bool irreducible;
	/** Shares its header with its parent (one of several back edges of one header). */
	bool same_header;
	/** Sorted block indices. */
	const size_t *blocks;
	size_t num_blocks;
	/** Edges leaving the loop (to a block outside it, or out of the function). */
	const size_t *exits;
	size_t num_exits;
	/** Back edges into the header (for an irreducible loop: edges into any entry from inside).
	 */
	const size_t *latches;
	size_t num_latches;
	/** Lowest instruction address, and one past the highest instruction's end. */
	uint64_t lo;
	uint64_t hi;
	size_t num_insns;
};

/** The graph of one function. */
struct cor_cfg {
	/** Function name (owned) when built from a program, else NULL. */
	char *name;
	uint64_t start;
	uint64_t end;
	struct cor_insn *insns;
	size_t num_insns;
	struct cor_cfg_block *blocks;
	size_t num_blocks;
	struct cor_cfg_edge *edges;
	size_t num_edges;
	/** Incoming edge indices, grouped by block (see cor_cfg_block.first_pred). */
	size_t *preds;
	struct cor_cfg_loop *loops;
	size_t num_loops;
	/** Direct jumps into the middle of an instruction (overlapping code), left out. */
	size_t mid_insn_targets;
	/** Some loops were left out (more than the bound on back edges or loops). */
	bool truncated;
};

/** Most blocks, back edges and loops analysed (bounds garbage input). */
#define COR_CFG_MAX_INSNS (1u << 18)
#define COR_CFG_MAX_LOOPS 4096u

/**
 * Builds the graph of the instructions @p insns (@p n, in address order, a
 * linear sweep of [start, end) with start = insns[0].addr). The
 * instructions are copied. INVALID if @p n is 0; UNSUPPORTED above
 * COR_CFG_MAX_INSNS. Free *ret with cor_cfg_destroy().
 */
struct cor_error *cor_cfg_build(const struct cor_insn *insns, size_t n,
				struct cor_cfg **ret) COR_MUST_CHECK;
/** Decodes @p len bytes of code located at @p addr with @p d and builds their graph. */
struct cor_error *cor_cfg_parse_mem(struct cor_disasm *d, const void *code, size_t len,
				    uint64_t addr, struct cor_cfg **ret) COR_MUST_CHECK;
/** The graph of the function containing @p addr (see cor_disasm_function()). */
struct cor_error *cor_cfg_build_function(struct cor_disasm *d, struct cor_program *prog,
					 uint64_t addr, struct cor_cfg **ret) COR_MUST_CHECK;
/** Frees @p cfg; NULL does nothing. */
void cor_cfg_destroy(struct cor_cfg *cfg);

/** Index of the instruction starting at @p addr, or COR_CFG_NONE. */
size_t cor_cfg_insn_at(const struct cor_cfg *cfg, uint64_t addr);
/** Index of the block containing @p addr (any byte of an instruction), or COR_CFG_NONE. */
size_t cor_cfg_block_at(const struct cor_cfg *cfg, uint64_t addr);
/** True if block @p a dominates block @p b. */
bool cor_cfg_dominates(const struct cor_cfg *cfg, size_t a, size_t b);
/** True if @p loop contains block @p block. */
bool cor_cfg_loop_contains(const struct cor_cfg *cfg, size_t loop, size_t block);

/**
 * The innermost loop containing @p addr, or COR_CFG_NONE. Among equally
 * small loops (two back edges of one header), the one with a pause, then
 * the one with the fewest exits.
 */
size_t cor_cfg_innermost_loop(const struct cor_cfg *cfg, uint64_t addr);
/**
 * Every loop containing @p addr, innermost first, into @p out (at most
 * @p max); returns how many there are.
 */
size_t cor_cfg_loops_at(const struct cor_cfg *cfg, uint64_t addr, size_t *out, size_t max);

/* ---- loop summary -------------------------------------------------------- */

/** A memory read inside a loop. */
struct cor_loop_load {
	/** The reading instruction. */
	uint64_t insn_addr;
	struct cor_insn_mem mem;
	/** Bytes read. */
	unsigned size;
	/** Register loaded (mov/movzx/movsx), or COR_REG_NONE (compared or used in place). */
	enum cor_reg dest;
	/**
	 * The address is the same on every iteration: RIP-relative/absolute, or
	 * base and index registers not written inside the loop (their values
	 * are then the CPU's saved registers).
	 */
	bool invariant;
	/** Read by a flag-setting instruction that decides an exit. */
	bool decides_exit;
};

/** What an operand of an exit's flag-setting instruction holds. */
enum cor_loop_value_kind {
	COR_VAL_UNKNOWN,
	/** A constant. */
	COR_VAL_IMM,
	/** A value read from memory inside the loop (cor_loop_value.load indexes the loads). */
	COR_VAL_LOAD,
	/** A register not written inside the loop: the CPU's saved register holds it. */
	COR_VAL_INVARIANT_REG,
	/** A register stepped by a constant each iteration (cor_loop_value.step). */
	COR_VAL_INDUCTION,
	/** A register computed inside the loop otherwise. */
	COR_VAL_COMPUTED,
	/** The return value (%rax) of a call inside the loop (cor_loop_value.call_target). */
	COR_VAL_CALL_RESULT,
};

/** An operand of a flag-setting instruction, traced back inside the loop. */
struct cor_loop_value {
	enum cor_loop_value_kind kind;
	/** The register as written in the instruction ("al"), "" for an immediate or memory. */
	char reg_name[8];
	enum cor_reg reg;
	int64_t imm;
	/** Index into cor_loop_summary.loads for COR_VAL_LOAD. */
	size_t load;
	/** Per-iteration step for COR_VAL_INDUCTION. */
	int64_t step;
	/** Called function for COR_VAL_CALL_RESULT (0: an indirect call). */
	uint64_t call_target;
	/** Operand size in bytes. */
	unsigned size;
};

/** How an exit's flags are computed. */
enum cor_loop_test {
	/** No flag setter found (or an unconditional exit). */
	COR_TEST_NONE,
	/** cmp SRC,DST: flags of DST - SRC (lhs = DST, rhs = SRC). */
	COR_TEST_CMP,
	/** test A,B: flags of A & B (lhs, rhs). */
	COR_TEST_TEST,
	/** Any other flag-setting instruction: flags of its result (lhs = destination). */
	COR_TEST_RESULT,
};

/** An edge leaving the loop, with the condition under which it is taken. */
struct cor_loop_exit {
	size_t edge;
	/** The instruction ending the exiting block (the jcc for a conditional exit), its mnemonic.
	 */
	uint64_t branch_addr;
	char branch_mnemonic[32];
	/** Where the exit goes. */
	uint64_t target;
	/** Whether the target is outside the function. */
	bool leaves_function;
	bool conditional;
	/** The condition (on the flags) under which the loop exits; it stays while it is false. */
	enum cor_cond exit_cond;
	/** The flag-setting instruction feeding the exit (cmp/test/sub...), if found. */
	bool has_setter;
	struct cor_insn setter;
	enum cor_loop_test test;
	struct cor_loop_value lhs;
	struct cor_loop_value rhs;
};

/** A register changed by a constant each time around the loop. */
struct cor_loop_induction {
	enum cor_reg reg;
	int64_t step;
	uint64_t insn_addr;
};

/** Kinds of loop, from their structure alone. */
enum cor_loop_kind {
	COR_LOOP_GENERIC,
	/** No exit at all: only an interrupt, or a called function not returning, leaves it. */
	COR_LOOP_ENDLESS,
	/**
	 * An exit depends on memory re-read on each iteration, compared with a
	 * constant, a register the loop does not change, or other memory: polls
	 * memory (a spin-wait). Loops that advance by themselves (an induction
	 * register, a call's result) are not.
	 */
	COR_LOOP_POLL,
	/**
	 * A sequence-count read: re-reads a word and stays while it differs from
	 * the first read, or waits while the word is odd inside such a loop.
	 */
	COR_LOOP_SEQCOUNT,
	/** An exit compares an induction register with a constant or invariant: a counted loop. */
	COR_LOOP_COUNTED,
};

/** Name of a loop kind ("endless", "poll", ...). */
const char *cor_loop_kind_name(enum cor_loop_kind kind);

#define COR_LOOP_MAX_LOADS	16
#define COR_LOOP_MAX_EXITS	8
#define COR_LOOP_MAX_CALLS	8
#define COR_LOOP_MAX_INDUCTIONS 8

/** What a loop does, for the diagnosis. Plain data. */
struct cor_loop_summary {
	size_t loop;
	/** Header address, lowest address, one past the highest instruction, the last instruction.
	 */
	uint64_t header;
	uint64_t lo;
	uint64_t hi;
	uint64_t last_insn;
	size_t num_insns;
	size_t num_blocks;
	unsigned depth;
	bool irreducible;
	bool has_pause;
	bool has_hlt;
	/** Locked read-modify-write instructions (lock cmpxchg, lock xadd...). */
	size_t num_locked;
	/** Stores to memory (excluding push). */
	size_t num_stores;
	/** Call targets (0 for an indirect call). */
	size_t num_calls;
	uint64_t calls[COR_LOOP_MAX_CALLS];
	size_t num_loads;
	struct cor_loop_load loads[COR_LOOP_MAX_LOADS];
	size_t num_exits;
	struct cor_loop_exit exits[COR_LOOP_MAX_EXITS];
	size_t num_inductions;
	struct cor_loop_induction inductions[COR_LOOP_MAX_INDUCTIONS];
	/** More loads/exits/calls/inductions than the arrays hold. */
	bool truncated;
	enum cor_loop_kind kind;
	/** An exit waits while bit 0 of a loaded word is set ("test $0x1,%al; jne"). */
	bool seq_waits_odd;
	/** An exit retries while a re-read of a word differs from its first read. */
	bool seq_retries;
	/**
	 * The loop (this one or an enclosing one) that retries on the word this
	 * one reads: the loop is COR_LOOP_SEQCOUNT then. COR_CFG_NONE otherwise
	 * (a bit-0 wait with no retry is a plain COR_LOOP_POLL).
	 */
	size_t seq_retry_loop;
};

/** Summarizes loop @p loop of @p cfg into *ret. INVALID for a bad index. */
struct cor_error *cor_loop_summarize(const struct cor_cfg *cfg, size_t loop,
				     struct cor_loop_summary *ret) COR_MUST_CHECK;

/**
 * Appends the condition under which the loop stays on exit @p e of @p s,
 * C-like: "(%al & 0x1) != 0", "%rax > 0x3b9ac9ff (unsigned)". No newline.
 */
void cor_loop_exit_describe(const struct cor_loop_summary *s, const struct cor_loop_exit *e,
			    struct cor_strbuf *out);

/**
 * Appends one sentence about the loop: where it is, what it loads, when it
 * would exit, its kind ("spins in f+0x13..+0x1f: loads 0xADDR <sym> (4 bytes)
 * and loops while (%eax & 0x1) != 0 (test $0x1,%al; jne) -- a seqcount read
 * loop"). @p sym may be NULL. No newline.
 */
void cor_loop_describe(const struct cor_loop_summary *s, cor_disasm_symbolize_fn sym, void *arg,
		       struct cor_strbuf *out);

#endif
