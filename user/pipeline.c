// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "pipeline.h"

/* The alerts' filters go into the running program's table (act.h). */
static int act_add(void *ctx, const struct xs_mit_spec *s, uint32_t *id, char *err, size_t errlen)
{
	struct xs_collect *c = ctx;

	if (!c->l.mit_ready) {
		set_err(err, errlen, "the program is not loaded");
		return -ENOENT;
	}
	return mitig_add(&c->l.mit, s, id, err, errlen);
}

static int act_del(void *ctx, uint32_t id)
{
	struct xs_collect *c = ctx;

	return c->l.mit_ready ? mitig_del(&c->l.mit, id) : -ENOENT;
}

static int act_hits(void *ctx, uint32_t id, struct xs_mit_stats *out)
{
	struct xs_collect *c = ctx;

	return c->l.mit_ready ? mitig_hits(&c->l.mit, id, out) : -ENOENT;
}

static const struct xs_act_ops act_ops = { .add = act_add, .del = act_del, .hits = act_hits };

static const struct xs_act_result *report_act(void *ctx, const struct xs_alert *a, double now)
{
	return act_alert(ctx, a, now);
}

int pipeline_open(struct xs_pipeline *p, struct xs_config *cfg, enum xs_cmd cmd,
		  const char *const *sink_args, char *err, size_t errlen)
{
	struct xs_plan plan;
	int e;

	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->cmd = cmd;
	p->ncpus = libbpf_num_possible_cpus();
	e = collect_plan(cfg, p->ncpus, &plan, err, errlen);
	if (e) {
		collect_plan_free(&plan);
		return e == -E2BIG ? XS_EXIT_USAGE : XS_EXIT_FAIL;
	}
	e = sinks_open(&p->sinks, cfg, cmd, sink_args, err, errlen);
	if (!e)
		e = report_init(&p->rep, cfg, &p->sinks, cmd == XS_CMD_REPLAY, err, errlen);
	if (!e)
		e = collect_open(&p->col, &plan, cfg->nranges, err, errlen);
	collect_plan_free(&plan);
	/* Only a live program can drop: run alone acts on alerts. */
	if (!e && cmd == XS_CMD_RUN && cfg->mitigation.enabled) {
		p->act = act_new(cfg, &act_ops, &p->col);
		if (!p->act) {
			set_err(err, errlen, "mitigation: out of memory");
			e = -ENOMEM;
		}
		p->rep.act = report_act;
		p->rep.act_ctx = p->act;
	}
	return e ? XS_EXIT_FAIL : 0;
}

int pipeline_attach(struct xs_pipeline *p, const char *ifname, enum xs_xdp_mode mode, int egress,
		    char *err, size_t errlen)
{
	return collect_attach(&p->col, ifname, mode, egress, err, errlen);
}

int pipeline_load_one(struct xs_pipeline *p, int tc, char *err, size_t errlen)
{
	return collect_load_one(&p->col, tc, err, errlen);
}

uint64_t pipeline_kernel_mem(const struct xs_pipeline *p)
{
	return p->col.plan.kernel_mem;
}

int pipeline_interval(struct xs_pipeline *p, const struct xs_rec_meta *m, int sync,
		      const struct xs_global *extra, struct xs_summary *s, char *err,
		      size_t errlen)
{
	struct xs_figures f;
	int e;

	e = collect_read(&p->col, sync, extra, &f, err, errlen);
	if (e)
		return e;
	s->drain_ms = f.drain_ms;
	s->kernel_mem = p->col.plan.kernel_mem;
	if (p->act) {
		act_sweep(p->act, m->ts.tv_sec + m->ts.tv_nsec / 1e9);
		act_stats(p->act, &s->act);
		s->act_on = 1;
	}
	report_interval(&p->rep, m, &f, s);	/* losses: counted and told by the sinks */
	return collect_done(&p->col, err, errlen);
}

int pipeline_early_on(const struct xs_pipeline *p)
{
	return p->rep.rules && p->cfg->alerts.check_ms && rules_early_any(p->rep.rules);
}

/* A slot being checked early: what it counted so far. */
struct early_slot {
	struct xs_collect *c;
	const struct xs_counters *d;
	double interval_s;
	const struct xs_sk_epoch *live;	/* epoch_peek(), once a check */
	int peeked;
};

/*
 * The sketches of the slot so far, for a rule that holds on its counters:
 * the epoch the programs write now, read as at the interval's end, its
 * stage read twice (epoch_peek). A top entry of the shared maps being
 * replaced while it is read fails its tag and is left out, as at the end.
 */
