// SPDX-License-Identifier: GPL-2.0
/*
 * The "rules" and "alerts" parts of the JSON config (config.h, Anomaly
 * rules). Every rule is checked whole here; what depends on the rest of
 * the config (range names, stats) is checked by config_check_rules() once
 * every source is loaded.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config_json.h"
#include "log.h"

const char *const config_metric_names[XS_M_MAX] = {
	[XS_M_PKTS] = "pkts",
	[XS_M_BYTES] = "bytes",
	[XS_M_PPS] = "pps",
	[XS_M_BPS] = "bps",
	[XS_M_TCP_PPS] = "tcp_pps",
	[XS_M_TCP_BPS] = "tcp_bps",
	[XS_M_UDP_PPS] = "udp_pps",
	[XS_M_UDP_BPS] = "udp_bps",
	[XS_M_ICMP_PPS] = "icmp_pps",
	[XS_M_ICMP_BPS] = "icmp_bps",
	[XS_M_OTHER_PPS] = "other_pps",
	[XS_M_OTHER_BPS] = "other_bps",
	[XS_M_SYN_PPS] = "syn_pps",
	[XS_M_SYNACK_PPS] = "synack_pps",
	[XS_M_RST_PPS] = "rst_pps",
	[XS_M_FIN_PPS] = "fin_pps",
	[XS_M_FRAG_PPS] = "frag_pps",
	[XS_M_UNIQ_SRC] = "uniq_src",
	[XS_M_HOST_PPS] = "host_pps",
	[XS_M_HOST_BPS] = "host_bps",
	[XS_M_HOST_SHARE] = "host_share",
	[XS_M_HOST_SYN_PPS] = "host_syn_pps",
};

#define RULES_MAX 1024
#define EXEC_ARGS_MAX 32

int config_metric(const char *name)
{
	int i;

	for (i = 0; i < XS_M_MAX; i++)
		if (!strcmp(name, config_metric_names[i]))
			return i;
	return -1;
}

int config_expr(const char *s, struct xs_expr *e)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	e->num = config_metric(buf);
	e->den = slash ? config_metric(slash + 1) : -1;
	if (e->num < 0 || (slash && e->den < 0))
		return -EINVAL;
	return 0;
}

const char *config_expr_name(const struct xs_expr *e, char *buf, size_t len)
{
	if (e->den >= 0)
		snprintf(buf, len, "%s/%s", config_metric_names[e->num],
			 config_metric_names[e->den]);
	else
		snprintf(buf, len, "%s", config_metric_names[e->num]);
	return buf;
}

static int expr_uses(const struct xs_expr *e, int a, int b)
{
	return e->num == a || e->num == b || e->den == a || e->den == b;
}

static void rule_free(struct xs_rule *r)
{
	size_t i;

	free(r->name);
	free(r->and_conds);
	for (i = 0; i < r->nranges; i++)
		free(r->ranges[i]);
	free(r->ranges);
}

static void free_rules_only(struct xs_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nrules; i++)
		rule_free(&cfg->rules[i]);
	free(cfg->rules);
	cfg->rules = NULL;
	cfg->nrules = 0;
}

void config_free_rules(struct xs_config *cfg)
{
	size_t i;

	free_rules_only(cfg);
	if (cfg->alerts.exec_argv)
		for (i = 0; cfg->alerts.exec_argv[i]; i++)
			free(cfg->alerts.exec_argv[i]);
	free(cfg->alerts.exec_argv);
	free(cfg->alerts.state_file);
	cfg->alerts.exec_argv = NULL;
	cfg->alerts.state_file = NULL;
}

/* A number in [lo, hi] (integer or real) at obj.key, when present. */
static int get_num(struct jload *j, const json_t *obj, const char *path, const char *key,
		   double lo, double hi, double *out)
{
	const json_t *v = json_object_get(obj, key);
	char kpath[JPATH_LEN], d[LOG_QBUF];
	double x;

	if (!v)
		return 0;
	snprintf(kpath, sizeof(kpath), "%s.%s", path, key);
	x = json_is_number(v) ? json_number_value(v) : NAN;
	if (!(x >= lo && x <= hi))
		return config_jfail(j, kpath, "expected a number %g..%g, got %s", lo, hi,
				    config_describe(v, d, sizeof(d)));
	*out = x;
	return 0;
}

