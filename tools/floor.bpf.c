// SPDX-License-Identifier: GPL-2.0
/*
 * A floor for the live bench (tools/bench-live.sh, XS_LIVE_BARE=floor):
 * xdpscope's own parser (bpf/parse.h) and one per-CPU counter line, no
 * classification and no range slots. What any exact per-packet counter
 * pays on this machine before it knows a packet's range.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdpscope.h"
#include "parse.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xs_counters);
} floor_ctrs SEC(".maps");

SEC("xdp")
int xs_floor(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct xs_cursor c = { .pos = data, .data_end = data_end };
	struct xs_counters *k;
	struct xs_class *cls;
	struct xs_pkt p = {};
	__u32 zero = 0;
	int proto;

	proto = parse_ethhdr(&c);
	if (proto == ETH_P_IP)
		proto = parse_ipv4(&c, data, &p, 0);
	else if (proto == ETH_P_IPV6)
		proto = parse_ipv6(&c, data, &p, 0);
	else
		return XDP_PASS;
	if (proto < 0)
		return XDP_PASS;
	parse_l4(&c, &p, proto);
	k = bpf_map_lookup_elem(&floor_ctrs, &zero);
	if (!k)
		return XDP_PASS;
	cls = &k->tcp + (p.l4class & 3);
	cls->pkts++;
	cls->bytes += data_end - data;
	(&k->le64)[data_end - data > 512]++;
	return XDP_PASS;
}
