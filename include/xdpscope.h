/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xdpscope kernel/user ABI: the one definition of every struct, key layout
 * and limit shared by the BPF object and the daemon. Only <linux/types.h>
 * types; largest fields first; layouts pinned with static asserts below.
 *
 * Counter slots: the per-CPU array "range_ctrs" holds one struct
 * xs_counters per (range id, direction), at index range_id * 2 + dir.
 * Range id 0 is not a configured range: slot 0 collects the IP packets
 * that matched no range ("unmatched"), slot 1 is unused. Configured
 * ranges are numbered from 1.
 *
 * Classifier: a multibit trie over plain array maps (DIR-16-8-8 for IPv4,
 * a 16-bit root then 8-bit strides for IPv6). The root map has 65536
 * entries indexed by the address's first 16 bits; a node holds 256
 * entries indexed by the next address byte. An entry is either a range id
 * (0: no range covers these addresses) or, with XS_TRIE_CHILD set, the
 * index of the child node that refines it. Shorter prefixes are pushed
 * down into child nodes when the trie is built, so a walk stops at the
 * first plain entry (no flag bit) and that entry is the longest match.
 *
 * IPv6 only: an entry with XS_TRIE_SKIP set (and XS_TRIE_CHILD clear) is
 * the index of a struct xs_skip in "v6_skip", standing for a chain of
 * nodes that each hold one value for all but one byte. A /64 alone would
 * otherwise cost six node reads below the root; as a skip it costs one.
 * The walk compares the next `len` address bytes with `bytes`: any
 * difference ends it with `miss`, a match consumes the `len` bytes and
 * continues with `next` (a value, a child or another skip). Range ids and
 * node and skip indexes stay below XS_TRIE_SKIP, so the two flag bits
 * never collide with them. IPv4 tables hold no skips.
 *
 * The kernel rounds array-map values up to 8 bytes, so the trie maps store
 * two u32 entries per __u64 element: entry i is the (i & 1)-th u32 of
 * element i / 2, and the maps hold the packed u32 arrays byte for byte.
 */
#ifndef XDPSCOPE_H
#define XDPSCOPE_H

#include <linux/types.h>

#ifndef MAX_RANGES
#define MAX_RANGES (1U << 20)		/* configured ranges, ids 1..MAX_RANGES */
#endif
#ifndef MAX_TRIE_NODES
#define MAX_TRIE_NODES (1U << 20)	/* nodes per family (256 entries each) */
#endif
#define XS_TRIE_ROOT_BITS 16
#define XS_TRIE_ROOT_SIZE (1U << XS_TRIE_ROOT_BITS)
#define XS_TRIE_NODE_SIZE 256
#define XS_TRIE_CHILD (1U << 31)
#define XS_TRIE_SKIP (1U << 30)		/* IPv6 only, see above */
#define XS_TRIE_PTR (XS_TRIE_CHILD | XS_TRIE_SKIP)	/* never set in a range id */
#define XS_TRIE_INDEX (XS_TRIE_SKIP - 1)
#define XS_SKIP_BYTES 8			/* most address bytes one skip checks */
#define XS_V6_WALK_MAX 14		/* address bytes 2..15 below the root */

#define XS_SLOTS(nranges) (((nranges) + 1) * 2)
/* Counter slots of one CPU fit a u32 map key with room for 1024 CPUs. */
#define XS_CTR_CPUS_MAX 1024

enum xs_dir {
	XS_DIR_IN = 0,			/* destination address in the range */
	XS_DIR_OUT = 1,			/* source address in the range */
	XS_DIR_MAX,
};

/* L4 classes, in the order of the struct xs_class members below. */
enum xs_l4 {
	XS_L4_TCP = 0,
	XS_L4_UDP,
	XS_L4_ICMP,			/* ICMP and ICMPv6 */
	XS_L4_OTHER,
	XS_L4_MAX,
};

/* Size buckets by counted length (Ethernet header on, no FCS). */
enum xs_size {
	XS_SIZE_LE64 = 0,
	XS_SIZE_LE128,
	XS_SIZE_LE256,
	XS_SIZE_LE512,
	XS_SIZE_LE1024,
	XS_SIZE_LE1518,
	XS_SIZE_GT1518,
	XS_SIZE_MAX,
};

