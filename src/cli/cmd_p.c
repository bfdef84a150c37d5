// SPDX-License-Identifier: MIT
// p, struct, union, whatis, ptype: values and types as crash (gdb) prints them.
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "coroner/expr.h"
#include "coroner/program.h"
#include "coroner/types.h"
#include "coroner/types_model.h"

/* Joins argv[from..argc) with spaces (crash takes the rest of the line). */
static char *join_args(int argc, char **argv, int from)
{
	struct cor_strbuf sb = {0};
	for (int i = from; i < argc; i++) {
		if (i > from)
			cor_strbuf_appendc(&sb, ' ');
		cor_strbuf_append(&sb, argv[i]);
	}
	return sb.str ? sb.str : strdup("");
}

static int print_percpu(struct cor_cli *cli, const struct cor_value *v)
{
	struct cor_types *types;
	unsigned n;
	struct cor_error *err = cor_program_types(cli->prog, &types);
	if (!err)
		err = cor_program_nr_cpu_ids(cli->prog, &n);
	if (err)
		return cor_cli_fail(err);
	struct cor_strbuf sb = {0};
	cor_types_format_decl(types, v->type, v->symbol, &sb);
	fprintf(cli->out, "PER-CPU DATA TYPE:\n  %s;\nPER-CPU ADDRESSES:\n", cor_strbuf_cstr(&sb));
	cor_strbuf_deinit(&sb);
	for (unsigned cpu = 0; cpu < n; cpu++) {
		uint64_t addr;
		if ((err = cor_program_percpu_addr(cli->prog, v->addr, cpu, &addr)))
			return cor_cli_fail(err);
		fprintf(cli->out, "  [%u]: %llx\n", cpu, (unsigned long long)addr);
	}
	return 0;
}

/* crash prints "name = " for a plain symbol and "per_cpu(name, N) = " for a
 * per-cpu one; arrays and functions then start on the next line. */
static int print_value(struct cor_cli *cli, const char *text, int cpu, int radix, bool sym_cpu)
{
	struct cor_value v;
	struct cor_error *err = cor_program_eval(cli->prog, text, cpu, &v);
	if (err)
		return cor_cli_fail(err);
	if (v.percpu && v.type)
		return print_percpu(cli, &v);
	struct cor_format_opts opts = {.radix = radix, .top_level = true};
	struct cor_strbuf sb = {0};
	if ((err = cor_value_format(cli->prog, &v, &opts, &sb))) {
		cor_strbuf_deinit(&sb);
		return cor_cli_fail(err);
	}
	cli->value_count++;
	if (v.symbol && sym_cpu)
		fprintf(cli->out, "per_cpu(%s, %d) = ", v.symbol, cpu);
	else if (v.symbol)
		fprintf(cli->out, "%s = ", v.symbol);
	fprintf(cli->out, "$%u = ", cli->value_count);
	const char *s = cor_strbuf_cstr(&sb);
	if (v.symbol && (s[0] == '{') && !strchr(s, '\n'))
		fprintf(cli->out, "\n "); /* crash's layout of a symbol's array or function */
	fprintf(cli->out, "%s\n", s);
	cor_strbuf_deinit(&sb);
	return 0;
}

int cor_cmd_p(struct cor_cli *cli, int argc, char **argv)
{
	int radix = 10, cpu = -1, c;
	bool all = false;
	while ((c = getopt(argc, argv, "+xdc:")) != -1) {
		if (c == 'x' || c == 'd') {
			radix = c == 'x' ? 16 : 10;
		} else if (c == 'c') {
			char *end;
			cpu = (int)strtol(optarg, &end, 10);
			if (*end || cpu < 0)
				return cor_cli_usage("p", "bad cpu '%s'", optarg);
		} else {
			return cor_cli_usage("p", "usage: p [-x|-d] [-c CPU] EXPRESSION");
		}
	}
	if (optind >= argc)
		return cor_cli_usage("p", "usage: p [-x|-d] [-c CPU] EXPRESSION");
	char *text = join_args(argc, argv, optind);
	/* crash's "symbol:cpuspec": "runqueues:1", "runqueues:a" (all CPUs). */
	char *colon = strrchr(text, ':');
	if (colon && colon[1] && !strpbrk(colon, " ()")) {
		*colon = '\0';
		if (strcmp(colon + 1, "a") == 0 || strcmp(colon + 1, "all") == 0)
			all = true;
		else
			cpu = atoi(colon + 1);
	}
	int r = 0;
	if (all) {
		unsigned n;
		struct cor_error *err = cor_program_nr_cpu_ids(cli->prog, &n);
		if (err)
			r = cor_cli_fail(err);
		for (unsigned i = 0; !err && i < n && r == 0; i++)
			r = print_value(cli, text, (int)i, radix, true);
	} else {
		r = print_value(cli, text, cpu, radix, cpu >= 0);
	}
	free(text);
	return r;
}

