// SPDX-License-Identifier: GPL-2.0
/*
 * HyperLogLog registers, estimate, merge and export, and the top-K
 * aggregate. Inputs are xs_mix64(i + seed) over i = 0..n-1, the hash the
 * kernel feeds the sketch; seeds are 2^40 apart so no two sets overlap.
 * The data is fixed, so every figure here is repeatable: the bounds are
 * about 3.7 standard errors wide and the measured errors well inside.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "sketch.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SEED(s) ((uint64_t)(s) << 40)

static void hll_fill(struct xs_hll *h, uint64_t from, uint64_t n, uint64_t seed)
{
	uint64_t i;

	for (i = from; i < from + n; i++)
		hll_add_hash(h, xs_mix64(i + seed));
}

static void hll_new(struct xs_hll *h, unsigned p)
{
	ck_assert_int_eq(hll_init(h, p), 0);
}

/* A copy: merging into an empty sketch is the register-wise identity. */
static void hll_copy(struct xs_hll *dst, const struct xs_hll *src)
{
	hll_new(dst, src->p);
	ck_assert_int_eq(hll_merge(dst, src), 0);
}

static size_t hll_size(const struct xs_hll *h)
{
	return (size_t)1 << h->p;
}

static size_t hll_nonzero(const struct xs_hll *h)
{
	size_t i, n = 0;

	for (i = 0; i < hll_size(h); i++)
		n += h->regs[i] != 0;
	return n;
}

static int hll_same(const struct xs_hll *a, const struct xs_hll *b)
{
	return a->p == b->p && !memcmp(a->regs, b->regs, hll_size(a));
}

START_TEST(test_hll_init_bounds)
{
	static const unsigned bad[] = { 0, XS_HLL_P_MIN - 1, XS_HLL_P_MAX + 1, 64 };
	struct xs_hll h;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ck_assert_msg(hll_init(&h, bad[i]) == -EINVAL, "p=%u accepted", bad[i]);
		ck_assert_msg(h.regs == NULL, "p=%u left registers", bad[i]);
		hll_free(&h);
	}
	for (i = XS_HLL_P_MIN; i <= XS_HLL_P_MAX; i++) {
		ck_assert_msg(hll_init(&h, i) == 0, "p=%zu refused", i);
		ck_assert_msg(hll_nonzero(&h) == 0, "p=%zu not empty", i);
		hll_free(&h);
		hll_free(&h);
	}
}
END_TEST

START_TEST(test_hll_empty)
{
	struct xs_hll h;

	hll_new(&h, 14);
	ck_assert_msg(hll_estimate(&h) == 0.0, "empty estimate %f", hll_estimate(&h));
	ck_assert_uint_eq(hll_count(&h), 0);
	hll_fill(&h, 0, 1000, SEED(1));
	ck_assert_uint_ne(hll_count(&h), 0);
	hll_clear(&h);
	ck_assert_msg(hll_estimate(&h) == 0.0, "cleared estimate %f", hll_estimate(&h));
	hll_free(&h);
}
END_TEST

/* One element, and one element seen 10^5 times, are one. */
START_TEST(test_hll_one)
{
	uint64_t hash = xs_mix64(SEED(3));
	struct xs_hll h, once;
	int i;

	hll_new(&h, 14);
	hll_add_hash(&h, hash);
	ck_assert_uint_eq(hll_count(&h), 1);
	hll_copy(&once, &h);
	for (i = 0; i < 100000; i++)
		hll_add_hash(&h, hash);
	ck_assert_uint_eq(hll_count(&h), 1);
	ck_assert_msg(hll_same(&h, &once), "repeats changed a register");
	hll_free(&h);
	hll_free(&once);
}
END_TEST

/* The kernel's rule: index = top p bits, rank = clz(hash << p) + 1, or
 * 64 - p + 1 when the rest is zero. */
static const struct rank_row {
	const char *name;
	unsigned p;
	uint64_t hash;
	size_t index;
	uint8_t rank;
} rank_rows[] = {
	{ "p14 zero hash", 14, 0, 0, 51 },
	{ "p14 all ones", 14, UINT64_MAX, 16383, 1 },
	{ "p14 lowest bit only", 14, 1, 0, 50 },
	{ "p14 first rank bit", 14, 1ULL << 49, 0, 1 },
	{ "p14 index 1, rest zero", 14, 1ULL << 50, 1, 51 },
	{ "p14 two leading zeros", 14, 0x1234ULL << 50 | 1ULL << 47 | 5, 0x1234, 3 },
	{ "p8 low bit", 8, 0xab00000000000001ULL, 0xab, 56 },
	{ "p8 zero rest", 8, 0xff00000000000000ULL, 0xff, 57 },
	{ "p16 last index", 16, 0xffff000000000000ULL, 0xffff, 49 },
	{ "p16 rank 17", 16, 0x0001000080000000ULL, 1, 17 },
};

START_TEST(test_hll_rank_rule)
{
	const struct rank_row *row = &rank_rows[_i];
	struct xs_hll h;

	hll_new(&h, row->p);
	hll_add_hash(&h, row->hash);
	ck_assert_msg(h.regs[row->index] == row->rank, "%s: register %zu = %u, want %u",
		      row->name, row->index, h.regs[row->index], row->rank);
	ck_assert_msg(hll_nonzero(&h) == 1, "%s: %zu registers set", row->name, hll_nonzero(&h));
	hll_free(&h);
}
END_TEST

