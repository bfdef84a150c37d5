/* SPDX-License-Identifier: MIT */
/**
 * @file kdump_check.h
 * Can this machine take a crash dump? Reads /proc, /sys and the kdump
 * configuration (Debian kdump-tools, RHEL kexec-tools, SUSE kdump) under a
 * root directory ("/" on a live system, a fake tree in tests) and checks:
 * the crashkernel= reservation and whether it is big enough (with the
 * estimate explained), whether a capture kernel is loaded, the watchdog and
 * panic settings, and the dump target's free space against the expected
 * dump size. Never modifies anything.
 *
 * Ownership: struct cor_kdump_report owns its findings vector; free it with
 * cor_kdump_report_deinit(). Strings are fixed arrays; `id` points to a
 * static string.
 */
#ifndef CORONER_KDUMP_CHECK_H
#define CORONER_KDUMP_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "coroner/base.h"
#include "coroner/error.h"

enum cor_kdump_status {
	COR_KDUMP_OK,
	/** Advisable change (a policy choice the admin may have made on purpose). */
	COR_KDUMP_INFO,
	/** Will likely lose a dump in some failures. */
	COR_KDUMP_WARN,
	/** No dump will be taken, or it will not fit. */
	COR_KDUMP_FAIL,
	/** Could not be read (permissions, missing files): said why. */
	COR_KDUMP_UNKNOWN,
};

/** One finding, with the exact fix when there is one. */
struct cor_kdump_finding {
	/** Stable identifier, e.g. "reservation", "watchdog.hardlockup_panic" (static). */
	const char *id;
	enum cor_kdump_status status;
	char title[160];
	char detail[900];
	char fix[400];
};

/** The estimate of the memory a capture kernel needs, term by term (bytes). */
struct cor_kdump_estimate {
	uint64_t kernel;
	uint64_t cpus;
	uint64_t initramfs;
	uint64_t dump_tool;
	uint64_t margin;
	uint64_t total;
};

/** What was read; -1 / false when a value could not be read. */
struct cor_kdump_facts {
	/** /proc/meminfo, bytes. */
	bool have_meminfo;
	uint64_t mem_total, mem_free, buffers, cached, shmem, anon;
	/** /sys/devices/system/cpu/possible (else /proc/cpuinfo). */
	int cpus;
	/** /sys/kernel/kexec_crash_size, bytes. */
	bool have_crash_size;
	uint64_t crash_size;
	/** Sum of the "Crash kernel" ranges of /proc/iomem. */
	bool have_iomem;
	bool iomem_hidden;
	uint64_t iomem_crash;
	/** /sys/kernel/kexec_crash_loaded: -1 unknown, 0, 1. */
	int crash_loaded;
	/** The crashkernel= value of /proc/cmdline, "" if none. */
	char crashkernel[128];
	/** kernel.* sysctls (/proc/sys/kernel/...), -1 if unreadable. */
	int nmi_watchdog, watchdog_thresh, softlockup_panic, hardlockup_panic, hung_task_panic,
	    unknown_nmi_panic, panic_on_oops;
	/** Kernel release (/proc/sys/kernel/osrelease). */
	char release[128];
	/** The kdump configuration file found ("" if none) and what it sets. */
	char config[256];
	char coredir[256];
	bool remote_target;
	char dump_args[256];
	int dump_level;
	bool compressed;
	int capture_cpus;
	/** The capture initramfs ("" if not found) and its size. */
	char initramfs[256];
	uint64_t initramfs_size;
	/** statvfs() of the dump directory (or its closest existing parent). */
	bool have_target;
	char target_path[512];
	uint64_t target_free;
	/** Expected dump size for dump_level: pages kept, and after compression. */
	uint64_t dump_kept;
	uint64_t dump_expected;
	struct cor_kdump_estimate estimate;
};

/** The result of a check. */
struct cor_kdump_report {
	char root[256];
	struct cor_kdump_facts facts;
	/** struct cor_kdump_finding, in check order. */
	struct cor_vec findings;
};

/**
 * Runs every check against the tree under @p root ("/" for this machine)
 * into *@p ret (initialized here; free with cor_kdump_report_deinit()).
 * Unreadable files become UNKNOWN findings, not errors. Errors: NOMEM, or
 * INVALID when @p root is not a directory.
 */
struct cor_error *cor_kdump_check_run(const char *root,
				      struct cor_kdump_report *ret) COR_MUST_CHECK;
/** Frees the findings of @p rep. */
void cor_kdump_report_deinit(struct cor_kdump_report *rep);

/**
 * Parses a crashkernel= value (kernel/crash_core.c parse_crashkernel():
 * "SIZE[@OFFSET]", "RANGE:SIZE[,RANGE:SIZE...][@OFFSET]", "SIZE,high|low")
 * and returns in *ret the size reserved on a machine with @p system_ram
 * bytes (0 when no range matches). Errors: INVALID ("auto" included, which
 * only RHEL/CentOS 7-8 kernels understand).
 */
struct cor_error *cor_kdump_crashkernel_size(const char *value, uint64_t system_ram,
					     uint64_t *ret) COR_MUST_CHECK;

/**
 * Sums the "Crash kernel" ranges of /proc/iomem text into *size_ret; sets
 * *hidden_ret when the ranges are shown as zeros (read without root).
 */
void cor_kdump_parse_iomem_mem(const void *text, size_t len, uint64_t *size_ret, bool *hidden_ret);

/** Computes the capture-kernel memory estimate from @p f (see docs/kdump-check.md). */
void cor_kdump_estimate(const struct cor_kdump_facts *f, struct cor_kdump_estimate *ret);

/** "ok", "info", "warn", "FAIL", "unknown". */
const char *cor_kdump_status_name(enum cor_kdump_status st);

/** Appends a human report to @p out. */
void cor_kdump_render_text(const struct cor_kdump_report *rep, struct cor_strbuf *out);
/** Appends one JSON object {"root":...,"facts":{...},"findings":[...]} to @p out. */
void cor_kdump_render_json(const struct cor_kdump_report *rep, struct cor_strbuf *out);

#endif
