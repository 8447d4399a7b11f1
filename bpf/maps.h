/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every map of the xdpscope object. The four root and node maps hold two
 * u32 trie entries per __u64 element, v6_skip one struct xs_skip per
 * element (include/xdpscope.h). max_entries values here are placeholders:
 * the loader sets the real sizes from the config between open and load
 * (user/loader.c), and pins the maps under /sys/fs/bpf/xdpscope/<ifname>/
 * by these names.
 */
#ifndef XS_MAPS_H
#define XS_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdpscope.h"

/* IPv4 classifier root: first 16 address bits -> range id or child node. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XS_TRIE_ROOT_SIZE / 2);
	__type(key, __u32);
	__type(value, __u64);
} v4_root SEC(".maps");

/* IPv4 classifier nodes: node * 256 + next address byte -> entry. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XS_TRIE_NODE_SIZE / 2);
	__type(key, __u32);
	__type(value, __u64);
} v4_nodes SEC(".maps");

/* IPv6 classifier root: first 16 address bits -> range id or child node. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XS_TRIE_ROOT_SIZE / 2);
	__type(key, __u32);
	__type(value, __u64);
} v6_root SEC(".maps");

/* IPv6 classifier nodes: node * 256 + next address byte -> entry. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XS_TRIE_NODE_SIZE / 2);
	__type(key, __u32);
	__type(value, __u64);
} v6_nodes SEC(".maps");

/* IPv6 compressed chains: skip index -> bytes to match, next entry, miss. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xs_skip);
} v6_skip SEC(".maps");

/* IPv6 classification cache, per CPU: hash of the address -> entry. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XS_V6_CACHE_SIZE);
	__type(key, __u32);
	__type(value, struct xs_v6_cache_ent);
} v6_cache SEC(".maps");

/* Per (range, direction) counters, slot = range id * 2 + dir, a copy per
 * CPU: element cpu * slots + slot (include/xdpscope.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, XS_SLOTS(1));
	__type(key, __u32);
	__type(value, struct xs_counters);
} range_ctrs SEC(".maps");

/* Whole-program counters: totals, non-IP, parse errors. One entry. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xs_global);
} global_ctrs SEC(".maps");

/*
 * Sketch maps (include/xdpscope.h, Sketches): shared, mmap-able arrays
 * holding two epochs back to back. Sizes come from the config.
 */

/* Lite tier: (epoch, slot) -> distinct-source hashes and pool page. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xs_sk_slot);
} sk_slots SEC(".maps");

/* Lite tier: ((epoch, slot), dimension) -> one top bucket. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xs_top_bucket);
} top_lite SEC(".maps");

/* Pages: ((epoch, page), dimension, bucket) -> Space-Saving top bucket. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xs_top_bucket);
} top_pages SEC(".maps");

/* Pages: (epoch, page) -> 2^p HyperLogLog registers, eight a u64. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hll_regs SEC(".maps");

/* Per CPU: (epoch, hash of slot, dimension, key) -> a chunk of sets of
 * staged counts. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct xs_stage_chunk);
} top_stage SEC(".maps");

/* Per CPU: (epoch, hash of source, destination, ports) -> a chunk of
 * flows (include/xdpscope.h, the flow cache). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct xs_flow_chunk);
} flow_cache SEC(".maps");

/* How sketch_slot() takes a packet or a flow. */
enum xs_sk_mode {
	XS_SKM_PKT = 0,			/* every dimension, distinct sources */
	XS_SKM_FLOW,			/* a flow's counts: every dimension */
	XS_SKM_NEW,			/* a flow's first packet: distinct sources */
	XS_SKM_STORM,			/* a storm's sample: every dimension times
					 * weight, distinct sources */
};

/* What the sketches need of a packet or a flow. Addresses are the 16
 * bytes as two native-endian words, IPv4 as ::ffff:a.b.c.d; src_sd and
 * dst_sd are XS_SD_V6MAPPED for an IPv6 ::ffff:a.b.c.d, else 0; src_tag
 * is the source's xs_stage_tag() (set before a mode that counts
 * distinct sources). weight: set by a storm only, sk_storm_sample when
 * this packet is the one sampled, else 0 (and then only its source is
 * counted: storm_distinct()). syn: a TCP SYN without ACK while the SYN
 * hosts' list is tracked (0 when it is not). rng, storm_seq and storm_dst (the last
 * destination whose range a storm sampled on this CPU, in epoch
 * storm_seq - 1): the CPU's own state, which the per-packet fields
 * leave alone. */
struct xs_skf {
	__u64 src_hi, src_lo, dst_hi, dst_lo;
	__u64 src_tag;
	__u64 bytes;
	__u32 pkts;
	__u32 epoch;			/* xs_epoch & 1 */
	__u32 sport, dport;		/* host order, when has_ports */
	__u32 has_ports;
	__u32 src_sd, dst_sd;
	__u32 mode;			/* enum xs_sk_mode */
	__u32 syn;			/* a TCP SYN without ACK (XS_DIM_SYN) */
	__u32 pad;
	__u32 weight;
	__u32 storm_seq;		/* xs_epoch + 1 while storm_dst is in a storm */
	__u64 rng;
	__u64 storm_dst_hi, storm_dst_lo;
};

_Static_assert(sizeof(struct xs_skf) == XS_SKF_BYTES, "xs_skf: the loader counts its size");

/* Per CPU: the sketch facts of the packet and of a flow being moved
 * (struct xs_skf above), kept off the BPF stack, which a call
 * chain of the program shares (512 bytes). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct xs_skf);
} sk_scratch SEC(".maps");

/* Per CPU and epoch: keys seen once moved out of the stage. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct xs_sk_cpu);
} sk_cpu SEC(".maps");

/* Per epoch: pages handed out, refusals, lost races. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct xs_sk_ctl);
} sk_ctl SEC(".maps");

/*
 * Mitigation maps (include/xdpscope.h, Mitigation; bpf/mitigate.h). The
 * loader sizes them from the config's max_filters and allow list.
 */

/* Filter slot -> the filter (shared: the rate limit's clock is one). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xs_mit_filter);
} mit_filters SEC(".maps");

/* Per CPU: filter slot -> what it matched, dropped, spared. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xs_mit_stats);
} mit_stats SEC(".maps");

/* Destination prefix -> the filters that cover it, longest first. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1);
	__type(key, struct xs_mit_key);
	__type(value, struct xs_mit_set);
} mit_dst SEC(".maps");

/* Source prefixes never dropped (the config's allow list). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1);
	__type(key, struct xs_mit_key);
	__type(value, __u32);
} mit_allow SEC(".maps");

/* Element 0: live filters, next id, refused adds. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xs_mit_ctl);
} mit_ctl SEC(".maps");

#endif /* XS_MAPS_H */
