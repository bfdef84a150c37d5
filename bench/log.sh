#!/bin/sh
# Benchmark of `log`: coroner vs makedumpfile --dump-dmesg vs crash's `log`,
# on every dump of the corpus; median wall time of N runs each, printed with
# the ratios other/coroner (> 1: coroner is faster).
#   bench/log.sh [DUMP...]
# Env: BUILD (default build), COR_CORPUS (default ../shared/corpus),
#      COR_VMLINUX (the DWARF vmlinux: crash is skipped without it),
#      COR_BENCH_RUNS (default 5), COR_BENCH_CRASH_RUNS (default COR_BENCH_RUNS:
#      crash spends ~40 s loading the DWARF vmlinux on each run).
# The QEMU dump (vmcore.elf.zst) is decompressed once into $BUILD/corpus-cache.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case "$build" in /*) ;; *) build=$top/$build ;; esac
coroner=$build/coroner
corpus=${COR_CORPUS:-$top/../shared/corpus}
runs=${COR_BENCH_RUNS:-5}
crash_runs=${COR_BENCH_CRASH_RUNS:-$runs}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -x "$coroner" ] || { echo "bench/log.sh: no $coroner (make first)" >&2; exit 1; }

# Median wall time in seconds of running "$@" $n times (output discarded);
# "-" when the command fails (makedumpfile cannot read QEMU's ELF dump).
median() {
	n=$1
	shift
	i=0
	: > "$tmp/times"
	while [ $i -lt "$n" ]; do
		s=$(date +%s%N)
		if ! "$@" > /dev/null 2>&1; then
			echo -
			return
		fi
		e=$(date +%s%N)
		echo $(( (e - s) / 1000 )) >> "$tmp/times"
		i=$((i + 1))
	done
	sort -n "$tmp/times" | awk '{ a[NR] = $1 } END { printf "%.3f", a[int((NR + 1) / 2)] / 1e6 }'
}

dumps=$*
if [ -z "$dumps" ]; then
	for d in "$corpus"/*/vmcore.*; do
		case "$d" in
		*.zst)
			s=$(basename "$(dirname "$d")")
			mkdir -p "$build/corpus-cache"
			out=$build/corpus-cache/$s.elf
			[ -s "$out" ] || zstd -q -d --long=31 -f "$d" -o "$out"
			d=$out ;;
		esac
		dumps="$dumps $d"
	done
fi

mdf() { rm -f "$tmp/dmesg.out" && makedumpfile --dump-dmesg "$1" "$tmp/dmesg.out"; }
# crash exits non-zero at the end of its input: success is the log on its output.
crash_log() {
	echo log | crash -s "$COR_VMLINUX" "$1" > "$tmp/crash.out" 2>&1 || true
	grep -q "Linux version" "$tmp/crash.out"
}

printf '%-45s %9s %9s %9s %8s %8s\n' dump coroner makedumpf crash mdf/cor crash/cor
for d in $dumps; do
	c=$(median "$runs" "$coroner" "$d" log)
	m=$(median "$runs" mdf "$d")
	if [ -n "${COR_VMLINUX:-}" ] && command -v crash > /dev/null; then
		k=$(median "$crash_runs" crash_log "$d")
	else
		k=-
	fi
	name=$(echo "$d" | sed "s|^$corpus/||; s|^$build/corpus-cache/||; s|^.*/corpus/||")
	awk -v n="$name" -v c="$c" -v m="$m" -v k="$k" 'BEGIN {
		printf "%-45s %8.3fs %9s %9s %8s %8s\n", n, c,
			(m == "-" ? "failed" : sprintf("%.3fs", m)), (k == "-" ? "-" : sprintf("%.3fs", k)),
			(m == "-" ? "-" : sprintf("%.1fx", m / c)), (k == "-" ? "-" : sprintf("%.1fx", k / c)) }'
done
echo "(median of $runs runs; crash: $crash_runs; ratio > 1: coroner is faster)"
