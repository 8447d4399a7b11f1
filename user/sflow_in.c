// SPDX-License-Identifier: GPL-2.0
/*
 * collect --sflow (sflow_in.h). One thread on one CPU: poll the sockets
 * until the interval's end on the wall clock, decode each datagram,
 * feed its headers, then report the interval through the pipeline.
 *
 * Agents. An agent is the address in the datagram's header and its
 * sub-agent id (sequence numbers are per sub-agent); sflow.agents, when
 * given, lists the prefixes accepted: a datagram from any other agent is
 * counted (agents_dropped) and dropped, with one warning. Up to
 * XS_SFLOW_TRACK agents are tracked one by one; datagrams of further ones
 * are still used, counted in agents_untracked.
 *
 * Sequence gaps. Each flow sample carries its source's sequence number
 * (sFlow v5: per agent, sub-agent and source id); a jump of d over the
 * last one seen means d - 1 samples lost in transport (or dropped by the
 * agent: it numbers what it sent). A number at or below the last one is
 * a restart or a reordering: counted as seq_resets, no loss. The same for
 * the datagram sequence numbers (datagrams_lost).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <bpf/libbpf.h>
#include "cidr.h"
#include "feeder.h"
#include "log.h"
#include "pipeline.h"
#include "run.h"
#include "sflow.h"
#include "sflow_in.h"

#ifndef XS_SFLOW_TRACK
#define XS_SFLOW_TRACK 1024		/* agents tracked one by one */
#endif
#define SOURCES_BITS 16			/* (agent, source id) sequence slots */
#define IFC_MAX 1024			/* interface counter entries an interval */
#define FRAME_MAX 65536			/* XDP: the runner's fragments take the rest */
#define DGRAM_MAX 65536
#define RCVBUF (32 << 20)

struct agent {
	uint8_t addr[16];
	uint8_t family;			/* 0: a free slot */
	uint32_t sub_agent;
	char name[INET6_ADDRSTRLEN + 12];
	uint32_t last_seq;		/* datagram sequence number */
	int has_seq;
	/* this interval */
	uint64_t datagrams, samples, headers, counter_samples;
	uint64_t samples_lost, datagrams_lost, seq_resets;
};

struct source {
	uint64_t key;			/* agent index + 1 << 32 | source id; 0: free */
	uint32_t last_seq;
};

struct ifc {
	uint32_t agent;
	struct xs_sflow_ifcounters c;
};

/* A view's own object: its counters, sketches, rules and alerts. */
struct vobj {
	struct xs_collect col;
	struct xs_report rep;		/* the view's rules; the pipeline's sinks */
	struct xs_feeder feed;
	struct xs_rec_meta meta;	/* agent (and ifindex) */
	char agent[INET6_ADDRSTRLEN + 12];
};

struct view {
	uint64_t key;			/* agent index + 1 << 32 | ifindex; 0: free */
	struct vobj *o;			/* NULL: its object failed, "other" counts it */
	/* this interval */
	uint64_t samples, pkts, bytes;
};

struct xs_sflowin {
	struct xs_config *cfg;
	struct xs_pipeline p;
	struct xs_feeder feed;
	struct xs_rec_meta meta;
	struct xs_prog_stat prog;
	char host[256];
	struct timespec last;		/* monotonic: the interval's start */
	struct xs_sflow_dgram d;
	uint8_t frame[XS_FEED_HEADROOM + FRAME_MAX];

	struct agent agents[XS_SFLOW_TRACK];
	uint32_t nagents;
	struct source *sources;		/* 1 << SOURCES_BITS */
	struct ifc ifc[IFC_MAX];
	uint32_t nifc;
	struct view *views;		/* 2 * views_max, a power of 2; kept */
	uint32_t views_cap, nviews, views_max;
	struct view other;		/* the pipeline's own object: agent "*" */
	struct xs_ie_view *iev;		/* views_cap: for the sinks' interval end */
	uint64_t views_over, views_failed;	/* this interval */
	uint32_t views_failed_total;
	int view_err;			/* a view's collection failed: stop */
	int warned_views, warned_view_fail;

	/* this interval */
	uint64_t datagrams, samples, headers, counter_samples, malformed;
	uint64_t bad[XS_SFLOW_NREASONS];
	uint64_t agents_dropped, agents_untracked, rate_over, sources_untracked;
	uint64_t ifc_dropped;
	uint64_t headers_total;
	/* warned once */
	int warned_bad[XS_SFLOW_NREASONS];
	int warned_agent, warned_rate, warned_track, warned_sources;
	const char *agent1;		/* the one agent of the interval, or "*" */
	int nagents_seen;
};

