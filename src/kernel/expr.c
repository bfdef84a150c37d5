// SPDX-License-Identifier: MIT
// C expressions: a recursive-descent parser into a small tree, and an
// evaluator over the dump. See include/coroner/expr.h.
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "coroner/expr.h"
#include "coroner/program.h"
#include "coroner/types.h"
#include "coroner/types_model.h"

/* Bounds: nesting of the parse (untrusted text, e.g. from the fuzzer) and
 * the number of nodes. */
#define EXPR_MAX_DEPTH 128
#define EXPR_MAX_NODES 4096
/* Largest object a member/index step or a deref may denote: a garbage
 * pointer must not become a huge read. */
#define EXPR_MAX_OBJECT (64ull << 20)

enum node_kind {
	N_NUM,
	N_IDENT,
	N_MEMBER, /* a.name */
	N_ARROW,  /* a->name */
	N_INDEX,  /* a[b] */
	N_UNARY,  /* op a: '-', '~', '!', '*', '&' */
	N_BINARY, /* a op b */
	N_CAST,	  /* (type) a */
	N_SIZEOF_TYPE,
	N_SIZEOF_EXPR,
	N_PERCPU, /* per_cpu(a, b) */
};

/* Binary operators beyond single characters. */
enum { OP_SHL = 256, OP_SHR, OP_LE, OP_GE, OP_EQ, OP_NE, OP_AND, OP_OR };

struct node {
	enum node_kind kind;
	int op;
	uint64_t num;
	bool num_unsigned, num_long, num_char, num_radix; /* num_radix: hex/octal literal */
	char *name;
	const struct cor_type *type;
	struct node *a, *b;
};

struct cor_expr {
	struct node *root;
	struct node **nodes;
	size_t nnodes;
	char *text;
};

struct parser {
	struct cor_types *types;
	struct cor_expr *expr;
	const char *s, *p;
	int depth;
	struct cor_error *err;
};

static struct node *new_node(struct parser *ps, enum node_kind kind)
{
	if (ps->err)
		return NULL;
	if (ps->expr->nnodes >= EXPR_MAX_NODES) {
		ps->err = cor_error_create(COR_ERR_INVALID, "expression too long");
		return NULL;
	}
	struct node *n = calloc(1, sizeof(*n));
	if (!n) {
		ps->err = &cor_enomem;
		return NULL;
	}
	ps->expr->nodes[ps->expr->nnodes++] = n;
	n->kind = kind;
	return n;
}

static void syntax(struct parser *ps, const char *what)
{
	if (!ps->err)
		ps->err =
		    cor_error_create(COR_ERR_INVALID, "syntax error in \"%s\" at column %d: %s",
				     ps->s, (int)(ps->p - ps->s) + 1, what);
}

static void skip_ws(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static bool accept(struct parser *ps, const char *tok)
{
	skip_ws(ps);
	size_t n = strlen(tok);
	if (strncmp(ps->p, tok, n) != 0)
		return false;
	/* "-" must not match "->" or "--", "&" not "&&", "<" not "<<", ... */
	if (n == 1 && ps->p[1] && strchr("-&|<>=", tok[0]) &&
	    (ps->p[1] == tok[0] || (tok[0] == '-' && ps->p[1] == '>') ||
	     (strchr("<>=!", tok[0]) && ps->p[1] == '=')))
		return false;
	ps->p += n;
	return true;
}

static bool ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_' || c == '$';
}

static char *read_ident(struct parser *ps)
{
	skip_ws(ps);
	const char *start = ps->p;
	if (!ident_start(*start))
		return NULL;
	while (isalnum((unsigned char)*ps->p) || *ps->p == '_' || *ps->p == '$')
		ps->p++;
	char *s = strndup(start, (size_t)(ps->p - start));
	if (!s)
		ps->err = &cor_enomem;
	return s;
}

static struct node *parse_expr(struct parser *ps, int min_prec);
static struct node *parse_unary(struct parser *ps);

static const char *const type_keywords[] = {"struct", "union",	"enum", "unsigned", "signed",
					    "char",   "short",	"int",	"long",	    "_Bool",
					    "float",  "double", "void", "const",    "volatile"};

