// SPDX-License-Identifier: MIT
// Timekeeping: a CPU stuck dividing a huge nanosecond count. The kernel turns
// nanoseconds into seconds with __iter_div_u64_rem() (include/linux/math64.h):
// subtract the divisor and count, so a value of 1.5e18 ns takes 1.5e9 rounds
// with interrupts off. The value comes from the timekeeper (kernel/time/
// timekeeping.c, 6.1): ns = (((cycles - cycle_last) & mask) * mult + xtime_nsec)
// >> shift, with tk_core.timekeeper.tkr_mono; tkr_raw reads the same counter and
// its cycle_last is updated at the same moment (timekeeping_forward_now), so the
// two cycle_last must agree.
#include <stdio.h>
#include <string.h>

#include "coroner/program.h"
#include "diag/internal.h"

struct tkr {
	uint64_t cycle_last, mask, mult, shift, xtime_nsec, clock;
	bool ok;
};

static void read_tkr(struct diag_ctx *ctx, const char *base, struct tkr *t)
{
	static const char *const names[] = {"cycle_last", "mask",	"mult",
					    "shift",	  "xtime_nsec", "clock"};
	uint64_t *dst[] = {&t->cycle_last, &t->mask,	   &t->mult,
			   &t->shift,	   &t->xtime_nsec, &t->clock};
	t->ok = true;
	for (size_t i = 0; i < COR_ARRAY_SIZE(names); i++) {
		char path[96];
		snprintf(path, sizeof(path), "timekeeper.%s.%s", base, names[i]);
		struct cor_error *err = diag_read_member(ctx, "tk_core", path, dst[i], NULL);
		if (err) {
			cor_error_destroy(err);
			t->ok = false;
		}
	}
}

static void check_timekeeper(struct diag_ctx *ctx, struct cor_finding *f, uint64_t dividend)
{
	struct tkr mono, raw;
	read_tkr(ctx, "tkr_mono", &mono);
	read_tkr(ctx, "tkr_raw", &raw);
	if (!mono.ok) {
		diag_evidence(ctx, f, "tk_core.timekeeper cannot be read (no type for tk_core)");
		return;
	}
	char clock[160];
	diag_name_addr(ctx, mono.clock, clock, sizeof(clock));
	diag_evidence(ctx, f,
		      "tk_core.timekeeper.tkr_mono: clock=%s mask=0x%llx cycle_last=%llu "
		      "mult=%llu shift=%llu xtime_nsec=%llu",
		      clock, (unsigned long long)mono.mask, (unsigned long long)mono.cycle_last,
		      (unsigned long long)mono.mult, (unsigned long long)mono.shift,
		      (unsigned long long)mono.xtime_nsec);
	if (raw.ok)
		diag_evidence(ctx, f,
			      "tk_core.timekeeper.tkr_raw:  cycle_last=%llu mult=%llu "
			      "shift=%llu xtime_nsec=%llu",
			      (unsigned long long)raw.cycle_last, (unsigned long long)raw.mult,
			      (unsigned long long)raw.shift, (unsigned long long)raw.xtime_nsec);
	if (raw.ok && raw.cycle_last != mono.cycle_last) {
		uint64_t behind = (raw.cycle_last - mono.cycle_last) & mono.mask;
		diag_evidence(ctx, f,
			      "tkr_mono.cycle_last differs from tkr_raw.cycle_last, which "
			      "the kernel updates together: mono's is %llu cycles behind "
			      "(mod mask), so every read sees at least that delta",
			      (unsigned long long)behind);
		unsigned __int128 p = (unsigned __int128)behind * mono.mult;
		diag_evidence(ctx, f, "delta x mult >= %llu x %llu = %s%llu%s",
			      (unsigned long long)behind, (unsigned long long)mono.mult,
			      p >> 64 ? "2^64 x " : "",
			      (unsigned long long)(p >> 64 ? (uint64_t)(p >> 64) : (uint64_t)p),
			      p >> 64 ? ": overflows 64 bits" : "");
		diag_fact(ctx, f, "source",
			  "tk_core timekeeper.tkr_mono.cycle_last (moved back by "
			  "%llu cycles)",
			  (unsigned long long)behind);
	}
	if (raw.ok && mono.shift != raw.shift)
		diag_evidence(ctx, f,
			      "tkr_mono.shift = %llu but tkr_raw.shift = %llu: the same "
			      "clocksource is scaled differently",
			      (unsigned long long)mono.shift, (unsigned long long)raw.shift);
	uint64_t base_ns = mono.shift < 64 ? mono.xtime_nsec >> mono.shift : 0;
	if (base_ns >= 1000000000ull)
		diag_evidence(ctx, f,
			      "xtime_nsec >> shift = %llu ns: the sub-second part holds "
			      "%llu seconds (it must stay below 1 s)",
			      (unsigned long long)base_ns,
			      (unsigned long long)(base_ns / 1000000000));
	diag_evidence(ctx, f,
		      "the dividend 0x%llx (%llu ns) is what timekeeping_get_ns() returned "
		      "from these values",
		      (unsigned long long)dividend, (unsigned long long)dividend);
}

void diag_timekeeping(struct diag_ctx *ctx, const struct diag_cpu *c, const struct diag_spin *s,
		      struct cor_finding *f)
{
	struct cor_report *rep = ctx->rep;
	diag_fact(ctx, f, "loop", "__iter_div_u64_rem (subtract-and-count division)");
	diag_fact(ctx, f, "dividend", "%llx", (unsigned long long)s->dividend);
	diag_fact(ctx, f, "divisor", "%llu", (unsigned long long)s->divisor);
	diag_fact(ctx, f, "iterations_left", "%llu", (unsigned long long)s->iterations);
	diag_evidence(ctx, f,
		      "a subtract-and-count division (the kernel's __iter_div_u64_rem, "
		      "inlined): %%%s = 0x%llx (%llu) is reduced by %llu per round",
		      s->dividend_reg, (unsigned long long)s->dividend,
		      (unsigned long long)s->dividend, (unsigned long long)s->divisor);
	diag_evidence(ctx, f, "iterations left: %llu / %llu = %llu",
		      (unsigned long long)s->dividend, (unsigned long long)s->divisor,
		      (unsigned long long)s->iterations);
	snprintf(ctx->lock_id, sizeof(ctx->lock_id), "div:%llu", (unsigned long long)s->divisor);
	bool ns = s->divisor == 1000000000ull;
	if (ns)
		check_timekeeper(ctx, f, s->dividend);
	diag_set(
	    ctx, &rep->summary,
	    "CPU %d (task %s, pid %d) is not waiting for a lock: in %s it divides %llu by %llu "
	    "one subtraction at a time (__iter_div_u64_rem), with interrupts %s, and has %llu "
	    "rounds left: effectively forever. %s",
	    c->cpu, c->comm, c->pid, c->func, (unsigned long long)s->dividend,
	    (unsigned long long)s->divisor, (c->rflags & 0x200) ? "on" : "off",
	    (unsigned long long)s->iterations,
	    ns ? "The value is a nanosecond count from the timekeeper (tk_core): its "
		 "tkr_mono state is inconsistent (see the evidence), so the clock read "
		 "returned ~1e18 ns. Corrupted timekeeping state: find who wrote tk_core."
	       : "The dividend is far larger than the code expects.");
	diag_verdict(ctx, COR_VERDICT_UNDETERMINED, 60);
}
