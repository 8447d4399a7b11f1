/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mitigation: the filters the XDP program checks first, before any
 * statistics (include/xdpscope.h, Mitigation; README "Mitigation").
 *
 * mitigate_match() is all a packet costs when no filter applies: with
 * mit_on clear (rodata) the verifier removes the call, and with no live
 * filter it reads one array element. A packet whose destination is under
 * a filter prefix costs an LPM lookup, the filters listed there, and for
 * a match the allow list and, for a rate limit, one compare-and-swap on
 * the filter's clock. mitigate_block() then applies the safety limit and
 * dry run to a packet the caller has classified, and counts the drop in
 * the range slots: before the caller counts the packet itself, because
 * the drain reads a slot only when its packets moved (user/drain.c).
 */
#ifndef XS_MITIGATE_H
#define XS_MITIGATE_H

#include "maps.h"
#include "parse.h"
#include "account.h"

const volatile __u32 mit_on = 0;		/* mitigation.enabled */
const volatile __u32 mit_dry = 0;		/* mitigation.dry_run */
const volatile __u32 mit_share_ppm = 1000000;	/* mitigation.max_share, per million */

/* A 16-byte trie key: IPv4 as ::ffff:a.b.c.d. */
static __always_inline void mit_key(struct xs_mit_key *k, __u8 family, const __u8 *addr)
{
	k->prefixlen = 128;
	if (family == 4) {
		__builtin_memset(k->addr, 0, 10);
		k->addr[10] = 0xff;
		k->addr[11] = 0xff;
		__builtin_memcpy(&k->addr[12], addr, 4);
	} else {
		__builtin_memcpy(k->addr, addr, 16);
	}
}

static __always_inline int mit_matches(const struct xs_mit_filter *f, const struct xs_acct *a,
				       __u64 now)
{
	if (!f->expires_ns || f->expires_ns <= now)
		return 0;
	if (f->proto != XS_MIT_ANY && f->proto != a->l4class)
		return 0;
	if ((f->flags & XS_MIT_F_SPORT) && (!a->has_ports || a->sport != f->sport))
		return 0;
	if ((f->flags & XS_MIT_F_SYN) &&
	    (a->l4class != XS_L4_TCP || (a->tcp_flags & (TCPF_SYN | TCPF_ACK)) != TCPF_SYN))
		return 0;
	return 1;
}

/* The rate limit (GCRA): a packet passes when the filter's clock is at
 * most XS_MIT_BURST_NS ahead of now, and moves it gap_ns on. Two tries at
 * the compare-and-swap; a packet that loses both to other CPUs is
 * dropped (they took the budget). */
static __always_inline int mit_admit(struct xs_mit_filter *f, __u64 now, __u32 pkts)
{
	__u64 tat, next, cost = f->gap_ns * pkts;
	int i;

#pragma unroll
	for (i = 0; i < 2; i++) {
		tat = *(volatile __u64 *)&f->tat_ns;
		if (tat > now + XS_MIT_BURST_NS)
			return 0;
		next = (tat > now ? tat : now) + cost;
		if (__sync_val_compare_and_swap(&f->tat_ns, tat, next) == tat)
			return 1;
	}
	return 0;
}

/* The filter slot + 1 that drops this packet, or 0: no filter matches
 * it, its source is allowed, or a rate limit lets it pass. */
__noinline int mitigate_match(const struct xs_pkt *p, const struct xs_acct *a)
{
	struct xs_mit_key k = {};
	struct xs_mit_filter *f = 0;
	struct xs_mit_stats *st;
	struct xs_mit_set *set;
	__u32 slot = 0, i;
	__u64 now;

	/* The caller has seen a live filter (mit_ctl). */
	if (!p || !a)
		return 0;
	mit_key(&k, p->family, p->daddr.v6);
	set = bpf_map_lookup_elem(&mit_dst, &k);
	if (!set)
		return 0;
	/* Expiry needs no better than a tick: the coarse clock (the same
	 * CLOCK_MONOTONIC, read without the clocksource) costs less. */
	now = bpf_ktime_get_coarse_ns();
	for (i = 0; i < XS_MIT_SET; i++) {
		slot = set->slot[i];
		if (!slot)
			return 0;
		slot--;
		f = bpf_map_lookup_elem(&mit_filters, &slot);
		if (f && mit_matches(f, a, now))
			break;
		f = 0;
	}
	if (!f)
		return 0;
	st = bpf_map_lookup_elem(&mit_stats, &slot);
	if (!st)
		return 0;
	st->match_pkts += a->pkts;
	st->match_bytes += a->bytes;
	mit_key(&k, p->family, p->saddr.v6);
	if (bpf_map_lookup_elem(&mit_allow, &k)) {
		st->allowed += a->pkts;
		return 0;
	}
	if (f->gap_ns && mit_admit(f, bpf_ktime_get_ns(), a->pkts))
		return 0;
	return slot + 1;
}

#define XS_MIT_BLK_MAX 0xffffffULL

/* The safety limit (include/xdpscope.h, Mitigation): may the slot drop
 * `pkts` more in this window without exceeding the share? */
static __always_inline int mit_share_ok(struct xs_counters *c, __u32 pkts)
{
	__u64 w = c->share, win = (bpf_ktime_get_coarse_ns() >> XS_MIT_WINDOW_SHIFT) & 0xff, blk;
	__u32 cum = c->tcp.pkts + c->udp.pkts + c->icmp.pkts + c->other.pkts, base, seen;

	if (w >> 56 != win) {
		base = cum;
		blk = 0;
	} else {
		base = w >> 24;
		blk = w & XS_MIT_BLK_MAX;
	}
	seen = cum - base + pkts;
	if ((blk + pkts) * 1000000 > (__u64)mit_share_ppm * seen) {
		c->share = win << 56 | (__u64)base << 24 | blk;
		return 0;
	}
	blk += pkts;
	if (blk > XS_MIT_BLK_MAX)
		blk = XS_MIT_BLK_MAX;
	c->share = win << 56 | (__u64)base << 24 | blk;
	return 1;
}

/* A packet filter `fslot` would drop, classified, `dslot` its main
 * range slot (the destination's `in`, else the source's `out`, else 0):
 * 1 to drop it; 0 to pass it, spared by the safety limit or counted as
 * a dry run's. */
static __always_inline int mitigate_block(__u32 fslot, __u32 dslot, const struct xs_acct *a)
{
	struct xs_mit_stats *st = bpf_map_lookup_elem(&mit_stats, &fslot);
	struct xs_counters *c = ctr_lookup(dslot);

	if (!st || !c)
		return 0;
	if (mit_share_ppm < 1000000 && !mit_share_ok(c, a->pkts)) {
		st->spared += a->pkts;
		return 0;
	}
	if (mit_dry) {
		st->dry_pkts += a->pkts;
		st->dry_bytes += a->bytes;
		return 0;
	}
	st->drop_pkts += a->pkts;
	st->drop_bytes += a->bytes;
	return 1;
}

/* A dropped packet's blocked counts, once the slot has counted it: the
 * drain reads a slot when its packets or blocked packets moved
 * (user/drain.c), and blocked never runs ahead of the packets. */
static __always_inline void mitigate_blocked(__u32 slot, const struct xs_acct *a)
{
	struct xs_counters *c = ctr_lookup(slot);

	if (c) {
		c->blocked_pkts += a->pkts;
		c->blocked_bytes += a->bytes;
	}
}

#endif /* XS_MITIGATE_H */
