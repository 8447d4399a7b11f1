/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sketches of one (range, direction) slot: distinct sources and top-K
 * candidates, in the epoch userspace marked active (include/xdpscope.h,
 * Sketches, for the layout and the two tiers). The maps are shared by all
 * CPUs, so every write that could meet another CPU's is atomic: counts are
 * atomic adds, taking a free entry or a register raise is a cmpxchg. A
 * cmpxchg that keeps losing gives up and counts the update in `races`.
 *
 * Sizes are rodata set by the loader: sk_nslots 0 turns sketches off, and
 * a dimension whose sk_dim_pos is negative is not tracked (the verifier
 * drops its code).
 */
#ifndef XS_SKETCH_H
#define XS_SKETCH_H

#include "maps.h"
#include "parse.h"
#include "account.h"

const volatile __u32 sk_nslots = 0;		/* slots of one epoch; 0: off */
const volatile __u32 sk_pages = 0;		/* pool pages of one epoch */
const volatile __u32 sk_hll_p = 14;		/* registers: 2^p a page */
const volatile __u32 sk_ndims = 0;		/* tracked dimensions */
const volatile __u32 sk_bucket_bits = 8;	/* top buckets a page and dimension: 2^bits */
const volatile __u32 sk_stage_bits = 13;	/* stage sets an epoch: 2^bits */
const volatile __s32 sk_dim_pos[XS_DIM_MAX] = { -1, -1, -1, -1, -1 };
const volatile __u32 sk_flow_bits = 0;		/* flows an epoch: 2^bits; 0: no cache */
const volatile __u32 sk_storm_flows = 0;	/* new flows before a storm; 0: never */
const volatile __u32 sk_storm_sample = 1;	/* a storm counts 1 packet in this, a power of 2 */

/* The epoch the program writes is xs_epoch & 1; userspace adds 1 at each
 * flip, so the whole value numbers the epochs (storms count by it). */
volatile __u32 xs_epoch = 0;

#define XS_CAS_TRIES 3

/* Leading zeros of a nonzero u64 (BPF has no clz instruction). */
static __always_inline __u32 clz64(__u64 w)
{
	__u32 n = 0;

	if (!(w >> 32)) {
		n += 32;
		w <<= 32;
	}
	if (!(w >> 48)) {
		n += 16;
		w <<= 16;
	}
	if (!(w >> 56)) {
		n += 8;
		w <<= 8;
	}
	if (!(w >> 60)) {
		n += 4;
		w <<= 4;
	}
	if (!(w >> 62)) {
		n += 2;
		w <<= 2;
	}
	if (!(w >> 63))
		n += 1;
	return n;
}

/* Leading zeros of a 4-bit value v: nibble v of the constant. */
#define XS_CLZ4(v) ((0x11112234ULL >> ((v) * 4)) & 0xf)

/* A HyperLogLog rank: leading zeros + 1 of w, the hash shifted left by
 * p, or 65 - p when w is 0. A top byte that is not 0 (255 times in 256)
 * takes a nibble lookup in a constant instead of clz64()'s six steps. */
static __always_inline __u64 hll_rank(__u64 w, __u32 p)
{
	__u64 x = w >> 56;

	if (x >> 4)
		return XS_CLZ4(x >> 4) + 1;
	if (x)
		return XS_CLZ4(x) + 5;
	return w ? clz64(w) + 1 : 65 - p;
}

/* Raise register (hash's top p bits) of a page to the hash's rank: a
 * monotone max, so a lost race can only leave a lower register, and the
 * cmpxchg retries until ours is in or a larger one is. */
