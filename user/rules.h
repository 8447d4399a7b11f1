/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anomaly rules over each interval's figures (config.h, Anomaly rules):
 * thresholds and learned baselines per (rule, range, direction), and per
 * host for a threshold on a host metric (bounded by alerts.max_hosts), sustain
 * and hysteresis, the alert lifecycle (start, ongoing, end under one id)
 * and a guess of the attack from the range's traffic mix. Time is what
 * the caller says it is (wall clock in run, capture time in replay), so
 * both give the same alerts. No libbpf: links into unit tests.
 */
#ifndef XS_RULES_H
#define XS_RULES_H

#include <stdint.h>
#include "config.h"
#include "skread.h"

/* One (range, direction) in one interval, as the rules see it. */
struct xs_metrics {
	double v[XS_M_MAX];
	/* packets in the interval, for the attack guess */
	uint64_t pkts, bytes, tcp, udp, icmp, other, syn, synack, rst, fin, frags;
	uint16_t amp_port;		/* known amplification source port with the */
	uint64_t amp_pkts;		/* most packets in top_sport (0: none) */
	int has_host;			/* v[XS_M_HOST_*] are of this host */
	uint8_t host[XS_TOP_KEY_LEN];	/* a top item's key */
	uint64_t host_pkts, host_bytes;	/* its packets and bytes in the interval */
	uint64_t host_syn;		/* its TCP SYNs without ACK (top_syn) */
	const struct xs_sk_layout *l;	/* the sketches of the interval, for the */
	const struct xs_sk_result *sk;	/* alerts' top lists; NULL: none */
};

/* Fill m from a slot's counter deltas and (sk may be NULL) sketches. */
void rules_metrics(struct xs_metrics *m, const struct xs_counters *d, double interval_s, int dir,
		   const struct xs_sk_layout *l, const struct xs_sk_result *sk);

/* "syn_flood", "dns_amplification", ... or "unknown" (rules.c, the table). */
const char *rules_classify(const struct xs_metrics *m);
/* The service an amplification source port is known for, NULL if none. */
const char *rules_amp_service(uint16_t port);

enum xs_alert_state {
	XS_ALERT_START = 0,
	XS_ALERT_ONGOING,
	XS_ALERT_END,
};

extern const char *const rules_state_names[3];

struct xs_act_result;

/* What an alert record says (emit_alert()). */
struct xs_alert {
	enum xs_alert_state state;
	const struct xs_rule *rule;
	const char *range;
	int dir;
	char id[24];
	double value;			/* this interval's */
	double threshold;
	double severity;		/* value / threshold (end: peak / threshold) */
	int has_baseline;
	double mean, dev;
	double since;			/* start of the first interval over, seconds */
	double duration_s;
	double peak;
	uint64_t pkts, bytes;		/* during the alert so far */
	const char *attack;
	const char *reason;		/* end: "cleared", "stopped", ... */
	const uint8_t *host;		/* a per-host alert's host (a top item's key) */
	int range_wide;			/* a per-host rule's alert for the whole range: */
	uint64_t hosts_over;		/* more hosts over it than alerts.max_hosts */
	const struct xs_act_result *act; /* its mitigation filters (act.h); NULL: none */
	size_t nand;			/* start: the "and" conditions' values */
	double and_value[XS_RULE_AND_MAX];
	double and_threshold[XS_RULE_AND_MAX];
	const struct xs_metrics *m;	/* this interval's figures; NULL at a stop */
};

/* Called for every alert record; nonzero stops nothing, it is returned. */
typedef int (*xs_alert_fn)(void *ctx, const struct xs_alert *a);

struct xs_rules;

/* Does the rule alert per host (a threshold on a host metric)? */
int rules_per_host(const struct xs_rule *rule);

/* Rules of cfg (validated) over nslots slots (range id * 2 + dir). NULL
 * with err when out of memory. cfg must outlive the engine. */
struct xs_rules *rules_new(const struct xs_config *cfg, uint32_t nslots, char *err,
			   size_t errlen);
void rules_free(struct xs_rules *r);

/* A new interval ends at `now` (seconds) and lasts interval_s, after gap_s
 * seconds that had no interval at all (replay skips empty ones). */
void rules_begin(struct xs_rules *r, double now, double interval_s, double gap_s);

/* Evaluate every rule of one slot against its figures; fn gets each
 * record. Returns the first nonzero fn result, else 0. */
int rules_slot(struct xs_rules *r, uint32_t slot, const struct xs_metrics *m, xs_alert_fn fn,
	       void *ctx);

/*
 * Early detection, between interval ends: m holds what slot counted since
 * the interval began (rates over the seconds so far; no sketches). A rule
 * that rules_early_rule() allows and that holds on it starts now, rather
 * than at the interval's end, which then goes on with the whole
 * interval's figures. The sketches so far (uniq_src, the top lists of the
 * start record) come from live(uctx, slot, m), which adds them to a copy
 * of m, asked for only when a rule holds on the counters (0, or nonzero:
 * none; rules on uniq_src then wait for the interval's end). Returns the
 * first nonzero fn result.
 */
typedef int (*xs_live_fn)(void *uctx, uint32_t slot, struct xs_metrics *m);
int rules_early(struct xs_rules *r, uint32_t slot, const struct xs_metrics *m, double now,
		xs_live_fn live, void *uctx, xs_alert_fn fn, void *ctx);
/* Can the rule start early? Only on `above` conditions, none on a host
 * metric (the host lists are whole only at the interval's end), with no
 * for_s. */
int rules_early_rule(const struct xs_rule *rule);
/* Can any rule of the engine start early? */
int rules_early_any(const struct xs_rules *r);

/* End every active alert with `reason` (the daemon stops, the capture
 * ends). */
int rules_stop(struct xs_rules *r, double now, const char *reason, xs_alert_fn fn, void *ctx);

/*
 * A reload: `nw` (made from the new config) takes over the state of every
 * (rule, range, direction) that `old` also has, matched by rule name and
 * metric and by range name, so baselines go on learning and active alerts
 * go on under their id. Alerts of rules or ranges that are gone end with
 * reason "reloaded" (fn at old's time). Counts carry over. Returns the
 * first nonzero fn result.
 */
int rules_adopt(struct xs_rules *nw, const struct xs_rules *old, xs_alert_fn fn, void *ctx);
/* The engine's config moved (a struct copy): follow it. */
void rules_rebind(struct xs_rules *r, const struct xs_config *cfg);

/* Every alert between its start and end; host: a per-host alert's (a top
 * item's key), else NULL. */
typedef void (*xs_active_fn)(void *ctx, const char *rule, uint32_t slot, const uint8_t *host,
			     const char *attack);
void rules_foreach_active(const struct xs_rules *r, xs_active_fn fn, void *ctx);

struct xs_rules_stats {
	uint64_t active;		/* alerts between start and end */
	uint64_t started;		/* since rules_new */
	uint64_t ended;
	uint64_t early;			/* alerts started before their interval's end */
	uint64_t hosts_suppressed;	/* hosts over a per-host rule that got no alert of
					 * their own (alerts.max_hosts), an interval each */
};
void rules_stats(const struct xs_rules *r, struct xs_rules_stats *s);

/* Baselines to and from a JSON file (alerts.state_file), by rule name,
 * metric, range name and direction: a restart or a changed config keeps
 * what still matches. Save writes a temporary file and renames it. 0 or
 * -errno with err; loading a missing file is 0. */
int rules_save_state(const struct xs_rules *r, const char *path, char *err, size_t errlen);
int rules_load_state(struct xs_rules *r, const char *path, char *err, size_t errlen);

#endif /* XS_RULES_H */
