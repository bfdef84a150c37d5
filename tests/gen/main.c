// SPDX-License-Identifier: MIT
// gendump: writes a synthetic dump from a text spec (see tests/gen/gen.h).
//   gendump SPEC|- OUT
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen.h"

static char *slurp(FILE *f)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	while (buf) {
		len += fread(buf + len, 1, cap - len - 1, f);
		if (len < cap - 1)
			break;
		char *nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			return NULL;
		}
		buf = nb;
		cap *= 2;
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: gendump SPEC|- OUT   (spec syntax: tests/gen/gen.h)\n");
		return 2;
	}
	FILE *f = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	char *text = slurp(f);
	if (f != stdin)
		fclose(f);
	if (!text) {
		fprintf(stderr, "gendump: %s: cannot read\n", argv[1]);
		return 1;
	}
	char err[256];
	int rc = gen_file_from_spec(text, argv[2], err, sizeof(err));
	free(text);
	if (rc) {
		fprintf(stderr, "gendump: %s: %s\n", argv[1], err);
		return 1;
	}
	return 0;
}
