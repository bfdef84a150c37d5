// SPDX-License-Identifier: MIT
// The type collection: lazy conversion cache, lookups by C spelling,
// synthesized types, member paths, sizes and declarations. See
// include/coroner/types_model.h.
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "types/internal.h"

struct cor_error *cor_types_create(struct cor_types **ret)
{
	struct cor_types *types = calloc(1, sizeof(*types));
	if (!types)
		return &cor_enomem;
	cor_vec_init(&types->allocs, sizeof(void *));
	types->void_type.kind = COR_TYPE_VOID;
	types->void_type.name = "void";
	*ret = types;
	return NULL;
}

void cor_types_destroy(struct cor_types *types)
{
	if (!types)
		return;
	for (size_t i = 0; i < types->allocs.len; i++)
		free(*(void **)cor_vec_at(&types->allocs, i));
	cor_vec_deinit(&types->allocs);
	cor_hmap_deinit(&types->cache);
	cor_hmap_deinit(&types->tags);
	cor_hmap_deinit(&types->plain);
	cor_hmap_deinit(&types->vars);
	cor_hmap_deinit(&types->funcs);
	cor_hmap_deinit(&types->enumerators);
	cor_hmap_deinit(&types->synth_ptr);
	cor_dwarf_destroy(types->dwarf);
	for (uint32_t i = 0; i < types->nmods; i++) {
		btf__free(types->mods[i].btf);
		free(types->mods[i].module);
	}
	free(types->mods);
	btf__free(types->btf);
	free(types->missing_reason);
	free(types);
}

static struct cor_error *ensure_index(struct cor_types *types)
{
	if (types->indexed || !types->btf)
		return NULL;
	return btf_build_index(types);
}

struct cor_error *types_track(struct cor_types *types, void *p)
{
	struct cor_error *err = cor_vec_push(&types->allocs, &p);
	if (err)
		free(p);
	return err;
}

struct cor_error *cor_types_keep(struct cor_types *types, void *p)
{
	return types_track(types, p);
}

struct cor_error *cor_types_global_type(struct cor_types *types, const char *name, char symtype,
					cor_type_ref *ret)
{
	struct cor_error *err = ensure_index(types);
	if (err)
		return err;
	if (types->dwarf && symtype != 'T' && symtype != 't') {
		err = cor_dwarf_var_type(types, name, ret);
		if (!err || !cor_error_is(err, COR_ERR_NOT_FOUND))
			return err;
		cor_error_destroy(err);
	}
	uint64_t id;
	if ((symtype == 'T' || symtype == 't') && types->btf &&
	    cor_hmap_get_str(&types->funcs, name, &id)) {
		*ret = id;
		return NULL;
	}
	if (!types->btf)
		return cor_error_create(COR_ERR_NOT_FOUND, "no type for %s", name);
	return btf_var_type(types, name, ret);
}

struct cor_error *types_alloc(struct cor_types *types, size_t size, void **ret)
{
	void *p = calloc(1, size ? size : 1);
	if (!p)
		return &cor_enomem;
	struct cor_error *err = types_track(types, p);
	if (!err)
		*ret = p;
	return err;
}

struct cor_error *types_cache_put(struct cor_types *types, cor_type_ref ref, struct cor_type *t)
{
	return cor_hmap_set_u64(&types->cache, ref, (uint64_t)(uintptr_t)t);
}

void cor_types_set_missing_reason(struct cor_types *types, const char *reason)
{
	free(types->missing_reason);
	types->missing_reason = reason ? strdup(reason) : NULL;
}

const char *cor_types_missing_reason(const struct cor_types *types)
{
	return types->missing_reason;
}

bool cor_types_has_btf(const struct cor_types *types)
{
	return types->btf != NULL;
}

uint32_t cor_types_btf_count(const struct cor_types *types)
{
	return types->btf ? types->btf_n : 0;
}

cor_type_ref cor_types_btf_ref(uint32_t id)
{
	return id;
}

