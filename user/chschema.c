// SPDX-License-Identifier: GPL-2.0
/*
 * The ClickHouse schema and fleet queries (chschema.h).
 *
 * Raw tables (one row a record, a window row for sketch and top) are
 * ReplacingMergeTree on the key that names a row, so a row stored twice
 * collapses; roll-ups are filled by materialized views on insert.
 * Everything is partitioned by day (hourly roll-ups by month), which is
 * how retention works on servers without TTL: drop old partitions.
 * With a cluster, every table is `NAME_local` on each server and `NAME`
 * a Distributed table over them, sharded by host.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chschema.h"
#include "textbuf.h"

const char *const chschema_table_names[5] = { "range", "alert", "summary", "sketch", "top" };

const char *const chschema_query_names[XS_CHQ_MAX] = {
	"totals", "uniq-src", "top-src", "top-dst", "top-dport", "top-sport", "alerts",
};

/* A range record's passed and blocked (0 with mitigation off). */
#define RANGE_MIT_COLS "passed_pkts", "passed_bytes", "blocked_pkts", "blocked_bytes"

/* The counters a range row has and the roll-ups add up. */
static const char *const counters[] = {
	"pkts", "bytes",
	"proto_tcp_pkts", "proto_tcp_bytes", "proto_udp_pkts", "proto_udp_bytes",
	"proto_icmp_pkts", "proto_icmp_bytes", "proto_other_pkts", "proto_other_bytes",
	"tcp_flags_syn", "tcp_flags_synack", "tcp_flags_rst", "tcp_flags_fin", "frags",
	"size_hist_le64", "size_hist_le128", "size_hist_le256", "size_hist_le512",
	"size_hist_le1024", "size_hist_le1518", "size_hist_gt1518", RANGE_MIT_COLS, NULL,
};
static const char *const range_mit[] = { RANGE_MIT_COLS, NULL };

/* The summary's mitigation columns (0 with mitigation off). */
#define SUMMARY_MIT_COLS "mitigation_blocked_in_pkts", "mitigation_blocked_in_bytes", \
	"mitigation_blocked_out_pkts", "mitigation_blocked_out_bytes", "mitigation_filters", \
	"mitigation_full"
static const char *const summary_mit[] = { SUMMARY_MIT_COLS, NULL };

/*
 * Columns added after a store was first made, by step: CREATE TABLE IF
 * NOT EXISTS leaves an existing table as it was, and ClickHouse 18.16 has
 * no ADD COLUMN IF NOT EXISTS, so `clickhouse-schema --upgrade[=STEP]`
 * adds them once, from the step the store lacks on (chschema_ddl_upgrade).
 *   mitigation  range and roll-ups: passed_*, blocked_*; summary:
 *               mitigation_*. The range roll-ups' views are dropped and
 *               made again with the new SELECT.
 *   agent       range and alert rows of collect's views (sflow.views):
 *               agent and ifindex ('' and 0 for run and replay), in the
 *               sorting key too, or a ReplacingMergeTree would collapse
 *               two views' rows of one range and interval. The roll-ups
 *               add the views up: no change.
 *   syn         top and its roll-up: the list 'syn' (stats.top "syn"), a
 *               value more of the Enum (metadata only, in the sorting
 *               key too); the roll-up's view is made again with it.
 */
#define STEP_MITIGATION 1
#define STEP_AGENT 2
#define STEP_SYN 3

const char *const chschema_steps[] = { "mitigation", "agent", "syn", NULL };

/* The top lists, by config_dim_names. */
#define LIST_ENUM "Enum8('src' = 1, 'dst' = 2, 'dport' = 3, 'sport' = 4, 'syn' = 5)"
static const char *const list_tables[] = { "top", "top_1h" };

static const struct {
	int step;
	const char *table;
	const char *const *cols;
} added[] = {
	{ STEP_MITIGATION, "range", range_mit },
	{ STEP_MITIGATION, "range_1m", range_mit },
	{ STEP_MITIGATION, "range_1h", range_mit },
	{ STEP_MITIGATION, "summary", summary_mit },
};

