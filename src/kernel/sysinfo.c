// SPDX-License-Identifier: MIT
// Facts for `sys`: see include/coroner/sysinfo.h.
#include <string.h>

#include "coroner/dump.h"
#include "coroner/expr.h"
#include "coroner/printk.h"
#include "coroner/program.h"
#include "coroner/symbols.h"
#include "coroner/sysinfo.h"

/* struct new_utsname: six char[65] fields (include/uapi/linux/utsname.h). */
#define UTS_LEN 65

static void read_uts(struct cor_program *prog, struct cor_sysinfo *si)
{
	uint64_t sym, off = 0;
	if (!cor_program_vmcoreinfo_u64(prog, "SYMBOL(init_uts_ns)", &sym))
		return;
	cor_program_vmcoreinfo_u64(prog, "OFFSET(uts_namespace.name)", &off);
	char uts[6 * UTS_LEN];
	struct cor_error *err = cor_program_read(prog, sym + off, uts, sizeof(uts));
	if (err) {
		cor_error_destroy(err);
		return;
	}
	char *fields[] = {NULL, si->nodename, si->release, si->version, si->machine};
	for (int i = 1; i < 5; i++) {
		memcpy(fields[i], uts + i * UTS_LEN, UTS_LEN);
		fields[i][UTS_LEN] = '\0';
	}
}

/* Memory as crash counts it: up to the highest page frame of any node
 * (node_start_pfn + node_spanned_pages, from node_data[] in VMCOREINFO). */
static uint64_t memory_size(struct cor_program *prog)
{
	uint64_t node_data, len, off_spanned, off_start, total = 0;
	if (!cor_program_vmcoreinfo_u64(prog, "SYMBOL(node_data)", &node_data) ||
	    !cor_program_vmcoreinfo_u64(prog, "LENGTH(node_data)", &len) ||
	    !cor_program_vmcoreinfo_u64(prog, "OFFSET(pglist_data.node_spanned_pages)",
					&off_spanned) ||
	    !cor_program_vmcoreinfo_u64(prog, "OFFSET(pglist_data.node_start_pfn)", &off_start))
		return 0;
	if (len > 4096)
		len = 4096;
	for (uint64_t i = 0; i < len; i++) {
		uint64_t pgdat, pages = 0, start = 0;
		struct cor_error *err = cor_program_read_u64(prog, node_data + 8 * i, &pgdat);
		if (!err && pgdat) {
			err = cor_program_read_u64(prog, pgdat + off_spanned, &pages);
			if (!err)
				err = cor_program_read_u64(prog, pgdat + off_start, &start);
		}
		if (err) {
			cor_error_destroy(err);
			continue;
		}
		if (pages && start + pages > total)
			total = start + pages;
	}
	return total * cor_dump_page_size(cor_program_dump(prog));
}

static unsigned count_cpus(struct cor_program *prog)
{
	struct cor_dump *dump = cor_program_dump(prog);
	const struct cor_kdump_info *k = cor_dump_kdump_info(dump);
	if (k && k->nr_cpus)
		return k->nr_cpus;
	unsigned n = 0;
	for (size_t i = 0; i < cor_dump_num_notes(dump); i++) {
		const struct cor_dump_note *note = cor_dump_note(dump, i);
		if (strcmp(note->name, "CORE") == 0 && note->type == 1 /* NT_PRSTATUS */)
			n++;
	}
	return n;
}

static bool read_sym_u64(struct cor_program *prog, const char *name, uint64_t *ret)
{
	struct cor_symbol sym;
	struct cor_error *err = cor_program_symbol_by_name(prog, name, &sym);
	if (!err)
		err = cor_program_read_u64(prog, sym.addr, ret);
	cor_error_destroy(err);
	return !err;
}

static bool read_sym_u32(struct cor_program *prog, const char *name, uint32_t *ret)
{
	struct cor_symbol sym;
	struct cor_error *err = cor_program_symbol_by_name(prog, name, &sym);
	if (!err)
		err = cor_program_read_u32(prog, sym.addr, ret);
	cor_error_destroy(err);
	return !err;
}

/* HZ from tick_nsec, the length of a tick in ns (TICK_NSEC = (NSEC_PER_SEC +
 * HZ/2) / HZ, include/vdso/jiffies.h; NTP adjusts it by parts per million:
 * rounding absorbs that). Only the values Kconfig offers are accepted. */
static unsigned find_hz(struct cor_program *prog)
{
	uint64_t tick;
	if (!read_sym_u64(prog, "tick_nsec", &tick) || tick == 0)
		return 0;
	uint64_t hz = (1000000000ull + tick / 2) / tick;
	static const unsigned valid[] = {100, 250, 300, 1000, 24, 48, 128, 256, 512, 1024};
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		if (hz == valid[i])
			return (unsigned)hz;
	return 0;
}

