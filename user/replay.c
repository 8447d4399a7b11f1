// SPDX-License-Identifier: GPL-2.0
/*
 * replay: every frame of a capture through BPF_PROG_TEST_RUN of the XDP
 * program (the TC program with --egress), then the drain and report of
 * run, one interval of capture time at a time.
 *
 * Frames. The program counts the wire length but parses only the bytes
 * the capture holds: the wire length travels as replay metadata (XDP:
 * struct xs_meta in data_meta; TC: skb->cb[0..2], see xdpscope.h). Linux
 * cooked (SLL, SLL2) and raw IP frames get a synthetic Ethernet header in
 * place of their link header (zero MACs, the EtherType from the SLL
 * protocol or the IP version); its bytes and the removed link header's
 * are not counted.
 *
 * Time. Bin k holds the frames with t0 + k*I <= t < t0 + (k+1)*I, where t0
 * is the first frame's timestamp in file order and I the interval, so bins
 * before the first frame have negative numbers. Frames wait in a reorder
 * buffer (in order of timestamp, then record number) until the newest
 * timestamp seen is more than the reorder window ahead of theirs, so
 * disorder within the window lands in the right bins. A bin is written
 * when a frame of a later bin comes out, with ts = the end of the bin;
 * bins without frames write nothing (years of gap cost nothing), and the
 * next summary says how long the gap was. A frame that comes out older
 * than the bin being filled counts there, as `late`.
 *
 * Frames the runner refuses. The kernel's test runner takes no frame under
 * 14 bytes, and at TC no IPv4/IPv6 frame shorter than the fixed IP
 * header. What the program does with those live is fixed (a cut Ethernet
 * or IP header: malformed), so replay counts them the same way, in
 * counters added to the drained ones. Anything else refused is counted in
 * the summary's replay.refused, with one warning.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#define PCAP_DONT_INCLUDE_PCAP_BPF_H /* its struct bpf_insn clashes with linux/bpf.h */
#include <pcap/pcap.h>
#include <pcap/dlt.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "counters.h"
#include "drain.h"
#include "emit.h"
#include "loader.h"
#include "log.h"
#include "replay.h"
#include "report.h"
#include "run.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

#define NSEC_PER_SEC 1000000000LL
#define NSEC_PER_MSEC 1000000LL
#define SLL_HLEN 16			/* protocol at offset 14 */
#define SLL2_HLEN 20			/* protocol at offset 0 */
#define IPV4_HLEN 20
#define IPV6_HLEN 40

/* Reorder buffer bounds: beyond either, the oldest frames go out early. */
#define REORDER_MAX_FRAMES 65536
#define REORDER_MAX_BYTES (64ULL << 20)

/*
 * Frame bytes handed to the runner. XDP: what passes the runner's linear
 * area (3520 bytes of frame after the metadata) goes into fragments, which
 * the program does not parse; 64 KiB stays within the runner's 17
 * fragments. TC: the runner takes only a linear skb of less than a page;
 * the first 3520 bytes are what XDP's linear area holds, so both hooks
 * parse the same bytes. Either way the count is the wire length.
 */
#define XDP_FRAME_MAX 65536
#define TC_FRAME_MAX 3520

/* Nanoseconds of capture time: a pcapng timestamp may be any 64-bit
 * seconds value, and differences of two must not overflow. */
typedef __int128 tns;

/* One frame waiting in the reorder buffer, ready for the runner. */
struct held {
	tns ts;
	unsigned long long rec;		/* record number in the file, from 1 */
	uint32_t wire_len;		/* what the program counts */
	uint32_t len;			/* frame bytes after the metadata */
	unsigned char buf[];		/* struct xs_meta, then the frame */
};

struct reorder {
	struct held **fifo;		/* ring: frames that came in order */
	size_t head, fifo_n, fifo_cap;
	struct held **heap;		/* min-heap: frames that came out of order */
	size_t heap_n, heap_cap;
	uint64_t bytes;			/* of the frames held */
};