struct cor_error *cor_types_get(struct cor_types *types, cor_type_ref ref,
				const struct cor_type **ret)
{
	uint64_t v;
	if (ref == 0) {
		*ret = &types->void_type;
		return NULL;
	}
	if (cor_hmap_get_u64(&types->cache, ref, &v)) {
		*ret = (const struct cor_type *)(uintptr_t)v;
		return NULL;
	}
	if (REF_IS_DWARF(ref))
		return cor_dwarf_convert(types, ref, ret);
	if (REF_IS_SYNTH(ref))
		return cor_error_create(COR_ERR_NOT_FOUND, "no type with reference 0x%llx",
					(unsigned long long)ref);
	return btf_convert(types, ref, ret);
}

static struct cor_error *new_synth(struct cor_types *types, struct cor_type **ret)
{
	struct cor_type *t = NULL;
	struct cor_error *err = types_alloc(types, sizeof(*t), (void **)&t);
	if (err)
		return err;
	t->ref = REF_SYNTH_BASE | ++types->next_synth;
	if ((err = types_cache_put(types, t->ref, t)))
		return err;
	*ret = t;
	return NULL;
}

struct cor_error *cor_types_pointer_to(struct cor_types *types, cor_type_ref target,
				       const struct cor_type **ret)
{
	uint64_t ref;
	if (cor_hmap_get_u64(&types->synth_ptr, target, &ref))
		return cor_types_get(types, ref, ret);
	struct cor_type *t;
	struct cor_error *err = new_synth(types, &t);
	if (err)
		return err;
	t->kind = COR_TYPE_POINTER;
	t->size = 8; /* x86-64 */
	t->target = target;
	if ((err = cor_hmap_set_u64(&types->synth_ptr, target, t->ref)))
		return err;
	*ret = t;
	return NULL;
}

struct cor_error *cor_types_array_of(struct cor_types *types, cor_type_ref elem, uint64_t nelem,
				     const struct cor_type **ret)
{
	struct cor_type *t;
	struct cor_error *err = new_synth(types, &t);
	if (err)
		return err;
	t->kind = COR_TYPE_ARRAY;
	t->target = elem;
	t->nelem = nelem;
	*ret = t;
	return NULL;
}

struct cor_error *cor_types_make_struct(struct cor_types *types, const struct cor_member *members,
					uint32_t n, uint64_t size, const struct cor_type **ret)
{
	struct cor_type *t;
	struct cor_error *err = new_synth(types, &t);
	if (err || (err = types_alloc(types, n * sizeof(*members) + 1, (void **)&t->members)))
		return err;
	memcpy(t->members, members, n * sizeof(*members));
	t->nmembers = n;
	t->kind = COR_TYPE_STRUCT;
	t->size = size;
	*ret = t;
	return NULL;
}

struct cor_error *cor_types_strip(struct cor_types *types, const struct cor_type *type,
				  const struct cor_type **ret)
{
	for (int depth = 0; depth < TYPES_MAX_DEPTH; depth++) {
		if (type->kind != COR_TYPE_TYPEDEF && type->kind != COR_TYPE_CONST &&
		    type->kind != COR_TYPE_VOLATILE) {
			*ret = type;
			return NULL;
		}
		struct cor_error *err = cor_types_get(types, type->target, &type);
		if (err)
			return err;
	}
	return cor_error_create(COR_ERR_CORRUPT, "typedef loop at type %s",
				type->name ? type->name : "(anonymous)");
}

struct cor_error *cor_types_sizeof(struct cor_types *types, const struct cor_type *type,
				   uint64_t *ret)
{
	uint64_t mult = 1;
	for (int depth = 0; depth < TYPES_MAX_DEPTH; depth++) {
		struct cor_error *err = cor_types_strip(types, type, &type);
		if (err)
			return err;
		if (type->kind != COR_TYPE_ARRAY) {
			uint64_t size = type->size;
			if (type->kind == COR_TYPE_VOID || type->kind == COR_TYPE_FUNCTION)
				size = 1; /* GNU C: sizeof(void) == 1 */
			if (type->incomplete)
				return cor_error_create(
				    COR_ERR_NOT_FOUND, "%s %s is incomplete (no definition)",
				    type->kind == COR_TYPE_UNION ? "union" : "struct",
				    type->name ? type->name : "");
			if (cor_mul_overflow(size, mult, ret))
				return cor_error_create(COR_ERR_OVERFLOW, "type size overflows");
			return NULL;
		}
		if (cor_mul_overflow(mult, type->nelem, &mult))
			return cor_error_create(COR_ERR_OVERFLOW, "array size overflows");
		if ((err = cor_types_get(types, type->target, &type)))
			return err;
	}
	return cor_error_create(COR_ERR_CORRUPT, "array nesting too deep");
}

