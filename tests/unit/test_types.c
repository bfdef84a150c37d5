// SPDX-License-Identifier: MIT
// Unit tests of the type model over synthetic BTF written with libbpf's BTF
// writer (an independent encoder): lookups by C spelling, member paths
// through anonymous members and bit-fields, sizes, enums, declarations, and
// the BTF header validation on corrupted blobs.
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "coroner/types_model.h"
#include "harness.h"

/* struct inner { int a; union { long b; char c; }; };
 * struct outer { unsigned int flags:3, mode:5; struct inner in; struct inner arr[4];
 *                struct outer *next; char name[16]; };
 * typedef struct outer outer_t; enum color { RED = 1, GREEN = -2 }; */
static void *make_btf(uint32_t *size)
{
	struct btf *b = btf__new_empty();
	int t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int t_uint = btf__add_int(b, "unsigned int", 4, 0);
	int t_long = btf__add_int(b, "long int", 8, BTF_INT_SIGNED);
	int t_char = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	int t_anon = btf__add_union(b, NULL, 8);
	btf__add_field(b, "b", t_long, 0, 0);
	btf__add_field(b, "c", t_char, 0, 0);
	int t_inner = btf__add_struct(b, "inner", 16);
	btf__add_field(b, "a", t_int, 0, 0);
	btf__add_field(b, NULL, t_anon, 64, 0);
	int t_fwd = btf__add_fwd(b, "outer", BTF_FWD_STRUCT);
	int t_ptr = btf__add_ptr(b, t_fwd);
	int t_arr = btf__add_array(b, t_int, t_inner, 4);
	int t_name = btf__add_array(b, t_int, t_char, 16);
	int t_outer = btf__add_struct(b, "outer", 112);
	btf__add_field(b, "flags", t_uint, 0, 3);
	btf__add_field(b, "mode", t_uint, 3, 5);
	btf__add_field(b, "in", t_inner, 64, 0);
	btf__add_field(b, "arr", t_arr, 192, 0);
	btf__add_field(b, "next", t_ptr, 704, 0);
	btf__add_field(b, "name", t_name, 768, 0);
	btf__add_typedef(b, "outer_t", t_outer);
	btf__add_enum(b, "color", 4);
	btf__add_enum_value(b, "RED", 1);
	btf__add_enum_value(b, "GREEN", -2);
	const void *raw = btf__raw_data(b, size);
	void *copy = malloc(*size);
	memcpy(copy, raw, *size);
	btf__free(b);
	return copy;
}

static struct cor_types *load(struct cor_tctx *t)
{
	uint32_t size;
	void *raw = make_btf(&size);
	struct cor_types *types;
	struct cor_error *err = cor_types_create(&types);
	if (!err)
		err = cor_types_add_btf_mem(types, raw, size);
	free(raw);
	if (err) {
		cor_test_fail(t, __FILE__, __LINE__, "load: %s", err->message);
		cor_error_destroy(err);
		return NULL;
	}
	return types;
}

COR_TEST(types_btf_members)
{
	struct cor_types *types = load(t);
	if (!types)
		return;
	const struct cor_type *outer;
	struct cor_member_result r;
	CHECK_OK(cor_types_find(types, "struct outer", &outer));
	CHECK(!outer->incomplete);
	CHECK_U64(outer->size, 112);
	CHECK_OK(cor_types_member(types, outer, "in.b", &r));
	CHECK_U64(r.bit_offset, 128);
	CHECK_OK(cor_types_member(types, outer, "in.c", &r));
	CHECK_U64(r.bit_offset, 128);
	CHECK(r.type->is_char);
	CHECK_OK(cor_types_member(types, outer, "arr[2].a", &r));
	CHECK_U64(r.bit_offset, 192 + 2 * 128);
	CHECK_OK(cor_types_member(types, outer, "mode", &r));
	CHECK_U64(r.bit_offset, 3);
	CHECK_U64(r.bit_size, 5);
	CHECK_ERR(cor_types_member(types, outer, "in.zz", &r), COR_ERR_NOT_FOUND);
	CHECK_ERR(cor_types_member(types, outer, "name.x", &r), COR_ERR_INVALID);
	/* Through the typedef, and the forward-declared pointee resolves by name. */
	const struct cor_type *td;
	CHECK_OK(cor_types_find(types, "outer_t", &td));
	CHECK_OK(cor_types_member(types, td, "next", &r));
	CHECK_U64(r.bit_offset, 704);
	uint64_t size;
	CHECK_OK(cor_types_sizeof(types, td, &size));
	CHECK_U64(size, 112);
	CHECK_U64(cor_types_alignof(types, td), 8);
	cor_types_destroy(types);
}

