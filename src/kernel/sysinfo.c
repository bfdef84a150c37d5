// SPDX-License-Identifier: MIT
// Facts for `sys`: see include/coroner/sysinfo.h.
#include <string.h>

#include "coroner/dump.h"
#include "coroner/printk.h"
#include "coroner/program.h"
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
