// SPDX-License-Identifier: MIT
// BTF -> type model, through libbpf. The blob comes from the dump's memory
// (__start_BTF..__stop_BTF) or a vmlinux's .BTF section; it is untrusted: the
// header and every section offset and length are checked here (in 64-bit
// arithmetic) before libbpf sees it, and every id and name offset libbpf
// returns is checked again at conversion time (libbpf 1.1 does not check
// that type references point at existing types).
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/btf.h>

#include "types/internal.h"

/* struct btf_header, include/uapi/linux/btf.h (Linux 6.1): 24 bytes. */
#define BTF_HDR_MIN  24
#define BTF_MAGIC_LE 0xeB9F
/* Largest string offset BTF can encode (BTF_MAX_NAME_OFFSET, kernel/bpf/btf.c). */
#define BTF_MAX_STR 0x7fffffffu

/* @p split: a module's BTF, whose strings need not start with the empty
 * string (kernel/bpf/btf.c btf_parse_str_sec(): only base BTF must). */
static struct cor_error *check_header(const uint8_t *p, size_t len, bool split)
{
	if (len < BTF_HDR_MIN)
		return cor_error_create(COR_ERR_CORRUPT, "BTF: %zu bytes, shorter than its header",
					len);
	uint16_t magic = cor_le16(p);
	if (magic != BTF_MAGIC_LE)
		return cor_error_create(COR_ERR_CORRUPT, "BTF: bad magic 0x%04x", magic);
	if (p[2] != 1)
		return cor_error_create(COR_ERR_UNSUPPORTED, "BTF: version %u (only 1 is known)",
					p[2]);
	uint64_t hdr_len = cor_le32(p + 4), type_off = cor_le32(p + 8), type_len = cor_le32(p + 12);
	uint64_t str_off = cor_le32(p + 16), str_len = cor_le32(p + 20);
	if (hdr_len < BTF_HDR_MIN || hdr_len > len)
		return cor_error_create(COR_ERR_CORRUPT, "BTF: header length %llu (blob %zu)",
					(unsigned long long)hdr_len, len);
	uint64_t body = len - hdr_len;
	if (!cor_range_ok(type_off, type_len, body) || !cor_range_ok(str_off, str_len, body))
		return cor_error_create(COR_ERR_CORRUPT,
					"BTF: sections [types %llu+%llu, strings %llu+%llu] exceed "
					"the %llu bytes after the header",
					(unsigned long long)type_off, (unsigned long long)type_len,
					(unsigned long long)str_off, (unsigned long long)str_len,
					(unsigned long long)body);
	if (type_off % 4 != 0)
		return cor_error_create(COR_ERR_CORRUPT, "BTF: type section offset %llu unaligned",
					(unsigned long long)type_off);
	if (type_off < str_off ? type_off + type_len > str_off : str_off + str_len > type_off)
		return cor_error_create(COR_ERR_CORRUPT, "BTF: type and string sections overlap");
	if (str_len == 0 || str_len > BTF_MAX_STR || (!split && p[hdr_len + str_off] != '\0') ||
	    p[hdr_len + str_off + str_len - 1] != '\0')
		return cor_error_create(COR_ERR_CORRUPT,
					"BTF: malformed string section (%llu bytes)",
					(unsigned long long)str_len);
	return NULL;
}

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static struct cor_error *btf_open(const void *data, size_t len, struct btf **ret)
{
	struct cor_error *err = check_header(data, len, false);
	if (err)
		return err;
	if (len > UINT32_MAX)
		return cor_error_create(COR_ERR_CORRUPT, "BTF: %zu bytes is too large", len);
	/* libbpf reports through a process-wide print callback (stderr by
	 * default); library code must not print, and its errors come back as
	 * errno anyway. */
	libbpf_set_print(silent_print);
	errno = 0;
	struct btf *btf = btf__new(data, (uint32_t)len);
	if (!btf) {
		int e = errno ? errno : EINVAL;
		return cor_error_create(e == ENOMEM ? COR_ERR_NOMEM : COR_ERR_CORRUPT,
					"BTF: libbpf rejects the blob: %s", strerror(e));
	}
	*ret = btf;
	return NULL;
}

