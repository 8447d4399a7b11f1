// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "counters.h"
#include "drain.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524	/* kernel-internal, returned by some bpf() commands */
#endif

/* Both structs are u64 counters only (include/xdpscope.h asserts sizes). */
static void add_u64s(void *dst, const void *src, size_t bytes)
{
	uint64_t *d = dst;
	const uint64_t *s = src;
	size_t i;

	for (i = 0; i < bytes / sizeof(uint64_t); i++)
		d[i] += s[i];
}

int drain_init(struct xs_drain *d, int ctrs_fd, int global_fd, uint32_t nslots, int ncpus)
{
	uint32_t i;

	memset(d, 0, sizeof(*d));
	d->ctrs_fd = ctrs_fd;
	d->global_fd = global_fd;
	d->nslots = nslots;
	d->ncpus = ncpus;
	d->stride = (sizeof(struct xs_counters) + 7) & ~7UL;
	d->buf = calloc((size_t)nslots * ncpus, d->stride);
	d->keys = calloc(nslots, sizeof(*d->keys));
	d->cur = calloc(nslots, sizeof(*d->cur));
	d->prev = calloc(nslots, sizeof(*d->prev));
	d->base = calloc(nslots, sizeof(*d->base));
	if (!d->buf || !d->keys || !d->cur || !d->prev || !d->base) {
		drain_free(d);
		return -ENOMEM;
	}
	for (i = 0; i < nslots; i++)
		d->keys[i] = i;
	return 0;
}

/* Batched reads of the whole array; single lookups where batch ops are
 * missing (older kernels). */
static int read_ctrs(struct xs_drain *d)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t done = 0, in_tok = 0, out_tok = 0, count;
	size_t slot_bytes = (size_t)d->ncpus * d->stride;
	char *vals = d->buf;
	int e;

	while (done < d->nslots) {
		count = d->nslots - done;
		e = bpf_map_lookup_batch(d->ctrs_fd, done ? &in_tok : NULL, &out_tok,
					 d->keys + done, vals + done * slot_bytes, &count, &opts);
		if (e && errno != ENOENT) {
			if (!done && (errno == EINVAL || errno == EOPNOTSUPP || errno == ENOTSUPP))
				goto single;
			return -errno;
		}
		done += count;
		if (e || !count)
			break;
		in_tok = out_tok;
	}
	return done == d->nslots ? 0 : -EIO;
single:
	for (done = 0; done < d->nslots; done++)
		if (bpf_map_lookup_elem(d->ctrs_fd, &done, vals + done * slot_bytes))
			return -errno;
	return 0;
}

int drain_read(struct xs_drain *d)
{
	size_t gstride = (sizeof(struct xs_global) + 7) & ~7UL;
	char gbuf[gstride * d->ncpus];
	uint32_t zero = 0, i;
	int e;

	e = read_ctrs(d);
	if (e)
		return e;
	for (i = 0; i < d->nslots; i++) {
		counters_sum(&d->cur[i], (char *)d->buf + (size_t)i * d->ncpus * d->stride,
			     d->ncpus, d->stride);
		add_u64s(&d->cur[i], &d->base[i], sizeof(d->cur[i]));
	}
	/* valgrind marks only one CPU's value of a per-CPU lookup as written. */
	memset(gbuf, 0, sizeof(gbuf));
	if (bpf_map_lookup_elem(d->global_fd, &zero, gbuf))
		return -errno;
	global_sum(&d->gcur, gbuf, d->ncpus, gstride);
	add_u64s(&d->gcur, &d->gbase, sizeof(d->gcur));
	return 0;
}

void drain_carry(struct xs_drain *to, uint32_t to_slot, const struct xs_drain *from,
		 uint32_t from_slot)
{
	if (to_slot >= to->nslots || from_slot >= from->nslots)
		return;
	to->base[to_slot] = from->cur[from_slot];
	to->cur[to_slot] = from->cur[from_slot];
	to->prev[to_slot] = from->prev[from_slot];
}

void drain_carry_global(struct xs_drain *to, const struct xs_drain *from)
{
	to->gbase = to->gcur = from->gcur;
	to->gprev = from->gprev;
}

void drain_commit(struct xs_drain *d)
{
	memcpy(d->prev, d->cur, d->nslots * sizeof(*d->cur));
	d->gprev = d->gcur;
}

void drain_free(struct xs_drain *d)
{
	free(d->buf);
	free(d->keys);
	free(d->cur);
	free(d->prev);
	free(d->base);
	memset(d, 0, sizeof(*d));
}
