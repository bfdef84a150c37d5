// SPDX-License-Identifier: MIT
// Finding the kallsyms tables without VMCOREINFO's SYMBOL(kallsyms_*)
// (kernels before 6.0), and the memory entry point of the decoder.
//
// The token table keeps every character that occurs in a symbol name as a
// one-character token at its own code (scripts/kallsyms.c, insert_real_symbols_
// in_table()/optimize_result(): only unused codes are turned into
// multi-character tokens). Digits always occur, so the table holds
// "0\0" "1\0" ... "9\0" back to back. From there: the token index follows the
// table (8-aligned) and gives the table's start; the markers end just before
// the table, the names before the markers, the count before the names and the
// offsets + relative base (or addresses) before the count (write_src(),
// Linux 4.6 to 6.1: each label 8-aligned).
#include <stdlib.h>
#include <string.h>

#include "sym/sym.h"

#define SCAN_CHUNK (1u << 20)
#define ALIGN8(x)  (((x) + 7) & ~(uint64_t)7)

static const char digits[] = "0\0"
			     "1\0"
			     "2\0"
			     "3\0"
			     "4\0"
			     "5\0"
			     "6\0"
			     "7\0"
			     "8\0"
			     "9";

/* Checks a token index candidate at @p idx_addr for a table whose token '0'
 * is at @p zero; on success sets loc->token_table/token_index. */
static bool check_token_index(cor_sym_read_fn read, void *arg, uint64_t zero, uint64_t idx_addr,
			      struct cor_kallsyms_loc *loc)
{
	uint8_t idx[512];
	struct cor_error *err = read(arg, idx_addr, idx, sizeof(idx));
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	uint16_t off0 = cor_le16(idx + 2 * '0');
	if (cor_le16(idx) != 0 || off0 > zero || off0 < '0' * 2)
		return false;
	uint64_t table = zero - off0;
	/* Offsets strictly increase, each token >= 1 char + NUL; digits are 2 apart. */
	for (int i = 1; i < 256; i++)
		if (cor_le16(idx + 2 * i) < cor_le16(idx + 2 * (i - 1)) + 2)
			return false;
	for (int i = '1'; i <= '9'; i++)
		if (cor_le16(idx + 2 * i) != off0 + 2 * (i - '0'))
			return false;
	/* The index follows the last token. */
	uint64_t last = table + cor_le16(idx + 2 * 255);
	if (idx_addr <= last || idx_addr - last > 8 + 64)
		return false;
	loc->token_table = table;
	loc->token_index = idx_addr;
	return true;
}

/* Finds the token index after the digit tokens at @p zero. */
static bool find_token_index(cor_sym_read_fn read, void *arg, uint64_t zero,
			     struct cor_kallsyms_loc *loc)
{
	/* Walk tokens '0'..255 forward to the end of the table. */
	uint8_t buf[256 * 64];
	size_t size = sizeof(buf);
	struct cor_error *err;
	/* The table may end near the end of readable memory: read less then. */
	while ((err = read(arg, zero, buf, size)) && size > 256) {
		cor_error_destroy(err);
		size /= 2;
	}
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	size_t p = 0;
	for (int i = '0'; i < 256; i++) {
		size_t n = strnlen((const char *)buf + p, size - p);
		if (n == 0 || p + n >= size)
			return false;
		p += n + 1;
	}
	uint64_t end = zero + p;
	for (uint64_t a = ALIGN8(end); a <= ALIGN8(end) + 8; a += 8)
		if (check_token_index(read, arg, zero, a, loc))
			return true;
	return false;
}

/* Reads u32/u64 at addr into *v; false if unreadable. */
static bool read_uint(cor_sym_read_fn read, void *arg, uint64_t addr, size_t width, uint64_t *v)
{
	uint8_t b[8];
	struct cor_error *err = read(arg, addr, b, width);
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	*v = width == 4 ? cor_le32(b) : cor_le64(b);
	return true;
}

/* Reads [a, a+n) page by page when a whole read fails: pages filtered out of
 * the dump (free init memory, -d 31) read as zeros, which match nothing.
 * False if no page at all was readable. */
static bool read_chunk(cor_sym_read_fn read, void *arg, uint64_t a, uint8_t *buf, size_t n)
{
	struct cor_error *err = read(arg, a, buf, n);
	if (!err)
		return true;
	cor_error_destroy(err);
	bool any = false;
	for (size_t off = 0; off < n;) {
		size_t len = COR_MIN(n - off, 4096 - ((a + off) & 4095));
		if ((err = read(arg, a + off, buf + off, len))) {
			cor_error_destroy(err);
			memset(buf + off, 0, len);
		} else {
			any = true;
		}
		off += len;
	}
	return any;
}

/* Checks that @p num names from @p names end at the markers (up to 7 bytes
 * of padding) and that every 256th starts where its marker says. */
