// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "ifprefix.h"
#include "log.h"

static int mask_len(const uint8_t *mask, int nbytes)
{
	int len = 0, i;

	for (i = 0; i < nbytes; i++)
		len += __builtin_popcount(mask[i]);
	return len;
}

int ifprefix_add(struct xs_config *cfg, const char *ifname, char *err, size_t errlen)
{
	struct ifaddrs *ifa, *it;
	int added = 0, e = 0;
	char q[LOG_EBUF];

	if (getifaddrs(&ifa)) {
		e = -errno;
		snprintf(err, errlen, "%s: cannot read interface addresses: %s",
			 log_escape(ifname, q, sizeof(q)), strerror(-e));
		return e;
	}
	for (it = ifa; it && !e; it = it->ifa_next) {
		struct xs_prefix p = {};
		char name[XS_CIDR_STRLEN];
		const uint8_t *a, *m;
		int nbytes, i;

		if (!it->ifa_addr || !it->ifa_netmask || strcmp(it->ifa_name, ifname))
			continue;
		if (it->ifa_addr->sa_family == AF_INET) {
			a = (uint8_t *)&((struct sockaddr_in *)it->ifa_addr)->sin_addr;
			m = (uint8_t *)&((struct sockaddr_in *)it->ifa_netmask)->sin_addr;
			p.family = 4;
			nbytes = 4;
		} else if (it->ifa_addr->sa_family == AF_INET6) {
			a = (uint8_t *)&((struct sockaddr_in6 *)it->ifa_addr)->sin6_addr;
			m = (uint8_t *)&((struct sockaddr_in6 *)it->ifa_netmask)->sin6_addr;
			if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
				continue;
			p.family = 6;
			nbytes = 16;
		} else {
			continue;
		}
		for (i = 0; i < nbytes; i++)
			p.addr[i] = a[i] & m[i];
		p.len = mask_len(m, nbytes);
		cidr_format(&p, name, sizeof(name));
		e = config_add_prefix(cfg, name, &p, err, errlen);
		if (!e)
			added++;
	}
	freeifaddrs(ifa);
	if (e)
		return e;
	if (!added) {
		snprintf(err, errlen, "%s: no IPv4 or global IPv6 address configured; name the "
			 "ranges with --range, --ranges-file or -c", log_escape(ifname, q, sizeof(q)));
		return -ENOENT;
	}
	return added;
}