/* If a type name starts at the cursor (after "(" or "sizeof("), parses it. */
static bool try_type(struct parser *ps, const struct cor_type **ret)
{
	skip_ws(ps);
	if (!ident_start(*ps->p))
		return false;
	size_t n = 0;
	while (isalnum((unsigned char)ps->p[n]) || ps->p[n] == '_')
		n++;
	bool keyword = false;
	for (size_t i = 0; i < COR_ARRAY_SIZE(type_keywords); i++)
		keyword = keyword || (strlen(type_keywords[i]) == n &&
				      strncmp(ps->p, type_keywords[i], n) == 0);
	if (!ps->types) {
		if (keyword)
			syntax(ps, "type names need type information");
		return false;
	}
	size_t len;
	struct cor_error *err = cor_types_parse_name(ps->types, ps->p, ret, &len);
	if (err) {
		if (keyword && !ps->err)
			ps->err = err;
		else
			cor_error_destroy(err);
		return false;
	}
	const char *after = ps->p + len;
	while (isspace((unsigned char)*after))
		after++;
	if (*after != ')')
		return false; /* "(x + 1)": an expression that starts with a name */
	ps->p += len;
	return true;
}

static struct node *parse_number(struct parser *ps)
{
	struct node *n = new_node(ps, N_NUM);
	if (!n)
		return NULL;
	char *end;
	errno = 0;
	n->num_radix = ps->p[0] == '0' && ps->p[1] != '\0';
	n->num = strtoull(ps->p, &end, 0);
	if (errno) {
		syntax(ps, "number too large");
		return NULL;
	}
	ps->p = end;
	while (*ps->p && strchr("uUlL", *ps->p)) {
		if (*ps->p == 'u' || *ps->p == 'U')
			n->num_unsigned = true;
		else
			n->num_long = true;
		ps->p++;
	}
	if (isalnum((unsigned char)*ps->p) || *ps->p == '_') {
		syntax(ps, "bad number");
		return NULL;
	}
	return n;
}

static struct node *parse_char(struct parser *ps)
{
	const char *p = ps->p + 1;
	uint64_t c;
	if (*p == '\\') {
		p++;
		const char *esc = "n\nt\tr\r0\0a\007b\bf\fv\v\\\\''\"\"";
		const char *e = *p ? strchr(esc, *p) : NULL;
		if (isdigit((unsigned char)*p)) {
			c = 0;
			for (int i = 0; i < 3 && *p >= '0' && *p <= '7'; i++)
				c = c * 8 + (uint64_t)(*p++ - '0');
		} else if (e && (e - esc) % 2 == 0) {
			c = (unsigned char)e[1];
			p++;
		} else {
			syntax(ps, "bad escape in character literal");
			return NULL;
		}
	} else if (*p && *p != '\'') {
		c = (unsigned char)*p++;
	} else {
		syntax(ps, "empty character literal");
		return NULL;
	}
	if (*p != '\'') {
		syntax(ps, "unterminated character literal");
		return NULL;
	}
	ps->p = p + 1;
	struct node *n = new_node(ps, N_NUM);
	if (n) {
		n->num = c;
		n->num_char = true;
	}
	return n;
}

static struct node *parse_percpu(struct parser *ps)
{
	struct node *n = new_node(ps, N_PERCPU);
	if (!n)
		return NULL;
	n->a = parse_expr(ps, 0);
	if (!accept(ps, ",")) {
		syntax(ps, "expected ',' in per_cpu(symbol, cpu)");
		return NULL;
	}
	n->b = parse_expr(ps, 0);
	if (!accept(ps, ")")) {
		syntax(ps, "expected ')'");
		return NULL;
	}
	return n;
}

static struct node *parse_primary(struct parser *ps)
{
	skip_ws(ps);
	if (isdigit((unsigned char)*ps->p))
		return parse_number(ps);
	if (*ps->p == '\'')
		return parse_char(ps);
	if (accept(ps, "(")) {
		struct node *n = parse_expr(ps, 0);
		if (!accept(ps, ")"))
			syntax(ps, "expected ')'");
		return n;
	}
	char *name = read_ident(ps);
	if (!name) {
		syntax(ps, *ps->p ? "unexpected character" : "unexpected end");
		return NULL;
	}
	if (strcmp(name, "per_cpu") == 0 && accept(ps, "(")) {
		free(name);
		return parse_percpu(ps);
	}
	struct node *n = new_node(ps, N_IDENT);
	if (!n) {
		free(name);
		return NULL;
	}
	n->name = name;
	return n;
}

static struct node *parse_postfix(struct parser *ps)
{
	struct node *n = parse_primary(ps);
	while (n && !ps->err) {
		enum node_kind kind;
		if (accept(ps, "."))
			kind = N_MEMBER;
		else if (accept(ps, "->"))
			kind = N_ARROW;
		else if (accept(ps, "["))
			kind = N_INDEX;
		else
			break;
		struct node *m = new_node(ps, kind);
		if (!m)
			return NULL;
		m->a = n;
		if (kind == N_INDEX) {
			m->b = parse_expr(ps, 0);
			if (!accept(ps, "]"))
				syntax(ps, "expected ']'");
		} else if (!(m->name = read_ident(ps))) {
			syntax(ps, "expected a member name");
		}
		n = m;
	}
	return ps->err ? NULL : n;
}

