// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <math.h>
#include <stdio.h>
#include "counters.h"
#include "log.h"
#include "report.h"

static int write_line(struct xs_report *r, char *line, int *first_err)
{
	int e;

	if (!line) {
		r->out->dropped++;
		e = -ENOMEM;
	} else {
		e = output_write(r->out, line, strlen(line));
		if (r->influx)
			influx_record(r->influx, line);
		free(line);
	}
	if (e && !*first_err)
		*first_err = e;
	return e;
}

int report_range(struct xs_report *r, const struct xs_rec_meta *m, const char *range, int dir,
		 const struct xs_counters *delta)
{
	int err = 0;

	write_line(r, emit_range(m, range, dir, delta), &err);
	return err;
}

static double ts_seconds(const struct timespec *t)
{
	return t->tv_sec + t->tv_nsec / 1e9;
}

/* xs_alert_fn: the record goes out after the range records; start and
 * end also go to the hook. */
static int on_alert(void *ctx, const struct xs_alert *a)
{
	struct xs_report *r = ctx;
	char *line = emit_alert(r->meta, a, r->cfg->alerts.top_n), **grown;

	if (!line) {
		r->out->dropped++;
		return 0;
	}
	if (a->state != XS_ALERT_ONGOING)
		hook_run(&r->hooks, a->id, line, strlen(line));
	if (r->nalerts == r->alerts_cap) {
		size_t cap = r->alerts_cap ? 2 * r->alerts_cap : 16;

		grown = realloc(r->alerts, cap * sizeof(*grown));
		if (!grown) {
			free(line);
			r->out->dropped++;
			return 0;
		}
		r->alerts = grown;
		r->alerts_cap = cap;
	}
	r->alerts[r->nalerts++] = line;
	return 0;
}

static void write_alerts(struct xs_report *r, int *err)
{
	size_t i;

	for (i = 0; i < r->nalerts; i++)
		write_line(r, r->alerts[i], err);
	r->nalerts = 0;
}

int report_rules_init(struct xs_report *r, uint32_t nslots, char *err, size_t errlen)
{
	const struct xs_alerts_cfg *a = &r->cfg->alerts;
	int e;

	if (!r->cfg->nrules)
		return 0;
	if (a->exec_argv && access(a->exec_argv[0], X_OK)) {
		e = -errno;
		set_err(err, errlen, "alerts.exec: %s: expected an executable program: %s",
			a->exec_argv[0], strerror(-e));
		return e;
	}
	r->rules = rules_new(r->cfg, nslots, err, errlen);
	if (!r->rules)
		return -ENOMEM;
	e = hook_init(&r->hooks, a->exec_argv, a->exec_timeout_s, a->exec_max);
	if (!e && a->state_file && !r->no_state_file)
		e = rules_load_state(r->rules, a->state_file, err, errlen);
	else if (e)
		set_err(err, errlen, "alert hooks: %s", strerror(-e));
	if (e) {
		rules_free(r->rules);
		r->rules = NULL;
		hook_finish(&r->hooks);
	}
	return e;
}

int report_rules_reload(struct xs_report *r, const struct xs_config *ncfg,
			const struct xs_rec_meta *m, char *err, size_t errlen)
{
	const struct xs_alerts_cfg *a = &ncfg->alerts;
	struct xs_rules *nw = NULL;
	int e = 0, werr = 0;

	if (a->exec_argv && access(a->exec_argv[0], X_OK)) {
		e = -errno;
		set_err(err, errlen, "alerts.exec: %s: expected an executable program: %s",
			a->exec_argv[0], strerror(-e));
		return e;
	}
	if (ncfg->nrules) {
		nw = rules_new(ncfg, XS_SLOTS(ncfg->nranges), err, errlen);
		if (!nw)
			return -ENOMEM;
	}
	e = r->rules || nw ? hook_update(&r->hooks, a->exec_argv, a->exec_timeout_s,
					 a->exec_max) : 0;
	if (e) {
		set_err(err, errlen, "alert hooks: %s", strerror(-e));
		rules_free(nw);
		return e;
	}
	r->meta = m;
	if (r->rules && nw)
		rules_adopt(nw, r->rules, on_alert, r);
	else if (r->rules)
		rules_stop(r->rules, ts_seconds(&m->ts), "reloaded", on_alert, r);
	write_alerts(r, &werr);
	rules_free(r->rules);
	r->rules = nw;
	return 0;
}

