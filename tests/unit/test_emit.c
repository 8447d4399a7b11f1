// SPDX-License-Identifier: GPL-2.0
/*
 * emit: every record is parsed back with jansson and checked field by
 * field (name, order, JSON type, value); the output is checked for whole
 * lines on a file, across logrotate, on stdout and pipes, over RLIMIT_FSIZE
 * and on a full tmpfs (root only, skipped otherwise).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "emit.h"
#include "sink_file.h"
#include "hook.h"
#include "rules.h"

/* Made in main() before the runner forks, removed there whatever happened. */
static char scratch[] = "/tmp/xs_test_emit.XXXXXX";
static char tmpfs_dir[sizeof(scratch) + 16];

static const struct xs_rec_meta meta_1s = {
	.host = "edge1",
	.ifname = "eth0",
	.ts = { .tv_sec = 1795600801, .tv_nsec = 0 },	/* 2026-11-25T10:00:01Z */
	.interval_s = 1.0,
};

/* Distinct values everywhere, so a swapped field shows. */
static const struct xs_counters sample = {
	.tcp = { .pkts = 1000, .bytes = 900000 },
	.udp = { .pkts = 150, .bytes = 45000 },
	.icmp = { .pkts = 50, .bytes = 5000 },
	.other = { .pkts = 3, .bytes = 702 },
	.syn = 12,
	.synack = 11,
	.rst = 1,
	.fin = 9,
	.frags = 7,
	.le64 = 101,
	.le128 = 302,
	.le256 = 203,
	.le512 = 104,
	.le1024 = 105,
	.le1518 = 386,
	.gt1518 = 2,
};

#define SAMPLE_PKTS 1203
#define SAMPLE_BYTES 950702

static const char *const range_keys[] = {
	"schema", "type", "ts", "host", "ifname", "interval_s", "range", "dir", "pkts", "bytes",
	"pps", "bps", "proto", "tcp_flags", "frags", "size_hist", NULL,
};
static const char *const summary_keys[] = {
	"schema", "type", "ts", "host", "ifname", "interval_s", "pkts", "bytes", "pps", "bps",
	"ipv4", "ipv6", "non_ip", "malformed", "unmatched", "dir", "errors", "missed", "ranges",
	"ranges_active", "drain_ms", "gap_s", "programs", "kernel_mem", "influx", "sinks", NULL,
};
static const char *const summary_keys_no_gap[] = {
	"schema", "type", "ts", "host", "ifname", "interval_s", "pkts", "bytes", "pps", "bps",
	"ipv4", "ipv6", "non_ip", "malformed", "unmatched", "dir", "errors", "missed", "ranges",
	"ranges_active", "drain_ms", "programs", "kernel_mem", NULL,
};
static const char *const pair_keys[] = { "pkts", "bytes", NULL };
static const char *const proto_keys[] = { "tcp", "udp", "icmp", "other", NULL };
static const char *const flag_keys[] = { "syn", "synack", "rst", "fin", NULL };
static const char *const hist_keys[] = {
	"le64", "le128", "le256", "le512", "le1024", "le1518", "gt1518", NULL,
};
static const char *const unmatched_keys[] = { "pkts", "bytes", "proto", NULL };
static const char *const dir_keys[] = { "in", "out", NULL };
static const char *const error_keys[] = {
	"eth", "vlan", "ipv4", "ipv6", "ipv6_ext", "tcp", "udp", "icmp", "vlan_deep", NULL,
};
static const char *const missed_keys[] = {
	"lookup_fail", "drains_late", "records_dropped", NULL,
};
static const char *const prog_keys_ns[] = { "hook", "mode", "id", "ns_per_pkt", "runs", NULL };
static const char *const prog_keys[] = { "hook", "mode", "id", NULL };

/* One emitted line: exactly one newline, at the end, and valid JSON. */
static json_t *parse_line(const char *line)
{
	json_error_t jerr;
	json_t *j;
	size_t n;

	ck_assert_msg(line != NULL, "emit returned NULL (errno %d)", errno);
	n = strlen(line);
	ck_assert_msg(n >= 2 && line[n - 1] == '\n', "line ends in a newline: %s", line);
	ck_assert_msg(!memchr(line, '\n', n - 1), "no newline before the end: %s", line);
	j = json_loads(line, 0, &jerr);
	ck_assert_msg(j != NULL, "parse: %s: %s", jerr.text, line);
	ck_assert_msg(json_is_object(j), "record is an object");
	return j;
}

