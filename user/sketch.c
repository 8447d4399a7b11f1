// SPDX-License-Identifier: GPL-2.0
/*
 * HyperLogLog estimate, register export and the top-K aggregate. The
 * contract is in sketch.h; the comments here say why it is built so.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "sketch.h"
#include "log.h"

#define HLL_Q(p) (64U - (p))			/* hash bits left for the rank */
#define HLL_RANK_MAX(p) (HLL_Q(p) + 1)

int hll_init(struct xs_hll *h, unsigned p)
{
	h->p = 0;
	h->regs = NULL;
	if (p < XS_HLL_P_MIN || p > XS_HLL_P_MAX)
		return -EINVAL;
	h->regs = calloc((size_t)1 << p, 1);
	if (!h->regs)
		return -ENOMEM;
	h->p = p;
	return 0;
}

void hll_free(struct xs_hll *h)
{
	free(h->regs);
	h->regs = NULL;
	h->p = 0;
}

void hll_clear(struct xs_hll *h)
{
	if (h->regs)
		memset(h->regs, 0, (size_t)1 << h->p);
}

/* The kernel's rule (bpf/sketch.h hll_add()), kept bit for bit: registers
 * of both sides merge only if they agree on index and rank. */
void hll_add_hash(struct xs_hll *h, uint64_t hash)
{
	uint64_t w = hash << h->p;
	uint8_t rank = w ? (unsigned)__builtin_clzll(w) + 1 : HLL_RANK_MAX(h->p);
	uint8_t *reg = &h->regs[hash >> (64 - h->p)];

	if (rank > *reg)
		*reg = rank;
}

int hll_merge(struct xs_hll *dst, const struct xs_hll *src)
{
	size_t i, m;

	if (dst->p != src->p)
		return -EINVAL;
	m = (size_t)1 << dst->p;
	for (i = 0; i < m; i++)
		if (src->regs[i] > dst->regs[i])
			dst->regs[i] = src->regs[i];
	return 0;
}

/*
 * Ertl's sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1): the share of the
 * zero registers. The loop stops when a term no longer changes the sum,
 * which in doubles takes a few dozen rounds at most.
 */
static double ertl_sigma(double x)
{
	double y = 1, z = x, prev;

	if (x == 1)
		return INFINITY;
	do {
		x *= x;
		prev = z;
		z += x * y;
		y += y;
	} while (z != prev);
	return z;
}

/* Ertl's tau(x) = (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k) / 3: the share
 * of the registers at their maximum. */
static double ertl_tau(double x)
{
	double y = 1, z, prev;

	if (x == 0 || x == 1)
		return 0;
	z = 1 - x;
	do {
		x = sqrt(x);
		prev = z;
		y *= 0.5;
		z -= (1 - x) * (1 - x) * y;
	} while (z != prev);
	return z / 3;
}

/*
 * Algorithm 6 of arXiv:1702.01284 over the register histogram c[0..q+1]:
 * alpha_inf m^2 / (m tau(1 - c[q+1]/m) 2^-q + sum_{k=1..q} c[k] 2^-k
 * + m sigma(c[0]/m)), the first two terms by halving (Horner) from k = q
 * down to 1, which needs no 2^-k of its own.
 */
double hll_estimate(const struct xs_hll *h)
{
	unsigned q = HLL_Q(h->p), k;
	uint32_t c[HLL_RANK_MAX(XS_HLL_P_MIN) + 1] = { 0 };
	size_t i, m = (size_t)1 << h->p;
	double z, dm = (double)m;

	/* A register above q + 1 cannot come from hll_add_hash() or
	 * hll_import(); count it as the maximum rather than write past c. */
	for (i = 0; i < m; i++)
		c[h->regs[i] < q + 1 ? h->regs[i] : q + 1]++;
	/* sigma(1) is infinite: say 0 without leaning on inf arithmetic. */
	if (c[0] == m)
		return 0;
	z = dm * ertl_tau((dm - c[q + 1]) / dm);
	for (k = q; k >= 1; k--)
		z = 0.5 * (z + c[k]);
	z += dm * ertl_sigma(c[0] / dm);
	/* Every register at q + 1: tau(0) = 0 and no other term is left. */
	if (z == 0)
		return INFINITY;
	return dm * dm / (2 * M_LN2) / z;
}

