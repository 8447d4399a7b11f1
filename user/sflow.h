/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sFlow v5 datagrams (sflow.org, "sFlow Version 5", 2004), decoded as a
 * pure function: one UDP payload in, one struct xs_sflow_dgram out. No
 * allocation, no I/O, no libbpf (links into unit tests); the raw packet
 * headers are pointers into the payload, never copies.
 *
 * What is read (enterprise 0 only; any other sample or record is skipped
 * by its length and counted):
 *   datagram: version 5, agent address (IPv4 or IPv6), sub-agent id,
 *     sequence number, uptime, number of samples;
 *   flow sample (format 1) and expanded flow sample (3): sequence number,
 *     source id, sampling rate, sample pool, drops, input and output
 *     interfaces, and in them the raw packet header records (1);
 *   counter sample (2) and expanded counter sample (4): sequence number,
 *     source id, and in them the generic interface counters records (1).
 *
 * Malformed input. Every length is checked against what encloses it
 * before anything behind it is read, and every fault is counted under a
 * reason (enum xs_sflow_reason, named by sflow_reason_name()). A fault
 * drops the smallest unit whose bounds are still known, and the reason's
 * level (sflow_reason_level()) says which:
 *   XS_SFLOW_DROP_DGRAM   the datagram header is bad: nothing is read;
 *   XS_SFLOW_DROP_REST    a sample's format or length breaks the framing:
 *                         the samples before it stay, it and the ones after
 *                         are lost (counted in `samples_lost`);
 *   XS_SFLOW_DROP_SAMPLE  a bad sample inside a good datagram: that sample
 *                         goes (nothing of it is delivered, not even the
 *                         good records before a bad record length), the
 *                         next ones are read;
 *   XS_SFLOW_DROP_RECORD  a bad record inside a good sample: that record
 *                         goes, the sample and its other records stay;
 *   XS_SFLOW_DROP_NONE    bytes past the end of a datagram, sample or
 *                         record's content (`trailing`): counted, all kept;
 *   XS_SFLOW_DROP_FRAME   sflow_frame() refuses a header the decoder kept.
 * Lengths of samples and records must be multiples of 4: XDR pads every
 * opaque to 4 bytes and every sFlow structure is made of 4-byte words, so
 * any other length is a corrupt datagram, not padding left out.
 *
 * What adds up, for any input that passed the header:
 *   flows + counter_samples + samples_skipped + samples_bad + samples_lost
 *     == nsamples (the number the header declares);
 *   headers + ifcounters + records_skipped + records_bad == records
 *     (the records declared by the samples whose framing held);
 *   bad[r] summed over the reasons of level SAMPLE is samples_bad, over
 *     RECORD records_bad; nbad is bad[] summed over every reason.
 */
#ifndef XS_SFLOW_H
#define XS_SFLOW_H

#include <stddef.h>
#include <stdint.h>

#define XS_SFLOW_PORT 6343

/* Per datagram. A 64 KiB datagram of flow samples with one header each
 * holds at most 1024 of them (64 bytes the least such sample takes). */
#ifndef XS_SFLOW_MAX_FLOWS
#define XS_SFLOW_MAX_FLOWS 1024
#endif
#ifndef XS_SFLOW_MAX_HEADERS
#define XS_SFLOW_MAX_HEADERS 1024
#endif
#ifndef XS_SFLOW_MAX_IFCOUNTERS
#define XS_SFLOW_MAX_IFCOUNTERS 256
#endif

/* Raw packet header protocols (header_protocol) sflow_frame() takes. */
#define XS_SFLOW_PROTO_ETHERNET 1
#define XS_SFLOW_PROTO_IPV4 11
#define XS_SFLOW_PROTO_IPV6 12

/* Interface formats (the top two bits of a compact interface). */
#define XS_SFLOW_IF_INDEX 0		/* value: the ifIndex (0: unknown) */
#define XS_SFLOW_IF_DISCARD 1		/* value: the reason the packet was dropped */
#define XS_SFLOW_IF_MULTIPLE 2		/* value: how many interfaces (0: unknown) */

