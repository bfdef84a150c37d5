// SPDX-License-Identifier: MIT
// Dump readers against the generator (tests/gen/): every format and codec
// reads back the exact pages, page states, notes and VMCOREINFO the spec
// gives; header versions; incomplete and truncated dumps; corrupt headers
// and pages; other architectures; overlapping and unaligned PT_LOADs.
#include <stdlib.h>
#include <string.h>

#include "coroner/dump.h"
#include "coroner/vmcoreinfo.h"
#include "gen/gen.h"
#include "harness.h"

/* A spec with every kind of page: compressible, incompressible (stored raw),
 * zero (makedumpfile's shared zero page), excluded, absent (a hole and the
 * frames past the last page). */
#define COMMON_PAGES                                                                               \
	"page 0:3 pattern 7\n"                                                                     \
	"page 3 random 1\n"                                                                        \
	"page 4 fill 0\n"                                                                          \
	"exclude 5:2\n"                                                                            \
	"page 7 fill 0\n"                                                                          \
	"page 8:2 random 9\n"                                                                      \
	"poke 0x8010 text Hello, dump\n"                                                           \
	"page 12:3 pattern 3\n"                                                                    \
	"exclude 15\n"                                                                             \
	"max_pfn 24\n"                                                                             \
	"vmcoreinfo OSRELEASE=6.1.0-gen\n"                                                         \
	"vmcoreinfo PAGESIZE=4096\n"                                                               \
	"vmcoreinfo SYMBOL(init_uts_ns)=ffffffff82a12360\n"                                        \
	"prstatus 1 0xffffffff81000010 0xffffc90000003f00\n"                                       \
	"prstatus 2 0xffffffff81000020 0xffffc90000007f00\n"

struct gen_case {
	struct gen_spec *spec;
	struct gen_out out;
};

static bool make(struct cor_tctx *t, const char *text, struct gen_case *gc)
{
	char err[256];
	if (gen_spec_parse(text, &gc->spec, err, sizeof(err))) {
		cor_test_fail(t, __FILE__, __LINE__, "spec: %s", err);
		return false;
	}
	if (gen_write(gc->spec, &gc->out)) {
		cor_test_fail(t, __FILE__, __LINE__, "gen_write failed");
		gen_spec_free(gc->spec);
		return false;
	}
	return true;
}

static void done(struct gen_case *gc)
{
	gen_out_free(&gc->out);
	gen_spec_free(gc->spec);
}

static enum cor_page_state want_state(const struct gen_spec *s, uint64_t pfn)
{
	if (pfn >= s->npfn)
		return COR_PAGE_ABSENT;
	switch (s->kind[pfn]) {
	case GEN_PAGE_DATA:
		return COR_PAGE_PRESENT;
	case GEN_PAGE_EXCLUDED:
		return COR_PAGE_EXCLUDED;
	}
	return COR_PAGE_ABSENT;
}

/* Every pfn up to max_pfn + 2: state and bytes as the spec says. */
static void check_pages(struct cor_tctx *t, struct cor_dump *d, const struct gen_spec *s,
			const char *what)
{
	uint8_t page[4096];
	for (uint64_t pfn = 0; pfn < s->max_pfn + 2; pfn++) {
		enum cor_page_state st = cor_dump_page_state(d, pfn), want = want_state(s, pfn);
		/* ELF describes no hole inside a run it does not cover: absent either way. */
		if (st != want)
			cor_test_fail(t, __FILE__, __LINE__, "%s: pfn %llu state %d, want %d", what,
				      (unsigned long long)pfn, st, want);
		struct cor_error *err = cor_dump_read_page(d, pfn, page);
		if (want == COR_PAGE_PRESENT) {
			if (err)
				cor_test_fail(t, __FILE__, __LINE__, "%s: pfn %llu: %s", what,
					      (unsigned long long)pfn, err->message);
			else if (memcmp(page, gen_page(s, pfn), sizeof(page)) != 0)
				cor_test_fail(t, __FILE__, __LINE__, "%s: pfn %llu: wrong bytes",
					      what, (unsigned long long)pfn);
		} else {
			enum cor_error_code code =
			    want == COR_PAGE_EXCLUDED ? COR_ERR_EXCLUDED : COR_ERR_FAULT;
			if (!err || err->code != code)
				cor_test_fail(t, __FILE__, __LINE__, "%s: pfn %llu: %s, want %s",
					      what, (unsigned long long)pfn,
					      err ? err->message : "read succeeded",
					      cor_error_code_name(code));
		}
		cor_error_destroy(err);
	}
}

