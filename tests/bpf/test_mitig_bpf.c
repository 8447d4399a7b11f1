// SPDX-License-Identifier: GPL-2.0
/*
 * Mitigation under BPF_PROG_TEST_RUN (bpf/mitigate.h, user/mitigate.c):
 * filters added through the daemon's API, crafted frames, the verdict
 * and the exact counters each must give: the filter's hits, the range
 * slots' packets and blocked counts. Three objects: mitigation on, dry
 * run, and a safety limit of a half. Time enters only through filter
 * lifetimes and clocks set far from now, so no assertion depends on how
 * fast the machine runs. Needs root (or CAP_BPF and CAP_NET_ADMIN).
 */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdpscope.h"
#include "config.h"
#include "counters.h"
#include "drain.h"
#include "loader.h"
#include "mitigate.h"
#include "skread.h"
#include "trie.h"
#include "xdpscope.skel.h"
#include "pkt.h"

/* Range ids in this order, from 1. */
static const char *const ranges[] = {
	"198.18.0.0/24=victims", "198.18.1.0/24=other", "2001:db8:1::/48=v6",
	"198.18.50.0/24=srcnet", NULL
};
#define R_VICTIMS 1
#define R_OTHER 2
#define R_V6 3
#define R_SRCNET 4

#define SRC "198.18.200.1"		/* in no range */
#define ALLOWED "198.18.99.3"		/* in the allow list */

struct mworld {
	struct xs_config cfg;
	struct xs_trie t4, t6;
	struct xs_sk_layout sk;
	struct xs_loader l;
	char err[512];
	int loaded;
};

static struct mworld w_on, w_dry, w_share;

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !getenv("XS_TEST_VERBOSE"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void mw_open(struct mworld *w, int dry, double share)
{
	static const char *const allow[] = { "198.18.99.0/24", "2001:db8:99::/48" };
	int i;

	config_init(&w->cfg);
	for (i = 0; ranges[i]; i++)
		if (config_add_range_arg(&w->cfg, ranges[i], w->err, sizeof(w->err)))
			return;
	w->cfg.mitigation.enabled = 1;
	w->cfg.mitigation.dry_run = dry;
	w->cfg.mitigation.max_share = share;
	w->cfg.mitigation.max_filters = 16;
	w->cfg.mitigation.allow = calloc(2, sizeof(struct xs_prefix));
	for (i = 0; i < 2; i++)
		cidr_parse(allow[i], &w->cfg.mitigation.allow[i], w->err, sizeof(w->err));
	w->cfg.mitigation.nallow = 2;
	if (trie_init(&w->t4, 4) || trie_init(&w->t6, 6) || trie_build(&w->t4, &w->t6, &w->cfg))
		return;
	skread_layout(&w->sk, &w->cfg.stats, XS_SLOTS(w->cfg.nranges));
	if (loader_open(&w->l, &w->t4, &w->t6, w->cfg.nranges, w->err, sizeof(w->err)) ||
	    loader_sketches(&w->l, &w->sk, w->err, sizeof(w->err)) ||
	    loader_mitigation(&w->l, &w->cfg.mitigation, w->err, sizeof(w->err)) ||
	    loader_load(&w->l, w->err, sizeof(w->err)))
		return;
	w->loaded = 1;
}

static void mw_close(struct mworld *w)
{
	if (w->loaded)
		loader_close(&w->l);
	trie_free(&w->t4);
	trie_free(&w->t6);
	config_free(&w->cfg);
	w->loaded = 0;
}

static void setup_on(void) { mw_open(&w_on, 0, 1.0); }
static void teardown_on(void) { mw_close(&w_on); }
static void setup_dry(void) { mw_open(&w_dry, 1, 1.0); }
static void teardown_dry(void) { mw_close(&w_dry); }
static void setup_share(void) { mw_open(&w_share, 0, 0.5); }
static void teardown_share(void) { mw_close(&w_share); }

static void need(struct mworld *w)
{
	ck_assert_msg(w->loaded, "loading the object: %s", w->err);
}

/* A frame: TCP (flags), UDP or ICMP from src:sport to dst:dport. */
static void frame(struct pkt *p, const char *src, const char *dst, uint8_t proto,
		  uint16_t sport, uint16_t dport, uint8_t flags)
{
	int family = pkt_family(src);
	size_t ip, l4;

	memset(p, 0, sizeof(*p));
	pkt_eth(p, family == 6 ? ETHTYPE_IPV6 : ETHTYPE_IPV4);
	if (family == 4)
		ip = pkt_ipv4(p, src, dst, proto);
	else
		ip = pkt_ipv6(p, src, dst, proto);
	if (proto == IPPROTO_TCP)
		l4 = pkt_tcp(p, sport, dport, flags);
	else if (proto == IPPROTO_UDP)
		l4 = pkt_udp(p, sport, dport, 20);
	else
		l4 = pkt_icmp(p, family == 6 ? 128 : 8, 0);
	(void)l4;
	if (family == 4)
		pkt_ipv4_len(p, ip);
	else
		pkt_ipv6_len(p, ip);
}

static uint32_t run(struct mworld *w, int tc, const struct pkt *p)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->b, .data_size_in = p->len,
		    .repeat = 1);

	ck_assert_msg(!bpf_prog_test_run_opts(tc ? loader_tc_fd(&w->l) : loader_xdp_fd(&w->l),
					      &opts), "test run: %s", strerror(errno));
	return opts.retval;
}

