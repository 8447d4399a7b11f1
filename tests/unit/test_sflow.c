// SPDX-License-Identifier: GPL-2.0
/*
 * sflow: datagrams built here by a small XDR writer, one for every sample
 * and record the decoder reads, and one per length field broken in each
 * way the decoder names; every prefix of a valid datagram; then 10^5
 * mutated datagrams (bit flips, cuts, lengths set to extremes, splices),
 * seeded, with the decoder's invariants checked on each. Every input is
 * decoded from a heap copy of exactly its size, so a read past the end is
 * an ASan or valgrind error (make asan, make valgrind).
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sflow.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define WR_CAP 70000

/* ---------------------------------------------------------- writer */

struct wr {
	uint8_t b[WR_CAP];
	size_t n;
};

static void patch32(struct wr *w, size_t at, uint32_t v)
{
	v = htonl(v);
	memcpy(w->b + at, &v, 4);
}

static void put32(struct wr *w, uint32_t v)
{
	ck_assert(w->n + 4 <= WR_CAP);
	patch32(w, w->n, v);
	w->n += 4;
}

static void put64(struct wr *w, uint64_t v)
{
	put32(w, v >> 32);
	put32(w, (uint32_t)v);
}

/* n bytes of p (zeros if p is NULL), then zeros to a multiple of 4. */
static void put_bytes(struct wr *w, const void *p, size_t n)
{
	size_t padded = (n + 3) & ~(size_t)3;

	ck_assert(w->n + padded <= WR_CAP);
	memset(w->b + w->n, 0, padded);
	if (p)
		memcpy(w->b + w->n, p, n);
	w->n += padded;
}

/* A sample's or record's format and a length that tag_close() fills. */
static size_t tag_open(struct wr *w, uint32_t format)
{
	size_t at;

	put32(w, format);
	at = w->n;
	put32(w, 0);
	return at;
}

static void tag_close(struct wr *w, size_t at)
{
	patch32(w, at, w->n - at - 4);
}

static const uint8_t agent4[4] = { 198, 18, 0, 1 };
static const uint8_t agent6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x02 };

static void dgram_head(struct wr *w, int family, uint32_t seq, uint32_t nsamples)
{
	w->n = 0;
	put32(w, 5);
	put32(w, family == 4 ? 1 : 2);
	if (family == 4)
		put_bytes(w, agent4, 4);
	else
		put_bytes(w, agent6, 16);
	put32(w, 7);			/* sub-agent */
	put32(w, seq);
	put32(w, 123456);		/* uptime */
	put32(w, nsamples);
}

/* A flow sample's fields up to its records count: source 0:seq+100,
 * pool seq*rate, drops seq+1, input seq+2, output seq+3. */
static size_t flow_open(struct wr *w, int expanded, uint32_t seq, uint32_t rate, uint32_t nrec)
{
	size_t at = tag_open(w, expanded ? 3 : 1);

	put32(w, seq);
	if (expanded) {
		put32(w, 0);
		put32(w, seq + 100);
	} else {
		put32(w, seq + 100);
	}
	put32(w, rate);
	put32(w, seq * rate);
	put32(w, seq + 1);
	if (expanded) {
		put32(w, 0);
		put32(w, seq + 2);
		put32(w, 0);
		put32(w, seq + 3);
	} else {
		put32(w, seq + 2);
		put32(w, seq + 3);
	}
	put32(w, nrec);
	return at;
}

static uint8_t hdr_bytes[256];

/* A raw header record: hlen bytes of hdr_bytes from off. */
static void raw_header(struct wr *w, uint32_t proto, uint32_t frame_len, uint32_t stripped,
		       uint32_t off, uint32_t hlen)
{
	size_t at = tag_open(w, 1);

	put32(w, proto);
	put32(w, frame_len);
	put32(w, stripped);
	put32(w, hlen);
	put_bytes(w, hdr_bytes + off, hlen);
	tag_close(w, at);
}

/* A record of a format the decoder skips, len bytes of zeros. */
static void other_record(struct wr *w, uint32_t format, uint32_t len)
{
	size_t at = tag_open(w, format);

	put_bytes(w, NULL, len);
	tag_close(w, at);
}

static size_t counters_open(struct wr *w, int expanded, uint32_t seq, uint32_t nrec)
{
	size_t at = tag_open(w, expanded ? 4 : 2);

	put32(w, seq);
	if (expanded) {
		put32(w, 0);
		put32(w, seq + 200);
	} else {
		put32(w, seq + 200);
	}
	put32(w, nrec);
	return at;
}

/* Generic interface counters, every field distinct from k. */
static void generic_if(struct wr *w, uint32_t k, uint32_t len)
{
	size_t at = tag_open(w, 1);

	put32(w, k + 1);			/* ifIndex */
	put32(w, 6);				/* ifType */
	put64(w, 10000000000ULL + k);		/* ifSpeed */
	put32(w, 1);				/* direction */
	put32(w, 3);				/* status */
	put64(w, 0x100000000ULL + k);		/* in octets */
	for (uint32_t i = 0; i < 6; i++)
		put32(w, k * 100 + 10 + i);	/* in ucast .. unknown protos */
	put64(w, 0x200000000ULL + k);		/* out octets */
	for (uint32_t i = 0; i < 5; i++)
		put32(w, k * 100 + 20 + i);	/* out ucast .. errors */
	put32(w, 2);				/* promiscuous */
	put_bytes(w, NULL, len - 88);
	tag_close(w, at);
}

/* --------------------------------------------------------- decoding */

static struct xs_sflow_dgram dg;
static volatile uint8_t touched;

