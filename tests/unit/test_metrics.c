// SPDX-License-Identifier: GPL-2.0
/*
 * metrics: the exposition text of a small snapshot, line by line (names,
 * labels, values, HELP/TYPE once a family, ranges without traffic left
 * out), and --metrics addresses.
 */
#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include "metrics.h"

static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p += n;
	}
	return 0;
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

START_TEST(test_render)
{
	char *names[] = { "a", "b" };
	struct xs_counters cur[XS_SLOTS(2)] = {};
	struct xs_global g = { .ipv4_pkts = 30, .bytes = 9000, .lookup_fail = 0 };
	struct xs_sk_layout l = { .dim_pos = { 0, -1, 1, -1, -1 } };
	struct xs_sk_result sk = { .uniq_src = 17, .ntop = { 1, 0, 1, 0 } };
	struct xs_msnap *s;
	uint16_t port = 443;
	size_t len;
	char *t;

	cur[0].udp.pkts = 5;				/* unmatched */
	cur[XS_DIR_MAX + XS_DIR_IN].tcp.pkts = 20;	/* a in */
	cur[XS_DIR_MAX + XS_DIR_IN].tcp.bytes = 1200;
	cur[XS_DIR_MAX + XS_DIR_IN].syn = 19;
	cur[XS_DIR_MAX + XS_DIR_IN].frags = 2;
	sk.top[XS_DIM_SRC][0].key[10] = sk.top[XS_DIM_SRC][0].key[11] = 0xff;
	sk.top[XS_DIM_SRC][0].key[12] = 198;
	sk.top[XS_DIM_SRC][0].key[13] = 19;
	sk.top[XS_DIM_SRC][0].key[15] = 7;
	sk.top[XS_DIM_SRC][0].pkts = 9;
	sk.top[XS_DIM_SRC][0].bytes = 540;
	memcpy(sk.top[XS_DIM_DPORT][0].key, &port, 2);
	sk.top[XS_DIM_DPORT][0].pkts = 20;
	s = metrics_snap_new(XS_SLOTS(2), cur, &g);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(metrics_snap_slot(s, XS_DIR_MAX + XS_DIR_IN, &l, &sk, 3), 0);
	s->rules_on = 1;
	s->alerts_started = 3;
	ck_assert_int_eq(metrics_snap_alert(s, "syn-flood", XS_DIR_MAX + XS_DIR_IN, NULL, "syn_flood"), 0);
	ck_assert_int_eq(metrics_snap_alert(s, "host-flood", XS_DIR_MAX + XS_DIR_IN,
					    sk.top[XS_DIM_SRC][0].key, "udp_flood"), 0);
	s->progs[0] = (struct xs_prog_stat){ .hook = "xdp", .mode = "native", .prog_id = 42 };
	s->nprogs = 1;
	s->written = 12;
	s->ts = 1795600801.5;
	t = metrics_render(s, names, 2, &len);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(strlen(t), len);
	ck_assert(has_line(t, "# TYPE xdpscope_packets_total counter"));
	ck_assert(has_line(t, "xdpscope_packets_total{range=\"a\",dir=\"in\",class=\"tcp\"} 20"));
	ck_assert(has_line(t, "xdpscope_packets_total{range=\"a\",dir=\"in\",class=\"udp\"} 0"));
	ck_assert(has_line(t, "xdpscope_bytes_total{range=\"a\",dir=\"in\",class=\"tcp\"} 1200"));
	ck_assert(has_line(t, "xdpscope_tcp_flags_total{range=\"a\",dir=\"in\",flag=\"syn\"} 19"));
	ck_assert(has_line(t, "xdpscope_fragments_total{range=\"a\",dir=\"in\"} 2"));
	ck_assert(has_line(t, "xdpscope_uniq_src{range=\"a\",dir=\"in\"} 17"));
	ck_assert(has_line(t, "xdpscope_top_packets{range=\"a\",dir=\"in\",list=\"src\",rank=\"1\","
			      "key=\"198.19.0.7\"} 9"));
	ck_assert(has_line(t, "xdpscope_top_bytes{range=\"a\",dir=\"in\",list=\"src\",rank=\"1\","
			      "key=\"198.19.0.7\"} 540"));
	ck_assert(has_line(t, "xdpscope_top_packets{range=\"a\",dir=\"in\",list=\"dport\",rank=\"1\","
			      "key=\"443\"} 20"));
	ck_assert(has_line(t, "xdpscope_alert_active{range=\"a\",dir=\"in\",rule=\"syn-flood\","
			      "attack=\"syn_flood\"} 1"));
	ck_assert(has_line(t, "xdpscope_alert_active{range=\"a\",dir=\"in\",rule=\"host-flood\","
			      "target=\"198.19.0.7\",attack=\"udp_flood\"} 1"));
	ck_assert(has_line(t, "xdpscope_alerts_started_total 3"));
	ck_assert(has_line(t, "xdpscope_unmatched_packets_total{class=\"udp\"} 5"));
	ck_assert(has_line(t, "xdpscope_seen_packets_total{outcome=\"ipv4\"} 30"));
	ck_assert(has_line(t, "xdpscope_records_written_total 12"));
	ck_assert(has_line(t, "xdpscope_last_interval_timestamp_seconds 1795600801.500"));
	ck_assert(has_line(t, "xdpscope_program_info{hook=\"xdp\",mode=\"native\",id=\"42\"} 1"));
	/* b never had traffic: no series; one HELP and TYPE a family. */
	ck_assert_ptr_null(strstr(t, "range=\"b\""));
	ck_assert_uint_eq(count(t, "# TYPE xdpscope_packets_total "), 1);
	ck_assert_uint_eq(count(t, "# TYPE "), count(t, "# HELP "));
	ck_assert_ptr_null(strstr(t, "xdpscope_hooks_total"));	/* no hook configured */
	free(t);
	s->has_hooks = 1;
	s->hooks.ok = 4;
	s->hooks.timeout = 1;
	t = metrics_render(s, names, 2, &len);
	ck_assert(has_line(t, "xdpscope_hooks_total{outcome=\"ok\"} 4"));
	ck_assert(has_line(t, "xdpscope_hooks_total{outcome=\"timeout\"} 1"));
	ck_assert(has_line(t, "xdpscope_hooks_total{outcome=\"skipped\"} 0"));
	ck_assert_ptr_null(strstr(t, "xdpscope_blocked_packets_total"));	/* mitigation off */
	free(t);
	metrics_snap_free(s);
}
END_TEST

