// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/socket.h>
#include <linux/magic.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include "xdpscope.skel.h"
#include "loader.h"
#include "log.h"
#include "config.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* The maps of maps.h, as the object declares them: opened once (no
 * kernel needed), names kept for the life of the process. */
const char *const *loader_map_names(void)
{
	static const char *names[XS_MAPS_MAX + 1];
	static int done;
	struct xdpscope_bpf *k;
	struct bpf_map *m;
	int n = 0;

	if (done)
		return names;
	k = xdpscope_bpf__open();
	if (k) {
		bpf_object__for_each_map(m, k->obj)
			if (!bpf_map__is_internal(m) && n < XS_MAPS_MAX)
				names[n++] = strdup(bpf_map__name(m));
		xdpscope_bpf__destroy(k);
	}
	done = 1;
	return names;
}

static uint64_t round8(uint64_t n)
{
	return (n + 7) & ~7ULL;
}

static uint32_t nodes_entries(uint32_t nodes)
{
	return (nodes ? nodes : 1) * XS_TRIE_NODE_SIZE;
}

/* make_array() maps the skip records as one C array: no gap between them. */
_Static_assert(sizeof(struct xs_skip) % 8 == 0, "v6_skip values are not 8-byte multiples");

/* An array map needs at least one element, even with no skip. */
static uint32_t skip_records(uint32_t skips)
{
	return skips ? skips : 1;
}

/* Bytes of an mmap'able array: page-rounded. */
static uint64_t mmap_bytes(uint64_t bytes)
{
	return (bytes + 4095) & ~4095ULL;
}

/* Bytes of a trie table of packed u32 entries. */
static uint64_t table_bytes(uint64_t entries)
{
	return mmap_bytes(entries * 4);
}

void loader_sizes(struct xs_sizes *s, uint32_t nranges, const struct xs_trie *t4,
		  const struct xs_trie *t6)
{
	s->nranges = nranges;
	s->v4_nodes = t4->nnodes;
	s->v6_nodes = t6->nnodes;
	s->v6_skips = t6->nskips;
	s->mit_filters = 0;
}

uint64_t loader_kernel_mem(const struct xs_sizes *s, int ncpus)
{
	uint64_t tries = 2 * table_bytes(XS_TRIE_ROOT_SIZE) +
			 table_bytes(nodes_entries(s->v4_nodes)) +
			 table_bytes(nodes_entries(s->v6_nodes)) +
			 mmap_bytes((uint64_t)skip_records(s->v6_skips) * sizeof(struct xs_skip));
	uint64_t ctrs = mmap_bytes((uint64_t)XS_SLOTS(s->nranges) * sizeof(struct xs_counters) *
				   ncpus);
	uint64_t global = round8(sizeof(struct xs_global)) * ncpus;
	uint64_t cache = (uint64_t)XS_V6_CACHE_SIZE * round8(sizeof(struct xs_v6_cache_ent)) *
			 ncpus;

	const struct xs_sk_layout *k = &s->sk;
	uint64_t sk, mit, mf;

	/* Sketches off: every sketch map is a one-element placeholder. */
	if (k->nslots)
		sk = 2 * (mmap_bytes(skread_slots_bytes(k)) + mmap_bytes(skread_lite_bytes(k)) +
			  mmap_bytes(skread_pages_bytes(k)) + mmap_bytes(skread_regs_bytes(k))) +
		     mmap_bytes(2 * sizeof(struct xs_sk_ctl)) +
		     2ULL * k->stage_sets * sizeof(struct xs_stage_set) * ncpus +
		     2ULL * (k->flows ? k->flows : XS_FLOW_CHUNK) * sizeof(struct xs_flow) * ncpus;
	else
		sk = 5 * mmap_bytes(1) + sizeof(struct xs_stage_chunk) * ncpus +
		     sizeof(struct xs_flow_chunk) * ncpus;
	sk += 2 * (sizeof(struct xs_sk_cpu) + XS_SKF_BYTES) * ncpus;
	/* Mitigation: the filters, their per-CPU hits, the control word and
	 * (charged as filled) a trie node a filter. Off, its maps are
	 * one-element placeholders, left out as the figure was before. */
	mf = s->mit_filters;
	mit = mf ? mf * (round8(sizeof(struct xs_mit_filter)) + sizeof(struct xs_mit_stats) * ncpus +
			 64 + sizeof(struct xs_mit_key) + sizeof(struct xs_mit_set)) +
		   round8(sizeof(struct xs_mit_ctl)) : 0;
	return tries + ctrs + global + cache + sk + mit;
}

