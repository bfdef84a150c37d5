/* SPDX-License-Identifier: MIT */
/**
 * @file program.h
 * A loaded crash dump: the dump file, address translation, and (later)
 * symbols and types, behind one object. Everything in src/kernel/ and above
 * takes a `struct cor_program *`.
 */
#ifndef CORONER_PROGRAM_H
#define CORONER_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coroner/base.h"
#include "coroner/error.h"

struct cor_program;
struct cor_dump;
struct cor_mem;

/**
 * Opens the dump at @p dump_path (any supported format), with an optional
 * @p vmlinux (NULL: use only what the dump holds). On success *ret is a new
 * program that the caller frees with cor_program_destroy().
 */
struct cor_error *cor_program_open(const char *dump_path, const char *vmlinux,
				   struct cor_program **ret) COR_MUST_CHECK;
/** Frees @p prog; NULL does nothing. */
void cor_program_destroy(struct cor_program *prog);

/** The dump (borrowed, valid until the program is destroyed). */
struct cor_dump *cor_program_dump(const struct cor_program *prog);
/** The address translation state (borrowed, valid until the program is destroyed). */
struct cor_mem *cor_program_mem(const struct cor_program *prog);

/** Reads @p len bytes of kernel virtual memory at @p addr. FAULT / EXCLUDED on failure. */
struct cor_error *cor_program_read(struct cor_program *prog, uint64_t addr, void *buf,
				   size_t len) COR_MUST_CHECK;
/** Reads a little-endian 64/32-bit value of kernel virtual memory. */
struct cor_error *cor_program_read_u64(struct cor_program *prog, uint64_t addr,
				       uint64_t *ret) COR_MUST_CHECK;
struct cor_error *cor_program_read_u32(struct cor_program *prog, uint64_t addr,
				       uint32_t *ret) COR_MUST_CHECK;
/** Reads physical memory. */
struct cor_error *cor_program_read_phys(struct cor_program *prog, uint64_t paddr, void *buf,
					size_t len) COR_MUST_CHECK;

/**
 * VMCOREINFO lookup: the value of "KEY=value" (e.g. "OSRELEASE",
 * "SYMBOL(prb)", "OFFSET(printk_info.seq)"), borrowed until the program is
 * destroyed, or NULL if absent.
 */
const char *cor_program_vmcoreinfo(const struct cor_program *prog, const char *key);
/** Numeric VMCOREINFO value (hex for SYMBOL()/KERNELOFFSET, decimal otherwise). */
bool cor_program_vmcoreinfo_u64(const struct cor_program *prog, const char *key, uint64_t *ret);

#endif
