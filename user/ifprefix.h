/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XS_IFPREFIX_H
#define XS_IFPREFIX_H

#include <stddef.h>
#include "config.h"

/*
 * The default ranges: one range per prefix configured on `ifname` (IPv4
 * and global IPv6; link-local fe80::/10 is left out), named by the CIDR.
 * Returns the number of prefixes added, or -errno with `err` set.
 */
int ifprefix_add(struct xs_config *cfg, const char *ifname, char *err, size_t errlen);

#endif /* XS_IFPREFIX_H */
