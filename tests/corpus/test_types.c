// SPDX-License-Identifier: MIT
// Corpus tests of types and expressions (issue 3): on every real dump,
// WITHOUT a vmlinux (types from the dump's own BTF), `p`/`struct`/`whatis`
// print what crash 8.0.2 prints with the DWARF vmlinux:
//   - the corpus refs (refs/p-*.txt, refs/struct-*.txt);
//   - tests/data/refs/<scenario>/p-*.txt, made by tests/data/refs/make-p-refs.sh
//     (crash + DWARF vmlinux), whose p-cmds.txt lists the commands.
// Legitimate differences, normalized before comparing (and only those):
//   - "$N" is gdb's value-history number: it depends on the crash session;
//   - crash names a module's section starts with its own pseudo-symbols
//     ("<_MODULE_INIT_START_lkdtm>"), where kallsyms has the real symbol at
//     that address ("<lkdtm_module_init>"): on such lines the "<...>" part is
//     not compared (the address still is);
//   - gdb does not name a pointer after a linker-script symbol (ELF NOTYPE:
//     init_stack, init_thread_union, __start_init_task): kallsyms keeps no
//     ELF symbol types, so coroner does ("<init_stack>"); on such lines the
//     "<...>" part is not compared either;
//   - crash names a module address past the module's last symbol after that
//     symbol ("symtab = 0xffffffffc0293000 <fortify_scratch_space+1672>", the
//     module's own symbol table, not part of that variable); kallsyms lookup
//     stops at the last symbol's end: for module addresses (0xffffffffc...)
//     printed without a symbol by coroner, crash's "<...>" is not compared;
//   - symbol aliases: several names at one address ("__mod_pci__X_device_table"
//     is an alias of X made by MODULE_DEVICE_TABLE); crash and kallsyms pick
//     different ones: "<A+k>" and "<B+k>" with the same offset k are equal;
//   - trailing blanks.
// A symbol that no source types (lock_me_up: a module static, no DWARF) must
// say so and suggest a cast; the cast then prints crash's value.
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "coroner/expr.h"
#include "coroner/program.h"
#include "harness.h"

#define MAX_DUMPS 32

/* Replaces "$<digits> = " by "$N = " in place; strips trailing blanks. */
static void normalize(char *s)
{
	char *w = s;
	for (const char *r = s; *r;) {
		if (r[0] == '$' && isdigit((unsigned char)r[1])) {
			const char *q = r + 1;
			while (isdigit((unsigned char)*q))
				q++;
			if (strncmp(q, " = ", 3) == 0) {
				memcpy(w, "$N", 2);
				w += 2;
				r = q;
				continue;
			}
		}
		*w++ = *r++;
	}
	*w = '\0';
	corpus_rstrip_lines(s);
}

/* Drops " <...>" from a line (for the module pseudo-symbol rule). */
static void drop_symbol(char *line)
{
	char *lt = strstr(line, " <");
	char *gt = lt ? strchr(lt, '>') : NULL;
	if (gt)
		memmove(lt, gt + 1, strlen(gt + 1) + 1);
}

/* True if @p w and @p g differ only by the name in " <name+off>" (same off). */
static bool alias_equal(const char *w, const char *g)
{
	const char *wl = strstr(w, " <"), *gl = strstr(g, " <");
	if (!wl || !gl || wl - w != gl - g || strncmp(w, g, (size_t)(wl - w)) != 0)
		return false;
	const char *wp = strpbrk(wl, "+>"), *gp = strpbrk(gl, "+>");
	const char *we = wp ? strchr(wp, '>') : NULL, *ge = gp ? strchr(gp, '>') : NULL;
	return we && ge && we - wp == ge - gp && strncmp(wp, gp, (size_t)(we - wp)) == 0 &&
	       strcmp(we, ge) == 0;
}

/* Compares line by line with the rules above; returns the first differing
 * line number (1-based) or 0 if equal. */
static int compare(char *want, char *got, char *wline, char *gline, size_t size)
{
	normalize(want);
	normalize(got);
	char *ws, *gs;
	char *w = strtok_r(want, "\n", &ws), *g = strtok_r(got, "\n", &gs);
	for (int n = 1; w || g; n++) {
		snprintf(wline, size, "%s", w ? w : "(end)");
		snprintf(gline, size, "%s", g ? g : "(end)");
		if (!w || !g)
			return n;
		if (strcmp(w, g) != 0) {
			bool past_module =
			    strstr(w, "0xffffffffc") && strstr(w, " <") && !strstr(g, " <");
			if (alias_equal(w, g))
				goto next;
			if (!strstr(w, "<_MODULE_") && !strstr(g, "<init_stack>") &&
			    !strstr(g, "<init_thread_union>") &&
			    !strstr(g, "<__start_init_task>") && !past_module)
				return n;
			drop_symbol(wline);
			drop_symbol(gline);
			if (strcmp(wline, gline) != 0)
				return n;
		}
	next:
		w = strtok_r(NULL, "\n", &ws);
		g = strtok_r(NULL, "\n", &gs);
	}
	return 0;
}

