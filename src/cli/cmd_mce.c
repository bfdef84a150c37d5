// SPDX-License-Identifier: MIT
// `mce`: decode machine checks from raw register values, kernel log lines or
// mcelog text (a file or stdin), or the kernel log of a dump.
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "coroner/dump.h"
#include "coroner/mce.h"
#include "coroner/mce_dump.h"
#include "coroner/printk.h"
#include "coroner/program.h"
#include "coroner/symbols.h"
#include "coroner/types.h"

#define MCE_USAGE                                                                                  \
	"usage: mce [--json] [--status X [--mcgstatus X] [--mcgcap X] [--addr X] [--misc X] "      \
	"[--ipid X] [--bank N] [--cpu N] [--cs X]] [--family F --model M [--stepping S] | "        \
	"--cpuid EAX] [--vendor intel|amd] [FILE|-|DUMP]"
#define MCE_MAX_INPUT (256u << 20)

struct mce_opts {
	struct cor_mce_record raw; /* register values given on the command line */
	bool json;
	bool have_family, have_model;
	uint32_t family, model, stepping;
};

enum {
	OPT_STATUS = 256,
	OPT_MCGSTATUS,
	OPT_MCGCAP,
	OPT_ADDR,
	OPT_MISC,
	OPT_IPID,
	OPT_BANK,
	OPT_CPU,
	OPT_CS,
	OPT_FAMILY,
	OPT_MODEL,
	OPT_STEPPING,
	OPT_CPUID,
	OPT_VENDOR,
	OPT_JSON,
	OPT_HELP,
};

static const char mce_help[] =
    "Decode machine-check records bit by bit: raw register values, kernel log lines\n"
    "or mcelog text (FILE, or - for standard input), or a dump (its kernel log and\n"
    "the kernel's per-cpu struct mce records).\n\n"
    "  --status X      IA32_MCi_STATUS (hex)       --mcgstatus X  IA32_MCG_STATUS\n"
    "  --mcgcap X      IA32_MCG_CAP                --addr X / --misc X  MCi_ADDR / MCi_MISC\n"
    "  --ipid X        AMD MCA_IPID (bank type)    --bank N / --cpu N   (decimal)\n"
    "  --cs X          CS of the interrupted context (ring 3 = user)\n"
    "  --family F --model M [--stepping S]   e.g. --family 6 --model 1AH (or 0x1a, 26)\n"
    "  --cpuid EAX     CPUID(1).EAX signature, as after PROCESSOR v: in the log\n"
    "  --vendor intel|amd\n"
    "  --json          JSON: {\"source\", \"memory\", \"records\": [...]}\n"
    "With FILE or DUMP, the CPU and register options fill in what the text lacks.\n";

/* "0x1a", "1ah"/"1AH" (the SDM's spelling) are hex; plain digits are decimal. */
static struct cor_error *parse_fm(const char *s, uint32_t *ret)
{
	char tmp[32];
	size_t n = strlen(s);
	bool hex = n > 1 && (s[n - 1] == 'h' || s[n - 1] == 'H');
	if (n == 0 || n >= sizeof(tmp))
		return cor_error_create(COR_ERR_INVALID, "invalid family/model '%s'", s);
	memcpy(tmp, s, n + 1);
	if (hex)
		tmp[n - 1] = 0;
	uint64_t v;
	struct cor_error *err = cor_parse_u64(tmp, hex, &v);
	if (!err && v > 0xff)
		err = cor_error_create(COR_ERR_INVALID, "family/model '%s' out of range", s);
	if (!err)
		*ret = (uint32_t)v;
	return err;
}

static struct cor_error *parse_u32(const char *s, bool hex, uint32_t *ret)
{
	uint64_t v;
	struct cor_error *err = cor_parse_u64(s, hex, &v);
	if (!err && v > UINT32_MAX)
		err = cor_error_create(COR_ERR_INVALID, "'%s' out of range", s);
	if (!err)
		*ret = (uint32_t)v;
	return err;
}

static struct cor_error *set_u64(struct cor_mce_record *r, const char *arg, uint64_t *dst,
				 uint32_t flag)
{
	struct cor_error *err = cor_parse_u64(arg, true, dst);
	if (!err)
		r->have |= flag;
	return err;
}

