// SPDX-License-Identifier: MIT
// Backtraces on a program: ORC tables from the dump's own memory (vmlinux
// __start_orc_unwind_ip.. and each module's mod->arch), the stacks of a CPU
// (cpu_entry_area exception stacks, the IRQ stack) and of a task, and where a
// CPU's or a task's trace starts. See include/coroner/stack.h.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coroner/cpus.h"
#include "coroner/program.h"
#include "coroner/stack.h"
#include "coroner/symbols.h"
#include "coroner/tasks.h"
#include "coroner/types.h"
#include "kernel/internal.h"

#define MAX_ORC_BYTES (64u << 20)
#define MAX_MODULES   4096
#define MAX_STACKS    12
/* The kernel text mapping: no kernel text below it (mem.h). */
#define COR_X86_START_KERNEL_MAP_TEXT 0xffffffff80000000ull
#define DEFAULT_THREAD_SIZE	      16384 /* arch/x86/include/asm/page_64_types.h, no KASAN */

struct mod_orc {
	uint64_t mod, base, size;
	bool loaded, ok;
	uint8_t *ip, *orc;
	struct cor_orc_table tab;
};

struct cor_stack_cache {
	bool have_orc;
	/* The vmlinux table came from the -k file, not the dump. */
	bool orc_from_elf;
	char orc_error[160];
	uint8_t *ip, *orc;
	struct cor_orc_table tab;
	struct mod_orc *mods;
	size_t num_mods;
	struct cor_ptregs_layout layout;
	uint64_t thread_size;
};

void cor_program_stack_cache_destroy(struct cor_program *prog)
{
	struct cor_stack_cache *c = prog->stack_cache;
	if (!c)
		return;
	free(c->ip);
	free(c->orc);
	for (size_t i = 0; i < c->num_mods; i++) {
		free(c->mods[i].ip);
		free(c->mods[i].orc);
	}
	free(c->mods);
	free(c);
	prog->stack_cache = NULL;
}

static bool rd64(struct cor_program *prog, uint64_t addr, uint64_t *v)
{
	struct cor_error *err = cor_program_read_u64(prog, addr, v);
	cor_error_destroy(err);
	return !err;
}

static bool rd32(struct cor_program *prog, uint64_t addr, uint32_t *v)
{
	struct cor_error *err = cor_program_read_u32(prog, addr, v);
	cor_error_destroy(err);
	return !err;
}

static enum cor_orc_format orc_format(struct cor_program *prog)
{
	/* struct orc_entry gained `signal` (and lost `end`) in 6.3. */
	return cor_program_has_member(prog, "struct orc_entry", "signal") ? COR_ORC_FMT_SIGNAL_BIT
									  : COR_ORC_FMT_END_BIT;
}

/* Reads an ORC table of @num entries: ips at @ip_addr, entries at @orc_addr. */
static struct cor_error *read_orc(struct cor_program *prog, uint64_t ip_addr, uint64_t orc_addr,
				  uint64_t num, uint8_t **ip_ret, uint8_t **orc_ret,
				  struct cor_orc_table *tab)
{
	if (num == 0 || num > MAX_ORC_BYTES / 6)
		return cor_error_create(COR_ERR_CORRUPT, "ORC table of %llu entries",
					(unsigned long long)num);
	uint8_t *ip = malloc(num * 4), *orc = malloc(num * 6);
	struct cor_error *err = NULL;
	if (!ip || !orc)
		err = &cor_enomem;
	if (!err)
		err = cor_program_read(prog, ip_addr, ip, num * 4);
	if (!err)
		err = cor_program_read(prog, orc_addr, orc, num * 6);
	if (!err)
		err = cor_orc_parse_mem(ip, num * 4, orc, num * 6, ip_addr, orc_format(prog), tab);
	if (err) {
		free(ip);
		free(orc);
		return err;
	}
	*ip_ret = ip;
	*orc_ret = orc;
	return NULL;
}

