// SPDX-License-Identifier: MIT
// Corpus tests of disassembly and loop analysis (issue 4, the base of the
// spin-loop diagnosis of issue 5), on every real dump:
//  - `coroner DUMP dis ...` equals crash 8.0.2's instruction lines, line by
//    line: the corpus refs (refs/dis-l-F.txt, `dis -l F` with DWARF source
//    lines, which need a vmlinux: only the instruction lines are compared
//    here; corpus_dis_with_vmlinux compares them whole) and tests/data/refs/<scenario>/dis/ (made
//    by tests/data/refs/make-dis-refs.sh: `dis F`, `dis -x`, `-r`, `-f`, and a count). Two
//    differences are kallsyms' and are checked, not hidden: several symbols at one address (crash
//    takes the first of the vmlinux .symtab, which kallsyms does not keep: both names must then be
//    at the same address), and assembly functions with inner labels (kallsyms has no sizes: the
//    function ends at the next label, where crash's listing goes on; our lines must be a prefix of
//    crash's, cut at a label);
//  - the loop that holds each spinning CPU's RIP, from crash's bt -a or the
//    kernel's own backtrace in dmesg: what it polls and when it would exit.
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "coroner/cfg.h"
#include "coroner/program.h"
#include "coroner/symbols.h"
#include "harness.h"

#define MAX_DUMPS 32
#define MAX_REFS  64

struct ref {
	char path[PATH_MAX];
	char args[256];
};

/* The `dis` arguments a reference file name stands for (see make-dis-refs.sh). */
static bool ref_args(const char *base, char *args, size_t size)
{
	char name[256];
	snprintf(name, sizeof(name), "%s", base);
	char *dot = strrchr(name, '.');
	if (!dot || strcmp(dot, ".txt") != 0)
		return false;
	*dot = '\0';
	if (strcmp(name, "dis-l-no") == 0) /* crash's "symbol not found: no" */
		return false;
	const char *dash;
	if (strncmp(name, "dis-l-", 6) == 0)
		snprintf(args, size, "%s", name + 6);
	else if (strncmp(name, "dis-x-", 6) == 0)
		snprintf(args, size, "-x %s", name + 6);
	else if (strncmp(name, "dis-r-", 6) == 0)
		snprintf(args, size, "-r %s", name + 6);
	else if (strncmp(name, "dis-f-", 6) == 0)
		snprintf(args, size, "-f %s", name + 6);
	else if (strncmp(name, "dis-", 4) == 0 && strchr(name, '+') &&
		 (dash = strrchr(name, '-')) > strchr(name, '+'))
		snprintf(args, size, "%.*s %s", (int)(dash - name - 4), name + 4, dash + 1);
	else if (strncmp(name, "dis-", 4) == 0)
		snprintf(args, size, "%s", name + 4);
	else
		return false;
	return true;
}

static int list_refs(const struct corpus_dump *dump, struct ref *out, int max)
{
	char dirs[2][PATH_MAX];
	int n = 0;
	snprintf(dirs[0], sizeof(dirs[0]), "%s", dump->refs);
	snprintf(dirs[1], sizeof(dirs[1]), "%s/tests/data/refs/%s/dis", cor_test_top(),
		 dump->scenario);
	for (int d = 0; d < 2; d++) {
		char cmd[PATH_MAX + 64], *ls = NULL;
		snprintf(cmd, sizeof(cmd), "ls '%s' 2>/dev/null", dirs[d]);
		cor_test_run(cmd, &ls);
		for (char *tok = ls ? strtok(ls, "\n") : NULL; tok && n < max;
		     tok = strtok(NULL, "\n")) {
			if (strncmp(tok, "dis-", 4) != 0 ||
			    !ref_args(tok, out[n].args, sizeof(out[n].args)))
				continue;
			snprintf(out[n].path, sizeof(out[n].path), "%s/%s", dirs[d], tok);
			n++;
		}
		free(ls);
	}
	return n;
}

/* Next line starting with "0x" (an instruction line) from *p, NUL-terminated in place. */
static char *next_insn_line(char **p)
{
	while (*p && **p) {
		char *line = *p, *nl = strchr(line, '\n');
		*p = nl ? nl + 1 : line + strlen(line);
		if (nl)
			*nl = '\0';
		if (strncmp(line, "0x", 2) == 0)
			return line;
	}
	return NULL;
}

