/* SPDX-License-Identifier: MIT */
/* Internals of src/disasm/. */
#ifndef CORONER_DISASM_INTERNAL_H
#define CORONER_DISASM_INTERNAL_H

#include <capstone/capstone.h>

#include "coroner/disasm.h"

/*
 * Fills insn->mnemonic and insn->operands the way gdb (binutils' AT&T
 * printer) writes them, from capstone's AT&T mnemonic @p cs_mnemonic, its
 * instruction name @p name (no size suffix) and the operand facts already in
 * @p insn.
 */
void cor_disasm_att_text(const char *cs_mnemonic, const char *name, const cs_x86 *x,
			 struct cor_insn *insn);

#endif
