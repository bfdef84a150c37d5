// SPDX-License-Identifier: MIT
// bt: backtraces as crash prints them (bt, bt -a, bt PID|TASK, -f, -t).
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "coroner/cpus.h"
#include "coroner/program.h"
#include "coroner/stack.h"
#include "coroner/symbols.h"
#include "coroner/tasks.h"
#include "coroner/types.h"

#define BT_FRAMES 256

static void print_regs(FILE *out, const struct cor_regs *r, bool orig_ax)
{
	static const enum cor_cpu_reg rows[][3] = {
	    {COR_CPU_REG_IP, COR_CPU_REG_SP, COR_CPU_REG_FLAGS},
	    {COR_CPU_REG_AX, COR_CPU_REG_BX, COR_CPU_REG_CX},
	    {COR_CPU_REG_DX, COR_CPU_REG_SI, COR_CPU_REG_DI},
	    {COR_CPU_REG_BP, COR_CPU_REG_R8, COR_CPU_REG_R9},
	    {COR_CPU_REG_R10, COR_CPU_REG_R11, COR_CPU_REG_R12},
	    {COR_CPU_REG_R13, COR_CPU_REG_R14, COR_CPU_REG_R15},
	};
	for (size_t i = 0; i < COR_ARRAY_SIZE(rows); i++) {
		fprintf(out, "   ");
		for (int j = 0; j < 3; j++) {
			enum cor_cpu_reg g = rows[i][j];
			if (g == COR_CPU_REG_FLAGS)
				fprintf(out, "  %s: %08" PRIx64, cor_cpu_reg_name(g), r->r[g]);
			else
				fprintf(out, "%s%3s: %016" PRIx64, j ? "  " : " ",
					cor_cpu_reg_name(g), r->r[g]);
		}
		fprintf(out, "\n");
	}
	fprintf(out, "    ");
	if (orig_ax)
		fprintf(out, "ORIG_RAX: %016" PRIx64 "  ", r->r[COR_CPU_REG_ORIG_AX]);
	fprintf(out, "CS: %04" PRIx64 "  SS: %04" PRIx64 "\n", r->r[COR_CPU_REG_CS] & 0xffff,
		r->r[COR_CPU_REG_SS] & 0xffff);
}

static void print_exception(struct cor_cli *cli, const struct cor_regs *r, bool user, bool orig)
{
	if (!user) {
		char sym[192];
		if (!cor_program_format_addr(cli->prog, r->r[COR_CPU_REG_IP], false, sym,
					     sizeof(sym)))
			snprintf(sym, sizeof(sym), "unknown or invalid address");
		fprintf(cli->out, "    [exception RIP: %s]\n", sym);
	}
	print_regs(cli->out, r, orig);
}

static void print_frame_data(struct cor_cli *cli, const struct cor_frame *f,
			     const struct cor_frame *next)
{
	if (!next || next->stack != f->stack || next->sp <= f->sp || next->sp - f->sp > 4096)
		return;
	uint64_t a = f->sp + 8;
	for (int col = 0; a < next->sp; a += 8, col++) {
		uint64_t v;
		struct cor_error *err = cor_program_read_u64(cli->prog, a, &v);
		if (err) {
			cor_error_destroy(err);
			break;
		}
		if (col % 2 == 0)
			fprintf(cli->out, "%s    %016" PRIx64 ":", col ? "\n" : "", a);
		fprintf(cli->out, " %016" PRIx64, v);
		if (a + 8 >= next->sp)
			fprintf(cli->out, "\n");
	}
}

/* crash's bt -l: the source line under each frame (of the call, for a return address). */
static void print_line(struct cor_cli *cli, const struct cor_frame *f)
{
	const char *file;
	int line;
	bool ret_addr = f->how != COR_FRAME_REGS_START && f->how != COR_FRAME_EXCEPTION;
	struct cor_error *err =
	    cor_program_source_line(cli->prog, f->pc - (ret_addr ? 1 : 0), &file, &line);
	if (err) {
		cor_error_destroy(err);
		return;
	}
	fprintf(cli->out, "    %s: %d\n", file, line);
}