struct replay {
	const struct xs_replay_opts *o;
	const char *name;		/* the file, for messages */
	int dlt;
	int prog_fd;
	tns interval, window;		/* ns */
	tns t0, newest;			/* first timestamp in file order; the newest */
	tns oldest;			/* the oldest timestamp (--whole) */
	int whole;			/* one interval: the whole capture */
	tns bin;			/* the bin being filled, when have_bin */
	int started, have_bin;
	int ts_u32;			/* classic pcap: seconds are unsigned 32-bit */
	double gap_s;			/* capture time without frames before `bin` */
	struct xs_replay_stat stat;	/* of the bin being filled */
	struct xs_global extra;		/* refused frames counted as the program
					 * would have (cumulative) */
	int warned_late, warned_refused, write_failing;
	struct reorder held;
	struct xs_drain d;
	struct xs_report rep;
	struct xs_loader *l;
	struct xs_rec_meta meta;
	struct timespec last_ts;	/* of the last interval written */
	struct xs_prog_stat prog;
	uint64_t kmem;
};

/* ------------------------------------------------------------- time */

static tns floor_div(tns a, tns b)
{
	tns q = a / b;

	return (a % b && a < 0) ? q - 1 : q;
}

static struct timespec to_timespec(tns t)
{
	const tns lim = (tns)1 << 62;	/* format_rfc3339_ms clamps further */
	tns sec = floor_div(t, NSEC_PER_SEC);
	struct timespec ts;

	ts.tv_nsec = (long)(t - sec * NSEC_PER_SEC);
	if (sec > lim)
		sec = lim;
	else if (sec < -lim)
		sec = -lim;
	ts.tv_sec = (time_t)sec;
	return ts;
}

/* --------------------------------------------------- reorder buffer */

/*
 * Frames in (timestamp, record number) order. Most captures are in order,
 * so a frame no older than the newest held goes to a FIFO, O(1); only the
 * others go to a min-heap. The oldest frame is the older of the two heads.
 */
static int held_before(const struct held *a, const struct held *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->rec < b->rec);
}

static size_t held_size(const struct held *f)
{
	return sizeof(*f) + sizeof(struct xs_meta) + f->len;
}

static int grow(struct held ***v, size_t *cap)
{
	size_t n = *cap ? *cap * 2 : 1024;
	struct held **nv = realloc(*v, n * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = n;
	return 0;
}

static struct held *fifo_at(const struct reorder *ro, size_t i)
{
	return ro->fifo[(ro->head + i) % ro->fifo_cap];
}

static int fifo_push(struct reorder *ro, struct held *f)
{
	size_t old = ro->fifo_cap, i;

	if (ro->fifo_n == ro->fifo_cap) {
		if (grow(&ro->fifo, &ro->fifo_cap))
			return -ENOMEM;
		/* Unwrap: the part before head moves behind the old end. */
		for (i = 0; i < ro->head; i++)
			ro->fifo[old + i] = ro->fifo[i];
	}
	ro->fifo[(ro->head + ro->fifo_n++) % ro->fifo_cap] = f;
	return 0;
}

static int heap_push(struct reorder *ro, struct held *f)
{
	size_t i, up;

	if (ro->heap_n == ro->heap_cap && grow(&ro->heap, &ro->heap_cap))
		return -ENOMEM;
	for (i = ro->heap_n++; i; i = up) {
		up = (i - 1) / 2;
		if (!held_before(f, ro->heap[up]))
			break;
		ro->heap[i] = ro->heap[up];
	}
	ro->heap[i] = f;
	return 0;
}

static struct held *heap_pop(struct reorder *ro)
{
	struct held *top = ro->heap[0], *last = ro->heap[--ro->heap_n];
	size_t i = 0, c, n = ro->heap_n;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n && held_before(ro->heap[c + 1], ro->heap[c]))
			c++;
		if (!held_before(ro->heap[c], last))
			break;
		ro->heap[i] = ro->heap[c];
		i = c;
	}
	ro->heap[i] = last;
	return top;
}

