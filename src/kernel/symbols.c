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
#include "kernel/internal.h"
#include "sym/sym.h"

/* How far past _stext the fallback scan looks for the kallsyms tables: the
 * kernel image mapping is at most KERNEL_IMAGE_SIZE (1 GiB with KASLR,
 * arch/x86/include/asm/page_64_types.h), but text + rodata of any real
 * kernel fit in 256 MiB. */
#define KALLSYMS_SCAN_SPAN (256ull << 20)

struct cor_sym_state {
	/* Whether vmlinux symbols were loaded (or failed: see error). kallsyms are
	 * decoded on first use, so that commands without symbols (log, rd ADDR)
	 * do not pay the ~20 ms; a vmlinux is loaded and checked at open. */
	bool loaded;
	/* Module symbols; NULL until loaded (or if there are none). */
	struct cor_symtab *modules;
	bool modules_tried;
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
	prog->sym_state = st;
	/* A wrong vmlinux is the user's error: fail the open. */
	return prog->vmlinux_path ? load_vmlinux_symbols(prog, st) : NULL;
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
		cor_error_destroy(st->error);
		free(st);
	}
	prog->sym_state = NULL;
}

/* Module symbols, loaded on first need. NULL if there are none or they cannot
 * be read. (Loading them needs struct module's layout from types: not wired
 * yet, so this is NULL for now.) */
static struct cor_symtab *modules(struct cor_program *prog)
{
	struct cor_sym_state *st = prog->sym_state;
	return st ? st->modules : NULL;
}

static struct cor_error *no_symbols(struct cor_program *prog)
{
	struct cor_sym_state *st = prog->sym_state;
	if (st && st->error)
		return cor_error_create(COR_ERR_NOT_FOUND, "no symbols: %s", st->error->message);
	return NULL;
}

struct cor_error *cor_program_symbol_by_name(struct cor_program *prog, const char *name,
					     struct cor_symbol *ret)
{
	size_t i;
	struct cor_symtab *vml = vmlinux_symtab(prog);
	if (vml && cor_symtab_find_name(vml, name, &i)) {
		cor_symtab_at(vml, i, ret);
		return NULL;
	}
	struct cor_symtab *mods = modules(prog);
	if (mods && cor_symtab_find_name(mods, name, &i)) {
		cor_symtab_at(mods, i, ret);
		return NULL;
	}
	struct cor_error *err = no_symbols(prog);
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

struct cor_error *cor_program_symbol_by_addr(struct cor_program *prog, uint64_t addr,
					     struct cor_symbol *ret, uint64_t *offset_ret)
{
	size_t i;
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