/* Copies the symbol names inside "<...>" of @p line, offsets dropped, into @p names. */
static int names_of(const char *line, char names[][256], int max)
{
	int n = 0;
	for (const char *p = strchr(line, '<'); p && n < max; p = strchr(p + 1, '<')) {
		size_t len = strcspn(p + 1, "+>");
		snprintf(names[n++], 256, "%.*s", (int)len, p + 1);
	}
	return n;
}

/* Removes the "<...>" parts of @p s in place. */
static void strip_names(char *s)
{
	char *w = s;
	for (const char *r = s; *r; r++) {
		if (*r == '<') {
			while (*r && *r != '>')
				r++;
			if (!*r)
				break;
			continue;
		}
		*w++ = *r;
	}
	*w = '\0';
}

/* Whether two lines differ only by names of symbols at one address. */
static bool alias_only(struct cor_program *prog, const char *got, const char *want)
{
	char a[8][256], b[8][256], ga[512], wa[512];
	int na = names_of(got, a, 8), nb = names_of(want, b, 8);
	snprintf(ga, sizeof(ga), "%s", got);
	snprintf(wa, sizeof(wa), "%s", want);
	strip_names(ga);
	strip_names(wa);
	if (na != nb || strcmp(ga, wa) != 0)
		return false;
	for (int i = 0; i < na; i++) {
		struct cor_symbol sa, sb;
		struct cor_error *ea = cor_program_symbol_by_name(prog, a[i], &sa);
		struct cor_error *eb = cor_program_symbol_by_name(prog, b[i], &sb);
		bool same = !ea && !eb && sa.addr == sb.addr;
		cor_error_destroy(ea);
		cor_error_destroy(eb);
		if (!same)
			return false;
	}
	return true;
}

struct cmp_stats {
	int lines;
	int aliases;
	bool cut_at_label;
};

/* Compares our output with crash's instruction lines; returns false (after failing) on a
 * difference. */
static bool compare(struct cor_tctx *t, struct cor_program *prog, const char *what, char *got,
		    char *want, struct cmp_stats *st)
{
	corpus_rstrip_lines(got);
	corpus_rstrip_lines(want);
	char *gp = got, *wp = want, *g, *w;
	memset(st, 0, sizeof(*st));
	while ((w = next_insn_line(&wp))) {
		g = next_insn_line(&gp);
		if (!g) {
			/* Our function ended: crash's next line must start a new symbol. */
			const char *lt = strchr(w, '<'), *colon = strstr(w, ">:");
			st->cut_at_label = lt && colon && !memchr(lt, '+', (size_t)(colon - lt));
			if (!st->cut_at_label || st->lines == 0)
				cor_test_fail(t, __FILE__, __LINE__,
					      "%s: ends early, crash has \"%s\"", what, w);
			return st->cut_at_label && st->lines > 0;
		}
		if (strcmp(g, w) != 0) {
			if (!alias_only(prog, g, w)) {
				cor_test_fail(t, __FILE__, __LINE__,
					      "%s: line %d\n   got:   %s\n   crash: %s", what,
					      st->lines + 1, g, w);
				return false;
			}
			st->aliases++;
		}
		st->lines++;
	}
	if ((g = next_insn_line(&gp))) {
		cor_test_fail(t, __FILE__, __LINE__, "%s: extra line \"%s\"", what, g);
		return false;
	}
	return true;
}

