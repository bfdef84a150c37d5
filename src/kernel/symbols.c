// SPDX-License-Identifier: MIT
// The program's symbols (include/coroner/symbols.h): vmlinux symbols from the
// dump's kallsyms (or a vmlinux's .symtab when one is given, after checking
// that it is the dump's kernel), and module symbols loaded lazily from the
// `modules` list once types are available.
#include <stdlib.h>
#include <string.h>

#include "coroner/mem.h"
#include "coroner/program.h"
#include "coroner/symbols.h"
#include "coroner/types.h"
#include "kernel/internal.h"
#include "sym/sym.h"

/* How far past _stext the fallback scan looks for the kallsyms tables: the
 * kernel image mapping is at most KERNEL_IMAGE_SIZE (1 GiB with KASLR,
 * arch/x86/include/asm/page_64_types.h), but text + rodata of any real
 * kernel fit in 256 MiB. */
#define KALLSYMS_SCAN_SPAN (256ull << 20)

/* Bounds on what a module list in a crashed kernel may claim. */
#define MAX_MODULES  4096
#define MAX_MOD_SYMS (1u << 20)
/* MODULE_NAME_LEN = 64 - sizeof(unsigned long) (include/linux/module.h). */
#define MOD_NAME_LEN 56
/* Elf64_Sym (include/uapi/linux/elf.h): st_name u32, st_info u8, st_other u8,
 * st_shndx u16, st_value u64, st_size u64. */
#define ELF64_SYM_SIZE 24

/* A module's name and core range, for `sym -l` and cor_program_module_range(). */
struct mod_range {
	char name[MOD_NAME_LEN + 1];
	uint64_t base, size;
};

struct cor_sym_state {
	/* Whether vmlinux symbols were loaded (or failed: see error). kallsyms are
	 * decoded on first use, so that commands without symbols (log, rd ADDR)
	 * do not pay the ~20 ms; a vmlinux is loaded and checked at open. */
	bool loaded;
	/* Lookups before the full table is needed (src/sym/kallsyms.c): the
	 * first LAZY_LOOKUPS by name or address, without decoding every name. */
	struct cor_kallsyms_lazy *lazy;
	bool lazy_tried;
	unsigned lazy_lookups;
	/* Module symbols; NULL until loaded (or if there are none). */
	struct cor_symtab *modules;
	bool modules_tried;
	/* Names of symbols found only in VMCOREINFO (char *, owned). */
	struct cor_vec vmcoreinfo_names;
	/* Modules seen on the list (struct mod_range). */
	struct cor_vec ranges;
	/* Why vmlinux symbols could not be loaded (NULL if they were). */
	struct cor_error *error;
};

static struct cor_error *read_cb(void *arg, uint64_t addr, void *buf, size_t len)
{
	return cor_program_read(arg, addr, buf, len);
}

static void loc_from_vmcoreinfo(struct cor_program *prog, struct cor_kallsyms_loc *loc)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
	    {"SYMBOL(kallsyms_num_syms)", offsetof(struct cor_kallsyms_loc, num_syms)},
	    {"SYMBOL(kallsyms_names)", offsetof(struct cor_kallsyms_loc, names)},
	    {"SYMBOL(kallsyms_token_table)", offsetof(struct cor_kallsyms_loc, token_table)},
	    {"SYMBOL(kallsyms_token_index)", offsetof(struct cor_kallsyms_loc, token_index)},
	    {"SYMBOL(kallsyms_offsets)", offsetof(struct cor_kallsyms_loc, offsets)},
	    {"SYMBOL(kallsyms_relative_base)", offsetof(struct cor_kallsyms_loc, relative_base)},
	    {"SYMBOL(kallsyms_addresses)", offsetof(struct cor_kallsyms_loc, addresses)},
	};
	memset(loc, 0, sizeof(*loc));
	for (size_t i = 0; i < COR_ARRAY_SIZE(keys); i++)
		cor_program_vmcoreinfo_u64(prog, keys[i].key,
					   (uint64_t *)((char *)loc + keys[i].off));
}

