// SPDX-License-Identifier: GPL-2.0
/*
 * Alerts to mitigation filters (act.h). One entry per alert of a
 * mitigating rule, by alert id, from its start until its filters are
 * removed (hold_s after its end).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "act.h"
#include "log.h"
#include "sketch.h"

struct entry {
	char id[24];			/* the alert's */
	uint32_t ids[XS_ACT_FILTERS_MAX];
	size_t n;
	struct xs_mit_spec spec;
	int pending;			/* no victim yet: the next record tries */
	struct xs_mit_stats last;	/* hits at act_snapshot(), summed */
	int has_last;
	double remove_at;		/* 0: its alert runs */
};

struct xs_act {
	const struct xs_config *cfg;
	const struct xs_act_ops *ops;
	void *ctx;
	struct entry *e;
	size_t n, cap;
	struct xs_act_result res;
	struct xs_act_stats st;
};

struct xs_act *act_new(const struct xs_config *cfg, const struct xs_act_ops *ops, void *ctx)
{
	struct xs_act *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->cfg = cfg;
	a->ops = ops;
	a->ctx = ctx;
	return a;
}

void act_free(struct xs_act *a)
{
	if (!a)
		return;
	free(a->e);
	free(a);
}

void act_rebind(struct xs_act *a, const struct xs_config *cfg)
{
	a->cfg = cfg;
}

void act_stats(const struct xs_act *a, struct xs_act_stats *s)
{
	*s = a->st;
}

int act_match(const char *attack, uint16_t amp_port, struct xs_mit_spec *s)
{
	size_t n = attack ? strlen(attack) : 0;

	s->proto = -1;
	s->sport = -1;
	s->syn = 0;
	if (!attack)
		return -1;
	if (!strcmp(attack, "syn_flood")) {
		s->proto = XS_L4_TCP;
		s->syn = 1;
	} else if (n > 14 && !strcmp(attack + n - 14, "_amplification")) {
		s->proto = XS_L4_UDP;
		if (amp_port && rules_amp_service(amp_port))
			s->sport = amp_port;
	} else if (!strcmp(attack, "udp_flood")) {
		s->proto = XS_L4_UDP;
	} else if (!strcmp(attack, "icmp_flood")) {
		s->proto = XS_L4_ICMP;
	} else if (!strcmp(attack, "synack_flood") || !strcmp(attack, "rst_flood") ||
		   !strcmp(attack, "ack_flood") || !strcmp(attack, "tcp_flood")) {
		s->proto = XS_L4_TCP;
	} else {
		return -1;
	}
	return 0;
}

/* A top item's key (sketch.h) as a host prefix. */
static void host_prefix(const uint8_t *key, struct xs_prefix *p)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(p, 0, sizeof(*p));
	if (!memcmp(key, mapped, sizeof(mapped)) && key[16] != XS_KEY_V6MAPPED) {
		p->family = 4;
		p->len = 32;
		memcpy(p->addr, key + 12, 4);
	} else {
		p->family = 6;
		p->len = 128;
		memcpy(p->addr, key, 16);
	}
}

static struct entry *find(struct xs_act *a, const char *id)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (!strcmp(a->e[i].id, id))
			return &a->e[i];
	return NULL;
}

static struct entry *add_entry(struct xs_act *a, const char *id)
{
	struct entry *e;

	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 16;

		e = realloc(a->e, cap * sizeof(*e));
		if (!e)
			return NULL;
		a->e = e;
		a->cap = cap;
	}
	if (!a->e)
		return NULL;
	e = &a->e[a->n++];
	memset(e, 0, sizeof(*e));
	memcpy(e->id, id, strnlen(id, sizeof(e->id) - 1));
	return e;
}

/*
 * The destinations to filter: 1 host, or the range's prefixes (up to
 * XS_ACT_FILTERS_MAX). 0 when it must wait for the host lists, -1 when
 * there is nothing to filter.
 */
static int victims(const struct xs_act *a, const struct xs_alert *al, struct xs_prefix *out,
		   size_t *n, const char **why)
{
	const struct xs_metrics *m = al->m;
	const struct xs_range *rg;
	uint32_t id;
	size_t i;

	*n = 0;
	if (al->host) {
		host_prefix(al->host, &out[0]);
		*n = 1;
		return 1;
	}
	if (!al->rule->mit.range && a->cfg->stats.enabled && !al->range_wide) {
		if (!m || !m->sk || !m->l)
			return 0;	/* early: the host lists come at the interval's end */
		if (m->l->dim_pos[XS_DIM_DST] >= 0 && m->sk->ntop[XS_DIM_DST] &&
		    m->sk->top[XS_DIM_DST][0].pkts * 2 > m->pkts) {
			host_prefix(m->sk->top[XS_DIM_DST][0].key, &out[0]);
			*n = 1;
			return 1;
		}
	}
	id = config_range_id(a->cfg, al->range);
	if (!id) {
		*why = "range_gone";
		return -1;
	}
	rg = &a->cfg->ranges[id - 1];
	if (rg->nprefixes > XS_ACT_FILTERS_MAX) {
		*why = "too_many_prefixes";
		return -1;
	}
	for (i = 0; i < rg->nprefixes; i++)
		out[i] = rg->prefixes[i];
	*n = rg->nprefixes;
	return 1;
}

