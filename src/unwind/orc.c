// SPDX-License-Identifier: MIT
// ORC tables (arch/x86/kernel/unwind_orc.c, arch/x86/include/asm/orc_types.h).
// The ip table holds int32 offsets, each relative to its own address; the
// entries are 6-byte struct orc_entry, sorted by ip (scripts/sorttable.h).
#include <string.h>

#include "coroner/stack.h"

#define ORC_ENTRY_SIZE 6 /* struct orc_entry is __packed: s16, s16, u16 of bit-fields */

struct cor_error *cor_orc_parse_mem(const void *ip, size_t ip_len, const void *orc, size_t orc_len,
				    uint64_t ip_addr, enum cor_orc_format fmt,
				    struct cor_orc_table *ret)
{
	if (ip_len % 4 || orc_len % ORC_ENTRY_SIZE)
		return cor_error_create(COR_ERR_CORRUPT,
					"ORC: table sizes %zu and %zu are not "
					"multiples of 4 and 6",
					ip_len, orc_len);
	size_t num = ip_len / 4;
	if (num != orc_len / ORC_ENTRY_SIZE)
		return cor_error_create(COR_ERR_CORRUPT, "ORC: %zu ips but %zu entries", num,
					orc_len / ORC_ENTRY_SIZE);
	if (num == 0)
		return cor_error_create(COR_ERR_CORRUPT, "ORC: empty table");
	if (fmt != COR_ORC_FMT_END_BIT && fmt != COR_ORC_FMT_SIGNAL_BIT)
		return cor_error_create(COR_ERR_INVALID, "ORC: unknown entry format %d", (int)fmt);
	const uint8_t *b = ip;
	uint64_t prev = 0;
	for (size_t i = 0; i < num; i++) {
		uint64_t a = ip_addr + 4 * i + (uint64_t)(int64_t)(int32_t)cor_le32(b + 4 * i);
		if (i && a < prev)
			return cor_error_create(COR_ERR_CORRUPT,
						"ORC: ip table not sorted at entry %zu (0x%llx < "
						"0x%llx)",
						i, (unsigned long long)a, (unsigned long long)prev);
		prev = a;
	}
	ret->ip = ip;
	ret->orc = orc;
	ret->num = num;
	ret->ip_addr = ip_addr;
	ret->fmt = fmt;
	ret->first_ip = ip_addr + (uint64_t)(int64_t)(int32_t)cor_le32(b);
	ret->last_ip = prev;
	return NULL;
}

void cor_orc_decode(const uint8_t *raw, enum cor_orc_format fmt, struct cor_orc_entry *ret)
{
	uint16_t bits = cor_le16(raw + 4);
	memset(ret, 0, sizeof(*ret));
	ret->sp_offset = (int16_t)cor_le16(raw);
	ret->bp_offset = (int16_t)cor_le16(raw + 2);
	ret->sp_reg = bits & 0xf;
	ret->bp_reg = (bits >> 4) & 0xf;
	if (fmt == COR_ORC_FMT_END_BIT) {
		/* 6.1 orc_types.h: type:2 (UNWIND_HINT_TYPE_CALL 0, REGS 1,
		 * REGS_PARTIAL 2, include/linux/objtool.h), end:1. */
		unsigned type = (bits >> 8) & 3, end = (bits >> 10) & 1;
		if (end)
			ret->type = COR_ORC_END;
		else if (type == 0)
			ret->type = COR_ORC_CALL;
		else if (type == 1)
			ret->type = COR_ORC_REGS;
		else if (type == 2)
			ret->type = COR_ORC_REGS_PARTIAL;
		else
			ret->type = COR_ORC_UNDEFINED;
		/* An entry with no sp_reg and no end bit is the kernel's "unknown". */
		if (ret->sp_reg == COR_ORC_REG_UNDEFINED && !end)
			ret->type = COR_ORC_UNDEFINED;
	} else {
		/* 6.3+ orc_types.h: type:3 (ORC_TYPE_UNDEFINED 0, END_OF_STACK 1,
		 * CALL 2, REGS 3, REGS_PARTIAL 4), signal:1. */
		static const enum cor_orc_type map[8] = {
		    COR_ORC_UNDEFINED,	  COR_ORC_END,	     COR_ORC_CALL,	COR_ORC_REGS,
		    COR_ORC_REGS_PARTIAL, COR_ORC_UNDEFINED, COR_ORC_UNDEFINED, COR_ORC_UNDEFINED,
		};
		ret->type = map[(bits >> 8) & 7];
		ret->signal = (bits >> 11) & 1;
	}
	if (ret->type == COR_ORC_REGS || ret->type == COR_ORC_REGS_PARTIAL)
		ret->signal = true;
}

bool cor_orc_find(const struct cor_orc_table *tab, uint64_t addr, struct cor_orc_entry *ret)
{
	if (!tab->num || addr < tab->first_ip)
		return false;
	size_t lo = 0, hi = tab->num; /* find the last i with ip[i] <= addr */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t a = tab->ip_addr + 4 * mid +
			     (uint64_t)(int64_t)(int32_t)cor_le32(tab->ip + 4 * mid);
		if (a <= addr)
			lo = mid;
		else
			hi = mid;
	}
	cor_orc_decode(tab->orc + 6 * lo, tab->fmt, ret);
	return true;
}