static int reorder_push(struct reorder *ro, struct held *f)
{
	int e;

	if (!ro->fifo_n || !held_before(f, fifo_at(ro, ro->fifo_n - 1)))
		e = fifo_push(ro, f);
	else
		e = heap_push(ro, f);
	if (!e)
		ro->bytes += held_size(f);
	return e;
}

/* The oldest frame held, or NULL. */
static struct held *reorder_oldest(const struct reorder *ro)
{
	struct held *a = ro->fifo_n ? ro->fifo[ro->head] : NULL;
	struct held *b = ro->heap_n ? ro->heap[0] : NULL;

	if (!a || (b && held_before(b, a)))
		return b;
	return a;
}

static struct held *reorder_pop(struct reorder *ro)
{
	struct held *f = reorder_oldest(ro);

	if (ro->fifo_n && f == ro->fifo[ro->head]) {
		ro->head = (ro->head + 1) % ro->fifo_cap;
		ro->fifo_n--;
	} else {
		heap_pop(ro);
	}
	ro->bytes -= held_size(f);
	return f;
}

static size_t reorder_count(const struct reorder *ro)
{
	return ro->fifo_n + ro->heap_n;
}

static void reorder_free(struct reorder *ro)
{
	while (reorder_count(ro))
		free(reorder_pop(ro));
	free(ro->fifo);
	free(ro->heap);
	memset(ro, 0, sizeof(*ro));
}

/* ------------------------------------------------------ link layers */

static int link_supported(int dlt)
{
	return dlt == DLT_EN10MB || dlt == DLT_LINUX_SLL || dlt == DLT_LINUX_SLL2 ||
	       dlt == DLT_RAW || dlt == DLT_IPV4 || dlt == DLT_IPV6;
}

/*
 * How a frame of link type dlt becomes an Ethernet frame: *strip bytes of
 * link header go, and with *ethertype set (non-zero) a synthetic Ethernet
 * header takes their place. Returns -1 if the frame is shorter than its
 * link header.
 */
static int link_decode(int dlt, const unsigned char *pkt, uint32_t caplen, uint32_t *strip,
		       uint16_t *ethertype)
{
	*strip = 0;
	*ethertype = 0;
	switch (dlt) {
	case DLT_LINUX_SLL:
		*strip = SLL_HLEN;
		if (caplen < SLL_HLEN)
			return -1;
		*ethertype = pkt[14] << 8 | pkt[15];
		break;
	case DLT_LINUX_SLL2:
		*strip = SLL2_HLEN;
		if (caplen < SLL2_HLEN)
			return -1;
		*ethertype = pkt[0] << 8 | pkt[1];
		break;
	case DLT_IPV4:
		*ethertype = ETH_P_IP;
		break;
	case DLT_IPV6:
		*ethertype = ETH_P_IPV6;
		break;
	case DLT_RAW:
		/* Not version 6 (nor even one byte): IPv4, which the program
		 * then finds malformed, as it would on an Ethernet link. */
		*ethertype = caplen && pkt[0] >> 4 == 6 ? ETH_P_IPV6 : ETH_P_IP;
		break;
	}
	return 0;
}

/* The frame of one record as the runner will get it, or NULL (ENOMEM). A
 * frame cut inside its link header becomes an empty frame: the program
 * counts it as a frame without a whole Ethernet header. */
static struct held *held_new(const struct replay *r, const struct pcap_pkthdr *h,
			     const unsigned char *pkt, tns ts, unsigned long long rec)
{
	uint32_t strip, wire, len = 0, max = r->o->egress ? TC_FRAME_MAX : XDP_FRAME_MAX;
	uint16_t ethertype;
	struct xs_meta meta = { .magic = XS_META_MAGIC };
	unsigned char *frame;
	struct held *f;
	int cut;

	cut = link_decode(r->dlt, pkt, h->caplen, &strip, &ethertype) < 0;
	wire = r->o->count_captured ? h->caplen : h->len;
	meta.wire_len = wire > strip ? wire - strip : 0;
	if (!cut)
		len = h->caplen - strip + (ethertype ? ETH_HLEN : 0);
	if (len > max)
		len = max;
	f = malloc(sizeof(*f) + sizeof(meta) + len);
	if (!f)
		return NULL;
	f->ts = ts;
	f->rec = rec;
	f->wire_len = meta.wire_len;
	f->len = len;
	memcpy(f->buf, &meta, sizeof(meta));
	frame = f->buf + sizeof(meta);
	if (cut || !len)
		return f;
	if (ethertype) {
		memset(frame, 0, ETH_ALEN * 2);
		frame[12] = ethertype >> 8;
		frame[13] = ethertype & 0xff;
		memcpy(frame + ETH_HLEN, pkt + strip, len - ETH_HLEN);
	} else {
		memcpy(frame, pkt, len);
	}
	return f;
}

