// SPDX-License-Identifier: MIT
// Other hardware-error reports in the log (PCIe AER, APEI/GHES, EDAC, NMI reasons),
// decoded by src/hwerr/ and counted per component: a flaky DIMM or link stands out.
#include <string.h>

#include "coroner/hwerr.h"
#include "diag/internal.h"

void diag_rule_hwerr(struct diag_ctx *ctx)
{
	struct cor_hwerr_log log;
	cor_hwerr_log_init(&log);
	unsigned sources = (1u << COR_HWERR_SRC_AER) | (1u << COR_HWERR_SRC_GHES) |
			   (1u << COR_HWERR_SRC_EDAC) | (1u << COR_HWERR_SRC_NMI);
	struct cor_error *err =
	    cor_hwerr_parse_mem(cor_strbuf_cstr(&ctx->log), ctx->log.len, sources, &log);
	if (err) {
		if (err == &cor_enomem)
			ctx->err = err;
		else
			cor_error_destroy(err);
		cor_hwerr_log_deinit(&log);
		return;
	}
	bool fatal_hw = false;
	for (size_t i = 0; i < log.records.len; i++) {
		const struct cor_hwerr_record *r = cor_vec_at(&log.records, i);
		enum cor_severity sev = r->cls == COR_HWERR_FATAL	  ? COR_SEV_CRITICAL
					: r->cls == COR_HWERR_RECOVERABLE ? COR_SEV_WARNING
									  : COR_SEV_INFO;
		struct cor_finding *f =
		    diag_finding(ctx, "hwerr", sev, "%s: %s (%s)", cor_hwerr_source_name(r->source),
				 r->summary, cor_hwerr_class_name(r->cls));
		diag_fact(ctx, f, "component", "%s", r->component);
		diag_fact(ctx, f, "class", "%s", cor_hwerr_class_name(r->cls));
		if (r->advice[0])
			diag_evidence(ctx, f, "%s", r->advice);
		if (r->source == COR_HWERR_SRC_NMI && r->nmi_kind != COR_HWERR_NMI_NONE) {
			char why[512];
			cor_hwerr_nmi_reason_explain(r->nmi_reason, why, sizeof(why));
			diag_evidence(ctx, f, "NMI %s", why);
			diag_fact(ctx, f, "nmi_reason", "0x%02x", r->nmi_reason);
		}
		fatal_hw =
		    fatal_hw || (r->cls == COR_HWERR_FATAL && r->source != COR_HWERR_SRC_NMI);
	}
	for (size_t i = 0; i < log.components.len && log.records.len > 1; i++) {
		const struct cor_hwerr_component *c = cor_vec_at(&log.components, i);
		if (c->total > 1)
			diag_finding(ctx, "hwerr", COR_SEV_WARNING,
				     "%llu errors from %s (%s): a repeatedly failing component",
				     (unsigned long long)c->total, c->name,
				     cor_hwerr_source_name(c->source));
	}
	if (fatal_hw)
		diag_verdict(ctx, COR_VERDICT_HARDWARE, 80);
	cor_hwerr_log_deinit(&log);
}
