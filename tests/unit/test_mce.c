// SPDX-License-Identifier: MIT
// Machine-check decoding: the second seed's record, the log and mcelog
// parsers, the renderers, and `coroner mce` on the corpus dump.
#include <stdlib.h>
#include <string.h>

#include "coroner/mce.h"
#include "harness.h"

static bool bit_set(const struct cor_mce_decoded *d, enum cor_mce_reg reg, const char *name)
{
	const struct cor_mce_field *f = cor_mce_find_field(d, reg, name);
	return f && f->value == 1;
}

/* seeds/002: "CPU 3: Machine Check Exception: 4 Bank 5: be00000000800400",
 * family 6 model 0x1a, read by hand against SDM ch.15/16. */
COR_TEST(mce_seed_002)
{
	struct cor_mce_record r = {0};
	r.have = COR_MCE_HAVE_STATUS | COR_MCE_HAVE_MCGSTATUS | COR_MCE_HAVE_BANK |
		 COR_MCE_HAVE_CPU | COR_MCE_HAVE_CPUID;
	r.status = 0xbe00000000800400ull;
	r.mcgstatus = 4;
	r.bank = 5;
	r.cpu = 3;
	r.family = 6;
	r.model = 0x1a;
	struct cor_mce_decoded *d = malloc(sizeof(*d));
	CHECK(d != NULL);
	if (!d)
		return;
	CHECK_OK(cor_mce_decode(&r, d));
	/* Bits 63, 61, 60, 59, 58, 57 set; 62 (OVER) clear. */
	static const char *const set[] = {"VAL", "UC", "EN", "MISCV", "ADDRV", "PCC"};
	for (size_t i = 0; i < COR_ARRAY_SIZE(set); i++)
		CHECK(bit_set(d, COR_MCE_REG_STATUS, set[i]));
	CHECK(cor_mce_find_field(d, COR_MCE_REG_STATUS, "OVER") == NULL);
	/* MCACOD 0x0400: internal timer error (Table 15-7). */
	CHECK_U64(d->mcacod, 0x0400);
	CHECK(d->form == COR_MCE_FORM_SIMPLE);
	CHECK(strstr(d->error_class, "internal timer error") != NULL);
	/* MSCOD 0x0080: 06_1AH has no entry for it. */
	CHECK_U64(d->mscod, 0x0080);
	CHECK(d->lookup == COR_MCE_LOOKUP_ABSENT);
	CHECK(strstr(d->model_text, "not in tables") != NULL);
	CHECK(strstr(d->model_table, "06_1AH") != NULL);
	/* MCG_STATUS 4: MCIP set, RIPV and EIPV clear. */
	CHECK(bit_set(d, COR_MCE_REG_MCG_STATUS, "MCIP"));
	CHECK(!bit_set(d, COR_MCE_REG_MCG_STATUS, "RIPV"));
	CHECK(!bit_set(d, COR_MCE_REG_MCG_STATUS, "EIPV"));
	CHECK(cor_mce_find_field(d, COR_MCE_REG_MCG_STATUS, "RIPV") != NULL);
	CHECK(!d->restartable);
	/* PCC: the context is corrupt, cannot resume: fatal. */
	CHECK(d->context_corrupt);
	CHECK(d->severity == COR_MCE_SEV_FATAL);
	CHECK_STR(d->kernel_grade, "Processor context corrupt");
	CHECK(strstr(d->consequence, "cannot resume") != NULL);
	struct cor_strbuf sb = {0};
	cor_mce_render_text(d, &sb);
	CHECK(strstr(cor_strbuf_cstr(&sb), "bits:       VAL UC EN MISCV ADDRV PCC MCIP\n") != NULL);
	CHECK(strstr(cor_strbuf_cstr(&sb), "processor context corrupt: cannot resume") != NULL);
	cor_strbuf_reset(&sb);
	cor_mce_render_json(d, &sb);
	const char *js = cor_strbuf_cstr(&sb);
	CHECK(js[0] == '{' && js[sb.len - 1] == '}');
	CHECK(strstr(js, "\"bits\":[\"VAL\",\"UC\",\"EN\",\"MISCV\",\"ADDRV\",\"PCC\",\"MCIP\"]"));
	CHECK(strstr(js, "\"severity\":\"fatal\""));
	CHECK(strstr(js, "\"lookup\":\"absent\""));
	cor_strbuf_deinit(&sb);
	free(d);
}

