// SPDX-License-Identifier: MIT
// The capture pipeline: the calling thread cuts the dumpable pages into jobs
// of batch_pages pages; N workers read each job's pages from the input
// (pread of whole contiguous runs: no system call per page), drop zero
// pages and compress the rest; the calling thread takes the jobs back in
// order and hands the pages to the kdump writer, which writes in large
// buffers. At most 2N+2 jobs are in flight, so memory does not depend on
// the size of the dump (beyond its two bitmaps: 1 bit per page each).
//
// Reading maps each run of the input (mmap, as makedumpfile does for
// /proc/vmcore, whose read() copies page by page through ioremap) and
// prefaults it with MADV_POPULATE_READ, which reports an unreadable page as
// an error instead of the SIGBUS a plain access would raise; the pages are
// then zero-checked and compressed in place, with no copy. Where that is not
// possible (an unaligned segment, a kernel without MADV_POPULATE_READ, a run
// that fails, --non-mmap) the run is read with pread, and a page that still cannot be
// read is recorded as unreadable, never fatal. /proc/vmcore maps old memory
// with remap_pfn_range (fs/proc/vmcore.c mmap_vmcore): populated at mmap time.
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "coroner/capture.h"
#include "coroner/mem.h"
#include "coroner/program.h"
#include "coroner/progress.h"
#include "coroner/threadpool.h"

#define DEFAULT_BATCH 512
/* Shorter runs of a file are read with pread: copying a few pages costs less
 * than mmap + madvise + munmap (whose TLB flush interrupts the other
 * workers). Not so for /proc/vmcore, whose read() maps old memory page by
 * page: there every run is mapped. */
#define MMAP_MIN_RUN 32
#define MAX_BATCH    1024 /* cor_kdump_writer_add_packed() takes up to 1024 pages */

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* include/uapi/asm-generic/mman-common.h, Linux 5.14 */
#endif
#define PROC_SUPER_MAGIC 0x9fa0 /* include/uapi/linux/magic.h */

enum page_kind { PAGE_DATA, PAGE_ZERO, PAGE_UNREADABLE };

struct mapping {
	void *addr;
	size_t len;
};

struct batch {
	unsigned n;
	uint64_t *pfns;
	const uint8_t **src; /* each page's data: in b->in or in a mapping */
	struct mapping *maps;
	unsigned nmaps;
	uint8_t *in;	/* n pages */
	uint8_t *out;	/* n * bound */
	uint32_t *size; /* compressed size, 0: raw */
	uint8_t *kind;
	bool filled; /* the producer read the pages (kdump input) */
	uint64_t bytes_read;
};

struct pipeline {
	struct cor_dump *dump;
	const struct cor_capture_options *opt;
	uint32_t page_size;
	int in_fd;		     /* -1: read through cor_dump (kdump input) */
	bool use_mmap;		     /* map runs of in_fd (else pread) */
	bool pfnmap;		     /* in_fd is /proc/vmcore: mappings come populated */
	uint64_t in_size;	     /* bytes of in_fd that can be mapped */
	uint64_t map_align;	     /* the system's page size */
	struct cor_dump_range *segs; /* ELF segments sorted by paddr */
	size_t nsegs;
	struct cor_compressor **comp; /* one per worker */
	size_t bound;
	struct batch *batches;
	size_t nbatches;
};

static bool is_zero(const uint8_t *p, size_t n)
{
	uint64_t acc = 0;
	for (size_t i = 0; i < n; i += 64) {
		uint64_t w[8];
		memcpy(w, p + i, 64);
		acc |= w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7];
		if (acc)
			return false;
	}
	return acc == 0;
}

/* The segment that holds physical address @addr, or NULL. */
static const struct cor_dump_range *find_seg(const struct pipeline *p, uint64_t addr)
{
	size_t lo = 0, hi = p->nsegs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->segs[mid].paddr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i > 0 && lo - i < 8; i--)
		if (addr - p->segs[i - 1].paddr < p->segs[i - 1].filesz)
			return &p->segs[i - 1];
	return NULL;
}

