// SPDX-License-Identifier: GPL-2.0
/*
 * Window sketches for the fleet store (chdigest.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chdigest.h"
#include "config.h"
#include "skread.h"
#include "sketch.h"
#include "textbuf.h"

struct chd_top {
	uint8_t key[XS_TOP_KEY_LEN];
	uint64_t pkts, bytes;
	uint64_t theta;		/* sum of the list's floor where this key was listed */
};

struct chd_list {
	struct chd_top *e;
	uint32_t n, cap;
	uint64_t theta;		/* sum of the list's floor over the window */
};

struct xs_chd_ent {
	struct xs_chd_ent *next;
	char *range;
	int dir;
	uint64_t pkts, bytes, intervals;
	uint32_t nh;
	int inexact, lower_bound;
	uint64_t h[XS_CHD_EXACT];
	uint8_t *regs;		/* 2^p, once inexact */
	int dims;		/* bit d: list d was seen */
	struct chd_list top[XS_DIM_MAX];
};

static uint64_t str_hash(const char *s, int dir)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)dir;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

int chd_init(struct xs_chdigest *d, unsigned int p)
{
	memset(d, 0, sizeof(*d));
	if (p < XS_HLL_P_MIN || p > XS_HLL_P_MAX)
		return -EINVAL;
	d->p = p;
	d->nbuckets = 1024;
	d->tab = calloc(d->nbuckets, sizeof(*d->tab));
	return d->tab ? 0 : -ENOMEM;
}

static void ent_free(struct xs_chd_ent *e)
{
	int k;

	for (k = 0; k < XS_DIM_MAX; k++)
		free(e->top[k].e);
	free(e->regs);
	free(e->range);
	free(e);
}

static void chd_clear(struct xs_chdigest *d)
{
	struct xs_chd_ent *e, *next;
	size_t i;

	for (i = 0; i < d->nbuckets; i++) {
		for (e = d->tab[i]; e; e = next) {
			next = e->next;
			ent_free(e);
		}
		d->tab[i] = NULL;
	}
	d->n = 0;
	d->mem = 0;
}

void chd_free(struct xs_chdigest *d)
{
	if (d->tab)
		chd_clear(d);
	free(d->tab);
	d->tab = NULL;
}

static int grow(struct xs_chdigest *d)
{
	size_t nb = d->nbuckets * 2, i;
	struct xs_chd_ent **t = calloc(nb, sizeof(*t)), *e, *next;

	if (!t)
		return -ENOMEM;
	for (i = 0; i < d->nbuckets; i++)
		for (e = d->tab[i]; e; e = next) {
			next = e->next;
			e->next = t[str_hash(e->range, e->dir) & (nb - 1)];
			t[str_hash(e->range, e->dir) & (nb - 1)] = e;
		}
	free(d->tab);
	d->tab = t;
	d->nbuckets = nb;
	return 0;
}

static struct xs_chd_ent *ent_get(struct xs_chdigest *d, const char *range, int dir)
{
	struct xs_chd_ent *e, **b;

	b = &d->tab[str_hash(range, dir) & (d->nbuckets - 1)];
	for (e = *b; e; e = e->next)
		if (e->dir == dir && !strcmp(e->range, range))
			return e;
	if (d->n >= d->nbuckets && !grow(d))
		b = &d->tab[str_hash(range, dir) & (d->nbuckets - 1)];
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->range = strdup(range);
	if (!e->range) {
		free(e);
		return NULL;
	}
	e->dir = dir;
	e->next = *b;
	*b = e;
	d->n++;
	d->mem += sizeof(*e) + strlen(range) + 1;
	return e;
}

void chd_fold(const uint8_t *regs, unsigned int p, uint8_t *out, unsigned int q)
{
	unsigned int drop = p - q, r;
	size_t i, m = (size_t)1 << p;
	uint32_t low;

	for (i = 0; i < m; i++) {
		if (!(i & 7)) {		/* most registers are 0: skip them 8 at a time */
			uint64_t w;

			memcpy(&w, regs + i, sizeof(w));
			if (!w) {
				i += 7;
				continue;
			}
		}
		if (!regs[i])
			continue;
		low = (uint32_t)i & ((1u << drop) - 1);
		/* The dropped index bits lead the hash's remainder at q. */
		r = low ? drop - (31 - (unsigned)__builtin_clz(low)) : drop + regs[i];
		if (r > out[i >> drop])
			out[i >> drop] = (uint8_t)r;
	}
}

static int go_inexact(struct xs_chdigest *d, struct xs_chd_ent *e)
{
	struct xs_hll h = { .p = d->p };
	uint32_t i;

	e->regs = calloc((size_t)1 << d->p, 1);
	if (!e->regs)
		return -ENOMEM;
	d->mem += (size_t)1 << d->p;
	h.regs = e->regs;
	for (i = 0; i < e->nh; i++)
		hll_add_hash(&h, e->h[i]);
	e->inexact = 1;
	e->nh = 0;
	return 0;
}

