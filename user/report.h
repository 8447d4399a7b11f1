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
#include "skread.h"

struct xs_report {
	struct xs_output *out;
	const struct xs_config *cfg;	/* range names: cfg->ranges[id - 1].name */
	uint32_t nslots;
	uint64_t write_errors;		/* failed writes reported so far */
	struct xs_skread *sk;		/* NULL: no sketches */
	struct xs_sk_epoch *ske;	/* the interval's epoch, set by the caller */
};

/*
 * Emit the records of the interval ending at m->ts. `s` comes in with the
 * caller's fields set (drain_ms, drains_late, gap_s, progs, kernel_mem,
 * replay) and goes out with the traffic fields filled. Returns 0 or -errno of the first
 * failed write (records that fail are counted in out->dropped; the caller
 * reports once per error streak).
 */
int report_interval(struct xs_report *r, const struct xs_rec_meta *m,
		    const struct xs_counters *cur, const struct xs_counters *prev,
		    const struct xs_global *gcur, const struct xs_global *gprev,
		    struct xs_summary *s);

#endif /* XS_REPORT_H */
