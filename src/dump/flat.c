// SPDX-License-Identifier: MIT
// makedumpfile's flattened format (-F): a 4 KiB header, then records
// {int64 offset, int64 size (big-endian), size bytes} describing where each
// piece of a kdump-compressed file goes, ended by {-1, -1}.
// Layout: makedumpfile.h (struct makedumpfile_header, makedumpfile_data_header,
// MAX_SIZE_MDF_HEADER 4096, TYPE_FLAT_HEADER 1, END_FLAG_FLAT_HEADER -1).
#include <stdlib.h>
#include <string.h>

#include "dump/internal.h"

#define MDF_HEADER_SIZE	     4096
#define MDF_TYPE_FLAT	     1
#define MDF_DATA_HEADER_SIZE 16

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int cmp_voff(const void *a, const void *b)
{
	const struct flat_extent *x = a, *y = b;
	if (x->voff != y->voff)
		return x->voff < y->voff ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

struct cor_error *flat_index(struct dump_file *f)
{
	if (f->size < MDF_HEADER_SIZE)
		return cor_error_create(COR_ERR_TRUNCATED, "header cut short (%llu of %d bytes)",
					(unsigned long long)f->size, MDF_HEADER_SIZE);
	uint64_t type = be64(f->data + 16), version = be64(f->data + 24);
	if (type != MDF_TYPE_FLAT)
		return cor_error_create(COR_ERR_UNSUPPORTED, "header type %llu (expected %d)",
					(unsigned long long)type, MDF_TYPE_FLAT);
	(void)version;
	struct cor_vec ext;
	cor_vec_init(&ext, sizeof(struct flat_extent));
	uint64_t pos = MDF_HEADER_SIZE, seq = 0, logical = 0, maxlen = 0;
	bool ended = false;
	while (pos + MDF_DATA_HEADER_SIZE <= f->size) {
		uint64_t voff = be64(f->data + pos), len = be64(f->data + pos + 8);
		if (voff == UINT64_MAX && len == UINT64_MAX) {
			ended = true;
			break;
		}
		pos += MDF_DATA_HEADER_SIZE;
		if ((int64_t)voff < 0 || (int64_t)len < 0 || voff > (1ull << 56) ||
		    len > (1ull << 40)) {
			cor_vec_deinit(&ext);
			return cor_error_create(
			    COR_ERR_CORRUPT,
			    "bad record header at offset %llu (offset %lld, size %lld)",
			    (unsigned long long)(pos - MDF_DATA_HEADER_SIZE), (long long)voff,
			    (long long)len);
		}
		uint64_t avail = f->size - pos < len ? f->size - pos : len;
		struct flat_extent e = {.voff = voff, .len = avail, .foff = pos, .seq = seq++};
		if (avail) {
			struct cor_error *err = cor_vec_push(&ext, &e);
			if (err) {
				cor_vec_deinit(&ext);
				return err;
			}
		}
		if (voff + avail > logical)
			logical = voff + avail;
		if (avail > maxlen)
			maxlen = avail;
		pos += avail;
		if (avail < len)
			break;
	}
	(void)ended; /* a stream without its end marker is read as far as it goes */
	qsort(ext.data, ext.len, sizeof(struct flat_extent), cmp_voff);
	f->extents = ext.data;
	f->num_extents = ext.len;
	f->max_extent_len = maxlen;
	f->logical_size = logical;
	if (!ext.len)
		return cor_error_create(COR_ERR_TRUNCATED, "no data records");
	return NULL;
}
