// SPDX-License-Identifier: MIT
// libFuzzer target: x86-64 decoding, crash-style formatting, control-flow
// graph, loops and loop summaries over arbitrary bytes (cor_cfg_parse_mem).
// Everything must terminate; every loop summary and sentence is built.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "coroner/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A symbolizer that names every address, to exercise the formatting paths. */
static bool any_sym(void *arg, uint64_t addr, char *name, size_t size, uint64_t *offset)
{
	(void)arg;
	snprintf(name, size, "f");
	*offset = addr & 0xff;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cor_disasm *d;
	if (cor_disasm_create(&d))
		return 0;
	struct cor_cfg *cfg = NULL;
	struct cor_error *err = cor_cfg_parse_mem(d, data, size, 0xffffffff81000000ull, &cfg);
	cor_error_destroy(err);
	if (cfg) {
		struct cor_strbuf sb = {0};
		for (size_t i = 0; i < cfg->num_insns; i++) {
			cor_disasm_format_line(&cfg->insns[i], any_sym, NULL, &sb);
			cor_strbuf_reset(&sb);
		}
		for (size_t l = 0; l < cfg->num_loops; l++) {
			struct cor_loop_summary s;
			if (cor_loop_summarize(cfg, l, &s) == NULL)
				cor_loop_describe(&s, any_sym, NULL, &sb);
			cor_strbuf_reset(&sb);
		}
		for (size_t i = 0; i < cfg->num_insns; i++) {
			size_t out[4];
			(void)cor_cfg_loops_at(cfg, cfg->insns[i].addr, out, 4);
			(void)cor_cfg_innermost_loop(cfg, cfg->insns[i].addr);
		}
		cor_strbuf_deinit(&sb);
		cor_cfg_destroy(cfg);
	}
	cor_disasm_destroy(d);
	return 0;
}