struct cor_error *cor_program_find_kallsyms(struct cor_program *prog, bool use_vmcoreinfo,
					    struct cor_kallsyms_loc *ret)
{
	struct cor_kallsyms_loc loc;
	loc_from_vmcoreinfo(prog, &loc);
	if (use_vmcoreinfo && loc.num_syms && loc.names && loc.token_table && loc.token_index &&
	    ((loc.offsets && loc.relative_base) || loc.addresses)) {
		*ret = loc;
		return NULL;
	}
	/* Kernels before 6.0 do not export the tables: scan the kernel image. */
	uint64_t stext, koff = 0;
	if (!cor_program_vmcoreinfo_u64(prog, "SYMBOL(_stext)", &stext)) {
		cor_program_vmcoreinfo_u64(prog, "KERNELOFFSET", &koff);
		/* The default link address of x86-64 (arch/x86/Kconfig PHYSICAL_START). */
		stext = 0xffffffff81000000ull + koff;
	}
	struct cor_error *err =
	    cor_kallsyms_find(read_cb, prog, stext, stext + KALLSYMS_SCAN_SPAN, ret);
	return err ? cor_error_wrap(err, "the dump's VMCOREINFO has no kallsyms tables") : NULL;
}

static struct cor_error *load_kallsyms(struct cor_program *prog, struct cor_symtab_builder *b)
{
	struct cor_kallsyms_loc loc;
	struct cor_error *err = cor_program_find_kallsyms(prog, true, &loc);
	if (!err)
		err = cor_kallsyms_load(read_cb, prog, &loc, b);
	return err ? cor_error_wrap(err, "kallsyms") : NULL;
}

/* The dump's linux_banner release, for vmlinux files without a build id. */
static struct cor_error *check_vmlinux(struct cor_program *prog, const char *path,
				       const struct cor_vmlinux_id *id)
{
	const char *dump_id = cor_program_vmcoreinfo(prog, "BUILD-ID");
	if (dump_id && id->build_id[0]) {
		size_t n = strlen(id->build_id);
		if (strncasecmp(dump_id, id->build_id, n) != 0 || strlen(dump_id) != n)
			return cor_error_create(
			    COR_ERR_MISMATCH,
			    "vmlinux %s does not match the dump: build id %s vs "
			    "%s (dump)",
			    path, id->build_id, dump_id);
		return NULL;
	}
	const char *rel = cor_program_vmcoreinfo(prog, "OSRELEASE");
	if (rel && id->release[0] && strcmp(rel, id->release) != 0)
		return cor_error_create(
		    COR_ERR_MISMATCH, "vmlinux %s does not match the dump: release %s vs %s (dump)",
		    path, id->release, rel);
	if (!(dump_id && id->build_id[0]) && !(rel && id->release[0]))
		return cor_error_create(
		    COR_ERR_MISMATCH,
		    "vmlinux %s cannot be checked against the dump: no build id "
		    "or release on %s",
		    path, id->build_id[0] || id->release[0] ? "the dump" : "it");
	return NULL;
}

static struct cor_error *load_vmlinux(struct cor_program *prog, const char *path,
				      struct cor_symtab_builder *b)
{
	uint64_t koff = 0;
	cor_program_vmcoreinfo_u64(prog, "KERNELOFFSET", &koff);
	struct cor_vmlinux_id id;
	struct cor_error *err = cor_vmlinux_load(path, koff, b, &id);
	if (!err)
		err = check_vmlinux(prog, path, &id);
	return err;
}

/* Loads vmlinux symbols: the vmlinux's, or the dump's kallsyms. A failure
 * of kallsyms is kept in st->error (the dump stays usable without symbols). */
static struct cor_error *load_vmlinux_symbols(struct cor_program *prog, struct cor_sym_state *st)
{
	struct cor_symtab_builder *b;
	st->loaded = true;
	struct cor_error *err = cor_symtab_builder_create(&b);
	if (err)
		return err;
	if (prog->vmlinux_path) {
		err = load_vmlinux(prog, prog->vmlinux_path, b);
		if (err) {
			cor_symtab_builder_destroy(b);
			return err;
		}
	} else if ((err = load_kallsyms(prog, b))) {
		cor_symtab_builder_destroy(b);
		if (err == &cor_enomem)
			return err;
		st->error = err;
		return NULL;
	}
	err = cor_symtab_builder_finish(b, &prog->symtab);
	if (err && err != &cor_enomem) {
		st->error = err;
		return NULL;
	}
	return err;
}

struct cor_error *cor_program_load_symbols(struct cor_program *prog)
{
	struct cor_sym_state *st = calloc(1, sizeof(*st));
	if (!st)
		return &cor_enomem;
	cor_vec_init(&st->ranges, sizeof(struct mod_range));
	cor_vec_init(&st->vmcoreinfo_names, sizeof(char *));
	prog->sym_state = st;
	/* A wrong vmlinux is the user's error: fail the open. */
	return prog->vmlinux_path ? load_vmlinux_symbols(prog, st) : NULL;
}

