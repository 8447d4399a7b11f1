// SPDX-License-Identifier: GPL-2.0
/*
 * The filter table (mitigate.h). Every change rewrites the destination
 * trie from the filters themselves: for each filter prefix, the filters
 * whose prefix covers it, longest first (include/xdpscope.h,
 * Mitigation), so the program's one longest-prefix lookup finds every
 * filter that applies. Tables hold at most XS_MIT_FILTERS_LIMIT filters:
 * the quadratic rebuild stays under a millisecond's work.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "config.h"
#include "log.h"
#include "mitigate.h"

uint64_t mitig_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int map_slots(int fd, uint32_t *n)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*n = info.max_entries;
	return 0;
}

int mitig_init(struct xs_mit *m, int filters_fd, int stats_fd, int dst_fd, int ctl_fd,
	       const char *pin_dir, char *err, size_t errlen)
{
	int e;

	memset(m, 0, sizeof(*m));
	m->filters_fd = filters_fd;
	m->stats_fd = stats_fd;
	m->dst_fd = dst_fd;
	m->ctl_fd = ctl_fd;
	m->lock_fd = -1;
	m->ncpus = libbpf_num_possible_cpus();
	if (m->ncpus <= 0) {
		set_err(err, errlen, "cannot count possible CPUs");
		return -EINVAL;
	}
	e = map_slots(filters_fd, &m->nslots);
	if (e) {
		set_err(err, errlen, "map mit_filters: %s", strerror(-e));
		return e;
	}
	if (pin_dir) {
		m->lock_fd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (m->lock_fd < 0) {
			e = -errno;
			set_err(err, errlen, "%s: %s", pin_dir, strerror(-e));
			return e;
		}
	}
	return 0;
}

int mitig_open_pinned(struct xs_mit *m, const char *pin_dir, char *err, size_t errlen)
{
	static const char *const names[] = { "mit_filters", "mit_stats", "mit_dst", "mit_ctl" };
	char path[PATH_MAX + 32];
	int fd[4], i, e;

	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_dir, names[i]);
		fd[i] = bpf_obj_get(path);
		if (fd[i] < 0) {
			e = -errno;
			set_err(err, errlen, "%s: %s (is xdpscope running on this interface?)", path,
				strerror(-e));
			while (i--)
				close(fd[i]);
			return e;
		}
	}
	e = mitig_init(m, fd[0], fd[1], fd[2], fd[3], pin_dir, err, errlen);
	m->owned = 1;
	if (e)
		mitig_close(m);
	return e;
}

void mitig_close(struct xs_mit *m)
{
	if (m->owned) {
		close(m->filters_fd);
		close(m->stats_fd);
		close(m->dst_fd);
		close(m->ctl_fd);
	}
	if (m->lock_fd >= 0)
		close(m->lock_fd);
	memset(m, 0, sizeof(*m));
	m->lock_fd = -1;
}

static void lock(struct xs_mit *m)
{
	if (m->lock_fd >= 0)
		while (flock(m->lock_fd, LOCK_EX) && errno == EINTR)
			;
}

static void unlock(struct xs_mit *m)
{
	if (m->lock_fd >= 0)
		flock(m->lock_fd, LOCK_UN);
}

static void key_of(struct xs_mit_key *k, uint8_t family, uint8_t plen, const uint8_t *addr)
{
	memset(k, 0, sizeof(*k));
	if (family == 4) {
		k->addr[10] = k->addr[11] = 0xff;
		memcpy(&k->addr[12], addr, 4);
		k->prefixlen = 96 + plen;
	} else {
		memcpy(k->addr, addr, 16);
		k->prefixlen = plen;
	}
}

static int filter_covers(const struct xs_mit_filter *a, const struct xs_mit_filter *b)
{
	struct xs_prefix p = { .family = a->family, .len = a->plen };

	memcpy(p.addr, a->dst, 16);
	return a->family == b->family && a->plen <= b->plen &&
	       cidr_contains(&p, b->family, b->dst);
}

static int read_filters(struct xs_mit *m, struct xs_mit_filter *f)
{
	uint32_t i;

	for (i = 0; i < m->nslots; i++)
		if (bpf_map_lookup_elem(m->filters_fd, &i, &f[i]))
			return -errno;
	return 0;
}

static int read_ctl(struct xs_mit *m, struct xs_mit_ctl *c)
{
	uint32_t zero = 0;

	return bpf_map_lookup_elem(m->ctl_fd, &zero, c) ? -errno : 0;
}

static int write_ctl(struct xs_mit *m, const struct xs_mit_ctl *c)
{
	uint32_t zero = 0;

	return bpf_map_update_elem(m->ctl_fd, &zero, c, BPF_ANY) ? -errno : 0;
}

/* The set of prefix slot p: every live filter covering it, longest first.
 * -E2BIG when more than XS_MIT_SET do. */