static struct cor_error *load_vmlinux_orc(struct cor_program *prog, struct cor_stack_cache *c)
{
	uint64_t start_ip, stop_ip, start_orc;
	if (!cor_program_symbol_addr(prog, "__start_orc_unwind_ip", &start_ip) ||
	    !cor_program_symbol_addr(prog, "__stop_orc_unwind_ip", &stop_ip) ||
	    !cor_program_symbol_addr(prog, "__start_orc_unwind", &start_orc))
		return cor_error_create(COR_ERR_NOT_FOUND, "no ORC tables (__start_orc_unwind_ip): "
							   "a kernel without CONFIG_UNWINDER_ORC");
	if (stop_ip <= start_ip || (stop_ip - start_ip) % 4)
		return cor_error_create(COR_ERR_CORRUPT, "ORC: bad __start/__stop_orc_unwind_ip");
	return read_orc(prog, start_ip, start_orc, (stop_ip - start_ip) / 4, &c->ip, &c->orc,
			&c->tab);
}

static struct cor_stack_cache *cache(struct cor_program *prog);

static struct cor_error *load_elf_orc(struct cor_program *prog, struct cor_stack_cache *c)
{
	uint8_t *ip, *orc;
	size_t ip_len, orc_len;
	uint64_t ip_addr, koff = 0;
	struct cor_error *err =
	    cor_orc_read_elf(prog->vmlinux_path, &ip, &ip_len, &orc, &orc_len, &ip_addr);
	if (err)
		return err;
	/* KASLR moves the kernel by VMCOREINFO's KERNELOFFSET (kernel/crash_core.c). */
	cor_program_vmcoreinfo_u64(prog, "KERNELOFFSET", &koff);
	if ((err = cor_orc_parse_mem(ip, ip_len, orc, orc_len, ip_addr + koff, orc_format(prog),
				     &c->tab))) {
		free(ip);
		free(orc);
		return err;
	}
	c->ip = ip;
	c->orc = orc;
	return NULL;
}

const char *cor_program_orc_source(struct cor_program *prog, const char **why_ret)
{
	struct cor_stack_cache *c = cache(prog);
	if (why_ret)
		*why_ret = c ? c->orc_error : "out of memory";
	if (!c || !c->have_orc)
		return NULL;
	return c->orc_from_elf ? "vmlinux" : "dump";
}

/* The modules' text ranges; their ORC tables load on first use. */
static struct cor_error *list_modules(struct cor_program *prog, struct cor_stack_cache *c)
{
	uint64_t head, off_list, off_base, off_size, pos;
	struct cor_error *err;
	if (!cor_program_symbol_addr(prog, "modules", &head))
		return NULL;
	/* 6.1: module->core_layout {base, size} (include/linux/module.h). */
	if ((err = cor_program_member_offset(prog, "struct module", "list", &off_list)) ||
	    (err =
		 cor_program_member_offset(prog, "struct module", "core_layout.base", &off_base)) ||
	    (err =
		 cor_program_member_offset(prog, "struct module", "core_layout.size", &off_size))) {
		cor_error_destroy(err);
		return NULL;
	}
	uint64_t off_ibase = 0, off_isize = 0;
	if ((err = cor_program_member_offset(prog, "struct module", "init_layout.base",
					     &off_ibase)) ||
	    (err = cor_program_member_offset(prog, "struct module", "init_layout.size",
					     &off_isize))) {
		cor_error_destroy(err);
		off_ibase = 0;
	}
	if ((err = cor_program_read_u64(prog, head, &pos))) {
		cor_error_destroy(err);
		return NULL;
	}
	for (unsigned n = 0; pos != head && n < MAX_MODULES; n++) {
		uint64_t mod = pos - off_list, base, next;
		uint32_t size;
		if (!rd64(prog, mod + off_base, &base) || !rd32(prog, mod + off_size, &size) ||
		    !rd64(prog, pos, &next))
			break; /* a broken list: keep the modules found so far */
		struct mod_orc *m = realloc(c->mods, (c->num_mods + 2) * sizeof(*m));
		if (!m)
			return &cor_enomem;
		c->mods = m;
		c->mods[c->num_mods++] = (struct mod_orc){.mod = mod, .base = base, .size = size};
		/* The module's ORC table covers its init text too (module_finalize()). */
		if (!off_ibase || !rd64(prog, mod + off_ibase, &base) ||
		    !rd32(prog, mod + off_isize, &size) || !base || !size)
			base = size = 0;
		if (size)
			c->mods[c->num_mods++] =
			    (struct mod_orc){.mod = mod, .base = base, .size = size};
		pos = next;
	}
	return NULL;
}

