// SPDX-License-Identifier: MIT
// Opening dumps: file mapping, format probing, the page cache, notes and
// the accessors of include/coroner/dump.h.
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump/internal.h"

/* The flattened format's signature (makedumpfile.h, MAKEDUMPFILE_SIGNATURE). */
#define FLAT_SIGNATURE "makedumpfile"

uint64_t dump_file_size(const struct dump_file *f)
{
	return f->extents || f->num_extents ? f->logical_size : f->size;
}

static int cmp_seq(const void *a, const void *b)
{
	const struct flat_extent *x = *(const struct flat_extent *const *)a;
	const struct flat_extent *y = *(const struct flat_extent *const *)b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Reads the logical file of a flattened dump: the extents overlapping the range,
 * applied in stream order so that a later record overrides an earlier one. Bytes no
 * record covers read as zero. */
static size_t flat_read(const struct dump_file *f, uint64_t off, uint8_t *buf, size_t len)
{
	memset(buf, 0, len);
	if (off >= f->logical_size)
		return 0;
	uint64_t end = off + len;
	/* Extents are sorted by voff; one overlapping [off, end) starts after off - max_len. */
	uint64_t from = off > f->max_extent_len ? off - f->max_extent_len : 0;
	size_t lo = 0, hi = f->num_extents;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->extents[mid].voff < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct flat_extent *small[64], **hits = small;
	size_t nhits = 0, cap = COR_ARRAY_SIZE(small);
	for (size_t i = lo; i < f->num_extents && f->extents[i].voff < end; i++) {
		const struct flat_extent *e = &f->extents[i];
		if (e->voff + e->len <= off)
			continue;
		if (nhits == cap) {
			const struct flat_extent **n = malloc(2 * cap * sizeof(*n));
			if (!n)
				break;
			memcpy(n, hits, nhits * sizeof(*n));
			if (hits != small)
				free(hits);
			hits = n;
			cap *= 2;
		}
		hits[nhits++] = e;
	}
	qsort(hits, nhits, sizeof(*hits), cmp_seq);
	for (size_t i = 0; i < nhits; i++) {
		const struct flat_extent *e = hits[i];
		uint64_t s = COR_MAX(off, e->voff), t = COR_MIN(end, e->voff + e->len);
		memcpy(buf + (s - off), f->data + e->foff + (s - e->voff), t - s);
	}
	if (hits != small)
		free(hits);
	return (size_t)COR_MIN((uint64_t)len, f->logical_size - off);
}

size_t dump_file_read(const struct dump_file *f, uint64_t off, void *buf, size_t len)
{
	if (f->num_extents)
		return flat_read(f, off, buf, len);
	if (off >= f->size)
		return 0;
	size_t n = (size_t)COR_MIN((uint64_t)len, f->size - off);
	memcpy(buf, f->data + off, n);
	return n;
}

struct cor_error *dump_read_exact(struct cor_dump *dump, uint64_t off, void *buf, size_t len,
				  const char *what)
{
	size_t n = dump_file_read(&dump->file, off, buf, len);
	if (n < len)
		return cor_error_create(
		    COR_ERR_TRUNCATED,
		    "%s at offset %llu (%zu bytes) is beyond the end of the file "
		    "(%llu bytes): the dump is truncated",
		    what, (unsigned long long)off, len,
		    (unsigned long long)dump_file_size(&dump->file));
	return NULL;
}

void dump_set_incomplete(struct cor_dump *dump, const char *fmt, ...)
{
	dump->incomplete = true;
	if (dump->incomplete_reason)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&dump->incomplete_reason, fmt, ap) < 0)
		dump->incomplete_reason = NULL;
	va_end(ap);
}

/* ---- notes ---- */