/* Mitigation on: blocked per range (passed is packets - blocked), each
 * filter's hits. */
START_TEST(test_render_mitigation)
{
	char *names[] = { "a", "b" };
	struct xs_counters cur[XS_SLOTS(2)] = {};
	struct xs_global g = {};
	struct xs_mit_info f = { .id = 7, .spec = { .proto = XS_L4_UDP, .sport = 53, .ttl_s = 60 },
				 .hits = { .match_pkts = 90, .drop_pkts = 80, .drop_bytes = 8000,
					   .spared = 10 } };
	struct xs_msnap *s;
	size_t len;
	char *t;

	cur[XS_DIR_MAX + XS_DIR_IN].udp.pkts = 100;
	cur[XS_DIR_MAX + XS_DIR_IN].udp.bytes = 10000;
	cur[XS_DIR_MAX + XS_DIR_IN].blocked_pkts = 80;
	cur[XS_DIR_MAX + XS_DIR_IN].blocked_bytes = 8000;
	cidr_parse("198.18.0.7/32", &f.spec.dst, NULL, 0);
	s = metrics_snap_new(XS_SLOTS(2), cur, &g);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(metrics_snap_mitigation(s, &f, 1, 2), 0);
	t = metrics_render(s, names, 2, &len);
	ck_assert_ptr_nonnull(t);
	ck_assert(has_line(t, "xdpscope_packets_total{range=\"a\",dir=\"in\",class=\"udp\"} 100"));
	ck_assert_ptr_null(strstr(t, "xdpscope_passed_"));	/* packets - blocked */
	ck_assert(has_line(t, "xdpscope_blocked_packets_total{range=\"a\",dir=\"in\"} 80"));
	ck_assert(has_line(t, "xdpscope_blocked_bytes_total{range=\"a\",dir=\"in\"} 8000"));
	ck_assert(has_line(t, "xdpscope_mitigation_filters 1"));
	ck_assert(has_line(t, "xdpscope_mitigation_refused_total 2"));
	ck_assert(has_line(t, "xdpscope_filter_dropped_packets_total{id=\"7\",match=\"198.18.0.7/32 "
			      "udp sport 53\",action=\"drop\"} 80"));
	ck_assert(has_line(t, "xdpscope_filter_spared_packets_total{id=\"7\",match=\"198.18.0.7/32 "
			      "udp sport 53\",action=\"drop\"} 10"));
	ck_assert_uint_eq(count(t, "# TYPE "), count(t, "# HELP "));
	free(t);
	metrics_snap_free(s);
}
END_TEST