/* ------------------------------------------------------------ agents */

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static int agent_accepted(const struct xs_config *cfg, const struct xs_sflow_dgram *d)
{
	size_t i;

	if (!cfg->sflow.nagents)
		return 1;
	for (i = 0; i < cfg->sflow.nagents; i++)
		if (cidr_contains(&cfg->sflow.agents[i], d->agent_family, d->agent))
			return 1;
	return 0;
}

static void agent_name(const struct xs_sflow_dgram *d, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(d->agent_family == 4 ? AF_INET : AF_INET6, d->agent, a, sizeof(a));
	if (d->sub_agent)
		snprintf(buf, len, "%s#%u", a, d->sub_agent);
	else
		snprintf(buf, len, "%s", a);
}

/* The agent of d: its index, or -1 when the table is full. Open
 * addressing over a table that never shrinks. */
static int agent_find(struct xs_sflowin *c, const struct xs_sflow_dgram *d)
{
	uint64_t w[2], h;
	uint32_t i, n;
	struct agent *a;

	memcpy(w, d->agent, sizeof(w));
	h = hash64(((uint64_t)d->agent_family << 32 | d->sub_agent) ^ w[0] ^ hash64(w[1]));
	for (n = 0, i = h % XS_SFLOW_TRACK; n < XS_SFLOW_TRACK; n++, i = (i + 1) % XS_SFLOW_TRACK) {
		a = &c->agents[i];
		if (!a->family)
			break;
		if (a->family == d->agent_family && a->sub_agent == d->sub_agent &&
		    !memcmp(a->addr, d->agent, 16))
			return i;
	}
	if (n == XS_SFLOW_TRACK || c->nagents >= XS_SFLOW_TRACK * 3 / 4)
		return -1;
	a = &c->agents[i];
	memcpy(a->addr, d->agent, 16);
	a->family = d->agent_family;
	a->sub_agent = d->sub_agent;
	agent_name(d, a->name, sizeof(a->name));
	c->nagents++;
	return i;
}

/* The sequence gap of (agent, source): samples lost, counted in a. */
static void source_seq(struct xs_sflowin *c, int ai, struct agent *a, uint32_t source,
		       uint32_t seq)
{
	uint64_t key = (uint64_t)(ai + 1) << 32 | source;
	uint32_t mask = (1U << SOURCES_BITS) - 1, i = hash64(key) & mask, n, d;
	struct source *s;

	for (n = 0; n <= mask; n++, i = (i + 1) & mask) {
		s = &c->sources[i];
		if (s->key == key)
			break;
		if (!s->key) {
			s->key = key;
			s->last_seq = seq;
			return;
		}
	}
	if (n > mask) {
		c->sources_untracked++;
		if (!c->warned_sources++)
			log_warn("sflow: more than %u (agent, source) pairs: the sequence gaps "
				 "of the others are not counted (sflow.sources_untracked; warned "
				 "once)", mask + 1);
		return;
	}
	d = seq - s->last_seq;
	if (d && d < (1U << 31))
		a->samples_lost += d - 1;
	else
		a->seq_resets++;
	s->last_seq = seq;
}

/* ------------------------------------------------------------- views */

/*
 * sflow.views: a view (an agent, or an agent's input ifIndex) is counted
 * by a BPF object of its own, loaded at its first sample, so its range
 * records, rules and alerts are its own. At most views_max objects (the
 * plan checked their kernel memory against the budget); they stay until
 * the collector stops. Samples of views past the bound, of agents not
 * tracked, or of a view whose object failed to load go to the pipeline's
 * own object, the view "other" (records with agent "*").
 */
static int vobj_open(struct xs_sflowin *c, struct vobj *o, const struct agent *a, int has_if,
		     uint32_t ifindex, char *err, size_t errlen)
{
	struct xs_plan plan;
	int e;

	snprintf(o->agent, sizeof(o->agent), "%s", a->name);
	o->meta = c->meta;
	o->meta.agent = o->agent;
	o->meta.has_ifindex = has_if;
	o->meta.ifindex = ifindex;
	o->meta.view = 1;
	e = collect_plan(c->cfg, c->p.ncpus, &plan, err, errlen);
	if (!e)
		e = collect_open(&o->col, &plan, c->cfg->nranges, err, errlen);
	collect_plan_free(&plan);
	if (!e)
		e = collect_load_one(&o->col, 0, err, errlen);
	if (!e)
		e = report_init(&o->rep, c->cfg, &c->p.sinks, 1, err, errlen);
	if (e)
		return e;
	feeder_init(&o->feed, loader_xdp_fd(&o->col.l), 0, "sflow");
	return 0;
}

