// SPDX-License-Identifier: GPL-2.0
/*
 * Alerts to mitigation filters (user/act.c), against a table of fake
 * filters: what each attack class matches, which destination (the
 * victim host, the range, or waiting for the host lists), the hold after
 * the end, what the end record says, and the refusals.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "act.h"
#include "config.h"
#include "skread.h"

static char tmpdir[] = "/tmp/xs_test_act.XXXXXX";
static char err[XS_ERR_LEN];

/* The fake table. */
static struct xs_mit_spec added[64];
static uint32_t live[64];
static int nadded, nlive, refuse;

static int f_add(void *ctx, const struct xs_mit_spec *s, uint32_t *id, char *e, size_t elen)
{
	(void)ctx;
	if (refuse) {
		snprintf(e, elen, "the filter table is full");
		return -ENOSPC;
	}
	added[nadded] = *s;
	*id = 100 + nadded++;
	live[nlive++] = *id;
	return 0;
}

static int f_del(void *ctx, uint32_t id)
{
	int i;

	(void)ctx;
	for (i = 0; i < nlive; i++)
		if (live[i] == id) {
			live[i] = live[--nlive];
			return 0;
		}
	return -ENOENT;
}

static int f_hits(void *ctx, uint32_t id, struct xs_mit_stats *out)
{
	(void)ctx;
	memset(out, 0, sizeof(*out));
	out->drop_pkts = id;		/* recognisable */
	out->drop_bytes = 60 * id;
	out->dry_pkts = 2 * id;
	return 0;
}

static const struct xs_act_ops ops = { .add = f_add, .del = f_del, .hits = f_hits };

static struct xs_config cfg;
static struct xs_act *act;

static void setup_cfg(const char *mitig, const char *rule_mit)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cfg.json", tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "{\"ranges\": [{\"name\": \"a\", \"prefixes\": [\"198.18.0.0/24\", \"2001:db8::/64\"]}],"
		   " \"mitigation\": %s,"
		   " \"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": 1, \"mitigate\": %s}]}",
		mitig, rule_mit);
	fclose(f);
	config_init(&cfg);
	ck_assert_msg(!config_load_json(&cfg, path, err, sizeof(err)), "%s", err);
	ck_assert_msg(!config_validate(&cfg, err, sizeof(err)), "%s", err);
	act = act_new(&cfg, &ops, NULL);
	ck_assert_ptr_nonnull(act);
	nadded = nlive = refuse = 0;
}

static void teardown(void)
{
	act_free(act);
	act = NULL;
	config_free(&cfg);
}

/* An alert of rule r on range a, `in`, with metrics m. */
static struct xs_alert alert(enum xs_alert_state st, const char *id, const char *attack,
			     const struct xs_metrics *m)
{
	struct xs_alert a = { .state = st, .rule = &cfg.rules[0], .range = "a", .dir = XS_DIR_IN,
			      .attack = attack, .m = m };

	snprintf(a.id, sizeof(a.id), "%s", id);
	return a;
}

static struct xs_sk_layout lay;
static struct xs_sk_result skr;

/* A range's figures whose busiest destination 198.18.0.<h> has `share` of
 * 1000 packets. */
static struct xs_metrics with_top(int h, double share)
{
	struct xs_metrics m = { .pkts = 1000 };
	int d;

	memset(&skr, 0, sizeof(skr));
	for (d = 0; d < XS_DIM_MAX; d++)
		lay.dim_pos[d] = d;
	skr.ntop[XS_DIM_DST] = 1;
	skr.top[XS_DIM_DST][0].key[10] = skr.top[XS_DIM_DST][0].key[11] = 0xff;
	skr.top[XS_DIM_DST][0].key[12] = 198;
	skr.top[XS_DIM_DST][0].key[13] = 18;
	skr.top[XS_DIM_DST][0].key[15] = h;
	skr.top[XS_DIM_DST][0].pkts = 1000 * share;
	m.l = &lay;
	m.sk = &skr;
	return m;
}

START_TEST(test_match_by_attack)
{
	struct xs_mit_spec s;

	ck_assert_int_eq(act_match("syn_flood", 0, &s), 0);
	ck_assert_int_eq(s.proto, XS_L4_TCP);
	ck_assert_int_eq(s.syn, 1);
	ck_assert_int_eq(act_match("dns_amplification", 53, &s), 0);
	ck_assert_int_eq(s.proto, XS_L4_UDP);
	ck_assert_int_eq(s.sport, 53);
	ck_assert_int_eq(act_match("ntp_amplification", 0, &s), 0);
	ck_assert_int_eq(s.sport, -1);
	ck_assert_int_eq(act_match("udp_flood", 0, &s), 0);
	ck_assert_int_eq(s.proto, XS_L4_UDP);
	ck_assert_int_eq(act_match("icmp_flood", 0, &s), 0);
	ck_assert_int_eq(s.proto, XS_L4_ICMP);
	ck_assert_int_eq(act_match("ack_flood", 0, &s), 0);
	ck_assert_int_eq(s.proto, XS_L4_TCP);
	ck_assert_int_eq(s.syn, 0);
	ck_assert_int_eq(act_match("fragment_flood", 0, &s), -1);
	ck_assert_int_eq(act_match("unknown", 0, &s), -1);
	ck_assert_int_eq(act_match(NULL, 0, &s), -1);
}
END_TEST

