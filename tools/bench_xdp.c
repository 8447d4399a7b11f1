// SPDX-License-Identifier: GPL-2.0
/*
 * bench_xdp: ns/packet of the full XDP program against a bare XDP_PASS
 * program under BPF_PROG_TEST_RUN, over the frames of a capture, with a
 * given number of configured ranges; and the time of one drain. Both
 * programs run in the same process, interleaved, so the ratio is taken
 * under the same conditions. Figures only: no pass/fail.
 *
 *   bench_xdp CAPTURE NRANGES [REPEAT (default 1000)]
 */
#include <errno.h>
#define PCAP_DONT_INCLUDE_PCAP_BPF_H /* its struct bpf_insn clashes with linux/bpf.h */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "config.h"
#include "drain.h"
#include "loader.h"
#include "trie.h"

#define SAMPLE 50

struct frame {
	unsigned char *data;
	uint32_t len;
};

static int load_frames(const char *path, struct frame **out, size_t *n)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t cap = 0;
	pcap_t *p = pcap_open_offline(path, errbuf);
	int r;

	if (!p) {
		fprintf(stderr, "bench: %s: %s\n", path, errbuf);
		return -1;
	}
	*n = 0;
	*out = NULL;
	while ((r = pcap_next_ex(p, &h, &d)) == 1) {
		if (h->caplen < 14)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 4096;
			*out = realloc(*out, cap * sizeof(**out));
		}
		(*out)[*n].data = malloc(h->caplen);
		memcpy((*out)[*n].data, d, h->caplen);
		(*out)[(*n)++].len = h->caplen;
	}
	pcap_close(p);
	return 0;
}

/* Ranges covering the capture's destinations, nested and scattered filler
 * around them, so that lookups walk real tables. Deterministic. */
static void make_ranges(struct xs_config *cfg, uint32_t nranges)
{
	static const char *const fixed[] = {
		"2001:db8:1::/64", "2001:db8::/32", "10.0.0.0/8", "10.10.10.0/24",
		"192.168.0.0/16", "198.18.0.0/15", "172.16.0.0/12", "2001:db8:ffff::/48",
	};
	char err[XS_ERR_LEN], name[64];
	uint32_t i, seed = 12345;

	for (i = 0; i < nranges; i++) {
		struct xs_prefix p = {};

		snprintf(name, sizeof(name), "r%u", i);
		if (i < sizeof(fixed) / sizeof(fixed[0])) {
			cidr_parse(fixed[i], &p, err, sizeof(err));
		} else if (i % 2) {
			seed = seed * 1103515245 + 12345;
			p.family = 4;
			p.len = 16 + (seed >> 8) % 17;
			p.addr[0] = 1 + (seed >> 16) % 223;
			seed = seed * 1103515245 + 12345;
			p.addr[1] = seed >> 8;
			p.addr[2] = seed >> 16;
			p.addr[3] = seed >> 24;
		} else {
			seed = seed * 1103515245 + 12345;
			p.family = 6;
			p.len = 48 + ((seed >> 8) % 2) * 16;
			p.addr[0] = 0x20;
			p.addr[1] = 0x01;
			p.addr[2] = 0x0d;
			p.addr[3] = 0xb8;
			p.addr[4] = (seed >> 12) % 4;
			p.addr[5] = seed >> 20;
			seed = seed * 1103515245 + 12345;
			p.addr[6] = seed >> 8;
			p.addr[7] = seed >> 16;
		}
		/* clear host bits */
		for (int b = p.len; b < (p.family == 4 ? 32 : 128); b++)
			p.addr[b / 8] &= ~(0x80 >> (b % 8));
		if (config_add_prefix(cfg, name, &p, err, sizeof(err))) {
			fprintf(stderr, "bench: %s\n", err);
			exit(1);
		}
	}
}

static int bare_pass_prog(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_XDP, "bench_pass", "GPL", insns, 2, NULL);
}

