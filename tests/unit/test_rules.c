// SPDX-License-Identifier: GPL-2.0
/*
 * rules and hook: thresholds, sustain, hysteresis, baselines (warm-up,
 * detection, frozen during an alert), "and" conditions, percentages,
 * ratios, below rules, gaps, the lifecycle under one id, the attack
 * guess, saved baselines, and the alert hook (stdin, timeout, limit,
 * exit status), over synthetic series.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "config.h"
#include "hook.h"
#include "rules.h"
#include "skread.h"

static char tmpdir[] = "/tmp/xs_test_rules.XXXXXX";
static struct xs_config cfg;
static struct xs_rules *eng;
static char err[XS_ERR_LEN];

struct ev {
	enum xs_alert_state state;
	char rule[32], range[32], id[24], attack[32], reason[32];
	int dir;
	double value, threshold, since, duration_s, peak, severity, now;
	uint64_t pkts, hosts_over;
	char target[48];
	int range_wide;
};

static struct ev evs[256];
static int nev;
static double clock_now;

static int collect(void *ctx, const struct xs_alert *a)
{
	struct ev *e = &evs[nev++];

	(void)ctx;
	ck_assert_int_lt(nev, 256);
	memset(e, 0, sizeof(*e));
	e->state = a->state;
	snprintf(e->rule, sizeof(e->rule), "%s", a->rule->name);
	snprintf(e->range, sizeof(e->range), "%s", a->range);
	snprintf(e->id, sizeof(e->id), "%s", a->id);
	snprintf(e->attack, sizeof(e->attack), "%s", a->attack ? a->attack : "");
	snprintf(e->reason, sizeof(e->reason), "%s", a->reason ? a->reason : "");
	e->dir = a->dir;
	e->value = a->value;
	e->threshold = a->threshold;
	e->since = a->since;
	e->duration_s = a->duration_s;
	e->peak = a->peak;
	e->severity = a->severity;
	e->pkts = a->pkts;
	e->now = clock_now;
	e->range_wide = a->range_wide;
	e->hosts_over = a->hosts_over;
	if (a->host)
		skread_key_str(XS_DIM_DST, a->host, e->target, sizeof(e->target));
	return 0;
}

/* `ranges` (a JSON array), then `json` (rules, alerts) into c. */
static void load_into(struct xs_config *c, const char *ranges, const char *json)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cfg.json", tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "{\"ranges\": %s, %s}", ranges, json);
	fclose(f);
	config_init(c);
	ck_assert_msg(!config_load_json(c, path, err, sizeof(err)), "%s", err);
	ck_assert_msg(!config_validate(c, err, sizeof(err)), "%s", err);
}

#define RANGES_AB "[{\"name\": \"a\", \"prefixes\": [\"198.18.0.0/24\"]}," \
		  " {\"name\": \"b\", \"prefixes\": [\"198.18.1.0/24\"]}]"

/* Ranges a (198.18.0.0/24) and b (198.18.1.0/24), then `json` (rules, alerts). */
static void load(const char *json)
{
	load_into(&cfg, RANGES_AB, json);
	eng = rules_new(&cfg, XS_SLOTS(cfg.nranges), err, sizeof(err));
	ck_assert_ptr_nonnull(eng);
	nev = 0;
}

static void teardown(void)
{
	rules_free(eng);
	eng = NULL;
	config_free(&cfg);
}

#define SLOT_A_IN (1 * XS_DIR_MAX + XS_DIR_IN)
#define SLOT_B_IN (2 * XS_DIR_MAX + XS_DIR_IN)
#define SLOT_B_OUT (2 * XS_DIR_MAX + XS_DIR_OUT)

static struct xs_metrics pps_metrics(double pps)
{
	struct xs_metrics m = {};

	m.v[XS_M_PPS] = pps;
	m.v[XS_M_PKTS] = pps;
	m.pkts = (uint64_t)pps;
	m.udp = m.pkts;
	return m;
}

/* One 1 s interval ending at t for slot with figures m (others idle). */
static void step_slot(double t, uint32_t slot, const struct xs_metrics *m)
{
	static const struct xs_metrics idle;
	uint32_t s;

	clock_now = t;
	rules_begin(eng, t, 1.0, 0);
	for (s = XS_DIR_MAX; s < XS_SLOTS(cfg.nranges); s++)
		ck_assert_int_eq(rules_slot(eng, s, s == slot ? m : &idle, collect, NULL), 0);
}

static void step(double t, double pps)
{
	struct xs_metrics m = pps_metrics(pps);

	step_slot(t, SLOT_A_IN, &m);
}

static void series(double t0, const double *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		step(t0 + i, v[i]);
}

START_TEST(test_threshold_lifecycle)
{
	static const double v[] = { 50, 150, 160, 170, 50, 50, 50, 50, 50 };
	struct xs_rules_stats st;

	load("\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": 100, \"clear_s\": 3}],"
	     " \"alerts\": {\"ongoing_s\": 2}");
	series(1, v, 9);
	ck_assert_int_eq(nev, 4);
	ck_assert_int_eq(evs[0].state, XS_ALERT_START);
	ck_assert_double_eq(evs[0].now, 2);
	ck_assert_double_eq(evs[0].since, 1);	/* the start of the first interval over */
	ck_assert_double_eq(evs[0].value, 150);
	ck_assert_double_eq(evs[0].threshold, 100);
	ck_assert_double_eq(evs[0].severity, 1.5);
	ck_assert_str_eq(evs[0].range, "a");
	ck_assert_str_eq(evs[0].attack, "udp_flood");
	ck_assert_int_eq(evs[1].state, XS_ALERT_ONGOING);	/* every 2 s */
	ck_assert_double_eq(evs[1].now, 4);
	ck_assert_int_eq(evs[2].state, XS_ALERT_ONGOING);
	ck_assert_double_eq(evs[2].now, 6);
	ck_assert_int_eq(evs[3].state, XS_ALERT_END);
	ck_assert_double_eq(evs[3].now, 7);	/* 3 s after the last interval over */
	ck_assert_str_eq(evs[3].reason, "cleared");
	ck_assert_double_eq(evs[3].duration_s, 3);
	ck_assert_double_eq(evs[3].peak, 170);
	ck_assert_double_eq(evs[3].severity, 1.7);
	ck_assert_uint_eq(evs[3].pkts, 150 + 160 + 170 + 50 + 50 + 50);
	ck_assert_str_eq(evs[0].id, evs[1].id);
	ck_assert_str_eq(evs[0].id, evs[3].id);
	ck_assert_uint_eq(strlen(evs[0].id), 16);
	rules_stats(eng, &st);
	ck_assert_uint_eq(st.started, 1);
	ck_assert_uint_eq(st.ended, 1);
	ck_assert_uint_eq(st.active, 0);

	/* A second attack is a second alert, with its own id. */
	step(20, 500);
	ck_assert_int_eq(nev, 5);
	ck_assert_int_eq(evs[4].state, XS_ALERT_START);
	ck_assert_str_ne(evs[4].id, evs[0].id);
}
END_TEST

