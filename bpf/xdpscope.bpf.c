// SPDX-License-Identifier: GPL-2.0
/*
 * xdpscope's BPF object: the XDP (ingress) and TC (egress) entry points.
 * Both hand the frame and the length to count to xs_handle(); the work is
 * in parse.h, classify.h, account.h and sketch.h. The verdict is always PASS/OK.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "xdpscope.h"
#include "maps.h"
#include "parse.h"
#include "classify.h"
#include "account.h"
#include "sketch.h"

char LICENSE[] SEC("license") = "GPL";

/* Bytes pulled into the linear area at TC when the headers are not there. */
#define XS_TC_PULL 256

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
		g->err_eth++;
		break;
	case XS_PARSE_VLAN:
		g->err_vlan++;
		break;
	case XS_PARSE_IPV4:
		g->err_ipv4++;
		break;
	case XS_PARSE_IPV6:
		g->err_ipv6++;
		break;
	default:
		g->err_ipv6_ext++;
		break;
	}
	g->malformed_pkts += segs;
	g->malformed_bytes += len;
}

/* The class of the packet and, where its header is whole, the TCP flags. */
static __always_inline void parse_l4(struct xs_cursor *c, struct xs_pkt *p,
				     int proto, struct xs_global *g, struct xs_acct *a)
{
	__u8 *tcp;

	switch (proto) {
	case IPPROTO_TCP:
		a->l4class = XS_L4_TCP;
		if (p->later_frag)
			return;
		tcp = c->pos;
		if (!l4_whole(c, p, sizeof(struct tcphdr)) || (tcp[12] >> 4) < 5) {
			g->err_tcp++;
			return;
		}
		a->tcp_flags = tcp[13];
		a->l4_hdr = (tcp[12] >> 4) * 4;
		goto ports;
	case IPPROTO_UDP:
		a->l4class = XS_L4_UDP;
		if (p->later_frag)
			return;
		if (!l4_whole(c, p, sizeof(struct udphdr))) {
			g->err_udp++;
			return;
		}
		a->l4_hdr = sizeof(struct udphdr);
		goto ports;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* ICMP in IPv6 or ICMPv6 in IPv4 is some other protocol. */
		if ((proto == IPPROTO_ICMP) != (p->family == 4)) {
			a->l4class = XS_L4_OTHER;
			return;
		}
		a->l4class = XS_L4_ICMP;
		if (!p->later_frag && !l4_whole(c, p, 4))
			g->err_icmp++;
		return;
	default:
		a->l4class = XS_L4_OTHER;
	}
	return;
ports:
	/* TCP and UDP both start with the source and destination ports. */
	tcp = c->pos;
	if ((void *)(tcp + 4) > c->data_end)
		return;
	a->sport = (__u16)tcp[0] << 8 | tcp[1];
	a->dport = (__u16)tcp[2] << 8 | tcp[3];
	a->has_ports = 1;
}

/* The sketch facts of a classified packet, then the sketches of its slots
 * (the same slots as the counters; no sketch for unmatched traffic). */
static __always_inline void sketch_pkt(const struct xs_pkt *p, const struct xs_acct *a,
				       __u32 src, __u32 dst, struct xs_global *g)
{
	struct xs_skf f;
	int r;

	/* The words are the address bytes as loaded on this (little-endian)
	 * machine, as userspace reads them back from the key bytes. */
	if (p->family == 4) {
		f.src_hi = 0;
		f.dst_hi = 0;
		f.src_lo = (__u64)p->saddr.v4 << 32 | 0xffff0000;
		f.dst_lo = (__u64)p->daddr.v4 << 32 | 0xffff0000;
		f.src_tag = xs_hash_addr(0, f.src_lo) | 1;
	} else {
		const __u32 *s6 = (const __u32 *)p->saddr.v6, *d6 = (const __u32 *)p->daddr.v6;

		f.src_hi = (__u64)s6[1] << 32 | s6[0];
		f.src_lo = (__u64)s6[3] << 32 | s6[2];
		f.dst_hi = (__u64)d6[1] << 32 | d6[0];
		f.dst_lo = (__u64)d6[3] << 32 | d6[2];
		f.src_tag = xs_hash_addr(f.src_hi, f.src_lo) | 1;
	}
	f.bytes = a->bytes;
	f.pkts = a->pkts;
	f.epoch = xs_epoch & 1;
	f.sport = a->sport;
	f.dport = a->dport;
	f.has_ports = a->has_ports;
	f.pad = 0;
	if (dst) {
		r = sketch_slot(dst * XS_DIR_MAX + XS_DIR_IN, &f);
		if (r < 0)
			g->lookup_fail++;
		else
			g->top_dropped += r;
	}
	if (src && src != dst) {
		r = sketch_slot(src * XS_DIR_MAX + XS_DIR_OUT, &f);
		if (r < 0)
			g->lookup_fail++;
		else
			g->top_dropped += r;
	}
}

