// SPDX-License-Identifier: MIT
// The kernel's struct mce records in a dump's memory (see include/coroner/mce_dump.h).
// It lives in src/diag/ because it needs both the program (kernel layer) and the
// MCE record model (src/mce/, which stays pure): diag is the first layer above both.
#include <string.h>

#include "coroner/mce.h"
#include "coroner/mce_dump.h"
#include "coroner/program.h"
#include "coroner/symbols.h"
#include "coroner/types.h"

/* ---- the kernel's struct mce records in a dump's memory ------------------- */

/*
 * Linux keeps the worst record of the machine check being handled in the
 * per-cpu variable mces_seen (arch/x86/kernel/cpu/mce/core.c, 2.6.32 to
 * 6.x): do_machine_check() copies the gathered global state (MCG_STATUS,
 * MCG_CAP, CPUID, time) into it first and the worst bank's record after
 * scanning the banks. A panic before the scan leaves only the global state,
 * which still gives MCG_CAP, never printed in the log. Member layout comes
 * from the dump's types (struct mce, arch/x86/include/uapi/asm/mce.h).
 */
enum {
	M_STATUS,
	M_MISC,
	M_ADDR,
	M_MCGSTATUS,
	M_IP,
	M_TSC,
	M_TIME,
	M_CPUVENDOR,
	M_CPUID,
	M_CS,
	M_BANK,
	M_EXTCPU,
	M_SOCKETID,
	M_APICID,
	M_MCGCAP,
	M_SYND,
	M_IPID,
	M_PPIN,
	M_MICROCODE,
	M_NUM,
};
static const char *const mce_members[M_NUM] = {
    "status",	 "misc",  "addr", "mcgstatus", "ip",	    "tsc",	"time",
    "cpuvendor", "cpuid", "cs",	  "bank",      "extcpu",    "socketid", "apicid",
    "mcgcap",	 "synd",  "ipid", "ppin",      "microcode",
};
#define MCE_MAX_STRUCT 1024
#define MCE_MAX_CPUS   8192

struct mce_layout {
	uint64_t size;
	uint64_t off[M_NUM], len[M_NUM]; /* len 0: member absent in this kernel */
};

static uint64_t member(const uint8_t *buf, const struct mce_layout *l, int i)
{
	uint64_t v = 0;
	for (uint64_t k = 0; k < l->len[i] && k < 8; k++)
		v |= (uint64_t)buf[l->off[i] + k] << (8 * k);
	return v;
}

static struct cor_error *mce_struct_layout(struct cor_program *prog, struct mce_layout *l)
{
	struct cor_error *err = cor_program_type_size(prog, "struct mce", &l->size);
	if (err)
		return err;
	if (l->size == 0 || l->size > MCE_MAX_STRUCT)
		return cor_error_create(COR_ERR_CORRUPT, "struct mce has size %llu",
					(unsigned long long)l->size);
	for (int i = 0; i < M_NUM; i++) {
		err = cor_program_member_info(prog, "struct mce", mce_members[i], &l->off[i],
					      &l->len[i]);
		if (err && i <= M_MCGSTATUS)
			return err; /* status, misc, addr, mcgstatus are in every kernel */
		cor_error_destroy(err);
		if (err || l->off[i] + l->len[i] > l->size)
			l->len[i] = 0;
	}
	return NULL;
}

static void record_from_memory(const uint8_t *b, const struct mce_layout *l,
			       struct cor_mce_record *r)
{
	memset(r, 0, sizeof(*r));
	r->status = member(b, l, M_STATUS);
	r->mcgstatus = member(b, l, M_MCGSTATUS);
	r->mcgcap = member(b, l, M_MCGCAP);
	r->bank = (uint32_t)member(b, l, M_BANK);
	r->cpu = (uint32_t)member(b, l, M_EXTCPU);
	r->tsc = member(b, l, M_TSC);
	r->time = member(b, l, M_TIME);
	r->socket = (uint32_t)member(b, l, M_SOCKETID);
	r->apic = (uint32_t)member(b, l, M_APICID);
	r->microcode = (uint32_t)member(b, l, M_MICROCODE);
	r->have = COR_MCE_HAVE_STATUS | COR_MCE_HAVE_MCGSTATUS | COR_MCE_HAVE_BANK |
		  COR_MCE_HAVE_CPU | COR_MCE_HAVE_TSC | COR_MCE_HAVE_TIME | COR_MCE_HAVE_SOCKET |
		  COR_MCE_HAVE_APIC | COR_MCE_HAVE_MICROCODE;
	if (l->len[M_MCGCAP])
		r->have |= COR_MCE_HAVE_MCGCAP;
	if (l->len[M_CPUVENDOR]) {
		r->vendor = cor_mce_vendor_from_kernel((uint32_t)member(b, l, M_CPUVENDOR));
		r->have |= COR_MCE_HAVE_VENDOR;
	}
	if (member(b, l, M_CPUID))
		cor_mce_record_set_cpuid(r, (uint32_t)member(b, l, M_CPUID));
	/* The kernel reads ADDR/MISC only when ADDRV/MISCV (mce_read_aux()). */
	r->addr = member(b, l, M_ADDR);
	r->misc = member(b, l, M_MISC);
	r->have |= COR_MCE_HAVE_ADDR | COR_MCE_HAVE_MISC;
	if ((r->rip = member(b, l, M_IP)) != 0) {
		r->cs = (uint16_t)member(b, l, M_CS);
		r->have |= COR_MCE_HAVE_RIP;
	}
	if ((r->ipid = member(b, l, M_IPID)) != 0)
		r->have |= COR_MCE_HAVE_IPID;
	if ((r->synd = member(b, l, M_SYND)) != 0)
		r->have |= COR_MCE_HAVE_SYND;
	if ((r->ppin = member(b, l, M_PPIN)) != 0)
		r->have |= COR_MCE_HAVE_PPIN;
}

