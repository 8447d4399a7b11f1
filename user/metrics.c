// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus exposition (metrics.h). Label values are range and rule
 * names (config.c allows neither quotes nor backslashes in them),
 * addresses and fixed words, so none needs escaping; metrics_label()
 * escapes anyway, for safety against a future change of those rules.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "log.h"
#include "metrics.h"
#include "sink.h"
#include "textbuf.h"

static const char *const class_names[XS_L4_MAX] = { "tcp", "udp", "icmp", "other" };
static const char *const flag_names[4] = { "syn", "synack", "rst", "fin" };
static const char *const list_names[XS_DIM_MAX] = { "src", "dst", "dport", "sport", "syn" };

struct xs_msnap *metrics_snap_new(uint32_t nslots, const struct xs_counters *cur,
				  const struct xs_global *g)
{
	struct xs_msnap *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->refs = 1;
	if (metrics_snap_counters(s, nslots, cur, g)) {
		free(s);
		return NULL;
	}
	return s;
}

int metrics_snap_counters(struct xs_msnap *s, uint32_t nslots, const struct xs_counters *cur,
			  const struct xs_global *g)
{
	struct xs_counters *c = realloc(s->ctrs, (nslots ? nslots : 1) * sizeof(*c));

	if (!c)
		return -ENOMEM;
	s->ctrs = c;
	if (nslots)
		memcpy(s->ctrs, cur, nslots * sizeof(*cur));
	s->nslots = nslots;
	if (g)
		s->g = *g;
	return 0;
}

