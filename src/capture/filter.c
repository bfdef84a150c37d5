// SPDX-License-Identifier: MIT
// Page classification for `coroner capture`: the 1st and 2nd bitmaps of a
// kdump-compressed dump, with makedumpfile 1.7's dump levels. The rules are
// those of makedumpfile.c __exclude_unnecessary_pages() (1.7.2), applied to
// the struct page array found through SPARSEMEM's mem_section, with the
// layout the kernel exports in VMCOREINFO (kernel/crash_core.c):
//   - compound tail pages (page.compound_head & 1) are decided by their head;
//   - a compound head (PG_head_mask) carries its order and destructor in the
//     first tail page (page[1].compound_order / compound_dtor, unsigned char
//     since Linux 4.16, include/linux/mm_types.h);
//   - free: not PG_slab and _mapcount == PAGE_BUDDY_MAPCOUNT_VALUE; order in
//     page.private (mm/page_alloc.c set_buddy_order());
//   - cache: PG_lru, or PG_swapcache with PG_swapbacked; "private" if PG_private;
//     never if anonymous (page.mapping & PAGE_MAPPING_ANON, bit 0);
//   - user: anonymous, or hugetlb (compound dtor == HUGETLB_PAGE_DTOR);
//   - hwpoison (PG_hwpoison) and offline (not PG_slab and _mapcount ==
//     PAGE_OFFLINE_MAPCOUNT_VALUE) pages at every level.
#include <stdlib.h>
#include <string.h>

#include "coroner/capture.h"
#include "coroner/program.h"

/* include/linux/mmzone.h (6.1): SECTION_HAS_MEM_MAP is bit 1; the low
 * SECTION_MAP_LAST_BIT (5) bits of section_mem_map are flags. The encoded
 * mem_map is at least 64-byte aligned, so masking 6 bits is safe for every
 * kernel since 4.x (3 to 5 flag bits). */
#define SECTION_HAS_MEM_MAP 0x2ull
#define SECTION_MAP_MASK    (~0x3full)
/* Pages of struct page read at once. */
#define MEMMAP_CHUNK 512

struct page_layout {
	uint64_t mem_section, nr_roots, section_size, off_section_map;
	unsigned section_pfn_bits; /* SECTION_SIZE_BITS - PAGE_SHIFT */
	uint64_t page_size, size_page;
	uint64_t off_flags, off_mapping, off_mapcount, off_private;
	int64_t off_compound_head, off_compound_order, off_compound_dtor; /* -1: absent */
	int64_t pg_lru, pg_private, pg_swapcache, pg_swapbacked, pg_slab, pg_hwpoison;
	uint64_t pg_head_mask; /* 0: absent */
	bool has_buddy, has_offline, has_hugetlb;
	uint32_t buddy_value, offline_value;
	uint64_t hugetlb_dtor;
};

const char *cor_page_class_name(enum cor_page_class c)
{
	static const char *const names[COR_CLASS_NUM] = {
	    [COR_CLASS_ZERO] = "zero",
	    [COR_CLASS_CACHE] = "cache",
	    [COR_CLASS_CACHE_PRIVATE] = "cache private",
	    [COR_CLASS_USER] = "user data",
	    [COR_CLASS_FREE] = "free",
	    [COR_CLASS_HWPOISON] = "hwpoison",
	    [COR_CLASS_OFFLINE] = "offline",
	    [COR_CLASS_NODATA] = "not in the input",
	    [COR_CLASS_UNREADABLE] = "unreadable",
	};
	return (unsigned)c < COR_CLASS_NUM ? names[c] : "?";
}

static bool bit_test(const uint8_t *bm, uint64_t pfn)
{
	return bm[pfn / 8] >> (pfn % 8) & 1;
}

static void bit_set(uint8_t *bm, uint64_t pfn)
{
	bm[pfn / 8] |= (uint8_t)(1u << (pfn % 8));
}

/* Collects the names of missing VMCOREINFO entries into one message. */
struct need {
	struct cor_program *prog;
	struct cor_strbuf missing;
};

