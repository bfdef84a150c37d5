// SPDX-License-Identifier: MIT
// The embedded sample (tests/data/sample.kdump: the corpus' sysrq-c dump, a
// real Debian 6.1 kdump-compressed zlib vmcore): `log` equals the crashed
// kernel's log as makedumpfile --dump-dmesg printed it (sample.dmesg) and
// `sys` gives crash 8.0.2's fields (sample.sys), so that a checkout without
// ../shared/corpus still tests a real dump.
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "harness.h"

static char *data_file(const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/tests/data/%s", cor_test_top(), name);
	return cor_test_slurp(path, NULL);
}

COR_TEST(sample_log_equals_dmesg)
{
	char cmd[2 * PATH_MAX];
	snprintf(cmd, sizeof(cmd), "'%s' '%s/tests/data/sample.kdump' log", corpus_coroner(),
		 cor_test_top());
	char *out = NULL, *want = data_file("sample.dmesg");
	int rc = cor_test_run(cmd, &out);
	CHECK(rc == 0);
	CHECK(want != NULL);
	if (out && want) {
		corpus_rstrip_lines(out);
		corpus_rstrip_lines(want);
		size_t k = 0;
		while (out[k] && out[k] == want[k])
			k++;
		if (out[k] != want[k])
			cor_test_fail(
			    t, __FILE__, __LINE__,
			    "log differs from sample.dmesg at byte %zu: got \"%.40s\" want "
			    "\"%.40s\"",
			    k, out + k, want + k);
		CHECK(strstr(out, "sysrq: Trigger a crash") != NULL);
	}
	free(out);
	free(want);
}

COR_TEST(sample_sys_matches_crash)
{
	char cmd[2 * PATH_MAX];
	snprintf(cmd, sizeof(cmd), "TZ=UTC '%s' '%s/tests/data/sample.kdump' sys", corpus_coroner(),
		 cor_test_top());
	char *out = NULL, *ref = data_file("sample.sys");
	int rc = cor_test_run(cmd, &out);
	CHECK(rc == 0);
	CHECK(ref != NULL);
	static const char *const fields[] = {"RELEASE", "CPUS",	    "MEMORY", "PANIC",
					     "VERSION", "NODENAME", "DATE",   "MACHINE"};
	for (size_t f = 0; ref && f < sizeof(fields) / sizeof(fields[0]); f++) {
		char want[512];
		snprintf(want, sizeof(want), "%s", corpus_sys_field(ref, fields[f]));
		const char *got = corpus_sys_field(out ? out : "", fields[f]);
		/* crash prints the CPU speed it measured on MACHINE ("x86_64  (2099 Mhz)"):
		 * compare the architecture only. */
		if (strcmp(fields[f], "MACHINE") == 0) {
			CHECK(strncmp(got, "x86_64", 6) == 0 && strncmp(want, "x86_64", 6) == 0);
			continue;
		}
		if (strcmp(got, want) != 0)
			cor_test_fail(t, __FILE__, __LINE__, "sys %s = \"%s\", crash: \"%s\"",
				      fields[f], got, want);
	}
	free(out);
	free(ref);
}
