// SPDX-License-Identifier: MIT
// libFuzzer target: VMCOREINFO text (cor_vmcoreinfo_parse_mem), then the
// lookups the program layer makes (strings and numbers, hex and decimal).
#include <stdint.h>

#include "coroner/vmcoreinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cor_vmcoreinfo vi;
	struct cor_error *err = cor_vmcoreinfo_parse_mem((const char *)data, size, &vi);
	if (err) {
		cor_error_destroy(err);
		return 0;
	}
	static const char *const keys[] = {"OSRELEASE",		  "PAGESIZE",
					   "KERNELOFFSET",	  "SYMBOL(prb)",
					   "SYMBOL(init_uts_ns)", "NUMBER(phys_base)",
					   "SIZE(page)",	  "OFFSET(page.flags)",
					   "CRASHTIME",		  ""};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		uint64_t v;
		(void)cor_vmcoreinfo_get(&vi, keys[i]);
		(void)cor_vmcoreinfo_u64(&vi, keys[i], &v);
	}
	cor_vmcoreinfo_deinit(&vi);
	return 0;
}
