/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A writer thread that POSTs batches to an HTTP(S) server (libcurl), for
 * the sinks that talk to a store (InfluxDB, ClickHouse). The drain loop
 * pushes a batch and goes on: it never waits for the network.
 *
 * Batches wait in a queue bounded in bytes; when a push would pass the
 * bound, the oldest waiting batches are dropped and their rows counted.
 * A failed POST is retried with backoff (0.5 s doubling to 10 s), in
 * order; the first failure of a streak is logged once, and the end of the
 * streak too.
 *
 * No duplicates on retry: a failure after the request went out (the
 * connection dropped, a timeout, a reply that is not HTTP) may hide a
 * batch the server stored. A batch that has a `check` is then not sent
 * again before the check (a POST of its own) answers with a count: above
 * 0, the batch was stored and counts as sent. A failure before anything
 * was sent (no connection) or an HTTP error status (the server refused
 * the batch) is retried as is. No libbpf.
 */
#ifndef XS_HTTPQ_H
#define XS_HTTPQ_H

#include <stddef.h>
#include <stdint.h>

/* Where to, and how to authenticate; strings are copied by httpq_start. */
struct xs_http_target {
	const char *name;		/* in messages: "clickhouse", "influx" */
	const char *url;		/* in messages, as scheme://host:port */
	const char *user, *password;	/* HTTP basic authentication (NULL: none) */
	const char *header;		/* one extra header, e.g. "Authorization: Token X" */
	const char *content_type;	/* of the bodies (NULL: libcurl's form type) */
	const char *ca_file;		/* TLS: CA bundle to trust (NULL: the system's) */
	const char *cert_file, *key_file;	/* TLS client certificate */
	int insecure;			/* TLS: do not verify the server */
	long timeout_ms;		/* a whole request (default 30 s) */
};

struct xs_http_batch {
	char *url;			/* the whole URL of the POST */
	char *body;
	size_t len;
	uint64_t rows;			/* what it holds, for the counters */
	char *check_url;		/* NULL: none (resending is harmless) */
	char *check_body;		/* answered with a decimal count */
	struct xs_http_batch *next;
};

struct xs_httpq_stats {
	uint64_t rows_sent;
	uint64_t rows_dropped;		/* the queue overflowed, or stop gave up */
	uint64_t posts_failed;		/* attempts that failed, each retried */
	uint64_t rows_pending;
	uint64_t batches_checked;	/* ambiguous failures the check resolved */
	uint64_t batches_found;		/* ... finding the batch stored */
};

struct xs_httpq;

/* Start the writer. NULL with err (out of memory, no thread). */
struct xs_httpq *httpq_start(const struct xs_http_target *t, size_t max_bytes, char *err,
			     size_t errlen);
/* Queue a batch (the queue owns it and its strings from here on, also
 * when it is dropped). Never blocks on the network. */
void httpq_push(struct xs_httpq *q, struct xs_http_batch *b);
void httpq_stats(struct xs_httpq *q, struct xs_httpq_stats *st);
/* Give the writer up to wait_s to send what waits (5 s of it at most
 * while the server keeps failing), then stop; what is left is counted as
 * dropped and logged. */
uint64_t httpq_stop(struct xs_httpq *q, double wait_s);	/* rows given up */

/* A batch of its own strings (strdup'd, body taken); NULL: ENOMEM (body
 * freed). */
struct xs_http_batch *httpq_batch(const char *url, char *body, size_t len, uint64_t rows,
				  const char *check_url, const char *check_body);
void httpq_batch_free(struct xs_http_batch *b);

/* The scheme, host and port of url ("https://h:8443"), for messages. */
void httpq_where(const char *url, char *buf, size_t len);

/* s percent-encoded (RFC 3986 unreserved kept), appended; -ENOMEM. */
struct xs_textbuf;
void httpq_escape(struct xs_textbuf *b, const char *s);

#endif /* XS_HTTPQ_H */
