#!/bin/sh
# Regenerates the fake system roots used by tests/unit/test_kdump_check.c
# (`coroner kdump-check --root DIR`). Each root holds only what kdump-check
# reads: /proc, /sys, the kdump configuration and the capture initramfs.
# The "fine" root is modelled on this project's corpus VMs: Debian 12,
# 6.1.0-56-amd64, 4 CPUs, 1 GiB, crashkernel=256M, kdump-tools defaults.
set -eu
cd "$(dirname "$0")"

base() { # base DIR: a healthy Debian machine
	d=$1
	rm -rf "$d"
	mkdir -p "$d/proc/sys/kernel" "$d/sys/kernel" "$d/sys/devices/system/cpu" \
		"$d/etc/default" "$d/var/lib/kdump" "$d/var/crash"
	cat >"$d/proc/meminfo" <<'M'
MemTotal:         752316 kB
MemFree:          431220 kB
MemAvailable:     596104 kB
Buffers:           10360 kB
Cached:           176632 kB
SwapCached:            0 kB
AnonPages:         48852 kB
Shmem:              1204 kB
M
	echo "BOOT_IMAGE=/boot/vmlinuz-6.1.0-56-amd64 root=UUID=2f1c0e6a ro quiet crashkernel=256M" >"$d/proc/cmdline"
	cat >"$d/proc/iomem" <<'M'
00000000-00000fff : Reserved
00001000-0009fbff : System RAM
00100000-3ffdffff : System RAM
  1d200000-1ea00e56 : Kernel code
  2f000000-3effffff : Crash kernel
3ffe0000-3fffffff : Reserved
M
	for kv in nmi_watchdog=1 watchdog_thresh=10 softlockup_panic=1 hardlockup_panic=1 \
		hung_task_panic=1 unknown_nmi_panic=1 panic_on_oops=1 osrelease=6.1.0-56-amd64; do
		echo "${kv#*=}" >"$d/proc/sys/kernel/${kv%%=*}"
	done
	echo 268435456 >"$d/sys/kernel/kexec_crash_size"
	echo 1 >"$d/sys/kernel/kexec_crash_loaded"
	echo 0-3 >"$d/sys/devices/system/cpu/possible"
	cat >"$d/etc/default/kdump-tools" <<'M'
# kdump-tools configuration (Debian 12 defaults)
USE_KDUMP=1
KDUMP_COREDIR="/var/crash"
MAKEDUMP_ARGS="-c -d 31"
#KDUMP_CMDLINE_APPEND="reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll nousb"
M
	# 128 KiB stands in for the real 14 MiB initramfs (a small repository).
	head -c 131072 /dev/zero >"$d/var/lib/kdump/initrd.img-6.1.0-56-amd64"
	echo "dumps go here" >"$d/var/crash/README"
}

base fine

base no-reservation
echo "BOOT_IMAGE=/boot/vmlinuz-6.1.0-56-amd64 root=UUID=2f1c0e6a ro quiet" >no-reservation/proc/cmdline
grep -v "Crash kernel" no-reservation/proc/iomem >no-reservation/proc/iomem.new
mv no-reservation/proc/iomem.new no-reservation/proc/iomem
echo 0 >no-reservation/sys/kernel/kexec_crash_size
echo 0 >no-reservation/sys/kernel/kexec_crash_loaded

base too-small
sed -i 's/crashkernel=256M/crashkernel=64M/' too-small/proc/cmdline
sed -i 's/2f000000-3effffff : Crash kernel/3b000000-3effffff : Crash kernel/' too-small/proc/iomem
echo 67108864 >too-small/sys/kernel/kexec_crash_size

base not-loaded
echo 0 >not-loaded/sys/kernel/kexec_crash_loaded

base watchdog-off
for k in nmi_watchdog watchdog_thresh softlockup_panic hardlockup_panic hung_task_panic \
	unknown_nmi_panic panic_on_oops; do
	echo 0 >"watchdog-off/proc/sys/kernel/$k"
done

# 64 TiB of RAM dumped at level 0 without compression: no disk holds that.
base target-too-small
sed -i 's/^MemTotal: .*/MemTotal:       68719476736 kB/' target-too-small/proc/meminfo
sed -i 's/^MAKEDUMP_ARGS=.*/MAKEDUMP_ARGS="-d 0"/' target-too-small/etc/default/kdump-tools
echo 8589934592 >target-too-small/sys/kernel/kexec_crash_size

# RHEL 8 style: /etc/kdump.conf, crashkernel=auto on a kernel that ignored it.
base rhel-auto
rm -rf rhel-auto/etc/default rhel-auto/var/lib/kdump
mkdir -p rhel-auto/etc/sysconfig rhel-auto/boot
sed -i 's/crashkernel=256M/crashkernel=auto/' rhel-auto/proc/cmdline
grep -v "Crash kernel" rhel-auto/proc/iomem >rhel-auto/proc/iomem.new
mv rhel-auto/proc/iomem.new rhel-auto/proc/iomem
echo 0 >rhel-auto/sys/kernel/kexec_crash_size
echo 0 >rhel-auto/sys/kernel/kexec_crash_loaded
echo 5.14.0-362.el9.x86_64 >rhel-auto/proc/sys/kernel/osrelease
printf 'path /var/crash\ncore_collector makedumpfile -l --message-level 7 -d 31\n' >rhel-auto/etc/kdump.conf
echo 'KDUMP_COMMANDLINE_APPEND="irqpoll nr_cpus=1 reset_devices cgroup_disable=memory mce=off"' \
	>rhel-auto/etc/sysconfig/kdump
head -c 196608 /dev/zero >rhel-auto/boot/initramfs-5.14.0-362.el9.x86_64kdump.img

# SUSE style: /etc/sysconfig/kdump with KDUMP_SAVEDIR and two capture CPUs.
base suse
rm -rf suse/etc/default suse/var/lib/kdump
mkdir -p suse/etc/sysconfig suse/boot
echo 6.4.0-150600.23.25-default >suse/proc/sys/kernel/osrelease
cat >suse/etc/sysconfig/kdump <<'M'
KDUMP_CPUS=2
KDUMP_SAVEDIR="file:///var/crash"
KDUMP_DUMPLEVEL="31"
KDUMP_DUMPFORMAT="lzo"
M
head -c 262144 /dev/zero >suse/boot/initrd-6.4.0-150600.23.25-default-kdump
