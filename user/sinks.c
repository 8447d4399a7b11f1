// SPDX-License-Identifier: GPL-2.0
/*
 * The table of sinks and what the reporter calls on the open ones
 * (sink.h). A sink's failure is told once per streak, here, so no sink
 * prints about its own records.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "sink.h"

/* Their order is the order of the summary's "sinks" object. */
const struct xs_sink_ops *const xs_sinks[] = {
	&sink_file_ops,
	&sink_hook_ops,
	&sink_prom_ops,
	&sink_influx_ops,
	&sink_clickhouse_ops,
	NULL,
};

json_t *sink_record_doc(struct xs_record *r)
{
	if (r->doc || r->oom)
		return r->doc;
	switch (r->type) {
	case XS_REC_RANGE:
		r->doc = emit_range_doc(r->m, r->range, r->dir, r->delta, r->skl, r->sk);
		break;
	case XS_REC_ALERT:
		r->doc = emit_alert_doc(r->m, r->alert, r->top_n);
		break;
	case XS_REC_SUMMARY:
		r->doc = emit_summary_doc(r->m, r->s);
		break;
	}
	r->oom = !r->doc;
	return r->doc;
}

const char *sink_record_line(struct xs_record *r, size_t *len)
{
	if (!r->line && sink_record_doc(r)) {
		r->line = emit_dump(r->doc);
		r->len = r->line ? strlen(r->line) : 0;
	}
	*len = r->len;
	return r->line;
}

void sink_record_done(struct xs_record *r)
{
	json_decref(r->doc);
	free(r->line);
	r->doc = NULL;
	r->line = NULL;
	r->len = 0;
	r->oom = 0;
}

int sinks_open(struct xs_sinks *ss, const struct xs_config *cfg, enum xs_cmd cmd,
	       const char *const *args, char *err, size_t errlen)
{
	struct xs_sink_env env = { .cfg = cfg, .cmd = cmd };
	size_t i;
	void *st;
	int e;

	memset(ss, 0, sizeof(*ss));
	for (i = 0; xs_sinks[i]; i++) {
		env.arg = args ? args[i] : NULL;
		if (xs_sinks[i]->option && !env.arg &&
		    !(xs_sinks[i]->wanted && (xs_sinks[i]->cmds & cmd) && xs_sinks[i]->wanted(cfg)))
			continue;
		e = 0;
		st = xs_sinks[i]->open(&env, &e, err, errlen);
		if (!st && e) {
			sinks_stop(ss);
			return e;
		}
		if (!st)
			continue;
		ss->ops[ss->n] = xs_sinks[i];
		ss->st[ss->n++] = st;
	}
	return 0;
}

void *sinks_find(const struct xs_sinks *ss, const struct xs_sink_ops *ops)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		if (ss->ops[i] == ops)
			return ss->st[i];
	return NULL;
}

int sinks_record(struct xs_sinks *ss, struct xs_record *r)
{
	int first = 0, e;
	size_t i;

	for (i = 0; i < ss->n; i++) {
		if (!ss->ops[i]->record)
			continue;
		e = ss->ops[i]->record(ss->st[i], r);
		if (e && !first)
			first = e;
		if (e && !ss->failing[i])
			log_err("%s: records not written: %s (counted in sinks.%s.dropped)",
				ss->ops[i]->where ? ss->ops[i]->where(ss->st[i]) :
						    ss->ops[i]->name,
				strerror(-e), ss->ops[i]->name);
		ss->failing[i] = e != 0;
	}
	return first;
}

void sinks_interval_end(struct xs_sinks *ss, const struct xs_interval_end *ie)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		if (ss->ops[i]->interval_end)
			ss->ops[i]->interval_end(ss->st[i], ie);
}

void sinks_stats(struct xs_sinks *ss, struct xs_summary *s)
{
	size_t i;

	s->nsinks = 0;
	for (i = 0; i < ss->n; i++) {
		struct xs_sink_view *v = &s->sinks[s->nsinks];

		if (!ss->ops[i]->stats)
			continue;
		v->name = ss->ops[i]->name;
		v->n = ss->ops[i]->stats(ss->st[i], v->st);
		if (v->n)		/* nothing to tell: not in the summary */
			s->nsinks++;
	}
}

int sinks_reload(struct xs_sinks *ss, const struct xs_config *cfg, enum xs_cmd cmd)
{
	struct xs_sink_env env = { .cfg = cfg, .cmd = cmd };
	char err[XS_ERR_LEN];
	int first = 0, e;
	size_t i;

	for (i = 0; i < ss->n; i++) {
		if (!ss->ops[i]->reload)
			continue;
		e = ss->ops[i]->reload(ss->st[i], &env, err, sizeof(err));
		if (e) {
			log_err("SIGHUP: %s", err);
			if (!first)
				first = e;
		}
	}
	return first;
}

uint64_t sinks_stop(struct xs_sinks *ss)
{
	uint64_t lost = 0;

	while (ss->n--)
		lost += ss->ops[ss->n]->stop(ss->st[ss->n]);
	ss->n = 0;
	return lost;
}

void sink_signals_block(sigset_t *old)
{
	sigset_t sigs;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, old);
}

void sink_signals_restore(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}