COR_TEST(corpus_dis_equals_crash)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	for (int i = 0; i < n; i++) {
		struct ref refs[MAX_REFS];
		int nr = list_refs(&dumps[i], refs, MAX_REFS), ok = 0, lines = 0, aliases = 0;
		struct cor_program *prog;
		CHECK_OK(cor_program_open(dumps[i].path, NULL, &prog));
		for (int r = 0; r < nr; r++) {
			char cmd[3 * PATH_MAX], *out = NULL,
						*want = cor_test_slurp(refs[r].path, NULL);
			snprintf(cmd, sizeof(cmd), "'%s' '%s' dis %s 2>&1", corpus_coroner(),
				 dumps[i].path, refs[r].args);
			int status = cor_test_run(cmd, &out);
			char what[512];
			snprintf(what, sizeof(what), "%s (%s): dis %s", dumps[i].scenario,
				 dumps[i].variant, refs[r].args);
			struct cmp_stats st;
			if (status != 0 || !want || !out)
				cor_test_fail(t, __FILE__, __LINE__, "%s: exit %d", what, status);
			else if (compare(t, prog, what, out, want, &st)) {
				ok++;
				lines += st.lines;
				aliases += st.aliases;
				if (st.cut_at_label)
					printf("    %s: %d lines, then crash goes on past an inner "
					       "label (kallsyms has no sizes)\n",
					       what, st.lines);
			}
			free(out);
			free(want);
		}
		cor_program_destroy(prog);
		printf("    %s (%s): %d/%d dis outputs equal crash's (%d lines, %d with an alias "
		       "name)\n",
		       dumps[i].scenario, dumps[i].variant, ok, nr, lines, aliases);
		if (ok < 5)
			cor_test_fail(t, __FILE__, __LINE__, "%s: only %d functions compared",
				      dumps[i].scenario, ok);
	}
}

/* ---- loops at the RIPs of spinning CPUs ----------------------------------- */

/* Exception-frame RIPs in crash's bt -a whose "[exception RIP: F+N]" names @p func. */
static int bt_rips(const struct corpus_dump *d, const char *func, uint64_t *out, int max)
{
	char *bt = corpus_read(d->refs, "bt-a.txt"), *p = bt;
	char pat[256];
	int n = 0;
	snprintf(pat, sizeof(pat), "[exception RIP: %s+", func);
	while (p && (p = strstr(p, pat)) && n < max) {
		char *rip = strstr(p, "RIP: ");
		if (rip && (rip = strstr(rip + 5, "RIP: ")))
			out[n++] = strtoull(rip + 5, NULL, 16);
		p++;
	}
	free(bt);
	return n;
}

/* RIPs "RIP: 0010:F+0xOFF/0xSIZE" of the kernel's own backtraces in dmesg. */
static int dmesg_rips(struct cor_program *prog, const struct corpus_dump *d, const char *func,
		      uint64_t *out, int max)
{
	char *log = corpus_read(d->dir, "dmesg.txt"), *p = log;
	char pat[256];
	int n = 0;
	struct cor_symbol sym;
	struct cor_error *err = cor_program_symbol_by_name(prog, func, &sym);
	snprintf(pat, sizeof(pat), "RIP: 0010:%s+0x", func);
	while (!err && p && (p = strstr(p, pat)) && n < max) {
		out[n++] = sym.addr + strtoull(p + strlen(pat), NULL, 16);
		p++;
	}
	cor_error_destroy(err);
	free(log);
	return n;
}

static bool open_scenario(struct cor_tctx *t, const struct corpus_dump *d, const char *scen,
			  struct cor_program **prog, struct cor_disasm **dis)
{
	if (strcmp(d->scenario, scen) != 0)
		return false;
	struct cor_error *err = cor_program_open(d->path, NULL, prog);
	if (!err)
		err = cor_disasm_create(dis);
	if (err) {
		cor_test_fail(t, __FILE__, __LINE__, "%s: %s", scen, err->message);
		cor_error_destroy(err);
		return false;
	}
	return true;
}

static struct cor_error *loop_at(struct cor_disasm *dis, struct cor_program *prog, uint64_t rip,
				 struct cor_cfg **cfg, struct cor_loop_summary *s)
{
	struct cor_error *err = cor_cfg_build_function(dis, prog, rip, cfg);
	if (err)
		return err;
	size_t l = cor_cfg_innermost_loop(*cfg, rip);
	if (l == COR_CFG_NONE)
		return cor_error_create(COR_ERR_NOT_FOUND, "no loop holds 0x%" PRIx64, rip);
	return cor_loop_summarize(*cfg, l, s);
}

static void print_loop(struct cor_program *prog, const struct corpus_dump *d,
		       const struct cor_loop_summary *s)
{
	struct cor_strbuf sb = {0};
	cor_loop_describe(s, cor_disasm_program_symbolize, prog, &sb);
	printf("    %s (%s): %s\n", d->scenario, d->variant, cor_strbuf_cstr(&sb));
	cor_strbuf_deinit(&sb);
}

