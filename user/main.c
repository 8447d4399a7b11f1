// SPDX-License-Identifier: GPL-2.0
/*
 * xdpscope's command line: a table of subcommands (as bpftool's main.c),
 * getopt_long for each. Exit codes: 0 ok, 1 runtime failure, 2 bad usage
 * or config. Messages: one line on stderr; records only on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "config.h"
#include "ifprefix.h"
#include "loader.h"
#include "log.h"
#include "collect.h"
#include "sink.h"
#include "replay.h"
#include "sflow_in.h"
#include "chcmd.h"
#include "run.h"

#define XS_VERSION "0.1.0"

static const char *cmd_name = "";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_err("%s%s%s (see 'xdpscope %s%s--help')", cmd_name, *cmd_name ? ": " : "", buf,
		cmd_name, *cmd_name ? " " : "");
	return XS_EXIT_USAGE;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return log_vprint_lib(level == LIBBPF_DEBUG, fmt, ap);
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	return log_vprint_lib(level == LIBXDP_DEBUG, fmt, ap);
}

/* "1s", "500ms", "2" (seconds) -> milliseconds in [min_ms, 3600000]. */
static int parse_time_ms(const char *s, unsigned long min_ms, unsigned int *ms)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (!strcmp(end, "ms"))
		;
	else if (!strcmp(end, "s") || !*end)
		v = v > 3600000 ? v : v * 1000;
	else
		return -EINVAL;
	if (v < min_ms || v > 3600000)
		return -ERANGE;
	*ms = v;
	return 0;
}

static int parse_interval(const char *s, unsigned int *ms)
{
	return parse_time_ms(s, 10, ms);
}

