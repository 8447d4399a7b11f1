// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config.h"
#include "config_json.h"
#include "xdpscope.h"
#include "log.h"

#define INTERVAL_MS_MIN 10
#define INTERVAL_MS_MAX 3600000

/*
 * Name and prefix lookups, so that merging 100k prefix-list lines into
 * ranges costs a hash probe a line, not a scan of every range.
 * Both tables use open addressing with linear probing, at most half full.
 */
struct pfx_slot {
	struct xs_prefix p;	/* host bits and unused bytes zero */
	uint32_t range;		/* range index + 1; 0: empty slot */
};

struct xs_config_index {
	uint32_t *names;	/* range index + 1; 0: empty slot */
	size_t names_cap;	/* a power of two */
	struct pfx_slot *pfxs;	/* one per (prefix, range) */
	size_t pfxs_cap;	/* a power of two */
	size_t npfxs;
	size_t nranges;		/* ranges[0 .. nranges) are in the tables */
};

static uint64_t fnv1a(const void *data, size_t len, uint64_t h)
{
	const unsigned char *b = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_SEED 0xcbf29ce484222325ULL

static size_t pow2_at_least(size_t n)
{
	size_t c = 16;

	while (c < n)
		c <<= 1;
	return c;
}

int config_name_ok(const char *name)
{
	size_t n, i;

	if (!name)
		return 0;
	n = strlen(name);
	if (n == 0 || n > XS_NAME_MAX - 1 || name[0] == ' ' || name[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = name[i];

		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			return 0;
	}
	return 1;
}

static void name_err(const char *name, char *err, size_t errlen)
{
	char q[LOG_QBUF];

	set_err(err, errlen,
		"expected a range name of 1..%d printable ASCII characters without quotes, "
		"backslashes or a space at either end, got %s",
		XS_NAME_MAX - 1, log_quote(name ? name : "", q, sizeof(q)));
}

static void index_free(struct xs_config_index *ix)
{
	if (!ix)
		return;
	free(ix->names);
	free(ix->pfxs);
	free(ix);
}

/* Slot of `name`, or of the empty slot where it would go. */
static size_t names_slot(const struct xs_config *cfg, const uint32_t *names, size_t cap,
			 const char *name)
{
	size_t i = fnv1a(name, strlen(name), FNV_SEED) & (cap - 1);

	while (names[i] && strcmp(cfg->ranges[names[i] - 1].name, name))
		i = (i + 1) & (cap - 1);
	return i;
}

static size_t pfxs_slot(const struct pfx_slot *pfxs, size_t cap, const struct xs_prefix *n,
			uint32_t range)
{
	uint64_t h = fnv1a(n, sizeof(*n), FNV_SEED);
	size_t i;

	h = fnv1a(&range, sizeof(range), h);
	i = h & (cap - 1);
	while (pfxs[i].range && (pfxs[i].range != range || memcmp(&pfxs[i].p, n, sizeof(*n))))
		i = (i + 1) & (cap - 1);
	return i;
}

static int names_resize(struct xs_config *cfg, size_t cap)
{
	struct xs_config_index *ix = cfg->index;
	uint32_t *names = calloc(cap, sizeof(*names));
	size_t r;

	if (!names)
		return -ENOMEM;
	for (r = 0; r < ix->nranges; r++) {
		size_t s = names_slot(cfg, names, cap, cfg->ranges[r].name);

		/* A hand-built config may repeat a name: the first one wins
		 * here, and config_validate reports the repeat. */
		if (!names[s])
			names[s] = r + 1;
	}
	free(ix->names);
	ix->names = names;
	ix->names_cap = cap;
	return 0;
}

static int pfxs_resize(struct xs_config_index *ix, size_t cap)
{
	struct pfx_slot *pfxs = calloc(cap, sizeof(*pfxs));
	size_t i;

	if (!pfxs)
		return -ENOMEM;
	for (i = 0; i < ix->pfxs_cap; i++) {
		if (ix->pfxs[i].range)
			pfxs[pfxs_slot(pfxs, cap, &ix->pfxs[i].p, ix->pfxs[i].range)] = ix->pfxs[i];
	}
	free(ix->pfxs);
	ix->pfxs = pfxs;
	ix->pfxs_cap = cap;
	return 0;
}

/* Room for one more entry in each table. */
static int index_reserve(struct xs_config *cfg)
{
	struct xs_config_index *ix = cfg->index;
	int ret;

	if ((ix->nranges + 1) * 2 > ix->names_cap) {
		ret = names_resize(cfg, pow2_at_least((ix->nranges + 1) * 2));
		if (ret)
			return ret;
	}
	if ((ix->npfxs + 1) * 2 > ix->pfxs_cap)
		return pfxs_resize(ix, pow2_at_least((ix->npfxs + 1) * 2));
	return 0;
}

/* 1 if added, 0 if (n, range) was there already. Room must be reserved. */
static int pfxs_add(struct xs_config_index *ix, const struct xs_prefix *n, uint32_t range)
{
	size_t s = pfxs_slot(ix->pfxs, ix->pfxs_cap, n, range);

	if (ix->pfxs[s].range)
		return 0;
	ix->pfxs[s].p = *n;
	ix->pfxs[s].range = range;
	ix->npfxs++;
	return 1;
}

/*
 * The tables follow the config through config_add_prefix. A caller that
 * appended ranges by hand (tests, other tools) changed nranges behind our
 * back: build the tables again from what is there.
 */
static int index_sync(struct xs_config *cfg)
{
	struct xs_config_index *ix = cfg->index;
	size_t r, i, total = 0;
	int ret;

	if (ix && ix->nranges == cfg->nranges)
		return 0;
	index_free(ix);
	cfg->index = NULL;
	for (r = 0; r < cfg->nranges; r++) {
		if (!cfg->ranges[r].name)
			return -EINVAL;
		total += cfg->ranges[r].nprefixes;
	}
	ix = calloc(1, sizeof(*ix));
	if (!ix)
		return -ENOMEM;
	cfg->index = ix;
	ix->nranges = cfg->nranges;
	ret = names_resize(cfg, pow2_at_least((cfg->nranges + 1) * 2));
	if (!ret)
		ret = pfxs_resize(ix, pow2_at_least((total + 1) * 2));
	if (ret) {
		/* Half-built tables would pass for whole ones next time. */
		index_free(ix);
		cfg->index = NULL;
		return ret;
	}
	for (r = 0; r < cfg->nranges; r++) {
		for (i = 0; i < cfg->ranges[r].nprefixes; i++) {
			struct xs_prefix n;

			if (!cidr_normalize(&cfg->ranges[r].prefixes[i], &n))
				pfxs_add(ix, &n, r + 1);
		}
	}
	return 0;
}

uint32_t config_range_id(const struct xs_config *cfg, const char *name)
{
	const struct xs_config_index *ix = cfg->index;
	size_t r;

	if (ix && ix->nranges == cfg->nranges && ix->names_cap)
		return ix->names[names_slot(cfg, ix->names, ix->names_cap, name)];
	for (r = 0; r < cfg->nranges; r++)
		if (!strcmp(cfg->ranges[r].name, name))
			return r + 1;
	return 0;
}

void config_init(struct xs_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->interval_ms = XS_DEFAULT_INTERVAL_MS;
	cfg->max_kernel_mem = XS_DEFAULT_MAX_KERNEL_MEM;
	cfg->stats = (struct xs_stats_cfg){
		.enabled = 1,
		.top_k = XS_STATS_TOP_K,
		.dims = XS_STATS_DEFAULT_DIMS,
		.hll_precision = XS_STATS_HLL_P,
		.top_buckets = XS_STATS_TOP_BUCKETS,
		.stage_sets = XS_STATS_STAGE_SETS,
		.flows = XS_STATS_FLOWS,
		.storm_flows = XS_STATS_STORM_FLOWS,
		.storm_sample = XS_STATS_STORM_SAMPLE,
	};
	cfg->alerts = (struct xs_alerts_cfg){
		.exec_timeout_s = XS_ALERT_EXEC_TIMEOUT_S,
		.exec_max = XS_ALERT_EXEC_MAX,
		.ongoing_s = XS_ALERT_ONGOING_S,
		.top_n = XS_ALERT_TOP_N,
		.max_hosts = XS_ALERT_MAX_HOSTS,
		.check_ms = XS_ALERT_CHECK_MS,
		.state_save_s = XS_ALERT_STATE_SAVE_S,
	};
	cfg->metrics.top_n = XS_METRICS_TOP_N_MAX;
	cfg->mitigation = (struct xs_mitig_cfg){
		.max_filters = XS_MIT_MAX_FILTERS,
		.max_share = 1.0,
		.ttl_s = XS_MIT_TTL_S,
		.hold_s = XS_MIT_HOLD_S,
	};
	cfg->sflow.max_views = XS_SFLOW_VIEWS_DEFAULT;
}

void config_free(struct xs_config *cfg)
{
	size_t r;

	for (r = 0; r < cfg->nranges; r++) {
		free(cfg->ranges[r].name);
		free(cfg->ranges[r].prefixes);
	}
	free(cfg->ranges);
	free(cfg->output_file);
	config_free_ch(&cfg->clickhouse);
	config_free_influx(&cfg->influx);
	free(cfg->mitigation.allow);
	free(cfg->source);
	index_free(cfg->index);
	config_free_rules(cfg);
	config_free_metrics(cfg);
	config_init(cfg);
}

/* Index of the range called `name`, created empty if new; -errno. */
static long range_get(struct xs_config *cfg, const char *name, char *err, size_t errlen)
{
	struct xs_config_index *ix;
	struct xs_range *r;
	size_t s;
	int ret;

	ret = index_sync(cfg);
	if (ret == -EINVAL) {
		set_err(err, errlen, "expected every range to have a name, got one without");
		return ret;
	}
	if (!ret)
		ret = index_reserve(cfg);
	if (ret) {
		set_err(err, errlen, "out of memory");
		return ret;
	}
	ix = cfg->index;
	s = names_slot(cfg, ix->names, ix->names_cap, name);
	if (ix->names[s])
		return ix->names[s] - 1;

	if (cfg->nranges >= MAX_RANGES) {
		set_err(err, errlen, "expected at most %u ranges, got more", MAX_RANGES);
		return -E2BIG;
	}
	if (cfg->nranges == cfg->cap) {
		size_t cap = cfg->cap ? cfg->cap * 2 : 16;
		struct xs_range *nr = realloc(cfg->ranges, cap * sizeof(*nr));

		if (!nr) {
			set_err(err, errlen, "out of memory");
			return -ENOMEM;
		}
		cfg->ranges = nr;
		cfg->cap = cap;
	}
	r = &cfg->ranges[cfg->nranges];
	memset(r, 0, sizeof(*r));
	r->name = strdup(name);
	if (!r->name) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ix->names[s] = ++cfg->nranges;
	ix->nranges = cfg->nranges;
	return cfg->nranges - 1;
}

int config_add_prefix(struct xs_config *cfg, const char *name, const struct xs_prefix *p,
		      char *err, size_t errlen)
{
	char buf[XS_CIDR_STRLEN];
	struct xs_config_index *ix;
	struct xs_prefix n;
	struct xs_range *r;
	long idx;

	if (!config_name_ok(name)) {
		name_err(name, err, errlen);
		return -EINVAL;
	}
	if (cidr_normalize(p, &n)) {
		set_err(err, errlen, "expected a prefix without host bits, got %s",
			cidr_format(p, buf, sizeof(buf)));
		return -EINVAL;
	}
	idx = range_get(cfg, name, err, errlen);
	if (idx < 0)
		return idx;
	ix = cfg->index;
	if (ix->pfxs[pfxs_slot(ix->pfxs, ix->pfxs_cap, &n, idx + 1)].range)
		return 0;

	r = &cfg->ranges[idx];
	if (r->nprefixes == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4;
		struct xs_prefix *np = realloc(r->prefixes, cap * sizeof(*np));

		if (!np) {
			set_err(err, errlen, "out of memory");
			return -ENOMEM;
		}
		r->prefixes = np;
		r->cap = cap;
	}
	r->prefixes[r->nprefixes++] = n;
	pfxs_add(ix, &n, idx + 1);
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	/* strtoull alone would take a sign or leading spaces. */
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case '\0':
		break;
	case 'K': case 'k':
		shift = 10;
		break;
	case 'M': case 'm':
		shift = 20;
		break;
	case 'G': case 'g':
		shift = 30;
		break;
	case 'T': case 't':
		shift = 40;
		break;
	default:
		return -EINVAL;
	}
	if (shift && end[1] != '\0')
		return -EINVAL;
	if (v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

int config_add_range_arg(struct xs_config *cfg, const char *arg, char *err, size_t errlen)
{
	char msg[XS_ERR_LEN], buf[XS_CIDR_STRLEN], q[LOG_QBUF];
	const char *eq = strchr(arg, '=');
	const char *name;
	struct xs_prefix p;
	char *cidr;
	int ret;

	cidr = eq ? strndup(arg, eq - arg) : strdup(arg);
	if (!cidr) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = cidr_parse(cidr, &p, msg, sizeof(msg));
	free(cidr);
	if (ret) {
		set_err(err, errlen, "--range: %s", msg);
		return ret;
	}
	if (eq && !eq[1]) {
		set_err(err, errlen, "--range: expected CIDR or CIDR=NAME, got %s",
			log_quote(arg, q, sizeof(q)));
		return -EINVAL;
	}
	name = eq ? eq + 1 : cidr_format(&p, buf, sizeof(buf));
	ret = config_add_prefix(cfg, name, &p, msg, sizeof(msg));
	if (ret)
		set_err(err, errlen, "--range: %s", msg);
	return ret;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* One line of a prefix list, without its newline. 0, 1 if there was
 * nothing on it, or -errno with the message (without the place) in msg. */
static int prefix_line(struct xs_config *cfg, char *line, char *msg, size_t msglen)
{
	char buf[XS_CIDR_STRLEN], q[LOG_QBUF];
	char *tok[3], *s, *hash, *end;
	struct xs_prefix p;
	int ntok = 0, ret;

	hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	s = line;
	while (is_space(*s))
		s++;
	end = s + strlen(s);
	while (end > s && is_space(end[-1]))
		*--end = '\0';
	if (!*s)
		return 1;

	for (char *c = s; *c && ntok < 3;) {
		tok[ntok++] = c;
		while (*c && !is_space(*c))
			c++;
		while (is_space(*c))
			c++;
	}
	if (ntok > 2) {
		set_err(msg, msglen, "expected \"CIDR [NAME]\", got %s", log_quote(s, q, sizeof(q)));
		return -EINVAL;
	}
	for (int i = 0; i < ntok; i++) {
		char *c = tok[i];

		while (*c && !is_space(*c))
			c++;
		*c = '\0';
	}
	ret = cidr_parse(tok[0], &p, msg, msglen);
	if (ret)
		return ret;
	return config_add_prefix(cfg, ntok == 2 ? tok[1] : cidr_format(&p, buf, sizeof(buf)), &p,
				 msg, msglen);
}

static int set_source(struct xs_config *cfg, const char *path)
{
	if (cfg->source)
		return 0;
	cfg->source = strdup(path);
	return cfg->source ? 0 : -ENOMEM;
}

static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISFIFO(mode))
		return "a pipe";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

/*
 * Regular files only. A directory reads as empty, a device like /dev/zero
 * never ends, and a pipe (<(generate), /dev/stdin from a pipe) ends once:
 * SIGHUP reads the config and its prefix list again, and would find the
 * pipe empty. O_NONBLOCK, so that a FIFO without a writer is refused
 * rather than waited on; it changes nothing for a regular file.
 */
static int open_input(const char *path, FILE **fp, char *err, size_t errlen)
{
	char e[LOG_EBUF];
	struct stat st;
	int fd, ret;
	FILE *f;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		set_err(err, errlen, "%s: cannot open: %s", log_escape(path, e, sizeof(e)),
			strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		set_err(err, errlen, "%s: cannot read: %s", log_escape(path, e, sizeof(e)),
			strerror(-ret));
		close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err, errlen, "%s: expected a regular file, got %s",
			log_escape(path, e, sizeof(e)), file_kind(st.st_mode));
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		ret = -errno;
		set_err(err, errlen, "out of memory");
		close(fd);
		return ret;
	}
	*fp = f;
	return 0;
}

/*
 * One line of `f` into buf, without its newline: 1, 0 at the end of the
 * file, or -E2BIG past `max` bytes, -EILSEQ at a NUL byte, -errno on a
 * read error. A fixed buffer, unlike getline: a file of one endless line
 * must not take the machine's memory, and getline's ENOMEM reads as the
 * end of the file, which silently dropped the rest of the list.
 */
static int read_line(FILE *f, char *buf, size_t max)
{
	size_t n = 0;
	int c;

	errno = 0;
	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (c == '\0')
			return -EILSEQ;
		if (n == max)
			return -E2BIG;
		buf[n++] = c;
	}
	buf[n] = '\0';
	if (c == EOF && ferror(f))
		return errno ? -errno : -EIO;
	return c != EOF || n;
}

int config_load_prefix_file(struct xs_config *cfg, const char *path, char *err,
			    size_t errlen)
{
	char line[XS_LINE_MAX + 1], msg[XS_ERR_LEN], e[LOG_EBUF];
	unsigned long lineno = 0;
	int ret = 0, rd;
	FILE *f;

	ret = open_input(path, &f, err, errlen);
	if (ret)
		return ret;
	log_escape(path, e, sizeof(e));
	while ((rd = read_line(f, line, XS_LINE_MAX)) > 0) {
		char *s = line;

		lineno++;
		/* Editors on Windows start a file with a byte order mark. */
		if (lineno == 1 && !strncmp(s, "\xef\xbb\xbf", 3))
			s += 3;
		ret = prefix_line(cfg, s, msg, sizeof(msg));
		if (ret < 0) {
			set_err(err, errlen, "%s:%lu: %s", e, lineno, msg);
			goto out;
		}
	}
	ret = rd;
	if (rd == -EILSEQ) {
		set_err(err, errlen, "%s:%lu: expected text, got a NUL byte", e, lineno + 1);
		ret = -EINVAL;
	} else if (rd == -E2BIG) {
		set_err(err, errlen, "%s:%lu: expected a line of at most %d bytes, got more", e,
			lineno + 1, XS_LINE_MAX);
		ret = -EINVAL;
	} else if (rd < 0) {
		set_err(err, errlen, "%s:%lu: cannot read: %s", e, lineno + 1, strerror(-rd));
	} else if (set_source(cfg, path)) {
		set_err(err, errlen, "out of memory");
		ret = -ENOMEM;
	}
out:
	fclose(f);
	return ret;
}

struct pfx_ref {
	struct xs_prefix p;	/* normalized */
	uint32_t range;
};

static int pfx_ref_cmp(const void *a, const void *b)
{
	const struct pfx_ref *x = a, *y = b;
	int c;

	if (x->p.family != y->p.family)
		return x->p.family - y->p.family;
	if (x->p.len != y->p.len)
		return x->p.len - y->p.len;
	c = memcmp(x->p.addr, y->p.addr, sizeof(x->p.addr));
	if (c)
		return c;
	return (x->range > y->range) - (x->range < y->range);
}

static int str_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Two ranges of one name: only a hand-built config gets here, the
 * loaders merge them. Sorted, so 100k ranges cost n log n. */
static int check_names(const struct xs_config *cfg, char *err, size_t errlen)
{
	char q[LOG_QBUF];
	char **names;
	size_t r;
	int ret = 0;

	for (r = 0; r < cfg->nranges; r++) {
		if (!config_name_ok(cfg->ranges[r].name)) {
			char msg[XS_ERR_LEN];

			name_err(cfg->ranges[r].name, msg, sizeof(msg));
			set_err(err, errlen, "range %zu: %s", r + 1, msg);
			return -EINVAL;
		}
		if (!cfg->ranges[r].nprefixes) {
			set_err(err, errlen, "range %s: expected at least one prefix, got none",
				log_quote(cfg->ranges[r].name, q, sizeof(q)));
			return -EINVAL;
		}
	}
	names = malloc(cfg->nranges * sizeof(*names));
	if (!names) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (r = 0; r < cfg->nranges; r++)
		names[r] = cfg->ranges[r].name;
	qsort(names, cfg->nranges, sizeof(*names), str_ptr_cmp);
	for (r = 1; r < cfg->nranges; r++) {
		if (!strcmp(names[r - 1], names[r])) {
			set_err(err, errlen, "expected one range named %s, got two",
				log_quote(names[r], q, sizeof(q)));
			ret = -EINVAL;
			break;
		}
	}
	free(names);
	return ret;
}

/*
 * The trie gives each address one range; a prefix in two ranges would go
 * to whichever was built last, so it is refused. Sorting the (prefix,
 * range) pairs finds repeats in n log n for configs of 100k prefixes.
 */
static int check_prefixes(const struct xs_config *cfg, char *err, size_t errlen)
{
	char buf[XS_CIDR_STRLEN], qa[LOG_QBUF], qb[LOG_QBUF];
	struct pfx_ref *refs;
	size_t total = 0, k = 0, r, i;
	int ret = 0;

	for (r = 0; r < cfg->nranges; r++)
		total += cfg->ranges[r].nprefixes;
	refs = malloc((total ? total : 1) * sizeof(*refs));
	if (!refs) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (r = 0; r < cfg->nranges; r++) {
		const struct xs_range *rg = &cfg->ranges[r];

		for (i = 0; i < rg->nprefixes; i++) {
			if (cidr_normalize(&rg->prefixes[i], &refs[k].p)) {
				set_err(err, errlen,
					"range %s: expected a prefix without host bits, got %s",
					log_quote(rg->name, qa, sizeof(qa)),
					cidr_format(&rg->prefixes[i], buf, sizeof(buf)));
				free(refs);
				return -EINVAL;
			}
			refs[k++].range = r;
		}
	}
	qsort(refs, total, sizeof(*refs), pfx_ref_cmp);
	for (k = 1; k < total; k++) {
		if (memcmp(&refs[k - 1].p, &refs[k].p, sizeof(refs[k].p)) ||
		    refs[k - 1].range == refs[k].range)
			continue;
		set_err(err, errlen,
			"prefix %s is in ranges %s and %s (expected each prefix in one range)",
			cidr_format(&refs[k].p, buf, sizeof(buf)),
			log_quote(cfg->ranges[refs[k - 1].range].name, qa, sizeof(qa)),
			log_quote(cfg->ranges[refs[k].range].name, qb, sizeof(qb)));
		ret = -EINVAL;
		break;
	}
	free(refs);
	return ret;
}

int config_validate(const struct xs_config *cfg, char *err, size_t errlen)
{
	if (!cfg->nranges) {
		set_err(err, errlen,
			"expected at least one range (from the config, a prefix list or --range), "
			"got none");
		return -EINVAL;
	}
	return config_validate_empty_ok(cfg, err, errlen);
}

int config_validate_empty_ok(const struct xs_config *cfg, char *err, size_t errlen)
{
	int ret;

	if (cfg->nranges > MAX_RANGES) {
		set_err(err, errlen, "expected at most %u ranges, got %zu", MAX_RANGES,
			cfg->nranges);
		return -E2BIG;
	}
	if (cfg->interval_ms < INTERVAL_MS_MIN || cfg->interval_ms > INTERVAL_MS_MAX) {
		set_err(err, errlen, "interval_ms: expected %d..%d, got %u", INTERVAL_MS_MIN,
			INTERVAL_MS_MAX, cfg->interval_ms);
		return -EINVAL;
	}
	if (!cfg->max_kernel_mem) {
		set_err(err, errlen, "max_kernel_mem: expected more than 0 bytes, got 0");
		return -EINVAL;
	}
	ret = check_names(cfg, err, errlen);
	if (!ret)
		ret = check_prefixes(cfg, err, errlen);
	if (!ret)
		ret = config_check_rules(cfg, err, errlen);
	if (!ret)
		ret = config_check_metrics(cfg, err, errlen);
	return ret;
}

int config_jfail(struct jload *j, const char *path, const char *fmt, ...)
{
	char msg[XS_ERR_LEN], e[LOG_EBUF];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	set_err(j->err, j->errlen, "%s: %s: %s", log_escape(j->file, e, sizeof(e)), path, msg);
	return -EINVAL;
}

/* What the file held, for "got ...": the value itself if short. */
const char *config_describe(const json_t *v, char *buf, size_t len)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return log_quote(json_string_value(v), buf, len);
	case JSON_INTEGER:
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	case JSON_REAL:
		snprintf(buf, len, "%g", json_real_value(v));
		return buf;
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	case JSON_NULL:
		return "null";
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	}
	return "?";
}

