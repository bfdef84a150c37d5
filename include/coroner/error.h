/* SPDX-License-Identifier: MIT */
/**
 * @file error.h
 * The one error object of coroner.
 *
 * A fallible function returns `struct cor_error *`: NULL means success.
 * The caller owns a returned error and frees it with cor_error_destroy();
 * the static sentinels (&cor_enomem, &cor_not_found) are never freed, so
 * cor_error_destroy() may be called on any error.
 */
#ifndef CORONER_ERROR_H
#define CORONER_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#define COR_MUST_CHECK	 __attribute__((warn_unused_result))
#define COR_PRINTF(f, a) __attribute__((format(printf, f, a)))

/** Error codes, one X-macro list. */
#define COR_ERROR_CODES(X)                                                                         \
	X(NOMEM, "out of memory")                                                                  \
	X(OS, "system error")                                                                      \
	X(FAULT, "address not available")                                                          \
	X(CORRUPT, "corrupt data")                                                                 \
	X(UNSUPPORTED, "unsupported")                                                              \
	X(NOT_FOUND, "not found")                                                                  \
	X(INVALID, "invalid argument")                                                             \
	X(TRUNCATED, "truncated")                                                                  \
	X(EXCLUDED, "page excluded from the dump")                                                 \
	X(OVERFLOW, "overflow")                                                                    \
	X(MISMATCH, "mismatch")                                                                    \
	X(STOP, "stopped")

enum cor_error_code {
#define COR_X(name, text) COR_ERR_##name,
	COR_ERROR_CODES(COR_X)
#undef COR_X
	    COR_ERR_NUM_CODES
};

/** An error: code, message and optional errno, path and address. */
struct cor_error {
	enum cor_error_code code;
	/** errno for COR_ERR_OS, else 0. */
	int errnum;
	/** Whether @ref address is meaningful. */
	bool has_address;
	/** The faulting address (virtual or physical, as the message says). */
	uint64_t address;
	/** Path of the file concerned, or NULL. Owned by the error. */
	char *path;
	/** Full message with all context prepended. Owned by the error. */
	char *message;
	/** True for the static sentinels, which are never freed. */
	bool is_static;
};

/** Static out-of-memory error. */
extern struct cor_error cor_enomem;
/** Static generic not-found error (no context). */
extern struct cor_error cor_not_found;

/** Creates an error with a printf-style message. Returns &cor_enomem if allocation fails. */
struct cor_error *cor_error_create(enum cor_error_code code, const char *fmt, ...) COR_PRINTF(2, 3);
/** Like cor_error_create() with a va_list. */
struct cor_error *cor_error_vcreate(enum cor_error_code code, const char *fmt, va_list ap);
/** Creates a COR_ERR_OS error from @p errnum (errno) about @p path (may be NULL). */
struct cor_error *cor_error_os(int errnum, const char *path, const char *fmt, ...) COR_PRINTF(3, 4);
/** Creates an error with @p code about @p address (has_address set). */
struct cor_error *cor_error_at(enum cor_error_code code, uint64_t address, const char *fmt, ...)
    COR_PRINTF(3, 4);
/** Creates a COR_ERR_FAULT error for @p address. */
struct cor_error *cor_error_fault(uint64_t address, const char *fmt, ...) COR_PRINTF(2, 3);
/**
 * Prepends context to @p err ("context: inner message") and returns it.
 * A static sentinel is copied first. @p err NULL returns NULL.
 */
struct cor_error *cor_error_wrap(struct cor_error *err, const char *fmt, ...) COR_PRINTF(2, 3);
/** Frees @p err; NULL and static sentinels are ignored. */
void cor_error_destroy(struct cor_error *err);
/** Name of @p code, e.g. "CORRUPT". */
const char *cor_error_code_name(enum cor_error_code code);
/** True if @p err is non-NULL and has @p code. */
static inline bool cor_error_is(const struct cor_error *err, enum cor_error_code code)
{
	return err && err->code == code;
}

#endif
