// SPDX-License-Identifier: GPL-2.0
/*
 * The InfluxDB sink (--influx URL): every record as one line of line
 * protocol (influx.c), a batch an interval handed to the writer thread.
 * Its statistics: lines "sent", "dropped", "failed" posts, "pending".
 */
#include <errno.h>
#include <string.h>
#include "influx.h"
#include "log.h"
#include "sink.h"

static int influx_check(const char *arg, char *err, size_t errlen)
{
	if (strncmp(arg, "http://", 7)) {
		set_err(err, errlen, "--influx: expected http://HOST[:PORT]/write?db=NAME, "
			"got \"%s\"", arg);
		return -EINVAL;
	}
	return 0;
}

static void *influx_open(const struct xs_sink_env *env, int *e, char *err, size_t errlen)
{
	struct xs_influx *x = influx_start(env->arg, XS_INFLUX_BUFFER, err, errlen);

	*e = x ? 0 : -EINVAL;
	return x;
}

static int influx_rec(void *st, struct xs_record *r)
{
	json_t *doc = sink_record_doc(r);

	if (!doc)
		return -ENOMEM;
	influx_record(st, doc);
	return 0;
}

static void influx_end(void *st, const struct xs_interval_end *ie)
{
	(void)ie;
	influx_flush(st);
}

static size_t influx_sink_stats(void *st, struct xs_sink_stat *out)
{
	struct xs_influx_stats is;

	influx_stats(st, &is);
	out[0] = (struct xs_sink_stat){ .key = "sent", .value = is.lines_sent };
	out[1] = (struct xs_sink_stat){ .key = "dropped", .value = is.lines_dropped };
	out[2] = (struct xs_sink_stat){ .key = "failed", .value = is.posts_failed };
	out[3] = (struct xs_sink_stat){ .key = "pending", .value = is.lines_pending };
	return 4;
}

/* At a stop it gets up to 5 s for the last lines. */
static void influx_sink_stop(void *st)
{
	influx_stop(st, 5.0);
}

const struct xs_sink_ops sink_influx_ops = {
	.name = "influx",
	.option = "influx",
	.metavar = "URL",
	.help = "also write the records to InfluxDB, e.g.\n"
		"http://127.0.0.1:8086/write?db=xdpscope",
	.cmds = XS_CMD_RUN,
	.check = influx_check,
	.open = influx_open,
	.record = influx_rec,
	.interval_end = influx_end,
	.stats = influx_sink_stats,
	.stop = influx_sink_stop,
};
