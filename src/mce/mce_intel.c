// SPDX-License-Identifier: MIT
// Intel model-specific machine-check decode: CPU model names, which models
// have software error recovery (MCG_SER_P), and the MSCOD tables of SDM
// Vol. 3B ch.16 "Interpreting Machine-Check Error Codes" for the server
// families. Only tables known with certainty are encoded; everything else
// is reported as "not in tables" rather than guessed.
//
// Table numbers are those of the SDM editions 2013-2021 (order no. 325384);
// the sections are named by their DisplayFamily_DisplayModel signature,
// which is how every edition titles them. Cross-checked against the
// decoders of mcelog (nehalem.c, sandy-bridge.c, ivy-bridge.c, haswell.c,
// skylake_xeon.c, i10nm.c), which cite the same tables.
#include <stdio.h>
#include <string.h>

#include "mce/mce_priv.h"

/* ---- model names ------------------------------------------------------ */

static const struct {
	uint8_t model;
	bool ser; /* MCG_SER_P on the server parts of this model (assumed if MCG_CAP unknown) */
	const char *name;
} intel_models[] = {
    {0x0e, false, "Core Duo / Core Solo (Yonah)"},
    {0x0f, false, "Core 2 (Merom)"},
    {0x17, false, "Core 2 (Penryn)"},
    {0x1a, false, "Nehalem-EP: Xeon 5500 / Core i7-900"},
    {0x1c, false, "Atom (Bonnell)"},
    {0x1d, false, "Xeon 7400 (Dunnington)"},
    {0x1e, false, "Nehalem: Core i5/i7 (Lynnfield)"},
    {0x1f, false, "Nehalem (Havendale)"},
    {0x25, false, "Westmere: Core i3/i5 (Clarkdale)"},
    {0x2a, false, "Sandy Bridge (client)"},
    {0x2c, false, "Westmere-EP: Xeon 5600"},
    {0x2d, true, "Sandy Bridge-EP: Xeon E5"},
    {0x2e, true, "Nehalem-EX: Xeon 7500"},
    {0x2f, true, "Westmere-EX: Xeon E7"},
    {0x3a, false, "Ivy Bridge (client)"},
    {0x3c, false, "Haswell (client)"},
    {0x3d, false, "Broadwell (client)"},
    {0x3e, true, "Ivy Bridge-EP/EX: Xeon E5/E7 v2"},
    {0x3f, true, "Haswell-EP/EX: Xeon E5/E7 v3"},
    {0x45, false, "Haswell (ULT)"},
    {0x46, false, "Haswell (GT3e)"},
    {0x47, false, "Broadwell (GT3e)"},
    {0x4e, false, "Skylake (mobile)"},
    {0x4f, true, "Broadwell-EP/EX: Xeon E5/E7 v4"},
    {0x55, true, "Skylake-SP / Cascade Lake / Cooper Lake: Xeon Scalable"},
    {0x56, true, "Broadwell-DE: Xeon D-1500"},
    {0x57, false, "Xeon Phi (Knights Landing)"},
    {0x5e, false, "Skylake (desktop)"},
    {0x5f, false, "Atom C3000 (Denverton)"},
    {0x6a, true, "Ice Lake-SP: 3rd gen Xeon Scalable"},
    {0x6c, true, "Ice Lake-D: Xeon D-1700/2700"},
    {0x7e, false, "Ice Lake (client)"},
    {0x85, false, "Xeon Phi (Knights Mill)"},
    {0x86, false, "Atom P5900 (Snow Ridge)"},
    {0x8c, false, "Tiger Lake (client)"},
    {0x8e, false, "Kaby Lake / Coffee Lake (mobile)"},
    {0x8f, true, "Sapphire Rapids: 4th gen Xeon Scalable"},
    {0x97, false, "Alder Lake (desktop)"},
    {0x9a, false, "Alder Lake (mobile)"},
    {0x9e, false, "Kaby Lake / Coffee Lake (desktop)"},
    {0xad, true, "Granite Rapids: Xeon 6 (P-core)"},
    {0xaf, true, "Sierra Forest: Xeon 6 (E-core)"},
    {0xb7, false, "Raptor Lake (desktop)"},
    {0xcf, true, "Emerald Rapids: 5th gen Xeon Scalable"},
};

const char *mce_intel_model_name(uint32_t family, uint32_t model)
{
	if (family == 0xf)
		return "Pentium 4 / Xeon (NetBurst)";
	if (family != 6)
		return NULL;
	for (size_t i = 0; i < COR_ARRAY_SIZE(intel_models); i++)
		if (intel_models[i].model == model)
			return intel_models[i].name;
	return NULL;
}

bool mce_intel_model_has_ser(uint32_t family, uint32_t model)
{
	if (family != 6)
		return false;
	for (size_t i = 0; i < COR_ARRAY_SIZE(intel_models); i++)
		if (intel_models[i].model == model)
			return intel_models[i].ser;
	return false;
}

/* ---- table helpers ------------------------------------------------------ */

struct bitname {
	uint8_t bit;
	const char *text;
};

struct valname {
	uint16_t value;
	const char *text;
};

static const char *lookup_val(const struct valname *t, size_t n, uint64_t v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == v)
			return t[i].text;
	return NULL;
}

static void set_table(struct cor_mce_decoded *d, const char *table)
{
	snprintf(d->model_table, sizeof(d->model_table), "%s", table);
}

/* Appends "<prefix>: <text>" (text NULL: not in tables) and records the lookup result. */
static bool found_text(struct cor_mce_decoded *d, const char *prefix, const char *text, uint64_t v,
		       unsigned lo, unsigned hi)
{
	if (d->model_text[0])
		mce_appendf(d->model_text, sizeof(d->model_text), "; ");
	if (text) {
		mce_appendf(d->model_text, sizeof(d->model_text),
			    "%s: %s (MCi_STATUS[%u:%u]=0x%llx)", prefix, text, hi, lo,
			    (unsigned long long)v);
		mce_add_field(d, COR_MCE_REG_STATUS, lo, hi, "MSCOD.MS", "%s: %s", prefix, text);
		d->lookup = COR_MCE_LOOKUP_FOUND;
		return true;
	}
	mce_appendf(d->model_text, sizeof(d->model_text), "%s: 0x%llx not in tables", prefix,
		    (unsigned long long)v);
	if (d->lookup != COR_MCE_LOOKUP_FOUND)
		d->lookup = COR_MCE_LOOKUP_ABSENT;
	return false;
}

/* found_text() for a value table. */
static bool found_val(struct cor_mce_decoded *d, const char *prefix, const struct valname *t,
		      size_t n, uint64_t v, unsigned lo, unsigned hi)
{
	return found_text(d, prefix, lookup_val(t, n, v), v, lo, hi);
}

/* MC4_STATUS[31:24] 0x65-0x7A on 06_6AH/06_6CH/06_8FH: one meaning for the range. */
static const char *pkgs_reset_prep(uint64_t v)
{
	return v >= 0x65 && v <= 0x7a ? "MCA_PKGS_RESET_PREP_TIMEOUT" : NULL;
}

