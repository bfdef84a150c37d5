// SPDX-License-Identifier: MIT
// Oracle for `coroner capture` (built and run at test time by
// tests/corpus/test_capture.c; skipped without libkdumpfile-dev): reads every
// page of OUTPUT and of INPUT with libkdumpfile and prints one line
//   pages N readable in OUTPUT, E equal to INPUT, D differ (first pfn 0xP), U unreadable in INPUT
// Exit status 0 when D == 0 and U == 0 (every page of the output is the input's).
//   kdumpfile_cmp OUTPUT INPUT MAX_PFN
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libkdumpfile/kdumpfile.h>

static kdump_ctx_t *open_dump(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		exit(2);
	}
	kdump_ctx_t *ctx = kdump_new();
	if (!ctx || kdump_open_fd(ctx, fd) != KDUMP_OK) {
		printf("%s: open error %s\n", path, ctx ? kdump_get_err(ctx) : "no memory");
		exit(2);
	}
	return ctx;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: kdumpfile_cmp OUTPUT INPUT MAX_PFN\n");
		return 2;
	}
	kdump_ctx_t *out = open_dump(argv[1]), *in = open_dump(argv[2]);
	unsigned long long max_pfn = strtoull(argv[3], NULL, 0);
	unsigned char a[4096], b[4096];
	unsigned long long readable = 0, equal = 0, differ = 0, unreadable = 0, first = 0;
	for (unsigned long long pfn = 0; pfn < max_pfn; pfn++) {
		size_t sz = sizeof(a);
		if (kdump_read(out, KDUMP_MACHPHYSADDR, pfn * 4096, a, &sz) != KDUMP_OK ||
		    sz != sizeof(a))
			continue;
		readable++;
		sz = sizeof(b);
		if (kdump_read(in, KDUMP_MACHPHYSADDR, pfn * 4096, b, &sz) != KDUMP_OK ||
		    sz != sizeof(b)) {
			unreadable++;
			continue;
		}
		if (memcmp(a, b, sizeof(a)) == 0) {
			equal++;
		} else {
			if (!differ)
				first = pfn;
			differ++;
		}
	}
	printf("pages %llu readable in %s, %llu equal to %s, %llu differ (first pfn 0x%llx), "
	       "%llu unreadable in the input\n",
	       readable, argv[1], equal, argv[2], differ, first, unreadable);
	kdump_free(out);
	kdump_free(in);
	return differ || unreadable ? 1 : 0;
}
