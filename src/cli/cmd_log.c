// SPDX-License-Identifier: MIT
// `log`: the kernel log, as crash's log and makedumpfile --dump-dmesg print it.
#include <getopt.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "coroner/printk.h"

int cor_cmd_log(struct cor_cli *cli, int argc, char **argv)
{
	unsigned flags = COR_LOG_TIMESTAMPS;
	int c;
	while ((c = getopt(argc, argv, "tm")) != -1) {
		switch (c) {
		case 't':
			flags &= ~(unsigned)COR_LOG_TIMESTAMPS;
			break;
		case 'm':
			flags |= COR_LOG_LEVEL;
			break;
		default:
			return cor_cli_usage("log", "usage: log [-t] [-m]");
		}
	}
	struct cor_strbuf sb = {0};
	struct cor_error *err = cor_log_format(cli->prog, flags, &sb);
	if (err) {
		cor_strbuf_deinit(&sb);
		return cor_cli_fail(cor_error_wrap(err, "log"));
	}
	fwrite(cor_strbuf_cstr(&sb), 1, sb.len, cli->out);
	cor_strbuf_deinit(&sb);
	return 0;
}