/* A register keeps the largest rank it has seen. */
START_TEST(test_hll_register_max)
{
	uint64_t base = 77ULL << 50;
	struct xs_hll h;

	hll_new(&h, 14);
	hll_add_hash(&h, base | 1ULL << 47);	/* rank 3 */
	hll_add_hash(&h, base | 1ULL << 49);	/* rank 1 */
	ck_assert_msg(h.regs[77] == 3, "rank 1 after 3 left %u", h.regs[77]);
	hll_add_hash(&h, base | 1ULL << 45);	/* rank 5 */
	ck_assert_msg(h.regs[77] == 5, "rank 5 after 3 left %u", h.regs[77]);
	hll_free(&h);
}
END_TEST

/*
 * Two different hashes with the same index and rank are one element to
 * HyperLogLog: the bits after the first one are never looked at.
 */
START_TEST(test_hll_collisions)
{
	uint64_t a = 0x1234ULL << 50 | 1ULL << 47, b = a | 0x5a5a5;
	struct xs_hll h, one;

	hll_new(&h, 14);
	hll_add_hash(&h, a);
	hll_add_hash(&h, a);
	ck_assert_uint_eq(hll_count(&h), 1);
	hll_copy(&one, &h);
	hll_add_hash(&h, b);
	ck_assert_msg(a != b, "hashes differ");
	ck_assert_uint_eq(hll_count(&h), 1);
	ck_assert_msg(hll_same(&h, &one), "same index and rank changed the sketch");
	hll_free(&h);
	hll_free(&one);
}
END_TEST

/*
 * n <= 20 at p = 14: the count must be exact (+-0). Exactness holds while
 * each element has a register of its own, which the test checks first, so
 * a failure is the estimator's and not the hash's.
 */
START_TEST(test_hll_small_exact)
{
	uint64_t n = (uint64_t)_i % 20 + 1, seed = SEED(_i / 20 + 1);
	struct xs_hll h;

	hll_new(&h, 14);
	hll_fill(&h, 0, n, seed);
	ck_assert_msg(hll_nonzero(&h) == n, "n=%llu seed %d: %zu registers",
		      (unsigned long long)n, _i / 20 + 1, hll_nonzero(&h));
	ck_assert_msg(hll_count(&h) == n, "n=%llu seed %d: count %llu (estimate %.4f)",
		      (unsigned long long)n, _i / 20 + 1, (unsigned long long)hll_count(&h),
		      hll_estimate(&h));
	hll_free(&h);
}
END_TEST

/* Bounds: max(abs, pct% of n). The measured errors are beside the rows;
 * the standard error is 0.81% at p = 14, 1.6% at p = 12. */
static const struct accuracy_row {
	const char *name;
	unsigned p;
	uint64_t n;
	unsigned seed;
	double pct;
	uint64_t abs;
} accuracy_rows[] = {
	{ "p14 n=100 seed 1", 14, 100, 1, 3, 2 },		/* +0.31% */
	{ "p14 n=100 seed 3", 14, 100, 3, 3, 2 },		/* +0.31% */
	{ "p14 n=1000 seed 1", 14, 1000, 1, 3, 2 },		/* -0.22% */
	{ "p14 n=1000 seed 7", 14, 1000, 7, 3, 2 },		/* -0.65% */
	{ "p14 n=10^4 seed 1", 14, 10000, 1, 3, 2 },		/* +0.48% */
	{ "p14 n=10^4 seed 5", 14, 10000, 5, 3, 2 },		/* +1.21% */
	{ "p14 n=10^5 seed 1", 14, 100000, 1, 3, 2 },		/* +0.46% */
	{ "p14 n=10^5 seed 2", 14, 100000, 2, 3, 2 },		/* +1.21% */
	{ "p14 n=10^6 seed 1", 14, 1000000, 1, 3, 2 },		/* -0.57% */
	{ "p14 n=10^6 seed 2", 14, 1000000, 2, 3, 2 },		/* +0.36% */
	{ "p14 n=10^6 seed 3", 14, 1000000, 3, 3, 2 },		/* -0.26% */
	{ "p14 n=10^6 seed 4", 14, 1000000, 4, 3, 2 },		/* +1.74% */
	{ "p12 n=10^5 seed 1", 12, 100000, 1, 6, 2 },		/* -0.68% */
	{ "p12 n=10^5 seed 2", 12, 100000, 2, 6, 2 },		/* +2.31% */
	{ "p12 n=10^5 seed 3", 12, 100000, 3, 6, 2 },		/* -1.94% */
};

START_TEST(test_hll_accuracy)
{
	const struct accuracy_row *row = &accuracy_rows[_i];
	double bound = fmax((double)row->abs, row->pct / 100 * (double)row->n);
	struct xs_hll h;
	double count;

	hll_new(&h, row->p);
	hll_fill(&h, 0, row->n, SEED(row->seed));
	count = (double)hll_count(&h);
	ck_assert_msg(fabs(count - (double)row->n) <= bound,
		      "%s: count %.0f, off by %+.2f%%, bound %.0f", row->name, count,
		      100 * (count - (double)row->n) / (double)row->n, bound);
	hll_free(&h);
}
END_TEST