COR_TEST(mce_decode_needs_status)
{
	struct cor_mce_record r = {0};
	struct cor_mce_decoded *d = malloc(sizeof(*d));
	CHECK(d != NULL);
	if (d)
		CHECK_ERR(cor_mce_decode(&r, d), COR_ERR_INVALID);
	free(d);
}

COR_TEST(mce_cpuid_signature)
{
	struct cor_mce_record r = {0};
	cor_mce_record_set_cpuid(&r, 0x206d7); /* Sandy Bridge-EP: 06_2DH stepping 7 */
	CHECK_U64(r.family, 6);
	CHECK_U64(r.model, 0x2d);
	CHECK_U64(r.stepping, 7);
	cor_mce_record_set_cpuid(&r, 0x60fb1); /* QEMU's qemu64: AMD K8 0Fh model 6Bh */
	CHECK_U64(r.family, 0xf);
	CHECK_U64(r.model, 0x6b);
	cor_mce_record_set_cpuid(&r, 0x830f10); /* EPYC 7002: family 17h model 31h */
	CHECK_U64(r.family, 0x17);
	CHECK_U64(r.model, 0x31);
	CHECK(cor_mce_vendor_from_kernel(0) == COR_MCE_VENDOR_INTEL);
	CHECK(cor_mce_vendor_from_kernel(2) == COR_MCE_VENDOR_AMD);
	CHECK(cor_mce_vendor_from_kernel(9) == COR_MCE_VENDOR_AMD);
	CHECK(cor_mce_vendor_from_kernel(5) == COR_MCE_VENDOR_OTHER);
}

static const char kernel_log[] =
    "[    1.000000] random: crng init done\n"
    "[ 1234.567890] mce: [Hardware Error]: CPU 3: Machine Check Exception: 4 Bank 5: "
    "be00000000800400\n"
    "[ 1234.567890] mce: [Hardware Error]: RIP !INEXACT! 10:<ffffffff8100a0f5> "
    "{mwait_idle+0x65/0x80}\n"
    "[ 1234.567890] mce: [Hardware Error]: TSC 3a1f4ee2e2e0 ADDR 3fff8f080 MISC 3c000000086 \n"
    "[ 1234.567890] mce: [Hardware Error]: PROCESSOR 0:106a5 TIME 1386241484 SOCKET 1 APIC 6 "
    "microcode 11\n"
    "[ 1234.567890] mce: [Hardware Error]: Machine check: Processor context corrupt\n"
    "[ 1234.567891] mce: [Hardware Error]: CPU 4: Machine Check: 0 Bank 8: 8c00004000010090\n"
    "[ 1234.567891] mce: [Hardware Error]: TSC 0 \n"
    "[ 1234.567899] Kernel panic - not syncing: Fatal machine check\n";

COR_TEST(mce_parse_kernel_log)
{
	struct cor_vec v;
	cor_vec_init(&v, sizeof(struct cor_mce_record));
	CHECK_OK(cor_mce_parse_kernel_log_mem(kernel_log, strlen(kernel_log), &v));
	CHECK_U64(v.len, 2);
	if (v.len != 2) {
		cor_vec_deinit(&v);
		return;
	}
	const struct cor_mce_record *r = cor_vec_at(&v, 0);
	CHECK_U64(r->line, 2);
	CHECK_U64(r->cpu, 3);
	CHECK_U64(r->bank, 5);
	CHECK_U64(r->status, 0xbe00000000800400ull);
	CHECK_U64(r->mcgstatus, 4);
	CHECK(r->rip_inexact);
	CHECK_U64(r->cs, 0x10);
	CHECK_U64(r->rip, 0xffffffff8100a0f5ull);
	CHECK_U64(r->tsc, 0x3a1f4ee2e2e0ull);
	CHECK_U64(r->addr, 0x3fff8f080ull);
	CHECK_U64(r->misc, 0x3c000000086ull);
	CHECK(r->vendor == COR_MCE_VENDOR_INTEL);
	CHECK_U64(r->family, 6);
	CHECK_U64(r->model, 0x1a);
	CHECK_U64(r->stepping, 5);
	CHECK_U64(r->time, 1386241484);
	CHECK_U64(r->socket, 1);
	CHECK_U64(r->apic, 6);
	CHECK_U64(r->microcode, 0x11);
	r = cor_vec_at(&v, 1);
	CHECK_U64(r->cpu, 4);
	CHECK_U64(r->bank, 8);
	CHECK_U64(r->mcgstatus, 0);
	CHECK((r->have & COR_MCE_HAVE_CPUID) == 0);
	/* "TSC 0" without ADDR/MISC: the kernel read them as 0. */
	CHECK((r->have & COR_MCE_HAVE_ADDR) && r->addr == 0);
	cor_vec_deinit(&v);
}