static void load_layout(struct cor_program *prog, struct cor_stack_cache *c)
{
	static const struct {
		enum cor_cpu_reg reg;
		const char *name;
	} regs[] = {
	    {COR_CPU_REG_R15, "r15"},	      {COR_CPU_REG_R14, "r14"}, {COR_CPU_REG_R13, "r13"},
	    {COR_CPU_REG_R12, "r12"},	      {COR_CPU_REG_BP, "bp"},	{COR_CPU_REG_BX, "bx"},
	    {COR_CPU_REG_R11, "r11"},	      {COR_CPU_REG_R10, "r10"}, {COR_CPU_REG_R9, "r9"},
	    {COR_CPU_REG_R8, "r8"},	      {COR_CPU_REG_AX, "ax"},	{COR_CPU_REG_CX, "cx"},
	    {COR_CPU_REG_DX, "dx"},	      {COR_CPU_REG_SI, "si"},	{COR_CPU_REG_DI, "di"},
	    {COR_CPU_REG_ORIG_AX, "orig_ax"}, {COR_CPU_REG_IP, "ip"},	{COR_CPU_REG_CS, "cs"},
	    {COR_CPU_REG_FLAGS, "flags"},     {COR_CPU_REG_SP, "sp"},	{COR_CPU_REG_SS, "ss"},
	};
	struct cor_ptregs_layout l;
	uint64_t size, off;
	cor_ptregs_layout_x86_64(&c->layout);
	struct cor_error *err = cor_program_type_size(prog, "struct pt_regs", &size);
	if (err || size > 512) {
		cor_error_destroy(err);
		return; /* no BTF: the x86-64 layout, unchanged since 2.6.25 */
	}
	for (int i = 0; i < COR_CPU_REG_NUM; i++)
		l.off[i] = UINT32_MAX;
	l.size = (uint32_t)size;
	for (size_t i = 0; i < COR_ARRAY_SIZE(regs); i++) {
		if ((err = cor_program_member_offset(prog, "struct pt_regs", regs[i].name, &off))) {
			cor_error_destroy(err);
			return;
		}
		l.off[regs[i].reg] = (uint32_t)off;
	}
	c->layout = l;
}

static struct cor_stack_cache *cache(struct cor_program *prog)
{
	if (prog->stack_cache)
		return prog->stack_cache;
	struct cor_stack_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	prog->stack_cache = c;
	struct cor_error *err = load_vmlinux_orc(prog, c);
	if (err && prog->vmlinux_path) {
		/* The dump's copy is missing or filtered out: the vmlinux's. */
		struct cor_error *e2 = load_elf_orc(prog, c);
		if (!e2) {
			cor_error_destroy(err);
			err = NULL;
			c->orc_from_elf = true;
		} else {
			err = cor_error_wrap(err, "vmlinux: %s; dump", e2->message);
			cor_error_destroy(e2);
		}
	}
	if (err) {
		snprintf(c->orc_error, sizeof(c->orc_error), "%s", err->message);
		cor_error_destroy(err);
	} else {
		c->have_orc = true;
	}
	if ((err = list_modules(prog, c)))
		cor_error_destroy(err);
	load_layout(prog, c);
	uint64_t off, size;
	/* struct irq_stack { char stack[IRQ_STACK_SIZE]; } and IRQ_STACK_SIZE ==
	 * THREAD_SIZE on x86-64 (arch/x86/include/asm/page_64_types.h). */
	err = cor_program_member_info(prog, "struct irq_stack", "stack", &off, &size);
	c->thread_size = !err && size >= 4096 && size <= (1u << 20) ? size : DEFAULT_THREAD_SIZE;
	cor_error_destroy(err);
	return c;
}

void cor_program_ptregs_layout(struct cor_program *prog, struct cor_ptregs_layout *ret)
{
	struct cor_stack_cache *c = cache(prog);
	if (c)
		*ret = c->layout;
	else
		cor_ptregs_layout_x86_64(ret);
}

