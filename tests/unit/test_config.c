// SPDX-License-Identifier: GPL-2.0
/*
 * config: JSON configs, prefix-list files, --range arguments, merging by
 * name, whole-config validation and parse_size. Files are written into a
 * fresh temporary directory per test; errors are compared as whole
 * strings, since the message is what the operator gets to fix the input.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config.h"
#include "log.h"
#include "skread.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static char tmpdir[256];
static struct xs_config cfg;
static char err[XS_ERR_LEN];

static void rm_tree(const char *dir, int keep_dir)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR)
			rm_tree(path, 0);
		else
			unlink(path);
	}
	closedir(d);
	if (!keep_dir)
		rmdir(dir);
}

/* The directory lives in the parent, so it goes away also when a test
 * fails in its forked child before the checked teardown runs. */
static void tmpdir_create(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/xs_test_config.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmpdir_remove(void)
{
	rm_tree(tmpdir, 0);
}

static void setup(void)
{
	rm_tree(tmpdir, 1);
	config_init(&cfg);
	err[0] = '\0';
}

static void teardown(void)
{
	config_free(&cfg);
}

/* tmpdir/name, in one of a few rotating buffers so a test can hold some. */
static const char *tmp_path(const char *name)
{
	static char bufs[4][512];
	static int n;
	char *b = bufs[n++ % 4];

	snprintf(b, sizeof(bufs[0]), "%s/%s", tmpdir, name);
	return b;
}

static const char *write_bytes(const char *name, const char *data, size_t len)
{
	const char *path = tmp_path(name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static const char *write_file(const char *name, const char *text)
{
	return write_bytes(name, text, strlen(text));
}

static const char *prefix_str(const struct xs_range *r, size_t i)
{
	static char buf[4][XS_CIDR_STRLEN];
	static int n;

	ck_assert_uint_lt(i, r->nprefixes);
	return cidr_format(&r->prefixes[i], buf[n++ % 4], sizeof(buf[0]));
}

static const struct xs_range *range_named(const char *name)
{
	size_t i;

	for (i = 0; i < cfg.nranges; i++)
		if (!strcmp(cfg.ranges[i].name, name))
			return &cfg.ranges[i];
	ck_abort_msg("no range named \"%s\"", name);
	return NULL;
}

START_TEST(test_json_good)
{
	const char *path;
	const struct xs_range *r;

	write_file("prefixes.txt",
		   "198.18.9.0/24 customer-a\n"
		   "198.18.2.0/24 customer-c\n");
	path = write_file("cfg.json",
			  "{\"interval_ms\": 500,\n"
			  " \"ranges\": [\n"
			  "   {\"name\": \"customer-a\", \"prefixes\": [\"198.18.0.0/24\", "
			  "\"2001:db8:a::/48\"]},\n"
			  "   {\"name\": \"customer-b\", \"prefixes\": [\"198.18.1.0/24\"]}],\n"
			  " \"ranges_file\": \"prefixes.txt\",\n"
			  " \"output\": {\"file\": \"/var/log/xdpscope.ndjson\"},\n"
			  " \"max_kernel_mem\": \"64M\"}\n");
	ck_assert_msg(config_load_json(&cfg, path, err, sizeof(err)) == 0, "err '%s'", err);
	ck_assert_msg(config_validate(&cfg, err, sizeof(err)) == 0, "err '%s'", err);

	ck_assert_uint_eq(cfg.interval_ms, 500);
	ck_assert_uint_eq(cfg.max_kernel_mem, 64ULL << 20);
	ck_assert_str_eq(cfg.output_file, "/var/log/xdpscope.ndjson");
	ck_assert_str_eq(cfg.source, path);

	/* JSON order first, then the file's new names; a known name merges. */
	ck_assert_uint_eq(cfg.nranges, 3);
	r = &cfg.ranges[0];
	ck_assert_str_eq(r->name, "customer-a");
	ck_assert_uint_eq(r->nprefixes, 3);
	ck_assert_str_eq(prefix_str(r, 0), "198.18.0.0/24");
	ck_assert_str_eq(prefix_str(r, 1), "2001:db8:a::/48");
	ck_assert_str_eq(prefix_str(r, 2), "198.18.9.0/24");
	r = &cfg.ranges[1];
	ck_assert_str_eq(r->name, "customer-b");
	ck_assert_uint_eq(r->nprefixes, 1);
	ck_assert_str_eq(prefix_str(r, 0), "198.18.1.0/24");
	r = &cfg.ranges[2];
	ck_assert_str_eq(r->name, "customer-c");
	ck_assert_str_eq(prefix_str(r, 0), "198.18.2.0/24");
}
END_TEST

START_TEST(test_json_defaults)
{
	const char *path = write_file("cfg.json", "{}");

	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.interval_ms, XS_DEFAULT_INTERVAL_MS);
	ck_assert_uint_eq(cfg.max_kernel_mem, XS_DEFAULT_MAX_KERNEL_MEM);
	ck_assert_ptr_null(cfg.output_file);
	ck_assert_uint_eq(cfg.nranges, 0);

	/* Loads, but a config that watches nothing is refused as a whole. */
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "expected at least one range (from the config, a prefix list "
			      "or --range), got none");
}
END_TEST

START_TEST(test_json_stats)
{
	const char *path = write_file("cfg.json",
				      "{\"stats\": {\"top_k\": 64, \"top\": [\"dport\", \"src\"],"
				      " \"hll_precision\": 8, \"top_buckets\": 1, \"pages\": 3,"
				      " \"stage_sets\": 256, \"export_sketches\": true,"
				      " \"enabled\": true}}");
	struct xs_sk_layout l;

	ck_assert_msg(config_load_json(&cfg, path, err, sizeof(err)) == 0, "err '%s'", err);
	ck_assert_int_eq(cfg.stats.enabled, 1);
	ck_assert_uint_eq(cfg.stats.top_k, 64);
	ck_assert_uint_eq(cfg.stats.dims, 1U << XS_DIM_DPORT | 1U << XS_DIM_SRC);
	ck_assert_uint_eq(cfg.stats.hll_precision, 8);
	ck_assert_uint_eq(cfg.stats.top_buckets, 1);
	ck_assert_uint_eq(cfg.stats.pages, 3);
	ck_assert_uint_eq(cfg.stats.stage_sets, 256);
	ck_assert_int_eq(cfg.stats.export_sketches, 1);

	/* The kernel layout: tracked dimensions in enum order, others -1. */
	skread_layout(&l, &cfg.stats, 10);
	ck_assert_uint_eq(l.nslots, 10);
	ck_assert_uint_eq(l.pages, 3);
	skread_layout(&l, &cfg.stats, 2);
	ck_assert_uint_eq(l.pages, 2);		/* no more pages than slots */
	ck_assert_uint_eq(l.ndims, 2);
	ck_assert_int_eq(l.dim_pos[XS_DIM_SRC], 0);
	ck_assert_int_eq(l.dim_pos[XS_DIM_DST], -1);
	ck_assert_int_eq(l.dim_pos[XS_DIM_DPORT], 1);
	ck_assert_int_eq(l.dim_pos[XS_DIM_SPORT], -1);
	config_free(&cfg);

	/* Defaults: on, every dimension, one page a slot up to the cap. */
	config_init(&cfg);
	ck_assert_int_eq(cfg.stats.enabled, 1);
	ck_assert_uint_eq(cfg.stats.dims, XS_STATS_DEFAULT_DIMS);
	ck_assert_uint_eq(cfg.stats.top_k, XS_STATS_TOP_K);
	ck_assert_uint_eq(cfg.stats.hll_precision, XS_STATS_HLL_P);
	ck_assert_uint_eq(config_pages(&cfg.stats, 22), 22);
	ck_assert_uint_eq(config_pages(&cfg.stats, 20002), XS_STATS_PAGES_MAX);
	cfg.stats.enabled = 0;
	skread_layout(&l, &cfg.stats, 22);
	ck_assert_uint_eq(l.nslots, 0);
	config_free(&cfg);

	path = write_file("cfg2.json", "{\"stats\": {\"top\": []}}");
	config_init(&cfg);
	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.stats.dims, 0);
}
END_TEST

START_TEST(test_json_rules)
{
	const char *path = write_file("cfg.json",
		"{\"ranges\": [{\"name\": \"a\", \"prefixes\": [\"198.18.0.0/24\"]},"
		"  {\"name\": \"b\", \"prefixes\": [\"198.18.1.0/24\"]}],"
		" \"rules\": [{\"name\": \"syn\", \"metric\": \"syn_pps/synack_pps\", \"dir\": \"both\","
		"   \"ranges\": [\"b\"], \"above\": {\"pct\": 50, \"of\": \"pps\", \"min\": 100},"
		"   \"and\": [{\"metric\": \"uniq_src\", \"above\": 10}], \"for_s\": 2, \"clear_s\": 7,"
		"   \"hysteresis\": 0.2},"
		"  {\"name\": \"spike\", \"metric\": \"bps\", \"baseline\": {\"window_s\": 60, "
		"   \"factor\": 4, \"min\": 1000}},"
		"  {\"name\": \"link\", \"metric\": \"bps\", \"above\": {\"pct\": 80, \"of\": \"link\"}}],"
		" \"alerts\": {\"exec\": [\"/bin/cat\", \"-u\"], \"exec_timeout_s\": 2, \"exec_max\": 3,"
		"   \"ongoing_s\": 0, \"top_n\": 2, \"max_hosts\": 3, \"check_ms\": 0, \"link_bps\": 1e9, \"state_file\": \"st.json\"}}");
	const struct xs_rule *r;
	char name[64];

	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), 0);
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.nrules, 3);
	r = &cfg.rules[0];
	ck_assert_str_eq(r->name, "syn");
	ck_assert_str_eq(config_expr_name(&r->cond.m, name, sizeof(name)), "syn_pps/synack_pps");
	ck_assert_uint_eq(r->dirs, XS_RULE_DIR_IN | XS_RULE_DIR_OUT);
	ck_assert_uint_eq(r->nranges, 1);
	ck_assert_str_eq(r->ranges[0], "b");
	ck_assert_int_eq(r->cond.t.is_pct, 1);
	ck_assert_int_eq(r->cond.t.of.num, XS_M_PPS);
	ck_assert_double_eq(r->cond.t.min, 100);
	ck_assert_uint_eq(r->nand, 1);
	ck_assert_int_eq(r->and_conds[0].m.num, XS_M_UNIQ_SRC);
	ck_assert_double_eq(r->for_s, 2);
	ck_assert_double_eq(r->clear_s, 7);
	ck_assert_double_eq(r->hysteresis, 0.2);
	r = &cfg.rules[1];
	ck_assert_int_eq(r->has_baseline, 1);
	ck_assert_double_eq(r->bl.window_s, 60);
	ck_assert_double_eq(r->bl.warmup_s, 60);	/* defaults to the window */
	ck_assert_double_eq(r->bl.factor, 4);
	ck_assert_uint_eq(r->dirs, XS_RULE_DIR_IN);
	ck_assert_double_eq(r->clear_s, XS_RULE_CLEAR_S);
	ck_assert_int_eq(cfg.rules[2].cond.t.of_link, 1);
	ck_assert_str_eq(cfg.alerts.exec_argv[0], "/bin/cat");
	ck_assert_str_eq(cfg.alerts.exec_argv[1], "-u");
	ck_assert_ptr_null(cfg.alerts.exec_argv[2]);
	ck_assert_uint_eq(cfg.alerts.exec_max, 3);
	ck_assert_uint_eq(cfg.alerts.top_n, 2);
	ck_assert_uint_eq(cfg.alerts.max_hosts, 3);
	ck_assert_uint_eq(cfg.alerts.check_ms, 0);
	ck_assert_double_eq(cfg.alerts.ongoing_s, 0);
	ck_assert_str_eq(cfg.alerts.state_file, "st.json");

	/* What needs the rest of the config: an unknown range, sketches off
	 * under uniq_src, a host list not kept, a link speed not given. */
	free(cfg.rules[0].ranges[0]);
	cfg.rules[0].ranges[0] = strdup("c");
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "rule \"syn\": expected ranges that exist, got \"c\"");
	free(cfg.rules[0].ranges[0]);
	cfg.rules[0].ranges[0] = strdup("a");
	cfg.stats.enabled = 0;
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "rule \"syn\": metric uniq_src needs stats.enabled");
	cfg.stats.enabled = 1;
	ck_assert_int_eq(config_expr("host_pps", &cfg.rules[1].cond.m), 0);
	cfg.stats.dims = 1U << XS_DIM_SRC;
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "rule \"spike\": metric host_pps needs the top list of the range's "
			 "hosts (stats.top with \"dst\" for dir in, \"src\" for dir out)");
	ck_assert_int_eq(config_expr("host_syn_pps", &cfg.rules[1].cond.m), 0);
	cfg.stats.dims = XS_STATS_DEFAULT_DIMS;
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "rule \"spike\": metric host_syn_pps needs the list of the range's "
			 "hosts by SYN (\"syn\" in stats.top)");
	cfg.stats.dims = XS_STATS_DEFAULT_DIMS | 1U << XS_DIM_SYN;
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), 0);
	ck_assert_int_eq(config_expr("host_pps", &cfg.rules[1].cond.m), 0);
	cfg.stats.dims = XS_STATS_DEFAULT_DIMS;
	cfg.alerts.link_bps = 0;
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "rule \"link\": a threshold of \"link\" needs alerts.link_bps");
}
END_TEST

