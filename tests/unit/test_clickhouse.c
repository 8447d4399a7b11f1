// SPDX-License-Identifier: GPL-2.0
/*
 * What the ClickHouse sink ships and the SQL it ships with: the window
 * digest (register folding, the exact tier, top-list bounds), the
 * retention's choice of partitions, the schema's shape and the checks of
 * query arguments. The SQL itself runs against real servers in
 * tests/e2e/test_clickhouse.sh.
 */
#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chdigest.h"
#include "chschema.h"
#include "skread.h"
#include "sketch.h"
#include "textbuf.h"

static struct xs_sk_result sk;
static struct xs_sk_layout skl;
static struct xs_counters delta;

static void setup(void)
{
	memset(&sk, 0, sizeof(sk));
	memset(&skl, 0, sizeof(skl));
	memset(&delta, 0, sizeof(delta));
	skl.hll_p = 14;
	skl.top_k = 3;
	skl.dim_pos[XS_DIM_SRC] = 0;
	skl.dim_pos[XS_DIM_DST] = -1;
	skl.dim_pos[XS_DIM_DPORT] = -1;
	skl.dim_pos[XS_DIM_SPORT] = -1;
}

/* Folding p registers to q gives what the same hashes give at q. */
START_TEST(test_fold)
{
	static const unsigned int pq[][2] = { { 14, 12 }, { 16, 8 }, { 10, 10 }, { 12, 11 } };
	unsigned int p = pq[_i][0], q = pq[_i][1];
	struct xs_hll hp, hq;
	uint8_t *out = calloc((size_t)1 << q, 1);
	uint64_t i, h;

	ck_assert_int_eq(hll_init(&hp, p), 0);
	ck_assert_int_eq(hll_init(&hq, q), 0);
	for (i = 0; i < 50000; i++) {
		h = xs_mix64(i + 12345) | 1;
		if (i == 7)	/* a remainder of zeros: the rank cap */
			h = (h >> (64 - p)) << (64 - p);
		hll_add_hash(&hp, h);
		hll_add_hash(&hq, h);
	}
	chd_fold(hp.regs, p, out, q);
	ck_assert_mem_eq(out, hq.regs, (size_t)1 << q);
	free(out);
	hll_free(&hp);
	hll_free(&hq);
}
END_TEST

/* jansson takes no integer above INT64_MAX: the hashes become a count. */
static json_t *parse_row(char *line)
{
	char *h = strstr(line, "\"src_hashes\":["), *end, *buf = NULL;
	json_error_t je;
	size_t n = 0;
	json_t *r;

	if (h) {
		end = strchr(h, ']');
		n = end > h + 14;
		for (char *c = h + 14; c < end; c++)
			n += *c == ',';
		ck_assert_int_gt(asprintf(&buf, "%.*s\"src_hashes_n\":%zu%s", (int)(h - line), line,
					  n, end + 1), 0);
		line = buf;
	}
	r = json_loads(line, 0, &je);
	ck_assert_msg(r != NULL, "not JSON: %.200s (%s)", line, je.text);
	free(buf);
	return r;
}

static json_t *ship(struct xs_chdigest *d, json_t **tops)
{
	struct xs_textbuf a = {}, b = {};
	uint64_t na, nb;
	json_t *sk_rows = json_array(), *top_rows = json_array();
	char *line, *save = NULL;

	chd_ship(d, "{\"ts\":1", 60.0, &a, &na, &b, &nb);
	for (line = a.p ? strtok_r(a.p, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save))
		json_array_append_new(sk_rows, parse_row(line));
	for (line = b.p ? strtok_r(b.p, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save))
		json_array_append_new(top_rows, parse_row(line));
	ck_assert_uint_eq(json_array_size(sk_rows), na);
	ck_assert_uint_eq(json_array_size(top_rows), nb);
	free(a.p);
	free(b.p);
	*tops = top_rows;
	return sk_rows;
}

static int64_t geti(json_t *o, const char *k)
{
	ck_assert_msg(json_is_integer(json_object_get(o, k)), "no integer %s", k);
	return json_integer_value(json_object_get(o, k));
}

/* Lite hashes of three intervals united: exact, and the registers those
 * hashes give at the shipped precision. */