/*
 * hardlockup-seqlock: every CPU spins in tick_nohz_next_event on jiffies_seq
 * (crash's bt -a: exception RIP tick_nohz_next_event+21). The loop holding
 * the RIP must load jiffies_seq (its address from the symbol table), wait
 * while it is odd (test $0x1; jne), with a pause.
 */
COR_TEST(corpus_cfg_seqcount_loop)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS), seen = 0;
	for (int i = 0; i < n; i++) {
		struct cor_program *prog = NULL;
		struct cor_disasm *dis = NULL;
		if (strncmp(dumps[i].scenario, "hardlockup-seqlock", 18) != 0 ||
		    !open_scenario(t, &dumps[i], dumps[i].scenario, &prog, &dis))
			continue;
		struct cor_symbol seq;
		CHECK_OK(cor_program_symbol_by_name(prog, "jiffies_seq", &seq));
		uint64_t rips[8];
		int nr = bt_rips(&dumps[i], "tick_nohz_next_event", rips, 8);
		CHECK(nr >= 1);
		for (int k = 0; k < nr; k++) {
			struct cor_cfg *cfg = NULL;
			struct cor_loop_summary s;
			struct cor_error *err = loop_at(dis, prog, rips[k], &cfg, &s);
			if (err) {
				cor_test_fail(t, __FILE__, __LINE__, "%s", err->message);
				cor_error_destroy(err);
				cor_cfg_destroy(cfg);
				continue;
			}
			CHECK_U64(s.kind, COR_LOOP_SEQCOUNT);
			CHECK(s.seq_waits_odd);
			CHECK(s.has_pause);
			bool polls_seq = false;
			for (size_t l = 0; l < s.num_loads; l++)
				polls_seq |= s.loads[l].decides_exit && s.loads[l].mem.has_addr &&
					     s.loads[l].mem.addr == seq.addr;
			CHECK(polls_seq);
			CHECK_U64(s.num_exits, 1);
			CHECK_U64(s.exits[0].test, COR_TEST_TEST);
			CHECK_STR(s.exits[0].setter.mnemonic, "test");
			CHECK_U64(s.exits[0].exit_cond, COR_COND_E);
			/* The enclosing loop retries while a re-read of jiffies_seq differs. */
			size_t all[4];
			size_t nl = cor_cfg_loops_at(cfg, rips[k], all, 4);
			CHECK(nl >= 2);
			struct cor_loop_summary outer;
			if (nl >= 2 && !cor_loop_summarize(cfg, all[nl - 1], &outer)) {
				CHECK(outer.seq_retries);
				CHECK(outer.header == s.header);
			}
			if (k == 0)
				print_loop(prog, &dumps[i], &s);
			seen++;
			cor_cfg_destroy(cfg);
		}
		cor_disasm_destroy(dis);
		cor_program_destroy(prog);
	}
	if (n > 0 && !seen)
		cor_test_fail(t, __FILE__, __LINE__, "no hardlockup-seqlock RIP analysed");
}

/*
 * timekeeping-overflow: ktime_get_real_ts64+154 (crash's bt -a) is in the
 * inlined __iter_div_u64_rem loop: "sub $NSEC_PER_SEC,%rax; add $1,%edx;
 * cmp $NSEC_PER_SEC-1,%rax; ja" (include/vdso/math64.h, Linux 6.1).
 */
