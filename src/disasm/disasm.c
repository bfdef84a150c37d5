// SPDX-License-Identifier: MIT
// x86-64 decoding with capstone (the only user of capstone in coroner) and
// structured facts about each instruction. capstone 4's AT&T printer differs
// from gdb's (which crash prints): it always writes a size suffix, decimal
// immediates, ", " between operands, "(%rax, %rax)" without the scale. So the
// operand text is rebuilt here from capstone's detail, the gdb/objdump way;
// src/disasm/format.c adds symbols and crash's line layout.
#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "coroner/disasm.h"
#include "disasm/internal.h"

struct cor_disasm {
	csh handle;
	cs_insn *ci;
};

static const char *const reg_names[COR_REG_NUM] = {
    "",	  "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",   "r8",
    "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "flags", "other",
};

const char *cor_reg_name(enum cor_reg reg)
{
	return (unsigned)reg < COR_REG_NUM ? reg_names[reg] : "";
}

static const char *const cond_names[] = {"o",  "no", "b",    "ae",   "e",  "ne", "be",
					 "a",  "s",  "ns",   "p",    "np", "l",	 "ge",
					 "le", "g",  "rcxz", "loop", ""};

const char *cor_cond_name(enum cor_cond cond)
{
	return (unsigned)cond <= COR_COND_NONE ? cond_names[cond] : "";
}

enum cor_cond cor_cond_negate(enum cor_cond cond)
{
	/* The encoding pairs each condition with its negation in the low bit. */
	return cond < COR_COND_RCXZ ? (enum cor_cond)(cond ^ 1) : cond;
}

const struct cor_insn_operand *cor_insn_mem_operand(const struct cor_insn *insn)
{
	for (unsigned i = 0; i < insn->num_ops; i++)
		if (insn->ops[i].kind == COR_OP_MEM)
			return &insn->ops[i];
	return NULL;
}

