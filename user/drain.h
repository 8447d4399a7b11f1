/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drain: read the per-CPU counter maps in batches, merge the CPUs, and keep
 * the previous totals so the caller gets interval deltas.
 */
#ifndef XS_DRAIN_H
#define XS_DRAIN_H

#include <stdint.h>
#include "xdpscope.h"

struct xs_drain {
	int ctrs_fd;
	int global_fd;
	int ncpus;
	uint32_t nslots;
	size_t stride;			/* bytes of one CPU's copy */
	void *buf;			/* batch buffer: nslots * ncpus * stride */
	uint32_t *keys;
	struct xs_counters *cur;	/* merged cumulative totals, per slot */
	struct xs_counters *prev;
	struct xs_global gcur, gprev;
};

int drain_init(struct xs_drain *d, int ctrs_fd, int global_fd, uint32_t nslots, int ncpus);
/* Read the maps into cur (prev keeps the last read). 0 or -errno. */
int drain_read(struct xs_drain *d);
/* After the records of an interval were made: cur becomes prev. */
void drain_commit(struct xs_drain *d);
void drain_free(struct xs_drain *d);

#endif /* XS_DRAIN_H */
