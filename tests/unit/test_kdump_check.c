// SPDX-License-Identifier: MIT
// kdump-check against fake roots (tests/data/kdump-check/, made by
// make-roots.sh there): no reservation, reservation too small, capture kernel
// not loaded, watchdog panics off, dump target too small, everything fine,
// plus RHEL and SUSE configurations; then this machine, checked against what
// the test reads from /proc and /sys itself.
#include <limits.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coroner/kdump_check.h"
#include "corpus.h"
#include "harness.h"

#define MIB (1024ull * 1024)

static const struct cor_kdump_finding *find(const struct cor_kdump_report *rep, const char *id)
{
	static const struct cor_kdump_finding none = {.id = "(missing)",
						      .status = COR_KDUMP_UNKNOWN};
	for (size_t i = 0; i < rep->findings.len; i++) {
		const struct cor_kdump_finding *f = cor_vec_at(&rep->findings, i);
		if (strcmp(f->id, id) == 0)
			return f;
	}
	return &none;
}

static struct cor_error *run_root(const char *name, struct cor_kdump_report *rep)
{
	char root[PATH_MAX];
	snprintf(root, sizeof(root), "%s/tests/data/kdump-check/%s", cor_test_top(), name);
	return cor_kdump_check_run(root, rep);
}

/* Every finding but those listed is OK. */
static void only(struct cor_tctx *t, const struct cor_kdump_report *rep, const char *const *ids,
		 size_t n)
{
	for (size_t i = 0; i < rep->findings.len; i++) {
		const struct cor_kdump_finding *f = cor_vec_at(&rep->findings, i);
		bool listed = false;
		for (size_t k = 0; k < n; k++)
			listed |= strcmp(f->id, ids[k]) == 0;
		if (!listed && f->status != COR_KDUMP_OK)
			cor_test_fail(t, __FILE__, __LINE__, "%s is %s (%s), expected ok", f->id,
				      cor_kdump_status_name(f->status), f->title);
	}
}

#define CHECK_STATUS(rep, id, st)                                                                  \
	do {                                                                                       \
		const struct cor_kdump_finding *f_ = find(rep, id);                                \
		if (f_->status != (st))                                                            \
			cor_test_fail(t, __FILE__, __LINE__, "%s: %s (%s), expected %s", id,       \
				      cor_kdump_status_name(f_->status), f_->title,                \
				      cor_kdump_status_name(st));                                  \
	} while (0)

COR_TEST(kdump_check_fine)
{
	struct cor_kdump_report rep;
	CHECK_OK(run_root("fine", &rep));
	only(t, &rep, NULL, 0);
	const struct cor_kdump_facts *f = &rep.facts;
	CHECK_U64(f->mem_total, 752316ull * 1024);
	CHECK(f->cpus == 4);
	CHECK_U64(f->crash_size, 256 * MIB);
	CHECK_U64(f->iomem_crash, 0x3effffffull - 0x2f000000 + 1);
	CHECK_STR(f->crashkernel, "256M");
	CHECK_STR(f->release, "6.1.0-56-amd64");
	CHECK_STR(f->coredir, "/var/crash");
	CHECK(f->dump_level == 31 && f->compressed && f->capture_cpus == 1);
	CHECK_STR(f->initramfs, "/var/lib/kdump/initrd.img-6.1.0-56-amd64");
	CHECK_U64(f->initramfs_size, 131072);
	/* Level 31 keeps MemTotal - MemFree - (Cached + Buffers - Shmem) - AnonPages. */
	CHECK_U64(f->dump_kept, (752316ull - 431220 - (176632 + 10360 - 1204) - 48852) * 1024);
	CHECK_U64(f->dump_expected, f->dump_kept / 2);
	/* 150 MiB + 0 CPUs + 3 x 128 KiB + (RAM/16384 + 16 MiB), + 10%, rounded up to a MiB. */
	uint64_t sum = 150 * MIB + 3 * 131072 + 752316ull * 1024 / 16384 + 16 * MIB;
	CHECK_U64(f->estimate.total, (sum + sum / 10 + MIB - 1) / MIB * MIB);
	cor_kdump_report_deinit(&rep);
}

