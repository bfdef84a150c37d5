// SPDX-License-Identifier: MIT
// struct cor_program: a dump plus address translation (and, through other
// files of src/kernel/, symbols and types). See include/coroner/program.h.
#include <stdlib.h>
#include <string.h>

#include "coroner/dump.h"
#include "coroner/mem.h"
#include "coroner/program.h"
#include "coroner/stack.h"
#include "coroner/types_model.h"
#include "coroner/vmcoreinfo.h"
#include "kernel/internal.h"

static struct cor_error *phys_read_cb(void *arg, uint64_t paddr, void *buf, size_t len)
{
	struct cor_program *prog = arg;
	return cor_dump_read_phys(prog->dump, paddr, buf, len);
}

static struct cor_error *need_u64(struct cor_program *prog, const char *key, uint64_t *ret)
{
	if (!cor_vmcoreinfo_u64(&prog->vmcoreinfo, key, ret))
		return cor_error_create(COR_ERR_NOT_FOUND, "VMCOREINFO has no %s", key);
	return NULL;
}

/* The direct map is linear: page_offset_base = vaddr - paddr of any direct-map
 * address. VMCOREINFO's SYMBOL(mem_section) is one (arch/x86 SPARSEMEM_EXTREME
 * allocates mem_section with memblock, in the direct map). */
static void find_page_offset(struct cor_program *prog)
{
	uint64_t va, pa;
	if (!cor_vmcoreinfo_u64(&prog->vmcoreinfo, "SYMBOL(mem_section)", &va))
		return;
	struct cor_mem_walk walk;
	struct cor_error *err = cor_mem_walk(prog->mem, 0, va, &walk);
	if (err) {
		cor_error_destroy(err);
		return;
	}
	pa = walk.paddr;
	/* page_offset_base is aligned to at least 1 GiB (arch/x86/mm/kaslr.c, PUD_SIZE). */
	uint64_t base = va - pa;
	if ((base & ((1ull << 30) - 1)) == 0)
		cor_mem_set_page_offset(prog->mem, base);
}

static struct cor_error *setup_mem(struct cor_program *prog)
{
	struct cor_mem_config cfg = {0};
	uint64_t pgd_va, l5 = 0;
	struct cor_error *err;
	if ((err = need_u64(prog, "NUMBER(phys_base)", &cfg.phys_base)))
		return err;
	if (!cor_vmcoreinfo_u64(&prog->vmcoreinfo, "SYMBOL(init_top_pgt)", &pgd_va) &&
	    (err = need_u64(prog, "SYMBOL(swapper_pg_dir)", &pgd_va)))
		return err;
	cor_vmcoreinfo_u64(&prog->vmcoreinfo, "NUMBER(pgtable_l5_enabled)", &l5);
	cor_vmcoreinfo_u64(&prog->vmcoreinfo, "NUMBER(KERNEL_IMAGE_SIZE)", &cfg.kernel_image_size);
	cor_vmcoreinfo_u64(&prog->vmcoreinfo, "NUMBER(sme_mask)", &cfg.sme_mask);
	cfg.la57 = l5 != 0;
	if (pgd_va < COR_X86_START_KERNEL_MAP)
		return cor_error_create(COR_ERR_CORRUPT,
					"VMCOREINFO: init_top_pgt 0x%llx is not a "
					"kernel text address",
					(unsigned long long)pgd_va);
	cfg.pgd_paddr = pgd_va - COR_X86_START_KERNEL_MAP + cfg.phys_base;
	if ((err = cor_mem_create(&cfg, phys_read_cb, prog, &prog->mem)))
		return err;
	find_page_offset(prog);
	return NULL;
}

static struct cor_error *program_init(struct cor_program *prog, const char *dump_path)
{
	struct cor_error *err = cor_dump_open(dump_path, &prog->dump);
	if (err)
		return err;
	size_t len;
	const char *vi = cor_dump_vmcoreinfo(prog->dump, &len);
	if (!vi)
		return cor_error_create(COR_ERR_UNSUPPORTED,
					"%s: the dump has no VMCOREINFO (a dump taken without the "
					"kernel's help, e.g. QEMU without -device vmcoreinfo)",
					dump_path);
	if ((err = cor_vmcoreinfo_parse_mem(vi, len, &prog->vmcoreinfo)))
		return cor_error_wrap(err, "%s", dump_path);
	if ((err = setup_mem(prog)))
		return cor_error_wrap(err, "%s", dump_path);
	return NULL;
}

struct cor_error *cor_program_open(const char *dump_path, const char *vmlinux,
				   struct cor_program **ret)
{
	struct cor_program *prog = calloc(1, sizeof(*prog));
	if (!prog)
		return &cor_enomem;
	struct cor_error *err = program_init(prog, dump_path);
	if (!err && vmlinux)
		prog->vmlinux_path = strdup(vmlinux);
	if (!err)
		err = cor_program_load_symbols(prog);
	if (err) {
		cor_program_destroy(prog);
		return err;
	}
	*ret = prog;
	return NULL;
}

void cor_program_destroy(struct cor_program *prog)
{
	if (!prog)
		return;
	cor_types_destroy(prog->types);
	cor_program_stack_cache_destroy(prog);
	cor_program_free_symbols(prog);
	cor_mem_destroy(prog->mem);
	cor_vmcoreinfo_deinit(&prog->vmcoreinfo);
	cor_dump_close(prog->dump);
	free(prog->vmlinux_path);
	free(prog);
}

struct cor_dump *cor_program_dump(const struct cor_program *prog)
{
	return prog->dump;
}

struct cor_mem *cor_program_mem(const struct cor_program *prog)
{
	return prog->mem;
}

struct cor_error *cor_program_read(struct cor_program *prog, uint64_t addr, void *buf, size_t len)
{
	return cor_mem_read(prog->mem, addr, buf, len);
}

struct cor_error *cor_program_read_u64(struct cor_program *prog, uint64_t addr, uint64_t *ret)
{
	uint8_t b[8];
	struct cor_error *err = cor_mem_read(prog->mem, addr, b, 8);
	if (!err)
		*ret = cor_le64(b);
	return err;
}

struct cor_error *cor_program_read_u32(struct cor_program *prog, uint64_t addr, uint32_t *ret)
{
	uint8_t b[4];
	struct cor_error *err = cor_mem_read(prog->mem, addr, b, 4);
	if (!err)
		*ret = cor_le32(b);
	return err;
}

struct cor_error *cor_program_read_phys(struct cor_program *prog, uint64_t paddr, void *buf,
					size_t len)
{
	return cor_dump_read_phys(prog->dump, paddr, buf, len);
}

const char *cor_program_vmcoreinfo(const struct cor_program *prog, const char *key)
{
	return cor_vmcoreinfo_get(&prog->vmcoreinfo, key);
}

bool cor_program_vmcoreinfo_u64(const struct cor_program *prog, const char *key, uint64_t *ret)
{
	return cor_vmcoreinfo_u64(&prog->vmcoreinfo, key, ret);
}
