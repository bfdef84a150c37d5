// SPDX-License-Identifier: MIT
// Test vectors for src/hwerr/: kernel log lines in the exact formats the
// kernel prints (each vector cites the function and file), decoded against
// values derived by hand from the PCIe Base Specification r5.0 (AER status
// bits §7.8.4, TLP headers §2.2), UEFI 2.9 appendix N (CPER) and the port
// 0x61 layout (arch/x86/include/asm/mach_traps.h).
#include <stdlib.h>
#include <string.h>

#include "coroner/hwerr.h"
#include "harness.h"

static struct cor_error *parse(const char *text, struct cor_hwerr_log *log)
{
	cor_hwerr_log_init(log);
	return cor_hwerr_parse_mem(text, strlen(text), COR_HWERR_ALL_SOURCES, log);
}

static const struct cor_hwerr_record *rec(const struct cor_hwerr_log *log, size_t i)
{
	/* Out of range: an empty record, so that the checks fail instead of crashing. */
	static const struct cor_hwerr_record none = {.first_error = -1, .cpu = -1};
	return i < log->records.len ? cor_vec_at(&log->records, i) : &none;
}

static bool has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

/* ---- PCIe AER: Linux 6.1.192 drivers/pci/pcie/aer.c ---- */

/* aer_print_port_info() ("error message received from", 6.1.y) + aer_print_error()
 * + __aer_print_error(): a corrected Receiver Error on a NIC behind a root port. */
COR_TEST(hwerr_aer_corrected_rxerr)
{
	const char *text =
	    "[ 1021.113902] pcieport 0000:00:1c.5: AER: Corrected error message received from "
	    "0000:03:00.0\n"
	    "[ 1021.113919] r8169 0000:03:00.0: PCIe Bus Error: severity=Corrected, type=Physical "
	    "Layer, (Receiver ID)\n"
	    "[ 1021.113923] r8169 0000:03:00.0:   device [10ec:8168] error "
	    "status/mask=00000001/00002000\n"
	    "[ 1021.113928] r8169 0000:03:00.0:    [ 0] RxErr                  (First)\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	const struct cor_hwerr_record *r = rec(&log, 0);
	CHECK(r && r->source == COR_HWERR_SRC_AER && r->cls == COR_HWERR_CORRECTED);
	CHECK_STR(r->device, "0000:03:00.0");
	CHECK_STR(r->reporter, "0000:00:1c.5");
	CHECK_STR(r->component, "PCIe 0000:03:00.0");
	CHECK_STR(r->layer, "Physical Layer");
	CHECK_STR(r->agent, "Receiver ID");
	CHECK(r->has_ids && r->vendor_id == 0x10ec && r->device_id == 0x8168);
	CHECK(r->has_status && r->aer_correctable);
	CHECK_U64(r->status, 0x1);
	CHECK_U64(r->mask, 0x2000);
	CHECK(r->first_error == 0);
	CHECK_U64(r->nlines, 4);
	CHECK(r->has_time && r->time_us == 1021113902ull);
	CHECK(has(r->summary, "RxErr"));
	CHECK(has(r->advice, "link between 0000:03:00.0"));
	cor_hwerr_log_deinit(&log);
}

/* The 4.19-6.1 form "error received: <bdf>"; correctable Replay Timer Timeout
 * (bit 12), with Advisory Non-Fatal and Corrected Internal masked (0x6000). */
COR_TEST(hwerr_aer_corrected_timeout_old_received)
{
	const char *text =
	    "pcieport 0000:00:1d.0: AER: Corrected error received: 0000:3b:00.0\n"
	    "nvme 0000:3b:00.0: PCIe Bus Error: severity=Corrected, type=Data Link Layer, "
	    "(Transmitter ID)\n"
	    "nvme 0000:3b:00.0:   device [144d:a808] error status/mask=00001000/00006000\n"
	    "nvme 0000:3b:00.0:    [12] Timeout               \n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	const struct cor_hwerr_record *r = rec(&log, 0);
	CHECK(r && r->cls == COR_HWERR_CORRECTED && r->status == 0x1000 && r->mask == 0x6000);
	CHECK(r->first_error == -1);
	CHECK_STR(r->agent, "Transmitter ID");
	struct cor_hwerr_aer_bit b[32];
	size_t n = cor_hwerr_aer_decode(true, r->status, r->mask, false, 0, -1, b);
	CHECK_U64(n, 1);
	CHECK_STR(b[0].name, "Timeout");
	CHECK(has(b[0].meaning, "Replay Timer Timeout"));
	cor_hwerr_log_deinit(&log);
}

/* "Multiple Corrected error message received": aer_print_error() once per
 * device found below the port (find_source_device()): two records. */
COR_TEST(hwerr_aer_multiple_two_devices)
{
	const char *text =
	    "pcieport 0000:00:01.0: AER: Multiple Corrected error message received from "
	    "0000:01:00.0\n"
	    "ixgbe 0000:01:00.0: PCIe Bus Error: severity=Corrected, type=Data Link Layer, "
	    "(Receiver ID)\n"
	    "ixgbe 0000:01:00.0:   device [8086:10fb] error status/mask=00000040/00002000\n"
	    "ixgbe 0000:01:00.0:    [ 6] BadTLP                 (First)\n"
	    "ixgbe 0000:01:00.1: PCIe Bus Error: severity=Corrected, type=Data Link Layer, "
	    "(Receiver ID)\n"
	    "ixgbe 0000:01:00.1:   device [8086:10fb] error status/mask=00000080/00002000\n"
	    "ixgbe 0000:01:00.1:    [ 7] BadDLLP               \n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 2);
	CHECK(rec(&log, 0)->multiple);
	CHECK_STR(rec(&log, 0)->device, "0000:01:00.0");
	CHECK_U64(rec(&log, 0)->status, 0x40);
	CHECK_STR(rec(&log, 1)->device, "0000:01:00.1");
	CHECK_STR(rec(&log, 1)->reporter, "0000:00:01.0");
	CHECK_U64(rec(&log, 1)->status, 0x80);
	CHECK_U64(log.components.len, 2);
	cor_hwerr_log_deinit(&log);
}

/* Uncorrected non-fatal Unsupported Request with its TLP header
 * (__print_tlp_header() through pci_err(): "AER:   TLP Header: ..."). */
COR_TEST(hwerr_aer_nonfatal_unsupreq_tlp)
{
	const char *text =
	    "pcieport 0000:00:03.0: AER: Uncorrected (Non-Fatal) error message received from "
	    "0000:04:00.0\n"
	    "mlx5_core 0000:04:00.0: PCIe Bus Error: severity=Uncorrected (Non-Fatal), "
	    "type=Transaction Layer, (Requester ID)\n"
	    "mlx5_core 0000:04:00.0:   device [15b3:1017] error status/mask=00100000/00000000\n"
	    "mlx5_core 0000:04:00.0:    [20] UnsupReq               (First)\n"
	    "mlx5_core 0000:04:00.0: AER:   TLP Header: 20000001 040000ff 00000001 fee00000\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	const struct cor_hwerr_record *r = rec(&log, 0);
	CHECK(r->cls == COR_HWERR_RECOVERABLE && !r->aer_correctable);
	CHECK(r->first_error == 20);
	CHECK(r->has_tlp && r->tlp[0] == 0x20000001 && r->tlp[3] == 0xfee00000);
	CHECK_U64(r->nlines, 5);
	char txt[256];
	cor_hwerr_tlp_explain(r->tlp, txt, sizeof(txt));
	/* Fmt 001 (4DW, no data), Type 00000: MRd; requester 0x0400 = 04:00.0. */
	CHECK(has(txt, "Memory Read Request (4DW header)"));
	CHECK(has(txt, "requester 04:00.0"));
	CHECK(has(txt, "address 0x00000001fee00000"));
	CHECK(has(txt, "length 1 DW"));
	cor_hwerr_log_deinit(&log);
}

/* Uncorrected fatal Surprise Down on the root port itself. */
COR_TEST(hwerr_aer_fatal_surprise_down)
{
	const char *text =
	    "pcieport 0000:00:1c.0: AER: Uncorrected (Fatal) error message received from "
	    "0000:00:1c.0\n"
	    "pcieport 0000:00:1c.0: PCIe Bus Error: severity=Uncorrected (Fatal), type=Transaction "
	    "Layer, (Receiver ID)\n"
	    "pcieport 0000:00:1c.0:   device [8086:a110] error status/mask=00000020/00000000\n"
	    "pcieport 0000:00:1c.0:    [ 5] SDES                   (First)\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	const struct cor_hwerr_record *r = rec(&log, 0);
	CHECK(r->cls == COR_HWERR_FATAL);
	CHECK(has(r->summary, "uncorrected fatal"));
	CHECK(has(r->advice, "Surprise Down"));
	cor_hwerr_log_deinit(&log);
}

