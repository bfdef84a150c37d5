// SPDX-License-Identifier: MIT
// crash's `dis` line layout (crash 8.0.2 passes gdb 10.2's output through
// its x86_64 dis filter, which rewrites "<sym+off>" from its own symbol
// table and tags the ftrace site), and the disassembly of a whole function.
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "coroner/disasm.h"
#include "coroner/program.h"
#include "coroner/symbols.h"

/*
 * Lowest kernel-half address (x86-64 canonical upper half). gdb names no
 * symbol below it: per-CPU symbols live at small offsets (the %gs-relative
 * "# 0x31400" of the refs has no "<sym>"), user space has none.
 */
#define KERNEL_HALF 0xffff800000000000ull

/* Longest symbol name kept (KSYM_NAME_LEN is 512 since Linux 6.1, include/linux/kallsyms.h). */
#define NAME_MAX_LEN 512

bool cor_disasm_program_symbolize(void *arg, uint64_t addr, char *name, size_t size,
				  uint64_t *offset)
{
	struct cor_program *prog = arg;
	struct cor_symbol sym;
	uint64_t off;
	struct cor_error *err = cor_program_symbol_by_addr(prog, addr, &sym, &off);
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	snprintf(name, size, "%s", sym.name);
	*offset = off;
	return true;
}

/*
 * GCC clone suffixes (gcc/ipa-*.c: ".isra.N", ".constprop.N", ".part.N"):
 * gdb names a function by its DWARF name, which has none of them.
 */
static void strip_clone_suffix(char *name)
{
	static const char *const words[] = {".isra.", ".constprop.", ".part."};
	char *cut = NULL;
	for (size_t i = 0; i < COR_ARRAY_SIZE(words); i++) {
		char *p = strstr(name, words[i]);
		if (p && p != name && (!cut || p < cut))
			cut = p;
	}
	if (cut)
		*cut = '\0';
}

bool cor_disasm_crash_symbolize(void *arg, uint64_t addr, char *name, size_t size, uint64_t *offset)
{
	if (!cor_disasm_program_symbolize(arg, addr, name, size, offset))
		return false;
	strip_clone_suffix(name);
	return true;
}

/* Appends " <name+off>" (decimal offset, gdb style) when @p addr has a symbol. */
static bool append_sym(cor_disasm_symbolize_fn sym, void *arg, uint64_t addr, unsigned flags,
		       struct cor_strbuf *out)
{
	char name[NAME_MAX_LEN];
	uint64_t off = 0;
	if (!sym || !sym(arg, addr, name, sizeof(name), &off))
		return false;
	if (!off)
		cor_strbuf_appendf(out, " <%s>", name);
	else if (flags & COR_DISASM_HEX_OFFSETS)
		cor_strbuf_appendf(out, " <%s+0x%" PRIx64 ">", name, off);
	else
		cor_strbuf_appendf(out, " <%s+%" PRIu64 ">", name, off);
	return true;
}

/* crash's x86_64 dis filter tags a function's first instruction when it is the 5-byte nop. */
static bool is_ftrace_nop(const struct cor_insn *insn, cor_disasm_symbolize_fn sym, void *arg)
{
	char name[NAME_MAX_LEN];
	uint64_t off;
	if (strcmp(insn->mnemonic, "nopl") != 0 || strcmp(insn->operands, "0x0(%rax,%rax,1)") != 0)
		return false;
	return sym && sym(arg, insn->addr, name, sizeof(name), &off) && off == 0;
}

void cor_disasm_format_text_flags(const struct cor_insn *insn, cor_disasm_symbolize_fn sym,
				  void *arg, unsigned flags, struct cor_strbuf *out)
{
	/* binutils prints the one-byte 0x90 "nop" without the mnemonic padding. */
	if (insn->len == 1 && insn->bytes[0] == 0x90)
		cor_strbuf_append(out, insn->mnemonic);
	else
		cor_strbuf_appendf(out, "%-6s %s", insn->mnemonic, insn->operands);
	if (insn->has_target)
		append_sym(sym, arg, insn->target, flags, out);
	const struct cor_insn_operand *m = cor_insn_mem_operand(insn);
	if (m && m->mem.rip_relative) {
		cor_strbuf_appendf(out, "        # 0x%" PRIx64, m->mem.addr);
		if (m->mem.addr >= KERNEL_HALF)
			append_sym(sym, arg, m->mem.addr, flags, out);
	}
	if (is_ftrace_nop(insn, sym, arg))
		cor_strbuf_append(out, " [FTRACE NOP]");
}

void cor_disasm_format_text(const struct cor_insn *insn, cor_disasm_symbolize_fn sym, void *arg,
			    struct cor_strbuf *out)
{
	cor_disasm_format_text_flags(insn, sym, arg, 0, out);
}

void cor_disasm_format_line(const struct cor_insn *insn, cor_disasm_symbolize_fn sym, void *arg,
			    struct cor_strbuf *out)
{
	cor_disasm_format_line_flags(insn, sym, arg, 0, out);
}

