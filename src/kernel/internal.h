/* SPDX-License-Identifier: MIT */
/* Internals of src/kernel/: the program object. */
#ifndef CORONER_KERNEL_INTERNAL_H
#define CORONER_KERNEL_INTERNAL_H

#include "coroner/program.h"
#include "coroner/vmcoreinfo.h"

struct cor_program {
	struct cor_dump *dump;
	struct cor_mem *mem;
	struct cor_vmcoreinfo vmcoreinfo;
	char *vmlinux_path;
};

#endif
