// SPDX-License-Identifier: GPL-2.0
/*
 * config: $.output.influx. Every key as it loads, the secrets read from
 * their files (first line, trimmed), the whole checked against the URL
 * the sink will use, and one whole error line for each kind of bad input.
 * Files are written into a fresh temporary directory, named absolutely
 * in the configs (the keys take paths as given).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"

static char tmpdir[256];
static struct xs_config cfg;
static char err[XS_ERR_LEN];

static const char *tmp_path(const char *name)
{
	static char bufs[4][512];
	static int n;
	char *b = bufs[n++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", tmpdir, name);
	return b;
}

static const char *write_file(const char *name, const char *text)
{
	const char *path = tmp_path(name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* The config is a printf format: every %1$s is the temporary directory. */
static int load(const char *fmt)
{
	char json[2048];

	snprintf(json, sizeof(json), fmt, tmpdir);
	return config_load_json(&cfg, write_file("cfg.json", json), err, sizeof(err));
}

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/xs_test_cfginflux.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	write_file("token", "  s3cr3t-Token==  \n second line\n");
	write_file("pw", "pass word\n");
	write_file("empty", " \n");
	write_file("ca.pem", "x\n");
	config_init(&cfg);
	err[0] = '\0';
}

static void teardown(void)
{
	const char *names[] = { "token", "pw", "empty", "ca.pem", "cfg.json" };
	size_t i;

	config_free(&cfg);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(tmp_path(names[i]));
	rmdir(tmpdir);
}

START_TEST(test_v2)
{
	const struct xs_influx_cfg *c = &cfg.influx;

	ck_assert_msg(!load("{\"output\": {\"influx\": {\"url\": \"https://db.example:8086\", "
			    "\"version\": 2, \"org\": \"my org\", \"bucket\": \"net\", "
			    "\"token_file\": \"%1$s/token\", \"ca_file\": \"%1$s/ca.pem\", "
			    "\"insecure\": false, \"buffer\": \"16M\"}}}"), "%s", err);
	ck_assert_str_eq(c->url, "https://db.example:8086");
	ck_assert_int_eq(c->version, 2);
	ck_assert_str_eq(c->org, "my org");
	ck_assert_str_eq(c->bucket, "net");
	ck_assert_str_eq(c->token, "s3cr3t-Token==");	/* first line, trimmed */
	ck_assert_str_eq(c->ca_file, tmp_path("ca.pem"));
	ck_assert_int_eq(c->insecure, 0);
	ck_assert_uint_eq(c->buffer, 16u << 20);
	ck_assert_ptr_null(c->db);
	ck_assert_ptr_null(c->user);
	config_free(&cfg);
	ck_assert_ptr_null(cfg.influx.url);
	ck_assert_ptr_null(cfg.influx.token);
}
END_TEST

START_TEST(test_v1)
{
	const struct xs_influx_cfg *c = &cfg.influx;

	ck_assert_msg(!load("{\"output\": {\"influx\": {\"url\": \"http://127.0.0.1:8086\", "
			    "\"db\": \"xs\", \"user\": \"writer\", \"password_file\": \"%1$s/pw\", "
			    "\"insecure\": true, \"buffer\": 2097152}}}"), "%s", err);
	ck_assert_int_eq(c->version, 0);		/* by the URL: 1.x */
	ck_assert_str_eq(c->db, "xs");
	ck_assert_str_eq(c->user, "writer");
	ck_assert_str_eq(c->password, "pass word");
	ck_assert_int_eq(c->insecure, 1);
	ck_assert_uint_eq(c->buffer, 2u << 20);
	ck_assert_ptr_null(c->token);
}
END_TEST

/* Without a URL, --influx will bring it: only what is wrong anyway. */
START_TEST(test_no_url)
{
	ck_assert_msg(!load("{\"output\": {\"influx\": {\"org\": \"o\", \"bucket\": \"b\", "
			    "\"token_file\": \"%1$s/token\"}}}"), "%s", err);
	ck_assert_ptr_null(cfg.influx.url);
	ck_assert_str_eq(cfg.influx.token, "s3cr3t-Token==");
	config_free(&cfg);
	ck_assert_msg(!load("{\"output\": {\"influx\": {}}}"), "%s", err);
	ck_assert_ptr_null(cfg.influx.url);
}
END_TEST

struct bad_row {
	const char *json;
	const char *msg;		/* after "TMP/cfg.json: " */
};