START_TEST(test_json_limits)
{
	const char *path = write_file("cfg.json",
				      "{\"interval_ms\": 10, \"max_kernel_mem\": 1,"
				      " \"ranges\": [{\"name\": \"a\", \"prefixes\": [\"::/0\"]}]}");

	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.interval_ms, 10);
	ck_assert_uint_eq(cfg.max_kernel_mem, 1);
	config_free(&cfg);

	path = write_file("cfg2.json", "{\"interval_ms\": 3600000, \"max_kernel_mem\": \"2G\"}");
	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.interval_ms, 3600000);
	ck_assert_uint_eq(cfg.max_kernel_mem, 2ULL << 30);
}
END_TEST

/* Same-range repeats, however written, are kept once. */
START_TEST(test_json_dedup_in_range)
{
	const char *path = write_file("cfg.json",
				      "{\"ranges\": [{\"name\": \"a\", \"prefixes\": "
				      "[\"2001:db8::/32\", \"198.18.0.0/24\", \"2001:DB8::/32\","
				      " \"2001:0db8:0::/32\", \"198.18.0.0/24\"]},"
				      " {\"name\": \"a\", \"prefixes\": [\"198.18.0.0/24\"]}]}");

	ck_assert_msg(config_load_json(&cfg, path, err, sizeof(err)) == 0, "err '%s'", err);
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.nranges, 1);
	ck_assert_uint_eq(cfg.ranges[0].nprefixes, 2);
	ck_assert_str_eq(prefix_str(&cfg.ranges[0], 0), "2001:db8::/32");
	ck_assert_str_eq(prefix_str(&cfg.ranges[0], 1), "198.18.0.0/24");
}
END_TEST

/* Top keys as Prometheus series: none by default, else named ranges (that
 * exist, at most 64) and 1..3 keys a list. */
/* $.sflow: the agents accepted, the views. */
START_TEST(test_json_sflow)
{
	const char *path;

	ck_assert_uint_eq(cfg.sflow.nagents, 0);
	ck_assert_int_eq(cfg.sflow.views, XS_SFLOW_VIEW_NONE);
	ck_assert_uint_eq(cfg.sflow.max_views, XS_SFLOW_VIEWS_DEFAULT);
	path = write_file("cfg.json", "{\"sflow\": {\"agents\": [\"198.18.0.0/24\", "
			  "\"2001:db8::/32\"], \"views\": \"ifindex\", \"max_views\": 5}}");
	ck_assert_msg(config_load_json(&cfg, path, err, sizeof(err)) == 0, "err '%s'", err);
	ck_assert_uint_eq(cfg.sflow.nagents, 2);
	ck_assert_uint_eq(cfg.sflow.agents[0].family, 4);
	ck_assert_uint_eq(cfg.sflow.agents[0].len, 24);
	ck_assert_uint_eq(cfg.sflow.agents[1].family, 6);
	ck_assert_int_eq(cfg.sflow.views, XS_SFLOW_VIEW_IFINDEX);
	ck_assert_uint_eq(cfg.sflow.max_views, 5);
}
END_TEST

START_TEST(test_json_metrics)
{
	const char *path;
	char *json, *p;
	size_t i;

	ck_assert_uint_eq(cfg.metrics.ntop_ranges, 0);
	ck_assert_ptr_null(cfg.metrics.top_ranges);
	ck_assert_uint_eq(cfg.metrics.top_n, 3);
	path = write_file("cfg.json",
			  "{\"ranges\": [{\"name\": \"a\", \"prefixes\": [\"198.18.0.0/24\"]},\n"
			  "  {\"name\": \"b\", \"prefixes\": [\"198.18.1.0/24\"]},\n"
			  "  {\"name\": \"c d\", \"prefixes\": [\"198.18.2.0/24\"]}],\n"
			  " \"metrics\": {\"top_ranges\": [\"c d\", \"a\"], \"top_n\": 2}}");
	ck_assert_msg(config_load_json(&cfg, path, err, sizeof(err)) == 0, "err '%s'", err);
	ck_assert_msg(config_validate(&cfg, err, sizeof(err)) == 0, "err '%s'", err);
	ck_assert_uint_eq(cfg.metrics.ntop_ranges, 2);
	ck_assert_str_eq(cfg.metrics.top_ranges[0], "c d");
	ck_assert_str_eq(cfg.metrics.top_ranges[1], "a");
	ck_assert_uint_eq(cfg.metrics.top_n, 2);

	/* Checked against the ranges once every source is in. */
	free(cfg.metrics.top_ranges[1]);
	cfg.metrics.top_ranges[1] = strdup("e");
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "metrics.top_ranges: expected ranges that exist, got \"e\"");
	free(cfg.metrics.top_ranges[1]);
	cfg.metrics.top_ranges[1] = strdup("b");
	cfg.stats.enabled = 0;
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "metrics.top_ranges: the top lists need stats.enabled");
	config_free(&cfg);
	ck_assert_uint_eq(cfg.metrics.ntop_ranges, 0);

	/* An empty list is the default; 64 names at most. */
	path = write_file("cfg.json", "{\"metrics\": {\"top_ranges\": []}}");
	ck_assert_msg(config_load_json(&cfg, path, err, sizeof(err)) == 0, "err '%s'", err);
	ck_assert_uint_eq(cfg.metrics.ntop_ranges, 0);
	ck_assert_uint_eq(cfg.metrics.top_n, 3);
	config_free(&cfg);
	json = malloc(64 * 66 + 64);
	ck_assert_ptr_nonnull(json);
	p = json + sprintf(json, "{\"metrics\": {\"top_ranges\": [\"r0\"");
	for (i = 1; i < 64; i++)
		p += sprintf(p, ", \"r%zu\"", i);
	strcpy(p, "]}}");
	path = write_file("cfg.json", json);
	ck_assert_msg(config_load_json(&cfg, path, err, sizeof(err)) == 0, "err '%s'", err);
	ck_assert_uint_eq(cfg.metrics.ntop_ranges, 64);
	ck_assert_str_eq(cfg.metrics.top_ranges[63], "r63");
	config_free(&cfg);
	strcpy(p, ", \"r64\"]}}");
	path = write_file("cfg.json", json);
	free(json);
	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, ": $.metrics.top_ranges: expected at most 64 range names, got 65"),
		      "err '%s'", err);
}
END_TEST

/* Mitigation: off unless told; the defaults README "Mitigation" gives. */
START_TEST(test_json_mitigation)
{
	const char *path = write_file("cfg.json", "{}");
	char buf[XS_CIDR_STRLEN];

	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.mitigation.enabled, 0);
	ck_assert_int_eq(cfg.mitigation.dry_run, 0);
	ck_assert_uint_eq(cfg.mitigation.nallow, 0);
	ck_assert_uint_eq(cfg.mitigation.max_filters, 64);
	ck_assert(cfg.mitigation.max_share == 1.0);
	ck_assert_uint_eq(cfg.mitigation.ttl_s, 600);
	ck_assert_uint_eq(cfg.mitigation.hold_s, 30);
	config_free(&cfg);
	path = write_file("cfg.json", "{\"mitigation\": {\"enabled\": true, \"dry_run\": true, "
			  "\"allow\": [\"198.18.9.0/24\", \"2001:db8:9::/48\"], \"max_filters\": 8, "
			  "\"max_share\": 0.5, \"ttl_s\": 60, \"hold_s\": 0}}");
	ck_assert_msg(config_load_json(&cfg, path, err, sizeof(err)) == 0, "err '%s'", err);
	ck_assert_int_eq(cfg.mitigation.enabled, 1);
	ck_assert_int_eq(cfg.mitigation.dry_run, 1);
	ck_assert_uint_eq(cfg.mitigation.nallow, 2);
	ck_assert_str_eq(cidr_format(&cfg.mitigation.allow[0], buf, sizeof(buf)), "198.18.9.0/24");
	ck_assert_str_eq(cidr_format(&cfg.mitigation.allow[1], buf, sizeof(buf)),
			 "2001:db8:9::/48");
	ck_assert_uint_eq(cfg.mitigation.max_filters, 8);
	ck_assert(cfg.mitigation.max_share == 0.5);
	ck_assert_uint_eq(cfg.mitigation.ttl_s, 60);
	ck_assert_uint_eq(cfg.mitigation.hold_s, 0);
}
END_TEST

/* The program takes the mitigation settings at load: a reload that
 * changes them is refused, naming them. */
START_TEST(test_mitigation_fixed)
{
	struct xs_config b;
	const char *path = write_file("cfg.json", "{\"mitigation\": {\"enabled\": true, "
				      "\"allow\": [\"198.18.9.0/24\"]}}");

	config_init(&b);
	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), 0);
	ck_assert_int_eq(config_load_json(&b, path, err, sizeof(err)), 0);
	ck_assert_ptr_null(config_fixed_diff(&cfg, &b));
	b.mitigation.allow[0].len = 25;
	ck_assert_str_eq(config_fixed_diff(&cfg, &b), "mitigation");
	b.mitigation.allow[0].len = 24;
	b.mitigation.dry_run = 1;
	ck_assert_str_eq(config_fixed_diff(&cfg, &b), "mitigation");
	b.mitigation.dry_run = 0;
	b.mitigation.max_share = 0.5;
	ck_assert_str_eq(config_fixed_diff(&cfg, &b), "mitigation");
	config_free(&b);
}
END_TEST

struct json_bad_row {
	const char *json;
	int ret;
	const char *err;	/* after the config's path */
};