static int add_sources(struct xs_chdigest *d, struct xs_chd_ent *e,
		       const struct xs_sk_layout *skl, const struct xs_sk_result *sk)
{
	struct xs_hll h = { .p = d->p };
	uint32_t i, j;
	int err;

	e->lower_bound |= sk->uniq_lower_bound;
	if (!e->inexact && (sk->regs || sk->uniq_lower_bound)) {
		err = go_inexact(d, e);
		if (err)
			return err;
	}
	for (i = 0; i < XS_LITE_HASHES && !e->inexact; i++) {
		if (!sk->lite[i])
			continue;
		for (j = 0; j < e->nh && e->h[j] != sk->lite[i]; j++)
			;
		if (j < e->nh)
			continue;
		if (e->nh == XS_CHD_EXACT) {
			err = go_inexact(d, e);
			if (err)
				return err;
			break;
		}
		e->h[e->nh++] = sk->lite[i];
	}
	if (!e->inexact)
		return 0;
	h.regs = e->regs;
	if (sk->regs) {		/* the lite hashes are in them */
		chd_fold(sk->regs, skl->hll_p, e->regs, d->p);
		return 0;
	}
	for (i = 0; i < XS_LITE_HASHES; i++)
		if (sk->lite[i])
			hll_add_hash(&h, sk->lite[i]);
	return 0;
}

/* The entry of key in l, or a new one (NULL: the list is full and the key
 * lighter than every entry, or ENOMEM). */
static struct chd_top *top_get(struct xs_chdigest *d, struct chd_list *l, const uint8_t *key,
			       uint64_t pkts)
{
	struct chd_top *t;
	uint32_t i, min = 0;

	for (i = 0; i < l->n; i++)
		if (!memcmp(l->e[i].key, key, XS_TOP_KEY_LEN))
			return &l->e[i];
	if (l->n == XS_CHD_TOP_CAND) {
		for (i = 1; i < l->n; i++)
			if (l->e[i].pkts < l->e[min].pkts)
				min = i;
		d->top_evicted++;
		if (l->e[min].pkts >= pkts)
			return NULL;
		t = &l->e[min];
		memset(t, 0, sizeof(*t));
		memcpy(t->key, key, XS_TOP_KEY_LEN);
		return t;
	}
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 16;

		t = realloc(l->e, cap * sizeof(*t));
		if (!t)
			return NULL;
		d->mem += (cap - l->cap) * sizeof(*t);
		l->e = t;
		l->cap = cap;
	}
	t = &l->e[l->n++];
	memset(t, 0, sizeof(*t));
	memcpy(t->key, key, XS_TOP_KEY_LEN);
	return t;
}

static void add_tops(struct xs_chdigest *d, struct xs_chd_ent *e,
		     const struct xs_sk_layout *skl, const struct xs_sk_result *sk)
{
	struct chd_top *t;
	uint64_t floor;
	size_t i;
	int k;

	for (k = 0; k < XS_DIM_MAX; k++) {
		struct chd_list *l = &e->top[k];

		if (skl->dim_pos[k] < 0)
			continue;
		e->dims |= 1 << k;
		floor = sk->ntop[k] >= skl->top_k ? sk->top[k][sk->ntop[k] - 1].pkts : 0;
		l->theta += floor;
		for (i = 0; i < sk->ntop[k]; i++) {
			t = top_get(d, l, sk->top[k][i].key, sk->top[k][i].pkts);
			if (!t)
				continue;
			t->pkts += sk->top[k][i].pkts;
			t->bytes += sk->top[k][i].bytes;
			t->theta += floor;
		}
	}
}

int chd_add(struct xs_chdigest *d, const char *range, int dir, const struct xs_counters *delta,
	    const struct xs_sk_layout *skl, const struct xs_sk_result *sk)
{
	struct xs_chd_ent *e = ent_get(d, range, dir);
	const struct xs_class *c = &delta->tcp;
	int k, err;

	if (!e)
		return -ENOMEM;
	e->intervals++;
	for (k = 0; k < 4; k++) {
		e->pkts += c[k].pkts;
		e->bytes += c[k].bytes;
	}
	if (!sk || !skl)
		return 0;
	err = add_sources(d, e, skl, sk);
	if (err)
		return err;
	add_tops(d, e, skl, sk);
	return 0;
}

void chd_json_str(struct xs_textbuf *b, const char *s)
{
	char u[8];

	textbuf_put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\') {
			textbuf_put(b, "\\", 1);
			textbuf_put(b, s, 1);
		} else if (c < 0x20) {
			snprintf(u, sizeof(u), "\\u%04x", c);
			textbuf_puts(b, u);
		} else {
			textbuf_put(b, s, 1);
		}
	}
	textbuf_put(b, "\"", 1);
}

