// SPDX-License-Identifier: MIT
// The kdump-compressed writer. Layout of makedumpfile 1.7 diskdump_mod.h,
// header version 6, x86-64 ABI (the same offsets src/dump/kdump.c reads):
//   block 0               struct disk_dump_header
//   block 1..             struct kdump_sub_header, then the ELF notes and the
//                         VMCOREINFO text (sub_hdr_size blocks in all)
//   next bitmap_blocks    1st bitmap (RAM) then 2nd bitmap (dumped), half each
//   then                  struct page_desc[number of bits set in the 2nd bitmap]
//   then                  page data, where each descriptor points.
// Readers find a page's descriptor by its rank in the 2nd bitmap and its data
// through desc.offset. As makedumpfile does (write_kdump_pages_cyclic(),
// pd_zero), zero pages stay in the 2nd bitmap and all point to one zero page
// stored first. Pages may come in any order (the capture writes the kernel
// image first, so that a dump cut short by a full disk still has it); a page
// never given (unreadable, or not reached) keeps an all-zero descriptor,
// which readers take as missing (the dump is then flagged incomplete).
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coroner/dump_writer.h"

#include "dump/kdump_format.h"

#define KDUMP_HEADER_VERSION 6

struct cor_kdump_writer {
	struct cor_kdump_writer_config cfg;
	struct cor_dump_sink *sink;
	uint8_t *header; /* (1 + sub_hdr_blocks) blocks */
	size_t header_len;
	uint8_t *bitmap1, *bitmap2; /* bitmap_len bytes each (block-aligned halves) */
	uint64_t bitmap_len;
	uint64_t descs_off;  /* file offset of descriptor 0 */
	uint64_t ndescs_max; /* candidate pages: reserved descriptor slots */
	uint64_t data_off;   /* file offset of the first page's data */
	/* Pending page data: buf holds [buf_off, buf_off + buf_len) of the file. */
	uint8_t *buf;
	size_t buf_cap, buf_len;
	uint64_t buf_off;
	/* Pending descriptors (ndesc_pending) and their indexes in the table. */
	uint8_t *descs;
	uint64_t *desc_idx;
	size_t desc_cap, ndesc_pending;
	uint64_t descs_on_disk;
	uint64_t pages, zero_pages, skipped, data_bytes;
	/* Pages already given (each at most once), and the 2nd bitmap's prefix
	 * popcounts per RANK_BITS: a page's descriptor index is its rank. */
	uint8_t *seen;
	uint64_t *rank;
	uint64_t rank_pfn, rank_val; /* the last rank computed */
	bool failed;		     /* a write failed: no more pages */
};

#define RANK_BITS 4096

static bool bit_test(const uint8_t *bm, uint64_t pfn)
{
	return bm[pfn / 8] >> (pfn % 8) & 1;
}

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static void put_uts(uint8_t *h, int i, const char *s)
{
	if (s)
		strncpy((char *)h + DH_UTSNAME + i * DH_UTS_FIELD, s, DH_UTS_FIELD - 1);
}

/* Fills the header blocks (header, sub header, notes, VMCOREINFO). */
static struct cor_error *build_header(struct cor_kdump_writer *w, uint32_t sub_blocks,
				      uint32_t bitmap_blocks)
{
	const struct cor_kdump_writer_config *c = &w->cfg;
	uint32_t bs = c->page_size;
	w->header_len = (size_t)(1 + sub_blocks) * bs;
	w->header = calloc(1, w->header_len);
	if (!w->header)
		return &cor_enomem;
	uint8_t *h = w->header, *sh = w->header + bs;
	memcpy(h, KDUMP_SIGNATURE, 8);
	cor_put_le32(h + DH_HEADER_VERSION, KDUMP_HEADER_VERSION);
	const char *uts[] = {c->sysname, c->nodename, c->release,
			     c->version, c->machine,  c->domainname};
	for (int i = 0; i < 6; i++)
		put_uts(h, i, uts[i]);
	cor_put_le64(h + DH_TIMESTAMP, c->timestamp);
	cor_put_le32(h + DH_STATUS, (uint32_t)c->codec);
	cor_put_le32(h + DH_BLOCK_SIZE, bs);
	cor_put_le32(h + DH_SUB_HDR_SIZE, sub_blocks);
	cor_put_le32(h + DH_BITMAP_BLOCKS, bitmap_blocks);
	cor_put_le32(h + DH_MAX_MAPNR, (uint32_t)COR_MIN(c->max_mapnr, (uint64_t)UINT32_MAX));
	cor_put_le32(h + DH_NR_CPUS, c->nr_cpus);
	cor_put_le64(sh + SH_PHYS_BASE, c->phys_base);
	cor_put_le32(sh + SH_DUMP_LEVEL, (uint32_t)c->dump_level);
	cor_put_le64(sh + SH_MAX_MAPNR_64, c->max_mapnr);
	uint64_t off = bs + SH_SIZE;
	if (c->notes_len) {
		memcpy(w->header + off, c->notes, c->notes_len);
		cor_put_le64(sh + SH_OFFSET_NOTE, off);
		cor_put_le64(sh + SH_SIZE_NOTE, c->notes_len);
		off += c->notes_len;
	}
	if (c->vmcoreinfo_len) {
		memcpy(w->header + off, c->vmcoreinfo, c->vmcoreinfo_len);
		cor_put_le64(sh + SH_OFFSET_VMCOREINFO, off);
		cor_put_le64(sh + SH_SIZE_VMCOREINFO, c->vmcoreinfo_len);
	}
	return NULL;
}