/* The agent step: the table, its sorting key before and the new columns
 * (after ifname). */
#define VIEW_COLS "agent String, ifindex UInt32"
#define RANGE_KEY "range, dir, host, ifname, ts, ms"
#define ALERT_KEY "ts, ms, host, ifname, id, state"
static const struct {
	const char *table, *key;
} keyed[] = {
	{ "range", RANGE_KEY },
	{ "alert", ALERT_KEY },
};

/*
 * hll_estimate() of sketch.c, term for term: z = m tau(1 - cmax/m) 2^-q +
 * sum c[k] 2^-k + m sigma(c0/m), estimate m^2 / (2 ln 2) / z, with q = 64 - p.
 * sigma and tau are the series sketch.c sums until a term no longer
 * changes the sum; 64 terms reach that point for every m up to 2^16.
 */
const char chschema_estimator[] =
	"if(c0 = m, 0, m * m / (2 * ln(2)) / ("
	"m * if(cmax = 0 OR cmax = m, 0, (1 - (m - cmax) / m - arraySum(arrayMap(k -> "
	"pow(1 - pow((m - cmax) / m, pow(2, -k)), 2) * pow(2, -k), "
	"arrayMap(i -> i + 1, range(64))))) / 3) * pow(2, p - 64)"
	" + mid"
	" + m * (c0 / m + arraySum(arrayMap(k -> pow(c0 / m, pow(2, k)) * pow(2, k - 1), "
	"arrayMap(i -> i + 1, range(64)))))))";

void chschema_keep_default(struct xs_ch_keep *k)
{
	*k = (struct xs_ch_keep){ .raw = 7, .alert = 365, .minute = 90, .hour = 730 };
}

static void put(struct xs_textbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct xs_textbuf *b, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		b->oom = 1;
		return;
	}
	textbuf_put(b, buf, n);
}

struct ctx {
	struct xs_textbuf *b;
	const char *db, *prefix, *cluster;
	const struct xs_ch_keep *keep;
	int ttl;
};

/* database.prefixNAME, and _local under a cluster. */
static void tname(struct ctx *c, const char *name, int local)
{
	put(c->b, "%s.%s%s%s", c->db, c->prefix, name, local && c->cluster ? "_local" : "");
}

/* The table: CREATE TABLE (cols) ENGINE ..., then its Distributed twin. */
static void table(struct ctx *c, const char *name, const char *cols, const char *engine,
		  const char *part, const char *order, const char *tcol, unsigned int days)
{
	put(c->b, "CREATE TABLE IF NOT EXISTS ");
	tname(c, name, 1);
	put(c->b, " (\n%s\n) ENGINE = %s\nPARTITION BY %s\nORDER BY (%s)", cols, engine, part,
	    order);
	if (c->ttl && days)
		put(c->b, "\nTTL %s + INTERVAL %u DAY", tcol, days);
	put(c->b, ";\n\n");
	if (!c->cluster)
		return;
	put(c->b, "CREATE TABLE IF NOT EXISTS ");
	tname(c, name, 0);
	put(c->b, " AS ");
	tname(c, name, 1);
	put(c->b, "\nENGINE = Distributed(%s, %s, %s%s_local, cityHash64(host));\n\n", c->cluster,
	    c->db, c->prefix, name);
}

/* Roll-ups have no host column in every case: shard them at random. */
static void dist_rand(struct ctx *c, const char *name)
{
	if (!c->cluster)
		return;
	put(c->b, "CREATE TABLE IF NOT EXISTS ");
	tname(c, name, 0);
	put(c->b, " AS ");
	tname(c, name, 1);
	put(c->b, "\nENGINE = Distributed(%s, %s, %s%s_local, rand());\n\n", c->cluster, c->db,
	    c->prefix, name);
}

