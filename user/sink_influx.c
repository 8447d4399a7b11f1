// SPDX-License-Identifier: GPL-2.0
/*
 * The InfluxDB sink (--influx URL, output.influx): every record as one
 * line of line protocol (influx.c), a batch an interval handed to the
 * HTTP writer thread. Its statistics: lines "sent", "dropped", "failed"
 * posts, lines "pending". A SIGHUP cannot change where it writes: the
 * writer keeps its settings, and a changed output.influx is told.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "influx.h"
#include "log.h"
#include "sink.h"
#include "textbuf.h"

struct influx_sink {
	struct xs_influx *x;
	const char *arg;		/* --influx, NULL: none */
	char *settings;			/* the writer's (settings()), for a reload */
	double stop_wait;
};

static int influx_check(const char *arg, char *err, size_t errlen)
{
	if (strncmp(arg, "http://", 7) && strncmp(arg, "https://", 8)) {
		set_err(err, errlen, "--influx: expected http(s)://HOST[:PORT][/PATH][?QUERY], "
			"got \"%s\"", arg);
		return -EINVAL;
	}
	return 0;
}

/* All that the writer was started with, in one string to compare. */
static char *settings(const struct xs_influx_cfg *c, const char *url)
{
	const char *const strs[] = { url, c->user, c->password, c->token, c->ca_file,
				     c->cert_file, c->key_file };
	struct xs_textbuf b = {};
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		textbuf_puts(&b, strs[i] ? strs[i] : "-");
		textbuf_put(&b, "\n", 1);
	}
	textbuf_u64(&b, c->insecure);
	textbuf_put(&b, " ", 1);
	textbuf_u64(&b, c->buffer);
	if (!b.oom)
		return b.p;
	free(b.p);
	return NULL;
}

static void forget(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

static void *influx_open(const struct xs_sink_env *env, int *e, char *err, size_t errlen)
{
	const struct xs_influx_cfg *c = &env->cfg->influx;
	struct influx_sink *s;
	char *url = NULL;
	const char *key;
	int v;

	*e = 0;
	if (!env->arg && !c->url)
		return NULL;
	*e = -EINVAL;
	if (env->arg && influx_check(env->arg, err, errlen))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto oom;
	s->arg = env->arg;
	/* A replay is over when the file is: give the store time to take it. */
	s->stop_wait = env->cmd == XS_CMD_REPLAY ? 30.0 : 5.0;
	s->x = influx_start(c, env->arg, err, errlen);
	if (!s->x) {
		free(s);
		return NULL;
	}
	if (influx_url(c, env->arg, &url, &v, &key, err, errlen) ||
	    !(s->settings = settings(c, url)))
		goto oom;
	free(url);
	*e = 0;
	return s;
oom:
	free(url);
	if (s)
		influx_stop(s->x, 0);
	free(s);
	set_err(err, errlen, "--influx: out of memory");
	*e = -ENOMEM;
	return NULL;
}

static const char *influx_sink_where(void *st)
{
	return influx_where(((struct influx_sink *)st)->x);
}

static int influx_rec(void *st, struct xs_record *r)
{
	json_t *doc = sink_record_doc(r);

	if (!doc)
		return -ENOMEM;
	influx_record(((struct influx_sink *)st)->x, doc);
	return 0;
}

static void influx_end(void *st, const struct xs_interval_end *ie)
{
	(void)ie;
	influx_flush(((struct influx_sink *)st)->x);
}

static size_t influx_sink_stats(void *st, struct xs_sink_stat *out)
{
	struct xs_influx_stats is;

	influx_stats(((struct influx_sink *)st)->x, &is);
	out[0] = (struct xs_sink_stat){ .key = "sent", .value = is.lines_sent };
	out[1] = (struct xs_sink_stat){ .key = "dropped", .value = is.lines_dropped };
	out[2] = (struct xs_sink_stat){ .key = "failed", .value = is.posts_failed };
	out[3] = (struct xs_sink_stat){ .key = "pending", .value = is.lines_pending };
	return 4;
}

/* The writer keeps what it was started with: a SIGHUP that changes any
 * of it is told, and the lines go on as before. */
static int influx_reload(void *st, const struct xs_sink_env *env, char *err, size_t errlen)
{
	struct influx_sink *s = st;
	char *url = NULL, *now = NULL, why[XS_ERR_LEN];
	const char *key;
	int v, e;

	e = influx_url(&env->cfg->influx, s->arg, &url, &v, &key, why, sizeof(why));
	if (e == -EINVAL)
		set_err(err, errlen, "output.influx.%s: %s; the lines go on to %s as before", key,
			why, influx_where(s->x));
	if (!e)
		now = settings(&env->cfg->influx, url);
	if (!e && !now)
		e = -ENOMEM;
	if (e == -ENOMEM)
		set_err(err, errlen, "output.influx: out of memory");
	if (!e && strcmp(now, s->settings)) {
		set_err(err, errlen, "output.influx: a change needs a restart; the lines go on "
			"to %s as before", influx_where(s->x));
		e = -EINVAL;
	}
	free(url);
	forget(now);
	return e;
}

static uint64_t influx_sink_stop(void *st)
{
	struct influx_sink *s = st;
	uint64_t lost = influx_stop(s->x, s->stop_wait);

	forget(s->settings);
	free(s);
	return lost;
}

static int influx_wanted(const struct xs_config *cfg)
{
	return cfg->influx.url != NULL;
}

const struct xs_sink_ops sink_influx_ops = {
	.name = "influx",
	.option = "influx",
	.metavar = "URL",
	.help = "also write the records to InfluxDB: 1.x\n"
		"http://127.0.0.1:8086/write?db=xdpscope, 2.x\n"
		"https://HOST:8086/api/v2/write?org=O&bucket=B\n"
		"(token: output.influx.token_file)",
	.cmds = XS_CMD_RUN | XS_CMD_REPLAY | XS_CMD_COLLECT,
	.wanted = influx_wanted,
	.check = influx_check,
	.open = influx_open,
	.where = influx_sink_where,
	.record = influx_rec,
	.interval_end = influx_end,
	.stats = influx_sink_stats,
	.reload = influx_reload,
	.stop = influx_sink_stop,
};
