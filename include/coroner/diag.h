/* SPDX-License-Identifier: MIT */
/**
 * @file diag.h
 * The diagnosis engine: from a loaded dump to the cause of the crash, with
 * its evidence (findings), a verdict and a signature stable across dumps of
 * one bug. Renderers produce text for people and JSON for machines (schema:
 * docs/report-schema.json).
 */
#ifndef CORONER_DIAG_H
#define CORONER_DIAG_H

#include <stdbool.h>
#include <stdint.h>

#include "coroner/base.h"
#include "coroner/error.h"

struct cor_program;

/** Software bug, hardware suspect, or not enough evidence. */
enum cor_verdict {
	COR_VERDICT_UNDETERMINED,
	COR_VERDICT_SOFTWARE,
	COR_VERDICT_HARDWARE,
};

enum cor_severity {
	COR_SEV_INFO,
	COR_SEV_WARNING,
	COR_SEV_CRITICAL,
};

/** A key/value fact of a finding (both owned by the finding). */
struct cor_fact {
	char *key;
	char *value;
};

/** One conclusion of one rule, with the evidence behind it. */
struct cor_finding {
	/** Rule name: "panic", "lockup", "spin-loop", "seqcount", "spinlock", ... */
	char *rule;
	enum cor_severity severity;
	/** The conclusion in one sentence. */
	char *title;
	/** Evidence lines (char *): quoted log lines, registers, memory, instructions. */
	struct cor_vec evidence;
	/** struct cor_fact, for machines. */
	struct cor_vec facts;
};

/** A diagnosis. All strings owned by the report. */
struct cor_report {
	char *dump_path;
	char *dump_format;
	char *release;
	/** "hard lockup", "soft lockup", "lockup", "hung task", "oops", "stack overflow",
	 *  "machine check", "sysrq", "panic", "out of memory", "no crash" */
	char *crash_class;
	/** What stopped the machine / took the dump ("NMI unknown reason 0x21 on CPU 0", ...). */
	char *trigger;
	char *panic_message;
	int panic_cpu;
	int panic_pid;
	char *panic_comm;
	/** The cause, in a few sentences. */
	char *summary;
	enum cor_verdict verdict;
	/** 0..100 */
	int confidence;
	/** struct cor_finding */
	struct cor_vec findings;
	/** "<class>-<16 hex digits>" */
	char *signature;
	/** The normalized text the signature hashes. */
	char *signature_basis;
};

/**
 * Diagnoses the dump loaded in @p prog. *ret is a new report (free with
 * cor_report_destroy()). Facts that cannot be read become findings saying
 * so; only allocation failure and an unreadable log are errors.
 */
struct cor_error *cor_diag_run(struct cor_program *prog, const char *dump_path,
			       struct cor_report **ret) COR_MUST_CHECK;
/** Frees @p rep; NULL does nothing. */
void cor_report_destroy(struct cor_report *rep);
/** Appends the report for people to @p out. */
struct cor_error *cor_report_render_text(const struct cor_report *rep,
					 struct cor_strbuf *out) COR_MUST_CHECK;
/** Appends the report as one JSON object (no newline) to @p out. */
struct cor_error *cor_report_render_json(const struct cor_report *rep,
					 struct cor_strbuf *out) COR_MUST_CHECK;
/** "software bug", "hardware suspect", "undetermined". */
const char *cor_verdict_name(enum cor_verdict v);

#endif
