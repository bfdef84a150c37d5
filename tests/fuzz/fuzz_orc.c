// SPDX-License-Identifier: MIT
// libFuzzer target: ORC table parsing (cor_orc_parse_mem) and lookups. Input:
// byte 0 = entry format, bytes 1..4 = number of entries, then the ip table
// and the entries; lookups at addresses taken from the tail.
#include <stdint.h>
#include <string.h>

#include "coroner/stack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 5)
		return 0;
	enum cor_orc_format fmt = data[0] & 1 ? COR_ORC_FMT_SIGNAL_BIT : COR_ORC_FMT_END_BIT;
	uint64_t num = cor_le32(data + 1) % 4096;
	data += 5;
	size -= 5;
	uint64_t ip_len = num * 4, orc_len = num * 6;
	if (ip_len + orc_len > size)
		return 0;
	const uint64_t ip_addr = 0xffffffff82000000ull;
	struct cor_orc_table tab;
	struct cor_error *err =
	    cor_orc_parse_mem(data, ip_len, data + ip_len, orc_len, ip_addr, fmt, &tab);
	if (err) {
		cor_error_destroy(err);
		return 0;
	}
	for (uint64_t off = ip_len + orc_len; off + 4 <= size; off += 4) {
		struct cor_orc_entry e;
		uint64_t addr = ip_addr + (uint64_t)(int64_t)(int32_t)cor_le32(data + off);
		volatile bool found = cor_orc_find(&tab, addr, &e);
		(void)found;
	}
	return 0;
}