/* aer_print_error() with info->status == 0: "type=Inaccessible". */
COR_TEST(hwerr_aer_inaccessible)
{
	const char *text = "pcieport 0000:80:02.0: AER: PCIe Bus Error: severity=Uncorrected "
			   "(Fatal), type=Inaccessible, (Unregistered Agent ID)\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	CHECK(rec(&log, 0)->cls == COR_HWERR_FATAL && !rec(&log, 0)->has_status);
	CHECK_STR(rec(&log, 0)->layer, "Inaccessible");
	CHECK_STR(rec(&log, 0)->component, "PCIe 0000:80:02.0");
	cor_hwerr_log_deinit(&log);
}

/* Linux 4.14 drivers/pci/pcie/aer/aerdrv_errprint.c: "error received: id=%04x" and
 * "type=%s, id=%04x(%s)". id 0x00e0 = bus 0, device 0x1c, function 0. */
COR_TEST(hwerr_aer_legacy_id_format)
{
	const char *text =
	    "pcieport 0000:00:1c.0: AER: Corrected error received: id=00e0\n"
	    "pcieport 0000:00:1c.0: PCIe Bus Error: severity=Corrected, type=Physical Layer, "
	    "id=00e0(Receiver ID)\n"
	    "pcieport 0000:00:1c.0:   device [8086:9d10] error status/mask=00000001/00002000\n"
	    "pcieport 0000:00:1c.0:    [ 0] Receiver Error         (First)\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	const struct cor_hwerr_record *r = rec(&log, 0);
	CHECK_STR(r->device, "0000:00:1c.0");
	CHECK_STR(r->layer, "Physical Layer");
	CHECK_STR(r->agent, "Receiver ID");
	CHECK(r->status == 1 && r->first_error == 0);
	cor_hwerr_log_deinit(&log);
}

/* A link that keeps failing: 4 corrected errors on one device, 1 elsewhere. */
COR_TEST(hwerr_aer_flaky_link_stands_out)
{
	struct cor_strbuf sb = {0};
	for (int i = 0; i < 4; i++)
		cor_strbuf_appendf(
		    &sb,
		    "[%d.000000] pcieport 0000:00:1c.5: AER: Corrected error message received from "
		    "0000:03:00.0\n"
		    "[%d.000001] r8169 0000:03:00.0: PCIe Bus Error: severity=Corrected, "
		    "type=Physical Layer, (Receiver ID)\n"
		    "[%d.000002] r8169 0000:03:00.0:   device [10ec:8168] error "
		    "status/mask=00000001/00002000\n"
		    "[%d.000003] r8169 0000:03:00.0:    [ 0] RxErr                  (First)\n",
		    100 + i, 100 + i, 100 + i, 100 + i);
	cor_strbuf_append(&sb, "[200.0] pcieport 0000:00:01.0: AER: Corrected error message "
			       "received from 0000:01:00.0\n"
			       "[200.1] nvme 0000:01:00.0: PCIe Bus Error: severity=Corrected, "
			       "type=Data Link Layer, (Transmitter ID)\n"
			       "[200.2] nvme 0000:01:00.0:   device [144d:a808] error "
			       "status/mask=00001000/00006000\n");
	struct cor_hwerr_log log;
	CHECK_OK(parse(cor_strbuf_cstr(&sb), &log));
	CHECK_U64(log.records.len, 5);
	CHECK_U64(log.components.len, 2);
	const struct cor_hwerr_component *c = cor_vec_at(&log.components, 0);
	CHECK_STR(c->name, "PCIe 0000:03:00.0");
	CHECK_U64(c->total, 4);
	CHECK_U64(c->by_class[COR_HWERR_CORRECTED], 4);
	CHECK_U64(c->first_line, 1);
	CHECK_U64(c->last_line, 13);
	struct cor_strbuf out = {0};
	cor_hwerr_render_text(&log, 0, &out);
	CHECK(has(cor_strbuf_cstr(&out), "PCIe 0000:03:00.0"));
	CHECK(has(cor_strbuf_cstr(&out), "<- stands out"));
	cor_strbuf_deinit(&out);
	cor_strbuf_deinit(&sb);
	cor_hwerr_log_deinit(&log);
}

/* ---- APEI GHES / CPER: drivers/acpi/apei/ghes.c, drivers/firmware/efi/cper.c ---- */

/* A recoverable PCIe section (cper_print_pcie(): no AER info unless fatal), then
 * ghes_handle_aer() -> aer.c cper_print_aer() prints the registers: one error. */
COR_TEST(hwerr_ghes_pcie_with_cper_print_aer_merged)
{
	const char *text =
	    "{1}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 1\n"
	    "{1}[Hardware Error]: event severity: recoverable\n"
	    "{1}[Hardware Error]:  Error 0, type: recoverable\n"
	    "{1}[Hardware Error]:   section_type: PCIe error\n"
	    "{1}[Hardware Error]:   port_type: 0, PCIe end point\n"
	    "{1}[Hardware Error]:   version: 3.0\n"
	    "{1}[Hardware Error]:   command: 0x0547, status: 0x4010\n"
	    "{1}[Hardware Error]:   device_id: 0000:5e:00.0\n"
	    "{1}[Hardware Error]:   slot: 0\n"
	    "{1}[Hardware Error]:   secondary_bus: 0x00\n"
	    "{1}[Hardware Error]:   vendor_id: 0x8086, device_id: 0x0a54\n"
	    "{1}[Hardware Error]:   class_code: 010802\n"
	    "nvme 0000:5e:00.0: AER: aer_status: 0x00004000, aer_mask: 0x00000000\n"
	    "nvme 0000:5e:00.0:    [14] CmpltTO                (First)\n"
	    "nvme 0000:5e:00.0: AER: aer_layer=Transaction Layer, aer_agent=Requester ID\n"
	    "nvme 0000:5e:00.0: AER: aer_uncor_severity: 0x00062030\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	const struct cor_hwerr_record *r = rec(&log, 0);
	CHECK(r->source == COR_HWERR_SRC_GHES && r->section == COR_HWERR_SEC_PCIE);
	CHECK(r->cls == COR_HWERR_RECOVERABLE);
	CHECK_STR(r->device, "0000:5e:00.0");
	CHECK(r->has_ids && r->vendor_id == 0x8086 && r->device_id == 0x0a54);
	CHECK(r->has_status && !r->aer_correctable && r->status == 0x4000);
	CHECK(r->has_uncor_severity && r->uncor_severity == 0x62030);
	CHECK(r->first_error == 14);
	CHECK_STR(r->layer, "Transaction Layer");
	CHECK_STR(r->agent, "Requester ID");
	/* Severity 0x62030 = bits 4 5 13 17 18: Completion Timeout (14) is non-fatal. */
	struct cor_hwerr_aer_bit b[32];
	size_t n = cor_hwerr_aer_decode(false, r->status, r->mask, true, r->uncor_severity, 14, b);
	CHECK(n == 1 && b[0].bit == 14 && !b[0].fatal && b[0].first);
	CHECK_STR(r->component, "PCIe 0000:5e:00.0");
	cor_hwerr_log_deinit(&log);
}

/* cper_print_mem(): a corrected single-bit ECC with a DIMM location (SMBIOS). */
COR_TEST(hwerr_ghes_memory_corrected_dimm)
{
	const char *text =
	    "[ 4711.000001] {2}[Hardware Error]: Hardware error from APEI Generic Hardware Error "
	    "Source: 2\n"
	    "[ 4711.000002] {2}[Hardware Error]: It has been corrected by h/w and requires no "
	    "further action\n"
	    "[ 4711.000003] {2}[Hardware Error]: event severity: corrected\n"
	    "[ 4711.000004] {2}[Hardware Error]:  Error 0, type: corrected\n"
	    "[ 4711.000005] {2}[Hardware Error]:  fru_text: Card03, ChnB, DIMM0\n"
	    "[ 4711.000006] {2}[Hardware Error]:   section_type: memory error\n"
	    "[ 4711.000007] {2}[Hardware Error]:    error_status: Storage error in DRAM memory "
	    "(0x0000000000000400)\n"
	    "[ 4711.000008] {2}[Hardware Error]:   physical_address: 0x0000002a7f5c1000\n"
	    "[ 4711.000009] {2}[Hardware Error]:   node:0 card:3 module:0 rank:1 bank:13 device:6 "
	    "row:28813 column:912 \n"
	    "[ 4711.000010] {2}[Hardware Error]:   error_type: 2, single-bit ECC\n"
	    "[ 4711.000011] {2}[Hardware Error]:   DIMM location: CPU1_DIMM_B0 \n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	const struct cor_hwerr_record *r = rec(&log, 0);
	CHECK(r->source == COR_HWERR_SRC_GHES && r->cls == COR_HWERR_CORRECTED);
	CHECK(r->section == COR_HWERR_SEC_MEMORY);
	CHECK(r->ghes_seq == 2 && r->ghes_source_id == 2);
	CHECK(r->has_addr && r->phys_addr == 0x2a7f5c1000ull);
	CHECK_STR(r->error_type, "single-bit ECC");
	CHECK_STR(r->dimm, "CPU1_DIMM_B0");
	CHECK_STR(r->component, "DIMM CPU1_DIMM_B0");
	CHECK_STR(r->mem_location,
		  "node:0 card:3 module:0 rank:1 bank:13 device:6 row:28813 column:912");
	CHECK_U64(r->nlines, 11);
	cor_hwerr_log_deinit(&log);
}

