// SPDX-License-Identifier: MIT
// Cursor, string builder, vector, hash map: see include/coroner/base.h.
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coroner/base.h"

/* ---- cursor ---- */

void cor_cursor_init(struct cor_cursor *c, const void *buf, size_t len)
{
	c->start = buf;
	c->pos = buf;
	c->end = (const uint8_t *)buf + len;
	c->big_endian = false;
}

static struct cor_error *trunc_err(const struct cor_cursor *c, uint64_t n)
{
	return cor_error_create(COR_ERR_TRUNCATED, "need %llu bytes at offset %zu, only %zu left",
				(unsigned long long)n, cor_cursor_offset(c), cor_cursor_left(c));
}

struct cor_error *cor_cursor_seek(struct cor_cursor *c, uint64_t off)
{
	if (off > (uint64_t)(c->end - c->start))
		return cor_error_create(COR_ERR_TRUNCATED, "offset %llu beyond end (%zu bytes)",
					(unsigned long long)off, (size_t)(c->end - c->start));
	c->pos = c->start + off;
	return NULL;
}

struct cor_error *cor_cursor_skip(struct cor_cursor *c, uint64_t n)
{
	if (n > cor_cursor_left(c))
		return trunc_err(c, n);
	c->pos += n;
	return NULL;
}

struct cor_error *cor_cursor_bytes(struct cor_cursor *c, uint64_t n, const uint8_t **ret)
{
	if (n > cor_cursor_left(c))
		return trunc_err(c, n);
	*ret = c->pos;
	c->pos += n;
	return NULL;
}

static struct cor_error *read_uint(struct cor_cursor *c, unsigned n, uint64_t *ret)
{
	if (n > cor_cursor_left(c))
		return trunc_err(c, n);
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned shift = c->big_endian ? 8 * (n - 1 - i) : 8 * i;
		v |= (uint64_t)c->pos[i] << shift;
	}
	c->pos += n;
	*ret = v;
	return NULL;
}

struct cor_error *cor_cursor_u8(struct cor_cursor *c, uint8_t *ret)
{
	uint64_t v = 0;
	struct cor_error *err = read_uint(c, 1, &v);
	if (!err)
		*ret = (uint8_t)v;
	return err;
}

struct cor_error *cor_cursor_u16(struct cor_cursor *c, uint16_t *ret)
{
	uint64_t v = 0;
	struct cor_error *err = read_uint(c, 2, &v);
	if (!err)
		*ret = (uint16_t)v;
	return err;
}

struct cor_error *cor_cursor_u32(struct cor_cursor *c, uint32_t *ret)
{
	uint64_t v = 0;
	struct cor_error *err = read_uint(c, 4, &v);
	if (!err)
		*ret = (uint32_t)v;
	return err;
}

struct cor_error *cor_cursor_u64(struct cor_cursor *c, uint64_t *ret)
{
	return read_uint(c, 8, ret);
}

/* ---- string builder ---- */

static bool sb_reserve(struct cor_strbuf *sb, size_t extra)
{
	if (sb->failed)
		return false;
	size_t need = sb->len + extra + 1;
	if (need <= sb->cap)
		return true;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap *= 2;
	char *s = realloc(sb->str, cap);
	if (!s) {
		sb->failed = true;
		return false;
	}
	sb->str = s;
	sb->cap = cap;
	return true;
}

void cor_strbuf_appendn(struct cor_strbuf *sb, const char *s, size_t n)
{
	if (!sb_reserve(sb, n))
		return;
	memcpy(sb->str + sb->len, s, n);
	sb->len += n;
	sb->str[sb->len] = '\0';
}

void cor_strbuf_append(struct cor_strbuf *sb, const char *s)
{
	cor_strbuf_appendn(sb, s, strlen(s));
}

void cor_strbuf_appendc(struct cor_strbuf *sb, char c)
{
	cor_strbuf_appendn(sb, &c, 1);
}

