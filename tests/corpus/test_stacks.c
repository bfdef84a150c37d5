// SPDX-License-Identifier: MIT
// Corpus tests of backtraces, tasks and CPUs (issue 4), with no vmlinux:
// - `bt -a`: per CPU, the function names, stack markers and exception frames
//   equal crash's refs/bt-a.txt; where they differ, the kernel's own trace of
//   that CPU in dmesg.txt decides (crash 8.0.2 loses IRQ-stack exits, skips
//   calls to noreturn functions, and lists stale frames past do_syscall_64);
//   exception-frame registers that crash printed equal ours.
// - `ps`: every task of the drgn walk (tests/data/refs/<s>/drgn-ps.txt, made
//   by gen-drgn-stacks.py) and of refs/list-tasks.txt, with PID, PPID, CPU,
//   TASK, ST, COMM.
// - `bt PID` of sleeping tasks: the frames of drgn's stack traces
//   (drgn-stacks.txt), at least 10 tasks per dump.
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "harness.h"

#define MAX_DUMPS 32
#define MAX_TOK	  512
#define MAX_CPUS  64

struct toks {
	char *t[MAX_TOK];
	int n;
	bool bogus;	/* crash printed "possibly bogus exception frame" */
	int bogus_at;	/* token index after the bogus frame */
	int irq_marker; /* index of the IRQ stack marker before it */
};

static void toks_free(struct toks *k)
{
	for (int i = 0; i < k->n; i++)
		free(k->t[i]);
	k->n = 0;
}

static void add(struct toks *k, const char *s, size_t n)
{
	if (k->n < MAX_TOK)
		k->t[k->n++] = strndup(s, n);
}

/* Tokens of one CPU's block of crash-style bt output. */
static void parse_bt(const char *blk, struct toks *k)
{
	memset(k, 0, sizeof(*k));
	k->irq_marker = -1;
	for (const char *l = blk; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		const char *p;
		if (len > 4 && (l[0] == '#' || (l[0] == ' ' && l[1] == '#'))) {
			p = strchr(l, ']');
			if (p && p + 2 < l + len) {
				const char *q = strstr(p + 2, " at ");
				if (q && q < l + len)
					add(k, p + 2, (size_t)(q - p - 2));
			}
		} else if ((p = strstr(l, "[exception RIP: ")) && p < l + len) {
			char buf[256];
			p += 16;
			size_t n = strcspn(p, "+]\n");
			snprintf(buf, sizeof(buf), "EXC:%.*s", (int)n, p);
			add(k, buf, strlen(buf));
		} else if (strncmp(l, "--- <", 5) == 0) {
			if (strncmp(l, "--- <IRQ stack>", 15) == 0)
				k->irq_marker = k->n;
			add(k, l, len);
		} else if (strncmp(l, "WARNING: possibly bogus", 23) == 0) {
			k->bogus = true;
			k->bogus_at = k->n;
		}
	}
}

/* Drops a frame right after EXC:f that repeats f (crash does, for QEMU it does not). */
static void normalize(struct toks *k, bool drop_markers)
{
	int j = 0;
	for (int i = 0; i < k->n; i++) {
		bool dup = j > 0 && strncmp(k->t[j - 1], "EXC:", 4) == 0 &&
			   strcmp(k->t[j - 1] + 4, k->t[i]) == 0;
		bool marker = drop_markers && strncmp(k->t[i], "---", 3) == 0;
		if (dup || marker) {
			free(k->t[i]);
			continue;
		}
		k->t[j++] = k->t[i];
	}
	k->n = j;
}

/* Splits bt -a output into per-CPU blocks (pointers into @s, which is modified). */
static int split_cpus(char *s, char **blk, int max)
{
	int n = 0;
	for (char *p = s; (p = strstr(p, "PID: ")) && n < max;) {
		if (p != s && p[-1] != '\n') {
			p++;
			continue;
		}
		if (n)
			p[-1] = 0;
		blk[n++] = p;
		p++;
	}
	return n;
}

