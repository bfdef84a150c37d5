/* SPDX-License-Identifier: MIT */
/*
 * Internal interface between the files of src/mce/ (not installed, not
 * part of the library API). See include/coroner/mce.h.
 */
#ifndef CORONER_MCE_PRIV_H
#define CORONER_MCE_PRIV_H

#include "coroner/mce.h"

/* Bits [lo, hi] of v. */
static inline uint64_t mce_bits(uint64_t v, unsigned lo, unsigned hi)
{
	unsigned w = hi - lo + 1;
	return w >= 64 ? v >> lo : (v >> lo) & ((UINT64_C(1) << w) - 1);
}

static inline bool mce_bit(uint64_t v, unsigned bit)
{
	return (v >> bit) & 1;
}

/* Appends a field (silently dropped past COR_MCE_MAX_FIELDS). */
void mce_add_field(struct cor_mce_decoded *d, enum cor_mce_reg reg, unsigned lo, unsigned hi,
		   const char *name, const char *fmt, ...) COR_PRINTF(6, 7);
/* Appends a note (dropped past COR_MCE_MAX_NOTES). */
void mce_add_note(struct cor_mce_decoded *d, const char *fmt, ...) COR_PRINTF(2, 3);
/* snprintf into a fixed buffer, appending (never overflows). */
void mce_appendf(char *buf, size_t size, const char *fmt, ...) COR_PRINTF(3, 4);

/* mce_code.c: MCi_STATUS[15:0] (form, fields, error_class, component). */
void mce_decode_mcacod(struct cor_mce_decoded *d);

/* mce_intel.c: Intel model names, SER support, and MSCOD tables. */
const char *mce_intel_model_name(uint32_t family, uint32_t model);
bool mce_intel_model_has_ser(uint32_t family, uint32_t model);
void mce_intel_model_decode(struct cor_mce_decoded *d);

/* mce_amd.c: AMD bank / extended error code decode and AMD-only status bits. */
const char *mce_amd_family_name(uint32_t family);
void mce_amd_status_bits(struct cor_mce_decoded *d);
void mce_amd_decode(struct cor_mce_decoded *d);

/* mce_decode.c: whether MCi_STATUS bits 56:55 are S/AR (IA32_MCG_CAP[24] MCG_SER_P);
 * *assumed set when MCG_CAP is unknown and the answer is inferred. */
bool mce_has_ser(const struct cor_mce_record *rec, bool *assumed);

/* mce_severity.c: the kernel's grading. */
void mce_grade(struct cor_mce_decoded *d);

#endif
