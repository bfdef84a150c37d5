/* SPDX-License-Identifier: MIT */
/**
 * @file types_model.h
 * One type model for kernel types, fed by BTF (the dump's own
 * __start_BTF..__stop_BTF, through libbpf) or DWARF (a vmlinux, through
 * elfutils libdw). Types are converted lazily: a type is built the first
 * time it is asked for, and refers to other types by reference
 * (@ref cor_type_ref), resolved with cor_types_get().
 *
 * Ownership: a `struct cor_types` owns every `struct cor_type` it returns;
 * they stay valid (and unchanged) until cor_types_destroy().
 */
#ifndef CORONER_TYPES_MODEL_H
#define CORONER_TYPES_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coroner/base.h"
#include "coroner/error.h"

/**
 * A reference to a type: opaque, stable for the life of the cor_types.
 * 0 is void.
 */
typedef uint64_t cor_type_ref;

/** Kinds of types. Qualifiers are wrapper kinds around their target, as in BTF. */
enum cor_type_kind {
	COR_TYPE_VOID,
	COR_TYPE_INT,	   /**< integers, char and _Bool (see is_signed, is_char, is_bool) */
	COR_TYPE_FLOAT,	   /**< float, double, long double */
	COR_TYPE_POINTER,  /**< target: the pointee */
	COR_TYPE_ARRAY,	   /**< target: the element; nelem elements (0: flexible/unknown) */
	COR_TYPE_STRUCT,   /**< members */
	COR_TYPE_UNION,	   /**< members */
	COR_TYPE_ENUM,	   /**< enumerators; size and is_signed of the underlying integer */
	COR_TYPE_TYPEDEF,  /**< name, target */
	COR_TYPE_FUNCTION, /**< target: return type; members: the parameters (no offsets) */
	COR_TYPE_CONST,	   /**< target */
	COR_TYPE_VOLATILE, /**< target */
};

/** A member of a struct or union, or a parameter of a function. */
struct cor_member {
	/** Name, or NULL for an anonymous struct/union member (or unnamed parameter). */
	const char *name;
	/** Offset from the start of the containing struct, in bits. */
	uint64_t bit_offset;
	/** Width of a bit-field in bits, or 0 for an ordinary member. */
	uint32_t bit_size;
	cor_type_ref type;
};

/** An enumerator. */
struct cor_enumerator {
	const char *name;
	/** The value; for an unsigned enum, the bit pattern (cast to uint64_t). */
	int64_t value;
};

/** A type. All pointers are owned by the cor_types. */
struct cor_type {
	enum cor_type_kind kind;
	/** This type's own reference. */
	cor_type_ref ref;
	/** Name without "struct "/"union "/"enum ", or NULL if anonymous. */
	const char *name;
	/** Size in bytes (0 for void, functions and incomplete types). */
	uint64_t size;
	/** INT/ENUM: signed. */
	bool is_signed;
	/** INT: a character type (char, signed char, unsigned char). */
	bool is_char;
	/** INT: _Bool. */
	bool is_bool;
	/** STRUCT/UNION/ENUM: a forward declaration without a definition. */
	bool incomplete;
	/** FUNCTION: takes "..." after its parameters. */
	bool variadic;
	/** POINTER, ARRAY, TYPEDEF, FUNCTION, CONST, VOLATILE: the referenced type. */
	cor_type_ref target;
	/** ARRAY: number of elements. */
	uint64_t nelem;
	/** STRUCT/UNION/FUNCTION: members (parameters), in declaration order. */
	struct cor_member *members;
	uint32_t nmembers;
	/** ENUM: enumerators. */
	struct cor_enumerator *enumerators;
	uint32_t nenumerators;
};

struct cor_types;

/**
 * Creates an empty type collection; add sources with cor_types_add_btf_mem()
 * and/or cor_types_add_dwarf(). Free with cor_types_destroy().
 */
struct cor_error *cor_types_create(struct cor_types **ret) COR_MUST_CHECK;
/** Frees @p types and every type it returned; NULL does nothing. */
void cor_types_destroy(struct cor_types *types);

