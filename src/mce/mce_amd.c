// SPDX-License-Identifier: MIT
// AMD machine-check decode: the AMD-only MCi_STATUS bits, the legacy bank
// layout of families 0Fh-16h, and Scalable MCA (families 17h/19h/1Ah,
// Hygon 18h) bank types from MCA_IPID with their extended error codes.
//
// Sources (facts only): AMD64 APM Vol. 2 §9.3 (MCi_STATUS); the BKDGs of
// families 10h-16h (MC4 northbridge, MC5, MC6 error tables); the PPRs of
// family 17h/19h (MCA_STATUS, MCA_IPID HardwareID/McaType, per-bank
// ErrorCodeExt tables), as tabulated by Linux 6.1
// arch/x86/kernel/cpu/mce/amd.c (smca_hwid_mcatypes) and
// drivers/edac/mce_amd.c (smca_*_mce_desc, mc4/mc5/mc6_mce_desc).
#include <stdio.h>
#include <string.h>

#include "mce/mce_priv.h"

const char *mce_amd_family_name(uint32_t family)
{
	switch (family) {
	case 0x0f:
		return "K8: Athlon 64 / Opteron";
	case 0x10:
		return "family 10h: Phenom / Opteron (K10)";
	case 0x11:
		return "family 11h: Turion X2 Ultra";
	case 0x12:
		return "family 12h: Llano";
	case 0x14:
		return "family 14h: Bobcat";
	case 0x15:
		return "family 15h: Bulldozer / Piledriver / Steamroller / Excavator";
	case 0x16:
		return "family 16h: Jaguar / Puma";
	case 0x17:
		return "family 17h: Zen / Zen+ / Zen 2 (EPYC 7001/7002)";
	case 0x18:
		return "Hygon family 18h: Dhyana";
	case 0x19:
		return "family 19h: Zen 3 / Zen 4 (EPYC 7003/9004)";
	case 0x1a:
		return "family 1Ah: Zen 5";
	}
	return NULL;
}

static bool is_smca(const struct cor_mce_record *r)
{
	return (r->have & COR_MCE_HAVE_CPUID) && r->family >= 0x17;
}

void mce_amd_status_bits(struct cor_mce_decoded *d)
{
	const struct cor_mce_record *r = &d->rec;
	uint64_t v = r->status;
	bool smca = is_smca(r);
	if (smca && mce_bit(v, 56))
		mce_add_field(d, COR_MCE_REG_STATUS, 32, 37, "ErrCoreId",
			      "ErrCoreIdVal: the error is attributed to core %u",
			      (unsigned)mce_bits(v, 32, 37));
	if (smca && mce_bit(v, 55)) {
		mce_add_field(d, COR_MCE_REG_STATUS, 55, 55, "TCC",
			      "task context corrupt: the interrupted task cannot continue "
			      "(the processor itself can)");
	}
	if (smca && mce_bit(v, 53))
		mce_add_field(d, COR_MCE_REG_STATUS, 53, 53, "SyndV", "MCA_SYND holds a syndrome");
	unsigned ecc = (unsigned)mce_bits(v, 45, 46);
	if (ecc)
		mce_add_field(d, COR_MCE_REG_STATUS, 45, 46, ecc == 2 ? "CECC" : "UECC", "%s",
			      ecc == 2	 ? "correctable ECC error"
			      : ecc == 1 ? "uncorrectable ECC error"
					 : "both correctable and uncorrectable ECC flags set");
	bool f15plus = !(r->have & COR_MCE_HAVE_CPUID) || r->family >= 0x15;
	if (f15plus && mce_bit(v, 44))
		mce_add_field(d, COR_MCE_REG_STATUS, 44, 44, "Deferred",
			      "deferred error: uncorrected, not yet consumed; the data is "
			      "poisoned and no #MC was raised");
	if (f15plus && mce_bit(v, 43))
		mce_add_field(d, COR_MCE_REG_STATUS, 43, 43, "Poison",
			      "poison: the error was caused by consuming poisoned data");
	if (smca && mce_bit(v, 40))
		mce_add_field(d, COR_MCE_REG_STATUS, 40, 40, "Scrub",
			      "detected by a scrub (not by a demand access)");
	mce_add_field(d, COR_MCE_REG_STATUS, 16, smca ? 21 : 20, "XEC",
		      "extended error code 0x%x (bank specific)",
		      (unsigned)mce_bits(v, 16, smca ? 21 : 20));
}

