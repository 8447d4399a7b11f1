// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "drain.h"
#include "emit.h"
#include "log.h"
#include "report.h"
#include "counters.h"
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

static void install_signals(void)
{
	/* SA_RESTART: a signal during attach must not fail a netlink call;
	 * clock_nanosleep still returns EINTR, so the loop sees the flag. */
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static double mib(uint64_t b)
{
	return b / 1048576.0;
}

int run_prepare_tries(const struct xs_config *cfg, struct xs_trie *t4, struct xs_trie *t6,
		      uint64_t *kernel_mem, int ncpus, char *err, size_t errlen)
{
	struct xs_sizes sz;
	int e;

	e = trie_init(t4, 4);
	if (!e)
		e = trie_init(t6, 6);
	if (!e)
		e = trie_build(t4, t6, cfg);
	if (e) {
		snprintf(err, errlen, "building the range tables: %s",
			 e == -E2BIG ? "more ranges or trie nodes than the compile-time limits" :
				       strerror(-e));
		return e;
	}
	loader_sizes(&sz, cfg->nranges, t4, t6);
	skread_layout(&sz.sk, &cfg->stats, XS_SLOTS(cfg->nranges));
	*kernel_mem = loader_kernel_mem(&sz, ncpus);
	if (*kernel_mem > cfg->max_kernel_mem) {
		snprintf(err, errlen, "%s: the config needs %.1f MiB of kernel memory, over the "
			 "budget of %.1f MiB (raise it with --max-kernel-mem or max_kernel_mem)",
			 cfg->source ? cfg->source : "ranges", mib(*kernel_mem),
			 mib(cfg->max_kernel_mem));
		return -E2BIG;
	}
	return 0;
}

int run_sketches_flip(struct xs_loader *l, struct xs_report *rep, int sync)
{
	if (!rep->sk)
		return 0;
	rep->ske = loader_sk_flip(l, sync);
	return rep->ske ? 0 : -errno;
}

int run_sketches_done(struct xs_loader *l, struct xs_report *rep)
{
	int e = 0;

	if (rep->sk && rep->ske)
		e = loader_sk_clear(l, rep->ske);
	rep->ske = NULL;
	return e;
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

/* What run_daemon() holds of the kernel side, for a reload to replace. */
struct run_kernel {
	struct xs_trie *t4, *t6;
	struct xs_loader *l;
	struct xs_drain *d;
	struct xs_skread *skr;
	struct xs_sk_layout *sk;
	struct prog_track *pt;
	int nprogs;
	uint64_t *kmem;
};

/*
 * New ranges or stats: new maps and programs put in place of the running
 * ones at once (loader_replace), then every range kept (by name) goes on
 * from its totals (drain_carry): no gap, no jump; new ranges start from
 * zero, removed ones stop. What the sketches held of the interval so far
 * stays in the old maps (the interval's uniq_src and top lists start at
 * the reload). Before the replace any failure leaves the running config;
 * after it, a failure is fatal (-1 in *fatal).
 */
static int reload_kernel(const struct xs_config *cfg, const struct xs_config *n,
			 struct run_kernel *k, struct xs_report *rep, const struct xs_rec_meta *m,
			 int *fatal, char *err, size_t errlen)
{
	struct xs_trie n4 = {}, n6 = {};
	struct xs_loader nl = {};
	struct xs_drain nd = {};
	struct xs_skread nskr = {};
	struct xs_sk_layout nsk;
	uint64_t nkmem;
	uint32_t r, dir, id;
	int e;

	e = run_prepare_tries(n, &n4, &n6, &nkmem, k->l->ncpus, err, errlen);
	if (e)
		goto out;
	skread_layout(&nsk, &n->stats, XS_SLOTS(n->nranges));
	e = loader_open(&nl, &n4, &n6, n->nranges, err, errlen);
	if (!e)
		e = loader_sketches(&nl, &nsk, err, errlen);
	if (!e && nsk.nslots && (e = skread_init(&nskr, &nsk)))
		snprintf(err, errlen, "allocating the sketch buffers: %s", strerror(-e));
	if (!e)
		e = loader_replace(&nl, k->l, err, errlen);
	if (e) {
		*fatal = k->l->xdp_attached ? 0 : -1;	/* the old programs are gone */
		goto out;
	}
	*fatal = -1;
	e = drain_read(k->d);			/* the old maps, final */
	if (!e)
		e = drain_init(&nd, loader_ctrs_fd(&nl), loader_global_fd(&nl),
			       XS_SLOTS(n->nranges), nl.ncpus);
	if (e) {
		snprintf(err, errlen, "reading the old counters: %s", strerror(-e));
		goto out;
	}
	*fatal = 0;
	for (dir = 0; dir < XS_DIR_MAX; dir++)
		drain_carry(&nd, dir, k->d, dir);		/* unmatched */
	for (r = 1; r <= n->nranges; r++) {
		id = config_range_id(cfg, n->ranges[r - 1].name);
		for (dir = 0; id && dir < XS_DIR_MAX; dir++)
			drain_carry(&nd, r * XS_DIR_MAX + dir, k->d, id * XS_DIR_MAX + dir);
	}
	drain_carry_global(&nd, k->d);
	/* A removed range's last record: what it counted since the report. */
	for (r = 1; r <= cfg->nranges; r++) {
		if (config_range_id(n, cfg->ranges[r - 1].name))
			continue;
		for (dir = 0; dir < XS_DIR_MAX; dir++) {
			struct xs_counters dl;
			uint32_t slot = r * XS_DIR_MAX + dir;

			counters_delta(&dl, &k->d->cur[slot], &k->d->prev[slot]);
			if (counters_pkts(&dl))
				report_range(rep, m, cfg->ranges[r - 1].name, dir, &dl);
		}
	}
	loader_close(k->l);
	*k->l = nl;
	memset(&nl, 0, sizeof(nl));
	drain_free(k->d);
	*k->d = nd;
	skread_free(k->skr);
	*k->skr = nskr;
	memset(&nskr, 0, sizeof(nskr));
	*k->sk = nsk;
	rep->sk = nsk.nslots ? k->skr : NULL;
	rep->nslots = k->d->nslots;
	trie_free(k->t4);
	trie_free(k->t6);
	*k->t4 = n4;
	*k->t6 = n6;
	memset(&n4, 0, sizeof(n4));
	memset(&n6, 0, sizeof(n6));
	*k->kmem = nkmem;
	k->pt[0] = (struct prog_track){ .hook = "xdp", .fd = loader_xdp_fd(k->l) };
	if (k->nprogs > 1)
		k->pt[1] = (struct prog_track){ .hook = "tc", .fd = loader_tc_fd(k->l) };
out:
	if (nl.skel)
		loader_close(&nl);
	skread_free(&nskr);
	trie_free(&n4);
	trie_free(&n6);
	return e;
}

/*
 * SIGHUP: reopen the output, read the config again and let it take over:
 * new rules and alerts (report_rules_reload: baselines and active alerts
 * go on), new ranges and stats (reload_kernel). A config that does not
 * load, or changes what only a restart can (config_fixed_diff), is
 * refused and the running one goes on. Returns -1 when the daemon cannot
 * go on.
 */
static int reload(struct xs_config *cfg, struct xs_report *rep, struct xs_output *out,
		  const struct xs_run_opts *o, const struct xs_rec_meta *m, struct run_kernel *k)
{
	struct xs_config n, old;
	char err[XS_ERR_LEN];
	const char *what;
	int fatal = 0, kernel;

	if (output_reopen(out))
		log_err("%s: cannot reopen: %s", cfg->output_file, strerror(errno));
	if (!o->reload)
		return 0;
	config_init(&n);
	if (o->reload(o->reload_ctx, &n)) {
		log_err("SIGHUP: the new config is refused, the running one goes on");
		goto out;
	}
	what = config_fixed_diff(cfg, &n);
	if (what) {
		log_err("SIGHUP: the new config changes %s, which needs a restart; the running "
			"config goes on", what);
		goto out;
	}
	if (n.alerts.exec_argv && access(n.alerts.exec_argv[0], X_OK)) {
		log_err("SIGHUP: alerts.exec: %s: expected an executable program: %s; the running "
			"config goes on", n.alerts.exec_argv[0], strerror(errno));
		goto out;
	}
	kernel = !config_same_ranges(cfg, &n) || memcmp(&cfg->stats, &n.stats, sizeof(n.stats));
	if (kernel && reload_kernel(cfg, &n, k, rep, m, &fatal, err, sizeof(err))) {
		log_err("SIGHUP: %s; %s", err, fatal ? "cannot go on" : "the running config goes on");
		goto out;
	}
	if (report_rules_reload(rep, &n, m, err, sizeof(err))) {
		log_err("SIGHUP: %s", err);
		fatal = kernel ? -1 : 0;	/* the maps are the new config's already */
		goto out;
	}
	old = *cfg;
	*cfg = n;
	config_init(&n);
	report_rules_moved(rep);
	if (kernel && rep->metrics) {
		char **names = calloc(cfg->nranges + 1, sizeof(*names));
		size_t i;

		for (i = 0; names && i < cfg->nranges; i++)
			names[i] = cfg->ranges[i].name;
		if (!names || metrics_set_names(rep->metrics, names, cfg->nranges))
			log_err("SIGHUP: out of memory for the metrics' range names");
		free(names);
	}
	config_free(&old);
	log_info("SIGHUP: config reloaded, %zu ranges, %zu rules%s", cfg->nranges, cfg->nrules,
		 kernel ? ", programs and maps replaced" : "");
out:
	config_free(&n);
	return fatal;
}

int run_daemon(struct xs_config *cfg, const struct xs_run_opts *o)
{
	struct xs_trie t4 = {}, t6 = {};
	struct xs_loader l = {};
	struct xs_drain d = {};
	struct xs_output out = {};
	struct xs_report rep = {};
	struct xs_skread skr = {};
	struct xs_sk_layout sk;
	struct prog_track pt[2] = {};
	const char *modes[2];
	char host[256], err[XS_ERR_LEN];
	struct timespec next, last, now, wall, t0, t1;
	struct xs_rec_meta lastm;
	struct run_kernel rk;
	uint64_t kmem = 0, late = 0, intervals = 0;
	int nprogs = 1, rc = XS_EXIT_FAIL, e, write_failing = 0;

	if (o->host)
		snprintf(host, sizeof(host), "%s", o->host);
	else if (gethostname(host, sizeof(host)))
		snprintf(host, sizeof(host), "localhost");

	e = run_prepare_tries(cfg, &t4, &t6, &kmem, libbpf_num_possible_cpus(), err,
			      sizeof(err));
	if (e) {
		log_err("%s", err);
		rc = e == -E2BIG ? XS_EXIT_USAGE : XS_EXIT_FAIL;
		goto out_tries;
	}
	/* Before anything is attached: a signal from now on only sets a flag,
	 * so SIGINT/SIGTERM during start-up still detaches. */
	install_signals();
	e = output_open(&out, cfg->output_file);
	if (e) {
		log_err("%s: cannot open for appending: %s", cfg->output_file, strerror(-e));
		goto out_tries;
	}
	clock_gettime(CLOCK_REALTIME, &wall);
	lastm = (struct xs_rec_meta){ .host = host, .ifname = o->ifname, .ts = wall };
	rep = (struct xs_report){ .out = &out, .cfg = cfg };
	if (report_rules_init(&rep, XS_SLOTS(cfg->nranges), err, sizeof(err))) {
		log_err("%s", err);
		goto out_output;
	}
	if (o->influx_url) {
		rep.influx = influx_start(o->influx_url, XS_INFLUX_BUFFER, err, sizeof(err));
		if (!rep.influx) {
			log_err("%s", err);
			goto out_output;
		}
	}
	if (o->metrics_addr) {
		char **names = calloc(cfg->nranges + 1, sizeof(*names));
		size_t i;

		for (i = 0; names && i < cfg->nranges; i++)
			names[i] = cfg->ranges[i].name;
		rep.metrics = names ? metrics_start(&o->metrics_ss, names, cfg->nranges, err,
						    sizeof(err)) : NULL;
		if (!names)
			snprintf(err, sizeof(err), "--metrics: out of memory");
		free(names);
		if (!rep.metrics) {
			log_err("%s", err);
			goto out_output;
		}
		log_info("metrics at http://%s/metrics",
			 metrics_addr_str(&o->metrics_ss, err, sizeof(err)));
	}
	if (loader_bpffs(err, sizeof(err)) || loader_check_free(o->ifname, err, sizeof(err))) {
		log_err("%s", err);
		goto out_output;
	}
	skread_layout(&sk, &cfg->stats, XS_SLOTS(cfg->nranges));
	e = loader_open(&l, &t4, &t6, cfg->nranges, err, sizeof(err));
	if (!e)
		e = loader_sketches(&l, &sk, err, sizeof(err));
	if (e) {
		log_err("%s", err);
		goto out_loader;
	}
	e = loader_attach(&l, o->ifname, o->xdp_mode, o->egress, err, sizeof(err));
	if (e) {
		log_err("%s", err);
		goto out_loader;
	}
	if (o->bpf_stats && loader_enable_stats(&l, err, sizeof(err))) {
		log_err("%s", err);
		goto out_loader;
	}
	e = drain_init(&d, loader_ctrs_fd(&l), loader_global_fd(&l), XS_SLOTS(cfg->nranges),
		       l.ncpus);
	if (e) {
		log_err("allocating the drain buffers: %s", strerror(-e));
		goto out_loader;
	}
	log_info("%s: attached (xdp %s%s), %zu ranges, kernel memory %.1f MiB of %.1f MiB, "
		 "pins in %s", o->ifname, l.xdp_mode, o->egress ? ", tc egress" : "",
		 cfg->nranges, mib(kmem), mib(cfg->max_kernel_mem), l.pin_dir);

	pt[0] = (struct prog_track){ .hook = "xdp", .fd = loader_xdp_fd(&l) };
	modes[0] = l.xdp_mode;
	if (o->egress) {
		pt[1] = (struct prog_track){ .hook = "tc", .fd = loader_tc_fd(&l) };
		modes[1] = "egress";
		nprogs = 2;
	}
	{
		struct xs_summary tmp = {};

		fill_prog_stats(&tmp, pt, nprogs, modes, 0);
	}
	rep.nslots = d.nslots;
	if (sk.nslots) {
		e = skread_init(&skr, &sk);
		if (e) {
			log_err("allocating the sketch buffers: %s", strerror(-e));
			goto out_drain;
		}
		rep.sk = &skr;
	}

	rk = (struct run_kernel){ .t4 = &t4, .t6 = &t6, .l = &l, .d = &d, .skr = &skr, .sk = &sk,
				  .pt = pt, .nprogs = nprogs, .kmem = &kmem };
	clock_gettime(CLOCK_MONOTONIC, &last);
	next = last;
	ts_add_ms(&next, cfg->interval_ms);
	while (1) {
		struct xs_summary s = {};
		struct xs_rec_meta m;
		int final;

		while (!stop_requested) {
			e = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
			if (hup_requested) {
				hup_requested = 0;
				struct xs_rec_meta hm = lastm;

				clock_gettime(CLOCK_REALTIME, &wall);
				hm.ts = wall;
				hm.interval_s = ts_diff(&wall, &lastm.ts);
				if (reload(cfg, &rep, &out, o, &hm, &rk))
					goto out_drain;
			}
			if (!e)
				break;
		}
		final = stop_requested;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		clock_gettime(CLOCK_REALTIME, &wall);
		if (!final && ts_diff(&t0, &next) > cfg->interval_ms / 1000.0) {
			late++;
			next = t0;
		}
		e = drain_read(&d);
		if (e) {
			log_err("%s: reading the counter maps: %s", o->ifname, strerror(-e));
			goto out_drain;
		}
		e = run_sketches_flip(&l, &rep, 1);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (e) {
			log_err("%s: ending the sketch epoch: %s", o->ifname, strerror(-e));
			goto out_drain;
		}
		now = t0;
		m = (struct xs_rec_meta){ .host = host, .ifname = o->ifname, .ts = wall,
					  .interval_s = ts_diff(&now, &last) };
		s.drain_ms = ts_diff(&t1, &t0) * 1e3;
		s.drains_late = late;
		s.kernel_mem = kmem;
		fill_prog_stats(&s, pt, nprogs, modes, o->bpf_stats || stats_sysctl_on());
		e = report_interval(&rep, &m, d.cur, d.prev, &d.gcur, &d.gprev, &s);
		lastm = m;
		if (e && !write_failing)
			log_err("%s: records not written: %s (counted in missed.records_dropped)",
				cfg->output_file ? cfg->output_file : "stdout", strerror(-e));
		write_failing = e != 0;
		e = run_sketches_done(&l, &rep);
		if (e) {
			log_err("%s: clearing the sketch epoch: %s", o->ifname, strerror(-e));
			goto out_drain;
		}
		drain_commit(&d);
		late = 0;
		last = now;
		intervals++;
		if (final || (o->max_intervals && intervals >= o->max_intervals))
			break;
		ts_add_ms(&next, cfg->interval_ms);
	}
	rc = XS_EXIT_OK;
out_drain:
	skread_free(&skr);
	drain_free(&d);
out_loader:
	loader_close(&l);
out_output:
	/* After the detach: the last records are the alerts' ends. */
	report_rules_stop(&rep, &lastm, "stopped");
	influx_stop(rep.influx, 5.0);
	metrics_stop(rep.metrics);
	output_close(&out);
out_tries:
	trie_free(&t4);
	trie_free(&t6);
	return rc;
}