static void row_head(struct xs_textbuf *b, const char *head, const struct xs_chd_ent *e,
		     double window_s)
{
	char num[64];

	textbuf_puts(b, head);
	textbuf_puts(b, ",\"range\":");
	chd_json_str(b, e->range);
	textbuf_puts(b, e->dir ? ",\"dir\":\"out\"" : ",\"dir\":\"in\"");
	snprintf(num, sizeof(num), ",\"window_s\":%.17g", window_s);
	textbuf_puts(b, num);
}

static void put_u64(struct xs_textbuf *b, const char *name, uint64_t v)
{
	textbuf_puts(b, ",\"");
	textbuf_puts(b, name);
	textbuf_puts(b, "\":");
	textbuf_u64(b, v);
}

static void ship_sources(struct xs_chdigest *d, struct xs_chd_ent *e, const char *head,
			 double window_s, struct xs_textbuf *b)
{
	size_t m = (size_t)1 << d->p, i, n = 0;
	uint8_t *regs = e->regs, *own = NULL;
	uint32_t j;

	if (!e->inexact) {	/* the exact tier's registers, for the merge */
		struct xs_hll h = { .p = d->p };

		own = regs = calloc(m, 1);
		if (!regs) {
			b->oom = 1;
			return;
		}
		h.regs = regs;
		for (j = 0; j < e->nh; j++)
			hll_add_hash(&h, e->h[j]);
	}
	row_head(b, head, e, window_s);
	put_u64(b, "intervals", e->intervals);
	put_u64(b, "pkts", e->pkts);
	put_u64(b, "bytes", e->bytes);
	put_u64(b, "hll_p", d->p);
	put_u64(b, "src_exact", !e->inexact);
	put_u64(b, "src_lower_bound", e->lower_bound);
	textbuf_puts(b, ",\"src_hashes\":[");
	for (j = 0; j < e->nh; j++) {
		if (j)
			textbuf_put(b, ",", 1);
		textbuf_u64(b, e->h[j]);
	}
	textbuf_puts(b, "],\"hll_idx\":[");
	for (i = 0; i < m; i++) {
		if (!regs[i])
			continue;
		if (n++)
			textbuf_put(b, ",", 1);
		textbuf_u64(b, i);
	}
	textbuf_puts(b, "],\"hll_rank\":[");
	for (i = 0, n = 0; i < m; i++) {
		if (!regs[i])
			continue;
		if (n++)
			textbuf_put(b, ",", 1);
		textbuf_u64(b, regs[i]);
	}
	textbuf_puts(b, "]}\n");
	free(own);
}

static int by_pkts_max(const void *a, const void *b, void *arg)
{
	const struct chd_top *x = a, *y = b;
	uint64_t theta = *(const uint64_t *)arg;
	uint64_t mx = x->pkts + (theta - x->theta), my = y->pkts + (theta - y->theta);

	if (x->pkts != y->pkts)
		return x->pkts > y->pkts ? -1 : 1;
	if (mx != my)
		return mx > my ? -1 : 1;
	return memcmp(x->key, y->key, XS_TOP_KEY_LEN);
}

static uint64_t ship_tops(struct xs_chd_ent *e, const char *head, double window_s,
			  struct xs_textbuf *b)
{
	char key[64];
	uint64_t n = 0, max, shipped;
	uint32_t i;
	int k;

	for (k = 0; k < XS_DIM_MAX; k++) {
		struct chd_list *l = &e->top[k];

		qsort_r(l->e, l->n, sizeof(*l->e), by_pkts_max, &l->theta);
		for (i = 0, shipped = 0; i < l->n && shipped < XS_CHD_TOP_SHIP; i++) {
			max = l->e[i].pkts + (l->theta - l->e[i].theta);
			/* 1% of the window: max * 100 >= pkts */
			if (max * 100 < e->pkts)
				continue;
			row_head(b, head, e, window_s);
			textbuf_puts(b, ",\"list\":\"");
			textbuf_puts(b, config_dim_names[k]);
			textbuf_puts(b, "\",\"key\":");
			chd_json_str(b, skread_key_str(k, l->e[i].key, key, sizeof(key)));
			put_u64(b, "pkts", l->e[i].pkts);
			put_u64(b, "bytes", l->e[i].bytes);
			put_u64(b, "pkts_max", max);
			put_u64(b, "range_pkts", e->pkts);
			textbuf_puts(b, "}\n");
			shipped++;
			n++;
		}
	}
	return n;
}

void chd_ship(struct xs_chdigest *d, const char *head, double window_s, struct xs_textbuf *sk,
	      uint64_t *nsk, struct xs_textbuf *top, uint64_t *ntop)
{
	struct xs_chd_ent *e;
	size_t i;

	*nsk = *ntop = 0;
	for (i = 0; i < d->nbuckets; i++)
		for (e = d->tab[i]; e; e = e->next) {
			if (e->nh || e->inexact) {
				ship_sources(d, e, head, window_s, sk);
				(*nsk)++;
			}
			*ntop += ship_tops(e, head, window_s, top);
		}
	chd_clear(d);
}
