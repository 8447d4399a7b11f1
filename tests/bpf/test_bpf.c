// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF object under BPF_PROG_TEST_RUN: a table of crafted frames, each
 * with the exact counter deltas it must cause, run through both the XDP
 * and the TC program. Every slot of range_ctrs and every field of
 * global_ctrs is compared after each frame, so a packet counted twice, in
 * the wrong slot or in the wrong field fails with the row, the slot and
 * the field named.
 *
 * The object is loaded once per test case (unchecked fixture, in the
 * parent: forked tests share its maps and read deltas, not totals). The
 * configs are built in memory, not through config.c, so only the BPF side,
 * the loader and trie.c are under test. Needs root (or CAP_BPF and
 * CAP_NET_ADMIN).
 */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdpscope.h"
#include "trie.h"
#include "loader.h"
#include "xdpscope.skel.h"
#include "memlock.h"
#include "counters.h"
#include "pkt.h"

#define XS_TEST_MAX_PREFIXES 4

struct test_range {
	const char *name;
	const char *prefixes[XS_TEST_MAX_PREFIXES];
};

/* Nested on purpose: the walk must stop at the most specific prefix. */
static const struct test_range full_ranges[] = {
	{ "wide", { "198.18.0.0/16" } },		/* id 1 */
	{ "narrow", { "198.18.5.0/24" } },		/* id 2 */
	{ "host", { "198.18.5.7/32" } },		/* id 3 */
	{ "v6wide", { "2001:db8::/32" } },		/* id 4 */
	{ "v6mid", { "2001:db8:1::/48" } },		/* id 5 */
	{ "v6narrow", { "2001:db8:1:2::/64" } },	/* id 6 */
	{ "host6", { "2001:db8:1:2::7/128" } },		/* id 7 */
	{ "dual", { "198.19.2.0/24", "198.19.4.0/23", "2001:db8:ff::/48" } }, /* id 8 */
	{ NULL, { NULL } },
};

/* No IPv6 prefix at all: the v6 tables are empty (one zero node). */
static const struct test_range v4only_ranges[] = {
	{ "only4", { "198.18.0.0/15" } },
	{ NULL, { NULL } },
};

static const struct test_range v6only_ranges[] = {
	{ "only6", { "2001:db8::/32" } },
	{ NULL, { NULL } },
};

struct world {
	const struct test_range *ranges;
	struct xs_config cfg;
	struct xs_trie t4, t6;
	struct xs_loader l;
	int loaded;
	char err[512];
	int ncpus;
	size_t stride;		/* bytes of one CPU's value in a lookup */
	uint32_t nslots;
	char tables_err[1024];	/* how the classifier maps differed from the tries */
};

static struct world w_full = { .ranges = full_ranges };
static struct world w_v4only = { .ranges = v4only_ranges };
static struct world w_v6only = { .ranges = v6only_ranges };

/* "addr/len" into p; test data is trusted but checked. */
static int parse_prefix(const char *s, struct xs_prefix *p)
{
	char buf[XS_CIDR_STRLEN];
	char *slash;

	memset(p, 0, sizeof(*p));
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	p->family = pkt_family(buf);
	if (inet_pton(p->family == 6 ? AF_INET6 : AF_INET, buf, p->addr) != 1)
		return -EINVAL;
	p->len = atoi(slash + 1);
	return 0;
}

static void world_free_cfg(struct world *w)
{
	size_t i;

	for (i = 0; i < w->cfg.nranges; i++) {
		free(w->cfg.ranges[i].name);
		free(w->cfg.ranges[i].prefixes);
	}
	free(w->cfg.ranges);
	memset(&w->cfg, 0, sizeof(w->cfg));
}

static int world_cfg(struct world *w)
{
	size_t n, i, j;

	for (n = 0; w->ranges[n].name; n++)
		;
	w->cfg.ranges = calloc(n, sizeof(*w->cfg.ranges));
	if (!w->cfg.ranges)
		return -ENOMEM;
	w->cfg.nranges = w->cfg.cap = n;
	for (i = 0; i < n; i++) {
		struct xs_range *r = &w->cfg.ranges[i];

		r->name = strdup(w->ranges[i].name);
		r->prefixes = calloc(XS_TEST_MAX_PREFIXES, sizeof(*r->prefixes));
		if (!r->name || !r->prefixes)
			return -ENOMEM;
		r->cap = XS_TEST_MAX_PREFIXES;
		for (j = 0; j < XS_TEST_MAX_PREFIXES && w->ranges[i].prefixes[j]; j++) {
			if (parse_prefix(w->ranges[i].prefixes[j], &r->prefixes[j])) {
				snprintf(w->err, sizeof(w->err), "bad prefix in test data: %s",
					 w->ranges[i].prefixes[j]);
				return -EINVAL;
			}
			r->nprefixes++;
		}
	}
	return 0;
}

/* The fd of the map called `name` that the program uses (by id: the test
 * sees only what the kernel sees). -1 if none. */
static int prog_map_fd(int prog_fd, const char *name)
{
	struct bpf_prog_info info = {};
	__u32 ids[XS_MAPS_MAX] = { 0 }, len = sizeof(info), i;
	int fd;

	info.nr_map_ids = XS_MAPS_MAX;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -1;
	for (i = 0; i < info.nr_map_ids && i < XS_MAPS_MAX; i++) {
		struct bpf_map_info mi = {};
		__u32 mlen = sizeof(mi);

		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &mi, &mlen) && !strcmp(mi.name, name))
			return fd;
		close(fd);
	}
	return -1;
}

/* Reads `elems` values of `value_size` bytes from an array map, one
 * syscall batch at a time. */
static int read_array(int fd, void *vals, size_t value_size, uint32_t elems)
{
	uint32_t *keys = calloc(elems, sizeof(*keys));
	__u32 out = 0, done = 0, count;
	void *in = NULL;
	int err = 0;

	if (!keys)
		return -ENOMEM;
	while (done < elems) {
		count = elems - done;
		err = bpf_map_lookup_batch(fd, in, &out, keys + done,
					   (char *)vals + (size_t)done * value_size, &count, NULL);
		done += count;
		if (err && errno == ENOENT) {
			err = 0;
			break;
		}
		if (err) {
			err = -errno;
			break;
		}
		in = &out;
	}
	free(keys);
	if (!err && done != elems)
		err = -EIO;
	return err;
}

/* The trie maps hold packed u32 entries, two per 8-byte element
 * (include/xdpscope.h). */
static int read_table(int fd, uint32_t *vals, uint32_t entries)
{
	return read_array(fd, vals, 8, entries / 2);
}

/* Compares map `name` entry for entry with the table the loader was given
 * (NULL: all 0); notes the first differences in w->tables_err. */
static void table_check(struct world *w, const char *name, const uint32_t *want,
			uint32_t entries)
{
	int fd = prog_map_fd(loader_xdp_fd(&w->l), name);
	uint32_t *got = calloc(entries, sizeof(*got)), i, bad = 0;
	size_t used = strlen(w->tables_err);

	if (fd < 0 || !got) {
		snprintf(w->tables_err + used, sizeof(w->tables_err) - used,
			 " %s: cannot read the map;", name);
		goto out;
	}
	if (read_table(fd, got, entries)) {
		snprintf(w->tables_err + used, sizeof(w->tables_err) - used,
			 " %s: batch lookup failed: %s;", name, strerror(errno));
		goto out;
	}
	for (i = 0; i < entries; i++) {
		uint32_t v = want ? want[i] : 0;

		if (got[i] == v)
			continue;
		if (bad++ < 2) {
			used = strlen(w->tables_err);
			snprintf(w->tables_err + used, sizeof(w->tables_err) - used,
				 " %s[%u] = %#x, want %#x;", name, i, got[i], v);
		}
	}
	if (bad) {
		used = strlen(w->tables_err);
		snprintf(w->tables_err + used, sizeof(w->tables_err) - used,
			 " %s: %u of %u entries differ;", name, bad, entries);
	}
out:
	if (fd >= 0)
		close(fd);
	free(got);
}

/* The same for v6_skip: the map holds max(nskips, 1) records, the tries'
 * records byte for byte (pad included), or one zero record. */
static void skips_check(struct world *w)
{
	int fd = prog_map_fd(loader_xdp_fd(&w->l), "v6_skip");
	uint32_t n = w->t6.nskips ? w->t6.nskips : 1, i, bad = 0;
	struct xs_skip *got = calloc(n, sizeof(*got)), zero = { 0 };
	size_t used = strlen(w->tables_err);
	struct bpf_map_info mi = {};
	__u32 mlen = sizeof(mi);

	if (fd < 0 || !got || bpf_obj_get_info_by_fd(fd, &mi, &mlen)) {
		snprintf(w->tables_err + used, sizeof(w->tables_err) - used,
			 " v6_skip: cannot read the map;");
		goto out;
	}
	if (mi.value_size != sizeof(struct xs_skip) || mi.max_entries != n) {
		snprintf(w->tables_err + used, sizeof(w->tables_err) - used,
			 " v6_skip: %u values of %u bytes, want %u of %zu;", mi.max_entries,
			 mi.value_size, n, sizeof(struct xs_skip));
		goto out;
	}
	if (read_array(fd, got, sizeof(*got), n)) {
		snprintf(w->tables_err + used, sizeof(w->tables_err) - used,
			 " v6_skip: batch lookup failed: %s;", strerror(errno));
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct xs_skip *want = w->t6.nskips ? &w->t6.skips[i] : &zero;

		if (!memcmp(&got[i], want, sizeof(*want)))
			continue;
		if (bad++ < 2) {
			used = strlen(w->tables_err);
			snprintf(w->tables_err + used, sizeof(w->tables_err) - used,
				 " v6_skip[%u] = {len %u next %#x miss %#x}, want {len %u next "
				 "%#x miss %#x};", i, got[i].len, got[i].next, got[i].miss,
				 want->len, want->next, want->miss);
		}
	}
	if (bad) {
		used = strlen(w->tables_err);
		snprintf(w->tables_err + used, sizeof(w->tables_err) - used,
			 " v6_skip: %u of %u records differ;", bad, n);
	}
out:
	if (fd >= 0)
		close(fd);
	free(got);
}

