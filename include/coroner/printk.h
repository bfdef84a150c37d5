/* SPDX-License-Identifier: MIT */
/**
 * @file printk.h
 * The kernel log of a dump: the lockless printk ring buffer (Linux 5.10+,
 * layout from VMCOREINFO) or the legacy log_buf.
 */
#ifndef CORONER_PRINTK_H
#define CORONER_PRINTK_H

#include "coroner/base.h"

struct cor_program;

enum {
	/** Prefix each line with "[seconds.micros] " (as dmesg / crash log). */
	COR_LOG_TIMESTAMPS = 1,
	/** Prefix "<level>" as crash's log -m. */
	COR_LOG_LEVEL = 2,
};

/**
 * Appends the kernel log of @p prog to @p out, one record per line, in the
 * format of `makedumpfile --dump-dmesg` / `crash log` (flags COR_LOG_*).
 */
struct cor_error *cor_log_format(struct cor_program *prog, unsigned flags,
				 struct cor_strbuf *out) COR_MUST_CHECK;

#endif