/* ----------------------------------------------------------- kernel */

/*
 * The runner refused f. A frame the program would find malformed at a
 * fixed place is counted as the program counts it (xdpscope.bpf.c,
 * count_error); anything else goes to replay.refused.
 */
static void refused(struct replay *r, const struct held *f, int err)
{
	const unsigned char *eth = f->buf + sizeof(struct xs_meta);
	uint16_t proto = f->len >= ETH_HLEN ? eth[12] << 8 | eth[13] : 0;
	__u64 *where = NULL;

	if (f->len < ETH_HLEN)
		where = &r->extra.err_eth;
	else if (r->o->egress && proto == ETH_P_IP && f->len < ETH_HLEN + IPV4_HLEN)
		where = &r->extra.err_ipv4;
	else if (r->o->egress && proto == ETH_P_IPV6 && f->len < ETH_HLEN + IPV6_HLEN)
		where = &r->extra.err_ipv6;
	if (where) {
		(*where)++;
		r->extra.pkts++;
		r->extra.bytes += f->wire_len;
		r->extra.malformed_pkts++;
		r->extra.malformed_bytes += f->wire_len;
		return;
	}
	r->stat.refused++;
	if (!r->warned_refused++)
		log_warn("%s: record %llu: the kernel's test runner refused the %u-byte frame "
			 "(%s); counted in replay.refused of the summary (warned once)", r->name,
			 f->rec, f->len, strerror(err));
}

/* One BPF_PROG_TEST_RUN (repeat 1: more costs RCU grace periods). */
static int run_frame(struct replay *r, const struct held *f)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = 1);
	struct __sk_buff skb = {};
	struct xdp_md xmd = {};

	if (r->o->egress) {
		skb.cb[0] = XS_META_MAGIC;
		skb.cb[1] = f->wire_len;
		skb.cb[2] = XS_META_MAGIC ^ f->wire_len;
		opts.data_in = f->buf + sizeof(struct xs_meta);
		opts.data_size_in = f->len;
		opts.ctx_in = &skb;
		opts.ctx_size_in = sizeof(skb);
	} else {
		/* The runner's rules: data_meta 0, data = the metadata's
		 * length, data_end = the whole input. */
		xmd.data = sizeof(struct xs_meta);
		xmd.data_end = sizeof(struct xs_meta) + f->len;
		opts.data_in = f->buf;
		opts.data_size_in = xmd.data_end;
		opts.ctx_in = &xmd;
		opts.ctx_size_in = sizeof(xmd);
	}
	if (!bpf_prog_test_run_opts(r->prog_fd, &opts))
		return 0;
	if (errno == EINVAL) {
		refused(r, f, errno);
		return 0;
	}
	log_err("%s: record %llu: BPF_PROG_TEST_RUN failed: %s", r->name, f->rec,
		strerror(errno));
	return XS_EXIT_FAIL;
}