static struct node *parse_sizeof(struct parser *ps)
{
	const char *save = ps->p;
	const struct cor_type *type;
	if (accept(ps, "(") && try_type(ps, &type)) {
		if (!accept(ps, ")")) {
			syntax(ps, "expected ')'");
			return NULL;
		}
		struct node *n = new_node(ps, N_SIZEOF_TYPE);
		if (n)
			n->type = type;
		return n;
	}
	ps->p = save;
	struct node *n = new_node(ps, N_SIZEOF_EXPR);
	if (n)
		n->a = parse_unary(ps);
	return ps->err ? NULL : n;
}

static struct node *parse_unary(struct parser *ps)
{
	if (++ps->depth > EXPR_MAX_DEPTH) {
		syntax(ps, "nested too deep");
		return NULL;
	}
	struct node *n = NULL;
	static const char ops[] = "-~!*&";
	skip_ws(ps);
	const char *save = ps->p;
	const struct cor_type *type;
	if (*ps->p && strchr(ops, *ps->p) && ps->p[1] != '>' &&
	    !(ps->p[0] == '&' && ps->p[1] == '&')) {
		int op = *ps->p++;
		n = new_node(ps, N_UNARY);
		if (n) {
			n->op = op;
			n->a = parse_unary(ps);
		}
	} else if (strncmp(ps->p, "sizeof", 6) == 0 && !isalnum((unsigned char)ps->p[6]) &&
		   ps->p[6] != '_') {
		ps->p += 6;
		n = parse_sizeof(ps);
	} else if (accept(ps, "(") && try_type(ps, &type)) {
		accept(ps, ")");
		n = new_node(ps, N_CAST);
		if (n) {
			n->type = type;
			n->a = parse_unary(ps);
		}
	} else {
		ps->p = save;
		n = parse_postfix(ps);
	}
	ps->depth--;
	return ps->err ? NULL : n;
}

static const struct {
	const char *tok;
	int op, prec;
} binops[] = {
    {"||", OP_OR, 1},  {"&&", OP_AND, 2}, {"|", '|', 3},    {"^", '^', 4},    {"&", '&', 5},
    {"==", OP_EQ, 6},  {"!=", OP_NE, 6},  {"<=", OP_LE, 7}, {">=", OP_GE, 7}, {"<<", OP_SHL, 8},
    {">>", OP_SHR, 8}, {"<", '<', 7},	  {">", '>', 7},    {"+", '+', 9},    {"-", '-', 9},
    {"*", '*', 10},    {"/", '/', 10},	  {"%", '%', 10},
};

static struct node *parse_expr(struct parser *ps, int min_prec)
{
	if (++ps->depth > EXPR_MAX_DEPTH) {
		syntax(ps, "nested too deep");
		return NULL;
	}
	struct node *lhs = parse_unary(ps);
	while (lhs && !ps->err) {
		size_t i;
		skip_ws(ps);
		/* The longest operator at the cursor ("||" not "|"), then its precedence. */
		for (i = 0; i < COR_ARRAY_SIZE(binops); i++)
			if (strncmp(ps->p, binops[i].tok, strlen(binops[i].tok)) == 0)
				break;
		if (i == COR_ARRAY_SIZE(binops) || binops[i].prec < min_prec)
			break;
		ps->p += strlen(binops[i].tok);
		struct node *n = new_node(ps, N_BINARY);
		if (!n)
			break;
		n->op = binops[i].op;
		n->a = lhs;
		n->b = parse_expr(ps, binops[i].prec + 1);
		lhs = n;
	}
	ps->depth--;
	return ps->err ? NULL : lhs;
}

struct cor_error *cor_expr_parse(struct cor_types *types, const char *text, struct cor_expr **ret)
{
	struct cor_expr *e = calloc(1, sizeof(*e));
	if (!e)
		return &cor_enomem;
	e->nodes = calloc(EXPR_MAX_NODES, sizeof(*e->nodes));
	e->text = strdup(text);
	if (!e->nodes || !e->text) {
		cor_expr_destroy(e);
		return &cor_enomem;
	}
	struct parser ps = {.types = types, .expr = e, .s = e->text, .p = e->text};
	e->root = parse_expr(&ps, 0);
	skip_ws(&ps);
	if (!ps.err && *ps.p)
		syntax(&ps, "unexpected text");
	if (!ps.err && !e->root)
		syntax(&ps, "empty expression");
	if (ps.err) {
		cor_expr_destroy(e);
		return ps.err;
	}
	*ret = e;
	return NULL;
}

