// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "counters.h"
#include "report.h"

static int write_line(struct xs_report *r, char *line, int *first_err)
{
	int e;

	if (!line) {
		r->out->dropped++;
		e = -ENOMEM;
	} else {
		e = output_write(r->out, line, strlen(line));
		free(line);
	}
	if (e && !*first_err)
		*first_err = e;
	return e;
}

int report_interval(struct xs_report *r, const struct xs_rec_meta *m,
		    const struct xs_counters *cur, const struct xs_counters *prev,
		    const struct xs_global *gcur, const struct xs_global *gprev,
		    struct xs_summary *s)
{
	struct xs_counters d;
	uint32_t slot, range;
	int dir, err = 0;

	s->ranges = r->cfg->nranges;
	s->ranges_active = 0;
	s->in_pkts = s->in_bytes = s->out_pkts = s->out_bytes = 0;
	global_delta(&s->g, gcur, gprev);
	s->sk_on = r->sk && r->ske;
	if (s->sk_on) {
		s->sk_pages = r->sk->l.pages;
		s->sk_pages_used = r->ske->ctl->pages_used;
		s->sk_pool_empty = r->ske->ctl->pool_empty;
		s->sk_races = r->ske->ctl->races;
		s->sk_torn = 0;
	}
	counters_delta(&s->unmatched, &cur[0], &prev[0]);

	for (slot = XS_DIR_MAX; slot < r->nslots; slot++) {
		range = slot / XS_DIR_MAX;
		dir = slot % XS_DIR_MAX;
		if (range > r->cfg->nranges)
			break;
		counters_delta(&d, &cur[slot], &prev[slot]);
		if (!counters_pkts(&d))
			continue;
		s->ranges_active++;
		if (dir == XS_DIR_IN) {
			s->in_pkts += counters_pkts(&d);
			s->in_bytes += counters_bytes(&d);
		} else {
			s->out_pkts += counters_pkts(&d);
			s->out_bytes += counters_bytes(&d);
		}
		if (r->sk && r->ske && !skread_slot(r->sk, r->ske, slot)) {
			s->sk_torn += r->sk->res.torn;
			write_line(r, emit_range_sk(m, r->cfg->ranges[range - 1].name, dir, &d,
						    &r->sk->l, &r->sk->res), &err);
			continue;
		}
		write_line(r, emit_range(m, r->cfg->ranges[range - 1].name, dir, &d), &err);
	}
	s->records_dropped = r->out->dropped;
	write_line(r, emit_summary(m, s), &err);
	return err;
}