static __always_inline void hll_add(__u32 page, __u64 h, const struct xs_skf *f)
{
	__u32 p = sk_hll_p & 31, reg, idx, sh, i;
	__u64 w = h << p, rank, v, nv, old;
	__u64 *word;

	reg = h >> (64 - p);
	rank = hll_rank(w, p);
	idx = (((f->epoch * sk_pages + page) << p) + reg) >> 3;
	word = bpf_map_lookup_elem(&hll_regs, &idx);
	if (!word)
		return;
	sh = (reg & 7) * 8;
	v = *word;
	for (i = 0; i < XS_CAS_TRIES; i++) {
		if (((v >> sh) & 0xff) >= rank)
			return;
		nv = (v & ~(0xffULL << sh)) | rank << sh;
		old = __sync_val_compare_and_swap(word, v, nv);
		if (old == v)
			return;
		v = old;
	}
	if (((v >> sh) & 0xff) < rank) {
		__u32 epoch = f->epoch;
		struct xs_sk_ctl *ctl = bpf_map_lookup_elem(&sk_ctl, &epoch);

		if (ctl)
			__sync_fetch_and_add(&ctl->races, 1);
	}
}

/* Lite distinct sources: 0 when h is (now) in the list, 1 when full. */
static __always_inline int lite_add(struct xs_sk_slot *s, __u64 h)
{
	__u64 old;
	int i;

#pragma unroll
	for (i = 0; i < XS_LITE_HASHES; i++)
		if (s->hashes[i] == h)
			return 0;
#pragma unroll
	for (i = 0; i < XS_LITE_HASHES; i++) {
		if (s->hashes[i])
			continue;
		old = __sync_val_compare_and_swap(&s->hashes[i], 0, h);
		if (!old || old == h)
			return 0;
	}
	return 1;
}

/* The slot's page + 1, taking one from the pool if it has none; 0 when
 * the pool is empty (the slot is flagged once). */
static __always_inline __u64 promote(struct xs_sk_slot *s, struct xs_sk_ctl *ctl)
{
	__u64 n, old;

	if (s->page)
		return s->page;
	if (s->full & XS_SLOT_FULL)
		return 0;
	n = __sync_fetch_and_add(&ctl->pages_used, 1);
	if (n >= sk_pages) {
		__sync_fetch_and_or(&s->full, XS_SLOT_FULL);
		__sync_fetch_and_add(&ctl->pool_empty, 1);
		return 0;
	}
	old = __sync_val_compare_and_swap(&s->page, 0, n + 1);
	return old ? old : n + 1;
}

/*
 * Add pkts/bytes of staged key c, whose tag is `tag`, in bucket b: to its
 * entry, else a free one, else (evict) the entry with the fewest packets,
 * whose counts it inherits (Space-Saving). Returns 1 when the bucket is
 * full and evict is 0. A key seen once does not evict (returns 2:
 * dropped): in a full bucket it would only hand its inherited count to
 * the next newcomer, and a spoofed flood would fill every list with such
 * guesses. A global function: verified once for both tiers.
 */
__noinline int top_update(struct xs_top_bucket *b, const struct xs_top_stage *c, __u64 tag,
			  int evict, struct xs_sk_ctl *ctl)
{
	struct xs_top_ent *e = 0, *min;
	__u64 old;
	int i;

	if (!b || !c || !ctl)
		return 0;

#pragma unroll
	for (i = 0; i < XS_TOP_WAYS; i++)
		if (b->ent[i].tag == tag) {
			e = &b->ent[i];
			goto add;
		}
#pragma unroll
	for (i = 0; i < XS_TOP_WAYS; i++) {
		if (b->ent[i].tag)
			continue;
		old = __sync_val_compare_and_swap(&b->ent[i].tag, 0, tag);
		if (old && old != tag)
			continue;
		e = &b->ent[i];
		if (!old)
			goto key;
		goto add;
	}
	if (!evict)
		return 1;
	if (c->pkts == 1)
		return 2;
	min = &b->ent[0];
#pragma unroll
	for (i = 1; i < XS_TOP_WAYS; i++)
		if (b->ent[i].pkts < min->pkts)
			min = &b->ent[i];
	old = min->tag;
	if (__sync_val_compare_and_swap(&min->tag, old, tag) != old) {
		__sync_fetch_and_add(&ctl->races, 1);
		return 0;
	}
	e = min;
key:
	*(__u64 *)&e->key[0] = c->khi;
	*(__u64 *)&e->key[8] = c->klo;
add:
	__sync_fetch_and_add(&e->pkts, c->pkts);
	__sync_fetch_and_add(&e->bytes, c->bytes);
	return 0;
}

