// SPDX-License-Identifier: MIT
// The diagnosis must reason, not recognize: these tests take a real dump, change
// the code a CPU runs, the lock it polls, its registers or the lock's owner, write
// the result as a new ELF dump (tests/gen), and check that `coroner report` follows
// the change: another seqcount, a loop never seen before, a spinlock owned by a CPU
// that spins elsewhere. Registers are changed in the per-cpu crash_notes buffer
// (kernel/crash_core.c, "CORE"/NT_PRSTATUS: x86-64 struct elf_prstatus with pr_reg
// at 112, rip = register 16, rbx 5, eflags 18 of struct user_regs_struct).
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "corpus.h"
#include "coroner/cpus.h"
#include "coroner/dump.h"
#include "coroner/mem.h"
#include "coroner/program.h"
#include "coroner/symbols.h"
#include "coroner/tasks.h"
#include "coroner/types.h"
#include "gen/gen.h"
#include "harness.h"

#define NOTE_DESC 20 /* Elf64_Nhdr (12) + "CORE\0" padded to 8 */
#define PR_REG	  112
enum { R_RBX = 5, R_RAX = 10, R_RIP = 16, R_FLAGS = 18 };

struct mut {
	struct cor_program *prog;
	struct gen_spec *spec;
};

static const char *find_dump(struct cor_tctx *t, const char *scenario, char *path, size_t size)
{
	struct corpus_dump dumps[32];
	int n = corpus_dumps(t, dumps, 32);
	for (int i = 0; i < n; i++)
		if (strcmp(dumps[i].scenario, scenario) == 0) {
			snprintf(path, size, "%s", dumps[i].path);
			return path;
		}
	if (n >= 0)
		cor_test_skip(t, "no %s dump in the corpus", scenario);
	return NULL;
}

/* Loads every page of @p dump into a gen spec for an ELF copy. */
static bool mut_load(struct cor_tctx *t, const char *dump, struct mut *m)
{
	char err[256];
	memset(m, 0, sizeof(*m));
	if (gen_spec_parse("format elf\n", &m->spec, err, sizeof(err)) != 0) {
		cor_test_fail(t, __FILE__, __LINE__, "gen_spec_parse: %s", err);
		return false;
	}
	struct cor_error *e = cor_program_open(dump, NULL, &m->prog);
	if (e) {
		cor_test_fail(t, __FILE__, __LINE__, "%s: %s", dump, e->message);
		cor_error_destroy(e);
		return false;
	}
	struct cor_dump *d = cor_program_dump(m->prog);
	struct gen_spec *s = m->spec;
	s->npfn = s->max_pfn = cor_dump_max_pfn(d);
	s->kind = calloc(s->npfn, 1);
	s->corrupt = calloc(s->npfn, 1);
	s->pages = calloc(s->npfn, s->page_size);
	if (!s->kind || !s->corrupt || !s->pages)
		return false;
	for (uint64_t pfn = 0; pfn < s->npfn; pfn++) {
		if (cor_dump_page_state(d, pfn) != COR_PAGE_PRESENT)
			continue;
		e = cor_dump_read_page(d, pfn, s->pages + pfn * s->page_size);
		if (!e)
			s->kind[pfn] = GEN_PAGE_DATA;
		cor_error_destroy(e);
	}
	size_t vlen;
	const char *vi = cor_dump_vmcoreinfo(d, &vlen);
	s->vmcoreinfo = strndup(vi ? vi : "", vi ? vlen : 0);
	s->notes = calloc(cor_dump_num_notes(d) + 1, sizeof(*s->notes));
	for (size_t i = 0; i < cor_dump_num_notes(d); i++) {
		const struct cor_dump_note *note = cor_dump_note(d, i);
		if (strcmp(note->name, "VMCOREINFO") == 0)
			continue;
		struct gen_note *g = &s->notes[s->num_notes++];
		snprintf(g->name, sizeof(g->name), "%s", note->name);
		g->type = note->type;
		g->desc = malloc(note->descsz ? note->descsz : 1);
		memcpy(g->desc, note->desc, note->descsz);
		g->descsz = note->descsz;
	}
	return true;
}

static void mut_free(struct mut *m)
{
	gen_spec_free(m->spec);
	cor_program_destroy(m->prog);
}