/* ---- Scalable MCA ------------------------------------------------------- */

static const char *const smca_ls[] = {
    "load queue parity error",
    "store queue parity error",
    "miss address buffer payload parity error",
    "level 1 TLB parity error",
    "DC tag error type 5",
    "DC tag error type 6",
    "DC tag error type 1",
    "internal error type 1",
    "internal error type 2",
    "system read data error thread 0",
    "system read data error thread 1",
    "DC tag error type 2",
    "DC data error type 1 and poison consumption",
    "DC data error type 2",
    "DC data error type 3",
    "DC tag error type 4",
    "level 2 TLB parity error",
    "PDC parity error",
    "DC tag error type 3",
    "DC tag error type 5",
    "L2 fill data error",
};
static const char *const smca_ls2[] = {
    "ECC error on a data cache read by a probe or victimization",
    "ECC error or L2 poison on a data cache read by a load",
    "ECC error on a data cache read-modify-write by a store",
    "ECC error or poison bit mismatch on a tag read by a probe or victimization",
    "ECC error or poison bit mismatch on a tag read by a load",
    "ECC error or poison bit mismatch on a tag read by a store",
    "ECC error on an EMEM read by a load",
    "ECC error on an EMEM read-modify-write by a store",
    "parity error in an L1 TLB entry",
    "parity error in an L2 TLB entry",
    "parity error in a PWC entry",
    "parity error in an STQ entry",
    "parity error in an LDQ entry",
    "parity error in a MAB entry",
    "parity error in an SCB entry state field",
    "parity error in an SCB entry address field",
    "parity error in an SCB entry data field",
    "parity error in a WCB entry",
    "poisoned line in an SCB entry",
    "SystemReadDataError on read data returned from L2 for a load",
    "SystemReadDataError on read data returned from L2 for an SCB store",
    "SystemReadDataError on read data returned from L2 for a WCB store",
    "hardware assertion",
    "parity error in an STLF, SCB EMEM entry or SRB store data",
};
static const char *const smca_if[] = {
    "op cache microtag probe port parity error",
    "IC microtag or full tag multi-hit error",
    "IC full tag parity error",
    "IC data array parity error",
    "decoupling queue PhysAddr parity error",
    "L0 ITLB parity error",
    "L1 ITLB parity error",
    "L2 ITLB parity error",
    "BPQ thread 0 snoop parity error",
    "BPQ thread 1 snoop parity error",
    "L1 BTB multi-match error",
    "L2 BTB multi-match error",
    "L2 cache response poison error",
    "system read data error",
    "hardware assertion error",
    "L1-TLB multi-hit",
    "L2-TLB multi-hit",
    "BSR parity error",
    "CT MCE",
};
static const char *const smca_l2[] = {
    "L2M tag multiple-way-hit error",
    "L2M tag or state array ECC error",
    "L2M data array ECC error",
    "hardware assert error",
};
static const char *const smca_de[] = {
    "micro-op cache tag parity error",
    "micro-op cache data parity error",
    "instruction buffer parity error",
    "micro-op queue parity error",
    "instruction dispatch queue parity error",
    "fetch address FIFO parity error",
    "patch RAM data parity error",
    "patch RAM sequencer parity error",
    "micro-op buffer parity error",
    "hardware assertion MCA error",
};
static const char *const smca_ex[] = {
    "watchdog timeout error",
    "physical register file parity error",
    "flag register file parity error",
    "immediate displacement register file parity error",
    "address generator payload parity error",
    "EX payload parity error",
    "checkpoint queue parity error",
    "retire dispatch queue parity error",
    "retire status queue parity error",
    "scheduling queue parity error",
    "branch buffer queue parity error",
    "hardware assertion error",
    "spec map parity error",
    "retire map parity error",
};
static const char *const smca_fp[] = {
    "physical register file (PRF) parity error",
    "freelist (FL) parity error",
    "schedule queue parity error",
    "NSQ parity error",
    "retire queue (RQ) parity error",
    "status register file (SRF) parity error",
    "hardware assertion",
};
static const char *const smca_l3[] = {
    "shadow tag macro ECC error",
    "shadow tag macro multi-way-hit error",
    "L3M tag ECC error",
    "L3M tag multi-way-hit error",
    "L3M data ECC error",
    "SDP parity error or SystemReadDataError from XI",
    "L3 victim queue parity error",
    "L3 hardware assertion",
};
static const char *const smca_cs[] = {
    "illegal request",
    "address violation",
    "security violation",
    "illegal response",
    "unexpected response",
    "request or probe parity error",
    "read response parity error",
    "atomic request parity error",
    "probe filter ECC error",
};
static const char *const smca_cs2[] = {
    "illegal request",
    "address violation",
    "security violation",
    "illegal response",
    "unexpected response",
    "request or probe parity error",
    "read response parity error",
    "atomic request parity error",
    "SDP read response had no match in the CS queue",
    "probe filter protocol error",
    "probe filter ECC error",
    "SDP read response had an unexpected RETRY error",
    "counter overflow error",
    "counter underflow error",
};
static const char *const smca_pie[] = {
    "hardware assert",	       "register security violation",	    "link error",
    "poison data consumption", "deferred error detected in the DF",
};
static const char *const smca_umc[] = {
    "DRAM ECC error",
    "data poison error",
    "SDP parity error",
    "advanced peripheral bus error",
    "address/command parity error",
    "write data CRC error",
    "DCQ SRAM ECC error",
    "AES SRAM ECC error",
};
static const char *const smca_pb[] = {"ECC error in the parameter block RAM array"};
static const char *const smca_psp[] = {"ECC or parity error in a PSP RAM instance"};
static const char *const smca_smu[] = {"ECC or parity error in an SMU RAM instance"};
static const char *const smca_nbio[] = {
    "ECC or parity error",	  "PCIe error", "SDP ErrEvent error", "SDP egress poison error",
    "IOHC internal poison error",
};
static const char *const smca_pcie[] = {
    "CCIX PER message logging",
    "CCIX read response with status: non-data error",
    "CCIX write response with status: non-data error",
    "CCIX read response with status: data error",
    "CCIX non-okay write response with data error",
};