/* The same without SMBIOS: the DIMM is node/card/module/rank; three errors on it
 * at different rows, one on another DIMM: the first stands out. */
COR_TEST(hwerr_ghes_memory_repeats_per_dimm)
{
	struct cor_strbuf sb = {0};
	for (int i = 0; i < 4; i++)
		cor_strbuf_appendf(&sb,
				   "{%d}[Hardware Error]: Hardware error from APEI Generic "
				   "Hardware Error Source: 2\n"
				   "{%d}[Hardware Error]: It has been corrected by h/w and "
				   "requires no further action\n"
				   "{%d}[Hardware Error]: event severity: corrected\n"
				   "{%d}[Hardware Error]:  Error 0, type: corrected\n"
				   "{%d}[Hardware Error]:   section_type: memory error\n"
				   "{%d}[Hardware Error]:   physical_address: 0x00000000%08x\n"
				   "{%d}[Hardware Error]:   node:%d card:0 module:%d rank:0 bank:2 "
				   "row:%d column:8 \n"
				   "{%d}[Hardware Error]:   error_type: 2, single-bit ECC\n",
				   i + 1, i + 1, i + 1, i + 1, i + 1, i + 1, 0x1000 * (i + 1),
				   i + 1, i == 3, i == 3 ? 5 : 1, 100 + i, i + 1);
	struct cor_hwerr_log log;
	CHECK_OK(parse(cor_strbuf_cstr(&sb), &log));
	CHECK_U64(log.records.len, 4);
	CHECK_U64(log.components.len, 2);
	const struct cor_hwerr_component *c = cor_vec_at(&log.components, 0);
	CHECK_STR(c->name, "memory node:0 card:0 module:1 rank:0");
	CHECK_U64(c->total, 3);
	CHECK_STR(rec(&log, 3)->component, "memory node:1 card:0 module:5 rank:0");
	CHECK_U64(rec(&log, 2)->phys_addr, 0x3000);
	cor_strbuf_deinit(&sb);
	cor_hwerr_log_deinit(&log);
}

/* __ghes_panic(): a fatal memory error, then panic(GHES_PFX "Fatal hardware error"). */
COR_TEST(hwerr_ghes_memory_fatal_panic)
{
	const char *text =
	    "{3}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 0\n"
	    "{3}[Hardware Error]: event severity: fatal\n"
	    "{3}[Hardware Error]:  Error 0, type: fatal\n"
	    "{3}[Hardware Error]:   section_type: memory error\n"
	    "{3}[Hardware Error]:   error_status: Storage error in DRAM memory "
	    "(0x0000000000000400)\n"
	    "{3}[Hardware Error]:   physical_address: 0x000000104a3c2f40\n"
	    "{3}[Hardware Error]:   node:1 card:0 module:2 \n"
	    "{3}[Hardware Error]:   error_type: 3, multi-bit ECC\n"
	    "Kernel panic - not syncing: GHES: Fatal hardware error\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	const struct cor_hwerr_record *r = rec(&log, 0);
	CHECK(r->cls == COR_HWERR_FATAL && r->panicked);
	CHECK_STR(r->error_type, "multi-bit ECC");
	CHECK_STR(r->component, "memory node:1 card:0 module:2");
	CHECK_STR(log.ctx.panic, "GHES: Fatal hardware error");
	CHECK_U64(log.ctx.panic_line, 9);
	cor_hwerr_log_deinit(&log);
}

/* cper_print_proc_generic(): error_type bits printed by cper_print_bits(). */
COR_TEST(hwerr_ghes_generic_processor)
{
	const char *text =
	    "{4}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 0\n"
	    "{4}[Hardware Error]: event severity: recoverable\n"
	    "{4}[Hardware Error]:  Error 0, type: recoverable\n"
	    "{4}[Hardware Error]:   section_type: general processor error\n"
	    "{4}[Hardware Error]:   processor_type: 0, IA32/X64\n"
	    "{4}[Hardware Error]:   processor_isa: 2, X64\n"
	    "{4}[Hardware Error]:   error_type: 0x01\n"
	    "{4}[Hardware Error]:   cache error\n"
	    "{4}[Hardware Error]:   operation: 1, data read\n"
	    "{4}[Hardware Error]:   flags: 0x01\n"
	    "{4}[Hardware Error]:   restartable\n"
	    "{4}[Hardware Error]:   level: 2\n"
	    "{4}[Hardware Error]:   processor_id: 0x0000000000000004\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	const struct cor_hwerr_record *r = rec(&log, 0);
	CHECK(r->section == COR_HWERR_SEC_PROC_GENERIC && r->cls == COR_HWERR_RECOVERABLE);
	CHECK_STR(r->error_type, "cache error");
	CHECK(r->cpu == 4);
	CHECK_STR(r->component, "processor (APIC/processor id 0x4)");
	cor_hwerr_log_deinit(&log);
}

/* drivers/firmware/efi/cper-x86.c cper_print_proc_ia(), with a CPUID hex dump. */
COR_TEST(hwerr_ghes_ia32_x64_processor)
{
	const char *text =
	    "{5}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 0\n"
	    "{5}[Hardware Error]: event severity: fatal\n"
	    "{5}[Hardware Error]:  Error 0, type: fatal\n"
	    "{5}[Hardware Error]:   section_type: IA32/X64 processor error\n"
	    "{5}[Hardware Error]:   Local APIC_ID: 0x12\n"
	    "{5}[Hardware Error]:   CPUID Info:\n"
	    "{5}[Hardware Error]:   00000000: 00050654 00000000 12400800 00000000  "
	    "T.P.......@.....\n"
	    "{5}[Hardware Error]:   Error Information Structure 0:\n"
	    "{5}[Hardware Error]:    Error Structure Type: cache error\n"
	    "{5}[Hardware Error]:    Check Information: 0x000000000020012f\n"
	    "{5}[Hardware Error]:     Processor Context Corrupt: true\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	const struct cor_hwerr_record *r = rec(&log, 0);
	CHECK(r->section == COR_HWERR_SEC_PROC_IA && r->cls == COR_HWERR_FATAL);
	CHECK(r->cpu == 0x12);
	CHECK_STR(r->error_type, "cache error");
	CHECK(!r->mem_location[0]);
	cor_hwerr_log_deinit(&log);
}

/* A fatal PCIe section carries the AER registers itself (cper_print_pcie(),
 * CPER_PCIE_VALID_AER_INFO and CPER_SEV_FATAL). TLP 4a000001: Fmt 010 Type 01010
 * = CplD; completer 0x0100 = 01:00.0, status 0 (SC), byte count 4. */
COR_TEST(hwerr_ghes_pcie_fatal_aer_info)
{
	const char *text =
	    "{6}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 3\n"
	    "{6}[Hardware Error]: event severity: fatal\n"
	    "{6}[Hardware Error]:  Error 0, type: fatal\n"
	    "{6}[Hardware Error]:   section_type: PCIe error\n"
	    "{6}[Hardware Error]:   port_type: 4, root port\n"
	    "{6}[Hardware Error]:   version: 3.0\n"
	    "{6}[Hardware Error]:   command: 0x0547, status: 0x4010\n"
	    "{6}[Hardware Error]:   device_id: 0000:00:02.0\n"
	    "{6}[Hardware Error]:   slot: 0\n"
	    "{6}[Hardware Error]:   secondary_bus: 0x03\n"
	    "{6}[Hardware Error]:   vendor_id: 0x8086, device_id: 0x2f04\n"
	    "{6}[Hardware Error]:   class_code: 060400\n"
	    "{6}[Hardware Error]:   bridge: secondary_status: 0x2000, control: 0x0003\n"
	    "{6}[Hardware Error]:   aer_uncor_status: 0x00040000, aer_uncor_mask: 0x00100000\n"
	    "{6}[Hardware Error]:   aer_uncor_severity: 0x00062030\n"
	    "{6}[Hardware Error]:   TLP Header: 4a000001 01000004 00000000 00000000\n"
	    "Kernel panic - not syncing: GHES: Fatal hardware error\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	const struct cor_hwerr_record *r = rec(&log, 0);
	CHECK(r->cls == COR_HWERR_FATAL && r->panicked);
	CHECK_STR(r->device, "0000:00:02.0");
	CHECK(r->vendor_id == 0x8086 && r->device_id == 0x2f04);
	CHECK(r->status == 0x40000 && r->mask == 0x100000 && r->uncor_severity == 0x62030);
	struct cor_hwerr_aer_bit b[32];
	size_t n = cor_hwerr_aer_decode(false, r->status, r->mask, true, r->uncor_severity, -1, b);
	CHECK(n == 1 && b[0].bit == 18 && b[0].fatal && !b[0].masked);
	CHECK_STR(b[0].name, "MalfTLP");
	char txt[256];
	cor_hwerr_tlp_explain(r->tlp, txt, sizeof(txt));
	CHECK(has(txt, "Completion with Data"));
	CHECK(has(txt, "completer 01:00.0"));
	CHECK(has(txt, "status Successful Completion, byte count 4"));
	cor_hwerr_log_deinit(&log);
}

