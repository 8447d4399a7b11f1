/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One interval's records from two cumulative snapshots: a `range` record per
 * (range, direction) with traffic, then the `summary`. Shared by run and
 * replay, so both print the very same records. No libbpf.
 */
#ifndef XS_REPORT_H
#define XS_REPORT_H

#include <stdint.h>
#include "config.h"
#include "emit.h"
#include "hook.h"
#include "influx.h"
#include "metrics.h"
#include "rules.h"
#include "skread.h"

struct xs_report {
	struct xs_output *out;
	const struct xs_config *cfg;	/* range names: cfg->ranges[id - 1].name */
	uint32_t nslots;
	uint64_t write_errors;		/* failed writes reported so far */
	struct xs_skread *sk;		/* NULL: no sketches */
	struct xs_sk_epoch *ske;	/* the interval's epoch, set by the caller */
	struct xs_rules *rules;		/* NULL: no rules (report_rules_init) */
	struct xs_hooks hooks;
	double state_saved;		/* when the baselines were last saved */
	int no_state_file;		/* replay: alerts.state_file neither read nor
					 * written (a capture is not the live normal) */
	char **alerts;			/* the interval's alert lines, written after */
	size_t nalerts, alerts_cap;	/* the range records */
	const struct xs_rec_meta *meta;	/* of the interval being reported */
	int alert_err;			/* first failed write of an alert */
	struct xs_metrics_srv *metrics;	/* NULL: no --metrics */
	struct xs_influx *influx;	/* NULL: no --influx */
};

/* The rules of r->cfg (none: nothing to do), their hook and saved
 * baselines. Prints nothing; 0 or -errno with err. */
int report_rules_init(struct xs_report *r, uint32_t nslots, char *err, size_t errlen);
/*
 * SIGHUP: the rules and alerts of `ncfg` take over (rules_adopt: baselines
 * and active alerts of what both configs have go on; the rest end, with
 * records at m). On success the caller moves *ncfg into *r->cfg (a struct
 * copy) and calls report_rules_moved(). 0 or -errno with err (nothing
 * changed).
 */
int report_rules_reload(struct xs_report *r, const struct xs_config *ncfg,
			const struct xs_rec_meta *m, char *err, size_t errlen);
void report_rules_moved(struct xs_report *r);
/* One `range` record outside report_interval(): the last one of a range
 * a reload removed. 0 or -errno of the write. */
int report_range(struct xs_report *r, const struct xs_rec_meta *m, const char *range, int dir,
		 const struct xs_counters *delta);
/* End the active alerts with `reason` (records at m), save the baselines,
 * wait for the hooks, free. 0 or -errno of a failed write or save (told
 * on stderr). */
int report_rules_stop(struct xs_report *r, const struct xs_rec_meta *m, const char *reason);

/*
 * Emit the records of the interval ending at m->ts. `s` comes in with the
 * caller's fields set (drain_ms, drains_late, gap_s, progs, kernel_mem,
 * replay) and goes out with the traffic fields filled. Rules see every
 * configured (range, direction), with traffic or not; their alert records
 * follow the range records, before the summary. Returns 0 or -errno of the first
 * failed write (records that fail are counted in out->dropped; the caller
 * reports once per error streak).
 */
int report_interval(struct xs_report *r, const struct xs_rec_meta *m,
		    const struct xs_counters *cur, const struct xs_counters *prev,
		    const struct xs_global *gcur, const struct xs_global *gprev,
		    struct xs_summary *s);

#endif /* XS_REPORT_H */
