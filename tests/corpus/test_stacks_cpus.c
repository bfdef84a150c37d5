// SPDX-License-Identifier: MIT
// Corpus tests of the CPUs' saved registers: every CPU's registers come from
// its own crash_notes buffer and equal a note of the dump's header; the notes
// alone map to the same CPUs by their saved RSP; the note's pid is that CPU's
// current task; a CPU whose note the dump lacks (one that did not answer the
// NMI shoot-down) has no registers and the others keep theirs. And `ps`
// against crash's ps of the running tasks.
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "coroner/cpus.h"
#include "coroner/program.h"
#include "coroner/stack.h"
#include "coroner/tasks.h"
#include "harness.h"

#define MAX_DUMPS 32

static bool regs_equal(const struct cor_regs *a, const struct cor_regs *b)
{
	for (int r = 0; r < COR_CPU_REG_NUM; r++)
		if (((a->valid >> r) & 1) && a->r[r] != b->r[r])
			return false;
	return a->valid == b->valid;
}

static bool on_cpu_stacks(struct cor_program *prog, unsigned cpu, uint64_t task, uint64_t sp)
{
	struct cor_stack_range st[16];
	size_t n = 0;
	struct cor_error *err = cor_program_stacks(prog, cpu, task, st, 16, &n);
	cor_error_destroy(err);
	for (size_t i = 0; i < n; i++) /* or its guard page (stack-overflow) */
		if (sp + 4096 >= st[i].lo && sp < st[i].hi)
			return true;
	return false;
}

COR_TEST(corpus_cpu_notes_map_to_their_cpus)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	for (int i = 0; i < n; i++) {
		struct cor_program *prog;
		CHECK_OK(cor_program_open(dumps[i].path, NULL, &prog));
		unsigned ncpu = 0;
		CHECK_OK(cor_program_num_cpus(prog, &ncpu));
		CHECK_U64(ncpu, 4); /* crash's sys: CPUS: 4 */
		struct cor_task_list tl;
		CHECK_OK(cor_program_tasks(prog, &tl));
		for (unsigned c = 0; c < ncpu; c++) {
			struct cor_cpu_state st, fn;
			CHECK_OK(cor_program_cpu_state(prog, c, &st));
			CHECK_OK(cor_program_cpu_state_from_notes(prog, c, &fn));
			bool qemu = strcmp(dumps[i].variant, "elf") == 0;
			if (qemu) {
				CHECK(st.source == COR_CPU_SRC_QEMU);
				CHECK_U64(st.note_pid, c + 1);
			} else {
				/* the buffer in memory is what the capture kernel copied */
				CHECK(st.source == COR_CPU_SRC_DUMP_NOTE);
				CHECK(fn.source == COR_CPU_SRC_NOTE_STACK);
				CHECK(regs_equal(&st.regs, &fn.regs));
				const struct cor_task *cur = cor_task_list_find(&tl, st.task);
				CHECK(cur != NULL);
				if (cur)
					CHECK_U64(st.note_pid, (uint64_t)(int64_t)cur->pid);
			}
			CHECK(on_cpu_stacks(prog, c, st.task, st.regs.r[COR_CPU_REG_SP]));
		}
		printf("    %s (%s): %u CPUs, each with its own registers\n", dumps[i].scenario,
		       dumps[i].variant, ncpu);
		cor_task_list_deinit(&tl);
		cor_program_destroy(prog);
	}
}

/* Offset of the @k-th "CORE" NT_PRSTATUS note (336-byte descriptor) in @buf, or -1. */
static long nth_note(const uint8_t *buf, size_t len, int k)
{
	static const uint8_t hdr[] = {5, 0, 0, 0, 0x50, 1, 0, 0, 1, 0, 0, 0, 'C', 'O', 'R', 'E', 0};
	for (size_t off = 0; off + sizeof(hdr) + 3 + 336 <= len && off < (64u << 20); off += 4) {
		if (memcmp(buf + off, hdr, sizeof(hdr)) == 0 && k-- == 0)
			return (long)off;
	}
	return -1;
}