struct cor_error *cor_btf_parse_mem(const void *data, size_t len)
{
	struct btf *btf;
	struct cor_error *err = btf_open(data, len, &btf);
	if (!err)
		btf__free(btf);
	return err;
}

struct cor_error *cor_types_add_btf_mem(struct cor_types *types, const void *data, size_t len)
{
	if (types->btf)
		return cor_error_create(COR_ERR_INVALID, "BTF already loaded");
	struct btf *btf;
	struct cor_error *err = btf_open(data, len, &btf);
	if (err)
		return err;
	types->btf = btf;
	types->btf_n = btf__type_cnt(btf);
	return NULL;
}

static const char *btf_name(const struct btf *btf, uint32_t off)
{
	const char *s = btf__name_by_offset(btf, off);
	return s && *s ? s : NULL;
}

static struct cor_error *bad_id(uint32_t id, uint32_t ref)
{
	return cor_error_create(COR_ERR_CORRUPT, "BTF: type %u refers to type %u, which is absent",
				id, ref);
}

/* A module's split BTF refers to the base's types by their ids (below
 * base_n) and to its own above: references carry the module's index. */
static cor_type_ref mkref(const struct btf_src *src, uint32_t id)
{
	return id < src->base_n ? id : src->prefix | id;
}

static struct cor_error *convert_members(struct cor_types *types, const struct btf_src *src,
					 const struct btf_type *bt, uint32_t id, struct cor_type *t)
{
	uint32_t n = btf_vlen(bt);
	struct cor_error *err =
	    types_alloc(types, (size_t)n * sizeof(*t->members) + 1, (void **)&t->members);
	if (err)
		return err;
	const struct btf_member *m = btf_members(bt);
	for (uint32_t i = 0; i < n; i++) {
		if (m[i].type >= src->n)
			return bad_id(id, m[i].type);
		t->members[i].name = btf_name(src->btf, m[i].name_off);
		t->members[i].type = mkref(src, m[i].type);
		t->members[i].bit_offset = btf_member_bit_offset(bt, i);
		t->members[i].bit_size = btf_member_bitfield_size(bt, i);
	}
	t->nmembers = n;
	return NULL;
}

static struct cor_error *convert_enum(struct cor_types *types, const struct btf_src *src,
				      const struct btf_type *bt, struct cor_type *t)
{
	uint32_t n = btf_vlen(bt);
	struct cor_error *err =
	    types_alloc(types, (size_t)n * sizeof(*t->enumerators) + 1, (void **)&t->enumerators);
	if (err)
		return err;
	/* 6.1 (pahole 1.24) sets kflag on signed enums; an enum with a negative
	 * value is signed either way. */
	t->is_signed = btf_kflag(bt);
	for (uint32_t i = 0; i < n; i++) {
		if (btf_is_enum(bt)) {
			const struct btf_enum *e = &btf_enum(bt)[i];
			t->enumerators[i].name = btf_name(src->btf, e->name_off);
			t->enumerators[i].value =
			    t->is_signed ? (int64_t)e->val : (int64_t)(uint32_t)e->val;
		} else {
			const struct btf_enum64 *e = &btf_enum64(bt)[i];
			t->enumerators[i].name = btf_name(src->btf, e->name_off);
			t->enumerators[i].value = (int64_t)btf_enum64_value(e);
		}
		if (!t->enumerators[i].name)
			t->enumerators[i].name = "";
	}
	t->nenumerators = n;
	t->size = bt->size;
	return NULL;
}

static struct cor_error *convert_proto(struct cor_types *types, const struct btf_src *src,
				       const struct btf_type *bt, uint32_t id, struct cor_type *t)
{
	uint32_t n = btf_vlen(bt);
	struct cor_error *err =
	    types_alloc(types, (size_t)n * sizeof(*t->members) + 1, (void **)&t->members);
	if (err)
		return err;
	if (bt->type >= src->n)
		return bad_id(id, bt->type);
	t->kind = COR_TYPE_FUNCTION;
	t->target = mkref(src, bt->type);
	const struct btf_param *p = btf_params(bt);
	for (uint32_t i = 0; i < n; i++) {
		if (i == n - 1 && p[i].type == 0 && p[i].name_off == 0) {
			t->variadic = true;
			break;
		}
		if (p[i].type >= src->n)
			return bad_id(id, p[i].type);
		t->members[t->nmembers].name = btf_name(src->btf, p[i].name_off);
		t->members[t->nmembers].type = mkref(src, p[i].type);
		t->nmembers++;
	}
	return NULL;
}

