// SPDX-License-Identifier: GPL-2.0
/*
 * The classifier tables: a table of hand-picked nestings with exact
 * expectations, then a differential test of trie_lookup against a naive
 * longest-match scan over thousands of random, nested prefixes. Configs
 * are built in memory, not through config.c, so only trie.c is under test.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xdpscope.h"
#include "trie.h"

#define MAX_ROW_PREFIXES 10

/* Test-local CIDR parser: "addr/len" or a bare address, no host-bit check. */
static void parse_cidr(const char *s, struct xs_prefix *p)
{
	char buf[XS_CIDR_STRLEN];
	char *slash;

	memset(p, 0, sizeof(*p));
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	p->family = strchr(buf, ':') ? 6 : 4;
	ck_assert_msg(inet_pton(p->family == 6 ? AF_INET6 : AF_INET, buf, p->addr) == 1,
		      "bad address in test data: %s", s);
	p->len = slash ? atoi(slash + 1) : (p->family == 6 ? 128 : 32);
}

/* Appends prefix p to range index r (id r + 1), growing the config. */
static void cfg_add(struct xs_config *cfg, size_t r, const struct xs_prefix *p)
{
	struct xs_range *rg;

	if (r >= cfg->nranges) {
		cfg->ranges = realloc(cfg->ranges, (r + 1) * sizeof(*cfg->ranges));
		ck_assert_ptr_nonnull(cfg->ranges);
		memset(cfg->ranges + cfg->nranges, 0,
		       (r + 1 - cfg->nranges) * sizeof(*cfg->ranges));
		cfg->nranges = cfg->cap = r + 1;
	}
	rg = &cfg->ranges[r];
	if (rg->nprefixes == rg->cap) {
		rg->cap = rg->cap ? rg->cap * 2 : 4;
		rg->prefixes = realloc(rg->prefixes, rg->cap * sizeof(*rg->prefixes));
		ck_assert_ptr_nonnull(rg->prefixes);
	}
	rg->prefixes[rg->nprefixes++] = *p;
}

static void cfg_add_str(struct xs_config *cfg, size_t r, const char *cidr)
{
	struct xs_prefix p;

	parse_cidr(cidr, &p);
	cfg_add(cfg, r, &p);
}

static void cfg_release(struct xs_config *cfg)
{
	size_t r;

	for (r = 0; r < cfg->nranges; r++)
		free(cfg->ranges[r].prefixes);
	free(cfg->ranges);
	memset(cfg, 0, sizeof(*cfg));
}

struct tries {
	struct xs_trie t4;
	struct xs_trie t6;
};

static void tries_init(struct tries *t)
{
	ck_assert_int_eq(trie_init(&t->t4, 4), 0);
	ck_assert_int_eq(trie_init(&t->t6, 6), 0);
}

static void tries_free(struct tries *t)
{
	trie_free(&t->t4);
	trie_free(&t->t6);
}

static uint32_t lookup_str(const struct tries *t, const char *addr)
{
	struct xs_prefix p;

	parse_cidr(addr, &p);
	return trie_lookup(p.family == 6 ? &t->t6 : &t->t4, p.addr);
}

/*
 * Each row: the prefixes in config order (prefix i is range id i + 1), a
 * probe address and the range id the BPF walk must find (0: none).
 */
