// SPDX-License-Identifier: MIT
// libFuzzer target: cor_hwerr_parse_mem() on PCIe AER lines (drivers/pci/pcie/aer.c formats),
// then both renderers (which decode AER bits, TLP headers and NMI reasons again).
#include <stdint.h>

#include "coroner/hwerr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cor_hwerr_log log;
	cor_hwerr_log_init(&log);
	struct cor_error *err = cor_hwerr_parse_mem(data, size, 1u << COR_HWERR_SRC_AER, &log);
	if (!err) {
		struct cor_strbuf out = {0};
		cor_hwerr_render_text(&log, COR_HWERR_RENDER_VERBOSE, &out);
		cor_hwerr_render_json(&log, &out);
		cor_strbuf_deinit(&out);
	}
	cor_error_destroy(err);
	cor_hwerr_log_deinit(&log);
	return 0;
}