/* collect's views: the own counters' series carry their labels
 * (agent="*"), each view's its own (agent, ifindex), for counters,
 * sketches and alerts alike; one HELP and TYPE a family still. */
START_TEST(test_render_views)
{
	char *names[] = { "a" };
	struct xs_counters cur[XS_SLOTS(1)] = {}, v1[XS_SLOTS(1)] = {};
	struct xs_global g = {};
	struct xs_sk_layout l = { .dim_pos = { -1, -1, -1, -1, -1 } };
	struct xs_sk_result sk = { .uniq_src = 4 };
	const uint32_t a_in = XS_DIR_MAX + XS_DIR_IN;
	struct xs_msnap *s;
	uint32_t idx, again;
	size_t len;
	char *t;

	cur[a_in].udp.pkts = 70;
	v1[a_in].tcp.pkts = 20;
	s = metrics_snap_new(XS_SLOTS(1), cur, &g);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(metrics_snap_lab(s, ",agent=\"*\""), 0);
	ck_assert_int_eq(metrics_snap_view(s, ",agent=\"198.18.0.1\",ifindex=\"3\"", &idx), 0);
	ck_assert_uint_eq(idx, 1);
	ck_assert_int_eq(metrics_snap_view(s, ",agent=\"198.18.0.1\",ifindex=\"3\"", &again), 0);
	ck_assert_uint_eq(again, idx);
	ck_assert_int_eq(metrics_snap_view_counters(s, idx, XS_SLOTS(1), v1), 0);
	ck_assert_int_eq(metrics_snap_slot(s, a_in, &l, &sk, 0), 0);
	s->act[s->nact - 1].view = idx;
	s->rules_on = 1;
	ck_assert_int_eq(metrics_snap_alert(s, "syn", a_in, NULL, "syn_flood"), 0);
	s->alerts[s->nalerts - 1].view = idx;
	t = metrics_render(s, names, 1, &len);
	ck_assert_ptr_nonnull(t);
	ck_assert(has_line(t, "xdpscope_packets_total{range=\"a\",dir=\"in\",agent=\"*\","
			      "class=\"udp\"} 70"));
	ck_assert(has_line(t, "xdpscope_packets_total{range=\"a\",dir=\"in\",agent=\"198.18.0.1\","
			      "ifindex=\"3\",class=\"tcp\"} 20"));
	ck_assert(has_line(t, "xdpscope_packets_total{range=\"a\",dir=\"in\",agent=\"198.18.0.1\","
			      "ifindex=\"3\",class=\"udp\"} 0"));
	ck_assert(has_line(t, "xdpscope_uniq_src{range=\"a\",dir=\"in\",agent=\"198.18.0.1\","
			      "ifindex=\"3\"} 4"));
	ck_assert(has_line(t, "xdpscope_alert_active{range=\"a\",dir=\"in\",agent=\"198.18.0.1\","
			      "ifindex=\"3\",rule=\"syn\",attack=\"syn_flood\"} 1"));
	ck_assert_uint_eq(count(t, "# TYPE xdpscope_packets_total "), 1);
	free(t);
	metrics_snap_free(s);
}
END_TEST

/* Top keys are series only for the slots asked for, and at most top_n a
 * list: without any, not even the families' HELP and TYPE. */