COR_TEST(corpus_cfg_division_loop)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS), seen = 0;
	for (int i = 0; i < n; i++) {
		struct cor_program *prog = NULL;
		struct cor_disasm *dis = NULL;
		if (!open_scenario(t, &dumps[i], "timekeeping-overflow", &prog, &dis))
			continue;
		uint64_t rips[8];
		int nr = bt_rips(&dumps[i], "ktime_get_real_ts64", rips, 8);
		CHECK(nr >= 1);
		for (int k = 0; k < nr; k++) {
			struct cor_cfg *cfg = NULL;
			struct cor_loop_summary s;
			struct cor_error *err = loop_at(dis, prog, rips[k], &cfg, &s);
			cor_cfg_destroy(cfg);
			if (err) {
				cor_test_fail(t, __FILE__, __LINE__, "%s", err->message);
				cor_error_destroy(err);
				continue;
			}
			CHECK_U64(s.kind, COR_LOOP_COUNTED);
			CHECK_U64(s.num_blocks, 1);
			CHECK_U64(s.num_exits, 1);
			const struct cor_loop_exit *e = &s.exits[0];
			CHECK_U64(e->test, COR_TEST_CMP);
			CHECK_U64(e->exit_cond, COR_COND_BE);
			CHECK_U64(e->lhs.kind, COR_VAL_INDUCTION);
			CHECK_U64(e->lhs.reg, COR_REG_RAX);
			CHECK_U64(e->lhs.step, -1000000000ll);
			CHECK_U64(e->rhs.kind, COR_VAL_IMM);
			CHECK_U64(e->rhs.imm, 999999999);
			print_loop(prog, &dumps[i], &s);
			seen++;
		}
		cor_disasm_destroy(dis);
		cor_program_destroy(prog);
	}
	if (n > 0 && !seen)
		cor_test_fail(t, __FILE__, __LINE__, "no timekeeping-overflow RIP analysed");
}

/*
 * spinlockup: crash cannot unwind the spinning CPU ("no symbolic reference");
 * the kernel's soft-lockup backtrace in dmesg has its RIP:
 * native_queued_spin_lock_slowpath+0x30. The loop polls the lock word through
 * a register that does not change in the loop, with a pause.
 */
COR_TEST(corpus_cfg_spinlock_loop)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS), seen = 0;
	for (int i = 0; i < n; i++) {
		struct cor_program *prog = NULL;
		struct cor_disasm *dis = NULL;
		if (!open_scenario(t, &dumps[i], "spinlockup", &prog, &dis))
			continue;
		uint64_t rips[8];
		int nr = dmesg_rips(prog, &dumps[i], "native_queued_spin_lock_slowpath", rips, 8);
		CHECK(nr >= 1);
		for (int k = 0; k < nr; k++) {
			struct cor_cfg *cfg = NULL;
			struct cor_loop_summary s;
			struct cor_error *err = loop_at(dis, prog, rips[k], &cfg, &s);
			cor_cfg_destroy(cfg);
			if (err) {
				cor_test_fail(t, __FILE__, __LINE__, "%s", err->message);
				cor_error_destroy(err);
				continue;
			}
			CHECK_U64(s.kind, COR_LOOP_POLL);
			CHECK(s.has_pause);
			CHECK_U64(s.num_exits, 1);
			const struct cor_loop_exit *e = &s.exits[0];
			CHECK_U64(e->lhs.kind, COR_VAL_LOAD);
			const struct cor_loop_load *l = &s.loads[e->lhs.load];
			CHECK(l->invariant);
			CHECK(!l->mem.has_addr);
			CHECK(l->mem.base != COR_REG_NONE);
			if (k == 0)
				print_loop(prog, &dumps[i], &s);
			seen++;
		}
		cor_disasm_destroy(dis);
		cor_program_destroy(prog);
	}
	if (n > 0 && !seen)
		cor_test_fail(t, __FILE__, __LINE__, "no spinlockup RIP analysed");
}

/* lkdtm HARDLOCKUP/SOFTLOCKUP (module code): "for (;;) cpu_relax();" has no exit. */
COR_TEST(corpus_cfg_lkdtm_endless)
{
	static const char *const cases[][2] = {{"hardlockup", "lkdtm_HARDLOCKUP"},
					       {"softlockup", "lkdtm_SOFTLOCKUP"}};
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS), seen = 0;
	for (int i = 0; i < n; i++) {
		for (size_t c = 0; c < COR_ARRAY_SIZE(cases); c++) {
			struct cor_program *prog = NULL;
			struct cor_disasm *dis = NULL;
			if (!open_scenario(t, &dumps[i], cases[c][0], &prog, &dis))
				continue;
			uint64_t rips[8];
			int nr = dmesg_rips(prog, &dumps[i], cases[c][1], rips, 8);
			CHECK(nr >= 1);
			for (int k = 0; k < nr; k++) {
				struct cor_cfg *cfg = NULL;
				struct cor_loop_summary s;
				struct cor_error *err = loop_at(dis, prog, rips[k], &cfg, &s);
				cor_cfg_destroy(cfg);
				if (err) {
					cor_test_fail(t, __FILE__, __LINE__, "%s", err->message);
					cor_error_destroy(err);
					continue;
				}
				CHECK_U64(s.kind, COR_LOOP_ENDLESS);
				CHECK_U64(s.num_exits, 0);
				CHECK(s.has_pause);
				if (k == 0)
					print_loop(prog, &dumps[i], &s);
				seen++;
			}
			cor_disasm_destroy(dis);
			cor_program_destroy(prog);
		}
	}
	if (n > 0 && seen < 2)
		cor_test_fail(t, __FILE__, __LINE__, "lkdtm loops analysed: %d", seen);
}

