/* SPDX-License-Identifier: MIT */
/**
 * @file cpus.h
 * The CPUs of a dump and the registers each saved: the kdump crash_notes
 * (NT_PRSTATUS written at panic on the crashing CPU and by the NMI
 * shoot-down on the others), QEMU's per-vCPU notes, the notes of a
 * kdump-compressed header. A CPU that saved nothing (one that did not answer
 * the shoot-down) is reported as such, never shifted onto another's notes.
 * Implementation: src/kernel/cpus.c.
 */
#ifndef CORONER_CPUS_H
#define CORONER_CPUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coroner/error.h"

struct cor_program;

/* NOTE (lead, 02:06): renamed from enum cor_reg / COR_REG_* / cor_reg_name, which clashed with
 * include/coroner/disasm.h (same names, other values; both are needed by the diagnosis).
 * Use enum cor_cpu_reg, COR_CPU_REG_*, cor_cpu_reg_name(). */

/** x86-64 registers, by name (not in pt_regs order). */
enum cor_cpu_reg {
	COR_CPU_REG_AX,
	COR_CPU_REG_BX,
	COR_CPU_REG_CX,
	COR_CPU_REG_DX,
	COR_CPU_REG_SI,
	COR_CPU_REG_DI,
	COR_CPU_REG_BP,
	COR_CPU_REG_SP,
	COR_CPU_REG_R8,
	COR_CPU_REG_R9,
	COR_CPU_REG_R10,
	COR_CPU_REG_R11,
	COR_CPU_REG_R12,
	COR_CPU_REG_R13,
	COR_CPU_REG_R14,
	COR_CPU_REG_R15,
	COR_CPU_REG_IP,
	COR_CPU_REG_FLAGS,
	COR_CPU_REG_CS,
	COR_CPU_REG_SS,
	COR_CPU_REG_ORIG_AX,
	COR_CPU_REG_NUM
};

/** A register set. Bit r of @ref valid says whether r[r] is known. */
struct cor_regs {
	uint64_t r[COR_CPU_REG_NUM];
	uint32_t valid;
};

/** Where a CPU's registers came from. */
enum cor_cpu_source {
	/** No saved state (the CPU did not answer the NMI shoot-down, or no notes). */
	COR_CPU_SRC_NONE,
	/** The per-cpu crash_notes buffer in the dump's memory (CPU known exactly). */
	COR_CPU_SRC_CRASH_NOTES,
	/** An NT_PRSTATUS note of the dump matched to the CPU's crash_notes buffer. */
	COR_CPU_SRC_DUMP_NOTE,
	/** QEMU dump-guest-memory notes (CPU from the note's vCPU index). */
	COR_CPU_SRC_QEMU,
	/** An NT_PRSTATUS note whose saved RSP lies on this CPU's stacks (no crash_notes). */
	COR_CPU_SRC_NOTE_STACK,
	/** An NT_PRSTATUS note mapped by position only (one note per CPU, nothing else to go on).
	 */
	COR_CPU_SRC_NOTE_ORDER,
};

/** What is known of one CPU. */
struct cor_cpu_state {
	unsigned cpu;
	enum cor_cpu_source source;
	/** Saved registers (valid mask 0 when source is NONE). */
	struct cor_regs regs;
	/** pr_pid of the note (the task's pid for kdump; vCPU index + 1 for QEMU), -1 unknown. */
	int64_t note_pid;
	/** The CPU's current task (runqueues.curr), 0 if unknown. */
	uint64_t task;
	/** The CPU's idle task (runqueues.idle), 0 if unknown. */
	uint64_t idle_task;
	/** True for the CPU that crashed (crashing_cpu, or the kdump header's current CPU). */
	bool crashing;
};

/** Human-readable name of a source ("crash_notes", "QEMU note", ...). */
const char *cor_cpu_source_name(enum cor_cpu_source src);
/** Register name as crash prints it ("RAX", "R8", "ORIG_RAX", ...). */
const char *cor_cpu_reg_name(enum cor_cpu_reg reg);

/**
 * Number of CPUs (nr_cpu_ids, else the dump header's or the notes' count).
 * NOT_FOUND if nothing says.
 */
struct cor_error *cor_program_num_cpus(struct cor_program *prog, unsigned *ret) COR_MUST_CHECK;
/** __per_cpu_offset[@p cpu]: add it to a per-cpu symbol's address. */
struct cor_error *cor_program_per_cpu_offset(struct cor_program *prog, unsigned cpu,
					     uint64_t *ret) COR_MUST_CHECK;
/** Address of per-cpu variable @p name on @p cpu. */
struct cor_error *cor_program_per_cpu_addr(struct cor_program *prog, const char *name, unsigned cpu,
					   uint64_t *ret) COR_MUST_CHECK;
/**
 * The state of @p cpu (0 <= cpu < num_cpus). A CPU without saved
 * registers is not an error: source is COR_CPU_SRC_NONE.
 */
struct cor_error *cor_program_cpu_state(struct cor_program *prog, unsigned cpu,
					struct cor_cpu_state *ret) COR_MUST_CHECK;
/**
 * Like cor_program_cpu_state(), from the dump's NT_PRSTATUS notes alone
 * (without the crash_notes buffers in memory): a note goes to the CPU on
 * whose stacks its saved RSP lies, else (no stacks known) by position when
 * there is one note per CPU. For cross-checks, and dumps whose per-cpu
 * memory is missing.
 */
struct cor_error *cor_program_cpu_state_from_notes(struct cor_program *prog, unsigned cpu,
						   struct cor_cpu_state *ret) COR_MUST_CHECK;
/** The runqueue clock of @p cpu (runqueues.clock, ns): "now" for that CPU's tasks. */
struct cor_error *cor_program_rq_clock(struct cor_program *prog, unsigned cpu,
				       uint64_t *ret) COR_MUST_CHECK;
/** The CPU that crashed; NOT_FOUND when none did (a dump of a live hang). */
struct cor_error *cor_program_crashing_cpu(struct cor_program *prog, unsigned *ret) COR_MUST_CHECK;

/**
 * Decodes an x86-64 NT_PRSTATUS descriptor (struct elf_prstatus,
 * include/uapi/linux/elfcore.h; registers as asm/user_64.h user_regs_struct)
 * into *@p regs and *@p pid. CORRUPT if @p len is too small.
 */
struct cor_error *cor_prstatus_parse_mem(const void *desc, size_t len, struct cor_regs *regs,
					 int64_t *pid) COR_MUST_CHECK;

#endif