COR_TEST(corpus_cpu_without_note_is_not_shifted)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS), which = -1;
	for (int i = 0; i < n; i++)
		if (strcmp(dumps[i].scenario, "hardlockup") == 0)
			which = i;
	if (which < 0) {
		cor_test_skip(t, "no hardlockup dump in the corpus");
		return;
	}
	size_t len;
	uint8_t *buf = (uint8_t *)cor_test_slurp(dumps[which].path, &len);
	CHECK(buf != NULL);
	if (!buf)
		return;
	/* The second note of the header: drop it, as a capture kernel does for
	 * a CPU that never wrote its crash_notes buffer. */
	long off = nth_note(buf, len, 1);
	CHECK(off >= 0);
	if (off < 0) {
		free(buf);
		return;
	}
	uint64_t dropped_sp = cor_le64(buf + off + 20 + 112 + 19 * 8);
	cor_put_le32(buf + off + 8, 0x4e4f4e45); /* n_type: no longer NT_PRSTATUS */
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/dropped-note.kdump", cor_test_tmpdir(t));
	FILE *f = fopen(path, "wb");
	CHECK(f && fwrite(buf, 1, len, f) == len);
	if (f)
		fclose(f);
	free(buf);
	struct cor_program *prog;
	CHECK_OK(cor_program_open(path, NULL, &prog));
	int none = 0;
	for (unsigned c = 0; c < 4; c++) {
		struct cor_cpu_state st, fn;
		CHECK_OK(cor_program_cpu_state(prog, c, &st));
		CHECK_OK(cor_program_cpu_state_from_notes(prog, c, &fn));
		/* crash_notes in memory still hold every CPU */
		CHECK(st.source == COR_CPU_SRC_CRASH_NOTES || st.source == COR_CPU_SRC_DUMP_NOTE);
		if (st.regs.r[COR_CPU_REG_SP] == dropped_sp) {
			CHECK(st.source == COR_CPU_SRC_CRASH_NOTES);
			CHECK(fn.source == COR_CPU_SRC_NONE);
			none++;
			printf("    CPU %u: no note in the dump, registers from crash_notes\n", c);
		} else {
			CHECK(fn.source == COR_CPU_SRC_NOTE_STACK);
			CHECK(regs_equal(&st.regs, &fn.regs));
		}
	}
	CHECK(none == 1);
	cor_program_destroy(prog);
}

COR_TEST(corpus_ps_running_tasks_match_crash)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	for (int i = 0; i < n; i++) {
		char *ref = corpus_read(dumps[i].refs, "ps.txt");
		if (!ref)
			continue;
		char cmd[3 * PATH_MAX];
		snprintf(cmd, sizeof(cmd), "'%s' '%s' ps", corpus_coroner(), dumps[i].path);
		char *out = NULL;
		CHECK(cor_test_run(cmd, &out) == 0);
		if (!out)
			out = strdup("");
		int lines = 0;
		for (char *l = strtok(ref, "\n"); l; l = strtok(NULL, "\n")) {
			char task[32], st[4], comm[64], act;
			int pid, ppid, cpu;
			double mem;
			unsigned long long vsz, rss;
			if (sscanf(l, "%c %d %d %d %31s %3s %lf %llu %llu %63s", &act, &pid, &ppid,
				   &cpu, task, st, &mem, &vsz, &rss, comm) != 10)
				continue;
			const char *p = strstr(out, task);
			while (p && p > out && p[-1] != '\n')
				p--;
			char gtask[32], gst[4], gcomm[64], gact;
			int gpid, gppid, gcpu;
			double gmem;
			unsigned long long gvsz, grss;
			if (!p ||
			    sscanf(p, "%c %d %d %d %31s %3s %lf %llu %llu %63s", &gact, &gpid,
				   &gppid, &gcpu, gtask, gst, &gmem, &gvsz, &grss, gcomm) != 10) {
				cor_test_fail(t, __FILE__, __LINE__, "%s: task %s not in ps",
					      dumps[i].scenario, task);
				continue;
			}
			/* crash 8.0.2 prints PPID -1 where it cannot find the parent in
			 * this kernel's pid hash, and 0 for every idle task, whose
			 * real_parent (init, which forked them) we print. */
			bool ppid_ok = gppid == ppid || ppid == -1 || pid == 0;
			if (gact != act || gpid != pid || !ppid_ok || gcpu != cpu ||
			    strcmp(gst, st) || gmem != mem || gvsz != vsz || grss != rss ||
			    strcmp(gcomm, comm))
				cor_test_fail(t, __FILE__, __LINE__,
					      "%s: crash: \"%s\"; coroner: \"%.100s\"",
					      dumps[i].scenario, l, p);
			lines++;
		}
		printf("    %s (%s): %d running tasks as crash's ps\n", dumps[i].scenario,
		       dumps[i].variant, lines);
		CHECK(lines >= 4);
		free(out);
		free(ref);
	}
}

