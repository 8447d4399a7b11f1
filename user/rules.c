// SPDX-License-Identifier: GPL-2.0
/*
 * The rule engine (rules.h). Each (rule, slot) is a small state machine:
 *
 *   idle --condition holds--> pending --held for_s--> active (start)
 *   active --released for clear_s--> idle (end)
 *
 * "Holds" is value over the threshold (under, for `below`) and every "and"
 * condition. "Released" is value under threshold * (1 - hysteresis) (over
 * threshold * (1 + hysteresis) for `below`), so a value hovering at the
 * threshold keeps the alert rather than flapping it. A baseline learns an
 * EWMA of the value while the slot is idle, and is frozen while an alert
 * runs, so an attack never becomes the normal level.
 *
 * A threshold rule on a host metric (host_pps, host_bps, host_share) runs
 * one such machine per host of the range's host list (top_dst for `in`,
 * top_src for `out`): every host over the threshold gets its own alert,
 * at most alerts.max_hosts of a range at once. When more hosts than that
 * are over it, the rule raises one alert for the range instead (the
 * machine of the slot, started only then), and the hosts left without an
 * alert are counted. A host that leaves the list counts as 0 for its
 * alert: only hosts busier than the whole list are missing from it.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "rules.h"

const char *const rules_state_names[3] = { "start", "ongoing", "end" };

/* Source ports of well-known UDP reflection/amplification services. */
static const struct {
	uint16_t port;
	const char *attack;
} amp_ports[] = {
	{ 17, "qotd_amplification" },
	{ 19, "chargen_amplification" },
	{ 53, "dns_amplification" },
	{ 69, "tftp_amplification" },
	{ 111, "portmap_amplification" },
	{ 123, "ntp_amplification" },
	{ 137, "netbios_amplification" },
	{ 161, "snmp_amplification" },
	{ 389, "ldap_amplification" },
	{ 500, "isakmp_amplification" },
	{ 520, "rip_amplification" },
	{ 4500, "isakmp_amplification" },	/* IKE over NAT traversal */
	{ 1900, "ssdp_amplification" },
	{ 3283, "ard_amplification" },
	{ 3702, "wsd_amplification" },
	{ 5353, "mdns_amplification" },
	{ 10001, "ubiquiti_amplification" },
	{ 11211, "memcached_amplification" },
};

#define EPS 1e-9

struct rstate {
	double mean, var, learned_s;	/* baseline */
	double pend_since;		/* NAN: not pending */
	double since, last_true, last_ongoing;
	double peak, threshold;
	uint64_t pkts, bytes;
	uint64_t hosts_over;		/* a range-wide alert's, at its last interval */
	const char *attack;
	uint8_t active;
	uint8_t early;			/* started before its interval's end */
};

/* One host of a per-host rule's slot. */
struct hstate {
	uint8_t key[XS_TOP_KEY_LEN];
	uint8_t used;
	struct rstate s;
};

struct rule_rt {
	const struct xs_rule *rule;
	uint8_t *applies;		/* per slot */
	struct rstate *st;		/* per slot; a per-host rule's range-wide alert */
	struct hstate **hosts;		/* per slot, per-host rules: hcap entries, NULL
					 * until a host of the slot is over */
	int per_host;
	int by_syn;			/* its hosts are top_syn's (host_syn_pps) */
};

/* Who an alert is about, and whether it may start now. */
struct who {
	const uint8_t *host;		/* a per-host alert */
	int range_wide;			/* a per-host rule's alert for the range */
	int may_start;
	int denied;			/* out: it would have started */
};

static const struct who range_alert = { .may_start = 1 };

struct xs_rules {
	const struct xs_config *cfg;
	uint32_t nslots;
	uint32_t hcap;			/* host entries of a per-host slot */
	struct rule_rt *rt;
	size_t nrules;
	double now, dt, gap;
	struct xs_rules_stats stats;
};

const char *rules_amp_service(uint16_t port)
{
	size_t i;

	for (i = 0; i < sizeof(amp_ports) / sizeof(amp_ports[0]); i++)
		if (amp_ports[i].port == port)
			return amp_ports[i].attack;
	return NULL;
}

/* The host metrics of m are those of `key`. */
static void set_host(struct xs_metrics *m, const uint8_t *key, uint64_t pkts, uint64_t bytes,
		     uint64_t syn, double inv)
{
	m->has_host = 1;
	memcpy(m->host, key, sizeof(m->host));
	m->host_pkts = pkts;
	m->host_bytes = bytes;
	m->host_syn = syn;
	m->v[XS_M_HOST_PPS] = pkts * inv;
	m->v[XS_M_HOST_BPS] = bytes * 8.0 * inv;
	m->v[XS_M_HOST_SHARE] = m->pkts ? (double)pkts / m->pkts : 0;
	m->v[XS_M_HOST_SYN_PPS] = syn * inv;
}

/* `key` in m's top list `dim`, NULL when it is not there (or the list is
 * not tracked). */
static const struct xs_top_item *top_find(const struct xs_metrics *m, int dim, const uint8_t *key)
{
	size_t k, n;

	if (!m->sk || !m->l || m->l->dim_pos[dim] < 0)
		return NULL;
	n = m->sk->ntop[dim] < XS_TOP_K_MAX ? m->sk->ntop[dim] : XS_TOP_K_MAX;
	for (k = 0; k < n; k++)
		if (!memcmp(m->sk->top[dim][k].key, key, XS_TOP_KEY_LEN))
			return &m->sk->top[dim][k];
	return NULL;
}

