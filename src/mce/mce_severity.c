// SPDX-License-Identifier: MIT
// Severity as Linux grades it, and what that means for the system.
//
// Intel: an ordered rule table; the first rule whose masks match wins. The
// rules, their order and their messages follow Linux 6.1
// arch/x86/kernel/cpu/mce/severity.c (severities[]); the classes follow
// SDM Vol. 3B §15.6.2 "UCR Error Classification" (Table 15-6: corrected,
// UCNA, SRAO, SRAR; PCC set = not recoverable) and §15.9.3 (architectural
// SRAO codes: memory scrubbing 0000 0000 1100 CCCC, L3 explicit writeback
// 0000 0001 0111 1010; SRAR codes: data load 0000 0001 0011 0100,
// instruction fetch 0000 0001 0101 0000).
// AMD: mce_severity_amd() of the same file: PCC is fatal, uncorrected is
// fatal in the kernel and recoverable (kill the task) in user mode when the
// CPU supports recovery (SUCCOR, Scalable MCA), deferred is logged.
#include <stdio.h>
#include <string.h>

#include "mce/mce_priv.h"

#define ST_VAL		(UINT64_C(1) << 63)
#define ST_OVER		(UINT64_C(1) << 62)
#define ST_UC		(UINT64_C(1) << 61)
#define ST_EN		(UINT64_C(1) << 60)
#define ST_MISCV	(UINT64_C(1) << 59)
#define ST_ADDRV	(UINT64_C(1) << 58)
#define ST_PCC		(UINT64_C(1) << 57)
#define ST_S		(UINT64_C(1) << 56)
#define ST_AR		(UINT64_C(1) << 55)
#define ST_DEFERRED	(UINT64_C(1) << 44) /* AMD */
#define UC_S		(ST_UC | ST_S)
#define UC_AR		(ST_UC | ST_AR)
#define UC_SAR		(ST_UC | ST_S | ST_AR)
#define ADDR_OK		(ST_ADDRV | ST_MISCV)
#define MCACOD		0xefffu /* MCACOD without the F bit (bit 12) */
#define MCACOD_SCRUB	0x00c0u
#define MCACOD_SCRUBMSK 0xeff0u
#define MCACOD_L3WB	0x017au
#define MCACOD_DATA	0x0134u
#define MCACOD_INSTR	0x0150u
#define MCG_RIPV	1u
#define MCG_EIPV	2u
#define MCG_MCIP	4u

enum ctx { CTX_ANY, CTX_KERNEL, CTX_USER };
/* SER_SKX: SER and Skylake-SP 06_55H stepping 4, banks 13-18 (a kernel quirk). */
enum ser { SER_ANY, SER_YES, SER_NO, SER_SKX };

struct rule {
	enum cor_mce_severity sev;
	const char *msg;
	enum ser ser;
	bool excp;
	enum ctx ctx;
	uint64_t mask, result;
	uint8_t mcgmask, mcgres;
};

#define R(sev_, msg_, ser_, excp_, ctx_, mask_, res_, mcgm_, mcgr_)                                \
	{                                                                                          \
		COR_MCE_SEV_##sev_, msg_, ser_, excp_, ctx_, mask_, res_, mcgm_, mcgr_             \
	}