/* "a.b.c" -> root["a"]["b"]["c"]; programs[i] is looked up by the caller. */
static json_t *get(json_t *root, const char *path)
{
	char buf[128], *save, *part;
	json_t *v = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (part = strtok_r(buf, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
		v = json_object_get(v, part);
		ck_assert_msg(v != NULL, "%s: missing", path);
	}
	return v;
}

/* Names, order and count: nothing missing, nothing extra. */
static void expect_keys(json_t *o, const char *where, const char *const *keys)
{
	const char *key;
	json_t *v;
	size_t i = 0;

	ck_assert_msg(json_is_object(o), "%s: an object", where);
	json_object_foreach(o, key, v) {
		ck_assert_msg(keys[i] != NULL, "%s: unexpected key \"%s\"", where, key);
		ck_assert_msg(!strcmp(key, keys[i]), "%s: key %zu is \"%s\", expected \"%s\"",
			      where, i, key, keys[i]);
		i++;
	}
	ck_assert_msg(keys[i] == NULL, "%s: key \"%s\" missing", where, keys[i]);
}

static void expect_int(json_t *root, const char *path, long long want)
{
	json_t *v = get(root, path);

	ck_assert_msg(json_is_integer(v), "%s: a JSON integer (type %d)", path, json_typeof(v));
	ck_assert_msg(json_integer_value(v) == want, "%s: %lld, expected %lld", path,
		      (long long)json_integer_value(v), want);
}

static void expect_real(json_t *root, const char *path, double want)
{
	json_t *v = get(root, path);
	double got;

	ck_assert_msg(json_is_real(v), "%s: a JSON real (type %d)", path, json_typeof(v));
	got = json_real_value(v);
	ck_assert_msg(fabs(got - want) <= 1e-9 * fmax(1.0, fabs(want)), "%s: %.17g, expected %.17g",
		      path, got, want);
}

static void expect_str(json_t *root, const char *path, const char *want)
{
	json_t *v = get(root, path);

	ck_assert_msg(json_is_string(v), "%s: a JSON string", path);
	ck_assert_msg(!strcmp(json_string_value(v), want), "%s: \"%s\", expected \"%s\"", path,
		      json_string_value(v), want);
}

static void expect_pair(json_t *root, const char *path, long long pkts, long long bytes)
{
	char p[128];

	expect_keys(get(root, path), path, pair_keys);
	snprintf(p, sizeof(p), "%s.pkts", path);
	expect_int(root, p, pkts);
	snprintf(p, sizeof(p), "%s.bytes", path);
	expect_int(root, p, bytes);
}

/* The proto object of `c` under `path` ("proto" or "unmatched.proto"). */
static void expect_proto(json_t *root, const char *path, const struct xs_counters *c)
{
	const struct xs_class *cls = &c->tcp;
	char p[128];
	int i;

	expect_keys(get(root, path), path, proto_keys);
	for (i = 0; i < XS_L4_MAX; i++) {
		snprintf(p, sizeof(p), "%s.%s", path, proto_keys[i]);
		expect_pair(root, p, cls[i].pkts, cls[i].bytes);
	}
}

static void expect_head(json_t *r, const char *type, const struct xs_rec_meta *m)
{
	char ts[XS_TS_LEN];

	format_rfc3339_ms(&m->ts, ts, sizeof(ts));
	expect_int(r, "schema", XS_SCHEMA);
	expect_str(r, "type", type);
	expect_str(r, "ts", ts);
	expect_str(r, "host", m->host);
	expect_str(r, "ifname", m->ifname);
	expect_real(r, "interval_s", m->interval_s);
}

START_TEST(test_range_fields)
{
	char *line = emit_range(&meta_1s, "customer-a", XS_DIR_IN, &sample);
	json_t *r = parse_line(line);

	expect_keys(r, "range", range_keys);
	expect_head(r, "range", &meta_1s);
	expect_str(r, "ts", "2026-11-25T10:00:01.000Z");
	expect_str(r, "range", "customer-a");
	expect_str(r, "dir", "in");
	expect_int(r, "pkts", SAMPLE_PKTS);
	expect_int(r, "bytes", SAMPLE_BYTES);
	expect_real(r, "pps", SAMPLE_PKTS);
	expect_real(r, "bps", SAMPLE_BYTES * 8.0);
	expect_proto(r, "proto", &sample);
	expect_pair(r, "proto.other", 3, 702);
	expect_keys(get(r, "tcp_flags"), "tcp_flags", flag_keys);
	expect_int(r, "tcp_flags.syn", 12);
	expect_int(r, "tcp_flags.synack", 11);
	expect_int(r, "tcp_flags.rst", 1);
	expect_int(r, "tcp_flags.fin", 9);
	expect_int(r, "frags", 7);
	expect_keys(get(r, "size_hist"), "size_hist", hist_keys);
	expect_int(r, "size_hist.le64", 101);
	expect_int(r, "size_hist.le128", 302);
	expect_int(r, "size_hist.le256", 203);
	expect_int(r, "size_hist.le512", 104);
	expect_int(r, "size_hist.le1024", 105);
	expect_int(r, "size_hist.le1518", 386);
	expect_int(r, "size_hist.gt1518", 2);
	json_decref(r);
	free(line);
}
END_TEST

/* DESIGN.md's example record, minus the sketch fields emit does not own. */
START_TEST(test_range_design_example)
{
	static const struct xs_counters c = {
		.tcp = { 1000, 900000 }, .udp = { 150, 45000 }, .icmp = { 50, 5000 },
		.syn = 12, .synack = 11, .rst = 1, .fin = 9,
		.le64 = 100, .le128 = 300, .le256 = 200, .le512 = 100, .le1024 = 100, .le1518 = 400,
	};
	static const char want[] =
		"{\"schema\":1,\"type\":\"range\",\"ts\":\"2026-11-25T10:00:01.000Z\","
		"\"host\":\"edge1\",\"ifname\":\"eth0\",\"interval_s\":1.0,"
		"\"range\":\"customer-a\",\"dir\":\"in\",\"pkts\":1200,\"bytes\":950000,"
		"\"pps\":1200.0,\"bps\":7600000.0,"
		"\"proto\":{\"tcp\":{\"pkts\":1000,\"bytes\":900000},\"udp\":{\"pkts\":150,"
		"\"bytes\":45000},\"icmp\":{\"pkts\":50,\"bytes\":5000},"
		"\"other\":{\"pkts\":0,\"bytes\":0}},"
		"\"tcp_flags\":{\"syn\":12,\"synack\":11,\"rst\":1,\"fin\":9},\"frags\":0,"
		"\"size_hist\":{\"le64\":100,\"le128\":300,\"le256\":200,\"le512\":100,"
		"\"le1024\":100,\"le1518\":400,\"gt1518\":0}}\n";
	char *line = emit_range(&meta_1s, "customer-a", XS_DIR_IN, &c);

	ck_assert_ptr_nonnull(line);
	ck_assert_str_eq(line, want);
	free(line);
}
END_TEST

/* collect's views: the agent, and for ifindex views the input ifIndex
 * (null when the samples named none); run and replay have neither key. */
START_TEST(test_range_view)
{
	struct xs_rec_meta m = meta_1s;
	char *line;
	json_t *r;

	m.agent = "198.18.0.1";
	m.has_ifindex = 1;
	m.ifindex = 7;
	line = emit_range(&m, "a", XS_DIR_IN, &sample);
	r = parse_line(line);
	ck_assert_str_eq(json_string_value(json_object_get(r, "agent")), "198.18.0.1");
	expect_int(r, "ifindex", 7);
	json_decref(r);
	free(line);
	m.has_ifindex = 2;
	line = emit_range(&m, "a", XS_DIR_IN, &sample);
	r = parse_line(line);
	ck_assert(json_is_null(json_object_get(r, "ifindex")));
	json_decref(r);
	free(line);
	line = emit_range(&meta_1s, "a", XS_DIR_IN, &sample);
	r = parse_line(line);
	ck_assert_ptr_null(json_object_get(r, "agent"));
	ck_assert_ptr_null(json_object_get(r, "ifindex"));
	json_decref(r);
	free(line);
}
END_TEST

/* Mitigation on: what passed and what was blocked, of the range's pkts;
 * off, neither key (the records stay as they were). */
START_TEST(test_range_mitigation)
{
	struct xs_rec_meta m = meta_1s;
	struct xs_counters c = {
		.tcp = { 10, 1000 }, .udp = { 990, 99000 }, .blocked_pkts = 900,
		.blocked_bytes = 90000, .share = 12345,
	};
	char *line;
	json_t *r;

	m.mitigation = 1;
	line = emit_range(&m, "victims", XS_DIR_IN, &c);
	r = parse_line(line);
	expect_int(r, "pkts", 1000);
	expect_int(r, "passed.pkts", 100);
	expect_int(r, "passed.bytes", 10000);
	expect_int(r, "blocked.pkts", 900);
	expect_int(r, "blocked.bytes", 90000);
	json_decref(r);
	free(line);
	line = emit_range(&meta_1s, "victims", XS_DIR_IN, &c);
	r = parse_line(line);
	ck_assert_ptr_null(json_object_get(r, "passed"));
	ck_assert_ptr_null(json_object_get(r, "blocked"));
	json_decref(r);
	free(line);
}
END_TEST

START_TEST(test_range_dir)
{
	char *line = emit_range(&meta_1s, "customer-b", XS_DIR_OUT, &sample);
	json_t *r = parse_line(line);

	expect_str(r, "dir", "out");
	expect_str(r, "range", "customer-b");
	json_decref(r);
	free(line);

	errno = 0;
	ck_assert_msg(emit_range(&meta_1s, "x", XS_DIR_MAX, &sample) == NULL, "dir 2 refused");
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_msg(emit_range(&meta_1s, "x", -1, &sample) == NULL, "dir -1 refused");
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* Escapes keep the record on one line; a non-UTF-8 name costs only its bytes. */
START_TEST(test_range_strings)
{
	struct xs_rec_meta m = meta_1s;
	char *line;
	json_t *r;

	m.host = "edge\n\"1\"\t";
	m.ifname = NULL;
	line = emit_range(&m, "r\xe9sum\xe9", XS_DIR_IN, &sample);
	r = parse_line(line);
	expect_str(r, "host", "edge\n\"1\"\t");
	expect_str(r, "ifname", "");
	expect_str(r, "range", "r?sum?");
	json_decref(r);
	free(line);

	line = emit_range(&meta_1s, "caf\xc3\xa9", XS_DIR_IN, &sample);
	r = parse_line(line);
	expect_str(r, "range", "caf\xc3\xa9");
	json_decref(r);
	free(line);
}
END_TEST

#define TS_SEC_MAX_PLUS_1 253402300800LL

static const struct {
	long long sec;
	long nsec;
	const char *want;
} ts_rows[] = {
	{ 0, 0, "1970-01-01T00:00:00.000Z" },
	{ 1795600801, 0, "2026-11-25T10:00:01.000Z" },
	{ 1795600801, 999999999, "2026-11-25T10:00:01.999Z" },	/* truncated, not rounded */
	{ 1795600801, 1999999, "2026-11-25T10:00:01.001Z" },
	{ 1795600801, 999999, "2026-11-25T10:00:01.000Z" },
	{ 951782400, 123456789, "2000-02-29T00:00:00.123Z" },
	{ 2147483647, 0, "2038-01-19T03:14:07.000Z" },
	{ 2147483648LL, 500000000, "2038-01-19T03:14:08.500Z" },
	{ 4102444800LL, 10000000, "2100-01-01T00:00:00.010Z" },
	{ 10, 1500000000, "1970-01-01T00:00:11.500Z" },		/* nsec carried */
	{ 10, -1, "1970-01-01T00:00:09.999Z" },
	{ -1, 0, "1969-12-31T23:59:59.000Z" },
	{ 253402300799LL, 999999999, "9999-12-31T23:59:59.999Z" },
	{ 253402300800LL, 0, "9999-12-31T23:59:59.999Z" },	/* clamped */
	{ 1000000000000000000LL, 0, "9999-12-31T23:59:59.999Z" },
	{ -62167219200LL, 0, "0000-01-01T00:00:00.000Z" },
	{ -62167219201LL, 999999999, "0000-01-01T00:00:00.000Z" },
	{ LLONG_MAX, LONG_MAX, "9999-12-31T23:59:59.999Z" },
	{ LLONG_MIN, LONG_MIN, "0000-01-01T00:00:00.000Z" },
	{ TS_SEC_MAX_PLUS_1 - 5, 5000000000L, "9999-12-31T23:59:59.999Z" },	/* carried over */
};

START_TEST(test_ts)
{
	struct timespec ts = { .tv_sec = ts_rows[_i].sec, .tv_nsec = ts_rows[_i].nsec };
	struct xs_rec_meta m = meta_1s;
	char buf[XS_TS_LEN];
	char *line;
	json_t *r;

	format_rfc3339_ms(&ts, buf, sizeof(buf));
	ck_assert_msg(!strcmp(buf, ts_rows[_i].want), "row %d (%lld, %ld): \"%s\", expected \"%s\"",
		      _i, ts_rows[_i].sec, ts_rows[_i].nsec, buf, ts_rows[_i].want);

	m.ts = ts;
	line = emit_range(&m, "a", XS_DIR_IN, &sample);
	r = parse_line(line);
	expect_str(r, "ts", ts_rows[_i].want);
	json_decref(r);
	free(line);
}
END_TEST

START_TEST(test_ts_short_buffer)
{
	struct timespec ts = { .tv_sec = 0 };
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	format_rfc3339_ms(&ts, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1970-01");
	format_rfc3339_ms(&ts, buf, 0);
	ck_assert_str_eq(buf, "1970-01");
}
END_TEST

static const struct {
	double interval_s;
	double interval_out;	/* interval_s as emitted */
	double pps;
	double bps;
} rate_rows[] = {
	{ 1.0, 1.0, SAMPLE_PKTS, SAMPLE_BYTES * 8.0 },
	{ 0.5, 0.5, SAMPLE_PKTS * 2.0, SAMPLE_BYTES * 16.0 },
	{ 2.0, 2.0, SAMPLE_PKTS / 2.0, SAMPLE_BYTES * 4.0 },
	{ 0.0, 0.0, 0.0, 0.0 },
	{ -1.0, -1.0, 0.0, 0.0 },
	{ NAN, 0.0, 0.0, 0.0 },
	{ INFINITY, 0.0, 0.0, 0.0 },
	{ 5e-324, 5e-324, 0.0, 0.0 },		/* quotient overflows to inf */
};

START_TEST(test_rates)
{
	struct xs_rec_meta m = meta_1s;
	char *line;
	json_t *r;

	m.interval_s = rate_rows[_i].interval_s;
	line = emit_range(&m, "a", XS_DIR_IN, &sample);
	r = parse_line(line);
	expect_real(r, "interval_s", rate_rows[_i].interval_out);
	expect_real(r, "pps", rate_rows[_i].pps);
	expect_real(r, "bps", rate_rows[_i].bps);
	expect_int(r, "pkts", SAMPLE_PKTS);
	json_decref(r);
	free(line);
}
END_TEST

/* Short intervals print as written, not as their nearest binary double. */
START_TEST(test_real_text)
{
	struct xs_rec_meta m = meta_1s;
	char *line;

	m.interval_s = 0.1;
	line = emit_range(&m, "a", XS_DIR_IN, &sample);
	ck_assert_ptr_nonnull(line);
	ck_assert_msg(strstr(line, "\"interval_s\":0.1,") != NULL, "interval 0.1: %s", line);
	ck_assert_msg(strstr(line, "\"pps\":12030.0,") != NULL, "pps 12030.0: %s", line);
	free(line);
}
END_TEST

/* Above INT64_MAX (a wrapped delta) a counter reads INT64_MAX, never negative. */
START_TEST(test_large_u64)
{
	const uint64_t over = (uint64_t)INT64_MAX + 1;
	struct xs_counters c = {
		/* Sums that would wrap to 5 and 9: they saturate instead. */
		.tcp = { .pkts = UINT64_MAX, .bytes = over },
		.udp = { .pkts = 5, .bytes = INT64_MAX },
		.icmp = { .pkts = 1, .bytes = 7 },
		.other = { .pkts = 0, .bytes = 3 },
		.syn = INT64_MAX,
		.synack = over,
		.rst = UINT64_MAX,
		.fin = (uint64_t)INT64_MAX - 1,
		.le64 = over + 12345,
	};
	char *line = emit_range(&meta_1s, "a", XS_DIR_IN, &c);
	json_t *r = parse_line(line);

	ck_assert_msg(!strstr(line, ":-"), "no negative number: %s", line);
	expect_int(r, "pkts", INT64_MAX);
	expect_int(r, "bytes", INT64_MAX);
	expect_real(r, "pps", (double)INT64_MAX);
	expect_real(r, "bps", (double)INT64_MAX * 8.0);
	expect_pair(r, "proto.tcp", INT64_MAX, INT64_MAX);
	expect_pair(r, "proto.udp", 5, INT64_MAX);
	expect_pair(r, "proto.icmp", 1, 7);
	expect_pair(r, "proto.other", 0, 3);
	expect_int(r, "tcp_flags.syn", INT64_MAX);
	expect_int(r, "tcp_flags.synack", INT64_MAX);
	expect_int(r, "tcp_flags.rst", INT64_MAX);
	expect_int(r, "tcp_flags.fin", INT64_MAX - 1);
	expect_int(r, "size_hist.le64", INT64_MAX);
	json_decref(r);
	free(line);
}
END_TEST

static struct xs_summary sample_summary(void)
{
	struct xs_summary s = {
		.g = {
			.pkts = 5000, .bytes = 4000000,
			.ipv4_pkts = 3900, .ipv6_pkts = 1000,
			.non_ip_pkts = 60, .non_ip_bytes = 3600,
			.malformed_pkts = 40, .malformed_bytes = 2400,
			.err_eth = 2, .err_vlan = 3, .err_ipv4 = 5, .err_ipv6 = 7,
			.err_ipv6_ext = 11, .err_tcp = 13, .err_udp = 17, .err_icmp = 19,
			.vlan_deep = 23, .lookup_fail = 29,
		},
		.unmatched = {
			.tcp = { 31, 3100 }, .udp = { 37, 3700 },
			.icmp = { 41, 4100 }, .other = { 43, 4300 },
			.syn = 1, .frags = 2, .le64 = 3,
		},
		.in_pkts = 2500, .in_bytes = 2000000,
		.out_pkts = 1400, .out_bytes = 1100000,
		.ranges = 1000, .ranges_active = 47,
		.drain_ms = 3.25, .drains_late = 53,
		/* What each sink reported; the file's "dropped" is also
		 * missed.records_dropped, InfluxDB's also "influx". */
		.sinks = {
			{ .name = "file", .n = 2,
			  .st = { { "written", 61, 0 }, { "dropped", 59, 0 } } },
			{ .name = "influx", .n = 4,
			  .st = { { "sent", 67, 0 }, { "dropped", 71, 0 }, { "failed", 73, 0 },
				  { "pending", 79, 0 } } },
		},
		.nsinks = 2,
		.gap_s = 12.5,
		.progs = {
			{ .hook = "xdp", .mode = "native", .prog_id = 101, .has_ns = 1,
			  .ns_per_pkt = 42.5, .run_cnt = 3900 },
			{ .hook = "tc", .mode = "egress", .prog_id = 4000000000U, .has_ns = 1,
			  .ns_per_pkt = 55.25, .run_cnt = 1100 },
		},
		.nprogs = 2,
		.kernel_mem = 123456789,
	};
	return s;
}

START_TEST(test_summary_full)
{
	struct xs_summary s = sample_summary();
	struct xs_rec_meta m = meta_1s;
	json_t *r, *progs;
	char *line;

	m.interval_s = 2.0;
	line = emit_summary(&m, &s);
	r = parse_line(line);
	expect_keys(r, "summary", summary_keys);
	expect_head(r, "summary", &m);
	expect_int(r, "pkts", 5000);
	expect_int(r, "bytes", 4000000);
	expect_real(r, "pps", 2500.0);
	expect_real(r, "bps", 16000000.0);
	expect_int(r, "ipv4", 3900);
	expect_int(r, "ipv6", 1000);
	expect_pair(r, "non_ip", 60, 3600);
	expect_pair(r, "malformed", 40, 2400);
	expect_keys(get(r, "unmatched"), "unmatched", unmatched_keys);
	expect_int(r, "unmatched.pkts", 31 + 37 + 41 + 43);
	expect_int(r, "unmatched.bytes", 3100 + 3700 + 4100 + 4300);
	expect_proto(r, "unmatched.proto", &s.unmatched);
	expect_keys(get(r, "dir"), "dir", dir_keys);
	expect_pair(r, "dir.in", 2500, 2000000);
	expect_pair(r, "dir.out", 1400, 1100000);
	expect_keys(get(r, "errors"), "errors", error_keys);
	expect_int(r, "errors.eth", 2);
	expect_int(r, "errors.vlan", 3);
	expect_int(r, "errors.ipv4", 5);
	expect_int(r, "errors.ipv6", 7);
	expect_int(r, "errors.ipv6_ext", 11);
	expect_int(r, "errors.tcp", 13);
	expect_int(r, "errors.udp", 17);
	expect_int(r, "errors.icmp", 19);
	expect_int(r, "errors.vlan_deep", 23);
	expect_keys(get(r, "missed"), "missed", missed_keys);
	expect_int(r, "missed.lookup_fail", 29);
	expect_int(r, "missed.drains_late", 53);
	expect_int(r, "missed.records_dropped", 59);
	expect_int(r, "sinks.file.written", 61);
	expect_int(r, "sinks.file.dropped", 59);
	expect_int(r, "sinks.influx.sent", 67);
	expect_int(r, "sinks.influx.failed", 73);
	expect_int(r, "influx.sent", 67);
	expect_int(r, "influx.dropped", 71);
	expect_int(r, "influx.failed_posts", 73);
	expect_int(r, "influx.pending", 79);
	ck_assert_uint_eq(json_object_size(get(r, "sinks")), 2);
	expect_int(r, "ranges", 1000);
	expect_int(r, "ranges_active", 47);
	expect_real(r, "drain_ms", 3.25);
	expect_real(r, "gap_s", 12.5);
	expect_int(r, "kernel_mem", 123456789);

	progs = get(r, "programs");
	ck_assert_msg(json_is_array(progs) && json_array_size(progs) == 2, "programs: 2 entries");
	expect_keys(json_array_get(progs, 0), "programs[0]", prog_keys_ns);
	expect_str(json_array_get(progs, 0), "hook", "xdp");
	expect_str(json_array_get(progs, 0), "mode", "native");
	expect_int(json_array_get(progs, 0), "id", 101);
	expect_real(json_array_get(progs, 0), "ns_per_pkt", 42.5);
	expect_int(json_array_get(progs, 0), "runs", 3900);
	expect_keys(json_array_get(progs, 1), "programs[1]", prog_keys_ns);
	expect_str(json_array_get(progs, 1), "hook", "tc");
	expect_str(json_array_get(progs, 1), "mode", "egress");
	expect_int(json_array_get(progs, 1), "id", 4000000000LL);
	expect_real(json_array_get(progs, 1), "ns_per_pkt", 55.25);
	expect_int(json_array_get(progs, 1), "runs", 1100);
	json_decref(r);
	free(line);
}
END_TEST

/* An alert record, field by field, and the summary's alerts object. */
START_TEST(test_alert_record)
{
	static const char *const alert_keys[] = {
		"schema", "type", "ts", "host", "ifname", "interval_s", "id", "rule", "range",
		"dir", "state", "metric", "value", "threshold", "severity", "attack", "since",
		"duration_s", "peak", "pkts", "bytes", "and", "top_src", "top_dport", NULL,
	};
	static const char *const end_keys[] = {
		"schema", "type", "ts", "host", "ifname", "interval_s", "id", "rule", "range",
		"dir", "state", "metric", "value", "threshold", "baseline", "severity", "attack",
		"since", "duration_s", "peak", "pkts", "bytes", "reason", NULL,
	};
	struct xs_cond and1 = { .m = { XS_M_UNIQ_SRC, -1 } };
	struct xs_rule rule = { .name = "syn-flood", .cond = { .m = { XS_M_SYN_PPS, -1 } },
				.and_conds = &and1, .nand = 1 };
	struct xs_sk_layout l = { .dim_pos = { 0, -1, 1, -1, -1 } };
	struct xs_sk_result sk = { .ntop = { 3, 0, 1, 0 } };
	struct xs_metrics mt = { .l = &l, .sk = &sk };
	struct xs_alert a = {
		.state = XS_ALERT_START, .rule = &rule, .range = "customer-a", .dir = XS_DIR_IN,
		.id = "00112233aabbccdd", .value = 25000, .threshold = 10000, .severity = 2.5,
		.since = 1795600799.5, .duration_s = 1.5, .peak = 25000, .pkts = 30000,
		.bytes = 1800000, .attack = "syn_flood", .nand = 1, .and_value = { 20000 },
		.and_threshold = { 100 }, .m = &mt,
	};
	struct xs_summary s = { 0 };
	/* The hook sink's statistics (sink_hook.c): also alerts.hooks. */
	const struct xs_sink_view hs = {
		.name = "hook", .n = 6,
		.st = { { "started", 2, 0 }, { "ok", 1, 0 }, { "failed", 1, 0 }, { "timeout", 0, 0 },
			{ "skipped", 0, 0 }, { "last_status", (uint64_t)(int64_t)-3, 1 } },
	};
	json_t *r, *e;
	char *line;
	int i;

	for (i = 0; i < 3; i++) {
		sk.top[XS_DIM_SRC][i].key[10] = 0xff;
		sk.top[XS_DIM_SRC][i].key[11] = 0xff;
		sk.top[XS_DIM_SRC][i].key[12] = 198;
		sk.top[XS_DIM_SRC][i].key[13] = 18;
		sk.top[XS_DIM_SRC][i].key[15] = i + 1;
		sk.top[XS_DIM_SRC][i].pkts = 100 - i;
	}
	memcpy(sk.top[XS_DIM_DPORT][0].key, &(uint16_t){ 80 }, 2);
	sk.top[XS_DIM_DPORT][0].pkts = 30000;
	line = emit_alert(&meta_1s, &a, 2);
	r = parse_line(line);
	expect_keys(r, "alert", alert_keys);
	expect_head(r, "alert", &meta_1s);
	expect_str(r, "id", "00112233aabbccdd");
	expect_str(r, "rule", "syn-flood");
	expect_str(r, "range", "customer-a");
	expect_str(r, "dir", "in");
	expect_str(r, "state", "start");
	expect_str(r, "metric", "syn_pps");
	expect_real(r, "value", 25000);
	expect_real(r, "threshold", 10000);
	expect_real(r, "severity", 2.5);
	expect_str(r, "attack", "syn_flood");
	expect_str(r, "since", "2026-11-25T09:59:59.500Z");
	expect_real(r, "duration_s", 1.5);
	expect_int(r, "pkts", 30000);
	e = json_array_get(get(r, "and"), 0);
	expect_str(e, "metric", "uniq_src");
	expect_real(e, "value", 20000);
	expect_real(e, "threshold", 100);
	ck_assert_uint_eq(json_array_size(get(r, "top_src")), 2);	/* top_n */
	expect_str(json_array_get(get(r, "top_src"), 0), "addr", "198.18.0.1");
	expect_int(json_array_get(get(r, "top_dport"), 0), "port", 80);
	json_decref(r);
	free(line);

	/* The end of a baseline rule at a stop: no figures of the moment. */
	rule.has_baseline = 1;
	a.state = XS_ALERT_END;
	a.has_baseline = 1;
	a.mean = 1000;
	a.dev = 50;
	a.reason = "stopped";
	a.m = NULL;
	a.nand = 0;
	line = emit_alert(&meta_1s, &a, 2);
	r = parse_line(line);
	expect_keys(r, "alert", end_keys);
	expect_str(r, "state", "end");
	expect_str(r, "reason", "stopped");
	expect_real(r, "baseline.mean", 1000);
	expect_real(r, "baseline.dev", 50);
	json_decref(r);
	free(line);
	a.dir = 7;
	ck_assert_ptr_null(emit_alert(&meta_1s, &a, 2));

	s.rules_on = 1;
	s.alerts.active = 1;
	s.alerts.started = 4;
	s.alerts.ended = 3;
	s.sinks[0] = hs;
	s.nsinks = 1;
	line = emit_summary(&meta_1s, &s);
	r = parse_line(line);
	expect_int(r, "alerts.active", 1);
	expect_int(r, "alerts.started", 4);
	expect_int(r, "alerts.ended", 3);
	expect_int(r, "alerts.hooks.started", 2);
	expect_int(r, "alerts.hooks.ok", 1);
	expect_int(r, "alerts.hooks.failed", 1);
	expect_int(r, "alerts.hooks.timeout", 0);
	expect_int(r, "alerts.hooks.skipped", 0);
	expect_int(r, "alerts.hooks.last_status", -3);
	expect_int(r, "sinks.hook.started", 2);
	json_decref(r);
	free(line);
}
END_TEST

/* No bpf_stats, no gap, a degenerate interval: optional fields stay out. */
START_TEST(test_summary_minimal)
{
	struct xs_summary s = { 0 };
	struct xs_rec_meta m = meta_1s;
	json_t *r, *progs;
	char *line;

	s.progs[0] = (struct xs_prog_stat){ .hook = "xdp", .mode = "generic", .prog_id = 7,
					    .ns_per_pkt = 99.0, .run_cnt = 5 };
	s.nprogs = 1;
	s.g.pkts = 10;
	s.g.bytes = 1000;
	m.interval_s = 0.0;
	line = emit_summary(&m, &s);
	r = parse_line(line);
	expect_keys(r, "summary", summary_keys_no_gap);
	expect_int(r, "pkts", 10);
	expect_int(r, "bytes", 1000);
	expect_real(r, "pps", 0.0);
	expect_real(r, "bps", 0.0);
	expect_real(r, "interval_s", 0.0);
	expect_pair(r, "unmatched.proto.tcp", 0, 0);
	expect_int(r, "unmatched.pkts", 0);
	expect_int(r, "missed.lookup_fail", 0);
	expect_int(r, "missed.drains_late", 0);
	expect_int(r, "missed.records_dropped", 0);
	expect_real(r, "drain_ms", 0.0);
	expect_int(r, "kernel_mem", 0);
	progs = get(r, "programs");
	ck_assert_msg(json_is_array(progs) && json_array_size(progs) == 1, "programs: 1 entry");
	expect_keys(json_array_get(progs, 0), "programs[0]", prog_keys);
	expect_str(json_array_get(progs, 0), "mode", "generic");
	expect_int(json_array_get(progs, 0), "id", 7);
	json_decref(r);
	free(line);

	s.nprogs = 0;
	s.gap_s = -3.0;
	line = emit_summary(&m, &s);
	r = parse_line(line);
	expect_keys(r, "summary", summary_keys_no_gap);
	progs = get(r, "programs");
	ck_assert_msg(json_is_array(progs) && json_array_size(progs) == 0, "programs: empty");
	json_decref(r);
	free(line);

	s.nprogs = 9;
	line = emit_summary(&m, &s);
	r = parse_line(line);
	ck_assert_msg(json_array_size(get(r, "programs")) == 2, "nprogs clamped to progs[]");
	json_decref(r);
	free(line);
}
END_TEST

static long allocs_left;

static void *failing_malloc(size_t n)
{
	if (allocs_left-- <= 0)
		return NULL;
	return malloc(n);
}

/* Every allocation failing in turn: NULL and ENOMEM, never a partial record
 * or a leak (valgrind), until the budget suffices and the line is whole. */
START_TEST(test_enomem)
{
	struct xs_summary s = sample_summary();
	int range_ok = 0, summary_ok = 0, bad = 0;
	long budget;
	char *line;

	for (budget = 0; budget < 10000 && !(range_ok && summary_ok); budget++) {
		json_set_alloc_funcs(failing_malloc, free);
		allocs_left = budget;
		errno = 0;
		line = emit_range(&meta_1s, "customer-a", XS_DIR_IN, &sample);
		if (line)
			range_ok = 1;
		else if (errno != ENOMEM)
			bad++;
		free(line);
		allocs_left = budget;
		errno = 0;
		line = emit_summary(&meta_1s, &s);
		if (line)
			summary_ok = 1;
		else if (errno != ENOMEM)
			bad++;
		free(line);
	}
	json_set_alloc_funcs(malloc, free);
	ck_assert_int_eq(bad, 0);
	ck_assert_msg(range_ok && summary_ok, "records built once allocations succeed");
	ck_assert_msg(budget > 10, "allocations failed in turn (%ld)", budget);
}
END_TEST

static void scratch_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", scratch, name);
}

/* The whole file, NUL-terminated; *len its size. */
static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);

	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	ck_assert_int_eq(fstat(fd, &st), 0);
	buf = malloc(st.st_size + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_msg(read(fd, buf, st.st_size) == st.st_size, "read %s", path);
	buf[st.st_size] = '\0';
	close(fd);
	*len = st.st_size;
	return buf;
}

static void expect_file(const char *path, const char *want)
{
	size_t len;
	char *got = slurp(path, &len);

	ck_assert_msg(len == strlen(want) && !memcmp(got, want, len), "%s: \"%s\", expected \"%s\"",
		      path, got, want);
	free(got);
}

static int write_str(struct xs_output *o, const char *s)
{
	return output_write(o, s, strlen(s));
}

START_TEST(test_output_file)
{
	struct xs_output o;
	char path[256];
	struct stat st;

	scratch_path(path, sizeof(path), "file.ndjson");
	ck_assert_int_eq(output_open(&o, path), 0);
	ck_assert_int_eq(o.is_file, 1);
	ck_assert_str_eq(o.path, path);
	ck_assert_int_eq(write_str(&o, "{\"n\":1}\n"), 0);
	ck_assert_int_eq(write_str(&o, "{\"n\":2}\n"), 0);
	ck_assert_int_eq(write_str(&o, "{\"n\":3}\n"), 0);
	ck_assert_int_eq(o.written, 3);
	ck_assert_int_eq(o.dropped, 0);
	ck_assert_int_eq(o.last_errno, 0);
	output_close(&o);
	ck_assert_int_eq(o.fd, -1);
	ck_assert_ptr_null(o.path);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);

	/* A restart appends. */
	ck_assert_int_eq(output_open(&o, path), 0);
	ck_assert_int_eq(write_str(&o, "{\"n\":4}\n"), 0);
	output_close(&o);
	expect_file(path, "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n");
}
END_TEST

