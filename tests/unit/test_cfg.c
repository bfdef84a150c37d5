// SPDX-License-Identifier: MIT
// Control-flow graph and loop analysis on synthetic functions, assembled with
// GNU as 2.40 (the source is in each comment; offsets from objdump -d). The
// expected blocks, loops, exits and conditions are read off the assembly by
// hand, independently of the code under test. Real kernel functions are in
// tests/corpus/test_dis.c.
#include <string.h>

#include "coroner/cfg.h"
#include "harness.h"

#define BASE 0xffffffff81000000ull

static struct cor_cfg *build(struct cor_tctx *t, const uint8_t *code, size_t len)
{
	struct cor_disasm *d;
	struct cor_cfg *cfg = NULL;
	struct cor_error *err = cor_disasm_create(&d);
	if (!err)
		err = cor_cfg_parse_mem(d, code, len, BASE, &cfg);
	if (err) {
		cor_test_fail(t, __FILE__, __LINE__, "building the graph: %s", err->message);
		cor_error_destroy(err);
	}
	cor_disasm_destroy(d);
	return cfg;
}

/*
 *  0: xor %eax,%eax
 *  2: mov (%rdi),%edx       <- header
 *  4: test %edx,%edx
 *  6: je 0x16               exit 1: *rdi == 0
 *  8: add $0x1,%eax
 *  b: cmp $0x64,%eax
 *  e: jb 0x2                latch; exit 2: eax >= 100
 * 10: mov $0xffffffff,%eax
 * 15: ret
 * 16: ret
 */
static const uint8_t two_exits[] = {0x31, 0xc0, 0x8b, 0x17, 0x85, 0xd2, 0x74, 0x0e,
				    0x83, 0xc0, 0x01, 0x83, 0xf8, 0x64, 0x72, 0xf2,
				    0xb8, 0xff, 0xff, 0xff, 0xff, 0xc3, 0xc3};

COR_TEST(cfg_loop_with_two_exits)
{
	struct cor_cfg *cfg = build(t, two_exits, sizeof(two_exits));
	if (!cfg)
		return;
	CHECK_U64(cfg->num_insns, 10);
	/* Blocks: [0], [2..6], [8..e], [10..15], [16]. */
	CHECK_U64(cfg->num_blocks, 5);
	CHECK_U64(cfg->num_loops, 1);
	size_t l = cor_cfg_innermost_loop(cfg, BASE + 0xb);
	CHECK_U64(l, 0);
	CHECK_U64(cor_cfg_innermost_loop(cfg, BASE + 0x10), COR_CFG_NONE);
	CHECK_U64(cfg->blocks[cfg->loops[0].header].start, BASE + 2);
	CHECK_U64(cfg->loops[0].num_blocks, 2);
	CHECK_U64(cfg->loops[0].num_exits, 2);
	CHECK(!cfg->loops[0].irreducible);
	struct cor_loop_summary s;
	CHECK_OK(cor_loop_summarize(cfg, 0, &s));
	CHECK_U64(s.num_exits, 2);
	CHECK_U64(s.num_loads, 1);
	CHECK_U64(s.loads[0].insn_addr, BASE + 2);
	CHECK_U64(s.loads[0].dest, COR_REG_RDX);
	CHECK(s.loads[0].invariant); /* %rdi is not written in the loop */
	CHECK(s.loads[0].decides_exit);
	/* Exit 1: je taken when (edx & edx) == 0, edx loaded from (%rdi). */
	const struct cor_loop_exit *e1 = &s.exits[0], *e2 = &s.exits[1];
	if (e1->branch_addr != BASE + 6) {
		const struct cor_loop_exit *tmp = e1;
		e1 = e2;
		e2 = tmp;
	}
	CHECK_U64(e1->branch_addr, BASE + 6);
	CHECK_U64(e1->target, BASE + 0x16);
	CHECK_U64(e1->exit_cond, COR_COND_E);
	CHECK_U64(e1->test, COR_TEST_TEST);
	CHECK_U64(e1->lhs.kind, COR_VAL_LOAD);
	CHECK_U64(e1->setter.addr, BASE + 4);
	/* Exit 2: jb not taken, i.e. eax >= 100; eax steps by 1. */
	CHECK_U64(e2->branch_addr, BASE + 0xe);
	CHECK_U64(e2->target, BASE + 0x10);
	CHECK_U64(e2->exit_cond, COR_COND_AE);
	CHECK_U64(e2->test, COR_TEST_CMP);
	CHECK_U64(e2->lhs.kind, COR_VAL_INDUCTION);
	CHECK_U64(e2->lhs.step, 1);
	CHECK_U64(e2->rhs.kind, COR_VAL_IMM);
	CHECK_U64(e2->rhs.imm, 100);
	CHECK_U64(s.kind, COR_LOOP_POLL);
	struct cor_strbuf sb = {0};
	cor_loop_exit_describe(&s, e2, &sb);
	CHECK_STR(cor_strbuf_cstr(&sb), "%eax < 0x64 (unsigned)");
	cor_strbuf_reset(&sb);
	cor_loop_exit_describe(&s, e1, &sb);
	CHECK_STR(cor_strbuf_cstr(&sb), "%edx != 0");
	cor_strbuf_deinit(&sb);
	cor_cfg_destroy(cfg);
}

