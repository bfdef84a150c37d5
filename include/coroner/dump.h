/* SPDX-License-Identifier: MIT */
/**
 * @file dump.h
 * Crash dump files: ELF vmcores (/proc/vmcore, makedumpfile -E, QEMU
 * dump-guest-memory), makedumpfile's kdump-compressed format (zlib, lzo,
 * snappy, zstd; incomplete dumps) and its flattened format (-F). One ops
 * table per format behind this interface; reads physical memory by page.
 */
#ifndef CORONER_DUMP_H
#define CORONER_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coroner/base.h"
#include "coroner/error.h"

struct cor_dump;

/** The container format of a dump. */
enum cor_dump_format {
	COR_DUMP_ELF,
	COR_DUMP_KDUMP,
	COR_DUMP_FLATTENED,
};

/** Per-page state of a dump. */
enum cor_page_state {
	/** The page's contents are in the dump. */
	COR_PAGE_PRESENT,
	/** RAM, but filtered out when the dump was made (dump level). */
	COR_PAGE_EXCLUDED,
	/** Not RAM / outside every range the dump describes. */
	COR_PAGE_ABSENT,
	/** Should be there but is not: the file is truncated or the dump incomplete. */
	COR_PAGE_MISSING,
};

/** Page compression codecs (kdump-compressed flags, makedumpfile's diskdump_mod.h). */
enum cor_codec {
	COR_CODEC_NONE = 0,
	COR_CODEC_ZLIB = 0x1,
	COR_CODEC_LZO = 0x2,
	COR_CODEC_SNAPPY = 0x4,
	COR_CODEC_ZSTD = 0x20,
};

/** An ELF note of the dump. Pointers borrowed until the dump is closed. */
struct cor_dump_note {
	const char *name;
	uint32_t type;
	const uint8_t *desc;
	size_t descsz;
};

/** A physical range the dump describes (ELF PT_LOAD; one range for kdump). */
struct cor_dump_range {
	uint64_t paddr;
	uint64_t vaddr; /* 0 when the dump gives none (QEMU) */
	uint64_t memsz;
	uint64_t filesz;
	uint64_t offset; /* file offset (ELF only) */
};

/** Header facts of a kdump-compressed dump (zero for ELF). */
struct cor_kdump_info {
	int32_t header_version;
	char sysname[66], nodename[66], release[66], version[66], machine[66], domainname[66];
	uint64_t timestamp_sec;
	uint32_t status;
	uint32_t block_size;
	uint32_t sub_hdr_size;
	uint32_t bitmap_blocks;
	uint32_t nr_cpus;
	uint32_t current_cpu;
	int32_t dump_level;
	uint64_t phys_base;
	uint64_t max_mapnr;
	/** Codecs seen in the status flags (COR_CODEC_*). */
	unsigned codecs;
};

/**
 * Opens the dump at @p path, probing its format. On success *ret is a new
 * dump the caller closes with cor_dump_close(). Errors name the file and
 * what is wrong with it (missing, unknown format, corrupt header, another
 * architecture).
 */
struct cor_error *cor_dump_open(const char *path, struct cor_dump **ret) COR_MUST_CHECK;
/**
 * True if the file at @p path starts like a dump this library reads (ELF,
 * kdump-compressed, flattened); false otherwise or if it cannot be read.
 * For commands that take either a dump or a text file.
 */
bool cor_dump_file_is_dump(const char *path);
/**
 * Opens a dump held in memory (@p buf, @p len borrowed: they must outlive
 * the dump). The entry point of the fuzz targets.
 */
struct cor_error *cor_dump_parse_mem(const void *buf, size_t len,
				     struct cor_dump **ret) COR_MUST_CHECK;
/** Closes @p dump; NULL does nothing. */
void cor_dump_close(struct cor_dump *dump);

enum cor_dump_format cor_dump_format(const struct cor_dump *dump);
/** Human-readable format, e.g. "kdump-compressed (lzo)", "ELF", "flattened kdump-compressed". */
const char *cor_dump_format_name(const struct cor_dump *dump);
/** The path the dump was opened from ("<memory>" for cor_dump_parse_mem). */
const char *cor_dump_path(const struct cor_dump *dump);
/** Page size of the dump (4096 on x86-64). */
uint32_t cor_dump_page_size(const struct cor_dump *dump);
/** One more than the highest page frame number the dump describes. */
uint64_t cor_dump_max_pfn(const struct cor_dump *dump);
/** True if the dump says it is incomplete (kdump flag) or the file is truncated. */
bool cor_dump_is_incomplete(const struct cor_dump *dump);
/** A sentence on what is missing, or NULL for a whole dump. Borrowed. */
const char *cor_dump_incomplete_reason(const struct cor_dump *dump);
/** kdump-compressed header facts, or NULL for ELF dumps. Borrowed. */
const struct cor_kdump_info *cor_dump_kdump_info(const struct cor_dump *dump);

/** State of page frame @p pfn. */
enum cor_page_state cor_dump_page_state(struct cor_dump *dump, uint64_t pfn);
/**
 * Reads page frame @p pfn into @p buf (page-size bytes). Errors: EXCLUDED
 * (filtered out), FAULT (not in the dump), TRUNCATED (missing from a cut or
 * incomplete dump), CORRUPT (a page that does not decompress).
 */
struct cor_error *cor_dump_read_page(struct cor_dump *dump, uint64_t pfn, void *buf) COR_MUST_CHECK;
/** Reads @p len bytes of physical memory at @p paddr, across pages. Errors as above. */
struct cor_error *cor_dump_read_phys(struct cor_dump *dump, uint64_t paddr, void *buf,
				     size_t len) COR_MUST_CHECK;

/** The VMCOREINFO text (not NUL-terminated; *len set), or NULL if the dump has none. */
const char *cor_dump_vmcoreinfo(const struct cor_dump *dump, size_t *len);
/** Number of ELF notes (NT_PRSTATUS, QEMU CPU state, VMCOREINFO, ...). */
size_t cor_dump_num_notes(const struct cor_dump *dump);
/** Note @p i (0 <= i < cor_dump_num_notes()). Borrowed until the dump is closed. */
const struct cor_dump_note *cor_dump_note(const struct cor_dump *dump, size_t i);
/** Number of physical ranges. */
size_t cor_dump_num_ranges(const struct cor_dump *dump);
/** Range @p i. Borrowed until the dump is closed. */
const struct cor_dump_range *cor_dump_range(const struct cor_dump *dump, size_t i);

/**
 * Parses ELF notes from @p len bytes at @p buf (borrowed: the notes point
 * into it) and appends struct cor_dump_note to @p notes.
 */
struct cor_error *cor_dump_parse_notes_mem(const void *buf, size_t len,
					   struct cor_vec *notes) COR_MUST_CHECK;

/**
 * Decompresses one page: @p in (@p in_len bytes, codec @p codec) into
 * @p out of exactly @p out_len bytes. CORRUPT if it does not decompress to
 * exactly that size; UNSUPPORTED for an unknown codec.
 */
struct cor_error *cor_codec_decompress(enum cor_codec codec, const void *in, size_t in_len,
				       void *out, size_t out_len) COR_MUST_CHECK;
/** Name of a codec ("zlib", "lzo", "snappy", "zstd", "none"). */
const char *cor_codec_name(enum cor_codec codec);

#endif