/* Names each set bit of status[lo..hi] from a bit table. */
static void found_bits(struct cor_mce_decoded *d, const char *prefix, const struct bitname *t,
		       size_t n, uint64_t status, unsigned lo, unsigned hi)
{
	bool any = false;
	for (unsigned b = lo; b <= hi; b++) {
		if (!mce_bit(status, b))
			continue;
		const char *text = NULL;
		for (size_t i = 0; i < n; i++)
			if (t[i].bit == b)
				text = t[i].text;
		mce_appendf(d->model_text, sizeof(d->model_text), "%s%s bit %u: %s",
			    d->model_text[0] ? "; " : "", prefix, b, text ? text : "not in tables");
		if (text) {
			mce_add_field(d, COR_MCE_REG_STATUS, b, b, "MSCOD.MS", "%s: %s", prefix,
				      text);
			d->lookup = COR_MCE_LOOKUP_FOUND;
		} else if (d->lookup != COR_MCE_LOOKUP_FOUND) {
			d->lookup = COR_MCE_LOOKUP_ABSENT;
		}
		any = true;
	}
	if (!any && d->lookup != COR_MCE_LOOKUP_FOUND) {
		mce_appendf(d->model_text, sizeof(d->model_text), "%s%s: no MSCOD bit set",
			    d->model_text[0] ? "; " : "", prefix);
		d->lookup = COR_MCE_LOOKUP_ABSENT;
	}
}

#define VALS(t) t, COR_ARRAY_SIZE(t)

/* ---- Nehalem / Westmere: §16.3, signature 06_1AH (and 06_1EH, 06_1FH,
 * 06_25H, 06_2CH); Xeon 7500 06_2EH: internal errors only (§16.3.2) ---- */

static const struct bitname nhm_qpi[] = {
    {16, "QPI header had bad parity"},
    {17, "QPI data packet had bad parity"},
    {18, "number of QPI retries exceeded"},
    {19, "received a QPI data packet poisoned by the sender"},
    {22, "QPI received an unsupported message encoding"},
    {23, "QPI credit type not supported"},
    {24, "sender sent too many QPI flits to the receiver"},
    {25, "QPI sender sent a failed response to the receiver"},
    {26, "clock jitter detected in internal QPI clocking"},
};
static const struct valname nhm_internal[] = {
    {0x00, "no error"},
    {0x03, "reset firmware did not complete"},
    {0x08, "received an invalid CMPD"},
    {0x0a, "invalid power management request"},
    {0x0d, "invalid S-state transition"},
    {0x11, "VID controller does not match POC controller selected"},
    {0x1a, "MSID from POC does not match CPU MSID"},
};
static const struct bitname nhm_mem[] = {
    {16, "memory read ECC error"},	 {17, "memory ECC error occurred during scrub"},
    {18, "memory write parity error"},	 {19, "memory error in half of redundant memory"},
    {21, "memory access out of range"},	 {22, "memory internal RTID invalid"},
    {23, "memory address parity error"}, {24, "memory byte enable parity error"},
};

static void decode_nhm(struct cor_mce_decoded *d, bool ex)
{
	uint64_t st = d->rec.status;
	uint16_t c = d->mcacod;
	set_table(d, ex ? "SDM Vol. 3B §16.3 (06_2EH): internal machine check errors"
			: "SDM Vol. 3B §16.3 (06_1AH): Intel QPI, internal and integrated "
			  "memory controller machine check errors");
	if (c == 0x0001) {
		found_val(d, "internal error", VALS(nhm_internal), mce_bits(st, 24, 31), 24, 31);
		return;
	}
	if (!ex && (c >> 11) == 1) {
		found_bits(d, "QPI", VALS(nhm_qpi), st, 16, 26);
		snprintf(d->component, sizeof(d->component), "QPI link (socket interconnect)");
		return;
	}
	if (!ex && (c >> 7) == 1) {
		found_bits(d, "memory controller", VALS(nhm_mem), st, 16, 24);
		if (mce_bit(st, 59) && (d->rec.have & COR_MCE_HAVE_MISC)) {
			unsigned dimm = (unsigned)mce_bits(d->rec.misc, 16, 17);
			unsigned ch = (unsigned)mce_bits(d->rec.misc, 18, 19);
			mce_add_field(d, COR_MCE_REG_MISC, 16, 17, "DIMM", "DIMM %u", dimm);
			mce_add_field(d, COR_MCE_REG_MISC, 18, 19, "CHANNEL", "channel %u", ch);
			mce_add_field(d, COR_MCE_REG_MISC, 32, 63, "SYNDROME",
				      "ECC syndrome 0x%llx",
				      (unsigned long long)mce_bits(d->rec.misc, 32, 63));
			snprintf(d->component, sizeof(d->component), "memory: channel %u, DIMM %u",
				 ch, dimm);
		}
		return;
	}
	d->lookup = COR_MCE_LOOKUP_ABSENT;
	snprintf(d->model_text, sizeof(d->model_text),
		 "not in tables: the 06_%02XH tables cover %s; nothing for MCACOD 0x%04x with "
		 "MSCOD 0x%04x",
		 d->rec.model,
		 ex ? "internal error 0x0001 only"
		    : "QPI bus errors, internal error 0x0001 and memory controller errors",
		 c, d->mscod);
}

/* ---- Sandy Bridge-EP 06_2DH (§16.4) and Ivy Bridge-EP 06_3EH (§16.5:
 * Table 16-17 PCU, Table 16-18 IMC) ---- */

static const struct valname pcu_instr[] = {
    /* MC4_STATUS[19:16] (06_2DH, 06_3EH) */
    {0, "no error"},	      {1, "Non_IMem_Sel"},	{2, "I_Parity_Error"},
    {3, "Bad_OpCode"},	      {4, "I_Stack_Underflow"}, {5, "I_Stack_Overflow"},
    {6, "D_Stack_Underflow"}, {7, "D_Stack_Overflow"},	{8, "Non-DMem_Sel"},
    {9, "D_Parity_Error"},
};
static const struct valname snb_pcu[] = {
    /* MC4_STATUS[31:24], 06_2DH */
    {0x00, "no error"},
    {0x20, "MC_RCLK_PLL_LOCK_TIMEOUT"},
    {0x21, "MC_PCIE_PLL_LOCK_TIMEOUT"},
    {0x22, "MC_BOOT_VID_SET_TIMEOUT"},
    {0x23, "MC_BOOT_FREQUENCY_SET_TIMEOUT"},
    {0x24, "MC_START_IA_CORES_TIMEOUT"},
    {0x26, "MC_PCIE_RCOMP_TIMEOUT"},
    {0x27, "MC_PMA_DNS_COMMAND_TIMEOUT"},
    {0x28, "MC_MESSAGE_CHANNEL_TIMEOUT"},
    {0x29, "MC_GVFSM_BGF_PROGRAM_TIMEOUT"},
    {0x2a, "MC_MC_PLL_LOCK_TIMEOUT"},
    {0x2b, "MC_MS_BGF_PROGRAM_TIMEOUT"},
};
static const struct valname ivb_pcu[] = {
    /* MC4_STATUS[31:24], 06_3EH, Table 16-17 */
    {0x00, "no error"},
    {0x0d, "MC_IMC_FORCE_SR_S3_TIMEOUT"},
    {0x0e, "MC_MC_CPD_UNCPD_ST_TIMEOUT"},
    {0x0f, "MC_PKGS_SAFE_WP_TIMEOUT"},
    {0x43, "MC_PECI_MAILBOX_QUIESCE_TIMEOUT"},
    {0x44, "MC_CRITICAL_VR_FAILED"},
    {0x45, "MC_ICC_MAX-NOTSUPPORTED"},
    {0x5c, "MC_MORE_THAN_ONE_LT_AGENT"},
    {0x60, "MC_INVALID_PKGS_REQ_PCH"},
    {0x61, "MC_INVALID_PKGS_REQ_QPI"},
    {0x62, "MC_INVALID_PKGS_RES_QPI"},
    {0x63, "MC_INVALID_PKGC_RES_PCH"},
    {0x64, "MC_INVALID_PKG_STATE_CONFIG"},
    {0x70, "MC_WATCHDG_TIMEOUT_PKGC_SLAVE"},
    {0x71, "MC_WATCHDG_TIMEOUT_PKGC_MASTER"},
    {0x72, "MC_WATCHDG_TIMEOUT_PKGS_MASTER"},
    {0x7a, "MC_HA_FAILSTS_CHANGE_DETECTED"},
    {0x7b, "MC_PCIE_R2PCIE-RW_BLOCK_ACK_TIMEOUT"},
    {0x81, "MC_RECOVERABLE_DIE_THERMAL_TOO_HOT"},
};
static const struct valname ivb_imc[] = {
    /* MC9-16_STATUS[24:16], 06_3EH, Table 16-18 */
    {0x001, "address parity error"},
    {0x002, "HA write buffer data parity error"},
    {0x004, "HA write byte enable parity error"},
    {0x008, "corrected patrol scrub error"},
    {0x010, "uncorrected patrol scrub error"},
    {0x020, "corrected spare error"},
    {0x040, "uncorrected spare error"},
    {0x080, "corrected memory read error"},
    {0x100, "iMC write data buffer (WDB) parity error"},
};

