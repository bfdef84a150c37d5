// SPDX-License-Identifier: MIT
// The unwinder: ORC (as arch/x86/kernel/unwind_orc.c, 6.1, unwind_next_frame),
// frame pointers where no ORC entry covers an ip (the kernel's orc_fp_entry),
// pt_regs exception frames, stack switches. Reads go through callbacks, so
// the same code runs on a dump, a synthetic image and fuzz input.
#include <stdio.h>
#include <string.h>

#include "coroner/stack.h"

#define MAX_FRAMES_DEFAULT 256

const char *cor_stack_kind_name(enum cor_stack_kind kind)
{
	/* crash's names (x86_64.c x86_64_exception_stacks / "IRQ stack"). */
	switch (kind) {
	case COR_STACK_TASK:
		return "task stack";
	case COR_STACK_IRQ:
		return "IRQ stack";
	case COR_STACK_NMI:
		return "NMI exception stack";
	case COR_STACK_DF:
		return "DOUBLEFAULT exception stack";
	case COR_STACK_MCE:
		return "MCE exception stack";
	case COR_STACK_DB:
		return "DEBUG exception stack";
	case COR_STACK_VC:
		return "VC exception stack";
	case COR_STACK_VC2:
		return "VC2 exception stack";
	default:
		return "unknown stack";
	}
}

void cor_ptregs_layout_x86_64(struct cor_ptregs_layout *ret)
{
	/* struct pt_regs, arch/x86/include/asm/ptrace.h (x86-64). */
	static const enum cor_cpu_reg order[] = {
	    COR_CPU_REG_R15, COR_CPU_REG_R14, COR_CPU_REG_R13,	 COR_CPU_REG_R12,
	    COR_CPU_REG_BP,  COR_CPU_REG_BX,  COR_CPU_REG_R11,	 COR_CPU_REG_R10,
	    COR_CPU_REG_R9,  COR_CPU_REG_R8,  COR_CPU_REG_AX,	 COR_CPU_REG_CX,
	    COR_CPU_REG_DX,  COR_CPU_REG_SI,  COR_CPU_REG_DI,	 COR_CPU_REG_ORIG_AX,
	    COR_CPU_REG_IP,  COR_CPU_REG_CS,  COR_CPU_REG_FLAGS, COR_CPU_REG_SP,
	    COR_CPU_REG_SS,
	};
	for (int i = 0; i < COR_CPU_REG_NUM; i++)
		ret->off[i] = UINT32_MAX;
	for (size_t i = 0; i < COR_ARRAY_SIZE(order); i++)
		ret->off[order[i]] = (uint32_t)(8 * i);
	ret->size = 8 * COR_ARRAY_SIZE(order);
}

void cor_backtrace_init(struct cor_backtrace *bt)
{
	memset(bt, 0, sizeof(*bt));
	cor_vec_init(&bt->frames, sizeof(struct cor_frame));
}

void cor_backtrace_deinit(struct cor_backtrace *bt)
{
	cor_vec_deinit(&bt->frames);
}

struct uw {
	const struct cor_unwind_ops *ops;
	void *arg;
	const struct cor_ptregs_layout *layout;
	struct cor_backtrace *bt;
	struct cor_regs regs;
	/* ip is exact (first frame, after pt_regs), not a return address. */
	bool signal;
	uint64_t slot;
	/* Stacks already left: going back to one is a loop. */
	unsigned left_mask;
	enum cor_stack_kind cur_stack;
	uint64_t cur_lo, cur_hi;
	struct cor_regs hint;
};

static void end(struct uw *u, const char *fmt, uint64_t a)
{
	snprintf(u->bt->end_reason, sizeof(u->bt->end_reason), fmt, (unsigned long long)a);
}

static bool rd64(struct uw *u, uint64_t addr, uint64_t *v)
{
	uint8_t b[8];
	struct cor_error *err = u->ops->read(u->arg, addr, b, 8);
	if (err) {
		snprintf(u->bt->end_reason, sizeof(u->bt->end_reason),
			 "cannot read stack at %llx: %s", (unsigned long long)addr, err->message);
		cor_error_destroy(err);
		return false;
	}
	*v = cor_le64(b);
	return true;
}

