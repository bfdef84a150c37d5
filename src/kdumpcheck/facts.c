// SPDX-License-Identifier: MIT
// kdump-check: reading the facts under a root directory (/proc, /sys, the
// kdump configuration of Debian, RHEL and SUSE). Read-only: open(), read(),
// stat() and statvfs(), nothing else.
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "kdumpcheck/kdump_priv.h"

bool kd_read(const char *root, const char *rel, char *buf, size_t size)
{
	char path[PATH_MAX];
	if (size == 0 || snprintf(path, sizeof(path), "%s%s", root, rel) >= (int)sizeof(path))
		return false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	size_t n = 0;
	while (n + 1 < size) {
		ssize_t r = read(fd, buf + n, size - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	return true;
}

static int read_int(const char *root, const char *rel)
{
	char buf[64];
	if (!kd_read(root, rel, buf, sizeof(buf)))
		return -1;
	char *end;
	long v = strtol(buf, &end, 10);
	if (end == buf || v < INT_MIN || v > INT_MAX)
		return -1;
	return (int)v;
}

static uint64_t meminfo_kb(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	while (p && p != text && p[-1] != '\n')
		p = strstr(p + 1, key);
	if (!p)
		return 0;
	return strtoull(p + strlen(key), NULL, 10) * 1024;
}

static void read_meminfo(const char *root, struct cor_kdump_facts *f)
{
	char buf[8192];
	if (!kd_read(root, "/proc/meminfo", buf, sizeof(buf)))
		return;
	f->mem_total = meminfo_kb(buf, "MemTotal:");
	f->mem_free = meminfo_kb(buf, "MemFree:");
	f->buffers = meminfo_kb(buf, "Buffers:");
	f->cached = meminfo_kb(buf, "Cached:");
	f->shmem = meminfo_kb(buf, "Shmem:");
	f->anon = meminfo_kb(buf, "AnonPages:");
	f->have_meminfo = f->mem_total > 0;
}

/* "0-3,6,8-9" (Documentation/ABI/testing/sysfs-devices-system-cpu). */
static int count_cpulist(const char *s)
{
	int n = 0;
	while (*s && *s != '\n') {
		char *e;
		long a = strtol(s, &e, 10), b = a;
		if (e == s)
			return -1;
		s = e;
		if (*s == '-') {
			b = strtol(s + 1, &e, 10);
			if (e == s + 1 || b < a)
				return -1;
			s = e;
		}
		if (b - a + 1 > 1 << 20)
			return -1;
		n += (int)(b - a + 1);
		if (*s == ',')
			s++;
	}
	return n > 0 ? n : -1;
}

static void read_cpus(const char *root, struct cor_kdump_facts *f)
{
	char list[4096];
	f->cpus = -1;
	if (kd_read(root, "/sys/devices/system/cpu/possible", list, sizeof(list)))
		f->cpus = count_cpulist(list);
	size_t cap = 4 << 20; /* /proc/cpuinfo: about 1.5 KiB per CPU */
	char *buf = f->cpus > 0 ? NULL : malloc(cap);
	if (!buf)
		return;
	if (!kd_read(root, "/proc/cpuinfo", buf, cap)) {
		free(buf);
		return;
	}
	int n = 0;
	for (const char *p = buf; (p = strstr(p, "processor")) != NULL; p++)
		if (p == buf || p[-1] == '\n')
			n++;
	f->cpus = n > 0 ? n : -1;
	free(buf);
}

void cor_kdump_parse_iomem_mem(const void *text, size_t len, uint64_t *size_ret, bool *hidden_ret)
{
	const char *s = text, *end = s + len;
	uint64_t total = 0;
	bool hidden = false;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		char line[256];
		size_t n = COR_MIN((size_t)(e - s), sizeof(line) - 1);
		memcpy(line, s, n);
		line[n] = '\0';
		/* kernel/resource.c r_show(): "%*s%0*llx-%0*llx : %s" */
		char *colon = strstr(line, " : ");
		if (colon && strcmp(colon + 3, "Crash kernel") == 0) {
			unsigned long long a, b;
			if (sscanf(line, " %llx-%llx", &a, &b) == 2) {
				if (a == 0 && b == 0)
					hidden = true; /* addresses hidden from non-root readers */
				else if (b >= a)
					total += b - a + 1;
			}
		}
		s = nl ? nl + 1 : end;
	}
	*size_ret = total;
	*hidden_ret = hidden;
}

static void read_cmdline(const char *root, struct cor_kdump_facts *f)
{
	char buf[4096];
	if (!kd_read(root, "/proc/cmdline", buf, sizeof(buf)))
		return;
	/* The kernel uses the last plain "crashkernel=" (kernel/crash_core.c
	 * get_last_crashkernel()). */
	for (char *p = buf; (p = strstr(p, "crashkernel=")) != NULL; p++) {
		if (p != buf && p[-1] != ' ')
			continue;
		size_t n = strcspn(p + 12, " \n");
		snprintf(f->crashkernel, sizeof(f->crashkernel), "%.*s", (int)n, p + 12);
	}
}

/* ---- kdump configuration: shell-variable files ---- */

/* The value of NAME= in a shell-style file (last assignment wins), unquoted. */
bool kd_shell_var(const char *text, const char *name, char *out, size_t size)
{
	bool found = false;
	size_t nl = strlen(name);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "export ", 7) == 0)
			p += 7;
		if (strncmp(p, name, nl) != 0 || p[nl] != '=')
			continue;
		const char *v = p + nl + 1;
		char q = (*v == '"' || *v == '\'') ? *v++ : 0;
		size_t n = q ? strcspn(v, q == '"' ? "\"\n" : "'\n") : strcspn(v, " \t#\n");
		snprintf(out, size, "%.*s", (int)n, v);
		found = true;
	}
	return found;
}

