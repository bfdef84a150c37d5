// SPDX-License-Identifier: MIT
// Values and type definitions in gdb's format, with crash's settings
// (print pretty on, no "<repeats>" folding, no element limit): see
// include/coroner/expr.h. Formats from a buffer holding the whole object,
// read once; pointers are followed only to name their symbol or print the
// string a char pointer points to (bounded).
#include <stdlib.h>
#include <string.h>

#include "coroner/expr.h"
#include "coroner/program.h"
#include "coroner/symbols.h"
#include "coroner/types.h"
#include "coroner/types_model.h"

/* Objects larger than this are not printed whole (a struct page array, a
 * garbage cast): 16 MiB is far above any kernel struct. */
#define FORMAT_MAX_OBJECT (16ull << 20)
/* A char pointer's string is read up to this many bytes. */
#define FORMAT_MAX_STRING 4096
#define FORMAT_MAX_DEPTH  64
/* Output bound: garbage type data can nest one type in itself many times
 * over (exponential output); real kernel objects print in far less. */
#define FORMAT_MAX_OUTPUT (64u << 20)
/* Offset past a symbol of unknown size still shown as "<sym+off>". */
#define SYMBOL_GUESS_SIZE 16384
/* The same for a module symbol: modules are small, and past a module's last
 * symbol lie its freed init area or the next module (crash shows nothing). */
#define MODULE_SYMBOL_GUESS_SIZE 4096

struct fmt {
	struct cor_program *prog;
	struct cor_types *types;
	int radix;
	struct cor_strbuf *sb;
	/* Address of the formatted buffer's first byte (0 for an rvalue). */
	uint64_t base_addr;
};

static void indent(struct fmt *f, int depth)
{
	for (int i = 0; i < depth; i++)
		cor_strbuf_append(f->sb, "  ");
}

/* gdb's escapes for a character in a string or char literal quoted by @p q. */
static void append_char(struct cor_strbuf *sb, unsigned char c, char q)
{
	static const char esc[] = "\a\b\f\n\r\t\v";
	static const char names[] = "abfnrtv";
	const char *e = c ? strchr(esc, c) : NULL;
	if (c == '\\' || c == (unsigned char)q)
		cor_strbuf_appendf(sb, "\\%c", c);
	else if (e)
		cor_strbuf_appendf(sb, "\\%c", names[e - esc]);
	else if (c >= 0x20 && c < 0x7f)
		cor_strbuf_appendc(sb, (char)c);
	else
		cor_strbuf_appendf(sb, "\\%03o", c);
}

/* A char array's bytes as gdb prints them: one trailing NUL dropped. */
static void append_string(struct cor_strbuf *sb, const uint8_t *s, size_t n)
{
	if (n > 0 && s[n - 1] == 0)
		n--;
	cor_strbuf_appendc(sb, '"');
	for (size_t i = 0; i < n; i++)
		append_char(sb, s[i], '"');
	cor_strbuf_appendc(sb, '"');
}

static uint64_t load_bits(const uint8_t *buf, size_t len, uint64_t bit_off, uint32_t nbits)
{
	uint64_t v = 0;
	for (uint32_t i = 0; i < nbits; i++) {
		uint64_t b = bit_off + i;
		if (b / 8 < len && (buf[b / 8] >> (b % 8)) & 1)
			v |= 1ull << i;
	}
	return v;
}

static uint64_t sext(uint64_t v, unsigned bits)
{
	if (bits == 0 || bits >= 64)
		return v;
	uint64_t m = 1ull << (bits - 1);
	v &= (m << 1) - 1;
	return (v ^ m) - m;
}