static int get_expr(struct jload *j, const json_t *v, const char *path, struct xs_expr *e)
{
	char d[LOG_QBUF];

	if (json_is_string(v) && !config_expr(json_string_value(v), e))
		return 0;
	return config_jfail(j, path,
			    "expected a metric (pps, bps, syn_pps, uniq_src, host_pps, ... or a "
			    "ratio like \"syn_pps/synack_pps\"), got %s",
			    config_describe(v, d, sizeof(d)));
}

/* 1000, or {"pct": 50, "of": "pps" | "link", "min": 100}. */
static int get_thresh(struct jload *j, const json_t *v, const char *path, struct xs_thresh *t)
{
	static const char *const keys[] = { "pct", "of", "min", NULL };
	char opath[JPATH_LEN], d[LOG_QBUF];
	const json_t *of;
	int ret;

	memset(t, 0, sizeof(*t));
	t->of.den = -1;
	if (json_is_number(v)) {
		t->value = json_number_value(v);
		if (t->value >= 0 && isfinite(t->value))
			return 0;
	}
	if (!json_is_object(v))
		return config_jfail(j, path,
				    "expected a number >= 0 or {\"pct\", \"of\", \"min\"}, got %s",
				    config_describe(v, d, sizeof(d)));
	ret = config_check_keys(j, v, path, keys);
	if (ret)
		return ret;
	of = json_object_get(v, "of");
	if (!json_object_get(v, "pct") || !of)
		return config_jfail(j, path, "expected both \"pct\" and \"of\"");
	t->is_pct = 1;
	ret = get_num(j, v, path, "pct", 0, 1e6, &t->pct);
	if (!ret)
		ret = get_num(j, v, path, "min", 0, HUGE_VAL, &t->min);
	if (ret)
		return ret;
	snprintf(opath, sizeof(opath), "%s.of", path);
	if (json_is_string(of) && !strcmp(json_string_value(of), "link")) {
		t->of_link = 1;
		return 0;
	}
	return get_expr(j, of, opath, &t->of);
}

/* {"metric", "above" | "below"} into c; `baseline_ok` allows neither
 * (the caller reads a baseline). */
static int get_cond(struct jload *j, const json_t *v, const char *path, struct xs_cond *c,
		    int baseline_ok)
{
	const json_t *m = json_object_get(v, "metric"), *above, *below;
	char kpath[192];
	int ret;

	if (!m)
		return config_jfail(j, path, "expected a \"metric\"");
	snprintf(kpath, sizeof(kpath), "%s.metric", path);
	ret = get_expr(j, m, kpath, &c->m);
	if (ret)
		return ret;
	above = json_object_get(v, "above");
	below = json_object_get(v, "below");
	if (above && below)
		return config_jfail(j, path, "expected one of \"above\" and \"below\", got both");
	if (!above && !below) {
		if (baseline_ok)
			return 0;
		return config_jfail(j, path, "expected \"above\" or \"below\"");
	}
	c->below = !!below;
	snprintf(kpath, sizeof(kpath), "%s.%s", path, below ? "below" : "above");
	return get_thresh(j, below ? below : above, kpath, &c->t);
}