static bool decode_pcu_snb_ivb(struct cor_mce_decoded *d, const struct valname *t, size_t n)
{
	if (d->rec.bank != 4)
		return false;
	snprintf(d->component, sizeof(d->component), "power control unit (PCU)");
	found_val(d, "PCU instruction error", pcu_instr, COR_ARRAY_SIZE(pcu_instr),
		  mce_bits(d->rec.status, 16, 19), 16, 19);
	found_val(d, "PCU error", t, n, mce_bits(d->rec.status, 24, 31), 24, 31);
	return true;
}

static void decode_snb_ivb(struct cor_mce_decoded *d, bool ivb)
{
	unsigned bank = d->rec.bank;
	set_table(d, ivb ? "SDM Vol. 3B §16.5 (06_3EH): Table 16-17 (MC4, PCU), Table 16-18 "
			   "(MC9-MC16, IMC)"
			 : "SDM Vol. 3B §16.4 (06_2DH): MC4 (PCU) machine check error codes");
	if (!(d->rec.have & COR_MCE_HAVE_BANK)) {
		d->lookup = COR_MCE_LOOKUP_ABSENT;
		snprintf(d->model_text, sizeof(d->model_text),
			 "not in tables: bank not given (the tables are per bank)");
		return;
	}
	if (decode_pcu_snb_ivb(d, ivb ? ivb_pcu : snb_pcu,
			       ivb ? COR_ARRAY_SIZE(ivb_pcu) : COR_ARRAY_SIZE(snb_pcu)))
		return;
	if (ivb && bank >= 9 && bank <= 16) {
		snprintf(d->component, sizeof(d->component),
			 "integrated memory controller "
			 "(bank %u)",
			 bank);
		found_val(d, "IMC", VALS(ivb_imc), mce_bits(d->rec.status, 16, 24), 16, 24);
		return;
	}
	if ((!ivb && (bank == 6 || bank == 7)) || (ivb && bank == 5))
		snprintf(d->component, sizeof(d->component), "QPI link (bank %u)", bank);
	if (!ivb && bank >= 8 && bank <= 11) /* the channel is MCACOD's CCCC, not the bank */
		mce_appendf(d->component, sizeof(d->component), " (IMC bank %u)", bank);
	d->lookup = COR_MCE_LOOKUP_ABSENT;
	snprintf(d->model_text, sizeof(d->model_text),
		 "not in tables: no MSCOD table for bank %u on 06_%02XH (MSCOD 0x%04x)", bank,
		 d->rec.model, d->mscod);
}

/* ---- Haswell-EP 06_3FH (§16.6): Table 16-20 PCU, 16-21 QPI, 16-22 IMC ---- */

static const struct valname hsw_pcu[] = {
    {0x00, "no error"},
    {0x09, "MC_MESSAGE_CHANNEL_TIMEOUT"},
    {0x0d, "MC_IMC_FORCE_SR_S3_TIMEOUT"},
    {0x0e, "MC_CPD_UNCPD_SD_TIMEOUT"},
    {0x13, "MC_DMI_TRAINING_TIMEOUT"},
    {0x15, "MC_DMI_CPU_RESET_ACK_TIMEOUT"},
    {0x1e, "MC_VR_ICC_MAX_LT_FUSED_ICC_MAX"},
    {0x25, "MC_SVID_COMMAN_TIMEOUT"},
    {0x29, "MC_VR_VOUT_MAC_LT_FUSED_SVID"},
    {0x2b, "MC_PKGC_WATCHDOG_HANG_CBZ_DOWN"},
    {0x2c, "MC_PKGC_WATCHDOG_HANG_CBZ_UP"},
    {0x39, "MC_PKGC_WATCHDOG_HANG_C3_UP_SF"},
    {0x44, "MC_CRITICAL_VR_FAILED"},
    {0x45, "MC_ICC_MAX_NOTSUPPORTED"},
    {0x46, "MC_VID_RAMP_DOWN_FAILED"},
    {0x47, "MC_EXCL_MODE_NO_PMREQ_CMP"},
    {0x48, "MC_SVID_READ_REG_ICC_MAX_FAILED"},
    {0x49, "MC_SVID_WRITE_REG_VOUT_MAX_FAILED"},
    {0x4b, "MC_BOOT_VID_TIMEOUT_DRAM_0"},
    {0x4c, "MC_BOOT_VID_TIMEOUT_DRAM_1"},
    {0x4d, "MC_BOOT_VID_TIMEOUT_DRAM_2"},
    {0x4e, "MC_BOOT_VID_TIMEOUT_DRAM_3"},
    {0x4f, "MC_SVID_COMMAND_ERROR"},
    {0x52, "MC_FIVR_CATAS_OVERVOL_FAULT"},
    {0x53, "MC_FIVR_CATAS_OVERCUR_FAULT"},
    {0x57, "MC_SVID_PKGC_REQUEST_FAILED"},
    {0x58, "MC_SVID_IMON_REQUEST_FAILED"},
    {0x59, "MC_SVID_ALERT_REQUEST_FAILED"},
    {0x60, "MC_INVALID_PKGS_REQ_PCH"},
    {0x61, "MC_INVALID_PKGS_REQ_QPI"},
    {0x62, "MC_INVALID_PKGS_RSP_QPI"},
    {0x63, "MC_INVALID_PKGS_RSP_PCH"},
    {0x64, "MC_INVALID_PKG_STATE_CONFIG"},
    {0x67, "MC_HA_IMC_RW_BLOCK_ACK_TIMEOUT"},
    {0x68, "MC_IMC_RW_SMBUS_TIMEOUT"},
    {0x69, "MC_HA_FAILSTS_CHANGE_DETECTED"},
    {0x6a, "MC_MSGCH_PMREQ_CMP_TIMEOUT"},
    {0x70, "MC_WATCHDOG_TIMEOUT_PKGC_SLAVE"},
    {0x71, "MC_WATCHDOG_TIMEOUT_PKGC_MASTER"},
    {0x72, "MC_WATCHDOG_TIMEOUT_PKGS_MASTER"},
    {0x7c, "MC_BIOS_RST_CPL_INVALID_SEQ"},
    {0x7d, "MC_MORE_THAN_ONE_TXT_AGENT"},
    {0x81, "MC_RECOVERABLE_DIE_THERMAL_TOO_HOT"},
};
static const struct valname hsw_qpi[] = {
    {0x02, "QPI physical layer detected drift buffer alarm"},
    {0x03, "QPI physical layer detected latency buffer rollover"},
    {0x10, "QPI link layer detected control error from R3QPI"},
    {0x11, "Rx entered LLR abort state on CRC error"},
    {0x12, "unsupported or undefined packet"},
    {0x13, "QPI link layer control error"},
    {0x15, "RBT used un-initialized value"},
    {0x20, "QPI physical layer detected a QPI in-band reset but aborted initialization"},
    {0x21, "link failover data self healing"},
    {0x22, "Phy detected in-band reset (no width change)"},
    {0x23, "link failover clock failover"},
    {0x30, "Rx detected CRC error: successful LLR after Phy re-init"},
    {0x31, "Rx detected CRC error: successful LLR without Phy re-init"},
};
static const struct bitname hsw_imc[] = {
    {16, "DDR3 address parity error"},
    {17, "uncorrected HA write data error"},
    {18, "uncorrected HA data byte enable error"},
    {19, "corrected patrol scrub error"},
    {20, "uncorrected patrol scrub error"},
    {21, "corrected spare error"},
    {22, "uncorrected spare error"},
    {23, "corrected memory read error"},
    {24, "iMC write data buffer parity error"},
    {25, "DDR4 command address parity error"},
};

