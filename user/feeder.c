// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "feeder.h"
#include "log.h"

#define IPV4_HLEN 20
#define IPV6_HLEN 40

void feeder_init(struct xs_feeder *f, int prog_fd, int tc, const char *name)
{
	memset(f, 0, sizeof(*f));
	f->prog_fd = prog_fd;
	f->tc = tc;
	f->name = name;
}

/*
 * The runner refused the frame. One the program would find malformed at
 * a fixed place is counted as the program counts it (account.h); anything
 * else goes to `refused`.
 */
static void refused(struct xs_feeder *f, const struct xs_frame *fr, int err)
{
	const unsigned char *eth = fr->buf + XS_FEED_HEADROOM;
	uint16_t proto = fr->len >= ETH_HLEN ? eth[12] << 8 | eth[13] : 0;
	__u64 *where = NULL;

	if (fr->len < ETH_HLEN)
		where = &f->extra.err_eth;
	else if (f->tc && proto == ETH_P_IP && fr->len < ETH_HLEN + IPV4_HLEN)
		where = &f->extra.err_ipv4;
	else if (f->tc && proto == ETH_P_IPV6 && fr->len < ETH_HLEN + IPV6_HLEN)
		where = &f->extra.err_ipv6;
	if (where) {
		(*where)++;
		f->extra.pkts++;
		f->extra.bytes += fr->wire_len;
		f->extra.malformed_pkts++;
		f->extra.malformed_bytes += fr->wire_len;
		return;
	}
	f->st.refused++;
	if (!f->warned_refused++)
		log_warn("%s: record %llu: the kernel's test runner refused the %u-byte frame "
			 "(%s); counted in replay.refused of the summary (warned once)", f->name,
			 fr->rec, fr->len, strerror(err));
}

/* One BPF_PROG_TEST_RUN (repeat 1: more costs RCU grace periods). */
int feeder_run(struct xs_feeder *f, struct xs_frame *fr)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = 1);
	struct xs_meta meta = {
		.magic = XS_META_MAGIC,
		.wire_len = fr->wire_len,
		.weight = fr->weight ? fr->weight : 1,
	};
	struct __sk_buff skb = {};
	struct xdp_md xmd = {};
	int e;

	if (fr->weight > XS_WEIGHT_MAX)
		return -EINVAL;
	f->st.frames++;
	if (fr->late)
		f->st.late++;
	if (f->tc) {
		skb.cb[0] = XS_META_MAGIC;
		skb.cb[1] = fr->wire_len;
		skb.cb[2] = XS_META_MAGIC ^ fr->wire_len;
		skb.cb[3] = meta.weight;
		skb.cb[4] = XS_META_MAGIC ^ meta.weight;
		opts.data_in = fr->buf + XS_FEED_HEADROOM;
		opts.data_size_in = fr->len;
		opts.ctx_in = &skb;
		opts.ctx_size_in = sizeof(skb);
	} else {
		/* The runner's rules: data_meta 0, data = the metadata's
		 * length, data_end = the whole input. */
		memcpy(fr->buf, &meta, sizeof(meta));
		xmd.data = XS_FEED_HEADROOM;
		xmd.data_end = XS_FEED_HEADROOM + fr->len;
		opts.data_in = fr->buf;
		opts.data_size_in = xmd.data_end;
		opts.ctx_in = &xmd;
		opts.ctx_size_in = sizeof(xmd);
	}
	if (!bpf_prog_test_run_opts(f->prog_fd, &opts)) {
		if (opts.retval != (f->tc ? TC_ACT_OK : XDP_PASS))
			f->st.not_pass++;
		return 0;
	}
	e = errno;
	if (e == EINVAL) {
		refused(f, fr, e);
		return 0;
	}
	log_err("%s: record %llu: BPF_PROG_TEST_RUN failed: %s", f->name, fr->rec, strerror(e));
	return -e;
}

void feeder_take(struct xs_feeder *f, struct xs_replay_stat *st)
{
	*st = f->st;
	memset(&f->st, 0, sizeof(f->st));
}

void feeder_pin_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}
