// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "counters.h"
#include "drain.h"

/* Both structs are u64 counters only (include/xdpscope.h asserts sizes). */
static void add_u64s(void *dst, const void *src, size_t bytes)
{
	uint64_t *d = dst;
	const uint64_t *s = src;
	size_t i;

	for (i = 0; i < bytes / sizeof(uint64_t); i++)
		d[i] += s[i];
}

int drain_init(struct xs_drain *d, const struct xs_counters *ctrs, int global_fd,
	       uint32_t nslots, int ncpus)
{
	memset(d, 0, sizeof(*d));
	d->ctrs = ctrs;
	d->global_fd = global_fd;
	d->nslots = nslots;
	d->ncpus = ncpus;
	d->cur = calloc(nslots, sizeof(*d->cur));
	d->prev = calloc(nslots, sizeof(*d->prev));
	d->base = calloc(nslots, sizeof(*d->base));
	d->seen = calloc(nslots, sizeof(*d->seen));
	d->moved = calloc(nslots, sizeof(*d->moved));
	d->marked = calloc(nslots, sizeof(*d->marked));
	if (!d->cur || !d->prev || !d->base || !d->seen || !d->moved || !d->marked) {
		drain_free(d);
		return -ENOMEM;
	}
	return 0;
}

/* Slot i's cur differs from its prev now: drain_commit() copies it. */
static void mark(struct xs_drain *d, uint32_t i)
{
	if (d->marked[i])
		return;
	d->marked[i] = 1;
	d->moved[d->nmoved++] = i;
}

/* The packets and blocked packets of slot i the map holds now, over
 * every CPU: the program adds to blocked_pkts after the packet's class. */
static uint64_t map_pkts(const struct xs_drain *d, uint32_t i)
{
	const struct xs_counters *c = d->ctrs + i;
	uint64_t n = 0;
	int cpu;

	for (cpu = 0; cpu < d->ncpus; cpu++, c += d->nslots)
		n += c->tcp.pkts + c->udp.pkts + c->icmp.pkts + c->other.pkts + c->blocked_pkts;
	return n;
}

/*
 * The counters are read in place from the mapping (every CPU's copy of a
 * slot is nslots elements from the last). A slot whose packets did not
 * move since the last read is left as it is: every packet adds to its
 * class first, so nothing of a slot can change while its packets do not
 * (a packet in flight during the read is in the next one), except the
 * blocked count of a dropped one, added last and counted as a move too.
 * Only the slots that moved are summed, and listed for drain_commit().
 */
/*
 * The blocked counts of slot i, read before the rest of it: the program
 * adds them after the packet's class, so read first they never run ahead
 * of the packets read next (a record's blocked is at most its pkts); what
 * arrives between the two reads is in the next one.
 */
static void blocked_first(const struct xs_drain *d, uint32_t i, uint64_t *pkts, uint64_t *bytes)
{
	const struct xs_counters *c = d->ctrs + i;
	int cpu;

	*pkts = *bytes = 0;
	for (cpu = 0; cpu < d->ncpus; cpu++, c += d->nslots) {
		*pkts += __atomic_load_n(&c->blocked_pkts, __ATOMIC_RELAXED);
		*bytes += __atomic_load_n(&c->blocked_bytes, __ATOMIC_RELAXED);
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

int drain_read(struct xs_drain *d)
{
	size_t gstride = (sizeof(struct xs_global) + 7) & ~7UL;
	char gbuf[gstride * d->ncpus];
	uint64_t bp, bb;
	uint32_t zero = 0, i;

	for (i = 0; i < d->nslots; i++) {
		uint64_t n = map_pkts(d, i);

		if (n == d->seen[i])
			continue;
		d->seen[i] = n;
		blocked_first(d, i, &bp, &bb);
		counters_sum(&d->cur[i], d->ctrs + i, d->ncpus,
			     (size_t)d->nslots * sizeof(struct xs_counters));
		d->cur[i].blocked_pkts = bp;
		d->cur[i].blocked_bytes = bb;
		add_u64s(&d->cur[i], &d->base[i], sizeof(d->cur[i]));
		mark(d, i);
	}
	/* valgrind marks only one CPU's value of a per-CPU lookup as written. */
	memset(gbuf, 0, sizeof(gbuf));
	if (bpf_map_lookup_elem(d->global_fd, &zero, gbuf))
		return -errno;
	global_sum(&d->gcur, gbuf, d->ncpus, gstride);
	add_u64s(&d->gcur, &d->gbase, sizeof(d->gcur));
	return 0;
}

int drain_peek(const struct xs_drain *d, uint32_t slot, uint64_t *seen,
	       struct xs_counters *delta)
{
	struct xs_counters now;
	uint64_t n;

	if (slot >= d->nslots)
		return 0;
	n = map_pkts(d, slot);
	if (n == d->seen[slot] || n == *seen)
		return 0;
	*seen = n;
	counters_sum(&now, d->ctrs + slot, d->ncpus, (size_t)d->nslots * sizeof(struct xs_counters));
	add_u64s(&now, &d->base[slot], sizeof(now));
	counters_delta(delta, &now, &d->prev[slot]);
	return 1;
}

void drain_carry(struct xs_drain *to, uint32_t to_slot, const struct xs_drain *from,
		 uint32_t from_slot)
{
	if (to_slot >= to->nslots || from_slot >= from->nslots)
		return;
	to->base[to_slot] = from->cur[from_slot];
	to->cur[to_slot] = from->cur[from_slot];
	to->prev[to_slot] = from->prev[from_slot];
	mark(to, to_slot);
}

void drain_carry_global(struct xs_drain *to, const struct xs_drain *from)
{
	to->gbase = to->gcur = from->gcur;
	to->gprev = from->gprev;
}

void drain_commit(struct xs_drain *d)
{
	uint32_t k, i;

	for (k = 0; k < d->nmoved; k++) {
		i = d->moved[k];
		d->prev[i] = d->cur[i];
		d->marked[i] = 0;
	}
	d->nmoved = 0;
	d->gprev = d->gcur;
}

void drain_free(struct xs_drain *d)
{
	free(d->cur);
	free(d->prev);
	free(d->base);
	free(d->seen);
	free(d->moved);
	free(d->marked);
	memset(d, 0, sizeof(*d));
}