/* Writes @p len bytes at kernel virtual address @p va of the copy. */
static bool mut_poke(struct cor_tctx *t, struct mut *m, uint64_t va, const void *bytes, size_t len)
{
	const uint8_t *b = bytes;
	for (size_t i = 0; i < len; i++) {
		uint64_t pa;
		struct cor_error *e = cor_mem_vtop(cor_program_mem(m->prog), va + i, &pa);
		if (e) {
			cor_test_fail(t, __FILE__, __LINE__, "vtop 0x%llx: %s",
				      (unsigned long long)va, e->message);
			cor_error_destroy(e);
			return false;
		}
		uint64_t pfn = pa / m->spec->page_size;
		if (pfn >= m->spec->npfn)
			return false;
		m->spec->pages[pa] = b[i];
		m->spec->kind[pfn] = GEN_PAGE_DATA;
	}
	return true;
}

static uint64_t sym(struct cor_tctx *t, struct mut *m, const char *name)
{
	struct cor_symbol s;
	struct cor_error *e = cor_program_symbol_by_name(m->prog, name, &s);
	if (e) {
		cor_test_fail(t, __FILE__, __LINE__, "symbol %s: %s", name, e->message);
		cor_error_destroy(e);
		return 0;
	}
	return s.addr;
}

/* Sets register @p reg of @p cpu's saved state in its crash_notes buffer. */
static bool mut_reg(struct cor_tctx *t, struct mut *m, unsigned cpu, int reg, uint64_t value)
{
	uint64_t var = sym(t, m, "crash_notes"), ptr, off;
	struct cor_error *e = cor_program_read_u64(m->prog, var, &ptr);
	if (!e)
		e = cor_program_per_cpu_offset(m->prog, cpu, &off);
	if (e) {
		cor_test_fail(t, __FILE__, __LINE__, "crash_notes of CPU %u: %s", cpu, e->message);
		cor_error_destroy(e);
		return false;
	}
	return mut_poke(t, m, ptr + off + NOTE_DESC + PR_REG + 8 * (uint64_t)reg, &value, 8);
}

static char *mut_report(struct cor_tctx *t, struct mut *m, const char *name)
{
	char path[PATH_MAX], err[256];
	const char *keep = getenv("COR_KEEP_MUTANTS"); /* a directory, to look at them */
	snprintf(path, sizeof(path), "%s/%s.elf", keep ? keep : cor_test_tmpdir(t), name);
	struct gen_out out;
	if (gen_write(m->spec, &out) != 0) {
		cor_test_fail(t, __FILE__, __LINE__, "gen_write failed");
		return strdup("");
	}
	FILE *f = fopen(path, "wb");
	bool ok = f && fwrite(out.buf, 1, out.len, f) == out.len;
	if (f)
		fclose(f);
	gen_out_free(&out);
	(void)err;
	if (!ok) {
		cor_test_fail(t, __FILE__, __LINE__, "cannot write %s", path);
		return strdup("");
	}
	char cmd[3 * PATH_MAX], *text = NULL;
	snprintf(cmd, sizeof(cmd), "'%s' report '%s' 2>&1", corpus_coroner(), path);
	int st = cor_test_run(cmd, &text);
	if (st != 0)
		cor_test_fail(t, __FILE__, __LINE__, "report exited %d: %s", st, text ? text : "");
	if (!keep)
		unlink(path);
	return text ? text : strdup("");
}

#define EXPECT_IN(text, what)                                                                      \
	do {                                                                                       \
		if (!strstr(text, what))                                                           \
			cor_test_fail(t, __FILE__, __LINE__, "report lacks \"%s\"", what);         \
	} while (0)
#define EXPECT_NOT_IN(text, what)                                                                  \
	do {                                                                                       \
		if (strstr(text, what))                                                            \
			cor_test_fail(t, __FILE__, __LINE__, "report must not say \"%s\"", what);  \
	} while (0)

/* A lock fact line: "lock": "NAME" in no JSON here; the text has "... <NAME> ...". */

/* Another seqcount: every CPU's loop now polls a different variable (the same
 * instruction with another RIP-relative displacement), left odd, nobody writing it. */