int loader_bpffs(char *err, size_t errlen)
{
	struct statfs st;

	if (statfs("/sys/fs/bpf", &st) == 0 && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mkdir("/sys/fs/bpf", 0755) && errno != EEXIST) {
		snprintf(err, errlen, "/sys/fs/bpf: cannot create the bpffs mount point: %s",
			 strerror(errno));
		return -errno;
	}
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
		int e = errno;

		snprintf(err, errlen, "/sys/fs/bpf: bpffs is not mounted and mounting it failed: %s%s",
			 strerror(e), e == EPERM ? " (run as root)" : "");
		return -e;
	}
	return 0;
}

int loader_perm_hint(int e, char *err, size_t errlen, const char *what)
{
	if (e == EPERM || e == EACCES)
		snprintf(err, errlen, "%s: %s (needs root, or CAP_BPF, CAP_PERFMON and "
			 "CAP_NET_ADMIN)", what, strerror(e));
	else
		snprintf(err, errlen, "%s: %s", what, strerror(e));
	return -e;
}

/* Create an mmap'able array of `elems` values of `value_size` bytes (a
 * multiple of 8, so the mapping is the values back to back), copy `src`
 * (NULL: zeros) into it and hand it to the object in place of the map it
 * declares. */
static int make_array(struct bpf_map *map, const void *src, uint32_t value_size, uint32_t elems,
		      void **mapped, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);
	size_t len = (size_t)elems * value_size;
	void *mem;
	int fd, e;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, bpf_map__name(map), 4, value_size, elems, &opts);
	if (fd < 0) {
		char what[64];

		snprintf(what, sizeof(what), "creating map %s", bpf_map__name(map));
		return loader_perm_hint(errno, err, errlen, what);
	}
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED) {
		e = errno;
		close(fd);
		snprintf(err, errlen, "mmap of map %s: %s", bpf_map__name(map), strerror(e));
		return -e;
	}
	if (src)
		memcpy(mem, src, len);
	if (bpf_map__reuse_fd(map, fd)) {
		e = errno;
		munmap(mem, len);
		close(fd);
		snprintf(err, errlen, "map %s: reuse failed: %s", bpf_map__name(map), strerror(e));
		return -e;
	}
	close(fd);
	*mapped = mem;
	return 0;
}

/* A trie table: `entries` u32 entries, two per 8-byte element. */
static int make_table(struct bpf_map *map, const uint32_t *src, uint32_t entries,
		      uint32_t **mapped, char *err, size_t errlen)
{
	void *mem;
	int e;

	e = make_array(map, src, 8, entries / 2, &mem, err, errlen);
	if (!e)
		*mapped = mem;
	return e;
}

int loader_open(struct xs_loader *l, const struct xs_trie *t4, const struct xs_trie *t6,
		uint32_t nranges, char *err, size_t errlen)
{
	int e;

	memset(l, 0, sizeof(*l));
	l->stats_fd = -1;
	epoch_init(&l->ep);
	l->ncpus = libbpf_num_possible_cpus();
	if (l->ncpus <= 0) {
		snprintf(err, errlen, "cannot count possible CPUs");
		return -EINVAL;
	}
	loader_sizes(&l->sizes, nranges, t4, t6);
	l->skel = xdpscope_bpf__open();
	if (!l->skel) {
		e = errno;
		snprintf(err, errlen, "opening the BPF object: %s", strerror(e));
		return -e;
	}
	/* The stage and the flow cache are per CPU: no need for their full
	 * size until sketches are on (loader_sketches). */
	e = bpf_map__set_max_entries(l->skel->maps.top_stage, 1);
	if (!e)
		e = bpf_map__set_max_entries(l->skel->maps.flow_cache, 1);
	if (e) {
		snprintf(err, errlen, "sizing maps top_stage and flow_cache: %s", strerror(-e));
		goto fail;
	}
	if (l->ncpus > XS_CTR_CPUS_MAX) {
		snprintf(err, errlen, "%d possible CPUs, expected at most %d", l->ncpus,
			 XS_CTR_CPUS_MAX);
		e = -E2BIG;
		goto fail;
	}
	l->skel->rodata->v6_cache_full = t6->max_len > 64;
	l->skel->rodata->ctr_slots = XS_SLOTS(nranges);
	l->skel->rodata->ctr_cpus = l->ncpus;
	/* libbpf creates it (with BTF, for bpftool); loader_load maps it. */
	l->ctrs_len = (size_t)XS_SLOTS(nranges) * l->ncpus;
	e = bpf_map__set_max_entries(l->skel->maps.range_ctrs, l->ctrs_len);
	if (e) {
		snprintf(err, errlen, "sizing map range_ctrs: %s", strerror(-e));
		goto fail;
	}
	l->v4_nodes_len = nodes_entries(t4->nnodes);
	l->v6_nodes_len = nodes_entries(t6->nnodes);
	e = make_table(l->skel->maps.v4_root, t4->root, XS_TRIE_ROOT_SIZE, &l->v4_root, err,
		       errlen);
	if (!e)
		e = make_table(l->skel->maps.v4_nodes, t4->nnodes ? t4->nodes : NULL,
			       l->v4_nodes_len, &l->v4_nodes, err, errlen);
	if (!e)
		e = make_table(l->skel->maps.v6_root, t6->root, XS_TRIE_ROOT_SIZE, &l->v6_root,
			       err, errlen);
	if (!e)
		e = make_table(l->skel->maps.v6_nodes, t6->nnodes ? t6->nodes : NULL,
			       l->v6_nodes_len, &l->v6_nodes, err, errlen);
	if (!e) {
		void *mem;

		l->v6_skip_len = skip_records(t6->nskips);
		e = make_array(l->skel->maps.v6_skip, t6->nskips ? t6->skips : NULL,
			       sizeof(struct xs_skip), l->v6_skip_len, &mem, err, errlen);
		if (!e)
			l->v6_skip = mem;
	}
	if (e)
		goto fail;
	return 0;
fail:
	loader_close(l);
	return e;
}

