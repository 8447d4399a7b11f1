#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The TC egress path: the daemon runs with --egress on the SENDER's veth (in
# netns S) and captures are replayed out of that veth. The TC program must
# count them exactly as the ground truth says (the same checks as
# test_pcaps.sh), and the XDP program on that veth must see nothing (the
# peer sends nothing). --bpf-stats makes the summaries carry each
# program's run count, which says which program did the counting.
#
# The captures: SYN-ACK reflection with ICMP errors and a fragment; IPv6
# extension chains with atomic fragments; untagged/1-tag/2-tag frames;
# IPv4 fragments at volume; DNS amplification with frames up to 6197 bytes
# (beyond a page: the skb is not linear at egress, the program pulls);
# a cut TCP header.
source "$(dirname "$0")/lib.sh"
e2e_init
lab_up || { fail "lab setup"; e2e_finish; }

captures=(amp.TCP.reflection.SYNACK.pcap ipv6-http-atomic-frag.pcap vlan-collisions.pcap
	ip-frag.pcap amp.dns.RRSIG.fragmented.pcap tcp_header_heapoverflow.pcap)

for name in "${captures[@]}"; do
	echo "--- $name (egress)"
	capture_check "$name" tc
done
e2e_finish
