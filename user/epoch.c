// SPDX-License-Identifier: GPL-2.0
/*
 * The sketch epochs (epoch.h): the program writes the epoch xs_epoch in
 * .bss names; ending one flips it, waits until no program still writes
 * the old one, reads every CPU's stage of it; clearing it makes it ready
 * for its next turn.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "xdpscope.skel.h"
#include "epoch.h"
#include "loader.h"

/* Bytes of an mmap'able array: page-rounded. */
static uint64_t mmap_bytes(uint64_t bytes)
{
	return (bytes + 4095) & ~4095ULL;
}

void epoch_init(struct xs_epochs *x)
{
	memset(x, 0, sizeof(*x));
	x->sync_fd = x->sync_inner_fd = -1;
}

/* Map the sketch maps and make the grace-period helper: replacing the
 * element of an array of maps returns only after synchronize_rcu()
 * (kernel/bpf/syscall.c, maybe_wait_bpf_programs()), when every XDP and
 * TC program that started before has finished. */
int epoch_open(struct xs_epochs *x, struct xdpscope_bpf *skel, const struct xs_sk_layout *layout,
	       int ncpus, char *err, size_t errlen)
{
	const struct xs_sk_layout *sk = &x->sk;
	struct bpf_map *maps[5] = { skel->maps.sk_slots, skel->maps.top_lite,
				    skel->maps.top_pages, skel->maps.hll_regs, skel->maps.sk_ctl };
	size_t half[5] = { skread_slots_bytes(layout), skread_lite_bytes(layout),
			   skread_pages_bytes(layout), skread_regs_bytes(layout),
			   sizeof(struct xs_sk_ctl) };
	LIBBPF_OPTS(bpf_map_create_opts, mo);
	size_t zero_bytes;
	char *m[5];
	int i, ep;

	x->skel = skel;
	x->sk = *layout;
	x->ncpus = ncpus;
	for (i = 0; i < 5; i++) {
		m[i] = NULL;
		if (!half[i])		/* no dimension tracked: no top maps to read */
			continue;
		x->sk_lens[i] = mmap_bytes(2 * half[i]);
		x->sk_maps[i] = mmap(NULL, x->sk_lens[i], PROT_READ | PROT_WRITE, MAP_SHARED,
				     bpf_map__fd(maps[i]), 0);
		if (x->sk_maps[i] == MAP_FAILED) {
			x->sk_maps[i] = NULL;
			snprintf(err, errlen, "mapping %s: %s", bpf_map__name(maps[i]),
				 strerror(errno));
			return -errno;
		}
		m[i] = x->sk_maps[i];
	}
	for (ep = 0; ep < 2; ep++)
		x->sk_epoch[ep] = (struct xs_sk_epoch){
			.slots = (void *)(m[0] + ep * half[0]),
			.lite = (void *)(m[1] + ep * half[1]),
			.pages = (void *)(m[2] + ep * half[2]),
			.regs = (void *)(m[3] + ep * half[3]),
			.ctl = (void *)(m[4] + ep * half[4]),
		};
	/* The epoch through our own mapping of .bss: when libxdp loads the
	 * object, the skeleton's bss pointer still points at the copy it
	 * was loaded from, not at the map. */
	x->bss = mmap(NULL, mmap_bytes(sizeof(*x->skel->bss)), PROT_READ | PROT_WRITE,
		      MAP_SHARED, bpf_map__fd(x->skel->maps.bss), 0);
	if (x->bss == MAP_FAILED) {
		x->bss = NULL;
		snprintf(err, errlen, "mapping .bss: %s", strerror(errno));
		return -errno;
	}
	x->stage_vals = calloc((size_t)sk->stage_sets / XS_STAGE_CHUNK * x->ncpus,
			       sizeof(*x->stage_vals));
	/* A flow stages up to a key a dimension in each of its two slots. */
	x->stage = calloc(((size_t)sk->stage_sets * XS_STAGE_WAYS + XS_DIM_MAX +
			   (size_t)sk->flows * 2 * XS_DIM_MAX) * x->ncpus, sizeof(*x->stage));
	x->stage_tmp = calloc(((size_t)sk->stage_sets * XS_STAGE_WAYS + XS_DIM_MAX +
			       (size_t)sk->flows * 2 * XS_DIM_MAX) * x->ncpus, sizeof(*x->stage));
	if (sk->flows) {
		x->flow_vals = calloc((size_t)sk->flows / XS_FLOW_CHUNK * x->ncpus,
				      sizeof(*x->flow_vals));
		x->flow_keys = calloc(sk->flows / XS_FLOW_CHUNK, sizeof(*x->flow_keys));
		if (!x->flow_vals || !x->flow_keys) {
			snprintf(err, errlen, "allocating the flow buffers: %s", strerror(ENOMEM));
			return -ENOMEM;
		}
	}
	/* Keys of the whole epoch, or of every CPU's list of written sets. */
	x->stage_keys = calloc(sk->stage_sets + (size_t)x->ncpus * XS_DIRTY_MAX + 1,
			       sizeof(*x->stage_keys));
	x->cpu_vals = calloc(x->ncpus, sizeof(*x->cpu_vals));
	/* What epoch_clear() writes: zeros, never written, as large as an
	 * epoch of the stage or of the flow cache on every CPU. */
	zero_bytes = (size_t)sk->stage_sets * sizeof(struct xs_stage_set);
	if ((size_t)sk->flows * sizeof(struct xs_flow) > zero_bytes)
		zero_bytes = (size_t)sk->flows * sizeof(struct xs_flow);
	x->zeros = calloc(x->ncpus, zero_bytes);
	if (!x->stage_vals || !x->stage || !x->stage_tmp || !x->stage_keys || !x->cpu_vals ||
	    !x->zeros) {
		snprintf(err, errlen, "allocating the stage buffers: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	x->sync_inner_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xs_sync_inner", 4, 4, 1, NULL);
	mo.inner_map_fd = x->sync_inner_fd;
	if (x->sync_inner_fd >= 0)
		x->sync_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "xs_sync", 4, 4, 1, &mo);
	if (x->sync_inner_fd < 0 || x->sync_fd < 0)
		return loader_perm_hint(errno, err, errlen, "creating the epoch sync map");
	return 0;
}