static uint64_t alignof_depth(struct cor_types *types, const struct cor_type *type, int depth,
			      int *budget)
{
	/* Bounded in depth and in total work: garbage BTF can share one
	 * member type many times over (exponential as a tree). */
	if (depth > TYPES_MAX_DEPTH || --*budget < 0)
		return 1;
	struct cor_error *err = cor_types_strip(types, type, &type);
	if (err) {
		cor_error_destroy(err);
		return 1;
	}
	uint64_t a = 1;
	switch (type->kind) {
	case COR_TYPE_ARRAY:
		if (!(err = cor_types_get(types, type->target, &type)))
			return alignof_depth(types, type, depth + 1, budget);
		cor_error_destroy(err);
		return 1;
	case COR_TYPE_STRUCT:
	case COR_TYPE_UNION:
		for (uint32_t i = 0; i < type->nmembers; i++) {
			const struct cor_type *m;
			if ((err = cor_types_get(types, type->members[i].type, &m))) {
				cor_error_destroy(err);
				continue;
			}
			a = COR_MAX(a, alignof_depth(types, m, depth + 1, budget));
		}
		return a;
	default:
		/* Scalars align to their size on x86-64 (long double: 16). */
		return type->size && type->size <= 16 ? type->size : 1;
	}
}

uint64_t cor_types_alignof(struct cor_types *types, const struct cor_type *type)
{
	int budget = TYPES_MAX_WORK;
	return alignof_depth(types, type, 0, &budget);
}

/* ---- lookups by name ---- */

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Reads an identifier at *s into @p buf; returns its length (0 if none). */
static size_t read_word(const char **s, char *buf, size_t size)
{
	const char *p = *s;
	while (isspace((unsigned char)*p))
		p++;
	size_t n = 0;
	if (isdigit((unsigned char)*p))
		return 0;
	while (is_ident_char(p[n]))
		n++;
	if (n == 0 || n >= size)
		return 0;
	memcpy(buf, p, n);
	buf[n] = '\0';
	*s = p + n;
	return n;
}

/* Words of C base types, counted into a canonical gcc/BTF name. */
struct base_words {
	int is_unsigned, is_signed, n_char, n_short, n_int, n_long, n_bool, n_float, n_double,
	    n_void;
};

static bool base_word(struct base_words *b, const char *w)
{
	int *slot = strcmp(w, "unsigned") == 0 ? &b->is_unsigned
		    : strcmp(w, "signed") == 0 ? &b->is_signed
		    : strcmp(w, "char") == 0   ? &b->n_char
		    : strcmp(w, "short") == 0  ? &b->n_short
		    : strcmp(w, "int") == 0    ? &b->n_int
		    : strcmp(w, "long") == 0   ? &b->n_long
		    : strcmp(w, "_Bool") == 0  ? &b->n_bool
		    : strcmp(w, "float") == 0  ? &b->n_float
		    : strcmp(w, "double") == 0 ? &b->n_double
		    : strcmp(w, "void") == 0   ? &b->n_void
					       : NULL;
	if (!slot)
		return false;
	(*slot)++;
	return true;
}