START_TEST(test_output_open_fail)
{
	struct xs_output o;
	char path[256];

	scratch_path(path, sizeof(path), "no/such/dir.ndjson");
	ck_assert_int_eq(output_open(&o, path), -ENOENT);
	ck_assert_int_eq(o.fd, -1);
	ck_assert_ptr_null(o.path);
	output_close(&o);
}
END_TEST

/* logrotate "create": rename the file, SIGHUP, new lines go to a new file. */
START_TEST(test_output_reopen)
{
	char dir[128], moved[128], path[256], rotated[256];
	struct xs_output o;

	scratch_path(dir, sizeof(dir), "rot");
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/x.ndjson", dir);
	snprintf(rotated, sizeof(rotated), "%s/x.ndjson.1", dir);
	ck_assert_int_eq(output_open(&o, path), 0);
	ck_assert_int_eq(write_str(&o, "a\n"), 0);
	ck_assert_int_eq(rename(path, rotated), 0);
	ck_assert_int_eq(write_str(&o, "b\n"), 0);
	ck_assert_int_eq(output_reopen(&o), 0);
	ck_assert_int_eq(o.is_file, 1);
	ck_assert_int_eq(write_str(&o, "c\n"), 0);
	expect_file(rotated, "a\nb\n");
	expect_file(path, "c\n");

	/* The directory is gone: reopen fails, lines keep going to the old fd. */
	scratch_path(moved, sizeof(moved), "rot.moved");
	ck_assert_int_eq(rename(dir, moved), 0);
	ck_assert_int_eq(output_reopen(&o), -ENOENT);
	ck_assert_int_eq(write_str(&o, "d\n"), 0);
	ck_assert_int_eq(o.written, 4);
	output_close(&o);
	snprintf(path, sizeof(path), "%s/x.ndjson", moved);
	expect_file(path, "c\nd\n");
}
END_TEST