/* Fills @p t from the BTF type @p bt (id @p id). */
static struct cor_error *fill(struct cor_types *types, const struct btf_src *src, uint32_t id,
			      const struct btf_type *bt, struct cor_type *t)
{
	t->name = btf_name(src->btf, bt->name_off);
	switch (btf_kind(bt)) {
	case BTF_KIND_INT: {
		uint8_t enc = btf_int_encoding(bt);
		t->kind = COR_TYPE_INT;
		t->size = bt->size;
		t->is_signed = enc & BTF_INT_SIGNED;
		t->is_bool = (enc & BTF_INT_BOOL) || (t->name && strcmp(t->name, "_Bool") == 0);
		t->is_char = (enc & BTF_INT_CHAR) ||
			     (bt->size == 1 && t->name && strstr(t->name, "char") != NULL);
		return NULL;
	}
	case BTF_KIND_FLOAT:
		t->kind = COR_TYPE_FLOAT;
		t->size = bt->size;
		return NULL;
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
		t->kind = btf_is_ptr(bt)       ? COR_TYPE_POINTER
			  : btf_is_typedef(bt) ? COR_TYPE_TYPEDEF
			  : btf_is_const(bt)   ? COR_TYPE_CONST
					       : COR_TYPE_VOLATILE;
		if (bt->type >= src->n)
			return bad_id(id, bt->type);
		t->target = mkref(src, bt->type);
		t->size = btf_is_ptr(bt) ? 8 : 0; /* x86-64; typedef sizes via cor_types_sizeof */
		return NULL;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(bt);
		if (a->type >= src->n)
			return bad_id(id, a->type);
		t->kind = COR_TYPE_ARRAY;
		t->target = mkref(src, a->type);
		t->nelem = a->nelems;
		return NULL;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		t->kind = btf_is_struct(bt) ? COR_TYPE_STRUCT : COR_TYPE_UNION;
		t->size = bt->size;
		return convert_members(types, src, bt, id, t);
	case BTF_KIND_FWD:
		t->kind = btf_kflag(bt) ? COR_TYPE_UNION : COR_TYPE_STRUCT;
		t->incomplete = true;
		return NULL;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		t->kind = COR_TYPE_ENUM;
		return convert_enum(types, src, bt, t);
	case BTF_KIND_FUNC_PROTO:
		return convert_proto(types, src, bt, id, t);
	case BTF_KIND_FUNC: {
		const struct btf_type *proto = btf__type_by_id(src->btf, bt->type);
		if (!proto || !btf_is_func_proto(proto))
			return cor_error_create(COR_ERR_CORRUPT,
						"BTF: function %u has no prototype", id);
		const char *name = t->name;
		struct cor_error *err = convert_proto(types, src, proto, bt->type, t);
		t->name = name;
		return err;
	}
	default:
		return cor_error_create(COR_ERR_CORRUPT, "BTF: type %u has kind %u, not a type", id,
					btf_kind(bt));
	}
}

/* RESTRICT and TYPE_TAG do not change a value's layout or printing: skip them. */
static struct cor_error *skip_transparent(const struct btf_src *src, uint32_t id, uint32_t *ret)
{
	for (int depth = 0; depth < TYPES_MAX_DEPTH; depth++) {
		if (id >= src->n)
			return cor_error_create(COR_ERR_CORRUPT, "BTF: no type %u", id);
		const struct btf_type *bt = btf__type_by_id(src->btf, id);
		if (!bt)
			return cor_error_create(COR_ERR_CORRUPT, "BTF: no type %u", id);
		if (!btf_is_restrict(bt) && !btf_is_type_tag(bt)) {
			*ret = id;
			return NULL;
		}
		id = bt->type;
	}
	return cor_error_create(COR_ERR_CORRUPT, "BTF: loop of qualifiers at type %u", id);
}