/* The staged entries of one chunk, every CPU's copy (ncpus values). */
static void collect_chunk(struct xs_epochs *x, const struct xs_stage_chunk *percpu, size_t *n)
{
	int c, i, w;

	for (c = 0; c < x->ncpus; c++)
		for (i = 0; i < XS_STAGE_CHUNK; i++)
			for (w = 0; w < XS_STAGE_WAYS; w++)
				if (percpu[c].set[i].way[w].pkts)
					x->stage[(*n)++] = percpu[c].set[i].way[w];
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The staged counts of a flow (struct xs_flow): a key a tracked
 * dimension, in `in` of its destination's range and `out` of its
 * source's (once, as `in`, inside one range). */
static void flow_stage(struct xs_epochs *x, const struct xs_flow *f, size_t *n)
{
	uint32_t slots[2], ns = 0, i, sd;
	int d;

	if (f->dst_range)
		slots[ns++] = f->dst_range * XS_DIR_MAX + XS_DIR_IN;
	if (f->src_range && f->src_range != f->dst_range)
		slots[ns++] = f->src_range * XS_DIR_MAX + XS_DIR_OUT;
	for (i = 0; i < ns; i++) {
		if (slots[i] >= x->sk.nslots)		/* not ours: a corrupt entry */
			continue;
		for (d = 0; d < XS_DIM_MAX; d++) {
			struct xs_top_stage *t = &x->stage[*n];

			/* A flow holds no SYN (bpf/xdpscope.bpf.c). */
			if (x->sk.dim_pos[d] < 0 || d == XS_DIM_SYN ||
			    ((d == XS_DIM_DPORT || d == XS_DIM_SPORT) && !(f->kflags & XS_FLOW_PORTS)))
				continue;
			sd = XS_SD(slots[i], d);
			switch (d) {
			case XS_DIM_SRC:
				*t = (struct xs_top_stage){ f->src_hi, f->src_lo, 0, 0, sd };
				if (f->kflags & XS_FLOW_SRC_MAPPED)
					t->slotdim |= XS_SD_V6MAPPED;
				break;
			case XS_DIM_DST:
				*t = (struct xs_top_stage){ f->dst_hi, f->dst_lo, 0, 0, sd };
				if (f->kflags & XS_FLOW_DST_MAPPED)
					t->slotdim |= XS_SD_V6MAPPED;
				break;
			case XS_DIM_DPORT:
				*t = (struct xs_top_stage){ f->ports & 0xffff, 0, 0, 0, sd };
				break;
			default:
				*t = (struct xs_top_stage){ f->ports >> 16, 0, 0, 0, sd };
				break;
			}
			t->pkts = f->pkts;
			t->bytes = f->bytes;
			(*n)++;
		}
	}
}

/* Every CPU's flows of `epoch`, as staged counts into x->stage. */
static int read_flows(struct xs_epochs *x, uint32_t epoch, size_t *n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t chunks = x->sk.flows / XS_FLOW_CHUNK, prev = epoch * chunks - 1, out;
	uint32_t count = chunks, k;
	int c, i;

	if (!chunks)
		return 0;
	/* The batch starts after in_batch: the key before the epoch's first. */
	if (bpf_map_lookup_batch(bpf_map__fd(x->skel->maps.flow_cache), epoch ? &prev : NULL,
				 &out, x->flow_keys, x->flow_vals, &count, &opts) &&
	    errno != ENOENT)
		return -errno;
	for (k = 0; k < count; k++)
		for (c = 0; c < x->ncpus; c++)
			for (i = 0; i < XS_FLOW_CHUNK; i++) {
				const struct xs_flow *f =
					&x->flow_vals[(size_t)k * x->ncpus + c].f[i];

				if (f->pkts)
					flow_stage(x, f, n);
			}
	return 0;
}

/*
 * Every CPU's staged entries of `epoch`, into x->stage (sorted). The
 * chunks holding the sets the CPUs listed as written, one lookup each
 * (x->ndirty of them, keys in x->stage_keys, for epoch_clear); or,
 * when a CPU wrote more than it could list, the whole epoch in one batch
 * (x->ndirty = -1).
 */
static int read_stage(struct xs_epochs *x, uint32_t epoch, struct xs_sk_epoch *e)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int fd = bpf_map__fd(x->skel->maps.top_stage);
	uint32_t sets = x->sk.stage_sets, chunks = sets / XS_STAGE_CHUNK;
	uint32_t prev = epoch * chunks - 1, out, count = chunks, k, i;
	size_t n = 0, nd = 0;
	int c;

	memset(x->cpu_vals, 0, x->ncpus * sizeof(*x->cpu_vals));
	if (bpf_map_lookup_elem(bpf_map__fd(x->skel->maps.sk_cpu), &epoch, x->cpu_vals))
		return -errno;
	for (c = 0; c < x->ncpus; c++) {
		if (x->cpu_vals[c].ndirty > XS_DIRTY_MAX) {
			nd = (size_t)x->ncpus * XS_DIRTY_MAX + 1;
			break;
		}
		for (i = 0; i < x->cpu_vals[c].ndirty; i++)
			x->stage_keys[nd++] = epoch * chunks +
					      (x->cpu_vals[c].dirty[i] & (sets - 1)) / XS_STAGE_CHUNK;
	}
	if (nd <= (size_t)x->ncpus * XS_DIRTY_MAX) {
		qsort(x->stage_keys, nd, sizeof(*x->stage_keys), cmp_u32);
		for (i = 0, k = 0; i < nd; i++)
			if (!k || x->stage_keys[k - 1] != x->stage_keys[i])
				x->stage_keys[k++] = x->stage_keys[i];
		x->ndirty = k;
		for (i = 0; i < k; i++) {
			if (bpf_map_lookup_elem(fd, &x->stage_keys[i], x->stage_vals))
				return -errno;
			collect_chunk(x, x->stage_vals, &n);
		}
	} else {
		/* The batch starts after in_batch: the key before the epoch's first. */
		if (bpf_map_lookup_batch(fd, epoch ? &prev : NULL, &out, x->stage_keys,
					 x->stage_vals, &count, &opts) && errno != ENOENT)
			return -errno;
		for (k = 0; k < count; k++)
			collect_chunk(x, &x->stage_vals[(size_t)k * x->ncpus], &n);
		x->ndirty = -1;
	}
	for (c = 0; c < x->ncpus; c++)
		for (i = 0; i < XS_DIM_MAX; i++)
			if (x->cpu_vals[c].last[i].pkts)
				x->stage[n++] = x->cpu_vals[c].last[i];
	c = read_flows(x, epoch, &n);
	if (c)
		return c;
	skread_sort_stage(x->stage, n, x->stage_tmp);
	e->stage = x->stage;
	e->nstage = n;
	return 0;
}

