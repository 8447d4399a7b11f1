// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP writer thread (httpq.h). One libcurl easy handle, used only by
 * the thread, so connections are kept alive between batches.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "httpq.h"
#include "log.h"
#include "sink.h"
#include "textbuf.h"

#define BACKOFF_MIN 0.5
#define BACKOFF_MAX 10.0
#define RESP_MAX 4096
#define FAIL_GRACE 5.0		/* s a stop waits on a failing server */

enum outcome {
	SENT,		/* 2xx */
	REFUSED,	/* the server answered with an error status */
	UNSENT,		/* no connection: nothing reached the server */
	UNKNOWN,	/* it may have been received */
};

struct xs_httpq {
	struct xs_http_target t;
	char where[256];
	size_t max_bytes;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct xs_http_batch *head, *tail;	/* head: the one being sent */
	size_t queued_bytes;
	int stop;
	double stop_at, stop_by;
	struct xs_httpq_stats st;
	int failing;
	/* writer thread only */
	CURL *curl;
	struct curl_slist *headers;
	char resp[RESP_MAX];
	char curl_err[CURL_ERROR_SIZE];	/* libcurl's detail of a failure */
	size_t resp_len;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ok;

static void curl_init_once(void)
{
	curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

static double mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

void httpq_where(const char *url, char *buf, size_t len)
{
	const char *h = strstr(url, "://"), *end, *at;

	h = h ? h + 3 : url;
	end = h + strcspn(h, "/?#");
	at = memchr(h, '@', end - h);	/* never show credentials */
	if (at)
		h = at + 1;
	snprintf(buf, len, "%.*s%.*s", (int)(strstr(url, "://") ? strstr(url, "://") + 3 - url : 0),
		 url, (int)(end - h), h);
}

void httpq_escape(struct xs_textbuf *b, const char *s)
{
	char hex[4];

	for (; *s; s++) {
		unsigned char c = *s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			textbuf_put(b, (const char *)&c, 1);
			continue;
		}
		snprintf(hex, sizeof(hex), "%%%02X", c);
		textbuf_put(b, hex, 3);
	}
}

struct xs_http_batch *httpq_batch(const char *url, char *body, size_t len, uint64_t rows,
				  const char *check_url, const char *check_body)
{
	struct xs_http_batch *b = calloc(1, sizeof(*b));

	if (!b) {
		free(body);
		return NULL;
	}
	b->body = body;
	b->len = len;
	b->rows = rows;
	b->url = strdup(url);
	b->check_url = check_url ? strdup(check_url) : NULL;
	b->check_body = check_body ? strdup(check_body) : NULL;
	if (!b->url || (check_url && !b->check_url) || (check_body && !b->check_body)) {
		httpq_batch_free(b);
		return NULL;
	}
	return b;
}

void httpq_batch_free(struct xs_http_batch *b)
{
	if (!b)
		return;
	free(b->url);
	free(b->body);
	free(b->check_url);
	free(b->check_body);
	free(b);
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct xs_httpq *q = arg;
	size_t len = size * n, room = sizeof(q->resp) - 1 - q->resp_len;

	memcpy(q->resp + q->resp_len, p, len < room ? len : room);
	q->resp_len += len < room ? len : room;
	q->resp[q->resp_len] = '\0';
	return len;
}

/* The first line of the answer, trimmed, for a message. */
static void first_line(const char *s, char *out, size_t len)
{
	size_t n = strcspn(s, "\r\n");

	if (n > 190)
		n = 190;
	snprintf(out, len, "%.*s", (int)n, s);
}

/*
 * once: the request must reach the server at most once. libcurl sends a
 * request again by itself when a kept-alive connection turns out to be
 * closed before any answer (it cannot tell "closed while idle" from
 * "closed after it did the work"), which for an INSERT whose answer was
 * lost is a second copy; such a request goes on a connection of its own.
 */
static enum outcome post(struct xs_httpq *q, const char *url, const char *body, size_t len,
			 int once, char *why, size_t whylen)
{
	char line[200];
	CURLcode c;
	long code = 0;

	q->resp_len = 0;
	q->resp[0] = '\0';
	curl_easy_setopt(q->curl, CURLOPT_URL, url);
	curl_easy_setopt(q->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(q->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(q->curl, CURLOPT_FRESH_CONNECT, (long)once);
	curl_easy_setopt(q->curl, CURLOPT_FORBID_REUSE, (long)once);
	q->curl_err[0] = '\0';
	c = curl_easy_perform(q->curl);
	if (c != CURLE_OK) {
		/* A TLS failure's name says little ("SSL peer certificate or SSH
		 * remote key was not OK"); libcurl's detail says what to fix
		 * ("SSL certificate problem: unable to get local issuer
		 * certificate"). */
		snprintf(why, whylen, "%s: %s", q->where,
			 q->curl_err[0] && (c == CURLE_PEER_FAILED_VERIFICATION ||
					    c == CURLE_SSL_CONNECT_ERROR ||
					    c == CURLE_SSL_CACERT_BADFILE ||
					    c == CURLE_SSL_CERTPROBLEM) ?
				 q->curl_err : curl_easy_strerror(c));
		switch (c) {
		case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_COULDNT_RESOLVE_PROXY:
		case CURLE_COULDNT_CONNECT:
		case CURLE_SSL_CONNECT_ERROR:
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CACERT_BADFILE:
		case CURLE_SSL_CERTPROBLEM:
		case CURLE_UNSUPPORTED_PROTOCOL:
		case CURLE_URL_MALFORMAT:
			return UNSENT;
		default:
			return UNKNOWN;
		}
	}
	curl_easy_getinfo(q->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code <= 299)
		return SENT;
	first_line(q->resp, line, sizeof(line));
	snprintf(why, whylen, "%s answered HTTP %ld%s%s", q->where, code, *line ? ": " : "",
		 line);
	return REFUSED;
}

/* After an ambiguous failure: 1 stored, 0 not, -1 cannot tell now. */
static int stored(struct xs_httpq *q, const struct xs_http_batch *b, char *why, size_t whylen)
{
	char *end;
	unsigned long long n;

	if (post(q, b->check_url, b->check_body, strlen(b->check_body), 0, why, whylen) != SENT)
		return -1;
	n = strtoull(q->resp, &end, 10);
	if (end == q->resp || (*end && !isspace((unsigned char)*end))) {
		snprintf(why, whylen, "%s: the check of a batch got no count", q->where);
		return -1;
	}
	return n > 0;
}

static void wait_backoff(struct xs_httpq *q, double s)
{
	struct timespec until;
	double t;

	clock_gettime(CLOCK_REALTIME, &until);
	t = until.tv_sec + until.tv_nsec / 1e9 + (q->stop ? (s < 0.2 ? s : 0.2) : s);
	until.tv_sec = (time_t)t;
	until.tv_nsec = (long)((t - (time_t)t) * 1e9);
	pthread_cond_timedwait(&q->cond, &q->lock, &until);
}

static int setup_curl(struct xs_httpq *q)
{
	const struct xs_http_target *t = &q->t;
	CURL *c = curl_easy_init();

	if (!c)
		return -ENOMEM;
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "xdpscope");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, t->timeout_ms > 0 ? t->timeout_ms : 30000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, q);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, q->curl_err);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (t->user) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, t->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, t->password ? t->password : "");
	}
	q->headers = curl_slist_append(NULL, "Expect:");	/* no 100-continue round trip */
	if (q->headers && t->header)
		q->headers = curl_slist_append(q->headers, t->header);
	if (q->headers && t->content_type) {
		char ct[256];

		snprintf(ct, sizeof(ct), "Content-Type: %s", t->content_type);
		q->headers = curl_slist_append(q->headers, ct);
	}
	if (!q->headers) {
		curl_easy_cleanup(c);
		return -ENOMEM;
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, q->headers);
	if (t->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, t->ca_file);
	if (t->cert_file)
		curl_easy_setopt(c, CURLOPT_SSLCERT, t->cert_file);
	if (t->key_file)
		curl_easy_setopt(c, CURLOPT_SSLKEY, t->key_file);
	if (t->insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	q->curl = c;
	return 0;
}