static int get_baseline(struct jload *j, const json_t *v, const char *path, struct xs_rule *r)
{
	static const char *const keys[] = { "window_s", "factor", "k", "min", "warmup_s", NULL };
	struct xs_baseline *b = &r->bl;
	char d[LOG_QBUF];
	int ret;

	if (!json_is_object(v))
		return config_jfail(j, path, "expected an object, got %s",
				    config_describe(v, d, sizeof(d)));
	ret = config_check_keys(j, v, path, keys);
	if (ret)
		return ret;
	b->window_s = 600;
	if (!ret)
		ret = get_num(j, v, path, "window_s", 1, 365 * 86400.0, &b->window_s);
	b->warmup_s = b->window_s;
	if (!ret)
		ret = get_num(j, v, path, "factor", 1, 1e6, &b->factor);
	if (!ret)
		ret = get_num(j, v, path, "k", 0.1, 1e3, &b->k);
	if (!ret)
		ret = get_num(j, v, path, "min", 0, HUGE_VAL, &b->min);
	if (!ret)
		ret = get_num(j, v, path, "warmup_s", 0, 365 * 86400.0, &b->warmup_s);
	if (!ret && !b->factor && !b->k)
		ret = config_jfail(j, path, "expected \"factor\" or \"k\" (or both)");
	return ret;
}

static int get_dirs(struct jload *j, const json_t *v, const char *path, unsigned int *dirs)
{
	const char *s = json_is_string(v) ? json_string_value(v) : "";
	char d[LOG_QBUF];

	if (!strcmp(s, "in"))
		*dirs = XS_RULE_DIR_IN;
	else if (!strcmp(s, "out"))
		*dirs = XS_RULE_DIR_OUT;
	else if (!strcmp(s, "both"))
		*dirs = XS_RULE_DIR_IN | XS_RULE_DIR_OUT;
	else
		return config_jfail(j, path, "expected \"in\", \"out\" or \"both\", got %s",
				    config_describe(v, d, sizeof(d)));
	return 0;
}

static int get_rule_ranges(struct jload *j, const json_t *v, const char *path,
			   struct xs_rule *r)
{
	char epath[JPATH_LEN], d[LOG_QBUF];
	const json_t *e;
	size_t i;

	if (!json_is_array(v) || !json_array_size(v))
		return config_jfail(j, path, "expected a non-empty array of range names, got %s",
				    config_describe(v, d, sizeof(d)));
	r->ranges = calloc(json_array_size(v), sizeof(*r->ranges));
	if (!r->ranges)
		return config_jfail(j, path, "out of memory");
	json_array_foreach(v, i, e) {
		snprintf(epath, sizeof(epath), "%s[%zu]", path, i);
		if (!json_is_string(e) || !config_name_ok(json_string_value(e)))
			return config_jfail(j, epath, "expected a range name, got %s",
					    config_describe(e, d, sizeof(d)));
		r->ranges[i] = strdup(json_string_value(e));
		if (!r->ranges[i])
			return config_jfail(j, epath, "out of memory");
		r->nranges++;
	}
	return 0;
}

/* "mitigate": "drop", or {"action": "drop" | "rate_limit", "pps": N,
 * "scope": "victim" | "range"}. */
static int get_mitigate(struct jload *j, const json_t *x, const char *path, struct xs_rule *r)
{
	static const char *const keys[] = { "action", "pps", "scope", NULL };
	static const char form[] = "\"drop\" or an object {\"action\", \"pps\", \"scope\"}";
	const char *act = json_string_value(x), *scope;
	char kpath[96], d[LOG_QBUF];
	const json_t *y;
	double pps = 0;
	int ret;

	snprintf(kpath, sizeof(kpath), "%s.mitigate", path);
	r->mit.on = 1;
	if (act && !strcmp(act, "drop"))
		return 0;
	if (!json_is_object(x))
		return config_jfail(j, kpath, "expected %s, got %s", form,
				    config_describe(x, d, sizeof(d)));
	ret = config_check_keys(j, x, kpath, keys);
	if (ret)
		return ret;
	y = json_object_get(x, "action");
	act = y ? json_string_value(y) : "drop";
	if (!act || (strcmp(act, "drop") && strcmp(act, "rate_limit")))
		return config_jfail(j, kpath, "action: expected \"drop\" or \"rate_limit\", got %s",
				    config_describe(y, d, sizeof(d)));
	ret = get_num(j, x, kpath, "pps", 1, 100000000, &pps);
	if (ret)
		return ret;
	if (!strcmp(act, "rate_limit") != (pps > 0) || pps != (uint32_t)pps)
		return config_jfail(j, kpath, "expected \"pps\" (an integer) with \"rate_limit\" "
				    "and only then");
	r->mit.pps = pps;
	y = json_object_get(x, "scope");
	scope = y ? json_string_value(y) : "victim";
	if (!scope || (strcmp(scope, "victim") && strcmp(scope, "range")))
		return config_jfail(j, kpath, "scope: expected \"victim\" or \"range\", got %s",
				    config_describe(y, d, sizeof(d)));
	r->mit.range = !strcmp(scope, "range");
	return 0;
}

