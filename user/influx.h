/* SPDX-License-Identifier: GPL-2.0 */
/*
 * InfluxDB line protocol (--influx URL): every record the daemon writes
 * (range, alert, summary) also goes, as one line, to an InfluxDB 1.x
 * /write endpoint. The lines are made from the records themselves, so the
 * two carry the same values. A writer thread posts each interval's batch;
 * a failed post is retried with backoff, and batches wait in a buffer
 * bounded in bytes, the oldest dropped (and counted) when it is full. The
 * drain loop never waits for the network. No libbpf.
 */
#ifndef XS_INFLUX_H
#define XS_INFLUX_H

#include <stddef.h>
#include <stdint.h>

#define XS_INFLUX_BUFFER (64u << 20)	/* bytes of lines waiting, at most */

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

struct xs_influx_stats {
	uint64_t lines_sent;
	uint64_t lines_dropped;		/* the buffer overflowed, or stop gave up */
	uint64_t posts_failed;		/* attempts, each retried */
	uint64_t lines_pending;
};

struct xs_influx;

/* "http://HOST[:PORT]/PATH[?QUERY]", e.g.
 * http://127.0.0.1:8086/write?db=xdpscope&precision=ns. NULL with err. */
struct xs_influx *influx_start(const char *url, size_t max_bytes, char *err, size_t errlen);
/* A record of the interval (its document). */
void influx_record(struct xs_influx *x, const json_t *rec);
/* The interval is complete: its lines go to the writer. Never blocks. */
void influx_flush(struct xs_influx *x);
void influx_stats(struct xs_influx *x, struct xs_influx_stats *st);
/* Give the writer up to wait_s to send what waits, then stop; what is
 * left is counted as dropped. */
void influx_stop(struct xs_influx *x, double wait_s);

#endif /* XS_INFLUX_H */
