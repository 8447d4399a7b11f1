/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sFlow collector (`xdpscope collect --sflow`): datagrams from any
 * number of agents, decoded (sflow.h), their raw packet headers through
 * the shared frame feeder (feeder.h) with the frame length as the wire
 * length and the sampling rate as the weight, into the interval pipeline
 * of run (pipeline.h): the same ranges, rules, alerts, hooks and sinks.
 *
 * Health, per interval, in the summary's "sflow" object: datagrams,
 * samples, headers, per agent (datagrams, samples, samples lost to
 * sequence gaps, datagrams lost), malformed input by the decoder's
 * reasons, headers the program refused, agents not accepted, sampling
 * rates over XS_WEIGHT_MAX, the agents' interface counters, and the
 * per-view figures the config asks for (sflow.views).
 *
 * Views (sflow.views "agent" or "ifindex"): each view has a BPF object of
 * its own, loaded at its first sample, so its range records, alerts and
 * rule state are its own ("agent", and "ifindex", in every record); at
 * most the plan's views_max (collect.h: their kernel memory fits the
 * budget), the rest counted by the pipeline's own object as the view
 * "other" (agent "*"). One summary an interval, over every view.
 *
 * The socket loop (sflowin_run) is apart from the datagram path
 * (sflowin_datagram), which the benchmark drives without a socket.
 */
#ifndef XS_SFLOW_IN_H
#define XS_SFLOW_IN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "config.h"

struct xs_collect_opts {
	const char *listen;		/* "[ADDR:]PORT"; NULL: 6343 on IPv4 and IPv6 */
	const char *host;		/* NULL: gethostname() */
	unsigned long max_intervals;	/* stop after this many (0: never) */
	const char *const *sink_args;	/* the sinks' options (sink.h), by table index */
};

/* Parse "[ADDR:]PORT" ("6343", "198.18.0.1:6343", "[2001:db8::1]:6343",
 * "[::]:6343"): *family 0 for a bare port (both families). 0, or -EINVAL
 * with err. */
int sflowin_parse_listen(const char *s, int *family, uint8_t addr[16], uint16_t *port,
			 char *err, size_t errlen);

/* Run the collector until SIGINT/SIGTERM (or max_intervals). Returns an
 * exit code (XS_EXIT_*). */
int sflowin_run(struct xs_config *cfg, const struct xs_collect_opts *o);

/* The datagram path without a socket, for the benchmark. */
struct xs_sflowin;
struct xs_sflowin *sflowin_open(struct xs_config *cfg, const char *host,
				const char *const *sink_args, char *err, size_t errlen);
/* One datagram from `from` (its sender, for messages). 0, or -errno when
 * the feeder failed (the collector cannot go on). */
int sflowin_datagram(struct xs_sflowin *c, const uint8_t *buf, size_t len,
		     const struct sockaddr_storage *from);
/* The interval that ends now: records out. 0, or -1 when the pipeline
 * cannot go on. */
int sflowin_interval(struct xs_sflowin *c);
/* Headers fed to the program so far. */
uint64_t sflowin_headers(const struct xs_sflowin *c);
int sflowin_close(struct xs_sflowin *c, const char *reason);

#endif /* XS_SFLOW_IN_H */
