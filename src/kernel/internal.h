/* SPDX-License-Identifier: MIT */
/* Internals of src/kernel/: the program object. */
#ifndef CORONER_KERNEL_INTERNAL_H
#define CORONER_KERNEL_INTERNAL_H

#include "coroner/program.h"
#include "coroner/vmcoreinfo.h"

struct cor_symtab;
struct cor_sym_state;
struct cor_kallsyms_loc;
struct cor_types;
struct cor_stack_cache;

struct cor_program {
	struct cor_dump *dump;
	struct cor_mem *mem;
	struct cor_vmcoreinfo vmcoreinfo;
	char *vmlinux_path;
	/* Kernel and module symbols (src/sym/), loaded at open; NULL until then. */
	struct cor_symtab *symtab;
	/* Module symbols (lazy) and why vmlinux symbols failed: src/kernel/symbols.c. */
	struct cor_sym_state *sym_state;
	/* Types (src/types/), loaded at open; NULL until then. */
	struct cor_types *types;
	/* ORC tables and stack layouts (src/kernel/stack.c), loaded lazily; NULL until then. */
	struct cor_stack_cache *stack_cache;
};

/* src/kernel/symbols.c: loads vmlinux symbols (kallsyms, or the vmlinux given,
 * checked against the dump: MISMATCH if it is another kernel). */
struct cor_error *cor_program_load_symbols(struct cor_program *prog) COR_MUST_CHECK;
/* Frees what cor_program_load_symbols() loaded. */
void cor_program_free_symbols(struct cor_program *prog);
/* Where the kallsyms tables are: VMCOREINFO's SYMBOL(kallsyms_*) when
 * @use_vmcoreinfo and present, else a scan of the kernel image. */
struct cor_error *cor_program_find_kallsyms(struct cor_program *prog, bool use_vmcoreinfo,
					    struct cor_kallsyms_loc *ret) COR_MUST_CHECK;

#endif