START_TEST(test_ongoing_every_interval)
{
	static const double v[] = { 150, 150, 150 };

	load("\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": 100}],"
	     " \"alerts\": {\"ongoing_s\": 0}");
	series(1, v, 3);
	ck_assert_int_eq(nev, 3);
	ck_assert_int_eq(evs[1].state, XS_ALERT_ONGOING);
	ck_assert_int_eq(evs[2].state, XS_ALERT_ONGOING);
}
END_TEST

START_TEST(test_sustain)
{
	static const double v[] = { 150, 150, 50, 150, 150, 150, 150 };

	load("\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": 100, \"for_s\": 3}]");
	series(1, v, 7);
	ck_assert_int_eq(nev, 1);		/* the 2 s blip started nothing */
	ck_assert_int_eq(evs[0].state, XS_ALERT_START);
	ck_assert_double_eq(evs[0].now, 6);
	ck_assert_double_eq(evs[0].since, 3);
	teardown();

	/* Two intervals over on either side of a 10 s gap (replay) are not 3 s. */
	load("\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": 100, \"for_s\": 3}]");
	step(1, 150);
	step(2, 150);
	{
		struct xs_metrics m = pps_metrics(150);

		rules_begin(eng, 13, 1.0, 10);
		rules_slot(eng, SLOT_A_IN, &m, collect, NULL);
	}
	ck_assert_int_eq(nev, 0);
}
END_TEST

START_TEST(test_hysteresis)
{
	static const double v[] = { 150, 95, 105, 91, 99, 89 };

	/* With the default 10%: a value hovering at the threshold holds. */
	load("\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": 100, \"clear_s\": 0}]");
	series(1, v, 6);
	ck_assert_int_eq(nev, 2);
	ck_assert_int_eq(evs[1].state, XS_ALERT_END);
	ck_assert_double_eq(evs[1].now, 6);
	teardown();

	/* Without it, the same series flaps. */
	load("\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": 100, \"clear_s\": 0,"
	     " \"hysteresis\": 0}]");
	series(1, v, 6);
	ck_assert_int_eq(nev, 4);
	ck_assert_int_eq(evs[1].state, XS_ALERT_END);
	ck_assert_double_eq(evs[1].now, 2);
	ck_assert_int_eq(evs[2].state, XS_ALERT_START);
}
END_TEST

START_TEST(test_baseline)
{
	double t = 1;
	int i;

	load("\"rules\": [{\"name\": \"spike\", \"metric\": \"pps\", \"baseline\": {\"window_s\": 60,"
	     " \"factor\": 3, \"min\": 50, \"warmup_s\": 30}, \"clear_s\": 2}]");
	/* Warm-up: even 10x the level alerts nobody. */
	for (i = 0; i < 29; i++, t++)
		step(t, i == 10 ? 1000 : 100 + (i % 3));
	ck_assert_int_eq(nev, 0);
	for (i = 0; i < 60; i++, t++)
		step(t, 100 + (i % 3));
	ck_assert_int_eq(nev, 0);
	/* 4x the normal level. */
	for (i = 0; i < 10; i++, t++)
		step(t, 400);
	ck_assert_int_eq(nev, 1);
	ck_assert_int_eq(evs[0].state, XS_ALERT_START);
	ck_assert_double_eq(evs[0].now, t - 10);
	ck_assert(evs[0].threshold > 300 && evs[0].threshold < 400);
	/* Back to normal: the end; the attack was not learned as normal. */
	for (i = 0; i < 5; i++, t++)
		step(t, 100);
	ck_assert_int_eq(evs[nev - 1].state, XS_ALERT_END);
	nev = 0;
	step(t++, 350);
	ck_assert_int_eq(nev, 1);
	ck_assert_int_eq(evs[0].state, XS_ALERT_START);
	ck_assert(evs[0].threshold < 320);
	teardown();

	/* mean + k * dev: noisy traffic needs more to alert than steady. */
	load("\"rules\": [{\"name\": \"k\", \"metric\": \"pps\", \"baseline\": {\"window_s\": 60,"
	     " \"k\": 4, \"warmup_s\": 20}}]");
	for (i = 0, t = 1; i < 200; i++, t++)
		step(t, i % 2 ? 50 : 150);	/* mean 100, deviation 50 */
	step(t++, 280);
	ck_assert_int_eq(nev, 0);
	step(t++, 340);				/* 280 was learned: about 322 now */
	ck_assert_int_eq(nev, 1);
	ck_assert(evs[0].threshold > 310 && evs[0].threshold < 330);
}
END_TEST

START_TEST(test_and_conditions)
{
	struct xs_metrics m = pps_metrics(5000);

	/* A fast download (one source) must not page; a spoofed flood must. */
	load("\"rules\": [{\"name\": \"syn\", \"metric\": \"pps\", \"above\": 1000,"
	     " \"and\": [{\"metric\": \"uniq_src\", \"above\": 100}]}]");
	m.v[XS_M_UNIQ_SRC] = 1;
	step_slot(1, SLOT_A_IN, &m);
	ck_assert_int_eq(nev, 0);
	m.v[XS_M_UNIQ_SRC] = 5000;
	step_slot(2, SLOT_A_IN, &m);
	ck_assert_int_eq(nev, 1);
	/* Once started, the primary condition alone holds it. */
	m.v[XS_M_UNIQ_SRC] = 1;
	step_slot(3, SLOT_A_IN, &m);
	ck_assert_int_eq(nev, 1);
}
END_TEST