/*
 * 17: xor %ecx,%ecx
 * 19: xor %edx,%edx         <- outer header
 * 1b: add $0x1,%edx         <- inner header
 * 1e: cmp %esi,%edx
 * 20: jl 0x1b               inner latch
 * 22: add $0x1,%ecx
 * 25: cmp %esi,%ecx
 * 27: jl 0x19               outer latch
 * 29: ret
 */
static const uint8_t nested[] = {0x31, 0xc9, 0x31, 0xd2, 0x83, 0xc2, 0x01, 0x39, 0xf2, 0x7c,
				 0xf9, 0x83, 0xc1, 0x01, 0x39, 0xf1, 0x7c, 0xf0, 0xc3};

COR_TEST(cfg_nested_loops)
{
	struct cor_cfg *cfg = build(t, nested, sizeof(nested));
	if (!cfg)
		return;
	/* Offsets relative to the function (it starts at 0x17 in the listing). */
	uint64_t outer_hdr = BASE + 2, inner_hdr = BASE + 4, inner_jl = BASE + 9;
	CHECK_U64(cfg->num_loops, 2);
	size_t in = cor_cfg_innermost_loop(cfg, inner_jl);
	size_t out = cor_cfg_innermost_loop(cfg, BASE + 0xb);
	if (in == COR_CFG_NONE || out == COR_CFG_NONE) {
		cor_test_fail(t, __FILE__, __LINE__, "loops not found");
		cor_cfg_destroy(cfg);
		return;
	}
	CHECK(in != out);
	CHECK_U64(cfg->blocks[cfg->loops[in].header].start, inner_hdr);
	CHECK_U64(cfg->blocks[cfg->loops[out].header].start, outer_hdr);
	CHECK_U64(cfg->loops[in].parent, out);
	CHECK_U64(cfg->loops[in].depth, 2);
	CHECK_U64(cfg->loops[out].depth, 1);
	CHECK(!cfg->loops[in].same_header);
	CHECK_U64(cfg->loops[in].num_blocks, 1);
	CHECK_U64(cfg->loops[out].num_blocks, 3);
	size_t all[4];
	CHECK_U64(cor_cfg_loops_at(cfg, inner_jl, all, 4), 2);
	CHECK_U64(all[0], in);
	CHECK_U64(all[1], out);
	/* Dominators: the outer header dominates the inner one, not the reverse. */
	size_t bo = cor_cfg_block_at(cfg, outer_hdr), bi = cor_cfg_block_at(cfg, inner_hdr);
	CHECK(cor_cfg_dominates(cfg, bo, bi));
	CHECK(!cor_cfg_dominates(cfg, bi, bo));
	struct cor_loop_summary s;
	CHECK_OK(cor_loop_summarize(cfg, in, &s));
	CHECK_U64(s.num_exits, 1);
	CHECK_U64(s.exits[0].exit_cond, COR_COND_GE);
	CHECK_U64(s.exits[0].lhs.kind, COR_VAL_INDUCTION);
	CHECK_U64(s.exits[0].rhs.kind, COR_VAL_INVARIANT_REG);
	CHECK_U64(s.exits[0].rhs.reg, COR_REG_RSI);
	CHECK_U64(s.kind, COR_LOOP_COUNTED);
	cor_cfg_destroy(cfg);
}

