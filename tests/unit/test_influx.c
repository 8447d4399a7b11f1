// SPDX-License-Identifier: GPL-2.0
/*
 * influx: records to line protocol (tags, flattened fields, types,
 * escaping, timestamp, what is refused), and the bounded buffer of a
 * writer whose server is down (oldest batches dropped and counted, the
 * caller never blocked).
 */
#include <check.h>
#include <jansson.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "influx.h"
#include "textbuf.h"

/* The line protocol of a record given as JSON text (the daemon hands the
 * document it built; the tests write it as text to read it). */
static int line_json(const char *json, struct xs_textbuf *b)
{
	json_t *doc = json_loads(json, 0, NULL);
	int e = influx_line(doc, b);

	json_decref(doc);
	return e;
}

static void record_json(struct xs_influx *x, const char *json)
{
	json_t *doc = json_loads(json, 0, NULL);

	influx_record(x, doc);
	json_decref(doc);
}

static char *line_of(const char *json)
{
	struct xs_textbuf b = {};

	ck_assert_int_eq(line_json(json, &b), 0);
	ck_assert_uint_eq(strlen(b.p), b.n);
	return b.p;
}

START_TEST(test_range_line)
{
	char *l = line_of("{\"schema\":1,\"type\":\"range\",\"ts\":\"2026-11-25T10:00:01.250Z\","
			  "\"host\":\"edge 1\",\"ifname\":\"eth0\",\"interval_s\":1.0,"
			  "\"range\":\"cust,a=b\",\"dir\":\"in\",\"pkts\":1200,\"pps\":1200.5,"
			  "\"proto\":{\"tcp\":{\"pkts\":1000,\"bytes\":90000}},"
			  "\"top_src\":[{\"addr\":\"198.18.0.1\",\"pkts\":3}],"
			  "\"uniq_src_lower_bound\":true}");

	ck_assert_str_eq(l, "xdpscope_range,host=edge\\ 1,ifname=eth0,range=cust\\,a\\=b,dir=in "
			    "interval_s=1,pkts=1200i,pps=1200.5,proto_tcp_pkts=1000i,"
			    "proto_tcp_bytes=90000i,uniq_src_lower_bound=true 1795600801250000000\n");
	free(l);
}
END_TEST

START_TEST(test_alert_line)
{
	char *l = line_of("{\"schema\":1,\"type\":\"alert\",\"ts\":\"2026-11-25T10:00:01.000Z\","
			  "\"host\":\"h\",\"ifname\":\"eth0\",\"id\":\"00ff\",\"rule\":\"syn-flood\","
			  "\"range\":\"a\",\"dir\":\"in\",\"state\":\"end\",\"value\":2.5,"
			  "\"attack\":\"syn_flood\",\"reason\":\"say \\\"hi\\\" \\\\ x\"}");

	ck_assert_str_eq(l, "xdpscope_alert,host=h,ifname=eth0,range=a,dir=in,rule=syn-flood,"
			    "state=end,attack=syn_flood id=\"00ff\",value=2.5,"
			    "reason=\"say \\\"hi\\\" \\\\ x\" 1795600801000000000\n");
	free(l);
}
END_TEST

START_TEST(test_refused)
{
	struct xs_textbuf b = {};

	ck_assert_int_eq(line_json("not json", &b), -EINVAL);
	ck_assert_int_eq(line_json("{\"type\":\"range\"}", &b), -EINVAL);
	ck_assert_int_eq(line_json("{\"type\":\"range\",\"ts\":\"yesterday\",\"pkts\":1}",
				     &b), -EINVAL);
	/* No field at all: no line. */
	ck_assert_int_eq(line_json("{\"type\":\"x\",\"ts\":\"2026-11-25T10:00:01.000Z\","
				     "\"host\":\"h\"}", &b), -EINVAL);
	ck_assert_uint_eq(b.n, 0);
	free(b.p);
}
END_TEST

START_TEST(test_buffer_bound)
{
	char err[256];
	struct xs_influx *x;
	struct xs_influx_stats st;
	struct timespec a, b;
	int i;

	/* Port 9 on loopback: nothing listens, every post fails at once. */
	x = influx_start("ftp://127.0.0.1:9/write", 4096, err, sizeof(err));
	ck_assert_ptr_null(x);
	ck_assert_str_eq(err, "--influx: expected http://HOST[:PORT]/write?db=NAME, got "
			      "\"ftp://127.0.0.1:9/write\"");
	x = influx_start("http://127.0.0.1:9/write?db=x", 4096, err, sizeof(err));
	ck_assert_ptr_nonnull(x);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 100; i++) {
		record_json(x, "{\"type\":\"summary\",\"ts\":\"2026-11-25T10:00:01.000Z\","
				 "\"host\":\"h\",\"pkts\":12345678,\"bytes\":987654321}");
		influx_flush(x);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert(b.tv_sec - a.tv_sec < 1);	/* never waited for the network */
	influx_stats(x, &st);
	ck_assert_uint_eq(st.lines_sent, 0);
	ck_assert_uint_gt(st.lines_dropped, 0);
	ck_assert_uint_eq(st.lines_dropped + st.lines_pending, 100);
	{
		char *l = line_of("{\"type\":\"summary\",\"ts\":\"2026-11-25T10:00:01.000Z\","
				  "\"host\":\"h\",\"pkts\":12345678,\"bytes\":987654321}");

		/* The bound holds (the batch being sent may top it by one). */
		ck_assert_uint_le(st.lines_pending * strlen(l), 4096 + strlen(l));
		free(l);
	}
	influx_stop(x, 0.2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("influx");
	TCase *tc = tcase_create("influx");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_range_line);
	tcase_add_test(tc, test_alert_line);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_buffer_bound);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