struct xs_sk_epoch *epoch_flip(struct xs_epochs *x, int sync)
{
	uint32_t old, zero = 0;
	int e;

	if (!x->sk.nslots || !x->bss) {
		errno = EINVAL;
		return NULL;
	}
	/* xs_epoch numbers the epochs; its parity is the one written. */
	old = x->bss->xs_epoch;
	__atomic_store_n(&x->bss->xs_epoch, old + 1, __ATOMIC_SEQ_CST);
	old &= 1;
	if (sync && bpf_map_update_elem(x->sync_fd, &zero, &x->sync_inner_fd, BPF_ANY))
		return NULL;
	e = read_stage(x, old, &x->sk_epoch[old]);
	if (e) {
		errno = -e;
		return NULL;
	}
	return &x->sk_epoch[old];
}

/* Staged entries in the order stage_find() searches (slot and dimension),
 * then by key. */
static int stage_full_cmp(const void *pa, const void *pb)
{
	const struct xs_top_stage *a = pa, *b = pb;
	uint32_t x = a->slotdim & ~XS_SD_V6MAPPED, y = b->slotdim & ~XS_SD_V6MAPPED;

	if (x != y)
		return x < y ? -1 : 1;
	if (a->slotdim != b->slotdim)
		return a->slotdim < b->slotdim ? -1 : 1;
	if (a->khi != b->khi)
		return a->khi < b->khi ? -1 : 1;
	return a->klo < b->klo ? -1 : a->klo > b->klo;
}

