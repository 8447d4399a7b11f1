/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Merging per-CPU counter copies and deriving interval deltas. The kernel
 * keeps cumulative u64 counters; a delta is cur - prev in modulo-2^64
 * arithmetic, so a wrap gives the right delta and nothing goes backwards.
 * No libbpf: links into unit tests.
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

void counters_delta(struct xs_counters *d, const struct xs_counters *cur,
		    const struct xs_counters *prev);
void global_delta(struct xs_global *d, const struct xs_global *cur,
		  const struct xs_global *prev);

/* Totals over the four classes. */
uint64_t counters_pkts(const struct xs_counters *c);
uint64_t counters_bytes(const struct xs_counters *c);

#endif /* XS_COUNTERS_H */