static int set_of(const struct xs_mit_filter *f, uint32_t n, uint32_t p, struct xs_mit_set *s)
{
	uint32_t i, k = 0, j;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n; i++) {
		if (!f[i].expires_ns || !filter_covers(&f[i], &f[p]))
			continue;
		if (k == XS_MIT_SET)
			return -E2BIG;
		for (j = k; j > 0 && f[s->slot[j - 1] - 1].plen < f[i].plen; j--)
			s->slot[j] = s->slot[j - 1];
		s->slot[j] = i + 1;
		k++;
	}
	return 0;
}

/* Every live filter's prefix -> its set; the stale keys go, nfilters is
 * set. With `check` only: whether every set fits. */
static int rebuild(struct xs_mit *m, const struct xs_mit_filter *f, int check)
{
	struct xs_mit_key k, next, *stale = NULL;
	struct xs_mit_set s;
	struct xs_mit_ctl c;
	uint32_t i, j, live = 0;
	size_t nstale = 0, cap = 0;
	int e = 0, keep;

	for (i = 0; i < m->nslots; i++) {
		if (!f[i].expires_ns)
			continue;
		if (set_of(f, m->nslots, i, &s))
			return -E2BIG;
		live++;
		if (check)
			continue;
		key_of(&k, f[i].family, f[i].plen, f[i].dst);
		if (bpf_map_update_elem(m->dst_fd, &k, &s, BPF_ANY))
			return -errno;
	}
	if (check)
		return 0;
	/* Keys of filters gone: collected first, a delete while walking
	 * would restart the walk. */
	for (e = bpf_map_get_next_key(m->dst_fd, NULL, &next); !e;
	     e = bpf_map_get_next_key(m->dst_fd, &k, &next)) {
		k = next;
		keep = 0;
		for (j = 0; j < m->nslots && !keep; j++) {
			struct xs_mit_key fk;

			if (!f[j].expires_ns)
				continue;
			key_of(&fk, f[j].family, f[j].plen, f[j].dst);
			keep = !memcmp(&fk, &k, sizeof(k));
		}
		if (keep)
			continue;
		if (nstale == cap) {
			struct xs_mit_key *t = realloc(stale, (cap = cap * 2 + 8) * sizeof(*t));

			if (!t) {
				free(stale);
				return -ENOMEM;
			}
			stale = t;
		}
		stale[nstale++] = k;
	}
	for (i = 0; i < nstale; i++)
		bpf_map_delete_elem(m->dst_fd, &stale[i]);
	free(stale);
	e = read_ctl(m, &c);
	if (!e) {
		c.nfilters = live;
		e = write_ctl(m, &c);
	}
	return e;
}

static int zero_stats(struct xs_mit *m, uint32_t slot)
{
	size_t len = (size_t)m->ncpus * sizeof(struct xs_mit_stats);
	void *z = calloc(1, len);
	int e = 0;

	if (!z)
		return -ENOMEM;
	if (bpf_map_update_elem(m->stats_fd, &slot, z, BPF_ANY))
		e = -errno;
	free(z);
	return e;
}