/*
 * Move a staged count into the shared tiers of its slot: the lite bucket
 * while the slot has no page, else (taking one if the lite bucket is
 * full) the page's bucket for the key. With may_drop, a key seen once in
 * a slot with a page is dropped instead (returns 1: the caller counts it).
 * A global function, verified once.
 */
__noinline int sk_flush(const struct xs_top_stage *c, __u32 epoch, int may_drop)
{
	struct xs_top_bucket *b;
	struct xs_sk_slot *s;
	struct xs_sk_ctl *ctl;
	__u32 idx, key, pos, slot, dim;
	__u64 page, tag;
	__s32 p;

	if (!c)
		return -1;
	slot = XS_SD_SLOT(c->slotdim);
	dim = XS_SD_DIM(c->slotdim);
	p = sk_dim_pos[dim];
	if (slot >= sk_nslots || p < 0)
		return -1;
	pos = p;
	epoch &= 1;
	idx = epoch * sk_nslots + slot;
	s = bpf_map_lookup_elem(&sk_slots, &idx);
	ctl = bpf_map_lookup_elem(&sk_ctl, &epoch);
	if (!s || !ctl)
		return -1;
	page = s->page;
	if (page && c->pkts == 1 && may_drop)
		return 1;
	tag = xs_stage_tag(c->khi, c->klo, c->slotdim);
	if (!page) {
		key = idx * sk_ndims + pos;
		b = bpf_map_lookup_elem(&top_lite, &key);
		if (!b || !top_update(b, c, tag, 0, ctl))
			return 0;
		page = promote(s, ctl);
		if (!page)
			return 0;
	}
	key = ((((epoch * sk_pages + (__u32)page - 1) * sk_ndims + pos) << sk_bucket_bits) +
	       (((tag * 0x9E3779B97F4A7C15ULL) >> 32) & ((1U << sk_bucket_bits) - 1)));
	b = bpf_map_lookup_elem(&top_pages, &key);
	if (b && top_update(b, c, tag, 1, ctl) == 2)
		return 1;
	return 0;
}

/* An entry leaving the stage. A key seen once is moved like any other
 * until this CPU has moved XS_FLUSH_BUDGET of them in the epoch; then,
 * in this packet's slot with a page, it is dropped without a call.
 * Returns the packets dropped. */
static __always_inline int stage_out(const struct xs_top_stage *v, __u32 slot, __u64 page,
				     __u32 epoch, struct xs_sk_cpu *cpu)
{
	int may_drop = 0;

	if (v->pkts == 1) {
		if (cpu->flushed >= XS_FLUSH_BUDGET) {
			if (page && XS_SD_SLOT(v->slotdim) == slot)
				return 1;
			may_drop = 1;
		} else {
			cpu->flushed++;
		}
	}
	return sk_flush(v, epoch, may_drop) == 1;
}

#define XS_STAGE_HIT 2

/*
 * Add staged count c (key, slotdim, packets, bytes) to the CPU's stage
 * (include/xdpscope.h, Sketches). `slot` and `page` are those of the
 * packet being handled (page + 1, 0 for none). Returns the packets
 * dropped (0 or 1), or XS_STAGE_HIT when the key was in the stage
 * already. Inlined, like dim_add(): calls are dear here (each return goes
 * through the kernel's return thunk), and dim_add() as a global function
 * cost 20 ns a packet more on the spoofed flood (make bench).
 */
