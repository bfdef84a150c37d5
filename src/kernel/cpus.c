// SPDX-License-Identifier: MIT
// CPUs and their saved registers. See include/coroner/cpus.h.
//
// Where the registers come from:
// - kdump: at panic, crash_save_cpu() (kernel/kexec_core.c, 6.1) writes an
//   ELF note "CORE"/NT_PRSTATUS into the per-cpu buffer `crash_notes` of the
//   crashing CPU, and kdump_nmi_callback() (arch/x86/kernel/crash.c) does the
//   same on every CPU that answers the NMI shoot-down. The capture kernel
//   copies the non-empty buffers into /proc/vmcore's PT_NOTE (and
//   makedumpfile into the kdump-compressed header), dropping empty ones: the
//   position of a note therefore does not say its CPU. We read each CPU's
//   buffer from the dump's memory, so a CPU that saved nothing shows as such.
// - QEMU dump-guest-memory (target/i386/arch_dump.c): one NT_PRSTATUS per
//   vCPU, pr_pid = cpu_index + 1, followed by a "QEMU" QEMUCPUState note.
#include <stdlib.h>
#include <string.h>

#include "coroner/cpus.h"
#include "coroner/dump.h"
#include "coroner/program.h"
#include "coroner/stack.h"
#include "coroner/symbols.h"
#include "coroner/types.h"
#include "kernel/internal.h"

/* include/uapi/linux/elf.h */
#define NT_PRSTATUS 1
/* struct elf_prstatus (include/uapi/linux/elfcore.h) on x86-64: pr_pid at 32,
 * pr_reg (struct user_regs_struct, arch/x86/include/asm/user_64.h) at 112,
 * 27 registers; 336 bytes in all. A userspace ABI: stable across versions. */
#define PRSTATUS_PID_OFF 32
#define PRSTATUS_REG_OFF 112
#define PRSTATUS_NREGS	 27
#define PRSTATUS_SIZE	 336
/* The per-cpu note buffer: Elf64_Nhdr (12 bytes) + "CORE\0" padded to 8. */
#define CRASH_NOTE_DESC_OFF 20
#define MAX_CPUS	    8192

/* user_regs_struct order (asm/user_64.h). */
static const enum cor_cpu_reg user_regs_order[] = {
    COR_CPU_REG_R15,	 COR_CPU_REG_R14, COR_CPU_REG_R13, COR_CPU_REG_R12,   COR_CPU_REG_BP,
    COR_CPU_REG_BX,	 COR_CPU_REG_R11, COR_CPU_REG_R10, COR_CPU_REG_R9,    COR_CPU_REG_R8,
    COR_CPU_REG_AX,	 COR_CPU_REG_CX,  COR_CPU_REG_DX,  COR_CPU_REG_SI,    COR_CPU_REG_DI,
    COR_CPU_REG_ORIG_AX, COR_CPU_REG_IP,  COR_CPU_REG_CS,  COR_CPU_REG_FLAGS, COR_CPU_REG_SP,
    COR_CPU_REG_SS,
};

static const char *const reg_names[COR_CPU_REG_NUM] = {
    [COR_CPU_REG_AX] = "RAX",  [COR_CPU_REG_BX] = "RBX",  [COR_CPU_REG_CX] = "RCX",
    [COR_CPU_REG_DX] = "RDX",  [COR_CPU_REG_SI] = "RSI",  [COR_CPU_REG_DI] = "RDI",
    [COR_CPU_REG_BP] = "RBP",  [COR_CPU_REG_SP] = "RSP",  [COR_CPU_REG_R8] = "R8",
    [COR_CPU_REG_R9] = "R9",   [COR_CPU_REG_R10] = "R10", [COR_CPU_REG_R11] = "R11",
    [COR_CPU_REG_R12] = "R12", [COR_CPU_REG_R13] = "R13", [COR_CPU_REG_R14] = "R14",
    [COR_CPU_REG_R15] = "R15", [COR_CPU_REG_IP] = "RIP",  [COR_CPU_REG_FLAGS] = "RFLAGS",
    [COR_CPU_REG_CS] = "CS",   [COR_CPU_REG_SS] = "SS",	  [COR_CPU_REG_ORIG_AX] = "ORIG_RAX",
};

const char *cor_cpu_reg_name(enum cor_cpu_reg reg)
{
	return (unsigned)reg < COR_CPU_REG_NUM ? reg_names[reg] : "?";
}

