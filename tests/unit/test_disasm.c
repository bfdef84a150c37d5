// SPDX-License-Identifier: MIT
// Decoding and gdb/crash-style text of single instructions. The expected
// texts are GNU objdump 2.40's for the same bytes (assembled with GNU as
// 2.40; objdump and gdb share binutils' opcodes printer), which crash prints
// through gdb; objdump does not pad operand-less mnemonics (gdb does), so
// trailing blanks are ignored. A second test compares a whole megabyte of the
// corpus vmlinux with objdump when COR_VMLINUX is set.
#include <stdlib.h>
#include <string.h>

#include "coroner/disasm.h"
#include "harness.h"

struct fmt_case {
	uint8_t bytes[16];
	uint8_t len;
	uint64_t addr; /* offset in the objdump listing */
	const char *text;
};

static const struct fmt_case cases[] = {
    {{0x8b, 0x05, 0x10, 0, 0, 0}, 6, 0x0, "mov    0x10(%rip),%eax        # 0x16"},
    {{0x0f, 0x1f, 0x04, 0x00}, 4, 0x6, "nopl   (%rax,%rax,1)"},
    {{0xf6, 0x45, 0x4c, 0x02}, 4, 0xa, "testb  $0x2,0x4c(%rbp)"},
    {{0x65, 0xff, 0x05, 0x10, 0, 0, 0}, 7, 0xe, "incl   %gs:0x10(%rip)        # 0x25"},
    {{0x83, 0xfa, 0xff}, 3, 0x15, "cmp    $0xffffffff,%edx"},
    {{0x48, 0xd1, 0xe8}, 3, 0x18, "shr    %rax"},
    {{0x48, 0xc1, 0xe8, 0x03}, 4, 0x1b, "shr    $0x3,%rax"},
    {{0x48, 0xd3, 0xe0}, 3, 0x1f, "shl    %cl,%rax"},
    {{0x48, 0x89, 0x45, 0x00}, 4, 0x22, "mov    %rax,0x0(%rbp)"},
    {{0xf0, 0x0f, 0xb1, 0x17}, 4, 0x26, "lock cmpxchg %edx,(%rdi)"},
    {{0xf3, 0x48, 0xab}, 3, 0x2a, "rep stos %rax,%es:(%rdi)"},
    {{0x41, 0x0f, 0xb6, 0x54, 0x24, 0x14}, 6, 0x2d, "movzbl 0x14(%r12),%edx"},
    {{0x48, 0x63, 0xc0}, 3, 0x33, "movslq %eax,%rax"},
    {{0x48, 0x98}, 2, 0x36, "cltq"},
    {{0xff, 0xd0}, 2, 0x38, "call   *%rax"},
    {{0xff, 0x24, 0xc5, 0x10, 0, 0, 0}, 7, 0x3a, "jmp    *0x10(,%rax,8)"},
    {{0x9c}, 1, 0x41, "pushf"},
    {{0x9d}, 1, 0x42, "popf"},
    {{0x66, 0x90}, 2, 0x43, "xchg   %ax,%ax"},
    {{0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0},
     11,
     0x45,
     "data16 cs nopw 0x0(%rax,%rax,1)"},
    {{0x65, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0}, 9, 0x50, "mov    %gs:0x28,%rax"},
    {{0x0f, 0x01, 0x5c, 0x24, 0x06}, 5, 0x59, "lidt   0x6(%rsp)"},
    {{0x48, 0xb8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
     10,
     0x5e,
     "movabs $0x7fffffffffffffff,%rax"},
    {{0xff, 0x74, 0x24, 0x28}, 4, 0x68, "push   0x28(%rsp)"},
    {{0x0f, 0x0b}, 2, 0x6c, "ud2"},
    {{0xcc}, 1, 0x6e, "int3"},
    {{0xf4}, 1, 0x6f, "hlt"},
    {{0xfb}, 1, 0x70, "sti"},
    {{0xf3, 0x90}, 2, 0x71, "pause"},
    {{0xc3}, 1, 0x73, "ret"},
    {{0x48, 0x8b, 0x45, 0xe8}, 4, 0x74, "mov    -0x18(%rbp),%rax"},
    {{0x48, 0x83, 0xe4, 0xf0}, 4, 0x78, "and    $0xfffffffffffffff0,%rsp"},
    {{0xf3, 0xa4}, 2, 0x7c, "rep movsb %ds:(%rsi),%es:(%rdi)"},
    {{0x06}, 1, 0x7e, "(bad)"},
};

static void rstrip(char *s)
{
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
}

COR_TEST(disasm_text_equals_objdump)
{
	struct cor_disasm *d;
	CHECK_OK(cor_disasm_create(&d));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cor_insn in;
		CHECK_OK(cor_disasm_decode(d, cases[i].bytes, cases[i].len, cases[i].addr, &in));
		CHECK_U64(in.len, cases[i].len);
		struct cor_strbuf sb = {0};
		cor_disasm_format_text(&in, NULL, NULL, &sb);
		char *got = sb.str ? sb.str : strdup("");
		rstrip(got);
		CHECK_STR(got, cases[i].text);
		free(got);
	}
	cor_disasm_destroy(d);
}