int mitig_add(struct xs_mit *m, const struct xs_mit_spec *s, uint32_t *id, char *err,
	      size_t errlen)
{
	struct xs_mit_filter *f = calloc(m->nslots, sizeof(*f)), nf = {};
	struct xs_prefix n;
	struct xs_mit_ctl c;
	char buf[128];
	uint32_t i, slot = UINT32_MAX;
	int e;

	if (!f)
		return -ENOMEM;
	e = mitig_spec_check(s, err, errlen);
	if (e)
		goto out;
	cidr_normalize(&s->dst, &n);
	lock(m);
	e = read_filters(m, f);
	if (!e)
		e = read_ctl(m, &c);
	if (e) {
		set_err(err, errlen, "reading the filter table: %s", strerror(-e));
		goto unlock;
	}
	for (i = 0; i < m->nslots && slot == UINT32_MAX; i++)
		if (!f[i].expires_ns)
			slot = i;
	if (slot == UINT32_MAX) {
		c.full++;
		write_ctl(m, &c);
		set_err(err, errlen, "the filter table is full (%u filters: mitigation.max_filters)",
			m->nslots);
		e = -ENOSPC;
		goto unlock;
	}
	memcpy(nf.dst, n.addr, 16);
	nf.family = n.family;
	nf.plen = n.len;
	nf.proto = s->proto < 0 ? XS_MIT_ANY : s->proto;
	nf.flags = (s->sport >= 0 ? XS_MIT_F_SPORT : 0) | (s->syn ? XS_MIT_F_SYN : 0);
	nf.sport = s->sport >= 0 ? s->sport : 0;
	nf.pps = s->pps;
	nf.gap_ns = s->pps ? 1000000000ULL / s->pps : 0;
	nf.expires_ns = mitig_now() + (uint64_t)s->ttl_s * 1000000000ULL;
	nf.id = c.next_id + 1;
	f[slot] = nf;
	if (rebuild(m, f, 1)) {
		set_err(err, errlen, "more than %d filters would cover %s", XS_MIT_SET,
			mitig_match_str(s, buf, sizeof(buf)));
		e = -ENOSPC;
		goto unlock;
	}
	c.next_id++;
	e = write_ctl(m, &c);
	if (!e)
		e = zero_stats(m, slot);
	if (!e && bpf_map_update_elem(m->filters_fd, &slot, &nf, BPF_ANY))
		e = -errno;
	if (!e)
		e = rebuild(m, f, 0);
	if (e)
		set_err(err, errlen, "writing the filter table: %s", strerror(-e));
	else
		*id = nf.id;
unlock:
	unlock(m);
out:
	free(f);
	return e;
}

/* Free the slots `drop` says, under the lock; returns how many. */
static int remove_where(struct xs_mit *m, int (*drop)(const struct xs_mit_filter *, uint64_t),
			uint64_t arg)
{
	struct xs_mit_filter *f = calloc(m->nslots, sizeof(*f)), zero = {};
	uint32_t i;
	int e, n = 0;

	if (!f)
		return -ENOMEM;
	lock(m);
	e = read_filters(m, f);
	for (i = 0; !e && i < m->nslots; i++) {
		if (!f[i].expires_ns || !drop(&f[i], arg))
			continue;
		f[i] = zero;
		n++;
	}
	/* The trie first: a packet may still find a freed slot through it,
	 * and then sees it free. */
	if (!e && n)
		e = rebuild(m, f, 0);
	for (i = 0; !e && n && i < m->nslots; i++)
		if (!f[i].expires_ns && bpf_map_update_elem(m->filters_fd, &i, &zero, BPF_ANY))
			e = -errno;
	unlock(m);
	free(f);
	return e ? e : n;
}

static int by_id(const struct xs_mit_filter *f, uint64_t id)
{
	return f->id == id;
}

static int expired(const struct xs_mit_filter *f, uint64_t now)
{
	return f->expires_ns <= now;
}

static int every(const struct xs_mit_filter *f, uint64_t unused)
{
	(void)f;
	(void)unused;
	return 1;
}

int mitig_del(struct xs_mit *m, uint32_t id)
{
	int n = id ? remove_where(m, by_id, id) : 0;

	return n < 0 ? n : n ? 0 : -ENOENT;
}

int mitig_sweep(struct xs_mit *m, uint64_t now_ns)
{
	return remove_where(m, expired, now_ns);
}

int mitig_clear(struct xs_mit *m)
{
	return remove_where(m, every, 0);
}

uint64_t mitig_full(struct xs_mit *m)
{
	struct xs_mit_ctl c;

	return read_ctl(m, &c) ? 0 : c.full;
}

static int sum_stats(struct xs_mit *m, uint32_t slot, struct xs_mit_stats *out)
{
	struct xs_mit_stats *v = calloc(m->ncpus, sizeof(*v));
	int c, e = 0;
	size_t w;

	if (!v)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(m->stats_fd, &slot, v))
		e = -errno;
	for (c = 0; !e && c < m->ncpus; c++)
		for (w = 0; w < sizeof(*out) / 8; w++)
			((__u64 *)out)[w] += ((__u64 *)&v[c])[w];
	free(v);
	return e;
}

