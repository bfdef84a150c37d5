// SPDX-License-Identifier: MIT
// Page compression for the capture pipeline: one context per thread, reused
// for every page (makedumpfile 1.7 calls compress2() per page, which sets up
// and frees a deflate state each time). Levels default to makedumpfile's
// (zlib 1, zstd 1). A page that does not shrink is stored raw (makedumpfile
// write_kdump_pages_cyclic: "if compressed size < page size").
//
// zlib pages are made by libdeflate: the same zlib stream format (RFC 1950,
// what crash and makedumpfile read back with uncompress()), about twice as
// fast as zlib's deflate at level 1 on kernel pages for a size within 1 %.
// lzo pages by lzo1x_1_11, the LZO1X-1 compressor with a 2048-entry
// dictionary: the same LZO1X format (lzo1x_decompress_safe() reads it) at
// ~15 % more speed than lzo1x_1, whose 16384-entry dictionary is cleared for
// every 4 KiB page; sizes differ by < 0.5 %.
#include <libdeflate.h>
#include <lzo/lzo1x.h>
#include <pthread.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "coroner/capture.h"

struct cor_compressor {
	enum cor_codec codec;
	int level;
	uint32_t page_size;
	size_t bound;
	struct libdeflate_compressor *deflate;
	void *lzo_wrkmem;
	ZSTD_CCtx *zctx;
};

static pthread_once_t lzo_once = PTHREAD_ONCE_INIT;
static int lzo_init_result;

static void lzo_setup(void)
{
	lzo_init_result = lzo_init();
}

static struct cor_error *setup(struct cor_compressor *c)
{
	switch (c->codec) {
	case COR_CODEC_NONE:
		c->bound = c->page_size;
		return NULL;
	case COR_CODEC_ZLIB:
		c->deflate = libdeflate_alloc_compressor(c->level ? c->level : 1);
		if (!c->deflate)
			return &cor_enomem;
		c->bound = libdeflate_zlib_compress_bound(c->deflate, c->page_size);
		return NULL;
	case COR_CODEC_LZO:
		pthread_once(&lzo_once, lzo_setup);
		if (lzo_init_result != LZO_E_OK)
			return cor_error_create(COR_ERR_UNSUPPORTED, "lzo_init failed");
		/* lzo1x worst case: n + n/16 + 64 + 3 (LZO FAQ). */
		c->bound = c->page_size + c->page_size / 16 + 64 + 3;
		c->lzo_wrkmem = malloc(LZO1X_1_11_MEM_COMPRESS);
		return c->lzo_wrkmem ? NULL : &cor_enomem;
	case COR_CODEC_SNAPPY:
		c->bound = snappy_max_compressed_length(c->page_size);
		return NULL;
	case COR_CODEC_ZSTD:
		c->bound = ZSTD_compressBound(c->page_size);
		c->zctx = ZSTD_createCCtx();
		if (!c->zctx)
			return &cor_enomem;
		if (ZSTD_isError(ZSTD_CCtx_setParameter(c->zctx, ZSTD_c_compressionLevel,
							c->level ? c->level : 1)))
			return cor_error_create(COR_ERR_INVALID, "zstd: bad level %d", c->level);
		return NULL;
	}
	return cor_error_create(COR_ERR_UNSUPPORTED, "unknown codec 0x%x", c->codec);
}

struct cor_error *cor_compressor_create(enum cor_codec codec, int level, uint32_t page_size,
					struct cor_compressor **ret)
{
	if (codec == COR_CODEC_ZLIB && (level < 0 || level > 9))
		return cor_error_create(COR_ERR_INVALID, "zlib level %d: use 1..9", level);
	if (codec == COR_CODEC_ZSTD && (level < -7 || level > ZSTD_maxCLevel()))
		return cor_error_create(COR_ERR_INVALID, "zstd level %d: use -7..-1 or 1..%d",
					level, ZSTD_maxCLevel());
	struct cor_compressor *c = calloc(1, sizeof(*c));
	if (!c)
		return &cor_enomem;
	c->codec = codec;
	c->level = level;
	c->page_size = page_size;
	struct cor_error *err = setup(c);
	if (err) {
		cor_compressor_destroy(c);
		return err;
	}
	*ret = c;
	return NULL;
}

size_t cor_compressor_bound(const struct cor_compressor *c)
{
	return c->bound;
}

size_t cor_compressor_page(struct cor_compressor *c, const void *page, void *out)
{
	size_t n = 0;
	switch (c->codec) {
	case COR_CODEC_NONE:
		return 0;
	case COR_CODEC_ZLIB:
		/* 0 when the page does not fit in page_size - 1 bytes: stored raw */
		n = libdeflate_zlib_compress(c->deflate, page, c->page_size, out, c->page_size - 1);
		break;
	case COR_CODEC_LZO: {
		lzo_uint len = 0;
		if (lzo1x_1_11_compress(page, c->page_size, out, &len, c->lzo_wrkmem) == LZO_E_OK)
			n = len;
		break;
	}
	case COR_CODEC_SNAPPY: {
		size_t len = c->bound;
		if (snappy_compress(page, c->page_size, out, &len) == SNAPPY_OK)
			n = len;
		break;
	}
	case COR_CODEC_ZSTD: {
		size_t r = ZSTD_compress2(c->zctx, out, c->bound, page, c->page_size);
		if (!ZSTD_isError(r))
			n = r;
		break;
	}
	}
	return n < c->page_size ? n : 0;
}

void cor_compressor_destroy(struct cor_compressor *c)
{
	if (!c)
		return;
	if (c->deflate)
		libdeflate_free_compressor(c->deflate);
	free(c->lzo_wrkmem);
	ZSTD_freeCCtx(c->zctx);
	free(c);
}
