// SPDX-License-Identifier: MIT
// `rd` and `vtop` against crash 8.0.2 on every corpus dump. The oracle is
// tests/data/refs/<scenario>/{rd,vtop}-crash.txt, made by
// tests/data/refs/gen-rd-vtop.sh with the DWARF vmlinux: "@@@ COMMAND" lines,
// each followed by crash's output. Addresses are hex (coroner's rd takes no
// symbols yet): kernel text and data, direct-map objects, a vmemmap page,
// vmalloc'ed and cpu_entry_area stack slots, physical addresses (-p); units
// 64/32/8 bits, counts 1..16.
// rd must equal crash's output exactly. vtop must equal it up to crash's
// last block, the struct page of the frame ("PAGE PHYSICAL MAPPING INDEX CNT
// FLAGS"), which needs symbols and types: that block is not compared. Where
// crash fails (a filtered page, an address past the end of RAM), coroner must
// fail too, for the same reason.
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "harness.h"

/* Runs `coroner DUMP CMD`; returns the exit status, stdout (and stderr if
 * @with_stderr) in *out. */
static int run(const char *dump, const char *cmd, bool with_stderr, char **out)
{
	char line[2 * PATH_MAX];
	snprintf(line, sizeof(line), "'%s' '%s' %s %s", corpus_coroner(), dump, cmd,
		 with_stderr ? "2>&1" : "2>/dev/null");
	return cor_test_run(line, out);
}

/* crash's vtop output without its struct-page block (and the blank line before it). */
static void strip_page_block(char *s)
{
	char *p = strstr(s, "\n      PAGE       PHYSICAL");
	if (p)
		p[1] = '\0';
	size_t n = strlen(s);
	while (n >= 2 && s[n - 1] == '\n' && s[n - 2] == '\n')
		s[--n] = '\0';
}

static void compare_section(struct cor_tctx *t, const struct corpus_dump *d, const char *cmd,
			    char *want, int *same, int *failed_both)
{
	bool vtop = strncmp(cmd, "vtop", 4) == 0;
	bool crash_failed = strncmp(want, "rd:", 3) == 0 || strncmp(want, "vtop:", 5) == 0 ||
			    strstr(want, "invalid") != NULL;
	char *got = NULL;
	int rc = run(d->path, cmd, crash_failed, &got);
	if (crash_failed) {
		/* The same reason: a filtered page, or an address past the end of RAM. */
		const char *why = strstr(want, "page excluded") ? "excluded"
				  : strstr(want, "seek error")	? "beyond the dump"
								: "";
		if (rc == 0 || !got || !strstr(got, why))
			cor_test_fail(
			    t, __FILE__, __LINE__,
			    "%s: `%s`: crash fails (%.80s), coroner (exit %d) prints:\n%s",
			    d->scenario, cmd, want, rc, got ? got : "");
		else
			(*failed_both)++;
		free(got);
		return;
	}
	if (vtop)
		strip_page_block(want);
	if (rc != 0 || !got || strcmp(got, want) != 0)
		cor_test_fail(t, __FILE__, __LINE__, "%s: `%s` (exit %d):\ncoroner:\n%scrash:\n%s",
			      d->scenario, cmd, rc, got ? got : "", want);
	else
		(*same)++;
	free(got);
}

static void check_file(struct cor_tctx *t, const struct corpus_dump *d, const char *name,
		       int *sections)
{
	char dir[PATH_MAX + 64];
	snprintf(dir, sizeof(dir), "%s/tests/data/refs/%s", cor_test_top(), d->scenario);
	char *ref = corpus_read(dir, name);
	if (!ref) {
		cor_test_fail(t, __FILE__, __LINE__,
			      "%s: no %s/%s (tests/data/refs/gen-rd-vtop.sh)", d->scenario, dir,
			      name);
		return;
	}
	int same = 0, failed_both = 0;
	char *p = ref;
	while ((p = strstr(p, "@@@ "))) {
		char *eol = strchr(p, '\n');
		if (!eol)
			break;
		*eol = '\0';
		char cmd[256];
		snprintf(cmd, sizeof(cmd), "%s", p + 4);
		char *body = eol + 1, *next = strstr(body, "\n@@@ ");
		char saved = 0;
		if (next) {
			saved = next[1];
			next[1] = '\0';
		}
		char *want = strdup(body);
		compare_section(t, d, cmd, want, &same, &failed_both);
		free(want);
		(*sections)++;
		if (!next)
			break;
		next[1] = saved;
		p = next + 1;
	}
	printf("    %s %s: %d equal to crash, %d failing in both\n", d->scenario, name, same,
	       failed_both);
	free(ref);
}

COR_TEST(rd_vtop_match_crash)
{
	struct corpus_dump dumps[32];
	int n = corpus_dumps(t, dumps, 32);
	int sections = 0;
	for (int i = 0; i < n; i++) {
		check_file(t, &dumps[i], "rd-crash.txt", &sections);
		check_file(t, &dumps[i], "vtop-crash.txt", &sections);
	}
	if (n > 0)
		CHECK(sections >= 30 * n);
}
