// SPDX-License-Identifier: MIT
// libFuzzer target: the ELF vmcore reader through cor_dump_parse_mem(),
// then page states, page reads and notes. Seeds: tests/fuzz/corpus/elf/.
#include "fuzz_dump_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_dump_buffer(data, size);
}
