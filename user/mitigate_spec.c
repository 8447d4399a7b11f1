// SPDX-License-Identifier: GPL-2.0
/*
 * A filter's spec: its checks and its text (mitigate.h). No libbpf: the
 * records and the unit tests use it.
 */
#include <errno.h>
#include <stdio.h>
#include "config.h"
#include "log.h"
#include "mitigate.h"

static const char *const l4_names[] = { "tcp", "udp", "icmp" };

int mitig_spec_check(const struct xs_mit_spec *s, char *err, size_t errlen)
{
	struct xs_prefix n;
	char buf[XS_CIDR_STRLEN];

	if (cidr_normalize(&s->dst, &n)) {
		set_err(err, errlen, "expected a destination CIDR without host bits, got %s",
			cidr_format(&s->dst, buf, sizeof(buf)));
		return -EINVAL;
	}
	if (s->proto < -1 || s->proto > XS_L4_ICMP) {
		set_err(err, errlen, "expected a protocol tcp, udp or icmp");
		return -EINVAL;
	}
	if (s->sport < -1 || s->sport > 65535) {
		set_err(err, errlen, "expected a source port 0..65535, got %d", s->sport);
		return -EINVAL;
	}
	if (s->sport >= 0 && s->proto != XS_L4_TCP && s->proto != XS_L4_UDP) {
		set_err(err, errlen, "a source port needs the protocol tcp or udp");
		return -EINVAL;
	}
	if (s->syn && s->proto != XS_L4_TCP) {
		set_err(err, errlen, "syn needs the protocol tcp");
		return -EINVAL;
	}
	if (s->pps > XS_MIT_PPS_MAX) {
		set_err(err, errlen, "expected a rate of 1..%u packets a second, got %u",
			XS_MIT_PPS_MAX, s->pps);
		return -EINVAL;
	}
	if (s->ttl_s < 1 || s->ttl_s > XS_MIT_TTL_MAX_S) {
		set_err(err, errlen, "expected a lifetime of 1..%u s, got %u s", XS_MIT_TTL_MAX_S,
			s->ttl_s);
		return -EINVAL;
	}
	return 0;
}

char *mitig_match_str(const struct xs_mit_spec *s, char *buf, size_t len)
{
	char c[XS_CIDR_STRLEN];
	size_t o;

	o = snprintf(buf, len, "%s", cidr_format(&s->dst, c, sizeof(c)));
	if (s->proto >= 0 && o < len)
		o += snprintf(buf + o, len - o, " %s", l4_names[s->proto]);
	if (s->sport >= 0 && o < len)
		o += snprintf(buf + o, len - o, " sport %d", s->sport);
	if (s->syn && o < len)
		snprintf(buf + o, len - o, " syn");
	return buf;
}

char *mitig_action_str(uint32_t pps, char *buf, size_t len)
{
	if (pps)
		snprintf(buf, len, "%u pps", pps);
	else
		snprintf(buf, len, "drop");
	return buf;
}