/* Write the records of the bin being filled. */
static int flush(struct replay *r)
{
	struct xs_summary s = {};
	struct xs_rec_meta m = r->meta;
	struct timespec a, b;
	struct xs_global sum[2];
	int e;

	clock_gettime(CLOCK_MONOTONIC, &a);
	e = drain_read(&r->d);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (e) {
		log_err("%s: reading the counter maps: %s", r->name, strerror(-e));
		return XS_EXIT_FAIL;
	}
	/* Every test run has returned: no program writes the old epoch. */
	e = run_sketches_flip(r->l, &r->rep, 0);
	if (e) {
		log_err("%s: ending the sketch epoch: %s", r->name, strerror(-e));
		return XS_EXIT_FAIL;
	}
	sum[0] = r->d.gcur;
	sum[1] = r->extra;
	global_sum(&r->d.gcur, sum, 2, sizeof(sum[0]));

	if (r->whole) {
		/* The interval is the capture: it ends at its newest frame. */
		m.ts = to_timespec(r->newest);
		m.interval_s = (double)(r->newest - r->oldest) / NSEC_PER_SEC;
	} else {
		m.ts = to_timespec(r->t0 + (r->bin + 1) * r->interval);
	}
	s.drain_ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	s.gap_s = r->gap_s;
	s.progs[0] = r->prog;
	s.nprogs = 1;
	s.kernel_mem = r->kmem;
	s.replay = &r->stat;
	e = report_interval(&r->rep, &m, r->d.cur, r->d.prev, &r->d.gcur, &r->d.gprev, &s);
	r->last_ts = m.ts;
	if (e && !r->write_failing)
		log_err("%s: records not written: %s (counted in missed.records_dropped)",
			r->rep.out->path ? r->rep.out->path : "stdout", strerror(-e));
	r->write_failing = e != 0;
	e = run_sketches_done(r->l, &r->rep);
	if (e) {
		log_err("%s: clearing the sketch epoch: %s", r->name, strerror(-e));
		return XS_EXIT_FAIL;
	}
	drain_commit(&r->d);
	memset(&r->stat, 0, sizeof(r->stat));
	r->gap_s = 0;
	return 0;
}

/* A frame out of the reorder buffer: into its bin (or the current one if
 * that was written already) and through the program. Frees f. */
static int release(struct replay *r, struct held *f)
{
	tns k = r->whole ? 0 : floor_div(f->ts - r->t0, r->interval);
	int e = 0;

	if (!r->have_bin) {
		r->bin = k;
		r->have_bin = 1;
	} else if (k > r->bin) {
		e = flush(r);
		r->gap_s = (double)((k - r->bin - 1) * r->interval) / NSEC_PER_SEC;
		r->bin = k;
	} else if (k < r->bin) {
		r->stat.late++;
		if (!r->warned_late++)
			log_warn("%s: record %llu: its timestamp falls in an interval already "
				 "written (more than the reorder window out of order): counted in "
				 "the current interval as replay.late (warned once)", r->name,
				 f->rec);
	}
	if (!e) {
		r->stat.frames++;
		e = run_frame(r, f);
	}
	free(f);
	return e;
}

/* One record read: into the reorder buffer; out with whatever is due. */
static int take(struct replay *r, const struct pcap_pkthdr *h, const unsigned char *pkt,
		unsigned long long rec)
{
	tns sec = r->ts_u32 ? (tns)(uint32_t)h->ts.tv_sec : (tns)h->ts.tv_sec;
	tns ts = sec * NSEC_PER_SEC + h->ts.tv_usec;
	struct reorder *ro = &r->held;
	struct held *f;
	int e;

	if (!r->started) {
		r->t0 = r->newest = r->oldest = ts;
		r->started = 1;
	} else if (ts > r->newest) {
		r->newest = ts;
	}
	if (ts < r->oldest)
		r->oldest = ts;
	f = held_new(r, h, pkt, ts, rec);
	if (!f || reorder_push(ro, f)) {
		free(f);
		log_err("%s: record %llu: out of memory", r->name, rec);
		return XS_EXIT_FAIL;
	}
	while ((f = reorder_oldest(ro)) &&
	       (r->newest - f->ts > r->window || reorder_count(ro) > REORDER_MAX_FRAMES ||
		ro->bytes > REORDER_MAX_BYTES)) {
		e = release(r, reorder_pop(ro));
		if (e)
			return e;
	}
	return 0;
}

/* ------------------------------------------------------------ input */

