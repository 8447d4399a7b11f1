// SPDX-License-Identifier: GPL-2.0
/*
 * Leaf-pushed multibit trie (include/xdpscope.h). Prefixes go in by
 * ascending length, so a prefix only ever overwrites entries that hold a
 * shorter (or equal) one, and a new child node starts as a copy of the
 * entry it refines: the longest match is then simply the last entry of the
 * walk, which is all the BPF side can afford to compute.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "xdpscope.h"
#include "trie.h"

/* Range ids and node indexes share an entry with the XS_TRIE_CHILD bit. */
_Static_assert(MAX_RANGES < XS_TRIE_CHILD, "range ids collide with XS_TRIE_CHILD");
_Static_assert(MAX_TRIE_NODES <= XS_TRIE_CHILD, "node indexes collide with XS_TRIE_CHILD");
/* The BPF walk computes node * 256 + byte as a u32 map key. */
_Static_assert((unsigned long long)MAX_TRIE_NODES * XS_TRIE_NODE_SIZE <= 1ULL << 32,
	       "node keys overflow u32");

#define TRIE_ROOT UINT32_MAX		/* "node" argument meaning the root table */
#define TRIE_FIRST_CAP 64
#define TRIE_MAX_LEN 128

struct trie_item {
	const struct xs_prefix *p;
	uint32_t id;
};

static uint32_t *trie_slot(struct xs_trie *t, uint32_t node, uint32_t i)
{
	if (node == TRIE_ROOT)
		return &t->root[i];
	return &t->nodes[(size_t)node * XS_TRIE_NODE_SIZE + i];
}

int trie_init(struct xs_trie *t, int family)
{
	memset(t, 0, sizeof(*t));
	t->family = family;
	t->max_nodes = MAX_TRIE_NODES;
	t->root = calloc(XS_TRIE_ROOT_SIZE, sizeof(*t->root));
	return t->root ? 0 : -ENOMEM;
}

void trie_free(struct xs_trie *t)
{
	free(t->root);
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}

static void trie_reset(struct xs_trie *t)
{
	memset(t->root, 0, XS_TRIE_ROOT_SIZE * sizeof(*t->root));
	t->nnodes = 0;
}

/* A node whose 256 entries all hold `fill`: the value of the entry it
 * refines, so addresses the longer prefix does not cover keep their match. */
static int trie_new_node(struct xs_trie *t, uint32_t fill, uint32_t *node)
{
	uint32_t limit = t->max_nodes < MAX_TRIE_NODES ? t->max_nodes : MAX_TRIE_NODES;
	uint32_t *e;
	int i;

	if (t->nnodes >= limit)
		return -E2BIG;
	if (t->nnodes == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : TRIE_FIRST_CAP;
		uint32_t *nodes;

		if (cap > limit)
			cap = limit;
		nodes = realloc(t->nodes, (size_t)cap * XS_TRIE_NODE_SIZE * sizeof(*nodes));
		if (!nodes)
			return -ENOMEM;
		t->nodes = nodes;
		t->cap = cap;
	}
	*node = t->nnodes++;
	e = trie_slot(t, *node, 0);
	for (i = 0; i < XS_TRIE_NODE_SIZE; i++)
		e[i] = fill;
	return 0;
}

/* The child below entry i of `node`, created if the entry is a range id. */
static int trie_descend(struct xs_trie *t, uint32_t node, uint32_t i, uint32_t *child)
{
	uint32_t e = *trie_slot(t, node, i);
	int err;

	if (e & XS_TRIE_CHILD) {
		*child = e & ~XS_TRIE_CHILD;
		return 0;
	}
	/* Look the slot up again afterwards: creating a node may move t->nodes. */
	err = trie_new_node(t, e, child);
	if (err)
		return err;
	*trie_slot(t, node, i) = XS_TRIE_CHILD | *child;
	return 0;
}

/*
 * A range id over the whole subtree of `node`. trie_build's sort never
 * takes this path (a child exists only below a longer prefix, and those
 * come later); it is there so that a covered child pointer is never
 * overwritten by an id, which would orphan its subtree and make the table
 * disagree with itself.
 */
static void trie_push(struct xs_trie *t, uint32_t node, uint32_t id)
{
	uint32_t *e = trie_slot(t, node, 0);
	int i;

	for (i = 0; i < XS_TRIE_NODE_SIZE; i++) {
		if (e[i] & XS_TRIE_CHILD)
			trie_push(t, e[i] & ~XS_TRIE_CHILD, id);
		else
			e[i] = id;
	}
}