/* The decoder's promises for any input (sflow.h). */
static void check_invariants(const uint8_t *buf, size_t len, enum xs_sflow_reason ret,
			     const struct xs_sflow_dgram *d, const char *what)
{
	uint32_t by_level[XS_SFLOW_DROP_FRAME + 1] = {};
	uint32_t i, sum = 0, next = 0;

	for (i = 0; i < XS_SFLOW_NREASONS; i++) {
		by_level[sflow_reason_level(i)] += d->bad[i];
		sum += d->bad[i];
	}
	ck_assert_msg(sum == d->nbad, "%s: nbad %u, bad[] sums to %u", what, d->nbad, sum);
	ck_assert_msg(d->bad[XS_SFLOW_OK] == 0 && d->bad[XS_SFLOW_PROTOCOL] == 0,
		      "%s: ok or header_protocol counted by the decoder", what);
	ck_assert_msg(ret == XS_SFLOW_OK || d->bad[ret] == 1, "%s: returned %s not counted", what,
		      sflow_reason_name(ret));
	ck_assert_msg(ret == XS_SFLOW_OK || sflow_reason_level(ret) == XS_SFLOW_DROP_DGRAM ||
			      sflow_reason_level(ret) == XS_SFLOW_DROP_REST,
		      "%s: returned %s", what, sflow_reason_name(ret));
	ck_assert_msg(by_level[XS_SFLOW_DROP_DGRAM] + by_level[XS_SFLOW_DROP_REST] ==
			      (ret != XS_SFLOW_OK),
		      "%s: %u datagram-level reasons for return %s", what,
		      by_level[XS_SFLOW_DROP_DGRAM] + by_level[XS_SFLOW_DROP_REST],
		      sflow_reason_name(ret));
	if (sflow_reason_level(ret) == XS_SFLOW_DROP_DGRAM && ret != XS_SFLOW_OK) {
		ck_assert_msg(d->nflows == 0 && d->nheaders == 0 && d->nifcounters == 0 &&
				      d->counter_samples == 0 && d->nbad == 1,
			      "%s: header refused (%s) but something delivered", what,
			      sflow_reason_name(ret));
		return;
	}
	ck_assert_msg(d->agent_family == 4 || d->agent_family == 6, "%s: family %u", what,
		      d->agent_family);
	ck_assert_msg(d->nflows + d->counter_samples + d->samples_skipped + d->samples_bad +
				      d->samples_lost ==
			      d->nsamples,
		      "%s: samples %u flows + %u counters + %u skipped + %u bad + %u lost != %u",
		      what, d->nflows, d->counter_samples, d->samples_skipped, d->samples_bad,
		      d->samples_lost, d->nsamples);
	ck_assert_msg(d->nheaders + d->nifcounters + d->records_skipped + d->records_bad ==
			      d->records,
		      "%s: records %u headers + %u ifcounters + %u skipped + %u bad != %u", what,
		      d->nheaders, d->nifcounters, d->records_skipped, d->records_bad, d->records);
	ck_assert_msg(by_level[XS_SFLOW_DROP_SAMPLE] == d->samples_bad,
		      "%s: sample reasons %u, samples_bad %u", what, by_level[XS_SFLOW_DROP_SAMPLE],
		      d->samples_bad);
	ck_assert_msg(by_level[XS_SFLOW_DROP_RECORD] == d->records_bad,
		      "%s: record reasons %u, records_bad %u", what, by_level[XS_SFLOW_DROP_RECORD],
		      d->records_bad);
	ck_assert_msg(d->nflows <= XS_SFLOW_MAX_FLOWS && d->nheaders <= XS_SFLOW_MAX_HEADERS &&
			      d->nifcounters <= XS_SFLOW_MAX_IFCOUNTERS,
		      "%s: arrays overrun", what);
	for (i = 0; i < d->nflows; i++) {
		const struct xs_sflow_flow *f = &d->flows[i];

		ck_assert_msg(f->rate != 0, "%s: flow %u with rate 0", what, i);
		ck_assert_msg(f->header == next, "%s: flow %u headers from %u, expected %u", what,
			      i, f->header, next);
		next += f->nheaders;
	}
	ck_assert_msg(next == d->nheaders, "%s: flows hold %u headers of %u", what, next,
		      d->nheaders);
	for (i = 0; i < d->nheaders; i++) {
		const struct xs_sflow_header *h = &d->headers[i];
		uint8_t frame[160];
		uint32_t flen = 0, wire = 0, k;

		ck_assert_msg(h->bytes >= buf && h->len <= len &&
				      h->bytes - buf <= (ptrdiff_t)(len - h->len),
			      "%s: header %u outside the input", what, i);
		ck_assert_msg(h->stripped <= h->frame_len && h->len <= h->frame_len - h->stripped,
			      "%s: header %u: len %u, frame %u, stripped %u", what, i, h->len,
			      h->frame_len, h->stripped);
		/* Every byte read, for ASan and valgrind to see. */
		for (k = 0; k < h->len; k++)
			touched += h->bytes[k];
		if (sflow_frame(h, frame, sizeof(frame), &flen, &wire) == XS_SFLOW_OK)
			ck_assert_msg(flen <= sizeof(frame) && wire == h->frame_len - h->stripped,
				      "%s: header %u frame %u bytes, wire %u", what, i, flen, wire);
	}
}

/* Decode a heap copy of exactly len bytes, check the invariants. */
static enum xs_sflow_reason decode(const uint8_t *in, size_t len, const char *what)
{
	uint8_t *buf = malloc(len ? len : 1);
	enum xs_sflow_reason ret;

	ck_assert(buf);
	if (len)
		memcpy(buf, in, len);
	ret = sflow_decode(buf, len, &dg);
	check_invariants(buf, len, ret, &dg, what);
	/* The headers point into buf: rebase them onto in for the caller. */
	for (uint32_t i = 0; i < dg.nheaders; i++)
		dg.headers[i].bytes = in + (dg.headers[i].bytes - buf);
	free(buf);
	return ret;
}

static struct wr w, w2;

static void setup(void)
{
	for (size_t i = 0; i < sizeof(hdr_bytes); i++)
		hdr_bytes[i] = (uint8_t)(i * 7 + 3);
	memset(&dg, 0xa5, sizeof(dg));
}

/* ------------------------------------------------------ good input */