/* Runs `coroner [-k VMLINUX] DUMP CMD...`, each word of @p cmd single-quoted. */
static char *run_coroner_k(const char *vmlinux, const char *dump, const char *cmd, int *status)
{
	char line[8192];
	int n = snprintf(line, sizeof(line), "'%s' %s%s%s '%s'", corpus_coroner(),
			 vmlinux ? "-k '" : "", vmlinux ? vmlinux : "", vmlinux ? "'" : "", dump);
	char *copy = strdup(cmd), *save;
	for (char *word = strtok_r(copy, " ", &save); word; word = strtok_r(NULL, " ", &save))
		n += snprintf(line + n, sizeof(line) - (size_t)n, " '%s'", word);
	snprintf(line + n, sizeof(line) - (size_t)n, " 2>&1");
	free(copy);
	char *out = NULL;
	*status = cor_test_run(line, &out);
	return out ? out : strdup("");
}

static char *run_coroner(const char *dump, const char *cmd, int *status)
{
	return run_coroner_k(NULL, dump, cmd, status);
}

/* One comparison; returns true if equal. */
static bool check_one_k(struct cor_tctx *t, const char *vmlinux, const struct corpus_dump *d,
			const char *cmd, const char *ref_path, char *want)
{
	int status;
	char *got = run_coroner_k(vmlinux, d->path, cmd, &status);
	char wl[512], gl[512];
	int line = compare(want, got, wl, gl, sizeof(wl));
	if (line)
		cor_test_fail(
		    t, __FILE__, __LINE__,
		    "%s: `%s` differs from %s at line %d:\n      crash:   %s\n      coroner: %s",
		    d->scenario, cmd, ref_path, line, wl, gl);
	free(got);
	return line == 0;
}

static bool check_one(struct cor_tctx *t, const struct corpus_dump *d, const char *cmd,
		      const char *ref_path, char *want)
{
	return check_one_k(t, NULL, d, cmd, ref_path, want);
}

/* The shell's output split at the separator command's lines ("$N = 32343"):
 * chunk i is the output of command i. Returns the number of chunks. */
#define SEPARATOR "p 32343"
static int split_chunks(char *out, char **chunks, int max)
{
	int n = -1; /* the banner before the first separator is dropped */
	for (char *p = out; p && *p;) {
		char *nl = strchr(p, '\n');
		char *line_end = nl ? nl : p + strlen(p);
		char *eq = strstr(p, " = 32343");
		if (p[0] == '$' && eq && eq + 8 == line_end) {
			*p = '\0';
			if (n + 1 < max)
				chunks[++n] = nl ? nl + 1 : line_end;
		}
		p = nl ? nl + 1 : NULL;
	}
	return n; /* the last separator opens no chunk */
}

/* Runs every command of p-cmds.txt in one coroner shell (a separator command
 * between them) and compares each output with its crash ref. */