static void rollup_table(struct ctx *c, const char *name, const char *part, const char *key,
			 const char *engine, const char *cols, unsigned int days)
{
	put(c->b, "CREATE TABLE IF NOT EXISTS ");
	tname(c, name, 1);
	put(c->b, " (\n%s\n) ENGINE = %s\nPARTITION BY %s\nORDER BY (%s)", cols, engine, part,
	    key);
	if (c->ttl && days)
		put(c->b, "\nTTL t + INTERVAL %u DAY", days);
	put(c->b, ";\n\n");
	dist_rand(c, name);
}

/* NAME_mv feeding the roll-up NAME: SELECT select FROM from rest. */
static void view(struct ctx *c, const char *name, const char *select, const char *from,
		 const char *rest)
{
	put(c->b, "CREATE MATERIALIZED VIEW IF NOT EXISTS ");
	tname(c, name, 1);
	put(c->b, "_mv TO ");
	tname(c, name, 1);
	put(c->b, " AS\nSELECT ");
	textbuf_puts(c->b, select);
	put(c->b, "\nFROM ");
	tname(c, from, 1);
	put(c->b, "\n%s;\n\n", rest);
}

static void range_tables(struct ctx *c)
{
	struct xs_textbuf cols = {}, sums = {};
	static const char *const per[] = { "1m", "1h" };
	static const char *const start[] = { "toStartOfMinute", "toStartOfHour" };
	static const char *const part[] = { "toDate(t)", "toYYYYMM(t)" };
	char name[32];
	int i, k;

	put(&cols, "    ts DateTime('UTC'), ms UInt16, host String, ifname String, " VIEW_COLS ",\n"
		   "    range String, dir Enum8('in' = 1, 'out' = 2), interval_s Float64");
	for (i = 0; counters[i]; i++)
		put(&cols, ",\n    %s UInt64", counters[i]);
	put(&cols, ",\n    uniq_src UInt64, uniq_src_lower_bound UInt8");
	table(c, "range", cols.p ? cols.p : "", "ReplacingMergeTree", "toDate(ts)",
	      RANGE_KEY ", agent, ifindex", "ts", c->keep->raw);
	c->b->oom |= cols.oom;
	free(cols.p);
	for (k = 0; k < 2; k++) {
		memset(&cols, 0, sizeof(cols));
		memset(&sums, 0, sizeof(sums));
		put(&cols, "    t DateTime('UTC'), host String, ifname String, range String,\n"
			   "    dir Enum8('in' = 1, 'out' = 2), intervals UInt64, seconds Float64");
		for (i = 0; counters[i]; i++) {
			put(&cols, ",\n    %s UInt64", counters[i]);
			put(&sums, ", sum(%s) AS %s", counters[i], counters[i]);
		}
		snprintf(name, sizeof(name), "range_%s", per[k]);
		rollup_table(c, name, part[k], "range, dir, host, ifname, t", "SummingMergeTree",
			     cols.p ? cols.p : "", k ? c->keep->hour : c->keep->minute);
		{
			struct xs_textbuf sel = {};

			put(&sel, "%s(ts) AS t, host, ifname, range, dir, count() AS intervals, "
				  "sum(interval_s) AS seconds%s", start[k], sums.p ? sums.p : "");
			view(c, name, sel.p ? sel.p : "", "range", "GROUP BY t, host, ifname, range, dir");
			c->b->oom |= sel.oom;
			free(sel.p);
		}
		c->b->oom |= cols.oom | sums.oom;
		free(cols.p);
		free(sums.p);
	}
}