static int parse_ulong(const char *s, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

/*
 * The sinks' options (sink.h): each sink of the table with an option for
 * this command is one long option, value OPT_SINK + its index.
 */
#define OPT_SINK 0x100

static size_t sink_options(struct option *opts, enum xs_cmd cmd)
{
	size_t i, n = 0;

	for (i = 0; xs_sinks[i]; i++)
		if (xs_sinks[i]->option && (xs_sinks[i]->cmds & cmd))
			opts[n++] = (struct option){ xs_sinks[i]->option, required_argument, NULL,
						     OPT_SINK + (int)i };
	return n;
}

static void sink_help(enum xs_cmd cmd)
{
	char head[64];
	const char *h, *nl;
	size_t i;

	for (i = 0; xs_sinks[i]; i++) {
		if (!xs_sinks[i]->option || !(xs_sinks[i]->cmds & cmd))
			continue;
		snprintf(head, sizeof(head), "--%s %s", xs_sinks[i]->option,
			 xs_sinks[i]->metavar);
		for (h = xs_sinks[i]->help; h; h = nl ? nl + 1 : NULL) {
			nl = strchr(h, '\n');
			printf("      %-22s%.*s\n", head, nl ? (int)(nl - h) : (int)strlen(h), h);
			head[0] = '\0';
		}
	}
}

static void help_run(void)
{
	printf("Usage: xdpscope run -i IFACE [OPTIONS]\n"
	       "\n"
	       "Attach to IFACE and print NDJSON records every interval until SIGINT/SIGTERM.\n"
	       "With no ranges given, the prefixes configured on IFACE are the ranges.\n"
	       "\n"
	       "Options:\n"
	       "  -i, --interface IFACE     interface to attach to (required)\n"
	       "  -c, --config FILE         JSON config (ranges, interval_ms, output, ...)\n"
	       "  -r, --range CIDR[=NAME]   a range (repeatable; same NAME: one range)\n"
	       "  -f, --ranges-file FILE    prefix list, 'CIDR [NAME]' a line, # comments\n"
	       "  -t, --interval TIME       report interval: 1s (default), 500ms, 10s\n"
	       "  -o, --output FILE         append records to FILE instead of stdout\n"
	       "  -e, --egress              also count egress traffic with a TC program\n"
	       "  -m, --xdp-mode MODE       native or generic (default: native, else generic)\n"
	       "      --max-kernel-mem SIZE refuse configs needing more (default 256M)\n"
	       "      --bpf-stats           turn on kernel.bpf_stats_enabled while running and\n"
	       "                            report the programs' ns/packet\n"
	       "      --host NAME           host name in records (default: hostname)\n"
	       "  -n, --count N             stop after N intervals\n");
	sink_help(XS_CMD_RUN);
	printf(
	       "  -v, --verbose             show libbpf/libxdp messages\n"
	       "  -h, --help                this help\n"
	       "\n"
	       "Signals: SIGINT or SIGTERM print the last interval, end active alerts,\n"
	       "detach and remove the pins. SIGHUP reopens the output file and reads the\n"
	       "config again: new ranges, rules and alerts take over without a detach;\n"
	       "kept ranges and baselines go on.\n"
	       "Exit status: 0 ok, 1 runtime failure, 2 bad usage or config.\n"
	       "\n"
	       "Examples:\n"
	       "  xdpscope run -i eth0\n"
	       "  xdpscope run -i eth0 --range 198.18.0.0/24=customer-a --range 2001:db8::/48\n"
	       "  xdpscope run -i eth0 -c /etc/xdpscope.json --egress -o /var/log/xdpscope.ndjson\n");
}

static void help_replay(void)
{
	printf("Usage: xdpscope replay [OPTIONS] FILE\n"
	       "\n"
	       "Run the XDP program (the TC program with --egress) over every frame of a pcap\n"
	       "or pcapng capture (FILE '-': standard input) with BPF_PROG_TEST_RUN and print\n"
	       "the records a live run would have printed, binned by the capture's own\n"
	       "timestamps. No interface is touched. Link types: Ethernet, Linux cooked\n"
	       "(SLL, SLL2) and raw IP. With no ranges given, every IP packet is unmatched.\n"
	       "\n"
	       "Options:\n"
	       "  -c, --config FILE         JSON config (ranges, interval_ms, output, ...)\n"
	       "  -r, --range CIDR[=NAME]   a range (repeatable; same NAME: one range)\n"
	       "  -f, --ranges-file FILE    prefix list, 'CIDR [NAME]' a line, # comments\n"
	       "  -t, --interval TIME       bins of capture time: 1s (default), 500ms, 10s\n"
	       "  -o, --output FILE         append records to FILE instead of stdout\n"
	       "  -e, --egress              a capture taken on egress: run the TC program\n"
	       "      --count-captured-bytes  bytes are the captured length, not the wire length\n"
	       "      --reorder-window TIME hold frames this long (capture time) to put them in\n"
	       "                            timestamp order: 1s (default), 0 to 3600s\n"
	       "      --whole               one interval for the whole capture, whatever its\n"
	       "                            span (ts: its newest frame, interval_s: its span)\n"
	       "      --ifname NAME         \"ifname\" in records (default: FILE's basename)\n"
	       "      --max-kernel-mem SIZE refuse configs needing more (default 256M)\n"
	       "      --host NAME           host name in records (default: hostname)\n");
	sink_help(XS_CMD_REPLAY);
	printf("  -v, --verbose             show libbpf/libxdp messages\n"
	       "  -h, --help                this help\n"
	       "\n"
	       "Examples:\n"
	       "  xdpscope replay capture.pcap\n"
	       "  xdpscope replay --range 198.18.0.0/24=customer-a -t 10s capture.pcapng\n"
	       "  xdpscope replay --whole --range 0.0.0.0/0=all4 attack.pcap\n"
	       "  tcpdump -i eth0 -w - | xdpscope replay -c /etc/xdpscope.json -\n");
}

static void help_collect(void)
{
	printf("Usage: xdpscope collect [OPTIONS] [--sflow [ADDR:]PORT]\n"
	       "\n"
	       "Receive sFlow v5 datagrams from any number of agents (routers, switches) and\n"
	       "run every sampled packet header through the XDP program with\n"
	       "BPF_PROG_TEST_RUN, weighted by its sampling rate: the records of run, from\n"
	       "sampled traffic, every interval of the wall clock. Records carry \"agent\"\n"
	       "(the one agent of the interval, or \"*\"); the summary's \"sflow\" object\n"
	       "says what arrived and what was lost or refused. NetFlow v9 and IPFIX are not\n"
	       "supported yet.\n"
	       "\n"
	       "Options:\n"
	       "      --sflow [ADDR:]PORT   listen for sFlow (default 6343; a bare port: IPv4 and\n"
	       "                            IPv6 sockets; [2001:db8::1]:6343 for one address)\n"
	       "  -c, --config FILE         JSON config (ranges, rules, sflow.agents, ...)\n"
	       "  -r, --range CIDR[=NAME]   a range (repeatable; same NAME: one range)\n"
	       "  -f, --ranges-file FILE    prefix list, 'CIDR [NAME]' a line, # comments\n"
	       "  -t, --interval TIME       record interval: 1s (default), 500ms, 10s\n"
	       "  -o, --output FILE         append records to FILE instead of stdout\n"
	       "  -n, --count N             stop after N intervals\n"
	       "      --max-kernel-mem SIZE refuse configs needing more (default 256M)\n"
	       "      --host NAME           host name in records (default: hostname)\n");
	sink_help(XS_CMD_COLLECT);
	printf("  -v, --verbose             show libbpf/libxdp messages\n"
	       "  -h, --help                this help\n"
	       "\n"
	       "Examples:\n"
	       "  xdpscope collect --sflow 6343 -c /etc/xdpscope.json\n"
	       "  xdpscope collect --sflow [2001:db8::1]:6343 --range 198.18.0.0/24=customer-a\n");
}

static int load_sources(struct xs_config *cfg, const char *config_file, char **range_args,
			int nrange_args, const char *ranges_file)
{
	char err[XS_ERR_LEN];
	int i;

	if (config_file && config_load_json(cfg, config_file, err, sizeof(err)))
		goto bad;
	if (ranges_file && config_load_prefix_file(cfg, ranges_file, err, sizeof(err)))
		goto bad;
	for (i = 0; i < nrange_args; i++)
		if (config_add_range_arg(cfg, range_args[i], err, sizeof(err)))
			goto bad;
	return 0;
bad:
	log_err("%s", err);
	return XS_EXIT_USAGE;
}

/* Options run and replay share: where the ranges come from, the interval,
 * the output, the memory budget, the host name. */
struct shared_opts {
	const char *config_file;
	const char *ranges_file;
	const char *output;
	const char *host;
	char **range_args;		/* room for argc */
	int nrange;
	unsigned int interval_ms;	/* 0: the config's */
	uint64_t max_mem;		/* 0: the config's */
};

#define SHARED_LONG_OPTS                                               \
	{ "config", required_argument, NULL, 'c' },                    \
	{ "range", required_argument, NULL, 'r' },                     \
	{ "ranges-file", required_argument, NULL, 'f' },               \
	{ "interval", required_argument, NULL, 't' },                  \
	{ "output", required_argument, NULL, 'o' },                    \
	{ "max-kernel-mem", required_argument, NULL, 'M' },            \
	{ "host", required_argument, NULL, 'H' },                      \
	{ "verbose", no_argument, NULL, 'v' },                         \
	{ "help", no_argument, NULL, 'h' }
#define SHARED_SHORT_OPTS "c:r:f:t:o:vh"

static int shared_init(struct shared_opts *so, int argc)
{
	memset(so, 0, sizeof(*so));
	so->range_args = calloc(argc, sizeof(char *));
	return so->range_args ? 0 : XS_EXIT_FAIL;
}

/* One of the shared options, or getopt's complaint (':', '?'): 0 when
 * taken, else the exit code of the usage error it printed. */
static int shared_opt(struct shared_opts *so, int c, char **argv)
{
	switch (c) {
	case 'c':
		so->config_file = optarg;
		return 0;
	case 'r':
		so->range_args[so->nrange++] = optarg;
		return 0;
	case 'f':
		so->ranges_file = optarg;
		return 0;
	case 't':
		if (parse_interval(optarg, &so->interval_ms))
			return usage_error("--interval: expected 10ms to 3600s (e.g. 1s, 500ms), "
					   "got \"%s\"", optarg);
		return 0;
	case 'o':
		so->output = optarg;
		return 0;
	case 'M':
		if (parse_size(optarg, &so->max_mem) || !so->max_mem)
			return usage_error("--max-kernel-mem: expected a size such as 64M or 1G, "
					   "got \"%s\"", optarg);
		return 0;
	case 'H':
		so->host = optarg;
		return 0;
	case 'v':
		log_verbose = 1;
		return 0;
	case ':':
		return usage_error("option '%s' needs a value", argv[optind - 1]);
	default:
		return usage_error("unknown option '%s'", argv[optind - 1]);
	}
}

/*
 * The config from the shared options: the config file, prefix list and
 * --range arguments, then (run only: ifname set) the interface's prefixes
 * if that gave no range; validated; the command line's interval, budget
 * and output over the config's.
 */
static int shared_config(struct shared_opts *so, struct xs_config *cfg, const char *ifname)
{
	char err[XS_ERR_LEN];
	int rc;

	rc = load_sources(cfg, so->config_file, so->range_args, so->nrange, so->ranges_file);
	if (rc)
		return rc;
	if (ifname && !cfg->nranges && ifprefix_add(cfg, ifname, err, sizeof(err)) < 0)
		goto bad;
	if (ifname ? config_validate(cfg, err, sizeof(err)) :
		     config_validate_empty_ok(cfg, err, sizeof(err)))
		goto bad;
	if (so->interval_ms)
		cfg->interval_ms = so->interval_ms;
	if (so->max_mem)
		cfg->max_kernel_mem = so->max_mem;
	if (so->output) {
		free(cfg->output_file);
		cfg->output_file = strdup(so->output);
		if (!cfg->output_file)
			return XS_EXIT_FAIL;
	}
	return 0;
bad:
	log_err("%s", err);
	return XS_EXIT_USAGE;
}

/* A command's own options, for parse_cmd: 0 when c was taken, -1 when it
 * is not one of them, else the exit code of the usage error printed. */
typedef int (*own_opt_fn)(int c, void *own);

/*
 * getopt_long over a command's own options (own_short, own_fn) and the
 * shared ones; opts lists both. Returns -1 to go on, with optind at the
 * first argument, or the exit code to return (XS_EXIT_OK after --help).
 */
static int parse_cmd(int argc, char **argv, const struct option *opts, const char *own_short,
		     own_opt_fn own_fn, void *own, void (*help)(void), struct shared_opts *so)
{
	char optstring[64];
	int c, rc;

	snprintf(optstring, sizeof(optstring), ":%s%s", SHARED_SHORT_OPTS, own_short);
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
		if (c == 'h') {
			help();
			return XS_EXIT_OK;
		}
		rc = own_fn(c, own);
		if (rc < 0)
			rc = shared_opt(so, c, argv);
		if (rc)
			return rc;
	}
	return -1;
}

