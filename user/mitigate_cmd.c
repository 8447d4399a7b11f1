// SPDX-License-Identifier: GPL-2.0
/*
 * `xdpscope block add|list|del -i IFACE ...`: the filters of a running
 * daemon, through its pinned maps (mitigate.h). The checks are the
 * config's and the API's; each bad input is one line and exit 2.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "config.h"
#include "loader.h"
#include "log.h"
#include "mitigate.h"

static const char block_help[] =
	"Usage: xdpscope block add -i IFACE CIDR [--proto tcp|udp|icmp] [--sport N] [--syn]\n"
	"                          [--drop | --pps N] [--ttl TIME]\n"
	"       xdpscope block list -i IFACE\n"
	"       xdpscope block del -i IFACE ID\n"
	"\n"
	"Mitigation filters of the daemon running on IFACE (its config needs\n"
	"\"mitigation\": {\"enabled\": true}). A filter matches packets to the\n"
	"destination CIDR, and optionally of one protocol, from one source port\n"
	"(TCP or UDP) or TCP SYN without ACK; it drops them (--drop, the default)\n"
	"or lets N a second through (--pps N). It lives --ttl TIME (90, 90s, 10m,\n"
	"2h; default the config's mitigation.ttl_s). Sources in mitigation.allow are\n"
	"never dropped. add prints the new filter's id; list prints every filter\n"
	"with its hits; del removes one by id. The daemon's stop removes them all.\n"
	"\n"
	"Examples:\n"
	"  xdpscope block add -i eth0 198.18.0.7/32 --proto udp --sport 53 --ttl 10m\n"
	"  xdpscope block add -i eth0 198.18.0.0/24 --proto tcp --syn --pps 1000\n"
	"  xdpscope block list -i eth0\n"
	"  xdpscope block del -i eth0 3\n";

static int bad(const char *sub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(const char *sub, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_err("block%s%s: %s (see 'xdpscope block --help')", *sub ? " " : "", sub, buf);
	return XS_EXIT_USAGE;
}

/* A decimal number 0..max, nothing else. */
static int number(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *end || *out > max ? -EINVAL : 0;
}

/* "90", "90s", "10m", "2h" -> seconds, 1..XS_MIT_TTL_MAX_S. */
static int parse_ttl(const char *s, uint32_t *out)
{
	unsigned long v, mul = 1;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (!strcmp(end, "m"))
		mul = 60;
	else if (!strcmp(end, "h"))
		mul = 3600;
	else if (strcmp(end, "s") && *end)
		return -EINVAL;
	if (!v || v > XS_MIT_TTL_MAX_S / mul)
		return -ERANGE;
	*out = v * mul;
	return 0;
}

static int proto_of(const char *s)
{
	if (!strcmp(s, "tcp"))
		return XS_L4_TCP;
	if (!strcmp(s, "udp"))
		return XS_L4_UDP;
	if (!strcmp(s, "icmp"))
		return XS_L4_ICMP;
	return -2;
}

/* The running daemon's filter table, with mitigation on; 0 or an exit code. */
static int open_table(const char *sub, const char *ifname, struct xs_mit *m,
		      struct xs_mit_ctl *ctl)
{
	char dir[PATH_MAX], err[XS_ERR_LEN];
	__u32 zero = 0;

	if (loader_bpffs(err, sizeof(err))) {
		log_err("%s", err);
		return XS_EXIT_FAIL;
	}
	loader_pin_dir(ifname, dir, sizeof(dir));
	if (mitig_open_pinned(m, dir, err, sizeof(err))) {
		log_err("block %s: -i %s: %s", sub, ifname, err);
		return XS_EXIT_FAIL;
	}
	if (bpf_map_lookup_elem(m->ctl_fd, &zero, ctl) || !ctl->enabled) {
		log_err("block %s: -i %s: mitigation is off in the running daemon's config "
			"(\"mitigation\": {\"enabled\": true})", sub, ifname);
		mitig_close(m);
		return XS_EXIT_FAIL;
	}
	return 0;
}