static void check_notes(struct cor_tctx *t, struct cor_dump *d, const char *what)
{
	size_t prstatus = 0;
	for (size_t i = 0; i < cor_dump_num_notes(d); i++) {
		const struct cor_dump_note *n = cor_dump_note(d, i);
		if (strcmp(n->name, "CORE") == 0 && n->type == 1) {
			CHECK_U64(n->descsz, 336);
			uint32_t pid;
			uint64_t rip;
			memcpy(&pid, n->desc + 32, 4);
			memcpy(&rip, n->desc + 112 + 16 * 8, 8);
			CHECK_U64(pid, prstatus + 1);
			CHECK_U64(rip, 0xffffffff81000010ull + 0x10 * prstatus);
			prstatus++;
		}
	}
	if (prstatus != 2)
		cor_test_fail(t, __FILE__, __LINE__, "%s: %zu NT_PRSTATUS notes, want 2", what,
			      prstatus);
	size_t len;
	const char *vi = cor_dump_vmcoreinfo(d, &len);
	CHECK(vi != NULL);
	if (!vi)
		return;
	struct cor_vmcoreinfo info;
	CHECK_OK(cor_vmcoreinfo_parse_mem(vi, len, &info));
	CHECK_STR(cor_vmcoreinfo_get(&info, "OSRELEASE"), "6.1.0-gen");
	uint64_t v = 0;
	CHECK(cor_vmcoreinfo_u64(&info, "SYMBOL(init_uts_ns)", &v));
	CHECK_U64(v, 0xffffffff82a12360ull);
	CHECK(cor_vmcoreinfo_u64(&info, "PAGESIZE", &v));
	CHECK_U64(v, 4096);
	cor_vmcoreinfo_deinit(&info);
}

static void round_trip(struct cor_tctx *t, const char *head, enum cor_dump_format fmt,
		       const char *fmt_name)
{
	char text[4096];
	snprintf(text, sizeof(text), "%s%s", head, COMMON_PAGES);
	struct gen_case gc;
	if (!make(t, text, &gc))
		return;
	struct cor_dump *d;
	struct cor_error *err = cor_dump_parse_mem(gc.out.buf, gc.out.len, &d);
	if (err) {
		cor_test_fail(t, __FILE__, __LINE__, "%s: %s", head, err->message);
		cor_error_destroy(err);
		done(&gc);
		return;
	}
	CHECK(cor_dump_format(d) == fmt);
	CHECK_STR(cor_dump_format_name(d), fmt_name);
	CHECK(!cor_dump_is_incomplete(d));
	CHECK(cor_dump_incomplete_reason(d) == NULL);
	CHECK_U64(cor_dump_page_size(d), 4096);
	check_pages(t, d, gc.spec, head);
	check_notes(t, d, head);
	/* A read across pages 0..2 and into the hole. */
	uint8_t buf[3 * 4096];
	CHECK_OK(cor_dump_read_phys(d, 100, buf, 2 * 4096));
	CHECK(memcmp(buf, gen_page(gc.spec, 0) + 100, 4096 - 100) == 0);
	CHECK(memcmp(buf + 4096 - 100, gen_page(gc.spec, 1), 4096) == 0);
	CHECK_ERR(cor_dump_read_phys(d, 14 * 4096, buf, 3 * 4096), COR_ERR_EXCLUDED);
	CHECK(memcmp(buf, gen_page(gc.spec, 14), 4096) == 0);
	CHECK_ERR(cor_dump_read_phys(d, 4096ull * 1000, buf, 8), COR_ERR_FAULT);
	cor_dump_close(d);
	done(&gc);
}

COR_TEST(dump_kdump_round_trip_codecs)
{
	round_trip(t, "format kdump\ncodec none\n", COR_DUMP_KDUMP,
		   "kdump-compressed (uncompressed)");
	round_trip(t, "format kdump\ncodec zlib\n", COR_DUMP_KDUMP, "kdump-compressed (zlib)");
	round_trip(t, "format kdump\ncodec lzo\n", COR_DUMP_KDUMP, "kdump-compressed (lzo)");
	round_trip(t, "format kdump\ncodec snappy\n", COR_DUMP_KDUMP, "kdump-compressed (snappy)");
	round_trip(t, "format kdump\ncodec zstd\n", COR_DUMP_KDUMP, "kdump-compressed (zstd)");
}

