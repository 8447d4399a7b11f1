// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: `collect --sflow` on one core, the whole path from a
 * received datagram to the counters (the socket excluded: datagrams are
 * handed to sflowin_datagram as recvfrom would): decode, agent and
 * sequence accounting, the frame, one BPF_PROG_TEST_RUN of the XDP
 * program per sample with its weight, and an interval's report every
 * 100,000 samples. Datagrams as routers send them: 7 flow samples of
 * 128-byte headers (Ethernet, IPv4, TCP) at 1 in 1,000; the sources vary
 * (a spoofed flood at the sketches) or not (one flow). Prints samples per
 * second (wall clock) and the process's CPU (user + system) per sample.
 */
#include <arpa/inet.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "config.h"
#include "sflow.h"
#include "sflow_in.h"
#include "sink.h"
#include "sflow_dgram.h"

#define NDGRAMS 256
#define SAMPLES_PER_DGRAM 7
#define HLEN 128
#define INTERVAL_SAMPLES 100000

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A TCP SYN from src to 198.18.0.9:80, 128 bytes of a 1,518-byte frame. */
static void header(uint8_t *h, uint32_t src, uint16_t sport)
{
	static const uint8_t eth[14] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0 };
	uint32_t dst = htonl(0xc6120009);

	memset(h, 0, HLEN);
	memcpy(h, eth, 14);
	h[14] = 0x45;
	h[16] = 1500 >> 8;
	h[17] = 1500 & 0xff;
	h[22] = 64;
	h[23] = 6;
	src = htonl(src);
	memcpy(h + 26, &src, 4);
	memcpy(h + 30, &dst, 4);
	h[34] = sport >> 8;
	h[35] = sport & 0xff;
	h[37] = 80;
	h[46] = 5 << 4;
	h[47] = 0x02;
}

static void build(struct dgram *d, uint32_t seq, int spoofed, uint64_t *s)
{
	uint8_t h[HLEN];
	int i;

	dgram_head(d, seq, SAMPLES_PER_DGRAM);
	for (i = 0; i < SAMPLES_PER_DGRAM; i++) {
		uint32_t src = spoofed ? 0xc6130000 | (rng(s) & 0xffff) : 0xc6130001;

		header(h, src, spoofed ? 1024 + rng(s) % 60000 : 40000);
		put32(d, 1);				/* flow sample */
		put32(d, 32 + 8 + 16 + HLEN);
		put32(d, seq * SAMPLES_PER_DGRAM + i);
		put32(d, 3);
		put32(d, 1000);				/* sampling rate */
		put32(d, (seq * SAMPLES_PER_DGRAM + i) * 1000);
		put32(d, 0);
		put32(d, 3);
		put32(d, 4);
		put32(d, 1);				/* records */
		put32(d, 1);				/* raw packet header */
		put32(d, 16 + HLEN);
		put32(d, XS_SFLOW_PROTO_ETHERNET);
		put32(d, 1518);
		put32(d, 4);
		put32(d, HLEN);
		memcpy(d->b + d->n, h, HLEN);
		d->n += HLEN;
	}
}

static double now_s(int clock)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* views: sflow.views (the datagrams are one agent's, one input: one
 * view, its own object; "ifindex": the same, looked up by interface). */
static int run(const char *what, int spoofed, enum xs_sflow_view views, long samples)
{
	static struct dgram d[NDGRAMS];
	const char *sink_args[XS_SINKS_MAX] = { 0 };
	char err[XS_ERR_LEN];
	struct xs_config cfg;
	struct xs_sflowin *c;
	uint64_t s = 88172645463325252ULL;
	struct sockaddr_storage from = { .ss_family = AF_INET };
	double t0, c0, t, cpu;
	long n = 0, since = 0;
	uint32_t seq = 1;
	int i;

	config_init(&cfg);
	if (config_add_range_arg(&cfg, "198.18.0.0/16=bench", err, sizeof(err)) ||
	    config_add_range_arg(&cfg, "198.19.0.0/16=peers", err, sizeof(err))) {
		fprintf(stderr, "bench_collect: %s\n", err);
		return 1;
	}
	cfg.output_file = strdup("/dev/null");
	cfg.sflow.views = views;
	c = sflowin_open(&cfg, "bench", sink_args, err, sizeof(err));
	if (!c) {
		fprintf(stderr, "bench_collect: %s\n", err);
		config_free(&cfg);
		return 1;
	}
	for (i = 0; i < NDGRAMS; i++)
		build(&d[i], i + 1, spoofed, &s);
	/* Warm: the maps' pages, the caches. */
	for (i = 0; i < NDGRAMS; i++)
		sflowin_datagram(c, d[i].b, d[i].n, &from);
	t0 = now_s(CLOCK_MONOTONIC);
	c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	while (n < samples) {
		struct dgram *g = &d[seq % NDGRAMS];
		uint32_t v = htonl(seq++);

		memcpy(g->b + 20, &v, 4);		/* the datagram's sequence number */
		if (sflowin_datagram(c, g->b, g->n, &from))
			break;
		n += SAMPLES_PER_DGRAM;
		since += SAMPLES_PER_DGRAM;
		if (since >= INTERVAL_SAMPLES) {
			sflowin_interval(c);
			since = 0;
		}
	}
	t = now_s(CLOCK_MONOTONIC) - t0;
	cpu = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("collect %-34s %10.0f samples/s (%6.0f ns wall, %6.0f ns CPU a sample)\n", what,
	       n / t, t * 1e9 / n, cpu * 1e9 / n);
	sflowin_close(c, "stopped");
	config_free(&cfg);
	return 0;
}

int main(int argc, char **argv)
{
	long samples = argc > 1 ? atol(argv[1]) : 700000;
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	printf("collect the collector path, one core, socket excluded: decode, accounting, "
	       "BPF_PROG_TEST_RUN a sample, a report every %d samples\n", INTERVAL_SAMPLES);
	if (run("one flow (the flow's samples)", 0, XS_SFLOW_VIEW_NONE, samples) ||
	    run("spoofed flood (random sources)", 1, XS_SFLOW_VIEW_NONE, samples) ||
	    run("spoofed flood, sflow.views ifindex", 1, XS_SFLOW_VIEW_IFINDEX, samples))
		return 1;
	return 0;
}
