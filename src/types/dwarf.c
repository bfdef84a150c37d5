// SPDX-License-Identifier: MIT
// DWARF (a vmlinux given with -k) -> type model, through elfutils libdw:
// types converted lazily by DIE offset, global variables and named types
// indexed from the compile units' top-level DIEs on first lookup, and line
// tables for address -> file:line. libdw errors are converted here.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "types/internal.h"

struct cor_dwarf {
	int fd;
	Dwarf *dw;
	bool indexed;
	struct cor_hmap vars;  /* name -> DIE offset of a variable definition */
	struct cor_hmap tags;  /* struct/union/enum name -> DIE offset (complete) */
	struct cor_hmap plain; /* typedef/base type name -> DIE offset */
	/* libdw's file name (stable pointer) -> "comp_dir/file" (tracked string). */
	struct cor_hmap fullnames;
};

static struct cor_error *dw_error(const char *what)
{
	return cor_error_create(COR_ERR_CORRUPT, "DWARF: %s: %s", what, dwarf_errmsg(-1));
}

struct cor_error *cor_types_add_dwarf(struct cor_types *types, const char *path)
{
	if (types->dwarf)
		return cor_error_create(COR_ERR_INVALID, "DWARF already loaded");
	struct cor_dwarf *d = calloc(1, sizeof(*d));
	if (!d)
		return &cor_enomem;
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0) {
		free(d);
		return cor_error_os(errno, path, "%s", path);
	}
	d->dw = dwarf_begin(d->fd, DWARF_C_READ);
	if (!d->dw) {
		struct cor_error *err =
		    cor_error_create(COR_ERR_NOT_FOUND, "%s: no DWARF: %s", path, dwarf_errmsg(-1));
		close(d->fd);
		free(d);
		return err;
	}
	types->dwarf = d;
	return NULL;
}

void cor_dwarf_destroy(struct cor_dwarf *d)
{
	if (!d)
		return;
	cor_hmap_deinit(&d->vars);
	cor_hmap_deinit(&d->tags);
	cor_hmap_deinit(&d->plain);
	cor_hmap_deinit(&d->fullnames);
	dwarf_end(d->dw);
	close(d->fd);
	free(d);
}

bool cor_types_has_dwarf(const struct cor_types *types)
{
	return types->dwarf != NULL;
}

static cor_type_ref die_ref(Dwarf_Die *die)
{
	return REF_DWARF_BASE | dwarf_dieoffset(die);
}

/* The DW_AT_type of @p die as a reference (0: void). */
static cor_type_ref type_attr(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	Dwarf_Die t;
	if (!dwarf_attr_integrate(die, DW_AT_type, &a) || !dwarf_formref_die(&a, &t))
		return 0;
	return die_ref(&t);
}

static uint64_t udata(Dwarf_Die *die, unsigned name, uint64_t dflt)
{
	Dwarf_Attribute a;
	Dwarf_Word w;
	if (!dwarf_attr_integrate(die, name, &a) || dwarf_formudata(&a, &w) != 0)
		return dflt;
	return w;
}

static struct cor_error *convert_base(Dwarf_Die *die, struct cor_type *t)
{
	uint64_t enc = udata(die, DW_AT_encoding, 0);
	t->size = udata(die, DW_AT_byte_size, 0);
	t->kind = enc == DW_ATE_float ? COR_TYPE_FLOAT : COR_TYPE_INT;
	t->is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
	t->is_char = enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char;
	t->is_bool = enc == DW_ATE_boolean;
	return NULL;
}

/* One member's bit offset: DW_AT_data_member_location (bytes) plus
 * DW_AT_data_bit_offset (DWARF 4+), or the DWARF 2/3 DW_AT_bit_offset counted
 * from the most significant bit of a DW_AT_byte_size storage unit. */
static uint64_t member_bits(Dwarf_Die *m, uint32_t bit_size)
{
	uint64_t bits = udata(m, DW_AT_data_member_location, 0) * 8;
	Dwarf_Attribute a;
	if (dwarf_attr(m, DW_AT_data_bit_offset, &a))
		return udata(m, DW_AT_data_bit_offset, 0);
	if (bit_size && dwarf_attr(m, DW_AT_bit_offset, &a)) {
		uint64_t unit = udata(m, DW_AT_byte_size, 0) * 8;
		uint64_t off = udata(m, DW_AT_bit_offset, 0);
		if (unit >= off + bit_size)
			bits += unit - off - bit_size; /* little-endian */
	}
	return bits;
}

/* Counts children with @p tag (bounded by the CU, which libdw checks). */
static uint32_t count_children(Dwarf_Die *die, int tag1, int tag2)
{
	Dwarf_Die c;
	uint32_t n = 0;
	if (dwarf_child(die, &c) != 0)
		return 0;
	do {
		int tag = dwarf_tag(&c);
		n += tag == tag1 || tag == tag2;
	} while (dwarf_siblingof(&c, &c) == 0 && n < (1u << 20));
	return n;
}