COR_TEST(dump_flat_round_trip)
{
	round_trip(t, "format flat\ncodec zlib\n", COR_DUMP_FLATTENED,
		   "flattened kdump-compressed (zlib)");
	/* Small records in a shuffled order: the reader puts them back. */
	round_trip(t, "format flat\ncodec lzo\nflat_chunk 1000\nflat_shuffle 12345\n",
		   COR_DUMP_FLATTENED, "flattened kdump-compressed (lzo)");
}

COR_TEST(dump_elf_round_trip)
{
	round_trip(t, "format elf\n", COR_DUMP_ELF, "ELF");
}

COR_TEST(dump_kdump_header_fields)
{
	struct gen_case gc;
	if (!make(t, "codec zstd\nrelease 6.1.0-56-amd64\n" COMMON_PAGES, &gc))
		return;
	struct cor_dump *d;
	CHECK_OK(cor_dump_parse_mem(gc.out.buf, gc.out.len, &d));
	const struct cor_kdump_info *k = cor_dump_kdump_info(d);
	CHECK(k != NULL);
	if (k) {
		CHECK_U64(k->header_version, 6);
		CHECK_STR(k->release, "6.1.0-56-amd64");
		CHECK_STR(k->machine, "x86_64");
		CHECK_STR(k->sysname, "Linux");
		CHECK_U64(k->block_size, 4096);
		CHECK_U64(k->max_mapnr, 24);
		CHECK_U64(k->nr_cpus, 2);
		CHECK_U64(k->dump_level, 31);
		CHECK_U64(k->codecs, COR_CODEC_ZSTD);
		CHECK_U64(k->timestamp_sec, 1700000000);
	}
	CHECK_U64(cor_dump_max_pfn(d), 24);
	CHECK_U64(cor_dump_num_ranges(d), 1);
	cor_dump_close(d);
	done(&gc);
}

/* Versions 1-2 have neither VMCOREINFO nor notes, 3 has VMCOREINFO, 4+ notes,
 * 6+ a 64-bit max_mapnr (diskdump_mod.h). */
COR_TEST(dump_kdump_header_versions)
{
	for (int v = 1; v <= 6; v++) {
		char text[4096];
		snprintf(text, sizeof(text), "header_version %d\n%s", v, COMMON_PAGES);
		struct gen_case gc;
		if (!make(t, text, &gc))
			return;
		struct cor_dump *d;
		CHECK_OK(cor_dump_parse_mem(gc.out.buf, gc.out.len, &d));
		size_t len;
		const char *vi = cor_dump_vmcoreinfo(d, &len);
		CHECK((vi != NULL) == (v >= 3));
		if (vi)
			CHECK(len == strlen(gc.spec->vmcoreinfo) &&
			      memcmp(vi, gc.spec->vmcoreinfo, len) == 0);
		CHECK_U64(cor_dump_num_notes(d), v >= 4 ? 3 : 0);
		CHECK_U64(cor_dump_kdump_info(d)->header_version, v);
		char what[32];
		snprintf(what, sizeof(what), "header_version %d", v);
		check_pages(t, d, gc.spec, what);
		cor_dump_close(d);
		done(&gc);
	}
}

COR_TEST(dump_kdump_incomplete_flag)
{
	struct gen_case gc;
	if (!make(t, "incomplete 3\n" COMMON_PAGES, &gc))
		return;
	struct cor_dump *d;
	CHECK_OK(cor_dump_parse_mem(gc.out.buf, gc.out.len, &d));
	CHECK(cor_dump_is_incomplete(d));
	CHECK(cor_dump_incomplete_reason(d) && strstr(cor_dump_incomplete_reason(d), "incomplete"));
	/* Data pages in pfn order: 0-4, 7-9, 12-14; the last 3 (12-14) were not written. */
	uint8_t page[4096];
	for (uint64_t pfn = 0; pfn < 16; pfn++) {
		enum cor_page_state st = cor_dump_page_state(d, pfn);
		bool missing = pfn >= 12 && pfn <= 14;
		if (missing) {
			CHECK(st == COR_PAGE_MISSING);
			struct cor_error *err = cor_dump_read_page(d, pfn, page);
			CHECK(err && err->code == COR_ERR_TRUNCATED && err->has_address &&
			      err->address == pfn * 4096 && strstr(err->message, "incomplete"));
			cor_error_destroy(err);
		} else {
			CHECK(st == want_state(gc.spec, pfn));
			if (st == COR_PAGE_PRESENT) {
				CHECK_OK(cor_dump_read_page(d, pfn, page));
				CHECK(memcmp(page, gen_page(gc.spec, pfn), 4096) == 0);
			}
		}
	}
	cor_dump_close(d);
	done(&gc);
}