void cor_disasm_format_line_flags(const struct cor_insn *insn, cor_disasm_symbolize_fn sym,
				  void *arg, unsigned flags, struct cor_strbuf *out)
{
	cor_strbuf_appendf(out, "0x%" PRIx64, insn->addr);
	append_sym(sym, arg, insn->addr, flags, out);
	cor_strbuf_append(out, ":\t");
	cor_disasm_format_text_flags(insn, sym, arg, flags, out);
}

/* Page size of the x86-64 kernel mappings that a read may end at
 * (arch/x86/include/asm/page_types.h). */
#define PAGE 4096u

struct cor_error *cor_disasm_decode_at(struct cor_disasm *d, struct cor_program *prog,
				       uint64_t addr, struct cor_insn *ret)
{
	uint8_t buf[16];
	size_t len = sizeof(buf);
	struct cor_error *err = cor_program_read(prog, addr, buf, len);
	if (err) {
		/* The instruction may end before a page that is not in the dump. */
		size_t to_page_end = PAGE - (addr & (PAGE - 1));
		if (to_page_end >= len)
			return err;
		cor_error_destroy(err);
		len = to_page_end;
		err = cor_program_read(prog, addr, buf, len);
		if (err)
			return err;
	}
	return cor_disasm_decode(d, buf, len, addr, ret);
}

void cor_disasm_func_deinit(struct cor_disasm_func *f)
{
	if (!f)
		return;
	free(f->name);
	free(f->module);
	free(f->code);
	cor_vec_deinit(&f->insns);
	memset(f, 0, sizeof(*f));
}

long cor_disasm_func_find(const struct cor_disasm_func *f, uint64_t addr)
{
	size_t lo = 0, hi = f->insns.len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct cor_insn *in = cor_vec_at(&f->insns, mid);
		if (in->addr == addr)
			return (long)mid;
		if (in->addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/*
 * kallsyms has no sizes: a vmlinux symbol's size is the distance to the next
 * one and includes the padding that aligns the next function
 * (-falign-functions, arch/x86/Makefile): nops, or int3 after a jmp. crash
 * and gdb end a function at its ELF st_size, before that padding. No function
 * ends with a nop (it would fall into the next one). int3s after a ret belong
 * to the function up to four: the kernel patches each 5-byte
 * "jmp __x86_return_thunk" into "ret; int3; int3; int3; int3"
 * (arch/x86/kernel/alternative.c patch_return(), Linux 5.19+).
 */
static void trim_padding(struct cor_disasm_func *f)
{
	size_t n = f->insns.len;
	while (n > 1) {
		const struct cor_insn *last = cor_vec_at(&f->insns, n - 1);
		if (!(last->flags & COR_INSN_NOP))
			break;
		n--;
	}
	size_t first_int3 = n;
	while (first_int3 > 1) {
		const struct cor_insn *in = cor_vec_at(&f->insns, first_int3 - 1);
		if (in->len != 1 || in->bytes[0] != 0xcc)
			break;
		first_int3--;
	}
	if (first_int3 < n && first_int3 > 0) {
		const struct cor_insn *before = cor_vec_at(&f->insns, first_int3 - 1);
		size_t keep = (before->flags & COR_INSN_RET) ? 4 : 0;
		n = COR_MIN(n, first_int3 + keep);
	}
	f->insns.len = n;
}

struct cor_error *cor_disasm_function(struct cor_disasm *d, struct cor_program *prog, uint64_t addr,
				      struct cor_disasm_func *ret)
{
	struct cor_symbol sym;
	uint64_t off;
	struct cor_error *err = cor_program_symbol_by_addr(prog, addr, &sym, &off);
	if (err)
		return cor_error_wrap(err, "no function at 0x%" PRIx64, addr);
	if (sym.size == 0 || sym.size > COR_DISASM_MAX_FUNC)
		return cor_error_at(COR_ERR_CORRUPT, addr, "%s: implausible size %" PRIu64,
				    sym.name, sym.size);
	struct cor_disasm_func f = {0};
	cor_vec_init(&f.insns, sizeof(struct cor_insn));
	f.start = sym.addr;
	f.size = sym.size;
	f.name = strdup(sym.name);
	f.module = sym.module ? strdup(sym.module) : NULL;
	f.code = malloc(sym.size);
	if (!f.name || !f.code || (sym.module && !f.module)) {
		cor_disasm_func_deinit(&f);
		return &cor_enomem;
	}
	err = cor_program_read(prog, f.start, f.code, f.size);
	if (!err)
		err = cor_disasm_parse_mem(d, f.code, f.size, f.start, &f.insns);
	if (err) {
		cor_disasm_func_deinit(&f);
		return cor_error_wrap(err, "disassembling %s", sym.name);
	}
	trim_padding(&f);
	*ret = f;
	return NULL;
}
