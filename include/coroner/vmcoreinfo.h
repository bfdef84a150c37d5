/* SPDX-License-Identifier: MIT */
/**
 * @file vmcoreinfo.h
 * The VMCOREINFO note: "KEY=value" lines the kernel exports for dump tools
 * (kernel/crash_core.c, arch/x86/kernel/crash_core_64.c).
 */
#ifndef CORONER_VMCOREINFO_H
#define CORONER_VMCOREINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coroner/base.h"

/** Parsed VMCOREINFO. Owns a copy of the text. */
struct cor_vmcoreinfo {
	char *text;
	struct cor_hmap map; /* key -> (uintptr_t) value string */
};

/**
 * Parses @p len bytes of VMCOREINFO text (need not be NUL-terminated) into
 * *@p ret (caller-allocated; free with cor_vmcoreinfo_deinit()). Lines
 * without '=' are ignored; CORRUPT if no line parses at all.
 */
struct cor_error *cor_vmcoreinfo_parse_mem(const char *text, size_t len,
					   struct cor_vmcoreinfo *ret) COR_MUST_CHECK;
/** Frees the parsed data. */
void cor_vmcoreinfo_deinit(struct cor_vmcoreinfo *vi);
/** The value string for @p key (e.g. "OSRELEASE", "SYMBOL(prb)"), or NULL. */
const char *cor_vmcoreinfo_get(const struct cor_vmcoreinfo *vi, const char *key);
/**
 * The numeric value of @p key: hexadecimal for SYMBOL(...) and KERNELOFFSET
 * (as the kernel prints them), decimal (possibly negative, returned as two's
 * complement) otherwise. False if absent or not a number.
 */
bool cor_vmcoreinfo_u64(const struct cor_vmcoreinfo *vi, const char *key, uint64_t *ret);

#endif
