/*
 * fill: give a benchmark guest realistic anonymous memory before it crashes.
 *
 *   fill MIB [TEXT% RANDOM% ZERO%]
 *
 * Maps MIB MiB of private anonymous memory and writes every page, each page
 * one of four kinds (default mix 40/20/15, the rest structured):
 *   text        log-like lines of words and numbers (compresses ~3-4x, as
 *               heap strings, logs and config text do)
 *   random      xorshift64* output (does not compress: encrypted or already
 *               compressed data)
 *   zero        written with zeros so the page is really allocated (a page
 *               only read stays the shared zero page and is not in mem_map
 *               as anonymous memory)
 *   structured  arrays of records: pointer-like values, small counters and
 *               flags, padding (compresses well, as kernel and heap objects)
 * so that a crash dump of the guest carries user pages that are neither all
 * zero nor all random. The kinds are interleaved in runs of 1..16 pages.
 *
 * The memory must stay mapped until the guest crashes: the work is done in a
 * child that then sleeps forever; the parent waits until the child reports
 * the filled counts on a pipe, prints them and exits 0 (1 if the child died
 * or could not map the memory). Standalone on purpose: it runs inside a
 * busybox initramfs and is linked statically (bench/vm/build.sh).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE_SIZE 4096u
#define MAX_RUN	  16u /* longest run of pages of one kind */

enum kind { KIND_TEXT, KIND_RANDOM, KIND_ZERO, KIND_STRUCT, KIND_COUNT };

static const char *const kind_names[KIND_COUNT] = {"text", "random", "zero", "structured"};

/* xorshift64* (Vigna): fast, good enough for content that must not compress */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static const char *const words[] = {
    "kernel", "task",	 "worker",   "request", "session",  "timeout",	"connection", "buffer",
    "cache",  "queue",	 "client",   "server",	"response", "error",	"warning",    "info",
    "debug",  "user",	 "memory",   "disk",	"network",  "the",	"a",	      "of",
    "to",     "and",	 "in",	     "is",	"for",	    "on",	"with",	      "from",
    "was",    "not",	 "retry",    "started", "stopped",  "finished", "failed",     "pid",
    "status", "open",	 "closed",   "read",	"write",    "bytes",	"ms",	      "GET",
    "POST",   "/api/v1", "/var/log", "/etc",	"config",   "value",	"handler",    "lock",
    "thread", "pool",	 "job",	     "id",	"host",	    "port",	"latency",
};

#define NWORDS (sizeof(words) / sizeof(words[0]))

/* one page of log-like text: "<ts> host-<n> <word>[<pid>]: words... key=<n>\n" */
static void fill_text(unsigned char *p, uint64_t *s, uint64_t *clock)
{
	size_t off = 0;

	while (off < PAGE_SIZE) {
		char line[256];
		uint64_t r = rng_next(s);
		int n =
		    snprintf(line, sizeof(line),
			     "%llu.%06llu host-%u %s[%u]:", (unsigned long long)(*clock / 1000000),
			     (unsigned long long)(*clock % 1000000), (unsigned)(r % 8),
			     words[(r >> 8) % NWORDS], (unsigned)((r >> 16) % 32768));
		unsigned nw = 4 + (unsigned)((r >> 32) % 10);

		*clock += 1 + (r >> 40) % 5000;
		for (unsigned i = 0; i < nw && n < (int)sizeof(line) - 40; i++) {
			uint64_t w = rng_next(s);

			if (w % 7 == 0)
				n += snprintf(line + n, sizeof(line) - (size_t)n, " %s=%u",
					      words[(w >> 8) % NWORDS],
					      (unsigned)((w >> 16) % 100000));
			else
				n += snprintf(line + n, sizeof(line) - (size_t)n, " %s",
					      words[(w >> 8) % NWORDS]);
		}
		line[n++] = '\n';
		size_t take = (size_t)n < PAGE_SIZE - off ? (size_t)n : PAGE_SIZE - off;
		memcpy(p + off, line, take);
		off += take;
	}
}

static void fill_random(unsigned char *p, uint64_t *s)
{
	for (size_t i = 0; i < PAGE_SIZE; i += 8) {
		uint64_t v = rng_next(s);
		memcpy(p + i, &v, 8);
	}
}

/* 64-byte records: next/prev pointers into one heap, refcount, flags, id */
static void fill_struct(unsigned char *p, uint64_t *s, uint64_t heap)
{
	for (size_t i = 0; i < PAGE_SIZE; i += 64) {
		uint64_t r = rng_next(s);
		uint64_t rec[8] = {
		    heap + ((r & 0xffff) << 6),
		    heap + (((r >> 16) & 0xffff) << 6),
		    (r >> 32) % 4,
		    (r >> 40) & 0x13,
		    r >> 44,
		    0,
		    (r & 1) ? heap + ((r >> 8) & 0xfff) * 4096 : 0,
		    0,
		};
		memcpy(p + i, rec, sizeof(rec));
	}
}