static void tables_check(struct world *w)
{
	w->tables_err[0] = '\0';
	table_check(w, "v4_root", w->t4.root, XS_TRIE_ROOT_SIZE);
	table_check(w, "v4_nodes", w->t4.nnodes ? w->t4.nodes : NULL,
		    (w->t4.nnodes ? w->t4.nnodes : 1) * XS_TRIE_NODE_SIZE);
	table_check(w, "v6_root", w->t6.root, XS_TRIE_ROOT_SIZE);
	table_check(w, "v6_nodes", w->t6.nnodes ? w->t6.nodes : NULL,
		    (w->t6.nnodes ? w->t6.nnodes : 1) * XS_TRIE_NODE_SIZE);
	skips_check(w);
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !getenv("XS_TEST_VERBOSE"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void world_setup(struct world *w)
{
	int e;

	w->loaded = 0;
	w->err[0] = '\0';
	e = world_cfg(w);
	if (e) {
		if (!w->err[0])
			snprintf(w->err, sizeof(w->err), "config: %s", strerror(-e));
		return;
	}
	if (trie_init(&w->t4, 4) || trie_init(&w->t6, 6)) {
		snprintf(w->err, sizeof(w->err), "trie_init: out of memory");
		return;
	}
	e = trie_build(&w->t4, &w->t6, &w->cfg);
	if (e) {
		snprintf(w->err, sizeof(w->err), "trie_build: %s", strerror(-e));
		return;
	}
	e = loader_open(&w->l, &w->t4, &w->t6, w->cfg.nranges, w->err, sizeof(w->err));
	if (e)
		return;
	e = loader_load(&w->l, w->err, sizeof(w->err));
	if (e) {
		loader_close(&w->l);
		return;
	}
	w->ncpus = libbpf_num_possible_cpus();
	w->stride = (sizeof(struct xs_counters) + 7) / 8 * 8;
	w->nslots = XS_SLOTS(w->cfg.nranges);
	w->loaded = 1;
	tables_check(w);
}

static void world_teardown(struct world *w)
{
	if (w->loaded)
		loader_close(&w->l);
	w->loaded = 0;
	trie_free(&w->t4);
	trie_free(&w->t6);
	world_free_cfg(w);
}

static void setup_full(void)
{
	world_setup(&w_full);
}

static void teardown_full(void)
{
	world_teardown(&w_full);
}

static void setup_sparse(void)
{
	world_setup(&w_v4only);
	world_setup(&w_v6only);
}

static void teardown_sparse(void)
{
	world_teardown(&w_v4only);
	world_teardown(&w_v6only);
}

struct snap {
	struct xs_counters *slots;
	struct xs_global g;
};

static void snap_read(struct world *w, struct snap *s)
{
	size_t gstride = (sizeof(struct xs_global) + 7) / 8 * 8;
	void *buf = calloc(w->ncpus, gstride);	/* valgrind does not see bpf() write it */
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), k, zero = 0;

	ck_assert_ptr_nonnull(buf);
	s->slots = calloc(w->nslots, sizeof(*s->slots));
	ck_assert_ptr_nonnull(s->slots);
	for (k = 0; k < w->nslots; k++)
		counters_sum(&s->slots[k], (const struct xs_counters *)w->l.ctrs + k, w->ncpus,
			     (size_t)w->nslots * sizeof(struct xs_counters));
	ck_assert_msg(!bpf_map_lookup_elem(loader_global_fd(&w->l), &zero, buf),
		      "global_ctrs: lookup failed: %s", strerror(errno));
	global_sum(&s->g, buf, w->ncpus, gstride);
	/* The loader sized the map: a copy of every slot per CPU, no more. */
	ck_assert(!bpf_obj_get_info_by_fd(loader_ctrs_fd(&w->l), &info, &len));
	ck_assert_msg(info.max_entries == w->nslots * (__u32)w->ncpus,
		      "range_ctrs has %u entries, expected XS_SLOTS(%zu) * %d CPUs",
		      info.max_entries, w->cfg.nranges, w->ncpus);
	free(buf);
}

static void snap_free(struct snap *s)
{
	free(s->slots);
	s->slots = NULL;
}

struct field {
	const char *name;
	size_t off;
};

#define CTR_FIELD(f) { #f, offsetof(struct xs_counters, f) },
#define GLB_FIELD(f) { #f, offsetof(struct xs_global, f) },

static const struct field ctr_fields[] = {
	CTR_FIELD(tcp.pkts) CTR_FIELD(tcp.bytes) CTR_FIELD(udp.pkts) CTR_FIELD(udp.bytes)
	CTR_FIELD(icmp.pkts) CTR_FIELD(icmp.bytes) CTR_FIELD(other.pkts) CTR_FIELD(other.bytes)
	CTR_FIELD(syn) CTR_FIELD(synack) CTR_FIELD(rst) CTR_FIELD(fin) CTR_FIELD(frags)
	CTR_FIELD(le64) CTR_FIELD(le128) CTR_FIELD(le256) CTR_FIELD(le512) CTR_FIELD(le1024)
	CTR_FIELD(le1518) CTR_FIELD(gt1518)
	CTR_FIELD(storm) CTR_FIELD(blocked_pkts) CTR_FIELD(blocked_bytes) CTR_FIELD(share)
};

static const struct field glb_fields[] = {
	GLB_FIELD(pkts) GLB_FIELD(bytes) GLB_FIELD(ipv4_pkts) GLB_FIELD(ipv6_pkts)
	GLB_FIELD(non_ip_pkts) GLB_FIELD(non_ip_bytes) GLB_FIELD(malformed_pkts)
	GLB_FIELD(malformed_bytes) GLB_FIELD(err_eth) GLB_FIELD(err_vlan) GLB_FIELD(err_ipv4)
	GLB_FIELD(err_ipv6) GLB_FIELD(err_ipv6_ext) GLB_FIELD(err_tcp) GLB_FIELD(err_udp)
	GLB_FIELD(err_icmp) GLB_FIELD(vlan_deep) GLB_FIELD(lookup_fail) GLB_FIELD(top_dropped)
};

/* A field added to the ABI must be added here, or it goes unchecked. */
_Static_assert(sizeof(ctr_fields) / sizeof(ctr_fields[0]) ==
	       sizeof(struct xs_counters) / sizeof(__u64), "ctr_fields misses a field");
_Static_assert(sizeof(glb_fields) / sizeof(glb_fields[0]) ==
	       sizeof(struct xs_global) / sizeof(__u64), "glb_fields misses a field");

static __u64 field_get(const void *s, const struct field *f)
{
	__u64 v;

	memcpy(&v, (const char *)s + f->off, sizeof(v));
	return v;
}

/* Appends "what: field: got X, want Y" for each differing field; returns
 * the number of differences. */
static int diff_fields(char *msg, size_t len, const char *what, const void *got,
		       const void *want, const struct field *fields, size_t nfields)
{
	int ndiff = 0;
	size_t i, used;

	for (i = 0; i < nfields; i++) {
		__u64 g = field_get(got, &fields[i]), w = field_get(want, &fields[i]);

		if (g == w)
			continue;
		used = strlen(msg);
		snprintf(msg + used, len - used, "\n    %s: %s: got %llu, want %llu", what,
			 fields[i].name, (unsigned long long)g, (unsigned long long)w);
		ndiff++;
	}
	return ndiff;
}

enum g_kind { G_V4 = 1, G_V6, G_NON_IP, G_MALFORMED };

enum {
	E_ETH = 1 << 0,
	E_VLAN = 1 << 1,
	E_IPV4 = 1 << 2,
	E_IPV6 = 1 << 3,
	E_EXT = 1 << 4,
	E_TCP = 1 << 5,
	E_UDP = 1 << 6,
	E_ICMP = 1 << 7,
	E_DEEP = 1 << 8,
};

enum { RUN_BOTH = 0, RUN_XDP_ONLY, RUN_TC_ONLY };
enum { META_NONE = 0, META_WIRE, META_BAD_MAGIC };
enum { HOOK_XDP, HOOK_TC };

/* Knobs where 0 is a meaningful value are stored plus one. */
#define IPLEN(n) ((n) + 1)
#define L4CUT(n) ((n) + 1)
#define BUCKET(b) ((b) + 1)

struct row;
typedef void (*build_fn)(struct pkt *p, const struct row *r, uint16_t sport, uint16_t dport);

struct row {
	const char *name;
	build_fn build;
	/* the frame */
	const char *src, *dst;
	uint8_t proto;		/* IPPROTO_*; 0 is TCP */
	uint8_t tcpflags;
	uint16_t vlan[3];	/* TPIDs of the tags, outermost first */
	const char *ext;	/* IPv6 chain: H R D F, optional hdrlen digit: "H2 R F" */
	uint16_t frag4;		/* IPv4 IP4_MF | IP4_DF | offset */
	uint16_t frag6_off;	/* first Fragment header: offset (8-byte units), M */
	uint8_t frag6_m;
	uint8_t ihl, doff;	/* 0: 5; 0x10 writes 0 */
	uint8_t version;	/* 0: the right one */
	uint16_t ethtype;	/* b_ethtype */
	int iplen;		/* IPLEN(n): IPv4 tot_len / IPv6 payload_len */
	int l4cut;		/* L4CUT(n): frame ends n bytes into the L4 header */
	size_t cut;		/* frame cut to this length */
	size_t payload;		/* bytes after the L4 header */
	size_t frame_len;	/* payload grows the frame to this length */
	size_t pad_to;		/* Ethernet padding, outside the IP length */
	int meta;
	uint32_t wire_len;
	uint32_t weight;	/* in the metadata (0: none); meta META_NONE: the frame's length */
	uint32_t counts;	/* the packets the weight counts as; 0: weight */
	uint32_t linear;	/* XDP: only this many bytes linear, the rest in frags */
	uint16_t gso_segs;	/* TC: the skb is a GSO packet of this many segments */
	uint16_t gso_size;
	int only;
	/* the counts */
	const char *slots;	/* "narrow:in wide:out", "unmatched"; NULL: none */
	int cls;		/* XS_L4_* */
	uint8_t syn, synack, rst, fin, frags;
	int g;
	unsigned int errs;
	int bucket;		/* BUCKET(XS_SIZE_*); 0: by the counted length */
	size_t want_len;	/* assert the built frame has this length */
	uint32_t seg_len;	/* GSO: bytes of each segment on the wire */
};

static int ext_type(char c)
{
	switch (c) {
	case 'H':
		return IPPROTO_HOPOPTS;
	case 'R':
		return IPPROTO_ROUTING;
	case 'D':
		return IPPROTO_DSTOPTS;
	case 'F':
		return IPPROTO_FRAGMENT;
	}
	ck_abort_msg("bad extension header letter '%c' in test data", c);
	return -1;
}

/* "H2 R F" -> types and hdrlens; returns the count. */
static int parse_ext(const char *s, uint8_t *types, uint8_t *lens, int max)
{
	int n = 0;

	for (; s && *s; s++) {
		if (*s == ' ')
			continue;
		ck_assert_msg(n < max, "extension chain too long in test data");
		types[n] = ext_type(*s);
		lens[n] = 0;
		if (s[1] >= '0' && s[1] <= '9')
			lens[n] = *++s - '0';
		n++;
	}
	return n;
}

static size_t l4_header(struct pkt *p, const struct row *r, int family, uint8_t proto,
			uint16_t sport, uint16_t dport)
{
	switch (proto) {
	case IPPROTO_TCP:
		return pkt_tcp_doff(p, sport, dport, r->tcpflags, r->doff ? r->doff : 5);
	case IPPROTO_UDP:
		return pkt_udp(p, sport, dport, 0);
	case IPPROTO_ICMP:
		return pkt_icmp(p, family == 6 ? 128 : 8, 0);
	case IPPROTO_ICMPV6:
		return pkt_icmp(p, 128, 0);
	case IPPROTO_NONE:
		return p->len;
	default:
		pkt_payload(p, 16);
		return p->len - 16;
	}
}

/* Ethernet, the row's VLAN tags, then `type`. */
static void l2_header(struct pkt *p, const struct row *r, uint16_t type)
{
	int n = 0, i;

	while (n < 3 && r->vlan[n])
		n++;
	pkt_eth(p, n ? r->vlan[0] : type);
	for (i = 0; i < n; i++)
		pkt_vlan(p, 100 + i, i + 1 < n ? r->vlan[i + 1] : type);
}

/* The general frame: L2, IPv4 or IPv6 (by the source address) with the
 * row's options, extension chain and fragment fields, an L4 header, then
 * lengths, padding and cuts. */
static void b_ip(struct pkt *p, const struct row *r, uint16_t sport, uint16_t dport)
{
	int family = pkt_family(r->src);
	uint8_t proto = r->proto ? r->proto : IPPROTO_TCP;
	uint8_t types[16], lens[16];
	size_t ip, l4;
	int n, i, first_frag = 1;

	l2_header(p, r, family == 6 ? ETHTYPE_IPV6 : ETHTYPE_IPV4);
	if (family == 4) {
		ip = pkt_ipv4_ihl(p, r->src, r->dst, proto, r->ihl ? r->ihl : 5);
		pkt_ipv4_frag(p, ip, r->frag4);
		if (r->version)
			p->b[ip] = (r->version << 4) | (p->b[ip] & 0x0f);
	} else {
		n = parse_ext(r->ext, types, lens, 16);
		ip = pkt_ipv6(p, r->src, r->dst, n ? types[0] : proto);
		if (r->version)
			p->b[ip] = (r->version << 4) | (p->b[ip] & 0x0f);
		for (i = 0; i < n; i++) {
			uint8_t next = i + 1 < n ? types[i + 1] : proto;

			if (types[i] != IPPROTO_FRAGMENT)
				pkt_ipv6_opt(p, next, lens[i]);
			else if (first_frag)
				pkt_ipv6_frag(p, next, r->frag6_off, r->frag6_m);
			else
				pkt_ipv6_frag(p, next, 0, 0);
			if (types[i] == IPPROTO_FRAGMENT)
				first_frag = 0;
		}
	}
	l4 = l4_header(p, r, family, proto, sport, dport);
	pkt_payload(p, r->payload);
	if (r->frame_len) {
		ck_assert_msg(p->len <= r->frame_len, "%s: headers longer than frame_len",
			      r->name);
		pkt_payload(p, r->frame_len - p->len);
	}
	if (proto == IPPROTO_UDP)
		pkt_be16(p, l4 + 4, p->len - l4);
	if (family == 4) {
		if (r->iplen)
			pkt_ipv4_set_len(p, ip, r->iplen - 1);
		else
			pkt_ipv4_len(p, ip);
	} else {
		if (r->iplen)
			pkt_ipv6_set_len(p, ip, r->iplen - 1);
		else
			pkt_ipv6_len(p, ip);
	}
	pkt_pad_to(p, r->pad_to);
	if (r->l4cut)
		pkt_cut(p, l4 + r->l4cut - 1);
	if (r->cut)
		pkt_cut(p, r->cut);
}

/* A non-IP frame: L2 (tags too), the row's EtherType, padded to 60. */
static void b_ethtype(struct pkt *p, const struct row *r, uint16_t sport, uint16_t dport)
{
	(void)sport;
	(void)dport;
	l2_header(p, r, r->ethtype);
	pkt_payload(p, 28);		/* an ARP body's length */
	pkt_pad_to(p, r->pad_to ? r->pad_to : 60);
	if (r->cut)
		pkt_cut(p, r->cut);
}

/* ICMP destination unreachable (IPv4) quoting the IPv4 header and the
 * whole TCP header of a SYN to the host range: only the outer header may
 * count. */
static void b_icmp_err(struct pkt *p, const struct row *r, uint16_t sport, uint16_t dport)
{
	size_t ip, inner;

	l2_header(p, r, ETHTYPE_IPV4);
	ip = pkt_ipv4(p, r->src, r->dst, IPPROTO_ICMP);
	pkt_icmp(p, 3, 3);
	inner = pkt_ipv4(p, r->dst, "198.18.5.7", IPPROTO_TCP);
	pkt_tcp(p, dport, sport, TH_SYN);
	pkt_ipv4_len(p, inner);
	pkt_ipv4_set_len(p, inner, 40);
	pkt_ipv4_len(p, ip);
}

/* A tunnel (row's proto: 47 GRE, 4 IPIP, 41 6in4) whose inner packet is a
 * SYN between configured ranges: only the outer header may count. */
static void b_tunnel(struct pkt *p, const struct row *r, uint16_t sport, uint16_t dport)
{
	size_t ip, inner, gre;
	int inner6 = r->proto == IPPROTO_IPV6;

	l2_header(p, r, ETHTYPE_IPV4);
	ip = pkt_ipv4(p, r->src, r->dst, r->proto);
	if (r->proto == IPPROTO_GRE) {
		gre = pkt_room(p, 4);
		pkt_be16(p, gre + 2, ETHTYPE_IPV4);
	}
	if (inner6) {
		inner = pkt_ipv6(p, "2001:db8:1:2::7", "2001:db8:ff::1", IPPROTO_TCP);
		pkt_tcp(p, sport, dport, TH_SYN);
		pkt_ipv6_len(p, inner);
	} else {
		inner = pkt_ipv4(p, "198.18.5.7", "198.19.2.1", IPPROTO_TCP);
		pkt_tcp(p, sport, dport, TH_SYN);
		pkt_ipv4_len(p, inner);
	}
	pkt_ipv4_len(p, ip);
}

#define SYN TH_SYN
#define NARROW_IN "narrow:in"
#define UNM "unmatched"

/*
 * The table run against the full config. Addresses: 192.0.2.0/24,
 * 203.0.113.0/24, 3fff::/20 and 2001:db9::/32 match no range; the last
 * octet/group differs per row. Ports are set per row by the runner.
 */
static const struct row rows_full[] = {
	/* TCP flags, IPv4, unmatched source -> narrow */
	{ "v4 tcp syn", b_ip, "192.0.2.1", "198.18.5.1", .tcpflags = SYN,
	  .slots = NARROW_IN, .cls = XS_L4_TCP, .syn = 1, .g = G_V4, .want_len = 54 },
	{ "v4 tcp syn-ack", b_ip, "192.0.2.2", "198.18.5.2", .tcpflags = SYN | TH_ACK,
	  .slots = NARROW_IN, .synack = 1, .g = G_V4 },
	{ "v4 tcp rst", b_ip, "192.0.2.3", "198.18.5.3", .tcpflags = TH_RST,
	  .slots = NARROW_IN, .rst = 1, .g = G_V4 },
	{ "v4 tcp fin", b_ip, "192.0.2.4", "198.18.5.4", .tcpflags = TH_FIN,
	  .slots = NARROW_IN, .fin = 1, .g = G_V4 },
	{ "v4 tcp rst+ack", b_ip, "192.0.2.5", "198.18.5.5", .tcpflags = TH_RST | TH_ACK,
	  .slots = NARROW_IN, .rst = 1, .g = G_V4 },
	{ "v4 tcp fin+ack", b_ip, "192.0.2.6", "198.18.5.106", .tcpflags = TH_FIN | TH_ACK,
	  .slots = NARROW_IN, .fin = 1, .g = G_V4 },
	{ "v4 tcp ecn syn (0xc2)", b_ip, "192.0.2.8", "198.18.5.8",
	  .tcpflags = SYN | TH_ECE | TH_CWR, .slots = NARROW_IN, .syn = 1, .g = G_V4 },
	{ "v4 tcp ecn syn-ack (0x52)", b_ip, "192.0.2.9", "198.18.5.9",
	  .tcpflags = SYN | TH_ACK | TH_ECE, .slots = NARROW_IN, .synack = 1, .g = G_V4 },
	{ "v4 tcp null flags", b_ip, "192.0.2.10", "198.18.5.10", .tcpflags = 0,
	  .slots = NARROW_IN, .g = G_V4 },
	{ "v4 tcp xmas (fin|psh|urg)", b_ip, "192.0.2.11", "198.18.5.11",
	  .tcpflags = TH_FIN | TH_PSH | TH_URG, .slots = NARROW_IN, .fin = 1, .g = G_V4 },
	{ "v4 tcp syn+fin", b_ip, "192.0.2.12", "198.18.5.12", .tcpflags = SYN | TH_FIN,
	  .slots = NARROW_IN, .syn = 1, .fin = 1, .g = G_V4 },
	{ "v4 tcp syn+rst", b_ip, "192.0.2.13", "198.18.5.13", .tcpflags = SYN | TH_RST,
	  .slots = NARROW_IN, .syn = 1, .rst = 1, .g = G_V4 },
	{ "v4 tcp psh+ack with data", b_ip, "192.0.2.14", "198.18.5.14",
	  .tcpflags = TH_PSH | TH_ACK, .payload = 100, .slots = NARROW_IN, .g = G_V4 },
	{ "v4 tcp syn with options (doff 10)", b_ip, "192.0.2.15", "198.18.5.15",
	  .tcpflags = SYN, .doff = 10, .slots = NARROW_IN, .syn = 1, .g = G_V4 },
	{ "v4 tcp syn padded to 60", b_ip, "192.0.2.16", "198.18.5.16", .tcpflags = SYN,
	  .pad_to = 60, .slots = NARROW_IN, .syn = 1, .g = G_V4, .want_len = 60 },

	/* direction */
	{ "v4 src in narrow, dst unmatched -> out", b_ip, "198.18.5.20", "203.0.113.20",
	  .tcpflags = SYN | TH_ACK, .slots = "narrow:out", .synack = 1, .g = G_V4 },
	{ "v4 src in wide, dst in narrow -> both", b_ip, "198.18.9.21", "198.18.5.21",
	  .tcpflags = SYN, .slots = "narrow:in wide:out", .syn = 1, .g = G_V4 },
	{ "v4 src in narrow, dst in dual -> both", b_ip, "198.18.5.22", "198.19.2.22",
	  .proto = IPPROTO_UDP, .slots = "dual:in narrow:out", .cls = XS_L4_UDP, .g = G_V4 },
	{ "v4 src and dst in narrow -> in once", b_ip, "198.18.5.23", "198.18.5.123",
	  .tcpflags = SYN, .slots = NARROW_IN, .syn = 1, .g = G_V4 },
	{ "v4 src and dst in dual (two prefixes) -> in once", b_ip, "198.19.2.24",
	  "198.19.5.24", .tcpflags = SYN, .slots = "dual:in", .syn = 1, .g = G_V4 },
	{ "v4 neither -> unmatched", b_ip, "192.0.2.25", "203.0.113.25", .tcpflags = SYN,
	  .slots = UNM, .syn = 1, .g = G_V4 },

	/* longest prefix */
	{ "v4 dst in /32 inside /24 inside /16 -> host", b_ip, "192.0.2.26", "198.18.5.7",
	  .tcpflags = SYN, .slots = "host:in", .syn = 1, .g = G_V4 },
	{ "v4 src /32 host, dst /24 narrow -> both", b_ip, "198.18.5.7", "198.18.5.27",
	  .tcpflags = SYN, .slots = "narrow:in host:out", .syn = 1, .g = G_V4 },
	{ "v4 dst next to the /32 -> narrow", b_ip, "192.0.2.28", "198.18.5.6",
	  .tcpflags = TH_ACK, .slots = NARROW_IN, .g = G_V4 },
	{ "v4 dst in /16 outside /24 -> wide", b_ip, "192.0.2.29", "198.18.6.29",
	  .tcpflags = SYN, .slots = "wide:in", .syn = 1, .g = G_V4 },
	{ "v4 dst at the /16's last address -> wide", b_ip, "192.0.2.30", "198.18.255.255",
	  .tcpflags = SYN, .slots = "wide:in", .syn = 1, .g = G_V4 },
	{ "v4 dst just below the /16 -> unmatched", b_ip, "192.0.2.31", "198.17.255.255",
	  .tcpflags = SYN, .slots = UNM, .syn = 1, .g = G_V4 },
	{ "v4 dst in dual's /23, upper half -> dual", b_ip, "192.0.2.32", "198.19.5.32",
	  .tcpflags = SYN, .slots = "dual:in", .syn = 1, .g = G_V4 },
	{ "v4 dst just past dual's /23 -> unmatched", b_ip, "192.0.2.33", "198.19.6.33",
	  .tcpflags = SYN, .slots = UNM, .syn = 1, .g = G_V4 },

	/* IPv6 classification */
	{ "v6 tcp syn to v6narrow", b_ip, "3fff::40", "2001:db8:1:2::40", .tcpflags = SYN,
	  .slots = "v6narrow:in", .syn = 1, .g = G_V6, .want_len = 74 },
	{ "v6 dst /128 inside /64 /48 /32 -> host6", b_ip, "3fff::41", "2001:db8:1:2::7",
	  .tcpflags = SYN, .slots = "host6:in", .syn = 1, .g = G_V6 },
	{ "v6 dst next to the /128 -> v6narrow", b_ip, "3fff::42", "2001:db8:1:2::6",
	  .tcpflags = SYN, .slots = "v6narrow:in", .syn = 1, .g = G_V6 },
	{ "v6 dst in /48 outside /64 -> v6mid", b_ip, "3fff::43", "2001:db8:1:3::43",
	  .tcpflags = SYN, .slots = "v6mid:in", .syn = 1, .g = G_V6 },
	{ "v6 dst in /32 outside /48 -> v6wide", b_ip, "3fff::44", "2001:db8:2::44",
	  .tcpflags = SYN, .slots = "v6wide:in", .syn = 1, .g = G_V6 },
	{ "v6 src host6, dst v6mid -> both", b_ip, "2001:db8:1:2::7", "2001:db8:1:9::45",
	  .tcpflags = SYN | TH_ACK, .slots = "v6mid:in host6:out", .synack = 1, .g = G_V6 },
	{ "v6 src v6narrow, dst unmatched -> out", b_ip, "2001:db8:1:2::46", "2001:db9::46",
	  .tcpflags = TH_RST, .slots = "v6narrow:out", .rst = 1, .g = G_V6 },
	{ "v6 src and dst in v6narrow -> in once", b_ip, "2001:db8:1:2::47",
	  "2001:db8:1:2::147", .tcpflags = TH_FIN | TH_ACK, .slots = "v6narrow:in", .fin = 1,
	  .g = G_V6 },
	{ "v6 dst in dual's v6 prefix -> dual", b_ip, "3fff::48", "2001:db8:ff::48",
	  .proto = IPPROTO_UDP, .slots = "dual:in", .cls = XS_L4_UDP, .g = G_V6 },
	{ "v6 neither -> unmatched", b_ip, "3fff::49", "2001:db9::49", .tcpflags = SYN,
	  .slots = UNM, .syn = 1, .g = G_V6 },

	/* L4 classes */
	{ "v4 udp", b_ip, "192.0.2.50", "198.18.5.50", .proto = IPPROTO_UDP, .payload = 20,
	  .slots = NARROW_IN, .cls = XS_L4_UDP, .g = G_V4 },
	{ "v4 icmp echo", b_ip, "192.0.2.51", "198.18.5.51", .proto = IPPROTO_ICMP,
	  .payload = 56, .slots = NARROW_IN, .cls = XS_L4_ICMP, .g = G_V4 },
	{ "v6 udp", b_ip, "3fff::52", "2001:db8:1:2::52", .proto = IPPROTO_UDP,
	  .slots = "v6narrow:in", .cls = XS_L4_UDP, .g = G_V6 },
	{ "v6 icmpv6 echo", b_ip, "3fff::53", "2001:db8:1:2::53", .proto = IPPROTO_ICMPV6,
	  .payload = 56, .slots = "v6narrow:in", .cls = XS_L4_ICMP, .g = G_V6 },
	{ "v4 gre (47) -> other", b_ip, "192.0.2.54", "198.18.5.54", .proto = IPPROTO_GRE,
	  .slots = NARROW_IN, .cls = XS_L4_OTHER, .g = G_V4 },
	{ "v4 esp (50) -> other", b_ip, "192.0.2.55", "198.18.5.55", .proto = IPPROTO_ESP,
	  .slots = NARROW_IN, .cls = XS_L4_OTHER, .g = G_V4 },
	{ "v6 icmp (1) inside ipv6 -> other", b_ip, "3fff::56", "2001:db8:1:2::56",
	  .proto = IPPROTO_ICMP, .slots = "v6narrow:in", .cls = XS_L4_OTHER, .g = G_V6 },
	{ "v4 icmpv6 (58) inside ipv4 -> other", b_ip, "192.0.2.57", "198.18.5.57",
	  .proto = IPPROTO_ICMPV6, .slots = NARROW_IN, .cls = XS_L4_OTHER, .g = G_V4 },
	{ "v6 no next header (59) -> other", b_ip, "3fff::58", "2001:db8:1:2::58",
	  .proto = IPPROTO_NONE, .pad_to = 64, .slots = "v6narrow:in", .cls = XS_L4_OTHER,
	  .g = G_V6 },
	{ "v6 gre (47) -> other", b_ip, "3fff::59", "2001:db8:1:2::59", .proto = IPPROTO_GRE,
	  .slots = "v6narrow:in", .cls = XS_L4_OTHER, .g = G_V6 },
	{ "v4 icmp error quoting a tcp syn -> icmp, no syn", b_icmp_err, "192.0.2.60",
	  "198.18.5.60", .slots = NARROW_IN, .cls = XS_L4_ICMP, .g = G_V4 },
	{ "v4 gre tunnel, inner syn in ranges -> outer only", b_tunnel, "192.0.2.61",
	  "203.0.113.61", .proto = IPPROTO_GRE, .slots = UNM, .cls = XS_L4_OTHER, .g = G_V4 },
	{ "v4 ipip tunnel, inner syn in ranges -> outer only", b_tunnel, "192.0.2.62",
	  "203.0.113.62", .proto = IPPROTO_IPIP, .slots = UNM, .cls = XS_L4_OTHER, .g = G_V4 },
	{ "v4 6in4 tunnel, inner v6 syn in ranges -> outer only", b_tunnel, "192.0.2.63",
	  "198.18.5.63", .proto = IPPROTO_IPV6, .slots = NARROW_IN, .cls = XS_L4_OTHER,
	  .g = G_V4 },

	/* IPv4 header */
	{ "v4 ihl 6 (options) syn", b_ip, "192.0.2.70", "198.18.5.70", .ihl = 6,
	  .tcpflags = SYN, .slots = NARROW_IN, .syn = 1, .g = G_V4 },
	{ "v4 ihl 10 (options) syn", b_ip, "192.0.2.71", "198.18.5.71", .ihl = 10,
	  .tcpflags = SYN, .slots = NARROW_IN, .syn = 1, .g = G_V4 },
	{ "v4 ihl 15 (options) syn", b_ip, "192.0.2.72", "198.18.5.72", .ihl = 15,
	  .tcpflags = SYN, .slots = NARROW_IN, .syn = 1, .g = G_V4, .want_len = 94 },
	{ "v4 ihl 4 -> malformed", b_ip, "192.0.2.73", "198.18.5.73", .ihl = 4,
	  .tcpflags = SYN, .g = G_MALFORMED, .errs = E_IPV4 },
	{ "v4 ihl 0 -> malformed", b_ip, "192.0.2.74", "198.18.5.74", .ihl = 0x10,
	  .tcpflags = SYN, .g = G_MALFORMED, .errs = E_IPV4 },
	{ "v4 version 6 under ethertype ipv4 -> malformed", b_ip, "192.0.2.75",
	  "198.18.5.75", .version = 6, .tcpflags = SYN, .g = G_MALFORMED, .errs = E_IPV4 },
	/* TC test_run refuses an IPv4/IPv6 EtherType with less than the fixed
	 * header behind it (net/bpf/test_run.c): those rows run in XDP, and
	 * their 802.1Q twins, which it does not check, in both. */
	{ "v4 header cut at 19 bytes -> malformed", b_ip, "192.0.2.76", "198.18.5.76",
	  .tcpflags = SYN, .cut = 14 + 19, .g = G_MALFORMED, .errs = E_IPV4,
	  .only = RUN_XDP_ONLY },
	{ "802.1q, v4 header cut at 19 bytes -> malformed", b_ip, "192.0.2.84",
	  "198.18.5.84", .vlan = { 0x8100 }, .tcpflags = SYN, .cut = 18 + 19,
	  .g = G_MALFORMED, .errs = E_IPV4 },
	{ "v4 ethernet header only -> malformed", b_ip, "192.0.2.77", "198.18.5.77",
	  .tcpflags = SYN, .cut = 14, .g = G_MALFORMED, .errs = E_IPV4,
	  .only = RUN_XDP_ONLY },
	{ "802.1q, ethertype ipv4 and nothing after -> malformed", b_ip, "192.0.2.85",
	  "198.18.5.85", .vlan = { 0x8100 }, .tcpflags = SYN, .cut = 18,
	  .g = G_MALFORMED, .errs = E_IPV4 },
	{ "v4 ihl 15, options cut -> malformed", b_ip, "192.0.2.78", "198.18.5.78",
	  .ihl = 15, .tcpflags = SYN, .cut = 14 + 40, .g = G_MALFORMED, .errs = E_IPV4 },
	{ "v4 tot_len 19 < ihl*4 -> malformed", b_ip, "192.0.2.79", "198.18.5.79",
	  .tcpflags = SYN, .iplen = IPLEN(19), .g = G_MALFORMED, .errs = E_IPV4 },
	{ "v4 ihl 6, tot_len 20 < 24 -> malformed", b_ip, "192.0.2.80", "198.18.5.80",
	  .ihl = 6, .tcpflags = SYN, .iplen = IPLEN(20), .g = G_MALFORMED, .errs = E_IPV4 },
	/* A length of 0 bounds the packet (tc gso rows: BIG TCP excepted). */
	{ "v4 tot_len 0 -> malformed", b_ip, "192.0.2.81", "198.18.5.81", .tcpflags = SYN,
	  .payload = 1000, .iplen = IPLEN(0), .g = G_MALFORMED, .errs = E_IPV4 },
	{ "v4 udp, tot_len 0 -> malformed", b_ip, "192.0.2.86", "198.18.5.86",
	  .proto = IPPROTO_UDP, .iplen = IPLEN(0), .g = G_MALFORMED, .errs = E_IPV4 },
	{ "v4 tot_len past the capture (snaplen) -> parsed", b_ip, "192.0.2.82",
	  "198.18.5.82", .tcpflags = SYN, .iplen = IPLEN(1500), .slots = NARROW_IN, .syn = 1,
	  .g = G_V4 },

	/* IPv4 fragments */
	{ "v4 first fragment (mf, off 0) syn -> frag, syn", b_ip, "192.0.2.90",
	  "198.18.5.90", .frag4 = IP4_MF, .tcpflags = SYN, .payload = 100,
	  .slots = NARROW_IN, .syn = 1, .frags = 1, .g = G_V4 },
	{ "v4 later fragment looking like a syn -> frag, no syn", b_ip, "192.0.2.91",
	  "198.18.5.91", .frag4 = IP4_MF | 185, .tcpflags = SYN, .payload = 100,
	  .slots = NARROW_IN, .frags = 1, .g = G_V4 },
	{ "v4 last fragment (off > 0, no mf) -> frag", b_ip, "192.0.2.92", "198.18.5.92",
	  .frag4 = 370, .tcpflags = SYN | TH_ACK, .slots = NARROW_IN, .frags = 1, .g = G_V4 },
	{ "v4 later fragment of 8 bytes -> frag, no err_tcp", b_ip, "192.0.2.93",
	  "198.18.5.93", .frag4 = IP4_MF | 1, .tcpflags = SYN, .iplen = IPLEN(28),
	  .l4cut = L4CUT(8), .slots = NARROW_IN, .frags = 1, .g = G_V4 },
	{ "v4 later udp fragment of 4 bytes -> frag, no err_udp", b_ip, "192.0.2.94",
	  "198.18.5.94", .proto = IPPROTO_UDP, .frag4 = 2, .iplen = IPLEN(24),
	  .l4cut = L4CUT(4), .slots = NARROW_IN, .cls = XS_L4_UDP, .frags = 1, .g = G_V4 },
	{ "v4 df only -> not a fragment", b_ip, "192.0.2.95", "198.18.5.95",
	  .frag4 = IP4_DF, .tcpflags = SYN, .slots = NARROW_IN, .syn = 1, .g = G_V4 },

	/* IPv6 header and fragments */
	{ "v6 header cut at 39 bytes -> malformed", b_ip, "3fff::100", "2001:db8:1:2::100",
	  .tcpflags = SYN, .cut = 14 + 39, .g = G_MALFORMED, .errs = E_IPV6,
	  .only = RUN_XDP_ONLY },
	{ "802.1ad, v6 header cut at 39 bytes -> malformed", b_ip, "3fff::1100",
	  "2001:db8:1:2::1100", .vlan = { 0x88a8 }, .tcpflags = SYN, .cut = 18 + 39,
	  .g = G_MALFORMED, .errs = E_IPV6 },
	{ "v6 version 4 under ethertype ipv6 -> malformed", b_ip, "3fff::101",
	  "2001:db8:1:2::101", .version = 4, .tcpflags = SYN, .g = G_MALFORMED,
	  .errs = E_IPV6 },
	{ "v6 payload_len 0, tcp -> err_tcp, no flags", b_ip, "3fff::102",
	  "2001:db8:1:2::102", .tcpflags = SYN, .payload = 500, .iplen = IPLEN(0),
	  .slots = "v6narrow:in", .g = G_V6, .errs = E_TCP },
	{ "v6 payload_len 0, udp -> err_udp", b_ip, "3fff::1102", "2001:db8:1:2::1102",
	  .proto = IPPROTO_UDP, .iplen = IPLEN(0), .slots = "v6narrow:in", .cls = XS_L4_UDP,
	  .g = G_V6, .errs = E_UDP },
	{ "v6 payload_len 0, icmpv6 -> err_icmp", b_ip, "3fff::2102", "2001:db8:1:2::2102",
	  .proto = IPPROTO_ICMPV6, .iplen = IPLEN(0), .slots = "v6narrow:in",
	  .cls = XS_L4_ICMP, .g = G_V6, .errs = E_ICMP },
	{ "v6 payload_len 0, no next header (59) -> other, whole", b_ip, "3fff::3102",
	  "2001:db8:1:2::3102", .proto = IPPROTO_NONE, .iplen = IPLEN(0), .pad_to = 64,
	  .slots = "v6narrow:in", .cls = XS_L4_OTHER, .g = G_V6 },
	{ "v6 payload_len 0, hop-by-hop -> malformed", b_ip, "3fff::4102",
	  "2001:db8:1:2::4102", .ext = "H", .tcpflags = SYN, .iplen = IPLEN(0),
	  .g = G_MALFORMED, .errs = E_EXT },
	{ "v6 payload_len 0, fragment header -> malformed", b_ip, "3fff::5102",
	  "2001:db8:1:2::5102", .ext = "F", .frag6_m = 1, .tcpflags = SYN, .payload = 64,
	  .iplen = IPLEN(0), .g = G_MALFORMED, .errs = E_EXT },
	{ "v6 first fragment (off 0, m) syn -> frag, syn", b_ip, "3fff::103",
	  "2001:db8:1:2::103", .ext = "F", .frag6_m = 1, .tcpflags = SYN, .payload = 64,
	  .slots = "v6narrow:in", .syn = 1, .frags = 1, .g = G_V6 },
	{ "v6 later fragment looking like a syn -> frag, no syn", b_ip, "3fff::104",
	  "2001:db8:1:2::104", .ext = "F", .frag6_off = 100, .frag6_m = 1, .tcpflags = SYN,
	  .slots = "v6narrow:in", .frags = 1, .g = G_V6 },
	{ "v6 later fragment, next header udp, 2 bytes -> udp", b_ip, "3fff::105",
	  "2001:db8:1:2::105", .ext = "F", .frag6_off = 7, .proto = IPPROTO_UDP,
	  .l4cut = L4CUT(2), .iplen = IPLEN(10), .slots = "v6narrow:in", .cls = XS_L4_UDP,
	  .frags = 1, .g = G_V6 },
	{ "v6 later fragment, next header icmpv6 -> icmp", b_ip, "3fff::106",
	  "2001:db8:1:2::106", .ext = "F", .frag6_off = 9, .frag6_m = 1,
	  .proto = IPPROTO_ICMPV6, .slots = "v6narrow:in", .cls = XS_L4_ICMP, .frags = 1,
	  .g = G_V6 },
	{ "v6 atomic fragment (off 0, no m) -> not a frag, syn", b_ip, "3fff::107",
	  "2001:db8:1:2::107", .ext = "F", .tcpflags = SYN, .slots = "v6narrow:in", .syn = 1,
	  .g = G_V6 },
	{ "v6 hbh then first fragment syn", b_ip, "3fff::108", "2001:db8:1:2::108",
	  .ext = "H F", .frag6_m = 1, .tcpflags = SYN, .slots = "v6narrow:in", .syn = 1,
	  .frags = 1, .g = G_V6 },

	/* IPv6 extension chains */
	{ "v6 hbh, tcp syn", b_ip, "3fff::110", "2001:db8:1:2::110", .ext = "H",
	  .tcpflags = SYN, .slots = "v6narrow:in", .syn = 1, .g = G_V6 },
	{ "v6 routing (24 bytes), udp", b_ip, "3fff::111", "2001:db8:1:2::111", .ext = "R2",
	  .proto = IPPROTO_UDP, .slots = "v6narrow:in", .cls = XS_L4_UDP, .g = G_V6 },
	{ "v6 dstopts, icmpv6", b_ip, "3fff::112", "2001:db8:1:2::112", .ext = "D",
	  .proto = IPPROTO_ICMPV6, .slots = "v6narrow:in", .cls = XS_L4_ICMP, .g = G_V6 },
	{ "v6 hbh routing, tcp syn-ack", b_ip, "3fff::113", "2001:db8:1:2::113",
	  .ext = "H R", .tcpflags = SYN | TH_ACK, .slots = "v6narrow:in", .synack = 1,
	  .g = G_V6 },
	{ "v6 hbh dstopts routing frag(first), udp", b_ip, "3fff::114", "2001:db8:1:2::114",
	  .ext = "H D R F", .frag6_m = 1, .proto = IPPROTO_UDP, .slots = "v6narrow:in",
	  .cls = XS_L4_UDP, .frags = 1, .g = G_V6 },
	{ "v6 hbh(16) dstopts routing dstopts, tcp rst", b_ip, "3fff::115",
	  "2001:db8:1:2::115", .ext = "H1 D R D", .tcpflags = TH_RST, .slots = "v6narrow:in",
	  .rst = 1, .g = G_V6 },
	{ "v6 8 extension headers (the bound), tcp syn", b_ip, "3fff::116",
	  "2001:db8:1:2::116", .ext = "H D R D R D R D", .tcpflags = SYN,
	  .slots = "v6narrow:in", .syn = 1, .g = G_V6 },
	{ "v6 8 extension headers with an atomic frag, icmpv6", b_ip, "3fff::117",
	  "2001:db8:1:2::117", .ext = "H D R F D R D D", .proto = IPPROTO_ICMPV6,
	  .slots = "v6narrow:in", .cls = XS_L4_ICMP, .g = G_V6 },
	{ "v6 9 extension headers -> malformed", b_ip, "3fff::118", "2001:db8:1:2::118",
	  .ext = "H D R D R D R D D", .tcpflags = SYN, .g = G_MALFORMED, .errs = E_EXT },
	{ "v6 ext header cut inside (10 of 24 bytes) -> malformed", b_ip, "3fff::119",
	  "2001:db8:1:2::119", .ext = "H2", .tcpflags = SYN, .cut = 14 + 40 + 10,
	  .g = G_MALFORMED, .errs = E_EXT },
	{ "v6 ext header cut after 1 byte -> malformed", b_ip, "3fff::120",
	  "2001:db8:1:2::120", .ext = "H D", .tcpflags = SYN, .cut = 14 + 40 + 8 + 1,
	  .g = G_MALFORMED, .errs = E_EXT },
	{ "v6 fragment header cut -> malformed", b_ip, "3fff::121", "2001:db8:1:2::121",
	  .ext = "F", .frag6_m = 1, .tcpflags = SYN, .cut = 14 + 40 + 4, .g = G_MALFORMED,
	  .errs = E_EXT },
	{ "v6 ext header past payload_len -> malformed", b_ip, "3fff::122",
	  "2001:db8:1:2::122", .ext = "H1", .tcpflags = SYN, .iplen = IPLEN(8),
	  .g = G_MALFORMED, .errs = E_EXT },
	{ "v6 fragment header past payload_len -> malformed", b_ip, "3fff::123",
	  "2001:db8:1:2::123", .ext = "D F", .frag6_m = 1, .tcpflags = SYN,
	  .iplen = IPLEN(12), .g = G_MALFORMED, .errs = E_EXT },
	{ "v6 tcp past payload_len (padding) -> err_tcp", b_ip, "3fff::124",
	  "2001:db8:1:2::124", .ext = "H", .tcpflags = SYN, .iplen = IPLEN(8 + 10),
	  .slots = "v6narrow:in", .g = G_V6, .errs = E_TCP },

	/* VLAN */
	{ "802.1q tag, v4 syn", b_ip, "192.0.2.130", "198.18.5.130", .vlan = { 0x8100 },
	  .tcpflags = SYN, .slots = NARROW_IN, .syn = 1, .g = G_V4 },
	{ "802.1ad + 802.1q (qinq), v6 syn", b_ip, "3fff::131", "2001:db8:1:2::131",
	  .vlan = { 0x88a8, 0x8100 }, .tcpflags = SYN, .slots = "v6narrow:in", .syn = 1,
	  .g = G_V6 },
	{ "802.1q + 802.1q, v4 udp", b_ip, "192.0.2.132", "198.18.5.132",
	  .vlan = { 0x8100, 0x8100 }, .proto = IPPROTO_UDP, .slots = NARROW_IN,
	  .cls = XS_L4_UDP, .g = G_V4 },
	{ "three tags -> non_ip, vlan_deep", b_ip, "192.0.2.133", "198.18.5.133",
	  .vlan = { 0x88a8, 0x8100, 0x8100 }, .tcpflags = SYN, .g = G_NON_IP,
	  .errs = E_DEEP },
	{ "802.1q tag cut -> malformed", b_ip, "192.0.2.134", "198.18.5.134",
	  .vlan = { 0x8100 }, .tcpflags = SYN, .cut = 14 + 2, .g = G_MALFORMED,
	  .errs = E_VLAN },
	{ "second tag cut -> malformed", b_ip, "192.0.2.135", "198.18.5.135",
	  .vlan = { 0x88a8, 0x8100 }, .tcpflags = SYN, .cut = 14 + 4 + 3, .g = G_MALFORMED,
	  .errs = E_VLAN },
	{ "802.1q tag, arp -> non_ip", b_ethtype, .vlan = { 0x8100 }, .ethtype = ETHTYPE_ARP,
	  .g = G_NON_IP },

	/* Ethernet */
	/* test_run refuses frames under ETH_HLEN in both hooks; a multi-buffer
	 * XDP frame whose linear part holds 13 bytes (1 more in a frag) is
	 * the way to put an Ethernet header past data_end. */
	{ "ethernet header cut at 13 linear bytes (+1 in a frag) -> malformed", b_ip,
	  "192.0.2.140", "198.18.5.140", .tcpflags = SYN, .cut = 14, .linear = 13,
	  .g = G_MALFORMED, .errs = E_ETH, .only = RUN_XDP_ONLY },
	{ "arp -> non_ip", b_ethtype, .ethtype = ETHTYPE_ARP, .g = G_NON_IP },
	{ "lldp (0x88cc) -> non_ip", b_ethtype, .ethtype = ETHTYPE_LLDP, .g = G_NON_IP },
	{ "802.3 length field (llc) -> non_ip", b_ethtype, .ethtype = 0x0026, .g = G_NON_IP },
	{ "arp, bare 14 bytes -> non_ip", b_ethtype, .ethtype = ETHTYPE_ARP, .cut = 14,
	  .g = G_NON_IP },

	/* L4 headers cut or bogus */
	{ "v4 tcp cut after 12 bytes -> err_tcp", b_ip, "192.0.2.150", "198.18.5.150",
	  .tcpflags = SYN, .l4cut = L4CUT(12), .slots = NARROW_IN, .g = G_V4, .errs = E_TCP },
	{ "v4 tcp cut after 14 bytes (flags in) -> err_tcp, no flags", b_ip, "192.0.2.151",
	  "198.18.5.151", .tcpflags = SYN, .l4cut = L4CUT(14), .slots = NARROW_IN, .g = G_V4,
	  .errs = E_TCP },
	{ "v4 tcp absent (ip payload empty) -> err_tcp", b_ip, "192.0.2.152",
	  "198.18.5.152", .tcpflags = SYN, .iplen = IPLEN(20), .pad_to = 60,
	  .slots = NARROW_IN, .g = G_V4, .errs = E_TCP },
	{ "v4 tcp doff 4 -> err_tcp, no flags", b_ip, "192.0.2.153", "198.18.5.153",
	  .tcpflags = SYN, .doff = 4, .slots = NARROW_IN, .g = G_V4, .errs = E_TCP },
	{ "v4 tcp doff 0 -> err_tcp, no flags", b_ip, "192.0.2.154", "198.18.5.154",
	  .tcpflags = SYN | TH_FIN | TH_RST, .doff = 0x10, .slots = NARROW_IN, .g = G_V4,
	  .errs = E_TCP },
	{ "v4 tcp past tot_len (ethernet padding) -> err_tcp", b_ip, "192.0.2.155",
	  "198.18.5.155", .tcpflags = SYN, .iplen = IPLEN(20 + 10), .pad_to = 60,
	  .slots = NARROW_IN, .g = G_V4, .errs = E_TCP, .want_len = 60 },
	{ "v4 udp cut after 4 bytes -> err_udp", b_ip, "192.0.2.156", "198.18.5.156",
	  .proto = IPPROTO_UDP, .l4cut = L4CUT(4), .slots = NARROW_IN, .cls = XS_L4_UDP,
	  .g = G_V4, .errs = E_UDP },
	{ "v4 udp past tot_len (padding) -> err_udp", b_ip, "192.0.2.157", "198.18.5.157",
	  .proto = IPPROTO_UDP, .iplen = IPLEN(24), .pad_to = 60, .slots = NARROW_IN,
	  .cls = XS_L4_UDP, .g = G_V4, .errs = E_UDP },
	{ "v6 udp cut after 6 bytes -> err_udp", b_ip, "3fff::158", "2001:db8:1:2::158",
	  .proto = IPPROTO_UDP, .l4cut = L4CUT(6), .slots = "v6narrow:in", .cls = XS_L4_UDP,
	  .g = G_V6, .errs = E_UDP },
	{ "v4 icmp cut after 2 bytes -> err_icmp", b_ip, "192.0.2.159", "198.18.5.159",
	  .proto = IPPROTO_ICMP, .l4cut = L4CUT(2), .slots = NARROW_IN, .cls = XS_L4_ICMP,
	  .g = G_V4, .errs = E_ICMP },
	{ "v6 icmpv6 cut after 3 bytes -> err_icmp", b_ip, "3fff::160", "2001:db8:1:2::160",
	  .proto = IPPROTO_ICMPV6, .l4cut = L4CUT(3), .slots = "v6narrow:in",
	  .cls = XS_L4_ICMP, .g = G_V6, .errs = E_ICMP },
	{ "v6 tcp cut after 12 bytes -> err_tcp", b_ip, "3fff::161", "2001:db8:1:2::161",
	  .tcpflags = SYN, .l4cut = L4CUT(12), .slots = "v6narrow:in", .g = G_V6,
	  .errs = E_TCP },

	/* size buckets (UDP to narrow; bytes = frame length) */
	{ "size 60 -> le64", b_ip, "192.0.2.170", "198.18.5.170", .proto = IPPROTO_UDP,
	  .frame_len = 60, .slots = NARROW_IN, .cls = XS_L4_UDP, .g = G_V4,
	  .bucket = BUCKET(XS_SIZE_LE64), .want_len = 60 },
	{ "size 64 -> le64", b_ip, "192.0.2.171", "198.18.5.171", .proto = IPPROTO_UDP,
	  .frame_len = 64, .slots = NARROW_IN, .cls = XS_L4_UDP, .g = G_V4,
	  .bucket = BUCKET(XS_SIZE_LE64), .want_len = 64 },
	{ "size 65 -> le128", b_ip, "192.0.2.172", "198.18.5.172", .proto = IPPROTO_UDP,
	  .frame_len = 65, .slots = NARROW_IN, .cls = XS_L4_UDP, .g = G_V4,
	  .bucket = BUCKET(XS_SIZE_LE128), .want_len = 65 },
	{ "size 128 -> le128", b_ip, "192.0.2.173", "198.18.5.173", .proto = IPPROTO_UDP,
	  .frame_len = 128, .slots = NARROW_IN, .cls = XS_L4_UDP, .g = G_V4,
	  .bucket = BUCKET(XS_SIZE_LE128), .want_len = 128 },
	{ "size 129 -> le256", b_ip, "192.0.2.174", "198.18.5.174", .proto = IPPROTO_UDP,
	  .frame_len = 129, .slots = NARROW_IN, .cls = XS_L4_UDP, .g = G_V4,
	  .bucket = BUCKET(XS_SIZE_LE256), .want_len = 129 },
	{ "size 256 -> le256", b_ip, "192.0.2.175", "198.18.5.175", .proto = IPPROTO_UDP,
	  .frame_len = 256, .slots = NARROW_IN, .cls = XS_L4_UDP, .g = G_V4,
	  .bucket = BUCKET(XS_SIZE_LE256), .want_len = 256 },
	{ "size 257 -> le512", b_ip, "192.0.2.176", "198.18.5.176", .proto = IPPROTO_UDP,
	  .frame_len = 257, .slots = NARROW_IN, .cls = XS_L4_UDP, .g = G_V4,
	  .bucket = BUCKET(XS_SIZE_LE512), .want_len = 257 },
	{ "size 512 -> le512", b_ip, "192.0.2.177", "198.18.5.177", .proto = IPPROTO_UDP,
	  .frame_len = 512, .slots = NARROW_IN, .cls = XS_L4_UDP, .g = G_V4,
	  .bucket = BUCKET(XS_SIZE_LE512), .want_len = 512 },
	{ "size 513 -> le1024", b_ip, "192.0.2.178", "198.18.5.178", .proto = IPPROTO_UDP,
	  .frame_len = 513, .slots = NARROW_IN, .cls = XS_L4_UDP, .g = G_V4,
	  .bucket = BUCKET(XS_SIZE_LE1024), .want_len = 513 },
	{ "size 1024 -> le1024", b_ip, "192.0.2.179", "198.18.5.179", .proto = IPPROTO_UDP,
	  .frame_len = 1024, .slots = NARROW_IN, .cls = XS_L4_UDP, .g = G_V4,
	  .bucket = BUCKET(XS_SIZE_LE1024), .want_len = 1024 },
	{ "size 1025 -> le1518", b_ip, "192.0.2.180", "198.18.5.180", .proto = IPPROTO_UDP,
	  .frame_len = 1025, .slots = NARROW_IN, .cls = XS_L4_UDP, .g = G_V4,
	  .bucket = BUCKET(XS_SIZE_LE1518), .want_len = 1025 },
	{ "size 1518 -> le1518", b_ip, "192.0.2.181", "198.18.5.181", .proto = IPPROTO_UDP,
	  .frame_len = 1518, .slots = NARROW_IN, .cls = XS_L4_UDP, .g = G_V4,
	  .bucket = BUCKET(XS_SIZE_LE1518), .want_len = 1518 },
	{ "size 1519 -> gt1518", b_ip, "192.0.2.182", "198.18.5.182", .proto = IPPROTO_UDP,
	  .frame_len = 1519, .slots = NARROW_IN, .cls = XS_L4_UDP, .g = G_V4,
	  .bucket = BUCKET(XS_SIZE_GT1518), .want_len = 1519 },
	{ "size 2000 -> gt1518", b_ip, "192.0.2.183", "198.18.5.183", .proto = IPPROTO_UDP,
	  .frame_len = 2000, .slots = NARROW_IN, .cls = XS_L4_UDP, .g = G_V4,
	  .bucket = BUCKET(XS_SIZE_GT1518), .want_len = 2000 },
	{ "size 9000, xdp multi-buffer -> gt1518", b_ip, "3fff::184", "2001:db8:1:2::184",
	  .proto = IPPROTO_UDP, .frame_len = 9000, .slots = "v6narrow:in", .cls = XS_L4_UDP,
	  .g = G_V6, .bucket = BUCKET(XS_SIZE_GT1518), .want_len = 9000,
	  /* over a page: only XDP (frags) takes it in test_run */
	  .only = RUN_XDP_ONLY },

	/* replay metadata: bytes and bucket follow wire_len */
	{ "meta wire_len 9000 on a 64-byte frame -> gt1518", b_ip, "192.0.2.190",
	  "198.18.5.190", .proto = IPPROTO_UDP, .frame_len = 64, .meta = META_WIRE,
	  .wire_len = 9000, .slots = NARROW_IN, .cls = XS_L4_UDP, .g = G_V4,
	  .bucket = BUCKET(XS_SIZE_GT1518) },
	{ "meta wire_len 1518 on a 128-byte frame -> le1518", b_ip, "192.0.2.191",
	  "198.18.5.191", .tcpflags = SYN, .frame_len = 128, .meta = META_WIRE,
	  .wire_len = 1518, .slots = NARROW_IN, .syn = 1, .g = G_V4,
	  .bucket = BUCKET(XS_SIZE_LE1518) },
	{ "meta wire_len 1519 on a 96-byte frame -> gt1518", b_ip, "3fff::192",
	  "2001:db8:1:2::192", .tcpflags = SYN, .frame_len = 96, .meta = META_WIRE,
	  .wire_len = 1519, .slots = "v6narrow:in", .syn = 1, .g = G_V6,
	  .bucket = BUCKET(XS_SIZE_GT1518) },
	{ "meta wire_len equal to the frame", b_ip, "192.0.2.193", "198.18.5.193",
	  .proto = IPPROTO_UDP, .frame_len = 200, .meta = META_WIRE, .wire_len = 200,
	  .slots = NARROW_IN, .cls = XS_L4_UDP, .g = G_V4, .bucket = BUCKET(XS_SIZE_LE256) },
	{ "meta with a wrong magic is ignored", b_ip, "192.0.2.194", "198.18.5.194",
	  .proto = IPPROTO_UDP, .frame_len = 100, .meta = META_BAD_MAGIC, .wire_len = 9000,
	  .slots = NARROW_IN, .cls = XS_L4_UDP, .g = G_V4, .bucket = BUCKET(XS_SIZE_LE128) },
	{ "meta on a malformed frame -> malformed_bytes = wire_len", b_ip, "192.0.2.195",
	  "198.18.5.195", .vlan = { 0x8100 }, .tcpflags = SYN, .cut = 18 + 10,
	  .meta = META_WIRE,
	  .wire_len = 1000, .g = G_MALFORMED, .errs = E_IPV4 },
	{ "meta on a non-ip frame -> non_ip_bytes = wire_len", b_ethtype,
	  .ethtype = ETHTYPE_LLDP, .meta = META_WIRE, .wire_len = 1400, .g = G_NON_IP },
	{ "meta on a both-direction frame -> both slots wire_len", b_ip, "198.18.9.196",
	  "198.18.5.7", .tcpflags = SYN, .meta = META_WIRE, .wire_len = 600,
	  .slots = "host:in wide:out", .syn = 1, .g = G_V4, .bucket = BUCKET(XS_SIZE_LE1024) },
};

#define NROWS_FULL (sizeof(rows_full) / sizeof(rows_full[0]))

/* Run against the configs that lack one family entirely. */
static const struct row rows_v4only[] = {
	{ "v4only: v4 syn into the range", b_ip, "192.0.2.200", "198.19.0.200",
	  .tcpflags = SYN, .slots = "only4:in", .syn = 1, .g = G_V4 },
	{ "v4only: v4 from the range out", b_ip, "198.18.77.201", "203.0.113.201",
	  .proto = IPPROTO_UDP, .slots = "only4:out", .cls = XS_L4_UDP, .g = G_V4 },
	{ "v4only: v6 syn between 2001:db8:: addresses -> unmatched", b_ip,
	  "2001:db8:1:2::7", "2001:db8:1:2::202", .tcpflags = SYN, .slots = UNM, .syn = 1,
	  .g = G_V6 },
	{ "v4only: v6 icmpv6 -> unmatched", b_ip, "2001:db8::203", "3fff::203",
	  .proto = IPPROTO_ICMPV6, .slots = UNM, .cls = XS_L4_ICMP, .g = G_V6 },
};

static const struct row rows_v6only[] = {
	{ "v6only: v6 syn into the range", b_ip, "3fff::210", "2001:db8:1:2::210",
	  .tcpflags = SYN, .slots = "only6:in", .syn = 1, .g = G_V6 },
	{ "v6only: v4 syn between 198.18 addresses -> unmatched", b_ip, "198.18.5.7",
	  "198.18.5.211", .tcpflags = SYN, .slots = UNM, .syn = 1, .g = G_V4 },
};

#define NROWS_V4ONLY (sizeof(rows_v4only) / sizeof(rows_v4only[0]))
#define NROWS_V6ONLY (sizeof(rows_v6only) / sizeof(rows_v6only[0]))

static const char *hook_name(int hook)
{
	return hook == HOOK_XDP ? "xdp" : "tc";
}

/* The size buckets of include/xdpscope.h, written out independently. */
static int bucket_of(uint64_t len)
{
	static const uint64_t tops[] = { 64, 128, 256, 512, 1024, 1518 };
	int i;

	for (i = 0; i < 6; i++)
		if (len <= tops[i])
			return i;
	return XS_SIZE_GT1518;
}

static uint32_t range_id(const struct world *w, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < w->cfg.nranges; i++)
		if (strlen(w->cfg.ranges[i].name) == len &&
		    !strncmp(w->cfg.ranges[i].name, name, len))
			return i + 1;
	ck_abort_msg("unknown range '%.*s' in test data", (int)len, name);
	return 0;
}

