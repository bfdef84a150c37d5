/* SPDX-License-Identifier: MIT */
/*
 * The on-disk layout of makedumpfile's kdump-compressed format, shared by the
 * reader (kdump.c) and the writer (writer_kdump.c). From makedumpfile 1.7
 * diskdump_mod.h:
 *   block 0: struct disk_dump_header     block 1..: struct kdump_sub_header
 *   then the 1st and 2nd bitmaps (bitmap_blocks blocks, half each),
 *   then one struct page_desc per page set in the 2nd bitmap, then the data.
 * Offsets are those of the x86-64 ABI (long = 8, struct timeval = 16).
 */
#ifndef CORONER_DUMP_KDUMP_FORMAT_H
#define CORONER_DUMP_KDUMP_FORMAT_H

#define KDUMP_SIGNATURE "KDUMP   "
#define KDUMP_SIG_LEN	8

/* struct disk_dump_header */
#define DH_HEADER_VERSION 8
#define DH_UTSNAME	  12 /* struct new_utsname: 6 fields of 65 bytes */
#define DH_UTS_FIELD	  65
#define DH_TIMESTAMP	  408
#define DH_STATUS	  424
#define DH_BLOCK_SIZE	  428
#define DH_SUB_HDR_SIZE	  432
#define DH_BITMAP_BLOCKS  436
#define DH_MAX_MAPNR	  440
#define DH_CURRENT_CPU	  456
#define DH_NR_CPUS	  460
#define DH_SIZE		  464

/* struct kdump_sub_header */
#define SH_PHYS_BASE	     0
#define SH_DUMP_LEVEL	     8
#define SH_OFFSET_VMCOREINFO 32
#define SH_SIZE_VMCOREINFO   40
#define SH_OFFSET_NOTE	     48
#define SH_SIZE_NOTE	     56
#define SH_MAX_MAPNR_64	     96
#define SH_SIZE		     104

/* status flags (DUMP_DH_*) */
#define DH_COMPRESSED_ZLIB	 0x1
#define DH_COMPRESSED_LZO	 0x2
#define DH_COMPRESSED_SNAPPY	 0x4
#define DH_COMPRESSED_INCOMPLETE 0x8
#define DH_COMPRESSED_ZSTD	 0x20
#define DH_CODEC_MASK                                                                              \
	(DH_COMPRESSED_ZLIB | DH_COMPRESSED_LZO | DH_COMPRESSED_SNAPPY | DH_COMPRESSED_ZSTD)

/* struct page_desc { off_t offset; unsigned int size, flags; unsigned long long page_flags; } */
#define PD_SIZE 24

#endif