/* The name gcc gives the base type (DWARF DW_AT_name, and so BTF), with its size. */
static const char *base_name(const struct base_words *b, uint64_t *size, bool *is_signed)
{
	bool u = b->is_unsigned;
	*is_signed = !u;
	if (b->n_void)
		return *size = 0, "void";
	if (b->n_bool)
		return *size = 1, *is_signed = false, "_Bool";
	if (b->n_float)
		return *size = 4, "float";
	if (b->n_double)
		return *size = b->n_long ? 16 : 8, b->n_long ? "long double" : "double";
	if (b->n_char)
		return *size = 1, u ? "unsigned char" : b->is_signed ? "signed char" : "char";
	if (b->n_short)
		return *size = 2, u ? "short unsigned int" : "short int";
	if (b->n_long >= 2)
		return *size = 8, u ? "long long unsigned int" : "long long int";
	if (b->n_long == 1)
		return *size = 8, u ? "long unsigned int" : "long int";
	return *size = 4, u ? "unsigned int" : "int";
}

static struct cor_error *find_base(struct cor_types *types, const struct base_words *b,
				   const struct cor_type **ret)
{
	uint64_t size, id;
	bool is_signed;
	const char *name = base_name(b, &size, &is_signed);
	if (b->n_void) {
		*ret = &types->void_type;
		return NULL;
	}
	if (types->btf && cor_hmap_get_str(&types->plain, name, &id))
		return cor_types_get(types, id, ret);
	/* Not in BTF (it keeps only the base types the kernel uses): make one. */
	struct cor_type *t;
	struct cor_error *err = new_synth(types, &t);
	if (err)
		return err;
	t->kind = b->n_float || b->n_double ? COR_TYPE_FLOAT : COR_TYPE_INT;
	t->name = name;
	t->size = size;
	t->is_signed = is_signed && t->kind == COR_TYPE_INT;
	t->is_char = b->n_char > 0;
	t->is_bool = b->n_bool > 0;
	*ret = t;
	return NULL;
}

struct cor_error *cor_types_int(struct cor_types *types, uint64_t size, bool is_signed,
				const struct cor_type **ret)
{
	struct base_words b = {.is_unsigned = !is_signed};
	if (size == 1)
		b.n_char = 1, b.is_signed = is_signed;
	else if (size == 2)
		b.n_short = 1;
	else if (size == 8)
		b.n_long = 1;
	else
		b.n_int = 1;
	return find_base(types, &b, ret);
}

static struct cor_error *find_tagged(struct cor_types *types, const char *kw, const char *name,
				     const struct cor_type **ret)
{
	uint64_t id;
	if (types->dwarf) {
		struct cor_error *err = cor_dwarf_find_type(types, kw, name, ret);
		if (!err || !cor_error_is(err, COR_ERR_NOT_FOUND))
			return err;
		cor_error_destroy(err);
	}
	if (!types->btf || !cor_hmap_get_str(&types->tags, name, &id)) {
		struct cor_error *err = btf_find_module_type(types, kw, name, &id);
		if (err)
			return err;
	}
	struct cor_error *err = cor_types_get(types, id, ret);
	if (err)
		return err;
	enum cor_type_kind want = kw[0] == 's'	 ? COR_TYPE_STRUCT
				  : kw[0] == 'u' ? COR_TYPE_UNION
						 : COR_TYPE_ENUM;
	if ((*ret)->kind != want)
		return cor_error_create(COR_ERR_NOT_FOUND, "no type %s %s (%s is not a %s)", kw,
					name, name, kw);
	return NULL;
}

static struct cor_error *find_plain(struct cor_types *types, const char *name,
				    const struct cor_type **ret)
{
	uint64_t id;
	if (types->dwarf) {
		struct cor_error *err = cor_dwarf_find_type(types, NULL, name, ret);
		if (!err || !cor_error_is(err, COR_ERR_NOT_FOUND))
			return err;
		cor_error_destroy(err);
	}
	if (!types->btf || !cor_hmap_get_str(&types->plain, name, &id)) {
		struct cor_error *err = btf_find_module_type(types, NULL, name, &id);
		if (err) {
			cor_error_destroy(err);
			return cor_error_create(COR_ERR_NOT_FOUND, "no type named %s", name);
		}
	}
	return cor_types_get(types, id, ret);
}