/* `path` + ".key", or + "[\"key\"]" when the key is not a plain word. */
static void path_key(char *out, size_t len, const char *path, const char *key)
{
	char q[LOG_QBUF];
	size_t i;
	int plain = (key[0] < '0' || key[0] > '9') && key[0];

	for (i = 0; key[i] && plain; i++)
		plain = key[i] == '_' || (key[i] >= 'a' && key[i] <= 'z') ||
			(key[i] >= 'A' && key[i] <= 'Z') || (key[i] >= '0' && key[i] <= '9');
	if (plain)
		snprintf(out, len, "%s.%s", path, key);
	else
		snprintf(out, len, "%s[%s]", path, log_quote(key, q, sizeof(q)));
}

/* A typo in a key must not silently drop a setting. */
int config_check_keys(struct jload *j, const json_t *obj, const char *path,
		      const char *const *known)
{
	char kpath[JPATH_LEN], list[256];
	const char *key;
	const json_t *v;
	size_t o, i;

	json_object_foreach((json_t *)obj, key, v) {
		for (i = 0; known[i] && strcmp(known[i], key); i++)
			;
		if (known[i])
			continue;
		list[0] = '\0';
		for (i = 0, o = 0; known[i] && o < sizeof(list); i++)
			o += snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", known[i]);
		path_key(kpath, sizeof(kpath), path, key);
		return config_jfail(j, kpath, "unknown key (expected one of: %s)", list);
	}
	return 0;
}