/* Every register at its maximum: no finite estimate fits. */
START_TEST(test_hll_saturated)
{
	struct xs_hll h;

	hll_new(&h, 8);
	memset(h.regs, 64 - 8 + 1, hll_size(&h));
	ck_assert_msg(isinf(hll_estimate(&h)), "estimate %f", hll_estimate(&h));
	ck_assert_uint_eq(hll_count(&h), UINT64_MAX);
	h.regs[0] = 1;
	ck_assert_msg(isfinite(hll_estimate(&h)), "one short of saturated: %f", hll_estimate(&h));
	hll_free(&h);
}
END_TEST

/*
 * Every register at r: the histogram is m at r alone, so the halving sum
 * is m 2^-r, sigma(0) = tau(1) = 0, and the estimate is
 * alpha_inf m^2 / (m 2^-r) = 2^(r-1) m / ln 2.
 */
static const struct closed_row {
	unsigned p;
	uint8_t r;
} closed_rows[] = {
	{ 8, 1 }, { 8, 2 }, { 8, 20 }, { 14, 1 }, { 14, 7 }, { 16, 48 },
};

START_TEST(test_hll_closed_form)
{
	const struct closed_row *row = &closed_rows[_i];
	struct xs_hll h;
	double want, got;

	hll_new(&h, row->p);
	memset(h.regs, row->r, hll_size(&h));
	want = ldexp((double)hll_size(&h), row->r - 1) / M_LN2;
	got = hll_estimate(&h);
	ck_assert_msg(fabs(got - want) <= 1e-12 * want, "p=%u r=%u: %.17g, want %.17g", row->p,
		      row->r, got, want);
	if (want < 0x1p53)
		ck_assert_msg(hll_count(&h) == (uint64_t)round(want), "p=%u r=%u: count %llu",
			      row->p, row->r, (unsigned long long)hll_count(&h));
	hll_free(&h);
}
END_TEST

/*
 * sigma and tau as arXiv:1702.01284 defines them, sums of powers taken in
 * long double, against sketch.c's iterations, in the estimate
 *   alpha_inf m^2 / (m tau(1 - C[q+1]/m) 2^-q + sum_{k=1..q} C[k] 2^-k + m sigma(C[0]/m))
 *   sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1)
 *   tau(x) = (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k) / 3
 * The rows mix empty, middle and saturated registers, so all terms count.
 */
static long double ref_sigma(long double x)
{
	long double s = x;
	int k;

	if (x == 1)
		return INFINITY;
	for (k = 1; k < 80; k++)
		s += powl(x, ldexpl(1, k)) * ldexpl(1, k - 1);
	return s;
}

static long double ref_tau(long double x)
{
	long double s = 1 - x;
	int k;

	if (x == 0 || x == 1)
		return 0;
	for (k = 1; k < 80; k++)
		s -= powl(1 - powl(x, ldexpl(1, -k)), 2) * ldexpl(1, -k);
	return s / 3;
}

#define HISTO_RUNS 4

static const struct histo_row {
	const char *name;
	unsigned p;
	struct {
		unsigned count;
		uint8_t value;
	} run[HISTO_RUNS];	/* registers from 0 on; the rest stay 0 */
} histo_rows[] = {
	{ "half empty, half saturated", 8, { { 128, 57 } } },
	{ "one empty", 8, { { 255, 57 } } },
	{ "one saturated", 8, { { 1, 57 } } },
	{ "mixed", 8, { { 50, 1 }, { 50, 10 }, { 56, 57 }, { 10, 56 } } },
	{ "p14 mixed", 14, { { 8000, 5 }, { 384, 51 }, { 1000, 50 }, { 1, 20 } } },
	/* No empty register and the rest near the top: only here does the
	 * tau term, scaled by 2^-q, weigh as much as the others. */
	{ "saturated but 10 at q", 8, { { 246, 57 }, { 10, 56 } } },
	{ "saturated but one at 40", 8, { { 255, 57 }, { 1, 40 } } },
	{ "p16 near saturation", 16, { { 60000, 49 }, { 5536, 48 } } },
};

START_TEST(test_hll_known_answer)
{
	const struct histo_row *row = &histo_rows[_i];
	unsigned q = 64 - row->p, c[66] = { 0 }, k;
	long double m, z, want;
	size_t at = 0, i;
	struct xs_hll h;
	double got;

	hll_new(&h, row->p);
	for (i = 0; i < HISTO_RUNS; i++) {
		memset(h.regs + at, row->run[i].value, row->run[i].count);
		at += row->run[i].count;
	}
	for (i = 0; i < hll_size(&h); i++)
		c[h.regs[i]]++;
	m = (long double)hll_size(&h);
	z = m * ref_tau(1 - c[q + 1] / m) * ldexpl(1, -(int)q) + m * ref_sigma(c[0] / m);
	for (k = 1; k <= q; k++)
		z += c[k] * ldexpl(1, -(int)k);
	want = m * m / (2 * logl(2)) / z;
	got = hll_estimate(&h);
	ck_assert_msg(fabsl(got - want) <= 1e-12L * want, "%s: %.17g, want %.17Lg", row->name,
		      got, want);
	hll_free(&h);
}
END_TEST

/*
 * Raising one register, from 0 through 64 - p + 1, never lowers the
 * estimate, with the others empty, filled, or all at the maximum. With the
 * others at the maximum each step is large enough to show in a double, so
 * there it must rise; the last step is to every register saturated (inf).
 */