/* After this many lookups, decoding the whole table once is cheaper. */
#define LAZY_LOOKUPS 32

/* The lazy kallsyms reader while the full table is not loaded (kallsyms
 * located by VMCOREINFO only); NULL otherwise. */
static struct cor_kallsyms_lazy *lazy_kallsyms(struct cor_program *prog)
{
	struct cor_sym_state *st = prog->sym_state;
	if (!st || st->loaded || prog->vmlinux_path || st->lazy_lookups >= LAZY_LOOKUPS)
		return NULL;
	st->lazy_lookups++;
	if (!st->lazy_tried) {
		st->lazy_tried = true;
		struct cor_kallsyms_loc loc;
		loc_from_vmcoreinfo(prog, &loc);
		struct cor_error *err = cor_kallsyms_lazy_create(read_cb, prog, &loc, &st->lazy);
		cor_error_destroy(err); /* the full table will say what is wrong */
	}
	return st->lazy;
}

/* The vmlinux symbol table, loaded on first use; NULL if unavailable. */
static struct cor_symtab *vmlinux_symtab(struct cor_program *prog)
{
	struct cor_sym_state *st = prog->sym_state;
	if (st && !st->loaded) {
		struct cor_error *err = load_vmlinux_symbols(prog, st);
		if (err && !st->error)
			st->error = err;
	}
	return prog->symtab;
}

void cor_program_free_symbols(struct cor_program *prog)
{
	struct cor_sym_state *st = prog->sym_state;
	cor_symtab_destroy(prog->symtab);
	prog->symtab = NULL;
	if (st) {
		cor_symtab_destroy(st->modules);
		cor_kallsyms_lazy_destroy(st->lazy);
		cor_vec_deinit(&st->ranges);
		for (size_t i = 0; i < st->vmcoreinfo_names.len; i++)
			free(*(char **)cor_vec_at(&st->vmcoreinfo_names, i));
		cor_vec_deinit(&st->vmcoreinfo_names);
		cor_error_destroy(st->error);
		free(st);
	}
	prog->sym_state = NULL;
}

/* ---- module symbols ---------------------------------------------------- */

/* struct module and struct mod_kallsyms member offsets, from types (BTF or
 * DWARF) at run time: they move between kernel versions and configs. */
struct mod_layout {
	uint64_t list, name, kallsyms;
	uint64_t ks_symtab, ks_num, ks_strtab, ks_typetab;
	bool has_typetab;
	/* core_layout.base/size (6.1; before 4.5 module_core/core_size; since 6.4
	 * mem[]): only for module ranges, optional. */
	uint64_t core_base, core_size;
	bool has_core;
};

static struct cor_error *mod_layout(struct cor_program *prog, struct mod_layout *l)
{
	struct cor_error *err;
	if ((err = cor_program_member_offset(prog, "struct module", "list", &l->list)) ||
	    (err = cor_program_member_offset(prog, "struct module", "name", &l->name)) ||
	    (err = cor_program_member_offset(prog, "struct module", "kallsyms", &l->kallsyms)) ||
	    (err =
		 cor_program_member_offset(prog, "struct mod_kallsyms", "symtab", &l->ks_symtab)) ||
	    (err = cor_program_member_offset(prog, "struct mod_kallsyms", "num_symtab",
					     &l->ks_num)) ||
	    (err = cor_program_member_offset(prog, "struct mod_kallsyms", "strtab", &l->ks_strtab)))
		return err;
	/* typetab: since Linux 5.2 (kernel/module.c "module: add typetab"); before,
	 * the type letter was kept in st_info. */
	l->has_typetab =
	    !cor_program_member_offset(prog, "struct mod_kallsyms", "typetab", &l->ks_typetab);
	l->has_core =
	    !cor_program_member_offset(prog, "struct module", "core_layout.base", &l->core_base) &&
	    !cor_program_member_offset(prog, "struct module", "core_layout.size", &l->core_size);
	return NULL;
}

/* Reads a NUL-terminated string of at most @p max bytes at @p addr. */
static struct cor_error *read_str(struct cor_program *prog, uint64_t addr, char *buf, size_t max)
{
	size_t n = 0;
	while (n + 1 < max) {
		/* Up to the end of the page, so as not to fault past the string. */
		size_t chunk = COR_MIN(max - 1 - n, 4096 - ((addr + n) & 4095));
		struct cor_error *err = cor_program_read(prog, addr + n, buf + n, chunk);
		if (err)
			return err;
		char *nul = memchr(buf + n, '\0', chunk);
		if (nul)
			return NULL;
		n += chunk;
	}
	buf[n] = '\0';
	return NULL;
}

