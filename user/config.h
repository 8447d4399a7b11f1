/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The validated, typed configuration, from any mix of: a JSON config file
 * (jansson), prefix-list files ("CIDR [NAME]" a line, # comments) and
 * --range CIDR[=NAME] arguments. No libbpf: links into unit tests.
 *
 * Every loader returns 0 or a negative errno and, on error, writes one
 * line into `err` naming the place and the expectation, without the
 * program name and without a newline, e.g.
 *   cfg.json: $.ranges[3].prefixes[0]: expected a CIDR, got "198.18.0.0/33"
 *   prefixes.txt:12: expected "CIDR [NAME]", got "198.18.0.0/24 a b"
 */
#ifndef XS_CONFIG_H
#define XS_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "cidr.h"
#include "xdpscope.h"

#define XS_ERR_LEN 512
#define XS_NAME_MAX 128			/* bytes of a range name */
#define XS_DEFAULT_INTERVAL_MS 1000
#define XS_DEFAULT_MAX_KERNEL_MEM (256ULL << 20)

struct xs_range {
	char *name;
	struct xs_prefix *prefixes;
	size_t nprefixes;
	size_t cap;
};

struct xs_config_index;

/* Sketch settings ("stats"). Defaults: XS_STATS_* below. */
#define XS_STATS_TOP_K 10
#define XS_STATS_HLL_P 14		/* 16384 registers, ~0.8% standard error */
#define XS_STATS_TOP_BUCKETS 256	/* x XS_TOP_WAYS entries a page and dimension */
#define XS_STATS_PAGES_MAX 256		/* default pool: one page a slot, at most this */
#define XS_STATS_ALL_DIMS 0xf		/* src, dst, dport, sport */
#define XS_STATS_STAGE_SETS 4096	/* x XS_STAGE_WAYS keys per CPU and epoch */

struct xs_stats_cfg {
	int enabled;			/* 0: counters only, no sketch maps */
	unsigned int top_k;		/* 1..XS_TOP_K_MAX entries a list */
	unsigned int dims;		/* bit (1 << enum xs_dim) per tracked dimension */
	unsigned int hll_precision;	/* XS_HLL_P_MIN..XS_HLL_P_MAX */
	unsigned int top_buckets;	/* power of 2, 1..65536 */
	unsigned int pages;		/* pool pages an epoch; 0: the default */
	unsigned int stage_sets;	/* per-CPU stage sets an epoch, power of 2 */
	int export_sketches;		/* records carry the HLL registers */
};

struct xs_config {
	unsigned int interval_ms;	/* 10 .. 3600000 */
	struct xs_range *ranges;	/* range id = index + 1 */
	size_t nranges;
	size_t cap;
	char *output_file;		/* NULL: stdout */
	uint64_t max_kernel_mem;	/* bytes */
	struct xs_stats_cfg stats;
	char *source;			/* for messages: file the ranges came from */
	struct xs_config_index *index;	/* private to config.c: name and prefix
					 * lookups, rebuilt if ranges are added
					 * by hand */
};

/*
 * On a load error `cfg` may hold part of the input: config_free it. A range
 * name is 1..XS_NAME_MAX-1 bytes of printable ASCII (space included, not at
 * either end) without '"' or '\\', so messages and JSON records carry it as is.
 */
void config_init(struct xs_config *cfg);
void config_free(struct xs_config *cfg);

/*
 * JSON config. Keys (all optional): interval_ms (integer), ranges (array of
 * {"name": string, "prefixes": [CIDR, ...]}), ranges_file (string, relative
 * to the config's directory), output: {"file": string}, max_kernel_mem
 * (integer bytes or a string with a K/M/G/T suffix, powers of 1024), stats:
 * {"enabled": bool, "top_k": 1..64, "top": ["src", "dst", "dport", "sport"],
 * "hll_precision": 8..16, "top_buckets": power of 2, "pages": integer,
 * "stage_sets": power of 2,
 * "export_sketches": bool}. Unknown
 * keys are errors (a typo must not be silently ignored). Ranges are added in
 * file order, then those of ranges_file; a name seen before merges.
 */
int config_load_json(struct xs_config *cfg, const char *path, char *err, size_t errlen);

/* Prefix list: "CIDR [NAME]" a line; blank lines and # comments (whole or
 * trailing) skipped, CRLF ends accepted; lines naming the same NAME form
 * one range; a line without a name forms a range named by its CIDR in
 * canonical form ("2001:DB8::/32" -> "2001:db8::/32"). Thousands of lines
 * load in milliseconds. */
int config_load_prefix_file(struct xs_config *cfg, const char *path, char *err,
			    size_t errlen);

/* One --range argument: "CIDR" or "CIDR=NAME" (same merging rules). */
int config_add_range_arg(struct xs_config *cfg, const char *arg, char *err, size_t errlen);

/* Add one prefix to the range called `name`, creating it if needed. The
 * same prefix twice in one range is kept once (merged prefix lists repeat
 * lines); the same prefix in two ranges is left to config_validate. */
int config_add_prefix(struct xs_config *cfg, const char *name, const struct xs_prefix *p,
		      char *err, size_t errlen);

/*
 * Whole-config checks after every source is loaded: at least one range, no
 * prefix in two ranges (naming both), no range without prefixes, no two
 * ranges of one name, names as above, interval_ms in range.
 */
int config_validate(const struct xs_config *cfg, char *err, size_t errlen);

/* The same checks but the first: no range at all is fine (replay, where no
 * interface gives default ranges: every IP packet is unmatched). */
int config_validate_empty_ok(const struct xs_config *cfg, char *err, size_t errlen);

/* "256M", "1G", "1048576" -> bytes: digits, then at most one of K/M/G/T
 * (either case). 0 or -EINVAL, also on overflow. */
int parse_size(const char *s, uint64_t *out);

/* "src", "dst", "dport", "sport" -> enum xs_dim; -1 for anything else. */
int config_dim(const char *name);
extern const char *const config_dim_names[XS_DIM_MAX];

/* Pool pages an epoch for `nslots` slots: stats.pages (default
 * XS_STATS_PAGES_MAX), at most one a slot. */
unsigned int config_pages(const struct xs_stats_cfg *st, uint32_t nslots);

#endif /* XS_CONFIG_H */
