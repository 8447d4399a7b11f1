// SPDX-License-Identifier: GPL-2.0
/*
 * sFlow v5 decoding (sflow.h). XDR: big-endian 32-bit words, opaques
 * padded to 4 bytes. Each level checks its own length against the bytes
 * that enclose it before it reads a field, and a sample's record framing
 * is walked whole before any of its records is decoded, so a sample
 * dropped for a bad record length leaves nothing behind in the output.
 */
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include "ethframe.h"
#include "sflow.h"

#define SFLOW_VERSION 5
#define AGENT_IPV4 1
#define AGENT_IPV6 2
#define DGRAM_FIXED 16			/* sub-agent, sequence, uptime, samples */
#define TAG_LEN 8			/* a sample's or record's format and length */

/* Sample formats and record formats, enterprise 0. */
#define SAMPLE_FLOW 1
#define SAMPLE_COUNTERS 2
#define SAMPLE_FLOW_EXPANDED 3
#define SAMPLE_COUNTERS_EXPANDED 4
#define FLOW_RAW_HEADER 1
#define COUNTERS_GENERIC_IF 1

#define FLOW_FIXED 32			/* compact flow sample, records count included */
#define FLOW_EXPANDED_FIXED 44
#define COUNTERS_FIXED 12
#define COUNTERS_EXPANDED_FIXED 16
#define RAW_HEADER_FIXED 16		/* protocol, frame length, stripped, header length */
#define GENERIC_IF_LEN 88

static const struct {
	const char *name;
	const char *text;
	enum xs_sflow_level level;
} reasons[XS_SFLOW_NREASONS] = {
	[XS_SFLOW_OK] = { "ok", "no fault", XS_SFLOW_DROP_NONE },
	[XS_SFLOW_SHORT] = { "short", "the datagram is shorter than its header",
			     XS_SFLOW_DROP_DGRAM },
	[XS_SFLOW_VERSION] = { "version", "not an sFlow version 5 datagram", XS_SFLOW_DROP_DGRAM },
	[XS_SFLOW_AGENT_TYPE] = { "agent_type",
				  "the agent address type is neither 1 (IPv4) nor 2 (IPv6)",
				  XS_SFLOW_DROP_DGRAM },
	[XS_SFLOW_SAMPLE_COUNT] = { "sample_count",
				    "the datagram declares more samples than its bytes can hold",
				    XS_SFLOW_DROP_DGRAM },
	[XS_SFLOW_SAMPLE_CUT] = { "sample_cut",
				  "a sample's format and length run past the datagram's end",
				  XS_SFLOW_DROP_REST },
	[XS_SFLOW_SAMPLE_LEN] = { "sample_length",
				  "a sample's length runs past the datagram's end",
				  XS_SFLOW_DROP_REST },
	[XS_SFLOW_SAMPLE_ALIGN] = { "sample_align", "a sample's length is not a multiple of 4",
				    XS_SFLOW_DROP_REST },
	[XS_SFLOW_FLOW_CUT] = { "flow_sample_cut", "a flow sample is shorter than its fields",
				XS_SFLOW_DROP_SAMPLE },
	[XS_SFLOW_COUNTER_CUT] = { "counter_sample_cut",
				   "a counter sample is shorter than its fields",
				   XS_SFLOW_DROP_SAMPLE },
	[XS_SFLOW_RATE] = { "sampling_rate", "a flow sample's sampling rate is 0",
			    XS_SFLOW_DROP_SAMPLE },
	[XS_SFLOW_RECORD_COUNT] = { "record_count",
				    "a sample declares more records than its bytes can hold",
				    XS_SFLOW_DROP_SAMPLE },
	[XS_SFLOW_RECORD_CUT] = { "record_cut",
				  "a record's format and length run past its sample's end",
				  XS_SFLOW_DROP_SAMPLE },
	[XS_SFLOW_RECORD_LEN] = { "record_length", "a record's length runs past its sample's end",
				  XS_SFLOW_DROP_SAMPLE },
	[XS_SFLOW_RECORD_ALIGN] = { "record_align", "a record's length is not a multiple of 4",
				    XS_SFLOW_DROP_SAMPLE },
	[XS_SFLOW_TOO_MANY_FLOWS] = { "too_many_flows",
				      "more flow samples in one datagram than the decoder holds",
				      XS_SFLOW_DROP_SAMPLE },
	[XS_SFLOW_HEADER_CUT] = { "header_cut",
				  "a raw header record is shorter than its fields and header",
				  XS_SFLOW_DROP_RECORD },
	[XS_SFLOW_HEADER_STRIPPED] = { "header_stripped",
				       "a raw header's stripped bytes exceed its frame length",
				       XS_SFLOW_DROP_RECORD },
	[XS_SFLOW_HEADER_LONG] = { "header_long",
				   "a raw header is longer than its frame length less stripped",
				   XS_SFLOW_DROP_RECORD },
	[XS_SFLOW_IFCOUNTERS_CUT] = { "if_counters_cut",
				      "a generic interface counters record is under 88 bytes",
				      XS_SFLOW_DROP_RECORD },
	[XS_SFLOW_TOO_MANY_RECORDS] = { "too_many_records",
					"more headers or interface counters in one datagram "
					"than the decoder holds",
					XS_SFLOW_DROP_RECORD },
	[XS_SFLOW_TRAILING] = { "trailing",
				"bytes after the end of a datagram's, sample's or record's content",
				XS_SFLOW_DROP_NONE },
	[XS_SFLOW_PROTOCOL] = { "header_protocol",
				"a raw header's protocol is not Ethernet (1), IPv4 (11) or IPv6 (12)",
				XS_SFLOW_DROP_FRAME },
};