static struct cor_error *check_config(const struct cor_kdump_writer_config *c)
{
	if (c->page_size < 1024 || c->page_size > (1u << 20) || (c->page_size & (c->page_size - 1)))
		return cor_error_create(COR_ERR_INVALID, "bad page size %u", c->page_size);
	if (c->max_mapnr == 0 || c->max_mapnr > (1ull << 40))
		return cor_error_create(COR_ERR_INVALID, "bad max_mapnr %llu",
					(unsigned long long)c->max_mapnr);
	if (!c->bitmap1 || !c->bitmap2)
		return cor_error_create(COR_ERR_INVALID, "no bitmaps");
	if (c->notes_len > (64u << 20) || c->vmcoreinfo_len > (16u << 20))
		return cor_error_create(COR_ERR_INVALID, "notes or VMCOREINFO too large");
	return NULL;
}

/* Lays the file out and copies the bitmaps. */
static struct cor_error *layout(struct cor_kdump_writer *w)
{
	const struct cor_kdump_writer_config *c = &w->cfg;
	uint32_t bs = c->page_size;
	/* Each bitmap is rounded up to whole blocks: crash needs both halves
	 * block-aligned (makedumpfile prepare_bitmap2_buffer()). */
	w->bitmap_len = round_up((c->max_mapnr + 7) / 8, bs);
	uint64_t bitmap_blocks = 2 * w->bitmap_len / bs;
	uint64_t sub_blocks = round_up(SH_SIZE + c->notes_len + c->vmcoreinfo_len, bs) / bs;
	if (bitmap_blocks > UINT32_MAX)
		return cor_error_create(COR_ERR_INVALID, "bitmap too large");
	w->bitmap1 = calloc(1, w->bitmap_len);
	w->bitmap2 = calloc(1, w->bitmap_len);
	if (!w->bitmap1 || !w->bitmap2)
		return &cor_enomem;
	size_t n = (size_t)((c->max_mapnr + 7) / 8);
	memcpy(w->bitmap1, c->bitmap1, n);
	memcpy(w->bitmap2, c->bitmap2, n);
	/* Bits past max_mapnr in the last byte must be clear. */
	if (c->max_mapnr % 8) {
		uint8_t mask = (uint8_t)((1u << (c->max_mapnr % 8)) - 1);
		w->bitmap1[n - 1] &= mask;
		w->bitmap2[n - 1] &= mask;
	}
	uint64_t nblocks = (c->max_mapnr + RANK_BITS - 1) / RANK_BITS;
	w->rank = calloc(nblocks + 1, sizeof(*w->rank));
	w->seen = calloc(1, n);
	if (!w->rank || !w->seen)
		return &cor_enomem;
	for (uint64_t i = 0; i < n; i++) {
		if (i % (RANK_BITS / 8) == 0)
			w->rank[i / (RANK_BITS / 8)] = w->ndescs_max;
		w->ndescs_max += (uint64_t)__builtin_popcount(w->bitmap2[i]);
	}
	struct cor_error *err = build_header(w, (uint32_t)sub_blocks, (uint32_t)bitmap_blocks);
	if (err)
		return err;
	w->descs_off = (1 + sub_blocks + bitmap_blocks) * (uint64_t)bs;
	w->data_off = round_up(w->descs_off + w->ndescs_max * PD_SIZE, bs);
	w->buf_off = w->data_off;
	/* The shared zero page, stored raw (makedumpfile's pd_zero). */
	memset(w->buf, 0, bs);
	w->buf_len = bs;
	w->data_bytes = bs;
	return NULL;
}

