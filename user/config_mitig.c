// SPDX-License-Identifier: GPL-2.0
/*
 * $.mitigation: the opt-in XDP filters (config.h, struct xs_mitig_cfg;
 * README "Mitigation"). Absent, or "enabled": false, the program never
 * returns anything but PASS. Each key is checked here, with one line
 * naming it and what it expects.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config_json.h"

static int mitig_bool(struct jload *j, const json_t *v, const char *key, int *out)
{
	const json_t *x = json_object_get(v, key);
	char path[JPATH_LEN], d[LOG_QBUF];

	if (!x)
		return 0;
	snprintf(path, sizeof(path), "$.mitigation.%s", key);
	if (!json_is_boolean(x))
		return config_jfail(j, path, "expected true or false, got %s",
				    config_describe(x, d, sizeof(d)));
	*out = json_is_true(x);
	return 0;
}

static int mitig_uint(struct jload *j, const json_t *v, const char *key, long long lo,
		      long long hi, unsigned int *out)
{
	const json_t *x = json_object_get(v, key);
	char path[JPATH_LEN], d[LOG_QBUF];

	if (!x)
		return 0;
	snprintf(path, sizeof(path), "$.mitigation.%s", key);
	if (!json_is_integer(x) || json_integer_value(x) < lo || json_integer_value(x) > hi)
		return config_jfail(j, path, "expected an integer %lld..%lld, got %s", lo, hi,
				    config_describe(x, d, sizeof(d)));
	*out = json_integer_value(x);
	return 0;
}

static int mitig_share(struct jload *j, const json_t *v)
{
	const json_t *x = json_object_get(v, "max_share");
	char d[LOG_QBUF];
	double s;

	if (!x)
		return 0;
	s = json_is_number(x) ? json_number_value(x) : -1;
	if (!(s > 0 && s <= 1))
		return config_jfail(j, "$.mitigation.max_share",
				    "expected a number above 0 and at most 1, got %s",
				    config_describe(x, d, sizeof(d)));
	j->cfg->mitigation.max_share = s;
	return 0;
}

static int mitig_allow(struct jload *j, const json_t *v)
{
	struct xs_mitig_cfg *m = &j->cfg->mitigation;
	const json_t *a = json_object_get(v, "allow"), *x;
	char path[JPATH_LEN], d[LOG_QBUF], why[XS_ERR_LEN];
	size_t i;

	if (!a)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > XS_MIT_ALLOW_LIMIT)
		return config_jfail(j, "$.mitigation.allow",
				    "expected an array of at most %d CIDR prefixes, got %s",
				    XS_MIT_ALLOW_LIMIT, config_describe(a, d, sizeof(d)));
	free(m->allow);
	m->nallow = 0;
	m->allow = calloc(json_array_size(a) + 1, sizeof(*m->allow));
	if (!m->allow)
		return config_jfail(j, "$.mitigation.allow", "out of memory");
	json_array_foreach(a, i, x) {
		snprintf(path, sizeof(path), "$.mitigation.allow[%zu]", i);
		if (!json_is_string(x))
			return config_jfail(j, path, "expected a CIDR prefix, got %s",
					    config_describe(x, d, sizeof(d)));
		if (cidr_parse(json_string_value(x), &m->allow[i], why, sizeof(why)))
			return config_jfail(j, path, "%s", why);
		m->nallow++;
	}
	return 0;
}

int config_load_mitig(struct jload *j, const json_t *v)
{
	static const char *const keys[] = {
		"enabled", "dry_run", "allow", "max_filters", "max_share", "ttl_s", "hold_s", NULL
	};
	struct xs_mitig_cfg *m = &j->cfg->mitigation;
	char d[LOG_QBUF];
	int ret;

	if (!json_is_object(v))
		return config_jfail(j, "$.mitigation", "expected an object, got %s",
				    config_describe(v, d, sizeof(d)));
	ret = config_check_keys(j, v, "$.mitigation", keys);
	if (!ret)
		ret = mitig_bool(j, v, "enabled", &m->enabled);
	if (!ret)
		ret = mitig_bool(j, v, "dry_run", &m->dry_run);
	if (!ret)
		ret = mitig_allow(j, v);
	if (!ret)
		ret = mitig_uint(j, v, "max_filters", 1, XS_MIT_FILTERS_LIMIT, &m->max_filters);
	if (!ret)
		ret = mitig_share(j, v);
	if (!ret)
		ret = mitig_uint(j, v, "ttl_s", 1, XS_MIT_TTL_MAX_S, &m->ttl_s);
	if (!ret)
		ret = mitig_uint(j, v, "hold_s", 0, XS_MIT_HOLD_MAX_S, &m->hold_s);
	return ret;
}