static __always_inline int stage_add(const struct xs_top_stage *c, __u32 slot, __u64 page,
				     __u32 epoch, struct xs_sk_cpu *cpu)
{
	struct xs_top_stage *e, *w0, *w1;
	struct xs_stage_chunk *chunk;
	__u32 key, idx, sd = c->slotdim;
	int dropped = 0;

	epoch &= 1;
	idx = xs_stage_set(c->khi, c->klo, sd, sk_stage_bits & 31);
	key = ((epoch << sk_stage_bits) + idx) / XS_STAGE_CHUNK;
	chunk = bpf_map_lookup_elem(&top_stage, &key);
	if (!chunk)
		return 0;
	w0 = &chunk->set[idx % XS_STAGE_CHUNK].way[0];
	w1 = &chunk->set[idx % XS_STAGE_CHUNK].way[1];
	if (w0->klo == c->klo && w0->khi == c->khi && w0->slotdim == sd) {
		e = w0;
		goto hit;
	}
	if (w1->klo == c->klo && w1->khi == c->khi && w1->slotdim == sd) {
		e = w1;
		goto hit;
	}
	/* A miss: the new key goes to way 0 (the newest). */
	if (w0->pkts) {
		if (w1->pkts && w0->pkts < w1->pkts) {
			dropped = stage_out(w0, slot, page, epoch, cpu);
		} else {
			if (w1->pkts)
				dropped = stage_out(w1, slot, page, epoch, cpu);
			*w1 = *w0;
		}
	}
	*w0 = *c;
	if (cpu->ndirty <= XS_DIRTY_MAX) {
		__u32 n = cpu->ndirty;

		if (n < XS_DIRTY_MAX)
			cpu->dirty[n] = idx;
		cpu->ndirty = n + 1;
	}
	return dropped;
hit:
	if (e->pkts >= (1U << 31)) {
		stage_out(e, slot, page, epoch, cpu);
		e->pkts = 0;
		e->bytes = 0;
	}
	e->pkts += c->pkts;
	e->bytes += c->bytes;
	return XS_STAGE_HIT;
}

/*
 * One dimension `dim` of one packet (c: its key, slotdim, packets and bytes,
 * the last two times the weight of a storm's sample), through the CPU's
 * last key of that dimension. The same key again (the victim or port 80
 * of a flood, a packet train) only adds to the last key's counts. Another
 * key goes to the stage and becomes the last key, with no counts of its
 * own yet; the last key's counts, if it has any, go to the stage first.
 * Returns as stage_add().
 */
static __always_inline int dim_add(const struct xs_top_stage *c, __u32 dim, __u32 slot,
				   __u64 page, __u32 epoch, struct xs_sk_cpu *cpu)
{
	struct xs_top_stage *l0 = &cpu->last[dim];
	int r = 0;

	if (l0->klo == c->klo && l0->khi == c->khi && l0->slotdim == c->slotdim &&
	    l0->pkts < (1U << 31)) {
		l0->pkts += c->pkts;
		l0->bytes += c->bytes;
		return XS_STAGE_HIT;
	}
	if (l0->pkts)
		r = stage_add(l0, slot, page, epoch, cpu) & 1;
	l0->khi = c->khi;
	l0->klo = c->klo;
	l0->slotdim = c->slotdim;
	l0->pkts = 0;
	l0->bytes = 0;
	return r + stage_add(c, slot, page, epoch, cpu);
}

/* The slot's lists are sampled in this epoch (a storm): once, the flag
 * the record reads (XS_SLOT_STORM). */
static __always_inline void mark_storm(struct xs_sk_slot *s)
{
	if (!(s->full & XS_SLOT_STORM))
		__sync_fetch_and_or(&s->full, XS_SLOT_STORM);
}

/* The source of f into the distinct count of slot s (page: its page + 1,
 * 0 for none): the exact tier, or the page's registers. 0, or -1 when a
 * lookup failed. */