/* An unknown section type (print_hex_dump of its payload), severity info. */
COR_TEST(hwerr_ghes_unknown_section_info)
{
	const char *text =
	    "{7}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 1\n"
	    "{7}[Hardware Error]: event severity: info\n"
	    "{7}[Hardware Error]:  Error 0, type: info\n"
	    "{7}[Hardware Error]:   section type: unknown, 330f1140-72a5-11df-9690-0002a5d5c51b\n"
	    "{7}[Hardware Error]:   section length: 0x18\n"
	    "{7}[Hardware Error]:   00000000: 00000001 00000000 00000000 00000000  "
	    "................\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	const struct cor_hwerr_record *r = rec(&log, 0);
	CHECK(r->cls == COR_HWERR_INFO && r->section == COR_HWERR_SEC_OTHER);
	CHECK(has(r->component, "330f1140-72a5-11df-9690-0002a5d5c51b"));
	cor_hwerr_log_deinit(&log);
}

/* Two sections in one status block: two records sharing the block's {seq}. */
COR_TEST(hwerr_ghes_two_sections)
{
	const char *text =
	    "{8}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 4\n"
	    "{8}[Hardware Error]: event severity: recoverable\n"
	    "{8}[Hardware Error]:  Error 0, type: recoverable\n"
	    "{8}[Hardware Error]:   section_type: memory error\n"
	    "{8}[Hardware Error]:   node:0 card:1 module:1 \n"
	    "{8}[Hardware Error]:  Error 1, type: corrected\n"
	    "{8}[Hardware Error]:   section_type: memory error\n"
	    "{8}[Hardware Error]:   node:0 card:1 module:2 \n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 2);
	CHECK(rec(&log, 0)->cls == COR_HWERR_RECOVERABLE &&
	      rec(&log, 1)->cls == COR_HWERR_CORRECTED);
	CHECK_STR(rec(&log, 0)->component, "memory node:0 card:1 module:1");
	CHECK_STR(rec(&log, 1)->component, "memory node:0 card:1 module:2");
	CHECK(rec(&log, 1)->ghes_seq == 8 && rec(&log, 1)->ghes_source_id == 4);
	cor_hwerr_log_deinit(&log);
}

/* A block cut short (only the header and severity: ratelimited or truncated log). */
COR_TEST(hwerr_ghes_block_without_sections)
{
	const char *text =
	    "{9}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 7\n"
	    "{9}[Hardware Error]: event severity: recoverable\n"
	    "{10}[Hardware Error]: event severity: fatal\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	CHECK(rec(&log, 0)->cls == COR_HWERR_RECOVERABLE);
	CHECK_STR(rec(&log, 0)->component, "APEI GHES source 7 (no section decoded)");
	CHECK_U64(rec(&log, 0)->nlines, 2);
	cor_hwerr_log_deinit(&log);
}

/* ---- NMI: Linux 6.1 arch/x86/kernel/nmi.c ---- */

/* unknown_nmi_error() then nmi_panic(regs, "NMI: Not continuing"): what the
 * corpus's NMI-injected dumps show, with unknown_nmi_panic on the command line. */
COR_TEST(hwerr_nmi_unknown_panic)
{
	const char *text = "[    0.138093] Kernel command line: console=ttyS0,115200 "
			   "nmi_watchdog=1 unknown_nmi_panic=1 crashkernel=256M\n"
			   "[   51.467931] Uhhuh. NMI received for unknown reason 21 on CPU 0.\n"
			   "[   51.468182] Kernel panic - not syncing: NMI: Not continuing\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	const struct cor_hwerr_record *r = rec(&log, 0);
	CHECK(r->source == COR_HWERR_SRC_NMI && r->nmi_kind == COR_HWERR_NMI_UNKNOWN);
	CHECK_U64(r->nmi_reason, 0x21);
	CHECK(r->cpu == 0);
	CHECK(r->panicked && r->cls == COR_HWERR_FATAL);
	CHECK(log.ctx.unknown_nmi_panic == 1);
	CHECK_STR(r->component, "NMI (source unknown)");
	CHECK(has(r->summary, "unknown reason 21 on CPU 0"));
	CHECK(has(r->advice, "NMI button"));
	CHECK(has(r->advice, "unknown_nmi_panic"));
	CHECK(has(r->advice, "force a dump of a hung machine"));
	cor_hwerr_log_deinit(&log);
}

/* unknown_nmi_error() without a panic: "Dazed and confused, but trying to continue". */
COR_TEST(hwerr_nmi_unknown_continue)
{
	const char *text = "<0>[ 812.1] Uhhuh. NMI received for unknown reason 31 on CPU 3.\n"
			   "<0>[ 812.1] Dazed and confused, but trying to continue\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	const struct cor_hwerr_record *r = rec(&log, 0);
	CHECK(r->cls == COR_HWERR_RECOVERABLE && !r->panicked);
	CHECK(r->cpu == 3 && r->nmi_reason == 0x31 && r->nlines == 2);
	CHECK(has(r->advice, "Dazed and confused"));
	CHECK(log.ctx.unknown_nmi_panic == -1);
	cor_hwerr_log_deinit(&log);
}

/* pci_serr_error(): reason a1 = SERR# (0x80) + timer 2 output + gate. */
COR_TEST(hwerr_nmi_serr)
{
	const char *text = "NMI: PCI system error (SERR) for reason a1 on CPU 0.\n"
			   "Dazed and confused, but trying to continue\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	const struct cor_hwerr_record *r = rec(&log, 0);
	CHECK(r->nmi_kind == COR_HWERR_NMI_SERR && r->nmi_reason == 0xa1);
	CHECK_STR(r->component, "PCI SERR# line (platform)");
	CHECK(r->cls == COR_HWERR_RECOVERABLE);
	CHECK(has(r->advice, "SERR# (bit 7)"));
	cor_hwerr_log_deinit(&log);
}

/* io_check_error() and nmi_panic(regs, "NMI IOCK error: Not continuing"). */
COR_TEST(hwerr_nmi_iochk_panic)
{
	const char *text = "NMI: IOCK error (debug interrupt?) for reason 71 on CPU 2.\n"
			   "CPU: 2 PID: 0 Comm: swapper/2 Not tainted 6.1.0-56-amd64 #1\n"
			   "RIP: 0010:native_safe_halt+0xb/0x10\n"
			   "Kernel panic - not syncing: NMI IOCK error: Not continuing\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	const struct cor_hwerr_record *r = rec(&log, 0);
	CHECK(r->nmi_kind == COR_HWERR_NMI_IOCHK && r->nmi_reason == 0x71 && r->cpu == 2);
	CHECK(r->panicked && r->cls == COR_HWERR_FATAL);
	CHECK_STR(r->component, "IOCHK# line (platform)");
	cor_hwerr_log_deinit(&log);
}

/* Linux 2.6.2x arch/x86/kernel/traps_32.c mem_parity_error(): a SERR/parity NMI
 * printed as "unknown reason" (as in Ubuntu 7.04-8.04 logs of the time): the
 * reason byte b1 has bit 7 set, so it is a SERR# NMI whatever the text says. */
COR_TEST(hwerr_nmi_old_kernel_serr_as_unknown)
{
	const char *text = "Uhhuh. NMI received for unknown reason b1 on CPU 0.\n"
			   "You have some hardware problem, likely on the PCI bus.\n"
			   "Dazed and confused, but trying to continue\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	CHECK_STR(rec(&log, 0)->component, "PCI SERR# line (platform)");
	CHECK(has(rec(&log, 0)->summary, "SERR"));
	CHECK(has(rec(&log, 0)->advice, "memory parity"));
	CHECK_U64(rec(&log, 0)->nlines, 3);
	cor_hwerr_log_deinit(&log);
}

