/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XS_RUN_H
#define XS_RUN_H

#include "config.h"
#include "loader.h"

struct xs_run_opts {
	const char *ifname;
	enum xs_xdp_mode xdp_mode;
	int egress;
	int bpf_stats;			/* turn kernel.bpf_stats_enabled on while we run */
	const char *host;		/* NULL: gethostname() */
	unsigned long max_intervals;	/* stop after this many (0: never) */
	/* The sinks' options: sink_args[i] for the i-th of xs_sinks[],
	 * NULL when not given. */
	const char *const *sink_args;
	/* SIGHUP: build the config again from its sources into an initialized
	 * cfg; 0, or nonzero after printing why. NULL: SIGHUP only reopens
	 * the output. */
	int (*reload)(void *ctx, struct xs_config *cfg);
	void *reload_ctx;
};

/*
 * The daemons' signals (run, and collect's sFlow loop): SIGINT and SIGTERM
 * ask to stop, SIGHUP to reload, SIGPIPE is ignored. SA_RESTART: a signal
 * during attach must not fail a netlink call; clock_nanosleep and poll
 * still return EINTR, so a loop waiting in them sees the request.
 */
void run_signals(void);
int run_stopping(void);
/* 1 once for the SIGHUPs since the last call. */
int run_hup(void);

/* The daemon: attach, drain and report every interval until SIGINT or
 * SIGTERM, detach. Returns an exit code (XS_EXIT_*). */
int run_daemon(struct xs_config *cfg, const struct xs_run_opts *o);

#endif /* XS_RUN_H */
