// SPDX-License-Identifier: MIT
// Unit tests of the kallsyms decoder on synthetic tables built here the way
// scripts/kallsyms.c (Linux 6.1) lays them out, and of the symbol table.
#include <stdlib.h>
#include <string.h>

#include "coroner/base.h"
#include "harness.h"
#include "sym/sym.h"

#define BASE	 0xffffffff81000000ull
#define NSYMS	 300
#define IMG_SIZE (64 * 1024)

struct want {
	char name[300];
	char type;
	uint64_t addr;
};

/* Multi-character tokens, at codes no symbol character uses. */
static const char *const multi[] = {"sym_", "tick_", "jiffies", "_next", "event"};

struct image {
	uint8_t buf[IMG_SIZE];
	size_t pos;
	const char *tokens[256];
	char single[256][2];
	struct cor_kallsyms_loc loc;
	struct want want[NSYMS];
};

static uint64_t put(struct image *im, const void *p, size_t n)
{
	uint64_t at = BASE + im->pos;
	memcpy(im->buf + im->pos, p, n);
	im->pos += n;
	return at;
}

static void align8(struct image *im)
{
	im->pos = (im->pos + 7) & ~(size_t)7;
}

static void make_tokens(struct image *im)
{
	int m = 0;
	for (int c = 0; c < 256; c++) {
		im->single[c][0] = (char)c;
		bool used = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z') || c == '_' || c == '.';
		if (used)
			im->tokens[c] = im->single[c];
		else if (m < (int)COR_ARRAY_SIZE(multi))
			im->tokens[c] = multi[m++];
		else
			im->tokens[c] = "zz"; /* unused by the encoder below */
	}
}

/* Greedy encoding: a multi-character token when one matches, else the char. */
static size_t encode(const struct image *im, const char *s, uint8_t *out)
{
	size_t n = 0;
	while (*s) {
		int best = (uint8_t)*s;
		size_t blen = 1;
		for (int c = 0; c < 256; c++) {
			size_t l = strlen(im->tokens[c]);
			if (l > blen && strcmp(im->tokens[c], "zz") != 0 &&
			    strncmp(s, im->tokens[c], l) == 0) {
				best = c;
				blen = l;
			}
		}
		out[n++] = (uint8_t)best;
		s += blen;
	}
	return n;
}

static void make_symbols(struct image *im)
{
	for (int i = 0; i < NSYMS; i++) {
		struct want *w = &im->want[i];
		w->type = i % 3 == 0 ? 't' : i % 3 == 1 ? 'T' : 'D';
		w->addr = BASE + 0x1000 + 0x40 * (uint64_t)i;
		snprintf(w->name, sizeof(w->name), "sym_%03d", i);
	}
	/* Per-cpu (absolute) symbols come first in address order. */
	im->want[0] = (struct want){"fixed_percpu_data", 'A', 0};
	im->want[1] = (struct want){"runqueues", 'A', 0x31c40};
	strcpy(im->want[10].name, "tick_nohz_next_event");
	strcpy(im->want[11].name, "jiffies");
	/* A name needing the two-byte length (> 127 tokens; 6.1's big symbols). */
	memset(im->want[20].name, 'q', 200);
	im->want[20].name[200] = '\0';
	/* A static repeated in two files, as in real kernels. */
	strcpy(im->want[30].name, "dup");
	im->want[30].type = 't';
	strcpy(im->want[31].name, "dup");
	im->want[31].type = 'T';
}

/* Lays the tables out as write_src() does: offsets, relative_base (or,
 * with @p absolute, addresses: before 4.6 or without
 * CONFIG_KALLSYMS_BASE_RELATIVE), num_syms, names, markers, token_table,
 * token_index, 8-aligned. */
