// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "skread.h"

void skread_layout(struct xs_sk_layout *l, const struct xs_stats_cfg *st, uint32_t nslots)
{
	int d;

	memset(l, 0, sizeof(*l));
	for (d = 0; d < XS_DIM_MAX; d++)
		l->dim_pos[d] = -1;
	if (!st->enabled)
		return;
	l->nslots = nslots;
	l->pages = config_pages(st, nslots);
	l->hll_p = st->hll_precision;
	l->buckets = st->top_buckets;
	l->stage_sets = st->stage_sets;
	l->flows = st->flows;
	l->storm_flows = st->storm_flows;
	l->storm_sample = st->storm_sample;
	l->top_k = st->top_k;
	l->export_sketches = st->export_sketches;
	for (d = 0; d < XS_DIM_MAX; d++)
		if (st->dims & (1U << d))
			l->dim_pos[d] = l->ndims++;
}

size_t skread_slots_bytes(const struct xs_sk_layout *l)
{
	return (size_t)l->nslots * sizeof(struct xs_sk_slot);
}

size_t skread_lite_bytes(const struct xs_sk_layout *l)
{
	return (size_t)l->nslots * l->ndims * sizeof(struct xs_top_bucket);
}

size_t skread_pages_bytes(const struct xs_sk_layout *l)
{
	return (size_t)l->pages * l->ndims * l->buckets * sizeof(struct xs_top_bucket);
}

size_t skread_regs_bytes(const struct xs_sk_layout *l)
{
	return (size_t)l->pages << l->hll_p;
}

int skread_init(struct xs_skread *r, const struct xs_sk_layout *l)
{
	int e;

	memset(r, 0, sizeof(*r));
	r->l = *l;
	e = hll_init(&r->hll, l->hll_p);
	if (e)
		return e;
	top_init(&r->agg);
	return 0;
}

void skread_free(struct xs_skread *r)
{
	hll_free(&r->hll);
	top_free(&r->agg);
	free(r->res.hll_b64);
	memset(r, 0, sizeof(*r));
}

/* The key a tag stands for, checked: a key written by the loser of two
 * racing inserts would name another element than its counts. The tag
 * also says whether ::ffff:a.b.c.d is IPv4 or IPv6 (key[16]). 0: torn. */
static int entry_key(const struct xs_top_ent *t, int dim, uint8_t key[XS_TOP_KEY_LEN])
{
	uint64_t hi, lo;

	memcpy(&hi, t->key, 8);
	memcpy(&lo, t->key + 8, 8);
	memcpy(key, t->key, 16);
	key[16] = 0;
	if ((dim == XS_DIM_DPORT || dim == XS_DIM_SPORT) && (hi > 0xffff || lo))
		return 0;
	if (t->tag == xs_stage_tag(hi, lo, dim))
		return 1;
	if (!xs_addr_mapped(hi, lo) || t->tag != xs_stage_tag(hi, lo, dim | XS_SD_V6MAPPED))
		return 0;
	key[16] = XS_KEY_V6MAPPED;
	return 1;
}

static int add_bucket(struct xs_skread *r, const struct xs_top_bucket *b, int dim)
{
	uint8_t key[XS_TOP_KEY_LEN];
	const struct xs_top_ent *t;
	int i, e;

	for (i = 0; i < XS_TOP_WAYS; i++) {
		t = &b->ent[i];
		if (!t->tag)
			continue;
		if (!entry_key(t, dim, key)) {
			r->res.torn++;
			continue;
		}
		e = top_add(&r->agg, t->tag, t->pkts, t->bytes, key);
		if (e)
			return e;
	}
	return 0;
}

/* The sort key: both families of a (slot, dimension) side by side. */
static uint32_t stage_key(const struct xs_top_stage *t)
{
	return t->slotdim & ~XS_SD_V6MAPPED;
}

/*
 * A stable LSD radix sort, 16 bits a pass, through tmp (n entries): an
 * interval stages tens of thousands of entries, which qsort sorted in a
 * fresh buffer (and page faults) every time. Without tmp, qsort.
 */
static int stage_cmp(const void *a, const void *b)
{
	uint32_t x = stage_key(a), y = stage_key(b);

	return x < y ? -1 : x > y;
}

void skread_sort_stage(struct xs_top_stage *st, size_t n, struct xs_top_stage *tmp)
{
	static size_t count[1U << 16];
	struct xs_top_stage *from = st, *to = tmp, *t;
	size_t i, sum, c;
	int pass;

	if (!tmp || n < 256) {
		qsort(st, n, sizeof(*st), stage_cmp);
		return;
	}
	for (pass = 0; pass < 2; pass++) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(stage_key(&from[i]) >> (16 * pass)) & 0xffff]++;
		for (i = 0, sum = 0; i < (1U << 16); i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			to[count[(stage_key(&from[i]) >> (16 * pass)) & 0xffff]++] = from[i];
		t = from;
		from = to;
		to = t;
	}
	/* Two passes: the result is back in st. */
}

/* The staged entries of (slot, dim): first index, then count in *n. */
static size_t stage_find(const struct xs_sk_epoch *ep, uint32_t slot, uint32_t dim, size_t *n)
{
	uint32_t sd = XS_SD(slot, dim);
	size_t lo = 0, hi = ep->nstage, first;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((ep->stage[mid].slotdim & ~XS_SD_V6MAPPED) < sd)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	while (lo < ep->nstage && (ep->stage[lo].slotdim & ~XS_SD_V6MAPPED) == sd)
		lo++;
	*n = lo - first;
	return first;
}

