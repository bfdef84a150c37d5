// SPDX-License-Identifier: MIT
// Writers of tests/gen/gen.h: ELF64 cores, kdump-compressed and flattened
// files. Layouts written from the formats' definitions, not from src/dump/:
//   kdump: makedumpfile 1.7 diskdump_mod.h (struct disk_dump_header,
//          kdump_sub_header, page_desc) and makedumpfile.c write_kdump_header()
//          (notes right after the sub header, offset_vmcoreinfo inside them,
//          one shared descriptor for zero pages, raw pages when compression
//          does not shrink them);
//   flat:  makedumpfile.h (makedumpfile_header, makedumpfile_data_header);
//   ELF:   the System V gABI (Elf64_Ehdr/Phdr/Nhdr), as /proc/vmcore writes it.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "gen/gen.h"

struct bytes {
	uint8_t *b;
	size_t len, cap;
	bool oom;
};

static void *reserve(struct bytes *o, size_t at, size_t n)
{
	if (o->oom)
		return NULL;
	if (at + n > o->cap) {
		size_t cap = o->cap ? o->cap : 65536;
		while (cap < at + n)
			cap *= 2;
		uint8_t *b = realloc(o->b, cap);
		if (!b) {
			o->oom = true;
			return NULL;
		}
		memset(b + o->cap, 0, cap - o->cap);
		o->b = b;
		o->cap = cap;
	}
	if (at + n > o->len)
		o->len = at + n;
	return o->b + at;
}

static void put(struct bytes *o, size_t at, const void *src, size_t n)
{
	void *d = reserve(o, at, n);
	if (d && n)
		memcpy(d, src, n);
}

static void put32(struct bytes *o, size_t at, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	put(o, at, b, 4);
}

static void put64(struct bytes *o, size_t at, uint64_t v)
{
	put32(o, at, (uint32_t)v);
	put32(o, at + 4, (uint32_t)(v >> 32));
}