static bool pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		done += (size_t)n;
	}
	return true;
}

/* One page, piecewise across segments (unaligned PT_LOADs). */
static bool read_page_slow(const struct pipeline *p, uint64_t pfn, uint8_t *buf)
{
	uint64_t addr = pfn * p->page_size;
	for (uint32_t done = 0; done < p->page_size;) {
		const struct cor_dump_range *s = find_seg(p, addr + done);
		if (!s)
			return false;
		uint64_t rel = addr + done - s->paddr;
		uint64_t n = COR_MIN((uint64_t)(p->page_size - done), s->filesz - rel);
		if (!pread_full(p->in_fd, buf + done, n, s->offset + rel))
			return false;
		done += (uint32_t)n;
	}
	return true;
}

/* Maps @len bytes of the input at @off for reading, prefaulted; NULL where
 * that cannot be done without risking a SIGBUS (then the caller preads). */
static const uint8_t *map_run(const struct pipeline *p, struct batch *b, uint64_t off, size_t len)
{
	if (!p->use_mmap || (!p->pfnmap && len < MMAP_MIN_RUN * (size_t)p->page_size) ||
	    off % p->map_align || off + len > p->in_size)
		return NULL;
	void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, p->in_fd, (off_t)off);
	if (m == MAP_FAILED)
		return NULL;
	if (madvise(m, len, MADV_POPULATE_READ) != 0 && !(errno == EINVAL && p->pfnmap)) {
		/* EFAULT/EIO: a page is unreadable; EINVAL: a kernel before 5.14. */
		munmap(m, len);
		return NULL;
	}
	b->maps[b->nmaps++] = (struct mapping){m, len};
	return m;
}

static void unmap_batch(struct batch *b)
{
	for (unsigned i = 0; i < b->nmaps; i++)
		munmap(b->maps[i].addr, b->maps[i].len);
	b->nmaps = 0;
}

/* Reads (maps) the pages of @b: whole runs of consecutive pfns inside one
 * segment at once; page by page where a run fails. */
static void read_batch(const struct pipeline *p, struct batch *b)
{
	uint64_t ps = p->page_size;
	for (unsigned i = 0; i < b->n;) {
		uint64_t addr = b->pfns[i] * ps;
		const struct cor_dump_range *s = find_seg(p, addr);
		unsigned j = i + 1;
		b->src[i] = b->in + i * ps;
		if (s && addr + ps <= s->paddr + s->filesz) {
			uint64_t seg_end = s->paddr + s->filesz;
			while (j < b->n && b->pfns[j] == b->pfns[j - 1] + 1 &&
			       (b->pfns[j] + 1) * ps <= seg_end)
				j++;
			uint64_t off = s->offset + (addr - s->paddr);
			const uint8_t *m = map_run(p, b, off, (j - i) * ps);
			for (unsigned k = i; k < j; k++)
				b->src[k] = m ? m + (k - i) * ps : b->in + k * ps;
			if (m || pread_full(p->in_fd, b->in + i * ps, (j - i) * ps, off)) {
				b->bytes_read += (j - i) * ps;
				i = j;
				continue;
			}
			j = i + 1;
		}
		bool ok = read_page_slow(p, b->pfns[i], b->in + i * ps);
		b->kind[i] = ok ? PAGE_DATA : PAGE_UNREADABLE;
		if (ok)
			b->bytes_read += ps;
		i++;
	}
}

static void work(void *ctx, void *job, unsigned worker)
{
	struct pipeline *p = ctx;
	struct batch *b = job;
	if (!b->filled)
		read_batch(p, b);
	size_t pos = 0;
	for (unsigned i = 0; i < b->n; i++) {
		if (b->kind[i] != PAGE_DATA)
			continue;
		const uint8_t *page = b->src[i];
		if ((p->opt->dump_level & COR_DL_ZERO) && is_zero(page, p->page_size)) {
			b->kind[i] = PAGE_ZERO;
			continue;
		}
		/* Packed back to back, so that the writer writes the job's data
		 * straight from here; a page that does not shrink goes in raw. */
		uint8_t *dst = b->out + pos;
		size_t n = cor_compressor_page(p->comp[worker], page, dst);
		if (n == 0) {
			memcpy(dst, page, p->page_size);
			n = p->page_size;
		}
		b->size[i] = (uint32_t)n;
		pos += n;
	}
}