/*
 * 2a: test %edi,%edi
 * 2c: je 0x31               second entry into the cycle
 * 2e: add $0x1,%eax         A
 * 31: add $0x2,%eax         B
 * 34: cmp $0x32,%eax
 * 37: jb 0x2e               B -> A
 * 39: ret
 * The cycle {A, B} is entered at A and at B: neither dominates the other.
 */
static const uint8_t irreducible[] = {0x85, 0xff, 0x74, 0x03, 0x83, 0xc0, 0x01, 0x83,
				      0xc0, 0x02, 0x83, 0xf8, 0x32, 0x72, 0xf5, 0xc3};

COR_TEST(cfg_irreducible_region)
{
	struct cor_cfg *cfg = build(t, irreducible, sizeof(irreducible));
	if (!cfg)
		return;
	uint64_t a = BASE + 4, b = BASE + 7;
	size_t ba = cor_cfg_block_at(cfg, a), bb = cor_cfg_block_at(cfg, b);
	CHECK(!cor_cfg_dominates(cfg, ba, bb));
	CHECK(!cor_cfg_dominates(cfg, bb, ba));
	for (size_t e = 0; e < cfg->num_edges; e++)
		CHECK(!cfg->edges[e].back); /* no natural loop */
	CHECK_U64(cfg->num_loops, 1);
	CHECK_U64(cor_cfg_innermost_loop(cfg, b), 0);
	CHECK(cfg->loops[0].irreducible);
	CHECK_U64(cfg->loops[0].num_blocks, 2);
	CHECK_U64(cfg->blocks[cfg->loops[0].header].start, a);
	CHECK_U64(cfg->loops[0].num_exits, 1);
	struct cor_loop_summary s;
	CHECK_OK(cor_loop_summarize(cfg, 0, &s));
	CHECK(s.irreducible);
	CHECK_U64(s.exits[0].exit_cond, COR_COND_AE);
	cor_cfg_destroy(cfg);
}

/*
 * 3a: pause
 * 3c: call 0x103a           stays in the loop (call-return edge)
 * 41: jmp 0x3a
 */
static const uint8_t endless[] = {0xf3, 0x90, 0xe8, 0xf9, 0x0f, 0x00, 0x00, 0xeb, 0xf7};

COR_TEST(cfg_endless_loop_with_call)
{
	struct cor_cfg *cfg = build(t, endless, sizeof(endless));
	if (!cfg)
		return;
	CHECK_U64(cfg->num_blocks, 2);
	CHECK_U64(cfg->num_loops, 1);
	const struct cor_cfg_block *b0 = &cfg->blocks[0];
	CHECK_U64(b0->num_edges, 1);
	CHECK_U64(cfg->edges[b0->first_edge].kind, COR_EDGE_CALL_RETURN);
	struct cor_loop_summary s;
	CHECK_OK(cor_loop_summarize(cfg, 0, &s));
	CHECK_U64(s.num_exits, 0);
	CHECK(s.has_pause);
	CHECK_U64(s.num_calls, 1);
	CHECK_U64(s.calls[0], BASE + 0x1000);
	CHECK_U64(s.kind, COR_LOOP_ENDLESS);
	cor_cfg_destroy(cfg);
}

/*
 * 0: pause
 * 2: cmp 0x8(%rdi),%esi     a register compared with memory
 * 5: jne 0x0
 * 7: ret
 */
static const uint8_t poll_cmp_mem[] = {0xf3, 0x90, 0x3b, 0x77, 0x08, 0x75, 0xf9, 0xc3};

COR_TEST(cfg_register_compared_with_load)
{
	struct cor_cfg *cfg = build(t, poll_cmp_mem, sizeof(poll_cmp_mem));
	if (!cfg)
		return;
	CHECK_U64(cfg->num_loops, 1);
	struct cor_loop_summary s;
	CHECK_OK(cor_loop_summarize(cfg, 0, &s));
	CHECK_U64(s.num_loads, 1);
	CHECK_U64(s.loads[0].mem.base, COR_REG_RDI);
	CHECK_U64(s.loads[0].mem.disp, 8);
	CHECK(s.loads[0].invariant);
	CHECK_U64(s.num_exits, 1);
	CHECK_U64(s.exits[0].exit_cond, COR_COND_E);
	CHECK_U64(s.exits[0].lhs.kind, COR_VAL_INVARIANT_REG);
	CHECK_U64(s.exits[0].lhs.reg, COR_REG_RSI);
	CHECK_U64(s.exits[0].rhs.kind, COR_VAL_LOAD);
	CHECK_U64(s.kind, COR_LOOP_POLL);
	struct cor_strbuf sb = {0};
	cor_loop_exit_describe(&s, &s.exits[0], &sb);
	CHECK_STR(cor_strbuf_cstr(&sb), "%esi != *(u32 *)0x8(%rdi)");
	cor_strbuf_deinit(&sb);
	cor_cfg_destroy(cfg);
}