static const struct trie_row {
	const char *name;
	const char *prefixes[MAX_ROW_PREFIXES];
	const char *probe;
	uint32_t want;
} trie_rows[] = {
	{ "empty config", { NULL }, "198.18.0.1", 0 },
	{ "empty config v6", { NULL }, "2001:db8::1", 0 },
	{ "/0 covers everything", { "0.0.0.0/0" }, "203.0.113.9", 1 },
	{ "/0 covers 0.0.0.0", { "0.0.0.0/0" }, "0.0.0.0", 1 },
	{ "/0 covers 255.255.255.255", { "0.0.0.0/0" }, "255.255.255.255", 1 },
	{ "/1 upper half", { "128.0.0.0/1" }, "255.255.255.255", 1 },
	{ "/1 not lower half", { "128.0.0.0/1" }, "127.255.255.255", 0 },
	{ "/8 inside /0: in /8", { "0.0.0.0/0", "10.0.0.0/8" }, "10.1.2.3", 2 },
	{ "/8 inside /0: past /8", { "0.0.0.0/0", "10.0.0.0/8" }, "11.0.0.0", 1 },
	{ "/8 inside /0: before /8", { "0.0.0.0/0", "10.0.0.0/8" }, "9.255.255.255", 1 },
	{ "/9 inside /8: low half", { "10.0.0.0/8", "10.128.0.0/9" }, "10.127.255.255", 1 },
	{ "/9 inside /8: high half", { "10.0.0.0/8", "10.128.0.0/9" }, "10.128.0.0", 2 },
	{ "/9 inside /8: outside both", { "10.0.0.0/8", "10.128.0.0/9" }, "11.128.0.0", 0 },
	{ "/15 last address", { "198.18.0.0/15" }, "198.19.255.255", 1 },
	{ "/15 first address", { "198.18.0.0/15" }, "198.18.0.0", 1 },
	{ "/15 just past", { "198.18.0.0/15" }, "198.20.0.0", 0 },
	{ "/15 just before", { "198.18.0.0/15" }, "198.17.255.255", 0 },
	{ "/16 inside /15", { "198.18.0.0/15", "198.19.0.0/16" }, "198.19.0.1", 2 },
	{ "/16 inside /15: other /16", { "198.18.0.0/15", "198.19.0.0/16" }, "198.18.255.255", 1 },
	{ "/17 inside /16: high half", { "198.18.0.0/16", "198.18.128.0/17" }, "198.18.128.0", 2 },
	{ "/17 inside /16: low half", { "198.18.0.0/16", "198.18.128.0/17" }, "198.18.127.255", 1 },
	{ "/17 inside /16: last", { "198.18.0.0/16", "198.18.128.0/17" }, "198.18.255.255", 2 },
	{ "/23 inside /16: in", { "198.18.0.0/16", "198.18.4.0/23" }, "198.18.5.255", 2 },
	{ "/23 inside /16: after", { "198.18.0.0/16", "198.18.4.0/23" }, "198.18.6.0", 1 },
	{ "/23 inside /16: before", { "198.18.0.0/16", "198.18.4.0/23" }, "198.18.3.255", 1 },
	{ "/24 inside /16", { "198.18.0.0/16", "198.18.5.0/24" }, "198.18.5.200", 2 },
	{ "/24 inside /16: sibling /24", { "198.18.0.0/16", "198.18.5.0/24" }, "198.18.6.1", 1 },
	{ "/24 inside /16: outside /16", { "198.18.0.0/16", "198.18.5.0/24" }, "198.19.5.1", 0 },
	{ "/25 inside /24: low", { "198.18.5.0/24", "198.18.5.128/25" }, "198.18.5.127", 1 },
	{ "/25 inside /24: high", { "198.18.5.0/24", "198.18.5.128/25" }, "198.18.5.128", 2 },
	{ "/31 inside /24: first", { "198.18.5.0/24", "198.18.5.6/31" }, "198.18.5.6", 2 },
	{ "/31 inside /24: second", { "198.18.5.0/24", "198.18.5.6/31" }, "198.18.5.7", 2 },
	{ "/31 inside /24: below", { "198.18.5.0/24", "198.18.5.6/31" }, "198.18.5.5", 1 },
	{ "/31 inside /24: above", { "198.18.5.0/24", "198.18.5.6/31" }, "198.18.5.8", 1 },
	{ "/32 inside /24: hit", { "198.18.5.0/24", "198.18.5.7/32" }, "198.18.5.7", 2 },
	{ "/32 inside /24: next", { "198.18.5.0/24", "198.18.5.7/32" }, "198.18.5.8", 1 },
	{ "/32 alone: hit", { "198.18.0.1/32" }, "198.18.0.1", 1 },
	{ "/32 alone: neighbour", { "198.18.0.1/32" }, "198.18.0.0", 0 },
	{ "/32 alone: other /24", { "198.18.0.1/32" }, "198.18.1.1", 0 },
	{ "bare address is a /32", { "198.18.0.1" }, "198.18.0.1", 1 },
	{ "sibling /24s: second", { "198.18.0.0/24", "198.18.1.0/24" }, "198.18.1.9", 2 },
	{ "sibling /24s: first", { "198.18.0.0/24", "198.18.1.0/24" }, "198.18.0.9", 1 },
	{ "sibling /24s: neither", { "198.18.0.0/24", "198.18.1.0/24" }, "198.18.2.0", 0 },
	{ "sibling /32s", { "198.18.0.1/32", "198.18.0.2/32" }, "198.18.0.2", 2 },
	{ "sibling /32s: neither", { "198.18.0.1/32", "198.18.0.2/32" }, "198.18.0.3", 0 },
	{ "sibling /25s", { "198.18.0.0/25", "198.18.0.128/25" }, "198.18.0.200", 2 },
	{ "chain /0../32: /32", { "0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24",
				  "10.1.2.3/32" }, "10.1.2.3", 5 },
	{ "chain /0../32: /24", { "0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24",
				  "10.1.2.3/32" }, "10.1.2.4", 4 },
	{ "chain /0../32: /16", { "0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24",
				  "10.1.2.3/32" }, "10.1.3.3", 3 },
	{ "chain /0../32: /8", { "0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24",
				 "10.1.2.3/32" }, "10.2.2.3", 2 },
	{ "chain /0../32: /0", { "0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24",
				 "10.1.2.3/32" }, "11.1.2.3", 1 },
	{ "longer listed first: inner", { "198.18.5.0/24", "198.18.0.0/16" }, "198.18.5.1", 1 },
	{ "longer listed first: outer", { "198.18.5.0/24", "198.18.0.0/16" }, "198.18.6.1", 2 },
	{ "/32 under /20 under /12", { "198.16.0.0/12", "198.18.16.0/20", "198.18.17.1/32" },
	  "198.18.17.2", 2 },
	{ "/32 under /20 under /12: hit", { "198.16.0.0/12", "198.18.16.0/20", "198.18.17.1/32" },
	  "198.18.17.1", 3 },
	{ "host bits ignored", { "198.18.5.77/24" }, "198.18.5.1", 1 },
	{ "host bits in the stride: first", { "198.18.5.77/20" }, "198.18.0.1", 1 },
	{ "host bits in the stride: past", { "198.18.5.77/20" }, "198.18.16.0", 0 },
	{ "host bits in the root", { "10.1.2.3/8" }, "10.0.0.0", 1 },
	{ "host bits in a v6 stride", { "2001:db8:a:ff77::1/56" }, "2001:db8:a:ff00::", 1 },
	{ "duplicate prefix: later range", { "198.18.5.0/24", "198.18.5.0/24" }, "198.18.5.1", 2 },
	{ "v4 /0 does not cover v6", { "0.0.0.0/0" }, "2001:db8::1", 0 },
	{ "v6 /0 does not cover v4", { "::/0" }, "198.18.0.1", 0 },
	{ "v6 /0", { "::/0" }, "2001:db8::1", 1 },
	{ "mixed families: v6", { "0.0.0.0/0", "2001:db8::/32" }, "2001:db8::1", 2 },
	{ "mixed families: v4", { "0.0.0.0/0", "2001:db8::/32" }, "10.0.0.1", 1 },
	{ "mixed families: neither", { "0.0.0.0/0", "2001:db8::/32" }, "2001:db9::", 0 },
	{ "v6 /16", { "2001::/16" }, "2001:ffff::1", 1 },
	{ "v6 /17 inside /16", { "2001::/16", "2001:8000::/17" }, "2001:8000::", 2 },
	{ "v6 /17 inside /16: low", { "2001::/16", "2001:8000::/17" }, "2001:7fff::", 1 },
	{ "v6 /32", { "2001:db8::/32" }, "2001:db8:ffff:ffff::1", 1 },
	{ "v6 /32: outside", { "2001:db8::/32" }, "2001:db9::", 0 },
	{ "v6 /48 inside /32", { "2001:db8::/32", "2001:db8:a::/48" }, "2001:db8:a:1::1", 2 },
	{ "v6 /48 inside /32: sibling", { "2001:db8::/32", "2001:db8:a::/48" }, "2001:db8:b::", 1 },
	{ "v6 /56 inside /48", { "2001:db8:a::/48", "2001:db8:a:ff00::/56" },
	  "2001:db8:a:ff12::1", 2 },
	{ "v6 /56 inside /48: below", { "2001:db8:a::/48", "2001:db8:a:ff00::/56" },
	  "2001:db8:a:feff::", 1 },
	{ "v6 /64 inside /48", { "2001:db8:a::/48", "2001:db8:a:1::/64" },
	  "2001:db8:a:1:ffff:ffff:ffff:ffff", 2 },
	{ "v6 /64 inside /48: next /64", { "2001:db8:a::/48", "2001:db8:a:1::/64" },
	  "2001:db8:a:2::", 1 },
	{ "v6 /127: even", { "2001:db8::/64", "2001:db8::2/127" }, "2001:db8::2", 2 },
	{ "v6 /127: odd", { "2001:db8::/64", "2001:db8::2/127" }, "2001:db8::3", 2 },
	{ "v6 /127: above", { "2001:db8::/64", "2001:db8::2/127" }, "2001:db8::4", 1 },
	{ "v6 /127: below", { "2001:db8::/64", "2001:db8::2/127" }, "2001:db8::1", 1 },
	{ "v6 /128 inside /64", { "2001:db8::/64", "2001:db8::1/128" }, "2001:db8::1", 2 },
	{ "v6 /128 inside /64: ::0", { "2001:db8::/64", "2001:db8::1/128" }, "2001:db8::", 1 },
	{ "v6 /128 alone: neighbour", { "2001:db8::1/128" }, "2001:db8::2", 0 },
	{ "v6 /128 alone: high byte", { "2001:db8::1/128" }, "2001:db8:0:0:100::1", 0 },
	{ "v6 chain: /128", { "::/0", "2001:db8::/32", "2001:db8:a::/48", "2001:db8:a:1::/64",
			      "2001:db8:a:1::/100", "2001:db8:a:1::/121", "2001:db8:a:1::5/128" },
	  "2001:db8:a:1::5", 7 },
	{ "v6 chain: /121", { "::/0", "2001:db8::/32", "2001:db8:a::/48", "2001:db8:a:1::/64",
			      "2001:db8:a:1::/100", "2001:db8:a:1::/121", "2001:db8:a:1::5/128" },
	  "2001:db8:a:1::7f", 6 },
	{ "v6 chain: /100", { "::/0", "2001:db8::/32", "2001:db8:a::/48", "2001:db8:a:1::/64",
			      "2001:db8:a:1::/100", "2001:db8:a:1::/121", "2001:db8:a:1::5/128" },
	  "2001:db8:a:1::80", 5 },
	{ "v6 chain: /64", { "::/0", "2001:db8::/32", "2001:db8:a::/48", "2001:db8:a:1::/64",
			     "2001:db8:a:1::/100", "2001:db8:a:1::/121", "2001:db8:a:1::5/128" },
	  "2001:db8:a:1:0:1::", 4 },
	{ "v6 chain: /0", { "::/0", "2001:db8::/32", "2001:db8:a::/48", "2001:db8:a:1::/64",
			    "2001:db8:a:1::/100", "2001:db8:a:1::/121", "2001:db8:a:1::5/128" },
	  "fe80::1", 1 },
	{ "v6 /33 and /47 straddle bytes", { "2001:db8::/33", "2001:db8:7ffe::/47" },
	  "2001:db8:7fff:1::", 2 },
	{ "v6 /33 and /47: /33 only", { "2001:db8::/33", "2001:db8:7ffe::/47" },
	  "2001:db8:7ffd::", 1 },
	{ "v6 /33: upper half outside", { "2001:db8::/33", "2001:db8:7ffe::/47" },
	  "2001:db8:8000::", 0 },
	/* Compressed chains (skips): every row below walks at least one. */
	{ "skip /64 alone: first", { "2001:db8:1::/64" }, "2001:db8:1::", 1 },
	{ "skip /64 alone: last", { "2001:db8:1::/64" }, "2001:db8:1:0:ffff:ffff:ffff:ffff", 1 },
	{ "skip /64 alone: byte 2 differs", { "2001:db8:1::/64" }, "2001:1db8:1::", 0 },
	{ "skip /64 alone: byte 5 differs", { "2001:db8:1::/64" }, "2001:db8:0::1", 0 },
	{ "skip /64 alone: byte 7 differs", { "2001:db8:1::/64" }, "2001:db8:1:1::", 0 },
	{ "skip /48 in /32: hit", { "2001:db8::/32", "2001:db8:a::/48" }, "2001:db8:a:ffff::",
	  2 },
	{ "skip /48 in /32: byte 3 differs", { "2001:db8::/32", "2001:db8:a::/48" },
	  "2001:db9:a::", 0 },
	{ "skip /48 in /32: byte 4 differs", { "2001:db8::/32", "2001:db8:a::/48" },
	  "2001:db8:10a::", 1 },
	{ "skip /48 in /32: byte 5 differs", { "2001:db8::/32", "2001:db8:a::/48" },
	  "2001:db8:b::", 1 },
	{ "skip /128 alone: hit", { "2001:db8::1/128" }, "2001:db8::1", 1 },
	{ "skip /128 alone: byte 9 differs (first skip's last)", { "2001:db8::1/128" },
	  "2001:db8:0:0:1::1", 0 },
	{ "skip /128 alone: byte 10 differs (second skip's first)", { "2001:db8::1/128" },
	  "2001:db8::100:0:1", 0 },
	{ "two /64s, last byte: first", { "2001:db8:0:1::/64", "2001:db8:0:2::/64" },
	  "2001:db8:0:1::9", 1 },
	{ "two /64s, last byte: second", { "2001:db8:0:1::/64", "2001:db8:0:2::/64" },
	  "2001:db8:0:2::9", 2 },
	{ "two /64s, last byte: neither", { "2001:db8:0:1::/64", "2001:db8:0:2::/64" },
	  "2001:db8:0:3::", 0 },
	{ "two /64s, last byte: skip differs", { "2001:db8:0:1::/64", "2001:db8:0:2::/64" },
	  "2001:db8:1:1::", 0 },
	{ "/0 and a deep /128: hit", { "::/0", "2001:db8:a:1::5/128" }, "2001:db8:a:1::5", 2 },
	{ "/0 and a deep /128: byte 2 differs", { "::/0", "2001:db8:a:1::5/128" },
	  "2001:cb8:a:1::5", 1 },
	{ "/0 and a deep /128: byte 10 differs", { "::/0", "2001:db8:a:1::5/128" },
	  "2001:db8:a:1:0:8000::5", 1 },
	{ "/0 and a deep /128: byte 15 differs", { "::/0", "2001:db8:a:1::5/128" },
	  "2001:db8:a:1::4", 1 },
	{ "/0 and a deep /128: other root entry", { "::/0", "2001:db8:a:1::5/128" }, "fe80::5",
	  1 },
};