/* Whole outputs, source lines included, equal modulo trailing blanks. */
static bool compare_full(struct cor_tctx *t, const char *what, char *got, char *want)
{
	corpus_rstrip_lines(got);
	corpus_rstrip_lines(want);
	if (strcmp(got, want) == 0)
		return true;
	size_t k = 0, line = 1;
	while (got[k] && got[k] == want[k])
		line += got[k++] == '\n';
	cor_test_fail(t, __FILE__, __LINE__, "%s: line %zu differs: got \"%.80s\" crash \"%.80s\"",
		      what, line, got + k, want + k);
	return false;
}

/* Whether the function a `dis` argument names is module code. */
static bool in_module(struct cor_program *prog, const char *args)
{
	char name[256];
	struct cor_symbol sym;
	const char *a = strrchr(args, ' ');
	snprintf(name, sizeof(name), "%s", a ? a + 1 : args);
	name[strcspn(name, "+")] = '\0';
	struct cor_error *err = cor_program_symbol_by_name(prog, name, &sym);
	bool mod = !err && sym.module;
	cor_error_destroy(err);
	return mod;
}

/*
 * With the DWARF vmlinux (COR_VMLINUX), symbols come from its .symtab with
 * ELF sizes, as crash's do: every reference compares, including assembly
 * functions that kallsyms cuts at an inner label, and the `dis -l`
 * references compare whole, their "FILE: LINE" lines included. Module code
 * has no source lines here (crash had the module's .ko with `mod -s`): only
 * its instruction lines are compared.
 */
COR_TEST(corpus_dis_with_vmlinux)
{
	const char *vmlinux = getenv("COR_VMLINUX");
	if (!vmlinux) {
		cor_test_skip(t, "COR_VMLINUX is not set (the corpus kernel's DWARF vmlinux)");
		return;
	}
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	for (int i = 0; i < n; i++) {
		struct ref refs[MAX_REFS];
		int nr = list_refs(&dumps[i], refs, MAX_REFS), ok = 0, cut = 0, with_lines = 0;
		struct cor_program *prog;
		CHECK_OK(cor_program_open(dumps[i].path, vmlinux, &prog));
		for (int r = 0; r < nr; r++) {
			char cmd[4 * PATH_MAX], *out = NULL,
						*want = cor_test_slurp(refs[r].path, NULL);
			bool lines = strstr(refs[r].path, "/dis-l-") != NULL;
			bool full = lines && !in_module(prog, refs[r].args);
			snprintf(cmd, sizeof(cmd), "'%s' -k '%s' '%s' dis %s%s 2>/dev/null",
				 corpus_coroner(), vmlinux, dumps[i].path, lines ? "-l " : "",
				 refs[r].args);
			int status = cor_test_run(cmd, &out);
			char what[512];
			snprintf(what, sizeof(what), "%s (%s, vmlinux): dis %s", dumps[i].scenario,
				 dumps[i].variant, refs[r].args);
			struct cmp_stats st;
			if (status != 0 || !want || !out)
				cor_test_fail(t, __FILE__, __LINE__, "%s: exit %d", what, status);
			else if (full ? compare_full(t, what, out, want)
				      : compare(t, prog, what, out, want, &st))
				ok++, cut += full ? 0 : st.cut_at_label, with_lines += full;
			free(out);
			free(want);
		}
		CHECK_U64(cut, 0);
		cor_program_destroy(prog);
		printf("    %s (%s): %d/%d equal with the vmlinux (%d dis -l with their source "
		       "lines)\n",
		       dumps[i].scenario, dumps[i].variant, ok, nr, with_lines);
	}
}

