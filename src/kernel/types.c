// SPDX-License-Identifier: MIT
// Types of a loaded dump: the BTF of the dump's own memory, loaded on first
// use, behind include/coroner/types.h (layout API, globals, per-cpu).
#include <gelf.h>
#include <libelf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coroner/program.h"
#include "coroner/symbols.h"
#include "coroner/types.h"
#include "coroner/types_model.h"
#include "kernel/internal.h"

/* vmlinux BTF of 6.1 is ~4.3 MB; refuse absurd extents from garbage symbols. */
#define BTF_MAX_SIZE (64ull << 20)

static struct cor_error *btf_from_dump(struct cor_program *prog, struct cor_types *types)
{
	struct cor_symbol start, stop;
	struct cor_error *err;
	if ((err = cor_program_symbol_by_name(prog, "__start_BTF", &start)))
		return cor_error_wrap(err, "locating the kernel's BTF");
	if ((err = cor_program_symbol_by_name(prog, "__stop_BTF", &stop)))
		return cor_error_wrap(err, "locating the kernel's BTF");
	if (stop.addr <= start.addr || stop.addr - start.addr > BTF_MAX_SIZE)
		return cor_error_create(
		    COR_ERR_CORRUPT,
		    "kernel BTF: __start_BTF 0x%llx .. __stop_BTF 0x%llx is not "
		    "a plausible extent",
		    (unsigned long long)start.addr, (unsigned long long)stop.addr);
	size_t len = stop.addr - start.addr;
	void *buf = malloc(len);
	if (!buf)
		return &cor_enomem;
	err = cor_program_read(prog, start.addr, buf, len);
	if (!err)
		err = cor_types_add_btf_mem(types, buf, len);
	free(buf);
	return err ? cor_error_wrap(err, "kernel BTF at 0x%llx", (unsigned long long)start.addr)
		   : NULL;
}

/* The .BTF section of a vmlinux ELF file (same kernel: the symbols code checks
 * the build id when it loads the vmlinux). */
static struct cor_error *btf_from_vmlinux(const char *path, struct cor_types *types)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cor_error_os(errno, path, "%s", path);
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	struct cor_error *err = NULL;
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0) {
		err = cor_error_create(COR_ERR_CORRUPT, "%s: %s", path, elf_errmsg(-1));
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(name, ".BTF") != 0)
			continue;
		Elf_Data *data = elf_rawdata(scn, NULL);
		if (!data || !data->d_buf)
			err = cor_error_create(COR_ERR_CORRUPT, "%s: unreadable .BTF", path);
		else
			err = cor_types_add_btf_mem(types, data->d_buf, data->d_size);
		goto out;
	}
	err = cor_error_create(COR_ERR_NOT_FOUND, "%s has no .BTF section", path);
out:
	elf_end(elf);
	close(fd);
	return err;
}

static struct cor_error *load_btf(struct cor_program *prog, struct cor_types *types)
{
	struct cor_error *err = btf_from_dump(prog, types);
	if (err && prog->vmlinux_path) {
		struct cor_error *err2 = btf_from_vmlinux(prog->vmlinux_path, types);
		if (!err2) {
			cor_error_destroy(err);
			return NULL;
		}
		cor_error_destroy(err2);
	}
	return err;
}

struct cor_error *cor_program_types(struct cor_program *prog, struct cor_types **ret)
{
	struct cor_error *err;
	if (!prog->types) {
		if ((err = cor_types_create(&prog->types)))
			return err;
		if ((err = load_btf(prog, prog->types))) {
			cor_types_set_missing_reason(prog->types, err->message);
			if (cor_types_missing_reason(prog->types) == NULL)
				return err;
			cor_error_destroy(err);
		}
	}
	if (!cor_types_has_btf(prog->types)) {
		const char *why = cor_types_missing_reason(prog->types);
		return cor_error_create(COR_ERR_NOT_FOUND, "no type information: %s",
					why ? why : "no BTF");
	}
	*ret = prog->types;
	return NULL;
}

static struct cor_error *find_member(struct cor_program *prog, const char *type_name,
				     const char *member, struct cor_member_result *ret)
{
	struct cor_types *types;
	const struct cor_type *type;
	struct cor_error *err;
	if ((err = cor_program_types(prog, &types)) ||
	    (err = cor_types_find(types, type_name, &type)))
		return err;
	return cor_types_member(types, type, member, ret);
}

struct cor_error *cor_program_member_offset(struct cor_program *prog, const char *type,
					    const char *member, uint64_t *offset_ret)
{
	struct cor_member_result r;
	struct cor_error *err = find_member(prog, type, member, &r);
	if (!err)
		*offset_ret = r.bit_offset / 8;
	return err;
}

struct cor_error *cor_program_member_info(struct cor_program *prog, const char *type,
					  const char *member, uint64_t *offset_ret,
					  uint64_t *size_ret)
{
	struct cor_member_result r;
	uint64_t size;
	struct cor_error *err = find_member(prog, type, member, &r);
	if (err)
		return err;
	if (r.bit_size)
		size = (r.bit_offset % 8 + r.bit_size + 7) / 8;
	else if ((err = cor_types_sizeof(prog->types, r.type, &size)))
		return err;
	*offset_ret = r.bit_offset / 8;
	*size_ret = size;
	return NULL;
}

bool cor_program_has_member(struct cor_program *prog, const char *type, const char *member)
{
	struct cor_member_result r;
	struct cor_error *err = find_member(prog, type, member, &r);
	cor_error_destroy(err);
	return err == NULL;
}

struct cor_error *cor_program_type_size(struct cor_program *prog, const char *type_name,
					uint64_t *size_ret)
{
	struct cor_types *types;
	const struct cor_type *type;
	struct cor_error *err;
	if ((err = cor_program_types(prog, &types)) ||
	    (err = cor_types_find(types, type_name, &type)))
		return err;
	return cor_types_sizeof(types, type, size_ret);
}

struct cor_error *cor_program_enum_value(struct cor_program *prog, const char *enumerator,
					 int64_t *value_ret)
{
	struct cor_types *types;
	struct cor_error *err = cor_program_types(prog, &types);
	if (err)
		return err;
	return cor_types_enumerator(types, enumerator, value_ret, NULL);
}
