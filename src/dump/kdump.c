// SPDX-License-Identifier: MIT
// makedumpfile's kdump-compressed format (also written by QEMU's
// dump-guest-memory -z/-l/-s). Layout from makedumpfile 1.7 diskdump_mod.h:
//   block 0: struct disk_dump_header     block 1..: struct kdump_sub_header
//   then the 1st and 2nd bitmaps (bitmap_blocks blocks, half each),
//   then one struct page_desc per page set in the 2nd bitmap, then the data.
// Offsets below are those of the x86-64 ABI (long = 8, struct timeval = 16).
#include <stdlib.h>
#include <string.h>

#include "dump/internal.h"

#include "dump/kdump_format.h"

#define RANK_BLOCK_BITS 4096

struct kdump_priv {
	uint8_t *bitmap1, *bitmap2; /* bitmap_len bytes each */
	uint64_t bitmap_len;
	/* Bytes of each bitmap actually in the file (less when it is cut inside them). */
	uint64_t bitmap1_valid, bitmap2_valid;
	uint64_t ndescs; /* set bits of the 2nd bitmap: page descriptors */
	uint64_t *rank;	 /* set bits of bitmap2 before each RANK_BLOCK_BITS block */
	uint64_t descs_off;
	uint8_t *cbuf; /* compressed page buffer */
};

static bool kdump_probe(const uint8_t *head, size_t len)
{
	return len >= KDUMP_SIG_LEN && memcmp(head, KDUMP_SIGNATURE, KDUMP_SIG_LEN) == 0;
}

static void copy_uts(char *dst, const uint8_t *src)
{
	memcpy(dst, src, DH_UTS_FIELD);
	dst[DH_UTS_FIELD] = '\0';
}

static struct cor_error *parse_header(struct cor_dump *dump, const uint8_t *h)
{
	struct cor_kdump_info *k = &dump->kdump;
	k->header_version = (int32_t)cor_le32(h + DH_HEADER_VERSION);
	char *uts[] = {k->sysname, k->nodename, k->release, k->version, k->machine, k->domainname};
	for (int i = 0; i < 6; i++)
		copy_uts(uts[i], h + DH_UTSNAME + i * DH_UTS_FIELD);
	k->timestamp_sec = cor_le64(h + DH_TIMESTAMP);
	k->status = cor_le32(h + DH_STATUS);
	k->block_size = cor_le32(h + DH_BLOCK_SIZE);
	k->sub_hdr_size = cor_le32(h + DH_SUB_HDR_SIZE);
	k->bitmap_blocks = cor_le32(h + DH_BITMAP_BLOCKS);
	k->max_mapnr = cor_le32(h + DH_MAX_MAPNR);
	k->current_cpu = cor_le32(h + DH_CURRENT_CPU);
	k->nr_cpus = cor_le32(h + DH_NR_CPUS);
	k->codecs = k->status & DH_CODEC_MASK;
	if (k->header_version < 1 || k->header_version > 100)
		return cor_error_create(COR_ERR_CORRUPT, "bad header version %d",
					k->header_version);
	if (k->block_size < 1024 || k->block_size > (1u << 20) ||
	    (k->block_size & (k->block_size - 1)))
		return cor_error_create(COR_ERR_CORRUPT, "bad block size %u", k->block_size);
	if (strcmp(k->machine, "x86_64") != 0 && k->machine[0])
		return cor_error_create(
		    COR_ERR_UNSUPPORTED,
		    "dump of another architecture (%s): only x86_64 is supported", k->machine);
	if (k->sub_hdr_size == 0 || k->sub_hdr_size > 1024 || k->bitmap_blocks == 0)
		return cor_error_create(COR_ERR_CORRUPT,
					"bad header (sub header %u blocks, bitmap %u blocks)",
					k->sub_hdr_size, k->bitmap_blocks);
	return NULL;
}

