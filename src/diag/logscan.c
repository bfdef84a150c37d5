// SPDX-License-Identifier: MIT
// Kernel log scanning: see logscan.h. Formats are those of Linux 6.1:
// lib/dump_stack.c (dump_stack_print_info: "CPU: %d PID: %d Comm: %.20s %s%s %s %.*s"),
// arch/x86/kernel/dumpstack.c (show_trace_log_lvl: " %s%pBb", "? " for unreliable
// entries, "<NMI>"/"<IRQ>"/"<TASK>"... markers; show_ip: "RIP: %04x:%pS"),
// arch/x86/kernel/process_64.c (__show_regs), kernel/watchdog.c ("BUG: soft lockup - CPU#%d
// stuck for %us! [%s:%d]"), kernel/watchdog_hld.c ("Watchdog detected hard LOCKUP on cpu
// %d"), arch/x86/kernel/nmi.c ("Uhhuh. NMI received for unknown reason %02x on CPU %d."),
// kernel/hung_task.c ("INFO: task %s:%d blocked for more than %ld seconds."),
// kernel/panic.c ("Kernel panic - not syncing: %s"), drivers/tty/sysrq.c.
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/logscan.h"

#define MAX_REPORTS 4096

/* Splits "[    7.061057] text" into its timestamp and text. */
static const char *strip_ts(const char *line, double *ts)
{
	*ts = -1;
	if (line[0] != '[')
		return line;
	const char *close = strchr(line, ']');
	if (!close)
		return line;
	*ts = strtod(line + 1, NULL);
	return close[1] == ' ' ? close + 2 : close + 1;
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void copy_str(char *dst, size_t size, const char *src, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Lines that start a new report block. */
static bool is_headline(const char *s)
{
	static const char *const heads[] = {
	    "BUG: ",
	    "watchdog: BUG:",
	    "INFO: task ",
	    "NMI backtrace for cpu",
	    "Kernel panic - not syncing:",
	    "rcu: INFO:",
	    "general protection fault",
	    "kernel BUG at",
	    "WARNING: CPU:",
	    "Oops: ",
	    "NMI watchdog: Watchdog detected",
	    "mce: [Hardware Error]: CPU",
	    "Unable to handle kernel",
	    "divide error:",
	    "invalid opcode:",
	    "stack segment:",
	    "double fault:",
	};
	for (size_t i = 0; i < COR_ARRAY_SIZE(heads); i++)
		if (starts(s, heads[i]))
			return true;
	return false;
}

static void parse_ctx_line(struct log_report *r, const char *s)
{
	/* "CPU: 2 PID: 124 Comm: sh Kdump: loaded Tainted: G OE 6.1.0-56-amd64 #1 ..." */
	int cpu, pid;
	char comm[32] = "";
	if (sscanf(s, "CPU: %d PID: %d Comm: %31s", &cpu, &pid, comm) >= 2) {
		r->has_ctx = true;
		r->cpu = cpu;
		r->pid = pid;
		snprintf(r->comm, sizeof(r->comm), "%s", comm);
		const char *t = strstr(s, "Tainted: ");
		if (t) {
			t += 9;
			const char *end = strstr(t, "  ");
			while (end && end[0] == ' ')
				end++;
			copy_str(r->tainted, sizeof(r->tainted), t, strcspn(t, "0123456789#"));
		}
	}
}

/* Assigns "NAME: hexvalue" pairs of a register line. */
static void parse_reg_pairs(struct log_regs *g, const char *s)
{
	static const struct {
		const char *name;
		size_t off;
	} regs[] = {
#define R(n, f) {n, offsetof(struct log_regs, f)}
	    R("RAX", rax),	 R("RBX", rbx),		  R("RCX", rcx), R("RDX", rdx),
	    R("RSI", rsi),	 R("RDI", rdi),		  R("RBP", rbp), R("R08", r8),
	    R("R09", r9),	 R("R10", r10),		  R("R11", r11), R("R12", r12),
	    R("R13", r13),	 R("R14", r14),		  R("R15", r15), R("CR2", cr2),
	    R("EFLAGS", eflags), R("ORIG_RAX", orig_rax),
#undef R
	};
	for (size_t i = 0; i < COR_ARRAY_SIZE(regs); i++) {
		char key[16];
		snprintf(key, sizeof(key), "%s: ", regs[i].name);
		const char *p = strstr(s, key);
		/* "EFLAGS" also contains no other key; "RSP: 0018:addr" is handled by the caller */
		if (p && (p == s || p[-1] == ' '))
			*(uint64_t *)((char *)g + regs[i].off) =
			    strtoull(p + strlen(key), NULL, 16);
	}
}

static void parse_regs_line(struct log_report *r, const char *s)
{
	/* A second "RIP:" in a block starts the user-mode registers (syscall entry). */
	if (starts(s, "RIP: ") && r->regs.valid)
		r->in_user = true;
	struct log_regs *g = r->in_user ? &r->uregs : &r->regs;
	if (starts(s, "RIP: ")) {
		g->valid = true;
		g->cs = (uint16_t)strtoul(s + 5, NULL, 16);
		const char *sym = strchr(s + 5, ':');
		if (sym)
			snprintf(g->rip_sym, sizeof(g->rip_sym), "%s", sym + 1);
		if (sym && starts(sym + 1, "0x"))
			g->rip = strtoull(sym + 1, NULL, 16);
		return;
	}
	if (starts(s, "RSP: ")) {
		g->ss = (uint16_t)strtoul(s + 5, NULL, 16);
		const char *v = strchr(s + 5, ':');
		if (v)
			g->rsp = strtoull(v + 1, NULL, 16);
	}
	parse_reg_pairs(g, s);
}

static bool parse_frame(const char *s, struct log_frame *f, const char *stack)
{
	/* " func+0x18/0x24 [mod]" or " ? func+0x18/0x24" (one leading space after the timestamp) */
	if (s[0] != ' ')
		return false;
	s++;
	memset(f, 0, sizeof(*f));
	if (starts(s, "? ")) {
		f->unreliable = true;
		s += 2;
	}
	const char *plus = strchr(s, '+'), *space = strchr(s, ' ');
	if (!plus || plus == s || (space && space < plus))
		return false;
	for (const char *c = s; c < plus; c++)
		if (!(isalnum((unsigned char)*c) || *c == '_' || *c == '.'))
			return false;
	copy_str(f->func, sizeof(f->func), s, (size_t)(plus - s));
	char *end;
	f->off = strtoull(plus + 1, &end, 16);
	if (*end == '/')
		f->size = strtoull(end + 1, &end, 16);
	const char *mod = strchr(end, '[');
	if (mod)
		copy_str(f->module, sizeof(f->module), mod + 1, strcspn(mod + 1, "]"));
	snprintf(f->stack, sizeof(f->stack), "%s", stack);
	return true;
}

static void parse_cmdline(struct log_scan *ls, const char *s)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
#define K(k, f) {k, offsetof(struct log_scan, f)}
	    K("softlockup_panic=", cmd_softlockup_panic),
	    K("hung_task_panic=", cmd_hung_task_panic),
	    K("unknown_nmi_panic=", cmd_unknown_nmi_panic),
	    K("panic_on_oops=", cmd_panic_on_oops),
	    K("nmi_watchdog=", cmd_nmi_watchdog),
	    K("hardlockup_panic=", cmd_hardlockup_panic),
#undef K
	};
	for (size_t i = 0; i < COR_ARRAY_SIZE(keys); i++) {
		const char *p = strstr(s, keys[i].key);
		if (p && (p == s || p[-1] == ' ' || p[-1] == '.')) {
			p += strlen(keys[i].key);
			copy_str((char *)ls + keys[i].off, 8, p, strcspn(p, " "));
		}
	}
}