static void build_layout(struct image *im, bool absolute)
{
	memset(im, 0, sizeof(*im));
	make_tokens(im);
	make_symbols(im);
	im->pos = 256; /* something before the tables */
	uint64_t relbase = BASE;
	align8(im);
	uint8_t b8[8];
	if (absolute) {
		im->loc.addresses = BASE + im->pos;
		for (int i = 0; i < NSYMS; i++) {
			cor_put_le64(b8, im->want[i].addr);
			put(im, b8, 8);
		}
	} else {
		im->loc.offsets = BASE + im->pos;
		for (int i = 0; i < NSYMS; i++) {
			uint64_t a = im->want[i].addr;
			/* CONFIG_KALLSYMS_ABSOLUTE_PERCPU: >= 0 absolute, else base - 1 - off. */
			int32_t off =
			    a < BASE ? (int32_t)a : (int32_t)(-(int64_t)(a - relbase) - 1);
			uint8_t b[4];
			cor_put_le32(b, (uint32_t)off);
			put(im, b, 4);
		}
		align8(im);
		cor_put_le64(b8, relbase);
		im->loc.relative_base = put(im, b8, 8);
	}
	cor_put_le64(b8, NSYMS);
	im->loc.num_syms = put(im, b8, 8);
	im->loc.names = BASE + im->pos;
	uint32_t markers[(NSYMS + 255) / 256];
	for (int i = 0; i < NSYMS; i++) {
		if (i % 256 == 0)
			markers[i / 256] = (uint32_t)(BASE + im->pos - im->loc.names);
		char full[320];
		uint8_t enc[640];
		snprintf(full, sizeof(full), "%c%s", im->want[i].type, im->want[i].name);
		size_t n = encode(im, full, enc);
		uint8_t len[2] = {(uint8_t)n};
		if (n > 127) {
			len[0] = (uint8_t)(0x80 | (n & 0x7f));
			len[1] = (uint8_t)(n >> 7);
		}
		put(im, len, n > 127 ? 2 : 1);
		put(im, enc, n);
	}
	align8(im);
	for (size_t i = 0; i < COR_ARRAY_SIZE(markers); i++) {
		uint8_t b[4];
		cor_put_le32(b, markers[i]);
		put(im, b, 4);
	}
	align8(im);
	im->loc.token_table = BASE + im->pos;
	uint16_t idx[256];
	for (int c = 0; c < 256; c++) {
		idx[c] = (uint16_t)(BASE + im->pos - im->loc.token_table);
		put(im, im->tokens[c], strlen(im->tokens[c]) + 1);
	}
	align8(im);
	im->loc.token_index = BASE + im->pos;
	for (int c = 0; c < 256; c++) {
		uint8_t b[2] = {(uint8_t)idx[c], (uint8_t)(idx[c] >> 8)};
		put(im, b, 2);
	}
	im->pos += 64; /* and something after */
}

static void build(struct image *im)
{
	build_layout(im, false);
}

static void check_table(struct cor_tctx *t, struct image *im, struct cor_symtab *st)
{
	CHECK_U64(cor_symtab_count(st), NSYMS);
	for (int i = 0; i < NSYMS && i < (int)cor_symtab_count(st); i++) {
		struct cor_symbol s;
		cor_symtab_at(st, (size_t)i, &s);
		CHECK_STR(s.name, im->want[i].name);
		CHECK_U64(s.addr, im->want[i].addr);
		CHECK_U64(s.type, im->want[i].type);
		CHECK(s.module == NULL);
	}
	/* Sizes: distance to the next symbol. */
	struct cor_symbol s;
	cor_symtab_at(st, 2, &s);
	CHECK_U64(s.size, im->want[3].addr - im->want[2].addr);
	size_t i;
	CHECK(cor_symtab_find_name(st, "jiffies", &i));
	CHECK_U64(i, 11);
	/* The global of two same-named symbols is preferred; both are listed. */
	CHECK(cor_symtab_find_name(st, "dup", &i));
	CHECK_U64(i, 31);
	size_t all[4];
	CHECK_U64(cor_symtab_find_all(st, "dup", all, 4), 2);
	CHECK(!cor_symtab_find_name(st, "nope", &i));
	CHECK(cor_symtab_find_addr(st, im->want[11].addr + 5, &i));
	CHECK_U64(i, 11);
	/* runqueues is the last per-cpu symbol here and kernel text is far above: a size
	 * inferred from the next symbol stops at the gap, so only its own address maps
	 * to it, and an address in the gap (a heap pointer) to nothing. */
	CHECK(cor_symtab_find_addr(st, 0x31c40, &i));
	CHECK_U64(i, 1);
	CHECK(!cor_symtab_find_addr(st, 0x31c48, &i));
	CHECK(!cor_symtab_find_addr(st, 0xff3c832f3ffdb680ull, &i));
	CHECK(!cor_symtab_find_addr(st, im->want[NSYMS - 1].addr + 1, &i)); /* past the last */
	/* Enough lookups to switch from scanning to the hash index. */
	for (int k = 0; k < 10; k++)
		CHECK(cor_symtab_find_name(st, im->want[100 + k].name, &i) &&
		      i == (size_t)(100 + k));
}

