// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "collect.h"
#include "counters.h"
#include "loader.h"
#include "log.h"

static double mib(uint64_t b)
{
	return b / 1048576.0;
}

/* sflow.views: one object a view beside the collector's own ("other"),
 * the worst case within the budget. */
static int collect_plan_views(const struct xs_config *cfg, struct xs_plan *p, char *err,
			      size_t errlen)
{
	uint64_t fit;

	if (cfg->sflow.views == XS_SFLOW_VIEW_NONE)
		return 0;
	fit = cfg->max_kernel_mem / p->kernel_mem - 1;	/* kernel_mem <= the budget */
	if (!cfg->sflow.max_views && !fit) {
		set_err(err, errlen, "sflow.views: a view's object needs %.1f MiB of kernel "
			"memory, the budget of %.1f MiB has no room for one beside the "
			"collector's own (raise max_kernel_mem, or drop sflow.views)",
			mib(p->kernel_mem), mib(cfg->max_kernel_mem));
		return -E2BIG;
	}
	if (cfg->sflow.max_views > fit) {
		set_err(err, errlen, "sflow.max_views: %u views need %.1f MiB of kernel memory "
			"(%.1f MiB an object, one more for \"other\"), over the budget of %.1f MiB: "
			"at most %llu fit (lower max_views or raise max_kernel_mem)",
			cfg->sflow.max_views, mib(p->kernel_mem * (cfg->sflow.max_views + 1ULL)),
			mib(p->kernel_mem), mib(cfg->max_kernel_mem), (unsigned long long)fit);
		return -E2BIG;
	}
	p->views_max = cfg->sflow.max_views ? cfg->sflow.max_views :
		fit < XS_SFLOW_VIEWS_AUTO ? (unsigned int)fit : XS_SFLOW_VIEWS_AUTO;
	return 0;
}

int collect_plan(const struct xs_config *cfg, int ncpus, struct xs_plan *p, char *err,
		 size_t errlen)
{
	struct xs_sizes sz;
	int e;

	memset(p, 0, sizeof(*p));
	e = trie_init(&p->t4, 4);
	if (!e)
		e = trie_init(&p->t6, 6);
	if (!e)
		e = trie_build(&p->t4, &p->t6, cfg);
	if (e) {
		set_err(err, errlen, "building the range tables: %s",
			e == -E2BIG ? "more ranges or trie nodes than the compile-time limits" :
				      strerror(-e));
		return e;
	}
	loader_sizes(&sz, cfg->nranges, &p->t4, &p->t6);
	skread_layout(&sz.sk, &cfg->stats, XS_SLOTS(cfg->nranges));
	sz.mit_filters = cfg->mitigation.enabled ? cfg->mitigation.max_filters : 0;
	p->sk = sz.sk;
	p->kernel_mem = loader_kernel_mem(&sz, ncpus);
	p->mit = &cfg->mitigation;
	if (p->kernel_mem > cfg->max_kernel_mem) {
		set_err(err, errlen, "%s: the config needs %.1f MiB of kernel memory, over the "
			"budget of %.1f MiB (raise it with --max-kernel-mem or max_kernel_mem)",
			cfg->source ? cfg->source : "ranges", mib(p->kernel_mem),
			mib(cfg->max_kernel_mem));
		return -E2BIG;
	}
	return collect_plan_views(cfg, p, err, errlen);
}

void collect_plan_free(struct xs_plan *p)
{
	trie_free(&p->t4);
	trie_free(&p->t6);
	memset(p, 0, sizeof(*p));
}

int collect_open(struct xs_collect *c, struct xs_plan *plan, uint32_t nranges, char *err,
		 size_t errlen)
{
	int e;

	memset(c, 0, sizeof(*c));
	c->plan = *plan;
	memset(plan, 0, sizeof(*plan));
	e = loader_open(&c->l, &c->plan.t4, &c->plan.t6, nranges, err, errlen);
	if (!e)
		e = loader_sketches(&c->l, &c->plan.sk, err, errlen);
	if (!e && c->plan.mit)
		e = loader_mitigation(&c->l, c->plan.mit, err, errlen);
	c->plan.mit = NULL;
	return e;
}

/* Once loaded: the drain and sketch buffers. */
static int collect_ready(struct xs_collect *c, char *err, size_t errlen)
{
	int e;

	e = drain_init(&c->d, c->l.ctrs, loader_global_fd(&c->l),
		       XS_SLOTS(c->l.sizes.nranges), c->l.ncpus);
	if (e) {
		set_err(err, errlen, "allocating the drain buffers: %s", strerror(-e));
		return e;
	}
	if (c->plan.sk.nslots && (e = skread_init(&c->skr, &c->plan.sk))) {
		set_err(err, errlen, "allocating the sketch buffers: %s", strerror(-e));
		return e;
	}
	c->ready = 1;
	return 0;
}

int collect_attach(struct xs_collect *c, const char *ifname, enum xs_xdp_mode mode, int egress,
		   char *err, size_t errlen)
{
	int e = loader_attach(&c->l, ifname, mode, egress, err, errlen);

	return e ? e : collect_ready(c, err, errlen);
}

int collect_load_one(struct xs_collect *c, int tc, char *err, size_t errlen)
{
	int e = loader_load_one(&c->l, tc, err, errlen);

	return e ? e : collect_ready(c, err, errlen);
}

