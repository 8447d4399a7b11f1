/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sketches of a (range, direction) over a window of intervals (300 s
 * by default), as the ClickHouse sink ships them: what the fleet store
 * merges across hosts and time.
 *
 * Distinct sources: while the window's sources fit the exact tier (the
 * lite hashes of every interval, united, at most XS_CHD_EXACT of them),
 * the window is exact and ships its hashes; beyond, a HyperLogLog of 2^p
 * registers (p at most the kernel's: its registers fold down, exactly as
 * if the hashes had been added at p). Either way the registers ship
 * sparse (index, rank of the non-zero ones): the store takes the max per
 * index, across hosts and windows, which is the sketch of the union.
 *
 * Top lists: the interval lists of a window, added up per key. A key's
 * `pkts` is the sum of the counts it had where it was listed; `pkts_max`
 * adds, for each interval of the window in which it was not listed while
 * the list was full, the smallest count of that list (what it can have
 * had there at most). A window ships the keys whose pkts_max reaches 1% of
 * the window's packets, the heaviest XS_CHD_TOP_SHIP at most: every key
 * that had 1% of the window is among them. No libbpf.
 */
#ifndef XS_CHDIGEST_H
#define XS_CHDIGEST_H

#include <stddef.h>
#include <stdint.h>
#include "xdpscope.h"

#define XS_CHD_EXACT 64			/* distinct hashes a window keeps exact */
#define XS_CHD_TOP_CAND 256		/* keys a window and list tracks */
#define XS_CHD_TOP_SHIP 128		/* keys a window and list ships */

struct xs_textbuf;
struct xs_sk_layout;
struct xs_sk_result;
struct xs_chd_ent;

struct xs_chdigest {
	unsigned int p;			/* shipped precision */
	struct xs_chd_ent **tab;	/* by (range, dir) */
	size_t nbuckets, n;
	size_t mem;			/* bytes held, about */
	uint64_t top_evicted;		/* keys a full candidate list let go */
};

int chd_init(struct xs_chdigest *d, unsigned int p);
void chd_free(struct xs_chdigest *d);

/* One interval of (range, dir). sk NULL: counters only. 0 or -ENOMEM. */
int chd_add(struct xs_chdigest *d, const char *range, int dir, const struct xs_counters *delta,
	    const struct xs_sk_layout *skl, const struct xs_sk_result *sk);

/*
 * The window as JSONEachRow lines, appended: one to `sk` a (range, dir)
 * with distinct sources, one to `top` a shipped key. Each line starts
 * with `head` (an object's first members, without the closing brace:
 * `{"ts":...,"host":...`) and adds range, dir, window_s and the figures.
 * Returns the lines written in *nsk, *ntop; empties the digest.
 */
void chd_ship(struct xs_chdigest *d, const char *head, double window_s, struct xs_textbuf *sk,
	      uint64_t *nsk, struct xs_textbuf *top, uint64_t *ntop);

/* Fold registers of precision p to precision q <= p (sizes 2^p, 2^q),
 * max into out: the registers the same hashes give at q. */
void chd_fold(const uint8_t *regs, unsigned int p, uint8_t *out, unsigned int q);

/* JSON string (quotes included) of s, appended. */
void chd_json_str(struct xs_textbuf *b, const char *s);

#endif /* XS_CHDIGEST_H */
