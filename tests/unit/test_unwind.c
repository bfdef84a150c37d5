// SPDX-License-Identifier: MIT
// The ORC parser and the unwinder on synthetic stacks: a three-function call
// chain ending at an END entry, a pt_regs exception frame with a switch from
// an IRQ stack to the task stack, a garbage return address, a stack pointer
// that goes backwards. Expected values are worked out by hand from the
// synthetic layout below (the unwinder never saw them).
#include <string.h>

#include "coroner/stack.h"
#include "harness.h"

#define TEXT	    0xffffffff81000000ull
#define TASK_STACK  0xffffc90000010000ull
#define IRQ_STACK   0xffffc90000020000ull
#define STACK_SIZE  0x1000
#define ORC_IP_ADDR 0xffffffff82000000ull

struct world {
	uint8_t task[STACK_SIZE], irq[STACK_SIZE];
	uint8_t ip[4 * 8], orc[6 * 8];
	struct cor_orc_table tab;
};

static uint8_t *at(struct world *w, uint64_t addr, size_t len)
{
	if (addr >= TASK_STACK && addr + len <= TASK_STACK + STACK_SIZE)
		return w->task + (addr - TASK_STACK);
	if (addr >= IRQ_STACK && addr + len <= IRQ_STACK + STACK_SIZE)
		return w->irq + (addr - IRQ_STACK);
	return NULL;
}

static struct cor_error *w_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	uint8_t *p = at(arg, addr, len);
	if (!p)
		return cor_error_fault(addr, "0x%llx not mapped", (unsigned long long)addr);
	memcpy(buf, p, len);
	return NULL;
}

static bool w_orc(void *arg, uint64_t ip, struct cor_orc_entry *ret)
{
	struct world *w = arg;
	return cor_orc_find(&w->tab, ip, ret);
}

static bool w_stack(void *arg, uint64_t sp, struct cor_stack_range *ret)
{
	(void)arg;
	if (sp >= TASK_STACK && sp < TASK_STACK + STACK_SIZE)
		*ret =
		    (struct cor_stack_range){COR_STACK_TASK, TASK_STACK, TASK_STACK + STACK_SIZE};
	else if (sp >= IRQ_STACK && sp < IRQ_STACK + STACK_SIZE)
		*ret = (struct cor_stack_range){COR_STACK_IRQ, IRQ_STACK, IRQ_STACK + STACK_SIZE};
	else
		return false;
	return true;
}

static bool w_text(void *arg, uint64_t ip)
{
	(void)arg;
	return ip >= TEXT && ip < TEXT + 0x10000;
}

static const struct cor_unwind_ops ops = {w_read, w_orc, w_stack, w_text};

/* Entry i of the 6.1 layout: function at TEXT + 0x1000 * i. */
static void set_entry(struct world *w, int i, int16_t sp_off, unsigned sp_reg, unsigned type,
		      bool end)
{
	uint64_t a = TEXT + 0x1000ull * (unsigned)i;
	cor_put_le32(w->ip + 4 * i, (uint32_t)(int32_t)(a - (ORC_IP_ADDR + 4ull * (unsigned)i)));
	uint16_t bits = (uint16_t)(sp_reg | type << 8 | (end ? 1u << 10 : 0));
	w->orc[6 * i] = (uint8_t)sp_off;
	w->orc[6 * i + 1] = (uint8_t)((uint16_t)sp_off >> 8);
	w->orc[6 * i + 2] = w->orc[6 * i + 3] = 0;
	w->orc[6 * i + 4] = (uint8_t)bits;
	w->orc[6 * i + 5] = (uint8_t)(bits >> 8);
}

static void put(struct world *w, uint64_t addr, uint64_t v)
{
	cor_put_le64(at(w, addr, 8), v);
}

/* A: CALL sp+16; B: CALL sp+24; C: END; D: REGS (pt_regs at sp); E: SP_INDIRECT+8 CALL. */
static void setup(struct world *w)
{
	memset(w, 0, sizeof(*w));
	set_entry(w, 0, 16, COR_ORC_REG_SP, 0, false);
	set_entry(w, 1, 24, COR_ORC_REG_SP, 0, false);
	set_entry(w, 2, 0, COR_ORC_REG_UNDEFINED, 0, true);
	set_entry(w, 3, 0, COR_ORC_REG_SP, 1, false);
	set_entry(w, 4, 8, COR_ORC_REG_SP_INDIRECT, 0, false);
	set_entry(w, 5, 0, COR_ORC_REG_UNDEFINED, 0, false);
	struct cor_error *err = cor_orc_parse_mem(w->ip, 4 * 6, w->orc, 6 * 6, ORC_IP_ADDR,
						  COR_ORC_FMT_END_BIT, &w->tab);
	cor_error_destroy(err);
}

