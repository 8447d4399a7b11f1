// SPDX-License-Identifier: GPL-2.0
/*
 * $.sflow: what `collect --sflow` accepts and how it splits its figures.
 *   agents     [CIDR, ...]: the agent addresses accepted (the address in
 *              the datagram's header); none given: every agent
 *   views      "none" (default), "agent" or "ifindex": range records,
 *              alerts and rules per view (a BPF object each), their
 *              figures in the summary's sflow.views
 *   max_views  1..XS_SFLOW_VIEWS_MAX views (default: as many as
 *              max_kernel_mem fits, XS_SFLOW_VIEWS_AUTO at most; one that
 *              does not fit is refused by collect_plan); the samples of
 *              any further view count under "other"
 */
#include <stdio.h>
#include <string.h>
#include "config_json.h"

static int load_agents(struct jload *j, const json_t *v)
{
	struct xs_sflow_cfg *c = &j->cfg->sflow;
	char d[LOG_QBUF], path[JPATH_LEN], e[XS_ERR_LEN];
	const json_t *a;
	size_t i;

	if (!json_is_array(v))
		return config_jfail(j, "$.sflow.agents", "expected an array of prefixes "
				    "(\"198.18.0.0/24\", \"2001:db8::/32\"), got %s",
				    config_describe(v, d, sizeof(d)));
	if (json_array_size(v) > XS_SFLOW_AGENTS_MAX)
		return config_jfail(j, "$.sflow.agents", "expected at most %d prefixes, got %zu",
				    XS_SFLOW_AGENTS_MAX, json_array_size(v));
	json_array_foreach(v, i, a) {
		snprintf(path, sizeof(path), "$.sflow.agents[%zu]", i);
		if (!json_is_string(a))
			return config_jfail(j, path, "expected a prefix string, got %s",
					    config_describe(a, d, sizeof(d)));
		if (cidr_parse(json_string_value(a), &c->agents[i], e, sizeof(e)))
			return config_jfail(j, path, "%s", e);
	}
	c->nagents = json_array_size(v);
	return 0;
}

int config_load_sflow(struct jload *j, const json_t *v)
{
	static const char *const keys[] = { "agents", "views", "max_views", NULL };
	struct xs_sflow_cfg *c = &j->cfg->sflow;
	char d[LOG_QBUF];
	const json_t *m;
	const char *s;
	int ret;

	if (!json_is_object(v))
		return config_jfail(j, "$.sflow", "expected an object, got %s",
				    config_describe(v, d, sizeof(d)));
	ret = config_check_keys(j, v, "$.sflow", keys);
	if (!ret && (m = json_object_get(v, "agents")))
		ret = load_agents(j, m);
	if (ret)
		return ret;
	if ((m = json_object_get(v, "views"))) {
		s = json_is_string(m) ? json_string_value(m) : "";
		if (!strcmp(s, "none"))
			c->views = XS_SFLOW_VIEW_NONE;
		else if (!strcmp(s, "agent"))
			c->views = XS_SFLOW_VIEW_AGENT;
		else if (!strcmp(s, "ifindex"))
			c->views = XS_SFLOW_VIEW_IFINDEX;
		else
			return config_jfail(j, "$.sflow.views", "expected \"none\", \"agent\" or "
					    "\"ifindex\", got %s", config_describe(m, d, sizeof(d)));
	}
	if ((m = json_object_get(v, "max_views"))) {
		if (!json_is_integer(m) || json_integer_value(m) < 1 ||
		    json_integer_value(m) > XS_SFLOW_VIEWS_MAX)
			return config_jfail(j, "$.sflow.max_views", "expected an integer 1..%d, "
					    "got %s", XS_SFLOW_VIEWS_MAX,
					    config_describe(m, d, sizeof(d)));
		c->max_views = json_integer_value(m);
	}
	return 0;
}