START_TEST(test_flow_sample)
{
	size_t s;

	dgram_head(&w, 4, 42, 1);
	s = flow_open(&w, 0, 9, 512, 3);
	raw_header(&w, XS_SFLOW_PROTO_ETHERNET, 1518, 4, 0, 128);
	other_record(&w, 1001, 16);		/* extended switch */
	raw_header(&w, XS_SFLOW_PROTO_ETHERNET, 64, 4, 5, 59);
	tag_close(&w, s);

	ck_assert_int_eq(decode(w.b, w.n, "flow"), XS_SFLOW_OK);
	ck_assert_uint_eq(dg.nbad, 0);
	ck_assert_uint_eq(dg.agent_family, 4);
	ck_assert_mem_eq(dg.agent, agent4, 4);
	ck_assert_mem_eq(dg.agent + 4, (uint8_t[12]){}, 12);
	ck_assert_uint_eq(dg.sub_agent, 7);
	ck_assert_uint_eq(dg.seq, 42);
	ck_assert_uint_eq(dg.uptime_ms, 123456);
	ck_assert_uint_eq(dg.nsamples, 1);
	ck_assert_uint_eq(dg.nflows, 1);
	ck_assert_uint_eq(dg.records, 3);
	ck_assert_uint_eq(dg.records_skipped, 1);
	ck_assert_uint_eq(dg.flows[0].seq, 9);
	ck_assert_uint_eq(dg.flows[0].source_type, 0);
	ck_assert_uint_eq(dg.flows[0].source_index, 109);
	ck_assert_uint_eq(dg.flows[0].rate, 512);
	ck_assert_uint_eq(dg.flows[0].pool, 9 * 512);
	ck_assert_uint_eq(dg.flows[0].drops, 10);
	ck_assert_uint_eq(dg.flows[0].in_format, XS_SFLOW_IF_INDEX);
	ck_assert_uint_eq(dg.flows[0].in_value, 11);
	ck_assert_uint_eq(dg.flows[0].out_format, XS_SFLOW_IF_INDEX);
	ck_assert_uint_eq(dg.flows[0].out_value, 12);
	ck_assert_uint_eq(dg.flows[0].expanded, 0);
	ck_assert_uint_eq(dg.flows[0].header, 0);
	ck_assert_uint_eq(dg.flows[0].nheaders, 2);
	ck_assert_uint_eq(dg.nheaders, 2);
	ck_assert_uint_eq(dg.headers[0].protocol, XS_SFLOW_PROTO_ETHERNET);
	ck_assert_uint_eq(dg.headers[0].frame_len, 1518);
	ck_assert_uint_eq(dg.headers[0].stripped, 4);
	ck_assert_uint_eq(dg.headers[0].len, 128);
	/* 28 datagram header, 8 tag, 32 fields, 8 tag, 16 record fields */
	ck_assert_ptr_eq(dg.headers[0].bytes, w.b + 28 + 8 + 32 + 8 + 16);
	ck_assert_mem_eq(dg.headers[0].bytes, hdr_bytes, 128);
	/* An odd length: padded to 60 in the datagram, 59 in the output. */
	ck_assert_uint_eq(dg.headers[1].len, 59);
	ck_assert_uint_eq(dg.headers[1].frame_len, 64);
	ck_assert_mem_eq(dg.headers[1].bytes, hdr_bytes + 5, 59);
}
END_TEST

START_TEST(test_expanded_flow_sample_ipv6_agent)
{
	size_t s;

	dgram_head(&w, 6, 43, 2);
	s = flow_open(&w, 1, 77, 1000, 1);
	raw_header(&w, XS_SFLOW_PROTO_IPV6, 1500, 0, 0, 100);
	tag_close(&w, s);
	/* The top two bits of a compact interface are its format. */
	s = flow_open(&w, 0, 78, 1, 0);
	patch32(&w, s + 4 + 20, 1U << 30 | 7);		/* input: discarded, reason 7 */
	patch32(&w, s + 4 + 24, 2U << 30 | 3);		/* output: 3 interfaces */
	patch32(&w, s + 4 + 4, 2U << 24 | 0x123456);	/* source: entPhysicalEntry */
	tag_close(&w, s);

	ck_assert_int_eq(decode(w.b, w.n, "expanded"), XS_SFLOW_OK);
	ck_assert_uint_eq(dg.nbad, 0);
	ck_assert_uint_eq(dg.agent_family, 6);
	ck_assert_mem_eq(dg.agent, agent6, 16);
	ck_assert_uint_eq(dg.seq, 43);
	ck_assert_uint_eq(dg.nflows, 2);
	ck_assert_uint_eq(dg.flows[0].expanded, 1);
	ck_assert_uint_eq(dg.flows[0].seq, 77);
	ck_assert_uint_eq(dg.flows[0].source_type, 0);
	ck_assert_uint_eq(dg.flows[0].source_index, 177);
	ck_assert_uint_eq(dg.flows[0].rate, 1000);
	ck_assert_uint_eq(dg.flows[0].pool, 77000);
	ck_assert_uint_eq(dg.flows[0].drops, 78);
	ck_assert_uint_eq(dg.flows[0].in_value, 79);
	ck_assert_uint_eq(dg.flows[0].out_value, 80);
	ck_assert_uint_eq(dg.flows[0].nheaders, 1);
	ck_assert_uint_eq(dg.headers[0].protocol, XS_SFLOW_PROTO_IPV6);
	ck_assert_uint_eq(dg.headers[0].len, 100);
	ck_assert_uint_eq(dg.flows[1].expanded, 0);
	ck_assert_uint_eq(dg.flows[1].in_format, XS_SFLOW_IF_DISCARD);
	ck_assert_uint_eq(dg.flows[1].in_value, 7);
	ck_assert_uint_eq(dg.flows[1].out_format, XS_SFLOW_IF_MULTIPLE);
	ck_assert_uint_eq(dg.flows[1].out_value, 3);
	ck_assert_uint_eq(dg.flows[1].source_type, 2);
	ck_assert_uint_eq(dg.flows[1].source_index, 0x123456);
	ck_assert_uint_eq(dg.flows[1].header, 1);
	ck_assert_uint_eq(dg.flows[1].nheaders, 0);
}
END_TEST

