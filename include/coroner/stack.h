/* SPDX-License-Identifier: MIT */
/**
 * @file stack.h
 * Kernel stacks and backtraces: ORC tables (the dump's own, or a vmlinux's
 * .orc_unwind), an unwinder over any memory (ORC, then frame pointers),
 * stack kinds (task, IRQ, exception stacks of cpu_entry_area), pt_regs
 * exception frames. Every walk is bounded; a corrupt stack ends the trace
 * with a reason instead of an error.
 * Implementation: src/unwind/ (ORC, unwinder), src/kernel/stack.c (wiring).
 */
#ifndef CORONER_STACK_H
#define CORONER_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coroner/base.h"
#include "coroner/cpus.h"
#include "coroner/error.h"

struct cor_program;

/** Kinds of kernel stack. */
enum cor_stack_kind {
	COR_STACK_UNKNOWN,
	COR_STACK_TASK,
	COR_STACK_IRQ,
	COR_STACK_NMI,
	COR_STACK_DF,
	COR_STACK_MCE,
	COR_STACK_DB,
	COR_STACK_VC,
	COR_STACK_VC2,
	COR_STACK_NUM_KINDS
};

/** crash's name of a stack ("NMI exception stack", "IRQ stack", ...). */
const char *cor_stack_kind_name(enum cor_stack_kind kind);

/** A stack: [lo, hi). */
struct cor_stack_range {
	enum cor_stack_kind kind;
	uint64_t lo, hi;
};

/* ---- ORC ------------------------------------------------------------- */

/** Layout of struct orc_entry (arch/x86/include/asm/orc_types.h). */
enum cor_orc_format {
	/** Up to 6.2: sp_reg:4 bp_reg:4 type:2 end:1 (CALL 0, REGS 1, REGS_PARTIAL 2). */
	COR_ORC_FMT_END_BIT,
	/** 6.3+: sp_reg:4 bp_reg:4 type:3 signal:1 (UNDEFINED 0, END 1, CALL 2, REGS 3, PARTIAL 4).
	 */
	COR_ORC_FMT_SIGNAL_BIT,
};

/** ORC entry types, normalized across formats. */
enum cor_orc_type {
	COR_ORC_CALL,
	COR_ORC_REGS,
	COR_ORC_REGS_PARTIAL,
	COR_ORC_END,
	COR_ORC_UNDEFINED,
};

/** ORC registers (orc_types.h ORC_REG_*; same values in every version). */
enum {
	COR_ORC_REG_UNDEFINED = 0,
	COR_ORC_REG_PREV_SP = 1,
	COR_ORC_REG_DX = 2,
	COR_ORC_REG_DI = 3,
	COR_ORC_REG_BP = 4,
	COR_ORC_REG_SP = 5,
	COR_ORC_REG_R10 = 6,
	COR_ORC_REG_R13 = 7,
	COR_ORC_REG_BP_INDIRECT = 8,
	COR_ORC_REG_SP_INDIRECT = 9,
};

/** A decoded ORC entry. */
struct cor_orc_entry {
	int16_t sp_offset;
	int16_t bp_offset;
	uint8_t sp_reg;
	uint8_t bp_reg;
	enum cor_orc_type type;
	bool signal;
};

/**
 * An ORC table: int32 ip offsets (each relative to its own address) and
 * 6-byte entries. Borrows the buffers given to cor_orc_parse_mem().
 */
struct cor_orc_table {
	const uint8_t *ip;
	const uint8_t *orc;
	size_t num;
	/** Virtual address of the ip table (the base of the relative offsets). */
	uint64_t ip_addr;
	enum cor_orc_format fmt;
	/** Lowest and highest ip covered. */
	uint64_t first_ip, last_ip;
};

/**
 * Checks an ORC table (@p ip_len / 4 == @p orc_len / 6 entries, ips sorted)
 * and fills *@p ret, which borrows @p ip and @p orc. CORRUPT on a bad table.
 */
struct cor_error *cor_orc_parse_mem(const void *ip, size_t ip_len, const void *orc, size_t orc_len,
				    uint64_t ip_addr, enum cor_orc_format fmt,
				    struct cor_orc_table *ret) COR_MUST_CHECK;
