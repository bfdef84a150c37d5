#!/usr/bin/python3
# Picks ~12 addresses of one dump for tests/data/refs/gen-rd-vtop.sh with the
# DWARF vmlinux: kernel text (panic), data symbols (jiffies_lock, init_uts_ns,
# jiffies; linux_banner and init_uts_ns also as strings), direct-map objects (node_data[0], the first task of
# init_task.tasks), a vmemmap struct page, two physical addresses (those two
# objects' __pa), and stack addresses seen in refs/bt-a.txt (two task/IRQ
# stack slots in vmalloc space, one in the cpu_entry_area); and where crash
# must fail: a physical address past the end of RAM and, in a kdump-compressed
# dump, a page filtered out (set in the 1st bitmap, clear in the 2nd), both
# physical and through the direct map.
# Values come from drgn; where drgn cannot read the dump (it fails to
# translate in QEMU's ELF dump of the hung guest) from crash itself.
#   gen-rd-vtop-addrs.py DUMP VMLINUX BT-A.TXT   -> "KIND 0xADDR" lines
import re
import struct
import subprocess
import sys


def from_drgn(dump, vmlinux):
    import drgn

    prog = drgn.Program()
    prog.set_core_dump(dump)
    prog.load_debug_info([vmlinux])
    v = {n: prog.symbol(n).address
         for n in ("panic", "jiffies_lock", "init_uts_ns", "jiffies", "linux_banner")}
    v["node_data0"] = prog["node_data"][0].value_()
    v["tasks_next"] = prog["init_task"].tasks.next.value_()
    v["tasks_off"] = drgn.offsetof(prog.type("struct task_struct"), "tasks")
    v["vmemmap_base"] = prog["vmemmap_base"].value_()
    v["page_offset_base"] = prog["page_offset_base"].value_()
    return v


def from_crash(dump, vmlinux):
    exprs = {
        "panic": "&panic", "jiffies_lock": "&jiffies_lock", "init_uts_ns": "&init_uts_ns",
        "jiffies": "&jiffies", "linux_banner": "&linux_banner", "node_data0": "node_data[0]",
        "tasks_next": "init_task.tasks.next",
        "tasks_off": "&((struct task_struct *)0)->tasks",
        "vmemmap_base": "vmemmap_base", "page_offset_base": "page_offset_base",
    }
    names = list(exprs)
    cmds = "".join("p/x (unsigned long)(%s)\n" % exprs[n] for n in names)
    out = subprocess.run(["crash", "-s", vmlinux, dump], input=cmds, capture_output=True,
                         text=True).stdout
    vals = re.findall(r"^\$\d+ = (0x[0-9a-f]+)", out, re.M)
    if len(vals) != len(names):
        sys.exit("crash gave %d of %d values:\n%s" % (len(vals), len(names), out))
    return {n: int(x, 16) for n, x in zip(names, vals)}


def excluded_pfn(dump):
    """The first pfn from 64 MiB on that a kdump-compressed dump filtered out:
    disk_dump_header block_size at 428, sub_hdr_size 432, bitmap_blocks 436
    (makedumpfile diskdump_mod.h); the bitmaps follow the sub header."""
    with open(dump, "rb") as f:
        h = f.read(464)
        if h[:8] != b"KDUMP   ":
            return None
        bs, sub, bm = struct.unpack_from("<iiI", h, 428)
        half = bm * bs // 2
        f.seek((1 + sub) * bs)
        b1 = f.read(half)
        b2 = f.read(half)
    for pfn in range(0x4000, len(b2) * 8):
        if b1[pfn // 8] >> (pfn % 8) & 1 and not b2[pfn // 8] >> (pfn % 8) & 1:
            return pfn
    return None


def main():
    dump, vmlinux, bt_a = sys.argv[1:4]
    try:
        v = from_drgn(dump, vmlinux)
    except Exception as e:  # drgn.FaultError and friends
        print("drgn: %s; asking crash" % e, file=sys.stderr)
        v = from_crash(dump, vmlinux)
    task = v["tasks_next"] - v["tasks_off"]
    out = [("text", v["panic"]), ("data", v["jiffies_lock"]), ("data", v["init_uts_ns"]),
           ("data", v["jiffies"]), ("directmap", v["node_data0"]), ("directmap", task),
           ("vmemmap", v["vmemmap_base"] + 0x1000 * 64),
           ("phys", v["node_data0"] - v["page_offset_base"]),
           ("phys", task - v["page_offset_base"])]
    out += [("string", v["linux_banner"]), ("string", v["init_uts_ns"])]
    out.append(("badphys", 0x7ffff000))  # the corpus VMs have 1 GiB of RAM
    pfn = excluded_pfn(dump)
    if pfn is not None:
        out += [("badphys", pfn * 4096 + 0x80), ("badvirt", v["page_offset_base"] + pfn * 4096)]
    stk = re.findall(r"\[(ff[0-9a-f]{14})\]", open(bt_a).read())
    vm = [a for a in stk if not a.startswith("ffffff") and not a.startswith("fffffe")]
    ce = [a for a in stk if a.startswith("fffffe")]
    out += [("stack", int(a, 16)) for a in vm[:2] + ce[:1]]
    for kind, a in out:
        print(kind, hex(a))


main()
