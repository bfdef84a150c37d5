// SPDX-License-Identifier: MIT
// libFuzzer target: the diagnosis' kernel-log scanner (cor_logscan_parse_mem) and
// the frame formatter over everything it found.
#include <stdint.h>

#include "diag/logscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log_scan ls;
	struct cor_error *err = cor_logscan_parse_mem((const char *)data, size, &ls);
	if (err) {
		cor_error_destroy(err);
		return 0;
	}
	char buf[256];
	for (int i = 0; i < ls.num_reports; i++)
		for (int k = 0; k < ls.reports[i].num_frames; k++)
			log_frame_format(&ls.reports[i].frames[k], buf, sizeof(buf));
	cor_logscan_deinit(&ls);
	return 0;
}
