// SPDX-License-Identifier: MIT
// NMI reasons, as Linux 6.1 arch/x86/kernel/nmi.c prints them:
//   pci_serr_error():    "NMI: PCI system error (SERR) for reason %02x on CPU %d."
//   io_check_error():    "NMI: IOCK error (debug interrupt?) for reason %02x on CPU %d."
//   unknown_nmi_error(): "Uhhuh. NMI received for unknown reason %02x on CPU %d."
// then either nmi_panic(regs, "NMI: Not continuing") / "NMI IOCK error: Not
// continuing", or "Dazed and confused, but trying to continue". The reason is
// the byte read from I/O port 0x61 (NMI_REASON_PORT, System Control Port B);
// arch/x86/include/asm/mach_traps.h: NMI_REASON_SERR 0x80, NMI_REASON_IOCHK
// 0x40. Before 2.6.37, mem_parity_error() (arch/x86/kernel/traps*.c) printed
// a SERR NMI (bit 7, then called the memory parity error line) with the
// "unknown reason" text followed by "You have some hardware problem, likely
// on the PCI bus.", so the byte is what decides.
#include <stdio.h>
#include <string.h>

#include "hwerr/hwerr_priv.h"

#define NMI_REASON_SERR	 0x80
#define NMI_REASON_IOCHK 0x40

/* Port 0x61 bits other than the two error lines: the IBM PC/AT layout kept
 * by every PC chipset (e.g. Intel PIIX4 datasheet §4.7.6, "NMI Status and
 * Control Register"). */
void cor_hwerr_nmi_reason_explain(uint8_t reason, char *out, size_t size)
{
	static const char *const bits[8] = {
	    "bit 0 timer 2 gate (PC speaker timer enabled)",
	    "bit 1 speaker data enable",
	    "bit 2 SERR# NMI disabled/cleared",
	    "bit 3 IOCHK# NMI disabled/cleared",
	    "bit 4 refresh cycle toggle (flips constantly; meaningless here)",
	    "bit 5 timer 2 output",
	    "bit 6 IOCHK# asserted: an I/O channel check (an ISA/LPC device or the "
	    "platform signalled a fatal I/O error)",
	    "bit 7 SERR# asserted: a PCI system error (memory parity on old boards, "
	    "PCI/PCIe SERR# or a platform error routed as NMI)",
	};
	if (size == 0)
		return;
	snprintf(out, size, "reason 0x%02x (I/O port 0x61): %s", reason,
		 (reason & (NMI_REASON_SERR | NMI_REASON_IOCHK))
		     ? "an error line is asserted"
		     : "neither SERR# (0x80) nor IOCHK# (0x40) is set, so nothing on the "
		       "platform claims this NMI");
	for (int i = 7; i >= 0; i--) {
		if (!(reason & (1u << i)))
			continue;
		size_t n = strlen(out);
		snprintf(out + n, size - n, "; %s", bits[i]);
	}
}

static const struct {
	const char *text;
	enum cor_hwerr_nmi_kind kind;
} nmi_lines[] = {
    {"Uhhuh. NMI received for unknown reason ", COR_HWERR_NMI_UNKNOWN},
    {"NMI: PCI system error (SERR) for reason ", COR_HWERR_NMI_SERR},
    {"NMI: IOCK error (debug interrupt?) for reason ", COR_HWERR_NMI_IOCHK},
};

struct cor_error *hw_nmi_line(struct hw_parser *p, const struct hw_line *l)
{
	const char *end = l->msg + l->len;
	for (size_t i = 0; i < COR_ARRAY_SIZE(nmi_lines); i++) {
		const char *m = hw_find(l->msg, l->len, nmi_lines[i].text);
		if (!m)
			continue;
		const char *q = m + strlen(nmi_lines[i].text);
		uint64_t reason, cpu;
		if (!hw_hex(&q, end, 2, &reason))
			return NULL;
		long idx;
		struct cor_error *err = hw_new_record(p, COR_HWERR_SRC_NMI, l, &idx);
		if (err)
			return err;
		struct cor_hwerr_record *r = hw_rec(p, idx);
		r->nmi_kind = nmi_lines[i].kind;
		r->nmi_reason = (uint8_t)reason;
		if (hw_starts(q, (size_t)(end - q), " on CPU ")) {
			q += 8;
			if (hw_dec(&q, end, &cpu) && cpu < INT32_MAX)
				r->cpu = (int32_t)cpu;
		}
		r->cls = COR_HWERR_RECOVERABLE;
		p->nmi_last = idx;
		return NULL;
	}
	if (p->nmi_last >= 0 &&
	    (hw_find(l->msg, l->len, "Dazed and confused, but trying to continue") ||
	     hw_find(l->msg, l->len, "You have some hardware problem, likely on the PCI bus."))) {
		struct cor_hwerr_record *r = hw_rec(p, p->nmi_last);
		if (l->lineno - r->line <= HW_NEAR_LINES)
			hw_touch(r, l);
	}
	return NULL;
}

