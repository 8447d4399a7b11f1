// SPDX-License-Identifier: GPL-2.0
/*
 * bench_xdp: ns/packet of the full XDP program against a bare XDP_PASS
 * program under BPF_PROG_TEST_RUN, over the frames of a capture, with a
 * given number of configured ranges; and the time of one drain. Both
 * programs run in the same process, interleaved, so the ratio is taken
 * under the same conditions. Figures only: no pass/fail.
 *
 * "counters" is the program with sketches off, "full" with the default
 * stats config (every sketch on), so full - counters is the sketches' cost.
 *
 *   bench_xdp CAPTURE NRANGES [REPEAT (default 1000)]
 *
 * CAPTURE "flood:N" makes N TCP SYN frames in memory instead: random
 * sources (a spoofed flood) to 198.18.0.10:80, and every 100th frame from
 * one heavy hitter, 198.19.0.7. Then it also prints the sketches' accuracy
 * on that traffic: uniq_src against the exact count, and the heavy
 * hitter's top_src count against the truth.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
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
#include "skread.h"
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

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Ethernet + IPv4 + TCP SYN, 60 bytes, checksums left 0 (nobody checks). */
static void make_syn(unsigned char *f, uint32_t saddr, uint16_t sport)
{
	static const unsigned char tmpl[54] = {
		0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
		0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 0, 0, 0, 0, 198, 18, 0, 10,
		0, 0, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
	};

	memset(f, 0, 60);
	memcpy(f, tmpl, sizeof(tmpl));
	memcpy(f + 26, &saddr, 4);
	f[34] = sport >> 8;
	f[35] = sport;
}

#define HEAVY_SADDR 0x070013c6U	/* 198.19.0.7 as loaded on little-endian */

static void make_flood(size_t n, struct frame **out, uint64_t *heavy)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL, r;
	size_t i;

	*out = calloc(n, sizeof(**out));
	*heavy = 0;
	for (i = 0; i < n; i++) {
		(*out)[i].data = malloc(60);
		(*out)[i].len = 60;
		r = xorshift(&seed);
		if (i % 100 == 50) {
			make_syn((*out)[i].data, HEAVY_SADDR, 40000);
			++*heavy;
		} else {
			make_syn((*out)[i].data, (uint32_t)r, 1024 + (r >> 40) % 60000);
		}
	}
}

