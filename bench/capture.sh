#!/bin/bash
# coroner capture vs makedumpfile 1.7.2 on the same ELF vmcore.
#   bench/capture.sh [INPUT.elf] [RUNS]
# INPUT defaults to bench/vm's /proc/vmcore copy if it exists (bench/vm/README.md),
# else to a /proc/vmcore-like ELF made from the corpus's QEMU dump
# (hardlockup-seqlock-hung-qemu, 1 GiB guest): `coroner capture -E -d 0`
# writes it with p_vaddr = direct-map address, as the kernel's /proc/vmcore
# has them (makedumpfile 1.7.2 rejects QEMU's own ELF, whose PT_LOADs carry no
# virtual address). The input is read once first so that every run reads it
# from the page cache; `cat > /dev/null` is the read-bandwidth limit.
# For each codec (makedumpfile: zlib -c and lzo -l only; Debian builds it
# without snappy and zstd) at levels 1 and 31, with 1 and 2 threads: best of
# RUNS wall times (one run when it takes over 5 s), MB/s of input, output
# size, ratio to makedumpfile's best.
# Prints a table; nothing is written outside $BENCH_DIR (default /work/tmp/bench-capture).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${COR_BUILD:-build}
CORONER=$TOP/$BUILD/coroner
DIR=${BENCH_DIR:-/work/tmp/bench-capture}
RUNS=${2:-3}
mkdir -p "$DIR"
[ -x "$CORONER" ] || { echo "build $CORONER first (make BUILD=$BUILD)"; exit 1; }

IN=${1:-}
# bench/vm's /proc/vmcore copy (a 2 GiB guest with page cache and anonymous
# memory filled: what the issue asks to measure on), when it has been made
VMELF=${VM_DIR:-/work/tmp/vm}/out/vmcore.elf
[ -z "$IN" ] && [ -f "$VMELF" ] && IN=$VMELF
if [ -z "$IN" ]; then
	QEMU=$TOP/$BUILD/corpus-cache/hardlockup-seqlock-hung-qemu.elf
	if [ ! -f "$QEMU" ]; then
		zstd -q -d --long=31 -f ${COR_CORPUS:-$TOP/../shared/corpus}/hardlockup-seqlock-hung-qemu/vmcore.elf.zst -o "$QEMU"
	fi
	IN=$DIR/vmcore-like.elf
	[ -f "$IN" ] || "$CORONER" capture --message-level 0 -E -d 0 -f "$QEMU" "$IN"
fi
SIZE=$(stat -L -c %s "$IN")
cat "$IN" > /dev/null # warm the page cache

# best wall time of RUNS runs of "$@" (output to $DIR/out): prints "WALL CPU" in
# seconds (CPU = user + system of that run: the fair measure on a loaded machine)
# (wall time from the nanosecond clock: /usr/bin/time's 10 ms steps are too
# coarse for the 0.1 s runs)
best() {
	local b=999999 bc=0 t c t0 t1
	for _ in $(seq "$RUNS"); do
		rm -f "$DIR/out"
		t0=$(date +%s%N)
		/usr/bin/time -f '%e %U %S' -o "$DIR/time" "$@" > /dev/null 2>&1 ||
			{ echo "FAILED: $*" >&2; return 1; }
		t1=$(date +%s%N)
		read -r t u s < "$DIR/time"
		t=$(echo "scale=3; ($t1 - $t0) / 1000000000" | bc -l)
		c=$(echo "$u + $s" | bc -l)
		if [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; bc=$c; fi
		# runs of more than 5 s vary by a few percent: once is enough
		[ "$(echo "$t > 5" | bc -l)" = 1 ] && break
	done
	printf '%.3f %.3f' "$b" "$bc"
}
mbs() { echo "scale=1; $SIZE / $1 / 1000000" | bc -l; }
outsize() { stat -c %s "$DIR/out" 2>/dev/null || echo 0; }

printf 'input: %s (%d bytes), %d runs each, best wall time; %s CPUs, load %s\n' "$IN" "$SIZE" \
	"$RUNS" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)"
# How many CPUs this run really gets (others' jobs, cgroup limits): one
# checksum of the input alone vs two at once. ~2.0 means both cores are ours.
one() { sha256sum "$IN" > /dev/null; }
s0=$(date +%s.%N); one; s1=$(date +%s.%N); one & one & wait; s2=$(date +%s.%N)
PAR=$(echo "2 * ($s1 - $s0) / ($s2 - $s1)" | bc -l)
printf 'parallel headroom: %.2f CPUs (2 checksums at once vs 1)\n' "$PAR"
read -r T TC <<< "$(best cat "$IN")"
CAT_MBS=$(mbs "$T")
printf '%-36s %8s %8s %9s %10s\n' "tool" "wall s" "cpu s" "MB/s" "size"
printf '%-36s %8s %8s %9s\n' "cat > /dev/null" "$T" "$TC" "$CAT_MBS"

declare -A MDF_BEST MDF_SIZE
for level in 1 31; do
	for codec in c l; do
		for thr in 1 2; do
			if [ "$thr" = 1 ]; then extra=(); else extra=(--num-threads 2); fi
			r=$(best makedumpfile "${extra[@]}" -$codec -d $level "$IN" "$DIR/out") || true
			if [ -z "$r" ]; then
				# makedumpfile 1.7.2 --num-threads aborts now and then
				printf '%-36s %8s\n' "makedumpfile -$codec -d $level thr=$thr" "FAILED"
				continue
			fi
			read -r t c <<< "$r"
			s=$(outsize)
			k=$level$codec
			if [ -z "${MDF_BEST[$k]:-}" ] || [ "$(echo "$t < ${MDF_BEST[$k]}" | bc -l)" = 1 ]; then
				MDF_BEST[$k]=$t; MDF_SIZE[$k]=$s
			fi
			printf '%-36s %8s %8s %9s %10s\n' "makedumpfile -$codec -d $level thr=$thr" "$t" "$c" "$(mbs "$t")" "$s"
		done
	done
	for codec in c l p z zf; do
		for thr in 1 2; do
			# zf: zstd at its fast level -1 (--level), the speed/size trade-off for the
			# read-bandwidth target; z is level 1, makedumpfile's
			if [ "$codec" = zf ]; then opt=(-z --level -1); else opt=(-$codec); fi
			read -r t c <<< "$(best "$CORONER" capture --message-level 0 --num-threads $thr "${opt[@]}" -d $level "$IN" "$DIR/out")"
			s=$(outsize)
			k=$level$codec
			vs=""
			if [ -n "${MDF_BEST[$k]:-}" ]; then
				vs=$(printf '%.2fx makedumpfile best, size %+.2f%%' "$(echo "${MDF_BEST[$k]} / $t" | bc -l)" \
					"$(echo "($s - ${MDF_SIZE[$k]}) * 100 / ${MDF_SIZE[$k]}" | bc -l)")
			elif [ "$codec" = z ] || [ "$codec" = zf ]; then
				vs=$(printf '%.0f%% of cat bandwidth' "$(echo "$(mbs "$t") * 100 / $CAT_MBS" | bc -l)")
			fi
			printf '%-36s %8s %8s %9s %10s  %s\n' "coroner ${opt[*]} -d $level thr=$thr" "$t" "$c" "$(mbs "$t")" "$s" "$vs"
		done
	done
done
rm -f "$DIR/out" "$DIR/time"