static void unknown_advice(const struct cor_hwerr_context *ctx, struct cor_hwerr_record *r)
{
	char setting[200];
	if (r->panicked)
		snprintf(setting, sizeof(setting),
			 "The kernel panicked on it (\"NMI: Not continuing\"), which it does only "
			 "with kernel.unknown_nmi_panic=1 or kernel.panic_on_unrecovered_nmi=1%s.",
			 ctx->unknown_nmi_panic == 1 ? " (unknown_nmi_panic is on the command line)"
						     : "");
	else
		snprintf(setting, sizeof(setting),
			 "The kernel went on (\"Dazed and confused\"): kernel.unknown_nmi_panic=0 "
			 "and panic_on_unrecovered_nmi=0.");
	snprintf(r->advice, sizeof(r->advice),
		 "No NMI handler claimed it and port 0x61 shows no SERR#/IOCHK#: the NMI came "
		 "from outside, typically an operator pressing the NMI button, the BMC "
		 "(ipmitool chassis power diag) or a hypervisor (virsh inject-nmi, QEMU nmi) "
		 "used to force a dump of a hung machine. %s Look at what the CPUs were doing, "
		 "not at the NMI.",
		 setting);
}

void hw_nmi_finish(const struct cor_hwerr_context *ctx, struct cor_hwerr_record *r)
{
	enum cor_hwerr_nmi_kind k = r->nmi_kind;
	/* A pre-2.6.37 kernel printed SERR as "unknown reason": trust the byte. */
	if (k == COR_HWERR_NMI_UNKNOWN && (r->nmi_reason & NMI_REASON_SERR))
		k = COR_HWERR_NMI_SERR;
	else if (k == COR_HWERR_NMI_UNKNOWN && (r->nmi_reason & NMI_REASON_IOCHK))
		k = COR_HWERR_NMI_IOCHK;
	const char *what = k == COR_HWERR_NMI_SERR    ? "PCI system error (SERR#) NMI"
			   : k == COR_HWERR_NMI_IOCHK ? "I/O channel check (IOCHK#) NMI"
						      : "NMI for unknown reason";
	char cpu[24] = "";
	if (r->cpu >= 0)
		snprintf(cpu, sizeof(cpu), " on CPU %d", r->cpu);
	snprintf(r->summary, sizeof(r->summary), "%s %02x%s%s", what, r->nmi_reason, cpu,
		 r->panicked ? ", kernel panicked" : "");
	if (k == COR_HWERR_NMI_SERR) {
		snprintf(r->component, sizeof(r->component), "PCI SERR# line (platform)");
		snprintf(
		    r->advice, sizeof(r->advice),
		    "Port 0x61 shows SERR# (bit 7): a device or the chipset raised a system "
		    "error (the memory parity line of old "
		    "boards; kernels before 2.6.37 printed it as \"unknown reason\" with \"You "
		    "have some hardware problem, likely on the PCI bus.\"): check the AER/GHES "
		    "records and the BMC's SEL for the device. The kernel %s.",
		    r->panicked ? "panicked (kernel.panic_on_unrecovered_nmi=1)"
				: "went on (kernel.panic_on_unrecovered_nmi=0)");
	} else if (k == COR_HWERR_NMI_IOCHK) {
		snprintf(r->component, sizeof(r->component), "IOCHK# line (platform)");
		snprintf(r->advice, sizeof(r->advice),
			 "Port 0x61 shows IOCHK# (bit 6): the platform signalled an I/O channel "
			 "check (on servers often a "
			 "firmware-reported fatal error): see the BMC's SEL. The kernel %s.",
			 r->panicked ? "panicked (kernel.panic_on_io_nmi=1)" : "went on");
	} else {
		snprintf(r->component, sizeof(r->component), "NMI (source unknown)");
		unknown_advice(ctx, r);
	}
}