static void load_mod_orc(struct cor_program *prog, struct mod_orc *m)
{
	uint64_t off_ip, off_orc, off_num, ip, orc;
	uint32_t num;
	struct cor_error *err;
	m->loaded = true;
	/* struct mod_arch_specific (arch/x86/include/asm/module.h, UNWINDER_ORC). */
	if ((err =
		 cor_program_member_offset(prog, "struct module", "arch.orc_unwind_ip", &off_ip)) ||
	    (err = cor_program_member_offset(prog, "struct module", "arch.orc_unwind", &off_orc)) ||
	    (err = cor_program_member_offset(prog, "struct module", "arch.num_orcs", &off_num))) {
		cor_error_destroy(err);
		return;
	}
	if (!rd64(prog, m->mod + off_ip, &ip) || !rd64(prog, m->mod + off_orc, &orc) ||
	    !rd32(prog, m->mod + off_num, &num))
		return;
	if ((err = read_orc(prog, ip, orc, num, &m->ip, &m->orc, &m->tab))) {
		cor_error_destroy(err);
		return;
	}
	m->ok = true;
}

/* ---- the unwinder's view of a program ------------------------------------ */

struct ctx {
	struct cor_program *prog;
	struct cor_stack_cache *c;
	struct cor_stack_range stacks[MAX_STACKS];
	size_t num_stacks;
};

static struct cor_error *ctx_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct ctx *x = arg;
	return cor_program_read(x->prog, addr, buf, len);
}

static bool ctx_find_orc(void *arg, uint64_t ip, struct cor_orc_entry *ret)
{
	struct ctx *x = arg;
	struct cor_stack_cache *c = x->c;
	/* The table covers .text and .init.text (whose entries stay after boot). */
	if (c->have_orc && ip >= c->tab.first_ip && ip < c->tab.last_ip)
		return cor_orc_find(&c->tab, ip, ret);
	for (size_t i = 0; i < c->num_mods; i++) {
		struct mod_orc *m = &c->mods[i];
		if (ip < m->base || ip - m->base >= m->size)
			continue;
		if (!m->loaded)
			load_mod_orc(x->prog, m);
		return m->ok && ip <= m->tab.last_ip && cor_orc_find(&m->tab, ip, ret);
	}
	return false;
}

static bool ctx_stack_of(void *arg, uint64_t sp, struct cor_stack_range *ret)
{
	struct ctx *x = arg;
	for (size_t i = 0; i < x->num_stacks; i++) {
		if (sp >= x->stacks[i].lo && sp < x->stacks[i].hi) {
			*ret = x->stacks[i];
			return true;
		}
	}
	return false;
}

static bool ctx_is_text(void *arg, uint64_t ip)
{
	struct ctx *x = arg;
	struct cor_symbol s;
	uint64_t off;
	if (ip < COR_X86_START_KERNEL_MAP_TEXT)
		return false;
	struct cor_error *err = cor_program_symbol_by_addr(x->prog, ip, &s, &off);
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	return s.type == 't' || s.type == 'T' || s.type == 'w' || s.type == 'W';
}

static const struct cor_unwind_ops ctx_ops = {
    .read = ctx_read,
    .find_orc = ctx_find_orc,
    .stack_of = ctx_stack_of,
    .is_text = ctx_is_text,
};

static void add_stack(struct ctx *x, enum cor_stack_kind kind, uint64_t lo, uint64_t hi)
{
	if (x->num_stacks < MAX_STACKS && lo < hi)
		x->stacks[x->num_stacks++] = (struct cor_stack_range){kind, lo, hi};
}