static void slot_sum(struct mworld *w, uint32_t slot, struct xs_counters *c)
{
	uint32_t n = XS_SLOTS(w->l.sizes.nranges);

	counters_sum(c, (const struct xs_counters *)w->l.ctrs + slot, w->l.ncpus,
		     (size_t)n * sizeof(struct xs_counters));
}

static uint32_t add(struct mworld *w, const char *dst, int proto, int sport, int syn,
		    uint32_t pps)
{
	struct xs_mit_spec s = { .proto = proto, .sport = sport, .syn = syn, .pps = pps,
				 .ttl_s = 600 };
	char err[256];
	uint32_t id = 0;

	ck_assert_msg(!cidr_parse(dst, &s.dst, err, sizeof(err)), "%s", err);
	ck_assert_msg(!mitig_add(&w->l.mit, &s, &id, err, sizeof(err)), "add %s: %s", dst, err);
	ck_assert_uint_ne(id, 0);
	return id;
}

static struct xs_mit_stats hits(struct mworld *w, uint32_t id)
{
	struct xs_mit_stats st;

	ck_assert_int_eq(mitig_hits(&w->l.mit, id, &st), 0);
	return st;
}

#define V(name) "198.18.0." name

struct match_row {
	const char *name;
	const char *filter;		/* dst prefix */
	int proto, sport, syn;		/* of the filter */
	const char *src, *dst;		/* of the frame */
	uint8_t fproto;
	uint16_t fsport;
	uint8_t flags;
	uint32_t want;			/* XDP verdict */
};

