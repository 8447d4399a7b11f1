/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drain: read the counter maps (range_ctrs in place, through the loader's
 * mapping), merge the CPUs, and keep the previous totals so the caller
 * gets interval deltas.
 */
#ifndef XS_DRAIN_H
#define XS_DRAIN_H

#include <stdint.h>
#include "xdpscope.h"

struct xs_drain {
	const struct xs_counters *ctrs;	/* range_ctrs: ncpus * nslots, CPU by CPU */
	int global_fd;
	int ncpus;
	uint32_t nslots;
	struct xs_counters *cur;	/* merged cumulative totals, per slot */
	struct xs_counters *prev;
	struct xs_counters *base;	/* added to what the maps hold (drain_carry) */
	uint64_t *seen;			/* packets the map held at the last sum, per slot */
	uint32_t *moved;		/* slots whose cur is not their prev, nmoved */
	uint32_t nmoved;
	uint8_t *marked;		/* per slot: in moved */
	struct xs_global gcur, gprev, gbase;
};

int drain_init(struct xs_drain *d, const struct xs_counters *ctrs, int global_fd,
	       uint32_t nslots, int ncpus);
/* Read the maps into cur (prev keeps the last read). 0 or -errno. */
int drain_read(struct xs_drain *d);
/* Between reads: has slot's packet count moved since the last read (or,
 * with *seen, since the last peek that saw it)? Then 1, and delta is what
 * it counted since the interval began (the maps now, over prev). */
int drain_peek(const struct xs_drain *d, uint32_t slot, uint64_t *seen,
	       struct xs_counters *delta);
/* After the records of an interval were made: cur becomes prev. */
void drain_commit(struct xs_drain *d);
void drain_free(struct xs_drain *d);

/* A reload put new maps in place of `from`'s (loader_replace): slot
 * to_slot of `to` goes on from from_slot's totals, so its next delta
 * holds what both maps counted since the last report, and its totals
 * since start have no jump. from must have read its maps after the old
 * programs stopped. */
void drain_carry(struct xs_drain *to, uint32_t to_slot, const struct xs_drain *from,
		 uint32_t from_slot);
/* The same for the whole-program counters. */
void drain_carry_global(struct xs_drain *to, const struct xs_drain *from);

#endif /* XS_DRAIN_H */
