// SPDX-License-Identifier: MIT
// The report model: building findings, the signature, rendering text and JSON.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/internal.h"

static char *vfmt(struct diag_ctx *ctx, const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0) {
		if (!ctx->err)
			ctx->err = &cor_enomem;
		return NULL;
	}
	return s;
}

void diag_set(struct diag_ctx *ctx, char **field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vfmt(ctx, fmt, ap);
	va_end(ap);
	if (!s)
		return;
	free(*field);
	*field = s;
}

struct cor_finding *diag_finding(struct diag_ctx *ctx, const char *rule, enum cor_severity sev,
				 const char *fmt, ...)
{
	void *slot;
	struct cor_error *err = cor_vec_push_zero(&ctx->rep->findings, &slot);
	if (err) {
		ctx->err = err;
		return NULL;
	}
	struct cor_finding *f = slot;
	f->rule = strdup(rule);
	f->severity = sev;
	cor_vec_init(&f->evidence, sizeof(char *));
	cor_vec_init(&f->facts, sizeof(struct cor_fact));
	va_list ap;
	va_start(ap, fmt);
	f->title = vfmt(ctx, fmt, ap);
	va_end(ap);
	if (!f->rule && !ctx->err)
		ctx->err = &cor_enomem;
	return f;
}

void diag_evidence(struct diag_ctx *ctx, struct cor_finding *f, const char *fmt, ...)
{
	if (!f)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *s = vfmt(ctx, fmt, ap);
	va_end(ap);
	if (!s)
		return;
	struct cor_error *err = cor_vec_push(&f->evidence, &s);
	if (err) {
		free(s);
		ctx->err = err;
	}
}

void diag_fact(struct diag_ctx *ctx, struct cor_finding *f, const char *key, const char *fmt, ...)
{
	if (!f)
		return;
	va_list ap;
	va_start(ap, fmt);
	struct cor_fact fact = {strdup(key), vfmt(ctx, fmt, ap)};
	va_end(ap);
	struct cor_error *err =
	    fact.key && fact.value ? cor_vec_push(&f->facts, &fact) : &cor_enomem;
	if (err) {
		free(fact.key);
		free(fact.value);
		ctx->err = err;
	}
}

void diag_verdict(struct diag_ctx *ctx, enum cor_verdict v, int confidence)
{
	if (confidence > ctx->rep->confidence || ctx->rep->verdict == COR_VERDICT_UNDETERMINED) {
		ctx->rep->verdict = v;
		ctx->rep->confidence = confidence;
	}
}

void diag_sig_frame(struct diag_ctx *ctx, const char *func)
{
	size_t n = strlen(ctx->frames_id);
	/* ".cold", ".isra.0", ".constprop.0" suffixes vary between builds of one bug */
	size_t flen = strcspn(func, ".+");
	if (n + flen + 2 >= sizeof(ctx->frames_id))
		return;
	if (n)
		ctx->frames_id[n++] = ',';
	memcpy(ctx->frames_id + n, func, flen);
	ctx->frames_id[n + flen] = '\0';
}