static struct cor_error *parse_sub_header(struct cor_dump *dump)
{
	struct cor_kdump_info *k = &dump->kdump;
	uint8_t sh[SH_SIZE] = {0};
	struct cor_error *err = dump_read_exact(dump, k->block_size, sh, SH_SIZE, "sub header");
	if (err)
		return err;
	k->phys_base = cor_le64(sh + SH_PHYS_BASE);
	k->dump_level = (int32_t)cor_le32(sh + SH_DUMP_LEVEL);
	if (k->header_version >= 6)
		k->max_mapnr = cor_le64(sh + SH_MAX_MAPNR_64);
	if (k->header_version >= 3) {
		uint64_t off = cor_le64(sh + SH_OFFSET_VMCOREINFO),
			 len = cor_le64(sh + SH_SIZE_VMCOREINFO);
		if (len > (16u << 20))
			return cor_error_create(COR_ERR_CORRUPT, "VMCOREINFO of %llu bytes",
						(unsigned long long)len);
		if (len) {
			char *vi = calloc(1, len + 1);
			if (!vi)
				return &cor_enomem;
			if (dump_file_read(&dump->file, off, vi, len) < len)
				dump_set_incomplete(
				    dump, "VMCOREINFO is cut short by the end of the file");
			dump->vmcoreinfo = vi;
			dump->vmcoreinfo_len = strlen(vi);
		}
	}
	if (k->header_version >= 4) {
		uint64_t off = cor_le64(sh + SH_OFFSET_NOTE), len = cor_le64(sh + SH_SIZE_NOTE);
		if ((err = dump_load_notes(dump, off, len)))
			return err;
	}
	return NULL;
}

static struct cor_error *load_bitmaps(struct cor_dump *dump, struct kdump_priv *p)
{
	struct cor_kdump_info *k = &dump->kdump;
	uint64_t total = (uint64_t)k->bitmap_blocks * k->block_size;
	p->bitmap_len = total / 2;
	if (k->max_mapnr > p->bitmap_len * 8)
		return cor_error_create(
		    COR_ERR_CORRUPT, "bitmap of %llu bits is too small for %llu pages",
		    (unsigned long long)(p->bitmap_len * 8), (unsigned long long)k->max_mapnr);
	if (p->bitmap_len > (1ull << 36))
		return cor_error_create(COR_ERR_CORRUPT, "bitmap of %llu bytes",
					(unsigned long long)p->bitmap_len);
	uint64_t off = (uint64_t)(1 + k->sub_hdr_size) * k->block_size;
	/* Only the part of the bitmaps that is in the file is kept: a header whose
	 * bitmap_blocks points far past the end costs no memory (a truncated dump's
	 * pages past the cut are MISSING, see kdump_page_state()). */
	uint64_t fsize = dump_file_size(&dump->file);
	/* A flattened file's logical size may be huge and mostly holes: no more
	 * bitmap bytes can be real than the file on disk holds. */
	uint64_t cap = COR_MIN(p->bitmap_len, dump->file.size);
	uint64_t in1 = off < fsize ? COR_MIN(cap, fsize - off) : 0;
	uint64_t in2 = off + p->bitmap_len < fsize ? COR_MIN(cap, fsize - off - p->bitmap_len) : 0;
	p->bitmap1 = calloc(1, in1 + 1);
	p->bitmap2 = calloc(1, in2 + 1);
	uint64_t nblocks = (in2 * 8 + RANK_BLOCK_BITS - 1) / RANK_BLOCK_BITS;
	p->rank = calloc(nblocks + 1, sizeof(uint64_t));
	if (!p->bitmap1 || !p->bitmap2 || !p->rank)
		return &cor_enomem;
	size_t n1 = dump_file_read(&dump->file, off, p->bitmap1, in1);
	size_t n2 = dump_file_read(&dump->file, off + p->bitmap_len, p->bitmap2, in2);
	p->bitmap1_valid = n1;
	p->bitmap2_valid = n2;
	if (n1 < p->bitmap_len || n2 < p->bitmap_len)
		dump_set_incomplete(dump, "the file is truncated inside the page bitmaps: pages "
					  "past the cut are missing");
	/* Popcount prefix sums make the page-descriptor index of a pfn O(block). */
	uint64_t sum = 0;
	for (uint64_t b = 0; b < nblocks; b++) {
		p->rank[b] = sum;
		uint64_t start = b * (RANK_BLOCK_BITS / 8);
		uint64_t end = COR_MIN(start + RANK_BLOCK_BITS / 8, n2);
		for (uint64_t i = start; i < end; i++)
			sum += (uint64_t)__builtin_popcount(p->bitmap2[i]);
	}
	p->rank[nblocks] = sum;
	p->ndescs = sum;
	p->descs_off = (uint64_t)(1 + k->sub_hdr_size + k->bitmap_blocks) * k->block_size;
	uint64_t descs_end = p->descs_off + sum * PD_SIZE;
	if (descs_end > dump_file_size(&dump->file))
		dump_set_incomplete(
		    dump,
		    "the file is truncated inside the page descriptors: %llu of %llu "
		    "pages are missing",
		    (unsigned long long)((descs_end - dump_file_size(&dump->file) + PD_SIZE - 1) /
					 PD_SIZE),
		    (unsigned long long)sum);
	return NULL;
}

