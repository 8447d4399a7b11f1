#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Generic (skb) XDP: `--xdp-mode generic` must count exactly as native XDP
# does (test_pcaps.sh's checks), on captures that stress what differs in
# that mode: VLAN tags (generic XDP runs before the kernel strips them),
# frames beyond a page (6197 bytes: a non-linear skb), IPv6 extension
# chains, snaplen-cut and malformed frames, 3 stacked tags.
source "$(dirname "$0")/lib.sh"
e2e_init
lab_up || { fail "lab setup"; e2e_finish; }

captures=(vlan-collisions.pcap dot1ad.pcap vlan-qinqinq.pcap amp.dns.RRSIG.fragmented.pcap
	ipv6-http-atomic-frag.pcap truncated-header.pcap ipv4_invalid_hdr_length.pcap
	tcp_header_heapoverflow.pcap emix.pcap)

for name in "${captures[@]}"; do
	echo "--- $name (generic XDP)"
	capture_check "$name" generic
done
e2e_finish
