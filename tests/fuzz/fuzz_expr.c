// SPDX-License-Identifier: MIT
// libFuzzer target: the expression parser (cor_expr_parse) on arbitrary text,
// with a small type collection (from a synthetic BTF written with libbpf) so
// that casts and sizeof(type) parse too.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "coroner/expr.h"
#include "coroner/types_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cor_types *make_types(void)
{
	struct btf *b = btf__new_empty();
	int t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int t_ulong = btf__add_int(b, "long unsigned int", 8, 0);
	int t_s = btf__add_struct(b, "task_struct", 16);
	btf__add_field(b, "pid", t_int, 0, 0);
	btf__add_field(b, "flags", t_ulong, 64, 0);
	btf__add_typedef(b, "pid_t", t_int);
	btf__add_typedef(b, "task_t", t_s);
	uint32_t n;
	const void *raw = btf__raw_data(b, &n);
	struct cor_types *types = NULL;
	if (!cor_types_create(&types) && cor_types_add_btf_mem(types, raw, n)) {
		cor_types_destroy(types);
		types = NULL;
	}
	btf__free(b);
	return types;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Built per input: no state carried between inputs. */
	struct cor_types *types = make_types();
	char *text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
		struct cor_expr *e;
		struct cor_error *err = cor_expr_parse(types, text, &e);
		if (!err)
			cor_expr_destroy(e);
		cor_error_destroy(err);
		if (!(err = cor_expr_parse(NULL, text, &e)))
			cor_expr_destroy(e);
		cor_error_destroy(err);
	}
	free(text);
	cor_types_destroy(types);
	return 0;
}
