// SPDX-License-Identifier: MIT
// kdump-check: the findings, each with its exact fix, and the two estimates
// (capture-kernel memory, dump size). See docs/kdump-check.md.
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kdumpcheck/kdump_priv.h"

#define MIB (1024ull * 1024)

/*
 * The capture kernel's own footprint, measured on this project's corpus:
 * Debian's 6.1.0-56-amd64 capture kernel, booted with nr_cpus=1 in a 256 MiB
 * reservation with a 14 MiB initramfs, reports "Memory: 93932K/262124K
 * available" (console.log of every scenario): 164 MiB in use right after
 * boot, 14 MiB of it the initramfs, so about 150 MiB for the kernel image,
 * its page tables, struct pages and early allocations.
 */
#define EST_KERNEL (150 * MIB)
/* Each further CPU the capture kernel brings up: per-cpu areas, IRQ and
 * exception stacks, per-cpu slab and page lists (an estimate, not measured). */
#define EST_PER_CPU (4 * MIB)
/* The packed initramfs stays in memory until unpacked; the unpacked rootfs
 * (tmpfs) is typically twice the compressed size: 3x in all. */
#define EST_INITRAMFS_FACTOR 3
/* When the capture initramfs cannot be found. */
#define EST_INITRAMFS_DEFAULT (32 * MIB)
/* makedumpfile keeps two bitmaps of one bit per 4 KiB page of the crashed
 * system (makedumpfile.c, non-cyclic mode; cyclic mode needs less but runs
 * slower), plus its process, libraries and compression buffers; coroner
 * capture keeps the same two bitmaps (src/capture/filter.c) and a batch of
 * pages per compression thread. */
#define EST_TOOL_FIXED (16 * MIB)

const char *cor_kdump_status_name(enum cor_kdump_status st)
{
	static const char *const n[] = {"ok", "info", "warn", "FAIL", "unknown"};
	return (unsigned)st < COR_ARRAY_SIZE(n) ? n[st] : "unknown";
}

/* memparse() (lib/cmdline.c): a number with an optional K/M/G/T/P/E suffix. */
static bool memparse(const char **s, uint64_t *ret)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(*s, &end, 0);
	if (end == *s || errno)
		return false;
	int shift = 0;
	switch (*end) {
	case 'E':
	case 'e':
		shift += 10; /* fall through */
	case 'P':
	case 'p':
		shift += 10; /* fall through */
	case 'T':
	case 't':
		shift += 10; /* fall through */
	case 'G':
	case 'g':
		shift += 10; /* fall through */
	case 'M':
	case 'm':
		shift += 10; /* fall through */
	case 'K':
	case 'k':
		shift += 10;
		end++;
		break;
	default:
		break;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	*ret = (uint64_t)v << shift;
	*s = end;
	return true;
}

/* kernel/crash_core.c (6.1) parse_crashkernel_mem(): "start-[end]:size,...";
 * a range matches when start <= system_ram < end. */
static struct cor_error *parse_ranges(const char *s, uint64_t ram, uint64_t *ret)
{
	*ret = 0;
	while (*s && *s != '@') {
		uint64_t start, end = UINT64_MAX, size;
		if (!memparse(&s, &start) || *s++ != '-')
			return cor_error_create(COR_ERR_INVALID,
						"crashkernel: range start expected");
		if (*s != ':' && !memparse(&s, &end))
			return cor_error_create(COR_ERR_INVALID, "crashkernel: range end expected");
		if (*s++ != ':' || !memparse(&s, &size))
			return cor_error_create(COR_ERR_INVALID, "crashkernel: size expected");
		if (end <= start)
			return cor_error_create(COR_ERR_INVALID, "crashkernel: end <= start");
		if (ram >= start && ram < end) {
			*ret = size;
			return NULL;
		}
		if (*s == ',')
			s++;
		else if (*s && *s != '@')
			return cor_error_create(COR_ERR_INVALID, "crashkernel: ',' expected");
	}
	return NULL;
}

