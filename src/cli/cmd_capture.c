// SPDX-License-Identifier: MIT
// `coroner capture` (and the binary run as `makedumpfile`): makedumpfile's
// command line, so that kdump-tools can call coroner in its place.
//   capture [-c|-l|-p|-z] [-d LEVEL] [--level N] [--num-threads N] [-f]
//           [-x VMLINUX] [--message-level N] [-E] VMCORE DUMPFILE
//   capture -F [options] VMCORE > STREAM
//   capture -R DUMPFILE < STREAM
//   capture --dump-dmesg VMCORE LOGFILE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "coroner/capture.h"
#include "coroner/printk.h"
#include "coroner/program.h"
#include "coroner/progress.h"
#include "coroner/version.h"

struct capture_args {
	struct cor_capture_options opt;
	bool flattened, rearrange, dump_dmesg, force;
	int message_level;
	const char *vmlinux, *vmcoreinfo;
	const char *in, *out;
	bool level_set;
};

enum {
	OPT_NUM_THREADS = 256,
	OPT_MESSAGE_LEVEL,
	OPT_DUMP_DMESG,
	OPT_LEVEL,
	OPT_IGNORED_ARG,
	OPT_IGNORED,
	OPT_SPLIT,
	OPT_NON_MMAP,
	OPT_HELP,
};

static const struct option long_opts[] = {
    {"num-threads", required_argument, NULL, OPT_NUM_THREADS},
    {"message-level", required_argument, NULL, OPT_MESSAGE_LEVEL},
    {"dump-dmesg", no_argument, NULL, OPT_DUMP_DMESG},
    {"level", required_argument, NULL, OPT_LEVEL},
    /* makedumpfile tuning knobs that mean nothing here: accepted, ignored. */
    {"cyclic-buffer", required_argument, NULL, OPT_IGNORED_ARG},
    {"splitblock-size", required_argument, NULL, OPT_IGNORED_ARG},
    {"work-dir", required_argument, NULL, OPT_IGNORED_ARG},
    {"non-cyclic", no_argument, NULL, OPT_IGNORED},
    {"non-mmap", no_argument, NULL, OPT_NON_MMAP},
    {"split", no_argument, NULL, OPT_SPLIT},
    {"reassemble", no_argument, NULL, OPT_SPLIT},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static int parse_int(const char *cmd, const char *what, const char *s, long lo, long hi, int *ret)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 0);
	if (errno || *end || end == s || v < lo || v > hi)
		return cor_cli_usage(cmd, "bad %s '%s' (%ld..%ld)", what, s, lo, hi);
	*ret = (int)v;
	return 0;
}

static int parse_opt(const char *cmd, int c, struct capture_args *a)
{
	int v;
	switch (c) {
	case 'c':
		a->opt.codec = COR_CODEC_ZLIB;
		return 0;
	case 'l':
		a->opt.codec = COR_CODEC_LZO;
		return 0;
	case 'p':
		a->opt.codec = COR_CODEC_SNAPPY;
		return 0;
	case 'z':
		a->opt.codec = COR_CODEC_ZSTD;
		return 0;
	case 'd':
		a->level_set = true;
		return parse_int(cmd, "dump level", optarg, 0, COR_DL_MAX, &a->opt.dump_level);
	case 'E':
		a->opt.format = COR_CAPTURE_ELF;
		return 0;
	case 'F':
		a->flattened = true;
		return 0;
	case 'R':
		a->rearrange = true;
		return 0;
	case 'f':
		a->force = true;
		return 0;
	case 'x':
		a->vmlinux = optarg;
		return 0;
	case 'i':
		a->vmcoreinfo = optarg;
		return 0;
	case 'D':
		return 0;
	case OPT_NUM_THREADS:
		if (parse_int(cmd, "thread count", optarg, 0, 256, &v))
			return 2;
		a->opt.nthreads = (unsigned)v;
		return 0;
	case OPT_MESSAGE_LEVEL:
		return parse_int(cmd, "message level", optarg, 0, 255, &a->message_level);
	case OPT_DUMP_DMESG:
		a->dump_dmesg = true;
		return 0;
	case OPT_LEVEL:
		/* zstd's fast levels are negative (-7 .. -1); 0 is not a level */
		if (strcmp(optarg, "0") == 0)
			return cor_cli_usage(cmd,
					     "bad compression level '0' (1..22; zstd also -7..-1)");
		return parse_int(cmd, "compression level", optarg, -7, 22, &a->opt.level);
	case OPT_NON_MMAP: /* makedumpfile's: read the input, do not map it */
		a->opt.no_mmap = true;
		return 0;
	case OPT_IGNORED_ARG:
	case OPT_IGNORED:
		return 0;
	case OPT_SPLIT:
		return cor_cli_usage(cmd, "--split/--reassemble are not supported");
	}
	return cor_cli_usage(cmd, "unknown option (see coroner help capture)");
}