START_TEST(test_counter_samples)
{
	size_t s;

	dgram_head(&w, 4, 44, 3);
	s = counters_open(&w, 0, 5, 2);
	other_record(&w, 2, 52);		/* ethernet counters: skipped */
	generic_if(&w, 1, 88);
	tag_close(&w, s);
	s = counters_open(&w, 1, 6, 1);
	generic_if(&w, 2, 88);
	tag_close(&w, s);
	s = counters_open(&w, 0, 7, 1);		/* no generic record */
	other_record(&w, 1005, 8);
	tag_close(&w, s);

	ck_assert_int_eq(decode(w.b, w.n, "counters"), XS_SFLOW_OK);
	ck_assert_uint_eq(dg.nbad, 0);
	ck_assert_uint_eq(dg.counter_samples, 3);
	ck_assert_uint_eq(dg.nifcounters, 2);
	ck_assert_uint_eq(dg.records_skipped, 2);
	for (uint32_t i = 0; i < 2; i++) {
		const struct xs_sflow_ifcounters *c = &dg.ifcounters[i];
		uint32_t k = i + 1;

		ck_assert_uint_eq(c->seq, 5 + i);
		ck_assert_uint_eq(c->expanded, i);
		ck_assert_uint_eq(c->source_type, 0);
		ck_assert_uint_eq(c->source_index, 205 + i);
		ck_assert_uint_eq(c->ifindex, k + 1);
		ck_assert_uint_eq(c->iftype, 6);
		ck_assert_uint_eq(c->speed, 10000000000ULL + k);
		ck_assert_uint_eq(c->direction, 1);
		ck_assert_uint_eq(c->status, 3);
		ck_assert_uint_eq(c->in_octets, 0x100000000ULL + k);
		ck_assert_uint_eq(c->in_ucast, k * 100 + 10);
		ck_assert_uint_eq(c->in_mcast, k * 100 + 11);
		ck_assert_uint_eq(c->in_bcast, k * 100 + 12);
		ck_assert_uint_eq(c->in_discards, k * 100 + 13);
		ck_assert_uint_eq(c->in_errors, k * 100 + 14);
		ck_assert_uint_eq(c->in_unknown_protos, k * 100 + 15);
		ck_assert_uint_eq(c->out_octets, 0x200000000ULL + k);
		ck_assert_uint_eq(c->out_ucast, k * 100 + 20);
		ck_assert_uint_eq(c->out_mcast, k * 100 + 21);
		ck_assert_uint_eq(c->out_bcast, k * 100 + 22);
		ck_assert_uint_eq(c->out_discards, k * 100 + 23);
		ck_assert_uint_eq(c->out_errors, k * 100 + 24);
		ck_assert_uint_eq(c->promiscuous, 2);
	}
}
END_TEST

/* Other enterprises and formats are skipped by their length. */
START_TEST(test_skipped)
{
	size_t s;

	dgram_head(&w, 4, 45, 4);
	s = tag_open(&w, 4300 << 12 | 1);	/* enterprise 4300, format 1 */
	put_bytes(&w, NULL, 20);
	tag_close(&w, s);
	s = tag_open(&w, 5);			/* unknown enterprise 0 format */
	tag_close(&w, s);
	s = flow_open(&w, 0, 1, 10, 2);
	other_record(&w, 9999 << 12 | 1, 12);	/* not a raw header: enterprise 9999 */
	raw_header(&w, XS_SFLOW_PROTO_ETHERNET, 100, 0, 0, 60);
	tag_close(&w, s);
	s = counters_open(&w, 0, 1, 1);
	other_record(&w, 9999 << 12 | 1, 88);	/* not generic counters */
	tag_close(&w, s);

	ck_assert_int_eq(decode(w.b, w.n, "skipped"), XS_SFLOW_OK);
	ck_assert_uint_eq(dg.nbad, 0);
	ck_assert_uint_eq(dg.samples_skipped, 2);
	ck_assert_uint_eq(dg.nflows, 1);
	ck_assert_uint_eq(dg.counter_samples, 1);
	ck_assert_uint_eq(dg.nheaders, 1);
	ck_assert_uint_eq(dg.nifcounters, 0);
	ck_assert_uint_eq(dg.records_skipped, 2);
}
END_TEST

/* Each header protocol through sflow_frame(). */
struct proto_row {
	uint32_t proto;
	enum xs_sflow_reason ret;
	uint16_t ethertype;		/* synthetic header; 0: the bytes as they are */
};

static const struct proto_row proto_rows[] = {
	{ XS_SFLOW_PROTO_ETHERNET, XS_SFLOW_OK, 0 },
	{ XS_SFLOW_PROTO_IPV4, XS_SFLOW_OK, 0x0800 },
	{ XS_SFLOW_PROTO_IPV6, XS_SFLOW_OK, 0x86dd },
	{ 13, XS_SFLOW_PROTOCOL, 0 },		/* MPLS */
	{ 2, XS_SFLOW_PROTOCOL, 0 },		/* token bus */
	{ 0, XS_SFLOW_PROTOCOL, 0 },
	{ 0xffffffff, XS_SFLOW_PROTOCOL, 0 },
};

START_TEST(test_header_protocol)
{
	const struct proto_row *row = &proto_rows[_i];
	uint8_t frame[300], want[300];
	uint32_t flen = 0xdead, wire = 0xdead, wlen;
	size_t s;

	dgram_head(&w, 4, 46, 1);
	s = flow_open(&w, 0, 1, 10, 1);
	raw_header(&w, row->proto, 1000, 4, 0, 128);
	tag_close(&w, s);
	ck_assert_int_eq(decode(w.b, w.n, "protocol"), XS_SFLOW_OK);
	ck_assert_msg(dg.nheaders == 1 && dg.headers[0].protocol == row->proto,
		      "row %d: the decoder keeps every protocol", _i);

	memset(frame, 0xee, sizeof(frame));
	ck_assert_msg(sflow_frame(&dg.headers[0], frame, sizeof(frame), &flen, &wire) == row->ret,
		      "row %d: protocol %u", _i, row->proto);
	if (row->ret != XS_SFLOW_OK) {
		ck_assert_msg(frame[0] == 0xee && flen == 0xdead, "row %d: refused but written",
			      _i);
		ck_assert_str_eq(sflow_reason_name(row->ret), "header_protocol");
		return;
	}
	wlen = 0;
	if (row->ethertype) {
		memset(want, 0, 12);
		want[12] = row->ethertype >> 8;
		want[13] = row->ethertype & 0xff;
		wlen = 14;
	}
	memcpy(want + wlen, hdr_bytes, 128);
	wlen += 128;
	ck_assert_msg(flen == wlen, "row %d: frame %u bytes, expected %u", _i, flen, wlen);
	ck_assert_msg(!memcmp(frame, want, wlen), "row %d: frame bytes", _i);
	ck_assert_msg(frame[wlen] == 0xee, "row %d: wrote past the frame", _i);
	ck_assert_msg(wire == 996, "row %d: wire %u, expected frame_len - stripped", _i, wire);

	/* A buffer shorter than the frame: cut, never overrun. */
	memset(frame, 0xee, sizeof(frame));
	sflow_frame(&dg.headers[0], frame, 20, &flen, &wire);
	ck_assert_msg(flen == 20 && !memcmp(frame, want, 20) && frame[20] == 0xee,
		      "row %d: cut to 20 bytes: %u", _i, flen);
	memset(frame, 0xee, sizeof(frame));
	sflow_frame(&dg.headers[0], frame, 0, &flen, &wire);
	ck_assert_msg(flen == 0 && frame[0] == 0xee, "row %d: no room: %u", _i, flen);
}
END_TEST

