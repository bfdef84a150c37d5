// SPDX-License-Identifier: MIT
// hwerr on the real dumps: the NMI and MCE records coroner finds in a dump's
// own log must match the lines of the reference log (dmesg.txt, written by
// makedumpfile --dump-dmesg), and `coroner report` on the NMI-panic dumps must
// name the NMI reason and the unknown_nmi_panic setting.
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "harness.h"

#define MAX_DUMPS 32

/* The reference: "Uhhuh. NMI received for unknown reason XX on CPU N." in dmesg.txt. */
static bool ref_nmi(const char *dmesg, unsigned *reason, int *cpu)
{
	const char *p = strstr(dmesg, "NMI received for unknown reason ");
	if (!p)
		return false;
	return sscanf(p, "NMI received for unknown reason %x on CPU %d", reason, cpu) == 2;
}

COR_TEST(hwerr_corpus_nmi_reason_matches_dmesg)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	int nmi_dumps = 0;
	for (int i = 0; i < n; i++) {
		char *dmesg = corpus_read(dumps[i].dir, "dmesg.txt");
		if (!dmesg)
			continue;
		char cmd[3 * PATH_MAX];
		snprintf(cmd, sizeof(cmd), "'%s' hwerr --json '%s'", corpus_coroner(),
			 dumps[i].path);
		char *out = NULL;
		int st = cor_test_run(cmd, &out);
		if (st != 0 || !out) {
			cor_test_fail(t, __FILE__, __LINE__, "%s: hwerr exit %d", dumps[i].scenario,
				      st);
			free(out);
			free(dmesg);
			continue;
		}
		unsigned reason;
		int cpu;
		if (ref_nmi(dmesg, &reason, &cpu)) {
			nmi_dumps++;
			char want[96];
			snprintf(want, sizeof(want),
				 "\"nmi\":{\"kind\":\"unknown\",\"reason\":\"0x%02x\",\"cpu\":%d",
				 reason, cpu);
			if (!strstr(out, want))
				cor_test_fail(t, __FILE__, __LINE__, "%s: no %s in %s",
					      dumps[i].scenario, want, out);
			bool panicked =
			    strstr(dmesg, "Kernel panic - not syncing: NMI: Not continuing");
			CHECK(!panicked || strstr(out, "\"class\":\"fatal\""));
			CHECK(!panicked || strstr(out, "\"panicked\":true"));
			printf("    %s (%s): NMI reason 0x%02x on CPU %d%s\n", dumps[i].scenario,
			       dumps[i].variant, reason, cpu, panicked ? ", fatal" : "");
		} else if (strstr(out, "\"source\":\"nmi\"")) {
			cor_test_fail(t, __FILE__, __LINE__, "%s: NMI record without an NMI line",
				      dumps[i].scenario);
		}
		/* The MCE scenario: the record of dmesg's "Machine Check Exception" line, fatal. */
		const char *mce = strstr(dmesg, "Machine Check Exception: ");
		if (mce) {
			char status[17] = "";
			const char *b = strstr(mce, "Bank ");
			if (b && sscanf(b, "Bank %*u: %16[0-9a-f]", status) == 1) {
				CHECK(strstr(out, status) != NULL);
				CHECK(strstr(out, "\"source\":\"mce\",\"class\":\"fatal\"") !=
				      NULL);
			}
		}
		free(out);
		free(dmesg);
	}
	if (n > 0)
		CHECK(nmi_dumps >= 3); /* hardlockup, hardlockup-seqlock, timekeeping-overflow */
}

COR_TEST(hwerr_corpus_report_names_nmi_reason)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	for (int i = 0; i < n; i++) {
		char *dmesg = corpus_read(dumps[i].dir, "dmesg.txt");
		unsigned reason;
		int cpu;
		if (!dmesg || !ref_nmi(dmesg, &reason, &cpu)) {
			free(dmesg);
			continue;
		}
		char cmd[3 * PATH_MAX];
		snprintf(cmd, sizeof(cmd), "'%s' report '%s'", corpus_coroner(), dumps[i].path);
		char *out = NULL;
		cor_test_run(cmd, &out);
		char want[64];
		snprintf(want, sizeof(want), "unknown reason %02x on CPU %d", reason, cpu);
		static const char *const words[] = {"unknown_nmi_panic", "NMI button",
						    "neither SERR# (0x80) nor IOCHK# (0x40)"};
		if (!out || !strstr(out, want))
			cor_test_fail(t, __FILE__, __LINE__, "%s: report lacks \"%s\"",
				      dumps[i].scenario, want);
		for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
			if (!out || !strstr(out, words[k]))
				cor_test_fail(t, __FILE__, __LINE__, "%s: report lacks \"%s\"",
					      dumps[i].scenario, words[k]);
		free(out);
		free(dmesg);
	}
}