static void print_backtrace(struct cor_cli *cli, const struct cor_backtrace *bt, size_t first,
			    unsigned flags)
{
	size_t num = 0;
	bool scanned = false;
	for (size_t i = first; i < bt->frames.len; i++) {
		const struct cor_frame *f = cor_backtrace_frame(bt, i);
		const struct cor_frame *prev = i > first ? cor_backtrace_frame(bt, i - 1) : NULL;
		if (prev && prev->stack != f->stack && prev->stack != COR_STACK_TASK &&
		    prev->stack != COR_STACK_UNKNOWN)
			fprintf(cli->out, "--- <%s> ---\n", cor_stack_kind_name(prev->stack));
		char sym[192];
		scanned |= f->how == COR_FRAME_SCAN;
		snprintf(sym, sizeof(sym), "%s", f->function[0] ? f->function : "(unknown)");
		const char *mod = strstr(f->symbol, " [");
		fprintf(cli->out, "%s#%zu [%016" PRIx64 "] %s%s at %016" PRIx64 "%s\n",
			num < 10 ? " " : "", num, f->sp, f->how == COR_FRAME_SCAN ? "? " : "", sym,
			f->pc, mod ? mod : "");
		num++;
		if (flags & COR_BT_LINES)
			print_line(cli, f);
		if (flags & COR_BT_FRAME_DATA)
			print_frame_data(
			    cli, f, i + 1 < bt->frames.len ? cor_backtrace_frame(bt, i + 1) : NULL);
		if (f->has_regs)
			print_exception(cli, &f->regs, f->user_regs, true);
	}
	if (!bt->complete && bt->end_reason[0])
		fprintf(cli->out, "    (unwind ended: %s%s)\n", bt->end_reason,
			scanned ? "; frames marked '?' come from a text scan of the stack" : "");
}

static void print_header(struct cor_cli *cli, const struct cor_task *t, int cpu)
{
	fprintf(cli->out, "PID: %-8d TASK: %-16" PRIx64 "  CPU: %-4d COMMAND: \"%s\"\n", t->pid,
		t->addr, cpu, t->comm);
}

struct bt_opts {
	bool all;
	/* -c CPU, or -1 */
	long cpu;
	unsigned flags;
};

static int text_scan(struct cor_cli *cli, int cpu, uint64_t task)
{
	struct cor_stack_range st[16];
	size_t n = 0;
	struct cor_error *err =
	    cor_program_stacks(cli->prog, cpu < 0 ? 0 : (unsigned)cpu, task, st, 16, &n);
	if (err)
		return cor_cli_fail(err);
	for (size_t i = 0; i < n; i++) {
		if (cpu < 0 && st[i].kind != COR_STACK_TASK)
			continue;
		struct cor_backtrace bt;
		cor_backtrace_init(&bt);
		if ((err = cor_program_stack_scan(cli->prog, &st[i], &bt))) {
			cor_backtrace_deinit(&bt);
			return cor_cli_fail(err);
		}
		if (bt.frames.len)
			fprintf(cli->out, "  --- %s %016" PRIx64 "-%016" PRIx64 " ---\n",
				cor_stack_kind_name(st[i].kind), st[i].lo, st[i].hi);
		for (size_t j = 0; j < bt.frames.len; j++) {
			const struct cor_frame *f = cor_backtrace_frame(&bt, j);
			fprintf(cli->out, "  [%016" PRIx64 "] %s at %016" PRIx64 "\n", f->sp,
				f->symbol, f->pc);
		}
		cor_backtrace_deinit(&bt);
	}
	return 0;
}

/* Backtrace of @t (active on @cpu when cpu >= 0). */
int cor_cli_bt_task(struct cor_cli *cli, const struct cor_task *t, int cpu, unsigned flags)
{
	print_header(cli, t, cpu >= 0 ? cpu : t->cpu);
	if (flags & COR_BT_TEXT)
		return text_scan(cli, cpu, t->addr);
	struct cor_backtrace bt;
	cor_backtrace_init(&bt);
	struct cor_bt_options o = {.max_frames = BT_FRAMES, .scan_on_failure = true};
	struct cor_error *err = cpu >= 0
				    ? cor_program_backtrace_cpu(cli->prog, (unsigned)cpu, &o, &bt)
				    : cor_program_backtrace_task(cli->prog, t->addr, &o, &bt);
	if (err) {
		fprintf(cli->out, "    (no backtrace: %s)\n", err->message);
		cor_error_destroy(err);
		cor_backtrace_deinit(&bt);
		return 0;
	}
	const struct cor_frame *f0 = bt.frames.len ? cor_backtrace_frame(&bt, 0) : NULL;
	size_t first = 0;
	if (f0 && f0->how == COR_FRAME_REGS_START && cpu >= 0) {
		/* crash prints the saved registers as an exception frame first. */
		struct cor_cpu_state st;
		if (!(err = cor_program_cpu_state(cli->prog, (unsigned)cpu, &st)))
			print_exception(cli, &st.regs, false, st.source != COR_CPU_SRC_QEMU);
		cor_error_destroy(err);
		first = 1;
	}
	print_backtrace(cli, &bt, first, flags);
	cor_backtrace_deinit(&bt);
	return 0;
}