/* A sink's option: checked now, opened with the pipeline. */
static int sink_opt(int c, const char **args)
{
	const struct xs_sink_ops *ops = xs_sinks[c - OPT_SINK];
	char err[XS_ERR_LEN];

	if (ops->check && ops->check(optarg, err, sizeof(err)))
		return usage_error("%s", err);
	args[c - OPT_SINK] = optarg;
	return 0;
}

struct run_own {
	struct xs_run_opts ro;
	const char *sink_args[XS_SINKS_MAX];
};

static int run_opt(int c, void *own)
{
	struct run_own *ow = own;
	struct xs_run_opts *ro = &ow->ro;

	if (c >= OPT_SINK && c < OPT_SINK + XS_SINKS_MAX)
		return sink_opt(c, ow->sink_args);
	switch (c) {
	case 'i':
		ro->ifname = optarg;
		return 0;
	case 'e':
		ro->egress = 1;
		return 0;
	case 'm':
		if (!strcmp(optarg, "native"))
			ro->xdp_mode = XS_XDP_NATIVE;
		else if (!strcmp(optarg, "generic"))
			ro->xdp_mode = XS_XDP_GENERIC;
		else
			return usage_error("--xdp-mode: expected native or generic, got \"%s\"",
					   optarg);
		return 0;
	case 'S':
		ro->bpf_stats = 1;
		return 0;
	case 'n':
		if (parse_ulong(optarg, &ro->max_intervals) || !ro->max_intervals)
			return usage_error("--count: expected a positive integer, got \"%s\"",
					   optarg);
		return 0;
	default:
		return -1;
	}
}

