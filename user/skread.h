/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading one epoch of the kernel's sketch maps (include/xdpscope.h,
 * Sketches) into per-slot results: the distinct-source estimate (lite
 * hashes united with the page's HyperLogLog registers) and the top-K
 * lists (lite and page entries of a key added up). Works on plain memory
 * (the mmap'd maps, or buffers in tests): no libbpf.
 */
#ifndef XS_SKREAD_H
#define XS_SKREAD_H

#include <stddef.h>
#include <stdint.h>
#include "xdpscope.h"
#include "sketch.h"

/* The sizes the maps were made with (one epoch's worth). */
struct xs_sk_layout {
	uint32_t nslots;
	uint32_t pages;
	uint32_t hll_p;
	uint32_t ndims;
	uint32_t buckets;		/* a power of 2 */
	uint32_t stage_sets;		/* a power of 2 */
	uint32_t flows;			/* flow cache entries a CPU and epoch, 0 or a power of 2 */
	uint32_t storm_flows;
	uint32_t storm_sample;
	int32_t dim_pos[XS_DIM_MAX];	/* position among the tracked, -1: not tracked */
	uint32_t top_k;
	int export_sketches;
};

/* One epoch's regions. regs: pages << hll_p register bytes (the kernel
 * packs eight registers a u64, register r in byte r & 7 of word r >> 3,
 * which on a little-endian machine is byte r of the region). */
struct xs_sk_epoch {
	struct xs_sk_slot *slots;		/* nslots */
	struct xs_top_bucket *lite;		/* nslots * ndims */
	struct xs_top_bucket *pages;		/* pages * ndims * buckets */
	uint8_t *regs;
	struct xs_sk_ctl *ctl;
	const struct xs_top_stage *stage;	/* what every CPU still had staged, */
	size_t nstage;				/* sorted by slot, then dimension */
};

/* Sort staged entries as skread_slot() wants them, through tmp (room for
 * n entries; NULL: qsort). */
void skread_sort_stage(struct xs_top_stage *st, size_t n, struct xs_top_stage *tmp);

struct xs_sk_result {
	uint64_t uniq_src;
	int uniq_lower_bound;			/* the pool was empty: at least this */
	uint32_t top_sampled;			/* a storm: top counts sampled 1 in this */
	size_t ntop[XS_DIM_MAX];
	struct xs_top_item top[XS_DIM_MAX][XS_TOP_K_MAX];
	uint64_t total[XS_DIM_MAX];		/* packets over every entry, not only the top */
	size_t keys[XS_DIM_MAX];		/* keys seen (entries merged by key) */
	char *hll_b64;				/* export_sketches: hll_export() */
	/* The distinct-source sketch itself, for merging elsewhere (the
	 * ClickHouse sink): the lite hashes, and with a page the registers
	 * (2^hll_p bytes, lite hashes included; NULL without a page). */
	uint64_t lite[XS_LITE_HASHES];
	const uint8_t *regs;
	uint64_t torn;				/* entries whose key lost a race */
};

struct xs_skread {
	struct xs_sk_layout l;
	struct xs_hll hll;
	struct xs_top_agg agg;
	struct xs_sk_result res;
};

struct xs_stats_cfg;

/* The layout of a config's sketches for `nslots` slots (off: nslots 0). */
void skread_layout(struct xs_sk_layout *l, const struct xs_stats_cfg *st, uint32_t nslots);

/* Bytes of each region of one epoch. */
size_t skread_slots_bytes(const struct xs_sk_layout *l);
size_t skread_lite_bytes(const struct xs_sk_layout *l);
size_t skread_pages_bytes(const struct xs_sk_layout *l);
size_t skread_regs_bytes(const struct xs_sk_layout *l);

int skread_init(struct xs_skread *r, const struct xs_sk_layout *l);
void skread_free(struct xs_skread *r);

/* The sketches of one slot into r->res (valid until the next call). 0 or
 * -ENOMEM. */
int skread_slot(struct xs_skread *r, const struct xs_sk_epoch *e, uint32_t slot);

/* A top item's key (XS_TOP_KEY_LEN bytes) as text: the port of a port
 * list, else the address: IPv4 as a.b.c.d, the IPv6 address
 * ::ffff:a.b.c.d as that (key[16]). buf of INET6_ADDRSTRLEN at least. */
const char *skread_key_str(int dim, const uint8_t *key, char *buf, size_t len);
/* A port list's key as the number. */
uint16_t skread_key_port(const uint8_t *key);

/* Zero what the epoch's writers touched, ready for its next turn. */
void skread_clear(const struct xs_sk_layout *l, struct xs_sk_epoch *e);

#endif /* XS_SKREAD_H */