/* The stage as read_stage() sized it. */
static size_t stage_cap(const struct xs_epochs *x)
{
	return ((size_t)x->sk.stage_sets * XS_STAGE_WAYS + XS_DIM_MAX +
		(size_t)x->sk.flows * 2 * XS_DIM_MAX) * x->ncpus;
}

/* read_stage() between flips leaves x->ndirty and the stage keys to the
 * next flip, which sets them again before epoch_clear() needs them. */
const struct xs_sk_epoch *epoch_peek(struct xs_epochs *x)
{
	const size_t sz = sizeof(struct xs_top_stage);
	uint32_t ep;
	size_t na, nb, i, j, k;

	if (!x->sk.nslots || !x->bss)
		return NULL;
	if (!x->peek_buf) {
		x->peek_buf = malloc(stage_cap(x) * sz);
		if (!x->peek_buf)
			return NULL;
	}
	ep = __atomic_load_n(&x->bss->xs_epoch, __ATOMIC_RELAXED) & 1;
	x->peek = x->sk_epoch[ep];
	if (read_stage(x, ep, &x->peek))
		return NULL;
	na = x->peek.nstage;
	memcpy(x->peek_buf, x->stage, na * sz);
	if (read_stage(x, ep, &x->peek))
		return NULL;
	nb = x->peek.nstage;
	qsort(x->peek_buf, na, sz, stage_full_cmp);
	qsort(x->stage, nb, sz, stage_full_cmp);
	for (i = j = k = 0; j < nb; j++) {
		while (i < na && stage_full_cmp(&x->peek_buf[i], &x->stage[j]) < 0)
			i++;
		if (i < na && !stage_full_cmp(&x->peek_buf[i], &x->stage[j]))
			x->stage[k++] = x->stage[j];
	}
	x->peek.nstage = k;
	return &x->peek;
}

int epoch_clear(struct xs_epochs *x, struct xs_sk_epoch *e)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t chunks = x->sk.stage_sets / XS_STAGE_CHUNK, count = chunks, k;
	uint32_t epoch = e == &x->sk_epoch[1];

	skread_clear(&x->sk, e);
	e->nstage = 0;
	if (x->ndirty < 0) {
		for (k = 0; k < chunks; k++)
			x->stage_keys[k] = epoch * chunks + k;
	} else {
		count = x->ndirty;	/* read_stage() left their keys */
	}
	if (count && bpf_map_update_batch(bpf_map__fd(x->skel->maps.top_stage), x->stage_keys,
					  x->zeros, &count, &opts))
		return -errno;
	memset(x->cpu_vals, 0, x->ncpus * sizeof(*x->cpu_vals));
	if (bpf_map_update_elem(bpf_map__fd(x->skel->maps.sk_cpu), &epoch, x->cpu_vals, 0))
		return -errno;
	count = x->sk.flows / XS_FLOW_CHUNK;
	if (!count)
		return 0;
	for (k = 0; k < count; k++)
		x->flow_keys[k] = epoch * count + k;
	if (bpf_map_update_batch(bpf_map__fd(x->skel->maps.flow_cache), x->flow_keys, x->zeros,
				 &count, &opts))
		return -errno;
	return 0;
}


void epoch_close(struct xs_epochs *x)
{
	int i;

	for (i = 0; i < 5; i++)
		if (x->sk_maps[i])
			munmap(x->sk_maps[i], x->sk_lens[i]);
	if (x->bss)
		munmap(x->bss, mmap_bytes(sizeof(*x->bss)));
	free(x->stage_vals);
	free(x->stage);
	free(x->stage_tmp);
	free(x->peek_buf);
	free(x->stage_keys);
	free(x->cpu_vals);
	free(x->flow_vals);
	free(x->flow_keys);
	free(x->zeros);
	if (x->sync_fd >= 0)
		close(x->sync_fd);
	if (x->sync_inner_fd >= 0)
		close(x->sync_inner_fd);
	epoch_init(x);
}
