// SPDX-License-Identifier: MIT
// Unit tests of the diagnosis' log scanner on log text written here in the
// kernel's 6.1 formats (lib/dump_stack.c, arch/x86/kernel/dumpstack.c and
// process_64.c, kernel/watchdog.c, kernel/hung_task.c, arch/x86/kernel/nmi.c).
#include <string.h>

#include "diag/logscan.h"
#include "harness.h"

static const char soft_log[] =
    "[   27.000000] Command line: console=ttyS0 softlockup_panic=1 nmi_watchdog=0\n"
    "[   53.038953] watchdog: BUG: soft lockup - CPU#3 stuck for 23s! [kworker/3:1:77]\n"
    "[   53.039315] Modules linked in: foo(OE)\n"
    "[   53.039716] CPU: 3 PID: 77 Comm: kworker/3:1 Kdump: loaded Tainted: G   OE  6.1.0 #1\n"
    "[   53.040270] RIP: 0010:spin_here+0xe/0x10 [foo]\n"
    "[   53.040572] RSP: 0018:ff89fb2a80013af0 EFLAGS: 00000282\n"
    "[   53.040572] RAX: 0000000000000001 RBX: 000000000000000b RCX: c0000000ffffefff\n"
    "[   53.040572] R13: ff89fb2a80013bf0 R14: 000000000000000b R15: 00000000000000ff\n"
    "[   53.040572] Call Trace:\n"
    "[   53.040572]  <TASK>\n"
    "[   53.040572]  caller_one+0x18/0x24 [foo]\n"
    "[   53.040572]  ? noise+0x1/0x2\n"
    "[   53.040572]  vfs_write+0xc7/0x3f0\n"
    "[   53.040572]  </TASK>\n"
    "[   53.050000] Kernel panic - not syncing: softlockup: hung tasks\n"
    "[   53.050001] CPU: 3 PID: 77 Comm: kworker/3:1 Kdump: loaded Tainted: G   OEL 6.1.0 #1\n";

COR_TEST(logscan_soft_lockup)
{
	struct log_scan ls;
	CHECK_OK(cor_logscan_parse_mem(soft_log, strlen(soft_log), &ls));
	CHECK(ls.soft_lockup);
	CHECK_U64(ls.soft_cpu, 3);
	CHECK_U64(ls.soft_secs, 23);
	CHECK_STR(ls.soft_comm, "kworker/3:1");
	CHECK_U64(ls.soft_pid, 77);
	CHECK(ls.has_panic);
	CHECK_STR(ls.panic_msg, "softlockup: hung tasks");
	CHECK_STR(ls.cmd_softlockup_panic, "1");
	CHECK_STR(ls.cmd_nmi_watchdog, "0");
	CHECK(ls.num_reports == 2);
	const struct log_report *r = &ls.reports[ls.soft_report];
	CHECK(r->has_ctx && r->cpu == 3 && r->pid == 77);
	CHECK_STR(r->regs.rip_sym, "spin_here+0xe/0x10 [foo]");
	CHECK_U64(r->regs.eflags, 0x282);
	CHECK_U64(r->regs.rsp, 0xff89fb2a80013af0ull);
	CHECK_U64(r->regs.r15, 0xff);
	CHECK_U64(r->regs.rax, 1);
	CHECK(r->num_frames == 3);
	CHECK_STR(r->frames[0].func, "caller_one");
	CHECK_U64(r->frames[0].off, 0x18);
	CHECK_STR(r->frames[0].module, "foo");
	CHECK(r->frames[1].unreliable);
	CHECK_STR(r->frames[2].stack, "TASK");
	CHECK(ls.reports[ls.panic_report].cpu == 3);
	cor_logscan_deinit(&ls);
}

static const char hung_log[] =
    "[   16.755889] INFO: task dd:1234 blocked for more than 120 seconds.\n"
    "[   16.756187]       Tainted: G           OE      6.1.0-56-amd64 #1 Debian 6.1.192-2\n"
    "[   16.756883] task:dd              state:D stack:0     pid:1234  ppid:1      flags:0x4\n"
    "[   16.757171] Call Trace:\n"
    "[   16.757491]  <TASK>\n"
    "[   16.758213]  __schedule+0x34d/0xa00\n"
    "[   16.758274]  schedule+0x5a/0xd0\n"
    "[   16.758300]  io_schedule+0x12/0x40\n"
    "[   16.758412]  folio_wait_bit_common+0x12d/0x300\n"
    "[   16.760591]  </TASK>\n"
    "[   30.000000] Uhhuh. NMI received for unknown reason 3d on CPU 2.\n"
    "[   30.100000] sysrq: Trigger a crash\n";

COR_TEST(logscan_hung_task_nmi_sysrq)
{
	struct log_scan ls;
	CHECK_OK(cor_logscan_parse_mem(hung_log, strlen(hung_log), &ls));
	CHECK(ls.hung_task);
	CHECK_STR(ls.hung_comm, "dd");
	CHECK_U64(ls.hung_pid, 1234);
	CHECK_U64(ls.hung_secs, 120);
	const struct log_report *r = &ls.reports[ls.hung_report];
	CHECK(r->num_frames == 4);
	CHECK_STR(r->comm, "dd");
	CHECK(ls.nmi_unknown);
	CHECK_U64(ls.nmi_reason, 0x3d);
	CHECK_U64(ls.nmi_cpu, 2);
	CHECK(ls.sysrq_crash);
	CHECK(!ls.has_panic);
	cor_logscan_deinit(&ls);
}

COR_TEST(logscan_garbage)
{
	/* Bytes that are not a log must not crash the scanner. */
	char buf[4096];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 131 + 7);
	struct log_scan ls;
	CHECK_OK(cor_logscan_parse_mem(buf, sizeof(buf), &ls));
	cor_logscan_deinit(&ls);
	CHECK_OK(cor_logscan_parse_mem("", 0, &ls));
	cor_logscan_deinit(&ls);
}