int metrics_snap_slot(struct xs_msnap *s, uint32_t slot, const struct xs_sk_layout *l,
		      const struct xs_sk_result *sk, unsigned int top_n)
{
	struct xs_mslot *m;
	size_t i;
	int d;

	if (s->nact == s->act_cap) {
		size_t cap = s->act_cap ? 2 * s->act_cap : 64;
		struct xs_mslot *a = realloc(s->act, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		s->act = a;
		s->act_cap = cap;
	}
	m = &s->act[s->nact++];
	memset(m, 0, sizeof(*m));
	m->slot = slot;
	m->uniq_src = sk->uniq_src;
	for (d = 0; d < XS_DIM_MAX; d++) {
		if (l->dim_pos[d] < 0)
			continue;
		for (i = 0; i < sk->ntop[d] && i < top_n && i < XS_METRICS_TOP; i++) {
			memcpy(m->top[d][i].key, sk->top[d][i].key, sizeof(m->top[d][i].key));
			m->top[d][i].pkts = sk->top[d][i].pkts;
			m->top[d][i].bytes = sk->top[d][i].bytes;
		}
		m->ntop[d] = i;
	}
	s->sk_on = 1;
	return 0;
}

int metrics_snap_alert(struct xs_msnap *s, const char *rule, uint32_t slot, const uint8_t *host,
		       const char *attack)
{
	struct xs_malert *a;

	if (s->nalerts == s->alerts_cap) {
		size_t cap = s->alerts_cap ? 2 * s->alerts_cap : 8;

		a = realloc(s->alerts, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		s->alerts = a;
		s->alerts_cap = cap;
	}
	a = &s->alerts[s->nalerts];
	a->rule = strdup(rule);
	if (!a->rule)
		return -ENOMEM;
	a->slot = slot;
	a->view = 0;
	a->has_host = host != NULL;
	if (host)
		memcpy(a->host, host, sizeof(a->host));
	a->attack = attack ? attack : "unknown";
	s->nalerts++;
	return 0;
}

int metrics_snap_lab(struct xs_msnap *s, const char *lab)
{
	char *l = lab ? strdup(lab) : NULL;

	if (lab && !l)
		return -ENOMEM;
	free(s->lab);
	s->lab = l;
	return 0;
}

int metrics_snap_view(struct xs_msnap *s, const char *lab, uint32_t *idx)
{
	struct xs_mview *v;
	size_t i;

	for (i = 0; i < s->nviews; i++)
		if (!strcmp(s->views[i].lab, lab)) {
			*idx = i + 1;
			return 0;
		}
	if (s->nviews == s->views_cap) {
		size_t cap = s->views_cap ? 2 * s->views_cap : 8;

		v = realloc(s->views, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->views = v;
		s->views_cap = cap;
	}
	v = &s->views[s->nviews];
	memset(v, 0, sizeof(*v));
	v->lab = strdup(lab);
	if (!v->lab)
		return -ENOMEM;
	*idx = ++s->nviews;
	return 0;
}

int metrics_snap_view_counters(struct xs_msnap *s, uint32_t idx, uint32_t nslots,
			       const struct xs_counters *cur)
{
	struct xs_mview *v = &s->views[idx - 1];
	struct xs_counters *c = realloc(v->ctrs, (nslots ? nslots : 1) * sizeof(*c));

	if (!c)
		return -ENOMEM;
	v->ctrs = c;
	if (nslots)
		memcpy(c, cur, nslots * sizeof(*cur));
	v->nslots = nslots;
	return 0;
}

struct xs_mnames {
	int refs;			/* atomic */
	size_t n;
	char *v[];
};

static struct xs_mnames *names_new(char *const *names, size_t n)
{
	struct xs_mnames *x = calloc(1, sizeof(*x) + (n + 1) * sizeof(char *));
	size_t i;

	if (!x)
		return NULL;
	x->refs = 1;
	for (i = 0; i < n; i++) {
		x->v[i] = strdup(names[i]);
		if (!x->v[i])
			break;
		x->n++;
	}
	if (x->n == n)
		return x;
	while (x->n)
		free(x->v[--x->n]);
	free(x);
	return NULL;
}

static void names_put(struct xs_mnames *x)
{
	if (!x || __atomic_sub_fetch(&x->refs, 1, __ATOMIC_ACQ_REL))
		return;
	while (x->n)
		free(x->v[--x->n]);
	free(x);
}

void metrics_snap_free(struct xs_msnap *s)
{
	size_t i;

	if (!s)
		return;
	names_put(s->names);
	for (i = 0; i < s->nalerts; i++)
		free(s->alerts[i].rule);
	free(s->alerts);
	free(s->act);
	free(s->ctrs);
	free(s->lab);
	for (i = 0; i < s->nviews; i++) {
		free(s->views[i].lab);
		free(s->views[i].ctrs);
	}
	free(s->views);
	free(s->mit);
	free(s);
}

int metrics_snap_mitigation(struct xs_msnap *s, const struct xs_mit_info *f, size_t n,
			    uint64_t full)
{
	free(s->mit);
	s->mit = NULL;
	s->nmit = 0;
	if (n) {
		s->mit = malloc(n * sizeof(*f));
		if (!s->mit)
			return -ENOMEM;
		memcpy(s->mit, f, n * sizeof(*f));
	}
	s->nmit = n;
	s->mit_on = 1;
	s->mit_full = full;
	return 0;
}

/*
 * The text is built with plain appends (textbuf.h) rather than stdio: a scrape of
 * 10,000 ranges writes about a million lines, and fprintf's parsing of
 * the format was most of the time (make bench: bench_metrics).
 */
static void put_fmt(struct xs_textbuf *b, const char *fmt, double v)
{
	char tmp[64];
	int n = snprintf(tmp, sizeof(tmp), fmt, v);

	textbuf_put(b, tmp, n > 0 && n < (int)sizeof(tmp) ? n : 0);
}

static void family(struct xs_textbuf *b, const char *name, const char *type, const char *help)
{
	textbuf_puts(b, "# HELP ");
	textbuf_puts(b, name);
	textbuf_put(b, " ", 1);
	textbuf_puts(b, help);
	textbuf_puts(b, "\n# TYPE ");
	textbuf_puts(b, name);
	textbuf_put(b, " ", 1);
	textbuf_puts(b, type);
	textbuf_put(b, "\n", 1);
}

/* name{range="..",dir=".."[,agent=".."...]  (the caller closes the braces) */
static void slot_labels(struct xs_textbuf *b, const char *name, char *const *names, size_t nnames,
			uint32_t slot, const char *lab)
{
	size_t range = slot / XS_DIR_MAX;

	textbuf_puts(b, name);
	textbuf_puts(b, "{range=\"");
	textbuf_puts(b, range >= 1 && range <= nnames ? names[range - 1] : "?");
	textbuf_puts(b, slot % XS_DIR_MAX == XS_DIR_IN ? "\",dir=\"in\"" : "\",dir=\"out\"");
	if (lab)
		textbuf_puts(b, lab);
}

/* The labels of view idx (0: the snapshot's own). */
static const char *view_lab(const struct xs_msnap *s, uint32_t idx)
{
	return idx && idx <= s->nviews ? s->views[idx - 1].lab : s->lab;
}

/* The counters of view v (0: the snapshot's own), *n their slots. */
static const struct xs_counters *view_ctrs(const struct xs_msnap *s, size_t v, uint32_t *n)
{
	*n = v ? s->views[v - 1].nslots : s->nslots;
	return v ? s->views[v - 1].ctrs : s->ctrs;
}

/* ,KEY="VALUE"} N\n */
static void tail(struct xs_textbuf *b, const char *key, const char *value, unsigned long long n)
{
	if (key) {
		textbuf_put(b, ",", 1);
		textbuf_puts(b, key);
		textbuf_put(b, "=\"", 2);
		textbuf_puts(b, value);
		textbuf_put(b, "\"", 1);
	}
	textbuf_put(b, "} ", 2);
	textbuf_u64(b, n);
	textbuf_put(b, "\n", 1);
}

static uint64_t slot_pkts(const struct xs_counters *c)
{
	return c->tcp.pkts + c->udp.pkts + c->icmp.pkts + c->other.pkts;
}

static void render_ranges(struct xs_textbuf *b, const struct xs_msnap *s, char *const *names,
			  size_t nnames)
{
	const struct xs_counters *c, *all;
	uint32_t slot, n;
	size_t v;
	int i, pass;

	for (pass = 0; pass < 2; pass++) {
		const char *name = pass ? "xdpscope_bytes_total" : "xdpscope_packets_total";

		family(b, name, "counter", pass ?
		       "Bytes (Ethernet header on, no FCS) since start by range, direction and L4 class." :
		       "Packets since start by range, direction (in: to the range) and L4 class.");
		for (v = 0; v <= s->nviews; v++)
			for (all = view_ctrs(s, v, &n), slot = XS_DIR_MAX; slot < n; slot++) {
				c = &all[slot];
				if (!slot_pkts(c))
					continue;
				for (i = 0; i < XS_L4_MAX; i++) {
					slot_labels(b, name, names, nnames, slot, view_lab(s, v));
					tail(b, "class", class_names[i],
					     pass ? (&c->tcp)[i].bytes : (&c->tcp)[i].pkts);
				}
			}
	}
	family(b, "xdpscope_tcp_flags_total", "counter",
	       "TCP segments since start by flag: syn (without ACK), synack, rst, fin.");
	for (v = 0; v <= s->nviews; v++)
		for (all = view_ctrs(s, v, &n), slot = XS_DIR_MAX; slot < n; slot++) {
			c = &all[slot];
			if (!slot_pkts(c))
				continue;
			for (i = 0; i < 4; i++) {
				slot_labels(b, "xdpscope_tcp_flags_total", names, nnames, slot,
					    view_lab(s, v));
				tail(b, "flag", flag_names[i], (&c->syn)[i]);
			}
		}
	family(b, "xdpscope_fragments_total", "counter",
	       "IPv4 fragments and IPv6 non-atomic fragments since start.");
	for (v = 0; v <= s->nviews; v++)
		for (all = view_ctrs(s, v, &n), slot = XS_DIR_MAX; slot < n; slot++) {
			c = &all[slot];
			if (!slot_pkts(c))
				continue;
			slot_labels(b, "xdpscope_fragments_total", names, nnames, slot,
				    view_lab(s, v));
			tail(b, NULL, NULL, c->frags);
		}
}

static void render_sketches(struct xs_textbuf *b, const struct xs_msnap *s, char *const *names,
			    size_t nnames)
{
	static const char ranks[] = "123456789";
	struct xs_textbuf bytes = {};
	char key[64];
	size_t k, i;
	int d, pass, tops = 0;

	_Static_assert(XS_METRICS_TOP <= 9, "ranks are one digit");
	if (!s->sk_on)
		return;
	family(b, "xdpscope_uniq_src", "gauge",
	       "Distinct sources of the last interval (HyperLogLog estimate).");
	for (k = 0; k < s->nact; k++) {
		slot_labels(b, "xdpscope_uniq_src", names, nnames, s->act[k].slot,
			    view_lab(s, s->act[k].view));
		tail(b, NULL, NULL, s->act[k].uniq_src);
		for (d = 0; d < XS_DIM_MAX; d++)
			tops |= s->act[k].ntop[d];
	}
	if (!tops)		/* no range opted in: not even the families */
		return;
	/* Both families in one walk (an address is formatted once): the
	 * bytes lines go to their own buffer, appended after. */
	family(b, "xdpscope_top_packets", "gauge",
	       "Packets of the heaviest keys of the last interval, by list and rank "
	       "(the ranges of metrics.top_ranges).");
	family(&bytes, "xdpscope_top_bytes", "gauge",
	       "Bytes of the heaviest keys of the last interval, by list and rank "
	       "(the ranges of metrics.top_ranges).");
	for (k = 0; k < s->nact; k++)
		for (d = 0; d < XS_DIM_MAX; d++)
			for (i = 0; i < s->act[k].ntop[d]; i++) {
				skread_key_str(d, s->act[k].top[d][i].key, key, sizeof(key));
				for (pass = 0; pass < 2; pass++) {
					struct xs_textbuf *o = pass ? &bytes : b;

					slot_labels(o, pass ? "xdpscope_top_bytes" :
							      "xdpscope_top_packets",
						    names, nnames, s->act[k].slot,
						    view_lab(s, s->act[k].view));
					textbuf_puts(o, ",list=\"");
					textbuf_puts(o, list_names[d]);
					textbuf_puts(o, "\",rank=\"");
					textbuf_put(o, &ranks[i], 1);
					textbuf_put(o, "\"", 1);
					tail(o, "key", key, pass ? s->act[k].top[d][i].bytes :
								   s->act[k].top[d][i].pkts);
				}
			}
	textbuf_put(b, bytes.p ? bytes.p : "", bytes.n);
	b->oom |= bytes.oom;
	free(bytes.p);
}

/* name VALUE\n, after its HELP and TYPE */
static void single(struct xs_textbuf *b, const char *name, const char *type, const char *help,
		   unsigned long long v)
{
	family(b, name, type, help);
	textbuf_puts(b, name);
	textbuf_put(b, " ", 1);
	textbuf_u64(b, v);
	textbuf_put(b, "\n", 1);
}

/* Mitigation on: what each range blocked, and each live filter's hits (since it was added; labels id, match, action). */
static void render_mitigation(struct xs_textbuf *b, const struct xs_msnap *s, char *const *names,
			      size_t nnames)
{
	/* Passed is xdpscope_packets_total minus these: two counters read a
	 * moment apart, whose difference could go back by a packet in
	 * flight, which Prometheus would take for a reset. */
	static const char *const fam[2][2] = {
		{ "xdpscope_blocked_packets_total", "Packets since start a mitigation filter dropped, of xdpscope_packets_total, by range and direction." },
		{ "xdpscope_blocked_bytes_total", "Bytes since start a mitigation filter dropped, of xdpscope_bytes_total." },
	};
	static const char *const hits[5][2] = {
		{ "xdpscope_filter_matched_packets_total", "Packets a mitigation filter matched since it was added." },
		{ "xdpscope_filter_dropped_packets_total", "Packets a mitigation filter dropped since it was added." },
		{ "xdpscope_filter_dropped_bytes_total", "Bytes a mitigation filter dropped since it was added." },
		{ "xdpscope_filter_dry_run_packets_total", "Packets a mitigation filter would have dropped (dry run)." },
		{ "xdpscope_filter_spared_packets_total", "Packets the safety limit (max_share) kept a filter from dropping." },
	};
	char match[128], action[32], id[16];
	const struct xs_counters *c;
	uint64_t v;
	uint32_t slot;
	size_t i;
	int f;

	if (!s->mit_on)
		return;
	for (f = 0; f < 2; f++) {
		family(b, fam[f][0], "counter", fam[f][1]);
		for (slot = XS_DIR_MAX; slot < s->nslots; slot++) {
			c = &s->ctrs[slot];
			if (!slot_pkts(c))
				continue;
			slot_labels(b, fam[f][0], names, nnames, slot, view_lab(s, 0));
			tail(b, NULL, NULL, f ? c->blocked_bytes : c->blocked_pkts);
		}
	}
	single(b, "xdpscope_mitigation_filters", "gauge", "Mitigation filters in place.", s->nmit);
	single(b, "xdpscope_mitigation_refused_total", "counter",
	       "Filter adds refused since start: the table was full (max_filters).", s->mit_full);
	for (f = 0; f < 5; f++) {
		family(b, hits[f][0], "counter", hits[f][1]);
		for (i = 0; i < s->nmit; i++) {
			const struct xs_mit_stats *h = &s->mit[i].hits;

			v = f == 0 ? h->match_pkts : f == 1 ? h->drop_pkts : f == 2 ? h->drop_bytes :
			    f == 3 ? h->dry_pkts : h->spared;
			snprintf(id, sizeof(id), "%u", s->mit[i].id);
			textbuf_puts(b, hits[f][0]);
			textbuf_puts(b, "{id=\"");
			textbuf_puts(b, id);
			textbuf_puts(b, "\",match=\"");
			textbuf_puts(b, mitig_match_str(&s->mit[i].spec, match, sizeof(match)));
			textbuf_puts(b, "\",action=\"");
			textbuf_puts(b, mitig_action_str(s->mit[i].spec.pps, action, sizeof(action)));
			textbuf_put(b, "\"", 1);
			tail(b, NULL, NULL, v);
		}
	}
}

static void render_alerts(struct xs_textbuf *b, const struct xs_msnap *s, char *const *names,
			  size_t nnames)
{
	size_t i;

	if (!s->rules_on)
		return;
	family(b, "xdpscope_alert_active", "gauge",
	       "1 for each alert between its start and end records.");
	for (i = 0; i < s->nalerts; i++) {
		slot_labels(b, "xdpscope_alert_active", names, nnames, s->alerts[i].slot,
			    view_lab(s, s->alerts[i].view));
		textbuf_puts(b, ",rule=\"");
		textbuf_puts(b, s->alerts[i].rule);
		textbuf_put(b, "\"", 1);
		if (s->alerts[i].has_host) {
			char buf[INET6_ADDRSTRLEN];

			textbuf_puts(b, ",target=\"");
			textbuf_puts(b, skread_key_str(XS_DIM_SRC, s->alerts[i].host, buf,
						       sizeof(buf)));
			textbuf_put(b, "\"", 1);
		}
		tail(b, "attack", s->alerts[i].attack, 1);
	}
	single(b, "xdpscope_alerts_started_total", "counter", "Alerts started since start.",
	       s->alerts_started);
	single(b, "xdpscope_alerts_ended_total", "counter", "Alerts ended since start.",
	       s->alerts_ended);
	if (!s->has_hooks)
		return;
	family(b, "xdpscope_hooks_total", "counter", "Alert hooks by outcome since start.");
	textbuf_puts(b, "xdpscope_hooks_total{outcome=\"ok\"");
	tail(b, NULL, NULL, s->hooks.ok);
	textbuf_puts(b, "xdpscope_hooks_total{outcome=\"failed\"");
	tail(b, NULL, NULL, s->hooks.failed);
	textbuf_puts(b, "xdpscope_hooks_total{outcome=\"timeout\"");
	tail(b, NULL, NULL, s->hooks.timeout);
	textbuf_puts(b, "xdpscope_hooks_total{outcome=\"skipped\"");
	tail(b, NULL, NULL, s->hooks.skipped);
}

static void render_health(struct xs_textbuf *b, const struct xs_msnap *s)
{
	static const char *const outcomes[4] = { "ipv4", "ipv6", "non_ip", "malformed" };
	const struct xs_global *g = &s->g;
	const unsigned long long seen[4] = { g->ipv4_pkts, g->ipv6_pkts, g->non_ip_pkts,
					     g->malformed_pkts };
	char id[16];
	int i;

	family(b, "xdpscope_seen_packets_total", "counter",
	       "Every packet the programs saw, by outcome: ipv4, ipv6, non_ip, malformed.");
	for (i = 0; i < 4; i++) {
		textbuf_puts(b, "xdpscope_seen_packets_total{outcome=\"");
		textbuf_puts(b, outcomes[i]);
		textbuf_put(b, "\"", 1);
		tail(b, NULL, NULL, seen[i]);
	}
	single(b, "xdpscope_seen_bytes_total", "counter", "Bytes of every packet the programs saw.",
	       g->bytes);
	family(b, "xdpscope_unmatched_packets_total", "counter",
	       "IP packets in no range (neither address), by L4 class.");
	for (i = 0; i < XS_L4_MAX; i++) {
		textbuf_puts(b, "xdpscope_unmatched_packets_total{class=\"");
		textbuf_puts(b, class_names[i]);
		textbuf_put(b, "\"", 1);
		tail(b, NULL, NULL, (&s->ctrs[0].tcp)[i].pkts);
	}
	single(b, "xdpscope_lookup_failures_total", "counter",
	       "Packets a failed map lookup kept from being counted (expected 0).", g->lookup_fail);
	single(b, "xdpscope_records_written_total", "counter", "NDJSON records written.",
	       s->written);
	single(b, "xdpscope_records_dropped_total", "counter",
	       "NDJSON records not written (full disk, I/O error).", s->dropped);
	single(b, "xdpscope_kernel_memory_bytes", "gauge", "Kernel memory of the maps.",
	       s->kernel_mem);
	family(b, "xdpscope_drain_seconds", "gauge", "Time the last drain of the maps took.");
	put_fmt(b, "xdpscope_drain_seconds %.6f\n", s->drain_s);
	family(b, "xdpscope_interval_seconds", "gauge", "Length of the last interval.");
	put_fmt(b, "xdpscope_interval_seconds %.6f\n", s->interval_s);
	family(b, "xdpscope_last_interval_timestamp_seconds", "gauge",
	       "End of the last interval, Unix time.");
	put_fmt(b, "xdpscope_last_interval_timestamp_seconds %.3f\n", s->ts);
	family(b, "xdpscope_program_info", "gauge", "1 for each attached program.");
	for (i = 0; i < s->nprogs; i++) {
		snprintf(id, sizeof(id), "%u", s->progs[i].prog_id);
		textbuf_puts(b, "xdpscope_program_info{hook=\"");
		textbuf_puts(b, s->progs[i].hook);
		textbuf_puts(b, "\",mode=\"");
		textbuf_puts(b, s->progs[i].mode);
		textbuf_put(b, "\"", 1);
		tail(b, "id", id, 1);
	}
}

char *metrics_render(const struct xs_msnap *s, char *const *names, size_t nnames, size_t *len)
{
	struct xs_textbuf b = {};

	render_ranges(&b, s, names, nnames);
	render_sketches(&b, s, names, nnames);
	render_alerts(&b, s, names, nnames);
	render_mitigation(&b, s, names, nnames);
	render_health(&b, s);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	*len = b.n;
	return b.p;
}

int metrics_parse_addr(const char *s, struct sockaddr_storage *ss, char *err, size_t errlen)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	char host[64] = "127.0.0.1";
	const char *port = s, *colon;
	unsigned long p;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		colon = strstr(s, "]:");
		if (!colon || colon - s - 1 >= (long)sizeof(host))
			goto bad;
		memcpy(host, s + 1, colon - s - 1);
		host[colon - s - 1] = '\0';
		port = colon + 2;
	} else if ((colon = strrchr(s, ':'))) {
		if (colon - s >= (long)sizeof(host))
			goto bad;
		if (colon > s) {
			memcpy(host, s, colon - s);
			host[colon - s] = '\0';
		}
		port = colon + 1;
	}
	errno = 0;
	p = strtoul(port, &end, 10);
	if (!*port || *end || errno || !p || p > 65535)
		goto bad;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(p);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(p);
		return 0;
	}
bad:
	set_err(err, errlen, "--metrics: expected ADDR:PORT (127.0.0.1:9100, [::1]:9100) or "
		"PORT (loopback), got \"%s\"", s);
	return -EINVAL;
}