static __always_inline int sk_distinct(struct xs_sk_slot *s, __u64 page, __u32 epoch,
				       const struct xs_skf *f)
{
	if (!page && lite_add(s, f->src_tag)) {
		struct xs_sk_ctl *ctl = bpf_map_lookup_elem(&sk_ctl, &epoch);

		if (!ctl)
			return -1;
		page = promote(s, ctl);
	}
	if (page)
		hll_add((__u32)page - 1, f->src_tag, f);
	return 0;
}

/*
 * A global function, verified once: the sketches of one slot, as f->mode
 * says. The source goes into the distinct count only when this CPU has
 * not staged it yet: a staged source was counted with its first packet
 * of the epoch. Returns the packets dropped from the stage
 * (xs_global.top_dropped), -1 when a map lookup failed.
 */
__noinline int sketch_slot(__u32 slot, const struct xs_skf *f)
{
	struct xs_top_stage c;
	struct xs_sk_slot *s;
	struct xs_sk_cpu *cpu;
	__u32 idx, epoch, mode, w;
	int dropped = 0, r = 0;
	__u64 page;

	if (!f)
		return -1;
	epoch = f->epoch & 1;
	idx = epoch * sk_nslots + slot;
	s = bpf_map_lookup_elem(&sk_slots, &idx);
	if (!s)
		return -1;
	page = s->page;
	mode = f->mode;
	if (mode == XS_SKM_STORM)
		mark_storm(s);
	if (mode == XS_SKM_NEW)
		goto distinct;
	cpu = bpf_map_lookup_elem(&sk_cpu, &epoch);
	if (!cpu)
		return -1;
	w = mode == XS_SKM_STORM ? f->weight : 1;
	c.bytes = f->bytes * w;
	c.pkts = f->pkts * w;
	if (sk_dim_pos[XS_DIM_SRC] >= 0) {
		c.khi = f->src_hi;
		c.klo = f->src_lo;
		c.slotdim = XS_SD(slot, XS_DIM_SRC) | f->src_sd;
		r = dim_add(&c, XS_DIM_SRC, slot, page, epoch, cpu);
		dropped += r & 1;
	}
	if (sk_dim_pos[XS_DIM_DST] >= 0) {
		c.khi = f->dst_hi;
		c.klo = f->dst_lo;
		c.slotdim = XS_SD(slot, XS_DIM_DST) | f->dst_sd;
		dropped += dim_add(&c, XS_DIM_DST, slot, page, epoch, cpu) & 1;
	}
	if (f->has_ports) {
		c.klo = 0;
		if (sk_dim_pos[XS_DIM_DPORT] >= 0) {
			c.khi = f->dport;
			c.slotdim = XS_SD(slot, XS_DIM_DPORT);
			dropped += dim_add(&c, XS_DIM_DPORT, slot, page, epoch, cpu) & 1;
		}
		if (sk_dim_pos[XS_DIM_SPORT] >= 0) {
			c.khi = f->sport;
			c.slotdim = XS_SD(slot, XS_DIM_SPORT);
			dropped += dim_add(&c, XS_DIM_SPORT, slot, page, epoch, cpu) & 1;
		}
	}
	/* A SYN's host in the range: the destination for `in`, the source
	 * for `out`. A flow's counts have no SYN (xs_handle() keeps SYNs out
	 * of the flow cache while this list is tracked). */
	if (f->syn && sk_dim_pos[XS_DIM_SYN] >= 0) {
		if (slot % XS_DIR_MAX == XS_DIR_OUT) {
			c.khi = f->src_hi;
			c.klo = f->src_lo;
			c.slotdim = XS_SD(slot, XS_DIM_SYN) | f->src_sd;
		} else {
			c.khi = f->dst_hi;
			c.klo = f->dst_lo;
			c.slotdim = XS_SD(slot, XS_DIM_SYN) | f->dst_sd;
		}
		dropped += dim_add(&c, XS_DIM_SYN, slot, page, epoch, cpu) & 1;
	}
	if (mode == XS_SKM_FLOW || r >= XS_STAGE_HIT)
		return dropped;
distinct:
	return sk_distinct(s, page, epoch, f) < 0 ? -1 : dropped;
}

