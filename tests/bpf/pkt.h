/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A frame builder for the BPF tests: appends Ethernet, VLAN, IPv4/IPv6
 * (options, extension headers, fragments), TCP/UDP/ICMP headers in wire
 * order into a flat buffer. Length fields of IP headers are patched by the
 * pkt_*_len() helpers after the payload is in, so a test can also write a
 * wrong one on purpose. Addresses are text (inet_pton); everything on the
 * wire is network byte order. Aborts the test on misuse (overflow, a bad
 * address in the test data).
 */
#ifndef XS_TEST_PKT_H
#define XS_TEST_PKT_H

#include <arpa/inet.h>
#include <check.h>
#include <stdint.h>
#include <string.h>

/* Larger than a page: XDP multi-buffer rows go past it. */
#define PKT_MAX 10000

#define ETHTYPE_IPV4 0x0800
#define ETHTYPE_IPV6 0x86dd
#define ETHTYPE_ARP 0x0806
#define ETHTYPE_LLDP 0x88cc
#define ETHTYPE_8021Q 0x8100
#define ETHTYPE_8021AD 0x88a8

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20
#define TH_ECE 0x40
#define TH_CWR 0x80

#define IP4_MF 0x2000
#define IP4_DF 0x4000

struct pkt {
	uint8_t b[PKT_MAX];
	size_t len;
};

/* n zeroed bytes at the end of the frame; returns their offset. */
static inline size_t pkt_room(struct pkt *p, size_t n)
{
	size_t off = p->len;

	ck_assert_msg(p->len + n <= PKT_MAX, "frame over %d bytes", PKT_MAX);
	memset(p->b + off, 0, n);
	p->len += n;
	return off;
}

static inline size_t pkt_put(struct pkt *p, const void *d, size_t n)
{
	size_t off = pkt_room(p, n);

	memcpy(p->b + off, d, n);
	return off;
}

static inline void pkt_be16(struct pkt *p, size_t off, uint16_t v)
{
	p->b[off] = v >> 8;
	p->b[off + 1] = v & 0xff;
}

static inline void pkt_be32(struct pkt *p, size_t off, uint32_t v)
{
	pkt_be16(p, off, v >> 16);
	pkt_be16(p, off + 2, v & 0xffff);
}

/* Payload bytes (a pattern, not zeros, so nothing parses by accident). */
static inline void pkt_payload(struct pkt *p, size_t n)
{
	size_t off = pkt_room(p, n), i;

	for (i = 0; i < n; i++)
		p->b[off + i] = 0xa0 + (i & 0x1f);
}

/* Zero padding up to `total` bytes, as a NIC pads a short frame. */
static inline void pkt_pad_to(struct pkt *p, size_t total)
{
	if (p->len < total)
		pkt_room(p, total - p->len);
}

static inline void pkt_cut(struct pkt *p, size_t total)
{
	ck_assert_msg(total <= p->len, "cut to %zu of a %zu-byte frame", total, p->len);
	p->len = total;
}

/* Ethernet: distinct source and destination MACs, `type` host order. */
static inline size_t pkt_eth(struct pkt *p, uint16_t type)
{
	static const uint8_t macs[12] = { 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01 };
	size_t off = pkt_put(p, macs, sizeof(macs));

	pkt_be16(p, pkt_room(p, 2), type);
	return off;
}

/* One VLAN tag's TCI and the EtherType after it (the tag's TPID is the
 * type written before it). */
static inline void pkt_vlan(struct pkt *p, uint16_t vid, uint16_t next)
{
	size_t off = pkt_room(p, 4);

	pkt_be16(p, off, vid & 0x0fff);
	pkt_be16(p, off + 2, next);
}

static inline void pkt_addr(int family, const char *s, uint8_t *out)
{
	ck_assert_msg(inet_pton(family == 6 ? AF_INET6 : AF_INET, s, out) == 1,
		      "bad IPv%d address in test data: %s", family, s);
}

static inline int pkt_family(const char *addr)
{
	return strchr(addr, ':') ? 6 : 4;
}

/* IPv4 header of ihl * 4 bytes (options are NOPs ending in EOL; an IHL
 * under 5 still gets 20 bytes); tot_len left 0 for pkt_ipv4_len().
 * Returns its offset. */
static inline size_t pkt_ipv4_ihl(struct pkt *p, const char *src, const char *dst,
				   uint8_t proto, unsigned int ihl)
{
	size_t n, off, i;

	ihl &= 0xf;
	n = ihl < 5 ? 20 : ihl * 4;
	off = pkt_room(p, n);

	p->b[off] = 0x40 | (ihl & 0xf);
	p->b[off + 1] = 0;			/* DSCP/ECN */
	pkt_be16(p, off + 4, 0x1234);		/* id */
	p->b[off + 8] = 64;			/* TTL */
	p->b[off + 9] = proto;
	pkt_addr(4, src, p->b + off + 12);
	pkt_addr(4, dst, p->b + off + 16);
	for (i = 20; i < n; i++)
		p->b[off + i] = i + 1 < n ? 1 : 0;
	return off;
}

static inline size_t pkt_ipv4(struct pkt *p, const char *src, const char *dst, uint8_t proto)
{
	return pkt_ipv4_ihl(p, src, dst, proto, 5);
}

