/* SPDX-License-Identifier: MIT */
/*
 * A small test harness. Each test file defines tests with COR_TEST(name) { ... };
 * they register themselves at start-up. The runner forks per test (a crash or a
 * hang fails that test only) and ends with the line "N passed, N failed".
 */
#ifndef CORONER_TEST_HARNESS_H
#define CORONER_TEST_HARNESS_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "coroner/error.h"

struct cor_tctx;
struct cor_test {
	const char *name;
	const char *file;
	void (*fn)(struct cor_tctx *t);
	struct cor_test *next;
};

void cor_test_register(struct cor_test *test);
/* Records a failure (the test goes on; the test fails at its end). */
void cor_test_fail(struct cor_tctx *t, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Marks the test skipped with a reason, printed loudly; call `return` after it. */
void cor_test_skip(struct cor_tctx *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Number of failures so far in this test. */
int cor_test_failures(const struct cor_tctx *t);

/* Paths: the repository top, the shared corpus (NULL if absent), the build dir. */
const char *cor_test_top(void);
const char *cor_test_corpus(void);
const char *cor_test_build(void);
/* A fresh scratch directory for this test (removed by the runner). */
const char *cor_test_tmpdir(struct cor_tctx *t);

/* Runs a shell command, capturing stdout (malloc'ed, NUL-terminated) and the exit status. */
int cor_test_run(const char *cmd, char **out);
/* Reads a file into a malloc'ed string, or NULL. */
char *cor_test_slurp(const char *path, size_t *len);

#define COR_TEST(name)                                                                             \
	static void test_##name(struct cor_tctx *t);                                               \
	__attribute__((constructor)) static void register_##name(void)                             \
	{                                                                                          \
		static struct cor_test tc = {#name, __FILE__, test_##name, NULL};                  \
		cor_test_register(&tc);                                                            \
	}                                                                                          \
	static void test_##name(struct cor_tctx *t)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			cor_test_fail(t, __FILE__, __LINE__, "CHECK(%s)", #cond);                  \
	} while (0)

#define CHECK_U64(a, b)                                                                            \
	do {                                                                                       \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                                   \
		if (a_ != b_)                                                                      \
			cor_test_fail(t, __FILE__, __LINE__,                                       \
				      "%s == 0x%" PRIx64 ", expected %s == 0x%" PRIx64, #a, a_,    \
				      #b, b_);                                                     \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                   \
		if (!a_ || !b_ || strcmp(a_, b_) != 0)                                             \
			cor_test_fail(t, __FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a,  \
				      a_ ? a_ : "(null)", b_ ? b_ : "(null)");                     \
	} while (0)

/* Fails (and returns from the test) when err is non-NULL. */
#define CHECK_OK(expr)                                                                             \
	do {                                                                                       \
		struct cor_error *e_ = (expr);                                                     \
		if (e_) {                                                                          \
			cor_test_fail(t, __FILE__, __LINE__, "%s failed: %s", #expr, e_->message); \
			cor_error_destroy(e_);                                                     \
			return;                                                                    \
		}                                                                                  \
	} while (0)

/* Checks that expr fails with the given code; frees the error. */
#define CHECK_ERR(expr, code_)                                                                     \
	do {                                                                                       \
		struct cor_error *e_ = (expr);                                                     \
		if (!e_)                                                                           \
			cor_test_fail(t, __FILE__, __LINE__, "%s succeeded, expected %s", #expr,   \
				      cor_error_code_name(code_));                                 \
		else if (e_->code != (code_))                                                      \
			cor_test_fail(t, __FILE__, __LINE__, "%s: %s (%s), expected %s", #expr,    \
				      e_->message, cor_error_code_name(e_->code),                  \
				      cor_error_code_name(code_));                                 \
		cor_error_destroy(e_);                                                             \
	} while (0)

#endif
