// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <linux/if_ether.h>
#include "ethframe.h"

_Static_assert(ETHFRAME_HLEN == ETH_HLEN, "an Ethernet header is 14 bytes");

void ethframe_put(uint8_t *dst, uint16_t ethertype, const uint8_t *l3, uint32_t len)
{
	memset(dst, 0, 12);
	dst[12] = ethertype >> 8;
	dst[13] = ethertype & 0xff;
	if (len)
		memcpy(dst + ETHFRAME_HLEN, l3, len);
}