#define HAS(r, reg) (((r)->valid >> (reg)) & 1)

/* Reads pt_regs at @addr; @partial: only the iret frame (ip, cs, flags, sp, ss). */
static bool read_ptregs(struct uw *u, uint64_t addr, bool partial, struct cor_regs *out)
{
	uint8_t buf[512];
	const struct cor_ptregs_layout *l = u->layout;
	if (l->size > sizeof(buf) || l->off[COR_CPU_REG_IP] == UINT32_MAX)
		return end(u, "bad pt_regs layout%.0llx", 0), false;
	uint64_t base = addr, len = l->size;
	if (partial) { /* the iret frame starts at pt_regs.ip: read from there */
		base = addr + l->off[COR_CPU_REG_IP];
		len = l->size - l->off[COR_CPU_REG_IP];
	}
	struct cor_error *err = u->ops->read(u->arg, base, buf, len);
	if (err) {
		snprintf(u->bt->end_reason, sizeof(u->bt->end_reason),
			 "cannot read pt_regs at %llx: %s", (unsigned long long)addr, err->message);
		cor_error_destroy(err);
		return false;
	}
	*out = u->regs;
	if (!partial)
		out->valid = 0;
	for (int r = 0; r < COR_CPU_REG_NUM; r++) {
		uint32_t off = l->off[r];
		if (off == UINT32_MAX || off + 8 > l->size)
			continue;
		if (partial && off < l->off[COR_CPU_REG_IP])
			continue;
		out->r[r] = cor_le64(buf + (off - (base - addr)));
		out->valid |= 1u << r;
	}
	return true;
}

static struct cor_error *push(struct uw *u, uint64_t pc, uint64_t sp, enum cor_frame_how how,
			      struct cor_frame **ret)
{
	struct cor_frame *f;
	struct cor_error *err = cor_vec_push_zero(&u->bt->frames, (void **)&f);
	if (err)
		return err;
	f->pc = pc;
	f->sp = sp;
	f->how = how;
	struct cor_stack_range r;
	f->stack = u->ops->stack_of(u->arg, sp, &r) ? r.kind : COR_STACK_UNKNOWN;
	*ret = f;
	return NULL;
}

/* ORC's new sp (the CFA). */
static bool orc_sp(struct uw *u, const struct cor_orc_entry *o, uint64_t *sp)
{
	uint64_t v;
	switch (o->sp_reg) {
	case COR_ORC_REG_SP:
		*sp = u->regs.r[COR_CPU_REG_SP] + (int64_t)o->sp_offset;
		return true;
	case COR_ORC_REG_BP:
		if (!HAS(&u->regs, COR_CPU_REG_BP))
			return end(u, "ORC: frame needs RBP, unknown here%.0llx", 0), false;
		*sp = u->regs.r[COR_CPU_REG_BP] + (int64_t)o->sp_offset;
		return true;
	case COR_ORC_REG_SP_INDIRECT:
		if (!rd64(u, u->regs.r[COR_CPU_REG_SP], &v))
			return false;
		*sp = v + (int64_t)o->sp_offset;
		return true;
	case COR_ORC_REG_BP_INDIRECT:
		if (!HAS(&u->regs, COR_CPU_REG_BP))
			return end(u, "ORC: frame needs RBP, unknown here%.0llx", 0), false;
		return rd64(u, u->regs.r[COR_CPU_REG_BP] + (int64_t)o->sp_offset, sp);
	case COR_ORC_REG_R10:
	case COR_ORC_REG_R13:
	case COR_ORC_REG_DI:
	case COR_ORC_REG_DX: {
		enum cor_cpu_reg r = o->sp_reg == COR_ORC_REG_R10   ? COR_CPU_REG_R10
				     : o->sp_reg == COR_ORC_REG_R13 ? COR_CPU_REG_R13
				     : o->sp_reg == COR_ORC_REG_DI  ? COR_CPU_REG_DI
								    : COR_CPU_REG_DX;
		if (!HAS(&u->regs, r))
			return end(u,
				   "ORC: frame needs a register saved only in full pt_regs at "
				   "%llx",
				   u->regs.r[COR_CPU_REG_IP]),
			       false;
		*sp = u->regs.r[r] + (int64_t)o->sp_offset;
		return true;
	}
	default:
		end(u, "ORC: unknown sp_reg %llu", o->sp_reg);
		return false;
	}
}