void cor_expr_destroy(struct cor_expr *expr)
{
	if (!expr)
		return;
	for (size_t i = 0; i < expr->nnodes; i++) {
		free(expr->nodes[i]->name);
		free(expr->nodes[i]);
	}
	free(expr->nodes);
	free(expr->text);
	free(expr);
}

/* ---- evaluation ---- */

struct eval {
	struct cor_program *prog;
	struct cor_types *types;
	int cpu;
};

static struct cor_error *eval(struct eval *ev, const struct node *n, struct cor_value *v);

static struct cor_error *strip(struct eval *ev, const struct cor_type *t,
			       const struct cor_type **ret)
{
	return cor_types_strip(ev->types, t, ret);
}

static struct cor_error *untyped_error(const struct cor_value *v, const char *what)
{
	const char *name = v->symbol ? v->symbol : "value";
	return cor_error_create(COR_ERR_INVALID, "%s: no type information (%s); try p (TYPE)%s%s%s",
				name, v->why ? v->why : "unknown type", name, what ? ": " : "",
				what ? what : "");
}

static struct cor_error *percpu_error(const struct cor_value *v)
{
	const char *name = v->symbol ? v->symbol : "value";
	return cor_error_create(COR_ERR_INVALID,
				"%s is a per-cpu variable: use p -c CPU %s, or per_cpu(%s, CPU)",
				name, name, name);
}

static uint64_t sign_extend(uint64_t v, unsigned bits)
{
	if (bits == 0 || bits >= 64)
		return v;
	uint64_t m = 1ull << (bits - 1);
	v &= (m << 1) - 1;
	return (v ^ m) - m;
}

/* Truncates (and sign-extends) @p v to scalar type @p t (stripped). */
static uint64_t fit(const struct cor_type *t, uint64_t v)
{
	if (t->kind == COR_TYPE_POINTER || t->size >= 8 || t->size == 0)
		return v;
	if (t->is_bool)
		return v != 0;
	v &= (1ull << (8 * t->size)) - 1;
	return t->is_signed ? sign_extend(v, (unsigned)(8 * t->size)) : v;
}

static bool is_scalar(const struct cor_type *t)
{
	return t->kind == COR_TYPE_INT || t->kind == COR_TYPE_ENUM || t->kind == COR_TYPE_POINTER;
}

struct cor_error *cor_value_scalar(struct cor_program *prog, const struct cor_value *v,
				   uint64_t *ret)
{
	struct cor_types *types;
	const struct cor_type *t;
	struct cor_error *err;
	if (!v->type)
		return untyped_error(v, NULL);
	if ((err = cor_program_types(prog, &types)) || (err = cor_types_strip(types, v->type, &t)))
		return err;
	if (!is_scalar(t))
		return cor_error_create(COR_ERR_INVALID, "not a scalar value");
	if (!v->lvalue) {
		*ret = fit(t, v->scalar);
		return NULL;
	}
	uint8_t buf[16] = {0};
	uint64_t raw = 0;
	if (v->bit_size) {
		size_t nbytes = (v->bit_offset + v->bit_size + 7) / 8;
		if (nbytes > 8 || v->bit_size > 64)
			return cor_error_create(COR_ERR_UNSUPPORTED,
						"bit-field wider than 64 bits");
		if ((err = cor_program_read(prog, v->addr, buf, nbytes)))
			return err;
		for (size_t i = 0; i < nbytes; i++)
			raw |= (uint64_t)buf[i] << (8 * i);
		raw >>= v->bit_offset;
		if (v->bit_size < 64)
			raw &= (1ull << v->bit_size) - 1;
		*ret = t->is_signed ? sign_extend(raw, v->bit_size) : raw;
		return NULL;
	}
	if (t->size == 0 || t->size > 8)
		return cor_error_create(COR_ERR_UNSUPPORTED, "scalar of %llu bytes",
					(unsigned long long)t->size);
	if ((err = cor_program_read(prog, v->addr, buf, t->size)))
		return err;
	for (size_t i = 0; i < t->size; i++)
		raw |= (uint64_t)buf[i] << (8 * i);
	*ret = fit(t, raw);
	return NULL;
}

