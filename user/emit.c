// SPDX-License-Identifier: GPL-2.0
/*
 * Records as NDJSON lines and the output they go to (emit.h).
 *
 * Numbers: counters are u64 but jansson's integers are long long, so a
 * value above INT64_MAX is clamped to INT64_MAX rather than cast (which
 * would print a negative count). Real traffic never gets there; a delta
 * that wrapped (current < previous) does, and INT64_MAX makes that bug
 * visible without breaking the reader's integer type. Sums saturate for
 * the same reason. Rates are reals; with an interval that is not positive
 * and finite they are 0.0, and every real is forced finite, since JSON has
 * no inf or nan (jansson refuses them and the record would be lost).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <jansson.h>
#include "act.h"
#include "emit.h"
#include "hook.h"
#include "rules.h"
#include "skread.h"

/*
 * Key order is part of the record format: jansson >= 2.8 keeps insertion
 * order, the flag keeps older ones honest. 15 significant digits print an
 * interval of 0.1 as 0.1, not 0.10000000000000001.
 */
#define EMIT_DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* RFC 3339 has four-digit years: 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59Z. */
#define TS_SEC_MIN (-62167219200LL)
#define TS_SEC_MAX 253402300799LL
#define NSEC_PER_SEC 1000000000L

static const char *const emit_class_names[XS_L4_MAX] = {
	[XS_L4_TCP] = "tcp",
	[XS_L4_UDP] = "udp",
	[XS_L4_ICMP] = "icmp",
	[XS_L4_OTHER] = "other",
};

static const char *const emit_size_names[XS_SIZE_MAX] = {
	[XS_SIZE_LE64] = "le64",
	[XS_SIZE_LE128] = "le128",
	[XS_SIZE_LE256] = "le256",
	[XS_SIZE_LE512] = "le512",
	[XS_SIZE_LE1024] = "le1024",
	[XS_SIZE_LE1518] = "le1518",
	[XS_SIZE_GT1518] = "gt1518",
};

void format_rfc3339_ms(const struct timespec *ts, char *buf, size_t len)
{
	long long sec = ts->tv_sec;
	long nsec = ts->tv_nsec;
	time_t t;
	struct tm tm;

	if (!len)
		return;
	/*
	 * A timespec built by arithmetic may carry nsec outside [0, 1e9).
	 * Bringing sec near the valid range first keeps the carry (at most
	 * LONG_MAX / 1e9 < 1e10 seconds) from overflowing.
	 */
	if (sec > TS_SEC_MAX + 10000000000LL)
		sec = TS_SEC_MAX + 10000000000LL;
	else if (sec < TS_SEC_MIN - 10000000000LL)
		sec = TS_SEC_MIN - 10000000000LL;
	sec += nsec / NSEC_PER_SEC;
	nsec %= NSEC_PER_SEC;
	if (nsec < 0) {
		nsec += NSEC_PER_SEC;
		sec--;
	}
	/* Clamp rather than print a year RFC 3339 readers reject (pcap garbage). */
	if (sec < TS_SEC_MIN) {
		sec = TS_SEC_MIN;
		nsec = 0;
	} else if (sec > TS_SEC_MAX) {
		sec = TS_SEC_MAX;
		nsec = NSEC_PER_SEC - 1;
	}
	t = sec;
	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec / 1000000);
}

