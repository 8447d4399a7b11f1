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

#endif /* XS_MAPS_H */