static struct cor_error *make_int(struct eval *ev, uint64_t val, uint64_t size, bool is_signed,
				  struct cor_value *v)
{
	const struct cor_type *t;
	struct cor_error *err = cor_types_int(ev->types, size, is_signed, &t);
	if (err)
		return err;
	memset(v, 0, sizeof(*v));
	v->type = t;
	v->scalar = fit(t, val);
	return NULL;
}

/* An rvalue for arithmetic: arrays and functions decay to pointers. */
static struct cor_error *rvalue(struct eval *ev, struct cor_value *v, const struct cor_type **st)
{
	if (v->percpu)
		return percpu_error(v);
	if (!v->type)
		return untyped_error(v, NULL);
	struct cor_error *err = strip(ev, v->type, st);
	if (err)
		return err;
	const struct cor_type *t = *st;
	if (t->kind == COR_TYPE_ARRAY || t->kind == COR_TYPE_FUNCTION) {
		if (!v->lvalue)
			return cor_error_create(COR_ERR_INVALID, "array value not in memory");
		const struct cor_type *p;
		if ((err = cor_types_pointer_to(
			 ev->types, t->kind == COR_TYPE_ARRAY ? t->target : t->ref, &p)))
			return err;
		uint64_t addr = v->addr;
		memset(v, 0, sizeof(*v));
		v->type = *st = p;
		v->scalar = addr;
		return NULL;
	}
	if (!is_scalar(t))
		return cor_error_create(COR_ERR_INVALID, "a %s is not a number",
					t->kind == COR_TYPE_UNION ? "union" : "struct");
	uint64_t val;
	if ((err = cor_value_scalar(ev->prog, v, &val)))
		return err;
	const struct cor_type *type = v->type;
	memset(v, 0, sizeof(*v));
	v->type = type;
	v->scalar = val;
	return NULL;
}

static struct cor_error *eval_ident(struct eval *ev, const struct node *n, struct cor_value *v)
{
	struct cor_global g;
	memset(v, 0, sizeof(*v));
	struct cor_error *err = cor_program_global(ev->prog, n->name, &g);
	if (cor_error_is(err, COR_ERR_NOT_FOUND)) {
		int64_t val;
		const struct cor_type *en;
		struct cor_error *err2 = cor_types_enumerator(ev->types, n->name, &val, &en);
		if (!err2) {
			cor_error_destroy(err);
			v->type = en;
			v->scalar = (uint64_t)val;
			return NULL;
		}
		cor_error_destroy(err2);
	}
	if (err)
		return err;
	v->lvalue = true;
	v->addr = g.addr;
	v->type = g.type;
	v->why = g.why;
	v->symbol = g.name;
	if (g.percpu) {
		if (ev->cpu < 0)
			v->percpu = true;
		else if ((err = cor_program_percpu_addr(ev->prog, g.addr, (unsigned)ev->cpu,
							&v->addr)))
			return err;
	}
	return NULL;
}

/* v is a struct/union lvalue: v becomes its member @p name. */
static struct cor_error *member_of(struct eval *ev, struct cor_value *v, const char *name)
{
	const struct cor_type *t;
	struct cor_member_result r;
	if (v->percpu)
		return percpu_error(v);
	if (!v->type)
		return untyped_error(v, NULL);
	struct cor_error *err = strip(ev, v->type, &t);
	if (err)
		return err;
	if (t->kind != COR_TYPE_STRUCT && t->kind != COR_TYPE_UNION)
		return cor_error_create(COR_ERR_INVALID,
					"request for member %s in something not a "
					"struct or union",
					name);
	if (!v->lvalue)
		return cor_error_create(COR_ERR_INVALID, "struct value not in memory");
	if ((err = cor_types_member(ev->types, t, name, &r)))
		return err;
	v->addr += r.bit_offset / 8;
	v->bit_offset = (uint32_t)(r.bit_offset % 8);
	v->bit_size = r.bit_size;
	v->type = r.type;
	v->symbol = NULL;
	return NULL;
}

/* v is a pointer rvalue: v becomes the object it points to. */
static struct cor_error *deref(struct eval *ev, struct cor_value *v)
{
	const struct cor_type *t, *target, *st;
	struct cor_error *err = rvalue(ev, v, &t);
	if (err)
		return err;
	if (t->kind != COR_TYPE_POINTER)
		return cor_error_create(COR_ERR_INVALID,
					"attempt to take contents of a non-pointer "
					"value");
	if ((err = cor_types_get(ev->types, t->target, &target)) || (err = strip(ev, target, &st)))
		return err;
	if (st->kind == COR_TYPE_VOID)
		return cor_error_create(COR_ERR_INVALID,
					"attempt to take contents of a void pointer "
					"(cast it first)");
	uint64_t addr = v->scalar;
	memset(v, 0, sizeof(*v));
	v->lvalue = true;
	v->addr = addr;
	v->type = target;
	return NULL;
}