static struct cor_error *convert_src(struct cor_types *types, const struct btf_src *src,
				     uint32_t id, const struct cor_type **ret)
{
	uint32_t real = 0;
	struct cor_error *err = skip_transparent(src, id, &real);
	if (err)
		return err;
	cor_type_ref ref = mkref(src, id);
	if (real != id) {
		const struct cor_type *t;
		if ((err = cor_types_get(types, mkref(src, real), &t)) ||
		    (err = types_cache_put(types, ref, (struct cor_type *)t)))
			return err;
		*ret = t;
		return NULL;
	}
	if (id == 0) {
		*ret = &types->void_type;
		return NULL;
	}
	struct cor_type *t;
	if ((err = types_alloc(types, sizeof(*t), (void **)&t)))
		return err;
	t->ref = ref;
	if ((err = fill(types, src, id, btf__type_by_id(src->btf, id), t)) ||
	    (err = types_cache_put(types, ref, t)))
		return err;
	*ret = t;
	return NULL;
}

struct cor_error *btf_convert(struct cor_types *types, cor_type_ref ref,
			      const struct cor_type **ret)
{
	uint64_t k = ref >> 32;
	if (!types->btf)
		return cor_error_create(COR_ERR_NOT_FOUND, "no BTF loaded");
	if (k > types->nmods)
		return cor_error_create(COR_ERR_NOT_FOUND, "no type with reference 0x%llx",
					(unsigned long long)ref);
	struct btf_src base = {.btf = types->btf, .n = types->btf_n};
	const struct btf_src *src = k ? &types->mods[k - 1] : &base;
	uint32_t id = (uint32_t)ref;
	/* A module's ids below the base count are the base's types. */
	if (k && id < types->btf_n)
		src = &base;
	return convert_src(types, src, id, ret);
}

static struct cor_error *index_put(struct cor_hmap *m, const char *name, uint32_t id, bool replace)
{
	uint64_t old;
	if (!replace && cor_hmap_get_str(m, name, &old))
		return NULL;
	return cor_hmap_set_str(m, name, id);
}

struct cor_error *btf_build_index(struct cor_types *types)
{
	struct cor_error *err = NULL;
	for (uint32_t id = 1; id < types->btf_n && !err; id++) {
		const struct btf_type *bt = btf__type_by_id(types->btf, id);
		const char *name = bt ? btf_name(types->btf, bt->name_off) : NULL;
		if (!name)
			continue;
		switch (btf_kind(bt)) {
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64: {
			/* A complete definition replaces a forward declaration
			 * but not an earlier definition. */
			uint64_t old;
			bool replace = cor_hmap_get_str(&types->tags, name, &old) &&
				       btf_is_fwd(btf__type_by_id(types->btf, (uint32_t)old));
			err = index_put(&types->tags, name, id, replace);
			break;
		}
		case BTF_KIND_FWD:
			err = index_put(&types->tags, name, id, false);
			break;
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_INT:
		case BTF_KIND_FLOAT:
			err = index_put(&types->plain, name, id, false);
			break;
		case BTF_KIND_VAR:
			err = index_put(&types->vars, name, id, false);
			break;
		case BTF_KIND_FUNC:
			err = index_put(&types->funcs, name, id, false);
			break;
		default:
			break;
		}
	}
	if (!err)
		types->indexed = true;
	return err;
}

struct cor_error *btf_build_enum_index(struct cor_types *types)
{
	struct cor_error *err = NULL;
	for (uint32_t id = 1; id < types->btf_n && !err; id++) {
		const struct btf_type *bt = btf__type_by_id(types->btf, id);
		if (!bt || !btf_is_any_enum(bt))
			continue;
		for (uint32_t i = 0; i < btf_vlen(bt) && !err; i++) {
			uint32_t off =
			    btf_is_enum(bt) ? btf_enum(bt)[i].name_off : btf_enum64(bt)[i].name_off;
			const char *name = btf_name(types->btf, off);
			if (name)
				err = index_put(&types->enumerators, name, id, false);
		}
	}
	if (!err)
		types->enums_indexed = true;
	return err;
}