static void slot_name(const struct world *w, uint32_t slot, char *buf, size_t len)
{
	if (slot == 0)
		snprintf(buf, len, "unmatched");
	else if (slot / 2 == 0)
		snprintf(buf, len, "slot 1 (unused)");
	else
		snprintf(buf, len, "%s/%s", w->cfg.ranges[slot / 2 - 1].name,
			 slot & 1 ? "out" : "in");
}

/* Marks the slots named in "narrow:in wide:out" / "unmatched". */
static void want_slots(const struct world *w, const char *s, unsigned char *hit)
{
	while (s && *s) {
		const char *end = strchr(s, ' '), *colon;
		size_t len = end ? (size_t)(end - s) : strlen(s);

		if (len == 9 && !strncmp(s, "unmatched", 9)) {
			hit[0] = 1;
		} else {
			colon = memchr(s, ':', len);
			ck_assert_msg(colon, "bad slot '%.*s' in test data", (int)len, s);
			hit[range_id(w, s, colon - s) * 2 +
			    (!strncmp(colon + 1, "out", 3) ? XS_DIR_OUT : XS_DIR_IN)] = 1;
		}
		s += len;
		while (*s == ' ')
			s++;
	}
}

static void expect_slot(struct xs_counters *e, const struct row *r, uint64_t bytes,
			uint64_t n)
{
	struct xs_class *c = &e->tcp + r->cls;
	int b = r->bucket ? r->bucket - 1 : bucket_of(bytes);

	memset(e, 0, sizeof(*e));
	c->pkts = n;
	c->bytes = bytes * n;
	e->syn = r->syn * n;
	e->synack = r->synack * n;
	e->rst = r->rst * n;
	e->fin = r->fin * n;
	e->frags = r->frags * n;
	(&e->le64)[b] = n;
}

