#!/bin/bash
# Boot the capture-benchmark VM once (after bench/vm/build.sh): the first
# kernel loads a kdump capture kernel (kexec -p), fills its page cache and
# anonymous memory, and crashes (echo c > /proc/sysrq-trigger). The capture
# kernel (bench/vm/init) times, on /proc/vmcore:
#   cat > /dev/null; cat > vmcore.elf (the whole ELF: bench/capture.sh's
#   input); coroner capture -l -d 31; makedumpfile -l -d 31; both --dump-dmesg
# and powers off. The host then copies everything off the output disk into
# $OUT and writes $OUT/meta.txt.
# Env: VM_DIR (/work/tmp/vm), OUT ($VM_DIR/out), MEM (2048, MiB), SMP (2),
#   CRASHKERNEL (256M), CAPTURE_CPUS (1: Debian's kdump-tools nr_cpus=1),
#   THREADS (coroner --num-threads; default: one per online CPU),
#   FILL_MB (400, anonymous memory), ELF (1: keep vmcore.elf; 0: skip the
#   copy), LEVELS (31,1: dump levels timed; 31 -> vmcore.{coroner,mdf},
#   others vmcore-dN.*), OUT_DISK (8G), ACCEL (tcg or kvm), QEMU_CPU (KVM's
#   -cpu), TIMEOUT (1800 s).
# ACCEL defaults to tcg: on this project's machines (nested, AMD EPYC) a KVM
# guest aborts on a plain -cpu host ("failed to set MSR 0x10a") and, with
# -cpu host,-arch-capabilities, hangs in the kernel's decompressor; TCG boots
# the 2 GiB guest, crashes and captures in under 2 minutes.
set -uo pipefail
VM_DIR=${VM_DIR:-/work/tmp/vm}
IMG="$VM_DIR/img"
OUT=${OUT:-$VM_DIR/out}
MEM=${MEM:-2048} SMP=${SMP:-2} CRASHKERNEL=${CRASHKERNEL:-256M}
CAPTURE_CPUS=${CAPTURE_CPUS:-1} THREADS=${THREADS:-} FILL_MB=${FILL_MB:-400}
ELF=${ELF:-1} LEVELS=${LEVELS:-31,1} OUT_DISK=${OUT_DISK:-8G} ACCEL=${ACCEL:-tcg}
TIMEOUT=${TIMEOUT:-1800}
for f in vmlinuz main.cpio.gz data.img; do
	[ -f "$IMG/$f" ] || {
		echo "missing $IMG/$f: run bench/vm/build.sh first"
		exit 1
	}
done
rm -rf "$OUT"
mkdir -p "$OUT"
W=$(mktemp -d "$VM_DIR/work.XXXXXX")
trap 'rm -rf "$W"' EXIT

CMD="console=ttyS0,115200 crashkernel=$CRASHKERNEL bench.fill=$FILL_MB bench.capcpus=$CAPTURE_CPUS bench.elf=$ELF bench.threads=$THREADS bench.levels=$LEVELS"
# -arch-capabilities: under nested KVM (this machine) QEMU 7.2 aborts with
# "failed to set MSR 0x10a" (IA32_ARCH_CAPABILITIES) on a plain -cpu host
if [ "$ACCEL" = kvm ]; then ACC=(-enable-kvm -cpu "${QEMU_CPU:-host,-arch-capabilities}"); else ACC=(-accel tcg -cpu max); fi
cp --sparse=always "$IMG/data.img" "$W/data.img"
truncate -s "$OUT_DISK" "$W/out.img"
mkfs.ext4 -q -F -L out -O ^has_journal,^metadata_csum "$W/out.img"

QEMU=(qemu-system-x86_64 "${ACC[@]}" -smp "$SMP" -m "$MEM"
	-kernel "$IMG/vmlinuz" -initrd "$IMG/main.cpio.gz" -append "$CMD"
	-display none -monitor none -serial "file:$W/console.log" -no-reboot
	-drive "file=$W/data.img,if=virtio,format=raw"
	-drive "file=$W/out.img,if=virtio,format=raw" -nic none)
printf '%q ' timeout "$TIMEOUT" "${QEMU[@]}" | sed "s#$W/#WORK/#g; s#$IMG/#IMG/#g" > "$OUT/qemu-cmdline.txt"
echo >> "$OUT/qemu-cmdline.txt"

echo "== booting: $MEM MiB, $SMP vCPUs ($ACCEL), crashkernel=$CRASHKERNEL, capture nr_cpus=$CAPTURE_CPUS"
START=$(date +%s)
timeout "$TIMEOUT" "${QEMU[@]}" &
QPID=$!
# show the guest's progress lines while it runs
tail -n +1 -F "$W/console.log" 2> /dev/null | grep --line-buffered -aE 'BENCH: |Kernel panic|Out of memory|oom-kill' &
TPID=$!
wait $QPID
RC=$?
sleep 1
kill $TPID 2> /dev/null
wait $TPID 2> /dev/null
echo "qemu rc=$RC after $(($(date +%s) - START))s"
cp "$W/console.log" "$OUT/console.log"

# everything on the output disk (debugfs: no loop mount needed)
debugfs -R "rdump / $OUT" "$W/out.img" 2> /dev/null
rm -rf "$OUT/lost+found"
chmod 644 "$OUT"/* 2> /dev/null

{
	echo "made by: bench/vm/run.sh ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
	echo "guest: Debian linux-image-6.1.0-56-amd64-unsigned 6.1.192-2, $MEM MiB, $SMP vCPUs, $ACCEL"
	echo "host: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
	echo "first kernel cmdline: $CMD"
	echo "capture kernel cmdline: $(cat "$OUT/capture-cmdline.txt" 2> /dev/null)"
	echo "page cache source: data.img ($(tr '\n' ' ' < "$IMG/data.txt")), copied once and read back"
	echo "anonymous memory: fill $FILL_MB MiB"
	echo "qemu exit status: $RC"
	echo "first kernel before the crash:"
	grep -E 'MemTotal|MemFree|^Cached|AnonPages|Shmem:' "$OUT/first-kernel.txt" 2> /dev/null | sed 's/^/  /'
	grep -aE '^BENCH: (page cache|anonymous)|^fill: ' "$OUT/console.log" | sed 's/^/  /'
	echo "capture kernel: $(grep nproc "$OUT/capture-env.txt" 2> /dev/null); $(grep -E '^MemTotal' "$OUT/capture-env.txt" 2> /dev/null)"
	echo "  /proc/vmcore: $(grep vmcore "$OUT/capture-env.txt" 2> /dev/null)"
	echo "timings in the capture kernel (busybox time: wall, user, sys seconds; max RSS KiB):"
	sed 's/^/  /' "$OUT/timings.txt" 2> /dev/null
	echo "files:"
	for f in "$OUT"/vmcore* "$OUT"/dmesg.*.txt; do
		[ -f "$f" ] && echo "  ${f##*/}: $(stat -c %s "$f") bytes"
	done
} > "$OUT/meta.txt"
cat "$OUT/meta.txt"
