// SPDX-License-Identifier: MIT
// The command table. One line per command; implementations live in cmd_*.c.
#include <stddef.h>

#include "cli/cli.h"

const struct cor_cli_cmd cor_cli_commands[] = {
    /* top-level verbs */
    {"report", cor_cmd_report, COR_CMD_VERB, "report [--json] [-k VMLINUX] DUMP|DIR...",
     "diagnose a crash: the cause, with its evidence\n"},
    {"shell", cor_cmd_shell, COR_CMD_VERB, "shell [-k VMLINUX] DUMP",
     "interactive shell on a dump (line editing, history, 'cmd | grep x')\n"},
    {"mce", cor_cmd_mce, COR_CMD_VERB, "mce [OPTIONS] [FILE|-|DUMP]",
     "decode machine-check records (raw values, kernel log lines, or a dump)\n"},
    {"capture", cor_cmd_capture, COR_CMD_VERB,
     "capture [-c|-l|-p|-z] [-d LEVEL] [--level N] [--num-threads N] [-f] [-E|-F] VMCORE "
     "[DUMPFILE]",
     "write a filtered, compressed dump (a faster drop-in makedumpfile; see docs/capture.md)\n  -d "
     "LEVEL  dump level 0..31 (1 zero, 2 cache, 4 private cache, 8 user, 16 free pages)\n  "
     "-c/-l/-p/-z  zlib/lzo/snappy/zstd   --level N  zlib/zstd level\n  -F  flattened stream to "
     "stdout   -R DUMPFILE  rebuild a file from a stream on stdin\n  -E  ELF output   --dump-dmesg "
     "VMCORE LOGFILE  the kernel log   -f  overwrite\n  --num-threads N  compression threads   "
     "--message-level 0  quiet\n"},
    {"hwerr", cor_cmd_hwerr, COR_CMD_VERB,
     "hwerr [--json] [-v] [--no-mce] [-k VMLINUX] FILE|-|DUMP",
     "hardware errors in a kernel log (PCIe AER, APEI/GHES, NMI, EDAC, MCE), counted per "
     "component\n  --json  JSON output\n  -v      every record in detail\n  --no-mce  leave "
     "machine checks out (see coroner mce)\n"},
    {"kdump-check", cor_cmd_kdump_check, COR_CMD_VERB, "kdump-check [--json] [--root DIR]",
     "check that this machine can take a crash dump (reservation, capture kernel, watchdogs, dump "
     "target)\n  --root DIR  read /proc, /sys and /etc under DIR instead of /\n  --json      JSON "
     "output\n"},
    /* commands on a dump */
    {"help", cor_cmd_help, COR_CMD_DUMP, "help [COMMAND]",
     "list commands, or one command's help\n"},
    {"sys", cor_cmd_sys, COR_CMD_DUMP, "sys", "system information, as crash's sys prints it\n"},
    {"log", cor_cmd_log, COR_CMD_DUMP, "log [-t] [-m]",
     "the kernel log (printk ring buffer)\n"
     "  -t  no timestamps\n  -m  show the log level\n"},
    {"rd", cor_cmd_rd, COR_CMD_DUMP, "rd [-p] [-8|-16|-32|-64] [-a] ADDR [COUNT]",
     "read memory, hex and ASCII, as crash's rd prints it\n"
     "  -p  ADDR is physical\n  -8/-16/-32/-64  unit size (default 64)\n"
     "  -a  printable characters (COUNT bytes, or up to the first unprintable)\n"},
    {"vtop", cor_cmd_vtop, COR_CMD_DUMP, "vtop ADDR",
     "translate a kernel virtual address, showing each page-table level\n"},
    {"sym", cor_cmd_sym, COR_CMD_DUMP, "sym [-l] [-m MODULE] NAME|ADDR...",
     "symbols by name or address, as crash's sym prints them\n  -l  list all symbols\n  -m  list "
     "one module's symbols\n"},
    {"bt", cor_cmd_bt, COR_CMD_DUMP, "bt [-a|-c CPU] [-f] [-l] [-t] [PID|TASK...]",
     "backtraces as crash prints them: the panic task, -a every CPU's active task, or the tasks "
     "given\n  -a  active task of every CPU\n  -c  active task of CPU\n  -f  frame data\n  -l  "
     "source lines (needs -k VMLINUX)\n  -t  text scan of the stacks\n"},
    {"ps", cor_cmd_ps, COR_CMD_DUMP, "ps [-m] [PID|TASK|COMM...]",
     "the task list with crash's columns ('>' marks active tasks)\n  -m  time since each task last "
     "ran, most recent first\n"},
    {"foreach", cor_cmd_foreach, COR_CMD_DUMP, "foreach [STATE] bt [-f]",
     "backtrace of every task, or of those in STATE (UN, IN, RU, ID...)\n"},
    {"p", cor_cmd_p, COR_CMD_DUMP, "p [-x|-d] [-c CPU] EXPRESSION",
     "print an expression as crash (gdb) does: symbols, members, casts, arithmetic, sizeof, "
     "per_cpu(sym, cpu); sym:N is per-cpu sym on CPU N\n  -x/-d  hex/decimal\n  -c CPU  per-cpu "
     "symbols on CPU\n"},
    {"struct", cor_cmd_struct, COR_CMD_DUMP, "struct [-o] [-x|-d] NAME[.member[,member]] [ADDR]",
     "a struct at ADDR (or its members), or its definition (-o: with offsets)\n"},
    {"union", cor_cmd_union, COR_CMD_DUMP, "union [-o] [-x|-d] NAME[.member[,member]] [ADDR]",
     "a union at ADDR, or its definition\n"},
    {"whatis", cor_cmd_whatis, COR_CMD_DUMP, "whatis NAME|TYPE|EXPRESSION",
     "the type of a symbol or expression, or a type's definition and size\n"},
    {"ptype", cor_cmd_ptype, COR_CMD_DUMP, "ptype TYPE|EXPRESSION",
     "gdb's ptype: the type, expanded\n"},
    {"dis", cor_cmd_dis, COR_CMD_DUMP, "dis [-r|-f] [-l] [-x] ADDR|SYMBOL [COUNT]",
     "disassemble as crash does: a whole function for a bare symbol, else COUNT (1) instructions\n "
     " -r  from the function start to ADDR\n  -f  from ADDR to the function end\n  -x  hex "
     "offsets\n  -l  source lines (need DWARF)\n"},
    {NULL, NULL, 0, NULL, NULL},
};