#define DESCS(t) t, COR_ARRAY_SIZE(t)

/* MCA_IPID[43:32] HardwareID and [63:48] McaType -> bank type. */
static const struct smca_type {
	uint16_t hwid, mcatype;
	const char *name;
	const char *const *descs;
	size_t ndescs;
} smca_types[] = {
    {0xb0, 0x0, "load-store unit (LS)", DESCS(smca_ls)},
    {0xb0, 0x10, "load-store unit (LS v2)", DESCS(smca_ls2)},
    {0xb0, 0x1, "instruction fetch unit (IF)", DESCS(smca_if)},
    {0xb0, 0x2, "L2 cache", DESCS(smca_l2)},
    {0xb0, 0x3, "decode unit (DE)", DESCS(smca_de)},
    {0xb0, 0x5, "execution unit (EX)", DESCS(smca_ex)},
    {0xb0, 0x6, "floating point unit (FP)", DESCS(smca_fp)},
    {0xb0, 0x7, "L3 cache", DESCS(smca_l3)},
    {0x2e, 0x0, "data fabric coherent slave (CS)", DESCS(smca_cs)},
    {0x2e, 0x1, "data fabric power/interrupt/etc. (PIE)", DESCS(smca_pie)},
    {0x2e, 0x2, "data fabric coherent slave (CS v2)", DESCS(smca_cs2)},
    {0x96, 0x0, "unified memory controller (UMC)", DESCS(smca_umc)},
    {0x96, 0x1, "unified memory controller (UMC v2)", NULL, 0},
    {0x05, 0x0, "parameter block (PB)", DESCS(smca_pb)},
    {0xff, 0x0, "platform security processor (PSP)", DESCS(smca_psp)},
    {0xff, 0x1, "platform security processor (PSP v2)", NULL, 0},
    {0x01, 0x0, "system management unit (SMU)", DESCS(smca_smu)},
    {0x01, 0x1, "system management unit (SMU v2)", NULL, 0},
    {0x01, 0x2, "microprocessor 5 (MP5)", NULL, 0},
    {0x18, 0x0, "northbridge IO unit (NBIO)", DESCS(smca_nbio)},
    {0x46, 0x0, "PCIe root port", DESCS(smca_pcie)},
    {0x46, 0x1, "PCIe root port (v2)", NULL, 0},
    {0x50, 0x0, "xGMI PCS", NULL, 0},
    {0x6c, 0x0, "NBIF", NULL, 0},
    {0x80, 0x0, "system hub (SHUB)", NULL, 0},
    {0xa8, 0x0, "SATA", NULL, 0},
    {0xaa, 0x0, "USB", NULL, 0},
    {0x241, 0x0, "GMI PCS", NULL, 0},
    {0x259, 0x0, "xGMI PHY", NULL, 0},
    {0x267, 0x0, "WAFL PHY", NULL, 0},
    {0x269, 0x0, "GMI PHY", NULL, 0},
};