uint64_t hll_count(const struct xs_hll *h)
{
	double e = round(hll_estimate(h));

	return e < 0x1p64 ? (uint64_t)e : UINT64_MAX;
}

uint64_t hll_lite_count(const uint64_t *hashes, size_t n)
{
	uint64_t distinct = 0;
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (!hashes[i])
			continue;
		for (j = 0; j < i && hashes[j] != hashes[i]; j++)
			;
		distinct += j == i;
	}
	return distinct;
}

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(const uint8_t *in, size_t len)
{
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		*o++ = b64_alphabet[v >> 18];
		*o++ = b64_alphabet[v >> 12 & 63];
		*o++ = b64_alphabet[v >> 6 & 63];
		*o++ = b64_alphabet[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);

		*o++ = b64_alphabet[v >> 18];
		*o++ = b64_alphabet[v >> 12 & 63];
		*o++ = i + 1 < len ? b64_alphabet[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static int b64_value(char ch)
{
	const char *at = ch ? strchr(b64_alphabet, ch) : NULL;

	return at ? (int)(at - b64_alphabet) : -1;
}

/* The byte as a number too: the text may hold a newline. */
static void b64_bad_byte(char *err, size_t errlen, unsigned char ch, size_t off)
{
	char shown[8] = "";

	if (isprint(ch))
		snprintf(shown, sizeof(shown), " '%c'", ch);
	set_err(err, errlen,
		"expected base64 (A-Z a-z 0-9 + / and = padding), got byte 0x%02x%s at offset %zu",
		ch, shown, off);
}

/*
 * Strict: groups of four, '=' only as the last one or two characters, no
 * whitespace. Text from another host that is not exactly what
 * hll_export() writes is more likely damage than a dialect.
 */
static int b64_decode(const char *in, uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
	size_t len = strlen(in), pad = 0, i, n = 0;
	uint8_t *buf;

	if (len % 4) {
		set_err(err, errlen, "expected base64 in groups of 4 characters, got %zu", len);
		return -EINVAL;
	}
	if (len && in[len - 1] == '=')
		pad = len >= 2 && in[len - 2] == '=' ? 2 : 1;
	buf = malloc(len / 4 * 3 + 1);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < len; i += 4) {
		uint32_t v = 0;
		size_t j;

		for (j = i; j < i + 4; j++) {
			int d = j >= len - pad ? 0 : b64_value(in[j]);

			if (d < 0) {
				b64_bad_byte(err, errlen, in[j], j);
				free(buf);
				return -EINVAL;
			}
			v = v << 6 | (uint32_t)d;
		}
		buf[n++] = v >> 16;
		buf[n++] = v >> 8;
		buf[n++] = v;
	}
	*out = buf;
	*outlen = n - pad;
	return 0;
}

int hll_export(const struct xs_hll *h, char **b64)
{
	uLong m = 1UL << h->p;
	uLongf zlen = compressBound(m);
	uint8_t *z = malloc(zlen);
	int ret = -ENOMEM;

	*b64 = NULL;
	if (!z)
		return -ENOMEM;
	/* Z_MEM_ERROR is the only failure: the bound leaves room for any input. */
	if (compress2(z, &zlen, h->regs, m, Z_DEFAULT_COMPRESSION) == Z_OK) {
		*b64 = b64_encode(z, zlen);
		if (*b64)
			ret = 0;
	}
	free(z);
	return ret;
}

int hll_import(struct xs_hll *h, unsigned p, const char *b64, char *err, size_t errlen)
{
	uint8_t *z = NULL, *regs = NULL;
	size_t zlen, i, m;
	uLong src_len;
	uLongf reg_len;
	int ret;

	h->p = 0;
	h->regs = NULL;
	if (p < XS_HLL_P_MIN || p > XS_HLL_P_MAX) {
		set_err(err, errlen, "expected p in %d..%d, got %u", XS_HLL_P_MIN, XS_HLL_P_MAX, p);
		return -EINVAL;
	}
	ret = b64_decode(b64, &z, &zlen, err, errlen);
	if (ret)
		return ret;
	m = (size_t)1 << p;
	/* One byte of slack tells "longer than 2^p" from "exactly 2^p". */
	regs = malloc(m + 1);
	if (!regs) {
		ret = -ENOMEM;
		goto out;
	}
	src_len = zlen;
	reg_len = m + 1;
	ret = uncompress2(regs, &reg_len, z, &src_len);
	if (ret == Z_MEM_ERROR) {
		ret = -ENOMEM;
		goto out;
	}
	if (ret == Z_BUF_ERROR) {
		set_err(err, errlen, "expected %zu register bytes for p=%u, got more", m, p);
		ret = -EINVAL;
		goto out;
	}
	if (ret != Z_OK) {
		set_err(err, errlen, "expected zlib data, got %s",
			zlen ? "a corrupt or truncated stream" : "nothing");
		ret = -EINVAL;
		goto out;
	}
	if (src_len != zlen) {
		set_err(err, errlen, "expected zlib data alone, got %zu bytes after it",
			zlen - (size_t)src_len);
		ret = -EINVAL;
		goto out;
	}
	if (reg_len != m) {
		set_err(err, errlen, "expected %zu register bytes for p=%u, got %lu", m, p,
			(unsigned long)reg_len);
		ret = -EINVAL;
		goto out;
	}
	for (i = 0; i < m; i++) {
		if (regs[i] > HLL_RANK_MAX(p)) {
			set_err(err, errlen, "register %zu is %u, expected at most %u for p=%u", i,
				regs[i], HLL_RANK_MAX(p), p);
			ret = -EINVAL;
			goto out;
		}
	}
	h->p = p;
	h->regs = regs;
	regs = NULL;
	ret = 0;
out:
	free(regs);
	free(z);
	return ret;
}

/*
 * Top-K aggregate: items in a dense array (what top_sorted() walks), found
 * through an open-addressing table of indexes with linear probing. A slot
 * is taken only if its generation is the aggregate's, so top_clear() is a
 * counter bump instead of a memset of a table sized for the largest list
 * ever seen; the table is wiped once per 2^32 clears when the counter
 * wraps.
 */
struct top_slot {
	uint32_t gen;
	uint32_t idx;
};

#define TOP_MIN_CAP 64
#define TOP_MAX_CAP ((size_t)1 << 30)	/* idx is 32 bits; 2 * cap slots */

void top_init(struct xs_top_agg *a)
{
	memset(a, 0, sizeof(*a));
	a->gen = 1;
}

void top_free(struct xs_top_agg *a)
{
	free(a->items);
	free(a->slots);
	top_init(a);
}

void top_clear(struct xs_top_agg *a)
{
	a->n = 0;
	if (++a->gen == 0) {
		if (a->slots)
			memset(a->slots, 0, 2 * a->cap * sizeof(*a->slots));
		a->gen = 1;
	}
}

/* Port tags are small integers (port | XS_TAG_PORT): mix before masking. */
static size_t top_home(uint64_t tag, size_t mask)
{
	return (size_t)xs_mix64(tag) & mask;
}

static void top_place(struct top_slot *slots, size_t mask, uint32_t gen, uint64_t tag,
		      uint32_t idx)
{
	size_t s = top_home(tag, mask);

	while (slots[s].gen == gen)
		s = (s + 1) & mask;
	slots[s].gen = gen;
	slots[s].idx = idx;
}

/* Double the items and rebuild the table at load <= 1/2 in fresh memory,
 * so a failed allocation leaves the aggregate as it was. */
static int top_grow(struct xs_top_agg *a)
{
	size_t cap = a->cap ? 2 * a->cap : TOP_MIN_CAP, i;
	struct xs_top_item *items;
	struct top_slot *slots;

	if (cap > TOP_MAX_CAP)
		return -ENOMEM;
	slots = calloc(2 * cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	items = realloc(a->items, cap * sizeof(*items));
	if (!items) {
		free(slots);
		return -ENOMEM;
	}
	free(a->slots);
	a->items = items;
	a->slots = slots;
	a->cap = cap;
	a->gen = 1;
	for (i = 0; i < a->n; i++)
		top_place(slots, 2 * cap - 1, a->gen, items[i].tag, i);
	return 0;
}

int top_add(struct xs_top_agg *a, uint64_t tag, uint64_t pkts, uint64_t bytes,
	    const uint8_t key[XS_TOP_KEY_LEN])
{
	struct xs_top_item *it;
	size_t mask, s;
	int ret;

	if (!tag)
		return 0;
	if (a->cap) {
		mask = 2 * a->cap - 1;
		for (s = top_home(tag, mask); a->slots[s].gen == a->gen; s = (s + 1) & mask) {
			it = &a->items[a->slots[s].idx];
			if (it->tag == tag) {
				it->pkts += pkts;
				it->bytes += bytes;
				return 0;
			}
		}
	}
	if (a->n == a->cap) {
		ret = top_grow(a);
		if (ret)
			return ret;
	}
	it = &a->items[a->n];
	memset(it, 0, sizeof(*it));	/* padding too: equal items, equal bytes */
	it->tag = tag;
	it->pkts = pkts;
	it->bytes = bytes;
	memcpy(it->key, key, sizeof(it->key));
	top_place(a->slots, 2 * a->cap - 1, a->gen, tag, a->n);
	a->n++;
	return 0;
}

/* <0 if x ranks before y: more packets, more bytes, smaller key, smaller
 * tag. Tags are unique within an aggregate, so no two items tie. */
static int top_cmp(const struct xs_top_item *x, const struct xs_top_item *y)
{
	int c;

	if (x->pkts != y->pkts)
		return x->pkts > y->pkts ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	c = memcmp(x->key, y->key, sizeof(x->key));
	if (c)
		return c;
	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	return 0;
}

static int top_qsort_cmp(const void *x, const void *y)
{
	return top_cmp(x, y);
}

/* Restore the heap below `i`: the root is the item ranked last. */
static void top_sift_down(struct xs_top_item *heap, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, worst = i;
		struct xs_top_item tmp;

		if (l < n && top_cmp(&heap[l], &heap[worst]) > 0)
			worst = l;
		if (r < n && top_cmp(&heap[r], &heap[worst]) > 0)
			worst = r;
		if (worst == i)
			return;
		tmp = heap[i];
		heap[i] = heap[worst];
		heap[worst] = tmp;
		i = worst;
	}
}

/*
 * Selection in out itself: the first k items form a heap whose root is
 * the weakest kept; each later item that beats it replaces it. That is
 * O(n log k) without memory of its own, then the k survivors are sorted.
 */
size_t top_sorted(const struct xs_top_agg *a, struct xs_top_item *out, size_t k)
{
	size_t keep = a->n < k ? a->n : k, i;

	if (!keep)
		return 0;
	memcpy(out, a->items, keep * sizeof(*out));
	for (i = keep / 2; i-- > 0;)
		top_sift_down(out, keep, i);
	for (i = keep; i < a->n; i++) {
		if (top_cmp(&a->items[i], &out[0]) < 0) {
			out[0] = a->items[i];
			top_sift_down(out, keep, 0);
		}
	}
	qsort(out, keep, sizeof(*out), top_qsort_cmp);
	return keep;
}
