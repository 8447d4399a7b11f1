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
	prepare_capture "$PCAPS/$name" || continue

	if ! daemon_start "$name" "$NS_R" "$IF_R" --interval 250ms \
		--range 198.18.0.0/15=test4 --range 2001:db8::/32=test6; then
		fail "$name: daemon attach"
		continue
	fi
	sink_start "$NS_R" "$IF_R" || fail "$name: packet sink"
	read -r r_rx0 r_rxd0 r_rxe0 _ <<<"$(link_stats "$NS_R" "$IF_R")"
	read -r _ _ _ s_tx0 s_txd0 s_txe0 <<<"$(link_stats "$NS_S" "$IF_S")"
	replay "$NS_S" "$IF_S" "$PREP_FILE" || fail "$name: tcpreplay"
	sleep 0.4	# more than one interval: the veth queue is drained
	sunk=$(sink_stop)
	daemon_stop "$DPID" INT
	rc=$?
	check_eq "$name: daemon exits 0 on SIGINT" $rc 0
	((rc == 124)) && lab_detach "$NS_R" "$IF_R"
	read -r r_rx1 r_rxd1 r_rxe1 _ <<<"$(link_stats "$NS_R" "$IF_R")"
	read -r _ _ _ s_tx1 s_txd1 s_txe1 <<<"$(link_stats "$NS_S" "$IF_S")"
	check_eq "$name: no drops or errors on the veth (S tx, R rx)" \
		"$((s_txd1 - s_txd0)) $((s_txe1 - s_txe0)) $((r_rxd1 - r_rxd0)) $((r_rxe1 - r_rxe0))" \
		"0 0 0 0"
	check_eq "$name: frames through the veth (S tx, R rx, R stack) == tcpreplay's" \
		"$((s_tx1 - s_tx0)) $((r_rx1 - r_rx0)) $sunk" "$REPLAY_OK $REPLAY_OK $REPLAY_OK"
	compare pcap --gt "$GT" --capture "$name" --records "$DOUT" \
		--sent-bytes "$REPLAY_BYTES" --replay-ok "$REPLAY_OK" \
		--replay-failed "$REPLAY_FAILED" --dropped-frames "$PREP_DROPPED_FRAMES" \
		--dropped-bytes "$PREP_DROPPED_BYTES"
done
e2e_finish
