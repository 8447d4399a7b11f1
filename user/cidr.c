// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cidr.h"
#include "log.h"

static int max_len(int family)
{
	return family == 4 ? 32 : 128;
}

static int addr_bytes(int family)
{
	return family == 4 ? 4 : 16;
}

/* 1 if the first `len` bits of a and b agree. */
static int bits_equal(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	unsigned int full = len / 8, rest = len % 8;
	uint8_t mask;

	if (memcmp(a, b, full))
		return 0;
	if (!rest)
		return 1;
	mask = 0xff << (8 - rest);
	return !((a[full] ^ b[full]) & mask);
}

int cidr_normalize(const struct xs_prefix *p, struct xs_prefix *n)
{
	unsigned int len = p->len;

	if ((p->family != 4 && p->family != 6) || len > (unsigned int)max_len(p->family))
		return -EINVAL;
	memset(n, 0, sizeof(*n));
	n->family = p->family;
	n->len = p->len;
	memcpy(n->addr, p->addr, len / 8);
	if (len % 8)
		n->addr[len / 8] = p->addr[len / 8] & (0xff << (8 - len % 8));
	return memcmp(n->addr, p->addr, addr_bytes(p->family)) ? -EINVAL : 0;
}

/*
 * The length is digits only: strtoul alone would take "+24", " 24" and
 * "-0". A leading zero ("/08") is refused too, as inet_pton refuses it in
 * "198.018.0.0": some tools read it as octal, so its meaning is unclear.
 */
static int parse_len(const char *s, int family, unsigned int *len)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	if (s[0] == '0' && s[1] != '\0')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end != '\0' || v > (unsigned long)max_len(family))
		return -EINVAL;
	*len = v;
	return 0;
}

int cidr_parse(const char *s, struct xs_prefix *p, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN], q[LOG_QBUF];
	char fixed[XS_CIDR_STRLEN];
	const char *slash;
	struct xs_prefix r, m;
	unsigned int len;
	size_t alen;

	if (!s)
		s = "";
	memset(&r, 0, sizeof(r));
	if (strchr(s, '%')) {
		set_err(err, errlen, "expected a CIDR without a zone id, got %s",
			log_quote(s, q, sizeof(q)));
		return -EINVAL;
	}
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen == 0 || alen >= sizeof(addr))
		goto bad;
	memcpy(addr, s, alen);
	addr[alen] = '\0';

	/* inet_pton is strict where we want it: no spaces, no short forms
	 * like "10/8", no leading zeros in IPv4 octets. */
	if (strchr(addr, ':')) {
		if (inet_pton(AF_INET6, addr, r.addr) != 1)
			goto bad;
		r.family = 6;
	} else {
		if (inet_pton(AF_INET, addr, r.addr) != 1)
			goto bad;
		r.family = 4;
	}
	if (!slash)
		len = max_len(r.family);
	else if (parse_len(slash + 1, r.family, &len))
		goto bad;
	r.len = len;

	/* A set host bit is usually a typo for the network or an address
	 * pasted as a prefix: refuse it rather than guess, but say the fix. */
	if (cidr_normalize(&r, &m)) {
		set_err(err, errlen, "host bits set in %s (did you mean %s?)",
			log_quote(s, q, sizeof(q)), cidr_format(&m, fixed, sizeof(fixed)));
		return -EINVAL;
	}
	*p = r;
	return 0;
bad:
	set_err(err, errlen, "expected a CIDR, got %s", log_quote(s, q, sizeof(q)));
	return -EINVAL;
}

char *addr_format(int family, const uint8_t *addr, char *buf, size_t len)
{
	if (!len)
		return buf;
	if ((family != 4 && family != 6) ||
	    !inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

char *cidr_format(const struct xs_prefix *p, char *buf, size_t len)
{
	size_t n;

	if (!len)
		return buf;
	addr_format(p->family, p->addr, buf, len);
	n = strlen(buf);
	snprintf(buf + n, len - n, "/%u", p->len);
	return buf;
}

int cidr_contains(const struct xs_prefix *p, int family, const uint8_t *addr)
{
	if (p->family != family || p->len > max_len(family))
		return 0;
	return bits_equal(p->addr, addr, p->len);
}

int cidr_equal(const struct xs_prefix *a, const struct xs_prefix *b)
{
	if (a->family != b->family || a->len != b->len)
		return 0;
	if (a->family != 4 && a->family != 6)
		return 0;
	if (a->len > max_len(a->family))
		return 0;
	return bits_equal(a->addr, b->addr, a->len);
}
