// SPDX-License-Identifier: GPL-2.0
/*
 * The ClickHouse sink (--clickhouse URL, output.clickhouse): every
 * interval's records as rows of the shipped schema (chschema.c), one
 * INSERT a table and interval in JSONEachRow over HTTP (httpq.c), and
 * every sketch window (chdigest.c, 300 s by default) the distinct-source registers and top
 * lists the store merges across hosts.
 *
 * A row is the record's document flattened (proto.tcp.pkts becomes
 * proto_tcp_pkts, top lists left out), with `ts` as seconds and `ms`; the
 * server keeps the columns its table has (input_format_skip_unknown_fields),
 * so a field added to the records needs no change here. Alert and summary
 * rows also carry the whole record as `doc`.
 *
 * Exactly once: each INSERT holds one interval (or window) of one host and
 * interface, so (host, ifname, ts, ms) names it; after a failure that may
 * have hidden a stored INSERT, the writer asks for that key's rows before
 * sending it again (httpq.h). Inserts into a Distributed table are made
 * synchronous (insert_distributed_sync), so "stored" means on its shard.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chdigest.h"
#include "chschema.h"
#include "httpq.h"
#include "log.h"
#include "sink.h"
#include "textbuf.h"

#define CH_BUFFER (64u << 20)
#define CH_DIGEST_MEM (64u << 20)	/* a window ships early beyond this */

enum { T_RANGE, T_ALERT, T_SUMMARY, T_SKETCH, T_TOP, T_MAX };

struct ch {
	struct xs_httpq *q;
	char base[1024];
	char table[T_MAX][160];		/* database.prefix + name */
	char *insert_url[T_MAX];
	struct xs_textbuf rows[T_MAX];
	uint64_t nrows[T_MAX];
	struct xs_chdigest dig;
	unsigned int sketch_s;
	double window_s;		/* of the window being made */
	uint64_t window_end;		/* its boundary, ms since the epoch */
	struct timespec last_ts;	/* of the last interval */
	char host[256], ifname[256];
	double stop_wait;
	uint64_t rows_failed;		/* rows that could not be made */
};

static int ch_check(const char *arg, char *err, size_t errlen)
{
	if (strncmp(arg, "http://", 7) && strncmp(arg, "https://", 8)) {
		set_err(err, errlen, "--clickhouse: expected http://HOST:PORT or https://HOST:PORT, "
			"got \"%s\"", arg);
		return -EINVAL;
	}
	return 0;
}

static void sql_str(struct xs_textbuf *b, const char *s)
{
	textbuf_put(b, "'", 1);
	textbuf_escaped(b, s, "'\\");
	textbuf_put(b, "'", 1);
}