const char *sflow_reason_name(enum xs_sflow_reason r)
{
	return (unsigned int)r < XS_SFLOW_NREASONS ? reasons[r].name : "unknown";
}

const char *sflow_reason_text(enum xs_sflow_reason r)
{
	return (unsigned int)r < XS_SFLOW_NREASONS ? reasons[r].text : "unknown reason";
}

enum xs_sflow_level sflow_reason_level(enum xs_sflow_reason r)
{
	return (unsigned int)r < XS_SFLOW_NREASONS ? reasons[r].level : XS_SFLOW_DROP_NONE;
}

static inline uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return ntohl(v);
}

static inline uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static inline void count(struct xs_sflow_dgram *d, enum xs_sflow_reason r)
{
	d->bad[r]++;
	d->nbad++;
}

static inline void sample_bad(struct xs_sflow_dgram *d, enum xs_sflow_reason r)
{
	count(d, r);
	d->samples_bad++;
}

static inline void record_bad(struct xs_sflow_dgram *d, enum xs_sflow_reason r)
{
	count(d, r);
	d->records_bad++;
}

/*
 * The record framing of a sample: n records from p to end, each a format,
 * a length and that many bytes. XS_SFLOW_OK if every one lies inside,
 * else the reason (of level SAMPLE).
 */
static enum xs_sflow_reason records_frame(const uint8_t *p, const uint8_t *end, uint32_t n)
{
	uint32_t i, len;

	if (n > (size_t)(end - p) / TAG_LEN)
		return XS_SFLOW_RECORD_COUNT;
	for (i = 0; i < n; i++) {
		if (end - p < TAG_LEN)
			return XS_SFLOW_RECORD_CUT;
		len = get32(p + 4);
		p += TAG_LEN;
		if (len > (size_t)(end - p))
			return XS_SFLOW_RECORD_LEN;
		if (len & 3)
			return XS_SFLOW_RECORD_ALIGN;
		p += len;
	}
	return XS_SFLOW_OK;
}

static void raw_header(struct xs_sflow_dgram *d, const uint8_t *p, uint32_t len)
{
	struct xs_sflow_header *h;
	uint32_t frame_len, stripped, hlen;

	if (len < RAW_HEADER_FIXED) {
		record_bad(d, XS_SFLOW_HEADER_CUT);
		return;
	}
	frame_len = get32(p + 4);
	stripped = get32(p + 8);
	hlen = get32(p + 12);
	if (hlen > len - RAW_HEADER_FIXED) {
		record_bad(d, XS_SFLOW_HEADER_CUT);
		return;
	}
	if (stripped > frame_len) {
		record_bad(d, XS_SFLOW_HEADER_STRIPPED);
		return;
	}
	if (hlen > frame_len - stripped) {
		record_bad(d, XS_SFLOW_HEADER_LONG);
		return;
	}
	if (d->nheaders == XS_SFLOW_MAX_HEADERS) {
		record_bad(d, XS_SFLOW_TOO_MANY_RECORDS);
		return;
	}
	/* len is a multiple of 4 (records_frame), hlen <= len - 16: the
	 * padded header fits too. */
	if (RAW_HEADER_FIXED + ((hlen + 3) & ~3U) != len)
		count(d, XS_SFLOW_TRAILING);
	h = &d->headers[d->nheaders++];
	h->bytes = p + RAW_HEADER_FIXED;
	h->len = hlen;
	h->protocol = get32(p);
	h->frame_len = frame_len;
	h->stripped = stripped;
}

