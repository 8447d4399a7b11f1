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

/* "1s", "500ms", "2" (seconds) -> milliseconds in [10, 3600000]. */
static int parse_interval(const char *s, unsigned int *ms)
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
	if (v < 10 || v > 3600000)
		return -ERANGE;
	*ms = v;
	return 0;
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
	       "  -n, --count N             stop after N intervals\n"
	       "  -v, --verbose             show libbpf/libxdp messages\n"
	       "  -h, --help                this help\n"
	       "\n"
	       "Examples:\n"
	       "  xdpscope run -i eth0\n"
	       "  xdpscope run -i eth0 --range 198.18.0.0/24=customer-a --range 2001:db8::/48\n"
	       "  xdpscope run -i eth0 -c /etc/xdpscope.json --egress -o /var/log/xdpscope.ndjson\n");
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

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "config", required_argument, NULL, 'c' },
		{ "range", required_argument, NULL, 'r' },
		{ "ranges-file", required_argument, NULL, 'f' },
		{ "interval", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "egress", no_argument, NULL, 'e' },
		{ "xdp-mode", required_argument, NULL, 'm' },
		{ "max-kernel-mem", required_argument, NULL, 'M' },
		{ "bpf-stats", no_argument, NULL, 'S' },
		{ "host", required_argument, NULL, 'H' },
		{ "count", required_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct xs_run_opts ro = {};
	struct xs_config cfg;
	const char *config_file = NULL, *ranges_file = NULL, *output = NULL;
	char **range_args = calloc(argc, sizeof(char *));
	unsigned int interval_ms = 0;
	uint64_t max_mem = 0;
	char err[XS_ERR_LEN];
	int nrange = 0, c, rc;

	config_init(&cfg);
	if (!range_args)
		return XS_EXIT_FAIL;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:c:r:f:t:o:em:n:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			ro.ifname = optarg;
			break;
		case 'c':
			config_file = optarg;
			break;
		case 'r':
			range_args[nrange++] = optarg;
			break;
		case 'f':
			ranges_file = optarg;
			break;
		case 't':
			if (parse_interval(optarg, &interval_ms)) {
				rc = usage_error("--interval: expected 10ms to 3600s (e.g. 1s, 500ms), "
						 "got \"%s\"", optarg);
				goto out;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 'e':
			ro.egress = 1;
			break;
		case 'm':
			if (!strcmp(optarg, "native")) {
				ro.xdp_mode = XS_XDP_NATIVE;
			} else if (!strcmp(optarg, "generic")) {
				ro.xdp_mode = XS_XDP_GENERIC;
			} else {
				rc = usage_error("--xdp-mode: expected native or generic, got \"%s\"",
						 optarg);
				goto out;
			}
			break;
		case 'M':
			if (parse_size(optarg, &max_mem) || !max_mem) {
				rc = usage_error("--max-kernel-mem: expected a size such as 64M or 1G, "
						 "got \"%s\"", optarg);
				goto out;
			}
			break;
		case 'S':
			ro.bpf_stats = 1;
			break;
		case 'H':
			ro.host = optarg;
			break;
		case 'n':
			if (parse_ulong(optarg, &ro.max_intervals) || !ro.max_intervals) {
				rc = usage_error("--count: expected a positive integer, got \"%s\"",
						 optarg);
				goto out;
			}
			break;
		case 'v':
			log_verbose = 1;
			break;
		case 'h':
			help_run();
			rc = XS_EXIT_OK;
			goto out;
		case ':':
			rc = usage_error("option '%s' needs a value", argv[optind - 1]);
			goto out;
		default:
			rc = usage_error("unknown option '%s'", argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		rc = usage_error("unexpected argument \"%s\"", argv[optind]);
		goto out;
	}
	if (!ro.ifname) {
		rc = usage_error("missing the interface: -i IFACE");
		goto out;
	}
	if (!if_nametoindex(ro.ifname)) {
		rc = usage_error("-i %s: no such network interface", ro.ifname);
		goto out;
	}
	rc = load_sources(&cfg, config_file, range_args, nrange, ranges_file);
	if (rc)
		goto out;
	if (!cfg.nranges && ifprefix_add(&cfg, ro.ifname, err, sizeof(err)) < 0) {
		log_err("%s", err);
		rc = XS_EXIT_USAGE;
		goto out;
	}
	if (config_validate(&cfg, err, sizeof(err))) {
		log_err("%s", err);
		rc = XS_EXIT_USAGE;
		goto out;
	}
	if (interval_ms)
		cfg.interval_ms = interval_ms;
	if (max_mem)
		cfg.max_kernel_mem = max_mem;
	if (output) {
		free(cfg.output_file);
		cfg.output_file = strdup(output);
	}
	rc = run_daemon(&cfg, &ro);
out:
	config_free(&cfg);
	free(range_args);
	return rc;
}

static int cmd_check_config(int argc, char **argv)
{
	struct xs_trie t4 = {}, t6 = {};
	struct xs_config cfg;
	char err[XS_ERR_LEN];
	uint64_t kmem;
	int rc = XS_EXIT_USAGE;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: xdpscope check-config FILE\n\n"
		       "Validate a JSON config (and the prefix lists it names) without\n"
		       "attaching anything; print the ranges and the kernel memory it needs.\n\n"
		       "Example:\n  xdpscope check-config /etc/xdpscope.json\n");
		return XS_EXIT_OK;
	}
	if (argc != 2)
		return usage_error("expected one argument: the config file");
	config_init(&cfg);
	if (config_load_json(&cfg, argv[1], err, sizeof(err)) ||
	    config_validate(&cfg, err, sizeof(err)) ||
	    run_prepare_tries(&cfg, &t4, &t6, &kmem, libbpf_num_possible_cpus(), err,
			      sizeof(err))) {
		log_err("%s", err);
		goto out;
	}
	printf("%s: ok: %zu ranges, interval %u ms, kernel memory %.1f MiB\n", argv[1],
	       cfg.nranges, cfg.interval_ms, kmem / 1048576.0);
	rc = XS_EXIT_OK;
out:
	trie_free(&t4);
	trie_free(&t6);
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
	int i, found = 0;

	if (!ifname)
		return XS_EXIT_USAGE;
	if (loader_bpffs(err, sizeof(err))) {
		log_err("%s", err);
		return XS_EXIT_FAIL;
	}
	loader_pin_dir(ifname, dir, sizeof(dir));
	for (i = 0; loader_map_names[i]; i++) {
		char path[PATH_MAX + 32];

		snprintf(path, sizeof(path), "%s/%s", dir, loader_map_names[i]);
		if (access(path, F_OK))
			continue;
		printf("%-12s bpftool map dump pinned %s\n", loader_map_names[i], path);
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
	       "  check-config FILE   validate a config without attaching\n"
	       "  maps -i IFACE       list the pinned maps and how to dump them with bpftool\n"
	       "  detach -i IFACE     remove xdpscope from IFACE (after a crash)\n"
	       "  version             print the version\n"
	       "\n"
	       "'xdpscope COMMAND --help' describes each command.\n"
	       "\n"
	       "Examples:\n"
	       "  xdpscope run -i eth0\n"
	       "  xdpscope run -i eth0 --range 198.18.0.0/24=customer-a -o /var/log/xdpscope.ndjson\n"
	       "  xdpscope maps -i eth0\n");
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "run", cmd_run },
	{ "check-config", cmd_check_config },
	{ "maps", cmd_maps },
	{ "detach", cmd_detach },
	{ "version", cmd_version },
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