/* Events that are single lines. */
static void parse_event(struct log_scan *ls, const char *s, double ts, int report)
{
	if (starts(s, "Kernel panic - not syncing: ")) {
		ls->has_panic = true;
		snprintf(ls->panic_msg, sizeof(ls->panic_msg), "%s", s + 28);
		ls->panic_ts = ts;
		ls->panic_report = report;
	} else if (strstr(s, "NMI received for unknown reason")) {
		ls->nmi_unknown = true;
		snprintf(ls->nmi_line, sizeof(ls->nmi_line), "%s", s);
		const char *p = strstr(s, "reason ");
		ls->nmi_reason = p ? (unsigned)strtoul(p + 7, NULL, 16) : 0;
		p = strstr(s, "on CPU ");
		ls->nmi_cpu = p ? atoi(p + 7) : -1;
	} else if (starts(s, "watchdog: BUG: soft lockup - CPU#")) {
		ls->soft_lockup = true;
		ls->soft_cpu = atoi(s + 33);
		const char *p = strstr(s, "stuck for ");
		ls->soft_secs = p ? atoi(p + 10) : 0;
		p = strrchr(s, '[');
		if (p) {
			const char *colon = strrchr(p, ':');
			if (colon) {
				copy_str(ls->soft_comm, sizeof(ls->soft_comm), p + 1,
					 (size_t)(colon - p - 1));
				ls->soft_pid = atoi(colon + 1);
			}
		}
		ls->soft_report = report;
	} else if (strstr(s, "Watchdog detected hard LOCKUP on cpu ")) {
		if (ls->num_hard < 64)
			ls->hard_cpus[ls->num_hard++] = atoi(strstr(s, "on cpu ") + 7);
	} else if (starts(s, "INFO: task ") && strstr(s + 11, " blocked for more than ")) {
		const char *name = s + 11, *colon = strstr(name, " blocked for more than ");
		while (colon > name && *colon != ':')
			colon--;
		if (!ls->hung_task && *colon == ':') {
			ls->hung_task = true;
			copy_str(ls->hung_comm, sizeof(ls->hung_comm), name,
				 (size_t)(colon - name));
			ls->hung_pid = atoi(colon + 1);
			ls->hung_secs = atoi(strstr(s, "more than ") + 10);
			ls->hung_report = report;
		}
	} else if (strstr(s, "ysRq : Trigger a crash") || strstr(s, "sysrq: Trigger a crash")) {
		ls->sysrq_crash = true;
	} else if (starts(s, "rcu: INFO:") && !ls->rcu_stall) {
		ls->rcu_stall = true;
		snprintf(ls->rcu_line, sizeof(ls->rcu_line), "%s", s);
	} else if (starts(s, "BUG: scheduling while atomic: ")) {
		if (ls->num_atomic_sleep < 4) {
			snprintf(ls->atomic_sleep[ls->num_atomic_sleep], 192, "%s", s);
			ls->atomic_sleep_ts[ls->num_atomic_sleep++] = ts;
		}
	} else if (starts(s, "NMI backtrace for cpu ")) {
		if (ls->num_nmi_bt < 64)
			ls->nmi_bt_cpus[ls->num_nmi_bt++] = atoi(s + 22);
	} else if (starts(s, "mce: [Hardware Error]:")) {
		cor_strbuf_append(&ls->mce_lines, s);
		cor_strbuf_appendc(&ls->mce_lines, '\n');
	} else if (starts(s, "Command line: ")) {
		parse_cmdline(ls, s + 14);
	}
	if (ls->oops_report < 0 && report >= 0 &&
	    (starts(s, "BUG: unable to handle") || starts(s, "general protection fault") ||
	     starts(s, "kernel BUG at") || strstr(s, "stack guard page was hit") ||
	     starts(s, "Oops: ") || starts(s, "BUG: kernel NULL pointer") ||
	     starts(s, "invalid opcode:") || starts(s, "double fault:")))
		ls->oops_report = report;
}