/*
 * Open the capture: a missing, unreadable or empty file, or one libpcap
 * does not take (random bytes, a cut file header), is a usage error; so is
 * a link type replay cannot turn into Ethernet.
 */
static pcap_t *open_capture(const char *path, const char *name, int *rc)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	pcap_t *p;
	int c, dlt;

	*rc = XS_EXIT_USAGE;
	if (!fp) {
		log_err("%s: cannot open: %s", name, strerror(errno));
		return NULL;
	}
	c = getc(fp);
	if (c == EOF) {
		if (ferror(fp))
			log_err("%s: cannot read: %s", name, strerror(errno));
		else
			log_err("%s: empty file, expected a pcap or pcapng capture", name);
		fclose(fp);
		return NULL;
	}
	ungetc(c, fp);
	p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!p) {
		log_err("%s: not a capture libpcap can read (pcap or pcapng): %s", name, errbuf);
		fclose(fp);
		return NULL;
	}
	dlt = pcap_datalink(p);
	if (!link_supported(dlt)) {
		const char *dname = pcap_datalink_val_to_name(dlt);
		const char *desc = pcap_datalink_val_to_description(dlt);

		if (dname)
			log_err("%s: link type %d (%s, %s) is not supported: replay takes EN10MB "
				"(Ethernet), LINUX_SLL, LINUX_SLL2, RAW, IPV4 and IPV6", name, dlt,
				dname, desc ? desc : "no description");
		else
			log_err("%s: link type %d is not supported: replay takes EN10MB "
				"(Ethernet), LINUX_SLL, LINUX_SLL2, RAW, IPV4 and IPV6", name, dlt);
		pcap_close(p);
		return NULL;
	}
	*rc = XS_EXIT_OK;
	return p;
}

/* A read error after `rec` good records: one line, the record number. */
static int read_error(const char *name, unsigned long long rec, const char *msg)
{
	/* libpcap reads one link type per file: a pcapng interface of
	 * another type ends the replay there. */
	if (strstr(msg, "different from the type of the first interface")) {
		log_err("%s: record %llu: %s: replay takes one link type per file (the records "
			"before were replayed)", name, rec + 1, msg);
		return XS_EXIT_USAGE;
	}
	log_err("%s: record %llu: %s (the records before were replayed)", name, rec + 1, msg);
	return XS_EXIT_FAIL;
}

/* --------------------------------------------------------------- all */

static int replay_loop(struct replay *r, pcap_t *p)
{
	struct pcap_pkthdr *h;
	const unsigned char *pkt;
	unsigned long long rec = 0;
	char msg[PCAP_ERRBUF_SIZE] = "";
	int n, e = 0, rc;

	while ((n = pcap_next_ex(p, &h, &pkt)) == 1) {
		e = take(r, h, pkt, ++rec);
		if (e)
			break;
	}
	if (n == PCAP_ERROR)
		snprintf(msg, sizeof(msg), "%s", pcap_geterr(p));
	/* What was read is counted and written, also before an error. */
	while (!e && reorder_count(&r->held))
		e = release(r, reorder_pop(&r->held));
	if (!e && r->have_bin)
		e = flush(r);
	rc = e;
	if (n == PCAP_ERROR) {
		n = read_error(r->name, rec, msg);
		if (!rc)
			rc = n;
	}
	if (!rc && r->rep.out->dropped)
		rc = XS_EXIT_FAIL;
	return rc;
}

/*
 * Every frame through the program on one CPU: the per-CPU sketch stage
 * then sees the capture in order, whatever the scheduler does, and a
 * capture gives the same records every time (top lists with ties
 * included). A cpuset that refuses is no error: only ties may differ.
 */
static void pin_to_one_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