struct xs_class {
	__u64 pkts;
	__u64 bytes;
};

/*
 * Cumulative counters of one (range, direction), one copy per CPU: the
 * "range_ctrs" array holds them CPU by CPU, element cpu * slots + slot
 * (slots = XS_SLOTS(ranges)). The map is a plain mmap-able array, so
 * every element starts on a cache line, and the fields are ordered by
 * line: a packet writes line 0 (its class) and line 1 (its size bucket),
 * and line 2 only for a TCP SYN, RST or FIN, or when a mitigation filter
 * drops it. The daemon reads the mapping in place.
 */
struct xs_counters {
	struct xs_class tcp;		/* indexed as &tcp + enum xs_l4 */
	struct xs_class udp;
	struct xs_class icmp;
	struct xs_class other;
	__u64 le64;			/* indexed as &le64 + enum xs_size */
	__u64 le128;
	__u64 le256;
	__u64 le512;
	__u64 le1024;
	__u64 le1518;
	__u64 gt1518;
	__u64 frags;			/* IPv4 fragments, IPv6 non-atomic fragments */
	__u64 syn;			/* SYN without ACK */
	__u64 synack;			/* SYN with ACK */
	__u64 rst;
	__u64 fin;
	__u64 storm;			/* not a counter: sketches' new flows of
					 * the epoch, xs_epoch << 32 | count
					 * (Sketches, storms) */
	__u64 blocked_pkts;		/* of the packets above, dropped by a
					 * mitigation filter (Mitigation) */
	__u64 blocked_bytes;
	__u64 share;			/* not a counter: the safety limit's
					 * window (Mitigation) */
};

/*
 * Whole-program counters, one copy per CPU. Every packet lands in exactly
 * one of: ipv4_pkts or ipv6_pkts (classified), non_ip_pkts, malformed_pkts.
 * The err_* fields say where parsing stopped; err_tcp/err_udp/err_icmp are
 * packets whose L4 header was cut: they are still classified (by class),
 * but give no flags or ports.
 */
struct xs_global {
	__u64 pkts;			/* every packet the program saw */
	__u64 bytes;
	__u64 ipv4_pkts;
	__u64 ipv6_pkts;
	__u64 non_ip_pkts;		/* other EtherTypes, more than 2 VLAN tags */
	__u64 non_ip_bytes;
	__u64 malformed_pkts;		/* frame or IP header not parseable */
	__u64 malformed_bytes;
	__u64 err_eth;			/* shorter than an Ethernet header */
	__u64 err_vlan;			/* VLAN tag cut */
	__u64 err_ipv4;			/* IPv4 header cut, bad version, IHL < 5 or bad length */
	__u64 err_ipv6;			/* IPv6 header cut or bad version */
	__u64 err_ipv6_ext;		/* extension chain cut or longer than the bound */
	__u64 err_tcp;			/* TCP header cut or data offset < 5 */
	__u64 err_udp;			/* UDP header cut */
	__u64 err_icmp;			/* ICMP/ICMPv6 header cut */
	__u64 vlan_deep;		/* more than 2 VLAN tags (also in non_ip) */
	__u64 lookup_fail;		/* counter slot lookups that failed */
	__u64 top_dropped;		/* top-K counts of keys seen once, dropped
					 * from a full stage (Sketches below) */
};

/*
 * A compressed IPv6 chain (the classifier comment above), one element of
 * the "v6_skip" array map. `miss` is always a range id, never a pointer:
 * it is what every address below the chain's head matches unless it
 * carries all of `bytes`. Unused bytes and pad are zero.
 */
struct xs_skip {
	/* The address bytes that must follow. Map values are 8-aligned; saying
	 * so lets the BPF walk read all of them with one load. */
	__u8 bytes[XS_SKIP_BYTES] __attribute__((aligned(8)));
	__u32 next;			/* entry to continue with after `len` bytes */
	__u32 miss;			/* range id when any of them differs */
	__u8 len;			/* 1..XS_SKIP_BYTES */
	__u8 pad[7];
};