COR_TEST(report_general_another_seqcount)
{
	char path[PATH_MAX];
	struct mut m;
	if (!find_dump(t, "hardlockup-seqlock", path, sizeof(path)) || !mut_load(t, path, &m))
		return;
	/* tick_nohz_next_event+21 is "mov disp32(%rip),%eax" (8b 05 disp32), 6 bytes long. */
	uint64_t insn = sym(t, &m, "tick_nohz_next_event") + 21;
	uint64_t var = sym(t, &m, "tick_nohz_active");
	uint8_t code[6];
	struct cor_error *e = cor_program_read(m.prog, insn, code, 6);
	CHECK(!e && code[0] == 0x8b && code[1] == 0x05);
	cor_error_destroy(e);
	int32_t disp = (int32_t)(var - (insn + 6));
	uint32_t odd = 4661;
	CHECK(mut_poke(t, &m, insn + 2, &disp, 4));
	/* and the retry check at +45 ("mov disp32(%rip),%edx", 8b 15), to the same variable */
	uint64_t retry = insn + 24;
	e = cor_program_read(m.prog, retry, code, 6);
	CHECK(!e && code[0] == 0x8b && code[1] == 0x15);
	cor_error_destroy(e);
	int32_t disp2 = (int32_t)(var - (retry + 6));
	CHECK(mut_poke(t, &m, retry + 2, &disp2, 4));
	CHECK(mut_poke(t, &m, var, &odd, 4));
	char *r = mut_report(t, &m, "another-seqcount");
	EXPECT_IN(r, "tick_nohz_active");
	EXPECT_IN(r, "4661");
	EXPECT_IN(r, "odd");
	EXPECT_IN(r, "no writer");
	EXPECT_IN(r, "hardware suspect");
	EXPECT_NOT_IN(r, "sequence count jiffies_seq");
	free(r);
	/* Even: the same loop can exit now; no CPU is stuck on it. */
	uint32_t even = 4662;
	CHECK(mut_poke(t, &m, var, &even, 4));
	r = mut_report(t, &m, "even-seqcount");
	EXPECT_NOT_IN(r, "no writer");
	EXPECT_NOT_IN(r, "hardware suspect");
	free(r);
	mut_free(&m);
}

/* A loop never seen: new code in place of a module function, polling a variable
 * through a register, exiting when it equals 7; CPU 1 runs it with the variable at 3. */
COR_TEST(report_general_unseen_loop)
{
	char path[PATH_MAX];
	struct mut m;
	if (!find_dump(t, "hardlockup", path, sizeof(path)) || !mut_load(t, path, &m))
		return;
	uint64_t fn = sym(t, &m, "recursive_loop");
	uint64_t var = sym(t, &m, "panic_timeout");
	/* 0: pause; 2: mov (%rbx),%eax; 4: cmp $0x7,%eax; 7: jne 0; 9: ret */
	const uint8_t code[] = {0xf3, 0x90, 0x8b, 0x03, 0x83, 0xf8, 0x07, 0x75, 0xf7, 0xc3};
	uint32_t three = 3;
	CHECK(mut_poke(t, &m, fn, code, sizeof(code)));
	CHECK(mut_poke(t, &m, var, &three, 4));
	CHECK(mut_reg(t, &m, 1, R_RIP, fn + 2));
	CHECK(mut_reg(t, &m, 1, R_RBX, var));
	CHECK(mut_reg(t, &m, 1, R_FLAGS, 0x82));
	char *r = mut_report(t, &m, "unseen-loop");
	EXPECT_IN(r, "recursive_loop");
	EXPECT_IN(r, "panic_timeout");
	EXPECT_IN(r, "0x7");
	EXPECT_IN(r, "cannot exit");
	EXPECT_NOT_IN(r, "lkdtm_HARDLOCKUP+");
	free(r);
	mut_free(&m);
}

/* A spinlock owned by a CPU that spins elsewhere: in the spinlock dump, CPU 1 (idle)
 * is made to run an endless loop with the lock's address in RBX. */