const char *cor_cpu_source_name(enum cor_cpu_source src)
{
	switch (src) {
	case COR_CPU_SRC_NONE:
		return "none";
	case COR_CPU_SRC_CRASH_NOTES:
		return "crash_notes";
	case COR_CPU_SRC_DUMP_NOTE:
		return "NT_PRSTATUS";
	case COR_CPU_SRC_QEMU:
		return "QEMU";
	case COR_CPU_SRC_NOTE_STACK:
		return "NT_PRSTATUS (by stack pointer)";
	case COR_CPU_SRC_NOTE_ORDER:
		return "NT_PRSTATUS (by position)";
	}
	return "?";
}

struct cor_error *cor_prstatus_parse_mem(const void *desc, size_t len, struct cor_regs *regs,
					 int64_t *pid)
{
	if (len < PRSTATUS_REG_OFF + PRSTATUS_NREGS * 8)
		return cor_error_create(COR_ERR_CORRUPT, "NT_PRSTATUS of %zu bytes, expected %d",
					len, PRSTATUS_SIZE);
	const uint8_t *b = desc;
	memset(regs, 0, sizeof(*regs));
	for (size_t i = 0; i < COR_ARRAY_SIZE(user_regs_order); i++) {
		regs->r[user_regs_order[i]] = cor_le64(b + PRSTATUS_REG_OFF + 8 * i);
		regs->valid |= 1u << user_regs_order[i];
	}
	*pid = (int32_t)cor_le32(b + PRSTATUS_PID_OFF);
	return NULL;
}

static bool try_u32(struct cor_program *prog, uint64_t addr, uint32_t *v)
{
	struct cor_error *err = cor_program_read_u32(prog, addr, v);
	cor_error_destroy(err);
	return !err;
}

static size_t count_prstatus(struct cor_program *prog, bool *qemu)
{
	size_t n = 0;
	*qemu = false;
	for (size_t i = 0; i < cor_dump_num_notes(prog->dump); i++) {
		const struct cor_dump_note *note = cor_dump_note(prog->dump, i);
		if (note->type == NT_PRSTATUS && strcmp(note->name, "CORE") == 0)
			n++;
		if (strcmp(note->name, "QEMU") == 0)
			*qemu = true;
	}
	return n;
}

struct cor_error *cor_program_num_cpus(struct cor_program *prog, unsigned *ret)
{
	uint64_t addr;
	uint32_t n;
	if (cor_program_symbol_addr(prog, "nr_cpu_ids", &addr) && try_u32(prog, addr, &n) && n &&
	    n <= MAX_CPUS) {
		*ret = n;
		return NULL;
	}
	const struct cor_kdump_info *ki = cor_dump_kdump_info(prog->dump);
	if (ki && ki->nr_cpus && ki->nr_cpus <= MAX_CPUS) {
		*ret = ki->nr_cpus;
		return NULL;
	}
	bool qemu;
	size_t notes = count_prstatus(prog, &qemu);
	if (notes) {
		*ret = (unsigned)notes;
		return NULL;
	}
	return cor_error_create(COR_ERR_NOT_FOUND, "the number of CPUs is unknown (no nr_cpu_ids, "
						   "no dump header, no CPU notes)");
}

struct cor_error *cor_program_per_cpu_offset(struct cor_program *prog, unsigned cpu, uint64_t *ret)
{
	uint64_t base;
	if (cpu >= MAX_CPUS)
		return cor_error_create(COR_ERR_INVALID, "CPU %u out of range", cpu);
	if (!cor_program_symbol_addr(prog, "__per_cpu_offset", &base))
		return cor_error_create(COR_ERR_NOT_FOUND, "no symbol __per_cpu_offset");
	struct cor_error *err = cor_program_read_u64(prog, base + 8ull * cpu, ret);
	return err ? cor_error_wrap(err, "reading __per_cpu_offset[%u]", cpu) : NULL;
}

struct cor_error *cor_program_per_cpu_addr(struct cor_program *prog, const char *name, unsigned cpu,
					   uint64_t *ret)
{
	uint64_t addr, off;
	if (!cor_program_symbol_addr(prog, name, &addr))
		return cor_error_create(COR_ERR_NOT_FOUND, "no per-cpu symbol %s", name);
	struct cor_error *err = cor_program_per_cpu_offset(prog, cpu, &off);
	if (err)
		return err;
	*ret = addr + off;
	return NULL;
}