/* Finds the type named by crash's "struct" argument: "task_struct",
 * "task_struct.comm,pid" (members returned in *members). */
static struct cor_error *struct_type(struct cor_cli *cli, const char *kw, const char *arg,
				     struct cor_types **types, const struct cor_type **ret,
				     char **members)
{
	char name[256];
	snprintf(name, sizeof(name), "%s", arg);
	char *dot = strchr(name, '.');
	*members = NULL;
	if (dot) {
		*dot = '\0';
		*members = strdup(strchr(arg, '.') + 1);
	}
	char full[300];
	snprintf(full, sizeof(full), "%s %s", kw, name);
	struct cor_error *err = cor_program_types(cli->prog, types);
	if (!err)
		err = cor_types_find(*types, full, ret);
	if (err) {
		free(*members);
		*members = NULL;
	}
	return err;
}

static int print_struct_members(struct cor_cli *cli, struct cor_types *types,
				const struct cor_type *type, uint64_t addr, char *members,
				int radix)
{
	for (char *save, *m = strtok_r(members, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		struct cor_member_result r;
		struct cor_error *err = cor_types_member(types, type, m, &r);
		if (err)
			return cor_cli_fail(err);
		struct cor_value v = {.type = r.type, .lvalue = true};
		v.addr = addr + r.bit_offset / 8;
		v.bit_offset = (uint32_t)(r.bit_offset % 8);
		v.bit_size = r.bit_size;
		struct cor_format_opts opts = {.radix = radix};
		struct cor_strbuf sb = {0};
		if ((err = cor_value_format(cli->prog, &v, &opts, &sb))) {
			cor_strbuf_deinit(&sb);
			return cor_cli_fail(err);
		}
		/* One level deeper: re-indent nested lines by two spaces. */
		fprintf(cli->out, "  %s = ", m);
		for (const char *s = cor_strbuf_cstr(&sb); *s; s++) {
			fputc(*s, cli->out);
			if (*s == '\n')
				fputs("  ", cli->out);
		}
		fputs(",\n", cli->out);
		cor_strbuf_deinit(&sb);
	}
	return 0;
}

static int struct_common(struct cor_cli *cli, const char *kw, int argc, char **argv)
{
	int c, radix = 10;
	bool offsets = false;
	while ((c = getopt(argc, argv, "+oxd")) != -1) {
		if (c == 'o')
			offsets = true;
		else if (c == 'x' || c == 'd')
			radix = c == 'x' ? 16 : 10;
		else
			return cor_cli_usage(
			    kw, "usage: %s [-o] [-x|-d] NAME[.member[,member]] [ADDR]", kw);
	}
	if (optind >= argc)
		return cor_cli_usage(kw, "usage: %s [-o] [-x|-d] NAME[.member[,member]] [ADDR]",
				     kw);
	struct cor_types *types;
	const struct cor_type *type;
	char *members;
	struct cor_error *err = struct_type(cli, kw, argv[optind], &types, &type, &members);
	if (err)
		return cor_cli_fail(err);
	int r = 0;
	if (optind + 1 >= argc) {
		uint64_t size = 0;
		struct cor_strbuf sb = {0};
		cor_type_format_definition(types, type, offsets, &sb);
		err = cor_types_sizeof(types, type, &size);
		fprintf(cli->out, "%sSIZE: %llu\n", cor_strbuf_cstr(&sb), (unsigned long long)size);
		cor_strbuf_deinit(&sb);
		free(members);
		return err ? cor_cli_fail(err) : 0;
	}
	uint64_t addr;
	if ((err = cor_cli_parse_addr(cli, argv[optind + 1], &addr))) {
		free(members);
		return cor_cli_fail(err);
	}
	if (members) {
		r = print_struct_members(cli, types, type, addr, members, radix);
		free(members);
		return r;
	}
	struct cor_value v = {.type = type, .lvalue = true, .addr = addr};
	struct cor_format_opts opts = {.radix = radix};
	struct cor_strbuf sb = {0};
	if ((err = cor_value_format(cli->prog, &v, &opts, &sb)))
		r = cor_cli_fail(err);
	else
		fprintf(cli->out, "%s %s %s\n", kw, argv[optind], cor_strbuf_cstr(&sb));
	cor_strbuf_deinit(&sb);
	return r;
}

int cor_cmd_struct(struct cor_cli *cli, int argc, char **argv)
{
	return struct_common(cli, "struct", argc, argv);
}

int cor_cmd_union(struct cor_cli *cli, int argc, char **argv)
{
	return struct_common(cli, "union", argc, argv);
}

/* whatis/ptype of a type name: true if @p text names a type (printed). */
static bool print_type_name(struct cor_cli *cli, struct cor_types *types, const char *text,
			    bool ptype)
{
	const struct cor_type *t;
	struct cor_error *err = cor_types_find(types, text, &t);
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	struct cor_strbuf sb = {0};
	if (ptype)
		cor_strbuf_append(&sb, "type = ");
	if (t->kind == COR_TYPE_TYPEDEF && !ptype) {
		cor_strbuf_append(&sb, "typedef ");
		const struct cor_type *target;
		/* gdb names the final type: "typedef int pid_t;" */
		if (!(err = cor_types_get(types, t->target, &target)) &&
		    !(err = cor_types_strip(types, target, &target)))
			cor_types_format_decl(types, target, t->name, &sb);
		cor_error_destroy(err);
		cor_strbuf_append(&sb, ";\n");
	} else {
		cor_type_format_definition(types, t, false, &sb);
	}
	uint64_t size = 0;
	if (!ptype && !(err = cor_types_sizeof(types, t, &size)))
		cor_strbuf_appendf(&sb, "SIZE: %llu\n", (unsigned long long)size);
	cor_error_destroy(err);
	fputs(cor_strbuf_cstr(&sb), cli->out);
	cor_strbuf_deinit(&sb);
	return true;
}

static int whatis_common(struct cor_cli *cli, int argc, char **argv, bool ptype)
{
	const char *name = ptype ? "ptype" : "whatis";
	if (argc < 2)
		return cor_cli_usage(name, "usage: %s TYPE|EXPRESSION", name);
	struct cor_types *types;
	struct cor_error *err = cor_program_types(cli->prog, &types);
	if (err)
		return cor_cli_fail(err);
	char *text = join_args(argc, argv, 1);
	if (print_type_name(cli, types, text, ptype)) {
		free(text);
		return 0;
	}
	struct cor_value v;
	err = cor_program_eval(cli->prog, text, -1, &v);
	free(text);
	if (err)
		return cor_cli_fail(err);
	if (!v.type)
		return cor_cli_fail(cor_error_create(COR_ERR_NOT_FOUND,
						     "%s: no type information (%s); try p (TYPE)%s",
						     v.symbol, v.why ? v.why : "", v.symbol));
	struct cor_strbuf sb = {0};
	if (ptype) {
		cor_strbuf_append(&sb, "type = ");
		const struct cor_type *st;
		if (!(err = cor_types_strip(types, v.type, &st)) &&
		    (st->kind == COR_TYPE_STRUCT || st->kind == COR_TYPE_UNION))
			cor_type_format_definition(types, st, false, &sb);
		else {
			cor_types_format_decl(types, v.type, NULL, &sb);
			cor_strbuf_appendc(&sb, '\n');
		}
		cor_error_destroy(err);
	} else if (v.symbol) {
		/* crash: "volatile unsigned long jiffies;" */
		cor_types_format_decl(types, v.type, v.symbol, &sb);
		cor_strbuf_append(&sb, ";\n");
	} else {
		cor_types_format_decl(types, v.type, NULL, &sb);
		cor_strbuf_appendc(&sb, '\n');
	}
	fputs(cor_strbuf_cstr(&sb), cli->out);
	cor_strbuf_deinit(&sb);
	return 0;
}

int cor_cmd_whatis(struct cor_cli *cli, int argc, char **argv)
{
	return whatis_common(cli, argc, argv, false);
}

int cor_cmd_ptype(struct cor_cli *cli, int argc, char **argv)
{
	return whatis_common(cli, argc, argv, true);
}