const char *metrics_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, host,
			  sizeof(host));
		snprintf(buf, len, "[%s]:%u", host,
			 ntohs(((const struct sockaddr_in6 *)ss)->sin6_port));
	} else {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(((const struct sockaddr_in *)ss)->sin_port));
	}
	return buf;
}

struct xs_metrics_srv {
	struct MHD_Daemon *d;
	pthread_mutex_t lock;
	struct xs_msnap *snap;		/* newest, guarded by lock */
	struct xs_mnames *names;	/* guarded by lock */
	uint64_t scrapes;
	double render_ms;
};

static void snap_put(struct xs_metrics_srv *m, struct xs_msnap *s)
{
	int last;

	if (!s)
		return;
	pthread_mutex_lock(&m->lock);
	last = !--s->refs;
	pthread_mutex_unlock(&m->lock);
	if (last)
		metrics_snap_free(s);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int code, const char *type,
			     char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **ctx)
{
	static char index_page[] = "xdpscope: metrics at /metrics\n";
	static char not_found[] = "not found: try /metrics\n";
	static char not_allowed[] = "method not allowed\n";
	struct xs_metrics_srv *m = cls;
	struct timespec a, b;
	struct xs_msnap *s;
	size_t len = 0;
	char *body;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)ctx;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", not_allowed,
			     sizeof(not_allowed) - 1, MHD_RESPMEM_PERSISTENT);
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/plain", index_page, sizeof(index_page) - 1,
			     MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", not_found,
			     sizeof(not_found) - 1, MHD_RESPMEM_PERSISTENT);
	pthread_mutex_lock(&m->lock);
	s = m->snap;
	if (s)
		s->refs++;
	pthread_mutex_unlock(&m->lock);
	if (!s) {
		static char empty[] = "";

		return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4", empty, 0,
			     MHD_RESPMEM_PERSISTENT);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	body = metrics_render(s, s->names ? s->names->v : NULL, s->names ? s->names->n : 0, &len);
	clock_gettime(CLOCK_MONOTONIC, &b);
	snap_put(m, s);
	pthread_mutex_lock(&m->lock);
	m->scrapes++;
	m->render_ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	pthread_mutex_unlock(&m->lock);
	if (!body)
		return MHD_NO;
	return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", body, len,
		     MHD_RESPMEM_MUST_FREE);
}