START_TEST(test_trie_row)
{
	const struct trie_row *row = &trie_rows[_i];
	struct xs_config cfg = { 0 };
	struct tries t;
	uint32_t got;
	int i;

	for (i = 0; i < MAX_ROW_PREFIXES && row->prefixes[i]; i++)
		cfg_add_str(&cfg, i, row->prefixes[i]);
	tries_init(&t);
	ck_assert_msg(trie_build(&t.t4, &t.t6, &cfg) == 0, "%s: trie_build failed", row->name);
	got = lookup_str(&t, row->probe);
	ck_assert_msg(got == row->want, "%s: %s -> %u, want %u", row->name, row->probe, got,
		      row->want);
	tries_free(&t);
	cfg_release(&cfg);
}
END_TEST

START_TEST(test_trie_multi_prefix_ranges)
{
	struct xs_config cfg = { 0 };
	struct tries t;

	cfg_add_str(&cfg, 0, "198.18.0.0/24");
	cfg_add_str(&cfg, 0, "2001:db8:a::/48");
	cfg_add_str(&cfg, 1, "198.18.0.128/25");
	cfg_add_str(&cfg, 1, "198.18.9.0/24");
	tries_init(&t);
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &cfg), 0);
	ck_assert_uint_eq(lookup_str(&t, "198.18.0.1"), 1);
	ck_assert_uint_eq(lookup_str(&t, "2001:db8:a::1"), 1);
	ck_assert_uint_eq(lookup_str(&t, "198.18.0.129"), 2);
	ck_assert_uint_eq(lookup_str(&t, "198.18.9.9"), 2);
	ck_assert_uint_eq(lookup_str(&t, "198.18.8.9"), 0);
	tries_free(&t);
	cfg_release(&cfg);
}
END_TEST

