// SPDX-License-Identifier: MIT
// The kernel's compressed kallsyms tables, decoded from its own memory.
//
// Layout (scripts/kallsyms.c write_src() and kernel/kallsyms.c, Linux 4.6 to
// 6.1; the names of kernel/kallsyms_internal.h):
//   kallsyms_offsets[num]   int: with CONFIG_KALLSYMS_ABSOLUTE_PERCPU (x86-64
//                           SMP), >= 0 is an absolute (per-cpu) value and < 0
//                           is relative_base - 1 - offset; without it,
//                           relative_base + (u32)offset
//   kallsyms_relative_base  unsigned long
//   (or kallsyms_addresses[num], unsigned long, before 4.6 / without
//   CONFIG_KALLSYMS_BASE_RELATIVE)
//   kallsyms_num_syms       unsigned int
//   kallsyms_names          per symbol: a length byte (6.1: when bit 7 is set,
//                           a second byte holds bits 7..14), then that many
//                           token numbers; the expansion's first character is
//                           the nm type letter
//   kallsyms_markers[]      offset into names of every 256th symbol (unsigned
//                           int; unsigned long before 4.20)
//   kallsyms_token_table    256 NUL-terminated token strings
//   kallsyms_token_index    u16[256]: offset of each token in the table
// Each label is 8-aligned on 64-bit (ALGN in scripts/kallsyms.c).
#include <stdlib.h>
#include <string.h>

#include "sym/sym.h"

/* KSYM_NAME_LEN is 512 since 6.1 (include/linux/kallsyms.h); a name longer
 * than this is corrupt. */
#define NAME_MAX_LEN 1024
#define CHUNK	     (64u * 1024)
/* Names of ~150k symbols take ~1.5 MiB on 6.1; read at most this at once. */
#define NAMES_BULK_MAX (64u << 20)

/* A sequential reader over kernel memory, one chunk cached. */
struct stream {
	cor_sym_read_fn read;
	void *arg;
	uint64_t base; /* address of buf[0] */
	size_t len;
	/* Bytes read at a time (CHUNK, or less for random access); 0 = CHUNK. */
	size_t cap;
	uint8_t buf[CHUNK];
};

static struct cor_error *stream_fill(struct stream *s, uint64_t addr)
{
	size_t want = s->cap ? s->cap : CHUNK;
	struct cor_error *err = s->read(s->arg, addr, s->buf, want);
	if (err) {
		/* Near the end of a readable range: fall back to a page-sized read. */
		cor_error_destroy(err);
		uint64_t page_end = (addr | 4095) + 1;
		size_t n = (size_t)(page_end - addr);
		err = s->read(s->arg, addr, s->buf, n);
		if (err)
			return cor_error_wrap(err, "reading kallsyms at 0x%llx",
					      (unsigned long long)addr);
		s->len = n;
	} else {
		s->len = want;
	}
	s->base = addr;
	return NULL;
}

static struct cor_error *stream_byte(struct stream *s, uint64_t addr, uint8_t *ret)
{
	if (addr < s->base || addr - s->base >= s->len) {
		struct cor_error *err = stream_fill(s, addr);
		if (err)
			return err;
	}
	*ret = s->buf[addr - s->base];
	return NULL;
}

struct tokens {
	char table[256][NAME_MAX_LEN / 4];
	uint8_t len[256];
};

static struct cor_error *load_tokens(cor_sym_read_fn read, void *arg,
				     const struct cor_kallsyms_loc *loc, struct tokens *tk)
{
	uint8_t idx[512];
	struct cor_error *err = read(arg, loc->token_index, idx, sizeof(idx));
	if (err)
		return cor_error_wrap(err, "reading kallsyms_token_index");
	uint32_t max = 0;
	for (int i = 0; i < 256; i++)
		max = COR_MAX(max, cor_le16(idx + 2 * i));
	size_t size = (size_t)max + sizeof(tk->table[0]);
	char *tab = malloc(size);
	if (!tab)
		return &cor_enomem;
	/* The table may end right before an unmapped page: read less if needed. */
	while ((err = read(arg, loc->token_table, tab, size)) && size > (size_t)max + 1) {
		cor_error_destroy(err);
		size = (size_t)max + 1 + (size - max - 1) / 2;
	}
	for (int i = 0; !err && i < 256; i++) {
		size_t off = cor_le16(idx + 2 * i);
		size_t n = strnlen(tab + off, COR_MIN(size - off, sizeof(tk->table[0])));
		if (n == 0 || n >= sizeof(tk->table[0]) || off + n >= size)
			err = cor_error_at(COR_ERR_CORRUPT, loc->token_table + off,
					   "kallsyms token %d at 0x%llx is empty or unterminated",
					   i, (unsigned long long)(loc->token_table + off));
		else {
			memcpy(tk->table[i], tab + off, n);
			tk->len[i] = (uint8_t)n;
		}
	}
	free(tab);
	return err ? cor_error_wrap(err, "reading kallsyms_token_table") : NULL;
}