/* A symbolizer for the line tests: "f" at K+0x1000 (16 bytes), "jiffies" at K+0x2000. */
#define K 0xffffffff81000000ull
static bool sym2(void *arg, uint64_t addr, char *name, size_t size, uint64_t *off)
{
	(void)arg;
	if (addr >= K + 0x1000 && addr < K + 0x1010) {
		snprintf(name, size, "f");
		*off = addr - K - 0x1000;
		return true;
	}
	if (addr == K + 0x2000) {
		snprintf(name, size, "jiffies");
		*off = 0;
		return true;
	}
	return false;
}

COR_TEST(disasm_crash_lines_and_facts)
{
	struct cor_disasm *d;
	CHECK_OK(cor_disasm_create(&d));
	struct cor_insn in;
	struct cor_strbuf sb = {0};
	/* f: nopl 0x0(%rax,%rax,1), the ftrace site at a function's first byte. */
	static const uint8_t nop5[] = {0x0f, 0x1f, 0x44, 0x00, 0x00};
	CHECK_OK(cor_disasm_decode(d, nop5, sizeof(nop5), K + 0x1000, &in));
	cor_disasm_format_line(&in, sym2, NULL, &sb);
	CHECK_STR(cor_strbuf_cstr(&sb),
		  "0xffffffff81001000 <f>:\tnopl   0x0(%rax,%rax,1) [FTRACE NOP]");
	CHECK(in.flags & COR_INSN_NOP);
	/* 0x1005: mov 0xff5(%rip),%eax -> jiffies at 0x2000: a load, RIP-relative. */
	static const uint8_t load[] = {0x8b, 0x05, 0xf5, 0x0f, 0x00, 0x00};
	CHECK_OK(cor_disasm_decode(d, load, sizeof(load), K + 0x1005, &in));
	cor_strbuf_reset(&sb);
	cor_disasm_format_line(&in, sym2, NULL, &sb);
	CHECK_STR(cor_strbuf_cstr(&sb),
		  "0xffffffff81001005 <f+5>:\tmov    0xff5(%rip),%eax        # "
		  "0xffffffff81002000 <jiffies>");
	const struct cor_insn_operand *m = cor_insn_mem_operand(&in);
	CHECK(m && m->read && m->mem.rip_relative && m->mem.has_addr && m->mem.addr == K + 0x2000);
	CHECK(in.regs_written & COR_REG_BIT(COR_REG_RAX));
	CHECK(in.regs_read & COR_REG_BIT(COR_REG_RIP));
	/* 0x100b: jne 0x1005: conditional, target symbolized, hex with -x. */
	static const uint8_t jne[] = {0x75, 0xf8};
	CHECK_OK(cor_disasm_decode(d, jne, sizeof(jne), K + 0x100b, &in));
	CHECK(cor_insn_is_cond_jump(&in));
	CHECK_U64(in.cond, COR_COND_NE);
	CHECK_U64(cor_cond_negate(in.cond), COR_COND_E);
	CHECK(in.has_target && in.target == K + 0x1005);
	CHECK(in.flags & COR_INSN_READS_FLAGS);
	cor_strbuf_reset(&sb);
	cor_disasm_format_line_flags(&in, sym2, NULL, COR_DISASM_HEX_OFFSETS, &sb);
	CHECK_STR(cor_strbuf_cstr(&sb),
		  "0xffffffff8100100b <f+0xb>:\tjne    0xffffffff81001005 <f+0x5>");
	/* test $0x1,%al writes only the flags (capstone 4 says otherwise). */
	static const uint8_t test[] = {0xa8, 0x01};
	CHECK_OK(cor_disasm_decode(d, test, sizeof(test), K + 0x100d, &in));
	CHECK_U64(in.regs_written, COR_REG_BIT(COR_REG_FLAGS));
	CHECK(in.flags & COR_INSN_SETS_FLAGS);
	/* call *%rax: indirect, no target. */
	static const uint8_t callr[] = {0xff, 0xd0};
	CHECK_OK(cor_disasm_decode(d, callr, sizeof(callr), K + 0x100f, &in));
	CHECK((in.flags & (COR_INSN_CALL | COR_INSN_INDIRECT)) ==
	      (COR_INSN_CALL | COR_INSN_INDIRECT));
	CHECK(!in.has_target);
	/* Truncated input: an instruction cut short is "(bad)", no bytes is an error. */
	static const uint8_t cut[] = {0x48, 0x8b};
	CHECK_OK(cor_disasm_decode(d, cut, sizeof(cut), 0x3000, &in));
	CHECK(in.flags & COR_INSN_INVALID);
	CHECK_U64(in.len, 1);
	CHECK_ERR(cor_disasm_decode(d, cut, 0, 0x3000, &in), COR_ERR_TRUNCATED);
	cor_strbuf_deinit(&sb);
	cor_disasm_destroy(d);
}