static struct cor_error *add_module_range(struct cor_program *prog, const struct mod_layout *l,
					  uint64_t mod, const char *name)
{
	struct mod_range r = {.base = 0};
	snprintf(r.name, sizeof(r.name), "%s", name);
	if (l->has_core) {
		uint32_t size;
		struct cor_error *err = cor_program_read_u64(prog, mod + l->core_base, &r.base);
		if (!err)
			err = cor_program_read_u32(prog, mod + l->core_size, &size);
		if (err)
			return err;
		r.size = size;
	}
	return cor_vec_push(&prog->sym_state->ranges, &r);
}

static struct cor_error *add_module_syms(struct cor_program *prog, const struct mod_layout *l,
					 uint64_t mod, struct cor_symtab_builder *b)
{
	char name[MOD_NAME_LEN + 1] = "";
	uint64_t ks, symtab, strtab, typetab = 0;
	uint32_t num;
	struct cor_error *err;
	if ((err = cor_program_read(prog, mod + l->name, name, MOD_NAME_LEN)) ||
	    (err = cor_program_read_u64(prog, mod + l->kallsyms, &ks)) ||
	    (err = cor_program_read_u64(prog, ks + l->ks_symtab, &symtab)) ||
	    (err = cor_program_read_u32(prog, ks + l->ks_num, &num)) ||
	    (err = cor_program_read_u64(prog, ks + l->ks_strtab, &strtab)) ||
	    (l->has_typetab && (err = cor_program_read_u64(prog, ks + l->ks_typetab, &typetab))))
		return err;
	name[MOD_NAME_LEN] = '\0';
	if ((err = add_module_range(prog, l, mod, name)))
		return err;
	if (num > MAX_MOD_SYMS)
		return cor_error_create(COR_ERR_CORRUPT, "module %s claims %u symbols", name, num);
	uint8_t *syms = malloc((size_t)num * ELF64_SYM_SIZE + 1), *types = malloc(num + 1u);
	if (!syms || !types)
		err = &cor_enomem;
	if (!err)
		err = cor_program_read(prog, symtab, syms, (size_t)num * ELF64_SYM_SIZE);
	if (!err && typetab)
		err = cor_program_read(prog, typetab, types, num);
	/* Symbol 0 is the ELF null symbol (kernel/module/kallsyms.c add_kallsyms()). */
	for (uint32_t i = 1; !err && i < num; i++) {
		const uint8_t *e = syms + (size_t)i * ELF64_SYM_SIZE;
		char sname[512];
		uint64_t value = cor_le64(e + 8);
		if (cor_le16(e + 6) == 0 /* SHN_UNDEF */ || !value)
			continue;
		if ((err = read_str(prog, strtab + cor_le32(e), sname, sizeof(sname))))
			break;
		if (!sname[0])
			continue;
		char type = typetab ? (char)types[i] : (char)e[4];
		err = cor_symtab_builder_add(b, sname, strlen(sname), value, cor_le64(e + 16), type,
					     name);
	}
	free(syms);
	free(types);
	return err ? cor_error_wrap(err, "symbols of module %s", name) : NULL;
}

/* Walks the `modules` list (kernel/module/main.c), bounded: a cycle or a
 * garbage pointer ends the walk with what was read so far. */
static struct cor_error *load_modules(struct cor_program *prog, struct cor_symtab **ret)
{
	struct cor_symbol head;
	struct mod_layout l;
	struct cor_error *err = cor_program_symbol_by_name(prog, "modules", &head);
	if (err || (err = mod_layout(prog, &l)))
		return err;
	struct cor_symtab_builder *b;
	if ((err = cor_symtab_builder_create(&b)))
		return err;
	uint64_t next;
	err = cor_program_read_u64(prog, head.addr, &next);
	for (int n = 0; !err && next != head.addr && n < MAX_MODULES; n++) {
		err = add_module_syms(prog, &l, next - l.list, b);
		if (!err)
			err = cor_program_read_u64(prog, next, &next);
	}
	if (err == &cor_enomem) {
		cor_symtab_builder_destroy(b);
		return err;
	}
	/* Keep the modules read before a bad one. */
	cor_error_destroy(err);
	return cor_symtab_builder_finish(b, ret);
}