/*
 * Replay metadata: put in front of a frame (XDP data_meta) by the daemon's
 * frame feeder, so bytes count the capture's original length while parsing
 * sees only the captured bytes, and a sampled packet (sFlow) counts as the
 * `weight` packets it stands for: packets, bytes, size buckets, class,
 * flag and error counters and the top lists grow by the weight. Live
 * traffic carries none and counts 1; a weight of 0 is taken as 1, one
 * over XS_WEIGHT_MAX as XS_WEIGHT_MAX (the collector refuses those).
 */
#define XS_META_MAGIC 0x78736d31U	/* "xsm1" */
#ifndef XS_WEIGHT_MAX
#define XS_WEIGHT_MAX (1U << 20)
#endif
struct xs_meta {
	__u32 magic;
	__u32 wire_len;
	__u32 weight;
	__u32 pad;
};

/*
 * The same for the TC program under test_run: skb->cb[0] = XS_META_MAGIC,
 * cb[1] = wire length, cb[2] = XS_META_MAGIC ^ wire length, and for a
 * weight cb[3] = weight, cb[4] = XS_META_MAGIC ^ weight. Live egress
 * skbs carry stale cb bytes from the stack; two words that must agree
 * make a false match practically impossible.
 */

/*
 * Per-CPU cache of IPv6 classifications, direct-mapped by a hash of the
 * address: traffic keeps talking to the same addresses, and a hit costs
 * one array read and a 16-byte compare instead of a walk of up to 15
 * reads. Entries hold the whole address, or only its first 64 bits
 * (lo 0) when no prefix is longer than /64, so a hit is exact. Valid
 * while the classifier tables stay as they are: whoever changes them
 * must clear this map first.
 */
#ifndef XS_V6_CACHE_SIZE
#define XS_V6_CACHE_SIZE 4096		/* entries per CPU, a power of 2 */
#endif
struct xs_v6_cache_ent {
	__u64 hi;			/* address bytes 0..7, as loaded */
	__u64 lo;			/* address bytes 8..15 */
	__u32 range;			/* range id, 0 for none */
	__u32 valid;
};

