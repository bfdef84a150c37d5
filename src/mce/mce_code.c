// SPDX-License-Identifier: MIT
// The architectural MCA error code, IA32_MCi_STATUS[15:0] (MCACOD):
// simple codes and the five compound forms with their sub-fields.
//
// Source: Intel SDM Vol. 3B §15.9 "Interpreting the MCA Error Codes"
// (table numbers of the 2016-2023 editions):
//   Table 15-7  simple error codes            §15.9.1
//   Table 15-8  general forms of compound codes §15.9.2
//   §15.9.2.1   correction report filtering (F, bit 12)
//   Table 15-9  TT  transaction type
//   Table 15-10 LL  memory hierarchy level
//   Table 15-11 RRRR request type
//   Table 15-12 PP / T / II (bus and interconnect)
//   Table 15-13 MMM memory transaction type, Table 15-14 CCCC channel
// AMD uses the same TLB / memory / bus forms (AMD64 APM Vol. 2 §9.3
// "MCi_STATUS error codes"; Linux drivers/edac/mce_amd.c), plus its own
// internal form 0000 01UU 0000 0000.
#include <stdio.h>
#include <string.h>

#include "mce/mce_priv.h"

const char *cor_mce_form_name(enum cor_mce_form form)
{
	switch (form) {
	case COR_MCE_FORM_NONE:
		return "no error";
	case COR_MCE_FORM_SIMPLE:
		return "simple";
	case COR_MCE_FORM_INTERNAL:
		return "internal unclassified";
	case COR_MCE_FORM_GENERIC_CACHE:
		return "generic cache hierarchy";
	case COR_MCE_FORM_TLB:
		return "TLB";
	case COR_MCE_FORM_MEMCTRL:
		return "memory controller";
	case COR_MCE_FORM_CACHE:
		return "cache hierarchy";
	case COR_MCE_FORM_BUS:
		return "bus and interconnect";
	case COR_MCE_FORM_UNKNOWN:
		return "unknown";
	}
	return "?";
}

/* Table 15-10 (LL). AMD's mce_amd.c reads 11 as "L3/generic". */
static const char *const ll_short[4] = {"L0", "L1", "L2", "generic level"};
static const char *const ll_text[4] = {"level 0", "level 1", "level 2",
				       "generic (no specific level)"};
/* Table 15-9 (TT). */
static const char *const tt_short[4] = {"instruction", "data", "generic", "reserved"};
/* Table 15-11 (RRRR); 9..15 reserved. */
static const char *const rrrr_short[9] = {"generic",   "read",	     "write",
					  "data read", "data write", "instruction fetch",
					  "prefetch",  "eviction",   "snoop"};
static const char *const rrrr_mnem[9] = {"ERR", "RD",	    "WR",    "DRD",  "DWR",
					 "IRD", "PREFETCH", "EVICT", "SNOOP"};
/* Table 15-12 (PP, II). */
static const char *const pp_text[4] = {
    "SRC: the local processor originated the request",
    "RES: the local processor responded to the request",
    "OBS: the local processor observed the error as a third party",
    "generic: participation not specified"};
static const char *const ii_text[4] = {"M: memory access", "reserved", "IO: I/O access",
				       "other transaction"};
/* Table 15-13 (MMM); 101..111 reserved. */
static const char *const mmm_text[8] = {"GEN: generic undefined request",
					"RD: memory read error",
					"WR: memory write error",
					"AC: address/command error",
					"MS: memory scrubbing error",
					"reserved (101)",
					"reserved (110)",
					"reserved (111)"};
static const char *const mmm_short[8] = {"generic",   "read",	  "write",    "address/command",
					 "scrubbing", "reserved", "reserved", "reserved"};

static const char *rrrr_name(unsigned r)
{
	return r < COR_ARRAY_SIZE(rrrr_short) ? rrrr_short[r] : "reserved";
}

static void add_ll(struct cor_mce_decoded *d, unsigned ll)
{
	mce_add_field(d, COR_MCE_REG_STATUS, 0, 1, "LL", "memory hierarchy level: %s", ll_text[ll]);
}

static void add_tt(struct cor_mce_decoded *d, unsigned tt)
{
	mce_add_field(d, COR_MCE_REG_STATUS, 2, 3, "TT", "transaction type: %s", tt_short[tt]);
}

static void add_rrrr(struct cor_mce_decoded *d, unsigned r)
{
	mce_add_field(d, COR_MCE_REG_STATUS, 4, 7, "RRRR", "request: %s (%s)",
		      r < COR_ARRAY_SIZE(rrrr_mnem) ? rrrr_mnem[r] : "RSVD", rrrr_name(r));
}

static void add_filter(struct cor_mce_decoded *d, uint16_t c)
{
	if (c & 0x1000)
		mce_add_field(d, COR_MCE_REG_STATUS, 12, 12, "F",
			      "correction report filtering: further corrected errors of this "
			      "kind in this bank may not be reported (§15.9.2.1)");
}

