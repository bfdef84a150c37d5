// SPDX-License-Identifier: MIT
// Hardware-error records in a kernel log: the line splitter, prefixes
// (timestamps, levels, syslog), context (command line, panic), per-component
// counts. See include/coroner/hwerr.h.
#include <stdlib.h>
#include <string.h>

#include "hwerr/hwerr_priv.h"

void cor_hwerr_log_init(struct cor_hwerr_log *log)
{
	memset(log, 0, sizeof(*log));
	cor_vec_init(&log->records, sizeof(struct cor_hwerr_record));
	cor_vec_init(&log->components, sizeof(struct cor_hwerr_component));
	log->ctx.unknown_nmi_panic = -1;
	log->ctx.panic_on_unrecovered_nmi = -1;
}

void cor_hwerr_log_deinit(struct cor_hwerr_log *log)
{
	cor_vec_deinit(&log->records);
	cor_vec_deinit(&log->components);
}

const char *cor_hwerr_source_name(enum cor_hwerr_source src)
{
	static const char *const names[] = {"aer", "ghes", "nmi", "edac", "mce"};
	return (unsigned)src < COR_ARRAY_SIZE(names) ? names[src] : "unknown";
}

const char *cor_hwerr_class_name(enum cor_hwerr_class cls)
{
	static const char *const names[] = {"corrected", "recoverable", "fatal", "info"};
	return (unsigned)cls < COR_ARRAY_SIZE(names) ? names[cls] : "unknown";
}

/* ---- text helpers ---- */

const char *hw_find(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0)
		return s;
	if (n > len)
		return NULL;
	for (size_t i = 0; i + n <= len; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, n) == 0)
			return s + i;
	return NULL;
}

bool hw_starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return n <= len && memcmp(s, prefix, n) == 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool hw_hex(const char **s, const char *end, unsigned max, uint64_t *ret)
{
	const char *p = *s;
	if (end - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    (end - p > 2 && hexval(p[2]) >= 0))
		p += 2;
	uint64_t v = 0;
	unsigned n = 0;
	while (p < end && n < max && hexval(*p) >= 0) {
		v = v << 4 | (uint64_t)hexval(*p);
		p++;
		n++;
	}
	if (n == 0)
		return false;
	*s = p;
	*ret = v;
	return true;
}

bool hw_dec(const char **s, const char *end, uint64_t *ret)
{
	const char *p = *s;
	uint64_t v = 0;
	unsigned n = 0;
	while (p < end && *p >= '0' && *p <= '9' && n < 19) {
		v = v * 10 + (uint64_t)(*p - '0');
		p++;
		n++;
	}
	if (n == 0)
		return false;
	*s = p;
	*ret = v;
	return true;
}

void hw_skip_blanks(const char **s, const char *end)
{
	while (*s < end && (**s == ' ' || **s == '\t'))
		(*s)++;
}