struct cor_error *cor_kdump_crashkernel_size(const char *value, uint64_t system_ram, uint64_t *ret)
{
	if (strcmp(value, "auto") == 0)
		return cor_error_create(
		    COR_ERR_INVALID, "crashkernel=auto is understood only by RHEL/CentOS 7 and 8 "
				     "kernels; upstream kernels reserve nothing");
	const char *colon = strchr(value, ':');
	if (colon)
		return parse_ranges(value, system_ram, ret);
	const char *s = value;
	uint64_t size;
	if (!memparse(&s, &size))
		return cor_error_create(COR_ERR_INVALID, "crashkernel=%s: memory value expected",
					value);
	if (*s && *s != '@' && strcmp(s, ",high") != 0 && strcmp(s, ",low") != 0)
		return cor_error_create(COR_ERR_INVALID, "crashkernel=%s: unexpected '%s'", value,
					s);
	*ret = size;
	return NULL;
}

void cor_kdump_estimate(const struct cor_kdump_facts *f, struct cor_kdump_estimate *e)
{
	memset(e, 0, sizeof(*e));
	e->kernel = EST_KERNEL;
	e->cpus = (uint64_t)(f->capture_cpus > 1 ? f->capture_cpus - 1 : 0) * EST_PER_CPU;
	e->initramfs =
	    EST_INITRAMFS_FACTOR * (f->initramfs[0] ? f->initramfs_size : EST_INITRAMFS_DEFAULT);
	e->dump_tool = f->mem_total / 16384 + EST_TOOL_FIXED;
	uint64_t sum = e->kernel + e->cpus + e->initramfs + e->dump_tool;
	e->margin = sum / 10;
	e->total = (sum + e->margin + MIB - 1) / MIB * MIB;
}

/* makedumpfile(8) dump levels: 1 zero pages, 2 cache without private, 4 cache
 * with private, 8 user data, 16 free pages. Zero pages cannot be counted from
 * /proc/meminfo: not subtracted (the estimate stays an upper bound). */
static void dump_estimate(struct cor_kdump_facts *f)
{
	uint64_t kept = f->mem_total, cache = f->cached + f->buffers;
	cache = cache > f->shmem ? cache - f->shmem : 0;
	if ((f->dump_level & 16) && kept >= f->mem_free)
		kept -= f->mem_free;
	if ((f->dump_level & 6) && kept >= cache)
		kept -= cache;
	if ((f->dump_level & 8) && kept >= f->anon)
		kept -= f->anon;
	f->dump_kept = kept;
	/* Compressed: 2:1 assumed, below what kernel memory usually gives (this
	 * project's 1 GiB corpus VMs: 25 MB files at -d 31 -l) to stay safe. */
	f->dump_expected = f->compressed ? kept / 2 : kept;
}

static struct cor_error *add(struct cor_kdump_report *rep, const char *id, enum cor_kdump_status st,
			     struct cor_kdump_finding **ret, const char *fmt, ...) COR_PRINTF(5, 6);
static struct cor_error *add(struct cor_kdump_report *rep, const char *id, enum cor_kdump_status st,
			     struct cor_kdump_finding **ret, const char *fmt, ...)
{
	struct cor_kdump_finding *fd;
	struct cor_error *err = cor_vec_push_zero(&rep->findings, (void **)&fd);
	if (err)
		return err;
	fd->id = id;
	fd->status = st;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fd->title, sizeof(fd->title), fmt, ap);
	va_end(ap);
	if (ret)
		*ret = fd;
	return NULL;
}

