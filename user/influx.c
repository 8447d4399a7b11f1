// SPDX-License-Identifier: GPL-2.0
/*
 * InfluxDB line protocol over HTTP (influx.h). The HTTP client is the
 * least that InfluxDB 1.x's /write needs: one POST a batch with
 * Content-Length and "Connection: close", success being a 2xx status.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include "influx.h"
#include "sink.h"
#include "log.h"
#include "textbuf.h"

static const char *const tag_keys[] = {
	"host", "ifname", "range", "dir", "rule", "state", "attack", NULL,
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
	for (i = 0; tag_keys[i]; i++) {
		v = json_object_get(r, tag_keys[i]);
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

struct batch {
	char *text;
	size_t len;
	uint64_t lines;
	struct batch *next;
};

struct xs_influx {
	char host[256], port[8], path[1024], hostport[300];
	size_t max_bytes;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct batch *head, *tail;	/* waiting; head is the one being sent */
	size_t queued_bytes;
	int stop;
	double stop_by;			/* CLOCK_MONOTONIC: give up sending then */
	struct xs_influx_stats st;
	struct xs_textbuf cur;		/* the interval being made (drain loop only) */
	uint64_t cur_lines;
	int warned;
};

static double mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int parse_url(struct xs_influx *x, const char *url, char *err, size_t errlen)
{
	const char *h = url + 7, *slash, *colon, *end;
	size_t n;

	if (strncmp(url, "http://", 7))
		goto bad;
	slash = strchr(h, '/');
	end = slash ? slash : h + strlen(h);
	if (*h == '[') {
		colon = memchr(h, ']', end - h);
		if (!colon)
			goto bad;
		n = colon - h - 1;
		if (n == 0 || n >= sizeof(x->host))
			goto bad;
		memcpy(x->host, h + 1, n);
		x->host[n] = '\0';
		colon = colon[1] == ':' ? colon + 1 : NULL;
	} else {
		colon = memchr(h, ':', end - h);
		n = (colon ? colon : end) - h;
		if (n == 0 || n >= sizeof(x->host))
			goto bad;
		memcpy(x->host, h, n);
		x->host[n] = '\0';
	}
	if (colon) {
		n = end - colon - 1;
		if (n == 0 || n >= sizeof(x->port) || strspn(colon + 1, "0123456789") < n)
			goto bad;
		memcpy(x->port, colon + 1, n);
		x->port[n] = '\0';
	} else {
		snprintf(x->port, sizeof(x->port), "8086");
	}
	snprintf(x->path, sizeof(x->path), "%s", slash ? slash : "/write?db=xdpscope");
	snprintf(x->hostport, sizeof(x->hostport), strchr(x->host, ':') ? "[%s]:%s" : "%s:%s",
		 x->host, x->port);
	return 0;
bad:
	set_err(err, errlen, "--influx: expected http://HOST[:PORT]/write?db=NAME, got \"%s\"",
		url);
	return -EINVAL;
}

/* One POST; 0 on a 2xx answer, else -errno or -EPROTO with why. */
static int post(struct xs_influx *x, const struct batch *b, char *why, size_t whylen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL, *a;
	struct timeval tv = { .tv_sec = 5 };
	char head[1600], resp[256];
	int fd = -1, e, code = 0;
	size_t off = 0;
	ssize_t n;

	e = getaddrinfo(x->host, x->port, &hints, &ai);
	if (e) {
		snprintf(why, whylen, "%s: %s", x->host, gai_strerror(e));
		return -EHOSTUNREACH;
	}
	for (a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (!connect(fd, a->ai_addr, a->ai_addrlen))
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0) {
		snprintf(why, whylen, "connecting to %s: %s", x->hostport, strerror(e));
		return -e;
	}
	n = snprintf(head, sizeof(head), "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: xdpscope\r\n"
		     "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\n"
		     "Connection: close\r\n\r\n", x->path, x->hostport, b->len);
	e = send(fd, head, n, MSG_NOSIGNAL) == n ? 0 : errno ? errno : EIO;
	while (!e && off < b->len) {
		n = send(fd, b->text + off, b->len - off, MSG_NOSIGNAL);
		if (n <= 0)
			e = n < 0 ? errno : EIO;
		else
			off += n;
	}
	if (!e) {
		n = recv(fd, resp, sizeof(resp) - 1, 0);
		if (n <= 0) {
			e = n < 0 ? errno : EPROTO;
		} else {
			resp[n] = '\0';
			if (sscanf(resp, "HTTP/1.%*d %d", &code) != 1)
				e = EPROTO;
		}
	}
	close(fd);
	if (e) {
		snprintf(why, whylen, "posting to %s: %s", x->hostport, strerror(e));
		return -e;
	}
	if (code < 200 || code > 299) {
		snprintf(why, whylen, "%s answered HTTP %d", x->hostport, code);
		return -EPROTO;
	}
	return 0;
}

