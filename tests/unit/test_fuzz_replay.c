// SPDX-License-Identifier: MIT
// Replays the fuzz corpora in `make check`: every BUILD/fuzz/fuzz_NAME
// (tests/fuzz/fuzz_NAME.c linked with tests/fuzz/replay.c) runs on
// tests/fuzz/corpus/NAME/ and must exit 0 having run every input. A corpus
// folder without its replay binary fails (`make check` builds them all), and
// so does a target without a seed corpus.
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

static size_t count_files(const char *dir)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

COR_TEST(fuzz_corpus_replay)
{
	char corpus[PATH_MAX];
	snprintf(corpus, sizeof(corpus), "%s/tests/fuzz/corpus", cor_test_top());
	DIR *d = opendir(corpus);
	if (!d) {
		cor_test_fail(t, __FILE__, __LINE__, "no %s", corpus);
		return;
	}
	struct dirent *de;
	int targets = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char dir[PATH_MAX + 256], bin[PATH_MAX + 256], cmd[3 * PATH_MAX];
		snprintf(dir, sizeof(dir), "%s/%s", corpus, de->d_name);
		snprintf(bin, sizeof(bin), "%s/fuzz/fuzz_%s", cor_test_build(), de->d_name);
		struct stat st;
		if (stat(bin, &st) != 0) {
			cor_test_fail(t, __FILE__, __LINE__,
				      "%s: no replay binary %s (make check builds it)", de->d_name,
				      bin);
			continue;
		}
		size_t want = count_files(dir);
		snprintf(cmd, sizeof(cmd), "'%s' '%s' 2>&1", bin, dir);
		char *out = NULL;
		int rc = cor_test_run(cmd, &out);
		char expect[PATH_MAX + 300];
		snprintf(expect, sizeof(expect), "%s: %zu inputs", dir, want);
		if (rc != 0 || !out || !strstr(out, expect))
			cor_test_fail(t, __FILE__, __LINE__, "fuzz_%s on %zu inputs: exit %d: %s",
				      de->d_name, want, rc, out ? out : "");
		else
			printf("    fuzz_%s: %zu inputs replayed\n", de->d_name, want);
		free(out);
		targets++;
	}
	closedir(d);
	CHECK(targets >= 5);
	/* And every target built has its seed corpus. */
	char bins[PATH_MAX];
	snprintf(bins, sizeof(bins), "%s/fuzz", cor_test_build());
	d = opendir(bins);
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "fuzz_", 5) != 0)
			continue;
		char dir[PATH_MAX + 256];
		struct stat st;
		snprintf(dir, sizeof(dir), "%s/%s", corpus, de->d_name + 5);
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || count_files(dir) == 0)
			cor_test_fail(t, __FILE__, __LINE__, "%s/%s: no seed corpus in %s", bins,
				      de->d_name, dir);
	}
	if (d)
		closedir(d);
}