START_TEST(test_pct_threshold)
{
	struct xs_metrics m = {};

	load("\"rules\": [{\"name\": \"udp\", \"metric\": \"udp_pps\","
	     " \"above\": {\"pct\": 50, \"of\": \"pps\", \"min\": 10}}]");
	m.v[XS_M_PPS] = 1000;
	m.v[XS_M_UDP_PPS] = 400;		/* 40% */
	step_slot(1, SLOT_A_IN, &m);
	ck_assert_int_eq(nev, 0);
	m.v[XS_M_PPS] = 8;
	m.v[XS_M_UDP_PPS] = 8;			/* 100%, but under the floor */
	step_slot(2, SLOT_A_IN, &m);
	ck_assert_int_eq(nev, 0);
	m.v[XS_M_PPS] = 1000;
	m.v[XS_M_UDP_PPS] = 600;
	step_slot(3, SLOT_A_IN, &m);
	ck_assert_int_eq(nev, 1);
	ck_assert_double_eq(evs[0].threshold, 500);
	teardown();

	load("\"rules\": [{\"name\": \"link\", \"metric\": \"bps\","
	     " \"above\": {\"pct\": 80, \"of\": \"link\"}}], \"alerts\": {\"link_bps\": 1e9}");
	m.v[XS_M_BPS] = 7.9e8;
	step_slot(1, SLOT_A_IN, &m);
	ck_assert_int_eq(nev, 0);
	m.v[XS_M_BPS] = 8.1e8;
	step_slot(2, SLOT_A_IN, &m);
	ck_assert_int_eq(nev, 1);
	ck_assert_double_eq(evs[0].threshold, 8e8);
}
END_TEST

START_TEST(test_ratio_and_below)
{
	struct xs_metrics m = {};

	load("\"rules\": [{\"name\": \"ratio\", \"metric\": \"syn_pps/synack_pps\", \"above\": 10},"
	     " {\"name\": \"quiet\", \"metric\": \"pps\", \"below\": 10, \"ranges\": [\"b\"],"
	     "  \"for_s\": 2, \"clear_s\": 0}]");
	m.v[XS_M_SYN_PPS] = 1000;
	m.v[XS_M_SYNACK_PPS] = 500;		/* 2: a busy server, no alert */
	m.v[XS_M_PPS] = 100;
	step_slot(1, SLOT_A_IN, &m);
	step_slot(1, SLOT_B_IN, &m);
	ck_assert_int_eq(nev, 0);
	m.v[XS_M_SYNACK_PPS] = 0;		/* 1000 over max(0, 1) */
	step_slot(2, SLOT_A_IN, &m);
	ck_assert_int_eq(nev, 1);
	ck_assert_str_eq(evs[0].rule, "ratio");
	ck_assert_double_eq(evs[0].value, 1000);
	/* Range b goes quiet (its slot idle from t=2: pps 0 < 10). */
	step_slot(3, SLOT_A_IN, &m);
	ck_assert_int_eq(nev, 2);
	ck_assert_str_eq(evs[1].rule, "quiet");
	ck_assert_str_eq(evs[1].range, "b");
	ck_assert_double_eq(evs[1].since, 1);
	ck_assert_double_eq(evs[1].severity, 10);	/* threshold over max(value, 1) */
	m.v[XS_M_SYN_PPS] = 0;
	m.v[XS_M_PPS] = 10.5;			/* within the hysteresis: still quiet */
	step_slot(4, SLOT_B_IN, &m);
	ck_assert_int_eq(nev, 2);
	m.v[XS_M_PPS] = 12;
	step_slot(5, SLOT_B_IN, &m);
	ck_assert_int_eq(nev, 3);		/* (a's ratio alert ends only after clear_s) */
	ck_assert_int_eq(evs[2].state, XS_ALERT_END);
	ck_assert_str_eq(evs[2].rule, "quiet");
}
END_TEST

START_TEST(test_dirs_and_ranges)
{
	struct xs_metrics m = pps_metrics(500);

	load("\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": 100, \"dir\": \"out\","
	     " \"ranges\": [\"b\"]}]");
	step_slot(1, SLOT_A_IN, &m);
	step_slot(2, SLOT_B_IN, &m);
	ck_assert_int_eq(nev, 0);
	step_slot(3, SLOT_B_OUT, &m);
	ck_assert_int_eq(nev, 1);
	ck_assert_int_eq(evs[0].dir, XS_DIR_OUT);
	ck_assert_str_eq(evs[0].range, "b");
}
END_TEST

START_TEST(test_gap_and_stop)
{
	struct xs_metrics m = pps_metrics(500);
	struct xs_rules_stats st;

	load("\"rules\": [{\"name\": \"r\", \"metric\": \"pps\", \"above\": 100}]");
	step(1, 500);
	ck_assert_int_eq(nev, 1);
	/* Replay skipped 20 empty seconds: the alert ended in them, and the
	 * traffic after the gap is a new alert. */
	clock_now = 22;
	rules_begin(eng, 22, 1.0, 20);
	rules_slot(eng, SLOT_A_IN, &m, collect, NULL);
	ck_assert_int_eq(nev, 3);
	ck_assert_int_eq(evs[1].state, XS_ALERT_END);
	ck_assert_double_eq(evs[1].duration_s, 1);
	ck_assert_int_eq(evs[2].state, XS_ALERT_START);
	ck_assert_str_ne(evs[1].id, evs[2].id);
	/* A stop ends what is active, with its reason. */
	ck_assert_int_eq(rules_stop(eng, 23, "stopped", collect, NULL), 0);
	ck_assert_int_eq(nev, 4);
	ck_assert_int_eq(evs[3].state, XS_ALERT_END);
	ck_assert_str_eq(evs[3].reason, "stopped");
	ck_assert_str_eq(evs[3].id, evs[2].id);
	rules_stats(eng, &st);
	ck_assert_uint_eq(st.active, 0);
	ck_assert_uint_eq(st.started, 2);
}
END_TEST

