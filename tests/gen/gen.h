/* SPDX-License-Identifier: MIT */
/*
 * Synthetic crash dumps for tests: ELF vmcores, kdump-compressed and
 * flattened files written from a small text spec. Test-only code that
 * includes nothing of src/: the layouts are written here again from
 * makedumpfile 1.7's diskdump_mod.h / makedumpfile.h and the ELF spec, so
 * that reader and generator cross-check each other (and libkdumpfile and
 * makedumpfile check the generator: tests/unit/test_dump_oracle.c).
 *
 * The spec, one directive a line ('#' starts a comment; numbers in C syntax;
 * PFNS is "N" or "N:COUNT"):
 *   format elf|kdump|flat        container (default kdump)
 *   codec none|zlib|lzo|snappy|zstd   kdump page codec (default zlib)
 *   page_size N                  default 4096
 *   max_pfn N                    default: one past the highest page given
 *   header_version N             kdump header version (default 6)
 *   machine NAME                 kdump utsname.machine (default x86_64)
 *   release NAME                 kdump utsname.release (default 6.1.0-gen)
 *   elf_class 32|64 / elf_machine N / elf_type N   ELF header (64, 62, 4)
 *   page PFNS random SEED        incompressible bytes (stored raw in kdump)
 *   page PFNS pattern SEED       a compressible pattern
 *   page PFNS fill BYTE          every byte BYTE (fill 0: makedumpfile's zero page)
 *   poke PADDR text STRING       bytes at a physical address (page made if needed)
 *   poke PADDR hex HEXBYTES
 *   exclude PFNS                 RAM filtered out (kdump 1st bitmap only; ELF memsz)
 *   corrupt PFNS                 kdump: the stored page does not decompress
 *   vmcoreinfo KEY=VALUE         a VMCOREINFO line (kdump sub header + note; ELF note)
 *   note NAME TYPE HEXBYTES      an ELF note
 *   prstatus PID RIP RSP         an NT_PRSTATUS note (x86-64 struct elf_prstatus)
 *   incomplete N                 kdump: flagged incomplete, the last N pages unwritten
 *   load PADDR MEMSZ FILESZ      ELF: an explicit PT_LOAD (replaces the automatic ones)
 *   flat_chunk N                 flattened: records of at most N bytes (default 65536)
 *   flat_shuffle SEED            flattened: records in a shuffled order
 */
#ifndef CORONER_TESTS_GEN_H
#define CORONER_TESTS_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gen_format { GEN_ELF, GEN_KDUMP, GEN_FLAT };

/* kdump status codec bits (diskdump_mod.h DUMP_DH_COMPRESSED_*). */
enum gen_codec {
	GEN_CODEC_NONE = 0,
	GEN_CODEC_ZLIB = 0x1,
	GEN_CODEC_LZO = 0x2,
	GEN_CODEC_SNAPPY = 0x4,
	GEN_CODEC_ZSTD = 0x20,
};

/* What the spec says a page frame is. */
enum gen_page_kind {
	GEN_PAGE_NONE,	   /* not described: absent */
	GEN_PAGE_DATA,	   /* contents in the dump */
	GEN_PAGE_EXCLUDED, /* RAM filtered out */
};

struct gen_note {
	char name[32];
	uint32_t type;
	uint8_t *desc;
	size_t descsz;
};

struct gen_load {
	uint64_t paddr, memsz, filesz;
};

/** A parsed spec. Create with gen_spec_parse(), free with gen_spec_free(). */
struct gen_spec {
	enum gen_format format;
	enum gen_codec codec;
	uint32_t page_size;
	uint64_t max_pfn;
	int header_version;
	char machine[65], release[65];
	int elf_class, elf_machine, elf_type;
	/* Indexed by pfn, npfn entries (one past the highest pfn the spec names;
	 * max_pfn >= npfn: frames past npfn are absent). */
	uint64_t npfn;
	uint8_t *kind;	  /* enum gen_page_kind */
	uint8_t *corrupt; /* bool */
	uint8_t *pages;	  /* npfn * page_size bytes */
	char *vmcoreinfo; /* the VMCOREINFO text, NUL-terminated ("" if none) */
	struct gen_note *notes;
	size_t num_notes;
	struct gen_load *loads;
	size_t num_loads;
	uint64_t incomplete; /* 0 or the number of unwritten pages (+ flag) */
	bool incomplete_flag;
	uint64_t flat_chunk;
	uint64_t flat_shuffle; /* 0: in order */
};

/** A generated file and where things are in it (offsets in the logical, unflattened file). */
struct gen_out {
	uint8_t *buf;
	size_t len;
	/* kdump: offset of each pfn's page descriptor and stored data (0: none);
	 * ELF: file offset of each pfn's first byte (0: none). npfn entries. */
	uint64_t *desc_off;
	uint64_t *data_off;
	uint64_t bitmap_off; /* kdump: the 1st bitmap */
	uint64_t notes_off, notes_len;
};

/**
 * Parses @p text. Returns 0, or -1 with a message naming the line in
 * @p err (of @p errlen bytes).
 */
int gen_spec_parse(const char *text, struct gen_spec **ret, char *err, size_t errlen);
/** Frees a spec; NULL does nothing. */
void gen_spec_free(struct gen_spec *spec);
/** Writes the dump described by @p spec into @p out (freed with gen_out_free()). 0 or -1. */
int gen_write(const struct gen_spec *spec, struct gen_out *out);
/** Frees the buffers of @p out. */
void gen_out_free(struct gen_out *out);
/** Parses @p text and writes the dump to @p path. 0, or -1 with a message in @p err. */
int gen_file_from_spec(const char *text, const char *path, char *err, size_t errlen);
/** The contents the spec gives page @p pfn (zeros for a page it does not give). */
const uint8_t *gen_page(const struct gen_spec *spec, uint64_t pfn);

#endif
