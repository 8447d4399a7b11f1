/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records as NDJSON lines (DESIGN.md, Records), and the output they are
 * written to. Every record is built whole in memory and written with one
 * write(); a short write is rolled back (file truncated to where the line
 * started) and counted, so a reader never sees half a record. No libbpf:
 * links into unit tests.
 */
#ifndef XS_EMIT_H
#define XS_EMIT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "xdpscope.h"
#include "act.h"
#include "mitigate.h"

struct xs_hook_stats;

#define XS_SCHEMA 1

struct xs_rec_meta {
	const char *host;
	const char *ifname;
	const char *agent;	/* collect: the sFlow agent(s) the records cover;
				 * NULL: no "agent" key (run, replay) */
	int has_ifindex;	/* collect, sflow.views "ifindex": an "ifindex"
				 * key, 1: ifindex, 2: null (no ifIndex known) */
	uint32_t ifindex;
	int view;		/* collect: the records of a view's own object
				 * (sflow.views), not the collector's */
	struct timespec ts;	/* end of the interval (wall clock or capture time) */
	double interval_s;	/* length of the interval the deltas cover */
	int mitigation;		/* mitigation on: range records say what
				 * passed and what was blocked */
};

struct xs_prog_stat {
	const char *hook;	/* "xdp" or "tc" */
	const char *mode;	/* "native", "generic", "egress", "test_run" */
	uint32_t prog_id;
	int has_ns;		/* run_time_ns/run_cnt known (bpf_stats_enabled) */
	double ns_per_pkt;
	uint64_t run_cnt;	/* runs in the interval, when has_ns */
};

/* Replay only: what happened to the capture's frames in the interval. */
struct xs_replay_stat {
	uint64_t frames;		/* frames binned into the interval */
	uint64_t late;			/* of those, frames whose timestamp is in an
					 * interval already written */
	uint64_t refused;		/* frames the kernel's test runner refused,
					 * in no other counter */
	uint64_t bad_ts;		/* records whose sub-second field was out of
					 * range, clamped (printed when not 0) */
	uint64_t not_pass;		/* frames the program did not pass (a
					 * mitigation filter dropped them; printed
					 * when not 0) */
};

/* One statistic of a sink, for the summary's "sinks" object (sink.h). */
struct xs_sink_stat {
	const char *key;
	uint64_t value;
	int is_signed;			/* value holds an int64_t */
};

#define XS_SINK_STATS_MAX 8
#define XS_SINKS_MAX 8

struct xs_sink_view {
	const char *name;
	size_t n;
	struct xs_sink_stat st[XS_SINK_STATS_MAX];
};

struct xs_summary {
	struct xs_global g;		/* deltas of the whole-program counters */
	struct xs_counters unmatched;	/* delta of slot 0 */
	uint64_t in_pkts, in_bytes;	/* sums over range records, dir in */
	uint64_t out_pkts, out_bytes;	/* dir out */
	uint64_t ranges;		/* configured ranges */
	uint64_t ranges_active;		/* (range, dir) records in the interval */
	double drain_ms;		/* time the drain took */
	uint64_t drains_late;		/* drains that started > 1 interval late */
	double gap_s;			/* time without packets before this interval (replay) */
	struct xs_prog_stat progs[2];
	int nprogs;
	uint64_t kernel_mem;		/* bytes of kernel memory in our maps */
	int sk_on;			/* sketches on: the "sketch" object below */
	uint64_t sk_pages;		/* pool pages an epoch */
	uint64_t sk_pages_used;		/* pages slots asked for (may exceed sk_pages) */
	uint64_t sk_pool_empty;		/* slots refused a page: uniq_src a lower bound */
	uint64_t sk_races;		/* sketch updates lost to concurrent ones */
	uint64_t sk_torn;		/* top entries dropped: key lost a race */
	const struct xs_replay_stat *replay;	/* NULL: a live run */
	int mit_on;				/* the "mitigation" object below */
	uint64_t in_blocked_pkts, in_blocked_bytes;	/* sums over range records */
	uint64_t out_blocked_pkts, out_blocked_bytes;
	uint64_t mit_full;			/* filter adds refused (cumulative) */
	const struct xs_mit_info *mit_filters;	/* the live filters, by id */
	size_t mit_nfilters;
	struct json_t *sflow;			/* collect: the "sflow" object (the
						 * caller's; NULL: none) */
	int rules_on;				/* the "alerts" object below */
	struct {
		uint64_t active, started, ended, early, hosts_suppressed;
	} alerts;
	int act_on;				/* run with mitigation: alerts.filters */
	struct xs_act_stats act;
	/* Every open sink's statistics (cumulative), in the order of the
	 * table: "sinks":{NAME:{KEY:VALUE}}. Kept where schema 1 had them
	 * too: the file's "dropped" as missed.records_dropped, the hook's as
	 * alerts.hooks, InfluxDB's as "influx". */
	struct xs_sink_view sinks[XS_SINKS_MAX];
	size_t nsinks;
};