/* The kernel's last backtrace of @cpu in dmesg: names, "EXC:f" for RIP lines. */
static bool dmesg_trace(const char *dmesg, int cpu, struct toks *k)
{
	char h1[64], h2[64];
	snprintf(h1, sizeof(h1), "NMI backtrace for cpu %d\n", cpu);
	snprintf(h2, sizeof(h2), "CPU: %d PID: ", cpu);
	const char *best = NULL;
	for (const char *p = dmesg; (p = strstr(p, "] ")); p++) {
		if (strncmp(p + 2, h1, strlen(h1)) == 0 || strncmp(p + 2, h2, strlen(h2)) == 0)
			best = p;
	}
	memset(k, 0, sizeof(*k));
	if (!best)
		return false;
	const char *ct = strstr(best, "Call Trace:");
	if (!ct)
		return false;
	/* Up to the next header (another CPU's trace). */
	const char *stop = NULL;
	for (const char *p = ct; (p = strstr(p, "] ")); p++) {
		if (strncmp(p + 2, "NMI backtrace", 13) == 0 || strncmp(p + 2, "CPU: ", 5) == 0 ||
		    strncmp(p + 2, "Kernel panic", 12) == 0) {
			stop = p;
			break;
		}
	}
	for (const char *l = strchr(ct, '\n'); l && (!stop || l < stop); l = strchr(l + 1, '\n')) {
		const char *p = strstr(l + 1, "] ");
		const char *e = strchr(l + 1, '\n');
		if (!p || (e && p > e))
			continue;
		p += 2;
		if (strncmp(p, "RIP: 0010:", 10) == 0) {
			char buf[256];
			size_t n = strcspn(p + 10, "+\n");
			snprintf(buf, sizeof(buf), "EXC:%.*s", (int)n, p + 10);
			add(k, buf, strlen(buf));
		} else if (p[0] == ' ' && p[1] != '?' && p[1] != '<') {
			size_t n = strcspn(p + 1, "+\n ");
			if (strncmp(p + 1 + n, "+0x", 3) == 0)
				add(k, p + 1, n);
		}
	}
	return k->n > 0;
}

static int find(const struct toks *k, const char *s, int from)
{
	for (int i = from; i < k->n; i++)
		if (strcmp(k->t[i], s) == 0)
			return i;
	return -1;
}

static bool equal_from(const struct toks *a, int ia, const struct toks *b, int ib)
{
	if (a->n - ia != b->n - ib)
		return false;
	for (; ia < a->n; ia++, ib++)
		if (strcmp(a->t[ia], b->t[ib]) != 0)
			return false;
	return true;
}

static void join(const struct toks *k, char *buf, size_t size)
{
	buf[0] = 0;
	for (int i = 0; i < k->n; i++) {
		size_t l = strlen(buf);
		snprintf(buf + l, size - l, "%s%s", i ? ", " : "", k->t[i]);
	}
}