struct xs_metrics_srv *metrics_start(const struct sockaddr_storage *ss, char *const *names,
				     size_t nnames, char *err, size_t errlen)
{
	struct xs_metrics_srv *m = calloc(1, sizeof(*m));
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD;
	char where[INET6_ADDRSTRLEN + 8];
	sigset_t old;

	if (!m)
		goto oom;
	pthread_mutex_init(&m->lock, NULL);
	m->names = names_new(names, nnames);
	if (!m->names)
		goto oom;
	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	sink_signals_block(&old);	/* its thread inherits the mask */
	/* The port argument is ignored with MHD_OPTION_SOCK_ADDR, but not 0. */
	m->d = MHD_start_daemon(flags, 1, NULL, NULL, on_request, m, MHD_OPTION_SOCK_ADDR, ss,
				MHD_OPTION_CONNECTION_TIMEOUT, 10U, MHD_OPTION_CONNECTION_LIMIT,
				64U, MHD_OPTION_END);
	sink_signals_restore(&old);
	if (!m->d) {
		set_err(err, errlen, "--metrics: cannot listen on %s (in use, or not an address "
			"of this host)", metrics_addr_str(ss, where, sizeof(where)));
		metrics_stop(m);
		return NULL;
	}
	return m;
oom:
	set_err(err, errlen, "--metrics: out of memory");
	metrics_stop(m);
	return NULL;
}

