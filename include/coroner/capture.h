/* SPDX-License-Identifier: MIT */
/**
 * @file capture.h
 * `coroner capture`: makedumpfile's job. Classifies the pages of a dump
 * (an ELF vmcore such as /proc/vmcore or QEMU's, or a kdump-compressed
 * dump to re-filter) from the kernel's mem_map with makedumpfile's dump
 * levels, then writes a kdump-compressed (or flattened) dump through a
 * pipeline: readers/compressors on N threads, one ordered writer.
 */
#ifndef CORONER_CAPTURE_H
#define CORONER_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coroner/dump.h"
#include "coroner/dump_writer.h"
#include "coroner/error.h"

struct cor_program;

/** Dump level bits (makedumpfile.h DL_EXCLUDE_*). */
enum {
	COR_DL_ZERO = 1,
	COR_DL_CACHE = 2,
	COR_DL_CACHE_PRI = 4,
	COR_DL_USER = 8,
	COR_DL_FREE = 16,
	COR_DL_MAX = 31,
};

/** Why a page was left out. */
enum cor_page_class {
	COR_CLASS_ZERO,
	COR_CLASS_CACHE,
	COR_CLASS_CACHE_PRIVATE,
	COR_CLASS_USER,
	COR_CLASS_FREE,
	COR_CLASS_HWPOISON,
	COR_CLASS_OFFLINE,
	/** Not in the input (an ELF segment's p_filesz < p_memsz, or excluded there). */
	COR_CLASS_NODATA,
	/** The input could not be read: recorded, not fatal. */
	COR_CLASS_UNREADABLE,
	COR_CLASS_NUM,
};

/** Name of a page class ("zero", "cache", ...). */
const char *cor_page_class_name(enum cor_page_class c);

/**
 * The result of classification: the two bitmaps of a kdump-compressed dump
 * (bit = pfn, little-endian bit order). Caller-allocated; free with
 * cor_capture_filter_deinit().
 */
struct cor_capture_filter {
	uint64_t max_pfn;
	/** Pages that are RAM (in a range of the input). Owned. */
	uint8_t *bitmap1;
	/** Pages to dump (before zero-page exclusion, which happens while writing). Owned. */
	uint8_t *bitmap2;
	uint64_t ram_pages;
	uint64_t candidates;
	/** Pages left out, by class. */
	uint64_t excluded[COR_CLASS_NUM];
	/** Whether mem_map was walked (false at levels 0/1 without its layout). */
	bool memmap_walked;
	/** struct page entries that could not be read (their pages are kept). */
	uint64_t memmap_unreadable;
	/**
	 * At levels 0 and 1, why mem_map could not be walked (so hwpoison and
	 * offline pages were not looked for); NULL if it was. Owned.
	 */
	struct cor_error *walk_error;
};

/**
 * Classifies every page of @p prog's dump for @p dump_level (0..31) with
 * makedumpfile 1.7's rules (__exclude_unnecessary_pages): buddy pages via
 * PAGE_BUDDY_MAPCOUNT_VALUE and page.private (order); page cache (PG_lru,
 * or PG_swapcache with PG_swapbacked) not anonymous, private or not
 * (PG_private); anonymous (mapping & 1) and hugetlb (compound dtor) pages;
 * hwpoison and offline pages at every level. Compound pages are excluded
 * whole. UNSUPPORTED, naming the missing VMCOREINFO entries, if the level
 * needs mem_map and the dump does not describe it.
 */
struct cor_error *cor_capture_classify(struct cor_program *prog, int dump_level,
				       struct cor_capture_filter *ret) COR_MUST_CHECK;
/** Frees the bitmaps. */
void cor_capture_filter_deinit(struct cor_capture_filter *f);

/** Output format of a capture. */
enum cor_capture_format {
	COR_CAPTURE_KDUMP,     /**< kdump-compressed file */
	COR_CAPTURE_FLATTENED, /**< flattened stream (makedumpfile -F) */
	COR_CAPTURE_ELF,       /**< ELF vmcore (makedumpfile -E) */
};

/** Running totals of a capture, given to the progress callback and returned. */
struct cor_capture_stats {
	/** Pages to process (candidates) and processed so far. */
	uint64_t pages_total, pages_done;
	/** Pages stored in the output with their data, and those bytes. */
	uint64_t pages_written, bytes_written;
	/** Pages a reader finds in the finished dump (zero pages included). */
	uint64_t pages_in_dump;
	/** Input bytes read. */
	uint64_t bytes_read;
	/** Pages left out by class (filter + zero pages + unreadable). */
	uint64_t excluded[COR_CLASS_NUM];
	uint64_t ram_pages;
	/** First unreadable pfn (valid if excluded[COR_CLASS_UNREADABLE]). */
	uint64_t first_unreadable_pfn;
	/** Seconds since the start. */
	double elapsed;
	/** Output size in bytes (at the end). */
	uint64_t output_size;
	/** The dump is flagged incomplete (a write failed: disk full...). */
	bool incomplete;
	/** errno of the write failure, 0 if none. */
	int write_errno;
};

/** Options of cor_capture_write(). */
struct cor_capture_options {
	int dump_level;
	enum cor_codec codec;
	/** Compression level for zlib (1..9) and zstd (1..22, or -7..-1: its fast levels); 0:
	 * makedumpfile's (1). */
	int level;
	/** Compression threads (0: compress on the calling thread). */
	unsigned nthreads;
	enum cor_capture_format format;
	/** Pages per pipeline job (0: 512; at most 1024). */
	unsigned batch_pages;
	/** Read the input with pread, never map it (makedumpfile --non-mmap). */
	bool no_mmap;
	/** Called from the calling thread about 4 times a second, and once at the end. */
	void (*progress)(void *arg, const struct cor_capture_stats *stats);
	void *progress_arg;
};

/**
 * Writes the dump of @p prog, filtered by @p filter, to @p fd (a regular
 * file, or any fd for FLATTENED; ELF needs a regular file). On a write
 * error (ENOSPC...) of a kdump file, the dump written so far is finished
 * flagged incomplete and stats->incomplete is set: this returns NULL (a
 * valid dump exists). Errors: only when no valid dump could be written.
 */
struct cor_error *cor_capture_write(struct cor_program *prog,
				    const struct cor_capture_filter *filter,
				    const struct cor_capture_options *opt, int fd,
				    struct cor_capture_stats *stats) COR_MUST_CHECK;

/**
 * Per-thread page compressor (also used by tests). Create one per thread;
 * free with cor_compressor_destroy().
 */
struct cor_compressor;
struct cor_error *cor_compressor_create(enum cor_codec codec, int level, uint32_t page_size,
					struct cor_compressor **ret) COR_MUST_CHECK;
/**
 * Compresses one page into @p out (at least cor_compressor_bound() bytes).
 * Returns the compressed size, or 0 when the page does not shrink (store it
 * raw, as makedumpfile does).
 */
size_t cor_compressor_page(struct cor_compressor *c, const void *page, void *out);
/** Size of the output buffer cor_compressor_page() needs. */
size_t cor_compressor_bound(const struct cor_compressor *c);
void cor_compressor_destroy(struct cor_compressor *c);

#endif