static int load_rule(struct jload *j, const json_t *v, size_t idx, struct xs_rule *r)
{
	static const char *const keys[] = {
		"name", "metric", "dir", "ranges", "above", "below", "baseline", "and",
		"for_s", "clear_s", "hysteresis", "mitigate", NULL
	};
	char path[48], kpath[96], d[LOG_QBUF];
	const json_t *name, *x, *e;
	size_t i;
	int ret;

	snprintf(path, sizeof(path), "$.rules[%zu]", idx);
	r->cond.m.den = -1;
	r->dirs = XS_RULE_DIR_IN;
	r->clear_s = XS_RULE_CLEAR_S;
	r->hysteresis = XS_RULE_HYSTERESIS;
	if (!json_is_object(v))
		return config_jfail(j, path, "expected a rule object, got %s",
				    config_describe(v, d, sizeof(d)));
	ret = config_check_keys(j, v, path, keys);
	if (ret)
		return ret;
	name = json_object_get(v, "name");
	snprintf(kpath, sizeof(kpath), "%s.name", path);
	if (!name || !json_is_string(name) || !config_name_ok(json_string_value(name)))
		return config_jfail(j, kpath, "expected a rule name, got %s",
				    name ? config_describe(name, d, sizeof(d)) : "none");
	r->name = strdup(json_string_value(name));
	if (!r->name)
		return config_jfail(j, kpath, "out of memory");
	ret = get_cond(j, v, path, &r->cond, 1);
	if (ret)
		return ret;
	x = json_object_get(v, "baseline");
	snprintf(kpath, sizeof(kpath), "%s.baseline", path);
	if (x && (json_object_get(v, "above") || json_object_get(v, "below")))
		return config_jfail(j, path, "expected \"above\", \"below\" or \"baseline\", "
				    "got more than one");
	if (!x && !json_object_get(v, "above") && !json_object_get(v, "below"))
		return config_jfail(j, path, "expected \"above\", \"below\" or \"baseline\"");
	if (x) {
		r->has_baseline = 1;
		ret = get_baseline(j, x, kpath, r);
		if (ret)
			return ret;
	}
	if ((x = json_object_get(v, "dir"))) {
		snprintf(kpath, sizeof(kpath), "%s.dir", path);
		ret = get_dirs(j, x, kpath, &r->dirs);
		if (ret)
			return ret;
	}
	if ((x = json_object_get(v, "ranges"))) {
		snprintf(kpath, sizeof(kpath), "%s.ranges", path);
		ret = get_rule_ranges(j, x, kpath, r);
		if (ret)
			return ret;
	}
	ret = get_num(j, v, path, "for_s", 0, 86400, &r->for_s);
	if (!ret && (x = json_object_get(v, "mitigate")))
		ret = get_mitigate(j, x, path, r);
	if (!ret)
		ret = get_num(j, v, path, "clear_s", 0, 86400, &r->clear_s);
	if (!ret)
		ret = get_num(j, v, path, "hysteresis", 0, 0.99, &r->hysteresis);
	if (ret || !(x = json_object_get(v, "and")))
		return ret;
	snprintf(kpath, sizeof(kpath), "%s.and", path);
	if (!json_is_array(x) || !json_array_size(x) || json_array_size(x) > XS_RULE_AND_MAX)
		return config_jfail(j, kpath, "expected an array of 1..%d conditions, got %s",
				    XS_RULE_AND_MAX, config_describe(x, d, sizeof(d)));
	r->and_conds = calloc(json_array_size(x), sizeof(*r->and_conds));
	if (!r->and_conds)
		return config_jfail(j, kpath, "out of memory");
	json_array_foreach(x, i, e) {
		static const char *const ckeys[] = { "metric", "above", "below", NULL };
		char cpath[144];

		snprintf(cpath, sizeof(cpath), "%s[%zu]", kpath, i);
		if (!json_is_object(e))
			return config_jfail(j, cpath, "expected {\"metric\", \"above\" | \"below\"}, "
					    "got %s", config_describe(e, d, sizeof(d)));
		ret = config_check_keys(j, e, cpath, ckeys);
		if (!ret)
			ret = get_cond(j, e, cpath, &r->and_conds[i], 0);
		if (ret)
			return ret;
		r->nand++;
	}
	return 0;
}