static uint64_t need_u64(struct need *n, const char *key)
{
	uint64_t v = 0;
	if (!cor_program_vmcoreinfo_u64(n->prog, key, &v)) {
		cor_strbuf_appendf(&n->missing, "%s%s", n->missing.len ? ", " : "", key);
		return 0;
	}
	return v;
}

static int64_t opt_i64(struct cor_program *prog, const char *key)
{
	uint64_t v;
	return cor_program_vmcoreinfo_u64(prog, key, &v) ? (int64_t)v : -1;
}

/* Linux 4.16 made compound_order/compound_dtor one byte (mm_types.h);
 * older layouts are not supported rather than read wrongly. */
static struct cor_error *check_release(struct cor_program *prog)
{
	const char *rel = cor_program_vmcoreinfo(prog, "OSRELEASE");
	unsigned maj = 0, min = 0;
	if (!rel || sscanf(rel, "%u.%u", &maj, &min) != 2)
		return cor_error_create(COR_ERR_UNSUPPORTED,
					"VMCOREINFO has no OSRELEASE: cannot tell the struct page "
					"layout");
	if (maj < 4 || (maj == 4 && min < 16))
		return cor_error_create(COR_ERR_UNSUPPORTED,
					"kernel %s: page filtering supports Linux 4.16 and later",
					rel);
	return NULL;
}

static struct cor_error *load_layout(struct cor_program *prog, int level, struct page_layout *l)
{
	struct need n = {.prog = prog};
	l->mem_section = need_u64(&n, "SYMBOL(mem_section)");
	l->nr_roots = need_u64(&n, "LENGTH(mem_section)");
	l->section_size = need_u64(&n, "SIZE(mem_section)");
	l->off_section_map = need_u64(&n, "OFFSET(mem_section.section_mem_map)");
	uint64_t ssb = need_u64(&n, "NUMBER(SECTION_SIZE_BITS)");
	l->page_size = need_u64(&n, "PAGESIZE");
	l->size_page = need_u64(&n, "SIZE(page)");
	l->off_flags = need_u64(&n, "OFFSET(page.flags)");
	l->off_mapping = need_u64(&n, "OFFSET(page.mapping)");
	l->pg_lru = (int64_t)need_u64(&n, "NUMBER(PG_lru)");
	l->pg_private = (int64_t)need_u64(&n, "NUMBER(PG_private)");
	l->pg_swapcache = (int64_t)need_u64(&n, "NUMBER(PG_swapcache)");
	l->pg_slab = (int64_t)need_u64(&n, "NUMBER(PG_slab)");
	if (level & COR_DL_FREE) {
		l->off_mapcount = need_u64(&n, "OFFSET(page._mapcount)");
		l->off_private = need_u64(&n, "OFFSET(page.private)");
		l->buddy_value = (uint32_t)need_u64(&n, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)");
		l->has_buddy = true;
	} else {
		l->off_mapcount = (uint64_t)opt_i64(prog, "OFFSET(page._mapcount)");
	}
	l->pg_swapbacked = opt_i64(prog, "NUMBER(PG_swapbacked)");
	l->pg_hwpoison = opt_i64(prog, "NUMBER(PG_hwpoison)");
	/* Compound pages are excluded whole: without their layout the filter would
	 * treat a huge page as one small page, silently. Linux 6.3 moved the order
	 * into struct folio (_folio_order): such a VMCOREINFO is refused here by
	 * name rather than read wrongly. */
	if (level & ~COR_DL_ZERO) {
		l->pg_head_mask = need_u64(&n, "NUMBER(PG_head_mask)");
		l->off_compound_head = (int64_t)need_u64(&n, "OFFSET(page.compound_head)");
		l->off_compound_order = (int64_t)need_u64(&n, "OFFSET(page.compound_order)");
	} else {
		l->pg_head_mask = (uint64_t)COR_MAX(opt_i64(prog, "NUMBER(PG_head_mask)"), 0);
		l->off_compound_head = opt_i64(prog, "OFFSET(page.compound_head)");
		l->off_compound_order = opt_i64(prog, "OFFSET(page.compound_order)");
	}
	if (level & COR_DL_USER)
		l->off_compound_dtor = (int64_t)need_u64(&n, "OFFSET(page.compound_dtor)");
	else
		l->off_compound_dtor = opt_i64(prog, "OFFSET(page.compound_dtor)");
	int64_t v = opt_i64(prog, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)");
	l->has_offline = v != -1 && (int64_t)l->off_mapcount >= 0;
	l->offline_value = (uint32_t)v;
	v = opt_i64(prog, "NUMBER(HUGETLB_PAGE_DTOR)");
	l->has_hugetlb = v != -1;
	l->hugetlb_dtor = (uint64_t)v;
	struct cor_error *err = NULL;
	if (n.missing.len)
		err = cor_error_create(COR_ERR_UNSUPPORTED,
				       "dump level %d needs the kernel's page layout, but "
				       "VMCOREINFO lacks %s",
				       level, cor_strbuf_cstr(&n.missing));
	cor_strbuf_deinit(&n.missing);
	if (err)
		return err;
	if (l->page_size != 4096 || l->size_page < 32 || l->size_page > 512 ||
	    l->section_size < 8 || l->section_size > l->page_size || ssb <= 12 || ssb > 40)
		return cor_error_create(
		    COR_ERR_CORRUPT,
		    "VMCOREINFO page layout is implausible (PAGESIZE %llu, "
		    "SIZE(page) %llu, SIZE(mem_section) %llu, SECTION_SIZE_BITS "
		    "%llu)",
		    (unsigned long long)l->page_size, (unsigned long long)l->size_page,
		    (unsigned long long)l->section_size, (unsigned long long)ssb);
	l->section_pfn_bits = (unsigned)(ssb - 12);
	return check_release(prog);
}

