// SPDX-License-Identifier: MIT
// An immutable symbol table: entries sorted by address (binary search), a
// hash map from name to the entries of that name. See src/sym/sym.h.
#include <stdlib.h>
#include <string.h>

#include "sym/sym.h"

#define NO_MODULE UINT32_MAX
#define NO_NEXT	  UINT32_MAX

struct entry {
	uint64_t addr;
	uint64_t size;
	uint32_t name;	 /* offset into the arena */
	uint32_t module; /* offset into the arena, or NO_MODULE */
	uint32_t seq;	 /* insertion order, for a stable sort */
	char type;
};

struct cor_symtab_builder {
	struct cor_vec entries; /* struct entry */
	struct cor_strbuf arena;
	/* Last module name added, to share its copy. */
	uint32_t last_module;
};

struct cor_symtab {
	struct entry *entries;
	size_t n;
	char *arena;
	/* Next entry with the same name, in address order (NO_NEXT ends). */
	uint32_t *next_same;
	/* Name index: open addressing (linear probing) over 2^k >= 2n slots, each
	 * the first entry (lowest address) of a name, or NO_NEXT; with the name's
	 * hash beside it so that probes rarely strcmp. Built once, no rehashing:
	 * ~150k kallsyms names index in a few ms. */
	uint32_t *slots;
	uint32_t *slot_hash;
	size_t mask;
	/* The index is built on the LINEAR_LOOKUPS+1st name lookup: before, a
	 * linear scan (~1 ms) is cheaper for one-shot commands like `sym jiffies`. */
	unsigned lookups;
};

#define LINEAR_LOOKUPS 4

static uint32_t hash_name(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a, then a final mix for the low bits */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return h;
}

/* Slot of @p name: its own, or the empty one where it would go. */
static size_t find_slot(const struct cor_symtab *st, const char *name, uint32_t h)
{
	for (size_t i = h & st->mask;; i = (i + 1) & st->mask) {
		uint32_t e = st->slots[i];
		if (e == NO_NEXT ||
		    (st->slot_hash[i] == h && strcmp(st->arena + st->entries[e].name, name) == 0))
			return i;
	}
}

struct cor_error *cor_symtab_builder_create(struct cor_symtab_builder **ret)
{
	struct cor_symtab_builder *b = calloc(1, sizeof(*b));
	if (!b)
		return &cor_enomem;
	cor_vec_init(&b->entries, sizeof(struct entry));
	b->last_module = NO_MODULE;
	/* Offset 0 is a NUL so that no real name has offset 0 (easier debugging). */
	cor_strbuf_appendc(&b->arena, '\0');
	*ret = b;
	return NULL;
}

void cor_symtab_builder_destroy(struct cor_symtab_builder *b)
{
	if (!b)
		return;
	cor_vec_deinit(&b->entries);
	cor_strbuf_deinit(&b->arena);
	free(b);
}

struct cor_error *cor_symtab_builder_reserve(struct cor_symtab_builder *b, size_t n,
					     size_t name_bytes)
{
	/* The vector and string builder are plain structs: grow them once here
	 * rather than by doubling (and copying) 20 times for 150k symbols. */
	if (n > b->entries.cap) {
		void *d = realloc(b->entries.data, n * sizeof(struct entry));
		if (!d)
			return &cor_enomem;
		b->entries.data = d;
		b->entries.cap = n;
	}
	size_t want = b->arena.len + name_bytes + 1;
	if (!b->arena.failed && want > b->arena.cap) {
		char *str = realloc(b->arena.str, want);
		if (!str)
			return &cor_enomem;
		b->arena.str = str;
		b->arena.cap = want;
	}
	return NULL;
}

size_t cor_symtab_builder_count(const struct cor_symtab_builder *b)
{
	return b->entries.len;
}