START_TEST(test_hll_monotone)
{
	unsigned p = 12, r;
	struct xs_hll h;
	double prev, e;
	int pass;

	hll_new(&h, p);
	for (pass = 0; pass < 3; pass++) {
		hll_clear(&h);
		if (pass == 1)
			hll_fill(&h, 0, 20000, SEED(15));
		if (pass == 2)
			memset(h.regs, 64 - p + 1, hll_size(&h));
		h.regs[100] = 0;
		prev = hll_estimate(&h);
		for (r = 1; r <= 64 - p + 1; r++) {
			h.regs[100] = r;
			e = hll_estimate(&h);
			ck_assert_msg(pass == 2 ? e > prev : e >= prev,
				      "pass %d: register 100 = %u: %.17g after %.17g", pass, r, e,
				      prev);
			prev = e;
		}
	}
	hll_free(&h);
}
END_TEST

/* Halves fed to two sketches merge into exactly the sketch of the whole. */
START_TEST(test_hll_merge_disjoint)
{
	uint64_t n = 100000;
	struct xs_hll a, b, whole;
	double e;

	hll_new(&a, 14);
	hll_new(&b, 14);
	hll_new(&whole, 14);
	hll_fill(&a, 0, n / 2, SEED(9));
	hll_fill(&b, n / 2, n - n / 2, SEED(9));
	hll_fill(&whole, 0, n, SEED(9));
	ck_assert_int_eq(hll_merge(&a, &b), 0);
	ck_assert_msg(hll_same(&a, &whole), "merged registers differ from the union's");
	e = hll_estimate(&a);
	ck_assert_msg(fabs(e - (double)n) <= 0.03 * (double)n, "union estimate %.0f", e);
	hll_free(&a);
	hll_free(&b);
	hll_free(&whole);
}
END_TEST

/* 0..59999 and 40000..99999: the union has 10^5, the overlap counts once. */
START_TEST(test_hll_merge_overlap)
{
	struct xs_hll a, b, whole;
	double e;

	hll_new(&a, 14);
	hll_new(&b, 14);
	hll_new(&whole, 14);
	hll_fill(&a, 0, 60000, SEED(10));
	hll_fill(&b, 40000, 60000, SEED(10));
	hll_fill(&whole, 0, 100000, SEED(10));
	ck_assert_int_eq(hll_merge(&a, &b), 0);
	ck_assert_msg(hll_same(&a, &whole), "merged registers differ from the union's");
	e = hll_estimate(&a);
	ck_assert_msg(fabs(e - 100000) <= 3000, "union estimate %.0f", e);
	hll_free(&a);
	hll_free(&b);
	hll_free(&whole);
}
END_TEST

START_TEST(test_hll_merge_laws)
{
	struct xs_hll a, b, ab, ba, before;

	hll_new(&a, 12);
	hll_new(&b, 12);
	hll_fill(&a, 0, 30000, SEED(11));
	hll_fill(&b, 0, 5000, SEED(12));
	hll_copy(&ab, &a);
	hll_copy(&ba, &b);
	ck_assert_int_eq(hll_merge(&ab, &b), 0);
	ck_assert_int_eq(hll_merge(&ba, &a), 0);
	ck_assert_msg(hll_same(&ab, &ba), "merge not commutative");

	hll_copy(&before, &ab);
	ck_assert_int_eq(hll_merge(&ab, &b), 0);
	ck_assert_msg(hll_same(&ab, &before), "merging b twice changed the sketch");
	ck_assert_int_eq(hll_merge(&ab, &ab), 0);
	ck_assert_msg(hll_same(&ab, &before), "merging with itself changed the sketch");
	hll_free(&a);
	hll_free(&b);
	hll_free(&ab);
	hll_free(&ba);
	hll_free(&before);
}
END_TEST

START_TEST(test_hll_merge_p_mismatch)
{
	struct xs_hll a, b, before;

	hll_new(&a, 14);
	hll_new(&b, 12);
	hll_fill(&a, 0, 100, SEED(13));
	hll_fill(&b, 0, 100, SEED(14));
	hll_copy(&before, &a);
	ck_assert_int_eq(hll_merge(&a, &b), -EINVAL);
	ck_assert_msg(hll_same(&a, &before), "failed merge changed dst");
	ck_assert_int_eq(hll_merge(&b, &a), -EINVAL);
	hll_free(&a);
	hll_free(&b);
	hll_free(&before);
}
END_TEST

/* The test's own base64, written from RFC 4648, to check hll_import()
 * against an encoder other than hll_export()'s. */