/* Its active alerts end with `reason` (records at m's time). 0 or the
 * -errno of a lost record. */
static int vobj_close(struct vobj *o, const struct xs_rec_meta *m, const char *reason)
{
	struct xs_rec_meta mm;
	int e;

	if (!o)
		return 0;
	mm = o->meta;
	mm.ts = m->ts;
	mm.interval_s = m->interval_s;
	collect_close(&o->col);
	e = report_stop(&o->rep, &mm, reason);
	free(o);
	return e;
}

/* The view of a flow sample of agent ai: NULL for "other". */
static struct view *view_of(struct xs_sflowin *c, int ai, const struct xs_sflow_flow *f)
{
	enum xs_sflow_view kind = c->cfg->sflow.views;
	uint32_t i, mask = c->views_cap - 1, ifindex = 0xffffffffU;
	char err[XS_ERR_LEN];
	struct view *v;
	uint64_t key;

	if (kind == XS_SFLOW_VIEW_NONE || !c->views)
		return NULL;
	if (ai < 0)
		return &c->other;
	if (kind == XS_SFLOW_VIEW_IFINDEX && f->in_format == XS_SFLOW_IF_INDEX)
		ifindex = f->in_value;
	key = (uint64_t)(ai + 1) << 32 | (kind == XS_SFLOW_VIEW_IFINDEX ? ifindex : 0);
	for (i = hash64(key) & mask;; i = (i + 1) & mask) {
		v = &c->views[i];
		if (v->key == key)
			return v->o ? v : &c->other;
		if (!v->key)
			break;
	}
	if (c->nviews >= c->views_max) {
		c->views_over++;
		if (!c->warned_views++)
			log_warn("sflow: more than %u views (sflow.max_views): the samples of the "
				 "others count in the view \"other\", agent \"*\" (sflow.views_over; "
				 "warned once)", c->views_max);
		return &c->other;
	}
	v->key = key;
	c->nviews++;
	v->o = calloc(1, sizeof(*v->o));
	if (!v->o || vobj_open(c, v->o, &c->agents[ai], kind == XS_SFLOW_VIEW_IFINDEX ?
			       (ifindex == 0xffffffffU ? 2 : 1) : 0, ifindex, err, sizeof(err))) {
		if (!v->o)
			snprintf(err, sizeof(err), "out of memory");
		else
			vobj_close(v->o, &c->meta, "stopped");
		v->o = NULL;
		c->views_failed++;
		c->views_failed_total++;
		if (!c->warned_view_fail++)
			log_warn("sflow: the view of agent %s has no object of its own (%s): its "
				 "samples count in the view \"other\" (sflow.views_failed; warned "
				 "once)", c->agents[ai].name, err);
		return &c->other;
	}
	return v;
}

static void view_count(struct view *v, const struct xs_sflow_flow *f, uint32_t wire)
{
	v->samples++;
	v->pkts += f->rate;
	v->bytes += (uint64_t)wire * f->rate;
}

/* Before the summary (report.h's more): each view's records and alerts,
 * its figures added into s. */
static void views_report(void *ctx, struct xs_summary *s, struct xs_interval_end *ie)
{
	struct xs_sflowin *c = ctx;
	char err[XS_ERR_LEN];
	struct xs_figures f;
	struct vobj *o;
	uint32_t i;
	size_t n = 0;
	int e;

	for (i = 0; i < c->views_cap; i++) {
		o = c->views[i].o;
		if (!o)
			continue;
		o->meta.ts = c->meta.ts;
		o->meta.interval_s = c->meta.interval_s;
		e = collect_read(&o->col, 0, &o->feed.extra, &f, err, sizeof(err));
		if (!e) {
			report_view(&o->rep, &o->meta, &f, s);	/* losses: the sinks tell */
			e = collect_done(&o->col, err, sizeof(err));
		}
		if (e) {
			log_err("sflow: view %s: %s", o->agent, err);
			c->view_err = 1;
			continue;
		}
		s->kernel_mem += o->col.plan.kernel_mem;
		c->iev[n++] = (struct xs_ie_view){ .m = &o->meta, .nslots = f.nslots,
						   .cur = f.cur, .rules = o->rep.rules };
	}
	ie->views = c->iev;
	ie->nviews = n;
}

/* --------------------------------------------------------- datagrams */

static void sender_name(const struct sockaddr_storage *from, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";
	uint16_t port = 0;

	if (from && from->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)from;

		inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
		port = ntohs(s->sin_port);
	} else if (from && from->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)from;

		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
		port = ntohs(s->sin6_port);
	}
	snprintf(buf, len, from && from->ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
}

