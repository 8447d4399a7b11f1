/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet parsing: Ethernet, up to XS_VLAN_MAX 802.1Q/802.1ad tags, IPv4
 * (options, fragments), IPv6 (Hop-by-Hop, Routing, Fragment and
 * Destination Options headers, at most XS_IPV6_EXT_MAX of them), then the
 * fixed TCP/UDP/ICMP/ICMPv6 header. Classification is by the outermost IP
 * header: nothing behind it (tunnels, quoted headers in ICMP errors) is
 * looked at.
 *
 * Contract: every helper reads only after checking `ptr + size >
 * data_end`, advances the cursor past what it parsed and returns the next
 * protocol (host order) or a negative XS_PARSE_* code; parse_l4() returns
 * 0 or the code of a cut L4 header. Addresses are kept in network byte
 * order, ports in host order. The L4 header must be whole both in the
 * captured bytes (data_end) and inside the IP payload as the IP length
 * fields give it (not Ethernet padding). The helpers count nothing: the
 * caller hands the codes to account.h.
 */
#ifndef XS_PARSE_H
#define XS_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include "xdpscope.h"

#ifndef XS_VLAN_MAX
#define XS_VLAN_MAX 2
#endif
#ifndef XS_IPV6_EXT_MAX
#define XS_IPV6_EXT_MAX 8
#endif

enum xs_parse_err {
	XS_PARSE_ETH = 1,
	XS_PARSE_VLAN,
	XS_PARSE_VLAN_DEEP,
	XS_PARSE_IPV4,
	XS_PARSE_IPV6,
	XS_PARSE_IPV6_EXT,
	/* The L4 header is cut: the packet is still classified, by class. */
	XS_PARSE_TCP,
	XS_PARSE_UDP,
	XS_PARSE_ICMP,
};

struct xs_cursor {
	void *pos;
	void *data_end;
};

struct xs_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct xs_ipv6_opt_hdr {
	__u8 nexthdr;
	__u8 hdrlen;			/* 8-octet units, not counting the first */
};

struct xs_ipv6_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;		/* offset << 3 | M */
	__be32 id;
};

/* What the data path needs to know of one packet. tcp_flags is 0 unless
 * the TCP header was whole; l4_hdr is the length of a whole TCP/UDP header
 * (0 otherwise); ports are those of a whole TCP/UDP header. */
struct xs_pkt {
	union {
		__be32 v4;
		__u8 v6[16];
	} saddr, daddr;
	__u32 ip_end;			/* offset of the end of the IP payload */
	__u32 l4_off;			/* offset of the L4 header */
	__u16 sport;			/* host order, when has_ports */
	__u16 dport;
	__u8 family;			/* 4 or 6 */
	__u8 later_frag;		/* no L4 header in this packet */
	__u8 frag;			/* a fragment (IPv6 atomic ones are not) */
	__u8 l4class;			/* enum xs_l4 */
	__u8 tcp_flags;
	__u8 l4_hdr;
	__u8 has_ports;
};

static __always_inline int parse_ethhdr(struct xs_cursor *c)
{
	struct ethhdr *eth = c->pos;
	struct xs_vlan_hdr *vh;
	__u16 proto;
	int i;

	if ((void *)(eth + 1) > c->data_end)
		return -XS_PARSE_ETH;
	c->pos = eth + 1;
	proto = bpf_ntohs(eth->h_proto);

#pragma unroll
	for (i = 0; i < XS_VLAN_MAX; i++) {
		if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
			return proto;
		vh = c->pos;
		if ((void *)(vh + 1) > c->data_end)
			return -XS_PARSE_VLAN;
		c->pos = vh + 1;
		proto = bpf_ntohs(vh->proto);
	}
	if (proto == ETH_P_8021Q || proto == ETH_P_8021AD)
		return -XS_PARSE_VLAN_DEEP;
	return proto;
}

/*
 * The IP length fields bound the packet, 0 too (as the kernel's receive
 * path and tshark without its TSO guess read them): an IPv4 total length
 * below the header length is malformed, an IPv6 payload length of 0 holds
 * no extension or L4 header. gso: a GSO packet at TC egress, where a
 * length of 0 is one over 64 KiB (BIG TCP), whose payload runs to the end
 * of the frame; a Fragment header is still malformed there.
 */

/* IPv4: IHL >= 5 and the whole header (options too) captured, a total
 * length of at least the header. */
static __always_inline int parse_ipv4(struct xs_cursor *c, void *data, struct xs_pkt *p,
				      int gso)
{
	struct iphdr *iph = c->pos;
	__u32 hlen, tot, off;
	__u16 frag;

	if ((void *)(iph + 1) > c->data_end)
		return -XS_PARSE_IPV4;
	if (iph->version != 4 || iph->ihl < 5)
		return -XS_PARSE_IPV4;
	hlen = iph->ihl * 4;
	if (c->pos + hlen > c->data_end)
		return -XS_PARSE_IPV4;
	tot = bpf_ntohs(iph->tot_len);
	off = c->pos - data;
	if (tot == 0 && gso)
		p->ip_end = c->data_end - data;
	else if (tot < hlen)
		return -XS_PARSE_IPV4;
	else
		p->ip_end = off + tot;

	p->family = 4;
	p->saddr.v4 = iph->saddr;
	p->daddr.v4 = iph->daddr;
	frag = bpf_ntohs(iph->frag_off);
	p->later_frag = (frag & 0x1fff) != 0;
	p->frag = (frag & 0x3fff) != 0;
	c->pos += hlen;
	p->l4_off = off + hlen;
	return iph->protocol;
}

