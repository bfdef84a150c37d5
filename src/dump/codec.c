// SPDX-License-Identifier: MIT
// Page decompression for kdump-compressed dumps: zlib, lzo1x, snappy, zstd.
// Each page decompresses to exactly one page; anything else is corruption.
#include <string.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <pthread.h>

#include "coroner/dump.h"

static pthread_once_t lzo_once = PTHREAD_ONCE_INIT;

static void lzo_setup(void)
{
	(void)lzo_init();
}

const char *cor_codec_name(enum cor_codec codec)
{
	switch (codec) {
	case COR_CODEC_NONE:
		return "none";
	case COR_CODEC_ZLIB:
		return "zlib";
	case COR_CODEC_LZO:
		return "lzo";
	case COR_CODEC_SNAPPY:
		return "snappy";
	case COR_CODEC_ZSTD:
		return "zstd";
	}
	return "unknown";
}

static struct cor_error *bad(enum cor_codec codec, const char *why)
{
	return cor_error_create(COR_ERR_CORRUPT, "%s page does not decompress: %s",
				cor_codec_name(codec), why);
}

struct cor_error *cor_codec_decompress(enum cor_codec codec, const void *in, size_t in_len,
				       void *out, size_t out_len)
{
	switch (codec) {
	case COR_CODEC_NONE:
		if (in_len != out_len)
			return bad(codec, "raw page of the wrong size");
		memcpy(out, in, out_len);
		return NULL;
	case COR_CODEC_ZLIB: {
		uLongf n = out_len;
		int r = uncompress(out, &n, in, in_len);
		if (r != Z_OK)
			return bad(codec, zError(r));
		if (n != out_len)
			return bad(codec, "short page");
		return NULL;
	}
	case COR_CODEC_LZO: {
		pthread_once(&lzo_once, lzo_setup);
		lzo_uint n = out_len;
		int r = lzo1x_decompress_safe(in, in_len, out, &n, NULL);
		if (r != LZO_E_OK)
			return bad(codec, "lzo1x_decompress_safe failed");
		if (n != out_len)
			return bad(codec, "short page");
		return NULL;
	}
	case COR_CODEC_SNAPPY: {
		size_t n;
		if (snappy_uncompressed_length(in, in_len, &n) != SNAPPY_OK || n != out_len)
			return bad(codec, "bad length");
		if (snappy_uncompress(in, in_len, out, &n) != SNAPPY_OK || n != out_len)
			return bad(codec, "snappy_uncompress failed");
		return NULL;
	}
	case COR_CODEC_ZSTD: {
		size_t n = ZSTD_decompress(out, out_len, in, in_len);
		if (ZSTD_isError(n))
			return bad(codec, ZSTD_getErrorName(n));
		if (n != out_len)
			return bad(codec, "short page");
		return NULL;
	}
	}
	return cor_error_create(COR_ERR_UNSUPPORTED, "unknown page compression 0x%x", codec);
}