struct cor_error *cor_kdump_writer_create(const struct cor_kdump_writer_config *cfg,
					  struct cor_dump_sink *sink, struct cor_kdump_writer **ret)
{
	struct cor_error *err = check_config(cfg);
	if (err)
		return err;
	struct cor_kdump_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return &cor_enomem;
	w->cfg = *cfg;
	w->sink = sink;
	w->buf_cap = cfg->buffer_size ? cfg->buffer_size : (4u << 20);
	w->buf_cap = COR_MAX(w->buf_cap, (size_t)cfg->page_size);
	w->desc_cap = COR_MAX(w->buf_cap / PD_SIZE, (size_t)1024);
	w->buf = malloc(w->buf_cap);
	w->descs = calloc(w->desc_cap, PD_SIZE);
	w->desc_idx = calloc(w->desc_cap, sizeof(*w->desc_idx));
	if (!w->buf || !w->descs || !w->desc_idx) {
		cor_kdump_writer_destroy(w);
		return &cor_enomem;
	}
	err = layout(w);
	/* The borrowed inputs are copied now: forget them. */
	w->cfg.notes = NULL;
	w->cfg.vmcoreinfo = NULL;
	w->cfg.bitmap1 = w->cfg.bitmap2 = NULL;
	if (err) {
		cor_kdump_writer_destroy(w);
		return err;
	}
	/* Reserve headers, bitmaps and descriptors now: once data fills the disk,
	 * they can still be written (the dump is then flagged incomplete). */
	if (!sink->flattened) {
		int r = posix_fallocate(sink->fd, 0, (off_t)w->data_off);
		if (r != 0 && r != EOPNOTSUPP && r != EINVAL && r != ENODEV && r != ESPIPE) {
			err = cor_error_os(r, NULL,
					   "cannot reserve %llu bytes for the dump's headers and "
					   "page table",
					   (unsigned long long)w->data_off);
			cor_kdump_writer_destroy(w);
			return err;
		}
	}
	*ret = w;
	return NULL;
}

/* Writes the pending descriptors whose data is entirely below @data_end. */
static struct cor_error *flush_descs(struct cor_kdump_writer *w, uint64_t data_end)
{
	size_t n = 0;
	while (n < w->ndesc_pending) {
		const uint8_t *d = w->descs + n * PD_SIZE;
		if (cor_le64(d) + cor_le32(d + 8) > data_end)
			break;
		n++;
	}
	/* One write per run of consecutive table slots. */
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && w->desc_idx[j] == w->desc_idx[j - 1] + 1; j++)
			;
		struct cor_error *err =
		    cor_dump_sink_write(w->sink, w->descs_off + w->desc_idx[i] * PD_SIZE,
					w->descs + i * PD_SIZE, (j - i) * PD_SIZE, NULL);
		if (err)
			return err;
	}
	memmove(w->descs, w->descs + n * PD_SIZE, (w->ndesc_pending - n) * PD_SIZE);
	memmove(w->desc_idx, w->desc_idx + n, (w->ndesc_pending - n) * sizeof(*w->desc_idx));
	w->ndesc_pending -= n;
	w->descs_on_disk += n;
	return NULL;
}

/* Writes @len bytes of page data at the end of the data written so far, then
 * the descriptors of the pages it completed. After a failed write the pages
 * whose data reached the file keep their descriptors and the writer stops. */
static struct cor_error *write_data(struct cor_kdump_writer *w, const void *data, size_t len)
{
	size_t done = 0;
	struct cor_error *err = NULL;
	if (!w->failed)
		err = cor_dump_sink_write(w->sink, w->buf_off, data, len, &done);
	uint64_t data_end = w->buf_off + done;
	if (err) {
		w->failed = true;
		cor_error_destroy(flush_descs(w, data_end));
		w->ndesc_pending = 0;
		return cor_error_wrap(err, "writing page data");
	}
	w->buf_off += len;
	return flush_descs(w, data_end);
}

/* Writes the page data buffer, then the descriptors of the pages it completed. */
static struct cor_error *flush_data(struct cor_kdump_writer *w)
{
	struct cor_error *err = write_data(w, w->buf, w->buf_len);
	if (!err || !w->failed) /* the data is out (a descriptor write may have failed) */
		w->buf_len = 0;
	return err;
}