static const struct json_bad_row json_bad_rows[] = {
	/* Syntax: file:line:column and jansson's reason. */
	{ "{\"interval_ms\": 1000,\n \"ranges\": [}", -EINVAL,
	  ":2:13: invalid JSON: unexpected token near '}'" },
	{ "{\"interval_ms\": 20, \"interval_ms\": 30}", -EINVAL,
	  ":1:33: invalid JSON: duplicate object key near '\"interval_ms\"'" },
	{ "", -EINVAL, ":1:0: invalid JSON: '[' or '{' expected near end of file" },
	{ "{} {}", -EINVAL, ":1:4: invalid JSON: end of file expected near '{'" },
	{ "{\"ranges\": [{\"name\": \"a\\u0000b\", \"prefixes\": []}]}", -EINVAL,
	  ":1:31: invalid JSON: \\u0000 is not allowed without JSON_ALLOW_NUL near "
	  "'\"a\\u0000b\"'" },

	{ "[]", -EINVAL, ": $: expected an object, got an array" },

	{ "{\"intervall_ms\": 1000}", -EINVAL,
	  ": $.intervall_ms: unknown key (expected one of: interval_ms, max_kernel_mem, output, "
	  "ranges, ranges_file, stats, rules, alerts, metrics, mitigation, sflow)" },
	{ "{\"a b\": 1}", -EINVAL,
	  ": $[\"a b\"]: unknown key (expected one of: interval_ms, max_kernel_mem, output, "
	  "ranges, ranges_file, stats, rules, alerts, metrics, mitigation, sflow)" },
	{ "{\"stats\": 1}", -EINVAL, ": $.stats: expected an object, got 1" },
	{ "{\"stats\": {\"topk\": 1}}", -EINVAL,
	  ": $.stats.topk: unknown key (expected one of: enabled, top_k, top, hll_precision, "
	  "top_buckets, pages, stage_sets, flows, storm_flows, storm_sample, export_sketches)" },
	{ "{\"stats\": {\"flows\": 128}}", -EINVAL,
	  ": $.stats.flows: expected 0 (no flow cache) or a power of 2 256..1048576, got 128" },
	{ "{\"stats\": {\"flows\": 3000}}", -EINVAL,
	  ": $.stats.flows: expected an integer 0..1048576 and a power of 2, got 3000" },
	{ "{\"stats\": {\"storm_flows\": -1}}", -EINVAL,
	  ": $.stats.storm_flows: expected an integer 0..4294967295, got -1" },
	{ "{\"stats\": {\"storm_sample\": 12}}", -EINVAL,
	  ": $.stats.storm_sample: expected an integer 1..1024 and a power of 2, got 12" },
	{ "{\"stats\": {\"storm_sample\": 2048}}", -EINVAL,
	  ": $.stats.storm_sample: expected an integer 1..1024 and a power of 2, got 2048" },
	{ "{\"stats\": {\"top_k\": 0}}", -EINVAL,
	  ": $.stats.top_k: expected an integer 1..64, got 0" },
	{ "{\"stats\": {\"top_k\": 65}}", -EINVAL,
	  ": $.stats.top_k: expected an integer 1..64, got 65" },
	{ "{\"stats\": {\"top_k\": \"10\"}}", -EINVAL,
	  ": $.stats.top_k: expected an integer 1..64, got \"10\"" },
	{ "{\"stats\": {\"hll_precision\": 17}}", -EINVAL,
	  ": $.stats.hll_precision: expected an integer 8..16, got 17" },
	{ "{\"stats\": {\"hll_precision\": 7}}", -EINVAL,
	  ": $.stats.hll_precision: expected an integer 8..16, got 7" },
	{ "{\"stats\": {\"top_buckets\": 3}}", -EINVAL,
	  ": $.stats.top_buckets: expected an integer 1..65536 and a power of 2, got 3" },
	{ "{\"stats\": {\"stage_sets\": 128}}", -EINVAL,
	  ": $.stats.stage_sets: expected an integer 256..1048576 and a power of 2, got 128" },
	{ "{\"stats\": {\"pages\": 0}}", -EINVAL,
	  ": $.stats.pages: expected an integer 1..65536, got 0" },
	{ "{\"stats\": {\"export_sketches\": 1}}", -EINVAL,
	  ": $.stats.export_sketches: expected true or false, got 1" },
	{ "{\"stats\": {\"enabled\": \"no\"}}", -EINVAL,
	  ": $.stats.enabled: expected true or false, got \"no\"" },
	{ "{\"stats\": {\"top\": \"src\"}}", -EINVAL,
	  ": $.stats.top: expected an array of \"src\", \"dst\", \"dport\", \"sport\", \"syn\", got \"src\"" },
	{ "{\"stats\": {\"top\": [\"src\", \"proto\"]}}", -EINVAL,
	  ": $.stats.top[1]: expected \"src\", \"dst\", \"dport\", \"sport\" or \"syn\", got \"proto\"" },
	{ "{\"stats\": {\"top\": [\"dst\", \"dst\"]}}", -EINVAL,
	  ": $.stats.top[1]: expected each dimension once, got dst twice" },
	{ "{\"output\": {\"path\": \"x\"}}", -EINVAL,
	  ": $.output.path: unknown key (expected one of: file, clickhouse, influx)" },
	{ "{\"ranges\": [{\"name\": \"a\", \"prefixes\": [\"198.18.0.0/24\"], \"prefix\": 1}]}",
	  -EINVAL, ": $.ranges[0].prefix: unknown key (expected one of: name, prefixes)" },

	{ "{\"interval_ms\": \"fast\"}", -EINVAL,
	  ": $.interval_ms: expected an integer 10..3600000, got \"fast\"" },
	{ "{\"interval_ms\": 9}", -EINVAL,
	  ": $.interval_ms: expected an integer 10..3600000, got 9" },
	{ "{\"interval_ms\": 3600001}", -EINVAL,
	  ": $.interval_ms: expected an integer 10..3600000, got 3600001" },
	{ "{\"interval_ms\": -1000}", -EINVAL,
	  ": $.interval_ms: expected an integer 10..3600000, got -1000" },
	{ "{\"interval_ms\": 1000.5}", -EINVAL,
	  ": $.interval_ms: expected an integer 10..3600000, got 1000.5" },
	{ "{\"interval_ms\": true}", -EINVAL,
	  ": $.interval_ms: expected an integer 10..3600000, got true" },
	{ "{\"interval_ms\": null}", -EINVAL,
	  ": $.interval_ms: expected an integer 10..3600000, got null" },

	{ "{\"max_kernel_mem\": \"12Q\"}", -EINVAL,
	  ": $.max_kernel_mem: expected bytes above 0 as an integer or a string like \"256M\", "
	  "got \"12Q\"" },
	{ "{\"max_kernel_mem\": 0}", -EINVAL,
	  ": $.max_kernel_mem: expected bytes above 0 as an integer or a string like \"256M\", "
	  "got 0" },
	{ "{\"max_kernel_mem\": \"0M\"}", -EINVAL,
	  ": $.max_kernel_mem: expected bytes above 0 as an integer or a string like \"256M\", "
	  "got \"0M\"" },
	{ "{\"max_kernel_mem\": -5}", -EINVAL,
	  ": $.max_kernel_mem: expected bytes above 0 as an integer or a string like \"256M\", "
	  "got -5" },
	{ "{\"max_kernel_mem\": [1]}", -EINVAL,
	  ": $.max_kernel_mem: expected bytes above 0 as an integer or a string like \"256M\", "
	  "got an array" },

	{ "{\"output\": \"x.ndjson\"}", -EINVAL,
	  ": $.output: expected an object, got \"x.ndjson\"" },
	{ "{\"output\": {\"file\": \"\"}}", -EINVAL,
	  ": $.output.file: expected a file name, got \"\"" },
	{ "{\"output\": {\"file\": 1}}", -EINVAL, ": $.output.file: expected a file name, got 1" },
	{ "{\"output\": {\"clickhouse\": \"http://x\"}}", -EINVAL,
	  ": $.output.clickhouse: expected an object, got \"http://x\"" },
	{ "{\"output\": {\"clickhouse\": {\"url\": \"ftp://x\"}}}", -EINVAL,
	  ": $.output.clickhouse.url: expected http://HOST:PORT or https://HOST:PORT, got \"ftp://x\"" },
	{ "{\"output\": {\"clickhouse\": {\"urls\": 1}}}", -EINVAL,
	  ": $.output.clickhouse.urls: unknown key (expected one of: url, database, user, password, "
	  "password_file, table_prefix, ca_file, cert_file, key_file, insecure, sketch_interval_s, "
	  "hll_precision, buffer)" },
	{ "{\"output\": {\"clickhouse\": {\"database\": \"x; DROP\"}}}", -EINVAL,
	  ": $.output.clickhouse.database: expected a database name (letters, digits, '_', 64 at "
	  "most), got \"x; DROP\"" },
	{ "{\"output\": {\"clickhouse\": {\"table_prefix\": \"a-b\"}}}", -EINVAL,
	  ": $.output.clickhouse.table_prefix: expected a table name prefix (letters, digits, '_', "
	  "64 at most), got \"a-b\"" },
	{ "{\"output\": {\"clickhouse\": {\"user\": \"a:b\"}}}", -EINVAL,
	  ": $.output.clickhouse.user: expected a user name without ':', got \"a:b\"" },
	{ "{\"output\": {\"clickhouse\": {\"sketch_interval_s\": 0}}}", -EINVAL,
	  ": $.output.clickhouse.sketch_interval_s: expected an integer from 1 to 3600, got 0" },
	{ "{\"output\": {\"clickhouse\": {\"hll_precision\": 17}}}", -EINVAL,
	  ": $.output.clickhouse.hll_precision: expected an integer from 8 to 16, got 17" },
	{ "{\"output\": {\"clickhouse\": {\"insecure\": 1}}}", -EINVAL,
	  ": $.output.clickhouse.insecure: expected true or false, got 1" },
	{ "{\"output\": {\"clickhouse\": {\"buffer\": \"10K\"}}}", -EINVAL,
	  ": $.output.clickhouse.buffer: expected 1M or more as bytes or a string like \"64M\", got "
	  "\"10K\"" },
	{ "{\"output\": {\"clickhouse\": {\"password\": \"a\", \"password_file\": \"/x\"}}}",
	  -EINVAL, ": $.output.clickhouse.password_file: expected either password or password_file, "
	  "got both" },
	{ "{\"output\": {\"clickhouse\": {\"password_file\": \"/nonexistent/pw\"}}}", -EINVAL,
	  ": $.output.clickhouse.password_file: expected a readable file, got \"/nonexistent/pw\": "
	  "No such file or directory" },

	{ "{\"ranges\": {}}", -EINVAL, ": $.ranges: expected an array of ranges, got an object" },
	{ "{\"ranges\": [\"198.18.0.0/24\"]}", -EINVAL,
	  ": $.ranges[0]: expected an object with \"name\" and \"prefixes\", got "
	  "\"198.18.0.0/24\"" },
	{ "{\"ranges\": [{\"prefixes\": [\"198.18.0.0/24\"]}]}", -EINVAL,
	  ": $.ranges[0]: expected an object with \"name\" and \"prefixes\", got no \"name\"" },
	{ "{\"ranges\": [{\"name\": \"a\"}]}", -EINVAL,
	  ": $.ranges[0]: expected an object with \"name\" and \"prefixes\", got no "
	  "\"prefixes\"" },
	{ "{\"ranges\": [{\"name\": 5, \"prefixes\": [\"198.18.0.0/24\"]}]}", -EINVAL,
	  ": $.ranges[0].name: expected a range name, got 5" },
	{ "{\"ranges\": [{\"name\": \"\", \"prefixes\": [\"198.18.0.0/24\"]}]}", -EINVAL,
	  ": $.ranges[0].name: expected a range name of 1..127 printable ASCII characters "
	  "without quotes, backslashes or a space at either end, got \"\"" },
	{ "{\"ranges\": [{\"name\": \"a\\\"b\", \"prefixes\": [\"198.18.0.0/24\"]}]}", -EINVAL,
	  ": $.ranges[0].name: expected a range name of 1..127 printable ASCII characters "
	  "without quotes, backslashes or a space at either end, got \"a\\\"b\"" },
	{ "{\"ranges\": [{\"name\": \"a\\tb\", \"prefixes\": [\"198.18.0.0/24\"]}]}", -EINVAL,
	  ": $.ranges[0].name: expected a range name of 1..127 printable ASCII characters "
	  "without quotes, backslashes or a space at either end, got \"a\\x09b\"" },
	{ "{\"ranges\": [{\"name\": \"a\", \"prefixes\": []}]}", -EINVAL,
	  ": $.ranges[0].prefixes: expected a non-empty array of CIDRs, got []" },
	{ "{\"ranges\": [{\"name\": \"a\", \"prefixes\": \"198.18.0.0/24\"}]}", -EINVAL,
	  ": $.ranges[0].prefixes: expected a non-empty array of CIDRs, got \"198.18.0.0/24\"" },
	{ "{\"ranges\": [{\"name\": \"a\", \"prefixes\": [\"198.18.0.0/24\", 5]}]}", -EINVAL,
	  ": $.ranges[0].prefixes[1]: expected a CIDR string, got 5" },
	/* The example of config.h, word for word. */
	{ "{\"ranges\": [{\"name\": \"a\", \"prefixes\": [\"198.18.0.0/24\"]},\n"
	  "  {\"name\": \"b\", \"prefixes\": [\"198.18.1.0/24\"]},\n"
	  "  {\"name\": \"c\", \"prefixes\": [\"198.18.2.0/24\"]},\n"
	  "  {\"name\": \"d\", \"prefixes\": [\"198.18.0.0/33\"]}]}", -EINVAL,
	  ": $.ranges[3].prefixes[0]: expected a CIDR, got \"198.18.0.0/33\"" },
	{ "{\"ranges\": [{\"name\": \"a\", \"prefixes\": [\"198.18.0.0/24\", \"198.18.0.1/24\"]}]}",
	  -EINVAL, ": $.ranges[0].prefixes[1]: host bits set in \"198.18.0.1/24\" (did you mean "
	  "198.18.0.0/24?)" },
	{ "{\"ranges\": [{\"name\": \"a\", \"prefixes\": [\"fe80::1%eth0\"]}]}", -EINVAL,
	  ": $.ranges[0].prefixes[0]: expected a CIDR without a zone id, got \"fe80::1%eth0\"" },

	{ "{\"ranges_file\": 7}", -EINVAL, ": $.ranges_file: expected a file name, got 7" },
	{ "{\"ranges_file\": \"\"}", -EINVAL, ": $.ranges_file: expected a file name, got \"\"" },

	/* Rules and alerts. */
	{ "{\"rules\": {}}", -EINVAL,
	  ": $.rules: expected an array of at most 1024 rules, got an object" },
	{ "{\"rules\": [{\"metric\": \"pps\", \"above\": 1}]}", -EINVAL,
	  ": $.rules[0].name: expected a rule name, got none" },
	{ "{\"rules\": [{\"name\": \"r\", \"above\": 1}]}", -EINVAL,
	  ": $.rules[0]: expected a \"metric\"" },
	{ "{\"rules\": [{\"name\": \"r\", \"metric\": \"ppx\", \"above\": 1}]}", -EINVAL,
	  ": $.rules[0].metric: expected a metric (pps, bps, syn_pps, uniq_src, host_pps, ... "
	  "or a ratio like \"syn_pps/synack_pps\"), got \"ppx\"" },
	{ "{\"rules\": [{\"name\": \"r\", \"metric\": \"syn_pps/\", \"above\": 1}]}", -EINVAL,
	  ": $.rules[0].metric: expected a metric (pps, bps, syn_pps, uniq_src, host_pps, ... "
	  "or a ratio like \"syn_pps/synack_pps\"), got \"syn_pps/\"" },
	{ "{\"rules\": [{\"name\": \"r\", \"metric\": \"pps\"}]}", -EINVAL,
	  ": $.rules[0]: expected \"above\", \"below\" or \"baseline\"" },
	{ "{\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": 1, \"below\": 2}]}",
	  -EINVAL, ": $.rules[0]: expected one of \"above\" and \"below\", got both" },
	{ "{\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": 1, "
	  "\"baseline\": {\"factor\": 3}}]}",
	  -EINVAL, ": $.rules[0]: expected \"above\", \"below\" or \"baseline\", got more than one" },
	{ "{\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": -1}]}", -EINVAL,
	  ": $.rules[0].above: expected a number >= 0 or {\"pct\", \"of\", \"min\"}, got -1" },
	{ "{\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": {\"pct\": 5}}]}", -EINVAL,
	  ": $.rules[0].above: expected both \"pct\" and \"of\"" },
	{ "{\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": {\"pct\": 5, "
	  "\"of\": \"pps\", \"floor\": 1}}]}", -EINVAL,
	  ": $.rules[0].above.floor: unknown key (expected one of: pct, of, min)" },
	{ "{\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"baseline\": {\"window_s\": 60}}]}",
	  -EINVAL, ": $.rules[0].baseline: expected \"factor\" or \"k\" (or both)" },
	{ "{\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"baseline\": {\"factor\": 0.5}}]}",
	  -EINVAL, ": $.rules[0].baseline.factor: expected a number 1..1e+06, got 0.5" },
	{ "{\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": 1, \"dir\": \"up\"}]}",
	  -EINVAL, ": $.rules[0].dir: expected \"in\", \"out\" or \"both\", got \"up\"" },
	{ "{\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": 1, \"for_s\": -1}]}",
	  -EINVAL, ": $.rules[0].for_s: expected a number 0..86400, got -1" },
	{ "{\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": 1, \"ranges\": []}]}",
	  -EINVAL, ": $.rules[0].ranges: expected a non-empty array of range names, got an array" },
	{ "{\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": 1, \"and\": "
	  "[{\"metric\": \"uniq_src\"}]}]}",
	  -EINVAL, ": $.rules[0].and[0]: expected \"above\" or \"below\"" },
	{ "{\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": 1, \"and\": "
	  "[{\"metric\": \"uniq_src\", \"above\": 1, \"for_s\": 3}]}]}",
	  -EINVAL, ": $.rules[0].and[0].for_s: unknown key (expected one of: metric, above, below)" },
	{ "{\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": 1},"
	  " {\"name\": \"r\", \"metric\": \"bps\", \"above\": 1}]}",
	  -EINVAL, ": $.rules[1].name: expected a name no other rule has, got \"r\" (also "
	  "$.rules[0])" },
	{ "{\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": 1, \"typo\": 1}]}",
	  -EINVAL, ": $.rules[0].typo: unknown key (expected one of: name, metric, dir, ranges, "
	  "above, below, baseline, and, for_s, clear_s, hysteresis, mitigate)" },
	{ "{\"alerts\": {\"exec\": \"on-alert\"}}", -EINVAL,
	  ": $.alerts.exec: expected an absolute path, got \"on-alert\"" },
	{ "{\"alerts\": {\"exec\": []}}", -EINVAL,
	  ": $.alerts.exec: expected a program path or an array [path, arg, ...], got an array" },
	{ "{\"alerts\": {\"exec_max\": 2.5}}", -EINVAL,
	  ": $.alerts.exec_max: expected an integer, got 2.5" },
	{ "{\"alerts\": {\"check_ms\": 5}}", -EINVAL,
	  ": $.alerts.check_ms: expected 0 (off) or an integer 10..60000, got 5" },
	{ "{\"alerts\": {\"check_ms\": 60001}}", -EINVAL,
	  ": $.alerts.check_ms: expected a number 0..60000, got 60001" },
	{ "{\"alerts\": {\"max_hosts\": 0}}", -EINVAL,
	  ": $.alerts.max_hosts: expected a number 1..64, got 0" },
	{ "{\"alerts\": {\"max_hosts\": 1.5}}", -EINVAL,
	  ": $.alerts.max_hosts: expected an integer, got 1.5" },
	{ "{\"alerts\": {\"exec_timeout_s\": 0}}", -EINVAL,
	  ": $.alerts.exec_timeout_s: expected a number 0.01..3600, got 0" },
	{ "{\"alerts\": {\"state_file\": \"\"}}", -EINVAL,
	  ": $.alerts.state_file: expected a file name, got \"\"" },
	/* Prometheus top keys (metrics). */
	{ "{\"metrics\": 1}", -EINVAL, ": $.metrics: expected an object, got 1" },
	{ "{\"metrics\": {\"top_keys\": 3}}", -EINVAL,
	  ": $.metrics.top_keys: unknown key (expected one of: top_ranges, top_n)" },
	{ "{\"metrics\": {\"top_n\": 0}}", -EINVAL,
	  ": $.metrics.top_n: expected an integer 1..3, got 0" },
	{ "{\"metrics\": {\"top_n\": 4}}", -EINVAL,
	  ": $.metrics.top_n: expected an integer 1..3, got 4" },
	{ "{\"metrics\": {\"top_n\": \"3\"}}", -EINVAL,
	  ": $.metrics.top_n: expected an integer 1..3, got \"3\"" },
	{ "{\"metrics\": {\"top_ranges\": \"a\"}}", -EINVAL,
	  ": $.metrics.top_ranges: expected an array of at most 64 range names, got \"a\"" },
	{ "{\"metrics\": {\"top_ranges\": [5]}}", -EINVAL,
	  ": $.metrics.top_ranges[0]: expected a range name, got 5" },
	{ "{\"metrics\": {\"top_ranges\": [\"a\", \" b\"]}}", -EINVAL,
	  ": $.metrics.top_ranges[1]: expected a range name of 1..127 printable ASCII characters "
	  "without quotes, backslashes or a space at either end, got \" b\"" },
	{ "{\"metrics\": {\"top_ranges\": [\"a\", \"b\", \"a\"]}}", -EINVAL,
	  ": $.metrics.top_ranges[2]: expected each range once, got \"a\" twice" },
	/* Mitigation (config_mitig.c). */
	{ "{\"mitigation\": true}", -EINVAL, ": $.mitigation: expected an object, got true" },
	{ "{\"mitigation\": {\"enable\": true}}", -EINVAL,
	  ": $.mitigation.enable: unknown key (expected one of: enabled, dry_run, allow, "
	  "max_filters, max_share, ttl_s, hold_s)" },
	{ "{\"mitigation\": {\"enabled\": 1}}", -EINVAL,
	  ": $.mitigation.enabled: expected true or false, got 1" },
	{ "{\"mitigation\": {\"dry_run\": \"yes\"}}", -EINVAL,
	  ": $.mitigation.dry_run: expected true or false, got \"yes\"" },
	{ "{\"mitigation\": {\"allow\": \"198.18.0.0/24\"}}", -EINVAL,
	  ": $.mitigation.allow: expected an array of at most 1024 CIDR prefixes, "
	  "got \"198.18.0.0/24\"" },
	{ "{\"mitigation\": {\"allow\": [\"198.18.0.0/24\", 7]}}", -EINVAL,
	  ": $.mitigation.allow[1]: expected a CIDR prefix, got 7" },
	{ "{\"mitigation\": {\"allow\": [\"198.18.0.0/33\"]}}", -EINVAL,
	  ": $.mitigation.allow[0]: expected a CIDR, got \"198.18.0.0/33\"" },
	{ "{\"mitigation\": {\"max_filters\": 0}}", -EINVAL,
	  ": $.mitigation.max_filters: expected an integer 1..4096, got 0" },
	{ "{\"mitigation\": {\"max_filters\": 4097}}", -EINVAL,
	  ": $.mitigation.max_filters: expected an integer 1..4096, got 4097" },
	{ "{\"mitigation\": {\"max_share\": 0}}", -EINVAL,
	  ": $.mitigation.max_share: expected a number above 0 and at most 1, got 0" },
	{ "{\"mitigation\": {\"max_share\": 1.5}}", -EINVAL,
	  ": $.mitigation.max_share: expected a number above 0 and at most 1, got 1.5" },
	{ "{\"mitigation\": {\"max_share\": \"0.5\"}}", -EINVAL,
	  ": $.mitigation.max_share: expected a number above 0 and at most 1, got \"0.5\"" },
	{ "{\"mitigation\": {\"ttl_s\": 0}}", -EINVAL,
	  ": $.mitigation.ttl_s: expected an integer 1..604800, got 0" },
	{ "{\"mitigation\": {\"ttl_s\": 60.5}}", -EINVAL,
	  ": $.mitigation.ttl_s: expected an integer 1..604800, got 60.5" },
	{ "{\"mitigation\": {\"hold_s\": -1}}", -EINVAL,
	  ": $.mitigation.hold_s: expected an integer 0..86400, got -1" },
	{ "{\"mitigation\": {\"hold_s\": 86401}}", -EINVAL,
	  ": $.mitigation.hold_s: expected an integer 0..86400, got 86401" },
	{ "{\"sflow\": []}", -EINVAL, ": $.sflow: expected an object, got an array" },
	{ "{\"sflow\": {\"agent\": []}}", -EINVAL,
	  ": $.sflow.agent: unknown key (expected one of: agents, views, max_views)" },
	{ "{\"sflow\": {\"agents\": \"198.18.0.1\"}}", -EINVAL,
	  ": $.sflow.agents: expected an array of prefixes (\"198.18.0.0/24\", \"2001:db8::/32\"), "
	  "got \"198.18.0.1\"" },
	{ "{\"sflow\": {\"agents\": [\"300.0.0.0/8\"]}}", -EINVAL,
	  ": $.sflow.agents[0]: expected a CIDR, got \"300.0.0.0/8\"" },
	{ "{\"sflow\": {\"agents\": [4]}}", -EINVAL,
	  ": $.sflow.agents[0]: expected a prefix string, got 4" },
	{ "{\"sflow\": {\"views\": \"port\"}}", -EINVAL,
	  ": $.sflow.views: expected \"none\", \"agent\" or \"ifindex\", got \"port\"" },
	{ "{\"sflow\": {\"max_views\": 0}}", -EINVAL,
	  ": $.sflow.max_views: expected an integer 1..4096, got 0" },
};