/* Decodes one name at *pos (advanced) into buf (NUL-terminated), *len_ret. */
static struct cor_error *decode_name(struct stream *s, const struct tokens *tk, uint64_t *pos,
				     char *buf, size_t *len_ret)
{
	uint64_t at = *pos;
	uint8_t b0, b1;
	struct cor_error *err = stream_byte(s, at++, &b0);
	if (err)
		return err;
	size_t n = b0;
	if (b0 & 0x80) {
		if ((err = stream_byte(s, at++, &b1)))
			return err;
		n = (b0 & 0x7f) | (size_t)b1 << 7;
	}
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t t;
		if ((err = stream_byte(s, at++, &t)))
			return err;
		if (len + tk->len[t] >= NAME_MAX_LEN)
			return cor_error_at(COR_ERR_CORRUPT, *pos,
					    "kallsyms name at 0x%llx is longer than %d bytes",
					    (unsigned long long)*pos, NAME_MAX_LEN);
		memcpy(buf + len, tk->table[t], tk->len[t]);
		len += tk->len[t];
	}
	buf[len] = '\0';
	*pos = at;
	*len_ret = len;
	return NULL;
}

/* Like decode_name() over the names read at once (@p buf, @p len bytes at
 * address @p base): no per-byte callback. */
static struct cor_error *decode_name_mem(const uint8_t *buf, size_t len, uint64_t base,
					 const struct tokens *tk, uint64_t *pos, char *out,
					 size_t *len_ret)
{
	size_t at = (size_t)(*pos - base);
	if (at >= len)
		return cor_error_at(COR_ERR_CORRUPT, *pos,
				    "kallsyms names run into the token table at 0x%llx",
				    (unsigned long long)*pos);
	size_t n = buf[at++];
	if ((n & 0x80) && at < len)
		n = (n & 0x7f) | (size_t)buf[at++] << 7;
	if (n > len - at)
		return cor_error_at(COR_ERR_CORRUPT, *pos,
				    "kallsyms name at 0x%llx runs into the token table",
				    (unsigned long long)*pos);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t t = buf[at + i];
		if (o + tk->len[t] >= NAME_MAX_LEN)
			return cor_error_at(COR_ERR_CORRUPT, *pos,
					    "kallsyms name at 0x%llx is longer than %d bytes",
					    (unsigned long long)*pos, NAME_MAX_LEN);
		memcpy(out + o, tk->table[t], tk->len[t]);
		o += tk->len[t];
	}
	out[o] = '\0';
	*pos = base + at + n;
	*len_ret = o;
	return NULL;
}

