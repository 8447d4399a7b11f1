// SPDX-License-Identifier: GPL-2.0
/*
 * The ClickHouse commands (chcmd.h): print the schema, print a fleet
 * query, drop partitions past their retention. The SQL is chschema.c's.
 */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "chcmd.h"
#include "chschema.h"
#include "config_json.h"
#include "log.h"
#include "textbuf.h"

#define EXIT_USAGE 2

static int bad(const char *fmt, const char *arg)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, arg);
	log_err("%s", msg);
	return EXIT_USAGE;
}

static int days_opt(const char *name, const char *arg, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || arg[0] == '-' || v > 100000)
		return log_err("--%s: expected days from 0 (for ever) to 100000, got \"%s\"", name,
			       arg), -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

/* Options all three share; 1 handled, 0 not ours, -1 bad. */
static int names_opt(int c, struct xs_ch_names *n, struct xs_ch_keep *k)
{
	switch (c) {
	case 'D':
		if (!config_ident_ok(optarg, 0))
			return bad("--database: expected letters, digits and '_', got \"%s\"", optarg),
			       -1;
		n->database = optarg;
		return 1;
	case 'P':
		if (!config_ident_ok(optarg, 1))
			return bad("--prefix: expected letters, digits and '_', got \"%s\"", optarg), -1;
		n->prefix = optarg;
		return 1;
	case 'C':
		if (!config_ident_ok(optarg, 0))
			return bad("--cluster: expected a cluster name of remote_servers, got \"%s\"",
				   optarg), -1;
		n->cluster = optarg;
		return 1;
	case 'r':
		return days_opt("raw-days", optarg, &k->raw) ? -1 : 1;
	case 'a':
		return days_opt("alert-days", optarg, &k->alert) ? -1 : 1;
	case 'm':
		return days_opt("minute-days", optarg, &k->minute) ? -1 : 1;
	case 'H':
		return days_opt("hour-days", optarg, &k->hour) ? -1 : 1;
	}
	return 0;
}

#define NAME_OPTS                                                      \
	{ "database", required_argument, NULL, 'D' },                  \
	{ "prefix", required_argument, NULL, 'P' },                    \
	{ "cluster", required_argument, NULL, 'C' },                   \
	{ "raw-days", required_argument, NULL, 'r' },                  \
	{ "alert-days", required_argument, NULL, 'a' },                \
	{ "minute-days", required_argument, NULL, 'm' },               \
	{ "hour-days", required_argument, NULL, 'H' },                 \
	{ "help", no_argument, NULL, 'h' }

static const char names_help[] =
	"  --database NAME     the database (default xdpscope)\n"
	"  --prefix P          a prefix for every table name (default none)\n"
	"  --cluster NAME      a cluster of remote_servers: NAME_local tables on every\n"
	"                      server and Distributed tables NAME over them\n"
	"  --raw-days N        keep records and sketch windows N days (default 7)\n"
	"  --alert-days N      keep alerts N days (default 365)\n"
	"  --minute-days N     keep the 1-minute roll-up N days (default 90)\n"
	"  --hour-days N       keep the hourly roll-ups N days (default 730)\n";

