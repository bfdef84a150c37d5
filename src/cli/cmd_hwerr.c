// SPDX-License-Identifier: MIT
// `hwerr`: hardware-error records of a kernel log (a file, stdin, or the log
// of a dump): PCIe AER, APEI/GHES, NMI reasons, EDAC, and the machine checks
// that include/coroner/mce.h decodes, counted per component.
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "coroner/dump.h"
#include "coroner/hwerr.h"
#include "coroner/mce.h"
#include "coroner/printk.h"
#include "coroner/program.h"

#define USAGE "usage: hwerr [--json] [-v] [--no-mce] [-k VMLINUX] FILE|-|DUMP"

static struct cor_error *read_stream(FILE *f, struct cor_strbuf *sb)
{
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		cor_strbuf_appendn(sb, buf, n);
	if (ferror(f))
		return cor_error_os(errno, NULL, "reading standard input");
	return cor_strbuf_error(sb);
}

static struct cor_error *load_text(const char *arg, const char *vmlinux, struct cor_strbuf *text)
{
	if (strcmp(arg, "-") == 0)
		return read_stream(stdin, text);
	if (cor_dump_file_is_dump(arg)) {
		struct cor_program *prog;
		struct cor_error *err = cor_program_open(arg, vmlinux, &prog);
		if (err)
			return err;
		err = cor_log_format(prog, COR_LOG_TIMESTAMPS, text);
		cor_program_destroy(prog);
		return err ? cor_error_wrap(err, "reading the kernel log") : NULL;
	}
	char *buf;
	size_t len;
	struct cor_error *err = cor_read_file(arg, &buf, &len);
	if (err)
		return err;
	cor_strbuf_appendn(text, buf, len);
	free(buf);
	return cor_strbuf_error(text);
}

static enum cor_hwerr_class mce_class(enum cor_mce_severity sev)
{
	switch (sev) {
	case COR_MCE_SEV_CORRECTED:
	case COR_MCE_SEV_DEFERRED:
		return COR_HWERR_CORRECTED;
	case COR_MCE_SEV_UCNA:
	case COR_MCE_SEV_SRAO:
	case COR_MCE_SEV_SRAR:
		return COR_HWERR_RECOVERABLE;
	case COR_MCE_SEV_FATAL:
		return COR_HWERR_FATAL;
	default:
		return COR_HWERR_INFO;
	}
}

/* Machine checks of the log, decoded by the mce layer, counted with the rest. */
static struct cor_error *add_mces(const struct cor_strbuf *text, struct cor_hwerr_log *log)
{
	struct cor_vec recs;
	cor_vec_init(&recs, sizeof(struct cor_mce_record));
	struct cor_error *err =
	    cor_mce_parse_kernel_log_mem(cor_strbuf_cstr(text), text->len, &recs);
	struct cor_mce_decoded *d = err ? NULL : malloc(sizeof(*d));
	if (!err && !d)
		err = &cor_enomem;
	for (size_t i = 0; !err && i < recs.len; i++) {
		const struct cor_mce_record *m = cor_vec_at(&recs, i);
		if (cor_mce_decode(m, d) != NULL)
			continue; /* no MCi_STATUS: nothing to count */
		struct cor_hwerr_record r = {
		    .source = COR_HWERR_SRC_MCE, .count = 1, .first_error = -1};
		r.cls = mce_class(d->severity);
		r.line = m->line;
		r.nlines = 1;
		r.cpu = (m->have & COR_MCE_HAVE_CPU) ? (int32_t)m->cpu : -1;
		if (m->have & COR_MCE_HAVE_SOCKET)
			snprintf(r.component, sizeof(r.component), "CPU socket %u: %s", m->socket,
				 d->component[0] ? d->component : "machine-check bank");
		else
			snprintf(r.component, sizeof(r.component), "CPU %d bank %u: %s", r.cpu,
				 m->bank, d->component[0] ? d->component : "machine-check bank");
		snprintf(r.summary, sizeof(r.summary), "machine check %s: %s (MCi_STATUS %016llx)",
			 cor_mce_severity_name(d->severity), d->error_class,
			 (unsigned long long)m->status);
		size_t cl = strlen(d->consequence);
		snprintf(r.advice, sizeof(r.advice), "%s%s See `coroner mce` for every bit.",
			 d->consequence, cl && d->consequence[cl - 1] != '.' ? "." : "");
		if (r.cls == COR_HWERR_FATAL && log->ctx.panic_line >= r.line &&
		    strstr(log->ctx.panic, "machine check"))
			r.panicked = true;
		err = cor_hwerr_log_add(log, &r);
	}
	free(d);
	cor_vec_deinit(&recs);
	return err;
}

int cor_cmd_hwerr(struct cor_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {"verbose", no_argument, NULL, 'v'},
					     {"no-mce", no_argument, NULL, 'M'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	bool json = false, mce = true;
	unsigned flags = 0;
	const char *vmlinux = cli->vmlinux;
	int c;
	while ((c = getopt_long(argc, argv, "jvk:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'v':
			flags |= COR_HWERR_RENDER_VERBOSE;
			break;
		case 'M':
			mce = false;
			break;
		case 'k':
			vmlinux = optarg;
			break;
		case 'h':
			cor_cli_print_help(cli->out, cor_cli_find("hwerr", COR_CMD_VERB));
			return 0;
		default:
			return cor_cli_usage("hwerr", USAGE);
		}
	}
	if (optind + 1 != argc)
		return cor_cli_usage("hwerr", USAGE);
	const char *arg = argv[optind];
	struct cor_strbuf text = {0}, out = {0};
	struct cor_hwerr_log log;
	cor_hwerr_log_init(&log);
	struct cor_error *err = load_text(arg, vmlinux, &text);
	if (!err)
		err = cor_hwerr_parse_mem(text.str ? text.str : "", text.len, COR_HWERR_ALL_SOURCES,
					  &log);
	if (!err && mce)
		err = add_mces(&text, &log);
	if (!err) {
		if (json)
			cor_hwerr_render_json(&log, &out);
		else
			cor_hwerr_render_text(&log, flags, &out);
		if (json)
			cor_strbuf_appendc(&out, '\n');
		err = cor_strbuf_error(&out);
	}
	if (!err)
		fwrite(cor_strbuf_cstr(&out), 1, out.len, cli->out);
	cor_strbuf_deinit(&out);
	cor_strbuf_deinit(&text);
	cor_hwerr_log_deinit(&log);
	return err ? cor_cli_fail(cor_error_wrap(err, "hwerr")) : 0;
}