/* Count d's faults: by reason, one warning a reason. */
static void count_bad(struct xs_sflowin *c, const struct xs_sflow_dgram *d,
		      const struct sockaddr_storage *from)
{
	char who[INET6_ADDRSTRLEN + 8];
	int r;

	c->malformed++;
	for (r = 1; r < XS_SFLOW_NREASONS; r++) {
		if (!d->bad[r])
			continue;
		c->bad[r] += d->bad[r];
		if (c->warned_bad[r]++)
			continue;
		sender_name(from, who, sizeof(who));
		log_warn("sflow: datagram from %s: %s: counted in sflow.malformed.%s (warned "
			 "once)", who, sflow_reason_text(r), sflow_reason_name(r));
	}
}

static int feed_flow(struct xs_sflowin *c, int ai, struct agent *a,
		     const struct xs_sflow_flow *f)
{
	const struct xs_sflow_dgram *d = &c->d;
	struct xs_feeder *feed = &c->feed;
	struct view *v;
	uint32_t i, len, wire;
	int e;

	if (f->rate > XS_WEIGHT_MAX) {
		c->rate_over++;
		if (!c->warned_rate++)
			log_warn("sflow: agent %s: sampling rate %u is over %u: the sample is "
				 "dropped, counted in sflow.rate_over (warned once)",
				 a ? a->name : "?", f->rate, XS_WEIGHT_MAX);
		return 0;
	}
	if (ai >= 0)
		source_seq(c, ai, a, f->source_type << 24 | f->source_index, f->seq);
	v = view_of(c, ai, f);
	if (v && v->o)
		feed = &v->o->feed;
	for (i = f->header; i < (uint32_t)f->header + f->nheaders && i < d->nheaders; i++) {
		struct xs_frame fr = { .buf = c->frame, .weight = f->rate };

		if (sflow_frame(&d->headers[i], c->frame + XS_FEED_HEADROOM, FRAME_MAX, &len,
				&wire) != XS_SFLOW_OK) {
			c->bad[XS_SFLOW_PROTOCOL]++;
			if (!c->warned_bad[XS_SFLOW_PROTOCOL]++)
				log_warn("sflow: agent %s: raw header protocol %u: %s; counted "
					 "in sflow.headers_refused (warned once)",
					 a ? a->name : "?", d->headers[i].protocol,
					 sflow_reason_text(XS_SFLOW_PROTOCOL));
			continue;
		}
		fr.len = len;
		fr.wire_len = wire;
		fr.rec = c->headers_total + 1;
		e = feeder_run(feed, &fr);
		if (e)
			return e;
		c->headers++;
		c->headers_total++;
		if (a)
			a->headers++;
		if (v)
			view_count(v, f, wire);
	}
	return 0;
}

int sflowin_datagram(struct xs_sflowin *c, const uint8_t *buf, size_t len,
		     const struct sockaddr_storage *from)
{
	struct xs_sflow_dgram *d = &c->d;
	enum xs_sflow_reason r;
	struct agent *a = NULL;
	uint32_t i, dseq;
	int ai = -1, e;

	c->datagrams++;
	r = sflow_decode(buf, len, d);
	if (d->nbad)
		count_bad(c, d, from);
	if (r != XS_SFLOW_OK && sflow_reason_level(r) == XS_SFLOW_DROP_DGRAM)
		return 0;
	if (!agent_accepted(c->cfg, d)) {
		c->agents_dropped++;
		if (!c->warned_agent++) {
			char n[INET6_ADDRSTRLEN + 12];

			agent_name(d, n, sizeof(n));
			log_warn("sflow: agent %s is not in sflow.agents: its datagrams are dropped, "
				 "counted in sflow.agents_dropped (warned once)", n);
		}
		return 0;
	}
	ai = agent_find(c, d);
	if (ai < 0) {
		c->agents_untracked++;
		if (!c->warned_track++)
			log_warn("sflow: more than %d agents: the others are counted together, "
				 "in sflow.agents_untracked (warned once)", XS_SFLOW_TRACK * 3 / 4);
	} else {
		a = &c->agents[ai];
		a->datagrams++;
		dseq = d->seq - a->last_seq;
		if (a->has_seq && dseq && dseq < (1U << 31))
			a->datagrams_lost += dseq - 1;
		else if (a->has_seq)
			a->seq_resets++;
		a->last_seq = d->seq;
		a->has_seq = 1;
		if (!c->agent1)
			c->agent1 = a->name;
		else if (c->agent1 != a->name)
			c->agent1 = "*";
	}
	c->samples += d->nflows;
	c->counter_samples += d->counter_samples;
	if (a) {
		a->samples += d->nflows;
		a->counter_samples += d->counter_samples;
	}
	for (i = 0; i < d->nflows; i++) {
		e = feed_flow(c, ai, a, &d->flows[i]);
		if (e)
			return e;
	}
	for (i = 0; i < d->nifcounters; i++) {
		uint32_t k;

		if (ai < 0)
			break;
		for (k = 0; k < c->nifc; k++)
			if (c->ifc[k].agent == (uint32_t)ai &&
			    c->ifc[k].c.ifindex == d->ifcounters[i].ifindex)
				break;
		if (k == IFC_MAX) {
			c->ifc_dropped++;
			continue;
		}
		if (k == c->nifc)
			c->nifc++;
		c->ifc[k].agent = ai;
		c->ifc[k].c = d->ifcounters[i];
	}
	return 0;
}