/* Each row its own victim: rows run in one object. */
static const struct match_row match_rows[] = {
	{ "any proto: udp dropped", V("10/32"), -1, -1, 0, SRC, V("10"), IPPROTO_UDP, 4000, 0, XDP_DROP },
	{ "any proto: icmp dropped", V("11/32"), -1, -1, 0, SRC, V("11"), IPPROTO_ICMP, 0, 0, XDP_DROP },
	{ "other host passes", V("12/32"), -1, -1, 0, SRC, V("13"), IPPROTO_UDP, 4000, 0, XDP_PASS },
	{ "udp filter: udp dropped", V("14/32"), XS_L4_UDP, -1, 0, SRC, V("14"), IPPROTO_UDP, 4000, 0, XDP_DROP },
	{ "udp filter: tcp passes", V("15/32"), XS_L4_UDP, -1, 0, SRC, V("15"), IPPROTO_TCP, 4000, TH_ACK, XDP_PASS },
	{ "sport 53: from 53 dropped", V("16/32"), XS_L4_UDP, 53, 0, SRC, V("16"), IPPROTO_UDP, 53, 0, XDP_DROP },
	{ "sport 53: from 54 passes", V("17/32"), XS_L4_UDP, 53, 0, SRC, V("17"), IPPROTO_UDP, 54, 0, XDP_PASS },
	{ "sport 123: tcp from 123 passes", V("18/32"), XS_L4_UDP, 123, 0, SRC, V("18"), IPPROTO_TCP, 123, TH_ACK, XDP_PASS },
	{ "syn: SYN dropped", V("19/32"), XS_L4_TCP, -1, 1, SRC, V("19"), IPPROTO_TCP, 4000, TH_SYN, XDP_DROP },
	{ "syn: SYN-ACK passes", V("20/32"), XS_L4_TCP, -1, 1, SRC, V("20"), IPPROTO_TCP, 4000, TH_SYN | TH_ACK, XDP_PASS },
	{ "syn: ACK passes", V("21/32"), XS_L4_TCP, -1, 1, SRC, V("21"), IPPROTO_TCP, 4000, TH_ACK, XDP_PASS },
	{ "prefix /28 covers .40", V("32/28"), -1, -1, 0, SRC, V("40"), IPPROTO_UDP, 4000, 0, XDP_DROP },
	{ "prefix /28 misses .48", V("64/28"), -1, -1, 0, SRC, V("80"), IPPROTO_UDP, 4000, 0, XDP_PASS },
	{ "allowed source passes", V("22/32"), -1, -1, 0, ALLOWED, V("22"), IPPROTO_UDP, 4000, 0, XDP_PASS },
	{ "ipv6 host dropped", "2001:db8:1::7/128", XS_L4_UDP, -1, 0, "2001:db8:5::1", "2001:db8:1::7", IPPROTO_UDP, 4000, 0, XDP_DROP },
	{ "ipv6 allowed source passes", "2001:db8:1::8/128", -1, -1, 0, "2001:db8:99::1", "2001:db8:1::8", IPPROTO_UDP, 4000, 0, XDP_PASS },
	{ "ipv6 /64 covers", "2001:db8:1:5::/64", -1, -1, 0, "2001:db8:5::1", "2001:db8:1:5::99", IPPROTO_ICMPV6, 0, 0, XDP_DROP },
};

/* One filter, one frame: the verdict, the filter's hits, the slot's
 * packets and blocked counts, and TC never dropping the same frame. */
START_TEST(test_match)
{
	const struct match_row *r = &match_rows[_i];
	struct xs_counters c0, c1;
	struct xs_mit_stats st;
	struct pkt p;
	uint32_t id, v, slot;
	int matched = r->want == XDP_DROP || !strcmp(r->src, ALLOWED) ||
		      !strcmp(r->src, "2001:db8:99::1");

	need(&w_on);
	id = add(&w_on, r->filter, r->proto, r->sport, r->syn, 0);
	frame(&p, r->src, r->dst, r->fproto, r->fsport, 7, r->flags);
	slot = (pkt_family(r->dst) == 6 ? R_V6 : R_VICTIMS) * XS_DIR_MAX + XS_DIR_IN;
	slot_sum(&w_on, slot, &c0);
	v = run(&w_on, 0, &p);
	slot_sum(&w_on, slot, &c1);
	ck_assert_msg(v == r->want, "%s: verdict %u, want %u", r->name, v, r->want);
	st = hits(&w_on, id);
	ck_assert_msg(st.match_pkts == (uint64_t)matched, "%s: matched %llu", r->name,
		      (unsigned long long)st.match_pkts);
	ck_assert_msg(st.drop_pkts == (r->want == XDP_DROP), "%s: dropped %llu", r->name,
		      (unsigned long long)st.drop_pkts);
	ck_assert_msg(st.drop_bytes == (r->want == XDP_DROP ? p.len : 0), "%s: drop bytes",
		      r->name);
	ck_assert_msg(st.allowed == (uint64_t)(matched && r->want == XDP_PASS), "%s: allowed",
		      r->name);
	/* The range counts every packet; blocked the dropped ones. */
	ck_assert_msg(counters_pkts(&c1) - counters_pkts(&c0) == 1, "%s: range pkts", r->name);
	ck_assert_msg(c1.blocked_pkts - c0.blocked_pkts == (r->want == XDP_DROP),
		      "%s: blocked pkts", r->name);
	ck_assert_msg(c1.blocked_bytes - c0.blocked_bytes == (r->want == XDP_DROP ? p.len : 0),
		      "%s: blocked bytes", r->name);
	/* Egress never drops. */
	ck_assert_msg(run(&w_on, 1, &p) == TC_ACT_OK, "%s: TC verdict", r->name);
	ck_assert_int_eq(mitig_del(&w_on.l.mit, id), 0);
	ck_assert_msg(run(&w_on, 0, &p) == XDP_PASS, "%s: after del", r->name);
}
END_TEST

