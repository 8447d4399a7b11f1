// SPDX-License-Identifier: GPL-2.0
/*
 * $.output.influx: where and how the InfluxDB sink writes (config.h,
 * struct xs_influx_cfg). Each key is checked here; so is the whole, with
 * the URL the sink will use (influx_url), when the config names one: the
 * keys of the other version, a missing org or bucket, 2.x without a token.
 * The password and token files are read now, so check-config finds a
 * missing one, and the TLS files must be readable.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config_json.h"
#include "influx.h"

#define SECRET_MAX 4096

static int printable(const char *s)
{
	for (; *s; s++)
		if (!isprint((unsigned char)*s))
			return 0;
	return 1;
}

static int url_ok(const char *s)
{
	return (!strncmp(s, "http://", 7) && s[7]) || (!strncmp(s, "https://", 8) && s[8]);
}

static int text_ok(const char *s)
{
	return *s && printable(s);
}

static int user_ok(const char *s)
{
	return text_ok(s) && !strchr(s, ':');
}

static int readable(const char *s)
{
	return text_ok(s) && !access(s, R_OK);
}

/* A string member: 0 (absent: *out untouched), or -EINVAL. */
static int str_key(struct jload *j, const json_t *v, const char *key, char **out,
		   int (*ok)(const char *), const char *expect)
{
	const json_t *x = json_object_get(v, key);
	char path[JPATH_LEN], d[LOG_QBUF];

	if (!x)
		return 0;
	snprintf(path, sizeof(path), "$.output.influx.%s", key);
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

/* The first line of the file, whitespace trimmed at both ends. */
static int read_secret(struct jload *j, const char *key, const char *file, const char *what,
		       char **out)
{
	char path[JPATH_LEN], buf[SECRET_MAX], q[LOG_QBUF];
	char *s = buf;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "$.output.influx.%s", key);
	f = fopen(file, "re");
	if (!f)
		return config_jfail(j, path, "expected a readable file, got %s: %s",
				    log_quote(file, q, sizeof(q)), strerror(errno));
	n = fgets(buf, sizeof(buf), f) ? strlen(buf) : 0;
	fclose(f);
	while (n && isspace((unsigned char)buf[n - 1]))
		n--;
	buf[n] = '\0';
	while (isspace((unsigned char)*s))
		s++;
	if (!*s || !printable(s)) {
		explicit_bzero(buf, sizeof(buf));
		return config_jfail(j, path, "expected %s on the first line of %s", what,
				    log_quote(file, q, sizeof(q)));
	}
	free(*out);
	*out = strdup(s);
	explicit_bzero(buf, sizeof(buf));
	return *out ? 0 : config_jfail(j, path, "out of memory");
}

int config_load_influx(struct jload *j, const json_t *v)
{
	static const char *const keys[] = {
		"url", "version", "org", "bucket", "db", "user", "password", "password_file",
		"token_file", "ca_file", "cert_file", "key_file", "insecure", "buffer", NULL,
	};
	struct xs_influx_cfg *c = &j->cfg->influx;
	char d[LOG_QBUF], path[JPATH_LEN], why[XS_ERR_LEN], *url;
	const char *key;
	const json_t *x;
	int ret, ver;

	if (!json_is_object(v))
		return config_jfail(j, "$.output.influx", "expected an object, got %s",
				    config_describe(v, d, sizeof(d)));
	ret = config_check_keys(j, v, "$.output.influx", keys);
	if (!ret)
		ret = str_key(j, v, "url", &c->url, url_ok,
			      "http(s)://HOST[:PORT][/PATH][?QUERY]");
	if (!ret)
		ret = str_key(j, v, "org", &c->org, text_ok, "an organization name");
	if (!ret)
		ret = str_key(j, v, "bucket", &c->bucket, text_ok, "a bucket name");
	if (!ret)
		ret = str_key(j, v, "db", &c->db, text_ok, "a database name");
	if (!ret)
		ret = str_key(j, v, "user", &c->user, user_ok, "a user name without ':'");
	if (!ret)
		ret = str_key(j, v, "password", &c->password, text_ok, "a password");
	if (!ret)
		ret = str_key(j, v, "password_file", &c->password_file, text_ok, "a file name");
	if (!ret)
		ret = str_key(j, v, "token_file", &c->token_file, text_ok, "a file name");
	if (!ret)
		ret = str_key(j, v, "ca_file", &c->ca_file, readable, "a readable file");
	if (!ret)
		ret = str_key(j, v, "cert_file", &c->cert_file, readable, "a readable file");
	if (!ret)
		ret = str_key(j, v, "key_file", &c->key_file, readable, "a readable file");
	if (ret)
		return ret;
	x = json_object_get(v, "version");
	if (x && (!json_is_integer(x) || json_integer_value(x) < 1 || json_integer_value(x) > 2))
		return config_jfail(j, "$.output.influx.version", "expected 1 or 2, got %s",
				    config_describe(x, d, sizeof(d)));
	c->version = x ? json_integer_value(x) : 0;
	x = json_object_get(v, "insecure");
	if (x && !json_is_boolean(x))
		return config_jfail(j, "$.output.influx.insecure", "expected true or false, got %s",
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
			return config_jfail(j, "$.output.influx.buffer",
					    "expected 1M or more as bytes or a string like \"64M\", got %s",
					    config_describe(x, d, sizeof(d)));
		c->buffer = bytes;
	}
	if (!!c->cert_file != !!c->key_file)
		return config_jfail(j, c->cert_file ? "$.output.influx.key_file" :
				    "$.output.influx.cert_file",
				    "expected with %s (a client certificate and its key)",
				    c->cert_file ? "cert_file" : "key_file");
	if (c->password_file && c->password)
		return config_jfail(j, "$.output.influx.password_file",
				    "expected either password or password_file, got both");
	if (c->password_file)
		ret = read_secret(j, "password_file", c->password_file, "a password", &c->password);
	if (!ret && c->token_file)
		ret = read_secret(j, "token_file", c->token_file, "a token", &c->token);
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
