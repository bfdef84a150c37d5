/* SPDX-License-Identifier: MIT */
/**
 * @file mem.h
 * x86-64 kernel address translation: 4- and 5-level page tables, 1G/2M
 * pages, the kernel text mapping, the direct map, vmemmap. Reads physical
 * memory through a callback: knows nothing of file formats.
 */
#ifndef CORONER_MEM_H
#define CORONER_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coroner/error.h"

/** Reads @p len bytes of physical memory at @p paddr. */
typedef struct cor_error *(*cor_phys_read_fn)(void *arg, uint64_t paddr, void *buf, size_t len);

/** Start of the kernel text mapping (arch/x86/include/asm/page_64_types.h __START_KERNEL_map). */
#define COR_X86_START_KERNEL_MAP 0xffffffff80000000ull

/** What translation needs to know, mostly from VMCOREINFO. */
struct cor_mem_config {
	/** Physical address of the kernel's top-level page table (init_top_pgt). */
	uint64_t pgd_paddr;
	/** 5-level paging (NUMBER(pgtable_l5_enabled)). */
	bool la57;
	/** NUMBER(phys_base): physical load address minus the link address. */
	uint64_t phys_base;
	/** Size of the kernel text mapping (NUMBER(KERNEL_IMAGE_SIZE)); 0 = 1 GiB. */
	uint64_t kernel_image_size;
	/** AMD SME encryption bit to strip from entries (NUMBER(sme_mask)). */
	uint64_t sme_mask;
};

/** One level of a page-table walk, for `vtop`. */
struct cor_mem_walk_step {
	/** "PGD", "P4D", "PUD", "PMD", "PTE". */
	const char *level;
	/** Physical address of the entry. */
	uint64_t entry_paddr;
	/** The entry's value. */
	uint64_t entry;
};

/** A page-table walk. */
struct cor_mem_walk {
	struct cor_mem_walk_step steps[5];
	int num_steps;
	/** Page size of the final mapping (4K, 2M, 1G), 0 if not mapped. */
	uint64_t page_size;
	/** Resulting physical address (valid if page_size != 0). */
	uint64_t paddr;
};

struct cor_mem;

/** Creates a translator. Free with cor_mem_destroy(). */
struct cor_error *cor_mem_create(const struct cor_mem_config *cfg, cor_phys_read_fn read, void *arg,
				 struct cor_mem **ret) COR_MUST_CHECK;
/** Frees @p mem; NULL does nothing. */
void cor_mem_destroy(struct cor_mem *mem);
/** Sets the direct-map base (page_offset_base), once known; enables its fast path. */
void cor_mem_set_page_offset(struct cor_mem *mem, uint64_t page_offset);
/** The direct-map base, or 0 if unknown. */
uint64_t cor_mem_page_offset(const struct cor_mem *mem);
/** Sets vmemmap_base (start of the struct page array). */
void cor_mem_set_vmemmap(struct cor_mem *mem, uint64_t vmemmap_base);
uint64_t cor_mem_vmemmap(const struct cor_mem *mem);
/** The configuration. */
const struct cor_mem_config *cor_mem_config(const struct cor_mem *mem);

/**
 * Walks the page tables for @p vaddr from @p pgd_paddr (0: the kernel's),
 * recording every level in *@p walk. FAULT if not mapped (the walk shows
 * where it stopped); errors of the physical read callback are passed on.
 */
struct cor_error *cor_mem_walk(struct cor_mem *mem, uint64_t pgd_paddr, uint64_t vaddr,
			       struct cor_mem_walk *walk) COR_MUST_CHECK;
/** Translates a kernel virtual address, using the fast paths where they apply. */
struct cor_error *cor_mem_vtop(struct cor_mem *mem, uint64_t vaddr,
			       uint64_t *paddr_ret) COR_MUST_CHECK;
/** Reads kernel virtual memory (page by page). */
struct cor_error *cor_mem_read(struct cor_mem *mem, uint64_t vaddr, void *buf,
			       size_t len) COR_MUST_CHECK;

#endif
