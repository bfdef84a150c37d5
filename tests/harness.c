// SPDX-License-Identifier: MIT
// The test runner: see tests/harness.h.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

struct cor_tctx {
	const struct cor_test *test;
	int failures;
	bool skipped;
	int result_fd;
	char tmpdir[PATH_MAX];
};

/* Registration happens before main() from constructors: a list head is unavoidable. */
static struct cor_test *tests_head;

void cor_test_register(struct cor_test *test)
{
	test->next = tests_head;
	tests_head = test;
}

void cor_test_fail(struct cor_tctx *t, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stdout, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	t->failures++;
}

void cor_test_skip(struct cor_tctx *t, const char *fmt, ...)
{
	va_list ap;
	fprintf(stdout, "    SKIPPED: ");
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	t->skipped = true;
}

int cor_test_failures(const struct cor_tctx *t)
{
	return t->failures;
}

const char *cor_test_top(void)
{
	return COR_TOP_DIR;
}

const char *cor_test_corpus(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("COR_CORPUS");
	if (env && *env)
		snprintf(path, sizeof(path), "%s", env);
	else
		snprintf(path, sizeof(path), "%s/../shared/corpus", COR_TOP_DIR);
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return path;
}

const char *cor_test_build(void)
{
	static char path[PATH_MAX];
	const char *b = getenv("COR_BUILD");
	if (!b || !*b)
		b = "build";
	if (b[0] == '/')
		snprintf(path, sizeof(path), "%s", b);
	else
		snprintf(path, sizeof(path), "%s/%s", COR_TOP_DIR, b);
	return path;
}

const char *cor_test_tmpdir(struct cor_tctx *t)
{
	if (!t->tmpdir[0]) {
		const char *base = getenv("TMPDIR");
		snprintf(t->tmpdir, sizeof(t->tmpdir), "%s/coroner-test-XXXXXX",
			 base ? base : "/tmp");
		if (!mkdtemp(t->tmpdir)) {
			perror("mkdtemp");
			abort();
		}
	}
	return t->tmpdir;
}

char *cor_test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			cap *= 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int cor_test_run(const char *cmd, char **out)
{
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n, p)) > 0) {
		n += r;
		if (n == cap) {
			cap *= 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	int st = pclose(p);
	if (buf)
		buf[n] = '\0';
	if (out)
		*out = buf;
	else
		free(buf);
	if (st == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

enum { RES_PASS = 0, RES_FAIL = 1, RES_SKIP = 2 };

static int run_one(const struct cor_test *test, unsigned timeout)
{
	int pfd[2];
	if (pipe(pfd) != 0)
		return RES_FAIL;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return RES_FAIL;
	if (pid == 0) {
		close(pfd[0]);
		struct cor_tctx t = {.test = test, .result_fd = pfd[1]};
		alarm(timeout);
		test->fn(&t);
		if (t.tmpdir[0]) {
			char cmd[PATH_MAX + 16];
			snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t.tmpdir);
			if (system(cmd) != 0)
				fprintf(stdout, "    (could not remove %s)\n", t.tmpdir);
		}
		char res = t.failures ? RES_FAIL : t.skipped ? RES_SKIP : RES_PASS;
		fflush(stdout);
		if (write(pfd[1], &res, 1) != 1)
			_exit(3);
		_exit(0);
	}
	close(pfd[1]);
	char res = RES_FAIL;
	ssize_t got = read(pfd[0], &res, 1);
	close(pfd[0]);
	int st;
	waitpid(pid, &st, 0);
	if (got != 1) {
		if (WIFSIGNALED(st))
			printf("    died with signal %d%s\n", WTERMSIG(st),
			       WTERMSIG(st) == SIGALRM ? " (timeout)" : "");
		else
			printf("    exited without a result (status %d)\n", WEXITSTATUS(st));
		return RES_FAIL;
	}
	return res;
}

int main(int argc, char **argv)
{
	/* Reverse the registration order so tests run file by file, top to bottom. */
	struct cor_test *rev = NULL;
	while (tests_head) {
		struct cor_test *n = tests_head->next;
		tests_head->next = rev;
		rev = tests_head;
		tests_head = n;
	}
	unsigned timeout = 300;
	const char *env = getenv("COR_TEST_TIMEOUT");
	if (env)
		timeout = (unsigned)atoi(env);
	if (!cor_test_corpus())
		printf("WARNING: ../shared/corpus not found: corpus tests will be SKIPPED\n");
	int passed = 0, failed = 0, skipped = 0;
	for (struct cor_test *test = rev; test; test = test->next) {
		bool selected = argc < 2;
		for (int i = 1; i < argc; i++)
			if (strstr(test->name, argv[i]) || strstr(test->file, argv[i]))
				selected = true;
		if (!selected)
			continue;
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int r = run_one(test, timeout);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		const char *tag = r == RES_PASS ? "PASS" : r == RES_SKIP ? "SKIP" : "FAIL";
		printf("%s %s (%.2fs)\n", tag, test->name, secs);
		fflush(stdout);
		if (r == RES_PASS)
			passed++;
		else if (r == RES_SKIP)
			skipped++;
		else
			failed++;
	}
	if (skipped)
		printf("WARNING: %d test(s) SKIPPED (see SKIPPED lines above)\n", skipped);
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
