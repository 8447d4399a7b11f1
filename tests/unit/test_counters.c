// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU merging and interval deltas. Every field is checked through the
 * structs' u64 words, so a field added to the ABI is covered here as well.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include "counters.h"

#define CTR_WORDS (sizeof(struct xs_counters) / sizeof(__u64))
#define GLOBAL_WORDS (sizeof(struct xs_global) / sizeof(__u64))

static __u64 word(const void *s, size_t i)
{
	__u64 v;

	memcpy(&v, (const unsigned char *)s + i * sizeof(v), sizeof(v));
	return v;
}

static void set_word(void *s, size_t i, __u64 v)
{
	memcpy((unsigned char *)s + i * sizeof(v), &v, sizeof(v));
}

/*
 * ncpus copies `stride` bytes apart, word i of CPU c = (c + 1) * (i + 1),
 * and the gap between copies filled with 0xff, which must not be summed.
 */
static unsigned char *percpu_buf(int ncpus, size_t stride, size_t words)
{
	unsigned char *buf = malloc((size_t)ncpus * stride);
	size_t i;
	int c;

	ck_assert_ptr_nonnull(buf);
	memset(buf, 0xff, (size_t)ncpus * stride);
	for (c = 0; c < ncpus; c++)
		for (i = 0; i < words; i++)
			set_word(buf + (size_t)c * stride, i, (__u64)(c + 1) * (i + 1));
	return buf;
}

static const struct sum_row {
	const char *name;
	int ncpus;
	size_t stride;
} sum_rows[] = {
	{ "1 cpu, tight", 1, sizeof(struct xs_counters) },
	{ "1 cpu, padded", 1, sizeof(struct xs_counters) + 8 },
	{ "2 cpus, padded", 2, sizeof(struct xs_counters) + 8 },
	{ "64 cpus, stride 256", 64, 256 },
	{ "3 cpus, unaligned stride", 3, sizeof(struct xs_counters) + 3 },
};

START_TEST(test_counters_sum)
{
	const struct sum_row *row = &sum_rows[_i];
	unsigned char *buf = percpu_buf(row->ncpus, row->stride, CTR_WORDS);
	struct xs_counters out;
	__u64 n = row->ncpus;
	size_t i;

	memset(&out, 0xaa, sizeof(out));
	counters_sum(&out, buf, row->ncpus, row->stride);
	for (i = 0; i < CTR_WORDS; i++)
		ck_assert_msg(i == offsetof(struct xs_counters, storm) / 8 ||
			      i == offsetof(struct xs_counters, share) / 8 ||
			      word(&out, i) == (i + 1) * n * (n + 1) / 2,
			      "%s: word %zu = %llu", row->name, i,
			      (unsigned long long)word(&out, i));
	ck_assert_msg(out.blocked_bytes == (CTR_WORDS - 1) * n * (n + 1) / 2, "%s: last counter",
		      row->name);
	ck_assert_msg(!out.storm, "%s: storm is no counter", row->name);
	ck_assert_msg(!out.share, "%s: share is no counter", row->name);
	free(buf);
}
END_TEST

START_TEST(test_counters_sum_no_cpus)
{
	struct xs_counters out;
	struct xs_global g;
	size_t i;

	memset(&out, 0xaa, sizeof(out));
	memset(&g, 0xaa, sizeof(g));
	counters_sum(&out, NULL, 0, sizeof(out));
	global_sum(&g, NULL, 0, sizeof(g));
	for (i = 0; i < CTR_WORDS; i++)
		ck_assert_uint_eq(word(&out, i), 0);
	for (i = 0; i < GLOBAL_WORDS; i++)
		ck_assert_uint_eq(word(&g, i), 0);
}
END_TEST

START_TEST(test_global_sum)
{
	int ncpus = 4;
	size_t stride = sizeof(struct xs_global) + 16;
	unsigned char *buf = percpu_buf(ncpus, stride, GLOBAL_WORDS);
	struct xs_global out;
	size_t i;

	global_sum(&out, buf, ncpus, stride);
	for (i = 0; i < GLOBAL_WORDS; i++)
		ck_assert_msg(word(&out, i) == (i + 1) * 10, "global word %zu = %llu", i,
			      (unsigned long long)word(&out, i));
	ck_assert_uint_eq(out.top_dropped, GLOBAL_WORDS * 10);
	free(buf);
}
END_TEST

/* prev and cur are the same in every field; the delta must be too. */
static const struct delta_row {
	const char *name;
	__u64 prev;
	__u64 cur;
	__u64 want;
} delta_rows[] = {
	{ "normal", 1000, 1500, 500 },
	{ "zero", 123456789, 123456789, 0 },
	{ "from zero", 0, 42, 42 },
	{ "wrap", UINT64_MAX - 5, 10, 16 },
	{ "wrap to zero", UINT64_MAX, 0, 1 },
	{ "up to max", 0, UINT64_MAX, UINT64_MAX },
};

START_TEST(test_counters_delta)
{
	const struct delta_row *row = &delta_rows[_i];
	struct xs_counters cur, prev, d;
	struct xs_global gcur, gprev, gd;
	size_t i;

	for (i = 0; i < CTR_WORDS; i++) {
		set_word(&prev, i, row->prev);
		set_word(&cur, i, row->cur);
	}
	for (i = 0; i < GLOBAL_WORDS; i++) {
		set_word(&gprev, i, row->prev);
		set_word(&gcur, i, row->cur);
	}
	counters_delta(&d, &cur, &prev);
	global_delta(&gd, &gcur, &gprev);
	for (i = 0; i < CTR_WORDS; i++)
		ck_assert_msg(word(&d, i) == row->want, "%s: counters word %zu = %llu",
			      row->name, i, (unsigned long long)word(&d, i));
	for (i = 0; i < GLOBAL_WORDS; i++)
		ck_assert_msg(word(&gd, i) == row->want, "%s: global word %zu = %llu",
			      row->name, i, (unsigned long long)word(&gd, i));
}
END_TEST

