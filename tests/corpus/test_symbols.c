// SPDX-License-Identifier: MIT
// Corpus tests of the symbols (issue 3): on every real dump, with no vmlinux,
// symbols looked up by name and by address equal crash 8.0.2's `sym` output
// made with the DWARF vmlinux (tests/data/refs/<scenario>/sym.txt, made by
// tests/data/refs/sym-refs.sh). The kallsyms scan fallback (for kernels
// without VMCOREINFO kallsyms entries) must find the tables VMCOREINFO names.
//
// With COR_VMLINUX set, the same with the vmlinux's .symtab. A vmlinux of
// another build is refused with a one-line error (test ELFs built here).
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

/* Compares every query of the refs with @p vmlinux (NULL: kallsyms only). */
static void compare_with_crash(struct cor_tctx *t, const char *vmlinux)
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
		CHECK_OK(cor_program_open(dumps[i].path, vmlinux, &prog));
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
		printf("    %s (%s)%s: %d sym queries, %d differ from crash\n", dumps[i].scenario,
		       dumps[i].variant, vmlinux ? " with vmlinux" : "", compared,
		       cor_test_failures(t) - failures);
		cor_program_destroy(prog);
		free(ref);
	}
}

COR_TEST(corpus_symbols_match_crash)
{
	compare_with_crash(t, NULL);
}

/* The same with the DWARF vmlinux's .symtab (relocated by KERNELOFFSET). */
COR_TEST(corpus_symbols_vmlinux_match_crash)
{
	const char *vmlinux = getenv("COR_VMLINUX");
	if (!vmlinux || !*vmlinux) {
		cor_test_skip(t, "COR_VMLINUX not set: vmlinux .symtab not compared with crash");
		return;
	}
	compare_with_crash(t, vmlinux);
}

/* Builds a small vmlinux-like ELF (x86-64, linked at the kernel's default
 * address, linux_banner, a build id or none) with the C compiler. */
static bool make_fake_vmlinux(struct cor_tctx *t, const char *dir, const char *name,
			      const char *release, const char *build_id, char *path, size_t size)
{
	char src[PATH_MAX + 64], cmd[4 * PATH_MAX];
	snprintf(src, sizeof(src), "%s/%s.c", dir, name);
	snprintf(path, size, "%s/%s", dir, name);
	FILE *f = fopen(src, "w");
	if (!f)
		return false;
	fprintf(f,
		"const char linux_banner[] = \"Linux version %s (test) #1 SMP\";\n"
		"int coroner_test_data = 1;\nvoid coroner_test_func(void) {}\n",
		release);
	fclose(f);
	snprintf(
	    cmd, sizeof(cmd),
	    "${CC:-cc} -O0 -nostdlib -static -no-pie -fno-pic -mcmodel=kernel "
	    "-Wl,-Ttext-segment=0xffffffff81000000 -Wl,-e,0 -Wl,--build-id=%s -o '%s' '%s' 2>&1",
	    build_id, path, src);
	char *out = NULL;
	int st = cor_test_run(cmd, &out);
	if (st != 0)
		cor_test_fail(t, __FILE__, __LINE__, "cannot build a test ELF: %s", out ? out : "");
	free(out);
	return st == 0;
}

/* The address nm gives @p sym in @p path (an independent reading of the ELF). */
static uint64_t nm_addr(const char *path, const char *sym)
{
	char cmd[PATH_MAX + 128], *out = NULL;
	snprintf(cmd, sizeof(cmd), "nm '%s' | awk '$3 == \"%s\" {print $1}'", path, sym);
	uint64_t v = 0;
	if (cor_test_run(cmd, &out) == 0 && out)
		v = strtoull(out, NULL, 16);
	free(out);
	return v;
}

