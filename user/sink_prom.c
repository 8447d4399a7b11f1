// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus sink (--metrics ADDR:PORT): each interval's figures as a
 * snapshot the HTTP server (metrics.c) renders at a scrape. The range
 * records bring the interval's sketches, the interval's end the counters
 * since start, the alerts and the daemon's health. A snapshot that could
 * not be made whole is not published (the last one stays). Only the
 * ranges of metrics.top_ranges bring their top keys (a series each); a
 * SIGHUP applies a new list from the next interval on. Its statistics:
 * "scrapes".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "metrics.h"
#include "sink.h"

struct prom {
	struct xs_metrics_srv *srv;
	struct xs_msnap *snap;		/* the interval being made */
	int snap_failed;
	uint8_t *top_n;			/* by range id: top keys a list, 0: none */
	size_t ntop_n;
	int collect;			/* collect: series carry the agent */
};

/*
 * collect: the labels of a view's series, ',agent="198.18.0.1"' and for
 * ifindex views ',ifindex="3"' ("-": the samples named none); the
 * collector's own object's are ',agent="*"' (every agent, or with
 * sflow.views the view "other"): its counters since start are not one
 * agent's. Agents are addresses (and "#sub-agent"): nothing to escape.
 */
static void view_lab(const struct xs_rec_meta *m, char *buf, size_t len)
{
	int n = snprintf(buf, len, ",agent=\"%s\"", m->view && m->agent ? m->agent : "*");

	if (m->view && m->has_ifindex == 1)
		snprintf(buf + n, len - n, ",ifindex=\"%u\"", m->ifindex);
	else if (m->view && m->has_ifindex)
		snprintf(buf + n, len - n, ",ifindex=\"-\"");
}

#define LAB_LEN 96

_Static_assert(XS_METRICS_TOP_N_MAX <= XS_METRICS_TOP, "a snapshot holds metrics.top_n keys");

static int prom_check(const char *arg, char *err, size_t errlen)
{
	struct sockaddr_storage ss;

	return metrics_parse_addr(arg, &ss, err, errlen);
}

/* The range names of cfg, for the server: names[id - 1]. */
static int prom_names(const struct xs_config *cfg, char ***names)
{
	size_t i;

	*names = calloc(cfg->nranges + 1, sizeof(**names));
	if (!*names)
		return -ENOMEM;
	for (i = 0; i < cfg->nranges; i++)
		(*names)[i] = cfg->ranges[i].name;
	return 0;
}

/* metrics.top_ranges of cfg as top_n[range id]; 0 or -ENOMEM (p unchanged). */
static int prom_tops(struct prom *p, const struct xs_config *cfg)
{
	uint8_t *t = calloc(cfg->nranges + 1, sizeof(*t));
	uint32_t id;
	size_t i;

	if (!t)
		return -ENOMEM;
	for (i = 0; i < cfg->metrics.ntop_ranges; i++) {
		id = config_range_id(cfg, cfg->metrics.top_ranges[i]);
		if (id)		/* config_validate refused any other */
			t[id] = cfg->metrics.top_n;
	}
	free(p->top_n);
	p->top_n = t;
	p->ntop_n = cfg->nranges + 1;
	return 0;
}

static void *prom_open(const struct xs_sink_env *env, int *e, char *err, size_t errlen)
{
	struct prom *p = calloc(1, sizeof(*p));
	struct sockaddr_storage ss;
	char **names = NULL;

	*e = p ? metrics_parse_addr(env->arg, &ss, err, errlen) : -ENOMEM;
	if (!*e && (prom_names(env->cfg, &names) || prom_tops(p, env->cfg)))
		*e = -ENOMEM;
	if (*e == -ENOMEM)
		set_err(err, errlen, "--metrics: out of memory");
	if (!*e) {
		p->collect = env->cmd == XS_CMD_COLLECT;
		p->srv = metrics_start(&ss, names, env->cfg->nranges, err, errlen);
		*e = p->srv ? 0 : -EADDRNOTAVAIL;
	}
	free(names);
	if (*e) {
		if (p)
			free(p->top_n);
		free(p);
		return NULL;
	}
	log_info("metrics at http://%s/metrics", metrics_addr_str(&ss, err, errlen));
	return p;
}

static struct xs_msnap *prom_snap(struct prom *p)
{
	if (!p->snap && !p->snap_failed) {
		p->snap = metrics_snap_new(0, NULL, NULL);
		p->snap_failed = !p->snap;
	}
	return p->snap;
}

static int prom_record(void *st, struct xs_record *r)
{
	struct prom *p = st;
	size_t range = r->slot / XS_DIR_MAX;
	struct xs_msnap *s;
	char lab[LAB_LEN];
	uint32_t view = 0;

	if (r->type != XS_REC_RANGE || !r->skl || !r->sk)
		return 0;
	s = prom_snap(p);
	if (!s)
		return 0;
	if (p->collect && r->m->view) {
		view_lab(r->m, lab, sizeof(lab));
		if (metrics_snap_view(s, lab, &view)) {
			p->snap_failed = 1;
			return 0;
		}
	}
	if (metrics_snap_slot(s, r->slot, r->skl, r->sk,
			      range < p->ntop_n ? p->top_n[range] : 0))
		p->snap_failed = 1;
	else
		s->act[s->nact - 1].view = view;
	return 0;
}

struct alert_ctx {
	struct xs_msnap *s;
	uint32_t view;
};

