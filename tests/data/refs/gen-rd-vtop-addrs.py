#!/usr/bin/python3
# Picks ~12 addresses of one dump for tests/data/refs/gen-rd-vtop.sh, with drgn
# and the DWARF vmlinux: kernel text (panic), data symbols (jiffies_lock,
# init_uts_ns, jiffies), direct-map objects (node_data[0], the first task of
# init_task.tasks), a vmemmap struct page, two physical addresses (those two
# objects' __pa), and stack addresses seen in refs/bt-a.txt (two task/IRQ
# stack slots in vmalloc space, one in the cpu_entry_area).
#   gen-rd-vtop-addrs.py DUMP VMLINUX BT-A.TXT   -> "KIND 0xADDR" lines
import re
import sys

import drgn
from drgn import Program
prog = Program()
prog.set_core_dump(sys.argv[1])
prog.load_debug_info([sys.argv[2]])
out = []
def sym(n): return prog.symbol(n).address
out.append(("text", sym("panic")))
out.append(("data", sym("jiffies_lock")))
out.append(("data", sym("init_uts_ns")))
out.append(("data", sym("jiffies")))
nd = prog["node_data"][0].value_()
out.append(("directmap", nd))
t = prog["init_task"].tasks.next.value_() - drgn.offsetof(prog.type("struct task_struct"), "tasks")
out.append(("directmap", t))
vb = prog["vmemmap_base"].value_()
out.append(("vmemmap", vb + 0x1000 * 64))
po = prog["page_offset_base"].value_()
out.append(("phys", nd - po))
out.append(("phys", t - po))
bt = open(sys.argv[3]).read()
stk = [a for a in re.findall(r"\[(ff[0-9a-f]{14})\]", bt)]
vm = [a for a in stk if not a.startswith("ffffff") and not a.startswith("fffffe")]
ce = [a for a in stk if a.startswith("fffffe")]
for a in (vm[:2] + ce[:1]): out.append(("stack", int(a, 16)))
for kind, a in out: print(kind, hex(a))
