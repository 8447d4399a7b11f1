/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sFlow v5 datagrams the benches build (tools/bench_sflow.c,
 * tools/bench_collect.c): big-endian words into a buffer, and the
 * datagram header of agent 198.18.0.1.
 */
#ifndef XS_TOOLS_SFLOW_DGRAM_H
#define XS_TOOLS_SFLOW_DGRAM_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#define DGRAM_MAX 2048

struct dgram {
	uint8_t b[DGRAM_MAX];
	size_t n;
};

static inline void patch32(struct dgram *d, size_t at, uint32_t v)
{
	v = htonl(v);
	memcpy(d->b + at, &v, 4);
}

static inline void put32(struct dgram *d, uint32_t v)
{
	patch32(d, d->n, v);
	d->n += 4;
}

/* Start d: version 5, IPv4 agent 198.18.0.1, sub-agent 0, sequence seq,
 * uptime seq s, nsamples samples to follow. */
static inline void dgram_head(struct dgram *d, uint32_t seq, uint32_t nsamples)
{
	d->n = 0;
	put32(d, 5);
	put32(d, 1);
	put32(d, 0xc6120001);
	put32(d, 0);
	put32(d, seq);
	put32(d, seq * 1000);
	put32(d, nsamples);
}

#endif /* XS_TOOLS_SFLOW_DGRAM_H */