/* Broadwell-EP/EX 06_4FH, Table 16-26: as Table 16-22 without bit 23. */
static const struct bitname bdw_imc[] = {
    {16, "DDR3 address parity error"},
    {17, "uncorrected HA write data error"},
    {18, "uncorrected HA data byte enable error"},
    {19, "corrected patrol scrub error"},
    {20, "uncorrected patrol scrub error"},
    {21, "corrected spare error"},
    {22, "uncorrected spare error"},
    {24, "iMC write data buffer parity error"},
    {25, "DDR4 command address parity error"},
};

/* MC4 MCACOD (F masked) on 06_3FH / 06_55H, per the tables' MCACOD column. */
static void pcu_mcacod_note(struct cor_mce_decoded *d)
{
	switch (d->mcacod & 0xefff) {
	case 0x402:
	case 0x403:
		mce_appendf(d->model_text, sizeof(d->model_text), "PCU internal errors; ");
		break;
	case 0x406:
		mce_appendf(d->model_text, sizeof(d->model_text), "Intel TXT errors; ");
		break;
	case 0x407:
		mce_appendf(d->model_text, sizeof(d->model_text), "other UBOX internal errors; ");
		break;
	}
	if (mce_bits(d->rec.status, 16, 19))
		mce_appendf(d->model_text, sizeof(d->model_text),
			    "PCU internal error (MSCOD[3:0]=0x%x); ",
			    (unsigned)mce_bits(d->rec.status, 16, 19));
}

static void decode_hsw(struct cor_mce_decoded *d, bool bdw)
{
	unsigned bank = d->rec.bank;
	set_table(d, bdw ? "SDM Vol. 3B ch.16 (06_4FH): Table 16-20 (MC4, PCU), Table 16-21 (MC5, "
			   "MC20, MC21, QPI), Table 16-26 (MC9-MC16, IMC)"
			 : "SDM Vol. 3B §16.6 (06_3FH): Table 16-20 (MC4, PCU), Table 16-21 (MC5, "
			   "MC20, MC21, QPI), Table 16-22 (MC9-MC16, IMC)");
	if (bank == 4) {
		snprintf(d->component, sizeof(d->component), "power control unit (PCU)");
		pcu_mcacod_note(d);
		found_val(d, "PCU error", VALS(hsw_pcu), mce_bits(d->rec.status, 24, 31), 24, 31);
	} else if (bank == 5 || bank == 20 || bank == 21) {
		snprintf(d->component, sizeof(d->component), "QPI link (bank %u)", bank);
		found_val(d, "QPI", VALS(hsw_qpi), mce_bits(d->rec.status, 16, 21), 16, 21);
	} else if (bank >= 9 && bank <= 16) {
		/* Banks 9-12: memory controller 0, channels 0-3; 13-16: controller 1. */
		snprintf(d->component, sizeof(d->component),
			 "memory controller %u channel %u (a DIMM on it, or the channel)",
			 bank >= 13, (bank - 9) % 4);
		if (bdw)
			found_bits(d, "IMC", VALS(bdw_imc), d->rec.status, 16, 25);
		else
			found_bits(d, "IMC", VALS(hsw_imc), d->rec.status, 16, 25);
	} else {
		if (bank == 7 || bank == 8)
			snprintf(d->component, sizeof(d->component), "home agent %u", bank - 7);
		d->lookup = COR_MCE_LOOKUP_ABSENT;
		snprintf(d->model_text, sizeof(d->model_text),
			 "not in tables: no MSCOD table for bank %u on 06_%02XH (MSCOD 0x%04x)",
			 bank, d->rec.model, d->mscod);
	}
}

/* ---- Skylake-SP 06_55H (ch.16, 06_55H section): Table 16-27 PCU, 16-28 UPI, 16-29 IMC,
 * 16-30 M2M ---- */