COR_TEST(types_btf_names_and_decls)
{
	struct cor_types *types = load(t);
	if (!types)
		return;
	const struct cor_type *ty;
	uint64_t size;
	struct cor_strbuf sb = {0};
	CHECK_OK(cor_types_find(types, "unsigned long", &ty)); /* not in the BTF: synthesized */
	CHECK_OK(cor_types_sizeof(types, ty, &size));
	CHECK_U64(size, 8);
	CHECK(!ty->is_signed);
	CHECK_OK(cor_types_find(types, "long", &ty));
	CHECK_STR(ty->name, "long int");
	CHECK(ty->is_signed);
	CHECK_OK(cor_types_find(types, "struct outer **", &ty));
	cor_types_format_decl(types, ty, NULL, &sb);
	CHECK_STR(cor_strbuf_cstr(&sb), "struct outer **");
	cor_strbuf_reset(&sb);
	CHECK_OK(cor_types_find(types, "char [16]", &ty));
	CHECK_OK(cor_types_sizeof(types, ty, &size));
	CHECK_U64(size, 16);
	cor_types_format_decl(types, ty, "comm", &sb);
	CHECK_STR(cor_strbuf_cstr(&sb), "char comm[16]");
	cor_strbuf_reset(&sb);
	CHECK_OK(cor_types_find(types, "struct inner", &ty));
	struct cor_member_result r;
	CHECK_OK(cor_types_member(types, ty, "b", &r));
	CHECK_OK(cor_types_pointer_to(types, ty->ref, &ty));
	CHECK_OK(cor_types_array_of(types, ty->ref, 3, &ty));
	CHECK_OK(cor_types_pointer_to(types, ty->ref, &ty));
	cor_types_format_decl(types, ty, "p", &sb);
	CHECK_STR(cor_strbuf_cstr(&sb), "struct inner *(*p)[3]");
	cor_strbuf_deinit(&sb);
	CHECK_ERR(cor_types_find(types, "struct nope", &ty), COR_ERR_NOT_FOUND);
	CHECK_ERR(cor_types_find(types, "union inner", &ty), COR_ERR_NOT_FOUND);
	CHECK_ERR(cor_types_find(types, "outer_t junk", &ty), COR_ERR_INVALID);
	int64_t v;
	const struct cor_type *en;
	CHECK_OK(cor_types_enumerator(types, "GREEN", &v, &en));
	CHECK(v == -2);
	CHECK_STR(en->name, "color");
	CHECK_ERR(cor_types_enumerator(types, "BLUE", &v, NULL), COR_ERR_NOT_FOUND);
	cor_types_destroy(types);
}

COR_TEST(types_btf_rejects_corrupt_headers)
{
	uint32_t size;
	uint8_t *raw = make_btf(&size);
	CHECK_OK(cor_btf_parse_mem(raw, size));
	CHECK_ERR(cor_btf_parse_mem(raw, 10), COR_ERR_CORRUPT);
	uint8_t *bad = malloc(size);
	/* Magic, then the string section pushed past the end, then a type
	 * section length that overflows 32 bits when added to its offset. */
	memcpy(bad, raw, size);
	bad[0] ^= 0xff;
	CHECK_ERR(cor_btf_parse_mem(bad, size), COR_ERR_CORRUPT);
	memcpy(bad, raw, size);
	bad[16] = 0xf0; /* str_off */
	CHECK_ERR(cor_btf_parse_mem(bad, size), COR_ERR_CORRUPT);
	memcpy(bad, raw, size);
	memset(bad + 12, 0xff, 4); /* type_len */
	CHECK_ERR(cor_btf_parse_mem(bad, size), COR_ERR_CORRUPT);
	/* A type referring to a type id beyond the table converts to CORRUPT, not a crash:
	 * type 1 is "int"; point the typedef's target (last type but the enum) far away. */
	struct cor_types *types;
	CHECK_OK(cor_types_create(&types));
	memcpy(bad, raw, size);
	CHECK_OK(cor_types_add_btf_mem(types, bad, size));
	const struct cor_type *ty;
	CHECK_ERR(cor_types_get(types, 999999, &ty), COR_ERR_CORRUPT);
	cor_types_destroy(types);
	free(bad);
	free(raw);
}

/* A module's split BTF over the kernel's: its own struct refers to a kernel
 * type by the kernel's id; both resolve, named lookups reach the module's. */
COR_TEST(types_module_split_btf)
{
	uint32_t size, msize;
	void *raw = make_btf(&size);
	struct btf *base = btf__new(raw, size);
	struct btf *m = btf__new_empty_split(base);
	int inner = btf__find_by_name_kind(base, "inner", BTF_KIND_STRUCT);
	int t_ptr = btf__add_ptr(m, (int)btf__type_cnt(m) + 1); /* to the struct added next */
	btf__add_struct(m, "mod_state", 24);
	btf__add_field(m, "in", inner, 0, 0);
	btf__add_field(m, "self", t_ptr, 128, 0);
	const void *mraw = btf__raw_data(m, &msize);
	struct cor_types *types;
	CHECK_OK(cor_types_create(&types));
	CHECK_ERR(cor_types_add_module_btf_mem(types, "m", mraw, msize), COR_ERR_INVALID);
	CHECK_OK(cor_types_add_btf_mem(types, raw, size));
	CHECK_OK(cor_types_add_module_btf_mem(types, "m", mraw, msize));
	CHECK_U64(cor_types_module_btf_count(types), 1);
	const struct cor_type *ty;
	struct cor_member_result r;
	CHECK_OK(cor_types_find(types, "struct mod_state", &ty));
	CHECK_U64(ty->size, 24);
	CHECK_OK(cor_types_member(types, ty, "in.b", &r)); /* through the kernel's struct inner */
	CHECK_U64(r.bit_offset, 64);
	CHECK_OK(cor_types_member(types, ty, "self", &r));
	struct cor_strbuf sb = {0};
	cor_types_format_decl(types, r.type, NULL, &sb);
	CHECK_STR(cor_strbuf_cstr(&sb), "struct mod_state *");
	cor_strbuf_deinit(&sb);
	cor_types_destroy(types);
	btf__free(m);
	btf__free(base);
	free(raw);
}