COR_TEST(kdump_check_no_reservation)
{
	struct cor_kdump_report rep;
	CHECK_OK(run_root("no-reservation", &rep));
	static const char *const bad[] = {"reservation", "reservation.size", "capture_kernel"};
	only(t, &rep, bad, 3);
	CHECK_STATUS(&rep, "reservation", COR_KDUMP_FAIL);
	CHECK_STATUS(&rep, "reservation.size", COR_KDUMP_INFO);
	CHECK_STATUS(&rep, "capture_kernel", COR_KDUMP_FAIL);
	const struct cor_kdump_finding *f = find(&rep, "reservation");
	CHECK(strstr(f->detail, "No crashkernel= on the command line") != NULL);
	/* The fix names the estimate rounded up to 64 MiB: 184 MiB -> 192M. */
	CHECK(strstr(f->fix, "crashkernel=192M") != NULL);
	CHECK(strstr(find(&rep, "capture_kernel")->fix, "systemctl enable --now kdump-tools") !=
	      NULL);
	cor_kdump_report_deinit(&rep);
}

COR_TEST(kdump_check_too_small)
{
	struct cor_kdump_report rep;
	CHECK_OK(run_root("too-small", &rep));
	static const char *const bad[] = {"reservation.size"};
	only(t, &rep, bad, 1);
	CHECK_STATUS(&rep, "reservation.size", COR_KDUMP_FAIL);
	const struct cor_kdump_finding *f = find(&rep, "reservation.size");
	CHECK(strstr(f->title, "64 MiB reserved") != NULL);
	CHECK(strstr(f->detail, "Estimate: kernel 150 MiB") != NULL);
	CHECK(strstr(f->fix, "crashkernel=192M") != NULL);
	cor_kdump_report_deinit(&rep);
}

COR_TEST(kdump_check_not_loaded)
{
	struct cor_kdump_report rep;
	CHECK_OK(run_root("not-loaded", &rep));
	static const char *const bad[] = {"capture_kernel"};
	only(t, &rep, bad, 1);
	CHECK_STATUS(&rep, "capture_kernel", COR_KDUMP_FAIL);
	cor_kdump_report_deinit(&rep);
}

COR_TEST(kdump_check_watchdog_off)
{
	struct cor_kdump_report rep;
	CHECK_OK(run_root("watchdog-off", &rep));
	static const char *const bad[] = {"watchdog.watchdog_thresh",
					  "watchdog.nmi_watchdog",
					  "watchdog.hardlockup_panic",
					  "watchdog.softlockup_panic",
					  "nmi.unknown_nmi_panic",
					  "hung_task_panic",
					  "panic_on_oops"};
	only(t, &rep, bad, 7);
	CHECK_STATUS(&rep, "watchdog.watchdog_thresh", COR_KDUMP_WARN);
	CHECK_STATUS(&rep, "watchdog.nmi_watchdog", COR_KDUMP_WARN);
	CHECK_STATUS(&rep, "watchdog.hardlockup_panic", COR_KDUMP_WARN);
	CHECK_STATUS(&rep, "watchdog.softlockup_panic", COR_KDUMP_WARN);
	CHECK_STATUS(&rep, "nmi.unknown_nmi_panic", COR_KDUMP_WARN);
	CHECK_STATUS(&rep, "hung_task_panic", COR_KDUMP_INFO);
	CHECK_STATUS(&rep, "panic_on_oops", COR_KDUMP_INFO);
	CHECK(strstr(find(&rep, "watchdog.hardlockup_panic")->fix,
		     "sysctl -w kernel.hardlockup_panic=1") != NULL);
	CHECK(strstr(find(&rep, "nmi.unknown_nmi_panic")->detail, "NMI button") != NULL);
	cor_kdump_report_deinit(&rep);
}

COR_TEST(kdump_check_target_too_small)
{
	struct cor_kdump_report rep;
	CHECK_OK(run_root("target-too-small", &rep));
	static const char *const bad[] = {"dump_target"};
	only(t, &rep, bad, 1);
	CHECK_STATUS(&rep, "dump_target", COR_KDUMP_FAIL);
	/* -d 0, no compression: all 64 TiB are kept. */
	CHECK_U64(rep.facts.dump_kept, 68719476736ull * 1024);
	CHECK_U64(rep.facts.dump_expected, rep.facts.dump_kept);
	CHECK(!rep.facts.compressed && rep.facts.dump_level == 0);
	cor_kdump_report_deinit(&rep);
}

COR_TEST(kdump_check_rhel_auto)
{
	struct cor_kdump_report rep;
	CHECK_OK(run_root("rhel-auto", &rep));
	CHECK_STATUS(&rep, "reservation", COR_KDUMP_FAIL);
	CHECK(strstr(find(&rep, "reservation")->detail, "crashkernel=auto") != NULL);
	CHECK(strstr(find(&rep, "reservation")->fix, "grubby --update-kernel=ALL") != NULL);
	CHECK_STR(rep.facts.config, "/etc/kdump.conf");
	CHECK_STR(rep.facts.dump_args, "-l --message-level 7 -d 31");
	CHECK(rep.facts.dump_level == 31 && rep.facts.compressed && rep.facts.capture_cpus == 1);
	CHECK_STR(rep.facts.initramfs, "/boot/initramfs-5.14.0-362.el9.x86_64kdump.img");
	CHECK_U64(rep.facts.initramfs_size, 196608);
	cor_kdump_report_deinit(&rep);
}

