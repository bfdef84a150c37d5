/* SPDX-License-Identifier: MIT */
/**
 * @file dump_writer.h
 * Writers of dump files: makedumpfile's kdump-compressed format (header
 * version 6), as a regular file or as the flattened stream of `-F`; the
 * rearrangement of a flattened stream back into a file (`-R`); ELF vmcores
 * (`-E`). The layouts are those read by src/dump/ (makedumpfile 1.7
 * diskdump_mod.h and makedumpfile.h).
 *
 * A writer never prints. Output is buffered: data reaches the file in large
 * writes, never one system call per page.
 */
#ifndef CORONER_DUMP_WRITER_H
#define CORONER_DUMP_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coroner/dump.h"
#include "coroner/error.h"

/* ---- output sink ------------------------------------------------------- */

/**
 * Where a dump goes: a regular file written with pwrite(), or a flattened
 * stream (records {offset, size, data}) written sequentially to a pipe or
 * terminal-less stdout. Caller-allocated; cor_dump_sink_init_*() then
 * cor_dump_sink_deinit(). The sink does not own the fd.
 */
struct cor_dump_sink {
	int fd;
	bool flattened;
	/** Bytes written so far (stream position for flattened output). */
	uint64_t bytes_out;
	/** errno of the first failed write, 0 if none. */
	int write_errno;
};

/** A sink writing at file offsets of @p fd (a regular file). */
void cor_dump_sink_init_file(struct cor_dump_sink *sink, int fd);
/**
 * A sink writing the flattened format to @p fd: writes makedumpfile's 4 KiB
 * flattened header now. OS error if that write fails.
 */
struct cor_error *cor_dump_sink_init_flat(struct cor_dump_sink *sink, int fd) COR_MUST_CHECK;
/**
 * Writes @p len bytes at logical offset @p off. On an error (ENOSPC, EIO,
 * EPIPE) returns an OS error; *@p done_ret (if non-NULL) gets how many
 * leading bytes did reach the file.
 */
struct cor_error *cor_dump_sink_write(struct cor_dump_sink *sink, uint64_t off, const void *buf,
				      size_t len, size_t *done_ret) COR_MUST_CHECK;
/** Ends a flattened stream (the {-1, -1} end record); nothing for a file. */
struct cor_error *cor_dump_sink_finish(struct cor_dump_sink *sink) COR_MUST_CHECK;

/**
 * Reads a flattened stream from @p in_fd (a pipe is fine) and writes the
 * kdump-compressed file it describes to @p out_fd (makedumpfile -R).
 * CORRUPT for a bad header or record; TRUNCATED if the stream ends without
 * its end record (what came is written).
 */
struct cor_error *cor_flat_rearrange(int in_fd, int out_fd) COR_MUST_CHECK;

/* ---- kdump-compressed writer ------------------------------------------ */

/** What goes into the headers of a kdump-compressed dump. */
struct cor_kdump_writer_config {
	/** Page (and block) size: 4096 on x86-64. */
	uint32_t page_size;
	/** One more than the highest pfn. */
	uint64_t max_mapnr;
	/** struct new_utsname fields (64 chars max each, NUL-terminated). */
	const char *sysname, *nodename, *release, *version, *machine, *domainname;
	/** Crash time (seconds since the epoch), 0 if unknown. */
	uint64_t timestamp;
	/** Codec used for every page (COR_CODEC_*; pages that do not shrink are stored raw). */
	enum cor_codec codec;
	int32_t dump_level;
	uint64_t phys_base;
	uint32_t nr_cpus;
	/** VMCOREINFO text and ELF notes (borrowed during cor_kdump_writer_create()). */
	const char *vmcoreinfo;
	size_t vmcoreinfo_len;
	const void *notes;
	size_t notes_len;
	/**
	 * The 1st bitmap (RAM pages) and the initial 2nd bitmap (pages that may be
	 * dumped), (max_mapnr + 7) / 8 bytes each, copied. The 2nd bitmap
	 * never changes afterwards: a page's descriptor slot is its rank in it.
	 */
	const uint8_t *bitmap1, *bitmap2;
	/** Size of the in-memory output buffer (0: 4 MiB). */
	size_t buffer_size;
};

struct cor_kdump_writer;