/* Uptime as crash's get_uptime() computes it: jiffies_64 starts at
 * INITIAL_JIFFIES = (u32)(-300 * HZ) (include/linux/jiffies.h) so that the
 * 32-bit jiffies wraps 5 minutes after boot. */
static void read_uptime(struct cor_program *prog, struct cor_sysinfo *si)
{
	uint64_t j;
	si->hz = find_hz(prog);
	if (!si->hz || !read_sym_u64(prog, "jiffies_64", &j))
		return;
	uint64_t initial = (uint32_t)(-300 * (int64_t)si->hz);
	if (j < initial && j >> 32 == 0)
		return; /* before INITIAL_JIFFIES: garbage */
	si->uptime_sec = (j - initial) / si->hz;
	si->has_uptime = true;
}

/* The timekeeper's wall-clock seconds (kernel/time/timekeeping.c tk_core). */
static uint64_t read_xtime(struct cor_program *prog)
{
	struct cor_value v;
	uint64_t sec = 0;
	struct cor_error *err = cor_program_eval(prog, "tk_core.timekeeper.xtime_sec", -1, &v);
	if (!err)
		err = cor_value_scalar(prog, &v, &sec);
	cor_error_destroy(err);
	return err ? 0 : sec;
}

static void read_symbol_facts(struct cor_program *prog, struct cor_sysinfo *si)
{
	read_uptime(prog, si);
	struct cor_symbol sym;
	struct cor_error *err = cor_program_symbol_by_name(prog, "avenrun", &sym);
	if (!err)
		err = cor_program_read(prog, sym.addr, si->avenrun, sizeof(si->avenrun));
	si->has_loadavg = !err;
	cor_error_destroy(err);
	/* cpu_khz: unsigned int (arch/x86/kernel/tsc.c). */
	uint32_t khz;
	if (read_sym_u32(prog, "cpu_khz", &khz))
		si->cpu_mhz = khz / 1000;
	si->has_tainted = read_sym_u64(prog, "tainted_mask", &si->tainted_mask);
	if (!si->crash_time) {
		si->crash_time = read_xtime(prog);
		si->crash_time_from_xtime = si->crash_time != 0;
	}
}

/* FSHIFT, FIXED_1, LOAD_INT, LOAD_FRAC: include/linux/sched/loadavg.h. */
#define FSHIFT	11
#define FIXED_1 (1u << FSHIFT)

void cor_sysinfo_format_loadavg(const uint64_t avenrun[3], char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < 3 && n < size; i++) {
		uint64_t a = avenrun[i] + FIXED_1 / 200;
		int w =
		    snprintf(buf + n, size - n, "%llu.%02llu%s", (unsigned long long)(a >> FSHIFT),
			     (unsigned long long)(((a & (FIXED_1 - 1)) * 100) >> FSHIFT),
			     i == 2 ? "" : ", ");
		if (w < 0)
			return;
		n += (size_t)w;
	}
}

void cor_sysinfo_format_uptime(uint64_t seconds, char *buf, size_t size)
{
	uint64_t days = seconds / 86400, rest = seconds % 86400;
	char d[32] = "";
	if (days)
		snprintf(d, sizeof(d), "%llu days, ", (unsigned long long)days);
	snprintf(buf, size, "%s%02llu:%02llu:%02llu", d, (unsigned long long)(rest / 3600),
		 (unsigned long long)(rest % 3600 / 60), (unsigned long long)(rest % 60));
}

bool cor_sysinfo_panic_from_log(const char *log, char *buf, size_t size)
{
	static const char key[] = "Kernel panic - not syncing: ";
	const char *found = NULL;
	for (const char *p = log; (p = strstr(p, key)); p++)
		found = p;
	if (!found)
		return false;
	size_t n = strcspn(found, "\n");
	if (n >= size)
		n = size - 1;
	memcpy(buf, found, n);
	buf[n] = '\0';
	return true;
}

struct cor_error *cor_sysinfo_get(struct cor_program *prog, struct cor_sysinfo *ret)
{
	struct cor_sysinfo si;
	memset(&si, 0, sizeof(si));
	const char *rel = cor_program_vmcoreinfo(prog, "OSRELEASE");
	read_uts(prog, &si);
	if (rel)
		snprintf(si.release, sizeof(si.release), "%s", rel);
	si.cpus = count_cpus(prog);
	cor_program_vmcoreinfo_u64(prog, "CRASHTIME", &si.crash_time);
	si.memory_bytes = memory_size(prog);
	read_symbol_facts(prog, &si);
	struct cor_strbuf log = {0};
	struct cor_error *err = cor_log_format(prog, 0, &log);
	if (err == &cor_enomem) {
		cor_strbuf_deinit(&log);
		return err;
	}
	cor_error_destroy(err); /* no log: no panic message */
	cor_sysinfo_panic_from_log(cor_strbuf_cstr(&log), si.panic, sizeof(si.panic));
	cor_strbuf_deinit(&log);
	*ret = si;
	return NULL;
}
