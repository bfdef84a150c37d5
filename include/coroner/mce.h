/* SPDX-License-Identifier: MIT */
/**
 * @file mce.h
 * Machine-check decoding: IA32_MCG_STATUS, IA32_MCG_CAP, IA32_MCi_STATUS,
 * MCi_ADDR and MCi_MISC bit by bit; the architectural MCA error codes
 * (simple and compound); the model-specific MSCOD tables of the Intel
 * server families that SDM Vol. 3B ch.16 documents; AMD bank / extended
 * error code decode; severity as Linux grades it; and parsers for kernel
 * log lines and mcelog text records.
 *
 * Pure: depends on base only, never prints.
 *
 * Ownership: a struct cor_mce_decoded is self-contained (fixed arrays, no
 * heap): the caller owns it and nothing needs freeing. Its `const char *`
 * members point to static strings valid for the life of the program.
 * Record vectors filled by the parsers hold struct cor_mce_record by value;
 * the caller frees them with cor_vec_deinit().
 */
#ifndef CORONER_MCE_H
#define CORONER_MCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coroner/base.h"
#include "coroner/error.h"

/** CPU vendor of a record (the kernel's X86_VENDOR_* is mapped to this). */
enum cor_mce_vendor {
	COR_MCE_VENDOR_UNKNOWN = 0,
	COR_MCE_VENDOR_INTEL,
	/** AMD, and Hygon (family 18h, the same MCA). */
	COR_MCE_VENDOR_AMD,
	COR_MCE_VENDOR_OTHER,
};

/** Which fields of a struct cor_mce_record are known (bit set in .have). */
enum {
	COR_MCE_HAVE_STATUS = 1u << 0,
	COR_MCE_HAVE_MCGSTATUS = 1u << 1,
	COR_MCE_HAVE_MCGCAP = 1u << 2,
	COR_MCE_HAVE_ADDR = 1u << 3,
	COR_MCE_HAVE_MISC = 1u << 4,
	COR_MCE_HAVE_BANK = 1u << 5,
	COR_MCE_HAVE_CPU = 1u << 6,
	COR_MCE_HAVE_TSC = 1u << 7,
	/** rip and cs. */
	COR_MCE_HAVE_RIP = 1u << 8,
	/** family, model, stepping (from a CPUID signature or given). */
	COR_MCE_HAVE_CPUID = 1u << 9,
	COR_MCE_HAVE_TIME = 1u << 10,
	COR_MCE_HAVE_SOCKET = 1u << 11,
	COR_MCE_HAVE_APIC = 1u << 12,
	COR_MCE_HAVE_MICROCODE = 1u << 13,
	COR_MCE_HAVE_IPID = 1u << 14,
	COR_MCE_HAVE_SYND = 1u << 15,
	COR_MCE_HAVE_PPIN = 1u << 16,
	COR_MCE_HAVE_VENDOR = 1u << 17,
	/** cs only (e.g. --cs without --rip). */
	COR_MCE_HAVE_CS = 1u << 18,
};

/** One machine-check record: the kernel's struct mce, as far as it is known. */
struct cor_mce_record {
	/** COR_MCE_HAVE_* bits. */
	uint32_t have;
	uint64_t status;
	uint64_t mcgstatus;
	uint64_t mcgcap;
	uint64_t addr;
	uint64_t misc;
	uint64_t tsc;
	uint64_t rip;
	/** Seconds since the epoch (the kernel's m->time). */
	uint64_t time;
	/** AMD SMCA MCA_IPID (bank type), MCA_SYND. */
	uint64_t ipid;
	uint64_t synd;
	uint64_t ppin;
	uint32_t cpu;
	uint32_t bank;
	uint32_t socket;
	uint32_t apic;
	uint32_t microcode;
	/** Raw CPUID(1).EAX signature, 0 if not known. */
	uint32_t cpuid;
	/** Display family / model / stepping. */
	uint32_t family;
	uint32_t model;
	uint32_t stepping;
	uint16_t cs;
	/** The kernel printed "RIP !INEXACT!" (EIPV clear). */
	bool rip_inexact;
	enum cor_mce_vendor vendor;
	/** 1-based line of the text the record came from, 0 if not parsed. */
	uint32_t line;
};