static const struct smca_type *smca_find(uint16_t hwid, uint16_t mcatype)
{
	for (size_t i = 0; i < COR_ARRAY_SIZE(smca_types); i++)
		if (smca_types[i].hwid == hwid && smca_types[i].mcatype == mcatype)
			return &smca_types[i];
	return NULL;
}

static void decode_smca(struct cor_mce_decoded *d)
{
	const struct cor_mce_record *r = &d->rec;
	unsigned xec = (unsigned)mce_bits(r->status, 16, 21);
	const struct smca_type *t = NULL;
	snprintf(d->model_table, sizeof(d->model_table),
		 "AMD family %02Xh PPR: MCA_IPID bank types and MCA_STATUS[21:16] ErrorCodeExt",
		 r->family);
	if (r->have & COR_MCE_HAVE_IPID) {
		uint16_t hwid = (uint16_t)mce_bits(r->ipid, 32, 43);
		uint16_t type = (uint16_t)mce_bits(r->ipid, 48, 63);
		mce_add_field(d, COR_MCE_REG_IPID, 32, 43, "HardwareID", "hardware ID 0x%x", hwid);
		mce_add_field(d, COR_MCE_REG_IPID, 48, 63, "McaType", "MCA type 0x%x", type);
		mce_add_field(d, COR_MCE_REG_IPID, 0, 31, "InstanceId", "instance 0x%x",
			      (unsigned)mce_bits(r->ipid, 0, 31));
		t = smca_find(hwid, type);
	} else if (r->have & COR_MCE_HAVE_BANK) {
		/* Zen cores put LS, IF, L2, DE, (reserved), EX, FP in banks 0-6. */
		static const uint8_t core_types[7] = {0, 1, 2, 3, 0xff, 5, 6};
		if (r->bank < 7 && core_types[r->bank] != 0xff) {
			t = smca_find(0xb0, core_types[r->bank]);
			mce_add_note(d,
				     "MCA_IPID not given: bank %u taken as the usual Zen core "
				     "bank (%s); give --ipid to be sure",
				     r->bank, t ? t->name : "?");
		}
	}
	if (!t) {
		d->lookup = COR_MCE_LOOKUP_ABSENT;
		snprintf(d->model_text, sizeof(d->model_text),
			 "not in tables: bank type unknown (needs MCA_IPID); extended error code "
			 "0x%x",
			 xec);
		return;
	}
	snprintf(d->component, sizeof(d->component), "%s", t->name);
	if (xec < t->ndescs) {
		d->lookup = COR_MCE_LOOKUP_FOUND;
		snprintf(d->model_text, sizeof(d->model_text), "%s: %s (extended error code 0x%x)",
			 t->name, t->descs[xec], xec);
	} else {
		d->lookup = COR_MCE_LOOKUP_ABSENT;
		snprintf(d->model_text, sizeof(d->model_text),
			 "%s: extended error code 0x%x not in tables", t->name, xec);
	}
}

/* ---- families 0Fh-16h --------------------------------------------------- */

