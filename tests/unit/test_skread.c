// SPDX-License-Identifier: GPL-2.0
/*
 * skread over hand-made epoch memory (no kernel): the lite hashes united
 * with the page's registers, lite + page + staged entries of one key added
 * up, a torn entry left out, the export, the clear; and the records emit
 * makes of a result.
 */
#include <arpa/inet.h>
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "emit.h"
#include "skread.h"

#define NSLOTS 4
#define BUCKETS 2

static struct xs_sk_layout lay;
static struct xs_sk_slot slots[NSLOTS];
/* The default dimensions: src, dst, dport, sport, at positions 0..3. */
#define NDIMS 4
static struct xs_top_bucket lite[NSLOTS * NDIMS];
static struct xs_top_bucket pages[1 * NDIMS * BUCKETS];
static uint8_t regs[1 << 12];
static struct xs_sk_ctl ctl;
static struct xs_top_stage stage[8];
static struct xs_sk_epoch ep;
static struct xs_skread rd;

static void setup(void)
{
	struct xs_stats_cfg st = { .enabled = 1, .top_k = 3, .dims = XS_STATS_DEFAULT_DIMS,
				   .hll_precision = 12, .top_buckets = BUCKETS, .pages = 1,
				   .stage_sets = 256 };

	memset(slots, 0, sizeof(slots));
	memset(lite, 0, sizeof(lite));
	memset(pages, 0, sizeof(pages));
	memset(regs, 0, sizeof(regs));
	memset(&ctl, 0, sizeof(ctl));
	memset(stage, 0, sizeof(stage));
	skread_layout(&lay, &st, NSLOTS);
	ep = (struct xs_sk_epoch){ .slots = slots, .lite = lite, .pages = pages, .regs = regs,
				   .ctl = &ctl, .stage = stage };
	ck_assert_int_eq(skread_init(&rd, &lay), 0);
}

static void teardown(void)
{
	skread_free(&rd);
}

/* An IPv4 key (::ffff:a.b.c.d) and its tag. */
static uint64_t v4_key(uint8_t key[16], uint8_t d)
{
	uint64_t hi, lo;

	memset(key, 0, 16);
	key[10] = key[11] = 0xff;
	key[12] = 198;
	key[13] = 19;
	key[15] = d;
	memcpy(&hi, key, 8);
	memcpy(&lo, key + 8, 8);
	return xs_hash_addr(hi, lo) | 1;
}

static void put(struct xs_top_ent *e, uint64_t tag, const uint8_t key[16], uint64_t pkts,
		uint64_t bytes)
{
	e->tag = tag;
	memcpy(e->key, key, 16);
	e->pkts = pkts;
	e->bytes = bytes;
}

static void port_ent(struct xs_top_ent *e, uint16_t port, uint64_t pkts)
{
	uint8_t key[16] = { 0 };
	uint64_t v = port;

	memcpy(key, &v, 8);
	put(e, port | XS_TAG_PORT, key, pkts, pkts * 100);
}

START_TEST(test_lite_only)
{
	uint8_t key[16];

	slots[1].hashes[0] = 0x1111;
	slots[1].hashes[1] = 0x2223;
	slots[1].hashes[2] = 0x1111;
	put(&lite[1 * NDIMS + XS_DIM_SRC].ent[0], v4_key(key, 1), key, 3, 300);
	port_ent(&lite[1 * NDIMS + XS_DIM_DPORT].ent[2], 443, 5);
	ck_assert_int_eq(skread_slot(&rd, &ep, 1), 0);
	ck_assert_uint_eq(rd.res.uniq_src, 2);		/* exact: two distinct hashes */
	ck_assert(!rd.res.uniq_lower_bound);
	ck_assert_uint_eq(rd.res.ntop[XS_DIM_SRC], 1);
	ck_assert_uint_eq(rd.res.top[XS_DIM_SRC][0].pkts, 3);
	ck_assert_uint_eq(rd.res.top[XS_DIM_DPORT][0].pkts, 5);
	ck_assert_uint_eq(rd.res.ntop[XS_DIM_DST], 0);
	ck_assert_uint_eq(rd.res.total[XS_DIM_DPORT], 5);
	ck_assert_ptr_null(rd.res.hll_b64);
}
END_TEST