/* NULL path: fd 1, which output_close() leaves open. */
START_TEST(test_output_stdout)
{
	struct xs_output o;
	char buf[64] = "";
	int p[2], saved, rc_open, rc_write, fd1_open;
	ssize_t n;

	ck_assert_int_eq(pipe(p), 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(p[1], STDOUT_FILENO), 0);
	rc_open = output_open(&o, NULL);
	rc_write = write_str(&o, "{\"s\":1}\n");
	output_close(&o);
	fd1_open = fcntl(STDOUT_FILENO, F_GETFD) != -1;
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);

	ck_assert_int_eq(rc_open, 0);
	ck_assert_int_eq(rc_write, 0);
	ck_assert_msg(fd1_open, "output_close() keeps fd 1");
	ck_assert_int_eq(o.is_file, 0);
	ck_assert_int_eq(n, 8);
	ck_assert_str_eq(buf, "{\"s\":1}\n");
}
END_TEST

struct reader {
	int fd;
	size_t want;
	char *buf;
	size_t got;
};

static void *reader_run(void *arg)
{
	struct reader *rd = arg;
	ssize_t n;

	while (rd->got < rd->want) {
		n = read(rd->fd, rd->buf + rd->got, rd->want - rd->got);
		if (n <= 0)
			break;
		rd->got += n;
	}
	return NULL;
}

