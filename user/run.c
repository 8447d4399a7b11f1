// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "pipeline.h"
#include "run.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t hup_requested;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		hup_requested = 1;
	else
		stop_requested = 1;
}

void run_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int run_stopping(void)
{
	return stop_requested;
}

int run_hup(void)
{
	if (!hup_requested)
		return 0;
	hup_requested = 0;
	return 1;
}

static double mib(uint64_t b)
{
	return b / 1048576.0;
}

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (a->tv_sec - b->tv_sec) + (a->tv_nsec - b->tv_nsec) / 1e9;
}

static void ts_add_ms(struct timespec *t, unsigned int ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

struct prog_track {
	const char *hook;
	int fd;
	uint64_t run_ns, run_cnt;
};

static void fill_prog_stats(struct xs_summary *s, struct prog_track *pt, int n, const char **modes,
			    int stats_on)
{
	int i;

	s->nprogs = 0;
	for (i = 0; i < n; i++) {
		struct xs_prog_stat *ps = &s->progs[s->nprogs++];
		uint64_t ns = 0, cnt = 0;
		uint32_t id = 0;

		memset(ps, 0, sizeof(*ps));
		ps->hook = pt[i].hook;
		ps->mode = modes[i];
		if (loader_prog_stats(pt[i].fd, &ns, &cnt, &id))
			continue;
		ps->prog_id = id;
		if (stats_on && cnt > pt[i].run_cnt) {
			ps->has_ns = 1;
			ps->run_cnt = cnt - pt[i].run_cnt;
			ps->ns_per_pkt = (double)(ns - pt[i].run_ns) / ps->run_cnt;
		}
		pt[i].run_ns = ns;
		pt[i].run_cnt = cnt;
	}
}

/* The programs of l, from their run-time counters' zero. */
static void track_progs(struct prog_track *pt, const struct xs_loader *l, int n)
{
	pt[0] = (struct prog_track){ .hook = "xdp", .fd = loader_xdp_fd(l) };
	if (n > 1)
		pt[1] = (struct prog_track){ .hook = "tc", .fd = loader_tc_fd(l) };
}

static int ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/*
 * An early-detection tick (alerts.check_ms) between interval ends: the
 * rules look at the interval so far. The next tick is check_ms on, or
 * later when a check took more than a tenth of that, so the checks never
 * take more than a tenth of a CPU whatever the number of ranges.
 */
static void early_tick(struct xs_pipeline *p, const char *host, const char *ifname,
		       const struct timespec *last, struct timespec *tick)
{
	unsigned int ms = p->cfg->alerts.check_ms;
	struct timespec now, done, wall;
	struct xs_rec_meta m;
	double took;

	clock_gettime(CLOCK_MONOTONIC, &now);
	clock_gettime(CLOCK_REALTIME, &wall);
	m = (struct xs_rec_meta){ .host = host, .ifname = ifname, .ts = wall,
				  .interval_s = ts_diff(&now, last) };
	pipeline_early(p, &m);	/* losses: counted and told by the sinks */
	clock_gettime(CLOCK_MONOTONIC, &done);
	took = ts_diff(&done, &now) * 1e3;
	*tick = done;
	ts_add_ms(tick, took * 10 > ms ? (unsigned int)(took * 10) : ms);
}

static int stats_sysctl_on(void)
{
	FILE *f = fopen("/proc/sys/kernel/bpf_stats_enabled", "r");
	int v = 0;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/*
 * SIGHUP: the sinks reopen (the output file), and the config is read
 * again from its sources and takes over (pipeline_reload). Returns -1
 * when the daemon cannot go on.
 */
static int reload(struct xs_pipeline *p, const struct xs_run_opts *o, const struct xs_rec_meta *m)
{
	struct xs_config n;
	int e;

	if (!o->reload)
		return pipeline_reload(p, NULL, m);
	config_init(&n);
	if (o->reload(o->reload_ctx, &n)) {
		log_err("SIGHUP: the new config is refused, the running one goes on");
		e = pipeline_reload(p, NULL, m);
	} else {
		e = pipeline_reload(p, &n, m);
	}
	config_free(&n);
	return e;
}

int run_daemon(struct xs_config *cfg, const struct xs_run_opts *o)
{
	struct xs_pipeline p;
	struct prog_track pt[2] = {};
	const char *modes[2];
	char host[256], err[XS_ERR_LEN];
	struct timespec next, last, now, wall, t0;
	struct xs_rec_meta lastm;
	uint64_t late = 0, intervals = 0;
	int nprogs = 1, rc, e;

	if (o->host)
		snprintf(host, sizeof(host), "%s", o->host);
	else if (gethostname(host, sizeof(host)))
		snprintf(host, sizeof(host), "localhost");
	clock_gettime(CLOCK_REALTIME, &wall);
	lastm = (struct xs_rec_meta){ .host = host, .ifname = o->ifname, .ts = wall };

	/* Before anything is attached: a signal from now on only sets a flag,
	 * so SIGINT/SIGTERM during start-up still detaches. */
	run_signals();
	rc = pipeline_open(&p, cfg, XS_CMD_RUN, o->sink_args, err, sizeof(err));
	if (rc) {
		log_err("%s", err);
		goto out;
	}
	rc = XS_EXIT_FAIL;
	if (loader_bpffs(err, sizeof(err)) || loader_check_free(o->ifname, err, sizeof(err)) ||
	    pipeline_attach(&p, o->ifname, o->xdp_mode, o->egress, err, sizeof(err)) ||
	    (o->bpf_stats && loader_enable_stats(&p.col.l, err, sizeof(err)))) {
		log_err("%s", err);
		goto out;
	}
	log_info("%s: attached (xdp %s%s), %zu ranges, kernel memory %.1f MiB of %.1f MiB, "
		 "pins in %s", o->ifname, p.col.l.xdp_mode, o->egress ? ", tc egress" : "",
		 cfg->nranges, mib(pipeline_kernel_mem(&p)), mib(cfg->max_kernel_mem),
		 p.col.l.pin_dir);

	modes[0] = p.col.l.xdp_mode;
	modes[1] = "egress";
	nprogs = o->egress ? 2 : 1;
	track_progs(pt, &p.col.l, nprogs);
	{
		struct xs_summary tmp = {};

		fill_prog_stats(&tmp, pt, nprogs, modes, 0);
	}

	clock_gettime(CLOCK_MONOTONIC, &last);
	next = last;
	ts_add_ms(&next, cfg->interval_ms);
	while (1) {
		struct xs_summary s = {};
		struct xs_rec_meta m;
		struct timespec tick = last, *wake;
		int final;

		ts_add_ms(&tick, cfg->alerts.check_ms);
		while (!run_stopping()) {
			wake = pipeline_early_on(&p) && ts_before(&tick, &next) ? &tick : &next;
			e = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, wake, NULL);
			if (run_hup()) {
				struct xs_rec_meta hm = lastm;

				clock_gettime(CLOCK_REALTIME, &wall);
				hm.ts = wall;
				hm.interval_s = ts_diff(&wall, &lastm.ts);
				if (reload(&p, o, &hm))
					goto out;
				/* New programs: their own run-time counters. */
				track_progs(pt, &p.col.l, nprogs);
				modes[0] = p.col.l.xdp_mode;
			}
			if (!e && wake == &tick) {
				early_tick(&p, host, o->ifname, &last, &tick);
				continue;
			}
			if (!e)
				break;
		}
		final = run_stopping();
		clock_gettime(CLOCK_MONOTONIC, &t0);
		clock_gettime(CLOCK_REALTIME, &wall);
		if (!final && ts_diff(&t0, &next) > cfg->interval_ms / 1000.0) {
			late++;
			next = t0;
		}
		now = t0;
		m = (struct xs_rec_meta){ .host = host, .ifname = o->ifname, .ts = wall,
					  .interval_s = ts_diff(&now, &last) };
		s.drains_late = late;
		fill_prog_stats(&s, pt, nprogs, modes, o->bpf_stats || stats_sysctl_on());
		e = pipeline_interval(&p, &m, 1, NULL, &s, err, sizeof(err));
		lastm = m;
		if (e) {
			log_err("%s: %s", o->ifname, err);
			goto out;
		}
		late = 0;
		last = now;
		intervals++;
		if (final || (o->max_intervals && intervals >= o->max_intervals))
			break;
		ts_add_ms(&next, cfg->interval_ms);
	}
	rc = XS_EXIT_OK;
out:
	pipeline_close(&p, &lastm, "stopped");
	return rc;
}