/*
 * 0: mov %rbx,%rdi
 * 3: call 0x1000            a loop that calls its condition
 * 8: test %al,%al
 * a: je 0x0
 * c: ret
 */
static const uint8_t call_poll[] = {0x48, 0x89, 0xdf, 0xe8, 0xf8, 0x0f, 0x00,
				    0x00, 0x84, 0xc0, 0x74, 0xf4, 0xc3};

COR_TEST(cfg_exit_on_call_result)
{
	struct cor_cfg *cfg = build(t, call_poll, sizeof(call_poll));
	if (!cfg)
		return;
	CHECK_U64(cfg->num_loops, 1);
	CHECK_U64(cfg->loops[0].num_blocks, 2); /* the call ends a block; the loop keeps it */
	struct cor_loop_summary s;
	CHECK_OK(cor_loop_summarize(cfg, 0, &s));
	CHECK_U64(s.num_calls, 1);
	CHECK_U64(s.calls[0], BASE + 0x1000);
	CHECK_U64(s.num_exits, 1);
	CHECK_U64(s.exits[0].exit_cond, COR_COND_NE);
	CHECK_U64(s.exits[0].lhs.kind, COR_VAL_CALL_RESULT);
	CHECK_U64(s.exits[0].lhs.call_target, BASE + 0x1000);
	CHECK_U64(s.kind, COR_LOOP_GENERIC);
	cor_cfg_destroy(cfg);
}

/*
 * A seqcount read of a word reached through a register (a seqcount inside a
 * struct), as read_seqcount_begin()/read_seqcount_retry() compile:
 *  0: jmp 0x4
 *  2: pause
 *  4: mov 0x8(%rdi),%eax    <- header
 *  7: test $0x1,%al
 *  9: jne 0x2               wait while odd
 *  b: mov 0x10(%rdi),%rdx
 *  f: mov 0x8(%rdi),%ecx
 * 12: cmp %eax,%ecx
 * 14: jne 0x4               retry while changed
 * 16: mov %rdx,%rax
 * 19: ret
 */
static const uint8_t seq_in_struct[] = {0xeb, 0x02, 0xf3, 0x90, 0x8b, 0x47, 0x08, 0xa8, 0x01,
					0x75, 0xf7, 0x48, 0x8b, 0x57, 0x10, 0x8b, 0x4f, 0x08,
					0x39, 0xc1, 0x75, 0xee, 0x48, 0x89, 0xd0, 0xc3};

/*
 * csd_lock_wait()'s shape: a wait while bit 0 is set, with no retry around
 * it. It is a poll, not a seqcount read.
 *  0: mov 0x8(%rdi),%eax
 *  3: test $0x1,%al
 *  5: je 0xb
 *  7: pause
 *  9: jmp 0x0
 *  b: ret
 */
static const uint8_t bit_wait[] = {0x8b, 0x47, 0x08, 0xa8, 0x01, 0x74,
				   0x04, 0xf3, 0x90, 0xeb, 0xf5, 0xc3};

COR_TEST(cfg_seqcount_needs_a_retry)
{
	struct cor_cfg *cfg = build(t, seq_in_struct, sizeof(seq_in_struct));
	if (!cfg)
		return;
	/* Header 0x4 has two back edges (from 0x2 and 0x14) whose bodies nest. */
	CHECK_U64(cfg->num_loops, 3);
	size_t inner = cor_cfg_innermost_loop(cfg, BASE + 2);
	CHECK(inner != COR_CFG_NONE);
	if (inner != COR_CFG_NONE) {
		CHECK(cfg->loops[inner].same_header);
		struct cor_loop_summary s;
		CHECK_OK(cor_loop_summarize(cfg, inner, &s));
		CHECK(s.seq_waits_odd);
		CHECK(!s.seq_retries);
		CHECK_U64(s.kind, COR_LOOP_SEQCOUNT);
		CHECK(s.seq_retry_loop != COR_CFG_NONE && s.seq_retry_loop != inner);
		CHECK_U64(s.loads[s.exits[0].lhs.load].mem.base, COR_REG_RDI);
	}
	cor_cfg_destroy(cfg);

	cfg = build(t, bit_wait, sizeof(bit_wait));
	if (!cfg)
		return;
	CHECK_U64(cfg->num_loops, 1);
	struct cor_loop_summary s;
	CHECK_OK(cor_loop_summarize(cfg, 0, &s));
	CHECK(s.seq_waits_odd);
	CHECK_U64(s.kind, COR_LOOP_POLL);
	CHECK_U64(s.seq_retry_loop, COR_CFG_NONE);
	cor_cfg_destroy(cfg);
}

