// SPDX-License-Identifier: MIT
// Machine-check registers bit by bit: IA32_MCG_STATUS, IA32_MCG_CAP,
// IA32_MCi_STATUS, MCi_ADDR, MCi_MISC, and the top-level cor_mce_decode().
//
// Every bit position here is from the Intel SDM Vol. 3B ch.15
// "Machine-Check Architecture" (section numbers are stable across editions;
// table numbers are those of the 2016-2023 editions, order no. 325384):
//   §15.3.1.1 IA32_MCG_CAP (Figure 15-2), §15.3.1.2 IA32_MCG_STATUS
//   (Figure 15-3), §15.3.2.2 IA32_MCi_STATUS (Figure 15-6), §15.3.2.3
//   IA32_MCi_ADDR, §15.3.2.4 IA32_MCi_MISC (Figure 15-8, Table 15-3),
//   §15.4 enhanced cache error reporting (Table 15-1).
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mce/mce_priv.h"

void mce_appendf(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strnlen(buf, size);
	if (len + 1 >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

void mce_add_field(struct cor_mce_decoded *d, enum cor_mce_reg reg, unsigned lo, unsigned hi,
		   const char *name, const char *fmt, ...)
{
	if (d->nfields >= COR_MCE_MAX_FIELDS)
		return;
	struct cor_mce_field *f = &d->fields[d->nfields++];
	uint64_t v = reg == COR_MCE_REG_MCG_STATUS ? d->rec.mcgstatus
		     : reg == COR_MCE_REG_MCG_CAP  ? d->rec.mcgcap
		     : reg == COR_MCE_REG_ADDR	   ? d->rec.addr
		     : reg == COR_MCE_REG_MISC	   ? d->rec.misc
		     : reg == COR_MCE_REG_IPID	   ? d->rec.ipid
						   : d->rec.status;
	f->reg = reg;
	f->lo = (uint8_t)lo;
	f->hi = (uint8_t)hi;
	f->value = mce_bits(v, lo, hi);
	f->name = name;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
}

void mce_add_note(struct cor_mce_decoded *d, const char *fmt, ...)
{
	if (d->nnotes >= COR_MCE_MAX_NOTES)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->notes[d->nnotes++], sizeof(d->notes[0]), fmt, ap);
	va_end(ap);
}

void cor_mce_record_set_cpuid(struct cor_mce_record *rec, uint32_t eax)
{
	/* SDM Vol. 2A, CPUID leaf 01H EAX: stepping 3:0, model 7:4, family 11:8,
	 * extended model 19:16, extended family 27:20. DisplayFamily adds the
	 * extended family when family is 0FH; DisplayModel adds the extended
	 * model when family is 06H or 0FH (AMD: when family is 0FH). */
	uint32_t fam = (eax >> 8) & 0xf, model = (eax >> 4) & 0xf;
	rec->cpuid = eax;
	rec->stepping = eax & 0xf;
	rec->family = fam == 0xf ? fam + ((eax >> 20) & 0xff) : fam;
	rec->model = (fam == 6 || fam == 0xf) ? model | ((eax >> 16) & 0xf) << 4 : model;
	rec->have |= COR_MCE_HAVE_CPUID;
}

enum cor_mce_vendor cor_mce_vendor_from_kernel(uint32_t x86_vendor)
{
	/* arch/x86/include/asm/processor.h (Linux 6.1): X86_VENDOR_INTEL 0,
	 * X86_VENDOR_AMD 2, X86_VENDOR_HYGON 9. */
	switch (x86_vendor) {
	case 0:
		return COR_MCE_VENDOR_INTEL;
	case 2:
	case 9:
		return COR_MCE_VENDOR_AMD;
	default:
		return COR_MCE_VENDOR_OTHER;
	}
}

const char *cor_mce_reg_name(enum cor_mce_reg reg)
{
	switch (reg) {
	case COR_MCE_REG_MCG_STATUS:
		return "MCG_STATUS";
	case COR_MCE_REG_MCG_CAP:
		return "MCG_CAP";
	case COR_MCE_REG_STATUS:
		return "MCi_STATUS";
	case COR_MCE_REG_ADDR:
		return "MCi_ADDR";
	case COR_MCE_REG_MISC:
		return "MCi_MISC";
	case COR_MCE_REG_IPID:
		return "MCA_IPID";
	}
	return "?";
}

const char *cor_mce_severity_name(enum cor_mce_severity sev)
{
	static const char *const names[] = {"none", "corrected", "deferred", "UCNA",
					    "SRAO", "SRAR",	 "fatal"};
	return (unsigned)sev < COR_ARRAY_SIZE(names) ? names[sev] : "?";
}

const struct cor_mce_field *cor_mce_find_field(const struct cor_mce_decoded *d,
					       enum cor_mce_reg reg, const char *name)
{
	for (size_t i = 0; i < d->nfields; i++)
		if (d->fields[i].reg == reg && strcmp(d->fields[i].name, name) == 0)
			return &d->fields[i];
	return NULL;
}

/* IA32_MCG_CAP[24] MCG_SER_P (§15.3.1.1). */
#define MCG_CAP_SER_P 24

bool mce_has_ser(const struct cor_mce_record *rec, bool *assumed)
{
	*assumed = false;
	if (rec->have & COR_MCE_HAVE_MCGCAP)
		return mce_bit(rec->mcgcap, MCG_CAP_SER_P);
	*assumed = true;
	if (rec->vendor == COR_MCE_VENDOR_AMD)
		return false; /* AMD has no S/AR bits: 56:55 are ErrCoreIdVal/TCC */
	if ((rec->have & COR_MCE_HAVE_CPUID) && mce_intel_model_has_ser(rec->family, rec->model))
		return true;
	/* Unknown model: S or AR set only makes sense with SER. */
	return mce_bit(rec->status, 56) || mce_bit(rec->status, 55);
}

/* ---- IA32_MCG_STATUS, §15.3.1.2, Figure 15-3 ---- */

static void decode_mcg_status(struct cor_mce_decoded *d)
{
	uint64_t v = d->rec.mcgstatus;
	if (!(d->rec.have & COR_MCE_HAVE_MCGSTATUS))
		return;
	mce_add_field(d, COR_MCE_REG_MCG_STATUS, 0, 0, "RIPV",
		      mce_bit(v, 0) ? "restart IP valid: execution can restart at the saved IP"
				    : "restart IP not valid: the interrupted program cannot be "
				      "restarted reliably at the saved IP");
	mce_add_field(d, COR_MCE_REG_MCG_STATUS, 1, 1, "EIPV",
		      mce_bit(v, 1) ? "error IP valid: the saved IP is the instruction "
				      "directly associated with the error"
				    : "error IP not valid: the saved IP is not known to be related "
				      "to the error");
	mce_add_field(d, COR_MCE_REG_MCG_STATUS, 2, 2, "MCIP",
		      mce_bit(v, 2) ? "machine check in progress: a #MC was raised (a second "
				      "one now would shut the processor down)"
				    : "no machine check in progress: the error was logged without "
				      "a #MC (polled or CMCI)");
	bool lmce_p = (d->rec.have & COR_MCE_HAVE_MCGCAP) && mce_bit(d->rec.mcgcap, 27);
	if (mce_bit(v, 3) || lmce_p)
		mce_add_field(d, COR_MCE_REG_MCG_STATUS, 3, 3, "LMCE_S",
			      mce_bit(v, 3) ? "local machine check: delivered to this logical "
					      "processor only (IA32_MCG_CAP[27] LMCE_P)"
					    : "broadcast machine check (not local)");
	if (mce_bits(v, 4, 63))
		mce_add_field(d, COR_MCE_REG_MCG_STATUS, 4, 63, "RSVD",
			      "reserved bits set: the value may be garbled");
	d->restartable = mce_bit(v, 0);
}

/* ---- IA32_MCG_CAP, §15.3.1.1, Figure 15-2 ---- */

static void decode_mcg_cap(struct cor_mce_decoded *d)
{
	static const struct {
		unsigned bit;
		const char *name, *text;
	} caps[] = {
	    {8, "MCG_CTL_P", "IA32_MCG_CTL is present"},
	    {9, "MCG_EXT_P", "extended machine-check state registers present"},
	    {10, "MCG_CMCI_P",
	     "corrected machine-check interrupt (CMCI) supported; "
	     "MCi_STATUS[52:38] count corrected errors"},
	    {11, "MCG_TES_P", "threshold-based error status: MCi_STATUS[54:53] valid"},
	    {24, "MCG_SER_P",
	     "software error recovery supported: MCi_STATUS[56:55] are S "
	     "and AR, MCi_MISC[8:0] has address mode and LSB"},
	    {25, "MCG_EMC_P", "enhanced machine-check capability (firmware first)"},
	    {26, "MCG_ELOG_P", "extended error logging by firmware"},
	    {27, "MCG_LMCE_P", "local machine check exception supported"},
	};
	uint64_t v = d->rec.mcgcap;
	if (!(d->rec.have & COR_MCE_HAVE_MCGCAP))
		return;
	mce_add_field(d, COR_MCE_REG_MCG_CAP, 0, 7, "Count", "%u banks",
		      (unsigned)mce_bits(v, 0, 7));
	for (size_t i = 0; i < COR_ARRAY_SIZE(caps); i++)
		if (mce_bit(v, caps[i].bit))
			mce_add_field(d, COR_MCE_REG_MCG_CAP, caps[i].bit, caps[i].bit,
				      caps[i].name, "%s", caps[i].text);
	if (mce_bit(v, 9))
		mce_add_field(d, COR_MCE_REG_MCG_CAP, 16, 23, "MCG_EXT_CNT",
			      "%u extended state registers", (unsigned)mce_bits(v, 16, 23));
}

/* ---- IA32_MCi_STATUS, §15.3.2.2, Figure 15-6 ---- */

static void decode_status_flags(struct cor_mce_decoded *d, bool ser, bool ser_assumed)
{
	uint64_t v = d->rec.status;
	mce_add_field(d, COR_MCE_REG_STATUS, 63, 63, "VAL",
		      mce_bit(v, 63) ? "valid: the register holds a logged error"
				     : "not valid: no error logged; the other bits mean nothing");
	if (mce_bit(v, 62))
		mce_add_field(d, COR_MCE_REG_STATUS, 62, 62, "OVER",
			      "overflow: another error occurred while this one was still "
			      "logged; at least one error was lost");
	mce_add_field(d, COR_MCE_REG_STATUS, 61, 61, "UC",
		      mce_bit(v, 61) ? "uncorrected: the processor did not correct the error"
				     : "corrected (or not an error that needs correction)");
	if (mce_bit(v, 60))
		mce_add_field(d, COR_MCE_REG_STATUS, 60, 60, "EN",
			      "error enabled: reporting of this error was enabled in MCi_CTL, "
			      "so an uncorrected one signals #MC");
	if (mce_bit(v, 59))
		mce_add_field(d, COR_MCE_REG_STATUS, 59, 59, "MISCV",
			      "MCi_MISC holds further information about the error");
	if (mce_bit(v, 58))
		mce_add_field(d, COR_MCE_REG_STATUS, 58, 58, "ADDRV",
			      "MCi_ADDR holds the address where the error occurred");
	if (mce_bit(v, 57))
		mce_add_field(d, COR_MCE_REG_STATUS, 57, 57, "PCC",
			      "processor context corrupt: the error may have corrupted the "
			      "processor state; the interrupted context cannot resume");
	if (d->rec.vendor == COR_MCE_VENDOR_AMD)
		return; /* bits 56:32 differ: mce_amd_status_bits() */
	const char *asm_ = ser_assumed ? " (assuming MCG_SER_P)" : "";
	if (ser && mce_bit(v, 56))
		mce_add_field(d, COR_MCE_REG_STATUS, 56, 56, "S",
			      "signaled: the uncorrected recoverable error raised #MC%s", asm_);
	if (ser && mce_bit(v, 55))
		mce_add_field(d, COR_MCE_REG_STATUS, 55, 55, "AR",
			      "action required: software must recover (or kill the consumer) "
			      "before the interrupted context resumes%s",
			      asm_);
	if (!ser && mce_bits(v, 55, 56))
		mce_add_field(d, COR_MCE_REG_STATUS, 55, 56, "MS",
			      "bits 56:55 set on a CPU without MCG_SER_P: model specific");
}

static void decode_status_counts(struct cor_mce_decoded *d)
{
	uint64_t v = d->rec.status, cap = d->rec.mcgcap;
	bool have_cap = d->rec.have & COR_MCE_HAVE_MCGCAP;
	bool uc = mce_bit(v, 61);
	mce_add_field(d, COR_MCE_REG_STATUS, 16, 31, "MSCOD", "model-specific error code 0x%04x%s",
		      (unsigned)mce_bits(v, 16, 31),
		      mce_bits(v, 16, 31) ? " (see the model-specific lookup)" : "");
	/* Table 15-1: bits 54:53 when IA32_MCG_CAP[11] (TES_P) = 1 and UC = 0. */
	uint64_t tes = mce_bits(v, 53, 54);
	if (!uc && ((have_cap && mce_bit(cap, 11)) || (!have_cap && tes))) {
		static const char *const tes_text[] = {
		    "no hardware status tracking", "green: corrected errors below the threshold",
		    "yellow: corrected errors above the threshold; preventive "
		    "maintenance may be needed",
		    "reserved"};
		mce_add_field(d, COR_MCE_REG_STATUS, 53, 54, "THRESHOLD", "%s%s", tes_text[tes],
			      have_cap ? "" : " (if MCG_TES_P)");
	}
	/* §15.5 CMCI: bits 52:38 corrected error count when MCG_CMCI_P. */
	uint64_t cnt = mce_bits(v, 38, 52);
	if ((have_cap && mce_bit(cap, 10)) || (!have_cap && cnt))
		mce_add_field(d, COR_MCE_REG_STATUS, 38, 52, "CEC",
			      "%llu corrected error%s of this kind counted in this bank%s",
			      (unsigned long long)cnt, cnt == 1 ? "" : "s",
			      have_cap ? "" : " (if MCG_CMCI_P)");
	/* Linux MCI_STATUS_FWST (arch/x86/include/asm/mce.h): bit 37, firmware
	 * updated the status (SDM: "FW updated error status indicator"). */
	if (mce_bit(v, 37))
		mce_add_field(d, COR_MCE_REG_STATUS, 37, 37, "FWST",
			      "firmware updated this error status (firmware-first handling)");
	if (mce_bits(v, 32, 36))
		mce_add_field(d, COR_MCE_REG_STATUS, 32, 36, "OTHER",
			      "other information (model specific): 0x%llx",
			      (unsigned long long)mce_bits(v, 32, 36));
}

/* ---- MCi_ADDR / MCi_MISC, §15.3.2.3, §15.3.2.4, Table 15-3 ---- */

static void decode_addr_misc(struct cor_mce_decoded *d, bool ser)
{
	static const char *const modes[8] = {
	    "segment offset", "linear address", "physical address", "memory address",
	    "reserved (100)", "reserved (101)", "reserved (110)",   "generic",
	};
	uint64_t st = d->rec.status, misc = d->rec.misc;
	bool miscv = mce_bit(st, 59), addrv = mce_bit(st, 58);
	unsigned mode = 2;
	bool have_mode = false;
	if (miscv && (d->rec.have & COR_MCE_HAVE_MISC)) {
		if (ser && d->rec.vendor != COR_MCE_VENDOR_AMD) {
			d->addr_lsb = (unsigned)mce_bits(misc, 0, 5);
			mode = (unsigned)mce_bits(misc, 6, 8);
			have_mode = true;
			mce_add_field(
			    d, COR_MCE_REG_MISC, 0, 5, "LSB",
			    "recoverable address LSB: address bits below %u are not valid "
			    "(granularity %llu bytes)",
			    d->addr_lsb,
			    d->addr_lsb < 64 ? (unsigned long long)1 << d->addr_lsb : 0ull);
			mce_add_field(d, COR_MCE_REG_MISC, 6, 8, "MODE", "address mode: %s",
				      modes[mode]);
			if (mce_bits(misc, 9, 63))
				mce_add_field(d, COR_MCE_REG_MISC, 9, 63, "MS",
					      "model specific information: 0x%llx",
					      (unsigned long long)mce_bits(misc, 9, 63));
		} else {
			mce_add_field(d, COR_MCE_REG_MISC, 0, 63, "MISC",
				      "model-specific additional information");
		}
	} else if (miscv) {
		mce_add_note(d, "MISCV is set but the MCi_MISC value was not given");
	}
	if (!addrv)
		return;
	if (!(d->rec.have & COR_MCE_HAVE_ADDR)) {
		mce_add_note(d, "ADDRV is set but the MCi_ADDR value was not given");
		return;
	}
	d->addr_valid = true;
	uint64_t a = d->rec.addr;
	if (d->addr_lsb > 0 && d->addr_lsb < 64)
		a &= ~((UINT64_C(1) << d->addr_lsb) - 1);
	d->addr = a;
	mce_add_field(d, COR_MCE_REG_ADDR, 0, 63, "ADDR", "%s 0x%llx%s",
		      have_mode ? modes[mode] : "address", (unsigned long long)a,
		      d->addr_lsb ? " (low bits below LSB cleared)" : "");
}

static void describe_cpu(struct cor_mce_decoded *d)
{
	const struct cor_mce_record *r = &d->rec;
	const char *vendor = r->vendor == COR_MCE_VENDOR_INTEL	 ? "Intel"
			     : r->vendor == COR_MCE_VENDOR_AMD	 ? "AMD"
			     : r->vendor == COR_MCE_VENDOR_OTHER ? "non-Intel/AMD vendor"
								 : "unknown vendor";
	if (!(r->have & COR_MCE_HAVE_CPUID)) {
		snprintf(d->cpu_name, sizeof(d->cpu_name), "%s, CPU model not given", vendor);
		return;
	}
	const char *name = NULL;
	if (r->vendor == COR_MCE_VENDOR_INTEL)
		name = mce_intel_model_name(r->family, r->model);
	else if (r->vendor == COR_MCE_VENDOR_AMD)
		name = mce_amd_family_name(r->family);
	snprintf(d->cpu_name, sizeof(d->cpu_name), "%s family 0x%x model 0x%x stepping %u%s%s%s",
		 vendor, r->family, r->model, r->stepping, name ? " (" : "", name ? name : "",
		 name ? ")" : "");
}

struct cor_error *cor_mce_decode(const struct cor_mce_record *rec, struct cor_mce_decoded *ret)
{
	if (!(rec->have & COR_MCE_HAVE_STATUS))
		return cor_error_create(COR_ERR_INVALID, "machine-check record has no MCi_STATUS");
	memset(ret, 0, sizeof(*ret));
	struct cor_mce_decoded *d = ret;
	d->rec = *rec;
	/* A family 6 CPU with no vendor given is Intel; 17h/19h are AMD. */
	if (d->rec.vendor == COR_MCE_VENDOR_UNKNOWN && (d->rec.have & COR_MCE_HAVE_CPUID))
		d->rec.vendor = d->rec.family == 6 ? COR_MCE_VENDOR_INTEL
				: d->rec.family >= 0x10 && d->rec.family <= 0x1a
				    ? COR_MCE_VENDOR_AMD
				    : COR_MCE_VENDOR_UNKNOWN;
	d->mcacod = (uint16_t)mce_bits(rec->status, 0, 15);
	d->mscod = (uint16_t)mce_bits(rec->status, 16, 31);
	describe_cpu(d);
	bool assumed;
	bool ser = mce_has_ser(&d->rec, &assumed);
	if (assumed && d->rec.vendor != COR_MCE_VENDOR_AMD)
		mce_add_note(d, "MCG_CAP not given: %s",
			     ser ? "assuming MCG_SER_P (S/AR bits)" : "assuming no MCG_SER_P");
	if (!(rec->have & COR_MCE_HAVE_MCGSTATUS))
		mce_add_note(d, "MCG_STATUS not given: RIPV/EIPV/MCIP unknown");
	decode_mcg_status(d);
	decode_mcg_cap(d);
	decode_status_flags(d, ser, assumed);
	if (d->rec.vendor == COR_MCE_VENDOR_AMD)
		mce_amd_status_bits(d);
	else
		decode_status_counts(d);
	mce_decode_mcacod(d);
	decode_addr_misc(d, ser);
	d->context_corrupt = mce_bit(rec->status, 57);
	if (d->rec.vendor == COR_MCE_VENDOR_AMD) {
		mce_amd_decode(d);
	} else if (d->rec.vendor == COR_MCE_VENDOR_INTEL) {
		mce_intel_model_decode(d);
	} else {
		d->lookup = COR_MCE_LOOKUP_NONE;
		snprintf(d->model_text, sizeof(d->model_text),
			 "no model-specific decode: CPU vendor/model not given");
	}
	mce_grade(d);
	return NULL;
}