static const struct valname skx_pcu[] = {
    {0x00, "no error"},
    {0x0d, "MCA_DMI_TRAINING_TIMEOUT"},
    {0x0f, "MCA_DMI_CPU_RESET_ACK_TIMEOUT"},
    {0x10, "MCA_MORE_THAN_ONE_LT_AGENT"},
    {0x1e, "MCA_BIOS_RST_CPL_INVALID_SEQ"},
    {0x1f, "MCA_BIOS_INVALID_PKG_STATE_CONFIG"},
    {0x25, "MCA_MESSAGE_CHANNEL_TIMEOUT"},
    {0x27, "MCA_MSGCH_PMREQ_CMP_TIMEOUT"},
    {0x30, "MCA_PKGC_DIRECT_WAKE_RING_TIMEOUT"},
    {0x31, "MCA_PKGC_INVALID_RSP_PCH"},
    {0x33, "MCA_PKGC_WATCHDOG_HANG_CBZ_DOWN"},
    {0x34, "MCA_PKGC_WATCHDOG_HANG_CBZ_UP"},
    {0x38, "MCA_PKGC_WATCHDOG_HANG_C3_UP_SF"},
    {0x40, "MCA_SVID_VCCIN_VR_ICC_MAX_FAILURE"},
    {0x41, "MCA_SVID_COMMAND_TIMEOUT"},
    {0x42, "MCA_SVID_VCCIN_VR_VOUT_FAILURE"},
    {0x43, "MCA_SVID_CPU_VR_CAPABILITY_ERROR"},
    {0x44, "MCA_SVID_CRITICAL_VR_FAILED"},
    {0x45, "MCA_SVID_SA_ITD_ERROR"},
    {0x46, "MCA_SVID_READ_REG_FAILED"},
    {0x47, "MCA_SVID_WRITE_REG_FAILED"},
    {0x48, "MCA_SVID_PKGC_INIT_FAILED"},
    {0x49, "MCA_SVID_PKGC_CONFIG_FAILED"},
    {0x4a, "MCA_SVID_PKGC_REQUEST_FAILED"},
    {0x4b, "MCA_SVID_IMON_REQUEST_FAILED"},
    {0x4c, "MCA_SVID_ALERT_REQUEST_FAILED"},
    {0x4d, "MCA_SVID_MCP_VR_ABSENT_OR_RAMP_ERROR"},
    {0x4e, "MCA_SVID_UNEXPECTED_MCP_VR_DETECTED"},
    {0x51, "MCA_FIVR_CATAS_OVERVOL_FAULT"},
    {0x52, "MCA_FIVR_CATAS_OVERCUR_FAULT"},
    {0x58, "MCA_WATCHDOG_TIMEOUT_PKGC_SLAVE"},
    {0x59, "MCA_WATCHDOG_TIMEOUT_PKGC_MASTER"},
    {0x5a, "MCA_WATCHDOG_TIMEOUT_PKGS_MASTER"},
    {0x61, "MCA_PKGS_CPD_UNCPD_TIMEOUT"},
    {0x63, "MCA_PKGS_INVALID_REQ_PCH"},
    {0x64, "MCA_PKGS_INVALID_REQ_INTERNAL"},
    {0x65, "MCA_PKGS_INVALID_RSP_INTERNAL"},
    {0x6b, "MCA_PKGS_SMBUS_VPP_PAUSE_TIMEOUT"},
    {0x81, "MCA_RECOVERABLE_DIE_THERMAL_TOO_HOT"},
};
static const struct valname skx_upi[] = {
    {0x00, "UC Phy initialization failure"},
    {0x01, "UC Phy detected drift buffer alarm"},
    {0x02, "UC Phy detected latency buffer rollover"},
    {0x10, "UC LL Rx detected CRC error: unsuccessful LLR, entered abort state"},
    {0x11, "UC LL Rx unsupported or undefined packet"},
    {0x12, "UC LL or Phy control error"},
    {0x13, "UC LL Rx parameter exchange exception"},
    {0x1f, "UC LL detected control error from the link-mesh interface"},
    {0x20, "COR Phy initialization abort"},
    {0x21, "COR Phy reset"},
    {0x22, "COR Phy lane failure, recovery in x8 width"},
    {0x23, "COR Phy L0c error corrected without Phy reset"},
    {0x24, "COR Phy L0c error triggering Phy reset"},
    {0x25, "COR Phy L0p exit error corrected with Phy reset"},
    {0x30, "COR LL Rx detected CRC error: successful LLR without Phy reinit"},
    {0x31, "COR LL Rx detected CRC error: successful LLR with Phy reinit"},
};
static const struct bitname upi_ctl[] = {
    /* sub-bits for UPI MSCOD 0x12 (06_55H, 06_6AH) */
    {22, "Phy control error"},
    {23, "unexpected Retry.Ack flit"},
    {24, "unexpected Retry.Req flit"},
    {25, "RF parity error"},
    {26, "routeback table error"},
    {27, "unexpected Tx protocol flit (EOP, header or data)"},
    {28, "Rx header-or-credit BGF credit overflow/underflow"},
    {29, "link layer reset still in progress when Phy enters L0"},
    {30, "link layer reset initiated while protocol traffic not idle"},
    {31, "link layer Tx parity error"},
};
static const struct bitname skx_imc[] = {
    {16, "address parity error"},
    {17, "HA write data parity error"},
    {18, "HA write byte enable parity error"},
    {19, "corrected patrol scrub error"},
    {20, "uncorrected patrol scrub error"},
    {21, "corrected spare error"},
    {22, "uncorrected spare error"},
    {23, "any HA read error"},
    {24, "WDB read parity error"},
    {25, "DDR4 command address parity error"},
    {26, "uncorrected address parity error"},
};
static const struct valname skx_imc_ddrt[] = {
    /* MSCOD with bit 27 set: MCi_STATUS[19:16] */
    {0x0, "unrecognized request type"},
    {0x1, "read response to an invalid scoreboard entry"},
    {0x2, "unexpected read response"},
    {0x3, "DDR4 completion to an invalid scoreboard entry"},
    {0x4, "completion to an invalid scoreboard entry"},
    {0x5, "completion FIFO overflow"},
    {0x6, "correctable parity error"},
    {0x7, "uncorrectable error"},
    {0x8, "interrupt received while outstanding interrupt was not ACKed"},
    {0x9, "ERID FIFO overflow"},
    {0xa, "error on write credits"},
    {0xb, "error on read credits"},
    {0xc, "scheduler error"},
    {0xd, "error event"},
};
static const struct bitname skx_m2m[] = {
    {16, "MscodDataRdErr: read data error"},
    {18, "MscodPtlWrErr: partial write error"},
    {19, "MscodFullWrErr: full write error"},
    {20, "MscodBgfErr: clock-crossing buffer error"},
    {21, "MscodTimeout: time out"},
    {22, "MscodParErr: parity error"},
    {23, "MscodBucket1Err: fatal bucket 1 error"},
};

static void decode_skx(struct cor_mce_decoded *d)
{
	unsigned bank = d->rec.bank;
	uint64_t st = d->rec.status;
	/* Banks 13,14,17 -> controller 0 channels 0,1,2; 15,16,18 -> controller 1. */
	static const uint8_t skx_chan[6] = {0, 1, 3, 4, 2, 5};
	set_table(d, "SDM Vol. 3B ch.16 (06_55H): Table 16-27 (MC4, PCU), Table 16-28 (MC5, "
		     "MC12, MC19, UPI), Table 16-29 (MC13-MC18, IMC), Table 16-30 (MC7, MC8, "
		     "M2M)");
	if (bank == 4) {
		snprintf(d->component, sizeof(d->component), "power control unit (PCU)");
		pcu_mcacod_note(d);
		found_val(d, "PCU error", VALS(skx_pcu), mce_bits(st, 24, 31), 24, 31);
	} else if (bank == 5 || bank == 12 || bank == 19) {
		snprintf(d->component, sizeof(d->component), "UPI link (bank %u)", bank);
		found_val(d, "UPI", VALS(skx_upi), mce_bits(st, 16, 21), 16, 21);
		if (mce_bits(st, 16, 21) == 0x12)
			found_bits(d, "UPI control error", VALS(upi_ctl), st, 22, 31);
	} else if (bank == 7 || bank == 8) {
		snprintf(d->component, sizeof(d->component), "mesh-to-memory (M2M) %u", bank - 7);
		found_bits(d, "M2M", VALS(skx_m2m), st, 16, 23);
	} else if (bank >= 13 && bank <= 18) {
		snprintf(d->component, sizeof(d->component),
			 "memory channel %u (controller %u): a DIMM on it, or the channel",
			 skx_chan[bank - 13], skx_chan[bank - 13] / 3);
		if (mce_bit(st, 27))
			found_val(d, "IMC (DDR-T)", VALS(skx_imc_ddrt), mce_bits(st, 16, 19), 16,
				  19);
		else
			found_bits(d, "IMC", VALS(skx_imc), st, 16, 26);
	} else {
		d->lookup = COR_MCE_LOOKUP_ABSENT;
		snprintf(d->model_text, sizeof(d->model_text),
			 "not in tables: no MSCOD table for bank %u on 06_55H (MSCOD 0x%04x)", bank,
			 d->mscod);
	}
}

