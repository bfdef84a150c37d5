// SPDX-License-Identifier: MIT
// Helpers shared by the commands: addresses given as hex, symbol or symbol+offset.
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "coroner/base.h"
#include "coroner/symbols.h"

/* An offset after '+': "0x1f" hex, "31" decimal (crash prints "name+31"). */
static struct cor_error *parse_offset(const char *s, uint64_t *ret)
{
	if (!*s)
		return cor_error_create(COR_ERR_INVALID, "missing offset after '+'");
	return cor_parse_u64(s, false, ret);
}

static bool looks_like_name(const char *s, size_t n)
{
	if (n == 0 || isdigit((unsigned char)s[0]))
		return false;
	/* 8+ hex digits ("ffffffff8c67754f") is an address: looking it up as a
	 * name first would load the module symbols for nothing. */
	size_t hex = 0;
	while (hex < n && isxdigit((unsigned char)s[hex]))
		hex++;
	if (hex == n && n >= 8)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '$')
			return false;
	return true;
}

struct cor_error *cor_cli_parse_addr(struct cor_cli *cli, const char *arg, uint64_t *ret)
{
	const char *plus = strchr(arg, '+');
	size_t n = plus ? (size_t)(plus - arg) : strlen(arg);
	uint64_t off = 0, addr;
	struct cor_error *err;
	if (plus && (err = parse_offset(plus + 1, &off)))
		return cor_error_wrap(err, "%s", arg);
	if (looks_like_name(arg, n) && cli->prog) {
		char *name = strndup(arg, n);
		if (!name)
			return &cor_enomem;
		struct cor_symbol sym;
		err = cor_program_symbol_by_name(cli->prog, name, &sym);
		free(name);
		if (!err) {
			if (cor_add_overflow(sym.addr, off, ret))
				return cor_error_create(COR_ERR_OVERFLOW,
							"%s: past the end of memory", arg);
			return NULL;
		}
		/* Not a symbol: maybe a hex number made of letters ("dead"). */
		uint64_t v;
		struct cor_error *nerr = plus ? NULL : cor_parse_u64(arg, true, &v);
		if (!plus && !nerr) {
			cor_error_destroy(err);
			*ret = v;
			return NULL;
		}
		cor_error_destroy(nerr);
		return err;
	}
	char *num = strndup(arg, n);
	if (!num)
		return &cor_enomem;
	err = cor_parse_u64(num, true, &addr);
	free(num);
	if (err)
		return cor_error_wrap(err, "'%s' is neither an address nor a symbol", arg);
	if (cor_add_overflow(addr, off, &addr))
		return cor_error_create(COR_ERR_OVERFLOW, "%s: past the end of memory", arg);
	*ret = addr;
	return NULL;
}