/* A /24 and a /32 inside it: the /32's packets meet both filters. */
START_TEST(test_nested)
{
	struct pkt p;
	uint32_t wide, host;

	need(&w_on);
	wide = add(&w_on, "198.18.1.0/24", XS_L4_UDP, -1, 0, 0);
	host = add(&w_on, "198.18.1.5/32", XS_L4_TCP, -1, 0, 0);
	frame(&p, SRC, "198.18.1.5", IPPROTO_TCP, 4000, 80, TH_ACK);
	ck_assert_uint_eq(run(&w_on, 0, &p), XDP_DROP);
	frame(&p, SRC, "198.18.1.5", IPPROTO_UDP, 4000, 80, 0);
	ck_assert_uint_eq(run(&w_on, 0, &p), XDP_DROP);
	frame(&p, SRC, "198.18.1.6", IPPROTO_UDP, 4000, 80, 0);
	ck_assert_uint_eq(run(&w_on, 0, &p), XDP_DROP);
	frame(&p, SRC, "198.18.1.6", IPPROTO_TCP, 4000, 80, TH_ACK);
	ck_assert_uint_eq(run(&w_on, 0, &p), XDP_PASS);
	ck_assert_uint_eq(hits(&w_on, wide).drop_pkts, 2);
	ck_assert_uint_eq(hits(&w_on, host).drop_pkts, 1);
	ck_assert_int_eq(mitig_del(&w_on.l.mit, host), 0);
	frame(&p, SRC, "198.18.1.5", IPPROTO_TCP, 4000, 80, TH_ACK);
	ck_assert_uint_eq(run(&w_on, 0, &p), XDP_PASS);
	ck_assert_int_eq(mitig_del(&w_on.l.mit, wide), 0);
	ck_assert_int_eq(mitig_del(&w_on.l.mit, wide), -ENOENT);
}
END_TEST

/* A packet between two ranges: blocked in the destination's `in` and the
 * source's `out`. */
START_TEST(test_blocked_both_slots)
{
	struct xs_counters in0, in1, out0, out1;
	struct pkt p;
	uint32_t id;

	need(&w_on);
	id = add(&w_on, V("30/32"), -1, -1, 0, 0);
	frame(&p, "198.18.50.9", V("30"), IPPROTO_UDP, 4000, 53, 0);
	slot_sum(&w_on, R_VICTIMS * 2 + XS_DIR_IN, &in0);
	slot_sum(&w_on, R_SRCNET * 2 + XS_DIR_OUT, &out0);
	ck_assert_uint_eq(run(&w_on, 0, &p), XDP_DROP);
	slot_sum(&w_on, R_VICTIMS * 2 + XS_DIR_IN, &in1);
	slot_sum(&w_on, R_SRCNET * 2 + XS_DIR_OUT, &out1);
	ck_assert_uint_eq(counters_pkts(&in1) - counters_pkts(&in0), 1);
	ck_assert_uint_eq(in1.udp.bytes - in0.udp.bytes, p.len);
	ck_assert_uint_eq(in1.blocked_pkts - in0.blocked_pkts, 1);
	ck_assert_uint_eq(counters_pkts(&out1) - counters_pkts(&out0), 1);
	ck_assert_uint_eq(out1.blocked_pkts - out0.blocked_pkts, 1);
	ck_assert_uint_eq(out1.blocked_bytes - out0.blocked_bytes, p.len);
	ck_assert_int_eq(mitig_del(&w_on.l.mit, id), 0);
}
END_TEST