static struct cor_error *convert_members(struct cor_types *types, Dwarf_Die *die,
					 struct cor_type *t)
{
	uint32_t n = count_children(die, DW_TAG_member, -1);
	struct cor_error *err =
	    types_alloc(types, (size_t)n * sizeof(*t->members) + 1, (void **)&t->members);
	Dwarf_Die c;
	if (err || n == 0 || dwarf_child(die, &c) != 0)
		return err;
	do {
		if (dwarf_tag(&c) != DW_TAG_member || t->nmembers >= n)
			continue;
		struct cor_member *m = &t->members[t->nmembers++];
		m->name = dwarf_diename(&c);
		m->type = type_attr(&c);
		m->bit_size = (uint32_t)udata(&c, DW_AT_bit_size, 0);
		m->bit_offset =
		    t->kind == COR_TYPE_UNION && !m->bit_size ? 0 : member_bits(&c, m->bit_size);
	} while (dwarf_siblingof(&c, &c) == 0);
	return NULL;
}

static struct cor_error *convert_enum(struct cor_types *types, Dwarf_Die *die, struct cor_type *t)
{
	uint32_t n = count_children(die, DW_TAG_enumerator, -1);
	struct cor_error *err =
	    types_alloc(types, (size_t)n * sizeof(*t->enumerators) + 1, (void **)&t->enumerators);
	Dwarf_Die c, base;
	Dwarf_Attribute a;
	if (err)
		return err;
	t->size = udata(die, DW_AT_byte_size, 4);
	if (dwarf_attr_integrate(die, DW_AT_type, &a) && dwarf_formref_die(&a, &base))
		t->is_signed = udata(&base, DW_AT_encoding, 0) == DW_ATE_signed;
	if (n == 0 || dwarf_child(die, &c) != 0)
		return NULL;
	do {
		if (dwarf_tag(&c) != DW_TAG_enumerator || t->nenumerators >= n)
			continue;
		struct cor_enumerator *e = &t->enumerators[t->nenumerators++];
		Dwarf_Sword sv;
		e->name = dwarf_diename(&c) ? dwarf_diename(&c) : "";
		if (dwarf_attr(&c, DW_AT_const_value, &a) && dwarf_formsdata(&a, &sv) == 0)
			e->value = sv;
		t->is_signed |= e->value < 0;
	} while (dwarf_siblingof(&c, &c) == 0);
	return NULL;
}

static struct cor_error *convert_function(struct cor_types *types, Dwarf_Die *die,
					  struct cor_type *t)
{
	uint32_t n = count_children(die, DW_TAG_formal_parameter, -1);
	struct cor_error *err =
	    types_alloc(types, (size_t)n * sizeof(*t->members) + 1, (void **)&t->members);
	Dwarf_Die c;
	t->kind = COR_TYPE_FUNCTION;
	t->target = type_attr(die);
	if (err || dwarf_child(die, &c) != 0)
		return err;
	do {
		int tag = dwarf_tag(&c);
		if (tag == DW_TAG_unspecified_parameters)
			t->variadic = true;
		if (tag != DW_TAG_formal_parameter || t->nmembers >= n)
			continue;
		t->members[t->nmembers].name = dwarf_diename(&c);
		t->members[t->nmembers].type = type_attr(&c);
		t->nmembers++;
	} while (dwarf_siblingof(&c, &c) == 0);
	return NULL;
}

/* Arrays: one DW_TAG_subrange_type per dimension; the inner dimensions
 * become synthesized array types. */
static struct cor_error *convert_array(struct cor_types *types, Dwarf_Die *die, struct cor_type *t)
{
	uint64_t dims[8];
	int nd = 0;
	Dwarf_Die c;
	if (dwarf_child(die, &c) == 0) {
		do {
			if (dwarf_tag(&c) != DW_TAG_subrange_type || nd >= 8)
				continue;
			Dwarf_Attribute a;
			uint64_t n = udata(&c, DW_AT_count, 0);
			if (!n && dwarf_attr(&c, DW_AT_upper_bound, &a)) {
				Dwarf_Word ub;
				/* A flexible array has no bound (or -1): 0 elements. */
				n = dwarf_formudata(&a, &ub) == 0 && ub != (Dwarf_Word)-1 ? ub + 1
											  : 0;
			}
			dims[nd++] = n;
		} while (dwarf_siblingof(&c, &c) == 0);
	}
	cor_type_ref elem = type_attr(die);
	for (int i = nd - 1; i >= 1; i--) {
		const struct cor_type *inner;
		struct cor_error *err = cor_types_array_of(types, elem, dims[i], &inner);
		if (err)
			return err;
		elem = inner->ref;
	}
	t->kind = COR_TYPE_ARRAY;
	t->target = elem;
	t->nelem = nd ? dims[0] : 0;
	return NULL;
}

