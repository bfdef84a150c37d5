// SPDX-License-Identifier: MIT
// foreach [STATE] bt: the backtrace of every task (or of those in a state).
#include <string.h>

#include "cli/cli.h"
#include "coroner/program.h"
#include "coroner/tasks.h"

int cor_cmd_foreach(struct cor_cli *cli, int argc, char **argv)
{
	const char *state = NULL;
	int i = 1;
	if (i < argc && strlen(argv[i]) == 2 && strcmp(argv[i], "bt") != 0)
		state = argv[i++];
	if (i >= argc || strcmp(argv[i], "bt") != 0)
		return cor_cli_usage("foreach", "usage: foreach [RU|IN|UN|ID|...] bt [-f] [-l]");
	unsigned flags = 0;
	for (int a = i + 1; a < argc; a++) {
		if (strcmp(argv[a], "-f") == 0)
			flags |= COR_BT_FRAME_DATA;
		else if (strcmp(argv[a], "-l") == 0)
			flags |= COR_BT_LINES;
		else
			return cor_cli_usage("foreach",
					     "usage: foreach [RU|IN|UN|ID|...] bt [-f] [-l]");
	}
	struct cor_task_list list;
	struct cor_error *err = cor_program_tasks(cli->prog, &list);
	if (err)
		return cor_cli_fail(err);
	bool first = true;
	for (size_t k = 0; k < list.tasks.len; k++) {
		const struct cor_task *t = cor_vec_at(&list.tasks, k);
		if (state && strcmp(state, t->st) != 0)
			continue;
		if (!first)
			fprintf(cli->out, "\n");
		first = false;
		cor_cli_bt_task(cli, t, t->active ? t->cpu : -1, flags);
	}
	cor_task_list_deinit(&list);
	return 0;
}
