// SPDX-License-Identifier: MIT
// `kdump-check`: can this machine take a crash dump? Reads /proc, /sys and the
// kdump configuration (or a fake tree with --root); changes nothing. Exit
// status 1 when a check fails, 0 otherwise.
#include <getopt.h>

#include "cli/cli.h"
#include "coroner/kdump_check.h"

#define USAGE "usage: kdump-check [--json] [--root DIR]"

int cor_cmd_kdump_check(struct cor_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {"root", required_argument, NULL, 'r'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *root = "/";
	bool json = false;
	int c;
	while ((c = getopt_long(argc, argv, "jr:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'r':
			root = optarg;
			break;
		case 'h':
			cor_cli_print_help(cli->out, cor_cli_find("kdump-check", COR_CMD_VERB));
			return 0;
		default:
			return cor_cli_usage("kdump-check", USAGE);
		}
	}
	if (optind != argc)
		return cor_cli_usage("kdump-check", USAGE);
	struct cor_kdump_report rep;
	struct cor_error *err = cor_kdump_check_run(root, &rep);
	if (err)
		return cor_cli_fail(cor_error_wrap(err, "kdump-check"));
	struct cor_strbuf out = {0};
	if (json) {
		cor_kdump_render_json(&rep, &out);
		cor_strbuf_appendc(&out, '\n');
	} else {
		cor_kdump_render_text(&rep, &out);
	}
	int failed = 0;
	for (size_t i = 0; i < rep.findings.len; i++)
		failed |=
		    ((const struct cor_kdump_finding *)cor_vec_at(&rep.findings, i))->status ==
		    COR_KDUMP_FAIL;
	err = cor_strbuf_error(&out);
	if (!err)
		fwrite(cor_strbuf_cstr(&out), 1, out.len, cli->out);
	cor_strbuf_deinit(&out);
	cor_kdump_report_deinit(&rep);
	if (err)
		return cor_cli_fail(err);
	return failed ? 1 : 0;
}