static const char *const nb_xec[0x20] = {
    /* MC4 (northbridge) extended error codes, BKDG F3x48 / MSR0000_0411 */
    [0x0] = "DRAM ECC error detected on the NB",
    [0x1] = "CRC error detected on HT link",
    [0x2] = "link-defined sync error packets detected on HT link",
    [0x3] = "HT master abort",
    [0x4] = "HT target abort",
    [0x5] = "invalid GART PTE entry during GART table walk",
    [0x6] = "unsupported atomic RMW received from an IO link",
    [0x7] = "watchdog timeout due to lack of progress",
    [0x8] = "DRAM ECC error detected on the NB",
    [0x9] = "SVM DMA exclusion vector error",
    [0xa] = "HT data error detected on link",
    [0xb] = "protocol error (link, L3, probe filter)",
    [0xc] = "NB internal arrays parity error",
    [0xd] = "DRAM address/control signals parity error",
    [0xe] = "IO link transmission error",
    [0x1c] = "L3 data cache ECC error",
    [0x1d] = "L3 cache tag error",
    [0x1e] = "L3 LRU parity bits error",
    [0x1f] = "ECC error in the probe filter directory",
};
static const char *const f15_mc5_xec[] = {
    "CPU watchdog timer expire",
    "wakeup array dest tag",
    "AG payload array",
    "EX payload array",
    "IDRF array",
    "retire dispatch queue",
    "mapper checkpoint array",
    "physical register file EX0 port",
    "physical register file EX1 port",
    "physical register file AG0 port",
    "physical register file AG1 port",
    "flag register file",
    "DE error occurred",
    "retire status queue",
};
static const char *const f15_mc6_xec[] = {
    "hardware assertion", "free list",	     "physical register file",
    "retire queue",	  "scheduler table", "status register file",
};

static void decode_legacy(struct cor_mce_decoded *d)
{
	const struct cor_mce_record *r = &d->rec;
	unsigned fam = r->family, bank = r->bank;
	static const char *const banks[7] = {"data cache (DC)",		"instruction cache (IC)",
					     "bus unit (BU)",		"load-store unit (LS)",
					     "northbridge (NB)",	"execution unit / FIROB",
					     "floating point unit (FP)"};
	snprintf(d->model_table, sizeof(d->model_table),
		 "AMD BKDG family %02Xh: MC0-MC6 bank layout and extended error codes", fam);
	unsigned nbanks = fam == 0xf || fam == 0x11 ? 5 : fam >= 0x15 ? 7 : 6;
	if (!(r->have & COR_MCE_HAVE_BANK) || bank >= nbanks) {
		d->lookup = COR_MCE_LOOKUP_ABSENT;
		if (r->have & COR_MCE_HAVE_BANK)
			snprintf(d->model_text, sizeof(d->model_text),
				 "not in tables: family %02Xh documents banks 0-%u; bank %u is not "
				 "one of them",
				 fam, nbanks - 1, bank);
		else
			snprintf(d->model_text, sizeof(d->model_text),
				 "not in tables: bank not given");
		return;
	}
	const char *name = bank == 2 && fam == 0x15   ? "combined unit (CU)"
			   : bank == 5 && fam == 0x15 ? "execution unit (EX)"
						      : banks[bank];
	snprintf(d->component, sizeof(d->component), "%s", name);
	unsigned xec = (unsigned)mce_bits(r->status, 16, 20);
	const char *text = NULL;
	if (bank == 4)
		text = nb_xec[xec];
	else if (bank == 5 && fam == 0x15 && xec < COR_ARRAY_SIZE(f15_mc5_xec))
		text = f15_mc5_xec[xec];
	else if (bank == 6 && fam == 0x15 && xec < COR_ARRAY_SIZE(f15_mc6_xec))
		text = f15_mc6_xec[xec];
	if (text) {
		d->lookup = COR_MCE_LOOKUP_FOUND;
		snprintf(d->model_text, sizeof(d->model_text), "%s: %s (extended error code 0x%x)",
			 name, text, xec);
	} else {
		d->lookup = COR_MCE_LOOKUP_ABSENT;
		snprintf(d->model_text, sizeof(d->model_text),
			 "%s: extended error code 0x%x not in tables", name, xec);
	}
}

void mce_amd_decode(struct cor_mce_decoded *d)
{
	const struct cor_mce_record *r = &d->rec;
	if (mce_bit(r->status, 55) && is_smca(r))
		d->context_corrupt = true;
	if (!(r->have & COR_MCE_HAVE_CPUID)) {
		d->lookup = COR_MCE_LOOKUP_NONE;
		snprintf(d->model_text, sizeof(d->model_text),
			 "CPU family not given: bank-specific decode not attempted");
		return;
	}
	if (is_smca(r))
		decode_smca(d);
	else if (r->family >= 0xf)
		decode_legacy(d);
	else {
		d->lookup = COR_MCE_LOOKUP_ABSENT;
		snprintf(d->model_text, sizeof(d->model_text),
			 "not in tables: AMD family %02Xh predates the documented MCA banks",
			 r->family);
	}
}
