/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What alerts do to the mitigation filters (README "Mitigation"). A rule
 * with "mitigate" installs filters when its alert starts: for its victim
 * (a per-host alert's host; a range alert's busiest destination when it
 * has more than half of the range's packets) or, with scope "range" or no
 * such host, for every prefix of the range; matching what the attack
 * class implies (a SYN flood: TCP SYN without ACK; an amplification: UDP
 * from the service's port; a UDP, ICMP or TCP flood: that protocol). An
 * attack of no known class installs nothing. An alert started early
 * (rules_early: no host lists yet) waits for its interval's end for a
 * victim. The filters stay until mitigation.hold_s after the alert's end
 * (or until their TTL), and the end record says what they dropped.
 * No libbpf: the filters go through ops (mitigate.h in the daemon).
 */
#ifndef XS_ACT_H
#define XS_ACT_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "mitigate.h"
#include "rules.h"

#define XS_ACT_FILTERS_MAX 16		/* an alert's filters: a range's prefixes */

struct xs_act_ops {
	int (*add)(void *ctx, const struct xs_mit_spec *s, uint32_t *id, char *err,
		   size_t errlen);
	int (*del)(void *ctx, uint32_t id);
	int (*hits)(void *ctx, uint32_t id, struct xs_mit_stats *out);
};

/* What an alert record says of its filters (emit.c: "mitigation"). */
struct xs_act_result {
	size_t n;			/* filters installed for the alert */
	uint32_t ids[XS_ACT_FILTERS_MAX];
	struct xs_mit_spec spec;	/* the match of the first, and the action */
	const char *skipped;		/* none installed, and why: NULL when n */
	int pending;			/* waits for the interval's end (a victim) */
	int has_hits;			/* the end: what they dropped so far */
	uint64_t dropped_pkts, dropped_bytes;
	int dry_run;			/* counted as would-drop */
};

struct xs_act_stats {
	uint64_t installed;		/* filters */
	uint64_t removed;
	uint64_t skipped;		/* alerts of a mitigating rule with none */
	uint64_t failed;		/* adds refused (table full, ...) */
};

struct xs_act;

struct xs_act *act_new(const struct xs_config *cfg, const struct xs_act_ops *ops, void *ctx);
void act_free(struct xs_act *a);
/* The config moved (a reload): follow it. */
void act_rebind(struct xs_act *a, const struct xs_config *cfg);

/* An alert record is being made at `now` (seconds): a start of a
 * mitigating rule installs, a later record of one still waiting for a
 * victim installs then, an end reads the hits and schedules the removal.
 * Returns what the record says, or NULL (not a mitigating rule). The
 * result lives until the next call. */
const struct xs_act_result *act_alert(struct xs_act *a, const struct xs_alert *al, double now);
/* Before the filters go with the program (the daemon stops): keep what
 * each alert's dropped, for the end records that follow. */
void act_snapshot(struct xs_act *a);
/* Remove the filters whose hold has passed by now. */
void act_sweep(struct xs_act *a, double now);
void act_stats(const struct xs_act *a, struct xs_act_stats *s);

/* The filter's match for an attack class (amp_port: the amplification's
 * source port, 0 if none known); -1: none (unknown, fragments). */
int act_match(const char *attack, uint16_t amp_port, struct xs_mit_spec *s);

#endif /* XS_ACT_H */