static void expect_global(struct xs_global *g, const struct row *r, uint64_t bytes,
			  uint64_t n)
{
	memset(g, 0, sizeof(*g));
	g->pkts = n;
	g->bytes = bytes * n;
	switch (r->g) {
	case G_V4:
		g->ipv4_pkts = n;
		break;
	case G_V6:
		g->ipv6_pkts = n;
		break;
	case G_NON_IP:
		g->non_ip_pkts = n;
		g->non_ip_bytes = bytes * n;
		break;
	case G_MALFORMED:
		g->malformed_pkts = n;
		g->malformed_bytes = bytes * n;
		break;
	default:
		ck_abort_msg("%s: no global kind in test data", r->name);
	}
	g->err_eth = !!(r->errs & E_ETH) * n;
	g->err_vlan = !!(r->errs & E_VLAN) * n;
	g->err_ipv4 = !!(r->errs & E_IPV4) * n;
	g->err_ipv6 = !!(r->errs & E_IPV6) * n;
	g->err_ipv6_ext = !!(r->errs & E_EXT) * n;
	g->err_tcp = !!(r->errs & E_TCP) * n;
	g->err_udp = !!(r->errs & E_UDP) * n;
	g->err_icmp = !!(r->errs & E_ICMP) * n;
	g->vlan_deep = !!(r->errs & E_DEEP) * n;
}

