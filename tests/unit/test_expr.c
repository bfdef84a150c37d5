// SPDX-License-Identifier: MIT
// Unit tests of the expression parser: what parses, what is a syntax error
// (with its column), casts recognized only when the name is a type, and the
// bounds on nesting and length (untrusted input from the shell or a script).
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "coroner/expr.h"
#include "coroner/types_model.h"
#include "harness.h"

static struct cor_types *small_types(void)
{
	struct btf *b = btf__new_empty();
	int t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	btf__add_struct(b, "task_struct", 4);
	btf__add_field(b, "pid", t_int, 0, 0);
	btf__add_typedef(b, "pid_t", t_int);
	uint32_t n;
	const void *raw = btf__raw_data(b, &n);
	struct cor_types *types = NULL;
	if (cor_types_create(&types) || cor_types_add_btf_mem(types, raw, n))
		abort();
	btf__free(b);
	return types;
}

COR_TEST(expr_parse_valid)
{
	struct cor_types *types = small_types();
	static const char *const ok[] = {
	    "jiffies",
	    "tk_core.timekeeper.tkr_mono.clock->name",
	    "((struct task_struct *)0xff3c832f3ff82100)->comm[0]",
	    "sizeof(struct task_struct) + sizeof(pid_t) + sizeof init_task",
	    "(pid_t)-1",
	    "(x)", /* not a type: a parenthesized symbol */
	    "(x) + 1",
	    "per_cpu(runqueues, 3).nr_running",
	    "a && b || !c",
	    "1 << 4 >> 2 <= 3 == 1 != 0",
	    "'\\n' + '\\101' + 'a'",
	    "*&a[1].b->c",
	    "0x10UL + 10u + 7L",
	    "(unsigned long long)-1",
	    "(const volatile unsigned int *)0",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct cor_expr *e = NULL;
		struct cor_error *err = cor_expr_parse(types, ok[i], &e);
		if (err) {
			cor_test_fail(t, __FILE__, __LINE__, "\"%s\": %s", ok[i], err->message);
			cor_error_destroy(err);
		}
		cor_expr_destroy(e);
	}
	cor_types_destroy(types);
}

COR_TEST(expr_parse_errors)
{
	struct cor_types *types = small_types();
	static const struct {
		const char *text, *want;
	} bad[] = {
	    {"", "unexpected end"},
	    {"1 +", "column 4"},
	    {"(1", "expected ')'"},
	    {"a[1", "expected ']'"},
	    {"a.", "member name"},
	    {"'", "character literal"},
	    {"''", "empty character literal"},
	    {"1 2", "unexpected text"},
	    {"0x", "bad number"},
	    {"99999999999999999999999", "too large"},
	    {"per_cpu(a 1)", "per_cpu"},
	    {"(struct nope *)0", "struct nope"},
	    {"#", "unexpected character"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cor_expr *e = NULL;
		struct cor_error *err = cor_expr_parse(types, bad[i].text, &e);
		if (!err) {
			cor_test_fail(t, __FILE__, __LINE__, "\"%s\" parsed", bad[i].text);
			cor_expr_destroy(e);
		} else if (!strstr(err->message, bad[i].want)) {
			cor_test_fail(t, __FILE__, __LINE__, "\"%s\": \"%s\", want \"%s\"",
				      bad[i].text, err->message, bad[i].want);
		}
		cor_error_destroy(err);
	}
	cor_types_destroy(types);
}

COR_TEST(expr_parse_bounds)
{
	/* 100000 nested parentheses or unary minuses: an error, not a stack overflow. */
	size_t n = 100000;
	char *s = malloc(2 * n + 2);
	memset(s, '(', n);
	s[n] = '1';
	memset(s + n + 1, ')', n);
	s[2 * n + 1] = '\0';
	struct cor_expr *e;
	CHECK_ERR(cor_expr_parse(NULL, s, &e), COR_ERR_INVALID);
	memset(s, '-', 2 * n);
	s[2 * n] = '1';
	s[2 * n + 1] = '\0';
	CHECK_ERR(cor_expr_parse(NULL, s, &e), COR_ERR_INVALID);
	/* A long flat sum: bounded by the node limit. */
	for (size_t i = 0; i < n; i++)
		s[2 * i] = '1', s[2 * i + 1] = '+';
	s[2 * n - 1] = '\0';
	CHECK_ERR(cor_expr_parse(NULL, s, &e), COR_ERR_INVALID);
	free(s);
}
