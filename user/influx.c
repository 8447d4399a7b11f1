// SPDX-License-Identifier: GPL-2.0
/*
 * InfluxDB line protocol (influx.h): the lines, the URL of either
 * version's write endpoint, and each interval's batch handed to the HTTP
 * writer (httpq.c).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "httpq.h"
#include "influx.h"
#include "log.h"
#include "textbuf.h"

static const char *const tag_keys[] = {
	"host", "ifname", "agent", "ifindex", "range", "dir", "rule", "state", "attack", NULL,
};

static int is_tag(const char *key)
{
	int i;

	for (i = 0; tag_keys[i]; i++)
		if (!strcmp(tag_keys[i], key))
			return 1;
	return 0;
}

/* "2026-11-25T10:00:01.123Z" -> ns since the epoch; -1 if malformed. */
static long long ts_ns(const char *s)
{
	struct tm tm = {};
	int ms = 0, n = 0;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms, &n) != 7 || s[n])
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long long)timegm(&tm) * 1000000000LL + ms * 1000000LL;
}

/* One field of the record (an object: each of its members, flattened
 * with '_'); *n counts the fields written. */
static void field(struct xs_textbuf *b, int *n, const char *prefix, const char *key, json_t *v)
{
	char name[256], num[64];
	const char *k;
	json_t *x;

	snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "_" : "", key);
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		json_object_foreach(v, k, x)
			field(b, n, name, k, x);
		return;
	case JSON_ARRAY:
	case JSON_NULL:
		return;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT "i", json_integer_value(v));
		break;
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		snprintf(num, sizeof(num), "%s", json_is_true(v) ? "true" : "false");
		break;
	case JSON_STRING:
		break;
	}
	textbuf_put(b, (*n)++ ? "," : " ", 1);
	textbuf_escaped(b, name, ", =");	/* keys, tag values: ',', '=', ' ' */
	textbuf_put(b, "=", 1);
	if (!json_is_string(v)) {
		textbuf_puts(b, num);
		return;
	}
	textbuf_put(b, "\"", 1);
	textbuf_escaped(b, json_string_value(v), "\"\\");
	textbuf_put(b, "\"", 1);
}

