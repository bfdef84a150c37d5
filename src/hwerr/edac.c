// SPDX-License-Identifier: MIT
// EDAC memory-controller events, as Linux 6.1 drivers/edac/edac_mc.c
// edac_ce_error() / edac_ue_error() print them through edac_mc_printk()
// ("EDAC MC%d: " prefix, drivers/edac/edac_mc.h):
//   "%d CE %s%son %s (%s page:0x%lx offset:0x%lx grain:%ld syndrome:0x%lx%s%s)"
//   "%d UE %s%son %s (%s page:0x%lx offset:0x%lx grain:%ld%s%s)"
// with count, message, DIMM label(s) and location ("csrow:1 channel:0" or
// "channel:1 slot:0", from edac_layer_name[]); and the pre-3.6 form
//   "CE page 0x%lx, offset 0x%lx, grain %d, syndrome 0x%lx, row %d, channel %d,
//    label \"%s\": %s".
// Also the machine-check notifier line of arch/x86/kernel/cpu/mce/core.c
// mce_notify_irq(): "mce: [Hardware Error]: Machine check events logged".
#include <stdio.h>
#include <string.h>

#include "hwerr/hwerr_priv.h"

/* Modern format: after "N CE "/"N UE ". */
static void edac_modern(struct cor_hwerr_record *r, unsigned mc, const char *s, const char *end)
{
	/* The location group is the last " (" before "page:". */
	const char *pg = hw_find(s, (size_t)(end - s), "page:");
	const char *open = NULL;
	for (const char *q = s; pg && q + 1 < pg; q++)
		if (q[0] == ' ' && q[1] == '(')
			open = q;
	const char *on = NULL;
	for (const char *q = s; open && q + 4 <= open; q++)
		if (memcmp(q, "on ", 3) == 0 && (q == s || q[-1] == ' '))
			on = q;
	char label[96] = "", loc[96] = "", msg[96] = "";
	if (on) {
		hw_copy(msg, sizeof(msg), s, (size_t)(on - s));
		hw_copy(label, sizeof(label), on + 3, (size_t)(open - on - 3));
	}
	if (open)
		hw_copy(loc, sizeof(loc), open + 2, (size_t)(pg - open - 2));
	snprintf(r->error_type, sizeof(r->error_type), "%s", msg);
	snprintf(r->mem_location, sizeof(r->mem_location), "%s", loc);
	snprintf(r->dimm, sizeof(r->dimm), "%s", label);
	const char *q = pg ? pg + 5 : NULL;
	uint64_t page, off = 0;
	if (q && hw_hex(&q, end, 16, &page)) {
		const char *o = hw_find(q, (size_t)(end - q), "offset:");
		if (o) {
			o += 7;
			hw_hex(&o, end, 16, &off);
		}
		r->has_addr = true;
		r->phys_addr = page << 12 | off; /* page frame number: PAGE_SHIFT 12 on x86-64 */
	}
	if (label[0] && strcmp(label, "unknown memory") != 0 && strcmp(label, "any memory") != 0)
		snprintf(r->component, sizeof(r->component), "DIMM %s", label);
	else if (loc[0])
		snprintf(r->component, sizeof(r->component), "memory controller MC%u %s", mc, loc);
	else
		snprintf(r->component, sizeof(r->component), "memory controller MC%u", mc);
}

/* Pre-3.6 format: "CE page 0x.., offset 0x.., grain N, syndrome 0x.., row R, channel C,
 * label \"L\": msg". */