/* makedumpfile writes page data in pfn order, so the last written descriptor
 * tells whether the file holds all the data; a file cut inside the data is
 * found here rather than page by page later. Only the last few descriptors
 * are read (a capture stopped early leaves zeroed ones at the end). */
static void check_data_end(struct cor_dump *dump, const struct kdump_priv *p)
{
	uint64_t ndesc = p->ndescs;
	uint64_t size = dump_file_size(&dump->file);
	for (uint64_t i = ndesc, seen = 0; i > 0 && seen < 64; i--, seen++) {
		uint8_t pd[PD_SIZE];
		if (dump_file_read(&dump->file, p->descs_off + (i - 1) * PD_SIZE, pd, PD_SIZE) <
		    PD_SIZE)
			continue; /* reported by load_bitmaps already */
		uint64_t off = cor_le64(pd), len = cor_le32(pd + 8);
		if (off == 0 && len == 0)
			continue;
		if (!cor_range_ok(off, len, size))
			dump_set_incomplete(
			    dump,
			    "the file is truncated inside the page data (%llu bytes, "
			    "data up to offset %llu): pages past the cut are missing",
			    (unsigned long long)size, (unsigned long long)(off + len));
		return;
	}
}

static const char *codec_names(unsigned codecs)
{
	switch (codecs) {
	case DH_COMPRESSED_ZLIB:
		return "zlib";
	case DH_COMPRESSED_LZO:
		return "lzo";
	case DH_COMPRESSED_SNAPPY:
		return "snappy";
	case DH_COMPRESSED_ZSTD:
		return "zstd";
	case 0:
		return "uncompressed";
	}
	return "mixed codecs";
}

static struct cor_error *kdump_open(struct cor_dump *dump)
{
	uint8_t h[DH_SIZE];
	struct cor_error *err = dump_read_exact(dump, 0, h, sizeof(h), "kdump header");
	if (err)
		return err;
	dump->is_kdump = true;
	if ((err = parse_header(dump, h)) || (err = parse_sub_header(dump)))
		return err;
	struct cor_kdump_info *k = &dump->kdump;
	dump->page_size = k->block_size;
	dump->max_pfn = k->max_mapnr;
	struct kdump_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return &cor_enomem;
	dump->priv = p;
	p->cbuf = malloc(k->block_size);
	if (!p->cbuf)
		return &cor_enomem;
	if ((err = load_bitmaps(dump, p)))
		return err;
	check_data_end(dump, p);
	if (k->status & DH_COMPRESSED_INCOMPLETE)
		dump_set_incomplete(dump, "the dump is flagged incomplete: the capture stopped "
					  "early (disk full or interrupted); pages not written are "
					  "missing");
	struct cor_dump_range r = {.paddr = 0,
				   .memsz = dump->max_pfn * dump->page_size,
				   .filesz = dump->max_pfn * dump->page_size};
	if ((err = cor_vec_push(&dump->ranges, &r)))
		return err;
	snprintf(dump->format_name, sizeof(dump->format_name), "kdump-compressed (%s)",
		 codec_names(k->codecs));
	return NULL;
}

static bool test_bit(const uint8_t *bm, uint64_t bit)
{
	return bm[bit / 8] >> (bit % 8) & 1;
}

static uint64_t rank_of(const struct kdump_priv *p, uint64_t pfn)
{
	uint64_t b = pfn / RANK_BLOCK_BITS;
	uint64_t r = p->rank[b];
	for (uint64_t i = b * RANK_BLOCK_BITS / 8; i < pfn / 8; i++)
		r += (uint64_t)__builtin_popcount(p->bitmap2[i]);
	r += (uint64_t)__builtin_popcount(p->bitmap2[pfn / 8] & ((1u << (pfn % 8)) - 1));
	return r;
}

