/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF object's lifecycle: open, size the maps from the config, fill the
 * classifier, load, attach (XDP through libxdp, TC egress through libbpf's
 * bpf_tc_* API), pin under /sys/fs/bpf/xdpscope/<ifname>/, and undo all of
 * it. The classifier maps are created and filled before the object is
 * loaded (bpf_map__reuse_fd), so the first packet the program sees is
 * already classified.
 */
#ifndef XS_LOADER_H
#define XS_LOADER_H

#include <net/if.h>
#include <limits.h>
#include <stdint.h>
#include "xdpscope.h"
#include "trie.h"
#include "skread.h"
#include "epoch.h"
#include "mitigate.h"

#define XS_PIN_ROOT "/sys/fs/bpf/xdpscope"
#define XS_TC_HANDLE 0x5853		/* "XS": our egress filter */
#define XS_TC_PRIO 0x5853

enum xs_xdp_mode {
	XS_XDP_AUTO = 0,		/* native, else generic */
	XS_XDP_NATIVE,
	XS_XDP_GENERIC,
};

struct xs_sizes {
	uint32_t nranges;
	uint32_t v4_nodes;
	uint32_t v6_nodes;
	uint32_t v6_skips;
	struct xs_sk_layout sk;		/* sk.nslots 0: no sketches */
	uint32_t mit_filters;		/* mitigation.max_filters; 0: off */
};

struct xdpscope_bpf;
struct xdp_program;

struct xs_loader {
	struct xdpscope_bpf *skel;
	struct xdp_program *xdp_prog;
	struct xs_sizes sizes;
	int ncpus;
	int ifindex;
	char ifname[IF_NAMESIZE];
	char pin_dir[PATH_MAX];
	int pinned;
	int xdp_attached;
	const char *xdp_mode;		/* "native" or "generic" once attached */
	int tc_attached;
	int tc_created_hook;		/* we created clsact: we remove it */
	void *ctrs;			/* range_ctrs, mmap'd: ctrs_len counter sets */
	size_t ctrs_len;
	uint32_t *v4_root, *v4_nodes, *v6_root, *v6_nodes;	/* mmap'd maps */
	size_t v4_nodes_len, v6_nodes_len;	/* in u32 entries */
	struct xs_skip *v6_skip;		/* mmap'd, v6_skip_len records */
	size_t v6_skip_len;
	int stats_fd;			/* BPF_ENABLE_STATS while >= 0 */
	struct xs_epochs ep;		/* the sketch epochs, once loaded */
	int mit_on;			/* mitigation.enabled (loader_mitigation) */
	struct xs_prefix *mit_allow;	/* a copy of mitigation.allow */
	size_t mit_nallow;
	unsigned int mit_ttl_s;		/* mitigation.ttl_s */
	struct xs_mit mit;		/* the filter table, once loaded */
	int mit_ready;
};

/* The map sizes a config with these tries needs (every field set). */
void loader_sizes(struct xs_sizes *s, uint32_t nranges, const struct xs_trie *t4,
		  const struct xs_trie *t6);

/* Kernel memory the maps of `s` take on `ncpus` CPUs, in bytes (the
 * sketch maps are shared: their part does not grow with ncpus). */
uint64_t loader_kernel_mem(const struct xs_sizes *s, int ncpus);

/* Make sure /sys/fs/bpf is a bpffs, mounting one if needed. */
int loader_bpffs(char *err, size_t errlen);

/* Open the object, size its maps, create and fill the classifier maps
 * from the tries. Nothing is attached yet. */
int loader_open(struct xs_loader *l, const struct xs_trie *t4, const struct xs_trie *t6,
		uint32_t nranges, char *err, size_t errlen);

/* Turn sketches on with this layout (skread_layout), between open and
 * load. Without it the sketch maps stay placeholders and the program
 * skips them. */
int loader_sketches(struct xs_loader *l, const struct xs_sk_layout *sk, char *err,
		    size_t errlen);

/* "what: strerror(e)", with what the service needs for EPERM/EACCES, in
 * err; returns -e. */
int loader_perm_hint(int e, char *err, size_t errlen, const char *what);

/* Load without attaching (replay, tests). */
int loader_load(struct xs_loader *l, char *err, size_t errlen);

/* The same with one program only: TC if tc, else XDP (replay runs one;
 * verifying the other would cost the time for nothing). The other's fd
 * stays invalid. */
int loader_load_one(struct xs_loader *l, int tc, char *err, size_t errlen);

/* Refuse an interface that already carries our programs or pins. */
int loader_check_free(const char *ifname, char *err, size_t errlen);

/* Load and attach XDP (and TC egress with `egress`) to ifname, then pin. */
int loader_attach(struct xs_loader *l, const char *ifname, enum xs_xdp_mode mode,
		  int egress, char *err, size_t errlen);

/*
 * New ranges without a detach: load nl (opened with the new tries, and
 * sketches set) and put its programs in the place of old's, atomically
 * (netlink XDP replace, TC replace), then wait until old's programs no
 * longer run, move the pins to nl's maps. old then holds nothing attached
 * (loader_close frees it); its maps keep their last values to read.
 * Needs XDP attached alone (libxdp's fallback here), not a dispatcher.
 */
int loader_replace(struct xs_loader *nl, struct xs_loader *old, char *err, size_t errlen);

/* Detach what was attached, remove the pins, free everything. */
void loader_close(struct xs_loader *l);

/* After a crash: remove our XDP program, TC filter and pins from ifname.
 * Returns the number of things removed, or -errno. */
int loader_detach_ifname(const char *ifname, char *err, size_t errlen);

/* Mitigation (mitigate.h), between open and load: the program's
 * settings and the filter maps' sizes. Without it the program never
 * drops. */
struct xs_mitig_cfg;
int loader_mitigation(struct xs_loader *l, const struct xs_mitig_cfg *m, char *err,
		      size_t errlen);

/* Turn on the kernel's run_time_ns/run_cnt accounting for as long as we
 * live (BPF_ENABLE_STATS; the kernel turns it off when the fd closes). */
int loader_enable_stats(struct xs_loader *l, char *err, size_t errlen);

/* run_time_ns and run_cnt of a program fd. */
int loader_prog_stats(int prog_fd, uint64_t *run_ns, uint64_t *run_cnt, uint32_t *id);

int loader_xdp_fd(const struct xs_loader *l);
int loader_tc_fd(const struct xs_loader *l);
int loader_ctrs_fd(const struct xs_loader *l);
int loader_global_fd(const struct xs_loader *l);

/* Where the maps of ifname are pinned: XS_PIN_ROOT/<ifname>, with
 * "@netns<cookie>" appended outside the initial network namespace. */
void loader_pin_dir(const char *ifname, char *buf, size_t len);

/* The names of the maps we pin (every map of bpf/maps.h, read from the
 * object itself), NULL-terminated. */
#define XS_MAPS_MAX 32
const char *const *loader_map_names(void);

#endif /* XS_LOADER_H */
