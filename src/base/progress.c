// SPDX-License-Identifier: MIT
// Progress formatting: see include/coroner/progress.h.
#include <time.h>

#include "coroner/progress.h"

static void append_duration(struct cor_strbuf *out, double s)
{
	if (s < 0 || s > 1e7)
		s = 0;
	unsigned long t = (unsigned long)(s + 0.5);
	if (t >= 3600)
		cor_strbuf_appendf(out, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
	else
		cor_strbuf_appendf(out, "%lu:%02lu", t / 60, t % 60);
}

void cor_progress_format(struct cor_strbuf *out, uint64_t done, uint64_t total, uint64_t bytes,
			 double elapsed)
{
	double frac = total ? (double)done / (double)total : 1.0;
	if (frac > 1)
		frac = 1;
	double rate = elapsed > 0 ? (double)bytes / elapsed / 1e6 : 0;
	cor_strbuf_appendf(out, "[%5.1f%%] %7.1f MB/s, ", frac * 100, rate);
	if (done >= total) {
		append_duration(out, elapsed);
		cor_strbuf_append(out, " elapsed");
	} else {
		append_duration(out, frac > 0 ? elapsed * (1 - frac) / frac : 0);
		cor_strbuf_append(out, " left");
	}
}

void cor_format_bytes(struct cor_strbuf *out, uint64_t bytes)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)bytes;
	unsigned u = 0;
	while (v >= 1024 && u + 1 < COR_ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		cor_strbuf_appendf(out, "%llu B", (unsigned long long)bytes);
	else
		cor_strbuf_appendf(out, "%.1f %s", v, units[u]);
}

double cor_monotonic_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