/** Decodes the 6-byte entry at @p raw. */
void cor_orc_decode(const uint8_t *raw, enum cor_orc_format fmt, struct cor_orc_entry *ret);
/** The entry covering @p addr (the last ip <= addr); false if outside the table. */
bool cor_orc_find(const struct cor_orc_table *tab, uint64_t addr, struct cor_orc_entry *ret);

/**
 * Reads the ORC sections of the ELF file at @p path (a vmlinux): malloc'ed
 * copies of .orc_unwind_ip and .orc_unwind (the caller frees them) and the
 * link-time address of .orc_unwind_ip (add the KASLR offset for a dump).
 * NOT_FOUND if the file has no ORC sections.
 */
struct cor_error *cor_orc_read_elf(const char *path, uint8_t **ip_ret, size_t *ip_len_ret,
				   uint8_t **orc_ret, size_t *orc_len_ret,
				   uint64_t *ip_addr_ret) COR_MUST_CHECK;

/* ---- unwinder ----------------------------------------------------------- */

/** What the unwinder needs of the world; all callbacks must tolerate any address. */
struct cor_unwind_ops {
	/** Reads memory; an error ends the trace (the error text becomes the reason). */
	struct cor_error *(*read)(void *arg, uint64_t addr, void *buf, size_t len);
	/** The ORC entry for @p ip; false if none. */
	bool (*find_orc)(void *arg, uint64_t ip, struct cor_orc_entry *ret);
	/** The stack holding @p sp; false if none. */
	bool (*stack_of)(void *arg, uint64_t sp, struct cor_stack_range *ret);
	/** True if @p ip is kernel (or module) text. */
	bool (*is_text)(void *arg, uint64_t ip);
};

/** Offsets of each register in struct pt_regs (UINT32_MAX: absent), and its size. */
struct cor_ptregs_layout {
	uint32_t off[COR_CPU_REG_NUM];
	uint32_t size;
};

/** The x86-64 pt_regs layout of arch/x86/include/asm/ptrace.h (2.6.25 to 6.x), for tests. */
void cor_ptregs_layout_x86_64(struct cor_ptregs_layout *ret);

/** How a frame was found. */
enum cor_frame_how {
	/** The starting registers. */
	COR_FRAME_REGS_START,
	/** A return address on the stack where the trace starts (kdump anchors, sleeping tasks). */
	COR_FRAME_STACK_START,
	COR_FRAME_ORC,
	COR_FRAME_FP,
	/** After an exception frame: RIP of its pt_regs. */
	COR_FRAME_EXCEPTION,
	/** Past a function without ORC: the first plausible return address above sp. */
	COR_FRAME_SKIP,
	/** Text scan (unreliable, like crash's bt -t). */
	COR_FRAME_SCAN,
};

/** One frame. */
struct cor_frame {
	/** Program counter: a return address, or an exact RIP for the first/exception frames. */
	uint64_t pc;
	/** crash's [address]: where pc was read (its stack slot), or RSP for an exact RIP. */
	uint64_t sp;
	/** The stack @ref sp lies on. */
	enum cor_stack_kind stack;
	enum cor_frame_how how;
	/** This frame is an entry point whose pt_regs follow (printed after it). */
	bool has_regs;
	/** Those pt_regs are a user-mode context (the bottom of a task's kernel stack). */
	bool user_regs;
	uint64_t regs_addr;
	struct cor_regs regs;
	/** "name+off" or "" (filled by cor_program_backtrace()). */
	char symbol[160];
	/** Function name only, or "" (filled by cor_program_backtrace()). */
	char function[128];
};

/** A backtrace: frames innermost first, and how it ended. */
struct cor_backtrace {
	/** struct cor_frame elements. */
	struct cor_vec frames;
	/** True when the walk reached the end of the stack as the kernel marks it. */
	bool complete;
	/** Why it ended when not complete ("" otherwise). */
	char end_reason[192];
};

/** Initializes an empty backtrace. */
void cor_backtrace_init(struct cor_backtrace *bt);
/** Frees the frames. */
void cor_backtrace_deinit(struct cor_backtrace *bt);
/** Frame @p i. */
static inline const struct cor_frame *cor_backtrace_frame(const struct cor_backtrace *bt, size_t i)
{
	return (const struct cor_frame *)cor_vec_at(&bt->frames, i);
}