static int size_map(struct bpf_map *m, uint64_t entries, char *err, size_t errlen)
{
	int e;

	if (!entries)
		entries = 1;
	if (entries > UINT32_MAX) {
		snprintf(err, errlen, "map %s: %llu entries, expected at most %u (a smaller "
			 "stats.pages, top_buckets or hll_precision)", bpf_map__name(m),
			 (unsigned long long)entries, UINT32_MAX);
		return -E2BIG;
	}
	e = bpf_map__set_max_entries(m, entries);
	if (e)
		snprintf(err, errlen, "sizing map %s: %s", bpf_map__name(m), strerror(-e));
	return e;
}

int loader_sketches(struct xs_loader *l, const struct xs_sk_layout *sk, char *err,
		    size_t errlen)
{
	struct xdpscope_bpf *k = l->skel;
	int e, i;

	l->sizes.sk = *sk;
	if (!sk->nslots)
		return 0;
	e = size_map(k->maps.top_stage, 2ULL * sk->stage_sets / XS_STAGE_CHUNK, err, errlen);
	if (!e)
		e = size_map(k->maps.flow_cache,
			     2ULL * (sk->flows ? sk->flows : XS_FLOW_CHUNK) / XS_FLOW_CHUNK, err, errlen);
	if (!e)
		e = size_map(k->maps.sk_slots, 2ULL * sk->nslots, err, errlen);
	if (!e)
		e = size_map(k->maps.top_lite, 2ULL * sk->nslots * sk->ndims, err, errlen);
	if (!e)
		e = size_map(k->maps.top_pages, 2ULL * sk->pages * sk->ndims * sk->buckets, err,
			     errlen);
	/* The program indexes registers, not words, in 32 bits. */
	if (!e && (2ULL * sk->pages) << sk->hll_p > UINT32_MAX) {
		snprintf(err, errlen, "stats: %u pages of 2^%u registers, expected fewer "
			 "(a smaller stats.pages or hll_precision)", sk->pages, sk->hll_p);
		e = -E2BIG;
	}
	if (!e)
		e = size_map(k->maps.hll_regs, ((2ULL * sk->pages) << sk->hll_p) / 8, err, errlen);
	if (e)
		return e;
	k->rodata->sk_nslots = sk->nslots;
	k->rodata->sk_pages = sk->pages;
	k->rodata->sk_hll_p = sk->hll_p;
	k->rodata->sk_ndims = sk->ndims;
	k->rodata->sk_bucket_bits = __builtin_ctz(sk->buckets);
	k->rodata->sk_stage_bits = __builtin_ctz(sk->stage_sets);
	k->rodata->sk_flow_bits = sk->flows ? __builtin_ctz(sk->flows) : 0;
	k->rodata->sk_storm_flows = sk->storm_flows;
	k->rodata->sk_storm_sample = sk->storm_sample ? sk->storm_sample : 1;
	for (i = 0; i < XS_DIM_MAX; i++)
		k->rodata->sk_dim_pos[i] = sk->dim_pos[i];
	return 0;
}