COR_TEST(mce_parse_kernel_log_old_and_amd)
{
	static const char old[] = "CPU 0: Machine Check Exception:                4\n"
				  "Bank 4: b200000000070f0f\n"
				  "TSC 2a3b4c5d ADDR 12345000\n"
				  "Kernel panic - not syncing: Machine check\n";
	static const char edac[] =
	    "[ 5.0] [Hardware Error]: Corrected error, no action required.\n"
	    "[ 5.1] [Hardware Error]: CPU:2 (17:31:0) "
	    "MC15_STATUS[Over|CE|MiscV|AddrV|-|-|SyndV|CECC|-|-|-]: 0xdc2040000000011b\n"
	    "[ 5.2] [Hardware Error]: Error Addr: 0x0000000192dbf9c0\n"
	    "[ 5.3] [Hardware Error]: IPID: 0x0000009600150f00, Syndrome: 0x000040e50a800a03\n";
	struct cor_vec v;
	cor_vec_init(&v, sizeof(struct cor_mce_record));
	CHECK_OK(cor_mce_parse_kernel_log_mem(old, strlen(old), &v));
	CHECK_U64(v.len, 1);
	if (v.len == 1) {
		const struct cor_mce_record *r = cor_vec_at(&v, 0);
		CHECK_U64(r->bank, 4);
		CHECK_U64(r->status, 0xb200000000070f0full);
		CHECK_U64(r->addr, 0x12345000);
	}
	v.len = 0;
	CHECK_OK(cor_mce_parse_kernel_log_mem(edac, strlen(edac), &v));
	CHECK_U64(v.len, 1);
	if (v.len == 1) {
		const struct cor_mce_record *r = cor_vec_at(&v, 0);
		CHECK(r->vendor == COR_MCE_VENDOR_AMD);
		CHECK_U64(r->cpu, 2);
		CHECK_U64(r->bank, 15);
		CHECK_U64(r->family, 0x17);
		CHECK_U64(r->model, 0x31);
		CHECK_U64(r->status, 0xdc2040000000011bull);
		CHECK_U64(r->addr, 0x192dbf9c0ull);
		CHECK_U64(r->ipid, 0x9600150f00ull);
		CHECK_U64(r->synd, 0x40e50a800a03ull);
	}
	cor_vec_deinit(&v);
}

static const char mcelog_text[] = "Hardware event. This is not a software error.\n"
				  "MCE 0\n"
				  "CPU 3 BANK 5 TSC 3a1f4ee2e2e0\n"
				  "RIP !INEXACT! 10:ffffffff8100a0f5 {mwait_idle+0x65/0x80}\n"
				  "MISC 3c000000086 ADDR 3fff8f080\n"
				  "TIME 1386241484 Thu Dec  5 11:04:44 2013\n"
				  "MCG status:MCIP\n"
				  "MCA: Internal Timer error\n"
				  "STATUS be00000000800400 MCGSTATUS 4\n"
				  "MCGCAP 1c09 APICID 6 SOCKETID 0\n"
				  "MICROCODE 11\n"
				  "CPUID Vendor Intel Family 6 Model 26 Step 5\n"
				  "\n"
				  "Hardware event. This is not a software error.\n"
				  "MCE 1\n"
				  "CPU 2 BANK 4 TSC 1a2b3d\n"
				  "STATUS fe00000000800400 MCGSTATUS 5\n"
				  "CPUID Vendor AMD Family 23 Model 49 Step 0\n";