/* Compares one CPU; returns NULL on success or a static explanation. */
static const char *check_cpu(const char *mine_blk, const char *crash_blk, const char *dmesg,
			     int cpu, char *why, size_t whysz)
{
	struct toks m, c, km, kd;
	parse_bt(mine_blk, &m);
	parse_bt(crash_blk, &c);
	normalize(&m, false);
	normalize(&c, false);
	const char *res = NULL;
	char a[4096], b[4096];
	if (m.n == c.n && equal_from(&m, 0, &c, 0))
		goto out;
	/* crash is wrong somewhere: the kernel's trace of this CPU decides. */
	if (dmesg_trace(dmesg, cpu, &kd)) {
		parse_bt(mine_blk, &km);
		normalize(&km, true);
		normalize(&kd, false);
		int k0 = 0, i0 = -1;
		for (; k0 < kd.n && (i0 = find(&km, kd.t[k0], 0)) < 0; k0++)
			;
		bool ok = i0 >= 0 && equal_from(&km, i0, &kd, k0) && m.n >= 2 && c.n >= 2 &&
			  strcmp(m.t[0], c.t[0]) == 0 && strcmp(m.t[1], c.t[1]) == 0;
		if (!ok) {
			join(&km, a, sizeof(a));
			join(&kd, b, sizeof(b));
			snprintf(why, whysz, "coroner [%s] vs the kernel's dmesg trace [%s]", a, b);
			res = why;
		} else {
			printf(
			    "    cpu %d: crash differs, the kernel's trace agrees with coroner\n",
			    cpu);
		}
		toks_free(&km);
		toks_free(&kd);
		goto out;
	}
	if (c.bogus && c.irq_marker >= 0) {
		/* No kernel trace: crash's part before its IRQ-stack exit and its
		 * part after the bogus frame must match ours. */
		struct toks raw, mr;
		parse_bt(crash_blk, &raw);
		parse_bt(mine_blk, &mr);
		int tail = raw.n - raw.bogus_at;
		bool ok = mr.n >= raw.irq_marker + tail;
		for (int i = 0; ok && i <= raw.irq_marker; i++)
			ok = strcmp(mr.t[i], raw.t[i]) == 0;
		for (int i = 0; ok && i < tail; i++)
			ok = strcmp(mr.t[mr.n - tail + i], raw.t[raw.bogus_at + i]) == 0;
		toks_free(&raw);
		toks_free(&mr);
		if (ok) {
			printf("    cpu %d: crash's bogus IRQ exit replaced, the rest equal\n",
			       cpu);
			goto out;
		}
	}
	join(&m, a, sizeof(a));
	join(&c, b, sizeof(b));
	snprintf(why, whysz, "coroner [%s] vs crash [%s]", a, b);
	res = why;
out:
	toks_free(&m);
	toks_free(&c);
	return res;
}

/* Register blocks crash printed (not the bogus ones) must be in ours. */
static int check_regs(struct cor_tctx *t, const char *mine, const char *crash, const char *what)
{
	int n = 0;
	for (const char *p = crash; (p = strstr(p, "    RIP: ")); p++) {
		const char *end = strstr(p, "SS: ");
		if (!end)
			break;
		end = strchr(end, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (end && strncmp(end + 1, "WARNING: possibly bogus", 23) == 0)
			continue;
		char *blk = strndup(p, len);
		/* QEMU's blocks have no ORIG_RAX; compare up to R15's line. */
		char *o = strstr(blk, "    ORIG_RAX");
		if (!o)
			o = strstr(blk, "    CS:");
		if (o)
			*o = 0;
		if (!strstr(mine, blk))
			cor_test_fail(t, __FILE__, __LINE__,
				      "%s: crash's register block not ours:\n%s", what, blk);
		else
			n++;
		free(blk);
	}
	return n;
}

COR_TEST(corpus_bt_a_matches_crash)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	for (int i = 0; i < n; i++) {
		char *ref = corpus_read(dumps[i].refs, "bt-a.txt");
		char *dmesg = corpus_read(dumps[i].dir, "dmesg.txt");
		if (!ref || !dmesg) {
			cor_test_fail(t, __FILE__, __LINE__, "%s: no bt-a.txt/dmesg.txt",
				      dumps[i].scenario);
			free(ref);
			free(dmesg);
			continue;
		}
		char cmd[3 * PATH_MAX];
		snprintf(cmd, sizeof(cmd), "'%s' '%s' bt -a", corpus_coroner(), dumps[i].path);
		char *out = NULL;
		CHECK(cor_test_run(cmd, &out) == 0);
		if (!out)
			out = strdup("");
		corpus_rstrip_lines(out);
		corpus_rstrip_lines(ref);
		int regs = check_regs(t, out, ref, dumps[i].scenario);
		char *mb[MAX_CPUS], *cb[MAX_CPUS];
		int nm = split_cpus(out, mb, MAX_CPUS), nc = split_cpus(ref, cb, MAX_CPUS);
		if (nm != nc)
			cor_test_fail(t, __FILE__, __LINE__, "%s: %d CPUs, crash %d",
				      dumps[i].scenario, nm, nc);
		for (int cpu = 0; cpu < nm && cpu < nc; cpu++) {
			char why[9000];
			const char *r = check_cpu(mb[cpu], cb[cpu], dmesg, cpu, why, sizeof(why));
			if (r)
				cor_test_fail(t, __FILE__, __LINE__, "%s (%s) cpu %d: %s",
					      dumps[i].scenario, dumps[i].variant, cpu, r);
		}
		printf("    %s (%s): %d CPUs checked, %d register blocks equal\n",
		       dumps[i].scenario, dumps[i].variant, nm, regs);
		free(out);
		free(ref);
		free(dmesg);
	}
}