static void other_tables(struct ctx *c)
{
	table(c, "summary",
	      "    ts DateTime('UTC'), ms UInt16, host String, ifname String, interval_s Float64,\n"
	      "    pkts UInt64, bytes UInt64, ipv4 UInt64, ipv6 UInt64,\n"
	      "    non_ip_pkts UInt64, non_ip_bytes UInt64, malformed_pkts UInt64,\n"
	      "    malformed_bytes UInt64, unmatched_pkts UInt64, unmatched_bytes UInt64,\n"
	      "    missed_lookup_fail UInt64, missed_drains_late UInt64,\n"
	      "    missed_records_dropped UInt64, ranges UInt64, ranges_active UInt64,\n"
	      "    drain_ms Float64, kernel_mem UInt64, doc String,\n"
	      "    mitigation_blocked_in_pkts UInt64, mitigation_blocked_in_bytes UInt64,\n"
	      "    mitigation_blocked_out_pkts UInt64, mitigation_blocked_out_bytes UInt64,\n"
	      "    mitigation_filters UInt64, mitigation_full UInt64",
	      "ReplacingMergeTree", "toDate(ts)", "host, ifname, ts, ms", "ts", c->keep->raw);
	table(c, "alert",
	      "    ts DateTime('UTC'), ms UInt16, host String, ifname String, " VIEW_COLS ",\n"
	      "    id String, rule String, range String, dir Enum8('in' = 1, 'out' = 2),\n"
	      "    state String, metric String, value Float64, threshold Float64,\n"
	      "    severity Float64, attack String, target String, since String,\n"
	      "    duration_s Float64, peak Float64, pkts UInt64, bytes UInt64, doc String",
	      "ReplacingMergeTree", "toDate(ts)", ALERT_KEY ", agent, ifindex", "ts",
	      c->keep->alert);
	table(c, "sketch",
	      "    ts DateTime('UTC'), ms UInt16, host String, ifname String, range String,\n"
	      "    dir Enum8('in' = 1, 'out' = 2), window_s Float64, intervals UInt64,\n"
	      "    pkts UInt64, bytes UInt64, hll_p UInt8, src_exact UInt8,\n"
	      "    src_lower_bound UInt8, src_hashes Array(UInt64), hll_idx Array(UInt16),\n"
	      "    hll_rank Array(UInt8)",
	      "ReplacingMergeTree", "toDate(ts)", "range, dir, ts, host, ifname, ms", "ts",
	      c->keep->raw);
	table(c, "top",
	      "    ts DateTime('UTC'), ms UInt16, host String, ifname String, range String,\n"
	      "    dir Enum8('in' = 1, 'out' = 2), window_s Float64,\n"
	      "    list " LIST_ENUM ", key String,\n"
	      "    pkts UInt64, bytes UInt64, pkts_max UInt64, range_pkts UInt64",
	      "ReplacingMergeTree", "toDate(ts)", "range, dir, list, ts, host, ifname, ms, key",
	      "ts", c->keep->raw);
	/* Hourly roll-ups of the sketches: registers keep their max (the
	 * ReplacingMergeTree version column), the exact tier its hashes. */
	rollup_table(c, "hll_1h", "toYYYYMM(t)", "range, dir, hll_p, t, idx",
		     "ReplacingMergeTree(rank)",
		     "    t DateTime('UTC'), range String, dir Enum8('in' = 1, 'out' = 2),\n"
		     "    hll_p UInt8, idx UInt16, rank UInt8",
		     c->keep->hour);
	view(c, "hll_1h", "toStartOfHour(ts) AS t, range, dir, hll_p, i_ AS idx, max(r_) AS rank",
	     "sketch", "ARRAY JOIN hll_idx AS i_, hll_rank AS r_\nGROUP BY t, range, dir, hll_p, idx");
	rollup_table(c, "sketch_1h", "toYYYYMM(t)", "range, dir, t", "AggregatingMergeTree",
		     "    t DateTime('UTC'), range String, dir Enum8('in' = 1, 'out' = 2),\n"
		     "    exact AggregateFunction(min, UInt8),\n"
		     "    hashes AggregateFunction(groupUniqArrayArray, Array(UInt64)),\n"
		     "    lower_bound AggregateFunction(max, UInt8),\n"
		     "    pkts AggregateFunction(sum, UInt64)",
		     c->keep->hour);
	view(c, "sketch_1h", "toStartOfHour(ts) AS t, range, dir, minState(src_exact) AS exact, "
	     "groupUniqArrayArrayState(src_hashes) AS hashes, "
	     "maxState(src_lower_bound) AS lower_bound, sumState(pkts) AS pkts",
	     "sketch", "GROUP BY t, range, dir");
	rollup_table(c, "top_1h", "toYYYYMM(t)", "range, dir, list, t, key", "SummingMergeTree",
		     "    t DateTime('UTC'), range String, dir Enum8('in' = 1, 'out' = 2),\n"
		     "    list " LIST_ENUM ", key String,\n"
		     "    pkts UInt64, bytes UInt64, pkts_max UInt64",
		     c->keep->hour);
	view(c, "top_1h", "toStartOfHour(ts) AS t, range, dir, list, key, sum(pkts) AS pkts, "
	     "sum(bytes) AS bytes, sum(pkts_max) AS pkts_max", "top",
	     "GROUP BY t, range, dir, list, key");
}

