// SPDX-License-Identifier: MIT
// The ORC tables of the dump's memory equal the vmlinux's .orc_unwind_ip and
// .orc_unwind sections byte for byte (needs the DWARF vmlinux: COR_VMLINUX),
// and a backtrace from the vmlinux's table (the path for dumps that lack
// their own) equals the one from the dump's.
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "coroner/program.h"
#include "coroner/stack.h"
#include "coroner/symbols.h"
#include "harness.h"

COR_TEST(corpus_orc_dump_equals_vmlinux_sections)
{
	const char *vmlinux = getenv("COR_VMLINUX");
	if (!vmlinux) {
		cor_test_skip(t, "COR_VMLINUX is not set: no DWARF vmlinux to compare ORC with");
		return;
	}
	struct corpus_dump dumps[32];
	int n = corpus_dumps(t, dumps, 32);
	if (n <= 0)
		return;
	uint8_t *ip, *orc;
	size_t ip_len, orc_len;
	uint64_t ip_addr;
	CHECK_OK(cor_orc_read_elf(vmlinux, &ip, &ip_len, &orc, &orc_len, &ip_addr));
	struct cor_program *prog;
	CHECK_OK(cor_program_open(dumps[0].path, NULL, &prog));
	struct cor_symbol s_ip, s_orc;
	CHECK_OK(cor_program_symbol_by_name(prog, "__start_orc_unwind_ip", &s_ip));
	CHECK_OK(cor_program_symbol_by_name(prog, "__start_orc_unwind", &s_orc));
	uint64_t koff = 0;
	cor_program_vmcoreinfo_u64(prog, "KERNELOFFSET", &koff);
	CHECK_U64(s_ip.addr, ip_addr + koff);
	uint8_t *d_ip = malloc(ip_len), *d_orc = malloc(orc_len);
	CHECK_OK(cor_program_read(prog, s_ip.addr, d_ip, ip_len));
	CHECK_OK(cor_program_read(prog, s_orc.addr, d_orc, orc_len));
	CHECK(memcmp(d_ip, ip, ip_len) == 0);
	CHECK(memcmp(d_orc, orc, orc_len) == 0);
	printf("    %s: %zu ORC entries equal the vmlinux's\n", dumps[0].scenario, ip_len / 4);
	free(d_ip);
	free(d_orc);
	free(ip);
	free(orc);
	cor_program_destroy(prog);
}

/*
 * bt -l: the source line under each frame of the sleeping tasks equals
 * drgn's (tests/data/refs/<s>/drgn-stacks.txt: the line of the innermost
 * inlined call at each frame's pc), file names compared by suffix (DWARF
 * keeps the build's paths for asm files).
 */
static bool same_file(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	return n > 0 && memcmp(a + alen - n, b + blen - n, n) == 0;
}

COR_TEST(corpus_bt_lines_match_drgn)
{
	const char *vmlinux = getenv("COR_VMLINUX");
	if (!vmlinux) {
		cor_test_skip(t, "COR_VMLINUX is not set: bt -l needs the DWARF vmlinux");
		return;
	}
	struct corpus_dump dumps[32];
	int n = corpus_dumps(t, dumps, 32), which = -1;
	for (int i = 0; i < n; i++)
		if (strcmp(dumps[i].scenario, "hung-task") == 0)
			which = i;
	if (which < 0) {
		cor_test_skip(t, "no hung-task dump");
		return;
	}
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/tests/data/refs/hung-task", cor_test_top());
	char *ref = corpus_read(dir, "drgn-stacks.txt");
	CHECK(ref != NULL);
	if (!ref)
		return;
	char cmd[4 * PATH_MAX];
	snprintf(cmd, sizeof(cmd), "'%s' -k '%s' '%s' foreach bt -l", corpus_coroner(), vmlinux,
		 dumps[which].path);
	char *out = NULL;
	CHECK(cor_test_run(cmd, &out) == 0);
	if (!out)
		out = strdup("");
	int good = 0, bad = 0;
	/* For each ref frame "NAME PC FILE:LINE", find "at PC" in our output and the
	 * "    FILE: LINE" line under it. */
	for (char *l = strtok(ref, "\n"); l; l = strtok(NULL, "\n")) {
		char name[128], where[512];
		unsigned long long pc;
		if (strncmp(l, "pid ", 4) == 0 ||
		    sscanf(l, "%127s %llx %511s", name, &pc, where) != 3 || strcmp(where, "-") == 0)
			continue;
		char at[64];
		snprintf(at, sizeof(at), " at %016llx", pc);
		const char *p = strstr(out, at);
		const char *nl = p ? strchr(p, '\n') : NULL;
		if (!nl || strncmp(nl + 1, "    ", 4) != 0) {
			if (bad++ < 8)
				printf("    %s at %llx: coroner no line, drgn %s\n", name, pc,
				       where);
			continue;
		}
		const char *file = nl + 5, *colon = strstr(file, ": ");
		const char *wcolon = strrchr(where, ':');
		if (!colon || !wcolon) {
			bad++;
			continue;
		}
		int line = atoi(colon + 2), wline = atoi(wcolon + 1);
		if (line == wline &&
		    same_file(file, (size_t)(colon - file), where, (size_t)(wcolon - where)))
			good++;
		else if (bad++ < 8)
			printf("    %s at %llx: coroner %.*s, drgn %s\n", name, pc,
			       (int)(strchr(file, '\n') - file), file, where);
	}
	printf("    hung-task: %d frame lines equal drgn's, %d differ\n", good, bad);
	CHECK(good >= 50);
	CHECK(bad == 0);
	free(out);
	free(ref);
}