/* The drain re-reads a slot whose blocked count moved though its packets
 * did not: the program adds blocked last, so a read between the two sees
 * the packet and must see its blocked count at the next one. */
START_TEST(test_drain_sees_blocked)
{
	struct xs_counters *c = (struct xs_counters *)w_on.l.ctrs;
	uint32_t nslots = XS_SLOTS(w_on.l.sizes.nranges), slot = R_OTHER * 2 + XS_DIR_IN;
	struct xs_drain d;
	uint64_t before;

	need(&w_on);
	ck_assert_int_eq(drain_init(&d, c, loader_global_fd(&w_on.l), nslots, w_on.l.ncpus), 0);
	ck_assert_int_eq(drain_read(&d), 0);
	before = d.cur[slot].blocked_pkts;
	drain_commit(&d);
	c[slot].udp.pkts++;			/* CPU 0's copy: a packet, counted */
	ck_assert_int_eq(drain_read(&d), 0);
	drain_commit(&d);
	c[slot].blocked_pkts++;			/* then its blocked count */
	ck_assert_int_eq(drain_read(&d), 0);
	ck_assert_uint_eq(d.cur[slot].blocked_pkts, before + 1);
	drain_free(&d);
}
END_TEST

/* A filter past its expiry matches nothing; the sweep removes it. */
START_TEST(test_expiry)
{
	struct xs_mit_filter f;
	struct xs_mit_info *list;
	struct pkt p;
	uint32_t id, slot, found = UINT32_MAX;
	size_t n, i;

	need(&w_on);
	id = add(&w_on, V("31/32"), -1, -1, 0, 0);
	frame(&p, SRC, V("31"), IPPROTO_UDP, 4000, 53, 0);
	ck_assert_uint_eq(run(&w_on, 0, &p), XDP_DROP);
	for (slot = 0; slot < w_on.l.mit.nslots; slot++) {
		ck_assert(!bpf_map_lookup_elem(w_on.l.mit.filters_fd, &slot, &f));
		if (f.id == id)
			found = slot;
	}
	ck_assert_uint_ne(found, UINT32_MAX);
	ck_assert(!bpf_map_lookup_elem(w_on.l.mit.filters_fd, &found, &f));
	/* A second ago: the program reads the coarse clock, up to a tick behind. */
	f.expires_ns = mitig_now() - 1000000000ULL;
	ck_assert(!bpf_map_update_elem(w_on.l.mit.filters_fd, &found, &f, BPF_ANY));
	ck_assert_uint_eq(run(&w_on, 0, &p), XDP_PASS);
	ck_assert_int_eq(mitig_sweep(&w_on.l.mit, mitig_now()), 1);
	ck_assert_int_eq(mitig_list(&w_on.l.mit, &list, &n), 0);
	for (i = 0; i < n; i++)
		ck_assert_uint_ne(list[i].id, id);
	free(list);
	/* A live one with 600 s to go stays. */
	id = add(&w_on, V("31/32"), -1, -1, 0, 0);
	ck_assert_int_eq(mitig_sweep(&w_on.l.mit, mitig_now()), 0);
	ck_assert_int_eq(mitig_del(&w_on.l.mit, id), 0);
}
END_TEST

/* The rate limit: a clock far ahead drops, a clock behind passes one
 * packet and moves gap_ns on (set to an hour: the next one drops
 * however slow the machine). */