void diag_signature(struct diag_ctx *ctx)
{
	struct cor_report *rep = ctx->rep;
	diag_set(ctx, &rep->signature_basis, "%s|%s|%s", rep->crash_class ? rep->crash_class : "",
		 ctx->frames_id, ctx->lock_id);
	if (!rep->signature_basis)
		return;
	uint64_t h = 1469598103934665603ull; /* FNV-1a 64 */
	for (const char *p = rep->signature_basis; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ull;
	char cls[64];
	snprintf(cls, sizeof(cls), "%s", rep->crash_class ? rep->crash_class : "unknown");
	for (char *c = cls; *c; c++)
		if (*c == ' ')
			*c = '-';
	diag_set(ctx, &rep->signature, "%s-%016llx", cls, (unsigned long long)h);
}

const char *cor_verdict_name(enum cor_verdict v)
{
	switch (v) {
	case COR_VERDICT_SOFTWARE:
		return "software bug";
	case COR_VERDICT_HARDWARE:
		return "hardware suspect";
	case COR_VERDICT_UNDETERMINED:
		break;
	}
	return "undetermined";
}

static void free_finding(struct cor_finding *f)
{
	free(f->rule);
	free(f->title);
	for (size_t i = 0; i < f->evidence.len; i++)
		free(*(char **)cor_vec_at(&f->evidence, i));
	for (size_t i = 0; i < f->facts.len; i++) {
		struct cor_fact *fact = cor_vec_at(&f->facts, i);
		free(fact->key);
		free(fact->value);
	}
	cor_vec_deinit(&f->evidence);
	cor_vec_deinit(&f->facts);
}

void cor_report_destroy(struct cor_report *rep)
{
	if (!rep)
		return;
	for (size_t i = 0; i < rep->findings.len; i++)
		free_finding(cor_vec_at(&rep->findings, i));
	cor_vec_deinit(&rep->findings);
	char *strs[] = {rep->dump_path, rep->dump_format,    rep->release,    rep->crash_class,
			rep->trigger,	rep->panic_message,  rep->panic_comm, rep->summary,
			rep->signature, rep->signature_basis};
	for (size_t i = 0; i < COR_ARRAY_SIZE(strs); i++)
		free(strs[i]);
	free(rep);
}

static const char *sev_name(enum cor_severity s)
{
	return s == COR_SEV_CRITICAL ? "critical" : s == COR_SEV_WARNING ? "warning" : "info";
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

struct cor_error *cor_report_render_text(const struct cor_report *rep, struct cor_strbuf *out)
{
	cor_strbuf_appendf(out, "DUMP:       %s (%s)\n", or_empty(rep->dump_path),
			   or_empty(rep->dump_format));
	cor_strbuf_appendf(out, "KERNEL:     %s\n", or_empty(rep->release));
	cor_strbuf_appendf(out, "CLASS:      %s\n", or_empty(rep->crash_class));
	if (rep->panic_message)
		cor_strbuf_appendf(out, "PANIC:      \"%s\"\n", rep->panic_message);
	if (rep->trigger)
		cor_strbuf_appendf(out, "TRIGGER:    %s\n", rep->trigger);
	if (rep->panic_cpu >= 0)
		cor_strbuf_appendf(out, "PANIC CPU:  %d (%s, pid %d)\n", rep->panic_cpu,
				   or_empty(rep->panic_comm), rep->panic_pid);
	cor_strbuf_appendf(out, "VERDICT:    %s (confidence %d%%)\n",
			   cor_verdict_name(rep->verdict), rep->confidence);
	cor_strbuf_appendf(out, "SIGNATURE:  %s\n", or_empty(rep->signature));
	if (rep->summary)
		cor_strbuf_appendf(out, "\nCAUSE\n  %s\n", rep->summary);
	cor_strbuf_append(out, "\nFINDINGS\n");
	for (size_t i = 0; i < rep->findings.len; i++) {
		const struct cor_finding *f = cor_vec_at(&rep->findings, i);
		cor_strbuf_appendf(out, "  [%s] %s: %s\n", sev_name(f->severity), f->rule,
				   or_empty(f->title));
		for (size_t k = 0; k < f->evidence.len; k++)
			cor_strbuf_appendf(out, "      %s\n",
					   *(char **)cor_vec_at(&f->evidence, k));
	}
	return cor_strbuf_error(out);
}

static void json_str(struct cor_strbuf *out, const char *s)
{
	if (s)
		cor_strbuf_append_json(out, s);
	else
		cor_strbuf_append(out, "null");
}

static void json_kv(struct cor_strbuf *out, const char *key, const char *val, bool comma)
{
	json_str(out, key);
	cor_strbuf_appendc(out, ':');
	json_str(out, val);
	if (comma)
		cor_strbuf_appendc(out, ',');
}

static void json_finding(struct cor_strbuf *out, const struct cor_finding *f)
{
	cor_strbuf_appendc(out, '{');
	json_kv(out, "rule", f->rule, true);
	json_kv(out, "severity", sev_name(f->severity), true);
	json_kv(out, "title", f->title, true);
	cor_strbuf_append(out, "\"evidence\":[");
	for (size_t k = 0; k < f->evidence.len; k++) {
		if (k)
			cor_strbuf_appendc(out, ',');
		json_str(out, *(char **)cor_vec_at(&f->evidence, k));
	}
	cor_strbuf_append(out, "],\"facts\":{");
	for (size_t k = 0; k < f->facts.len; k++) {
		const struct cor_fact *fact = cor_vec_at(&f->facts, k);
		json_kv(out, fact->key, fact->value, k + 1 < f->facts.len);
	}
	cor_strbuf_append(out, "}}");
}

struct cor_error *cor_report_render_json(const struct cor_report *rep, struct cor_strbuf *out)
{
	cor_strbuf_append(out, "{\"schema\":\"coroner-report/1\",");
	json_kv(out, "dump", rep->dump_path, true);
	json_kv(out, "format", rep->dump_format, true);
	json_kv(out, "release", rep->release, true);
	json_kv(out, "class", rep->crash_class, true);
	json_kv(out, "trigger", rep->trigger, true);
	json_kv(out, "panic_message", rep->panic_message, true);
	cor_strbuf_appendf(out, "\"panic_cpu\":%d,\"panic_pid\":%d,", rep->panic_cpu,
			   rep->panic_pid);
	json_kv(out, "panic_comm", rep->panic_comm, true);
	json_kv(out, "summary", rep->summary, true);
	json_kv(out, "verdict", cor_verdict_name(rep->verdict), true);
	cor_strbuf_appendf(out, "\"confidence\":%d,", rep->confidence);
	json_kv(out, "signature", rep->signature, true);
	json_kv(out, "signature_basis", rep->signature_basis, true);
	cor_strbuf_append(out, "\"findings\":[");
	for (size_t i = 0; i < rep->findings.len; i++) {
		if (i)
			cor_strbuf_appendc(out, ',');
		json_finding(out, cor_vec_at(&rep->findings, i));
	}
	cor_strbuf_append(out, "]}");
	return cor_strbuf_error(out);
}
