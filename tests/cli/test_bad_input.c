// SPDX-License-Identifier: MIT
// Bad input to the CLI: a missing file, a directory, an empty file, garbage,
// an ELF that is not a core, 32-bit and other-architecture dumps, truncated
// dumps (cut anywhere), a corrupt header, a corrupt compressed page. Each
// gives one line on stderr that names the file and what is wrong, a non-zero
// exit, no signal, no hang; a cut dump still shows what it has and names
// what is missing. Runs BUILD/coroner.
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "corpus.h"
#include "coroner/base.h"
#include "gen/gen.h"
#include "harness.h"

struct run {
	int rc;
	char *out, *err;
};

/* Runs `coroner ARGS` (ARGS already quoted), capturing stdout and stderr. */
static void run_coroner(struct cor_tctx *t, const char *args, struct run *r)
{
	char errpath[PATH_MAX], cmd[4 * PATH_MAX];
	snprintf(errpath, sizeof(errpath), "%s/stderr", cor_test_tmpdir(t));
	snprintf(cmd, sizeof(cmd), "TZ=UTC timeout 120 '%s' %s 2>'%s'", corpus_coroner(), args,
		 errpath);
	r->rc = cor_test_run(cmd, &r->out);
	r->err = cor_test_slurp(errpath, NULL);
	if (!r->out)
		r->out = strdup("");
	if (!r->err)
		r->err = strdup("");
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Fails unless the run failed cleanly with one stderr line holding every needle. */
static void expect_one_line(struct cor_tctx *t, const char *what, struct run *r,
			    const char *needle1, const char *needle2)
{
	if (r->rc == 0 || r->rc >= 124 || count_lines(r->err) != 1 ||
	    strncmp(r->err, "coroner: ", 9) != 0 || (needle1 && !strstr(r->err, needle1)) ||
	    (needle2 && !strstr(r->err, needle2)))
		cor_test_fail(t, __FILE__, __LINE__,
			      "%s: exit %d, stderr \"%s\" (want one line with \"%s\" \"%s\")", what,
			      r->rc, r->err, needle1 ? needle1 : "", needle2 ? needle2 : "");
	else
		printf("    %s: %s", what, r->err);
}

static void bad(struct cor_tctx *t, const char *path, const char *cmd, const char *needle)
{
	char args[2 * PATH_MAX];
	snprintf(args, sizeof(args), "'%s' %s", path, cmd);
	struct run r;
	run_coroner(t, args, &r);
	expect_one_line(t, path, &r, path, needle);
	run_free(&r);
}

static const char *tmpfile_path(struct cor_tctx *t, const char *name)
{
	static char path[4][PATH_MAX];
	static int k;
	char *p = path[k++ % 4];
	snprintf(p, PATH_MAX, "%s/%s", cor_test_tmpdir(t), name);
	return p;
}

static bool write_bytes(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return false;
	bool ok = fwrite(buf, 1, len, f) == len;
	return fclose(f) == 0 && ok;
}

static const char *gen(struct cor_tctx *t, const char *name, const char *spec)
{
	const char *path = tmpfile_path(t, name);
	char err[256];
	if (gen_file_from_spec(spec, path, err, sizeof(err))) {
		cor_test_fail(t, __FILE__, __LINE__, "%s: %s", name, err);
		return "/nonexistent";
	}
	return path;
}

static const char *sample_path(void)
{
	static char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/tests/data/sample.kdump", cor_test_top());
	return path;
}

COR_TEST(bad_input_files)
{
	bad(t, "/nonexistent/vmcore", "sys", "No such file");
	bad(t, cor_test_tmpdir(t), "sys", "directory");
	const char *empty = tmpfile_path(t, "empty");
	CHECK(write_bytes(empty, "", 0));
	bad(t, empty, "log", "empty");
	char garbage[5000];
	uint64_t x = 88172645463325252ull;
	for (size_t i = 0; i < sizeof(garbage); i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		garbage[i] = (char)x;
	}
	const char *g = tmpfile_path(t, "garbage");
	CHECK(write_bytes(g, garbage, sizeof(garbage)));
	bad(t, g, "sys", "not a crash dump");
	/* An ELF that is not a core: the coroner executable itself (as a vmlinux would be). */
	bad(t, corpus_coroner(), "sys", "not a core dump");
}

COR_TEST(bad_input_architectures)
{
	bad(t, gen(t, "elf32", "format elf\nelf_class 32\nelf_machine 3\npage 0 random 1\n"), "sys",
	    "32-bit");
	bad(t, gen(t, "elf-aarch64", "format elf\nelf_machine 183\npage 0 random 1\n"), "sys",
	    "architecture");
	bad(t, gen(t, "kdump-aarch64", "machine aarch64\npage 0 random 1\n"), "sys", "aarch64");
	bad(t, gen(t, "flat-s390x", "format flat\nmachine s390x\npage 0 random 1\n"), "log",
	    "s390x");
}

/* A copy of the sample with @len bytes at @off replaced. */
static const char *patched_sample(struct cor_tctx *t, const char *name, size_t off,
				  const void *bytes, size_t len, size_t *size_ret)
{
	size_t size;
	char *buf = cor_test_slurp(sample_path(), &size);
	const char *path = tmpfile_path(t, name);
	if (!buf || off + len > size ||
	    (memcpy(buf + off, bytes, len), !write_bytes(path, buf, size)))
		cor_test_fail(t, __FILE__, __LINE__, "cannot write %s", path);
	free(buf);
	if (size_ret)
		*size_ret = size;
	return path;
}

COR_TEST(bad_input_corrupt_header)
{
	/* disk_dump_header.block_size at 428 (makedumpfile diskdump_mod.h) */
	uint32_t v = 1000;
	bad(t, patched_sample(t, "bad-block-size", 428, &v, 4, NULL), "sys", "block size");
	v = 0;
	bad(t, patched_sample(t, "bad-version", 8, &v, 4, NULL), "sys", "header version");
	bad(t, patched_sample(t, "bad-signature", 0, "KDUMQ", 5, NULL), "sys", "not a crash dump");
}

/* The sample's first compressed page: from the header (block_size 428,
 * sub_hdr_size 432, bitmap_blocks 436; makedumpfile diskdump_mod.h), the k-th
 * set bit of the 2nd bitmap is the pfn of the k-th page_desc {offset, size,
 * flags}. */
static bool first_page(struct cor_tctx *t, uint64_t *pfn, uint64_t *data_off, uint32_t *size)
{
	size_t len;
	uint8_t *buf = (uint8_t *)cor_test_slurp(sample_path(), &len);
	if (!buf || len < 4096) {
		free(buf);
		cor_test_fail(t, __FILE__, __LINE__, "cannot read %s", sample_path());
		return false;
	}
	uint64_t bs = cor_le32(buf + 428), sub = cor_le32(buf + 432), bm = cor_le32(buf + 436);
	uint64_t bitmap2 = (1 + sub) * bs + bm * bs / 2, descs = (1 + sub + bm) * bs, k = 0;
	bool ok = false;
	for (uint64_t i = 0; !ok && bitmap2 + i / 8 < len && i < bm * bs / 2 * 8; i++) {
		if (!(buf[bitmap2 + i / 8] >> (i % 8) & 1))
			continue;
		const uint8_t *pd = buf + descs + 24 * k++;
		if (pd + 24 > buf + len)
			break;
		if (cor_le32(pd + 12) != 0 && cor_le32(pd + 8) < bs) {
			*pfn = i;
			*data_off = cor_le64(pd);
			*size = cor_le32(pd + 8);
			ok = true;
		}
	}
	free(buf);
	return ok;
}

COR_TEST(bad_input_corrupt_page)
{
	uint64_t pfn, off;
	uint32_t size;
	if (!first_page(t, &pfn, &off, &size)) {
		cor_test_fail(t, __FILE__, __LINE__, "no compressed first page in the sample");
		return;
	}
	uint8_t junk[64];
	memset(junk, 0xa5, sizeof(junk));
	const char *path = patched_sample(t, "bad-page", (size_t)off, junk,
					  size < sizeof(junk) ? size : sizeof(junk), NULL);
	char args[2 * PATH_MAX], addr[32];
	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)(pfn * 4096));
	snprintf(args, sizeof(args), "'%s' rd -p %s 4", path, addr);
	struct run r;
	run_coroner(t, args, &r);
	expect_one_line(t, "corrupt page", &r, path, "does not decompress");
	CHECK(strstr(r.err, addr) != NULL);
	run_free(&r);
	/* The rest of the dump still works. */
	snprintf(args, sizeof(args), "'%s' sys", path);
	run_coroner(t, args, &r);
	CHECK(r.rc == 0 && strstr(r.out, "RELEASE: 6.1.0-56-amd64"));
	run_free(&r);
}

