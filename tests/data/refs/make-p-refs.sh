#!/bin/bash
# Reference outputs of p/struct/whatis from Debian's crash 8.0.2 with the DWARF
# vmlinux, for tests/corpus/test_types.c (which runs coroner WITHOUT the
# vmlinux and compares). Writes tests/data/refs/<scenario>/p-<name>.txt and
# p-cmds.txt ("name<TAB>command" lines: what coroner must run). crash's
# command line treats '>', '|' and ' != ' as redirections and shell escapes:
# commands avoid them.
#   make-p-refs.sh VMLINUX [CORPUS_DIR] [SCENARIO...]
# Needs crash; the QEMU ELF dump is decompressed with zstd into $TMPDIR.
set -euo pipefail
VMLINUX=$1
CORPUS=${2:-/work/shared/corpus}
shift 2 || shift $#
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=($(cd "$CORPUS" && ls -d */ | tr -d / | grep -v '^build$'))

crash_run() { # dump cmdfile
	crash -s "$VMLINUX" "$1" < "$2" > "$TMP/crash.log" 2>&1 || true
}

for s in "${scenarios[@]}"; do
	sdir=$CORPUS/$s
	dump=$(ls "$sdir"/vmcore.* | head -1)
	refs=$sdir/refs
	case "$dump" in
	*.zst)
		zstd -q -d --long=31 -f "$dump" -o "$TMP/vmcore.elf"
		dump=$TMP/vmcore.elf
		refs=$sdir/refs/vmcore.elf ;;
	esac
	out=$HERE/$s
	mkdir -p "$out"
	rm -f "$out"/p-*.txt
	# The panic (or current) task and a module, from crash's own refs.
	task=$(grep -m1 -o 'TASK: [0-9a-f]*' "$refs/bt.txt" | cut -d' ' -f2)
	mod=$(grep -m1 ' lkdtm ' "$refs/mod.txt" | cut -d' ' -f1 || true)
	[ -n "$mod" ] || mod=$(tail -1 "$refs/mod.txt" | cut -d' ' -f1)
	# Pass 1: the addresses a struct page ADDR needs (runqueues of CPU 0 is
	# in the direct map; its struct page is in the vmemmap).
	printf 'p -x page_offset_base\np -x vmemmap_base\np runqueues\n' > "$TMP/c1"
	crash_run "$dump" "$TMP/c1"
	pob=$(grep -o 'page_offset_base = \$[0-9]* = 0x[0-9a-f]*' "$TMP/crash.log" | sed 's/.*= //')
	vmb=$(grep -o 'vmemmap_base = \$[0-9]* = 0x[0-9a-f]*' "$TMP/crash.log" | sed 's/.*= //')
	rq0=$(grep -m1 '\[0\]: ' "$TMP/crash.log" | sed 's/.*: //')
	page=$(printf '%x' $(( vmb + ((0x$rq0 - pob) >> 12) * 64 )))
	cat > "$out/p-cmds.txt" <<EOF
jiffies_lock	p jiffies_lock
jiffies_seq	p jiffies_seq
jiffies	p jiffies
jiffies_64	p jiffies_64
tk_core	p tk_core
tkr_mono	p tk_core.timekeeper.tkr_mono
tkr_mono_hex	p -x tk_core.timekeeper.tkr_mono
clocksource	p *tk_core.timekeeper.tkr_mono.clock
clock_name	p tk_core.timekeeper.tkr_mono.clock->name
shadow_timekeeper	struct timekeeper shadow_timekeeper
init_comm	p init_task.comm
init_pid	p init_task.pid
init_tasks	p init_task.tasks
init_se	p init_task.se
task_fields	struct task_struct.comm,pid,stack,__state,on_cpu $task
task_comm	p ((struct task_struct *)0x$task)->comm
task_pid	p ((struct task_struct *)0x$task)->pid
task_stack	p ((struct task_struct *)0x$task)->stack
task_ptr	p (struct task_struct *)0x$task
rq0	p runqueues:0
rq1	p runqueues:1
rq2	p runqueues:2
rq3	p runqueues:3
runqueues	p runqueues
page	struct page $page
module	struct module $mod
modules	p modules
avenrun	p avenrun
cpu_khz	p cpu_khz
nr_cpu_ids	p nr_cpu_ids
prb	p prb
prb_deref	p *prb
system_state	p system_state
mce_panicked	p mce_panicked
last_jiffies_update	p last_jiffies_update
tick_do_timer_cpu	p tick_do_timer_cpu
sizeof_task	p sizeof(struct task_struct)
arith	p (jiffies_64 % 1000) * 3 + (1 << 4)
cmp	p init_task.pid == 0 && nr_cpu_ids == 4
neg	p (long)-5 % 3
pcpu_off	p __per_cpu_offset[1]
whatis_tk_core	whatis tk_core
whatis_jiffies	whatis jiffies
whatis_pid_t	whatis pid_t
struct_tkr	struct tk_read_base
struct_o_tkr	struct -o tk_read_base
struct_o_task	struct -o task_struct
rq_members	struct rq.nr_running,curr,clock,cpu 0x$rq0
schedule	p schedule
whatis_schedule	whatis schedule
init_thread	p init_task.thread
EOF
	: > "$TMP/c2"
	while IFS=$'\t' read -r name cmd; do
		echo "$cmd > $out/p-$name.txt" >> "$TMP/c2"
	done < "$out/p-cmds.txt"
	crash_run "$dump" "$TMP/c2"
	echo "$s: $(ls "$out"/p-*.txt | wc -l) files (task $task, module $mod, page $page)"
done