COR_TEST(mce_parse_mcelog_text)
{
	struct cor_vec v;
	cor_vec_init(&v, sizeof(struct cor_mce_record));
	CHECK_OK(cor_mce_parse_mcelog_mem(mcelog_text, strlen(mcelog_text), &v));
	CHECK_U64(v.len, 2);
	if (v.len != 2) {
		cor_vec_deinit(&v);
		return;
	}
	const struct cor_mce_record *r = cor_vec_at(&v, 0);
	CHECK_U64(r->cpu, 3);
	CHECK_U64(r->bank, 5);
	CHECK_U64(r->status, 0xbe00000000800400ull);
	CHECK_U64(r->mcgstatus, 4);
	CHECK_U64(r->mcgcap, 0x1c09);
	CHECK_U64(r->apic, 6);
	CHECK_U64(r->microcode, 0x11);
	CHECK_U64(r->rip, 0xffffffff8100a0f5ull);
	CHECK_U64(r->addr, 0x3fff8f080ull);
	CHECK_U64(r->time, 1386241484);
	CHECK(r->vendor == COR_MCE_VENDOR_INTEL);
	CHECK_U64(r->family, 6);
	CHECK_U64(r->model, 26);
	CHECK_U64(r->stepping, 5);
	r = cor_vec_at(&v, 1);
	CHECK_U64(r->cpu, 2);
	CHECK_U64(r->bank, 4);
	CHECK(r->vendor == COR_MCE_VENDOR_AMD);
	CHECK_U64(r->family, 23);
	cor_vec_deinit(&v);
}

COR_TEST(mce_parse_mixed_and_garbage)
{
	struct cor_vec v;
	cor_vec_init(&v, sizeof(struct cor_mce_record));
	/* Both formats in one text keep their order. */
	struct cor_strbuf sb = {0};
	cor_strbuf_append(&sb, mcelog_text);
	cor_strbuf_append(&sb, "\n");
	cor_strbuf_append(&sb, kernel_log);
	CHECK_OK(cor_mce_parse_log_mem(cor_strbuf_cstr(&sb), sb.len, &v));
	CHECK_U64(v.len, 4);
	for (size_t i = 1; i < v.len; i++)
		CHECK(((struct cor_mce_record *)cor_vec_at(&v, i - 1))->line <
		      ((struct cor_mce_record *)cor_vec_at(&v, i))->line);
	cor_strbuf_deinit(&sb);
	/* Garbage, truncated lines and overflowing numbers: no records, no error. */
	static const char junk[] = "MCE 0\nCPU 1 BANK\nSTATUS zz\nSTATUS 1ffffffffffffffffff\n"
				   "CPU 1: Machine Check Exception: Bank 5:\nRIP 10:<\n\0\xff";
	v.len = 0;
	CHECK_OK(cor_mce_parse_log_mem(junk, sizeof(junk) - 1, &v));
	CHECK_U64(v.len, 0);
	CHECK_OK(cor_mce_parse_log_mem("", 0, &v));
	CHECK_U64(v.len, 0);
	cor_vec_deinit(&v);
}

COR_TEST(mce_decode_parsed_srar)
{
	/* A user-mode data load SRAR on Ice Lake-SP, from kernel lines. */
	static const char log[] =
	    "mce: [Hardware Error]: CPU 5: Machine Check Exception: 6 Bank 1: "
	    "bd80000000100134\n"
	    "mce: [Hardware Error]: RIP 33:<00007f1234567890>\n"
	    "mce: [Hardware Error]: TSC 1234 ADDR 1b3c5d000 MISC 86 \n"
	    "mce: [Hardware Error]: PROCESSOR 0:606a6 TIME 1700000100 SOCKET 0 APIC a "
	    "microcode d0003a5\n";
	struct cor_vec v;
	cor_vec_init(&v, sizeof(struct cor_mce_record));
	CHECK_OK(cor_mce_parse_log_mem(log, strlen(log), &v));
	CHECK_U64(v.len, 1);
	struct cor_mce_decoded *d = malloc(sizeof(*d));
	if (v.len == 1 && d) {
		CHECK_OK(cor_mce_decode(cor_vec_at(&v, 0), d));
		CHECK(d->severity == COR_MCE_SEV_SRAR);
		CHECK_STR(d->kernel_grade, "Action required: data load error in a user process");
		CHECK(d->addr_valid);
		CHECK_U64(d->addr_lsb, 6);
		CHECK_U64(d->addr, 0x1b3c5d000ull);
		CHECK(strstr(d->cpu_name, "Ice Lake-SP") != NULL);
	}
	free(d);
	cor_vec_deinit(&v);
}