/* The host metrics of m are those of `key`, from its lists: its packets
 * and bytes from hd's (top_dst for in, top_src for out), its SYNs from
 * top_syn's. A host the first leaves out had at least its SYNs. One in
 * neither counts as 0. */
static void set_host_key(struct xs_metrics *m, const uint8_t *key, int hd, double inv)
{
	const struct xs_top_item *t = top_find(m, hd, key), *s = top_find(m, XS_DIM_SYN, key);

	if (!t)
		t = s;
	set_host(m, key, t ? t->pkts : 0, t ? t->bytes : 0, s ? s->pkts : 0, inv);
}

void rules_metrics(struct xs_metrics *m, const struct xs_counters *d, double dt, int dir,
		   const struct xs_sk_layout *l, const struct xs_sk_result *sk)
{
	const struct xs_class *c = &d->tcp;
	double inv = dt > 0 ? 1.0 / dt : 0;
	int i, hd = dir == XS_DIR_IN ? XS_DIM_DST : XS_DIM_SRC;
	size_t k;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < XS_L4_MAX; i++) {
		m->pkts += c[i].pkts;
		m->bytes += c[i].bytes;
		m->v[XS_M_TCP_PPS + 2 * i] = c[i].pkts * inv;
		m->v[XS_M_TCP_BPS + 2 * i] = c[i].bytes * 8.0 * inv;
	}
	m->tcp = d->tcp.pkts;
	m->udp = d->udp.pkts;
	m->icmp = d->icmp.pkts;
	m->other = d->other.pkts;
	m->syn = d->syn;
	m->synack = d->synack;
	m->rst = d->rst;
	m->fin = d->fin;
	m->frags = d->frags;
	m->v[XS_M_PKTS] = m->pkts;
	m->v[XS_M_BYTES] = m->bytes;
	m->v[XS_M_PPS] = m->pkts * inv;
	m->v[XS_M_BPS] = m->bytes * 8.0 * inv;
	m->v[XS_M_SYN_PPS] = d->syn * inv;
	m->v[XS_M_SYNACK_PPS] = d->synack * inv;
	m->v[XS_M_RST_PPS] = d->rst * inv;
	m->v[XS_M_FIN_PPS] = d->fin * inv;
	m->v[XS_M_FRAG_PPS] = d->frags * inv;
	if (!sk || !l)
		return;
	m->l = l;
	m->sk = sk;
	m->v[XS_M_UNIQ_SRC] = sk->uniq_src;
	if (l->dim_pos[hd] >= 0 && sk->ntop[hd])
		set_host_key(m, sk->top[hd][0].key, hd, inv);
	if (l->dim_pos[XS_DIM_SPORT] < 0)
		return;
	for (k = 0; k < sk->ntop[XS_DIM_SPORT]; k++) {
		const struct xs_top_item *t = &sk->top[XS_DIM_SPORT][k];
		uint16_t port = skread_key_port(t->key);

		if (t->pkts > m->amp_pkts && rules_amp_service(port)) {
			m->amp_pkts = t->pkts;
			m->amp_port = port;
		}
	}
}

/*
 * The guess, from the interval's mix: a class is "dominant" with at least
 * half of the packets. Amplification first: UDP dominant and a known
 * service port with at least half of the UDP packets that carry ports
 * (later fragments carry none; first fragments do, and are in frags too,
 * so the share can only be overstated toward the service, never missed).
 */
const char *rules_classify(const struct xs_metrics *m)
{
	uint64_t n = m->pkts, ported;

	if (!n)
		return "unknown";
	if (m->udp * 2 >= n && m->amp_pkts) {
		ported = m->udp > m->frags ? m->udp - m->frags : 0;
		if (m->amp_pkts * 2 >= (ported ? ported : 1))
			return rules_amp_service(m->amp_port);
	}
	if (m->tcp * 2 >= n) {
		if (m->syn * 2 >= m->tcp)
			return "syn_flood";
		if (m->synack * 2 >= m->tcp)
			return "synack_flood";
		if (m->rst * 2 >= m->tcp)
			return "rst_flood";
		if ((m->syn + m->synack + m->rst + m->fin) * 2 < m->tcp)
			return "ack_flood";
		return "tcp_flood";
	}
	if (m->icmp * 2 >= n)
		return "icmp_flood";
	if (m->frags * 2 >= n)
		return "fragment_flood";
	if (m->udp * 2 >= n)
		return "udp_flood";
	return "unknown";
}

static double expr_value(const struct xs_expr *e, const struct xs_metrics *m)
{
	double a = m->v[e->num], b;

	if (e->den < 0)
		return a;
	b = m->v[e->den];
	return a / (b > 1 ? b : 1);
}

static double thresh_value(const struct xs_rules *r, const struct xs_thresh *t,
			   const struct xs_metrics *m)
{
	double x = t->value;

	if (t->is_pct)
		x = t->pct / 100.0 * (t->of_link ? r->cfg->alerts.link_bps : expr_value(&t->of, m));
	return x > t->min ? x : t->min;
}

static int over(const struct xs_cond *c, double v, double thr)
{
	return c->below ? v < thr : v > thr;
}

/* The baseline's threshold; NAN while it is still learning. */
static double baseline_thr(const struct xs_baseline *b, const struct rstate *s)
{
	double thr = b->min;

	if (s->learned_s + EPS < b->warmup_s)
		return NAN;
	if (b->k && s->mean + b->k * sqrt(s->var) > thr)
		thr = s->mean + b->k * sqrt(s->var);
	if (b->factor && b->factor * s->mean > thr)
		thr = b->factor * s->mean;
	return thr;
}