/* drgn's state letters (drgn.helpers.linux.sched.task_state_to_char) as crash's ST. */
static const char *st_of(char c)
{
	switch (c) {
	case 'R':
		return "RU";
	case 'S':
		return "IN";
	case 'D':
		return "UN";
	case 'I':
		return "ID";
	case 'T':
		return "ST";
	case 't':
		return "TR";
	case 'Z':
		return "ZO";
	case 'X':
		return "DE";
	default:
		return "??";
	}
}

static char *run_coroner(struct cor_tctx *t, const char *dump, const char *args)
{
	char cmd[3 * PATH_MAX];
	snprintf(cmd, sizeof(cmd), "'%s' '%s' %s", corpus_coroner(), dump, args);
	char *out = NULL;
	CHECK(cor_test_run(cmd, &out) == 0);
	return out ? out : strdup("");
}

static char *drgn_ref(const char *scenario, const char *name)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/tests/data/refs/%s", cor_test_top(), scenario);
	return corpus_read(dir, name);
}

COR_TEST(corpus_ps_matches_drgn_and_list_tasks)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	int checked_dumps = 0;
	for (int i = 0; i < n; i++) {
		char *ref = drgn_ref(dumps[i].scenario, "drgn-ps.txt");
		if (!ref)
			continue; /* drgn cannot read QEMU ELF dumps without the kdump header */
		checked_dumps++;
		char *out = run_coroner(t, dumps[i].path, "ps");
		int tasks = 0;
		for (char *l = strtok(ref, "\n"); l; l = strtok(NULL, "\n")) {
			int pid, ppid, cpu;
			char task[32], st, comm[64] = "";
			if (sscanf(l, "%d %d %d %31s %c %63[^\n]", &pid, &ppid, &cpu, task, &st,
				   comm) < 5)
				continue;
			/* ps line: [>] PID PPID CPU TASK ST %MEM VSZ RSS COMM */
			char want[256], *p = strstr(out, task);
			bool ok = false;
			while (p && !ok) {
				char *ls = p;
				while (ls > out && ls[-1] != '\n')
					ls--;
				int gpid, gppid, gcpu;
				char gtask[32], gst[4], gcomm[64];
				double mem;
				unsigned long long vsz, rss;
				const char *q = ls + 1;
				if (sscanf(q, "%d %d %d %31s %3s %lf %llu %llu %63[^\n]", &gpid,
					   &gppid, &gcpu, gtask, gst, &mem, &vsz, &rss,
					   gcomm) == 9) {
					char bare[64];
					snprintf(bare, sizeof(bare), "%s", gcomm);
					if (bare[0] == '[') {
						memmove(bare, bare + 1, strlen(bare));
						bare[strcspn(bare, "]")] = 0;
					}
					ok = gpid == pid && gppid == ppid && gcpu == cpu &&
					     strcmp(gtask, task) == 0 &&
					     strcmp(gst, st_of(st)) == 0 && strcmp(bare, comm) == 0;
				}
				p = strstr(p + 1, task);
			}
			snprintf(want, sizeof(want), "%d %d %d %s %s %s", pid, ppid, cpu, task,
				 st_of(st), comm);
			if (!ok)
				cor_test_fail(t, __FILE__, __LINE__,
					      "%s: ps lacks (PID PPID CPU TASK ST COMM) %s",
					      dumps[i].scenario, want);
			tasks++;
		}
		/* refs/list-tasks.txt (crash's walk by hand): every task there is in ps. */
		char *lt = corpus_read(dumps[i].refs, "list-tasks.txt");
		if (!lt)
			lt = corpus_read(dumps[i].dir, "refs/list-tasks.txt");
		int lt_n = 0;
		for (char *l = lt ? strtok(lt, "\n") : NULL; l; l = strtok(NULL, "\n")) {
			if (strlen(l) == 16 && isxdigit((unsigned char)l[0])) {
				if (!strstr(out, l))
					cor_test_fail(t, __FILE__, __LINE__,
						      "%s: task %s of list-tasks.txt not in ps",
						      dumps[i].scenario, l);
				lt_n++;
			}
		}
		printf("    %s: %d tasks as drgn sees them, %d of list-tasks.txt\n",
		       dumps[i].scenario, tasks, lt_n);
		CHECK(tasks > 50);
		free(lt);
		free(out);
		free(ref);
	}
	CHECK(checked_dumps >= 9);
}