/* ---- Ice Lake-SP 06_6AH / Ice Lake-D 06_6CH: the 10 nm server section of
 * ch.16 (MC4 PCU, MC5/7/8 UPI, MC12/16/20/24 M2M, other MC13-27 IMC) ---- */

static const struct valname icx_pcu_hi[] = {
    /* MC4_STATUS[31:24] */
    {0x0d, "MCA_LLC_BIST_ACTIVE_TIMEOUT"},
    {0x0e, "MCA_DMI_TRAINING_TIMEOUT"},
    {0x0f, "MCA_DMI_STRAP_SET_ARRIVAL_TIMEOUT"},
    {0x10, "MCA_DMI_CPU_RESET_ACK_TIMEOUT"},
    {0x11, "MCA_MORE_THAN_ONE_LT_AGENT"},
    {0x14, "MCA_INCOMPATIBLE_PCH_TYPE"},
    {0x1e, "MCA_BIOS_RST_CPL_INVALID_SEQ"},
    {0x1f, "MCA_BIOS_INVALID_PKG_STATE_CONFIG"},
    {0x2d, "MCA_PCU_PMAX_CALIB_ERROR"},
    {0x2e, "MCA_TSC100_SYNC_TIMEOUT"},
    {0x3a, "MCA_GPSB_TIMEOUT"},
    {0x3b, "MCA_PMSB_TIMEOUT"},
    {0x3e, "MCA_IOSFSB_PMREQ_CMP_TIMEOUT"},
    {0x40, "MCA_SVID_VCCIN_VR_ICC_MAX_FAILURE"},
    {0x42, "MCA_SVID_VCCIN_VR_VOUT_FAILURE"},
    {0x43, "MCA_SVID_CPU_VR_CAPABILITY_ERROR"},
    {0x44, "MCA_SVID_CRITICAL_VR_FAILED"},
    {0x45, "MCA_SVID_SA_ITD_ERROR"},
    {0x46, "MCA_SVID_READ_REG_FAILED"},
    {0x47, "MCA_SVID_WRITE_REG_FAILED"},
    {0x4a, "MCA_SVID_PKGC_REQUEST_FAILED"},
    {0x4b, "MCA_SVID_IMON_REQUEST_FAILED"},
    {0x4c, "MCA_SVID_ALERT_REQUEST_FAILED"},
    {0x4d, "MCA_SVID_MCP_VR_RAMP_ERROR"},
    {0x56, "MCA_FIVR_PD_HARDERR"},
    {0x58, "MCA_WATCHDOG_TIMEOUT_PKGC_SLAVE"},
    {0x59, "MCA_WATCHDOG_TIMEOUT_PKGC_MASTER"},
    {0x5a, "MCA_WATCHDOG_TIMEOUT_PKGS_MASTER"},
    {0x5b, "MCA_WATCHDOG_TIMEOUT_MSG_CH_FSM"},
    {0x5c, "MCA_WATCHDOG_TIMEOUT_BULK_CR_FSM"},
    {0x5d, "MCA_WATCHDOG_TIMEOUT_IOSFSB_FSM"},
    {0x60, "MCA_PKGS_SAFE_WP_TIMEOUT"},
    {0x61, "MCA_PKGS_CPD_UNCPD_TIMEOUT"},
    {0x62, "MCA_PKGS_INVALID_REQ_PCH"},
    {0x63, "MCA_PKGS_INVALID_REQ_INTERNAL"},
    {0x64, "MCA_PKGS_INVALID_RSP_INTERNAL"},
    {0x7b, "MCA_PKGS_SMBUS_VPP_PAUSE_TIMEOUT"},
    {0x7c, "MCA_PKGS_SMBUS_MCP_PAUSE_TIMEOUT"},
    {0x7d, "MCA_PKGS_SMBUS_SPD_PAUSE_TIMEOUT"},
    {0x80, "MCA_PKGC_DISP_BUSY_TIMEOUT"},
    {0x81, "MCA_PKGC_INVALID_RSP_PCH"},
    {0x83, "MCA_PKGC_WATCHDOG_HANG_CBZ_DOWN"},
    {0x84, "MCA_PKGC_WATCHDOG_HANG_CBZ_UP"},
    {0x87, "MCA_PKGC_WATCHDOG_HANG_C2_BLKMASTER"},
    {0x88, "MCA_PKGC_WATCHDOG_HANG_C2_PSLIMIT"},
    {0x89, "MCA_PKGC_WATCHDOG_HANG_SETDISP"},
    {0x8b, "MCA_PKGC_ALLOW_L1_ERROR"},
    {0x90, "MCA_RECOVERABLE_DIE_THERMAL_TOO_HOT"},
    {0xa0, "MCA_ADR_SIGNAL_TIMEOUT"},
    {0xa1, "MCA_BCLK_FREQ_OC_ABOVE_THRESHOLD"},
    {0xb0, "MCA_DISPATCHER_RUN_BUSY_TIMEOUT"},
};
static const struct valname icx_pcu_mid[] = {
    /* MC4_STATUS[23:20] */
    {0x4, "clock/power IP response timeout"},
    {0x5, "SMBus controller raised SMI"},
    {0x9, "PM controller received invalid transaction"},
};
static const struct valname icx_pcu_lo[] = {
    /* MC4_STATUS[19:16] */
    {0x1, "instruction address out of valid space"},
    {0x2, "double bit RAM error on instruction fetch"},
    {0x3, "invalid opcode seen"},
    {0x4, "stack underflow"},
    {0x5, "stack overflow"},
    {0x6, "data address out of valid space"},
    {0x7, "double bit RAM error on data fetch"},
};
static const struct valname icx_upi[] = {
    {0x00, "Phy initialization failure (NumInit)"},
    {0x01, "Phy detected drift buffer alarm"},
    {0x02, "Phy detected latency buffer rollover"},
    {0x10, "LL Rx detected CRC error: unsuccessful LLR (entered abort state)"},
    {0x11, "LL Rx unsupported/undefined packet"},
    {0x12, "LL or Phy control error"},
    {0x13, "LL Rx parameter exception"},
    {0x1f, "LL detected control error"},
    {0x20, "Phy initialization abort"},
    {0x21, "Phy inband reset"},
    {0x22, "Phy lane failure, recovery in x8 width"},
    {0x23, "Phy L0c error corrected without Phy reset"},
    {0x24, "Phy L0c error triggering Phy reset"},
    {0x25, "Phy L0p exit error corrected with reset"},
    {0x30, "LL Rx detected CRC error: successful LLR without Phy reinit"},
    {0x31, "LL Rx detected CRC error: successful LLR with Phy reinit"},
    {0x32, "Tx received LLR"},
};
static const struct bitname icx_m2m[] = {
    {16, "MC read data error"},	   {18, "MC partial write data error"},
    {19, "full write data error"}, {20, "M2M clock-domain-crossing buffer (BGF) error"},
    {21, "M2M time out"},	   {22, "M2M tracker parity error"},
    {23, "fatal bucket 1 error"},
};
static const struct valname icx_imc0[] = {
    /* MSCOD[15:8] = 0: MSCOD[7:0] */
    {0x01, "address parity error"},
    {0x02, "data parity error"},
    {0x03, "data ECC error"},
    {0x04, "data byte enable parity error"},
    {0x05, "received uncorrectable data"},
    {0x06, "received uncorrectable metadata"},
    {0x07, "transaction ID parity error"},
    {0x08, "corrected patrol scrub error"},
    {0x10, "uncorrected patrol scrub error"},
    {0x20, "corrected spare error"},
    {0x40, "uncorrected spare error"},
    {0x80, "corrected read error"},
    {0xa0, "uncorrected read error"},
    {0xc0, "uncorrected metadata"},
};
static const struct valname icx_imc1[] = {
    {0x00, "WDB read parity error"},	{0x03, "RPA parity error"},
    {0x04, "RPA parity error"},		{0x05, "WPA parity error"},
    {0x06, "DDR_T_DPPP data BE error"}, {0x07, "DDR_T_DPPP data error"},
    {0x08, "DDR link failure"},		{0x11, "PCLS CAM error"},
    {0x12, "PCLS data error"},
};
static const struct valname icx_imc2[] = {
    {0x00, "DDR4 command / address parity error"},
    {0x20, "HBM command / address parity error"},
    {0x21, "HBM data parity error"},
};
static const struct valname icx_imc4[] = {
    {0x00, "RPQ parity (primary) error"}, {0x01, "RPQ parity (buddy) error"},
    {0x04, "WPQ parity (primary) error"}, {0x05, "WPQ parity (buddy) error"},
    {0x08, "RPB parity (primary) error"}, {0x09, "RPB parity (buddy) error"},
};