/* The busiest destination with more than half: the victim, a /32; the
 * end says what it dropped and schedules the removal after hold_s. */
START_TEST(test_victim_lifecycle)
{
	struct xs_metrics m = with_top(10, 0.9);
	struct xs_alert a;
	const struct xs_act_result *r;
	struct xs_act_stats st;
	char buf[64];

	setup_cfg("{\"enabled\": true, \"hold_s\": 30, \"ttl_s\": 120}", "\"drop\"");
	a = alert(XS_ALERT_START, "id1", "syn_flood", &m);
	r = act_alert(act, &a, 1000);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->n, 1);
	ck_assert_str_eq(mitig_match_str(&added[0], buf, sizeof(buf)), "198.18.0.10/32 tcp syn");
	ck_assert_uint_eq(added[0].pps, 0);
	ck_assert_uint_eq(added[0].ttl_s, 120);
	a.state = XS_ALERT_ONGOING;
	r = act_alert(act, &a, 1010);
	ck_assert_uint_eq(r->n, 1);
	ck_assert_int_eq(nadded, 1);		/* nothing more installed */
	a.state = XS_ALERT_END;
	a.m = NULL;
	r = act_alert(act, &a, 1020);
	ck_assert(r->has_hits);
	ck_assert_uint_eq(r->dropped_pkts, 100);
	ck_assert_uint_eq(r->dropped_bytes, 6000);
	act_sweep(act, 1049);
	ck_assert_int_eq(nlive, 1);		/* held */
	act_sweep(act, 1050);
	ck_assert_int_eq(nlive, 0);
	act_stats(act, &st);
	ck_assert_uint_eq(st.installed, 1);
	ck_assert_uint_eq(st.removed, 1);
}
END_TEST

/* No dominant host: the range's prefixes; scope range: always them;
 * a per-host alert: its host; a rate limit carries its pps. */
START_TEST(test_destinations)
{
	struct xs_metrics m = with_top(10, 0.3);
	uint8_t host[XS_TOP_KEY_LEN] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 };
	struct xs_alert a;
	const struct xs_act_result *r;
	char buf[64];

	setup_cfg("{\"enabled\": true}", "{\"action\": \"rate_limit\", \"pps\": 500}");
	a = alert(XS_ALERT_START, "id1", "udp_flood", &m);
	r = act_alert(act, &a, 1);
	ck_assert_uint_eq(r->n, 2);
	ck_assert_str_eq(mitig_match_str(&added[0], buf, sizeof(buf)), "198.18.0.0/24 udp");
	ck_assert_str_eq(mitig_match_str(&added[1], buf, sizeof(buf)), "2001:db8::/64 udp");
	ck_assert_uint_eq(added[1].pps, 500);
	a = alert(XS_ALERT_START, "id2", "icmp_flood", &m);
	a.host = host;
	r = act_alert(act, &a, 1);
	ck_assert_uint_eq(r->n, 1);
	ck_assert_str_eq(mitig_match_str(&added[2], buf, sizeof(buf)), "2001:db8::7/128 icmp");
	teardown();
	m = with_top(10, 0.9);
	setup_cfg("{\"enabled\": true}", "{\"scope\": \"range\"}");
	a = alert(XS_ALERT_START, "id3", "syn_flood", &m);
	r = act_alert(act, &a, 1);
	ck_assert_uint_eq(r->n, 2);
	ck_assert_str_eq(mitig_match_str(&added[0], buf, sizeof(buf)), "198.18.0.0/24 tcp syn");
}
END_TEST

/* An early start (no host lists) waits; the interval's record installs.
 * Unknown attacks, outgoing alerts and a full table install nothing and
 * say why; dry run reports would-drop. */