/* ps -m: crash's lines (time since last run, against the CPU's runqueue
 * clock) appear verbatim and in the same order. */
COR_TEST(corpus_ps_m_matches_crash)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS), checked = 0;
	for (int i = 0; i < n; i++) {
		char *ref = corpus_read(dumps[i].refs, "ps-m.txt");
		if (!ref)
			continue;
		char cmd[3 * PATH_MAX];
		snprintf(cmd, sizeof(cmd), "'%s' '%s' ps -m", corpus_coroner(), dumps[i].path);
		char *out = NULL;
		CHECK(cor_test_run(cmd, &out) == 0);
		if (!out)
			out = strdup("");
		corpus_rstrip_lines(ref);
		const char *last = out;
		int lines = 0;
		for (char *l = strtok(ref, "\n"); l; l = strtok(NULL, "\n")) {
			const char *p = strstr(out, l);
			if (!p)
				cor_test_fail(t, __FILE__, __LINE__, "%s: ps -m lacks \"%s\"",
					      dumps[i].scenario, l);
			else if (p < last && strncmp(l + 20, "PID: 0 ", 7) != 0)
				cor_test_fail(t, __FILE__, __LINE__,
					      "%s: ps -m order differs at \"%s\"",
					      dumps[i].scenario, l);
			if (p && p > last)
				last = p;
			lines++;
		}
		printf("    %s: %d ps -m lines as crash's\n", dumps[i].scenario, lines);
		checked++;
		free(out);
		free(ref);
	}
	CHECK(checked >= 1);
}

/* The CPU-N block of a bt -a output (malloc'ed), or NULL. */
static char *cpu_block(const char *bt_a, int cpu)
{
	char hdr[32];
	snprintf(hdr, sizeof(hdr), "CPU: %-4d", cpu);
	const char *p = strstr(bt_a, hdr);
	while (p && p > bt_a && p[-1] != '\n')
		p--;
	if (!p)
		return NULL;
	const char *e = strstr(p + 1, "\nPID: ");
	char *b = e ? strndup(p, (size_t)(e - p)) : strdup(p);
	size_t n = strlen(b);
	while (n && b[n - 1] == '\n')
		b[--n] = 0;
	return b;
}

/* bt -c N: our CPU N block of bt -a; crash's bt-cN.txt where our bt -a block
 * equals crash's (elsewhere crash is wrong, see corpus_bt_a_matches_crash). */
COR_TEST(corpus_bt_c_matches)
{
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS), same = 0;
	for (int i = 0; i < n; i++) {
		char name[32], cmd[3 * PATH_MAX];
		char *bta = NULL, *crash_a = corpus_read(dumps[i].refs, "bt-a.txt");
		snprintf(cmd, sizeof(cmd), "'%s' '%s' bt -a", corpus_coroner(), dumps[i].path);
		CHECK(cor_test_run(cmd, &bta) == 0);
		for (int c = 0; c < 4 && bta && crash_a; c++) {
			snprintf(name, sizeof(name), "bt-c%d.txt", c);
			char *ref = corpus_read(dumps[i].refs, name), *out = NULL;
			if (!ref)
				continue;
			snprintf(cmd, sizeof(cmd), "'%s' '%s' bt -c %d", corpus_coroner(),
				 dumps[i].path, c);
			CHECK(cor_test_run(cmd, &out) == 0);
			char *mine = cpu_block(bta, c), *theirs = cpu_block(crash_a, c);
			corpus_rstrip_lines(out);
			corpus_rstrip_lines(ref);
			size_t ol = strlen(out);
			while (ol && out[ol - 1] == '\n')
				out[--ol] = 0;
			if (!mine || strcmp(out, mine) != 0)
				cor_test_fail(t, __FILE__, __LINE__,
					      "%s: bt -c %d is not bt -a's CPU %d",
					      dumps[i].scenario, c, c);
			if (mine && theirs && strcmp(mine, theirs) == 0) {
				size_t rl = strlen(ref);
				while (rl && ref[rl - 1] == '\n')
					ref[--rl] = 0;
				if (strcmp(out, ref) != 0)
					cor_test_fail(t, __FILE__, __LINE__,
						      "%s: bt -c %d differs from crash's",
						      dumps[i].scenario, c);
				else
					same++;
			}
			free(mine);
			free(theirs);
			free(out);
			free(ref);
		}
		free(bta);
		free(crash_a);
	}
	printf("    %d bt -c outputs equal crash's byte for byte\n", same);
}
