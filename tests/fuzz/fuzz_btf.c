// SPDX-License-Identifier: MIT
// libFuzzer target: the BTF parser (cor_btf_parse_mem) and the conversion of
// every type to the model: lookups by name, member paths, sizes, alignment
// and declarations on whatever the blob holds (bounded by the input size).
#include <stdint.h>
#include <string.h>

#include <bpf/btf.h>

#include "coroner/types_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(struct cor_types *types)
{
	static const char *const names[] = {
	    "struct outer",  "struct inner", "outer_t",	       "int",
	    "unsigned long", "char [4]",     "struct outer *", "enum color"};
	uint32_t n = cor_types_btf_count(types);
	for (uint32_t id = 0; id < n && id < 4096; id++) {
		const struct cor_type *t;
		struct cor_error *err = cor_types_get(types, cor_types_btf_ref(id), &t);
		if (err) {
			cor_error_destroy(err);
			continue;
		}
		uint64_t size;
		cor_error_destroy(cor_types_sizeof(types, t, &size));
		(void)cor_types_alignof(types, t);
		struct cor_strbuf sb = {0};
		cor_types_format_decl(types, t, "x", &sb);
		cor_strbuf_deinit(&sb);
		struct cor_member_result r;
		for (uint32_t i = 0; i < t->nmembers && i < 8; i++)
			if (t->members[i].name)
				cor_error_destroy(
				    cor_types_member(types, t, t->members[i].name, &r));
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct cor_type *t;
		struct cor_member_result r;
		struct cor_error *err = cor_types_find(types, names[i], &t);
		if (!err)
			err = cor_types_member(types, t, "in.b", &r);
		cor_error_destroy(err);
	}
	int64_t v;
	cor_error_destroy(cor_types_enumerator(types, "RED", &v, NULL));
}

/* The input as a module's split BTF over a small kernel BTF. */
static void as_module(const uint8_t *data, size_t size)
{
	struct btf *b = btf__new_empty();
	int t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	btf__add_struct(b, "inner", 8);
	btf__add_field(b, "a", t_int, 0, 0);
	btf__add_field(b, "b", t_int, 32, 0);
	uint32_t n;
	const void *raw = btf__raw_data(b, &n);
	struct cor_types *types;
	if (!cor_types_create(&types)) {
		struct cor_error *err = cor_types_add_btf_mem(types, raw, n);
		if (!err)
			err = cor_types_add_module_btf_mem(types, "fuzz", data, size);
		if (!err)
			exercise(types);
		cor_error_destroy(err);
		const struct cor_type *t;
		for (uint32_t id = 1; id < 64; id++) /* module ids follow the base's */
			cor_error_destroy(cor_types_get(types, (1ull << 32) | id, &t));
		cor_types_destroy(types);
	}
	btf__free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	as_module(data, size);
	struct cor_error *err = cor_btf_parse_mem(data, size);
	cor_error_destroy(err);
	struct cor_types *types;
	if (cor_types_create(&types))
		return 0;
	err = cor_types_add_btf_mem(types, data, size);
	if (!err)
		exercise(types);
	cor_error_destroy(err);
	cor_types_destroy(types);
	return 0;
}
