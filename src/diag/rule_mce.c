// SPDX-License-Identifier: MIT
// Machine checks: the records the kernel logged ("mce: [Hardware Error]: ..." lines,
// arch/x86/kernel/cpu/mce/core.c print_mce(), 6.1), decoded bit by bit by src/mce/.
#include <stdlib.h>
#include <string.h>

#include "coroner/mce.h"
#include "coroner/mce_dump.h"
#include "diag/internal.h"

/* The names of the single-bit fields that are set, e.g. "VAL UC EN MISCV ADDRV PCC". */
static void set_bits(const struct cor_mce_decoded *d, enum cor_mce_reg reg, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < d->nfields; i++) {
		const struct cor_mce_field *fl = &d->fields[i];
		if (fl->reg != reg || fl->lo != fl->hi || !fl->value)
			continue;
		int w = snprintf(buf + n, size - n, "%s%s", n ? " " : "", fl->name);
		if (w < 0 || (size_t)w >= size - n)
			break;
		n += (size_t)w;
	}
}

static void one_record(struct diag_ctx *ctx, const struct cor_mce_record *rec, bool *hw)
{
	struct cor_mce_decoded *d = malloc(sizeof(*d));
	if (!d) {
		ctx->err = &cor_enomem;
		return;
	}
	struct cor_error *err = cor_mce_decode(rec, d);
	if (err) {
		cor_error_destroy(err);
		free(d);
		return;
	}
	char status_bits[256], mcg_bits[128];
	set_bits(d, COR_MCE_REG_STATUS, status_bits, sizeof(status_bits));
	set_bits(d, COR_MCE_REG_MCG_STATUS, mcg_bits, sizeof(mcg_bits));
	struct cor_finding *f =
	    diag_finding(ctx, "mce", d->context_corrupt ? COR_SEV_CRITICAL : COR_SEV_WARNING,
			 "machine check on CPU %u, bank %u: %s (%s)%s", rec->cpu, rec->bank,
			 d->error_class, cor_mce_severity_name(d->severity),
			 d->context_corrupt ? "; processor context corrupt: cannot resume" : "");
	diag_evidence(ctx, f, "MCi_STATUS 0x%016llx: %s set", (unsigned long long)rec->status,
		      status_bits);
	if (rec->have & COR_MCE_HAVE_MCGSTATUS)
		diag_evidence(ctx, f, "MCG_STATUS 0x%llx: %s", (unsigned long long)rec->mcgstatus,
			      mcg_bits[0] ? mcg_bits : "no bit set");
	struct cor_strbuf sb = {0};
	cor_mce_render_text(d, &sb);
	for (const char *p = cor_strbuf_cstr(&sb); *p;) {
		size_t n = strcspn(p, "\n");
		if (n)
			diag_evidence(ctx, f, "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
	}
	cor_strbuf_deinit(&sb);
	diag_fact(ctx, f, "cpu", "%u", rec->cpu);
	diag_fact(ctx, f, "bank", "%u", rec->bank);
	diag_fact(ctx, f, "mci_status", "%016llx", (unsigned long long)rec->status);
	diag_fact(ctx, f, "status_bits", "%s", status_bits);
	diag_fact(ctx, f, "mcg_status_bits", "%s", mcg_bits);
	diag_fact(ctx, f, "mcacod", "0x%04x", d->mcacod);
	diag_fact(ctx, f, "mscod", "0x%04x", d->mscod);
	diag_fact(ctx, f, "error_class", "%s", d->error_class);
	diag_fact(ctx, f, "component", "%s", d->component);
	diag_fact(ctx, f, "severity", "%s", cor_mce_severity_name(d->severity));
	diag_fact(ctx, f, "context_corrupt", "%s", d->context_corrupt ? "yes" : "no");
	if (!ctx->lock_id[0])
		snprintf(ctx->lock_id, sizeof(ctx->lock_id), "bank%u:%04x:%04x", rec->bank,
			 d->mcacod, d->mscod);
	*hw = *hw || d->severity >= COR_MCE_SEV_UCNA || d->context_corrupt;
	free(d);
}

/* Adds what the kernel kept in memory (mces_seen): MCG_CAP and other registers the
 * log omits, or a record the log lost. Returns the notes to quote (caller frees). */
static void merge_memory(struct diag_ctx *ctx, struct cor_vec *recs, struct cor_strbuf *notes)
{
	struct cor_vec mem;
	cor_vec_init(&mem, sizeof(struct cor_mce_record));
	struct cor_error *err = cor_program_mce_records(ctx->prog, &mem);
	if (!err && mem.len)
		err = cor_mce_merge_memory(recs, &mem, notes);
	if (err == &cor_enomem)
		ctx->err = err;
	else
		cor_error_destroy(err);
	cor_vec_deinit(&mem);
}

void diag_rule_mce(struct diag_ctx *ctx)
{
	const struct cor_strbuf *lines = &ctx->ls.mce_lines;
	if (!lines->len)
		return;
	struct cor_vec recs;
	cor_vec_init(&recs, sizeof(struct cor_mce_record));
	struct cor_error *err = cor_mce_parse_kernel_log_mem(lines->str, lines->len, &recs);
	if (err) {
		struct cor_finding *f = diag_finding(ctx, "mce", COR_SEV_WARNING,
						     "machine-check lines in the log do not parse");
		diag_evidence(ctx, f, "%s", err->message);
		cor_error_destroy(err);
		cor_vec_deinit(&recs);
		return;
	}
	struct cor_strbuf notes = {0};
	merge_memory(ctx, &recs, &notes);
	bool hw = false;
	size_t first = ctx->rep->findings.len;
	for (size_t i = 0; i < recs.len; i++)
		one_record(ctx, cor_vec_at(&recs, i), &hw);
	if (notes.len && ctx->rep->findings.len > first) {
		struct cor_finding *f = cor_vec_at(&ctx->rep->findings, first);
		for (const char *p = cor_strbuf_cstr(&notes); *p;) {
			size_t n = strcspn(p, "\n");
			diag_evidence(ctx, f, "in memory: %.*s", (int)n, p);
			p += n + (p[n] == '\n');
		}
	}
	cor_strbuf_deinit(&notes);
	struct cor_report *rep = ctx->rep;
	if (recs.len && rep->crash_class && strcmp(rep->crash_class, "machine check") == 0) {
		const struct cor_mce_record *r0 = cor_vec_at(&recs, 0);
		diag_set(ctx, &rep->trigger, "machine-check exception on CPU %u (bank %u)", r0->cpu,
			 r0->bank);
		diag_set(ctx, &rep->summary,
			 "The CPU reported an uncorrected machine check (bank %u, MCi_STATUS "
			 "0x%016llx) that the kernel could not recover from: the processor context "
			 "was corrupt, so it panicked. This is a hardware error report: the "
			 "component named below is the suspect, not the software that ran.",
			 r0->bank, (unsigned long long)r0->status);
		ctx->frames_id[0] = '\0';
		if (hw)
			diag_verdict(ctx, COR_VERDICT_HARDWARE, 95);
	}
	cor_vec_deinit(&recs);
}