struct cor_error *cor_program_crashing_cpu(struct cor_program *prog, unsigned *ret)
{
	uint64_t addr;
	uint32_t v;
	/* arch/x86/kernel/reboot.c: int crashing_cpu = -1, set by
	 * native_machine_crash_shutdown() (6.1). */
	if (cor_program_symbol_addr(prog, "crashing_cpu", &addr) && try_u32(prog, addr, &v)) {
		if ((int32_t)v < 0)
			return cor_error_create(COR_ERR_NOT_FOUND,
						"no CPU crashed (crashing_cpu "
						"is -1: not a kdump of a panic)");
		*ret = v;
		return NULL;
	}
	const struct cor_kdump_info *ki = cor_dump_kdump_info(prog->dump);
	if (ki && ki->nr_cpus && ki->current_cpu < ki->nr_cpus) {
		*ret = ki->current_cpu;
		return NULL;
	}
	return cor_error_create(COR_ERR_NOT_FOUND, "the crashing CPU is unknown");
}

/* The i-th "CORE" NT_PRSTATUS of the dump, or NULL. */
static const struct cor_dump_note *nth_prstatus(struct cor_program *prog, size_t n)
{
	for (size_t i = 0; i < cor_dump_num_notes(prog->dump); i++) {
		const struct cor_dump_note *note = cor_dump_note(prog->dump, i);
		if (note->type == NT_PRSTATUS && strcmp(note->name, "CORE") == 0 && n-- == 0)
			return note;
	}
	return NULL;
}

static bool dump_has_note(struct cor_program *prog, const uint8_t *desc, size_t len)
{
	for (size_t i = 0; i < cor_dump_num_notes(prog->dump); i++) {
		const struct cor_dump_note *note = cor_dump_note(prog->dump, i);
		if (note->type == NT_PRSTATUS && note->descsz == len &&
		    memcmp(note->desc, desc, len) == 0)
			return true;
	}
	return false;
}

/* Reads @cpu's crash_notes buffer; true if it holds a CORE/NT_PRSTATUS note. */
static bool from_crash_notes(struct cor_program *prog, unsigned cpu, struct cor_cpu_state *st)
{
	uint64_t var, ptr, off;
	if (!cor_program_symbol_addr(prog, "crash_notes", &var))
		return false;
	/* errors here only mean "no buffer": the caller falls back to the notes */
	struct cor_error *err = cor_program_read_u64(prog, var, &ptr);
	if (!err)
		err = cor_program_per_cpu_offset(prog, cpu, &off);
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	uint8_t buf[CRASH_NOTE_DESC_OFF + PRSTATUS_SIZE];
	err = cor_program_read(prog, ptr + off, buf, sizeof(buf));
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	/* Elf64_Nhdr: namesz 5 ("CORE\0"), descsz, type NT_PRSTATUS. */
	if (cor_le32(buf) != 5 || cor_le32(buf + 8) != NT_PRSTATUS || memcmp(buf + 12, "CORE", 5))
		return false;
	uint32_t descsz = cor_le32(buf + 4);
	if (descsz < PRSTATUS_REG_OFF + PRSTATUS_NREGS * 8 || descsz > PRSTATUS_SIZE)
		return false;
	err = cor_prstatus_parse_mem(buf + CRASH_NOTE_DESC_OFF, descsz, &st->regs, &st->note_pid);
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	st->source = dump_has_note(prog, buf + CRASH_NOTE_DESC_OFF, descsz)
			 ? COR_CPU_SRC_DUMP_NOTE
			 : COR_CPU_SRC_CRASH_NOTES;
	return true;
}

/* QEMU: the note whose pr_pid is cpu + 1 (target/i386/arch_dump.c). */
static void from_qemu(struct cor_program *prog, unsigned cpu, struct cor_cpu_state *st)
{
	for (size_t i = 0;; i++) {
		const struct cor_dump_note *note = nth_prstatus(prog, i);
		if (!note)
			return;
		struct cor_regs regs;
		int64_t pid;
		struct cor_error *err =
		    cor_prstatus_parse_mem(note->desc, note->descsz, &regs, &pid);
		if (err) {
			cor_error_destroy(err);
			continue;
		}
		if (pid == (int64_t)cpu + 1) {
			st->regs = regs;
			st->note_pid = pid;
			st->source = COR_CPU_SRC_QEMU;
			return;
		}
	}
}

/*
 * Without the crash_notes buffers: the note whose saved RSP lies on one of
 * this CPU's stacks (its exception and IRQ stacks, its current task's stack)
 * (exactly one note). A CPU that saved nothing matches no note. Returns 1
 * (found), 0 (no note for this CPU), -1 (the CPU's stacks are unknown).
 */
