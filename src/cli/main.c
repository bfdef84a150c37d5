// SPDX-License-Identifier: MIT
// coroner's entry point: parses the command line, loads the dump, dispatches.
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "coroner/program.h"
#include "coroner/version.h"

int cor_cli_fail(struct cor_error *err)
{
	if (err) {
		fprintf(stderr, "coroner: %s\n", err->message);
		cor_error_destroy(err);
	}
	return 1;
}

int cor_cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "coroner: %s%s", cmd ? cmd : "", cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

const struct cor_cli_cmd *cor_cli_find(const char *name, unsigned flags)
{
	for (const struct cor_cli_cmd *c = cor_cli_commands; c->name; c++)
		if ((c->flags & flags) && strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void cor_cli_print_help(FILE *out, const struct cor_cli_cmd *cmd)
{
	fprintf(out, "usage: %s%s\n\n%s\n", (cmd->flags & COR_CMD_VERB) ? "coroner " : "",
		cmd->synopsis, cmd->help);
}

int cor_cli_dispatch(struct cor_cli *cli, int argc, char **argv)
{
	const struct cor_cli_cmd *cmd = cor_cli_find(argv[0], COR_CMD_DUMP);
	if (!cmd) {
		fprintf(stderr, "coroner: unknown command '%s' (try 'help')\n", argv[0]);
		return 2;
	}
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		cor_cli_print_help(cli->out, cmd);
		return 0;
	}
	optind = 0; /* commands use getopt; reset it for each one */
	return cmd->fn(cli, argc, argv);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: coroner [-k VMLINUX] DUMP COMMAND [ARGS...]   run one crash-style command\n"
		"       coroner [-k VMLINUX] DUMP                      interactive shell\n"
		"       coroner VERB [ARGS...]\n\n"
		"Verbs:\n");
	for (const struct cor_cli_cmd *c = cor_cli_commands; c->name; c++)
		if (c->flags & COR_CMD_VERB)
			fprintf(out, "  %-14s %s\n", c->name, strtok(strdupa(c->help), "\n"));
	fprintf(out, "\nCommands on a dump (coroner DUMP help COMMAND for details):\n");
	for (const struct cor_cli_cmd *c = cor_cli_commands; c->name; c++)
		if (c->flags & COR_CMD_DUMP)
			fprintf(out, "  %-14s %s\n", c->name, strtok(strdupa(c->help), "\n"));
	fprintf(
	    out,
	    "\nOptions:\n  -k VMLINUX     use this vmlinux (symbols, DWARF types, source lines)\n"
	    "  --help         this help\n  --version      print the version\n");
}

int main(int argc, char **argv)
{
	/* Installed as (or linked to) makedumpfile: kdump-tools calls us with its flags. */
	const char *prog_name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	if (strcmp(prog_name, "makedumpfile") == 0) {
		struct cor_cli mdf_cli = {.out = stdout};
		return cor_cmd_capture(&mdf_cli, argc, argv);
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("coroner %s\n", COR_VERSION);
		return 0;
	}
	struct cor_cli cli = {.out = stdout};
	const struct cor_cli_cmd *verb = cor_cli_find(argv[1], COR_CMD_VERB);
	if (verb) {
		optind = 0;
		int r = verb->fn(&cli, argc - 1, argv + 1);
		fflush(stdout);
		return r;
	}
	int i = 1;
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-k") == 0 && i + 1 < argc) {
			cli.vmlinux = argv[i + 1];
			i += 2;
		} else {
			return cor_cli_usage(NULL, "unknown option '%s' (see coroner --help)",
					     argv[i]);
		}
	}
	if (i >= argc)
		return cor_cli_usage(NULL, "no dump given (see coroner --help)");
	cli.dump_path = argv[i++];
	if (i < argc && strcmp(argv[i], "help") == 0 && i + 1 >= argc) {
		usage(stdout);
		return 0;
	}
	if (i < argc && strcmp(argv[i], "help") == 0) {
		const struct cor_cli_cmd *c =
		    cor_cli_find(argv[i + 1], COR_CMD_DUMP | COR_CMD_VERB);
		if (!c)
			return cor_cli_usage(NULL, "no command '%s'", argv[i + 1]);
		cor_cli_print_help(stdout, c);
		return 0;
	}
	if (i < argc && !cor_cli_find(argv[i], COR_CMD_DUMP))
		return cor_cli_usage(NULL, "unknown command '%s' (see coroner --help)", argv[i]);
	struct cor_error *err = cor_program_open(cli.dump_path, cli.vmlinux, &cli.prog);
	if (err)
		return cor_cli_fail(err);
	int r;
	if (i >= argc) {
		char *shell_argv[] = {(char *)"shell", NULL};
		r = cor_cmd_shell(&cli, 1, shell_argv);
	} else {
		r = cor_cli_dispatch(&cli, argc - i, argv + i);
	}
	if (fflush(stdout) != 0 && r == 0) {
		perror("coroner: write error");
		r = 1;
	}
	cor_program_destroy(cli.prog);
	return r;
}