static __always_inline void xs_handle(void *data, void *data_end, const struct xs_frame *f)
{
	struct xs_cursor c = { .pos = data, .data_end = data_end };
	struct xs_pkt p = {};
	struct xs_acct a = {};
	struct xs_global *g;
	__u32 zero = 0, src, dst;
	int proto;

	g = bpf_map_lookup_elem(&global_ctrs, &zero);
	if (!g)
		return;
	g->pkts += f->segs;

	proto = parse_ethhdr(&c);
	if (proto == ETH_P_IP)
		proto = parse_ipv4(&c, data, &p);
	else if (proto == ETH_P_IPV6)
		proto = parse_ipv6(&c, data, &p);
	else if (proto >= 0) {
		g->non_ip_pkts += f->segs;
		g->non_ip_bytes += f->len + f->tag_len;
		g->bytes += f->len + f->tag_len;
		return;
	}
	if (proto < 0) {
		count_error(g, -proto, f->len + f->tag_len, f->segs);
		return;
	}

	a.frag = p.frag;
	parse_l4(&c, &p, proto, g, &a);
	account_wire(&a, f, p.l4_off + a.l4_hdr);
	g->bytes += a.bytes;

	if (p.family == 4) {
		g->ipv4_pkts += a.pkts;
		src = classify_v4(p.saddr.v4);
		dst = classify_v4(p.daddr.v4);
	} else {
		g->ipv6_pkts += a.pkts;
		src = classify_v6_cached((struct xs_addr6 *)p.saddr.v6);
		dst = classify_v6_cached((struct xs_addr6 *)p.daddr.v6);
	}
	if (src == XS_LOOKUP_FAIL) {
		g->lookup_fail++;
		src = 0;
	}
	if (dst == XS_LOOKUP_FAIL) {
		g->lookup_fail++;
		dst = 0;
	}

	/* Traffic inside one range counts once, as `in`. */
	if (dst && account_slot(dst * XS_DIR_MAX + XS_DIR_IN, &a))
		g->lookup_fail++;
	if (src && src != dst && account_slot(src * XS_DIR_MAX + XS_DIR_OUT, &a))
		g->lookup_fail++;
	if (!src && !dst && account_slot(0, &a))
		g->lookup_fail++;
	if (sk_nslots && (src || dst))
		sketch_pkt(&p, &a, src, dst, g);
}

SEC("xdp.frags")
int xdpscope_xdp(struct xdp_md *ctx)
{
	struct xs_meta *meta = (void *)(long)ctx->data_meta;
	void *data = (void *)(long)ctx->data;
	struct xs_frame f = { .segs = 1 };

	if ((void *)(meta + 1) <= data && meta->magic == XS_META_MAGIC)
		f.len = meta->wire_len;
	else
		f.len = bpf_xdp_get_buff_len(ctx);
	xs_handle(data, (void *)(long)ctx->data_end, &f);
	return XDP_PASS;
}

SEC("tc")
int xdpscope_tc(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct xs_frame f = { .len = skb->len, .segs = 1 };
	__u32 want = skb->len < XS_TC_PULL ? skb->len : XS_TC_PULL;

	if (skb->cb[0] == XS_META_MAGIC && skb->cb[2] == (XS_META_MAGIC ^ skb->cb[1])) {
		f.len = skb->cb[1];
	} else {
		if (skb->gso_segs > 1) {
			f.segs = skb->gso_segs;
			f.gso_size = skb->gso_size;
		}
		if (skb->vlan_present)
			f.tag_len = 4;
	}
	/* Headers normally sit in the linear area; pull only when they don't
	 * (pulling a cloned skb copies its head). */
	if (data + (want & 0x1ff) > data_end) {
		bpf_skb_pull_data(skb, want);
		data = (void *)(long)skb->data;
		data_end = (void *)(long)skb->data_end;
	}
	xs_handle(data, data_end, &f);
	return TC_ACT_OK;
}
