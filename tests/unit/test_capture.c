// SPDX-License-Identifier: MIT
// Unit tests of the capture building blocks: the ordered work queue, the page
// compressors (against the readers' decompressors), the kdump-compressed
// writer (read back by coroner's reader; as a file and as a flattened
// stream, and -R of that stream), a write failure half-way (RLIMIT_FSIZE:
// the dump is finished flagged incomplete), the ELF writer.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coroner/capture.h"
#include "coroner/dump.h"
#include "coroner/dump_writer.h"
#include "coroner/progress.h"
#include "coroner/program.h"
#include "coroner/threadpool.h"
#include "gen/gen.h"
#include "harness.h"

#define PS 4096u

struct job {
	int id;
	int result;
};

static void square(void *ctx, void *p, unsigned worker)
{
	struct job *j = p;
	(void)ctx;
	(void)worker;
	if (j->id % 7 == 0)
		usleep(2000); /* some jobs finish late: the order must not change */
	j->result = j->id * j->id;
}

static void workq_order(struct cor_tctx *t, unsigned threads)
{
	struct cor_workq *q;
	CHECK_OK(cor_workq_create(threads, 4, square, NULL, &q));
	struct job jobs[4];
	int next = 0, got = 0;
	while (got < 200) {
		if (next < 200 && !cor_workq_full(q)) {
			struct job *j = &jobs[next % 4];
			j->id = next++;
			cor_workq_submit(q, j);
			continue;
		}
		struct job *j = cor_workq_next(q);
		CHECK(j && j->id == got && j->result == got * got);
		got++;
	}
	CHECK(cor_workq_next(q) == NULL);
	cor_workq_destroy(q);
}

COR_TEST(capture_workq_keeps_order)
{
	workq_order(t, 0);
	workq_order(t, 1);
	workq_order(t, 3);
}

static void fill_text(uint8_t *p, unsigned seed)
{
	for (unsigned i = 0; i < PS; i++)
		p[i] = (uint8_t)("kernel page "[(i + seed) % 12]);
}

static void fill_random(uint8_t *p, unsigned seed)
{
	uint64_t x = 0x9e3779b97f4a7c15ull * (seed + 1);
	for (unsigned i = 0; i < PS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)x;
	}
}

COR_TEST(capture_compressors_round_trip)
{
	/* every codec at its default level, then zlib 9 and zstd's fast level -5 */
	static const enum cor_codec codecs[] = {COR_CODEC_ZLIB, COR_CODEC_LZO,	COR_CODEC_SNAPPY,
						COR_CODEC_ZSTD, COR_CODEC_ZLIB, COR_CODEC_ZSTD};
	static const int levels[] = {0, 0, 0, 0, 9, -5};
	static uint8_t page[PS], back[PS], out[2 * PS];
	for (size_t i = 0; i < COR_ARRAY_SIZE(codecs); i++) {
		struct cor_compressor *c;
		CHECK_OK(cor_compressor_create(codecs[i], levels[i], PS, &c));
		CHECK(cor_compressor_bound(c) <= sizeof(out));
		for (unsigned k = 0; k < 3; k++) { /* the context is reused */
			fill_text(page, k);
			size_t n = cor_compressor_page(c, page, out);
			CHECK(n > 0 && n < PS);
			CHECK_OK(cor_codec_decompress(codecs[i], out, n, back, PS));
			CHECK(memcmp(page, back, PS) == 0);
		}
		fill_random(page, 1);
		CHECK(cor_compressor_page(c, page, out) == 0); /* does not shrink: stored raw */
		cor_compressor_destroy(c);
	}
	struct cor_compressor *c;
	CHECK_ERR(cor_compressor_create(COR_CODEC_ZLIB, 10, PS, &c), COR_ERR_INVALID);
	CHECK_ERR(cor_compressor_create(COR_CODEC_ZSTD, 99, PS, &c), COR_ERR_INVALID);
	CHECK_ERR(cor_compressor_create(COR_CODEC_ZLIB, -1, PS, &c), COR_ERR_INVALID);
	CHECK_ERR(cor_compressor_create(COR_CODEC_ZSTD, -8, PS, &c), COR_ERR_INVALID);
}

/* A 64-page machine: pages 0..47 RAM, 40..47 filtered out; page 5 zero,
 * odd pages text, even pages random (raw). Pages are given 20..39 first, then
 * 0..19 (the capture writes the kernel image first); page 9 may be skipped
 * (unreadable). */
#define NPAGES 64

