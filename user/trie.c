// SPDX-License-Identifier: GPL-2.0
/*
 * Leaf-pushed multibit trie (include/xdpscope.h). Prefixes go in by
 * ascending length, so a prefix only ever overwrites entries that hold a
 * shorter (or equal) one, and a new child node starts as a copy of the
 * entry it refines: the longest match is then simply the last entry of the
 * walk, which is all the BPF side can afford to compute.
 *
 * IPv6 prefixes are sparse: below a /32 or /48 most nodes refine one byte
 * and hold one value elsewhere, and a /64 alone is six such nodes deep.
 * trie_pack() replaces those chains by skip records once the trie is
 * built (inserting into a compressed trie would mean splitting skips),
 * then drops the nodes nothing points to any more.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "xdpscope.h"
#include "trie.h"

/* Range ids and node indexes against the flag bits: include/xdpscope.h. */
/* The BPF walk computes node * 256 + byte as a u32 map key. */
_Static_assert((unsigned long long)MAX_TRIE_NODES * XS_TRIE_NODE_SIZE <= 1ULL << 32,
	       "node keys overflow u32");
/* Each skip replaces at least one node (its chain's head), so there are
 * never more skips than max_nodes: skip indexes fit below the flags too. */
_Static_assert(MAX_TRIE_NODES <= XS_TRIE_INDEX + 1ULL, "skip indexes collide with XS_TRIE_SKIP");

#define TRIE_ROOT UINT32_MAX		/* "node" argument meaning the root table */
#define TRIE_FIRST_CAP 64
#define TRIE_MAX_LEN 128
#define TRIE_V6_BYTES 16

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
	free(t->skips);
	memset(t, 0, sizeof(*t));
}