/* Cuts a dump at many lengths: it either fails to open with a message, or opens
 * and every page reads right or fails as missing; never wrong bytes. */
static void cut_everywhere(struct cor_tctx *t, const char *text, size_t step)
{
	struct gen_case gc;
	if (!make(t, text, &gc))
		return;
	uint8_t page[4096];
	size_t opened = 0, failed = 0;
	for (size_t cut = 0; cut < gc.out.len; cut += step) {
		uint8_t *buf = malloc(cut ? cut : 1);
		memcpy(buf, gc.out.buf, cut);
		struct cor_dump *d;
		struct cor_error *err = cor_dump_parse_mem(buf, cut, &d);
		if (err) {
			CHECK(err->message && err->message[0]);
			cor_error_destroy(err);
			failed++;
			free(buf);
			continue;
		}
		opened++;
		CHECK(cor_dump_is_incomplete(d) || cor_dump_format(d) == COR_DUMP_ELF);
		for (uint64_t pfn = 0; pfn < gc.spec->max_pfn; pfn++) {
			err = cor_dump_read_page(d, pfn, page);
			if (!err) {
				if (want_state(gc.spec, pfn) != COR_PAGE_PRESENT ||
				    memcmp(page, gen_page(gc.spec, pfn), 4096) != 0)
					cor_test_fail(t, __FILE__, __LINE__,
						      "cut at %zu: pfn %llu read wrong bytes", cut,
						      (unsigned long long)pfn);
			} else if (want_state(gc.spec, pfn) == COR_PAGE_PRESENT &&
				   err->code != COR_ERR_TRUNCATED) {
				cor_test_fail(t, __FILE__, __LINE__, "cut at %zu: pfn %llu: %s",
					      cut, (unsigned long long)pfn, err->message);
			}
			cor_error_destroy(err);
		}
		cor_dump_close(d);
		free(buf);
	}
	printf("    %zu cuts opened (partial), %zu refused\n", opened, failed);
	CHECK(opened > 0 && failed > 0);
	done(&gc);
}

COR_TEST(dump_truncated_everywhere)
{
	cut_everywhere(t, "format kdump\ncodec zlib\n" COMMON_PAGES, 211);
	cut_everywhere(t, "format elf\n" COMMON_PAGES, 211);
	cut_everywhere(t, "format flat\nflat_chunk 3000\n" COMMON_PAGES, 211);
}

/* Patches a little-endian u32 of a generated kdump header and expects @code. */
static void patch_u32(struct cor_tctx *t, size_t off, uint32_t v, enum cor_error_code code,
		      const char *needle)
{
	struct gen_case gc;
	if (!make(t, COMMON_PAGES, &gc))
		return;
	memcpy(gc.out.buf + off, &v, 4);
	struct cor_dump *d;
	struct cor_error *err = cor_dump_parse_mem(gc.out.buf, gc.out.len, &d);
	if (!err) {
		cor_test_fail(t, __FILE__, __LINE__, "header +%zu = 0x%x: opened", off, v);
		cor_dump_close(d);
	} else {
		if (err->code != code || !strstr(err->message, needle))
			cor_test_fail(t, __FILE__, __LINE__, "header +%zu = 0x%x: %s (%s)", off, v,
				      err->message, cor_error_code_name(err->code));
		cor_error_destroy(err);
	}
	done(&gc);
}