int loader_mitigation(struct xs_loader *l, const struct xs_mitig_cfg *m, char *err,
		      size_t errlen)
{
	struct xdpscope_bpf *k = l->skel;
	size_t nallow4 = 0, nallow6 = 0, i;
	int e;

	if (!m->enabled)
		return 0;
	for (i = 0; i < m->nallow; i++)
		*(m->allow[i].family == 4 ? &nallow4 : &nallow6) += 1;
	e = size_map(k->maps.mit_filters, m->max_filters, err, errlen);
	if (!e)
		e = size_map(k->maps.mit_stats, m->max_filters, err, errlen);
	if (!e)
		e = size_map(k->maps.mit_dst, m->max_filters, err, errlen);
	if (!e)
		e = size_map(k->maps.mit_allow, nallow4 + nallow6, err, errlen);
	if (e)
		return e;
	if (m->nallow) {
		l->mit_allow = malloc(m->nallow * sizeof(*m->allow));
		if (!l->mit_allow) {
			set_err(err, errlen, "out of memory");
			return -ENOMEM;
		}
		memcpy(l->mit_allow, m->allow, m->nallow * sizeof(*m->allow));
		l->mit_nallow = m->nallow;
	}
	l->sizes.mit_filters = m->max_filters;
	l->mit_ttl_s = m->ttl_s;
	k->rodata->mit_on = 1;
	k->rodata->mit_dry = m->dry_run;
	k->rodata->mit_share_ppm = m->max_share >= 1 ? 1000000 : (__u32)(m->max_share * 1e6);
	l->mit_on = 1;
	return 0;
}

/* The filter table's handle, the allow list in place, and a mark that
 * `block` can see: mitigation is on. */
static int mitig_ready(struct xs_loader *l, char *err, size_t errlen)
{
	struct xdpscope_bpf *k = l->skel;
	struct xs_mit_ctl c = {};
	__u32 zero = 0;
	int e;

	e = mitig_init(&l->mit, bpf_map__fd(k->maps.mit_filters), bpf_map__fd(k->maps.mit_stats),
		       bpf_map__fd(k->maps.mit_dst), bpf_map__fd(k->maps.mit_ctl), NULL, err,
		       errlen);
	if (!e)
		e = mitig_allow_fill(bpf_map__fd(k->maps.mit_allow), l->mit_allow, l->mit_nallow,
				     err, errlen);
	if (e)
		return e;
	c.enabled = 1;
	c.ttl_s = l->mit_ttl_s;
	if (bpf_map_update_elem(bpf_map__fd(k->maps.mit_ctl), &zero, &c, BPF_ANY)) {
		e = -errno;
		set_err(err, errlen, "map mit_ctl: %s", strerror(-e));
		return e;
	}
	l->mit_ready = 1;
	return 0;
}

/* Once the object is loaded (by us or by libxdp): the counters' mapping
 * and the sketch epochs over the loaded maps. */
static int after_load(struct xs_loader *l, char *err, size_t errlen)
{
	size_t len = l->ctrs_len * sizeof(struct xs_counters);
	void *mem;
	int e;

	if (l->mit_on) {
		e = mitig_ready(l, err, errlen);
		if (e)
			return e;
	}

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		   bpf_map__fd(l->skel->maps.range_ctrs), 0);
	if (mem == MAP_FAILED) {
		int e = errno;

		snprintf(err, errlen, "mmap of map range_ctrs: %s", strerror(e));
		return -e;
	}
	l->ctrs = mem;
	if (!l->sizes.sk.nslots)
		return 0;
	return epoch_open(&l->ep, l->skel, &l->sizes.sk, l->ncpus, err, errlen);
}

int loader_load(struct xs_loader *l, char *err, size_t errlen)
{
	if (xdpscope_bpf__load(l->skel))
		return loader_perm_hint(errno, err, errlen, "loading the BPF object");
	return after_load(l, err, errlen);
}

int loader_load_one(struct xs_loader *l, int tc, char *err, size_t errlen)
{
	struct bpf_program *skip = tc ? l->skel->progs.xdpscope_xdp : l->skel->progs.xdpscope_tc;

	if (bpf_program__set_autoload(skip, false)) {
		snprintf(err, errlen, "%s: cannot leave out of the load", bpf_program__name(skip));
		return -EINVAL;
	}
	return loader_load(l, err, errlen);
}

static int is_our_prog_id(uint32_t id, const char *name)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	int fd, ours;

	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return errno == EPERM ? -EPERM : 0;
	ours = !bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, name);
	close(fd);
	return ours;
}