/* Skips blanks and "const"/"volatile", noting which were seen. */
static void skip_space_quals_note(const char **s, bool *is_const, bool *is_volatile)
{
	for (;;) {
		while (isspace((unsigned char)**s))
			(*s)++;
		char w[16];
		const char *p = *s;
		if (read_word(&p, w, sizeof(w)) &&
		    (strcmp(w, "const") == 0 || strcmp(w, "volatile") == 0)) {
			*is_const |= w[0] == 'c';
			*is_volatile |= w[0] == 'v';
			*s = p;
			continue;
		}
		return;
	}
}

static void skip_space_quals(const char **s)
{
	bool c = false, v = false;
	skip_space_quals_note(s, &c, &v);
}

static struct cor_error *qualify(struct cor_types *types, const struct cor_type *t,
				 enum cor_type_kind kind, const struct cor_type **ret)
{
	struct cor_type *q;
	struct cor_error *err = new_synth(types, &q);
	if (err)
		return err;
	q->kind = kind;
	q->target = t->ref;
	*ret = q;
	return NULL;
}

/* The base of a type name at *s: "struct x", base words, or a typedef name. */
static struct cor_error *parse_base_unqual(struct cor_types *types, const char **s, bool *is_const,
					   bool *is_volatile, const struct cor_type **ret)
{
	char w[256];
	struct base_words b = {0};
	bool any = false;
	skip_space_quals_note(s, is_const, is_volatile);
	const char *p = *s;
	if (!read_word(&p, w, sizeof(w)))
		return cor_error_create(COR_ERR_NOT_FOUND, "no type name");
	if (strcmp(w, "struct") == 0 || strcmp(w, "union") == 0 || strcmp(w, "enum") == 0) {
		char kw[8], name[256];
		snprintf(kw, sizeof(kw), "%s", w);
		if (!read_word(&p, name, sizeof(name)))
			return cor_error_create(COR_ERR_INVALID, "%s without a name", kw);
		struct cor_error *err = find_tagged(types, kw, name, ret);
		if (!err)
			*s = p;
		return err;
	}
	for (const char *q = *s; read_word(&q, w, sizeof(w));) {
		bool qual = strcmp(w, "const") == 0 || strcmp(w, "volatile") == 0;
		if (!qual && !base_word(&b, w))
			break;
		if (qual)
			*is_const |= w[0] == 'c', *is_volatile |= w[0] == 'v';
		any = any || !qual;
		*s = p = q;
	}
	if (any)
		return find_base(types, &b, ret);
	p = *s;
	if (!read_word(&p, w, sizeof(w)))
		return cor_error_create(COR_ERR_NOT_FOUND, "no type name");
	struct cor_error *err = find_plain(types, w, ret);
	if (!err)
		*s = p;
	return err;
}

static struct cor_error *parse_base(struct cor_types *types, const char **s,
				    const struct cor_type **ret)
{
	bool c = false, v = false;
	struct cor_error *err = parse_base_unqual(types, s, &c, &v, ret);
	if (!err) {
		const char *p = *s;
		skip_space_quals_note(&p, &c, &v); /* "unsigned long volatile" */
		if (v)
			err = qualify(types, *ret, COR_TYPE_VOLATILE, ret);
		if (!err && c)
			err = qualify(types, *ret, COR_TYPE_CONST, ret);
	}
	return err;
}

struct cor_error *cor_types_parse_name(struct cor_types *types, const char *s,
				       const struct cor_type **ret, size_t *len_ret)
{
	struct cor_error *err = ensure_index(types);
	if (err)
		return err;
	const char *p = s;
	const struct cor_type *t;
	if ((err = parse_base(types, &p, &t)))
		return err;
	for (;;) {
		skip_space_quals(&p);
		if (*p != '*')
			break;
		p++;
		if ((err = cor_types_pointer_to(types, t->ref, &t)))
			return err;
	}
	uint64_t dims[8];
	int nd = 0;
	while (*p == '[' && nd < 8) {
		char *end;
		dims[nd++] = strtoull(p + 1, &end, 0);
		if (*end != ']')
			return cor_error_create(COR_ERR_INVALID, "bad array bound in type \"%s\"",
						s);
		p = end + 1;
		while (isspace((unsigned char)*p))
			p++;
	}
	while (nd > 0)
		if ((err = cor_types_array_of(types, t->ref, dims[--nd], &t)))
			return err;
	*ret = t;
	*len_ret = (size_t)(p - s);
	return NULL;
}

