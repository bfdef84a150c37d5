// SPDX-License-Identifier: MIT
// Renderers of a decoded machine check: the explanation a person reads,
// and JSON. Both append to a caller's strbuf; nothing is printed.
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mce/mce_priv.h"

static const char *lookup_name(enum cor_mce_lookup l)
{
	return l == COR_MCE_LOOKUP_FOUND ? "found" : l == COR_MCE_LOOKUP_ABSENT ? "absent" : "none";
}

static const char *vendor_name(enum cor_mce_vendor v)
{
	return v == COR_MCE_VENDOR_INTEL   ? "intel"
	       : v == COR_MCE_VENDOR_AMD   ? "amd"
	       : v == COR_MCE_VENDOR_OTHER ? "other"
					   : "unknown";
}

/* Single-bit fields that are set, register by register: "VAL UC EN ... MCIP". */
static void set_bits(const struct cor_mce_decoded *d, struct cor_strbuf *out, bool json)
{
	static const enum cor_mce_reg order[] = {COR_MCE_REG_STATUS, COR_MCE_REG_MCG_STATUS};
	bool first = true;
	for (size_t o = 0; o < COR_ARRAY_SIZE(order); o++) {
		for (size_t i = 0; i < d->nfields; i++) {
			const struct cor_mce_field *f = &d->fields[i];
			if (f->reg != order[o] || f->lo != f->hi || !f->value ||
			    strcmp(f->name, "MSCOD.MS") == 0 || strcmp(f->name, "F") == 0 ||
			    strcmp(f->name, "T") == 0)
				continue;
			if (json)
				cor_strbuf_appendf(out, "%s\"%s\"", first ? "" : ",", f->name);
			else
				cor_strbuf_appendf(out, "%s%s", first ? "" : " ", f->name);
			first = false;
		}
	}
}

static void text_header(const struct cor_mce_decoded *d, struct cor_strbuf *out)
{
	const struct cor_mce_record *r = &d->rec;
	cor_strbuf_append(out, "machine check:");
	if (r->have & COR_MCE_HAVE_CPU)
		cor_strbuf_appendf(out, " CPU %" PRIu32, r->cpu);
	if (r->have & COR_MCE_HAVE_BANK)
		cor_strbuf_appendf(out, "%s bank %" PRIu32, (r->have & COR_MCE_HAVE_CPU) ? "," : "",
				   r->bank);
	if (r->line)
		cor_strbuf_appendf(out, " (line %" PRIu32 ")", r->line);
	cor_strbuf_append(out, "\n");
	cor_strbuf_appendf(out, "  cpu:        %s", d->cpu_name);
	if (r->have & COR_MCE_HAVE_SOCKET)
		cor_strbuf_appendf(out, ", socket %" PRIu32, r->socket);
	if (r->have & COR_MCE_HAVE_APIC)
		cor_strbuf_appendf(out, ", APIC 0x%" PRIx32, r->apic);
	if (r->have & COR_MCE_HAVE_MICROCODE)
		cor_strbuf_appendf(out, ", microcode 0x%" PRIx32, r->microcode);
	cor_strbuf_append(out, "\n");
	cor_strbuf_appendf(out, "  mci_status: 0x%016" PRIx64 "\n", r->status);
	if (r->have & COR_MCE_HAVE_MCGSTATUS)
		cor_strbuf_appendf(out, "  mcg_status: 0x%" PRIx64 "\n", r->mcgstatus);
	if (r->have & COR_MCE_HAVE_MCGCAP)
		cor_strbuf_appendf(out, "  mcg_cap:    0x%" PRIx64 "\n", r->mcgcap);
	if (r->have & COR_MCE_HAVE_ADDR)
		cor_strbuf_appendf(out, "  addr:       0x%" PRIx64 "\n", r->addr);
	if (r->have & COR_MCE_HAVE_MISC)
		cor_strbuf_appendf(out, "  misc:       0x%" PRIx64 "\n", r->misc);
	if (r->have & COR_MCE_HAVE_IPID)
		cor_strbuf_appendf(out, "  ipid:       0x%" PRIx64 "\n", r->ipid);
	if (r->have & COR_MCE_HAVE_RIP)
		cor_strbuf_appendf(out, "  rip:        %02x:0x%016" PRIx64 "%s\n", r->cs, r->rip,
				   r->rip_inexact ? " (inexact)" : "");
	if (r->have & COR_MCE_HAVE_TSC)
		cor_strbuf_appendf(out, "  tsc:        0x%" PRIx64 "\n", r->tsc);
	if (r->have & COR_MCE_HAVE_TIME)
		cor_strbuf_appendf(out, "  time:       %" PRIu64 " (seconds since the epoch)\n",
				   r->time);
}