START_TEST(test_trie_rebuild_starts_empty)
{
	struct xs_config a = { 0 }, b = { 0 };
	struct tries t;

	cfg_add_str(&a, 0, "198.18.5.7/32");
	cfg_add_str(&a, 1, "2001:db8::1/128");
	cfg_add_str(&b, 0, "198.19.0.0/16");
	tries_init(&t);
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &a), 0);
	ck_assert_uint_eq(lookup_str(&t, "198.18.5.7"), 1);
	ck_assert_uint_gt(t.t6.nskips, 0);
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &b), 0);
	ck_assert_uint_eq(lookup_str(&t, "198.18.5.7"), 0);
	ck_assert_uint_eq(lookup_str(&t, "2001:db8::1"), 0);
	ck_assert_uint_eq(lookup_str(&t, "198.19.1.1"), 1);
	ck_assert_uint_eq(t.t4.nnodes, 0);
	ck_assert_uint_eq(t.t6.nnodes, 0);
	ck_assert_uint_eq(t.t6.nskips, 0);
	tries_free(&t);
	cfg_release(&a);
	cfg_release(&b);
}
END_TEST

/*
 * Nodes and skips one prefix leaves, and the map bytes the loader will
 * allocate. Uncompressed, the v6 rows would take 2, 4, 5, 6, 14 and 14
 * nodes: a chain of n single-child nodes is ceil(n / 8) skips, and only a
 * node with two different entries below its byte (the /127's last) stays.
 */
static const struct node_row {
	const char *prefix;
	uint32_t nodes;
	uint32_t skips;
} node_rows[] = {
	{ "0.0.0.0/0", 0, 0 },
	{ "10.0.0.0/8", 0, 0 },
	{ "198.18.0.0/16", 0, 0 },
	{ "198.18.0.0/17", 1, 0 },
	{ "198.18.5.0/24", 1, 0 },
	{ "198.18.5.0/25", 2, 0 },
	{ "198.18.5.7/32", 2, 0 },
	{ "::/0", 0, 0 },
	{ "2001::/16", 0, 0 },
	{ "2001:db8::/32", 0, 1 },
	{ "2001:db8:a::/48", 0, 1 },
	{ "2001:db8:a:ff00::/56", 0, 1 },
	{ "2001:db8:a:1::/64", 0, 1 },
	{ "2001:db8::2/127", 1, 2 },
	{ "2001:db8::1/128", 0, 2 },
};

/* The skip map: one record even when empty, like the node map. */
static uint64_t skip_bytes(const struct xs_trie *t)
{
	if (t->family != 6)
		return 0;
	return (t->nskips ? t->nskips : 1) * (uint64_t)sizeof(struct xs_skip);
}

START_TEST(test_trie_node_count)
{
	const struct node_row *row = &node_rows[_i];
	struct xs_config cfg = { 0 };
	struct tries t;
	struct xs_trie *used, *other;
	uint32_t n;

	cfg_add_str(&cfg, 0, row->prefix);
	tries_init(&t);
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &cfg), 0);
	used = cfg.ranges[0].prefixes[0].family == 6 ? &t.t6 : &t.t4;
	other = used == &t.t6 ? &t.t4 : &t.t6;
	ck_assert_msg(used->nnodes == row->nodes, "%s: %u nodes, want %u", row->prefix,
		      used->nnodes, row->nodes);
	ck_assert_msg(used->nskips == row->skips, "%s: %u skips, want %u", row->prefix,
		      used->nskips, row->skips);
	ck_assert_uint_eq(other->nnodes, 0);
	ck_assert_uint_eq(other->nskips, 0);
	n = row->nodes ? row->nodes : 1;
	ck_assert_msg(trie_map_bytes(used) ==
		      (XS_TRIE_ROOT_SIZE + n * 256ULL) * 4 + skip_bytes(used),
		      "%s: map bytes %llu", row->prefix,
		      (unsigned long long)trie_map_bytes(used));
	ck_assert_uint_eq(trie_map_bytes(other),
			  (XS_TRIE_ROOT_SIZE + 256ULL) * 4 + skip_bytes(other));
	tries_free(&t);
	cfg_release(&cfg);
}
END_TEST