void hw_copy(char *dst, size_t size, const char *s, size_t n)
{
	if (size == 0)
		return;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

bool hw_bdf(const char **s, const char *end, char out[16])
{
	const char *p = *s;
	uint64_t dom = 0, bus, dev, fn;
	const char *q = p;
	/* "dddd:bb:dd.f" (Intel VMD domains have 5 digits: "10000:e1:00.0"), or
	 * "bb:dd.f" (domain 0) */
	if (!hw_hex(&q, end, 5, &dom) || q >= end || *q != ':')
		return false;
	size_t domlen = (size_t)(q - p);
	q++;
	if (!hw_hex(&q, end, 2, &bus))
		return false;
	if (q < end && *q == ':') {
		q++;
		if (domlen < 4 || q - p != (ptrdiff_t)domlen + 4)
			return false;
		if (!hw_hex(&q, end, 2, &dev))
			return false;
	} else {
		if (domlen != 2)
			return false;
		dev = bus;
		bus = dom;
		dom = 0;
	}
	if (q >= end || *q != '.')
		return false;
	q++;
	if (!hw_dec(&q, end, &fn) || fn > 7 || dev > 31)
		return false;
	snprintf(out, 16, "%04x:%02x:%02x.%u", (unsigned)dom, (unsigned)bus, (unsigned)dev,
		 (unsigned)fn);
	*s = q;
	return true;
}

bool hw_device_line(const struct hw_line *l, char dev[16], const char **rest, size_t *rest_len)
{
	const char *end = l->msg + l->len;
	/* dev_printk(): "%s %s: " with the driver (or bus) name and the device name. */
	for (const char *p = l->msg; p + 10 <= end; p++) {
		if (!(p == l->msg || p[-1] == ' '))
			continue;
		const char *q = p;
		if (hexval(*q) < 0 || !hw_bdf(&q, end, dev))
			continue;
		if (end - q < 2 || q[0] != ':' || q[1] != ' ')
			continue;
		q += 2;
		if (hw_starts(q, (size_t)(end - q), "AER: "))
			q += 5;
		*rest = q;
		*rest_len = (size_t)(end - q);
		return true;
	}
	return false;
}

/* ---- records ---- */

struct cor_error *hw_new_record(struct hw_parser *p, enum cor_hwerr_source src,
				const struct hw_line *l, long *idx)
{
	struct cor_hwerr_record *r;
	struct cor_error *err = cor_vec_push_zero(&p->log->records, (void **)&r);
	if (err)
		return err;
	r->source = src;
	r->line = l->lineno;
	r->nlines = 1;
	r->has_time = l->has_time;
	r->time_us = l->time_us;
	r->count = 1;
	r->first_error = -1;
	r->cpu = -1;
	*idx = (long)p->log->records.len - 1;
	return NULL;
}

void hw_touch(struct cor_hwerr_record *r, const struct hw_line *l)
{
	if (l->lineno >= r->line && l->lineno - r->line + 1 > r->nlines)
		r->nlines = l->lineno - r->line + 1;
}

/* ---- line prefixes ---- */

/* Removes "<N>", "[ s.us]", "[T123]"/"[C1]" and syslog's "host kernel: ". */
static void strip_prefixes(struct hw_line *l)
{
	const char *s = l->msg, *end = l->msg + l->len;
	const char *k = hw_find(s, COR_MIN(l->len, (size_t)100), "kernel: ");
	if (k && s[0] != '[' && s[0] != '<' && (k == s || k[-1] == ' ') && k + 8 <= end)
		s = k + 8; /* syslog / journal: "Nov 22 02:00:01 host kernel: MESSAGE" */
	hw_skip_blanks(&s, end);
	if (s < end && *s == '<') {
		const char *q = s + 1;
		uint64_t lvl;
		if (hw_dec(&q, end, &lvl) && q < end && *q == '>')
			s = q + 1;
	}
	if (s < end && *s == '[') {
		const char *q = s + 1;
		uint64_t sec, us = 0;
		hw_skip_blanks(&q, end);
		if (hw_dec(&q, end, &sec) && q < end && *q == '.') {
			q++;
			const char *f = q;
			hw_dec(&q, end, &us);
			for (ptrdiff_t n = q - f; n < 6; n++)
				us *= 10;
			if (q < end && *q == ']') {
				l->has_time = true;
				l->time_us = sec * 1000000 + us;
				s = q + 1;
			}
		}
	}
	hw_skip_blanks(&s, end);
	if (end - s > 3 && *s == '[') { /* CONFIG_PRINTK_CALLER: "[T123]" / "[C1]" */
		const char *q = s + 1;
		uint64_t id;
		hw_skip_blanks(&q, end);
		if (q < end && (*q == 'T' || *q == 'C') && (q++, hw_dec(&q, end, &id)) && q < end &&
		    *q == ']')
			s = q + 1;
		hw_skip_blanks(&s, end);
	}
	l->len = (size_t)(end - s);
	l->msg = s;
}

/* Command-line switches (arch/x86/kernel/nmi.c __setup("unknown_nmi_panic"),
 * and sysctl.kernel.* since 5.8) that make an NMI panic. */
static void scan_cmdline(struct cor_hwerr_context *ctx, const char *s, size_t len)
{
	const char *end = s + len;
	while (s < end) {
		hw_skip_blanks(&s, end);
		const char *t = s;
		while (s < end && *s != ' ')
			s++;
		size_t n = (size_t)(s - t);
		const char *val = memchr(t, '=', n);
		int v = val && val + 1 < s ? (val[1] != '0') : 1;
		size_t key = val ? (size_t)(val - t) : n;
		if ((key == 17 && memcmp(t, "unknown_nmi_panic", 17) == 0) ||
		    (key == 31 && memcmp(t, "sysctl.kernel.unknown_nmi_panic", 31) == 0))
			ctx->unknown_nmi_panic = v;
		if (key == 38 && memcmp(t, "sysctl.kernel.panic_on_unrecovered_nmi", 38) == 0)
			ctx->panic_on_unrecovered_nmi = v;
	}
}

static void scan_context(struct cor_hwerr_context *ctx, const struct hw_line *l)
{
	const char *c = hw_find(l->msg, l->len, "Kernel command line: ");
	if (c) {
		size_t off = (size_t)(c - l->msg) + 21;
		scan_cmdline(ctx, c + 21, l->len - off);
	}
	const char *pn = hw_find(l->msg, l->len, "Kernel panic - not syncing: ");
	if (pn && ctx->panic_line == 0) {
		size_t off = (size_t)(pn - l->msg) + 28;
		hw_copy(ctx->panic, sizeof(ctx->panic), pn + 28, l->len - off);
		ctx->panic_line = l->lineno;
	}
}

static struct cor_error *dispatch(struct hw_parser *p, const struct hw_line *l)
{
	struct cor_error *err = NULL;
	if (!err && (p->sources & (1u << COR_HWERR_SRC_GHES)))
		err = hw_ghes_line(p, l);
	if (!err && (p->sources & (1u << COR_HWERR_SRC_AER)))
		err = hw_aer_line(p, l);
	if (!err && (p->sources & (1u << COR_HWERR_SRC_NMI)))
		err = hw_nmi_line(p, l);
	if (!err && (p->sources & ((1u << COR_HWERR_SRC_EDAC) | (1u << COR_HWERR_SRC_MCE))))
		err = hw_edac_line(p, l);
	return err;
}

static void finish(struct cor_hwerr_log *log, size_t first)
{
	for (size_t i = first; i < log->records.len; i++) {
		struct cor_hwerr_record *r = cor_vec_at(&log->records, i);
		switch (r->source) {
		case COR_HWERR_SRC_AER:
			hw_aer_finish(r);
			break;
		case COR_HWERR_SRC_GHES:
			hw_ghes_finish(r);
			break;
		case COR_HWERR_SRC_NMI:
			hw_nmi_finish(&log->ctx, r);
			break;
		default:
			break;
		}
		if (r->panicked)
			r->cls = COR_HWERR_FATAL;
	}
}

/* A panic that follows a record within a few lines, with the message of the
 * code path that printed the record, was caused by it: the closest such record. */
static void mark_panics(struct cor_hwerr_log *log, size_t first)
{
	const struct cor_hwerr_context *c = &log->ctx;
	if (c->panic_line == 0)
		return;
	size_t pl = strlen(c->panic);
	for (size_t i = log->records.len; i-- > first;) {
		struct cor_hwerr_record *r = cor_vec_at(&log->records, i);
		uint32_t last = r->line + r->nlines - 1;
		if (r->line > c->panic_line)
			continue;
		if (c->panic_line - last > 16)
			break;
		bool match = false;
		if (r->source == COR_HWERR_SRC_NMI) /* nmi.c: nmi_panic(regs, "NMI...") */
			match = hw_starts(c->panic, pl, "NMI");
		else if (r->source == COR_HWERR_SRC_GHES) /* ghes.c __ghes_panic() */
			match = hw_find(c->panic, pl, "Fatal hardware error") != NULL;
		else if (r->source == COR_HWERR_SRC_EDAC) /* edac_mc.c: panic("UE ...") */
			match = hw_starts(c->panic, pl, "UE ") && r->cls != COR_HWERR_CORRECTED;
		if (match) {
			r->panicked = true;
			return;
		}
	}
}

struct cor_error *cor_hwerr_parse_mem(const void *text, size_t len, unsigned sources,
				      struct cor_hwerr_log *log)
{
	struct hw_parser p = {.log = log,
			      .sources = sources,
			      .aer_open = -1,
			      .ghes_block_rec = -1,
			      .ghes_sec = -1,
			      .nmi_last = -1};
	size_t first = log->records.len;
	const char *s = text, *end = len ? s + len : s;
	uint32_t lineno = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		struct hw_line l = {.msg = s, .len = (size_t)(e - s), .lineno = ++lineno};
		while (l.len > 0 && (l.msg[l.len - 1] == '\r' || l.msg[l.len - 1] == ' '))
			l.len--;
		strip_prefixes(&l);
		scan_context(&log->ctx, &l);
		struct cor_error *err = dispatch(&p, &l);
		if (err)
			return err;
		s = nl ? nl + 1 : end;
		if (lineno == UINT32_MAX)
			break;
	}
	mark_panics(log, first);
	finish(log, first);
	return cor_hwerr_summarize(log);
}