START_TEST(test_reason_names)
{
	for (int r = 0; r < XS_SFLOW_NREASONS; r++) {
		const char *n = sflow_reason_name(r);

		ck_assert_msg(n && *n && strcmp(n, "unknown"), "reason %d has no name", r);
		ck_assert_msg(strspn(n, "abcdefghijklmnopqrstuvwxyz_") == strlen(n),
			      "reason %d: \"%s\" is not lower_snake_case", r, n);
		ck_assert_msg(sflow_reason_text(r)[0], "reason %d has no text", r);
		for (int q = 0; q < r; q++)
			ck_assert_msg(strcmp(n, sflow_reason_name(q)), "reasons %d and %d: \"%s\"",
				      q, r, n);
	}
	ck_assert_str_eq(sflow_reason_name(XS_SFLOW_NREASONS), "unknown");
	ck_assert_str_eq(sflow_reason_name(-1), "unknown");
	ck_assert_str_eq(sflow_reason_name(XS_SFLOW_SAMPLE_LEN), "sample_length");
}
END_TEST

/* ------------------------------------------------------- malformed */

/*
 * The datagram every malformed row starts from, with one fault:
 *   A: compact flow sample, an Ethernet header and an extended switch record;
 *   B: compact flow sample (expanded for FLOW_CUT_X), an IPv4 header of 40
 *      bytes (frame 40, stripped 0) and an Ethernet header of 64;
 *   C: counter sample, generic interface counters and Ethernet counters.
 * Most faults are in B or its second record.
 */
enum fault {
	F_NONE,
	F_CUT7, F_CUT27, F_CUT6_39, F_VERSION, F_AGENT_0, F_AGENT_3, F_NSAMPLES_HUGE,
	F_NSAMPLES_MORE, F_NSAMPLES_MORE_TAIL, F_B_LEN_PAST, F_B_LEN_MAX, F_B_LEN_ODD,
	F_FLOW_CUT, F_FLOW_CUT_X, F_COUNTER_CUT, F_RATE_0,
	F_NREC_HUGE, F_NREC_MORE, F_REC_LEN_PAST, F_REC_LEN_MAX, F_REC_LEN_ODD,
	F_HDR_FIELDS_CUT, F_HLEN_PAST, F_HLEN_MAX, F_STRIPPED, F_HDR_LONG, F_IF_CUT,
	F_TRAIL_DGRAM, F_TRAIL_SAMPLE, F_TRAIL_RECORD, F_TRAIL_IF,
};

static void build(struct wr *w, enum fault f)
{
	int v6 = f == F_CUT6_39;
	uint32_t nsamples = 3;
	size_t s, r;

	if (f == F_NSAMPLES_HUGE)
		nsamples = 1000;
	if (f == F_NSAMPLES_MORE || f == F_NSAMPLES_MORE_TAIL)
		nsamples = 4;
	dgram_head(w, v6 ? 6 : 4, 50, nsamples);
	if (f == F_VERSION)
		patch32(w, 0, 4);
	if (f == F_AGENT_0 || f == F_AGENT_3)
		patch32(w, 4, f == F_AGENT_0 ? 0 : 3);

	s = flow_open(w, 0, 1, 100, 2);
	raw_header(w, XS_SFLOW_PROTO_ETHERNET, 1000, 4, 0, 128);
	other_record(w, 1001, 16);
	tag_close(w, s);

	s = flow_open(w, f == F_FLOW_CUT_X, 2, f == F_RATE_0 ? 0 : 200,
		      f == F_NREC_HUGE ? 1000 : f == F_NREC_MORE ? 3 : 2);
	raw_header(w, XS_SFLOW_PROTO_IPV4, 40, 0, 0, 40);
	r = tag_open(w, 1);
	put32(w, XS_SFLOW_PROTO_ETHERNET);
	put32(w, f == F_HDR_LONG ? 63 : 68);			/* frame length */
	put32(w, f == F_STRIPPED ? 69 : 4);			/* stripped */
	if (f != F_HDR_FIELDS_CUT) {
		put32(w, f == F_HLEN_PAST ? 65 : f == F_HLEN_MAX ? 0xffffffff : 64);
		put_bytes(w, hdr_bytes, 64);
	}
	if (f == F_TRAIL_RECORD)
		put32(w, 0);
	tag_close(w, r);
	if (f == F_REC_LEN_PAST || f == F_REC_LEN_MAX)
		patch32(w, r, f == F_REC_LEN_MAX ? 0xffffffff : 16 + 64 + 4);
	if (f == F_REC_LEN_ODD) {
		put32(w, 0);			/* 4 more bytes, a length of 3 more */
		patch32(w, r, 16 + 64 + 3);
	}
	if (f == F_TRAIL_SAMPLE)
		put32(w, 0);
	if (f == F_FLOW_CUT || f == F_FLOW_CUT_X)
		w->n = s + 4 + (f == F_FLOW_CUT ? 28 : 40);
	tag_close(w, s);
	if (f == F_B_LEN_PAST || f == F_B_LEN_MAX)
		patch32(w, s, f == F_B_LEN_MAX ? 0xffffffff : w->n - s - 4 + 1000);
	if (f == F_B_LEN_ODD) {
		/* 2 bytes more in the length: the next sample starts 2 bytes in. */
		patch32(w, s, w->n - s - 4 + 2);
	}

	s = counters_open(w, 0, 3, 2);
	r = w->n;
	generic_if(w, 1, f == F_TRAIL_IF ? 92 : 88);
	if (f == F_IF_CUT) {
		w->n -= 4;
		tag_close(w, r + 4);
	}
	other_record(w, 2, 52);
	if (f == F_COUNTER_CUT)
		w->n = s + 4 + 8;
	tag_close(w, s);

	if (f == F_TRAIL_DGRAM || f == F_NSAMPLES_MORE_TAIL)
		put32(w, 0);
	if (f == F_CUT7)
		w->n = 7;
	if (f == F_CUT27)
		w->n = 27;
	if (f == F_CUT6_39)
		w->n = 39;
}