static int parse_args(const char *cmd, int argc, char **argv, struct capture_args *a)
{
	*a = (struct capture_args){.message_level = 7};
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	/* Default: one compressor per CPU; inline on one CPU (a capture kernel). */
	a->opt.nthreads = n > 1 ? (unsigned)n : 0;
	int c;
	while ((c = getopt_long(argc, argv, "clpzd:EFRfx:i:Dhv", long_opts, NULL)) != -1) {
		if (c == 'v') {
			/* kdump-tools probes `makedumpfile -v`. */
			printf("coroner capture %s (makedumpfile 1.7.2 command line)\n",
			       COR_VERSION);
			return -1;
		}
		if (c == 'h' || c == OPT_HELP) {
			cor_cli_print_help(stdout, cor_cli_find("capture", COR_CMD_VERB));
			return -1;
		}
		int r = parse_opt(cmd, c, a);
		if (r)
			return r;
	}
	int npos = argc - optind;
	int want = a->rearrange || a->flattened ? 1 : 2;
	if (npos != want)
		return cor_cli_usage(cmd, "expected %s (see coroner help capture)",
				     a->rearrange   ? "DUMPFILE (the stream on stdin)"
				     : a->flattened ? "VMCORE (the stream goes to stdout)"
						    : "VMCORE DUMPFILE");
	if (a->rearrange) {
		a->out = argv[optind];
	} else {
		a->in = argv[optind];
		a->out = a->flattened ? NULL : argv[optind + 1];
	}
	if (a->flattened)
		a->opt.format = COR_CAPTURE_FLATTENED;
	if (a->flattened && isatty(1))
		return cor_cli_usage(cmd, "-F writes the dump to stdout: redirect it");
	if (a->opt.format == COR_CAPTURE_ELF && a->opt.codec != COR_CODEC_NONE)
		return cor_cli_usage(cmd, "-E cannot be combined with -c/-l/-p/-z");
	return 0;
}

/* ---- output file: a temporary name, renamed when whole ---- */

struct outfile {
	char *final, *tmp;
	int fd;
};

static struct cor_error *out_open(const char *path, bool force, struct outfile *o)
{
	*o = (struct outfile){.fd = -1};
	struct stat sb;
	if (!force && stat(path, &sb) == 0)
		return cor_error_create(COR_ERR_INVALID, "%s already exists (use -f to overwrite)",
					path);
	char *d = strdup(path), *b = strdup(path);
	if (!d || !b || asprintf(&o->tmp, "%s/.%s.coroner-XXXXXX", dirname(d), basename(b)) < 0) {
		free(d);
		free(b);
		return &cor_enomem;
	}
	free(d);
	free(b);
	o->final = strdup(path);
	o->fd = o->final ? mkostemp(o->tmp, O_CLOEXEC) : -1;
	if (o->fd < 0) {
		struct cor_error *err = cor_error_os(errno, path, "cannot create %s", o->tmp);
		free(o->tmp);
		free(o->final);
		o->tmp = o->final = NULL;
		return err;
	}
	fchmod(o->fd, 0600);
	return NULL;
}