static const struct cor_task *active_task(struct cor_cli *cli, const struct cor_task_list *list,
					  unsigned cpu)
{
	struct cor_cpu_state st;
	struct cor_error *err = cor_program_cpu_state(cli->prog, cpu, &st);
	if (err) {
		cor_error_destroy(err);
		return NULL;
	}
	return st.task ? cor_task_list_find(list, st.task) : NULL;
}

static int bt_cpu(struct cor_cli *cli, const struct cor_task_list *list, unsigned cpu,
		  const struct bt_opts *o)
{
	const struct cor_task *t = active_task(cli, list, cpu);
	if (!t) {
		fprintf(cli->out, "CPU %u: no active task found\n", cpu);
		return 0;
	}
	return cor_cli_bt_task(cli, t, (int)cpu, o->flags);
}

static int bt_target(struct cor_cli *cli, const struct cor_task_list *list, const char *arg,
		     const struct bt_opts *o)
{
	uint64_t v;
	struct cor_error *err = cor_parse_u64(arg, false, &v);
	if (err) {
		cor_error_destroy(err);
		if ((err = cor_parse_u64(arg, true, &v)))
			return cor_cli_fail(err);
	}
	if (v > 0xffffffffull) { /* a task address: hex, with or without 0x */
		if ((err = cor_parse_u64(arg, true, &v)))
			return cor_cli_fail(err);
	}
	const struct cor_task *t = cor_task_list_find(list, v);
	if (!t)
		return cor_cli_fail(cor_error_create(COR_ERR_NOT_FOUND, "bt: no task %s", arg));
	int cpu = -1;
	if (t->active && t->cpu >= 0) {
		const struct cor_task *a = active_task(cli, list, (unsigned)t->cpu);
		if (a && a->addr == t->addr)
			cpu = t->cpu;
	}
	return cor_cli_bt_task(cli, t, cpu, o->flags);
}

int cor_cmd_bt(struct cor_cli *cli, int argc, char **argv)
{
	struct bt_opts o = {.cpu = -1};
	int c;
	uint64_t v;
	struct cor_error *err;
	optind = 1;
	while ((c = getopt(argc, argv, "ac:ftl")) != -1) {
		switch (c) {
		case 'a':
			o.all = true;
			break;
		case 'c':
			if ((err = cor_parse_u64(optarg, false, &v)))
				return cor_cli_fail(cor_error_wrap(err, "bt -c"));
			o.cpu = v > 65535 ? 65535 : (long)v;
			break;
		case 'f':
			o.flags |= COR_BT_FRAME_DATA;
			break;
		case 't':
			o.flags |= COR_BT_TEXT;
			break;
		case 'l':
			if (!cli->vmlinux)
				return cor_cli_fail(
				    cor_error_create(COR_ERR_UNSUPPORTED,
						     "bt -l needs the DWARF vmlinux (-k VMLINUX)"));
			o.flags |= COR_BT_LINES;
			break;
		default:
			return cor_cli_usage("bt",
					     "usage: bt [-a|-c CPU] [-f] [-l] [-t] [PID|TASK]");
		}
	}
	struct cor_task_list list;
	err = cor_program_tasks(cli->prog, &list);
	if (err)
		return cor_cli_fail(err);
	int rc = 0;
	unsigned ncpu = 0;
	if (o.cpu >= 0) {
		if ((err = cor_program_num_cpus(cli->prog, &ncpu)))
			rc = cor_cli_fail(err);
		else if ((unsigned long)o.cpu >= ncpu)
			rc = cor_cli_fail(cor_error_create(
			    COR_ERR_INVALID, "bt -c %ld: the dump has %u CPUs", o.cpu, ncpu));
		else
			rc = bt_cpu(cli, &list, (unsigned)o.cpu, &o);
	} else if (o.all) {
		unsigned n = 0;
		if ((err = cor_program_num_cpus(cli->prog, &n)))
			rc = cor_cli_fail(err);
		for (unsigned cpu = 0; !rc && cpu < n; cpu++) {
			if (cpu)
				fprintf(cli->out, "\n");
			rc = bt_cpu(cli, &list, cpu, &o);
		}
	} else if (optind < argc) {
		for (int i = optind; !rc && i < argc; i++) {
			if (i > optind)
				fprintf(cli->out, "\n");
			rc = bt_target(cli, &list, argv[i], &o);
		}
	} else {
		unsigned cpu = 0;
		if ((err = cor_program_crashing_cpu(cli->prog, &cpu)))
			cor_error_destroy(err); /* no panic: CPU 0, as crash does */
		rc = bt_cpu(cli, &list, cpu, &o);
	}
	cor_task_list_deinit(&list);
	return rc;
}