/**
 * Sets family/model/stepping of @p rec from a CPUID(1).EAX signature
 * (SDM Vol. 2A, CPUID leaf 01H, "DisplayFamily/DisplayModel").
 */
void cor_mce_record_set_cpuid(struct cor_mce_record *rec, uint32_t eax);

/** Maps the kernel's X86_VENDOR_* number (struct mce.cpuvendor) to a vendor. */
enum cor_mce_vendor cor_mce_vendor_from_kernel(uint32_t x86_vendor);

/** The register a decoded field comes from. */
enum cor_mce_reg {
	COR_MCE_REG_MCG_STATUS,
	COR_MCE_REG_MCG_CAP,
	COR_MCE_REG_STATUS,
	COR_MCE_REG_ADDR,
	COR_MCE_REG_MISC,
	COR_MCE_REG_IPID,
};

/** Short register name ("MCG_STATUS", "MCi_STATUS", ...). */
const char *cor_mce_reg_name(enum cor_mce_reg reg);

/** One named bit or bit field, with its value and what it means. */
struct cor_mce_field {
	enum cor_mce_reg reg;
	/** Bit range [lo, hi]. */
	uint8_t lo;
	uint8_t hi;
	uint64_t value;
	/** Short name: "VAL", "PCC", "MCACOD", "LL", ... (static). */
	const char *name;
	/** Explanation of this value. */
	char text[192];
};

/** Form of the MCA error code (MCi_STATUS[15:0]), SDM Vol. 3B §15.9. */
enum cor_mce_form {
	COR_MCE_FORM_NONE,
	/** One of the simple codes of Table 15-7. */
	COR_MCE_FORM_SIMPLE,
	/** 0000 01xx xxxx xxxx (Intel) / 0000 01UU 0000 0000 (AMD). */
	COR_MCE_FORM_INTERNAL,
	COR_MCE_FORM_GENERIC_CACHE,
	COR_MCE_FORM_TLB,
	COR_MCE_FORM_MEMCTRL,
	COR_MCE_FORM_CACHE,
	COR_MCE_FORM_BUS,
	/** Fits no documented form. */
	COR_MCE_FORM_UNKNOWN,
};

/** Name of a form ("TLB", "memory controller", ...). */
const char *cor_mce_form_name(enum cor_mce_form form);

/** Severity classes, as the Linux kernel grades them (severity.c). */
enum cor_mce_severity {
	/** VAL clear, or EN clear in the #MC handler: nothing to act on. */
	COR_MCE_SEV_NONE,
	/** Corrected by hardware (kernel: KEEP / SOME with UC=0). */
	COR_MCE_SEV_CORRECTED,
	/** AMD deferred error (uncorrected, not yet consumed). */
	COR_MCE_SEV_DEFERRED,
	/** Uncorrected, no action required (UC=1 S=0 AR=0). */
	COR_MCE_SEV_UCNA,
	/** Software recoverable, action optional (kernel: AO, SOME with S=1). */
	COR_MCE_SEV_SRAO,
	/** Software recoverable, action required (kernel: AR). */
	COR_MCE_SEV_SRAR,
	/** Uncorrected and not recoverable: the kernel panics (PANIC) or kills (UC). */
	COR_MCE_SEV_FATAL,
};

/** "corrected", "deferred", "UCNA", "SRAO", "SRAR", "fatal", "none". */
const char *cor_mce_severity_name(enum cor_mce_severity sev);

/** Result of the model-specific (MSCOD) table lookup. */
enum cor_mce_lookup {
	/** No model-specific information applies (MSCOD 0, or no CPU model known). */
	COR_MCE_LOOKUP_NONE,
	/** A table entry matched: see model_text. */
	COR_MCE_LOOKUP_FOUND,
	/** The CPU model is known but its tables hold nothing for this code. */
	COR_MCE_LOOKUP_ABSENT,
};

