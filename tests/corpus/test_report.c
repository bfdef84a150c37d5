// SPDX-License-Identifier: MIT
// Golden tests of `coroner report` on the real dumps: the report (text and JSON)
// states every fact of the scenario's expect.txt (every word of each value, case
// ignored; "not:" values must not appear), the JSON validates against
// docs/report-schema.json, and signatures group dumps of one scenario and
// separate different scenarios.
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "corpus.h"
#include "harness.h"

#define MAX_DUMPS 32

static char *lower(char *s)
{
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

static char *run_report(const char *dump, bool json, int *status)
{
	char cmd[3 * PATH_MAX];
	snprintf(cmd, sizeof(cmd), "'%s' report %s '%s' 2>&1", corpus_coroner(),
		 json ? "--json" : "", dump);
	char *out = NULL;
	*status = cor_test_run(cmd, &out);
	return out ? out : strdup("");
}

/* Checks one "key: value" line of expect.txt against the report text. */
static void check_fact(struct cor_tctx *t, const char *scenario, const char *report, char *line)
{
	char *colon = strchr(line, ':');
	if (!colon || line[0] == '#')
		return;
	*colon = '\0';
	bool negate = strcmp(line, "not") == 0;
	char *value = lower(colon + 1);
	for (char *w = strtok(value, " \t"); w; w = strtok(NULL, " \t")) {
		bool found = strstr(report, w) != NULL;
		if (found == negate)
			cor_test_fail(t, __FILE__, __LINE__, "%s: %s: \"%s\" %s the report",
				      scenario, line, w,
				      negate ? "must not appear in" : "is missing from");
	}
}

COR_TEST(corpus_report_states_expected_facts)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	for (int i = 0; i < n; i++) {
		char *expect = corpus_read(dumps[i].dir, "expect.txt");
		if (!expect)
			continue;
		int st1, st2;
		char *text = run_report(dumps[i].path, false, &st1);
		char *json = run_report(dumps[i].path, true, &st2);
		CHECK(st1 == 0 && st2 == 0);
		size_t len = strlen(text) + strlen(json) + 2;
		char *both = malloc(len);
		snprintf(both, len, "%s\n%s", text, json);
		lower(both);
		char *save = NULL;
		int before = cor_test_failures(t);
		for (char *line = strtok_r(expect, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			check_fact(t, dumps[i].scenario, both, line);
		printf("    %s (%s): %s\n", dumps[i].scenario, dumps[i].variant,
		       cor_test_failures(t) == before ? "all expected facts stated"
						      : "MISSING facts");
		if (cor_test_failures(t) != before)
			printf("%s\n", text);
		free(both);
		free(text);
		free(json);
		free(expect);
	}
}

COR_TEST(corpus_report_json_schema_and_signatures)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	if (n < 0)
		return;
	if (system("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null") != 0) {
		cor_test_skip(t, "python3-jsonschema not installed: JSON schema not checked");
		return;
	}
	char sigs[MAX_DUMPS][128];
	for (int i = 0; i < n; i++) {
		int st;
		char *json = run_report(dumps[i].path, true, &st);
		CHECK(st == 0);
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/report.json", cor_test_tmpdir(t));
		FILE *f = fopen(path, "w");
		fputs(json, f);
		fclose(f);
		char cmd[3 * PATH_MAX];
		snprintf(cmd, sizeof(cmd),
			 "/usr/bin/python3 -c 'import json,sys,jsonschema; "
			 "s=json.load(open(sys.argv[1])); "
			 "[jsonschema.validate(json.loads(l), s) for l in open(sys.argv[2]) if "
			 "l.strip()]' "
			 "'%s/docs/report-schema.json' '%s' 2>&1",
			 cor_test_top(), path);
		char *out = NULL;
		if (cor_test_run(cmd, &out) != 0)
			cor_test_fail(t, __FILE__, __LINE__, "%s: JSON does not validate: %.300s",
				      dumps[i].scenario, out ? out : "");
		free(out);
		const char *s = strstr(json, "\"signature\":\"");
		snprintf(sigs[i], sizeof(sigs[i]), "%.*s", s ? (int)strcspn(s + 13, "\"") : 0,
			 s ? s + 13 : "");
		free(json);
	}
	for (int i = 0; i < n; i++)
		for (int k = i + 1; k < n; k++) {
			bool same_scenario = strcmp(dumps[i].scenario, dumps[k].scenario) == 0;
			/* The hung QEMU dump is the same bug as hardlockup-seqlock. */
			bool same_bug =
			    same_scenario || (strstr(dumps[i].scenario, "hardlockup-seqlock") &&
					      strstr(dumps[k].scenario, "hardlockup-seqlock"));
			bool same_sig = strcmp(sigs[i], sigs[k]) == 0;
			if (!same_bug && same_sig)
				cor_test_fail(t, __FILE__, __LINE__, "%s and %s share signature %s",
					      dumps[i].scenario, dumps[k].scenario, sigs[i]);
			if (same_bug && !same_sig)
				printf("    note: %s and %s (same bug) have signatures %s and %s\n",
				       dumps[i].scenario, dumps[k].scenario, sigs[i], sigs[k]);
		}
}

static char *signature_of(const char *dump)
{
	int st;
	char *json = run_report(dump, true, &st);
	const char *s = strstr(json, "\"signature\":\"");
	char *sig = strndup(s ? s + 13 : "", s ? strcspn(s + 13, "\"") : 0);
	free(json);
	return sig;
}

/* The same crash in other formats must give the same signature: ELF (written by
 * `coroner capture -E` from the kdump-compressed dump, as makedumpfile -E refuses
 * kdump input) and flattened (makedumpfile -F). */
COR_TEST(corpus_report_signature_same_across_formats)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	if (n < 0)
		return;
	bool have_mdf = system("command -v makedumpfile >/dev/null 2>&1") == 0;
	int tested = 0;
	for (int i = 0; i < n && tested < 4; i++) {
		if (strncmp(dumps[i].variant, "kdump", 5) != 0)
			continue;
		char elf[PATH_MAX], flat[PATH_MAX], cmd[4 * PATH_MAX];
		snprintf(elf, sizeof(elf), "%s/%s.elf", cor_test_tmpdir(t), dumps[i].scenario);
		snprintf(flat, sizeof(flat), "%s/%s.flat", cor_test_tmpdir(t), dumps[i].scenario);
		snprintf(cmd, sizeof(cmd), "'%s' capture -E -d 31 '%s' '%s' >/dev/null 2>&1",
			 corpus_coroner(), dumps[i].path, elf);
		const char *variants[2] = {NULL, NULL};
		if (system(cmd) == 0)
			variants[0] = elf;
		else
			printf("    (coroner capture -E failed on %s: ELF variant not tested)\n",
			       dumps[i].scenario);
		snprintf(cmd, sizeof(cmd), "makedumpfile -F -l -d 31 '%s' > '%s' 2>/dev/null",
			 dumps[i].path, flat);
		if (have_mdf && system(cmd) == 0)
			variants[1] = flat;
		char *a = signature_of(dumps[i].path);
		for (int v = 0; v < 2; v++) {
			if (!variants[v])
				continue;
			char *b = signature_of(variants[v]);
			if (!a[0] || strcmp(a, b) != 0)
				cor_test_fail(t, __FILE__, __LINE__,
					      "%s: kdump signature %s, %s signature %s",
					      dumps[i].scenario, a, v ? "flattened" : "ELF", b);
			else
				printf("    %s: kdump and %s both %s\n", dumps[i].scenario,
				       v ? "flattened" : "ELF", a);
			free(b);
			tested++;
		}
		free(a);
		unlink(elf);
		unlink(flat);
	}
	if (!tested)
		cor_test_skip(
		    t, "neither coroner capture -E nor makedumpfile -F could make a variant");
}
