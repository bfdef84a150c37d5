// SPDX-License-Identifier: MIT
// Text and JSON renderings of a parsed hardware-error log.
#include <stdio.h>
#include <string.h>

#include "hwerr/hwerr_priv.h"

#define TEXT_MAX_RECORDS 20

static const char *section_name(enum cor_hwerr_section s)
{
	static const char *const n[] = {"none",	  "processor", "ia32_x64_processor",
					"memory", "pcie",      "firmware_reference",
					"other"};
	return (unsigned)s < COR_ARRAY_SIZE(n) ? n[s] : "other";
}

static const char *nmi_kind_name(enum cor_hwerr_nmi_kind k)
{
	static const char *const n[] = {"none", "unknown", "serr", "iochk"};
	return (unsigned)k < COR_ARRAY_SIZE(n) ? n[k] : "none";
}

static void totals(const struct cor_hwerr_log *log, uint64_t by[COR_HWERR_NUM_CLASSES])
{
	memset(by, 0, sizeof(uint64_t) * COR_HWERR_NUM_CLASSES);
	for (size_t i = 0; i < log->components.len; i++) {
		const struct cor_hwerr_component *c = cor_vec_at(&log->components, i);
		for (int k = 0; k < COR_HWERR_NUM_CLASSES; k++)
			by[k] += c->by_class[k];
	}
}

/* A component stands out when it repeats and holds most errors of the log. */
static bool stands_out(const struct cor_hwerr_component *c, uint64_t all)
{
	return c->total >= 3 && c->total * 2 >= all;
}

static void text_record(const struct cor_hwerr_record *r, struct cor_strbuf *out)
{
	cor_strbuf_appendf(out, "  line %u", r->line);
	if (r->has_time)
		cor_strbuf_appendf(out, " [%llu.%06llu]",
				   (unsigned long long)(r->time_us / 1000000),
				   (unsigned long long)(r->time_us % 1000000));
	cor_strbuf_appendf(out, " %s %s: %s\n", cor_hwerr_source_name(r->source),
			   cor_hwerr_class_name(r->cls), r->summary);
	cor_strbuf_appendf(out, "      component: %s\n", r->component);
	if (r->reporter[0] && strcmp(r->reporter, r->device) != 0)
		cor_strbuf_appendf(out, "      reported to: %s\n", r->reporter);
	if (r->has_ids)
		cor_strbuf_appendf(out, "      device id: [%04x:%04x]\n", r->vendor_id,
				   r->device_id);
	if (r->has_status) {
		cor_strbuf_appendf(out, "      %s status 0x%08x mask 0x%08x",
				   r->aer_correctable ? "correctable" : "uncorrectable", r->status,
				   r->mask);
		if (r->has_uncor_severity)
			cor_strbuf_appendf(out, " severity 0x%08x", r->uncor_severity);
		cor_strbuf_append(out, "\n");
		struct cor_hwerr_aer_bit b[32];
		size_t n = cor_hwerr_aer_decode(r->aer_correctable, r->status, r->mask,
						r->has_uncor_severity, r->uncor_severity,
						r->first_error, b);
		for (size_t i = 0; i < n; i++)
			cor_strbuf_appendf(
			    out, "        [%2u] %-16s %s%s%s%s\n", b[i].bit, b[i].name,
			    b[i].meaning, b[i].first ? " (first error)" : "",
			    b[i].masked ? " (masked)" : "", b[i].fatal ? " (severity: fatal)" : "");
	}
	if (r->has_tlp) {
		char t[256];
		cor_hwerr_tlp_explain(r->tlp, t, sizeof(t));
		cor_strbuf_appendf(out, "      TLP header %08x %08x %08x %08x: %s\n", r->tlp[0],
				   r->tlp[1], r->tlp[2], r->tlp[3], t);
	}
	if (r->source == COR_HWERR_SRC_NMI) {
		char t[400];
		cor_hwerr_nmi_reason_explain(r->nmi_reason, t, sizeof(t));
		cor_strbuf_appendf(out, "      %s\n", t);
	}
	if (r->mem_location[0])
		cor_strbuf_appendf(out, "      location: %s\n", r->mem_location);
	if (r->advice[0])
		cor_strbuf_appendf(out, "      meaning: %s\n", r->advice);
}