static void cpu_stacks(struct ctx *x, unsigned cpu)
{
	static const struct {
		enum cor_stack_kind kind;
		const char *member;
	} est[] = {
	    {COR_STACK_NMI, "NMI_stack"}, {COR_STACK_MCE, "MCE_stack"},
	    {COR_STACK_DB, "DB_stack"},	  {COR_STACK_DF, "DF_stack"},
	    {COR_STACK_VC, "VC_stack"},	  {COR_STACK_VC2, "VC2_stack"},
	};
	uint64_t p, ptr, off, size;
	struct cor_error *err;
	/* per-cpu cea_exception_stacks -> struct cea_exception_stacks in the
	 * cpu_entry_area (arch/x86/include/asm/cpu_entry_area.h). */
	if (!(err = cor_program_per_cpu_addr(x->prog, "cea_exception_stacks", cpu, &p)) &&
	    rd64(x->prog, p, &ptr)) {
		for (size_t i = 0; i < COR_ARRAY_SIZE(est); i++) {
			struct cor_error *e = cor_program_member_info(
			    x->prog, "struct cea_exception_stacks", est[i].member, &off, &size);
			if (!e)
				add_stack(x, est[i].kind, ptr + off, ptr + off + size);
			cor_error_destroy(e);
		}
	}
	cor_error_destroy(err);
	/* hardirq_stack_ptr = top of the IRQ stack - 8 (arch/x86/kernel/irq_64.c
	 * map_irq_stack(), 6.1); pcpu_hot.hardirq_stack_ptr since 6.2. */
	err = cor_program_per_cpu_addr(x->prog, "hardirq_stack_ptr", cpu, &p);
	if (err) {
		cor_error_destroy(err);
		if (!(err = cor_program_per_cpu_addr(x->prog, "pcpu_hot", cpu, &p)) &&
		    !(err = cor_program_member_offset(x->prog, "struct pcpu_hot",
						      "hardirq_stack_ptr", &off)))
			p += off;
	}
	if (!err && rd64(x->prog, p, &ptr) && ptr)
		add_stack(x, COR_STACK_IRQ, ptr + 8 - x->c->thread_size, ptr + 8);
	cor_error_destroy(err);
}

static void task_stack(struct ctx *x, uint64_t task)
{
	uint64_t off, base;
	struct cor_error *err =
	    cor_program_member_offset(x->prog, "struct task_struct", "stack", &off);
	if (!err && rd64(x->prog, task + off, &base) && base)
		add_stack(x, COR_STACK_TASK, base, base + x->c->thread_size);
	cor_error_destroy(err);
}

static struct cor_error *ctx_init(struct cor_program *prog, struct ctx *x, int cpu, uint64_t task)
{
	memset(x, 0, sizeof(*x));
	x->prog = prog;
	if (!(x->c = cache(prog)))
		return &cor_enomem;
	if (cpu >= 0)
		cpu_stacks(x, (unsigned)cpu);
	if (task)
		task_stack(x, task);
	return NULL;
}

struct cor_error *cor_program_stacks(struct cor_program *prog, unsigned cpu, uint64_t task,
				     struct cor_stack_range *ret, size_t max, size_t *num_ret)
{
	struct ctx x;
	struct cor_error *err = ctx_init(prog, &x, (int)cpu, task);
	if (err)
		return err;
	size_t n = COR_MIN(max, x.num_stacks);
	memcpy(ret, x.stacks, n * sizeof(*ret));
	*num_ret = n;
	return NULL;
}

/* Names the frames' symbols. */
static void symbolize(struct cor_program *prog, struct cor_backtrace *bt)
{
	for (size_t i = 0; i < bt->frames.len; i++) {
		struct cor_frame *f = cor_vec_at(&bt->frames, i);
		struct cor_symbol s;
		uint64_t off;
		/* A return address after a call to a noreturn function is the
		 * next function's first byte: name the call, at pc - 1, as the
		 * kernel's %pB does (lib/vsprintf.c). */
		bool ret_addr = f->how != COR_FRAME_REGS_START && f->how != COR_FRAME_EXCEPTION;
		struct cor_error *err =
		    cor_program_symbol_by_addr(prog, f->pc - (ret_addr ? 1 : 0), &s, &off);
		if (!err) {
			off = f->pc - s.addr;
			snprintf(f->function, sizeof(f->function), "%s", s.name);
			snprintf(f->symbol, sizeof(f->symbol),
				 off ? "%s+%llu%s%s%s" : "%s%.0llu%s%s%s", s.name,
				 (unsigned long long)off, s.module ? " [" : "",
				 s.module ? s.module : "", s.module ? "]" : "");
		}
		cor_error_destroy(err);
	}
}