static int read_top(struct xs_skread *r, const struct xs_sk_epoch *ep, uint32_t slot,
		    uint64_t page, int dim)
{
	const struct xs_sk_layout *l = &r->l;
	uint32_t pos = l->dim_pos[dim], b;
	uint8_t key[XS_TOP_KEY_LEN];
	size_t base, i, n;
	int e = 0;

	top_clear(&r->agg);
	base = stage_find(ep, slot, dim, &n);
	for (i = base; i < base + n && !e; i++) {
		const struct xs_top_stage *s = &ep->stage[i];

		memcpy(key, &s->khi, 8);
		memcpy(key + 8, &s->klo, 8);
		key[16] = s->slotdim & XS_SD_V6MAPPED ? XS_KEY_V6MAPPED : 0;
		e = top_add(&r->agg, xs_stage_tag(s->khi, s->klo, s->slotdim), s->pkts, s->bytes,
			    key);
	}
	if (!e)
		e = add_bucket(r, &ep->lite[(size_t)slot * l->ndims + pos], dim);
	if (!e && page) {
		base = ((size_t)(page - 1) * l->ndims + pos) * l->buckets;
		for (b = 0; b < l->buckets && !e; b++)
			e = add_bucket(r, &ep->pages[base + b], dim);
	}
	if (e)
		return e;
	r->res.ntop[dim] = top_sorted(&r->agg, r->res.top[dim], l->top_k);
	r->res.keys[dim] = r->agg.n;
	for (i = 0; i < r->agg.n; i++)
		r->res.total[dim] += r->agg.items[i].pkts;
	return 0;
}

int skread_slot(struct xs_skread *r, const struct xs_sk_epoch *ep, uint32_t slot)
{
	const struct xs_sk_layout *l = &r->l;
	const struct xs_sk_slot *s = &ep->slots[slot];
	struct xs_sk_result *res = &r->res;
	uint64_t page = s->page;
	int dim, e, i;

	free(res->hll_b64);
	memset(res, 0, sizeof(*res));
	if (page > l->pages)		/* not ours to read: a corrupt map */
		page = 0;
	res->uniq_lower_bound = (s->full & XS_SLOT_FULL) && !page;
	res->top_sampled = s->full & XS_SLOT_STORM ? l->storm_sample : 0;
	if (page)
		memcpy(r->hll.regs, ep->regs + ((size_t)(page - 1) << l->hll_p),
		       (size_t)1 << l->hll_p);
	else
		hll_clear(&r->hll);
	for (i = 0; i < XS_LITE_HASHES; i++) {
		res->lite[i] = s->hashes[i];
		if (s->hashes[i])
			hll_add_hash(&r->hll, s->hashes[i]);
	}
	res->regs = page ? r->hll.regs : NULL;
	res->uniq_src = page ? hll_count(&r->hll) :
			       hll_lite_count((const uint64_t *)s->hashes, XS_LITE_HASHES);
	if (l->export_sketches) {
		e = hll_export(&r->hll, &res->hll_b64);
		if (e)
			return e;
	}
	for (dim = 0; dim < XS_DIM_MAX; dim++) {
		if (l->dim_pos[dim] < 0)
			continue;
		e = read_top(r, ep, slot, page, dim);
		if (e)
			return e;
	}
	return 0;
}

/* Only the slots the epoch touched: a slot with anything in its top
 * buckets counted a source too (hashes[0], or a page, or full). Clearing
 * every lite bucket of 10,000 ranges was 13 MB of writes an interval. */
void skread_clear(const struct xs_sk_layout *l, struct xs_sk_epoch *e)
{
	uint64_t used = e->ctl->pages_used < l->pages ? e->ctl->pages_used : l->pages;
	size_t lite = (size_t)l->ndims * sizeof(struct xs_top_bucket);
	uint32_t i;

	for (i = 0; i < l->nslots; i++) {
		struct xs_sk_slot *s = &e->slots[i];

		if (!s->hashes[0] && !s->page && !s->full)
			continue;
		memset(s, 0, sizeof(*s));
		if (lite)
			memset((char *)e->lite + i * lite, 0, lite);
	}
	if (l->ndims)
		memset(e->pages, 0, used * l->ndims * l->buckets * sizeof(struct xs_top_bucket));
	memset(e->regs, 0, used << l->hll_p);
	memset(e->ctl, 0, sizeof(*e->ctl));
}

uint16_t skread_key_port(const uint8_t *key)
{
	uint16_t port;

	memcpy(&port, key, sizeof(port));
	return port;
}

const char *skread_key_str(int dim, const uint8_t *key, char *buf, size_t len)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (dim == XS_DIM_DPORT || dim == XS_DIM_SPORT)
		snprintf(buf, len, "%u", skread_key_port(key));
	else if (!memcmp(key, mapped, sizeof(mapped)) && key[16] != XS_KEY_V6MAPPED)
		inet_ntop(AF_INET, key + 12, buf, len);
	else
		inet_ntop(AF_INET6, key, buf, len);
	return buf;
}
