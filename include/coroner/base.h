/* SPDX-License-Identifier: MIT */
/**
 * @file base.h
 * Small building blocks: a bounds-checked byte cursor, a string builder,
 * a growable vector, a hash map, overflow-checked arithmetic.
 */
#ifndef CORONER_BASE_H
#define CORONER_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "coroner/error.h"

#define COR_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define COR_MIN(a, b)	  ((a) < (b) ? (a) : (b))
#define COR_MAX(a, b)	  ((a) > (b) ? (a) : (b))

/** Overflow-checked a + b into *r; true on overflow. */
static inline bool cor_add_overflow(uint64_t a, uint64_t b, uint64_t *r)
{
	return __builtin_add_overflow(a, b, r);
}
/** Overflow-checked a * b into *r; true on overflow. */
static inline bool cor_mul_overflow(uint64_t a, uint64_t b, uint64_t *r)
{
	return __builtin_mul_overflow(a, b, r);
}
/** True if [off, off+len) lies within [0, size). */
static inline bool cor_range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	uint64_t end;
	return !cor_add_overflow(off, len, &end) && end <= size;
}

/* ---- cursor ---------------------------------------------------------- */

/**
 * A read cursor over a borrowed buffer. Reads past the end fail and leave
 * the cursor unchanged; the buffer must outlive the cursor.
 */
struct cor_cursor {
	const uint8_t *start;
	const uint8_t *pos;
	const uint8_t *end;
	/** Whether multi-byte values are big-endian. */
	bool big_endian;
};

/** Initializes @p c over @p len bytes at @p buf (little-endian). */
void cor_cursor_init(struct cor_cursor *c, const void *buf, size_t len);
/** Bytes left. */
static inline size_t cor_cursor_left(const struct cor_cursor *c)
{
	return (size_t)(c->end - c->pos);
}
/** Offset from the start. */
static inline size_t cor_cursor_offset(const struct cor_cursor *c)
{
	return (size_t)(c->pos - c->start);
}
/** Moves to absolute offset @p off; fails (TRUNCATED) beyond the end. */
struct cor_error *cor_cursor_seek(struct cor_cursor *c, uint64_t off) COR_MUST_CHECK;
/** Skips @p n bytes. */
struct cor_error *cor_cursor_skip(struct cor_cursor *c, uint64_t n) COR_MUST_CHECK;
struct cor_error *cor_cursor_u8(struct cor_cursor *c, uint8_t *ret) COR_MUST_CHECK;
struct cor_error *cor_cursor_u16(struct cor_cursor *c, uint16_t *ret) COR_MUST_CHECK;
struct cor_error *cor_cursor_u32(struct cor_cursor *c, uint32_t *ret) COR_MUST_CHECK;
struct cor_error *cor_cursor_u64(struct cor_cursor *c, uint64_t *ret) COR_MUST_CHECK;
/** Returns a pointer to the next @p n bytes in *ret and advances. */
struct cor_error *cor_cursor_bytes(struct cor_cursor *c, uint64_t n,
				   const uint8_t **ret) COR_MUST_CHECK;