/* xorshift64*: the same sequence on every libc, so a failure reproduces. */
static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint32_t rng_below(uint32_t n)
{
	return (uint32_t)(rng() % n);
}

static int covers(const struct xs_prefix *p, const uint8_t *addr)
{
	unsigned int full = p->len / 8, rest = p->len % 8;

	if (memcmp(p->addr, addr, full))
		return 0;
	if (!rest)
		return 1;
	return ((p->addr[full] ^ addr[full]) & (0xff00 >> rest) & 0xff) == 0;
}

/* The definition the trie must agree with: the longest covering prefix;
 * among equal ones the later range (trie.h). Each prefix is its own range. */
static uint32_t naive_lookup(const struct xs_prefix *pfx, size_t n, int family,
			     const uint8_t *addr)
{
	uint32_t best = 0;
	int best_len = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (pfx[i].family != family || !covers(&pfx[i], addr))
			continue;
		if (pfx[i].len >= best_len) {
			best_len = pfx[i].len;
			best = i + 1;
		}
	}
	return best;
}

static void set_random_bits(uint8_t *addr, unsigned int from, unsigned int bits)
{
	unsigned int b;

	for (b = from; b < bits; b++) {
		uint8_t m = 0x80 >> (b % 8);

		if (rng() & 1)
			addr[b / 8] |= m;
		else
			addr[b / 8] &= ~m;
	}
}

static void mask_prefix(struct xs_prefix *p, unsigned int bits)
{
	unsigned int b;

	for (b = p->len; b < bits; b++)
		p->addr[b / 8] &= ~(0x80 >> (b % 8));
}

/*
 * Prefixes that nest: most refine an earlier prefix by a few to a few
 * dozen bits, the rest start fresh in one of a few clusters, so the walk
 * meets pushed-down values at every level, not just isolated leaves.
 */
static void random_prefixes(struct xs_prefix *pfx, size_t n, int family)
{
	static const char *clusters4[] = { "198.18.0.0", "198.19.128.0", "10.0.0.0", "10.1.0.0" };
	static const char *clusters6[] = { "2001:db8::", "2001:db8:1:2::", "2001:db8:ffff::",
					   "fd00::" };
	unsigned int bits = family == 6 ? 128 : 32;
	size_t i;

	for (i = 0; i < n; i++) {
		struct xs_prefix *p = &pfx[i];
		unsigned int lo;

		if (i > 0 && rng_below(10) < 7) {
			const struct xs_prefix *parent = &pfx[rng_below(i)];

			*p = *parent;
			lo = parent->len;
			p->len = lo + rng_below(bits - lo + 1);
			if (rng_below(4) == 0 && lo + 8 <= bits)
				p->len = lo + 1 + rng_below(8);
		} else {
			parse_cidr(family == 6 ? clusters6[rng_below(4)] : clusters4[rng_below(4)], p);
			lo = family == 6 ? 40 : 12;
			p->len = rng_below(50) == 0 ? rng_below(lo) : lo + rng_below(bits - lo + 1);
		}
		set_random_bits(p->addr, lo, bits);
		/* Half keep their host bits: trie.h promises they are ignored. */
		if (rng() & 1)
			mask_prefix(p, bits);
	}
}

static void fill_bits(uint8_t *addr, unsigned int from, unsigned int bits)
{
	unsigned int b;

	for (b = from; b < bits; b++)
		addr[b / 8] |= 0x80 >> (b % 8);
}

/* addr += delta (+1 or -1) over `bytes` bytes, as one big-endian number. */
static void step(uint8_t *addr, unsigned int bytes, int delta)
{
	int b;

	for (b = (int)bytes - 1; b >= 0; b--) {
		addr[b] += delta;
		if (addr[b] != (delta > 0 ? 0x00 : 0xff))
			break;
	}
}

/* Inside a random prefix, at its edges, just past them, or nearby. */
static void random_probe(const struct xs_prefix *pfx, size_t n, int family, uint8_t *addr)
{
	unsigned int bits = family == 6 ? 128 : 32;
	struct xs_prefix q = pfx[rng_below(n)];
	const struct xs_prefix *p = &q;

	mask_prefix(&q, bits);
	memcpy(addr, q.addr, 16);
	switch (rng_below(8)) {
	case 0:			/* first address */
		break;
	case 1:			/* last address */
		fill_bits(addr, p->len, bits);
		break;
	case 2:			/* one past the last */
		fill_bits(addr, p->len, bits);
		step(addr, bits / 8, 1);
		break;
	case 3:			/* one before the first */
		step(addr, bits / 8, -1);
		break;
	case 4:
	case 5:			/* anywhere inside */
		set_random_bits(addr, p->len, bits);
		break;
	default:		/* a few bits up, likely in a sibling */
		set_random_bits(addr, p->len > 8 ? p->len - 8 : 0, bits);
		break;
	}
}

static void differential(int family, size_t nprefixes, size_t nprobes, uint64_t seed)
{
	struct xs_prefix *pfx = calloc(nprefixes, sizeof(*pfx));
	struct xs_config cfg = { 0 };
	struct tries t;
	struct xs_trie *tr;
	size_t i, hits = 0;

	ck_assert_ptr_nonnull(pfx);
	rng_state = seed;
	random_prefixes(pfx, nprefixes, family);
	for (i = 0; i < nprefixes; i++)
		cfg_add(&cfg, i, &pfx[i]);
	tries_init(&t);
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &cfg), 0);
	tr = family == 6 ? &t.t6 : &t.t4;
	/* Compressed chains must be on the probes' paths, not only nodes. */
	if (family == 6)
		ck_assert_msg(tr->nskips > 0, "v6: %zu prefixes left no skip", nprefixes);
	for (i = 0; i < nprobes; i++) {
		uint8_t addr[16] = { 0 };
		uint32_t want, got;

		random_probe(pfx, nprefixes, family, addr);
		want = naive_lookup(pfx, nprefixes, family, addr);
		got = trie_lookup(tr, addr);
		if (got != want) {
			char a[INET6_ADDRSTRLEN];

			inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, a, sizeof(a));
			ck_abort_msg("v%d probe %zu: %s -> %u, want %u", family, i, a, got, want);
		}
		hits += want != 0;
	}
	/* The probes must exercise both matches and misses to mean anything. */
	ck_assert_msg(hits > nprobes / 4 && hits < nprobes, "v%d: %zu of %zu probes matched",
		      family, hits, nprobes);
	tries_free(&t);
	cfg_release(&cfg);
	free(pfx);
}