/* Mean ns per run over all frames, `repeat` runs of each. */
static double run_mix(int fd, const struct frame *f, size_t n, int repeat)
{
	double total = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f[i].data, .data_size_in = f[i].len,
			    .repeat = repeat);

		if (bpf_prog_test_run_opts(fd, &o)) {
			fprintf(stderr, "bench: test run: %s\n", strerror(errno));
			exit(1);
		}
		total += o.duration;
	}
	return total / n;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	struct xs_trie t4 = {}, t6 = {};
	struct xs_loader l;
	struct xs_config cfg;
	struct xs_drain d;
	struct frame *frames;
	char err[XS_ERR_LEN];
	double bare = 0, full = 0, t0, drain_ms;
	size_t n;
	int nranges, repeat, bare_fd, i, rounds = 3;
	const char *name;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_xdp CAPTURE NRANGES [REPEAT]\n");
		return 2;
	}
	nranges = atoi(argv[2]);
	repeat = argc > 3 ? atoi(argv[3]) : 1000;
	name = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1];
	if (load_frames(argv[1], &frames, &n) || !n)
		return 1;
	config_init(&cfg);
	make_ranges(&cfg, nranges);
	if (trie_init(&t4, 4) || trie_init(&t6, 6) || trie_build(&t4, &t6, &cfg)) {
		fprintf(stderr, "bench: building tries failed\n");
		return 1;
	}
	if (loader_open(&l, &t4, &t6, cfg.nranges, err, sizeof(err)) ||
	    loader_load(&l, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	bare_fd = bare_pass_prog();
	if (bare_fd < 0) {
		fprintf(stderr, "bench: loading XDP_PASS: %s\n", strerror(errno));
		return 1;
	}
	/*
	 * Two measurements. "mix": every frame of the capture once per round
	 * (repeat 1), so each run sees a different packet, as a NIC would;
	 * the duration then includes the test runner's per-call timer cost,
	 * which is the same for both programs. "sample": every (n/SAMPLE)-th
	 * frame with a high repeat count, the runner's overhead amortised.
	 * The kernel does two RCU grace periods per repeated call (it swaps
	 * the XDP dispatcher), so a repeated run of every frame would take
	 * an hour; hence the sample. Rounds interleave both programs so
	 * drift on a noisy machine hits both alike.
	 */
	for (i = 0; i < rounds; i++) {
		bare += run_mix(bare_fd, frames, n, 1);
		full += run_mix(loader_xdp_fd(&l), frames, n, 1);
	}
	bare /= rounds;
	full /= rounds;
	printf("xdp  %-16s ranges=%-5d frames=%zu repeat=1:      bare %5.1f ns/pkt, full %5.1f "
	       "ns/pkt, +%.1f ns, ratio %.2f\n", name, nranges, n, bare, full, full - bare,
	       full / bare);
	{
		size_t step = n > SAMPLE ? n / SAMPLE : 1, k, m = 0;
		struct frame *smp = calloc(SAMPLE + 1, sizeof(*smp));

		for (k = 0; k < n && m <= SAMPLE; k += step)
			smp[m++] = frames[k];
		bare = run_mix(bare_fd, smp, m, repeat);
		full = run_mix(loader_xdp_fd(&l), smp, m, repeat);
		printf("xdp  %-16s ranges=%-5d frames=%zu repeat=%d: bare %5.1f ns/pkt, full %5.1f "
		       "ns/pkt, +%.1f ns, ratio %.2f\n", name, nranges, m, repeat, bare, full,
		       full - bare, full / bare);
		free(smp);
	}
	printf("trie ranges=%d: v4 nodes %u, v6 nodes %u, v6 skips %u, kernel memory %.1f MiB\n",
	       nranges, t4.nnodes, t6.nnodes, t6.nskips,
	       loader_kernel_mem(&l.sizes, l.ncpus) / 1048576.0);

	if (drain_init(&d, loader_ctrs_fd(&l), loader_global_fd(&l), XS_SLOTS(cfg.nranges),
		       l.ncpus)) {
		fprintf(stderr, "bench: drain init failed\n");
		return 1;
	}
	drain_read(&d);
	t0 = now_ms();
	for (i = 0; i < 20; i++) {
		drain_read(&d);
		drain_commit(&d);
	}
	drain_ms = (now_ms() - t0) / 20;
	printf("drain ranges=%d slots=%u cpus=%d: %.2f ms per interval\n", nranges, d.nslots,
	       l.ncpus, drain_ms);
	drain_free(&d);
	close(bare_fd);
	loader_close(&l);
	trie_free(&t4);
	trie_free(&t6);
	config_free(&cfg);
	for (size_t k = 0; k < n; k++)
		free(frames[k].data);
	free(frames);
	return 0;
}