COR_TEST(kdump_check_suse)
{
	struct cor_kdump_report rep;
	CHECK_OK(run_root("suse", &rep));
	only(t, &rep, NULL, 0);
	CHECK_STR(rep.facts.config, "/etc/sysconfig/kdump");
	CHECK_STR(rep.facts.coredir, "/var/crash");
	CHECK_STR(rep.facts.dump_args, "-l -d 31");
	CHECK(rep.facts.capture_cpus == 2);
	CHECK_U64(rep.facts.estimate.cpus, 4 * MIB);
	CHECK_U64(rep.facts.initramfs_size, 262144);
	cor_kdump_report_deinit(&rep);
}

/* kernel/crash_core.c parse_crashkernel() forms. */
COR_TEST(kdump_crashkernel_values)
{
	uint64_t v = 1;
	CHECK_OK(cor_kdump_crashkernel_size("256M", 1ull << 30, &v));
	CHECK_U64(v, 256 * MIB);
	CHECK_OK(cor_kdump_crashkernel_size("128M@16M", 1ull << 30, &v));
	CHECK_U64(v, 128 * MIB);
	CHECK_OK(cor_kdump_crashkernel_size("1G,high", 64ull << 30, &v));
	CHECK_U64(v, 1ull << 30);
	/* Debian's recommendation "384M-:128M" and a RHEL-like table. */
	CHECK_OK(cor_kdump_crashkernel_size("384M-:128M", 1ull << 30, &v));
	CHECK_U64(v, 128 * MIB);
	CHECK_OK(cor_kdump_crashkernel_size("384M-:128M", 256 * MIB, &v));
	CHECK_U64(v, 0);
	CHECK_OK(cor_kdump_crashkernel_size("1G-4G:192M,4G-64G:256M,64G-:512M", 8ull << 30, &v));
	CHECK_U64(v, 256 * MIB);
	CHECK_OK(cor_kdump_crashkernel_size("1G-4G:192M,4G-64G:256M,64G-:512M", 4ull << 30, &v));
	CHECK_U64(v, 256 * MIB); /* end is exclusive: 4G falls in 4G-64G */
	CHECK_OK(cor_kdump_crashkernel_size("1G-4G:192M,4G-64G:256M,64G-:512M", 1ull << 40, &v));
	CHECK_U64(v, 512 * MIB);
	CHECK_ERR(cor_kdump_crashkernel_size("auto", 1ull << 30, &v), COR_ERR_INVALID);
	CHECK_ERR(cor_kdump_crashkernel_size("lots", 1ull << 30, &v), COR_ERR_INVALID);
	CHECK_ERR(cor_kdump_crashkernel_size("4G-1G:128M", 2ull << 30, &v), COR_ERR_INVALID);
	CHECK_ERR(cor_kdump_crashkernel_size("256Mx", 1ull << 30, &v), COR_ERR_INVALID);
	CHECK_ERR(cor_kdump_crashkernel_size("99999999999999999999G", 1ull << 30, &v),
		  COR_ERR_INVALID);
}

/* kernel/resource.c r_show(): addresses print as zeros without CAP_SYS_ADMIN. */
COR_TEST(kdump_iomem)
{
	const char *root_view = "00100000-3ffdffff : System RAM\n"
				"  2f000000-3effffff : Crash kernel\n"
				"100000000-13fffffff : System RAM\n"
				"  108000000-10fffffff : Crash kernel\n";
	uint64_t size;
	bool hidden;
	cor_kdump_parse_iomem_mem(root_view, strlen(root_view), &size, &hidden);
	CHECK_U64(size, 256 * MIB + 128 * MIB);
	CHECK(!hidden);
	const char *user_view = "00000000-00000000 : System RAM\n"
				"  00000000-00000000 : Crash kernel\n";
	cor_kdump_parse_iomem_mem(user_view, strlen(user_view), &size, &hidden);
	CHECK_U64(size, 0);
	CHECK(hidden);
	cor_kdump_parse_iomem_mem("", 0, &size, &hidden);
	CHECK(size == 0 && !hidden);
}

