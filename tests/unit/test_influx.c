// SPDX-License-Identifier: GPL-2.0
/*
 * influx: records to line protocol (tags, flattened fields, types,
 * escaping, timestamp, what is refused), the URL of either version's
 * write endpoint (and what is refused), and the bounded buffer of a
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

/* collect's records carry the sFlow agent: a tag. */
START_TEST(test_agent_tag)
{
	char *l = line_of("{\"schema\":1,\"type\":\"range\",\"ts\":\"2026-11-25T10:00:01.250Z\","
			  "\"host\":\"c\",\"ifname\":\"sflow\",\"agent\":\"198.18.0.1#2\","
			  "\"interval_s\":1.0,\"range\":\"a\",\"dir\":\"in\",\"pkts\":1000}");

	ck_assert_str_eq(l, "xdpscope_range,host=c,ifname=sflow,agent=198.18.0.1#2,range=a,dir=in "
			    "interval_s=1,pkts=1000i 1795600801250000000\n");
	free(l);
}
END_TEST

/* ifindex views: the input interface is a tag too (null: none). */
START_TEST(test_ifindex_tag)
{
	char *l = line_of("{\"schema\":1,\"type\":\"range\",\"ts\":\"2026-11-25T10:00:01.250Z\","
			  "\"host\":\"c\",\"ifname\":\"sflow\",\"agent\":\"198.18.0.1\","
			  "\"ifindex\":3,\"interval_s\":1.0,\"range\":\"a\",\"dir\":\"in\","
			  "\"pkts\":1000}");

	ck_assert_str_eq(l, "xdpscope_range,host=c,ifname=sflow,agent=198.18.0.1,ifindex=3,range=a,"
			    "dir=in interval_s=1,pkts=1000i 1795600801250000000\n");
	free(l);
	l = line_of("{\"schema\":1,\"type\":\"range\",\"ts\":\"2026-11-25T10:00:01.250Z\","
		    "\"host\":\"c\",\"ifname\":\"sflow\",\"agent\":\"198.18.0.1\","
		    "\"ifindex\":null,\"interval_s\":1.0,\"range\":\"a\",\"dir\":\"in\","
		    "\"pkts\":1000}");
	ck_assert_str_eq(l, "xdpscope_range,host=c,ifname=sflow,agent=198.18.0.1,range=a,dir=in "
			    "interval_s=1,pkts=1000i 1795600801250000000\n");
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
	struct xs_influx_cfg c = { .url = "http://127.0.0.1:9/write?db=x", .buffer = 4096 };
	char err[256];
	struct xs_influx *x;
	struct xs_influx_stats st;
	struct timespec a, b;
	int i;

	x = influx_start(&c, "ftp://127.0.0.1:9/write", err, sizeof(err));
	ck_assert_ptr_null(x);
	ck_assert_str_eq(err, "--influx: expected http(s)://HOST[:PORT][/PATH][?QUERY], got "
			      "\"ftp://127.0.0.1:9/write\"");
	/* Port 9 on loopback: nothing listens, every post fails at once. */
	x = influx_start(&c, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(x);
	ck_assert_str_eq(influx_where(x), "http://127.0.0.1:9");
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 100; i++) {
		record_json(x, "{\"type\":\"summary\",\"ts\":\"2026-11-25T10:00:01.000Z\","
				 "\"host\":\"h\",\"pkts\":12345678,\"bytes\":987654321}");
		influx_flush(x);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	/* Never waited for the network: 100 records that each waited for a
	 * connect or a retry would take minutes; a loaded machine or
	 * valgrind takes a few seconds at most. */
	ck_assert(b.tv_sec - a.tv_sec < 30);
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

/* influx_url: a config (as config_influx.c fills it) and --influx. */
struct url_row {
	const char *name;
	struct xs_influx_cfg c;
	const char *arg;
	const char *want;		/* the URL, or the message after "KEY: " */
	const char *key;		/* NULL: success */
	int version;
};

static const struct url_row url_rows[] = {
	{ "1.x as given", { .url = "http://127.0.0.1:8086/write?db=xs" }, NULL,
	  "http://127.0.0.1:8086/write?db=xs&precision=ns", NULL, 1 },
	{ "1.x no path: /write, db xdpscope", {}, "https://[2001:db8::1]:8086",
	  "https://[2001:db8::1]:8086/write?precision=ns&db=xdpscope", NULL, 1 },
	{ "1.x db from config, escaped", { .url = "http://h/write", .db = "my db&x" }, NULL,
	  "http://h/write?precision=ns&db=my%20db%26x", NULL, 1 },
	{ "1.x u= p= and precision kept", { .url = "http://h/write?db=a&u=x&p=y&precision=ns" },
	  NULL, "http://h/write?db=a&u=x&p=y&precision=ns", NULL, 1 },
	{ "--influx overrides url", { .url = "http://a/write?db=a" }, "http://b/write?db=b",
	  "http://b/write?db=b&precision=ns", NULL, 1 },
	{ "2.x by the path", { .url = "https://h:8086/api/v2/write", .org = "o", .bucket = "b",
	  .token = "t" }, NULL, "https://h:8086/api/v2/write?precision=ns&org=o&bucket=b", NULL, 2 },
	{ "2.x by version, no path", { .url = "http://h:8086", .version = 2, .org = "my org",
	  .bucket = "b", .token = "t" }, NULL,
	  "http://h:8086/api/v2/write?precision=ns&org=my%20org&bucket=b", NULL, 2 },
	{ "2.x org and bucket in the URL", { .token = "t" },
	  "http://h/proxy/api/v2/write?org=o&bucket=b", "http://h/proxy/api/v2/write?org=o&bucket=b"
	  "&precision=ns", NULL, 2 },
	{ "version 1 on a 2.x path", { .url = "http://h/api/v2/write?db=a", .version = 1 }, NULL,
	  "http://h/api/v2/write?db=a&precision=ns", NULL, 1 },
	{ "not http", {}, "h:8086/write",
	  "expected http(s)://HOST[:PORT][/PATH][?QUERY], got \"h:8086/write\"", "url", 0 },
	{ "no host", {}, "http:///write",
	  "expected http(s)://HOST[:PORT][/PATH][?QUERY], got \"http:///write\"", "url", 0 },
	{ "a fragment", {}, "http://h/write?db=a#x",
	  "expected http(s)://HOST[:PORT][/PATH][?QUERY], got \"http://h/write?db=a#x\"", "url", 0 },
	{ "precision s", {}, "http://h/write?db=a&precision=s",
	  "expected precision=ns or none (timestamps are in ns), got \"precision=s\"", "url", 0 },
	{ "db twice", { .db = "a" }, "http://h/write?db=b",
	  "expected one db, got \"a\" here and db=b in the URL", "db", 0 },
	{ "db twice, the same", { .db = "my db" }, "http://h/write?db=my%20db",
	  "http://h/write?db=my%20db&precision=ns", NULL, 1 },
	{ "bucket twice", { .org = "o", .bucket = "a b", .token = "t" },
	  "http://h/api/v2/write?bucket=a+b", "expected one bucket, got \"a b\" here and "
	  "bucket=a+b in the URL", "bucket", 0 },
	{ "2.x without org", { .bucket = "b", .token = "t" }, "http://h/api/v2/write",
	  "expected the organization for InfluxDB 2.x (here or org= in the URL)", "org", 0 },
	{ "2.x without bucket", { .org = "o", .token = "t" }, "http://h/api/v2/write",
	  "expected the bucket for InfluxDB 2.x (here or bucket= in the URL)", "bucket", 0 },
	{ "2.x without token", { .org = "o", .bucket = "b" }, "http://h/api/v2/write",
	  "expected a file with the token for InfluxDB 2.x", "token_file", 0 },
	{ "2.x with a user", { .org = "o", .bucket = "b", .token = "t", .user = "u" },
	  "http://h/api/v2/write", "expected only with InfluxDB 1.x, got it for 2.x (version 2)",
	  "user", 0 },
	{ "1.x with a token", { .token_file = "/t", .token = "t" }, "http://h/write",
	  "expected only with InfluxDB 2.x, got it for 1.x (version 1)", "token_file", 0 },
	{ "version 2 without URL yet, with db", { .version = 2, .db = "a" }, NULL,
	  "expected only with InfluxDB 1.x, got it for 2.x (version 2)", "db", 0 },
};

START_TEST(test_url)
{
	const struct url_row *r = &url_rows[_i];
	char err[512] = "", *url = (char *)"unset";
	const char *key = NULL;
	int v = -1, e;

	e = influx_url(&r->c, r->arg, &url, &v, &key, err, sizeof(err));
	if (r->key) {
		ck_assert_msg(e == -EINVAL, "%s: %d", r->name, e);
		ck_assert_msg(!strcmp(key, r->key), "%s: key %s", r->name, key);
		ck_assert_msg(!strcmp(err, r->want), "%s: %s", r->name, err);
		ck_assert_ptr_null(url);
		return;
	}
	ck_assert_msg(e == 0, "%s: %d %s %s", r->name, e, key, err);
	ck_assert_msg(!strcmp(url, r->want), "%s: %s", r->name, url);
	ck_assert_msg(v == r->version, "%s: version %d", r->name, v);
	free(url);
}
END_TEST

START_TEST(test_url_none)
{
	struct xs_influx_cfg c = { .org = "o" };	/* --influx may come later */
	char err[64], *url = (char *)"unset";
	const char *key;
	int v = -1;

	ck_assert_int_eq(influx_url(&c, NULL, &url, &v, &key, err, sizeof(err)), 0);
	ck_assert_ptr_null(url);
	ck_assert_int_eq(v, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("influx");
	TCase *tc = tcase_create("influx");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_range_line);
	tcase_add_test(tc, test_agent_tag);
	tcase_add_test(tc, test_ifindex_tag);
	tcase_add_test(tc, test_alert_line);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_buffer_bound);
	tcase_add_loop_test(tc, test_url, 0, sizeof(url_rows) / sizeof(url_rows[0]));
	tcase_add_test(tc, test_url_none);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
