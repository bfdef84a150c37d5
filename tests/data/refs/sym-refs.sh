#!/bin/sh
# Makes tests/data/refs/<scenario>[/<variant>]/sym.txt: crash 8.0.2's `sym`
# output, with the corpus kernel's DWARF vmlinux, for a fixed list of names
# and for the addresses found in the corpus refs (bt -a, dis -l). Each query
# is preceded by a "### sym QUERY" line. Used by tests/corpus/test_symbols.c.
#   tests/data/refs/sym-refs.sh [VMLINUX [CORPUS]]
set -eu
VMLINUX=${1:-${COR_VMLINUX:-/work/dbg/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64}}
CORPUS=${2:-/work/shared/corpus}
OUT=$(cd "$(dirname "$0")" && pwd)
NAMES="jiffies jiffies_64 jiffies_lock jiffies_seq tick_do_timer_cpu last_jiffies_update
tk_core avenrun cpu_khz tainted_mask init_task init_uts_ns modules __per_cpu_offset
linux_banner schedule panic machine_kexec tick_nohz_next_event native_safe_halt do_idle
start_kernel crash_nmi_callback __crash_kexec ktime_get_real_ts64 _stext _etext runqueues
irq_stack_backing_store cpu_tss_rw exception_stacks cpu_number this_cpu_off prb
printk_rb_static clear_seq node_data nr_cpu_ids watchdog_thresh __start_BTF __stop_BTF
kallsyms_names lock_me_up lkdtm_HARDLOCKUP lkdtm_SPINLOCKUP lkdtm_do_action
lkdtm_SOFTLOCKUP lkdtm_HUNG_TASK pvpanic_panic_notify no_such_symbol_xyz"

# Addresses: return addresses and RIPs of bt -a, first addresses of dis -l.
addresses() {
	{
		sed -n 's/.* at \(ffffffff[0-9a-f]*\).*/\1/p; s/.*RIP: \(ffffffff[0-9a-f]*\) .*/\1/p' "$1"/bt-a.txt
		cat "$1"/dis-l-*.txt 2>/dev/null | sed -n 's/^0x\(ffffffff[0-9a-f]*\) <[^>]*+1[0-9]>.*/\1/p'
	} | awk '!seen[$0]++' | head -40
}

run() { # run REFS DUMP OUTDIR
	mkdir -p "$3"
	cmds=$(mktemp)
	for q in $NAMES $(addresses "$1"); do
		printf '!echo "### sym %s"\nsym %s\n' "$q" "$q"
	done >"$cmds"
	crash -s "$VMLINUX" "$2" <"$cmds" 2>&1 | sed -n '/^### sym /,$p' >"$3/sym.txt"
	rm -f "$cmds"
	echo "$3/sym.txt: $(grep -c '^### ' "$3/sym.txt") queries"
}

for dir in "$CORPUS"/*/; do
	s=$(basename "$dir")
	[ -d "$dir/refs" ] || continue
	for dump in "$dir"/vmcore.kdump-* "$dir"/vmcore.elf.zst; do
		[ -e "$dump" ] || continue
		v=$(basename "$dump" .zst)
		refs="$dir/refs"
		out="$OUT/$s"
		if [ -d "$dir/refs/$v" ]; then
			refs="$dir/refs/$v"
			out="$OUT/$s/$v"
		fi
		if [ "$v" = vmcore.elf ]; then
			tmp=$(mktemp -d)
			zstd -q -d --long=31 -f "$dump" -o "$tmp/vmcore.elf"
			run "$refs" "$tmp/vmcore.elf" "$out"
			rm -rf "$tmp"
		else
			run "$refs" "$dump" "$out"
		fi
	done
done