/* The agent step: the columns after ifname, and in the sorting key of
 * the local table (18.16 takes a key grown by columns of the same ALTER
 * when they have no DEFAULT expression). */
static void upgrade_agent(struct ctx *c)
{
	size_t t;
	int local;

	for (t = 0; t < sizeof(keyed) / sizeof(keyed[0]); t++)
		for (local = 1; local >= (c->cluster ? 0 : 1); local--) {
			put(c->b, "ALTER TABLE ");
			tname(c, keyed[t].table, local);
			put(c->b, " ADD COLUMN agent String AFTER ifname, "
			    "ADD COLUMN ifindex UInt32 AFTER agent");
			if (local)
				put(c->b, ", MODIFY ORDER BY (%s, agent, ifindex)", keyed[t].key);
			put(c->b, ";\n");
		}
}

static void upgrade(struct ctx *c, int from)
{
	static const char *const views[] = { "range_1m", "range_1h" };
	size_t t, i;
	int local;

	put(c->b, "-- Once, on a store made before step %s.\n", chschema_steps[from - 1]);
	for (t = 0; t < sizeof(added) / sizeof(added[0]); t++) {
		if (added[t].step < from)
			continue;
		for (local = 1; local >= (c->cluster ? 0 : 1); local--) {
			for (i = 0; added[t].cols[i]; i++) {
				put(c->b, "ALTER TABLE ");
				tname(c, added[t].table, local);
				put(c->b, " ADD COLUMN %s UInt64;\n", added[t].cols[i]);
			}
		}
	}
	for (i = 0; from <= STEP_MITIGATION && i < 2; i++) {
		put(c->b, "DROP TABLE IF EXISTS ");
		tname(c, views[i], 1);
		put(c->b, "_mv;\n");
	}
	if (from <= STEP_AGENT)
		upgrade_agent(c);
	for (t = 0; t < sizeof(list_tables) / sizeof(list_tables[0]); t++)
		for (local = 1; local >= (c->cluster ? 0 : 1); local--) {
			put(c->b, "ALTER TABLE ");
			tname(c, list_tables[t], local);
			put(c->b, " MODIFY COLUMN list %s;\n", LIST_ENUM);
		}
	put(c->b, "DROP TABLE IF EXISTS ");
	tname(c, "top_1h", 1);
	put(c->b, "_mv;\n");
	put(c->b, "\n");
}

char *chschema_ddl(const struct xs_ch_names *n, const struct xs_ch_keep *keep, int ttl)
{
	return chschema_ddl_upgrade(n, keep, ttl, 0);
}