/* Checks the move of sp to @new_sp: forward on a stack, or to a stack not left before. */
static bool check_sp(struct uw *u, uint64_t new_sp)
{
	struct cor_stack_range r;
	if (!u->ops->stack_of(u->arg, new_sp - 1, &r) && !u->ops->stack_of(u->arg, new_sp, &r) &&
	    /* In the guard page below a stack: an overflow, whose frames go on above. */
	    !u->ops->stack_of(u->arg, new_sp + 4096, &r))
		return end(u, "stack pointer %llx is on no known stack", new_sp), false;
	if (r.kind == u->cur_stack && r.lo == u->cur_lo) {
		if (new_sp <= u->regs.r[COR_CPU_REG_SP] && !u->signal)
			return end(u, "stack pointer went backwards to %llx", new_sp), false;
		return true;
	}
	if (u->left_mask & (1u << r.kind))
		return end(u, "stack loop: back to a stack already left, at %llx", new_sp), false;
	if (u->cur_stack != COR_STACK_UNKNOWN)
		u->left_mask |= 1u << u->cur_stack;
	u->cur_stack = r.kind;
	u->cur_lo = r.lo;
	u->cur_hi = r.hi;
	return true;
}

/* Would ORC unwind one frame from a return address @v read at @slot? */
static bool plausible_return(struct uw *u, uint64_t v, uint64_t slot)
{
	struct cor_orc_entry o;
	if (!u->ops->is_text(u->arg, v) || !u->ops->find_orc(u->arg, v - 1, &o))
		return false;
	if (o.type == COR_ORC_END)
		return true;
	if (o.type != COR_ORC_CALL && o.type != COR_ORC_REGS && o.type != COR_ORC_REGS_PARTIAL)
		return false;
	if (o.sp_reg != COR_ORC_REG_SP || o.sp_offset < 8 || o.sp_offset > 4096)
		return o.sp_reg == COR_ORC_REG_SP_INDIRECT || o.sp_reg == COR_ORC_REG_BP;
	if (o.type != COR_ORC_CALL)
		return true;
	uint64_t ret;
	uint8_t b[8];
	struct cor_error *err = u->ops->read(u->arg, slot + 8 + (uint64_t)o.sp_offset - 8, b, 8);
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	ret = cor_le64(b);
	return u->ops->is_text(u->arg, ret);
}

/*
 * No ORC for this ip (objtool skips STACK_FRAME_NON_STANDARD functions, e.g.
 * __crash_kexec() in 6.1, whose crash_setup_regs() asm it cannot follow):
 * find the caller's return address above sp, the first word that is text
 * and from which ORC goes on (crash does the same by scanning).
 */
static int skip_unknown(struct uw *u, struct cor_error **errp)
{
	uint64_t sp = u->regs.r[COR_CPU_REG_SP], ip = u->regs.r[COR_CPU_REG_IP];
	const struct cor_regs *h = &u->hint;
	if (HAS(h, COR_CPU_REG_SP) && HAS(h, COR_CPU_REG_BP) && h->r[COR_CPU_REG_SP] >= sp &&
	    h->r[COR_CPU_REG_SP] - sp < 2048) {
		/* The hint was saved inside this frame: its RBP is this function's. */
		sp = h->r[COR_CPU_REG_SP];
		u->regs.r[COR_CPU_REG_BP] = h->r[COR_CPU_REG_BP];
		u->regs.valid |= 1u << COR_CPU_REG_BP;
	}
	for (uint64_t a = sp; a < sp + 2048 && a + 8 <= u->cur_hi; a += 8) {
		uint64_t v;
		if (!rd64(u, a, &v))
			return 0;
		if (!plausible_return(u, v, a))
			continue;
		struct cor_frame *nf;
		u->regs.r[COR_CPU_REG_IP] = v;
		u->regs.r[COR_CPU_REG_SP] = a + 8;
		/* RBP is callee-saved: the skipped function returns it as it found it. */
		u->regs.valid &= (1u << COR_CPU_REG_BP);
		u->regs.valid |= (1u << COR_CPU_REG_IP) | (1u << COR_CPU_REG_SP);
		u->signal = false;
		if ((*errp = push(u, v, a, COR_FRAME_SKIP, &nf)))
			return -1;
		return 1;
	}
	return end(u, "ORC: no unwind information for %llx, and no return address above", ip), 0;
}