COR_TEST(report_general_spinlock_owner_spinning)
{
	char path[PATH_MAX];
	struct mut m;
	if (!find_dump(t, "spinlockup", path, sizeof(path)) || !mut_load(t, path, &m))
		return;
	uint64_t loop = sym(t, &m, "lkdtm_HARDLOCKUP"), lock = sym(t, &m, "lock_me_up");
	/* lkdtm_HARDLOCKUP: an endless "pause; jmp" loop after cli; find its pause. */
	uint8_t code[16];
	struct cor_error *e = cor_program_read(m.prog, loop, code, sizeof(code));
	cor_error_destroy(e);
	uint64_t pause = 0;
	for (int i = 0; i + 1 < 16 && !pause; i++)
		if (code[i] == 0xf3 && code[i + 1] == 0x90)
			pause = loop + (uint64_t)i;
	CHECK(pause != 0);
	CHECK(mut_reg(t, &m, 1, R_RIP, pause));
	CHECK(mut_reg(t, &m, 1, R_RBX, lock));
	CHECK(mut_reg(t, &m, 1, R_FLAGS, 0x82));
	char *r = mut_report(t, &m, "owner-spinning");
	EXPECT_IN(r, "lock_me_up");
	EXPECT_IN(r, "CPU 1 runs lkdtm_HARDLOCKUP");
	EXPECT_IN(r, "lock's address in a register");
	EXPECT_NOT_IN(r, "no owner running");
	free(r);
	mut_free(&m);
}

/* Writes a mutex at @p m, owned by @p owner, with one waiter at @p w (on @p waiter's stack). */
static bool fake_mutex(struct cor_tctx *t, struct mut *m, uint64_t mtx, uint64_t owner, uint64_t w,
		       uint64_t waiter)
{
	uint64_t o_owner, o_wait, o_list, o_task;
	struct cor_error *e = cor_program_member_offset(m->prog, "struct mutex", "owner", &o_owner);
	if (!e)
		e = cor_program_member_offset(m->prog, "struct mutex", "wait_list", &o_wait);
	if (!e)
		e = cor_program_member_offset(m->prog, "struct mutex_waiter", "list", &o_list);
	if (!e)
		e = cor_program_member_offset(m->prog, "struct mutex_waiter", "task", &o_task);
	if (e) {
		cor_test_fail(t, __FILE__, __LINE__, "mutex layout: %s", e->message);
		cor_error_destroy(e);
		return false;
	}
	uint64_t head = mtx + o_wait, node = w + o_list;
	return mut_poke(t, m, mtx + o_owner, &owner, 8) && mut_poke(t, m, head, &node, 8) &&
	       mut_poke(t, m, head + 8, &node, 8) && mut_poke(t, m, node, &head, 8) &&
	       mut_poke(t, m, node + 8, &head, 8) && mut_poke(t, m, w + o_task, &waiter, 8);
}

/* A deadlock the dump never had: the hung task waits for a mutex owned by init, which
 * waits for a second mutex owned by the hung task. The report must follow the owners
 * and name the cycle. */
COR_TEST(report_general_mutex_deadlock)
{
	char path[PATH_MAX];
	struct mut m;
	if (!find_dump(t, "hung-task", path, sizeof(path)) || !mut_load(t, path, &m))
		return;
	struct cor_task_list list;
	struct cor_error *e = cor_program_tasks(m.prog, &list);
	if (e) {
		cor_test_fail(t, __FILE__, __LINE__, "tasks: %s", e->message);
		cor_error_destroy(e);
		mut_free(&m);
		return;
	}
	const struct cor_task *a = cor_task_list_find(&list, 122),
			      *b = cor_task_list_find(&list, 1);
	CHECK(a && b && a->stack && b->stack);
	if (a && b) {
		uint64_t zero = sym(t, &m, "empty_zero_page");
		uint64_t m1 = zero + 0x100, m2 = zero + 0x200;
		CHECK(fake_mutex(t, &m, m1, b->addr, a->stack + 0x200, a->addr));
		CHECK(fake_mutex(t, &m, m2, a->addr, b->stack + 0x200, b->addr));
		char *r = mut_report(t, &m, "mutex-deadlock");
		EXPECT_IN(r, "waits for mutex empty_zero_page+0x100");
		EXPECT_IN(r, "owned by init");
		EXPECT_IN(r, "deadlock");
		free(r);
	}
	cor_task_list_deinit(&list);
	mut_free(&m);
}
