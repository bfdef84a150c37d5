#!/bin/sh
# bench/bt.sh: `coroner DUMP bt -a` (no vmlinux) against crash 8.0.2
# (`crash -s VMLINUX DUMP` running `bt -a`, with the DWARF vmlinux) and drgn
# (python3-drgn with the DWARF vmlinux: the stack trace of every CPU's
# current task), on the same dumps. Prints each tool's total wall time over
# all dumps and the ratios. Each tool starts from nothing every run (load
# symbols/debug info, open the dump, unwind), as a user would run it.
#
#   bench/bt.sh [BUILD_DIR] [RUNS]       (defaults: build, 3)
#   env: CORPUS (../shared/corpus), VMLINUX (the corpus kernel's DWARF vmlinux)
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
RUNS=${2:-3}
CORPUS=${CORPUS:-$TOP/../shared/corpus}
VMLINUX=${VMLINUX:-/work/dbg/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64}
CORONER=$TOP/$BUILD/coroner
PY=/usr/bin/python3
[ -x "$CORONER" ] || { echo "bt.sh: build $CORONER first" >&2; exit 1; }
[ -f "$VMLINUX" ] || { echo "bt.sh: no DWARF vmlinux at $VMLINUX (set VMLINUX)" >&2; exit 1; }
command -v crash >/dev/null || { echo "bt.sh: crash is not installed" >&2; exit 1; }

DUMPS=$(ls "$CORPUS"/*/vmcore.kdump-* 2>/dev/null)
[ -n "$DUMPS" ] || { echo "bt.sh: no kdump dumps under $CORPUS" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cat > "$TMP/drgn_bt.py" <<'PYEOF'
import sys
import drgn
from drgn.helpers.linux.cpumask import for_each_online_cpu
from drgn.helpers.linux.percpu import per_cpu
prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
prog.load_debug_info([sys.argv[2]])
for cpu in for_each_online_cpu(prog):
    task = per_cpu(prog["runqueues"], cpu).curr
    try:
        print(cpu, prog.stack_trace(task))
    except Exception as e:
        print(cpu, "error", e)
PYEOF
printf 'bt -a\nquit\n' > "$TMP/crash.cmds"

now() { date +%s.%N; }
run_coroner() { "$CORONER" "$1" bt -a; }
run_crash() { crash -s "$VMLINUX" "$1" < "$TMP/crash.cmds"; }
run_drgn() { "$PY" "$TMP/drgn_bt.py" "$1" "$VMLINUX"; }
# Wall time of one run, added to the tool's total. The tools take turns on
# each dump, so a machine whose load changes during the run weighs on all
# three alike.
tc=0 tk=0 td=0
add() { echo "$1 $2 $3" | awk '{printf "%.6f", $1 + $3 - $2}'; }
timed() {
	name=$1
	shift
	t0=$(now)
	"$@" > "$TMP/$name.out" 2>&1 || echo "bt.sh: $name failed on $d" >&2
	t1=$(now)
	echo "$t0 $t1"
}

n=$(echo "$DUMPS" | wc -l)
echo "bt -a on $n dumps x $RUNS runs (coroner: no vmlinux; crash, drgn: DWARF vmlinux)"
r=0
while [ $r -lt "$RUNS" ]; do
	for d in $DUMPS; do
		tc=$(add "$tc" $(timed coroner run_coroner "$d"))
		tk=$(add "$tk" $(timed crash run_crash "$d"))
		td=$(add "$td" $(timed drgn run_drgn "$d"))
	done
	r=$((r + 1))
done
printf '%-8s %10.3fs\n' coroner "$tc" crash "$tk" drgn "$td"
echo "$tc $tk $td" | awk '{printf "crash/coroner: %.1fx   drgn/coroner: %.1fx\n", $2 / $1, $3 / $1}'