COR_TEST(kdump_check_bad_root)
{
	struct cor_kdump_report rep;
	CHECK_ERR(cor_kdump_check_run("/nonexistent/kdump-root", &rep), COR_ERR_INVALID);
}

/* The CLI: exit 1 with a failure, 0 without; JSON parses. */
COR_TEST(kdump_check_cli)
{
	char cmd[3 * PATH_MAX];
	char *out = NULL;
	snprintf(cmd, sizeof(cmd), "'%s' kdump-check --root '%s/tests/data/kdump-check/fine'",
		 corpus_coroner(), cor_test_top());
	CHECK(cor_test_run(cmd, &out) == 0);
	CHECK(out && strstr(out, "12 ok, 0 info, 0 warnings, 0 failures, 0 unknown"));
	free(out);
	snprintf(
	    cmd, sizeof(cmd),
	    "'%s' kdump-check --json --root '%s/tests/data/kdump-check/not-loaded' | "
	    "/usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); "
	    "print([f[\"status\"] for f in d[\"findings\"] if f[\"id\"]==\"capture_kernel\"][0], "
	    "d[\"facts\"][\"crash_loaded\"])'",
	    corpus_coroner(), cor_test_top());
	out = NULL;
	CHECK(cor_test_run(cmd, &out) == 0);
	CHECK_STR(out, "FAIL 0\n");
	free(out);
	snprintf(cmd, sizeof(cmd),
		 "'%s' kdump-check --root '%s/tests/data/kdump-check/not-loaded' >/dev/null",
		 corpus_coroner(), cor_test_top());
	CHECK(cor_test_run(cmd, NULL) == 1);
}

/* This machine: the findings must agree with what the test reads itself. */
COR_TEST(kdump_check_this_machine)
{
	struct cor_kdump_report rep;
	CHECK_OK(cor_kdump_check_run("/", &rep));
	char *loaded = cor_test_slurp("/sys/kernel/kexec_crash_loaded", NULL);
	enum cor_kdump_status want = !loaded		 ? COR_KDUMP_UNKNOWN
				     : atoi(loaded) == 1 ? COR_KDUMP_OK
							 : COR_KDUMP_FAIL;
	CHECK_STATUS(&rep, "capture_kernel", want);
	char *mem = cor_test_slurp("/proc/meminfo", NULL);
	if (mem && strstr(mem, "MemTotal:"))
		CHECK_U64(rep.facts.mem_total,
			  strtoull(strstr(mem, "MemTotal:") + 9, NULL, 10) * 1024);
	char *nmi = cor_test_slurp("/proc/sys/kernel/nmi_watchdog", NULL);
	CHECK(rep.facts.nmi_watchdog == (nmi ? atoi(nmi) : -1));
	char *size = cor_test_slurp("/sys/kernel/kexec_crash_size", NULL);
	CHECK(rep.facts.have_crash_size == (size != NULL));
	printf("    this machine: capture kernel %s, %llu MiB reserved, %zu findings\n",
	       cor_kdump_status_name(want), (unsigned long long)(rep.facts.crash_size / MIB),
	       rep.findings.len);
	free(loaded);
	free(mem);
	free(nmi);
	free(size);
	cor_kdump_report_deinit(&rep);
}

/* A nearly empty root: nothing to read but /proc/cpuinfo. Every check still
 * answers (unknown where it cannot know), and the CPU count falls back. */
COR_TEST(kdump_check_bare_root)
{
	const char *dir = cor_test_tmpdir(t);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/proc", dir);
	CHECK(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/proc/cpuinfo", dir);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		for (int i = 0; i < 3; i++)
			fprintf(f, "processor\t: %d\nvendor_id\t: GenuineIntel\n\n", i);
		fclose(f);
	}
	struct cor_kdump_report rep;
	CHECK_OK(cor_kdump_check_run(dir, &rep));
	CHECK(rep.facts.cpus == 3);
	CHECK(!rep.facts.have_meminfo && !rep.facts.have_crash_size);
	CHECK_STATUS(&rep, "reservation", COR_KDUMP_FAIL);
	CHECK_STATUS(&rep, "reservation.size", COR_KDUMP_UNKNOWN);
	CHECK_STATUS(&rep, "capture_kernel", COR_KDUMP_UNKNOWN);
	CHECK_STATUS(&rep, "watchdog.hardlockup_panic", COR_KDUMP_UNKNOWN);
	CHECK_STATUS(&rep, "config", COR_KDUMP_WARN);
	CHECK_STATUS(&rep, "dump_target", COR_KDUMP_UNKNOWN);
	cor_kdump_report_deinit(&rep);
}
