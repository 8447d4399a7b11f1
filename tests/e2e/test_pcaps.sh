#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every Ethernet capture of the shared set, rewritten into the test ranges,
# replayed through a veth pair into xdpscope's XDP program: the records
# must add up EXACTLY to ground-truth.json's ethernet_direct_view (what a
# parser of Ethernet + up to 2 VLAN tags sees): totals, IPv4/IPv6, non-IP,
# malformed, packets and bytes per L4 class, SYN/SYN-ACK/RST/FIN,
# fragments, cut L4 headers. tests/e2e/compare.py holds the comparison and
# explains where xdpscope's and the ground truth's definitions differ.
#
# Ranges: test4 = 198.18.0.0/15 and test6 = 2001:db8::/32. The rewriting
# puts every source and destination inside one of them, so every parsed IP
# packet counts once, as `in` (DESIGN.md: traffic inside one range counts
# once), and nothing is unmatched.
#
# XS_E2E_CAPTURES="a.pcap b.pcap" limits the run to those captures.
source "$(dirname "$0")/lib.sh"
e2e_init
lab_up || { fail "lab setup"; e2e_finish; }

mapfile -t captures < <("$PYTHON" -c '
import json, sys
for name, c in sorted(json.load(open(sys.argv[1]))["captures"].items()):
    print(name, c["link_type"])' "$GT")

for line in "${captures[@]}"; do
	name=${line% *}
	link=${line##* }
	if [[ -n ${XS_E2E_CAPTURES:-} && " $XS_E2E_CAPTURES " != *" $name "* ]]; then
		continue
	fi
	echo "--- $name"
	if [[ $link != ether ]]; then
		# A veth carries Ethernet frames; a Linux cooked (SLL) or raw IP
		# frame sent on it would be parsed as Ethernet, which is not what
		# the capture holds. `xdpscope replay` is the path for these.
		echo "SKIP: $name: link type $link is not Ethernet; a live veth cannot carry it (replay covers it)"
		continue
	fi
	capture_check "$name" xdp
done
e2e_finish