START_TEST(test_json_bad)
{
	const struct json_bad_row *row = &json_bad_rows[_i];
	const char *path = write_file("cfg.json", row->json);
	char want[XS_ERR_LEN];
	int ret;

	snprintf(want, sizeof(want), "%s%s", path, row->err);
	ret = config_load_json(&cfg, path, err, sizeof(err));
	ck_assert_msg(ret == row->ret, "row %d: ret %d, expected %d (err '%s')", _i, ret, row->ret,
		      err);
	ck_assert_msg(!strcmp(err, want), "row %d:\n got '%s'\nwant '%s'", _i, err, want);
}
END_TEST

/* alerts.exec against the file system: the one check check-config, run
 * and SIGHUP share, with the one message they print. */
START_TEST(test_check_exec)
{
	char json[600], want[XS_ERR_LEN];
	const char *path, *prog;
	struct {
		const char *name;	/* in tmpdir; NULL: no alerts.exec */
		mode_t mode;		/* 0: not created; S_IFDIR: a directory */
		int ret;
		const char *reason;
	} rows[] = {
		{ NULL, 0, 0, NULL },
		{ "hook", 0755, 0, NULL },
		{ "nope", 0, -ENOENT, "No such file or directory" },
		{ "plain", 0644, -EACCES, "Permission denied" },
		{ "dir", S_IFDIR, -EISDIR, "Is a directory" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		config_free(&cfg);
		err[0] = '\0';
		if (!rows[i].name) {
			ck_assert_int_eq(config_check_exec(&cfg, err, sizeof(err)), 0);
			ck_assert_str_eq(err, "");
			continue;
		}
		prog = tmp_path(rows[i].name);
		if (rows[i].mode == S_IFDIR) {
			ck_assert_int_eq(mkdir(prog, 0755), 0);
		} else if (rows[i].mode) {
			write_file(rows[i].name, "#!/bin/sh\n");
			ck_assert_int_eq(chmod(prog, rows[i].mode), 0);
		}
		snprintf(json, sizeof(json), "{\"alerts\": {\"exec\": [\"%s\", \"-x\"]}}", prog);
		path = write_file("cfg.json", json);
		ck_assert_msg(config_load_json(&cfg, path, err, sizeof(err)) == 0, "err '%s'", err);
		ck_assert_msg(config_check_exec(&cfg, err, sizeof(err)) == rows[i].ret,
			      "%s: expected %d, err '%s'", rows[i].name, rows[i].ret, err);
		if (!rows[i].ret)
			continue;
		snprintf(want, sizeof(want),
			 "alerts.exec: %s: expected an executable program: %s", prog,
			 rows[i].reason);
		ck_assert_str_eq(err, want);
	}

	/* The path as the config spelled it, control bytes escaped. */
	config_free(&cfg);
	path = write_file("cfg.json", "{\"alerts\": {\"exec\": \"/no\\u000bsuch\\u001c\\\"x\"}}");
	ck_assert_msg(config_load_json(&cfg, path, err, sizeof(err)) == 0, "err '%s'", err);
	ck_assert_int_eq(config_check_exec(&cfg, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "alerts.exec: /no\\x0bsuch\\x1c\"x: expected an executable program: "
			 "No such file or directory");
}
END_TEST

START_TEST(test_json_files)
{
	const char *path = tmp_path("missing.json");
	char want[XS_ERR_LEN];

	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", path);
	ck_assert_str_eq(err, want);

	ck_assert_int_eq(config_load_json(&cfg, tmpdir, err, sizeof(err)), -EISDIR);
	snprintf(want, sizeof(want), "%s: expected a regular file, got a directory", tmpdir);
	ck_assert_str_eq(err, want);

	/* A device never ends; refused before the first read. */
	ck_assert_int_eq(config_load_json(&cfg, "/dev/zero", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "/dev/zero: expected a regular file, got a character device");
	config_free(&cfg);
	path = write_file("cfg.json", "{\"ranges_file\": \"/dev/zero\"}");
	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "/dev/zero: expected a regular file, got a character device");

	/* A read error in the prefix list fails the config: no "ok" with the
	 * ranges silently missing. /proc/self/mem is a regular file whose
	 * first page cannot be read (EIO), also for root. */
	config_free(&cfg);
	path = write_file("cfg.json", "{\"ranges_file\": \"/proc/self/mem\"}");
	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), -EIO);
	ck_assert_str_eq(err, "/proc/self/mem:1: cannot read: Input/output error");
	config_free(&cfg);

	/* A missing ranges_file is named by the path it was looked for at. */
	path = write_file("cfg.json", "{\"ranges_file\": \"nope.txt\"}");
	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s/nope.txt: cannot open: No such file or directory",
		 tmpdir);
	ck_assert_str_eq(err, want);

	/* An error inside the ranges_file names that file and line. */
	write_file("bad.txt", "198.18.0.0/24 a\n198.18.0.0/33 b\n");
	path = write_file("cfg2.json", "{\"ranges_file\": \"bad.txt\"}");
	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s/bad.txt:2: expected a CIDR, got \"198.18.0.0/33\"",
		 tmpdir);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_json_ranges_file_paths)
{
	char cwd[512], sub[512];
	const char *path;

	ck_assert_int_eq(mkdir(tmp_path("etc"), 0700), 0);
	write_file("etc/p.txt", "198.18.0.0/24 sub\n");
	write_file("top.txt", "198.18.1.0/24 top\n");

	/* Relative to the config's directory, not to the working directory. */
	path = write_file("etc/cfg.json", "{\"ranges_file\": \"p.txt\"}");
	ck_assert_msg(config_load_json(&cfg, path, err, sizeof(err)) == 0, "err '%s'", err);
	ck_assert_str_eq(cfg.ranges[0].name, "sub");
	config_free(&cfg);

	path = write_file("etc/cfg2.json", "{\"ranges_file\": \"../top.txt\"}");
	ck_assert_msg(config_load_json(&cfg, path, err, sizeof(err)) == 0, "err '%s'", err);
	ck_assert_str_eq(cfg.ranges[0].name, "top");
	config_free(&cfg);

	/* An absolute path is taken as it is. */
	snprintf(sub, sizeof(sub), "{\"ranges_file\": \"%s\"}", tmp_path("top.txt"));
	path = write_file("etc/cfg3.json", sub);
	ck_assert_msg(config_load_json(&cfg, path, err, sizeof(err)) == 0, "err '%s'", err);
	ck_assert_str_eq(cfg.ranges[0].name, "top");
	config_free(&cfg);

	/* A config named without a directory: its directory is the cwd. */
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir(tmp_path("etc")), 0);
	ck_assert_int_eq(config_load_json(&cfg, "cfg.json", err, sizeof(err)), 0);
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_str_eq(cfg.ranges[0].name, "sub");
	ck_assert_str_eq(cfg.source, "cfg.json");
}
END_TEST