int config_load_rules(struct jload *j, const json_t *v)
{
	struct xs_config *cfg = j->cfg;
	char d[LOG_QBUF], path[64];
	const json_t *e;
	size_t i, k;
	int ret;

	if (!json_is_array(v) || json_array_size(v) > RULES_MAX)
		return config_jfail(j, "$.rules", "expected an array of at most %d rules, got %s",
				    RULES_MAX, config_describe(v, d, sizeof(d)));
	free_rules_only(cfg);
	cfg->rules = calloc(json_array_size(v) + 1, sizeof(*cfg->rules));
	if (!cfg->rules)
		return config_jfail(j, "$.rules", "out of memory");
	json_array_foreach(v, i, e) {
		ret = load_rule(j, e, i, &cfg->rules[i]);
		cfg->nrules++;
		if (ret)
			return ret;
		for (k = 0; k < i; k++)
			if (!strcmp(cfg->rules[k].name, cfg->rules[i].name)) {
				snprintf(path, sizeof(path), "$.rules[%zu].name", i);
				return config_jfail(j, path, "expected a name no other rule has, "
						    "got %s (also $.rules[%zu])",
						    log_quote(cfg->rules[i].name, d, sizeof(d)), k);
			}
	}
	return 0;
}

static int get_exec(struct jload *j, const json_t *v)
{
	struct xs_alerts_cfg *a = &j->cfg->alerts;
	char d[LOG_QBUF], path[JPATH_LEN];
	const json_t *e;
	size_t i, n;

	n = json_is_array(v) ? json_array_size(v) : 1;
	if ((!json_is_string(v) && !json_is_array(v)) || !n || n > EXEC_ARGS_MAX)
		return config_jfail(j, "$.alerts.exec",
				    "expected a program path or an array [path, arg, ...], got %s",
				    config_describe(v, d, sizeof(d)));
	a->exec_argv = calloc(n + 1, sizeof(*a->exec_argv));
	if (!a->exec_argv)
		return config_jfail(j, "$.alerts.exec", "out of memory");
	for (i = 0; i < n; i++) {
		e = json_is_array(v) ? json_array_get(v, i) : v;
		snprintf(path, sizeof(path), json_is_array(v) ? "$.alerts.exec[%zu]" :
			 "$.alerts.exec", i);
		if (!json_is_string(e) || !json_string_length(e) ||
		    strlen(json_string_value(e)) != json_string_length(e))
			return config_jfail(j, path, "expected a non-empty string, got %s",
					    config_describe(e, d, sizeof(d)));
		a->exec_argv[i] = strdup(json_string_value(e));
		if (!a->exec_argv[i])
			return config_jfail(j, path, "out of memory");
	}
	if (a->exec_argv[0][0] != '/')
		return config_jfail(j, "$.alerts.exec", "expected an absolute path, got %s",
				    log_quote(a->exec_argv[0], d, sizeof(d)));
	return 0;
}