/*
 * A FIFO whose writer is non-blocking (as stdout may be when a supervisor
 * hands it over): a line larger than the pipe goes out in pieces, whole.
 * With the reader gone the write is dropped with EPIPE.
 */
START_TEST(test_output_pipe)
{
	const size_t big = 300000;
	struct reader rd = { 0 };
	struct xs_output o;
	char path[256], *line;
	pthread_t th;
	int rfd, fl;

	scratch_path(path, sizeof(path), "fifo");
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	rfd = open(path, O_RDONLY | O_NONBLOCK);
	ck_assert_int_ge(rfd, 0);
	ck_assert_int_eq(output_open(&o, path), 0);
	ck_assert_int_eq(o.is_file, 0);
	fl = fcntl(o.fd, F_GETFL);
	ck_assert_int_eq(fcntl(o.fd, F_SETFL, fl | O_NONBLOCK), 0);
	fl = fcntl(rfd, F_GETFL);
	ck_assert_int_eq(fcntl(rfd, F_SETFL, fl & ~O_NONBLOCK), 0);

	line = malloc(big);
	ck_assert_ptr_nonnull(line);
	memset(line, 'p', big - 1);
	line[0] = '{';
	line[big - 1] = '\n';
	rd.fd = rfd;
	rd.want = 4 + big;
	rd.buf = malloc(rd.want);
	ck_assert_ptr_nonnull(rd.buf);

	ck_assert_int_eq(write_str(&o, "1\n"), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, reader_run, &rd), 0);
	ck_assert_int_eq(output_write(&o, line, big), 0);
	ck_assert_int_eq(write_str(&o, "2\n"), 0);
	pthread_join(th, NULL);
	ck_assert_int_eq(rd.got, rd.want);
	ck_assert_msg(!memcmp(rd.buf, "1\n", 2), "first line");
	ck_assert_msg(!memcmp(rd.buf + 2, line, big), "big line whole");
	ck_assert_msg(!memcmp(rd.buf + 2 + big, "2\n", 2), "last line");
	ck_assert_int_eq(o.written, 3);
	ck_assert_int_eq(o.dropped, 0);

	close(rfd);
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(write_str(&o, "3\n"), -EPIPE);
	ck_assert_int_eq(o.dropped, 1);
	ck_assert_int_eq(o.last_errno, EPIPE);
	ck_assert_int_eq(o.written, 3);
	output_close(&o);
	free(rd.buf);
	free(line);
}
END_TEST