struct cor_error *cor_types_find(struct cor_types *types, const char *name,
				 const struct cor_type **ret)
{
	size_t len;
	const struct cor_type *t;
	struct cor_error *err = cor_types_parse_name(types, name, &t, &len);
	if (err)
		return err;
	while (isspace((unsigned char)name[len]))
		len++;
	if (name[len])
		return cor_error_create(COR_ERR_INVALID, "unexpected \"%s\" in type name \"%s\"",
					name + len, name);
	*ret = t;
	return NULL;
}

/* ---- members ---- */

static struct cor_error *find_member(struct cor_types *types, const struct cor_type *type,
				     const char *name, size_t len, int depth, int *budget,
				     struct cor_member_result *ret)
{
	if (depth > TYPES_MAX_DEPTH || --*budget < 0)
		return cor_error_create(COR_ERR_CORRUPT, "anonymous members nested too deep");
	for (uint32_t i = 0; i < type->nmembers; i++) {
		const struct cor_member *m = &type->members[i];
		const struct cor_type *mt, *st;
		if (m->name && (strlen(m->name) != len || memcmp(m->name, name, len) != 0))
			continue;
		struct cor_error *err = cor_types_get(types, m->type, &mt);
		if (err)
			return err;
		if (m->name) {
			ret->bit_offset = m->bit_offset;
			ret->bit_size = m->bit_size;
			ret->type = mt;
			return NULL;
		}
		if ((err = cor_types_strip(types, mt, &st)))
			return err;
		if (st->kind != COR_TYPE_STRUCT && st->kind != COR_TYPE_UNION)
			continue;
		err = find_member(types, st, name, len, depth + 1, budget, ret);
		if (!err) {
			ret->bit_offset += m->bit_offset;
			return NULL;
		}
		if (!cor_error_is(err, COR_ERR_NOT_FOUND))
			return err;
		cor_error_destroy(err);
	}
	return &cor_not_found;
}

static const char *type_label(struct cor_types *types, const struct cor_type *t, char *buf,
			      size_t size)
{
	struct cor_strbuf sb = {0};
	cor_types_format_decl(types, t, NULL, &sb);
	snprintf(buf, size, "%s", cor_strbuf_cstr(&sb));
	cor_strbuf_deinit(&sb);
	return buf;
}

/* One path component: "name" optionally followed by "[N]"s. */
static struct cor_error *member_step(struct cor_types *types, const char **pp,
				     const struct cor_type **cur, struct cor_member_result *acc)
{
	const char *p = *pp;
	const struct cor_type *st;
	struct cor_error *err = cor_types_strip(types, *cur, &st);
	if (err)
		return err;
	size_t len = 0;
	while (is_ident_char(p[len]))
		len++;
	char label[256];
	if (st->kind != COR_TYPE_STRUCT && st->kind != COR_TYPE_UNION)
		return cor_error_create(COR_ERR_INVALID, "%.*s: %s is not a struct or union",
					(int)len, p, type_label(types, st, label, sizeof(label)));
	if (len == 0)
		return cor_error_create(COR_ERR_INVALID, "empty member name at \"%s\"", p);
	struct cor_member_result r;
	int budget = TYPES_MAX_WORK;
	err = find_member(types, st, p, len, 0, &budget, &r);
	if (cor_error_is(err, COR_ERR_NOT_FOUND)) {
		cor_error_destroy(err);
		return cor_error_create(COR_ERR_NOT_FOUND, "%s has no member %.*s",
					type_label(types, st, label, sizeof(label)), (int)len, p);
	}
	if (err)
		return err;
	acc->bit_offset += r.bit_offset;
	acc->bit_size = r.bit_size;
	*cur = r.type;
	p += len;
	while (*p == '[') {
		char *end;
		uint64_t idx = strtoull(p + 1, &end, 0), esize, off;
		const struct cor_type *arr;
		if (*end != ']')
			return cor_error_create(COR_ERR_INVALID, "bad index in \"%s\"", *pp);
		if ((err = cor_types_strip(types, *cur, &arr)))
			return err;
		if (arr->kind != COR_TYPE_ARRAY)
			return cor_error_create(COR_ERR_INVALID, "%.*s is not an array", (int)len,
						*pp);
		if ((err = cor_types_get(types, arr->target, cur)) ||
		    (err = cor_types_sizeof(types, *cur, &esize)))
			return err;
		if (cor_mul_overflow(idx, esize * 8, &off) ||
		    cor_add_overflow(acc->bit_offset, off, &acc->bit_offset))
			return cor_error_create(COR_ERR_OVERFLOW, "index overflows");
		acc->bit_size = 0;
		p = end + 1;
	}
	*pp = p;
	return NULL;
}