START_TEST(test_state_file)
{
	static const char *rules =
		"\"rules\": [{\"name\": \"spike\", \"metric\": \"pps\", \"baseline\": {\"window_s\": 60,"
		" \"factor\": 3, \"warmup_s\": 30}}]";
	char path[256];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/state.json", tmpdir);
	unlink(path);
	load(rules);
	ck_assert_int_eq(rules_load_state(eng, path, err, sizeof(err)), 0);	/* missing: fine */
	for (i = 0; i < 40; i++)
		step(i + 1, 100);
	ck_assert_int_eq(rules_save_state(eng, path, err, sizeof(err)), 0);
	teardown();

	/* A restart: no warm-up again, 400 alerts at once. */
	load(rules);
	ck_assert_int_eq(rules_load_state(eng, path, err, sizeof(err)), 0);
	step(100, 400);
	ck_assert_int_eq(nev, 1);
	ck_assert_double_eq_tol(evs[0].threshold, 300, 1e-6);
	teardown();

	/* Without the file it would have learned from scratch. */
	load(rules);
	step(100, 400);
	ck_assert_int_eq(nev, 0);
	teardown();

	f = fopen(path, "w");
	fputs("{\"schema\":1,\"baselines\":[{\"rule\":\"spike\"}]}", f);
	fclose(f);
	load(rules);
	ck_assert_int_eq(rules_load_state(eng, path, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "state.json: baselines[0]: expected {\"rule\", \"metric\", "
				  "\"range\", \"dir\", \"mean\", \"var\", \"learned_s\"}"), "%s", err);
	f = fopen(path, "w");
	fputs("{\"schema\":1,", f);
	fclose(f);
	ck_assert_int_eq(rules_load_state(eng, path, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "invalid state file"), "%s", err);
}
END_TEST

static struct xs_metrics mix(uint64_t tcp, uint64_t udp, uint64_t icmp, uint64_t syn,
			     uint64_t synack, uint64_t rst, uint64_t frags, uint16_t port,
			     uint64_t port_pkts)
{
	struct xs_metrics m = {};

	m.tcp = tcp;
	m.udp = udp;
	m.icmp = icmp;
	m.pkts = tcp + udp + icmp;
	m.syn = syn;
	m.synack = synack;
	m.rst = rst;
	m.frags = frags;
	m.amp_port = port;
	m.amp_pkts = port_pkts;
	return m;
}

START_TEST(test_classify)
{
	static const struct {
		struct xs_metrics m;
		const char *want;
	} rows[] = {
		{ { .pkts = 0 }, "unknown" },
		{ { .pkts = 10, .tcp = 10, .syn = 9 }, "syn_flood" },
		{ { .pkts = 10, .tcp = 10, .synack = 8, .rst = 2 }, "synack_flood" },
		{ { .pkts = 10, .tcp = 10, .rst = 6 }, "rst_flood" },
		{ { .pkts = 10, .tcp = 10, .syn = 1 }, "ack_flood" },
		{ { .pkts = 10, .tcp = 10, .syn = 3, .fin = 3 }, "tcp_flood" },
		{ { .pkts = 10, .udp = 10 }, "udp_flood" },
		{ { .pkts = 10, .icmp = 10, .frags = 10 }, "icmp_flood" },
		{ { .pkts = 10, .other = 10, .frags = 10 }, "fragment_flood" },
		{ { .pkts = 10, .udp = 9, .frags = 8 }, "fragment_flood" },
		{ { .pkts = 10, .other = 10 }, "unknown" },
	};
	static const struct {
		uint16_t port;
		const char *want;
	} amp[] = {
		{ 53, "dns_amplification" },	   { 123, "ntp_amplification" },
		{ 11211, "memcached_amplification" }, { 1900, "ssdp_amplification" },
		{ 19, "chargen_amplification" },   { 389, "ldap_amplification" },
		{ 161, "snmp_amplification" },	   { 500, "isakmp_amplification" },
	};
	struct xs_metrics m;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		ck_assert_msg(!strcmp(rules_classify(&rows[i].m), rows[i].want), "row %zu: %s", i,
			      rules_classify(&rows[i].m));
	for (i = 0; i < sizeof(amp) / sizeof(amp[0]); i++) {
		m = mix(0, 1000, 0, 0, 0, 0, 0, amp[i].port, 900);
		ck_assert_str_eq(rules_classify(&m), amp[i].want);
	}
	/* Fragmented answers: later fragments carry no port. */
	m = mix(100, 250, 0, 5, 0, 0, 240, 53, 70);
	ck_assert_str_eq(rules_classify(&m), "dns_amplification");
	/* A service port among random ones is a plain flood. */
	m = mix(0, 1000, 0, 0, 0, 0, 0, 53, 3);
	ck_assert_str_eq(rules_classify(&m), "udp_flood");
	ck_assert_ptr_null(rules_amp_service(80));
}
END_TEST

START_TEST(test_metrics_from_counters)
{
	struct xs_counters d = {
		.tcp = { .pkts = 100, .bytes = 6000 },
		.udp = { .pkts = 20, .bytes = 20000 },
		.syn = 90,
		.synack = 3,
		.frags = 4,
	};
	struct xs_metrics m;

	rules_metrics(&m, &d, 2.0, XS_DIR_IN, NULL, NULL);
	ck_assert_uint_eq(m.pkts, 120);
	ck_assert_double_eq(m.v[XS_M_PPS], 60);
	ck_assert_double_eq(m.v[XS_M_BPS], 26000 * 8 / 2.0);
	ck_assert_double_eq(m.v[XS_M_TCP_PPS], 50);
	ck_assert_double_eq(m.v[XS_M_UDP_BPS], 80000);
	ck_assert_double_eq(m.v[XS_M_SYN_PPS], 45);
	ck_assert_double_eq(m.v[XS_M_FRAG_PPS], 2);
	ck_assert_double_eq(m.v[XS_M_PKTS], 120);
	ck_assert_int_eq(m.has_host, 0);
}
END_TEST

