// SPDX-License-Identifier: MIT
// The generator (tests/gen/) checked against other readers, so that reader
// and generator cannot share a misreading of the formats:
//  - libkdumpfile (tests/oracle/kdumpfile_read.c, built here with
//    pkg-config libkdumpfile) reads our kdump-compressed and ELF files: every
//    page the spec gives reads with the same bytes, excluded/absent ones fail;
//  - makedumpfile -R turns our flattened file back into exactly the
//    kdump-compressed file the generator writes for the same spec.
// Each skips loudly when its tool is not installed.
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen.h"
#include "harness.h"

#define SPEC_PAGES                                                                                 \
	"page 0:3 pattern 7\npage 3 random 1\npage 4 fill 0\nexclude 5:2\npage 7 fill 0\n"         \
	"page 8:2 random 9\npage 12:3 pattern 3\nexclude 15\nmax_pfn 24\n"                         \
	"vmcoreinfo OSRELEASE=6.1.0-gen\nvmcoreinfo PAGESIZE=4096\n"                               \
	"prstatus 1 0xffffffff81000010 0xffffc90000003f00\n"

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static bool write_spec(struct cor_tctx *t, const char *text, const char *path,
		       struct gen_spec **spec)
{
	char err[256];
	if (gen_file_from_spec(text, path, err, sizeof(err)) ||
	    gen_spec_parse(text, spec, err, sizeof(err))) {
		cor_test_fail(t, __FILE__, __LINE__, "%s", err);
		return false;
	}
	return true;
}

/* Builds the libkdumpfile reader into the test's tmpdir; NULL after a skip. */
static const char *build_reader(struct cor_tctx *t)
{
	static char bin[PATH_MAX];
	char cmd[3 * PATH_MAX];
	snprintf(bin, sizeof(bin), "%s/kdumpfile_read", cor_test_tmpdir(t));
	snprintf(cmd, sizeof(cmd),
		 "cc -O1 -o '%s' '%s/tests/oracle/kdumpfile_read.c' "
		 "$(pkg-config --cflags --libs libkdumpfile) 2>&1",
		 bin, cor_test_top());
	char *out = NULL;
	int rc = cor_test_run(cmd, &out);
	free(out);
	if (rc != 0) {
		cor_test_skip(t, "libkdumpfile-dev not installed: the generator is not checked "
				 "against libkdumpfile");
		return NULL;
	}
	return bin;
}

/* Runs the libkdumpfile reader on @path for every pfn and compares. Returns the
 * number of pages compared, or -1 if libkdumpfile refused the file (message in @why). */
static int compare_with_libkdumpfile(struct cor_tctx *t, const char *bin, const char *path,
				     const struct gen_spec *s, char *why, size_t whylen)
{
	char cmd[4 * PATH_MAX];
	int n = snprintf(cmd, sizeof(cmd), "'%s' '%s'", bin, path);
	for (uint64_t pfn = 0; pfn < s->max_pfn && n > 0 && (size_t)n < sizeof(cmd) - 32; pfn++)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " %" PRIu64, pfn);
	char *out = NULL;
	int rc = cor_test_run(cmd, &out);
	if (rc != 0 || !out) {
		snprintf(why, whylen, "%s", out ? out : "no output");
		free(out);
		return -1;
	}
	int compared = 0;
	uint64_t zero_hash = fnv1a(gen_page(s, UINT64_MAX), s->page_size);
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		uint64_t pfn, hash;
		char what[16];
		if (sscanf(line, "%" SCNu64 " %15s %" SCNx64, &pfn, what, &hash) < 2)
			continue;
		bool data = pfn < s->npfn && s->kind[pfn] == GEN_PAGE_DATA;
		if (strcmp(what, "data") == 0) {
			/* libkdumpfile 0.5.1 reads some frames of an ELF file that have no
			 * bytes in it (memsz > filesz, a hole after such a segment) as zeros
			 * where we say excluded or absent: only pages with data are compared
			 * there. */
			if (!data && s->format == GEN_ELF && hash == zero_hash)
				continue;
			if (!data || hash != fnv1a(gen_page(s, pfn), s->page_size))
				cor_test_fail(t, __FILE__, __LINE__,
					      "%s: libkdumpfile: pfn %" PRIu64 " reads other bytes",
					      path, pfn);
			compared++;
		} else if (data) {
			/* libkdumpfile refusing a page we wrote: a codec it lacks */
			snprintf(why, whylen, "%s", line);
			free(out);
			return -1;
		}
	}
	free(out);
	return compared;
}

