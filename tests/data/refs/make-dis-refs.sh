#!/bin/bash
# Reference `dis` outputs from Debian's crash 8.0.2 for the corpus dumps, for
# tests/corpus/test_dis.c (the corpus refs hold `dis -l` of a few functions
# only). Needs crash and the corpus kernel's DWARF vmlinux; `make check` does
# not: the outputs are committed under tests/data/refs/<scenario>/dis/.
#   tests/data/refs/make-dis-refs.sh [VMLINUX [CORPUS]]
set -euo pipefail
VMLINUX=${1:-${COR_VMLINUX:-/work/dbg/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64}}
CORPUS=${2:-/work/shared/corpus}
OUT=$(cd "$(dirname "$0")" && pwd)
# Functions of vmlinux chosen for their variety: locks, seqcount loops, a
# division loop, string instructions, entry code (swapgs, sysret), a large
# scheduler function with every addressing form.
FUNCS="_raw_spin_lock native_queued_spin_lock_slowpath tick_nohz_next_event
ktime_get_real_ts64 __schedule clear_page_rep copy_user_generic_string
entry_SYSCALL_64 do_idle panic"
for dir in "$CORPUS"/*/; do
  scen=$(basename "$dir")
  dump=$(ls "$dir"/vmcore.kdump-* 2>/dev/null | head -1 || true)
  [ -z "$dump" ] && [ -f /work/tmp/hung-qemu.elf ] && [ "$scen" = hardlockup-seqlock-hung-qemu ] &&
    dump=/work/tmp/hung-qemu.elf
  [ -z "$dump" ] && continue
  R="$OUT/$scen/dis"
  mkdir -p "$R"
  {
    for f in $FUNCS; do echo "dis $f > $R/dis-$f.txt"; done
    echo "dis -x native_safe_halt > $R/dis-x-native_safe_halt.txt"
    echo "dis -r tick_nohz_next_event+29 > $R/dis-r-tick_nohz_next_event+29.txt"
    echo "dis ktime_get_real_ts64+154 4 > $R/dis-ktime_get_real_ts64+154-4.txt"
    echo "dis -f _raw_spin_lock+25 > $R/dis-f-_raw_spin_lock+25.txt"
    echo "quit"
  } > "$R/.cmds"
  nice crash -s "$VMLINUX" "$dump" < "$R/.cmds" > "$R/.session" 2>&1 || true
  rm -f "$R/.cmds" "$R/.session"
  echo "$scen: $(ls "$R" | wc -l) files"
done
