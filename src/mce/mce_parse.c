// SPDX-License-Identifier: MIT
// Parsers for machine-check records in text: kernel log lines and mcelog
// text records. Input is untrusted: lines are copied into a bounded buffer
// (longer lines are truncated), numbers are parsed with overflow checks.
//
// Kernel lines: Linux 6.1 arch/x86/kernel/cpu/mce/core.c __print_mce():
//   "CPU %d: Machine Check%s: %Lx Bank %d: %016Lx"   (" Exception" when MCIP)
//   "RIP%s %02x:<%016Lx> {sym}"                      (" !INEXACT!" when !EIPV)
//   "TSC %llx ADDR %llx MISC %llx PPIN %llx SYND %llx IPID %llx"
//   "PROCESSOR %u:%x TIME %llu SOCKET %u APIC %x microcode %x"
// every line prefixed with "mce: [Hardware Error]: " (HW_ERR); 2.6 kernels
// print "Bank %d: %016Lx" on a line of its own. AMD's EDAC decoder adds
// "CPU:%d (%x:%x:%x) MC%d_STATUS[...]: 0x%016llx" (drivers/edac/mce_amd.c).
// mcelog text: mcelog.c dump_mce(): "MCE n", "CPU n BANK n TSC x", "RIP ...",
// "MISC x ADDR x", "TIME n ...", "STATUS x MCGSTATUS x", "MCGCAP x APICID x
// SOCKETID n", "PPIN x", "MICROCODE x", "CPUID Vendor V Family n Model n Step n".
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "mce/mce_priv.h"

#define LINE_MAX_CHARS 1024
#define MAX_TOKENS     48

struct line {
	char buf[LINE_MAX_CHARS];
	char *tok[MAX_TOKENS];
	size_t ntok;
};

static bool parse_num(const char *s, int base, uint64_t *ret)
{
	uint64_t v = 0;
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s)
		return false;
	for (; *s; s++) {
		int c = tolower((unsigned char)*s), dgt;
		if (c >= '0' && c <= '9')
			dgt = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			dgt = c - 'a' + 10;
		else
			return false;
		if (cor_mul_overflow(v, (uint64_t)base, &v) ||
		    cor_add_overflow(v, (uint64_t)dgt, &v))
			return false;
	}
	*ret = v;
	return true;
}

static bool hex(const char *s, uint64_t *ret)
{
	return s && parse_num(s, 16, ret);
}

static bool dec(const char *s, uint64_t *ret)
{
	return s && parse_num(s, 10, ret);
}

/* Parses "<n>:" (decimal, trailing colon required). */
static bool dec_colon(const char *s, uint64_t *ret)
{
	char tmp[32];
	size_t n = s ? strlen(s) : 0;
	if (n < 2 || n >= sizeof(tmp) || s[n - 1] != ':')
		return false;
	memcpy(tmp, s, n - 1);
	tmp[n - 1] = 0;
	return dec(tmp, ret);
}

