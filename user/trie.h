/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Builds the classifier tables of include/xdpscope.h from a config: for
 * each family a root of XS_TRIE_ROOT_SIZE entries and an array of nodes
 * of XS_TRIE_NODE_SIZE entries, with shorter prefixes pushed down into
 * child nodes so that the first entry without XS_TRIE_CHILD on a walk is
 * the longest match. No libbpf: links into unit tests.
 */
#ifndef XS_TRIE_H
#define XS_TRIE_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"

struct xs_trie {
	int family;		/* 4 or 6 */
	uint32_t *root;		/* XS_TRIE_ROOT_SIZE entries */
	uint32_t *nodes;	/* nnodes * XS_TRIE_NODE_SIZE entries */
	uint32_t nnodes;
	uint32_t cap;		/* allocated nodes */
};

/* Empty table of `family` (every entry 0). 0 or -ENOMEM. */
int trie_init(struct xs_trie *t, int family);
void trie_free(struct xs_trie *t);

/* Every prefix of every range of cfg, range id = index + 1, into the trie
 * of its family. 0, -ENOMEM, or -E2BIG past MAX_TRIE_NODES. */
int trie_build(struct xs_trie *t4, struct xs_trie *t6, const struct xs_config *cfg);

/* The walk the BPF program does; 0 if no range. */
uint32_t trie_lookup(const struct xs_trie *t, const uint8_t *addr);

/* Kernel memory of the maps for this many ranges and nodes on ncpus. */
uint64_t trie_map_bytes(const struct xs_trie *t);

#endif /* XS_TRIE_H */