/* The fields of one struct page that the rules look at. */
struct page_info {
	uint64_t flags, mapping, private_, compound_head;
	uint32_t mapcount;
	unsigned order;
	uint64_t dtor;
};

static void decode_page(const struct page_layout *l, const uint8_t *p, const uint8_t *next,
			uint64_t pfn, struct page_info *pi)
{
	*pi = (struct page_info){0};
	pi->flags = cor_le64(p + l->off_flags);
	pi->mapping = cor_le64(p + l->off_mapping);
	if ((int64_t)l->off_mapcount >= 0)
		pi->mapcount = cor_le32(p + l->off_mapcount);
	if (l->has_buddy)
		pi->private_ = cor_le64(p + l->off_private);
	if (l->off_compound_head >= 0)
		pi->compound_head = cor_le64(p + l->off_compound_head);
	if (next && l->pg_head_mask && (pi->flags & l->pg_head_mask)) {
		if (l->off_compound_order >= 0)
			pi->order = next[l->off_compound_order];
		if (l->off_compound_dtor >= 0)
			pi->dtor = next[l->off_compound_dtor];
		/* makedumpfile: an order that does not fit, or a head not aligned to
		 * it, is garbage: treat the page alone. */
		if (pi->order >= 64 || (pfn & ((1ull << pi->order) - 1)))
			pi->order = 0;
	}
}

static bool flag(uint64_t flags, int64_t bit)
{
	return bit >= 0 && bit < 64 && (flags >> bit & 1);
}

static bool is_cache(const struct page_layout *l, uint64_t flags)
{
	if (flag(flags, l->pg_lru))
		return true;
	return (l->pg_swapbacked < 0 || flag(flags, l->pg_swapbacked)) &&
	       flag(flags, l->pg_swapcache);
}

