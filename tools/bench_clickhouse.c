// SPDX-License-Identifier: GPL-2.0
/*
 * The ClickHouse sink at scale: `bench_clickhouse URL RANGES INTERVALS`
 * feeds the sink (sink_clickhouse.c, the daemon's own code) with RANGES
 * range records an interval (1 s apart in synthetic time, so windows of
 * 60 s ship), then stops it and waits for every row to be stored. Prints
 * rows a second the writer sustained end to end, and the CPU the daemon's
 * side pays an interval (making the rows) and the writer's (sending).
 *
 * The synthetic mix, per range and interval: about 60 packets (counters
 * drawn at random, so they compress as real ones do); 4 in 5 ranges with
 * 1 to 6 sources (the exact tier), 1 in 5 with a page of 500 new sources;
 * four top lists of 10 keys. Windows of 60 s, shipped at p = 12.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "config.h"
#include "sink.h"
#include "skread.h"
#include "sketch.h"

static double now(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static double proc_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	static struct xs_sk_result sk;
	struct xs_sk_layout skl = { .hll_p = 14, .top_k = 10 };
	struct xs_counters delta = {};
	struct xs_sink_stat st[16];
	struct xs_config cfg;
	struct xs_hll page;
	char err[512], name[32];
	unsigned long nr, ni, r, i;
	double t0, c0, tc0, td, make = 0, doc = 0, wall, stop_cpu;
	uint64_t rows = 0;
	size_t k, n;
	int e = 0, d;
	void *s;

	if (argc != 4 || !(nr = strtoul(argv[2], NULL, 10)) || !(ni = strtoul(argv[3], NULL, 10))) {
		fprintf(stderr, "usage: bench_clickhouse URL RANGES INTERVALS\n");
		return 2;
	}
	config_init(&cfg);
	cfg.stats.enabled = 1;
	cfg.stats.hll_precision = 14;
	cfg.clickhouse.hll_precision = 12;
	cfg.clickhouse.sketch_interval_s = 60;
	cfg.clickhouse.buffer = 1ULL << 30;
	{
		struct xs_sink_env env = { .cfg = &cfg, .cmd = XS_CMD_REPLAY, .arg = argv[1] };

		s = sink_clickhouse_ops.open(&env, &e, err, sizeof(err));
	}
	if (!s) {
		fprintf(stderr, "bench_clickhouse: %s\n", err);
		return 1;
	}
	hll_init(&page, 14);
	for (d = 0; d < XS_DIM_MAX; d++)
		skl.dim_pos[d] = d;
	skl.ndims = XS_DIM_MAX;
	t0 = now(CLOCK_MONOTONIC);
	c0 = proc_cpu();
	for (i = 0; i < ni; i++) {
		struct xs_rec_meta m = { .host = "bench", .ifname = "eth0",
					 .ts = { .tv_sec = 1764720000 + (time_t)i }, .interval_s = 1.0 };
		struct xs_interval_end ie = { .m = &m };

		tc0 = now(CLOCK_THREAD_CPUTIME_ID);
		for (r = 0; r < nr; r++) {
			struct xs_record rec = { .type = XS_REC_RANGE, .m = &m, .dir = 0,
						 .delta = &delta, .skl = &skl, .sk = &sk };

			uint64_t x = xs_mix64(i * 100003 + r);

			delta.tcp.pkts = 30 + x % 40;
			delta.tcp.bytes = delta.tcp.pkts * (60 + (x >> 8) % 1400);
			delta.udp.pkts = (x >> 20) % 20;
			delta.udp.bytes = delta.udp.pkts * (60 + (x >> 28) % 500);
			delta.icmp.pkts = (x >> 36) % 3;
			delta.icmp.bytes = delta.icmp.pkts * 98;
			delta.syn = (x >> 40) % 8;
			delta.rst = (x >> 44) % 3;
			delta.fin = (x >> 46) % 5;
			delta.le64 = delta.tcp.pkts / 3;
			delta.le1518 = delta.tcp.pkts - delta.le64 + delta.udp.pkts + delta.icmp.pkts;
			snprintf(name, sizeof(name), "customer-%lu", r);
			rec.range = name;
			memset(sk.lite, 0, sizeof(sk.lite));
			sk.regs = NULL;
			if (r % 5 == 0) {	/* a page of 500 new sources */
				hll_clear(&page);
				for (k = 0; k < 500; k++)
					hll_add_hash(&page, xs_mix64(i * 1000003 + r * 1009 + k) | 1);
				sk.regs = page.regs;
				sk.uniq_src = 500;
			} else {
				for (k = 0; k <= r % XS_LITE_HASHES; k++)
					sk.lite[k] = xs_mix64(r * 7 + k) | 1;
				sk.uniq_src = k;
			}
			for (d = 0; d < XS_DIM_MAX; d++) {
				sk.ntop[d] = 10;
				for (k = 0; k < 10; k++) {
					memset(sk.top[d][k].key, 0, XS_TOP_KEY_LEN);
					sk.top[d][k].key[10] = sk.top[d][k].key[11] = 0xff;
					sk.top[d][k].key[14] = (uint8_t)(r >> 8);
					sk.top[d][k].key[15] = (uint8_t)(k + (i % 3));
					sk.top[d][k].pkts = 20 - k;
					sk.top[d][k].bytes = (20 - k) * 500;
				}
			}
			/* The record's document: the file output builds it anyway. */
			td = now(CLOCK_THREAD_CPUTIME_ID);
			sink_record_doc(&rec);
			doc += now(CLOCK_THREAD_CPUTIME_ID) - td;
			if (sink_clickhouse_ops.record(s, &rec))
				fprintf(stderr, "bench_clickhouse: a record failed\n");
			td = now(CLOCK_THREAD_CPUTIME_ID);
			sink_record_done(&rec);
			doc += now(CLOCK_THREAD_CPUTIME_ID) - td;
		}
		sink_clickhouse_ops.interval_end(s, &ie);
		make += now(CLOCK_THREAD_CPUTIME_ID) - tc0;
	}
	n = sink_clickhouse_ops.stats(s, st);
	stop_cpu = now(CLOCK_THREAD_CPUTIME_ID);
	sink_clickhouse_ops.stop(s);	/* waits for every row (60 s at most) */
	wall = now(CLOCK_MONOTONIC) - t0;
	stop_cpu = now(CLOCK_THREAD_CPUTIME_ID) - stop_cpu;
	for (k = 0; k < n; k++)
		if (!strcmp(st[k].key, "sent") || !strcmp(st[k].key, "pending"))
			rows += st[k].value;
	printf("clickhouse writer, %lu ranges x %lu intervals: %llu rows made and stored in %.2f s = "
	       "%.0f rows/s (one writer); CPU an interval: the records' documents %.1f ms (shared with "
	       "the file output), the rows and sketch windows %.1f ms, sending %.1f ms\n",
	       nr, ni, (unsigned long long)rows, wall, rows / wall, doc / ni * 1e3,
	       (make - doc) / ni * 1e3, (proc_cpu() - c0 - make - stop_cpu) / ni * 1e3);
	hll_free(&page);
	config_free(&cfg);
	return 0;
}