static void format_int(struct fmt *f, const struct cor_type *t, uint64_t v, unsigned bits)
{
	if (t->is_bool && f->radix != 16) {
		cor_strbuf_append(f->sb, v == 0 ? "false" : v == 1 ? "true" : "");
		if (v > 1)
			cor_strbuf_appendf(f->sb, "%llu", (unsigned long long)v);
		return;
	}
	if (f->radix == 16) {
		uint64_t m = bits >= 64 ? ~0ull : (1ull << bits) - 1;
		cor_strbuf_appendf(f->sb, "0x%llx", (unsigned long long)(v & m));
	} else if (t->is_signed) {
		cor_strbuf_appendf(f->sb, "%lld", (long long)v);
	} else {
		cor_strbuf_appendf(f->sb, "%llu", (unsigned long long)v);
	}
	if (t->is_char && bits == 8) {
		cor_strbuf_append(f->sb, " '");
		append_char(f->sb, (unsigned char)v, '\'');
		cor_strbuf_appendc(f->sb, '\'');
	}
}

static void format_enum(struct fmt *f, const struct cor_type *t, uint64_t v)
{
	for (uint32_t i = 0; i < t->nenumerators; i++) {
		if ((uint64_t)t->enumerators[i].value == v ||
		    (t->size < 8 &&
		     ((uint64_t)t->enumerators[i].value & ((1ull << (8 * t->size)) - 1)) ==
			 (v & ((1ull << (8 * t->size)) - 1)))) {
			cor_strbuf_append(f->sb, t->enumerators[i].name);
			return;
		}
	}
	if (t->is_signed)
		cor_strbuf_appendf(f->sb, "%lld", (long long)v);
	else
		cor_strbuf_appendf(f->sb, "%llu", (unsigned long long)v);
}

/* " <sym+off>" when @p addr is inside a symbol: a kernel-image or module
 * address (per-cpu offsets and absolute symbols are not what a pointer
 * points at), within the symbol's size when known. */
static void append_symbol(struct fmt *f, uint64_t addr)
{
	struct cor_symbol sym;
	uint64_t off;
	struct cor_error *err = cor_program_symbol_by_addr(f->prog, addr, &sym, &off);
	if (err) {
		cor_error_destroy(err);
		return;
	}
	/* __START_KERNEL_map (arch/x86/include/asm/page_64_types.h, 6.1): the
	 * kernel image and modules live above it. */
	/* Assembler local labels (".LC1" of a vmlinux .symtab) name no object. */
	if (sym.addr < 0xffffffff80000000ull || strncmp(sym.name, ".L", 2) == 0)
		return;
	/* crash gives gdb module symbols without sizes: a module address is
	 * named after the closest symbol below it, as far as the guess goes. */
	if (sym.size && off >= sym.size && !sym.module)
		return;
	/* kallsyms has no sizes (a symbol "ends" at the next one, and rodata
	 * strings have none): bound the offset by the symbol's type when it
	 * has one, else by a page-sized guess, so that a string in .rodata
	 * is not shown as "<jumptable.50+486015>" where gdb (ELF sizes) shows
	 * nothing. */
	if (off) {
		struct cor_global g;
		uint64_t tsize = 0;
		if (!(err = cor_program_global(f->prog, sym.name, &g)) && g.type)
			err = cor_types_sizeof(f->types, g.type, &tsize);
		cor_error_destroy(err);
		if (tsize ? off >= tsize
			  : off >= (sym.module ? MODULE_SYMBOL_GUESS_SIZE : SYMBOL_GUESS_SIZE))
			return;
	}
	if (off)
		cor_strbuf_appendf(f->sb, " <%s+%llu>", sym.name, (unsigned long long)off);
	else
		cor_strbuf_appendf(f->sb, " <%s>", sym.name);
}