static const struct bad_row bad_rows[] = {
	{ "{\"output\": {\"influx\": \"http://x\"}}",
	  "$.output.influx: expected an object, got \"http://x\"" },
	{ "{\"output\": {\"influx\": {\"token\": \"t\"}}}",
	  "$.output.influx.token: unknown key (expected one of: url, version, org, bucket, db, "
	  "user, password, password_file, token_file, ca_file, cert_file, key_file, insecure, "
	  "buffer)" },
	{ "{\"output\": {\"influx\": {\"url\": \"udp://h:8089\"}}}",
	  "$.output.influx.url: expected http(s)://HOST[:PORT][/PATH][?QUERY], got \"udp://h:8089\"" },
	{ "{\"output\": {\"influx\": {\"url\": \"http://\"}}}",
	  "$.output.influx.url: expected http(s)://HOST[:PORT][/PATH][?QUERY], got \"http://\"" },
	{ "{\"output\": {\"influx\": {\"url\": \"http://h/write?db=a&precision=ms\"}}}",
	  "$.output.influx.url: expected precision=ns or none (timestamps are in ns), got "
	  "\"precision=ms\"" },
	{ "{\"output\": {\"influx\": {\"version\": 3}}}",
	  "$.output.influx.version: expected 1 or 2, got 3" },
	{ "{\"output\": {\"influx\": {\"version\": \"2\"}}}",
	  "$.output.influx.version: expected 1 or 2, got \"2\"" },
	{ "{\"output\": {\"influx\": {\"org\": 5}}}",
	  "$.output.influx.org: expected an organization name, got 5" },
	{ "{\"output\": {\"influx\": {\"bucket\": \"\"}}}",
	  "$.output.influx.bucket: expected a bucket name, got \"\"" },
	{ "{\"output\": {\"influx\": {\"db\": \"a\\nb\"}}}",
	  "$.output.influx.db: expected a database name, got \"a\\x0ab\"" },
	{ "{\"output\": {\"influx\": {\"user\": \"a:b\"}}}",
	  "$.output.influx.user: expected a user name without ':', got \"a:b\"" },
	{ "{\"output\": {\"influx\": {\"insecure\": \"yes\"}}}",
	  "$.output.influx.insecure: expected true or false, got \"yes\"" },
	{ "{\"output\": {\"influx\": {\"buffer\": \"100K\"}}}",
	  "$.output.influx.buffer: expected 1M or more as bytes or a string like \"64M\", got "
	  "\"100K\"" },
	{ "{\"output\": {\"influx\": {\"ca_file\": \"/nonexistent/ca.pem\"}}}",
	  "$.output.influx.ca_file: expected a readable file, got \"/nonexistent/ca.pem\"" },
	{ "{\"output\": {\"influx\": {\"cert_file\": \"%1$s/ca.pem\"}}}",
	  "$.output.influx.key_file: expected with cert_file (a client certificate and its key)" },
	{ "{\"output\": {\"influx\": {\"password\": \"a\", \"password_file\": \"%1$s/pw\"}}}",
	  "$.output.influx.password_file: expected either password or password_file, got both" },
	{ "{\"output\": {\"influx\": {\"token_file\": \"/nonexistent/token\"}}}",
	  "$.output.influx.token_file: expected a readable file, got \"/nonexistent/token\": No "
	  "such file or directory" },
	{ "{\"output\": {\"influx\": {\"token_file\": \"%1$s/empty\"}}}",
	  "$.output.influx.token_file: expected a token on the first line of \"TMP/empty\"" },
	{ "{\"output\": {\"influx\": {\"url\": \"https://h:8086/api/v2/write\", \"org\": \"o\", "
	  "\"bucket\": \"b\"}}}",
	  "$.output.influx.token_file: expected a file with the token for InfluxDB 2.x" },
	{ "{\"output\": {\"influx\": {\"url\": \"https://h:8086/api/v2/write\", \"bucket\": \"b\", "
	  "\"token_file\": \"%1$s/token\"}}}",
	  "$.output.influx.org: expected the organization for InfluxDB 2.x (here or org= in the "
	  "URL)" },
	{ "{\"output\": {\"influx\": {\"url\": \"http://h:8086/write?db=a\", \"org\": \"o\"}}}",
	  "$.output.influx.org: expected only with InfluxDB 2.x, got it for 1.x (version 1)" },
	{ "{\"output\": {\"influx\": {\"version\": 2, \"user\": \"u\"}}}",
	  "$.output.influx.user: expected only with InfluxDB 1.x, got it for 2.x (version 2)" },
	{ "{\"output\": {\"influx\": {\"url\": \"http://h/write?db=a\", \"db\": \"b\"}}}",
	  "$.output.influx.db: expected one db, got \"b\" here and db=a in the URL" },
};

START_TEST(test_bad)
{
	const struct bad_row *r = &bad_rows[_i];
	char want[2048], msg[XS_ERR_LEN], *p;

	ck_assert_int_eq(load(r->json), -EINVAL);
	/* TMP in a message stands for the temporary directory. */
	snprintf(msg, sizeof(msg), "%s", r->msg);
	p = strstr(msg, "TMP");
	if (p)
		snprintf(want, sizeof(want), "%s/cfg.json: %.*s%s%s", tmpdir, (int)(p - msg), msg,
			 tmpdir, p + 3);
	else
		snprintf(want, sizeof(want), "%s/cfg.json: %s", tmpdir, msg);
	ck_assert_msg(!strcmp(err, want), "row %d:\n got  %s\n want %s", _i, err, want);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config_influx");
	TCase *tc = tcase_create("config_influx");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_v2);
	tcase_add_test(tc, test_v1);
	tcase_add_test(tc, test_no_url);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad_rows) / sizeof(bad_rows[0]));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