static void p_equals_crash(struct cor_tctx *t, const char *vmlinux)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	for (int i = 0; i < n; i++) {
		char dir[PATH_MAX], batch[PATH_MAX + 32], cmd[3 * PATH_MAX];
		snprintf(dir, sizeof(dir), "%s/tests/data/refs/%s", cor_test_top(),
			 dumps[i].scenario);
		char *cmds = corpus_read(dir, "p-cmds.txt");
		if (!cmds) {
			cor_test_fail(t, __FILE__, __LINE__, "%s: no %s/p-cmds.txt",
				      dumps[i].scenario, dir);
			continue;
		}
		char *names[128], *lines[128];
		int total = 0, ok = 0;
		char *save;
		for (char *l = strtok_r(cmds, "\n", &save); l && total < 128;
		     l = strtok_r(NULL, "\n", &save)) {
			char *tab = strchr(l, '\t');
			if (!tab)
				continue;
			*tab = '\0';
			names[total] = l;
			lines[total++] = tab + 1;
		}
		snprintf(batch, sizeof(batch), "%s/batch-%d", cor_test_tmpdir(t), i);
		FILE *f = fopen(batch, "w");
		if (!f) {
			cor_test_fail(t, __FILE__, __LINE__, "cannot write %s", batch);
			free(cmds);
			continue;
		}
		fprintf(f, SEPARATOR "\n");
		for (int k = 0; k < total; k++)
			fprintf(f, "%s\n" SEPARATOR "\n", lines[k]);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "'%s' %s%s%s '%s' < '%s' 2>/dev/null", corpus_coroner(),
			 vmlinux ? "-k '" : "", vmlinux ? vmlinux : "", vmlinux ? "'" : "",
			 dumps[i].path, batch);
		char *out = NULL, *chunks[130];
		cor_test_run(cmd, &out);
		int got = split_chunks(out ? out : (char *)"", chunks, 130);
		if (got != total)
			cor_test_fail(t, __FILE__, __LINE__, "%s: the shell ran %d of %d commands",
				      dumps[i].scenario, got, total);
		for (int k = 0; k < total && k < got; k++) {
			char file[256], wl[512], gl[512];
			snprintf(file, sizeof(file), "p-%s.txt", names[k]);
			char *want = corpus_read(dir, file);
			if (!want) {
				cor_test_fail(t, __FILE__, __LINE__, "%s: no ref %s",
					      dumps[i].scenario, file);
				continue;
			}
			char *g = strdup(chunks[k]);
			int line = compare(want, g, wl, gl, sizeof(wl));
			if (line)
				cor_test_fail(
				    t, __FILE__, __LINE__,
				    "%s: `%s` differs from %s at line %d:\n      crash:   "
				    "%s\n      coroner: %s",
				    dumps[i].scenario, lines[k], file, line, wl, gl);
			ok += line == 0;
			free(g);
			free(want);
		}
		printf("    %s (%s): %d/%d p/struct/whatis outputs equal crash's%s\n",
		       dumps[i].scenario, dumps[i].variant, ok, total, vmlinux ? " (DWARF)" : "");
		CHECK(total >= 15);
		free(out);
		free(cmds);
	}
}

COR_TEST(corpus_types_p_equals_crash)
{
	p_equals_crash(t, NULL);
}

/* The same with the DWARF vmlinux (make check-dwarf): types from DWARF. */
COR_TEST(corpus_types_p_dwarf_equals_crash)
{
	const char *vmlinux = getenv("COR_VMLINUX");
	if (!vmlinux) {
		cor_test_skip(t, "COR_VMLINUX is not set (the DWARF vmlinux): make check-dwarf");
		return;
	}
	p_equals_crash(t, vmlinux);
}

/* The corpus's own refs: "p-EXPR.txt" is `p EXPR`, "struct-TYPE-ADDR.txt" is
 * `struct TYPE ADDR`. */
COR_TEST(corpus_types_corpus_refs)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	int total = 0;
	for (int i = 0; i < n; i++) {
		char cmd[600];
		char path[PATH_MAX + 16];
		snprintf(path, sizeof(path), "cd '%s' && ls p-*.txt struct-*.txt 2>/dev/null",
			 dumps[i].refs);
		char *list = NULL;
		cor_test_run(path, &list);
		char *save;
		for (char *f = strtok_r(list ? list : (char *)"", "\n", &save); f;
		     f = strtok_r(NULL, "\n", &save)) {
			char name[256];
			snprintf(name, sizeof(name), "%.*s", (int)(strlen(f) - 4), f);
			if (strncmp(name, "p-", 2) == 0) {
				snprintf(cmd, sizeof(cmd), "p %s", name + 2);
			} else {
				char *dash = strchr(name + 7, '-');
				if (!dash)
					continue;
				snprintf(cmd, sizeof(cmd), "struct %.*s %s", (int)(dash - name - 7),
					 name + 7, dash + 1);
			}
			char *want = corpus_read(dumps[i].refs, f);
			if (!want)
				continue;
			if (strcmp(name, "p-lock_me_up") == 0) {
				/* A module static: no type without DWARF. */
				int st;
				char *out = run_coroner(dumps[i].path, "p lock_me_up", &st);
				CHECK(st != 0);
				CHECK(strstr(out, "no type information") != NULL);
				CHECK(strstr(out, "try p (TYPE)lock_me_up") != NULL);
				free(out);
				/* crash: "lock_me_up = $1 = {"; the cast prints "$1 = {". */
				char *eq = strstr(want, "$1 = ");
				memmove(want, eq, strlen(eq) + 1);
				snprintf(cmd, sizeof(cmd), "p (spinlock_t)lock_me_up");
			}
			total++;
			check_one(t, &dumps[i], cmd, f, want);
			free(want);
		}
		free(list);
	}
	printf("    %d corpus refs compared\n", total);
	CHECK(total >= 9);
}