/* Normalizes an objdump line's text to gdb's: "0x" before branch targets, no "<...>", no comment.
 */
static void objdump_norm(char *s)
{
	char *c = strstr(s, "        #");
	if (c)
		*c = '\0';
	char out[512];
	size_t k = 0;
	for (const char *p = s; *p && k + 3 < sizeof(out); p++) {
		if (p[0] == ' ' && p[1] == '<') {
			while (*p && *p != '>')
				p++;
			if (!*p)
				break;
			continue;
		}
		out[k++] = *p;
	}
	out[k] = '\0';
	rstrip(out);
	strcpy(s, out);
}

/*
 * Every instruction of 1 MiB of the corpus vmlinux's .text (about 250,000)
 * against GNU objdump. Differences allowed: objdump writes branch targets
 * without "0x"; "sysretq" (capstone: "sysret").
 */
COR_TEST(disasm_vmlinux_equals_objdump)
{
	const char *vmlinux = getenv("COR_VMLINUX");
	if (!vmlinux) {
		cor_test_skip(t, "COR_VMLINUX is not set (the corpus kernel's DWARF vmlinux)");
		return;
	}
	char cmd[4096], *out = NULL;
	const char *tmp = cor_test_tmpdir(t);
	snprintf(cmd, sizeof(cmd),
		 "objcopy -O binary --only-section=.text '%s' '%s/text.bin' && "
		 "readelf -SW '%s' | awk '{for (i = 1; i < NF; i++) if ($i == \".text\") "
		 "print $(i + 2)}'",
		 vmlinux, tmp, vmlinux);
	if (cor_test_run(cmd, &out) != 0 || !out || !*out) {
		free(out);
		cor_test_skip(t, "objcopy/readelf failed on %s", vmlinux);
		return;
	}
	uint64_t base = strtoull(out, NULL, 16), start = base + 0x100000, end = start + 0x100000;
	free(out);
	snprintf(cmd, sizeof(cmd), "%s/text.bin", tmp);
	size_t len;
	uint8_t *text = (uint8_t *)cor_test_slurp(cmd, &len);
	snprintf(cmd, sizeof(cmd),
		 "objdump -d --no-show-raw-insn --start-address=0x%" PRIx64
		 " --stop-address=0x%" PRIx64 " '%s' | grep -E '^ *f[0-9a-f]+:'",
		 start, end, vmlinux);
	if (!text || cor_test_run(cmd, &out) != 0 || !out) {
		free(text);
		free(out);
		cor_test_skip(t, "objdump failed");
		return;
	}
	struct cor_disasm *d;
	CHECK_OK(cor_disasm_create(&d));
	size_t n = 0, bad = 0;
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		uint64_t a = strtoull(line, NULL, 16);
		char *tab = strchr(line, '\t');
		if (!tab || a < base || a - base + 16 > len)
			continue;
		char want[512], got[512];
		snprintf(want, sizeof(want), "%s", tab + 1);
		objdump_norm(want);
		struct cor_insn in;
		CHECK_OK(cor_disasm_decode(d, text + (a - base), 16, a, &in));
		struct cor_strbuf sb = {0};
		cor_disasm_format_text(&in, NULL, NULL, &sb);
		snprintf(got, sizeof(got), "%s", cor_strbuf_cstr(&sb));
		cor_strbuf_deinit(&sb);
		objdump_norm(got);
		/* objdump: "jne    ffffffff81000010", gdb: "jne    0xffffffff81000010". */
		char *hex = strstr(got, " 0x");
		if (in.has_target && hex)
			memmove(hex + 1, hex + 3, strlen(hex + 3) + 1);
		else if (in.has_target && (hex = strstr(got, "*0x")))
			memmove(hex + 1, hex + 3, strlen(hex + 3) + 1);
		n++;
		if (strcmp(got, want) != 0 && strcmp(want, "sysretq") != 0) {
			if (bad++ < 10)
				cor_test_fail(t, __FILE__, __LINE__,
					      "0x%" PRIx64 ": \"%s\", objdump \"%s\"", a, got,
					      want);
		}
	}
	printf("    %zu instructions compared with objdump, %zu differ\n", n, bad);
	CHECK(n > 100000);
	CHECK_U64(bad, 0);
	cor_disasm_destroy(d);
	free(text);
	free(out);
}
