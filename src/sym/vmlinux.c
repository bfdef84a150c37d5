// SPDX-License-Identifier: MIT
// A vmlinux's ELF .symtab (through libelf), relocated by the KASLR offset,
// and what identifies it: .note.gnu.build-id and linux_banner's release.
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sym/sym.h"

/* NT_GNU_BUILD_ID (elf.h). */
#define NOTE_GNU_BUILD_ID 3

static struct cor_error *elf_err(const char *what)
{
	return cor_error_create(COR_ERR_CORRUPT, "%s: %s", what, elf_errmsg(-1));
}

/* nm's letter for a symbol (binutils nm, bfd_decode_symclass): by section kind. */
static char nm_type(Elf *elf, const GElf_Sym *sym)
{
	int bind = GELF_ST_BIND(sym->st_info);
	char c = '?';
	if (sym->st_shndx == SHN_ABS) {
		c = 'a';
	} else if (sym->st_shndx == SHN_UNDEF) {
		c = 'u';
	} else if (sym->st_shndx < SHN_LORESERVE) {
		GElf_Shdr sh;
		Elf_Scn *scn = elf_getscn(elf, sym->st_shndx);
		if (scn && gelf_getshdr(scn, &sh)) {
			if (sh.sh_flags & SHF_EXECINSTR)
				c = 't';
			else if (sh.sh_type == SHT_NOBITS)
				c = 'b';
			else if (sh.sh_flags & SHF_WRITE)
				c = 'd';
			else if (sh.sh_flags & SHF_ALLOC)
				c = 'r';
			else
				c = 'n';
		}
	}
	if (bind == STB_WEAK)
		return c == 'u' ? 'w' : 'W';
	if (bind == STB_GLOBAL && c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	return c;
}

static bool want_symbol(const GElf_Sym *sym, const char *name)
{
	int type = GELF_ST_TYPE(sym->st_info);
	/* kallsyms has no section, file or undefined symbols either. */
	return name && name[0] && type != STT_SECTION && type != STT_FILE &&
	       sym->st_shndx != SHN_UNDEF;
}

static struct cor_error *load_symtab(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, uint64_t offset,
				     struct cor_symtab_builder *b)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || !sh->sh_entsize)
		return elf_err(".symtab");
	size_t n = sh->sh_size / sh->sh_entsize;
	for (size_t i = 1; i < n; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(data, (int)i, &sym))
			return elf_err(".symtab entry");
		const char *name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!want_symbol(&sym, name))
			continue;
		uint64_t addr = sym.st_value;
		/* Per-cpu symbols are offsets into the per-cpu area (.data..percpu is
		 * linked at 0, arch/x86/kernel/vmlinux.lds.S): not relocated. */
		if (addr >= 0xffffffff80000000ull && sym.st_shndx != SHN_ABS)
			addr += offset;
		struct cor_error *err = cor_symtab_builder_add(
		    b, name, strlen(name), addr, sym.st_size, nm_type(elf, &sym), NULL);
		if (err)
			return err;
	}
	return NULL;
}

static void read_build_id(Elf *elf, Elf_Scn *scn, struct cor_vmlinux_id *id)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;
	while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type != NOTE_GNU_BUILD_ID || nh.n_namesz != 4 ||
		    memcmp((char *)data->d_buf + name_off, "GNU", 4) != 0)
			continue;
		const uint8_t *d = (const uint8_t *)data->d_buf + desc_off;
		size_t n = COR_MIN(nh.n_descsz, (sizeof(id->build_id) - 1) / 2);
		for (size_t i = 0; i < n; i++)
			snprintf(id->build_id + 2 * i, 3, "%02x", d[i]);
		return;
	}
}

/* linux_banner: "Linux version RELEASE (builder) ..." (init/version.c). */
static void read_banner(Elf *elf, const GElf_Sym *sym, struct cor_vmlinux_id *id)
{
	GElf_Shdr sh;
	Elf_Scn *scn = elf_getscn(elf, sym->st_shndx);
	Elf_Data *data;
	if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS ||
	    !(data = elf_getdata(scn, NULL)) || sym->st_value < sh.sh_addr)
		return;
	uint64_t off = sym->st_value - sh.sh_addr;
	static const char prefix[] = "Linux version ";
	if (!cor_range_ok(off, sizeof(prefix) + 1, data->d_size))
		return;
	const char *s = (const char *)data->d_buf + off;
	size_t left = data->d_size - off;
	if (strncmp(s, prefix, sizeof(prefix) - 1) != 0)
		return;
	s += sizeof(prefix) - 1;
	left -= sizeof(prefix) - 1;
	size_t n = 0;
	while (n < left && n < sizeof(id->release) - 1 && s[n] && s[n] != ' ')
		n++;
	memcpy(id->release, s, n);
	id->release[n] = '\0';
}

static void find_banner(Elf *elf, Elf_Scn *symscn, const GElf_Shdr *sh, struct cor_vmlinux_id *id)
{
	Elf_Data *data = elf_getdata(symscn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	for (size_t i = 1; data && i < n; i++) {
		GElf_Sym sym;
		const char *name;
		if (gelf_getsym(data, (int)i, &sym) &&
		    (name = elf_strptr(elf, sh->sh_link, sym.st_name)) &&
		    strcmp(name, "linux_banner") == 0) {
			read_banner(elf, &sym, id);
			return;
		}
	}
}

static struct cor_error *load_elf(Elf *elf, uint64_t offset, struct cor_symtab_builder *b,
				  struct cor_vmlinux_id *id)
{
	memset(id, 0, sizeof(*id));
	GElf_Ehdr eh;
	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh))
		return cor_error_create(COR_ERR_CORRUPT, "not an ELF file");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64)
		return cor_error_create(COR_ERR_UNSUPPORTED, "not an x86-64 ELF file");
	Elf_Scn *scn = NULL, *symscn = NULL;
	GElf_Shdr sh, symsh = {0};
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			return elf_err("section header");
		if (sh.sh_type == SHT_SYMTAB) {
			symscn = scn;
			symsh = sh;
		} else if (sh.sh_type == SHT_NOTE && !id->build_id[0]) {
			read_build_id(elf, scn, id);
		}
	}
	if (!symscn)
		return cor_error_create(COR_ERR_NOT_FOUND, "no .symtab (a stripped vmlinux?)");
	find_banner(elf, symscn, &symsh, id);
	return load_symtab(elf, symscn, &symsh, offset, b);
}

struct cor_error *cor_vmlinux_parse_mem(const void *buf, size_t len, uint64_t offset,
					struct cor_symtab_builder *b, struct cor_vmlinux_id *id_ret)
{
	elf_version(EV_CURRENT);
	Elf *elf = elf_memory((char *)buf, len);
	if (!elf)
		return elf_err("elf_memory");
	struct cor_error *err = load_elf(elf, offset, b, id_ret);
	elf_end(elf);
	return err;
}

struct cor_error *cor_vmlinux_load(const char *path, uint64_t offset, struct cor_symtab_builder *b,
				   struct cor_vmlinux_id *id_ret)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cor_error_os(errno, path, "vmlinux %s", path);
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	struct cor_error *err = elf ? load_elf(elf, offset, b, id_ret) : elf_err("elf_begin");
	if (err)
		err = cor_error_wrap(err, "vmlinux %s", path);
	elf_end(elf);
	close(fd);
	return err;
}