static void writer_config(struct cor_kdump_writer_config *cfg, uint8_t *bm1, uint8_t *bm2)
{
	memset(bm1, 0, NPAGES / 8);
	memset(bm2, 0, NPAGES / 8);
	for (unsigned p = 0; p < 48; p++) {
		bm1[p / 8] |= (uint8_t)(1u << (p % 8));
		if (p < 40)
			bm2[p / 8] |= (uint8_t)(1u << (p % 8));
	}
	static const char vmcoreinfo[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n";
	*cfg = (struct cor_kdump_writer_config){
	    .page_size = PS,
	    .max_mapnr = NPAGES,
	    .sysname = "Linux",
	    .release = "6.1.0-test",
	    .machine = "x86_64",
	    .codec = COR_CODEC_ZSTD,
	    .dump_level = 31,
	    .nr_cpus = 1,
	    .vmcoreinfo = vmcoreinfo,
	    .vmcoreinfo_len = sizeof(vmcoreinfo) - 1,
	    .bitmap1 = bm1,
	    .bitmap2 = bm2,
	    .buffer_size = 3 * PS, /* several flushes */
	};
}

static void page_of(unsigned pfn, uint8_t *p)
{
	if (pfn == 5)
		memset(p, 0, PS);
	else if (pfn % 2)
		fill_text(p, pfn);
	else
		fill_random(p, pfn);
}

/* Feeds pages 0..39 to @w; returns the error of the first failing add. With
 * @packed, the data pages go 5 at a time, back to back, through
 * cor_kdump_writer_add_packed() (the capture pipeline's way); else one by one. */
static struct cor_error *feed_mode(struct cor_kdump_writer *w, bool skip9, bool packed)
{
	struct cor_compressor *c;
	struct cor_error *err = cor_compressor_create(COR_CODEC_ZSTD, 0, PS, &c);
	if (err)
		return err;
	static uint8_t page[PS], out[5 * 2 * PS];
	uint64_t pfns[5];
	uint32_t sizes[5];
	bool comp[5];
	size_t n = 0, len = 0;
	for (unsigned i = 0; i < 40 && !err; i++) {
		unsigned pfn = (i + 20) % 40;
		page_of(pfn, page);
		if (pfn == 5) {
			err = cor_kdump_writer_add_zero(w, pfn);
		} else if (pfn == 9 && skip9) {
			cor_kdump_writer_skip(w, pfn);
		} else {
			size_t m = cor_compressor_page(c, page, out + len);
			if (!packed) {
				err = m ? cor_kdump_writer_add(w, pfn, out, (uint32_t)m, true)
					: cor_kdump_writer_add(w, pfn, page, PS, false);
				continue;
			}
			if (!m)
				memcpy(out + len, page, m = PS);
			pfns[n] = pfn;
			sizes[n] = (uint32_t)m;
			comp[n++] = m < PS;
			len += m;
		}
		if (!err && n && (n == 5 || i == 39)) {
			err = cor_kdump_writer_add_packed(w, n, pfns, sizes, comp, out);
			n = len = 0;
		}
	}
	cor_compressor_destroy(c);
	return err;
}

static struct cor_error *feed(struct cor_kdump_writer *w, bool skip9)
{
	return feed_mode(w, skip9, false);
}

/* Checks the dump at @path page by page; returns the number of present pages. */
static unsigned check_dump(struct cor_tctx *t, const char *path, bool complete, bool skip9)
{
	struct cor_dump *d;
	struct cor_error *err = cor_dump_open(path, &d);
	if (err) {
		cor_test_fail(t, __FILE__, __LINE__, "%s: %s", path, err->message);
		cor_error_destroy(err);
		return 0;
	}
	CHECK(cor_dump_is_incomplete(d) == !complete);
	CHECK_U64(cor_dump_max_pfn(d), NPAGES);
	const struct cor_kdump_info *k = cor_dump_kdump_info(d);
	CHECK(k && k->header_version == 6 && k->dump_level == 31 && k->codecs == COR_CODEC_ZSTD);
	CHECK(k && strcmp(k->release, "6.1.0-test") == 0);
	size_t vlen;
	CHECK(cor_dump_vmcoreinfo(d, &vlen) && vlen > 10);
	static uint8_t want[PS], got[PS];
	unsigned present = 0;
	for (unsigned pfn = 0; pfn < NPAGES; pfn++) {
		enum cor_page_state st = cor_dump_page_state(d, pfn);
		if (pfn >= 48)
			CHECK(st == COR_PAGE_ABSENT);
		else if (pfn >= 40)
			CHECK(st == COR_PAGE_EXCLUDED);
		else if (pfn == 9 && skip9)
			CHECK(st == COR_PAGE_MISSING);
		else if (complete)
			CHECK(st == COR_PAGE_PRESENT);
		if (st != COR_PAGE_PRESENT)
			continue;
		present++;
		page_of(pfn, want);
		err = cor_dump_read_page(d, pfn, got);
		CHECK(err == NULL);
		cor_error_destroy(err);
		if (memcmp(want, got, PS) != 0)
			cor_test_fail(t, __FILE__, __LINE__, "%s: page %u differs", path, pfn);
	}
	cor_dump_close(d);
	return present;
}

/* Writes the 40 pages to @path (flattened if @flat, packed if @packed). */
static void write_file(struct cor_tctx *t, const char *path, bool flat, bool packed)
{
	static uint8_t bm1[NPAGES / 8], bm2[NPAGES / 8];
	struct cor_kdump_writer_config cfg;
	writer_config(&cfg, bm1, bm2);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	struct cor_dump_sink sink;
	if (flat)
		CHECK_OK(cor_dump_sink_init_flat(&sink, fd));
	else
		cor_dump_sink_init_file(&sink, fd);
	struct cor_kdump_writer *w;
	CHECK_OK(cor_kdump_writer_create(&cfg, &sink, &w));
	CHECK_OK(feed_mode(w, false, packed));
	/* Pages given twice and pages not dumpable are refused. */
	static uint8_t page[PS];
	CHECK_ERR(cor_kdump_writer_add(w, 3, page, PS, false), COR_ERR_INVALID);
	CHECK_ERR(cor_kdump_writer_add(w, 42, page, PS, false), COR_ERR_INVALID);
	bool inc = true;
	CHECK_OK(cor_kdump_writer_finish(w, false, &inc));
	CHECK(!inc);
	cor_kdump_writer_destroy(w);
	close(fd);
}

COR_TEST(capture_kdump_writer_file_flat_rearrange)
{
	const char *tmp = cor_test_tmpdir(t);
	char file[4096], flat[4096], re[4096];
	snprintf(file, sizeof(file), "%s/dump.kdump", tmp);
	snprintf(flat, sizeof(flat), "%s/dump.flat", tmp);
	snprintf(re, sizeof(re), "%s/dump.re", tmp);
	write_file(t, file, false, false);
	write_file(t, flat, true, false);
	CHECK(check_dump(t, file, true, false) == 40);
	CHECK(check_dump(t, flat, true, false) == 40);
	int in = open(flat, O_RDONLY), out = open(re, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(in >= 0 && out >= 0);
	CHECK_OK(cor_flat_rearrange(in, out));
	close(in);
	close(out);
	CHECK(check_dump(t, re, true, false) == 40);
	char cmd[16384];
	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", file, re);
	CHECK(cor_test_run(cmd, NULL) == 0);
	/* A stream cut short: rearranged as far as it goes, and said so. */
	snprintf(cmd, sizeof(cmd), "head -c 20000 '%s' > '%s.cut'", flat, flat);
	CHECK(cor_test_run(cmd, NULL) == 0);
	snprintf(cmd, sizeof(cmd), "%s.cut", flat);
	in = open(cmd, O_RDONLY);
	out = open(re, O_RDWR | O_TRUNC);
	CHECK_ERR(cor_flat_rearrange(in, out), COR_ERR_TRUNCATED);
	close(in);
	close(out);
	/* Not a flattened stream at all. */
	in = open(file, O_RDONLY);
	out = open(re, O_RDWR | O_TRUNC);
	CHECK_ERR(cor_flat_rearrange(in, out), COR_ERR_CORRUPT);
	close(in);
	close(out);
}

/* Writes pages (page 9 skipped) to @path while the file may not grow past 10
 * pages (RLIMIT_FSIZE, as a full disk: header 2 blocks, bitmaps 2, descriptors
 * 1, the zero page, ~4 random pages): the writer must stop storing pages and
 * finish a valid dump flagged incomplete. *present: the pages it holds, each
 * checked; the limit stays for the rest of the (forked) test. */
static void write_limited(struct cor_tctx *t, const char *path, bool packed, unsigned *present)
{
	*present = 0;
	static uint8_t bm1[NPAGES / 8], bm2[NPAGES / 8];
	struct cor_kdump_writer_config cfg;
	writer_config(&cfg, bm1, bm2);
	signal(SIGXFSZ, SIG_IGN); /* get EFBIG instead of the signal (this is a forked child) */
	struct rlimit rl = {.rlim_cur = 10 * PS, .rlim_max = RLIM_INFINITY};
	CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	struct cor_dump_sink sink;
	cor_dump_sink_init_file(&sink, fd);
	struct cor_kdump_writer *w;
	CHECK_OK(cor_kdump_writer_create(&cfg, &sink, &w));
	struct cor_error *err = feed_mode(w, true, packed);
	CHECK(err && err->code == COR_ERR_OS && err->errnum == EFBIG);
	cor_error_destroy(err);
	bool inc = false;
	CHECK_OK(cor_kdump_writer_finish(w, false, &inc));
	CHECK(inc);
	cor_kdump_writer_destroy(w);
	close(fd);
	*present = check_dump(t, path, false, true);
	CHECK(*present > 0 && *present < 39);
}

/* The file may not grow past a limit (RLIMIT_FSIZE, as a full disk): the
 * writer stops storing pages and finishes a valid dump flagged incomplete. */
COR_TEST(capture_kdump_writer_write_failure)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/limited.kdump", cor_test_tmpdir(t));
	unsigned present;
	write_limited(t, path, false, &present);
	/* A skipped page alone makes the dump incomplete: see capture_kdump_writer_skip. */
	printf("    %u of 40 pages in the incomplete dump, all correct\n", present);
}

/* Pages given packed (the capture pipeline's way): the same dump byte for
 * byte as page by page, and the same behaviour when the file cannot grow. */
COR_TEST(capture_kdump_writer_packed)
{
	const char *tmp = cor_test_tmpdir(t);
	char one[4096], packed[4096], limited[4096];
	snprintf(one, sizeof(one), "%s/one.kdump", tmp);
	snprintf(packed, sizeof(packed), "%s/packed.kdump", tmp);
	snprintf(limited, sizeof(limited), "%s/limited.kdump", tmp);
	write_file(t, one, false, false);
	write_file(t, packed, false, true);
	CHECK(check_dump(t, packed, true, false) == 40);
	char cmd[12288];
	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", one, packed);
	CHECK(cor_test_run(cmd, NULL) == 0);
	/* the file may not grow past 10 pages: incomplete, every stored page right */
	unsigned present;
	write_limited(t, limited, true, &present);
	printf("    packed == page by page; %u of 40 pages in the incomplete dump, all correct\n",
	       present);
}

/* No room even for the headers: a clear error, no dump. */
COR_TEST(capture_kdump_writer_no_space_at_all)
{
	static uint8_t bm1[NPAGES / 8], bm2[NPAGES / 8];
	struct cor_kdump_writer_config cfg;
	writer_config(&cfg, bm1, bm2);
	int fd = open("/dev/full", O_WRONLY);
	if (fd < 0) {
		cor_test_skip(t, "no /dev/full");
		return;
	}
	struct cor_dump_sink sink;
	cor_dump_sink_init_file(&sink, fd);
	struct cor_kdump_writer *w;
	struct cor_error *err = cor_kdump_writer_create(&cfg, &sink, &w);
	if (!err) {
		cor_error_destroy(feed(w, false));
		bool inc;
		CHECK_ERR(cor_kdump_writer_finish(w, false, &inc), COR_ERR_OS);
		cor_kdump_writer_destroy(w);
	} else {
		CHECK(err->code == COR_ERR_OS);
		cor_error_destroy(err);
	}
	close(fd);
}

COR_TEST(capture_progress_format)
{
	struct cor_strbuf sb = {0};
	cor_progress_format(&sb, 50, 200, 400000000, 2.0);
	CHECK_STR(cor_strbuf_cstr(&sb), "[ 25.0%]   200.0 MB/s, 0:06 left");
	cor_strbuf_reset(&sb);
	cor_progress_format(&sb, 200, 200, 800000000, 61.0);
	CHECK_STR(cor_strbuf_cstr(&sb), "[100.0%]    13.1 MB/s, 1:01 elapsed");
	cor_strbuf_reset(&sb);
	cor_format_bytes(&sb, 3u << 20);
	CHECK_STR(cor_strbuf_cstr(&sb), "3.0 MiB");
	cor_strbuf_deinit(&sb);
	CHECK_STR(cor_page_class_name(COR_CLASS_FREE), "free");
}

/* A page that cannot be read: the dump is whole otherwise, flagged incomplete,
 * and that page reads as missing. */
COR_TEST(capture_kdump_writer_skip)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/skip.kdump", cor_test_tmpdir(t));
	static uint8_t bm1[NPAGES / 8], bm2[NPAGES / 8];
	struct cor_kdump_writer_config cfg;
	writer_config(&cfg, bm1, bm2);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	struct cor_dump_sink sink;
	cor_dump_sink_init_file(&sink, fd);
	struct cor_kdump_writer *w;
	CHECK_OK(cor_kdump_writer_create(&cfg, &sink, &w));
	CHECK_OK(feed(w, true));
	bool inc = false;
	CHECK_OK(cor_kdump_writer_finish(w, false, &inc));
	CHECK(inc);
	cor_kdump_writer_destroy(w);
	close(fd);
	CHECK(check_dump(t, path, false, true) == 39);
}