static struct log_report *new_report(struct log_scan *ls, size_t line, double ts, const char *s)
{
	if (ls->num_reports >= MAX_REPORTS)
		return NULL;
	if (ls->num_reports == ls->cap_reports) {
		int cap = ls->cap_reports ? 2 * ls->cap_reports : 16;
		struct log_report *r = realloc(ls->reports, (size_t)cap * sizeof(*r));
		if (!r)
			return NULL; /* the scan goes on without this block */
		ls->reports = r;
		ls->cap_reports = cap;
	}
	struct log_report *r = &ls->reports[ls->num_reports++];
	memset(r, 0, sizeof(*r));
	r->line = line;
	r->ts = ts;
	r->cpu = r->pid = -1;
	snprintf(r->headline, sizeof(r->headline), "%s", s);
	return r;
}

/* Feeds one line into the current report block. */
static void report_line(struct log_report *r, const char *s, char *stack)
{
	if (starts(s, "CPU: ") && !r->has_ctx) {
		parse_ctx_line(r, s);
	} else if (starts(s, "task:") && !r->has_ctx) {
		/* hung task: "task:init state:D stack:0 pid:122 ppid:1 flags:0x00000002" */
		char comm[32] = "";
		if (sscanf(s, "task:%31s", comm) == 1)
			snprintf(r->comm, sizeof(r->comm), "%s", comm);
		const char *p = strstr(s, " pid:");
		if (p)
			r->pid = atoi(p + 5);
	} else if (starts(s, "RIP: ") || starts(s, "RSP: ") || starts(s, "RAX: ") ||
		   starts(s, "RDX: ") || starts(s, "RBP: ") || starts(s, "R10: ") ||
		   starts(s, "R13: ") || starts(s, "CR2: ")) {
		parse_regs_line(r, s);
	} else if (s[0] == ' ' && s[1] == '<') {
		/* " <NMI>", " </NMI>", " <TASK>", " <IRQ>", " <SOFTIRQ>" */
		if (s[2] != '/')
			copy_str(stack, 8, s + 2, strcspn(s + 2, ">"));
		else
			stack[0] = '\0';
	} else if (r->num_frames < LOG_MAX_FRAMES) {
		if (parse_frame(s, &r->frames[r->num_frames], stack))
			r->num_frames++;
	}
}