static void trie_reset(struct xs_trie *t)
{
	memset(t->root, 0, XS_TRIE_ROOT_SIZE * sizeof(*t->root));
	t->nnodes = 0;
	t->nskips = 0;
	t->max_len = 0;
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

	if (len > t->max_len)
		t->max_len = len;
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

enum trie_shape {
	TRIE_MIXED,		/* two or more entries differ from the rest */
	TRIE_UNIFORM,		/* one value throughout */
	TRIE_SINGLE,		/* one value but for one entry */
};

/*
 * The shape of `node`: with TRIE_SINGLE, "byte == *b ? *x : *v"; with
 * TRIE_UNIFORM, *v everywhere. A uniform node does occur: a range that
 * lists a prefix and a longer one inside it writes its own id over the
 * node the longer one created.
 */
static enum trie_shape trie_shape(struct xs_trie *t, uint32_t node, uint8_t *b, uint32_t *x,
				  uint32_t *v)
{
	const uint32_t *e = trie_slot(t, node, 0);
	/* With at most one odd entry, e[2] is the common value if e[0] != e[1]. */
	uint32_t fill = e[0] == e[1] ? e[0] : e[2];
	int odd = -1, i;

	if (fill & XS_TRIE_PTR)
		return TRIE_MIXED;
	for (i = 0; i < XS_TRIE_NODE_SIZE; i++) {
		if (e[i] == fill)
			continue;
		if (odd >= 0)
			return TRIE_MIXED;
		odd = i;
	}
	*v = fill;
	if (odd < 0)
		return TRIE_UNIFORM;
	*b = (uint8_t)odd;
	*x = e[odd];
	return TRIE_SINGLE;
}

static int trie_add_skip(struct xs_trie *t, const struct xs_skip *s, uint32_t *entry)
{
	if (t->nskips == t->skip_cap) {
		uint32_t cap = t->skip_cap ? t->skip_cap * 2 : TRIE_FIRST_CAP;
		struct xs_skip *skips = realloc(t->skips, (size_t)cap * sizeof(*skips));

		if (!skips)
			return -ENOMEM;
		t->skips = skips;
		t->skip_cap = cap;
	}
	t->skips[t->nskips] = *s;
	*entry = XS_TRIE_SKIP | t->nskips++;
	return 0;
}

/*
 * Entry `e` with the single-child chains below it made skips, in *out
 * (which may be e's own slot). Marks in keep[] the nodes still pointed to.
 * A chain's nodes merge while they share the value v, up to
 * XS_SKIP_BYTES; where v changes or the bytes run out, the rest becomes
 * the skip's `next`, another skip if it is a chain again. Every node is
 * reached from one entry only, so each is read before anything rewrites
 * it.
 */
static int trie_compress(struct xs_trie *t, uint8_t *keep, uint32_t e, uint32_t *out)
{
	struct xs_skip s = { 0 };
	uint32_t node, x, v, nx, nv;
	uint8_t b;
	int err, i;

	if (!(e & XS_TRIE_CHILD)) {
		*out = e;
		return 0;
	}
	node = e & ~XS_TRIE_CHILD;
	switch (trie_shape(t, node, &b, &x, &v)) {
	case TRIE_UNIFORM:
		*out = v;
		return 0;
	case TRIE_MIXED:
		keep[node] = 1;
		for (i = 0; i < XS_TRIE_NODE_SIZE; i++) {
			uint32_t *slot = trie_slot(t, node, i);

			err = trie_compress(t, keep, *slot, slot);
			if (err)
				return err;
		}
		*out = e;
		return 0;
	case TRIE_SINGLE:
		break;
	}
	s.miss = v;
	s.bytes[s.len++] = b;
	while (s.len < XS_SKIP_BYTES && (x & XS_TRIE_CHILD) &&
	       trie_shape(t, x & ~XS_TRIE_CHILD, &b, &nx, &nv) == TRIE_SINGLE && nv == v) {
		s.bytes[s.len++] = b;
		x = nx;
	}
	err = trie_compress(t, keep, x, &s.next);
	if (err)
		return err;
	/* The chain ended in a uniform node of v: every address gets v. */
	if (s.next == v) {
		*out = v;
		return 0;
	}
	return trie_add_skip(t, &s, out);
}

static void trie_renumber(uint32_t *e, const uint32_t *renum)
{
	if (*e & XS_TRIE_CHILD)
		*e = XS_TRIE_CHILD | renum[*e & ~XS_TRIE_CHILD];
}

/*
 * Compress the IPv6 trie, then move the nodes still pointed to to the
 * front, in their old order, and fix every pointer to them: the node map
 * the loader sizes from nnodes shrinks with the trie.
 */
static int trie_pack(struct xs_trie *t)
{
	uint32_t *renum, kept = 0, n, k;
	uint8_t *keep;
	size_t i;
	int err = 0;

	if (!t->nnodes)
		return 0;
	keep = calloc(t->nnodes, sizeof(*keep));
	renum = malloc((size_t)t->nnodes * sizeof(*renum));
	if (!keep || !renum) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < XS_TRIE_ROOT_SIZE && !err; i++)
		err = trie_compress(t, keep, t->root[i], &t->root[i]);
	if (err)
		goto out;
	for (n = 0; n < t->nnodes; n++) {
		if (!keep[n])
			continue;
		renum[n] = kept;
		if (kept != n)
			memcpy(trie_slot(t, kept, 0), trie_slot(t, n, 0),
			       XS_TRIE_NODE_SIZE * sizeof(*t->nodes));
		kept++;
	}
	t->nnodes = kept;
	for (i = 0; i < XS_TRIE_ROOT_SIZE; i++)
		trie_renumber(&t->root[i], renum);
	for (i = 0; i < (size_t)kept * XS_TRIE_NODE_SIZE; i++)
		trie_renumber(&t->nodes[i], renum);
	for (k = 0; k < t->nskips; k++)
		trie_renumber(&t->skips[k].next, renum);
	if (!kept) {
		free(t->nodes);
		t->nodes = NULL;
		t->cap = 0;
	} else if (kept < t->cap) {
		/* Shrinking in place: a failure leaves the larger block, still valid. */
		uint32_t *nodes = realloc(t->nodes,
					  (size_t)kept * XS_TRIE_NODE_SIZE * sizeof(*nodes));

		if (nodes) {
			t->nodes = nodes;
			t->cap = kept;
		}
	}
out:
	free(keep);
	free(renum);
	return err;
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
	return err ? err : trie_pack(t6);
}

