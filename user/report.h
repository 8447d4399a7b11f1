/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reporting, the middle of the interval pipeline: one interval's figures
 * (collect.h) become records, a `range` record per (range, direction)
 * with traffic, the rules' `alert` records, then the `summary`, each
 * handed to every sink (sink.h). The rules see every configured (range,
 * direction), with traffic or not. Shared by run and replay, so both give
 * the very same records. No libbpf.
 */
#ifndef XS_REPORT_H
#define XS_REPORT_H

#include <stdint.h>
#include "collect.h"
#include "config.h"
#include "emit.h"
#include "rules.h"
#include "sink.h"

struct xs_report {
	const struct xs_config *cfg;	/* range names: cfg->ranges[id - 1].name */
	struct xs_sinks *sinks;
	struct xs_rules *rules;		/* NULL: no rules */
	double state_saved;		/* when the baselines were last saved */
	int no_state_file;		/* replay: alerts.state_file neither read nor
					 * written (a capture is not the live normal) */
	struct xs_record *alerts;	/* the interval's alert records, delivered */
	size_t nalerts, alerts_cap;	/* after the range records */
	const struct xs_rec_meta *meta;	/* of the interval being reported */
	/* Mitigation (act.h): what an alert record's filters are; NULL: off. */
	const struct xs_act_result *(*act)(void *ctx, const struct xs_alert *a, double now);
	void *act_ctx;
	int err;			/* first failed delivery of the interval */
	/* Before the summary goes out: more records of the interval, added
	 * into s (report_view), and their objects' counters for the sinks'
	 * interval end (ie->views); NULL: none. */
	void (*more)(void *ctx, struct xs_summary *s, struct xs_interval_end *ie);
	void *more_ctx;
};

/* The rules of cfg (none: nothing to do) and their saved baselines;
 * records go to sinks. Prints nothing; 0 or -errno with err. */
int report_init(struct xs_report *r, const struct xs_config *cfg, struct xs_sinks *sinks,
		int no_state_file, char *err, size_t errlen);

/*
 * The records of the interval ending at m->ts. `s` comes in with the
 * caller's fields set (drains_late, gap_s, progs, kernel_mem, replay) and
 * goes out with the traffic fields filled. 0 or the first -errno of a
 * sink (each sink counts what it lost and it is told once a streak).
 */
int report_interval(struct xs_report *r, const struct xs_rec_meta *m, const struct xs_figures *f,
		    struct xs_summary *s);

/*
 * The range records and alerts of one view of a source with views (the
 * sFlow collector's per-agent objects): r holds the view's own rules
 * (sinks shared), m its meta (agent, ifindex); no summary: its traffic,
 * counters and alert figures are added into s, which report_interval
 * fills (from r->more). 0 or the first -errno of a sink.
 */
int report_view(struct xs_report *r, const struct xs_rec_meta *m, const struct xs_figures *f,
		struct xs_summary *s);

/* Early detection (rules_early) of one slot, m the figures so far;
 * report_early_end() delivers what started. */
void report_early(struct xs_report *r, const struct xs_rec_meta *m, uint32_t slot,
		  const struct xs_metrics *mt, xs_live_fn live, void *uctx);
int report_early_end(struct xs_report *r);
/* One `range` record outside an interval: the last one of a range a
 * reload removed. */
int report_range(struct xs_report *r, const struct xs_rec_meta *m, const char *range, int dir,
		 const struct xs_counters *delta);

/*
 * SIGHUP: the rules of `ncfg` take over (rules_adopt: baselines and active
 * alerts of what both configs have go on; the rest end, with records at
 * m). On success the caller makes ncfg the running config and calls
 * report_moved() with it. 0 or -errno with err (nothing changed).
 */
int report_reload(struct xs_report *r, const struct xs_config *ncfg, const struct xs_rec_meta *m,
		  char *err, size_t errlen);
void report_moved(struct xs_report *r, const struct xs_config *cfg);

/* End the active alerts with `reason` (records at m), save the
 * baselines, free. 0 or -errno of a failed delivery or save (told). */
int report_stop(struct xs_report *r, const struct xs_rec_meta *m, const char *reason);

#endif /* XS_REPORT_H */
