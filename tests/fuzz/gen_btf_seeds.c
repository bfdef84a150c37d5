// SPDX-License-Identifier: MIT
// Writes the seed corpus of fuzz_btf (tests/fuzz/corpus/btf/) with libbpf's
// BTF writer: every kind the parser handles, then damaged copies.
//   cc -o /tmp/gen tests/fuzz/gen_btf_seeds.c -lbpf && /tmp/gen tests/fuzz/corpus/btf
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

static void put(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n)
		exit(1);
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	struct btf *b = btf__new_empty();
	int t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int t_char = btf__add_int(b, "char", 1, BTF_INT_SIGNED | BTF_INT_CHAR);
	int t_bool = btf__add_int(b, "_Bool", 1, BTF_INT_BOOL);
	int t_long = btf__add_int(b, "long int", 8, BTF_INT_SIGNED);
	int t_dbl = btf__add_float(b, "double", 8);
	int t_anon = btf__add_union(b, NULL, 8);
	btf__add_field(b, "b", t_long, 0, 0);
	btf__add_field(b, "c", t_char, 0, 0);
	int t_inner = btf__add_struct(b, "inner", 16);
	btf__add_field(b, "a", t_int, 0, 0);
	btf__add_field(b, NULL, t_anon, 64, 0);
	int t_fwd = btf__add_fwd(b, "outer", BTF_FWD_STRUCT);
	btf__add_fwd(b, "u", BTF_FWD_UNION);
	int t_ptr = btf__add_ptr(b, t_fwd);
	int t_arr = btf__add_array(b, t_int, t_inner, 4);
	int t_name = btf__add_array(b, t_int, t_char, 16);
	int t_c = btf__add_const(b, t_char);
	int t_v = btf__add_volatile(b, t_c);
	int t_r = btf__add_restrict(b, btf__add_ptr(b, t_v));
	int t_tag = btf__add_type_tag(b, "user", t_r);
	int t_outer = btf__add_struct(b, "outer", 128);
	btf__add_field(b, "flags", t_int, 0, 3);
	btf__add_field(b, "mode", t_int, 3, 5);
	btf__add_field(b, "in", t_inner, 64, 0);
	btf__add_field(b, "arr", t_arr, 192, 0);
	btf__add_field(b, "next", t_ptr, 704, 0);
	btf__add_field(b, "name", t_name, 768, 0);
	btf__add_field(b, "s", t_tag, 896, 0);
	btf__add_field(b, "ok", t_bool, 960, 0);
	btf__add_field(b, "d", t_dbl, 968, 0);
	btf__add_typedef(b, "outer_t", t_outer);
	btf__add_enum(b, "color", 4);
	btf__add_enum_value(b, "RED", 1);
	btf__add_enum_value(b, "GREEN", -2);
	btf__add_enum64(b, "big", 8, false);
	btf__add_enum64_value(b, "HUGE", 1ull << 40);
	int proto = btf__add_func_proto(b, t_int);
	btf__add_func_param(b, "x", t_ptr);
	btf__add_func_param(b, NULL, 0); /* ... */
	int fn = btf__add_func(b, "f", BTF_FUNC_GLOBAL, proto);
	btf__add_decl_tag(b, "tag", fn, -1);
	int var = btf__add_var(b, "runqueues", BTF_VAR_GLOBAL_ALLOCATED, t_outer);
	btf__add_datasec(b, ".data..percpu", 128);
	btf__add_datasec_var_info(b, var, 0, 128);
	uint32_t n;
	const unsigned char *raw = btf__raw_data(b, &n);
	put(dir, "all-kinds", raw, n);
	put(dir, "truncated", raw, n / 2);
	unsigned char *bad = malloc(n);
	memcpy(bad, raw, n);
	bad[24 + 4] = 0xff; /* first type's info: an unknown kind */
	put(dir, "bad-kind", bad, n);
	memcpy(bad, raw, n);
	memset(bad + 24 + 8, 0x7f, 4); /* first type's size/type field */
	put(dir, "bad-ref", bad, n);
	memcpy(bad, raw, n);
	bad[20] ^= 0x10; /* str_len */
	put(dir, "bad-strlen", bad, n);
	free(bad);
	btf__free(b);
	return 0;
}
