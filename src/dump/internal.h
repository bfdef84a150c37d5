/* SPDX-License-Identifier: MIT */
/* Internals of src/dump/: the file abstraction, the ops table, the dump object. */
#ifndef CORONER_DUMP_INTERNAL_H
#define CORONER_DUMP_INTERNAL_H

#include "coroner/dump.h"

/* One extent of a flattened file: bytes [voff, voff+len) of the logical
 * kdump-compressed file are at foff in the flattened file. */
struct flat_extent {
	uint64_t voff;
	uint64_t len;
	uint64_t foff;
	uint64_t seq; /* stream order: later records win */
};

/* A dump file: mmap'ed or a borrowed memory buffer; optionally a flattened
 * file seen through its extent index as the logical file it describes. */
struct dump_file {
	const uint8_t *data;
	uint64_t size;
	void *map; /* non-NULL if we mmap'ed it */
	size_t map_len;
	struct flat_extent *extents; /* sorted by voff (flattened only) */
	size_t num_extents;
	uint64_t max_extent_len;
	uint64_t logical_size;
};

/* Reads up to @len bytes at logical offset @off; returns bytes copied (short at EOF,
 * or where a flattened file has no record: those bytes are zero-filled and counted
 * as missing in *missing if non-NULL). */
size_t dump_file_read(const struct dump_file *f, uint64_t off, void *buf, size_t len);
/* Logical size. */
uint64_t dump_file_size(const struct dump_file *f);

struct dump_ops {
	const char *name;
	enum cor_dump_format format;
	/* Recognizes the first bytes of a file. */
	bool (*probe)(const uint8_t *head, size_t len);
	/* Parses headers; fills ranges, notes, vmcoreinfo, max_pfn. */
	struct cor_error *(*open)(struct cor_dump *dump);
	enum cor_page_state (*page_state)(struct cor_dump *dump, uint64_t pfn);
	/* Reads one page into buf (page_size bytes). */
	struct cor_error *(*read_page)(struct cor_dump *dump, uint64_t pfn, void *buf);
	void (*close)(struct cor_dump *dump);
};

#define PAGE_CACHE_SLOTS 512

struct cor_dump {
	const struct dump_ops *ops;
	char *path;
	struct dump_file file;
	uint32_t page_size;
	uint64_t max_pfn;
	char format_name[64];
	/* Notes: struct cor_dump_note, pointing into the buffers of note_bufs (one
	 * per PT_NOTE segment; an ELF file may have several). */
	struct cor_vec notes;
	struct cor_vec note_bufs; /* uint8_t *, owned */
	char *vmcoreinfo;
	size_t vmcoreinfo_len;
	/* struct cor_dump_range */
	struct cor_vec ranges;
	bool incomplete;
	char *incomplete_reason;
	bool is_kdump;
	struct cor_kdump_info kdump;
	/* Format-private state. */
	void *priv;
	/* Direct-mapped cache of decoded pages. */
	uint8_t *cache;
	uint64_t cache_pfn[PAGE_CACHE_SLOTS];
	bool cache_valid[PAGE_CACHE_SLOTS];
};

extern const struct dump_ops cor_dump_elf_ops;
extern const struct dump_ops cor_dump_kdump_ops;

/* Sets the incomplete flag with a reason (first reason wins). */
void dump_set_incomplete(struct cor_dump *dump, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Builds the extent index of a flattened file. */
struct cor_error *flat_index(struct dump_file *f);
/* Reads @len bytes at @off of the file, or fails with TRUNCATED naming @what. */
struct cor_error *dump_read_exact(struct cor_dump *dump, uint64_t off, void *buf, size_t len,
				  const char *what);
/* Parses notes from the file at [off, off+len) into dump->notes (copies them). */
struct cor_error *dump_load_notes(struct cor_dump *dump, uint64_t off, uint64_t len);

#endif
