/* SPDX-License-Identifier: MIT */
/**
 * @file hwerr.h
 * Hardware-error records in a kernel log, beyond machine checks: PCIe AER,
 * NMI reasons (port 0x61: SERR#, IOCHK#, unknown), firmware-first APEI/GHES
 * (CPER sections: processor, memory, PCIe) and EDAC memory-controller lines.
 * Each record is decoded, classified (corrected, recoverable, fatal),
 * attributed to a component and counted per component, so that a flaky DIMM
 * or PCIe link stands out.
 *
 * Pure: depends on base only, never prints. Machine-check lines are left to
 * mce.h; a caller that decodes them may add them with cor_hwerr_log_add() so
 * that they are counted with the rest.
 *
 * Ownership: struct cor_hwerr_log owns its vectors; free them with
 * cor_hwerr_log_deinit(). Records hold fixed arrays (no heap); their
 * `const char *` members point to static strings.
 */
#ifndef CORONER_HWERR_H
#define CORONER_HWERR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coroner/base.h"
#include "coroner/error.h"

/** Where a record comes from (also a bit mask for the parser: 1u << source). */
enum cor_hwerr_source {
	/** PCIe Advanced Error Reporting (drivers/pci/pcie/aer.c). */
	COR_HWERR_SRC_AER,
	/** Firmware-first APEI Generic Hardware Error Source (drivers/acpi/apei/ghes.c, cper.c). */
	COR_HWERR_SRC_GHES,
	/** Non-maskable interrupt reasons (arch/x86/kernel/nmi.c). */
	COR_HWERR_SRC_NMI,
	/** EDAC memory-controller events (drivers/edac/edac_mc.c). */
	COR_HWERR_SRC_EDAC,
	/** Machine checks (added by the caller, or "Machine check events logged"). */
	COR_HWERR_SRC_MCE,
	COR_HWERR_NUM_SOURCES
};

/** Parser mask for every source. */
#define COR_HWERR_ALL_SOURCES ((1u << COR_HWERR_NUM_SOURCES) - 1)

/** Classification of a record. */
enum cor_hwerr_class {
	/** Corrected by hardware; no data lost. */
	COR_HWERR_CORRECTED,
	/** Uncorrected, but the system went on (non-fatal / recoverable). */
	COR_HWERR_RECOVERABLE,
	/** Fatal: the platform says so, or the kernel panicked on it. */
	COR_HWERR_FATAL,
	/** Informational (CPER severity "info"). */
	COR_HWERR_INFO,
	COR_HWERR_NUM_CLASSES
};

/** Kind of NMI (which branch of arch/x86/kernel/nmi.c printed it). */
enum cor_hwerr_nmi_kind {
	COR_HWERR_NMI_NONE,
	/** "Uhhuh. NMI received for unknown reason": no source claimed it. */
	COR_HWERR_NMI_UNKNOWN,
	/** "NMI: PCI system error (SERR)": reason bit 0x80. */
	COR_HWERR_NMI_SERR,
	/** "NMI: IOCK error (debug interrupt?)": reason bit 0x40. */
	COR_HWERR_NMI_IOCHK,
};

/** CPER section types that the kernel prints (drivers/firmware/efi/cper.c). */
enum cor_hwerr_section {
	COR_HWERR_SEC_NONE,
	COR_HWERR_SEC_PROC_GENERIC,
	COR_HWERR_SEC_PROC_IA,
	COR_HWERR_SEC_MEMORY,
	COR_HWERR_SEC_PCIE,
	COR_HWERR_SEC_FW_REF,
	COR_HWERR_SEC_OTHER,
};

#define COR_HWERR_TEXT 192

/** One hardware error, as far as the log tells. */
struct cor_hwerr_record {
	enum cor_hwerr_source source;
	enum cor_hwerr_class cls;
	/** 1-based line of the record's first line, and how many lines it spans. */
	uint32_t line;
	uint32_t nlines;
	/** Log timestamp in microseconds, when the line had "[ s.us]". */
	bool has_time;
	uint64_t time_us;
	/** Errors this record stands for (EDAC "N CE"; 1 otherwise). */
	uint64_t count;
	/** The component blamed: the key for per-component counts. */
	char component[128];
	/** One-line description. */
	char summary[COR_HWERR_TEXT];
	/** What it means and what to do (may be empty). */
	char advice[800];

	/* PCIe (AER lines, or a CPER PCIe section): the device "dddd:bb:dd.f". */
	char device[16];
	/** The port that received the error message ("... error message received from"). */
	char reporter[16];
	bool has_ids;
	uint16_t vendor_id;
	uint16_t device_id;
	/** AER status / mask registers; uncorrectable when !aer_correctable. */
	bool has_status;
	bool aer_correctable;
	uint32_t status;
	uint32_t mask;
	bool has_uncor_severity;
	uint32_t uncor_severity;
	/** First Error Pointer bit, -1 if not reported. */
	int first_error;
	/** "Physical Layer", ..., "Receiver ID", ... as the kernel printed them. */
	char layer[24];
	char agent[24];
	bool multiple;
	bool has_tlp;
	uint32_t tlp[4];
	/** A Downstream Port Containment event (dpc.c): status and trigger reason. */
	bool dpc;
	uint16_t dpc_status;
	char dpc_reason[32];

	/* NMI */
	enum cor_hwerr_nmi_kind nmi_kind;
	uint8_t nmi_reason;
	int32_t cpu;

