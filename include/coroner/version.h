/* SPDX-License-Identifier: MIT */
#ifndef CORONER_VERSION_H
#define CORONER_VERSION_H
/** The coroner release. */
#define COR_VERSION "0.1.0"
#endif
