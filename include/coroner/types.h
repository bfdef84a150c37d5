/* SPDX-License-Identifier: MIT */
/**
 * @file types.h
 * Kernel types of a loaded dump: BTF from the dump's own memory (and module
 * BTF), or DWARF from a vmlinux when one is given, behind one type model.
 * Implementation: src/types/ (parsers, model), src/kernel/ (wiring).
 *
 * This header starts with the small "layout" API that the stack, task and
 * diagnosis code need (member offsets by name, sizes); the full type model
 * and the expression evaluator are declared in types_model.h / expr.h.
 */
#ifndef CORONER_TYPES_H
#define CORONER_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "coroner/error.h"

struct cor_program;

/**
 * Offset in bytes of @p member in @p type. @p type is "struct NAME",
 * "union NAME" or a typedef name; @p member may be a path through nested
 * members and anonymous structs/unions ("thread.sp", "se.on_rq",
 * "__state"). Bit-fields: the offset of the byte holding the field.
 * NOT_FOUND names what is missing ("struct task_struct has no member x").
 */
struct cor_error *cor_program_member_offset(struct cor_program *prog, const char *type,
					    const char *member,
					    uint64_t *offset_ret) COR_MUST_CHECK;
/** Like cor_program_member_offset(), also returning the member's size in bytes. */
struct cor_error *cor_program_member_info(struct cor_program *prog, const char *type,
					  const char *member, uint64_t *offset_ret,
					  uint64_t *size_ret) COR_MUST_CHECK;
/** True if @p type has @p member (for "is this member present" checks across kernels). */
bool cor_program_has_member(struct cor_program *prog, const char *type, const char *member);
/** Size in bytes of @p type ("struct task_struct", "pid_t", ...). NOT_FOUND if unknown. */
struct cor_error *cor_program_type_size(struct cor_program *prog, const char *type,
					uint64_t *size_ret) COR_MUST_CHECK;
/** Value of an enumerator (e.g. "PG_locked", "TASK_COMM_LEN" is not one). NOT_FOUND if absent. */
struct cor_error *cor_program_enum_value(struct cor_program *prog, const char *enumerator,
					 int64_t *value_ret) COR_MUST_CHECK;

/* ---- additions (types engineer) ---------------------------------------- */

struct cor_types;
struct cor_type;

/**
 * The program's type collection (borrowed until the program is destroyed),
 * loading the dump's BTF on first use (__start_BTF..__stop_BTF, found
 * through the kernel's symbols; the vmlinux's .BTF section when the dump's
 * cannot be read). Fails (NOT_FOUND / CORRUPT, with the reason) when no type
 * source is usable; the reason is kept and given again on later calls.
 */
struct cor_error *cor_program_types(struct cor_program *prog,
				    struct cor_types **ret) COR_MUST_CHECK;

/** A global variable with its type, as cor_program_global() finds it. */
struct cor_global {
	/** Symbol name (borrowed until the program is destroyed). */
	const char *name;
	/** Address (for a per-cpu variable: its offset in the per-cpu area). */
	uint64_t addr;
	/** Symbol size in bytes, 0 if unknown. */
	uint64_t size;
	/** The variable's type, or NULL when no source knows it (see @ref why). */
	const struct cor_type *type;
	/** Where the type came from: "dwarf", "btf" (per-cpu VAR), "table", or NULL. */
	const char *source;
	/** A per-cpu variable (address is an offset; use cor_program_percpu_addr()). */
	bool percpu;
	/** When @ref type is NULL: why (static string). */
	const char *why;
};
/**
 * Looks up global variable (or function) @p name: its symbol, and its type
 * from DWARF (a vmlinux was given), else the BTF VAR (per-cpu variables),
 * else a documented table of well-known kernel globals whose entries are
 * checked against BTF (the type must exist and fit the symbol). An unknown
 * type is not an error: *ret has type NULL and why set. NOT_FOUND if there is
 * no such symbol.
 */
struct cor_error *cor_program_global(struct cor_program *prog, const char *name,
				     struct cor_global *ret) COR_MUST_CHECK;
/**
 * The address of per-cpu variable offset @p offset on @p cpu:
 * offset + __per_cpu_offset[cpu]. INVALID if @p cpu is not below nr_cpu_ids.
 */
struct cor_error *cor_program_percpu_addr(struct cor_program *prog, uint64_t offset, unsigned cpu,
					  uint64_t *ret) COR_MUST_CHECK;
/**
 * The source file and line of the kernel code at @p addr (as the dump has
 * it, with KASLR), from the vmlinux's DWARF line tables: for `dis -l` and
 * `bt -l`. *file is borrowed until the program is destroyed. NOT_FOUND
 * without a vmlinux (-k) or line information for @p addr (e.g. a module).
 */
struct cor_error *cor_program_source_line(struct cor_program *prog, uint64_t addr,
					  const char **file, int *line) COR_MUST_CHECK;
/** Number of possible CPUs (nr_cpu_ids), for per-cpu loops. */
struct cor_error *cor_program_nr_cpu_ids(struct cor_program *prog, unsigned *ret) COR_MUST_CHECK;

#endif