START_TEST(test_validate_dup_across_ranges)
{
	const char *path = write_file("cfg.json",
				      "{\"ranges\": [{\"name\": \"a\", \"prefixes\": "
				      "[\"198.18.0.0/24\", \"2001:db8:a::/48\"]},"
				      " {\"name\": \"b\", \"prefixes\": [\"198.18.1.0/24\"]},"
				      " {\"name\": \"c\", \"prefixes\": [\"2001:DB8:A::/48\"]}]}");

	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), 0);
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "prefix 2001:db8:a::/48 is in ranges \"a\" and \"c\" (expected "
			      "each prefix in one range)");
}
END_TEST

/* Overlapping is fine (the longest match wins); only equal is refused. */
START_TEST(test_validate_overlap_ok)
{
	ck_assert_int_eq(config_add_range_arg(&cfg, "198.18.0.0/15=wide", err, sizeof(err)), 0);
	ck_assert_int_eq(config_add_range_arg(&cfg, "198.18.0.0/24=narrow", err, sizeof(err)), 0);
	ck_assert_int_eq(config_add_range_arg(&cfg, "198.18.0.0/16=mid", err, sizeof(err)), 0);
	ck_assert_int_eq(config_add_range_arg(&cfg, "::/0=v6", err, sizeof(err)), 0);
	ck_assert_int_eq(config_add_range_arg(&cfg, "0.0.0.0/0=v4", err, sizeof(err)), 0);
	ck_assert_msg(config_validate(&cfg, err, sizeof(err)) == 0, "err '%s'", err);
}
END_TEST

START_TEST(test_prefix_file_good)
{
	/* BOM, CRLF, blank lines, tabs, whole-line and trailing comments,
	 * unnamed lines, a repeated line, no newline at the end. */
	static const char text[] =
		"\xef\xbb\xbf# customers\r\n"
		"198.18.0.0/24 cust-a\r\n"
		"\r\n"
		"   198.18.1.0/24\tcust-b   # trailing comment\r\n"
		"2001:db8:a::/48 cust-a\n"
		"198.18.2.0/24\n"
		"\t# 198.18.3.0/24 commented out\n"
		"   \t  \n"
		"2001:DB8:B::/48#no space before the comment\n"
		"198.18.0.0/24 cust-a\n"
		"198.18.5.1 host\n"
		"198.18.4.0/24 cust-a";
	const char *path = write_file("p.txt", text);
	const struct xs_range *r;

	ck_assert_msg(config_load_prefix_file(&cfg, path, err, sizeof(err)) == 0, "err '%s'",
		      err);
	ck_assert_msg(config_validate(&cfg, err, sizeof(err)) == 0, "err '%s'", err);
	ck_assert_str_eq(cfg.source, path);
	ck_assert_uint_eq(cfg.nranges, 5);
	ck_assert_str_eq(cfg.ranges[0].name, "cust-a");
	ck_assert_str_eq(cfg.ranges[1].name, "cust-b");
	/* An unnamed line is a range named by its canonical CIDR. */
	ck_assert_str_eq(cfg.ranges[2].name, "198.18.2.0/24");
	ck_assert_str_eq(cfg.ranges[3].name, "2001:db8:b::/48");
	ck_assert_str_eq(cfg.ranges[4].name, "host");

	r = range_named("cust-a");
	ck_assert_uint_eq(r->nprefixes, 3);
	ck_assert_str_eq(prefix_str(r, 0), "198.18.0.0/24");
	ck_assert_str_eq(prefix_str(r, 1), "2001:db8:a::/48");
	ck_assert_str_eq(prefix_str(r, 2), "198.18.4.0/24");
	r = range_named("cust-b");
	ck_assert_uint_eq(r->nprefixes, 1);
	ck_assert_str_eq(prefix_str(r, 0), "198.18.1.0/24");
	ck_assert_str_eq(prefix_str(range_named("2001:db8:b::/48"), 0), "2001:db8:b::/48");
	ck_assert_str_eq(prefix_str(range_named("host"), 0), "198.18.5.1/32");
}
END_TEST