/* Our XDP program on ifindex, if any: legacy single program or one of the
 * dispatcher's. Returns a libxdp program to detach (caller closes mp), or
 * NULL. */
static struct xdp_program *find_our_xdp(int ifindex, struct xdp_multiprog **mpp)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *p;

	*mpp = NULL;
	if (!mp || libxdp_get_error(mp))
		return NULL;
	*mpp = mp;
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		if (p && !strcmp(xdp_program__name(p), XS_PROG_XDP))
			return p;
		return NULL;
	}
	for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp))
		if (!strcmp(xdp_program__name(p), XS_PROG_XDP))
			return p;
	return NULL;
}

static int our_tc_filter(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XS_TC_HANDLE, .priority = XS_TC_PRIO);

	if (bpf_tc_query(&hook, &opts))
		return 0;
	return is_our_prog_id(opts.prog_id, XS_PROG_TC);
}

/*
 * Interface names are per network namespace (every container has an eth0),
 * while bpffs is per mount: outside the initial network namespace the pin
 * directory carries the namespace's cookie, so two daemons on two "eth0"s
 * never share, refuse or remove each other's pins. The initial namespace
 * is the first one the kernel creates, so its cookie is 1 (SO_NETNS_COOKIE,
 * Linux 5.14; /proc/1/ns/net may be out of reach in a container).
 */
void loader_pin_dir(const char *ifname, char *buf, size_t len)
{
	uint64_t cookie = 0;
	socklen_t clen = sizeof(cookie);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd >= 0) {
		if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &clen))
			cookie = 0;
		close(fd);
	}
	if (cookie > 1)
		snprintf(buf, len, "%s/%s@netns%llu", XS_PIN_ROOT, ifname,
			 (unsigned long long)cookie);
	else
		snprintf(buf, len, "%s/%s", XS_PIN_ROOT, ifname);
}

int loader_check_free(const char *ifname, char *err, size_t errlen)
{
	struct xdp_multiprog *mp;
	char dir[PATH_MAX];
	struct stat st;
	int ifindex = if_nametoindex(ifname);
	int busy = 0;

	if (!ifindex) {
		snprintf(err, errlen, "%s: no such network interface", ifname);
		return -ENODEV;
	}
	loader_pin_dir(ifname, dir, sizeof(dir));
	if (find_our_xdp(ifindex, &mp))
		busy = 1;
	xdp_multiprog__close(mp);
	if (busy || our_tc_filter(ifindex) > 0 || stat(dir, &st) == 0) {
		snprintf(err, errlen, "%s: xdpscope is already attached (or left over from a crash: "
			 "run 'xdpscope detach -i %s')", ifname, ifname);
		return -EBUSY;
	}
	return 0;
}

static int pin_maps(struct xs_loader *l, char *err, size_t errlen)
{
	struct bpf_map *map;
	char path[PATH_MAX + 32];

	if (mkdir(XS_PIN_ROOT, 0700) && errno != EEXIST)
		return loader_perm_hint(errno, err, errlen, XS_PIN_ROOT);
	loader_pin_dir(l->ifname, l->pin_dir, sizeof(l->pin_dir));
	if (mkdir(l->pin_dir, 0700))
		return loader_perm_hint(errno, err, errlen, l->pin_dir);
	l->pinned = 1;
	bpf_object__for_each_map(map, l->skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", l->pin_dir, bpf_map__name(map));
		if (bpf_map__pin(map, path)) {
			snprintf(err, errlen, "pinning %s: %s", path, strerror(errno));
			return -errno;
		}
	}
	/* The daemon's changes to the filters (sweep, alerts, stop) take the
	 * lock `xdpscope block` takes: the pin directory. */
	if (l->mit_ready && l->mit.lock_fd < 0)
		l->mit.lock_fd = open(l->pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return 0;
}

static void remove_pins(const char *dir)
{
	char path[PATH_MAX + 300];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
	rmdir(XS_PIN_ROOT);	/* only succeeds when no other interface is ours */
}

static int attach_tc(struct xs_loader *l, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = l->ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XS_TC_HANDLE, .priority = XS_TC_PRIO,
		    .prog_fd = bpf_program__fd(l->skel->progs.xdpscope_tc));
	int e;

	e = bpf_tc_hook_create(&hook);
	if (e && e != -EEXIST)
		return loader_perm_hint(-e, err, errlen, "creating the clsact qdisc");
	l->tc_created_hook = !e;
	e = bpf_tc_attach(&hook, &opts);
	if (e)
		return loader_perm_hint(-e, err, errlen, "attaching the TC egress program");
	l->tc_attached = 1;
	return 0;
}