/**
 * Validates a raw BTF blob (header, then every section offset and length,
 * then libbpf's own checks) without keeping it. The memory entry point of
 * the BTF parser, for fuzzing. CORRUPT names the first problem found.
 */
struct cor_error *cor_btf_parse_mem(const void *data, size_t len) COR_MUST_CHECK;
/**
 * Adds the kernel's BTF (vmlinux BTF, not split BTF) from @p len bytes at
 * @p data (copied). Fails with CORRUPT on an invalid blob. Only one base BTF
 * per collection (INVALID on a second one).
 */
struct cor_error *cor_types_add_btf_mem(struct cor_types *types, const void *data,
					size_t len) COR_MUST_CHECK;
/**
 * Records why @p types has no source (e.g. "the dump has no BTF: ..."), for
 * error messages; @p reason is copied; NULL clears it.
 */
void cor_types_set_missing_reason(struct cor_types *types, const char *reason);
/** The reason set by cor_types_set_missing_reason(), or NULL (borrowed). */
const char *cor_types_missing_reason(const struct cor_types *types);
/**
 * Adds module @p module's split BTF (its own types over the kernel's; @p data
 * copied). Needs the kernel's BTF first. CORRUPT on an invalid blob. Named
 * lookups try the kernel's types, then each module's in the order added.
 */
struct cor_error *cor_types_add_module_btf_mem(struct cor_types *types, const char *module,
					       const void *data, size_t len) COR_MUST_CHECK;
/** Number of module BTFs added. */
uint32_t cor_types_module_btf_count(const struct cor_types *types);
/** True if a base BTF was added. */
bool cor_types_has_btf(const struct cor_types *types);
/** Number of BTF types (ids 1..n-1 are valid), 0 without BTF. */
uint32_t cor_types_btf_count(const struct cor_types *types);
/** The reference of BTF type @p id (no check that it exists). */
cor_type_ref cor_types_btf_ref(uint32_t id);

/**
 * Adds the DWARF of the ELF file at @p path (a vmlinux with debug info).
 * DWARF then comes first for named types and global variables; BTF, if
 * loaded, fills in what DWARF lacks. NOT_FOUND if the file has no DWARF.
 */
struct cor_error *cor_types_add_dwarf(struct cor_types *types, const char *path) COR_MUST_CHECK;
/** True if DWARF was added. */
bool cor_types_has_dwarf(const struct cor_types *types);
/**
 * The source file and line of the code at @p addr (a link-time address of
 * the DWARF's file, i.e. without KASLR). *file is borrowed until @p types is
 * destroyed. NOT_FOUND without DWARF or line information for @p addr.
 */
struct cor_error *cor_types_source_line(struct cor_types *types, uint64_t addr, const char **file,
					int *line) COR_MUST_CHECK;

/**
 * Resolves @p ref to its type, converting it on first use. CORRUPT if the
 * source data is inconsistent (bad ids, loops), NOT_FOUND for a reference
 * no source knows.
 */
struct cor_error *cor_types_get(struct cor_types *types, cor_type_ref ref,
				const struct cor_type **ret) COR_MUST_CHECK;
/**
 * Looks a type up by its C spelling: "struct task_struct", "union x",
 * "enum pid_type", a typedef ("pid_t", "seqlock_t"), a base type
 * ("unsigned long", "long unsigned int", "char", "_Bool"), optionally
 * followed by pointer stars and array bounds ("struct rq *", "char [16]",
 * "unsigned long[8]"). Complete definitions win over forward declarations.
 * NOT_FOUND names the type.
 */
struct cor_error *cor_types_find(struct cor_types *types, const char *name,
				 const struct cor_type **ret) COR_MUST_CHECK;
/**
 * Like cor_types_find() but for a type name at the start of @p s: on
 * success *len_ret is the number of characters consumed (a type name ends
 * where the declarator syntax ends: "struct rq *)0x..." consumes "struct rq *").
 * NOT_FOUND when @p s does not start with a known type name.
 */