void cor_mce_render_text(const struct cor_mce_decoded *d, struct cor_strbuf *out)
{
	text_header(d, out);
	cor_strbuf_append(out, "  bits:       ");
	set_bits(d, out, false);
	cor_strbuf_append(out, "\n");
	cor_strbuf_appendf(out, "  mcacod:     0x%04x %s (%s)\n", d->mcacod, d->error_class,
			   cor_mce_form_name(d->form));
	cor_strbuf_appendf(out, "  mscod:      0x%04x", d->mscod);
	if (d->model_text[0])
		cor_strbuf_appendf(out, ": %s", d->model_text);
	cor_strbuf_append(out, "\n");
	if (d->model_table[0])
		cor_strbuf_appendf(out, "              [%s]\n", d->model_table);
	cor_strbuf_appendf(out, "  component:  %s\n", d->component);
	if (d->addr_valid)
		cor_strbuf_appendf(out, "  address:    0x%" PRIx64 "%s\n", d->addr,
				   d->addr_lsb ? " (bits below LSB not valid)" : "");
	cor_strbuf_appendf(out, "  severity:   %s (kernel: \"%s\")\n",
			   cor_mce_severity_name(d->severity),
			   d->kernel_grade ? d->kernel_grade : "?");
	if (d->context_corrupt)
		cor_strbuf_append(out, "  pcc:        processor context corrupt: cannot resume\n");
	if (d->rec.have & COR_MCE_HAVE_MCGSTATUS)
		cor_strbuf_appendf(out, "  restart:    %s\n",
				   d->restartable ? "RIPV set: the interrupted program can restart"
						  : "RIPV clear: the interrupted program cannot "
						    "restart at the saved IP");
	cor_strbuf_appendf(out, "  meaning:    %s\n", d->consequence);
	cor_strbuf_append(out, "  fields:\n");
	for (size_t i = 0; i < d->nfields; i++) {
		const struct cor_mce_field *f = &d->fields[i];
		char pos[32];
		if (f->lo == f->hi)
			snprintf(pos, sizeof(pos), "%s[%u]", cor_mce_reg_name(f->reg), f->lo);
		else
			snprintf(pos, sizeof(pos), "%s[%u:%u]", cor_mce_reg_name(f->reg), f->hi,
				 f->lo);
		cor_strbuf_appendf(out, "    %-18s %-10s = 0x%-6" PRIx64 " %s\n", pos, f->name,
				   f->value, f->text);
	}
	for (size_t i = 0; i < d->nnotes; i++)
		cor_strbuf_appendf(out, "  note:       %s\n", d->notes[i]);
}

static void json_str(struct cor_strbuf *out, const char *s)
{
	cor_strbuf_append_json(out, s);
}

static void json_hex(struct cor_strbuf *out, const char *key, uint64_t v, bool have)
{
	if (have)
		cor_strbuf_appendf(out, ",\"%s\":\"0x%" PRIx64 "\"", key, v);
}