static struct cor_error *intern_module(struct cor_symtab_builder *b, const char *module,
				       uint32_t *ret)
{
	if (!module) {
		*ret = NO_MODULE;
		return NULL;
	}
	if (b->last_module != NO_MODULE && strcmp(b->arena.str + b->last_module, module) == 0) {
		*ret = b->last_module;
		return NULL;
	}
	if (b->arena.len >= UINT32_MAX - 4096)
		return cor_error_create(COR_ERR_OVERFLOW, "symbol names exceed 4 GiB");
	uint32_t off = (uint32_t)b->arena.len;
	cor_strbuf_append(&b->arena, module);
	cor_strbuf_appendc(&b->arena, '\0');
	if (b->arena.failed)
		return &cor_enomem;
	b->last_module = off;
	*ret = off;
	return NULL;
}

struct cor_error *cor_symtab_builder_add(struct cor_symtab_builder *b, const char *name,
					 size_t name_len, uint64_t addr, uint64_t size, char type,
					 const char *module)
{
	if (name_len == 0)
		return cor_error_create(COR_ERR_INVALID, "empty symbol name at 0x%llx",
					(unsigned long long)addr);
	if (b->entries.len >= UINT32_MAX - 1 || b->arena.len + name_len >= UINT32_MAX - 4096)
		return cor_error_create(COR_ERR_OVERFLOW, "too many symbols");
	struct entry e = {
	    .addr = addr, .size = size, .type = type, .seq = (uint32_t)b->entries.len};
	struct cor_error *err = intern_module(b, module, &e.module);
	if (err)
		return err;
	e.name = (uint32_t)b->arena.len;
	cor_strbuf_appendn(&b->arena, name, name_len);
	cor_strbuf_appendc(&b->arena, '\0');
	if (b->arena.failed)
		return &cor_enomem;
	return cor_vec_push(&b->entries, &e);
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Size of a symbol without one: up to the next higher address. The last
 * symbol (or the last of a run of aliases at the end) keeps size 0. */
static void fill_sizes(struct entry *e, size_t n)
{
	size_t next = n;
	for (size_t i = n; i-- > 0;) {
		if (i + 1 < n && e[i + 1].addr != e[i].addr)
			next = i + 1;
		if (e[i].size == 0 && next < n && e[next].addr - e[i].addr <= SYM_MAX_GAP)
			e[i].size = e[next].addr - e[i].addr;
	}
}

static struct cor_error *build_name_index(struct cor_symtab *st)
{
	size_t cap = 16;
	while (cap < 2 * st->n)
		cap *= 2;
	st->mask = cap - 1;
	st->next_same = malloc((st->n ? st->n : 1) * sizeof(*st->next_same));
	st->slots = malloc(cap * sizeof(*st->slots));
	st->slot_hash = malloc(cap * sizeof(*st->slot_hash));
	if (!st->next_same || !st->slots || !st->slot_hash)
		return &cor_enomem;
	memset(st->slots, 0xff, cap * sizeof(*st->slots)); /* NO_NEXT */
	/* Backwards, so that each name's chain ends up in address order. */
	for (size_t i = st->n; i-- > 0;) {
		const char *name = st->arena + st->entries[i].name;
		uint32_t h = hash_name(name);
		size_t slot = find_slot(st, name, h);
		st->next_same[i] = st->slots[slot];
		st->slots[slot] = (uint32_t)i;
		st->slot_hash[slot] = h;
	}
	return NULL;
}

/* kallsyms and most tables come sorted: check before sorting. */
static bool is_sorted(const struct entry *e, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (cmp_entry(&e[i - 1], &e[i]) > 0)
			return false;
	return true;
}

struct cor_error *cor_symtab_builder_finish(struct cor_symtab_builder *b, struct cor_symtab **ret)
{
	struct cor_symtab *st = calloc(1, sizeof(*st));
	if (!st || b->arena.failed) {
		free(st);
		cor_symtab_builder_destroy(b);
		return &cor_enomem;
	}
	st->entries = b->entries.data;
	st->n = b->entries.len;
	st->arena = b->arena.str;
	free(b); /* its storage now belongs to st */
	if (!is_sorted(st->entries, st->n))
		qsort(st->entries, st->n, sizeof(*st->entries), cmp_entry);
	fill_sizes(st->entries, st->n);
	*ret = st;
	return NULL;
}

void cor_symtab_destroy(struct cor_symtab *st)
{
	if (!st)
		return;
	free(st->entries);
	free(st->arena);
	free(st->next_same);
	free(st->slots);
	free(st->slot_hash);
	free(st);
}

size_t cor_symtab_count(const struct cor_symtab *st)
{
	return st->n;
}

void cor_symtab_at(const struct cor_symtab *st, size_t i, struct cor_symbol *ret)
{
	const struct entry *e = &st->entries[i];
	ret->name = st->arena + e->name;
	ret->addr = e->addr;
	ret->size = e->size;
	ret->type = e->type;
	ret->module = e->module == NO_MODULE ? NULL : st->arena + e->module;
}

static uint32_t first_named(struct cor_symtab *st, const char *name)
{
	if (!st->n)
		return NO_NEXT;
	if (!st->slots && st->lookups++ >= LINEAR_LOOKUPS) {
		if (build_name_index(st)) { /* no memory: keep scanning */
			free(st->slots);
			free(st->slot_hash);
			free(st->next_same);
			st->slots = st->slot_hash = st->next_same = NULL;
		}
	}
	return st->slots ? st->slots[find_slot(st, name, hash_name(name))] : NO_NEXT;
}

/* Entries named @p name, in address order, into out (at most max); the count. */
static size_t named(struct cor_symtab *st, const char *name, size_t *out, size_t max)
{
	uint32_t first = first_named(st, name);
	size_t n = 0;
	if (st->slots) {
		for (uint32_t i = first; i != NO_NEXT; i = st->next_same[i]) {
			if (n < max)
				out[n] = i;
			n++;
		}
		return n;
	}
	for (size_t i = 0; i < st->n; i++) {
		if (strcmp(st->arena + st->entries[i].name, name) != 0)
			continue;
		if (n < max)
			out[n] = i;
		n++;
	}
	return n;
}

bool cor_symtab_find_name(struct cor_symtab *st, const char *name, size_t *index_ret)
{
	size_t idx[64];
	size_t n = named(st, name, idx, COR_ARRAY_SIZE(idx));
	if (n == 0)
		return false;
	/* A global symbol before a local one (a static of the same name). */
	for (size_t k = 0; k < COR_MIN(n, COR_ARRAY_SIZE(idx)); k++) {
		char type = st->entries[idx[k]].type;
		if (type >= 'A' && type <= 'Z') {
			*index_ret = idx[k];
			return true;
		}
	}
	*index_ret = idx[0];
	return true;
}

size_t cor_symtab_find_all(struct cor_symtab *st, const char *name, size_t *out, size_t max)
{
	return named(st, name, out, max);
}
bool cor_symtab_find_addr(const struct cor_symtab *st, uint64_t addr, size_t *index_ret)
{
	size_t lo = 0, hi = st->n; /* first index with entries[i].addr > addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (st->entries[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	size_t i = lo - 1;
	uint64_t a = st->entries[i].addr;
	while (i > 0 && st->entries[i - 1].addr == a)
		i--;
	/* Like crash, an address belongs to the closest symbol below it up to the
	 * next symbol, even past an ELF st_size (a noreturn call's return address
	 * is just past its function: "arch_call_rest_init+10" of size 10). Past
	 * the last symbol, only within its size. */
	uint64_t limit = 0;
	size_t k = i;
	for (; k < st->n && st->entries[k].addr == a; k++)
		limit = COR_MAX(limit, st->entries[k].size);
	if (k < st->n && st->entries[k].addr - a <= SYM_MAX_GAP)
		limit = COR_MAX(limit, st->entries[k].addr - a);
	if (addr - a >= COR_MAX(limit, 1))
		return false;
	*index_ret = i;
	return true;
}

bool cor_symtab_bounds(const struct cor_symtab *st, uint64_t *lo, uint64_t *hi)
{
	if (!st->n)
		return false;
	*lo = st->entries[0].addr;
	const struct entry *last = &st->entries[st->n - 1];
	*hi = last->addr + last->size;
	return true;
}