/* The sketches of a packet's or flow's slots: `in` of dst, `out` of src
 * (traffic inside one range counts once, as `in`). Returns the packets
 * dropped, -1 when a lookup failed. */
static __always_inline int sketch_slots(__u32 src, __u32 dst, const struct xs_skf *f)
{
	int r = 0, d;

	if (dst) {
		d = sketch_slot(dst * XS_DIR_MAX + XS_DIR_IN, f);
		if (d < 0)
			return d;
		r += d;
	}
	if (src && src != dst) {
		d = sketch_slot(src * XS_DIR_MAX + XS_DIR_OUT, f);
		if (d < 0)
			return d;
		r += d;
	}
	return r;
}

/* A flow leaving the cache (replaced, or about to wrap): its counts into
 * every dimension of its ranges. A global function, verified once. */
__noinline int flow_flush(const struct xs_flow *e, __u32 epoch)
{
	__u32 one = 1;
	struct xs_skf *f = bpf_map_lookup_elem(&sk_scratch, &one);

	if (!e || !f)
		return -1;
	f->src_hi = e->src_hi;
	f->src_lo = e->src_lo;
	f->dst_hi = e->dst_hi;
	f->dst_lo = e->dst_lo;
	f->src_tag = 0;
	f->bytes = e->bytes;
	f->pkts = e->pkts;
	f->epoch = epoch;
	f->sport = e->ports >> 16;
	f->dport = e->ports & 0xffff;
	f->has_ports = e->kflags & XS_FLOW_PORTS;
	f->src_sd = e->kflags & XS_FLOW_SRC_MAPPED ? XS_SD_V6MAPPED : 0;
	f->dst_sd = e->kflags & XS_FLOW_DST_MAPPED ? XS_SD_V6MAPPED : 0;
	f->syn = 0;
	f->mode = XS_SKM_FLOW;
	return sketch_slots(e->src_range, e->dst_range, f);
}

static __always_inline __u32 flow_ports(const struct xs_skf *f)
{
	return f->has_ports ? f->sport << 16 | f->dport : 0;
}

static __always_inline __u32 flow_kflags(const struct xs_skf *f)
{
	return (f->has_ports ? XS_FLOW_PORTS : 0) | (f->src_sd ? XS_FLOW_SRC_MAPPED : 0) |
	       (f->dst_sd ? XS_FLOW_DST_MAPPED : 0);
}

static __always_inline int flow_is(const struct xs_flow *e, const struct xs_skf *f)
{
	return e->pkts && e->src_lo == f->src_lo && e->dst_lo == f->dst_lo &&
	       e->src_hi == f->src_hi && e->dst_hi == f->dst_hi && e->ports == flow_ports(f) &&
	       e->kflags == flow_kflags(f);
}

/* The flow cache entry of f's flow in this CPU's epoch, and whether it
 * holds that flow (*hit); else the entry it is to take: a free one of its
 * set of two, or the one with fewer packets. NULL without a cache, and
 * for a packet to the destination a storm sampled last on this CPU in
 * this epoch: its range takes no new flows, and a flood's packets would
 * only miss. */
static __always_inline struct xs_flow *flow_find(const struct xs_skf *f, int *hit)
{
	__u32 bits = sk_flow_bits & 31, idx, key;
	struct xs_flow_chunk *ch;
	struct xs_flow *e0, *e1;
	__u64 h;

	*hit = 0;
	if (!bits || (f->storm_seq == xs_epoch + 1 && f->storm_dst_lo == f->dst_lo &&
		      f->storm_dst_hi == f->dst_hi))
		return 0;
	h = (f->src_lo * 0x9E3779B97F4A7C15ULL) ^ (f->dst_lo * 0xC2B2AE3D27D4EB4FULL) ^
	    f->src_hi ^ (f->dst_hi * 0x165667B19E3779F9ULL) ^ flow_ports(f);
	idx = ((h * 0xff51afd7ed558ccdULL) >> (64 - bits)) & ~1U;
	key = ((f->epoch << bits) + idx) / XS_FLOW_CHUNK;
	ch = bpf_map_lookup_elem(&flow_cache, &key);
	if (!ch)
		return 0;
	e0 = &ch->f[idx % XS_FLOW_CHUNK];
	e1 = &ch->f[(idx + 1) % XS_FLOW_CHUNK];
	if (flow_is(e0, f)) {
		*hit = 1;
		return e0;
	}
	if (flow_is(e1, f)) {
		*hit = 1;
		return e1;
	}
	return e1->pkts < e0->pkts ? e1 : e0;
}