/* A dump whose VMCOREINFO lacks the page layout: levels that need mem_map
 * fail naming every missing entry; levels 0 and 1 still classify (by the
 * input's own ranges). A 6.3-style VMCOREINFO (no page.compound_order) is
 * refused by name too: never a silently wrong filter. */
#define LAYOUT_SPEC                                                                                \
	"format elf\n"                                                                             \
	"page 0:16 pattern 1\n"                                                                    \
	"vmcoreinfo OSRELEASE=6.1.0-gen\n"                                                         \
	"vmcoreinfo PAGESIZE=4096\n"                                                               \
	"vmcoreinfo NUMBER(phys_base)=0\n"                                                         \
	"vmcoreinfo SYMBOL(init_top_pgt)=ffffffff82000000\n"

static const char *const layout_6_1[] = {
    "SYMBOL(mem_section)=ff11000000001000",
    "LENGTH(mem_section)=262144",
    "SIZE(mem_section)=32",
    "OFFSET(mem_section.section_mem_map)=0",
    "NUMBER(SECTION_SIZE_BITS)=27",
    "SIZE(page)=64",
    "OFFSET(page.flags)=0",
    "OFFSET(page.mapping)=24",
    "OFFSET(page._mapcount)=48",
    "OFFSET(page.private)=40",
    "OFFSET(page.compound_head)=8",
    "OFFSET(page.compound_dtor)=16",
    "NUMBER(PG_lru)=4",
    "NUMBER(PG_private)=13",
    "NUMBER(PG_swapcache)=10",
    "NUMBER(PG_slab)=9",
    "NUMBER(PG_head_mask)=65536",
    "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129",
    /* no OFFSET(page.compound_order): Linux 6.3 moved it to struct folio */
};