COR_TEST(dump_gen_vs_libkdumpfile)
{
	const char *bin = build_reader(t);
	if (!bin)
		return;
	static const char *const heads[] = {
	    "format kdump\ncodec zlib\n",
	    "format kdump\ncodec lzo\n",
	    "format kdump\ncodec snappy\n",
	    "format kdump\ncodec zstd\n",
	    "format kdump\ncodec none\n",
	    "format kdump\ncodec zlib\nheader_version 4\n",
	    "format elf\n",
	};
	int checked = 0;
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		char text[4096], path[PATH_MAX], why[512] = "";
		snprintf(text, sizeof(text), "%s%s", heads[i], SPEC_PAGES);
		snprintf(path, sizeof(path), "%s/gen-%zu", cor_test_tmpdir(t), i);
		struct gen_spec *s;
		if (!write_spec(t, text, path, &s))
			return;
		int n = compare_with_libkdumpfile(t, bin, path, s, why, sizeof(why));
		char label[128];
		snprintf(label, sizeof(label), "%s", heads[i]);
		for (char *c = label; *c; c++)
			*c = *c == '\n' ? ' ' : *c;
		if (n < 0) {
			/* Debian's libkdumpfile 0.5.1 may be built without a codec: say so. */
			bool codec = strstr(why, "ompress") || strstr(why, "nsupported");
			if (!codec)
				cor_test_fail(t, __FILE__, __LINE__, "%s: libkdumpfile: %s", label,
					      why);
			else
				printf("    %s: not checked, libkdumpfile lacks it: %s\n", label,
				       why);
		} else {
			printf("    %s: %d pages equal in libkdumpfile\n", label, n);
			CHECK(n == 11);
			checked++;
		}
		gen_spec_free(s);
	}
	CHECK(checked >= 3);
}

COR_TEST(dump_gen_flat_vs_makedumpfile_R)
{
	char *out = NULL;
	if (cor_test_run("command -v makedumpfile", &out) != 0) {
		free(out);
		cor_test_skip(t, "makedumpfile not installed: the flattened generator is not "
				 "checked against makedumpfile -R");
		return;
	}
	free(out);
	static const char *const heads[] = {
	    "codec zlib\nflat_chunk 4096\n",
	    "codec lzo\nflat_chunk 1000\nflat_shuffle 99\n",
	};
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		char flat[4096], kdump[4096], fpath[PATH_MAX], kpath[PATH_MAX], rpath[PATH_MAX];
		snprintf(flat, sizeof(flat), "format flat\n%s%s", heads[i], SPEC_PAGES);
		snprintf(kdump, sizeof(kdump), "format kdump\n%s%s", heads[i], SPEC_PAGES);
		snprintf(fpath, sizeof(fpath), "%s/flat-%zu", cor_test_tmpdir(t), i);
		snprintf(kpath, sizeof(kpath), "%s/kdump-%zu", cor_test_tmpdir(t), i);
		snprintf(rpath, sizeof(rpath), "%s/rearranged-%zu", cor_test_tmpdir(t), i);
		struct gen_spec *s1, *s2;
		if (!write_spec(t, flat, fpath, &s1))
			return;
		if (!write_spec(t, kdump, kpath, &s2))
			return;
		gen_spec_free(s1);
		gen_spec_free(s2);
		char cmd[4 * PATH_MAX];
		snprintf(cmd, sizeof(cmd), "makedumpfile -R '%s' < '%s' 2>&1 && cmp '%s' '%s' 2>&1",
			 rpath, fpath, rpath, kpath);
		int rc = cor_test_run(cmd, &out);
		if (rc != 0)
			cor_test_fail(t, __FILE__, __LINE__, "makedumpfile -R of %s: %s", fpath,
				      out ? out : "");
		else
			printf("    makedumpfile -R of a generated flattened file == generated "
			       "kdump (%s)\n",
			       i ? "shuffled records" : "in order");
		free(out);
	}
}
