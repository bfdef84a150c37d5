// SPDX-License-Identifier: MIT
// Firmware-first errors: APEI Generic Hardware Error Source blocks as Linux
// 6.1 prints them: drivers/acpi/apei/ghes.c __ghes_print_estatus() writes
// "{seq}[Hardware Error]: Hardware error from APEI Generic Hardware Error
// Source: N", then drivers/firmware/efi/cper.c cper_estatus_print() the event
// severity and one "Error K, type: <sev>" block per CPER section, with the
// section printers cper_print_proc_generic(), cper_print_mem(),
// cper_print_pcie() and cper-x86.c cper_print_proc_ia(). Every line carries
// the "{seq}[Hardware Error]: " prefix (HW_ERR, include/linux/printk.h).
// drivers/acpi/acpi_extlog.c prints the same CPER text after "{seq}Hardware
// error detected on CPU%d", with "{seq}" alone as the prefix.
#include <stdio.h>
#include <string.h>

#include "hwerr/hwerr_priv.h"

/* CPER severities (UEFI 2.9 §N.2.1; cper.c cper_severity_str()). */
static enum cor_hwerr_class cper_class(const char *s)
{
	if (!strcmp(s, "corrected"))
		return COR_HWERR_CORRECTED;
	if (!strcmp(s, "fatal"))
		return COR_HWERR_FATAL;
	if (!strcmp(s, "info"))
		return COR_HWERR_INFO;
	return COR_HWERR_RECOVERABLE;
}

/* "{N}[Hardware Error]: ": returns the text after it, or NULL. */
static const char *ghes_prefix(const struct hw_line *l, uint32_t *seq, size_t *rest)
{
	const char *end = l->msg + l->len;
	const char *b = hw_find(l->msg, l->len, "{");
	if (!b)
		return NULL;
	const char *q = b + 1;
	uint64_t n;
	if (!hw_dec(&q, end, &n) || n > UINT32_MAX || q >= end || *q != '}')
		return NULL;
	*seq = (uint32_t)n;
	q++;
	/* drivers/acpi/acpi_extlog.c __print_extlog_rcd() uses "{seq}" without HW_ERR. */
	if (hw_starts(q, (size_t)(end - q), "[Hardware Error]: "))
		q += 18;
	*rest = (size_t)(end - q);
	return q;
}

static struct cor_error *section_record(struct hw_parser *p, const struct hw_line *l, long *idx)
{
	if (p->ghes_nsections == 0 && p->ghes_block_rec >= 0) {
		*idx = p->ghes_block_rec;
		return NULL;
	}
	struct cor_error *err = hw_new_record(p, COR_HWERR_SRC_GHES, l, idx);
	if (err)
		return err;
	struct cor_hwerr_record *r = hw_rec(p, *idx);
	r->ghes_seq = p->ghes_seq;
	r->ghes_source_id = p->ghes_source;
	r->extlog = p->ghes_extlog;
	snprintf(r->cper_severity, sizeof(r->cper_severity), "%s", p->ghes_event_sev);
	return NULL;
}

static void section_type(struct cor_hwerr_record *r, const char *s, size_t len)
{
	static const struct {
		const char *text;
		enum cor_hwerr_section sec;
	} types[] = {
	    {"section_type: general processor error", COR_HWERR_SEC_PROC_GENERIC},
	    {"section_type: IA32/X64 processor error", COR_HWERR_SEC_PROC_IA},
	    {"section_type: memory error", COR_HWERR_SEC_MEMORY},
	    {"section_type: PCIe error", COR_HWERR_SEC_PCIE},
	    {"section_type: Firmware Error Record Reference", COR_HWERR_SEC_FW_REF},
	    {"section_type: ARM processor error", COR_HWERR_SEC_PROC_GENERIC},
	    {"section type: unknown", COR_HWERR_SEC_OTHER},
	};
	for (size_t i = 0; i < COR_ARRAY_SIZE(types); i++)
		if (hw_starts(s, len, types[i].text)) {
			r->section = types[i].sec;
			if (types[i].sec == COR_HWERR_SEC_OTHER)
				hw_copy(r->error_type, sizeof(r->error_type), s + 14, len - 14);
			return;
		}
}