static char *insert_url(const char *base, const char *table)
{
	struct xs_textbuf b = {};
	char sql[256];

	snprintf(sql, sizeof(sql), "INSERT INTO %s FORMAT JSONEachRow", table);
	textbuf_puts(&b, base);
	textbuf_puts(&b, "/?input_format_skip_unknown_fields=1&insert_distributed_sync=1&query=");
	httpq_escape(&b, sql);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

static void *ch_open(const struct xs_sink_env *env, int *e, char *err, size_t errlen)
{
	const struct xs_ch_cfg *c = &env->cfg->clickhouse;
	const char *url = env->arg ? env->arg : c->url;
	unsigned int p = c->hll_precision;
	struct xs_http_target t = {
		.name = "clickhouse", .url = url, .user = c->user, .password = c->password,
		.content_type = "text/plain; charset=utf-8",
		.ca_file = c->ca_file, .cert_file = c->cert_file, .key_file = c->key_file,
		.insecure = c->insecure,
	};
	struct ch *s;
	size_t n;
	int i;

	*e = 0;
	if (!url)
		return NULL;
	*e = -EINVAL;
	if (ch_check(url, err, errlen))
		return NULL;
	if (!p)
		p = env->cfg->stats.hll_precision < 12 ? env->cfg->stats.hll_precision : 12;
	if (env->cfg->stats.enabled && p > env->cfg->stats.hll_precision) {
		set_err(err, errlen, "output.clickhouse.hll_precision: expected at most "
			"stats.hll_precision (%u), got %u", env->cfg->stats.hll_precision, p);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s || chd_init(&s->dig, p)) {
		set_err(err, errlen, "--clickhouse: out of memory");
		free(s);
		*e = -ENOMEM;
		return NULL;
	}
	snprintf(s->base, sizeof(s->base), "%s", url);
	n = strlen(s->base);
	while (n && s->base[n - 1] == '/')
		s->base[--n] = '\0';
	for (i = 0; i < T_MAX; i++) {
		snprintf(s->table[i], sizeof(s->table[i]), "%s.%s%s",
			 c->database ? c->database : XS_CH_DATABASE,
			 c->table_prefix ? c->table_prefix : "", chschema_table_names[i]);
		s->insert_url[i] = insert_url(s->base, s->table[i]);
		if (!s->insert_url[i])
			goto oom;
	}
	s->sketch_s = c->sketch_interval_s ? c->sketch_interval_s : XS_CH_SKETCH_S;
	s->stop_wait = env->cmd == XS_CMD_REPLAY ? 60.0 : 5.0;
	s->q = httpq_start(&t, c->buffer ? c->buffer : CH_BUFFER, err, errlen);
	if (!s->q)
		goto fail;
	*e = 0;
	return s;
oom:
	set_err(err, errlen, "--clickhouse: out of memory");
fail:
	for (i = 0; i < T_MAX; i++)
		free(s->insert_url[i]);
	chd_free(&s->dig);
	free(s);
	*e = -ENOMEM;
	return NULL;
}

static const char *ch_where(void *st)
{
	return ((struct ch *)st)->base;
}

/* {"ts":S,"ms":M,"host":H,"ifname":I  (no closing brace) */
static void row_head(struct xs_textbuf *b, const struct xs_rec_meta *m)
{
	textbuf_puts(b, "{\"ts\":");
	textbuf_u64(b, (unsigned long long)m->ts.tv_sec);
	textbuf_puts(b, ",\"ms\":");
	textbuf_u64(b, (unsigned long long)(m->ts.tv_nsec / 1000000));
	textbuf_puts(b, ",\"host\":");
	chd_json_str(b, m->host);
	textbuf_puts(b, ",\"ifname\":");
	chd_json_str(b, m->ifname);
}

/* The document's scalars, objects flattened with '_'; arrays left out.
 * name holds the prefix (plen bytes); names are the record's own, short. */
static void flat(struct xs_textbuf *b, char *name, size_t plen, json_t *obj)
{
	char num[64];
	const char *k;
	size_t klen;
	json_t *v;

	json_object_foreach(obj, k, v) {
		if (!plen && (!strcmp(k, "ts") || !strcmp(k, "host") || !strcmp(k, "ifname") ||
			      !strcmp(k, "schema") || !strcmp(k, "type") || !strcmp(k, "hll")))
			continue;
		klen = strlen(k);
		if (plen + klen + 2 > 256)
			continue;
		if (plen)
			name[plen] = '_';
		memcpy(name + plen + !!plen, k, klen + 1);
		switch (json_typeof(v)) {
		case JSON_OBJECT:
			flat(b, name, plen + !!plen + klen, v);
			continue;
		case JSON_ARRAY:
		case JSON_NULL:
			continue;
		case JSON_INTEGER:
			if (json_integer_value(v) >= 0) {
				textbuf_puts(b, ",\"");
				textbuf_put(b, name, plen + !!plen + klen);
				textbuf_puts(b, "\":");
				textbuf_u64(b, (unsigned long long)json_integer_value(v));
				continue;
			}
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			break;
		case JSON_REAL:
			snprintf(num, sizeof(num), "%.17g",
				 isfinite(json_real_value(v)) ? json_real_value(v) : 0.0);
			break;
		case JSON_TRUE:
		case JSON_FALSE:
			snprintf(num, sizeof(num), "%d", json_is_true(v));
			break;
		case JSON_STRING:
			break;
		}
		textbuf_put(b, ",", 1);
		chd_json_str(b, name);
		textbuf_put(b, ":", 1);
		if (json_is_string(v))
			chd_json_str(b, json_string_value(v));
		else
			textbuf_puts(b, num);
	}
}

static int ch_record(void *st, struct xs_record *r)
{
	struct ch *s = st;
	int t = r->type == XS_REC_RANGE ? T_RANGE : r->type == XS_REC_ALERT ? T_ALERT : T_SUMMARY;
	struct xs_textbuf *b = &s->rows[t];
	json_t *doc = sink_record_doc(r);
	const char *line;
	size_t len;

	if (r->type == XS_REC_RANGE &&
	    chd_add(&s->dig, r->range, r->dir, r->delta, r->skl, r->sk))
		s->rows_failed++;
	line = doc && r->type != XS_REC_RANGE ? sink_record_line(r, &len) : NULL;
	if (!doc || (r->type != XS_REC_RANGE && !line)) {
		s->rows_failed++;
		return -ENOMEM;
	}
	row_head(b, r->m);
	{
		char name[256];

		flat(b, name, 0, doc);
	}
	if (line) {
		char *one = strndup(line, len && line[len - 1] == '\n' ? len - 1 : len);

		if (!one)
			b->oom = 1;
		else {
			textbuf_puts(b, ",\"doc\":");
			chd_json_str(b, one);
		}
		free(one);
	}
	textbuf_puts(b, "}\n");
	if (b->oom) {
		free(b->p);
		memset(b, 0, sizeof(*b));
		s->rows_failed += s->nrows[t] + 1;
		s->nrows[t] = 0;
		return -ENOMEM;
	}
	s->nrows[t]++;
	/* What the stop pushes (the alerts' ends) is named by its own time;
	 * range records leave it alone, they are pushed with their interval. */
	if (r->type != XS_REC_RANGE) {
		snprintf(s->host, sizeof(s->host), "%s", r->m->host);
		snprintf(s->ifname, sizeof(s->ifname), "%s", r->m->ifname);
		s->last_ts = r->m->ts;
	}
	return 0;
}

/* The table's rows so far as one INSERT, named by (host, ifname, ts, ms). */
static void push(struct ch *s, int t, const struct timespec *ts)
{
	struct xs_textbuf chk = {};
	struct xs_http_batch *b;
	char num[64];

	if (!s->nrows[t])
		return;
	textbuf_puts(&chk, "SELECT count() FROM ");
	textbuf_puts(&chk, s->table[t]);
	textbuf_puts(&chk, " WHERE host = ");
	sql_str(&chk, s->host);
	textbuf_puts(&chk, " AND ifname = ");
	sql_str(&chk, s->ifname);
	snprintf(num, sizeof(num), " AND ts = %lld AND ms = %ld", (long long)ts->tv_sec,
		 ts->tv_nsec / 1000000);
	textbuf_puts(&chk, num);
	b = chk.oom ? NULL :
		      httpq_batch(s->insert_url[t], s->rows[t].p, s->rows[t].n, s->nrows[t],
				  s->base, chk.p);
	if (chk.oom)
		free(s->rows[t].p);
	free(chk.p);
	if (b)
		httpq_push(s->q, b);
	else
		s->rows_failed += s->nrows[t];
	memset(&s->rows[t], 0, sizeof(s->rows[t]));
	s->nrows[t] = 0;
}

static void ship_window(struct ch *s, const struct xs_rec_meta *m)
{
	struct xs_textbuf head = {};

	row_head(&head, m);
	if (head.oom) {
		free(head.p);
		return;
	}
	chd_ship(&s->dig, head.p, s->window_s, &s->rows[T_SKETCH], &s->nrows[T_SKETCH],
		 &s->rows[T_TOP], &s->nrows[T_TOP]);
	free(head.p);
	if (s->rows[T_SKETCH].oom || s->rows[T_TOP].oom) {
		s->rows_failed += s->nrows[T_SKETCH] + s->nrows[T_TOP];
		free(s->rows[T_SKETCH].p);
		free(s->rows[T_TOP].p);
		memset(&s->rows[T_SKETCH], 0, sizeof(s->rows[T_SKETCH]));
		memset(&s->rows[T_TOP], 0, sizeof(s->rows[T_TOP]));
		s->nrows[T_SKETCH] = s->nrows[T_TOP] = 0;
	}
	push(s, T_SKETCH, &m->ts);
	push(s, T_TOP, &m->ts);
	s->window_s = 0;
	s->window_end = 0;
}

static void ch_end(void *st, const struct xs_interval_end *ie)
{
	struct ch *s = st;
	uint64_t now = (uint64_t)ie->m->ts.tv_sec * 1000 + ie->m->ts.tv_nsec / 1000000;
	uint64_t per = (uint64_t)s->sketch_s * 1000;
	int t;

	snprintf(s->host, sizeof(s->host), "%s", ie->m->host);
	snprintf(s->ifname, sizeof(s->ifname), "%s", ie->m->ifname);
	for (t = T_RANGE; t <= T_SUMMARY; t++)
		push(s, t, &ie->m->ts);
	s->last_ts = ie->m->ts;
	/* Windows end on multiples of sketch_interval_s (wall clock, or
	 * capture time), so the hosts' windows line up. */
	if (!s->window_end)
		s->window_end = (now / per + 1) * per;
	s->window_s += ie->m->interval_s;
	if (now >= s->window_end || s->dig.mem > CH_DIGEST_MEM)
		ship_window(s, ie->m);
}

static size_t ch_stats(void *st, struct xs_sink_stat *out)
{
	struct ch *s = st;
	struct xs_httpq_stats q;

	httpq_stats(s->q, &q);
	out[0] = (struct xs_sink_stat){ .key = "sent", .value = q.rows_sent };
	out[1] = (struct xs_sink_stat){ .key = "dropped", .value = q.rows_dropped + s->rows_failed };
	out[2] = (struct xs_sink_stat){ .key = "failed", .value = q.posts_failed };
	out[3] = (struct xs_sink_stat){ .key = "pending", .value = q.rows_pending };
	out[4] = (struct xs_sink_stat){ .key = "checked", .value = q.batches_checked };
	out[5] = (struct xs_sink_stat){ .key = "found_stored", .value = q.batches_found };
	out[6] = (struct xs_sink_stat){ .key = "top_evicted", .value = s->dig.top_evicted };
	return 7;
}

static uint64_t ch_stop(void *st)
{
	struct ch *s = st;
	uint64_t lost;
	struct xs_rec_meta m = { .host = s->host, .ifname = s->ifname, .ts = s->last_ts };
	int t;

	if (s->dig.n)
		ship_window(s, &m);
	for (t = 0; t < T_MAX; t++)
		push(s, t, &s->last_ts);
	lost = httpq_stop(s->q, s->stop_wait);
	for (t = 0; t < T_MAX; t++) {
		free(s->insert_url[t]);
		free(s->rows[t].p);
	}
	chd_free(&s->dig);
	free(s);
	return lost;
}

static int ch_wanted(const struct xs_config *cfg)
{
	return cfg->clickhouse.url != NULL;
}

const struct xs_sink_ops sink_clickhouse_ops = {
	.name = "clickhouse",
	.option = "clickhouse",
	.metavar = "URL",
	.help = "also write the records to ClickHouse (schema:\n"
		"xdpscope clickhouse-schema), e.g. http://127.0.0.1:8123",
	.cmds = XS_CMD_RUN | XS_CMD_REPLAY | XS_CMD_COLLECT,
	.wanted = ch_wanted,
	.check = ch_check,
	.open = ch_open,
	.where = ch_where,
	.record = ch_record,
	.interval_end = ch_end,
	.stats = ch_stats,
	.stop = ch_stop,
};