uint64_t sflowin_headers(const struct xs_sflowin *c)
{
	return c->headers_total;
}

/* ----------------------------------------------------------- summary */

static json_t *jint(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *ifc_doc(const struct xs_sflow_ifcounters *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "speed", jint(f->speed));
	json_object_set_new(o, "status", jint(f->status));
	json_object_set_new(o, "in_octets", jint(f->in_octets));
	json_object_set_new(o, "in_ucast", jint(f->in_ucast));
	json_object_set_new(o, "in_mcast", jint(f->in_mcast));
	json_object_set_new(o, "in_bcast", jint(f->in_bcast));
	json_object_set_new(o, "in_discards", jint(f->in_discards));
	json_object_set_new(o, "in_errors", jint(f->in_errors));
	json_object_set_new(o, "out_octets", jint(f->out_octets));
	json_object_set_new(o, "out_ucast", jint(f->out_ucast));
	json_object_set_new(o, "out_mcast", jint(f->out_mcast));
	json_object_set_new(o, "out_bcast", jint(f->out_bcast));
	json_object_set_new(o, "out_discards", jint(f->out_discards));
	json_object_set_new(o, "out_errors", jint(f->out_errors));
	return o;
}

static json_t *view_doc(const struct view *v)
{
	json_t *o = json_object();

	json_object_set_new(o, "samples", jint(v->samples));
	json_object_set_new(o, "pkts", jint(v->pkts));
	json_object_set_new(o, "bytes", jint(v->bytes));
	return o;
}