static int load_interval(struct jload *j, const json_t *v)
{
	char d[LOG_QBUF];

	if (!json_is_integer(v) || json_integer_value(v) < INTERVAL_MS_MIN ||
	    json_integer_value(v) > INTERVAL_MS_MAX)
		return config_jfail(j, "$.interval_ms", "expected an integer %d..%d, got %s",
			     INTERVAL_MS_MIN, INTERVAL_MS_MAX, config_describe(v, d, sizeof(d)));
	j->cfg->interval_ms = json_integer_value(v);
	return 0;
}

static int load_max_kernel_mem(struct jload *j, const json_t *v)
{
	uint64_t bytes = 0;
	char d[LOG_QBUF];

	if (json_is_integer(v) && json_integer_value(v) > 0)
		bytes = json_integer_value(v);
	else if (json_is_string(v) && parse_size(json_string_value(v), &bytes))
		bytes = 0;
	if (!bytes)
		return config_jfail(j, "$.max_kernel_mem",
			     "expected bytes above 0 as an integer or a string like \"256M\", got %s",
			     config_describe(v, d, sizeof(d)));
	j->cfg->max_kernel_mem = bytes;
	return 0;
}

static int load_output(struct jload *j, const json_t *v)
{
	static const char *const keys[] = { "file", "clickhouse", "influx", NULL };
	const json_t *file;
	char d[LOG_QBUF];
	int ret;

	if (!json_is_object(v))
		return config_jfail(j, "$.output", "expected an object, got %s",
			     config_describe(v, d, sizeof(d)));
	ret = config_check_keys(j, v, "$.output", keys);
	if (!ret && json_object_get(v, "clickhouse"))
		ret = config_load_ch(j, json_object_get(v, "clickhouse"));
	if (!ret && json_object_get(v, "influx"))
		ret = config_load_influx(j, json_object_get(v, "influx"));
	if (ret)
		return ret;
	file = json_object_get(v, "file");
	if (!file)
		return 0;
	if (!json_is_string(file) || !json_string_length(file) ||
	    strlen(json_string_value(file)) != json_string_length(file))
		return config_jfail(j, "$.output.file", "expected a file name, got %s",
			     config_describe(file, d, sizeof(d)));
	free(j->cfg->output_file);
	j->cfg->output_file = strdup(json_string_value(file));
	if (!j->cfg->output_file)
		return config_jfail(j, "$.output.file", "out of memory");
	return 0;
}