static void put16(struct bytes *o, size_t at, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	put(o, at, b, 2);
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Writes the ELF notes (the spec's, then VMCOREINFO) at @at; returns their size and
 * the offset of the VMCOREINFO descriptor in *vi_off (0 if none). */
static size_t write_notes(const struct gen_spec *s, struct bytes *o, size_t at, size_t *vi_off)
{
	size_t pos = at;
	*vi_off = 0;
	size_t nvi = strlen(s->vmcoreinfo);
	for (size_t i = 0; i <= s->num_notes; i++) {
		const char *name = i < s->num_notes ? s->notes[i].name : "VMCOREINFO";
		const uint8_t *desc =
		    i < s->num_notes ? s->notes[i].desc : (const uint8_t *)s->vmcoreinfo;
		size_t dsz = i < s->num_notes ? s->notes[i].descsz : nvi;
		if (i == s->num_notes && nvi == 0)
			break;
		size_t nsz = strlen(name) + 1;
		put32(o, pos, (uint32_t)nsz);
		put32(o, pos + 4, (uint32_t)dsz);
		put32(o, pos + 8, i < s->num_notes ? s->notes[i].type : 0);
		put(o, pos + 12, name, nsz);
		size_t d = pos + 12 + align4(nsz);
		put(o, d, desc, dsz);
		if (i == s->num_notes)
			*vi_off = d;
		pos = d + align4(dsz);
		reserve(o, pos, 0);
	}
	return pos - at;
}

/* ---- ELF ---- */

/* The automatic PT_LOADs: a run of data pages, then the excluded pages after them
 * (memsz > filesz, as makedumpfile -E writes filtered memory). */
static size_t auto_loads(const struct gen_spec *s, struct gen_load *out)
{
	size_t n = 0;
	uint64_t pfn = 0, ps = s->page_size;
	while (pfn < s->npfn) {
		if (s->kind[pfn] == GEN_PAGE_NONE) {
			pfn++;
			continue;
		}
		uint64_t start = pfn;
		while (pfn < s->npfn && s->kind[pfn] == GEN_PAGE_DATA)
			pfn++;
		uint64_t data_end = pfn;
		while (pfn < s->npfn && s->kind[pfn] == GEN_PAGE_EXCLUDED)
			pfn++;
		out[n++] =
		    (struct gen_load){start * ps, (pfn - start) * ps, (data_end - start) * ps};
	}
	return n;
}

static int write_elf32(const struct gen_spec *s, struct bytes *o)
{
	/* Just an Elf32_Ehdr: enough for a reader to refuse it. */
	put(o, 0, "\177ELF\001\001\001", 7);
	put16(o, 16, (uint16_t)s->elf_type);
	put16(o, 18, (uint16_t)s->elf_machine);
	put32(o, 20, 1);
	put16(o, 40, 52); /* e_ehsize */
	reserve(o, 52, 0);
	return 0;
}

static int write_elf(const struct gen_spec *s, struct gen_out *out, struct bytes *o)
{
	if (s->elf_class == 32)
		return write_elf32(s, o);
	struct gen_load *loads = s->loads;
	size_t nloads = s->num_loads;
	if (!nloads) {
		loads = calloc(s->npfn + 1, sizeof(*loads));
		if (!loads)
			return -1;
		nloads = auto_loads(s, loads);
	}
	size_t phnum = nloads + 1;
	/* Elf64_Ehdr */
	put(o, 0, "\177ELF\002\001\001", 7);
	put16(o, 16, (uint16_t)s->elf_type);
	put16(o, 18, (uint16_t)s->elf_machine);
	put32(o, 20, 1);
	put64(o, 32, 64);	       /* e_phoff */
	put16(o, 52, 64);	       /* e_ehsize */
	put16(o, 54, 56);	       /* e_phentsize */
	put16(o, 56, (uint16_t)phnum); /* e_phnum */
	size_t vi_off, notes_at = 64 + 56 * phnum;
	size_t notes_len = write_notes(s, o, notes_at, &vi_off);
	out->notes_off = notes_at;
	out->notes_len = notes_len;
	/* PT_NOTE */
	put32(o, 64, 4);
	put64(o, 64 + 8, notes_at);
	put64(o, 64 + 32, notes_len);
	put64(o, 64 + 40, notes_len);
	size_t pos = (notes_at + notes_len + 4095) & ~(size_t)4095;
	for (size_t i = 0; i < nloads; i++) {
		const struct gen_load *l = &loads[i];
		size_t ph = 64 + 56 * (i + 1);
		put32(o, ph, 1); /* PT_LOAD */
		put32(o, ph + 4, 7);
		put64(o, ph + 8, pos);
		put64(o, ph + 16, 0xffff888000000000ull + l->paddr); /* p_vaddr: the direct map */
		put64(o, ph + 24, l->paddr);
		put64(o, ph + 32, l->filesz);
		put64(o, ph + 40, l->memsz);
		put64(o, ph + 48, 0);
		for (uint64_t b = 0; b < l->filesz;) {
			uint64_t a = l->paddr + b, pfn = a / s->page_size, off = a % s->page_size;
			uint64_t n = s->page_size - off;
			if (n > l->filesz - b)
				n = l->filesz - b;
			put(o, pos + b, gen_page(s, pfn) + off, n);
			if (off == 0 && pfn < s->npfn && !out->data_off[pfn])
				out->data_off[pfn] = pos + b;
			b += n;
		}
		pos += l->filesz;
	}
	reserve(o, pos, 0);
	if (loads != s->loads)
		free(loads);
	return 0;
}

/* ---- kdump-compressed ---- */

static bool page_is_zero(const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Compresses one page; returns the compressed size, or 0 if it does not shrink. */
static size_t compress_page(enum gen_codec codec, const uint8_t *in, uint32_t n, uint8_t *out,
			    size_t cap)
{
	switch (codec) {
	case GEN_CODEC_ZLIB: {
		uLongf len = cap;
		if (compress2(out, &len, in, n, Z_BEST_SPEED) != Z_OK)
			return 0;
		return len < n ? len : 0;
	}
	case GEN_CODEC_LZO: {
		static lzo_align_t
		    wrk[(LZO1X_1_MEM_COMPRESS + sizeof(lzo_align_t) - 1) / sizeof(lzo_align_t)];
		lzo_uint len = cap;
		if (lzo_init() != LZO_E_OK || lzo1x_1_compress(in, n, out, &len, wrk) != LZO_E_OK)
			return 0;
		return len < n ? len : 0;
	}
	case GEN_CODEC_SNAPPY: {
		size_t len = cap;
		if (snappy_compress((const char *)in, n, (char *)out, &len) != SNAPPY_OK)
			return 0;
		return len < n ? len : 0;
	}
	case GEN_CODEC_ZSTD: {
		size_t len = ZSTD_compress(out, cap, in, n, 1);
		return !ZSTD_isError(len) && len < n ? len : 0;
	}
	case GEN_CODEC_NONE:
		break;
	}
	return 0;
}

static void set_bit(uint8_t *bm, uint64_t bit)
{
	bm[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

static void kdump_header(const struct gen_spec *s, struct bytes *o, uint32_t sub_blocks,
			 uint32_t bitmap_blocks, uint32_t nr_cpus)
{
	put(o, 0, "KDUMP   ", 8);
	put32(o, 8, (uint32_t)s->header_version);
	/* struct new_utsname at 12: six fields of 65 bytes */
	const char *uts[6] = {"Linux", "gen", s->release, "#1 SMP gen", s->machine, "(none)"};
	for (int i = 0; i < 6; i++)
		put(o, 12 + 65 * (size_t)i, uts[i], strlen(uts[i]));
	put64(o, 408, 1700000000); /* timestamp.tv_sec (struct timeval at 408, 8-aligned) */
	put32(o, 424, (uint32_t)s->codec | (s->incomplete_flag ? 0x8u : 0));
	put32(o, 428, s->page_size); /* block_size */
	put32(o, 432, sub_blocks);
	put32(o, 436, bitmap_blocks);
	put32(o, 440, s->max_pfn > UINT32_MAX ? UINT32_MAX : (uint32_t)s->max_pfn);
	put32(o, 456, 0);	/* current_cpu */
	put32(o, 460, nr_cpus); /* nr_cpus */
}

/* Sub header (block 1): phys_base 0, dump_level 8, offset/size of VMCOREINFO
 * 32/40, of the notes 48/56, max_mapnr_64 96; notes follow at 104. */
static uint32_t kdump_sub_header(const struct gen_spec *s, struct gen_out *out, struct bytes *o)
{
	size_t bs = s->page_size, sh = bs;
	put64(o, sh + 8, 31);
	size_t vi_off = 0, notes_len = 0, end = sh + 104;
	if (s->header_version >= 4) {
		notes_len = write_notes(s, o, sh + 104, &vi_off);
		put64(o, sh + 48, sh + 104);
		put64(o, sh + 56, notes_len);
		out->notes_off = sh + 104;
		out->notes_len = notes_len;
		end += notes_len;
	} else if (s->header_version >= 3 && s->vmcoreinfo[0]) {
		vi_off = end;
		put(o, vi_off, s->vmcoreinfo, strlen(s->vmcoreinfo));
		end += strlen(s->vmcoreinfo);
	}
	if (s->header_version >= 3 && vi_off) {
		put64(o, sh + 32, vi_off);
		put64(o, sh + 40, strlen(s->vmcoreinfo));
	}
	if (s->header_version >= 6)
		put64(o, sh + 96, s->max_pfn);
	return (uint32_t)((end - sh + bs - 1) / bs);
}

/* Page descriptors and data from @descs on; returns the end of the file. */
static int kdump_pages(const struct gen_spec *s, struct gen_out *out, struct bytes *o, size_t descs,
		       uint64_t ndata)
{
	uint32_t ps = s->page_size;
	size_t cap = (size_t)ps * 2 + 1024;
	uint8_t *cbuf = malloc(cap);
	if (!cbuf)
		return -1;
	size_t data = descs + 24 * ndata, zero_off = 0;
	uint64_t unwritten_from = ndata > s->incomplete ? ndata - s->incomplete : 0, k = 0;
	size_t end = data;
	for (uint64_t pfn = 0; pfn < s->npfn; pfn++) {
		if (s->kind[pfn] != GEN_PAGE_DATA)
			continue;
		size_t d = descs + 24 * k;
		reserve(o, d, 24); /* zero: an unwritten page of an incomplete dump */
		if (k++ >= unwritten_from)
			continue;
		const uint8_t *pg = gen_page(s, pfn);
		uint32_t size = ps, flags = 0;
		const uint8_t *stored = pg;
		size_t at;
		if (s->corrupt[pfn]) {
			memset(cbuf, 0xa5, 100);
			stored = cbuf;
			size = 100;
			flags = (uint32_t)s->codec;
		} else if (page_is_zero(pg, ps)) {
			if (!zero_off) { /* pd_zero: one raw zero page shared by all */
				zero_off = end;
				put(o, end, pg, ps);
				end += ps;
			}
			put64(o, d, zero_off);
			put32(o, d + 8, ps);
			out->desc_off[pfn] = d;
			out->data_off[pfn] = zero_off;
			continue;
		} else {
			size_t c = compress_page(s->codec, pg, ps, cbuf, cap);
			if (c) {
				stored = cbuf;
				size = (uint32_t)c;
				flags = (uint32_t)s->codec;
			}
		}
		at = end;
		put(o, at, stored, size);
		end += size;
		put64(o, d, at);
		put32(o, d + 8, size);
		put32(o, d + 12, flags);
		out->desc_off[pfn] = d;
		out->data_off[pfn] = at;
	}
	free(cbuf);
	/* An incomplete dump stops right after the last page written. */
	o->len = end > descs + 24 * ndata ? end : descs + 24 * ndata;
	return 0;
}

static int write_kdump(const struct gen_spec *s, struct gen_out *out, struct bytes *o)
{
	size_t bs = s->page_size;
	uint32_t nr_cpus = 0;
	for (size_t i = 0; i < s->num_notes; i++)
		nr_cpus += s->notes[i].type == 1;
	uint32_t sub_blocks = kdump_sub_header(s, out, o);
	uint64_t bm_bytes = (s->max_pfn + 7) / 8;
	uint32_t bitmap_blocks = (uint32_t)(2 * ((bm_bytes + bs - 1) / bs));
	if (bitmap_blocks == 0)
		bitmap_blocks = 2;
	kdump_header(s, o, sub_blocks, bitmap_blocks, nr_cpus ? nr_cpus : 1);
	size_t bm1 = (1 + sub_blocks) * bs, half = bitmap_blocks / 2 * bs;
	uint8_t *b1 = reserve(o, bm1, 2 * half);
	if (!b1)
		return -1;
	uint64_t ndata = 0;
	for (uint64_t pfn = 0; pfn < s->npfn; pfn++) {
		if (s->kind[pfn] == GEN_PAGE_NONE)
			continue;
		set_bit(o->b + bm1, pfn);
		if (s->kind[pfn] == GEN_PAGE_DATA) {
			set_bit(o->b + bm1 + half, pfn);
			ndata++;
		}
	}
	out->bitmap_off = bm1;
	return kdump_pages(s, out, o, bm1 + 2 * half, ndata);
}

/* ---- flattened ---- */

static int write_flat(const struct gen_spec *s, const struct bytes *logical, struct bytes *o)
{
	put(o, 0, "makedumpfile", 12);
	uint8_t be[8] = {0, 0, 0, 0, 0, 0, 0, 1};
	put(o, 16, be, 8); /* type: TYPE_FLAT_HEADER */
	put(o, 24, be, 8); /* version */
	size_t nrec = (logical->len + s->flat_chunk - 1) / s->flat_chunk;
	size_t *order = malloc((nrec + 1) * sizeof(*order));
	if (!order)
		return -1;
	for (size_t i = 0; i < nrec; i++)
		order[i] = i;
	uint64_t x = s->flat_shuffle;
	for (size_t i = nrec; x && i > 1; i--) { /* Fisher-Yates with xorshift */
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t j = x % i, t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	size_t pos = 4096;
	for (size_t i = 0; i < nrec; i++) {
		uint64_t off = order[i] * s->flat_chunk, len = logical->len - off;
		if (len > s->flat_chunk)
			len = s->flat_chunk;
		for (int b = 0; b < 8; b++) {
			be[b] = (uint8_t)(off >> (56 - 8 * b));
		}
		put(o, pos, be, 8);
		for (int b = 0; b < 8; b++)
			be[b] = (uint8_t)(len >> (56 - 8 * b));
		put(o, pos + 8, be, 8);
		put(o, pos + 16, logical->b + off, len);
		pos += 16 + len;
	}
	memset(be, 0xff, 8);
	put(o, pos, be, 8);
	put(o, pos + 8, be, 8);
	free(order);
	return 0;
}

int gen_write(const struct gen_spec *s, struct gen_out *out)
{
	memset(out, 0, sizeof(*out));
	out->desc_off = calloc(s->npfn + 1, sizeof(uint64_t));
	out->data_off = calloc(s->npfn + 1, sizeof(uint64_t));
	struct bytes o = {0};
	int rc = -1;
	if (out->desc_off && out->data_off) {
		if (s->format == GEN_ELF)
			rc = write_elf(s, out, &o);
		else
			rc = write_kdump(s, out, &o);
	}
	if (rc == 0 && s->format == GEN_FLAT) {
		struct bytes f = {0};
		rc = write_flat(s, &o, &f);
		free(o.b);
		o = f;
	}
	if (rc || o.oom) {
		free(o.b);
		gen_out_free(out);
		return -1;
	}
	out->buf = o.b;
	out->len = o.len;
	return 0;
}

void gen_out_free(struct gen_out *out)
{
	free(out->buf);
	free(out->desc_off);
	free(out->data_off);
	memset(out, 0, sizeof(*out));
}

int gen_file_from_spec(const char *text, const char *path, char *err, size_t errlen)
{
	struct gen_spec *s;
	if (gen_spec_parse(text, &s, err, errlen))
		return -1;
	struct gen_out out;
	int rc = gen_write(s, &out);
	gen_spec_free(s);
	if (rc) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(out.buf, 1, out.len, f) != out.len) {
		snprintf(err, errlen, "%s: cannot write", path);
		rc = -1;
	}
	if (f && fclose(f) != 0 && rc == 0) {
		snprintf(err, errlen, "%s: cannot write", path);
		rc = -1;
	}
	gen_out_free(&out);
	return rc;
}
