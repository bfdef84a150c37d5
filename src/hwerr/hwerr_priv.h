/* SPDX-License-Identifier: MIT */
/* Internal interface of src/hwerr/: the line splitter hands each log line to
 * one handler per source; handlers keep their state in struct hw_parser. */
#ifndef CORONER_HWERR_PRIV_H
#define CORONER_HWERR_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coroner/hwerr.h"

/* A log line with its prefixes removed. Not NUL-terminated: [msg, msg+len). */
struct hw_line {
	const char *msg;
	size_t len;
	uint32_t lineno;
	bool has_time;
	uint64_t time_us;
};

/* How far (in lines) a continuation line may be from its record's header. */
#define HW_NEAR_LINES 64

struct hw_parser {
	struct cor_hwerr_log *log;
	unsigned sources;
	/* The AER record being filled (index into log->records), or -1. */
	long aer_open;
	/* The GHES block being read: its {seq}, source id, event severity. */
	bool ghes_in_block;
	uint32_t ghes_seq;
	uint32_t ghes_source;
	bool ghes_extlog;
	char ghes_event_sev[16];
	/* Placeholder record of the block (before its first section), or -1. */
	long ghes_block_rec;
	/* The current GHES section record, or -1; sections seen in the block. */
	long ghes_sec;
	uint32_t ghes_nsections;
	/* The last NMI record, or -1. */
	long nmi_last;
};

/* Returns the record at @i. */
static inline struct cor_hwerr_record *hw_rec(struct hw_parser *p, long i)
{
	return cor_vec_at(&p->log->records, (size_t)i);
}

/* Appends a zeroed record of @src started by line @l; its index in *idx. */
struct cor_error *hw_new_record(struct hw_parser *p, enum cor_hwerr_source src,
				const struct hw_line *l, long *idx) COR_MUST_CHECK;
/* Extends record @r to cover line @l. */
void hw_touch(struct cor_hwerr_record *r, const struct hw_line *l);

/* ---- small text helpers over non-terminated spans ---- */

/* Finds @needle in [s, s+len); NULL if absent. */
const char *hw_find(const char *s, size_t len, const char *needle);
/* True if [s, s+len) starts with @prefix. */
bool hw_starts(const char *s, size_t len, const char *prefix);
/* Parses hex digits at *s (at most @max, stops at end); advances. False if none. */
bool hw_hex(const char **s, const char *end, unsigned max, uint64_t *ret);
/* Parses decimal digits at *s; advances. False if none. */
bool hw_dec(const char **s, const char *end, uint64_t *ret);
/* Skips blanks. */
void hw_skip_blanks(const char **s, const char *end);
/* Copies [s, s+n) into dst (size @size), NUL-terminated, trailing blanks removed. */
void hw_copy(char *dst, size_t size, const char *s, size_t n);
/* Parses a PCI address "dddd:bb:dd.f" (or "bb:dd.f") at *s into out[16]; advances. */
bool hw_bdf(const char **s, const char *end, char out[16]);
/* Finds "<driver> <bdf>: " in a line: the device into dev, the rest (after an optional
 * "AER: ") into *rest / *rest_len. False if the line has no such prefix. */
bool hw_device_line(const struct hw_line *l, char dev[16], const char **rest, size_t *rest_len);

/* ---- handlers: each returns NULL, or NOMEM ---- */
struct cor_error *hw_aer_line(struct hw_parser *p, const struct hw_line *l) COR_MUST_CHECK;
struct cor_error *hw_ghes_line(struct hw_parser *p, const struct hw_line *l) COR_MUST_CHECK;
struct cor_error *hw_nmi_line(struct hw_parser *p, const struct hw_line *l) COR_MUST_CHECK;
struct cor_error *hw_edac_line(struct hw_parser *p, const struct hw_line *l) COR_MUST_CHECK;

/* After parsing: classification, components and advice of each record. */
void hw_aer_finish(struct cor_hwerr_record *r);
void hw_ghes_finish(struct cor_hwerr_record *r);
void hw_nmi_finish(const struct cor_hwerr_context *ctx, struct cor_hwerr_record *r);

#endif
