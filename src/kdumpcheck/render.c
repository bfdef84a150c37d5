// SPDX-License-Identifier: MIT
// kdump-check: text and JSON renderings.
#include <stdio.h>
#include <string.h>

#include "kdumpcheck/kdump_priv.h"

void cor_kdump_render_text(const struct cor_kdump_report *rep, struct cor_strbuf *out)
{
	unsigned n[COR_KDUMP_UNKNOWN + 1] = {0};
	for (size_t i = 0; i < rep->findings.len; i++) {
		const struct cor_kdump_finding *fd = cor_vec_at(&rep->findings, i);
		n[fd->status]++;
	}
	cor_strbuf_appendf(
	    out, "kdump-check (root %s): %u ok, %u info, %u warnings, %u failures, %u unknown\n",
	    rep->root, n[COR_KDUMP_OK], n[COR_KDUMP_INFO], n[COR_KDUMP_WARN], n[COR_KDUMP_FAIL],
	    n[COR_KDUMP_UNKNOWN]);
	const struct cor_kdump_facts *f = &rep->facts;
	if (f->have_meminfo)
		cor_strbuf_appendf(out, "machine: %llu MiB RAM, %d CPUs, kernel %s\n",
				   (unsigned long long)(f->mem_total >> 20), f->cpus,
				   f->release[0] ? f->release : "?");
	for (size_t i = 0; i < rep->findings.len; i++) {
		const struct cor_kdump_finding *fd = cor_vec_at(&rep->findings, i);
		cor_strbuf_appendf(out, "\n[%-7s] %s: %s\n", cor_kdump_status_name(fd->status),
				   fd->id, fd->title);
		if (fd->detail[0])
			cor_strbuf_appendf(out, "          %s\n", fd->detail);
		if (fd->fix[0])
			cor_strbuf_appendf(out, "    fix:  %s\n", fd->fix);
	}
}

static void jstr(struct cor_strbuf *out, const char *s)
{
	cor_strbuf_append_json(out, s);
}

static void jnum(struct cor_strbuf *out, const char *k, long long v)
{
	cor_strbuf_appendf(out, ",\"%s\":%lld", k, v);
}

static void jkey(struct cor_strbuf *out, const char *k, const char *v)
{
	cor_strbuf_appendf(out, ",\"%s\":", k);
	jstr(out, v);
}

static void json_facts(const struct cor_kdump_facts *f, struct cor_strbuf *out)
{
	cor_strbuf_appendf(out, "{\"mem_total\":%llu", (unsigned long long)f->mem_total);
	jnum(out, "cpus", f->cpus);
	jnum(out, "crash_size", f->have_crash_size ? (long long)f->crash_size : -1);
	jnum(out, "iomem_crash", f->have_iomem ? (long long)f->iomem_crash : -1);
	jnum(out, "crash_loaded", f->crash_loaded);
	jkey(out, "crashkernel", f->crashkernel);
	jnum(out, "nmi_watchdog", f->nmi_watchdog);
	jnum(out, "watchdog_thresh", f->watchdog_thresh);
	jnum(out, "softlockup_panic", f->softlockup_panic);
	jnum(out, "hardlockup_panic", f->hardlockup_panic);
	jnum(out, "hung_task_panic", f->hung_task_panic);
	jnum(out, "unknown_nmi_panic", f->unknown_nmi_panic);
	jnum(out, "panic_on_oops", f->panic_on_oops);
	jkey(out, "release", f->release);
	jkey(out, "config", f->config);
	jkey(out, "coredir", f->coredir);
	jkey(out, "dump_args", f->dump_args);
	jnum(out, "dump_level", f->dump_level);
	jnum(out, "capture_cpus", f->capture_cpus);
	jkey(out, "initramfs", f->initramfs);
	jnum(out, "initramfs_size", (long long)f->initramfs_size);
	jnum(out, "target_free", f->have_target ? (long long)f->target_free : -1);
	jnum(out, "dump_kept", (long long)f->dump_kept);
	jnum(out, "dump_expected", (long long)f->dump_expected);
	const struct cor_kdump_estimate *e = &f->estimate;
	cor_strbuf_appendf(out,
			   ",\"estimate\":{\"kernel\":%llu,\"cpus\":%llu,\"initramfs\":%llu,"
			   "\"dump_tool\":%llu,\"margin\":%llu,\"total\":%llu}}",
			   (unsigned long long)e->kernel, (unsigned long long)e->cpus,
			   (unsigned long long)e->initramfs, (unsigned long long)e->dump_tool,
			   (unsigned long long)e->margin, (unsigned long long)e->total);
}

void cor_kdump_render_json(const struct cor_kdump_report *rep, struct cor_strbuf *out)
{
	cor_strbuf_append(out, "{\"root\":");
	jstr(out, rep->root);
	cor_strbuf_append(out, ",\"facts\":");
	json_facts(&rep->facts, out);
	cor_strbuf_append(out, ",\"findings\":[");
	for (size_t i = 0; i < rep->findings.len; i++) {
		const struct cor_kdump_finding *fd = cor_vec_at(&rep->findings, i);
		cor_strbuf_appendf(out, "%s{\"id\":", i ? "," : "");
		jstr(out, fd->id);
		jkey(out, "status", cor_kdump_status_name(fd->status));
		jkey(out, "title", fd->title);
		jkey(out, "detail", fd->detail);
		jkey(out, "fix", fd->fix);
		cor_strbuf_append(out, "}");
	}
	cor_strbuf_append(out, "]}");
}