static int block_add(const char *ifname, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "proto", required_argument, NULL, 'p' },
		{ "sport", required_argument, NULL, 's' },
		{ "syn", no_argument, NULL, 'S' },
		{ "drop", no_argument, NULL, 'd' },
		{ "pps", required_argument, NULL, 'r' },
		{ "ttl", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{}
	};
	struct xs_mit_spec s = { .proto = -1, .sport = -1 };
	char err[XS_ERR_LEN];
	struct xs_mit_ctl ctl;
	struct xs_mit m;
	unsigned long v;
	int c, drop = 0, rc;
	uint32_t id;

	while ((c = getopt_long(argc, argv, ":i:p:s:Sdr:t:v", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			ifname = optarg;
			break;
		case 'p':
			s.proto = proto_of(optarg);
			if (s.proto == -2)
				return bad("add", "--proto: expected tcp, udp or icmp, got \"%s\"",
					   optarg);
			break;
		case 's':
			if (number(optarg, 65535, &v))
				return bad("add", "--sport: expected a port 0..65535, got \"%s\"",
					   optarg);
			s.sport = v;
			break;
		case 'S':
			s.syn = 1;
			break;
		case 'd':
			drop = 1;
			break;
		case 'r':
			if (number(optarg, XS_MIT_PPS_MAX, &v) || !v)
				return bad("add", "--pps: expected packets a second 1..%u, got \"%s\"",
					   XS_MIT_PPS_MAX, optarg);
			s.pps = v;
			break;
		case 't':
			if (parse_ttl(optarg, &s.ttl_s))
				return bad("add", "--ttl: expected 1s to %us (e.g. 90, 90s, 10m, 2h), "
					   "got \"%s\"", XS_MIT_TTL_MAX_S, optarg);
			break;
		case 'v':
			log_verbose = 1;
			break;
		case ':':
			return bad("add", "option '%s' needs a value", argv[optind - 1]);
		default:
			return bad("add", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (drop && s.pps)
		return bad("add", "--drop and --pps: expected one action, got both");
	if (optind >= argc)
		return bad("add", "missing the destination: xdpscope block add -i IFACE CIDR");
	if (optind + 1 < argc)
		return bad("add", "unexpected argument \"%s\"", argv[optind + 1]);
	if (!ifname)
		return bad("add", "missing the interface: -i IFACE");
	if (cidr_parse(argv[optind], &s.dst, err, sizeof(err)))
		return bad("add", "%s", err);
	if (s.sport >= 0 && s.proto != XS_L4_TCP && s.proto != XS_L4_UDP)
		return bad("add", "--sport needs --proto tcp or udp");
	if (s.syn && s.proto != XS_L4_TCP)
		return bad("add", "--syn needs --proto tcp");
	rc = open_table("add", ifname, &m, &ctl);
	if (rc)
		return rc;
	if (!s.ttl_s)
		s.ttl_s = ctl.ttl_s ? ctl.ttl_s : XS_MIT_TTL_S;
	rc = mitig_add(&m, &s, &id, err, sizeof(err));
	mitig_close(&m);
	if (rc == -EINVAL)
		return bad("add", "%s", err);
	if (rc) {
		log_err("block add: -i %s: %s", ifname, err);
		return XS_EXIT_FAIL;
	}
	printf("%u\n", id);
	return XS_EXIT_OK;
}

static int block_list(const char *ifname)
{
	char match[128], action[32], exp[32];
	struct xs_mit_info *v;
	struct xs_mit_ctl ctl;
	struct xs_mit m;
	size_t n, i;
	int rc;

	rc = open_table("list", ifname, &m, &ctl);
	if (rc)
		return rc;
	rc = mitig_list(&m, &v, &n);
	mitig_close(&m);
	if (rc) {
		log_err("block list: -i %s: reading the filters: %s", ifname, strerror(-rc));
		return XS_EXIT_FAIL;
	}
	printf("%-6s %-40s %-12s %8s %12s %12s %12s %10s %10s\n", "ID", "MATCH", "ACTION",
	       "EXPIRES", "MATCHED", "DROPPED", "DRY_RUN", "ALLOWED", "SPARED");
	for (i = 0; i < n; i++) {
		snprintf(exp, sizeof(exp), "%us", v[i].spec.ttl_s);
		printf("%-6u %-40s %-12s %8s %12llu %12llu %12llu %10llu %10llu\n", v[i].id,
		       mitig_match_str(&v[i].spec, match, sizeof(match)),
		       mitig_action_str(v[i].spec.pps, action, sizeof(action)), exp,
		       (unsigned long long)v[i].hits.match_pkts,
		       (unsigned long long)v[i].hits.drop_pkts,
		       (unsigned long long)v[i].hits.dry_pkts,
		       (unsigned long long)v[i].hits.allowed,
		       (unsigned long long)v[i].hits.spared);
	}
	free(v);
	return XS_EXIT_OK;
}

static int block_del(const char *ifname, const char *arg)
{
	struct xs_mit_ctl ctl;
	struct xs_mit m;
	unsigned long id;
	int rc;

	if (number(arg, UINT32_MAX, &id) || !id)
		return bad("del", "expected a filter id (a number from 'xdpscope block list'), "
			   "got \"%s\"", arg);
	rc = open_table("del", ifname, &m, &ctl);
	if (rc)
		return rc;
	rc = mitig_del(&m, id);
	mitig_close(&m);
	if (rc == -ENOENT)
		return bad("del", "-i %s: no filter %lu (see 'xdpscope block list -i %s')", ifname,
			   id, ifname);
	if (rc) {
		log_err("block del: -i %s: %s", ifname, strerror(-rc));
		return XS_EXIT_FAIL;
	}
	return XS_EXIT_OK;
}

/* list and del: -i IFACE and, for del, the id. */
static int block_simple(const char *sub, int argc, char **argv, const char **ifname,
			const char **arg)
{
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "verbose", no_argument, NULL, 'v' },
		{}
	};
	int c, want = arg ? 1 : 0;

	while ((c = getopt_long(argc, argv, ":i:v", opts, NULL)) != -1) {
		if (c == 'i')
			*ifname = optarg;
		else if (c == 'v')
			log_verbose = 1;
		else if (c == ':')
			return bad(sub, "option '%s' needs a value", argv[optind - 1]);
		else
			return bad(sub, "unknown option '%s'", argv[optind - 1]);
	}
	if (argc - optind > want)
		return bad(sub, "unexpected argument \"%s\"", argv[optind + want]);
	if (want && optind >= argc)
		return bad(sub, "missing the filter id: xdpscope block del -i IFACE ID");
	if (want)
		*arg = argv[optind];
	if (!*ifname)
		return bad(sub, "missing the interface: -i IFACE");
	return 0;
}

int cmd_block(int argc, char **argv)
{
	const char *ifname = NULL, *arg = NULL, *sub;
	int rc;

	if (argc < 2)
		return bad("", "expected add, list or del");
	sub = argv[1];
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		fputs(block_help, stdout);
		return XS_EXIT_OK;
	}
	for (rc = 2; rc < argc; rc++) {
		if (!strcmp(argv[rc], "-h") || !strcmp(argv[rc], "--help")) {
			fputs(block_help, stdout);
			return XS_EXIT_OK;
		}
	}
	opterr = 0;
	optind = 1;
	if (!strcmp(sub, "add"))
		return block_add(NULL, argc - 1, argv + 1);
	if (!strcmp(sub, "list")) {
		rc = block_simple("list", argc - 1, argv + 1, &ifname, NULL);
		return rc ? rc : block_list(ifname);
	}
	if (!strcmp(sub, "del")) {
		rc = block_simple("del", argc - 1, argv + 1, &ifname, &arg);
		return rc ? rc : block_del(ifname, arg);
	}
	return bad("", "expected add, list or del, got \"%s\"", sub);
}