/* sysctl.kernel.* on the command line (kernel/sysctl.c, since 5.8). */
COR_TEST(hwerr_nmi_cmdline_sysctl)
{
	const char *text = "Kernel command line: root=/dev/sda1 sysctl.kernel.unknown_nmi_panic=0 "
			   "sysctl.kernel.panic_on_unrecovered_nmi=1\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 0);
	CHECK(log.ctx.unknown_nmi_panic == 0);
	CHECK(log.ctx.panic_on_unrecovered_nmi == 1);
	cor_hwerr_log_deinit(&log);
}

COR_TEST(hwerr_nmi_reason_bits)
{
	char txt[512];
	cor_hwerr_nmi_reason_explain(0x21, txt, sizeof(txt));
	CHECK(has(txt, "reason 0x21"));
	CHECK(has(txt, "nothing on the platform claims"));
	CHECK(has(txt, "bit 5 timer 2 output"));
	CHECK(has(txt, "bit 0 timer 2 gate"));
	CHECK(!has(txt, "bit 4"));
	cor_hwerr_nmi_reason_explain(0xc0, txt, sizeof(txt));
	CHECK(has(txt, "bit 7 SERR# asserted"));
	CHECK(has(txt, "bit 6 IOCHK# asserted"));
	CHECK(has(txt, "an error line is asserted"));
}

/* ---- EDAC: Linux 6.1 drivers/edac/edac_mc.c edac_ce_error() / edac_ue_error() ---- */

/* skx_edac (drivers/edac/skx_common.c adds the " - err_code..." detail). */
COR_TEST(hwerr_edac_ce_skx)
{
	const char *text =
	    "[86400.123456] EDAC MC0: 1 CE memory read error on CPU_SrcID#0_MC#0_Chan#1_DIMM#0 "
	    "(channel:1 slot:0 page:0x4c8b6 offset:0x640 grain:32 syndrome:0x0 - "
	    "err_code:0x0000:0x009f SystemAddress:0x4c8b6640 ProcessorSocketId:0x0 "
	    "MemoryControllerId:0x0 ChannelAddress:0x9916c40 ChannelId:0x1 RankAddress:0x4c8b640 "
	    "PhysicalRankId:0x0 DimmSlotId:0x0 Row:0x132 Column:0x1c8 Bank:0x2 BankGroup:0x1 "
	    "ChipSelect:0x0 ChipId:0x0)\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 1);
	const struct cor_hwerr_record *r = rec(&log, 0);
	CHECK(r->source == COR_HWERR_SRC_EDAC && r->cls == COR_HWERR_CORRECTED);
	CHECK_STR(r->component, "DIMM CPU_SrcID#0_MC#0_Chan#1_DIMM#0");
	CHECK_STR(r->error_type, "memory read error");
	CHECK_STR(r->mem_location, "channel:1 slot:0");
	CHECK(r->has_addr && r->phys_addr == 0x4c8b6640ull);
	CHECK_U64(r->count, 1);
	cor_hwerr_log_deinit(&log);
}

/* ghes_edac: count 3, label "unknown memory": the location names the memory. */
COR_TEST(hwerr_edac_ce_count_unknown_label)
{
	const char *text =
	    "EDAC MC1: 3 CE single-bit ECC on unknown memory (node:0 card:0 module:0 "
	    "page:0x12345 offset:0x0 grain:1 syndrome:0x0 - APEI location: node:0 "
	    "card:0 module:0)\n"
	    "EDAC MC1: 2 CE single-bit ECC on unknown memory (node:0 card:0 module:0 "
	    "page:0x12346 offset:0x80 grain:1 syndrome:0x0)\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 2);
	CHECK_U64(rec(&log, 0)->count, 3);
	CHECK_STR(rec(&log, 0)->component, "memory controller MC1 node:0 card:0 module:0");
	CHECK_U64(log.components.len, 1);
	const struct cor_hwerr_component *c = cor_vec_at(&log.components, 0);
	CHECK_U64(c->total, 5);
	CHECK_U64(rec(&log, 1)->phys_addr, 0x12346080ull);
	cor_hwerr_log_deinit(&log);
}

/* edac_ue_error(), and with edac_mc_panic_on_ue its panic("UE ..."). */
COR_TEST(hwerr_edac_ue)
{
	const char *text =
	    "EDAC MC0: 1 UE memory read error on CPU_SrcID#0_MC#0_Chan#0_DIMM#0 (channel:0 slot:0 "
	    "page:0x1000 offset:0x0 grain:32 - err_code:0x0000:0x009f)\n"
	    "EDAC MC0: 1 UE memory read error on CPU_SrcID#1_MC#0_Chan#0_DIMM#0 (channel:0 slot:0 "
	    "page:0x2000 offset:0x0 grain:32 - err_code:0x0000:0x009f)\n"
	    "Kernel panic - not syncing: UE memory read error on CPU_SrcID#1_MC#0_Chan#0_DIMM#0 "
	    "(channel:0 slot:0 page:0x2000 offset:0x0 grain:32 - err_code:0x0000:0x009f)\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 2);
	CHECK(rec(&log, 0)->cls == COR_HWERR_RECOVERABLE && !rec(&log, 0)->panicked);
	CHECK(rec(&log, 1)->cls == COR_HWERR_FATAL && rec(&log, 1)->panicked);
	CHECK_STR(rec(&log, 1)->component, "DIMM CPU_SrcID#1_MC#0_Chan#0_DIMM#0");
	cor_hwerr_log_deinit(&log);
}

/* Linux 2.6.32 drivers/edac/edac_mc.c edac_mc_handle_ce(). */
COR_TEST(hwerr_edac_legacy_ce)
{
	const char *text =
	    "EDAC MC0: CE page 0x283ac2, offset 0xe80, grain 128, syndrome 0x5a1d, "
	    "row 1, channel 0, label \"DIMM_A2\": i5000 CE\n"
	    "EDAC MC0: CE page 0x283ac3, offset 0x0, grain 128, syndrome 0x5a1d, row 2, "
	    "channel 1, label \"\": i5000 CE\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 2);
	CHECK_STR(rec(&log, 0)->component, "DIMM DIMM_A2");
	CHECK_STR(rec(&log, 1)->component, "memory controller MC0 csrow:2 channel:1");
	CHECK(rec(&log, 0)->cls == COR_HWERR_CORRECTED);
	cor_hwerr_log_deinit(&log);
}

/* arch/x86/kernel/cpu/mce/core.c mce_notify_irq(). */
COR_TEST(hwerr_mce_events_logged)
{
	const char *text = "[ 3600.5] mce: [Hardware Error]: Machine check events logged\n"
			   "[ 3900.5] mce: [Hardware Error]: Machine check events logged\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 2);
	CHECK(rec(&log, 0)->source == COR_HWERR_SRC_MCE &&
	      rec(&log, 0)->cls == COR_HWERR_CORRECTED);
	CHECK_STR(rec(&log, 0)->component, "CPU machine-check banks");
	cor_hwerr_log_deinit(&log);
}

/* Lines that look alike but are no hardware error. */
COR_TEST(hwerr_no_false_positives)
{
	const char *text =
	    "pcieport 0000:00:1c.0: AER: enabled with IRQ 122\n"
	    "pcieport 0000:00:1c.0: PME: Signaling with IRQ 122\n"
	    "EDAC MC: Ver: 3.0.0\n"
	    "EDAC MC0: Giving out device to module skx_edac controller Skylake Socket#0 IMC#0: DEV "
	    "0000:3a:0a.0 (INTERRUPT)\n"
	    "NMI watchdog: Enabled. Permanently consumes one hw-PMU counter.\n"
	    "Sending NMI from CPU 2 to CPUs 1:\n"
	    "NMI backtrace for cpu 1\n"
	    "GHES: APEI firmware first mode is enabled by APEI bit and WHEA _OSC.\n"
	    "mce: [Hardware Error]: CPU 0: Machine Check Exception: 4 Bank 5: be00000000800400\n"
	    "{1}[Hardware Error]: event severity: corrected\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 0);
	struct cor_strbuf out = {0};
	cor_hwerr_render_text(&log, 0, &out);
	CHECK(has(cor_strbuf_cstr(&out), "none in the log"));
	cor_strbuf_deinit(&out);
	cor_hwerr_log_deinit(&log);
}