/* Runs the frame `repeat` times through the hook, with the row's replay
 * metadata (XDP data_meta, TC skb->cb) if any. */
static void run_frame(struct world *w, int hook, const struct row *r, const struct pkt *p,
		      uint32_t repeat)
{
	static uint8_t buf[sizeof(struct xs_meta) + PKT_MAX];
	struct xs_meta meta = {
		.magic = r->meta == META_WIRE ? XS_META_MAGIC : 0x6e6f7065,
		.wire_len = r->wire_len,
		.weight = r->weight,
	};
	struct xdp_md xmd = {};
	struct __sk_buff skb = {};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->b, .data_size_in = p->len,
		    .repeat = repeat);
	int fd, err;

	if (hook == HOOK_XDP) {
		fd = loader_xdp_fd(&w->l);
		if (r->linear) {
			/* data_end below data_size_in: the rest goes to frags */
			xmd.data_end = r->linear;
			opts.ctx_in = &xmd;
			opts.ctx_size_in = sizeof(xmd);
		}
		if (r->meta != META_NONE) {
			/* The kernel's rules: data_meta 0, data = the metadata
			 * length (a multiple of 4, at most 32), data_end = the
			 * whole input. */
			memcpy(buf, &meta, sizeof(meta));
			memcpy(buf + sizeof(meta), p->b, p->len);
			xmd.data = sizeof(meta);
			xmd.data_end = sizeof(meta) + p->len;
			opts.data_in = buf;
			opts.data_size_in = sizeof(meta) + p->len;
			opts.ctx_in = &xmd;
			opts.ctx_size_in = sizeof(xmd);
		}
	} else {
		fd = loader_tc_fd(&w->l);
		if (r->meta != META_NONE) {
			skb.cb[0] = meta.magic;
			skb.cb[1] = meta.wire_len;
			skb.cb[2] = meta.magic ^ meta.wire_len;
			if (r->weight) {
				skb.cb[3] = r->weight;
				skb.cb[4] = meta.magic ^ r->weight;
			}
			opts.ctx_in = &skb;
			opts.ctx_size_in = sizeof(skb);
		}
		if (r->gso_segs) {
			skb.gso_segs = r->gso_segs;
			skb.gso_size = r->gso_size;
			opts.ctx_in = &skb;
			opts.ctx_size_in = sizeof(skb);
		}
	}
	err = bpf_prog_test_run_opts(fd, &opts);
	ck_assert_msg(!err, "[%s] %s: BPF_PROG_TEST_RUN of a %zu-byte frame failed: %s",
		      hook_name(hook), r->name, p->len, strerror(errno));
	ck_assert_msg(opts.retval == (hook == HOOK_XDP ? XDP_PASS : TC_ACT_OK),
		      "[%s] %s: verdict %u, want %s", hook_name(hook), r->name, opts.retval,
		      hook == HOOK_XDP ? "XDP_PASS" : "TC_ACT_OK");
}