static int from_stack(struct cor_program *prog, unsigned cpu, struct cor_cpu_state *st)
{
	struct cor_stack_range mine[16];
	size_t nmine = 0;
	struct cor_error *err = cor_program_stacks(prog, cpu, st->task, mine, 16, &nmine);
	if (err || nmine == 0) {
		cor_error_destroy(err);
		return -1; /* no per-cpu stacks known: cannot tell */
	}
	int found = 0;
	for (size_t i = 0;; i++) {
		const struct cor_dump_note *note = nth_prstatus(prog, i);
		if (!note)
			break;
		struct cor_regs regs;
		int64_t pid;
		if ((err = cor_prstatus_parse_mem(note->desc, note->descsz, &regs, &pid))) {
			cor_error_destroy(err);
			continue;
		}
		uint64_t sp = regs.r[COR_CPU_REG_SP];
		for (size_t k = 0; k < nmine; k++) {
			/* The page below a stack is its guard: an overflowed
			 * stack's RSP (kernel/fork.c vmap stacks). */
			if (sp + 4096 >= mine[k].lo && sp < mine[k].hi) {
				if (found++ == 0) {
					st->regs = regs;
					st->note_pid = pid;
				}
				break;
			}
		}
	}
	if (found != 1) {
		memset(&st->regs, 0, sizeof(st->regs));
		st->note_pid = -1;
		return 0;
	}
	st->source = COR_CPU_SRC_NOTE_STACK;
	return 1;
}

static void read_rq_tasks(struct cor_program *prog, unsigned cpu, struct cor_cpu_state *st)
{
	uint64_t rq, off_curr, off_idle;
	struct cor_error *err = cor_program_per_cpu_addr(prog, "runqueues", cpu, &rq);
	if (!err)
		err = cor_program_member_offset(prog, "struct rq", "curr", &off_curr);
	if (!err)
		err = cor_program_member_offset(prog, "struct rq", "idle", &off_idle);
	if (!err)
		err = cor_program_read_u64(prog, rq + off_curr, &st->task);
	if (!err)
		err = cor_program_read_u64(prog, rq + off_idle, &st->idle_task);
	cor_error_destroy(err);
}

static struct cor_error *cpu_state(struct cor_program *prog, unsigned cpu, bool use_buffers,
				   struct cor_cpu_state *ret)
{
	unsigned n;
	struct cor_error *err = cor_program_num_cpus(prog, &n);
	if (err)
		return err;
	if (cpu >= n)
		return cor_error_create(COR_ERR_INVALID, "CPU %u: the dump has %u CPUs", cpu, n);
	struct cor_cpu_state st = {.cpu = cpu, .note_pid = -1};
	bool qemu;
	size_t notes = count_prstatus(prog, &qemu);
	if (qemu)
		from_qemu(prog, cpu, &st);
	read_rq_tasks(prog, cpu, &st);
	if (!qemu && !(use_buffers && from_crash_notes(prog, cpu, &st)) &&
	    from_stack(prog, cpu, &st) < 0 && notes == n) {
		/* Nothing to check against: one note per CPU, in CPU order, is
		 * what the capture kernel writes when every CPU answered; with
		 * fewer notes than CPUs the mapping is unknown (NONE). */
		const struct cor_dump_note *note = nth_prstatus(prog, cpu);
		struct cor_error *e2 =
		    note ? cor_prstatus_parse_mem(note->desc, note->descsz, &st.regs, &st.note_pid)
			 : &cor_not_found;
		if (!e2)
			st.source = COR_CPU_SRC_NOTE_ORDER;
		cor_error_destroy(e2);
	}
	unsigned crashing;
	err = cor_program_crashing_cpu(prog, &crashing);
	if (!err)
		st.crashing = crashing == cpu;
	cor_error_destroy(err);
	*ret = st;
	return NULL;
}

struct cor_error *cor_program_cpu_state(struct cor_program *prog, unsigned cpu,
					struct cor_cpu_state *ret)
{
	return cpu_state(prog, cpu, true, ret);
}

struct cor_error *cor_program_cpu_state_from_notes(struct cor_program *prog, unsigned cpu,
						   struct cor_cpu_state *ret)
{
	return cpu_state(prog, cpu, false, ret);
}

struct cor_error *cor_program_rq_clock(struct cor_program *prog, unsigned cpu, uint64_t *ret)
{
	uint64_t rq, off;
	struct cor_error *err = cor_program_per_cpu_addr(prog, "runqueues", cpu, &rq);
	if (!err)
		err = cor_program_member_offset(prog, "struct rq", "clock", &off);
	if (!err)
		err = cor_program_read_u64(prog, rq + off, ret);
	return err ? cor_error_wrap(err, "runqueue clock of CPU %u", cpu) : NULL;
}
