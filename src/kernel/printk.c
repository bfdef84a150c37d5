// SPDX-License-Identifier: MIT
// The kernel log. Two layouts, both described by VMCOREINFO:
//  - the lockless ring buffer of Linux 5.10+ (kernel/printk/printk_ringbuffer.h):
//    descriptors with a state in the top two bits of state_var, text blocks in
//    a data ring that begin with the descriptor id and may wrap;
//  - the legacy log_buf of struct printk_log records (Linux 3.5 .. 5.9).
// Output follows makedumpfile --dump-dmesg: "[%5llu.%06llu] text", a newline
// inside a record continues on a line indented to the text column, and
// unprintable bytes appear as \xNN.
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "coroner/printk.h"
#include "coroner/program.h"

/* Descriptor states (printk_ringbuffer.h enum desc_state), in state_var's top 2 bits. */
#define DESC_SV_SHIFT  62
#define DESC_COMMITTED 1
#define DESC_FINALIZED 2
#define DESC_ID_MASK   (~(3ull << DESC_SV_SHIFT))
/* At most this many records: bounds the walk on a corrupt ring. */
#define MAX_RECORDS (1u << 24)

struct off_table {
	const char *key;
	uint64_t *dst;
};

/* Looks up every VMCOREINFO key of a table; NOT_FOUND names the first missing one. */
static struct cor_error *lookup_all(struct cor_program *prog, const struct off_table *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!cor_program_vmcoreinfo_u64(prog, t[i].key, t[i].dst))
			return cor_error_create(COR_ERR_NOT_FOUND, "VMCOREINFO has no %s",
						t[i].key);
	return NULL;
}

static void emit_record(struct cor_strbuf *out, unsigned flags, uint64_t ts_nsec, int level,
			const uint8_t *text, size_t len)
{
	size_t start = out->len;
	if (flags & COR_LOG_LEVEL)
		cor_strbuf_appendf(out, "<%d>", level);
	if (flags & COR_LOG_TIMESTAMPS)
		cor_strbuf_appendf(out, "[%5llu.%06llu] ",
				   (unsigned long long)(ts_nsec / 1000000000),
				   (unsigned long long)(ts_nsec % 1000000000 / 1000));
	size_t indent = out->len - start;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = text[i];
		if (c == '\n') {
			cor_strbuf_appendc(out, '\n');
			for (size_t j = 0; j < indent; j++)
				cor_strbuf_appendc(out, ' ');
		} else if (isprint(c) || c == '\t') {
			cor_strbuf_appendc(out, (char)c);
		} else {
			cor_strbuf_appendf(out, "\\x%02x", c);
		}
	}
	cor_strbuf_appendc(out, '\n');
}

struct prb {
	uint64_t count_bits, descs, infos, head_id, tail_id;
	uint64_t size_bits, data;
	/* layout */
	uint64_t desc_size, off_state, off_text_lpos, off_begin, off_next;
	uint64_t info_size, off_seq, off_ts, off_text_len, off_caller;
};