struct cor_error *cor_hwerr_log_add(struct cor_hwerr_log *log, const struct cor_hwerr_record *rec)
{
	struct cor_error *err = cor_vec_push(&log->records, rec);
	if (err)
		return err;
	return cor_hwerr_summarize(log);
}

static int cmp_component(const void *a, const void *b)
{
	const struct cor_hwerr_component *x = a, *y = b;
	if (x->by_class[COR_HWERR_FATAL] != y->by_class[COR_HWERR_FATAL])
		return x->by_class[COR_HWERR_FATAL] > y->by_class[COR_HWERR_FATAL] ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return x->first_line < y->first_line ? -1 : x->first_line > y->first_line;
}

struct cor_error *cor_hwerr_summarize(struct cor_hwerr_log *log)
{
	struct cor_hmap idx;
	cor_hmap_init(&idx);
	log->components.len = 0;
	struct cor_error *err = NULL;
	for (size_t i = 0; i < log->records.len && !err; i++) {
		struct cor_hwerr_record *r = cor_vec_at(&log->records, i);
		uint64_t k;
		struct cor_hwerr_component *c;
		if (cor_hmap_get_str(&idx, r->component, &k)) {
			c = cor_vec_at(&log->components, k);
		} else {
			err = cor_vec_push_zero(&log->components, (void **)&c);
			if (err)
				break;
			c->name = r->component;
			c->source = r->source;
			c->first_line = r->line;
			err = cor_hmap_set_str(&idx, r->component, log->components.len - 1);
		}
		uint64_t n = r->count ? r->count : 1;
		c->total += n;
		if ((unsigned)r->cls < COR_HWERR_NUM_CLASSES)
			c->by_class[r->cls] += n;
		if (r->line > c->last_line)
			c->last_line = r->line;
	}
	cor_hmap_deinit(&idx);
	if (err)
		return err;
	if (log->components.len > 1)
		qsort(log->components.data, log->components.len, sizeof(struct cor_hwerr_component),
		      cmp_component);
	return NULL;
}
