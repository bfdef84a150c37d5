/* SPDX-License-Identifier: MIT */
/**
 * @file disasm.h
 * x86-64 disassembly (capstone underneath, AT&T syntax) with the output of
 * crash's `dis` (which is gdb's): "0xADDR <sym+off>:\tmnemonic operands",
 * the mnemonic padded to 6 columns plus a space, RIP-relative operands
 * followed by "        # 0xADDR <sym+off>", branch targets symbolized, and
 * crash's " [FTRACE NOP]" on the 5-byte nop at a function's first byte.
 *
 * Each decoded instruction also carries structured facts (kind, condition,
 * target, memory operands with their absolute address when RIP-relative,
 * registers read and written) for the control-flow graph (cfg.h) and the
 * diagnosis. Implementation: src/disasm/.
 */
#ifndef CORONER_DISASM_H
#define CORONER_DISASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coroner/base.h"
#include "coroner/error.h"

struct cor_program;

/** General-purpose register families (any width maps to its 64-bit family), RIP, flags. */
enum cor_reg {
	COR_REG_NONE,
	COR_REG_RAX,
	COR_REG_RCX,
	COR_REG_RDX,
	COR_REG_RBX,
	COR_REG_RSP,
	COR_REG_RBP,
	COR_REG_RSI,
	COR_REG_RDI,
	COR_REG_R8,
	COR_REG_R9,
	COR_REG_R10,
	COR_REG_R11,
	COR_REG_R12,
	COR_REG_R13,
	COR_REG_R14,
	COR_REG_R15,
	COR_REG_RIP,
	COR_REG_FLAGS,
	/** Any other register (segment, vector, control, FPU...). */
	COR_REG_OTHER,
	COR_REG_NUM
};

/** Bit of @p r in a register set (cor_insn.regs_read / regs_written). */
#define COR_REG_BIT(r) (1u << (r))

/** 64-bit name of a register family ("rax", ..., "rip", "flags"); "" for NONE. */
const char *cor_reg_name(enum cor_reg reg);

/** x86 condition codes in encoding order (the low nibble of Jcc/SETcc/CMOVcc). */
enum cor_cond {
	COR_COND_O,
	COR_COND_NO,
	COR_COND_B,
	COR_COND_AE,
	COR_COND_E,
	COR_COND_NE,
	COR_COND_BE,
	COR_COND_A,
	COR_COND_S,
	COR_COND_NS,
	COR_COND_P,
	COR_COND_NP,
	COR_COND_L,
	COR_COND_GE,
	COR_COND_LE,
	COR_COND_G,
	/** rCX == 0 (jrcxz/jecxz). */
	COR_COND_RCXZ,
	/** loop/loope/loopne: rCX decremented, then != 0 (and ZF for loope/loopne). */
	COR_COND_LOOP,
	COR_COND_NONE
};

/** The opposite condition (NONE, RCXZ and LOOP stay unchanged). */
enum cor_cond cor_cond_negate(enum cor_cond cond);
/** Suffix of the condition as in "jne": "ne", "a", ...; "" for NONE. */
const char *cor_cond_name(enum cor_cond cond);

/** cor_insn.flags bits. */
enum {
	/** Any jump: jmp, jcc, loop, jrcxz. */
	COR_INSN_JUMP = 1u << 0,
	/** A conditional jump (cor_insn.cond says when it is taken). */
	COR_INSN_COND = 1u << 1,
	COR_INSN_CALL = 1u << 2,
	/** ret, iret, sysret, ... */
	COR_INSN_RET = 1u << 3,
	/** Jump or call through a register or memory (no static target). */
	COR_INSN_INDIRECT = 1u << 4,
	/** int3, ud2, int N (ud2 is also WARN(): execution may continue after it). */
	COR_INSN_TRAP = 1u << 5,
	COR_INSN_HLT = 1u << 6,
	/** pause (rep nop): the body of a spin-wait. */
	COR_INSN_PAUSE = 1u << 7,
	COR_INSN_NOP = 1u << 8,
	/** Bytes capstone cannot decode: a 1-byte "(bad)". */
	COR_INSN_INVALID = 1u << 9,
	/** Writes (some of) the arithmetic flags. */
	COR_INSN_SETS_FLAGS = 1u << 10,
	/** Reads the arithmetic flags (jcc, cmovcc, setcc, adc, ...). */
	COR_INSN_READS_FLAGS = 1u << 11,
	COR_INSN_LOCK = 1u << 12,
	COR_INSN_REP = 1u << 13,
	/** sti, cli, popf: changes the interrupt flag. */
	COR_INSN_IRQ_FLAG = 1u << 14,
};

