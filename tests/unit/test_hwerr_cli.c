// SPDX-License-Identifier: MIT
// `coroner hwerr` as a command: stdin, files, MCE lines counted through the
// mce layer, bad input giving one clear line and the documented exit status.
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "harness.h"

static int run(const char *args, char **out)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "'%s' hwerr %s", corpus_coroner(), args);
	return cor_test_run(cmd, out);
}

COR_TEST(hwerr_cli_stdin_json)
{
	char *out = NULL;
	char args[4096];
	snprintf(
	    args, sizeof(args),
	    "--json - <<'EOF' | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); "
	    "print(d[\"totals\"][\"errors\"], d[\"components\"][0][\"name\"], "
	    "d[\"components\"][0][\"total\"], d[\"components\"][0][\"stands_out\"])'\n"
	    "EDAC MC0: 2 CE memory read error on DIMM_A1 (channel:0 slot:0 page:0x10 offset:0x0 "
	    "grain:32 syndrome:0x0)\n"
	    "EDAC MC0: 3 CE memory read error on DIMM_A1 (channel:0 slot:0 page:0x11 offset:0x0 "
	    "grain:32 syndrome:0x0)\n"
	    "EDAC MC0: 1 CE memory read error on DIMM_B1 (channel:1 slot:0 page:0x90 offset:0x0 "
	    "grain:32 syndrome:0x0)\n"
	    "EOF");
	CHECK(run(args, &out) == 0);
	CHECK_STR(out, "6 DIMM DIMM_A1 5 True\n");
	free(out);
}

/* The machine check of the corpus's mce scenario, counted through mce.h; --no-mce drops it. */
COR_TEST(hwerr_cli_mce_lines)
{
	const char *corpus = cor_test_corpus();
	if (!corpus) {
		cor_test_skip(t, "no corpus");
		return;
	}
	char args[4096], *out = NULL;
	snprintf(args, sizeof(args), "'%s/mce/dmesg.txt'", corpus);
	CHECK(run(args, &out) == 0);
	CHECK(out && strstr(out, "mce fatal: machine check fatal"));
	CHECK(out && strstr(out, "be00000000800400"));
	free(out);
	snprintf(args, sizeof(args), "--no-mce '%s/mce/dmesg.txt'", corpus);
	out = NULL;
	CHECK(run(args, &out) == 0);
	CHECK(out && strstr(out, "none in the log"));
	free(out);
}

COR_TEST(hwerr_cli_bad_input)
{
	char *out = NULL;
	CHECK(run("/nonexistent/kern.log 2>&1", &out) == 1);
	CHECK_STR(out, "coroner: hwerr: /nonexistent/kern.log: cannot open: No such file or "
		       "directory\n");
	free(out);
	out = NULL;
	CHECK(run("2>/dev/null", &out) == 2);
	free(out);
	char path[4096];
	snprintf(path, sizeof(path), "%s/junk", cor_test_tmpdir(t));
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (f) {
		for (int i = 0; i < 65536; i++)
			fputc((i * 7919) & 0xff, f);
		fclose(f);
	}
	char args[4200];
	snprintf(args, sizeof(args), "'%s'", path);
	out = NULL;
	CHECK(run(args, &out) == 0);
	CHECK(out && strstr(out, "none in the log"));
	free(out);
	/* A file that claims to be a dump but is not: one line, exit 1. */
	snprintf(path, sizeof(path), "%s/fake.kdump", cor_test_tmpdir(t));
	f = fopen(path, "wb");
	if (f) {
		fputs("KDUMP   garbage", f);
		fclose(f);
	}
	snprintf(args, sizeof(args), "'%s' 2>&1", path);
	out = NULL;
	CHECK(run(args, &out) == 1);
	CHECK(out && strncmp(out, "coroner: hwerr: ", 16) == 0 &&
	      strchr(out, '\n') == strrchr(out, '\n'));
	free(out);
}
