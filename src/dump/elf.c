// SPDX-License-Identifier: MIT
// ELF64 vmcores: the kernel's /proc/vmcore (fs/proc/vmcore.c), makedumpfile -E,
// QEMU dump-guest-memory (dump/dump.c: PT_LOADs with p_vaddr 0, "QEMU" notes).
// Physical memory comes from PT_LOAD segments (p_paddr); notes from PT_NOTE.
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "dump/internal.h"

_Static_assert(sizeof(Elf64_Ehdr) == 64, "Elf64_Ehdr");
_Static_assert(sizeof(Elf64_Phdr) == 56, "Elf64_Phdr");

/* The segments, sorted by paddr, for a binary search per page. */
struct elf_priv {
	struct cor_dump_range *segs;
	size_t nsegs;
};

static bool elf_probe(const uint8_t *head, size_t len)
{
	return len >= SELFMAG && memcmp(head, ELFMAG, SELFMAG) == 0;
}

static int cmp_paddr(const void *a, const void *b)
{
	const struct cor_dump_range *x = a, *y = b;
	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

static struct cor_error *check_ehdr(const Elf64_Ehdr *eh)
{
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return cor_error_create(COR_ERR_UNSUPPORTED,
					"32-bit ELF dump: only x86-64 (ELF64) dumps are supported");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return cor_error_create(COR_ERR_UNSUPPORTED,
					"big-endian ELF dump: only x86-64 dumps are supported");
	if (eh->e_type != ET_CORE)
		return cor_error_create(COR_ERR_UNSUPPORTED,
					"ELF file of type %u is not a core dump (a vmlinux or "
					"module given as the dump?)",
					eh->e_type);
	if (eh->e_machine != EM_X86_64)
		return cor_error_create(COR_ERR_UNSUPPORTED,
					"dump of another architecture (ELF machine %u): only "
					"x86-64 is supported",
					eh->e_machine);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return cor_error_create(COR_ERR_CORRUPT, "bad program header size %u",
					eh->e_phentsize);
	if (eh->e_phnum == 0 || eh->e_phnum == PN_XNUM)
		return cor_error_create(COR_ERR_CORRUPT, "no program headers (e_phnum %u)",
					eh->e_phnum);
	return NULL;
}

static struct cor_error *elf_segment(struct cor_dump *dump, const Elf64_Phdr *ph, uint64_t fsize)
{
	if (ph->p_type == PT_NOTE)
		return dump_load_notes(dump, ph->p_offset, ph->p_filesz);
	if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
		return NULL;
	uint64_t end;
	if (cor_add_overflow(ph->p_paddr, ph->p_memsz, &end) || ph->p_filesz > ph->p_memsz)
		return cor_error_create(COR_ERR_CORRUPT,
					"PT_LOAD at paddr 0x%llx: bad sizes (memsz 0x%llx, filesz "
					"0x%llx)",
					(unsigned long long)ph->p_paddr,
					(unsigned long long)ph->p_memsz,
					(unsigned long long)ph->p_filesz);
	if (!cor_range_ok(ph->p_offset, ph->p_filesz, fsize))
		dump_set_incomplete(
		    dump,
		    "the file is truncated: memory from physical 0x%llx on is "
		    "missing",
		    (unsigned long long)(ph->p_paddr +
					 (ph->p_offset < fsize ? fsize - ph->p_offset : 0)));
	struct cor_dump_range r = {
	    .paddr = ph->p_paddr,
	    .vaddr = ph->p_vaddr,
	    .memsz = ph->p_memsz,
	    .filesz = ph->p_filesz,
	    .offset = ph->p_offset,
	};
	if (end / dump->page_size + 1 > dump->max_pfn)
		dump->max_pfn = (end + dump->page_size - 1) / dump->page_size;
	return cor_vec_push(&dump->ranges, &r);
}

static struct cor_error *elf_open(struct cor_dump *dump)
{
	Elf64_Ehdr eh;
	memset(&eh, 0, sizeof(eh));
	/* Say "32-bit" or "big-endian" even for a header shorter than an Elf64_Ehdr. */
	size_t got = dump_file_read(&dump->file, 0, &eh, sizeof(eh));
	struct cor_error *err = NULL;
	if (got >= EI_NIDENT &&
	    (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB))
		return check_ehdr(&eh);
	if ((err = dump_read_exact(dump, 0, &eh, sizeof(eh), "ELF header")))
		return err;
	if ((err = check_ehdr(&eh)))
		return err;
	uint64_t fsize = dump_file_size(&dump->file);
	size_t phlen = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
	Elf64_Phdr *ph = malloc(phlen);
	if (!ph)
		return &cor_enomem;
	err = dump_read_exact(dump, eh.e_phoff, ph, phlen, "ELF program headers");
	for (unsigned i = 0; !err && i < eh.e_phnum; i++)
		err = elf_segment(dump, &ph[i], fsize);
	free(ph);
	if (err)
		return err;
	if (dump->ranges.len == 0)
		return cor_error_create(COR_ERR_CORRUPT, "ELF dump without PT_LOAD segments");
	struct elf_priv *priv = calloc(1, sizeof(*priv));
	if (!priv)
		return &cor_enomem;
	priv->nsegs = dump->ranges.len;
	priv->segs = malloc(priv->nsegs * sizeof(*priv->segs));
	if (!priv->segs) {
		free(priv);
		return &cor_enomem;
	}
	memcpy(priv->segs, dump->ranges.data, priv->nsegs * sizeof(*priv->segs));
	qsort(priv->segs, priv->nsegs, sizeof(*priv->segs), cmp_paddr);
	dump->priv = priv;
	snprintf(dump->format_name, sizeof(dump->format_name), "ELF");
	return NULL;
}

/* The last segment with paddr <= addr that contains it, or NULL. */
static const struct cor_dump_range *find_seg(const struct elf_priv *priv, uint64_t addr)
{
	size_t lo = 0, hi = priv->nsegs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (priv->segs[mid].paddr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Segments may overlap (rare); look back a few for one that contains addr. */
	for (size_t i = lo; i > 0 && lo - i < 8; i--) {
		const struct cor_dump_range *s = &priv->segs[i - 1];
		if (addr - s->paddr < s->memsz)
			return s;
	}
	return NULL;
}

static enum cor_page_state elf_page_state(struct cor_dump *dump, uint64_t pfn)
{
	const struct elf_priv *priv = dump->priv;
	uint64_t addr = pfn * dump->page_size;
	const struct cor_dump_range *s = find_seg(priv, addr);
	if (!s)
		return COR_PAGE_ABSENT;
	uint64_t rel = addr - s->paddr;
	if (rel >= s->filesz)
		return COR_PAGE_EXCLUDED;
	if (!cor_range_ok(s->offset + rel, COR_MIN(dump->page_size, s->filesz - rel),
			  dump_file_size(&dump->file)))
		return COR_PAGE_MISSING;
	return COR_PAGE_PRESENT;
}

static struct cor_error *elf_read_page(struct cor_dump *dump, uint64_t pfn, void *buf)
{
	const struct elf_priv *priv = dump->priv;
	uint64_t addr = pfn * dump->page_size;
	uint8_t *out = buf;
	/* A page may straddle segments (unaligned PT_LOADs): fill it piecewise. */
	for (uint32_t done = 0; done < dump->page_size;) {
		const struct cor_dump_range *s = find_seg(priv, addr + done);
		if (!s)
			return cor_error_fault(addr + done,
					       "physical address 0x%llx is not in the dump",
					       (unsigned long long)(addr + done));
		uint64_t rel = addr + done - s->paddr;
		uint64_t n = COR_MIN((uint64_t)(dump->page_size - done), s->memsz - rel);
		if (rel >= s->filesz)
			return cor_error_at(COR_ERR_EXCLUDED, addr + done,
					    "physical address 0x%llx was excluded from the dump",
					    (unsigned long long)(addr + done));
		n = COR_MIN(n, s->filesz - rel);
		size_t got = dump_file_read(&dump->file, s->offset + rel, out + done, n);
		if (got < n)
			return cor_error_at(COR_ERR_TRUNCATED, addr + done + got,
					    "physical address 0x%llx is missing: %s is truncated",
					    (unsigned long long)(addr + done + got), dump->path);
		done += (uint32_t)n;
	}
	return NULL;
}

static void elf_close(struct cor_dump *dump)
{
	struct elf_priv *priv = dump->priv;
	if (priv)
		free(priv->segs);
	free(priv);
}

const struct dump_ops cor_dump_elf_ops = {
    .name = "ELF",
    .format = COR_DUMP_ELF,
    .probe = elf_probe,
    .open = elf_open,
    .page_state = elf_page_state,
    .read_page = elf_read_page,
    .close = elf_close,
};