static struct cor_error *fill(struct cor_types *types, Dwarf_Die *die, struct cor_type *t)
{
	t->name = dwarf_diename(die);
	t->incomplete = dwarf_hasattr(die, DW_AT_declaration);
	switch (dwarf_tag(die)) {
	case DW_TAG_base_type:
		return convert_base(die, t);
	case DW_TAG_pointer_type:
		t->kind = COR_TYPE_POINTER;
		t->size = 8; /* x86-64 */
		t->target = type_attr(die);
		return NULL;
	case DW_TAG_typedef:
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
		t->kind = dwarf_tag(die) == DW_TAG_typedef	? COR_TYPE_TYPEDEF
			  : dwarf_tag(die) == DW_TAG_const_type ? COR_TYPE_CONST
								: COR_TYPE_VOLATILE;
		t->target = type_attr(die);
		return NULL;
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
		t->kind =
		    dwarf_tag(die) == DW_TAG_structure_type ? COR_TYPE_STRUCT : COR_TYPE_UNION;
		t->size = udata(die, DW_AT_byte_size, 0);
		return convert_members(types, die, t);
	case DW_TAG_enumeration_type:
		t->kind = COR_TYPE_ENUM;
		return convert_enum(types, die, t);
	case DW_TAG_array_type:
		return convert_array(types, die, t);
	case DW_TAG_subroutine_type:
	case DW_TAG_subprogram:
		return convert_function(types, die, t);
	case DW_TAG_unspecified_type:
		t->kind = COR_TYPE_VOID;
		return NULL;
	default:
		return cor_error_create(COR_ERR_UNSUPPORTED, "DWARF: DIE 0x%llx has tag 0x%x",
					(unsigned long long)dwarf_dieoffset(die), dwarf_tag(die));
	}
}

struct cor_error *cor_dwarf_convert(struct cor_types *types, cor_type_ref ref,
				    const struct cor_type **ret)
{
	struct cor_dwarf *d = types->dwarf;
	Dwarf_Die die;
	if (!d || !dwarf_offdie(d->dw, ref & ~REF_DWARF_BASE, &die))
		return cor_error_create(COR_ERR_CORRUPT, "DWARF: no DIE at 0x%llx",
					(unsigned long long)(ref & ~REF_DWARF_BASE));
	/* restrict and _Atomic do not change layout or printing: skip them. */
	for (int depth = 0;
	     dwarf_tag(&die) == DW_TAG_restrict_type || dwarf_tag(&die) == DW_TAG_atomic_type;
	     depth++) {
		Dwarf_Attribute a;
		if (depth > TYPES_MAX_DEPTH)
			return cor_error_create(COR_ERR_CORRUPT, "DWARF: qualifier loop");
		if (!dwarf_attr_integrate(&die, DW_AT_type, &a) || !dwarf_formref_die(&a, &die)) {
			*ret = &types->void_type;
			return NULL;
		}
	}
	struct cor_type *t;
	struct cor_error *err = types_alloc(types, sizeof(*t), (void **)&t);
	if (err)
		return err;
	t->ref = ref;
	if ((err = fill(types, &die, t)) || (err = types_cache_put(types, ref, t)))
		return err;
	*ret = t;
	return NULL;
}

/* Indexes the top-level DIEs of every compile unit: variables with a
 * location (definitions), complete named struct/union/enum types, typedefs
 * and base types. The first definition of a name wins. */
static struct cor_error *build_index(struct cor_dwarf *d)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	struct cor_error *err = NULL;
	while (!err && dwarf_nextcu(d->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, c;
		if (dwarf_offdie(d->dw, off + hsize, &cu) && dwarf_child(&cu, &c) == 0) {
			do {
				const char *name = dwarf_diename(&c);
				int tag = dwarf_tag(&c);
				uint64_t old;
				struct cor_hmap *m = NULL;
				if (!name)
					continue;
				if (tag == DW_TAG_variable && dwarf_hasattr(&c, DW_AT_location))
					m = &d->vars;
				else if ((tag == DW_TAG_structure_type ||
					  tag == DW_TAG_union_type ||
					  tag == DW_TAG_enumeration_type) &&
					 !dwarf_hasattr(&c, DW_AT_declaration))
					m = &d->tags;
				else if (tag == DW_TAG_typedef || tag == DW_TAG_base_type)
					m = &d->plain;
				if (m && !cor_hmap_get_str(m, name, &old))
					err = cor_hmap_set_str(m, name, dwarf_dieoffset(&c));
			} while (!err && dwarf_siblingof(&c, &c) == 0);
		}
		off = next;
	}
	if (!err)
		d->indexed = true;
	return err;
}

