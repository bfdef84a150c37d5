/* SPDX-License-Identifier: MIT */
/*
 * Shared body of the dump fuzz targets: open a buffer with
 * cor_dump_parse_mem(), then exercise every accessor and read a few pages
 * (first, last, a few in between, and the pfns named by the ranges), so that
 * the page-state, descriptor and codec paths run on whatever the header says.
 */
#ifndef CORONER_FUZZ_DUMP_COMMON_H
#define CORONER_FUZZ_DUMP_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coroner/dump.h"
#include "coroner/vmcoreinfo.h"

static void fuzz_touch_page(struct cor_dump *dump, uint64_t pfn, uint8_t *page)
{
	(void)cor_dump_page_state(dump, pfn);
	struct cor_error *err = cor_dump_read_page(dump, pfn, page);
	cor_error_destroy(err);
	/* A read across a page boundary goes through the cache path. */
	uint32_t ps = cor_dump_page_size(dump);
	err = cor_dump_read_phys(dump, pfn * ps + ps - 4, page, 8);
	cor_error_destroy(err);
}

static int fuzz_dump_buffer(const uint8_t *data, size_t size)
{
	struct cor_dump *dump;
	struct cor_error *err = cor_dump_parse_mem(data, size, &dump);
	if (err) {
		/* Every error has a message: the CLI prints it. */
		if (!err->message || !err->message[0])
			abort();
		cor_error_destroy(err);
		return 0;
	}
	(void)cor_dump_format(dump);
	(void)cor_dump_format_name(dump);
	(void)cor_dump_is_incomplete(dump);
	(void)cor_dump_incomplete_reason(dump);
	(void)cor_dump_kdump_info(dump);
	for (size_t i = 0; i < cor_dump_num_notes(dump); i++) {
		const struct cor_dump_note *n = cor_dump_note(dump, i);
		volatile size_t sink = strlen(n->name);
		if (n->descsz)
			sink += n->desc[n->descsz - 1];
		(void)sink;
	}
	size_t vlen;
	const char *vi = cor_dump_vmcoreinfo(dump, &vlen);
	if (vi) {
		struct cor_vmcoreinfo info;
		err = cor_vmcoreinfo_parse_mem(vi, vlen, &info);
		if (!err)
			cor_vmcoreinfo_deinit(&info);
		cor_error_destroy(err);
	}
	uint32_t ps = cor_dump_page_size(dump);
	uint8_t *page = malloc(ps);
	if (!page)
		abort();
	uint64_t max = cor_dump_max_pfn(dump);
	static const uint64_t fixed[] = {0, 1, 2, 3, 7, 8, 15, 16, 255, 4096};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		fuzz_touch_page(dump, fixed[i], page);
	if (max) {
		fuzz_touch_page(dump, max - 1, page);
		fuzz_touch_page(dump, max / 2, page);
		fuzz_touch_page(dump, max, page);
	}
	for (size_t i = 0; i < cor_dump_num_ranges(dump) && i < 16; i++) {
		const struct cor_dump_range *r = cor_dump_range(dump, i);
		fuzz_touch_page(dump, r->paddr / ps, page);
		if (r->memsz)
			fuzz_touch_page(dump, (r->paddr + r->memsz - 1) / ps, page);
	}
	free(page);
	cor_dump_close(dump);
	return 0;
}

#endif