static void *writer(void *arg)
{
	struct xs_influx *x = arg;
	double backoff = 0.5;
	char why[512];
	struct batch *b;
	int e;

	pthread_mutex_lock(&x->lock);
	while (1) {
		while (!x->head && !x->stop)
			pthread_cond_wait(&x->cond, &x->lock);
		if (!x->head || (x->stop && mono() > x->stop_by))
			break;
		b = x->head;
		pthread_mutex_unlock(&x->lock);
		e = post(x, b, why, sizeof(why));
		pthread_mutex_lock(&x->lock);
		if (!e) {
			x->st.lines_sent += b->lines;
			x->queued_bytes -= b->len;
			x->head = b->next;
			if (!x->head)
				x->tail = NULL;
			free(b->text);
			free(b);
			backoff = 0.5;
			if (x->warned)
				log_info("influx: %s: writing again", x->hostport);
			x->warned = 0;
			continue;
		}
		x->st.posts_failed++;
		if (!x->warned++)
			log_err("influx: %s; retrying, lines wait in a buffer of %zu MiB", why,
				x->max_bytes >> 20);
		/* Wait before the retry, waking early for a stop. */
		{
			struct timespec until;
			double t;

			clock_gettime(CLOCK_REALTIME, &until);
			t = until.tv_sec + until.tv_nsec / 1e9 + (x->stop ? 0.2 : backoff);
			until.tv_sec = (time_t)t;
			until.tv_nsec = (long)((t - (time_t)t) * 1e9);
			pthread_cond_timedwait(&x->cond, &x->lock, &until);
		}
		backoff = backoff * 2 > 10 ? 10 : backoff * 2;
	}
	pthread_mutex_unlock(&x->lock);
	return NULL;
}

struct xs_influx *influx_start(const char *url, size_t max_bytes, char *err, size_t errlen)
{
	struct xs_influx *x = calloc(1, sizeof(*x));
	sigset_t old;
	int e;

	if (!x) {
		set_err(err, errlen, "--influx: out of memory");
		return NULL;
	}
	if (parse_url(x, url, err, errlen)) {
		free(x);
		return NULL;
	}
	x->max_bytes = max_bytes;
	pthread_mutex_init(&x->lock, NULL);
	pthread_cond_init(&x->cond, NULL);
	sink_signals_block(&old);
	e = pthread_create(&x->thread, NULL, writer, x);
	sink_signals_restore(&old);
	if (e) {
		set_err(err, errlen, "--influx: cannot start the writer thread");
		pthread_mutex_destroy(&x->lock);
		pthread_cond_destroy(&x->cond);
		free(x);
		return NULL;
	}
	return x;
}

void influx_record(struct xs_influx *x, const json_t *rec)
{
	if (!influx_line(rec, &x->cur))
		x->cur_lines++;
}

void influx_flush(struct xs_influx *x)
{
	struct batch *b;

	if (!x->cur.n)
		return;
	b = calloc(1, sizeof(*b));
	if (!b) {
		x->st.lines_dropped += x->cur_lines;
		x->cur.n = 0;
		x->cur_lines = 0;
		return;
	}
	b->text = x->cur.p;
	b->len = x->cur.n;
	b->lines = x->cur_lines;
	memset(&x->cur, 0, sizeof(x->cur));
	x->cur_lines = 0;
	pthread_mutex_lock(&x->lock);
	/* Full: drop the oldest waiting batches (not the one being sent). */
	while (x->head && x->head->next && x->queued_bytes + b->len > x->max_bytes) {
		struct batch *old = x->head->next;

		x->head->next = old->next;
		if (x->tail == old)
			x->tail = x->head;
		x->queued_bytes -= old->len;
		x->st.lines_dropped += old->lines;
		free(old->text);
		free(old);
	}
	if (x->tail)
		x->tail->next = b;
	else
		x->head = b;
	x->tail = b;
	x->queued_bytes += b->len;
	pthread_cond_signal(&x->cond);
	pthread_mutex_unlock(&x->lock);
}

void influx_stats(struct xs_influx *x, struct xs_influx_stats *st)
{
	struct batch *b;

	pthread_mutex_lock(&x->lock);
	*st = x->st;
	st->lines_pending = 0;
	for (b = x->head; b; b = b->next)
		st->lines_pending += b->lines;
	pthread_mutex_unlock(&x->lock);
}

void influx_stop(struct xs_influx *x, double wait_s)
{
	struct batch *b;

	if (!x)
		return;
	influx_flush(x);
	pthread_mutex_lock(&x->lock);
	x->stop = 1;
	x->stop_by = mono() + wait_s;
	pthread_cond_signal(&x->cond);
	pthread_mutex_unlock(&x->lock);
	pthread_join(x->thread, NULL);
	while ((b = x->head)) {
		x->head = b->next;
		x->st.lines_dropped += b->lines;
		free(b->text);
		free(b);
	}
	if (x->st.lines_dropped)
		log_err("influx: %llu lines could not be written", (unsigned long long)x->st.lines_dropped);
	free(x->cur.p);
	pthread_mutex_destroy(&x->lock);
	pthread_cond_destroy(&x->cond);
	free(x);
}