static void flow_sample(struct xs_sflow_dgram *d, const uint8_t *p, uint32_t len, int expanded)
{
	const uint8_t *end = p + len;
	struct xs_sflow_flow *f;
	enum xs_sflow_reason r;
	uint32_t i, n, rlen, in, out, src;

	if (len < (expanded ? FLOW_EXPANDED_FIXED : FLOW_FIXED)) {
		sample_bad(d, XS_SFLOW_FLOW_CUT);
		return;
	}
	if (d->nflows == XS_SFLOW_MAX_FLOWS) {
		sample_bad(d, XS_SFLOW_TOO_MANY_FLOWS);
		return;
	}
	f = &d->flows[d->nflows];
	f->seq = get32(p);
	if (expanded) {
		f->source_type = get32(p + 4);
		f->source_index = get32(p + 8);
		f->rate = get32(p + 12);
		f->pool = get32(p + 16);
		f->drops = get32(p + 20);
		f->in_format = get32(p + 24);
		f->in_value = get32(p + 28);
		f->out_format = get32(p + 32);
		f->out_value = get32(p + 36);
		n = get32(p + 40);
		p += FLOW_EXPANDED_FIXED;
	} else {
		src = get32(p + 4);
		f->source_type = src >> 24;
		f->source_index = src & 0xffffff;
		f->rate = get32(p + 8);
		f->pool = get32(p + 12);
		f->drops = get32(p + 16);
		in = get32(p + 20);
		out = get32(p + 24);
		f->in_format = in >> 30;
		f->in_value = in & 0x3fffffff;
		f->out_format = out >> 30;
		f->out_value = out & 0x3fffffff;
		n = get32(p + 28);
		p += FLOW_FIXED;
	}
	f->expanded = expanded;
	if (!f->rate) {
		sample_bad(d, XS_SFLOW_RATE);
		return;
	}
	r = records_frame(p, end, n);
	if (r) {
		sample_bad(d, r);
		return;
	}
	d->nflows++;
	d->records += n;
	f->header = d->nheaders;
	for (i = 0; i < n; i++) {
		rlen = get32(p + 4);
		if (get32(p) == FLOW_RAW_HEADER)
			raw_header(d, p + TAG_LEN, rlen);
		else
			d->records_skipped++;
		p += TAG_LEN + rlen;
	}
	f->nheaders = d->nheaders - f->header;
	if (p != end)
		count(d, XS_SFLOW_TRAILING);
}

static void generic_if(struct xs_sflow_dgram *d, const uint8_t *p, uint32_t len,
		       const struct xs_sflow_ifcounters *sample)
{
	struct xs_sflow_ifcounters *c;

	if (len < GENERIC_IF_LEN) {
		record_bad(d, XS_SFLOW_IFCOUNTERS_CUT);
		return;
	}
	if (d->nifcounters == XS_SFLOW_MAX_IFCOUNTERS) {
		record_bad(d, XS_SFLOW_TOO_MANY_RECORDS);
		return;
	}
	if (len != GENERIC_IF_LEN)
		count(d, XS_SFLOW_TRAILING);
	c = &d->ifcounters[d->nifcounters++];
	c->seq = sample->seq;
	c->source_type = sample->source_type;
	c->source_index = sample->source_index;
	c->expanded = sample->expanded;
	c->ifindex = get32(p);
	c->iftype = get32(p + 4);
	c->speed = get64(p + 8);
	c->direction = get32(p + 16);
	c->status = get32(p + 20);
	c->in_octets = get64(p + 24);
	c->in_ucast = get32(p + 32);
	c->in_mcast = get32(p + 36);
	c->in_bcast = get32(p + 40);
	c->in_discards = get32(p + 44);
	c->in_errors = get32(p + 48);
	c->in_unknown_protos = get32(p + 52);
	c->out_octets = get64(p + 56);
	c->out_ucast = get32(p + 64);
	c->out_mcast = get32(p + 68);
	c->out_bcast = get32(p + 72);
	c->out_discards = get32(p + 76);
	c->out_errors = get32(p + 80);
	c->promiscuous = get32(p + 84);
}

static void counter_sample(struct xs_sflow_dgram *d, const uint8_t *p, uint32_t len,
			   int expanded)
{
	const uint8_t *end = p + len;
	struct xs_sflow_ifcounters s;
	enum xs_sflow_reason r;
	uint32_t i, n, rlen, src;

	if (len < (expanded ? COUNTERS_EXPANDED_FIXED : COUNTERS_FIXED)) {
		sample_bad(d, XS_SFLOW_COUNTER_CUT);
		return;
	}
	s.seq = get32(p);
	s.expanded = expanded;
	if (expanded) {
		s.source_type = get32(p + 4);
		s.source_index = get32(p + 8);
		n = get32(p + 12);
		p += COUNTERS_EXPANDED_FIXED;
	} else {
		src = get32(p + 4);
		s.source_type = src >> 24;
		s.source_index = src & 0xffffff;
		n = get32(p + 8);
		p += COUNTERS_FIXED;
	}
	r = records_frame(p, end, n);
	if (r) {
		sample_bad(d, r);
		return;
	}
	d->counter_samples++;
	d->records += n;
	for (i = 0; i < n; i++) {
		rlen = get32(p + 4);
		if (get32(p) == COUNTERS_GENERIC_IF)
			generic_if(d, p + TAG_LEN, rlen, &s);
		else
			d->records_skipped++;
		p += TAG_LEN + rlen;
	}
	if (p != end)
		count(d, XS_SFLOW_TRAILING);
}