struct cor_error *cor_logscan_parse_mem(const char *text, size_t len, struct log_scan *ret)
{
	struct log_scan ls;
	memset(&ls, 0, sizeof(ls));
	ls.panic_report = ls.soft_report = ls.hung_report = ls.oops_report = -1;
	ls.nmi_cpu = -1;
	struct log_report *cur = NULL;
	char stack[8] = "";
	char line[1024];
	size_t lineno = 0;
	for (size_t pos = 0; pos < len; lineno++) {
		size_t n = 0;
		while (pos + n < len && text[pos + n] != '\n')
			n++;
		copy_str(line, sizeof(line), text + pos, n);
		pos += n + 1;
		double ts;
		const char *s = strip_ts(line, &ts);
		bool continuation = cur && !cur->has_ctx && strstr(s, ": 0000 [#");
		if (is_headline(s) && !continuation) {
			cur = new_report(&ls, lineno, ts, s);
			stack[0] = '\0';
		}
		parse_event(&ls, s, ts, cur ? (int)(cur - ls.reports) : -1);
		if (cur)
			report_line(cur, s, stack);
	}
	if (ls.mce_lines.failed) {
		cor_logscan_deinit(&ls);
		return &cor_enomem;
	}
	*ret = ls;
	return NULL;
}

void cor_logscan_deinit(struct log_scan *ls)
{
	free(ls->reports);
	cor_strbuf_deinit(&ls->mce_lines);
	memset(ls, 0, sizeof(*ls));
}

void log_frame_format(const struct log_frame *f, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s+0x%llx/0x%llx%s%s%s", f->unreliable ? "? " : "", f->func,
		 (unsigned long long)f->off, (unsigned long long)f->size, f->module[0] ? " [" : "",
		 f->module, f->module[0] ? "]" : "");
}