const char *const config_dim_names[XS_DIM_MAX] = { "src", "dst", "dport", "sport", "syn" };

int config_dim(const char *name)
{
	int i;

	for (i = 0; i < XS_DIM_MAX; i++)
		if (!strcmp(name, config_dim_names[i]))
			return i;
	return -1;
}

unsigned int config_pages(const struct xs_stats_cfg *st, uint32_t nslots)
{
	unsigned int want = st->pages ? st->pages : XS_STATS_PAGES_MAX;

	/* A slot takes one page at most: more would never be used. */
	return nslots < want ? nslots : want;
}

static int stats_uint(struct jload *j, const json_t *st, const char *key, long long lo,
		      long long hi, int pow2, unsigned int *out)
{
	const json_t *v = json_object_get(st, key);
	char path[JPATH_LEN], d[LOG_QBUF];
	long long x;

	if (!v)
		return 0;
	x = json_is_integer(v) ? json_integer_value(v) : lo - 1;
	snprintf(path, sizeof(path), "$.stats.%s", key);
	if (x < lo || x > hi || (pow2 && (x & (x - 1))))
		return config_jfail(j, path, "expected an integer %lld..%lld%s, got %s", lo, hi,
			     pow2 ? " and a power of 2" : "", config_describe(v, d, sizeof(d)));
	*out = x;
	return 0;
}