/* Reads the address array: offsets + relative_base, or absolute addresses. */
static struct cor_error *load_addresses(cor_sym_read_fn read, void *arg,
					const struct cor_kallsyms_loc *loc, uint32_t num,
					uint64_t **ret)
{
	uint64_t *addrs = malloc((num ? num : 1) * sizeof(*addrs));
	size_t width = loc->offsets ? 4 : 8;
	uint8_t *raw = malloc((num ? num : 1) * width);
	struct cor_error *err = NULL;
	uint64_t base = 0;
	if (!addrs || !raw) {
		err = &cor_enomem;
		goto out;
	}
	if (loc->offsets) {
		uint8_t b[8];
		if ((err = read(arg, loc->relative_base, b, 8))) {
			err = cor_error_wrap(err, "reading kallsyms_relative_base");
			goto out;
		}
		base = cor_le64(b);
	}
	err = read(arg, loc->offsets ? loc->offsets : loc->addresses, raw, (size_t)num * width);
	if (err) {
		err = cor_error_wrap(err, "reading kallsyms_%s",
				     loc->offsets ? "offsets" : "addresses");
		goto out;
	}
	/* CONFIG_KALLSYMS_ABSOLUTE_PERCPU shows as negative offsets: without it every
	 * offset is addr - relative_base of a kernel image well under 2 GiB. */
	bool absolute_percpu = false;
	for (uint32_t i = 0; loc->offsets && i < num && !absolute_percpu; i++)
		absolute_percpu = (int32_t)cor_le32(raw + 4 * i) < 0;
	for (uint32_t i = 0; i < num; i++) {
		if (!loc->offsets) {
			addrs[i] = cor_le64(raw + 8 * i);
			continue;
		}
		int32_t off = (int32_t)cor_le32(raw + 4 * i);
		if (!absolute_percpu)
			addrs[i] = base + (uint32_t)off;
		else if (off >= 0)
			addrs[i] = (uint64_t)off;
		else
			addrs[i] = base - 1 - (uint64_t)(int64_t)off;
	}
out:
	free(raw);
	if (err)
		free(addrs);
	else
		*ret = addrs;
	return err;
}

struct cor_error *cor_kallsyms_load(cor_sym_read_fn read, void *arg,
				    const struct cor_kallsyms_loc *loc,
				    struct cor_symtab_builder *b)
{
	if (!loc->num_syms || !loc->names || !loc->token_table || !loc->token_index ||
	    !((loc->offsets && loc->relative_base) || loc->addresses))
		return cor_error_create(COR_ERR_NOT_FOUND, "kallsyms tables not located");
	uint8_t nb[4];
	struct cor_error *err = read(arg, loc->num_syms, nb, 4);
	if (err)
		return cor_error_wrap(err, "reading kallsyms_num_syms");
	uint32_t num = cor_le32(nb);
	if (num == 0 || num > COR_KALLSYMS_MAX_SYMS)
		return cor_error_at(COR_ERR_CORRUPT, loc->num_syms,
				    "kallsyms_num_syms = %u is not plausible", num);
	struct tokens *tk = malloc(sizeof(*tk));
	struct stream *s = malloc(sizeof(*s));
	uint64_t *addrs = NULL;
	if (!tk || !s) {
		err = &cor_enomem;
		goto out;
	}
	*s = (struct stream){.read = read, .arg = arg};
	if ((err = load_tokens(read, arg, loc, tk)) ||
	    (err = load_addresses(read, arg, loc, num, &addrs)))
		goto out;
	/* ~20 bytes a name on 6.1; the builder grows past the hint if needed. */
	if ((err = cor_symtab_builder_reserve(b, num, (size_t)num * 24)))
		goto out;
	uint64_t pos = loc->names;
	char name[NAME_MAX_LEN];
	/* The names lie before the token table (markers and, on some kernels,
	 * seqs_of_names between): read them at once when that span is sane, else
	 * byte by byte through the stream. */
	uint8_t *names = NULL;
	size_t names_len = 0;
	if (loc->token_table > loc->names && loc->token_table - loc->names <= NAMES_BULK_MAX) {
		names_len = (size_t)(loc->token_table - loc->names);
		names = malloc(names_len);
		struct cor_error *rerr = names ? read(arg, loc->names, names, names_len) : NULL;
		if (!names || rerr) {
			cor_error_destroy(rerr);
			free(names);
			names = NULL;
		}
	}
	for (uint32_t i = 0; i < num; i++) {
		size_t len = 0;
		err = names ? decode_name_mem(names, names_len, loc->names, tk, &pos, name, &len)
			    : decode_name(s, tk, &pos, name, &len);
		if (err)
			break;
		if (len < 2) {
			err = cor_error_at(COR_ERR_CORRUPT, pos,
					   "kallsyms name %u decodes to \"%s\" (no type or name)",
					   i, name);
			break;
		}
		if ((err =
			 cor_symtab_builder_add(b, name + 1, len - 1, addrs[i], 0, name[0], NULL)))
			break;
	}
	free(names);
out:
	free(addrs);
	free(s);
	free(tk);
	return err;
}

