/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interval pipeline that run and replay share (and a sampled-packet
 * collector next): planning and collection (collect.h), reporting
 * (report.h), delivery (sink.h). A command only says where frames and time
 * come from: run attaches to a link and keeps the clock, signals and
 * SIGHUP; replay feeds a capture's frames (feeder.h) and bins them by
 * their timestamps.
 *
 *   pipeline_open       plan (tries, sizes, budget), open the sinks,
 *                       the rules, the object
 *   pipeline_attach /   load it onto a link, or load one program for
 *   pipeline_load_one   test runs
 *   pipeline_interval   collect, report, deliver one interval
 *   pipeline_reload     SIGHUP: a new config takes over
 *   pipeline_close      detach, end the alerts, stop the sinks
 */
#ifndef XS_PIPELINE_H
#define XS_PIPELINE_H

#include "act.h"
#include "collect.h"
#include "config.h"
#include "report.h"
#include "sink.h"

struct xs_pipeline {
	struct xs_config *cfg;		/* the caller's; a reload replaces its contents */
	enum xs_cmd cmd;
	struct xs_sinks sinks;
	struct xs_report rep;
	struct xs_collect col;
	int ncpus;
	uint64_t *peek_seen;		/* early detection: packets a slot had when */
	uint32_t npeek;			/* last peeked at */
	struct xs_act *act;		/* run with mitigation: alerts' filters */
};

/*
 * Open for cfg: plan, sinks (sink_args[i] the option value of the table's
 * i-th sink, NULL: not given), rules, the object (not loaded). Prints
 * nothing; returns 0, or an exit code (XS_EXIT_USAGE for a config over
 * its budget, else XS_EXIT_FAIL) with err; then pipeline_close().
 */
int pipeline_open(struct xs_pipeline *p, struct xs_config *cfg, enum xs_cmd cmd,
		  const char *const *sink_args, char *err, size_t errlen);
int pipeline_attach(struct xs_pipeline *p, const char *ifname, enum xs_xdp_mode mode, int egress,
		    char *err, size_t errlen);
int pipeline_load_one(struct xs_pipeline *p, int tc, char *err, size_t errlen);

/*
 * The interval ending at m: collect (sync: wait for programs still
 * writing the sketch epoch; extra: a source's own counts, or NULL),
 * report, deliver. `s` comes with the caller's fields (drains_late,
 * gap_s, progs, replay). 0, or -errno when collection failed (err; the
 * pipeline cannot go on). A sink that loses records counts and tells.
 */
int pipeline_interval(struct xs_pipeline *p, const struct xs_rec_meta *m, int sync,
		      const struct xs_global *extra, struct xs_summary *s, char *err,
		      size_t errlen);

/*
 * Early detection between interval ends (alerts.check_ms): the rules that
 * can start early (rules_early_rule) look at what each slot counted since
 * the interval began, m the time now and interval_s the seconds so far;
 * alerts that start are delivered at once. Returns the first -errno of a
 * sink, else 0. Costs nothing when no rule can start early.
 */
int pipeline_early(struct xs_pipeline *p, const struct xs_rec_meta *m);
/* Can any rule start early? */
int pipeline_early_on(const struct xs_pipeline *p);

/*
 * SIGHUP. n NULL: the sinks reopen (the output file). Else the config n
 * takes over: new rules and alerts (baselines and active alerts go on);
 * new ranges or stats replace the programs and maps in one step; the
 * sinks follow. A config that does not load or changes what needs a
 * restart is refused and told, the running one goes on. On success n
 * holds the old config (the caller frees n either way). Returns -1 when
 * the daemon cannot go on, else 0.
 */
int pipeline_reload(struct xs_pipeline *p, struct xs_config *n, const struct xs_rec_meta *m);

/* Kernel memory of the running config's maps. */
uint64_t pipeline_kernel_mem(const struct xs_pipeline *p);
/* Records some sink lost since start (its "dropped"). */
uint64_t pipeline_lost(struct xs_pipeline *p);

/* Detach and free the object, end the active alerts with `reason`
 * (records at m), stop the sinks. 0 or -errno of a lost record, a
 * failed save of the baselines or rows a store did not take (told). */
int pipeline_close(struct xs_pipeline *p, const struct xs_rec_meta *m, const char *reason);

#endif /* XS_PIPELINE_H */