/* Syslog, journal and console prefixes, CRLF endings, "[T123]" caller ids. */
COR_TEST(hwerr_line_prefixes)
{
	const char *text =
	    "Nov 22 02:00:01 db7 kernel: [ 1021.113902] pcieport 0000:00:1c.5: AER: Corrected "
	    "error message received from 0000:03:00.0\r\n"
	    "Nov 22 02:00:01 db7 kernel: [ 1021.113919] r8169 0000:03:00.0: PCIe Bus Error: "
	    "severity=Corrected, type=Physical Layer, (Receiver ID)\r\n"
	    "Nov 22 02:00:01 db7 kernel: [ 1021.113923] r8169 0000:03:00.0:   device [10ec:8168] "
	    "error status/mask=00000001/00002000\r\n"
	    "kernel: Uhhuh. NMI received for unknown reason 3d on CPU 1.\n"
	    "[   12.000001][    T1] EDAC MC0: 1 CE memory scrubbing error on DIMM_B1 (csrow:1 "
	    "channel:0 page:0x10 offset:0x0 grain:64 syndrome:0x3)\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	CHECK_U64(log.records.len, 3);
	CHECK(rec(&log, 0)->status == 1 && rec(&log, 0)->has_time);
	CHECK_U64(rec(&log, 0)->time_us, 1021113902ull);
	CHECK(rec(&log, 1)->nmi_reason == 0x3d && rec(&log, 1)->cpu == 1);
	CHECK_STR(rec(&log, 2)->component, "DIMM DIMM_B1");
	CHECK_U64(rec(&log, 2)->time_us, 12000001ull);
	cor_hwerr_log_deinit(&log);
}

/* TLP headers of other kinds (PCIe r5.0 §2.2.7.1 configuration, §2.2.8 messages). */
COR_TEST(hwerr_tlp_kinds)
{
	char txt[256];
	/* CfgRd0: Fmt 000 Type 00100, requester 00:00.0, tag 0x12, target 02:00.0 reg 0x100. */
	cor_hwerr_tlp_explain((const uint32_t[4]){0x04000001, 0x0000120f, 0x02000100, 0}, txt,
			      sizeof(txt));
	CHECK(has(txt, "Type 0 Configuration Read"));
	CHECK(has(txt, "tag 0x12"));
	CHECK(has(txt, "target 02:00.0 register 0x100"));
	/* MWr 3DW with data, poisoned (EP bit 14): 0x40004010. */
	cor_hwerr_tlp_explain((const uint32_t[4]){0x40004010, 0x0300000f, 0xfebf0000, 0}, txt,
			      sizeof(txt));
	CHECK(has(txt, "Memory Write Request (3DW header, poisoned)"));
	CHECK(has(txt, "length 16 DW"));
	CHECK(has(txt, "address 0xfebf0000"));
	/* Completion UR (status 001): 0x0a000000, completer 03:00.0. */
	cor_hwerr_tlp_explain((const uint32_t[4]){0x0a000000, 0x03002000, 0x00001000, 0}, txt,
			      sizeof(txt));
	CHECK(has(txt, "Completion (3DW header)"));
	CHECK(has(txt, "status Unsupported Request"));
	CHECK(has(txt, "tag 0x10"));
	/* Message with routing 100 (local), code 0x7f? Use Vendor_Defined Type 1 (0x7f). */
	cor_hwerr_tlp_explain((const uint32_t[4]){0x34000000, 0x0100007f, 0, 0}, txt, sizeof(txt));
	CHECK(has(txt, "Message (4DW header)"));
	CHECK(has(txt, "message code 0x7f"));
}

/* Every bit of the two registers has a name; unknown bits are named as the kernel does. */
COR_TEST(hwerr_aer_decode_tables)
{
	struct cor_hwerr_aer_bit b[32];
	size_t n = cor_hwerr_aer_decode(true, 0xffffffffu, 0, false, 0, -1, b);
	CHECK_U64(n, 32);
	CHECK_STR(b[0].name, "RxErr");
	CHECK_STR(b[15].name, "HeaderOF");
	CHECK_STR(b[1].name, "Unknown Error Bit");
	n = cor_hwerr_aer_decode(false, 0x00104000, 0x00100000, true, 0x00062030, -1, b);
	CHECK_U64(n, 2);
	CHECK(b[0].bit == 14 && !b[0].masked && !b[0].fatal);
	CHECK(b[1].bit == 20 && b[1].masked);
	CHECK_STR(b[1].name, "UnsupReq");
}

/* JSON: parseable shape (checked with python3's json module when present). */
COR_TEST(hwerr_json_valid)
{
	const char *text =
	    "[ 51.4] Uhhuh. NMI received for unknown reason 21 on CPU 0.\n"
	    "[ 51.5] Kernel panic - not syncing: NMI: Not continuing\n"
	    "pcieport 0000:00:1c.5: AER: Corrected error message received from 0000:03:00.0\n"
	    "r8169 0000:03:00.0: PCIe Bus Error: severity=Corrected, type=Physical Layer, "
	    "(Receiver ID)\n"
	    "r8169 0000:03:00.0:   device [10ec:8168] error status/mask=00000001/00002000\n"
	    "r8169 0000:03:00.0: AER:   TLP Header: 20000001 040000ff 00000001 fee00000\n";
	struct cor_hwerr_log log;
	CHECK_OK(parse(text, &log));
	struct cor_strbuf out = {0};
	cor_hwerr_render_json(&log, &out);
	char path[4096];
	snprintf(path, sizeof(path), "%s/hw.json", cor_test_tmpdir(t));
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(cor_strbuf_cstr(&out), f);
		fclose(f);
	}
	char cmd[4300];
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
		 "print(d[\"records\"][0][\"nmi\"][\"reason\"], d[\"totals\"][\"fatal\"], "
		 "d[\"records\"][1][\"bits\"][0][\"name\"])' %s",
		 path);
	char *o = NULL;
	int st = cor_test_run(cmd, &o);
	CHECK(st == 0);
	CHECK_STR(o, "0x21 1 RxErr\n");
	free(o);
	cor_strbuf_deinit(&out);
	cor_hwerr_log_deinit(&log);
}

/* Hostile input: no crash, no hang, bounded output. */
COR_TEST(hwerr_garbage_input)
{
	static const char *const bad[] = {
	    "{",
	    "{99999999999999999999}[Hardware Error]: Error 0, type: fatal\n",
	    "pcieport 0000:00:1c.0:",
	    "0000:00:1c.0: ",
	    "EDAC MC",
	    "EDAC MC0: 5 CE",
	    "EDAC MC0: 1 CE on (",
	    "Uhhuh. NMI received for unknown reason ",
	    "x 0000:00:1c.0: AER:   TLP Header: 1 2\n",
	    "[ 1.",
	    "<9",
	    "pcieport 0000:00:1c.0: PCIe Bus Error: severity=",
	    "a 0000:00:1c.0:    [99] X (First)\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cor_hwerr_log log;
		cor_hwerr_log_init(&log);
		CHECK_OK(cor_hwerr_parse_mem(bad[i], strlen(bad[i]), COR_HWERR_ALL_SOURCES, &log));
		struct cor_strbuf out = {0};
		cor_hwerr_render_text(&log, COR_HWERR_RENDER_VERBOSE, &out);
		cor_hwerr_render_json(&log, &out);
		CHECK(!out.failed);
		cor_strbuf_deinit(&out);
		cor_hwerr_log_deinit(&log);
	}
	/* NUL bytes inside the text are just bytes. */
	const char nul[] = "Uhhuh. NMI received for unknown reason 21\0 on CPU 0.\n";
	struct cor_hwerr_log log;
	cor_hwerr_log_init(&log);
	CHECK_OK(cor_hwerr_parse_mem(nul, sizeof(nul) - 1, COR_HWERR_ALL_SOURCES, &log));
	CHECK_U64(log.records.len, 1);
	cor_hwerr_log_deinit(&log);
}

/* ---- one-record vectors: each a record the kernel prints, with the file and
 * function that print it; expected values derived from the register tables. ---- */

struct vector {
	const char *cite;
	const char *text;
	enum cor_hwerr_source source;
	enum cor_hwerr_class cls;
	const char *component;
	/* A word the one-line summary must hold (the decoded error). */
	const char *summary_has;
};

