// SPDX-License-Identifier: MIT
// The error object: see include/coroner/error.h.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coroner/error.h"

struct cor_error cor_enomem = {
    .code = COR_ERR_NOMEM,
    .message = (char *)"out of memory",
    .is_static = true,
};

struct cor_error cor_not_found = {
    .code = COR_ERR_NOT_FOUND,
    .message = (char *)"not found",
    .is_static = true,
};

static const char *const code_names[] = {
#define COR_X(name, text) #name,
    COR_ERROR_CODES(COR_X)
#undef COR_X
};

const char *cor_error_code_name(enum cor_error_code code)
{
	if ((unsigned)code >= COR_ERR_NUM_CODES)
		return "UNKNOWN";
	return code_names[code];
}

struct cor_error *cor_error_vcreate(enum cor_error_code code, const char *fmt, va_list ap)
{
	struct cor_error *err = calloc(1, sizeof(*err));
	if (!err)
		return &cor_enomem;
	err->code = code;
	if (vasprintf(&err->message, fmt, ap) < 0) {
		free(err);
		return &cor_enomem;
	}
	return err;
}

struct cor_error *cor_error_create(enum cor_error_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct cor_error *err = cor_error_vcreate(code, fmt, ap);
	va_end(ap);
	return err;
}

struct cor_error *cor_error_os(int errnum, const char *path, const char *fmt, ...)
{
	char *what = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&what, fmt, ap);
	va_end(ap);
	if (r < 0)
		return &cor_enomem;
	struct cor_error *err;
	if (path)
		err = cor_error_create(COR_ERR_OS, "%s: %s: %s", path, what, strerror(errnum));
	else
		err = cor_error_create(COR_ERR_OS, "%s: %s", what, strerror(errnum));
	free(what);
	if (err == &cor_enomem)
		return err;
	err->errnum = errnum;
	if (path) {
		err->path = strdup(path);
		if (!err->path) {
			cor_error_destroy(err);
			return &cor_enomem;
		}
	}
	return err;
}

struct cor_error *cor_error_at(enum cor_error_code code, uint64_t address, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct cor_error *err = cor_error_vcreate(code, fmt, ap);
	va_end(ap);
	if (err != &cor_enomem) {
		err->has_address = true;
		err->address = address;
	}
	return err;
}

struct cor_error *cor_error_fault(uint64_t address, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct cor_error *err = cor_error_vcreate(COR_ERR_FAULT, fmt, ap);
	va_end(ap);
	if (err != &cor_enomem) {
		err->has_address = true;
		err->address = address;
	}
	return err;
}

struct cor_error *cor_error_wrap(struct cor_error *err, const char *fmt, ...)
{
	if (!err || err == &cor_enomem)
		return err;
	if (err->is_static) {
		struct cor_error *copy = cor_error_create(err->code, "%s", err->message);
		if (copy == &cor_enomem)
			return copy;
		err = copy;
	}
	char *ctx = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&ctx, fmt, ap);
	va_end(ap);
	if (r < 0)
		return err; /* keep the inner error rather than lose it */
	char *msg = NULL;
	if (asprintf(&msg, "%s: %s", ctx, err->message) >= 0) {
		free(err->message);
		err->message = msg;
	}
	free(ctx);
	return err;
}

void cor_error_destroy(struct cor_error *err)
{
	if (!err || err->is_static)
		return;
	free(err->message);
	free(err->path);
	free(err);
}