static int stats_bool(struct jload *j, const json_t *st, const char *key, int *out)
{
	const json_t *v = json_object_get(st, key);
	char path[JPATH_LEN], d[LOG_QBUF];

	if (!v)
		return 0;
	snprintf(path, sizeof(path), "$.stats.%s", key);
	if (!json_is_boolean(v))
		return config_jfail(j, path, "expected true or false, got %s", config_describe(v, d, sizeof(d)));
	*out = json_is_true(v);
	return 0;
}

static int load_stats(struct jload *j, const json_t *v)
{
	static const char *const keys[] = {
		"enabled", "top_k", "top", "hll_precision", "top_buckets", "pages",
		"stage_sets", "flows", "storm_flows", "storm_sample", "export_sketches", NULL
	};
	struct xs_stats_cfg *st = &j->cfg->stats;
	char path[JPATH_LEN], d[LOG_QBUF];
	const json_t *top, *t;
	size_t i;
	int ret, dim;

	if (!json_is_object(v))
		return config_jfail(j, "$.stats", "expected an object, got %s", config_describe(v, d, sizeof(d)));
	ret = config_check_keys(j, v, "$.stats", keys);
	if (!ret)
		ret = stats_bool(j, v, "enabled", &st->enabled);
	if (!ret)
		ret = stats_bool(j, v, "export_sketches", &st->export_sketches);
	if (!ret)
		ret = stats_uint(j, v, "top_k", 1, XS_TOP_K_MAX, 0, &st->top_k);
	if (!ret)
		ret = stats_uint(j, v, "hll_precision", XS_HLL_P_MIN, XS_HLL_P_MAX, 0,
				 &st->hll_precision);
	if (!ret)
		ret = stats_uint(j, v, "top_buckets", 1, 65536, 1, &st->top_buckets);
	if (!ret)
		ret = stats_uint(j, v, "pages", 1, MAX_SK_PAGES, 0, &st->pages);
	if (!ret)
		ret = stats_uint(j, v, "stage_sets", XS_STAGE_CHUNK, XS_STAGE_SETS_MAX, 1,
				 &st->stage_sets);
	if (!ret)
		ret = stats_uint(j, v, "flows", 0, XS_FLOWS_MAX, 1, &st->flows);
	if (!ret && st->flows && st->flows < XS_FLOW_CHUNK)
		ret = config_jfail(j, "$.stats.flows", "expected 0 (no flow cache) or a power of "
				   "2 %u..%u, got %u", XS_FLOW_CHUNK, XS_FLOWS_MAX, st->flows);
	if (!ret && json_object_get(v, "storm_flows")) {
		ret = stats_uint(j, v, "storm_flows", 0, UINT32_MAX, 0, &st->storm_flows);
		st->storm_flows_set = 1;
	}
	if (!ret)
		ret = stats_uint(j, v, "storm_sample", 1, 1024, 1, &st->storm_sample);
	if (ret || !(top = json_object_get(v, "top")))
		return ret;
	if (!json_is_array(top))
		return config_jfail(j, "$.stats.top",
			     "expected an array of \"src\", \"dst\", \"dport\", \"sport\", \"syn\", got %s",
			     config_describe(top, d, sizeof(d)));
	st->dims = 0;
	json_array_foreach(top, i, t) {
		snprintf(path, sizeof(path), "$.stats.top[%zu]", i);
		dim = json_is_string(t) ? config_dim(json_string_value(t)) : -1;
		if (dim < 0)
			return config_jfail(j, path,
				     "expected \"src\", \"dst\", \"dport\", \"sport\" or \"syn\", got %s",
				     config_describe(t, d, sizeof(d)));
		if (st->dims & (1U << dim))
			return config_jfail(j, path, "expected each dimension once, got %s twice",
				     config_dim_names[dim]);
		st->dims |= 1U << dim;
	}
	return 0;
}