/* Cuts @src at @len into the tmpdir (head -c: the QEMU ELF is 1 GiB). */
static const char *cut(struct cor_tctx *t, const char *src, uint64_t len, const char *name)
{
	const char *dst = tmpfile_path(t, name);
	char cmd[3 * PATH_MAX];
	snprintf(cmd, sizeof(cmd), "head -c %llu '%s' > '%s'", (unsigned long long)len, src, dst);
	if (cor_test_run(cmd, NULL) != 0)
		cor_test_fail(t, __FILE__, __LINE__, "cannot cut %s", src);
	return dst;
}

/* `sys` and `log` on a cut dump: a clean failure with one line naming the file,
 * or output; `sys` names what is missing when it succeeds. */
static void check_cut(struct cor_tctx *t, const char *path, const char *what)
{
	static const char *const cmds[] = {"sys", "log"};
	for (size_t i = 0; i < 2; i++) {
		char args[2 * PATH_MAX], label[256];
		snprintf(args, sizeof(args), "'%s' %s", path, cmds[i]);
		snprintf(label, sizeof(label), "%s %s", what, cmds[i]);
		struct run r;
		run_coroner(t, args, &r);
		if (r.rc >= 124) {
			cor_test_fail(t, __FILE__, __LINE__, "%s: exit %d (signal or hang): %s",
				      label, r.rc, r.err);
		} else if (r.rc != 0) {
			expect_one_line(t, label, &r, path, NULL);
		} else {
			if (i == 0 && !strstr(r.out, "INCOMPLETE"))
				cor_test_fail(t, __FILE__, __LINE__, "%s: no INCOMPLETE line",
					      label);
			printf("    %s: partial output, %zu lines\n", label, count_lines(r.out));
		}
		run_free(&r);
	}
}