static void found_pcu_hi(struct cor_mce_decoded *d, uint64_t v)
{
	const char *text = lookup_val(VALS(icx_pcu_hi), v);
	found_text(d, "PCU", text ? text : pkgs_reset_prep(v), v, 24, 31);
}

static void decode_icx_imc(struct cor_mce_decoded *d)
{
	uint64_t st = d->rec.status;
	unsigned bank = d->rec.bank, imc = (bank - 12) / 4, ch = (bank - 12) % 4 - 1;
	uint64_t sel = mce_bits(st, 24, 31), code = mce_bits(st, 16, 23);
	snprintf(d->component, sizeof(d->component),
		 "memory controller %u channel %u: a DIMM on it, or the channel", imc, ch);
	switch (sel) {
	case 0:
		found_val(d, "IMC", VALS(icx_imc0), code, 16, 23);
		break;
	case 1:
		found_val(d, "IMC", VALS(icx_imc1), code, 16, 23);
		break;
	case 2:
		found_val(d, "IMC", VALS(icx_imc2), code, 16, 23);
		break;
	case 4:
		found_val(d, "IMC", VALS(icx_imc4), code, 16, 23);
		break;
	default:
		d->lookup = COR_MCE_LOOKUP_ABSENT;
		snprintf(d->model_text, sizeof(d->model_text),
			 "IMC: MSCOD 0x%04x not in tables (DDR-T and other groups not encoded)",
			 d->mscod);
	}
}

static void decode_icx(struct cor_mce_decoded *d)
{
	unsigned bank = d->rec.bank;
	uint64_t st = d->rec.status;
	set_table(d, "SDM Vol. 3B ch.16 (06_6AH, 06_6CH): MC4 (PCU), MC5/MC7/MC8 (UPI), "
		     "MC12/16/20/24 (M2M), MC13-MC27 (IMC) error codes");
	if (bank == 4) {
		snprintf(d->component, sizeof(d->component), "power control unit (PCU)");
		if (mce_bits(st, 24, 31))
			found_pcu_hi(d, mce_bits(st, 24, 31));
		if (mce_bits(st, 20, 23))
			found_val(d, "PCU", VALS(icx_pcu_mid), mce_bits(st, 20, 23), 20, 23);
		if (mce_bits(st, 16, 19))
			found_val(d, "PCU", VALS(icx_pcu_lo), mce_bits(st, 16, 19), 16, 19);
		if (!d->mscod) {
			d->lookup = COR_MCE_LOOKUP_ABSENT;
			snprintf(d->model_text, sizeof(d->model_text), "PCU: MSCOD 0");
		}
	} else if (bank == 5 || bank == 7 || bank == 8) {
		snprintf(d->component, sizeof(d->component), "UPI link (bank %u)", bank);
		found_val(d, "UPI", VALS(icx_upi), mce_bits(st, 16, 21), 16, 21);
		if (mce_bits(st, 22, 31))
			found_bits(d, "UPI control error", VALS(upi_ctl), st, 22, 31);
	} else if (bank >= 12 && bank <= 27 && bank % 4 == 0) {
		snprintf(d->component, sizeof(d->component), "mesh-to-memory (M2M) %u",
			 (bank - 12) / 4);
		found_bits(d, "M2M", VALS(icx_m2m), st, 16, 23);
	} else if (bank >= 13 && bank <= 27) {
		decode_icx_imc(d);
	} else {
		d->lookup = COR_MCE_LOOKUP_ABSENT;
		snprintf(d->model_text, sizeof(d->model_text),
			 "not in tables: no MSCOD table for bank %u on 06_%02XH (MSCOD 0x%04x)",
			 bank, d->rec.model, d->mscod);
	}
}

/* ---- Sapphire Rapids 06_8FH: the ch.16 section for 06_8FH (MC4 PCU, MC5
 * UPI, MC12 M2M, MC13-MC20 IMC, MC29 HBM M2M, MC30-31 HBM IMC); cross-checked
 * with mcelog's sapphire.c ---- */

static const struct valname spr_pcu_hi[] = {
    /* MC4_STATUS[31:24]: as 06_6AH, with these names and one more code */
    {0x58, "MCA_WATCHDOG_TIMEOUT_PKGC_SECONDARY"},
    {0x59, "MCA_WATCHDOG_TIMEOUT_PKGC_MAIN"},
    {0x5a, "MCA_WATCHDOG_TIMEOUT_PKGS_MAIN"},
    {0xc0, "MCA_DISPATCHER_RUN_BUSY_TIMEOUT"},
};
static const struct valname spr_pcu_40c[] = {
    /* MC4_STATUS[19:16] when MCACOD is 0x040C */
    {0x1, "MCE when CR4.MCE is clear"},
    {0x2, "MCE when MCIP bit is set"},
    {0x3, "MCE under WPS"},
    {0x4, "unrecoverable error during security flow execution"},
    {0x5, "SW triple fault shutdown"},
    {0x6, "VMX exit consistency check failures"},
    {0x7, "RSM consistency check failures"},
    {0x8, "invalid conditions on protected mode SMM entry"},
    {0x9, "unrecoverable error during security flow execution"},
};
static const struct valname spr_upi_extra[] = {{0x15, "UC LL Rx SGX MAC error"}};
static const struct valname spr_m2m[] = {
    /* MC12/MC29 MSCOD[7:0] */
    {0x01, "read ECC error"},
    {0x02, "bucket1 error"},
    {0x03, "RdTrkr parity error"},
    {0x05, "prefetch channel mismatch"},
    {0x07, "read completion parity error"},
    {0x08, "response parity error"},
    {0x09, "timeout error"},
    {0x0a, "CMI reserved credit pool error"},
    {0x0b, "CMI total credit count error"},
    {0x0c, "CMI credit oversubscription error"},
};
static const struct valname spr_imc0[] = {
    {0x01, "address parity error"},
    {0x02, "data parity error"},
    {0x03, "data ECC error"},
    {0x04, "data byte enable parity error"},
    {0x07, "transaction ID parity error"},
    {0x08, "corrected patrol scrub error"},
    {0x10, "uncorrected patrol scrub error"},
    {0x20, "corrected spare error"},
    {0x40, "uncorrected spare error"},
    {0x80, "corrected read error"},
    {0xa0, "uncorrected read error"},
    {0xc0, "uncorrected metadata"},
};
static const struct valname spr_imc1[] = {
    {0x00, "WDB read parity error"},
    {0x08, "DDR link failure"},
};
static const struct valname spr_imc2[] = {{0x00, "DDR5 command / address parity error"}};
static const struct valname spr_imc4[] = {{0x00, "RPQ parity (primary) error"}};
static const struct valname spr_imc10[] = {
    {0x08, "corrected patrol scrub error on the mirror secondary"},
    {0x10, "uncorrected patrol scrub error on the mirror secondary"},
    {0x20, "corrected spare error on the mirror secondary"},
    {0x40, "uncorrected spare error on the mirror secondary"},
    {0x80, "read error on the mirror secondary"},
    {0xa0, "uncorrected read error on the mirror secondary"},
};