/*
 * $.metrics: top keys as Prometheus labels are a series per key, so they
 * are off unless ranges are named, and then bounded by their count.
 */
static int load_metrics(struct jload *j, const json_t *v)
{
	static const char *const keys[] = { "top_ranges", "top_n", NULL };
	struct xs_metrics_cfg *mc = &j->cfg->metrics;
	char path[JPATH_LEN], d[LOG_QBUF], msg[XS_ERR_LEN];
	const json_t *ranges, *n, *e;
	size_t i, k;
	int ret;

	if (!json_is_object(v))
		return config_jfail(j, "$.metrics", "expected an object, got %s",
				    config_describe(v, d, sizeof(d)));
	ret = config_check_keys(j, v, "$.metrics", keys);
	if (ret)
		return ret;
	if ((n = json_object_get(v, "top_n"))) {
		if (!json_is_integer(n) || json_integer_value(n) < 1 ||
		    json_integer_value(n) > XS_METRICS_TOP_N_MAX)
			return config_jfail(j, "$.metrics.top_n", "expected an integer 1..%d, got %s",
					    XS_METRICS_TOP_N_MAX, config_describe(n, d, sizeof(d)));
		mc->top_n = json_integer_value(n);
	}
	if (!(ranges = json_object_get(v, "top_ranges")))
		return 0;
	if (!json_is_array(ranges))
		return config_jfail(j, "$.metrics.top_ranges",
				    "expected an array of at most %d range names, got %s",
				    XS_METRICS_TOP_RANGES_MAX, config_describe(ranges, d, sizeof(d)));
	if (json_array_size(ranges) > XS_METRICS_TOP_RANGES_MAX)
		return config_jfail(j, "$.metrics.top_ranges",
				    "expected at most %d range names, got %zu",
				    XS_METRICS_TOP_RANGES_MAX, json_array_size(ranges));
	config_free_metrics(j->cfg);
	mc->top_ranges = calloc(json_array_size(ranges) + 1, sizeof(*mc->top_ranges));
	if (!mc->top_ranges)
		return config_jfail(j, "$.metrics.top_ranges", "out of memory");
	json_array_foreach(ranges, i, e) {
		snprintf(path, sizeof(path), "$.metrics.top_ranges[%zu]", i);
		if (!json_is_string(e))
			return config_jfail(j, path, "expected a range name, got %s",
					    config_describe(e, d, sizeof(d)));
		if (!config_name_ok(json_string_value(e)) ||
		    strlen(json_string_value(e)) != json_string_length(e)) {
			name_err(json_string_value(e), msg, sizeof(msg));
			return config_jfail(j, path, "%s", msg);
		}
		for (k = 0; k < i; k++)
			if (!strcmp(mc->top_ranges[k], json_string_value(e)))
				return config_jfail(j, path, "expected each range once, got %s twice",
						    config_describe(e, d, sizeof(d)));
		mc->top_ranges[i] = strdup(json_string_value(e));
		if (!mc->top_ranges[i])
			return config_jfail(j, path, "out of memory");
		mc->ntop_ranges++;
	}
	return 0;
}