struct bad_row {
	const char *name;
	enum fault f;
	enum xs_sflow_reason ret;	/* what sflow_decode returns */
	enum xs_sflow_reason reason;	/* the one reason counted */
	uint32_t flows, headers, ifcounters, lost;
};

static const struct bad_row bad_rows[] = {
	{ "good", F_NONE, XS_SFLOW_OK, XS_SFLOW_OK, 2, 3, 1, 0 },
	{ "7 bytes", F_CUT7, XS_SFLOW_SHORT, XS_SFLOW_SHORT, 0, 0, 0, 0 },
	{ "IPv4 header cut", F_CUT27, XS_SFLOW_SHORT, XS_SFLOW_SHORT, 0, 0, 0, 0 },
	{ "IPv6 header cut", F_CUT6_39, XS_SFLOW_SHORT, XS_SFLOW_SHORT, 0, 0, 0, 0 },
	{ "version 4", F_VERSION, XS_SFLOW_VERSION, XS_SFLOW_VERSION, 0, 0, 0, 0 },
	{ "agent type 0", F_AGENT_0, XS_SFLOW_AGENT_TYPE, XS_SFLOW_AGENT_TYPE, 0, 0, 0, 0 },
	{ "agent type 3", F_AGENT_3, XS_SFLOW_AGENT_TYPE, XS_SFLOW_AGENT_TYPE, 0, 0, 0, 0 },
	{ "1000 samples", F_NSAMPLES_HUGE, XS_SFLOW_SAMPLE_COUNT, XS_SFLOW_SAMPLE_COUNT,
	  0, 0, 0, 0 },
	{ "4 samples, 3 there", F_NSAMPLES_MORE, XS_SFLOW_SAMPLE_CUT, XS_SFLOW_SAMPLE_CUT,
	  2, 3, 1, 1 },
	{ "4 samples, 3 and 4 bytes", F_NSAMPLES_MORE_TAIL, XS_SFLOW_SAMPLE_CUT,
	  XS_SFLOW_SAMPLE_CUT, 2, 3, 1, 1 },
	{ "sample length past the end", F_B_LEN_PAST, XS_SFLOW_SAMPLE_LEN, XS_SFLOW_SAMPLE_LEN,
	  1, 1, 0, 2 },
	{ "sample length 2^32-1", F_B_LEN_MAX, XS_SFLOW_SAMPLE_LEN, XS_SFLOW_SAMPLE_LEN,
	  1, 1, 0, 2 },
	{ "sample length odd", F_B_LEN_ODD, XS_SFLOW_SAMPLE_ALIGN, XS_SFLOW_SAMPLE_ALIGN,
	  1, 1, 0, 2 },
	{ "flow sample fields cut", F_FLOW_CUT, XS_SFLOW_OK, XS_SFLOW_FLOW_CUT, 1, 1, 1, 0 },
	{ "expanded flow sample fields cut", F_FLOW_CUT_X, XS_SFLOW_OK, XS_SFLOW_FLOW_CUT,
	  1, 1, 1, 0 },
	{ "counter sample fields cut", F_COUNTER_CUT, XS_SFLOW_OK, XS_SFLOW_COUNTER_CUT,
	  2, 3, 0, 0 },
	{ "sampling rate 0", F_RATE_0, XS_SFLOW_OK, XS_SFLOW_RATE, 1, 1, 1, 0 },
	{ "1000 records", F_NREC_HUGE, XS_SFLOW_OK, XS_SFLOW_RECORD_COUNT, 1, 1, 1, 0 },
	{ "3 records, 2 there", F_NREC_MORE, XS_SFLOW_OK, XS_SFLOW_RECORD_CUT, 1, 1, 1, 0 },
	{ "record length past the sample", F_REC_LEN_PAST, XS_SFLOW_OK, XS_SFLOW_RECORD_LEN,
	  1, 1, 1, 0 },
	{ "record length 2^32-1", F_REC_LEN_MAX, XS_SFLOW_OK, XS_SFLOW_RECORD_LEN, 1, 1, 1, 0 },
	{ "record length odd", F_REC_LEN_ODD, XS_SFLOW_OK, XS_SFLOW_RECORD_ALIGN, 1, 1, 1, 0 },
	{ "raw header fields cut", F_HDR_FIELDS_CUT, XS_SFLOW_OK, XS_SFLOW_HEADER_CUT,
	  2, 2, 1, 0 },
	{ "header length past the record", F_HLEN_PAST, XS_SFLOW_OK, XS_SFLOW_HEADER_CUT,
	  2, 2, 1, 0 },
	{ "header length 2^32-1", F_HLEN_MAX, XS_SFLOW_OK, XS_SFLOW_HEADER_CUT, 2, 2, 1, 0 },
	{ "stripped over frame length", F_STRIPPED, XS_SFLOW_OK, XS_SFLOW_HEADER_STRIPPED,
	  2, 2, 1, 0 },
	{ "header over frame length less stripped", F_HDR_LONG, XS_SFLOW_OK,
	  XS_SFLOW_HEADER_LONG, 2, 2, 1, 0 },
	{ "interface counters cut", F_IF_CUT, XS_SFLOW_OK, XS_SFLOW_IFCOUNTERS_CUT, 2, 3, 0, 0 },
	{ "bytes after the samples", F_TRAIL_DGRAM, XS_SFLOW_OK, XS_SFLOW_TRAILING, 2, 3, 1, 0 },
	{ "bytes after the records", F_TRAIL_SAMPLE, XS_SFLOW_OK, XS_SFLOW_TRAILING, 2, 3, 1, 0 },
	{ "bytes after the header", F_TRAIL_RECORD, XS_SFLOW_OK, XS_SFLOW_TRAILING, 2, 3, 1, 0 },
	{ "bytes after the counters", F_TRAIL_IF, XS_SFLOW_OK, XS_SFLOW_TRAILING, 2, 3, 1, 0 },
};