#define COR_MCE_MAX_FIELDS 64
#define COR_MCE_MAX_NOTES  8

/** A fully decoded record. Self-contained: see the file comment. */
struct cor_mce_decoded {
	struct cor_mce_record rec;
	struct cor_mce_field fields[COR_MCE_MAX_FIELDS];
	size_t nfields;
	/** Error code form and its one-line reading, e.g. "L2 data cache read error". */
	enum cor_mce_form form;
	uint16_t mcacod;
	uint16_t mscod;
	char error_class[192];
	/** The hardware unit most likely at fault ("L2 cache", "memory controller channel 2"). */
	char component[160];
	/** CPU, e.g. "Intel family 6 model 0x1a (Nehalem-EP / Xeon 5500)". */
	char cpu_name[128];
	enum cor_mce_severity severity;
	/** The kernel's grading message, e.g. "Processor context corrupt" (static). */
	const char *kernel_grade;
	/** What the severity means for the system. */
	char consequence[320];
	/** PCC (or AMD TCC): the interrupted context cannot be resumed. */
	bool context_corrupt;
	/** MCG_STATUS known and RIPV set. */
	bool restartable;
	/** Model-specific lookup result; model_table names the table searched. */
	enum cor_mce_lookup lookup;
	char model_table[192];
	char model_text[320];
	/** ADDR valid (ADDRV) and the address, with low bits below addr_lsb not valid. */
	bool addr_valid;
	uint64_t addr;
	/** Recoverable address LSB from MISC[5:0] (0 when not reported). */
	unsigned addr_lsb;
	/** Caveats: assumptions made for missing registers, inconsistent bits. */
	char notes[COR_MCE_MAX_NOTES][200];
	size_t nnotes;
};

/**
 * Decodes @p rec into *@p ret (overwritten entirely). Fails (INVALID) only
 * when the record has no MCi_STATUS. Missing registers are assumed as the
 * notes say (e.g. MCG_CAP unknown: SER inferred from the CPU model).
 */
struct cor_error *cor_mce_decode(const struct cor_mce_record *rec,
				 struct cor_mce_decoded *ret) COR_MUST_CHECK;

/** Finds the decoded field @p name of register @p reg, or NULL. Borrowed from @p d. */
const struct cor_mce_field *cor_mce_find_field(const struct cor_mce_decoded *d,
					       enum cor_mce_reg reg, const char *name);

/**
 * Parses kernel log text (dmesg, console, syslog, `coroner log`): lines
 * "mce: [Hardware Error]: CPU 3: Machine Check Exception: 4 Bank 5: ...",
 * "RIP ...", "TSC ... ADDR ... MISC ...", "PROCESSOR v:cpuid TIME ...",
 * and mcelog text records ("MCE 0 / CPU 3 BANK 5 / STATUS ... MCGSTATUS ...").
 * Appends one struct cor_mce_record per record to @p records_ret, which
 * must be initialized with elem_size sizeof(struct cor_mce_record). Text
 * without records is not an error (nothing is appended).
 */
struct cor_error *cor_mce_parse_log_mem(const char *text, size_t len,
					struct cor_vec *records_ret) COR_MUST_CHECK;
/** Like cor_mce_parse_log_mem(), kernel log lines only. */
struct cor_error *cor_mce_parse_kernel_log_mem(const char *text, size_t len,
					       struct cor_vec *records_ret) COR_MUST_CHECK;
/** Like cor_mce_parse_log_mem(), mcelog text records only. */
struct cor_error *cor_mce_parse_mcelog_mem(const char *text, size_t len,
					   struct cor_vec *records_ret) COR_MUST_CHECK;

/** Appends a human explanation of @p d to @p out (several lines). */
void cor_mce_render_text(const struct cor_mce_decoded *d, struct cor_strbuf *out);
/** Appends @p d as one JSON object (no trailing newline) to @p out. */
void cor_mce_render_json(const struct cor_mce_decoded *d, struct cor_strbuf *out);

#endif