static struct cor_error *apply_opt(struct mce_opts *o, int c, const char *arg)
{
	struct cor_mce_record *r = &o->raw;
	uint32_t v;
	struct cor_error *err = NULL;
	switch (c) {
	case OPT_STATUS:
		return set_u64(r, arg, &r->status, COR_MCE_HAVE_STATUS);
	case OPT_MCGSTATUS:
		return set_u64(r, arg, &r->mcgstatus, COR_MCE_HAVE_MCGSTATUS);
	case OPT_MCGCAP:
		return set_u64(r, arg, &r->mcgcap, COR_MCE_HAVE_MCGCAP);
	case OPT_ADDR:
		return set_u64(r, arg, &r->addr, COR_MCE_HAVE_ADDR);
	case OPT_MISC:
		return set_u64(r, arg, &r->misc, COR_MCE_HAVE_MISC);
	case OPT_IPID:
		return set_u64(r, arg, &r->ipid, COR_MCE_HAVE_IPID);
	case OPT_BANK:
		err = parse_u32(arg, false, &r->bank);
		r->have |= COR_MCE_HAVE_BANK;
		return err;
	case OPT_CPU:
		err = parse_u32(arg, false, &r->cpu);
		r->have |= COR_MCE_HAVE_CPU;
		return err;
	case OPT_CS:
		if (!(err = parse_u32(arg, true, &v)) && v <= 0xffff) {
			r->cs = (uint16_t)v;
			r->have |= COR_MCE_HAVE_CS;
		}
		return err;
	case OPT_FAMILY:
		o->have_family = true;
		return parse_fm(arg, &o->family);
	case OPT_MODEL:
		o->have_model = true;
		return parse_fm(arg, &o->model);
	case OPT_STEPPING:
		return parse_u32(arg, false, &o->stepping);
	case OPT_CPUID:
		if (!(err = parse_u32(arg, true, &v)))
			cor_mce_record_set_cpuid(r, v);
		return err;
	case OPT_VENDOR:
		if (strcasecmp(arg, "intel") == 0)
			r->vendor = COR_MCE_VENDOR_INTEL;
		else if (strcasecmp(arg, "amd") == 0 || strcasecmp(arg, "hygon") == 0)
			r->vendor = COR_MCE_VENDOR_AMD;
		else
			return cor_error_create(COR_ERR_INVALID, "unknown vendor '%s'", arg);
		r->have |= COR_MCE_HAVE_VENDOR;
		return NULL;
	}
	return cor_error_create(COR_ERR_INVALID, "bad option");
}

/* Fills what the text did not say (CPU model, MCG_CAP, vendor) from the options. */
static void apply_defaults(const struct mce_opts *o, struct cor_mce_record *r)
{
	const struct cor_mce_record *raw = &o->raw;
	if (!(r->have & COR_MCE_HAVE_CPUID) && (raw->have & COR_MCE_HAVE_CPUID)) {
		r->cpuid = raw->cpuid;
		r->family = raw->family;
		r->model = raw->model;
		r->stepping = raw->stepping;
		r->have |= COR_MCE_HAVE_CPUID;
	}
	if (!(r->have & COR_MCE_HAVE_VENDOR) && (raw->have & COR_MCE_HAVE_VENDOR)) {
		r->vendor = raw->vendor;
		r->have |= COR_MCE_HAVE_VENDOR;
	}
	if (!(r->have & COR_MCE_HAVE_MCGCAP) && (raw->have & COR_MCE_HAVE_MCGCAP)) {
		r->mcgcap = raw->mcgcap;
		r->have |= COR_MCE_HAVE_MCGCAP;
	}
	if (!(r->have & COR_MCE_HAVE_IPID) && (raw->have & COR_MCE_HAVE_IPID)) {
		r->ipid = raw->ipid;
		r->have |= COR_MCE_HAVE_IPID;
	}
}

static struct cor_error *read_stream(FILE *f, struct cor_strbuf *sb)
{
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		cor_strbuf_appendn(sb, buf, n);
		if (sb->len > MCE_MAX_INPUT)
			return cor_error_create(COR_ERR_OVERFLOW, "input larger than %u bytes",
						MCE_MAX_INPUT);
	}
	if (ferror(f))
		return cor_error_os(errno, NULL, "reading standard input");
	return cor_strbuf_error(sb);
}

