/* SPDX-License-Identifier: MIT */
/**
 * @file sysinfo.h
 * What crash's `sys` shows: release, version, CPUs, memory, crash time,
 * panic message, read from VMCOREINFO, the dump header and memory.
 */
#ifndef CORONER_SYSINFO_H
#define CORONER_SYSINFO_H

#include <stdbool.h>
#include <stddef.h>
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
	/**
	 * Crash time (seconds since the epoch): VMCOREINFO CRASHTIME, else (a dump
	 * taken without the kernel's help, e.g. QEMU's) the timekeeper's
	 * tk_core.timekeeper.xtime_sec, as crash does; 0 if unknown.
	 */
	uint64_t crash_time;
	/** Whether crash_time came from the timekeeper rather than VMCOREINFO. */
	bool crash_time_from_xtime;
	/** Uptime in seconds: (jiffies_64 - INITIAL_JIFFIES) / HZ; valid if has_uptime. */
	uint64_t uptime_sec;
	bool has_uptime;
	/** HZ, derived from tick_nsec (kernel/time/ntp.c: NSEC_PER_SEC / HZ); 0 if unknown. */
	unsigned hz;
	/** avenrun[3]: load averages in fixed point, FSHIFT 11 (include/linux/sched/loadavg.h). */
	uint64_t avenrun[3];
	bool has_loadavg;
	/** CPU speed: cpu_khz / 1000, truncated as crash does; 0 if unknown. */
	unsigned cpu_mhz;
	/** tainted_mask (kernel/panic.c): TAINT_* bits; valid if has_tainted. */
	uint64_t tainted_mask;
	bool has_tainted;
	/** Memory size in bytes (sum of the nodes' spanned pages); 0 if unknown. */
	uint64_t memory_bytes;
	/** The "Kernel panic - not syncing: ..." message without the timestamp, or "". */
	char panic[256];
};

/**
 * Fills *@p ret from @p prog. Facts that cannot be read are left empty or
 * zero; only allocation failure is an error.
 */
struct cor_error *cor_sysinfo_get(struct cor_program *prog, struct cor_sysinfo *ret) COR_MUST_CHECK;

/**
 * Formats load averages as crash's sys does ("0.08, 0.02, 0.01": each
 * rounded by adding FIXED_1/200, as the kernel's /proc/loadavg does).
 */
void cor_sysinfo_format_loadavg(const uint64_t avenrun[3], char *buf, size_t size);
/** Formats an uptime as crash does: "HH:MM:SS", or "N days, HH:MM:SS". */
void cor_sysinfo_format_uptime(uint64_t seconds, char *buf, size_t size);

/**
 * Finds the panic message in a kernel log text (as cor_log_format() prints
 * it): the last "Kernel panic - not syncing: " line, without its timestamp,
 * copied into @p buf (size @p size). False if there is none.
 */
bool cor_sysinfo_panic_from_log(const char *log, char *buf, size_t size);

#endif