COR_TEST(bad_input_truncated_sample)
{
	struct stat st;
	if (stat(sample_path(), &st) != 0) {
		cor_test_fail(t, __FILE__, __LINE__, "no %s", sample_path());
		return;
	}
	/* In the header, the sub header, the bitmaps, the descriptors, the data. */
	static const uint64_t at[] = {100, 464, 4096 + 50, 8192, 40000, 70000, 300000};
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		char what[64];
		snprintf(what, sizeof(what), "sample cut at %llu", (unsigned long long)at[i]);
		check_cut(t, cut(t, sample_path(), at[i], "cut"), what);
	}
	for (int pct = 10; pct < 100; pct += 20) {
		char what[64];
		snprintf(what, sizeof(what), "sample cut at %d%%", pct);
		check_cut(t, cut(t, sample_path(), (uint64_t)st.st_size * pct / 100, "cut"), what);
	}
}

COR_TEST(bad_input_truncated_corpus)
{
	struct corpus_dump dumps[32];
	int n = corpus_dumps(t, dumps, 32);
	for (int i = 0; i < n; i++) {
		struct stat st;
		if (stat(dumps[i].path, &st) != 0) {
			cor_test_fail(t, __FILE__, __LINE__, "no %s", dumps[i].path);
			continue;
		}
		static const int pcts[] = {25, 50, 90};
		for (size_t k = 0; k < 3; k++) {
			char what[128];
			snprintf(what, sizeof(what), "%s (%s) cut at %d%%", dumps[i].scenario,
				 dumps[i].variant, pcts[k]);
			const char *p =
			    cut(t, dumps[i].path, (uint64_t)st.st_size * pcts[k] / 100, "cut");
			check_cut(t, p, what);
			remove(p);
		}
	}
}
