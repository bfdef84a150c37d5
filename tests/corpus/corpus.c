// SPDX-License-Identifier: MIT
// Helpers to find the corpus dumps: see corpus.h.
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "corpus.h"
#include "harness.h"

static int cmp_dump(const void *a, const void *b)
{
	const struct corpus_dump *x = a, *y = b;
	int c = strcmp(x->scenario, y->scenario);
	return c ? c : strcmp(x->variant, y->variant);
}

/* Decompresses a .zst dump once into BUILD/corpus-cache/; false on failure. */
static bool unzstd(struct cor_tctx *t, const char *zst, const char *scenario, char *out,
		   size_t size)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/corpus-cache", cor_test_build());
	mkdir(dir, 0755);
	snprintf(out, size, "%s/%s.elf", dir, scenario);
	struct stat st;
	if (stat(out, &st) == 0 && st.st_size > 0)
		return true;
	char cmd[3 * PATH_MAX];
	snprintf(cmd, sizeof(cmd), "zstd -q -d --long=31 -f '%s' -o '%s.tmp' && mv '%s.tmp' '%s'",
		 zst, out, out, out);
	if (system(cmd) != 0) {
		printf("    (cannot decompress %s: is zstd installed?)\n", zst);
		return false;
	}
	return true;
}

int corpus_dumps(struct cor_tctx *t, struct corpus_dump *out, int max)
{
	const char *corpus = cor_test_corpus();
	if (!corpus) {
		cor_test_skip(t, "../shared/corpus not found: real-dump tests did not run");
		return -1;
	}
	DIR *d = opendir(corpus);
	if (!d) {
		cor_test_skip(t, "cannot list %s", corpus);
		return -1;
	}
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < max) {
		char sdir[PATH_MAX];
		snprintf(sdir, sizeof(sdir), "%s/%s", corpus, de->d_name);
		DIR *sd = de->d_name[0] == '.' ? NULL : opendir(sdir);
		if (!sd)
			continue;
		struct dirent *fe;
		while ((fe = readdir(sd)) && n < max) {
			if (strncmp(fe->d_name, "vmcore.", 7) != 0)
				continue;
			struct corpus_dump *c = &out[n];
			memset(c, 0, sizeof(*c));
			snprintf(c->scenario, sizeof(c->scenario), "%s", de->d_name);
			snprintf(c->dir, sizeof(c->dir), "%s", sdir);
			const char *v = fe->d_name + 7;
			bool zst = strstr(v, ".zst") != NULL;
			snprintf(c->variant, sizeof(c->variant), "%.*s", (int)strcspn(v, "."), v);
			if (zst) {
				char zpath[PATH_MAX + 300];
				snprintf(zpath, sizeof(zpath), "%s/%s", sdir, fe->d_name);
				if (!unzstd(t, zpath, c->scenario, c->path, sizeof(c->path)))
					continue;
			} else {
				snprintf(c->path, sizeof(c->path), "%s/%s", sdir, fe->d_name);
			}
			/* refs/<vmcore.VARIANT>/ when a scenario has refs per dump, else refs/ */
			char vref[PATH_MAX + 300];
			snprintf(vref, sizeof(vref), "%s/refs/vmcore.%s", sdir, c->variant);
			struct stat st;
			if (stat(vref, &st) == 0 && S_ISDIR(st.st_mode))
				snprintf(c->refs, sizeof(c->refs), "%s", vref);
			else
				snprintf(c->refs, sizeof(c->refs), "%s/refs", sdir);
			n++;
		}
		closedir(sd);
	}
	closedir(d);
	qsort(out, (size_t)n, sizeof(*out), cmp_dump);
	if (n == 0)
		cor_test_skip(t, "no dumps in %s", corpus);
	return n ? n : -1;
}

const char *corpus_coroner(void)
{
	static char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/coroner", cor_test_build());
	return path;
}

char *corpus_read(const char *dir, const char *name)
{
	char path[2 * PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return cor_test_slurp(path, NULL);
}

void corpus_rstrip_lines(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (*r == '\n') {
			while (w > s && (w[-1] == ' ' || w[-1] == '\t'))
				w--;
		}
		*w++ = *r;
	}
	while (w > s && (w[-1] == ' ' || w[-1] == '\t'))
		w--;
	*w = '\0';
}

const char *corpus_sys_field(const char *sys, const char *label)
{
	static char val[512];
	char key[64];
	snprintf(key, sizeof(key), "%s: ", label);
	val[0] = '\0';
	for (const char *p = sys; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *q = p;
		while (*q == ' ')
			q++;
		if (strncmp(q, key, strlen(key)) == 0) {
			q += strlen(key);
			snprintf(val, sizeof(val), "%.*s", (int)strcspn(q, "\n"), q);
			break;
		}
	}
	return val;
}