/** Where to start unwinding. */
struct cor_unwind_start {
	/** Registers (IP, SP at least; BP if known). */
	struct cor_regs regs;
	/** Nonzero: IP is a return address read at this stack slot (not an exact RIP). */
	uint64_t slot;
	/**
	 * Optional (valid mask 0: none): registers saved somewhere up the stack
	 * (a kdump note). Where the unwind meets a function without ORC whose
	 * frame holds hint's SP, it takes hint's RBP and scans from hint's SP.
	 */
	struct cor_regs hint;
	/**
	 * When the unwind fails, go on as crash's `bt -t` does: every kernel
	 * text address above the last good frame, on the same stack, becomes a
	 * COR_FRAME_SCAN frame (unreliable: stale return addresses show too).
	 */
	bool scan_on_failure;
};

/**
 * Unwinds from @p start through @p ops, at most @p max_frames frames, into
 * @p bt (appended). Only allocation failure is an error; a corrupt stack
 * ends the trace with bt->end_reason.
 */
struct cor_error *cor_unwind(const struct cor_unwind_ops *ops, void *arg,
			     const struct cor_ptregs_layout *layout,
			     const struct cor_unwind_start *start, unsigned max_frames,
			     struct cor_backtrace *bt) COR_MUST_CHECK;
/**
 * Text scan of [@p lo, @p hi): every word that is kernel text becomes a
 * COR_FRAME_SCAN frame (at most @p max_frames), like crash's `bt -t`.
 */
struct cor_error *cor_stack_scan(const struct cor_unwind_ops *ops, void *arg, uint64_t lo,
				 uint64_t hi, unsigned max_frames,
				 struct cor_backtrace *bt) COR_MUST_CHECK;

/* ---- on a program -------------------------------------------------------- */

/** The stacks of @p cpu (exception stacks, IRQ stack) and of @p task (0: none). */
struct cor_error *cor_program_stacks(struct cor_program *prog, unsigned cpu, uint64_t task,
				     struct cor_stack_range *ret, size_t max,
				     size_t *num_ret) COR_MUST_CHECK;

/** Text scan of @p stack (crash's `bt -t`): symbolized COR_FRAME_SCAN frames into @p bt. */
struct cor_error *cor_program_stack_scan(struct cor_program *prog,
					 const struct cor_stack_range *stack,
					 struct cor_backtrace *bt) COR_MUST_CHECK;

/** Options of a backtrace. */
struct cor_bt_options {
	unsigned max_frames; /* 0: 256 */
	/** After a failed unwind, list the text addresses above (cor_unwind_start). */
	bool scan_on_failure;
};

/**
 * Backtrace of the active task of @p cpu from its saved registers. For a
 * kdump, the CPU's last frames are found as the kernel left them: the
 * crashing CPU in machine_kexec(), the others in crash_nmi_callback()
 * (their notes hold the interrupted context, which appears as an exception
 * frame). NOT_FOUND if the CPU saved no registers.
 */
struct cor_error *cor_program_backtrace_cpu(struct cor_program *prog, unsigned cpu,
					    const struct cor_bt_options *opts,
					    struct cor_backtrace *bt) COR_MUST_CHECK;
/**
 * Backtrace of a task that is not running, from thread.sp (its
 * inactive_task_frame, arch/x86/include/asm/switch_to.h). A running task
 * is unwound from its CPU's saved registers.
 */
struct cor_error *cor_program_backtrace_task(struct cor_program *prog, uint64_t task,
					     const struct cor_bt_options *opts,
					     struct cor_backtrace *bt) COR_MUST_CHECK;
/** The pt_regs layout of the dump's kernel (BTF), or the x86-64 default. */
void cor_program_ptregs_layout(struct cor_program *prog, struct cor_ptregs_layout *ret);

/**
 * Where the program's vmlinux ORC table came from: "dump" (its own memory),
 * "vmlinux" (the -k file's sections, when the dump lacks them) or NULL (none;
 * *why_ret says why). For `sys`-like reports and tests.
 */
const char *cor_program_orc_source(struct cor_program *prog, const char **why_ret);

/** Frees the program's stack caches (ORC tables); called by cor_program_destroy(). */
void cor_program_stack_cache_destroy(struct cor_program *prog);

#endif
