/* SPDX-License-Identifier: MIT */
/**
 * @file progress.h
 * Progress lines for long jobs (the CLI prints them; the library only
 * formats): percent, throughput, time left.
 */
#ifndef CORONER_PROGRESS_H
#define CORONER_PROGRESS_H

#include <stdint.h>

#include "coroner/base.h"

/**
 * Appends "[ 45.2%] 812.3 MB/s, 0:03 left" (or ", 1:02 elapsed" once done)
 * to @p out: @p done of @p total units, @p bytes processed in @p elapsed
 * seconds. A zero @p total counts as done.
 */
void cor_progress_format(struct cor_strbuf *out, uint64_t done, uint64_t total, uint64_t bytes,
			 double elapsed);
/** Appends a byte count as "12.3 MiB" (B, KiB, MiB, GiB, TiB). */
void cor_format_bytes(struct cor_strbuf *out, uint64_t bytes);
/** Seconds on the monotonic clock (for elapsed times). */
double cor_monotonic_seconds(void);

#endif
