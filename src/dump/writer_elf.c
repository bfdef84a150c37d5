// SPDX-License-Identifier: MIT
// The ELF writer (makedumpfile -E): an ELF64 core file with one PT_NOTE (the
// dump's notes, VMCOREINFO included) and PT_LOADs for the kept pages. A run
// of kept pages followed by a run of dropped ones is one PT_LOAD whose
// p_filesz stops where the dropped pages begin (p_memsz covers both), so a
// reader tells "filtered out" from "not RAM", as with makedumpfile's ELF
// output. Layout: include/uapi/linux/elf.h; p_vaddr as the kernel's
// /proc/vmcore sets it for the direct map (fs/proc/vmcore.c).
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coroner/dump_writer.h"

#define ELF_BUF (4u << 20)

struct seg {
	uint64_t paddr, filesz, memsz, offset;
};

struct elf_out {
	int fd;
	uint8_t *buf;
	size_t len;
	uint64_t pos; /* file offset of buf[0] */
};

static bool kept(const uint8_t *keep, uint64_t pfn)
{
	return keep[pfn / 8] >> (pfn % 8) & 1;
}

static struct cor_error *out_flush(struct elf_out *o)
{
	size_t done = 0;
	while (done < o->len) {
		ssize_t n = pwrite(o->fd, o->buf + done, o->len - done, (off_t)(o->pos + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return cor_error_os(n == 0 ? ENOSPC : errno, NULL, "writing the ELF dump");
		done += (size_t)n;
	}
	o->pos += o->len;
	o->len = 0;
	return NULL;
}

static struct cor_error *out_put(struct elf_out *o, const void *p, size_t n)
{
	if (o->len + n > ELF_BUF) {
		struct cor_error *err = out_flush(o);
		if (err)
			return err;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return NULL;
}

/* Cuts range @r into segments by the keep bitmap; appends them to @segs. */
static struct cor_error *plan_range(const struct cor_dump_range *r, const uint8_t *keep,
				    uint64_t max_pfn, uint32_t ps, struct cor_vec *segs)
{
	uint64_t end = r->paddr + r->filesz, addr = r->paddr;
	struct seg *cur = NULL;
	while (addr < r->paddr + r->memsz) {
		uint64_t pfn = addr / ps, next = COR_MIN((pfn + 1) * ps, r->paddr + r->memsz);
		bool k = addr < end && pfn < max_pfn && kept(keep, pfn);
		/* A new segment at a kept page that follows dropped ones (or at the start). */
		if (!cur || (k && cur->filesz < cur->memsz)) {
			struct cor_error *err = cor_vec_push_zero(segs, (void **)&cur);
			if (err)
				return err;
			cur->paddr = addr;
		}
		if (k)
			cur->filesz += next - addr;
		cur->memsz += next - addr;
		addr = next;
	}
	return NULL;
}

static struct cor_error *write_headers(struct elf_out *o, struct cor_dump *dump,
				       struct cor_vec *segs, uint64_t dm_base, size_t notes_len)
{
	Elf64_Ehdr eh = {0};
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	if (segs->len + 1 >= PN_XNUM)
		return cor_error_create(COR_ERR_UNSUPPORTED, "%zu ELF segments: too many",
					segs->len);
	eh.e_phnum = (Elf64_Half)(segs->len + 1);
	uint64_t off = sizeof(eh) + (segs->len + 1) * sizeof(Elf64_Phdr);
	Elf64_Phdr note = {
	    .p_type = PT_NOTE, .p_offset = off, .p_filesz = notes_len, .p_memsz = notes_len};
	off = (off + notes_len + cor_dump_page_size(dump) - 1) / cor_dump_page_size(dump) *
	      cor_dump_page_size(dump);
	struct cor_error *err;
	if ((err = out_put(o, &eh, sizeof(eh))) || (err = out_put(o, &note, sizeof(note))))
		return err;
	for (size_t i = 0; i < segs->len; i++) {
		struct seg *s = cor_vec_at(segs, i);
		s->offset = off;
		Elf64_Phdr ph = {.p_type = PT_LOAD,
				 .p_flags = PF_R | PF_W | PF_X,
				 .p_offset = off,
				 .p_paddr = s->paddr,
				 .p_vaddr = dm_base ? dm_base + s->paddr : 0,
				 .p_filesz = s->filesz,
				 .p_memsz = s->memsz,
				 .p_align = 0};
		if ((err = out_put(o, &ph, sizeof(ph))))
			return err;
		off += s->filesz;
	}
	return NULL;
}

static struct cor_error *serialize_notes(struct cor_dump *dump, struct cor_strbuf *sb)
{
	static const char zeros[4];
	for (size_t i = 0; i < cor_dump_num_notes(dump); i++) {
		const struct cor_dump_note *n = cor_dump_note(dump, i);
		uint32_t namesz = (uint32_t)strlen(n->name) + (n->name[0] ? 1 : 0);
		uint8_t h[12];
		cor_put_le32(h, namesz);
		cor_put_le32(h + 4, (uint32_t)n->descsz);
		cor_put_le32(h + 8, n->type);
		cor_strbuf_appendn(sb, (const char *)h, 12);
		cor_strbuf_appendn(sb, n->name, namesz);
		cor_strbuf_appendn(sb, zeros, (4 - namesz % 4) % 4);
		cor_strbuf_appendn(sb, (const char *)n->desc, n->descsz);
		cor_strbuf_appendn(sb, zeros, (4 - n->descsz % 4) % 4);
	}
	return cor_strbuf_error(sb);
}

static struct cor_error *write_data(struct elf_out *o, struct cor_dump *dump,
				    const struct cor_vec *segs, uint64_t *unreadable)
{
	uint32_t ps = cor_dump_page_size(dump);
	uint8_t *page = malloc(ps);
	if (!page)
		return &cor_enomem;
	struct cor_error *err = NULL;
	for (size_t i = 0; !err && i < segs->len; i++) {
		const struct seg *s = cor_vec_at(segs, i);
		for (uint64_t a = s->paddr; !err && a < s->paddr + s->filesz;) {
			uint64_t n = COR_MIN((a / ps + 1) * ps, s->paddr + s->filesz) - a;
			struct cor_error *e = cor_dump_read_phys(dump, a, page, n);
			if (e) {
				cor_error_destroy(e);
				memset(page, 0, n);
				(*unreadable)++;
			}
			err = out_put(o, page, n);
			a += n;
		}
	}
	free(page);
	return err;
}

struct cor_error *cor_elf_write(struct cor_dump *dump, const uint8_t *keep, uint64_t max_pfn,
				uint64_t direct_map_base, int fd, uint64_t *unreadable_ret)
{
	struct cor_vec segs;
	cor_vec_init(&segs, sizeof(struct seg));
	struct cor_strbuf notes = {0};
	struct elf_out o = {.fd = fd, .buf = malloc(ELF_BUF)};
	uint64_t unreadable = 0;
	struct cor_error *err = o.buf ? serialize_notes(dump, &notes) : &cor_enomem;
	for (size_t i = 0; !err && i < cor_dump_num_ranges(dump); i++)
		err = plan_range(cor_dump_range(dump, i), keep, max_pfn, cor_dump_page_size(dump),
				 &segs);
	if (!err)
		err = write_headers(&o, dump, &segs, direct_map_base, notes.len);
	if (!err && notes.len)
		err = out_put(&o, notes.str, notes.len);
	if (!err && segs.len) {
		/* Pad to the first segment's offset. */
		const struct seg *s = cor_vec_at(&segs, 0);
		while (!err && o.pos + o.len < s->offset) {
			static const uint8_t zeros[512];
			err = out_put(
			    &o, zeros,
			    (size_t)COR_MIN(s->offset - o.pos - o.len, (uint64_t)sizeof(zeros)));
		}
	}
	if (!err)
		err = write_data(&o, dump, &segs, &unreadable);
	if (!err)
		err = out_flush(&o);
	if (!err && ftruncate(fd, (off_t)o.pos) != 0)
		err = cor_error_os(errno, NULL, "setting the ELF dump's size");
	free(o.buf);
	cor_strbuf_deinit(&notes);
	cor_vec_deinit(&segs);
	if (unreadable_ret)
		*unreadable_ret = unreadable;
	return err;
}