static bool check_names(cor_sym_read_fn read, void *arg, uint64_t names, uint64_t num,
			uint64_t markers, size_t width)
{
	uint64_t span = markers - names;
	if (span > (64u << 20) || span < num)
		return false;
	uint8_t *buf = malloc(span ? span : 1);
	uint64_t p = 0, i = 0, m;
	struct cor_error *err = buf ? read(arg, names, buf, span) : &cor_enomem;
	if (err) {
		cor_error_destroy(err);
		free(buf);
		return false;
	}
	bool ok = true;
	for (i = 0; i < num && p < span && ok; i++) {
		if (i % 256 == 0)
			ok = read_uint(read, arg, markers + i / 256 * width, width, &m) && m == p;
		uint64_t n = buf[p];
		if ((n & 0x80) && p + 1 < span) {
			n = (n & 0x7f) | (uint64_t)buf[p + 1] << 7;
			p++;
		}
		p += 1 + n;
	}
	free(buf);
	return ok && i == num && p <= span && span - p < 8;
}

/* Given the markers, finds num_syms and names before them. */
static bool find_names(cor_sym_read_fn read, void *arg, uint64_t markers, uint64_t nmarkers,
		       size_t width, struct cor_kallsyms_loc *loc)
{
	uint64_t last_marker;
	if (!read_uint(read, arg, markers + (nmarkers - 1) * width, width, &last_marker) ||
	    markers < last_marker + 16)
		return false;
	/* The last block holds at most 256 names of at most 2 + KSYM_NAME_LEN
	 * (512, include/linux/kallsyms.h 6.1) token bytes. */
	uint64_t highest = (markers - last_marker) & ~(uint64_t)7;
	uint64_t lowest = highest > 256 * 514 + 8 ? highest - 256 * 514 : 8;
	for (uint64_t names = highest; names >= lowest; names -= 8) {
		uint64_t num;
		if (!read_uint(read, arg, names - 8, 4, &num))
			return false;
		if (num == 0 || (num + 255) / 256 != nmarkers ||
		    !check_names(read, arg, names, num, markers, width))
			continue;
		loc->num_syms = names - 8;
		loc->names = names;
		return true;
	}
	return false;
}

/* Samples 65 entries evenly: kallsyms is sorted by address, so the values
 * (decoded as cor_kallsyms_load() does) must not decrease. */
static bool sorted_sample(cor_sym_read_fn read, void *arg, const struct cor_kallsyms_loc *l,
			  uint64_t num)
{
	uint64_t base = 0, last = 0, prev = 0, v;
	if (l->offsets && (!read_uint(read, arg, l->relative_base, 8, &base) ||
			   !read_uint(read, arg, l->offsets + (num - 1) * 4, 4, &last)))
		return false;
	bool absolute_percpu = (int32_t)last < 0;
	for (uint64_t k = 0; k <= 64; k++) {
		uint64_t i = (num - 1) * k / 64;
		if (!read_uint(read, arg, l->offsets ? l->offsets + i * 4 : l->addresses + i * 8,
			       l->offsets ? 4 : 8, &v))
			return false;
		if (l->offsets) {
			int32_t off = (int32_t)v;
			v = !absolute_percpu ? base + (uint32_t)off
			    : off >= 0	     ? (uint64_t)off
					     : base - 1 - (uint64_t)(int64_t)off;
		}
		if (v < prev)
			return false;
		prev = v;
	}
	return true;
}

/* Offsets + relative_base (4.6+), or addresses, before num_syms. */
static bool find_addresses(cor_sym_read_fn read, void *arg, struct cor_kallsyms_loc *loc)
{
	uint64_t num, base;
	if (!read_uint(read, arg, loc->num_syms, 4, &num) || num == 0 ||
	    loc->num_syms < num * 8 + 8)
		return false;
	struct cor_kallsyms_loc l = *loc;
	if (read_uint(read, arg, loc->num_syms - 8, 8, &base) && base >= 0xffffffff80000000ull) {
		l.relative_base = loc->num_syms - 8;
		l.offsets = l.relative_base - ALIGN8(num * 4);
		if (sorted_sample(read, arg, &l, num)) {
			*loc = l;
			return true;
		}
	}
	l = *loc;
	l.addresses = loc->num_syms - num * 8;
	if (!sorted_sample(read, arg, &l, num))
		return false;
	*loc = l;
	return true;
}

/* With markers[0] at @p a: counts the strictly increasing markers, then
 * looks for the names and addresses that fit (a count one or two lower too:
 * the data after the markers may happen to continue the increase). */
static bool try_markers(cor_sym_read_fn read, void *arg, uint64_t a, uint64_t table, size_t width,
			struct cor_kallsyms_loc *loc)
{
	uint64_t prev = 0, v, m = 1;
	while (a + (m + 1) * width <= table && m < COR_KALLSYMS_MAX_SYMS / 256 &&
	       read_uint(read, arg, a + m * width, width, &v) && v > prev) {
		prev = v;
		m++;
	}
	for (uint64_t k = m; k >= 1 && k + 2 >= m; k--) {
		struct cor_kallsyms_loc l = *loc;
		if (find_names(read, arg, a, k, width, &l) && find_addresses(read, arg, &l)) {
			*loc = l;
			return true;
		}
	}
	return false;
}

