// SPDX-License-Identifier: MIT
// VMCOREINFO parsing: see include/coroner/vmcoreinfo.h.
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "coroner/vmcoreinfo.h"

struct cor_error *cor_vmcoreinfo_parse_mem(const char *text, size_t len, struct cor_vmcoreinfo *ret)
{
	struct cor_vmcoreinfo vi = {0};
	vi.text = malloc(len + 1);
	if (!vi.text)
		return &cor_enomem;
	memcpy(vi.text, text, len);
	vi.text[len] = '\0';
	char *line = vi.text, *end = vi.text + len;
	while (line < end) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		char *next = nl ? nl + 1 : end;
		if (nl)
			*nl = '\0';
		char *eq = strchr(line, '=');
		if (eq && eq != line) {
			*eq = '\0';
			struct cor_error *err =
			    cor_hmap_set_str(&vi.map, line, (uintptr_t)(eq + 1));
			if (err) {
				cor_vmcoreinfo_deinit(&vi);
				return err;
			}
		}
		line = next;
	}
	if (vi.map.len == 0) {
		cor_vmcoreinfo_deinit(&vi);
		return cor_error_create(COR_ERR_CORRUPT, "VMCOREINFO has no KEY=value line");
	}
	*ret = vi;
	return NULL;
}

void cor_vmcoreinfo_deinit(struct cor_vmcoreinfo *vi)
{
	cor_hmap_deinit(&vi->map);
	free(vi->text);
	vi->text = NULL;
}

const char *cor_vmcoreinfo_get(const struct cor_vmcoreinfo *vi, const char *key)
{
	uint64_t v;
	if (!vi->text || !cor_hmap_get_str(&vi->map, key, &v))
		return NULL;
	return (const char *)(uintptr_t)v;
}

bool cor_vmcoreinfo_u64(const struct cor_vmcoreinfo *vi, const char *key, uint64_t *ret)
{
	const char *s = cor_vmcoreinfo_get(vi, key);
	if (!s || !*s)
		return false;
	bool hex = strncmp(key, "SYMBOL(", 7) == 0 || strcmp(key, "KERNELOFFSET") == 0;
	char *endp;
	errno = 0;
	uint64_t v;
	if (hex)
		v = strtoull(s, &endp, 16);
	else if (*s == '-')
		v = (uint64_t)strtoll(s, &endp, 10);
	else
		v = strtoull(s, &endp, 10);
	if (errno || *endp)
		return false;
	*ret = v;
	return true;
}
