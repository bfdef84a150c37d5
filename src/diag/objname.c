// SPDX-License-Identifier: MIT
// Naming memory for people: an address becomes "symbol.member.path" when the
// symbol's type is known (DWARF, BTF, or the table of well-known globals),
// "symbol+off" otherwise, or a plain address.
#include <stdio.h>
#include <string.h>

#include "coroner/program.h"
#include "coroner/symbols.h"
#include "coroner/types.h"
#include "coroner/types_model.h"
#include "diag/internal.h"

#define MAX_DEPTH 8

/* Appends the member path of byte @p off inside @p type to @p out; returns false if none. */
static bool member_path(struct cor_types *types, const struct cor_type *type, uint64_t off,
			char *out, size_t size, int depth)
{
	const struct cor_type *t;
	struct cor_error *err = cor_types_strip(types, type, &t);
	if (err || depth > MAX_DEPTH) {
		cor_error_destroy(err);
		return false;
	}
	if (t->kind == COR_TYPE_ARRAY && t->nelem) {
		const struct cor_type *elem;
		uint64_t esz;
		if (cor_types_get(types, t->target, &elem) == NULL &&
		    cor_types_sizeof(types, elem, &esz) == NULL && esz) {
			size_t n = strlen(out);
			snprintf(out + n, size - n, "[%llu]", (unsigned long long)(off / esz));
			member_path(types, elem, off % esz, out, size, depth + 1);
			return true;
		}
		return false;
	}
	if (t->kind != COR_TYPE_STRUCT && t->kind != COR_TYPE_UNION)
		return false;
	for (uint32_t i = 0; i < t->nmembers; i++) {
		const struct cor_member *m = &t->members[i];
		const struct cor_type *mt;
		uint64_t msz;
		if (cor_types_get(types, m->type, &mt) || m->bit_offset % 8)
			continue;
		if (cor_types_sizeof(types, mt, &msz))
			continue;
		uint64_t mo = m->bit_offset / 8;
		if (off < mo || off >= mo + msz)
			continue;
		size_t n = strlen(out);
		if (m->name)
			snprintf(out + n, size - n, ".%s", m->name);
		member_path(types, mt, off - mo, out, size, depth + 1);
		return true;
	}
	return false;
}

void diag_name_addr(struct diag_ctx *ctx, uint64_t addr, char *buf, size_t size)
{
	struct cor_symbol sym;
	uint64_t off;
	struct cor_error *err = cor_program_symbol_by_addr(ctx->prog, addr, &sym, &off);
	if (err) {
		cor_error_destroy(err);
		snprintf(buf, size, "0x%llx", (unsigned long long)addr);
		return;
	}
	snprintf(buf, size, "%s", sym.name);
	struct cor_global g;
	struct cor_types *types;
	err = cor_program_global(ctx->prog, sym.name, &g);
	if (!err && g.type && !g.percpu)
		err = cor_program_types(ctx->prog, &types);
	if (!err && g.type && !g.percpu && member_path(types, g.type, off, buf, size, 0))
		return;
	cor_error_destroy(err);
	if (off)
		snprintf(buf + strlen(buf), size - strlen(buf), "+0x%llx", (unsigned long long)off);
}

struct cor_error *diag_read_member(struct diag_ctx *ctx, const char *global, const char *path,
				   uint64_t *value, uint64_t *addr_ret)
{
	struct cor_global g;
	struct cor_types *types;
	struct cor_member_result m;
	const struct cor_type *mt;
	uint64_t size;
	struct cor_error *err = cor_program_global(ctx->prog, global, &g);
	if (err)
		return err;
	if (!g.type)
		return cor_error_create(COR_ERR_NOT_FOUND, "%s: no type (%s)", global,
					g.why ? g.why : "unknown");
	if ((err = cor_program_types(ctx->prog, &types)) ||
	    (err = cor_types_member(types, g.type, path, &m)) ||
	    (err = cor_types_strip(types, m.type, &mt)) ||
	    (err = cor_types_sizeof(types, mt, &size)))
		return err;
	if (size > 8 || m.bit_size || m.bit_offset % 8)
		return cor_error_create(COR_ERR_UNSUPPORTED, "%s.%s is not a scalar", global, path);
	uint64_t addr = g.addr + m.bit_offset / 8;
	uint8_t b[8] = {0};
	if ((err = cor_program_read(ctx->prog, addr, b, size)))
		return err;
	*value = cor_le64(b);
	if (addr_ret)
		*addr_ret = addr;
	return NULL;
}
