// SPDX-License-Identifier: GPL-2.0
/*
 * $.output.clickhouse: where and how the ClickHouse sink writes
 * (config.h, struct xs_ch_cfg). Names that end up in SQL (database, table
 * prefix) are identifiers, checked here, so no statement needs quoting
 * them; the keys every HTTP output has are config_http.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config_json.h"

static int db_ok(const char *s)
{
	return config_ident_ok(s, 0);
}

static int prefix_ok(const char *s)
{
	return config_ident_ok(s, 1);
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

int config_load_ch(struct jload *j, const json_t *v)
{
	static const char *const keys[] = {
		"url", "database", "user", "password", "password_file", "table_prefix",
		"ca_file", "cert_file", "key_file", "insecure", "sketch_interval_s",
		"hll_precision", "buffer", NULL,
	};
	static const char *const where = "$.output.clickhouse";
	struct xs_ch_cfg *c = &j->cfg->clickhouse;
	const struct config_http h = {
		.url = &c->url, .user = &c->user, .password = &c->password,
		.password_file = &c->password_file, .ca_file = &c->ca_file,
		.cert_file = &c->cert_file, .key_file = &c->key_file, .insecure = &c->insecure,
		.buffer = &c->buffer, .url_expect = "http://HOST:PORT or https://HOST:PORT",
	};
	char d[LOG_QBUF];
	int ret;

	if (!json_is_object(v))
		return config_jfail(j, where, "expected an object, got %s",
				    config_describe(v, d, sizeof(d)));
	ret = config_check_keys(j, v, where, keys);
	if (!ret)
		ret = config_http_str(j, v, where, "database", &c->database, db_ok,
				      "a database name (letters, digits, '_', 64 at most)");
	if (!ret)
		ret = config_http_str(j, v, where, "table_prefix", &c->table_prefix, prefix_ok,
				      "a table name prefix (letters, digits, '_', 64 at most)");
	if (!ret)
		ret = uint_key(j, v, "sketch_interval_s", 1, 3600, &c->sketch_interval_s);
	if (!ret)
		ret = uint_key(j, v, "hll_precision", XS_HLL_P_MIN, XS_HLL_P_MAX, &c->hll_precision);
	if (!ret)
		ret = config_http_common(j, v, where, &h);
	return ret;
}

void config_free_ch(struct xs_ch_cfg *c)
{
	if (c->password)
		explicit_bzero(c->password, strlen(c->password));
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