/* BTF VAR @p name (per-cpu variables in 6.1: pahole emits only those). */
struct cor_error *btf_var_type(struct cor_types *types, const char *name, cor_type_ref *ret)
{
	uint64_t id;
	if (!types->btf || !cor_hmap_get_str(&types->vars, name, &id))
		return cor_error_create(COR_ERR_NOT_FOUND, "BTF has no variable %s", name);
	const struct btf_type *bt = btf__type_by_id(types->btf, (uint32_t)id);
	if (!bt || bt->type >= types->btf_n)
		return cor_error_create(COR_ERR_CORRUPT, "BTF: variable %s has a bad type", name);
	*ret = bt->type;
	return NULL;
}

/* btf__new_split() is missing from Debian 12's libbpf 1.1.2 (not exported);
 * btf__parse_raw_split() is, and reads a path: give it the blob through a
 * memfd (no file on disk). */
static struct cor_error *new_split(const void *data, size_t len, struct btf *base, struct btf **ret)
{
	int fd = memfd_create("coroner-btf", MFD_CLOEXEC);
	if (fd < 0)
		return cor_error_os(errno, NULL, "memfd_create");
	const char *p = data;
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, p + done, len - done);
		if (n <= 0) {
			int e = errno;
			close(fd);
			return cor_error_os(e, NULL, "writing BTF to a memfd");
		}
		done += (size_t)n;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	errno = 0;
	*ret = btf__parse_raw_split(path, base);
	int e = errno;
	close(fd);
	errno = e;
	return NULL;
}

struct cor_error *cor_types_add_module_btf_mem(struct cor_types *types, const char *module,
					       const void *data, size_t len)
{
	if (!types->btf)
		return cor_error_create(COR_ERR_INVALID, "module BTF needs the kernel's BTF first");
	if (types->nmods >= TYPES_MAX_MODULE_BTF)
		return cor_error_create(COR_ERR_OVERFLOW, "more than %d module BTFs",
					TYPES_MAX_MODULE_BTF);
	struct cor_error *err = check_header(data, len, true);
	if (err)
		return cor_error_wrap(err, "module %s", module);
	if (len > UINT32_MAX)
		return cor_error_create(COR_ERR_CORRUPT, "module %s: BTF too large", module);
	if (types->nmods % 16 == 0) {
		struct btf_src *m = realloc(types->mods, (types->nmods + 16) * sizeof(*m));
		if (!m)
			return &cor_enomem;
		types->mods = m;
	}
	libbpf_set_print(silent_print);
	struct btf *btf = NULL;
	if ((err = new_split(data, len, types->btf, &btf)))
		return cor_error_wrap(err, "module %s", module);
	if (!btf)
		return cor_error_create(COR_ERR_CORRUPT, "module %s: libbpf rejects its BTF: %s",
					module, strerror(errno ? errno : EINVAL));
	struct btf_src *s = &types->mods[types->nmods];
	s->btf = btf;
	s->n = btf__type_cnt(btf);
	s->base_n = types->btf_n;
	s->prefix = (uint64_t)(types->nmods + 1) << 32;
	s->module = strdup(module);
	types->nmods++;
	return NULL;
}

uint32_t cor_types_module_btf_count(const struct cor_types *types)
{
	return types->nmods;
}

struct cor_error *btf_find_module_type(struct cor_types *types, const char *kw, const char *name,
				       cor_type_ref *ret)
{
	static const uint32_t tagged[] = {BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_ENUM,
					  BTF_KIND_ENUM64};
	static const uint32_t plain[] = {BTF_KIND_TYPEDEF, BTF_KIND_INT, BTF_KIND_FLOAT};
	const uint32_t *kinds = kw ? tagged : plain;
	size_t nk = kw ? COR_ARRAY_SIZE(tagged) : COR_ARRAY_SIZE(plain);
	for (uint32_t m = 0; m < types->nmods; m++) {
		for (size_t k = 0; k < nk; k++) {
			/* libbpf searches base then split types: only the module's own count. */
			int id = btf__find_by_name_kind(types->mods[m].btf, name, kinds[k]);
			if (id > 0 && (uint32_t)id >= types->mods[m].base_n) {
				*ret = mkref(&types->mods[m], (uint32_t)id);
				return NULL;
			}
		}
	}
	return cor_error_create(COR_ERR_NOT_FOUND, "no type %s%s%s", kw ? kw : "", kw ? " " : "",
				name);
}