struct cor_error *cor_dump_parse_notes_mem(const void *buf, size_t len, struct cor_vec *notes)
{
	struct cor_cursor c;
	cor_cursor_init(&c, buf, len);
	/* Elf64_Nhdr: namesz, descsz, type (4 bytes each); name and desc padded to 4. */
	while (cor_cursor_left(&c) >= 12) {
		uint32_t namesz, descsz, type;
		struct cor_error *err;
		if ((err = cor_cursor_u32(&c, &namesz)) || (err = cor_cursor_u32(&c, &descsz)) ||
		    (err = cor_cursor_u32(&c, &type)))
			return err;
		if (namesz == 0 && descsz == 0 && type == 0)
			break; /* padding at the end of a PT_NOTE */
		const uint8_t *name, *desc;
		uint64_t npad = ((uint64_t)namesz + 3) & ~3ull,
			 dpad = ((uint64_t)descsz + 3) & ~3ull;
		if ((err = cor_cursor_bytes(&c, npad, &name)) ||
		    (err = cor_cursor_bytes(&c, dpad, &desc)))
			return cor_error_wrap(err, "ELF note %zu", notes->len);
		if (namesz == 0 || name[namesz - 1] != '\0') {
			if (namesz && memchr(name, '\0', namesz) == NULL)
				return cor_error_create(COR_ERR_CORRUPT,
							"ELF note %zu: name not NUL-terminated",
							notes->len);
		}
		struct cor_dump_note note = {
		    .name = namesz ? (const char *)name : "",
		    .type = type,
		    .desc = desc,
		    .descsz = descsz,
		};
		if ((err = cor_vec_push(notes, &note)))
			return err;
	}
	return NULL;
}

struct cor_error *dump_load_notes(struct cor_dump *dump, uint64_t off, uint64_t len)
{
	if (len == 0)
		return NULL;
	if (len > (64u << 20))
		return cor_error_create(COR_ERR_CORRUPT, "ELF notes of %llu bytes: too large",
					(unsigned long long)len);
	uint8_t *buf = malloc(len);
	if (!buf)
		return &cor_enomem;
	size_t n = dump_file_read(&dump->file, off, buf, len);
	if (n < len) {
		dump_set_incomplete(dump, "the ELF notes are cut short by the end of the file");
		len = n;
	}
	size_t old_len = dump->notes.len;
	struct cor_error *err = cor_dump_parse_notes_mem(buf, len, &dump->notes);
	/* A note list cut by truncation keeps what parsed; anything else is corrupt. */
	if (err && err->code == COR_ERR_TRUNCATED) {
		dump_set_incomplete(dump, "%s", err->message);
		cor_error_destroy(err);
		err = NULL;
	}
	if (!err)
		err = cor_vec_push(&dump->note_bufs, &buf);
	if (err) {
		dump->notes.len = old_len; /* they point into buf */
		free(buf);
		return cor_error_wrap(err, "notes");
	}
	for (size_t i = old_len; i < dump->notes.len; i++) {
		const struct cor_dump_note *note = cor_vec_at(&dump->notes, i);
		if (strcmp(note->name, "VMCOREINFO") == 0 && !dump->vmcoreinfo) {
			dump->vmcoreinfo = strndup((const char *)note->desc, note->descsz);
			if (!dump->vmcoreinfo)
				return &cor_enomem;
			dump->vmcoreinfo_len = strlen(dump->vmcoreinfo);
		}
	}
	return NULL;
}

/* ---- open / close ---- */

static const struct dump_ops *const all_ops[] = {&cor_dump_elf_ops, &cor_dump_kdump_ops};

static struct cor_error *dump_init(struct cor_dump *dump)
{
	cor_vec_init(&dump->notes, sizeof(struct cor_dump_note));
	cor_vec_init(&dump->note_bufs, sizeof(uint8_t *));
	cor_vec_init(&dump->ranges, sizeof(struct cor_dump_range));
	dump->page_size = 4096;
	uint8_t head[64] = {0};
	size_t n = dump_file_read(&dump->file, 0, head, sizeof(head));
	if (n == 0)
		return cor_error_create(COR_ERR_CORRUPT, "empty file");
	bool flat = n >= sizeof(FLAT_SIGNATURE) &&
		    memcmp(head, FLAT_SIGNATURE, sizeof(FLAT_SIGNATURE)) == 0;
	if (flat) {
		struct cor_error *err = flat_index(&dump->file);
		if (err)
			return cor_error_wrap(err, "flattened format");
		memset(head, 0, sizeof(head));
		n = dump_file_read(&dump->file, 0, head, sizeof(head));
	}
	for (size_t i = 0; i < COR_ARRAY_SIZE(all_ops); i++) {
		if (all_ops[i]->probe(head, n)) {
			dump->ops = all_ops[i];
			break;
		}
	}
	if (!dump->ops)
		return cor_error_create(
		    COR_ERR_UNSUPPORTED,
		    "not a crash dump (unknown format: not ELF, kdump-compressed "
		    "or flattened)");
	struct cor_error *err = dump->ops->open(dump);
	if (err)
		return err;
	if (flat) {
		char tmp[sizeof(dump->format_name)];
		memcpy(tmp, dump->format_name, sizeof(tmp));
		snprintf(dump->format_name, sizeof(dump->format_name), "flattened %.50s", tmp);
	}
	dump->cache = malloc((size_t)PAGE_CACHE_SLOTS * dump->page_size);
	return dump->cache ? NULL : &cor_enomem;
}