void metrics_publish(struct xs_metrics_srv *m, struct xs_msnap *s)
{
	struct xs_msnap *old;

	pthread_mutex_lock(&m->lock);
	old = m->snap;
	m->snap = s;
	s->names = m->names;
	__atomic_add_fetch(&m->names->refs, 1, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&m->lock);
	snap_put(m, old);
}

int metrics_set_names(struct xs_metrics_srv *m, char *const *names, size_t nnames)
{
	struct xs_mnames *x = names_new(names, nnames), *old;

	if (!x)
		return -ENOMEM;
	pthread_mutex_lock(&m->lock);
	old = m->names;
	m->names = x;
	pthread_mutex_unlock(&m->lock);
	names_put(old);
	return 0;
}

void metrics_served(struct xs_metrics_srv *m, uint64_t *scrapes, double *render_ms)
{
	pthread_mutex_lock(&m->lock);
	*scrapes = m->scrapes;
	*render_ms = m->render_ms;
	pthread_mutex_unlock(&m->lock);
}

void metrics_stop(struct xs_metrics_srv *m)
{

	if (!m)
		return;
	if (m->d)
		MHD_stop_daemon(m->d);
	if (m->snap)
		metrics_snap_free(m->snap);
	names_put(m->names);
	pthread_mutex_destroy(&m->lock);
	free(m);
}