static struct cor_unwind_start start_at(uint64_t ip, uint64_t sp)
{
	struct cor_unwind_start s = {0};
	s.regs.r[COR_CPU_REG_IP] = ip;
	s.regs.r[COR_CPU_REG_SP] = sp;
	s.regs.valid = (1u << COR_CPU_REG_IP) | (1u << COR_CPU_REG_SP);
	return s;
}

COR_TEST(orc_parse_rejects_bad_tables)
{
	struct world w;
	setup(&w);
	struct cor_orc_table tab;
	CHECK_ERR(cor_orc_parse_mem(w.ip, 7, w.orc, 6, ORC_IP_ADDR, COR_ORC_FMT_END_BIT, &tab),
		  COR_ERR_CORRUPT);
	CHECK_ERR(cor_orc_parse_mem(w.ip, 8, w.orc, 6, ORC_IP_ADDR, COR_ORC_FMT_END_BIT, &tab),
		  COR_ERR_CORRUPT);
	uint8_t swapped[8];
	memcpy(swapped, w.ip + 4, 4);
	memcpy(swapped + 4, w.ip, 4); /* relative offsets no longer ascending */
	CHECK_ERR(cor_orc_parse_mem(swapped, 8, w.orc, 12, ORC_IP_ADDR, COR_ORC_FMT_END_BIT, &tab),
		  COR_ERR_CORRUPT);
	struct cor_orc_entry e;
	CHECK(!cor_orc_find(&w.tab, TEXT - 1, &e));
	CHECK(cor_orc_find(&w.tab, TEXT + 0x1fff, &e));
	CHECK_U64(e.sp_offset, 24);
	CHECK(e.type == COR_ORC_CALL);
	CHECK(cor_orc_find(&w.tab, TEXT + 0x2000, &e) && e.type == COR_ORC_END);
}

COR_TEST(unwind_call_chain_to_end)
{
	struct world w;
	setup(&w);
	/* A at sp 0x100: CFA 0x110, ret at 0x108 -> B+0x10; B: CFA 0x128, ret
	 * at 0x120 -> C+0x10; C: END. */
	put(&w, TASK_STACK + 0x108, TEXT + 0x1010);
	put(&w, TASK_STACK + 0x120, TEXT + 0x2010);
	struct cor_unwind_start s = start_at(TEXT + 0x10, TASK_STACK + 0x100);
	struct cor_ptregs_layout l;
	cor_ptregs_layout_x86_64(&l);
	struct cor_backtrace bt;
	cor_backtrace_init(&bt);
	CHECK_OK(cor_unwind(&ops, &w, &l, &s, 0, &bt));
	CHECK_U64(bt.frames.len, 3);
	CHECK(bt.complete);
	if (bt.frames.len == 3) {
		CHECK_U64(cor_backtrace_frame(&bt, 1)->pc, TEXT + 0x1010);
		CHECK_U64(cor_backtrace_frame(&bt, 1)->sp, TASK_STACK + 0x108);
		CHECK_U64(cor_backtrace_frame(&bt, 2)->pc, TEXT + 0x2010);
		CHECK_U64(cor_backtrace_frame(&bt, 2)->sp, TASK_STACK + 0x120);
	}
	cor_backtrace_deinit(&bt);
}

