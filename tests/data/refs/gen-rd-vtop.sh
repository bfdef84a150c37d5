#!/bin/sh
# Generates crash 8.0.2's output of `rd` and `vtop` for every corpus dump, the
# oracle of tests/cli/test_rd_vtop.c:
#   tests/data/refs/<scenario>/rd-crash.txt, vtop-crash.txt
# Each holds "@@@ COMMAND" lines, each followed by crash's output of COMMAND.
# Addresses come from gen-rd-vtop-addrs.py (drgn + the DWARF vmlinux); as
# coroner's rd takes no symbols yet, every command uses hex addresses.
#   COR_VMLINUX=/path/to/vmlinux-6.1.0-56-amd64 tests/data/refs/gen-rd-vtop.sh [SCENARIO...]
# The QEMU dump (vmcore.elf.zst) is decompressed into $TMPDIR first, or taken
# from $COR_QEMU_ELF when set.
set -e
here=$(cd "$(dirname "$0")" && pwd)
corpus=${COR_CORPUS:-$here/../../../../shared/corpus}
vmlinux=${COR_VMLINUX:?set COR_VMLINUX to the DWARF vmlinux of the corpus kernel}
tmp=${TMPDIR:-/tmp}
scenarios=${*:-$(cd "$corpus" && ls -d */ | tr -d / | grep -v '^build$')}
for s in $scenarios; do
	dump=$(ls "$corpus/$s"/vmcore.* 2>/dev/null | head -1)
	[ -n "$dump" ] || continue
	# refs/bt-a.txt, or refs/<dump file>/bt-a.txt where a scenario has several dumps
	bta=$corpus/$s/refs/bt-a.txt
	[ -f "$bta" ] || bta=$corpus/$s/refs/$(basename "${dump%.zst}")/bt-a.txt
	case "$dump" in
	*.zst)
		if [ -n "${COR_QEMU_ELF:-}" ]; then dump=$COR_QEMU_ELF; else
			zstd -q -d --long=31 -f "$dump" -o "$tmp/$s.elf"
			dump=$tmp/$s.elf
		fi ;;
	esac
	out=$here/$s
	mkdir -p "$out"
	cmds=$tmp/rd-vtop-$s.cmds
	: > "$cmds"
	i=0
	/usr/bin/python3 "$here/gen-rd-vtop-addrs.py" "$dump" "$vmlinux" "$bta" |
	while read -r kind addr; do
		i=$((i + 1))
		c=$((i % 8 + 1))
		if [ "$kind" = string ]; then
			set -- "rd -a $addr" "rd -a $addr $((c * 25))"
		elif [ "$kind" = badphys ]; then
			set -- "rd -p $addr $c"
		elif [ "$kind" = badvirt ]; then
			set -- "rd $addr $c" "vtop $addr"
		elif [ "$kind" = phys ]; then
			set -- "rd -p $addr $c" "rd -p -32 $addr $c" "rd -p -8 $addr $((c + 9))"
		else
			set -- "rd $addr $c" "rd -32 $addr $c" "rd -16 $addr $((c + 3))" \
				"rd -8 $addr $((c + 9))" "vtop $addr"
		fi
		for cmd in "$@"; do
			printf '!echo "@@@ %s"\n%s\n' "$cmd" "$cmd" >> "$cmds"
			# crash leaves the last line of an unbounded `rd -a` open: close it.
			if [ "${cmd#rd -a }" != "$cmd" ] && [ "$(echo "$cmd" | wc -w)" = 3 ]; then
				echo '!echo' >> "$cmds"
			fi
		done
	done
	echo "$s: $(grep -c '^!echo "@@@' "$cmds") commands on $dump"
	crash -s "$vmlinux" "$dump" < "$cmds" > "$tmp/rd-vtop-$s.out" 2>&1 || true
	# Drop what crash prints before the first command (warnings at start-up).
	awk -v rd="$out/rd-crash.txt" -v vt="$out/vtop-crash.txt" '
		/^@@@ / { f = ($2 == "vtop") ? vt : rd }
		f { print > f }' "$tmp/rd-vtop-$s.out"
	rm -f "$cmds" "$tmp/rd-vtop-$s.out"
done