int replay_file(const struct xs_config *cfg, const struct xs_replay_opts *o)
{
	struct xs_trie t4 = {}, t6 = {};
	struct xs_loader l = {};
	struct xs_skread skr = {};
	struct xs_sk_layout sk;
	struct xs_output out = {};
	struct replay r = { .o = o };
	const char *slash;
	char host[256], err[XS_ERR_LEN];
	uint64_t run_ns, run_cnt;
	pcap_t *p;
	int rc, e;

	pin_to_one_cpu();
	r.name = strcmp(o->path, "-") ? o->path : "stdin";
	p = open_capture(o->path, r.name, &rc);
	if (!p)
		return rc;
	r.dlt = pcap_datalink(p);
	/* libpcap hands a classic pcap's unsigned 32-bit seconds over
	 * sign-extended: 0xffff0000 would be 1969, not 2106. */
	r.ts_u32 = pcap_major_version(p) == 2;
	r.interval = (tns)cfg->interval_ms * NSEC_PER_MSEC;
	r.window = o->whole ? 0 : (tns)o->reorder_ms * NSEC_PER_MSEC;
	r.whole = o->whole;

	if (o->host)
		snprintf(host, sizeof(host), "%s", o->host);
	else if (gethostname(host, sizeof(host)))
		snprintf(host, sizeof(host), "localhost");
	slash = strrchr(o->path, '/');
	r.meta = (struct xs_rec_meta){
		.host = host,
		.ifname = o->ifname ? o->ifname : !strcmp(o->path, "-") ? "stdin" :
			  slash ? slash + 1 : o->path,
		.interval_s = cfg->interval_ms / 1000.0,
	};

	rc = XS_EXIT_FAIL;
	e = run_prepare_tries(cfg, &t4, &t6, &r.kmem, libbpf_num_possible_cpus(), err,
			      sizeof(err));
	if (e) {
		log_err("%s", err);
		rc = e == -E2BIG ? XS_EXIT_USAGE : XS_EXIT_FAIL;
		goto out_tries;
	}
	e = output_open(&out, cfg->output_file);
	if (e) {
		log_err("%s: cannot open for appending: %s", cfg->output_file, strerror(-e));
		goto out_tries;
	}
	skread_layout(&sk, &cfg->stats, XS_SLOTS(cfg->nranges));
	if (loader_open(&l, &t4, &t6, cfg->nranges, err, sizeof(err)) ||
	    loader_sketches(&l, &sk, err, sizeof(err)) ||
	    loader_load_one(&l, o->egress, err, sizeof(err))) {
		log_err("%s", err);
		goto out_loader;
	}
	e = drain_init(&r.d, loader_ctrs_fd(&l), loader_global_fd(&l), XS_SLOTS(cfg->nranges),
		       l.ncpus);
	if (e) {
		log_err("allocating the drain buffers: %s", strerror(-e));
		goto out_loader;
	}
	r.prog_fd = o->egress ? loader_tc_fd(&l) : loader_xdp_fd(&l);
	r.prog = (struct xs_prog_stat){ .hook = o->egress ? "tc" : "xdp", .mode = "test_run" };
	loader_prog_stats(r.prog_fd, &run_ns, &run_cnt, &r.prog.prog_id);
	r.rep = (struct xs_report){ .out = &out, .cfg = cfg, .nslots = r.d.nslots,
				    .no_state_file = 1 };
	if (report_rules_init(&r.rep, r.d.nslots, err, sizeof(err))) {
		log_err("%s", err);
		goto out_drain;
	}
	if (sk.nslots) {
		e = skread_init(&skr, &sk);
		if (e) {
			log_err("allocating the sketch buffers: %s", strerror(-e));
			goto out_drain;
		}
		r.rep.sk = &skr;
	}
	r.l = &l;

	rc = replay_loop(&r, p);
	if (r.rep.rules) {
		/* Alerts still active end with the capture, at its last interval. */
		struct xs_rec_meta m = r.meta;

		m.ts = r.last_ts;
		if (report_rules_stop(&r.rep, &m, "capture_end") && rc == XS_EXIT_OK)
			rc = XS_EXIT_FAIL;
	}

	reorder_free(&r.held);
out_drain:
	report_rules_stop(&r.rep, &r.meta, "capture_end");
	skread_free(&skr);
	drain_free(&r.d);
out_loader:
	loader_close(&l);
	output_close(&out);
out_tries:
	trie_free(&t4);
	trie_free(&t6);
	pcap_close(p);
	return rc;
}