/* The class of a page (COR_CLASS_NUM: keep) and how many pages it covers. */
static enum cor_page_class classify(const struct page_layout *l, int level,
				    const struct page_info *pi, uint64_t *nr_pages)
{
	bool anon = pi->mapping & 1;
	bool slab = flag(pi->flags, l->pg_slab);
	*nr_pages = 1ull << pi->order;
	if (pi->compound_head & 1)
		return COR_CLASS_NUM; /* a tail page: its head decided */
	if ((level & COR_DL_FREE) && l->has_buddy && !slab && pi->mapcount == l->buddy_value) {
		/* An order beyond MAX_ORDER (11 on x86-64) is garbage: makedumpfile
		 * would exclude 1 << order pages; cap at the word size as it does. */
		*nr_pages = pi->private_ < 64 ? 1ull << pi->private_ : 1;
		return COR_CLASS_FREE;
	}
	if ((level & COR_DL_CACHE) && is_cache(l, pi->flags) && !flag(pi->flags, l->pg_private) &&
	    !anon)
		return COR_CLASS_CACHE;
	if ((level & COR_DL_CACHE_PRI) && is_cache(l, pi->flags) && !anon)
		return flag(pi->flags, l->pg_private) ? COR_CLASS_CACHE_PRIVATE : COR_CLASS_CACHE;
	if ((level & COR_DL_USER) && (anon || (l->has_hugetlb && pi->dtor == l->hugetlb_dtor)))
		return COR_CLASS_USER;
	*nr_pages = 1;
	if (flag(pi->flags, l->pg_hwpoison))
		return COR_CLASS_HWPOISON;
	if (l->has_offline && !slab && pi->mapcount == l->offline_value)
		return COR_CLASS_OFFLINE;
	return COR_CLASS_NUM;
}

static void exclude(struct cor_capture_filter *f, enum cor_page_class c, uint64_t pfn, uint64_t n)
{
	uint64_t end = pfn + n > f->max_pfn || pfn + n < pfn ? f->max_pfn : pfn + n;
	for (; pfn < end; pfn++) {
		if (bit_test(f->bitmap2, pfn)) {
			f->bitmap2[pfn / 8] &= (uint8_t) ~(1u << (pfn % 8));
			f->excluded[c]++;
		}
	}
}

/* Reads @count struct pages at @vaddr; per 4 KiB on failure, marking the
 * unreadable ones in @ok. */
static void read_memmap(struct cor_program *prog, const struct page_layout *l, uint64_t vaddr,
			uint64_t count, uint8_t *buf, bool *ok)
{
	struct cor_error *err = cor_program_read(prog, vaddr, buf, count * l->size_page);
	for (uint64_t i = 0; i < count; i++)
		ok[i] = !err;
	if (!err)
		return;
	cor_error_destroy(err);
	for (uint64_t i = 0; i < count; i++) {
		err = cor_program_read(prog, vaddr + i * l->size_page, buf + i * l->size_page,
				       l->size_page);
		ok[i] = !err;
		cor_error_destroy(err);
	}
}

/* Applies the rules to the pfns [start, end) whose struct pages begin at mem_map. */
static void walk_section(struct cor_program *prog, const struct page_layout *l, int level,
			 uint64_t mem_map, uint64_t start, uint64_t end,
			 struct cor_capture_filter *f, uint8_t *buf, bool *ok)
{
	uint64_t chunk_start = UINT64_MAX, chunk_n = 0;
	for (uint64_t pfn = start; pfn < end; pfn++) {
		if (!bit_test(f->bitmap1, pfn))
			continue;
		if (chunk_start == UINT64_MAX || pfn < chunk_start ||
		    pfn >= chunk_start + chunk_n) {
			chunk_start = pfn - (pfn - start) % MEMMAP_CHUNK;
			chunk_n = COR_MIN((uint64_t)MEMMAP_CHUNK, end - chunk_start);
			read_memmap(prog, l, mem_map + (chunk_start - start) * l->size_page,
				    chunk_n, buf, ok);
		}
		uint64_t i = pfn - chunk_start;
		if (!ok[i]) {
			f->memmap_unreadable++;
			continue;
		}
		/* A head's first tail is in the same chunk: chunks are aligned to 512
		 * pages and a compound head to its order. */
		const uint8_t *next =
		    i + 1 < chunk_n && ok[i + 1] ? buf + (i + 1) * l->size_page : NULL;
		struct page_info pi;
		decode_page(l, buf + i * l->size_page, next, pfn, &pi);
		uint64_t n;
		enum cor_page_class c = classify(l, level, &pi, &n);
		if (c == COR_CLASS_NUM)
			continue;
		exclude(f, c, pfn, n);
		if (n > 1)
			pfn += n - 1;
	}
}

