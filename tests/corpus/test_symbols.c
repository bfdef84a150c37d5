// SPDX-License-Identifier: MIT
// Corpus tests of the symbols (issue 3): on every real dump, with no vmlinux,
// symbols looked up by name and by address equal crash 8.0.2's `sym` output
// made with the DWARF vmlinux (tests/data/refs/<scenario>/sym.txt, made by
// tests/data/refs/sym-refs.sh). The kallsyms scan fallback (for kernels
// without VMCOREINFO kallsyms entries) must find the tables VMCOREINFO names.
//
// Where kallsyms and crash legitimately differ, the test says so:
// - per-cpu symbols: kallsyms types them 'A' (scripts/kallsyms.c
//   make_percpus_absolute(), CONFIG_KALLSYMS_ABSOLUTE_PERCPU); crash, from the
//   vmlinux, 'D'/'d'/'B'/'b'. The addresses must still be equal.
// - module data symbols: crash prints '?' (it does not read the module's
//   typetab); coroner prints the kernel's own letter.
// - crash appends the source file and line (DWARF): not compared.
// - kallsyms does not list its own tables (scripts/kallsyms.c symbol_valid()
//   skips kallsyms_*): coroner finds those through VMCOREINFO's SYMBOL()
//   by name, with type '?'.
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "coroner/program.h"
#include "coroner/symbols.h"
#include "harness.h"
#include "kernel/internal.h"
#include "sym/sym.h"

#define MAX_DUMPS 32

/* One line of crash's sym output: "ADDR (T) name[+off] [[module]] [file: line]". */
struct crash_sym {
	uint64_t addr;
	char type;
	char name[256];
	uint64_t off;
	char module[64];
};

static bool parse_crash_line(const char *line, struct crash_sym *c)
{
	memset(c, 0, sizeof(*c));
	char name[256], rest[256] = "";
	if (sscanf(line, "%" SCNx64 " (%c) %255s %255s", &c->addr, &c->type, name, rest) < 3)
		return false;
	char *plus = strrchr(name, '+');
	if (plus) {
		*plus = '\0';
		c->off = strtoull(plus + 1, NULL, 10);
	}
	snprintf(c->name, sizeof(c->name), "%s", name);
	size_t n = strlen(rest);
	if (rest[0] == '[' && n > 2 && rest[n - 1] == ']')
		snprintf(c->module, sizeof(c->module), "%.*s", (int)(n - 2), rest + 1);
	return true;
}

static bool type_ok(const struct crash_sym *c, const struct cor_symbol *s)
{
	if (c->type == s->type)
		return true;
	if (s->type == '?' && strncmp(s->name, "kallsyms_", 9) == 0)
		return true; /* from VMCOREINFO, see the top of the file */
	if (s->type == 'A' && c->addr < 0xffff000000000000ull && strchr("DdBb", c->type))
		return true; /* per-cpu, see the top of the file */
	return c->type == '?' && s->module;
}

static void compare_one(struct cor_tctx *t, const char *what, const struct crash_sym *c,
			const struct cor_symbol *s, uint64_t off)
{
	/* crash prints the address looked up: symbol + offset. */
	if (s->addr + off != c->addr || strcmp(s->name, c->name) != 0 || off != c->off ||
	    !type_ok(c, s) || strcmp(s->module ? s->module : "", c->module) != 0)
		cor_test_fail(t, __FILE__, __LINE__,
			      "%s: got %" PRIx64 " (%c) %s+%" PRIu64 " [%s], crash: %" PRIx64
			      " (%c) %s+%" PRIu64 " [%s]",
			      what, s->addr + off, s->type, s->name, off,
			      s->module ? s->module : "", c->addr, c->type, c->name, c->off,
			      c->module);
}