START_TEST(test_exact_tier)
{
	struct xs_chdigest d;
	json_t *rows, *tops, *r;
	struct xs_hll h;
	size_t i, n = 0;

	ck_assert_int_eq(chd_init(&d, 12), 0);
	delta.tcp.pkts = 10;
	for (i = 0; i < 3; i++) {
		sk.lite[0] = 0x1111 | 1;
		sk.lite[1] = xs_mix64(i) | 1;
		ck_assert_int_eq(chd_add(&d, "a", 0, &delta, &skl, &sk), 0);
	}
	rows = ship(&d, &tops);
	ck_assert_uint_eq(json_array_size(rows), 1);
	r = json_array_get(rows, 0);
	ck_assert_int_eq(geti(r, "src_exact"), 1);
	ck_assert_int_eq(geti(r, "pkts"), 30);
	ck_assert_int_eq(geti(r, "intervals"), 3);
	ck_assert_int_eq(geti(r, "hll_p"), 12);
	ck_assert_int_eq(geti(r, "src_hashes_n"), 4);
	ck_assert_str_eq(json_string_value(json_object_get(r, "range")), "a");
	ck_assert_str_eq(json_string_value(json_object_get(r, "dir")), "in");
	ck_assert_int_eq(hll_init(&h, 12), 0);
	hll_add_hash(&h, 0x1111 | 1);
	for (i = 0; i < 3; i++)
		hll_add_hash(&h, xs_mix64(i) | 1);
	for (i = 0; i < 4096; i++) {
		if (!h.regs[i])
			continue;
		ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(r, "hll_idx"), n)), i);
		ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(r, "hll_rank"), n)),
				 h.regs[i]);
		n++;
	}
	ck_assert_uint_eq(json_array_size(json_object_get(r, "hll_idx")), n);
	ck_assert_uint_eq(d.n, 0);	/* shipping empties it */
	hll_free(&h);
	json_decref(rows);
	json_decref(tops);
	chd_free(&d);
}
END_TEST

/* More sources than the exact tier holds, or a page: registers only,
 * the page's folded in. */
START_TEST(test_inexact)
{
	struct xs_chdigest d;
	struct xs_hll page, want;
	json_t *rows, *tops, *r;
	uint64_t i;

	ck_assert_int_eq(chd_init(&d, 12), 0);
	ck_assert_int_eq(hll_init(&page, 14), 0);
	ck_assert_int_eq(hll_init(&want, 12), 0);
	delta.udp.pkts = 1;
	for (i = 0; i < 20; i++) {	/* 20 intervals of 6 new sources: 120 > 64 */
		int k;

		for (k = 0; k < XS_LITE_HASHES; k++) {
			sk.lite[k] = xs_mix64(i * 6 + k) | 1;
			hll_add_hash(&want, sk.lite[k]);
		}
		ck_assert_int_eq(chd_add(&d, "b", 1, &delta, &skl, &sk), 0);
	}
	memset(sk.lite, 0, sizeof(sk.lite));
	for (i = 1000; i < 3000; i++) {
		hll_add_hash(&page, xs_mix64(i) | 1);
		hll_add_hash(&want, xs_mix64(i) | 1);
	}
	sk.regs = page.regs;
	ck_assert_int_eq(chd_add(&d, "b", 1, &delta, &skl, &sk), 0);
	rows = ship(&d, &tops);
	r = json_array_get(rows, 0);
	ck_assert_int_eq(geti(r, "src_exact"), 0);
	ck_assert_int_eq(geti(r, "src_hashes_n"), 0);
	{
		size_t n = 0;

		for (i = 0; i < 4096; i++)
			n += want.regs[i] != 0;
		ck_assert_uint_eq(json_array_size(json_object_get(r, "hll_idx")), n);
	}
	json_decref(rows);
	json_decref(tops);
	hll_free(&page);
	hll_free(&want);
	chd_free(&d);
}
END_TEST

static void list(int n, const uint8_t *keys, const uint64_t *pkts)
{
	int i;

	sk.ntop[XS_DIM_SRC] = n;
	for (i = 0; i < n; i++) {
		memset(sk.top[XS_DIM_SRC][i].key, 0, XS_TOP_KEY_LEN);
		sk.top[XS_DIM_SRC][i].key[10] = 0xff;
		sk.top[XS_DIM_SRC][i].key[11] = 0xff;
		sk.top[XS_DIM_SRC][i].key[15] = keys[i];	/* 0.0.0.K */
		sk.top[XS_DIM_SRC][i].pkts = pkts[i];
		sk.top[XS_DIM_SRC][i].bytes = pkts[i] * 100;
	}
}

static json_t *find_key(json_t *tops, const char *key)
{
	size_t i;

	for (i = 0; i < json_array_size(tops); i++)
		if (!strcmp(json_string_value(json_object_get(json_array_get(tops, i), "key")), key))
			return json_array_get(tops, i);
	return NULL;
}