static void append_target_string(struct fmt *f, uint64_t addr)
{
	uint8_t chunk[256];
	struct cor_strbuf s = {0};
	cor_strbuf_append(&s, " \"");
	for (uint64_t done = 0; done < FORMAT_MAX_STRING; done += sizeof(chunk)) {
		/* Read up to the end of the page so a string near a page end
		 * before an unmapped page still prints. */
		uint64_t a = addr + done;
		size_t n = COR_MIN(sizeof(chunk), 4096 - (a & 4095));
		struct cor_error *err = cor_program_read(f->prog, a, chunk, n);
		if (err) {
			cor_error_destroy(err);
			if (done == 0) {
				cor_strbuf_deinit(&s);
				cor_strbuf_appendf(
				    f->sb, " <error: Cannot access memory at address 0x%llx>",
				    (unsigned long long)addr);
				return;
			}
			break;
		}
		size_t i;
		for (i = 0; i < n && chunk[i]; i++)
			append_char(&s, chunk[i], '"');
		if (i < n)
			break;
		done -= sizeof(chunk) - n;
	}
	cor_strbuf_appendc(&s, '"');
	cor_strbuf_append(f->sb, cor_strbuf_cstr(&s));
	cor_strbuf_deinit(&s);
}

static bool is_char_type(struct fmt *f, cor_type_ref ref)
{
	const struct cor_type *t;
	struct cor_error *err = cor_types_get(f->types, ref, &t);
	if (!err)
		err = cor_types_strip(f->types, t, &t);
	if (err) {
		cor_error_destroy(err);
		return false;
	}
	return t->kind == COR_TYPE_INT && t->size == 1 && t->is_char;
}

static void format_pointer(struct fmt *f, const struct cor_type *t, uint64_t v)
{
	if (v == 0) {
		cor_strbuf_append(f->sb, "0x0");
		return;
	}
	cor_strbuf_appendf(f->sb, "0x%llx", (unsigned long long)v);
	append_symbol(f, v);
	if (is_char_type(f, t->target))
		append_target_string(f, v);
}

static void format_object(struct fmt *f, const struct cor_type *type, const uint8_t *buf,
			  size_t len, uint64_t bit_off, uint32_t bit_size, int depth);

static void format_members(struct fmt *f, const struct cor_type *t, const uint8_t *buf, size_t len,
			   uint64_t bit_off, int depth)
{
	cor_strbuf_append(f->sb, "{\n");
	for (uint32_t i = 0; i < t->nmembers; i++) {
		const struct cor_member *m = &t->members[i];
		const struct cor_type *mt;
		indent(f, depth + 1);
		if (m->name)
			cor_strbuf_appendf(f->sb, "%s = ", m->name);
		struct cor_error *err = cor_types_get(f->types, m->type, &mt);
		if (err) {
			cor_strbuf_appendf(f->sb, "<%s>", err->message);
			cor_error_destroy(err);
		} else {
			format_object(f, mt, buf, len, bit_off + m->bit_offset, m->bit_size,
				      depth + 1);
		}
		cor_strbuf_append(f->sb, i + 1 < t->nmembers ? ",\n" : "\n");
	}
	indent(f, depth);
	cor_strbuf_appendc(f->sb, '}');
}

static void format_array(struct fmt *f, const struct cor_type *t, const uint8_t *buf, size_t len,
			 uint64_t bit_off, int depth)
{
	const struct cor_type *et;
	uint64_t esize;
	struct cor_error *err = cor_types_get(f->types, t->target, &et);
	if (!err)
		err = cor_types_sizeof(f->types, et, &esize);
	if (err) {
		cor_strbuf_appendf(f->sb, "<%s>", err->message);
		cor_error_destroy(err);
		return;
	}
	if (t->nelem == 0 && f->base_addr) {
		/* A flexible array member: gdb shows where it starts, as a pointer
		 * (with the string there for a char array). */
		uint64_t addr = f->base_addr + bit_off / 8;
		cor_strbuf_appendf(f->sb, "0x%llx", (unsigned long long)addr);
		append_symbol(f, addr);
		if (is_char_type(f, t->target))
			append_target_string(f, addr);
		return;
	}
	if (is_char_type(f, t->target) && bit_off % 8 == 0) {
		uint64_t start = bit_off / 8;
		uint64_t n = start < len ? COR_MIN(t->nelem, len - start) : 0;
		append_string(f->sb, buf + start, n);
		return;
	}
	cor_strbuf_appendc(f->sb, '{');
	for (uint64_t i = 0; i < t->nelem && (bit_off / 8 + i * esize) < len; i++) {
		if (i)
			cor_strbuf_append(f->sb, ", ");
		format_object(f, et, buf, len, bit_off + i * esize * 8, 0, depth + 1);
	}
	cor_strbuf_appendc(f->sb, '}');
}