START_TEST(test_reload)
{
	struct xs_config c2;
	struct xs_rules *e2;
	struct xs_rules_stats st;
	int i;

	load("\"rules\": [{\"name\": \"spike\", \"metric\": \"pps\", \"baseline\": {\"window_s\": 60,"
	     " \"factor\": 3, \"warmup_s\": 30}},"
	     " {\"name\": \"gone\", \"metric\": \"pps\", \"above\": 1000}]");
	for (i = 0; i < 40; i++)
		step(i + 1, 100);
	step(41, 2000);				/* both rules alert on a */
	ck_assert_int_eq(nev, 2);
	/* The new config: ranges renumbered (c, b, a), "gone" removed, a new rule. */
	load_into(&c2, "[{\"name\": \"c\", \"prefixes\": [\"198.18.2.0/24\"]},"
		       " {\"name\": \"b\", \"prefixes\": [\"198.18.1.0/24\"]},"
		       " {\"name\": \"a\", \"prefixes\": [\"198.18.0.0/24\"]}]",
		  "\"rules\": [{\"name\": \"new\", \"metric\": \"bps\", \"above\": 1},"
		  " {\"name\": \"spike\", \"metric\": \"pps\", \"baseline\": {\"window_s\": 60,"
		  " \"factor\": 3, \"warmup_s\": 30}}]");
	e2 = rules_new(&c2, XS_SLOTS(c2.nranges), err, sizeof(err));
	ck_assert_ptr_nonnull(e2);
	ck_assert_int_eq(rules_adopt(e2, eng, collect, NULL), 0);
	ck_assert_int_eq(nev, 3);
	ck_assert_int_eq(evs[2].state, XS_ALERT_END);
	ck_assert_str_eq(evs[2].rule, "gone");
	ck_assert_str_eq(evs[2].reason, "reloaded");
	ck_assert_str_eq(evs[2].id, evs[1].rule[0] == 'g' ? evs[1].id : evs[0].id);
	rules_stats(e2, &st);
	ck_assert_uint_eq(st.active, 1);	/* spike goes on */
	rules_free(eng);
	config_free(&cfg);
	cfg = c2;
	rules_rebind(e2, &cfg);
	eng = e2;
	/* a is now range 3: its spike alert goes on under its id, then ends. */
	{
		struct xs_metrics m = pps_metrics(2000);

		step_slot(42, 3 * XS_DIR_MAX + XS_DIR_IN, &m);
		m = pps_metrics(100);
		for (i = 43; i < 50; i++)
			step_slot(i, 3 * XS_DIR_MAX + XS_DIR_IN, &m);
	}
	ck_assert_int_eq(evs[nev - 1].state, XS_ALERT_END);
	ck_assert_str_eq(evs[nev - 1].rule, "spike");
	ck_assert_str_eq(evs[nev - 1].range, "a");
	ck_assert_str_eq(evs[nev - 1].id, evs[0].rule[0] == 's' ? evs[0].id : evs[1].id);
	/* Its baseline is the one learned before the reload: no new warm-up. */
	{
		struct xs_metrics m = pps_metrics(400);

		nev = 0;
		step_slot(60, 3 * XS_DIR_MAX + XS_DIR_IN, &m);
		ck_assert_int_eq(nev, 1);
		ck_assert_str_eq(evs[0].rule, "spike");
	}
}
END_TEST


/* Range a's `in` figures with these hosts (198.18.0.<i>) and their pps in
 * top_dst, in 1 s. */
static struct xs_sk_layout host_layout;
static struct xs_sk_result host_sk;

static struct xs_metrics host_metrics(const int *host, const double *pps, int n)
{
	struct xs_metrics m;
	double total = 0;
	int i, d;

	memset(&host_layout, 0, sizeof(host_layout));
	memset(&host_sk, 0, sizeof(host_sk));
	for (d = 0; d < XS_DIM_MAX; d++)
		host_layout.dim_pos[d] = d == XS_DIM_DST ? 0 : -1;
	host_sk.ntop[XS_DIM_DST] = n;
	for (i = 0; i < n; i++) {
		struct xs_top_item *t = &host_sk.top[XS_DIM_DST][i];

		memset(t->key, 0, sizeof(t->key));
		t->key[10] = t->key[11] = 0xff;
		t->key[12] = 198;
		t->key[13] = 18;
		t->key[15] = host[i];
		t->pkts = pps[i];
		t->bytes = pps[i] * 100;
		total += pps[i];
	}
	m = pps_metrics(total);
	m.l = &host_layout;
	m.sk = &host_sk;
	if (n) {			/* as rules_metrics(): the busiest host */
		m.has_host = 1;
		memcpy(m.host, host_sk.top[XS_DIM_DST][0].key, sizeof(m.host));
		m.host_pkts = pps[0];
		m.host_bytes = pps[0] * 100;
		m.v[XS_M_HOST_PPS] = pps[0];
		m.v[XS_M_HOST_BPS] = pps[0] * 800;
		m.v[XS_M_HOST_SHARE] = pps[0] / total;
	}
	return m;
}

static int count_state(enum xs_alert_state st, const char *target)
{
	int i, c = 0;

	for (i = 0; i < nev; i++)
		c += evs[i].state == st && (!target || !strcmp(evs[i].target, target));
	return c;
}

/* Two hosts of one range over a host_pps threshold: two alerts, each
 * with its host as target, its own id and its own packets; the second
 * ends while the first goes on. */