struct reload_ctx {
	struct shared_opts *so;
	const char *ifname;
};

/* SIGHUP: the same sources and command-line overrides as at start. */
static int reload_config(void *ctx, struct xs_config *cfg)
{
	struct reload_ctx *c = ctx;

	return shared_config(c->so, cfg, c->ifname);
}

static int cmd_run(int argc, char **argv)
{
	static const struct option own_opts[] = {
		SHARED_LONG_OPTS,
		{ "interface", required_argument, NULL, 'i' },
		{ "egress", no_argument, NULL, 'e' },
		{ "xdp-mode", required_argument, NULL, 'm' },
		{ "bpf-stats", no_argument, NULL, 'S' },
		{ "count", required_argument, NULL, 'n' },
	};
	struct option opts[sizeof(own_opts) / sizeof(own_opts[0]) + XS_SINKS_MAX + 1];
	struct run_own ow = {};
	struct xs_run_opts *ro = &ow.ro;
	struct reload_ctx rctx;
	struct shared_opts so;
	struct xs_config cfg;
	int rc;

	memcpy(opts, own_opts, sizeof(own_opts));
	memset(opts + sink_options(opts + sizeof(own_opts) / sizeof(own_opts[0]), XS_CMD_RUN) +
		       sizeof(own_opts) / sizeof(own_opts[0]), 0, sizeof(opts[0]));
	if (shared_init(&so, argc))
		return XS_EXIT_FAIL;
	config_init(&cfg);
	rc = parse_cmd(argc, argv, opts, "i:em:n:", run_opt, &ow, help_run, &so);
	if (rc >= 0)
		goto out;
	if (optind < argc) {
		rc = usage_error("unexpected argument \"%s\"", argv[optind]);
		goto out;
	}
	if (!ro->ifname) {
		rc = usage_error("missing the interface: -i IFACE");
		goto out;
	}
	if (!if_nametoindex(ro->ifname)) {
		rc = usage_error("-i %s: no such network interface", ro->ifname);
		goto out;
	}
	rc = shared_config(&so, &cfg, ro->ifname);
	if (rc)
		goto out;
	ro->host = so.host;
	ro->sink_args = ow.sink_args;
	rctx = (struct reload_ctx){ &so, ro->ifname };
	ro->reload = reload_config;
	ro->reload_ctx = &rctx;
	rc = run_daemon(&cfg, ro);
out:
	config_free(&cfg);
	free(so.range_args);
	return rc;
}

