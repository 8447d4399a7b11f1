/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace side of the sketches of include/xdpscope.h: HyperLogLog
 * registers for distinct sources and an exact aggregate of top-K
 * candidates, filled from the lite and page tiers of the idle epoch.
 * Merging CPUs, tiers or hosts is adding into one structure. No libbpf:
 * links into unit tests.
 *
 * HyperLogLog: 2^p one-byte registers, p in XS_HLL_P_MIN..XS_HLL_P_MAX.
 * hll_add_hash() applies the kernel's rule bit for bit, so registers read
 * from a page and registers built here from lite hashes merge by max.
 * The estimate is Otmar Ertl's improved raw estimator ("New cardinality
 * estimation algorithms for HyperLogLog sketches", arXiv:1702.01284,
 * Algorithm 6): no bias tables and no switch to linear counting, nearly
 * unbiased over the whole range (the paper's result), with a relative
 * standard error of about 1.04 / sqrt(2^p): 0.81% at p = 14, 1.6% at
 * p = 12. Below about sqrt(2^p) elements (128 at p = 14) the count is
 * exact as long as every element has a register of its own.
 *
 * Equal hashes are the same element; so are two different hashes with
 * the same index and rank, as in any HyperLogLog (the bits after the
 * first one are never looked at).
 */
#ifndef XS_USER_SKETCH_H
#define XS_USER_SKETCH_H

#include <stddef.h>
#include <stdint.h>
#include "xdpscope.h"

struct xs_hll {
	unsigned p;
	uint8_t *regs;		/* 2^p registers, each 0..64 - p + 1 */
};

/* Empty sketch of 2^p registers. 0, -EINVAL (p out of range) or -ENOMEM;
 * on failure h holds nothing and hll_free() is a no-op. */
int hll_init(struct xs_hll *h, unsigned p);
void hll_free(struct xs_hll *h);
void hll_clear(struct xs_hll *h);

/* index = top p bits; rank = leading zeros of the other 64 - p bits + 1,
 * or 64 - p + 1 when they are all zero; the register keeps the max. */
void hll_add_hash(struct xs_hll *h, uint64_t hash);

/* dst = register-wise max of dst and src (the sketch of the union).
 * 0, or -EINVAL if the two p differ (dst unchanged). */
int hll_merge(struct xs_hll *dst, const struct xs_hll *src);

/* Estimated distinct count: exactly 0 for an empty sketch, +infinity when
 * every register is at its maximum (nothing finite fits). */
double hll_estimate(const struct xs_hll *h);

/* hll_estimate() rounded to the nearest integer, UINT64_MAX beyond. */
uint64_t hll_count(const struct xs_hll *h);

/*
 * Registers as text for merging across hosts: base64 (standard alphabet,
 * padded) of zlib compress2() of the 2^p register bytes. p travels beside
 * it, not inside. *b64 is malloc'd, the caller frees it. 0 or -ENOMEM.
 */
int hll_export(const struct xs_hll *h, char **b64);

/* Initialises h (as hll_init) from hll_export() text of a p sketch.
 * 0; -ENOMEM; -EINVAL for bad p, base64, zlib data, length or register
 * value, with a one-line message in err (no newline). h holds nothing on
 * failure. err may be NULL. */
int hll_import(struct xs_hll *h, unsigned p, const char *b64, char *err, size_t errlen);

/* Distinct nonzero values among n lite-tier source hashes (the kernel
 * keeps up to XS_LITE_HASHES, 0 = free). Quadratic: meant for small n. */
uint64_t hll_lite_count(const uint64_t *hashes, size_t n);

/*
 * Top-K aggregation: one item per tag (struct xs_top_ent's tag) with the
 * packet and byte sums of every entry added under it, whatever CPU, tier
 * or host it came from. Memory grows with the distinct tags; top_clear()
 * keeps it, so one aggregate serves every (range, direction, dimension)
 * of a drain. top_add() is O(1) amortised; top_clear() is O(1).
 */
/* An item's key: the 16 key bytes of struct xs_top_ent, then
 * XS_KEY_V6MAPPED when they are the IPv6 address ::ffff:a.b.c.d rather
 * than IPv4 a.b.c.d (which the kernel keeps in the same bytes), else 0. */
#define XS_TOP_KEY_LEN 17
#define XS_KEY_V6MAPPED 1

struct xs_top_item {
	uint64_t tag;
	uint64_t pkts;
	uint64_t bytes;
	uint8_t key[XS_TOP_KEY_LEN];
};

struct top_slot;

struct xs_top_agg {
	struct xs_top_item *items;	/* n of cap, in the order first added */
	size_t n;
	size_t cap;
	struct top_slot *slots;		/* open addressing into items, 2 * cap */
	uint32_t gen;			/* slots of another generation are free */
};

void top_init(struct xs_top_agg *a);
void top_free(struct xs_top_agg *a);
void top_clear(struct xs_top_agg *a);

/* Adds pkts and bytes to tag's item, creating it with key if new (a later
 * key for the same tag is ignored). Tag 0 is a free entry: ignored.
 * 0 or -ENOMEM (the aggregate is unchanged). */
int top_add(struct xs_top_agg *a, uint64_t tag, uint64_t pkts, uint64_t bytes,
	    const uint8_t key[XS_TOP_KEY_LEN]);

/* The min(k, n) items with the most packets into out, best first; ties go
 * to more bytes, then to the smaller key (memcmp), then the smaller tag,
 * so the order is total and repeatable. Returns how many were written.
 * O(n log k); a is not changed. */
size_t top_sorted(const struct xs_top_agg *a, struct xs_top_item *out, size_t k);

#endif /* XS_USER_SKETCH_H */