/* Keeps the file (renamed to its final name) or removes it. */
static struct cor_error *out_close(struct outfile *o, bool keep)
{
	struct cor_error *err = NULL;
	if (o->fd >= 0) {
		if (keep && fsync(o->fd) != 0 && errno != EINVAL)
			err = cor_error_os(errno, o->tmp, "syncing %s", o->tmp);
		if (close(o->fd) != 0 && !err && keep)
			err = cor_error_os(errno, o->tmp, "closing %s", o->tmp);
	}
	if (o->tmp) {
		if (keep && !err && rename(o->tmp, o->final) != 0)
			err = cor_error_os(errno, o->final, "renaming %s to %s", o->tmp, o->final);
		if (!keep || err)
			unlink(o->tmp);
	}
	free(o->tmp);
	free(o->final);
	*o = (struct outfile){.fd = -1};
	return err;
}

/* ---- progress and summary (stderr: stdout may carry the dump) ---- */

static void progress_cb(void *arg, const struct cor_capture_stats *st)
{
	(void)arg;
	struct cor_strbuf sb = {0};
	cor_progress_format(&sb, st->pages_done, st->pages_total, st->bytes_read, st->elapsed);
	fprintf(stderr, "\rcoroner capture: %s   ", cor_strbuf_cstr(&sb));
	if (st->pages_done >= st->pages_total)
		fputc('\n', stderr);
	cor_strbuf_deinit(&sb);
}

static void print_summary(const struct capture_args *a, const struct cor_capture_stats *st)
{
	if (a->message_level == 0)
		return;
	FILE *f = stderr;
	fprintf(f, "Original pages  : 0x%016llx\n", (unsigned long long)st->ram_pages);
	for (int c = 0; c < COR_CLASS_NUM; c++)
		if (st->excluded[c])
			fprintf(f, "  Excluded %-16s: 0x%016llx\n", cor_page_class_name(c),
				(unsigned long long)st->excluded[c]);
	fprintf(f, "  Remaining pages  : 0x%016llx (0x%llx with their data, the others zero)\n",
		(unsigned long long)st->pages_in_dump, (unsigned long long)st->pages_written);
	if (st->ram_pages)
		fprintf(f, "  (The number of pages is reduced to %.0f%%.)\n",
			100.0 * (double)st->pages_in_dump / (double)st->ram_pages);
	struct cor_strbuf sb = {0};
	cor_format_bytes(&sb, st->output_size);
	double ratio =
	    st->output_size ? (double)st->pages_written * 4096 / (double)st->output_size : 0;
	fprintf(f,
		"Output size     : %s (%llu bytes), %.2fx of the kept pages, %.2f s, %.1f MB/s\n",
		cor_strbuf_cstr(&sb), (unsigned long long)st->output_size, ratio, st->elapsed,
		st->elapsed > 0 ? (double)st->bytes_read / st->elapsed / 1e6 : 0.0);
	cor_strbuf_deinit(&sb);
	if (st->excluded[COR_CLASS_UNREADABLE])
		fprintf(f,
			"coroner: %llu pages could not be read from the input (first: pfn "
			"0x%llx): they are missing from the dump, which is flagged incomplete\n",
			(unsigned long long)st->excluded[COR_CLASS_UNREADABLE],
			(unsigned long long)st->first_unreadable_pfn);
}

static int do_rearrange(const struct capture_args *a, const char *cmd)
{
	struct outfile o;
	struct cor_error *err = out_open(a->out, a->force, &o);
	if (err)
		return cor_cli_fail(err);
	err = cor_flat_rearrange(0, o.fd);
	struct cor_error *e2 = out_close(&o, !err);
	if (err || e2) {
		cor_error_destroy(e2);
		return cor_cli_fail(err ? err : e2);
	}
	if (a->message_level)
		fprintf(stderr, "The dumpfile is saved to %s.\n", a->out);
	return 0;
}

static int do_dmesg(struct cor_program *prog, const struct capture_args *a)
{
	struct cor_strbuf sb = {0};
	struct cor_error *err = cor_log_format(prog, COR_LOG_TIMESTAMPS, &sb);
	struct outfile o = {.fd = -1};
	if (!err)
		err = out_open(a->out, a->force, &o);
	if (!err && sb.len && write(o.fd, sb.str, sb.len) != (ssize_t)sb.len)
		err = cor_error_os(errno, a->out, "writing %s", a->out);
	if (o.fd >= 0) {
		struct cor_error *e2 = out_close(&o, !err);
		if (!err)
			err = e2;
		else
			cor_error_destroy(e2);
	}
	cor_strbuf_deinit(&sb);
	if (err)
		return cor_cli_fail(err);
	if (a->message_level)
		fprintf(stderr, "The dmesg log is saved to %s.\n", a->out);
	return 0;
}

