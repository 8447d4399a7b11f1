// SPDX-License-Identifier: GPL-2.0
/*
 * $.output.clickhouse: where and how the ClickHouse sink writes
 * (config.h, struct xs_ch_cfg). Names that end up in SQL (database, table
 * prefix) are identifiers, checked here, so no statement needs quoting
 * them. A password file is read now, so check-config finds a missing one.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config_json.h"

#define CH_IDENT_MAX 64

static int ident_ok(const char *s, int empty_ok)
{
	size_t i, n = strlen(s);

	if (!n)
		return empty_ok;
	if (n > CH_IDENT_MAX || isdigit((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

static int printable(const char *s)
{
	for (; *s; s++)
		if (!isprint((unsigned char)*s))
			return 0;
	return 1;
}

/* A string member: 0 (absent: *out untouched), or -EINVAL. */
static int str_key(struct jload *j, const json_t *v, const char *key, char **out,
		   int (*ok)(const char *), const char *expect)
{
	const json_t *x = json_object_get(v, key);
	char path[JPATH_LEN], d[LOG_QBUF];

	if (!x)
		return 0;
	snprintf(path, sizeof(path), "$.output.clickhouse.%s", key);
	if (!json_is_string(x) || strlen(json_string_value(x)) != json_string_length(x) ||
	    !ok(json_string_value(x)))
		return config_jfail(j, path, "expected %s, got %s", expect,
				    config_describe(x, d, sizeof(d)));
	free(*out);
	*out = strdup(json_string_value(x));
	if (!*out)
		return config_jfail(j, path, "out of memory");
	return 0;
}

static int url_ok(const char *s)
{
	return (!strncmp(s, "http://", 7) && s[7]) || (!strncmp(s, "https://", 8) && s[8]);
}

static int db_ok(const char *s)
{
	return ident_ok(s, 0);
}

static int prefix_ok(const char *s)
{
	return ident_ok(s, 1);
}

static int text_ok(const char *s)
{
	return *s && printable(s);
}

static int user_ok(const char *s)
{
	return text_ok(s) && !strchr(s, ':');
}

static int uint_key(struct jload *j, const json_t *v, const char *key, unsigned int lo,
		    unsigned int hi, unsigned int *out)
{
	const json_t *x = json_object_get(v, key);
	char path[JPATH_LEN], d[LOG_QBUF];

	if (!x)
		return 0;
	snprintf(path, sizeof(path), "$.output.clickhouse.%s", key);
	if (!json_is_integer(x) || json_integer_value(x) < lo || json_integer_value(x) > hi)
		return config_jfail(j, path, "expected an integer from %u to %u, got %s", lo, hi,
				    config_describe(x, d, sizeof(d)));
	*out = (unsigned int)json_integer_value(x);
	return 0;
}

/* The first line of the file, without its newline. */
static int read_password(struct jload *j, struct xs_ch_cfg *c)
{
	const char *path = "$.output.clickhouse.password_file";
	char buf[1024];
	size_t n;
	FILE *f;

	f = fopen(c->password_file, "re");
	if (!f)
		return config_jfail(j, path, "expected a readable file, got \"%s\": %s",
				    c->password_file, strerror(errno));
	n = fgets(buf, sizeof(buf), f) ? strcspn(buf, "\r\n") : 0;
	fclose(f);
	buf[n] = '\0';
	if (!n || !printable(buf))
		return config_jfail(j, path, "expected a password on the first line of \"%s\"",
				    c->password_file);
	free(c->password);
	c->password = strdup(buf);
	return c->password ? 0 : config_jfail(j, path, "out of memory");
}

int config_load_ch(struct jload *j, const json_t *v)
{
	static const char *const keys[] = {
		"url", "database", "user", "password", "password_file", "table_prefix",
		"ca_file", "cert_file", "key_file", "insecure", "sketch_interval_s",
		"hll_precision", "buffer", NULL,
	};
	struct xs_ch_cfg *c = &j->cfg->clickhouse;
	const json_t *x;
	char d[LOG_QBUF];
	int ret;

	if (!json_is_object(v))
		return config_jfail(j, "$.output.clickhouse", "expected an object, got %s",
				    config_describe(v, d, sizeof(d)));
	ret = config_check_keys(j, v, "$.output.clickhouse", keys);
	if (!ret)
		ret = str_key(j, v, "url", &c->url, url_ok, "http://HOST:PORT or https://HOST:PORT");
	if (!ret)
		ret = str_key(j, v, "database", &c->database, db_ok,
			      "a database name (letters, digits, '_', 64 at most)");
	if (!ret)
		ret = str_key(j, v, "table_prefix", &c->table_prefix, prefix_ok,
			      "a table name prefix (letters, digits, '_', 64 at most)");
	if (!ret)
		ret = str_key(j, v, "user", &c->user, user_ok, "a user name without ':'");
	if (!ret)
		ret = str_key(j, v, "password", &c->password, text_ok, "a password");
	if (!ret)
		ret = str_key(j, v, "password_file", &c->password_file, text_ok, "a file name");
	if (!ret)
		ret = str_key(j, v, "ca_file", &c->ca_file, text_ok, "a file name");
	if (!ret)
		ret = str_key(j, v, "cert_file", &c->cert_file, text_ok, "a file name");
	if (!ret)
		ret = str_key(j, v, "key_file", &c->key_file, text_ok, "a file name");
	if (!ret)
		ret = uint_key(j, v, "sketch_interval_s", 1, 3600, &c->sketch_interval_s);
	if (!ret)
		ret = uint_key(j, v, "hll_precision", XS_HLL_P_MIN, XS_HLL_P_MAX, &c->hll_precision);
	if (ret)
		return ret;
	x = json_object_get(v, "insecure");
	if (x && !json_is_boolean(x))
		return config_jfail(j, "$.output.clickhouse.insecure", "expected true or false, got %s",
				    config_describe(x, d, sizeof(d)));
	c->insecure = json_is_true(x);
	x = json_object_get(v, "buffer");
	if (x) {
		uint64_t bytes = 0;

		if (json_is_integer(x) && json_integer_value(x) > 0)
			bytes = json_integer_value(x);
		else if (json_is_string(x) && parse_size(json_string_value(x), &bytes))
			bytes = 0;
		if (bytes < (1u << 20))
			return config_jfail(j, "$.output.clickhouse.buffer",
					    "expected 1M or more as bytes or a string like \"64M\", got %s",
					    config_describe(x, d, sizeof(d)));
		c->buffer = bytes;
	}
	if (c->password_file && json_object_get(v, "password"))
		return config_jfail(j, "$.output.clickhouse.password_file",
				    "expected either password or password_file, got both");
	if (c->password_file)
		return read_password(j, c);
	return 0;
}

void config_free_ch(struct xs_ch_cfg *c)
{
	free(c->url);
	free(c->database);
	free(c->user);
	free(c->password);
	free(c->password_file);
	free(c->table_prefix);
	free(c->ca_file);
	free(c->cert_file);
	free(c->key_file);
	memset(c, 0, sizeof(*c));
}
