/* SPDX-License-Identifier: MIT */
/*
 * Kernel log scanning for the diagnosis: the panic message, watchdog and
 * NMI lines, and the kernel's own reports (a headline, then "CPU: N PID: P
 * Comm: C", "RIP: ...", registers, "Call Trace:" frames), as printed by
 * lib/dump_stack.c, arch/x86/kernel/dumpstack.c and process_64.c (6.1).
 * Pure text processing: a parse entry point over a memory buffer.
 */
#ifndef CORONER_DIAG_LOGSCAN_H
#define CORONER_DIAG_LOGSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coroner/base.h"

#define LOG_MAX_FRAMES 64

/* One frame of a kernel "Call Trace:" block. */
struct log_frame {
	char func[128];	 /* "direct_entry.cold" */
	uint64_t off;	 /* 0x18 */
	uint64_t size;	 /* 0x24 */
	char module[64]; /* "lkdtm" or "" */
	bool unreliable; /* printed with "? " */
	char stack[8];	 /* the stack it was on: "NMI", "IRQ", "TASK", "SOFTIRQ", "" */
};

/* Registers as the kernel prints them (__show_regs). */
struct log_regs {
	bool valid;
	uint64_t rip, rsp, eflags, rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15, cr2, orig_rax;
	uint16_t cs, ss;
	char rip_sym[160]; /* "lkdtm_HARDLOCKUP+0xd/0x10 [lkdtm]" or "0x47b7a0" */
};

/* One report block of the kernel log. */
struct log_report {
	size_t line;	    /* line number of the headline (0-based) */
	double ts;	    /* its timestamp in seconds */
	char headline[256]; /* the line that starts the block, without timestamp */
	bool has_ctx;	    /* a "CPU: N PID: P Comm: C" line was found */
	int cpu, pid;
	char comm[32];
	char tainted[64];      /* the "Tainted: ..." flags */
	struct log_regs regs;  /* the first (kernel) register block */
	struct log_regs uregs; /* a second block (user-mode registers at syscall entry) */
	bool in_user;	       /* parsing the second block */
	struct log_frame frames[LOG_MAX_FRAMES];
	int num_frames;
};

/* Everything the diagnosis takes from the log. */
struct log_scan {
	/* "Kernel panic - not syncing: X": X, the line and time, the panic CPU context. */
	bool has_panic;
	char panic_msg[256];
	double panic_ts;
	int panic_report; /* index in reports of the panic's own block, or -1 */
	/* "Uhhuh. NMI received for unknown reason 21 on CPU 0." and friends */
	bool nmi_unknown;
	unsigned nmi_reason;
	int nmi_cpu;
	char nmi_line[256];
	/* soft lockup: "watchdog: BUG: soft lockup - CPU#2 stuck for 45s! [init:1]" */
	bool soft_lockup;
	int soft_cpu, soft_pid, soft_secs;
	char soft_comm[32];
	int soft_report;
	/* hard lockup: "NMI watchdog: Watchdog detected hard LOCKUP on cpu 3" (each CPU) */
	int hard_cpus[64];
	int num_hard;
	/* hung task: "INFO: task init:122 blocked for more than 5 seconds." */
	bool hung_task;
	char hung_comm[32];
	int hung_pid, hung_secs;
	int hung_report;
	/* sysrq crash request: "sysrq: Trigger a crash" (or "SysRq : Trigger a crash") */
	bool sysrq_crash;
	/* RCU stall lines */
	bool rcu_stall;
	char rcu_line[256];
	/* Oops / BUG headlines ("BUG: unable to handle page fault", "general protection fault",
	 * "kernel BUG at", "BUG: TASK stack guard page was hit", "stack guard page: 0000 [#1]") */
	int oops_report;
	/* MCE: "mce: [Hardware Error]: ..." lines, concatenated (for src/mce's parser) */
	struct cor_strbuf mce_lines;
	/* Kernel command line parameters the diagnosis cares about ("" when absent) */
	char cmd_softlockup_panic[8], cmd_hung_task_panic[8], cmd_unknown_nmi_panic[8];
	char cmd_panic_on_oops[8], cmd_nmi_watchdog[8], cmd_hardlockup_panic[8];
	/* "BUG: scheduling while atomic: comm/pid/0xpreempt_count" (kernel/sched/core.c) */
	char atomic_sleep[4][192];
	double atomic_sleep_ts[4];
	int num_atomic_sleep;
	/* "NMI backtrace for cpu N" blocks */
	int nmi_bt_cpus[64];
	int num_nmi_bt;
	/* All report blocks. */
	struct log_report *reports;
	int num_reports;
	int cap_reports;
};

/* Parses @p len bytes of log text (as cor_log_format prints it, with timestamps). */
struct cor_error *cor_logscan_parse_mem(const char *text, size_t len,
					struct log_scan *ret) COR_MUST_CHECK;
void cor_logscan_deinit(struct log_scan *ls);

/* Formats a frame as the kernel prints it ("func+0x18/0x24 [mod]"). */
void log_frame_format(const struct log_frame *f, char *buf, size_t size);

#endif