void report_rules_moved(struct xs_report *r)
{
	const struct xs_alerts_cfg *a = &r->cfg->alerts;

	if (r->rules)
		rules_rebind(r->rules, r->cfg);
	if (r->hooks.kids)
		hook_update(&r->hooks, a->exec_argv, a->exec_timeout_s, a->exec_max);
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

int report_rules_stop(struct xs_report *r, const struct xs_rec_meta *m, const char *reason)
{
	int err = 0, e;

	if (!r->rules) {
		hook_finish(&r->hooks);		/* what a reload left running */
		return 0;
	}
	r->meta = m;
	rules_stop(r->rules, ts_seconds(&m->ts), reason, on_alert, r);
	write_alerts(r, &err);
	e = save_state(r);
	hook_finish(&r->hooks);
	rules_free(r->rules);
	r->rules = NULL;
	free(r->alerts);
	r->alerts = NULL;
	r->alerts_cap = 0;
	return err ? err : e;
}

static void snap_alert(void *ctx, const char *rule, uint32_t slot, const char *attack)
{
	metrics_snap_alert(ctx, rule, slot, attack);
}

/* The interval for --metrics: counters since start, the sketches the loop
 * gathered, alerts, health. A snapshot that could not be made whole is
 * not published (the last one stays). */
static void publish(struct xs_report *r, struct xs_msnap *snap, const struct xs_rec_meta *m,
		    const struct xs_summary *s, int ok)
{
	if (!snap)
		return;
	if (!ok) {
		metrics_snap_free(snap);
		return;
	}
	snap->ts = ts_seconds(&m->ts);
	snap->interval_s = m->interval_s;
	snap->drain_s = s->drain_ms / 1e3;
	snap->written = r->out->written;
	snap->dropped = r->out->dropped;
	snap->kernel_mem = s->kernel_mem;
	memcpy(snap->progs, s->progs, sizeof(snap->progs));
	snap->nprogs = s->nprogs;
	snap->rules_on = s->rules_on;
	snap->alerts_started = s->alerts.started;
	snap->alerts_ended = s->alerts.ended;
	if (s->hooks) {
		snap->has_hooks = 1;
		snap->hooks = *s->hooks;
	}
	if (r->rules)
		rules_foreach_active(r->rules, snap_alert, snap);
	metrics_publish(r->metrics, snap);
}

int report_interval(struct xs_report *r, const struct xs_rec_meta *m,
		    const struct xs_counters *cur, const struct xs_counters *prev,
		    const struct xs_global *gcur, const struct xs_global *gprev,
		    struct xs_summary *s)
{
	static const struct xs_metrics idle;
	struct xs_msnap *snap = NULL;
	int snap_ok = 1;
	struct xs_metrics mt;
	struct xs_counters d;
	uint32_t slot, range;
	int dir, err = 0, have_sk;
	double now = ts_seconds(&m->ts);

	s->ranges = r->cfg->nranges;
	s->ranges_active = 0;
	s->in_pkts = s->in_bytes = s->out_pkts = s->out_bytes = 0;
	global_delta(&s->g, gcur, gprev);
	s->sk_on = r->sk && r->ske;
	if (s->sk_on) {
		s->sk_pages = r->sk->l.pages;
		s->sk_pages_used = r->ske->ctl->pages_used;
		s->sk_pool_empty = r->ske->ctl->pool_empty;
		s->sk_races = r->ske->ctl->races;
		s->sk_torn = 0;
	}
	counters_delta(&s->unmatched, &cur[0], &prev[0]);
	r->meta = m;
	if (r->metrics)
		snap_ok = !!(snap = metrics_snap_new(r->nslots, cur, gcur));
	if (r->rules) {
		hook_poll(&r->hooks);
		rules_begin(r->rules, now, m->interval_s, s->gap_s);
	}

	for (slot = XS_DIR_MAX; slot < r->nslots; slot++) {
		range = slot / XS_DIR_MAX;
		dir = slot % XS_DIR_MAX;
		if (range > r->cfg->nranges)
			break;
		counters_delta(&d, &cur[slot], &prev[slot]);
		if (!counters_pkts(&d)) {
			if (r->rules)
				rules_slot(r->rules, slot, &idle, on_alert, r);
			continue;
		}
		s->ranges_active++;
		if (dir == XS_DIR_IN) {
			s->in_pkts += counters_pkts(&d);
			s->in_bytes += counters_bytes(&d);
		} else {
			s->out_pkts += counters_pkts(&d);
			s->out_bytes += counters_bytes(&d);
		}
		have_sk = r->sk && r->ske && !skread_slot(r->sk, r->ske, slot);
		if (have_sk && snap && metrics_snap_slot(snap, slot, &r->sk->l, &r->sk->res))
			snap_ok = 0;
		if (have_sk) {
			s->sk_torn += r->sk->res.torn;
			write_line(r, emit_range_sk(m, r->cfg->ranges[range - 1].name, dir, &d,
						    &r->sk->l, &r->sk->res), &err);
		} else {
			write_line(r, emit_range(m, r->cfg->ranges[range - 1].name, dir, &d), &err);
		}
		if (!r->rules)
			continue;
		rules_metrics(&mt, &d, m->interval_s, dir, have_sk ? &r->sk->l : NULL,
			      have_sk ? &r->sk->res : NULL);
		rules_slot(r->rules, slot, &mt, on_alert, r);
	}
	if (r->rules) {
		struct xs_rules_stats rs;

		write_alerts(r, &err);
		rules_stats(r->rules, &rs);
		s->rules_on = 1;
		s->alerts.active = rs.active;
		s->alerts.started = rs.started;
		s->alerts.ended = rs.ended;
		s->hooks = r->hooks.argv ? &r->hooks.st : NULL;
		if (r->cfg->alerts.state_file && !r->no_state_file &&
		    now - r->state_saved >= r->cfg->alerts.state_save_s) {
			if (r->state_saved)
				save_state(r);
			r->state_saved = now;
		}
	}
	s->records_dropped = r->out->dropped;
	if (r->influx) {
		struct xs_influx_stats is;

		influx_stats(r->influx, &is);
		s->has_influx = 1;
		s->influx.sent = is.lines_sent;
		s->influx.dropped = is.lines_dropped;
		s->influx.failed = is.posts_failed;
		s->influx.pending = is.lines_pending;
	}
	write_line(r, emit_summary(m, s), &err);
	if (r->influx)
		influx_flush(r->influx);
	publish(r, snap, m, s, snap_ok);
	return err;
}