START_TEST(test_pending_and_skipped)
{
	struct xs_metrics m = { .pkts = 10 }, mt = with_top(3, 1);
	struct xs_alert a;
	const struct xs_act_result *r;
	struct xs_act_stats st;

	setup_cfg("{\"enabled\": true, \"dry_run\": true}", "\"drop\"");
	a = alert(XS_ALERT_START, "e1", "syn_flood", &m);
	r = act_alert(act, &a, 1);
	ck_assert(r->pending);
	ck_assert_uint_eq(r->n, 0);
	ck_assert_int_eq(nadded, 0);
	a.state = XS_ALERT_ONGOING;
	a.m = &mt;
	r = act_alert(act, &a, 2);
	ck_assert(!r->pending);
	ck_assert_uint_eq(r->n, 1);
	ck_assert(r->dry_run);
	a.state = XS_ALERT_END;
	r = act_alert(act, &a, 3);
	ck_assert_uint_eq(r->dropped_pkts, 200);	/* the would-drop count */
	a = alert(XS_ALERT_START, "u1", "unknown", &mt);
	r = act_alert(act, &a, 4);
	ck_assert_str_eq(r->skipped, "attack_unknown");
	a = alert(XS_ALERT_START, "o1", "syn_flood", &mt);
	a.dir = XS_DIR_OUT;
	r = act_alert(act, &a, 4);
	ck_assert_str_eq(r->skipped, "dir_out");
	refuse = 1;
	a = alert(XS_ALERT_START, "f1", "syn_flood", &mt);
	r = act_alert(act, &a, 4);
	ck_assert_uint_eq(r->n, 0);
	ck_assert_str_eq(r->skipped, "not_installed");
	act_stats(act, &st);
	ck_assert_uint_eq(st.installed, 1);
	ck_assert_uint_eq(st.failed, 1);
	ck_assert_uint_eq(st.skipped, 3);
}
END_TEST

/* After act_snapshot() (the program goes), the end still says what the
 * filters dropped. A rule without "mitigate" gets nothing. */
START_TEST(test_snapshot_and_plain_rules)
{
	struct xs_metrics m = with_top(10, 0.9);
	struct xs_alert a;
	const struct xs_act_result *r;

	setup_cfg("{\"enabled\": true}", "\"drop\"");
	a = alert(XS_ALERT_START, "s1", "syn_flood", &m);
	act_alert(act, &a, 1);
	act_snapshot(act);
	nlive = 0;
	a.state = XS_ALERT_END;
	r = act_alert(act, &a, 2);
	ck_assert_uint_eq(r->dropped_pkts, 100);
	cfg.rules[0].mit.on = 0;
	a = alert(XS_ALERT_START, "p1", "syn_flood", &m);
	ck_assert_ptr_null(act_alert(act, &a, 3));
}
END_TEST

/* The rule's key: forms and refusals. */
START_TEST(test_rule_config)
{
	static const struct {
		const char *mit, *rule, *want;
	} bad[] = {
		{ "{\"enabled\": true}", "\"block\"", "$.rules[0].mitigate: expected \"drop\" or an object" },
		{ "{\"enabled\": true}", "{\"action\": \"rate_limit\"}", "expected \"pps\" (an integer) with \"rate_limit\"" },
		{ "{\"enabled\": true}", "{\"pps\": 5}", "expected \"pps\" (an integer) with \"rate_limit\"" },
		{ "{\"enabled\": true}", "{\"scope\": \"host\"}", "scope: expected \"victim\" or \"range\", got \"host\"" },
		{ "{\"enabled\": true}", "{\"action\": \"rate_limit\", \"pps\": 0}", "$.rules[0].mitigate.pps: expected a number 1..1e+08, got 0" },
		{ "{\"enabled\": false}", "\"drop\"", "rule \"r\": \"mitigate\" needs mitigation.enabled" },
	};
	char path[256];
	size_t i;
	int e;

	snprintf(path, sizeof(path), "%s/bad.json", tmpdir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = fopen(path, "w");

		ck_assert_ptr_nonnull(f);
		fprintf(f, "{\"ranges\": [{\"name\": \"a\", \"prefixes\": [\"198.18.0.0/24\"]}],"
			   " \"mitigation\": %s, \"rules\": [{\"name\": \"r\", \"metric\": \"pps\","
			   " \"above\": 1, \"mitigate\": %s}]}", bad[i].mit, bad[i].rule);
		fclose(f);
		config_init(&cfg);
		e = config_load_json(&cfg, path, err, sizeof(err));
		if (!e)
			e = config_validate(&cfg, err, sizeof(err));
		ck_assert_msg(e, "row %zu accepted", i);
		ck_assert_msg(strstr(err, bad[i].want), "row %zu: %s", i, err);
		config_free(&cfg);
	}
	memset(&cfg, 0, sizeof(cfg));
}
END_TEST

static void tmp_setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

int main(void)
{
	Suite *s = suite_create("act");
	TCase *tc = tcase_create("act");
	SRunner *sr;
	int nf;

	tcase_add_unchecked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_match_by_attack);
	tcase_add_test(tc, test_victim_lifecycle);
	tcase_add_test(tc, test_destinations);
	tcase_add_test(tc, test_pending_and_skipped);
	tcase_add_test(tc, test_snapshot_and_plain_rules);
	tcase_add_test(tc, test_rule_config);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? 1 : 0;
}