/* pkts adds up where listed; pkts_max adds the floor of each full list a
 * key was missing from; keys under 1% of the window stay home. */
START_TEST(test_top_bounds)
{
	static const uint8_t k1[] = { 1, 2, 3 }, k2[] = { 1, 4 };
	static const uint64_t p1[] = { 500, 40, 5 }, p2[] = { 300, 200 };
	struct xs_chdigest d;
	json_t *rows, *tops, *t;

	ck_assert_int_eq(chd_init(&d, 12), 0);
	delta.tcp.pkts = 1000;
	list(3, k1, p1);	/* full (top_k 3): floor 5 */
	ck_assert_int_eq(chd_add(&d, "c", 0, &delta, &skl, &sk), 0);
	list(2, k2, p2);	/* not full: floor 0 */
	ck_assert_int_eq(chd_add(&d, "c", 0, &delta, &skl, &sk), 0);
	delta.tcp.pkts = 18000;	/* the window: 20000 packets, 1% = 200 */
	list(0, k1, p1);
	ck_assert_int_eq(chd_add(&d, "c", 0, &delta, &skl, &sk), 0);
	rows = ship(&d, &tops);
	t = find_key(tops, "0.0.0.1");
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(geti(t, "pkts"), 800);
	ck_assert_int_eq(geti(t, "pkts_max"), 800);
	ck_assert_int_eq(geti(t, "bytes"), 80000);
	ck_assert_int_eq(geti(t, "range_pkts"), 20000);
	ck_assert_str_eq(json_string_value(json_object_get(t, "list")), "src");
	t = find_key(tops, "0.0.0.4");
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(geti(t, "pkts"), 200);
	ck_assert_int_eq(geti(t, "pkts_max"), 205);	/* missing from a full list */
	ck_assert_ptr_null(find_key(tops, "0.0.0.2"));	/* 40 + 0 < 200 */
	ck_assert_ptr_null(find_key(tops, "0.0.0.3"));
	ck_assert_uint_eq(json_array_size(tops), 2);
	json_decref(rows);
	json_decref(tops);
	chd_free(&d);
}
END_TEST

START_TEST(test_retention)
{
	/* today: 2026-12-03 = day 20790 */
	static const char parts[] =
		"range\t2026-11-25\n"	/* 8 days: dropped at 7 */
		"range\t2026-11-26\n"	/* 7 days: kept */
		"alert\t2026-11-25\n"
		"range_1m\t2026-09-03\n"	/* 91 days */
		"range_1h\t202412\n"	/* ends 2024-12-31: 702 days, kept */
		"hll_1h\t202411\n"	/* ends 2024-11-30: 733 days, dropped */
		"other\t2020-01-01\n"
		"range\tgarbage\n";
	struct xs_ch_names n = {};
	struct xs_ch_keep k;
	char *s;

	chschema_keep_default(&k);
	s = chschema_retention(&n, &k, 20790, parts);
	ck_assert_str_eq(s, "ALTER TABLE xdpscope.range DROP PARTITION '2026-11-25';\n"
			    "ALTER TABLE xdpscope.range_1m DROP PARTITION '2026-09-03';\n"
			    "ALTER TABLE xdpscope.hll_1h DROP PARTITION 202411;\n");
	free(s);
	n.cluster = "fleet";	/* the local tables hold the data */
	n.database = "db";
	s = chschema_retention(&n, &k, 20790, "range_local\t2026-11-25\nrange\t2026-11-25\n");
	ck_assert_str_eq(s, "ALTER TABLE db.range_local DROP PARTITION '2026-11-25';\n");
	free(s);
	k.raw = 0;	/* for ever */
	s = chschema_retention(&n, &k, 20790, "range_local\t2000-01-01\n");
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_schema)
{
	struct xs_ch_names n = { .prefix = "xs_" };
	struct xs_ch_keep k;
	char *s;

	chschema_keep_default(&k);
	s = chschema_ddl(&n, &k, 0);
	ck_assert_ptr_nonnull(strstr(s, "CREATE TABLE IF NOT EXISTS xdpscope.xs_range ("));
	ck_assert_ptr_null(strstr(s, "Distributed"));
	ck_assert_ptr_null(strstr(s, "TTL"));
	free(s);
	n.cluster = "fleet";
	s = chschema_ddl(&n, &k, 1);
	ck_assert_ptr_nonnull(strstr(s, "CREATE TABLE IF NOT EXISTS xdpscope.xs_range AS "
					 "xdpscope.xs_range_local\nENGINE = Distributed(fleet, "
					 "xdpscope, xs_range_local, cityHash64(host))"));
	ck_assert_ptr_nonnull(strstr(s, "TTL ts + INTERVAL 7 DAY"));
	ck_assert_ptr_nonnull(strstr(s, "TTL t + INTERVAL 730 DAY"));
	free(s);
}
END_TEST