START_TEST(test_trie_differential_v4)
{
	differential(4, 3000, 20000, 0xbb67ae8584caa73bULL);
}
END_TEST

START_TEST(test_trie_differential_v6)
{
	differential(6, 3000, 20000, 0x6a09e667f3bcc909ULL);
}
END_TEST

/* Few prefixes: most paths are chains, so most walks go through skips. */
START_TEST(test_trie_differential_v6_sparse)
{
	differential(6, 40, 20000, 0x3c6ef372fe94f82bULL + _i);
}
END_TEST

/*
 * Configs whose chains compress, probed at the first and last address of
 * each prefix with one byte changed, for every byte: a skip must miss at
 * each of its positions, and the miss must be the value of the chain's
 * head, not 0.
 */
static const struct chain_row {
	const char *name;
	const char *prefixes[MAX_ROW_PREFIXES];
} chain_rows[] = {
	{ "lone /64", { "2001:db8:1::/64" } },
	{ "/48 in /32", { "2001:db8::/32", "2001:db8:a::/48" } },
	{ "lone /128", { "2001:db8::1/128" } },
	{ "two /64s, last byte", { "2001:db8:0:1::/64", "2001:db8:0:2::/64" } },
	{ "/0 and a deep /128", { "::/0", "2001:db8:a:1::5/128" } },
	{ "/0 to /128", { "::/0", "2001:db8::/32", "2001:db8:a::/48", "2001:db8:a:1::/64",
			  "2001:db8:a:1::/100", "2001:db8:a:1::/121", "2001:db8:a:1::5/128" } },
	{ "/20, /33 and /47 off byte boundaries", { "2001:d00::/20", "2001:db8::/33",
						    "2001:db8:7ffe::/47" } },
	{ "/127 and /128 at the end", { "2001:db8::2/127", "2001:db8::3/128", "fd00::1/128" } },
	{ "siblings at every depth", { "2001:db8:1::/48", "2001:db8:1:1::/64",
				       "2001:db8:1:1:1::/80", "2001:db8:1:1:1:1::/96",
				       "2001:db8:1:1:1:1:1:0/112", "2001:db8:1:1:1:1:1:1/128" } },
};

/* trie_lookup and the definition agree on addr with byte b ^= flip. */
static void probe_flipped(const char *name, const struct xs_trie *t,
			  const struct xs_prefix *pfx, size_t n, const uint8_t *base,
			  unsigned int b, uint8_t flip)
{
	char a[INET6_ADDRSTRLEN];
	uint8_t addr[16];
	uint32_t want, got;

	memcpy(addr, base, 16);
	addr[b] ^= flip;
	want = naive_lookup(pfx, n, 6, addr);
	got = trie_lookup(t, addr);
	if (got == want)
		return;
	inet_ntop(AF_INET6, addr, a, sizeof(a));
	ck_abort_msg("%s: %s (byte %u ^ %#x) -> %u, want %u", name, a, b, flip, got, want);
}

START_TEST(test_trie_chain_every_byte)
{
	static const uint8_t flips[] = { 0x00, 0x01, 0x80, 0xff };
	const struct chain_row *row = &chain_rows[_i];
	struct xs_prefix pfx[MAX_ROW_PREFIXES];
	struct xs_config cfg = { 0 };
	struct tries t;
	size_t n, i, end, f;
	unsigned int b;

	for (n = 0; n < MAX_ROW_PREFIXES && row->prefixes[n]; n++) {
		parse_cidr(row->prefixes[n], &pfx[n]);
		cfg_add(&cfg, n, &pfx[n]);
	}
	tries_init(&t);
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &cfg), 0);
	ck_assert_msg(t.t6.nskips > 0, "%s: no skip", row->name);
	for (i = 0; i < n; i++) {
		for (end = 0; end < 2; end++) {
			struct xs_prefix q = pfx[i];

			mask_prefix(&q, 128);
			if (end)
				fill_bits(q.addr, q.len, 128);
			for (b = 0; b < 16; b++)
				for (f = 0; f < sizeof(flips); f++)
					probe_flipped(row->name, &t.t6, pfx, n, q.addr, b, flips[f]);
		}
	}
	tries_free(&t);
	cfg_release(&cfg);
}
END_TEST

/*
 * Map reads per address: what compression is for. Uncompressed, the /64
 * rows took 7 reads (root and six nodes) and the /128 15.
 */
static const struct reads_row {
	const char *name;
	const char *prefixes[MAX_ROW_PREFIXES];
	const char *probe;
	uint32_t want;
	unsigned int reads;
} reads_rows[] = {
	{ "lone /64: hit = root + 1 skip", { "2001:db8:1::/64" }, "2001:db8:1::1", 1, 2 },
	{ "lone /64: miss = root + 1 skip", { "2001:db8:1::/64" }, "2001:db8:2::1", 0, 2 },
	{ "lone /64: other root entry", { "2001:db8:1::/64" }, "2002:db8:1::1", 0, 1 },
	{ "lone /128 = root + 2 skips", { "2001:db8::1/128" }, "2001:db8::1", 1, 3 },
	{ "/48 in /32: value changes = root + 2 skips", { "2001:db8::/32", "2001:db8:a::/48" },
	  "2001:db8:a::1", 2, 3 },
	{ "two /64s: skip, then the node of byte 7", { "2001:db8:0:1::/64", "2001:db8:0:2::/64" },
	  "2001:db8:0:2::1", 2, 3 },
	{ "v4 /32 unchanged = root + 2 nodes", { "198.18.5.7/32" }, "198.18.5.7", 1, 3 },
};

