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
	struct cor_error *err = read(arg, zero, buf, sizeof(buf));
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	size_t p = 0;
	for (int i = '0'; i < 256; i++) {
		size_t n = strnlen((const char *)buf + p, sizeof(buf) - p);
		if (n == 0 || p + n >= sizeof(buf))
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

/* Walks the markers back from @p end (the token table, or 4 bytes before it
 * when u32 markers left padding): they strictly decrease down to
 * markers[0] == 0. Sets *start and *count. */
static bool find_markers(cor_sym_read_fn read, void *arg, uint64_t end, size_t width,
			 uint64_t *start, uint64_t *count)
{
	uint64_t a = end, prev = UINT64_MAX, v, n = 0;
	while (a >= width && read_uint(read, arg, a - width, width, &v) && v < prev &&
	       n < COR_KALLSYMS_MAX_SYMS / 256) {
		a -= width;
		n++;
		prev = v;
		if (v == 0) {
			*start = a;
			*count = n;
			return n > 1 || end - a == width;
		}
	}
	return false;
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

/* Offsets + relative_base, or addresses, before num_syms. */
static bool find_addresses(cor_sym_read_fn read, void *arg, struct cor_kallsyms_loc *loc)
{
	uint64_t num, base;
	if (!read_uint(read, arg, loc->num_syms, 4, &num))
		return false;
	if (read_uint(read, arg, loc->num_syms - 8, 8, &base) && base >= 0xffffffff80000000ull) {
		loc->relative_base = loc->num_syms - 8;
		loc->offsets = loc->relative_base - ALIGN8(num * 4);
		return true;
	}
	uint64_t first, last;
	loc->addresses = loc->num_syms - num * 8;
	return read_uint(read, arg, loc->addresses, 8, &first) &&
	       read_uint(read, arg, loc->num_syms - 8, 8, &last) && first <= last;
}

static bool try_candidate(cor_sym_read_fn read, void *arg, uint64_t zero,
			  struct cor_kallsyms_loc *ret)
{
	struct cor_kallsyms_loc loc = {0};
	if (!find_token_index(read, arg, zero, &loc))
		return false;
	/* u32 markers (4.20+) may leave 4 bytes of padding before the table. */
	static const struct {
		size_t width, pad;
	} shapes[] = {{4, 0}, {4, 4}, {8, 0}};
	for (size_t k = 0; k < COR_ARRAY_SIZE(shapes); k++) {
		uint64_t markers, n;
		struct cor_kallsyms_loc l = loc;
		if (find_markers(read, arg, loc.token_table - shapes[k].pad, shapes[k].width,
				 &markers, &n) &&
		    find_names(read, arg, markers, n, shapes[k].width, &l) &&
		    find_addresses(read, arg, &l)) {
			*ret = l;
			return true;
		}
	}
	return false;
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
		struct cor_error *err = read(arg, a, buf, n);
		if (err) { /* a hole (excluded or unmapped): skip it */
			cor_error_destroy(err);
			continue;
		}
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