char *chschema_ddl_upgrade(const struct xs_ch_names *n, const struct xs_ch_keep *keep, int ttl,
			   int up)
{
	struct xs_textbuf b = {};
	struct ctx c = {
		.b = &b, .db = n->database ? n->database : XS_CH_DATABASE,
		.prefix = n->prefix ? n->prefix : "", .cluster = n->cluster, .keep = keep,
		.ttl = ttl,
	};

	put(&b, "CREATE DATABASE IF NOT EXISTS %s;\n\n", c.db);
	if (up)
		upgrade(&c, up);
	range_tables(&c);
	other_tables(&c);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

int chschema_check_time(const char *s)
{
	int y, mo, d, h, mi, se, n = 0;

	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 || s[n] ||
	    n != 19 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -EINVAL;
	return 0;
}

/* WHERE ... of a window and the range/dir asked for. */
static void where(struct xs_textbuf *b, const char *tcol, const struct xs_ch_qargs *a)
{
	put(b, "WHERE %s >= toDateTime('%s', 'UTC') AND %s < toDateTime('%s', 'UTC')", tcol,
	    a->from, tcol, a->to);
	if (a->range)
		put(b, " AND range = '%s'", a->range);	/* names hold no ' or \ */
	if (a->dir)
		put(b, " AND dir = '%s'", a->dir);
}

static void q_totals(struct ctx *c, const struct xs_ch_qargs *a)
{
	int i;

	put(c->b, "SELECT range, dir");
	for (i = 0; counters[i]; i++)
		put(c->b, ", sum(%s) AS %s", counters[i], counters[i]);
	put(c->b, ", %s AS intervals\nFROM ", a->hourly ? "sum(intervals)" : "count()");
	tname(c, a->hourly ? "range_1h" : "range", 0);
	put(c->b, "\n");
	where(c->b, a->hourly ? "t" : "ts", a);
	put(c->b, "\nGROUP BY range, dir\nORDER BY range, dir");
}

static void q_uniq(struct ctx *c, const struct xs_ch_qargs *a)
{
	const char *regs = a->hourly ? "hll_1h" : "sketch", *t = a->hourly ? "t" : "ts";

	put(c->b, "SELECT range, dir, toUInt64(if(exact = 1, toFloat64(exact_n), round(est))) AS uniq_src, "
		  "exact, lower_bound\nFROM (\n"
		  "  SELECT range, dir, p, pow(2, p) AS m, m - count() AS c0,\n"
		  "    countIf(r > 64 - p) AS cmax, sumIf(pow(2, -r), r <= 64 - p) AS mid,\n"
		  "    %s AS est\n  FROM (\n    SELECT range, dir, hll_p AS p, idx, max(", chschema_estimator);
	if (a->hourly) {
		put(c->b, "rank) AS r\n    FROM ");
		tname(c, regs, 0);
		put(c->b, "\n    ");
		where(c->b, t, a);
	} else {
		put(c->b, "r_) AS r\n    FROM ");
		tname(c, regs, 0);
		put(c->b, "\n    ARRAY JOIN hll_idx AS idx, hll_rank AS r_\n    ");
		where(c->b, t, a);
	}
	put(c->b, "\n    GROUP BY range, dir, p, idx)\n  GROUP BY range, dir, p)\nANY LEFT JOIN (\n");
	if (a->hourly) {
		put(c->b, "  SELECT range, dir, minMerge(exact) AS exact, "
			  "length(groupUniqArrayArrayMerge(hashes)) AS exact_n, "
			  "maxMerge(lower_bound) AS lower_bound\n  FROM ");
		tname(c, "sketch_1h", 0);
	} else {
		put(c->b, "  SELECT range, dir, min(src_exact) AS exact, "
			  "length(groupUniqArrayArray(src_hashes)) AS exact_n, "
			  "max(src_lower_bound) AS lower_bound\n  FROM ");
		tname(c, "sketch", 0);
	}
	put(c->b, "\n  ");
	where(c->b, t, a);
	put(c->b, "\n  GROUP BY range, dir) USING (range, dir)\nORDER BY range, dir");
}

static void q_top(struct ctx *c, const struct xs_ch_qargs *a, const char *list)
{
	put(c->b, "SELECT range, dir, key, pkts, bytes, pkts_max\nFROM (\n"
		  "  SELECT range, dir, key, sum(pkts) AS pkts, sum(bytes) AS bytes, "
		  "sum(pkts_max) AS pkts_max\n  FROM ");
	tname(c, a->hourly ? "top_1h" : "top", 0);
	put(c->b, "\n  ");
	where(c->b, a->hourly ? "t" : "ts", a);
	put(c->b, " AND list = '%s'\n  GROUP BY range, dir, key\n"
		  "  ORDER BY range, dir, pkts DESC, key)\nLIMIT %u BY range, dir", list,
	    a->limit ? a->limit : 10);
}

char *chschema_query(const struct xs_ch_names *n, enum xs_ch_query q,
		     const struct xs_ch_qargs *a)
{
	static const char *const lists[] = { "src", "dst", "dport", "sport" };
	struct xs_textbuf b = {};
	struct ctx c = {
		.b = &b, .db = n->database ? n->database : XS_CH_DATABASE,
		.prefix = n->prefix ? n->prefix : "", .cluster = n->cluster,
	};

	switch (q) {
	case XS_CHQ_TOTALS:
		q_totals(&c, a);
		break;
	case XS_CHQ_UNIQ_SRC:
		q_uniq(&c, a);
		break;
	case XS_CHQ_TOP_SRC:
	case XS_CHQ_TOP_DST:
	case XS_CHQ_TOP_DPORT:
	case XS_CHQ_TOP_SPORT:
		q_top(&c, a, lists[q - XS_CHQ_TOP_SRC]);
		break;
	case XS_CHQ_ALERTS:
		put(&b, "SELECT ts, ms, host, ifname, id, rule, range, dir, state, attack, metric, "
			"value, threshold, pkts, bytes\nFROM ");
		tname(&c, "alert", 0);
		put(&b, "\n");
		where(&b, "ts", a);
		put(&b, "\nORDER BY ts, ms, host, id");
		break;
	default:
		return NULL;
	}
	put(&b, "\n");
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* Days since the epoch of "YYYY-MM-DD" or "YYYYMM" (its last day), or -1. */
static long part_day(const char *s, int monthly)
{
	int y, m, d = 1, n = 0;
	long days;

	if (monthly) {
		if (sscanf(s, "%4d%2d%n", &y, &m, &n) != 2 || n != 6 || s[n])
			return -1;
	} else if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || s[n]) {
		return -1;
	}
	if (m < 1 || m > 12)
		return -1;
	if (monthly) {		/* the last day of the month: the first of the next - 1 */
		m++;
		if (m > 12) {
			m = 1;
			y++;
		}
	}
	/* days from civil (Howard Hinnant's algorithm) */
	y -= m <= 2;
	{
		long era = (y >= 0 ? y : y - 399) / 400;
		unsigned yoe = (unsigned)(y - era * 400);
		unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

		days = era * 146097 + (long)doe - 719468;
	}
	return monthly ? days - 1 : days;
}

char *chschema_retention(const struct xs_ch_names *n, const struct xs_ch_keep *keep,
			 long today, const char *parts)
{
	static const struct { const char *name; int kind; } tabs[] = {
		{ "range", 0 }, { "summary", 0 }, { "sketch", 0 }, { "top", 0 },
		{ "alert", 1 }, { "range_1m", 2 }, { "range_1h", 3 }, { "hll_1h", 3 },
		{ "sketch_1h", 3 }, { "top_1h", 3 },
	};
	const char *db = n->database ? n->database : XS_CH_DATABASE, *pre = n->prefix ? n->prefix : "";
	const char *suffix = n->cluster ? "_local" : "";
	struct xs_textbuf b = {};
	char table[256], part[64], want[256];
	const char *line = parts;
	unsigned int days;
	size_t i;
	long day;

	textbuf_puts(&b, "");
	while (line && *line) {
		if (sscanf(line, "%255[^\t]\t%63[^\n]", table, part) == 2) {
			for (i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++) {
				snprintf(want, sizeof(want), "%s%s%s", pre, tabs[i].name, suffix);
				if (strcmp(want, table))
					continue;
				days = tabs[i].kind == 0 ? keep->raw : tabs[i].kind == 1 ? keep->alert :
				       tabs[i].kind == 2 ? keep->minute : keep->hour;
				day = part_day(part, tabs[i].kind == 3);
				if (!days || day < 0 || day >= today - (long)days)
					break;
				if (tabs[i].kind == 3)
					put(&b, "ALTER TABLE %s.%s DROP PARTITION %s;\n", db, table, part);
				else
					put(&b, "ALTER TABLE %s.%s DROP PARTITION '%s';\n", db, table, part);
				break;
			}
		}
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
