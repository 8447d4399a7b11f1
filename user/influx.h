/* SPDX-License-Identifier: GPL-2.0 */
/*
 * InfluxDB line protocol (--influx URL, output.influx): every record the
 * daemon writes (range, alert, summary) also goes, as one line, to
 * InfluxDB: 1.x's /write?db= or 2.x's /api/v2/write?org=&bucket=, over
 * http:// or https://. The lines are made from the records themselves, so
 * the two carry the same values. Each interval's lines are one batch for
 * the HTTP writer thread (httpq.h): retried with backoff, waiting in a
 * buffer bounded in bytes, the oldest dropped (and counted) when it is
 * full. The drain loop never waits for the network. No libbpf.
 */
#ifndef XS_INFLUX_H
#define XS_INFLUX_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"

#define XS_INFLUX_BUFFER (64u << 20)	/* bytes of lines waiting, at most */
#define XS_INFLUX_DB "xdpscope"		/* 1.x: the database when none is named */

struct xs_textbuf;

/*
 * One record (its document, sink_record_doc) as line protocol, appended
 * to b:
 * measurement "xdpscope_<type>"; tags host, ifname, range, dir, rule,
 * state, attack; every other number or boolean (nested objects flattened
 * with '_': proto_tcp_pkts) and string as a field; arrays (top lists)
 * left out; timestamp "ts" in ns. 0, or -EINVAL for a line that is not a
 * record, -ENOMEM (then b holds what it held before).
 */
typedef struct json_t json_t;
int influx_line(const json_t *rec, struct xs_textbuf *b);

/*
 * Where the lines go: url (NULL: c->url) completed from c into *out
 * (malloc'd; NULL when there is no URL at all), and the version into
 * *version: c->version, else 2 when the path ends in /api/v2/write, else
 * 1. No path: /write (1.x) or /api/v2/write (2.x). The query gets what c
 * adds: db (1.x; XS_INFLUX_DB when neither names one), org and bucket
 * (2.x, required), and precision=ns (the records' timestamps; another
 * precision is refused). Keys of the other version, a key given both in
 * c and in the query, and 2.x without a token are refused.
 * 0, or -EINVAL with *key the key at fault ("url", "org", ...) and err
 * saying what was expected; -ENOMEM.
 */
int influx_url(const struct xs_influx_cfg *c, const char *url, char **out, int *version,
	       const char **key, char *err, size_t errlen);

struct xs_influx_stats {
	uint64_t lines_sent;
	uint64_t lines_dropped;		/* the buffer overflowed, or stop gave up */
	uint64_t posts_failed;		/* attempts, each retried */
	uint64_t lines_pending;
};

struct xs_influx;

/* Start the writer for c, with url (when not NULL: --influx) in place
 * of c->url. NULL with err ("--influx: ..." or "output.influx.KEY: ..."). */
struct xs_influx *influx_start(const struct xs_influx_cfg *c, const char *url, char *err,
			       size_t errlen);
/* "https://host:port", for messages. */
const char *influx_where(const struct xs_influx *x);
/* A record of the interval (its document). */
void influx_record(struct xs_influx *x, const json_t *rec);
/* The interval is complete: its lines go to the writer. Never blocks. */
void influx_flush(struct xs_influx *x);
void influx_stats(struct xs_influx *x, struct xs_influx_stats *st);
/* Give the writer up to wait_s to send what waits, then stop; what is
 * left is counted as dropped. */
uint64_t influx_stop(struct xs_influx *x, double wait_s);	/* lines given up */

#endif /* XS_INFLUX_H */