/* makedumpfile's "STEP [...] : N seconds" lines, at its report level (16). */
static void step(const struct capture_args *a, const char *what, double t0)
{
	if (a->message_level & 16)
		fprintf(stderr, "STEP [%s] : %.6f seconds\n", what, cor_monotonic_seconds() - t0);
}

static int do_capture(struct cor_program *prog, struct capture_args *a)
{
	struct cor_capture_filter f;
	double t0 = cor_monotonic_seconds();
	struct cor_error *err = cor_capture_classify(prog, a->opt.dump_level, &f);
	if (err)
		return cor_cli_fail(err);
	step(a, "Excluding unnecessary pages", t0);
	if (f.walk_error && a->message_level)
		fprintf(stderr, "coroner: hwpoison and offline pages not looked for: %s\n",
			f.walk_error->message);
	struct outfile o = {.fd = 1};
	/* A reader of the stream that goes away (ssh dropped) is a write error to
	 * report, not a silent death by SIGPIPE. */
	if (a->flattened)
		signal(SIGPIPE, SIG_IGN);
	if (!a->flattened && (err = out_open(a->out, a->force, &o))) {
		cor_capture_filter_deinit(&f);
		return cor_cli_fail(err);
	}
	if (a->message_level && isatty(2)) {
		a->opt.progress = progress_cb;
	}
	struct cor_capture_stats st;
	t0 = cor_monotonic_seconds();
	err = cor_capture_write(prog, &f, &a->opt, o.fd, &st);
	cor_capture_filter_deinit(&f);
	step(a, "Copying data", t0);
	if (!a->flattened) {
		t0 = cor_monotonic_seconds();
		struct cor_error *e2 = out_close(&o, !err);
		if (!err)
			err = e2;
		else
			cor_error_destroy(e2);
		step(a, "Syncing and renaming", t0);
	}
	if (err)
		return cor_cli_fail(err);
	print_summary(a, &st);
	if (st.incomplete && (st.write_errno || !st.excluded[COR_CLASS_UNREADABLE])) {
		fprintf(
		    stderr,
		    "coroner: the dump is INCOMPLETE (%s): %llu pages were written and the dump "
		    "is flagged incomplete; crash and coroner can open it%s%s\n",
		    st.write_errno ? strerror(st.write_errno) : "stopped early",
		    (unsigned long long)st.pages_in_dump, a->out ? ": " : "", a->out ? a->out : "");
		return 1;
	}
	if (a->message_level && a->out)
		fprintf(stderr, "The dumpfile is saved to %s.\n", a->out);
	return 0;
}

int cor_cmd_capture(struct cor_cli *cli, int argc, char **argv)
{
	const char *cmd =
	    strcmp(basename(argv[0]), "makedumpfile") == 0 ? "makedumpfile" : "capture";
	struct capture_args a;
	int r = parse_args(cmd, argc, argv, &a);
	if (r)
		return r < 0 ? 0 : r;
	if (a.rearrange)
		return do_rearrange(&a, cmd);
	struct cor_program *prog;
	double t0 = cor_monotonic_seconds();
	/* -x VMLINUX is accepted but not used: the filter needs only VMCOREINFO, and
	 * a wrong vmlinux must not cost the dump. */
	struct cor_error *err = cor_program_open(a.in, NULL, &prog);
	if (err)
		return cor_cli_fail(err);
	step(&a, "Opening the input", t0);
	if (a.vmcoreinfo && a.message_level)
		fprintf(stderr, "coroner: -i %s ignored: the dump's own VMCOREINFO is used\n",
			a.vmcoreinfo);
	r = a.dump_dmesg ? do_dmesg(prog, &a) : do_capture(prog, &a);
	cor_program_destroy(prog);
	(void)cli;
	return r;
}
