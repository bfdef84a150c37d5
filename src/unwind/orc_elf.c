// SPDX-License-Identifier: MIT
// ORC tables of a vmlinux file: its .orc_unwind_ip and .orc_unwind sections
// (arch/x86/kernel/vmlinux.lds.S, ORC_UNWIND_TABLE in include/asm-generic/
// vmlinux.lds.h), for dumps whose own copy is missing or filtered out.
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coroner/stack.h"

#define MAX_ORC_SECTION (64u << 20)

static struct cor_error *copy_section(Elf_Scn *scn, const char *path, const char *name,
				      uint8_t **ret, size_t *len_ret)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!d || !d->d_buf || d->d_size == 0 || d->d_size > MAX_ORC_SECTION)
		return cor_error_create(COR_ERR_CORRUPT, "%s: section %s is empty or unreadable",
					path, name);
	uint8_t *buf = malloc(d->d_size);
	if (!buf)
		return &cor_enomem;
	memcpy(buf, d->d_buf, d->d_size);
	*ret = buf;
	*len_ret = d->d_size;
	return NULL;
}

struct cor_error *cor_orc_read_elf(const char *path, uint8_t **ip_ret, size_t *ip_len_ret,
				   uint8_t **orc_ret, size_t *orc_len_ret, uint64_t *ip_addr_ret)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return cor_error_create(COR_ERR_UNSUPPORTED, "libelf: %s", elf_errmsg(-1));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cor_error_os(errno, path, "%s", path);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	struct cor_error *err = NULL;
	size_t shstrndx;
	Elf_Scn *ip_scn = NULL, *orc_scn = NULL;
	uint64_t ip_addr = 0;
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx) != 0) {
		err = cor_error_create(COR_ERR_CORRUPT, "%s: not an ELF file: %s", path,
				       elf_errmsg(-1));
		goto out;
	}
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || sh.sh_type == SHT_NOBITS)
			continue;
		if (strcmp(name, ".orc_unwind_ip") == 0) {
			ip_scn = scn;
			ip_addr = sh.sh_addr;
		} else if (strcmp(name, ".orc_unwind") == 0) {
			orc_scn = scn;
		}
	}
	if (!ip_scn || !orc_scn) {
		err = cor_error_create(COR_ERR_NOT_FOUND,
				       "%s has no .orc_unwind_ip/.orc_unwind "
				       "sections",
				       path);
		goto out;
	}
	uint8_t *ip = NULL, *orc = NULL;
	size_t ip_len, orc_len;
	if ((err = copy_section(ip_scn, path, ".orc_unwind_ip", &ip, &ip_len)))
		goto out;
	if ((err = copy_section(orc_scn, path, ".orc_unwind", &orc, &orc_len))) {
		free(ip);
		goto out;
	}
	*ip_ret = ip;
	*ip_len_ret = ip_len;
	*orc_ret = orc;
	*orc_len_ret = orc_len;
	*ip_addr_ret = ip_addr;
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return err;
}