static struct cor_error *lookup(struct cor_types *types,
				struct cor_hmap *(*pick)(struct cor_dwarf *), const char *name,
				cor_type_ref *ret)
{
	struct cor_dwarf *d = types->dwarf;
	struct cor_error *err;
	uint64_t off;
	if (!d)
		return cor_error_create(COR_ERR_NOT_FOUND, "no DWARF");
	if (!d->indexed && (err = build_index(d)))
		return err;
	if (!cor_hmap_get_str(pick(d), name, &off))
		return cor_error_create(COR_ERR_NOT_FOUND, "DWARF has no %s", name);
	*ret = REF_DWARF_BASE | off;
	return NULL;
}

static struct cor_hmap *pick_vars(struct cor_dwarf *d)
{
	return &d->vars;
}
static struct cor_hmap *pick_tags(struct cor_dwarf *d)
{
	return &d->tags;
}
static struct cor_hmap *pick_plain(struct cor_dwarf *d)
{
	return &d->plain;
}

struct cor_error *cor_dwarf_find_type(struct cor_types *types, const char *kw, const char *name,
				      const struct cor_type **ret)
{
	cor_type_ref ref = 0;
	struct cor_error *err = lookup(types, kw ? pick_tags : pick_plain, name, &ref);
	if (!err)
		err = cor_types_get(types, ref, ret);
	return err;
}

struct cor_error *cor_dwarf_var_type(struct cor_types *types, const char *name, cor_type_ref *ret)
{
	cor_type_ref var = 0;
	Dwarf_Die die;
	struct cor_error *err = lookup(types, pick_vars, name, &var);
	if (err)
		return err;
	if (!dwarf_offdie(types->dwarf->dw, var & ~REF_DWARF_BASE, &die))
		return dw_error(name);
	*ret = type_attr(&die);
	return NULL;
}

/* The line-table row for @p addr: libdw's (the last row at the greatest
 * address at or below it), except that among several rows at that address
 * gdb shows the last is_stmt one (inlined code puts non-statement rows of
 * another line after it). */
static Dwarf_Line *best_line(Dwarf_Die *cu, uint64_t addr)
{
	Dwarf_Line *l = dwarf_getsrc_die(cu, addr);
	Dwarf_Lines *lines;
	Dwarf_Addr at;
	size_t n;
	if (!l || dwarf_lineaddr(l, &at) != 0 || dwarf_getsrclines(cu, &lines, &n) != 0)
		return l;
	Dwarf_Line *best = NULL;
	for (size_t i = 0; i < n; i++) {
		Dwarf_Line *r = dwarf_onesrcline(lines, i);
		Dwarf_Addr a;
		bool stmt = false, end = false;
		if (!r || dwarf_lineaddr(r, &a) != 0 || a != at)
			continue;
		dwarf_linebeginstatement(r, &stmt);
		dwarf_lineendsequence(r, &end);
		if (stmt && !end)
			best = r;
	}
	return best ? best : l;
}

struct cor_error *cor_types_source_line(struct cor_types *types, uint64_t addr, const char **file,
					int *line)
{
	struct cor_dwarf *d = types->dwarf;
	Dwarf_Die cu;
	if (!d)
		return cor_error_create(COR_ERR_NOT_FOUND, "no line information (needs a vmlinux "
							   "with DWARF: -k VMLINUX)");
	if (!dwarf_addrdie(d->dw, addr, &cu))
		return cor_error_create(COR_ERR_NOT_FOUND, "no line information for 0x%llx",
					(unsigned long long)addr);
	Dwarf_Line *l = best_line(&cu, addr);
	const char *src = l ? dwarf_linesrc(l, NULL, NULL) : NULL;
	if (!src || dwarf_lineno(l, line) != 0)
		return cor_error_create(COR_ERR_NOT_FOUND, "no line information for 0x%llx",
					(unsigned long long)addr);
	/* A relative name is relative to the CU's DW_AT_comp_dir: gdb (and so
	 * crash's dis -l) prints them joined. */
	Dwarf_Attribute a;
	const char *dir = dwarf_formstring(dwarf_attr(&cu, DW_AT_comp_dir, &a));
	uint64_t v;
	if (src[0] != '/' && dir && *dir) {
		if (!cor_hmap_get_u64(&d->fullnames, (uint64_t)(uintptr_t)src, &v)) {
			char *full;
			struct cor_error *err;
			if (asprintf(&full, "%s/%s", dir, src) < 0)
				return &cor_enomem;
			if ((err = types_track(types, full)) ||
			    (err = cor_hmap_set_u64(&d->fullnames, (uint64_t)(uintptr_t)src,
						    (uint64_t)(uintptr_t)full)))
				return err;
			v = (uint64_t)(uintptr_t)full;
		}
		src = (const char *)(uintptr_t)v;
	}
	*file = src;
	return NULL;
}