static struct cor_error *elem_size(struct eval *ev, cor_type_ref ref, uint64_t *size)
{
	const struct cor_type *t;
	struct cor_error *err = cor_types_get(ev->types, ref, &t);
	if (err)
		return err;
	const struct cor_type *st;
	if ((err = strip(ev, t, &st)))
		return err;
	if (st->kind == COR_TYPE_VOID) {
		*size = 1; /* GNU C: arithmetic on void * counts bytes */
		return NULL;
	}
	return cor_types_sizeof(ev->types, t, size);
}

static struct cor_error *eval_index(struct eval *ev, const struct node *n, struct cor_value *v)
{
	struct cor_value idx;
	const struct cor_type *t, *it;
	struct cor_error *err;
	uint64_t i, esize, off;
	if ((err = eval(ev, n->a, v)) || (err = eval(ev, n->b, &idx)) ||
	    (err = rvalue(ev, &idx, &it)))
		return err;
	i = idx.scalar;
	if ((err = rvalue(ev, v, &t)))
		return err;
	if (t->kind != COR_TYPE_POINTER)
		return cor_error_create(COR_ERR_INVALID,
					"cannot subscript something that is not an "
					"array or pointer");
	if ((err = elem_size(ev, t->target, &esize)))
		return err;
	off = i * esize; /* wraps for negative indexes, as C does */
	v->scalar += off;
	return deref(ev, v);
}

static struct cor_error *eval_unary(struct eval *ev, const struct node *n, struct cor_value *v)
{
	const struct cor_type *t;
	struct cor_error *err = eval(ev, n->a, v);
	if (err)
		return err;
	if (n->op == '*')
		return deref(ev, v);
	if (n->op == '&') {
		if (!v->lvalue)
			return cor_error_create(COR_ERR_INVALID,
						"attempt to take address of a value "
						"not in memory");
		if (v->bit_size)
			return cor_error_create(COR_ERR_INVALID, "attempt to take address of a "
								 "bit-field");
		const struct cor_type *p;
		if ((err = cor_types_pointer_to(ev->types, v->type ? v->type->ref : 0, &p)))
			return err;
		uint64_t addr = v->addr;
		memset(v, 0, sizeof(*v));
		v->type = p;
		v->scalar = addr;
		return NULL;
	}
	if ((err = rvalue(ev, v, &t)))
		return err;
	if (t->kind == COR_TYPE_POINTER && n->op != '!')
		return cor_error_create(COR_ERR_INVALID, "bad operand of unary %c", n->op);
	bool is_signed = t->is_signed;
	uint64_t size = COR_MAX(t->size, 4); /* integer promotion */
	if (t->size < 4)
		is_signed = true;
	uint64_t r = n->op == '-' ? -v->scalar : n->op == '~' ? ~v->scalar : !v->scalar;
	if (n->op == '!')
		return make_int(ev, r, 4, true, v);
	return make_int(ev, r, size, is_signed, v);
}

static struct cor_error *eval_cast(struct eval *ev, const struct node *n, struct cor_value *v)
{
	const struct cor_type *target, *vt;
	struct cor_error *err = eval(ev, n->a, v);
	if (err || (err = strip(ev, n->type, &target)))
		return err;
	if (v->percpu)
		return percpu_error(v);
	bool reinterpret = !v->type || target->kind == COR_TYPE_STRUCT ||
			   target->kind == COR_TYPE_UNION || target->kind == COR_TYPE_ARRAY;
	if (reinterpret) {
		/* gdb's rule for a symbol without debug information, and our
		 * extension for objects: view the memory as the new type. */
		if (!v->lvalue || v->bit_size)
			return cor_error_create(COR_ERR_INVALID,
						"invalid cast: the value is not in "
						"memory");
		v->type = n->type;
		v->why = NULL;
		v->symbol = NULL;
		return NULL;
	}
	if (target->kind == COR_TYPE_VOID) {
		memset(v, 0, sizeof(*v));
		v->type = n->type;
		return NULL;
	}
	if (!is_scalar(target))
		return cor_error_create(COR_ERR_INVALID, "invalid cast");
	if ((err = rvalue(ev, v, &vt)))
		return err;
	uint64_t val = fit(target, v->scalar);
	memset(v, 0, sizeof(*v));
	v->type = n->type;
	v->scalar = val;
	return NULL;
}