static int trie_insert(struct xs_trie *t, const uint8_t *addr, unsigned int len, uint32_t id)
{
	uint32_t node = TRIE_ROOT;
	uint32_t i = (uint32_t)addr[0] << 8 | addr[1];
	unsigned int bits = XS_TRIE_ROOT_BITS;	/* address bits resolved at this level */
	unsigned int next = 2;			/* address byte of the next level */
	uint32_t first, count, k;
	int err;

	while (len > bits) {
		err = trie_descend(t, node, i, &node);
		if (err)
			return err;
		i = addr[next++];
		bits += 8;
	}
	/* The prefix ends inside this level's stride: it covers 2^(bits - len)
	 * consecutive entries, host bits masked off. */
	count = 1U << (bits - len);
	first = i & ~(count - 1);
	for (k = first; k < first + count; k++) {
		uint32_t *e = trie_slot(t, node, k);

		if (*e & XS_TRIE_CHILD)
			trie_push(t, *e & ~XS_TRIE_CHILD, id);
		else
			*e = id;
	}
	return 0;
}

static int trie_check_prefix(const struct xs_prefix *p)
{
	if (p->family == 4)
		return p->len <= 32 ? 0 : -EINVAL;
	if (p->family == 6)
		return p->len <= 128 ? 0 : -EINVAL;
	return -EINVAL;
}

int trie_build(struct xs_trie *t4, struct xs_trie *t6, const struct xs_config *cfg)
{
	size_t start[TRIE_MAX_LEN + 2] = { 0 };	/* by prefix length, then where it starts */
	struct trie_item *items;
	size_t n = 0, r, j;
	int err = 0;

	if (t4->family != 4 || t6->family != 6)
		return -EINVAL;
	if (cfg->nranges > MAX_RANGES)
		return -E2BIG;
	trie_reset(t4);
	trie_reset(t6);

	for (r = 0; r < cfg->nranges; r++) {
		for (j = 0; j < cfg->ranges[r].nprefixes; j++) {
			const struct xs_prefix *p = &cfg->ranges[r].prefixes[j];

			if (trie_check_prefix(p))
				return -EINVAL;
			start[p->len + 1]++;
			n++;
		}
	}
	if (!n)
		return 0;
	items = malloc(n * sizeof(*items));
	if (!items)
		return -ENOMEM;
	/* A counting sort is stable, so among equal prefixes the later range
	 * is inserted last and wins, whatever qsort would have done. */
	for (j = 1; j <= TRIE_MAX_LEN; j++)
		start[j] += start[j - 1];
	for (r = 0; r < cfg->nranges; r++) {
		for (j = 0; j < cfg->ranges[r].nprefixes; j++) {
			const struct xs_prefix *p = &cfg->ranges[r].prefixes[j];

			items[start[p->len]++] = (struct trie_item){ p, (uint32_t)r + 1 };
		}
	}
	for (j = 0; j < n && !err; j++) {
		const struct xs_prefix *p = items[j].p;

		err = trie_insert(p->family == 4 ? t4 : t6, p->addr, p->len, items[j].id);
	}
	free(items);
	return err;
}

uint32_t trie_lookup(const struct xs_trie *t, const uint8_t *addr)
{
	int last = t->family == 6 ? 16 : 4;
	uint32_t e = t->root[(uint32_t)addr[0] << 8 | addr[1]];
	int b;

	for (b = 2; b < last; b++) {
		uint32_t node;

		if (!(e & XS_TRIE_CHILD))
			return e;
		node = e & ~XS_TRIE_CHILD;
		if (node >= t->nnodes)
			return XS_TRIE_LOOKUP_FAIL;
		e = t->nodes[(size_t)node * XS_TRIE_NODE_SIZE + addr[b]];
	}
	return e & XS_TRIE_CHILD ? XS_TRIE_LOOKUP_FAIL : e;
}

uint64_t trie_map_bytes(const struct xs_trie *t)
{
	uint64_t nodes = t->nnodes ? t->nnodes : 1;

	return (XS_TRIE_ROOT_SIZE + nodes * XS_TRIE_NODE_SIZE) * sizeof(uint32_t);
}
