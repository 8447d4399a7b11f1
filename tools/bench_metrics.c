// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: the cost of one /metrics scrape with 10,000 ranges, every
 * range and direction with traffic since start and in the interval (the
 * worst case: every series present), 10 active alerts; without top keys
 * (the default), and with the most metrics.top_ranges allow, lists full.
 * The render is what a scrape costs the daemon (libmicrohttpd's thread
 * only copies the text out). No kernel needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "config.h"
#include "metrics.h"

#define NRANGES 10000
#define ROUNDS 10

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* The best render of ROUNDS; the top lists of the first `opted` ranges
 * are series (metrics.top_ranges). */
static double bench(uint32_t nslots, const struct xs_counters *cur, const struct xs_sk_result *sk,
		    char **names, uint32_t opted, size_t *len)
{
	struct xs_sk_layout l = { .dim_pos = { 0, 1, 2, 3, -1 } };
	struct xs_global g = { .pkts = 1 };
	double best = 1e9, t0, t;
	struct xs_msnap *s;
	uint32_t slot;
	char *text;
	int i, d;

	for (i = 0; i < ROUNDS; i++) {
		s = metrics_snap_new(nslots, cur, &g);
		if (!s)
			return -1;
		for (slot = XS_DIR_MAX; slot < nslots; slot++)
			metrics_snap_slot(s, slot, &l, sk,
					  slot / XS_DIR_MAX <= opted ? XS_METRICS_TOP : 0);
		s->rules_on = 1;
		for (d = 0; d < 10; d++)
			metrics_snap_alert(s, "syn-flood", XS_DIR_MAX * (d + 1), "syn_flood");
		t0 = now_ms();
		text = metrics_render(s, names, NRANGES, len);
		t = now_ms() - t0;
		if (!text)
			return -1;
		free(text);
		metrics_snap_free(s);
		if (t < best)
			best = t;
	}
	return best;
}

int main(void)
{
	uint32_t nslots = XS_SLOTS(NRANGES), slot;
	struct xs_sk_result *sk = calloc(1, sizeof(*sk));
	struct xs_counters *cur = calloc(nslots, sizeof(*cur));
	char **names = calloc(NRANGES, sizeof(*names));
	size_t len = 0, len_top = 0;
	double t, t_top;
	int i, d;

	if (!sk || !cur || !names)
		return 1;
	for (i = 0; i < NRANGES; i++)
		if (asprintf(&names[i], "customer-%05d", i) < 0)
			return 1;
	for (slot = 0; slot < nslots; slot++) {
		cur[slot].tcp.pkts = 123456789 + slot;
		cur[slot].tcp.bytes = 98765432100ULL + slot;
		cur[slot].udp.pkts = 4242;
		cur[slot].syn = 77;
	}
	for (d = 0; d < XS_DIM_MAX; d++) {
		sk->ntop[d] = XS_METRICS_TOP;
		for (i = 0; i < XS_METRICS_TOP; i++) {
			sk->top[d][i].key[10] = sk->top[d][i].key[11] = 0xff;
			sk->top[d][i].key[12] = 198;
			sk->top[d][i].key[15] = i;
			sk->top[d][i].pkts = 1000 - i;
			sk->top[d][i].bytes = 100000 - i;
		}
	}
	sk->uniq_src = 31337;
	t = bench(nslots, cur, sk, names, 0, &len);
	t_top = bench(nslots, cur, sk, names, XS_METRICS_TOP_RANGES_MAX, &len_top);
	if (t < 0 || t_top < 0)
		return 1;
	printf("metrics ranges=%d: one /metrics scrape renders %.1f MiB of text in %.1f ms (best of "
	       "%d; every range and direction with traffic, no top keys: the default)\n", NRANGES,
	       len / 1048576.0, t, ROUNDS);
	printf("metrics ranges=%d top_ranges=%d top_n=%d: %.1f MiB in %.1f ms (%d top-key series "
	       "more)\n", NRANGES, XS_METRICS_TOP_RANGES_MAX, XS_METRICS_TOP, len_top / 1048576.0,
	       t_top, XS_METRICS_TOP_RANGES_MAX * XS_DIR_MAX * XS_DIM_MAX * XS_METRICS_TOP * 2);
	for (i = 0; i < NRANGES; i++)
		free(names[i]);
	free(names);
	free(cur);
	free(sk);
	return 0;
}
