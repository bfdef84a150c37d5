// SPDX-License-Identifier: MIT
// `rd`: memory in hex and ASCII, in crash's layout (16 bytes a line:
// "ADDR:  v v   ascii"), or as strings (-a); and `vtop`: a page-table walk,
// level by level. Both as crash 8 prints them (tests/cli/test_rd_vtop.c).
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "coroner/mem.h"
#include "coroner/program.h"

#define RD_MAX_BYTES (64u << 20)

static void print_line(FILE *o, uint64_t addr, const uint8_t *b, size_t n, unsigned unit)
{
	unsigned per_line = 16 / unit;
	unsigned width = unit * 2;
	fprintf(o, "%16llx:  ", (unsigned long long)addr);
	for (unsigned i = 0; i < per_line; i++) {
		if (i * unit < n) {
			uint64_t v = 0;
			for (unsigned k = 0; k < unit; k++)
				v |= (uint64_t)b[i * unit + k] << (8 * k);
			fprintf(o, "%0*llx ", (int)width, (unsigned long long)v);
		} else {
			fprintf(o, "%*s ", (int)width, "");
		}
	}
	fputs("  ", o);
	for (size_t i = 0; i < n; i++)
		fputc(isprint(b[i]) ? b[i] : '.', o);
	fputc('\n', o);
}

#define RD_USAGE "usage: rd [-p] [-a|-8|-16|-32|-64] ADDR [COUNT]"
/* crash's rd -a breaks its lines every 60 characters (memory.c, ASCII_UNLIMITED). */
#define RD_ASCII_LINE 60

static struct cor_error *rd_read(struct cor_cli *cli, bool phys, uint64_t addr, void *buf, size_t n)
{
	struct cor_error *err = phys ? cor_program_read_phys(cli->prog, addr, buf, n)
				     : cor_program_read(cli->prog, addr, buf, n);
	/* An error about the address itself already names it. */
	if (err && !err->has_address)
		return cor_error_wrap(err, "rd: %s address 0x%llx", phys ? "physical" : "virtual",
				      (unsigned long long)addr);
	return err ? cor_error_wrap(err, "rd") : NULL;
}

/*
 * rd -a, as crash prints it: printable characters in lines of 60, each line
 * headed by its address; a non-printable byte ends the line (and, without a
 * COUNT, the output). crash leaves the last line of an unbounded string
 * without its newline; here it gets one.
 */
static int rd_ascii(struct cor_cli *cli, bool phys, uint64_t addr, uint64_t count, bool bounded)
{
	uint8_t chunk[256];
	unsigned a = 0;
	int ret = 0;
	for (uint64_t done = 0; done < count;) {
		/* Chunks end at a page boundary: a string may end just before a hole. */
		size_t n = (size_t)COR_MIN((uint64_t)sizeof(chunk), count - done);
		n = (size_t)COR_MIN((uint64_t)n, 4096 - ((addr + done) & 4095));
		struct cor_error *err = rd_read(cli, phys, addr + done, chunk, n);
		if (err) {
			if (a)
				fputc('\n', cli->out);
			return cor_cli_fail(err);
		}
		for (size_t i = 0; i < n; i++) {
			if (!isprint(chunk[i])) {
				if (a)
					fputc('\n', cli->out);
				a = 0;
				if (!bounded)
					return ret;
				continue;
			}
			if (a == RD_ASCII_LINE) {
				fputc('\n', cli->out);
				a = 0;
			}
			if (a == 0)
				fprintf(cli->out,
					"%16llx:  ", (unsigned long long)(addr + done + i));
			fputc(chunk[i], cli->out);
			a++;
		}
		done += n;
	}
	if (a)
		fputc('\n', cli->out);
	return ret;
}