static const struct rule intel_rules[] = {
    R(NONE, "Invalid", SER_ANY, false, CTX_ANY, ST_VAL, 0, 0, 0),
    R(NONE, "Not enabled", SER_ANY, true, CTX_ANY, ST_EN, 0, 0, 0),
    R(FATAL, "Processor context corrupt", SER_ANY, false, CTX_ANY, ST_PCC, ST_PCC, 0, 0),
    R(FATAL, "MCIP not set in MCA handler", SER_ANY, true, CTX_ANY, 0, 0, MCG_MCIP, 0),
    R(FATAL, "Neither restart nor error IP", SER_ANY, true, CTX_ANY, 0, 0, MCG_RIPV | MCG_EIPV, 0),
    R(FATAL, "In kernel and no restart IP", SER_ANY, true, CTX_KERNEL, 0, 0, MCG_RIPV, 0),
    R(CORRECTED, "Corrected error", SER_NO, false, CTX_ANY, ST_UC, 0, 0, 0),
    R(SRAO, "Action optional: memory scrubbing error", SER_YES, false, CTX_ANY,
      UC_AR | MCACOD_SCRUBMSK, ST_UC | MCACOD_SCRUB, 0, 0),
    R(SRAO, "Action optional: last level cache writeback error", SER_YES, false, CTX_ANY,
      UC_AR | MCACOD, ST_UC | MCACOD_L3WB, 0, 0),
    /* Skylake-SP may report an uncorrected patrol scrub error with UC=0 through
     * CMCI: MSCOD 0x0010, MCACOD 000X 0000 1100 XXXX, memory controller banks. */
    R(SRAO, "Uncorrected Patrol Scrub Error", SER_SKX, false, CTX_ANY,
      ST_UC | ADDR_OK | 0xffffeff0u, ADDR_OK | 0x001000c0u, 0, 0),
    R(UCNA, "Uncorrected no action required", SER_YES, false, CTX_ANY, UC_SAR, ST_UC, 0, 0),
    R(FATAL, "Illegal combination (UCNA with AR=1)", SER_YES, false, CTX_ANY, ST_OVER | UC_SAR,
      ST_UC | ST_AR, 0, 0),
    R(CORRECTED, "Non signaled machine check", SER_YES, false, CTX_ANY, ST_S, 0, 0, 0),
    R(FATAL, "Action required with lost events", SER_YES, false, CTX_ANY, ST_OVER | UC_SAR,
      ST_OVER | UC_SAR, 0, 0),
    R(SRAR, "Action required but unaffected thread is continuable", SER_YES, false, CTX_ANY,
      ST_OVER | UC_SAR | ADDR_OK, UC_SAR | ADDR_OK, MCG_RIPV | MCG_EIPV, MCG_RIPV),
    R(SRAR, "Action required: data load error in a user process", SER_YES, false, CTX_USER,
      ST_OVER | UC_SAR | ADDR_OK | MCACOD, UC_SAR | ADDR_OK | MCACOD_DATA, 0, 0),
    R(SRAR, "Action required: instruction fetch error in a user process", SER_YES, false, CTX_USER,
      ST_OVER | UC_SAR | ADDR_OK | MCACOD, UC_SAR | ADDR_OK | MCACOD_INSTR, 0, 0),
    R(FATAL, "Data load in unrecoverable area of kernel", SER_YES, false, CTX_KERNEL,
      ST_OVER | UC_SAR | ADDR_OK | MCACOD, UC_SAR | ADDR_OK | MCACOD_DATA, 0, 0),
    R(FATAL, "Instruction fetch error in kernel", SER_YES, false, CTX_KERNEL,
      ST_OVER | UC_SAR | ADDR_OK | MCACOD, UC_SAR | ADDR_OK | MCACOD_INSTR, 0, 0),
    R(FATAL, "Action required: unknown MCACOD", SER_YES, false, CTX_ANY, ST_OVER | UC_SAR, UC_SAR,
      0, 0),
    R(SRAO, "Action optional: unknown MCACOD", SER_YES, false, CTX_ANY, ST_OVER | UC_SAR, UC_S, 0,
      0),
    R(SRAO, "Action optional with lost events", SER_YES, false, CTX_ANY, ST_OVER | UC_SAR,
      ST_OVER | UC_S, 0, 0),
    R(FATAL, "Overflowed uncorrected", SER_ANY, false, CTX_ANY, ST_OVER | ST_UC, ST_OVER | ST_UC, 0,
      0),
    R(FATAL, "Uncorrected", SER_ANY, false, CTX_ANY, ST_UC, ST_UC, 0, 0),
    R(CORRECTED, "No match", SER_ANY, false, CTX_ANY, 0, 0, 0, 0),
};

struct grade {
	enum cor_mce_severity sev;
	const char *msg;
};

static bool skx_scrub_quirk(const struct cor_mce_record *r)
{
	return (r->have & COR_MCE_HAVE_CPUID) && r->family == 6 && r->model == 0x55 &&
	       r->stepping == 4 && (r->have & COR_MCE_HAVE_BANK) && r->bank >= 13 && r->bank <= 18;
}

static struct grade grade_intel(const struct cor_mce_decoded *d, bool ser, enum ctx ctx)
{
	const struct cor_mce_record *r = &d->rec;
	bool have_mcg = r->have & COR_MCE_HAVE_MCGSTATUS;
	bool excp = have_mcg && (r->mcgstatus & MCG_MCIP);
	for (size_t i = 0; i < COR_ARRAY_SIZE(intel_rules); i++) {
		const struct rule *ru = &intel_rules[i];
		if ((ru->ser == SER_YES && !ser) || (ru->ser == SER_NO && ser))
			continue;
		if (ru->ser == SER_SKX && !(ser && skx_scrub_quirk(r)))
			continue;
		if (ru->excp && !excp)
			continue;
		if (ru->ctx != CTX_ANY && ru->ctx != ctx)
			continue;
		if ((r->status & ru->mask) != ru->result)
			continue;
		if (ru->mcgmask && (!have_mcg || (r->mcgstatus & ru->mcgmask) != ru->mcgres))
			continue;
		return (struct grade){ru->sev, ru->msg};
	}
	return (struct grade){COR_MCE_SEV_CORRECTED, "No match"};
}