struct replay_own {
	struct xs_replay_opts ro;
	const char *sink_args[XS_SINKS_MAX];
};

static int replay_opt(int c, void *own)
{
	struct replay_own *ow = own;
	struct xs_replay_opts *ro = &ow->ro;

	if (c >= OPT_SINK && c < OPT_SINK + XS_SINKS_MAX)
		return sink_opt(c, ow->sink_args);
	switch (c) {
	case 'e':
		ro->egress = 1;
		return 0;
	case 'C':
		ro->count_captured = 1;
		return 0;
	case 'W':
		if (parse_time_ms(optarg, 0, &ro->reorder_ms))
			return usage_error("--reorder-window: expected 0 to 3600s (e.g. 1s, 200ms), "
					   "got \"%s\"", optarg);
		return 0;
	case 'I':
		ro->ifname = optarg;
		return 0;
	case 'A':
		ro->whole = 1;
		return 0;
	default:
		return -1;
	}
}

static int cmd_replay(int argc, char **argv)
{
	static const struct option own_opts[] = {
		SHARED_LONG_OPTS,
		{ "egress", no_argument, NULL, 'e' },
		{ "count-captured-bytes", no_argument, NULL, 'C' },
		{ "reorder-window", required_argument, NULL, 'W' },
		{ "ifname", required_argument, NULL, 'I' },
		{ "whole", no_argument, NULL, 'A' },
	};
	const size_t nown = sizeof(own_opts) / sizeof(own_opts[0]);
	struct option opts[sizeof(own_opts) / sizeof(own_opts[0]) + XS_SINKS_MAX + 1];
	struct replay_own ow = { .ro = { .reorder_ms = 1000 } };
	struct xs_replay_opts *ro = &ow.ro;
	struct shared_opts so;
	struct xs_config cfg;
	int rc;

	memcpy(opts, own_opts, sizeof(own_opts));
	memset(opts + nown + sink_options(opts + nown, XS_CMD_REPLAY), 0, sizeof(opts[0]));
	if (shared_init(&so, argc))
		return XS_EXIT_FAIL;
	config_init(&cfg);
	rc = parse_cmd(argc, argv, opts, "e", replay_opt, &ow, help_replay, &so);
	if (rc >= 0)
		goto out;
	if (optind >= argc) {
		rc = usage_error("missing the capture file: xdpscope replay [OPTIONS] FILE");
		goto out;
	}
	if (optind + 1 < argc) {
		rc = usage_error("unexpected argument \"%s\"", argv[optind + 1]);
		goto out;
	}
	ro->path = argv[optind];
	rc = shared_config(&so, &cfg, NULL);
	if (rc)
		goto out;
	ro->host = so.host;
	ro->sink_args = ow.sink_args;
	rc = replay_file(&cfg, ro);
out:
	config_free(&cfg);
	free(so.range_args);
	return rc;
}