START_TEST(test_per_host_two_victims)
{
	static const int hosts[] = { 10, 20, 30 };
	static const double two[] = { 9000, 7000, 100 }, one[] = { 9000, 10, 100 };
	struct xs_metrics m;
	struct xs_rules_stats st;
	int i;

	load("\"rules\": [{\"name\": \"host-flood\", \"metric\": \"host_pps\", \"above\": 5000,"
	     " \"clear_s\": 2}]");
	m = host_metrics(hosts, two, 3);
	step_slot(1, SLOT_A_IN, &m);
	ck_assert_int_eq(nev, 2);
	ck_assert_int_eq(count_state(XS_ALERT_START, "198.18.0.10"), 1);
	ck_assert_int_eq(count_state(XS_ALERT_START, "198.18.0.20"), 1);
	ck_assert_str_ne(evs[0].id, evs[1].id);
	ck_assert_uint_eq(evs[0].pkts + evs[1].pkts, 16000);
	rules_stats(eng, &st);
	ck_assert_uint_eq(st.active, 2);
	for (i = 2; i <= 5; i++) {
		m = host_metrics(hosts, one, 3);
		step_slot(i, SLOT_A_IN, &m);
	}
	ck_assert_int_eq(count_state(XS_ALERT_END, "198.18.0.20"), 1);
	ck_assert_int_eq(count_state(XS_ALERT_END, "198.18.0.10"), 0);
	rules_stats(eng, &st);
	ck_assert_uint_eq(st.active, 1);
	/* A host that leaves the list counts as 0: its alert ends too. */
	for (i = 6; i <= 9; i++) {
		m = host_metrics(hosts + 2, one + 2, 1);
		step_slot(i, SLOT_A_IN, &m);
	}
	ck_assert_int_eq(count_state(XS_ALERT_END, "198.18.0.10"), 1);
	/* The stop ends nothing more; every record named its host. */
	ck_assert_int_eq(rules_stop(eng, 10, "stopped", collect, NULL), 0);
	ck_assert_int_eq(nev, 4);
	for (i = 0; i < nev; i++)
		ck_assert_str_ne(evs[i].target, "");
}
END_TEST

/* Range a's hosts as host_metrics(), and top_syn's hosts and SYNs. */
static struct xs_metrics syn_metrics(const int *host, const double *pps, int n, const int *shost,
				     const double *syn, int ns)
{
	struct xs_metrics m = host_metrics(host, pps, n);
	int i;

	host_layout.dim_pos[XS_DIM_SYN] = 1;
	host_sk.ntop[XS_DIM_SYN] = ns;
	for (i = 0; i < ns; i++) {
		struct xs_top_item *t = &host_sk.top[XS_DIM_SYN][i];

		memcpy(t->key, host_sk.top[XS_DIM_DST][0].key, sizeof(t->key));
		t->key[15] = shost[i];
		t->pkts = syn[i];
		t->bytes = syn[i] * 60;
	}
	return m;
}

static const struct ev *find_ev(enum xs_alert_state st, const char *target)
{
	int i;

	for (i = 0; i < nev; i++)
		if (evs[i].state == st && !strcmp(evs[i].target, target))
			return &evs[i];
	return NULL;
}

/* host_syn_pps alerts the hosts of top_syn over it, each on its own, and
 * not the busiest host by packets when its packets are not SYNs. A host
 * top_dst leaves out is said to have had at least its SYNs. */
START_TEST(test_per_host_syn)
{
	static const int hosts[] = { 10, 20, 30 }, shosts[] = { 20, 30, 40, 10 };
	static const double pps[] = { 50000, 3000, 2500 }, syn[] = { 3000, 2400, 1200, 5 };
	const struct ev *e;
	struct xs_metrics m;

	load("\"rules\": [{\"name\": \"syn-host\", \"metric\": \"host_syn_pps\", \"above\": 1000,"
	     " \"clear_s\": 2},"
	     " {\"name\": \"host-flood\", \"metric\": \"host_pps\", \"above\": 10000}],"
	     " \"stats\": {\"top\": [\"src\", \"dst\", \"syn\"]}");
	m = syn_metrics(hosts, pps, 3, shosts, syn, 4);
	step_slot(1, SLOT_A_IN, &m);
	ck_assert_int_eq(nev, 4);
	ck_assert_int_eq(count_state(XS_ALERT_START, "198.18.0.10"), 1);	/* host-flood */
	e = find_ev(XS_ALERT_START, "198.18.0.10");
	ck_assert_str_eq(e->rule, "host-flood");
	e = find_ev(XS_ALERT_START, "198.18.0.20");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->rule, "syn-host");
	ck_assert_str_eq(e->attack, "syn_flood");	/* the range's mix is UDP */
	ck_assert_uint_eq(e->pkts, 3000);
	ck_assert(fabs(e->value - 3000) < 1e-6);
	e = find_ev(XS_ALERT_START, "198.18.0.30");
	ck_assert_ptr_nonnull(e);
	ck_assert(fabs(e->value - 2400) < 1e-6);
	ck_assert_uint_eq(e->pkts, 2500);
	e = find_ev(XS_ALERT_START, "198.18.0.40");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->pkts, 1200);
	/* The SYNs stop (the list keeps its hosts): the SYN alerts end. */
	nev = 0;
	for (int i = 2; i <= 5; i++) {
		static const double none[] = { 5, 5, 5, 5 };

		m = syn_metrics(hosts, pps, 3, shosts, none, 4);
		step_slot(i, SLOT_A_IN, &m);
	}
	ck_assert_int_eq(count_state(XS_ALERT_END, "198.18.0.20"), 1);
	ck_assert_int_eq(count_state(XS_ALERT_END, "198.18.0.30"), 1);
	ck_assert_int_eq(count_state(XS_ALERT_END, "198.18.0.40"), 1);
	ck_assert_int_eq(count_state(XS_ALERT_END, "198.18.0.10"), 0);
}
END_TEST

/* A flood over a whole /24: more hosts over the threshold than
 * alerts.max_hosts gives one alert for the range (hosts_over says how
 * many), no host alert, and the hosts left out are counted. */