static double ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1e3 + (b.tv_nsec - a->tv_nsec) / 1e6;
}

/* Expired filters go (the daemon's sweep, once an interval); the live
 * ones and their hits for the summary. */
static int collect_mitigation(struct xs_collect *c, struct xs_figures *f, char *err,
			      size_t errlen)
{
	int e;

	f->mit_on = c->l.mit_ready;
	f->mit_filters = NULL;
	f->mit_nfilters = 0;
	if (!c->l.mit_ready)
		return 0;
	e = mitig_sweep(&c->l.mit, mitig_now());
	if (e > 0)
		log_info("mitigation: %d filter%s expired", e, e == 1 ? "" : "s");
	free(c->mit_list);
	c->mit_list = NULL;
	e = e < 0 ? e : mitig_list(&c->l.mit, &c->mit_list, &f->mit_nfilters);
	if (e) {
		set_err(err, errlen, "reading the mitigation filters: %s", strerror(-e));
		return e;
	}
	f->mit_filters = c->mit_list;
	f->mit_full = mitig_full(&c->l.mit);
	return 0;
}

int collect_read(struct xs_collect *c, int sync, const struct xs_global *extra,
		 struct xs_figures *f, char *err, size_t errlen)
{
	struct xs_global sum[2];
	struct timespec t0;
	int e;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	e = drain_read(&c->d);
	if (e) {
		set_err(err, errlen, "reading the counter maps: %s", strerror(-e));
		return e;
	}
	/* Replay measures the drain alone; live, the epoch's end is part of it. */
	f->drain_ms = ms_since(&t0);
	if (c->plan.sk.nslots) {
		c->ske = epoch_flip(&c->l.ep, sync);
		if (!c->ske) {
			e = -errno;
			set_err(err, errlen, "ending the sketch epoch: %s", strerror(-e));
			return e;
		}
	}
	if (sync)
		f->drain_ms = ms_since(&t0);
	sum[0] = c->d.gcur;
	memset(&sum[1], 0, sizeof(sum[1]));
	if (extra)
		sum[1] = *extra;
	global_sum(&c->gsum, sum, 2, sizeof(sum[0]));
	f->nslots = c->d.nslots;
	f->cur = c->d.cur;
	f->prev = c->d.prev;
	f->gcur = &c->gsum;
	f->gprev = &c->gprev;
	f->sk = c->plan.sk.nslots ? &c->skr : NULL;
	f->ske = c->ske;
	return collect_mitigation(c, f, err, errlen);
}

int collect_done(struct xs_collect *c, char *err, size_t errlen)
{
	int e = 0;

	if (c->ske)
		e = epoch_clear(&c->l.ep, c->ske);
	c->ske = NULL;
	if (e) {
		set_err(err, errlen, "clearing the sketch epoch: %s", strerror(-e));
		return e;
	}
	drain_commit(&c->d);
	c->gprev = c->gsum;
	return 0;
}

int collect_replace(struct xs_collect *c, const struct xs_config *old,
		    const struct xs_config *n, struct xs_plan *np, xs_removed_fn removed,
		    void *ctx, int *fatal, char *err, size_t errlen)
{
	struct xs_collect nc;
	uint32_t r, dir, id;
	int e;

	*fatal = 0;
	e = collect_open(&nc, np, n->nranges, err, errlen);
	if (!e)
		e = loader_replace(&nc.l, &c->l, err, errlen);
	if (e) {
		*fatal = c->l.xdp_attached ? 0 : -1;	/* the old programs are gone */
		goto out;
	}
	*fatal = -1;
	e = drain_read(&c->d);			/* the old maps, final */
	if (e) {
		set_err(err, errlen, "reading the old counters: %s", strerror(-e));
		goto out;
	}
	e = collect_ready(&nc, err, errlen);
	if (e)
		goto out;
	*fatal = 0;
	for (dir = 0; dir < XS_DIR_MAX; dir++)
		drain_carry(&nc.d, dir, &c->d, dir);		/* unmatched */
	for (r = 1; r <= n->nranges; r++) {
		id = config_range_id(old, n->ranges[r - 1].name);
		for (dir = 0; id && dir < XS_DIR_MAX; dir++)
			drain_carry(&nc.d, r * XS_DIR_MAX + dir, &c->d, id * XS_DIR_MAX + dir);
	}
	drain_carry_global(&nc.d, &c->d);
	nc.gprev = c->gprev;
	for (r = 1; r <= old->nranges; r++) {
		if (config_range_id(n, old->ranges[r - 1].name))
			continue;
		for (dir = 0; dir < XS_DIR_MAX; dir++) {
			uint32_t slot = r * XS_DIR_MAX + dir;
			struct xs_counters dl;

			counters_delta(&dl, &c->d.cur[slot], &c->d.prev[slot]);
			if (counters_pkts(&dl))
				removed(ctx, old->ranges[r - 1].name, dir, &dl);
		}
	}
	collect_close(c);
	*c = nc;
	return 0;
out:
	collect_close(&nc);
	return e;
}

void collect_close(struct xs_collect *c)
{
	if (c->l.skel)
		loader_close(&c->l);
	skread_free(&c->skr);
	drain_free(&c->d);
	free(c->mit_list);
	collect_plan_free(&c->plan);
	memset(c, 0, sizeof(*c));
}
