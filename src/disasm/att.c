// SPDX-License-Identifier: MIT
// gdb's AT&T text of an instruction (binutils opcodes/i386-dis.c conventions,
// as gdb 10.2 inside crash 8.0.2 prints them):
//  - a size suffix (b/w/l/q) only when no register operand gives the size
//    (testb $0x2,0x4c(%rbp), incl %gs:..., nopl 0x0(%rax,%rax,1)); never on
//    jmp/call/ret ("call", "ret", not capstone's "callq", "retq");
//  - immediates in hex, masked to the operand size ($0xffffffff for a
//    sign-extended -1 on a 32-bit operand);
//  - "disp(base,index,scale)", the scale always written with an index, a
//    displacement written whenever encoded ("0x0(%rbp)"), signed with a base,
//    unsigned when absolute ("%gs:0x28");
//  - "*" before the operand of an indirect jmp/call;
//  - the shift-by-one forms D0/D1 /4../7 print no "$0x1" ("shr %rax").
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "disasm/internal.h"

static const char *const seg_names[] = {"", "es", "cs", "ss", "ds", "fs", "gs"};

/* Appends with bounds; the buffers are sized for the longest x86 operand text. */
static void add(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	if (n + 1 >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

static void add_signed(char *buf, size_t size, int64_t v)
{
	if (v < 0)
		add(buf, size, "-0x%" PRIx64, (uint64_t)0 - (uint64_t)v);
	else
		add(buf, size, "0x%" PRIx64, (uint64_t)v);
}

static void mem_text(const struct cor_insn_mem *m, bool disp_encoded, char *buf, size_t size)
{
	/* In 64-bit mode only fs/gs overrides matter; binutils writes the others as prefix words.
	 */
	if (m->seg == COR_SEG_FS || m->seg == COR_SEG_GS)
		add(buf, size, "%%%s:", seg_names[m->seg]);
	if (m->base == COR_REG_NONE && m->index == COR_REG_NONE) {
		add(buf, size, "0x%" PRIx64, (uint64_t)m->disp);
		return;
	}
	if (disp_encoded || m->disp != 0)
		add_signed(buf, size, m->disp);
	add(buf, size, "(");
	if (m->base != COR_REG_NONE)
		add(buf, size, "%%%s", m->base_name);
	if (m->index != COR_REG_NONE)
		add(buf, size, ",%%%s,%u", m->index_name, m->scale);
	add(buf, size, ")");
}

static uint64_t mask_imm(int64_t v, unsigned size)
{
	switch (size) {
	case 1:
		return (uint64_t)v & 0xff;
	case 2:
		return (uint64_t)v & 0xffff;
	case 4:
		return (uint64_t)v & 0xffffffffu;
	default:
		return (uint64_t)v;
	}
}

/* D0/D1 /n: shift or rotate by one, which binutils prints without an operand for the count. */
static bool is_shift_by_one(const cs_x86 *x)
{
	return x->opcode[0] == 0xd0 || x->opcode[0] == 0xd1;
}

/* D2/D3 /n: shift or rotate by %cl; capstone 4 drops the %cl of the memory forms. */
static bool lost_cl(const cs_x86 *x, const struct cor_insn *insn)
{
	if (x->opcode[0] != 0xd2 && x->opcode[0] != 0xd3)
		return false;
	for (unsigned i = 0; i < insn->num_ops; i++)
		if (insn->ops[i].kind == COR_OP_REG && strcmp(insn->ops[i].reg_name, "cl") == 0)
			return false;
	return true;
}

static void operands_text(const cs_x86 *x, struct cor_insn *insn)
{
	char *buf = insn->operands;
	size_t size = sizeof(insn->operands);
	bool first = !lost_cl(x, insn);
	buf[0] = '\0';
	if (!first)
		add(buf, size, "%%cl");
	for (unsigned i = 0; i < insn->num_ops; i++) {
		const struct cor_insn_operand *o = &insn->ops[i];
		if (o->kind == COR_OP_IMM && o->imm == 1 && is_shift_by_one(x))
			continue;
		if (!first)
			add(buf, size, ",");
		first = false;
		if (insn->flags & COR_INSN_INDIRECT)
			add(buf, size, "*");
		switch (o->kind) {
		case COR_OP_REG:
			/* binutils writes the port of in/out as "(%dx)". */
			if ((insn->id == X86_INS_IN || insn->id == X86_INS_OUT) &&
			    strcmp(o->reg_name, "dx") == 0)
				add(buf, size, "(%%dx)");
			else if (strncmp(o->reg_name, "dr", 2) == 0) /* debug registers: %db7 */
				add(buf, size, "%%db%s", o->reg_name + 2);
			else
				add(buf, size, "%%%s", o->reg_name);
			break;
		case COR_OP_IMM:
			if (insn->has_target)
				add(buf, size, "0x%" PRIx64, insn->target);
			else
				add(buf, size, "$0x%" PRIx64, mask_imm(o->imm, o->size));
			break;
		case COR_OP_MEM:
			mem_text(&o->mem, x->encoding.disp_offset != 0, buf, size);
			break;
		}
	}
}

/*
 * Whether binutils writes the size suffix: a memory operand and nothing else
 * giving the size. The descriptor-table loads/stores take a pseudo-descriptor,
 * not a sized integer: "lidt 0x6(%rsp)"; push/pop of memory are always 64-bit.
 */
static bool keeps_suffix(const struct cor_insn *insn, const char *name)
{
	static const char *const unsized[] = {"lidt", "lgdt", "sidt",	"sgdt", "lldt", "sldt",
					      "ltr",  "str",  "invlpg", "push", "pop"};
	bool mem = false;
	/* No operand, the suffix says the mode returned to: sysretq/sysretl, iretq. */
	if (strcmp(name, "sysret") == 0 || strcmp(name, "iret") == 0)
		return true;
	if (insn->flags & (COR_INSN_JUMP | COR_INSN_CALL | COR_INSN_RET))
		return false;
	for (size_t i = 0; i < sizeof(unsized) / sizeof(unsized[0]); i++)
		if (strcmp(name, unsized[i]) == 0)
			return false;
	for (unsigned i = 0; i < insn->num_ops; i++) {
		if (insn->ops[i].kind == COR_OP_REG)
			return false;
		if (insn->ops[i].kind == COR_OP_MEM)
			mem = true;
	}
	return mem;
}

/* capstone's prefix words -> binutils' ("repne" is "repnz", "rep" before cmps/scas is "repz"). */
static const char *prefix_word(const char *w, size_t n, const char *base)
{
	if (n == 5 && strncmp(w, "repne", 5) == 0)
		return "repnz";
	if (n == 3 && strncmp(w, "rep", 3) == 0 &&
	    (strncmp(base, "cmps", 4) == 0 || strncmp(base, "scas", 4) == 0))
		return "repz";
	return NULL;
}

/*
 * String instructions (opcodes 6C..6F, A4..A7, AA..AF): binutils writes both implicit
 * operands, "stos %rax,%es:(%rdi)", "movsq %ds:(%rsi),%es:(%rdi)"; capstone
 * writes one. Returns false for other opcodes.
 */
static bool string_text(const cs_x86 *x, struct cor_insn *insn, char *stem, size_t stem_size)
{
	static const char *const acc[] = {"al", "ax", "eax", "rax"};
	static const char *const sfx = "bwlq";
	uint8_t op = x->opcode[0];
	if (op >= 0x6c && op <= 0x6f) { /* ins, outs */
		snprintf(stem, stem_size, "%s%c", op < 0x6e ? "ins" : "outs",
			 !(op & 1)			     ? 'b'
			 : x->prefix[2] == X86_PREFIX_OPSIZE ? 'w'
							     : 'l');
		snprintf(insn->operands, sizeof(insn->operands), "%s",
			 op < 0x6e ? "(%dx),%es:(%rdi)" : "%ds:(%rsi),(%dx)");
		return true;
	}
	if (op < 0xa4 || op > 0xaf || op == 0xa8 || op == 0xa9) /* A8/A9: test imm,%al/%eax */
		return false;
	int sz = !(op & 1) ? 0 : (x->rex & 8) ? 3 : x->prefix[2] == X86_PREFIX_OPSIZE ? 1 : 2;
	const char *a = acc[sz];
	char *o = insn->operands;
	size_t n = sizeof(insn->operands);
	o[0] = '\0';
	switch (op & ~1) {
	case 0xa4:
		snprintf(stem, stem_size, "movs%c", sfx[sz]);
		add(o, n, "%%ds:(%%rsi),%%es:(%%rdi)");
		break;
	case 0xa6:
		snprintf(stem, stem_size, "cmps%c", sfx[sz]);
		add(o, n, "%%es:(%%rdi),%%ds:(%%rsi)");
		break;
	case 0xaa:
		snprintf(stem, stem_size, "stos");
		add(o, n, "%%%s,%%es:(%%rdi)", a);
		break;
	case 0xac:
		snprintf(stem, stem_size, "lods");
		add(o, n, "%%ds:(%%rsi),%%%s", a);
		break;
	default: /* 0xae */
		snprintf(stem, stem_size, "scas");
		add(o, n, "%%es:(%%rdi),%%%s", a);
		break;
	}
	return true;
}

/*
 * Prefix words binutils writes before the mnemonic that capstone folds away:
 * "data16" for each 0x66 beyond the one that sets the operand size, and an
 * ignored cs/ds/es/ss segment override ("data16 cs nopw 0x0(%rax,%rax,1)").
 */
static void legacy_prefix_words(struct cor_insn *insn)
{
	unsigned n66 = 0, i;
	uint8_t seg = 0;
	for (i = 0; i < insn->len && i < sizeof(insn->bytes); i++) {
		uint8_t b = insn->bytes[i];
		if (b == 0x66)
			n66++;
		else if (b == 0x2e || b == 0x3e || b == 0x26 || b == 0x36)
			seg = b;
		else if (b != 0xf0 && b != 0xf2 && b != 0xf3 && b != 0x64 && b != 0x65 && b != 0x67)
			break;
	}
	for (; n66 > 1; n66--)
		add(insn->mnemonic, sizeof(insn->mnemonic), "data16 ");
	if (seg)
		add(insn->mnemonic, sizeof(insn->mnemonic), "%s ",
		    seg == 0x2e	  ? "cs"
		    : seg == 0x3e ? "ds"
		    : seg == 0x26 ? "es"
				  : "ss");
}

void cor_disasm_att_text(const char *cs_mnemonic, const char *name, const cs_x86 *x,
			 struct cor_insn *insn)
{
	/* capstone writes prefixes as leading words: "lock incl", "rep stosq". */
	const char *base = strrchr(cs_mnemonic, ' ');
	base = base ? base + 1 : cs_mnemonic;
	char stem[32];
	snprintf(stem, sizeof(stem), "%s", base);
	size_t nl = name ? strlen(name) : 0, bl = strlen(stem);
	bool str = string_text(x, insn, stem, sizeof(stem));
	/* 64-bit mode: binutils writes pushf/popf, capstone pushfq/popfq. */
	if (strcmp(stem, "pushfq") == 0 || strcmp(stem, "popfq") == 0)
		stem[strlen(stem) - 1] = '\0';
	/* 66 90 is "xchg %ax,%ax" to binutils, "nop" to capstone. */
	if (insn->len == 2 && insn->bytes[0] == 0x66 && insn->bytes[1] == 0x90) {
		snprintf(insn->mnemonic, sizeof(insn->mnemonic), "xchg");
		snprintf(insn->operands, sizeof(insn->operands), "%%ax,%%ax");
		return;
	}
	if (!str && name && bl == nl + 1 && strncmp(stem, name, nl) == 0 &&
	    strchr("bwlq", stem[nl]) && !keeps_suffix(insn, name))
		stem[nl] = '\0';
	insn->mnemonic[0] = '\0';
	legacy_prefix_words(insn);
	for (const char *w = cs_mnemonic; w < base;) {
		const char *sp = strchr(w, ' ');
		size_t n = (size_t)(sp - w);
		const char *alt = prefix_word(w, n, stem);
		if (alt)
			add(insn->mnemonic, sizeof(insn->mnemonic), "%s ", alt);
		else
			add(insn->mnemonic, sizeof(insn->mnemonic), "%.*s ", (int)n, w);
		w = sp + 1;
	}
	add(insn->mnemonic, sizeof(insn->mnemonic), "%s", stem);
	if (!str)
		operands_text(x, insn);
}