static void free_pipeline(struct pipeline *p, unsigned ncomp)
{
	for (size_t i = 0; i < p->nbatches; i++) {
		struct batch *b = &p->batches[i];
		unmap_batch(b);
		free(b->pfns);
		free(b->src);
		free(b->maps);
		free(b->in);
		free(b->out);
		free(b->size);
		free(b->kind);
	}
	free(p->batches);
	for (unsigned i = 0; p->comp && i < ncomp; i++)
		cor_compressor_destroy(p->comp[i]);
	free(p->comp);
	free(p->segs);
	if (p->in_fd >= 0)
		close(p->in_fd);
}

static int cmp_paddr(const void *a, const void *b)
{
	const struct cor_dump_range *x = a, *y = b;
	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

static struct cor_error *setup_input(struct pipeline *p)
{
	p->in_fd = -1;
	if (cor_dump_format(p->dump) != COR_DUMP_ELF)
		return NULL;
	p->nsegs = cor_dump_num_ranges(p->dump);
	p->segs = calloc(p->nsegs, sizeof(*p->segs));
	if (!p->segs)
		return &cor_enomem;
	for (size_t i = 0; i < p->nsegs; i++)
		p->segs[i] = *cor_dump_range(p->dump, i);
	qsort(p->segs, p->nsegs, sizeof(*p->segs), cmp_paddr);
	p->in_fd = open(cor_dump_path(p->dump), O_RDONLY | O_CLOEXEC);
	if (p->in_fd < 0)
		return cor_error_os(errno, cor_dump_path(p->dump), "opening %s",
				    cor_dump_path(p->dump));
	posix_fadvise(p->in_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	struct stat st;
	struct statfs sf;
	long pagesz = sysconf(_SC_PAGESIZE);
	if (fstat(p->in_fd, &st) == 0 && S_ISREG(st.st_mode) && pagesz > 0 && !p->opt->no_mmap) {
		p->use_mmap = true;
		p->in_size = (uint64_t)st.st_size;
		p->map_align = (uint64_t)pagesz;
		p->pfnmap = fstatfs(p->in_fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
	}
	return NULL;
}

static struct cor_error *setup_pipeline(struct pipeline *p, unsigned ncomp, unsigned batch_pages)
{
	struct cor_error *err = setup_input(p);
	if (err)
		return err;
	p->comp = calloc(ncomp, sizeof(*p->comp));
	if (!p->comp)
		return &cor_enomem;
	for (unsigned i = 0; i < ncomp; i++)
		if ((err = cor_compressor_create(p->opt->codec, p->opt->level, p->page_size,
						 &p->comp[i])))
			return err;
	p->bound = cor_compressor_bound(p->comp[0]);
	p->nbatches = 2 * (size_t)ncomp + 2;
	p->batches = calloc(p->nbatches, sizeof(*p->batches));
	if (!p->batches)
		return &cor_enomem;
	for (size_t i = 0; i < p->nbatches; i++) {
		struct batch *b = &p->batches[i];
		b->pfns = malloc(batch_pages * sizeof(*b->pfns));
		b->src = malloc(batch_pages * sizeof(*b->src));
		b->maps = malloc(batch_pages * sizeof(*b->maps));
		b->in = malloc((size_t)batch_pages * p->page_size);
		b->out = malloc((size_t)batch_pages * p->bound);
		b->size = malloc(batch_pages * sizeof(*b->size));
		b->kind = malloc(batch_pages);
		if (!b->pfns || !b->src || !b->maps || !b->in || !b->out || !b->size || !b->kind)
			return &cor_enomem;
	}
	return NULL;
}

/* ---- the writer side ---- */

struct run {
	struct pipeline p;
	struct cor_workq *q;
	struct cor_kdump_writer *w;
	struct cor_capture_stats *st;
	double t0, last_progress;
	bool stop; /* a write failed */
	/* a job's data pages, for cor_kdump_writer_add_packed() */
	uint64_t *dpfn;
	uint32_t *dsize;
	bool *dcomp;
};

static void report(struct run *r, bool force)
{
	double t = cor_monotonic_seconds();
	r->st->elapsed = t - r->t0;
	if (!r->p.opt->progress || (!force && t - r->last_progress < 0.25))
		return;
	r->last_progress = t;
	r->p.opt->progress(r->p.opt->progress_arg, r->st);
}

static struct cor_error *consume(struct run *r, struct batch *b)
{
	struct cor_capture_stats *st = r->st;
	st->bytes_read += b->bytes_read;
	struct cor_error *err = NULL;
	size_t nd = 0;
	for (unsigned i = 0; i < b->n && !err; i++) {
		uint64_t pfn = b->pfns[i];
		st->pages_done++;
		if (b->kind[i] == PAGE_UNREADABLE) {
			if (!st->excluded[COR_CLASS_UNREADABLE])
				st->first_unreadable_pfn = pfn;
			st->excluded[COR_CLASS_UNREADABLE]++;
			cor_kdump_writer_skip(r->w, pfn);
		} else if (b->kind[i] == PAGE_ZERO) {
			st->excluded[COR_CLASS_ZERO]++;
			err = cor_kdump_writer_add_zero(r->w, pfn);
		} else {
			/* data pages: one write for the job, below */
			r->dpfn[nd] = pfn;
			r->dsize[nd] = b->size[i];
			r->dcomp[nd] = b->size[i] < r->p.page_size;
			nd++;
		}
	}
	if (!err) /* the job's data in one write (MAX_BATCH fits the writer's unit) */
		err = cor_kdump_writer_add_packed(r->w, nd, r->dpfn, r->dsize, r->dcomp, b->out);
	unmap_batch(b);
	if (err && err->code == COR_ERR_OS) {
		st->write_errno = err->errnum;
		cor_error_destroy(err);
		r->stop = true;
		err = NULL;
	}
	st->pages_written = cor_kdump_writer_pages(r->w);
	st->bytes_written = cor_kdump_writer_data_bytes(r->w);
	report(r, false);
	return err;
}

/* Fills @b with the next candidate pages from *pfn on; false when none are left. */
/* The order pages are written in: the kernel image first, then the rest by pfn. */
struct order {
	uint64_t start[3], end[3];
	unsigned cur;
	uint64_t pfn;
};

static struct cor_error *produce(struct run *r, const struct cor_capture_filter *f,
				 unsigned batch_pages, struct order *o, struct batch *b)
{
	b->n = 0;
	b->bytes_read = 0;
	b->filled = r->p.in_fd < 0;
	while (o->cur < 3 && b->n < batch_pages) {
		uint64_t x = o->pfn, end = COR_MIN(o->end[o->cur], f->max_pfn);
		while (x < end && b->n < batch_pages) {
			uint8_t byte = f->bitmap2[x / 8] >> (x % 8);
			if (byte == 0) {
				x = (x / 8 + 1) * 8; /* skip the rest of an empty byte */
				continue;
			}
			if (byte & 1)
				b->pfns[b->n++] = x;
			x++;
		}
		o->pfn = x;
		if (x >= end && ++o->cur < 3)
			o->pfn = o->start[o->cur];
	}
	memset(b->kind, PAGE_DATA, b->n);
	memset(b->size, 0, b->n * sizeof(*b->size));
	unmap_batch(b);
	for (unsigned i = 0; i < b->n; i++)
		b->src[i] = b->in + (size_t)i * r->p.page_size;
	for (unsigned i = 0; b->filled && i < b->n; i++) {
		struct cor_error *err =
		    cor_dump_read_page(r->p.dump, b->pfns[i], b->in + (size_t)i * r->p.page_size);
		if (err) {
			cor_error_destroy(err);
			b->kind[i] = PAGE_UNREADABLE;
		} else {
			b->bytes_read += r->p.page_size;
		}
	}
	return NULL;
}

/* The physical pages of the kernel image: the text mapping from _stext on,
 * 2 MiB at a time, until it stops being mapped (arch/x86/kernel/vmlinux.lds.S
 * maps _text.._end there; physically contiguous). [0, 0) if unknown. */
static void kernel_image(struct cor_program *prog, uint32_t page_size, uint64_t *start,
			 uint64_t *end)
{
	uint64_t stext, size = 1ull << 30, pa, first;
	*start = *end = 0;
	if (!cor_program_vmcoreinfo_u64(prog, "SYMBOL(_stext)", &stext))
		return;
	cor_program_vmcoreinfo_u64(prog, "NUMBER(KERNEL_IMAGE_SIZE)", &size);
	struct cor_mem *mem = cor_program_mem(prog);
	struct cor_error *err = cor_mem_vtop(mem, stext, &first);
	if (err) {
		cor_error_destroy(err);
		return;
	}
	uint64_t va = stext, last = first;
	for (int i = 0; i < 512 && va + (2u << 20) < COR_X86_START_KERNEL_MAP + size; i++) {
		va = (va & ~((2ull << 20) - 1)) + (2u << 20);
		if ((err = cor_mem_vtop(mem, va, &pa))) {
			cor_error_destroy(err);
			break;
		}
		if (pa - first != va - stext) /* not contiguous any more */
			break;
		last = pa;
	}
	*start = first / page_size;
	*end = (last / page_size) + (2u << 20) / page_size;
}

static struct cor_error *pump(struct run *r, struct cor_program *prog,
			      const struct cor_capture_filter *f, unsigned batch_pages)
{
	uint64_t img_start, img_end;
	kernel_image(prog, r->p.page_size, &img_start, &img_end);
	struct order o = {.start = {img_start, 0, img_end},
			  .end = {img_end, img_start, f->max_pfn},
			  .pfn = img_start};
	size_t next_batch = 0;
	struct cor_error *err = NULL;
	while (!err && !r->stop) {
		if (cor_workq_full(r->q)) {
			err = consume(r, cor_workq_next(r->q));
			continue;
		}
		struct batch *b = &r->p.batches[next_batch++ % r->p.nbatches];
		if ((err = produce(r, f, batch_pages, &o, b)) || b->n == 0)
			break;
		cor_workq_submit(r->q, b);
	}
	/* Drain: finish what is in flight (its pages are dropped after a failure). */
	struct batch *b;
	while ((b = cor_workq_next(r->q)) != NULL)
		if (!err && !r->stop)
			err = consume(r, b);
	return err;
}

/* ---- headers ---- */

/* Serializes the notes of @dump as ELF notes (Elf64_Nhdr, 4-byte padding). */
static struct cor_error *serialize_notes(struct cor_dump *dump, struct cor_strbuf *sb,
					 uint32_t *nr_cpus)
{
	*nr_cpus = 0;
	for (size_t i = 0; i < cor_dump_num_notes(dump); i++) {
		const struct cor_dump_note *n = cor_dump_note(dump, i);
		uint32_t namesz = (uint32_t)strlen(n->name) + (n->name[0] ? 1 : 0);
		uint8_t h[12];
		cor_put_le32(h, namesz);
		cor_put_le32(h + 4, (uint32_t)n->descsz);
		cor_put_le32(h + 8, n->type);
		cor_strbuf_appendn(sb, (const char *)h, 12);
		static const char zeros[4];
		cor_strbuf_appendn(sb, n->name, namesz);
		cor_strbuf_appendn(sb, zeros, (4 - namesz % 4) % 4);
		cor_strbuf_appendn(sb, (const char *)n->desc, n->descsz);
		cor_strbuf_appendn(sb, zeros, (4 - n->descsz % 4) % 4);
		/* One NT_PRSTATUS (1) "CORE" note per CPU (kernel/crash_core.c). */
		if (n->type == 1 && strcmp(n->name, "CORE") == 0)
			(*nr_cpus)++;
	}
	return cor_strbuf_error(sb);
}

/* struct new_utsname of init_uts_ns: 6 fields of 65 bytes (include/uapi/linux/utsname.h). */
static void read_uts(struct cor_program *prog, char uts[6][65])
{
	memset(uts, 0, 6 * 65);
	uint64_t sym, off = 0;
	if (cor_program_vmcoreinfo_u64(prog, "SYMBOL(init_uts_ns)", &sym) &&
	    (cor_program_vmcoreinfo_u64(prog, "OFFSET(uts_namespace.name)", &off) || true)) {
		struct cor_error *err = cor_program_read(prog, sym + off, uts, 6 * 65);
		if (!err) {
			for (int i = 0; i < 6; i++)
				uts[i][64] = '\0';
			return;
		}
		cor_error_destroy(err);
		memset(uts, 0, 6 * 65);
	}
	const char *rel = cor_program_vmcoreinfo(prog, "OSRELEASE");
	snprintf(uts[0], 65, "Linux");
	snprintf(uts[2], 65, "%s", rel ? rel : "");
	snprintf(uts[4], 65, "x86_64");
}

static struct cor_error *start_writer(struct run *r, struct cor_program *prog,
				      const struct cor_capture_filter *f,
				      struct cor_dump_sink *sink)
{
	struct cor_dump *dump = r->p.dump;
	char uts[6][65];
	read_uts(prog, uts);
	struct cor_strbuf notes = {0};
	uint32_t nr_cpus;
	struct cor_error *err = serialize_notes(dump, &notes, &nr_cpus);
	if (err) {
		cor_strbuf_deinit(&notes);
		return err;
	}
	size_t vi_len = 0;
	const char *vi = cor_dump_vmcoreinfo(dump, &vi_len);
	uint64_t crashtime = 0, phys_base = 0;
	cor_program_vmcoreinfo_u64(prog, "CRASHTIME", &crashtime);
	cor_program_vmcoreinfo_u64(prog, "NUMBER(phys_base)", &phys_base);
	struct cor_kdump_writer_config cfg = {
	    .page_size = r->p.page_size,
	    .max_mapnr = f->max_pfn,
	    .sysname = uts[0],
	    .nodename = uts[1],
	    .release = uts[2],
	    .version = uts[3],
	    .machine = uts[4],
	    .domainname = uts[5],
	    .timestamp = crashtime,
	    .codec = r->p.opt->codec,
	    .dump_level = r->p.opt->dump_level,
	    .phys_base = phys_base,
	    .nr_cpus = nr_cpus,
	    .vmcoreinfo = vi,
	    .vmcoreinfo_len = vi ? vi_len : 0,
	    .notes = notes.str,
	    .notes_len = notes.len,
	    .bitmap1 = f->bitmap1,
	    .bitmap2 = f->bitmap2,
	};
	err = cor_kdump_writer_create(&cfg, sink, &r->w);
	cor_strbuf_deinit(&notes);
	return err;
}

static struct cor_error *write_kdump(struct run *r, struct cor_program *prog,
				     const struct cor_capture_filter *f, int fd)
{
	const struct cor_capture_options *opt = r->p.opt;
	struct cor_dump_sink sink;
	struct cor_error *err = NULL;
	if (opt->format == COR_CAPTURE_FLATTENED)
		err = cor_dump_sink_init_flat(&sink, fd);
	else
		cor_dump_sink_init_file(&sink, fd);
	if (err || (err = start_writer(r, prog, f, &sink)))
		return err;
	unsigned batch = opt->batch_pages ? COR_MIN(opt->batch_pages, MAX_BATCH) : DEFAULT_BATCH;
	unsigned ncomp = opt->nthreads ? opt->nthreads : 1;
	r->dpfn = malloc(batch * sizeof(*r->dpfn));
	r->dsize = malloc(batch * sizeof(*r->dsize));
	r->dcomp = malloc(batch * sizeof(*r->dcomp));
	if (!r->dpfn || !r->dsize || !r->dcomp)
		err = &cor_enomem;
	if (!err && !(err = setup_pipeline(&r->p, ncomp, batch)) &&
	    !(err = cor_workq_create(opt->nthreads, r->p.nbatches, work, &r->p, &r->q)))
		err = pump(r, prog, f, batch);
	cor_workq_destroy(r->q);
	free_pipeline(&r->p, ncomp);
	free(r->dpfn);
	free(r->dsize);
	free(r->dcomp);
	if (!err) {
		bool inc = false;
		err = cor_kdump_writer_finish(r->w, false, &inc);
		r->st->incomplete = inc;
		if (!r->st->write_errno)
			r->st->write_errno = sink.write_errno;
	}
	r->st->pages_written = cor_kdump_writer_pages(r->w);
	r->st->bytes_written = cor_kdump_writer_data_bytes(r->w);
	r->st->pages_in_dump = cor_kdump_writer_pages_on_disk(r->w);
	r->st->output_size = sink.bytes_out;
	struct stat sb;
	if (!sink.flattened && fstat(fd, &sb) == 0)
		r->st->output_size = (uint64_t)sb.st_size;
	cor_kdump_writer_destroy(r->w);
	return err;
}

/* ELF output: the pages to keep are final before the headers are written,
 * so zero pages are found in a first pass (makedumpfile reads them twice too,
 * create_2nd_bitmap(): "That is slow due to reading each page two times"). */
static struct cor_error *write_elf(struct run *r, struct cor_program *prog,
				   const struct cor_capture_filter *f, int fd)
{
	struct cor_dump *dump = r->p.dump;
	uint64_t nbytes = (f->max_pfn + 7) / 8;
	uint8_t *keep = malloc(nbytes), *page = malloc(r->p.page_size);
	if (!keep || !page) {
		free(keep);
		free(page);
		return &cor_enomem;
	}
	memcpy(keep, f->bitmap2, nbytes);
	for (uint64_t pfn = 0; (r->p.opt->dump_level & COR_DL_ZERO) && pfn < f->max_pfn; pfn++) {
		if (!(keep[pfn / 8] >> (pfn % 8) & 1))
			continue;
		struct cor_error *e = cor_dump_read_page(dump, pfn, page);
		if (!e && is_zero(page, r->p.page_size)) {
			keep[pfn / 8] &= (uint8_t) ~(1u << (pfn % 8));
			r->st->excluded[COR_CLASS_ZERO]++;
		}
		cor_error_destroy(e);
	}
	uint64_t unreadable = 0;
	struct cor_error *err = cor_elf_write(
	    dump, keep, f->max_pfn, cor_mem_page_offset(cor_program_mem(prog)), fd, &unreadable);
	r->st->excluded[COR_CLASS_UNREADABLE] = unreadable;
	for (uint64_t i = 0; i < nbytes; i++)
		r->st->pages_written += (uint64_t)__builtin_popcount(keep[i]);
	r->st->pages_in_dump = r->st->pages_written;
	r->st->pages_done = r->st->pages_total;
	free(keep);
	free(page);
	off_t end = lseek(fd, 0, SEEK_END);
	r->st->output_size = end > 0 ? (uint64_t)end : 0;
	return err;
}

struct cor_error *cor_capture_write(struct cor_program *prog,
				    const struct cor_capture_filter *filter,
				    const struct cor_capture_options *opt, int fd,
				    struct cor_capture_stats *stats)
{
	struct run r = {.st = stats};
	*stats = (struct cor_capture_stats){0};
	r.p.dump = cor_program_dump(prog);
	r.p.opt = opt;
	r.p.page_size = cor_dump_page_size(r.p.dump);
	r.p.in_fd = -1;
	r.t0 = r.last_progress = cor_monotonic_seconds();
	memcpy(stats->excluded, filter->excluded, sizeof(stats->excluded));
	stats->pages_total = filter->candidates;
	stats->ram_pages = filter->ram_pages;
	if (opt->dump_level < 0 || opt->dump_level > COR_DL_MAX)
		return cor_error_create(COR_ERR_INVALID, "dump level %d: use 0..31",
					opt->dump_level);
	struct cor_error *err = opt->format == COR_CAPTURE_ELF ? write_elf(&r, prog, filter, fd)
							       : write_kdump(&r, prog, filter, fd);
	report(&r, true);
	return err;
}