/** Segment override of a memory operand. */
enum cor_seg {
	COR_SEG_NONE,
	COR_SEG_ES,
	COR_SEG_CS,
	COR_SEG_SS,
	COR_SEG_DS,
	COR_SEG_FS,
	COR_SEG_GS
};

/** A memory operand: seg:disp(base,index,scale). */
struct cor_insn_mem {
	enum cor_reg base;
	enum cor_reg index;
	/** Register names as written ("eax", "r13d"), "" when absent. */
	char base_name[8];
	char index_name[8];
	unsigned scale;
	int64_t disp;
	enum cor_seg seg;
	/** RIP-relative: @ref addr is the absolute address (rip of the next insn + disp). */
	bool rip_relative;
	/**
	 * Whether @ref addr is known: RIP-relative, or no base and no index
	 * (absolute). With a %gs/%fs segment it is an offset into the per-CPU area.
	 */
	bool has_addr;
	uint64_t addr;
};

/** Kinds of operand. */
enum cor_operand_kind { COR_OP_REG = 1, COR_OP_IMM, COR_OP_MEM };

/** One operand, in AT&T order (sources first, destination last). */
struct cor_insn_operand {
	enum cor_operand_kind kind;
	/** Size in bytes. */
	uint8_t size;
	bool read;
	bool written;
	/** COR_OP_REG: the family, and the name as written ("al"). */
	enum cor_reg reg;
	char reg_name[8];
	/** COR_OP_IMM: the value (sign-extended as the CPU does). */
	int64_t imm;
	/** COR_OP_MEM. */
	struct cor_insn_mem mem;
};

/** Maximum operands kept per instruction. */
#define COR_INSN_MAX_OPS 4

/** A decoded instruction. Plain data: copy it freely. */
struct cor_insn {
	uint64_t addr;
	uint8_t len;
	uint8_t bytes[16];
	/** As gdb prints it: "mov", "testb", "lock incl", "(bad)". */
	char mnemonic[32];
	/** Operands as gdb prints them, without symbols or the "# addr" comment. */
	char operands[160];
	/** COR_INSN_* bits. */
	uint32_t flags;
	/** The condition of a jcc/cmovcc/setcc; COR_COND_NONE otherwise. */
	enum cor_cond cond;
	/** Direct jump/call target. */
	bool has_target;
	uint64_t target;
	uint8_t num_ops;
	struct cor_insn_operand ops[COR_INSN_MAX_OPS];
	/** COR_REG_BIT() sets, explicit and implicit operands. */
	uint32_t regs_read;
	uint32_t regs_written;
	/** capstone's instruction id (x86_insn), for callers that need finer distinctions. */
	unsigned id;
};

/** True if @p insn is a conditional jump. */
static inline bool cor_insn_is_cond_jump(const struct cor_insn *insn)
{
	return (insn->flags & (COR_INSN_JUMP | COR_INSN_COND)) == (COR_INSN_JUMP | COR_INSN_COND);
}

/** The memory operand of @p insn (at most one is not implicit on x86), or NULL. */
const struct cor_insn_operand *cor_insn_mem_operand(const struct cor_insn *insn);

/** A disassembler (a capstone handle). Not thread-safe: one per thread. */
struct cor_disasm;

/** Creates a disassembler; free it with cor_disasm_destroy(). UNSUPPORTED if capstone fails. */
struct cor_error *cor_disasm_create(struct cor_disasm **ret) COR_MUST_CHECK;
/** Frees @p d; NULL does nothing. */
void cor_disasm_destroy(struct cor_disasm *d);

/**
 * Decodes the instruction at the start of @p code (@p len bytes available,
 * located at @p addr). Undecodable bytes give a 1-byte instruction with
 * COR_INSN_INVALID and mnemonic "(bad)", not an error. TRUNCATED if @p len is 0.
 */
struct cor_error *cor_disasm_decode(struct cor_disasm *d, const void *code, size_t len,
				    uint64_t addr, struct cor_insn *ret) COR_MUST_CHECK;

/**
 * Decodes the instruction at kernel address @p addr of @p prog (reading up to
 * 16 bytes, fewer when the next page is not in the dump). FAULT/EXCLUDED if
 * the first byte cannot be read.
 */
struct cor_error *cor_disasm_decode_at(struct cor_disasm *d, struct cor_program *prog,
				       uint64_t addr, struct cor_insn *ret) COR_MUST_CHECK;

