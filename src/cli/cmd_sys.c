// SPDX-License-Identifier: MIT
// `sys`: crash's system summary, with crash's labels and layout.
#include <time.h>

#include "cli/cli.h"
#include "coroner/dump.h"
#include "coroner/program.h"
#include "coroner/sysinfo.h"
#include "coroner/tasks.h"

/* crash's get_memory_size(): a total within 64 MB below a GiB boundary is rounded
 * up to it (firmware holes), then printed as "1 GB", "512 MB" or "1.5 GB". */
static void format_memory(char *buf, size_t size, uint64_t bytes)
{
	const uint64_t mb = 1ull << 20, gb = 1ull << 30;
	uint64_t next_gig = (bytes + gb - 1) / gb * gb;
	if (next_gig - bytes <= 64 * mb)
		bytes = next_gig;
	if (bytes >= gb && bytes % gb == 0)
		snprintf(buf, size, "%llu GB", (unsigned long long)(bytes / gb));
	else if (bytes >= gb)
		snprintf(buf, size, "%.1f GB", (double)bytes / (double)gb);
	else if (bytes % mb == 0)
		snprintf(buf, size, "%llu MB", (unsigned long long)(bytes / mb));
	else
		snprintf(buf, size, "%.1f MB", (double)bytes / (double)mb);
}

int cor_cmd_sys(struct cor_cli *cli, int argc, char **argv)
{
	struct cor_sysinfo si;
	struct cor_error *err = cor_sysinfo_get(cli->prog, &si);
	if (err)
		return cor_cli_fail(err);
	struct cor_dump *dump = cor_program_dump(cli->prog);
	FILE *o = cli->out;
	fprintf(o, "      KERNEL: %s%s\n",
		cli->vmlinux ? cli->vmlinux : "(none: symbols and types from the dump)",
		si.has_tainted && si.tainted_mask ? "  [TAINTED]" : "");
	fprintf(o, "    DUMPFILE: %s  [%s%s]\n", cli->dump_path, cor_dump_format_name(dump),
		cor_dump_is_incomplete(dump) ? ", INCOMPLETE" : "");
	if (cor_dump_is_incomplete(dump))
		fprintf(o, "  INCOMPLETE: %s\n", cor_dump_incomplete_reason(dump));
	if (si.cpus)
		fprintf(o, "        CPUS: %u\n", si.cpus);
	if (si.crash_time) {
		char date[64];
		time_t t = (time_t)si.crash_time;
		struct tm tm;
		strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Z %Y", localtime_r(&t, &tm));
		fprintf(o, "        DATE: %s\n", date);
	}
	if (si.has_uptime) {
		char up[64];
		cor_sysinfo_format_uptime(si.uptime_sec, up, sizeof(up));
		fprintf(o, "      UPTIME: %s\n", up);
	}
	if (si.has_loadavg) {
		char load[64];
		cor_sysinfo_format_loadavg(si.avenrun, load, sizeof(load));
		fprintf(o, "LOAD AVERAGE: %s\n", load);
	}
	uint64_t ntasks;
	struct cor_error *terr = cor_program_num_tasks(cli->prog, &ntasks);
	if (!terr)
		fprintf(o, "       TASKS: %llu\n", (unsigned long long)ntasks);
	cor_error_destroy(terr);
	fprintf(o, "    NODENAME: %s\n", si.nodename);
	fprintf(o, "     RELEASE: %s\n", si.release);
	fprintf(o, "     VERSION: %s\n", si.version);
	if (si.cpu_mhz)
		fprintf(o, "     MACHINE: %s  (%u Mhz)\n", si.machine, si.cpu_mhz);
	else
		fprintf(o, "     MACHINE: %s\n", si.machine);
	if (si.memory_bytes) {
		char mem[32];
		format_memory(mem, sizeof(mem), si.memory_bytes);
		fprintf(o, "      MEMORY: %s\n", mem);
	}
	fprintf(o, "       PANIC: \"%s\"\n", si.panic);
	return 0;
}
