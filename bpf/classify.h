/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Range classification: longest-prefix match of an address against the
 * multibit trie described in include/xdpscope.h. Returns the range id, 0
 * when no configured prefix covers the address, XS_LOOKUP_FAIL when a map
 * lookup failed (a corrupt table; the caller counts it). Every step is one
 * array-map lookup (inlined by the verifier), so an IPv4 address costs at
 * most three and an IPv6 address at most fifteen, whatever the number of
 * prefixes; most addresses stop at the root or one level below it.
 *
 * classify_v6() is a global function: the verifier checks its loop once,
 * instead of once per path through the parser, which kept the program
 * under the verifier's instruction limit.
 */
#ifndef XS_CLASSIFY_H
#define XS_CLASSIFY_H

#include "maps.h"

#define XS_LOOKUP_FAIL 0xffffffffU

struct xs_addr6 {
	__u8 b[16];
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

__noinline __u32 classify_v6(const struct xs_addr6 *a)
{
	__u32 e;
	int i;

	if (!a)
		return XS_LOOKUP_FAIL;
	e = trie_get(&v6_root, (__u32)a->b[0] << 8 | a->b[1]);
	for (i = 2; i < 16; i++) {
		if (e == XS_LOOKUP_FAIL || !(e & XS_TRIE_CHILD))
			return e;
		e = trie_get(&v6_nodes, trie_child(e, a->b[i]));
	}
	return e & XS_TRIE_CHILD ? XS_LOOKUP_FAIL : e;
}

#endif /* XS_CLASSIFY_H */