START_TEST(test_pool_empty_flag)
{
	slots[2].hashes[0] = 5;
	slots[2].full = 1;
	ck_assert_int_eq(skread_slot(&rd, &ep, 2), 0);
	ck_assert_uint_eq(rd.res.uniq_src, 1);
	ck_assert(rd.res.uniq_lower_bound);
}
END_TEST

/* Lite, page and stage entries of one key add up; the page registers and
 * the lite hashes are one set; a page number past the pool is ignored. */
START_TEST(test_tiers_add_up)
{
	struct xs_hll h;
	uint8_t key[16], key2[16];
	uint64_t tag = v4_key(key, 7), tag2 = v4_key(key2, 8), hi, lo;
	size_t b = XS_DIM_SRC * BUCKETS;
	int i;

	ck_assert_int_eq(hll_init(&h, 12), 0);
	for (i = 0; i < 100; i++)
		hll_add_hash(&h, xs_mix64(i + 1) | 1);
	memcpy(regs, h.regs, sizeof(regs));
	slots[3].page = 1;
	slots[3].hashes[0] = xs_mix64(1) | 1;	/* also in the registers */
	slots[3].hashes[1] = xs_mix64(1000) | 1;	/* one more */
	put(&lite[3 * NDIMS + XS_DIM_SRC].ent[0], tag, key, 4, 400);
	put(&pages[b].ent[1], tag, key, 10, 1000);
	put(&pages[b + 1].ent[3], tag2, key2, 12, 1200);
	memcpy(&hi, key, 8);
	memcpy(&lo, key + 8, 8);
	stage[0] = (struct xs_top_stage){ .khi = hi, .klo = lo, .bytes = 50,
					  .pkts = 1, .slotdim = XS_SD(3, XS_DIM_SRC) };
	stage[1] = (struct xs_top_stage){ .khi = hi, .klo = lo, .bytes = 50,
					  .pkts = 2, .slotdim = XS_SD(2, XS_DIM_SRC) };
	ep.nstage = 2;
	skread_sort_stage(stage, 2, NULL);
	ck_assert_int_eq(skread_slot(&rd, &ep, 3), 0);
	hll_add_hash(&h, xs_mix64(1000) | 1);		/* the union, counted here */
	ck_assert_uint_eq(rd.res.uniq_src, hll_count(&h));
	ck_assert_uint_ge(rd.res.uniq_src, 98);
	ck_assert_uint_le(rd.res.uniq_src, 104);
	ck_assert_uint_eq(rd.res.ntop[XS_DIM_SRC], 2);
	ck_assert_uint_eq(rd.res.top[XS_DIM_SRC][0].pkts, 15);		/* 4 + 10 + 1 */
	ck_assert_uint_eq(rd.res.top[XS_DIM_SRC][0].bytes, 1450);
	ck_assert_int_eq(rd.res.top[XS_DIM_SRC][0].key[15], 7);
	ck_assert_uint_eq(rd.res.top[XS_DIM_SRC][1].pkts, 12);
	ck_assert_uint_eq(rd.res.keys[XS_DIM_SRC], 2);
	ck_assert_uint_eq(rd.res.total[XS_DIM_SRC], 27);
	slots[3].page = 5;
	ck_assert_int_eq(skread_slot(&rd, &ep, 3), 0);
	ck_assert_uint_eq(rd.res.uniq_src, 2);
	hll_free(&h);
}
END_TEST

/* An entry whose key is not its tag's (the loser of two racing inserts
 * wrote it) is counted as torn and left out. */
START_TEST(test_torn)
{
	uint8_t key[16], other[16];

	put(&lite[0 * NDIMS + XS_DIM_DST].ent[0], v4_key(key, 1), key, 3, 300);
	v4_key(other, 2);
	put(&lite[0 * NDIMS + XS_DIM_DST].ent[1], v4_key(key, 3), other, 9, 900);
	port_ent(&lite[0 * NDIMS + XS_DIM_SPORT].ent[0], 53, 2);
	lite[0 * NDIMS + XS_DIM_SPORT].ent[0].key[0] = 54;
	ck_assert_int_eq(skread_slot(&rd, &ep, 0), 0);
	ck_assert_uint_eq(rd.res.ntop[XS_DIM_DST], 1);
	ck_assert_uint_eq(rd.res.ntop[XS_DIM_SPORT], 0);
	ck_assert_uint_eq(rd.res.torn, 2);
}
END_TEST