/* The interval's "sflow" object; the interval's counts start again. */
static json_t *health_doc(struct xs_sflowin *c, const struct xs_replay_stat *st)
{
	json_t *o = json_object(), *bad = json_object(), *ag = json_object();
	json_t *ifs = json_object(), *views = NULL;
	uint32_t i;
	int r;

	json_object_set_new(o, "datagrams", jint(c->datagrams));
	json_object_set_new(o, "samples", jint(c->samples));
	json_object_set_new(o, "headers", jint(c->headers));
	json_object_set_new(o, "counter_samples", jint(c->counter_samples));
	for (r = 1; r < XS_SFLOW_NREASONS; r++) {
		if (r == XS_SFLOW_PROTOCOL || !c->bad[r])
			continue;
		json_object_set_new(bad, sflow_reason_name(r), jint(c->bad[r]));
	}
	json_object_set_new(o, "malformed_datagrams", jint(c->malformed));
	json_object_set_new(o, "malformed", bad);
	json_object_set_new(o, "headers_refused", jint(c->bad[XS_SFLOW_PROTOCOL] + st->refused));
	json_object_set_new(o, "agents_dropped", jint(c->agents_dropped));
	json_object_set_new(o, "agents_untracked", jint(c->agents_untracked));
	json_object_set_new(o, "rate_over", jint(c->rate_over));
	if (c->sources_untracked)
		json_object_set_new(o, "sources_untracked", jint(c->sources_untracked));
	for (i = 0; i < XS_SFLOW_TRACK; i++) {
		struct agent *a = &c->agents[i];
		json_t *x;

		if (!a->family || !(a->datagrams))
			continue;
		x = json_object();
		json_object_set_new(x, "datagrams", jint(a->datagrams));
		json_object_set_new(x, "samples", jint(a->samples));
		json_object_set_new(x, "headers", jint(a->headers));
		json_object_set_new(x, "counter_samples", jint(a->counter_samples));
		json_object_set_new(x, "samples_lost", jint(a->samples_lost));
		json_object_set_new(x, "datagrams_lost", jint(a->datagrams_lost));
		json_object_set_new(x, "seq_resets", jint(a->seq_resets));
		json_object_set_new(ag, a->name, x);
		a->datagrams = a->samples = a->headers = a->counter_samples = 0;
		a->samples_lost = a->datagrams_lost = a->seq_resets = 0;
	}
	json_object_set_new(o, "agents", ag);
	for (i = 0; i < c->nifc; i++) {
		const char *an = c->agents[c->ifc[i].agent].name;
		json_t *x = json_object_get(ifs, an);
		char k[16];

		if (!x) {
			x = json_object();
			json_object_set_new(ifs, an, x);
		}
		snprintf(k, sizeof(k), "%u", c->ifc[i].c.ifindex);
		json_object_set_new(x, k, ifc_doc(&c->ifc[i].c));
	}
	json_object_set_new(o, "interfaces", ifs);
	if (c->ifc_dropped)
		json_object_set_new(o, "interfaces_dropped", jint(c->ifc_dropped));
	if (c->views) {
		views = json_object();
		for (i = 0; i < c->views_cap; i++) {
			struct view *v = &c->views[i];
			char k[INET6_ADDRSTRLEN + 32];
			const char *an;

			if (!v->key || !v->samples)
				continue;
			an = c->agents[(v->key >> 32) - 1].name;
			if (c->cfg->sflow.views == XS_SFLOW_VIEW_AGENT)
				snprintf(k, sizeof(k), "%s", an);
			else if ((uint32_t)v->key == 0xffffffffU)
				snprintf(k, sizeof(k), "%s/-", an);
			else
				snprintf(k, sizeof(k), "%s/%u", an, (uint32_t)v->key);
			json_object_set_new(views, k, view_doc(v));
		}
		if (c->other.samples)
			json_object_set_new(views, "other", view_doc(&c->other));
		json_object_set_new(o, "views", views);
		json_object_set_new(o, "views_loaded", jint(c->nviews - c->views_failed_total));
		json_object_set_new(o, "views_max", jint(c->views_max));
		json_object_set_new(o, "views_over", jint(c->views_over));
		if (c->views_failed)
			json_object_set_new(o, "views_failed", jint(c->views_failed));
		for (i = 0; i < c->views_cap; i++)
			c->views[i].samples = c->views[i].pkts = c->views[i].bytes = 0;
		memset(&c->other, 0, sizeof(c->other));
		c->views_over = c->views_failed = 0;
	}
	c->datagrams = c->samples = c->headers = c->counter_samples = c->malformed = 0;
	memset(c->bad, 0, sizeof(c->bad));
	c->agents_dropped = c->agents_untracked = c->rate_over = c->sources_untracked = 0;
	c->ifc_dropped = 0;
	c->nifc = 0;
	return o;
}

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (a->tv_sec - b->tv_sec) + (a->tv_nsec - b->tv_nsec) / 1e9;
}

int sflowin_interval(struct xs_sflowin *c)
{
	struct xs_replay_stat st;
	struct xs_summary s = {};
	struct timespec now;
	char err[XS_ERR_LEN];
	uint32_t i;
	int e;

	clock_gettime(CLOCK_MONOTONIC, &now);
	clock_gettime(CLOCK_REALTIME, &c->meta.ts);
	c->meta.interval_s = ts_diff(&now, &c->last);
	c->last = now;
	c->meta.agent = c->agent1 && !c->views ? c->agent1 : "*";
	feeder_take(&c->feed, &st);
	for (i = 0; i < c->views_cap; i++) {
		struct xs_replay_stat vs;

		if (!c->views[i].o)
			continue;
		feeder_take(&c->views[i].o->feed, &vs);
		st.refused += vs.refused;
	}
	s.progs[0] = c->prog;
	s.nprogs = 1;
	s.sflow = health_doc(c, &st);
	/* Every test run has returned: no program writes the old epoch. */
	e = pipeline_interval(&c->p, &c->meta, 0, &c->feed.extra, &s, err, sizeof(err));
	json_decref(s.sflow);
	c->agent1 = NULL;
	if (e) {
		log_err("sflow: %s", err);
		return -1;
	}
	return c->view_err ? -1 : 0;
}

/* -------------------------------------------------------- open/close */