static void check_row(struct world *w, int hook, const struct row *row, int idx,
		      uint32_t repeat)
{
	static struct pkt p;
	struct row rw = *row, *r = &rw;
	unsigned char hit[XS_SLOTS(16)] = { 0 };
	struct snap before, after;
	struct xs_counters got, want, zero = { 0 };
	struct xs_global gd, gw;
	char msg[8192] = "", what[160], sname[64];
	uint64_t bytes, classified, n;
	uint16_t sport = 40000 + 11 * idx, dport = 1000 + 7 * idx;
	int ndiff = 0;
	uint32_t s;

	ck_assert_msg(w->loaded, "loading the BPF object failed: %s", w->err);
	ck_assert(w->nslots <= sizeof(hit));
	if ((r->only == RUN_XDP_ONLY && hook != HOOK_XDP) ||
	    (r->only == RUN_TC_ONLY && hook != HOOK_TC))
		return;

	memset(&p, 0, sizeof(p));
	r->build(&p, r, sport, dport);
	if (r->want_len)
		ck_assert_msg(p.len == r->want_len, "%s: built %zu bytes, want %zu", r->name,
			      p.len, r->want_len);
	if (r->weight && r->meta == META_NONE) {
		r->meta = META_WIRE;
		r->wire_len = p.len;
	}
	bytes = r->meta == META_WIRE ? r->wire_len : p.len;
	n = repeat;
	if (r->weight && r->meta == META_WIRE)
		n *= r->counts ? r->counts : r->weight;
	if (r->gso_segs) {
		/* what the wire carries: gso_segs frames of seg_len bytes */
		n *= r->gso_segs;
		bytes = r->seg_len;
	}
	want_slots(w, r->slots, hit);

	snap_read(w, &before);
	run_frame(w, hook, r, &p, repeat);
	snap_read(w, &after);

	expect_slot(&want, r, bytes, n);
	for (s = 0; s < w->nslots; s++) {
		counters_delta(&got, &after.slots[s], &before.slots[s]);
		slot_name(w, s, sname, sizeof(sname));
		snprintf(what, sizeof(what), "slot %s", sname);
		ndiff += diff_fields(msg, sizeof(msg), what, &got, hit[s] ? &want : &zero,
				     ctr_fields, sizeof(ctr_fields) / sizeof(ctr_fields[0]));
	}
	global_delta(&gd, &after.g, &before.g);
	expect_global(&gw, r, bytes, n);
	ndiff += diff_fields(msg, sizeof(msg), "global", &gd, &gw, glb_fields,
			     sizeof(glb_fields) / sizeof(glb_fields[0]));
	classified = gd.ipv4_pkts + gd.ipv6_pkts + gd.non_ip_pkts + gd.malformed_pkts;
	snap_free(&before);
	snap_free(&after);

	ck_assert_msg(!ndiff, "[%s] %s (%zu-byte frame, x%u): %d field(s) differ:%s",
		      hook_name(hook), r->name, p.len, repeat, ndiff, msg);
	/* Redundant with the exact compare, but the invariant by name. */
	ck_assert_msg(classified == n,
		      "[%s] %s: ipv4+ipv6+non_ip+malformed grew by %llu, want %llu",
		      hook_name(hook), r->name, (unsigned long long)classified,
		      (unsigned long long)n);
}