START_TEST(test_rate_limit)
{
	struct xs_mit_filter f;
	struct pkt p;
	uint32_t id, slot;

	need(&w_on);
	id = add(&w_on, V("33/32"), XS_L4_UDP, -1, 0, 1000);
	for (slot = 0; slot < w_on.l.mit.nslots; slot++) {
		ck_assert(!bpf_map_lookup_elem(w_on.l.mit.filters_fd, &slot, &f));
		if (f.id == id)
			break;
	}
	ck_assert_uint_eq(f.gap_ns, 1000000);
	ck_assert_uint_eq(f.pps, 1000);
	f.gap_ns = 3600ULL * 1000000000ULL;
	f.tat_ns = 0;
	ck_assert(!bpf_map_update_elem(w_on.l.mit.filters_fd, &slot, &f, BPF_ANY));
	frame(&p, SRC, V("33"), IPPROTO_UDP, 4000, 53, 0);
	ck_assert_uint_eq(run(&w_on, 0, &p), XDP_PASS);
	ck_assert_uint_eq(run(&w_on, 0, &p), XDP_DROP);
	ck_assert_uint_eq(run(&w_on, 0, &p), XDP_DROP);
	ck_assert_uint_eq(hits(&w_on, id).match_pkts, 3);
	ck_assert_uint_eq(hits(&w_on, id).drop_pkts, 2);
	ck_assert_int_eq(mitig_del(&w_on.l.mit, id), 0);
}
END_TEST

/* Full: the add is refused and counted; the ids go on. */
START_TEST(test_full)
{
	struct xs_mit_spec s = { .proto = -1, .sport = -1, .ttl_s = 600 };
	char err[256], dst[64];
	uint32_t ids[16], id, i;
	uint64_t full = mitig_full(&w_on.l.mit);

	need(&w_on);
	ck_assert_int_ge(mitig_clear(&w_on.l.mit), 0);
	for (i = 0; i < 16; i++) {
		snprintf(dst, sizeof(dst), "198.18.0.%u/32", 100 + i);
		ids[i] = add(&w_on, dst, -1, -1, 0, 0);
	}
	cidr_parse("198.18.0.200/32", &s.dst, err, sizeof(err));
	ck_assert_int_eq(mitig_add(&w_on.l.mit, &s, &id, err, sizeof(err)), -ENOSPC);
	ck_assert_str_eq(err, "the filter table is full (16 filters: mitigation.max_filters)");
	ck_assert_uint_eq(mitig_full(&w_on.l.mit), full + 1);
	ck_assert_int_eq(mitig_del(&w_on.l.mit, ids[3]), 0);
	id = add(&w_on, "198.18.0.200/32", -1, -1, 0, 0);
	ck_assert_uint_gt(id, ids[15]);
	ck_assert_int_eq(mitig_clear(&w_on.l.mit), 16);
}
END_TEST

/* Dry run: passed, counted as would-drop, never blocked. */
START_TEST(test_dry_run)
{
	struct xs_counters c0, c1;
	struct xs_mit_stats st;
	struct pkt p;
	uint32_t id;

	need(&w_dry);
	id = add(&w_dry, V("40/32"), -1, -1, 0, 0);
	frame(&p, SRC, V("40"), IPPROTO_UDP, 4000, 53, 0);
	slot_sum(&w_dry, R_VICTIMS * 2, &c0);
	ck_assert_uint_eq(run(&w_dry, 0, &p), XDP_PASS);
	ck_assert_uint_eq(run(&w_dry, 0, &p), XDP_PASS);
	slot_sum(&w_dry, R_VICTIMS * 2, &c1);
	st = hits(&w_dry, id);
	ck_assert_uint_eq(st.match_pkts, 2);
	ck_assert_uint_eq(st.dry_pkts, 2);
	ck_assert_uint_eq(st.dry_bytes, 2 * p.len);
	ck_assert_uint_eq(st.drop_pkts, 0);
	ck_assert_uint_eq(counters_pkts(&c1) - counters_pkts(&c0), 2);
	ck_assert_uint_eq(c1.blocked_pkts - c0.blocked_pkts, 0);
}
END_TEST

/* max_share 0.5: of a flood that is all of its range's packets, at most
 * half are dropped (per CPU and window; a new window starts over). */
