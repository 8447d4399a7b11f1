// SPDX-License-Identifier: GPL-2.0
/*
 * The counter structs are flat arrays of __u64 (include/xdpscope.h pins
 * their layout), so every operation walks them word by word: a field added
 * to the ABI is summed and differenced without touching this file.
 */
#include <string.h>
#include "counters.h"

_Static_assert(sizeof(struct xs_counters) % sizeof(__u64) == 0, "xs_counters not all u64");
_Static_assert(sizeof(struct xs_global) % sizeof(__u64) == 0, "xs_global not all u64");

#define WORDS(type) (sizeof(type) / sizeof(__u64))

/* memcpy: a caller's stride need not keep the copies 8-byte aligned. */
static void sum_words(__u64 *out, size_t nwords, const void *percpu, int ncpus, size_t stride)
{
	const unsigned char *cpu = percpu;
	size_t i;
	int c;

	memset(out, 0, nwords * sizeof(*out));
	for (c = 0; c < ncpus; c++, cpu += stride) {
		for (i = 0; i < nwords; i++) {
			__u64 v;

			memcpy(&v, cpu + i * sizeof(v), sizeof(v));
			out[i] += v;
		}
	}
}

/* Unsigned subtraction is modulo 2^64: a wrapped counter gives its delta. */
static void delta_words(__u64 *d, const __u64 *cur, const __u64 *prev, size_t nwords)
{
	size_t i;

	for (i = 0; i < nwords; i++)
		d[i] = cur[i] - prev[i];
}

/* storm and share are the program's own bookkeeping, not counters: 0 here. */
void counters_sum(struct xs_counters *out, const void *percpu, int ncpus, size_t stride)
{
	sum_words((__u64 *)out, WORDS(*out), percpu, ncpus, stride);
	out->storm = 0;
	out->share = 0;
}

void global_sum(struct xs_global *out, const void *percpu, int ncpus, size_t stride)
{
	sum_words((__u64 *)out, WORDS(*out), percpu, ncpus, stride);
}

void counters_delta(struct xs_counters *d, const struct xs_counters *cur,
		    const struct xs_counters *prev)
{
	delta_words((__u64 *)d, (const __u64 *)cur, (const __u64 *)prev, WORDS(*d));
}

void global_delta(struct xs_global *d, const struct xs_global *cur,
		  const struct xs_global *prev)
{
	delta_words((__u64 *)d, (const __u64 *)cur, (const __u64 *)prev, WORDS(*d));
}

void counters_reset_prev(struct xs_counters *prev)
{
	memset(prev, 0, sizeof(*prev));
}

uint64_t counters_pkts(const struct xs_counters *c)
{
	const struct xs_class *cl = &c->tcp;
	uint64_t n = 0;
	int i;

	for (i = 0; i < XS_L4_MAX; i++)
		n += cl[i].pkts;
	return n;
}

uint64_t counters_bytes(const struct xs_counters *c)
{
	const struct xs_class *cl = &c->tcp;
	uint64_t n = 0;
	int i;

	for (i = 0; i < XS_L4_MAX; i++)
		n += cl[i].bytes;
	return n;
}
