// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "counters.h"
#include "log.h"
#include "report.h"

static void deliver(struct xs_report *r, struct xs_record *rec)
{
	int e = sinks_record(r->sinks, rec);

	if (e && !r->err)
		r->err = e;
	sink_record_done(rec);
}

int report_range(struct xs_report *r, const struct xs_rec_meta *m, const char *range, int dir,
		 const struct xs_counters *delta)
{
	struct xs_record rec = { .type = XS_REC_RANGE, .m = m, .range = range, .dir = dir,
				 .delta = delta };

	r->err = 0;
	deliver(r, &rec);
	return r->err;
}

static double ts_seconds(const struct timespec *t)
{
	return t->tv_sec + t->tv_nsec / 1e9;
}

/* A view's alert (collect, sflow.views): the rules of every view name an
 * alert alike (rule, range, direction, host, start), so its id also
 * takes the view's agent and ifindex: two views' alerts of one range
 * are two ids, and a view's start and end one. */
static void view_id(struct xs_alert *a, const struct xs_rec_meta *m)
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	const char *p;
	int i;

	for (p = a->id; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	for (p = m->agent; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	for (i = 0; i < 5; i++)
		h = (h ^ (i < 4 ? (m->ifindex >> (8 * i)) & 0xff : (unsigned)m->has_ifindex)) *
		    0x100000001b3ULL;
	snprintf(a->id, sizeof(a->id), "%016llx", h);
}

/*
 * xs_alert_fn: the record goes out after the range records. Its document
 * is made now, while the alert's figures (the slot being read) are there.
 */
static int on_alert(void *ctx, const struct xs_alert *a)
{
	struct xs_report *r = ctx;
	struct xs_record *rec, *grown;
	struct xs_alert al;

	if (r->nalerts == r->alerts_cap) {
		size_t cap = r->alerts_cap ? 2 * r->alerts_cap : 16;

		grown = realloc(r->alerts, cap * sizeof(*grown));
		if (!grown) {
			if (!r->err)
				r->err = -ENOMEM;
			return 0;
		}
		r->alerts = grown;
		r->alerts_cap = cap;
	}
	if (r->act) {
		al = *a;
		al.act = r->act(r->act_ctx, a, ts_seconds(&r->meta->ts));
		a = &al;
	}
	if (r->meta->view && r->meta->agent) {
		if (a != &al)
			al = *a;
		view_id(&al, r->meta);
		a = &al;
	}
	rec = &r->alerts[r->nalerts++];
	*rec = (struct xs_record){ .type = XS_REC_ALERT, .m = r->meta, .alert = a,
				   .top_n = r->cfg->alerts.top_n, .alert_state = a->state };
	snprintf(rec->alert_id, sizeof(rec->alert_id), "%s", a->id);
	sink_record_doc(rec);
	rec->alert = NULL;
	return 0;
}

static void deliver_alerts(struct xs_report *r)
{
	size_t i;

	for (i = 0; i < r->nalerts; i++)
		deliver(r, &r->alerts[i]);
	r->nalerts = 0;
}

int report_init(struct xs_report *r, const struct xs_config *cfg, struct xs_sinks *sinks,
		int no_state_file, char *err, size_t errlen)
{
	const struct xs_alerts_cfg *a = &cfg->alerts;
	int e = 0;

	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->sinks = sinks;
	r->no_state_file = no_state_file;
	if (!cfg->nrules)
		return 0;
	r->rules = rules_new(cfg, XS_SLOTS(cfg->nranges), err, errlen);
	if (!r->rules)
		return -ENOMEM;
	if (a->state_file && !no_state_file)
		e = rules_load_state(r->rules, a->state_file, err, errlen);
	if (e) {
		rules_free(r->rules);
		r->rules = NULL;
	}
	return e;
}

int report_reload(struct xs_report *r, const struct xs_config *ncfg, const struct xs_rec_meta *m,
		  char *err, size_t errlen)
{
	struct xs_rules *nw = NULL;

	if (ncfg->nrules) {
		nw = rules_new(ncfg, XS_SLOTS(ncfg->nranges), err, errlen);
		if (!nw)
			return -ENOMEM;
	}
	r->meta = m;
	r->err = 0;
	if (r->rules && nw)
		rules_adopt(nw, r->rules, on_alert, r);
	else if (r->rules)
		rules_stop(r->rules, ts_seconds(&m->ts), "reloaded", on_alert, r);
	deliver_alerts(r);
	rules_free(r->rules);
	r->rules = nw;
	return 0;
}

void report_moved(struct xs_report *r, const struct xs_config *cfg)
{
	r->cfg = cfg;
	if (r->rules)
		rules_rebind(r->rules, cfg);
}

static int save_state(struct xs_report *r)
{
	char err[XS_ERR_LEN];
	int e;

	if (!r->cfg->alerts.state_file || r->no_state_file)
		return 0;
	e = rules_save_state(r->rules, r->cfg->alerts.state_file, err, sizeof(err));
	if (e)
		log_err("%s", err);
	return e;
}

int report_stop(struct xs_report *r, const struct xs_rec_meta *m, const char *reason)
{
	int e = 0;

	r->err = 0;
	if (r->rules) {
		r->meta = m;
		rules_stop(r->rules, ts_seconds(&m->ts), reason, on_alert, r);
		deliver_alerts(r);
		e = save_state(r);
		rules_free(r->rules);
		r->rules = NULL;
	}
	free(r->alerts);
	r->alerts = NULL;
	r->alerts_cap = 0;
	return r->err ? r->err : e;
}

void report_early(struct xs_report *r, const struct xs_rec_meta *m, uint32_t slot,
		  const struct xs_metrics *mt, xs_live_fn live, void *uctx)
{
	if (!r->rules)
		return;
	r->meta = m;
	rules_early(r->rules, slot, mt, ts_seconds(&m->ts), live, uctx, on_alert, r);
}

int report_early_end(struct xs_report *r)
{
	int e;

	deliver_alerts(r);
	e = r->err;
	r->err = 0;
	return e;
}

static void foreach_alert(void *rules, xs_active_fn fn, void *ctx)
{
	rules_foreach_active(rules, fn, ctx);
}

/* The program counts a dropped packet's blocked count just after the
 * packet, so a read can fall between the two: an interval's blocked may
 * then exceed its packets by the packets in flight at the last read.
 * The record and the summary both say at most the packets. */
static void clamp_blocked(struct xs_counters *d)
{
	uint64_t pkts = counters_pkts(d), bytes = counters_bytes(d);

	if (d->blocked_pkts > pkts)
		d->blocked_pkts = pkts;
	if (d->blocked_bytes > bytes)
		d->blocked_bytes = bytes;
}

/* The (range, direction) records of the interval, and what the rules
 * make of every configured one. */
static void report_slots(struct xs_report *r, const struct xs_rec_meta *m,
			 const struct xs_figures *f, struct xs_summary *s)
{
	static const struct xs_metrics idle;
	struct xs_metrics mt;
	struct xs_counters d;
	struct xs_record rec;
	uint32_t slot, range;
	int dir, have_sk;

	for (slot = XS_DIR_MAX; slot < f->nslots; slot++) {
		range = slot / XS_DIR_MAX;
		dir = slot % XS_DIR_MAX;
		if (range > r->cfg->nranges)
			break;
		counters_delta(&d, &f->cur[slot], &f->prev[slot]);
		clamp_blocked(&d);
		if (!counters_pkts(&d)) {
			if (r->rules)
				rules_slot(r->rules, slot, &idle, on_alert, r);
			continue;
		}
		s->ranges_active++;
		if (dir == XS_DIR_IN) {
			s->in_pkts += counters_pkts(&d);
			s->in_bytes += counters_bytes(&d);
			s->in_blocked_pkts += d.blocked_pkts;
			s->in_blocked_bytes += d.blocked_bytes;
		} else {
			s->out_pkts += counters_pkts(&d);
			s->out_bytes += counters_bytes(&d);
			s->out_blocked_pkts += d.blocked_pkts;
			s->out_blocked_bytes += d.blocked_bytes;
		}
		have_sk = f->sk && f->ske && !skread_slot(f->sk, f->ske, slot);
		if (have_sk)
			s->sk_torn += f->sk->res.torn;
		rec = (struct xs_record){ .type = XS_REC_RANGE, .m = m, .slot = slot, .dir = dir,
					  .range = r->cfg->ranges[range - 1].name, .delta = &d,
					  .skl = have_sk ? &f->sk->l : NULL,
					  .sk = have_sk ? &f->sk->res : NULL };
		deliver(r, &rec);
		if (!r->rules)
			continue;
		rules_metrics(&mt, &d, m->interval_s, dir, rec.skl, rec.sk);
		rules_slot(r->rules, slot, &mt, on_alert, r);
	}
}

static void add_u64s(void *dst, const void *src, size_t size)
{
	uint64_t *d = dst;
	const uint64_t *a = src;
	size_t i;

	for (i = 0; i < size / sizeof(*d); i++)
		d[i] += a[i];
}

int report_view(struct xs_report *r, const struct xs_rec_meta *m, const struct xs_figures *f,
		struct xs_summary *s)
{
	struct xs_rec_meta mm = *m;
	struct xs_global g;
	struct xs_counters u;

	_Static_assert(sizeof(g) % sizeof(uint64_t) == 0, "xs_global: u64 fields");
	_Static_assert(sizeof(u) % sizeof(uint64_t) == 0, "xs_counters: u64 fields");
	mm.mitigation = f->mit_on;
	r->err = 0;
	r->meta = m;
	global_delta(&g, f->gcur, f->gprev);
	add_u64s(&s->g, &g, sizeof(g));
	counters_delta(&u, &f->cur[0], &f->prev[0]);
	add_u64s(&s->unmatched, &u, sizeof(u));
	if (r->rules)
		rules_begin(r->rules, ts_seconds(&m->ts), m->interval_s, s->gap_s);
	report_slots(r, &mm, f, s);
	if (r->rules) {
		struct xs_rules_stats rs;

		deliver_alerts(r);
		rules_stats(r->rules, &rs);
		s->rules_on = 1;
		s->alerts.active += rs.active;
		s->alerts.started += rs.started;
		s->alerts.ended += rs.ended;
		s->alerts.hosts_suppressed += rs.hosts_suppressed;
		s->alerts.early += rs.early;
	}
	return r->err;
}

int report_interval(struct xs_report *r, const struct xs_rec_meta *m, const struct xs_figures *f,
		    struct xs_summary *s)
{
	struct xs_interval_end ie = { .m = m, .s = s, .nslots = f->nslots, .cur = f->cur,
				      .gcur = f->gcur };
	/* Range records and the summary say what mitigation blocked when it is on. */
	struct xs_rec_meta mm = *m;
	struct xs_record rec = { .type = XS_REC_SUMMARY, .m = &mm, .s = s };
	double now = ts_seconds(&m->ts);

	mm.mitigation = f->mit_on;
	r->err = 0;
	r->meta = m;
	s->mit_on = f->mit_on;
	s->mit_filters = f->mit_filters;
	s->mit_nfilters = f->mit_nfilters;
	s->mit_full = f->mit_full;
	s->in_blocked_pkts = s->in_blocked_bytes = s->out_blocked_pkts = s->out_blocked_bytes = 0;
	s->ranges = r->cfg->nranges;
	s->ranges_active = 0;
	s->in_pkts = s->in_bytes = s->out_pkts = s->out_bytes = 0;
	global_delta(&s->g, f->gcur, f->gprev);
	s->sk_on = f->sk && f->ske;
	if (s->sk_on) {
		s->sk_pages = f->sk->l.pages;
		s->sk_pages_used = f->ske->ctl->pages_used;
		s->sk_pool_empty = f->ske->ctl->pool_empty;
		s->sk_races = f->ske->ctl->races;
		s->sk_torn = 0;
	}
	counters_delta(&s->unmatched, &f->cur[0], &f->prev[0]);
	if (r->rules)
		rules_begin(r->rules, now, m->interval_s, s->gap_s);

	report_slots(r, &mm, f, s);

	if (r->rules) {
		struct xs_rules_stats rs;

		deliver_alerts(r);
		rules_stats(r->rules, &rs);
		s->rules_on = 1;
		s->alerts.active = rs.active;
		s->alerts.started = rs.started;
		s->alerts.ended = rs.ended;
		s->alerts.hosts_suppressed = rs.hosts_suppressed;
		s->alerts.early = rs.early;
		if (r->cfg->alerts.state_file && !r->no_state_file &&
		    now - r->state_saved >= r->cfg->alerts.state_save_s) {
			if (r->state_saved)
				save_state(r);
			r->state_saved = now;
		}
		ie.foreach_alert = foreach_alert;
		ie.rules = r->rules;
	}
	if (r->more)
		r->more(r->more_ctx, s, &ie);
	sinks_stats(r->sinks, s);
	deliver(r, &rec);
	sinks_interval_end(r->sinks, &ie);
	return r->err;
}
