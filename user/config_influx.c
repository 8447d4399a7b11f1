// SPDX-License-Identifier: GPL-2.0
/*
 * $.output.influx: where and how the InfluxDB sink writes (config.h,
 * struct xs_influx_cfg). Each key is checked here; so is the whole, with
 * the URL the sink will use (influx_url), when the config names one: the
 * keys of the other version, a missing org or bucket, 2.x without a token.
 * The password and token files are read now, so check-config finds a
 * missing one, and the TLS files must be readable.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config_json.h"
#include "influx.h"

int config_load_influx(struct jload *j, const json_t *v)
{
	static const char *const keys[] = {
		"url", "version", "org", "bucket", "db", "user", "password", "password_file",
		"token_file", "ca_file", "cert_file", "key_file", "insecure", "buffer", NULL,
	};
	struct xs_influx_cfg *c = &j->cfg->influx;
	const struct config_http h = {
		.url = &c->url, .user = &c->user, .password = &c->password,
		.password_file = &c->password_file, .ca_file = &c->ca_file,
		.cert_file = &c->cert_file, .key_file = &c->key_file, .insecure = &c->insecure,
		.buffer = &c->buffer, .url_expect = "http(s)://HOST[:PORT][/PATH][?QUERY]",
	};
	char d[LOG_QBUF], path[JPATH_LEN], why[XS_ERR_LEN], *url;
	const char *key;
	const json_t *x;
	int ret, ver;

	if (!json_is_object(v))
		return config_jfail(j, "$.output.influx", "expected an object, got %s",
				    config_describe(v, d, sizeof(d)));
	ret = config_check_keys(j, v, "$.output.influx", keys);
	if (!ret)
		ret = config_http_str(j, v, "$.output.influx", "org", &c->org, config_ok_text,
				      "an organization name");
	if (!ret)
		ret = config_http_str(j, v, "$.output.influx", "bucket", &c->bucket, config_ok_text,
				      "a bucket name");
	if (!ret)
		ret = config_http_str(j, v, "$.output.influx", "db", &c->db, config_ok_text,
				      "a database name");
	if (!ret)
		ret = config_http_str(j, v, "$.output.influx", "token_file", &c->token_file,
				      config_ok_text, "a file name");
	if (!ret)
		ret = config_http_common(j, v, "$.output.influx", &h);
	if (ret)
		return ret;
	x = json_object_get(v, "version");
	if (x && (!json_is_integer(x) || json_integer_value(x) < 1 || json_integer_value(x) > 2))
		return config_jfail(j, "$.output.influx.version", "expected 1 or 2, got %s",
				    config_describe(x, d, sizeof(d)));
	c->version = x ? json_integer_value(x) : 0;
	if (c->token_file)
		ret = config_http_secret(j, "$.output.influx", "token_file", c->token_file,
					 "a token", &c->token);
	if (ret)
		return ret;
	/* The whole, as the sink will see it (--influx may still replace the URL). */
	ret = influx_url(c, NULL, &url, &ver, &key, why, sizeof(why));
	free(url);
	if (ret == -ENOMEM)
		return config_jfail(j, "$.output.influx", "out of memory");
	if (ret) {
		snprintf(path, sizeof(path), "$.output.influx.%s", key);
		return config_jfail(j, path, "%s", why);
	}
	return 0;
}

void config_free_influx(struct xs_influx_cfg *c)
{
	if (c->password)
		explicit_bzero(c->password, strlen(c->password));
	if (c->token)
		explicit_bzero(c->token, strlen(c->token));
	free(c->url);
	free(c->db);
	free(c->org);
	free(c->bucket);
	free(c->user);
	free(c->password);
	free(c->password_file);
	free(c->token);
	free(c->token_file);
	free(c->ca_file);
	free(c->cert_file);
	free(c->key_file);
	memset(c, 0, sizeof(*c));
}