/* cper_mem_err_location(): "node:%d card:%d module:%d rank:%d bank:%d ..." */
static bool mem_location(const char *s, size_t len)
{
	static const char *const keys[] = {
	    "node:", "card:",	"module:",	 "rank:",	"bank:",   "device:",
	    "row:",  "column:", "bit_position:", "bank_group:", "chip_id:"};
	for (size_t i = 0; i < COR_ARRAY_SIZE(keys); i++)
		if (hw_starts(s, len, keys[i]))
			return true;
	return false;
}

static bool hex_after(const char *s, size_t len, const char *key, uint64_t *v)
{
	const char *k = hw_find(s, len, key);
	if (!k)
		return false;
	const char *q = k + strlen(key);
	return hw_hex(&q, s + len, 16, v);
}

/* A line inside a section: fields of the memory, PCIe and processor printers. */
static void section_line(struct cor_hwerr_record *r, const char *s, size_t len)
{
	const char *end = s + len, *q;
	uint64_t v;
	if (hw_starts(s, len, "section_type: ") || hw_starts(s, len, "section type: ")) {
		section_type(r, s, len);
	} else if (hex_after(s, len, "physical_address: ", &v) &&
		   !hw_starts(s, len, "physical_address_mask")) {
		r->has_addr = true;
		r->phys_addr = v;
	} else if (mem_location(s, len)) {
		hw_copy(r->mem_location, sizeof(r->mem_location), s, len);
	} else if (hw_starts(s, len, "DIMM location: not present")) {
		/* cper_dimm_err_location(): no SMBIOS name for the handle; keep the handle */
		const char *h = hw_find(s, len, "DMI handle: ");
		if (h)
			hw_copy(r->mem_dmi, sizeof(r->mem_dmi), h + 12, (size_t)(end - h - 12));
	} else if (hw_starts(s, len, "DIMM location: ")) {
		hw_copy(r->dimm, sizeof(r->dimm), s + 15, len - 15);
	} else if (hw_starts(s, len, "fru_text: ")) {
		/* cper_estatus_print_section(): the firmware's FRU text ("%.20s") */
		hw_copy(r->fru_text, sizeof(r->fru_text), s + 10, len - 10);
	} else if (hw_starts(s, len, "error_type: ") && r->section == COR_HWERR_SEC_MEMORY) {
		q = memchr(s, ',', len);
		if (q && q + 2 <= end)
			hw_copy(r->error_type, sizeof(r->error_type), q + 2, (size_t)(end - q - 2));
	} else if (hw_starts(s, len, "Error Structure Type: ") && !r->error_type[0]) {
		hw_copy(r->error_type, sizeof(r->error_type), s + 22, len - 22);
	} else if (r->section == COR_HWERR_SEC_PROC_GENERIC && !r->error_type[0] &&
		   (hw_starts(s, len, "cache error") || hw_starts(s, len, "TLB error") ||
		    hw_starts(s, len, "bus error") || hw_starts(s, len, "micro-architectural"))) {
		/* cper_print_bits() of error_type: names joined by ", " */
		hw_copy(r->error_type, sizeof(r->error_type), s, len);
	} else if (hw_starts(s, len, "Local APIC_ID: ") || hw_starts(s, len, "processor_id: ")) {
		const char *c = memchr(s, ':', len);
		q = c + 2;
		if (q <= end && hw_hex(&q, end, 16, &v))
			r->cpu = (int32_t)(v & 0x7fffffff);
	} else if (hw_starts(s, len, "device_id: ")) {
		/* "device_id: %04x:%02x:%02x.%x": the PCI address (cper_print_pcie) */
		q = s + 11;
		hw_bdf(&q, end, r->device);
	} else if (hw_starts(s, len, "vendor_id: ")) {
		/* "vendor_id: 0x%04x, device_id: 0x%04x" */
		uint64_t ven, did;
		if (hex_after(s, len, "vendor_id: ", &ven) &&
		    hex_after(s, len, ", device_id: ", &did)) {
			r->has_ids = true;
			r->vendor_id = (uint16_t)ven;
			r->device_id = (uint16_t)did;
		}
	} else if (hex_after(s, len, "aer_uncor_status: ", &v)) {
		r->has_status = true;
		r->aer_correctable = false;
		r->status = (uint32_t)v;
		if (hex_after(s, len, "aer_uncor_mask: ", &v))
			r->mask = (uint32_t)v;
	} else if (hex_after(s, len, "aer_uncor_severity: ", &v)) {
		r->has_uncor_severity = true;
		r->uncor_severity = (uint32_t)v;
	} else if ((q = hw_find(s, len, "TLP Header: ")) != NULL) {
		q += 12;
		for (int i = 0; i < 4; i++) {
			hw_skip_blanks(&q, end);
			if (!hw_hex(&q, end, 8, &v))
				return;
			r->tlp[i] = (uint32_t)v;
		}
		r->has_tlp = true;
	}
}

