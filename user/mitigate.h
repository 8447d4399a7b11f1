/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mitigation filters in the loaded program's maps (include/xdpscope.h,
 * Mitigation; README "Mitigation"), for the daemon (sweep, alerts, stop)
 * and for `xdpscope block` on a running daemon through the pinned maps.
 * Changes take an exclusive flock on the pin directory, so the daemon and
 * a command never rebuild the destination trie at once.
 *
 * Ids are never reused (mit_ctl.next_id): an id kept after its filter
 * expired names nothing, not the filter that took its slot.
 */
#ifndef XS_MITIGATE_H
#define XS_MITIGATE_H

#include <stddef.h>
#include <stdint.h>
#include "cidr.h"
#include "xdpscope.h"

#define XS_MIT_PPS_MAX 100000000U	/* --pps at most */

struct xs_mit_spec {
	struct xs_prefix dst;
	int proto;			/* enum xs_l4 (not OTHER), or -1: any */
	int sport;			/* 0..65535, or -1: any */
	int syn;			/* TCP SYN without ACK only */
	uint32_t pps;			/* 0: drop every match */
	uint32_t ttl_s;			/* 1..XS_MIT_TTL_MAX_S */
};

struct xs_mit_info {
	uint32_t id;
	struct xs_mit_spec spec;	/* ttl_s: what was left when listed */
	uint64_t expires_ns;		/* CLOCK_MONOTONIC */
	struct xs_mit_stats hits;	/* summed over the CPUs */
};

struct xs_mit {
	int filters_fd, stats_fd, dst_fd, ctl_fd;
	int lock_fd;			/* the pin directory; -1: no lock */
	uint32_t nslots;		/* max_entries of mit_filters */
	int ncpus;
	int owned;			/* the fds are ours to close */
};

/* The maps of a loaded object (no lock when pin_dir is NULL). */
int mitig_init(struct xs_mit *m, int filters_fd, int stats_fd, int dst_fd, int ctl_fd,
	       const char *pin_dir, char *err, size_t errlen);
/* The maps pinned in pin_dir (a running daemon's). */
int mitig_open_pinned(struct xs_mit *m, const char *pin_dir, char *err, size_t errlen);
void mitig_close(struct xs_mit *m);

/* "expected ..." for a bad spec; 0 or -EINVAL. */
int mitig_spec_check(const struct xs_mit_spec *s, char *err, size_t errlen);
/* "198.18.0.7/32 udp sport 53", "2001:db8::/64 tcp syn". */
char *mitig_match_str(const struct xs_mit_spec *s, char *buf, size_t len);
/* "drop" or "1000 pps". */
char *mitig_action_str(uint32_t pps, char *buf, size_t len);

/* A new filter: its id. -ENOSPC when the table is full (counted in
 * mit_ctl.full), -EINVAL for a bad spec; err says why. */
int mitig_add(struct xs_mit *m, const struct xs_mit_spec *s, uint32_t *id, char *err,
	      size_t errlen);
/* 0, or -ENOENT: no such filter. */
int mitig_del(struct xs_mit *m, uint32_t id);
int mitig_hits(struct xs_mit *m, uint32_t id, struct xs_mit_stats *out);
/* Every filter, by id (malloc'd, *n of them; free() it). */
int mitig_list(struct xs_mit *m, struct xs_mit_info **out, size_t *n);
/* Remove the filters expired at now_ns; returns how many, or -errno. */
int mitig_sweep(struct xs_mit *m, uint64_t now_ns);
int mitig_clear(struct xs_mit *m);
/* Adds refused because the table was full. */
uint64_t mitig_full(struct xs_mit *m);
/* CLOCK_MONOTONIC in ns: bpf_ktime_get_ns()'s clock. */
uint64_t mitig_now(void);

/* The filters of `from` into `to` (a reload's new maps), slot for slot. */
int mitig_copy(struct xs_mit *to, struct xs_mit *from);

/* Fill the allow trie (once, after load). */
int mitig_allow_fill(int allow_fd, const struct xs_prefix *allow, size_t n, char *err,
		     size_t errlen);

/* `xdpscope block` (mitigate_cmd.c). */
int cmd_block(int argc, char **argv);

#endif /* XS_MITIGATE_H */
