// SPDX-License-Identifier: MIT
// x86-64 page-table walk (Intel SDM vol. 3A ch. 4.5: 4-level and 5-level
// paging). Entry bits: P = bit 0, PS = bit 7 (1 GiB at PUD, 2 MiB at PMD);
// the frame address is bits 12..51 (arch/x86/include/asm/pgtable_types.h
// PTE_PFN_MASK with __PHYSICAL_MASK_SHIFT 52), minus the SME bit.
#include <stdlib.h>
#include <string.h>

#include "coroner/base.h"
#include "coroner/mem.h"

#define PTE_PRESENT   0x1ull
#define PTE_PSE	      0x80ull
#define PTE_ADDR_MASK 0x000ffffffffff000ull

/* Translation of recent pages: page-table walks are the slow path. */
#define TLB_SLOTS 256

struct cor_mem {
	struct cor_mem_config cfg;
	cor_phys_read_fn read;
	void *arg;
	uint64_t page_offset;
	uint64_t vmemmap;
	uint64_t tlb_vpage[TLB_SLOTS];
	uint64_t tlb_ppage[TLB_SLOTS];
	bool tlb_valid[TLB_SLOTS];
};

struct cor_error *cor_mem_create(const struct cor_mem_config *cfg, cor_phys_read_fn read, void *arg,
				 struct cor_mem **ret)
{
	struct cor_mem *mem = calloc(1, sizeof(*mem));
	if (!mem)
		return &cor_enomem;
	mem->cfg = *cfg;
	if (!mem->cfg.kernel_image_size)
		mem->cfg.kernel_image_size = 1ull << 30;
	mem->read = read;
	mem->arg = arg;
	*ret = mem;
	return NULL;
}

void cor_mem_destroy(struct cor_mem *mem)
{
	free(mem);
}

void cor_mem_set_page_offset(struct cor_mem *mem, uint64_t page_offset)
{
	mem->page_offset = page_offset;
}

uint64_t cor_mem_page_offset(const struct cor_mem *mem)
{
	return mem->page_offset;
}

void cor_mem_set_vmemmap(struct cor_mem *mem, uint64_t vmemmap_base)
{
	mem->vmemmap = vmemmap_base;
}

uint64_t cor_mem_vmemmap(const struct cor_mem *mem)
{
	return mem->vmemmap;
}

const struct cor_mem_config *cor_mem_config(const struct cor_mem *mem)
{
	return &mem->cfg;
}

static bool canonical(uint64_t va, bool la57)
{
	int bits = la57 ? 57 : 48;
	int64_t s = (int64_t)(va << (64 - bits)) >> (64 - bits);
	return (uint64_t)s == va;
}

struct cor_error *cor_mem_walk(struct cor_mem *mem, uint64_t pgd_paddr, uint64_t vaddr,
			       struct cor_mem_walk *walk)
{
	static const char *const names[] = {"PGD", "P4D", "PUD", "PMD", "PTE"};
	static const int shifts[] = {48, 39, 30, 21, 12};
	memset(walk, 0, sizeof(*walk));
	if (!canonical(vaddr, mem->cfg.la57))
		return cor_error_fault(vaddr, "0x%llx is not a canonical address",
				       (unsigned long long)vaddr);
	uint64_t table = pgd_paddr ? pgd_paddr : mem->cfg.pgd_paddr;
	uint64_t mask = PTE_ADDR_MASK & ~mem->cfg.sme_mask;
	for (int lvl = mem->cfg.la57 ? 0 : 1; lvl < 5; lvl++) {
		uint64_t idx = (vaddr >> shifts[lvl]) & 0x1ff;
		uint64_t ep = (table & mask) + idx * 8;
		uint8_t raw[8];
		struct cor_error *err = mem->read(mem->arg, ep, raw, 8);
		if (err)
			return cor_error_wrap(err, "reading the %s entry of 0x%llx", names[lvl],
					      (unsigned long long)vaddr);
		uint64_t e = cor_le64(raw);
		struct cor_mem_walk_step *st = &walk->steps[walk->num_steps++];
		st->level = names[lvl];
		st->entry_paddr = ep;
		st->entry = e;
		if (!(e & PTE_PRESENT))
			return cor_error_fault(vaddr, "0x%llx is not mapped (%s entry not present)",
					       (unsigned long long)vaddr, names[lvl]);
		bool leaf = lvl == 4 || ((lvl == 2 || lvl == 3) && (e & PTE_PSE));
		if (leaf) {
			uint64_t psize = 1ull << shifts[lvl];
			walk->page_size = psize;
			walk->paddr = ((e & mask) & ~(psize - 1)) | (vaddr & (psize - 1));
			return NULL;
		}
		table = e;
	}
	return cor_error_fault(vaddr, "0x%llx: page-table walk did not end",
			       (unsigned long long)vaddr);
}

struct cor_error *cor_mem_vtop(struct cor_mem *mem, uint64_t vaddr, uint64_t *paddr_ret)
{
	/* Kernel text: a fixed offset (arch/x86/include/asm/page_64.h __phys_addr_nodebug). */
	if (vaddr >= COR_X86_START_KERNEL_MAP &&
	    vaddr - COR_X86_START_KERNEL_MAP < mem->cfg.kernel_image_size) {
		*paddr_ret = vaddr - COR_X86_START_KERNEL_MAP + mem->cfg.phys_base;
		return NULL;
	}
	uint64_t vpage = vaddr >> 12;
	size_t slot = vpage % TLB_SLOTS;
	if (mem->tlb_valid[slot] && mem->tlb_vpage[slot] == vpage) {
		*paddr_ret = (mem->tlb_ppage[slot] << 12) | (vaddr & 0xfff);
		return NULL;
	}
	struct cor_mem_walk walk;
	struct cor_error *err = cor_mem_walk(mem, 0, vaddr, &walk);
	if (err)
		return err;
	mem->tlb_valid[slot] = true;
	mem->tlb_vpage[slot] = vpage;
	mem->tlb_ppage[slot] = walk.paddr >> 12;
	*paddr_ret = walk.paddr;
	return NULL;
}

struct cor_error *cor_mem_read(struct cor_mem *mem, uint64_t vaddr, void *buf, size_t len)
{
	uint8_t *out = buf;
	while (len) {
		size_t n = COR_MIN(len, (size_t)(4096 - (vaddr & 0xfff)));
		uint64_t paddr;
		struct cor_error *err = cor_mem_vtop(mem, vaddr, &paddr);
		if (err)
			return err;
		err = mem->read(mem->arg, paddr, out, n);
		if (err)
			return err;
		out += n;
		vaddr += n;
		len -= n;
	}
	return NULL;
}