int config_load_alerts(struct jload *j, const json_t *v)
{
	static const char *const keys[] = {
		"exec", "exec_timeout_s", "exec_max", "ongoing_s", "top_n", "max_hosts",
		"check_ms", "link_bps", "state_file", "state_save_s", NULL
	};
	struct xs_alerts_cfg *a = &j->cfg->alerts;
	const json_t *x;
	double n;
	char d[LOG_QBUF];
	int ret;

	if (!json_is_object(v))
		return config_jfail(j, "$.alerts", "expected an object, got %s",
				    config_describe(v, d, sizeof(d)));
	ret = config_check_keys(j, v, "$.alerts", keys);
	if (!ret && (x = json_object_get(v, "exec")))
		ret = get_exec(j, x);
	if (!ret)
		ret = get_num(j, v, "$.alerts", "exec_timeout_s", 0.01, 3600, &a->exec_timeout_s);
	if (!ret)
		ret = get_num(j, v, "$.alerts", "ongoing_s", 0, 86400, &a->ongoing_s);
	if (!ret)
		ret = get_num(j, v, "$.alerts", "link_bps", 1, HUGE_VAL, &a->link_bps);
	if (!ret)
		ret = get_num(j, v, "$.alerts", "state_save_s", 1, 86400, &a->state_save_s);
	n = a->exec_max;
	if (!ret)
		ret = get_num(j, v, "$.alerts", "exec_max", 1, 64, &n);
	a->exec_max = n;
	if (!ret && n != a->exec_max)
		ret = config_jfail(j, "$.alerts.exec_max", "expected an integer, got %g", n);
	n = a->top_n;
	if (!ret)
		ret = get_num(j, v, "$.alerts", "top_n", 0, XS_TOP_K_MAX, &n);
	a->top_n = n;
	if (!ret && n != a->top_n)
		ret = config_jfail(j, "$.alerts.top_n", "expected an integer, got %g", n);
	n = a->max_hosts;
	if (!ret)
		ret = get_num(j, v, "$.alerts", "max_hosts", 1, XS_TOP_K_MAX, &n);
	a->max_hosts = n;
	if (!ret && n != a->max_hosts)
		ret = config_jfail(j, "$.alerts.max_hosts", "expected an integer, got %g", n);
	n = a->check_ms;
	if (!ret)
		ret = get_num(j, v, "$.alerts", "check_ms", 0, 60000, &n);
	a->check_ms = n;
	if (!ret && (n != a->check_ms || (n > 0 && n < 10)))
		ret = config_jfail(j, "$.alerts.check_ms", "expected 0 (off) or an integer "
				   "10..60000, got %g", n);
	if (ret || !(x = json_object_get(v, "state_file")))
		return ret;
	if (!json_is_string(x) || !json_string_length(x) ||
	    strlen(json_string_value(x)) != json_string_length(x))
		return config_jfail(j, "$.alerts.state_file", "expected a file name, got %s",
				    config_describe(x, d, sizeof(d)));
	free(a->state_file);
	a->state_file = strdup(json_string_value(x));
	if (!a->state_file)
		return config_jfail(j, "$.alerts.state_file", "out of memory");
	return 0;
}

int config_check_exec(const struct xs_config *cfg, char *err, size_t errlen)
{
	const char *prog = cfg->alerts.exec_argv ? cfg->alerts.exec_argv[0] : NULL;
	char e[LOG_EBUF];
	struct stat st;
	int ret = 0;

	if (!prog)
		return 0;
	/* access() grants X_OK on a directory: it is searchable. */
	if (access(prog, X_OK) || stat(prog, &st))
		ret = -errno;
	else if (S_ISDIR(st.st_mode))
		ret = -EISDIR;
	if (ret)
		set_err(err, errlen, "alerts.exec: %s: expected an executable program: %s",
			log_escape(prog, e, sizeof(e)), strerror(-ret));
	return ret;
}