/* `coroner mce` end to end; needs the CLI built in COR_BUILD. */
COR_TEST(mce_cli)
{
	char cmd[4096], *out = NULL;
	snprintf(cmd, sizeof(cmd), "%s/coroner", cor_test_build());
	FILE *f = fopen(cmd, "r");
	if (!f) {
		cor_test_skip(t, "%s not built", cmd);
		return;
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "%s/coroner mce --status be00000000800400 --mcgstatus 4 --bank 5 --cpu 3 "
		 "--family 6 --model 1AH 2>&1",
		 cor_test_build());
	CHECK(cor_test_run(cmd, &out) == 0);
	CHECK(out && strstr(out, "internal timer error"));
	CHECK(out && strstr(out, "not in tables"));
	free(out);
	out = NULL;
	snprintf(cmd, sizeof(cmd),
		 "printf '%%s\\n' 'CPU 1: Machine Check Exception: 5 Bank 0: "
		 "9000000000000134' | %s/coroner mce --json - 2>&1",
		 cor_test_build());
	CHECK(cor_test_run(cmd, &out) == 0);
	CHECK(out && strstr(out, "\"records\":[{"));
	free(out);
	out = NULL;
	snprintf(cmd, sizeof(cmd), "%s/coroner mce --help 2>&1", cor_test_build());
	CHECK(cor_test_run(cmd, &out) == 0);
	CHECK(out && strstr(out, "--status X"));
	free(out);
	out = NULL;
	snprintf(cmd, sizeof(cmd), "%s/coroner mce 2>&1", cor_test_build());
	CHECK(cor_test_run(cmd, &out) == 2);
	free(out);
	out = NULL;
	snprintf(cmd, sizeof(cmd), "%s/coroner mce --status zz 2>&1", cor_test_build());
	CHECK(cor_test_run(cmd, &out) != 0);
	free(out);
	out = NULL;
	snprintf(cmd, sizeof(cmd), "echo nothing | %s/coroner mce - 2>&1", cor_test_build());
	CHECK(cor_test_run(cmd, &out) != 0);
	CHECK(out && strstr(out, "no machine-check records"));
	free(out);
}

/* The corpus dump with the seed's record injected (corpus/mce). */
COR_TEST(mce_corpus_dump)
{
	const char *corpus = cor_test_corpus();
	char cmd[4096], *out = NULL;
	if (!corpus) {
		cor_test_skip(t, "no corpus");
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s/coroner", cor_test_build());
	FILE *f = fopen(cmd, "r");
	if (!f) {
		cor_test_skip(t, "%s not built", cmd);
		return;
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s/coroner mce %s/mce/vmcore.kdump-zlib 2>&1", cor_test_build(),
		 corpus);
	CHECK(cor_test_run(cmd, &out) == 0);
	/* expect.txt: cpu 0, bank 5, be00000000800400, the bits, internal timer,
	 * MSCOD 0x0080, context corrupt. */
	CHECK(out && strstr(out, "machine check: CPU 0, bank 5"));
	CHECK(out && strstr(out, "mci_status: 0xbe00000000800400"));
	CHECK(out && strstr(out, "bits:       VAL UC EN MISCV ADDRV PCC MCIP"));
	CHECK(out && strstr(out, "internal timer"));
	CHECK(out && strstr(out, "mscod:      0x0080"));
	CHECK(out && strstr(out, "processor context corrupt: cannot resume"));
	CHECK(out && strstr(out, "severity:   fatal"));
	/* MCG_CAP is not in the log: it comes from CPU 0's mces_seen in memory. */
	CHECK(out && strstr(out, "memory: CPU 0 mces_seen: MCG_STATUS 0x4 MCG_CAP 0x100010a"));
	CHECK(out && strstr(out, "mcg_cap:    0x100010a"));
	if (cor_test_failures(t) && out)
		printf("%s\n", out);
	free(out);
}