/* Exact distinct sources of the flood (sort the addresses). */
static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t flood_distinct(const struct frame *f, size_t n)
{
	uint32_t *a = malloc(n * sizeof(*a));
	uint64_t d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		memcpy(&a[i], f[i].data + 26, 4);
	qsort(a, n, sizeof(*a), cmp_u32);
	for (i = 0; i < n; i++)
		d += !i || a[i] != a[i - 1];
	free(a);
	return d;
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

struct worker {
	int fd, cpu;
	const struct frame *f;
	size_t n;
};

/* One CPU's share of the flood: every frame whose index is cpu mod ncpus. */
static void *work(void *arg)
{
	struct worker *w = arg;
	cpu_set_t set;
	size_t i;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	for (i = w->cpu; i < w->n; i += libbpf_num_possible_cpus())
		run_mix(w->fd, &w->f[i], 1, 1);
	return NULL;
}

/* The flood through the full program, one thread pinned to each CPU at
 * once (the shared sketch maps see real concurrency), or in one thread;
 * then its sketches against the truth. */
static void flood_pass(struct xs_loader *l, const struct xs_sk_layout *sk,
		       const struct frame *f, size_t n, uint64_t heavy, int threads);

static void flood_accuracy(struct xs_loader *l, const struct xs_sk_layout *sk,
			   const struct frame *f, size_t n, uint64_t heavy)
{
	flood_pass(l, sk, f, n, heavy, 0);
	flood_pass(l, sk, f, n, heavy, 1);
}

static void flood_pass(struct xs_loader *l, const struct xs_sk_layout *sk,
		       const struct frame *f, size_t n, uint64_t heavy, int threads)
{
	uint64_t exact = flood_distinct(f, n), max = 0, hh = 0;
	struct xs_sk_epoch *e;
	struct xs_skread r;
	uint32_t slot, best = 0;
	size_t i;

	if (threads) {
		int c, ncpu = libbpf_num_possible_cpus();
		struct worker *w = calloc(ncpu, sizeof(*w));
		pthread_t *t = calloc(ncpu, sizeof(*t));

		for (c = 0; c < ncpu; c++) {
			w[c] = (struct worker){ .fd = loader_xdp_fd(l), .cpu = c, .f = f, .n = n };
			pthread_create(&t[c], NULL, work, &w[c]);
		}
		for (c = 0; c < ncpu; c++)
			pthread_join(t[c], NULL);
		free(w);
		free(t);
	} else {
		run_mix(loader_xdp_fd(l), f, n, 1);
	}
	e = epoch_flip(&l->ep, 0);
	if (!e || skread_init(&r, sk))
		return;
	for (slot = 2; slot < sk->nslots; slot++) {
		if (e->slots[slot].page || e->slots[slot].hashes[0]) {
			skread_slot(&r, e, slot);
			if (r.res.uniq_src > max) {
				max = r.res.uniq_src;
				best = slot;
			}
		}
	}
	skread_slot(&r, e, best);
	for (i = 0; i < r.res.ntop[XS_DIM_SRC]; i++)
		if (!memcmp(r.res.top[XS_DIM_SRC][i].key + 12, "\xc6\x13\x00\x07", 4))
			hh = r.res.top[XS_DIM_SRC][i].pkts;
	printf("sketch flood of %zu frames, %s: uniq_src %llu, exact %llu, error %+.2f%%; heavy "
	       "hitter (1%%) top_src %llu, exact %llu, overcount %.3f%% of the range's packets; "
	       "%llu races\n", n, threads ? "every CPU at once" : "one CPU",
	       (unsigned long long)r.res.uniq_src, (unsigned long long)exact,
	       100.0 * ((double)r.res.uniq_src - exact) / exact, (unsigned long long)hh,
	       (unsigned long long)heavy, 100.0 * ((double)hh - heavy) / n,
	       (unsigned long long)e->ctl->races);
	epoch_clear(&l->ep, e);
	skread_free(&r);
}

int main(int argc, char **argv)
{
	struct xs_trie t4 = {}, t6 = {};
	struct xs_loader l, lc;
	struct xs_sk_layout sk;
	struct xs_config cfg;
	uint64_t heavy = 0;
	struct xs_drain d;
	struct frame *frames;
	char err[XS_ERR_LEN];
	double bare = 0, ctrs = 0, full = 0, t0, t, drain_ms;
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
	if (!strncmp(argv[1], "flood:", 6)) {
		n = strtoul(argv[1] + 6, NULL, 10);
		make_flood(n, &frames, &heavy);
	} else if (load_frames(argv[1], &frames, &n)) {
		return 1;
	}
	if (!n)
		return 1;
	config_init(&cfg);
	make_ranges(&cfg, nranges);
	if (trie_init(&t4, 4) || trie_init(&t6, 6) || trie_build(&t4, &t6, &cfg)) {
		fprintf(stderr, "bench: building tries failed\n");
		return 1;
	}
	skread_layout(&sk, &cfg.stats, XS_SLOTS(cfg.nranges));
	if (loader_open(&l, &t4, &t6, cfg.nranges, err, sizeof(err)) ||
	    loader_sketches(&l, &sk, err, sizeof(err)) || loader_load(&l, err, sizeof(err)) ||
	    loader_open(&lc, &t4, &t6, cfg.nranges, err, sizeof(err)) ||
	    loader_load(&lc, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	if (heavy)
		flood_accuracy(&l, &sk, frames, n, heavy);
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
		ctrs += run_mix(loader_xdp_fd(&lc), frames, n, 1);
		full += run_mix(loader_xdp_fd(&l), frames, n, 1);
	}
	bare /= rounds;
	ctrs /= rounds;
	full /= rounds;
	printf("xdp  %-16s ranges=%-5d frames=%zu repeat=1:      bare %5.1f ns/pkt, counters "
	       "%5.1f, full %5.1f ns/pkt (sketches +%.1f ns), ratio full/bare %.2f\n", name,
	       nranges, n, bare, ctrs, full, full - ctrs, full / bare);
	{
		size_t step = n > SAMPLE ? n / SAMPLE : 1, k, m = 0;
		struct frame *smp = calloc(SAMPLE + 1, sizeof(*smp));

		for (k = 0; k < n && m <= SAMPLE; k += step)
			smp[m++] = frames[k];
		bare = run_mix(bare_fd, smp, m, repeat);
		ctrs = run_mix(loader_xdp_fd(&lc), smp, m, repeat);
		full = run_mix(loader_xdp_fd(&l), smp, m, repeat);
		printf("xdp  %-16s ranges=%-5d frames=%zu repeat=%d: bare %5.1f ns/pkt, counters "
		       "%5.1f, full %5.1f ns/pkt (sketches +%.1f ns), ratio full/bare %.2f\n", name,
		       nranges, m, repeat, bare, ctrs, full, full - ctrs, full / bare);
		free(smp);
	}
	{
		/* The sketches' shared part is the difference on one CPU; what
		 * each further CPU adds is the stage. */
		double full1 = loader_kernel_mem(&l.sizes, 1), ctr1 = loader_kernel_mem(&lc.sizes, 1);
		double per_cpu = loader_kernel_mem(&l.sizes, 2) - full1 -
				 (loader_kernel_mem(&lc.sizes, 2) - ctr1);

		printf("memory ranges=%d: v4 nodes %u, v6 nodes %u, v6 skips %u; kernel memory of "
		       "the default config %.1f MiB on %d CPUs (counters only: %.1f MiB); the "
		       "sketches: %.1f MiB shared whatever the CPU count (%u pages, 2^%u "
		       "registers, %u top buckets) + %.2f MiB a CPU (the flow cache and the stage)\n",
		       nranges, t4.nnodes, t6.nnodes, t6.nskips,
		       loader_kernel_mem(&l.sizes, l.ncpus) / 1048576.0, l.ncpus,
		       loader_kernel_mem(&lc.sizes, l.ncpus) / 1048576.0,
		       (full1 - ctr1 - per_cpu) / 1048576.0, sk.pages, sk.hll_p, sk.buckets,
		       per_cpu / 1048576.0);
	}

	if (drain_init(&d, l.ctrs, loader_global_fd(&l), XS_SLOTS(cfg.nranges), l.ncpus)) {
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
	/* The worst case: every slot moved on every CPU since the last read
	 * (written here through the mapping, as the program would). */
	for (i = 0, t = 0; i < 20; i++) {
		struct xs_counters *c = l.ctrs;
		size_t k;

		for (k = 0; k < l.ctrs_len; k++)
			c[k].udp.pkts++;
		t0 = now_ms();
		drain_read(&d);
		drain_commit(&d);
		t += now_ms() - t0;
	}
	printf("drain ranges=%d slots=%u cpus=%d: %.2f ms per interval with every slot "
	       "moving, %.2f ms when none does\n", nranges, d.nslots, l.ncpus, t / 20, drain_ms);
	drain_free(&d);
	close(bare_fd);
	loader_close(&l);
	loader_close(&lc);
	trie_free(&t4);
	trie_free(&t6);
	config_free(&cfg);
	for (size_t k = 0; k < n; k++)
		free(frames[k].data);
	free(frames);
	return 0;
}