/* Module symbols, loaded on first need (they need types for struct module's
 * layout). NULL if there are none or they cannot be read. */
static struct cor_symtab *modules(struct cor_program *prog)
{
	struct cor_sym_state *st = prog->sym_state;
	if (!st)
		return NULL;
	if (!st->modules_tried) {
		st->modules_tried = true;
		struct cor_error *err = load_modules(prog, &st->modules);
		cor_error_destroy(err); /* no types or no modules: vmlinux symbols only */
	}
	return st->modules;
}

static struct cor_error *no_symbols(struct cor_program *prog)
{
	struct cor_sym_state *st = prog->sym_state;
	if (st && st->error)
		return cor_error_create(COR_ERR_NOT_FOUND, "no symbols: %s", st->error->message);
	return NULL;
}

/* A symbol that only VMCOREINFO names (kallsyms omits its own tables,
 * scripts/kallsyms.c symbol_valid()): type '?', size unknown. */
static struct cor_error *vmcoreinfo_symbol(struct cor_program *prog, const char *name,
					   struct cor_symbol *ret)
{
	char key[300];
	uint64_t addr;
	struct cor_sym_state *st = prog->sym_state;
	snprintf(key, sizeof(key), "SYMBOL(%s)", name);
	if (!st || strlen(name) > 256 || !cor_program_vmcoreinfo_u64(prog, key, &addr))
		return &cor_not_found;
	const char *copy = NULL;
	for (size_t i = 0; i < st->vmcoreinfo_names.len && !copy; i++) {
		const char *n = *(char **)cor_vec_at(&st->vmcoreinfo_names, i);
		if (strcmp(n, name) == 0)
			copy = n;
	}
	if (!copy) {
		char *dup = strdup(name);
		if (!dup || cor_vec_push(&st->vmcoreinfo_names, &dup)) {
			free(dup);
			return &cor_enomem;
		}
		copy = dup;
	}
	*ret = (struct cor_symbol){.name = copy, .addr = addr, .type = '?'};
	return NULL;
}

struct cor_error *cor_program_symbol_by_name(struct cor_program *prog, const char *name,
					     struct cor_symbol *ret)
{
	size_t i;
	struct cor_kallsyms_lazy *lz = lazy_kallsyms(prog);
	struct cor_error *err = &cor_enomem;
	if (lz && cor_kallsyms_lazy_has_names(lz)) {
		err = cor_kallsyms_lazy_by_name(lz, name, ret);
		if (!err)
			return NULL;
		if (err != &cor_not_found) { /* the full table decides */
			cor_error_destroy(err);
			err = &cor_enomem;
		}
	}
	struct cor_symtab *vml = err == &cor_not_found ? NULL : vmlinux_symtab(prog);
	if (vml && cor_symtab_find_name(vml, name, &i)) {
		cor_symtab_at(vml, i, ret);
		return NULL;
	}
	struct cor_symtab *mods = modules(prog);
	if (mods && cor_symtab_find_name(mods, name, &i)) {
		cor_symtab_at(mods, i, ret);
		return NULL;
	}
	err = vmcoreinfo_symbol(prog, name, ret);
	if (err != &cor_not_found)
		return err;
	err = no_symbols(prog);
	return err ? err : cor_error_create(COR_ERR_NOT_FOUND, "no symbol %s", name);
}

/* True if @p addr may belong to a module rather than vmlinux: above the
 * kernel image (modules live at MODULES_VADDR, above it, in
 * Documentation/x86/x86_64/mm.rst). */
static bool maybe_module_addr(struct cor_program *prog, uint64_t addr)
{
	uint64_t lo, hi;
	struct cor_symtab *vml = vmlinux_symtab(prog);
	return !vml || !cor_symtab_bounds(vml, &lo, &hi) || addr >= hi;
}

bool cor_program_symbol_addr(struct cor_program *prog, const char *name, uint64_t *ret)
{
	struct cor_symbol sym;
	struct cor_error *err = cor_program_symbol_by_name(prog, name, &sym);
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	*ret = sym.addr;
	return true;
}

