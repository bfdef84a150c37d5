/* SPDX-License-Identifier: MIT */
/* Internals of the diagnosis engine: the context rules share, report building. */
#ifndef CORONER_DIAG_INTERNAL_H
#define CORONER_DIAG_INTERNAL_H

#include "coroner/diag.h"
#include "coroner/sysinfo.h"
#include "diag/logscan.h"

#define DIAG_MAX_CPUS	256
#define DIAG_MAX_FRAMES 24

/* What the diagnosis knows of one CPU: the context it was running when the machine
 * stopped (the interrupted context for CPUs stopped by an NMI), from the dump's saved
 * registers, or from the kernel's own report in the log when the dump has none. */
struct diag_cpu {
	bool known;
	const char *source; /* "crash_notes", "QEMU note", "log: NMI backtrace", ... */
	int cpu;
	bool crashing;
	bool has_regs;
	uint64_t rip, rsp, rflags, gpr[16]; /* gpr: rax rcx rdx rbx rsp rbp rsi rdi r8..r15 */
	bool kernel_mode;
	char func[128]; /* symbol of rip ("" if none) */
	uint64_t func_off, func_size, func_addr;
	char module[64];
	uint64_t task;
	int pid;
	char comm[32];
	bool idle_task;
	char frames[DIAG_MAX_FRAMES][128]; /* caller functions, innermost first */
	int num_frames;
};

/* What the spin-loop analysis found for one CPU (src/diag/spinloop.c). */
enum diag_spin_kind {
	DIAG_SPIN_NONE,	     /* not in a loop (or not analyzable) */
	DIAG_SPIN_ENDLESS,   /* a loop without any exit edge */
	DIAG_SPIN_POLL,	     /* polls memory until a condition holds */
	DIAG_SPIN_SEQCOUNT,  /* a seqcount read loop: retries while the sequence is odd */
	DIAG_SPIN_QSPINLOCK, /* waits for a queued spinlock */
	DIAG_SPIN_DIVISION,  /* a subtract-and-count division loop (__iter_div_u64_rem) */
	DIAG_SPIN_OTHER,     /* a loop whose exit depends on registers only */
};

struct diag_spin {
	enum diag_spin_kind kind;
	uint64_t loop_lo, loop_hi; /* address range of the loop's blocks */
	char loop_text[160];	   /* "tick_nohz_next_event+19..+29" */
	/* The memory the loop polls (0 if none). */
	uint64_t mem_addr;
	unsigned mem_size;
	uint64_t mem_value;
	bool mem_value_known;
	char mem_name[160]; /* "jiffies_seq.seqcount.sequence", "lock_me_up", "0xffff..." */
	char mem_sym[128];  /* the symbol alone: "jiffies_seq" */
	/* The exit condition, in words, and whether it can hold with the current memory. */
	char exit_text[256];
	bool can_exit;
	bool exit_known;
	/* Division loops: dividend (register), divisor, iterations left. */
	uint64_t dividend, divisor, iterations;
	char dividend_reg[8];
	/* Instructions of the loop, for the evidence (crash's dis lines). */
	char insns[16][192];
	int num_insns;
};

struct diag_ctx {
	struct cor_program *prog;
	struct cor_report *rep;
	/* The kernel log as text, and what was found in it. */
	struct cor_strbuf log;
	struct log_scan ls;
	struct cor_sysinfo si;
	/* Lock / object identity for the signature ("jiffies_seq"), "" if none. */
	char lock_id[128];
	/* Normalized frames of the culprit context for the signature. */
	char frames_id[512];
	/* CPUs */
	struct diag_cpu cpus[DIAG_MAX_CPUS];
	int num_cpus;
	/* First allocation failure while building the report. */
	struct cor_error *err;
};