/*
 * A static branch (the shape of __shuffle_free_memory in 6.1): the block at
 * 0x10 runs only when the 2-byte nop at 0xc is patched into a jmp. It is
 * analysed as a separate DFS tree and does not make the loop irreducible.
 *  c: xchg %ax,%ax          <- header (static branch site)
 *  e: jmp 0x18
 * 10: mov %rbx,%rdi         unreachable from the entry
 * 13: call 0x1000
 * 18: add $0x600,%rbx
 * 1f: cmp %rbp,%rbx
 * 22: jne 0xc
 */
static const uint8_t static_branch[] = {0x55, 0x48, 0x8d, 0xaf, 0x00, 0x1e, 0x00, 0x00, 0x53, 0x48,
					0x89, 0xfb, 0x66, 0x90, 0xeb, 0x08, 0x48, 0x89, 0xdf, 0xe8,
					0xe8, 0x0f, 0x00, 0x00, 0x48, 0x81, 0xc3, 0x00, 0x06, 0x00,
					0x00, 0x48, 0x39, 0xeb, 0x75, 0xe8, 0x5b, 0x5d, 0xc3};

COR_TEST(cfg_static_branch_stays_natural)
{
	struct cor_cfg *cfg = build(t, static_branch, sizeof(static_branch));
	if (!cfg)
		return;
	size_t off = cor_cfg_block_at(cfg, BASE + 0x10);
	CHECK(off != COR_CFG_NONE && !cfg->blocks[off].reachable);
	CHECK_U64(cfg->num_loops, 1);
	CHECK(!cfg->loops[0].irreducible);
	CHECK_U64(cfg->blocks[cfg->loops[0].header].start, BASE + 0xc);
	CHECK(!cor_cfg_loop_contains(cfg, 0, off));
	CHECK_U64(cor_cfg_innermost_loop(cfg, BASE + 0x1f), 0);
	struct cor_loop_summary s;
	CHECK_OK(cor_loop_summarize(cfg, 0, &s));
	CHECK_U64(s.kind, COR_LOOP_COUNTED); /* rbx += 0x600 until it equals rbp */
	CHECK_U64(s.exits[0].lhs.step, 0x600);
	cor_cfg_destroy(cfg);
}

/* Garbage: undecodable bytes, jumps into the middle of instructions, to itself. */
COR_TEST(cfg_garbage_terminates)
{
	static const uint8_t junk[] = {0xeb, 0xff, 0xc0, 0x74, 0xfd, 0x0f, 0x0b, 0xff,
				       0xff, 0xeb, 0xfe, 0x06, 0x07, 0x75, 0x80};
	struct cor_cfg *cfg = build(t, junk, sizeof(junk));
	if (!cfg)
		return;
	/* "jmp .+1" lands inside itself: counted, left out of the graph. */
	CHECK(cfg->mid_insn_targets >= 1);
	/* "jmp ." (eb fe) at 9 is a one-block endless loop. */
	size_t l = cor_cfg_innermost_loop(cfg, BASE + 9);
	CHECK(l != COR_CFG_NONE);
	for (size_t i = 0; i < cfg->num_loops; i++) {
		struct cor_loop_summary s;
		CHECK_OK(cor_loop_summarize(cfg, i, &s));
	}
	CHECK_ERR(cor_loop_summarize(cfg, cfg->num_loops, &(struct cor_loop_summary){0}),
		  COR_ERR_INVALID);
	cor_cfg_destroy(cfg);
	CHECK_ERR(cor_cfg_build(NULL, 0, &cfg), COR_ERR_INVALID);
}