START_TEST(test_malformed)
{
	const struct bad_row *row = &bad_rows[_i];
	enum xs_sflow_reason ret;
	char what[96];

	snprintf(what, sizeof(what), "row %d (%s)", _i, row->name);
	build(&w, row->f);
	ret = decode(w.b, w.n, what);
	ck_assert_msg(ret == row->ret, "%s: returned %s, expected %s", what,
		      sflow_reason_name(ret), sflow_reason_name(row->ret));
	if (row->reason == XS_SFLOW_OK) {
		ck_assert_msg(dg.nbad == 0, "%s: %u reasons counted", what, dg.nbad);
	} else {
		ck_assert_msg(dg.nbad == 1 && dg.bad[row->reason] == 1,
			      "%s: %u reasons, %s counted %u times", what, dg.nbad,
			      sflow_reason_name(row->reason), dg.bad[row->reason]);
	}
	ck_assert_msg(dg.nflows == row->flows && dg.nheaders == row->headers &&
			      dg.nifcounters == row->ifcounters,
		      "%s: delivered %u flows, %u headers, %u ifcounters; expected %u, %u, %u",
		      what, dg.nflows, dg.nheaders, dg.nifcounters, row->flows, row->headers,
		      row->ifcounters);
	ck_assert_msg(dg.samples_lost == row->lost, "%s: %u samples lost, expected %u", what,
		      dg.samples_lost, row->lost);
	/* What survives is A's, B's and C's own, not shifted garbage. */
	if (row->flows >= 1)
		ck_assert_msg(dg.flows[0].seq == 1 && dg.headers[0].len == 128, "%s: A", what);
	if (row->flows == 2)
		ck_assert_msg(dg.flows[1].seq == 2 && dg.flows[1].rate == 200 &&
				      dg.headers[1].len == 40 &&
				      dg.headers[1].protocol == XS_SFLOW_PROTO_IPV4,
			      "%s: B", what);
	if (row->flows == 1 && row->ifcounters == 1)
		ck_assert_msg(dg.ifcounters[0].seq == 3, "%s: C after a dropped B", what);
}
END_TEST

/* Over the decoder's arrays: the excess is dropped and counted. */
START_TEST(test_too_many)
{
	uint32_t i;
	size_t s;

	dgram_head(&w, 4, 60, XS_SFLOW_MAX_FLOWS + 2);
	for (i = 0; i < XS_SFLOW_MAX_FLOWS + 2; i++)
		tag_close(&w, flow_open(&w, 0, i, 1, 0));
	ck_assert_int_eq(decode(w.b, w.n, "flows"), XS_SFLOW_OK);
	ck_assert_uint_eq(dg.nflows, XS_SFLOW_MAX_FLOWS);
	ck_assert_uint_eq(dg.bad[XS_SFLOW_TOO_MANY_FLOWS], 2);
	ck_assert_uint_eq(dg.flows[XS_SFLOW_MAX_FLOWS - 1].seq, XS_SFLOW_MAX_FLOWS - 1);

	dgram_head(&w, 4, 61, 2);
	s = flow_open(&w, 0, 1, 1, XS_SFLOW_MAX_HEADERS - 1);
	for (i = 0; i < XS_SFLOW_MAX_HEADERS - 1; i++)
		raw_header(&w, XS_SFLOW_PROTO_ETHERNET, 64, 0, 0, 4);
	tag_close(&w, s);
	s = flow_open(&w, 0, 2, 1, 3);
	for (i = 0; i < 3; i++)
		raw_header(&w, XS_SFLOW_PROTO_ETHERNET, 64, 0, i, 4);
	tag_close(&w, s);
	ck_assert_int_eq(decode(w.b, w.n, "headers"), XS_SFLOW_OK);
	ck_assert_uint_eq(dg.nheaders, XS_SFLOW_MAX_HEADERS);
	ck_assert_uint_eq(dg.bad[XS_SFLOW_TOO_MANY_RECORDS], 2);
	ck_assert_uint_eq(dg.nflows, 2);
	ck_assert_uint_eq(dg.flows[1].nheaders, 1);

	dgram_head(&w, 4, 62, 1);
	s = counters_open(&w, 0, 1, XS_SFLOW_MAX_IFCOUNTERS + 1);
	for (i = 0; i < XS_SFLOW_MAX_IFCOUNTERS + 1; i++)
		generic_if(&w, i, 88);
	tag_close(&w, s);
	ck_assert_int_eq(decode(w.b, w.n, "ifcounters"), XS_SFLOW_OK);
	ck_assert_uint_eq(dg.nifcounters, XS_SFLOW_MAX_IFCOUNTERS);
	ck_assert_uint_eq(dg.bad[XS_SFLOW_TOO_MANY_RECORDS], 1);
}
END_TEST

/* A datagram with every sample and record kind; more seeds for the fuzz. */
static void build_rich(struct wr *w, int family, uint32_t seq)
{
	size_t s;

	dgram_head(w, family, seq, 6);
	s = flow_open(w, 0, seq, 1000, 3);
	raw_header(w, XS_SFLOW_PROTO_ETHERNET, 1518, 4, 0, 128);
	other_record(w, 1001, 16);
	raw_header(w, XS_SFLOW_PROTO_IPV4, 61, 0, 3, 61);
	tag_close(w, s);
	s = flow_open(w, 1, seq + 1, 2000, 1);
	raw_header(w, XS_SFLOW_PROTO_IPV6, 1280, 0, 9, 90);
	tag_close(w, s);
	s = counters_open(w, 0, seq, 2);
	generic_if(w, 1, 88);
	other_record(w, 2, 52);
	tag_close(w, s);
	s = counters_open(w, 1, seq + 1, 1);
	generic_if(w, 2, 88);
	tag_close(w, s);
	s = tag_open(w, 4300 << 12 | 1);
	put_bytes(w, NULL, 12);
	tag_close(w, s);
	s = flow_open(w, 0, seq + 2, 1, 1);
	raw_header(w, 13, 200, 0, 0, 33);
	tag_close(w, s);
}

/* Every prefix of a valid datagram is refused, and read within itself. */
START_TEST(test_every_cut)
{
	char what[64];

	build_rich(&w, _i ? 6 : 4, 70);
	ck_assert_int_eq(decode(w.b, w.n, "whole"), XS_SFLOW_OK);
	ck_assert_uint_eq(dg.nbad, 0);
	ck_assert_uint_eq(dg.nflows, 3);
	ck_assert_uint_eq(dg.nheaders, 4);
	ck_assert_uint_eq(dg.nifcounters, 2);
	for (size_t n = 0; n < w.n; n++) {
		enum xs_sflow_reason ret;

		snprintf(what, sizeof(what), "IPv%d cut to %zu of %zu", _i ? 6 : 4, n, w.n);
		ret = decode(w.b, n, what);
		ck_assert_msg(ret != XS_SFLOW_OK, "%s: decoded whole", what);
	}
}
END_TEST

