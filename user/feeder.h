/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The frame feeder, shared by every frame source that is not a live link
 * (a capture file today; sampled packets next): one frame and its
 * metadata through the XDP or TC program with BPF_PROG_TEST_RUN, and the
 * accounting of what the kernel's test runner refuses.
 *
 * The program counts the wire length but parses only the bytes given: the
 * wire length and the weight travel as metadata (XDP: struct xs_meta in
 * data_meta; TC: skb->cb[0..4], see xdpscope.h).
 *
 * Frames the runner refuses. It takes no frame under 14 bytes, and at TC
 * no IPv4/IPv6 frame shorter than the fixed IP header. What the program
 * does with those live is fixed (a cut Ethernet or IP header: malformed),
 * so the feeder counts them the same way, in `extra`, which the collector
 * adds to the drained counters. Anything else refused is counted in the
 * interval's `refused`, with one warning.
 */
#ifndef XS_FEEDER_H
#define XS_FEEDER_H

#include <stdint.h>
#include "emit.h"
#include "xdpscope.h"

/* Bytes a source leaves free before each frame, for the metadata. */
#define XS_FEED_HEADROOM sizeof(struct xs_meta)

struct xs_frame {
	unsigned char *buf;		/* XS_FEED_HEADROOM bytes, then the frame */
	uint32_t len;			/* frame bytes after the headroom */
	uint32_t wire_len;		/* what the program counts */
	/* Packets the frame stands for: 1 (0 is taken as 1), a sampled
	 * source's sampling rate; over XS_WEIGHT_MAX the feeder refuses the
	 * frame (EINVAL) before the program sees it. */
	uint32_t weight;
	unsigned long long rec;		/* the source's number for it, in messages */
	int late;			/* its time fell in an interval already
					 * reported: counted in the current one */
};

struct xs_feeder {
	int prog_fd;
	int tc;				/* the TC program (egress) */
	const char *name;		/* the source, in messages */
	struct xs_global extra;		/* cumulative: refused frames counted as the
					 * program would */
	struct xs_replay_stat st;	/* the interval's frames, late, refused */
	int warned_refused;
};

void feeder_init(struct xs_feeder *f, int prog_fd, int tc, const char *name);
/* One frame through the program. 0, or -errno when the runner failed
 * (told on stderr): the source cannot go on. */
int feeder_run(struct xs_feeder *f, struct xs_frame *fr);
/* The interval's accounting, and a new interval. */
void feeder_take(struct xs_feeder *f, struct xs_replay_stat *st);
/*
 * The calling thread on the CPU it runs on: every frame goes through the
 * program on that CPU, so the per-CPU sketch stage sees them in order,
 * whatever the scheduler does, and a source gives the same records every
 * time (top lists with ties included). A cpuset that refuses is no
 * error: only ties may differ.
 */
void feeder_pin_cpu(void);

#endif /* XS_FEEDER_H */