static struct cor_error *map_file(const char *path, struct dump_file *f)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cor_error_os(errno, path, "cannot open");
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return cor_error_os(e, path, "cannot stat");
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return cor_error_create(COR_ERR_INVALID, "is a directory, not a dump");
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		close(fd);
		return cor_error_create(COR_ERR_INVALID, "not a regular file");
	}
	uint64_t size = (uint64_t)st.st_size;
	if (size == 0) {
		close(fd);
		return cor_error_create(COR_ERR_CORRUPT, "empty file");
	}
	void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	int e = errno;
	close(fd);
	if (map == MAP_FAILED)
		return cor_error_os(e, path, "cannot map");
	madvise(map, size, MADV_RANDOM);
	f->map = map;
	f->map_len = size;
	f->data = map;
	f->size = size;
	return NULL;
}

static struct cor_error *dump_create(const char *path, struct cor_dump **ret)
{
	struct cor_dump *dump = calloc(1, sizeof(*dump));
	if (!dump)
		return &cor_enomem;
	dump->path = strdup(path);
	if (!dump->path) {
		free(dump);
		return &cor_enomem;
	}
	*ret = dump;
	return NULL;
}

struct cor_error *cor_dump_open(const char *path, struct cor_dump **ret)
{
	struct cor_dump *dump = NULL;
	struct cor_error *err = dump_create(path, &dump);
	if (err)
		return err;
	err = map_file(path, &dump->file);
	if (!err)
		err = dump_init(dump);
	if (err) {
		cor_dump_close(dump);
		if (err->path || err == &cor_enomem)
			return err;
		return cor_error_wrap(err, "%s", path);
	}
	*ret = dump;
	return NULL;
}

bool cor_dump_file_is_dump(const char *path)
{
	uint8_t head[64] = {0};
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	size_t n = fread(head, 1, sizeof(head), f);
	fclose(f);
	if (n >= sizeof(FLAT_SIGNATURE) &&
	    memcmp(head, FLAT_SIGNATURE, sizeof(FLAT_SIGNATURE)) == 0)
		return true;
	for (size_t i = 0; i < COR_ARRAY_SIZE(all_ops); i++)
		if (all_ops[i]->probe(head, n))
			return true;
	return false;
}

struct cor_error *cor_dump_parse_mem(const void *buf, size_t len, struct cor_dump **ret)
{
	struct cor_dump *dump = NULL;
	struct cor_error *err = dump_create("<memory>", &dump);
	if (err)
		return err;
	dump->file.data = buf;
	dump->file.size = len;
	err = dump_init(dump);
	if (err) {
		cor_dump_close(dump);
		return err;
	}
	*ret = dump;
	return NULL;
}

void cor_dump_close(struct cor_dump *dump)
{
	if (!dump)
		return;
	if (dump->ops && dump->ops->close)
		dump->ops->close(dump);
	if (dump->file.map)
		munmap(dump->file.map, dump->file.map_len);
	free(dump->file.extents);
	cor_vec_deinit(&dump->notes);
	cor_vec_deinit(&dump->ranges);
	for (size_t i = 0; i < dump->note_bufs.len; i++)
		free(*(uint8_t **)cor_vec_at(&dump->note_bufs, i));
	cor_vec_deinit(&dump->note_bufs);
	free(dump->vmcoreinfo);
	free(dump->incomplete_reason);
	free(dump->cache);
	free(dump->path);
	free(dump);
}

/* ---- reading ---- */