/* Install the filters of entry e for alert al, or say why not. */
static void install(struct xs_act *a, struct entry *e, const struct xs_alert *al)
{
	struct xs_prefix dst[XS_ACT_FILTERS_MAX];
	const char *why = NULL;
	char err[XS_ERR_LEN];
	size_t n, i;
	int v;

	e->pending = 0;
	if (act_match(al->attack, al->m ? al->m->amp_port : 0, &e->spec)) {
		a->res.skipped = "attack_unknown";
		a->st.skipped++;
		return;
	}
	e->spec.pps = al->rule->mit.pps;
	e->spec.ttl_s = a->cfg->mitigation.ttl_s;
	v = victims(a, al, dst, &n, &why);
	if (v == 0) {
		e->pending = 1;
		a->res.pending = 1;
		return;
	}
	if (v < 0) {
		a->res.skipped = why;
		a->st.skipped++;
		return;
	}
	for (i = 0; i < n; i++) {
		e->spec.dst = dst[i];
		if (a->ops->add(a->ctx, &e->spec, &e->ids[e->n], err, sizeof(err))) {
			log_warn("alert %s: mitigation filter %zu of %zu not installed: %s", al->id,
				 i + 1, n, err);
			a->st.failed++;
			continue;
		}
		e->n++;
		a->st.installed++;
	}
	e->spec.dst = dst[0];
	if (!e->n) {
		a->res.skipped = "not_installed";
		a->st.skipped++;
	}
}

static void result(struct xs_act *a, const struct entry *e)
{
	a->res.n = e->n;
	memcpy(a->res.ids, e->ids, sizeof(e->ids));
	a->res.spec = e->spec;
	a->res.dry_run = a->cfg->mitigation.dry_run;
}

const struct xs_act_result *act_alert(struct xs_act *a, const struct xs_alert *al, double now)
{
	struct xs_mit_stats h;
	struct entry *e;
	size_t i;

	if (!al->rule->mit.on || !a->cfg->mitigation.enabled)
		return NULL;
	memset(&a->res, 0, sizeof(a->res));
	if (al->dir != XS_DIR_IN) {
		if (al->state == XS_ALERT_START)
			a->st.skipped++;
		a->res.skipped = "dir_out";	/* an ingress filter drops what comes in */
		return &a->res;
	}
	e = find(a, al->id);
	if (!e && al->state == XS_ALERT_START) {
		e = add_entry(a, al->id);
		if (!e) {
			a->st.failed++;
			a->res.skipped = "out_of_memory";
			return &a->res;
		}
		install(a, e, al);
	} else if (e && e->pending && al->state != XS_ALERT_END) {
		install(a, e, al);
	}
	if (!e) {
		a->res.skipped = "not_installed";
		return &a->res;
	}
	result(a, e);
	if (al->state != XS_ALERT_END)
		return &a->res;
	a->res.pending = 0;
	if (!e->n && !a->res.skipped)
		a->res.skipped = e->pending ? "no_victim" : "not_installed";
	a->res.has_hits = 1;
	if (e->has_last) {		/* the filters are gone: the daemon stops */
		a->res.dropped_pkts = a->res.dry_run ? e->last.dry_pkts : e->last.drop_pkts;
		a->res.dropped_bytes = a->res.dry_run ? e->last.dry_bytes : e->last.drop_bytes;
	}
	for (i = 0; i < e->n && !e->has_last; i++) {
		if (a->ops->hits(a->ctx, e->ids[i], &h))
			continue;
		a->res.dropped_pkts += a->res.dry_run ? h.dry_pkts : h.drop_pkts;
		a->res.dropped_bytes += a->res.dry_run ? h.dry_bytes : h.drop_bytes;
	}
	e->remove_at = now + a->cfg->mitigation.hold_s;
	e->pending = 0;
	return &a->res;
}

void act_snapshot(struct xs_act *a)
{
	struct xs_mit_stats h;
	size_t i, k;

	for (i = 0; i < a->n; i++) {
		struct entry *e = &a->e[i];

		memset(&e->last, 0, sizeof(e->last));
		for (k = 0; k < e->n; k++) {
			if (a->ops->hits(a->ctx, e->ids[k], &h))
				continue;
			e->last.drop_pkts += h.drop_pkts;
			e->last.drop_bytes += h.drop_bytes;
			e->last.dry_pkts += h.dry_pkts;
			e->last.dry_bytes += h.dry_bytes;
		}
		e->has_last = 1;
	}
}

void act_sweep(struct xs_act *a, double now)
{
	size_t i = 0, k;

	while (i < a->n) {
		struct entry *e = &a->e[i];

		if (!e->remove_at || e->remove_at > now) {
			i++;
			continue;
		}
		for (k = 0; k < e->n; k++) {
			int r = a->ops->del(a->ctx, e->ids[k]);

			/* Gone already: its TTL passed, or `block del`. */
			if (!r || r == -ENOENT)
				a->st.removed += !r;
		}
		a->e[i] = a->e[--a->n];
	}
}