struct cor_error *cor_types_parse_name(struct cor_types *types, const char *s,
				       const struct cor_type **ret, size_t *len_ret) COR_MUST_CHECK;
/** A pointer to @p target (found or synthesized). */
struct cor_error *cor_types_pointer_to(struct cor_types *types, cor_type_ref target,
				       const struct cor_type **ret) COR_MUST_CHECK;
/** An array of @p nelem elements of @p elem (found or synthesized). */
struct cor_error *cor_types_array_of(struct cor_types *types, cor_type_ref elem, uint64_t nelem,
				     const struct cor_type **ret) COR_MUST_CHECK;
/**
 * Synthesizes an anonymous struct of @p size bytes with @p n members
 * (copied; names must outlive @p types, e.g. string literals). For types that
 * no source describes, such as a static variable's anonymous struct.
 */
struct cor_error *cor_types_make_struct(struct cor_types *types, const struct cor_member *members,
					uint32_t n, uint64_t size,
					const struct cor_type **ret) COR_MUST_CHECK;
/** Makes @p types free the malloc'ed @p p when destroyed (frees it at once on failure). */
struct cor_error *cor_types_keep(struct cor_types *types, void *p) COR_MUST_CHECK;
/**
 * The type of global variable @p name from the sources' variable records
 * (DWARF when loaded; BTF VARs, which 6.1 emits for per-cpu variables only).
 * @p symtype is the symbol's nm letter ('T'/'t' asks for a function).
 * NOT_FOUND when no source has it.
 */
struct cor_error *cor_types_global_type(struct cor_types *types, const char *name, char symtype,
					cor_type_ref *ret) COR_MUST_CHECK;
/** An integer type of @p size bytes and signedness (found or synthesized), for literals. */
struct cor_error *cor_types_int(struct cor_types *types, uint64_t size, bool is_signed,
				const struct cor_type **ret) COR_MUST_CHECK;

/**
 * Follows typedefs and qualifiers (bounded) to the underlying type. On a
 * loop or bad reference returns CORRUPT.
 */
struct cor_error *cor_types_strip(struct cor_types *types, const struct cor_type *type,
				  const struct cor_type **ret) COR_MUST_CHECK;
/** Size in bytes of @p type through typedefs, qualifiers and arrays. */
struct cor_error *cor_types_sizeof(struct cor_types *types, const struct cor_type *type,
				   uint64_t *ret) COR_MUST_CHECK;
/** Alignment of @p type in bytes (as the x86-64 ABI lays it out; 1 when unknown). */
uint64_t cor_types_alignof(struct cor_types *types, const struct cor_type *type);

/** Result of a member lookup. */
struct cor_member_result {
	/** Offset of the member from the start of the outer type, in bits. */
	uint64_t bit_offset;
	/** Bit-field width, or 0. */
	uint32_t bit_size;
	/** The member's type. */
	const struct cor_type *type;
};
/**
 * Finds @p path ("a", "a.b.c", "a[2].b") in struct/union @p type (typedefs
 * and qualifiers followed), descending into anonymous members. NOT_FOUND
 * says which component is missing.
 */
struct cor_error *cor_types_member(struct cor_types *types, const struct cor_type *type,
				   const char *path, struct cor_member_result *ret) COR_MUST_CHECK;
/**
 * Finds an enumerator by name in any enum. On success *value_ret is its
 * value and, if @p enum_ret is non-NULL, *enum_ret the enum type.
 */
struct cor_error *cor_types_enumerator(struct cor_types *types, const char *name,
				       int64_t *value_ret,
				       const struct cor_type **enum_ret) COR_MUST_CHECK;

/**
 * Appends the C spelling of @p type with an optional declarator @p name
 * ("struct rq *", "char comm[16]", "void (*fn)(int)") to @p sb, with base types
 * in gdb's spelling ("unsigned long" for gcc's "long unsigned int").
 */
void cor_types_format_decl(struct cor_types *types, const struct cor_type *type, const char *name,
			   struct cor_strbuf *sb);

#endif
