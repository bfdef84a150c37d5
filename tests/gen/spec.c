// SPDX-License-Identifier: MIT
// The text spec of tests/gen/gen.h: parsing into struct gen_spec.
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen.h"

/* Generated dumps are small: at most 1 GiB of described pages. */
#define GEN_MAX_NPFN (1u << 18)

struct parser {
	struct gen_spec *spec;
	int line;
	char *err;
	size_t errlen;
	bool pages_seen;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
	int n = snprintf(p->err, p->errlen, "spec line %d: ", p->line);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int num(struct parser *p, const char *s, uint64_t *ret)
{
	char *end;
	if (!s || !*s)
		return fail(p, "missing number");
	*ret = strtoull(s, &end, 0);
	if (*end)
		return fail(p, "bad number '%s'", s);
	return 0;
}

/* "N" or "N:COUNT". */
static int pfns(struct parser *p, const char *s, uint64_t *first, uint64_t *count)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", s ? s : "");
	char *colon = strchr(buf, ':');
	*count = 1;
	if (colon) {
		*colon = '\0';
		if (num(p, colon + 1, count))
			return -1;
	}
	if (num(p, buf, first))
		return -1;
	if (*count == 0 || *first + *count > GEN_MAX_NPFN)
		return fail(p, "page range %s is empty or too large", s);
	return 0;
}

/* Grows the per-pfn arrays to cover @npfn frames. */
static int grow(struct parser *p, uint64_t npfn)
{
	struct gen_spec *s = p->spec;
	if (npfn <= s->npfn)
		return 0;
	uint8_t *k = realloc(s->kind, npfn), *c = realloc(s->corrupt, npfn);
	if (k)
		s->kind = k;
	if (c)
		s->corrupt = c;
	uint8_t *pg = realloc(s->pages, npfn * s->page_size);
	if (pg)
		s->pages = pg;
	if (!k || !c || !pg)
		return fail(p, "out of memory");
	memset(s->kind + s->npfn, GEN_PAGE_NONE, npfn - s->npfn);
	memset(s->corrupt + s->npfn, 0, npfn - s->npfn);
	memset(s->pages + s->npfn * s->page_size, 0, (npfn - s->npfn) * s->page_size);
	s->npfn = npfn;
	p->pages_seen = true;
	return 0;
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void fill_page(struct gen_spec *s, uint64_t pfn, const char *how, uint64_t arg)
{
	uint8_t *pg = s->pages + pfn * s->page_size;
	if (strcmp(how, "fill") == 0) {
		memset(pg, (int)(arg & 0xff), s->page_size);
	} else if (strcmp(how, "random") == 0) {
		uint64_t x = (arg + 1) * 0x9e3779b97f4a7c15ull ^ (pfn + 1) * 0xbf58476d1ce4e5b9ull;
		for (uint32_t i = 0; i < s->page_size; i += 8) {
			uint64_t v = xorshift(&x);
			memcpy(pg + i, &v, 8);
		}
	} else { /* pattern: a 64-byte motif repeated, with the pfn in each motif */
		for (uint32_t i = 0; i < s->page_size; i++)
			pg[i] = (uint8_t)((i % 64) * (arg | 1) + (i % 64 == 0 ? pfn : arg));
	}
}

static int hexbytes(struct parser *p, const char *hex, uint8_t **ret, size_t *len)
{
	size_t n = strlen(hex);
	if (n % 2)
		return fail(p, "odd number of hex digits");
	uint8_t *b = malloc(n / 2 + 1);
	if (!b)
		return fail(p, "out of memory");
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (!isxdigit((unsigned char)hex[2 * i]) ||
		    !isxdigit((unsigned char)hex[2 * i + 1]) ||
		    sscanf(hex + 2 * i, "%2x", &v) != 1) {
			free(b);
			return fail(p, "bad hex byte at %zu", i);
		}
		b[i] = (uint8_t)v;
	}
	*ret = b;
	*len = n / 2;
	return 0;
}