/* The records of a dump: its kernel log, then the struct mce records in memory. */
static struct cor_error *load_dump(const char *path, struct cor_vec *recs, struct cor_strbuf *notes)
{
	struct cor_program *prog;
	struct cor_strbuf text = {0};
	struct cor_vec mem;
	cor_vec_init(&mem, sizeof(struct cor_mce_record));
	struct cor_error *err = cor_program_open(path, NULL, &prog);
	if (err)
		return err;
	err = cor_log_format(prog, COR_LOG_TIMESTAMPS, &text);
	if (err)
		err = cor_error_wrap(err, "reading the kernel log");
	else
		err = cor_mce_parse_log_mem(cor_strbuf_cstr(&text), text.len, recs);
	cor_strbuf_deinit(&text);
	if (!err) {
		struct cor_error *merr = cor_program_mce_records(prog, &mem);
		if (merr)
			cor_strbuf_appendf(notes, "in-memory struct mce records not read: %s\n",
					   merr->message);
		else if (mem.len == 0)
			cor_strbuf_append(notes, "mces_seen is empty on every CPU\n");
		else
			err = cor_mce_merge_memory(recs, &mem, notes);
		cor_error_destroy(merr);
	}
	cor_vec_deinit(&mem);
	cor_program_destroy(prog);
	return err;
}

/* Reads the records of @p arg ("-" = stdin, a dump, or a text file). */
static struct cor_error *load_input(const char *arg, struct cor_vec *recs, struct cor_strbuf *notes,
				    bool *is_dump)
{
	struct cor_strbuf text = {0};
	struct cor_error *err;
	*is_dump = false;
	if (strcmp(arg, "-") == 0) {
		err = read_stream(stdin, &text);
	} else if (cor_dump_file_is_dump(arg)) {
		*is_dump = true;
		return cor_error_wrap(load_dump(arg, recs, notes), "%s", arg);
	} else {
		char *buf;
		size_t len;
		err = cor_read_file(arg, &buf, &len);
		if (!err) {
			cor_strbuf_appendn(&text, buf, len);
			free(buf);
			err = cor_strbuf_error(&text);
		}
	}
	if (!err)
		err = cor_mce_parse_log_mem(cor_strbuf_cstr(&text), text.len, recs);
	cor_strbuf_deinit(&text);
	return err;
}

static void json_string(struct cor_strbuf *sb, const char *s)
{
	cor_strbuf_appendc(sb, '"');
	for (const char *p = s; *p; p++)
		if (*p == '"' || *p == '\\')
			cor_strbuf_appendf(sb, "\\%c", *p);
		else if ((unsigned char)*p >= 0x20)
			cor_strbuf_appendc(sb, *p);
	cor_strbuf_appendc(sb, '"');
}

static void output_head(struct cor_strbuf *sb, const struct mce_opts *o, const char *source,
			bool is_dump, const char *notes)
{
	if (o->json) {
		cor_strbuf_append(sb, "{\"source\":");
		json_string(sb, source);
		cor_strbuf_append(sb, ",\"memory\":[");
		char line[512];
		bool first = true;
		for (const char *p = notes; *p;) {
			size_t n = strcspn(p, "\n");
			snprintf(line, sizeof(line), "%.*s", (int)COR_MIN(n, sizeof(line) - 1), p);
			cor_strbuf_append(sb, first ? "" : ",");
			json_string(sb, line);
			first = false;
			p += n + (p[n] == '\n');
		}
		cor_strbuf_append(sb, "],\"records\":[");
	} else if (is_dump) {
		cor_strbuf_appendf(sb,
				   "source: %s: its kernel log, and the kernel's per-cpu "
				   "struct mce records (mces_seen)\n",
				   source);
		for (const char *p = notes; *p;) {
			size_t n = strcspn(p, "\n");
			cor_strbuf_appendf(sb, "memory: %.*s\n", (int)n, p);
			p += n + (p[n] == '\n');
		}
		cor_strbuf_append(sb, "\n");
	}
}