/*
 * One sleeping task: drgn's frames ("NAME PC" lines) against ours ("#N [SP]
 * NAME at PC"): same return addresses, frame by frame (names may be aliases:
 * drgn takes the ELF symbol, e.g. entry_SYSCALL_64 for
 * entry_SYSCALL_64_after_hwframe). drgn, without module debug info, stops
 * at a module frame ("?"): only the frames before it are compared.
 */
static bool task_matches(const char *blk, const char *b, const char *bend, char *why, size_t wsz)
{
	unsigned long long want[128], got[128];
	int nw = 0, ng = 0;
	bool partial = false;
	for (const char *l = strchr(blk, '\n'); l && l[1] && nw < 128; l = strchr(l + 1, '\n')) {
		char name[128];
		unsigned long long pc;
		if (sscanf(l + 1, "%127s %llx", name, &pc) != 2)
			break;
		if (strcmp(name, "?") == 0) {
			partial = true;
			break;
		}
		want[nw++] = pc;
	}
	for (const char *f = b; f && (!bend || f < bend) && ng < 128; f = strchr(f + 1, '\n')) {
		const char *at = strstr(f, " at ");
		const char *nl = strchr(f + 1, '\n');
		if (!at || (nl && at > nl) || !strstr(f, "] "))
			continue;
		if (sscanf(at + 4, "%llx", &got[ng]) == 1)
			ng++;
	}
	bool ok = partial ? ng >= nw : ng == nw;
	for (int i = 0; ok && i < nw; i++)
		ok = want[i] == got[i];
	if (!ok)
		snprintf(why, wsz, "drgn %d frames%s, coroner %d; first pcs %llx/%llx", nw,
			 partial ? " (then a module frame)" : "", ng, nw ? want[0] : 0,
			 ng ? got[0] : 0);
	return ok;
}

COR_TEST(corpus_bt_sleeping_tasks_match_drgn)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	for (int i = 0; i < n; i++) {
		char *ref = drgn_ref(dumps[i].scenario, "drgn-stacks.txt");
		if (!ref)
			continue;
		char *out = run_coroner(t, dumps[i].path, "foreach bt");
		int good = 0, total = 0;
		for (char *blk = ref; blk && *blk;) {
			char *next = strstr(blk, "\n\n");
			if (next)
				*next = 0;
			int pid;
			if (sscanf(blk, "pid %d", &pid) == 1 && !strstr(blk, "\nerror ")) {
				char hdr[64], why[256];
				snprintf(hdr, sizeof(hdr), "PID: %-8d", pid);
				const char *b = strstr(out, hdr);
				const char *bend = b ? strstr(b + 1, "\nPID: ") : NULL;
				total++;
				if (b && task_matches(blk, b, bend, why, sizeof(why)))
					good++;
				else
					printf("    %s pid %d differs: %s\n", dumps[i].scenario,
					       pid, b ? why : "no bt");
			}
			blk = next ? next + 2 : NULL;
		}
		printf("    %s: %d of %d sleeping tasks' frames equal drgn's\n", dumps[i].scenario,
		       good, total);
		if (good < 10 || good != total)
			cor_test_fail(t, __FILE__, __LINE__,
				      "%s: %d of %d sleeping tasks match drgn", dumps[i].scenario,
				      good, total);
		free(out);
		free(ref);
	}
}