static void detach_tc(int ifindex, int destroy_hook)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XS_TC_HANDLE, .priority = XS_TC_PRIO);

	bpf_tc_detach(&hook, &opts);
	if (destroy_hook) {
		/* Destroying the egress hook removes the whole clsact qdisc;
		 * only do it when we created it and nobody else filters there. */
		LIBBPF_OPTS(bpf_tc_opts, any);
		LIBBPF_OPTS(bpf_tc_hook, both, .ifindex = ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);

		if (bpf_tc_query(&hook, &any) == -ENOENT) {
			LIBBPF_OPTS(bpf_tc_hook, ing, .ifindex = ifindex,
				    .attach_point = BPF_TC_INGRESS);
			LIBBPF_OPTS(bpf_tc_opts, any_in);

			if (bpf_tc_query(&ing, &any_in) == -ENOENT)
				bpf_tc_hook_destroy(&both);
		}
	}
}

static const char *mode_name(enum xdp_attach_mode m)
{
	switch (m) {
	case XDP_MODE_NATIVE:
		return "native";
	case XDP_MODE_SKB:
		return "generic";
	case XDP_MODE_HW:
		return "offload";
	default:
		return "unknown";
	}
}

static int attach_xdp(struct xs_loader *l, enum xs_xdp_mode mode, char *err, size_t errlen)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xopts, .obj = l->skel->obj,
			    .prog_name = XS_PROG_XDP);
	enum xdp_attach_mode xm = mode == XS_XDP_NATIVE ? XDP_MODE_NATIVE :
				  mode == XS_XDP_GENERIC ? XDP_MODE_SKB : XDP_MODE_NATIVE;
	struct xdp_multiprog *mp;
	char msg[256];
	int e;

	l->xdp_prog = xdp_program__create(&xopts);
	e = libxdp_get_error(l->xdp_prog);
	if (!l->xdp_prog || e) {
		l->xdp_prog = NULL;
		snprintf(err, errlen, "preparing the XDP program: %s", strerror(e ? -e : errno));
		return e ? e : -errno;
	}
	e = xdp_program__attach(l->xdp_prog, l->ifindex, xm, 0);
	if (e && mode == XS_XDP_AUTO) {
		log_debug("native XDP on %s failed (%s), trying generic", l->ifname,
			  strerror(-e));
		xm = XDP_MODE_SKB;
		e = xdp_program__attach(l->xdp_prog, l->ifindex, xm, 0);
	}
	if (e) {
		libxdp_strerror(e, msg, sizeof(msg));
		snprintf(err, errlen, "attaching the XDP program to %s (%s mode): %s%s", l->ifname,
			 mode_name(xm), msg, e == -EPERM || e == -EACCES ?
			 " (needs root, or CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)" : "");
		return e;
	}
	l->xdp_attached = 1;
	mp = xdp_multiprog__get_from_ifindex(l->ifindex);
	l->xdp_mode = mp && !libxdp_get_error(mp) ? mode_name(xdp_multiprog__attach_mode(mp)) :
						   mode_name(xm);
	xdp_multiprog__close(mp);
	return 0;
}

int loader_attach(struct xs_loader *l, const char *ifname, enum xs_xdp_mode mode, int egress,
		  char *err, size_t errlen)
{
	int e;

	snprintf(l->ifname, sizeof(l->ifname), "%s", ifname);
	l->ifindex = if_nametoindex(ifname);
	if (!l->ifindex) {
		snprintf(err, errlen, "%s: no such network interface", ifname);
		return -ENODEV;
	}
	e = attach_xdp(l, mode, err, errlen);
	if (!e)				/* libxdp loaded the object */
		e = after_load(l, err, errlen);
	if (!e && egress)
		e = attach_tc(l, err, errlen);
	if (!e)
		e = pin_maps(l, err, errlen);
	return e;
}

/*
 * libxdp finds what is attached by program id, and BPF_PROG_GET_FD_BY_ID
 * needs CAP_SYS_ADMIN, which the service does not have (CAP_BPF,
 * CAP_NET_ADMIN, CAP_PERFMON). With our program attached alone (no
 * dispatcher) the netlink detach by our own fd needs CAP_NET_ADMIN only,
 * and replaces nothing but our program.
 */
static int detach_own_xdp(struct xs_loader *l)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = loader_xdp_fd(l));
	__u32 flags = l->xdp_mode && !strcmp(l->xdp_mode, "generic") ? XDP_FLAGS_SKB_MODE :
								     XDP_FLAGS_DRV_MODE;

	return bpf_xdp_detach(l->ifindex, flags, &o);
}

