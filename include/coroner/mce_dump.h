/* SPDX-License-Identifier: MIT */
/**
 * @file mce_dump.h
 * Machine-check records a dump still holds in memory: the per-cpu mces_seen
 * (arch/x86/kernel/cpu/mce/core.c), with the layout of struct mce from the
 * dump's types, and their merge with the records of the kernel log.
 */
#ifndef CORONER_MCE_DUMP_H
#define CORONER_MCE_DUMP_H

#include "coroner/base.h"
#include "coroner/error.h"

struct cor_program;

/**
 * Appends the non-empty mces_seen record of every possible CPU of @p prog to
 * @p out (elem_size sizeof(struct cor_mce_record)). A CPU whose per-cpu page
 * is not in the dump is skipped. Errors: NOT_FOUND without the symbols or the
 * struct mce type.
 */
struct cor_error *cor_program_mce_records(struct cor_program *prog,
					  struct cor_vec *out) COR_MUST_CHECK;
/**
 * Merges the memory records @p mem into the log's records @p recs: registers
 * the log omits (MCG_CAP, RIP, IPID, ...) are added to the matching record, a
 * valid record the log lacks is appended. One line per memory record in @p notes.
 */
struct cor_error *cor_mce_merge_memory(struct cor_vec *recs, const struct cor_vec *mem,
				       struct cor_strbuf *notes) COR_MUST_CHECK;

#endif