/* True if @pfn may be given: a candidate of the 2nd bitmap, not given before. */
static bool page_ok(struct cor_kdump_writer *w, uint64_t pfn)
{
	if (pfn >= w->cfg.max_mapnr || !bit_test(w->bitmap2, pfn) || bit_test(w->seen, pfn))
		return false;
	w->seen[pfn / 8] |= (uint8_t)(1u << (pfn % 8));
	return true;
}

/* The descriptor slot of @pfn: the number of 2nd-bitmap bits before it. Pages
 * mostly come in increasing order: count on from the previous page when it is
 * close, else from the block's prefix sum. */
static uint64_t rank_of(struct cor_kdump_writer *w, uint64_t pfn)
{
	uint64_t r, from;
	if (w->rank_pfn <= pfn && pfn - w->rank_pfn < 64) {
		r = w->rank_val;
		from = w->rank_pfn;
	} else {
		r = w->rank[pfn / RANK_BITS];
		from = pfn / RANK_BITS * RANK_BITS;
	}
	for (; from < pfn && from % 8; from++)
		r += bit_test(w->bitmap2, from);
	for (; from + 8 <= pfn; from += 8)
		r += (uint64_t)__builtin_popcount(w->bitmap2[from / 8]);
	for (; from < pfn; from++)
		r += bit_test(w->bitmap2, from);
	w->rank_pfn = pfn;
	w->rank_val = r;
	return r;
}

static struct cor_error *add_desc(struct cor_kdump_writer *w, uint64_t pfn, uint64_t off,
				  uint32_t size, uint32_t flags)
{
	if (w->ndesc_pending == w->desc_cap) {
		struct cor_error *err = flush_data(w);
		if (err)
			return err;
	}
	uint8_t *d = w->descs + w->ndesc_pending * PD_SIZE;
	cor_put_le64(d, off);
	cor_put_le32(d + 8, size);
	cor_put_le32(d + 12, flags);
	cor_put_le64(d + 16, 0);
	w->desc_idx[w->ndesc_pending] = rank_of(w, pfn);
	w->ndesc_pending++;
	return NULL;
}

struct cor_error *cor_kdump_writer_add(struct cor_kdump_writer *w, uint64_t pfn, const void *data,
				       uint32_t size, bool compressed)
{
	struct cor_error *err;
	if (!page_ok(w, pfn))
		return cor_error_create(COR_ERR_INVALID,
					"page 0x%llx is given twice or not a dumpable page",
					(unsigned long long)pfn);
	if (size == 0 || size > w->cfg.page_size || (!compressed && size != w->cfg.page_size))
		return cor_error_create(COR_ERR_INVALID, "page 0x%llx: bad size %u",
					(unsigned long long)pfn, size);
	if (w->failed)
		return NULL; /* reported once; finish() flags the dump incomplete */
	if (w->buf_len + size > w->buf_cap && (err = flush_data(w)))
		return err;
	if ((err = add_desc(w, pfn, w->buf_off + w->buf_len, size,
			    compressed ? (uint32_t)w->cfg.codec : 0)))
		return err;
	memcpy(w->buf + w->buf_len, data, size);
	w->buf_len += size;
	w->pages++;
	w->data_bytes += size;
	return NULL;
}

struct cor_error *cor_kdump_writer_add_packed(struct cor_kdump_writer *w, size_t n,
					      const uint64_t *pfns, const uint32_t *sizes,
					      const bool *compressed, const void *data)
{
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++) {
		if (sizes[i] == 0 || sizes[i] > w->cfg.page_size ||
		    (!compressed[i] && sizes[i] != w->cfg.page_size))
			return cor_error_create(COR_ERR_INVALID, "page 0x%llx: bad size %u",
						(unsigned long long)pfns[i], sizes[i]);
		if (!page_ok(w, pfns[i]))
			return cor_error_create(COR_ERR_INVALID,
						"page 0x%llx is given twice or not a dumpable page",
						(unsigned long long)pfns[i]);
		total += sizes[i];
	}
	if (w->failed || n == 0)
		return NULL;
	/* What the buffer holds goes first; then every pending descriptor is on
	 * disk and there is room for n more (desc_cap >= 1024 >= a job). */
	struct cor_error *err = flush_data(w);
	if (err)
		return err;
	if (w->desc_cap - w->ndesc_pending < n)
		return cor_error_create(COR_ERR_INVALID, "%zu pages at once: at most %zu", n,
					w->desc_cap - w->ndesc_pending);
	uint64_t off = w->buf_off;
	for (size_t i = 0; i < n; i++) {
		uint32_t flags = compressed[i] ? (uint32_t)w->cfg.codec : 0;
		if ((err = add_desc(w, pfns[i], off, sizes[i], flags)))
			return err;
		off += sizes[i];
	}
	if ((err = write_data(w, data, total)))
		return err;
	w->pages += n;
	w->data_bytes += total;
	return NULL;
}