int influx_line(const json_t *rec, struct xs_textbuf *b)
{
	json_t *r = (json_t *)rec, *v;	/* jansson's iterators take no const */
	const char *type, *key;
	size_t start = b->n;
	long long ns;
	char tsbuf[32];
	int i, n = 0;

	type = json_string_value(json_object_get(r, "type"));
	ns = ts_ns(json_string_value(json_object_get(r, "ts")) ?: "");
	if (!r || !type || ns < 0)
		return -EINVAL;
	textbuf_puts(b, "xdpscope_");
	textbuf_escaped(b, type, ", ");
	/* Tags: strings, and collect's ifindex views' input interface (two
	 * views of one agent and range are two series, not one point). */
	for (i = 0; tag_keys[i]; i++) {
		v = json_object_get(r, tag_keys[i]);
		if (json_is_integer(v)) {
			snprintf(tsbuf, sizeof(tsbuf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			textbuf_put(b, ",", 1);
			textbuf_puts(b, tag_keys[i]);
			textbuf_put(b, "=", 1);
			textbuf_puts(b, tsbuf);
			continue;
		}
		if (!json_is_string(v) || !json_string_length(v))
			continue;
		textbuf_put(b, ",", 1);
		textbuf_puts(b, tag_keys[i]);
		textbuf_put(b, "=", 1);
		textbuf_escaped(b, json_string_value(v), ", =");
	}
	json_object_foreach(r, key, v)
		if (!is_tag(key) && strcmp(key, "type") && strcmp(key, "ts") && strcmp(key, "schema"))
			field(b, &n, "", key, v);
	snprintf(tsbuf, sizeof(tsbuf), " %lld\n", ns);
	textbuf_puts(b, tsbuf);
	if (b->oom || !n) {		/* a line needs a field */
		b->n = start;
		if (b->p)
			b->p[start] = '\0';
		return b->oom ? -ENOMEM : -EINVAL;
	}
	return 0;
}

/* The value of `name` in a URL query ("a=1&b=2"), *len its length; NULL
 * when absent. */
static const char *param(const char *query, const char *name, size_t *len)
{
	size_t n = strlen(name), k;
	const char *p = query;

	while (p && *p) {
		k = strcspn(p, "&");
		if (k > n && !strncmp(p, name, n) && p[n] == '=') {
			*len = k - n - 1;
			return p + n + 1;
		}
		p = p[k] ? p + k + 1 : NULL;
	}
	return NULL;
}

#define FAIL(k, ...)                                       \
	do {                                               \
		*key = (k);                                \
		set_err(err, errlen, __VA_ARGS__);         \
		return -EINVAL;                            \
	} while (0)

/* A key that belongs to the other version is a mistake worth a word. */
static int other_version_keys(const struct xs_influx_cfg *c, int v, const char **key, char *err,
			      size_t errlen)
{
	const char *name = NULL;

	if (v == 2)
		name = c->db ? "db" : c->user ? "user" : c->password_file ? "password_file" :
		       c->password ? "password" : NULL;
	else
		name = c->org ? "org" : c->bucket ? "bucket" : c->token_file ? "token_file" : NULL;
	if (name)
		FAIL(name, "expected only with InfluxDB %s, got it for %s (version %d)",
		     v == 2 ? "1.x" : "2.x", v == 2 ? "2.x" : "1.x", v);
	return 0;
}

/* `name`=value from c (s) or from the query; both only if they agree
 * (a config's db with an --influx URL that names it too). */
static int query_key(struct xs_textbuf *b, const char *query, const char *name, const char *s,
		     const char *def, const char **key, char *err, size_t errlen)
{
	struct xs_textbuf esc = {};
	const char *q;
	size_t len;
	int same;

	if ((q = param(query, name, &len))) {
		if (!s)
			return 0;
		httpq_escape(&esc, s);
		same = esc.p && esc.n == len && !memcmp(esc.p, q, len);
		free(esc.p);
		if (!same)
			FAIL(name, "expected one %s, got \"%s\" here and %s=%.*s in the URL", name, s,
			     name, (int)len, q);
		return 0;
	}
	if (!s && !def)
		FAIL(name, "expected %s for InfluxDB 2.x (here or %s= in the URL)",
		     !strcmp(name, "org") ? "the organization" : "the bucket", name);
	textbuf_put(b, "&", 1);
	textbuf_puts(b, name);
	textbuf_put(b, "=", 1);
	httpq_escape(b, s ? s : def);
	return 0;
}

int influx_url(const struct xs_influx_cfg *c, const char *url, char **out, int *version,
	       const char **key, char *err, size_t errlen)
{
	static const char v2_path[] = "/api/v2/write";
	const char *host = NULL, *path = NULL, *query = NULL, *prec;
	struct xs_textbuf b = {};
	size_t hostlen = 0, pathlen = 0, n;
	int v, e;

	*out = NULL;
	*key = "url";
	url = url ? url : c->url;
	if (url) {
		host = !strncmp(url, "http://", 7) ? url + 7 : !strncmp(url, "https://", 8) ? url + 8 : NULL;
		hostlen = host ? strcspn(host, "/?#") : 0;
		if (!hostlen || strchr(url, '#') || strpbrk(url, " \t\r\n"))
			FAIL("url", "expected http(s)://HOST[:PORT][/PATH][?QUERY], got \"%s\"", url);
		path = host + hostlen;
		pathlen = strcspn(path, "?");
		if (path[pathlen] == '?')
			query = path + pathlen + 1;
	}
	*version = 0;
	if (!url && !c->version)
		return 0;	/* nothing to check against before --influx */
	v = c->version;
	if (!v)
		v = url && pathlen >= sizeof(v2_path) - 1 &&
		    !strncmp(path + pathlen - (sizeof(v2_path) - 1), v2_path, sizeof(v2_path) - 1) ? 2 : 1;
	*version = v;
	e = other_version_keys(c, v, key, err, errlen);
	if (e || !url)
		return e;
	prec = param(query, "precision", &n);
	if (prec && (n != 2 || strncmp(prec, "ns", 2)))
		FAIL("url", "expected precision=ns or none (timestamps are in ns), got \"precision=%.*s\"",
		     (int)n, prec);
	if (v == 2 && !c->token)
		FAIL("token_file", "expected a file with the token for InfluxDB 2.x");
	textbuf_put(&b, url, host + hostlen - url);
	if (pathlen > 1)
		textbuf_put(&b, path, pathlen);
	else
		textbuf_puts(&b, v == 2 ? v2_path : "/write");
	textbuf_put(&b, "?", 1);
	if (query && *query)
		textbuf_puts(&b, query);
	else
		textbuf_puts(&b, "precision=ns");	/* so what follows starts with '&' */
	if (v == 2)
		e = query_key(&b, query, "org", c->org, NULL, key, err, errlen) ?:
		    query_key(&b, query, "bucket", c->bucket, NULL, key, err, errlen);
	else
		e = query_key(&b, query, "db", c->db, XS_INFLUX_DB, key, err, errlen);
	if (!e && query && *query && !prec)
		textbuf_puts(&b, "&precision=ns");
	if (e || b.oom) {
		free(b.p);
		return e ? e : -ENOMEM;
	}
	*out = b.p;
	return 0;
}

struct xs_influx {
	struct xs_httpq *q;
	char *url;			/* of the POSTs */
	char where[256];
	struct xs_textbuf cur;		/* the interval being made (drain loop only) */
	uint64_t cur_lines;
	uint64_t lines_lost;		/* a batch that could not be made */
};

struct xs_influx *influx_start(const struct xs_influx_cfg *c, const char *url, char *err,
			       size_t errlen)
{
	struct xs_http_target t = {
		.name = "influx", .ca_file = c->ca_file, .cert_file = c->cert_file,
		.key_file = c->key_file, .insecure = c->insecure,
		.content_type = "text/plain; charset=utf-8",
	};
	char why[XS_ERR_LEN], auth[1024];
	struct xs_influx *x;
	const char *key;
	int v, e;

	x = calloc(1, sizeof(*x));
	if (!x) {
		set_err(err, errlen, "--influx: out of memory");
		return NULL;
	}
	e = influx_url(c, url, &x->url, &v, &key, why, sizeof(why));
	if (e == -ENOMEM)
		set_err(err, errlen, "--influx: out of memory");
	else if (e && url && !strcmp(key, "url"))
		set_err(err, errlen, "--influx: %s", why);
	else if (e)
		set_err(err, errlen, "output.influx.%s: %s", key, why);
	if (e)
		goto fail;
	if (v == 2) {
		snprintf(auth, sizeof(auth), "Authorization: Token %s", c->token);
		t.header = auth;
	} else {
		t.user = c->user;
		t.password = c->password;
	}
	t.url = x->url;
	httpq_where(x->url, x->where, sizeof(x->where));
	x->q = httpq_start(&t, c->buffer ? c->buffer : XS_INFLUX_BUFFER, err, errlen);
	explicit_bzero(auth, sizeof(auth));
	if (x->q)
		return x;
fail:
	free(x->url);
	free(x);
	return NULL;
}

const char *influx_where(const struct xs_influx *x)
{
	return x->where;
}

void influx_record(struct xs_influx *x, const json_t *rec)
{
	if (!influx_line(rec, &x->cur))
		x->cur_lines++;
}

/*
 * No check before a resend (httpq.h): InfluxDB keeps one point per
 * measurement, tag set and timestamp, so a batch stored twice after an
 * ambiguous failure overwrites its own points with the same values.
 */
void influx_flush(struct xs_influx *x)
{
	struct xs_http_batch *b;

	if (!x->cur.n)
		return;
	b = httpq_batch(x->url, x->cur.p, x->cur.n, x->cur_lines, NULL, NULL);
	if (b)
		httpq_push(x->q, b);
	else
		x->lines_lost += x->cur_lines;
	memset(&x->cur, 0, sizeof(x->cur));
	x->cur_lines = 0;
}

void influx_stats(struct xs_influx *x, struct xs_influx_stats *st)
{
	struct xs_httpq_stats q;

	httpq_stats(x->q, &q);
	st->lines_sent = q.rows_sent;
	st->lines_dropped = q.rows_dropped + x->lines_lost;
	st->posts_failed = q.posts_failed;
	st->lines_pending = q.rows_pending;
}

uint64_t influx_stop(struct xs_influx *x, double wait_s)
{
	uint64_t lost;

	if (!x)
		return 0;
	influx_flush(x);
	lost = httpq_stop(x->q, wait_s);
	free(x->cur.p);
	free(x->url);
	free(x);
	return lost;
}