int cor_cmd_rd(struct cor_cli *cli, int argc, char **argv)
{
	bool phys = false, ascii = false;
	unsigned unit = 8;
	int c;
	static const struct option longopts[] = {
	    {"8", no_argument, NULL, '1'},
	    {"16", no_argument, NULL, '2'},
	    {"32", no_argument, NULL, '4'},
	    {"64", no_argument, NULL, '8'},
	    {NULL, 0, NULL, 0},
	};
	while ((c = getopt_long_only(argc, argv, "pa", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			phys = true;
			break;
		case 'a':
			ascii = true;
			break;
		case '1':
		case '2':
		case '4':
		case '8':
			unit = (unsigned)(c - '0');
			break;
		default:
			return cor_cli_usage("rd", RD_USAGE);
		}
	}
	if (optind >= argc)
		return cor_cli_usage("rd", RD_USAGE);
	uint64_t addr, count = 1;
	struct cor_error *err = phys ? cor_parse_u64(argv[optind], true, &addr)
				     : cor_cli_parse_addr(cli, argv[optind], &addr);
	if (!err && optind + 1 < argc)
		err = cor_parse_u64(argv[optind + 1], false, &count);
	if (err)
		return cor_cli_fail(cor_error_wrap(err, "rd"));
	if (ascii) {
		/* COUNT is in bytes; without it the string ends at its first non-printable byte. */
		bool bounded = optind + 1 < argc;
		if (count == 0 || count > RD_MAX_BYTES)
			return cor_cli_usage("rd", "count must be 1..%u", RD_MAX_BYTES);
		return rd_ascii(cli, phys, addr, bounded ? count : RD_MAX_BYTES, bounded);
	}
	if (count == 0 || count > RD_MAX_BYTES / unit)
		return cor_cli_usage("rd", "count must be 1..%u", RD_MAX_BYTES / unit);
	size_t len = (size_t)(count * unit);
	uint8_t *buf = malloc(len);
	if (!buf)
		return cor_cli_fail(&cor_enomem);
	/* Read line by line so that a fault shows what came before it. */
	int ret = 0;
	for (size_t off = 0; off < len; off += 16) {
		size_t n = COR_MIN((size_t)16, len - off);
		err = rd_read(cli, phys, addr + off, buf + off, n);
		if (err) {
			ret = cor_cli_fail(err);
			break;
		}
		print_line(cli->out, addr + off, buf + off, n, unit);
	}
	free(buf);
	return ret;
}

/* crash's mkstring(CENTER|LJUST): @s centered in @width, the odd space on the right. */
static void print_centered(FILE *o, const char *s, int width)
{
	int len = (int)strlen(s), left = width > len ? (width - len) / 2 : 0;
	fprintf(o, "%*s%s%*s", left, "", s, width > len ? width - len - left : 0, "");
}

/* The last entry's line as crash's x86_64_translate_pte() prints it: "PTE  PHYSICAL
 * FLAGS" with columns as wide as the values, then the flag names of the entry. */
static void print_pte(FILE *o, uint64_t pte, uint64_t page)
{
	/* _PAGE_* bits, arch/x86/include/asm/pgtable_types.h (Linux 6.1), in crash's order. */
	static const struct {
		uint64_t bit;
		const char *name;
	} flags[] = {{1ull << 0, "PRESENT"}, {1ull << 1, "RW"},	 {1ull << 2, "USER"},
		     {1ull << 3, "PWT"},     {1ull << 4, "PCD"}, {1ull << 5, "ACCESSED"},
		     {1ull << 6, "DIRTY"},   {1ull << 7, "PSE"}, {1ull << 8, "GLOBAL"},
		     {1ull << 63, "NX"}};
	char pbuf[32], abuf[32];
	snprintf(pbuf, sizeof(pbuf), "%llx", (unsigned long long)pte);
	snprintf(abuf, sizeof(abuf), "%llx", (unsigned long long)page);
	int w1 = COR_MAX((int)strlen(pbuf), 3), w2 = COR_MAX((int)strlen(abuf), 8);
	fputc('\n', o);
	print_centered(o, "PTE", w1);
	fputs("  ", o);
	print_centered(o, "PHYSICAL", w2);
	fputs("  FLAGS\n", o);
	fprintf(o, "%*s  %*s  (", w1, pbuf, w2, abuf);
	const char *sep = "";
	for (size_t i = 0; i < COR_ARRAY_SIZE(flags); i++) {
		if (!(pte & flags[i].bit))
			continue;
		fprintf(o, "%s%s", sep, flags[i].name);
		sep = "|";
	}
	fputs(")\n", o);
}

/*
 * vtop in crash 8's layout for a kernel address (x86_64_kvtop()): the top-level
 * table's virtual address ("PGD DIRECTORY" with 5-level paging, "PML4 DIRECTORY"
 * with 4), the top-level entry ("PAGE DIRECTORY"), one line per lower level, the
 * PAGE line, then the last entry with its flags. crash ends with the struct page
 * of the frame, which needs types: not printed here.
 */
int cor_cmd_vtop(struct cor_cli *cli, int argc, char **argv)
{
	if (argc != 2)
		return cor_cli_usage("vtop", "usage: vtop ADDR");
	uint64_t va;
	struct cor_error *err = cor_cli_parse_addr(cli, argv[1], &va);
	if (err)
		return cor_cli_fail(cor_error_wrap(err, "vtop"));
	struct cor_mem *mem = cor_program_mem(cli->prog);
	struct cor_mem_walk walk;
	err = cor_mem_walk(mem, 0, va, &walk);
	FILE *o = cli->out;
	fprintf(o, "VIRTUAL           PHYSICAL        \n");
	if (walk.page_size)
		fprintf(o, "%-16llx  %-16llx\n\n", (unsigned long long)va,
			(unsigned long long)walk.paddr);
	else
		fprintf(o, "%-16llx  (not mapped)\n\n", (unsigned long long)va);
	const struct cor_mem_config *cfg = cor_mem_config(mem);
	/* The kernel's top-level table lives in the kernel image (init_top_pgt):
	 * crash names it by its address in the kernel text mapping. */
	fprintf(o, "%s DIRECTORY: %llx\n", cfg->la57 ? "PGD" : "PML4",
		(unsigned long long)(cfg->pgd_paddr - cfg->phys_base + COR_X86_START_KERNEL_MAP));
	for (int i = 0; i < walk.num_steps; i++) {
		if (i == 0)
			fprintf(o, "PAGE DIRECTORY: %llx\n",
				(unsigned long long)walk.steps[0].entry);
		else
			fprintf(o, "%6s: %llx => %llx\n", walk.steps[i].level,
				(unsigned long long)walk.steps[i].entry_paddr,
				(unsigned long long)walk.steps[i].entry);
	}
	if (walk.page_size) {
		uint64_t page = walk.paddr & ~(walk.page_size - 1);
		fprintf(o, "  PAGE: %llx%s\n", (unsigned long long)page,
			walk.page_size == (1ull << 30)	 ? "  (1GB)"
			: walk.page_size == (1ull << 21) ? "  (2MB)"
							 : "");
		print_pte(o, walk.steps[walk.num_steps - 1].entry, page);
	}
	if (err)
		return cor_cli_fail(cor_error_wrap(err, "vtop"));
	return 0;
}