struct cor_error *cor_kdump_writer_add_zero(struct cor_kdump_writer *w, uint64_t pfn)
{
	if (!page_ok(w, pfn))
		return cor_error_create(COR_ERR_INVALID,
					"page 0x%llx is given twice or not a dumpable page",
					(unsigned long long)pfn);
	if (w->failed)
		return NULL;
	struct cor_error *err = add_desc(w, pfn, w->data_off, w->cfg.page_size, 0);
	if (!err)
		w->zero_pages++;
	return err;
}

void cor_kdump_writer_skip(struct cor_kdump_writer *w, uint64_t pfn)
{
	/* The 2nd bitmap never changes once laid out (the descriptor slots are the
	 * pages' ranks in it): a skipped page keeps its bit and an empty slot. */
	if (page_ok(w, pfn))
		w->skipped++;
}

static struct cor_error *write_tables(struct cor_kdump_writer *w, bool incomplete)
{
	if (incomplete) {
		uint32_t st = cor_le32(w->header + DH_STATUS);
		cor_put_le32(w->header + DH_STATUS, st | DH_COMPRESSED_INCOMPLETE);
	}
	uint64_t boff = w->header_len;
	struct cor_error *err;
	if ((err = cor_dump_sink_write(w->sink, boff, w->bitmap1, w->bitmap_len, NULL)) ||
	    (err = cor_dump_sink_write(w->sink, boff + w->bitmap_len, w->bitmap2, w->bitmap_len,
				       NULL)))
		return err;
	/* The header last: a dump interrupted before this point has no signature. */
	return cor_dump_sink_write(w->sink, 0, w->header, w->header_len, NULL);
}

struct cor_error *cor_kdump_writer_finish(struct cor_kdump_writer *w, bool incomplete,
					  bool *incomplete_ret)
{
	struct cor_error *err = NULL;
	if (!w->failed && (w->buf_len || w->ndesc_pending))
		err = flush_data(w);
	if (err) {
		cor_error_destroy(err);
		err = NULL;
	}
	bool inc = incomplete || w->failed || w->skipped;
	/* A flattened stream that failed cannot take more records. */
	if (w->sink->flattened && w->failed)
		return cor_error_os(w->sink->write_errno, NULL,
				    "the flattened output failed: the dump is unusable");
	/* A file that failed: later writes target reserved space, so clear the
	 * error to try them. */
	int saved = w->sink->write_errno;
	w->sink->write_errno = 0;
	err = write_tables(w, inc);
	if (!err)
		err = cor_dump_sink_finish(w->sink);
	if (!err && !w->sink->flattened && !w->failed) {
		/* The file must cover the last descriptor slot and page. */
		uint64_t end = w->buf_off;
		if (ftruncate(w->sink->fd, (off_t)COR_MAX(end, w->data_off)) != 0)
			err = cor_error_os(errno, NULL, "setting the dump's size");
	}
	if (!w->sink->write_errno)
		w->sink->write_errno = saved;
	if (err)
		return cor_error_wrap(err, "writing the dump's headers and bitmaps");
	if (incomplete_ret)
		*incomplete_ret = inc;
	return NULL;
}

uint64_t cor_kdump_writer_data_bytes(const struct cor_kdump_writer *w)
{
	return w->data_bytes;
}

uint64_t cor_kdump_writer_pages(const struct cor_kdump_writer *w)
{
	return w->pages;
}

uint64_t cor_kdump_writer_pages_on_disk(const struct cor_kdump_writer *w)
{
	return w->descs_on_disk;
}

void cor_kdump_writer_destroy(struct cor_kdump_writer *w)
{
	if (!w)
		return;
	free(w->header);
	free(w->bitmap1);
	free(w->bitmap2);
	free(w->buf);
	free(w->descs);
	free(w->desc_idx);
	free(w->seen);
	free(w->rank);
	free(w);
}
