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

/**
 * Looks up a symbol by exact name (vmlinux first, then modules; a global one
 * before a local one of the same name). NOT_FOUND if absent, or if the
 * dump's symbols could not be loaded (the message says why).
 */
struct cor_error *cor_program_symbol_by_name(struct cor_program *prog, const char *name,
					     struct cor_symbol *ret) COR_MUST_CHECK;
/**
 * The address of symbol @p name in *@p ret; false (and *@p ret untouched) if
 * there is none. For callers to whom a missing symbol is not an error.
 */
bool cor_program_symbol_addr(struct cor_program *prog, const char *name, uint64_t *ret);
/**
 * The symbol containing @p addr and the offset into it: the closest one at
 * or below it (the first of its aliases), up to the next symbol as crash
 * does (even past an ELF size: a noreturn call's return address), and
 * within its size past the last symbol of a table. NOT_FOUND if none.
 */
struct cor_error *cor_program_symbol_by_addr(struct cor_program *prog, uint64_t addr,
					     struct cor_symbol *ret,
					     uint64_t *offset_ret) COR_MUST_CHECK;
/**
 * Formats @p addr as "name+off" (off in decimal, as crash prints it; "name"
 * when off is 0), with " [module]" for
 * module symbols when @p with_module; returns false (buf = "") if no symbol.
 */
bool cor_program_format_addr(struct cor_program *prog, uint64_t addr, bool with_module, char *buf,
			     size_t size);
/**
 * All symbols named @p name (static functions repeat), as indexes for
 * cor_program_symbol_at(), vmlinux ones first, each table in address order:
 * up to @p max into @p out. Returns how many there are (may exceed @p max;
 * 0 if none).
 */
size_t cor_program_symbols_named(struct cor_program *prog, const char *name, size_t *out,
				 size_t max);
/** Number of symbols (vmlinux and modules); for `sym -l`. */
size_t cor_program_num_symbols(struct cor_program *prog);
/**
 * Symbol @p i (0 <= i < cor_program_num_symbols()): vmlinux symbols in
 * address order (per-cpu offsets first), then module symbols in address order.
 */
struct cor_error *cor_program_symbol_at(struct cor_program *prog, size_t i,
					struct cor_symbol *ret) COR_MUST_CHECK;
/**
 * The core range of loaded module @p name (struct module's core_layout:
 * text, rodata, data), as crash's `sym -l` MODULE START/END show it.
 * NOT_FOUND if there is no such module or its layout is unknown.
 */
struct cor_error *cor_program_module_range(struct cor_program *prog, const char *name,
					   uint64_t *base_ret, uint64_t *size_ret) COR_MUST_CHECK;

#endif