/*
 * Node entry `e` -> `byte` as the BPF walk reads it: the key is computed
 * in u32 (node * 256 + byte) and the loader's map has max(nnodes, 1)
 * nodes, the spare one all zeros. Only a corrupt entry can tell these
 * details apart; they are kept so that trie_lookup stays the same walk.
 */
static int trie_node_read(const struct xs_trie *t, uint32_t e, uint8_t byte, uint32_t *out)
{
	uint32_t key = (e & ~XS_TRIE_CHILD) * XS_TRIE_NODE_SIZE + byte;
	uint32_t nodes = t->nnodes ? t->nnodes : 1;

	if (key >= nodes * XS_TRIE_NODE_SIZE)
		return -1;
	*out = t->nnodes ? t->nodes[key] : 0;
	return 0;
}

/* classify_v4() in bpf/classify.h. */
static uint32_t trie_walk_v4(const struct xs_trie *t, const uint8_t *addr, unsigned int *reads)
{
	uint32_t e = t->root[(uint32_t)addr[0] << 8 | addr[1]];
	int b;

	*reads = 1;
	for (b = 2; b < 4; b++) {
		if (!(e & XS_TRIE_CHILD))
			return e;
		if (trie_node_read(t, e, addr[b], &e))
			return XS_TRIE_LOOKUP_FAIL;
		++*reads;
	}
	return e & XS_TRIE_CHILD ? XS_TRIE_LOOKUP_FAIL : e;
}

/* classify_v6() in bpf/classify.h, step for step, its failures included;
 * the skip compare byte by byte, which is what BPF's one-word compare
 * computes. */
static uint32_t trie_walk_v6(const struct xs_trie *t, const uint8_t *addr, unsigned int *reads)
{
	static const struct xs_skip spare;	/* the empty skip map's one record */
	uint32_t e = t->root[(uint32_t)addr[0] << 8 | addr[1]];
	uint32_t i = 2, k, idx;
	const struct xs_skip *s;
	int step;

	*reads = 1;
	for (step = 0; step < XS_V6_WALK_MAX; step++) {
		if (e & XS_TRIE_CHILD && e != XS_TRIE_LOOKUP_FAIL) {
			if (i >= TRIE_V6_BYTES || trie_node_read(t, e, addr[i++], &e))
				return XS_TRIE_LOOKUP_FAIL;
			++*reads;
			continue;
		}
		if (!(e & XS_TRIE_SKIP) || e == XS_TRIE_LOOKUP_FAIL)
			return e;
		idx = e & XS_TRIE_INDEX;
		if (idx >= (t->nskips ? t->nskips : 1))
			return XS_TRIE_LOOKUP_FAIL;
		s = t->nskips ? &t->skips[idx] : &spare;
		++*reads;
		if (s->len < 1 || s->len > XS_SKIP_BYTES || i + s->len > TRIE_V6_BYTES)
			return XS_TRIE_LOOKUP_FAIL;
		for (k = 0; k < s->len; k++)
			if (addr[i + k] != s->bytes[k])
				return s->miss & XS_TRIE_PTR ? XS_TRIE_LOOKUP_FAIL : s->miss;
		i += s->len;
		e = s->next;
	}
	return e & XS_TRIE_PTR ? XS_TRIE_LOOKUP_FAIL : e;
}

uint32_t trie_lookup_reads(const struct xs_trie *t, const uint8_t *addr, unsigned int *reads)
{
	unsigned int n;

	if (!reads)
		reads = &n;
	return t->family == 6 ? trie_walk_v6(t, addr, reads) : trie_walk_v4(t, addr, reads);
}

uint32_t trie_lookup(const struct xs_trie *t, const uint8_t *addr)
{
	return trie_lookup_reads(t, addr, NULL);
}

uint64_t trie_map_bytes(const struct xs_trie *t)
{
	uint64_t nodes = t->nnodes ? t->nnodes : 1;
	uint64_t skips = t->family == 6 ? (t->nskips ? t->nskips : 1) : 0;

	return (XS_TRIE_ROOT_SIZE + nodes * XS_TRIE_NODE_SIZE) * sizeof(uint32_t) +
	       skips * sizeof(struct xs_skip);
}