/* --upgrade: from the step a store lacks on; the agent step grows the
 * local tables' sorting keys, the Distributed ones get the columns only. */
START_TEST(test_schema_upgrade)
{
	struct xs_ch_names n = { .cluster = "fleet" };
	struct xs_ch_keep k;
	char *s;

	chschema_keep_default(&k);
	ck_assert_str_eq(chschema_steps[0], "mitigation");
	ck_assert_str_eq(chschema_steps[1], "agent");
	ck_assert_str_eq(chschema_steps[2], "syn");
	ck_assert_ptr_null(chschema_steps[3]);
	s = chschema_ddl_upgrade(&n, &k, 0, 2);
	ck_assert_ptr_null(strstr(s, "ADD COLUMN passed_pkts"));
	ck_assert_ptr_null(strstr(s, "DROP TABLE IF EXISTS xdpscope.range_1m"));
	ck_assert_ptr_nonnull(strstr(s, "ALTER TABLE xdpscope.range_local ADD COLUMN agent String "
					 "AFTER ifname, ADD COLUMN ifindex UInt32 AFTER agent, MODIFY "
					 "ORDER BY (range, dir, host, ifname, ts, ms, agent, ifindex);\n"));
	ck_assert_ptr_nonnull(strstr(s, "ALTER TABLE xdpscope.range ADD COLUMN agent String "
					 "AFTER ifname, ADD COLUMN ifindex UInt32 AFTER agent;\n"));
	ck_assert_ptr_nonnull(strstr(s, "ALTER TABLE xdpscope.alert_local ADD COLUMN agent"));
	ck_assert_ptr_nonnull(strstr(s, "ORDER BY (ts, ms, host, ifname, id, state, agent, ifindex)"));
	free(s);
	s = chschema_ddl_upgrade(&n, &k, 0, 1);
	ck_assert_ptr_nonnull(strstr(s, "ALTER TABLE xdpscope.range_local ADD COLUMN passed_pkts"));
	ck_assert_ptr_nonnull(strstr(s, "ALTER TABLE xdpscope.range_local ADD COLUMN agent"));
	ck_assert_ptr_nonnull(strstr(s, "ALTER TABLE xdpscope.top_local MODIFY COLUMN list"));
	free(s);
	/* syn: the list's Enum grows, on both tables of both kinds, and the
	 * roll-up's view is made again; nothing of the earlier steps. */
	s = chschema_ddl_upgrade(&n, &k, 0, 3);
	ck_assert_ptr_null(strstr(s, "ADD COLUMN"));
	ck_assert_ptr_nonnull(strstr(s, "ALTER TABLE xdpscope.top_local MODIFY COLUMN list Enum8("
					 "'src' = 1, 'dst' = 2, 'dport' = 3, 'sport' = 4, 'syn' = 5);\n"));
	ck_assert_ptr_nonnull(strstr(s, "ALTER TABLE xdpscope.top_1h MODIFY COLUMN list Enum8("));
	ck_assert_ptr_nonnull(strstr(s, "DROP TABLE IF EXISTS xdpscope.top_1h_local_mv;\n"));
	free(s);
}
END_TEST

START_TEST(test_time)
{
	ck_assert_int_eq(chschema_check_time("2026-12-03 10:00:00"), 0);
	ck_assert_int_ne(chschema_check_time("2026-12-03T10:00:00"), 0);
	ck_assert_int_ne(chschema_check_time("2026-13-03 10:00:00"), 0);
	ck_assert_int_ne(chschema_check_time("2026-12-03 10:00:00'; DROP"), 0);
	ck_assert_int_ne(chschema_check_time(""), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("clickhouse");
	TCase *t = tcase_create("clickhouse");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(t, setup, NULL);
	tcase_add_loop_test(t, test_fold, 0, 4);
	tcase_add_test(t, test_exact_tier);
	tcase_add_test(t, test_inexact);
	tcase_add_test(t, test_top_bounds);
	tcase_add_test(t, test_retention);
	tcase_add_test(t, test_schema);
	tcase_add_test(t, test_schema_upgrade);
	tcase_add_test(t, test_time);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
