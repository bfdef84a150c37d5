// SPDX-License-Identifier: MIT
// ps: the task list, with crash's columns.
#include <inttypes.h>
#include <string.h>

#include "cli/cli.h"
#include "coroner/program.h"
#include "coroner/tasks.h"

int cor_cmd_ps(struct cor_cli *cli, int argc, char **argv)
{
	struct cor_task_list list;
	struct cor_error *err = cor_program_tasks(cli->prog, &list);
	if (err)
		return cor_cli_fail(err);
	fprintf(cli->out,
		"      PID    PPID  CPU       TASK        ST  %%MEM      VSZ      RSS  COMM\n");
	for (size_t i = 0; i < list.tasks.len; i++) {
		const struct cor_task *t = cor_vec_at(&list.tasks, i);
		if (argc > 1) { /* filters: PID, TASK or COMM */
			bool match = false;
			for (int a = 1; a < argc && !match; a++) {
				uint64_t v;
				struct cor_error *e = cor_parse_u64(argv[a], false, &v);
				match = (!e && ((int64_t)v == t->pid || v == t->addr)) ||
					strcmp(argv[a], t->comm) == 0;
				cor_error_destroy(e);
			}
			if (!match)
				continue;
		}
		double mem = list.totalram_pages
				 ? 100.0 * (double)t->rss_pages / (double)list.totalram_pages
				 : 0.0;
		char comm[24];
		snprintf(comm, sizeof(comm), t->mm ? "%s" : "[%s]", t->comm);
		fprintf(cli->out,
			"%c%8d%8d%4d  %016" PRIx64 "  %s  %4.1f%9" PRIu64 "%9" PRIu64 "  %s\n",
			t->active ? '>' : ' ', t->pid, t->ppid, t->cpu, t->addr, t->st, mem,
			t->vm_pages * 4, t->rss_pages * 4, comm);
	}
	if (list.warning[0])
		fprintf(cli->out, "WARNING: %s\n", list.warning);
	cor_task_list_deinit(&list);
	return 0;
}