void cor_hwerr_render_text(const struct cor_hwerr_log *log, unsigned flags, struct cor_strbuf *out)
{
	uint64_t by[COR_HWERR_NUM_CLASSES], all = 0;
	totals(log, by);
	for (int k = 0; k < COR_HWERR_NUM_CLASSES; k++)
		all += by[k];
	if (log->records.len == 0) {
		cor_strbuf_append(out,
				  "hardware errors: none in the log (AER, APEI/GHES, NMI, EDAC)\n");
		return;
	}
	cor_strbuf_appendf(out,
			   "hardware errors: %llu in %zu records, %zu components (%llu corrected, "
			   "%llu recoverable, %llu fatal, %llu info)\n",
			   (unsigned long long)all, log->records.len, log->components.len,
			   (unsigned long long)by[0], (unsigned long long)by[1],
			   (unsigned long long)by[2], (unsigned long long)by[3]);
	cor_strbuf_append(out, "\nby component (fatal first, then most errors):\n");
	for (size_t i = 0; i < log->components.len; i++) {
		const struct cor_hwerr_component *c = cor_vec_at(&log->components, i);
		cor_strbuf_appendf(out,
				   "  %-44s %-4s %6llu  (%llu corrected, %llu recoverable, "
				   "%llu fatal) lines %u-%u%s\n",
				   c->name, cor_hwerr_source_name(c->source),
				   (unsigned long long)c->total,
				   (unsigned long long)c->by_class[COR_HWERR_CORRECTED],
				   (unsigned long long)c->by_class[COR_HWERR_RECOVERABLE],
				   (unsigned long long)c->by_class[COR_HWERR_FATAL], c->first_line,
				   c->last_line, stands_out(c, all) ? "  <- stands out" : "");
	}
	if (log->ctx.panic[0])
		cor_strbuf_appendf(out, "\npanic (line %u): %s\n", log->ctx.panic_line,
				   log->ctx.panic);
	cor_strbuf_append(out, "\nrecords:\n");
	size_t shown = 0;
	for (size_t i = 0; i < log->records.len; i++) {
		const struct cor_hwerr_record *r = cor_vec_at(&log->records, i);
		if (!(flags & COR_HWERR_RENDER_VERBOSE) && shown >= TEXT_MAX_RECORDS &&
		    r->cls != COR_HWERR_FATAL)
			continue;
		text_record(r, out);
		shown++;
	}
	if (shown < log->records.len)
		cor_strbuf_appendf(out, "  ... %zu more records (use --verbose)\n",
				   log->records.len - shown);
}

/* ---- JSON ---- */

static void jstr(struct cor_strbuf *out, const char *s)
{
	cor_strbuf_append_json(out, s);
}

static void jkey(struct cor_strbuf *out, const char *k, const char *v)
{
	cor_strbuf_appendf(out, ",\"%s\":", k);
	jstr(out, v);
}

static void json_aer(const struct cor_hwerr_record *r, struct cor_strbuf *out)
{
	if (r->device[0])
		jkey(out, "device", r->device);
	if (r->reporter[0])
		jkey(out, "reporter", r->reporter);
	if (r->has_ids)
		cor_strbuf_appendf(out, ",\"vendor_id\":\"%04x\",\"device_id\":\"%04x\"",
				   r->vendor_id, r->device_id);
	if (r->dpc) {
		cor_strbuf_appendf(out,
				   ",\"dpc\":{\"status\":\"0x%04x\",\"reason\":", r->dpc_status);
		jstr(out, r->dpc_reason);
		cor_strbuf_append(out, "}");
	}
	if (r->layer[0])
		jkey(out, "layer", r->layer);
	if (r->agent[0])
		jkey(out, "agent", r->agent);
	if (r->has_status) {
		cor_strbuf_appendf(
		    out, ",\"register\":\"%s\",\"status\":\"0x%08x\",\"mask\":\"0x%08x\"",
		    r->aer_correctable ? "correctable" : "uncorrectable", r->status, r->mask);
		if (r->has_uncor_severity)
			cor_strbuf_appendf(out, ",\"uncor_severity\":\"0x%08x\"",
					   r->uncor_severity);
		struct cor_hwerr_aer_bit b[32];
		size_t n = cor_hwerr_aer_decode(r->aer_correctable, r->status, r->mask,
						r->has_uncor_severity, r->uncor_severity,
						r->first_error, b);
		cor_strbuf_append(out, ",\"bits\":[");
		for (size_t i = 0; i < n; i++) {
			cor_strbuf_appendf(out, "%s{\"bit\":%u,\"name\":", i ? "," : "", b[i].bit);
			jstr(out, b[i].name);
			jkey(out, "meaning", b[i].meaning);
			cor_strbuf_appendf(out, ",\"masked\":%s,\"fatal\":%s,\"first\":%s}",
					   b[i].masked ? "true" : "false",
					   b[i].fatal ? "true" : "false",
					   b[i].first ? "true" : "false");
		}
		cor_strbuf_append(out, "]");
	}
	if (r->has_tlp) {
		char t[256];
		cor_hwerr_tlp_explain(r->tlp, t, sizeof(t));
		cor_strbuf_appendf(out, ",\"tlp\":[\"%08x\",\"%08x\",\"%08x\",\"%08x\"]", r->tlp[0],
				   r->tlp[1], r->tlp[2], r->tlp[3]);
		jkey(out, "tlp_text", t);
	}
}

