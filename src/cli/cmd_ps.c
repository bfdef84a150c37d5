// SPDX-License-Identifier: MIT
// ps: the task list, with crash's columns.
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "coroner/cpus.h"
#include "coroner/program.h"
#include "coroner/tasks.h"

static int cmp_last_arrival(const void *a, const void *b)
{
	const struct cor_task *x = *(const struct cor_task *const *)a;
	const struct cor_task *y = *(const struct cor_task *const *)b;
	return x->last_arrival < y->last_arrival ? 1 : x->last_arrival > y->last_arrival ? -1 : 0;
}

/* crash's ps -m: time since each task last ran (sched_info.last_arrival),
 * against its CPU's runqueue clock, most recent first. */
static int ps_last_run(struct cor_cli *cli, const struct cor_task_list *list)
{
	const struct cor_task **v = calloc(list->tasks.len + 1, sizeof(*v));
	if (!v)
		return cor_cli_fail(&cor_enomem);
	size_t n = 0;
	for (size_t i = 0; i < list->tasks.len; i++) {
		const struct cor_task *t = cor_vec_at(&list->tasks, i);
		if (t->has_last_arrival)
			v[n++] = t;
	}
	qsort(v, n, sizeof(*v), cmp_last_arrival);
	for (size_t i = 0; i < n; i++) {
		const struct cor_task *t = v[i];
		uint64_t now = 0, d;
		struct cor_error *err =
		    t->cpu >= 0 ? cor_program_rq_clock(cli->prog, (unsigned)t->cpu, &now) : NULL;
		cor_error_destroy(err);
		d = now > t->last_arrival ? (now - t->last_arrival) / 1000000 : 0; /* ms */
		fprintf(cli->out,
			"[%" PRIu64 " %02" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ".%03" PRIu64
			"] [%s]  PID: %-8d TASK: %-16" PRIx64 "  CPU: %-4d COMMAND: \"%s\"\n",
			d / 86400000, d / 3600000 % 24, d / 60000 % 60, d / 1000 % 60, d % 1000,
			t->st, t->pid, t->addr, t->cpu, t->comm);
	}
	free(v);
	return 0;
}

int cor_cmd_ps(struct cor_cli *cli, int argc, char **argv)
{
	struct cor_task_list list;
	struct cor_error *err = cor_program_tasks(cli->prog, &list);
	if (err)
		return cor_cli_fail(err);
	if (argc > 1 && strcmp(argv[1], "-m") == 0) {
		int rc = ps_last_run(cli, &list);
		cor_task_list_deinit(&list);
		return rc;
	}
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