int cmd_clickhouse_schema(int argc, char **argv)
{
	static const struct option opts[] = { NAME_OPTS, { "ttl", no_argument, NULL, 't' },
					      { "upgrade", optional_argument, NULL, 'u' }, {} };
	struct xs_ch_names n = {};
	struct xs_ch_keep k;
	int c, ttl = 0, up = 0, r;
	char *ddl;

	chschema_keep_default(&k);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("Usage: xdpscope clickhouse-schema [OPTIONS]\n\n"
			       "Print the ClickHouse schema xdpscope writes to (--clickhouse): apply it\n"
			       "on every server, e.g. xdpscope clickhouse-schema --cluster fleet |\n"
			       "clickhouse-client --multiquery\n\nOptions:\n%s"
			       "  --ttl               add TTL clauses (ClickHouse 19.6 and later); without\n"
			       "                      it run xdpscope clickhouse-retention daily\n"
			       "  --upgrade[=STEP]    once, on a store made before STEP's columns: add\n"
			       "                      them (and the later steps') first. STEP: mitigation\n"
			       "                      (default; passed_*, blocked_*, mitigation_*),\n"
			       "                      agent (range and alert rows: agent, ifindex) or\n"
			       "                      syn (top rows: the list 'syn')\n",
			       names_help);
			return 0;
		}
		if (c == 't') {
			ttl = 1;
			continue;
		}
		if (c == 'u') {
			for (up = 0; chschema_steps[up]; up++)
				if (!optarg || !strcmp(optarg, chschema_steps[up]))
					break;
			if (!chschema_steps[up])
				return bad("clickhouse-schema: --upgrade: expected mitigation, agent or syn, "
					   "got \"%s\"", optarg);
			up++;
			continue;
		}
		r = names_opt(c, &n, &k);
		if (r < 0)
			return EXIT_USAGE;
		if (!r)
			return EXIT_USAGE;	/* getopt said why */
	}
	if (optind < argc)
		return bad("clickhouse-schema: unexpected argument \"%s\"", argv[optind]);
	ddl = chschema_ddl_upgrade(&n, &k, ttl, up);
	if (!ddl)
		return log_err("clickhouse-schema: out of memory"), 1;
	fputs(ddl, stdout);
	free(ddl);
	return fflush(stdout) ? 1 : 0;
}

int cmd_clickhouse_query(int argc, char **argv)
{
	static const struct option opts[] = {
		NAME_OPTS,
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 'T' },
		{ "range", required_argument, NULL, 'R' },
		{ "dir", required_argument, NULL, 'd' },
		{ "limit", required_argument, NULL, 'l' },
		{ "hourly", no_argument, NULL, 'o' },
		{},
	};
	struct xs_ch_qargs a = { .from = "1970-01-01 00:00:00", .to = "2100-01-01 00:00:00" };
	struct xs_ch_names n = {};
	struct xs_ch_keep k;
	unsigned int lim;
	int c, r, q;
	char *sql;

	chschema_keep_default(&k);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			printf("Usage: xdpscope clickhouse-query KIND [OPTIONS]\n\n"
			       "Print the SQL of a fleet query over the shipped schema. KIND:\n"
			       "  totals     packets and bytes per range and direction, all hosts\n"
			       "  uniq-src   distinct sources per range and direction across hosts\n"
			       "  top-src, top-dst, top-dport, top-sport   fleet-wide top lists\n"
			       "  alerts     the alerts of every host\n\nOptions:\n%s"
			       "  --from 'YYYY-MM-DD hh:mm:ss'   window start, UTC (default: all)\n"
			       "  --to 'YYYY-MM-DD hh:mm:ss'     window end, excluded\n"
			       "  --range NAME        one range\n"
			       "  --dir in|out        one direction\n"
			       "  --limit N           keys a list (default 10)\n"
			       "  --hourly            read the hourly roll-ups (whole hours)\n",
			       names_help);
			return 0;
		case 'f':
			if (chschema_check_time(optarg))
				return bad("--from: expected 'YYYY-MM-DD hh:mm:ss' (UTC), got \"%s\"",
					   optarg);
			a.from = optarg;
			continue;
		case 'T':
			if (chschema_check_time(optarg))
				return bad("--to: expected 'YYYY-MM-DD hh:mm:ss' (UTC), got \"%s\"",
					   optarg);
			a.to = optarg;
			continue;
		case 'R':
			if (!config_name_ok(optarg))
				return bad("--range: expected a range name, got \"%s\"", optarg);
			a.range = optarg;
			continue;
		case 'd':
			if (strcmp(optarg, "in") && strcmp(optarg, "out"))
				return bad("--dir: expected in or out, got \"%s\"", optarg);
			a.dir = optarg;
			continue;
		case 'l':
			if (sscanf(optarg, "%u", &lim) != 1 || !lim || lim > 100000)
				return bad("--limit: expected 1 to 100000, got \"%s\"", optarg);
			a.limit = lim;
			continue;
		case 'o':
			a.hourly = 1;
			continue;
		}
		r = names_opt(c, &n, &k);
		if (r <= 0)
			return EXIT_USAGE;
	}
	if (optind >= argc)
		return bad("clickhouse-query: missing the KIND (%s)",
			   "totals, uniq-src, top-src, top-dst, top-dport, top-sport, alerts");
	for (q = 0; q < XS_CHQ_MAX && strcmp(chschema_query_names[q], argv[optind]); q++)
		;
	if (q == XS_CHQ_MAX)
		return bad("clickhouse-query: expected totals, uniq-src, top-src, top-dst, top-dport, "
			   "top-sport or alerts, got \"%s\"", argv[optind]);
	if (optind + 1 < argc)
		return bad("clickhouse-query: unexpected argument \"%s\"", argv[optind + 1]);
	sql = chschema_query(&n, q, &a);
	if (!sql)
		return log_err("clickhouse-query: out of memory"), 1;
	fputs(sql, stdout);
	free(sql);
	return fflush(stdout) ? 1 : 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	textbuf_put(arg, p, size * n);
	return size * n;
}