static const struct vector vectors[] = {
    {"aer.c aer_print_error: poisoned TLP (bit 12) with header",
     "pcieport 0000:00:02.0: AER: Uncorrected (Non-Fatal) error message received from "
     "0000:02:00.0\n"
     "ice 0000:02:00.0: PCIe Bus Error: severity=Uncorrected (Non-Fatal), type=Transaction Layer, "
     "(Receiver ID)\n"
     "ice 0000:02:00.0:   device [8086:1593] error status/mask=00001000/00400000\n"
     "ice 0000:02:00.0:    [12] TLP                    (First)\n"
     "ice 0000:02:00.0: AER:   TLP Header: 40000010 020000ff 90000000 00000000\n",
     COR_HWERR_SRC_AER, COR_HWERR_RECOVERABLE, "PCIe 0000:02:00.0", "TLP"},
    {"aer.c: Completer Abort (bit 15), Completer ID agent",
     "pcieport 0000:00:03.1: AER: Uncorrected (Non-Fatal) error message received from "
     "0000:0b:00.0\n"
     "amdgpu 0000:0b:00.0: PCIe Bus Error: severity=Uncorrected (Non-Fatal), type=Transaction "
     "Layer, (Completer ID)\n"
     "amdgpu 0000:0b:00.0:   device [1002:73bf] error status/mask=00008000/00000000\n"
     "amdgpu 0000:0b:00.0:    [15] CmpltAbrt              (First)\n",
     COR_HWERR_SRC_AER, COR_HWERR_RECOVERABLE, "PCIe 0000:0b:00.0", "CmpltAbrt"},
    {"aer.c: Malformed TLP (bit 18), fatal",
     "pcieport 0000:40:01.1: AER: Uncorrected (Fatal) error message received from 0000:41:00.0\n"
     "nvme 0000:41:00.0: PCIe Bus Error: severity=Uncorrected (Fatal), type=Transaction Layer, "
     "(Receiver ID)\n"
     "nvme 0000:41:00.0:   device [1344:51c0] error status/mask=00040000/00000000\n"
     "nvme 0000:41:00.0:    [18] MalfTLP                (First)\n",
     COR_HWERR_SRC_AER, COR_HWERR_FATAL, "PCIe 0000:41:00.0", "MalfTLP"},
    {"aer.c: ECRC error (bit 19)",
     "pcieport 0000:00:1b.0: AER: Uncorrected (Non-Fatal) error message received from "
     "0000:06:00.0\n"
     "mpt3sas 0000:06:00.0: PCIe Bus Error: severity=Uncorrected (Non-Fatal), type=Transaction "
     "Layer, (Receiver ID)\n"
     "mpt3sas 0000:06:00.0:   device [1000:0097] error status/mask=00080000/00000000\n"
     "mpt3sas 0000:06:00.0:    [19] ECRC                   (First)\n",
     COR_HWERR_SRC_AER, COR_HWERR_RECOVERABLE, "PCIe 0000:06:00.0", "ECRC"},
    {"aer.c: REPLAY_NUM Rollover (bit 8), Transmitter ID",
     "pcieport 0000:00:1c.4: AER: Corrected error message received from 0000:00:1c.4\n"
     "pcieport 0000:00:1c.4: PCIe Bus Error: severity=Corrected, type=Data Link Layer, "
     "(Transmitter ID)\n"
     "pcieport 0000:00:1c.4:   device [8086:a33c] error status/mask=00000100/00002000\n"
     "pcieport 0000:00:1c.4:    [ 8] Rollover              \n",
     COR_HWERR_SRC_AER, COR_HWERR_CORRECTED, "PCIe 0000:00:1c.4", "Rollover"},
    {"aer.c: Corrected Internal Error (bit 14)",
     "pcieport 0000:00:01.0: AER: Corrected error message received from 0000:01:00.0\n"
     "mlx5_core 0000:01:00.0: PCIe Bus Error: severity=Corrected, type=Transaction Layer, "
     "(Receiver ID)\n"
     "mlx5_core 0000:01:00.0:   device [15b3:101d] error status/mask=00004000/00002000\n"
     "mlx5_core 0000:01:00.0:    [14] CorrIntErr             (First)\n",
     COR_HWERR_SRC_AER, COR_HWERR_CORRECTED, "PCIe 0000:01:00.0", "CorrIntErr"},
    {"aer.c: Header Log Overflow (bit 15)",
     "pcieport 0000:00:01.0: AER: Corrected error message received from 0000:01:00.1\n"
     "mlx5_core 0000:01:00.1: PCIe Bus Error: severity=Corrected, type=Transaction Layer, "
     "(Receiver ID)\n"
     "mlx5_core 0000:01:00.1:   device [15b3:101d] error status/mask=00008000/00002000\n",
     COR_HWERR_SRC_AER, COR_HWERR_CORRECTED, "PCIe 0000:01:00.1", "HeaderOF"},
    {"aer.c: Multiple Uncorrected, Unexpected Completion (bit 16)",
     "pcieport 0000:00:03.0: AER: Multiple Uncorrected (Non-Fatal) error message received from "
     "0000:03:00.0\n"
     "qla2xxx 0000:03:00.0: PCIe Bus Error: severity=Uncorrected (Non-Fatal), type=Transaction "
     "Layer, (Receiver ID)\n"
     "qla2xxx 0000:03:00.0:   device [1077:2261] error status/mask=00010000/00000000\n"
     "qla2xxx 0000:03:00.0:    [16] UnxCmplt               (First)\n",
     COR_HWERR_SRC_AER, COR_HWERR_RECOVERABLE, "PCIe 0000:03:00.0", "UnxCmplt"},
    {"aer.c: ACS Violation (bit 21)",
     "pcieport 0000:00:01.2: AER: Uncorrected (Non-Fatal) error message received from "
     "0000:00:01.2\n"
     "pcieport 0000:00:01.2: PCIe Bus Error: severity=Uncorrected (Non-Fatal), type=Transaction "
     "Layer, (Receiver ID)\n"
     "pcieport 0000:00:01.2:   device [1022:1483] error status/mask=00200000/00000000\n"
     "pcieport 0000:00:01.2:    [21] ACSViol                (First)\n",
     COR_HWERR_SRC_AER, COR_HWERR_RECOVERABLE, "PCIe 0000:00:01.2", "ACSViol"},
    {"aer.c: Data Link Protocol Error (bit 4), fatal",
     "pcieport 0000:80:03.0: AER: Uncorrected (Fatal) error message received from 0000:81:00.0\n"
     "pcieport 0000:81:00.0: PCIe Bus Error: severity=Uncorrected (Fatal), type=Data Link Layer, "
     "(Receiver ID)\n"
     "pcieport 0000:81:00.0:   device [10b5:8747] error status/mask=00000010/00000000\n"
     "pcieport 0000:81:00.0:    [ 4] DLP                    (First)\n",
     COR_HWERR_SRC_AER, COR_HWERR_FATAL, "PCIe 0000:81:00.0", "DLP"},
    {"aer.c: Uncorrectable Internal Error (bit 22), fatal",
     "pcieport 0000:00:1d.0: AER: Uncorrected (Fatal) error message received from 0000:3d:00.0\n"
     "nvme 0000:3d:00.0: PCIe Bus Error: severity=Uncorrected (Fatal), type=Transaction Layer, "
     "(Receiver ID)\n"
     "nvme 0000:3d:00.0:   device [8086:0a54] error status/mask=00400000/00000000\n"
     "nvme 0000:3d:00.0:    [22] UncorrIntErr           (First)\n",
     COR_HWERR_SRC_AER, COR_HWERR_FATAL, "PCIe 0000:3d:00.0", "UncorrIntErr"},
    {"dpc.c dpc_process_error: ERR_FATAL from 0000:02:00.0 (source 0x0200)",
     "pcieport 0000:00:1d.0: DPC: containment event, status:0x1f05 source:0x0200\n"
     "pcieport 0000:00:1d.0: DPC: ERR_FATAL detected\n",
     COR_HWERR_SRC_AER, COR_HWERR_FATAL, "PCIe 0000:02:00.0", "ERR_FATAL"},
    {"dpc.c dpc_process_error: unmasked uncorrectable error in the port, then aer_print_error",
     "pcieport 0000:00:1c.0: DPC: containment event, status:0x1f01 source:0x0000\n"
     "pcieport 0000:00:1c.0: DPC: unmasked uncorrectable error detected\n"
     "pcieport 0000:00:1c.0: PCIe Bus Error: severity=Uncorrected (Non-Fatal), type=Transaction "
     "Layer, (Requester ID)\n"
     "pcieport 0000:00:1c.0:   device [8086:a33c] error status/mask=00004000/00000000\n"
     "pcieport 0000:00:1c.0:    [14] CmpltTO                (First)\n",
     COR_HWERR_SRC_AER, COR_HWERR_RECOVERABLE, "PCIe 0000:00:1c.0", "unmasked uncorrectable error"},
    {"aer.c: a device behind an Intel VMD domain (5-digit domain, %04x)",
     "pcieport 10000:e0:06.0: AER: Corrected error message received from 10000:e1:00.0\n"
     "nvme 10000:e1:00.0: PCIe Bus Error: severity=Corrected, type=Physical Layer, (Receiver ID)\n"
     "nvme 10000:e1:00.0:   device [144d:a80a] error status/mask=00000001/0000e000\n"
     "nvme 10000:e1:00.0:    [ 0] RxErr                  (First)\n",
     COR_HWERR_SRC_AER, COR_HWERR_CORRECTED, "PCIe 10000:e1:00.0", "RxErr"},
    {"cper.c cper_print_mem/cper_dimm_err_location: DIMM without SMBIOS name",
     "{11}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 2\n"
     "{11}[Hardware Error]: It has been corrected by h/w and requires no further action\n"
     "{11}[Hardware Error]: event severity: corrected\n"
     "{11}[Hardware Error]:  Error 0, type: corrected\n"
     "{11}[Hardware Error]:   section_type: memory error\n"
     "{11}[Hardware Error]:   physical_address: 0x00000001c7a3e040\n"
     "{11}[Hardware Error]:   DIMM location: not present. DMI handle: 0x0028 \n",
     COR_HWERR_SRC_GHES, COR_HWERR_CORRECTED, "memory (DMI handle 0x0028)", "0x1c7a3e040"},
    {"cper.c cper_estatus_print_section: fru_text names the DIMM",
     "{12}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 2\n"
     "{12}[Hardware Error]: event severity: corrected\n"
     "{12}[Hardware Error]:  Error 0, type: corrected\n"
     "{12}[Hardware Error]:  fru_text: DIMM 12\n"
     "{12}[Hardware Error]:   section_type: memory error\n"
     "{12}[Hardware Error]:   error_type: 2, single-bit ECC\n",
     COR_HWERR_SRC_GHES, COR_HWERR_CORRECTED, "FRU DIMM 12", "single-bit ECC"},
    {"cper.c: scrub corrected error (type 13)",
     "{13}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 2\n"
     "{13}[Hardware Error]: event severity: corrected\n"
     "{13}[Hardware Error]:  Error 0, type: corrected\n"
     "{13}[Hardware Error]:   section_type: memory error\n"
     "{13}[Hardware Error]:   node:1 card:2 module:0 \n"
     "{13}[Hardware Error]:   error_type: 13, scrub corrected error\n",
     COR_HWERR_SRC_GHES, COR_HWERR_CORRECTED, "memory node:1 card:2 module:0",
     "scrub corrected error"},
    {"cper.c: recoverable multi-bit ECC",
     "{14}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 1\n"
     "{14}[Hardware Error]: event severity: recoverable\n"
     "{14}[Hardware Error]:  Error 0, type: recoverable\n"
     "{14}[Hardware Error]:   section_type: memory error\n"
     "{14}[Hardware Error]:   error_status: Storage error in DRAM memory (0x0000000000000400)\n"
     "{14}[Hardware Error]:   physical_address: 0x0000000be6f04000\n"
     "{14}[Hardware Error]:   node:0 card:1 module:3 rank:0 bank:7 row:5522 column:488 \n"
     "{14}[Hardware Error]:   error_type: 3, multi-bit ECC\n",
     COR_HWERR_SRC_GHES, COR_HWERR_RECOVERABLE, "memory node:0 card:1 module:3 rank:0",
     "multi-bit ECC"},
    {"cper.c cper_print_pcie: corrected PCIe section (no AER registers unless fatal)",
     "{15}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 4\n"
     "{15}[Hardware Error]: It has been corrected by h/w and requires no further action\n"
     "{15}[Hardware Error]: event severity: corrected\n"
     "{15}[Hardware Error]:  Error 0, type: corrected\n"
     "{15}[Hardware Error]:   section_type: PCIe error\n"
     "{15}[Hardware Error]:   port_type: 0, PCIe end point\n"
     "{15}[Hardware Error]:   version: 1.16\n"
     "{15}[Hardware Error]:   command: 0x0406, status: 0x0010\n"
     "{15}[Hardware Error]:   device_id: 0000:17:00.0\n"
     "{15}[Hardware Error]:   slot: 3\n"
     "{15}[Hardware Error]:   secondary_bus: 0x00\n"
     "{15}[Hardware Error]:   vendor_id: 0x14e4, device_id: 0x16d7\n"
     "{15}[Hardware Error]:   class_code: 020000\n",
     COR_HWERR_SRC_GHES, COR_HWERR_CORRECTED, "PCIe 0000:17:00.0", "PCIe error"},
    {"cper.c cper_print_fw_err: Firmware Error Record Reference",
     "{16}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 5\n"
     "{16}[Hardware Error]: event severity: recoverable\n"
     "{16}[Hardware Error]:  Error 0, type: recoverable\n"
     "{16}[Hardware Error]:   section_type: Firmware Error Record Reference\n"
     "{16}[Hardware Error]:   Firmware Error Record Type: SOC Firmware Error Record Type2\n"
     "{16}[Hardware Error]:   Revision: 2\n",
     COR_HWERR_SRC_GHES, COR_HWERR_RECOVERABLE, "firmware error record", "firmware error"},
    {"cper.c: ARM processor section (arm64 kernels)",
     "{17}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 0\n"
     "{17}[Hardware Error]: event severity: recoverable\n"
     "{17}[Hardware Error]:  Error 0, type: recoverable\n"
     "{17}[Hardware Error]:   section_type: ARM processor error\n"
     "{17}[Hardware Error]:   MIDR: 0x00000000481fd010\n",
     COR_HWERR_SRC_GHES, COR_HWERR_RECOVERABLE, "processor", "processor error"},
    {"acpi_extlog.c __print_extlog_rcd: the same CPER text behind \"{seq}\" only",
     "{18}Hardware error detected on CPU3\n"
     "{18}event severity: corrected\n"
     "{18} Error 0, type: corrected\n"
     "{18}  section_type: memory error\n"
     "{18}  physical_address: 0x0000000473a0c2c0\n"
     "{18}  node:0 card:0 module:0 rank:1 bank:3 row:8466 column:808 \n"
     "{18}  error_type: 2, single-bit ECC\n",
     COR_HWERR_SRC_GHES, COR_HWERR_CORRECTED, "memory node:0 card:0 module:0 rank:1",
     "extended log, CPU 3"},
    {"nmi.c unknown_nmi_error: reason 00, no continuation printed yet",
     "Uhhuh. NMI received for unknown reason 00 on CPU 5.\n", COR_HWERR_SRC_NMI,
     COR_HWERR_RECOVERABLE, "NMI (source unknown)", "unknown reason 00 on CPU 5"},
    {"nmi.c unknown_nmi_error: reason 3d, continued",
     "Uhhuh. NMI received for unknown reason 3d on CPU 12.\n"
     "Dazed and confused, but trying to continue\n",
     COR_HWERR_SRC_NMI, COR_HWERR_RECOVERABLE, "NMI (source unknown)", "3d on CPU 12"},
    {"nmi.c pci_serr_error + nmi_panic (panic_on_unrecovered_nmi)",
     "NMI: PCI system error (SERR) for reason e1 on CPU 0.\n"
     "Kernel panic - not syncing: NMI: Not continuing\n",
     COR_HWERR_SRC_NMI, COR_HWERR_FATAL, "PCI SERR# line (platform)", "kernel panicked"},
    {"nmi.c io_check_error without panic_on_io_nmi",
     "NMI: IOCK error (debug interrupt?) for reason 61 on CPU 3.\n", COR_HWERR_SRC_NMI,
     COR_HWERR_RECOVERABLE, "IOCHK# line (platform)", "I/O channel check"},
    {"edac_mc.c edac_ce_error: count 128",
     "EDAC MC2: 128 CE memory read error on CPU_SrcID#1_MC#0_Chan#2_DIMM#1 (channel:2 slot:1 "
     "page:0x8d1f2 offset:0x300 grain:32 syndrome:0x0 - err_code:0x0000:0x009f)\n",
     COR_HWERR_SRC_EDAC, COR_HWERR_CORRECTED, "DIMM CPU_SrcID#1_MC#0_Chan#2_DIMM#1",
     "128 corrected memory errors"},
    {"edac_mc.c edac_ce_error: empty message, amd64_edac default label",
     "EDAC MC0: 1 CE on mc#0csrow#2channel#1 (csrow:2 channel:1 page:0x3d6e8 offset:0xf40 "
     "grain:64 syndrome:0x7b8e)\n",
     COR_HWERR_SRC_EDAC, COR_HWERR_CORRECTED, "DIMM mc#0csrow#2channel#1", "1 corrected"},
};

COR_TEST(hwerr_vectors)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct vector *v = &vectors[i];
		struct cor_hwerr_log log;
		CHECK_OK(parse(v->text, &log));
		const struct cor_hwerr_record *r = rec(&log, 0);
		if (log.records.len != 1 || r->source != v->source || r->cls != v->cls ||
		    strcmp(r->component, v->component) != 0 || !has(r->summary, v->summary_has))
			cor_test_fail(t, __FILE__, __LINE__,
				      "vector %zu (%s): %zu records, %s %s \"%s\": \"%s\"", i,
				      v->cite, log.records.len, cor_hwerr_source_name(r->source),
				      cor_hwerr_class_name(r->cls), r->component, r->summary);
		cor_hwerr_log_deinit(&log);
	}
	printf("    %zu vectors\n", sizeof(vectors) / sizeof(vectors[0]));
}