/* Lines of `len` bytes, each different, so a torn or doubled line shows. */
static void make_line(char *buf, size_t len, unsigned int n)
{
	int k = snprintf(buf, len, "{\"n\":%06u,\"pad\":\"", n);

	memset(buf + k, 'a' + n % 26, len - k - 3);
	memcpy(buf + len - 3, "\"}\n", 3);
}

/* The file holds exactly lines 0..n-1 of make_line(len). */
static void expect_lines(const char *path, size_t len, unsigned int n)
{
	char *want = malloc(len + 1);
	size_t got_len;
	char *got = slurp(path, &got_len);
	unsigned int i;

	ck_assert_ptr_nonnull(want);
	ck_assert_msg(got_len == (size_t)n * len, "%s: %zu bytes, expected %u lines of %zu", path,
		      got_len, n, len);
	for (i = 0; i < n; i++) {
		make_line(want, len, i);
		ck_assert_msg(!memcmp(got + (size_t)i * len, want, len), "%s: line %u", path, i);
	}
	free(got);
	free(want);
}

static struct rlimit saved_fsize;

static void fsize_setup(void)
{
	getrlimit(RLIMIT_FSIZE, &saved_fsize);
	signal(SIGXFSZ, SIG_IGN);
}

static void fsize_teardown(void)
{
	setrlimit(RLIMIT_FSIZE, &saved_fsize);
	signal(SIGXFSZ, SIG_DFL);
}