static bool in_function(struct cor_program *prog, uint64_t addr, const char *name)
{
	struct cor_symbol s;
	uint64_t off;
	struct cor_error *err = cor_program_symbol_by_addr(prog, addr, &s, &off);
	bool r = !err && off && strcmp(s.name, name) == 0;
	cor_error_destroy(err);
	return r;
}

/* Does @bt pass through the saved context @regs (the note's)? */
static bool reaches(struct cor_program *prog, const struct cor_backtrace *bt,
		    const struct cor_regs *regs)
{
	struct cor_symbol want;
	uint64_t off;
	struct cor_error *err =
	    cor_program_symbol_by_addr(prog, regs->r[COR_CPU_REG_IP], &want, &off);
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	for (size_t i = 0; i < bt->frames.len; i++) {
		const struct cor_frame *f = cor_backtrace_frame(bt, i);
		if (f->pc == regs->r[COR_CPU_REG_IP])
			return true;
		if (i > 0 && in_function(prog, f->pc, want.name))
			return true;
	}
	return false;
}

/*
 * kdump: the note holds the context the CPU saved (crash_setup_regs() in
 * __crash_kexec(), or the interrupted context for the NMI shoot-down), not
 * where the CPU stopped. The crashing CPU stopped in machine_kexec()
 * (arch/x86/kernel/machine_kexec_64.c), the others in crash_nmi_callback()
 * (arch/x86/kernel/reboot.c), halted. Their return addresses are on one of
 * the CPU's stacks; the lowest one from which ORC unwinds back through the
 * saved context is where the trace starts.
 */
static bool start_at_anchor(struct ctx *x, const struct cor_cpu_state *st, unsigned max,
			    struct cor_backtrace *bt)
{
	const char *anchor = st->crashing ? "machine_kexec" : "crash_nmi_callback";
	static const enum cor_stack_kind order[] = {COR_STACK_NMI, COR_STACK_MCE, COR_STACK_DB,
						    COR_STACK_DF,  COR_STACK_VC,  COR_STACK_VC2,
						    COR_STACK_IRQ, COR_STACK_TASK};
	for (size_t k = 0; k < COR_ARRAY_SIZE(order); k++) {
		for (size_t i = 0; i < x->num_stacks; i++) {
			const struct cor_stack_range *r = &x->stacks[i];
			if (r->kind != order[k] || r->hi - r->lo > (1u << 20))
				continue;
			for (uint64_t a = r->lo; a + 8 <= r->hi; a += 8) {
				uint64_t v;
				if (!rd64(x->prog, a, &v) || v < COR_X86_START_KERNEL_MAP_TEXT ||
				    !in_function(x->prog, v, anchor))
					continue;
				struct cor_unwind_start s = {.slot = a, .hint = st->regs};
				/* no scan here: a candidate must unwind by itself */
				s.regs.r[COR_CPU_REG_IP] = v;
				s.regs.r[COR_CPU_REG_SP] = a + 8;
				s.regs.valid = (1u << COR_CPU_REG_IP) | (1u << COR_CPU_REG_SP);
				struct cor_backtrace t;
				cor_backtrace_init(&t);
				struct cor_error *err =
				    cor_unwind(&ctx_ops, x, &x->c->layout, &s, max, &t);
				if (!err && reaches(x->prog, &t, &st->regs)) {
					cor_backtrace_deinit(bt);
					*bt = t;
					return true;
				}
				cor_error_destroy(err);
				cor_backtrace_deinit(&t);
			}
		}
	}
	return false;
}

