// SPDX-License-Identifier: MIT
// `sym`: symbols as crash's sym prints them: "ADDR (T) name+off [module]".
// crash adds the source file and line when it has DWARF; coroner does not
// (yet) print them.
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "coroner/program.h"
#include "coroner/symbols.h"

#define SYM_USAGE "usage: sym [-l] [-m MODULE] NAME|ADDR..."
/* At most this many symbols of one name are printed (static functions
 * repeat across files: a few dozen at most in practice). */
#define MAX_SAME_NAME 256

static void print_sym(FILE *o, const struct cor_symbol *s, uint64_t off, bool module)
{
	fprintf(o, "%" PRIx64 " (%c) %s", s->addr + off, s->type, s->name);
	if (off)
		fprintf(o, "+%" PRIu64, off);
	if (module && s->module)
		fprintf(o, " [%s]", s->module);
	fputc('\n', o);
}

/* crash's MODULE START/END lines: the module's core range when known. */
static void module_mark(struct cor_cli *cli, const char *module, bool start, uint64_t fallback)
{
	uint64_t base, size;
	struct cor_error *err = cor_program_module_range(cli->prog, module, &base, &size);
	if (err) {
		cor_error_destroy(err);
		base = fallback;
		size = 0;
	}
	fprintf(cli->out, "%" PRIx64 " MODULE %s: %s\n", start ? base : base + size,
		start ? "START" : "END", module);
}

static int sym_list(struct cor_cli *cli, const char *module)
{
	size_t n = cor_program_num_symbols(cli->prog);
	const char *cur = NULL; /* module of the previous symbol */
	uint64_t end = 0;
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		struct cor_symbol s;
		struct cor_error *err = cor_program_symbol_at(cli->prog, i, &s);
		if (err)
			return cor_cli_fail(err);
		if (module && (!s.module || strcmp(s.module, module) != 0))
			continue;
		bool same = cur && s.module && strcmp(cur, s.module) == 0;
		if (cur && !same)
			module_mark(cli, cur, false, end);
		if (s.module && !same)
			module_mark(cli, s.module, true, s.addr);
		cur = s.module;
		end = s.addr + s.size;
		any = true;
		print_sym(cli->out, &s, 0, false);
	}
	if (cur)
		module_mark(cli, cur, false, end);
	if (module && !any)
		return cor_cli_fail(
		    cor_error_create(COR_ERR_NOT_FOUND, "sym: no module %s", module));
	return 0;
}

/* "ffffffff8c67754f": an address, not a name to look up first (a name
 * lookup that misses loads the module symbols). */
static bool looks_like_address(const char *arg)
{
	size_t n = strspn(arg, "0123456789abcdefABCDEF");
	if (strncmp(arg, "0x", 2) == 0 || (arg[0] >= '0' && arg[0] <= '9'))
		return true; /* no symbol name starts with a digit */
	return arg[n] == '\0' && n >= 8;
}

static int sym_one(struct cor_cli *cli, const char *arg)
{
	struct cor_symbol s;
	uint64_t addr, off;
	struct cor_error *err = looks_like_address(arg)
				    ? cor_error_create(COR_ERR_NOT_FOUND, "an address")
				    : cor_program_symbol_by_name(cli->prog, arg, &s);
	if (!err && !s.module && s.type >= 'A' && s.type <= 'Z') {
		/* A global: the linker made it unique in vmlinux. Listing same-named
		 * module statics, as crash does, would load the module symbols (and
		 * BTF: ~50 ms); `sym -m MODULE` shows those. */
		print_sym(cli->out, &s, 0, true);
		return 0;
	}
	if (!err) {
		/* Every symbol of that name, as crash does: static functions repeat. */
		size_t idx[MAX_SAME_NAME];
		size_t k = cor_program_symbols_named(cli->prog, arg, idx, MAX_SAME_NAME);
		if (k == 0) /* only in VMCOREINFO (kallsyms_* tables) */
			print_sym(cli->out, &s, 0, true);
		for (size_t j = 0; j < k && j < MAX_SAME_NAME; j++) {
			if ((err = cor_program_symbol_at(cli->prog, idx[j], &s)))
				return cor_cli_fail(err);
			print_sym(cli->out, &s, 0, true);
		}
		return 0;
	}
	if (!cor_error_is(err, COR_ERR_NOT_FOUND))
		return cor_cli_fail(err);
	cor_error_destroy(err);
	if ((err = cor_cli_parse_addr(cli, arg, &addr)))
		return cor_cli_fail(cor_error_wrap(err, "sym"));
	if ((err = cor_program_symbol_by_addr(cli->prog, addr, &s, &off)))
		return cor_cli_fail(cor_error_wrap(err, "sym"));
	print_sym(cli->out, &s, off, true);
	return 0;
}

int cor_cmd_sym(struct cor_cli *cli, int argc, char **argv)
{
	bool list = false;
	const char *module = NULL;
	int c;
	while ((c = getopt(argc, argv, "lm:")) != -1) {
		switch (c) {
		case 'l':
			list = true;
			break;
		case 'm':
			module = optarg;
			break;
		default:
			return cor_cli_usage("sym", SYM_USAGE);
		}
	}
	if (list || module)
		return optind < argc ? cor_cli_usage("sym", SYM_USAGE) : sym_list(cli, module);
	if (optind >= argc)
		return cor_cli_usage("sym", SYM_USAGE);
	int ret = 0;
	for (int i = optind; i < argc; i++)
		if (sym_one(cli, argv[i]))
			ret = 1;
	return ret;
}