/* Checks one query against crash's lines for it; returns 1 if compared. */
static int check_query(struct cor_tctx *t, struct cor_program *prog, const char *scen,
		       const char *query, char *lines)
{
	char what[320];
	snprintf(what, sizeof(what), "%s: sym %s", scen, query);
	struct crash_sym want[64];
	size_t nwant = 0;
	for (char *l = strtok(lines, "\n"); l && nwant < 64; l = strtok(NULL, "\n"))
		if (parse_crash_line(l, &want[nwant]))
			nwant++;
	bool is_addr = strncmp(query, "ffffffff", 8) == 0;
	if (is_addr) {
		struct cor_symbol s;
		uint64_t off, addr = strtoull(query, NULL, 16);
		struct cor_error *err = cor_program_symbol_by_addr(prog, addr, &s, &off);
		if (nwant == 0) {
			CHECK(cor_error_is(err, COR_ERR_NOT_FOUND));
		} else if (err) {
			cor_test_fail(t, __FILE__, __LINE__, "%s: %s", what, err->message);
		} else {
			compare_one(t, what, &want[0], &s, off);
		}
		cor_error_destroy(err);
		return 1;
	}
	size_t idx[64];
	size_t n = cor_program_symbols_named(prog, query, idx, 64);
	if (n == 0 && nwant == 1) { /* not in kallsyms: maybe in VMCOREINFO */
		struct cor_symbol s;
		struct cor_error *err = cor_program_symbol_by_name(prog, query, &s);
		if (err)
			cor_test_fail(t, __FILE__, __LINE__, "%s: %s", what, err->message);
		else
			compare_one(t, what, &want[0], &s, 0);
		cor_error_destroy(err);
		return 1;
	}
	if (n != nwant) {
		cor_test_fail(t, __FILE__, __LINE__, "%s: %zu symbols, crash: %zu", what, n, nwant);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		struct cor_symbol s;
		struct cor_error *err = cor_program_symbol_at(prog, idx[i], &s);
		if (err) {
			cor_test_fail(t, __FILE__, __LINE__, "%s: %s", what, err->message);
			cor_error_destroy(err);
			continue;
		}
		compare_one(t, what, &want[i], &s, 0);
	}
	return 1;
}

/* tests/data/refs/<scenario>[/vmcore.<variant>]/sym.txt, or NULL. */
static char *read_sym_refs(const struct corpus_dump *d)
{
	char dir[PATH_MAX + 128];
	snprintf(dir, sizeof(dir), "%s/tests/data/refs/%s/vmcore.%s", cor_test_top(), d->scenario,
		 d->variant);
	char *s = corpus_read(dir, "sym.txt");
	if (s)
		return s;
	snprintf(dir, sizeof(dir), "%s/tests/data/refs/%s", cor_test_top(), d->scenario);
	return corpus_read(dir, "sym.txt");
}

COR_TEST(corpus_symbols_match_crash)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	for (int i = 0; i < n; i++) {
		char *ref = read_sym_refs(&dumps[i]);
		if (!ref) {
			cor_test_fail(t, __FILE__, __LINE__, "%s (%s): no tests/data/refs sym.txt",
				      dumps[i].scenario, dumps[i].variant);
			continue;
		}
		struct cor_program *prog;
		CHECK_OK(cor_program_open(dumps[i].path, NULL, &prog));
		int compared = 0, failures = cor_test_failures(t);
		/* Blocks: "### sym QUERY" then crash's lines. */
		char *p = ref;
		while ((p = strstr(p, "### sym "))) {
			char query[128];
			p += 8;
			size_t qn = strcspn(p, "\n");
			snprintf(query, sizeof(query), "%.*s", (int)qn, p);
			char *body = p + qn;
			char *next = strstr(body, "### sym ");
			size_t bn = next ? (size_t)(next - body) : strlen(body);
			char *lines = strndup(body, bn);
			compared += check_query(t, prog, dumps[i].scenario, query, lines);
			free(lines);
			p = body;
		}
		CHECK(compared >= 30);
		printf("    %s (%s): %d sym queries, %d differ from crash\n", dumps[i].scenario,
		       dumps[i].variant, compared, cor_test_failures(t) - failures);
		cor_program_destroy(prog);
		free(ref);
	}
}

COR_TEST(corpus_kallsyms_scan_finds_vmcoreinfo_tables)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	for (int i = 0; i < n; i++) {
		struct cor_program *prog;
		CHECK_OK(cor_program_open(dumps[i].path, NULL, &prog));
		struct cor_kallsyms_loc vi, scan;
		CHECK_OK(cor_program_find_kallsyms(prog, true, &vi));
		CHECK_OK(cor_program_find_kallsyms(prog, false, &scan));
		CHECK_U64(scan.num_syms, vi.num_syms);
		CHECK_U64(scan.names, vi.names);
		CHECK_U64(scan.token_table, vi.token_table);
		CHECK_U64(scan.token_index, vi.token_index);
		CHECK_U64(scan.offsets, vi.offsets);
		CHECK_U64(scan.relative_base, vi.relative_base);
		printf("    %s (%s): scan found kallsyms_names at 0x%" PRIx64 "\n",
		       dumps[i].scenario, dumps[i].variant, scan.names);
		cor_program_destroy(prog);
	}
}
