/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CIDR prefixes: parsing and formatting of "198.18.0.0/15", "2001:db8::/32"
 * and bare addresses (a /32 or /128). No libbpf: links into unit tests.
 */
#ifndef XS_CIDR_H
#define XS_CIDR_H

#include <stddef.h>
#include <stdint.h>

struct xs_prefix {
	uint8_t addr[16];	/* network byte order; IPv4 uses addr[0..3] */
	uint8_t family;		/* 4 or 6 */
	uint8_t len;		/* prefix length, 0..32 or 0..128 */
};

/*
 * Parse `s` into `p`. Returns 0, or -EINVAL with a message in `err` that
 * states the expectation and quotes the input, e.g.
 * `expected a CIDR, got "198.18.0.0/33"` or
 * `host bits set in "198.18.0.1/24" (did you mean 198.18.0.0/24?)`.
 * Strict: no spaces or signs, the length in decimal without leading zeros
 * ("/08" is refused, as inet_pton refuses "198.018.0.0"), no zone id
 * ("fe80::1%eth0"). "::ffff:198.18.0.1" stays an IPv6 prefix.
 */
int cidr_parse(const char *s, struct xs_prefix *p, char *err, size_t errlen);

/*
 * `p` into `n` with every bit past the prefix length zeroed, and the bytes
 * an IPv4 address does not use: the form to compare and hash. 0, or
 * -EINVAL if `p` had a host bit set (`n` then holds the network) or an
 * unknown family or a length over 32 or 128 (`n` is then undefined).
 */
int cidr_normalize(const struct xs_prefix *p, struct xs_prefix *n);

/* "198.18.0.0/24" or "2001:db8::/32" into buf; returns buf. */
char *cidr_format(const struct xs_prefix *p, char *buf, size_t len);

/* An address (16 bytes for 6, 4 for 4) as text, without a length. */
char *addr_format(int family, const uint8_t *addr, char *buf, size_t len);

/* 1 if `p` covers the address, else 0. */
int cidr_contains(const struct xs_prefix *p, int family, const uint8_t *addr);

/* Same family, length and address bits. */
int cidr_equal(const struct xs_prefix *a, const struct xs_prefix *b);

#define XS_CIDR_STRLEN 64

#endif /* XS_CIDR_H */
