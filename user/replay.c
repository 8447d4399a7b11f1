// SPDX-License-Identifier: GPL-2.0
/*
 * replay: every frame of a capture through BPF_PROG_TEST_RUN of the XDP
 * program (the TC program with --egress), then the drain and report of
 * run, one interval of capture time at a time.
 *
 * Frames go through the shared frame feeder (feeder.h: metadata, the
 * runner's refusals) and the interval pipeline (pipeline.h). Linux
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
 */
#include <errno.h>
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
#include "ethframe.h"
#include "feeder.h"
#include "log.h"
#include "pipeline.h"
#include "replay.h"

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
	uint32_t len;			/* frame bytes after the headroom */
	unsigned char buf[];		/* XS_FEED_HEADROOM bytes, then the frame */
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
	tns interval, window;		/* ns */
	tns t0, newest;			/* first timestamp in file order; the newest */
	tns oldest;			/* the oldest timestamp (--whole) */
	int whole;			/* one interval: the whole capture */
	tns bin;			/* the bin being filled, when have_bin */
	int started, have_bin;
	int ts_u32;			/* classic pcap: seconds are unsigned 32-bit */
	double gap_s;			/* capture time without frames before `bin` */
	uint64_t bad_ts;		/* of the bin being filled: clamped sub-seconds */
	int warned_late, warned_ts;
	struct reorder held;
	struct xs_feeder feed;
	struct xs_pipeline p;
	struct xs_rec_meta meta;
	struct timespec last_ts;	/* of the last interval written */
	struct xs_prog_stat prog;
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
	return sizeof(*f) + XS_FEED_HEADROOM + f->len;
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
	unsigned char *frame;
	struct held *f;
	int cut;

	cut = link_decode(r->dlt, pkt, h->caplen, &strip, &ethertype) < 0;
	wire = r->o->count_captured ? h->caplen : h->len;
	if (!cut)
		len = h->caplen - strip + (ethertype ? ETH_HLEN : 0);
	if (len > max)
		len = max;
	f = malloc(sizeof(*f) + XS_FEED_HEADROOM + len);
	if (!f)
		return NULL;
	f->ts = ts;
	f->rec = rec;
	f->wire_len = wire > strip ? wire - strip : 0;
	f->len = len;
	frame = f->buf + XS_FEED_HEADROOM;
	if (cut || !len)
		return f;
	if (ethertype)
		ethframe_put(frame, ethertype, pkt + strip, len - ETH_HLEN);
	else
		memcpy(frame, pkt, len);
	return f;
}

/* ----------------------------------------------------------- kernel */

/* Write the records of the bin being filled. */
static int flush(struct replay *r)
{
	struct xs_replay_stat stat;
	struct xs_summary s = {};
	struct xs_rec_meta m = r->meta;
	char err[XS_ERR_LEN];

	if (r->whole) {
		/* The interval is the capture: it ends at its newest frame. */
		m.ts = to_timespec(r->newest);
		m.interval_s = (double)(r->newest - r->oldest) / NSEC_PER_SEC;
	} else {
		m.ts = to_timespec(r->t0 + (r->bin + 1) * r->interval);
	}
	feeder_take(&r->feed, &stat);
	stat.bad_ts = r->bad_ts;
	r->bad_ts = 0;
	s.gap_s = r->gap_s;
	s.progs[0] = r->prog;
	s.nprogs = 1;
	s.replay = &stat;
	/* Every test run has returned: no program writes the old epoch. */
	if (pipeline_interval(&r->p, &m, 0, &r->feed.extra, &s, err, sizeof(err))) {
		log_err("%s: %s", r->name, err);
		return XS_EXIT_FAIL;
	}
	r->last_ts = m.ts;
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
		if (!r->warned_late++)
			log_warn("%s: record %llu: its timestamp falls in an interval already "
				 "written (more than the reorder window out of order): counted in "
				 "the current interval as replay.late (warned once)", r->name,
				 f->rec);
	}
	if (!e) {
		struct xs_frame fr = { .buf = f->buf, .len = f->len, .wire_len = f->wire_len,
				       .weight = 1, .rec = f->rec, .late = k < r->bin };

		e = feeder_run(&r->feed, &fr) ? XS_EXIT_FAIL : 0;
	}
	free(f);
	return e;
}

/* One record read: into the reorder buffer; out with whatever is due. */
static int take(struct replay *r, const struct pcap_pkthdr *h, const unsigned char *pkt,
		unsigned long long rec)
{
	tns sec = r->ts_u32 ? (tns)(uint32_t)h->ts.tv_sec : (tns)h->ts.tv_sec;
	tns sub = h->ts.tv_usec;	/* ns: the capture is opened at nano precision */
	tns ts;
	struct reorder *ro = &r->held;
	struct held *f;
	int e;

	/*
	 * A sub-second field past a second (0x80000000 microseconds, which
	 * libpcap hands over sign-extended: 35 minutes early) is no time:
	 * clamp it into its second, count it, warn once.
	 */
	if (sub < 0 || sub >= NSEC_PER_SEC) {
		if (!r->warned_ts++)
			log_warn("%s: record %llu: its sub-second timestamp field is out of range: "
				 "clamped into its second, counted in replay.bad_ts (warned once)",
				 r->name, rec);
		r->bad_ts++;
		sub = sub < 0 ? 0 : NSEC_PER_SEC - 1;
	}
	ts = sec * NSEC_PER_SEC + sub;
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
	if (!rc && pipeline_lost(&r->p))
		rc = XS_EXIT_FAIL;
	return rc;
}

int replay_file(struct xs_config *cfg, const struct xs_replay_opts *o)
{
	struct replay r = { .o = o };
	const char *slash;
	char host[256], err[XS_ERR_LEN];
	uint64_t run_ns, run_cnt;
	struct xs_rec_meta m;
	pcap_t *p;
	int rc, e, prog_fd;

	feeder_pin_cpu();
	/* Storms trade exact top lists for a live program's cost under a
	 * flood; a replay has the time: exact unless the config asks. */
	if (!cfg->stats.storm_flows_set)
		cfg->stats.storm_flows = 0;
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
	m = r.meta;

	rc = pipeline_open(&r.p, cfg, XS_CMD_REPLAY, o->sink_args, err, sizeof(err));
	if (!rc && pipeline_load_one(&r.p, o->egress, err, sizeof(err)))
		rc = XS_EXIT_FAIL;
	if (rc) {
		log_err("%s", err);
		goto out;
	}
	prog_fd = o->egress ? loader_tc_fd(&r.p.col.l) : loader_xdp_fd(&r.p.col.l);
	feeder_init(&r.feed, prog_fd, o->egress, r.name);
	r.prog = (struct xs_prog_stat){ .hook = o->egress ? "tc" : "xdp", .mode = "test_run" };
	loader_prog_stats(prog_fd, &run_ns, &run_cnt, &r.prog.prog_id);

	rc = replay_loop(&r, p);
	/* Alerts still active end with the capture, at its last interval. */
	m.ts = r.last_ts;
out:
	reorder_free(&r.held);
	e = pipeline_close(&r.p, &m, "capture_end");
	if (e && rc == XS_EXIT_OK)
		rc = XS_EXIT_FAIL;
	pcap_close(p);
	return rc;
}