static void format_object(struct fmt *f, const struct cor_type *type, const uint8_t *buf,
			  size_t len, uint64_t bit_off, uint32_t bit_size, int depth)
{
	const struct cor_type *t;
	if (f->sb->len > FORMAT_MAX_OUTPUT || f->sb->failed)
		return;
	struct cor_error *err = cor_types_strip(f->types, type, &t);
	if (!err && depth > FORMAT_MAX_DEPTH)
		err = cor_error_create(COR_ERR_CORRUPT, "nested too deep");
	if (err) {
		cor_strbuf_appendf(f->sb, "<%s>", err->message);
		cor_error_destroy(err);
		return;
	}
	unsigned bits = bit_size ? bit_size : (unsigned)(8 * COR_MIN(t->size, 8));
	uint64_t v = 0;
	if (t->kind == COR_TYPE_INT || t->kind == COR_TYPE_ENUM || t->kind == COR_TYPE_POINTER) {
		v = load_bits(buf, len, bit_off, bits);
		if (t->is_signed)
			v = sext(v, bits);
	}
	switch (t->kind) {
	case COR_TYPE_INT:
		format_int(f, t, v, bits);
		break;
	case COR_TYPE_ENUM:
		format_enum(f, t, v); /* by name under output-radix 16 too */
		break;
	case COR_TYPE_POINTER:
		format_pointer(f, t, v);
		break;
	case COR_TYPE_STRUCT:
	case COR_TYPE_UNION:
		if (t->incomplete)
			cor_strbuf_append(f->sb, "<incomplete type>");
		else
			format_members(f, t, buf, len, bit_off, depth);
		break;
	case COR_TYPE_ARRAY:
		format_array(f, t, buf, len, bit_off, depth);
		break;
	case COR_TYPE_FLOAT: {
		uint64_t raw = load_bits(buf, len, bit_off, (unsigned)(8 * COR_MIN(t->size, 8)));
		if (t->size == 4) {
			float x;
			uint32_t r32 = (uint32_t)raw;
			memcpy(&x, &r32, 4);
			cor_strbuf_appendf(f->sb, "%g", x);
		} else if (t->size == 8) {
			double x;
			memcpy(&x, &raw, 8);
			cor_strbuf_appendf(f->sb, "%g", x);
		} else {
			cor_strbuf_append(f->sb, "<long double>");
		}
		break;
	}
	default:
		cor_strbuf_append(f->sb, "<unprintable>");
	}
}

static struct cor_error *format_function(struct fmt *f, const struct cor_type *t, uint64_t addr)
{
	cor_strbuf_appendc(f->sb, '{');
	cor_types_format_decl(f->types, t, NULL, f->sb);
	cor_strbuf_appendf(f->sb, "} 0x%llx", (unsigned long long)addr);
	append_symbol(f, addr);
	return NULL;
}