struct cor_error *cor_types_member(struct cor_types *types, const struct cor_type *type,
				   const char *path, struct cor_member_result *ret)
{
	struct cor_member_result acc = {0};
	const struct cor_type *cur = type;
	const char *p = path;
	for (int n = 0; n < TYPES_MAX_DEPTH; n++) {
		struct cor_error *err = member_step(types, &p, &cur, &acc);
		if (err)
			return err;
		if (*p == '\0') {
			acc.type = cur;
			*ret = acc;
			return NULL;
		}
		if (*p != '.')
			return cor_error_create(COR_ERR_INVALID, "bad member path \"%s\"", path);
		p++;
	}
	return cor_error_create(COR_ERR_INVALID, "member path \"%s\" too long", path);
}

struct cor_error *cor_types_enumerator(struct cor_types *types, const char *name,
				       int64_t *value_ret, const struct cor_type **enum_ret)
{
	uint64_t id;
	struct cor_error *err = NULL;
	if (types->btf && !types->enums_indexed)
		err = btf_build_enum_index(types);
	if (err)
		return err;
	if (!types->btf || !cor_hmap_get_str(&types->enumerators, name, &id))
		return cor_error_create(COR_ERR_NOT_FOUND, "no enumerator %s", name);
	const struct cor_type *t;
	if ((err = cor_types_get(types, id, &t)))
		return err;
	for (uint32_t i = 0; i < t->nenumerators; i++) {
		if (strcmp(t->enumerators[i].name, name) == 0) {
			*value_ret = t->enumerators[i].value;
			if (enum_ret)
				*enum_ret = t;
			return NULL;
		}
	}
	return cor_error_create(COR_ERR_CORRUPT, "enumerator index of %s is stale", name);
}

/* ---- declarations ---- */

/* gdb prints gcc's DWARF base type names in their short C spelling. */
static const char *gdb_base_name(const char *name)
{
	static const char *const map[][2] = {
	    {"long unsigned int", "unsigned long"},
	    {"long int", "long"},
	    {"short int", "short"},
	    {"short unsigned int", "unsigned short"},
	    {"long long int", "long long"},
	    {"long long unsigned int", "unsigned long long"},
	};
	for (size_t i = 0; i < COR_ARRAY_SIZE(map); i++)
		if (strcmp(name, map[i][0]) == 0)
			return map[i][1];
	return name;
}

static void base_spelling(const struct cor_type *t, struct cor_strbuf *sb)
{
	switch (t->kind) {
	case COR_TYPE_STRUCT:
	case COR_TYPE_UNION:
	case COR_TYPE_ENUM:
		cor_strbuf_append(sb, t->kind == COR_TYPE_STRUCT  ? "struct "
				      : t->kind == COR_TYPE_UNION ? "union "
								  : "enum ");
		cor_strbuf_append(sb, t->name ? t->name : "{...}");
		break;
	case COR_TYPE_VOID:
		cor_strbuf_append(sb, "void");
		break;
	case COR_TYPE_INT:
	case COR_TYPE_FLOAT:
		cor_strbuf_append(sb, t->name ? gdb_base_name(t->name) : "?");
		break;
	default:
		cor_strbuf_append(sb, t->name ? t->name : "?");
	}
}