enum cor_page_state cor_dump_page_state(struct cor_dump *dump, uint64_t pfn)
{
	if (pfn >= dump->max_pfn)
		return COR_PAGE_ABSENT;
	return dump->ops->page_state(dump, pfn);
}

struct cor_error *cor_dump_read_page(struct cor_dump *dump, uint64_t pfn, void *buf)
{
	size_t slot = pfn % PAGE_CACHE_SLOTS;
	uint8_t *cached = dump->cache + slot * dump->page_size;
	if (dump->cache_valid[slot] && dump->cache_pfn[slot] == pfn) {
		memcpy(buf, cached, dump->page_size);
		return NULL;
	}
	if (pfn >= dump->max_pfn)
		return cor_error_fault(pfn * dump->page_size,
				       "physical address 0x%llx is beyond the dump's memory",
				       (unsigned long long)(pfn * dump->page_size));
	struct cor_error *err = dump->ops->read_page(dump, pfn, cached);
	if (err) {
		dump->cache_valid[slot] = false;
		return err;
	}
	dump->cache_valid[slot] = true;
	dump->cache_pfn[slot] = pfn;
	memcpy(buf, cached, dump->page_size);
	return NULL;
}

struct cor_error *cor_dump_read_phys(struct cor_dump *dump, uint64_t paddr, void *buf, size_t len)
{
	uint8_t *out = buf;
	uint32_t ps = dump->page_size;
	while (len) {
		uint64_t pfn = paddr / ps;
		size_t off = (size_t)(paddr % ps);
		size_t n = COR_MIN(len, (size_t)(ps - off));
		size_t slot = pfn % PAGE_CACHE_SLOTS;
		if (!(dump->cache_valid[slot] && dump->cache_pfn[slot] == pfn)) {
			if (pfn >= dump->max_pfn)
				return cor_error_fault(
				    paddr,
				    "physical address 0x%llx is beyond the dump's "
				    "memory",
				    (unsigned long long)paddr);
			uint8_t *cached = dump->cache + slot * ps;
			struct cor_error *err = dump->ops->read_page(dump, pfn, cached);
			if (err) {
				dump->cache_valid[slot] = false;
				return err;
			}
			dump->cache_valid[slot] = true;
			dump->cache_pfn[slot] = pfn;
		}
		memcpy(out, dump->cache + slot * ps + off, n);
		out += n;
		paddr += n;
		len -= n;
	}
	return NULL;
}

/* ---- accessors ---- */

enum cor_dump_format cor_dump_format(const struct cor_dump *dump)
{
	if (dump->file.num_extents)
		return COR_DUMP_FLATTENED;
	return dump->ops->format;
}

const char *cor_dump_format_name(const struct cor_dump *dump)
{
	return dump->format_name;
}

const char *cor_dump_path(const struct cor_dump *dump)
{
	return dump->path;
}

uint32_t cor_dump_page_size(const struct cor_dump *dump)
{
	return dump->page_size;
}

uint64_t cor_dump_max_pfn(const struct cor_dump *dump)
{
	return dump->max_pfn;
}

bool cor_dump_is_incomplete(const struct cor_dump *dump)
{
	return dump->incomplete;
}

const char *cor_dump_incomplete_reason(const struct cor_dump *dump)
{
	if (!dump->incomplete)
		return NULL;
	return dump->incomplete_reason ? dump->incomplete_reason : "the dump is incomplete";
}

const struct cor_kdump_info *cor_dump_kdump_info(const struct cor_dump *dump)
{
	return dump->is_kdump ? &dump->kdump : NULL;
}

const char *cor_dump_vmcoreinfo(const struct cor_dump *dump, size_t *len)
{
	if (len)
		*len = dump->vmcoreinfo_len;
	return dump->vmcoreinfo;
}

size_t cor_dump_num_notes(const struct cor_dump *dump)
{
	return dump->notes.len;
}

const struct cor_dump_note *cor_dump_note(const struct cor_dump *dump, size_t i)
{
	return i < dump->notes.len ? cor_vec_at(&dump->notes, i) : NULL;
}

size_t cor_dump_num_ranges(const struct cor_dump *dump)
{
	return dump->ranges.len;
}

const struct cor_dump_range *cor_dump_range(const struct cor_dump *dump, size_t i)
{
	return i < dump->ranges.len ? cor_vec_at(&dump->ranges, i) : NULL;
}
