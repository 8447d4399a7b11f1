/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Builds the classifier tables of include/xdpscope.h from a config: for
 * each family a root of XS_TRIE_ROOT_SIZE entries and an array of nodes
 * of XS_TRIE_NODE_SIZE entries, with shorter prefixes pushed down into
 * child nodes so that the first plain value on a walk is the longest
 * match; for IPv6 also the skip records that replace chains of
 * single-child nodes. No libbpf: links into unit tests.
 */
#ifndef XS_TRIE_H
#define XS_TRIE_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "xdpscope.h"

/* What trie_lookup returns for a corrupt table, as the BPF walk does. */
#define XS_TRIE_LOOKUP_FAIL 0xffffffffU

struct xs_trie {
	int family;		/* 4 or 6 */
	uint32_t *root;		/* XS_TRIE_ROOT_SIZE entries */
	uint32_t *nodes;	/* nnodes * XS_TRIE_NODE_SIZE entries */
	uint32_t nnodes;
	uint32_t cap;		/* allocated nodes */
	uint32_t max_nodes;	/* MAX_TRIE_NODES by trie_init; lower it to cap memory */
	struct xs_skip *skips;	/* nskips records, IPv6 only */
	uint32_t nskips;
	uint32_t skip_cap;
	uint32_t max_len;	/* longest prefix inserted, in bits */
};

/* Empty table of `family` (every entry 0). 0 or -ENOMEM. */
int trie_init(struct xs_trie *t, int family);
void trie_free(struct xs_trie *t);

/* Every prefix of every range of cfg, range id = index + 1, into the trie
 * of its family; both tries are emptied first. Host bits past a prefix's
 * length are ignored; a prefix listed in two ranges (config_validate
 * refuses that) goes to the later one. The IPv6 trie is then compressed
 * (skips) and its nodes renumbered. 0, -EINVAL (bad family or length),
 * -ENOMEM, or -E2BIG past MAX_RANGES ranges or max_nodes nodes (counted
 * before compression). On error the tries hold a partial table: rebuild
 * or free them. */
int trie_build(struct xs_trie *t4, struct xs_trie *t6, const struct xs_config *cfg);

/* The walk the BPF program does: the range id of the longest prefix that
 * covers `addr` (4 or 16 bytes, network order), 0 if none,
 * XS_TRIE_LOOKUP_FAIL where the BPF walk would report a corrupt table. */
uint32_t trie_lookup(const struct xs_trie *t, const uint8_t *addr);

/* trie_lookup, also counting in *reads the map elements the BPF walk
 * reads for `addr` (root, nodes and skips). */
uint32_t trie_lookup_reads(const struct xs_trie *t, const uint8_t *addr, unsigned int *reads);

/* Bytes of the root, node and (IPv6) skip array maps as the kernel
 * allocates them: an array map needs at least one entry, so the loader
 * sizes the nodes map to max(nnodes, 1) nodes and the skip map to
 * max(nskips, 1) records. */
uint64_t trie_map_bytes(const struct xs_trie *t);

#endif /* XS_TRIE_H */
