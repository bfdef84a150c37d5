/* SPDX-License-Identifier: MIT */
/**
 * @file sysinfo.h
 * What crash's `sys` shows: release, version, CPUs, memory, crash time,
 * panic message, read from VMCOREINFO, the dump header and memory.
 */
#ifndef CORONER_SYSINFO_H
#define CORONER_SYSINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "coroner/error.h"

struct cor_program;

/** System facts. Strings are NUL-terminated copies; empty when unknown. */
struct cor_sysinfo {
	char release[66];
	char version[66];
	char machine[66];
	char nodename[66];
	/** CPUs: from the dump header or CPU notes; 0 if unknown. */
	unsigned cpus;
	/** Crash time (seconds since the epoch, VMCOREINFO CRASHTIME); 0 if unknown. */
	uint64_t crash_time;
	/** Memory size in bytes (sum of the nodes' spanned pages); 0 if unknown. */
	uint64_t memory_bytes;
	/** The "Kernel panic - not syncing: ..." message without the timestamp, or "". */
	char panic[256];
};

/**
 * Fills *@p ret from @p prog. Facts that cannot be read are left empty or
 * zero; only allocation failure is an error.
 */
struct cor_error *cor_sysinfo_get(struct cor_program *prog, struct cor_sysinfo *ret)
	COR_MUST_CHECK;

/**
 * Finds the panic message in a kernel log text (as cor_log_format() prints
 * it): the last "Kernel panic - not syncing: " line, without its timestamp,
 * copied into @p buf (size @p size). False if there is none.
 */
bool cor_sysinfo_panic_from_log(const char *log, char *buf, size_t size);

#endif
