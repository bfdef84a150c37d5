// SPDX-License-Identifier: MIT
// libFuzzer target: the two parsers of `coroner kdump-check` that read text a
// machine provides: crashkernel= values (cor_kdump_crashkernel_size(), at a few
// RAM sizes) and /proc/iomem (cor_kdump_parse_iomem_mem()). The input is split
// at its first NUL: before it a crashkernel= value, after it /proc/iomem text.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coroner/kdump_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t n = nul ? (size_t)(nul - data) : size;
	char *value = malloc(n + 1);
	if (!value)
		return 0;
	memcpy(value, data, n);
	value[n] = '\0';
	static const uint64_t rams[] = {0, 512ull << 20, 2ull << 30, 64ull << 30, UINT64_MAX};
	for (size_t i = 0; i < sizeof(rams) / sizeof(rams[0]); i++) {
		uint64_t got = 0;
		cor_error_destroy(cor_kdump_crashkernel_size(value, rams[i], &got));
	}
	free(value);
	if (nul) {
		uint64_t sz = 0;
		bool hidden = false;
		cor_kdump_parse_iomem_mem(nul + 1, size - n - 1, &sz, &hidden);
	}
	return 0;
}
