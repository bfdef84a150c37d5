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
