// SPDX-License-Identifier: MIT
// Unit tests of src/base: cursor, string builder, vector, hash map, numbers.
#include <stdlib.h>

#include "coroner/base.h"
#include "harness.h"

COR_TEST(cursor_bounds)
{
	const uint8_t buf[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	struct cor_cursor c;
	cor_cursor_init(&c, buf, sizeof(buf));
	uint64_t v64;
	uint32_t v32;
	CHECK_OK(cor_cursor_u64(&c, &v64));
	CHECK_U64(v64, 0x0807060504030201ull);
	CHECK_ERR(cor_cursor_u32(&c, &v32), COR_ERR_TRUNCATED);
	CHECK_U64(cor_cursor_left(&c), 1); /* a failed read leaves the cursor alone */
	c.big_endian = true;
	CHECK_OK(cor_cursor_seek(&c, 0));
	CHECK_OK(cor_cursor_u32(&c, &v32));
	CHECK_U64(v32, 0x01020304);
	CHECK_ERR(cor_cursor_seek(&c, 10), COR_ERR_TRUNCATED);
	CHECK_ERR(cor_cursor_skip(&c, UINT64_MAX), COR_ERR_TRUNCATED);
}

COR_TEST(strbuf_and_vec)
{
	struct cor_strbuf sb = {0};
	CHECK_STR(cor_strbuf_cstr(&sb), "");
	for (int i = 0; i < 1000; i++)
		cor_strbuf_appendf(&sb, "%d,", i);
	CHECK_OK(cor_strbuf_error(&sb));
	CHECK(sb.len == 3890);
	CHECK(strncmp(sb.str, "0,1,2,", 6) == 0);
	cor_strbuf_deinit(&sb);
	struct cor_vec v;
	cor_vec_init(&v, sizeof(uint64_t));
	for (uint64_t i = 0; i < 100; i++)
		CHECK_OK(cor_vec_push(&v, &i));
	CHECK_U64(*(uint64_t *)cor_vec_at(&v, 99), 99);
	cor_vec_deinit(&v);
}

COR_TEST(hmap)
{
	struct cor_hmap m;
	cor_hmap_init(&m);
	char keys[500][16];
	for (int i = 0; i < 500; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		CHECK_OK(cor_hmap_set_str(&m, keys[i], (uint64_t)i * 3));
		CHECK_OK(cor_hmap_set_u64(&m, (uint64_t)i << 12, (uint64_t)i));
	}
	uint64_t v = 0;
	CHECK(cor_hmap_get_str(&m, "k321", &v) && v == 963);
	CHECK(cor_hmap_get_u64(&m, 321ull << 12, &v) && v == 321);
	CHECK(!cor_hmap_get_str(&m, "nope", &v));
	CHECK(!cor_hmap_get_u64(&m, 7, &v));
	cor_hmap_deinit(&m);
}

COR_TEST(parse_u64)
{
	uint64_t v;
	CHECK_OK(cor_parse_u64("0xffffffff819eb1c0", false, &v));
	CHECK_U64(v, 0xffffffff819eb1c0ull);
	CHECK_OK(cor_parse_u64("ffff", true, &v));
	CHECK_U64(v, 0xffff);
	CHECK_OK(cor_parse_u64("123", false, &v));
	CHECK_U64(v, 123);
	CHECK_ERR(cor_parse_u64("12x", false, &v), COR_ERR_INVALID);
	CHECK_ERR(cor_parse_u64("0x1ffffffffffffffff", false, &v), COR_ERR_OVERFLOW);
	CHECK_ERR(cor_parse_u64("", false, &v), COR_ERR_INVALID);
}

COR_TEST(error_wrap)
{
	struct cor_error *e =
	    cor_error_wrap(cor_error_create(COR_ERR_CORRUPT, "inner %d", 5), "outer");
	CHECK_STR(e->message, "outer: inner 5");
	CHECK(e->code == COR_ERR_CORRUPT);
	cor_error_destroy(e);
	e = cor_error_wrap(&cor_not_found, "looking up %s", "x");
	CHECK_STR(e->message, "looking up x: not found");
	CHECK(!e->is_static);
	cor_error_destroy(e);
	cor_error_destroy(&cor_enomem); /* must be a no-op */
}