static void decode_spr_imc(struct cor_mce_decoded *d, bool hbm)
{
	uint64_t st = d->rec.status, code = mce_bits(st, 16, 23);
	unsigned bank = d->rec.bank;
	snprintf(d->component, sizeof(d->component), "%s channel %u: %s",
		 hbm ? "HBM memory controller" : "memory controller", hbm ? bank - 30 : bank - 13,
		 hbm ? "the HBM stack or its controller" : "a DIMM on it, or the channel");
	switch (mce_bits(st, 24, 31)) {
	case 0x00:
		found_val(d, "IMC", VALS(spr_imc0), code, 16, 23);
		return;
	case 0x01:
		found_val(d, "IMC", VALS(spr_imc1), code, 16, 23);
		return;
	case 0x02:
		found_val(d, "IMC", VALS(spr_imc2), code, 16, 23);
		return;
	case 0x04:
		found_val(d, "IMC", VALS(spr_imc4), code, 16, 23);
		return;
	case 0x10:
		found_val(d, "IMC", VALS(spr_imc10), code, 16, 23);
		return;
	}
	d->lookup = COR_MCE_LOOKUP_ABSENT;
	snprintf(d->model_text, sizeof(d->model_text),
		 "IMC: MSCOD 0x%04x not in tables (DDR-T and other groups not encoded)", d->mscod);
}

static void decode_spr_pcu(struct cor_mce_decoded *d)
{
	uint64_t st = d->rec.status, hi = mce_bits(st, 24, 31), lo = mce_bits(st, 16, 19);
	snprintf(d->component, sizeof(d->component), "power control unit (PCU)");
	if (hi && lookup_val(VALS(spr_pcu_hi), hi))
		found_val(d, "PCU", VALS(spr_pcu_hi), hi, 24, 31);
	else if (hi)
		found_pcu_hi(d, hi);
	if (mce_bits(st, 20, 23))
		found_val(d, "PCU", VALS(icx_pcu_mid), mce_bits(st, 20, 23), 20, 23);
	if (lo && d->mcacod == 0x040c)
		found_val(d, "PCU", VALS(spr_pcu_40c), lo, 16, 19);
	else if (lo)
		found_val(d, "PCU", VALS(icx_pcu_lo), lo, 16, 19);
	if (!d->mscod) {
		d->lookup = COR_MCE_LOOKUP_ABSENT;
		snprintf(d->model_text, sizeof(d->model_text), "PCU: MSCOD 0");
	}
}

static void decode_spr(struct cor_mce_decoded *d)
{
	unsigned bank = d->rec.bank;
	uint64_t st = d->rec.status;
	set_table(d, "SDM Vol. 3B ch.16 (06_8FH): MC4 (PCU), MC5 (UPI), MC12/MC29 (M2M), "
		     "MC13-MC20 and MC30-MC31 (IMC, HBM) error codes");
	if (bank == 4) {
		decode_spr_pcu(d);
	} else if (bank == 5) {
		uint64_t code = mce_bits(st, 16, 21);
		snprintf(d->component, sizeof(d->component), "UPI link (bank 5)");
		if (lookup_val(VALS(spr_upi_extra), code))
			found_val(d, "UPI", VALS(spr_upi_extra), code, 16, 21);
		else
			found_val(d, "UPI", VALS(icx_upi), code, 16, 21);
		if (mce_bits(st, 22, 31))
			found_bits(d, "UPI control error", VALS(upi_ctl), st, 22, 31);
	} else if (bank == 12 || bank == 29) {
		snprintf(d->component, sizeof(d->component), "%smesh-to-memory (M2M)",
			 bank == 29 ? "HBM " : "");
		found_val(d, "M2M", VALS(spr_m2m), mce_bits(st, 16, 23), 16, 23);
	} else if ((bank >= 13 && bank <= 20) || bank == 30 || bank == 31) {
		decode_spr_imc(d, bank >= 30);
	} else {
		d->lookup = COR_MCE_LOOKUP_ABSENT;
		snprintf(d->model_text, sizeof(d->model_text),
			 "not in tables: no MSCOD table for bank %u on 06_8FH (MSCOD 0x%04x)", bank,
			 d->mscod);
	}
}

void mce_intel_model_decode(struct cor_mce_decoded *d)
{
	const struct cor_mce_record *r = &d->rec;
	if (!(r->have & COR_MCE_HAVE_CPUID)) {
		d->lookup = COR_MCE_LOOKUP_NONE;
		snprintf(d->model_text, sizeof(d->model_text),
			 "CPU family/model not given: model-specific (MSCOD) decode not "
			 "attempted");
		return;
	}
	bool need_bank =
	    r->family == 6 &&
	    (r->model == 0x2d || r->model == 0x3e || r->model == 0x3f || r->model == 0x4f ||
	     r->model == 0x8f || r->model == 0x55 || r->model == 0x6a || r->model == 0x6c);
	if (need_bank && !(r->have & COR_MCE_HAVE_BANK)) {
		d->lookup = COR_MCE_LOOKUP_ABSENT;
		snprintf(d->model_text, sizeof(d->model_text),
			 "not in tables: bank not given (the 06_%02XH tables are per bank)",
			 r->model);
		return;
	}
	switch (r->family == 6 ? r->model : 0) {
	case 0x1a:
	case 0x1e:
	case 0x1f:
	case 0x25:
	case 0x2c:
		decode_nhm(d, false);
		return;
	case 0x2e:
	case 0x2f:
		decode_nhm(d, true);
		return;
	case 0x2d:
		decode_snb_ivb(d, false);
		return;
	case 0x3e:
		decode_snb_ivb(d, true);
		return;
	case 0x3f:
	case 0x4f:
		decode_hsw(d, r->model == 0x4f);
		return;
	case 0x8f:
		decode_spr(d);
		return;
	case 0x55:
		decode_skx(d);
		return;
	case 0x6a:
	case 0x6c:
		decode_icx(d);
		return;
	}
	d->lookup = COR_MCE_LOOKUP_ABSENT;
	snprintf(d->model_text, sizeof(d->model_text),
		 "not in tables: no model-specific tables encoded for family 0x%x model 0x%x "
		 "(MSCOD 0x%04x left undecoded)",
		 r->family, r->model, d->mscod);
}