struct collect_own {
	struct xs_collect_opts co;
	const char *sink_args[XS_SINKS_MAX];
};

static int collect_opt(int c, void *own)
{
	struct collect_own *ow = own;
	struct xs_collect_opts *co = &ow->co;
	char err[XS_ERR_LEN];
	uint8_t addr[16];
	uint16_t port;
	int family;

	if (c >= OPT_SINK && c < OPT_SINK + XS_SINKS_MAX)
		return sink_opt(c, ow->sink_args);
	switch (c) {
	case 'F':
		if (sflowin_parse_listen(optarg, &family, addr, &port, err, sizeof(err)))
			return usage_error("%s", err);
		co->listen = optarg;
		return 0;
	case 'n':
		if (parse_ulong(optarg, &co->max_intervals) || !co->max_intervals)
			return usage_error("--count: expected a positive integer, got \"%s\"",
					   optarg);
		return 0;
	default:
		return -1;
	}
}

static int cmd_collect(int argc, char **argv)
{
	static const struct option own_opts[] = {
		SHARED_LONG_OPTS,
		{ "sflow", required_argument, NULL, 'F' },
		{ "count", required_argument, NULL, 'n' },
	};
	const size_t nown = sizeof(own_opts) / sizeof(own_opts[0]);
	struct option opts[sizeof(own_opts) / sizeof(own_opts[0]) + XS_SINKS_MAX + 1];
	struct collect_own ow = {};
	struct xs_collect_opts *co = &ow.co;
	struct shared_opts so;
	struct xs_config cfg;
	int rc;

	memcpy(opts, own_opts, sizeof(own_opts));
	memset(opts + nown + sink_options(opts + nown, XS_CMD_COLLECT), 0, sizeof(opts[0]));
	if (shared_init(&so, argc))
		return XS_EXIT_FAIL;
	config_init(&cfg);
	rc = parse_cmd(argc, argv, opts, "n:", collect_opt, &ow, help_collect, &so);
	if (rc >= 0)
		goto out;
	if (optind < argc) {
		rc = usage_error("unexpected argument \"%s\"", argv[optind]);
		goto out;
	}
	rc = shared_config(&so, &cfg, NULL);
	if (rc)
		goto out;
	co->host = so.host;
	co->sink_args = ow.sink_args;
	rc = sflowin_run(&cfg, co);
out:
	config_free(&cfg);
	free(so.range_args);
	return rc;
}

