/* SPDX-License-Identifier: MIT */
/*
 * The coroner CLI: a table of commands shared by one-shot invocations
 * (`coroner DUMP CMD ...`), the interactive shell and the top-level verbs
 * (`coroner report ...`, `coroner mce ...`). Only src/cli/ prints.
 */
#ifndef CORONER_CLI_H
#define CORONER_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "coroner/error.h"

struct cor_program;

/** State shared by the commands run on one loaded dump. */
struct cor_cli {
	/** The loaded dump; NULL for top-level verbs. */
	struct cor_program *prog;
	const char *dump_path;
	/** -k VMLINUX, or NULL. */
	const char *vmlinux;
	/** Where commands print (stdout, or a pipe in the shell). */
	FILE *out;
	/** gdb's value history number: p prints "$N = " (src/cli/cmd_p.c). */
	unsigned value_count;
};

typedef int (*cor_cli_fn)(struct cor_cli *cli, int argc, char **argv);

enum {
	/** `coroner NAME ARGS...`: runs without a loaded dump (cli->prog is NULL). */
	COR_CMD_VERB = 1,
	/** `coroner [-k VMLINUX] DUMP NAME ARGS...` and in the shell: needs cli->prog. */
	COR_CMD_DUMP = 2,
};

struct cor_cli_cmd {
	const char *name;
	cor_cli_fn fn;
	unsigned flags;
	/** One line: "NAME [ARGS]". */
	const char *synopsis;
	/** Short description, then details (may be several lines). */
	const char *help;
};

/** The command table (src/cli/commands.c), terminated by a NULL name. */
extern const struct cor_cli_cmd cor_cli_commands[];

/** Looks up a command by name and kind; NULL if none. */
const struct cor_cli_cmd *cor_cli_find(const char *name, unsigned flags);
/** Prints "coroner: MESSAGE" for @p err on stderr, frees it, returns 1. */
int cor_cli_fail(struct cor_error *err);
/** Prints "coroner: FMT" on stderr, returns 1 (for usage errors: returns 2). */
int cor_cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Prints a command's help on @p out. */
void cor_cli_print_help(FILE *out, const struct cor_cli_cmd *cmd);
/** Runs one dump command line (already split) on @p cli; returns its exit status. */
int cor_cli_dispatch(struct cor_cli *cli, int argc, char **argv);

/**
 * Parses a command's address argument (src/cli/cli_util.c): a symbol, a
 * symbol+offset ("jiffies+8", "jiffies+0x10": decimal unless 0x, as crash
 * prints offsets) or a hex number (crash's default radix for addresses).
 * NOT_FOUND / INVALID with a message naming @p arg.
 */
struct cor_error *cor_cli_parse_addr(struct cor_cli *cli, const char *arg,
				     uint64_t *ret) COR_MUST_CHECK;

/* Command implementations (one file per command). */
int cor_cmd_shell(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_help(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_sys(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_log(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_rd(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_vtop(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_report(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_mce(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_p(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_struct(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_union(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_whatis(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_ptype(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_capture(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_sym(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_bt(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_ps(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_foreach(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_dis(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_hwerr(struct cor_cli *cli, int argc, char **argv);
int cor_cmd_kdump_check(struct cor_cli *cli, int argc, char **argv);
struct cor_task;
/** bt flags: -f frame data, -t text scan, -l source lines. */
enum { COR_BT_FRAME_DATA = 1, COR_BT_TEXT = 2, COR_BT_LINES = 4 };
/** Prints the backtrace of @p t as crash does (active on @p cpu, or -1: from thread.sp); cmd_bt.c.
 */
int cor_cli_bt_task(struct cor_cli *cli, const struct cor_task *t, int cpu, unsigned flags);

#endif