/**
 * Decodes @p len bytes at @p addr by linear sweep into @p insns (a vector of
 * struct cor_insn, appended to; initialize it with cor_vec_init()). An
 * instruction that would run past the end is decoded as "(bad)" bytes.
 * This is the memory entry point used by the fuzz target.
 */
struct cor_error *cor_disasm_parse_mem(struct cor_disasm *d, const void *code, size_t len,
				       uint64_t addr, struct cor_vec *insns) COR_MUST_CHECK;

/**
 * Symbolizer used when formatting: on success writes the symbol's name into
 * @p name (NUL-terminated, truncated to @p size) and the offset of @p addr
 * into it, and returns true.
 */
typedef bool (*cor_disasm_symbolize_fn)(void *arg, uint64_t addr, char *name, size_t size,
					uint64_t *offset);

/** A symbolizer over a program's symbols (@p arg is the struct cor_program *). */
bool cor_disasm_program_symbolize(void *arg, uint64_t addr, char *name, size_t size,
				  uint64_t *offset);
/**
 * The symbolizer of crash's dis: like cor_disasm_program_symbolize() without
 * GCC's clone suffixes (".isra.0", ".constprop.0", ".part.0"), because gdb
 * names functions by their DWARF names. Among several symbols at one address
 * crash takes the first of the vmlinux .symtab, which kallsyms does not
 * record: such aliases may be named differently.
 */
bool cor_disasm_crash_symbolize(void *arg, uint64_t addr, char *name, size_t size,
				uint64_t *offset);

/** Formatting flags. */
enum {
	/** Symbol offsets in hex ("<f+0x15>", crash's dis -x) instead of decimal ("<f+21>"). */
	COR_DISASM_HEX_OFFSETS = 1u << 0,
};

/**
 * Appends the text of @p insn as crash prints it after the "0xADDR <sym+off>:\t"
 * prefix: mnemonic padded to 6 + space, operands, branch target symbols, the
 * "        # 0xADDR <sym+off>" comment of a RIP-relative operand, " [FTRACE NOP]".
 * @p sym may be NULL (no symbols). No newline.
 */
void cor_disasm_format_text(const struct cor_insn *insn, cor_disasm_symbolize_fn sym, void *arg,
			    struct cor_strbuf *out);
/** cor_disasm_format_text() with COR_DISASM_* @p flags. */
void cor_disasm_format_text_flags(const struct cor_insn *insn, cor_disasm_symbolize_fn sym,
				  void *arg, unsigned flags, struct cor_strbuf *out);

/** Appends a whole crash `dis` line: "0xADDR <sym+off>:\t" + cor_disasm_format_text(). No newline.
 */
void cor_disasm_format_line(const struct cor_insn *insn, cor_disasm_symbolize_fn sym, void *arg,
			    struct cor_strbuf *out);
/** cor_disasm_format_line() with COR_DISASM_* @p flags. */
void cor_disasm_format_line_flags(const struct cor_insn *insn, cor_disasm_symbolize_fn sym,
				  void *arg, unsigned flags, struct cor_strbuf *out);

/** A disassembled function. Free with cor_disasm_func_deinit(). */
struct cor_disasm_func {
	/** Symbol name (malloc'ed, owned) and module name (malloc'ed or NULL). */
	char *name;
	char *module;
	uint64_t start;
	uint64_t size;
	/** The code bytes (malloc'ed, owned; @ref size bytes). */
	uint8_t *code;
	/** struct cor_insn, in address order. */
	struct cor_vec insns;
};

/** Largest function this library disassembles (bounds reads of garbage symbol sizes). */
#define COR_DISASM_MAX_FUNC (1u << 20)

/**
 * Disassembles the function containing @p addr (its start and size from
 * cor_program_symbol_by_addr()). Trailing nops (the alignment padding that a
 * kallsyms size includes) are left out of insns, as crash and gdb do. NOT_FOUND without a symbol;
 * CORRUPT when its size is 0 or above COR_DISASM_MAX_FUNC; FAULT/EXCLUDED if its text is not in the
 * dump. *ret is filled on success only.
 */
struct cor_error *cor_disasm_function(struct cor_disasm *d, struct cor_program *prog, uint64_t addr,
				      struct cor_disasm_func *ret) COR_MUST_CHECK;
/** Frees what @p f owns. */
void cor_disasm_func_deinit(struct cor_disasm_func *f);
/** Index of the instruction of @p f starting at @p addr, or -1. */
long cor_disasm_func_find(const struct cor_disasm_func *f, uint64_t addr);

#endif