	/* GHES / CPER */
	uint32_t ghes_seq;
	uint32_t ghes_source_id;
	/** From the extended error log (acpi_extlog.c): ghes_source_id is then the CPU. */
	bool extlog;
	enum cor_hwerr_section section;
	/** The CPER severity string ("corrected", "recoverable", "fatal", "info"). */
	char cper_severity[16];
	bool has_addr;
	uint64_t phys_addr;
	/** Memory location as printed ("node:0 card:0 module:1 ..."), SMBIOS DIMM name. */
	char mem_location[160];
	char dimm[64];
	/** CPER "fru_text" of the section, and the DMI handle of an unnamed DIMM. */
	char fru_text[24];
	char mem_dmi[16];
	/** Error type ("single-bit ECC", "cache error", ...). */
	char error_type[64];
	/** Set when a kernel panic line followed the record. */
	bool panicked;
};

/** Counts of one component. */
struct cor_hwerr_component {
	/**
	 * Points into the first record with this component: valid until the log's
	 * records change (the next parse or add, which re-summarize) or it is freed.
	 */
	const char *name;
	enum cor_hwerr_source source;
	uint64_t total;
	uint64_t by_class[COR_HWERR_NUM_CLASSES];
	uint32_t first_line;
	uint32_t last_line;
};

/** Settings and context the log reveals about hardware-error handling. */
struct cor_hwerr_context {
	/** unknown_nmi_panic / panic_on_unrecovered_nmi on the command line: -1 unknown, 0, 1. */
	int unknown_nmi_panic;
	int panic_on_unrecovered_nmi;
	/** The "Kernel panic - not syncing: ..." message, or "". */
	char panic[160];
	/** 1-based line of the panic message, 0 if none. */
	uint32_t panic_line;
};

/** A parsed log: records, then per-component counts (after summarize). */
struct cor_hwerr_log {
	/** struct cor_hwerr_record, in log order. */
	struct cor_vec records;
	/** struct cor_hwerr_component, most errors first (filled by cor_hwerr_summarize()). */
	struct cor_vec components;
	struct cor_hwerr_context ctx;
};

/** Initializes an empty log. */
void cor_hwerr_log_init(struct cor_hwerr_log *log);
/** Frees the vectors of @p log. */
void cor_hwerr_log_deinit(struct cor_hwerr_log *log);

/**
 * Parses kernel log text (dmesg, console, syslog/journal lines, `coroner
 * log` output; any of them may carry "[ s.us]" stamps and "<N>" levels) and
 * appends every hardware-error record of the sources in @p sources (a mask of
 * 1u << enum cor_hwerr_source) to @p log->records, then summarizes. @p log
 * must be initialized. Text without records is not an error.
 * Errors: NOMEM only.
 */
struct cor_error *cor_hwerr_parse_mem(const void *text, size_t len, unsigned sources,
				      struct cor_hwerr_log *log) COR_MUST_CHECK;

/** Appends a record built by the caller (e.g. a decoded machine check), then re-summarizes. */
struct cor_error *cor_hwerr_log_add(struct cor_hwerr_log *log,
				    const struct cor_hwerr_record *rec) COR_MUST_CHECK;

/** (Re)computes @p log->components from the records. Errors: NOMEM. */
struct cor_error *cor_hwerr_summarize(struct cor_hwerr_log *log) COR_MUST_CHECK;

/** "aer", "ghes", "nmi", "edac", "mce". */
const char *cor_hwerr_source_name(enum cor_hwerr_source src);
/** "corrected", "recoverable", "fatal", "info". */
const char *cor_hwerr_class_name(enum cor_hwerr_class cls);

/** One AER status bit, named per the PCIe Base Specification. */
struct cor_hwerr_aer_bit {
	uint8_t bit;
	/** The kernel's short name ("RxErr", "CmpltTO"), or "Unknown Error Bit". */
	const char *name;
	/** The specification's name and what it points at. */
	const char *meaning;
	/** Set in the mask register (the kernel does not print masked bits). */
	bool masked;
	/** Uncorrectable only: the severity register makes it fatal. */
	bool fatal;
	/** The First Error Pointer names this bit. */
	bool first;
};

/**
 * Decodes the set bits of an AER status register (correctable or
 * uncorrectable), bit by bit, into @p out (at most 32 entries); returns
 * how many. @p uncor_severity is used when @p have_severity.
 */
size_t cor_hwerr_aer_decode(bool correctable, uint32_t status, uint32_t mask, bool have_severity,
			    uint32_t uncor_severity, int first_error,
			    struct cor_hwerr_aer_bit out[32]);

/**
 * Explains a TLP header (the four Header Log dwords) in one line into @p out
 * (@p size bytes): format and type, requester, tag, address or completion.
 */
void cor_hwerr_tlp_explain(const uint32_t tlp[4], char *out, size_t size);

/**
 * Explains an NMI reason byte (I/O port 0x61, System Control Port B) bit by
 * bit into @p out: which error lines are asserted and what the others are.
 */
void cor_hwerr_nmi_reason_explain(uint8_t reason, char *out, size_t size);

enum {
	/** Text: add every record in detail (otherwise only the summary and fatal ones). */
	COR_HWERR_RENDER_VERBOSE = 1,
};

/** Appends a human report of @p log (summary per component, then records) to @p out. */
void cor_hwerr_render_text(const struct cor_hwerr_log *log, unsigned flags, struct cor_strbuf *out);
/** Appends @p log as one JSON object {"records":[...],"components":[...],...} to @p out. */
void cor_hwerr_render_json(const struct cor_hwerr_log *log, struct cor_strbuf *out);

#endif