static enum xs_sflow_reason stop(struct xs_sflow_dgram *d, enum xs_sflow_reason r,
				 uint32_t lost)
{
	count(d, r);
	d->samples_lost = lost;
	return r;
}

enum xs_sflow_reason sflow_decode(const uint8_t *buf, size_t len, struct xs_sflow_dgram *d)
{
	const uint8_t *p = buf, *end = buf + len;
	uint32_t i, alen, slen;

	memset(d, 0, offsetof(struct xs_sflow_dgram, flows));
	if (len < 8)
		return stop(d, XS_SFLOW_SHORT, 0);
	if (get32(p) != SFLOW_VERSION)
		return stop(d, XS_SFLOW_VERSION, 0);
	switch (get32(p + 4)) {
	case AGENT_IPV4:
		alen = 4;
		break;
	case AGENT_IPV6:
		alen = 16;
		break;
	default:
		return stop(d, XS_SFLOW_AGENT_TYPE, 0);
	}
	p += 8;
	if ((size_t)(end - p) < alen + DGRAM_FIXED)
		return stop(d, XS_SFLOW_SHORT, 0);
	memcpy(d->agent, p, alen);
	d->agent_family = alen == 4 ? 4 : 6;
	p += alen;
	d->sub_agent = get32(p);
	d->seq = get32(p + 4);
	d->uptime_ms = get32(p + 8);
	d->nsamples = get32(p + 12);
	p += DGRAM_FIXED;
	if (d->nsamples > (size_t)(end - p) / TAG_LEN)
		return stop(d, XS_SFLOW_SAMPLE_COUNT, 0);

	for (i = 0; i < d->nsamples; i++) {
		const uint8_t *s;
		uint32_t format;

		if (end - p < TAG_LEN)
			return stop(d, XS_SFLOW_SAMPLE_CUT, d->nsamples - i);
		format = get32(p);
		slen = get32(p + 4);
		p += TAG_LEN;
		if (slen > (size_t)(end - p))
			return stop(d, XS_SFLOW_SAMPLE_LEN, d->nsamples - i);
		if (slen & 3)
			return stop(d, XS_SFLOW_SAMPLE_ALIGN, d->nsamples - i);
		s = p;
		p += slen;
		/* The enterprise is the top 20 bits: 0 leaves the format. */
		switch (format) {
		case SAMPLE_FLOW:
		case SAMPLE_FLOW_EXPANDED:
			flow_sample(d, s, slen, format == SAMPLE_FLOW_EXPANDED);
			break;
		case SAMPLE_COUNTERS:
		case SAMPLE_COUNTERS_EXPANDED:
			counter_sample(d, s, slen, format == SAMPLE_COUNTERS_EXPANDED);
			break;
		default:
			d->samples_skipped++;
			break;
		}
	}
	if (p != end)
		count(d, XS_SFLOW_TRAILING);
	return XS_SFLOW_OK;
}

enum xs_sflow_reason sflow_frame(const struct xs_sflow_header *h, uint8_t *dst, uint32_t cap,
				 uint32_t *len, uint32_t *wire_len)
{
	uint16_t ethertype;
	uint32_t n;

	switch (h->protocol) {
	case XS_SFLOW_PROTO_ETHERNET:
		n = h->len < cap ? h->len : cap;
		if (n)
			memcpy(dst, h->bytes, n);
		*len = n;
		break;
	case XS_SFLOW_PROTO_IPV4:
	case XS_SFLOW_PROTO_IPV6:
		ethertype = h->protocol == XS_SFLOW_PROTO_IPV4 ? ETH_P_IP : ETH_P_IPV6;
		if (cap < ETHFRAME_HLEN) {
			*len = 0;
			break;
		}
		n = h->len < cap - ETHFRAME_HLEN ? h->len : cap - ETHFRAME_HLEN;
		ethframe_put(dst, ethertype, h->bytes, n);
		*len = ETHFRAME_HLEN + n;
		break;
	default:
		return XS_SFLOW_PROTOCOL;
	}
	*wire_len = h->frame_len - h->stripped;
	return XS_SFLOW_OK;
}