/* rc: an exit code, XS_EXIT_USAGE for a config over its budget. */
static struct xs_sflowin *open_rc(struct xs_config *cfg, const char *host,
				  const char *const *sink_args, int *rc_out, char *err,
				  size_t errlen)
{
	struct xs_sflowin *c = calloc(1, sizeof(*c));
	uint64_t ns, cnt;
	int rc, fd;

	*rc_out = XS_EXIT_FAIL;
	if (!c) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	c->cfg = cfg;
	c->sources = calloc(1U << SOURCES_BITS, sizeof(*c->sources));
	if (!c->sources) {
		set_err(err, errlen, "out of memory");
		goto fail;
	}
	if (host)
		snprintf(c->host, sizeof(c->host), "%s", host);
	else if (gethostname(c->host, sizeof(c->host)))
		snprintf(c->host, sizeof(c->host), "localhost");
	c->meta = (struct xs_rec_meta){ .host = c->host, .ifname = "sflow", .agent = "*",
					.interval_s = cfg->interval_ms / 1000.0 };
	clock_gettime(CLOCK_REALTIME, &c->meta.ts);
	rc = pipeline_open(&c->p, cfg, XS_CMD_COLLECT, sink_args, err, errlen);
	if (!rc && pipeline_load_one(&c->p, 0, err, errlen))
		rc = XS_EXIT_FAIL;
	if (rc) {
		*rc_out = rc;
		pipeline_close(&c->p, &c->meta, "stopped");
		goto fail;
	}
	c->views_max = c->p.col.plan.views_max;
	if (cfg->sflow.views != XS_SFLOW_VIEW_NONE) {
		c->views_cap = 2;
		while (c->views_cap < 2 * c->views_max)
			c->views_cap *= 2;
		c->views = calloc(c->views_cap, sizeof(*c->views));
		c->iev = calloc(c->views_cap, sizeof(*c->iev));
		if (!c->views || !c->iev) {
			set_err(err, errlen, "out of memory");
			pipeline_close(&c->p, &c->meta, "stopped");
			goto fail;
		}
		c->p.rep.more = views_report;
		c->p.rep.more_ctx = c;
	}
	fd = loader_xdp_fd(&c->p.col.l);
	feeder_init(&c->feed, fd, 0, "sflow");
	c->prog = (struct xs_prog_stat){ .hook = "xdp", .mode = "test_run" };
	loader_prog_stats(fd, &ns, &cnt, &c->prog.prog_id);
	clock_gettime(CLOCK_MONOTONIC, &c->last);
	return c;
fail:
	free(c->sources);
	free(c->views);
	free(c->iev);
	free(c);
	return NULL;
}

struct xs_sflowin *sflowin_open(struct xs_config *cfg, const char *host,
				const char *const *sink_args, char *err, size_t errlen)
{
	int rc;

	return open_rc(cfg, host, sink_args, &rc, err, errlen);
}

int sflowin_close(struct xs_sflowin *c, const char *reason)
{
	uint32_t i;
	int e = 0, ve;

	for (i = 0; i < c->views_cap; i++)
		if ((ve = vobj_close(c->views[i].o, &c->meta, reason)) && !e)
			e = ve;
	ve = pipeline_close(&c->p, &c->meta, reason);
	if (ve)
		e = ve;
	free(c->sources);
	free(c->views);
	free(c->iev);
	free(c);
	return e;
}

/* ------------------------------------------------------------ socket */

int sflowin_parse_listen(const char *s, int *family, uint8_t addr[16], uint16_t *port,
			 char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *p = s, *colon;
	unsigned long v;
	char *end;

	memset(addr, 0, 16);
	*family = 0;
	colon = strrchr(s, ':');
	if (colon) {
		size_t n = colon - s;

		if (n >= sizeof(host))
			goto bad;
		memcpy(host, s, n);
		host[n] = '\0';
		if (host[0] == '[' && n >= 2 && host[n - 1] == ']') {
			host[n - 1] = '\0';
			if (inet_pton(AF_INET6, host + 1, addr) != 1)
				goto bad;
			*family = 6;
		} else if (inet_pton(AF_INET, host, addr) == 1) {
			*family = 4;
		} else {
			goto bad;
		}
		p = colon + 1;
	}
	errno = 0;
	v = strtoul(p, &end, 10);
	if (!*p || *end || errno || !v || v > 65535 || *p == '-' || *p == '+')
		goto bad;
	*port = v;
	return 0;
bad:
	set_err(err, errlen, "--sflow: expected [ADDR:]PORT (6343, 198.18.0.1:6343, "
		"[2001:db8::1]:6343), got \"%s\"", s);
	return -EINVAL;
}