static void json_record(const struct cor_hwerr_record *r, struct cor_strbuf *out)
{
	cor_strbuf_appendf(out, "{\"source\":\"%s\",\"class\":\"%s\",\"line\":%u,\"lines\":%u",
			   cor_hwerr_source_name(r->source), cor_hwerr_class_name(r->cls), r->line,
			   r->nlines);
	if (r->has_time)
		cor_strbuf_appendf(out, ",\"time\":\"%llu.%06llu\"",
				   (unsigned long long)(r->time_us / 1000000),
				   (unsigned long long)(r->time_us % 1000000));
	cor_strbuf_appendf(out, ",\"count\":%llu", (unsigned long long)r->count);
	jkey(out, "component", r->component);
	jkey(out, "summary", r->summary);
	jkey(out, "advice", r->advice);
	cor_strbuf_appendf(out, ",\"panicked\":%s", r->panicked ? "true" : "false");
	json_aer(r, out);
	if (r->source == COR_HWERR_SRC_NMI) {
		char t[400];
		cor_hwerr_nmi_reason_explain(r->nmi_reason, t, sizeof(t));
		cor_strbuf_appendf(out,
				   ",\"nmi\":{\"kind\":\"%s\",\"reason\":\"0x%02x\",\"cpu\":%d",
				   nmi_kind_name(r->nmi_kind), r->nmi_reason, r->cpu);
		jkey(out, "reason_text", t);
		cor_strbuf_append(out, "}");
	}
	if (r->source == COR_HWERR_SRC_GHES)
		cor_strbuf_appendf(out,
				   ",\"ghes\":{\"seq\":%u,\"source_id\":%u,\"section\":\"%s\"}",
				   r->ghes_seq, r->ghes_source_id, section_name(r->section));
	if (r->cper_severity[0])
		jkey(out, "cper_severity", r->cper_severity);
	if (r->has_addr)
		cor_strbuf_appendf(out, ",\"phys_addr\":\"0x%llx\"",
				   (unsigned long long)r->phys_addr);
	if (r->mem_location[0])
		jkey(out, "location", r->mem_location);
	if (r->dimm[0])
		jkey(out, "dimm", r->dimm);
	if (r->error_type[0])
		jkey(out, "error_type", r->error_type);
	cor_strbuf_append(out, "}");
}

void cor_hwerr_render_json(const struct cor_hwerr_log *log, struct cor_strbuf *out)
{
	uint64_t by[COR_HWERR_NUM_CLASSES], all = 0;
	totals(log, by);
	for (int k = 0; k < COR_HWERR_NUM_CLASSES; k++)
		all += by[k];
	cor_strbuf_appendf(out,
			   "{\"totals\":{\"errors\":%llu,\"records\":%zu,\"corrected\":%llu,"
			   "\"recoverable\":%llu,\"fatal\":%llu,\"info\":%llu}",
			   (unsigned long long)all, log->records.len, (unsigned long long)by[0],
			   (unsigned long long)by[1], (unsigned long long)by[2],
			   (unsigned long long)by[3]);
	cor_strbuf_appendf(out,
			   ",\"context\":{\"unknown_nmi_panic\":%d,"
			   "\"panic_on_unrecovered_nmi\":%d,\"panic_line\":%u",
			   log->ctx.unknown_nmi_panic, log->ctx.panic_on_unrecovered_nmi,
			   log->ctx.panic_line);
	jkey(out, "panic", log->ctx.panic);
	cor_strbuf_append(out, "},\"components\":[");
	for (size_t i = 0; i < log->components.len; i++) {
		const struct cor_hwerr_component *c = cor_vec_at(&log->components, i);
		cor_strbuf_appendf(out, "%s{\"name\":", i ? "," : "");
		jstr(out, c->name);
		cor_strbuf_appendf(
		    out,
		    ",\"source\":\"%s\",\"total\":%llu,\"corrected\":%llu,"
		    "\"recoverable\":%llu,\"fatal\":%llu,\"info\":%llu,"
		    "\"first_line\":%u,\"last_line\":%u,\"stands_out\":%s}",
		    cor_hwerr_source_name(c->source), (unsigned long long)c->total,
		    (unsigned long long)c->by_class[0], (unsigned long long)c->by_class[1],
		    (unsigned long long)c->by_class[2], (unsigned long long)c->by_class[3],
		    c->first_line, c->last_line, stands_out(c, all) ? "true" : "false");
	}
	cor_strbuf_append(out, "],\"records\":[");
	for (size_t i = 0; i < log->records.len; i++) {
		if (i)
			cor_strbuf_append(out, ",");
		json_record(cor_vec_at(&log->records, i), out);
	}
	cor_strbuf_append(out, "]}");
}