static __always_inline int ipv6_is_ext(__u8 nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	       nh == IPPROTO_FRAGMENT || nh == IPPROTO_DSTOPTS;
}

/* IPv6 and its extension chain, inside the payload length. The first
 * Fragment header decides: a later fragment (offset > 0) ends the chain,
 * its Next Header is the class; an atomic fragment (offset 0, M clear) is
 * a whole packet. */
static __always_inline int parse_ipv6(struct xs_cursor *c, void *data, struct xs_pkt *p,
				      int gso)
{
	struct ipv6hdr *ip6h = c->pos;
	struct xs_ipv6_opt_hdr *oh;
	struct xs_ipv6_frag_hdr *fh;
	__u32 plen, off;
	int seen_frag = 0;
	__u8 nh;
	int i;

	if ((void *)(ip6h + 1) > c->data_end)
		return -XS_PARSE_IPV6;
	if (ip6h->version != 6)
		return -XS_PARSE_IPV6;
	off = c->pos - data;
	plen = bpf_ntohs(ip6h->payload_len);
	p->ip_end = plen || !gso ? off + sizeof(*ip6h) + plen : (__u32)(c->data_end - data);
	p->family = 6;
	__builtin_memcpy(p->saddr.v6, &ip6h->saddr, 16);
	__builtin_memcpy(p->daddr.v6, &ip6h->daddr, 16);
	c->pos = ip6h + 1;
	nh = ip6h->nexthdr;

	for (i = 0; i < XS_IPV6_EXT_MAX; i++) {
		if (!ipv6_is_ext(nh))
			goto done;
		if (nh == IPPROTO_FRAGMENT) {
			fh = c->pos;
			if ((void *)(fh + 1) > c->data_end || !plen ||
			    c->pos + sizeof(*fh) - data > p->ip_end)
				return -XS_PARSE_IPV6_EXT;
			c->pos = fh + 1;
			nh = fh->nexthdr;
			if (!seen_frag) {
				__u16 fo = bpf_ntohs(fh->frag_off);

				seen_frag = 1;
				p->frag = (fo & 0xfff9) != 0;
				if (fo & 0xfff8) {
					p->later_frag = 1;
					goto done;
				}
			}
			continue;
		}
		oh = c->pos;
		if ((void *)(oh + 1) > c->data_end)
			return -XS_PARSE_IPV6_EXT;
		off = (oh->hdrlen + 1) * 8;
		if (c->pos + off > c->data_end || c->pos + off - data > p->ip_end)
			return -XS_PARSE_IPV6_EXT;
		nh = oh->nexthdr;
		c->pos += off;
	}
	if (ipv6_is_ext(nh))
		return -XS_PARSE_IPV6_EXT;
done:
	p->l4_off = c->pos - data;
	return nh;
}

/* Is the fixed L4 header of `size` bytes whole, in the capture and in the
 * IP payload? */
static __always_inline int l4_whole(struct xs_cursor *c, struct xs_pkt *p,
				    __u32 size)
{
	return c->pos + size <= c->data_end && p->l4_off + size <= p->ip_end;
}

/* The class of the packet and, where its header is whole, the TCP flags
 * and the ports. A later fragment has no L4 header: its class is the
 * protocol's, nothing else is read. */
static __always_inline int parse_l4(struct xs_cursor *c, struct xs_pkt *p, int proto)
{
	__u8 *tcp;

	switch (proto) {
	case IPPROTO_TCP:
		p->l4class = XS_L4_TCP;
		if (p->later_frag)
			return 0;
		tcp = c->pos;
		if (!l4_whole(c, p, sizeof(struct tcphdr)) || (tcp[12] >> 4) < 5)
			return -XS_PARSE_TCP;
		p->tcp_flags = tcp[13];
		p->l4_hdr = (tcp[12] >> 4) * 4;
		goto ports;
	case IPPROTO_UDP:
		p->l4class = XS_L4_UDP;
		if (p->later_frag)
			return 0;
		if (!l4_whole(c, p, sizeof(struct udphdr)))
			return -XS_PARSE_UDP;
		p->l4_hdr = sizeof(struct udphdr);
		goto ports;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* ICMP in IPv6 or ICMPv6 in IPv4 is some other protocol. */
		if ((proto == IPPROTO_ICMP) != (p->family == 4)) {
			p->l4class = XS_L4_OTHER;
			return 0;
		}
		p->l4class = XS_L4_ICMP;
		if (!p->later_frag && !l4_whole(c, p, 4))
			return -XS_PARSE_ICMP;
		return 0;
	default:
		p->l4class = XS_L4_OTHER;
	}
	return 0;
ports:
	/* TCP and UDP both start with the source and destination ports. */
	tcp = c->pos;
	if ((void *)(tcp + 4) > c->data_end)
		return 0;
	p->sport = (__u16)tcp[0] << 8 | tcp[1];
	p->dport = (__u16)tcp[2] << 8 | tcp[3];
	p->has_ports = 1;
	return 0;
}

#endif /* XS_PARSE_H */
