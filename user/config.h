/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The validated, typed configuration, from any mix of: a JSON config file
 * (jansson), prefix-list files ("CIDR [NAME]" a line, # comments) and
 * --range CIDR[=NAME] arguments. No libbpf: links into unit tests.
 *
 * Every loader returns 0 or a negative errno and, on error, writes one
 * line into `err` naming the place and the expectation, without the
 * program name and without a newline, e.g.
 *   cfg.json: $.ranges[3].prefixes[0]: expected a CIDR, got "198.18.0.0/33"
 *   prefixes.txt:12: expected "CIDR [NAME]", got "198.18.0.0/24 a b"
 */
#ifndef XS_CONFIG_H
#define XS_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "cidr.h"
#include "xdpscope.h"

#define XS_ERR_LEN 512
#define XS_NAME_MAX 128			/* bytes of a range name */
#define XS_LINE_MAX 4096		/* bytes of a prefix-list line, without its newline */
#define XS_DEFAULT_INTERVAL_MS 1000
#define XS_DEFAULT_MAX_KERNEL_MEM (256ULL << 20)

struct xs_range {
	char *name;
	struct xs_prefix *prefixes;
	size_t nprefixes;
	size_t cap;
};

struct xs_config_index;

/* Sketch settings ("stats"). Defaults: XS_STATS_* below. */
#define XS_STATS_TOP_K 10
#define XS_STATS_HLL_P 14		/* 16384 registers, ~0.8% standard error */
#define XS_STATS_TOP_BUCKETS 256	/* x XS_TOP_WAYS entries a page and dimension */
#define XS_STATS_PAGES_MAX 64		/* default pool: one page a slot, at most this */
#define XS_STATS_DEFAULT_DIMS 0xf	/* src, dst, dport, sport (not syn) */
#define XS_STATS_STAGE_SETS 4096	/* x XS_STAGE_WAYS keys per CPU and epoch */
#define XS_STATS_FLOWS 4096		/* flow cache entries per CPU and epoch */
#define XS_STATS_STORM_FLOWS 16384	/* new flows of a range, CPU and epoch */
#define XS_STATS_STORM_SAMPLE 16	/* a storm counts 1 packet in this */

struct xs_stats_cfg {
	int enabled;			/* 0: counters only, no sketch maps */
	unsigned int top_k;		/* 1..XS_TOP_K_MAX entries a list */
	unsigned int dims;		/* bit (1 << enum xs_dim) per tracked dimension */
	unsigned int hll_precision;	/* XS_HLL_P_MIN..XS_HLL_P_MAX */
	unsigned int top_buckets;	/* power of 2, 1..65536 */
	unsigned int pages;		/* pool pages an epoch; 0: the default */
	unsigned int stage_sets;	/* per-CPU stage sets an epoch, power of 2 */
	unsigned int flows;		/* flow cache entries a CPU and epoch; 0: none */
	unsigned int storm_flows;	/* new flows before a storm; 0: never */
	int storm_flows_set;		/* the config gave it (replay: 0 otherwise) */
	unsigned int storm_sample;	/* power of 2: a storm counts 1 packet in this */
	int export_sketches;		/* records carry the HLL registers */
};

/*
 * Anomaly rules ("rules", "alerts"). A metric is one of enum xs_metric,
 * per (range, direction) and interval, or a ratio "a/b" of two of them.
 */
enum xs_metric {
	XS_M_PKTS = 0,
	XS_M_BYTES,
	XS_M_PPS,
	XS_M_BPS,
	XS_M_TCP_PPS,
	XS_M_TCP_BPS,
	XS_M_UDP_PPS,
	XS_M_UDP_BPS,
	XS_M_ICMP_PPS,
	XS_M_ICMP_BPS,
	XS_M_OTHER_PPS,
	XS_M_OTHER_BPS,
	XS_M_SYN_PPS,
	XS_M_SYNACK_PPS,
	XS_M_RST_PPS,
	XS_M_FIN_PPS,
	XS_M_FRAG_PPS,
	XS_M_UNIQ_SRC,		/* needs stats */
	XS_M_HOST_PPS,		/* the busiest host of the range: top_dst (in), top_src (out) */
	XS_M_HOST_BPS,
	XS_M_HOST_SHARE,	/* its packets over the range's, 0..1 */
	XS_M_HOST_SYN_PPS,	/* its TCP SYNs without ACK: top_syn (stats.top "syn") */
	XS_M_MAX,
};

extern const char *const config_metric_names[XS_M_MAX];

/* A metric, or num/den (den >= 0): num / max(den, 1). */
struct xs_expr {
	int num;
	int den;		/* -1: no ratio */
};

/* A threshold: `value`, or pct % of `of` (a metric of the same record, or
 * the link speed when of_link), never below `min`. */
struct xs_thresh {
	double value;
	int is_pct;
	double pct;
	struct xs_expr of;
	int of_link;
	double min;
};

struct xs_cond {
	struct xs_expr m;
	int below;		/* 0: above */
	struct xs_thresh t;
};

/* A learned level: EWMA mean and deviation with time constant window_s;
 * the threshold is max(min, mean + k * dev, factor * mean) over the
 * terms configured (k, factor 0: not used), after warmup_s of learning. */
struct xs_baseline {
	double window_s;
	double factor;
	double k;
	double min;
	double warmup_s;
};

#define XS_RULE_AND_MAX 8		/* "and" conditions a rule */
#define XS_RULE_DIR_IN (1U << XS_DIR_IN)
#define XS_RULE_DIR_OUT (1U << XS_DIR_OUT)

struct xs_rule {
	char *name;
	struct xs_cond cond;		/* cond.t unused with a baseline */
	int has_baseline;
	struct xs_baseline bl;
	struct xs_cond *and_conds;	/* must hold too, to start */
	size_t nand;
	unsigned int dirs;		/* XS_RULE_DIR_* */
	char **ranges;			/* NULL: every range */
	size_t nranges;
	double for_s;			/* condition held this long before start */
	struct {			/* "mitigate": filters at the alert's start */
		int on;
		uint32_t pps;		/* 0: drop */
		int range;		/* scope "range": the range's prefixes, not
					 * the victim host */
	} mit;
	double clear_s;			/* and released this long before end */
	double hysteresis;		/* release at threshold * (1 -/+ h) */
};

#define XS_ALERT_EXEC_TIMEOUT_S 10.0
#define XS_ALERT_EXEC_MAX 4
#define XS_ALERT_ONGOING_S 10.0
#define XS_ALERT_TOP_N 5
#define XS_ALERT_MAX_HOSTS 8
#define XS_ALERT_CHECK_MS 100
#define XS_ALERT_STATE_SAVE_S 300.0
#define XS_RULE_CLEAR_S 5.0
#define XS_RULE_HYSTERESIS 0.1

struct xs_alerts_cfg {
	char **exec_argv;		/* NULL: no hook; NULL-terminated */
	double exec_timeout_s;
	unsigned int exec_max;		/* hooks in flight at most */
	double ongoing_s;		/* 0: an ongoing record every interval */
	unsigned int top_n;		/* entries of each top list in an alert */
	unsigned int max_hosts;		/* hosts of a range alerting at once, a rule */
	unsigned int check_ms;		/* early detection tick, 0: off */
	double link_bps;		/* 0: not configured */
	char *state_file;		/* NULL: baselines die with the process */
	double state_save_s;
};

/* output.clickhouse (config_ch.c); the strings are NULL when not given. */
struct xs_ch_cfg {
	char *url;			/* http(s)://HOST:PORT; --clickhouse overrides */
	char *database;			/* NULL: "xdpscope" */
	char *user, *password, *password_file;
	char *table_prefix;		/* NULL: none */
	char *ca_file, *cert_file, *key_file;
	int insecure;
	unsigned int sketch_interval_s;	/* 0: 300 */
	unsigned int hll_precision;	/* 0: min(stats.hll_precision, 12) */
	uint64_t buffer;		/* bytes waiting at most; 0: 64 MiB */
};

/* output.influx (config_influx.c); the strings are NULL when not given.
 * The token and a password_file's password are read at load. */
struct xs_influx_cfg {
	char *url;			/* --influx overrides */
	int version;			/* 1 or 2; 0: 2 when the path is /api/v2/write */
	char *db;			/* 1.x */
	char *org, *bucket;		/* 2.x */
	char *user, *password, *password_file;	/* 1.x, basic authentication */
	char *token, *token_file;	/* 2.x */
	char *ca_file, *cert_file, *key_file;
	int insecure;
	uint64_t buffer;		/* bytes waiting at most; 0: 64 MiB */
};

/* Prometheus ("metrics"): the top lists of the ranges named here are
 * series, one a key (bounded: ranges x 2 directions x 4 lists x top_n);
 * no range named, no top-key series. */
#define XS_METRICS_TOP_RANGES_MAX 64
#define XS_METRICS_TOP_N_MAX 3

struct xs_metrics_cfg {
	char **top_ranges;		/* range names; NULL: none */
	size_t ntop_ranges;
	unsigned int top_n;		/* 1..XS_METRICS_TOP_N_MAX keys a list */
};

/* mitigation (config_mitig.c): opt-in XDP filters, README "Mitigation". */
#define XS_MIT_MAX_FILTERS 64		/* default max_filters */
#define XS_MIT_FILTERS_LIMIT 4096	/* highest max_filters */
#define XS_MIT_ALLOW_LIMIT 1024		/* allow prefixes at most */
#define XS_MIT_TTL_S 600
#define XS_MIT_TTL_MAX_S 604800		/* a week */
#define XS_MIT_HOLD_S 30
#define XS_MIT_HOLD_MAX_S 86400

struct xs_mitig_cfg {
	int enabled;			/* 0: the program never drops */
	int dry_run;			/* count what would be dropped, drop nothing */
	struct xs_prefix *allow;	/* sources never dropped */
	size_t nallow;
	unsigned int max_filters;	/* 1..XS_MIT_FILTERS_LIMIT */
	double max_share;		/* (0, 1]: share of a range's packets a
					 * filter may drop in a second; 1: all */
	unsigned int ttl_s;		/* a filter's lifetime unless told */
	unsigned int hold_s;		/* an alert's filter stays this long after
					 * the alert's end */
};

/* The sFlow collector ("sflow"; collect --sflow). */
#ifndef XS_SFLOW_AGENTS_MAX
#define XS_SFLOW_AGENTS_MAX 256		/* prefixes in sflow.agents */
#endif
#define XS_SFLOW_VIEWS_MAX 4096		/* sflow.max_views */
#define XS_SFLOW_VIEWS_DEFAULT 0	/* as many as max_kernel_mem fits, at most: */
#define XS_SFLOW_VIEWS_AUTO 16

enum xs_sflow_view {
	XS_SFLOW_VIEW_NONE = 0,		/* no per-view figures */
	XS_SFLOW_VIEW_AGENT,		/* per agent */
	XS_SFLOW_VIEW_IFINDEX,		/* per agent and input ifIndex */
};

struct xs_sflow_cfg {
	struct xs_prefix agents[XS_SFLOW_AGENTS_MAX];	/* agents accepted */
	size_t nagents;			/* 0: every agent */
	enum xs_sflow_view views;
	unsigned int max_views;		/* views (an object each); the rest: "other";
					 * 0: as many as fit, XS_SFLOW_VIEWS_AUTO at most */
};

struct xs_config {
	unsigned int interval_ms;	/* 10 .. 3600000 */
	struct xs_range *ranges;	/* range id = index + 1 */
	size_t nranges;
	size_t cap;
	char *output_file;		/* NULL: stdout */
	struct xs_ch_cfg clickhouse;
	struct xs_influx_cfg influx;
	uint64_t max_kernel_mem;	/* bytes */
	struct xs_stats_cfg stats;
	struct xs_rule *rules;
	size_t nrules;
	struct xs_alerts_cfg alerts;
	struct xs_metrics_cfg metrics;
	struct xs_mitig_cfg mitigation;
	struct xs_sflow_cfg sflow;
	char *source;			/* for messages: file the ranges came from */
	struct xs_config_index *index;	/* private to config.c: name and prefix
					 * lookups, rebuilt if ranges are added
					 * by hand */
};

/*
 * On a load error `cfg` may hold part of the input: config_free it. A range
 * name is 1..XS_NAME_MAX-1 bytes of printable ASCII (space included, not at
 * either end) without '"' or '\\', so messages and JSON records carry it as is.
 */
void config_init(struct xs_config *cfg);
void config_free(struct xs_config *cfg);

/*
 * JSON config. Keys (all optional): interval_ms (integer), ranges (array of
 * {"name": string, "prefixes": [CIDR, ...]}), ranges_file (string, relative
 * to the config's directory), output: {"file": string}, max_kernel_mem
 * (integer bytes or a string with a K/M/G/T suffix, powers of 1024), stats:
 * {"enabled": bool, "top_k": 1..64, "top": ["src", "dst", "dport", "sport"],
 * "hll_precision": 8..16, "top_buckets": power of 2, "pages": integer,
 * "stage_sets": power of 2, "flows": 0 or a power of 2, "storm_flows": integer,
 * "storm_sample": power of 2,
 * "export_sketches": bool}, rules (array, config_rules.c), alerts (object,
 * config_rules.c), metrics: {"top_ranges": [range name, ...] (at most
 * XS_METRICS_TOP_RANGES_MAX), "top_n": 1..XS_METRICS_TOP_N_MAX}, sflow:
 * {"agents": [CIDR, ...], "views": "none" | "agent" | "ifindex",
 * "max_views": 1..XS_SFLOW_VIEWS_MAX} (config_sflow.c). Unknown
 * keys are errors (a typo must not be silently ignored). Ranges are added in
 * file order, then those of ranges_file; a name seen before merges.
 */
int config_load_json(struct xs_config *cfg, const char *path, char *err, size_t errlen);

/* Prefix list: a regular file (as the JSON config: no pipe, device or
 * directory), "CIDR [NAME]" a line of at most XS_LINE_MAX bytes; a read
 * error is an error. Blank lines and # comments (whole or
 * trailing) skipped, CRLF ends accepted; lines naming the same NAME form
 * one range; a line without a name forms a range named by its CIDR in
 * canonical form ("2001:DB8::/32" -> "2001:db8::/32"). Thousands of lines
 * load in milliseconds. */
int config_load_prefix_file(struct xs_config *cfg, const char *path, char *err,
			    size_t errlen);

/* One --range argument: "CIDR" or "CIDR=NAME" (same merging rules). */
int config_add_range_arg(struct xs_config *cfg, const char *arg, char *err, size_t errlen);

/* Add one prefix to the range called `name`, creating it if needed. The
 * same prefix twice in one range is kept once (merged prefix lists repeat
 * lines); the same prefix in two ranges is left to config_validate. */
int config_add_prefix(struct xs_config *cfg, const char *name, const struct xs_prefix *p,
		      char *err, size_t errlen);

/*
 * Whole-config checks after every source is loaded: at least one range, no
 * prefix in two ranges (naming both), no range without prefixes, no two
 * ranges of one name, names as above, interval_ms in range.
 */
int config_validate(const struct xs_config *cfg, char *err, size_t errlen);

/* The same checks but the first: no range at all is fine (replay, where no
 * interface gives default ranges: every IP packet is unmatched). */
int config_validate_empty_ok(const struct xs_config *cfg, char *err, size_t errlen);

/* "256M", "1G", "1048576" -> bytes: digits, then at most one of K/M/G/T
 * (either case). 0 or -EINVAL, also on overflow. */
int parse_size(const char *s, uint64_t *out);

/* What a SIGHUP cannot change under a running daemon: NULL when a and b
 * agree on it, else its name ("interval_ms", "output.file",
 * "max_kernel_mem"). */
const char *config_fixed_diff(const struct xs_config *a, const struct xs_config *b);
/* The same ranges (names and prefixes, in order). */
int config_same_ranges(const struct xs_config *a, const struct xs_config *b);

/* Rules against the rest of the config: the ranges they name exist, the
 * metrics they use are measured (uniq_src and host_* need stats). */
int config_check_rules(const struct xs_config *cfg, char *err, size_t errlen);
void config_free_rules(struct xs_config *cfg);

/* metrics.top_ranges against the ranges: each exists. */
int config_check_metrics(const struct xs_config *cfg, char *err, size_t errlen);
void config_free_metrics(struct xs_config *cfg);

/*
 * alerts.exec against the file system, when the program is about to be
 * used (check-config, run, SIGHUP): 0 if unset or a program this process
 * may run (access X_OK, not a directory); else -errno and, in err,
 * `alerts.exec: PATH: expected an executable program: REASON` with PATH
 * escaped (log_escape) and REASON strerror's; callers add their prefix.
 */
int config_check_exec(const struct xs_config *cfg, char *err, size_t errlen);

/* Range id (index + 1) of the range called `name`, 0 if none: a probe of
 * the name index the loaders keep, a scan if ranges were added by hand. */
uint32_t config_range_id(const struct xs_config *cfg, const char *name);

/* "syn_pps" -> XS_M_SYN_PPS; -1 for an unknown name. */
int config_metric(const char *name);
/* "syn_pps/synack_pps" or "pps" into e; 0 or -EINVAL. */
int config_expr(const char *s, struct xs_expr *e);
/* e as the config spells it; buf of at least 64 bytes. */
const char *config_expr_name(const struct xs_expr *e, char *buf, size_t len);

/* "src", "dst", "dport", "sport" -> enum xs_dim; -1 for anything else. */
int config_dim(const char *name);
extern const char *const config_dim_names[XS_DIM_MAX];

/* Pool pages an epoch for `nslots` slots: stats.pages (default
 * XS_STATS_PAGES_MAX), at most one a slot. */
unsigned int config_pages(const struct xs_stats_cfg *st, uint32_t nslots);

#endif /* XS_CONFIG_H */