/* Table 15-7. Returns false if @c is not a simple code. */
static bool decode_simple(struct cor_mce_decoded *d, uint16_t c)
{
	static const struct {
		uint16_t code;
		const char *text, *component;
	} simple[] = {
	    {0x0000, "no error (none logged)", "none"},
	    {0x0001, "unclassified error", "not classified by the architecture (see MSCOD)"},
	    {0x0002, "microcode ROM parity error", "processor microcode ROM"},
	    {0x0003, "external error: BINIT# from another processor",
	     "another processor "
	     "or an external agent (BINIT#)"},
	    {0x0004, "functional redundancy check (FRC) master/slave error", "FRC pair"},
	    {0x0005, "internal parity error", "processor-internal array or structure"},
	    {0x0006, "SMM handler code access violation", "SMM handler (code outside SMRR)"},
	    {0x0400, "internal timer error", "processor internal timer"},
	    {0x0e0b, "generic I/O error", "I/O subsystem (IIO / PCIe)"},
	};
	for (size_t i = 0; i < COR_ARRAY_SIZE(simple); i++) {
		if (simple[i].code != c)
			continue;
		/* AMD reads 0x0400 in its internal form: decode_internal(). */
		if (c == 0x0400 && d->rec.vendor == COR_MCE_VENDOR_AMD)
			return false;
		d->form = c ? COR_MCE_FORM_SIMPLE : COR_MCE_FORM_NONE;
		mce_add_field(d, COR_MCE_REG_STATUS, 0, 15, "MCACOD", "0x%04x: %s (simple code)", c,
			      simple[i].text);
		snprintf(d->error_class, sizeof(d->error_class), "%s", simple[i].text);
		snprintf(d->component, sizeof(d->component), "%s", simple[i].component);
		return true;
	}
	return false;
}

static void decode_internal(struct cor_mce_decoded *d, uint16_t c)
{
	d->form = COR_MCE_FORM_INTERNAL;
	if (d->rec.vendor == COR_MCE_VENDOR_AMD && (c & 0xf4ff) == 0x0400) {
		/* AMD: 0000 01UU 0000 0000; UU per mce_amd.c uu_msgs: 10 = HWA. */
		unsigned uu = (c >> 8) & 3;
		mce_add_field(d, COR_MCE_REG_STATUS, 0, 15, "MCACOD",
			      "0x%04x: internal unclassified error (AMD form 0000 01UU 0000 0000)",
			      c);
		mce_add_field(d, COR_MCE_REG_STATUS, 8, 9, "UU", "internal error type: %s",
			      uu == 2 ? "HWA: hardware assertion" : "reserved");
		snprintf(d->error_class, sizeof(d->error_class), "internal unclassified error%s",
			 uu == 2 ? " (hardware assertion)" : "");
		if (c == 0x0400) {
			/* The same bits are Intel's simple code "internal timer error". */
			mce_appendf(d->error_class, sizeof(d->error_class),
				    "; in Intel's encoding (SDM Table 15-7): internal timer error");
			mce_add_note(d, "MCACOD 0x0400 on an AMD CPU: AMD's internal form with "
					"UU=00 (reserved); Intel reads it as internal timer error");
		}
	} else {
		mce_add_field(d, COR_MCE_REG_STATUS, 0, 15, "MCACOD",
			      "0x%04x: internal unclassified error (0000 01xx xxxx xxxx)", c);
		snprintf(d->error_class, sizeof(d->error_class),
			 "internal unclassified error (see MSCOD)");
	}
	snprintf(d->component, sizeof(d->component), "processor internal (unclassified)");
}

static void decode_tlb(struct cor_mce_decoded *d, uint16_t c)
{
	unsigned ll = c & 3, tt = (c >> 2) & 3;
	d->form = COR_MCE_FORM_TLB;
	mce_add_field(d, COR_MCE_REG_STATUS, 0, 15, "MCACOD",
		      "0x%04x: TLB error (000F 0000 0001 TTLL)", c);
	add_filter(d, c);
	add_tt(d, tt);
	add_ll(d, ll);
	snprintf(d->error_class, sizeof(d->error_class), "%s %s TLB error", ll_short[ll],
		 tt_short[tt]);
	snprintf(d->component, sizeof(d->component), "%s %s TLB", ll_short[ll], tt_short[tt]);
}

static void decode_memctrl(struct cor_mce_decoded *d, uint16_t c)
{
	unsigned mmm = (c >> 4) & 7, ch = c & 0xf;
	d->form = COR_MCE_FORM_MEMCTRL;
	mce_add_field(d, COR_MCE_REG_STATUS, 0, 15, "MCACOD",
		      "0x%04x: memory controller error (000F 0000 1MMM CCCC)%s", c,
		      d->rec.vendor == COR_MCE_VENDOR_AMD ? "; an Intel-only form" : "");
	add_filter(d, c);
	mce_add_field(d, COR_MCE_REG_STATUS, 4, 6, "MMM", "memory transaction: %s", mmm_text[mmm]);
	if (ch == 0xf)
		mce_add_field(d, COR_MCE_REG_STATUS, 0, 3, "CCCC", "channel not specified");
	else
		mce_add_field(d, COR_MCE_REG_STATUS, 0, 3, "CCCC", "memory channel %u", ch);
	snprintf(d->error_class, sizeof(d->error_class), "memory controller %s error",
		 mmm_short[mmm]);
	if (ch == 0xf)
		snprintf(d->component, sizeof(d->component),
			 "memory controller (channel not specified): DIMMs or controller");
	else
		snprintf(d->component, sizeof(d->component),
			 "memory controller channel %u: a DIMM on that channel, or the channel",
			 ch);
}