/** Little-endian loads from unaligned memory. */
static inline uint16_t cor_le16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | b[1] << 8);
}
static inline uint32_t cor_le32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static inline uint64_t cor_le64(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)cor_le32(b) | (uint64_t)cor_le32(b + 4) << 32;
}
static inline void cor_put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}
static inline void cor_put_le64(void *p, uint64_t v)
{
	uint8_t *b = p;
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

/* ---- string builder --------------------------------------------------- */

/**
 * A growable NUL-terminated string. Zero-initialize, append, then take
 * ownership of .str (free()) or call cor_strbuf_deinit(). After an
 * allocation failure the builder is marked failed and further appends are
 * no-ops; cor_strbuf_error() reports it.
 */
struct cor_strbuf {
	char *str;
	size_t len;
	size_t cap;
	bool failed;
};

void cor_strbuf_append(struct cor_strbuf *sb, const char *s);
void cor_strbuf_appendn(struct cor_strbuf *sb, const char *s, size_t n);
void cor_strbuf_appendf(struct cor_strbuf *sb, const char *fmt, ...) COR_PRINTF(2, 3);
void cor_strbuf_appendc(struct cor_strbuf *sb, char c);
/**
 * Appends @p s as a JSON string literal, quotes included ("" for NULL): '"' and
 * '\\' escaped, control bytes and bytes >= 0x7f as \u00XX, so that the result is
 * valid JSON whatever bytes a dump held.
 */
void cor_strbuf_append_json(struct cor_strbuf *sb, const char *s);
/** &cor_enomem if any append failed, else NULL. */
struct cor_error *cor_strbuf_error(const struct cor_strbuf *sb) COR_MUST_CHECK;
/** Empties the string, keeping its storage. */
void cor_strbuf_reset(struct cor_strbuf *sb);
/** Returns the string (never NULL: "" when empty). Borrowed until the next append. */
const char *cor_strbuf_cstr(const struct cor_strbuf *sb);
/** Frees the storage. */
void cor_strbuf_deinit(struct cor_strbuf *sb);

/* ---- vector ----------------------------------------------------------- */

/** A growable array of fixed-size elements. Zero-initialize with elem_size set. */
struct cor_vec {
	void *data;
	size_t len;
	size_t cap;
	size_t elem_size;
};

/** Initializes an empty vector of @p elem_size-byte elements. */
void cor_vec_init(struct cor_vec *v, size_t elem_size);
/** Appends a copy of *@p elem. */
struct cor_error *cor_vec_push(struct cor_vec *v, const void *elem) COR_MUST_CHECK;
/** Appends a zeroed element and returns it in *ret (valid until the next push). */
struct cor_error *cor_vec_push_zero(struct cor_vec *v, void **ret) COR_MUST_CHECK;
/** Element @p i (no bounds check beyond an assertion in debug builds). */
static inline void *cor_vec_at(const struct cor_vec *v, size_t i)
{
	return (char *)v->data + i * v->elem_size;
}
/** Frees the storage. */
void cor_vec_deinit(struct cor_vec *v);

/* ---- hash map: string or u64 key -> u64 value -------------------------- */

/**
 * Open-addressing hash map. String keys are borrowed: they must outlive
 * the map. Zero-initialize (or cor_hmap_init) before use.
 */
struct cor_hmap {
	struct cor_hmap_slot *slots;
	size_t cap; /* power of two or 0 */
	size_t len;
};
struct cor_hmap_slot {
	const char *skey; /* NULL for u64 maps or empty slots */
	uint64_t ikey;
	uint64_t value;
	uint64_t hash; /* of the key: compared before the key, reused on rehash */
	bool used;
};

void cor_hmap_init(struct cor_hmap *m);
/** Makes room for @p n entries (avoids rehashing while a large table is built). */
struct cor_error *cor_hmap_reserve(struct cor_hmap *m, size_t n) COR_MUST_CHECK;
void cor_hmap_deinit(struct cor_hmap *m);
/** Inserts or replaces @p key -> @p value. */
struct cor_error *cor_hmap_set_str(struct cor_hmap *m, const char *key,
				   uint64_t value) COR_MUST_CHECK;
/** Looks @p key up; true and *value on hit. */
bool cor_hmap_get_str(const struct cor_hmap *m, const char *key, uint64_t *value);
struct cor_error *cor_hmap_set_u64(struct cor_hmap *m, uint64_t key, uint64_t value) COR_MUST_CHECK;
bool cor_hmap_get_u64(const struct cor_hmap *m, uint64_t key, uint64_t *value);

/* ---- misc -------------------------------------------------------------- */

/** Parses a number (0x hex, decimal, or plain hex when @p hex_default) into *ret. */
struct cor_error *cor_parse_u64(const char *s, bool hex_default, uint64_t *ret) COR_MUST_CHECK;
/** Reads a whole (small) file into a malloc'ed buffer, NUL-terminated. */
struct cor_error *cor_read_file(const char *path, char **buf_ret, size_t *len_ret) COR_MUST_CHECK;

#endif