struct cor_error *cor_value_format(struct cor_program *prog, const struct cor_value *value,
				   const struct cor_format_opts *opts, struct cor_strbuf *sb)
{
	struct fmt f = {.prog = prog, .radix = opts && opts->radix ? opts->radix : 10, .sb = sb};
	const struct cor_type *t;
	struct cor_error *err;
	if (!value->type)
		return cor_error_create(COR_ERR_INVALID,
					"%s: no type information (%s); try p (TYPE)%s",
					value->symbol ? value->symbol : "value",
					value->why ? value->why : "unknown type",
					value->symbol ? value->symbol : "ADDRESS");
	if ((err = cor_program_types(prog, &f.types)) ||
	    (err = cor_types_strip(f.types, value->type, &t)))
		return err;
	if (t->kind == COR_TYPE_FUNCTION)
		return format_function(&f, t, value->addr);
	if (t->kind == COR_TYPE_VOID)
		return cor_strbuf_append(sb, "void"), NULL;
	if (t->kind == COR_TYPE_INT || t->kind == COR_TYPE_ENUM || t->kind == COR_TYPE_POINTER) {
		uint64_t v;
		uint8_t b[8];
		if ((err = cor_value_scalar(prog, value, &v)))
			return err;
		if (t->kind == COR_TYPE_POINTER && opts && opts->top_level &&
		    !is_char_type(&f, t->target)) {
			cor_strbuf_appendc(sb, '(');
			cor_types_format_decl(f.types, value->type, NULL, sb);
			cor_strbuf_append(sb, ") ");
		}
		cor_put_le64(b, v);
		format_object(&f, t, b, 8, 0, value->bit_size, 0);
		return NULL;
	}
	uint64_t size;
	if ((err = cor_types_sizeof(f.types, value->type, &size)))
		return err;
	if (!value->lvalue)
		return cor_error_create(COR_ERR_INVALID, "aggregate value not in memory");
	if (size > FORMAT_MAX_OBJECT)
		return cor_error_create(COR_ERR_INVALID,
					"object of %llu bytes is too large to print",
					(unsigned long long)size);
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return &cor_enomem;
	if ((err = cor_program_read(prog, value->addr, buf, size))) {
		free(buf);
		return cor_error_wrap(err, "reading %llu bytes at 0x%llx", (unsigned long long)size,
				      (unsigned long long)value->addr);
	}
	f.base_addr = value->addr;
	format_object(&f, value->type, buf, size, 0, 0, 0);
	free(buf);
	if (sb->len > FORMAT_MAX_OUTPUT)
		return cor_error_create(COR_ERR_OVERFLOW,
					"value at 0x%llx prints as more than %u MiB "
					"(corrupt type data?)",
					(unsigned long long)value->addr, FORMAT_MAX_OUTPUT >> 20);
	return cor_strbuf_error(sb);
}

/* ---- definitions (ptype, crash's struct) ---- */

static void def_members(struct cor_types *types, const struct cor_type *t, bool offsets,
			uint64_t base_bits, int depth, int width, struct cor_strbuf *sb);

static int offset_width(struct cor_types *types, const struct cor_type *t, uint64_t base, int depth,
			int *budget)
{
	int w = 0;
	if (--*budget < 0)
		return 0;
	for (uint32_t i = 0; i < t->nmembers && depth < FORMAT_MAX_DEPTH; i++) {
		const struct cor_type *mt, *st;
		uint64_t off = (base + t->members[i].bit_offset) / 8;
		char buf[32];
		w = COR_MAX(w, snprintf(buf, sizeof(buf), "[%llu]", (unsigned long long)off));
		struct cor_error *err = cor_types_get(types, t->members[i].type, &mt);
		if (!err)
			err = cor_types_strip(types, mt, &st);
		if (err) {
			cor_error_destroy(err);
			continue;
		}
		if (!t->members[i].name &&
		    (st->kind == COR_TYPE_STRUCT || st->kind == COR_TYPE_UNION))
			w = COR_MAX(w, offset_width(types, st, base + t->members[i].bit_offset,
						    depth + 1, budget));
	}
	return w;
}

