/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Merging per-CPU counter copies and deriving interval deltas. The kernel
 * keeps cumulative u64 counters; a delta is cur - prev in modulo-2^64
 * arithmetic, so a wrap gives the right delta and nothing goes backwards.
 * No libbpf: links into unit tests.
 *
 * A delta cannot tell a wrap from a reset: cur < prev always reads as a
 * wrap (a real one takes decades at line rate; a reset can come with any
 * reload). So whoever changes what a slot counts re-baselines its prev:
 * when the kernel copy restarts from zero (map recreated, slot cleared for
 * a new or removed range), counters_reset_prev(), and the next delta is
 * the new cumulative count; when a slot passes to another range without
 * being cleared, prev = the reading at the handover, or the old range's
 * history lands in the new one.
 */
#ifndef XS_COUNTERS_H
#define XS_COUNTERS_H

#include <stddef.h>
#include <stdint.h>
#include "xdpscope.h"

/* Sum `ncpus` copies laid out `stride` bytes apart (libbpf per-CPU
 * values: the value size rounded up to 8). */
void counters_sum(struct xs_counters *out, const void *percpu, int ncpus, size_t stride);
void global_sum(struct xs_global *out, const void *percpu, int ncpus, size_t stride);

/* cur - prev per field; d may be cur or prev. */
void counters_delta(struct xs_counters *d, const struct xs_counters *cur,
		    const struct xs_counters *prev);
void global_delta(struct xs_global *d, const struct xs_global *cur,
		  const struct xs_global *prev);

/* Forget the previous reading of a slot whose counters restarted. */
void counters_reset_prev(struct xs_counters *prev);

/* Totals over the four classes. */
uint64_t counters_pkts(const struct xs_counters *c);
uint64_t counters_bytes(const struct xs_counters *c);

#endif /* XS_COUNTERS_H */
