/* SPDX-License-Identifier: MIT */
/* Internal interface of src/kdumpcheck/. */
#ifndef CORONER_KDUMP_PRIV_H
#define CORONER_KDUMP_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "coroner/kdump_check.h"

/* Reads root+rel (at most size-1 bytes, NUL-terminated); false if it cannot be opened. */
bool kd_read(const char *root, const char *rel, char *buf, size_t size);
/* The value of the last NAME= assignment of a shell-style file, unquoted. */
bool kd_shell_var(const char *text, const char *name, char *out, size_t size);
/* Fills *f from the files under root. */
void kd_read_facts(const char *root, struct cor_kdump_facts *f);

#endif