/* With COR_KALLSYMS_SEEDS=DIR, writes the fuzz seeds of tests/fuzz/corpus/kallsyms:
 * the image alone (scan path) and behind a KSYMLOC header (located path). */
static void write_seeds(const struct image *im)
{
	const char *dir = getenv("COR_KALLSYMS_SEEDS");
	if (!dir)
		return;
	char path[4096];
	snprintf(path, sizeof(path), "%s/synthetic-scan", dir);
	FILE *f = fopen(path, "wb");
	if (f) {
		fwrite(im->buf, 1, im->pos, f);
		fclose(f);
	}
	/* The header shifts the image by 36 bytes: offsets are relative to BASE. */
	snprintf(path, sizeof(path), "%s/synthetic-located", dir);
	f = fopen(path, "wb");
	if (!f)
		return;
	uint8_t hdr[36] = "KSYMLOC";
	const uint64_t v[] = {im->loc.num_syms,
			      im->loc.names,
			      im->loc.token_table,
			      im->loc.token_index,
			      im->loc.offsets,
			      im->loc.relative_base,
			      0};
	for (int k = 0; k < 7; k++)
		cor_put_le32(hdr + 8 + 4 * k, v[k] ? (uint32_t)(v[k] - BASE + sizeof(hdr)) : 0);
	fwrite(hdr, 1, sizeof(hdr), f);
	fwrite(im->buf, 1, im->pos, f);
	fclose(f);
}

COR_TEST(kallsyms_decodes_synthetic_tables)
{
	struct image *im = malloc(sizeof(*im));
	build(im);
	write_seeds(im);
	struct cor_symtab *st;
	CHECK_OK(cor_kallsyms_parse_mem(im->buf, im->pos, BASE, &im->loc, &st));
	check_table(t, im, st);
	cor_symtab_destroy(st);
	free(im);
}

COR_TEST(kallsyms_scan_finds_synthetic_tables)
{
	struct image *im = malloc(sizeof(*im));
	build(im);
	struct cor_symtab *st;
	CHECK_OK(cor_kallsyms_parse_mem(im->buf, im->pos, BASE, NULL, &st));
	check_table(t, im, st);
	cor_symtab_destroy(st);
	free(im);
}

COR_TEST(kallsyms_decodes_absolute_addresses)
{
	struct image *im = malloc(sizeof(*im));
	build_layout(im, true);
	struct cor_symtab *st;
	CHECK_OK(cor_kallsyms_parse_mem(im->buf, im->pos, BASE, &im->loc, &st));
	check_table(t, im, st);
	cor_symtab_destroy(st);
	/* The scan tells addresses from offsets + relative_base. */
	CHECK_OK(cor_kallsyms_parse_mem(im->buf, im->pos, BASE, NULL, &st));
	check_table(t, im, st);
	cor_symtab_destroy(st);
	free(im);
}

COR_TEST(kallsyms_rejects_corrupt_tables)
{
	struct image *im = malloc(sizeof(*im));
	struct cor_symtab *st;
	build(im);
	/* An absurd count. */
	cor_put_le32(im->buf + (im->loc.num_syms - BASE), 0x7fffffff);
	CHECK_ERR(cor_kallsyms_parse_mem(im->buf, im->pos, BASE, &im->loc, &st), COR_ERR_CORRUPT);
	/* A count past the names: decoding runs off the buffer. */
	build(im);
	cor_put_le32(im->buf + (im->loc.num_syms - BASE), 100000);
	struct cor_error *err = cor_kallsyms_parse_mem(im->buf, im->pos, BASE, &im->loc, &st);
	CHECK(err != NULL);
	cor_error_destroy(err);
	/* An empty token. */
	build(im);
	im->buf[im->loc.token_table - BASE] = '\0';
	CHECK_ERR(cor_kallsyms_parse_mem(im->buf, im->pos, BASE, &im->loc, &st), COR_ERR_CORRUPT);
	/* No tables at all. */
	memset(im->buf, 0, sizeof(im->buf));
	CHECK_ERR(cor_kallsyms_parse_mem(im->buf, sizeof(im->buf), BASE, NULL, &st),
		  COR_ERR_NOT_FOUND);
	free(im);
}