static int cmd_check_config(int argc, char **argv)
{
	struct xs_plan plan = {};
	struct xs_config cfg;
	char err[XS_ERR_LEN];
	int rc = XS_EXIT_USAGE, ncpus = libbpf_num_possible_cpus();
	unsigned long n;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: xdpscope check-config [--cpus N] FILE\n\n"
		       "Validate a JSON config (and the prefix lists it names, its rules and\n"
		       "its alert hook) without attaching anything; print the ranges, the\n"
		       "rules and the kernel memory it needs: on this machine's possible CPUs,\n"
		       "or with --cpus on N (1 to %d), to size a larger machine. Exit status:\n"
		       "0 valid, 2 not (the error names the file, the JSON path and what was\n"
		       "expected).\n\n"
		       "Example:\n  xdpscope check-config /etc/xdpscope.json\n"
		       "  xdpscope check-config --cpus 64 /etc/xdpscope.json\n", XS_CTR_CPUS_MAX);
		return XS_EXIT_OK;
	}
	if (argc == 4 && !strcmp(argv[1], "--cpus")) {
		if (parse_ulong(argv[2], &n) || n < 1 || n > XS_CTR_CPUS_MAX)
			return usage_error("--cpus: expected a CPU count 1..%d, got '%s'",
					   XS_CTR_CPUS_MAX, argv[2]);
		ncpus = n;
		argv += 2;
		argc -= 2;
	}
	if (argc != 2)
		return usage_error("expected one argument: the config file");
	config_init(&cfg);
	if (config_load_json(&cfg, argv[1], err, sizeof(err)) ||
	    config_validate(&cfg, err, sizeof(err)) ||
	    collect_plan(&cfg, ncpus, &plan, err, sizeof(err))) {
		log_err("%s", err);
		goto out;
	}
	if (config_check_exec(&cfg, err, sizeof(err))) {
		log_err("%s: %s", argv[1], err);
		goto out;
	}
	printf("%s: ok: %zu ranges, %zu rules, interval %u ms, kernel memory %.1f MiB on %d "
	       "CPUs", argv[1], cfg.nranges, cfg.nrules, cfg.interval_ms,
	       plan.kernel_mem / 1048576.0, ncpus);
	if (plan.views_max)	/* collect's sflow.views: an object a view */
		printf(", %.1f MiB with %u sFlow views", plan.kernel_mem * (plan.views_max + 1.0) /
		       1048576.0, plan.views_max);
	printf("\n");
	rc = XS_EXIT_OK;
out:
	collect_plan_free(&plan);
	config_free(&cfg);
	return rc;
}

/* Commands that take only -i IFACE. */
static const char *iface_arg(int argc, char **argv, const char *help)
{
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *ifname = NULL;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			ifname = optarg;
			break;
		case 'v':
			log_verbose = 1;
			break;
		case 'h':
			fputs(help, stdout);
			exit(XS_EXIT_OK);
		case ':':
			usage_error("option '%s' needs a value", argv[optind - 1]);
			return NULL;
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
			return NULL;
		}
	}
	if (optind < argc) {
		usage_error("unexpected argument \"%s\"", argv[optind]);
		return NULL;
	}
	if (!ifname)
		usage_error("missing the interface: -i IFACE");
	return ifname;
}

static int cmd_maps(int argc, char **argv)
{
	const char *ifname = iface_arg(argc, argv,
		"Usage: xdpscope maps -i IFACE\n\n"
		"List the maps xdpscope pinned for IFACE, with the bpftool command that\n"
		"dumps each (fields by name, from BTF).\n\n"
		"Example:\n  xdpscope maps -i eth0\n");
	char dir[PATH_MAX], err[XS_ERR_LEN];
	const char *const *names;
	int i, found = 0;

	if (!ifname)
		return XS_EXIT_USAGE;
	if (loader_bpffs(err, sizeof(err))) {
		log_err("%s", err);
		return XS_EXIT_FAIL;
	}
	loader_pin_dir(ifname, dir, sizeof(dir));
	names = loader_map_names();
	for (i = 0; names[i]; i++) {
		char path[PATH_MAX + 32];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (access(path, F_OK))
			continue;
		printf("%-12s bpftool map dump pinned %s\n", names[i], path);
		found++;
	}
	if (!found) {
		log_err("%s: no xdpscope maps pinned in %s (is 'xdpscope run -i %s' running?)",
			ifname, dir, ifname);
		return XS_EXIT_FAIL;
	}
	return XS_EXIT_OK;
}

