// SPDX-License-Identifier: MIT
// The diagnosis engine: gathers the log, system facts and CPU states, runs the
// rules (one per file), and computes the signature. See include/coroner/diag.h.
#include <stdlib.h>
#include <string.h>

#include "coroner/dump.h"
#include "coroner/printk.h"
#include "coroner/program.h"
#include "diag/internal.h"

static struct cor_error *gather(struct diag_ctx *ctx, const char *dump_path)
{
	struct cor_report *rep = ctx->rep;
	struct cor_dump *dump = cor_program_dump(ctx->prog);
	struct cor_error *err = cor_sysinfo_get(ctx->prog, &ctx->si);
	if (err)
		return err;
	diag_set(ctx, &rep->dump_path, "%s", dump_path);
	diag_set(ctx, &rep->dump_format, "%s%s", cor_dump_format_name(dump),
		 cor_dump_is_incomplete(dump) ? ", incomplete" : "");
	diag_set(ctx, &rep->release, "%s", ctx->si.release);
	err = cor_log_format(ctx->prog, COR_LOG_TIMESTAMPS, &ctx->log);
	if (err == &cor_enomem)
		return err;
	if (err) {
		struct cor_finding *f =
		    diag_finding(ctx, "log", COR_SEV_WARNING, "the kernel log cannot be read");
		diag_evidence(ctx, f, "%s", err->message);
		cor_error_destroy(err);
	}
	return cor_logscan_parse_mem(cor_strbuf_cstr(&ctx->log), ctx->log.len, &ctx->ls);
}

struct cor_error *cor_diag_run(struct cor_program *prog, const char *dump_path,
			       struct cor_report **ret)
{
	struct cor_report *rep = calloc(1, sizeof(*rep));
	if (!rep)
		return &cor_enomem;
	rep->panic_cpu = rep->panic_pid = -1;
	cor_vec_init(&rep->findings, sizeof(struct cor_finding));
	struct diag_ctx ctx = {.prog = prog, .rep = rep};
	struct cor_error *err = gather(&ctx, dump_path);
	if (!err) {
		/* Order matters: the panic rule classifies, the others refine. */
		diag_collect_cpus(&ctx);
		diag_rule_panic(&ctx);
		diag_rule_mce(&ctx);
		diag_rule_hwerr(&ctx);
		diag_rule_lockup(&ctx);
		diag_rule_hung_task(&ctx);
		diag_rule_oops(&ctx);
		diag_signature(&ctx);
		err = ctx.err;
	}
	cor_logscan_deinit(&ctx.ls);
	cor_strbuf_deinit(&ctx.log);
	if (err) {
		cor_report_destroy(rep);
		return err;
	}
	*ret = rep;
	return NULL;
}