static void parse_dump_args(struct cor_kdump_facts *f)
{
	const char *d = strstr(f->dump_args, "-d");
	while (d && !(d == f->dump_args || d[-1] == ' '))
		d = strstr(d + 1, "-d");
	f->dump_level = d ? atoi(d + 2 + strspn(d + 2, " ")) : 0;
	f->compressed = false;
	for (const char *p = f->dump_args; *p; p++)
		if (p[0] == '-' && strchr("clpz", p[1]) && (p[2] == ' ' || p[2] == '\0') &&
		    (p == f->dump_args || p[-1] == ' '))
			f->compressed = true;
}

static int nr_cpus_of(const char *cmdline, int dflt)
{
	const char *p = strstr(cmdline, "nr_cpus=");
	if (!p)
		p = strstr(cmdline, "maxcpus=");
	return p ? atoi(strchr(p, '=') + 1) : dflt;
}

static void initramfs_size(const char *root, struct cor_kdump_facts *f, const char *const *cands,
			   size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;
		snprintf(path, sizeof(path), "%s%s", root, cands[i]);
		if (cands[i][0] && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			snprintf(f->initramfs, sizeof(f->initramfs), "%s", cands[i]);
			f->initramfs_size = (uint64_t)st.st_size;
			return;
		}
	}
}

/* Debian/Ubuntu kdump-tools: /etc/default/kdump-tools, defaults of /usr/sbin/kdump-config
 * (KDUMP_COREDIR=/var/crash, MAKEDUMP_ARGS="-c -d 31", KDUMP_CMDLINE_APPEND with nr_cpus=1,
 * initrd /var/lib/kdump/initrd.img-$KVER). */