/* An alert that finds no memory is left out of the snapshot. */
static void snap_alert(void *ctx, const char *rule, uint32_t slot, const uint8_t *host,
		       const char *attack)
{
	struct alert_ctx *a = ctx;

	if (!metrics_snap_alert(a->s, rule, slot, host, attack))
		a->s->alerts[a->s->nalerts - 1].view = a->view;
}

/* collect: the labels of the own counters, the views' counters and
 * alerts. 0 or -ENOMEM. */
static int prom_views(struct prom *p, struct xs_msnap *s, const struct xs_interval_end *ie)
{
	struct alert_ctx ac = { .s = s };
	char lab[LAB_LEN];
	size_t i;

	if (!p->collect)
		return 0;
	view_lab(ie->m, lab, sizeof(lab));	/* not a view: agent "*" */
	if (metrics_snap_lab(s, lab))
		return -ENOMEM;
	for (i = 0; i < ie->nviews; i++) {
		const struct xs_ie_view *v = &ie->views[i];

		view_lab(v->m, lab, sizeof(lab));
		if (metrics_snap_view(s, lab, &ac.view) ||
		    metrics_snap_view_counters(s, ac.view, v->nslots, v->cur))
			return -ENOMEM;
		if (ie->foreach_alert && v->rules)
			ie->foreach_alert(v->rules, snap_alert, &ac);
	}
	return 0;
}

static void prom_end(void *st, const struct xs_interval_end *ie)
{
	const struct xs_summary *sum = ie->s;
	const struct xs_sink_view *file = emit_sink_view(sum, "file");
	const struct xs_sink_view *hook = emit_sink_view(sum, "hook");
	struct prom *p = st;
	struct xs_msnap *s = prom_snap(p);

	struct alert_ctx ac = { .s = s };

	if (!s || p->snap_failed || metrics_snap_counters(s, ie->nslots, ie->cur, ie->gcur) ||
	    prom_views(p, s, ie))
		goto drop;
	s->ts = ie->m->ts.tv_sec + ie->m->ts.tv_nsec / 1e9;
	s->interval_s = ie->m->interval_s;
	s->drain_s = sum->drain_ms / 1e3;
	s->written = emit_sink_stat(file, "written", NULL);
	s->dropped = emit_sink_stat(file, "dropped", NULL);
	s->kernel_mem = sum->kernel_mem;
	memcpy(s->progs, sum->progs, sizeof(s->progs));
	s->nprogs = sum->nprogs;
	s->rules_on = sum->rules_on;
	s->alerts_started = sum->alerts.started;
	s->alerts_ended = sum->alerts.ended;
	if (hook && hook->n) {
		s->has_hooks = 1;
		s->hooks.started = emit_sink_stat(hook, "started", NULL);
		s->hooks.ok = emit_sink_stat(hook, "ok", NULL);
		s->hooks.failed = emit_sink_stat(hook, "failed", NULL);
		s->hooks.timeout = emit_sink_stat(hook, "timeout", NULL);
		s->hooks.skipped = emit_sink_stat(hook, "skipped", NULL);
		s->hooks.last_status = (int)(int64_t)emit_sink_stat(hook, "last_status",
								&s->hooks.has_last);
	}
	if (ie->foreach_alert)
		ie->foreach_alert(ie->rules, snap_alert, &ac);
	if (sum->mit_on && metrics_snap_mitigation(s, sum->mit_filters, sum->mit_nfilters,
						   sum->mit_full))
		goto drop;
	metrics_publish(p->srv, s);
	p->snap = NULL;
	return;
drop:
	metrics_snap_free(p->snap);
	p->snap = NULL;
	p->snap_failed = 0;
}

static size_t prom_stats(void *st, struct xs_sink_stat *out)
{
	struct prom *p = st;
	uint64_t scrapes;
	double ms;

	metrics_served(p->srv, &scrapes, &ms);
	out[0] = (struct xs_sink_stat){ .key = "scrapes", .value = scrapes };
	return 1;
}

/* New ranges name the series of the snapshots published from now on, and
 * a new metrics.top_ranges picks the ranges with top keys. */
static int prom_reload(void *st, const struct xs_sink_env *env, char *err, size_t errlen)
{
	struct prom *p = st;
	char **names;
	int e = prom_names(env->cfg, &names);

	if (!e)
		e = metrics_set_names(p->srv, names, env->cfg->nranges);
	if (!e)
		e = prom_tops(p, env->cfg);
	if (e)
		set_err(err, errlen, "out of memory for the metrics' ranges");
	free(names);		/* the server keeps its own copy */
	return e;
}

static uint64_t prom_stop(void *st)
{
	struct prom *p = st;

	metrics_snap_free(p->snap);
	metrics_stop(p->srv);
	free(p->top_n);
	free(p);
	return 0;
}

const struct xs_sink_ops sink_prom_ops = {
	.name = "prometheus",
	.option = "metrics",
	.metavar = "ADDR:PORT",
	.help = "serve Prometheus metrics at http://ADDR:PORT/metrics\n"
		"(PORT alone: 127.0.0.1); off by default",
	.cmds = XS_CMD_RUN | XS_CMD_COLLECT,
	.check = prom_check,
	.open = prom_open,
	.record = prom_record,
	.interval_end = prom_end,
	.stats = prom_stats,
	.reload = prom_reload,
	.stop = prom_stop,
};