/* One more packet of a cached flow. Returns the packets dropped. */
static __always_inline int flow_hit(struct xs_flow *e, const struct xs_skf *f)
{
	int r = 0;

	if (e->pkts >= XS_FLOW_PKTS_MAX) {
		r = flow_flush(e, f->epoch);
		e->pkts = 0;
		e->bytes = 0;
	}
	e->pkts += f->pkts;
	e->bytes += f->bytes;
	return r;
}

/* Count a new flow of `slot` on this CPU in this epoch: 1 when the slot
 * is in a storm (include/xdpscope.h, the flow cache). */
static __always_inline int slot_storm(__u32 slot)
{
	__u64 seq = xs_epoch, v;
	struct xs_counters *c;

	if (!sk_storm_flows)
		return 0;
	c = ctr_lookup(slot);
	if (!c)
		return 0;
	v = c->storm;
	if (v >> 32 != seq)
		v = seq << 32;
	v++;
	c->storm = v;
	return (__u32)v > sk_storm_flows;
}

#define XS_MISS_TAKE (1 << 30)

/* A storm's packet not sampled: only the distinct count of the slot, and
 * the slot marked as sampled (sketch_slot() for the sampled one). No call:
 * this is most of a flood. */
static __always_inline int storm_distinct(__u32 slot, const struct xs_skf *f)
{
	__u32 epoch = f->epoch & 1, idx = epoch * sk_nslots + slot;
	struct xs_sk_slot *s = bpf_map_lookup_elem(&sk_slots, &idx);

	if (!s)
		return -1;
	mark_storm(s);
	return sk_distinct(s, s->page, epoch, f);
}

/* A storm's sample: sk_storm_sample for 1 packet in sk_storm_sample,
 * drawn independently for each (xorshift64 on the CPU's state), else 0.
 * A pattern in the traffic must not line up with the draws: a packet
 * counted through the last key (dim_add()) instead of the sample has to
 * be as likely sampled as any. */
static __always_inline __u32 storm_pick(struct xs_skf *f)
{
	__u32 w = sk_storm_sample;
	__u64 x = f->rng;

	if (!x)
		x = bpf_ktime_get_ns() | 1;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	f->rng = x;
	return ((x >> 32) & (w - 1)) ? 0 : w;
}

/* A missed packet's slot, whole (sketch_slot()), or in a storm as its
 * sample says. */
static __always_inline int miss_slot(__u32 slot, __u32 storm, struct xs_skf *f)
{
	f->mode = storm ? XS_SKM_STORM : XS_SKM_PKT;
	return storm && !f->weight ? storm_distinct(slot, f) : sketch_slot(slot, f);
}

/*
 * A packet that missed the flow cache (e: the entry its flow hashes to,
 * NULL without a cache or for a GSO skb). Out of a storm it is to take
 * the entry: returns XS_MISS_TAKE, and the caller moves the flow there to
 * the top lists (flow_flush()) before flow_take(); the call chain would
 * be over the BPF stack limit from here. In a storm of either range, or
 * without an entry, each slot takes the packet whole (sampled in a
 * storm). Returns the packets dropped, -1 when a lookup failed. A global
 * function.
 */