/* IPv4 198.19.0.4 and IPv6 ::ffff:198.19.0.4 have the same key bytes:
 * the tag (shared tiers) or XS_SD_V6MAPPED (stage) keeps them two keys,
 * each printed as what it is, and the flag adds to the IPv6 one. */
START_TEST(test_mapped_twin)
{
	uint8_t key[16];
	uint64_t tag4 = v4_key(key, 4), hi, lo, tag6;
	char txt[INET6_ADDRSTRLEN];

	memcpy(&hi, key, 8);
	memcpy(&lo, key + 8, 8);
	tag6 = xs_stage_tag(hi, lo, XS_DIM_SRC | XS_SD_V6MAPPED);
	ck_assert_uint_ne(tag6, tag4);
	put(&lite[1 * NDIMS + XS_DIM_SRC].ent[0], tag4, key, 5, 500);
	put(&lite[1 * NDIMS + XS_DIM_SRC].ent[1], tag6, key, 3, 300);
	stage[0] = (struct xs_top_stage){ .khi = hi, .klo = lo, .bytes = 200, .pkts = 2,
					  .slotdim = XS_SD(1, XS_DIM_SRC) | XS_SD_V6MAPPED };
	ep.nstage = 1;
	skread_sort_stage(stage, 1, NULL);
	ck_assert_int_eq(skread_slot(&rd, &ep, 1), 0);
	ck_assert_uint_eq(rd.res.torn, 0);
	ck_assert_uint_eq(rd.res.ntop[XS_DIM_SRC], 2);
	ck_assert_uint_eq(rd.res.keys[XS_DIM_SRC], 2);
	ck_assert_uint_eq(rd.res.top[XS_DIM_SRC][0].pkts, 5);
	ck_assert_str_eq(skread_key_str(XS_DIM_SRC, rd.res.top[XS_DIM_SRC][0].key, txt,
					sizeof(txt)), "198.19.0.4");
	ck_assert_uint_eq(rd.res.top[XS_DIM_SRC][1].pkts, 5);
	ck_assert_uint_eq(rd.res.top[XS_DIM_SRC][1].bytes, 500);
	ck_assert_str_eq(skread_key_str(XS_DIM_SRC, rd.res.top[XS_DIM_SRC][1].key, txt,
					sizeof(txt)), "::ffff:198.19.0.4");
	/* The flag on an address outside ::ffff:0:0/96 names no key. */
	inet_pton(AF_INET6, "2001:db8::4", key);
	memcpy(&hi, key, 8);
	memcpy(&lo, key + 8, 8);
	put(&lite[1 * NDIMS + XS_DIM_SRC].ent[2],
	    xs_stage_tag(hi, lo, XS_DIM_SRC | XS_SD_V6MAPPED), key, 1, 100);
	ck_assert_int_eq(skread_slot(&rd, &ep, 1), 0);
	ck_assert_uint_eq(rd.res.torn, 1);
}
END_TEST

START_TEST(test_export_and_clear)
{
	struct xs_hll h;
	char err[256];

	lay.export_sketches = 1;
	skread_free(&rd);
	ck_assert_int_eq(skread_init(&rd, &lay), 0);
	slots[1].hashes[0] = xs_mix64(9) | 1;
	ck_assert_int_eq(skread_slot(&rd, &ep, 1), 0);
	ck_assert_ptr_nonnull(rd.res.hll_b64);
	ck_assert_int_eq(hll_import(&h, 12, rd.res.hll_b64, err, sizeof(err)), 0);
	ck_assert_uint_eq(hll_count(&h), 1);
	hll_free(&h);

	ctl.pages_used = 7;	/* more than the pool: only the pool is cleared */
	regs[5] = 3;
	pages[0].ent[0].tag = 1;
	skread_clear(&lay, &ep);
	ck_assert_uint_eq(slots[1].hashes[0], 0);
	ck_assert_uint_eq(regs[5], 0);
	ck_assert_uint_eq(pages[0].ent[0].tag, 0);
	ck_assert_uint_eq(ctl.pages_used, 0);
}
END_TEST

/* The record: uniq_src, the flag only when set, the tracked lists with
 * IPv4 keys as dotted quads and IPv6 ones as such, ports, the registers. */