struct cor_error *cor_program_backtrace_cpu(struct cor_program *prog, unsigned cpu,
					    const struct cor_bt_options *opts,
					    struct cor_backtrace *bt)
{
	struct cor_cpu_state st;
	struct cor_error *err = cor_program_cpu_state(prog, cpu, &st);
	if (err)
		return err;
	if (st.source == COR_CPU_SRC_NONE)
		return cor_error_create(COR_ERR_NOT_FOUND,
					"CPU %u saved no registers (it did not answer the NMI "
					"shoot-down, or the dump has no note for it)",
					cpu);
	struct ctx x;
	if ((err = ctx_init(prog, &x, (int)cpu, st.task)))
		return err;
	unsigned max = opts && opts->max_frames ? opts->max_frames : 256;
	bool kdump = st.source == COR_CPU_SRC_CRASH_NOTES || st.source == COR_CPU_SRC_DUMP_NOTE ||
		     st.source == COR_CPU_SRC_NOTE_ORDER;
	if (!(kdump && start_at_anchor(&x, &st, max, bt))) {
		struct cor_unwind_start s = {.regs = st.regs,
					     .scan_on_failure = opts && opts->scan_on_failure};
		if ((err = cor_unwind(&ctx_ops, &x, &x.c->layout, &s, max, bt)))
			return err;
	}
	if (!x.c->have_orc && !bt->complete && !bt->end_reason[0])
		snprintf(bt->end_reason, sizeof(bt->end_reason), "%s", x.c->orc_error);
	symbolize(prog, bt);
	return NULL;
}

struct cor_error *cor_program_backtrace_task(struct cor_program *prog, uint64_t task,
					     const struct cor_bt_options *opts,
					     struct cor_backtrace *bt)
{
	unsigned n;
	struct cor_error *err = cor_program_num_cpus(prog, &n);
	if (err)
		return err;
	for (unsigned cpu = 0; cpu < n; cpu++) {
		struct cor_cpu_state st;
		if ((err = cor_program_cpu_state(prog, cpu, &st)))
			return err;
		if (st.task == task && st.source != COR_CPU_SRC_NONE)
			return cor_program_backtrace_cpu(prog, cpu, opts, bt);
	}
	struct cor_task t;
	if ((err = cor_program_task_read(prog, task, &t)))
		return err;
	struct ctx x;
	if ((err = ctx_init(prog, &x, -1, task)))
		return err;
	/* __switch_to_asm() pushed struct inactive_task_frame at thread.sp
	 * (arch/x86/include/asm/switch_to.h); unwind_start() of unwind_orc.c
	 * starts from its ret_addr and bp, with sp just above it. */
	uint64_t off_ret, off_bp, size, ret_addr, bp;
	if ((err = cor_program_member_offset(prog, "struct inactive_task_frame", "ret_addr",
					     &off_ret)) ||
	    (err = cor_program_member_offset(prog, "struct inactive_task_frame", "bp", &off_bp)) ||
	    (err = cor_program_type_size(prog, "struct inactive_task_frame", &size)))
		return cor_error_wrap(err, "task %llx", (unsigned long long)task);
	if ((err = cor_program_read_u64(prog, t.thread_sp + off_ret, &ret_addr)) ||
	    (err = cor_program_read_u64(prog, t.thread_sp + off_bp, &bp)))
		return cor_error_wrap(err, "task %llx: thread.sp %llx", (unsigned long long)task,
				      (unsigned long long)t.thread_sp);
	struct cor_unwind_start s = {.slot = t.thread_sp + off_ret,
				     .scan_on_failure = opts && opts->scan_on_failure};
	s.regs.r[COR_CPU_REG_IP] = ret_addr;
	s.regs.r[COR_CPU_REG_SP] = t.thread_sp + size;
	s.regs.r[COR_CPU_REG_BP] = bp;
	s.regs.valid = (1u << COR_CPU_REG_IP) | (1u << COR_CPU_REG_SP) | (1u << COR_CPU_REG_BP);
	unsigned max = opts && opts->max_frames ? opts->max_frames : 256;
	if ((err = cor_unwind(&ctx_ops, &x, &x.c->layout, &s, max, bt)))
		return err;
	symbolize(prog, bt);
	return NULL;
}

struct cor_error *cor_program_stack_scan(struct cor_program *prog,
					 const struct cor_stack_range *stack,
					 struct cor_backtrace *bt)
{
	struct ctx x;
	struct cor_error *err = ctx_init(prog, &x, -1, 0);
	if (err)
		return err;
	add_stack(&x, stack->kind, stack->lo, stack->hi);
	if ((err = cor_stack_scan(&ctx_ops, &x, stack->lo, stack->hi, 0, bt)))
		return err;
	symbolize(prog, bt);
	return NULL;
}
