// SPDX-License-Identifier: MIT
// The interactive shell: loads the dump once, runs the same commands as the
// one-shot CLI, with line editing and history (libedit). "cmd | shell-cmd"
// pipes a command's output through a shell command, as in crash.
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <editline/readline.h>

#include "cli/cli.h"
#include "coroner/program.h"

#define MAX_ARGS 64

/* Splits @p line in place into words ('...' and "..." quote); returns the count. */
static int split_words(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line;
	while (*p && argc < max - 1) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		char *w = p, *o = p;
		char quote = 0;
		while (*p && (quote || (*p != ' ' && *p != '\t'))) {
			if (!quote && (*p == '\'' || *p == '"'))
				quote = *p++;
			else if (quote && *p == quote) {
				quote = 0;
				p++;
			} else
				*o++ = *p++;
		}
		if (*p)
			p++;
		*o = '\0';
		argv[argc++] = w;
	}
	argv[argc] = NULL;
	return argc;
}

static void run_line(struct cor_cli *cli, char *line)
{
	char *pipe_cmd = strchr(line, '|');
	if (pipe_cmd)
		*pipe_cmd++ = '\0';
	char *argv[MAX_ARGS];
	int argc = split_words(line, argv, MAX_ARGS);
	if (argc == 0)
		return;
	FILE *saved = cli->out;
	FILE *p = NULL;
	if (pipe_cmd) {
		fflush(stdout);
		p = popen(pipe_cmd, "w");
		if (!p) {
			fprintf(stderr, "coroner: cannot run '%s': %s\n", pipe_cmd,
				strerror(errno));
			return;
		}
		cli->out = p;
	}
	if (strcmp(argv[0], "help") == 0 && argc == 1) {
		for (const struct cor_cli_cmd *c = cor_cli_commands; c->name; c++)
			if (c->flags & COR_CMD_DUMP)
				fprintf(cli->out, "  %-12s %s\n", c->name, c->synopsis);
	} else {
		cor_cli_dispatch(cli, argc, argv);
	}
	fflush(cli->out);
	if (p) {
		pclose(p);
		cli->out = saved;
	}
}

int cor_cmd_shell(struct cor_cli *cli, int argc, char **argv)
{
	if (!cli->prog)
		return cor_cli_usage("shell", "needs a dump");
	char hist[PATH_MAX] = "";
	const char *home = getenv("HOME");
	if (home)
		snprintf(hist, sizeof(hist), "%s/.coroner_history", home);
	using_history();
	if (hist[0])
		read_history(hist);
	fprintf(stdout, "coroner shell on %s: 'help' lists commands, 'q' quits\n", cli->dump_path);
	for (;;) {
		char *line = readline("coroner> ");
		if (!line)
			break;
		char *s = line;
		while (*s == ' ')
			s++;
		if (strcmp(s, "q") == 0 || strcmp(s, "quit") == 0 || strcmp(s, "exit") == 0) {
			free(line);
			break;
		}
		if (*s) {
			add_history(s);
			run_line(cli, s);
		}
		free(line);
	}
	if (hist[0])
		write_history(hist);
	return 0;
}

int cor_cmd_help(struct cor_cli *cli, int argc, char **argv)
{
	if (argc < 2) {
		for (const struct cor_cli_cmd *c = cor_cli_commands; c->name; c++)
			fprintf(cli->out, "  %-12s %s\n", c->name, c->synopsis);
		return 0;
	}
	const struct cor_cli_cmd *c = cor_cli_find(argv[1], COR_CMD_DUMP | COR_CMD_VERB);
	if (!c)
		return cor_cli_usage("help", "no command '%s'", argv[1]);
	cor_cli_print_help(cli->out, c);
	return 0;
}
