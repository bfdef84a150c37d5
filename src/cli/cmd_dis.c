// SPDX-License-Identifier: MIT
// `dis`: disassembly as crash's dis prints it (crash 8.0.2 = gdb 10.2 text).
//   dis SYM            the whole function
//   dis ADDR|SYM+OFF [COUNT]   COUNT instructions (default 1)
//   dis -r ADDR        from the function's start up to ADDR inclusive
//   dis -f ADDR        from ADDR to the function's end
//   -x                 symbol offsets in hex
//   -l                 "FILE: LINE" before each instruction whose source line
//                      differs from the previous one's, as crash prints them;
//                      they need the vmlinux's DWARF (-k VMLINUX): without it,
//                      or for module code, only the instructions print
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "coroner/disasm.h"
#include "coroner/program.h"
#include "coroner/symbols.h"
#include "coroner/types.h"

#define DIS_USAGE "usage: dis [-r|-f] [-l] [-x] ADDR|SYMBOL [COUNT]"
/* Largest COUNT accepted (crash has none; this bounds a typo like 10000000000). */
#define MAX_COUNT (1u << 20)
#define PAGE	  4096u

struct dis_opts {
	bool reverse;
	bool forward;
	bool lines;
	unsigned flags;
	/* The last source line printed (-l): file borrowed from the program. */
	const char *file;
	int line;
	bool warned;
};

/* crash's dis -l: "FILE: LINE" when the instruction's line differs from the previous one. */
static void print_source_line(struct cor_cli *cli, struct dis_opts *o, uint64_t addr)
{
	const char *file;
	int line;
	struct cor_error *err = cor_program_source_line(cli->prog, addr, &file, &line);
	if (err) {
		if (!o->warned && !cli->vmlinux)
			fprintf(stderr, "dis: no source lines without the vmlinux's DWARF (-k "
					"VMLINUX)\n");
		o->warned = true;
		cor_error_destroy(err);
		return;
	}
	if (o->file && line == o->line && strcmp(file, o->file) == 0)
		return;
	fprintf(cli->out, "%s: %d\n", file, line);
	o->file = file;
	o->line = line;
}

static void print_insn(struct cor_cli *cli, struct dis_opts *o, const struct cor_insn *in)
{
	unsigned flags = o->flags;
	struct cor_strbuf sb = {0};
	if (o->lines)
		print_source_line(cli, o, in->addr);
	cor_disasm_format_line_flags(in, cor_disasm_crash_symbolize, cli->prog, flags, &sb);
	fprintf(cli->out, "%s\n", cor_strbuf_cstr(&sb));
	cor_strbuf_deinit(&sb);
}

static int dis_count(struct cor_cli *cli, struct cor_disasm *d, uint64_t addr, uint64_t count,
		     struct dis_opts *o)
{
	for (uint64_t i = 0; i < count; i++) {
		struct cor_insn in;
		struct cor_error *err = cor_disasm_decode_at(d, cli->prog, addr, &in);
		if (err)
			return cor_cli_fail(cor_error_wrap(err, "dis: reading 0x%" PRIx64, addr));
		print_insn(cli, o, &in);
		addr += in.len;
	}
	return 0;
}

static int dis_function(struct cor_cli *cli, struct cor_disasm *d, uint64_t addr,
			struct dis_opts *o)
{
	struct cor_disasm_func f;
	struct cor_error *err = cor_disasm_function(d, cli->prog, addr, &f);
	if (err)
		return cor_cli_fail(cor_error_wrap(err, "dis"));
	for (size_t i = 0; i < f.insns.len; i++) {
		const struct cor_insn *in = cor_vec_at(&f.insns, i);
		/* -r stops after the instruction holding ADDR; -f starts at that one. */
		if (o->reverse && in->addr > addr)
			break;
		if (o->forward && in->addr + in->len <= addr)
			continue;
		print_insn(cli, o, in);
	}
	cor_disasm_func_deinit(&f);
	return 0;
}

/* crash disassembles a whole function when given a bare symbol name and no count. */
static bool is_bare_symbol(struct cor_cli *cli, const char *arg, uint64_t addr)
{
	struct cor_symbol sym;
	if (strchr(arg, '+'))
		return false;
	struct cor_error *err = cor_program_symbol_by_name(cli->prog, arg, &sym);
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	return sym.addr == addr;
}

int cor_cmd_dis(struct cor_cli *cli, int argc, char **argv)
{
	struct dis_opts o = {0};
	int c;
	optind = 1;
	while ((c = getopt(argc, argv, "rflxu")) != -1) {
		switch (c) {
		case 'r':
			o.reverse = true;
			break;
		case 'f':
			o.forward = true;
			break;
		case 'l':
			o.lines = true;
			break;
		case 'x':
			o.flags |= COR_DISASM_HEX_OFFSETS;
			break;
		case 'u':
			return cor_cli_usage("dis", "-u (user space) is not supported");
		default:
			return cor_cli_usage("dis", DIS_USAGE);
		}
	}
	if (optind >= argc || argc - optind > 2 || (o.reverse && o.forward))
		return cor_cli_usage("dis", DIS_USAGE);
	uint64_t addr, count = 0;
	struct cor_error *err = cor_cli_parse_addr(cli, argv[optind], &addr);
	if (err)
		return cor_cli_fail(cor_error_wrap(err, "dis"));
	if (optind + 1 < argc) {
		err = cor_parse_u64(argv[optind + 1], false, &count);
		if (err || count == 0 || count > MAX_COUNT) {
			cor_error_destroy(err);
			return cor_cli_usage("dis", "bad count '%s' (1..%u)", argv[optind + 1],
					     MAX_COUNT);
		}
	}
	struct cor_disasm *d;
	if ((err = cor_disasm_create(&d)))
		return cor_cli_fail(err);
	int r;
	if (o.reverse || o.forward || (!count && is_bare_symbol(cli, argv[optind], addr)))
		r = dis_function(cli, d, addr, &o);
	else
		r = dis_count(cli, d, addr, count ? count : 1, &o);
	cor_disasm_destroy(d);
	return r;
}