static struct cor_error *classify_spec(struct cor_tctx *t, const char *spec, int level,
				       struct cor_capture_filter *f)
{
	char path[4096], err[256];
	snprintf(path, sizeof(path), "%s/layout-%d.elf", cor_test_tmpdir(t), level);
	if (gen_file_from_spec(spec, path, err, sizeof(err)))
		return cor_error_create(COR_ERR_INVALID, "spec: %s", err);
	struct cor_program *prog;
	struct cor_error *e = cor_program_open(path, NULL, &prog);
	if (!e)
		e = cor_capture_classify(prog, level, f);
	cor_program_destroy(prog);
	return e;
}

COR_TEST(capture_filter_needs_layout)
{
	struct cor_capture_filter f;
	struct cor_error *err = classify_spec(t, LAYOUT_SPEC, 31, &f);
	CHECK(err && err->code == COR_ERR_UNSUPPORTED);
	CHECK(err && strstr(err->message, "SYMBOL(mem_section)") &&
	      strstr(err->message, "OFFSET(page._mapcount)") &&
	      strstr(err->message, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)"));
	if (err)
		printf("    %s\n", err->message);
	cor_error_destroy(err);
	/* Level 1 needs no mem_map: all 16 pages are candidates. */
	CHECK_OK(classify_spec(t, LAYOUT_SPEC, 1, &f));
	CHECK_U64(f.candidates, 16);
	CHECK(!f.memmap_walked);
	cor_capture_filter_deinit(&f);
	/* Everything but the compound order. */
	struct cor_strbuf sb = {0};
	cor_strbuf_append(&sb, LAYOUT_SPEC);
	for (size_t i = 0; i < COR_ARRAY_SIZE(layout_6_1); i++)
		cor_strbuf_appendf(&sb, "vmcoreinfo %s\n", layout_6_1[i]);
	err = classify_spec(t, cor_strbuf_cstr(&sb), 2, &f);
	CHECK(err && err->code == COR_ERR_UNSUPPORTED &&
	      strstr(err->message, "lacks OFFSET(page.compound_order)"));
	if (err)
		printf("    %s\n", err->message);
	cor_error_destroy(err);
	cor_strbuf_deinit(&sb);
}