void loader_close(struct xs_loader *l)
{
	/* Nothing keeps dropping when nothing watches: the filters go
	 * before the program does. */
	if (l->mit_ready && (l->xdp_attached || l->tc_attached)) {
		int n = mitig_clear(&l->mit);

		if (n > 0)
			log_info("mitigation: %d filter%s removed", n, n == 1 ? "" : "s");
	}
	if (l->mit_ready)
		mitig_close(&l->mit);
	free(l->mit_allow);
	if (l->xdp_prog) {
		if (l->xdp_attached) {
			struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(l->ifindex);
			enum xdp_attach_mode m = XDP_MODE_UNSPEC;

			if (mp && !libxdp_get_error(mp))
				m = xdp_multiprog__attach_mode(mp);
			xdp_multiprog__close(mp);
			if (xdp_program__detach(l->xdp_prog, l->ifindex, m, 0) &&
			    detach_own_xdp(l))
				log_warn("%s: detaching the XDP program failed", l->ifname);
			l->xdp_attached = 0;
		}
		xdp_program__close(l->xdp_prog);
		l->xdp_prog = NULL;
	}
	if (l->xdp_attached && !l->xdp_prog && detach_own_xdp(l))	/* loader_replace() */
		log_warn("%s: detaching the XDP program failed", l->ifname);
	if (l->tc_attached)
		detach_tc(l->ifindex, l->tc_created_hook);
	if (l->pinned)
		remove_pins(l->pin_dir);
	if (l->ctrs)
		munmap(l->ctrs, l->ctrs_len * sizeof(struct xs_counters));
	if (l->v4_root)
		munmap(l->v4_root, XS_TRIE_ROOT_SIZE * 4);
	if (l->v6_root)
		munmap(l->v6_root, XS_TRIE_ROOT_SIZE * 4);
	if (l->v4_nodes)
		munmap(l->v4_nodes, l->v4_nodes_len * 4);
	if (l->v6_nodes)
		munmap(l->v6_nodes, l->v6_nodes_len * 4);
	if (l->v6_skip)
		munmap(l->v6_skip, l->v6_skip_len * sizeof(struct xs_skip));
	if (l->stats_fd >= 0)
		close(l->stats_fd);
	epoch_close(&l->ep);
	xdpscope_bpf__destroy(l->skel);
	memset(l, 0, sizeof(*l));
	l->stats_fd = -1;
	epoch_init(&l->ep);
}

/* Wait until no program started before now still runs: updating an
 * array of maps returns after synchronize_rcu (kernel/bpf/syscall.c,
 * maybe_wait_bpf_programs). */
static int grace_period(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo);
	int inner, outer, e = 0;
	__u32 k = 0;

	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xs_grace_in", 4, 4, 1, NULL);
	if (inner < 0)
		return -errno;
	mo.inner_map_fd = inner;
	outer = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "xs_grace", 4, 4, 1, &mo);
	if (outer < 0 || bpf_map_update_elem(outer, &k, &inner, 0))
		e = -errno;
	if (outer >= 0)
		close(outer);
	close(inner);
	return e;
}