static struct cor_error *arith(struct eval *ev, int op, struct cor_value *a,
			       const struct cor_type *ta, struct cor_value *b,
			       const struct cor_type *tb, struct cor_value *v)
{
	uint64_t size = COR_MAX(COR_MAX(ta->size, tb->size), 4);
	bool is_unsigned = (ta->size == size && !ta->is_signed && ta->kind != COR_TYPE_POINTER) ||
			   (tb->size == size && !tb->is_signed && tb->kind != COR_TYPE_POINTER);
	uint64_t x = a->scalar, y = b->scalar, r;
	switch (op) {
	case '+':
		r = x + y;
		break;
	case '-':
		r = x - y;
		break;
	case '*':
		r = x * y;
		break;
	case '/':
	case '%':
		if (y == 0)
			return cor_error_create(COR_ERR_INVALID, "division by zero");
		if (is_unsigned)
			r = op == '/' ? x / y : x % y;
		else if ((int64_t)y == -1)
			r = op == '/' ? -x : 0;
		else
			r = op == '/' ? (uint64_t)((int64_t)x / (int64_t)y)
				      : (uint64_t)((int64_t)x % (int64_t)y);
		break;
	case OP_SHL:
		r = y >= 64 ? 0 : x << y;
		break;
	case OP_SHR:
		r = y >= 64 ? 0 : is_unsigned ? x >> y : (uint64_t)((int64_t)x >> y);
		break;
	case '&':
		r = x & y;
		break;
	case '|':
		r = x | y;
		break;
	case '^':
		r = x ^ y;
		break;
	default: {
		bool lt = is_unsigned ? x < y : (int64_t)x < (int64_t)y;
		bool gt = is_unsigned ? x > y : (int64_t)x > (int64_t)y;
		r = op == '<'	  ? lt
		    : op == '>'	  ? gt
		    : op == OP_LE ? !gt
		    : op == OP_GE ? !lt
		    : op == OP_EQ ? x == y
				  : x != y;
		return make_int(ev, r, 4, true, v);
	}
	}
	return make_int(ev, r, size, !is_unsigned, v);
}

static struct cor_error *pointer_arith(struct eval *ev, int op, struct cor_value *a,
				       const struct cor_type *ta, struct cor_value *b,
				       const struct cor_type *tb, struct cor_value *v)
{
	uint64_t esize;
	struct cor_error *err;
	if (ta->kind == COR_TYPE_POINTER && tb->kind == COR_TYPE_POINTER && op == '-') {
		if ((err = elem_size(ev, ta->target, &esize)))
			return err;
		int64_t d = (int64_t)(a->scalar - b->scalar) / (int64_t)(esize ? esize : 1);
		return make_int(ev, (uint64_t)d, 8, true, v);
	}
	if (tb->kind == COR_TYPE_POINTER && op == '+')
		return pointer_arith(ev, op, b, tb, a, ta, v);
	if (ta->kind != COR_TYPE_POINTER || tb->kind == COR_TYPE_POINTER ||
	    (op != '+' && op != '-'))
		return cor_error_create(COR_ERR_INVALID, "invalid pointer arithmetic");
	if ((err = elem_size(ev, ta->target, &esize)))
		return err;
	uint64_t off = b->scalar * esize;
	*v = *a;
	v->scalar = op == '+' ? a->scalar + off : a->scalar - off;
	return NULL;
}

static struct cor_error *eval_binary(struct eval *ev, const struct node *n, struct cor_value *v)
{
	struct cor_value a, b;
	const struct cor_type *ta, *tb;
	struct cor_error *err;
	if ((err = eval(ev, n->a, &a)) || (err = rvalue(ev, &a, &ta)))
		return err;
	if (n->op == OP_AND || n->op == OP_OR) {
		bool x = a.scalar != 0;
		if ((n->op == OP_AND && !x) || (n->op == OP_OR && x))
			return make_int(ev, x, 4, true, v);
		if ((err = eval(ev, n->b, &b)) || (err = rvalue(ev, &b, &tb)))
			return err;
		return make_int(ev, b.scalar != 0, 4, true, v);
	}
	if ((err = eval(ev, n->b, &b)) || (err = rvalue(ev, &b, &tb)))
		return err;
	bool ptr = ta->kind == COR_TYPE_POINTER || tb->kind == COR_TYPE_POINTER;
	bool cmp = n->op == '<' || n->op == '>' || n->op == OP_LE || n->op == OP_GE ||
		   n->op == OP_EQ || n->op == OP_NE;
	if (ptr && !cmp)
		return pointer_arith(ev, n->op, &a, ta, &b, tb, v);
	return arith(ev, n->op, &a, ta, &b, tb, v);
}