COR_TEST(vmlinux_checked_against_the_dump)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	if (n <= 0)
		return;
	const struct corpus_dump *d = &dumps[0];
	const char *dir = cor_test_tmpdir(t);
	struct cor_program *prog;
	CHECK_OK(cor_program_open(d->path, NULL, &prog));
	char dump_id[128], release[128];
	snprintf(dump_id, sizeof(dump_id), "%s", cor_program_vmcoreinfo(prog, "BUILD-ID"));
	snprintf(release, sizeof(release), "%s", cor_program_vmcoreinfo(prog, "OSRELEASE"));
	uint64_t koff = 0;
	cor_program_vmcoreinfo_u64(prog, "KERNELOFFSET", &koff);
	cor_program_destroy(prog);

	char other[PATH_MAX], noid[PATH_MAX], badrel[PATH_MAX], same[PATH_MAX], id[160];
	snprintf(id, sizeof(id), "0x%s", dump_id);
	if (!make_fake_vmlinux(t, dir, "other", release, "0x0011223344556677", other,
			       sizeof(other)) ||
	    !make_fake_vmlinux(t, dir, "noid", release, "none", noid, sizeof(noid)) ||
	    !make_fake_vmlinux(t, dir, "badrel", "9.9.9-test", "none", badrel, sizeof(badrel)) ||
	    !make_fake_vmlinux(t, dir, "same", release, id, same, sizeof(same)))
		return;

	/* Another build: a one-line error naming both ids. */
	struct cor_error *err = cor_program_open(d->path, other, &prog);
	CHECK(cor_error_is(err, COR_ERR_MISMATCH));
	char want[512];
	snprintf(want, sizeof(want), "does not match the dump: build id 0011223344556677 vs %s",
		 dump_id);
	CHECK(err && strstr(err->message, want) && !strchr(err->message, '\n'));
	cor_error_destroy(err);
	/* No build id: the release in linux_banner decides. */
	err = cor_program_open(d->path, badrel, &prog);
	CHECK(cor_error_is(err, COR_ERR_MISMATCH));
	snprintf(want, sizeof(want), "release 9.9.9-test vs %s", release);
	CHECK(err && strstr(err->message, want));
	cor_error_destroy(err);

	/* Matching ones load, relocated by KERNELOFFSET; per nm's addresses. */
	const char *ok[] = {noid, same};
	for (int k = 0; k < 2; k++) {
		CHECK_OK(cor_program_open(d->path, ok[k], &prog));
		struct cor_symbol s;
		uint64_t off;
		CHECK_OK(cor_program_symbol_by_name(prog, "coroner_test_func", &s));
		CHECK_U64(s.addr, nm_addr(ok[k], "coroner_test_func") + koff);
		CHECK_U64(s.type, 'T');
		CHECK_OK(cor_program_symbol_by_name(prog, "coroner_test_data", &s));
		CHECK_U64(s.addr, nm_addr(ok[k], "coroner_test_data") + koff);
		CHECK_U64(s.type, 'D');
		CHECK_OK(cor_program_symbol_by_addr(prog, s.addr + 2, &s, &off));
		CHECK_STR(s.name, "coroner_test_data");
		CHECK_U64(off, 2);
		CHECK_OK(cor_program_symbol_by_name(prog, "linux_banner", &s));
		CHECK_U64(s.type, 'R');
		cor_program_destroy(prog);
	}

	/* The CLI says it in one line and fails. */
	char cmd[3 * PATH_MAX], *out = NULL;
	snprintf(cmd, sizeof(cmd), "'%s' -k '%s' '%s' sym jiffies 2>&1", corpus_coroner(), other,
		 d->path);
	int st = cor_test_run(cmd, &out);
	CHECK(st != 0);
	CHECK(out && strstr(out, "does not match the dump") && strchr(out, '\n') &&
	      strchr(out, '\n')[1] == '\0');
	free(out);
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

static struct cor_error *prog_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	return cor_program_read(arg, addr, buf, len);
}

/* The lazy lookups (markers, seqs_of_names, offsets binary search) agree
 * with the fully decoded table, on every 37th symbol of each dump. */
