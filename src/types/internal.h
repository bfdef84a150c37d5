/* SPDX-License-Identifier: MIT */
/* Internals of src/types/: the type collection and its sources. */
#ifndef CORONER_TYPES_INTERNAL_H
#define CORONER_TYPES_INTERNAL_H

#include "coroner/base.h"
#include "coroner/types_model.h"

struct btf;
struct cor_dwarf;

/* Reference encoding: BTF ids as they are (0 = void), synthesized types and
 * DWARF DIE offsets in their own ranges. */
#define REF_SYNTH_BASE	(2ull << 60)
#define REF_DWARF_BASE	(1ull << 62)
#define REF_IS_SYNTH(r) (((r) & (3ull << 60)) == REF_SYNTH_BASE)
#define REF_IS_DWARF(r) (((r)&REF_DWARF_BASE) != 0)

/* Bound on chains of typedefs/qualifiers and on nesting of anonymous members:
 * real kernels stay far below; garbage data must not loop. */
#define TYPES_MAX_DEPTH 64
/* Bound on the types visited by one recursive walk (alignment, member search). */
#define TYPES_MAX_WORK 100000

/* One BTF: the kernel's (prefix 0) or a module's split BTF. */
struct btf_src {
	struct btf *btf;
	uint32_t n;	 /* btf__type_cnt(): valid ids are below */
	uint32_t base_n; /* ids below are the base BTF's (0 for the base itself) */
	uint64_t prefix; /* (index + 1) << 32 for module k, 0 for the base */
	char *module;	 /* module name (modules only) */
};
#define TYPES_MAX_MODULE_BTF 512

struct cor_types {
	struct btf *btf;
	uint32_t btf_n; /* btf__type_cnt(): ids 0..btf_n-1 */
	/* Modules' split BTF. */
	struct btf_src *mods;
	uint32_t nmods;
	/* ref -> struct cor_type * (several refs may share one object). */
	struct cor_hmap cache;
	/* Every allocation to free: types, member/enumerator arrays, strings. */
	struct cor_vec allocs;
	/* BTF name indexes (name -> id), built on first lookup. */
	bool indexed;
	struct cor_hmap tags;  /* struct/union/enum (complete first) */
	struct cor_hmap plain; /* typedef, int, float */
	struct cor_hmap vars;  /* BTF VAR (per-cpu variables in 6.1) */
	struct cor_hmap funcs; /* BTF FUNC */
	bool enums_indexed;
	struct cor_hmap enumerators; /* name -> (enum ref) */
	/* Synthesized pointer / array types: key -> ref. */
	struct cor_hmap synth_ptr;
	uint64_t next_synth;
	struct cor_type void_type;
	/* DWARF source (src/types/dwarf.c), or NULL. */
	struct cor_dwarf *dwarf;
	/* Why the collection is empty (set by its loader), or NULL. */
	char *missing_reason;
};

/* Remembers @p p to free it at cor_types_destroy(). Frees it and fails on ENOMEM. */
struct cor_error *types_track(struct cor_types *types, void *p) COR_MUST_CHECK;
/* Allocates a zeroed, tracked block. */
struct cor_error *types_alloc(struct cor_types *types, size_t size, void **ret) COR_MUST_CHECK;
/* Registers @p t under @p ref in the cache. */
struct cor_error *types_cache_put(struct cor_types *types, cor_type_ref ref,
				  struct cor_type *t) COR_MUST_CHECK;

/* btf.c: converts BTF type @p id into a new model type (tracked, cached). */
struct cor_error *btf_convert(struct cor_types *types, cor_type_ref ref,
			      const struct cor_type **ret) COR_MUST_CHECK;
/* btf.c: a struct/union/enum (@p kw) or typedef/base type (kw NULL) of a module's BTF. */
struct cor_error *btf_find_module_type(struct cor_types *types, const char *kw, const char *name,
				       cor_type_ref *ret) COR_MUST_CHECK;
/* btf.c: builds the BTF name indexes. */
struct cor_error *btf_build_index(struct cor_types *types) COR_MUST_CHECK;
/* btf.c: the type of BTF VAR @p name (NOT_FOUND if none). Needs the index. */
struct cor_error *btf_var_type(struct cor_types *types, const char *name,
			       cor_type_ref *ret) COR_MUST_CHECK;
/* btf.c: builds the enumerator index. */
struct cor_error *btf_build_enum_index(struct cor_types *types) COR_MUST_CHECK;

/* dwarf.c */
void cor_dwarf_destroy(struct cor_dwarf *d);
struct cor_error *cor_dwarf_convert(struct cor_types *types, cor_type_ref ref,
				    const struct cor_type **ret) COR_MUST_CHECK;
/* A named type from DWARF: @p kw "struct"/"union"/"enum", or NULL for a
 * typedef or base type name. NOT_FOUND if DWARF has none. */
struct cor_error *cor_dwarf_find_type(struct cor_types *types, const char *kw, const char *name,
				      const struct cor_type **ret) COR_MUST_CHECK;
/* The type of the global variable @p name defined in DWARF. */
struct cor_error *cor_dwarf_var_type(struct cor_types *types, const char *name,
				     cor_type_ref *ret) COR_MUST_CHECK;

#endif