/* Appends the non-empty mces_seen records of every possible CPU to @p out. */
struct cor_error *cor_program_mce_records(struct cor_program *prog, struct cor_vec *out)
{
	struct cor_symbol seen, pcpu, nr;
	uint32_t ncpus;
	struct mce_layout l;
	struct cor_error *err;
	if ((err = cor_program_symbol_by_name(prog, "mces_seen", &seen)) ||
	    (err = cor_program_symbol_by_name(prog, "__per_cpu_offset", &pcpu)) ||
	    (err = cor_program_symbol_by_name(prog, "nr_cpu_ids", &nr)) ||
	    (err = cor_program_read_u32(prog, nr.addr, &ncpus)) ||
	    (err = mce_struct_layout(prog, &l)))
		return err;
	uint8_t buf[MCE_MAX_STRUCT], zero[MCE_MAX_STRUCT] = {0};
	for (uint32_t cpu = 0; cpu < ncpus && cpu < MCE_MAX_CPUS; cpu++) {
		uint64_t off, addr;
		if ((err = cor_program_read_u64(prog, pcpu.addr + 8ull * cpu, &off)))
			return cor_error_wrap(err, "__per_cpu_offset[%u]", cpu);
		if (cor_add_overflow(seen.addr, off, &addr))
			continue;
		if ((err = cor_program_read(prog, addr, buf, l.size))) {
			/* A CPU's per-cpu page may be excluded or never populated. */
			cor_error_destroy(err);
			continue;
		}
		if (memcmp(buf, zero, l.size) == 0)
			continue;
		struct cor_mce_record r;
		record_from_memory(buf, &l, &r);
		if (!l.len[M_EXTCPU])
			r.cpu = cpu;
		if ((err = cor_vec_push(out, &r)))
			return err;
	}
	return NULL;
}

/* Fills what the log did not print (MCG_CAP, RIP, IPID...) from memory. */
static void merge_fields(struct cor_mce_record *dst, const struct cor_mce_record *src)
{
	uint32_t add = src->have & ~dst->have;
	if (add & COR_MCE_HAVE_MCGCAP)
		dst->mcgcap = src->mcgcap;
	if (add & COR_MCE_HAVE_RIP) {
		dst->rip = src->rip;
		dst->cs = src->cs;
	}
	if (add & COR_MCE_HAVE_IPID)
		dst->ipid = src->ipid;
	if (add & COR_MCE_HAVE_SYND)
		dst->synd = src->synd;
	if (add & COR_MCE_HAVE_PPIN)
		dst->ppin = src->ppin;
	dst->have |= add & (COR_MCE_HAVE_MCGCAP | COR_MCE_HAVE_RIP | COR_MCE_HAVE_IPID |
			    COR_MCE_HAVE_SYND | COR_MCE_HAVE_PPIN);
}

/* Merges the memory records into the log's; says what was done in @p notes. */
struct cor_error *cor_mce_merge_memory(struct cor_vec *recs, const struct cor_vec *mem,
				       struct cor_strbuf *notes)
{
	for (size_t i = 0; i < mem->len; i++) {
		const struct cor_mce_record *m = cor_vec_at(mem, i);
		bool valid = m->status >> 63;
		struct cor_mce_record *match = NULL;
		for (size_t j = 0; j < recs->len && !match; j++) {
			struct cor_mce_record *r = cor_vec_at(recs, j);
			if (r->cpu != m->cpu)
				continue;
			if (valid ? r->status == m->status && r->bank == m->bank
				  : !(r->have & COR_MCE_HAVE_TIME) || r->time == m->time)
				match = r;
		}
		cor_strbuf_appendf(notes, "CPU %u mces_seen: MCG_STATUS 0x%llx MCG_CAP 0x%llx, ",
				   m->cpu, (unsigned long long)m->mcgstatus,
				   (unsigned long long)m->mcgcap);
		if (valid && match) {
			merge_fields(match, m);
			cor_strbuf_append(notes,
					  "the logged record: registers the log omits added\n");
		} else if (valid) {
			struct cor_mce_record copy = *m;
			struct cor_error *err = cor_vec_push(recs, &copy);
			if (err)
				return err;
			cor_strbuf_append(notes, "a record not in the log: decoded below\n");
		} else if (match) {
			merge_fields(match, m);
			cor_strbuf_append(notes,
					  "no bank status (the kernel panicked before its bank "
					  "scan); MCG_CAP added to the logged record\n");
		} else {
			cor_strbuf_append(notes,
					  "no bank status and no logged record to attach it to\n");
		}
	}
	return cor_strbuf_error(notes);
}
