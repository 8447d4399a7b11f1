/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XS_RUN_H
#define XS_RUN_H

#include <sys/socket.h>
#include "config.h"
#include "loader.h"
#include "report.h"

struct xs_run_opts {
	const char *ifname;
	enum xs_xdp_mode xdp_mode;
	int egress;
	int bpf_stats;			/* turn kernel.bpf_stats_enabled on while we run */
	const char *host;		/* NULL: gethostname() */
	unsigned long max_intervals;	/* stop after this many (0: never) */
	const char *metrics_addr;	/* --metrics as given; NULL: off */
	const char *influx_url;		/* --influx; NULL: off */
	struct sockaddr_storage metrics_ss;	/* parsed (metrics_parse_addr) */
	/* SIGHUP: build the config again from its sources into an initialized
	 * cfg; 0, or nonzero after printing why. NULL: SIGHUP only reopens
	 * the output. */
	int (*reload)(void *ctx, struct xs_config *cfg);
	void *reload_ctx;
};

/* The daemon: attach, drain and report every interval until SIGINT or
 * SIGTERM, detach. Returns an exit code (XS_EXIT_*). */
int run_daemon(struct xs_config *cfg, const struct xs_run_opts *o);

/* Build the tries and check the kernel memory against the budget; shared
 * by run, replay and check-config. Prints nothing; 0 or -errno with err. */
int run_prepare_tries(const struct xs_config *cfg, struct xs_trie *t4, struct xs_trie *t6,
		      uint64_t *kernel_mem, int ncpus, char *err, size_t errlen);

/* The interval's sketches for the report: end the epoch (loader_sk_flip)
 * and point rep->ske at it; after the report, clear it with
 * run_sketches_done() (loader_sk_clear). No-ops when sketches are off.
 * 0 or -errno. */
int run_sketches_flip(struct xs_loader *l, struct xs_report *rep, int sync);
int run_sketches_done(struct xs_loader *l, struct xs_report *rep);

#endif /* XS_RUN_H */
