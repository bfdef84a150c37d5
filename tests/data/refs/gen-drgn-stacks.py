#!/usr/bin/python3
# Generates tests/data/refs/<scenario>/drgn-stacks.txt and drgn-ps.txt with
# drgn and the DWARF vmlinux (run by the system /usr/bin/python3):
#   /usr/bin/python3 tests/data/refs/gen-drgn-stacks.py CORPUS_DIR VMLINUX OUT_DIR [SCENARIO...]
# drgn-stacks.txt: for every task in D or S state, "pid PID COMM" then the
#   function names, pcs and source lines ("NAME PC FILE:LINE"; the line of the
#   innermost inlined call at that pc, "-" if none) of its non-inline frames (StackFrame.is_inline false; the
#   ELF symbol where DWARF has no name; user-space frames left out), one per
#   line, then a blank line.
# drgn-ps.txt: "PID PPID CPU TASK STATE COMM" for every task (for_each_task).
import os
import sys

import drgn
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.sched import task_cpu, task_state_to_char

corpus, vmlinux, out = sys.argv[1], sys.argv[2], sys.argv[3]
scenarios = sys.argv[4:] or sorted(os.listdir(corpus))
for sc in scenarios:
    d = os.path.join(corpus, sc)
    dumps = [f for f in sorted(os.listdir(d)) if f.startswith("vmcore.kdump")] if os.path.isdir(d) else []
    if not dumps:
        continue
    prog = drgn.Program()
    prog.set_core_dump(os.path.join(d, dumps[0]))
    prog.load_debug_info([vmlinux])
    os.makedirs(os.path.join(out, sc), exist_ok=True)
    with open(os.path.join(out, sc, "drgn-stacks.txt"), "w") as f, \
         open(os.path.join(out, sc, "drgn-ps.txt"), "w") as g:
        for task in for_each_task(prog):
            st = task_state_to_char(task)
            pid = task.pid.value_()
            comm = task.comm.string_().decode(errors="replace")
            ppid = task.real_parent.pid.value_()
            g.write(f"{pid} {ppid} {task_cpu(task)} {task.value_():x} {st} {comm}\n")
            if st not in ("D", "S"):
                continue
            try:
                trace = prog.stack_trace(task)
            except Exception as e:
                f.write(f"pid {pid} {comm}\nerror {e}\n\n")
                continue
            f.write(f"pid {pid} {comm}\n")
            innermost = None  # the first frame of each physical frame's group
            for frame in trace:
                if innermost is None:
                    innermost = frame
                if frame.is_inline:
                    continue
                try:
                    src, line, _ = innermost.source()
                    where = f"{src}:{line}"
                except LookupError:
                    where = "-"
                innermost = None
                if frame.pc < 0xffff800000000000:
                    continue  # the user-space frame after the syscall entry
                name = None
                try:
                    name = frame.name
                except Exception:
                    pass
                if not name:  # asm without DWARF names (ret_from_fork, entry_*): the symbol
                    try:
                        name = frame.symbol().name
                    except LookupError:
                        name = "?"
                f.write(f"{name} {frame.pc:x} {where}\n")
            f.write("\n")
    print(sc, "done", file=sys.stderr)
