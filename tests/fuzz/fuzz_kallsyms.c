// SPDX-License-Identifier: MIT
// libFuzzer target: the kallsyms decoder (cor_kallsyms_parse_mem). The input
// is kernel memory at 0xffffffff81000000: the tables are found by the scan
// (the VMCOREINFO-less path), then, if the input starts with a table of
// locations (magic "KSYMLOC\0" + 7 u32 offsets), decoded from those too.
// Then a few lookups on whatever decoded. An input that starts with the ELF
// magic also goes to the vmlinux .symtab reader (cor_vmlinux_parse_mem).
#include <stdint.h>
#include <string.h>

#include "coroner/base.h"
#include "sym/sym.h"

#define BASE 0xffffffff81000000ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lookups(struct cor_symtab *st)
{
	size_t i, all[8];
	struct cor_symbol s;
	(void)cor_symtab_find_name(st, "jiffies", &i);
	(void)cor_symtab_find_all(st, "dup", all, 8);
	if (cor_symtab_find_addr(st, BASE + 0x1000, &i))
		cor_symtab_at(st, i, &s);
	for (int k = 0; k < 8; k++) /* past the scan threshold: the hash index */
		(void)cor_symtab_find_name(st, "x", &i);
	cor_symtab_destroy(st);
}

static void vmlinux(const uint8_t *data, size_t size)
{
	struct cor_symtab_builder *b;
	struct cor_vmlinux_id id;
	if (cor_symtab_builder_create(&b))
		return;
	struct cor_error *err = cor_vmlinux_parse_mem(data, size, 0x2a600000, b, &id);
	if (err) {
		cor_error_destroy(err);
		cor_symtab_builder_destroy(b);
		return;
	}
	struct cor_symtab *st;
	if (!cor_symtab_builder_finish(b, &st))
		lookups(st);
}

struct membuf {
	const uint8_t *data;
	size_t size;
};

static struct cor_error *mem_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	const struct membuf *m = arg;
	if (addr < BASE || addr - BASE > m->size || len > m->size - (addr - BASE))
		return cor_error_fault(addr, "outside the input");
	memcpy(buf, m->data + (addr - BASE), len);
	return NULL;
}

/* The lazy lookups (markers and seqs found before the token table). */
static void lazy(const uint8_t *data, size_t size, const struct cor_kallsyms_loc *loc)
{
	struct membuf m = {data, size};
	struct cor_kallsyms_lazy *lz;
	struct cor_symbol s;
	struct cor_error *err = cor_kallsyms_lazy_create(mem_read, &m, loc, &lz);
	if (err) {
		cor_error_destroy(err);
		return;
	}
	static const uint64_t addrs[] = {0, BASE, BASE + 0x1000, BASE + 0x1040, ~0ull};
	for (size_t k = 0; k < sizeof(addrs) / sizeof(addrs[0]); k++)
		cor_error_destroy(cor_kallsyms_lazy_by_addr(lz, addrs[k], &s));
	if (cor_kallsyms_lazy_has_names(lz)) {
		cor_error_destroy(cor_kallsyms_lazy_by_name(lz, "jiffies", &s));
		cor_error_destroy(cor_kallsyms_lazy_by_name(lz, "", &s));
	}
	cor_kallsyms_lazy_destroy(lz);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cor_symtab *st;
	if (size >= 4 && memcmp(data,
				"\x7f"
				"ELF",
				4) == 0)
		vmlinux(data, size);
	struct cor_error *err = cor_kallsyms_parse_mem(data, size, BASE, NULL, &st);
	if (!err)
		lookups(st);
	cor_error_destroy(err);
	if (size >= 8 + 7 * 4 && memcmp(data, "KSYMLOC", 8) == 0) {
		struct cor_kallsyms_loc loc;
		uint64_t *f[] = {&loc.num_syms,	   &loc.names,	 &loc.token_table,
				 &loc.token_index, &loc.offsets, &loc.relative_base,
				 &loc.addresses};
		for (int k = 0; k < 7; k++) {
			uint32_t v = cor_le32(data + 8 + 4 * k);
			*f[k] = v ? BASE + v : 0;
		}
		err = cor_kallsyms_parse_mem(data, size, BASE, &loc, &st);
		if (!err)
			lookups(st);
		cor_error_destroy(err);
		lazy(data, size, &loc);
	}
	return 0;
}