/* One statement; its answer in out. 0, or 1 with the reason logged. */
static int post(CURL *curl, const char *url, const char *sql, struct xs_textbuf *out)
{
	CURLcode e;
	long code = 0;

	out->n = 0;
	if (out->p)
		out->p[0] = '\0';
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, sql);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
	e = curl_easy_perform(curl);
	if (e != CURLE_OK)
		return log_err("clickhouse-retention: %s: %s", url, curl_easy_strerror(e)), 1;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200)
		return log_err("clickhouse-retention: %s answered HTTP %ld: %.200s", url, code,
			       out->p ? out->p : ""), 1;
	return 0;
}

int cmd_clickhouse_retention(int argc, char **argv)
{
	static const struct option opts[] = {
		NAME_OPTS,
		{ "url", required_argument, NULL, 'u' },
		{ "dry-run", no_argument, NULL, 'n' },
		{},
	};
	struct xs_ch_names n = {};
	struct xs_textbuf out = {}, sql = {};
	const char *url = NULL;
	struct xs_ch_keep k;
	char *drops = NULL, *s, *nl;
	int c, r, dry = 0, rc = 1;
	CURL *curl = NULL;

	chschema_keep_default(&k);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("Usage: xdpscope clickhouse-retention --url URL [OPTIONS]\n\n"
			       "Drop the partitions of xdpscope's tables on one server (run it on each,\n"
			       "daily) that are older than their retention.\n\nOptions:\n"
			       "  --url URL           http(s)://[USER:PASSWORD@]HOST:PORT\n"
			       "  --dry-run           print the statements, drop nothing\n%s",
			       names_help);
			return 0;
		}
		if (c == 'u') {
			if (strncmp(optarg, "http://", 7) && strncmp(optarg, "https://", 8))
				return bad("--url: expected http://HOST:PORT or https://HOST:PORT, "
					   "got \"%s\"", optarg);
			url = optarg;
			continue;
		}
		if (c == 'n') {
			dry = 1;
			continue;
		}
		r = names_opt(c, &n, &k);
		if (r <= 0)
			return EXIT_USAGE;
	}
	if (!url)
		return bad("clickhouse-retention: missing --url%s", "");
	if (optind < argc)
		return bad("clickhouse-retention: unexpected argument \"%s\"", argv[optind]);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) || !(curl = curl_easy_init()))
		return log_err("clickhouse-retention: cannot start libcurl"), 1;
	textbuf_puts(&sql, "SELECT table, partition FROM system.parts WHERE active AND database = '");
	textbuf_puts(&sql, n.database ? n.database : XS_CH_DATABASE);
	textbuf_puts(&sql, "' GROUP BY table, partition ORDER BY table, partition FORMAT TSV");
	if (sql.oom || post(curl, url, sql.p, &out))
		goto out;
	drops = chschema_retention(&n, &k, (long)(time(NULL) / 86400), out.p ? out.p : "");
	if (!drops)
		goto out;
	rc = 0;
	for (s = drops; *s; s = nl + 1) {
		nl = strchr(s, '\n');
		*nl = '\0';
		printf("%s\n", s);
		if (!dry && post(curl, url, s, &out)) {
			rc = 1;
			break;
		}
	}
out:
	free(drops);
	free(out.p);
	free(sql.p);
	curl_easy_cleanup(curl);
	curl_global_cleanup();
	return rc;
}