static int add_note(struct parser *p, const char *name, uint32_t type, uint8_t *desc, size_t len)
{
	struct gen_spec *s = p->spec;
	struct gen_note *n = realloc(s->notes, (s->num_notes + 1) * sizeof(*n));
	if (!n) {
		free(desc);
		return fail(p, "out of memory");
	}
	s->notes = n;
	n = &s->notes[s->num_notes++];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->type = type;
	n->desc = desc;
	n->descsz = len;
	return 0;
}

/* NT_PRSTATUS: x86-64 struct elf_prstatus (include/linux/elfcore.h, 336 bytes):
 * pr_pid at 32, pr_reg (struct user_regs_struct, 27 longs) at 112: rip is
 * register 16, rsp register 19 (arch/x86/include/asm/user_64.h). */
static int add_prstatus(struct parser *p, uint64_t pid, uint64_t rip, uint64_t rsp)
{
	uint8_t *d = calloc(1, 336);
	if (!d)
		return fail(p, "out of memory");
	uint32_t pid32 = (uint32_t)pid;
	memcpy(d + 32, &pid32, 4);
	memcpy(d + 112 + 16 * 8, &rip, 8);
	memcpy(d + 112 + 19 * 8, &rsp, 8);
	return add_note(p, "CORE", 1, d, 336);
}

static int poke(struct parser *p, uint64_t paddr, const char *how, const char *arg)
{
	struct gen_spec *s = p->spec;
	uint8_t *bytes;
	size_t len;
	if (strcmp(how, "text") == 0) {
		len = strlen(arg);
		bytes = (uint8_t *)strdup(arg);
		if (!bytes)
			return fail(p, "out of memory");
	} else if (strcmp(how, "hex") == 0) {
		if (hexbytes(p, arg, &bytes, &len))
			return -1;
	} else {
		return fail(p, "poke: text or hex, not '%s'", how);
	}
	uint64_t last = (paddr + (len ? len : 1) - 1) / s->page_size;
	if (last >= GEN_MAX_NPFN || grow(p, last + 1)) {
		free(bytes);
		return fail(p, "poke beyond the generator's limit");
	}
	for (uint64_t pfn = paddr / s->page_size; pfn <= last; pfn++)
		if (s->kind[pfn] == GEN_PAGE_NONE)
			s->kind[pfn] = GEN_PAGE_DATA;
	memcpy(s->pages + paddr, bytes, len);
	free(bytes);
	return 0;
}

static int pages_directive(struct parser *p, const char *cmd, char **a, int na)
{
	struct gen_spec *s = p->spec;
	uint64_t first, count, arg = 0;
	if (pfns(p, a[0], &first, &count) || grow(p, first + count))
		return -1;
	if (strcmp(cmd, "page") == 0) {
		if (na < 2 ||
		    (strcmp(a[1], "random") && strcmp(a[1], "pattern") && strcmp(a[1], "fill")))
			return fail(p, "page PFNS random|pattern|fill N");
		if (na >= 3 && num(p, a[2], &arg))
			return -1;
	}
	for (uint64_t pfn = first; pfn < first + count; pfn++) {
		if (strcmp(cmd, "page") == 0) {
			s->kind[pfn] = GEN_PAGE_DATA;
			fill_page(s, pfn, a[1], arg);
		} else if (strcmp(cmd, "exclude") == 0) {
			s->kind[pfn] = GEN_PAGE_EXCLUDED;
			memset(s->pages + pfn * s->page_size, 0, s->page_size);
		} else {
			s->corrupt[pfn] = 1;
		}
	}
	return 0;
}

static int set_str(struct parser *p, char *dst, const char *v)
{
	if (!v)
		return fail(p, "missing value");
	snprintf(dst, 65, "%s", v);
	return 0;
}