START_TEST(test_trie_reads)
{
	const struct reads_row *row = &reads_rows[_i];
	struct xs_config cfg = { 0 };
	struct xs_prefix p;
	struct tries t;
	unsigned int reads = 0;
	uint32_t got;
	int i;

	for (i = 0; i < MAX_ROW_PREFIXES && row->prefixes[i]; i++)
		cfg_add_str(&cfg, i, row->prefixes[i]);
	tries_init(&t);
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &cfg), 0);
	parse_cidr(row->probe, &p);
	got = trie_lookup_reads(p.family == 6 ? &t.t6 : &t.t4, p.addr, &reads);
	ck_assert_msg(got == row->want, "%s: %s -> %u, want %u", row->name, row->probe, got,
		      row->want);
	ck_assert_msg(reads == row->reads, "%s: %s: %u map reads, want %u", row->name,
		      row->probe, reads, row->reads);
	tries_free(&t);
	cfg_release(&cfg);
}
END_TEST

/*
 * One range listing a /48 and a /64 inside it: the node below the /48
 * holds the range's id throughout and must become that value, its subtree
 * gone, rather than a skip whose next equals its miss.
 */
START_TEST(test_trie_uniform_subtree)
{
	struct xs_config cfg = { 0 };
	struct xs_prefix p;
	unsigned int reads;
	struct tries t;

	cfg_add_str(&cfg, 0, "2001:db8:a::/48");
	cfg_add_str(&cfg, 0, "2001:db8:a:1::/64");
	cfg_add_str(&cfg, 1, "2001:db8::/32");
	tries_init(&t);
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &cfg), 0);
	ck_assert_uint_eq(lookup_str(&t, "2001:db8:a:1::1"), 1);
	ck_assert_uint_eq(lookup_str(&t, "2001:db8:a:2::1"), 1);
	ck_assert_uint_eq(lookup_str(&t, "2001:db8:b::1"), 2);
	ck_assert_uint_eq(lookup_str(&t, "2001:db9::1"), 0);
	ck_assert_uint_eq(t.t6.nnodes, 0);
	ck_assert_uint_eq(t.t6.nskips, 2);
	parse_cidr("2001:db8:a:1::1", &p);
	ck_assert_uint_eq(trie_lookup_reads(&t.t6, p.addr, &reads), 1);
	ck_assert_uint_eq(reads, 3);
	tries_free(&t);
	cfg_release(&cfg);
}
END_TEST

/*
 * A table the builder never writes must fail the walk as the BPF program
 * does (bpf/classify.h), not return a range id: a bad skip index, length
 * or miss, a skip running past byte 15, a node pointer after it.
 */
START_TEST(test_trie_corrupt_skips)
{
	struct xs_config cfg = { 0 };
	struct xs_prefix p;
	struct tries t;
	uint32_t *root;
	struct xs_skip *s;

	cfg_add_str(&cfg, 0, "2001:db8::1/128");
	tries_init(&t);
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &cfg), 0);
	ck_assert_uint_eq(t.t6.nskips, 2);
	parse_cidr("2001:db8::1", &p);
	root = &t.t6.root[0x2001];
	ck_assert_uint_eq(*root & XS_TRIE_PTR, XS_TRIE_SKIP);
	s = &t.t6.skips[*root & XS_TRIE_INDEX];
	ck_assert_uint_eq(s->len, 8);

	s->len = 0;
	ck_assert_uint_eq(trie_lookup(&t.t6, p.addr), XS_TRIE_LOOKUP_FAIL);
	s->len = XS_SKIP_BYTES + 1;
	ck_assert_uint_eq(trie_lookup(&t.t6, p.addr), XS_TRIE_LOOKUP_FAIL);
	s->len = 8;
	ck_assert_uint_eq(trie_lookup(&t.t6, p.addr), 1);

	/* The second skip covers bytes 10..15: one more byte runs past 15. */
	t.t6.skips[s->next & XS_TRIE_INDEX].len++;
	ck_assert_uint_eq(trie_lookup(&t.t6, p.addr), XS_TRIE_LOOKUP_FAIL);
	t.t6.skips[s->next & XS_TRIE_INDEX].len--;
	t.t6.skips[s->next & XS_TRIE_INDEX].next = XS_TRIE_CHILD;
	ck_assert_uint_eq(trie_lookup(&t.t6, p.addr), XS_TRIE_LOOKUP_FAIL);

	s->miss = XS_TRIE_CHILD;
	p.addr[9] ^= 1;
	ck_assert_uint_eq(trie_lookup(&t.t6, p.addr), XS_TRIE_LOOKUP_FAIL);

	*root = XS_TRIE_SKIP | t.t6.nskips;
	ck_assert_uint_eq(trie_lookup(&t.t6, p.addr), XS_TRIE_LOOKUP_FAIL);
	tries_free(&t);
	cfg_release(&cfg);
}
END_TEST

/* Every address of a small v4 space, not just sampled probes. */
START_TEST(test_trie_exhaustive_v4_slice)
{
	struct xs_prefix *pfx = calloc(400, sizeof(*pfx));
	struct xs_config cfg = { 0 };
	struct tries t;
	uint32_t a;
	size_t i;

	ck_assert_ptr_nonnull(pfx);
	rng_state = 0x3c6ef372fe94f82bULL;
	for (i = 0; i < 400; i++) {
		/* Rooted in 198.18.0.0/22: every prefix overlaps the sweep. */
		parse_cidr("198.18.0.0", &pfx[i]);
		pfx[i].len = 14 + rng_below(19);
		set_random_bits(pfx[i].addr, 22, 32);
		mask_prefix(&pfx[i], 32);
		cfg_add(&cfg, i, &pfx[i]);
	}
	tries_init(&t);
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &cfg), 0);
	for (a = 0; a < 1U << 11; a++) {
		uint8_t addr[4] = { 198, 18 | (a >> 10 & 1), a >> 8 & 3, a & 0xff };

		/* 198.18.0.0-198.18.3.255 and 198.19.0.0-198.19.3.255. */
		ck_assert_uint_eq(trie_lookup(&t.t4, addr), naive_lookup(pfx, 400, 4, addr));
	}
	tries_free(&t);
	cfg_release(&cfg);
	free(pfx);
}
END_TEST

