/* SPDX-License-Identifier: MIT */
/* The real dumps of ../shared/corpus, for tests: scenarios, dump files, refs. */
#ifndef CORONER_TEST_CORPUS_H
#define CORONER_TEST_CORPUS_H

#include <limits.h>

struct cor_tctx;

struct corpus_dump {
	char scenario[64];
	/* The dump file (a .zst is decompressed once into the build dir's cache). */
	char path[PATH_MAX];
	/* The scenario folder. */
	char dir[PATH_MAX];
	/* The crash refs for this dump (refs/ or refs/<variant>/). */
	char refs[PATH_MAX];
	/* "kdump-zlib", "kdump-lzo", "elf". */
	char variant[32];
};

/*
 * Lists every dump of the corpus into @p out (at most @p max); returns the
 * count, or -1 after cor_test_skip() when the corpus is absent.
 */
int corpus_dumps(struct cor_tctx *t, struct corpus_dump *out, int max);
/* Path of the coroner binary of this build. */
const char *corpus_coroner(void);
/* Reads a whole file (NUL-terminated) or NULL. */
char *corpus_read(const char *dir, const char *name);
/* Removes trailing blanks from each line in place (the refs keep crash's padding). */
void corpus_rstrip_lines(char *s);
/* The value of a "  LABEL: value" line of crash's sys output, or "" (static buffer). */
const char *corpus_sys_field(const char *sys, const char *label);

#endif