/* Splits [p, p+n) into whitespace-separated tokens. */
static void split_line(struct line *l, const char *p, size_t n)
{
	if (n >= sizeof(l->buf))
		n = sizeof(l->buf) - 1;
	memcpy(l->buf, p, n);
	l->buf[n] = 0;
	l->ntok = 0;
	char *s = l->buf;
	while (*s && l->ntok < MAX_TOKENS) {
		while (*s && isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		l->tok[l->ntok++] = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		if (*s)
			*s++ = 0;
	}
}

static const char *tok(const struct line *l, size_t i)
{
	return i < l->ntok ? l->tok[i] : NULL;
}

static bool is(const struct line *l, size_t i, const char *word)
{
	return i < l->ntok && strcmp(l->tok[i], word) == 0;
}

/* "cs:<rip>" or "cs:rip" (with optional braces) -> cs, rip. */
static void parse_rip(struct cor_mce_record *r, const char *s)
{
	char tmp[64];
	const char *colon = s ? strchr(s, ':') : NULL;
	if (!colon || (size_t)(colon - s) >= sizeof(tmp))
		return;
	memcpy(tmp, s, (size_t)(colon - s));
	tmp[colon - s] = 0;
	uint64_t cs, rip;
	if (!hex(tmp, &cs) || cs > 0xffff)
		return;
	const char *p = colon + 1;
	if (*p == '<')
		p++;
	size_t n = strcspn(p, ">");
	if (n == 0 || n >= sizeof(tmp))
		return;
	memcpy(tmp, p, n);
	tmp[n] = 0;
	if (!hex(tmp, &rip))
		return;
	r->cs = (uint16_t)cs;
	r->rip = rip;
	r->have |= COR_MCE_HAVE_RIP | COR_MCE_HAVE_CS;
}

/* Sets a u64 field from token i+1 when token i is @p key. */
static bool kv_hex(const struct line *l, size_t i, const char *key, uint64_t *dst,
		   struct cor_mce_record *r, uint32_t flag)
{
	uint64_t v;
	if (!is(l, i, key) || !hex(tok(l, i + 1), &v))
		return false;
	*dst = v;
	r->have |= flag;
	return true;
}

static struct cor_error *push(struct cor_vec *v, struct cor_mce_record *r, bool *open)
{
	struct cor_error *err = NULL;
	if (*open && (r->have & COR_MCE_HAVE_STATUS))
		err = cor_vec_push(v, r);
	*open = false;
	memset(r, 0, sizeof(*r));
	return err;
}

/* ---- kernel log ---------------------------------------------------------- */

/* A hex token with an optional trailing ',' (AMD EDAC: "IPID: 0x...,"). */
static bool hex_comma(const char *s, uint64_t *ret)
{
	char tmp[40];
	size_t n = s ? strlen(s) : 0;
	if (n && s[n - 1] == ',')
		n--;
	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	return hex(tmp, ret);
}

/* AMD EDAC lines after MCn_STATUS: "IPID: x, Syndrome: x", "Error Addr: x". */
static void edac_fields(const struct line *l, struct cor_mce_record *r)
{
	for (size_t i = 0; i + 1 < l->ntok; i++) {
		if (is(l, i, "IPID:") && hex_comma(tok(l, i + 1), &r->ipid))
			r->have |= COR_MCE_HAVE_IPID;
		else if (is(l, i, "Syndrome:") && hex_comma(tok(l, i + 1), &r->synd))
			r->have |= COR_MCE_HAVE_SYND;
		else if (is(l, i, "Error") && is(l, i + 1, "Addr:") &&
			 hex_comma(tok(l, i + 2), &r->addr))
			r->have |= COR_MCE_HAVE_ADDR;
	}
}

/* Common fields of the TSC / PROCESSOR / RIP lines (also in mcelog text). */
static void kernel_fields(const struct line *l, struct cor_mce_record *r)
{
	uint64_t v;
	for (size_t i = 0; i < l->ntok; i++) {
		if (kv_hex(l, i, "TSC", &r->tsc, r, COR_MCE_HAVE_TSC) ||
		    kv_hex(l, i, "ADDR", &r->addr, r, COR_MCE_HAVE_ADDR) ||
		    kv_hex(l, i, "MISC", &r->misc, r, COR_MCE_HAVE_MISC) ||
		    kv_hex(l, i, "PPIN", &r->ppin, r, COR_MCE_HAVE_PPIN) ||
		    kv_hex(l, i, "SYND", &r->synd, r, COR_MCE_HAVE_SYND) ||
		    kv_hex(l, i, "IPID", &r->ipid, r, COR_MCE_HAVE_IPID)) {
			i++;
		} else if (is(l, i, "RIP")) {
			if (is(l, i + 1, "!INEXACT!")) {
				r->rip_inexact = true;
				i++;
			}
			parse_rip(r, tok(l, i + 1));
		} else if (is(l, i, "PROCESSOR") && tok(l, i + 1)) {
			const char *s = tok(l, i + 1), *c = strchr(s, ':');
			char tmp[16];
			if (c && (size_t)(c - s) < sizeof(tmp)) {
				memcpy(tmp, s, (size_t)(c - s));
				tmp[c - s] = 0;
				if (dec(tmp, &v) && v <= UINT32_MAX) {
					r->vendor = cor_mce_vendor_from_kernel((uint32_t)v);
					r->have |= COR_MCE_HAVE_VENDOR;
				}
				if (hex(c + 1, &v) && v <= UINT32_MAX && v)
					cor_mce_record_set_cpuid(r, (uint32_t)v);
			}
		} else if (is(l, i, "TIME") && dec(tok(l, i + 1), &v)) {
			r->time = v;
			r->have |= COR_MCE_HAVE_TIME;
		} else if (is(l, i, "SOCKET") && dec(tok(l, i + 1), &v) && v <= UINT32_MAX) {
			r->socket = (uint32_t)v;
			r->have |= COR_MCE_HAVE_SOCKET;
		} else if (is(l, i, "APIC") && hex(tok(l, i + 1), &v) && v <= UINT32_MAX) {
			r->apic = (uint32_t)v;
			r->have |= COR_MCE_HAVE_APIC;
		} else if (is(l, i, "microcode") && hex(tok(l, i + 1), &v) && v <= UINT32_MAX) {
			r->microcode = (uint32_t)v;
			r->have |= COR_MCE_HAVE_MICROCODE;
		}
	}
}

/* "Bank N: STATUS" anywhere in the line. */
static bool kernel_bank(const struct line *l, struct cor_mce_record *r)
{
	uint64_t bank, st;
	for (size_t i = 0; i + 2 < l->ntok; i++) {
		if (is(l, i, "Bank") && dec_colon(tok(l, i + 1), &bank) && bank <= UINT32_MAX &&
		    hex(tok(l, i + 2), &st)) {
			r->bank = (uint32_t)bank;
			r->status = st;
			r->have |= COR_MCE_HAVE_BANK | COR_MCE_HAVE_STATUS;
			return true;
		}
	}
	return false;
}

/* "CPU N: Machine Check[ Exception]: MCG [Bank N: STATUS]". */
static bool kernel_header(const struct line *l, struct cor_mce_record *r)
{
	uint64_t v;
	for (size_t i = 0; i + 3 < l->ntok; i++) {
		if (!is(l, i, "CPU") || !dec_colon(tok(l, i + 1), &v) || v > UINT32_MAX ||
		    !is(l, i + 2, "Machine"))
			continue;
		size_t j = i + 3;
		if (!is(l, j, "Check:") && !(is(l, j, "Check") && is(l, j + 1, "Exception:")))
			continue;
		j += is(l, j, "Check:") ? 1 : 2;
		r->cpu = (uint32_t)v;
		r->have |= COR_MCE_HAVE_CPU;
		if (hex(tok(l, j), &v)) {
			r->mcgstatus = v;
			r->have |= COR_MCE_HAVE_MCGSTATUS;
		}
		kernel_bank(l, r);
		return true;
	}
	return false;
}

/* AMD EDAC: "CPU:N (ff:mm:ss) MCn_STATUS[...]: 0xSTATUS". */
static bool edac_header(const struct line *l, struct cor_mce_record *r)
{
	for (size_t i = 0; i < l->ntok; i++) {
		const char *t = l->tok[i];
		uint64_t bank, st;
		if (strncmp(t, "MC", 2) != 0 || !strstr(t, "_STATUS["))
			continue;
		char tmp[16];
		size_t n = strspn(t + 2, "0123456789");
		if (n == 0 || n >= sizeof(tmp))
			continue;
		memcpy(tmp, t + 2, n);
		tmp[n] = 0;
		if (!dec(tmp, &bank) || bank > UINT32_MAX || !hex(tok(l, i + 1), &st))
			continue;
		r->bank = (uint32_t)bank;
		r->status = st;
		r->have |= COR_MCE_HAVE_BANK | COR_MCE_HAVE_STATUS;
		r->vendor = COR_MCE_VENDOR_AMD;
		r->have |= COR_MCE_HAVE_VENDOR;
		for (size_t k = 0; k < i; k++) {
			uint64_t cpu, f, m, s;
			const char *c = l->tok[k];
			if (strncmp(c, "CPU:", 4) == 0 && dec(c + 4, &cpu) && cpu <= UINT32_MAX) {
				r->cpu = (uint32_t)cpu;
				r->have |= COR_MCE_HAVE_CPU;
			}
			char fms[32];
			size_t cl = strlen(c);
			if (c[0] == '(' && cl > 2 && cl < sizeof(fms) && c[cl - 1] == ')') {
				memcpy(fms, c + 1, cl - 2);
				fms[cl - 2] = 0;
				char *sp = NULL, *a = strtok_r(fms, ":", &sp);
				char *b = strtok_r(NULL, ":", &sp), *e = strtok_r(NULL, ":", &sp);
				if (hex(a, &f) && hex(b, &m) && hex(e, &s) && f < 0x100 &&
				    m < 0x100 && s < 0x10) {
					r->family = (uint32_t)f;
					r->model = (uint32_t)m;
					r->stepping = (uint32_t)s;
					r->have |= COR_MCE_HAVE_CPUID;
				}
			}
		}
		return true;
	}
	return false;
}

static bool mentions(const char *p, size_t n, const char *word)
{
	return memmem(p, n, word, strlen(word)) != NULL;
}

struct cor_error *cor_mce_parse_kernel_log_mem(const char *text, size_t len,
					       struct cor_vec *records_ret)
{
	struct line *l = malloc(sizeof(*l));
	if (!l)
		return &cor_enomem;
	struct cor_mce_record cur = {0}, next;
	bool open = false;
	struct cor_error *err = NULL;
	uint32_t lineno = 0;
	for (size_t off = 0; off < len && !err;) {
		const char *p = text + off;
		const char *nl = memchr(p, '\n', len - off);
		size_t n = nl ? (size_t)(nl - p) : len - off;
		off += n + 1;
		lineno++;
		bool hw = mentions(p, n, "Hardware Error]") || mentions(p, n, "mce:");
		if (!hw && !mentions(p, n, "Machine Check") && !mentions(p, n, "Bank") && !open)
			continue;
		split_line(l, p, n);
		memset(&next, 0, sizeof(next));
		if (kernel_header(l, &next)) {
			err = push(records_ret, &cur, &open);
			cur = next;
			cur.line = lineno;
			open = true;
			continue;
		}
		if (hw && edac_header(l, &next)) {
			/* The EDAC decode repeats the record just printed: merge. */
			if (open && (cur.have & COR_MCE_HAVE_STATUS) && cur.status == next.status &&
			    cur.bank == next.bank) {
				if (!(cur.have & COR_MCE_HAVE_CPUID) &&
				    (next.have & COR_MCE_HAVE_CPUID)) {
					cur.family = next.family;
					cur.model = next.model;
					cur.stepping = next.stepping;
					cur.have |= COR_MCE_HAVE_CPUID;
				}
				continue;
			}
			err = push(records_ret, &cur, &open);
			cur = next;
			cur.line = lineno;
			open = true;
			continue;
		}
		if (!open)
			continue;
		/* A record's lines are contiguous: an unrelated line ends it. */
		if (!hw && !mentions(p, n, "TSC") && !mentions(p, n, "PROCESSOR") &&
		    !mentions(p, n, "RIP") && !mentions(p, n, "Bank")) {
			err = push(records_ret, &cur, &open);
			continue;
		}
		if (!(cur.have & COR_MCE_HAVE_STATUS) && kernel_bank(l, &cur))
			continue;
		if (hw || mentions(p, n, "TSC") || mentions(p, n, "PROCESSOR")) {
			kernel_fields(l, &cur);
			if (cur.vendor == COR_MCE_VENDOR_AMD)
				edac_fields(l, &cur);
			/* __print_mce() prints ADDR and MISC on the TSC line only when
			 * non-zero: their absence there means the kernel read 0. */
			if (cur.have & COR_MCE_HAVE_TSC)
				cur.have |= COR_MCE_HAVE_ADDR | COR_MCE_HAVE_MISC;
		}
	}
	if (!err)
		err = push(records_ret, &cur, &open);
	free(l);
	return err;
}

/* ---- mcelog text ------------------------------------------------------------ */

static void mcelog_cpuid(const struct line *l, size_t i, struct cor_mce_record *r)
{
	/* "CPUID Vendor Intel Family 6 Model 26 Step 5" (decimal). */
	uint64_t f, m, s;
	if (!is(l, i + 1, "Vendor") || !is(l, i + 3, "Family") || !dec(tok(l, i + 4), &f) ||
	    !is(l, i + 5, "Model") || !dec(tok(l, i + 6), &m) || f > 0xff || m > 0xff)
		return;
	const char *v = tok(l, i + 2);
	r->vendor = strcmp(v, "Intel") == 0				 ? COR_MCE_VENDOR_INTEL
		    : (strcmp(v, "AMD") == 0 || strcmp(v, "Hygon") == 0) ? COR_MCE_VENDOR_AMD
									 : COR_MCE_VENDOR_OTHER;
	r->family = (uint32_t)f;
	r->model = (uint32_t)m;
	r->stepping = is(l, i + 7, "Step") && dec(tok(l, i + 8), &s) && s < 16 ? (uint32_t)s : 0;
	r->have |= COR_MCE_HAVE_CPUID | COR_MCE_HAVE_VENDOR;
}

static void mcelog_fields(const struct line *l, struct cor_mce_record *r)
{
	uint64_t v;
	for (size_t i = 0; i < l->ntok; i++) {
		if (kv_hex(l, i, "STATUS", &r->status, r, COR_MCE_HAVE_STATUS) ||
		    kv_hex(l, i, "MCGSTATUS", &r->mcgstatus, r, COR_MCE_HAVE_MCGSTATUS) ||
		    kv_hex(l, i, "MCGCAP", &r->mcgcap, r, COR_MCE_HAVE_MCGCAP) ||
		    kv_hex(l, i, "TSC", &r->tsc, r, COR_MCE_HAVE_TSC) ||
		    kv_hex(l, i, "ADDR", &r->addr, r, COR_MCE_HAVE_ADDR) ||
		    kv_hex(l, i, "MISC", &r->misc, r, COR_MCE_HAVE_MISC) ||
		    kv_hex(l, i, "PPIN", &r->ppin, r, COR_MCE_HAVE_PPIN) ||
		    kv_hex(l, i, "SYND", &r->synd, r, COR_MCE_HAVE_SYND) ||
		    kv_hex(l, i, "IPID", &r->ipid, r, COR_MCE_HAVE_IPID)) {
			i++;
		} else if ((is(l, i, "APICID") || is(l, i, "MICROCODE")) &&
			   hex(tok(l, i + 1), &v) && v <= UINT32_MAX) {
			if (is(l, i, "APICID"))
				r->apic = (uint32_t)v;
			else
				r->microcode = (uint32_t)v;
			r->have |= is(l, i, "APICID") ? COR_MCE_HAVE_APIC : COR_MCE_HAVE_MICROCODE;
			i++;
		} else if (is(l, i, "SOCKETID") && dec(tok(l, i + 1), &v) && v <= UINT32_MAX) {
			r->socket = (uint32_t)v;
			r->have |= COR_MCE_HAVE_SOCKET;
		} else if (is(l, i, "TIME") && dec(tok(l, i + 1), &v)) {
			r->time = v;
			r->have |= COR_MCE_HAVE_TIME;
			return; /* the rest is a formatted date */
		} else if (is(l, i, "RIP")) {
			if (is(l, i + 1, "!INEXACT!")) {
				r->rip_inexact = true;
				i++;
			}
			parse_rip(r, tok(l, i + 1));
			return; /* the rest is a symbol */
		} else if (is(l, i, "CPUID")) {
			mcelog_cpuid(l, i, r);
			return;
		}
	}
}

/* "CPU n BANK m ..." or "CPU n m <bankname> ..." (AMD). */
static bool mcelog_cpu_bank(const struct line *l, struct cor_mce_record *r)
{
	uint64_t cpu, bank;
	if (!is(l, 0, "CPU") || !dec(tok(l, 1), &cpu) || cpu > UINT32_MAX)
		return false;
	size_t b = is(l, 2, "BANK") ? 3 : 2;
	if (!dec(tok(l, b), &bank) || bank > UINT32_MAX)
		return false;
	r->cpu = (uint32_t)cpu;
	r->bank = (uint32_t)bank;
	r->have |= COR_MCE_HAVE_CPU | COR_MCE_HAVE_BANK;
	return true;
}

struct cor_error *cor_mce_parse_mcelog_mem(const char *text, size_t len,
					   struct cor_vec *records_ret)
{
	struct line *l = malloc(sizeof(*l));
	if (!l)
		return &cor_enomem;
	struct cor_mce_record cur = {0};
	bool open = false;
	struct cor_error *err = NULL;
	uint32_t lineno = 0;
	for (size_t off = 0; off < len && !err;) {
		const char *p = text + off;
		const char *nl = memchr(p, '\n', len - off);
		size_t n = nl ? (size_t)(nl - p) : len - off;
		off += n + 1;
		lineno++;
		split_line(l, p, n);
		uint64_t v;
		if ((is(l, 0, "MCE") && dec(tok(l, 1), &v) && l->ntok == 2) ||
		    (is(l, 0, "Hardware") && is(l, 1, "event."))) {
			if (open && !(cur.have & ~COR_MCE_HAVE_VENDOR) && is(l, 0, "MCE"))
				continue; /* "Hardware event." then "MCE 0": one record */
			err = push(records_ret, &cur, &open);
			cur.line = lineno;
			open = true;
			continue;
		}
		struct cor_mce_record probe = {0};
		if (mcelog_cpu_bank(l, &probe)) {
			if (!open || (cur.have & COR_MCE_HAVE_BANK)) {
				err = push(records_ret, &cur, &open);
				cur.line = lineno;
				open = true;
			}
			cur.cpu = probe.cpu;
			cur.bank = probe.bank;
			cur.have |= COR_MCE_HAVE_CPU | COR_MCE_HAVE_BANK;
		}
		if (open)
			mcelog_fields(l, &cur);
	}
	if (!err)
		err = push(records_ret, &cur, &open);
	free(l);
	return err;
}

/* ---- both --------------------------------------------------------------------- */

struct cor_error *cor_mce_parse_log_mem(const char *text, size_t len, struct cor_vec *records_ret)
{
	struct cor_vec k, m;
	cor_vec_init(&k, sizeof(struct cor_mce_record));
	cor_vec_init(&m, sizeof(struct cor_mce_record));
	struct cor_error *err = cor_mce_parse_kernel_log_mem(text, len, &k);
	if (!err)
		err = cor_mce_parse_mcelog_mem(text, len, &m);
	/* Merge by line so records keep the order of the text. */
	size_t i = 0, j = 0;
	while (!err && (i < k.len || j < m.len)) {
		const struct cor_mce_record *a = i < k.len ? cor_vec_at(&k, i) : NULL;
		const struct cor_mce_record *b = j < m.len ? cor_vec_at(&m, j) : NULL;
		if (a && (!b || a->line <= b->line)) {
			err = cor_vec_push(records_ret, a);
			i++;
		} else {
			err = cor_vec_push(records_ret, b);
			j++;
		}
	}
	cor_vec_deinit(&k);
	cor_vec_deinit(&m);
	return err;
}
