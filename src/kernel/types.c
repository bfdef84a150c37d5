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

static struct cor_error *member_off(struct cor_types *types, const char *type, const char *member,
				    uint64_t *off)
{
	const struct cor_type *t;
	struct cor_member_result r;
	struct cor_error *err = cor_types_find(types, type, &t);
	if (!err && !(err = cor_types_member(types, t, member, &r)))
		*off = r.bit_offset / 8;
	return err;
}

/* Module BTF: kernel/bpf/btf.c (6.1) keeps each module's parsed BTF on the
 * static list btf_modules (struct btf_module {list, module, btf}); struct btf
 * keeps the raw split blob (data, data_size) and the module's name. A module
 * whose BTF cannot be read is skipped: the kernel's types still work. */
#define MODULES_MAX 4096
static void load_module_btf(struct cor_program *prog, struct cor_types *types)
{
	struct cor_symbol head;
	uint64_t o_list, o_btf, o_data, o_size, o_name, next, btf, data;
	uint32_t size;
	struct cor_error *err = cor_program_symbol_by_name(prog, "btf_modules", &head);
	if (!err)
		err = member_off(types, "struct btf_module", "list", &o_list);
	if (!err)
		err = member_off(types, "struct btf_module", "btf", &o_btf);
	if (!err)
		err = member_off(types, "struct btf", "data", &o_data);
	if (!err)
		err = member_off(types, "struct btf", "data_size", &o_size);
	if (!err)
		err = member_off(types, "struct btf", "name", &o_name);
	if (!err)
		err = cor_program_read_u64(prog, head.addr, &next);
	for (int i = 0; !err && i < MODULES_MAX && next != head.addr; i++) {
		char name[57] = "";
		uint64_t node = next - o_list;
		if ((err = cor_program_read_u64(prog, node + o_btf, &btf)) ||
		    (err = cor_program_read_u64(prog, btf + o_data, &data)) ||
		    (err = cor_program_read_u32(prog, btf + o_size, &size)) ||
		    (err = cor_program_read(prog, btf + o_name, name, 56)))
			break;
		void *buf = size >= 24 && size <= BTF_MAX_SIZE ? malloc(size) : NULL;
		if (buf && !(err = cor_program_read(prog, data, buf, size)))
			err = cor_types_add_module_btf_mem(types, name, buf, size);
		free(buf);
		cor_error_destroy(err); /* this module only */
		err = cor_program_read_u64(prog, next, &next);
	}
	cor_error_destroy(err);
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
		if (cor_types_has_btf(prog->types))
			load_module_btf(prog, prog->types);
		/* The symbols code has checked that the vmlinux is this kernel's. */
		if (prog->vmlinux_path &&
		    (err = cor_types_add_dwarf(prog->types, prog->vmlinux_path))) {
			if (!cor_error_is(err, COR_ERR_NOT_FOUND))
				return err;
			cor_error_destroy(err); /* a vmlinux without DWARF: BTF only */
		}
	}
	if (!cor_types_has_btf(prog->types) && !cor_types_has_dwarf(prog->types)) {
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

/* ---- globals ---- */

/*
 * Well-known kernel globals whose types BTF does not carry (pahole emits VARs
 * only for per-cpu variables) and that diagnosis and users read. Types are
 * those of Linux 6.1 (the file that defines each is named); every entry is
 * checked against the dump's BTF at run time: the type must exist and fit in
 * the symbol, otherwise the symbol is reported untyped rather than
 * mis-typed. "{TYPE NAME; ...}" describes an anonymous struct, laid out with
 * the x86-64 ABI's alignment; "[]" an array sized by the symbol.
 */
static const struct global_entry {
	const char *name;
	const char *type;
} global_table[] = {
    /* init/init_task.c */
    {"init_task", "struct task_struct"},
    /* kernel/time/jiffies.c: __cacheline_aligned_in_smp DEFINE_RAW_SPINLOCK(jiffies_lock) */
    {"jiffies_lock", "raw_spinlock_t"},
    {"jiffies_seq", "seqcount_raw_spinlock_t"},
    /* include/linux/jiffies.h */
    {"jiffies", "volatile unsigned long"},
    {"jiffies_64", "u64"},
    /* kernel/time/timekeeping.c: static struct { seqcount_raw_spinlock_t seq;
     * struct timekeeper timekeeper; } tk_core ____cacheline_aligned */
    {"tk_core", "{seqcount_raw_spinlock_t seq; struct timekeeper timekeeper;}"},
    {"shadow_timekeeper", "struct timekeeper"},
    /* kernel/time/tick-sched.c, kernel/time/tick-common.c */
    {"last_jiffies_update", "ktime_t"},
    {"tick_do_timer_cpu", "int"},
    /* kernel/time/clocksource.c */
    {"curr_clocksource", "struct clocksource *"},
    {"clocksource_list", "struct list_head"},
    /* kernel/printk/printk.c, printk_ringbuffer.h */
    {"prb", "struct printk_ringbuffer *"},
    {"printk_rb_static", "struct printk_ringbuffer"},
    /* arch/x86/kernel/setup_percpu.c: unsigned long __per_cpu_offset[NR_CPUS] */
    {"__per_cpu_offset", "unsigned long[]"},
    /* arch/x86/kernel/tsc.c */
    {"cpu_khz", "unsigned int"},
    {"tsc_khz", "unsigned int"},
    /* kernel/sched/loadavg.c */
    {"avenrun", "unsigned long[3]"},
    /* kernel/module/main.c */
    {"modules", "struct list_head"},
    /* arch/x86/kernel/cpu/mce/core.c */
    {"mce_panicked", "atomic_t"},
    /* kernel/panic.c */
    {"panic_cpu", "atomic_t"},
    {"tainted_mask", "unsigned long"},
    {"panic_on_oops", "int"},
    {"oops_in_progress", "int"},
    /* kernel/smp.c, kernel/cpu.c */
    {"nr_cpu_ids", "unsigned int"},
    {"__cpu_online_mask", "struct cpumask"},
    {"__cpu_possible_mask", "struct cpumask"},
    {"__cpu_active_mask", "struct cpumask"},
    /* init/main.c, init/version.c, kernel/utsname.c */
    {"system_state", "enum system_states"},
    {"saved_command_line", "char *"},
    {"linux_banner", "const char[]"},
    {"init_uts_ns", "struct uts_namespace"},
    /* mm/init-mm.c, mm/memblock.c, arch/x86/kernel/head64.c, mm/sparse.c */
    {"init_mm", "struct mm_struct"},
    {"max_pfn", "unsigned long"},
    {"vmemmap_base", "unsigned long"},
    {"page_offset_base", "unsigned long"},
    {"mem_section", "struct mem_section **"},
    /* kernel/pid.c */
    {"init_pid_ns", "struct pid_namespace"},
    /* kernel/watchdog.c, kernel/hung_task.c */
    {"watchdog_thresh", "int"},
    {"sysctl_hung_task_timeout_secs", "unsigned long"},
};

static const struct global_entry *table_entry(const char *name)
{
	for (size_t i = 0; i < COR_ARRAY_SIZE(global_table); i++)
		if (strcmp(global_table[i].name, name) == 0)
			return &global_table[i];
	return NULL;
}

/* "{TYPE NAME; TYPE NAME;}": an anonymous struct laid out as gcc would. */
static struct cor_error *parse_anon_struct(struct cor_types *types, const char *spec,
					   const struct cor_type **ret)
{
	struct cor_member members[16];
	uint32_t n = 0;
	uint64_t off = 0, align = 1;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", spec + 1);
	for (char *save, *decl = strtok_r(buf, ";}", &save); decl && n < 16;
	     decl = strtok_r(NULL, ";}", &save)) {
		while (*decl == ' ')
			decl++;
		char *name = strrchr(decl, ' ');
		if (!*decl || !name)
			continue;
		*name++ = '\0';
		const struct cor_type *mt;
		uint64_t size;
		struct cor_error *err = cor_types_find(types, decl, &mt);
		if (err || (err = cor_types_sizeof(types, mt, &size)))
			return err;
		uint64_t a = cor_types_alignof(types, mt);
		off = (off + a - 1) / a * a;
		align = COR_MAX(align, a);
		char *copy = strdup(name);
		if (!copy || (err = cor_types_keep(types, copy)))
			return copy ? err : &cor_enomem;
		members[n].name = copy;
		members[n].bit_offset = off * 8;
		members[n].bit_size = 0;
		members[n].type = mt->ref;
		n++;
		off += size;
	}
	return cor_types_make_struct(types, members, n, (off + align - 1) / align * align, ret);
}

/* The table's type for @p e, checked against BTF and the symbol size. */
static const char *table_type(struct cor_types *types, const struct global_entry *e,
			      const struct cor_symbol *sym, const struct cor_type **ret)
{
	const struct cor_type *t;
	struct cor_error *err;
	size_t len = strlen(e->type);
	uint64_t size;
	if (e->type[0] == '{') {
		err = parse_anon_struct(types, e->type, &t);
	} else if (len > 2 && strcmp(e->type + len - 2, "[]") == 0) {
		char base[128];
		snprintf(base, sizeof(base), "%.*s", (int)(len - 2), e->type);
		const struct cor_type *elem;
		uint64_t esize;
		err = cor_types_find(types, base, &elem);
		if (!err && !(err = cor_types_sizeof(types, elem, &esize)))
			err = sym->size && esize
				  ? cor_types_array_of(types, elem->ref, sym->size / esize, &t)
				  : cor_error_create(COR_ERR_NOT_FOUND, "no size");
	} else {
		err = cor_types_find(types, e->type, &t);
	}
	if (err) {
		cor_error_destroy(err);
		return "its table type is not in this kernel's BTF";
	}
	if ((err = cor_types_sizeof(types, t, &size))) {
		cor_error_destroy(err);
		return "its table type has no size in this kernel's BTF";
	}
	if (sym->size && size > sym->size)
		return "its table type is larger than the symbol in this kernel";
	*ret = t;
	return NULL;
}

static bool is_percpu_symbol(struct cor_program *prog, uint64_t addr)
{
	/* Per-cpu symbols are offsets into the per-cpu area: below
	 * __per_cpu_end (include/asm-generic/vmlinux.lds.h, PERCPU_VADDR 0 on x86-64 SMP). */
	struct cor_symbol end;
	struct cor_error *err = cor_program_symbol_by_name(prog, "__per_cpu_end", &end);
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	return addr < end.addr;
}

struct cor_error *cor_program_global(struct cor_program *prog, const char *name,
				     struct cor_global *ret)
{
	struct cor_symbol sym;
	struct cor_types *types;
	struct cor_error *err = cor_program_symbol_by_name(prog, name, &sym);
	if (err)
		return err;
	if ((err = cor_program_types(prog, &types)))
		return err;
	struct cor_global g = {.name = sym.name, .addr = sym.addr, .size = sym.size};
	g.percpu = !sym.module && is_percpu_symbol(prog, sym.addr);
	cor_type_ref ref;
	const struct global_entry *e;
	if (!(err = cor_types_global_type(types, name, sym.type, &ref))) {
		if ((err = cor_types_get(types, ref, &g.type)))
			return err;
		/* DWARF describes every variable: with it, it is the source. */
		g.source = cor_types_has_dwarf(types) ? "dwarf" : "btf";
	} else if (!cor_error_is(err, COR_ERR_NOT_FOUND)) {
		return err;
	} else if (!sym.module && (e = table_entry(name))) {
		cor_error_destroy(err);
		g.why = table_type(types, e, &sym, &g.type);
		g.source = g.type ? "table" : NULL;
	} else {
		cor_error_destroy(err);
		g.why = sym.module ? "a module symbol, no DWARF" : "no DWARF, not in the table";
	}
	*ret = g;
	return NULL;
}

static struct cor_error *read_symbol_u32(struct cor_program *prog, const char *name, uint32_t *ret)
{
	struct cor_symbol sym;
	struct cor_error *err = cor_program_symbol_by_name(prog, name, &sym);
	if (err)
		return err;
	return cor_program_read_u32(prog, sym.addr, ret);
}

struct cor_error *cor_program_source_line(struct cor_program *prog, uint64_t addr,
					  const char **file, int *line)
{
	struct cor_types *types;
	uint64_t kaslr = 0;
	struct cor_error *err = cor_program_types(prog, &types);
	if (err)
		return err;
	/* DWARF has link-time addresses; the dump's are shifted by KASLR. */
	cor_program_vmcoreinfo_u64(prog, "KERNELOFFSET", &kaslr);
	if ((err = cor_types_source_line(types, addr - kaslr, file, line)))
		return err;
	return NULL;
}

struct cor_error *cor_program_nr_cpu_ids(struct cor_program *prog, unsigned *ret)
{
	uint32_t n;
	struct cor_error *err = read_symbol_u32(prog, "nr_cpu_ids", &n);
	if (err)
		return cor_error_wrap(err, "reading nr_cpu_ids");
	/* NR_CPUS is at most 8192 on x86-64 (arch/x86/Kconfig, MAXSMP). */
	if (n == 0 || n > 8192)
		return cor_error_create(COR_ERR_CORRUPT, "nr_cpu_ids is %u", n);
	*ret = n;
	return NULL;
}

struct cor_error *cor_program_percpu_addr(struct cor_program *prog, uint64_t offset, unsigned cpu,
					  uint64_t *ret)
{
	unsigned n;
	struct cor_symbol pco;
	uint64_t base;
	struct cor_error *err = cor_program_nr_cpu_ids(prog, &n);
	if (err)
		return err;
	if (cpu >= n)
		return cor_error_create(COR_ERR_INVALID, "cpu %u: only %u cpus (nr_cpu_ids)", cpu,
					n);
	if ((err = cor_program_symbol_by_name(prog, "__per_cpu_offset", &pco)) ||
	    (err = cor_program_read_u64(prog, pco.addr + 8ull * cpu, &base)))
		return cor_error_wrap(err, "reading __per_cpu_offset[%u]", cpu);
	*ret = base + offset;
	return NULL;
}