void cor_strbuf_appendf(struct cor_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !sb_reserve(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->str + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void cor_strbuf_append_json(struct cor_strbuf *sb, const char *s)
{
	cor_strbuf_appendc(sb, '"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			cor_strbuf_appendf(sb, "\\%c", c);
		else if (c == '\n')
			cor_strbuf_append(sb, "\\n");
		else if (c == '\t')
			cor_strbuf_append(sb, "\\t");
		else if (c < 0x20 || c >= 0x7f)
			cor_strbuf_appendf(sb, "\\u%04x", c);
		else
			cor_strbuf_appendc(sb, (char)c);
	}
	cor_strbuf_appendc(sb, '"');
}

struct cor_error *cor_strbuf_error(const struct cor_strbuf *sb)
{
	return sb->failed ? &cor_enomem : NULL;
}

void cor_strbuf_reset(struct cor_strbuf *sb)
{
	sb->len = 0;
	if (sb->str)
		sb->str[0] = '\0';
}

const char *cor_strbuf_cstr(const struct cor_strbuf *sb)
{
	return sb->str ? sb->str : "";
}

void cor_strbuf_deinit(struct cor_strbuf *sb)
{
	free(sb->str);
	memset(sb, 0, sizeof(*sb));
}

/* ---- vector ---- */

void cor_vec_init(struct cor_vec *v, size_t elem_size)
{
	memset(v, 0, sizeof(*v));
	v->elem_size = elem_size;
}

static struct cor_error *vec_grow(struct cor_vec *v)
{
	if (v->len < v->cap)
		return NULL;
	size_t cap = v->cap ? v->cap * 2 : 16;
	uint64_t bytes;
	if (cor_mul_overflow(cap, v->elem_size, &bytes))
		return &cor_enomem;
	void *d = realloc(v->data, bytes);
	if (!d)
		return &cor_enomem;
	v->data = d;
	v->cap = cap;
	return NULL;
}

struct cor_error *cor_vec_push(struct cor_vec *v, const void *elem)
{
	struct cor_error *err = vec_grow(v);
	if (err)
		return err;
	memcpy(cor_vec_at(v, v->len), elem, v->elem_size);
	v->len++;
	return NULL;
}

struct cor_error *cor_vec_push_zero(struct cor_vec *v, void **ret)
{
	struct cor_error *err = vec_grow(v);
	if (err)
		return err;
	void *p = cor_vec_at(v, v->len);
	memset(p, 0, v->elem_size);
	v->len++;
	*ret = p;
	return NULL;
}

void cor_vec_deinit(struct cor_vec *v)
{
	free(v->data);
	v->data = NULL;
	v->len = v->cap = 0;
}

/* ---- hash map ---- */

void cor_hmap_init(struct cor_hmap *m)
{
	memset(m, 0, sizeof(*m));
}

void cor_hmap_deinit(struct cor_hmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a, then mixed for the low bits */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return mix(h);
}

static struct cor_hmap_slot *find_slot(const struct cor_hmap *m, const char *skey, uint64_t ikey,
				       uint64_t h)
{
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct cor_hmap_slot *s = &m->slots[i];
		if (!s->used)
			return s;
		if (s->hash != h)
			continue;
		if (skey ? (s->skey && strcmp(s->skey, skey) == 0) : (!s->skey && s->ikey == ikey))
			return s;
	}
}

static struct cor_error *hmap_resize(struct cor_hmap *m, size_t cap)
{
	struct cor_hmap old = *m;
	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return &cor_enomem;
	}
	m->cap = cap;
	for (size_t i = 0; i < old.cap; i++) {
		const struct cor_hmap_slot *o = &old.slots[i];
		if (!o->used)
			continue;
		/* keys are unique: the first free slot of the probe sequence is theirs */
		size_t mask = cap - 1, k = o->hash & mask;
		while (m->slots[k].used)
			k = (k + 1) & mask;
		m->slots[k] = *o;
	}
	free(old.slots);
	return NULL;
}

struct cor_error *cor_hmap_reserve(struct cor_hmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 64;
	while (n * 4 >= cap * 3)
		cap *= 2;
	return cap == m->cap ? NULL : hmap_resize(m, cap);
}

static struct cor_error *hmap_set(struct cor_hmap *m, const char *skey, uint64_t ikey,
				  uint64_t value)
{
	if ((m->len + 1) * 4 >= m->cap * 3) {
		struct cor_error *err = hmap_resize(m, m->cap ? m->cap * 2 : 64);
		if (err)
			return err;
	}
	uint64_t h = skey ? hash_str(skey) : mix(ikey);
	struct cor_hmap_slot *s = find_slot(m, skey, ikey, h);
	if (!s->used) {
		s->used = true;
		s->skey = skey;
		s->ikey = ikey;
		s->hash = h;
		m->len++;
	}
	s->value = value;
	return NULL;
}

struct cor_error *cor_hmap_set_str(struct cor_hmap *m, const char *key, uint64_t value)
{
	return hmap_set(m, key, 0, value);
}

struct cor_error *cor_hmap_set_u64(struct cor_hmap *m, uint64_t key, uint64_t value)
{
	return hmap_set(m, NULL, key, value);
}

bool cor_hmap_get_str(const struct cor_hmap *m, const char *key, uint64_t *value)
{
	if (!m->cap)
		return false;
	struct cor_hmap_slot *s = find_slot(m, key, 0, hash_str(key));
	if (!s->used)
		return false;
	*value = s->value;
	return true;
}

bool cor_hmap_get_u64(const struct cor_hmap *m, uint64_t key, uint64_t *value)
{
	if (!m->cap)
		return false;
	struct cor_hmap_slot *s = find_slot(m, NULL, key, mix(key));
	if (!s->used)
		return false;
	*value = s->value;
	return true;
}

/* ---- misc ---- */

struct cor_error *cor_parse_u64(const char *s, bool hex_default, uint64_t *ret)
{
	if (!s || !*s)
		return cor_error_create(COR_ERR_INVALID, "empty number");
	int base = hex_default ? 16 : 10;
	const char *p = s;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p)
		return cor_error_create(COR_ERR_INVALID, "invalid number '%s'", s);
	uint64_t v = 0;
	for (; *p; p++) {
		int d;
		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = tolower((unsigned char)*p) - 'a' + 10;
		else
			return cor_error_create(COR_ERR_INVALID, "invalid number '%s'", s);
		if (cor_mul_overflow(v, (uint64_t)base, &v) || cor_add_overflow(v, (uint64_t)d, &v))
			return cor_error_create(COR_ERR_OVERFLOW, "number '%s' too large", s);
	}
	*ret = v;
	return NULL;
}

struct cor_error *cor_read_file(const char *path, char **buf_ret, size_t *len_ret)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cor_error_os(errno, path, "cannot open");
	struct cor_strbuf sb = {0};
	char tmp[65536];
	for (;;) {
		ssize_t n = read(fd, tmp, sizeof(tmp));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			cor_strbuf_deinit(&sb);
			return cor_error_os(e, path, "cannot read");
		}
		if (n == 0)
			break;
		cor_strbuf_appendn(&sb, tmp, (size_t)n);
	}
	close(fd);
	if (sb.failed) {
		cor_strbuf_deinit(&sb);
		return &cor_enomem;
	}
	if (!sb.str) {
		sb.str = strdup("");
		if (!sb.str)
			return &cor_enomem;
	}
	*buf_ret = sb.str;
	*len_ret = sb.len;
	return NULL;
}