static void json_record(const struct cor_mce_decoded *d, struct cor_strbuf *out)
{
	const struct cor_mce_record *r = &d->rec;
	cor_strbuf_appendf(out, "\"vendor\":\"%s\"", vendor_name(r->vendor));
	if (r->have & COR_MCE_HAVE_CPU)
		cor_strbuf_appendf(out, ",\"cpu\":%" PRIu32, r->cpu);
	if (r->have & COR_MCE_HAVE_BANK)
		cor_strbuf_appendf(out, ",\"bank\":%" PRIu32, r->bank);
	if (r->have & COR_MCE_HAVE_CPUID)
		cor_strbuf_appendf(
		    out, ",\"family\":%" PRIu32 ",\"model\":%" PRIu32 ",\"stepping\":%" PRIu32,
		    r->family, r->model, r->stepping);
	cor_strbuf_append(out, ",\"cpu_name\":");
	json_str(out, d->cpu_name);
	json_hex(out, "status", r->status, true);
	json_hex(out, "mcgstatus", r->mcgstatus, r->have & COR_MCE_HAVE_MCGSTATUS);
	json_hex(out, "mcgcap", r->mcgcap, r->have & COR_MCE_HAVE_MCGCAP);
	json_hex(out, "addr", r->addr, r->have & COR_MCE_HAVE_ADDR);
	json_hex(out, "misc", r->misc, r->have & COR_MCE_HAVE_MISC);
	json_hex(out, "ipid", r->ipid, r->have & COR_MCE_HAVE_IPID);
	json_hex(out, "synd", r->synd, r->have & COR_MCE_HAVE_SYND);
	json_hex(out, "tsc", r->tsc, r->have & COR_MCE_HAVE_TSC);
	json_hex(out, "rip", r->rip, r->have & COR_MCE_HAVE_RIP);
	json_hex(out, "cs", r->cs, r->have & (COR_MCE_HAVE_RIP | COR_MCE_HAVE_CS));
	json_hex(out, "cpuid", r->cpuid, r->cpuid != 0);
	json_hex(out, "microcode", r->microcode, r->have & COR_MCE_HAVE_MICROCODE);
	json_hex(out, "apic", r->apic, r->have & COR_MCE_HAVE_APIC);
	if (r->have & COR_MCE_HAVE_SOCKET)
		cor_strbuf_appendf(out, ",\"socket\":%" PRIu32, r->socket);
	if (r->have & COR_MCE_HAVE_TIME)
		cor_strbuf_appendf(out, ",\"time\":%" PRIu64, r->time);
	if (r->line)
		cor_strbuf_appendf(out, ",\"line\":%" PRIu32, r->line);
}

void cor_mce_render_json(const struct cor_mce_decoded *d, struct cor_strbuf *out)
{
	cor_strbuf_append(out, "{");
	json_record(d, out);
	cor_strbuf_append(out, ",\"bits\":[");
	set_bits(d, out, true);
	cor_strbuf_appendf(out, "],\"form\":\"%s\",\"mcacod\":\"0x%04x\",\"mscod\":\"0x%04x\"",
			   cor_mce_form_name(d->form), d->mcacod, d->mscod);
	cor_strbuf_append(out, ",\"error_class\":");
	json_str(out, d->error_class);
	cor_strbuf_append(out, ",\"component\":");
	json_str(out, d->component);
	cor_strbuf_appendf(
	    out, ",\"severity\":\"%s\",\"kernel_grade\":", cor_mce_severity_name(d->severity));
	json_str(out, d->kernel_grade);
	cor_strbuf_append(out, ",\"consequence\":");
	json_str(out, d->consequence);
	cor_strbuf_appendf(out, ",\"context_corrupt\":%s", d->context_corrupt ? "true" : "false");
	if (d->rec.have & COR_MCE_HAVE_MCGSTATUS)
		cor_strbuf_appendf(out, ",\"restartable\":%s", d->restartable ? "true" : "false");
	if (d->addr_valid)
		cor_strbuf_appendf(out, ",\"address\":\"0x%" PRIx64 "\",\"address_lsb\":%u",
				   d->addr, d->addr_lsb);
	cor_strbuf_appendf(
	    out, ",\"model_specific\":{\"lookup\":\"%s\",\"table\":", lookup_name(d->lookup));
	json_str(out, d->model_table);
	cor_strbuf_append(out, ",\"text\":");
	json_str(out, d->model_text);
	cor_strbuf_append(out, "},\"fields\":[");
	for (size_t i = 0; i < d->nfields; i++) {
		const struct cor_mce_field *f = &d->fields[i];
		cor_strbuf_appendf(out,
				   "%s{\"reg\":\"%s\",\"lo\":%u,\"hi\":%u,\"name\":\"%s\","
				   "\"value\":\"0x%" PRIx64 "\",\"text\":",
				   i ? "," : "", cor_mce_reg_name(f->reg), f->lo, f->hi, f->name,
				   f->value);
		json_str(out, f->text);
		cor_strbuf_append(out, "}");
	}
	cor_strbuf_append(out, "],\"notes\":[");
	for (size_t i = 0; i < d->nnotes; i++) {
		if (i)
			cor_strbuf_append(out, ",");
		json_str(out, d->notes[i]);
	}
	cor_strbuf_append(out, "]}");
}