/* One step; returns 1 to go on, 0 at the end (complete or not), -1 on ENOMEM. */
static int step(struct uw *u, struct cor_frame *f, struct cor_error **errp)
{
	struct cor_orc_entry o;
	uint64_t ip = u->regs.r[COR_CPU_REG_IP];
	if (!u->ops->find_orc(u->arg, u->signal ? ip : ip - 1, &o)) {
		/* No ORC: frame pointers (unwind_orc.c orc_fp_entry). */
		o = (struct cor_orc_entry){.sp_reg = COR_ORC_REG_BP,
					   .sp_offset = 16,
					   .bp_reg = COR_ORC_REG_PREV_SP,
					   .bp_offset = -16,
					   .type = COR_ORC_CALL};
		if (!HAS(&u->regs, COR_CPU_REG_BP) || u->regs.r[COR_CPU_REG_BP] == 0)
			return end(u, "no ORC entry and no frame pointer at %llx", ip), 0;
	}
	if (o.type == COR_ORC_END) {
		u->bt->complete = true;
		return 0;
	}
	if (o.type == COR_ORC_UNDEFINED)
		return skip_unknown(u, errp);
	uint64_t sp;
	if (!orc_sp(u, &o, &sp))
		return 0;
	struct cor_regs next = u->regs;
	uint64_t slot;
	bool signal = false;
	if (o.type == COR_ORC_CALL) {
		if (!rd64(u, sp - 8, &next.r[COR_CPU_REG_IP]))
			return 0;
		next.r[COR_CPU_REG_SP] = sp;
		slot = sp - 8;
		/* Caller-saved registers are unknown past a call. */
		next.valid = (1u << COR_CPU_REG_IP) | (1u << COR_CPU_REG_SP) |
			     (u->regs.valid & (1u << COR_CPU_REG_BP));
	} else {
		bool partial = o.type == COR_ORC_REGS_PARTIAL;
		uint64_t addr = partial ? sp - u->layout->off[COR_CPU_REG_IP] : sp;
		if (!read_ptregs(u, addr, partial, &next))
			return 0;
		f->has_regs = true;
		f->regs_addr = addr;
		f->regs = next;
		if ((next.r[COR_CPU_REG_CS] & 3) == 3) { /* user mode: the task's bottom */
			f->user_regs = true;
			u->bt->complete = true;
			return 0;
		}
		slot = next.r[COR_CPU_REG_SP];
		signal = true;
	}
	switch (o.bp_reg) {
	case COR_ORC_REG_UNDEFINED:
		break; /* unchanged, or from pt_regs above */
	case COR_ORC_REG_PREV_SP:
		if (!rd64(u, sp + (int64_t)o.bp_offset, &next.r[COR_CPU_REG_BP]))
			return 0;
		next.valid |= 1u << COR_CPU_REG_BP;
		break;
	case COR_ORC_REG_BP:
		if (!HAS(&u->regs, COR_CPU_REG_BP) ||
		    !rd64(u, u->regs.r[COR_CPU_REG_BP] + (int64_t)o.bp_offset,
			  &next.r[COR_CPU_REG_BP]))
			return 0;
		next.valid |= 1u << COR_CPU_REG_BP;
		break;
	default:
		return end(u, "ORC: unknown bp_reg %llu", o.bp_reg), 0;
	}
	uint64_t nip = next.r[COR_CPU_REG_IP];
	if (!u->ops->is_text(u->arg, nip))
		return end(u, "return address %llx is not kernel text", nip), 0;
	if (!check_sp(u, next.r[COR_CPU_REG_SP]))
		return 0;
	u->regs = next;
	u->signal = signal;
	struct cor_frame *nf;
	if ((*errp = push(u, nip, slot, signal ? COR_FRAME_EXCEPTION : COR_FRAME_ORC, &nf)))
		return -1;
	return 1;
}