static int output(struct cor_cli *cli, const struct mce_opts *o, struct cor_vec *recs,
		  const char *source, bool is_dump, const char *notes)
{
	struct cor_strbuf sb = {0};
	struct cor_mce_decoded *d = malloc(sizeof(*d));
	if (!d)
		return cor_cli_fail(&cor_enomem);
	output_head(&sb, o, source, is_dump, notes);
	for (size_t i = 0; i < recs->len; i++) {
		struct cor_mce_record *r = cor_vec_at(recs, i);
		apply_defaults(o, r);
		struct cor_error *err = cor_mce_decode(r, d);
		if (err) {
			free(d);
			cor_strbuf_deinit(&sb);
			return cor_cli_fail(err);
		}
		if (o->json) {
			if (i)
				cor_strbuf_append(&sb, ",");
			cor_mce_render_json(d, &sb);
		} else {
			if (i)
				cor_strbuf_append(&sb, "\n");
			cor_mce_render_text(d, &sb);
		}
	}
	if (o->json)
		cor_strbuf_append(&sb, "]}\n");
	free(d);
	struct cor_error *err = cor_strbuf_error(&sb);
	if (!err)
		fwrite(cor_strbuf_cstr(&sb), 1, sb.len, cli->out);
	cor_strbuf_deinit(&sb);
	return err ? cor_cli_fail(err) : 0;
}

/* Returns 0 to go on, -1 after --help, else the usage error's exit status. */
static int parse_args(struct mce_opts *o, FILE *out, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"status", required_argument, NULL, OPT_STATUS},
	    {"mcgstatus", required_argument, NULL, OPT_MCGSTATUS},
	    {"mcgcap", required_argument, NULL, OPT_MCGCAP},
	    {"addr", required_argument, NULL, OPT_ADDR},
	    {"misc", required_argument, NULL, OPT_MISC},
	    {"ipid", required_argument, NULL, OPT_IPID},
	    {"bank", required_argument, NULL, OPT_BANK},
	    {"cpu", required_argument, NULL, OPT_CPU},
	    {"cs", required_argument, NULL, OPT_CS},
	    {"family", required_argument, NULL, OPT_FAMILY},
	    {"model", required_argument, NULL, OPT_MODEL},
	    {"stepping", required_argument, NULL, OPT_STEPPING},
	    {"cpuid", required_argument, NULL, OPT_CPUID},
	    {"vendor", required_argument, NULL, OPT_VENDOR},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, OPT_HELP},
	    {NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == OPT_JSON) {
			o->json = true;
			continue;
		}
		if (c == OPT_HELP) {
			fprintf(out, "%s\n\n%s", MCE_USAGE, mce_help);
			return -1;
		}
		if (c == '?' || c == ':')
			return cor_cli_usage("mce", MCE_USAGE);
		struct cor_error *err = apply_opt(o, c, optarg);
		if (err) {
			cor_cli_usage("mce", "%s", err->message);
			cor_error_destroy(err);
			return 2;
		}
	}
	if (o->have_family != o->have_model)
		return cor_cli_usage("mce", "--family and --model go together");
	if (o->have_family) {
		o->raw.family = o->family;
		o->raw.model = o->model;
		o->raw.stepping = o->stepping;
		o->raw.have |= COR_MCE_HAVE_CPUID;
	}
	return 0;
}

int cor_cmd_mce(struct cor_cli *cli, int argc, char **argv)
{
	struct mce_opts o = {0};
	int r = parse_args(&o, cli->out, argc, argv);
	if (r)
		return r < 0 ? 0 : r;
	struct cor_vec recs;
	cor_vec_init(&recs, sizeof(struct cor_mce_record));
	if (o.raw.have & COR_MCE_HAVE_STATUS) {
		if (optind < argc)
			return cor_cli_usage("mce", "give either --status or an input, not both");
		struct cor_error *err = cor_vec_push(&recs, &o.raw);
		if (err)
			return cor_cli_fail(err);
		r = output(cli, &o, &recs, "command line", false, "");
		cor_vec_deinit(&recs);
		return r;
	}
	if (optind + 1 != argc)
		return cor_cli_usage("mce", optind >= argc ? "no input (--status, FILE, - or DUMP)"
							   : "one input at a time");
	const char *arg = argv[optind];
	const char *name = strcmp(arg, "-") == 0 ? "standard input" : arg;
	struct cor_strbuf notes = {0};
	bool is_dump;
	struct cor_error *err = load_input(arg, &recs, &notes, &is_dump);
	if (!err && recs.len == 0)
		err = cor_error_create(COR_ERR_NOT_FOUND, "no machine-check records in %s%s%s",
				       name, notes.len ? ": " : "", cor_strbuf_cstr(&notes));
	if (!err)
		r = output(cli, &o, &recs, name, is_dump, cor_strbuf_cstr(&notes));
	cor_strbuf_deinit(&notes);
	cor_vec_deinit(&recs);
	return err ? cor_cli_fail(err) : r;
}
