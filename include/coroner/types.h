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
					    const char *member, uint64_t *offset_ret)
	COR_MUST_CHECK;
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

#endif
