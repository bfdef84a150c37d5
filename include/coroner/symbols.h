/* SPDX-License-Identifier: MIT */
/**
 * @file symbols.h
 * Kernel symbols of a loaded dump: kallsyms decoded from the dump's own
 * memory (and each module's), or a vmlinux's .symtab relocated by the KASLR
 * offset when one is given. Implementation: src/sym/ (the tables) and
 * src/kernel/ (wiring them to the program).
 */
#ifndef CORONER_SYMBOLS_H
#define CORONER_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coroner/error.h"

struct cor_program;

/** A symbol. Strings borrowed until the program is destroyed. */
struct cor_symbol {
	const char *name;
	uint64_t addr;
	/** Size in bytes (distance to the next symbol when the table has no sizes); 0 unknown. */
	uint64_t size;
	/** nm-style type letter: 'T', 't', 'D', 'd', 'B', 'b', 'R', 'r', 'A', ... */
	char type;
	/** Module name, or NULL for vmlinux. */
	const char *module;
};

/** Looks up a symbol by exact name (vmlinux first, then modules). NOT_FOUND if absent. */
struct cor_error *cor_program_symbol_by_name(struct cor_program *prog, const char *name,
					     struct cor_symbol *ret) COR_MUST_CHECK;
/**
 * The symbol containing @p addr (the closest one at or below it, within its
 * size when known) and the offset into it. NOT_FOUND if none.
 */
struct cor_error *cor_program_symbol_by_addr(struct cor_program *prog, uint64_t addr,
					     struct cor_symbol *ret, uint64_t *offset_ret)
	COR_MUST_CHECK;
/**
 * Formats @p addr as "name+off" ("name" when off is 0), with " [module]" for
 * module symbols when @p with_module; returns false (buf = "") if no symbol.
 */
bool cor_program_format_addr(struct cor_program *prog, uint64_t addr, bool with_module, char *buf,
			     size_t size);
/** Number of symbols (vmlinux and modules); for `sym -l`. */
size_t cor_program_num_symbols(struct cor_program *prog);
/** Symbol @p i in address order (0 <= i < cor_program_num_symbols()). */
struct cor_error *cor_program_symbol_at(struct cor_program *prog, size_t i,
					struct cor_symbol *ret) COR_MUST_CHECK;

#endif