struct cor_error *hw_ghes_line(struct hw_parser *p, const struct hw_line *l)
{
	uint32_t seq;
	size_t len;
	const char *s = ghes_prefix(l, &seq, &len);
	if (!s) {
		/* ghes_handle_aer() -> cper_print_aer(): the PCIe section's AER registers,
		 * printed by aer.c as "<dev>: AER: aer_status: ..."; merged below. */
		return NULL;
	}
	const char *t = s, *end = s + len;
	hw_skip_blanks(&t, end);
	size_t tl = (size_t)(end - t);
	const char *hdr = "Hardware error from APEI Generic Hardware Error Source: ";
	const char *xhdr = "Hardware error detected on CPU"; /* acpi_extlog.c: "...CPU%d" */
	bool extlog = hw_starts(t, tl, xhdr);
	if (extlog || hw_starts(t, tl, hdr)) {
		const char *q = t + strlen(extlog ? xhdr : hdr);
		uint64_t src = 0;
		hw_dec(&q, end, &src);
		p->ghes_in_block = true;
		p->ghes_seq = seq;
		p->ghes_source = (uint32_t)src;
		p->ghes_event_sev[0] = '\0';
		p->ghes_nsections = 0;
		p->ghes_sec = -1;
		struct cor_error *err = hw_new_record(p, COR_HWERR_SRC_GHES, l, &p->ghes_block_rec);
		if (err)
			return err;
		struct cor_hwerr_record *r = hw_rec(p, p->ghes_block_rec);
		r->ghes_seq = seq;
		r->ghes_source_id = (uint32_t)src;
		r->extlog = extlog;
		p->ghes_extlog = extlog;
		return NULL;
	}
	if (!p->ghes_in_block || seq != p->ghes_seq)
		return NULL;
	if (hw_starts(t, tl, "event severity: ")) {
		hw_copy(p->ghes_event_sev, sizeof(p->ghes_event_sev), t + 16, tl - 16);
		if (p->ghes_block_rec >= 0) {
			struct cor_hwerr_record *r = hw_rec(p, p->ghes_block_rec);
			snprintf(r->cper_severity, sizeof(r->cper_severity), "%s",
				 p->ghes_event_sev);
			hw_touch(r, l);
		}
		return NULL;
	}
	if (hw_starts(t, tl, "Error ") && hw_find(t, tl, ", type: ")) {
		long idx;
		struct cor_error *err = section_record(p, l, &idx);
		if (err)
			return err;
		struct cor_hwerr_record *r = hw_rec(p, idx);
		const char *ty = hw_find(t, tl, ", type: ") + 8;
		hw_copy(r->cper_severity, sizeof(r->cper_severity), ty, (size_t)(end - ty));
		hw_touch(r, l);
		p->ghes_sec = idx;
		p->ghes_nsections++;
		return NULL;
	}
	long cur = p->ghes_sec >= 0 ? p->ghes_sec : p->ghes_block_rec;
	if (cur >= 0) {
		struct cor_hwerr_record *r = hw_rec(p, cur);
		section_line(r, t, tl);
		hw_touch(r, l);
	}
	return NULL;
}