static int cond_check(const struct xs_config *cfg, const struct xs_rule *r,
		      const struct xs_cond *c, char *err, size_t errlen)
{
	const struct xs_stats_cfg *st = &cfg->stats;
	char buf[64], q[LOG_QBUF];

	if (expr_uses(&c->m, XS_M_UNIQ_SRC, XS_M_UNIQ_SRC) && !st->enabled) {
		set_err(err, errlen, "rule %s: metric %s needs stats.enabled",
			log_quote(r->name, q, sizeof(q)),
			config_expr_name(&c->m, buf, sizeof(buf)));
		return -EINVAL;
	}
	if (expr_uses(&c->m, XS_M_HOST_SYN_PPS, XS_M_HOST_SYN_PPS) &&
	    (!st->enabled || !(st->dims & (1U << XS_DIM_SYN)))) {
		set_err(err, errlen, "rule %s: metric %s needs the list of the range's hosts by "
			"SYN (\"syn\" in stats.top)", log_quote(r->name, q, sizeof(q)),
			config_expr_name(&c->m, buf, sizeof(buf)));
		return -EINVAL;
	}
	if ((expr_uses(&c->m, XS_M_HOST_PPS, XS_M_HOST_BPS) ||
	     expr_uses(&c->m, XS_M_HOST_SHARE, XS_M_HOST_SYN_PPS)) &&
	    (!st->enabled || ((r->dirs & XS_RULE_DIR_IN) && !(st->dims & (1U << XS_DIM_DST))) ||
	     ((r->dirs & XS_RULE_DIR_OUT) && !(st->dims & (1U << XS_DIM_SRC))))) {
		set_err(err, errlen, "rule %s: metric %s needs the top list of the range's "
			"hosts (stats.top with \"dst\" for dir in, \"src\" for dir out)",
			log_quote(r->name, q, sizeof(q)),
			config_expr_name(&c->m, buf, sizeof(buf)));
		return -EINVAL;
	}
	if (c->t.of_link && !cfg->alerts.link_bps) {
		set_err(err, errlen, "rule %s: a threshold of \"link\" needs alerts.link_bps",
			log_quote(r->name, q, sizeof(q)));
		return -EINVAL;
	}
	return 0;
}

int config_check_rules(const struct xs_config *cfg, char *err, size_t errlen)
{
	char qr[LOG_QBUF], qn[LOG_QBUF];
	const struct xs_rule *r;
	size_t i, k;
	int ret;

	for (i = 0; i < cfg->nrules; i++) {
		r = &cfg->rules[i];
		ret = cond_check(cfg, r, &r->cond, err, errlen);
		for (k = 0; !ret && k < r->nand; k++)
			ret = cond_check(cfg, r, &r->and_conds[k], err, errlen);
		if (ret)
			return ret;
		if (r->mit.on && !cfg->mitigation.enabled) {
			set_err(err, errlen, "rule %s: \"mitigate\" needs mitigation.enabled",
				log_quote(r->name, qr, sizeof(qr)));
			return -EINVAL;
		}
		if (r->mit.on && !(r->dirs & XS_RULE_DIR_IN)) {
			set_err(err, errlen, "rule %s: \"mitigate\" filters incoming traffic: it "
				"needs dir \"in\" or \"both\"", log_quote(r->name, qr, sizeof(qr)));
			return -EINVAL;
		}
		for (k = 0; k < r->nranges; k++) {
			if (!config_range_id(cfg, r->ranges[k])) {
				set_err(err, errlen, "rule %s: expected ranges that exist, got %s",
					log_quote(r->name, qr, sizeof(qr)),
					log_quote(r->ranges[k], qn, sizeof(qn)));
				return -EINVAL;
			}
		}
	}
	return 0;
}