/* The statistics of the sink `name` in s, NULL when it has none; one of
 * them by key (0 when absent; *found set to 1 when present). */
const struct xs_sink_view *emit_sink_view(const struct xs_summary *s, const char *name);
uint64_t emit_sink_stat(const struct xs_sink_view *v, const char *key, int *found);

/* Enough for format_rfc3339_ms() (24 characters and the NUL). */
#define XS_TS_LEN 32

/* "2026-11-25T10:00:01.000Z" (UTC, milliseconds, truncated). Seconds
 * outside years 0000..9999 are clamped to those bounds. */
void format_rfc3339_ms(const struct timespec *ts, char *buf, size_t len);

/*
 * One NDJSON line, newline included, malloc'd (free() it); NULL with errno
 * ENOMEM, or EINVAL for a dir other than XS_DIR_IN/XS_DIR_OUT. Counters
 * above INT64_MAX (a wrapped delta) are written as INT64_MAX, never as a
 * negative number; rates are 0.0 when interval_s is not positive.
 * range: {"schema":1,"type":"range","ts","host","ifname","interval_s",
 *   "range","dir","pkts","bytes","pps","bps","proto":{"tcp":{"pkts",
 *   "bytes"},...},"tcp_flags":{"syn","synack","rst","fin"},"frags",
 *   "size_hist":{"le64",...,"gt1518"}}
 * summary: {"schema":1,"type":"summary","ts","host","ifname","interval_s",
 *   "pkts","bytes","pps","bps","ipv4","ipv6","non_ip":{"pkts","bytes"},
 *   "malformed":{..},"unmatched":{"pkts","bytes","proto":{..}},
 *   "dir":{"in":{..},"out":{..}},"errors":{"eth","vlan","ipv4","ipv6",
 *   "ipv6_ext","tcp","udp","icmp","vlan_deep"},"missed":{"lookup_fail",
 *   "drains_late","records_dropped"},"ranges","ranges_active","drain_ms",
 *   "gap_s" (only when > 0),"programs":[{"hook","mode","id","ns_per_pkt",
 *   "runs" (these two only when has_ns)}],"kernel_mem","replay":{"frames",
 *   "late","refused"} (only when s->replay)}
 */
char *emit_range(const struct xs_rec_meta *m, const char *range, int dir,
		 const struct xs_counters *delta);
char *emit_summary(const struct xs_rec_meta *m, const struct xs_summary *s);

/* emit_range() with the sketches of the slot after size_hist: "uniq_src",
 * "uniq_src_lower_bound":true (only when the pool was empty), then
 * "top_src", "top_dst" ([{"addr","pkts","bytes"}]), "top_dport",
 * "top_sport" ([{"port","pkts","bytes"}]) for the tracked dimensions, and
 * with export_sketches "hll":{"p","regs"} (hll_export()). l or sk NULL:
 * none of these. The summary's "sketch" object: {"pages","pages_used",
 * "pool_empty","races","dropped","torn"}. */
struct xs_sk_layout;
struct xs_sk_result;
char *emit_range_sk(const struct xs_rec_meta *m, const char *range, int dir,
		    const struct xs_counters *delta, const struct xs_sk_layout *l,
		    const struct xs_sk_result *sk);

/* An `alert` record (DESIGN.md, Records): id, rule, range, dir, state,
 * metric, value, threshold ("below" for a below rule), baseline {mean,
 * dev} (baseline rules), severity, attack, since, duration_s, peak, pkts,
 * bytes, reason (end), target (host_* metrics), and (start, with "and"
 * conditions) [{metric, value, threshold}], then the first top_n entries
 * of each tracked top list of the interval. */
struct xs_alert;
char *emit_alert(const struct xs_rec_meta *m, const struct xs_alert *a, unsigned int top_n);

/* The record as a tree (jansson), the same fields as the line; NULL with
 * errno ENOMEM or EINVAL. emit_dump() makes its line (newline included,
 * malloc'd) and leaves the tree alone. */
typedef struct json_t json_t;
json_t *emit_range_doc(const struct xs_rec_meta *m, const char *range, int dir,
		       const struct xs_counters *delta, const struct xs_sk_layout *l,
		       const struct xs_sk_result *sk);
json_t *emit_alert_doc(const struct xs_rec_meta *m, const struct xs_alert *a, unsigned int top_n);
json_t *emit_summary_doc(const struct xs_rec_meta *m, const struct xs_summary *s);
char *emit_dump(const json_t *doc);


#endif /* XS_EMIT_H */