/* ------------------------------------------------------------- fuzz */

/* Under valgrind (tests/run-tests.sh sets VALGRIND=1) a tenth: the whole
 * run there takes minutes, and make asan runs all of them. */
#define FUZZ_RUNS 100000
#define FUZZ_SEEDS 8

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static struct wr seeds[FUZZ_SEEDS];

static void make_seeds(void)
{
	size_t s;
	int i;

	for (i = 0; i < 4; i++)
		build_rich(&seeds[i], i & 1 ? 6 : 4, 100 + i);
	/* Like a router's: 7 flow samples of 128-byte Ethernet headers. */
	dgram_head(&seeds[4], 4, 200, 7);
	for (i = 0; i < 7; i++) {
		s = flow_open(&seeds[4], 0, i, 1024, 2);
		raw_header(&seeds[4], XS_SFLOW_PROTO_ETHERNET, 1518, 4, i, 128);
		other_record(&seeds[4], 1001, 16);
		tag_close(&seeds[4], s);
	}
	build(&seeds[5], F_NONE);
	build(&seeds[6], F_TRAIL_RECORD);
	dgram_head(&seeds[7], 6, 300, 3);
	for (i = 0; i < 3; i++) {
		s = counters_open(&seeds[7], i & 1, i, 1);
		generic_if(&seeds[7], i, 88);
		tag_close(&seeds[7], s);
	}
}

static const uint32_t extremes[] = { 0, 1, 3, 4, 7, 8, 16, 87, 88, 128, 0x7fffffff,
				     0x80000000, 0xfffffffc, 0xffffffff };

static void mutate(struct wr *m)
{
	const struct wr *a = &seeds[rnd_below(FUZZ_SEEDS)], *b;
	uint32_t ops = 1 + rnd_below(4), at, n, i;

	memcpy(m->b, a->b, a->n);
	m->n = a->n;
	while (ops--) {
		switch (rnd_below(6)) {
		case 0:			/* bit flips */
			for (n = 1 + rnd_below(8); n-- && m->n;) {
				at = rnd_below(m->n);
				m->b[at] ^= 1 << rnd_below(8);
			}
			break;
		case 1:			/* cut */
			m->n = rnd_below(m->n + 1);
			break;
		case 2:			/* a word to an extreme or a near length */
			if (m->n < 4)
				break;
			at = rnd_below(m->n / 4) * 4;
			n = rnd_below(3) ? extremes[rnd_below(ARRAY_SIZE(extremes))]
					 : (uint32_t)(m->n - at) - 8 + rnd_below(17);
			patch32(m, at, n);
			break;
		case 3:			/* splice: a's head, b's tail */
			b = &seeds[rnd_below(FUZZ_SEEDS)];
			at = rnd_below(m->n + 1);
			n = rnd_below(b->n + 1);
			if (rnd_below(2)) {
				at &= ~3U;
				n &= ~3U;
			}
			if (at + (b->n - n) <= WR_CAP) {
				memcpy(m->b + at, b->b + n, b->n - n);
				m->n = at + (b->n - n);
			}
			break;
		case 4:			/* random bytes inserted */
			n = 1 + rnd_below(16);
			at = rnd_below(m->n + 1);
			if (m->n + n > WR_CAP)
				break;
			memmove(m->b + at + n, m->b + at, m->n - at);
			for (i = 0; i < n; i++)
				m->b[at + i] = rnd();
			m->n += n;
			break;
		case 5:			/* a span removed */
			at = rnd_below(m->n + 1);
			n = rnd_below(m->n - at + 1);
			memmove(m->b + at, m->b + at + n, m->n - at - n);
			m->n -= n;
			break;
		}
	}
}

START_TEST(test_fuzz)
{
	uint32_t ok = 0, header_refused = 0, stopped = 0, flows = 0;
	uint32_t by_reason[XS_SFLOW_NREASONS] = {};
	const char *vg = getenv("VALGRIND");
	uint32_t runs = vg && !strcmp(vg, "1") ? FUZZ_RUNS / 10 : FUZZ_RUNS;
	enum xs_sflow_reason ret;
	char what[48];

	make_seeds();
	for (uint32_t run = 0; run < runs; run++) {
		mutate(&w2);
		snprintf(what, sizeof(what), "fuzz input %u", run);
		ret = decode(w2.b, w2.n, what);
		if (ret == XS_SFLOW_OK)
			ok++;
		else if (sflow_reason_level(ret) == XS_SFLOW_DROP_DGRAM)
			header_refused++;
		else
			stopped++;
		flows += dg.nflows;
		for (int r = 0; r < XS_SFLOW_NREASONS; r++)
			by_reason[r] += dg.bad[r];
	}
	/* The mutations reach every level: not all refused at the header. */
	printf("sflow fuzz: %u inputs, %u read to the end, %u stopped in the samples, "
	       "%u refused at the header, %u flows\n", runs, ok, stopped, header_refused, flows);
	ck_assert_msg(ok > runs / 20 && stopped > runs / 20 && header_refused > 0,
		      "fuzz: %u read to the end, %u stopped, %u refused", ok, stopped,
		      header_refused);
	ck_assert_msg(flows > runs, "fuzz: only %u flows delivered", flows);
	for (int r = XS_SFLOW_SHORT; r < XS_SFLOW_NREASONS; r++) {
		if (r == XS_SFLOW_PROTOCOL || r == XS_SFLOW_TOO_MANY_FLOWS ||
		    r == XS_SFLOW_TOO_MANY_RECORDS)
			continue;
		ck_assert_msg(by_reason[r] > 0, "fuzz: never met %s", sflow_reason_name(r));
	}
}
END_TEST

static Suite *sflow_suite(void)
{
	Suite *s = suite_create("sflow");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_flow_sample);
	tcase_add_test(tc, test_expanded_flow_sample_ipv6_agent);
	tcase_add_test(tc, test_counter_samples);
	tcase_add_test(tc, test_skipped);
	tcase_add_loop_test(tc, test_header_protocol, 0, ARRAY_SIZE(proto_rows));
	tcase_add_test(tc, test_reason_names);
	tcase_add_loop_test(tc, test_malformed, 0, ARRAY_SIZE(bad_rows));
	tcase_add_test(tc, test_too_many);
	tcase_add_loop_test(tc, test_every_cut, 0, 2);
	tcase_add_test(tc, test_fuzz);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sflow_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