static int header_directive(struct parser *p, const char *cmd, char **a, int na)
{
	struct gen_spec *s = p->spec;
	static const char *const names[] = {
	    "format",	  "codec",	    "machine",	   "release",	  "page_size",
	    "max_pfn",	  "header_version", "elf_class",   "elf_machine", "elf_type",
	    "incomplete", "flat_chunk",	    "flat_shuffle"};
	size_t k;
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (strcmp(cmd, names[k]) == 0)
			break;
	if (k == sizeof(names) / sizeof(names[0]))
		return 1; /* not a header directive */
	uint64_t v = 0;
	if (strcmp(cmd, "format") == 0 || strcmp(cmd, "codec") == 0 ||
	    strcmp(cmd, "machine") == 0 || strcmp(cmd, "release") == 0) {
		if (na < 1)
			return fail(p, "%s needs a value", cmd);
	} else if (na < 1 || num(p, a[0], &v)) {
		return fail(p, "%s needs a number", cmd);
	}
	if (strcmp(cmd, "format") == 0) {
		s->format = strcmp(a[0], "elf") == 0	 ? GEN_ELF
			    : strcmp(a[0], "flat") == 0	 ? GEN_FLAT
			    : strcmp(a[0], "kdump") == 0 ? GEN_KDUMP
							 : (enum gen_format) - 1;
		if ((int)s->format < 0)
			return fail(p, "unknown format '%s'", a[0]);
	} else if (strcmp(cmd, "codec") == 0) {
		static const struct {
			const char *name;
			enum gen_codec c;
		} codecs[] = {{"none", GEN_CODEC_NONE},
			      {"zlib", GEN_CODEC_ZLIB},
			      {"lzo", GEN_CODEC_LZO},
			      {"snappy", GEN_CODEC_SNAPPY},
			      {"zstd", GEN_CODEC_ZSTD}};
		size_t i;
		for (i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
			if (strcmp(a[0], codecs[i].name) == 0)
				break;
		if (i == sizeof(codecs) / sizeof(codecs[0]))
			return fail(p, "unknown codec '%s'", a[0]);
		s->codec = codecs[i].c;
	} else if (strcmp(cmd, "machine") == 0) {
		return set_str(p, s->machine, a[0]);
	} else if (strcmp(cmd, "release") == 0) {
		return set_str(p, s->release, a[0]);
	} else if (strcmp(cmd, "page_size") == 0) {
		if (p->pages_seen || v < 512 || v > (1u << 20) || (v & (v - 1)))
			return fail(p, "page_size must be a power of two and come before any page");
		s->page_size = (uint32_t)v;
	} else if (strcmp(cmd, "max_pfn") == 0) {
		s->max_pfn = v;
	} else if (strcmp(cmd, "header_version") == 0) {
		s->header_version = (int)v;
	} else if (strcmp(cmd, "elf_class") == 0) {
		s->elf_class = (int)v;
	} else if (strcmp(cmd, "elf_machine") == 0) {
		s->elf_machine = (int)v;
	} else if (strcmp(cmd, "elf_type") == 0) {
		s->elf_type = (int)v;
	} else if (strcmp(cmd, "incomplete") == 0) {
		s->incomplete = v;
		s->incomplete_flag = true;
	} else if (strcmp(cmd, "flat_chunk") == 0) {
		if (v == 0)
			return fail(p, "flat_chunk 0");
		s->flat_chunk = v;
	} else if (strcmp(cmd, "flat_shuffle") == 0) {
		s->flat_shuffle = v;
	} else {
		return 1; /* not a header directive */
	}
	return 0;
}

static int content_directive(struct parser *p, const char *cmd, char **a, int na)
{
	struct gen_spec *s = p->spec;
	uint64_t x, y, z;
	if (strcmp(cmd, "page") == 0 || strcmp(cmd, "exclude") == 0 ||
	    strcmp(cmd, "corrupt") == 0) {
		if (na < 1)
			return fail(p, "%s needs PFNS", cmd);
		return pages_directive(p, cmd, a, na);
	}
	if (strcmp(cmd, "poke") == 0) {
		if (na < 3 || num(p, a[0], &x))
			return fail(p, "poke PADDR text|hex VALUE");
		return poke(p, x, a[1], a[2]);
	}
	if (strcmp(cmd, "vmcoreinfo") == 0) {
		if (na < 1 || !strchr(a[0], '='))
			return fail(p, "vmcoreinfo KEY=VALUE");
		size_t old = strlen(s->vmcoreinfo), add = strlen(a[0]);
		char *v = realloc(s->vmcoreinfo, old + add + 2);
		if (!v)
			return fail(p, "out of memory");
		memcpy(v + old, a[0], add);
		memcpy(v + old + add, "\n", 2);
		s->vmcoreinfo = v;
		return 0;
	}
	if (strcmp(cmd, "note") == 0) {
		uint8_t *desc = NULL;
		size_t len = 0;
		if (na < 2 || num(p, a[1], &x))
			return fail(p, "note NAME TYPE [HEX]");
		if (na >= 3 && hexbytes(p, a[2], &desc, &len))
			return -1;
		return add_note(p, a[0], (uint32_t)x, desc, len);
	}
	if (strcmp(cmd, "prstatus") == 0) {
		if (na < 3 || num(p, a[0], &x) || num(p, a[1], &y) || num(p, a[2], &z))
			return fail(p, "prstatus PID RIP RSP");
		return add_prstatus(p, x, y, z);
	}
	if (strcmp(cmd, "load") == 0) {
		if (na < 3 || num(p, a[0], &x) || num(p, a[1], &y) || num(p, a[2], &z) || z > y)
			return fail(p, "load PADDR MEMSZ FILESZ (FILESZ <= MEMSZ)");
		struct gen_load *l = realloc(s->loads, (s->num_loads + 1) * sizeof(*l));
		if (!l)
			return fail(p, "out of memory");
		s->loads = l;
		s->loads[s->num_loads++] = (struct gen_load){x, y, z};
		return 0;
	}
	return fail(p, "unknown directive '%s'", cmd);
}

/* Splits @line into words in place; a "text" argument takes the rest of the line. */
static int split(char *line, char **w, int max)
{
	int n = 0;
	char *s = line;
	while (n < max) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		if (n >= 2 && strcmp(w[0], "poke") == 0 && strcmp(w[n - 1], "text") == 0) {
			w[n++] = s; /* the rest of the line, verbatim */
			break;
		}
		w[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
	return n;
}

static void spec_defaults(struct gen_spec *s)
{
	s->format = GEN_KDUMP;
	s->codec = GEN_CODEC_ZLIB;
	s->page_size = 4096;
	s->header_version = 6;
	snprintf(s->machine, sizeof(s->machine), "x86_64");
	snprintf(s->release, sizeof(s->release), "6.1.0-gen");
	s->elf_class = 64;
	s->elf_machine = 62; /* EM_X86_64 */
	s->elf_type = 4;     /* ET_CORE */
	s->flat_chunk = 65536;
}

int gen_spec_parse(const char *text, struct gen_spec **ret, char *err, size_t errlen)
{
	struct gen_spec *s = calloc(1, sizeof(*s));
	char *copy = strdup(text);
	if (s)
		s->vmcoreinfo = calloc(1, 1);
	if (!s || !copy || !s->vmcoreinfo) {
		free(copy);
		gen_spec_free(s);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	spec_defaults(s);
	struct parser p = {.spec = s, .err = err, .errlen = errlen};
	int rc = 0;
	for (char *line = copy, *next; line && rc == 0; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		p.line++;
		char *hash = strchr(line, '#');
		if (hash && !(strstr(line, "poke") && strstr(line, " text ")))
			*hash = '\0';
		char *w[8];
		int n = split(line, w, 8);
		if (n == 0)
			continue;
		rc = header_directive(&p, w[0], w + 1, n - 1);
		if (rc == 1)
			rc = content_directive(&p, w[0], w + 1, n - 1);
	}
	free(copy);
	if (rc == 0 && s->max_pfn < s->npfn)
		s->max_pfn = s->npfn;
	if (rc) {
		gen_spec_free(s);
		return -1;
	}
	*ret = s;
	return 0;
}

void gen_spec_free(struct gen_spec *spec)
{
	if (!spec)
		return;
	for (size_t i = 0; i < spec->num_notes; i++)
		free(spec->notes[i].desc);
	free(spec->notes);
	free(spec->loads);
	free(spec->kind);
	free(spec->corrupt);
	free(spec->pages);
	free(spec->vmcoreinfo);
	free(spec);
}

const uint8_t *gen_page(const struct gen_spec *spec, uint64_t pfn)
{
	static const uint8_t zero[1u << 20];
	if (pfn >= spec->npfn)
		return zero;
	return spec->pages + pfn * spec->page_size;
}