static int open_socket(int family, const uint8_t addr[16], uint16_t port, char *err,
		       size_t errlen)
{
	struct sockaddr_storage ss = {};
	socklen_t sl;
	int fd, one = 1, buf = RCVBUF;

	fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		goto fail;
	if (family == 4) {
		struct sockaddr_in *s = (void *)&ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		memcpy(&s->sin_addr, addr, 4);
		sl = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (void *)&ss;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		s->sin6_family = AF_INET6;
		s->sin6_port = htons(port);
		memcpy(&s->sin6_addr, addr, 16);
		sl = sizeof(*s);
	}
	/* A burst of datagrams must wait in the socket, not be lost: root
	 * may go past net.core.rmem_max. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (bind(fd, (struct sockaddr *)&ss, sl))
		goto fail;
	return fd;
fail:
	{
		char a[INET6_ADDRSTRLEN];

		inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, a, sizeof(a));
		set_err(err, errlen, "--sflow: listening on %s%s%s:%u: %s", family == 6 ? "[" : "",
			a, family == 6 ? "]" : "", port, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Every datagram waiting in the sockets. 0, or -errno of the feeder. */
static int drain_sockets(struct xs_sflowin *c, struct pollfd *pfd, int n, uint8_t *buf)
{
	struct sockaddr_storage from;
	socklen_t fl;
	ssize_t got;
	int i, e, any = 1;

	while (any) {
		any = 0;
		for (i = 0; i < n; i++) {
			fl = sizeof(from);
			got = recvfrom(pfd[i].fd, buf, DGRAM_MAX, 0, (struct sockaddr *)&from, &fl);
			if (got < 0)
				continue;
			any = 1;
			e = sflowin_datagram(c, buf, got, &from);
			if (e)
				return e;
		}
	}
	return 0;
}

int sflowin_run(struct xs_config *cfg, const struct xs_collect_opts *o)
{
	static uint8_t buf[DGRAM_MAX];
	struct pollfd pfd[2];
	struct timespec next, now;
	struct xs_sflowin *c;
	char err[XS_ERR_LEN];
	uint8_t addr[16];
	uint16_t port = XS_SFLOW_PORT;
	unsigned long intervals = 0;
	int family = 0, n = 0, i, rc = XS_EXIT_FAIL, e;

	if (o->listen && sflowin_parse_listen(o->listen, &family, addr, &port, err, sizeof(err))) {
		log_err("%s", err);
		return XS_EXIT_USAGE;
	}
	if (!o->listen)
		memset(addr, 0, sizeof(addr));
	if (family) {
		pfd[n].fd = open_socket(family, addr, port, err, sizeof(err));
		if (pfd[n].fd < 0) {
			log_err("%s", err);
			return XS_EXIT_FAIL;
		}
		n++;
	} else {
		pfd[n].fd = open_socket(4, addr, port, err, sizeof(err));
		if (pfd[n].fd < 0) {
			log_err("%s", err);
			return XS_EXIT_FAIL;
		}
		n++;
		pfd[n].fd = open_socket(6, addr, port, err, sizeof(err));
		if (pfd[n].fd < 0)
			log_warn("%s: IPv4 only", err);
		else
			n++;
	}
	for (i = 0; i < n; i++)
		pfd[i].events = POLLIN;

	run_signals();
	feeder_pin_cpu();
	c = open_rc(cfg, o->host, o->sink_args, &rc, err, sizeof(err));
	if (!c) {
		log_err("%s", err);
		goto out_sock;
	}
	log_info("sflow: listening on %s%s (%s), %zu ranges", o->listen ? "" : "port ",
		 o->listen ? o->listen : "6343", n == 2 ? "IPv4 and IPv6" : family == 6 ? "IPv6" :
		 "IPv4", cfg->nranges);
	clock_gettime(CLOCK_MONOTONIC, &next);
	next.tv_sec += cfg->interval_ms / 1000;
	next.tv_nsec += (long)(cfg->interval_ms % 1000) * 1000000L;
	if (next.tv_nsec >= 1000000000L) {
		next.tv_sec++;
		next.tv_nsec -= 1000000000L;
	}
	while (1) {
		int final;

		while (!run_stopping()) {
			double left;

			clock_gettime(CLOCK_MONOTONIC, &now);
			left = ts_diff(&next, &now);
			if (left <= 0)
				break;
			if (run_hup()) {
				if (pipeline_reload(&c->p, NULL, &c->meta))
					goto out;
			}
			e = poll(pfd, n, (int)(left * 1000) + 1);
			if (e > 0 && drain_sockets(c, pfd, n, buf))
				goto out;
		}
		final = run_stopping();
		if (final && drain_sockets(c, pfd, n, buf))
			goto out;
		if (sflowin_interval(c))
			goto out;
		intervals++;
		if (final || (o->max_intervals && intervals >= o->max_intervals))
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		next.tv_sec += cfg->interval_ms / 1000;
		next.tv_nsec += (long)(cfg->interval_ms % 1000) * 1000000L;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		/* Late by more than an interval: start again from now. */
		if (ts_diff(&now, &next) > 0)
			next = now;
	}
	rc = XS_EXIT_OK;
out:
	e = sflowin_close(c, "stopped");
	if (e && rc == XS_EXIT_OK)
		rc = XS_EXIT_FAIL;
out_sock:
	for (i = 0; i < n; i++)
		close(pfd[i].fd);
	return rc;
}