START_TEST(test_per_host_bounded)
{
	int hosts[XS_TOP_K_MAX], i;
	double pps[XS_TOP_K_MAX];
	struct xs_rules_stats st;
	struct xs_metrics m;

	load("\"rules\": [{\"name\": \"host-flood\", \"metric\": \"host_pps\", \"above\": 100}],"
	     " \"alerts\": {\"max_hosts\": 4}");
	for (i = 0; i < 10; i++) {
		hosts[i] = i + 1;
		pps[i] = 1000 - i;
	}
	m = host_metrics(hosts, pps, 10);
	step_slot(1, SLOT_A_IN, &m);
	ck_assert_int_eq(nev, 1);
	ck_assert_int_eq(evs[0].state, XS_ALERT_START);
	ck_assert_int_eq(evs[0].range_wide, 1);
	ck_assert_uint_eq(evs[0].hosts_over, 10);
	ck_assert_str_eq(evs[0].target, "");
	rules_stats(eng, &st);
	ck_assert_uint_eq(st.hosts_suppressed, 10);
	ck_assert_uint_eq(st.active, 1);
	/* Four hosts over: each its own alert; the range's goes on (its
	 * busiest host is still over) until it is not. */
	m = host_metrics(hosts, pps, 4);
	step_slot(2, SLOT_A_IN, &m);
	ck_assert_int_eq(count_state(XS_ALERT_START, NULL), 5);
	ck_assert_int_eq(count_state(XS_ALERT_START, "198.18.0.4"), 1);
	/* Five over again: the four go on, the fifth is left out. */
	m = host_metrics(hosts, pps, 5);
	step_slot(3, SLOT_A_IN, &m);
	ck_assert_int_eq(count_state(XS_ALERT_START, NULL), 5);
	rules_stats(eng, &st);
	ck_assert_uint_eq(st.hosts_suppressed, 11);
	ck_assert_uint_eq(st.active, 5);
	ck_assert_int_eq(rules_stop(eng, 4, "stopped", collect, NULL), 0);
	ck_assert_int_eq(count_state(XS_ALERT_END, NULL), 5);
}
END_TEST

/* A reload keeps every host's alert under its id. */
START_TEST(test_per_host_reload)
{
	static const int hosts[] = { 10, 20 };
	static const double pps[] = { 9000, 7000 };
	struct xs_config c2;
	struct xs_rules *e2;
	struct xs_rules_stats st;
	struct xs_metrics m;

	load("\"rules\": [{\"name\": \"host-flood\", \"metric\": \"host_pps\", \"above\": 5000}]");
	m = host_metrics(hosts, pps, 2);
	step_slot(1, SLOT_A_IN, &m);
	ck_assert_int_eq(nev, 2);
	load_into(&c2, RANGES_AB,
		  "\"rules\": [{\"name\": \"host-flood\", \"metric\": \"host_pps\", \"above\": 5000}]");
	e2 = rules_new(&c2, XS_SLOTS(c2.nranges), err, sizeof(err));
	ck_assert_ptr_nonnull(e2);
	ck_assert_int_eq(rules_adopt(e2, eng, collect, NULL), 0);
	ck_assert_int_eq(nev, 2);
	rules_stats(e2, &st);
	ck_assert_uint_eq(st.active, 2);
	rules_free(eng);
	config_free(&cfg);
	cfg = c2;
	rules_rebind(e2, &cfg);
	eng = e2;
	ck_assert_int_eq(rules_stop(eng, 2, "stopped", collect, NULL), 0);
	ck_assert_int_eq(nev, 4);
	ck_assert_str_eq(evs[2].id, strcmp(evs[2].target, evs[0].target) ? evs[1].id : evs[0].id);
}
END_TEST


static int uniq_calls;

static int uniq_500(void *ctx, uint32_t slot, struct xs_metrics *m)
{
	(void)ctx;
	(void)slot;
	uniq_calls++;
	m->v[XS_M_UNIQ_SRC] = 500;
	return 0;
}

/* Early detection: a rule on counters and uniq_src starts at a check
 * between interval ends on the interval so far; the interval's end goes
 * on under the same id with the whole interval's packets. Rules with
 * for_s, on a host metric or `below` never start early, and the sketches
 * (uniq_src) are asked for only when the rest holds. */
START_TEST(test_early)
{
	struct xs_rules_stats st;
	struct xs_metrics m;
	int i;

	load("\"rules\": [{\"name\": \"syn\", \"metric\": \"pps\", \"above\": 1000,"
	     " \"and\": [{\"metric\": \"uniq_src\", \"above\": 100}]},"
	     " {\"name\": \"slow\", \"metric\": \"pps\", \"above\": 1000, \"for_s\": 2},"
	     " {\"name\": \"low\", \"metric\": \"pps\", \"below\": 10}]");
	ck_assert(rules_early_rule(&cfg.rules[0]));
	ck_assert(!rules_early_rule(&cfg.rules[1]));
	ck_assert(!rules_early_rule(&cfg.rules[2]));
	step(1, 100);			/* an interval ends at 1 */
	nev = 0;
	uniq_calls = 0;
	/* 0.2 s in: 100 pps so far: nothing holds, uniq_src not asked for. */
	m = pps_metrics(100);
	ck_assert_int_eq(rules_early(eng, SLOT_A_IN, &m, 1.2, uniq_500, NULL, collect, NULL), 0);
	ck_assert_int_eq(nev, 0);
	ck_assert_int_eq(uniq_calls, 0);
	/* Without a uniq_src source the rule waits for the interval's end. */
	m = pps_metrics(5000);
	m.pkts = 1500;
	ck_assert_int_eq(rules_early(eng, SLOT_A_IN, &m, 1.3, NULL, NULL, collect, NULL), 0);
	ck_assert_int_eq(nev, 0);
	ck_assert_int_eq(rules_early(eng, SLOT_A_IN, &m, 1.3, uniq_500, NULL, collect, NULL), 0);
	ck_assert_int_eq(uniq_calls, 1);
	ck_assert_int_eq(nev, 1);
	ck_assert_str_eq(evs[0].rule, "syn");
	ck_assert_int_eq(evs[0].state, XS_ALERT_START);
	ck_assert_double_eq_tol(evs[0].since, 1, 1e-9);
	ck_assert_double_eq_tol(evs[0].duration_s, 0.3, 1e-9);
	ck_assert_uint_eq(evs[0].pkts, 1500);
	/* Once started, a check starts nothing more. */
	ck_assert_int_eq(rules_early(eng, SLOT_A_IN, &m, 1.4, uniq_500, NULL, collect, NULL), 0);
	ck_assert_int_eq(nev, 1);
	rules_stats(eng, &st);
	ck_assert_uint_eq(st.early, 1);
	/* The interval's end: the same alert, the whole interval's packets. */
	m = pps_metrics(4000);
	m.v[XS_M_UNIQ_SRC] = 600;
	clock_now = 2;
	rules_begin(eng, 2, 1.0, 0);
	ck_assert_int_eq(rules_slot(eng, SLOT_A_IN, &m, collect, NULL), 0);
	/* Whatever ongoing_s, the interval's record gives the whole of it. */
	ck_assert_int_eq(nev, 2);
	ck_assert_int_eq(evs[1].state, XS_ALERT_ONGOING);
	ck_assert_str_eq(evs[1].id, evs[0].id);
	ck_assert_uint_eq(evs[1].pkts, 4000);
	for (i = 3; i < 12; i++)
		step(i, 100);
	/* It ends under its id; its packets: 4000 in the interval it started
	 * in (not 1500 more), 100 in each of the 5 until it cleared. */
	for (i = 1; i < nev && (strcmp(evs[i].id, evs[0].id) || evs[i].state != XS_ALERT_END); i++)
		;
	ck_assert_int_lt(i, nev);
	ck_assert_uint_eq(evs[i].pkts, 4500);
}
END_TEST