/**
 * Starts a kdump-compressed dump on @p sink (borrowed: it must outlive the
 * writer). Writes nothing yet for a file; for a regular file it reserves the
 * space of the headers, bitmaps and page descriptors (so that a later "disk
 * full" can still be recorded in them). Free with cor_kdump_writer_destroy().
 */
struct cor_error *cor_kdump_writer_create(const struct cor_kdump_writer_config *cfg,
					  struct cor_dump_sink *sink,
					  struct cor_kdump_writer **ret) COR_MUST_CHECK;
/**
 * Appends page @p pfn (which must be in the 2nd bitmap; pages come in any
 * order, each at most once): @p data of @p size bytes, compressed with the
 * configured codec (@p compressed true) or raw (a whole page).
 * After a write error the writer stops storing pages and returns that
 * error once; cor_kdump_writer_finish() then writes a dump flagged
 * incomplete.
 */
struct cor_error *cor_kdump_writer_add(struct cor_kdump_writer *w, uint64_t pfn, const void *data,
				       uint32_t size, bool compressed) COR_MUST_CHECK;
/**
 * Appends @p n pages at once whose data lie back to back in @p data (page i:
 * @p sizes[i] bytes, compressed or raw as @p compressed[i] says), written
 * straight from @p data (borrowed for the call; no copy). n <= 1024 always
 * fits (the descriptor buffer holds at least 1024 entries).
 * Same rules and error behaviour as cor_kdump_writer_add().
 */
struct cor_error *cor_kdump_writer_add_packed(struct cor_kdump_writer *w, size_t n,
					      const uint64_t *pfns, const uint32_t *sizes,
					      const bool *compressed,
					      const void *data) COR_MUST_CHECK;
/**
 * Records page @p pfn as a zero page: its descriptor points to the one zero
 * page stored at the start of the data (as makedumpfile does). Same rules
 * and error behaviour as cor_kdump_writer_add().
 */
struct cor_error *cor_kdump_writer_add_zero(struct cor_kdump_writer *w,
					    uint64_t pfn) COR_MUST_CHECK;
/**
 * Gives up page @p pfn (it cannot be read): it keeps an empty descriptor,
 * which readers take as missing, and the dump is flagged incomplete.
 */
void cor_kdump_writer_skip(struct cor_kdump_writer *w, uint64_t pfn);
/**
 * Writes the buffered pages, the page descriptors, the bitmaps and the
 * header (flagged incomplete after a write error, a skipped page, or if
 * @p incomplete; pages never given then read as missing).
 * *@p incomplete_ret (may be NULL) tells whether the dump is incomplete.
 * Error if even the headers cannot be written (no valid dump).
 */
struct cor_error *cor_kdump_writer_finish(struct cor_kdump_writer *w, bool incomplete,
					  bool *incomplete_ret) COR_MUST_CHECK;
/** Bytes of page data written so far. */
uint64_t cor_kdump_writer_data_bytes(const struct cor_kdump_writer *w);
/** Pages with data stored so far (zero pages not counted). */
uint64_t cor_kdump_writer_pages(const struct cor_kdump_writer *w);
/**
 * Pages (zero pages included) whose descriptors reached the file: after
 * cor_kdump_writer_finish(), the pages a reader finds in the dump.
 */
uint64_t cor_kdump_writer_pages_on_disk(const struct cor_kdump_writer *w);
/** Frees @p w (not the sink); NULL does nothing. */
void cor_kdump_writer_destroy(struct cor_kdump_writer *w);

/* ---- ELF writer ------------------------------------------------------- */

/**
 * Writes an ELF64 vmcore of @p dump to @p fd (a regular file): the notes of
 * @p dump (VMCOREINFO included) in a PT_NOTE, and for each of its ranges
 * PT_LOADs holding the pages set in @p keep ((@p max_pfn+7)/8 bytes; pages
 * at or past @p max_pfn count as dropped): a run of
 * kept pages followed by a run of dropped ones is one PT_LOAD whose
 * p_filesz stops at the dropped pages, as makedumpfile -E writes them.
 * @p direct_map_base (0 if unknown) sets p_vaddr = base + paddr.
 * Pages that cannot be read are written as zeros and counted in
 * *@p unreadable_ret.
 */
struct cor_error *cor_elf_write(struct cor_dump *dump, const uint8_t *keep, uint64_t max_pfn,
				uint64_t direct_map_base, int fd,
				uint64_t *unreadable_ret) COR_MUST_CHECK;

#endif