/*
 * Sketches: distinct sources (HyperLogLog) and top-K candidates per (range,
 * direction) and interval. All sketch maps are shared arrays (not per CPU:
 * their memory does not grow with the CPU count), mmap-able, and hold two
 * epochs back to back: the program writes the epoch named by the global
 * xs_epoch; the daemon flips it, waits for a grace period, reads and
 * clears the idle one. Element e of epoch E sits at E * (entries of one
 * epoch) + e.
 *
 * Two tiers per (slot, epoch). The "lite" tier is always there and exact:
 * struct xs_sk_slot keeps the hashes of up to XS_LITE_HASHES distinct
 * sources, and one bucket of XS_TOP_WAYS top entries per tracked
 * dimension. When one of them is full, the slot takes a page from a pool
 * shared by all slots (sk_ctl.pages_used counts them out); from then on
 * its sources go to the page's HyperLogLog registers and its keys to the
 * page's top buckets. Userspace unions the tiers: the lite hashes go into
 * the registers, and lite and page counts of a key add up (every packet
 * lands in one tier per dimension). When the pool is empty the slot stays
 * in the lite tier, flagged `full`: its distinct count is a lower bound.
 *
 * Page top buckets are Space-Saving summaries of XS_TOP_WAYS entries: a
 * key not in a full bucket replaces the entry with the fewest packets and
 * inherits its counts. Counts are never below the truth; a key's excess
 * is at most the inherited count.
 *
 * Top counts are staged per CPU first: "top_stage" is a small per-CPU
 * cache of (slot, dimension, key) -> packets and bytes of the epoch, in
 * sets of XS_STAGE_WAYS entries picked by a hash. A hit adds with plain
 * `+=` on the CPU's own cache line; a key not in its set takes the place
 * of the entry with the fewest packets (of two with one packet, the older:
 * way 0 is always the newest). The entry it replaces moves into the
 * shared tiers (atomics). Only when a CPU has moved XS_FLUSH_BUDGET keys
 * seen once in an epoch (a flood of new keys: spoofed sources, random
 * ports) does it stop moving those of slots that have a page: such a
 * packet is then counted in xs_global.top_dropped and nowhere else. So
 * hot keys (the victim, port 80 of a flood) never bounce a shared cache
 * line between CPUs, the keys of a spoofed flood soon cost one per-CPU
 * set each and no shared write, and a key that comes back is in the
 * stage, counted exactly, from its second packet on. Userspace adds what
 * is still staged on every CPU. The stage is stats.stage_sets sets an epoch
 * (in chunks of XS_STAGE_CHUNK), whatever the number of ranges; a set is
 * one cache line.
 *
 * In front of the stage, each CPU keeps the last key of every dimension
 * (xs_sk_cpu.last). A packet with the same key adds to it and goes no
 * further: a flood's victim and port, a train of packets of one flow. A
 * packet with another key goes to the stage as above and its key becomes
 * the last one, with no counts yet; the counts the last key had gathered
 * go to the stage first. Userspace reads the last keys with the stage.
 *
 * The SYN list (XS_DIM_SYN, stats.top "syn", off by default) keys the
 * range's host of a TCP SYN without ACK: the destination in `in`, the
 * source in `out`. While it is tracked, SYNs skip the flow cache below
 * and take the per-packet path, so a flow's counts hold no SYN.
 *
 * One 64-bit hash of the source address feeds the HyperLogLog (index:
 * top p bits; rank: leading zeros of the rest + 1) and the source's tag in
 * the shared tiers; the destination's tag is its own hash, computed when
 * it leaves the stage (xs_stage_tag). Port tags are the port itself.
 *
 * Address keys are 16 bytes, IPv4 a.b.c.d as ::ffff:a.b.c.d. The IPv6
 * address ::ffff:a.b.c.d is another source: its staged entries carry
 * XS_SD_V6MAPPED in slotdim, and it hashes as if its first word were
 * XS_V6MAPPED_HI, so its tag (and HyperLogLog element) is not the IPv4
 * one. Userspace tells the two apart by the flag (stage) or the tag
 * (shared tiers).
 */
#ifndef MAX_SK_PAGES
#define MAX_SK_PAGES (1U << 16)
#endif
#define XS_HLL_P_MIN 8
#define XS_HLL_P_MAX 16
#define XS_LITE_HASHES 6		/* exact distinct sources before a page */
#define XS_TOP_WAYS 4			/* entries in a top bucket */
#define XS_TOP_K_MAX 64

enum xs_dim {
	XS_DIM_SRC = 0,			/* source address */
	XS_DIM_DST,			/* destination address */
	XS_DIM_DPORT,			/* TCP/UDP destination port */
	XS_DIM_SPORT,			/* TCP/UDP source port */
	XS_DIM_SYN,			/* the range's host (in: destination, out:
					 * source) of a TCP SYN without ACK */
	XS_DIM_MAX,
};

/* A top candidate. tag: xs_stage_tag() of the key (addresses: a hash | 1;
 * ports: port | 1 << 32); 0 is a free entry. key: the address (IPv4 as
 * ::ffff:a.b.c.d, told from the IPv6 address by the tag), or the port in
 * host order in key[0..1]; written after the tag is taken. */
struct xs_top_ent {
	__u64 tag;
	__u64 pkts;
	__u64 bytes;
	__u8 key[16];
};

struct xs_top_bucket {
	struct xs_top_ent ent[XS_TOP_WAYS];
};

/* The lite tier of one (slot, epoch). */
struct xs_sk_slot {
	__u64 hashes[XS_LITE_HASHES];	/* source hashes | 1, 0 = free */
	__u64 page;			/* pool page + 1, 0 = none (u64: BPF's
					 * cmpxchg takes 64 bits) */
	__u64 full;			/* XS_SLOT_FULL: wanted a page, the pool
					 * was empty; XS_SLOT_STORM: the top
					 * lists were sampled (a storm) */
};
#define XS_SLOT_FULL 1ULL
#define XS_SLOT_STORM 2ULL

