/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ClickHouse schema the sink writes to, and the queries that read the
 * fleet from it: written here once, printed by `xdpscope clickhouse-schema`
 * and `xdpscope clickhouse-query`, and applied by the tests. SQL that
 * ClickHouse 18.16 (Debian 12) and current releases both take. No libbpf.
 */
#ifndef XS_CHSCHEMA_H
#define XS_CHSCHEMA_H

#include <stddef.h>

#define XS_CH_DATABASE "xdpscope"
#define XS_CH_SKETCH_S 300

/* Tables the sink inserts into, in the sink's order. */
extern const char *const chschema_table_names[5];

/* How long each kind of table keeps its data (days); 0: for ever. */
struct xs_ch_keep {
	unsigned int raw;	/* range, summary, sketch, top: 7 */
	unsigned int alert;	/* 365 */
	unsigned int minute;	/* range_1m: 90 */
	unsigned int hour;	/* *_1h: 730 */
};

struct xs_ch_names {
	const char *database;	/* NULL: XS_CH_DATABASE */
	const char *prefix;	/* NULL: "" */
	const char *cluster;	/* NULL: one server, no Distributed tables */
};

void chschema_keep_default(struct xs_ch_keep *k);

/* The whole schema, statements separated by ";\n\n" (clickhouse-client
 * --multiquery takes it as is); ttl: TTL clauses (ClickHouse 19.6 and
 * later) from keep. malloc'd, NULL: ENOMEM. */
char *chschema_ddl(const struct xs_ch_names *n, const struct xs_ch_keep *keep, int ttl);
/* The same, with `up`: first what a store made before the mitigation
 * columns needs, once (ALTER ... ADD COLUMN, the range roll-ups' views
 * dropped to be made again below). */
char *chschema_ddl_upgrade(const struct xs_ch_names *n, const struct xs_ch_keep *keep, int ttl,
			   int up);

enum xs_ch_query {
	XS_CHQ_TOTALS,
	XS_CHQ_UNIQ_SRC,
	XS_CHQ_TOP_SRC,
	XS_CHQ_TOP_DST,
	XS_CHQ_TOP_DPORT,
	XS_CHQ_TOP_SPORT,
	XS_CHQ_ALERTS,
	XS_CHQ_MAX,
};

extern const char *const chschema_query_names[XS_CHQ_MAX];

struct xs_ch_qargs {
	const char *from, *to;	/* "YYYY-MM-DD hh:mm:ss" UTC, to excluded */
	const char *range;	/* NULL: every range */
	const char *dir;	/* NULL: both */
	unsigned int limit;	/* top lists: keys a (range, dir); 0: 10 */
	int hourly;		/* read the hourly roll-ups */
};

/* A query (SELECT ... FORMAT-less), malloc'd; NULL: ENOMEM. Arguments are
 * checked by chschema_check_time() and config_name_ok() before. */
char *chschema_query(const struct xs_ch_names *n, enum xs_ch_query q,
		     const struct xs_ch_qargs *a);

/* "YYYY-MM-DD hh:mm:ss": 0, or -EINVAL. */
int chschema_check_time(const char *s);

/*
 * The distinct-count estimator of sketch.c (hll_estimate(), Ertl's
 * improved estimator) as one SQL expression over the merged registers'
 * histogram, which the query names: p (precision), m (2^p), c0 (registers
 * at 0), cmax (registers above 64 - p), mid (sum of 2^-r over the others).
 */
extern const char chschema_estimator[];

/* Retention: the statements that drop the partitions older than keep,
 * given today's date (days since the epoch) and the partitions
 * ("table\tpartition" lines from system.parts): ";\n" separated, malloc'd
 * (empty: nothing to drop). */
char *chschema_retention(const struct xs_ch_names *n, const struct xs_ch_keep *keep,
			 long today, const char *parts);

#endif /* XS_CHSCHEMA_H */