static struct cor_error *prb_layout(struct cor_program *prog, struct prb *r, uint64_t *rb)
{
	uint64_t sym, o_desc_ring, o_text_ring, o_count_bits, o_descs, o_infos, o_head, o_tail;
	uint64_t o_size_bits, o_data, o_counter;
	const struct off_table t[] = {
	    {"SYMBOL(prb)", &sym},
	    {"OFFSET(printk_ringbuffer.desc_ring)", &o_desc_ring},
	    {"OFFSET(printk_ringbuffer.text_data_ring)", &o_text_ring},
	    {"OFFSET(prb_desc_ring.count_bits)", &o_count_bits},
	    {"OFFSET(prb_desc_ring.descs)", &o_descs},
	    {"OFFSET(prb_desc_ring.infos)", &o_infos},
	    {"OFFSET(prb_desc_ring.head_id)", &o_head},
	    {"OFFSET(prb_desc_ring.tail_id)", &o_tail},
	    {"OFFSET(prb_data_ring.size_bits)", &o_size_bits},
	    {"OFFSET(prb_data_ring.data)", &o_data},
	    {"OFFSET(atomic_long_t.counter)", &o_counter},
	    {"SIZE(prb_desc)", &r->desc_size},
	    {"OFFSET(prb_desc.state_var)", &r->off_state},
	    {"OFFSET(prb_desc.text_blk_lpos)", &r->off_text_lpos},
	    {"OFFSET(prb_data_blk_lpos.begin)", &r->off_begin},
	    {"OFFSET(prb_data_blk_lpos.next)", &r->off_next},
	    {"SIZE(printk_info)", &r->info_size},
	    {"OFFSET(printk_info.seq)", &r->off_seq},
	    {"OFFSET(printk_info.ts_nsec)", &r->off_ts},
	    {"OFFSET(printk_info.text_len)", &r->off_text_len},
	    {"OFFSET(printk_info.caller_id)", &r->off_caller},
	};
	struct cor_error *err = lookup_all(prog, t, COR_ARRAY_SIZE(t));
	if (err)
		return err;
	if ((err = cor_program_read_u64(prog, sym, rb)))
		return cor_error_wrap(err, "reading prb");
	uint64_t dr = *rb + o_desc_ring, tr = *rb + o_text_ring;
	uint32_t cb, sb;
	if ((err = cor_program_read_u32(prog, dr + o_count_bits, &cb)) ||
	    (err = cor_program_read_u64(prog, dr + o_descs, &r->descs)) ||
	    (err = cor_program_read_u64(prog, dr + o_infos, &r->infos)) ||
	    (err = cor_program_read_u64(prog, dr + o_head + o_counter, &r->head_id)) ||
	    (err = cor_program_read_u64(prog, dr + o_tail + o_counter, &r->tail_id)) ||
	    (err = cor_program_read_u32(prog, tr + o_size_bits, &sb)) ||
	    (err = cor_program_read_u64(prog, tr + o_data, &r->data)))
		return cor_error_wrap(err, "reading the printk ring buffer at 0x%llx",
				      (unsigned long long)*rb);
	r->count_bits = cb;
	r->size_bits = sb;
	if (cb == 0 || cb > 30 || sb == 0 || sb > 34)
		return cor_error_create(COR_ERR_CORRUPT,
					"printk ring buffer: implausible sizes (2^%u descriptors, "
					"2^%u bytes of text)",
					cb, sb);
	return NULL;
}

/* Appends one record; records that are not (yet) committed are skipped, as the kernel does. */
static struct cor_error *prb_record(struct cor_program *prog, const struct prb *r, uint64_t id,
				    uint8_t *text_buf, unsigned flags, struct cor_strbuf *out)
{
	uint64_t idx = id & ((1ull << r->count_bits) - 1);
	uint64_t d = r->descs + idx * r->desc_size;
	uint64_t state_var, begin, next;
	struct cor_error *err;
	if ((err = cor_program_read_u64(prog, d + r->off_state, &state_var)) ||
	    (err = cor_program_read_u64(prog, d + r->off_text_lpos + r->off_begin, &begin)) ||
	    (err = cor_program_read_u64(prog, d + r->off_text_lpos + r->off_next, &next)))
		return err;
	unsigned state = (unsigned)(state_var >> DESC_SV_SHIFT);
	if ((state_var & DESC_ID_MASK) != (id & DESC_ID_MASK) ||
	    (state != DESC_COMMITTED && state != DESC_FINALIZED))
		return NULL;
	uint64_t info = r->infos + idx * r->info_size, ts;
	uint32_t tl_raw;
	if ((err = cor_program_read_u64(prog, info + r->off_ts, &ts)) ||
	    (err = cor_program_read_u32(prog, info + r->off_text_len, &tl_raw)))
		return err;
	uint16_t text_len = (uint16_t)tl_raw;
	/* Data-less records have both lpos odd (printk_ringbuffer.c BLK_DATALESS). */
	if ((begin & 1) && (next & 1)) {
		emit_record(out, flags, ts, 0, NULL, 0);
		return NULL;
	}
	uint64_t size = 1ull << r->size_bits, mask = size - 1;
	uint64_t bwrap = begin >> r->size_bits, nwrap = next >> r->size_bits;
	uint64_t boff = begin & mask, len;
	if (bwrap == nwrap) {
		len = (next & mask) - boff;
	} else if (bwrap + 1 == nwrap) {
		boff = 0; /* the block did not fit at the end: it starts at the ring's start */
		len = next & mask;
	} else {
		return NULL; /* lpos from another lap: overwritten */
	}
	if (len < 8 || len > size)
		return NULL;
	len -= 8; /* each block starts with its descriptor id */
	if (text_len < len)
		len = text_len;
	if ((err = cor_program_read(prog, r->data + boff + 8, text_buf, len)))
		return err;
	emit_record(out, flags, ts, 0, text_buf, len);
	return NULL;
}