/* Sketch bookkeeping of one epoch (sk_ctl has one per epoch). */
struct xs_sk_ctl {
	__u64 pages_used;		/* pages handed out, may exceed the pool */
	__u64 pool_empty;		/* updates refused a page */
	__u64 races;			/* updates lost to a concurrent update */
	__u64 pad;
};

#define XS_STAGE_SETS_MAX (1U << 20)	/* stage sets per CPU and epoch */
#define XS_STAGE_WAYS 2
#ifndef XS_FLUSH_BUDGET
#define XS_FLUSH_BUDGET 65536		/* keys seen once a CPU moves an epoch */
#endif

#define XS_DIRTY_MAX 126		/* stage sets a CPU lists as written */

/* Per CPU and epoch ("sk_cpu"): keys seen once moved out of the stage,
 * and the stage sets written, so that userspace reads and clears those
 * only; ndirty past XS_DIRTY_MAX means "too many: read them all". */
/* A staged count: the key as the words khi, klo (key bytes 0..7 and
 * 8..15 of xs_top_ent; a port is khi, klo 0), compared whole, so there is
 * no tag and two ways fill one cache line. pkts 0 is a free entry. */
struct xs_top_stage {
	__u64 khi;
	__u64 klo;
	__u64 bytes;
	__u32 pkts;			/* moved out before it would wrap */
	__u32 slotdim;			/* XS_SD(slot, dimension), | XS_SD_V6MAPPED */
};

/* In slotdim: the key is an IPv6 address of ::ffff:0:0/96, not IPv4. */
#define XS_SD_V6MAPPED (1U << 31)
#define XS_SD_DIM_BITS 3
#define XS_SD(slot, dim) ((slot) << XS_SD_DIM_BITS | (dim))
#define XS_SD_DIM(sd) ((sd) & ((1U << XS_SD_DIM_BITS) - 1))
#define XS_SD_SLOT(sd) (((sd) & ~XS_SD_V6MAPPED) >> XS_SD_DIM_BITS)

struct xs_sk_cpu {
	__u64 flushed;
	__u32 ndirty;
	__u32 pad;
	struct xs_top_stage last[XS_DIM_MAX];	/* the last key of each dimension */
	__u32 dirty[XS_DIRTY_MAX];
};

struct xs_stage_set {
	struct xs_top_stage way[XS_STAGE_WAYS];
};

/* The stage map's element: XS_STAGE_CHUNK sets. A per-CPU array
 * allocates every element on its own, so 8192 one-set elements took 4 ms
 * to create; 32 chunks take a fraction of that. */
#define XS_STAGE_CHUNK 256
struct xs_stage_chunk {
	struct xs_stage_set set[XS_STAGE_CHUNK];
};

/*
 * The flow cache, in front of everything else when sketches are on: per
 * CPU and epoch ("flow_cache"), in sets of two entries picked by a hash
 * of (source, destination, ports), one cache line a flow. A packet of a
 * cached flow takes its ranges from the entry (no classification) and
 * adds to the entry's packets and bytes: no stage, no HyperLogLog. The
 * first packet of a flow in the epoch is classified, goes into the
 * distinct sources of its ranges, and takes a free entry of its set, or
 * the one with fewer packets; the flow it replaces moves its counts into
 * the top lists of its ranges (the stage above, every dimension). Userspace reads what is left in the idle
 * epoch's entries as staged counts. GSO skbs (TC) skip the cache.
 *
 * Storms: a range that takes more than stats.storm_flows new flows on one
 * CPU in an epoch (counted in xs_counters.storm) is in a storm for the
 * rest of it on that CPU: its new flows no longer take entries, and their
 * packets are sampled for the top lists: one in stats.storm_sample, drawn
 * independently, goes to every dimension with its counts times
 * storm_sample; the others only to the distinct sources. The counts stay
 * unbiased (a key of n packets: a standard deviation of sqrt(n (k - 1))),
 * the distinct sources see every packet, and the slot is flagged
 * (XS_SLOT_STORM) so that the record says its lists were sampled.
 */
#define XS_FLOW_CHUNK 256		/* flows a map element (16 KiB) */
#define XS_SKF_BYTES 120			/* bpf/maps.h, struct xs_skf: the per-CPU
					 * sketch scratch, two a CPU */