/* Sets a report string field (replacing it), printf-style. */
void diag_set(struct diag_ctx *ctx, char **field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adds a finding; returns it (NULL after an allocation failure, recorded in ctx->err). */
struct cor_finding *diag_finding(struct diag_ctx *ctx, const char *rule, enum cor_severity sev,
				 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Adds an evidence line to a finding (f may be NULL: ignored). */
void diag_evidence(struct diag_ctx *ctx, struct cor_finding *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adds a fact to a finding. */
void diag_fact(struct diag_ctx *ctx, struct cor_finding *f, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sets the verdict if it is more confident than the current one. */
void diag_verdict(struct diag_ctx *ctx, enum cor_verdict v, int confidence);
/* Appends a normalized frame name (offsets stripped) to the signature frames. */
void diag_sig_frame(struct diag_ctx *ctx, const char *func);
/* Computes rep->signature from class, frames and lock identity. */
void diag_signature(struct diag_ctx *ctx);

/* Machinery functions of panic/NMI/timer paths (skipped when naming a culprit). */
bool diag_is_machinery(const char *func);
/* Culprit frames from a log report block (max frames), as evidence and signature. */
void diag_frames_from_log(struct diag_ctx *ctx, const struct log_report *r, int max,
			  struct cor_finding *f);
/* Fills ctx->cpus from the dump (saved registers, symbols, tasks) and the log. */
void diag_collect_cpus(struct diag_ctx *ctx);
/* "func+0xoff" for an address, or the hex address. */
void diag_symbolize(struct diag_ctx *ctx, uint64_t addr, char *buf, size_t size);

/* Names an address: "sym.member.path", "sym+0xoff" or "0xaddr". */
void diag_name_addr(struct diag_ctx *ctx, uint64_t addr, char *buf, size_t size);
/* Reads the scalar member @p path ("timekeeper.tkr_mono.mult") of typed global @p global. */
struct cor_error *diag_read_member(struct diag_ctx *ctx, const char *global, const char *path,
				   uint64_t *value, uint64_t *addr_ret) COR_MUST_CHECK;

/* Analyzes the loop @p c is spinning in, if any. */
void diag_spin_analyze(struct diag_ctx *ctx, const struct diag_cpu *c, struct diag_spin *ret);
/* Seqcount and spinlock reasoning on a spin result (src/diag/locks.c). */
void diag_lock_seqcount(struct diag_ctx *ctx, const struct diag_spin *s, const int *cpus, int n,
			struct cor_finding *f);
void diag_lock_qspinlock(struct diag_ctx *ctx, const struct diag_spin *s, const int *cpus, int n,
			 struct cor_finding *f);
void diag_timekeeping(struct diag_ctx *ctx, const struct diag_cpu *c, const struct diag_spin *s,
		      struct cor_finding *f);

/* Finds the function a tail call removed between a caller (return address
 * @p caller_ret) and @p callee, from the stack words in [sp_lo, sp_hi). */
bool diag_recover_tail_call(struct diag_ctx *ctx, uint64_t caller_ret, uint64_t callee,
			    uint64_t sp_lo, uint64_t sp_hi, char *name, size_t size);

/* THREAD_SIZE of the dump's kernel (from BTF struct irq_stack; 16 KiB default). */
uint64_t diag_thread_size(struct diag_ctx *ctx);

/* A task waiting for a sleeping lock (waitgraph.c). */
struct diag_wait {
	uint64_t task, lock, owner; /* owner: task_struct address or 0 */
	const char *kind;	    /* "mutex", "rw-semaphore" */
	char lock_name[160];
};
struct cor_task_list;
struct cor_task;
bool diag_find_wait(struct diag_ctx *ctx, const struct cor_task_list *list,
		    const struct cor_task *t, struct diag_wait *ret);
/* Evidence of the wait-for chain from @p start, with a cycle named as a deadlock. */
void diag_wait_chain(struct diag_ctx *ctx, const struct cor_task_list *list,
		     const struct cor_task *start, struct cor_finding *f);

/* Rules, each in its own file. They add findings and may set class/summary/verdict. */
void diag_rule_panic(struct diag_ctx *ctx);
void diag_rule_lockup(struct diag_ctx *ctx);
void diag_rule_hung_task(struct diag_ctx *ctx);
void diag_rule_oops(struct diag_ctx *ctx);
void diag_rule_mce(struct diag_ctx *ctx);
void diag_rule_hwerr(struct diag_ctx *ctx);

#endif