/* Called with the lock held; returns with it held. */
static void done_head(struct xs_httpq *q, int sent)
{
	struct xs_http_batch *b = q->head;

	if (sent)
		q->st.rows_sent += b->rows;
	else
		q->st.rows_dropped += b->rows;
	q->queued_bytes -= b->len;
	q->head = b->next;
	if (!q->head)
		q->tail = NULL;
	httpq_batch_free(b);
}

static void *writer(void *arg)
{
	struct xs_httpq *q = arg;
	double backoff = BACKOFF_MIN;
	int unsure = 0;		/* the head may be stored: check first */
	char why[1024];
	enum outcome o;
	struct xs_http_batch *b;
	int s;

	pthread_mutex_lock(&q->lock);
	while (1) {
		while (!q->head && !q->stop)
			pthread_cond_wait(&q->cond, &q->lock);
		/* At a stop: until stop_by, but no more than FAIL_GRACE of it
		 * against a server that keeps failing. */
		if (!q->head || (q->stop && (mono() > q->stop_by ||
					     (q->failing && mono() > q->stop_at + FAIL_GRACE))))
			break;
		b = q->head;
		pthread_mutex_unlock(&q->lock);
		s = 0;
		if (unsure && b->check_url) {
			s = stored(q, b, why, sizeof(why));
			o = s > 0 ? SENT : s < 0 ? UNKNOWN : UNSENT;
		}
		if (!s)
			o = post(q, b->url, b->body, b->len, b->check_url != NULL, why,
				 sizeof(why));
		pthread_mutex_lock(&q->lock);
		if (unsure && b->check_url && s >= 0) {
			q->st.batches_checked++;
			q->st.batches_found += s > 0;
		}
		if (o == SENT) {
			unsure = 0;
			done_head(q, 1);
			backoff = BACKOFF_MIN;
			if (q->failing)
				log_info("%s: %s: writing again", q->t.name, q->where);
			q->failing = 0;
			continue;
		}
		/* Once unsure, stay so until a check or a post settles it. */
		unsure = unsure || o == UNKNOWN;
		q->st.posts_failed++;
		if (!q->failing++)
			log_err("%s: %s; retrying, rows wait in a buffer of %zu MiB", q->t.name, why,
				q->max_bytes >> 20);
		wait_backoff(q, backoff);
		backoff = backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : backoff * 2;
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

static char *dup_opt(const char *s, int *bad)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	*bad |= !d;
	return d;
}

static void free_target(struct xs_http_target *t)
{
	free((char *)t->name);
	free((char *)t->user);
	free((char *)t->password);
	free((char *)t->header);
	free((char *)t->content_type);
	free((char *)t->ca_file);
	free((char *)t->cert_file);
	free((char *)t->key_file);
}

struct xs_httpq *httpq_start(const struct xs_http_target *t, size_t max_bytes, char *err,
			     size_t errlen)
{
	struct xs_httpq *q = calloc(1, sizeof(*q));
	sigset_t old;
	int bad = 0, e;

	pthread_once(&curl_once, curl_init_once);
	if (!q || !curl_ok) {
		set_err(err, errlen, "%s: cannot start libcurl", t->name);
		free(q);
		return NULL;
	}
	q->t = *t;
	q->t.name = dup_opt(t->name, &bad);
	q->t.user = dup_opt(t->user, &bad);
	q->t.password = dup_opt(t->password, &bad);
	q->t.header = dup_opt(t->header, &bad);
	q->t.content_type = dup_opt(t->content_type, &bad);
	q->t.ca_file = dup_opt(t->ca_file, &bad);
	q->t.cert_file = dup_opt(t->cert_file, &bad);
	q->t.key_file = dup_opt(t->key_file, &bad);
	q->t.url = NULL;
	httpq_where(t->url ? t->url : "", q->where, sizeof(q->where));
	q->max_bytes = max_bytes;
	if (bad || setup_curl(q)) {
		set_err(err, errlen, "%s: out of memory", t->name);
		goto fail;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cond, NULL);
	sink_signals_block(&old);
	e = pthread_create(&q->thread, NULL, writer, q);
	sink_signals_restore(&old);
	if (e) {
		set_err(err, errlen, "%s: cannot start the writer thread", t->name);
		pthread_mutex_destroy(&q->lock);
		pthread_cond_destroy(&q->cond);
		goto fail;
	}
	return q;
fail:
	if (q->curl)
		curl_easy_cleanup(q->curl);
	curl_slist_free_all(q->headers);
	free_target(&q->t);
	free(q);
	return NULL;
}

void httpq_push(struct xs_httpq *q, struct xs_http_batch *b)
{
	b->next = NULL;
	pthread_mutex_lock(&q->lock);
	/* Full: drop the oldest waiting batches (not the one being sent). */
	while (q->head && q->head->next && q->queued_bytes + b->len > q->max_bytes) {
		struct xs_http_batch *old = q->head->next;

		q->head->next = old->next;
		if (q->tail == old)
			q->tail = q->head;
		q->queued_bytes -= old->len;
		q->st.rows_dropped += old->rows;
		httpq_batch_free(old);
	}
	if (q->tail)
		q->tail->next = b;
	else
		q->head = b;
	q->tail = b;
	q->queued_bytes += b->len;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
}

void httpq_stats(struct xs_httpq *q, struct xs_httpq_stats *st)
{
	struct xs_http_batch *b;

	pthread_mutex_lock(&q->lock);
	*st = q->st;
	st->rows_pending = 0;
	for (b = q->head; b; b = b->next)
		st->rows_pending += b->rows;
	pthread_mutex_unlock(&q->lock);
}

uint64_t httpq_stop(struct xs_httpq *q, double wait_s)
{
	uint64_t before, lost;

	if (!q)
		return 0;
	pthread_mutex_lock(&q->lock);
	q->stop = 1;
	q->stop_at = mono();
	q->stop_by = q->stop_at + wait_s;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	before = q->st.rows_dropped;
	while (q->head)
		done_head(q, 0);
	lost = q->st.rows_dropped - before;
	if (q->st.rows_dropped)
		log_err("%s: %s: %llu rows could not be written", q->t.name, q->where,
			(unsigned long long)q->st.rows_dropped);
	curl_easy_cleanup(q->curl);
	curl_slist_free_all(q->headers);
	free_target(&q->t);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cond);
	free(q);
	return lost;
}
