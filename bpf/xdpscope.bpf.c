// SPDX-License-Identifier: GPL-2.0
/*
 * xdpscope's BPF object: the XDP (ingress) and TC (egress) entry points.
 * Both hand the frame and the length to count to xs_handle(), which
 * returns the verdict as an XDP action (XDP_PASS, or XDP_DROP for a
 * packet a mitigation filter drops at ingress; TC maps it to its own
 * action and never drops). The work is in parse.h, classify.h,
 * account.h, sketch.h and mitigate.h.
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
#include "mitigate.h"

char LICENSE[] SEC("license") = "GPL";

/* Bytes pulled into the linear area at TC when the headers are not there. */
#define XS_TC_PULL 256

/* A parsed packet's range ids, from the tries (0: none). */
static __always_inline void classify(const struct xs_pkt *p, struct xs_global *g, __u32 *src,
				     __u32 *dst)
{
	if (p->family == 4) {
		*src = classify_v4(p->saddr.v4);
		*dst = classify_v4(p->daddr.v4);
	} else {
		*src = classify_v6_cached((struct xs_addr6 *)p->saddr.v6);
		*dst = classify_v6_cached((struct xs_addr6 *)p->daddr.v6);
	}
	if (*src == XS_LOOKUP_FAIL) {
		g->lookup_fail++;
		*src = 0;
	}
	if (*dst == XS_LOOKUP_FAIL) {
		g->lookup_fail++;
		*dst = 0;
	}
}

/* A packet filter `fslot` matched (mitigate_match()): classified and,
 * unless the safety limit or a dry run passes it, counted in its ranges
 * and nothing else (no sketches). 1: drop it. A global function, so its
 * classification is verified once, beside the main one. */
__noinline int mitigate_drop(const struct xs_pkt *p, const struct xs_acct *a, __u32 fslot)
{
	struct xs_global *g;
	__u32 zero = 0, src, dst, dslot, sslot;

	g = bpf_map_lookup_elem(&global_ctrs, &zero);
	if (!g || !p || !a)
		return 0;
	classify(p, g, &src, &dst);
	dslot = dst ? dst * XS_DIR_MAX + XS_DIR_IN : src ? src * XS_DIR_MAX + XS_DIR_OUT : 0;
	sslot = dst && src && src != dst ? src * XS_DIR_MAX + XS_DIR_OUT : dslot;
	if (!mitigate_block(fslot, dslot, a))
		return 0;
	if (account_slot(dslot, a))
		g->lookup_fail++;
	mitigate_blocked(dslot, a);
	if (sslot != dslot) {
		if (account_slot(sslot, a))
			g->lookup_fail++;
		mitigate_blocked(sslot, a);
	}
	return 1;
}

static __always_inline int xs_handle(void *data, void *data_end, const struct xs_frame *f,
				     int ingress)
{
	struct xs_cursor c = { .pos = data, .data_end = data_end };
	struct xs_flow *fl = 0;
	struct xs_pkt p = {};
	struct xs_acct a = {};
	struct xs_skf *skf = 0;
	struct xs_global *g;
	__u32 zero = 0, src, dst, n = f->segs * f->weight;
	__u64 len = (f->len + f->tag_len) * f->weight;
	int proto, err, hit = 0, r;

	g = bpf_map_lookup_elem(&global_ctrs, &zero);
	if (!g)
		return XDP_PASS;
	g->pkts += n;

	proto = parse_ethhdr(&c);
	if (proto == ETH_P_IP)
		proto = parse_ipv4(&c, data, &p, f->segs > 1);
	else if (proto == ETH_P_IPV6)
		proto = parse_ipv6(&c, data, &p, f->segs > 1);
	else if (proto >= 0) {
		g->non_ip_pkts += n;
		g->non_ip_bytes += len;
		g->bytes += len;
		return XDP_PASS;
	}
	if (proto < 0) {
		count_error(g, -proto, len, n);
		return XDP_PASS;
	}

	err = parse_l4(&c, &p, proto);
	if (err)
		count_l4_error(g, -err, f->weight);
	account_wire(&a, f, &p);
	g->bytes += a.bytes;
	if (p.family == 4)
		g->ipv4_pkts += a.pkts;
	else
		g->ipv6_pkts += a.pkts;

	/* Mitigation first: a dropped flood costs the least it can. With no
	 * filter, one array read here and no call. */
	if (mit_on && ingress) {
		struct xs_mit_ctl *ctl = bpf_map_lookup_elem(&mit_ctl, &zero);

		r = ctl && ctl->nfilters ? mitigate_match(&p, &a) : 0;
		if (r && mitigate_drop(&p, &a, r - 1))
			return XDP_DROP;
	}

	/* With sketches, a packet of a cached flow needs no classification
	 * (include/xdpscope.h, the flow cache); a GSO skb skips the cache,
	 * and so does a SYN while its hosts are listed: it is counted on its
	 * own, so that a flow's counts have none. */
	if (sk_nslots) {
		skf = bpf_map_lookup_elem(&sk_scratch, &zero);
		if (skf) {
			sketch_facts(&p, &a, skf);
			if (a.pkts == 1 && !skf->syn)
				fl = flow_find(skf, &hit);
		}
	}
	if (fl && hit) {
		src = fl->src_range;
		dst = fl->dst_range;
	} else {
		classify(&p, g, &src, &dst);
	}

	/* Traffic inside one range counts once, as `in`. */
	if (dst && account_slot(dst * XS_DIR_MAX + XS_DIR_IN, &a))
		g->lookup_fail++;
	if (src && src != dst && account_slot(src * XS_DIR_MAX + XS_DIR_OUT, &a))
		g->lookup_fail++;
	if (!src && !dst && account_slot(0, &a))
		g->lookup_fail++;
	if (!skf || (!src && !dst))
		return XDP_PASS;
	if (fl && hit) {
		r = flow_hit(fl, skf);
	} else {
		r = sketch_miss(fl, skf, src, dst);
		if (r == XS_MISS_TAKE && fl) {
			r = fl->pkts ? flow_flush(fl, skf->epoch) : 0;
			if (r >= 0) {
				int d = flow_take(fl, skf, src, dst);

				r = d < 0 ? d : r + d;
			}
		}
	}
	if (r < 0)
		g->lookup_fail++;
	else
		g->top_dropped += r;
	return XDP_PASS;
}

SEC("xdp.frags")
int xdpscope_xdp(struct xdp_md *ctx)
{
	struct xs_meta *meta = (void *)(long)ctx->data_meta;
	void *data = (void *)(long)ctx->data;
	struct xs_frame f = { .segs = 1, .weight = 1 };

	if ((void *)(meta + 1) <= data && meta->magic == XS_META_MAGIC) {
		f.len = meta->wire_len;
		f.weight = frame_weight(meta->weight);
	} else {
		f.len = bpf_xdp_get_buff_len(ctx);
	}
	return xs_handle(data, (void *)(long)ctx->data_end, &f, 1);
}

SEC("tc")
int xdpscope_tc(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct xs_frame f = { .len = skb->len, .segs = 1, .weight = 1 };
	__u32 want = skb->len < XS_TC_PULL ? skb->len : XS_TC_PULL;

	if (skb->cb[0] == XS_META_MAGIC && skb->cb[2] == (XS_META_MAGIC ^ skb->cb[1])) {
		f.len = skb->cb[1];
		if (skb->cb[4] == (XS_META_MAGIC ^ skb->cb[3]))
			f.weight = frame_weight(skb->cb[3]);
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
	/* Egress never drops: mitigation is for what comes in. */
	xs_handle(data, data_end, &f, 0);
	return TC_ACT_OK;
}
