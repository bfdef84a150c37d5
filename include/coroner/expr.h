/* SPDX-License-Identifier: MIT */
/**
 * @file expr.h
 * C expressions over a dump, as crash's (gdb's) `p` takes them: symbols,
 * literals, `.` `->` `[]`, unary `* & - ~ !`, casts (also to struct
 * pointers, and reinterpreting an untyped symbol), `+ - * / % << >> & | ^`,
 * comparisons, `&& ||`, `sizeof(type|expr)`, and `per_cpu(sym, cpu)`.
 * Every memory read is bounded and a fault is an error naming the address.
 * Values print in gdb's format (`print pretty`, crash's settings).
 */
#ifndef CORONER_EXPR_H
#define CORONER_EXPR_H

#include <stdbool.h>
#include <stdint.h>

#include "coroner/base.h"
#include "coroner/error.h"

struct cor_program;
struct cor_types;
struct cor_type;
struct cor_expr;

/** The value of an expression. Pointers borrowed until the program is destroyed. */
struct cor_value {
	/** The type, or NULL for a symbol without type information (see @ref why). */
	const struct cor_type *type;
	/** In memory at @ref addr (else @ref scalar holds the value). */
	bool lvalue;
	uint64_t addr;
	/** Bit-field lvalue: first bit (0-7) at @ref addr and width; 0 width otherwise. */
	uint32_t bit_offset, bit_size;
	/** Rvalue: the integer or pointer bits (sign-extended for signed types). */
	uint64_t scalar;
	/** Set when the whole expression is one symbol: its name (crash prints "name = "). */
	const char *symbol;
	/** A per-cpu symbol not bound to a CPU: @ref addr is its per-cpu offset. */
	bool percpu;
	/** Why @ref type is NULL (static string), else NULL. */
	const char *why;
};

/**
 * Parses @p text into a new expression (free with cor_expr_destroy()).
 * @p types (may be NULL) decides whether "(name)" is a cast: without it only
 * struct/union/enum and base type keywords start a type name. INVALID with
 * the position of the problem on a syntax error.
 */
struct cor_error *cor_expr_parse(struct cor_types *types, const char *text,
				 struct cor_expr **ret) COR_MUST_CHECK;
/** Frees @p expr; NULL does nothing. */
void cor_expr_destroy(struct cor_expr *expr);

/**
 * Evaluates @p expr on @p prog. @p cpu >= 0 binds per-cpu symbols to that
 * CPU (crash's `p -c`); -1 leaves them unbound (only printable as a whole).
 */
struct cor_error *cor_expr_eval(struct cor_program *prog, const struct cor_expr *expr, int cpu,
				struct cor_value *ret) COR_MUST_CHECK;
/** Parses and evaluates @p text (cor_expr_parse() + cor_expr_eval()). */
struct cor_error *cor_program_eval(struct cor_program *prog, const char *text, int cpu,
				   struct cor_value *ret) COR_MUST_CHECK;
/** Reads the integer/pointer value of a scalar @p value into *ret (sign-extended). */
struct cor_error *cor_value_scalar(struct cor_program *prog, const struct cor_value *value,
				   uint64_t *ret) COR_MUST_CHECK;

/** Printing options. */
struct cor_format_opts {
	/** 10 (default when 0) or 16 (p -x). */
	int radix;
	/** Print a top-level pointer with its type, "(struct rq *) 0x...", as gdb does. */
	bool top_level;
};
/**
 * Appends @p value as gdb prints it after "$N = " (structs with nested
 * braces and 2-space indents, char arrays as strings, enums by name,
 * pointers as "0x... <symbol+off>") to @p sb. FAULT names the unreadable
 * address.
 */
struct cor_error *cor_value_format(struct cor_program *prog, const struct cor_value *value,
				   const struct cor_format_opts *opts,
				   struct cor_strbuf *sb) COR_MUST_CHECK;
/**
 * Appends the definition of @p type as crash's `struct NAME` prints it
 * (gdb's ptype body, 4-space indents; with @p offsets, each member prefixed
 * by its "[offset]" as `struct -o` does), without the "SIZE:" line.
 */
void cor_type_format_definition(struct cor_types *types, const struct cor_type *type, bool offsets,
				struct cor_strbuf *sb);
#endif
