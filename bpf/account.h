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

/* Facts of a parsed IP packet, computed once and applied to 1 or 2 slots.
 * tcp_flags is 0 unless the TCP header was whole. */
struct xs_acct {
	__u64 len;
	__u32 l4class;
	__u32 size_bucket;
	__u32 frag;
	__u32 tcp_flags;
};

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

/* A global function, verified once; returns -1 when the slot is missing
 * (the caller counts it). */
__noinline int account_slot(__u32 slot, const struct xs_acct *a)
{
	struct xs_counters *c = bpf_map_lookup_elem(&range_ctrs, &slot);
	struct xs_class *cls;
	__u32 syn_ack, f;

	if (!c || !a)
		return -1;
	f = a->tcp_flags;
	syn_ack = f & (TCPF_SYN | TCPF_ACK);
	cls = &c->tcp + (a->l4class & 3);
	cls->pkts++;
	cls->bytes += a->len;
	c->syn += syn_ack == TCPF_SYN;
	c->synack += syn_ack == (TCPF_SYN | TCPF_ACK);
	c->rst += !!(f & TCPF_RST);
	c->fin += !!(f & TCPF_FIN);
	c->frags += a->frag;
	if (a->size_bucket < XS_SIZE_MAX)
		(&c->le64)[a->size_bucket]++;
	return 0;
}

#endif /* XS_ACCOUNT_H */