START_TEST(test_emit)
{
	struct xs_rec_meta m = { .host = "h", .ifname = "i", .interval_s = 1.0 };
	struct xs_counters d = { .tcp = { 3, 300 } };
	struct xs_sk_result *r = calloc(1, sizeof(*r));
	json_t *rec, *top;
	uint8_t key[16];
	char *line;

	ck_assert_ptr_nonnull(r);
	r->uniq_src = 42;
	v4_key(key, 9);
	memcpy(r->top[XS_DIM_SRC][0].key, key, 16);
	r->top[XS_DIM_SRC][0].pkts = 3;
	r->top[XS_DIM_SRC][0].bytes = 300;
	r->ntop[XS_DIM_SRC] = 1;
	inet_pton(AF_INET6, "2001:db8::7", r->top[XS_DIM_DST][0].key);
	r->top[XS_DIM_DST][0].pkts = 2;
	r->ntop[XS_DIM_DST] = 1;
	r->top[XS_DIM_DPORT][0].key[0] = 0xbb;
	r->top[XS_DIM_DPORT][0].key[1] = 0x01;
	r->top[XS_DIM_DPORT][0].pkts = 1;
	r->ntop[XS_DIM_DPORT] = 1;
	r->hll_b64 = strdup("AAAA");
	lay.export_sketches = 1;
	lay.dim_pos[XS_DIM_SPORT] = -1;
	line = emit_range_sk(&m, "a", XS_DIR_IN, &d, &lay, r);
	ck_assert_ptr_nonnull(line);
	rec = json_loads(line, 0, NULL);
	ck_assert_ptr_nonnull(rec);
	ck_assert_int_eq(json_integer_value(json_object_get(rec, "uniq_src")), 42);
	ck_assert_ptr_null(json_object_get(rec, "uniq_src_lower_bound"));
	top = json_array_get(json_object_get(rec, "top_src"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(top, "addr")), "198.19.0.9");
	ck_assert_int_eq(json_integer_value(json_object_get(top, "bytes")), 300);
	top = json_array_get(json_object_get(rec, "top_dst"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(top, "addr")), "2001:db8::7");
	top = json_array_get(json_object_get(rec, "top_dport"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(top, "port")), 443);
	ck_assert_ptr_null(json_object_get(rec, "top_sport"));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(rec, "hll"), "regs")),
			 "AAAA");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(rec, "hll"), "p")), 12);
	json_decref(rec);
	free(line);
	r->uniq_lower_bound = 1;
	line = emit_range_sk(&m, "a", XS_DIR_IN, &d, &lay, r);
	rec = json_loads(line, 0, NULL);
	ck_assert(json_is_true(json_object_get(rec, "uniq_src_lower_bound")));
	json_decref(rec);
	free(line);
	free(r->hll_b64);
	free(r);
}
END_TEST

/* The radix sort of the stage orders as qsort does (by slot and
 * dimension, both families together) and keeps equal keys in their
 * order; short arrays go to qsort. */
START_TEST(test_sort_stage)
{
	size_t n = 20000, i;
	struct xs_top_stage *st = calloc(n, sizeof(*st)), *tmp = calloc(n, sizeof(*st));
	uint64_t x = 88172645463325252ULL;

	ck_assert(st && tmp);
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		st[i].slotdim = XS_SD((uint32_t)(x % 5000), (x >> 40) % XS_DIM_MAX);
		if (x >> 50 & 1)
			st[i].slotdim |= XS_SD_V6MAPPED;
		st[i].khi = i;			/* the original order */
	}
	skread_sort_stage(st, n, tmp);
	for (i = 1; i < n; i++) {
		uint32_t a = st[i - 1].slotdim & ~XS_SD_V6MAPPED, b = st[i].slotdim & ~XS_SD_V6MAPPED;

		ck_assert_msg(a < b || (a == b && st[i - 1].khi < st[i].khi),
			      "entry %zu: %u after %u (order %llu, %llu)", i, b, a,
			      (unsigned long long)st[i].khi, (unsigned long long)st[i - 1].khi);
	}
	free(st);
	free(tmp);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("skread");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lite_only);
	tcase_add_test(tc, test_pool_empty_flag);
	tcase_add_test(tc, test_tiers_add_up);
	tcase_add_test(tc, test_torn);
	tcase_add_test(tc, test_mapped_twin);
	tcase_add_test(tc, test_export_and_clear);
	tcase_add_test(tc, test_emit);
	tcase_add_test(tc, test_sort_stage);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
