/* SPDX-License-Identifier: MIT */
/* Internals of src/kernel/: the program object. */
#ifndef CORONER_KERNEL_INTERNAL_H
#define CORONER_KERNEL_INTERNAL_H

#include "coroner/program.h"
#include "coroner/vmcoreinfo.h"

struct cor_symtab;
struct cor_types;

struct cor_program {
	struct cor_dump *dump;
	struct cor_mem *mem;
	struct cor_vmcoreinfo vmcoreinfo;
	char *vmlinux_path;
	/* Kernel and module symbols (src/sym/), loaded at open; NULL until then. */
	struct cor_symtab *symtab;
	/* Types (src/types/), loaded at open; NULL until then. */
	struct cor_types *types;
};

#endif