enum xs_sflow_reason {
	XS_SFLOW_OK = 0,
	/* DGRAM: the datagram header */
	XS_SFLOW_SHORT,			/* shorter than its header */
	XS_SFLOW_VERSION,		/* version not 5 */
	XS_SFLOW_AGENT_TYPE,		/* agent address type neither 1 (IPv4) nor 2 (IPv6) */
	XS_SFLOW_SAMPLE_COUNT,		/* more samples than its bytes can hold (8 each) */
	/* REST: a sample's framing */
	XS_SFLOW_SAMPLE_CUT,		/* a sample's format and length past the end */
	XS_SFLOW_SAMPLE_LEN,		/* a sample's length past the datagram's end */
	XS_SFLOW_SAMPLE_ALIGN,		/* a sample's length not a multiple of 4 */
	/* SAMPLE */
	XS_SFLOW_FLOW_CUT,		/* flow sample shorter than its fields */
	XS_SFLOW_COUNTER_CUT,		/* counter sample shorter than its fields */
	XS_SFLOW_RATE,			/* sampling rate 0 */
	XS_SFLOW_RECORD_COUNT,		/* more records than the sample can hold (8 each) */
	XS_SFLOW_RECORD_CUT,		/* a record's format and length past the sample's end */
	XS_SFLOW_RECORD_LEN,		/* a record's length past the sample's end */
	XS_SFLOW_RECORD_ALIGN,		/* a record's length not a multiple of 4 */
	XS_SFLOW_TOO_MANY_FLOWS,	/* over XS_SFLOW_MAX_FLOWS in one datagram */
	/* RECORD */
	XS_SFLOW_HEADER_CUT,		/* raw header record shorter than its fields,
					 * or its header bytes past the record's end */
	XS_SFLOW_HEADER_STRIPPED,	/* stripped more than the frame length */
	XS_SFLOW_HEADER_LONG,		/* header longer than the frame less stripped */
	XS_SFLOW_IFCOUNTERS_CUT,	/* generic interface counters under 88 bytes */
	XS_SFLOW_TOO_MANY_RECORDS,	/* over XS_SFLOW_MAX_HEADERS or _IFCOUNTERS */
	/* NONE */
	XS_SFLOW_TRAILING,		/* bytes after the content, kept */
	/* FRAME: sflow_frame() */
	XS_SFLOW_PROTOCOL,		/* header protocol not Ethernet, IPv4 or IPv6 */
	XS_SFLOW_NREASONS
};

enum xs_sflow_level {
	XS_SFLOW_DROP_NONE,
	XS_SFLOW_DROP_DGRAM,
	XS_SFLOW_DROP_REST,
	XS_SFLOW_DROP_SAMPLE,
	XS_SFLOW_DROP_RECORD,
	XS_SFLOW_DROP_FRAME,
};

/* One raw packet header record. */
struct xs_sflow_header {
	const uint8_t *bytes;		/* the header's first byte, in the payload */
	uint32_t len;			/* header bytes (<= frame_len - stripped) */
	uint32_t protocol;		/* XS_SFLOW_PROTO_*, or another header_protocol */
	uint32_t frame_len;		/* the packet's length before sampling
					 * (layer 2: with the FCS) */
	uint32_t stripped;		/* bytes removed before the header was taken
					 * (the FCS, outer encapsulations) */
};

/* One flow sample, compact or expanded, in the expanded form. */
struct xs_sflow_flow {
	uint32_t seq;			/* the source's flow sample sequence number */
	uint32_t source_type;		/* 0 ifIndex, 1 smonVlanDataSource, 2 entPhysicalEntry */
	uint32_t source_index;
	uint32_t rate;			/* 1 in `rate` packets sampled (never 0) */
	uint32_t pool;			/* packets that could have been sampled */
	uint32_t drops;			/* samples the agent lost for lack of resources */
	uint32_t in_format;		/* XS_SFLOW_IF_* */
	uint32_t in_value;		/* input ifIndex when in_format is XS_SFLOW_IF_INDEX */
	uint32_t out_format;
	uint32_t out_value;		/* output ifIndex when out_format is XS_SFLOW_IF_INDEX */
	uint16_t header;		/* its raw headers: dgram->headers[header] .. */
	uint16_t nheaders;		/* .. [header + nheaders - 1] */
	uint8_t expanded;		/* format 3 */
};