int loader_replace(struct xs_loader *nl, struct xs_loader *old, char *err, size_t errlen)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(old->ifindex);
	int legacy = mp && !libxdp_get_error(mp) && xdp_multiprog__is_legacy(mp), e;
	__u32 flags = !strcmp(old->xdp_mode, "generic") ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	LIBBPF_OPTS(bpf_xdp_attach_opts, xo, .old_prog_fd = loader_xdp_fd(old));

	xdp_multiprog__close(mp);
	if (!legacy) {
		snprintf(err, errlen, "%s: new ranges need the XDP program replaced in place, which "
			 "libxdp's dispatcher does not allow: restart the daemon", old->ifname);
		return -EOPNOTSUPP;
	}
	snprintf(nl->ifname, sizeof(nl->ifname), "%s", old->ifname);
	nl->ifindex = old->ifindex;
	e = loader_load(nl, err, errlen);
	if (e)
		return e;
	/* The filters go on in the new maps (mitigation settings cannot
	 * change without a restart: config_fixed_diff). */
	if (old->mit_ready && nl->mit_ready) {
		/* Held until old's table closes: a block command waits, then
		 * finds the new pins. */
		if (old->mit.lock_fd >= 0)
			flock(old->mit.lock_fd, LOCK_EX);
		e = mitig_copy(&nl->mit, &old->mit);
		if (e) {
			snprintf(err, errlen, "copying the mitigation filters: %s", strerror(-e));
			return e;
		}
	}
	/* Atomic: a packet meets the old program or the new one, never both
	 * nor neither. */
	if (bpf_xdp_attach(nl->ifindex, loader_xdp_fd(nl), flags, &xo)) {
		e = -errno;
		snprintf(err, errlen, "%s: replacing the XDP program: %s", nl->ifname, strerror(-e));
		return e;
	}
	nl->xdp_attached = 1;
	nl->xdp_mode = old->xdp_mode;
	old->xdp_attached = 0;
	if (old->tc_attached) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = nl->ifindex,
			    .attach_point = BPF_TC_EGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XS_TC_HANDLE, .priority = XS_TC_PRIO,
			    .prog_fd = loader_tc_fd(nl), .flags = BPF_TC_F_REPLACE);

		if (bpf_tc_attach(&hook, &opts)) {
			e = -errno;
			snprintf(err, errlen, "%s: replacing the TC program: %s", nl->ifname,
				 strerror(-e));
			return e;
		}
		nl->tc_attached = 1;
		nl->tc_created_hook = old->tc_created_hook;
		old->tc_attached = 0;
	}
	e = grace_period();
	if (e) {
		snprintf(err, errlen, "waiting for the old programs to finish: %s", strerror(-e));
		return e;
	}
	nl->stats_fd = old->stats_fd;
	old->stats_fd = -1;
	if (old->pinned) {
		remove_pins(old->pin_dir);
		old->pinned = 0;
	}
	return pin_maps(nl, err, errlen);
}

int loader_detach_ifname(const char *ifname, char *err, size_t errlen)
{
	struct xdp_multiprog *mp;
	struct xdp_program *p;
	char dir[PATH_MAX];
	struct stat st;
	int ifindex = if_nametoindex(ifname);
	int removed = 0, e;

	loader_pin_dir(ifname, dir, sizeof(dir));
	if (ifindex) {
		__u32 id = 0;

		/* Telling our programs from others takes BPF_PROG_GET_FD_BY_ID,
		 * which needs CAP_SYS_ADMIN: without it, say so rather than
		 * report a clean-up that did not happen. */
		if ((!bpf_xdp_query_id(ifindex, 0, &id) && id && is_our_prog_id(id, "") == -EPERM) ||
		    our_tc_filter(ifindex) == -EPERM) {
			snprintf(err, errlen, "%s: cannot tell whether the programs attached to it "
				 "are ours without CAP_SYS_ADMIN (run detach as root with all "
				 "capabilities)", ifname);
			return -EPERM;
		}
		p = find_our_xdp(ifindex, &mp);
		if (p) {
			if (xdp_multiprog__is_legacy(mp))
				e = xdp_multiprog__detach(mp);
			else
				e = xdp_program__detach(p, ifindex,
							xdp_multiprog__attach_mode(mp), 0);
			if (e) {
				xdp_multiprog__close(mp);
				return loader_perm_hint(-e, err, errlen, "detaching the XDP program");
			}
			removed++;
		}
		xdp_multiprog__close(mp);
		if (our_tc_filter(ifindex) > 0) {
			detach_tc(ifindex, 0);
			removed++;
		}
	}
	if (stat(dir, &st) == 0) {
		remove_pins(dir);
		removed++;
	}
	if (!ifindex && !removed) {
		snprintf(err, errlen, "%s: no such network interface and no pins in %s", ifname,
			 dir);
		return -ENODEV;
	}
	return removed;
}

int loader_enable_stats(struct xs_loader *l, char *err, size_t errlen)
{
	l->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (l->stats_fd < 0)
		return loader_perm_hint(errno, err, errlen, "enabling BPF run-time stats");
	return 0;
}

int loader_prog_stats(int prog_fd, uint64_t *run_ns, uint64_t *run_cnt, uint32_t *id)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	*run_ns = info.run_time_ns;
	*run_cnt = info.run_cnt;
	*id = info.id;
	return 0;
}

int loader_xdp_fd(const struct xs_loader *l)
{
	return bpf_program__fd(l->skel->progs.xdpscope_xdp);
}

int loader_tc_fd(const struct xs_loader *l)
{
	return bpf_program__fd(l->skel->progs.xdpscope_tc);
}

int loader_ctrs_fd(const struct xs_loader *l)
{
	return bpf_map__fd(l->skel->maps.range_ctrs);
}

int loader_global_fd(const struct xs_loader *l)
{
	return bpf_map__fd(l->skel->maps.global_ctrs);
}
