/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Range classification: longest-prefix match of an address against the
 * multibit trie described in include/xdpscope.h. Returns the range id, 0
 * when no configured prefix covers the address, XS_LOOKUP_FAIL when a map
 * lookup failed (a corrupt table; the caller counts it). Every step is one
 * array-map lookup (inlined by the verifier), so an IPv4 address costs at
 * most three and an IPv6 address at most fifteen, whatever the number of
 * prefixes; most addresses stop at the root or one level below it. IPv6
 * chains of single-child nodes are compressed into skips, so a lone /64
 * costs the root and one skip, a /128 the root and two.
 *
 * classify_v6() is a global function: the verifier checks its loop once,
 * instead of once per path through the parser, which kept the program
 * under the verifier's instruction limit.
 */
#ifndef XS_CLASSIFY_H
#define XS_CLASSIFY_H

#include <bpf/bpf_endian.h>
#include "maps.h"

#define XS_LOOKUP_FAIL 0xffffffffU

/* The parser's address union holds a __be32, so it is 4-aligned: the
 * skip compare reads the address as four words. */
struct xs_addr6 {
	union {
		__u8 b[16];
		__be32 w[4];
	};
};

/* Entry `idx`: half of the 8-byte element idx / 2. */
static __always_inline __u32 trie_get(void *map, __u32 idx)
{
	__u32 key = idx >> 1;
	__u32 *e = bpf_map_lookup_elem(map, &key);

	return e ? e[idx & 1] : XS_LOOKUP_FAIL;
}

static __always_inline __u32 trie_child(__u32 entry, __u8 byte)
{
	return (entry & ~XS_TRIE_CHILD) * XS_TRIE_NODE_SIZE + byte;
}

static __always_inline __u32 classify_v4(__be32 addr)
{
	__u8 *b = (__u8 *)&addr;
	__u32 e = trie_get(&v4_root, (__u32)b[0] << 8 | b[1]);

	if (e == XS_LOOKUP_FAIL || !(e & XS_TRIE_CHILD))
		return e;
	e = trie_get(&v4_nodes, trie_child(e, b[2]));
	if (e == XS_LOOKUP_FAIL || !(e & XS_TRIE_CHILD))
		return e;
	e = trie_get(&v4_nodes, trie_child(e, b[3]));
	/* A child pointer after the last byte means a corrupt table. */
	return e & XS_TRIE_CHILD ? XS_LOOKUP_FAIL : e;
}

/* Address bytes off..off+7 (off 0 or 8) as a big-endian number. */
static __always_inline __u64 addr_be64(const struct xs_addr6 *a, __u64 off)
{
	return (__u64)bpf_ntohl(a->w[off / 4]) << 32 | bpf_ntohl(a->w[off / 4 + 1]);
}

/*
 * Each step consumes at least one address byte (a node one, a skip 1..8),
 * so XS_V6_WALK_MAX steps reach byte 15. A skip compares its bytes in one
 * go: the address bytes i..i+len-1 and the record's bytes, each as the top
 * of a big-endian u64, must agree above bit 64 - 8 * len. A loop over the
 * bytes measured 6 ns per packet slower on a lone /64 (bench_xdp, 1
 * range), a third of what the skip saves.
 *
 * The counters are u64 and the child test is a signed compare (CHILD is
 * the sign bit; XS_LOOKUP_FAIL is -1): that keeps a node step as short as
 * it was before skips, which matters because most walks below a busy
 * /32 still go through nodes.
 */
__noinline __u32 classify_v6(const struct xs_addr6 *a)
{
	const struct xs_skip *s;
	__u64 i = 2, len, win, step;
	__u32 e, key;

	if (!a)
		return XS_LOOKUP_FAIL;
	e = trie_get(&v6_root, (__u32)a->b[0] << 8 | a->b[1]);
	for (step = 0; step < XS_V6_WALK_MAX; step++) {
		if ((__s32)e < -1) {
			if (i > 15)
				return XS_LOOKUP_FAIL;
			e = trie_get(&v6_nodes, trie_child(e, a->b[i]));
			i++;
			continue;
		}
		if (!(e & XS_TRIE_SKIP) || e == XS_LOOKUP_FAIL)
			return e;
		key = e & XS_TRIE_INDEX;
		s = bpf_map_lookup_elem(&v6_skip, &key);
		if (!s)
			return XS_LOOKUP_FAIL;
		len = s->len;
		if (len - 1 >= XS_SKIP_BYTES || i + len > 16)
			return XS_LOOKUP_FAIL;
		if (i < 8) {
			win = addr_be64(a, 0) << (i * 8);
			if (i + len > 8)
				win |= addr_be64(a, 8) >> (64 - i * 8);
		} else {
			win = addr_be64(a, 8) << ((i - 8) * 8);
		}
		if ((win ^ bpf_be64_to_cpu(*(const __u64 *)s->bytes)) >> (64 - len * 8))
			return s->miss & XS_TRIE_PTR ? XS_LOOKUP_FAIL : s->miss;
		i += len;
		e = s->next;
	}
	return e & XS_TRIE_PTR ? XS_LOOKUP_FAIL : e;
}

/* 1 when a configured IPv6 prefix is longer than /64 (set by the loader):
 * the cache then keys whole addresses, else only their first 64 bits. */
const volatile __u32 v6_cache_full = 1;

/* classify_v6() behind the per-CPU cache (include/xdpscope.h). With no
 * prefix longer than /64, every address of a /64 has the same range, so
 * the cache keys the /64: the hosts of a subnet, and a flood spoofing
 * sources inside one, share an entry. Inlined: as a global function its
 * two calls a packet cost 7 ns of the 54 an IPv6 flood paid with
 * counters only (tools/bench-live.sh, 10,000 ranges); the walk behind it
 * stays a global function, verified once. */
static __always_inline __u32 classify_v6_cached(const struct xs_addr6 *a)
{
	struct xs_v6_cache_ent *c;
	__u64 hi, lo = 0;
	__u32 key, r;

	if (!a)
		return XS_LOOKUP_FAIL;
	hi = (__u64)a->w[0] << 32 | a->w[1];
	if (v6_cache_full)
		lo = (__u64)a->w[2] << 32 | a->w[3];
	/* Fibonacci hashing: the top bits of the product mix every input bit. */
	key = ((hi ^ lo) * 0x9E3779B97F4A7C15ULL) >> (64 - __builtin_ctz(XS_V6_CACHE_SIZE));
	c = bpf_map_lookup_elem(&v6_cache, &key);
	if (c && c->valid && c->hi == hi && c->lo == lo)
		return c->range;
	r = classify_v6(a);
	if (c && r != XS_LOOKUP_FAIL) {
		c->hi = hi;
		c->lo = lo;
		c->range = r;
		c->valid = 1;
	}
	return r;
}

#endif /* XS_CLASSIFY_H */