/* ---- lazy lookups --------------------------------------------------------
 * One-shot commands (`sym jiffies`, `rd jiffies`) look up a symbol or two:
 * decoding all ~150k names (~25 ms) is wasted on them. The kernel itself
 * finds names without decoding everything: by address, a binary search of
 * kallsyms_offsets then one name from its kallsyms_markers block; by name, a
 * binary search of kallsyms_seqs_of_names (symbol numbers sorted by name,
 * Linux 6.2, backported to some 6.1 stable kernels; kernel/kallsyms.c
 * kallsyms_lookup_names()). Neither the markers nor the seqs are in
 * VMCOREINFO: they are found before the token table and checked. */

#define LAZY_MAX_NAMES 4096

struct cor_kallsyms_lazy {
	cor_sym_read_fn read;
	void *arg;
	struct cor_kallsyms_loc loc;
	uint32_t num;
	uint64_t base;
	bool absolute_percpu;
	uint32_t *markers;
	uint32_t nmarkers;
	/* kallsyms_seqs_of_names, or 0 if this kernel has none. */
	uint64_t seqs;
	struct tokens tk;
	struct stream s;
	/* Names handed out (malloc'ed; valid until destroyed). */
	char **names;
	size_t nnames;
};

static bool lazy_u32(struct cor_kallsyms_lazy *lz, uint64_t addr, uint32_t *ret)
{
	uint8_t b[4];
	struct cor_error *err = lz->read(lz->arg, addr, b, 4);
	cor_error_destroy(err);
	if (!err)
		*ret = cor_le32(b);
	return !err;
}

static bool lazy_addr_at(struct cor_kallsyms_lazy *lz, uint32_t i, uint64_t *ret)
{
	uint32_t v;
	if (!lz->loc.offsets) {
		uint8_t b[8];
		struct cor_error *err = lz->read(lz->arg, lz->loc.addresses + 8ull * i, b, 8);
		cor_error_destroy(err);
		if (!err)
			*ret = cor_le64(b);
		return !err;
	}
	if (!lazy_u32(lz, lz->loc.offsets + 4ull * i, &v))
		return false;
	int32_t off = (int32_t)v;
	*ret = !lz->absolute_percpu ? lz->base + v
	       : off >= 0	    ? (uint64_t)off
				    : lz->base - 1 - (uint64_t)(int64_t)off;
	return true;
}

/* Name (with its type letter first) of symbol @p i: from its block's marker,
 * skip the names before it, decode it. */
static struct cor_error *lazy_name_at(struct cor_kallsyms_lazy *lz, uint32_t i, char *buf,
				      size_t *len_ret)
{
	uint64_t pos = lz->loc.names + lz->markers[i >> 8];
	for (uint32_t k = 0; k < (i & 255); k++) {
		uint8_t b0, b1 = 0;
		struct cor_error *err = stream_byte(&lz->s, pos, &b0);
		if (!err && (b0 & 0x80))
			err = stream_byte(&lz->s, pos + 1, &b1);
		if (err)
			return err;
		pos += (b0 & 0x80) ? 2 + ((b0 & 0x7fu) | (uint32_t)b1 << 7) : 1u + b0;
	}
	return decode_name(&lz->s, &lz->tk, &pos, buf, len_ret);
}

/* Reads and checks the markers ending at @p end (8-aligned before the seqs or
 * the token table): markers[0] == 0, increasing, and the name count of block
 * 0 ending where markers[1] says. */
static bool lazy_markers_at(struct cor_kallsyms_lazy *lz, uint64_t start)
{
	uint32_t m = lz->nmarkers;
	uint8_t *raw = malloc(4ull * m);
	struct cor_error *err = raw ? lz->read(lz->arg, start, raw, 4ull * m) : &cor_enomem;
	bool ok = !err;
	cor_error_destroy(err);
	for (uint32_t k = 0; ok && k < m; k++) {
		lz->markers[k] = cor_le32(raw + 4 * k);
		ok = k == 0 ? lz->markers[0] == 0 : lz->markers[k] > lz->markers[k - 1];
	}
	free(raw);
	if (!ok || m < 2)
		return ok && m == 1;
	char name[NAME_MAX_LEN];
	size_t len;
	/* Symbol 256's name starts at markers[1]: decode 255 + 1 from block 0. */
	err = lazy_name_at(lz, 255, name, &len);
	ok = !err;
	cor_error_destroy(err);
	uint64_t pos = lz->loc.names + lz->markers[0];
	for (uint32_t k = 0; ok && k < 256; k++) {
		err = decode_name(&lz->s, &lz->tk, &pos, name, &len);
		ok = !err;
		cor_error_destroy(err);
	}
	return ok && pos == lz->loc.names + lz->markers[1];
}