/* The markers are before the token table: right before it (Linux 4.6 to
 * 6.1), or before kallsyms_seqs_of_names (3 bytes a symbol; 6.2, and
 * backported to some 6.1 stable kernels such as Debian's 6.1.192). Scans
 * back from the table for markers[0] == 0 followed by a plausible
 * markers[1] (one block of 256 names: at most 256 * 514 bytes). */
static bool find_markers_and_names(cor_sym_read_fn read, void *arg, struct cor_kallsyms_loc *loc)
{
	uint64_t table = loc->token_table & ~(uint64_t)7;
	uint64_t span = COR_MIN(table, 3ull * COR_KALLSYMS_MAX_SYMS + 4096) & ~(uint64_t)7;
	uint8_t probe;
	struct cor_error *err;
	/* Start where memory is readable (the kernel image's text, in a real
	 * dump): halve the span while its first byte is not. */
	while (span > 4096 && (err = read(arg, table - span, &probe, 1))) {
		cor_error_destroy(err);
		span = (span / 2) & ~(uint64_t)7;
	}
	uint8_t *buf = malloc(span);
	if (!buf || !read_chunk(read, arg, table - span, buf, span)) {
		free(buf);
		return false;
	}
	bool found = false;
	for (size_t width = 4; width <= 8 && !found; width += 4) {
		for (uint64_t off = span - 2 * width; off >= 8 && !found; off -= 8) {
			uint64_t m0 = width == 4 ? cor_le32(buf + off) : cor_le64(buf + off);
			uint64_t m1 =
			    width == 4 ? cor_le32(buf + off + width) : cor_le64(buf + off + width);
			if (m0 == 0 && m1 >= 256 * 2 && m1 <= 256 * 514)
				found =
				    try_markers(read, arg, table - span + off, table, width, loc);
		}
	}
	free(buf);
	return found;
}

static bool try_candidate(cor_sym_read_fn read, void *arg, uint64_t zero,
			  struct cor_kallsyms_loc *ret)
{
	struct cor_kallsyms_loc loc = {0};
	if (!find_token_index(read, arg, zero, &loc) || !find_markers_and_names(read, arg, &loc))
		return false;
	*ret = loc;
	return true;
}

struct cor_error *cor_kallsyms_find(cor_sym_read_fn read, void *arg, uint64_t start, uint64_t end,
				    struct cor_kallsyms_loc *ret)
{
	uint8_t *buf = malloc(SCAN_CHUNK + sizeof(digits));
	if (!buf)
		return &cor_enomem;
	bool found = false;
	for (uint64_t a = start; a < end && !found; a += SCAN_CHUNK) {
		size_t n = (size_t)COR_MIN((uint64_t)SCAN_CHUNK + sizeof(digits), end - a);
		if (!read_chunk(read, arg, a, buf, n))
			continue;
		for (size_t i = 1; i + sizeof(digits) <= n && !found; i++) {
			const uint8_t *p = memchr(buf + i, '0', n - i);
			if (!p)
				break;
			i = (size_t)(p - buf);
			/* A token starts after the previous token's NUL. */
			if (i + sizeof(digits) <= n && buf[i - 1] == 0 &&
			    memcmp(p, digits, sizeof(digits)) == 0)
				found = try_candidate(read, arg, a + i, ret);
		}
	}
	free(buf);
	if (!found)
		return cor_error_create(COR_ERR_NOT_FOUND,
					"no kallsyms tables found in 0x%llx-0x%llx",
					(unsigned long long)start, (unsigned long long)end);
	return NULL;
}

/* ---- memory entry point ------------------------------------------------ */

struct membuf {
	const uint8_t *buf;
	size_t len;
	uint64_t base;
};

static struct cor_error *mem_read(void *arg, uint64_t addr, void *out, size_t len)
{
	const struct membuf *m = arg;
	if (addr < m->base || !cor_range_ok(addr - m->base, len, m->len))
		return cor_error_fault(addr, "address 0x%llx (%zu bytes) outside the buffer",
				       (unsigned long long)addr, len);
	memcpy(out, m->buf + (addr - m->base), len);
	return NULL;
}

struct cor_error *cor_kallsyms_parse_mem(const void *buf, size_t len, uint64_t base,
					 const struct cor_kallsyms_loc *loc,
					 struct cor_symtab **ret)
{
	struct membuf m = {buf, len, base};
	struct cor_kallsyms_loc found;
	struct cor_error *err;
	if (!loc) {
		uint64_t end;
		if (cor_add_overflow(base, len, &end))
			return cor_error_create(COR_ERR_INVALID, "buffer wraps the address space");
		if ((err = cor_kallsyms_find(mem_read, &m, base, end, &found)))
			return err;
		loc = &found;
	}
	struct cor_symtab_builder *b;
	if ((err = cor_symtab_builder_create(&b)))
		return err;
	if ((err = cor_kallsyms_load(mem_read, &m, loc, b))) {
		cor_symtab_builder_destroy(b);
		return err;
	}
	return cor_symtab_builder_finish(b, ret);
}
