// SPDX-License-Identifier: GPL-2.0
/*
 * bench_xdp: ns/packet of the full XDP program against a bare XDP_PASS
 * program under BPF_PROG_TEST_RUN, over the frames of a capture, with a
 * given number of configured ranges; and the time of one drain. Both
 * programs run in the same process, interleaved, so the ratio is taken
 * under the same conditions. Figures only: no pass/fail.
 *
 *   bench_xdp CAPTURE NRANGES [REPEAT]
 */
#include <errno.h>
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

	if (argc < 3) {
		fprintf(stderr, "usage: bench_xdp CAPTURE NRANGES [REPEAT]\n");
		return 2;
	}
	nranges = atoi(argv[2]);
	repeat = argc > 3 ? atoi(argv[3]) : 50;
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
	/* Interleave rounds so drift on a noisy machine hits both alike. */
	for (i = 0; i < rounds; i++) {
		bare += run_mix(bare_fd, frames, n, repeat);
		full += run_mix(loader_xdp_fd(&l), frames, n, repeat);
	}
	bare /= rounds;
	full /= rounds;
	printf("xdp  capture=%s frames=%zu ranges=%d v4_nodes=%u v6_nodes=%u: bare %.1f ns/pkt, "
	       "full %.1f ns/pkt, ratio %.2f\n", strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 :
	       argv[1], n, nranges, t4.nnodes, t6.nnodes, bare, full, full / bare);

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