static void edac_legacy(struct cor_hwerr_record *r, unsigned mc, const char *s, const char *end)
{
	const char *lb = hw_find(s, (size_t)(end - s), "label \"");
	if (lb) {
		lb += 7;
		const char *le = memchr(lb, '"', (size_t)(end - lb));
		if (le)
			hw_copy(r->dimm, sizeof(r->dimm), lb, (size_t)(le - lb));
	}
	const char *row = hw_find(s, (size_t)(end - s), "row ");
	uint64_t rv = 0, cv = 0;
	const char *q = row ? row + 4 : NULL;
	bool has_row = q && hw_dec(&q, end, &rv);
	const char *ch = hw_find(s, (size_t)(end - s), "channel ");
	q = ch ? ch + 8 : NULL;
	bool has_ch = q && hw_dec(&q, end, &cv);
	if (r->dimm[0])
		snprintf(r->component, sizeof(r->component), "DIMM %s", r->dimm);
	else if (has_row && has_ch)
		snprintf(r->component, sizeof(r->component),
			 "memory controller MC%u csrow:%u channel:%u", mc, (unsigned)rv,
			 (unsigned)cv);
	else if (has_row)
		snprintf(r->component, sizeof(r->component), "memory controller MC%u csrow:%u", mc,
			 (unsigned)rv);
	else
		snprintf(r->component, sizeof(r->component), "memory controller MC%u", mc);
}

static struct cor_error *edac(struct hw_parser *p, const struct hw_line *l, const char *m)
{
	const char *end = l->msg + l->len, *q = m + 7;
	uint64_t mc, count = 1;
	if (!hw_dec(&q, end, &mc) || !hw_starts(q, (size_t)(end - q), ": "))
		return NULL;
	q += 2;
	const char *kind = q;
	bool modern = hw_dec(&q, end, &count) && q < end && *q == ' ';
	if (modern)
		kind = q + 1;
	bool ce = hw_starts(kind, (size_t)(end - kind), "CE ");
	bool ue = hw_starts(kind, (size_t)(end - kind), "UE ");
	if (!ce && !ue)
		return NULL;
	if (!modern)
		count = 1;
	long idx;
	struct cor_error *err = hw_new_record(p, COR_HWERR_SRC_EDAC, l, &idx);
	if (err)
		return err;
	struct cor_hwerr_record *r = hw_rec(p, idx);
	r->count = count ? count : 1;
	r->cls = ce ? COR_HWERR_CORRECTED : COR_HWERR_RECOVERABLE;
	const char *body = kind + 3;
	if (modern && !hw_starts(body, (size_t)(end - body), "page "))
		edac_modern(r, (unsigned)mc, body, end);
	else
		edac_legacy(r, (unsigned)mc, body, end);
	snprintf(r->summary, sizeof(r->summary), "EDAC MC%u: %llu %s memory error%s%s%s on %s",
		 (unsigned)mc, (unsigned long long)r->count, ce ? "corrected" : "uncorrected",
		 r->count == 1 ? "" : "s", r->error_type[0] ? ": " : "", r->error_type,
		 r->component);
	snprintf(r->advice, sizeof(r->advice), "%s",
		 ce ? "Corrected memory errors: one is noise, a DIMM that keeps producing them "
		      "is failing; replace it before an uncorrected error hits."
		    : "Uncorrected memory error: the data is lost; if the kernel consumed it, "
		      "a machine check follows. Replace the DIMM.");
	return NULL;
}

struct cor_error *hw_edac_line(struct hw_parser *p, const struct hw_line *l)
{
	const char *m;
	if ((p->sources & (1u << COR_HWERR_SRC_EDAC)) &&
	    (m = hw_find(l->msg, l->len, "EDAC MC")) != NULL)
		return edac(p, l, m);
	if ((p->sources & (1u << COR_HWERR_SRC_MCE)) &&
	    hw_find(l->msg, l->len, "[Hardware Error]: Machine check events logged")) {
		long idx;
		struct cor_error *err = hw_new_record(p, COR_HWERR_SRC_MCE, l, &idx);
		if (err)
			return err;
		struct cor_hwerr_record *r = hw_rec(p, idx);
		r->cls = COR_HWERR_CORRECTED;
		snprintf(r->component, sizeof(r->component), "CPU machine-check banks");
		snprintf(
		    r->summary, sizeof(r->summary),
		    "machine check events logged (corrected errors, reported by CMCI or polling)");
		snprintf(r->advice, sizeof(r->advice),
			 "The kernel log does not hold the records: read them with rasdaemon "
			 "(ras-mc-ctl --errors) or mcelog, then decode with `coroner mce`.");
	}
	return NULL;
}