START_TEST(test_render_top_bounded)
{
	char *names[] = { "a", "b" };
	struct xs_counters cur[XS_SLOTS(2)] = {};
	struct xs_global g = {};
	struct xs_sk_layout l = { .dim_pos = { 0, 1, 2, 3, -1 } };
	struct xs_sk_result sk = { .uniq_src = 40, .ntop = { 3, 3, 3, 3 } };
	uint32_t a_in = XS_DIR_MAX + XS_DIR_IN, b_out = 2 * XS_DIR_MAX + XS_DIR_OUT;
	struct xs_msnap *s;
	size_t len;
	char *t;
	int d, i;

	cur[a_in].udp.pkts = 60;
	cur[b_out].udp.pkts = 61;
	for (d = 0; d < XS_DIM_MAX; d++)
		for (i = 0; i < 3; i++) {
			sk.top[d][i].key[0] = 10 + i;
			sk.top[d][i].pkts = 30 - i;
		}
	s = metrics_snap_new(XS_SLOTS(2), cur, &g);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(metrics_snap_slot(s, a_in, &l, &sk, 0), 0);
	ck_assert_int_eq(metrics_snap_slot(s, b_out, &l, &sk, 0), 0);
	t = metrics_render(s, names, 2, &len);
	ck_assert_ptr_nonnull(t);
	ck_assert(has_line(t, "xdpscope_uniq_src{range=\"a\",dir=\"in\"} 40"));
	ck_assert(has_line(t, "xdpscope_uniq_src{range=\"b\",dir=\"out\"} 40"));
	ck_assert_ptr_null(strstr(t, "xdpscope_top_"));
	ck_assert_ptr_null(strstr(t, "key=\""));
	free(t);
	metrics_snap_free(s);

	/* b opted in with 2 keys a list: 4 lists x 2 ranks x 2 families. */
	s = metrics_snap_new(XS_SLOTS(2), cur, &g);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(metrics_snap_slot(s, a_in, &l, &sk, 0), 0);
	ck_assert_int_eq(metrics_snap_slot(s, b_out, &l, &sk, 2), 0);
	t = metrics_render(s, names, 2, &len);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(count(t, "\nxdpscope_top_"), 16);
	ck_assert_uint_eq(count(t, "key=\""), 16);
	ck_assert_uint_eq(count(t, "xdpscope_top_packets{range=\"b\",dir=\"out\","), 8);
	ck_assert_uint_eq(count(t, "xdpscope_top_bytes{range=\"b\",dir=\"out\","), 8);
	ck_assert_ptr_null(strstr(t, "rank=\"3\""));
	ck_assert(has_line(t, "xdpscope_top_packets{range=\"b\",dir=\"out\",list=\"dport\","
			      "rank=\"2\",key=\"11\"} 29"));
	ck_assert_uint_eq(count(t, "# TYPE xdpscope_top_packets gauge"), 1);
	free(t);
	metrics_snap_free(s);
}
END_TEST

START_TEST(test_parse_addr)
{
	struct sockaddr_storage ss;
	char err[256], buf[64];

	ck_assert_int_eq(metrics_parse_addr("9100", &ss, err, sizeof(err)), 0);
	ck_assert_str_eq(metrics_addr_str(&ss, buf, sizeof(buf)), "127.0.0.1:9100");
	ck_assert_int_eq(metrics_parse_addr(":9101", &ss, err, sizeof(err)), 0);
	ck_assert_str_eq(metrics_addr_str(&ss, buf, sizeof(buf)), "127.0.0.1:9101");
	ck_assert_int_eq(metrics_parse_addr("0.0.0.0:80", &ss, err, sizeof(err)), 0);
	ck_assert_str_eq(metrics_addr_str(&ss, buf, sizeof(buf)), "0.0.0.0:80");
	ck_assert_int_eq(metrics_parse_addr("[::1]:9100", &ss, err, sizeof(err)), 0);
	ck_assert_str_eq(metrics_addr_str(&ss, buf, sizeof(buf)), "[::1]:9100");
	ck_assert_int_eq(metrics_parse_addr("[::1]9100", &ss, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(metrics_parse_addr("127.0.0.1:0", &ss, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(metrics_parse_addr("127.0.0.1:", &ss, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(metrics_parse_addr("localhost:9100", &ss, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "--metrics: expected ADDR:PORT (127.0.0.1:9100, [::1]:9100) or PORT "
			      "(loopback), got \"localhost:9100\"");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_render);
	tcase_add_test(tc, test_render_top_bounded);
	tcase_add_test(tc, test_render_views);
	tcase_add_test(tc, test_render_mitigation);
	tcase_add_test(tc, test_parse_addr);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