#define XS_FLOWS_MAX (1U << 20)		/* flows per CPU and epoch */
#define XS_FLOW_PKTS_MAX (1U << 30)	/* a flow moves its counts before this */

/* kflags of a flow: part of its key. */
#define XS_FLOW_PORTS 1U		/* has_ports */
#define XS_FLOW_SRC_MAPPED 2U		/* source is IPv6 ::ffff:a.b.c.d */
#define XS_FLOW_DST_MAPPED 4U

struct xs_flow {
	__u64 src_hi, src_lo;		/* as the sketches' words (struct xs_top_stage) */
	__u64 dst_hi, dst_lo;
	__u64 bytes;
	__u32 pkts;			/* 0: a free entry */
	__u32 ports;			/* sport << 16 | dport, host order */
	__u32 src_range;		/* range ids, 0: none */
	__u32 dst_range;
	__u32 kflags;			/* XS_FLOW_* */
	__u32 pad;
};

struct xs_flow_chunk {
	struct xs_flow f[XS_FLOW_CHUNK];
};

#define XS_TAG_PORT (1ULL << 32)

/* 64-bit finalizer (MurmurHash3 fmix64): every input bit moves every
 * output bit, which HyperLogLog's index and rank need. */
static inline __u64 xs_mix64(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* An address's hash from its 16 bytes as two native-endian words
 * (IPv4 as ::ffff:a.b.c.d). hi goes in first: for IPv4 it is 0, the
 * inner mix a constant, and one mix is left to do. */
static inline __u64 xs_hash_addr(__u64 hi, __u64 lo)
{
	return xs_mix64(lo ^ xs_mix64(hi ^ 0x9e3779b97f4a7c15ULL));
}

/* Is the address (as two words) in ::ffff:0:0/96, IPv4's form? */
static inline int xs_addr_mapped(__u64 hi, __u64 lo)
{
	return !hi && (__u32)lo == 0xffff0000;
}

/* The first word an IPv6 ::ffff:a.b.c.d hashes with: that of 100::, the
 * discard-only block (RFC 6666), so the address whose hash it shares,
 * 100::ffff:a.b.c.d, is one that should carry no traffic. */
#define XS_V6MAPPED_HI 1ULL

/* The tag (struct xs_top_ent) of a staged key of XS_SD(slot, dim),
 * with XS_SD_V6MAPPED for an IPv6 ::ffff:a.b.c.d (slot bits ignored). */
static inline __u64 xs_stage_tag(__u64 khi, __u64 klo, __u32 sd)
{
	__u32 dim = XS_SD_DIM(sd);

	if (dim == XS_DIM_DPORT || dim == XS_DIM_SPORT)
		return khi | XS_TAG_PORT;
	if (sd & XS_SD_V6MAPPED)
		khi = XS_V6MAPPED_HI;
	return xs_hash_addr(khi, klo) | 1;
}

/* The stage set, of 2^bits (8..20), of a key in XS_SD(slot, dim) `sd`:
 * multiply-shift hashing of the key's words, which costs less than
 * xs_hash_addr and is only asked to spread keys over sets. */
static inline __u32 xs_stage_set(__u64 khi, __u64 klo, __u32 sd, __u32 bits)
{
	return ((khi * 0xff51afd7ed558ccdULL ^ klo ^ sd) * 0x9e3779b97f4a7c15ULL) >> (64 - bits);
}

/*
 * Mitigation (opt-in, README "Mitigation"): filters the XDP program
 * checks before any statistics. A filter matches a destination prefix
 * and optionally an L4 class, a source port and "TCP SYN without ACK";
 * it drops what it matches, or passes `pps` packets a second of it and
 * drops the rest (a GCRA rate limit: tat_ns is the theoretical arrival
 * time of the next packet, moved by compare-and-swap, so every CPU
 * shares one budget).
 *
 * "mit_filters" is an array of struct xs_mit_filter, index = the slot;
 * expires_ns 0 is a free slot, and the program ignores a filter past
 * its expiry (CLOCK_MONOTONIC, read coarse: bpf_ktime_get_coarse_ns,
 * a tick late at most, for 30 ns less a packet in a VM) until the daemon
 * sweeps it. "mit_dst" is an LPM trie over 16-byte addresses (IPv4 as
 * ::ffff:a.b.c.d, prefix length + 96): each filter prefix -> the slots
 * (+ 1, 0 ends the list) of the filters whose prefix covers it, the
 * longest first, so the longest match lists every filter that applies.
 * "mit_allow" is the same kind of trie over source prefixes never
 * dropped. "mit_stats" counts per CPU and slot. "mit_ctl" element 0
 * holds the number of live filters: 0 and the program looks up nothing.
 *
 * Safety limit: a drop also needs the packet's range slot (its
 * destination's `in`, else its source's `out`, else slot 0) to have
 * dropped at most max_share of its packets on this CPU in the current
 * window of 2^30 ns (about a second). xs_counters.share holds the window:
 * bits 63..56 the window number (ktime >> 30, low 8 bits), 55..24 the
 * slot's packet count (low 32 bits) when it began, 23..0 the packets
 * dropped (or, dry run, that would have been) since, saturating.
 */
#define XS_MIT_SET 8			/* filters one destination prefix lists */
#define XS_MIT_ANY 0xff			/* proto: any L4 class */
#define XS_MIT_F_SPORT 1		/* match sport */
#define XS_MIT_F_SYN 2			/* match TCP SYN without ACK */
#define XS_MIT_WINDOW_SHIFT 30
#define XS_MIT_BURST_NS 20000000ULL	/* a rate limit's burst: 20 ms of packets */

struct xs_mit_key {			/* LPM key of mit_dst and mit_allow */
	__u32 prefixlen;
	__u8 addr[16];
};

struct xs_mit_set {			/* value of mit_dst */
	__u32 slot[XS_MIT_SET];		/* filter slot + 1, 0: end */
};

struct xs_mit_filter {
	__u64 expires_ns;		/* CLOCK_MONOTONIC; 0: free */
	__u64 tat_ns;			/* the program's: next packet's GCRA time */
	__u64 gap_ns;			/* 1e9 / pps; 0: drop every match */
	__u8 dst[16];			/* the prefix, for listing; IPv4 in 0..3 */
	__u32 id;			/* what users name it by, never reused */
	__u32 pps;			/* 0: drop */
	__u16 sport;			/* host order, with XS_MIT_F_SPORT */
	__u8 family;			/* 4 or 6 */
	__u8 plen;
	__u8 proto;			/* enum xs_l4, or XS_MIT_ANY */
	__u8 flags;			/* XS_MIT_F_* */
	__u8 pad[2];
};

struct xs_mit_stats {			/* mit_stats, per CPU and slot */
	__u64 match_pkts;		/* matched (from an allowed source too) */
	__u64 match_bytes;
	__u64 drop_pkts;		/* dropped */
	__u64 drop_bytes;
	__u64 dry_pkts;			/* would have been dropped (dry run) */
	__u64 dry_bytes;
	__u64 allowed;			/* matched, source in the allow list */
	__u64 spared;			/* passed by the safety limit */
};

struct xs_mit_ctl {			/* mit_ctl element 0 */
	__u32 nfilters;			/* live filters; 0: nothing to look up */
	__u32 next_id;			/* the next filter's id - 1 */
	__u64 full;			/* adds refused: the table was full */
	__u32 enabled;			/* the daemon's mitigation.enabled */
	__u32 ttl_s;			/* its mitigation.ttl_s: block's default */
};

#define XS_PROG_XDP "xdpscope_xdp"
#define XS_PROG_TC "xdpscope_tc"

_Static_assert(sizeof(struct xs_class) == 16, "xs_class layout");
_Static_assert(sizeof(struct xs_counters) == 192, "xs_counters layout");
_Static_assert(__builtin_offsetof(struct xs_counters, le64) == 64 &&
	       __builtin_offsetof(struct xs_counters, syn) == 128, "xs_counters lines");
_Static_assert(__builtin_offsetof(struct xs_counters, tcp) == 0, "tcp first");
_Static_assert(__builtin_offsetof(struct xs_counters, other) ==
	       XS_L4_OTHER * sizeof(struct xs_class), "classes in enum order");
_Static_assert(__builtin_offsetof(struct xs_counters, gt1518) -
	       __builtin_offsetof(struct xs_counters, le64) ==
	       XS_SIZE_GT1518 * sizeof(__u64), "size buckets in enum order");
_Static_assert(sizeof(struct xs_global) == 19 * 8, "xs_global layout");
_Static_assert(sizeof(struct xs_meta) == 16, "xs_meta layout");
_Static_assert(sizeof(struct xs_v6_cache_ent) == 24, "xs_v6_cache_ent layout");
_Static_assert((XS_V6_CACHE_SIZE & (XS_V6_CACHE_SIZE - 1)) == 0, "cache size a power of 2");
_Static_assert(sizeof(struct xs_skip) == 24 && _Alignof(struct xs_skip) == 8, "xs_skip layout");
_Static_assert(__builtin_offsetof(struct xs_skip, next) == 8, "xs_skip next");
_Static_assert(__builtin_offsetof(struct xs_skip, miss) == 12, "xs_skip miss");
_Static_assert(__builtin_offsetof(struct xs_skip, len) == 16, "xs_skip len");
_Static_assert(sizeof(struct xs_top_ent) == 40, "xs_top_ent layout");
_Static_assert(sizeof(struct xs_top_bucket) == 160, "xs_top_bucket layout");
_Static_assert(sizeof(struct xs_sk_slot) == 64, "xs_sk_slot layout");
_Static_assert(__builtin_offsetof(struct xs_sk_slot, page) == 48, "xs_sk_slot page");
_Static_assert(sizeof(struct xs_sk_ctl) == 32, "xs_sk_ctl layout");
_Static_assert(sizeof(struct xs_top_stage) == 32, "xs_top_stage layout");
_Static_assert(sizeof(struct xs_stage_set) == 64, "xs_stage_set layout");
_Static_assert(sizeof(struct xs_flow) == 64, "xs_flow layout");
_Static_assert(sizeof(struct xs_flow_chunk) <= 32768, "xs_flow_chunk too large");
_Static_assert(__builtin_offsetof(struct xs_counters, storm) == 160, "xs_counters storm");
_Static_assert(__builtin_offsetof(struct xs_counters, blocked_pkts) == 168 &&
	       __builtin_offsetof(struct xs_counters, share) == 184, "xs_counters blocked");
_Static_assert(sizeof(struct xs_mit_key) == 20, "xs_mit_key layout");
_Static_assert(sizeof(struct xs_mit_filter) == 56, "xs_mit_filter layout");
_Static_assert(__builtin_offsetof(struct xs_mit_filter, id) == 40, "xs_mit_filter id");
_Static_assert(sizeof(struct xs_mit_stats) == 64, "xs_mit_stats layout");
_Static_assert(sizeof(struct xs_mit_ctl) == 24, "xs_mit_ctl layout");
/* Per-CPU map values may not exceed the kernel's PCPU_MIN_UNIT_SIZE. */
_Static_assert(sizeof(struct xs_stage_chunk) <= 32768, "xs_stage_chunk too large");
_Static_assert(sizeof(struct xs_sk_cpu) == 16 + 32 * XS_DIM_MAX + 4 * XS_DIRTY_MAX, "xs_sk_cpu layout");
_Static_assert(XS_SLOTS(MAX_RANGES) <= (1U << (31 - XS_SD_DIM_BITS)),
	       "slots fit slotdim beside XS_SD_V6MAPPED");
_Static_assert(XS_DIM_MAX <= (1U << XS_SD_DIM_BITS), "dimensions fit slotdim");
_Static_assert((__u64)XS_SLOTS(MAX_RANGES) * XS_CTR_CPUS_MAX <= 0xffffffffULL,
	       "range_ctrs keys fit a u32");
/* Range ids, node and skip indexes share an entry with the two flag bits. */
_Static_assert(MAX_RANGES < XS_TRIE_SKIP, "range ids collide with XS_TRIE_SKIP");
_Static_assert(MAX_TRIE_NODES <= XS_TRIE_SKIP, "node indexes collide with XS_TRIE_SKIP");

#endif /* XDPSCOPE_H */