/* What the loader put in the classifier maps must be what trie_build
 * computed, entry for entry, as the kernel reads it (not through the
 * loader's own mmap). */
static void check_tables(struct world *w)
{
	ck_assert_msg(w->loaded, "loading the BPF object failed: %s", w->err);
	ck_assert_msg(!w->tables_err[0],
		      "loader: the classifier maps differ from the tries (rewritten for the "
		      "other tests):%s", w->tables_err);
}

START_TEST(test_tables_full)
{
	check_tables(&w_full);
}
END_TEST

START_TEST(test_tables_one_family)
{
	check_tables(_i ? &w_v6only : &w_v4only);
}
END_TEST

START_TEST(test_full_xdp)
{
	check_row(&w_full, HOOK_XDP, &rows_full[_i], _i, 1);
}
END_TEST

START_TEST(test_full_tc)
{
	check_row(&w_full, HOOK_TC, &rows_full[_i], _i, 1);
}
END_TEST

START_TEST(test_v4only)
{
	int hook = _i & 1, i = _i / 2;

	check_row(&w_v4only, hook, &rows_v4only[i], 300 + i, 1);
}
END_TEST

START_TEST(test_v6only)
{
	int hook = _i & 1, i = _i / 2;

	check_row(&w_v6only, hook, &rows_v6only[i], 320 + i, 1);
}
END_TEST

/* One test_run with repeat = 1000: the per-CPU copies must add up to
 * exactly 1000 of everything. */
static const struct row repeat_rows[] = {
	{ "repeat 1000: v4 syn, narrow in + wide out", b_ip, "198.18.200.1", "198.18.5.250",
	  .tcpflags = SYN, .frame_len = 100, .slots = "narrow:in wide:out", .syn = 1,
	  .g = G_V4 },
	{ "repeat 1000: v6 first fragment udp, with wire_len", b_ip, "3fff::251",
	  "2001:db8:1:2::7", .ext = "H F", .frag6_m = 1, .proto = IPPROTO_UDP,
	  .meta = META_WIRE, .wire_len = 1400, .slots = "host6:in", .cls = XS_L4_UDP,
	  .frags = 1, .g = G_V6 },
	{ "repeat 1000: malformed", b_ip, "192.0.2.252", "198.18.5.252", .ihl = 3,
	  .g = G_MALFORMED, .errs = E_IPV4 },
};

/*
 * TC egress sees GSO packets: one skb of gso_segs segments that leave as
 * gso_segs frames, each with its own headers. "Exact, every packet"
 * means counting what the wire carries, not one jumbo skb.
 */
static const struct row gso_rows[] = {
	{ "tc gso: tcp 3 x 1000 -> 3 packets of 1054 bytes", b_ip, "198.18.5.230",
	  "203.0.113.230", .tcpflags = TH_ACK, .payload = 3000, .gso_segs = 3,
	  .gso_size = 1000, .seg_len = 14 + 20 + 20 + 1000, .slots = "narrow:out",
	  .g = G_V4, .bucket = BUCKET(XS_SIZE_LE1518), .want_len = 3054,
	  .only = RUN_TC_ONLY },
	{ "tc gso: v6 udp 2 x 1200 -> 2 packets of 1262 bytes", b_ip, "2001:db8:1:2::231",
	  "3fff::231", .proto = IPPROTO_UDP, .payload = 2400, .gso_segs = 2,
	  .gso_size = 1200, .seg_len = 14 + 40 + 8 + 1200, .slots = "v6narrow:out",
	  .cls = XS_L4_UDP, .g = G_V6, .bucket = BUCKET(XS_SIZE_LE1518), .want_len = 2462,
	  .only = RUN_TC_ONLY },
	/* BIG TCP: a GSO packet over 64 KiB has a length field of 0. */
	{ "tc gso: v4 tot_len 0 (big tcp) -> to the frame end", b_ip, "198.18.5.232",
	  "203.0.113.232", .tcpflags = TH_ACK, .payload = 3000, .iplen = IPLEN(0),
	  .gso_segs = 3, .gso_size = 1000, .seg_len = 14 + 20 + 20 + 1000,
	  .slots = "narrow:out", .g = G_V4, .bucket = BUCKET(XS_SIZE_LE1518),
	  .want_len = 3054, .only = RUN_TC_ONLY },
	{ "tc gso: v6 payload_len 0 (big tcp) -> to the frame end", b_ip,
	  "2001:db8:1:2::233", "3fff::233", .tcpflags = TH_ACK, .payload = 2400,
	  .iplen = IPLEN(0), .gso_segs = 2, .gso_size = 1200, .seg_len = 14 + 40 + 20 + 1200,
	  .slots = "v6narrow:out", .g = G_V6, .bucket = BUCKET(XS_SIZE_LE1518),
	  .want_len = 2474, .only = RUN_TC_ONLY },
	{ "tc gso: v6 payload_len 0, hop-by-hop (big tcp) -> to the frame end", b_ip,
	  "2001:db8:1:2::234", "3fff::234", .ext = "H", .tcpflags = TH_ACK, .payload = 2400,
	  .iplen = IPLEN(0), .gso_segs = 2, .gso_size = 1200,
	  .seg_len = 14 + 40 + 8 + 20 + 1200, .slots = "v6narrow:out", .g = G_V6,
	  .bucket = BUCKET(XS_SIZE_LE1518), .want_len = 2482, .only = RUN_TC_ONLY },
	{ "tc gso: v6 payload_len 0, fragment header -> malformed", b_ip,
	  "2001:db8:1:2::235", "3fff::235", .ext = "F", .frag6_m = 1, .tcpflags = TH_ACK,
	  .payload = 2318, .iplen = IPLEN(0), .gso_segs = 2, .gso_size = 1200,
	  .seg_len = 1200, .g = G_MALFORMED, .errs = E_EXT, .want_len = 2400,
	  .only = RUN_TC_ONLY },
};