static inline void pkt_ipv4_csum(struct pkt *p, size_t off)
{
	unsigned int n = (p->b[off] & 0xf) * 4, i;
	uint32_t sum = 0;

	if (n < 20 || off + n > p->len)
		return;
	p->b[off + 10] = p->b[off + 11] = 0;
	for (i = 0; i < n; i += 2)
		sum += (uint32_t)p->b[off + i] << 8 | p->b[off + i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	pkt_be16(p, off + 10, ~sum & 0xffff);
}

/* tot_len: from the header to the current end of the frame. */
static inline void pkt_ipv4_len(struct pkt *p, size_t off)
{
	pkt_be16(p, off + 2, p->len - off);
	pkt_ipv4_csum(p, off);
}

static inline void pkt_ipv4_set_len(struct pkt *p, size_t off, uint16_t tot)
{
	pkt_be16(p, off + 2, tot);
	pkt_ipv4_csum(p, off);
}

/* flags_off: IP4_MF/IP4_DF | offset in 8-byte units. */
static inline void pkt_ipv4_frag(struct pkt *p, size_t off, uint16_t flags_off)
{
	pkt_be16(p, off + 6, flags_off);
}

static inline size_t pkt_ipv6(struct pkt *p, const char *src, const char *dst, uint8_t nh)
{
	size_t off = pkt_room(p, 40);

	p->b[off] = 0x60;
	p->b[off + 3] = 0x42;			/* flow label */
	p->b[off + 6] = nh;
	p->b[off + 7] = 64;			/* hop limit */
	pkt_addr(6, src, p->b + off + 8);
	pkt_addr(6, dst, p->b + off + 24);
	return off;
}

/* payload_len: from after the fixed header to the end of the frame. */
static inline void pkt_ipv6_len(struct pkt *p, size_t off)
{
	pkt_be16(p, off + 4, p->len - off - 40);
}

static inline void pkt_ipv6_set_len(struct pkt *p, size_t off, uint16_t plen)
{
	pkt_be16(p, off + 4, plen);
}

/* A Hop-by-Hop, Routing or Destination Options header of (hdrlen + 1) * 8
 * bytes: Next Header, Hdr Ext Len, then one PadN option (a Routing header
 * reads it as type 1 with segments left 4; nothing here checks that). */
static inline size_t pkt_ipv6_opt(struct pkt *p, uint8_t nh, uint8_t hdrlen)
{
	size_t n = (hdrlen + 1) * 8;
	size_t off = pkt_room(p, n);

	p->b[off] = nh;
	p->b[off + 1] = hdrlen;
	p->b[off + 2] = 1;			/* PadN */
	p->b[off + 3] = n - 4;
	return off;
}

/* Fragment header: offset in 8-byte units, M flag. */
static inline size_t pkt_ipv6_frag(struct pkt *p, uint8_t nh, uint16_t offset, int more)
{
	size_t off = pkt_room(p, 8);

	p->b[off] = nh;
	pkt_be16(p, off + 2, (uint16_t)(offset << 3) | (more ? 1 : 0));
	pkt_be32(p, off + 4, 0xc0ffee01);
	return off;
}

/* TCP header with doff * 4 bytes (options: MSS then NOPs; a doff under 5
 * still gets 20 bytes). */
static inline size_t pkt_tcp_doff(struct pkt *p, uint16_t sport, uint16_t dport,
				  uint8_t flags, unsigned int doff)
{
	size_t n, off, i;

	doff &= 0xf;
	n = doff < 5 ? 20 : doff * 4;
	off = pkt_room(p, n);

	pkt_be16(p, off, sport);
	pkt_be16(p, off + 2, dport);
	pkt_be32(p, off + 4, 0x11223344);	/* seq */
	pkt_be32(p, off + 8, flags & TH_ACK ? 0x55667788 : 0);
	p->b[off + 12] = (doff & 0xf) << 4;
	p->b[off + 13] = flags;
	pkt_be16(p, off + 14, 64240);		/* window */
	if (n >= 24) {
		p->b[off + 20] = 2;		/* MSS 1460 */
		p->b[off + 21] = 4;
		pkt_be16(p, off + 22, 1460);
	}
	for (i = 24; i < n; i++)
		p->b[off + i] = 1;
	return off;
}

static inline size_t pkt_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags)
{
	return pkt_tcp_doff(p, sport, dport, flags, 5);
}

/* UDP header and `plen` payload bytes, length set. */
static inline size_t pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport, size_t plen)
{
	size_t off = pkt_room(p, 8);

	pkt_be16(p, off, sport);
	pkt_be16(p, off + 2, dport);
	pkt_be16(p, off + 4, 8 + plen);
	pkt_payload(p, plen);
	return off;
}

/* ICMP or ICMPv6 header (8 bytes: type, code, checksum, id/seq or unused). */
static inline size_t pkt_icmp(struct pkt *p, uint8_t type, uint8_t code)
{
	size_t off = pkt_room(p, 8);

	p->b[off] = type;
	p->b[off + 1] = code;
	pkt_be16(p, off + 4, 0x0abc);
	pkt_be16(p, off + 6, 1);
	return off;
}

#endif /* XS_TEST_PKT_H */