/* Walks mem_section (SPARSEMEM_EXTREME: an array of LENGTH roots, each a page
 * of SIZE(mem_section) entries; include/linux/mmzone.h __nr_to_section()). */
static struct cor_error *walk_memmap(struct cor_program *prog, const struct page_layout *l,
				     int level, struct cor_capture_filter *f, uint64_t *memmap_end)
{
	uint64_t per_root = l->page_size / l->section_size;
	uint64_t nsections = (f->max_pfn >> l->section_pfn_bits) + 1;
	uint64_t nroots = COR_MIN(l->nr_roots, (nsections + per_root - 1) / per_root);
	uint8_t *secs = malloc(l->page_size);
	uint8_t *buf = malloc(MEMMAP_CHUNK * l->size_page);
	bool *ok = malloc(MEMMAP_CHUNK * sizeof(bool));
	struct cor_error *err = NULL;
	if (!secs || !buf || !ok)
		err = &cor_enomem;
	for (uint64_t r = 0; !err && r < nroots; r++) {
		uint64_t root;
		err = cor_program_read_u64(prog, l->mem_section + r * 8, &root);
		if (err) {
			err = cor_error_wrap(err, "reading mem_section root %llu",
					     (unsigned long long)r);
			break;
		}
		if (!root)
			continue;
		struct cor_error *e =
		    cor_program_read(prog, root, secs, per_root * l->section_size);
		if (e) {
			/* A garbage root: its pages stay in the dump. */
			cor_error_destroy(e);
			f->memmap_unreadable += per_root << l->section_pfn_bits;
			continue;
		}
		for (uint64_t s = 0; s < per_root; s++) {
			uint64_t nr = r * per_root + s, start = nr << l->section_pfn_bits;
			if (start >= f->max_pfn)
				break;
			uint64_t map = cor_le64(secs + s * l->section_size + l->off_section_map);
			if (!(map & SECTION_HAS_MEM_MAP))
				continue;
			uint64_t end = COR_MIN(start + (1ull << l->section_pfn_bits), f->max_pfn);
			uint64_t mem_map = (map & SECTION_MAP_MASK) + start * l->size_page;
			*memmap_end = end;
			walk_section(prog, l, level, mem_map, start, end, f, buf, ok);
		}
	}
	free(secs);
	free(buf);
	free(ok);
	return err;
}

/* The input's own view: RAM ranges and the pages it holds. */
static void init_bitmaps(struct cor_dump *dump, struct cor_capture_filter *f)
{
	uint64_t ps = cor_dump_page_size(dump);
	if (cor_dump_format(dump) == COR_DUMP_ELF) {
		/* makedumpfile create_1st_bitmap() / exclude_nodata_pages(). */
		for (size_t i = 0; i < cor_dump_num_ranges(dump); i++) {
			const struct cor_dump_range *r = cor_dump_range(dump, i);
			uint64_t first = r->paddr / ps, end = (r->paddr + r->memsz + ps - 1) / ps;
			uint64_t data_end = (r->paddr + r->filesz) / ps;
			for (uint64_t pfn = first; pfn < end && pfn < f->max_pfn; pfn++) {
				bit_set(f->bitmap1, pfn);
				if (pfn < data_end)
					bit_set(f->bitmap2, pfn);
			}
		}
	} else {
		for (uint64_t pfn = 0; pfn < f->max_pfn; pfn++) {
			enum cor_page_state st = cor_dump_page_state(dump, pfn);
			if (st != COR_PAGE_ABSENT)
				bit_set(f->bitmap1, pfn);
			if (st == COR_PAGE_PRESENT)
				bit_set(f->bitmap2, pfn);
		}
	}
	for (uint64_t i = 0; i < (f->max_pfn + 7) / 8; i++) {
		f->ram_pages += (uint64_t)__builtin_popcount(f->bitmap1[i]);
		f->candidates += (uint64_t)__builtin_popcount(f->bitmap2[i]);
	}
	f->excluded[COR_CLASS_NODATA] = f->ram_pages - f->candidates;
}