static json_t *emit_uint(uint64_t v)
{
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static json_t *emit_real(double v)
{
	return json_real(isfinite(v) ? v : 0.0);
}

static uint64_t emit_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static double emit_rate(double count, double interval_s)
{
	if (!(interval_s > 0.0) || !isfinite(interval_s))
		return 0.0;
	return count / interval_s;
}

/*
 * Names come from config files; one that is not UTF-8 (a prefix-list file
 * in Latin-1) must not cost the whole record: its high bytes become '?'.
 */
static json_t *emit_str(const char *s)
{
	json_t *j;
	char *copy, *p;

	if (!s)
		s = "";
	j = json_string(s);
	if (j)
		return j;
	copy = strdup(s);
	if (!copy)
		return NULL;
	for (p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

/*
 * Builders below OR json_object_set_new()'s result into *err: it returns -1
 * and frees the value when the value or the object is NULL (ENOMEM), so one
 * check at the end covers every allocation.
 */
static json_t *emit_pair(uint64_t pkts, uint64_t bytes)
{
	json_t *o = json_object();
	int err = 0;

	err |= json_object_set_new(o, "pkts", emit_uint(pkts));
	err |= json_object_set_new(o, "bytes", emit_uint(bytes));
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static void emit_class_sum(const struct xs_counters *c, uint64_t *pkts, uint64_t *bytes)
{
	const struct xs_class *cls = &c->tcp;
	int i;

	*pkts = 0;
	*bytes = 0;
	for (i = 0; i < XS_L4_MAX; i++) {
		*pkts = emit_add(*pkts, cls[i].pkts);
		*bytes = emit_add(*bytes, cls[i].bytes);
	}
}

static json_t *emit_proto(const struct xs_counters *c)
{
	const struct xs_class *cls = &c->tcp;
	json_t *o = json_object();
	int err = 0;
	int i;

	for (i = 0; i < XS_L4_MAX; i++)
		err |= json_object_set_new(o, emit_class_names[i],
					   emit_pair(cls[i].pkts, cls[i].bytes));
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* schema, type, ts, host, ifname, interval_s: the head of every record. */
static json_t *emit_head(const struct xs_rec_meta *m, const char *type, int *err)
{
	char ts[XS_TS_LEN];
	json_t *o = json_object();

	format_rfc3339_ms(&m->ts, ts, sizeof(ts));
	*err |= json_object_set_new(o, "schema", json_integer(XS_SCHEMA));
	*err |= json_object_set_new(o, "type", json_string(type));
	*err |= json_object_set_new(o, "ts", json_string(ts));
	*err |= json_object_set_new(o, "host", emit_str(m->host));
	*err |= json_object_set_new(o, "ifname", emit_str(m->ifname));
	if (m->agent)
		*err |= json_object_set_new(o, "agent", emit_str(m->agent));
	if (m->has_ifindex)
		*err |= json_object_set_new(o, "ifindex", m->has_ifindex == 1 ?
					    json_integer(m->ifindex) : json_null());
	*err |= json_object_set_new(o, "interval_s", emit_real(m->interval_s));
	return o;
}

/* pkts, bytes, pps, bps of one interval; rates from the clamped counts,
 * so a clamped record still agrees with itself. */
static void emit_totals(json_t *o, const struct xs_rec_meta *m, uint64_t pkts, uint64_t bytes,
			int *err)
{
	if (pkts > INT64_MAX)
		pkts = INT64_MAX;
	if (bytes > INT64_MAX)
		bytes = INT64_MAX;
	*err |= json_object_set_new(o, "pkts", emit_uint(pkts));
	*err |= json_object_set_new(o, "bytes", emit_uint(bytes));
	*err |= json_object_set_new(o, "pps", emit_real(emit_rate((double)pkts, m->interval_s)));
	*err |= json_object_set_new(o, "bps",
				    emit_real(emit_rate((double)bytes * 8.0, m->interval_s)));
}

/* The finished tree, or NULL (ENOMEM) when a part of it failed. */
static json_t *emit_doc(json_t *rec, int err)
{
	if (err || !rec) {
		json_decref(rec);
		errno = ENOMEM;
		return NULL;
	}
	return rec;
}

/* Serialize, append the newline, free the tree. Compact output escapes
 * control characters in strings, so the only newline is ours. */
static char *emit_line(json_t *rec, int err)
{
	char *s, *line;
	size_t n;

	if (err || !rec) {
		json_decref(rec);
		errno = ENOMEM;
		return NULL;
	}
	s = json_dumps(rec, EMIT_DUMP_FLAGS);
	json_decref(rec);
	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	n = strlen(s);
	line = realloc(s, n + 2);
	if (!line) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

char *emit_dump(const json_t *doc)
{
	return emit_line(json_incref((json_t *)doc), 0);
}

/* IPv4 as ::ffff:a.b.c.d becomes a.b.c.d. */
static json_t *emit_addr(const uint8_t key[16])
{
	char buf[INET6_ADDRSTRLEN];

	return json_string(skread_key_str(XS_DIM_SRC, key, buf, sizeof(buf)));
}

/* An alert's filters (act.h): installed (ids, match, action, and at the
 * end what they dropped), waiting for a victim, or skipped and why. */
static json_t *emit_act(const struct xs_act_result *r)
{
	json_t *o = json_object(), *ids = json_array();
	char buf[128];
	int err = !o || !ids;
	size_t i;

	if (r->pending)
		err |= json_object_set_new(o, "pending", json_string("victim"));
	else if (!r->n && r->skipped)
		err |= json_object_set_new(o, "skipped", json_string(r->skipped));
	for (i = 0; i < r->n; i++)
		err |= json_array_append_new(ids, emit_uint(r->ids[i]));
	if (r->n) {
		err |= json_object_set_new(o, "filters", ids);
		ids = NULL;
		err |= json_object_set_new(o, "match",
					   json_string(mitig_match_str(&r->spec, buf, sizeof(buf))));
		err |= json_object_set_new(o, "action",
					   json_string(mitig_action_str(r->spec.pps, buf, sizeof(buf))));
		if (r->dry_run)
			err |= json_object_set_new(o, "dry_run", json_true());
	}
	if (r->has_hits && r->n)
		err |= json_object_set_new(o, r->dry_run ? "would_drop" : "dropped",
					   emit_pair(r->dropped_pkts, r->dropped_bytes));
	json_decref(ids);
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *emit_top(const struct xs_top_item *it, size_t n, int dim)
{
	json_t *arr = json_array(), *o;
	int err = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		o = json_object();
		if (dim == XS_DIM_DPORT || dim == XS_DIM_SPORT) {
			err |= json_object_set_new(o, "port",
						   json_integer(skread_key_port(it[i].key)));
		} else {
			err |= json_object_set_new(o, "addr", emit_addr(it[i].key));
		}
		err |= json_object_set_new(o, "pkts", emit_uint(it[i].pkts));
		err |= json_object_set_new(o, "bytes", emit_uint(it[i].bytes));
		err |= json_array_append_new(arr, o);
	}
	if (err) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

static const char *const emit_top_names[XS_DIM_MAX] = {
	"top_src", "top_dst", "top_dport", "top_sport", "top_syn",
};

static void emit_sketches(json_t *rec, const struct xs_sk_layout *l,
			  const struct xs_sk_result *sk, int *err)
{
	json_t *h;
	int d;

	*err |= json_object_set_new(rec, "uniq_src", emit_uint(sk->uniq_src));
	if (sk->uniq_lower_bound)
		*err |= json_object_set_new(rec, "uniq_src_lower_bound", json_true());
	if (sk->top_sampled > 1)
		*err |= json_object_set_new(rec, "top_sampled", json_integer(sk->top_sampled));
	for (d = 0; d < XS_DIM_MAX; d++)
		if (l->dim_pos[d] >= 0)
			*err |= json_object_set_new(rec, emit_top_names[d],
						    emit_top(sk->top[d], sk->ntop[d], d));
	if (l->export_sketches && sk->hll_b64) {
		h = json_object();
		*err |= json_object_set_new(h, "p", json_integer(l->hll_p));
		*err |= json_object_set_new(h, "regs", json_string(sk->hll_b64));
		*err |= json_object_set_new(rec, "hll", h);
	}
}

char *emit_range(const struct xs_rec_meta *m, const char *range, int dir,
		 const struct xs_counters *delta)
{
	return emit_range_sk(m, range, dir, delta, NULL, NULL);
}

char *emit_range_sk(const struct xs_rec_meta *m, const char *range, int dir,
		    const struct xs_counters *delta, const struct xs_sk_layout *l,
		    const struct xs_sk_result *sk)
{
	json_t *rec = emit_range_doc(m, range, dir, delta, l, sk);

	return rec ? emit_line(rec, 0) : NULL;
}

json_t *emit_range_doc(const struct xs_rec_meta *m, const char *range, int dir,
		       const struct xs_counters *delta, const struct xs_sk_layout *l,
		       const struct xs_sk_result *sk)
{
	const __u64 *hist = &delta->le64;
	uint64_t pkts, bytes;
	json_t *rec, *flags, *sizes;
	int err = 0;
	int i;

	if (dir != XS_DIR_IN && dir != XS_DIR_OUT) {
		errno = EINVAL;
		return NULL;
	}
	emit_class_sum(delta, &pkts, &bytes);

	rec = emit_head(m, "range", &err);
	err |= json_object_set_new(rec, "range", emit_str(range));
	err |= json_object_set_new(rec, "dir", json_string(dir == XS_DIR_IN ? "in" : "out"));
	emit_totals(rec, m, pkts, bytes, &err);
	err |= json_object_set_new(rec, "proto", emit_proto(delta));

	flags = json_object();
	err |= json_object_set_new(flags, "syn", emit_uint(delta->syn));
	err |= json_object_set_new(flags, "synack", emit_uint(delta->synack));
	err |= json_object_set_new(flags, "rst", emit_uint(delta->rst));
	err |= json_object_set_new(flags, "fin", emit_uint(delta->fin));
	err |= json_object_set_new(rec, "tcp_flags", flags);

	err |= json_object_set_new(rec, "frags", emit_uint(delta->frags));

	sizes = json_object();
	for (i = 0; i < XS_SIZE_MAX; i++)
		err |= json_object_set_new(sizes, emit_size_names[i], emit_uint(hist[i]));
	err |= json_object_set_new(rec, "size_hist", sizes);
	if (m->mitigation) {
		uint64_t bp = delta->blocked_pkts, bb = delta->blocked_bytes;

		/* A blocked packet is one of pkts: the range counts every
		 * packet that arrived. */
		bp = bp < pkts ? bp : pkts;
		bb = bb < bytes ? bb : bytes;
		err |= json_object_set_new(rec, "passed", emit_pair(pkts - bp, bytes - bb));
		err |= json_object_set_new(rec, "blocked", emit_pair(bp, bb));
	}
	if (l && sk)
		emit_sketches(rec, l, sk, &err);

	return emit_doc(rec, err);
}

static json_t *emit_programs(const struct xs_summary *s)
{
	json_t *arr = json_array();
	json_t *p;
	int n = s->nprogs;
	int err = 0;
	int i;

	if (n < 0)
		n = 0;
	if (n > (int)ARRAY_SIZE(s->progs))
		n = ARRAY_SIZE(s->progs);
	for (i = 0; i < n; i++) {
		const struct xs_prog_stat *ps = &s->progs[i];

		p = json_object();
		err |= json_object_set_new(p, "hook", emit_str(ps->hook));
		err |= json_object_set_new(p, "mode", emit_str(ps->mode));
		err |= json_object_set_new(p, "id", json_integer(ps->prog_id));
		if (ps->has_ns) {
			err |= json_object_set_new(p, "ns_per_pkt", emit_real(ps->ns_per_pkt));
			err |= json_object_set_new(p, "runs", emit_uint(ps->run_cnt));
		}
		err |= json_array_append_new(arr, p);
	}
	if (err) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

char *emit_summary(const struct xs_rec_meta *m, const struct xs_summary *s)
{
	json_t *rec = emit_summary_doc(m, s);

	return rec ? emit_line(rec, 0) : NULL;
}

const struct xs_sink_view *emit_sink_view(const struct xs_summary *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nsinks; i++)
		if (!strcmp(s->sinks[i].name, name))
			return &s->sinks[i];
	return NULL;
}

uint64_t emit_sink_stat(const struct xs_sink_view *v, const char *key, int *found)
{
	size_t i;

	for (i = 0; v && i < v->n; i++)
		if (!strcmp(v->st[i].key, key)) {
			if (found)
				*found = 1;
			return v->st[i].value;
		}
	return 0;
}

/* A sink's statistics as an object, keys renamed by `rename` ({from, to}
 * pairs, then {}; NULL: none). */
static json_t *emit_sink_stats(const struct xs_sink_view *v, const char *const (*rename)[2])
{
	json_t *o = json_object();
	const char *key;
	int err = 0;
	size_t i, k;

	for (i = 0; i < v->n; i++) {
		key = v->st[i].key;
		for (k = 0; rename && rename[k][0]; k++)
			if (!strcmp(rename[k][0], key))
				key = rename[k][1];
		err |= json_object_set_new(o, key, v->st[i].is_signed ?
				json_integer((json_int_t)(int64_t)v->st[i].value) :
				emit_uint(v->st[i].value));
	}
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The summary's "mitigation": what the ranges had blocked in the
 * interval, and every live filter with its hits since it was added. */
static json_t *emit_mitigation(const struct xs_summary *s)
{
	json_t *o = json_object(), *blocked = json_object(), *arr = json_array(), *f;
	char match[128], action[32];
	int err = !o || !blocked || !arr;
	size_t i;

	err |= json_object_set_new(blocked, "in", emit_pair(s->in_blocked_pkts, s->in_blocked_bytes));
	err |= json_object_set_new(blocked, "out",
				   emit_pair(s->out_blocked_pkts, s->out_blocked_bytes));
	err |= json_object_set_new(o, "blocked", blocked);
	err |= json_object_set_new(o, "filters", emit_uint(s->mit_nfilters));
	err |= json_object_set_new(o, "full", emit_uint(s->mit_full));
	for (i = 0; i < s->mit_nfilters; i++) {
		const struct xs_mit_info *fi = &s->mit_filters[i];

		f = json_object();
		err |= json_object_set_new(f, "id", emit_uint(fi->id));
		err |= json_object_set_new(f, "match",
					   json_string(mitig_match_str(&fi->spec, match, sizeof(match))));
		err |= json_object_set_new(f, "action",
					   json_string(mitig_action_str(fi->spec.pps, action,
									sizeof(action))));
		err |= json_object_set_new(f, "expires_s", emit_uint(fi->spec.ttl_s));
		err |= json_object_set_new(f, "matched",
					   emit_pair(fi->hits.match_pkts, fi->hits.match_bytes));
		err |= json_object_set_new(f, "dropped",
					   emit_pair(fi->hits.drop_pkts, fi->hits.drop_bytes));
		err |= json_object_set_new(f, "dry_run",
					   emit_pair(fi->hits.dry_pkts, fi->hits.dry_bytes));
		err |= json_object_set_new(f, "allowed", emit_uint(fi->hits.allowed));
		err |= json_object_set_new(f, "spared", emit_uint(fi->hits.spared));
		err |= json_array_append_new(arr, f);
	}
	err |= json_object_set_new(o, "hits", arr);
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *emit_summary_doc(const struct xs_rec_meta *m, const struct xs_summary *s)
{
	static const char *const influx_keys[][2] = { { "failed", "failed_posts" }, {} };
	const struct xs_sink_view *hook = emit_sink_view(s, "hook");
	const struct xs_sink_view *influx = emit_sink_view(s, "influx");
	uint64_t records_dropped = emit_sink_stat(emit_sink_view(s, "file"), "dropped", NULL);
	json_t *sinks;
	size_t i;
	const struct xs_global *g = &s->g;
	uint64_t um_pkts, um_bytes;
	json_t *rec, *um, *dir, *errs, *missed;
	int err = 0;

	rec = emit_head(m, "summary", &err);
	emit_totals(rec, m, g->pkts, g->bytes, &err);
	err |= json_object_set_new(rec, "ipv4", emit_uint(g->ipv4_pkts));
	err |= json_object_set_new(rec, "ipv6", emit_uint(g->ipv6_pkts));
	err |= json_object_set_new(rec, "non_ip", emit_pair(g->non_ip_pkts, g->non_ip_bytes));
	err |= json_object_set_new(rec, "malformed",
				   emit_pair(g->malformed_pkts, g->malformed_bytes));

	emit_class_sum(&s->unmatched, &um_pkts, &um_bytes);
	um = emit_pair(um_pkts, um_bytes);
	err |= json_object_set_new(um, "proto", emit_proto(&s->unmatched));
	err |= json_object_set_new(rec, "unmatched", um);

	dir = json_object();
	err |= json_object_set_new(dir, "in", emit_pair(s->in_pkts, s->in_bytes));
	err |= json_object_set_new(dir, "out", emit_pair(s->out_pkts, s->out_bytes));
	err |= json_object_set_new(rec, "dir", dir);

	errs = json_object();
	err |= json_object_set_new(errs, "eth", emit_uint(g->err_eth));
	err |= json_object_set_new(errs, "vlan", emit_uint(g->err_vlan));
	err |= json_object_set_new(errs, "ipv4", emit_uint(g->err_ipv4));
	err |= json_object_set_new(errs, "ipv6", emit_uint(g->err_ipv6));
	err |= json_object_set_new(errs, "ipv6_ext", emit_uint(g->err_ipv6_ext));
	err |= json_object_set_new(errs, "tcp", emit_uint(g->err_tcp));
	err |= json_object_set_new(errs, "udp", emit_uint(g->err_udp));
	err |= json_object_set_new(errs, "icmp", emit_uint(g->err_icmp));
	err |= json_object_set_new(errs, "vlan_deep", emit_uint(g->vlan_deep));
	err |= json_object_set_new(rec, "errors", errs);

	missed = json_object();
	err |= json_object_set_new(missed, "lookup_fail", emit_uint(g->lookup_fail));
	err |= json_object_set_new(missed, "drains_late", emit_uint(s->drains_late));
	err |= json_object_set_new(missed, "records_dropped", emit_uint(records_dropped));
	err |= json_object_set_new(rec, "missed", missed);

	err |= json_object_set_new(rec, "ranges", emit_uint(s->ranges));
	err |= json_object_set_new(rec, "ranges_active", emit_uint(s->ranges_active));
	err |= json_object_set_new(rec, "drain_ms", emit_real(s->drain_ms));
	/* Only replay has gaps; live records stay short. */
	if (s->gap_s > 0.0 && isfinite(s->gap_s))
		err |= json_object_set_new(rec, "gap_s", emit_real(s->gap_s));
	err |= json_object_set_new(rec, "programs", emit_programs(s));
	err |= json_object_set_new(rec, "kernel_mem", emit_uint(s->kernel_mem));
	if (s->sk_on) {
		json_t *sk = json_object();

		err |= json_object_set_new(sk, "pages", emit_uint(s->sk_pages));
		err |= json_object_set_new(sk, "pages_used", emit_uint(s->sk_pages_used));
		err |= json_object_set_new(sk, "pool_empty", emit_uint(s->sk_pool_empty));
		err |= json_object_set_new(sk, "races", emit_uint(s->sk_races));
		err |= json_object_set_new(sk, "dropped", emit_uint(g->top_dropped));
		err |= json_object_set_new(sk, "torn", emit_uint(s->sk_torn));
		err |= json_object_set_new(rec, "sketch", sk);
	}
	if (s->rules_on) {
		json_t *al = json_object();

		err |= json_object_set_new(al, "active", emit_uint(s->alerts.active));
		err |= json_object_set_new(al, "started", emit_uint(s->alerts.started));
		err |= json_object_set_new(al, "ended", emit_uint(s->alerts.ended));
		err |= json_object_set_new(al, "early", emit_uint(s->alerts.early));
		if (s->act_on) {
			json_t *f = json_object();

			err |= json_object_set_new(f, "installed", emit_uint(s->act.installed));
			err |= json_object_set_new(f, "removed", emit_uint(s->act.removed));
			err |= json_object_set_new(f, "skipped", emit_uint(s->act.skipped));
			err |= json_object_set_new(f, "failed", emit_uint(s->act.failed));
			err |= json_object_set_new(al, "filters", f);
		}
		err |= json_object_set_new(al, "hosts_suppressed",
					   emit_uint(s->alerts.hosts_suppressed));
		if (hook)
			err |= json_object_set_new(al, "hooks", emit_sink_stats(hook, NULL));
		err |= json_object_set_new(rec, "alerts", al);
	}
	if (s->mit_on)
		err |= json_object_set_new(rec, "mitigation", emit_mitigation(s));
	if (influx)
		err |= json_object_set_new(rec, "influx", emit_sink_stats(influx, influx_keys));
	if (s->replay) {
		json_t *rp = json_object();

		err |= json_object_set_new(rp, "frames", emit_uint(s->replay->frames));
		err |= json_object_set_new(rp, "late", emit_uint(s->replay->late));
		err |= json_object_set_new(rp, "refused", emit_uint(s->replay->refused));
		if (s->replay->bad_ts)
			err |= json_object_set_new(rp, "bad_ts", emit_uint(s->replay->bad_ts));
		if (s->replay->not_pass)
			err |= json_object_set_new(rp, "not_pass", emit_uint(s->replay->not_pass));
		err |= json_object_set_new(rec, "replay", rp);
	}
	if (s->sflow)
		err |= json_object_set(rec, "sflow", s->sflow);
	if (s->nsinks) {
		sinks = json_object();
		for (i = 0; i < s->nsinks; i++)
			err |= json_object_set_new(sinks, s->sinks[i].name,
						   emit_sink_stats(&s->sinks[i], NULL));
		err |= json_object_set_new(rec, "sinks", sinks);
	}
	return emit_doc(rec, err);
}

static void emit_time(json_t *o, const char *key, double t, int *err)
{
	struct timespec ts;
	char buf[XS_TS_LEN];

	ts.tv_sec = (time_t)floor(t);
	ts.tv_nsec = (long)((t - floor(t)) * 1e9);
	format_rfc3339_ms(&ts, buf, sizeof(buf));
	*err |= json_object_set_new(o, key, json_string(buf));
}

char *emit_alert(const struct xs_rec_meta *m, const struct xs_alert *a, unsigned int top_n)
{
	json_t *rec = emit_alert_doc(m, a, top_n);

	return rec ? emit_line(rec, 0) : NULL;
}

json_t *emit_alert_doc(const struct xs_rec_meta *m, const struct xs_alert *a, unsigned int top_n)
{
	const struct xs_rule *r = a->rule;
	char name[64];
	json_t *rec, *o, *arr;
	int err = 0, d;
	size_t i;

	if (a->dir != XS_DIR_IN && a->dir != XS_DIR_OUT) {
		errno = EINVAL;
		return NULL;
	}
	rec = emit_head(m, "alert", &err);
	err |= json_object_set_new(rec, "id", json_string(a->id));
	err |= json_object_set_new(rec, "rule", emit_str(r->name));
	err |= json_object_set_new(rec, "range", emit_str(a->range));
	err |= json_object_set_new(rec, "dir", json_string(a->dir == XS_DIR_IN ? "in" : "out"));
	err |= json_object_set_new(rec, "state", json_string(rules_state_names[a->state]));
	err |= json_object_set_new(rec, "metric",
				   json_string(config_expr_name(&r->cond.m, name, sizeof(name))));
	err |= json_object_set_new(rec, "value", emit_real(a->value));
	err |= json_object_set_new(rec, r->cond.below ? "below" : "threshold",
				   emit_real(a->threshold));
	if (a->has_baseline) {
		o = json_object();
		err |= json_object_set_new(o, "mean", emit_real(a->mean));
		err |= json_object_set_new(o, "dev", emit_real(a->dev));
		err |= json_object_set_new(rec, "baseline", o);
	}
	err |= json_object_set_new(rec, "severity", emit_real(a->severity));
	err |= json_object_set_new(rec, "attack", json_string(a->attack ? a->attack : "unknown"));
	emit_time(rec, "since", a->since, &err);
	err |= json_object_set_new(rec, "duration_s", emit_real(a->duration_s));
	err |= json_object_set_new(rec, "peak", emit_real(a->peak));
	err |= json_object_set_new(rec, "pkts", emit_uint(a->pkts));
	err |= json_object_set_new(rec, "bytes", emit_uint(a->bytes));
	if (a->reason)
		err |= json_object_set_new(rec, "reason", json_string(a->reason));
	if (a->host)
		err |= json_object_set_new(rec, "target", emit_addr(a->host));
	else if (a->range_wide)
		err |= json_object_set_new(rec, "hosts_over", emit_uint(a->hosts_over));
	else if (a->m && a->m->has_host && (r->cond.m.num >= XS_M_HOST_PPS ||
					    (r->cond.m.den >= XS_M_HOST_PPS)))
		err |= json_object_set_new(rec, "target", emit_addr(a->m->host));
	if (a->act)
		err |= json_object_set_new(rec, "mitigation", emit_act(a->act));
	if (a->nand) {
		arr = json_array();
		for (i = 0; i < a->nand; i++) {
			const struct xs_cond *c = &r->and_conds[i];

			o = json_object();
			err |= json_object_set_new(o, "metric", json_string(config_expr_name(
							      &c->m, name, sizeof(name))));
			err |= json_object_set_new(o, "value", emit_real(a->and_value[i]));
			err |= json_object_set_new(o, c->below ? "below" : "threshold",
						   emit_real(a->and_threshold[i]));
			err |= json_array_append_new(arr, o);
		}
		err |= json_object_set_new(rec, "and", arr);
	}
	if (a->m && a->m->sk && a->m->l && top_n)
		for (d = 0; d < XS_DIM_MAX; d++)
			if (a->m->l->dim_pos[d] >= 0)
				err |= json_object_set_new(
					rec, emit_top_names[d],
					emit_top(a->m->sk->top[d],
						 a->m->sk->ntop[d] < top_n ? a->m->sk->ntop[d] : top_n,
						 d));
	return emit_doc(rec, err);
}