static int live_sketches(void *ctx, uint32_t slot, struct xs_metrics *m)
{
	struct early_slot *es = ctx;
	struct xs_collect *c = es->c;

	if (!c->plan.sk.nslots)
		return -1;
	if (!es->peeked) {
		es->live = epoch_peek(&c->l.ep);
		es->peeked = 1;
	}
	if (!es->live || skread_slot(&c->skr, es->live, slot))
		return -1;
	rules_metrics(m, es->d, es->interval_s, slot % XS_DIR_MAX, &c->skr.l, &c->skr.res);
	return 0;
}

int pipeline_early(struct xs_pipeline *p, const struct xs_rec_meta *m)
{
	struct xs_collect *c = &p->col;
	uint32_t n = c->d.nslots, slot;
	struct xs_counters d;
	struct xs_metrics mt;
	struct early_slot es = { .c = c, .d = &d, .interval_s = m->interval_s };

	if (!p->rep.rules || !c->ready || !rules_early_any(p->rep.rules))
		return 0;
	if (p->npeek != n) {
		uint64_t *s = calloc(n ? n : 1, sizeof(*s));

		if (!s)
			return 0;	/* the interval's end still sees it all */
		free(p->peek_seen);
		p->peek_seen = s;
		p->npeek = n;
	}
	for (slot = XS_DIR_MAX; slot < n && slot / XS_DIR_MAX <= p->cfg->nranges; slot++) {
		if (!drain_peek(&c->d, slot, &p->peek_seen[slot], &d))
			continue;
		rules_metrics(&mt, &d, m->interval_s, slot % XS_DIR_MAX, NULL, NULL);
		report_early(&p->rep, m, slot, &mt, live_sketches, &es);
	}
	return report_early_end(&p->rep);
}

static void removed_range(void *ctx, const char *range, int dir, const struct xs_counters *delta)
{
	struct xs_pipeline *p = ctx;

	report_range(&p->rep, p->rep.meta, range, dir, delta);
}

int pipeline_reload(struct xs_pipeline *p, struct xs_config *n, const struct xs_rec_meta *m)
{
	struct xs_config old;
	struct xs_plan plan;
	char err[XS_ERR_LEN];
	const char *what;
	int fatal = 0, kernel, e;

	if (!n)
		goto sinks;
	what = config_fixed_diff(p->cfg, n);
	if (what) {
		log_err("SIGHUP: the new config changes %s, which needs a restart; the running "
			"config goes on", what);
		goto sinks;
	}
	if (config_check_exec(n, err, sizeof(err))) {
		log_err("SIGHUP: %s; the running config goes on", err);
		goto sinks;
	}
	kernel = !config_same_ranges(p->cfg, n) || memcmp(&p->cfg->stats, &n->stats,
							  sizeof(n->stats));
	if (kernel) {
		e = collect_plan(n, p->ncpus, &plan, err, sizeof(err));
		p->rep.meta = m;
		if (!e)
			e = collect_replace(&p->col, p->cfg, n, &plan, removed_range, p, &fatal,
					    err, sizeof(err));
		collect_plan_free(&plan);
		if (e) {
			log_err("SIGHUP: %s; %s", err,
				fatal ? "cannot go on" : "the running config goes on");
			goto sinks;
		}
	}
	if (report_reload(&p->rep, n, m, err, sizeof(err))) {
		log_err("SIGHUP: %s", err);
		fatal = kernel ? -1 : 0;	/* the maps are the new config's already */
		goto sinks;
	}
	old = *p->cfg;
	*p->cfg = *n;
	*n = old;
	report_moved(&p->rep, p->cfg);
	log_info("SIGHUP: config reloaded, %zu ranges, %zu rules%s", p->cfg->nranges,
		 p->cfg->nrules, kernel ? ", programs and maps replaced" : "");
sinks:
	sinks_reload(&p->sinks, p->cfg, p->cmd);
	return fatal;
}

uint64_t pipeline_lost(struct xs_pipeline *p)
{
	struct xs_summary s;
	uint64_t lost = 0;
	size_t i, k;

	sinks_stats(&p->sinks, &s);
	for (i = 0; i < s.nsinks; i++)
		for (k = 0; k < s.sinks[i].n; k++)
			if (!strcmp(s.sinks[i].st[k].key, "dropped"))
				lost += s.sinks[i].st[k].value;
	return lost;
}

int pipeline_close(struct xs_pipeline *p, const struct xs_rec_meta *m, const char *reason)
{
	int e;

	/* After the detach: the last records are the alerts' ends, with what
	 * their filters dropped until then. */
	if (p->act)
		act_snapshot(p->act);
	collect_close(&p->col);
	free(p->peek_seen);
	p->peek_seen = NULL;
	p->npeek = 0;
	e = report_stop(&p->rep, m, reason);
	act_free(p->act);
	p->act = NULL;
	if (sinks_stop(&p->sinks) && !e)
		e = -EIO;	/* a store did not take everything */
	return e;
}