static void spec_of(const struct xs_mit_filter *f, uint64_t now, struct xs_mit_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->dst.family = f->family;
	s->dst.len = f->plen;
	memcpy(s->dst.addr, f->dst, 16);
	s->proto = f->proto == XS_MIT_ANY ? -1 : f->proto;
	s->sport = f->flags & XS_MIT_F_SPORT ? f->sport : -1;
	s->syn = !!(f->flags & XS_MIT_F_SYN);
	s->pps = f->pps;
	s->ttl_s = f->expires_ns > now ? (f->expires_ns - now + 999999999ULL) / 1000000000ULL : 0;
}

int mitig_list(struct xs_mit *m, struct xs_mit_info **out, size_t *n)
{
	struct xs_mit_filter f;
	struct xs_mit_info *v = calloc(m->nslots + 1, sizeof(*v));
	uint64_t now = mitig_now();
	uint32_t i;
	size_t k = 0, j;
	int e = 0;

	if (!v)
		return -ENOMEM;
	for (i = 0; !e && i < m->nslots; i++) {
		if (bpf_map_lookup_elem(m->filters_fd, &i, &f)) {
			e = -errno;
			break;
		}
		if (!f.expires_ns)
			continue;
		for (j = k; j > 0 && v[j - 1].id > f.id; j--)
			v[j] = v[j - 1];
		v[j].id = f.id;
		v[j].expires_ns = f.expires_ns;
		spec_of(&f, now, &v[j].spec);
		e = sum_stats(m, i, &v[j].hits);
		k++;
	}
	if (e) {
		free(v);
		return e;
	}
	*out = v;
	*n = k;
	return 0;
}

int mitig_hits(struct xs_mit *m, uint32_t id, struct xs_mit_stats *out)
{
	struct xs_mit_filter f;
	uint32_t i;

	for (i = 0; id && i < m->nslots; i++) {
		if (bpf_map_lookup_elem(m->filters_fd, &i, &f))
			return -errno;
		if (f.expires_ns && f.id == id)
			return sum_stats(m, i, out);
	}
	return -ENOENT;
}

int mitig_allow_fill(int allow_fd, const struct xs_prefix *allow, size_t n, char *err,
		     size_t errlen)
{
	struct xs_mit_key k;
	struct xs_prefix p;
	char buf[XS_CIDR_STRLEN];
	uint32_t one = 1;
	size_t i;

	for (i = 0; i < n; i++) {
		cidr_normalize(&allow[i], &p);
		key_of(&k, p.family, p.len, p.addr);
		if (bpf_map_update_elem(allow_fd, &k, &one, BPF_ANY)) {
			int e = -errno;

			set_err(err, errlen, "map mit_allow: adding %s: %s",
				cidr_format(&allow[i], buf, sizeof(buf)), strerror(-e));
			return e;
		}
	}
	return 0;
}

int mitig_copy(struct xs_mit *to, struct xs_mit *from)
{
	struct xs_mit_filter *f = calloc(from->nslots, sizeof(*f));
	size_t len = (size_t)from->ncpus * sizeof(struct xs_mit_stats);
	void *st = calloc(1, len);
	struct xs_mit_ctl c, tc;
	uint32_t i;
	int e;

	if (!f || !st) {
		e = -ENOMEM;
		goto out;
	}
	e = to->nslots < from->nslots ? -E2BIG : 0;
	if (!e)
		e = read_filters(from, f);
	if (!e)
		e = read_ctl(from, &c);
	if (!e)
		e = read_ctl(to, &tc);
	for (i = 0; !e && i < from->nslots; i++) {
		if (!f[i].expires_ns)
			continue;
		if (bpf_map_lookup_elem(from->stats_fd, &i, st) ||
		    bpf_map_update_elem(to->stats_fd, &i, st, BPF_ANY) ||
		    bpf_map_update_elem(to->filters_fd, &i, &f[i], BPF_ANY))
			e = -errno;
	}
	if (!e) {
		tc.next_id = c.next_id;
		tc.full = c.full;
		e = write_ctl(to, &tc);
	}
	if (!e) {
		struct xs_mit_filter *all = calloc(to->nslots, sizeof(*all));

		if (!all)
			e = -ENOMEM;
		else
			memcpy(all, f, from->nslots * sizeof(*f));
		if (!e)
			e = rebuild(to, all, 0);
		free(all);
	}
out:
	free(f);
	free(st);
	return e;
}
