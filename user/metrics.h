/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus text exposition (version 0.0.4) of what the records carry,
 * served over HTTP by libmicrohttpd from its own thread (--metrics
 * ADDR:PORT). Each interval the drain loop publishes a snapshot
 * (counters since start, the interval's distinct sources and top lists,
 * alerts, daemon health); a scrape renders the newest one. Top keys are
 * label values, a series each: only the slots the sink asks for carry
 * them (metrics.top_ranges), so the series stay bounded. Snapshots are
 * reference counted, so publishing never waits for a scrape and a scrape
 * never sees a half-made snapshot. No libbpf.
 */
#ifndef XS_METRICS_H
#define XS_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "emit.h"
#include "hook.h"
#include "skread.h"
#include "xdpscope.h"

#define XS_METRICS_TOP 3		/* entries of each top list as gauges, at most */

struct xs_mslot {			/* a (range, direction) with traffic in the interval */
	uint32_t slot;
	uint32_t view;			/* 0: the snapshot's own counters, else views[view - 1] */
	uint64_t uniq_src;
	uint8_t ntop[XS_DIM_MAX];
	struct {
		uint8_t key[XS_TOP_KEY_LEN];
		uint64_t pkts, bytes;
	} top[XS_DIM_MAX][XS_METRICS_TOP];
};

struct xs_malert {			/* an alert between start and end */
	char *rule;
	uint32_t slot;
	uint32_t view;			/* as xs_mslot's */
	int has_host;			/* a per-host alert: host is its key */
	uint8_t host[XS_TOP_KEY_LEN];
	const char *attack;		/* static strings (rules.c) */
};

struct xs_mnames;			/* range names, shared by snapshots */

/* collect's views (sflow.views): another object's counters, its series
 * told apart by labels (agent, ifindex). */
struct xs_mview {
	char *lab;			/* ',agent="198.18.0.1",ifindex="3"' */
	uint32_t nslots;
	struct xs_counters *ctrs;	/* cumulative, per slot; NULL: not yet */
};

struct xs_msnap {
	int refs;			/* guarded by the server's lock */
	struct xs_mnames *names;	/* set by metrics_publish() */
	uint32_t nslots;
	struct xs_counters *ctrs;	/* cumulative, per slot */
	char *lab;			/* labels of every series of ctrs, NULL: none */
	struct xs_mview *views;		/* collect's views, beside ctrs */
	size_t nviews, views_cap;
	struct xs_global g;		/* cumulative */
	int sk_on;
	struct xs_mslot *act;
	size_t nact, act_cap;
	struct xs_malert *alerts;
	size_t nalerts, alerts_cap;
	int rules_on;
	uint64_t alerts_started, alerts_ended;
	int has_hooks;
	struct xs_hook_stats hooks;
	double ts;			/* end of the interval, Unix seconds */
	double interval_s, drain_s;
	uint64_t written, dropped, kernel_mem;
	struct xs_prog_stat progs[2];
	int nprogs;
	int mit_on;			/* mitigation: blocked per range, filters */
	struct xs_mit_info *mit;	/* the live filters (owned) */
	size_t nmit;
	uint64_t mit_full;
};

/* The filters of a summary into the snapshot (copied); 0 or -ENOMEM. */
int metrics_snap_mitigation(struct xs_msnap *s, const struct xs_mit_info *f, size_t n,
			    uint64_t full);

/* A snapshot of nslots slots with `cur` and `g` copied; NULL on ENOMEM. */
struct xs_msnap *metrics_snap_new(uint32_t nslots, const struct xs_counters *cur,
				  const struct xs_global *g);
/* The counters again (cur may be NULL when nslots is 0); 0 or -ENOMEM. */
int metrics_snap_counters(struct xs_msnap *s, uint32_t nslots, const struct xs_counters *cur,
			  const struct xs_global *g);
/* The interval's sketches of one slot, with the first top_n entries of
 * each top list (0: none, its keys are no series); 0 or -ENOMEM. */
int metrics_snap_slot(struct xs_msnap *s, uint32_t slot, const struct xs_sk_layout *l,
		      const struct xs_sk_result *sk, unsigned int top_n);
/* host: a per-host alert's (a top item's key), else NULL. */
int metrics_snap_alert(struct xs_msnap *s, const char *rule, uint32_t slot, const uint8_t *host,
		       const char *attack);
/*
 * Labels: `lab` (a label list ',k="v",...', copied; NULL: none) goes
 * after range and dir in every series of the snapshot's own counters
 * (metrics_snap_lab), or of a view (metrics_snap_view: the view with
 * these labels, added if new, *idx its number for xs_mslot.view and
 * xs_malert.view; metrics_snap_view_counters its counters). 0 or -ENOMEM.
 */
int metrics_snap_lab(struct xs_msnap *s, const char *lab);
int metrics_snap_view(struct xs_msnap *s, const char *lab, uint32_t *idx);
int metrics_snap_view_counters(struct xs_msnap *s, uint32_t idx, uint32_t nslots,
			       const struct xs_counters *cur);
void metrics_snap_free(struct xs_msnap *s);

/*
 * The exposition text of a snapshot; names[id - 1] is range id's name.
 * malloc'd, *len its length; NULL on ENOMEM. Families: see the README.
 */
char *metrics_render(const struct xs_msnap *s, char *const *names, size_t nnames, size_t *len);

/* "127.0.0.1:9100", "[::1]:9100", "0.0.0.0:9100", or ":9100" / "9100"
 * (loopback). 0 or -EINVAL with err. */
int metrics_parse_addr(const char *s, struct sockaddr_storage *ss, char *err, size_t errlen);

/* "127.0.0.1:9100" or "[::1]:9100" of a parsed address. */
const char *metrics_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len);

struct xs_metrics_srv;

/* Listen on ss, naming ranges by names[] (copied). NULL with err. */
struct xs_metrics_srv *metrics_start(const struct sockaddr_storage *ss, char *const *names,
				     size_t nnames, char *err, size_t errlen);
/* Hand over a snapshot (the server owns it from now on). */
void metrics_publish(struct xs_metrics_srv *m, struct xs_msnap *s);
/* The ranges changed (a reload): snapshots published from now on name
 * them by these. 0 or -ENOMEM. */
int metrics_set_names(struct xs_metrics_srv *m, char *const *names, size_t nnames);
/* Scrapes served, and the time the last render took. */
void metrics_served(struct xs_metrics_srv *m, uint64_t *scrapes, double *render_ms);
void metrics_stop(struct xs_metrics_srv *m);

#endif /* XS_METRICS_H */