static struct grade grade_amd(const struct cor_mce_decoded *d, enum ctx ctx)
{
	const struct cor_mce_record *r = &d->rec;
	/* Recovery from uncorrected errors (SUCCOR) comes with Scalable MCA. */
	bool succor = (r->have & COR_MCE_HAVE_CPUID) && r->family >= 0x17;
	if (!(r->status & ST_VAL))
		return (struct grade){COR_MCE_SEV_NONE, "Invalid"};
	if (r->status & ST_PCC)
		return (struct grade){COR_MCE_SEV_FATAL, "Processor Context Corrupt"};
	if (r->status & ST_UC) {
		if (ctx == CTX_KERNEL)
			return (struct grade){COR_MCE_SEV_FATAL, "Uncorrected error in kernel"};
		if (!succor && (r->status & ST_OVER))
			return (struct grade){COR_MCE_SEV_FATAL, "Overflowed uncorrected"};
		if (!succor)
			return (struct grade){COR_MCE_SEV_FATAL,
					      "Uncorrected (no recovery support)"};
		return (struct grade){COR_MCE_SEV_SRAR, "Uncorrected error in user: kill task"};
	}
	if (r->status & ST_DEFERRED)
		return (struct grade){COR_MCE_SEV_DEFERRED, "Deferred error"};
	return (struct grade){COR_MCE_SEV_CORRECTED, "Corrected error"};
}

static void consequence(struct cor_mce_decoded *d)
{
	static const char *const text[] = {
	    [COR_MCE_SEV_NONE] = "nothing to act on: no valid, enabled error",
	    [COR_MCE_SEV_CORRECTED] =
		"corrected by hardware: the system keeps running and the kernel only "
		"logs it; repeated corrected errors on one component predict a failure",
	    [COR_MCE_SEV_DEFERRED] =
		"uncorrected but not consumed: the data is poisoned, no #MC was raised; "
		"the kernel logs it and may take the page offline",
	    [COR_MCE_SEV_UCNA] =
		"uncorrected, no action required: the corrupted data was not consumed "
		"and no #MC was raised; the kernel logs it and may offline the page; the "
		"system keeps running",
	    [COR_MCE_SEV_SRAO] =
		"software recoverable, action optional: the kernel takes the affected "
		"page offline (memory_failure) in the background; the interrupted "
		"program continues",
	    [COR_MCE_SEV_SRAR] =
		"software recoverable, action required: the interrupted context consumed "
		"corrupted data; the kernel offlines the page and kills the process that "
		"touched it (SIGBUS); in the kernel it recovers only through an "
		"exception fixup, else it panics",
	    [COR_MCE_SEV_FATAL] = "not recoverable: the kernel panics (\"Fatal machine "
				  "check\") or kills the interrupted context; expect a reboot",
	};
	snprintf(d->consequence, sizeof(d->consequence), "%s", text[d->severity]);
	if (d->context_corrupt && d->severity == COR_MCE_SEV_FATAL)
		snprintf(d->consequence, sizeof(d->consequence),
			 "processor context corrupt: cannot resume; the kernel panics (\"Fatal "
			 "machine check\") and the machine must be reset");
}

void mce_grade(struct cor_mce_decoded *d)
{
	const struct cor_mce_record *r = &d->rec;
	enum ctx ctx = CTX_ANY;
	if (r->have & (COR_MCE_HAVE_RIP | COR_MCE_HAVE_CS))
		ctx = (r->cs & 3) == 3 ? CTX_USER : CTX_KERNEL;
	bool amd = r->vendor == COR_MCE_VENDOR_AMD, assumed;
	bool ser = mce_has_ser(r, &assumed);
	struct grade g, alt = {COR_MCE_SEV_NONE, NULL};
	if (ctx != CTX_ANY) {
		g = amd ? grade_amd(d, ctx) : grade_intel(d, ser, ctx);
	} else {
		g = amd ? grade_amd(d, CTX_USER) : grade_intel(d, ser, CTX_USER);
		alt = amd ? grade_amd(d, CTX_KERNEL) : grade_intel(d, ser, CTX_KERNEL);
		if (alt.sev == g.sev && strcmp(alt.msg, g.msg) == 0)
			alt.msg = NULL;
	}
	/* The kernel keeps an uncorrected "Non signaled machine check" (S=0,
	 * AR=1, OVER=1) as KEEP; it is not a corrected error. */
	if (g.sev == COR_MCE_SEV_CORRECTED && (r->status & ST_UC))
		g.sev = COR_MCE_SEV_UCNA;
	d->severity = g.sev;
	d->kernel_grade = g.msg;
	consequence(d);
	if (d->kernel_grade &&
	    strcmp(d->kernel_grade, "Data load in unrecoverable area of kernel") == 0)
		mce_add_note(d, "had the load an exception-table fixup (copy_mc, user copies), the "
				"kernel would recover: \"Action required: data load in error "
				"recoverable area of kernel\" (SRAR)");
	if (alt.msg)
		mce_add_note(d,
			     "CS not given: graded for user mode; had the error hit the kernel: "
			     "%s (%s)",
			     cor_mce_severity_name(alt.sev), alt.msg);
}