/* Reads the page descriptor of a dumped pfn; false if it is missing from the file. */
static bool read_desc(struct cor_dump *dump, uint64_t pfn, uint64_t *off, uint32_t *size,
		      uint32_t *flags)
{
	const struct kdump_priv *p = dump->priv;
	uint8_t pd[PD_SIZE];
	uint64_t pos = p->descs_off + rank_of(p, pfn) * PD_SIZE;
	if (dump_file_read(&dump->file, pos, pd, PD_SIZE) < PD_SIZE)
		return false;
	*off = cor_le64(pd);
	*size = cor_le32(pd + 8);
	*flags = cor_le32(pd + 12);
	/* makedumpfile leaves zeroed descriptors behind when it stops early. */
	if (*off == 0 || *size == 0)
		return false;
	return cor_range_ok(*off, *size, dump_file_size(&dump->file));
}

static enum cor_page_state kdump_page_state(struct cor_dump *dump, uint64_t pfn)
{
	const struct kdump_priv *p = dump->priv;
	if (pfn / 8 >= p->bitmap_len)
		return COR_PAGE_ABSENT;
	/* Past the cut of a truncated bitmap nothing is known: the page is missing
	 * unless the 1st bitmap (read) says it is not RAM. */
	bool ram = pfn / 8 >= p->bitmap1_valid || test_bit(p->bitmap1, pfn);
	if (pfn / 8 >= p->bitmap2_valid)
		return ram ? COR_PAGE_MISSING : COR_PAGE_ABSENT;
	if (!test_bit(p->bitmap2, pfn))
		return ram ? COR_PAGE_EXCLUDED : COR_PAGE_ABSENT;
	uint64_t off;
	uint32_t size, flags;
	return read_desc(dump, pfn, &off, &size, &flags) ? COR_PAGE_PRESENT : COR_PAGE_MISSING;
}

static struct cor_error *kdump_read_page(struct cor_dump *dump, uint64_t pfn, void *buf)
{
	const struct kdump_priv *p = dump->priv;
	uint64_t addr = pfn * dump->page_size;
	switch (kdump_page_state(dump, pfn)) {
	case COR_PAGE_PRESENT:
		break;
	case COR_PAGE_EXCLUDED:
		return cor_error_at(COR_ERR_EXCLUDED, addr,
				    "physical address 0x%llx was excluded from the dump (dump "
				    "level %d)",
				    (unsigned long long)addr, dump->kdump.dump_level);
	case COR_PAGE_ABSENT:
		return cor_error_fault(addr, "physical address 0x%llx is not in the dump",
				       (unsigned long long)addr);
	case COR_PAGE_MISSING:
		return cor_error_at(COR_ERR_TRUNCATED, addr,
				    "physical address 0x%llx is missing: %s is %s",
				    (unsigned long long)addr, dump->path,
				    (dump->kdump.status & DH_COMPRESSED_INCOMPLETE)
					? "incomplete (the capture stopped early)"
					: "truncated");
	}
	uint64_t off;
	uint32_t size, flags;
	if (!read_desc(dump, pfn, &off, &size, &flags))
		return cor_error_at(COR_ERR_TRUNCATED, addr, "page 0x%llx is missing",
				    (unsigned long long)pfn);
	if (size > dump->page_size)
		return cor_error_at(COR_ERR_CORRUPT, addr,
				    "page descriptor of 0x%llx: size %u exceeds the page size",
				    (unsigned long long)addr, size);
	unsigned codec = flags & DH_CODEC_MASK;
	if (codec & (codec - 1))
		return cor_error_at(COR_ERR_CORRUPT, addr,
				    "page descriptor of 0x%llx: several codecs (flags 0x%x)",
				    (unsigned long long)addr, flags);
	dump_file_read(&dump->file, off, p->cbuf, size);
	struct cor_error *err =
	    cor_codec_decompress((enum cor_codec)codec, p->cbuf, size, buf, dump->page_size);
	if (err) {
		err = cor_error_wrap(err, "%s: physical address 0x%llx (file offset %llu)",
				     dump->path, (unsigned long long)addr, (unsigned long long)off);
		if (err != &cor_enomem) {
			err->has_address = true;
			err->address = addr;
		}
	}
	return err;
}

static void kdump_close(struct cor_dump *dump)
{
	struct kdump_priv *p = dump->priv;
	if (!p)
		return;
	free(p->bitmap1);
	free(p->bitmap2);
	free(p->rank);
	free(p->cbuf);
	free(p);
}

const struct dump_ops cor_dump_kdump_ops = {
    .name = "kdump-compressed",
    .format = COR_DUMP_KDUMP,
    .probe = kdump_probe,
    .open = kdump_open,
    .page_state = kdump_page_state,
    .read_page = kdump_read_page,
    .close = kdump_close,
};