START_TEST(test_prefix_file_empty)
{
	const char *path = write_file("p.txt", "# nothing yet\n\n");

	ck_assert_int_eq(config_load_prefix_file(&cfg, path, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.nranges, 0);
	path = write_file("q.txt", "");
	ck_assert_int_eq(config_load_prefix_file(&cfg, path, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.nranges, 0);
}
END_TEST

struct pfile_bad_row {
	const char *text;
	const char *err;	/* after the file's path */
};

static const struct pfile_bad_row pfile_bad_rows[] = {
	{ "198.18.0.0/24 a b\n", ":1: expected \"CIDR [NAME]\", got \"198.18.0.0/24 a b\"" },
	{ "198.18.0.0/24 a\n  198.18.1.0/24   a  b # two names\r\n",
	  ":2: expected \"CIDR [NAME]\", got \"198.18.1.0/24   a  b\"" },
	{ "# header\n\n198.18.0.0/33 x\n", ":3: expected a CIDR, got \"198.18.0.0/33\"" },
	{ "198.18.0.0/24x\n", ":1: expected a CIDR, got \"198.18.0.0/24x\"" },
	{ "customer-a 198.18.0.0/24\n", ":1: expected a CIDR, got \"customer-a\"" },
	{ "198.18.0.0/24,cust\n", ":1: expected a CIDR, got \"198.18.0.0/24,cust\"" },
	{ "198.18.0.1/24 a\r\n", ":1: host bits set in \"198.18.0.1/24\" (did you mean "
				 "198.18.0.0/24?)" },
	{ "fe80::1%eth0 lan\n", ":1: expected a CIDR without a zone id, got \"fe80::1%eth0\"" },
	{ "198.18.0.0/24 a\"b\n", ":1: expected a range name of 1..127 printable ASCII "
				  "characters without quotes, backslashes or a space at either "
				  "end, got \"a\\\"b\"" },
	{ "198.18.0.0/24 caf\xc3\xa9\n", ":1: expected a range name of 1..127 printable ASCII "
					 "characters without quotes, backslashes or a space at "
					 "either end, got \"caf\\xc3\\xa9\"" },
	{ "198.18.0.0/24 a\n198.18.1.0/24 b\n\n\n\n\n\n\n\n\n\n2001:db8::/129 c\n",
	  ":12: expected a CIDR, got \"2001:db8::/129\"" },
};

START_TEST(test_prefix_file_bad)
{
	const struct pfile_bad_row *row = &pfile_bad_rows[_i];
	const char *path = write_file("p.txt", row->text);
	char want[XS_ERR_LEN];
	int ret;

	snprintf(want, sizeof(want), "%s%s", path, row->err);
	ret = config_load_prefix_file(&cfg, path, err, sizeof(err));
	ck_assert_msg(ret == -EINVAL, "row %d: ret %d (err '%s')", _i, ret, err);
	ck_assert_msg(!strcmp(err, want), "row %d:\n got '%s'\nwant '%s'", _i, err, want);
}
END_TEST

START_TEST(test_prefix_file_io)
{
	static const char nul[] = "198.18.0.0/24 a\n198.18.1.0/24\0b\n";
	const char *path = tmp_path("missing.txt");
	char want[XS_ERR_LEN];

	ck_assert_int_eq(config_load_prefix_file(&cfg, path, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s: cannot open: No such file or directory", path);
	ck_assert_str_eq(err, want);

	ck_assert_int_eq(config_load_prefix_file(&cfg, tmpdir, err, sizeof(err)), -EISDIR);
	snprintf(want, sizeof(want), "%s: expected a regular file, got a directory", tmpdir);
	ck_assert_str_eq(err, want);

	/* getline grew to gigabytes on /dev/zero: refused without a read. */
	ck_assert_int_eq(config_load_prefix_file(&cfg, "/dev/zero", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "/dev/zero: expected a regular file, got a character device");

	/* A FIFO without a writer: refused, not waited on. SIGHUP reads the
	 * list again, and a pipe would be empty by then. */
	path = tmp_path("fifo");
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(config_load_prefix_file(&cfg, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: expected a regular file, got a pipe", path);
	ck_assert_str_eq(err, want);

	/* A read error is an error, not the end of the list. */
	ck_assert_int_eq(config_load_prefix_file(&cfg, "/proc/self/mem", err, sizeof(err)),
			 -EIO);
	ck_assert_str_eq(err, "/proc/self/mem:1: cannot read: Input/output error");
	ck_assert_uint_eq(cfg.nranges, 0);

	/* A binary file given by mistake. */
	path = write_bytes("nul.txt", nul, sizeof(nul) - 1);
	ck_assert_int_eq(config_load_prefix_file(&cfg, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: expected text, got a NUL byte", path);
	ck_assert_str_eq(err, want);
}
END_TEST

/* A line of XS_LINE_MAX bytes (a long comment) loads, one byte more is
 * refused with its place; so is a last line without a newline. */
START_TEST(test_prefix_file_long_line)
{
	static const char head[] = "198.18.0.0/24 a\n";
	char text[3 * XS_LINE_MAX], want[XS_ERR_LEN];
	const char *path;
	size_t n, o;

	for (n = XS_LINE_MAX; n <= XS_LINE_MAX + 1; n++) {
		config_free(&cfg);
		o = snprintf(text, sizeof(text), "%s", head);
		o += snprintf(text + o, sizeof(text) - o, "198.18.1.0/24 b #");
		memset(text + o, 'x', n - (o - (sizeof(head) - 1)));
		o = sizeof(head) - 1 + n;
		text[o++] = '\n';
		o += snprintf(text + o, sizeof(text) - o, "198.18.2.0/24 c\n");
		path = write_bytes("p.txt", text, o);
		if (n == XS_LINE_MAX) {
			ck_assert_msg(config_load_prefix_file(&cfg, path, err, sizeof(err)) == 0,
				      "%zu bytes: err '%s'", n, err);
			ck_assert_uint_eq(cfg.nranges, 3);
			/* The same line last, without a newline. */
			config_free(&cfg);
			path = write_bytes("p.txt", text, sizeof(head) - 1 + n);
			ck_assert_msg(config_load_prefix_file(&cfg, path, err, sizeof(err)) == 0,
				      "%zu bytes at the end: err '%s'", n, err);
			ck_assert_uint_eq(cfg.nranges, 2);
			continue;
		}
		ck_assert_int_eq(config_load_prefix_file(&cfg, path, err, sizeof(err)), -EINVAL);
		snprintf(want, sizeof(want), "%s:2: expected a line of at most %d bytes, got more",
			 path, XS_LINE_MAX);
		ck_assert_str_eq(err, want);
		/* Without a newline, too. */
		config_free(&cfg);
		path = write_bytes("p.txt", text, sizeof(head) - 1 + n);
		ck_assert_int_eq(config_load_prefix_file(&cfg, path, err, sizeof(err)), -EINVAL);
		ck_assert_str_eq(err, want);
	}
}
END_TEST

/* 20,000 lines: 1,000 names of 20 prefixes each, v4 and v6 mixed. */
START_TEST(test_prefix_file_large)
{
	const char *path = tmp_path("big.txt");
	FILE *f = fopen(path, "w");
	const struct xs_range *r;
	size_t i, total = 0;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < 20000; i++) {
		if (i % 100 == 0)
			fprintf(f, "# block %zu\n\n", i / 100);
		if (i % 2)
			fprintf(f, "2001:db8:%zx::/48 r%zu\n", i, i % 1000);
		else
			fprintf(f, "10.%zu.%zu.0/24 r%zu # v4\n", i / 256, i % 256, i % 1000);
	}
	ck_assert_int_eq(fclose(f), 0);

	ck_assert_msg(config_load_prefix_file(&cfg, path, err, sizeof(err)) == 0, "err '%s'",
		      err);
	ck_assert_msg(config_validate(&cfg, err, sizeof(err)) == 0, "err '%s'", err);
	ck_assert_uint_eq(cfg.nranges, 1000);
	for (i = 0; i < cfg.nranges; i++) {
		char name[32];

		snprintf(name, sizeof(name), "r%zu", i);
		ck_assert_str_eq(cfg.ranges[i].name, name);
		ck_assert_uint_eq(cfg.ranges[i].nprefixes, 20);
		total += cfg.ranges[i].nprefixes;
	}
	ck_assert_uint_eq(total, 20000);
	r = range_named("r7");
	ck_assert_str_eq(prefix_str(r, 0), "2001:db8:7::/48");
	ck_assert_str_eq(prefix_str(r, 1), "2001:db8:3ef::/48");
	r = range_named("r998");
	ck_assert_str_eq(prefix_str(r, 0), "10.3.230.0/24");
	ck_assert_str_eq(prefix_str(r, 19), "10.78.30.0/24");

	/* One line more, repeating a prefix of r5 under another name. */
	f = fopen(path, "a");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "2001:db8:5::/48 intruder\n");
	ck_assert_int_eq(fclose(f), 0);
	config_free(&cfg);
	ck_assert_int_eq(config_load_prefix_file(&cfg, path, err, sizeof(err)), 0);
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "prefix 2001:db8:5::/48 is in ranges \"r5\" and \"intruder\" "
			      "(expected each prefix in one range)");
}
END_TEST

/* 20,000 unnamed lines: as many ranges, named by their CIDRs. */
START_TEST(test_prefix_file_many_ranges)
{
	const char *path = tmp_path("many.txt");
	FILE *f = fopen(path, "w");
	size_t i;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < 20000; i++)
		fprintf(f, "2001:db8:%zx:%zx::/64\n", i / 1000, i % 1000);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_msg(config_load_prefix_file(&cfg, path, err, sizeof(err)) == 0, "err '%s'",
		      err);
	ck_assert_msg(config_validate(&cfg, err, sizeof(err)) == 0, "err '%s'", err);
	ck_assert_uint_eq(cfg.nranges, 20000);
	ck_assert_str_eq(cfg.ranges[0].name, "2001:db8::/64");
	ck_assert_str_eq(cfg.ranges[19999].name, "2001:db8:13:3e7::/64");
	ck_assert_uint_eq(cfg.ranges[19999].nprefixes, 1);
}
END_TEST

struct arg_good_row {
	const char *arg;
	const char *name;
	const char *prefix;
};

static const struct arg_good_row arg_good_rows[] = {
	{ "198.18.0.0/24", "198.18.0.0/24", "198.18.0.0/24" },
	{ "198.18.0.1", "198.18.0.1/32", "198.18.0.1/32" },
	{ "2001:DB8::/32", "2001:db8::/32", "2001:db8::/32" },
	{ "198.18.0.0/15=lab", "lab", "198.18.0.0/15" },
	{ "2001:db8::/32=v6 lab", "v6 lab", "2001:db8::/32" },
	{ "198.18.0.0/24=a=b", "a=b", "198.18.0.0/24" },
	{ "::ffff:198.18.0.0/120=mapped", "mapped", "::ffff:198.18.0.0/120" },
};

START_TEST(test_range_arg_good)
{
	const struct arg_good_row *row = &arg_good_rows[_i];

	ck_assert_msg(config_add_range_arg(&cfg, row->arg, err, sizeof(err)) == 0,
		      "row %d \"%s\": err '%s'", _i, row->arg, err);
	ck_assert_uint_eq(cfg.nranges, 1);
	ck_assert_msg(!strcmp(cfg.ranges[0].name, row->name), "row %d: name '%s'", _i,
		      cfg.ranges[0].name);
	ck_assert_uint_eq(cfg.ranges[0].nprefixes, 1);
	ck_assert_msg(!strcmp(prefix_str(&cfg.ranges[0], 0), row->prefix), "row %d: prefix '%s'",
		      _i, prefix_str(&cfg.ranges[0], 0));
}
END_TEST

struct arg_bad_row {
	const char *arg;
	const char *err;
};

static const struct arg_bad_row arg_bad_rows[] = {
	{ "", "--range: expected a CIDR, got \"\"" },
	{ "198.18.0.0/33", "--range: expected a CIDR, got \"198.18.0.0/33\"" },
	{ "198.18.0.0/33=a", "--range: expected a CIDR, got \"198.18.0.0/33\"" },
	{ "=lab", "--range: expected a CIDR, got \"\"" },
	{ "lab=198.18.0.0/24", "--range: expected a CIDR, got \"lab\"" },
	{ "198.18.0.1/24=lab", "--range: host bits set in \"198.18.0.1/24\" (did you mean "
			       "198.18.0.0/24?)" },
	{ "198.18.0.0/24=", "--range: expected CIDR or CIDR=NAME, got \"198.18.0.0/24=\"" },
	{ "198.18.0.0/24= lab", "--range: expected a range name of 1..127 printable ASCII "
				"characters without quotes, backslashes or a space at either end, "
				"got \" lab\"" },
	{ "198.18.0.0/24=lab ", "--range: expected a range name of 1..127 printable ASCII "
				"characters without quotes, backslashes or a space at either end, "
				"got \"lab \"" },
	{ "198.18.0.0/24 lab", "--range: expected a CIDR, got \"198.18.0.0/24 lab\"" },
};

START_TEST(test_range_arg_bad)
{
	const struct arg_bad_row *row = &arg_bad_rows[_i];
	int ret;

	ret = config_add_range_arg(&cfg, row->arg, err, sizeof(err));
	ck_assert_msg(ret == -EINVAL, "row %d \"%s\": ret %d", _i, row->arg, ret);
	ck_assert_msg(!strcmp(err, row->err), "row %d:\n got '%s'\nwant '%s'", _i, err, row->err);
	ck_assert_uint_eq(cfg.nranges, 0);
}
END_TEST

/* One name across the JSON config, its ranges_file, another prefix list
 * and --range: one range, prefixes in load order, repeats kept once. */
START_TEST(test_merge_sources)
{
	const char *path;
	const struct xs_range *r;

	write_file("a.txt", "198.18.1.0/24 edge\n198.18.0.0/24 edge\n");
	path = write_file("cfg.json",
			  "{\"ranges\": [{\"name\": \"edge\", \"prefixes\": [\"198.18.0.0/24\"]},"
			  " {\"name\": \"core\", \"prefixes\": [\"198.18.9.0/24\"]}],"
			  " \"ranges_file\": \"a.txt\"}");
	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), 0);
	path = write_file("b.txt", "2001:db8:e::/48 edge\n198.18.8.0/24 other\n");
	ck_assert_int_eq(config_load_prefix_file(&cfg, path, err, sizeof(err)), 0);
	ck_assert_int_eq(config_add_range_arg(&cfg, "198.18.2.0/24=edge", err, sizeof(err)), 0);
	ck_assert_int_eq(config_add_range_arg(&cfg, "198.18.1.0/24=edge", err, sizeof(err)), 0);
	ck_assert_msg(config_validate(&cfg, err, sizeof(err)) == 0, "err '%s'", err);

	ck_assert_uint_eq(cfg.nranges, 3);
	r = &cfg.ranges[0];
	ck_assert_str_eq(r->name, "edge");
	ck_assert_uint_eq(r->nprefixes, 4);
	ck_assert_str_eq(prefix_str(r, 0), "198.18.0.0/24");
	ck_assert_str_eq(prefix_str(r, 1), "198.18.1.0/24");
	ck_assert_str_eq(prefix_str(r, 2), "2001:db8:e::/48");
	ck_assert_str_eq(prefix_str(r, 3), "198.18.2.0/24");
	ck_assert_str_eq(cfg.ranges[1].name, "core");
	ck_assert_str_eq(cfg.ranges[2].name, "other");
	/* The first file loaded names the config in messages. */
	ck_assert_str_eq(cfg.source, tmp_path("cfg.json"));
}
END_TEST

/* Callers may build ranges by hand (tests of other modules do): later
 * config_add_prefix calls must still find them by name. */
START_TEST(test_hand_built_then_added)
{
	struct xs_prefix p;

	ck_assert_int_eq(config_add_range_arg(&cfg, "198.18.0.0/24=a", err, sizeof(err)), 0);
	cfg.ranges = realloc(cfg.ranges, (cfg.nranges + 1) * sizeof(*cfg.ranges));
	ck_assert_ptr_nonnull(cfg.ranges);
	cfg.cap = cfg.nranges + 1;
	memset(&cfg.ranges[1], 0, sizeof(cfg.ranges[1]));
	cfg.ranges[1].name = strdup("b");
	cfg.ranges[1].prefixes = calloc(1, sizeof(p));
	cfg.ranges[1].cap = 1;
	ck_assert_int_eq(cidr_parse("198.18.1.0/24", &cfg.ranges[1].prefixes[0], NULL, 0), 0);
	cfg.ranges[1].nprefixes = 1;
	cfg.nranges = 2;

	ck_assert_int_eq(cidr_parse("198.18.1.0/24", &p, NULL, 0), 0);
	ck_assert_int_eq(config_add_prefix(&cfg, "b", &p, err, sizeof(err)), 0);
	ck_assert_int_eq(cidr_parse("198.18.2.0/24", &p, NULL, 0), 0);
	ck_assert_int_eq(config_add_prefix(&cfg, "b", &p, err, sizeof(err)), 0);
	ck_assert_int_eq(config_add_prefix(&cfg, "c", &p, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.nranges, 3);
	ck_assert_uint_eq(cfg.ranges[1].nprefixes, 2);
	ck_assert_str_eq(prefix_str(&cfg.ranges[1], 1), "198.18.2.0/24");
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "prefix 198.18.2.0/24 is in ranges \"b\" and \"c\" (expected each "
			      "prefix in one range)");
}
END_TEST

START_TEST(test_add_prefix_checks)
{
	char name[XS_NAME_MAX + 1];
	struct xs_prefix p, bad;

	ck_assert_int_eq(cidr_parse("198.18.0.0/24", &p, NULL, 0), 0);

	memset(name, 'n', sizeof(name));
	name[XS_NAME_MAX - 1] = '\0';
	ck_assert_int_eq(config_add_prefix(&cfg, name, &p, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.ranges[0].name, name);
	name[XS_NAME_MAX - 1] = 'n';
	name[XS_NAME_MAX] = '\0';
	ck_assert_int_eq(config_add_prefix(&cfg, name, &p, err, sizeof(err)), -EINVAL);
	ck_assert(!strncmp(err, "expected a range name of 1..127 ", 32));

	ck_assert_int_eq(config_add_prefix(&cfg, "a\x7f", &p, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(config_add_prefix(&cfg, "a\\b", &p, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(config_add_prefix(&cfg, NULL, &p, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(config_add_prefix(&cfg, "ok: a/b (c) #1", &p, err, sizeof(err)), 0);

	bad = p;
	bad.addr[3] = 1;
	ck_assert_int_eq(config_add_prefix(&cfg, "x", &bad, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "expected a prefix without host bits, got 198.18.0.1/24");
	bad = p;
	bad.len = 33;
	ck_assert_int_eq(config_add_prefix(&cfg, "x", &bad, err, sizeof(err)), -EINVAL);
	bad = p;
	bad.family = 5;
	ck_assert_int_eq(config_add_prefix(&cfg, "x", &bad, err, sizeof(err)), -EINVAL);
	ck_assert_uint_eq(cfg.nranges, 2);

	/* A nameless range appended by hand cannot be looked up by name. */
	free(cfg.ranges[1].name);
	cfg.ranges[1].name = NULL;
	cfg.ranges = realloc(cfg.ranges, 3 * sizeof(*cfg.ranges));
	ck_assert_ptr_nonnull(cfg.ranges);
	memset(&cfg.ranges[2], 0, sizeof(cfg.ranges[2]));
	cfg.cap = cfg.nranges = 3;
	ck_assert_int_eq(config_add_prefix(&cfg, "y", &p, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "expected every range to have a name, got one without");
}
END_TEST

START_TEST(test_validate_hand_built)
{
	struct xs_range ranges[2] = {};
	struct xs_prefix pa, pb, twice[2];
	struct xs_config c;

	ck_assert_int_eq(cidr_parse("198.18.0.0/24", &pa, NULL, 0), 0);
	ck_assert_int_eq(cidr_parse("198.18.1.0/24", &pb, NULL, 0), 0);
	config_init(&c);
	c.ranges = ranges;
	c.nranges = 2;
	ranges[0].name = "a";
	ranges[0].prefixes = &pa;
	ranges[0].nprefixes = 1;
	ranges[1].name = "a";
	ranges[1].prefixes = &pb;
	ranges[1].nprefixes = 1;
	ck_assert_int_eq(config_validate(&c, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "expected one range named \"a\", got two");

	ranges[1].name = "b";
	ck_assert_int_eq(config_validate(&c, err, sizeof(err)), 0);

	ranges[1].nprefixes = 0;
	ck_assert_int_eq(config_validate(&c, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "range \"b\": expected at least one prefix, got none");
	ranges[1].nprefixes = 1;

	ranges[1].name = "";
	ck_assert_int_eq(config_validate(&c, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "range 2: expected a range name of 1..127 printable ASCII "
			      "characters without quotes, backslashes or a space at either end, "
			      "got \"\"");
	ranges[1].name = "b";

	c.interval_ms = 5;
	ck_assert_int_eq(config_validate(&c, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "interval_ms: expected 10..3600000, got 5");
	c.interval_ms = 1000;

	/* The same prefix twice in one hand-built range is harmless. */
	twice[0] = pa;
	twice[1] = pa;
	ranges[0].prefixes = twice;
	ranges[0].nprefixes = 2;
	ck_assert_int_eq(config_validate(&c, err, sizeof(err)), 0);

	ranges[1].prefixes = &pa;
	ck_assert_int_eq(config_validate(&c, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "prefix 198.18.0.0/24 is in ranges \"a\" and \"b\" (expected each "
			      "prefix in one range)");
}
END_TEST

/* 100k prefixes in 10k ranges: the duplicate check must sort, not scan. */
START_TEST(test_validate_large)
{
	struct xs_prefix p = { .family = 6, .len = 64 };
	char name[32];
	size_t i;

	p.addr[0] = 0x20;
	p.addr[1] = 0x01;
	p.addr[2] = 0x0d;
	p.addr[3] = 0xb8;
	for (i = 0; i < 100000; i++) {
		p.addr[4] = i >> 16;
		p.addr[5] = i >> 8;
		p.addr[6] = i;
		snprintf(name, sizeof(name), "r%zu", i % 10000);
		ck_assert_int_eq(config_add_prefix(&cfg, name, &p, err, sizeof(err)), 0);
	}
	ck_assert_uint_eq(cfg.nranges, 10000);
	ck_assert_msg(config_validate(&cfg, err, sizeof(err)) == 0, "err '%s'", err);

	p.addr[4] = 0;
	p.addr[5] = 0x9c;
	p.addr[6] = 0x3f;	/* 39999, in r9999 */
	ck_assert_int_eq(config_add_prefix(&cfg, "r1", &p, err, sizeof(err)), 0);
	ck_assert_int_eq(config_validate(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "prefix 2001:db8:9c:3f00::/64 is in ranges \"r1\" and \"r9999\" "
			      "(expected each prefix in one range)");
}
END_TEST

START_TEST(test_free_twice)
{
	ck_assert_int_eq(config_add_range_arg(&cfg, "198.18.0.0/24=a", err, sizeof(err)), 0);
	config_free(&cfg);
	ck_assert_uint_eq(cfg.nranges, 0);
	ck_assert_uint_eq(cfg.interval_ms, XS_DEFAULT_INTERVAL_MS);
	config_free(&cfg);

	/* A freed config is ready for the next load (SIGHUP reload). */
	ck_assert_int_eq(config_add_range_arg(&cfg, "198.18.0.0/24=b", err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.ranges[0].name, "b");
}
END_TEST

struct size_row {
	const char *in;
	int ret;
	uint64_t want;
};

static const struct size_row size_rows[] = {
	{ "0", 0, 0 },
	{ "1", 0, 1 },
	{ "1048576", 0, 1048576 },
	{ "1K", 0, 1024 },
	{ "1k", 0, 1024 },
	{ "256M", 0, 256ULL << 20 },
	{ "256m", 0, 256ULL << 20 },
	{ "1G", 0, 1ULL << 30 },
	{ "2T", 0, 2ULL << 40 },
	{ "16777215T", 0, 16777215ULL << 40 },
	{ "18446744073709551615", 0, UINT64_MAX },
	{ "0256M", 0, 256ULL << 20 },
	{ "", -EINVAL, 0 },
	{ "K", -EINVAL, 0 },
	{ "1KB", -EINVAL, 0 },
	{ "1KiB", -EINVAL, 0 },
	{ "1.5G", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ "+1", -EINVAL, 0 },
	{ " 1", -EINVAL, 0 },
	{ "1 ", -EINVAL, 0 },
	{ "1 M", -EINVAL, 0 },
	{ "1X", -EINVAL, 0 },
	{ "0x10", -EINVAL, 0 },
	{ "18446744073709551616", -EINVAL, 0 },
	{ "16777216T", -EINVAL, 0 },
	{ "17179869184G", -EINVAL, 0 },
};

START_TEST(test_parse_size)
{
	const struct size_row *row = &size_rows[_i];
	uint64_t v = 12345;
	int ret;

	ret = parse_size(row->in, &v);
	ck_assert_msg(ret == row->ret, "row %d \"%s\": ret %d", _i, row->in, ret);
	if (!ret)
		ck_assert_msg(v == row->want, "row %d \"%s\": %llu", _i, row->in,
			      (unsigned long long)v);
	else
		ck_assert_msg(v == 12345, "row %d: output written on error", _i);
}
END_TEST

/*
 * Input quoted back in a message is escaped: a control byte from a config
 * value, a range name, a prefix list, a --range argument or a file name
 * reaches the terminal as "\x0b", never as the byte itself.
 */
START_TEST(test_messages_escape_input)
{
	char want[XS_ERR_LEN], json[256];
	const char *path;

	/* A ranges_file name: the path as opened. */
	path = write_file("cfg.json", "{\"ranges_file\": \"a\\u000bb\"}");
	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s/a\\x0bb: cannot open: No such file or directory",
		 tmpdir);
	ck_assert_str_eq(err, want);

	/* A config whose own name holds one, in every message naming it. */
	config_free(&cfg);
	path = write_file("c\x1c.json", "{\"interval_ms\": \"x\\u000b\"}");
	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s/c\\x1c.json: $.interval_ms: expected an integer "
		 "10..3600000, got \"x\\x0b\"", tmpdir);
	ck_assert_str_eq(err, want);

	/* Bytes jansson quotes from the file as they are. */
	config_free(&cfg);
	path = write_file("cfg.json", "{\"a\": \x1c}");
	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:1:7: invalid JSON: invalid token near '\\x1c'", path);
	ck_assert_str_eq(err, want);

	/* Values: a range name, a prefix, an alerts.exec path. */
	config_free(&cfg);
	path = write_file("cfg.json", "{\"ranges\": [{\"name\": \"a\\u000b\\\"\", "
			  "\"prefixes\": [\"198.18.0.0/24\"]}]}");
	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: $.ranges[0].name: expected a range name of 1..127 "
		 "printable ASCII characters without quotes, backslashes or a space at either "
		 "end, got \"a\\x0b\\\"\"", path);
	ck_assert_str_eq(err, want);
	config_free(&cfg);
	path = write_file("cfg.json", "{\"ranges\": [{\"name\": \"a\", "
			  "\"prefixes\": [\"198.18.0.0/24\\u001c\"]}]}");
	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: $.ranges[0].prefixes[0]: expected a CIDR, got "
		 "\"198.18.0.0/24\\x1c\"", path);
	ck_assert_str_eq(err, want);
	config_free(&cfg);
	path = write_file("cfg.json", "{\"alerts\": {\"exec\": \"hook\\u000b\"}}");
	ck_assert_int_eq(config_load_json(&cfg, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: $.alerts.exec: expected an absolute path, got "
		 "\"hook\\x0b\"", path);
	ck_assert_str_eq(err, want);

	/* A prefix list: its name, a CIDR, a range name, a whole line. */
	config_free(&cfg);
	path = write_file("p\x0b.txt", "198.18.0.0/24 a\n198.18.1.0/24\x1c b\n");
	ck_assert_int_eq(config_load_prefix_file(&cfg, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s/p\\x0b.txt:2: expected a CIDR, got "
		 "\"198.18.1.0/24\\x1c\"", tmpdir);
	ck_assert_str_eq(err, want);
	config_free(&cfg);
	path = write_file("p.txt", "198.18.0.0/24 a\x1c\n");
	ck_assert_int_eq(config_load_prefix_file(&cfg, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:1: expected a range name of 1..127 printable ASCII "
		 "characters without quotes, backslashes or a space at either end, got "
		 "\"a\\x1c\"", path);
	ck_assert_str_eq(err, want);
	config_free(&cfg);
	path = write_file("p.txt", "198.18.0.0/24 a b\x7f\n");
	ck_assert_int_eq(config_load_prefix_file(&cfg, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:1: expected \"CIDR [NAME]\", got "
		 "\"198.18.0.0/24 a b\\x7f\"", path);
	ck_assert_str_eq(err, want);

	/* --range: the CIDR and the name. */
	config_free(&cfg);
	ck_assert_int_eq(config_add_range_arg(&cfg, "198.18.0.0/24\x0b=a", err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "--range: expected a CIDR, got \"198.18.0.0/24\\x0b\"");
	ck_assert_int_eq(config_add_range_arg(&cfg, "198.18.0.0/24=a\x1c", err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "--range: expected a range name of 1..127 printable ASCII "
			 "characters without quotes, backslashes or a space at either end, got "
			 "\"a\\x1c\"");

	/* A rule's range name set by hand, past the loader's checks. */
	config_free(&cfg);
	snprintf(json, sizeof(json), "{\"ranges\": [{\"name\": \"a\", \"prefixes\": "
		 "[\"198.18.0.0/24\"]}], \"rules\": [{\"name\": \"r\", \"metric\": \"pps\", "
		 "\"above\": 1, \"ranges\": [\"a\"]}]}");
	path = write_file("cfg.json", json);
	ck_assert_msg(config_load_json(&cfg, path, err, sizeof(err)) == 0, "err '%s'", err);
	free(cfg.rules[0].ranges[0]);
	cfg.rules[0].ranges[0] = strdup("a\x0b");
	ck_assert_int_eq(config_check_rules(&cfg, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "rule \"r\": expected ranges that exist, got \"a\\x0b\"");
}
END_TEST

START_TEST(test_log_quote)
{
	char buf[LOG_QBUF], ebuf[LOG_EBUF], small[12], in[LOG_EBUF + 10];

	ck_assert_str_eq(log_quote("a\"b\\c\x01\x1f\x7f\xff", buf, sizeof(buf)),
			 "\"a\\\"b\\\\c\\x01\\x1f\\x7f\\xff\"");
	ck_assert_str_eq(log_escape("a\"b\\c\x01\x1f\x7f\xff", ebuf, sizeof(ebuf)),
			 "a\"b\\c\\x01\\x1f\\x7f\\xff");
	ck_assert_str_eq(log_quote(NULL, buf, sizeof(buf)), "\"\"");
	ck_assert_str_eq(log_escape("", ebuf, sizeof(ebuf)), "");

	/* log_quote cuts after LOG_QUOTE_MAX bytes, escaped or not. */
	memset(in, '\x0b', LOG_QUOTE_MAX + 1);
	in[LOG_QUOTE_MAX + 1] = '\0';
	log_quote(in, buf, sizeof(buf));
	ck_assert_uint_eq(strlen(buf), 1 + 4 * LOG_QUOTE_MAX + 1 + 3);
	ck_assert_str_eq(buf + 1 + 4 * LOG_QUOTE_MAX, "\"...");
	in[LOG_QUOTE_MAX] = '\0';
	log_quote(in, buf, sizeof(buf));
	ck_assert_str_eq(buf + 1 + 4 * LOG_QUOTE_MAX, "\"");

	/* log_escape cuts where the buffer ends; small buffers end in NUL. */
	memset(in, 'x', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	log_escape(in, ebuf, sizeof(ebuf));
	ck_assert_uint_lt(strlen(ebuf), sizeof(ebuf));
	ck_assert_str_eq(ebuf + strlen(ebuf) - 4, "x...");
	ck_assert_str_eq(log_quote("\x01\x02\x03", small, sizeof(small)), "\"\\x01\"...");
	ck_assert_str_eq(log_escape("abcdefghijkl", small, 4), "");
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("json");
	tcase_add_unchecked_fixture(tc, tmpdir_create, tmpdir_remove);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_json_good);
	tcase_add_test(tc, test_json_stats);
	tcase_add_test(tc, test_json_rules);
	tcase_add_test(tc, test_json_defaults);
	tcase_add_test(tc, test_json_limits);
	tcase_add_test(tc, test_json_dedup_in_range);
	tcase_add_test(tc, test_json_metrics);
	tcase_add_test(tc, test_json_mitigation);
	tcase_add_test(tc, test_json_sflow);
	tcase_add_test(tc, test_mitigation_fixed);
	tcase_add_loop_test(tc, test_json_bad, 0, ARRAY_SIZE(json_bad_rows));
	tcase_add_test(tc, test_json_files);
	tcase_add_test(tc, test_check_exec);
	tcase_add_test(tc, test_json_ranges_file_paths);
	suite_add_tcase(s, tc);

	tc = tcase_create("prefix_file");
	tcase_add_unchecked_fixture(tc, tmpdir_create, tmpdir_remove);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_prefix_file_good);
	tcase_add_test(tc, test_prefix_file_empty);
	tcase_add_loop_test(tc, test_prefix_file_bad, 0, ARRAY_SIZE(pfile_bad_rows));
	tcase_add_test(tc, test_prefix_file_io);
	tcase_add_test(tc, test_prefix_file_long_line);
	tcase_add_test(tc, test_prefix_file_large);
	tcase_add_test(tc, test_prefix_file_many_ranges);
	suite_add_tcase(s, tc);

	tc = tcase_create("range_arg");
	tcase_add_unchecked_fixture(tc, tmpdir_create, tmpdir_remove);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_range_arg_good, 0, ARRAY_SIZE(arg_good_rows));
	tcase_add_loop_test(tc, test_range_arg_bad, 0, ARRAY_SIZE(arg_bad_rows));
	tcase_add_test(tc, test_merge_sources);
	tcase_add_test(tc, test_hand_built_then_added);
	tcase_add_test(tc, test_add_prefix_checks);
	suite_add_tcase(s, tc);

	tc = tcase_create("validate");
	tcase_add_unchecked_fixture(tc, tmpdir_create, tmpdir_remove);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_validate_dup_across_ranges);
	tcase_add_test(tc, test_validate_overlap_ok);
	tcase_add_test(tc, test_validate_hand_built);
	tcase_add_test(tc, test_validate_large);
	tcase_add_test(tc, test_free_twice);
	suite_add_tcase(s, tc);

	tc = tcase_create("messages");
	tcase_add_unchecked_fixture(tc, tmpdir_create, tmpdir_remove);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_messages_escape_input);
	tcase_add_test(tc, test_log_quote);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_size");
	tcase_add_loop_test(tc, test_parse_size, 0, ARRAY_SIZE(size_rows));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