/* Garbage pointers and bad expressions: a one-line error naming the problem. */
COR_TEST(corpus_types_errors)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	if (n <= 0)
		return;
	static const struct {
		const char *cmd, *want;
	} cases[] = {
	    {"p *(int *)0x10", "0x10"},
	    {"p ((struct task_struct *)0xdead000000000000)->comm", "0xdead000000000"},
	    {"p init_task.nope", "struct task_struct has no member nope"},
	    {"p 1/0", "division by zero"},
	    {"p (", "syntax error"},
	    {"p jiffies_no_such_symbol", "jiffies_no_such_symbol"},
	    {"p runqueues.nr_running", "per-cpu"},
	    {"struct no_such_struct", "no type struct no_such_struct"},
	    {"p -c 99 runqueues", "cpu 99"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st;
		char *out = run_coroner(dumps[0].path, cases[i].cmd, &st);
		if (st == 0 || !strstr(out, cases[i].want) ||
		    strchr(out, '\n') != out + strlen(out) - 1)
			cor_test_fail(t, __FILE__, __LINE__, "`%s`: status %d, output \"%s\"",
				      cases[i].cmd, st, out);
		free(out);
	}
}

/* Constant expressions: the evaluator's C semantics against the C compiler's
 * (the values below are computed by the compiler building this test). */
COR_TEST(corpus_types_arith_equals_c)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	if (n <= 0)
		return;
	struct cor_program *prog;
	CHECK_OK(cor_program_open(dumps[0].path, NULL, &prog));
#define E(x)                                                                                       \
	{                                                                                          \
#x, (uint64_t)(x)                                                                  \
	}
	static const struct {
		const char *text;
		uint64_t want;
	} cases[] = {
	    E((7 * 6 - 2) / 3 % 5),
	    E(-17 / 5),
	    E(-17 % 5),
	    E(~0x0f & 0xff),
	    E(1 << 4 >> 2),
	    E(0xffffffffu + 1),
	    E(0xffffffff + 1),
	    E((unsigned char)300),
	    E((signed char)200),
	    E((short)-1 + 0u),
	    E(-1 < 0u),
	    E(-1L < 0),
	    E((3 > 2 && 2 > 1) || 0),
	    E(!5 + !0),
	    E(10 - 2 - 3),
	    E(2 * 3 + 4 * 5),
	    E((1 ^ 3) | (4 & 6)),
	    E((long)-5 % 3),
	    E(sizeof(long) * 3),
	    E('a' + 1),
	    E(0x7fffffffffffffffL + 0),
	    E(100000 * 100000L),
	};
#undef E
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cor_value v;
		uint64_t got;
		struct cor_error *err = cor_program_eval(prog, cases[i].text, -1, &v);
		if (!err)
			err = cor_value_scalar(prog, &v, &got);
		if (err) {
			cor_test_fail(t, __FILE__, __LINE__, "%s: %s", cases[i].text, err->message);
			cor_error_destroy(err);
			continue;
		}
		if (got != cases[i].want)
			cor_test_fail(t, __FILE__, __LINE__, "%s = 0x%llx, C says 0x%llx",
				      cases[i].text, (unsigned long long)got,
				      (unsigned long long)cases[i].want);
	}
	/* Printing of a char, a bool-free int, and a negative in hex as gdb does. */
	struct cor_value v;
	struct cor_strbuf sb = {0};
	struct cor_format_opts hex = {.radix = 16};
	CHECK_OK(cor_program_eval(prog, "(char)65", -1, &v));
	CHECK_OK(cor_value_format(prog, &v, NULL, &sb));
	CHECK_STR(cor_strbuf_cstr(&sb), "65 'A'");
	cor_strbuf_reset(&sb);
	CHECK_OK(cor_program_eval(prog, "(char)10", -1, &v));
	CHECK_OK(cor_value_format(prog, &v, NULL, &sb));
	CHECK_STR(cor_strbuf_cstr(&sb), "10 '\\n'");
	cor_strbuf_reset(&sb);
	CHECK_OK(cor_program_eval(prog, "-1", -1, &v));
	CHECK_OK(cor_value_format(prog, &v, &hex, &sb));
	CHECK_STR(cor_strbuf_cstr(&sb), "0xffffffff");
	cor_strbuf_deinit(&sb);
	cor_program_destroy(prog);
}