static bool config_debian(const char *root, struct cor_kdump_facts *f, char *buf, size_t size)
{
	if (!kd_read(root, "/etc/default/kdump-tools", buf, size))
		return false;
	snprintf(f->config, sizeof(f->config), "/etc/default/kdump-tools");
	char v[256];
	snprintf(f->coredir, sizeof(f->coredir), "%s",
		 kd_shell_var(buf, "KDUMP_COREDIR", v, sizeof(v)) && v[0] ? v : "/var/crash");
	snprintf(f->dump_args, sizeof(f->dump_args), "%s",
		 kd_shell_var(buf, "MAKEDUMP_ARGS", v, sizeof(v)) && v[0] ? v : "-c -d 31");
	f->capture_cpus =
	    kd_shell_var(buf, "KDUMP_CMDLINE_APPEND", v, sizeof(v)) ? nr_cpus_of(v, 0) : 1;
	f->remote_target = (kd_shell_var(buf, "SSH", v, sizeof(v)) && v[0]) ||
			   (kd_shell_var(buf, "NFS", v, sizeof(v)) && v[0]);
	char c1[300], c2[300], c3[300] = "";
	snprintf(c1, sizeof(c1), "/var/lib/kdump/initrd.img-%s", f->release);
	snprintf(c2, sizeof(c2), "/var/lib/kdump/initrd.img");
	if (kd_shell_var(buf, "KDUMP_INITRD", v, sizeof(v)))
		snprintf(c3, sizeof(c3), "%s", v);
	const char *cands[] = {c3, c1, c2};
	initramfs_size(root, f, cands, 3);
	return true;
}

/* RHEL/Fedora kexec-tools: /etc/kdump.conf ("path", "core_collector", "nfs"/"ssh") and
 * /etc/sysconfig/kdump (KDUMP_COMMANDLINE_APPEND); initramfs /boot/initramfs-$KVERkdump.img. */
static bool config_rhel(const char *root, struct cor_kdump_facts *f, char *buf, size_t size)
{
	if (!kd_read(root, "/etc/kdump.conf", buf, size))
		return false;
	snprintf(f->config, sizeof(f->config), "/etc/kdump.conf");
	snprintf(f->coredir, sizeof(f->coredir), "/var/crash");
	snprintf(f->dump_args, sizeof(f->dump_args), "-l --message-level 7 -d 31");
	for (char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		size_t n = strcspn(p, "\n");
		if (strncmp(p, "path ", 5) == 0)
			snprintf(f->coredir, sizeof(f->coredir), "%.*s", (int)(n - 5), p + 5);
		else if (strncmp(p, "core_collector makedumpfile ", 28) == 0)
			snprintf(f->dump_args, sizeof(f->dump_args), "%.*s", (int)(n - 28), p + 28);
		else if (strncmp(p, "nfs ", 4) == 0 || strncmp(p, "ssh ", 4) == 0)
			f->remote_target = true;
	}
	char v[512];
	f->capture_cpus = 1;
	if (kd_read(root, "/etc/sysconfig/kdump", buf, size) &&
	    kd_shell_var(buf, "KDUMP_COMMANDLINE_APPEND", v, sizeof(v)))
		f->capture_cpus = nr_cpus_of(v, 0);
	char c1[300];
	snprintf(c1, sizeof(c1), "/boot/initramfs-%skdump.img", f->release);
	const char *cands[] = {c1};
	initramfs_size(root, f, cands, 1);
	return true;
}

/* SUSE kdump: /etc/sysconfig/kdump (KDUMP_SAVEDIR, KDUMP_DUMPLEVEL, KDUMP_DUMPFORMAT,
 * KDUMP_CPUS; kdump(5)); initrd /boot/initrd-$KVER-kdump. */
static bool config_suse(const char *root, struct cor_kdump_facts *f, char *buf, size_t size)
{
	char v[256];
	if (!kd_read(root, "/etc/sysconfig/kdump", buf, size) ||
	    !kd_shell_var(buf, "KDUMP_SAVEDIR", v, sizeof(v)))
		return false;
	snprintf(f->config, sizeof(f->config), "/etc/sysconfig/kdump");
	const char *dir = strncmp(v, "file://", 7) == 0 ? v + 7 : v;
	f->remote_target = strstr(v, "://") && strncmp(v, "file://", 7) != 0;
	snprintf(f->coredir, sizeof(f->coredir), "%s", dir[0] ? dir : "/var/crash");
	char lvl[32] = "31", fmt[32] = "compressed";
	kd_shell_var(buf, "KDUMP_DUMPLEVEL", lvl, sizeof(lvl));
	kd_shell_var(buf, "KDUMP_DUMPFORMAT", fmt, sizeof(fmt));
	/* KDUMP_DUMPFORMAT (kdump(5)): ELF/raw, compressed (zlib), lzo, snappy, zstd. */
	const char *flag = !strcmp(fmt, "lzo")		? "-l "
			   : !strcmp(fmt, "snappy")	? "-p "
			   : !strcmp(fmt, "zstd")	? "-z "
			   : !strcmp(fmt, "compressed") ? "-c "
							: "";
	snprintf(f->dump_args, sizeof(f->dump_args), "%s-d %s", flag, lvl);
	f->capture_cpus = kd_shell_var(buf, "KDUMP_CPUS", v, sizeof(v)) ? atoi(v) : 1;
	char c1[300];
	snprintf(c1, sizeof(c1), "/boot/initrd-%s-kdump", f->release);
	const char *cands[] = {c1};
	initramfs_size(root, f, cands, 1);
	return true;
}