struct cor_error *cor_disasm_create(struct cor_disasm **ret)
{
	struct cor_disasm *d = calloc(1, sizeof(*d));
	if (!d)
		return &cor_enomem;
	cs_err err = cs_open(CS_ARCH_X86, CS_MODE_64, &d->handle);
	if (err == CS_ERR_OK)
		err = cs_option(d->handle, CS_OPT_DETAIL, CS_OPT_ON);
	if (err == CS_ERR_OK)
		err = cs_option(d->handle, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
	if (err != CS_ERR_OK) {
		struct cor_error *e =
		    cor_error_create(COR_ERR_UNSUPPORTED, "capstone: %s", cs_strerror(err));
		if (d->handle)
			cs_close(&d->handle);
		free(d);
		return e;
	}
	d->ci = cs_malloc(d->handle);
	if (!d->ci) {
		cs_close(&d->handle);
		free(d);
		return &cor_enomem;
	}
	*ret = d;
	return NULL;
}

void cor_disasm_destroy(struct cor_disasm *d)
{
	if (!d)
		return;
	cs_free(d->ci, 1);
	cs_close(&d->handle);
	free(d);
}

/* Family of a register from its capstone name: "al", "r13d", "spl", "eip"... */
static enum cor_reg reg_family(const char *name)
{
	static const char *const legacy[8][5] = {
	    {"al", "ah", "ax", "eax", "rax"}, {"cl", "ch", "cx", "ecx", "rcx"},
	    {"dl", "dh", "dx", "edx", "rdx"}, {"bl", "bh", "bx", "ebx", "rbx"},
	    {"spl", "sp", "esp", "rsp", ""},  {"bpl", "bp", "ebp", "rbp", ""},
	    {"sil", "si", "esi", "rsi", ""},  {"dil", "di", "edi", "rdi", ""},
	};
	if (!name || !*name)
		return COR_REG_NONE;
	for (int f = 0; f < 8; f++)
		for (int k = 0; k < 5; k++)
			if (legacy[f][k][0] && strcmp(name, legacy[f][k]) == 0)
				return (enum cor_reg)(COR_REG_RAX + f);
	if (name[0] == 'r' && name[1] >= '0' && name[1] <= '9') {
		int n = atoi(name + 1);
		if (n >= 8 && n <= 15)
			return (enum cor_reg)(COR_REG_R8 + (n - 8));
	}
	if (strcmp(name, "rip") == 0 || strcmp(name, "eip") == 0 || strcmp(name, "ip") == 0)
		return COR_REG_RIP;
	if (strcmp(name, "eflags") == 0 || strcmp(name, "flags") == 0 ||
	    strcmp(name, "rflags") == 0)
		return COR_REG_FLAGS;
	return COR_REG_OTHER;
}

static enum cor_seg seg_of(x86_reg r)
{
	switch (r) {
	case X86_REG_ES:
		return COR_SEG_ES;
	case X86_REG_CS:
		return COR_SEG_CS;
	case X86_REG_SS:
		return COR_SEG_SS;
	case X86_REG_DS:
		return COR_SEG_DS;
	case X86_REG_FS:
		return COR_SEG_FS;
	case X86_REG_GS:
		return COR_SEG_GS;
	default:
		return COR_SEG_NONE;
	}
}

static void copy_name(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* Condition code from the opcode: 7x / 0F 8x (jcc), 0F 4x (cmovcc), 0F 9x (setcc). */
static enum cor_cond cond_of(const cs_x86 *x, unsigned id)
{
	uint8_t o0 = x->opcode[0], o1 = x->opcode[1];
	if (id == X86_INS_JRCXZ || id == X86_INS_JECXZ || id == X86_INS_JCXZ)
		return COR_COND_RCXZ;
	if (id == X86_INS_LOOP || id == X86_INS_LOOPE || id == X86_INS_LOOPNE)
		return COR_COND_LOOP;
	if (o0 >= 0x70 && o0 <= 0x7f)
		return (enum cor_cond)(o0 & 0xf);
	if (o0 == 0x0f && ((o1 >= 0x80 && o1 <= 0x9f) || (o1 >= 0x40 && o1 <= 0x4f)))
		return (enum cor_cond)(o1 & 0xf);
	return COR_COND_NONE;
}

static void fill_mem(csh h, const cs_x86_op *op, const cs_insn *ci, struct cor_insn_mem *m)
{
	m->base = op->mem.base ? reg_family(cs_reg_name(h, op->mem.base)) : COR_REG_NONE;
	m->index = op->mem.index ? reg_family(cs_reg_name(h, op->mem.index)) : COR_REG_NONE;
	copy_name(m->base_name, sizeof(m->base_name),
		  op->mem.base ? cs_reg_name(h, op->mem.base) : "");
	copy_name(m->index_name, sizeof(m->index_name),
		  op->mem.index ? cs_reg_name(h, op->mem.index) : "");
	m->scale = op->mem.scale > 0 ? (unsigned)op->mem.scale : 1;
	m->disp = op->mem.disp;
	m->seg = seg_of(op->mem.segment);
	if (m->base == COR_REG_RIP) {
		m->rip_relative = true;
		m->has_addr = true;
		m->addr = ci->address + ci->size + (uint64_t)m->disp;
	} else if (m->base == COR_REG_NONE && m->index == COR_REG_NONE) {
		m->has_addr = true;
		m->addr = (uint64_t)m->disp;
	}
}

/* Operand facts from capstone's detail (AT&T order in AT&T mode). */
static void fill_operands(csh h, const cs_insn *ci, struct cor_insn *insn)
{
	const cs_x86 *x = &ci->detail->x86;
	insn->num_ops = 0;
	for (unsigned i = 0; i < x->op_count && insn->num_ops < COR_INSN_MAX_OPS; i++) {
		const cs_x86_op *op = &x->operands[i];
		struct cor_insn_operand *o = &insn->ops[insn->num_ops];
		memset(o, 0, sizeof(*o));
		o->size = op->size;
		o->read = (op->access & CS_AC_READ) != 0;
		o->written = (op->access & CS_AC_WRITE) != 0;
		switch (op->type) {
		case X86_OP_REG:
			o->kind = COR_OP_REG;
			o->reg = reg_family(cs_reg_name(h, op->reg));
			copy_name(o->reg_name, sizeof(o->reg_name), cs_reg_name(h, op->reg));
			break;
		case X86_OP_IMM:
			o->kind = COR_OP_IMM;
			o->imm = op->imm;
			break;
		case X86_OP_MEM:
			o->kind = COR_OP_MEM;
			fill_mem(h, op, ci, &o->mem);
			break;
		default:
			continue;
		}
		insn->num_ops++;
	}
}

static bool in_group(const cs_insn *ci, uint8_t group)
{
	for (unsigned i = 0; i < ci->detail->groups_count; i++)
		if (ci->detail->groups[i] == group)
			return true;
	return false;
}

static uint32_t kind_flags(const cs_insn *ci, const struct cor_insn *insn)
{
	const cs_x86 *x = &ci->detail->x86;
	uint32_t f = 0;
	if (in_group(ci, CS_GRP_JUMP))
		f |= COR_INSN_JUMP;
	if (in_group(ci, CS_GRP_CALL))
		f |= COR_INSN_CALL;
	if (in_group(ci, CS_GRP_RET) || in_group(ci, CS_GRP_IRET))
		f |= COR_INSN_RET;
	if ((f & COR_INSN_JUMP) && insn->cond != COR_COND_NONE)
		f |= COR_INSN_COND;
	if ((f & (COR_INSN_JUMP | COR_INSN_CALL)) && !in_group(ci, CS_GRP_BRANCH_RELATIVE))
		f |= COR_INSN_INDIRECT;
	switch (ci->id) {
	case X86_INS_INT3:
	case X86_INS_INT:
	case X86_INS_INT1:
	case X86_INS_INTO:
	case X86_INS_UD2:
	case X86_INS_UD2B:
	case X86_INS_UD0:
		f |= COR_INSN_TRAP;
		break;
	case X86_INS_HLT:
		f |= COR_INSN_HLT;
		break;
	case X86_INS_PAUSE:
		f |= COR_INSN_PAUSE;
		break;
	case X86_INS_NOP:
	case X86_INS_FNOP:
		f |= COR_INSN_NOP;
		break;
	case X86_INS_STI:
	case X86_INS_CLI:
	case X86_INS_POPF:
	case X86_INS_POPFQ:
		f |= COR_INSN_IRQ_FLAG;
		break;
	default:
		break;
	}
	/* Flag bits of capstone's x86.h: MODIFY/RESET/SET/UNDEFINED write, TEST reads. */
	uint64_t writes = X86_EFLAGS_MODIFY_CF | X86_EFLAGS_MODIFY_ZF | X86_EFLAGS_MODIFY_SF |
			  X86_EFLAGS_MODIFY_OF | X86_EFLAGS_MODIFY_PF | X86_EFLAGS_RESET_CF |
			  X86_EFLAGS_RESET_OF | X86_EFLAGS_SET_CF;
	uint64_t reads = X86_EFLAGS_TEST_CF | X86_EFLAGS_TEST_ZF | X86_EFLAGS_TEST_SF |
			 X86_EFLAGS_TEST_OF | X86_EFLAGS_TEST_PF;
	if (!(f & (COR_INSN_JUMP | COR_INSN_CALL | COR_INSN_RET)) && (x->eflags & writes))
		f |= COR_INSN_SETS_FLAGS;
	if ((x->eflags & reads) || insn->cond <= COR_COND_G)
		f |= COR_INSN_READS_FLAGS;
	if (x->prefix[0] == X86_PREFIX_LOCK)
		f |= COR_INSN_LOCK;
	if (x->prefix[0] == X86_PREFIX_REP || x->prefix[0] == X86_PREFIX_REPNE)
		f |= COR_INSN_REP;
	return f;
}

static void fill_regs(csh h, const cs_insn *ci, struct cor_insn *insn)
{
	cs_regs rd, wr;
	uint8_t nrd = 0, nwr = 0;
	if (cs_regs_access(h, ci, rd, &nrd, wr, &nwr) != CS_ERR_OK)
		return;
	for (unsigned i = 0; i < nrd; i++)
		insn->regs_read |= COR_REG_BIT(reg_family(cs_reg_name(h, rd[i])));
	for (unsigned i = 0; i < nwr; i++)
		insn->regs_written |= COR_REG_BIT(reg_family(cs_reg_name(h, wr[i])));
	if (insn->flags & COR_INSN_SETS_FLAGS)
		insn->regs_written |= COR_REG_BIT(COR_REG_FLAGS);
	if (insn->flags & COR_INSN_READS_FLAGS)
		insn->regs_read |= COR_REG_BIT(COR_REG_FLAGS);
}

/*
 * capstone 4 marks the operands of test (and some compares) as written;
 * cmp, test and bt only write the flags.
 */
static void fix_compare_access(struct cor_insn *insn)
{
	if (insn->id != X86_INS_CMP && insn->id != X86_INS_TEST && insn->id != X86_INS_BT)
		return;
	insn->regs_written &= COR_REG_BIT(COR_REG_FLAGS);
	for (unsigned i = 0; i < insn->num_ops; i++)
		insn->ops[i].written = false;
}

static void set_bad(const uint8_t *code, uint64_t addr, struct cor_insn *insn)
{
	memset(insn, 0, sizeof(*insn));
	insn->addr = addr;
	insn->len = 1;
	insn->bytes[0] = code[0];
	insn->flags = COR_INSN_INVALID;
	insn->cond = COR_COND_NONE;
	snprintf(insn->mnemonic, sizeof(insn->mnemonic), "(bad)");
}

/*
 * Fixed-encoding instructions that capstone 4.0 does not know, with
 * binutils' text (opcodes/i386-dis.c), so that a linear sweep through
 * kernel code that uses them (sync_core(): serialize; TDX guests: tdcall)
 * does not fall out of step.
 */
static const struct {
	uint8_t bytes[5];
	uint8_t len;
	const char *mnemonic;
	const char *operands;
} extra[] = {
    {{0x0f, 0x01, 0xe8}, 3, "serialize", ""},
    {{0x66, 0x0f, 0x01, 0xcc}, 4, "tdcall", ""},
    {{0x66, 0x0f, 0x01, 0xcf}, 4, "seamcall", ""},
    {{0x66, 0x0f, 0x01, 0xcd}, 4, "seamret", ""},
    {{0x0f, 0x01, 0xc5}, 3, "pconfig", ""},
    {{0xf2, 0x0f, 0x01, 0xe8}, 4, "xsusldtrk", ""},
    {{0xf2, 0x0f, 0x01, 0xe9}, 4, "xresldtrk", ""},
    {{0xf3, 0x0f, 0x01, 0xec}, 4, "uiret", ""},
    {{0xf3, 0x0f, 0x01, 0xed}, 4, "testui", ""},
    {{0xf3, 0x0f, 0x01, 0xee}, 4, "clui", ""},
    {{0xf3, 0x0f, 0x01, 0xef}, 4, "stui", ""},
    {{0x0f, 0x01, 0xfa}, 3, "monitorx", "%rax,%ecx,%edx"},
    {{0x0f, 0x01, 0xfb}, 3, "mwaitx", "%eax,%ecx,%ebx"},
    {{0x0f, 0x01, 0xc8}, 3, "monitor", "%rax,%ecx,%edx"},
    {{0x0f, 0x01, 0xc9}, 3, "mwait", "%eax,%ecx"},
    {{0x0f, 0x01, 0xee}, 3, "rdpkru", ""},
    {{0x0f, 0x01, 0xef}, 3, "wrpkru", ""},
    {{0xf3, 0x0f, 0x01, 0xd9}, 4, "vmgexit", ""},
    {{0xf3, 0x0f, 0x01, 0xfe}, 4, "rmpadjust", ""},
    {{0xf2, 0x0f, 0x01, 0xfe}, 4, "rmpupdate", ""},
    {{0xf3, 0x0f, 0x01, 0xff}, 4, "psmash", ""},
    {{0xf2, 0x0f, 0x01, 0xff}, 4, "pvalidate", ""},
    {{0x66, 0x0f, 0xae, 0xf1}, 4, "tpause", "%ecx"},
    {{0xc4, 0xe2, 0x78, 0x49, 0xc0}, 5, "tilerelease", ""},
};

/*
 * ud1 with a register ModRM (0F B9 /r, mod 3): capstone 4 decodes "0f b9" as
 * a 2-byte "ud2b" and the ModRM byte as the next instruction. The kernel
 * emits "ud1 %esp,%ecx" (0f b9 cc) as a trap (UBSAN, objtool's annotations).
 */
static bool decode_ud1(const uint8_t *code, size_t len, uint64_t addr, struct cor_insn *ret)
{
	static const char *const r32[] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
	if (len < 3 || code[0] != 0x0f || code[1] != 0xb9 || (code[2] >> 6) != 3)
		return false;
	memset(ret, 0, sizeof(*ret));
	ret->addr = addr;
	ret->len = 3;
	memcpy(ret->bytes, code, 3);
	ret->cond = COR_COND_NONE;
	ret->flags = COR_INSN_TRAP;
	ret->id = X86_INS_UD2B;
	snprintf(ret->mnemonic, sizeof(ret->mnemonic), "ud1");
	snprintf(ret->operands, sizeof(ret->operands), "%%%s,%%%s", r32[code[2] & 7],
		 r32[(code[2] >> 3) & 7]);
	return true;
}

static bool decode_extra(const uint8_t *code, size_t len, uint64_t addr, struct cor_insn *ret)
{
	if (decode_ud1(code, len, addr, ret))
		return true;
	for (size_t i = 0; i < COR_ARRAY_SIZE(extra); i++) {
		if (len < extra[i].len || memcmp(code, extra[i].bytes, extra[i].len) != 0)
			continue;
		memset(ret, 0, sizeof(*ret));
		ret->addr = addr;
		ret->len = extra[i].len;
		memcpy(ret->bytes, code, extra[i].len);
		ret->cond = COR_COND_NONE;
		snprintf(ret->mnemonic, sizeof(ret->mnemonic), "%s", extra[i].mnemonic);
		snprintf(ret->operands, sizeof(ret->operands), "%s", extra[i].operands);
		return true;
	}
	return false;
}

struct cor_error *cor_disasm_decode(struct cor_disasm *d, const void *code, size_t len,
				    uint64_t addr, struct cor_insn *ret)
{
	if (len == 0)
		return cor_error_at(COR_ERR_TRUNCATED, addr, "no code bytes at 0x%" PRIx64, addr);
	const uint8_t *p = code;
	size_t left = len;
	uint64_t a = addr;
	struct cor_insn insn;
	/* First: capstone decodes some of these as something else (vmgexit as vmmcall). */
	if (decode_extra(code, len, addr, ret))
		return NULL;
	if (!cs_disasm_iter(d->handle, &p, &left, &a, d->ci)) {
		set_bad(code, addr, ret);
		return NULL;
	}
	const cs_insn *ci = d->ci;
	memset(&insn, 0, sizeof(insn));
	insn.addr = addr;
	insn.len = (uint8_t)ci->size;
	memcpy(insn.bytes, ci->bytes, COR_MIN(sizeof(insn.bytes), (size_t)ci->size));
	insn.id = ci->id;
	insn.cond = cond_of(&ci->detail->x86, ci->id);
	fill_operands(d->handle, ci, &insn);
	insn.flags = kind_flags(ci, &insn);
	if ((insn.flags & (COR_INSN_JUMP | COR_INSN_CALL)) && !(insn.flags & COR_INSN_INDIRECT) &&
	    insn.num_ops == 1 && insn.ops[0].kind == COR_OP_IMM) {
		insn.has_target = true;
		insn.target = (uint64_t)insn.ops[0].imm;
	}
	fill_regs(d->handle, ci, &insn);
	fix_compare_access(&insn);
	cor_disasm_att_text(ci->mnemonic, cs_insn_name(d->handle, ci->id), &ci->detail->x86, &insn);
	*ret = insn;
	return NULL;
}

struct cor_error *cor_disasm_parse_mem(struct cor_disasm *d, const void *code, size_t len,
				       uint64_t addr, struct cor_vec *insns)
{
	const uint8_t *p = code;
	size_t off = 0;
	while (off < len) {
		struct cor_insn insn;
		struct cor_error *err = cor_disasm_decode(d, p + off, len - off, addr + off, &insn);
		if (err)
			return err;
		if (insn.len == 0 || insn.len > len - off)
			set_bad(p + off, addr + off, &insn);
		err = cor_vec_push(insns, &insn);
		if (err)
			return err;
		off += insn.len;
	}
	return NULL;
}