static void catf(char *buf, size_t size, const char *fmt, ...) COR_PRINTF(3, 4);
static void catf(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	if (n >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

static uint64_t reserved(const struct cor_kdump_facts *f)
{
	return f->have_crash_size && f->crash_size ? f->crash_size : f->iomem_crash;
}

static void fix_reservation(char *fix, size_t size, uint64_t want)
{
	unsigned m = (unsigned)((want + 64 * MIB - 1) / (64 * MIB) * 64);
	snprintf(
	    fix, size,
	    "Reserve crashkernel=%uM and reboot. Debian/Ubuntu: set "
	    "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=%uM\" in "
	    "/etc/default/grub.d/kdump-tools.cfg, then update-grub. RHEL/Fedora: grubby "
	    "--update-kernel=ALL --args=crashkernel=%uM. SUSE: KDUMP_CRASHKERNEL in "
	    "/etc/sysconfig/kdump (kdumptool calibrate proposes a value), then update-bootloader.",
	    m, m, m);
}

static struct cor_error *check_reservation(struct cor_kdump_report *rep)
{
	const struct cor_kdump_facts *f = &rep->facts;
	uint64_t have = reserved(f);
	struct cor_kdump_finding *fd;
	struct cor_error *err;
	if (have == 0) {
		err = add(rep, "reservation", COR_KDUMP_FAIL, &fd,
			  "no memory reserved for a capture kernel");
		if (err)
			return err;
		uint64_t asked = 0;
		struct cor_error *perr =
		    f->crashkernel[0]
			? cor_kdump_crashkernel_size(f->crashkernel, f->mem_total, &asked)
			: NULL;
		if (perr)
			catf(fd->detail, sizeof(fd->detail), "%s. ", perr->message);
		else if (f->crashkernel[0] && asked == 0)
			catf(fd->detail, sizeof(fd->detail),
			     "crashkernel=%s has no range for %llu MiB of RAM. ", f->crashkernel,
			     (unsigned long long)(f->mem_total / MIB));
		else if (f->crashkernel[0])
			catf(fd->detail, sizeof(fd->detail),
			     "The command line asks for crashkernel=%s (%llu MiB) but nothing is "
			     "reserved (no free range that large below the limit?). ",
			     f->crashkernel, (unsigned long long)(asked / MIB));
		else
			catf(fd->detail, sizeof(fd->detail),
			     "No crashkernel= on the command line. ");
		cor_error_destroy(perr);
		if (!f->have_crash_size)
			catf(fd->detail, sizeof(fd->detail),
			     "/sys/kernel/kexec_crash_size is missing: this kernel may lack "
			     "CONFIG_CRASH_DUMP/KEXEC_CORE. ");
		if (f->iomem_hidden)
			catf(fd->detail, sizeof(fd->detail),
			     "/proc/iomem hides addresses (read it as root). ");
		fix_reservation(fd->fix, sizeof(fd->fix), f->estimate.total);
	} else {
		err = add(rep, "reservation", COR_KDUMP_OK, &fd,
			  "%llu MiB reserved for the capture kernel",
			  (unsigned long long)(have / MIB));
		if (err)
			return err;
		snprintf(fd->detail, sizeof(fd->detail), "from %s%s%s",
			 f->have_crash_size && f->crash_size ? "/sys/kernel/kexec_crash_size"
							     : "/proc/iomem \"Crash kernel\"",
			 f->crashkernel[0] ? "; crashkernel=" : "", f->crashkernel);
	}
	if (strcmp(f->crashkernel, "auto") == 0)
		catf(fd->detail, sizeof(fd->detail),
		     " crashkernel=auto is a RHEL/CentOS 7-8 kernel feature (a built-in size "
		     "table); "
		     "upstream and RHEL 9 kernels ignore it (RHEL 9: kdumpctl reset-crashkernel "
		     "writes an explicit value; SUSE: kdumptool calibrate).");
	return NULL;
}

static struct cor_error *check_size(struct cor_kdump_report *rep)
{
	const struct cor_kdump_facts *f = &rep->facts;
	const struct cor_kdump_estimate *e = &f->estimate;
	uint64_t have = reserved(f);
	struct cor_kdump_finding *fd;
	enum cor_kdump_status st = !f->have_meminfo  ? COR_KDUMP_UNKNOWN
				   : have == 0	     ? COR_KDUMP_INFO
				   : have < e->total ? COR_KDUMP_FAIL
						     : COR_KDUMP_OK;
	struct cor_error *err =
	    add(rep, "reservation.size", st, &fd,
		"capture kernel needs about %llu MiB, %llu MiB reserved",
		(unsigned long long)(e->total / MIB), (unsigned long long)(have / MIB));
	if (err)
		return err;
	snprintf(
	    fd->detail, sizeof(fd->detail),
	    "Estimate: kernel %llu MiB (measured: Debian 6.1 capture kernel) + %d extra "
	    "capture CPU(s) x %llu MiB = %llu MiB + initramfs %s%s%llu KiB x %d = %llu MiB + "
	    "dump tool (makedumpfile or coroner capture: two bitmaps, 2 bits per 4 KiB page of "
	    "%llu MiB of RAM) and buffers "
	    "= %llu MiB + 10%% margin %llu MiB.",
	    (unsigned long long)(e->kernel / MIB), f->capture_cpus > 1 ? f->capture_cpus - 1 : 0,
	    (unsigned long long)(EST_PER_CPU / MIB), (unsigned long long)(e->cpus / MIB),
	    f->initramfs[0] ? f->initramfs : "(not found, assumed)", " ",
	    (unsigned long long)((f->initramfs[0] ? f->initramfs_size : EST_INITRAMFS_DEFAULT) /
				 1024),
	    EST_INITRAMFS_FACTOR, (unsigned long long)(e->initramfs / MIB),
	    (unsigned long long)(f->mem_total / MIB), (unsigned long long)(e->dump_tool / MIB),
	    (unsigned long long)(e->margin / MIB));
	if (st == COR_KDUMP_FAIL)
		fix_reservation(fd->fix, sizeof(fd->fix), e->total);
	return NULL;
}

static struct cor_error *check_loaded(struct cor_kdump_report *rep)
{
	const struct cor_kdump_facts *f = &rep->facts;
	struct cor_kdump_finding *fd;
	enum cor_kdump_status st = f->crash_loaded == 1	  ? COR_KDUMP_OK
				   : f->crash_loaded == 0 ? COR_KDUMP_FAIL
							  : COR_KDUMP_UNKNOWN;
	struct cor_error *err =
	    add(rep, "capture_kernel", st, &fd, "%s",
		st == COR_KDUMP_OK     ? "a capture kernel is loaded"
		: st == COR_KDUMP_FAIL ? "no capture kernel loaded"
				       : "cannot tell whether a capture kernel is loaded");
	if (err)
		return err;
	if (st == COR_KDUMP_UNKNOWN)
		snprintf(fd->detail, sizeof(fd->detail),
			 "/sys/kernel/kexec_crash_loaded cannot be read (kernel without kexec?)");
	if (st == COR_KDUMP_FAIL) {
		snprintf(fd->detail, sizeof(fd->detail),
			 "/sys/kernel/kexec_crash_loaded is 0: a panic now reboots or hangs "
			 "without a dump.");
		snprintf(fd->fix, sizeof(fd->fix),
			 "Debian/Ubuntu: systemctl enable --now kdump-tools (check: kdump-config "
			 "show). RHEL/Fedora/SUSE: systemctl enable --now kdump (check: kdumpctl "
			 "status).");
	}
	return NULL;
}

struct sysctl_rule {
	const char *id;
	const char *name;
	/* The value that makes a dump happen, and the status when it is not set. */
	int want;
	enum cor_kdump_status otherwise;
	const char *why;
};

static const struct sysctl_rule sysctl_rules[] = {
    {"watchdog.nmi_watchdog", "nmi_watchdog", 1, COR_KDUMP_WARN,
     "the hard-lockup detector is off: a CPU spinning with interrupts disabled is never "
     "reported (in a VM without a virtual PMU it cannot work at all: see unknown_nmi_panic)"},
    {"watchdog.hardlockup_panic", "hardlockup_panic", 1, COR_KDUMP_WARN,
     "a hard lockup only prints a warning: the machine stays hung and no dump is taken"},
    {"watchdog.softlockup_panic", "softlockup_panic", 1, COR_KDUMP_WARN,
     "a soft lockup only prints a warning: the machine may stay unusable and no dump is taken"},
    {"nmi.unknown_nmi_panic", "unknown_nmi_panic", 1, COR_KDUMP_WARN,
     "an NMI from the NMI button, the BMC (ipmitool chassis power diag) or the hypervisor "
     "(virsh inject-nmi) does not panic, so a hung machine cannot be forced to dump"},
    {"hung_task_panic", "hung_task_panic", 1, COR_KDUMP_INFO,
     "tasks blocked in D state are reported but no dump is taken (a policy choice)"},
    {"panic_on_oops", "panic_on_oops", 1, COR_KDUMP_INFO,
     "an oops kills the task and the kernel goes on, possibly corrupted; no dump is taken"},
};

static int sysctl_value(const struct cor_kdump_facts *f, const char *name)
{
	if (!strcmp(name, "nmi_watchdog"))
		return f->nmi_watchdog;
	if (!strcmp(name, "hardlockup_panic"))
		return f->hardlockup_panic;
	if (!strcmp(name, "softlockup_panic"))
		return f->softlockup_panic;
	if (!strcmp(name, "unknown_nmi_panic"))
		return f->unknown_nmi_panic;
	if (!strcmp(name, "hung_task_panic"))
		return f->hung_task_panic;
	return f->panic_on_oops;
}

static struct cor_error *check_sysctls(struct cor_kdump_report *rep)
{
	const struct cor_kdump_facts *f = &rep->facts;
	struct cor_kdump_finding *fd;
	struct cor_error *err;
	int th = f->watchdog_thresh;
	err = add(rep, "watchdog.watchdog_thresh",
		  th < 0    ? COR_KDUMP_UNKNOWN
		  : th == 0 ? COR_KDUMP_WARN
			    : COR_KDUMP_OK,
		  &fd, th < 0 ? "kernel.watchdog_thresh unreadable" : "kernel.watchdog_thresh = %d",
		  th);
	if (err)
		return err;
	if (th > 0)
		snprintf(
		    fd->detail, sizeof(fd->detail),
		    "hard lockup after %d s with interrupts off, soft lockup after %d s without "
		    "scheduling (kernel/watchdog.c: 2 x watchdog_thresh)",
		    th, 2 * th);
	else if (th == 0)
		snprintf(fd->fix, sizeof(fd->fix),
			 "sysctl -w kernel.watchdog_thresh=10; persist it in "
			 "/etc/sysctl.d/90-kdump.conf");
	for (size_t i = 0; i < COR_ARRAY_SIZE(sysctl_rules); i++) {
		const struct sysctl_rule *r = &sysctl_rules[i];
		int v = sysctl_value(f, r->name);
		enum cor_kdump_status st = v < 0	  ? COR_KDUMP_UNKNOWN
					   : v == r->want ? COR_KDUMP_OK
							  : r->otherwise;
		if (v >= 0 && v != r->want && !strcmp(r->name, "nmi_watchdog") && v != 0)
			st = COR_KDUMP_OK;
		err = add(rep, r->id, st, &fd, v < 0 ? "kernel.%s unreadable" : "kernel.%s = %d",
			  r->name, v);
		if (err)
			return err;
		if (st == COR_KDUMP_UNKNOWN)
			snprintf(fd->detail, sizeof(fd->detail),
				 "/proc/sys/kernel/%s is missing (kernel built without it?)",
				 r->name);
		if (st == COR_KDUMP_WARN || st == COR_KDUMP_INFO) {
			snprintf(fd->detail, sizeof(fd->detail), "%s", r->why);
			snprintf(fd->fix, sizeof(fd->fix),
				 "sysctl -w kernel.%s=%d; persist it: echo 'kernel.%s = %d' >> "
				 "/etc/sysctl.d/90-kdump.conf",
				 r->name, r->want, r->name, r->want);
		}
	}
	return NULL;
}

static struct cor_error *check_config(struct cor_kdump_report *rep)
{
	const struct cor_kdump_facts *f = &rep->facts;
	struct cor_kdump_finding *fd;
	struct cor_error *err;
	if (!f->config[0]) {
		err = add(rep, "config", COR_KDUMP_WARN, &fd, "no kdump configuration found");
		if (err)
			return err;
		snprintf(fd->detail, sizeof(fd->detail),
			 "none of /etc/default/kdump-tools, /etc/kdump.conf, /etc/sysconfig/kdump: "
			 "assuming dumps to /var/crash with makedumpfile -c -d 31");
		snprintf(fd->fix, sizeof(fd->fix),
			 "Debian/Ubuntu: apt install kdump-tools. RHEL/Fedora: dnf install "
			 "kexec-tools. SUSE: zypper install kdump.");
		return NULL;
	}
	err = add(rep, "config", COR_KDUMP_OK, &fd, "%s: dump to %s with makedumpfile %s",
		  f->config, f->coredir, f->dump_args);
	if (err)
		return err;
	snprintf(fd->detail, sizeof(fd->detail),
		 "dump level %d, %scompressed, capture kernel with %d CPU(s); capture initramfs %s",
		 f->dump_level, f->compressed ? "" : "not ", f->capture_cpus,
		 f->initramfs[0] ? f->initramfs : "not found");
	return NULL;
}

static struct cor_error *check_target(struct cor_kdump_report *rep)
{
	const struct cor_kdump_facts *f = &rep->facts;
	struct cor_kdump_finding *fd;
	struct cor_error *err;
	if (f->remote_target || !f->have_target || !f->have_meminfo) {
		err = add(rep, "dump_target", COR_KDUMP_UNKNOWN, &fd,
			  "free space of the dump target not checked");
		if (!err)
			snprintf(fd->detail, sizeof(fd->detail), "%s",
				 f->remote_target ? "the dump goes to a remote target (NFS/SSH)"
				 : !f->have_meminfo
				     ? "/proc/meminfo unreadable: no size estimate"
				     : "no existing directory on the path of the dump "
				       "directory");
		return err;
	}
	enum cor_kdump_status st = f->target_free < f->dump_expected ? COR_KDUMP_FAIL
				   : f->target_free < f->dump_kept   ? COR_KDUMP_WARN
								     : COR_KDUMP_OK;
	err = add(rep, "dump_target", st, &fd,
		  "dump target %s: %llu MiB free, dump expected up to %llu MiB", f->coredir,
		  (unsigned long long)(f->target_free / MIB),
		  (unsigned long long)(f->dump_expected / MIB));
	if (err)
		return err;
	snprintf(fd->detail, sizeof(fd->detail),
		 "statvfs(%s). At dump level %d makedumpfile keeps about %llu MiB of %llu MiB "
		 "(from /proc/meminfo now: free, page cache and anonymous pages excluded as the "
		 "level says; zero pages not counted)%s.",
		 f->target_path, f->dump_level, (unsigned long long)(f->dump_kept / MIB),
		 (unsigned long long)(f->mem_total / MIB),
		 f->compressed ? "; compressed, assumed 2:1 (usually better)" : "");
	if (st != COR_KDUMP_OK)
		snprintf(fd->fix, sizeof(fd->fix),
			 "Free space on %s or point the dump elsewhere (KDUMP_COREDIR in "
			 "/etc/default/kdump-tools, 'path' in /etc/kdump.conf, KDUMP_SAVEDIR in "
			 "/etc/sysconfig/kdump); raising the dump level to 31 and compressing (-c, "
			 "-l or -z) makes the dump smaller.",
			 f->coredir);
	return NULL;
}

struct cor_error *cor_kdump_check_run(const char *root, struct cor_kdump_report *ret)
{
	struct stat st;
	if (!root || !*root)
		root = "/";
	if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode))
		return cor_error_create(COR_ERR_INVALID, "--root %s: not a directory", root);
	memset(ret, 0, sizeof(*ret));
	snprintf(ret->root, sizeof(ret->root), "%s", root);
	cor_vec_init(&ret->findings, sizeof(struct cor_kdump_finding));
	/* "/" + "/proc/..." would be "//proc": harmless, but keep paths clean. */
	const char *prefix = strcmp(root, "/") == 0 ? "" : root;
	kd_read_facts(prefix, &ret->facts);
	dump_estimate(&ret->facts);
	cor_kdump_estimate(&ret->facts, &ret->facts.estimate);
	struct cor_error *err = check_reservation(ret);
	if (!err)
		err = check_size(ret);
	if (!err)
		err = check_loaded(ret);
	if (!err)
		err = check_sysctls(ret);
	if (!err)
		err = check_config(ret);
	if (!err)
		err = check_target(ret);
	if (err)
		cor_kdump_report_deinit(ret);
	return err;
}

void cor_kdump_report_deinit(struct cor_kdump_report *rep)
{
	cor_vec_deinit(&rep->findings);
}
