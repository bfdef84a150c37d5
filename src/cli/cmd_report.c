// SPDX-License-Identifier: MIT
// `report`: the diagnosis of one or many dumps. Text for people; --json gives one
// JSON object per dump, one per line (schema: docs/report-schema.json).
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "coroner/diag.h"
#include "coroner/program.h"

static int report_one(FILE *o, const char *path, const char *vmlinux, bool json, bool sep)
{
	struct cor_program *prog;
	struct cor_error *err = cor_program_open(path, vmlinux, &prog);
	if (err)
		return cor_cli_fail(err);
	struct cor_report *rep;
	err = cor_diag_run(prog, path, &rep);
	if (err) {
		cor_program_destroy(prog);
		return cor_cli_fail(cor_error_wrap(err, "%s", path));
	}
	struct cor_strbuf sb = {0};
	err = json ? cor_report_render_json(rep, &sb) : cor_report_render_text(rep, &sb);
	if (!err) {
		if (sep && !json)
			fputs("\n", o);
		fputs(cor_strbuf_cstr(&sb), o);
		if (json)
			fputc('\n', o);
	}
	cor_strbuf_deinit(&sb);
	cor_report_destroy(rep);
	cor_program_destroy(prog);
	return err ? cor_cli_fail(err) : 0;
}

/* A dump file in a crash directory: kdump-tools' "dump.*", "vmcore*", "*.kdump". */
static bool looks_like_dump(const char *name)
{
	if (strncmp(name, "dmesg", 5) == 0 || strstr(name, ".txt") || strstr(name, ".log"))
		return false;
	return strncmp(name, "dump.", 5) == 0 || strncmp(name, "vmcore", 6) == 0 ||
	       strstr(name, ".kdump") || strstr(name, ".elf");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reports every dump under @p dir (one level of subdirectories, as /var/crash/DATE/). */
static int report_dir(FILE *o, const char *dir, const char *vmlinux, bool json, int depth,
		      int *count)
{
	DIR *d = opendir(dir);
	if (!d)
		return cor_cli_fail(cor_error_os(errno, dir, "cannot open directory"));
	char *names[4096];
	int n = 0, ret = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < 4096)
		if (de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && depth < 1)
			ret |= report_dir(o, path, vmlinux, json, depth + 1, count);
		else if (S_ISREG(st.st_mode) && looks_like_dump(names[i]))
			ret |= report_one(o, path, vmlinux, json, (*count)++ > 0);
		free(names[i]);
	}
	return ret;
}

int cor_cmd_report(struct cor_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
	const char *vmlinux = NULL;
	bool json = false;
	int c;
	while ((c = getopt_long(argc, argv, "k:", opts, NULL)) != -1) {
		if (c == 'k')
			vmlinux = optarg;
		else if (c == 'j')
			json = true;
		else
			return cor_cli_usage("report",
					     "usage: report [--json] [-k VMLINUX] DUMP|DIR...");
	}
	if (optind >= argc)
		return cor_cli_usage("report", "usage: report [--json] [-k VMLINUX] DUMP|DIR...");
	int ret = 0, count = 0;
	for (int i = optind; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			int before = count;
			ret |= report_dir(cli->out, argv[i], vmlinux, json, 0, &count);
			if (count == before)
				ret |= cor_cli_fail(cor_error_create(
				    COR_ERR_NOT_FOUND, "%s: no dump file in this directory",
				    argv[i]));
		} else {
			ret |= report_one(cli->out, argv[i], vmlinux, json, count++ > 0);
		}
	}
	return ret ? 1 : 0;
}
