/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replay: the frames of a capture file (pcap or pcapng, through libpcap)
 * through the very BPF object `run` attaches, one BPF_PROG_TEST_RUN a
 * frame, binned by the capture's own timestamps into the same records.
 * Nothing is attached, no interface is touched.
 */
#ifndef XS_REPLAY_H
#define XS_REPLAY_H

#include "config.h"

struct xs_replay_opts {
	const char *path;		/* capture file; "-": standard input */
	const char *ifname;		/* "ifname" of the records; NULL: the file's
					 * basename ("stdin" for "-") */
	const char *host;		/* NULL: gethostname() */
	int egress;			/* run the TC program instead of XDP */
	int count_captured;		/* bytes = captured length, not wire length */
	unsigned int reorder_ms;	/* reorder window, capture time */
	int whole;			/* one interval for the whole capture */
	const char *const *sink_args;	/* the sinks' options (sink.h), by table index */
};

/* Replay o->path with the ranges and interval of cfg, records to
 * cfg->output_file (stdout if NULL). Returns an exit code (XS_EXIT_*). */
int replay_file(struct xs_config *cfg, const struct xs_replay_opts *o);

#endif /* XS_REPLAY_H */