COR_TEST(dump_kdump_corrupt_header)
{
	/* disk_dump_header: header_version 8, block_size 428, sub_hdr_size 432,
	 * bitmap_blocks 436, max_mapnr 440 (diskdump_mod.h). */
	patch_u32(t, 8, 0, COR_ERR_CORRUPT, "header version");
	patch_u32(t, 8, 0x7fffffff, COR_ERR_CORRUPT, "header version");
	patch_u32(t, 428, 1000, COR_ERR_CORRUPT, "block size");
	patch_u32(t, 428, 0, COR_ERR_CORRUPT, "block size");
	patch_u32(t, 432, 0, COR_ERR_CORRUPT, "sub header");
	patch_u32(t, 436, 0, COR_ERR_CORRUPT, "bitmap");
	/* max_mapnr_64 (sub header +96) larger than the bitmap can hold */
	patch_u32(t, 4096 + 96, 1u << 30, COR_ERR_CORRUPT, "bitmap");
	/* a bitmap far past the end of the file */
	patch_u32(t, 436, 0x7ffffffe, COR_ERR_CORRUPT, "bitmap");
}

COR_TEST(dump_other_architecture)
{
	static const struct {
		const char *spec;
		const char *needle;
	} cases[] = {
	    {"format kdump\nmachine aarch64\n", "aarch64"},
	    {"format flat\nmachine ppc64le\n", "ppc64le"},
	    {"format elf\nelf_machine 183\n", "architecture"},
	    {"format elf\nelf_class 32\nelf_machine 3\n", "32-bit"},
	    {"format elf\nelf_type 2\n", "not a core dump"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[4096];
		snprintf(text, sizeof(text), "%s%s", cases[i].spec, COMMON_PAGES);
		struct gen_case gc;
		if (!make(t, text, &gc))
			return;
		struct cor_dump *d;
		struct cor_error *err = cor_dump_parse_mem(gc.out.buf, gc.out.len, &d);
		if (!err) {
			cor_test_fail(t, __FILE__, __LINE__, "%s: opened", cases[i].spec);
			cor_dump_close(d);
		} else {
			if (err->code != COR_ERR_UNSUPPORTED ||
			    !strstr(err->message, cases[i].needle))
				cor_test_fail(t, __FILE__, __LINE__, "%s: %s", cases[i].spec,
					      err->message);
			cor_error_destroy(err);
		}
		done(&gc);
	}
}

static void corrupt_page(struct cor_tctx *t, const char *codec)
{
	char text[4096];
	snprintf(text, sizeof(text), "codec %s\ncorrupt 9\n%s", codec, COMMON_PAGES);
	struct gen_case gc;
	if (!make(t, text, &gc))
		return;
	struct cor_dump *d;
	CHECK_OK(cor_dump_parse_mem(gc.out.buf, gc.out.len, &d));
	uint8_t page[4096];
	struct cor_error *err = cor_dump_read_page(d, 9, page);
	CHECK(err && err->code == COR_ERR_CORRUPT);
	if (err) {
		CHECK(err->has_address && err->address == 9 * 4096);
		CHECK(strstr(err->message, "0x9000") != NULL);
		printf("    %s: %s\n", codec, err->message);
	}
	cor_error_destroy(err);
	/* The pages around it still read. */
	CHECK_OK(cor_dump_read_page(d, 8, page));
	CHECK(memcmp(page, gen_page(gc.spec, 8), 4096) == 0);
	cor_dump_close(d);
	done(&gc);
}

COR_TEST(dump_corrupt_page_names_address)
{
	corrupt_page(t, "none");
	corrupt_page(t, "zlib");
	corrupt_page(t, "lzo");
	corrupt_page(t, "snappy");
	corrupt_page(t, "zstd");
}

COR_TEST(dump_corrupt_page_descriptor)
{
	struct gen_case gc;
	if (!make(t, COMMON_PAGES, &gc))
		return;
	uint8_t page[4096];
	struct cor_dump *d;
	/* page_desc of pfn 3: size larger than a page */
	uint32_t big = 8192;
	memcpy(gc.out.buf + gc.out.desc_off[3] + 8, &big, 4);
	/* pfn 8: data offset past the end of the file */
	uint64_t far = (uint64_t)gc.out.len + 4096;
	memcpy(gc.out.buf + gc.out.desc_off[8], &far, 8);
	CHECK_OK(cor_dump_parse_mem(gc.out.buf, gc.out.len, &d));
	CHECK_ERR(cor_dump_read_page(d, 3, page), COR_ERR_CORRUPT);
	struct cor_error *err = cor_dump_read_page(d, 8, page);
	CHECK(err != NULL);
	cor_error_destroy(err);
	CHECK_OK(cor_dump_read_page(d, 9, page));
	cor_dump_close(d);
	done(&gc);
}

COR_TEST(dump_elf_odd_loads)
{
	/* Unaligned and overlapping PT_LOADs describing the same memory; one
	 * with memsz > filesz (filtered). Contents at a physical address are the
	 * spec's whichever segment holds them. */
	struct gen_case gc;
	if (!make(t,
		  "format elf\npage 0:8 random 5\nexclude 8:2\n"
		  "load 0 0x3000 0x3000\n"
		  "load 0x1800 0x2000 0x2000\n"
		  "load 0x3800 0x2800 0x2800\n"
		  "load 0x6000 0x4000 0x2000\n",
		  &gc))
		return;
	struct cor_dump *d;
	CHECK_OK(cor_dump_parse_mem(gc.out.buf, gc.out.len, &d));
	CHECK_U64(cor_dump_num_ranges(d), 4);
	CHECK_U64(cor_dump_max_pfn(d), 10);
	uint8_t page[4096];
	for (uint64_t pfn = 0; pfn < 8; pfn++) {
		struct cor_error *err = cor_dump_read_page(d, pfn, page);
		if (err) {
			cor_test_fail(t, __FILE__, __LINE__, "pfn %llu: %s",
				      (unsigned long long)pfn, err->message);
			cor_error_destroy(err);
		} else if (memcmp(page, gen_page(gc.spec, pfn), 4096) != 0) {
			cor_test_fail(t, __FILE__, __LINE__, "pfn %llu: wrong bytes",
				      (unsigned long long)pfn);
		}
	}
	CHECK(cor_dump_page_state(d, 8) == COR_PAGE_EXCLUDED);
	CHECK_ERR(cor_dump_read_page(d, 9, page), COR_ERR_EXCLUDED);
	CHECK(cor_dump_page_state(d, 10) == COR_PAGE_ABSENT);
	cor_dump_close(d);
	done(&gc);
}

COR_TEST(dump_elf_bad_loads)
{
	static const char *const bad[] = {
	    /* p_paddr + p_memsz wraps */
	    "format elf\npage 0 random 1\nload 0xfffffffffffff000 0x2000 0x1000\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gen_case gc;
		if (!make(t, bad[i], &gc))
			return;
		struct cor_dump *d;
		struct cor_error *err = cor_dump_parse_mem(gc.out.buf, gc.out.len, &d);
		CHECK(err && err->code == COR_ERR_CORRUPT);
		if (!err)
			cor_dump_close(d);
		cor_error_destroy(err);
		done(&gc);
	}
	/* No PT_LOAD at all: an ELF core with notes only. */
	struct gen_case gc;
	if (!make(t, "format elf\nvmcoreinfo A=1\n", &gc))
		return;
	struct cor_dump *d;
	struct cor_error *err = cor_dump_parse_mem(gc.out.buf, gc.out.len, &d);
	CHECK(err && err->code == COR_ERR_CORRUPT && strstr(err->message, "PT_LOAD"));
	if (!err)
		cor_dump_close(d);
	cor_error_destroy(err);
	done(&gc);
}

COR_TEST(dump_not_a_dump)
{
	static const char garbage[] = "this is not a crash dump, just some text\n";
	struct cor_dump *d;
	CHECK_ERR(cor_dump_parse_mem(garbage, sizeof(garbage), &d), COR_ERR_UNSUPPORTED);
	CHECK_ERR(cor_dump_parse_mem(garbage, 0, &d), COR_ERR_CORRUPT);
	CHECK_ERR(cor_dump_parse_mem("KDUMP   ", 8, &d), COR_ERR_TRUNCATED);
	CHECK_ERR(cor_dump_parse_mem("\177ELF\002\001\001", 7, &d), COR_ERR_TRUNCATED);
	CHECK_ERR(cor_dump_parse_mem("makedumpfile", 13, &d), COR_ERR_TRUNCATED);
}

COR_TEST(dump_notes_parser)
{
	/* Elf64_Nhdr {namesz, descsz, type}, name and desc padded to 4 bytes. */
	static const uint8_t good[] = {5,   0,	 0,   0,   4, 0, 0, 0, 1,    0,	   0,	 0,
				       'C', 'O', 'R', 'E', 0, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd};
	struct cor_vec notes;
	cor_vec_init(&notes, sizeof(struct cor_dump_note));
	CHECK_OK(cor_dump_parse_notes_mem(good, sizeof(good), &notes));
	CHECK_U64(notes.len, 1);
	if (notes.len == 1) {
		const struct cor_dump_note *n = cor_vec_at(&notes, 0);
		CHECK_STR(n->name, "CORE");
		CHECK_U64(n->type, 1);
		CHECK_U64(n->descsz, 4);
		CHECK_U64(n->desc[3], 0xdd);
	}
	cor_vec_deinit(&notes);
	cor_vec_init(&notes, sizeof(struct cor_dump_note));
	CHECK_ERR(cor_dump_parse_notes_mem(good, sizeof(good) - 1, &notes), COR_ERR_TRUNCATED);
	cor_vec_deinit(&notes);
	uint8_t bad[sizeof(good)];
	memcpy(bad, good, sizeof(bad));
	bad[16] = 'X'; /* name not NUL-terminated */
	cor_vec_init(&notes, sizeof(struct cor_dump_note));
	CHECK_ERR(cor_dump_parse_notes_mem(bad, sizeof(bad), &notes), COR_ERR_CORRUPT);
	cor_vec_deinit(&notes);
	memcpy(bad, good, sizeof(bad));
	bad[4] = 0xff, bad[5] = 0xff, bad[6] = 0xff, bad[7] = 0xff; /* descsz 4 GiB */
	cor_vec_init(&notes, sizeof(struct cor_dump_note));
	CHECK_ERR(cor_dump_parse_notes_mem(bad, sizeof(bad), &notes), COR_ERR_TRUNCATED);
	cor_vec_deinit(&notes);
}

COR_TEST(dump_vmcoreinfo_parser)
{
	static const char text[] = "OSRELEASE=6.1.0-56-amd64\nPAGESIZE=4096\nnoequals\n"
				   "SYMBOL(prb)=ffffffff82c5f4e0\nNUMBER(x)=-2\nKERNELOFFSET=0\n"
				   "=novalue\nBAD=12z";
	struct cor_vmcoreinfo vi;
	CHECK_OK(cor_vmcoreinfo_parse_mem(text, sizeof(text) - 1, &vi));
	uint64_t v;
	CHECK_STR(cor_vmcoreinfo_get(&vi, "OSRELEASE"), "6.1.0-56-amd64");
	CHECK(cor_vmcoreinfo_u64(&vi, "SYMBOL(prb)", &v) && v == 0xffffffff82c5f4e0ull);
	CHECK(cor_vmcoreinfo_u64(&vi, "NUMBER(x)", &v) && v == (uint64_t)-2);
	CHECK(cor_vmcoreinfo_u64(&vi, "PAGESIZE", &v) && v == 4096);
	CHECK(!cor_vmcoreinfo_u64(&vi, "BAD", &v));
	CHECK(cor_vmcoreinfo_get(&vi, "noequals") == NULL);
	CHECK(cor_vmcoreinfo_get(&vi, "") == NULL);
	cor_vmcoreinfo_deinit(&vi);
	CHECK_ERR(cor_vmcoreinfo_parse_mem("no key value here", 17, &vi), COR_ERR_CORRUPT);
}

COR_TEST(dump_kdump_huge_bitmap_is_cheap)
{
	/* bitmap_blocks (header +436) of 2^24 blocks: 32 GiB of bitmaps in a 40 KB
	 * file. The reader keeps only what the file holds: it opens the dump as cut
	 * inside the bitmaps, every page missing, quickly and without the memory. */
	struct gen_case gc;
	if (!make(t, COMMON_PAGES, &gc))
		return;
	uint32_t v = 1u << 24;
	memcpy(gc.out.buf + 436, &v, 4);
	struct cor_dump *d;
	CHECK_OK(cor_dump_parse_mem(gc.out.buf, gc.out.len, &d));
	CHECK(cor_dump_is_incomplete(d));
	uint8_t page[4096];
	CHECK(cor_dump_page_state(d, 0) == COR_PAGE_MISSING);
	CHECK_ERR(cor_dump_read_page(d, 0, page), COR_ERR_TRUNCATED);
	cor_dump_close(d);
	done(&gc);
}