struct cor_error *cor_program_symbol_by_addr(struct cor_program *prog, uint64_t addr,
					     struct cor_symbol *ret, uint64_t *offset_ret)
{
	size_t i;
	struct cor_kallsyms_lazy *lz = lazy_kallsyms(prog);
	if (lz) {
		struct cor_error *err = cor_kallsyms_lazy_by_addr(lz, addr, ret);
		if (!err) {
			*offset_ret = addr - ret->addr;
			return NULL;
		}
		if (err == &cor_not_found) { /* not in vmlinux: maybe a module's */
			struct cor_symtab *mods = modules(prog);
			if (mods && cor_symtab_find_addr(mods, addr, &i)) {
				cor_symtab_at(mods, i, ret);
				*offset_ret = addr - ret->addr;
				return NULL;
			}
			return cor_error_at(COR_ERR_NOT_FOUND, addr, "no symbol at 0x%llx",
					    (unsigned long long)addr);
		}
		cor_error_destroy(err); /* the full table decides */
	}
	struct cor_symtab *mods = maybe_module_addr(prog, addr) ? modules(prog) : NULL;
	struct cor_symtab *tabs[2] = {mods, vmlinux_symtab(prog)};
	for (int k = 0; k < 2; k++) {
		if (tabs[k] && cor_symtab_find_addr(tabs[k], addr, &i)) {
			cor_symtab_at(tabs[k], i, ret);
			*offset_ret = addr - ret->addr;
			return NULL;
		}
	}
	struct cor_error *err = no_symbols(prog);
	return err ? err
		   : cor_error_at(COR_ERR_NOT_FOUND, addr, "no symbol at 0x%llx",
				  (unsigned long long)addr);
}

bool cor_program_format_addr(struct cor_program *prog, uint64_t addr, bool with_module, char *buf,
			     size_t size)
{
	struct cor_symbol sym;
	uint64_t off;
	struct cor_error *err = cor_program_symbol_by_addr(prog, addr, &sym, &off);
	if (err) {
		cor_error_destroy(err);
		if (size)
			buf[0] = '\0';
		return false;
	}
	char offs[32] = "";
	if (off)
		snprintf(offs, sizeof(offs), "+%llu", (unsigned long long)off);
	snprintf(buf, size, "%s%s%s%s%s", sym.name, offs, with_module && sym.module ? " [" : "",
		 with_module && sym.module ? sym.module : "", with_module && sym.module ? "]" : "");
	return true;
}

size_t cor_program_symbols_named(struct cor_program *prog, const char *name, size_t *out,
				 size_t max)
{
	size_t nv = 0, nm = 0;
	struct cor_symtab *vml = vmlinux_symtab(prog);
	if (vml)
		nv = cor_symtab_find_all(vml, name, out, max);
	struct cor_symtab *mods = modules(prog);
	if (mods && nv < max) {
		nm = cor_symtab_find_all(mods, name, out + nv, max - nv);
		size_t base = vml ? cor_symtab_count(vml) : 0;
		for (size_t i = 0; i < COR_MIN(nm, max - nv); i++)
			out[nv + i] += base;
	} else if (mods) {
		nm = cor_symtab_find_all(mods, name, NULL, 0);
	}
	return nv + nm;
}

size_t cor_program_num_symbols(struct cor_program *prog)
{
	struct cor_symtab *mods = modules(prog), *vml = vmlinux_symtab(prog);
	return (vml ? cor_symtab_count(vml) : 0) + (mods ? cor_symtab_count(mods) : 0);
}

struct cor_error *cor_program_symbol_at(struct cor_program *prog, size_t i, struct cor_symbol *ret)
{
	struct cor_symtab *vml = vmlinux_symtab(prog);
	size_t nv = vml ? cor_symtab_count(vml) : 0;
	struct cor_symtab *mods = modules(prog);
	if (i < nv) {
		cor_symtab_at(vml, i, ret);
		return NULL;
	}
	if (mods && i - nv < cor_symtab_count(mods)) {
		cor_symtab_at(mods, i - nv, ret);
		return NULL;
	}
	return cor_error_create(COR_ERR_INVALID, "symbol index %zu out of range", i);
}

struct cor_error *cor_program_module_range(struct cor_program *prog, const char *name,
					   uint64_t *base_ret, uint64_t *size_ret)
{
	modules(prog);
	struct cor_sym_state *st = prog->sym_state;
	for (size_t i = 0; st && i < st->ranges.len; i++) {
		const struct mod_range *r = cor_vec_at(&st->ranges, i);
		if (strcmp(r->name, name) == 0 && r->size) {
			*base_ret = r->base;
			*size_ret = r->size;
			return NULL;
		}
	}
	return cor_error_create(COR_ERR_NOT_FOUND, "no module %s (or its range is unknown)", name);
}