/* EWMA over `dt` seconds of value x (time constant window_s): mean and
 * the exponentially weighted variance (West 1979, incremental form). */
static void baseline_learn(const struct xs_baseline *b, struct rstate *s, double x, double dt)
{
	double a, diff;

	if (!(dt > 0))
		return;
	if (!s->learned_s) {
		s->mean = x;
		s->var = 0;
		s->learned_s = dt;
		return;
	}
	a = 1 - exp(-dt / b->window_s);
	diff = x - s->mean;
	s->mean += a * diff;
	s->var = (1 - a) * (s->var + a * diff * diff);
	s->learned_s += dt;
}

/* FNV-1a of rule, range, direction, host and start: the same alert has the
 * same id in every record, also across a reload that renumbers ranges. */
static void alert_id(struct xs_alert *a, double since)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	long long ms = llround(since * 1e3);
	const char *p;
	size_t i;

	for (p = a->rule->name; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	h = (h ^ 0xff) * 0x100000001b3ULL;
	for (p = a->range; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	h = (h ^ (uint8_t)a->dir) * 0x100000001b3ULL;
	for (i = 0; a->host && i < XS_TOP_KEY_LEN; i++)
		h = (h ^ a->host[i]) * 0x100000001b3ULL;
	for (i = 0; i < sizeof(ms); i++)
		h = (h ^ (((unsigned long long)ms >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
	snprintf(a->id, sizeof(a->id), "%016llx", (unsigned long long)h);
}

static int fire_named(struct xs_rules *r, const struct rule_rt *rt, const char *range,
		      uint32_t slot, struct rstate *s, const struct who *w,
		      enum xs_alert_state state, double value, const struct xs_metrics *m,
		      const char *reason, xs_alert_fn fn, void *ctx)
{
	const struct xs_rule *rule = rt->rule;
	struct xs_alert a = {
		.state = state,
		.rule = rule,
		.range = range,
		.dir = slot % XS_DIR_MAX,
		.value = value,
		.threshold = s->threshold,
		.has_baseline = rule->has_baseline,
		.mean = s->mean,
		.dev = sqrt(s->var),
		.since = s->since,
		.duration_s = (state == XS_ALERT_END ? s->last_true : r->now) - s->since,
		.peak = s->peak,
		.pkts = s->pkts,
		.bytes = s->bytes,
		.attack = s->attack,
		.reason = reason,
		.host = w->host,
		.range_wide = w->range_wide,
		.hosts_over = s->hosts_over,
		.m = m,
	};
	size_t i;
	double v;

	/* How far past the threshold: value over it (under it for `below`:
	 * threshold over value, a value under 1 counting as 1). */
	v = state == XS_ALERT_END ? s->peak : value;
	if (rule->cond.below)
		a.severity = s->threshold / (v > 1 ? v : 1);
	else
		a.severity = v / (s->threshold > 0 ? s->threshold : 1);
	if (state == XS_ALERT_START && m) {
		a.nand = rule->nand;
		for (i = 0; i < rule->nand && i < XS_RULE_AND_MAX; i++) {
			a.and_value[i] = expr_value(&rule->and_conds[i].m, m);
			a.and_threshold[i] = thresh_value(r, &rule->and_conds[i].t, m);
		}
	}
	alert_id(&a, s->since);
	if (state == XS_ALERT_START)
		r->stats.started++;
	else if (state == XS_ALERT_END)
		r->stats.ended++;
	return fn(ctx, &a);
}

static int fire(struct xs_rules *r, const struct rule_rt *rt, uint32_t slot, struct rstate *s,
		const struct who *w, enum xs_alert_state state, double value,
		const struct xs_metrics *m, const char *reason, xs_alert_fn fn, void *ctx)
{
	return fire_named(r, rt, r->cfg->ranges[slot / XS_DIR_MAX - 1].name, slot, s, w, state,
			  value, m, reason, fn, ctx);
}

static int end_alert(struct xs_rules *r, const struct rule_rt *rt, uint32_t slot,
		     struct rstate *s, const struct who *w, double value,
		     const struct xs_metrics *m, const char *reason, xs_alert_fn fn, void *ctx)
{
	int e = fire(r, rt, slot, s, w, XS_ALERT_END, value, m, reason, fn, ctx);

	s->active = 0;
	s->pend_since = NAN;
	r->stats.active--;
	return e;
}

/* Does the condition hold on m (threshold rules: their `and` too)? */
static int holds(const struct xs_rules *r, const struct xs_rule *rule, const struct xs_metrics *m,
		 double thr)
{
	int hold = !isnan(thr) && over(&rule->cond, expr_value(&rule->cond.m, m), thr);
	size_t i;

	for (i = 0; hold && i < rule->nand; i++)
		hold = over(&rule->and_conds[i], expr_value(&rule->and_conds[i].m, m),
			    thresh_value(r, &rule->and_conds[i].t, m));
	return hold;
}

/* The attack an alert names: a rule on SYNs of a host sees a SYN flood
 * whatever the rest of the range's mix is; any other, the mix's guess. */
static const char *attack_of(const struct rule_rt *rt, const struct xs_metrics *m)
{
	return rt->by_syn ? "syn_flood" : rules_classify(m);
}

/* One state machine s (the slot's, or a host's: w) one interval on. */
static int eval(struct xs_rules *r, const struct rule_rt *rt, uint32_t slot, struct rstate *s,
		struct who *w, const struct xs_metrics *m, xs_alert_fn fn, void *ctx)
{
	const struct xs_rule *rule = rt->rule;
	uint64_t pkts = w->host ? m->host_pkts : m->pkts;
	uint64_t bytes = w->host ? m->host_bytes : m->bytes;
	double v = expr_value(&rule->cond.m, m), thr, start_ts = r->now - r->dt;
	int e = 0;

	/* A silence breaks a condition being sustained, */
	if (r->gap > 0)
		s->pend_since = NAN;
	/* and one longer than clear_s before this interval ended an alert. */
	if (s->active && r->gap > 0 && start_ts - s->last_true + EPS >= rule->clear_s) {
		e = end_alert(r, rt, slot, s, w, 0, NULL, "cleared", fn, ctx);
		if (e)
			return e;
	}
	if (rule->has_baseline) {
		if (!s->active && r->gap > 0)
			baseline_learn(&rule->bl, s, 0, r->gap);
		thr = s->active ? s->threshold : baseline_thr(&rule->bl, s);
	} else {
		thr = thresh_value(r, &rule->cond.t, m);
	}

	if (s->active) {
		double keep = rule->cond.below ? thr * (1 + rule->hysteresis) :
						 thr * (1 - rule->hysteresis);

		/* Started early: the start counted part of this interval, and
		 * this interval's record (an ongoing one, whatever ongoing_s)
		 * gives the whole of it, with its top lists. */
		int first_full = s->early;

		s->pkts = s->early ? pkts : s->pkts + pkts;
		s->bytes = s->early ? bytes : s->bytes + bytes;
		s->early = 0;
		/* The guess of the worst interval: the mix of an attack's tail
		 * (or of the traffic left under it) says little. */
		if (rule->cond.below ? v < s->peak : v > s->peak) {
			s->peak = v;
			if (m->pkts)
				s->attack = attack_of(rt, m);
		}
		if (!rule->has_baseline)
			s->threshold = thr;
		if (rule->cond.below ? v < keep : v > keep) {
			s->last_true = r->now;
		} else if (r->now - s->last_true + EPS >= rule->clear_s) {
			return end_alert(r, rt, slot, s, w, v, m, "cleared", fn, ctx);
		}
		if (first_full || r->now - s->last_ongoing + EPS >= r->cfg->alerts.ongoing_s) {
			s->last_ongoing = r->now;
			return fire(r, rt, slot, s, w, XS_ALERT_ONGOING, v, m, NULL, fn, ctx);
		}
		return 0;
	}

	if (!holds(r, rule, m, thr)) {
		s->pend_since = NAN;
		if (rule->has_baseline)
			baseline_learn(&rule->bl, s, v, r->dt);
		return 0;
	}
	if (isnan(s->pend_since))
		s->pend_since = start_ts;
	if (r->now - s->pend_since + EPS < rule->for_s)
		return 0;
	if (!w->may_start) {
		w->denied = 1;
		return 0;
	}
	s->active = 1;
	s->since = s->pend_since;
	s->last_true = s->last_ongoing = r->now;
	s->peak = v;
	s->threshold = thr;
	s->pkts = pkts;
	s->bytes = bytes;
	s->attack = attack_of(rt, m);
	r->stats.active++;
	return fire(r, rt, slot, s, w, XS_ALERT_START, v, m, NULL, fn, ctx);
}

static int expr_uses(const struct xs_expr *e, int metric)
{
	return e->num == metric || e->den == metric;
}

/* Does a condition read `metric`, in its value or its threshold? */
static int cond_uses(const struct xs_cond *c, int metric)
{
	return expr_uses(&c->m, metric) ||
	       (c->t.is_pct && !c->t.of_link && expr_uses(&c->t.of, metric));
}

static int rule_uses(const struct xs_rule *rule, int metric)
{
	size_t i;
	int u = cond_uses(&rule->cond, metric);

	for (i = 0; i < rule->nand; i++)
		u |= cond_uses(&rule->and_conds[i], metric);
	return u;
}

/* One host's state machine one interval on; a host with neither an alert
 * nor a pending one is let go. */
static int eval_host(struct xs_rules *r, const struct rule_rt *rt, uint32_t slot,
		     struct hstate *h, const struct xs_metrics *mh, int may_start,
		     xs_alert_fn fn, void *ctx)
{
	struct who w = { .host = h->key, .may_start = may_start };
	int e = eval(r, rt, slot, &h->s, &w, mh, fn, ctx);

	if (w.denied)
		r->stats.hosts_suppressed++;
	if (!h->s.active && isnan(h->s.pend_since))
		h->used = 0;
	return e;
}

/*
 * A per-host rule on one slot: the hosts with an alert or a pending one
 * first (they go on, whatever the count), then the hosts of the list over
 * the threshold, while fewer than max_hosts alert and no more than
 * max_hosts are over; then the range-wide alert, which only starts when
 * more are. The list is top_syn for a rule on host_syn_pps, else the
 * range's hosts by packets (hd).
 */
static int eval_hosts(struct xs_rules *r, const struct rule_rt *rt, uint32_t slot,
		      const struct xs_metrics *m, xs_alert_fn fn, void *ctx)
{
	const struct xs_rule *rule = rt->rule;
	int hd = slot % XS_DIR_MAX == XS_DIR_IN ? XS_DIM_DST : XS_DIM_SRC;
	int ld = rt->by_syn ? XS_DIM_SYN : hd;
	uint32_t max = r->cfg->alerts.max_hosts, nactive = 0, i;
	const struct xs_top_item *top = NULL;
	struct hstate *hs = rt->hosts[slot], *h;
	uint8_t hold[XS_TOP_K_MAX] = { 0 };
	double inv = r->dt > 0 ? 1.0 / r->dt : 0;
	size_t n = 0, k, nhold = 0;
	struct xs_metrics mh;
	struct who w;
	int e;

	if (m->sk && m->l && m->l->dim_pos[ld] >= 0) {
		top = m->sk->top[ld];
		n = m->sk->ntop[ld] < XS_TOP_K_MAX ? m->sk->ntop[ld] : XS_TOP_K_MAX;
	}
	for (k = 0; k < n; k++) {
		mh = *m;
		set_host_key(&mh, top[k].key, hd, inv);
		hold[k] = holds(r, rule, &mh, thresh_value(r, &rule->cond.t, &mh));
		nhold += hold[k];
	}
	for (i = 0; hs && i < r->hcap; i++)
		nactive += hs[i].used && hs[i].s.active;
	/* The hosts already followed: active ones first, then pending. */
	for (int pass = 0; pass < 2; pass++)
		for (i = 0; hs && i < r->hcap; i++) {
			h = &hs[i];
			if (!h->used || h->s.active != !pass)
				continue;
			mh = *m;
			for (k = 0; k < n && memcmp(top[k].key, h->key, XS_TOP_KEY_LEN); k++)
				;
			if (k < n)
				hold[k] |= 2;		/* followed */
			set_host_key(&mh, h->key, hd, inv);
			e = eval_host(r, rt, slot, h, &mh, nhold <= max && nactive < max, fn, ctx);
			if (h->s.active && pass)
				nactive++;
			if (e)
				return e;
		}
	/* Hosts over the threshold that nothing follows yet. */
	for (k = 0; k < n; k++) {
		if (hold[k] != 1)
			continue;
		if (!hs) {
			hs = rt->hosts[slot] = calloc(r->hcap, sizeof(*hs));
			if (!hs) {
				r->stats.hosts_suppressed++;
				continue;
			}
		}
		for (h = NULL, i = 0; !h && i < r->hcap; i++)
			if (!hs[i].used)
				h = &hs[i];
		if (!h) {
			r->stats.hosts_suppressed++;
			continue;
		}
		memset(h, 0, sizeof(*h));
		memcpy(h->key, top[k].key, XS_TOP_KEY_LEN);
		h->used = 1;
		h->s.pend_since = NAN;
		mh = *m;
		set_host_key(&mh, top[k].key, hd, inv);
		e = eval_host(r, rt, slot, h, &mh, nhold <= max && nactive < max, fn, ctx);
		nactive += h->s.active;
		if (e)
			return e;
	}
	/* The range-wide alert: the range's figures (its busiest host). */
	rt->st[slot].hosts_over = nhold;
	w = (struct who){ .range_wide = 1, .may_start = nhold > max };
	return eval(r, rt, slot, &rt->st[slot], &w, m, fn, ctx);
}

int rules_per_host(const struct xs_rule *rule)
{
	return !rule->has_baseline &&
	       (rule->cond.m.num >= XS_M_HOST_PPS || rule->cond.m.den >= XS_M_HOST_PPS);
}

struct xs_rules *rules_new(const struct xs_config *cfg, uint32_t nslots, char *err,
			   size_t errlen)
{
	struct xs_rules *r = calloc(1, sizeof(*r));
	uint32_t slot, id;
	size_t i, k;

	if (!r)
		goto oom;
	r->cfg = cfg;
	r->nslots = nslots;
	r->hcap = cfg->alerts.max_hosts + XS_TOP_K_MAX;
	r->nrules = cfg->nrules;
	r->rt = calloc(cfg->nrules ? cfg->nrules : 1, sizeof(*r->rt));
	if (!r->rt)
		goto oom;
	for (i = 0; i < cfg->nrules; i++) {
		struct rule_rt *rt = &r->rt[i];
		const struct xs_rule *rule = &cfg->rules[i];

		rt->rule = rule;
		rt->per_host = rules_per_host(rule);
		rt->by_syn = rule_uses(rule, XS_M_HOST_SYN_PPS);
		rt->applies = calloc(nslots ? nslots : 1, 1);
		rt->st = calloc(nslots ? nslots : 1, sizeof(*rt->st));
		if (rt->per_host)
			rt->hosts = calloc(nslots ? nslots : 1, sizeof(*rt->hosts));
		if (!rt->applies || !rt->st || (rt->per_host && !rt->hosts))
			goto oom;
		for (slot = XS_DIR_MAX; slot < nslots; slot++) {
			rt->st[slot].pend_since = NAN;
			rt->applies[slot] = !rule->nranges && slot / XS_DIR_MAX <= cfg->nranges;
		}
		for (k = 0; k < rule->nranges; k++) {
			id = config_range_id(cfg, rule->ranges[k]);
			for (slot = id * XS_DIR_MAX; id && slot < (id + 1) * XS_DIR_MAX; slot++)
				rt->applies[slot] = slot < nslots;
		}
		for (slot = XS_DIR_MAX; slot < nslots; slot++)
			rt->applies[slot] &= !!(rule->dirs & (1U << (slot % XS_DIR_MAX)));
	}
	return r;
oom:
	set_err(err, errlen, "rules: out of memory for %u slots and %zu rules", nslots,
		cfg->nrules);
	rules_free(r);
	return NULL;
}

void rules_free(struct xs_rules *r)
{
	uint32_t slot;
	size_t i;

	if (!r)
		return;
	for (i = 0; r->rt && i < r->nrules; i++) {
		for (slot = 0; r->rt[i].hosts && slot < r->nslots; slot++)
			free(r->rt[i].hosts[slot]);
		free(r->rt[i].hosts);
		free(r->rt[i].applies);
		free(r->rt[i].st);
	}
	free(r->rt);
	free(r);
}

void rules_begin(struct xs_rules *r, double now, double interval_s, double gap_s)
{
	r->now = now;
	r->dt = interval_s;
	r->gap = gap_s;
}

int rules_slot(struct xs_rules *r, uint32_t slot, const struct xs_metrics *m, xs_alert_fn fn,
	       void *ctx)
{
	int e, hd = slot % XS_DIR_MAX == XS_DIR_IN ? XS_DIM_DST : XS_DIM_SRC;
	struct xs_metrics ms;
	const struct xs_metrics *mr;
	int have_ms = 0;
	size_t i;

	if (slot >= r->nslots)
		return 0;
	for (i = 0; i < r->nrules; i++) {
		struct who w = range_alert;

		if (!r->rt[i].applies[slot])
			continue;
		/* A rule on host_syn_pps: the range's host is its SYNs' busiest. */
		mr = m;
		if (r->rt[i].by_syn) {
			if (!have_ms) {
				ms = *m;
				if (ms.sk && ms.l && ms.l->dim_pos[XS_DIM_SYN] >= 0 &&
				    ms.sk->ntop[XS_DIM_SYN])
					set_host_key(&ms, ms.sk->top[XS_DIM_SYN][0].key, hd,
						     r->dt > 0 ? 1.0 / r->dt : 0);
				else
					ms.v[XS_M_HOST_SYN_PPS] = 0;
				have_ms = 1;
			}
			mr = &ms;
		}
		if (r->rt[i].per_host)
			e = eval_hosts(r, &r->rt[i], slot, mr, fn, ctx);
		else
			e = eval(r, &r->rt[i], slot, &r->rt[i].st[slot], &w, mr, fn, ctx);
		if (e)
			return e;
	}
	return 0;
}

static int expr_early(const struct xs_expr *e)
{
	return e->num < XS_M_HOST_PPS && e->den < XS_M_HOST_PPS;
}

static int cond_early(const struct xs_cond *c, int baseline)
{
	return !c->below && expr_early(&c->m) &&
	       (baseline || !c->t.is_pct || c->t.of_link || expr_early(&c->t.of));
}

int rules_early_rule(const struct xs_rule *rule)
{
	size_t i;

	if (rule->for_s > 0 || !cond_early(&rule->cond, rule->has_baseline))
		return 0;
	for (i = 0; i < rule->nand; i++)
		if (!cond_early(&rule->and_conds[i], 0))
			return 0;
	return 1;
}

static int cond_uniq(const struct xs_cond *c)
{
	return cond_uses(c, XS_M_UNIQ_SRC);
}

static int uses_uniq(const struct xs_rule *rule)
{
	return rule_uses(rule, XS_M_UNIQ_SRC);
}

/* Do the conditions that need no uniq_src hold? (thr: the main one's) */
static int holds_but_uniq(const struct xs_rules *r, const struct xs_rule *rule,
			  const struct xs_metrics *m, double thr)
{
	size_t i;

	if (isnan(thr) || (!cond_uniq(&rule->cond) &&
			   !over(&rule->cond, expr_value(&rule->cond.m, m), thr)))
		return 0;
	for (i = 0; i < rule->nand; i++) {
		const struct xs_cond *c = &rule->and_conds[i];

		if (!cond_uniq(c) && !over(c, expr_value(&c->m, m), thresh_value(r, &c->t, m)))
			return 0;
	}
	return 1;
}

int rules_early_any(const struct xs_rules *r)
{
	size_t i;

	for (i = 0; i < r->nrules; i++)
		if (rules_early_rule(r->rt[i].rule))
			return 1;
	return 0;
}

int rules_early(struct xs_rules *r, uint32_t slot, const struct xs_metrics *m0, double now,
		xs_live_fn live, void *uctx, xs_alert_fn fn, void *ctx)
{
	const struct xs_metrics *m = m0;
	struct xs_metrics mu;
	int e, have = 0;		/* the sketches: 1 read, -1 none */
	size_t i;

	if (slot >= r->nslots)
		return 0;
	for (i = 0; i < r->nrules; i++) {
		const struct rule_rt *rt = &r->rt[i];
		const struct xs_rule *rule = rt->rule;
		struct rstate *s = &rt->st[slot];
		struct who w = range_alert;
		double thr, v;

		if (!rt->applies[slot] || s->active || !rules_early_rule(rule))
			continue;
		thr = rule->has_baseline ? baseline_thr(&rule->bl, s) :
					   thresh_value(r, &rule->cond.t, m0);
		if (uses_uniq(rule) ? !holds_but_uniq(r, rule, m0, thr) : !holds(r, rule, m0, thr))
			continue;
		if (!have) {
			mu = *m0;
			have = live && !live(uctx, slot, &mu) ? 1 : -1;
		}
		if (have < 0 && uses_uniq(rule))
			continue;
		m = have > 0 ? &mu : m0;
		if (!rule->has_baseline)
			thr = thresh_value(r, &rule->cond.t, m);
		if (!holds(r, rule, m, thr))
			continue;
		v = expr_value(&rule->cond.m, m);
		/* The interval began at the last report (rules_begin's now). */
		s->active = 1;
		s->early = 1;
		s->since = r->now;
		s->pend_since = r->now;
		s->last_true = s->last_ongoing = now;
		s->peak = v;
		s->threshold = thr;
		s->pkts = m->pkts;
		s->bytes = m->bytes;
		s->attack = attack_of(rt, m);
		r->stats.active++;
		r->stats.early++;
		{
			double keep = r->now;
			int ret;

			r->now = now;
			ret = fire(r, rt, slot, s, &w, XS_ALERT_START, v, m, NULL, fn, ctx);
			r->now = keep;
			e = ret;
		}
		if (e)
			return e;
	}
	return 0;
}

int rules_stop(struct xs_rules *r, double now, const char *reason, xs_alert_fn fn, void *ctx)
{
	uint32_t slot;
	size_t i;
	int e, first = 0;

	r->now = now;
	for (i = 0; i < r->nrules; i++)
		for (slot = 0; slot < r->nslots; slot++) {
			const struct rule_rt *rt = &r->rt[i];
			struct hstate *hs = rt->hosts ? rt->hosts[slot] : NULL;
			struct who w = { .range_wide = rt->per_host };
			uint32_t k;

			for (k = 0; hs && k < r->hcap; k++) {
				struct who hw = { .host = hs[k].key };

				if (!hs[k].used || !hs[k].s.active)
					continue;
				hs[k].used = 0;
				e = end_alert(r, rt, slot, &hs[k].s, &hw, 0, NULL, reason, fn, ctx);
				if (e && !first)
					first = e;
			}
			if (!rt->st[slot].active)
				continue;
			e = end_alert(r, rt, slot, &rt->st[slot], &w, 0, NULL, reason, fn, ctx);
			if (e && !first)
				first = e;
		}
	return first;
}

void rules_foreach_active(const struct xs_rules *r, xs_active_fn fn, void *ctx)
{
	uint32_t slot;
	size_t i;

	for (i = 0; i < r->nrules; i++)
		for (slot = 0; slot < r->nslots; slot++) {
			const struct rule_rt *rt = &r->rt[i];
			const struct hstate *hs = rt->hosts ? rt->hosts[slot] : NULL;
			uint32_t k;

			if (rt->st[slot].active)
				fn(ctx, rt->rule->name, slot, NULL, rt->st[slot].attack);
			for (k = 0; hs && k < r->hcap; k++)
				if (hs[k].used && hs[k].s.active)
					fn(ctx, rt->rule->name, slot, hs[k].key, hs[k].s.attack);
		}
}

void rules_stats(const struct xs_rules *r, struct xs_rules_stats *s)
{
	*s = r->stats;
}

static const char *dir_name(uint32_t slot)
{
	return slot % XS_DIR_MAX == XS_DIR_IN ? "in" : "out";
}

int rules_save_state(const struct xs_rules *r, const char *path, char *err, size_t errlen)
{
	json_t *root = json_object(), *arr = json_array(), *o;
	char tmp[4096], metric[64];
	uint32_t slot;
	int e = 0;
	size_t i;

	if (!root || !arr) {
		json_decref(root);
		json_decref(arr);
		set_err(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	json_object_set_new(root, "schema", json_integer(1));
	json_object_set_new(root, "baselines", arr);
	for (i = 0; i < r->nrules; i++) {
		const struct xs_rule *rule = r->rt[i].rule;

		if (!rule->has_baseline)
			continue;
		config_expr_name(&rule->cond.m, metric, sizeof(metric));
		for (slot = XS_DIR_MAX; slot < r->nslots; slot++) {
			const struct rstate *s = &r->rt[i].st[slot];

			if (!r->rt[i].applies[slot] || !s->learned_s)
				continue;
			o = json_pack("{s:s,s:s,s:s,s:s,s:f,s:f,s:f}", "rule", rule->name,
				      "metric", metric, "range",
				      r->cfg->ranges[slot / XS_DIR_MAX - 1].name, "dir",
				      dir_name(slot), "mean", s->mean, "var", s->var,
				      "learned_s", s->learned_s);
			if (!o || json_array_append_new(arr, o))
				e = -ENOMEM;
		}
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!e && json_dump_file(root, tmp, JSON_COMPACT))
		e = -errno ? -errno : -EIO;
	json_decref(root);
	if (!e && rename(tmp, path))
		e = -errno;
	if (e) {
		set_err(err, errlen, "%s: cannot save the baselines: %s", path, strerror(-e));
		unlink(tmp);
	}
	return e;
}

static struct rstate *state_for(struct xs_rules *r, const char *rule, const char *metric,
				const char *range, const char *dir)
{
	uint32_t id = config_range_id(r->cfg, range), slot;
	char name[64];
	size_t i;

	if (!id || (strcmp(dir, "in") && strcmp(dir, "out")))
		return NULL;
	slot = id * XS_DIR_MAX + (strcmp(dir, "in") ? XS_DIR_OUT : XS_DIR_IN);
	for (i = 0; i < r->nrules && slot < r->nslots; i++) {
		const struct xs_rule *ru = r->rt[i].rule;

		if (ru->has_baseline && !strcmp(ru->name, rule) &&
		    !strcmp(config_expr_name(&ru->cond.m, name, sizeof(name)), metric) &&
		    r->rt[i].applies[slot])
			return &r->rt[i].st[slot];
	}
	return NULL;
}

void rules_rebind(struct xs_rules *r, const struct xs_config *cfg)
{
	r->cfg = cfg;
}

static int same_rule(const struct xs_rule *a, const struct xs_rule *b)
{
	return !strcmp(a->name, b->name) && a->cond.m.num == b->cond.m.num &&
	       a->cond.m.den == b->cond.m.den;
}

/* A slot's hosts into nrt's nslot (NULL: their rule or range is gone, so
 * their alerts end). Hosts past the new engine's room end too. */
static int adopt_hosts(struct xs_rules *nw, struct rule_rt *nrt, uint32_t nslot,
		       const struct xs_rules *old, const struct rule_rt *ort, uint32_t slot,
		       const char *range, xs_alert_fn fn, void *ctx)
{
	struct hstate *hs = ort->hosts ? ort->hosts[slot] : NULL, *to = NULL;
	uint32_t k, n = 0;
	int e, first = 0;

	for (k = 0; hs && k < old->hcap; k++) {
		struct who w = { .host = hs[k].key };

		if (!hs[k].used)
			continue;
		if (nrt && !nrt->hosts[nslot])
			nrt->hosts[nslot] = calloc(nw->hcap, sizeof(*to));
		to = nrt ? nrt->hosts[nslot] : NULL;
		if (to && n < nw->hcap) {
			to[n++] = hs[k];
			nw->stats.active += hs[k].s.active;
			continue;
		}
		if (!hs[k].s.active)
			continue;
		e = fire_named(nw, ort, range, slot, &hs[k].s, &w, XS_ALERT_END, 0, NULL,
			       "reloaded", fn, ctx);
		if (e && !first)
			first = e;
	}
	return first;
}

int rules_adopt(struct xs_rules *nw, const struct xs_rules *old, xs_alert_fn fn, void *ctx)
{
	uint32_t slot, nslot, id;
	size_t i, k;
	int e, first = 0;

	nw->now = old->now;
	nw->stats.started = old->stats.started;
	nw->stats.ended = old->stats.ended;
	nw->stats.hosts_suppressed = old->stats.hosts_suppressed;
	nw->stats.early = old->stats.early;
	for (i = 0; i < old->nrules; i++) {
		const struct rule_rt *ort = &old->rt[i];
		struct rule_rt *nrt = NULL;

		for (k = 0; k < nw->nrules && !nrt; k++)
			if (same_rule(nw->rt[k].rule, ort->rule))
				nrt = &nw->rt[k];
		for (slot = XS_DIR_MAX; slot < old->nslots; slot++) {
			struct rstate *os = &ort->st[slot];
			const char *range = old->cfg->ranges[slot / XS_DIR_MAX - 1].name;

			if (!ort->applies[slot])
				continue;
			id = config_range_id(nw->cfg, range);
			nslot = id * XS_DIR_MAX + slot % XS_DIR_MAX;
			if (nrt && id && nslot < nw->nslots && nrt->applies[nslot] &&
			    nrt->per_host == ort->per_host) {
				nrt->st[nslot] = *os;
				nw->stats.active += os->active;
				e = adopt_hosts(nw, nrt, nslot, old, ort, slot, range, fn, ctx);
				if (e && !first)
					first = e;
				continue;
			}
			e = adopt_hosts(nw, NULL, 0, old, ort, slot, range, fn, ctx);
			if (e && !first)
				first = e;
			if (!os->active)
				continue;
			/* Its rule or range is gone: the alert ends here. */
			e = fire_named(nw, ort, range, slot, os,
				       &(struct who){ .range_wide = ort->per_host }, XS_ALERT_END, 0,
				       NULL, "reloaded", fn, ctx);
			if (e && !first)
				first = e;
		}
	}
	return first;
}

int rules_load_state(struct xs_rules *r, const char *path, char *err, size_t errlen)
{
	const char *rule, *metric, *range, *dir;
	double mean, var, learned;
	json_error_t je;
	struct rstate *s;
	json_t *root, *arr, *o;
	size_t i;

	if (access(path, F_OK) && errno == ENOENT)
		return 0;
	root = json_load_file(path, 0, &je);
	if (!root) {
		set_err(err, errlen, "%s:%d:%d: invalid state file: %s (delete it to start "
			"learning afresh)", path, je.line, je.column, je.text);
		return -EINVAL;
	}
	arr = json_object_get(root, "baselines");
	if (!json_is_array(arr) || json_integer_value(json_object_get(root, "schema")) != 1) {
		set_err(err, errlen, "%s: expected {\"schema\":1,\"baselines\":[...]} (delete it "
			"to start learning afresh)", path);
		json_decref(root);
		return -EINVAL;
	}
	json_array_foreach(arr, i, o) {
		if (json_unpack(o, "{s:s,s:s,s:s,s:s,s:F,s:F,s:F}", "rule", &rule, "metric",
				&metric, "range", &range, "dir", &dir, "mean", &mean, "var", &var,
				"learned_s", &learned) ||
		    !(mean >= 0) || !(var >= 0) || !(learned >= 0) || !isfinite(mean) ||
		    !isfinite(var) || !isfinite(learned)) {
			set_err(err, errlen, "%s: baselines[%zu]: expected {\"rule\", \"metric\", "
				"\"range\", \"dir\", \"mean\", \"var\", \"learned_s\"} with finite "
				"numbers >= 0 (delete the file to start learning afresh)", path, i);
			json_decref(root);
			return -EINVAL;
		}
		s = state_for(r, rule, metric, range, dir);
		if (!s)
			continue;
		s->mean = mean;
		s->var = var;
		s->learned_s = learned;
	}
	json_decref(root);
	return 0;
}
