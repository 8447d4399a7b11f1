// SPDX-License-Identifier: GPL-2.0
/*
 * The alert hook as a sink (alerts.exec): the `start` and `end` records
 * of every alert go to the program on its standard input (hook.c runs it,
 * never waiting). Open whenever rules may alert, so that a reload can
 * give it a program; without one it does nothing and reports nothing.
 * Its statistics (also the summary's alerts.hooks): "started", "ok",
 * "failed", "timeout", "skipped", "last_status".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "hook.h"
#include "log.h"
#include "rules.h"
#include "sink.h"

/* The program of a config: only rules make alerts. */
static char *const *hook_argv(const struct xs_config *cfg)
{
	return cfg->nrules ? cfg->alerts.exec_argv : NULL;
}

static void *hook_open(const struct xs_sink_env *env, int *e, char *err, size_t errlen)
{
	const struct xs_alerts_cfg *a = &env->cfg->alerts;
	struct xs_hooks *h = calloc(1, sizeof(*h));

	*e = h ? 0 : -ENOMEM;
	if (h && hook_argv(env->cfg))
		*e = config_check_exec(env->cfg, err, errlen);
	if (!*e)
		*e = hook_init(h, hook_argv(env->cfg), a->exec_timeout_s, a->exec_max);
	if (*e) {
		if (*e == -ENOMEM)
			set_err(err, errlen, "alert hooks: %s", strerror(-*e));
		free(h);
		return NULL;
	}
	return h;
}

static int hook_record(void *st, struct xs_record *r)
{
	const char *line;
	size_t len;

	if (r->type != XS_REC_ALERT || r->alert_state == XS_ALERT_ONGOING ||
	    !((struct xs_hooks *)st)->argv)
		return 0;
	line = sink_record_line(r, &len);
	if (!line)
		return -ENOMEM;
	/* Reap first: an `end` whose `start` hook has exited starts now
	 * rather than waiting in the queue for the next poll. */
	hook_poll(st);
	hook_run(st, r->alert_id, line, len);	/* a failure is counted as skipped */
	return 0;
}

static void hook_end(void *st, const struct xs_interval_end *ie)
{
	(void)ie;
	hook_poll(st);
}

static size_t hook_stats(void *st, struct xs_sink_stat *out)
{
	struct xs_hooks *h = st;
	size_t n = 0;

	if (!h->argv)
		return 0;
	out[n++] = (struct xs_sink_stat){ .key = "started", .value = h->st.started };
	out[n++] = (struct xs_sink_stat){ .key = "ok", .value = h->st.ok };
	out[n++] = (struct xs_sink_stat){ .key = "failed", .value = h->st.failed };
	out[n++] = (struct xs_sink_stat){ .key = "timeout", .value = h->st.timeout };
	out[n++] = (struct xs_sink_stat){ .key = "skipped", .value = h->st.skipped };
	if (h->st.has_last)
		out[n++] = (struct xs_sink_stat){ .key = "last_status", .is_signed = 1,
						  .value = (uint64_t)(int64_t)h->st.last_status };
	return n;
}

/* The program was checked with the whole config (config_check_exec);
 * hooks in flight go on under their old timeout. */
static int hook_reload(void *st, const struct xs_sink_env *env, char *err, size_t errlen)
{
	const struct xs_alerts_cfg *a = &env->cfg->alerts;
	int e = hook_update(st, hook_argv(env->cfg), a->exec_timeout_s, a->exec_max);

	if (e)
		set_err(err, errlen, "alert hooks: %s", strerror(-e));
	return e;
}

static uint64_t hook_stop(void *st)
{
	hook_finish(st);
	free(st);
	return 0;
}

const struct xs_sink_ops sink_hook_ops = {
	.name = "hook",
	.open = hook_open,
	.record = hook_record,
	.interval_end = hook_end,
	.stats = hook_stats,
	.reload = hook_reload,
	.stop = hook_stop,
};