START_TEST(test_share)
{
	struct xs_counters c0, c1;
	struct xs_mit_stats st;
	struct pkt p;
	uint32_t id, i, dropped = 0, n = 100;

	need(&w_share);
	id = add(&w_share, V("50/32"), -1, -1, 0, 0);
	frame(&p, SRC, V("50"), IPPROTO_UDP, 4000, 53, 0);
	slot_sum(&w_share, R_VICTIMS * 2, &c0);
	for (i = 0; i < n; i++)
		dropped += run(&w_share, 0, &p) == XDP_DROP;
	slot_sum(&w_share, R_VICTIMS * 2, &c1);
	st = hits(&w_share, id);
	ck_assert_msg(dropped >= 1 && dropped <= n / 2, "dropped %u of %u", dropped, n);
	ck_assert_uint_eq(st.drop_pkts, dropped);
	ck_assert_uint_eq(st.spared, n - dropped);
	ck_assert_uint_eq(c1.blocked_pkts - c0.blocked_pkts, dropped);
	ck_assert_uint_eq(counters_pkts(&c1) - counters_pkts(&c0), n);
}
END_TEST

/* Bad specs: one line each. */
struct spec_bad_row {
	const char *dst;
	int proto, sport, syn;
	uint32_t pps, ttl;
	const char *err;
};

static const struct spec_bad_row spec_bad_rows[] = {
	{ "198.18.0.1/24", -1, -1, 0, 0, 600,
	  "expected a destination CIDR without host bits, got 198.18.0.1/24" },
	{ "198.18.0.1/32", -1, 53, 0, 0, 600, "a source port needs the protocol tcp or udp" },
	{ "198.18.0.1/32", XS_L4_UDP, 65536, 0, 0, 600,
	  "expected a source port 0..65535, got 65536" },
	{ "198.18.0.1/32", XS_L4_UDP, -1, 1, 0, 600, "syn needs the protocol tcp" },
	{ "198.18.0.1/32", -1, -1, 0, XS_MIT_PPS_MAX + 1, 600,
	  "expected a rate of 1..100000000 packets a second, got 100000001" },
	{ "198.18.0.1/32", -1, -1, 0, 0, 0, "expected a lifetime of 1..604800 s, got 0 s" },
};

START_TEST(test_spec_bad)
{
	const struct spec_bad_row *r = &spec_bad_rows[_i];
	struct xs_mit_spec s = { .proto = r->proto, .sport = r->sport, .syn = r->syn,
				 .pps = r->pps, .ttl_s = r->ttl };
	char err[256];

	s.dst.family = 4;
	s.dst.len = atoi(strchr(r->dst, '/') + 1);
	pkt_addr(4, "198.18.0.1", s.dst.addr);
	ck_assert_int_eq(mitig_spec_check(&s, err, sizeof(err)), -EINVAL);
	ck_assert_msg(!strcmp(err, r->err), "row %d: got '%s'", _i, err);
}
END_TEST

static Suite *mitig_suite(void)
{
	Suite *s = suite_create("mitigation");
	TCase *tc;

	tc = tcase_create("on");
	tcase_add_unchecked_fixture(tc, setup_on, teardown_on);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_match, 0, sizeof(match_rows) / sizeof(match_rows[0]));
	tcase_add_test(tc, test_nested);
	tcase_add_test(tc, test_blocked_both_slots);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_drain_sees_blocked);
	tcase_add_test(tc, test_rate_limit);
	tcase_add_test(tc, test_full);
	tcase_add_loop_test(tc, test_spec_bad, 0, sizeof(spec_bad_rows) / sizeof(spec_bad_rows[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("dry_run");
	tcase_add_unchecked_fixture(tc, setup_dry, teardown_dry);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_dry_run);
	suite_add_tcase(s, tc);

	tc = tcase_create("share");
	tcase_add_unchecked_fixture(tc, setup_share, teardown_share);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_share);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	libbpf_set_print(libbpf_quiet);
	sr = srunner_create(mitig_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