static void prepend(struct cor_strbuf *sb, const char *s)
{
	struct cor_strbuf n = {0};
	cor_strbuf_append(&n, s);
	cor_strbuf_append(&n, cor_strbuf_cstr(sb));
	cor_strbuf_deinit(sb);
	*sb = n;
}

static void format_decl_depth(struct cor_types *types, const struct cor_type *type,
			      const char *name, struct cor_strbuf *sb, int depth);

static void format_params(struct cor_types *types, const struct cor_type *fn,
			  struct cor_strbuf *decl, int depth)
{
	cor_strbuf_append(decl, "(");
	for (uint32_t i = 0; i < fn->nmembers; i++) {
		const struct cor_type *pt;
		if (i)
			cor_strbuf_append(decl, ", ");
		struct cor_error *err = cor_types_get(types, fn->members[i].type, &pt);
		if (err) {
			cor_error_destroy(err);
			cor_strbuf_append(decl, "?");
			continue;
		}
		format_decl_depth(types, pt, NULL, decl, depth + 1);
	}
	if (fn->variadic)
		cor_strbuf_append(decl, fn->nmembers ? ", ..." : "...");
	else if (fn->nmembers == 0)
		cor_strbuf_append(decl, "void");
	cor_strbuf_append(decl, ")");
}

void cor_types_format_decl(struct cor_types *types, const struct cor_type *type, const char *name,
			   struct cor_strbuf *sb)
{
	format_decl_depth(types, type, name, sb, 0);
}

/* @p depth: nesting of parameter lists (a prototype taking a pointer to
 * itself must not recurse forever). */
static void format_decl_depth(struct cor_types *types, const struct cor_type *type,
			      const char *name, struct cor_strbuf *sb, int depth)
{
	if (depth > 8) {
		cor_strbuf_append(sb, "...");
		return;
	}
	struct cor_strbuf decl = {0};
	char quals[32] = "";
	cor_strbuf_append(&decl, name ? name : "");
	for (int step = 0; step < TYPES_MAX_DEPTH; step++) {
		const struct cor_type *next = NULL;
		struct cor_error *err = NULL;
		switch (type->kind) {
		case COR_TYPE_POINTER:
			if (!(err = cor_types_get(types, type->target, &next)) &&
			    (next->kind == COR_TYPE_ARRAY || next->kind == COR_TYPE_FUNCTION)) {
				prepend(&decl, "(*");
				cor_strbuf_append(&decl, ")");
			} else {
				prepend(&decl, "*");
			}
			break;
		case COR_TYPE_ARRAY:
			cor_strbuf_appendf(&decl, "[%llu]", (unsigned long long)type->nelem);
			err = cor_types_get(types, type->target, &next);
			break;
		case COR_TYPE_FUNCTION:
			format_params(types, type, &decl, depth);
			err = cor_types_get(types, type->target, &next);
			break;
		case COR_TYPE_CONST:
		case COR_TYPE_VOLATILE:
			err = cor_types_get(types, type->target, &next);
			if (!err && next->kind == COR_TYPE_POINTER)
				prepend(&decl,
					type->kind == COR_TYPE_CONST ? " const " : " volatile ");
			else if (strlen(quals) < 16)
				strcat(quals,
				       type->kind == COR_TYPE_CONST ? "const " : "volatile ");
			break;
		default:
			break;
		}
		if (err) {
			cor_error_destroy(err);
			cor_strbuf_append(sb, "?");
			break;
		}
		if (!next) {
			cor_strbuf_append(sb, quals);
			base_spelling(type, sb);
			const char *d = cor_strbuf_cstr(&decl);
			if (*d)
				cor_strbuf_append(sb, " ");
			cor_strbuf_append(sb, d);
			break;
		}
		type = next;
	}
	cor_strbuf_deinit(&decl);
}