static const char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return "";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void wait_all(struct xs_hooks *h)
{
	int i;

	for (i = 0; i < 500 && h->nkids; i++) {
		usleep(10000);
		hook_poll(h);
	}
}

START_TEST(test_hook)
{
	char script[512], out[256];
	char *argv[] = { "/bin/sh", script, out, NULL };
	struct xs_hooks h;
	struct timespec a, b;
	FILE *f;

	snprintf(script, sizeof(script), "%s/hook.sh", tmpdir);
	snprintf(out, sizeof(out), "%s/hook.out", tmpdir);
	f = fopen(script, "w");
	/* Reads its input to a file, then exits with the status it was asked for. */
	fputs("cat > \"$1\"; case \"$(cat \"$1\")\" in *sleep*) sleep 30;; *fail*) exit 3;; esac\n", f);
	fclose(f);

	ck_assert_int_eq(hook_init(&h, argv, 5, 2), 0);
	ck_assert_int_eq(hook_run(&h, "a", "{\"state\":\"start\"}\n", 19), 0);
	wait_all(&h);
	ck_assert_str_eq(slurp(out), "{\"state\":\"start\"}\n");
	ck_assert_uint_eq(h.st.started, 1);
	ck_assert_uint_eq(h.st.ok, 1);
	ck_assert_int_eq(h.st.last_status, 0);

	ck_assert_int_eq(hook_run(&h, "b", "fail\n", 5), 0);
	wait_all(&h);
	ck_assert_uint_eq(h.st.failed, 1);
	ck_assert_int_eq(h.st.last_status, 3);

	/* One alert's hooks run in order: the end waits for the slow start. */
	f = fopen(script, "w");
	fputs("read l; case \"$l\" in *start*) sleep 0.3;; esac; echo \"$l\" >> \"$1\"\n", f);
	fclose(f);
	unlink(out);
	ck_assert_int_eq(hook_run(&h, "id1", "start\n", 6), 0);
	ck_assert_int_eq(hook_run(&h, "id1", "end\n", 4), 0);
	ck_assert_uint_eq(h.nqueue, 1);
	ck_assert_uint_eq(h.nkids, 1);
	hook_finish(&h);
	ck_assert_str_eq(slurp(out), "start\nend\n");
	ck_assert_uint_eq(h.st.started, 4);
	f = fopen(script, "w");
	fputs("cat > \"$1\"; case \"$(cat \"$1\")\" in *sleep*) sleep 30;; *fail*) exit 3;; esac\n", f);
	fclose(f);

	/* A hanging hook is killed after its timeout; the caller never waits. */
	ck_assert_int_eq(hook_init(&h, argv, 0.3, 1), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	ck_assert_int_eq(hook_run(&h, "c", "sleep\n", 6), 0);
	ck_assert_int_eq(hook_run(&h, "d", "{}\n", 3), -EBUSY);	/* one in flight at most */
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert(b.tv_sec - a.tv_sec < 1);
	ck_assert_uint_eq(h.st.skipped, 1);
	wait_all(&h);
	ck_assert_uint_eq(h.st.timeout, 1);
	ck_assert_int_eq(h.nkids, 0);
	hook_finish(&h);

	/* No hook configured: nothing runs. */
	ck_assert_int_eq(hook_init(&h, NULL, 1, 1), 0);
	ck_assert_int_eq(hook_run(&h, "e", "{}\n", 3), 0);
	ck_assert_uint_eq(h.st.started, 0);
	hook_finish(&h);
}
END_TEST

static Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("rules");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_threshold_lifecycle);
	tcase_add_test(tc, test_ongoing_every_interval);
	tcase_add_test(tc, test_sustain);
	tcase_add_test(tc, test_hysteresis);
	tcase_add_test(tc, test_baseline);
	tcase_add_test(tc, test_and_conditions);
	tcase_add_test(tc, test_pct_threshold);
	tcase_add_test(tc, test_ratio_and_below);
	tcase_add_test(tc, test_dirs_and_ranges);
	tcase_add_test(tc, test_gap_and_stop);
	tcase_add_test(tc, test_state_file);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_per_host_two_victims);
	tcase_add_test(tc, test_per_host_syn);
	tcase_add_test(tc, test_per_host_bounded);
	tcase_add_test(tc, test_per_host_reload);
	tcase_add_test(tc, test_early);
	tcase_add_test(tc, test_classify);
	tcase_add_test(tc, test_metrics_from_counters);
	tcase_add_test(tc, test_hook);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;
	char cmd[128];

	if (!mkdtemp(tmpdir)) {
		perror("test_rules: mkdtemp");
		return 1;
	}
	sr = srunner_create(rules_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		fprintf(stderr, "test_rules: could not remove %s\n", tmpdir);
	return failed ? 1 : 0;
}
