// SPDX-License-Identifier: GPL-2.0
/*
 * The keys the HTTP outputs share (output.influx, output.clickhouse): the
 * URL, basic authentication with a password or a password file, TLS
 * files, the buffer. Secret files are read at load, so check-config finds
 * a missing one; TLS files must be readable.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config_json.h"

#define SECRET_MAX 4096

static int printable(const char *s)
{
	for (; *s; s++)
		if (!isprint((unsigned char)*s))
			return 0;
	return 1;
}

int config_ident_ok(const char *s, int empty_ok)
{
	size_t i, n = strlen(s);

	if (!n)
		return empty_ok;
	if (n > 64 || isdigit((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

int config_ok_text(const char *s)
{
	return *s && printable(s);
}

static int url_ok(const char *s)
{
	return (!strncmp(s, "http://", 7) && s[7]) || (!strncmp(s, "https://", 8) && s[8]);
}

static int user_ok(const char *s)
{
	return config_ok_text(s) && !strchr(s, ':');
}

static int readable(const char *s)
{
	return config_ok_text(s) && !access(s, R_OK);
}

int config_http_str(struct jload *j, const json_t *v, const char *where, const char *key,
		    char **out, int (*ok)(const char *), const char *expect)
{
	const json_t *x = json_object_get(v, key);
	char path[JPATH_LEN], d[LOG_QBUF];

	if (!x)
		return 0;
	snprintf(path, sizeof(path), "%s.%s", where, key);
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

int config_http_secret(struct jload *j, const char *where, const char *key, const char *file,
		       const char *what, char **out)
{
	char path[JPATH_LEN], buf[SECRET_MAX], q[LOG_QBUF];
	char *s = buf;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s.%s", where, key);
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

int config_http_common(struct jload *j, const json_t *v, const char *where,
		       const struct config_http *h)
{
	const struct {
		const char *key;
		char **out;
		int (*ok)(const char *);
		const char *expect;
	} strs[] = {
		{ "url", h->url, url_ok, h->url_expect },
		{ "user", h->user, user_ok, "a user name without ':'" },
		{ "password", h->password, config_ok_text, "a password" },
		{ "password_file", h->password_file, config_ok_text, "a file name" },
		{ "ca_file", h->ca_file, readable, "a readable file" },
		{ "cert_file", h->cert_file, readable, "a readable file" },
		{ "key_file", h->key_file, readable, "a readable file" },
	};
	char d[LOG_QBUF], path[JPATH_LEN];
	const json_t *x;
	size_t i;
	int ret;

	for (i = 0, ret = 0; i < sizeof(strs) / sizeof(strs[0]) && !ret; i++)
		ret = config_http_str(j, v, where, strs[i].key, strs[i].out, strs[i].ok,
				      strs[i].expect);
	if (ret)
		return ret;
	x = json_object_get(v, "insecure");
	snprintf(path, sizeof(path), "%s.insecure", where);
	if (x && !json_is_boolean(x))
		return config_jfail(j, path, "expected true or false, got %s",
				    config_describe(x, d, sizeof(d)));
	*h->insecure = json_is_true(x);
	x = json_object_get(v, "buffer");
	if (x) {
		uint64_t bytes = 0;

		if (json_is_integer(x) && json_integer_value(x) > 0)
			bytes = json_integer_value(x);
		else if (json_is_string(x) && parse_size(json_string_value(x), &bytes))
			bytes = 0;
		snprintf(path, sizeof(path), "%s.buffer", where);
		if (bytes < (1u << 20))
			return config_jfail(j, path,
					    "expected 1M or more as bytes or a string like \"64M\", got %s",
					    config_describe(x, d, sizeof(d)));
		*h->buffer = bytes;
	}
	if (!!*h->cert_file != !!*h->key_file) {
		snprintf(path, sizeof(path), "%s.%s", where, *h->cert_file ? "key_file" : "cert_file");
		return config_jfail(j, path, "expected with %s (a client certificate and its key)",
				    *h->cert_file ? "cert_file" : "key_file");
	}
	if (*h->password_file && *h->password) {
		snprintf(path, sizeof(path), "%s.password_file", where);
		return config_jfail(j, path, "expected either password or password_file, got both");
	}
	if (*h->password_file)
		return config_http_secret(j, where, "password_file", *h->password_file, "a password",
					  h->password);
	return 0;
}