static void random_family_config(struct xs_config *cfg, int family, unsigned int len,
				 size_t n, uint64_t seed)
{
	size_t i;

	rng_state = seed;
	for (i = 0; i < n; i++) {
		struct xs_prefix p = { .family = family, .len = len };

		set_random_bits(p.addr, 0, family == 6 ? 128 : 32);
		mask_prefix(&p, family == 6 ? 128 : 32);
		cfg_add(cfg, i, &p);
	}
}

/*
 * A prefix creates at most one node per level below the root, and each
 * skip replaces at least one node, so nodes + skips stay within that.
 * Random IPv6 prefixes share little more than a root entry: below it each
 * is a chain, and only the nodes where two of them part survive
 * compression (max_left).
 */
static const struct bound_row {
	int family;
	unsigned int len;
	size_t count;
	uint32_t max_nodes;
	uint32_t max_left;	/* nodes after compression */
} bound_rows[] = {
	{ 4, 24, 1000, 1000, 1000 },
	{ 4, 32, 1000, 2000, 2000 },
	{ 4, 20, 1000, 1000, 1000 },
	{ 6, 48, 1000, 4000, 20 },
	{ 6, 64, 1000, 6000, 20 },
	{ 6, 128, 200, 2800, 5 },
};

START_TEST(test_trie_node_bound)
{
	const struct bound_row *row = &bound_rows[_i];
	struct xs_config cfg = { 0 };
	struct tries t;
	const struct xs_trie *tr;

	random_family_config(&cfg, row->family, row->len, row->count, 0x510e527fade682d1ULL + _i);
	tries_init(&t);
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &cfg), 0);
	tr = row->family == 6 ? &t.t6 : &t.t4;
	ck_assert_msg(tr->nnodes + tr->nskips <= row->max_nodes,
		      "%zu random v%d /%u: %u nodes + %u skips, want <= %u", row->count,
		      row->family, row->len, tr->nnodes, tr->nskips, row->max_nodes);
	ck_assert_msg(tr->nnodes <= row->max_left, "%zu random v%d /%u: %u nodes, want <= %u",
		      row->count, row->family, row->len, tr->nnodes, row->max_left);
	ck_assert_msg(tr->nnodes + tr->nskips > 0, "v%d /%u: empty table", row->family,
		      row->len);
	tries_free(&t);
	cfg_release(&cfg);
}
END_TEST

START_TEST(test_trie_node_limit)
{
	struct xs_config cfg = { 0 };
	struct tries t;

	cfg_add_str(&cfg, 0, "198.18.5.7/32");
	tries_init(&t);
	t.t4.max_nodes = 1;
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &cfg), -E2BIG);
	t.t4.max_nodes = 2;
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &cfg), 0);
	ck_assert_uint_eq(lookup_str(&t, "198.18.5.7"), 1);
	cfg_add_str(&cfg, 1, "198.18.6.7/32");
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &cfg), -E2BIG);
	t.t4.max_nodes = 3;
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &cfg), 0);
	ck_assert_uint_eq(t.t4.nnodes, 3);
	tries_free(&t);
	cfg_release(&cfg);
}
END_TEST

START_TEST(test_trie_too_many_ranges)
{
	/* Ranges without prefixes: only the count matters, and calloc's zero
	 * pages cost nothing until touched. */
	struct xs_config cfg = { .nranges = (size_t)MAX_RANGES + 1 };
	struct tries t;

	cfg.ranges = calloc(cfg.nranges, sizeof(*cfg.ranges));
	ck_assert_ptr_nonnull(cfg.ranges);
	tries_init(&t);
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &cfg), -E2BIG);
	cfg.nranges = MAX_RANGES;
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &cfg), 0);
	tries_free(&t);
	free(cfg.ranges);
}
END_TEST

START_TEST(test_trie_bad_input)
{
	struct xs_config cfg = { 0 };
	struct xs_prefix p;
	struct tries t;

	tries_init(&t);
	ck_assert_int_eq(trie_build(&t.t6, &t.t4, &cfg), -EINVAL);

	parse_cidr("198.18.0.0/24", &p);
	p.len = 33;
	cfg_add(&cfg, 0, &p);
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &cfg), -EINVAL);
	cfg_release(&cfg);

	parse_cidr("2001:db8::/32", &p);
	p.len = 129;
	cfg_add(&cfg, 0, &p);
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &cfg), -EINVAL);
	cfg_release(&cfg);

	parse_cidr("198.18.0.0/24", &p);
	p.family = 5;
	cfg_add(&cfg, 0, &p);
	ck_assert_int_eq(trie_build(&t.t4, &t.t6, &cfg), -EINVAL);
	cfg_release(&cfg);
	tries_free(&t);
}
END_TEST

static Suite *trie_suite(void)
{
	Suite *s = suite_create("trie");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_trie_row, 0, sizeof(trie_rows) / sizeof(trie_rows[0]));
	tcase_add_test(tc, test_trie_multi_prefix_ranges);
	tcase_add_test(tc, test_trie_rebuild_starts_empty);
	tcase_add_loop_test(tc, test_trie_node_count, 0,
			    sizeof(node_rows) / sizeof(node_rows[0]));
	tcase_add_test(tc, test_trie_differential_v4);
	tcase_add_test(tc, test_trie_differential_v6);
	tcase_add_loop_test(tc, test_trie_differential_v6_sparse, 0, 4);
	tcase_add_loop_test(tc, test_trie_chain_every_byte, 0,
			    sizeof(chain_rows) / sizeof(chain_rows[0]));
	tcase_add_loop_test(tc, test_trie_reads, 0, sizeof(reads_rows) / sizeof(reads_rows[0]));
	tcase_add_test(tc, test_trie_uniform_subtree);
	tcase_add_test(tc, test_trie_corrupt_skips);
	tcase_add_test(tc, test_trie_exhaustive_v4_slice);
	tcase_add_loop_test(tc, test_trie_node_bound, 0,
			    sizeof(bound_rows) / sizeof(bound_rows[0]));
	tcase_add_test(tc, test_trie_node_limit);
	tcase_add_test(tc, test_trie_too_many_ranges);
	tcase_add_test(tc, test_trie_bad_input);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(trie_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