static struct cor_error *log_lockless(struct cor_program *prog, unsigned flags,
				      struct cor_strbuf *out)
{
	struct prb r;
	uint64_t rb;
	struct cor_error *err = prb_layout(prog, &r, &rb);
	if (err)
		return err;
	uint8_t *text = malloc(1u << 16);
	if (!text)
		return &cor_enomem;
	uint64_t n = 0, id = r.tail_id & DESC_ID_MASK, head = r.head_id & DESC_ID_MASK;
	for (;; id = (id + 1) & DESC_ID_MASK) {
		err = prb_record(prog, &r, id, text, flags, out);
		if (err) {
			/* One unreadable record (excluded page) must not lose the rest. */
			cor_strbuf_appendf(out, "<record %llu unreadable: %s>\n",
					   (unsigned long long)id, err->message);
			cor_error_destroy(err);
		}
		if (id == head || ++n >= MAX_RECORDS)
			break;
	}
	free(text);
	return cor_strbuf_error(out);
}

/* Legacy struct printk_log records in log_buf (kernel/printk/printk.c before 5.10). */
static struct cor_error *log_legacy(struct cor_program *prog, unsigned flags,
				    struct cor_strbuf *out)
{
	uint64_t s_buf, s_len, s_first, s_next, rec_size, o_ts, o_len, o_text_len;
	const struct off_table t[] = {
	    {"SYMBOL(log_buf)", &s_buf},	 {"SYMBOL(log_buf_len)", &s_len},
	    {"SYMBOL(log_first_idx)", &s_first}, {"SYMBOL(log_next_idx)", &s_next},
	    {"SIZE(printk_log)", &rec_size},	 {"OFFSET(printk_log.ts_nsec)", &o_ts},
	    {"OFFSET(printk_log.len)", &o_len},	 {"OFFSET(printk_log.text_len)", &o_text_len},
	};
	struct cor_error *err = lookup_all(prog, t, COR_ARRAY_SIZE(t));
	if (err)
		return err;
	uint64_t buf;
	uint32_t len, first, next;
	if ((err = cor_program_read_u64(prog, s_buf, &buf)) ||
	    (err = cor_program_read_u32(prog, s_len, &len)) ||
	    (err = cor_program_read_u32(prog, s_first, &first)) ||
	    (err = cor_program_read_u32(prog, s_next, &next)))
		return cor_error_wrap(err, "reading log_buf");
	if (len == 0 || len > (1u << 30) || first >= len || next >= len)
		return cor_error_create(COR_ERR_CORRUPT, "log_buf: implausible length/indexes");
	uint8_t *b = malloc(len);
	if (!b)
		return &cor_enomem;
	if ((err = cor_program_read(prog, buf, b, len))) {
		free(b);
		return cor_error_wrap(err, "reading log_buf");
	}
	uint32_t idx = first;
	for (uint32_t n = 0; idx != next && n < MAX_RECORDS; n++) {
		if ((uint64_t)idx + rec_size > len)
			break;
		uint16_t rlen = cor_le16(b + idx + o_len);
		if (rlen == 0) { /* wrap marker: continue at the start */
			idx = 0;
			continue;
		}
		uint16_t tlen = cor_le16(b + idx + o_text_len);
		if ((uint64_t)idx + rlen > len || rec_size + tlen > rlen)
			break;
		emit_record(out, flags, cor_le64(b + idx + o_ts), 0, b + idx + rec_size, tlen);
		idx += rlen;
	}
	free(b);
	return cor_strbuf_error(out);
}

struct cor_error *cor_log_format(struct cor_program *prog, unsigned flags, struct cor_strbuf *out)
{
	if (cor_program_vmcoreinfo(prog, "SYMBOL(prb)"))
		return log_lockless(prog, flags, out);
	if (cor_program_vmcoreinfo(prog, "SYMBOL(log_buf)"))
		return log_legacy(prog, flags, out);
	return cor_error_create(COR_ERR_NOT_FOUND,
				"VMCOREINFO describes no kernel log (neither prb nor log_buf)");
}
