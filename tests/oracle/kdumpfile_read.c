// SPDX-License-Identifier: MIT
// An oracle for the dump generator (tests/gen/): reads pages of a dump with
// libkdumpfile and prints, for each pfn given, one line:
//   PFN data HEX-OF-FNV1A64     the page reads; hash of its bytes
//   PFN error MESSAGE           libkdumpfile cannot read it (excluded, absent)
// then "vmcoreinfo LEN" and "format NAME". Built and run at test time by
// tests/unit/test_dump_oracle.c (skipped when libkdumpfile-dev is missing).
//   kdumpfile_read DUMP PFN...
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libkdumpfile/kdumpfile.h>

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: kdumpfile_read DUMP PFN...\n");
		return 2;
	}
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	kdump_ctx_t *ctx = kdump_new();
	if (!ctx)
		return 1;
	if (kdump_open_fd(ctx, fd) != KDUMP_OK) {
		printf("open error %s\n", kdump_get_err(ctx));
		return 1;
	}
	const char *fmt = NULL;
	if (kdump_get_string_attr(ctx, KDUMP_ATTR_FILE_FORMAT, &fmt) == KDUMP_OK)
		printf("format %s\n", fmt);
	kdump_num_t ps = 4096;
	(void)kdump_get_number_attr(ctx, KDUMP_ATTR_PAGE_SIZE, &ps);
	unsigned char *buf = malloc(ps);
	for (int i = 2; i < argc; i++) {
		unsigned long long pfn = strtoull(argv[i], NULL, 0);
		size_t sz = ps;
		kdump_status st = kdump_read(ctx, KDUMP_MACHPHYSADDR, pfn * ps, buf, &sz);
		if (st == KDUMP_OK && sz == ps)
			printf("%llu data %016" PRIx64 "\n", pfn, fnv1a(buf, ps));
		else
			printf("%llu error %s\n", pfn, kdump_get_err(ctx));
	}
	free(buf);
	kdump_free(ctx);
	close(fd);
	return 0;
}