struct cor_error *cor_unwind(const struct cor_unwind_ops *ops, void *arg,
			     const struct cor_ptregs_layout *layout,
			     const struct cor_unwind_start *start, unsigned max_frames,
			     struct cor_backtrace *bt)
{
	struct uw u = {.ops = ops,
		       .arg = arg,
		       .layout = layout,
		       .bt = bt,
		       .regs = start->regs,
		       .hint = start->hint};
	if (!max_frames)
		max_frames = MAX_FRAMES_DEFAULT;
	u.signal = start->slot == 0;
	u.regs.valid |= (1u << COR_CPU_REG_IP) | (1u << COR_CPU_REG_SP);
	struct cor_stack_range r;
	uint64_t sp0 = start->slot ? start->slot : u.regs.r[COR_CPU_REG_SP];
	if (ops->stack_of(arg, sp0, &r)) {
		u.cur_stack = r.kind;
		u.cur_lo = r.lo;
		u.cur_hi = r.hi;
	}
	struct cor_frame *f;
	struct cor_error *err =
	    push(&u, u.regs.r[COR_CPU_REG_IP], sp0,
		 start->slot ? COR_FRAME_STACK_START : COR_FRAME_REGS_START, &f);
	if (err)
		return err;
	bt->complete = false;
	bt->end_reason[0] = 0;
	if (!ops->is_text(arg, u.regs.r[COR_CPU_REG_IP])) {
		end(&u, "RIP %llx is not kernel text", u.regs.r[COR_CPU_REG_IP]);
		return NULL;
	}
	for (unsigned n = 1;; n++) {
		if (n >= max_frames) {
			end(&u, "stopped after %llu frames", max_frames);
			return NULL;
		}
		f = cor_vec_at(&bt->frames, bt->frames.len - 1);
		int rc = step(&u, f, &err);
		if (rc < 0)
			return err;
		if (rc == 0)
			break;
	}
	if (bt->complete || !start->scan_on_failure || !ops->stack_of(arg, f->sp, &r))
		return NULL;
	/* The scan keeps the reason the unwind ended and marks itself complete
	 * only in its own sense: bt->complete stays false. */
	char reason[sizeof(bt->end_reason)];
	memcpy(reason, bt->end_reason, sizeof(reason));
	unsigned left = max_frames > bt->frames.len ? max_frames - (unsigned)bt->frames.len : 0;
	/* From RSP for an exact RIP; past the slot of a return address. */
	uint64_t from =
	    f->how == COR_FRAME_REGS_START || f->how == COR_FRAME_EXCEPTION ? f->sp : f->sp + 8;
	if (left && (err = cor_stack_scan(ops, arg, from, r.hi, left, bt)))
		return err;
	bt->complete = false;
	memcpy(bt->end_reason, reason, sizeof(reason));
	return NULL;
}

struct cor_error *cor_stack_scan(const struct cor_unwind_ops *ops, void *arg, uint64_t lo,
				 uint64_t hi, unsigned max_frames, struct cor_backtrace *bt)
{
	if (!max_frames)
		max_frames = 4096;
	lo = (lo + 7) & ~7ull;
	unsigned n = 0;
	for (uint64_t a = lo; a + 8 <= hi && a >= lo; a += 8) {
		uint8_t b[8];
		struct cor_error *err = ops->read(arg, a, b, 8);
		if (err) {
			snprintf(bt->end_reason, sizeof(bt->end_reason),
				 "cannot read stack at %llx: %s", (unsigned long long)a,
				 err->message);
			cor_error_destroy(err);
			return NULL;
		}
		uint64_t v = cor_le64(b);
		if (!ops->is_text(arg, v))
			continue;
		if (n++ >= max_frames) {
			snprintf(bt->end_reason, sizeof(bt->end_reason), "stopped after %u frames",
				 max_frames);
			return NULL;
		}
		struct cor_frame *f;
		if ((err = cor_vec_push_zero(&bt->frames, (void **)&f)))
			return err;
		struct cor_stack_range r;
		f->pc = v;
		f->sp = a;
		f->how = COR_FRAME_SCAN;
		f->stack = ops->stack_of(arg, a, &r) ? r.kind : COR_STACK_UNKNOWN;
	}
	bt->complete = true;
	return NULL;
}