static uint32_t seq_at(struct cor_kallsyms_lazy *lz, uint32_t k, bool *ok)
{
	uint8_t b[3];
	struct cor_error *err = lz->read(lz->arg, lz->seqs + 3ull * k, b, 3);
	*ok = !err && *ok;
	cor_error_destroy(err);
	return err ? 0 : (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
}

/* Finds the markers (and the seqs, when present) before the token table. */
static bool lazy_locate(struct cor_kallsyms_lazy *lz)
{
	uint64_t table = lz->loc.token_table & ~7ull;
	uint64_t mk = (4ull * lz->nmarkers + 7) & ~7ull, sq = (3ull * lz->num + 7) & ~7ull;
	if (table > sq + mk && lazy_markers_at(lz, table - sq - mk)) {
		lz->seqs = table - sq;
		/* The seqs must be symbol numbers: sample them. */
		bool ok = true;
		for (uint32_t k = 0; k < 64 && ok; k++) {
			uint32_t v = seq_at(lz, (uint32_t)((uint64_t)(lz->num - 1) * k / 63), &ok);
			ok = ok && v < lz->num;
		}
		if (ok)
			return true;
		lz->seqs = 0;
	}
	return table > mk && lazy_markers_at(lz, table - mk);
}

struct cor_error *cor_kallsyms_lazy_create(cor_sym_read_fn read, void *arg,
					   const struct cor_kallsyms_loc *loc,
					   struct cor_kallsyms_lazy **ret)
{
	struct cor_kallsyms_lazy *lz = calloc(1, sizeof(*lz));
	if (!lz)
		return &cor_enomem;
	*lz = (struct cor_kallsyms_lazy){.read = read, .arg = arg, .loc = *loc};
	lz->s = (struct stream){.read = read, .arg = arg, .cap = 4096};
	uint8_t b[8];
	uint32_t last = 0;
	struct cor_error *err = read(arg, loc->num_syms, b, 4);
	if (!err && ((lz->num = cor_le32(b)) == 0 || lz->num > COR_KALLSYMS_MAX_SYMS))
		err = cor_error_create(COR_ERR_CORRUPT, "kallsyms_num_syms = %u", lz->num);
	if (!err && loc->offsets && !(err = read(arg, loc->relative_base, b, 8)))
		lz->base = cor_le64(b);
	if (!err && loc->offsets && !lazy_u32(lz, loc->offsets + 4ull * (lz->num - 1), &last))
		err = cor_error_fault(loc->offsets, "reading kallsyms_offsets");
	/* The last symbol is in the kernel image: negative with absolute per-cpu. */
	lz->absolute_percpu = (int32_t)last < 0;
	lz->nmarkers = (lz->num + 255) / 256;
	if (!err && !(lz->markers = malloc(4ull * lz->nmarkers)))
		err = &cor_enomem;
	if (!err)
		err = load_tokens(read, arg, loc, &lz->tk);
	if (!err && !lazy_locate(lz))
		err = cor_error_create(COR_ERR_NOT_FOUND, "kallsyms_markers not found");
	if (err) {
		cor_kallsyms_lazy_destroy(lz);
		return err;
	}
	*ret = lz;
	return NULL;
}

void cor_kallsyms_lazy_destroy(struct cor_kallsyms_lazy *lz)
{
	if (!lz)
		return;
	for (size_t i = 0; i < lz->nnames; i++)
		free(lz->names[i]);
	free(lz->names);
	free(lz->markers);
	free(lz);
}

bool cor_kallsyms_lazy_has_names(const struct cor_kallsyms_lazy *lz)
{
	return lz->seqs != 0;
}

/* Fills *ret for symbol @p i (name kept until destroyed). */
static struct cor_error *lazy_symbol(struct cor_kallsyms_lazy *lz, uint32_t i,
				     struct cor_symbol *ret)
{
	char name[NAME_MAX_LEN];
	size_t len;
	uint64_t addr, next = 0;
	if (lz->nnames >= LAZY_MAX_NAMES)
		return cor_error_create(COR_ERR_OVERFLOW, "too many lazy kallsyms lookups");
	struct cor_error *err = lazy_name_at(lz, i, name, &len);
	if (err)
		return err;
	if (len < 2)
		return cor_error_create(COR_ERR_CORRUPT, "kallsyms name %u is empty", i);
	if (!lazy_addr_at(lz, i, &addr))
		return cor_error_fault(lz->loc.offsets, "reading kallsyms address %u", i);
	/* Size: up to the next higher address (aliases share one). */
	for (uint32_t k = i + 1; k < lz->num && k < i + 64; k++)
		if (lazy_addr_at(lz, k, &next) && next > addr)
			break;
	char **names = realloc(lz->names, (lz->nnames + 1) * sizeof(*names));
	if (!names)
		return &cor_enomem;
	lz->names = names;
	if (!(names[lz->nnames] = strdup(name + 1)))
		return &cor_enomem;
	*ret =
	    (struct cor_symbol){.name = names[lz->nnames++],
				.addr = addr,
				.size = next > addr && next - addr <= SYM_MAX_GAP ? next - addr : 0,
				.type = name[0]};
	return NULL;
}

struct cor_error *cor_kallsyms_lazy_by_addr(struct cor_kallsyms_lazy *lz, uint64_t addr,
					    struct cor_symbol *ret)
{
	uint32_t lo = 0, hi = lz->num; /* first index with address > addr */
	uint64_t a;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (!lazy_addr_at(lz, mid, &a))
			return cor_error_fault(lz->loc.offsets, "reading kallsyms addresses");
		if (a <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return &cor_not_found;
	uint32_t i = lo - 1;
	uint64_t at, prev;
	if (!lazy_addr_at(lz, i, &at))
		return cor_error_fault(lz->loc.offsets, "reading kallsyms addresses");
	while (i > 0 && lazy_addr_at(lz, i - 1, &prev) && prev == at)
		i--; /* the first alias, as the kernel's get_symbol_pos() */
	struct cor_error *err = lazy_symbol(lz, i, ret);
	if (err)
		return err;
	/* Past the last symbol only within its (unknown) size: exact only. */
	if (ret->size ? addr - ret->addr >= ret->size : addr != ret->addr)
		return &cor_not_found;
	return NULL;
}

struct cor_error *cor_kallsyms_lazy_by_name(struct cor_kallsyms_lazy *lz, const char *name,
					    struct cor_symbol *ret)
{
	char buf[NAME_MAX_LEN];
	size_t len;
	bool ok = true;
	uint32_t lo = 0, hi = lz->num; /* first position with name >= @p name */
	while (lo < hi && ok) {
		uint32_t mid = lo + (hi - lo) / 2;
		struct cor_error *err = lazy_name_at(lz, seq_at(lz, mid, &ok) % lz->num, buf, &len);
		if (err)
			return err;
		if (strcmp(buf + 1, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Same names are sorted by address: the first global one, else the first. */
	int64_t first = -1;
	char first_type = 0;
	for (uint32_t k = lo; k < lz->num && k < lo + 256 && ok; k++) {
		uint32_t idx = seq_at(lz, k, &ok) % lz->num;
		struct cor_error *err = lazy_name_at(lz, idx, buf, &len);
		if (err)
			return err;
		if (strcmp(buf + 1, name) != 0)
			break;
		if (first < 0 ||
		    (!(first_type >= 'A' && first_type <= 'Z') && buf[0] >= 'A' && buf[0] <= 'Z')) {
			first = idx;
			first_type = buf[0];
		}
	}
	if (!ok)
		return cor_error_fault(lz->seqs, "reading kallsyms_seqs_of_names");
	return first < 0 ? &cor_not_found : lazy_symbol(lz, (uint32_t)first, ret);
}