/* RLIMIT_FSIZE: the 4th line half fits, gets EFBIG, and is cut away. */
START_TEST(test_output_efbig)
{
	const size_t len = 3000;
	struct rlimit lim = { .rlim_cur = 10000, .rlim_max = saved_fsize.rlim_max };
	struct xs_output o;
	char path[256], line[3000];
	unsigned int i;

	scratch_path(path, sizeof(path), "fsize.ndjson");
	ck_assert_int_eq(output_open(&o, path), 0);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	for (i = 0; i < 3; i++) {
		make_line(line, len, i);
		ck_assert_int_eq(output_write(&o, line, len), 0);
	}
	make_line(line, len, 3);
	ck_assert_int_eq(output_write(&o, line, len), -EFBIG);
	ck_assert_int_eq(o.dropped, 1);
	ck_assert_int_eq(o.last_errno, EFBIG);
	ck_assert_int_eq(o.written, 3);
	fsize_teardown();
	expect_lines(path, len, 3);

	/* Room again: the next line lands right after the last whole one. */
	ck_assert_int_eq(output_write(&o, line, len), 0);
	ck_assert_int_eq(o.last_errno, 0);
	output_close(&o);
	expect_lines(path, len, 4);
}
END_TEST

/*
 * "run > file": stdout is a regular file without O_APPEND. After a line
 * is cut away, the next one must start where it started, not after a hole.
 */