struct mix {
	unsigned pct[KIND_COUNT];
};

static enum kind pick_kind(const struct mix *mix, uint64_t r)
{
	unsigned x = (unsigned)(r % 100), acc = 0;

	for (int k = 0; k < KIND_COUNT; k++) {
		acc += mix->pct[k];
		if (x < acc)
			return (enum kind)k;
	}
	return KIND_STRUCT;
}

/* Fill pages [0, npages) of mem; counts[kind] receives the pages of each kind. */
static void fill_all(unsigned char *mem, size_t npages, const struct mix *mix,
		     size_t counts[KIND_COUNT])
{
	uint64_t seed = 0x9E3779B97F4A7C15ULL, clock = 1700000000000000ULL;
	uint64_t heap = 0x000055d0c0000000ULL;
	size_t i = 0;

	while (i < npages) {
		uint64_t r = rng_next(&seed);
		enum kind k = pick_kind(mix, r);
		size_t run = 1 + (size_t)((r >> 32) % MAX_RUN);

		for (; run > 0 && i < npages; run--, i++) {
			unsigned char *p = mem + i * PAGE_SIZE;

			switch (k) {
			case KIND_TEXT:
				fill_text(p, &seed, &clock);
				break;
			case KIND_RANDOM:
				fill_random(p, &seed);
				break;
			case KIND_ZERO:
				/* a write fault allocates a (zeroed) page of our own */
				p[0] = 0;
				break;
			default:
				fill_struct(p, &seed, heap);
				break;
			}
			counts[k]++;
		}
	}
}

static int parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max)
		return -1;
	*ret = v;
	return 0;
}

static int parse_args(int argc, char **argv, size_t *mib, struct mix *mix)
{
	unsigned long v, total = 0;

	*mix = (struct mix){{40, 20, 15, 25}};
	if ((argc != 2 && argc != 5) || parse_uint(argv[1], 1ul << 20, &v) || v == 0)
		return -1;
	*mib = v;
	if (argc == 5) {
		for (int k = 0; k < 3; k++) {
			if (parse_uint(argv[2 + k], 100, &v))
				return -1;
			mix->pct[k] = (unsigned)v;
			total += v;
		}
		if (total > 100)
			return -1;
		mix->pct[KIND_STRUCT] = (unsigned)(100 - total);
	}
	return 0;
}

/* Child: map, fill, report on fd, then keep the memory until killed. */
static void child(int fd, size_t mib, const struct mix *mix)
{
	size_t npages = mib * (1024 * 1024 / PAGE_SIZE);
	size_t counts[KIND_COUNT] = {0};
	unsigned char *mem = mmap(NULL, npages * PAGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char msg[256];
	int n;

	if (mem == MAP_FAILED) {
		n = snprintf(msg, sizeof(msg), "fill: mmap %zu MiB: %s\n", mib, strerror(errno));
		(void)!write(fd, msg, (size_t)n);
		_exit(1);
	}
	/* huge pages would make the page mix coarse: keep 4 KiB pages */
	(void)madvise(mem, npages * PAGE_SIZE, MADV_NOHUGEPAGE);
	fill_all(mem, npages, mix, counts);
	n = snprintf(msg, sizeof(msg), "fill: %zu MiB anonymous, pid %d, pages:", mib,
		     (int)getpid());
	for (int k = 0; k < KIND_COUNT; k++)
		n +=
		    snprintf(msg + n, sizeof(msg) - (size_t)n, " %s %zu", kind_names[k], counts[k]);
	msg[n++] = '\n';
	(void)!write(fd, msg, (size_t)n);
	close(fd);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	size_t mib;
	struct mix mix;
	int fds[2];
	char buf[512];
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (parse_args(argc, argv, &mib, &mix)) {
		fprintf(stderr,
			"usage: fill MIB [TEXT%% RANDOM%% ZERO%%]  (the rest: structured)\n");
		return 2;
	}
	if (pipe(fds)) {
		perror("fill: pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("fill: fork");
		return 1;
	}
	if (pid == 0) {
		close(fds[0]);
		child(fds[1], mib, &mix);
	}
	close(fds[1]);
	while (len < sizeof(buf) - 1 && (n = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = 0;
	fputs(buf, stdout);
	/* the child reports "fill: N MiB ..." and stays; an early EOF means it died */
	if (strstr(buf, " MiB anonymous, pid ") == NULL) {
		int status;

		waitpid(pid, &status, WNOHANG);
		fprintf(stderr, "fill: the filling process failed\n");
		return 1;
	}
	return 0;
}