static void ghes_component(struct cor_hwerr_record *r)
{
	char *c = r->component;
	size_t n = sizeof(r->component);
	switch (r->section) {
	case COR_HWERR_SEC_MEMORY: {
		if (r->dimm[0]) {
			snprintf(c, n, "DIMM %s", r->dimm);
			break;
		}
		/* The DIMM is node + card + module (+ rank); bank/row/column are inside it. */
		char loc[96] = "";
		static const char *const keys[] = {"node:", "card:", "module:", "rank:"};
		for (size_t i = 0; i < COR_ARRAY_SIZE(keys); i++) {
			const char *k = strstr(r->mem_location, keys[i]);
			if (!k || (k != r->mem_location && k[-1] != ' '))
				continue;
			size_t w = strcspn(k, " ");
			size_t m = strlen(loc);
			snprintf(loc + m, sizeof(loc) - m, "%s%.*s", m ? " " : "", (int)w, k);
		}
		if (r->fru_text[0])
			snprintf(c, n, "FRU %s", r->fru_text);
		else if (loc[0])
			snprintf(c, n, "memory %s", loc);
		else if (r->mem_dmi[0])
			snprintf(c, n, "memory (DMI handle %s)", r->mem_dmi);
		else
			snprintf(c, n, "memory (no DIMM location reported)");
		break;
	}
	case COR_HWERR_SEC_PCIE:
		snprintf(c, n, "PCIe %s", r->device[0] ? r->device : "(device not reported)");
		break;
	case COR_HWERR_SEC_PROC_GENERIC:
	case COR_HWERR_SEC_PROC_IA:
		if (r->cpu >= 0)
			snprintf(c, n, "processor (APIC/processor id 0x%x)", (unsigned)r->cpu);
		else
			snprintf(c, n, "processor");
		break;
	case COR_HWERR_SEC_FW_REF:
		snprintf(c, n, "firmware error record");
		break;
	case COR_HWERR_SEC_OTHER:
		snprintf(c, n, "firmware (%s)", r->error_type);
		break;
	default:
		snprintf(c, n, "%s %u (no section decoded)",
			 r->extlog ? "extended log CPU" : "APEI GHES source", r->ghes_source_id);
		break;
	}
}

void hw_ghes_finish(struct cor_hwerr_record *r)
{
	static const char *const secname[] = {"error",	      "processor error", "processor error",
					      "memory error", "PCIe error",	 "firmware error",
					      "error"};
	r->cls = cper_class(r->cper_severity);
	ghes_component(r);
	char where[96] = "";
	if (r->has_addr)
		snprintf(where, sizeof(where), " at physical address 0x%llx",
			 (unsigned long long)r->phys_addr);
	char origin[48];
	snprintf(origin, sizeof(origin), r->extlog ? "extended log, CPU %u" : "APEI GHES %u",
		 r->ghes_source_id);
	snprintf(r->summary, sizeof(r->summary), "firmware-first (%s) %s %s%s%s%s%s", origin,
		 r->cper_severity[0] ? r->cper_severity : "unknown-severity",
		 secname[r->section < COR_ARRAY_SIZE(secname) ? r->section : 0], where,
		 r->error_type[0] ? " (" : "", r->error_type, r->error_type[0] ? ")" : "");
	if (r->section == COR_HWERR_SEC_MEMORY && r->cls == COR_HWERR_CORRECTED)
		snprintf(r->advice, sizeof(r->advice),
			 "Corrected memory errors: harmless one by one; a DIMM that repeats them "
			 "is degrading: replace it before it produces an uncorrected error.");
	else if (r->section == COR_HWERR_SEC_MEMORY)
		snprintf(r->advice, sizeof(r->advice),
			 "Uncorrected memory error reported by the firmware: the data at that "
			 "address is lost; replace the DIMM.");
	else if (r->section == COR_HWERR_SEC_PCIE)
		snprintf(r->advice, sizeof(r->advice),
			 "PCIe error reported by the firmware (the platform owns AER): see the "
			 "AER registers below or the BMC's event log.");
	else if (r->section == COR_HWERR_SEC_NONE)
		snprintf(r->advice, sizeof(r->advice),
			 "The kernel printed no section for this block; the BMC's SEL may have "
			 "the details.");
}
