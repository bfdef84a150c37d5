// SPDX-License-Identifier: MIT
// Corpus tests of the foundation (issue 2): on every real dump, `log` equals
// the reference dmesg (makedumpfile --dump-dmesg) byte for byte modulo
// trailing blanks, and `sys` gives crash's RELEASE, CPUS, MEMORY, PANIC, DATE,
// UPTIME, LOAD AVERAGE, MACHINE (with Mhz) and the KERNEL line's [TAINTED].
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "coroner/printk.h"
#include "coroner/program.h"
#include "harness.h"

#define MAX_DUMPS 32

COR_TEST(corpus_log_equals_dmesg)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	for (int i = 0; i < n; i++) {
		char *want = corpus_read(dumps[i].dir, "dmesg.txt");
		if (!want) {
			cor_test_fail(t, __FILE__, __LINE__, "%s: no dmesg.txt", dumps[i].scenario);
			continue;
		}
		struct cor_program *prog;
		CHECK_OK(cor_program_open(dumps[i].path, NULL, &prog));
		struct cor_strbuf sb = {0};
		CHECK_OK(cor_log_format(prog, COR_LOG_TIMESTAMPS, &sb));
		char *got = sb.str ? sb.str : strdup("");
		corpus_rstrip_lines(got);
		corpus_rstrip_lines(want);
		if (strcmp(got, want) != 0) {
			size_t k = 0;
			while (got[k] && got[k] == want[k])
				k++;
			cor_test_fail(
			    t, __FILE__, __LINE__,
			    "%s (%s): log differs from dmesg.txt at byte %zu: got \"%.40s\" "
			    "want \"%.40s\"",
			    dumps[i].scenario, dumps[i].variant, k, got + k, want + k);
		} else {
			printf("    %s (%s): log == dmesg.txt (%zu bytes)\n", dumps[i].scenario,
			       dumps[i].variant, strlen(got));
		}
		free(got);
		free(want);
		cor_program_destroy(prog);
	}
}

COR_TEST(corpus_sys_matches_crash)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	static const char *const fields[] = {"RELEASE", "CPUS",	       "MEMORY", "PANIC",
					     "VERSION", "NODENAME",    "DATE",	 "UPTIME",
					     "MACHINE", "LOAD AVERAGE"};
	for (int i = 0; i < n; i++) {
		char *ref = corpus_read(dumps[i].refs, "sys.txt");
		if (!ref) {
			cor_test_fail(t, __FILE__, __LINE__, "%s: no refs sys.txt",
				      dumps[i].scenario);
			continue;
		}
		char cmd[3 * PATH_MAX];
		snprintf(cmd, sizeof(cmd), "TZ=UTC '%s' '%s' sys", corpus_coroner(), dumps[i].path);
		char *out = NULL;
		int st = cor_test_run(cmd, &out);
		CHECK(st == 0);
		for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
			char want[512];
			snprintf(want, sizeof(want), "%s", corpus_sys_field(ref, fields[f]));
			const char *got = corpus_sys_field(out ? out : "", fields[f]);
			if (strcmp(got, want) != 0)
				cor_test_fail(t, __FILE__, __LINE__,
					      "%s (%s): sys %s = \"%s\", crash: \"%s\"",
					      dumps[i].scenario, dumps[i].variant, fields[f], got,
					      want);
		}
		/* "KERNEL: PATH  [TAINTED]": the path differs, the flag must not. */
		bool want_tainted = strstr(corpus_sys_field(ref, "KERNEL"), "[TAINTED]") != NULL;
		bool got_tainted =
		    strstr(corpus_sys_field(out ? out : "", "KERNEL"), "[TAINTED]") != NULL;
		if (want_tainted != got_tainted)
			cor_test_fail(
			    t, __FILE__, __LINE__, "%s (%s): sys KERNEL %s [TAINTED], crash %s",
			    dumps[i].scenario, dumps[i].variant, got_tainted ? "has" : "lacks",
			    want_tainted ? "has it" : "does not");
		free(out);
		free(ref);
	}
}