__noinline int sketch_miss(struct xs_flow *e, struct xs_skf *f, __u32 src, __u32 dst)
{
	__u32 storm_in = 0, storm_out = 0, out = src && src != dst;
	int r = 0, d;

	if (!f)
		return -1;
	if (dst)
		storm_in = slot_storm(dst * XS_DIR_MAX + XS_DIR_IN);
	if (out)
		storm_out = slot_storm(src * XS_DIR_MAX + XS_DIR_OUT);
	f->src_tag = f->src_sd ? xs_stage_tag(f->src_hi, f->src_lo, XS_DIM_SRC | XS_SD_V6MAPPED) :
				 xs_hash_addr(f->src_hi, f->src_lo) | 1;
	if (e && !storm_in && !storm_out)
		return XS_MISS_TAKE;
	if (storm_in || storm_out)
		f->weight = storm_pick(f);
	if (storm_in) {
		f->storm_dst_hi = f->dst_hi;
		f->storm_dst_lo = f->dst_lo;
		f->storm_seq = xs_epoch + 1;
	}
	if (dst) {
		d = miss_slot(dst * XS_DIR_MAX + XS_DIR_IN, storm_in, f);
		if (d < 0)
			return d;
		r += d;
	}
	if (out) {
		d = miss_slot(src * XS_DIR_MAX + XS_DIR_OUT, storm_out, f);
		if (d < 0)
			return d;
		r += d;
	}
	return r;
}

/* After sketch_miss() said XS_MISS_TAKE and e's flow moved out: the
 * packet's flow takes the entry, and its source is counted. */
static __always_inline int flow_take(struct xs_flow *e, struct xs_skf *f, __u32 src, __u32 dst)
{
	e->src_hi = f->src_hi;
	e->src_lo = f->src_lo;
	e->dst_hi = f->dst_hi;
	e->dst_lo = f->dst_lo;
	e->bytes = f->bytes;
	e->pkts = f->pkts;
	e->ports = flow_ports(f);
	e->src_range = src;
	e->dst_range = dst;
	e->kflags = flow_kflags(f);
	f->mode = XS_SKM_NEW;
	return sketch_slots(src, dst, f);
}

/* The sketch facts of a parsed packet (f->src_tag and whether a storm
 * samples it are left to the miss path). */
static __always_inline void sketch_facts(const struct xs_pkt *p, const struct xs_acct *a,
					 struct xs_skf *f)
{
	/* The words are the address bytes as loaded on this (little-endian)
	 * machine, as userspace reads them back from the key bytes. */
	if (p->family == 4) {
		f->src_hi = 0;
		f->dst_hi = 0;
		f->src_lo = (__u64)p->saddr.v4 << 32 | 0xffff0000;
		f->dst_lo = (__u64)p->daddr.v4 << 32 | 0xffff0000;
		f->src_sd = 0;
		f->dst_sd = 0;
	} else {
		const __u32 *s6 = (const __u32 *)p->saddr.v6, *d6 = (const __u32 *)p->daddr.v6;

		f->src_hi = (__u64)s6[1] << 32 | s6[0];
		f->src_lo = (__u64)s6[3] << 32 | s6[2];
		f->dst_hi = (__u64)d6[1] << 32 | d6[0];
		f->dst_lo = (__u64)d6[3] << 32 | d6[2];
		f->src_sd = xs_addr_mapped(f->src_hi, f->src_lo) ? XS_SD_V6MAPPED : 0;
		f->dst_sd = xs_addr_mapped(f->dst_hi, f->dst_lo) ? XS_SD_V6MAPPED : 0;
	}
	f->src_tag = 0;
	f->bytes = a->bytes;
	f->pkts = a->pkts;
	f->epoch = xs_epoch & 1;
	f->sport = a->sport;
	f->dport = a->dport;
	f->has_ports = a->has_ports;
	f->syn = sk_dim_pos[XS_DIM_SYN] >= 0 && a->l4class == XS_L4_TCP &&
		 (a->tcp_flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN;
	f->mode = XS_SKM_PKT;
}

#endif /* XS_SKETCH_H */