static int cmd_detach(int argc, char **argv)
{
	const char *ifname = iface_arg(argc, argv,
		"Usage: xdpscope detach -i IFACE\n\n"
		"Remove xdpscope's XDP and TC programs and pins from IFACE, e.g. after\n"
		"the daemon was killed with SIGKILL.\n\n"
		"Example:\n  xdpscope detach -i eth0\n");
	char err[XS_ERR_LEN];
	int n;

	if (!ifname)
		return XS_EXIT_USAGE;
	if (loader_bpffs(err, sizeof(err))) {
		log_err("%s", err);
		return XS_EXIT_FAIL;
	}
	n = loader_detach_ifname(ifname, err, sizeof(err));
	if (n < 0) {
		log_err("%s", err);
		return n == -ENODEV ? XS_EXIT_USAGE : XS_EXIT_FAIL;
	}
	if (!n)
		log_info("%s: nothing of xdpscope attached or pinned", ifname);
	else
		log_info("%s: detached", ifname);
	return XS_EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("xdpscope %s (libbpf %s)\n", XS_VERSION, libbpf_version_string());
	return XS_EXIT_OK;
}

static void help_main(void)
{
	printf("Usage: xdpscope COMMAND [OPTIONS]\n"
	       "\n"
	       "Exact per-range traffic counters in XDP/TC, as NDJSON records.\n"
	       "\n"
	       "Commands:\n"
	       "  run -i IFACE        attach and print records every interval\n"
	       "  replay FILE         the same records from a pcap/pcapng capture\n"
	       "  collect --sflow [ADDR:]PORT  the same records from routers' sFlow samples\n"
	       "  check-config FILE   validate a config without attaching\n"
	       "  maps -i IFACE       list the pinned maps and how to dump them with bpftool\n"
	       "  detach -i IFACE     remove xdpscope from IFACE (after a crash)\n"
	       "  block add|list|del -i IFACE  mitigation filters of the running daemon\n"
	       "  version             print the version\n"
	       "  clickhouse-schema   print the ClickHouse schema of --clickhouse\n"
	       "  clickhouse-query KIND  print a fleet query (totals, uniq-src, top-src...)\n"
	       "  clickhouse-retention --url URL  drop partitions past their retention\n"
	       "\n"
	       "'xdpscope COMMAND --help' describes each command; man xdpscope, the rest.\n"
	       "\n"
	       "Examples:\n"
	       "  xdpscope run -i eth0\n"
	       "  xdpscope run -i eth0 --range 198.18.0.0/24=customer-a -o /var/log/xdpscope.ndjson\n"
	       "  xdpscope replay --range 198.18.0.0/24=customer-a capture.pcap\n"
	       "  xdpscope maps -i eth0\n");
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "run", cmd_run },
	{ "replay", cmd_replay },
	{ "collect", cmd_collect },
	{ "check-config", cmd_check_config },
	{ "maps", cmd_maps },
	{ "detach", cmd_detach },
	{ "block", cmd_block },
	{ "version", cmd_version },
	{ "clickhouse-schema", cmd_clickhouse_schema },
	{ "clickhouse-query", cmd_clickhouse_query },
	{ "clickhouse-retention", cmd_clickhouse_retention },
};

int main(int argc, char **argv)
{
	size_t i;

	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
	if (argc < 2) {
		help_main();
		return XS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		help_main();
		return XS_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(0, NULL);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			cmd_name = commands[i].name;
			return commands[i].fn(argc - 1, argv + 1);
		}
	}
	return usage_error("unknown command \"%s\"", argv[1]);
}