static void def_member(struct cor_types *types, const struct cor_member *m,
		       const struct cor_type *mt, bool offsets, uint64_t base_bits, int depth,
		       int width, struct cor_strbuf *sb)
{
	const struct cor_type *st = mt;
	struct cor_error *err = cor_types_strip(types, mt, &st);
	cor_error_destroy(err);
	bool anon_aggr = (st->kind == COR_TYPE_STRUCT || st->kind == COR_TYPE_UNION) && !st->name &&
			 mt->kind != COR_TYPE_TYPEDEF;
	uint64_t bits = base_bits + m->bit_offset;
	if (offsets) {
		/* crash's struct -o: members prefixed by their byte offset,
		 * anonymous aggregates opened and closed without one. */
		if (anon_aggr) {
			cor_strbuf_appendf(sb, "%*s", width + 3, "");
			for (int i = 0; i < depth; i++)
				cor_strbuf_append(sb, "    ");
			cor_strbuf_append(sb,
					  st->kind == COR_TYPE_STRUCT ? "struct {\n" : "union {\n");
			def_members(types, st, offsets, bits, depth + 1, width, sb);
			cor_strbuf_appendf(sb, "%*s", width + 3, "");
			for (int i = 0; i < depth; i++)
				cor_strbuf_append(sb, "    ");
			cor_strbuf_appendf(sb, "}%s%s;\n", m->name ? " " : "",
					   m->name ? m->name : "");
			return;
		}
		char off[32];
		snprintf(off, sizeof(off), "[%llu]", (unsigned long long)(bits / 8));
		cor_strbuf_appendf(sb, "%*s ", width + 2, off);
		for (int i = 0; i < depth; i++)
			cor_strbuf_append(sb, "    ");
	} else {
		for (int i = 0; i <= depth; i++)
			cor_strbuf_append(sb, "    ");
	}
	if (anon_aggr && !offsets) {
		cor_strbuf_append(sb, st->kind == COR_TYPE_STRUCT ? "struct {\n" : "union {\n");
		def_members(types, st, false, bits, depth + 1, width, sb);
		for (int i = 0; i <= depth; i++)
			cor_strbuf_append(sb, "    ");
		cor_strbuf_appendf(sb, "}%s%s;\n", m->name ? " " : "", m->name ? m->name : "");
		return;
	}
	cor_types_format_decl(types, mt, m->name, sb);
	if (m->bit_size)
		cor_strbuf_appendf(sb, " : %u", m->bit_size);
	cor_strbuf_append(sb, ";\n");
}

static void def_members(struct cor_types *types, const struct cor_type *t, bool offsets,
			uint64_t base_bits, int depth, int width, struct cor_strbuf *sb)
{
	if (depth > FORMAT_MAX_DEPTH || sb->len > FORMAT_MAX_OUTPUT)
		return;
	for (uint32_t i = 0; i < t->nmembers; i++) {
		const struct cor_type *mt;
		struct cor_error *err = cor_types_get(types, t->members[i].type, &mt);
		if (err) {
			cor_strbuf_appendf(sb, "    <%s>\n", err->message);
			cor_error_destroy(err);
			continue;
		}
		def_member(types, &t->members[i], mt, offsets, base_bits, depth, width, sb);
	}
}

void cor_type_format_definition(struct cor_types *types, const struct cor_type *type, bool offsets,
				struct cor_strbuf *sb)
{
	const struct cor_type *t = type;
	struct cor_error *err = cor_types_strip(types, type, &t);
	cor_error_destroy(err);
	if (t->kind == COR_TYPE_ENUM) {
		cor_strbuf_appendf(sb, "enum %s {", t->name ? t->name : "");
		for (uint32_t i = 0; i < t->nenumerators; i++)
			cor_strbuf_appendf(sb, "%s%s", i ? ", " : "", t->enumerators[i].name);
		cor_strbuf_append(sb, "}\n");
		return;
	}
	if (t->kind != COR_TYPE_STRUCT && t->kind != COR_TYPE_UNION) {
		cor_types_format_decl(types, type, NULL, sb);
		cor_strbuf_appendc(sb, '\n');
		return;
	}
	cor_strbuf_appendf(sb, "%s %s%s{\n", t->kind == COR_TYPE_STRUCT ? "struct" : "union",
			   t->name ? t->name : "", t->name ? " " : "");
	int budget = 100000;
	int width = offsets ? offset_width(types, t, 0, 0, &budget) : 0;
	def_members(types, t, offsets, 0, 0, width, sb);
	cor_strbuf_append(sb, "}\n");
}
