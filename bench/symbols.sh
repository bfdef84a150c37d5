#!/bin/bash
# Time from start to the first `p jiffies_lock` result:
#   coroner without a vmlinux (BTF + kallsyms from the dump),
#   coroner with the DWARF vmlinux, crash -s with the vmlinux, drgn with it.
# Prints each tool's best of N runs and the ratios to coroner (no vmlinux).
#   bench/symbols.sh [DUMP] [VMLINUX] [N]
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
DUMP=${1:-/work/shared/corpus/sysrq-c/vmcore.kdump-zlib}
VMLINUX=${2:-${COR_VMLINUX:-/work/dbg/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64}}
N=${3:-3}
CORONER=${CORONER:-$TOP/${BUILD:-build}/coroner}

best() { # best wall time of N runs of "$@" (stdout discarded; must print the value)
	local b=""
	for _ in $(seq "$N"); do
		local t0 t1
		t0=$(date +%s.%N)
		"$@" > /tmp/bench-symbols.$$ 2>&1
		t1=$(date +%s.%N)
		grep -q 'raw_lock\|counter' /tmp/bench-symbols.$$ || { echo "no result from: $*" >&2; cat /tmp/bench-symbols.$$ >&2; exit 1; }
		b=$(echo "$t0 $t1 $b" | awk '{d=$2-$1; if ($3=="" || d<$3) print d; else print $3}')
	done
	rm -f /tmp/bench-symbols.$$
	echo "$b"
}

crash_p() { printf 'p jiffies_lock\nq\n' | crash -s "$VMLINUX" "$DUMP"; }
drgn_p() {
	/usr/bin/python3 -c "
import drgn, sys
prog = drgn.Program()
prog.set_core_dump(sys.argv[1])
prog.load_debug_info([sys.argv[2]])
print(prog['jiffies_lock'])" "$DUMP" "$VMLINUX"
}

t_cor=$(best "$CORONER" "$DUMP" p jiffies_lock)
t_cork=$(best "$CORONER" -k "$VMLINUX" "$DUMP" p jiffies_lock)
t_crash=$(best crash_p)
t_drgn=$(best drgn_p 2>/dev/null || echo "")
echo "dump: $DUMP (best of $N, wall seconds)"
printf '%-28s %8.3f s\n' "coroner (no vmlinux)" "$t_cor"
printf '%-28s %8.3f s  %6.1fx coroner\n' "coroner -k vmlinux" "$t_cork" "$(echo "$t_cork $t_cor" | awk '{print $1/$2}')"
printf '%-28s %8.3f s  %6.1fx coroner\n' "crash -s vmlinux" "$t_crash" "$(echo "$t_crash $t_cor" | awk '{print $1/$2}')"
if [ -n "$t_drgn" ]; then
	printf '%-28s %8.3f s  %6.1fx coroner\n' "drgn + vmlinux" "$t_drgn" "$(echo "$t_drgn $t_cor" | awk '{print $1/$2}')"
else
	echo "drgn + vmlinux: failed (see: drgn on $DUMP)"
fi
