// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "pipeline.h"

int pipeline_open(struct xs_pipeline *p, struct xs_config *cfg, enum xs_cmd cmd,
		  const char *const *sink_args, char *err, size_t errlen)
{
	struct xs_plan plan;
	int e;

	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->cmd = cmd;
	p->ncpus = libbpf_num_possible_cpus();
	e = collect_plan(cfg, p->ncpus, &plan, err, errlen);
	if (e) {
		collect_plan_free(&plan);
		return e == -E2BIG ? XS_EXIT_USAGE : XS_EXIT_FAIL;
	}
	e = sinks_open(&p->sinks, cfg, cmd, sink_args, err, errlen);
	if (!e)
		e = report_init(&p->rep, cfg, &p->sinks, cmd == XS_CMD_REPLAY, err, errlen);
	if (!e)
		e = collect_open(&p->col, &plan, cfg->nranges, err, errlen);
	collect_plan_free(&plan);
	return e ? XS_EXIT_FAIL : 0;
}

int pipeline_attach(struct xs_pipeline *p, const char *ifname, enum xs_xdp_mode mode, int egress,
		    char *err, size_t errlen)
{
	return collect_attach(&p->col, ifname, mode, egress, err, errlen);
}

int pipeline_load_one(struct xs_pipeline *p, int tc, char *err, size_t errlen)
{
	return collect_load_one(&p->col, tc, err, errlen);
}

uint64_t pipeline_kernel_mem(const struct xs_pipeline *p)
{
	return p->col.plan.kernel_mem;
}

int pipeline_interval(struct xs_pipeline *p, const struct xs_rec_meta *m, int sync,
		      const struct xs_global *extra, struct xs_summary *s, char *err,
		      size_t errlen)
{
	struct xs_figures f;
	int e;

	e = collect_read(&p->col, sync, extra, &f, err, errlen);
	if (e)
		return e;
	s->drain_ms = f.drain_ms;
	s->kernel_mem = p->col.plan.kernel_mem;
	report_interval(&p->rep, m, &f, s);	/* losses: counted and told by the sinks */
	return collect_done(&p->col, err, errlen);
}

static void removed_range(void *ctx, const char *range, int dir, const struct xs_counters *delta)
{
	struct xs_pipeline *p = ctx;

	report_range(&p->rep, p->rep.meta, range, dir, delta);
}

int pipeline_reload(struct xs_pipeline *p, struct xs_config *n, const struct xs_rec_meta *m)
{
	struct xs_config old;
	struct xs_plan plan;
	char err[XS_ERR_LEN];
	const char *what;
	int fatal = 0, kernel, e;

	if (!n)
		goto sinks;
	what = config_fixed_diff(p->cfg, n);
	if (what) {
		log_err("SIGHUP: the new config changes %s, which needs a restart; the running "
			"config goes on", what);
		goto sinks;
	}
	if (config_check_exec(n, err, sizeof(err))) {
		log_err("SIGHUP: %s; the running config goes on", err);
		goto sinks;
	}
	kernel = !config_same_ranges(p->cfg, n) || memcmp(&p->cfg->stats, &n->stats,
							  sizeof(n->stats));
	if (kernel) {
		e = collect_plan(n, p->ncpus, &plan, err, sizeof(err));
		p->rep.meta = m;
		if (!e)
			e = collect_replace(&p->col, p->cfg, n, &plan, removed_range, p, &fatal,
					    err, sizeof(err));
		collect_plan_free(&plan);
		if (e) {
			log_err("SIGHUP: %s; %s", err,
				fatal ? "cannot go on" : "the running config goes on");
			goto sinks;
		}
	}
	if (report_reload(&p->rep, n, m, err, sizeof(err))) {
		log_err("SIGHUP: %s", err);
		fatal = kernel ? -1 : 0;	/* the maps are the new config's already */
		goto sinks;
	}
	old = *p->cfg;
	*p->cfg = *n;
	*n = old;
	report_moved(&p->rep, p->cfg);
	log_info("SIGHUP: config reloaded, %zu ranges, %zu rules%s", p->cfg->nranges,
		 p->cfg->nrules, kernel ? ", programs and maps replaced" : "");
sinks:
	sinks_reload(&p->sinks, p->cfg, p->cmd);
	return fatal;
}

uint64_t pipeline_lost(struct xs_pipeline *p)
{
	struct xs_summary s;
	uint64_t lost = 0;
	size_t i, k;

	sinks_stats(&p->sinks, &s);
	for (i = 0; i < s.nsinks; i++)
		for (k = 0; k < s.sinks[i].n; k++)
			if (!strcmp(s.sinks[i].st[k].key, "dropped"))
				lost += s.sinks[i].st[k].value;
	return lost;
}

int pipeline_close(struct xs_pipeline *p, const struct xs_rec_meta *m, const char *reason)
{
	int e;

	/* After the detach: the last records are the alerts' ends. */
	collect_close(&p->col);
	e = report_stop(&p->rep, m, reason);
	if (sinks_stop(&p->sinks) && !e)
		e = -EIO;	/* a store did not take everything */
	return e;
}