/*
 * A sampled frame (sFlow) stands for `weight` packets: every row of the
 * table again, with a weight in the metadata, counts weight times
 * everything (packets, bytes, buckets, classes, flags, fragments, errors).
 * Weight 1 counts as no metadata. Rows whose frame is not one linear
 * segment (multi-buffer, GSO) or whose metadata is refused are left out.
 */
static const uint32_t weights[] = { 7, 1, 1000 };
#define NWEIGHTS (sizeof(weights) / sizeof(weights[0]))

static void check_weighted(int hook, int i)
{
	struct row r = rows_full[i / NWEIGHTS];

	if (r.linear || r.gso_segs || r.meta == META_BAD_MAGIC)
		return;
	r.weight = weights[i % NWEIGHTS];
	check_row(&w_full, hook, &r, i / NWEIGHTS, 1);
}

START_TEST(test_weighted_xdp)
{
	check_weighted(HOOK_XDP, _i);
}
END_TEST

START_TEST(test_weighted_tc)
{
	check_weighted(HOOK_TC, _i);
}
END_TEST

/* The weight's edges: 0 counts 1, over XS_WEIGHT_MAX counts XS_WEIGHT_MAX;
 * at TC a weight whose check word disagrees counts 1. */
static const struct row weight_rows[] = {
	{ "weight 0 counts 1", b_ip, "198.18.200.40", "198.18.5.40", .tcpflags = SYN,
	  .meta = META_WIRE, .wire_len = 300, .weight = 0, .slots = "narrow:in wide:out",
	  .syn = 1, .g = G_V4 },
	{ "weight over the maximum counts the maximum", b_ip, "198.18.200.41",
	  "198.18.5.41", .tcpflags = SYN, .meta = META_WIRE, .wire_len = 1500,
	  .weight = XS_WEIGHT_MAX + 1, .counts = XS_WEIGHT_MAX, .slots = "narrow:in wide:out",
	  .syn = 1, .g = G_V4 },
};

START_TEST(test_weight_edges)
{
	check_row(&w_full, _i & 1, &weight_rows[_i / 2], 540 + _i / 2, 1);
}
END_TEST

START_TEST(test_tc_weight_check)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct __sk_buff skb = {};
	struct snap before, after;
	struct xs_global gd;
	static struct pkt p;
	struct row r = weight_rows[0];

	ck_assert_msg(w_full.loaded, "loading the BPF object failed: %s", w_full.err);
	memset(&p, 0, sizeof(p));
	r.build(&p, &r, 40001, 1001);
	skb.cb[0] = XS_META_MAGIC;
	skb.cb[1] = 300;
	skb.cb[2] = XS_META_MAGIC ^ 300;
	skb.cb[3] = 50;
	skb.cb[4] = XS_META_MAGIC ^ 51;
	opts.data_in = p.b;
	opts.data_size_in = p.len;
	opts.ctx_in = &skb;
	opts.ctx_size_in = sizeof(skb);
	snap_read(&w_full, &before);
	ck_assert(!bpf_prog_test_run_opts(loader_tc_fd(&w_full.l), &opts));
	snap_read(&w_full, &after);
	global_delta(&gd, &after.g, &before.g);
	snap_free(&before);
	snap_free(&after);
	ck_assert_uint_eq(gd.pkts, 1);
	ck_assert_uint_eq(gd.bytes, 300);
}
END_TEST

START_TEST(test_tc_gso)
{
	check_row(&w_full, HOOK_TC, &gso_rows[_i], 500 + _i, 1);
}
END_TEST

/* DESIGN: the daemon prints the kernel memory a config will use and
 * refuses one over budget, so loader_kernel_mem() must not fall short of
 * what the kernel charges for the maps (90%: headers and page rounding
 * are the kernel's business). */
START_TEST(test_kernel_mem)
{
	struct world *w = &w_full;
	uint64_t actual, est;
	char detail[512];

	ck_assert_msg(w->loaded, "loading the BPF object failed: %s", w->err);
	actual = maps_memlock(w->l.skel->obj, detail, sizeof(detail));
	est = loader_kernel_mem(&w->l.sizes, w->l.ncpus);
	ck_assert_msg(est * 10 >= actual * 9,
		      "loader_kernel_mem() = %llu bytes, the kernel charges %llu for the maps "
		      "(%d CPUs):%s", (unsigned long long)est, (unsigned long long)actual,
		      w->l.ncpus, detail);
}
END_TEST

static int prefix_covers(const struct xs_prefix *p, const uint8_t *addr)
{
	unsigned int full = p->len / 8, rest = p->len % 8;

	if (memcmp(p->addr, addr, full))
		return 0;
	return !rest || !((p->addr[full] ^ addr[full]) & (0xff00 >> rest) & 0xff);
}

/* Longest match by definition, over the world's config: no trie.c. */
static uint32_t naive_range6(const struct world *w, const uint8_t *addr)
{
	uint32_t best = 0;
	int best_len = -1;
	size_t r, j;

	for (r = 0; r < w->cfg.nranges; r++) {
		for (j = 0; j < w->cfg.ranges[r].nprefixes; j++) {
			const struct xs_prefix *p = &w->cfg.ranges[r].prefixes[j];

			if (p->family == 6 && (int)p->len > best_len && prefix_covers(p, addr)) {
				best_len = p->len;
				best = r + 1;
			}
		}
	}
	return best;
}

/* A UDP packet from an unmatched source to `addr`, which must count in
 * the slot of the range the definition gives, `in`. */
static void walk_probe(struct world *w, int hook, const uint8_t *addr, int idx)
{
	char dst[INET6_ADDRSTRLEN], name[160], slots[64];
	uint32_t id = naive_range6(w, addr);
	const struct row row = {
		name, b_ip, "3fff::600", dst, .proto = IPPROTO_UDP, .slots = slots,
		.cls = XS_L4_UDP, .g = G_V6,
	};

	inet_ntop(AF_INET6, addr, dst, sizeof(dst));
	if (id)
		snprintf(slots, sizeof(slots), "%s:in", w->cfg.ranges[id - 1].name);
	else
		snprintf(slots, sizeof(slots), UNM);
	snprintf(name, sizeof(name), "v6 walk: %s -> %s", dst, slots);
	check_row(w, hook, &row, idx, 1);
}

/*
 * The kernel's walk, skips included, against the definition: each IPv6
 * prefix of the full config at its first and last address, unchanged and
 * with one byte changed for each of the 16 bytes. A skip that compared
 * the wrong byte, or missed to 0 instead of the enclosing range, counts
 * in the wrong slot.
 */
START_TEST(test_v6_walk)
{
	static const uint8_t flips[] = { 0x01, 0x80 };
	struct world *w = &w_full;
	unsigned int probes = 0, bit;
	size_t r, j, end, b, f;
	uint8_t addr[16];

	ck_assert_msg(w->loaded, "loading the BPF object failed: %s", w->err);
	ck_assert_msg(w->t6.nskips > 0, "the full config compresses to no skip");
	for (r = 0; r < w->cfg.nranges; r++) {
		for (j = 0; j < w->cfg.ranges[r].nprefixes; j++) {
			const struct xs_prefix *p = &w->cfg.ranges[r].prefixes[j];

			if (p->family != 6)
				continue;
			for (end = 0; end < 2; end++) {
				memcpy(addr, p->addr, 16);
				for (bit = p->len; end && bit < 128; bit++)
					addr[bit / 8] |= 0x80 >> (bit % 8);
				walk_probe(w, _i, addr, 600 + probes++ % 100);
				for (b = 0; b < 16; b++) {
					for (f = 0; f < sizeof(flips); f++) {
						addr[b] ^= flips[f];
						walk_probe(w, _i, addr, 600 + probes++ % 100);
						addr[b] ^= flips[f];
					}
				}
			}
		}
	}
	ck_assert_uint_gt(probes, 100);
}
END_TEST

/*
 * After the walk probes, every valid entry of the per-CPU IPv6 cache must
 * name the range the definition gives for its address: a wrong hash
 * compare or a stale entry would classify a whole flow wrongly. A world
 * whose IPv6 prefixes are all /64 or shorter keys the cache by /64 (lo
 * 0); one with a longer prefix by the whole address.
 */
static void check_v6_cache(struct world *w, unsigned int min_valid)
{
	size_t stride = sizeof(struct xs_v6_cache_ent);
	struct xs_v6_cache_ent *vals = calloc(w->l.ncpus, stride);
	int by64 = !w->l.skel->rodata->v6_cache_full;
	unsigned int valid = 0;
	uint32_t key, cpu;
	int fd;

	ck_assert_msg(w->loaded, "loading the BPF object failed: %s", w->err);
	ck_assert_int_eq(by64, w->t6.max_len <= 64);
	fd = prog_map_fd(loader_xdp_fd(&w->l), "v6_cache");
	ck_assert_msg(fd >= 0 && vals, "map v6_cache: not found");
	for (key = 0; key < XS_V6_CACHE_SIZE; key++) {
		ck_assert_msg(!bpf_map_lookup_elem(fd, &key, vals), "v6_cache[%u]: lookup", key);
		for (cpu = 0; cpu < (uint32_t)w->l.ncpus; cpu++) {
			const struct xs_v6_cache_ent *c = &vals[cpu];
			uint32_t w4[4] = { c->hi >> 32, (uint32_t)c->hi, c->lo >> 32, (uint32_t)c->lo };
			char text[INET6_ADDRSTRLEN];
			uint8_t addr[16];

			if (!c->valid)
				continue;
			valid++;
			ck_assert_msg(!by64 || !c->lo, "v6_cache[%u]: a /64 key with low bits", key);
			memcpy(addr, w4, 16);
			inet_ntop(AF_INET6, addr, text, sizeof(text));
			ck_assert_msg(c->range == naive_range6(w, addr),
				      "v6_cache[%u] cpu %u: %s cached as range %u, the definition "
				      "says %u", key, cpu, text, c->range, naive_range6(w, addr));
		}
	}
	ck_assert_msg(valid >= min_valid, "only %u valid cache entries", valid);
	close(fd);
	free(vals);
}

START_TEST(test_v6_cache)
{
	check_v6_cache(&w_full, 100);
}
END_TEST

/* The IPv6-only world (one /32) after its rows: keyed by /64. */
START_TEST(test_v6_cache_by64)
{
	ck_assert_int_eq(w_v6only.l.skel->rodata->v6_cache_full, 0);
	check_v6_cache(&w_v6only, 1);
}
END_TEST

START_TEST(test_repeat)
{
	int hook = _i & 1, i = _i / 2;

	check_row(&w_full, hook, &repeat_rows[i], 400 + i, 1000);
}
END_TEST

static Suite *bpf_suite(void)
{
	Suite *s = suite_create("bpf");
	TCase *tc;

	tc = tcase_create("rows");
	tcase_add_unchecked_fixture(tc, setup_full, teardown_full);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tables_full);
	tcase_add_loop_test(tc, test_full_xdp, 0, NROWS_FULL);
	tcase_add_loop_test(tc, test_full_tc, 0, NROWS_FULL);
	tcase_add_loop_test(tc, test_repeat, 0,
			    2 * sizeof(repeat_rows) / sizeof(repeat_rows[0]));
	tcase_add_loop_test(tc, test_tc_gso, 0, sizeof(gso_rows) / sizeof(gso_rows[0]));
	tcase_add_loop_test(tc, test_weighted_xdp, 0, NROWS_FULL * NWEIGHTS);
	tcase_add_loop_test(tc, test_weighted_tc, 0, NROWS_FULL * NWEIGHTS);
	tcase_add_loop_test(tc, test_weight_edges, 0,
			    2 * sizeof(weight_rows) / sizeof(weight_rows[0]));
	tcase_add_test(tc, test_tc_weight_check);
	tcase_add_test(tc, test_kernel_mem);
	tcase_add_loop_test(tc, test_v6_walk, 0, 2);
	tcase_add_test(tc, test_v6_cache);
	suite_add_tcase(s, tc);

	tc = tcase_create("one_family");
	tcase_add_unchecked_fixture(tc, setup_sparse, teardown_sparse);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_tables_one_family, 0, 2);
	tcase_add_loop_test(tc, test_v4only, 0, 2 * NROWS_V4ONLY);
	tcase_add_loop_test(tc, test_v6only, 0, 2 * NROWS_V6ONLY);
	tcase_add_test(tc, test_v6_cache_by64);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	libbpf_set_print(libbpf_quiet);
	if (geteuid() != 0)
		fprintf(stderr, "test_bpf: not root: loading the BPF object will likely fail\n");
	sr = srunner_create(bpf_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
