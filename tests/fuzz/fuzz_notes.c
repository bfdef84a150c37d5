// SPDX-License-Identifier: MIT
// libFuzzer target: ELF note parsing (cor_dump_parse_notes_mem), then every
// note's name and descriptor are read to their last byte.
#include <stdint.h>
#include <string.h>

#include "coroner/dump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cor_vec notes;
	cor_vec_init(&notes, sizeof(struct cor_dump_note));
	struct cor_error *err = cor_dump_parse_notes_mem(data, size, &notes);
	cor_error_destroy(err);
	for (size_t i = 0; i < notes.len; i++) {
		const struct cor_dump_note *n = cor_vec_at(&notes, i);
		volatile size_t sink = strlen(n->name) + n->type;
		if (n->descsz)
			sink += n->desc[n->descsz - 1];
		(void)sink;
	}
	cor_vec_deinit(&notes);
	return 0;
}