static void truncate_to(struct cor_capture_filter *f, uint64_t max_pfn)
{
	uint64_t dropped = 0;
	for (uint64_t pfn = max_pfn; pfn < f->max_pfn; pfn++) {
		if (bit_test(f->bitmap1, pfn))
			dropped++;
		f->bitmap1[pfn / 8] &= (uint8_t) ~(1u << (pfn % 8));
		f->bitmap2[pfn / 8] &= (uint8_t) ~(1u << (pfn % 8));
	}
	f->max_pfn = max_pfn;
	f->ram_pages -= dropped;
	f->excluded[COR_CLASS_NODATA] = 0;
}

struct cor_error *cor_capture_classify(struct cor_program *prog, int dump_level,
				       struct cor_capture_filter *ret)
{
	if (dump_level < 0 || dump_level > COR_DL_MAX)
		return cor_error_create(COR_ERR_INVALID, "dump level %d: use 0..31", dump_level);
	struct cor_dump *dump = cor_program_dump(prog);
	struct cor_capture_filter f = {.max_pfn = cor_dump_max_pfn(dump)};
	if (f.max_pfn == 0 || f.max_pfn > (1ull << 40))
		return cor_error_create(COR_ERR_CORRUPT, "the dump describes %llu pages",
					(unsigned long long)f.max_pfn);
	f.bitmap1 = calloc(1, (f.max_pfn + 7) / 8);
	f.bitmap2 = calloc(1, (f.max_pfn + 7) / 8);
	if (!f.bitmap1 || !f.bitmap2) {
		cor_capture_filter_deinit(&f);
		return &cor_enomem;
	}
	init_bitmaps(dump, &f);
	struct page_layout l = {0};
	struct cor_error *err = load_layout(prog, dump_level, &l);
	/* Levels 0 and 1 use mem_map only for hwpoison/offline pages: without its
	 * layout they still work (makedumpfile skips the walk then too). */
	if (err && !(dump_level & ~COR_DL_ZERO)) {
		cor_error_destroy(err);
		err = NULL;
	} else if (!err && ((dump_level & ~COR_DL_ZERO) || l.pg_hwpoison >= 0 || l.has_offline)) {
		uint64_t memmap_end = 0;
		err = walk_memmap(prog, &l, dump_level, &f, &memmap_end);
		f.memmap_walked = !err;
		if (err && !(dump_level & ~COR_DL_ZERO)) {
			/* Only hwpoison/offline pages were to be found: keep every
			 * page (a truncated input must still be saved) and say why. */
			f.walk_error = err;
			err = NULL;
			memset(f.bitmap1, 0, (f.max_pfn + 7) / 8);
			memset(f.bitmap2, 0, (f.max_pfn + 7) / 8);
			memset(f.excluded, 0, sizeof(f.excluded));
			f.ram_pages = f.candidates = 0;
			init_bitmaps(dump, &f);
			memmap_end = 0;
		}
		/* Pages past the last section with a mem_map are not RAM the kernel
		 * manages (QEMU dumps add the VGA framebuffer and the BIOS ROM):
		 * makedumpfile cuts max_mapnr there, and so do we. */
		if (!err && memmap_end && memmap_end < f.max_pfn)
			truncate_to(&f, memmap_end);
	}
	if (err) {
		cor_capture_filter_deinit(&f);
		return err;
	}
	/* Recount: NODATA is what the input lacks, the classes what the rules dropped. */
	uint64_t ruled = 0;
	for (int c = 0; c < COR_CLASS_NUM; c++)
		if (c != COR_CLASS_NODATA)
			ruled += f.excluded[c];
	f.candidates = 0;
	for (uint64_t i = 0; i < (f.max_pfn + 7) / 8; i++)
		f.candidates += (uint64_t)__builtin_popcount(f.bitmap2[i]);
	f.excluded[COR_CLASS_NODATA] =
	    f.ram_pages - f.candidates - COR_MIN(ruled, f.ram_pages - f.candidates);
	*ret = f;
	return NULL;
}

void cor_capture_filter_deinit(struct cor_capture_filter *f)
{
	free(f->bitmap1);
	free(f->bitmap2);
	f->bitmap1 = f->bitmap2 = NULL;
	cor_error_destroy(f->walk_error);
	f->walk_error = NULL;
}
