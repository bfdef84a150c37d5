// SPDX-License-Identifier: MIT
// Page compression for the capture pipeline: one context per thread, reused
// for every page (makedumpfile 1.7 calls compress2() per page, which sets up
// and frees a deflate state each time; deflateReset() avoids that). Codec
// defaults are makedumpfile's: zlib Z_BEST_SPEED, zstd level 1, lzo1x_1,
// snappy. A page that does not shrink is stored raw (makedumpfile
// write_kdump_pages_cyclic: "if compressed size < page size").
#include <lzo/lzo1x.h>
#include <pthread.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "coroner/capture.h"

struct cor_compressor {
	enum cor_codec codec;
	int level;
	uint32_t page_size;
	size_t bound;
	z_stream z;
	bool z_ready;
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
		c->bound = compressBound(c->page_size);
		if (deflateInit(&c->z, c->level ? c->level : Z_BEST_SPEED) != Z_OK)
			return cor_error_create(COR_ERR_INVALID, "zlib: bad level %d", c->level);
		c->z_ready = true;
		return NULL;
	case COR_CODEC_LZO:
		pthread_once(&lzo_once, lzo_setup);
		if (lzo_init_result != LZO_E_OK)
			return cor_error_create(COR_ERR_UNSUPPORTED, "lzo_init failed");
		/* lzo1x worst case: n + n/16 + 64 + 3 (LZO FAQ). */
		c->bound = c->page_size + c->page_size / 16 + 64 + 3;
		c->lzo_wrkmem = malloc(LZO1X_1_MEM_COMPRESS);
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
	if (codec == COR_CODEC_ZSTD && (level < 0 || level > ZSTD_maxCLevel()))
		return cor_error_create(COR_ERR_INVALID, "zstd level %d: use 1..%d", level,
					ZSTD_maxCLevel());
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

static size_t deflate_page(struct cor_compressor *c, const void *page, void *out)
{
	if (deflateReset(&c->z) != Z_OK)
		return 0;
	c->z.next_in = (Bytef *)page;
	c->z.avail_in = c->page_size;
	c->z.next_out = out;
	c->z.avail_out = (uInt)c->bound;
	if (deflate(&c->z, Z_FINISH) != Z_STREAM_END)
		return 0;
	return c->z.total_out;
}

size_t cor_compressor_page(struct cor_compressor *c, const void *page, void *out)
{
	size_t n = 0;
	switch (c->codec) {
	case COR_CODEC_NONE:
		return 0;
	case COR_CODEC_ZLIB:
		n = deflate_page(c, page, out);
		break;
	case COR_CODEC_LZO: {
		lzo_uint len = 0;
		if (lzo1x_1_compress(page, c->page_size, out, &len, c->lzo_wrkmem) == LZO_E_OK)
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
	if (c->z_ready)
		deflateEnd(&c->z);
	free(c->lzo_wrkmem);
	ZSTD_freeCCtx(c->zctx);
	free(c);
}