int config_check_metrics(const struct xs_config *cfg, char *err, size_t errlen)
{
	char q[LOG_QBUF];
	size_t i;

	if (cfg->metrics.ntop_ranges && !cfg->stats.enabled) {
		set_err(err, errlen, "metrics.top_ranges: the top lists need stats.enabled");
		return -EINVAL;
	}
	for (i = 0; i < cfg->metrics.ntop_ranges; i++)
		if (!config_range_id(cfg, cfg->metrics.top_ranges[i])) {
			set_err(err, errlen, "metrics.top_ranges: expected ranges that exist, got %s",
				log_quote(cfg->metrics.top_ranges[i], q, sizeof(q)));
			return -EINVAL;
		}
	return 0;
}

void config_free_metrics(struct xs_config *cfg)
{
	while (cfg->metrics.ntop_ranges)
		free(cfg->metrics.top_ranges[--cfg->metrics.ntop_ranges]);
	free(cfg->metrics.top_ranges);
	cfg->metrics.top_ranges = NULL;
}

static int load_range(struct jload *j, const json_t *v, size_t idx)
{
	static const char *const keys[] = { "name", "prefixes", NULL };
	char path[48], epath[96], d[LOG_QBUF], msg[XS_ERR_LEN];
	const json_t *name, *prefixes, *e;
	struct xs_prefix p;
	size_t i;
	int ret;

	snprintf(path, sizeof(path), "$.ranges[%zu]", idx);
	if (!json_is_object(v))
		return config_jfail(j, path, "expected an object with \"name\" and \"prefixes\", got %s",
			     config_describe(v, d, sizeof(d)));
	ret = config_check_keys(j, v, path, keys);
	if (ret)
		return ret;
	name = json_object_get(v, "name");
	prefixes = json_object_get(v, "prefixes");
	if (!name || !prefixes)
		return config_jfail(j, path,
			     "expected an object with \"name\" and \"prefixes\", got no \"%s\"",
			     name ? "prefixes" : "name");

	snprintf(epath, sizeof(epath), "%s.name", path);
	if (!json_is_string(name) || !config_name_ok(json_string_value(name)) ||
	    strlen(json_string_value(name)) != json_string_length(name)) {
		if (json_is_string(name))
			name_err(json_string_value(name), msg, sizeof(msg));
		else
			snprintf(msg, sizeof(msg), "expected a range name, got %s",
				 config_describe(name, d, sizeof(d)));
		return config_jfail(j, epath, "%s", msg);
	}

	snprintf(epath, sizeof(epath), "%s.prefixes", path);
	if (!json_is_array(prefixes) || !json_array_size(prefixes))
		return config_jfail(j, epath, "expected a non-empty array of CIDRs, got %s",
			     json_is_array(prefixes) ? "[]" : config_describe(prefixes, d, sizeof(d)));
	json_array_foreach(prefixes, i, e) {
		snprintf(epath, sizeof(epath), "%s.prefixes[%zu]", path, i);
		if (!json_is_string(e))
			return config_jfail(j, epath, "expected a CIDR string, got %s",
				     config_describe(e, d, sizeof(d)));
		ret = cidr_parse(json_string_value(e), &p, msg, sizeof(msg));
		if (!ret)
			ret = config_add_prefix(j->cfg, json_string_value(name), &p, msg,
						sizeof(msg));
		if (ret) {
			config_jfail(j, epath, "%s", msg);
			return ret;
		}
	}
	return 0;
}