/* The generic interface counters record of a counter sample. */
struct xs_sflow_ifcounters {
	uint64_t speed;			/* bits per second */
	uint64_t in_octets;
	uint64_t out_octets;
	uint32_t seq;			/* the counter sample's sequence number */
	uint32_t source_type;		/* the counter sample's source id */
	uint32_t source_index;
	uint32_t ifindex;
	uint32_t iftype;
	uint32_t direction;		/* 0 unknown, 1 full duplex, 2 half, 3 in, 4 out */
	uint32_t status;		/* bit 0 admin up, bit 1 oper up */
	uint32_t in_ucast;
	uint32_t in_mcast;
	uint32_t in_bcast;
	uint32_t in_discards;
	uint32_t in_errors;
	uint32_t in_unknown_protos;
	uint32_t out_ucast;
	uint32_t out_mcast;
	uint32_t out_bcast;
	uint32_t out_discards;
	uint32_t out_errors;
	uint32_t promiscuous;		/* 1 on, 2 off, 0 unknown */
	uint8_t expanded;		/* of an expanded counter sample (4) */
};

/*
 * A decoded datagram. Large (the arrays): keep one and decode into it
 * again and again; the decoder writes only the fields before `flows` and
 * the array entries it fills.
 */
struct xs_sflow_dgram {
	uint8_t agent[16];		/* network order; IPv4 in agent[0..3], the rest 0 */
	uint8_t agent_family;		/* 4 or 6; 0 if the header was not read */
	uint32_t sub_agent;
	uint32_t seq;			/* the agent's datagram sequence number */
	uint32_t uptime_ms;
	uint32_t nsamples;		/* samples the header declares */

	uint32_t nflows;		/* flows[0 .. nflows-1] */
	uint32_t nheaders;		/* headers[], in order of their flows */
	uint32_t nifcounters;		/* ifcounters[] */
	uint32_t counter_samples;	/* counter samples read, with or without
					 * an ifcounters entry */
	uint32_t samples_skipped;	/* unknown formats or enterprises */
	uint32_t samples_bad;		/* dropped: a reason of level SAMPLE */
	uint32_t samples_lost;		/* after a reason of level REST */
	uint32_t records;		/* declared by the samples read */
	uint32_t records_skipped;
	uint32_t records_bad;		/* dropped: a reason of level RECORD */
	uint32_t nbad;			/* every reason counted below */
	uint32_t bad[XS_SFLOW_NREASONS];/* how often each reason was met */

	struct xs_sflow_flow flows[XS_SFLOW_MAX_FLOWS];
	struct xs_sflow_header headers[XS_SFLOW_MAX_HEADERS];
	struct xs_sflow_ifcounters ifcounters[XS_SFLOW_MAX_IFCOUNTERS];
};

/*
 * Decode the UDP payload buf[0 .. len-1] into d. Returns XS_SFLOW_OK when
 * the datagram was read to its end (some samples or records may still
 * have been dropped: d->nbad), else the reason (of level DGRAM or REST)
 * that stopped it. d->headers[].bytes point into buf: keep buf while
 * they are used.
 */
enum xs_sflow_reason sflow_decode(const uint8_t *buf, size_t len, struct xs_sflow_dgram *d);

/*
 * The frame the program takes for header h, written at dst (at most cap
 * bytes: a longer frame is cut, the program parses only the bytes it is
 * given and counts the wire length): an Ethernet header as it is, an IPv4
 * or IPv6 one behind a synthetic Ethernet header (ethframe.h). *len gets
 * the frame's length, *wire_len the packet's length as the program
 * counts it: frame_len less stripped (the synthetic header is not
 * counted, as replay does not count it for raw IP captures). Returns
 * XS_SFLOW_OK, or XS_SFLOW_PROTOCOL for any other header protocol (then
 * nothing is written).
 */
enum xs_sflow_reason sflow_frame(const struct xs_sflow_header *h, uint8_t *dst, uint32_t cap,
				 uint32_t *len, uint32_t *wire_len);

/* "sample_length", "header_protocol", ...: a name for the summary
 * (lower_snake_case); "unknown" out of range. */
const char *sflow_reason_name(enum xs_sflow_reason r);
/* One line for a warning: "a sample's length runs past the datagram's end". */
const char *sflow_reason_text(enum xs_sflow_reason r);
enum xs_sflow_level sflow_reason_level(enum xs_sflow_reason r);

#endif /* XS_SFLOW_H */