/* Structural facts every loop must satisfy; returns a description of the first broken one. */
static const char *loop_broken(const struct cor_cfg *cfg, size_t i)
{
	const struct cor_cfg_loop *l = &cfg->loops[i];
	if (!cor_cfg_loop_contains(cfg, i, l->header))
		return "header outside its loop";
	for (size_t k = 0; k < l->num_blocks; k++)
		if (!l->irreducible && !cor_cfg_dominates(cfg, l->header, l->blocks[k]))
			return "natural loop block not dominated by its header";
	for (size_t k = 0; k < l->num_exits; k++) {
		const struct cor_cfg_edge *e = &cfg->edges[l->exits[k]];
		if (!cor_cfg_loop_contains(cfg, i, e->from) ||
		    (e->to != COR_CFG_NONE && cor_cfg_loop_contains(cfg, i, e->to)))
			return "exit edge does not leave the loop";
	}
	for (size_t k = 0; k < l->num_latches; k++)
		if (!cor_cfg_loop_contains(cfg, i, cfg->edges[l->latches[k]].from))
			return "latch outside the loop";
	if (l->parent != COR_CFG_NONE) {
		const struct cor_cfg_loop *p = &cfg->loops[l->parent];
		if (p->num_blocks <= l->num_blocks)
			return "parent not larger";
		for (size_t k = 0; k < l->num_blocks; k++)
			if (!cor_cfg_loop_contains(cfg, l->parent, l->blocks[k]))
				return "parent does not contain the loop";
	}
	return NULL;
}

/*
 * Robustness and generality: the graph, loops and summaries of every
 * function of one real kernel (about 49,000), with the structural facts of
 * each loop checked. Only linker marker symbols whose kallsyms "size" spans
 * megabytes may be refused.
 */
COR_TEST(corpus_cfg_every_function)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	for (int i = 0; i < n; i++) {
		struct cor_program *prog = NULL;
		struct cor_disasm *dis = NULL;
		if (!open_scenario(t, &dumps[i], "sysrq-c", &prog, &dis))
			continue;
		size_t ns = cor_program_num_symbols(prog), funcs = 0, refused = 0, loops = 0,
		       kinds[COR_LOOP_COUNTED + 1] = {0}, bad = 0;
		for (size_t k = 0; k < ns; k++) {
			struct cor_symbol s;
			struct cor_cfg *cfg;
			if (cor_program_symbol_at(prog, k, &s) == NULL &&
			    (s.type == 'T' || s.type == 't')) {
				struct cor_error *err =
				    cor_cfg_build_function(dis, prog, s.addr, &cfg);
				if (err) {
					refused++;
					if (!cor_error_is(err, COR_ERR_CORRUPT))
						cor_test_fail(t, __FILE__, __LINE__, "%s: %s",
							      s.name, err->message);
					cor_error_destroy(err);
					continue;
				}
				funcs++;
				for (size_t l = 0; l < cfg->num_loops; l++) {
					struct cor_loop_summary sum;
					const char *why = loop_broken(cfg, l);
					if (why && bad++ < 5)
						cor_test_fail(t, __FILE__, __LINE__,
							      "%s loop %zu: %s", s.name, l, why);
					if (cor_loop_summarize(cfg, l, &sum) == NULL)
						kinds[sum.kind]++, loops++;
				}
				cor_cfg_destroy(cfg);
			}
		}
		printf(
		    "    %s: %zu functions (%zu refused), %zu loops: %zu generic, %zu endless, %zu "
		    "poll, %zu seqcount, %zu counted\n",
		    dumps[i].scenario, funcs, refused, loops, kinds[COR_LOOP_GENERIC],
		    kinds[COR_LOOP_ENDLESS], kinds[COR_LOOP_POLL], kinds[COR_LOOP_SEQCOUNT],
		    kinds[COR_LOOP_COUNTED]);
		CHECK(funcs > 40000);
		CHECK(refused < 10);
		CHECK_U64(bad, 0);
		cor_disasm_destroy(dis);
		cor_program_destroy(prog);
	}
}
