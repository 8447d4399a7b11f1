/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Planning and collection, the kernel half of the interval pipeline.
 *
 * Planning (no kernel): a config's tries, sketch layout and kernel memory,
 * checked against the budget; run, replay and check-config share it.
 * Collection: the loaded object (loader), its counters (drain) and sketch
 * epochs (epoch, skread) turned into one interval's figures, and a reload
 * that puts new maps in place of the running ones without a gap.
 */
#ifndef XS_COLLECT_H
#define XS_COLLECT_H

#include <stdint.h>
#include "config.h"
#include "drain.h"
#include "loader.h"
#include "skread.h"
#include "trie.h"

struct xs_plan {
	struct xs_trie t4, t6;
	struct xs_sk_layout sk;		/* sk.nslots 0: no sketches */
	uint64_t kernel_mem;		/* bytes, on ncpus CPUs */
	const struct xs_mitig_cfg *mit;	/* the config's, read by collect_open */
	unsigned int views_max;		/* sflow.views: objects of views beside this
					 * one, each kernel_mem (the worst case fits
					 * the budget); 0: no views */
};

/* Build the tries, the sketch layout and the memory figure; refuse a
 * config over its budget (-E2BIG), with sflow.views the worst case of
 * views_max + 1 objects. Prints nothing; 0 or -errno with err. */
int collect_plan(const struct xs_config *cfg, int ncpus, struct xs_plan *p, char *err,
		 size_t errlen);
void collect_plan_free(struct xs_plan *p);

/* One interval's figures, as the reporter reads them. */
struct xs_figures {
	uint32_t nslots;
	const struct xs_counters *cur, *prev;	/* cumulative, per slot */
	const struct xs_global *gcur, *gprev;	/* cumulative */
	struct xs_skread *sk;			/* NULL: no sketches */
	struct xs_sk_epoch *ske;		/* the interval's epoch */
	double drain_ms;			/* what reading them took */
	int mit_on;				/* mitigation on: the filters below */
	const struct xs_mit_info *mit_filters;	/* live, by id, with their hits */
	size_t mit_nfilters;
	uint64_t mit_full;			/* adds refused, table full */
};

struct xs_collect {
	struct xs_plan plan;
	struct xs_loader l;
	struct xs_drain d;
	struct xs_skread skr;
	struct xs_sk_epoch *ske;		/* between read and done */
	struct xs_global gsum, gprev;		/* the maps' plus a source's extra */
	struct xs_mit_info *mit_list;		/* the last read's filters */
	int ready;
};

/* Open the object sized by plan (moved into c) with its classifier
 * filled; nothing loaded yet. 0 or -errno with err. */
int collect_open(struct xs_collect *c, struct xs_plan *plan, uint32_t nranges, char *err,
		 size_t errlen);
/* Load and attach to ifname (run), or load one program (test runs). */
int collect_attach(struct xs_collect *c, const char *ifname, enum xs_xdp_mode mode, int egress,
		   char *err, size_t errlen);
int collect_load_one(struct xs_collect *c, int tc, char *err, size_t errlen);
/*
 * The figures of the interval ending now: read the counters, end the
 * sketch epoch (sync: wait until no program writes it; 0 when none can
 * run). `extra`: cumulative counts of frames a source counted itself
 * (NULL: none), added to the whole-program counters. After the report,
 * collect_done(). 0 or -errno with err.
 */
int collect_read(struct xs_collect *c, int sync, const struct xs_global *extra,
		 struct xs_figures *f, char *err, size_t errlen);
int collect_done(struct xs_collect *c, char *err, size_t errlen);

/* A range the new config no longer has: what it counted since the last
 * report (its last record). */
typedef void (*xs_removed_fn)(void *ctx, const char *range, int dir,
			      const struct xs_counters *delta);

/*
 * A reload with new ranges or stats: new maps and programs (planned in
 * np, moved into c on success) in place of the running ones at once;
 * every range kept (by name) goes on from its totals (no gap, no jump),
 * new ranges start from zero, removed ones get `removed` once. What the
 * sketches held of the interval so far stays in the old maps. Before the
 * replace a failure leaves everything running (*fatal 0); after it a
 * failure is fatal (*fatal -1). 0 or -errno with err.
 */
int collect_replace(struct xs_collect *c, const struct xs_config *old,
		    const struct xs_config *n, struct xs_plan *np, xs_removed_fn removed,
		    void *ctx, int *fatal, char *err, size_t errlen);
void collect_close(struct xs_collect *c);

#endif /* XS_COLLECT_H */