START_TEST(test_output_stdout_file_efbig)
{
	const size_t len = 3000;
	struct rlimit lim = { .rlim_cur = 10000, .rlim_max = saved_fsize.rlim_max };
	int fd, saved, is_file, rc[5];
	struct xs_output o;
	char path[256], line[3000];
	unsigned int i;

	scratch_path(path, sizeof(path), "stdout.ndjson");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fd, STDOUT_FILENO), 0);
	close(fd);
	rc[0] = output_open(&o, NULL);
	is_file = o.is_file;
	setrlimit(RLIMIT_FSIZE, &lim);
	for (i = 0; i < 4; i++) {
		make_line(line, len, i);
		rc[i + 1] = output_write(&o, line, len);
	}
	fsize_teardown();
	if (rc[4] == -EFBIG)
		rc[4] = output_write(&o, line, len);
	output_close(&o);
	dup2(saved, STDOUT_FILENO);
	close(saved);

	ck_assert_int_eq(rc[0], 0);
	ck_assert_int_eq(is_file, 1);
	ck_assert_int_eq(rc[1] | rc[2] | rc[3], 0);
	ck_assert_int_eq(o.dropped, 1);
	ck_assert_int_eq(rc[4], 0);
	expect_lines(path, len, 4);
}
END_TEST

static int tmpfs_mounted;

static void tmpfs_setup(void)
{
	tmpfs_mounted = !mount("tmpfs", tmpfs_dir, "tmpfs", 0, "size=64k");
	if (!tmpfs_mounted)
		printf("test_emit: full-disk case skipped: mount tmpfs: %s (needs root)\n",
		       strerror(errno));
}

static void tmpfs_teardown(void)
{
	if (tmpfs_mounted)
		umount2(tmpfs_dir, MNT_DETACH);
	tmpfs_mounted = 0;
}

/*
 * ENOSPC on a 64 KiB tmpfs. 1500-byte lines do not end on a page boundary
 * where the disk fills, so the failing write stores part of its line
 * (into the last page's tail) before ENOSPC: the rollback is exercised.
 */
START_TEST(test_output_full_disk)
{
	const size_t len = 1500;
	char path[256], ballast[256], line[1500];
	struct xs_output o;
	unsigned int n = 0;
	int fd, rc = 0;

	if (!tmpfs_mounted)
		return;
	/* Space to hand back once the disk is full. */
	snprintf(ballast, sizeof(ballast), "%s/ballast", tmpfs_dir);
	fd = open(ballast, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	memset(line, 0, sizeof(line));
	for (int i = 0; i < 6; i++)
		ck_assert_int_eq(write(fd, line, sizeof(line)), sizeof(line));
	close(fd);

	snprintf(path, sizeof(path), "%s/out.ndjson", tmpfs_dir);
	ck_assert_int_eq(output_open(&o, path), 0);
	while (n < 1000) {
		make_line(line, len, n);
		rc = output_write(&o, line, len);
		if (rc)
			break;
		n++;
	}
	ck_assert_int_eq(rc, -ENOSPC);
	ck_assert_msg((n * len) % 4096, "last page had room: the failed write was partial");
	ck_assert_int_eq(o.dropped, 1);
	ck_assert_int_eq(o.last_errno, ENOSPC);
	ck_assert_int_eq(o.written, n);
	expect_lines(path, len, n);

	ck_assert_int_eq(output_write(&o, line, len), -ENOSPC);
	ck_assert_int_eq(o.dropped, 2);
	expect_lines(path, len, n);

	ck_assert_int_eq(unlink(ballast), 0);
	ck_assert_int_eq(output_write(&o, line, len), 0);
	ck_assert_int_eq(o.last_errno, 0);
	ck_assert_int_eq(o.written, n + 1);
	output_close(&o);
	expect_lines(path, len, n + 1);
	tmpfs_teardown();
}
END_TEST

static Suite *emit_suite(void)
{
	Suite *s = suite_create("emit");
	TCase *tc;

	tc = tcase_create("records");
	tcase_add_test(tc, test_range_fields);
	tcase_add_test(tc, test_range_design_example);
	tcase_add_test(tc, test_range_dir);
	tcase_add_test(tc, test_range_mitigation);
	tcase_add_test(tc, test_range_view);
	tcase_add_test(tc, test_range_strings);
	tcase_add_loop_test(tc, test_ts, 0, sizeof(ts_rows) / sizeof(ts_rows[0]));
	tcase_add_test(tc, test_ts_short_buffer);
	tcase_add_loop_test(tc, test_rates, 0, sizeof(rate_rows) / sizeof(rate_rows[0]));
	tcase_add_test(tc, test_real_text);
	tcase_add_test(tc, test_large_u64);
	tcase_add_test(tc, test_summary_full);
	tcase_add_test(tc, test_summary_minimal);
	tcase_add_test(tc, test_alert_record);
	tcase_add_test(tc, test_enomem);
	suite_add_tcase(s, tc);

	tc = tcase_create("output");
	tcase_add_test(tc, test_output_file);
	tcase_add_test(tc, test_output_open_fail);
	tcase_add_test(tc, test_output_reopen);
	tcase_add_test(tc, test_output_stdout);
	tcase_add_test(tc, test_output_pipe);
	suite_add_tcase(s, tc);

	tc = tcase_create("output_limits");
	tcase_add_checked_fixture(tc, fsize_setup, fsize_teardown);
	tcase_add_test(tc, test_output_efbig);
	tcase_add_test(tc, test_output_stdout_file_efbig);
	suite_add_tcase(s, tc);

	tc = tcase_create("output_full_disk");
	tcase_add_checked_fixture(tc, tmpfs_setup, tmpfs_teardown);
	tcase_add_test(tc, test_output_full_disk);
	suite_add_tcase(s, tc);
	return s;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

int main(void)
{
	SRunner *sr;
	int failed;

	umask(022);
	if (!mkdtemp(scratch)) {
		perror("test_emit: mkdtemp");
		return 1;
	}
	snprintf(tmpfs_dir, sizeof(tmpfs_dir), "%s/tmpfs", scratch);
	if (mkdir(tmpfs_dir, 0700)) {
		perror("test_emit: mkdir");
		rmdir(scratch);
		return 1;
	}
	sr = srunner_create(emit_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);

	/* A forked test that failed did not run its teardown. */
	umount2(tmpfs_dir, MNT_DETACH);
	nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	return failed ? 1 : 0;
}