static void read_config(const char *root, struct cor_kdump_facts *f)
{
	char buf[16384];
	f->capture_cpus = 1;
	if (!config_debian(root, f, buf, sizeof(buf)) && !config_rhel(root, f, buf, sizeof(buf)) &&
	    !config_suse(root, f, buf, sizeof(buf))) {
		snprintf(f->coredir, sizeof(f->coredir), "/var/crash");
		snprintf(f->dump_args, sizeof(f->dump_args), "-c -d 31");
	}
	if (f->capture_cpus <= 0) /* nr_cpus not limited: the capture kernel brings all CPUs up */
		f->capture_cpus = f->cpus > 0 ? f->cpus : 1;
	parse_dump_args(f);
}

/* statvfs() of the dump directory, or of its closest existing parent. */
static void read_target(const char *root, struct cor_kdump_facts *f)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "%s", f->coredir);
	for (;;) {
		struct statvfs sv;
		snprintf(f->target_path, sizeof(f->target_path), "%s%s", root, rel[0] ? rel : "/");
		if (statvfs(f->target_path, &sv) == 0) {
			f->have_target = true;
			f->target_free = (uint64_t)sv.f_bavail * sv.f_frsize;
			return;
		}
		char *slash = strrchr(rel, '/');
		if (!slash || rel[0] == '\0')
			return;
		*slash = '\0';
	}
}

void kd_read_facts(const char *root, struct cor_kdump_facts *f)
{
	/* /proc/iomem of a large machine: a few hundred lines; heap, not stack. */
	size_t cap = 1 << 20;
	char *buf = malloc(cap);
	memset(f, 0, sizeof(*f));
	read_meminfo(root, f);
	read_cpus(root, f);
	char v[64];
	if (kd_read(root, "/sys/kernel/kexec_crash_size", v, sizeof(v))) {
		f->have_crash_size = true;
		f->crash_size = strtoull(v, NULL, 10);
	}
	f->crash_loaded = read_int(root, "/sys/kernel/kexec_crash_loaded");
	if (buf && kd_read(root, "/proc/iomem", buf, cap)) {
		f->have_iomem = true;
		cor_kdump_parse_iomem_mem(buf, strlen(buf), &f->iomem_crash, &f->iomem_hidden);
	}
	free(buf);
	read_cmdline(root, f);
	f->nmi_watchdog = read_int(root, "/proc/sys/kernel/nmi_watchdog");
	f->watchdog_thresh = read_int(root, "/proc/sys/kernel/watchdog_thresh");
	f->softlockup_panic = read_int(root, "/proc/sys/kernel/softlockup_panic");
	f->hardlockup_panic = read_int(root, "/proc/sys/kernel/hardlockup_panic");
	f->hung_task_panic = read_int(root, "/proc/sys/kernel/hung_task_panic");
	f->unknown_nmi_panic = read_int(root, "/proc/sys/kernel/unknown_nmi_panic");
	f->panic_on_oops = read_int(root, "/proc/sys/kernel/panic_on_oops");
	if (kd_read(root, "/proc/sys/kernel/osrelease", f->release, sizeof(f->release)))
		f->release[strcspn(f->release, "\n")] = '\0';
	read_config(root, f);
	read_target(root, f);
}
