/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Synthetic Ethernet header for frames that come without one: raw IP
 * frames of a capture (replay) and the IPv4/IPv6 headers sFlow agents
 * sample (sflow). Zero MACs and the EtherType, so the program parses the
 * frame as it would on an Ethernet link. The header's bytes are the
 * source's to leave out of the wire length. No libbpf: links into unit
 * tests.
 */
#ifndef XS_ETHFRAME_H
#define XS_ETHFRAME_H

#include <stdint.h>

#define ETHFRAME_HLEN 14

/* The header for ethertype (host order), then len bytes of l3, at dst:
 * ETHFRAME_HLEN + len bytes. */
void ethframe_put(uint8_t *dst, uint16_t ethertype, const uint8_t *l3, uint32_t len);

#endif /* XS_ETHFRAME_H */