COR_TEST(unwind_irq_stack_to_exception_frame)
{
	struct world w;
	setup(&w);
	/* E on the IRQ stack at sp 0xff0: *(sp) = old sp on the task stack
	 * (TASK+0x200); CFA = that + 8; ret at TASK+0x200 -> D+0x10 (REGS):
	 * pt_regs at TASK+0x208 with ip = A+0x10, sp = TASK+0x400, cs 0x10. */
	put(&w, IRQ_STACK + 0xff0, TASK_STACK + 0x200);
	put(&w, TASK_STACK + 0x200, TEXT + 0x3010);
	uint64_t regs = TASK_STACK + 0x208;
	put(&w, regs + 16 * 8, TEXT + 0x10);	    /* ip */
	put(&w, regs + 17 * 8, 0x10);		    /* cs */
	put(&w, regs + 19 * 8, TASK_STACK + 0x400); /* sp */
	put(&w, regs + 10 * 8, 0x1234);		    /* ax */
	put(&w, TASK_STACK + 0x408, TEXT + 0x2010); /* A's caller: C (END) */
	struct cor_unwind_start s = start_at(TEXT + 0x4010, IRQ_STACK + 0xff0);
	struct cor_ptregs_layout l;
	cor_ptregs_layout_x86_64(&l);
	struct cor_backtrace bt;
	cor_backtrace_init(&bt);
	CHECK_OK(cor_unwind(&ops, &w, &l, &s, 0, &bt));
	CHECK_U64(bt.frames.len, 4);
	CHECK(bt.complete);
	if (bt.frames.len == 4) {
		const struct cor_frame *d = cor_backtrace_frame(&bt, 1),
				       *a = cor_backtrace_frame(&bt, 2);
		CHECK(cor_backtrace_frame(&bt, 0)->stack == COR_STACK_IRQ);
		CHECK(d->stack == COR_STACK_TASK && d->has_regs);
		CHECK_U64(d->regs_addr, regs);
		CHECK_U64(d->regs.r[COR_CPU_REG_AX], 0x1234);
		CHECK_U64(a->pc, TEXT + 0x10);
		CHECK_U64(a->sp, TASK_STACK + 0x400);
		CHECK(a->how == COR_FRAME_EXCEPTION);
	}
	cor_backtrace_deinit(&bt);
}

COR_TEST(unwind_corrupt_stacks_end_with_reason)
{
	struct world w;
	setup(&w);
	struct cor_ptregs_layout l;
	cor_ptregs_layout_x86_64(&l);
	struct cor_backtrace bt;
	/* garbage return address */
	put(&w, TASK_STACK + 0x108, 0x4141414141414141ull);
	struct cor_unwind_start s = start_at(TEXT + 0x10, TASK_STACK + 0x100);
	cor_backtrace_init(&bt);
	CHECK_OK(cor_unwind(&ops, &w, &l, &s, 0, &bt));
	CHECK(!bt.complete && strstr(bt.end_reason, "not kernel text"));
	cor_backtrace_deinit(&bt);
	/* the same, scanning on: the text words above become '?' frames */
	put(&w, TASK_STACK + 0x140, TEXT + 0x2222);
	put(&w, TASK_STACK + 0x180, TEXT + 0x1111);
	s.scan_on_failure = true;
	cor_backtrace_init(&bt);
	CHECK_OK(cor_unwind(&ops, &w, &l, &s, 0, &bt));
	CHECK(!bt.complete && strstr(bt.end_reason, "not kernel text"));
	CHECK_U64(bt.frames.len, 3);
	if (bt.frames.len == 3) {
		CHECK(cor_backtrace_frame(&bt, 1)->how == COR_FRAME_SCAN);
		CHECK_U64(cor_backtrace_frame(&bt, 1)->pc, TEXT + 0x2222);
		CHECK_U64(cor_backtrace_frame(&bt, 2)->sp, TASK_STACK + 0x180);
	}
	cor_backtrace_deinit(&bt);
	s.scan_on_failure = false;
	/* a return address that leads to the same function again and again,
	 * with sp wrapping off the stack: ends, bounded */
	for (int i = 0; i < STACK_SIZE / 16; i++)
		put(&w, TASK_STACK + 16 * (uint64_t)i + 8, TEXT + 0x10);
	cor_backtrace_init(&bt);
	CHECK_OK(cor_unwind(&ops, &w, &l, &s, 1000, &bt));
	CHECK(!bt.complete && bt.end_reason[0]);
	CHECK(bt.frames.len < 1000);
	cor_backtrace_deinit(&bt);
	/* undefined ORC and nothing plausible above: ends with the reason */
	memset(w.task, 0, sizeof(w.task));
	s = start_at(TEXT + 0x5010, TASK_STACK + 0x100);
	cor_backtrace_init(&bt);
	CHECK_OK(cor_unwind(&ops, &w, &l, &s, 0, &bt));
	CHECK(!bt.complete && strstr(bt.end_reason, "no unwind information"));
	cor_backtrace_deinit(&bt);
}
