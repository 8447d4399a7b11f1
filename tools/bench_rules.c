// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: the rule engine's cost per interval with 10,000 ranges
 * (20,000 range-direction slots) and 10 rules of every kind (thresholds,
 * percentages, ratios, "and" conditions, baselines, per-host), every slot
 * evaluated every interval as report_interval() does: 1 in 10 slots with
 * traffic (figures from counters, as rules_metrics() makes them), the rest
 * idle, a few under attack. No kernel needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "config.h"
#include "rules.h"

#define NRANGES 10000
#define INTERVALS 200

static const char *const rules_json =
	"{\"rules\": ["
	"{\"name\": \"syn\", \"metric\": \"syn_pps\", \"above\": 1000,"
	" \"and\": [{\"metric\": \"uniq_src\", \"above\": 100}]},"
	"{\"name\": \"synack\", \"metric\": \"synack_pps\", \"above\": 1000},"
	"{\"name\": \"udp\", \"metric\": \"udp_bps\", \"above\": 2000000, \"for_s\": 2},"
	"{\"name\": \"icmp\", \"metric\": \"icmp_pps\", \"above\": 5000},"
	"{\"name\": \"ratio\", \"metric\": \"syn_pps/synack_pps\", \"above\": 50},"
	"{\"name\": \"share\", \"metric\": \"udp_pps\", \"above\": {\"pct\": 90, \"of\": \"pps\","
	" \"min\": 500}},"
	"{\"name\": \"frag\", \"metric\": \"frag_pps\", \"above\": 2000},"
	"{\"name\": \"host\", \"metric\": \"host_pps\", \"above\": 50000},"
	"{\"name\": \"spike\", \"metric\": \"bps\", \"baseline\": {\"window_s\": 600, \"factor\": 4,"
	" \"min\": 1000000, \"warmup_s\": 10}},"
	"{\"name\": \"out\", \"metric\": \"pps\", \"dir\": \"out\", \"baseline\": {\"window_s\": 300,"
	" \"k\": 6, \"warmup_s\": 10}}]}";

static int count_alert(void *ctx, const struct xs_alert *a)
{
	(void)a;
	++*(unsigned long *)ctx;
	return 0;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(void)
{
	static const struct xs_metrics idle;
	char err[XS_ERR_LEN], arg[64], path[] = "/tmp/xs_bench_rules.XXXXXX";
	struct xs_sk_layout l = { .dim_pos = { 0, 1, 2, 3, -1 } };
	struct xs_sk_result *sk = calloc(1, sizeof(*sk));
	struct xs_config cfg;
	struct xs_metrics m;
	struct xs_rules *r;
	unsigned long alerts = 0;
	double best = 1e9, total = 0, t0, t;
	uint32_t slot, nslots;
	int i, fd;
	FILE *f;

	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f || !sk)
		return 1;
	fputs(rules_json, f);
	fclose(f);
	config_init(&cfg);
	if (config_load_json(&cfg, path, err, sizeof(err)))
		goto fail;
	unlink(path);
	for (i = 0; i < NRANGES; i++) {
		/* 10,000 /29s of 198.18.0.0/15: config only, nothing is sent. */
		snprintf(arg, sizeof(arg), "198.%d.%d.%d/29=r%d", 18 + i / 8192, (i / 32) % 256,
			 (i % 32) * 8, i);
		if (config_add_range_arg(&cfg, arg, err, sizeof(err)))
			goto fail;
	}
	if (config_validate(&cfg, err, sizeof(err)))
		goto fail;
	nslots = XS_SLOTS(cfg.nranges);
	r = rules_new(&cfg, nslots, err, sizeof(err));
	if (!r)
		goto fail;
	sk->ntop[XS_DIM_DST] = 1;
	sk->uniq_src = 5000;
	for (i = 0; i < INTERVALS; i++) {
		t0 = now_ms();
		rules_begin(r, 1e9 + i, 1.0, 0);
		for (slot = XS_DIR_MAX; slot < nslots; slot++) {
			struct xs_counters d = {};

			if (slot % 10) {
				rules_slot(r, slot, &idle, count_alert, &alerts);
				continue;
			}
			/* Busy slots; every 100th under a SYN flood after 50 s. */
			d.tcp.pkts = 1000 + slot % 97;
			d.tcp.bytes = d.tcp.pkts * 800;
			d.udp.pkts = 300;
			d.udp.bytes = 300 * 400;
			d.syn = i > 50 && slot % 1000 == 0 ? 20000 : 40;
			d.synack = 30;
			sk->top[XS_DIM_DST][0].pkts = d.tcp.pkts / 2;
			rules_metrics(&m, &d, 1.0, slot % XS_DIR_MAX, &l, sk);
			rules_slot(r, slot, &m, count_alert, &alerts);
		}
		t = now_ms() - t0;
		total += t;
		if (t < best)
			best = t;
	}
	printf("rules   ranges=%d slots=%u rules=%zu: %.2f ms per interval (best %.2f, mean of %d), "
	       "%lu alert records; target < 5 ms\n", NRANGES, nslots, cfg.nrules, total / INTERVALS,
	       best, INTERVALS, alerts);
	rules_free(r);
	config_free(&cfg);
	free(sk);
	return 0;
fail:
	fprintf(stderr, "bench_rules: %s\n", err);
	return 1;
}