/* Fields are independent: each word's delta is its own. */
START_TEST(test_counters_delta_per_field)
{
	struct xs_counters cur, prev, d;
	size_t i;

	for (i = 0; i < CTR_WORDS; i++) {
		set_word(&prev, i, 100 * i);
		set_word(&cur, i, 100 * i + i * i);
	}
	counters_delta(&d, &cur, &prev);
	for (i = 0; i < CTR_WORDS; i++)
		ck_assert_msg(word(&d, i) == i * i, "word %zu = %llu", i,
			      (unsigned long long)word(&d, i));
}
END_TEST

/* The drain loop keeps one buffer: delta in place over cur or prev. */
START_TEST(test_counters_delta_in_place)
{
	struct xs_counters cur, prev;
	struct xs_global gcur, gprev;
	size_t i;

	for (i = 0; i < CTR_WORDS; i++) {
		set_word(&prev, i, UINT64_MAX - i);
		set_word(&cur, i, 3 * i);
	}
	counters_delta(&cur, &cur, &prev);
	for (i = 0; i < CTR_WORDS; i++)
		ck_assert_uint_eq(word(&cur, i), 4 * i + 1);
	for (i = 0; i < CTR_WORDS; i++)
		set_word(&cur, i, 3 * i);
	counters_delta(&prev, &cur, &prev);
	for (i = 0; i < CTR_WORDS; i++)
		ck_assert_uint_eq(word(&prev, i), 4 * i + 1);

	for (i = 0; i < GLOBAL_WORDS; i++) {
		set_word(&gprev, i, 10);
		set_word(&gcur, i, 10 + i);
	}
	global_delta(&gcur, &gcur, &gprev);
	for (i = 0; i < GLOBAL_WORDS; i++)
		ck_assert_uint_eq(word(&gcur, i), i);
}
END_TEST

START_TEST(test_counters_totals)
{
	struct xs_counters c;

	memset(&c, 0, sizeof(c));
	c.tcp.pkts = 1000;
	c.tcp.bytes = 900000;
	c.udp.pkts = 150;
	c.udp.bytes = 45000;
	c.icmp.pkts = 50;
	c.icmp.bytes = 5000;
	c.other.pkts = 3;
	c.other.bytes = 7;
	/* Flags and size buckets overlap the classes; they are not totals. */
	c.syn = 12;
	c.frags = 5;
	c.le64 = 100;
	c.gt1518 = 1;
	ck_assert_uint_eq(counters_pkts(&c), 1203);
	ck_assert_uint_eq(counters_bytes(&c), 950007);
	memset(&c, 0, sizeof(c));
	ck_assert_uint_eq(counters_pkts(&c), 0);
	ck_assert_uint_eq(counters_bytes(&c), 0);
}
END_TEST

/*
 * A reload renumbers ranges: the slot that counted 1000 packets for the
 * old range now counts 3 for a new one. Read as a wrap, that is nearly
 * 2^64 packets; the caller's rule (counters.h) is to reset prev first.
 */
START_TEST(test_counters_slot_reset)
{
	struct xs_counters prev, cur, d;

	memset(&prev, 0, sizeof(prev));
	memset(&cur, 0, sizeof(cur));
	prev.udp.pkts = 1000;
	prev.udp.bytes = 64000;
	cur.udp.pkts = 3;
	cur.udp.bytes = 192;

	counters_delta(&d, &cur, &prev);
	ck_assert_uint_eq(d.udp.pkts, UINT64_MAX - 996);

	counters_reset_prev(&prev);
	counters_delta(&d, &cur, &prev);
	ck_assert_uint_eq(d.udp.pkts, 3);
	ck_assert_uint_eq(d.udp.bytes, 192);
	ck_assert_uint_eq(counters_pkts(&d), 3);

	/* A removed range: its slot was cleared and reads zero from then on. */
	prev = cur;
	memset(&cur, 0, sizeof(cur));
	counters_delta(&d, &cur, &prev);
	ck_assert_uint_eq(d.udp.pkts, UINT64_MAX - 2);
	counters_reset_prev(&prev);
	counters_delta(&d, &cur, &prev);
	ck_assert_uint_eq(counters_pkts(&d), 0);
	ck_assert_uint_eq(counters_bytes(&d), 0);
}
END_TEST

static Suite *counters_suite(void)
{
	Suite *s = suite_create("counters");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_counters_sum, 0, sizeof(sum_rows) / sizeof(sum_rows[0]));
	tcase_add_test(tc, test_counters_sum_no_cpus);
	tcase_add_test(tc, test_global_sum);
	tcase_add_loop_test(tc, test_counters_delta, 0,
			    sizeof(delta_rows) / sizeof(delta_rows[0]));
	tcase_add_test(tc, test_counters_delta_per_field);
	tcase_add_test(tc, test_counters_delta_in_place);
	tcase_add_test(tc, test_counters_totals);
	tcase_add_test(tc, test_counters_slot_reset);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(counters_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