COR_TEST(corpus_kallsyms_lazy_equals_full)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	for (int i = 0; i < n; i++) {
		struct cor_program *prog;
		CHECK_OK(cor_program_open(dumps[i].path, NULL, &prog));
		struct cor_kallsyms_loc loc;
		struct cor_symtab_builder *b;
		struct cor_symtab *st;
		struct cor_kallsyms_lazy *lz;
		CHECK_OK(cor_program_find_kallsyms(prog, true, &loc));
		CHECK_OK(cor_symtab_builder_create(&b));
		CHECK_OK(cor_kallsyms_load(prog_read, prog, &loc, b));
		CHECK_OK(cor_symtab_builder_finish(b, &st));
		CHECK_OK(cor_kallsyms_lazy_create(prog_read, prog, &loc, &lz));
		/* This kernel (Debian 6.1.192) has kallsyms_seqs_of_names. */
		CHECK(cor_kallsyms_lazy_has_names(lz));
		int checked = 0;
		for (size_t k = 0; k < cor_symtab_count(st); k += 37) {
			struct cor_symbol want, got;
			size_t idx;
			cor_symtab_at(st, k, &want);
			/* By address: 1 past the start, or the start for 1-byte symbols. */
			uint64_t a = want.addr + (want.size > 1);
			CHECK(cor_symtab_find_addr(st, a, &idx));
			cor_symtab_at(st, idx, &want);
			CHECK_OK(cor_kallsyms_lazy_by_addr(lz, a, &got));
			CHECK_STR(got.name, want.name);
			CHECK_U64(got.addr, want.addr);
			CHECK_U64(got.type, want.type);
			CHECK_U64(got.size, want.size);
			/* By name: the same choice among same-named symbols. */
			CHECK(cor_symtab_find_name(st, want.name, &idx));
			cor_symtab_at(st, idx, &want);
			CHECK_OK(cor_kallsyms_lazy_by_name(lz, want.name, &got));
			CHECK_STR(got.name, want.name);
			CHECK_U64(got.addr, want.addr);
			CHECK_U64(got.type, want.type);
			checked++;
			/* The lazy reader keeps every name it hands out: start afresh. */
			if (checked % 1000 == 0) {
				cor_kallsyms_lazy_destroy(lz);
				CHECK_OK(cor_kallsyms_lazy_create(prog_read, prog, &loc, &lz));
			}
		}
		struct cor_symbol s;
		CHECK(cor_kallsyms_lazy_by_name(lz, "no_such_symbol_xyz", &s) == &cor_not_found);
		printf("    %s (%s): %d symbols looked up lazily == full table\n",
		       dumps[i].scenario, dumps[i].variant, checked);
		cor_kallsyms_lazy_destroy(lz);
		cor_symtab_destroy(st);
		cor_program_destroy(prog);
		if (cor_test_failures(t) > 20)
			return;
	}
}

/* The `sym` command prints what crash prints, query by query (one coroner
 * run per query, so that each goes through the lazy lookups of a fresh
 * program; globals are not searched for same-named module statics, see
 * src/cli/cmd_sym.c: compared on the first line). */
COR_TEST(corpus_sym_command_matches_crash)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	for (int i = 0; i < n; i++) {
		char *ref = read_sym_refs(&dumps[i]);
		if (!ref) {
			cor_test_fail(t, __FILE__, __LINE__, "%s: no sym.txt", dumps[i].scenario);
			continue;
		}
		int compared = 0, k = 0;
		for (char *p = ref; (p = strstr(p, "### sym "));) {
			char query[128], cmd[2 * PATH_MAX + 256], *out = NULL;
			p += 8;
			size_t qn = strcspn(p, "\n");
			snprintf(query, sizeof(query), "%.*s", (int)qn, p);
			p += qn + 1;
			struct crash_sym want, got;
			/* Every 4th query (names and addresses): a process each. */
			if (k++ % 4 != 0 || !parse_crash_line(p, &want))
				continue; /* or crash: not found */
			snprintf(cmd, sizeof(cmd), "'%s' '%s' sym %s 2>&1", corpus_coroner(),
				 dumps[i].path, query);
			int st = cor_test_run(cmd, &out);
			compared++;
			if (st != 0 || !out || !parse_crash_line(out, &got)) {
				cor_test_fail(t, __FILE__, __LINE__, "%s: sym %s: exit %d: %s",
					      dumps[i].scenario, query, st, out ? out : "");
			} else {
				struct cor_symbol s = {.name = got.name,
						       .addr = got.addr - got.off,
						       .type = got.type,
						       .module = got.module[0] ? got.module : NULL};
				char what[300];
				snprintf(what, sizeof(what), "%s: coroner sym %s",
					 dumps[i].scenario, query);
				compare_one(t, what, &want, &s, got.off);
			}
			free(out);
		}
		CHECK(compared >= 15);
		printf("    %s (%s): %d sym commands compared\n", dumps[i].scenario,
		       dumps[i].variant, compared);
		free(ref);
	}
}
