/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sinks: where an interval's records go. Every output (the NDJSON file or
 * stdout, Prometheus, InfluxDB, the alert hook) is one struct xs_sink_ops
 * in its own file and one line in the table of sinks.c; the reporter hands
 * each record to every open sink and knows none of them.
 *
 * A record is typed (range, alert, summary) and carries the structs it is
 * made of; its JSON document (emit.c) is built once, the first time a sink
 * asks for it, and shared by all: the file writes it, InfluxDB walks it,
 * the hook pipes it. A sink never blocks the interval: one that talks to
 * the network hands a batch to its own thread.
 *
 * Adding a sink: a file with its ops, one line in sinks.c's table, and
 * its option (`option` below: `run` offers it with no other change).
 * No libbpf.
 */
#ifndef XS_SINK_H
#define XS_SINK_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "emit.h"

struct xs_alert;
struct xs_sk_layout;
struct xs_sk_result;
typedef struct json_t json_t;

enum xs_rec_type {
	XS_REC_RANGE,
	XS_REC_ALERT,
	XS_REC_SUMMARY,
};

struct xs_record {
	enum xs_rec_type type;
	const struct xs_rec_meta *m;
	/* range */
	const char *range;
	int dir;
	uint32_t slot;
	const struct xs_counters *delta;
	const struct xs_sk_layout *skl;		/* NULL: no sketches for it */
	const struct xs_sk_result *sk;
	/* alert: `alert` is valid only while the rules call back (its figures
	 * are the slot's being read), so the reporter builds the document
	 * then and keeps its id and state here */
	const struct xs_alert *alert;
	unsigned int top_n;
	char alert_id[24];
	int alert_state;		/* enum xs_alert_state */
	/* summary */
	const struct xs_summary *s;
	/* built on demand (sink_record_doc, sink_record_line), freed by
	 * sink_record_done */
	json_t *doc;
	char *line;
	size_t len;
	int oom;
};

/* The record's JSON document (owned by the record), or NULL (ENOMEM). */
json_t *sink_record_doc(struct xs_record *r);
/* Its NDJSON line, newline included (owned by the record), or NULL. */
const char *sink_record_line(struct xs_record *r, size_t *len);
void sink_record_done(struct xs_record *r);

/* What a sink gets at the end of each interval, after the summary. */
struct xs_ie_view {
	const struct xs_rec_meta *m;
	uint32_t nslots;
	const struct xs_counters *cur;		/* cumulative, per slot */
	void *rules;				/* for foreach_alert; NULL: none */
};

struct xs_interval_end {
	const struct xs_rec_meta *m;
	const struct xs_summary *s;
	uint32_t nslots;
	const struct xs_counters *cur;		/* cumulative, per slot */
	const struct xs_global *gcur;		/* cumulative */
	/* The alerts between start and end: fn once for each. */
	void (*foreach_alert)(void *rules, void (*fn)(void *ctx, const char *rule,
						      uint32_t slot, const uint8_t *host,
						      const char *attack),
			      void *ctx);
	void *rules;
	/* collect's views (sflow.views): more objects' counters and alerts,
	 * each with its meta (agent, ifindex); rules NULL: none. */
	const struct xs_ie_view *views;
	size_t nviews;
};

enum xs_cmd {
	XS_CMD_RUN = 1,
	XS_CMD_REPLAY = 2,
	XS_CMD_COLLECT = 4,
};

/* What every sink may look at when it opens or reloads. */
struct xs_sink_env {
	const struct xs_config *cfg;
	enum xs_cmd cmd;
	const char *arg;		/* its option's value, NULL: none given */
};

struct xs_sink_ops {
	const char *name;		/* its key in the summary's "sinks" */
	const char *option;		/* long option; NULL: opened by the config */
	const char *metavar;		/* the option's value, for --help */
	const char *help;		/* the option's --help text (may hold \n) */
	unsigned int cmds;		/* XS_CMD_* offering the option */
	/* Opened without its option too when this says the config asks for
	 * it (NULL: only with the option). */
	int (*wanted)(const struct xs_config *cfg);
	/* The option's value at parse time: 0 or -EINVAL with err. */
	int (*check)(const char *arg, char *err, size_t errlen);
	/* Open. NULL with *e = 0: not wanted here; NULL with *e < 0: failed,
	 * err says why. */
	void *(*open)(const struct xs_sink_env *env, int *e, char *err, size_t errlen);
	/* Where its records go, for messages (NULL: its name). */
	const char *(*where)(void *st);
	/* One record; 0 or -errno (counted by the sink, told once a streak
	 * by sinks_record). */
	int (*record)(void *st, struct xs_record *r);
	void (*interval_end)(void *st, const struct xs_interval_end *ie);
	/* Counters since start; returns how many were filled. */
	size_t (*stats)(void *st, struct xs_sink_stat *out);
	/* SIGHUP with a config that may differ in what this sink reads of
	 * it: 0 or -errno with err (then the old settings stay). */
	int (*reload)(void *st, const struct xs_sink_env *env, char *err, size_t errlen);
	/* Finish what waits (bounded), free; returns what it had to give up
	 * at this stop (rows a store did not take in time), 0: nothing. */
	uint64_t (*stop)(void *st);
};

extern const struct xs_sink_ops sink_file_ops, sink_prom_ops, sink_influx_ops, sink_hook_ops,
	sink_clickhouse_ops;

/* The table, NULL-terminated. */
extern const struct xs_sink_ops *const xs_sinks[];

/* The open sinks of a daemon. */
struct xs_sinks {
	const struct xs_sink_ops *ops[XS_SINKS_MAX];
	void *st[XS_SINKS_MAX];
	int failing[XS_SINKS_MAX];	/* told once per streak of errors */
	size_t n;
};

/* Every sink of the table that env->cmd wants: those whose option has a
 * value in args[i] (i its index in the table), and those without option
 * that open by the config. 0 or -errno with err (nothing left open). */
int sinks_open(struct xs_sinks *ss, const struct xs_config *cfg, enum xs_cmd cmd,
	       const char *const *args, char *err, size_t errlen);
/* Give the record to every sink; the first -errno, or 0. A sink's error is
 * told on stderr once per streak. */
int sinks_record(struct xs_sinks *ss, struct xs_record *r);
void sinks_interval_end(struct xs_sinks *ss, const struct xs_interval_end *ie);
/* Fill s->sinks from every sink's stats. */
void sinks_stats(struct xs_sinks *ss, struct xs_summary *s);
/* 0, or the first sink's -errno (told on stderr); the others reload. */
int sinks_reload(struct xs_sinks *ss, const struct xs_config *cfg, enum xs_cmd cmd);
/* Stop them all; returns what they gave up at the stop. */
uint64_t sinks_stop(struct xs_sinks *ss);
/* The state of the sink named `name`, NULL when it is not open. */
void *sinks_find(const struct xs_sinks *ss, const struct xs_sink_ops *ops);

/* Around the start of a sink's thread (its own, or a library's): the
 * thread inherits a mask that leaves SIGINT, SIGTERM and SIGHUP to the
 * main thread, whose sleep they interrupt. */
void sink_signals_block(sigset_t *old);
void sink_signals_restore(const sigset_t *old);

#endif /* XS_SINK_H */
