/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers the JSON config loaders share (config.c, config_rules.c): the
 * file being read, error messages that name the file and the JSON path,
 * and checks of object keys. Private to the config module.
 */
#ifndef XS_CONFIG_JSON_H
#define XS_CONFIG_JSON_H

#include <jansson.h>
#include "config.h"
#include "log.h"

#define JPATH_LEN 256

struct jload {
	struct xs_config *cfg;
	const char *file;
	char *err;
	size_t errlen;
};

/* "file: path: message" into j->err; returns -EINVAL. */
int config_jfail(struct jload *j, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* What the file held, for "got ...": the value itself if short. */
const char *config_describe(const json_t *v, char *buf, size_t len);

/* Unknown keys are errors: a typo must not silently drop a setting. */
int config_check_keys(struct jload *j, const json_t *obj, const char *path,
		      const char *const *known);

/* A range (or rule) name: printable ASCII, no '"' or '\\', not blank at
 * either end, 1..XS_NAME_MAX-1 bytes. */
int config_name_ok(const char *name);

/* The keys the HTTP outputs share (config_http.c). */
struct config_http {
	char **url, **user, **password, **password_file;	/* the password file is read */
	char **ca_file, **cert_file, **key_file;	/* readable; cert and key both or neither */
	int *insecure;
	uint64_t *buffer;				/* 1M or more */
	const char *url_expect;				/* "expected ..." of a bad url */
};
int config_http_common(struct jload *j, const json_t *v, const char *where,
		       const struct config_http *h);
/* A string member WHERE.KEY that ok() accepts: 0 (absent: *out untouched)
 * or -EINVAL naming it. */
int config_http_str(struct jload *j, const json_t *v, const char *where, const char *key,
		    char **out, int (*ok)(const char *), const char *expect);
/* The first line of file, trimmed: the secret of WHERE.KEY. */
int config_http_secret(struct jload *j, const char *where, const char *key, const char *file,
		       const char *what, char **out);
int config_ok_text(const char *s);		/* printable, not empty */
/* A name that goes into SQL as is: letters, digits, '_', 64 at most, not
 * starting with a digit (empty: empty_ok). */
int config_ident_ok(const char *s, int empty_ok);

/* $.output.clickhouse (config_ch.c), and freeing what it holds. */
int config_load_ch(struct jload *j, const json_t *v);
void config_free_ch(struct xs_ch_cfg *c);

/* $.output.influx (config_influx.c), and freeing what it holds. */
int config_load_influx(struct jload *j, const json_t *v);
void config_free_influx(struct xs_influx_cfg *c);

/* $.rules and $.alerts (config_rules.c). */
int config_load_rules(struct jload *j, const json_t *v);
int config_load_alerts(struct jload *j, const json_t *v);

/* $.mitigation (config_mitig.c). */
int config_load_mitig(struct jload *j, const json_t *v);
/* $.sflow (config_sflow.c). */
int config_load_sflow(struct jload *j, const json_t *v);

#endif /* XS_CONFIG_JSON_H */