static int load_ranges(struct jload *j, const json_t *v)
{
	const json_t *e;
	char d[LOG_QBUF];
	size_t i;
	int ret;

	if (!json_is_array(v))
		return config_jfail(j, "$.ranges", "expected an array of ranges, got %s",
			     config_describe(v, d, sizeof(d)));
	json_array_foreach(v, i, e) {
		ret = load_range(j, e, i);
		if (ret)
			return ret;
	}
	return 0;
}

/* Relative to the config's directory, so a config and its prefix list
 * can move together and the daemon's working directory does not matter. */
static int load_ranges_file(struct jload *j, const json_t *v)
{
	const char *file, *slash;
	char d[LOG_QBUF];
	char *path;
	int ret;

	if (!json_is_string(v) || !json_string_length(v) ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return config_jfail(j, "$.ranges_file", "expected a file name, got %s",
			     config_describe(v, d, sizeof(d)));
	file = json_string_value(v);
	slash = strrchr(j->file, '/');
	if (file[0] == '/' || !slash)
		path = strdup(file);
	else if (asprintf(&path, "%.*s%s", (int)(slash - j->file + 1), j->file, file) < 0)
		path = NULL;
	if (!path)
		return config_jfail(j, "$.ranges_file", "out of memory");
	ret = config_load_prefix_file(j->cfg, path, j->err, j->errlen);
	free(path);
	return ret;
}

int config_load_json(struct xs_config *cfg, const char *path, char *err, size_t errlen)
{
	static const char *const keys[] = {
		"interval_ms", "max_kernel_mem", "output", "ranges", "ranges_file", "stats",
		"rules", "alerts", "metrics", "mitigation", "sflow", NULL
	};
	struct jload j = { .cfg = cfg, .file = path, .err = err, .errlen = errlen };
	char d[LOG_QBUF], e[LOG_EBUF], et[LOG_EBUF];
	json_error_t jerr;
	const json_t *v;
	json_t *root;
	int ret;
	FILE *f;

	/* Opened here, not by json_load_file, to return the real errno. */
	ret = open_input(path, &f, err, errlen);
	if (ret)
		return ret;
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	fclose(f);
	if (!root) {
		/* jansson quotes the bytes "near" the error as they are. */
		set_err(err, errlen, "%s:%d:%d: invalid JSON: %s", log_escape(path, e, sizeof(e)),
			jerr.line, jerr.column, log_escape(jerr.text, et, sizeof(et)));
		return -EINVAL;
	}
	if (!json_is_object(root)) {
		ret = config_jfail(&j, "$", "expected an object, got %s", config_describe(root, d, sizeof(d)));
		goto out;
	}
	/* Before ranges_file, which would name itself otherwise. */
	if (set_source(cfg, path)) {
		ret = config_jfail(&j, "$", "out of memory");
		goto out;
	}
	ret = config_check_keys(&j, root, "$", keys);
	if (!ret && (v = json_object_get(root, "interval_ms")))
		ret = load_interval(&j, v);
	if (!ret && (v = json_object_get(root, "max_kernel_mem")))
		ret = load_max_kernel_mem(&j, v);
	if (!ret && (v = json_object_get(root, "output")))
		ret = load_output(&j, v);
	if (!ret && (v = json_object_get(root, "stats")))
		ret = load_stats(&j, v);
	if (!ret && (v = json_object_get(root, "ranges")))
		ret = load_ranges(&j, v);
	if (!ret && (v = json_object_get(root, "ranges_file")))
		ret = load_ranges_file(&j, v);
	if (!ret && (v = json_object_get(root, "alerts")))
		ret = config_load_alerts(&j, v);
	if (!ret && (v = json_object_get(root, "rules")))
		ret = config_load_rules(&j, v);
	if (!ret && (v = json_object_get(root, "metrics")))
		ret = load_metrics(&j, v);
	if (!ret && (v = json_object_get(root, "mitigation")))
		ret = config_load_mitig(&j, v);
	if (!ret && (v = json_object_get(root, "sflow")))
		ret = config_load_sflow(&j, v);
out:
	json_decref(root);
	return ret;
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

int config_same_ranges(const struct xs_config *a, const struct xs_config *b)
{
	size_t i;

	if (a->nranges != b->nranges)
		return 0;
	for (i = 0; i < a->nranges; i++)
		if (strcmp(a->ranges[i].name, b->ranges[i].name) ||
		    a->ranges[i].nprefixes != b->ranges[i].nprefixes ||
		    memcmp(a->ranges[i].prefixes, b->ranges[i].prefixes,
			   a->ranges[i].nprefixes * sizeof(*a->ranges[i].prefixes)))
			return 0;
	return 1;
}

/* The program's mitigation settings are fixed at load. */
static int mitig_same(const struct xs_mitig_cfg *a, const struct xs_mitig_cfg *b)
{
	return a->enabled == b->enabled && a->dry_run == b->dry_run &&
	       a->max_filters == b->max_filters && a->max_share == b->max_share &&
	       a->ttl_s == b->ttl_s && a->hold_s == b->hold_s && a->nallow == b->nallow &&
	       (!a->nallow || !memcmp(a->allow, b->allow, a->nallow * sizeof(*a->allow)));
}

const char *config_fixed_diff(const struct xs_config *a, const struct xs_config *b)
{
	if (a->interval_ms != b->interval_ms)
		return "interval_ms";
	if (!same_str(a->output_file, b->output_file))
		return "output.file";
	if (a->max_kernel_mem != b->max_kernel_mem)
		return "max_kernel_mem";
	if (!mitig_same(&a->mitigation, &b->mitigation))
		return "mitigation";
	return NULL;
}