static struct cor_error *eval_num(struct eval *ev, const struct node *n, struct cor_value *v)
{
	if (n->num_char)
		return make_int(ev, n->num, 1, true, v);
	/* C11 6.4.4.1: the first of int, (hex/octal: unsigned int), long,
	 * (hex/octal or too large: unsigned long) that holds the value. */
	bool u = n->num_unsigned;
	if (!n->num_long && n->num <= (u ? UINT32_MAX : INT32_MAX))
		return make_int(ev, n->num, 4, !u, v);
	if (!n->num_long && !u && n->num_radix && n->num <= UINT32_MAX)
		return make_int(ev, n->num, 4, false, v);
	return make_int(ev, n->num, 8, !u && n->num <= INT64_MAX, v);
}

static struct cor_error *eval_percpu(struct eval *ev, const struct node *n, struct cor_value *v)
{
	struct cor_value cpu;
	const struct cor_type *t;
	struct cor_error *err;
	int save = ev->cpu;
	if ((err = eval(ev, n->b, &cpu)) || (err = rvalue(ev, &cpu, &t)))
		return err;
	if (cpu.scalar > 1u << 20)
		return cor_error_create(COR_ERR_INVALID, "bad cpu %lld", (long long)cpu.scalar);
	ev->cpu = (int)cpu.scalar;
	err = eval(ev, n->a, v);
	ev->cpu = save;
	if (!err)
		v->symbol = NULL; /* not a plain symbol any more: "$N = " */
	return err;
}

static struct cor_error *eval(struct eval *ev, const struct node *n, struct cor_value *v)
{
	struct cor_error *err;
	uint64_t size;
	switch (n->kind) {
	case N_NUM:
		return eval_num(ev, n, v);
	case N_IDENT:
		return eval_ident(ev, n, v);
	case N_MEMBER:
		if ((err = eval(ev, n->a, v)))
			return err;
		return member_of(ev, v, n->name);
	case N_ARROW:
		if ((err = eval(ev, n->a, v)) || (err = deref(ev, v)))
			return err;
		return member_of(ev, v, n->name);
	case N_INDEX:
		return eval_index(ev, n, v);
	case N_UNARY:
		return eval_unary(ev, n, v);
	case N_BINARY:
		return eval_binary(ev, n, v);
	case N_CAST:
		return eval_cast(ev, n, v);
	case N_SIZEOF_TYPE:
		if ((err = cor_types_sizeof(ev->types, n->type, &size)))
			return err;
		return make_int(ev, size, 8, false, v);
	case N_SIZEOF_EXPR:
		if ((err = eval(ev, n->a, v)))
			return err;
		if (!v->type)
			return untyped_error(v, NULL);
		if ((err = cor_types_sizeof(ev->types, v->type, &size)))
			return err;
		return make_int(ev, size, 8, false, v);
	case N_PERCPU:
		return eval_percpu(ev, n, v);
	}
	return cor_error_create(COR_ERR_INVALID, "bad expression node");
}

struct cor_error *cor_expr_eval(struct cor_program *prog, const struct cor_expr *expr, int cpu,
				struct cor_value *ret)
{
	struct eval ev = {.prog = prog, .cpu = cpu};
	struct cor_error *err = cor_program_types(prog, &ev.types);
	if (err)
		return err;
	struct cor_value v;
	if ((err = eval(&ev, expr->root, &v)))
		return err;
	if (v.lvalue && v.type) {
		uint64_t size;
		if (!(err = cor_types_sizeof(ev.types, v.type, &size)) && size > EXPR_MAX_OBJECT)
			err = cor_error_create(COR_ERR_INVALID, "object of %llu bytes is too large",
					       (unsigned long long)size);
		if (cor_error_is(err,
				 COR_ERR_NOT_FOUND)) /* incomplete types: print the error later */
			cor_error_destroy(err), err = NULL;
		if (err)
			return err;
	}
	*ret = v;
	return NULL;
}

struct cor_error *cor_program_eval(struct cor_program *prog, const char *text, int cpu,
				   struct cor_value *ret)
{
	struct cor_types *types;
	struct cor_expr *expr;
	struct cor_error *err = cor_program_types(prog, &types);
	if (err || (err = cor_expr_parse(types, text, &expr)))
		return err;
	err = cor_expr_eval(prog, expr, cpu, ret);
	cor_expr_destroy(expr);
	return err;
}