static void decode_cache(struct cor_mce_decoded *d, uint16_t c)
{
	unsigned ll = c & 3, tt = (c >> 2) & 3, r = (c >> 4) & 0xf;
	d->form = COR_MCE_FORM_CACHE;
	mce_add_field(d, COR_MCE_REG_STATUS, 0, 15, "MCACOD",
		      "0x%04x: cache hierarchy error (000F 0001 RRRR TTLL)", c);
	add_filter(d, c);
	add_rrrr(d, r);
	add_tt(d, tt);
	add_ll(d, ll);
	snprintf(d->error_class, sizeof(d->error_class), "%s %s cache %s error", ll_short[ll],
		 tt_short[tt], rrrr_name(r));
	snprintf(d->component, sizeof(d->component), "%s %s cache%s", ll_short[ll],
		 tt == 2 ? "unified" : tt_short[tt], ll == 3 ? " (level not specified)" : "");
}

static void decode_bus(struct cor_mce_decoded *d, uint16_t c)
{
	unsigned ll = c & 3, ii = (c >> 2) & 3, r = (c >> 4) & 0xf;
	unsigned t = (c >> 8) & 1, pp = (c >> 9) & 3;
	d->form = COR_MCE_FORM_BUS;
	mce_add_field(d, COR_MCE_REG_STATUS, 0, 15, "MCACOD",
		      "0x%04x: bus and interconnect error (000F 1PPT RRRR IILL)", c);
	add_filter(d, c);
	mce_add_field(d, COR_MCE_REG_STATUS, 9, 10, "PP", "participation: %s", pp_text[pp]);
	mce_add_field(d, COR_MCE_REG_STATUS, 8, 8, "T", "%s",
		      t ? "timeout: the request timed out" : "no timeout");
	add_rrrr(d, r);
	mce_add_field(d, COR_MCE_REG_STATUS, 2, 3, "II", "memory or I/O: %s", ii_text[ii]);
	add_ll(d, ll);
	snprintf(d->error_class, sizeof(d->error_class), "bus/interconnect %s error%s (%s, %s)",
		 rrrr_name(r), t ? " with timeout" : "",
		 ii == 2   ? "I/O"
		 : ii == 0 ? "memory"
			   : "other",
		 pp == 0   ? "source"
		 : pp == 1 ? "responder"
		 : pp == 2 ? "observer"
			   : "generic");
	snprintf(d->component, sizeof(d->component),
		 "bus/interconnect (QPI/UPI, ring/mesh, or the %s side)",
		 ii == 2 ? "I/O" : "memory");
}

void mce_decode_mcacod(struct cor_mce_decoded *d)
{
	uint16_t c = d->mcacod;
	uint16_t nf = c & 0xefff; /* without F, bit 12 */
	if (decode_simple(d, c))
		return;
	if ((c & 0xfc00) == 0x0400) {
		decode_internal(d, c);
	} else if ((nf & 0xfffc) == 0x000c) {
		unsigned ll = c & 3;
		d->form = COR_MCE_FORM_GENERIC_CACHE;
		mce_add_field(d, COR_MCE_REG_STATUS, 0, 15, "MCACOD",
			      "0x%04x: generic cache hierarchy error (000F 0000 0000 11LL)", c);
		add_filter(d, c);
		add_ll(d, ll);
		snprintf(d->error_class, sizeof(d->error_class), "generic %s cache hierarchy error",
			 ll_short[ll]);
		snprintf(d->component, sizeof(d->component), "%s cache", ll_short[ll]);
	} else if ((nf & 0xfff0) == 0x0010) {
		decode_tlb(d, c);
	} else if ((nf & 0xff80) == 0x0080) {
		decode_memctrl(d, c);
	} else if ((nf & 0xff00) == 0x0100) {
		decode_cache(d, c);
	} else if ((nf & 0xf800) == 0x0800) {
		decode_bus(d, c);
	} else {
		d->form = COR_MCE_FORM_UNKNOWN;
		mce_add_field(d, COR_MCE_REG_STATUS, 0, 15, "MCACOD",
			      "0x%04x: not an architectural error code (model specific or "
			      "reserved)",
			      c);
		snprintf(d->error_class, sizeof(d->error_class),
			 "unknown error code 0x%04x (not in SDM Tables 15-7/15-8)", c);
		snprintf(d->component, sizeof(d->component), "unknown");
	}
}
