// SPDX-License-Identifier: MIT
// libFuzzer target: machine-check kernel log lines (cor_mce_parse_kernel_log_mem), then
// every record found through cor_mce_decode() and both renderers.
#include <stdint.h>
#include <stdlib.h>

#include "coroner/mce.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cor_vec recs;
	cor_vec_init(&recs, sizeof(struct cor_mce_record));
	struct cor_error *err = cor_mce_parse_kernel_log_mem((const char *)data, size, &recs);
	if (err) {
		cor_error_destroy(err);
		cor_vec_deinit(&recs);
		return 0;
	}
	struct cor_mce_decoded *d = malloc(sizeof(*d));
	for (size_t i = 0; d && i < recs.len; i++) {
		struct cor_strbuf sb = {0};
		err = cor_mce_decode(cor_vec_at(&recs, i), d);
		if (err) {
			cor_error_destroy(err);
			continue;
		}
		cor_mce_render_text(d, &sb);
		cor_mce_render_json(d, &sb);
		cor_strbuf_deinit(&sb);
	}
	free(d);
	cor_vec_deinit(&recs);
	return 0;
}
