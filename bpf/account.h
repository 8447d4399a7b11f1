/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Accounting: one packet into the per-CPU counters of a (range, direction)
 * slot and into the whole-program counters. Plain `+=`: the maps are
 * per-CPU, userspace sums the CPUs.
 */
#ifndef XS_ACCOUNT_H
#define XS_ACCOUNT_H

#include "maps.h"
#include "parse.h"

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_ACK 0x10

/*
 * What the hook knows of the frame: the length to count (wire length, or
 * the replay's original length), how many wire packets it is (a GSO skb at
 * TC: gso_segs of gso_size payload bytes each, headers repeated) and the
 * bytes of a VLAN tag the NIC inserts on transmit (not in the data), and
 * the packets a sampled frame stands for (`weight`, from the metadata:
 * 1 live, never 0; a weighted frame is one segment with no tag).
 */
struct xs_frame {
	__u64 len;
	__u32 segs;
	__u32 gso_size;
	__u32 tag_len;
	__u32 weight;
};

/* The metadata's weight as the program counts it: 1..XS_WEIGHT_MAX. */
static __always_inline __u32 frame_weight(__u32 w)
{
	if (!w)
		return 1;
	return w > XS_WEIGHT_MAX ? XS_WEIGHT_MAX : w;
}

/*
 * Facts of a parsed IP packet, computed once and applied to 1 or 2 slots.
 * A GSO skb at TC leaves as `pkts` wire packets: pkts - 1 full segments in
 * size bucket `bucket`, the last one in `last_bucket`. The L4 facts are
 * the parser's (struct xs_pkt).
 */
struct xs_acct {
	__u64 bytes;
	__u32 pkts;
	__u32 l4class;
	__u32 bucket;
	__u32 last_bucket;
	__u32 frag;
	__u32 tcp_flags;
	__u16 sport;			/* host order, when has_ports */
	__u16 dport;
	__u32 has_ports;		/* a whole TCP/UDP header */
	__u32 weight;			/* what each flag and fragment counts */
};

static __always_inline __u32 size_bucket(__u64 len);

/* A packet whose parsing stopped at err (enum xs_parse_err) before it had
 * a class: more than XS_VLAN_MAX tags is non-IP, anything else malformed.
 * Every count is of wire packets (a GSO skb is segs of them). */
static __always_inline void count_error(struct xs_global *g, int err, __u64 len, __u32 segs)
{
	g->bytes += len;
	switch (err) {
	case XS_PARSE_VLAN_DEEP:
		g->vlan_deep += segs;
		g->non_ip_pkts += segs;
		g->non_ip_bytes += len;
		return;
	case XS_PARSE_ETH:
		g->err_eth += segs;
		break;
	case XS_PARSE_VLAN:
		g->err_vlan += segs;
		break;
	case XS_PARSE_IPV4:
		g->err_ipv4 += segs;
		break;
	case XS_PARSE_IPV6:
		g->err_ipv6 += segs;
		break;
	default:
		g->err_ipv6_ext += segs;
		break;
	}
	g->malformed_pkts += segs;
	g->malformed_bytes += len;
}

/* A cut L4 header (parse_l4()): the packet is counted by class all the
 * same, `weight` times. */
static __always_inline void count_l4_error(struct xs_global *g, int err, __u32 weight)
{
	if (err == XS_PARSE_TCP)
		g->err_tcp += weight;
	else if (err == XS_PARSE_UDP)
		g->err_udp += weight;
	else if (err == XS_PARSE_ICMP)
		g->err_icmp += weight;
}

/* Wire packets, bytes and size buckets of a parsed IP frame, and its L4
 * facts. Every GSO segment repeats the headers up to the L4 payload. A
 * weighted frame is `weight` packets of its length, all in one bucket. */
static __always_inline void account_wire(struct xs_acct *a, const struct xs_frame *f,
					 const struct xs_pkt *p)
{
	__u32 hdr = p->l4_off + p->l4_hdr;
	__u64 payload, last;

	a->frag = p->frag;
	a->l4class = p->l4class;
	a->tcp_flags = p->tcp_flags;
	a->sport = p->sport;
	a->dport = p->dport;
	a->has_ports = p->has_ports;
	a->pkts = f->segs;
	a->weight = 1;
	if (f->weight > 1) {
		a->weight = f->weight;
		a->pkts = f->weight;
		a->bytes = f->len * f->weight;
		a->bucket = size_bucket(f->len);
		a->last_bucket = a->bucket;
		return;
	}
	if (f->segs <= 1) {
		a->pkts = 1;
		a->bytes = f->len + f->tag_len;
		a->last_bucket = size_bucket(a->bytes);
		return;
	}
	payload = f->len > hdr ? f->len - hdr : 0;
	last = (__u64)(f->segs - 1) * f->gso_size;
	last = payload > last ? payload - last : 0;
	a->bytes = (__u64)f->segs * (hdr + f->tag_len) + payload;
	a->bucket = size_bucket(hdr + f->tag_len + f->gso_size);
	a->last_bucket = size_bucket(hdr + f->tag_len + last);
}

static __always_inline __u32 size_bucket(__u64 len)
{
	if (len <= 64)
		return XS_SIZE_LE64;
	if (len <= 128)
		return XS_SIZE_LE128;
	if (len <= 256)
		return XS_SIZE_LE256;
	if (len <= 512)
		return XS_SIZE_LE512;
	if (len <= 1024)
		return XS_SIZE_LE1024;
	if (len <= 1518)
		return XS_SIZE_LE1518;
	return XS_SIZE_GT1518;
}

/* Counter slots of one CPU and the CPUs range_ctrs has room for (set by
 * the loader; include/xdpscope.h, struct xs_counters, for the layout). */
const volatile __u32 ctr_slots = 0;
const volatile __u32 ctr_cpus = 0;

/* This CPU's counters of a slot, NULL when out of the map. */
static __always_inline struct xs_counters *ctr_lookup(__u32 slot)
{
	__u32 cpu = bpf_get_smp_processor_id(), key;

	if (cpu >= ctr_cpus || slot >= ctr_slots)
		return 0;
	key = cpu * ctr_slots + slot;
	return bpf_map_lookup_elem(&range_ctrs, &key);
}

/* A global function, verified once; returns -1 when the slot is missing
 * (the caller counts it). The flag counters are written only when they
 * change: their cache line stays untouched by most packets. */
__noinline int account_slot(__u32 slot, const struct xs_acct *a)
{
	struct xs_counters *c = ctr_lookup(slot);
	__u32 syn_ack, f, w;
	struct xs_class *cls;

	if (!c || !a)
		return -1;
	cls = &c->tcp + (a->l4class & 3);
	cls->pkts += a->pkts;
	cls->bytes += a->bytes;
	if (a->last_bucket < XS_SIZE_MAX)
		(&c->le64)[a->last_bucket]++;
	if (a->pkts > 1 && a->bucket < XS_SIZE_MAX)
		(&c->le64)[a->bucket] += a->pkts - 1;
	w = a->weight;
	if (a->frag)
		c->frags += a->frag * w;
	f = a->tcp_flags;
	if (!(f & (TCPF_SYN | TCPF_RST | TCPF_FIN)))
		return 0;
	syn_ack = f & (TCPF_SYN | TCPF_ACK);
	if (syn_ack == TCPF_SYN)
		c->syn += w;
	else if (syn_ack == (TCPF_SYN | TCPF_ACK))
		c->synack += w;
	if (f & TCPF_RST)
		c->rst += w;
	if (f & TCPF_FIN)
		c->fin += w;
	return 0;
}

#endif /* XS_ACCOUNT_H */
