#!/bin/bash
# Benchmark: `coroner report` (no vmlinux) on each corpus dump, against
#   - crash -s with the DWARF vmlinux running `bt -a` and `log`,
#   - drgn loading the dump (+ the vmlinux) and printing the crashed thread's stack,
# measured in the same run: wall time (median of N runs) and peak RSS, as ratios.
# Usage: bench/report.sh [N]   (COR_VMLINUX=path of the DWARF vmlinux; BUILD=build dir)
set -u
cd "$(dirname "$0")/.."
N=${1:-3}
BUILD=${BUILD:-build}
CORONER=$BUILD/coroner
CORPUS=${COR_CORPUS:-../shared/corpus}
VMLINUX=${COR_VMLINUX:-}
[ -x "$CORONER" ] || { echo "bench: build first ($CORONER missing)" >&2; exit 1; }
[ -d "$CORPUS" ] || { echo "bench: no corpus at $CORPUS" >&2; exit 1; }
[ -n "$VMLINUX" ] && [ ! -f "$VMLINUX" ] && { echo "bench: $VMLINUX missing" >&2; exit 1; }
[ -z "$VMLINUX" ] && echo "bench: COR_VMLINUX not set: crash and drgn are skipped (they need the DWARF vmlinux)"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

# median wall time (s) and max RSS (MB) of N runs of a command
measure() {
	local times=() rss=0 i out
	for i in $(seq "$N"); do
		if ! /usr/bin/time -o "$TMP/time" -f "%e %M" "$@" >/dev/null 2>"$TMP/err"; then
			echo "bench: failed: $* : $(grep -v '^Command exited' "$TMP/err" | tail -2)" >&2
			echo "0 0"
			return
		fi
		out=$(tail -1 "$TMP/time")
		times+=("${out% *}")
		local r=${out#* }; [ "$r" -gt "$rss" ] && rss=$r
	done
	local med; med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	echo "$med $((rss / 1024))"
}

cat > "$TMP/crash.cmd" <<'CMD'
bt -a
log
quit
CMD
cat > "$TMP/drgn_stack.py" <<'PY'
import sys, drgn
prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
prog.load_debug_info([sys.argv[2]])
print(prog.crashed_thread().stack_trace())
PY

printf '%-30s %8s %6s | %8s %6s %7s | %8s %6s %7s\n' dump coroner MB crash MB ratio drgn MB ratio
for d in "$CORPUS"/*/vmcore.kdump-* "$CORPUS"/*/vmcore.elf; do
	[ -f "$d" ] || continue
	name=$(basename "$(dirname "$d")")
	read -r ct cm <<<"$(measure "$CORONER" report "$d")"
	if [ -n "$VMLINUX" ]; then
		read -r xt xm <<<"$(measure sh -c "crash -s '$VMLINUX' '$d' < '$TMP/crash.cmd'")"
		read -r dt dm <<<"$(measure /usr/bin/python3 "$TMP/drgn_stack.py" "$d" "$VMLINUX")"
		printf '%-30s %7.2fs %6s | %7.2fs %6s %6.1fx | %7.2fs %6s %6.1fx\n' "$name" "$ct" "$cm" \
			"$xt" "$xm" "$(echo "$xt / $ct" | bc -l)" "$dt" "$dm" "$(echo "$dt / $ct" | bc -l)"
	else
		printf '%-30s %7.2fs %6s |\n' "$name" "$ct" "$cm"
	fi
done
echo "targets: coroner <= 0.5 s and <= 100 MB per dump, >= 20x faster than crash"
