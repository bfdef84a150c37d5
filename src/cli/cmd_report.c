// SPDX-License-Identifier: MIT
// `report`: placeholder until the diagnosis engine lands (issue 5): prints
// what the foundation can establish honestly: the dump, the kernel, the panic.
#include <getopt.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "coroner/dump.h"
#include "coroner/program.h"
#include "coroner/sysinfo.h"

static int report_one(FILE *o, const char *path, const char *vmlinux)
{
	struct cor_program *prog;
	struct cor_error *err = cor_program_open(path, vmlinux, &prog);
	if (err)
		return cor_cli_fail(err);
	struct cor_sysinfo si;
	err = cor_sysinfo_get(prog, &si);
	if (err) {
		cor_program_destroy(prog);
		return cor_cli_fail(err);
	}
	struct cor_dump *dump = cor_program_dump(prog);
	fprintf(o, "dump:    %s (%s%s)\n", path, cor_dump_format_name(dump),
		cor_dump_is_incomplete(dump) ? ", incomplete" : "");
	fprintf(o, "kernel:  %s %s, %u CPUs\n", si.release, si.version, si.cpus);
	fprintf(o, "panic:   %s\n", si.panic[0] ? si.panic : "(no panic message in the log)");
	fprintf(o, "verdict: undetermined (the diagnosis engine is not built yet)\n");
	cor_program_destroy(prog);
	return 0;
}

int cor_cmd_report(struct cor_cli *cli, int argc, char **argv)
{
	const char *vmlinux = NULL;
	int c;
	while ((c = getopt(argc, argv, "k:")) != -1) {
		if (c == 'k')
			vmlinux = optarg;
		else
			return cor_cli_usage("report", "usage: report [-k VMLINUX] DUMP...");
	}
	if (optind >= argc)
		return cor_cli_usage("report", "usage: report [-k VMLINUX] DUMP...");
	int ret = 0;
	for (int i = optind; i < argc; i++)
		if (report_one(cli->out, argv[i], vmlinux))
			ret = 1;
	return ret;
}