static char *b64(const uint8_t *in, size_t len)
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((len + 2) / 3 * 4 + 1);
	size_t i, o = 0;

	ck_assert_ptr_nonnull(out);
	for (i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = abc[v >> 18];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = i + 1 < len ? abc[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? abc[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

/* base64(compress2(buf)) followed by `extra` raw bytes inside the base64. */
static char *pack(const uint8_t *buf, size_t len, const char *extra)
{
	uLongf zlen = compressBound(len) + strlen(extra);
	uint8_t *z = malloc(zlen);
	char *text;

	ck_assert_ptr_nonnull(z);
	ck_assert_int_eq(compress2(z, &zlen, buf, len, 9), Z_OK);
	memcpy(z + zlen, extra, strlen(extra));
	text = b64(z, zlen + strlen(extra));
	free(z);
	return text;
}

static void check_b64_text(const char *text, const char *name)
{
	size_t len = strlen(text), i;

	ck_assert_msg(len > 0 && len % 4 == 0, "%s: length %zu", name, len);
	for (i = 0; i < len; i++) {
		char c = text[i];
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			 (c >= '0' && c <= '9') || c == '+' || c == '/' ||
			 (c == '=' && i >= len - 2);

		ck_assert_msg(ok, "%s: byte %zu is 0x%02x", name, i, (unsigned char)c);
	}
}

static const unsigned roundtrip_p[] = { 8, 12, 14, 16 };

START_TEST(test_hll_export_roundtrip)
{
	unsigned p = roundtrip_p[_i];
	struct xs_hll h, back;
	char err[256] = "", *text;
	int pass;

	hll_new(&h, p);
	/* Empty, filled, and every register at its largest legal value. */
	for (pass = 0; pass < 3; pass++) {
		if (pass == 1)
			hll_fill(&h, 0, 50000, SEED(20 + p));
		if (pass == 2)
			memset(h.regs, 64 - p + 1, hll_size(&h));
		ck_assert_int_eq(hll_export(&h, &text), 0);
		check_b64_text(text, "export");
		ck_assert_msg(hll_import(&back, p, text, err, sizeof(err)) == 0,
			      "p=%u pass %d: %s", p, pass, err);
		ck_assert_msg(hll_same(&h, &back), "p=%u pass %d: registers differ", p, pass);
		ck_assert_msg(hll_count(&h) == hll_count(&back), "p=%u pass %d: counts differ", p,
			      pass);
		free(text);
		hll_free(&back);
	}
	hll_free(&h);
}
END_TEST

/* Another exporter's text (another zlib level, another base64 encoder)
 * imports bit for bit; err may be NULL. */
START_TEST(test_hll_import_foreign)
{
	struct xs_hll h, back;
	char *text;

	hll_new(&h, 10);
	hll_fill(&h, 0, 3000, SEED(30));
	h.regs[5] = 64 - 10 + 1;
	text = pack(h.regs, hll_size(&h), "");
	ck_assert_int_eq(hll_import(&back, 10, text, NULL, 0), 0);
	ck_assert_msg(hll_same(&h, &back), "registers differ");
	free(text);
	hll_free(&back);
	hll_free(&h);
}
END_TEST

struct import_row {
	const char *name;
	unsigned p;
	char *(*make)(void);
	const char *want;	/* in the message */
};

static char *text_of(const char *s)
{
	char *t = strdup(s);

	ck_assert_ptr_nonnull(t);
	return t;
}

static char *make_space(void) { return text_of("QUJD RA="); }
static char *make_newline(void) { return text_of("QUJ\nRA=="); }
static char *make_short(void) { return text_of("QUJDRA="); }
static char *make_inner_pad(void) { return text_of("QQ==QUJD"); }
static char *make_empty(void) { return text_of(""); }
static char *make_not_zlib(void) { return text_of("QUJDRA=="); }

static char *make_regs(unsigned p, size_t bad, uint8_t value, const char *extra)
{
	size_t m = (size_t)1 << p, i;
	uint8_t *regs = malloc(m);
	char *text;

	ck_assert_ptr_nonnull(regs);
	for (i = 0; i < m; i++)
		regs[i] = i % 7;
	if (bad < m)
		regs[bad] = value;
	text = pack(regs, m, extra);
	free(regs);
	return text;
}

static char *make_truncated(void)
{
	char *text = make_regs(14, SIZE_MAX, 0, "");
	size_t len = strlen(text) / 2 / 4 * 4;

	text[len] = '\0';
	return text;
}

static char *make_trailing(void) { return make_regs(14, SIZE_MAX, 0, "xyz"); }
static char *make_p12(void) { return make_regs(12, SIZE_MAX, 0, ""); }
static char *make_p14(void) { return make_regs(14, SIZE_MAX, 0, ""); }
static char *make_too_large(void) { return make_regs(14, 17, 52, ""); }

static const struct import_row import_rows[] = {
	{ "space", 14, make_space, "got byte 0x20 ' ' at offset 4" },
	{ "newline", 14, make_newline, "got byte 0x0a at offset 3" },
	{ "not groups of 4", 14, make_short, "expected base64 in groups of 4" },
	{ "padding inside", 14, make_inner_pad, "got byte 0x3d '=' at offset 2" },
	{ "empty", 14, make_empty, "expected zlib data, got nothing" },
	{ "not zlib", 14, make_not_zlib, "expected zlib data" },
	{ "truncated", 14, make_truncated, "corrupt or truncated" },
	{ "trailing bytes", 14, make_trailing, "got 3 bytes after it" },
	{ "p=12 text as p=14", 14, make_p12, "expected 16384 register bytes for p=14, got 4096" },
	{ "p=14 text as p=12", 12, make_p14, "expected 4096 register bytes for p=12, got more" },
	{ "register too large", 14, make_too_large,
	  "register 17 is 52, expected at most 51 for p=14" },
	{ "p out of range", 17, make_p14, "expected p in 8..16, got 17" },
};

START_TEST(test_hll_import_bad)
{
	const struct import_row *row = &import_rows[_i];
	char err[256] = "", *text = row->make();
	/* Garbage in h: a failed import must still leave nothing to free. */
	struct xs_hll h = { .p = 99, .regs = (uint8_t *)err };

	ck_assert_msg(hll_import(&h, row->p, text, err, sizeof(err)) == -EINVAL,
		      "%s: accepted", row->name);
	ck_assert_msg(strstr(err, row->want), "%s: message \"%s\", want \"%s\"", row->name, err,
		      row->want);
	ck_assert_msg(!strchr(err, '\n'), "%s: message has a newline", row->name);
	ck_assert_msg(h.regs == NULL, "%s: registers left behind", row->name);
	ck_assert_int_eq(hll_import(&h, row->p, text, NULL, 0), -EINVAL);
	hll_free(&h);
	free(text);
}
END_TEST

/* The largest legal register, 64 - p + 1, is accepted. */
START_TEST(test_hll_import_max_register)
{
	char err[256] = "", *text = make_regs(14, 17, 51, "");
	struct xs_hll h;

	ck_assert_msg(hll_import(&h, 14, text, err, sizeof(err)) == 0, "rank 51: %s", err);
	ck_assert_uint_eq(h.regs[17], 51);
	hll_free(&h);
	free(text);
}
END_TEST

/* Rows hold up to 8 hashes whatever XS_LITE_HASHES is; "full" uses it. */
#define LITE_ROW_MAX 8
_Static_assert(XS_LITE_HASHES <= LITE_ROW_MAX, "lite rows too short");

static const struct lite_row {
	const char *name;
	uint64_t hashes[LITE_ROW_MAX];
	size_t n;
	uint64_t want;
} lite_rows[] = {
	{ "empty", { 0 }, 0, 0 },
	{ "all free", { 0 }, XS_LITE_HASHES, 0 },
	{ "one", { 0x11 }, 1, 1 },
	{ "zeros skipped", { 0, 0x11, 0, 0x23, 0 }, 5, 2 },
	{ "duplicates once", { 0x11, 0x11, 0x23, 0x11, 0x23 }, 5, 2 },
	{ "full, distinct", { 1, 3, 5, 7, 9, 11, 13, 15 }, XS_LITE_HASHES, XS_LITE_HASHES },
	{ "only n read", { 1, 3, 5, 7, 9, 11, 13, 15 }, 3, 3 },
	{ "max values", { UINT64_MAX, UINT64_MAX, 1, 0 }, 4, 2 },
};

START_TEST(test_hll_lite_count)
{
	const struct lite_row *row = &lite_rows[_i];

	ck_assert_msg(hll_lite_count(row->hashes, row->n) == row->want, "%s: %llu, want %llu",
		      row->name, (unsigned long long)hll_lite_count(row->hashes, row->n),
		      (unsigned long long)row->want);
}
END_TEST

START_TEST(test_hll_lite_null)
{
	ck_assert_uint_eq(hll_lite_count(NULL, 0), 0);
}
END_TEST

static const uint8_t *key_of(uint8_t b)
{
	static uint8_t keys[256][XS_TOP_KEY_LEN];

	memset(keys[b], b, sizeof(keys[b]));
	return keys[b];
}

static void top_expect(const struct xs_top_item *it, uint64_t tag, uint64_t pkts,
		       uint64_t bytes, uint8_t key, const char *name)
{
	ck_assert_msg(it->tag == tag, "%s: tag %#llx, want %#llx", name,
		      (unsigned long long)it->tag, (unsigned long long)tag);
	ck_assert_msg(it->pkts == pkts, "%s: pkts %llu, want %llu", name,
		      (unsigned long long)it->pkts, (unsigned long long)pkts);
	ck_assert_msg(it->bytes == bytes, "%s: bytes %llu, want %llu", name,
		      (unsigned long long)it->bytes, (unsigned long long)bytes);
	ck_assert_msg(!memcmp(it->key, key_of(key), 16), "%s: key %02x, want %02x", name,
		      it->key[0], key);
}

START_TEST(test_top_same_tag)
{
	struct xs_top_item out[4];
	struct xs_top_agg a;

	top_init(&a);
	ck_assert_int_eq(top_add(&a, 5, 1, 100, key_of(0xa)), 0);
	ck_assert_int_eq(top_add(&a, 5, 2, 200, key_of(0xb)), 0);
	ck_assert_uint_eq(top_sorted(&a, out, 4), 1);
	top_expect(&out[0], 5, 3, 300, 0xa, "same tag, first key kept");
	top_free(&a);
}
END_TEST

START_TEST(test_top_tag_zero)
{
	struct xs_top_item out[2];
	struct xs_top_agg a;

	top_init(&a);
	ck_assert_int_eq(top_add(&a, 0, 1000, 1000, key_of(1)), 0);
	ck_assert_uint_eq(top_sorted(&a, out, 2), 0);
	ck_assert_int_eq(top_add(&a, 9, 1, 64, key_of(2)), 0);
	ck_assert_int_eq(top_add(&a, 0, 1000, 1000, key_of(1)), 0);
	ck_assert_uint_eq(top_sorted(&a, out, 2), 1);
	top_expect(&out[0], 9, 1, 64, 2, "tag 0 ignored");
	top_free(&a);
}
END_TEST

/* Added out of order; expected best first. */
static const struct order_item {
	const char *name;
	uint64_t tag, pkts, bytes;
	uint8_t key;
} order_items[] = {
	{ "most packets", 0x60, 50, 10, 0x9 },
	{ "more bytes", 0x20, 10, 200, 0x3 },
	{ "smaller key", 0x30, 10, 100, 0x1 },
	{ "same key, larger tag", 0x31, 10, 100, 0x1 },
	{ "larger key", 0x10, 10, 100, 0x2 },
	{ "fewest packets", 0x01, 1, 1000000, 0x0 },
};

static const size_t order_add[] = { 4, 2, 5, 3, 0, 1 };

START_TEST(test_top_order)
{
	size_t n = ARRAY_SIZE(order_items), k = (size_t)_i, want = k < n ? k : n, i, got;
	struct xs_top_item out[8];
	struct xs_top_agg a;

	top_init(&a);
	for (i = 0; i < n; i++) {
		const struct order_item *it = &order_items[order_add[i]];

		ck_assert_int_eq(top_add(&a, it->tag, it->pkts, it->bytes, key_of(it->key)), 0);
	}
	memset(out, 0xee, sizeof(out));
	got = top_sorted(&a, out, k);
	ck_assert_msg(got == want, "k=%zu: %zu items", k, got);
	for (i = 0; i < got; i++)
		top_expect(&out[i], order_items[i].tag, order_items[i].pkts, order_items[i].bytes,
			   order_items[i].key, order_items[i].name);
	for (i = got; i < ARRAY_SIZE(out); i++)
		ck_assert_msg(out[i].tag == 0xeeeeeeeeeeeeeeeeULL, "k=%zu: out[%zu] written", k, i);
	top_free(&a);
}
END_TEST

/* Two CPUs' (or hosts') lists into one aggregate: shared tags sum, in
 * either order. */
START_TEST(test_top_merge_lists)
{
	static const struct xs_top_ent cpu0[] = {
		{ .tag = 0x101, .pkts = 10, .bytes = 1000 },
		{ .tag = 0x203, .pkts = 4, .bytes = 400 },
		{ .tag = 0x305, .pkts = 1, .bytes = 60 },
		{ .tag = 0 },
	};
	static const struct xs_top_ent cpu1[] = {
		{ .tag = 0x203, .pkts = 9, .bytes = 900 },
		{ .tag = 0 },
		{ .tag = 0x407, .pkts = 7, .bytes = 700 },
		{ .tag = 0x101, .pkts = 1, .bytes = 40 },
	};
	struct xs_top_item fwd[8], rev[8];
	struct xs_top_agg a;
	size_t i, n;

	top_init(&a);
	for (i = 0; i < ARRAY_SIZE(cpu0); i++)
		ck_assert_int_eq(top_add(&a, cpu0[i].tag, cpu0[i].pkts, cpu0[i].bytes,
					 key_of(cpu0[i].tag & 0xff)), 0);
	for (i = 0; i < ARRAY_SIZE(cpu1); i++)
		ck_assert_int_eq(top_add(&a, cpu1[i].tag, cpu1[i].pkts, cpu1[i].bytes,
					 key_of(cpu1[i].tag & 0xff)), 0);
	n = top_sorted(&a, fwd, 8);
	ck_assert_uint_eq(n, 4);
	top_expect(&fwd[0], 0x203, 13, 1300, 0x03, "cpu0 + cpu1");
	top_expect(&fwd[1], 0x101, 11, 1040, 0x01, "cpu0 + cpu1");
	top_expect(&fwd[2], 0x407, 7, 700, 0x07, "cpu1 only");
	top_expect(&fwd[3], 0x305, 1, 60, 0x05, "cpu0 only");

	top_clear(&a);
	for (i = ARRAY_SIZE(cpu1); i-- > 0;)
		ck_assert_int_eq(top_add(&a, cpu1[i].tag, cpu1[i].pkts, cpu1[i].bytes,
					 key_of(cpu1[i].tag & 0xff)), 0);
	for (i = 0; i < ARRAY_SIZE(cpu0); i++)
		ck_assert_int_eq(top_add(&a, cpu0[i].tag, cpu0[i].pkts, cpu0[i].bytes,
					 key_of(cpu0[i].tag & 0xff)), 0);
	ck_assert_uint_eq(top_sorted(&a, rev, 8), n);
	ck_assert_msg(!memcmp(fwd, rev, n * sizeof(fwd[0])), "order of adding changed the result");
	top_free(&a);
}
END_TEST

/* Clearing keeps the memory and forgets every tag. */
START_TEST(test_top_clear_reuse)
{
	struct xs_top_item out[4], *items;
	struct xs_top_agg a;
	size_t cap, i;

	top_init(&a);
	for (i = 1; i <= 1000; i++)
		ck_assert_int_eq(top_add(&a, i, i, i, key_of(1)), 0);
	items = a.items;
	cap = a.cap;
	top_clear(&a);
	ck_assert_uint_eq(top_sorted(&a, out, 4), 0);
	ck_assert_int_eq(top_add(&a, 1000, 1, 2, key_of(7)), 0);
	ck_assert_uint_eq(top_sorted(&a, out, 4), 1);
	top_expect(&out[0], 1000, 1, 2, 7, "re-added after clear");
	ck_assert_msg(a.items == items && a.cap == cap, "clear gave memory back");
	top_free(&a);
	top_free(&a);
}
END_TEST

/*
 * The generation counter wraps after 2^32 clears, back to values slots
 * were written with long ago: those must not come back as live. Here
 * tag 42 takes a slot in generation 1, the counter is moved to the wrap
 * (rather than cleared 2^32 times), and after two clears generation 1 is
 * current again.
 */
START_TEST(test_top_clear_wrap)
{
	struct xs_top_item out[4];
	struct xs_top_agg a;

	top_init(&a);
	ck_assert_int_eq(top_add(&a, 42, 5, 500, key_of(1)), 0);
	a.gen = UINT32_MAX;
	top_clear(&a);
	top_clear(&a);
	ck_assert_int_eq(top_add(&a, 42, 1, 64, key_of(2)), 0);
	ck_assert_uint_eq(top_sorted(&a, out, 4), 1);
	top_expect(&out[0], 42, 1, 64, 2, "after the wrap");
	top_free(&a);
}
END_TEST

/*
 * 10^5 tags, each split over two CPUs, added in a scattered order; tag
 * families as the kernel makes them: ports (small, | XS_TAG_PORT), address
 * hashes (| 1) and tags differing only in their high bits.
 */
#define STRESS_N 100000

static uint64_t stress_tag(uint64_t i)
{
	switch (i % 3) {
	case 0:
		return i | XS_TAG_PORT;
	case 1:
		return xs_mix64(i) | 1;
	default:
		return i << 34 | 1;
	}
}

START_TEST(test_top_stress)
{
	struct xs_top_item *out = malloc(STRESS_N * sizeof(*out)), *first;
	uint64_t cpu, j, i, pkts = 0, bad = 0;
	struct xs_top_agg a;
	int ret = 0;
	size_t n;

	/* One assertion per loop, not per element: each Check assertion
	 * records its place, which dominates a 10^5 loop under valgrind. */
	ck_assert_ptr_nonnull(out);
	top_init(&a);
	for (cpu = 0; cpu < 2; cpu++) {
		for (j = 0; j < STRESS_N; j++) {
			i = (j * 7919 + cpu * 31) % STRESS_N + 1;	/* a permutation of 1..N */
			ret |= top_add(&a, stress_tag(i), cpu ? i - i / 2 : i / 2, 100 * i,
				       key_of(i & 0xff));
		}
	}
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(a.n, STRESS_N);
	n = top_sorted(&a, out, XS_TOP_K_MAX);
	ck_assert_uint_eq(n, XS_TOP_K_MAX);
	for (j = 0; j < n; j++) {
		i = STRESS_N - j;
		top_expect(&out[j], stress_tag(i), i, 200 * i, i & 0xff, "top 64");
	}
	n = top_sorted(&a, out, STRESS_N + 1);
	ck_assert_uint_eq(n, STRESS_N);
	for (j = 0; j < n; j++) {
		if (out[j].pkts != STRESS_N - j || out[j].tag != stress_tag(STRESS_N - j))
			bad = bad ? bad : j + 1;
		pkts += out[j].pkts;
	}
	first = &out[bad ? bad - 1 : 0];
	ck_assert_msg(!bad, "rank %llu: tag %#llx, pkts %llu", (unsigned long long)bad - 1,
		      (unsigned long long)first->tag, (unsigned long long)first->pkts);
	ck_assert_uint_eq(pkts, (uint64_t)STRESS_N * (STRESS_N + 1) / 2);
	top_free(&a);
	free(out);
}
END_TEST

static Suite *sketch_suite(void)
{
	Suite *s = suite_create("sketch");
	TCase *hll = tcase_create("hll");
	TCase *top = tcase_create("top");

	tcase_add_test(hll, test_hll_init_bounds);
	tcase_add_test(hll, test_hll_empty);
	tcase_add_test(hll, test_hll_one);
	tcase_add_loop_test(hll, test_hll_rank_rule, 0, ARRAY_SIZE(rank_rows));
	tcase_add_test(hll, test_hll_register_max);
	tcase_add_test(hll, test_hll_collisions);
	tcase_add_loop_test(hll, test_hll_small_exact, 0, 3 * 20);
	tcase_add_loop_test(hll, test_hll_accuracy, 0, ARRAY_SIZE(accuracy_rows));
	tcase_add_test(hll, test_hll_saturated);
	tcase_add_loop_test(hll, test_hll_closed_form, 0, ARRAY_SIZE(closed_rows));
	tcase_add_test(hll, test_hll_monotone);
	tcase_add_loop_test(hll, test_hll_known_answer, 0, ARRAY_SIZE(histo_rows));
	tcase_add_test(hll, test_hll_merge_disjoint);
	tcase_add_test(hll, test_hll_merge_overlap);
	tcase_add_test(hll, test_hll_merge_laws);
	tcase_add_test(hll, test_hll_merge_p_mismatch);
	tcase_add_loop_test(hll, test_hll_export_roundtrip, 0, ARRAY_SIZE(roundtrip_p));
	tcase_add_test(hll, test_hll_import_foreign);
	tcase_add_loop_test(hll, test_hll_import_bad, 0, ARRAY_SIZE(import_rows));
	tcase_add_test(hll, test_hll_import_max_register);
	tcase_add_loop_test(hll, test_hll_lite_count, 0, ARRAY_SIZE(lite_rows));
	tcase_add_test(hll, test_hll_lite_null);
	/* Valgrind runs the 10^6 rows some 50 times slower than native. */
	tcase_set_timeout(hll, 60);
	suite_add_tcase(s, hll);

	tcase_add_test(top, test_top_same_tag);
	tcase_add_test(top, test_top_tag_zero);
	tcase_add_loop_test(top, test_top_order, 0, ARRAY_SIZE(order_items) + 3);
	tcase_add_test(top, test_top_merge_lists);
	tcase_add_test(top, test_top_clear_reuse);
	tcase_add_test(top, test_top_clear_wrap);
	tcase_add_test(top, test_top_stress);
	tcase_set_timeout(top, 60);
	suite_add_tcase(s, top);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sketch_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
