// SPDX-License-Identifier: MIT
// Corpus tests of types WITH the DWARF vmlinux (COR_VMLINUX; `make
// check-dwarf`; they skip loudly without it): the same p/struct/whatis
// comparisons with crash as test_types.c, now with types and global
// variables from DWARF, and source lines: for every kernel-text instruction
// of crash's `dis -l` refs, cor_program_source_line() gives the file and line
// crash printed above it.
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "coroner/program.h"
#include "coroner/types.h"
#include "coroner/types_model.h"
#include "harness.h"

#define MAX_DUMPS 32

/* Checks one dis -l ref; returns the number of instructions compared. */
static int check_dis_lines(struct cor_tctx *t, struct cor_program *prog, const char *scenario,
			   const char *name, char *ref)
{
	char cur_file[1024] = "";
	int cur_line = 0, n = 0;
	char *save;
	for (char *l = strtok_r(ref, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *colon = strstr(l, ": ");
		if (strncmp(l, "0x", 2) != 0 && colon) {
			snprintf(cur_file, sizeof(cur_file), "%.*s", (int)(colon - l), l);
			cur_line = atoi(colon + 2);
			continue;
		}
		uint64_t addr = strtoull(l, NULL, 16);
		/* Module code: crash had the module's own debuginfo (mod -s); a
		 * vmlinux has none. */
		if (!cur_line || addr >= 0xffffffffc0000000ull)
			continue;
		const char *file;
		int line;
		struct cor_error *err = cor_program_source_line(prog, addr, &file, &line);
		if (err) {
			cor_test_fail(t, __FILE__, __LINE__, "%s %s 0x%llx: %s", scenario, name,
				      (unsigned long long)addr, err->message);
			cor_error_destroy(err);
			return n;
		}
		size_t fl = strlen(file), cl = strlen(cur_file);
		if (line != cur_line || fl < cl || strcmp(file + fl - cl, cur_file) != 0) {
			cor_test_fail(t, __FILE__, __LINE__, "%s %s 0x%llx: %s:%d, crash: %s: %d",
				      scenario, name, (unsigned long long)addr, file, line,
				      cur_file, cur_line);
			continue;
		}
		n++;
	}
	return n;
}

COR_TEST(corpus_dwarf_source_lines)
{
	const char *vmlinux = getenv("COR_VMLINUX");
	if (!vmlinux) {
		cor_test_skip(t, "COR_VMLINUX is not set (the DWARF vmlinux): make check-dwarf");
		return;
	}
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS), total = 0;
	for (int i = 0; i < n; i++) {
		struct cor_program *prog;
		CHECK_OK(cor_program_open(dumps[i].path, vmlinux, &prog));
		char cmd[PATH_MAX + 64], *list = NULL;
		snprintf(cmd, sizeof(cmd), "cd '%s' && ls dis-l-*.txt 2>/dev/null", dumps[i].refs);
		cor_test_run(cmd, &list);
		char *save;
		for (char *f = strtok_r(list ? list : (char *)"", "\n", &save); f;
		     f = strtok_r(NULL, "\n", &save)) {
			char *ref = corpus_read(dumps[i].refs, f);
			if (ref)
				total += check_dis_lines(t, prog, dumps[i].scenario, f, ref);
			free(ref);
		}
		free(list);
		cor_program_destroy(prog);
	}
	printf("    %d instructions: file:line equal crash's dis -l\n", total);
	CHECK(total > 100);
}

COR_TEST(corpus_dwarf_globals)
{
	const char *vmlinux = getenv("COR_VMLINUX");
	if (!vmlinux) {
		cor_test_skip(t, "COR_VMLINUX is not set (the DWARF vmlinux): make check-dwarf");
		return;
	}
	struct corpus_dump dumps[MAX_DUMPS];
	int n = corpus_dumps(t, dumps, MAX_DUMPS);
	if (n <= 0)
		return;
	struct cor_program *prog;
	CHECK_OK(cor_program_open(dumps[0].path, vmlinux, &prog));
	/* Globals the table does not know get their DWARF type ("whatis" of crash). */
	static const char *const names[][2] = {
	    {"tick_cpu_device", "struct tick_device"},
	    {"hrtimer_bases", "struct hrtimer_cpu_base"},
	    {"clear_seq", "struct latched_seq"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct cor_global g;
		CHECK_OK(cor_program_global(prog, names[i][0], &g));
		CHECK(g.type != NULL);
		if (g.type) {
			uint64_t size, want;
			CHECK_OK(cor_program_type_size(prog, names[i][1], &want));
			struct cor_types *types;
			CHECK_OK(cor_program_types(prog, &types));
			CHECK_OK(cor_types_sizeof(types, g.type, &size));
			CHECK_U64(size, want);
		}
	}
	cor_program_destroy(prog);
}
