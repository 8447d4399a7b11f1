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
	prepare_capture "$PCAPS/$name" || continue
	if ! daemon_start "eg-$name" "$NS_S" "$IF_S" --egress --bpf-stats --interval 250ms \
		--range 198.18.0.0/15=test4 --range 2001:db8::/32=test6; then
		fail "$name: daemon attach with --egress"
		continue
	fi
	check "$name: clsact egress filter on $IF_S while running" \
		test -n "$(tc_egress_filters "$NS_S" "$IF_S")"
	sink_start "$NS_R" "$IF_R" || fail "$name: packet sink"
	read -r r_rx0 r_rxd0 r_rxe0 _ <<<"$(link_stats "$NS_R" "$IF_R")"
	read -r _ _ _ s_tx0 s_txd0 s_txe0 <<<"$(link_stats "$NS_S" "$IF_S")"
	replay "$NS_S" "$IF_S" "$PREP_FILE" || fail "$name: tcpreplay"
	sleep 0.4
	sunk=$(sink_stop)
	daemon_stop "$DPID" INT
	rc=$?
	check_eq "$name: daemon exits 0 on SIGINT" $rc 0
	((rc == 124)) && lab_detach "$NS_S" "$IF_S"
	read -r r_rx1 r_rxd1 r_rxe1 _ <<<"$(link_stats "$NS_R" "$IF_R")"
	read -r _ _ _ s_tx1 s_txd1 s_txe1 <<<"$(link_stats "$NS_S" "$IF_S")"
	check_eq "$name: no drops or errors on the veth (S tx, R rx)" \
		"$((s_txd1 - s_txd0)) $((s_txe1 - s_txe0)) $((r_rxd1 - r_rxd0)) $((r_rxe1 - r_rxe0))" \
		"0 0 0 0"
	check_eq "$name: frames through the veth (S tx, R rx, R stack) == tcpreplay's" \
		"$((s_tx1 - s_tx0)) $((r_rx1 - r_rx0)) $sunk" "$REPLAY_OK $REPLAY_OK $REPLAY_OK"
	compare pcap --gt "$GT" --capture "$name" --records "$DOUT" --hook tc --runs \
		--sent-bytes "$REPLAY_BYTES" --replay-ok "$REPLAY_OK" \
		--replay-failed "$REPLAY_FAILED" --dropped-frames "$PREP_DROPPED_FRAMES" \
		--dropped-bytes "$PREP_DROPPED_BYTES"
	check_eq "$name: no egress filter left after exit" "$(tc_egress_filters "$NS_S" "$IF_S")" ""
	check "$name: no XDP program left after exit" bash -c "! ip -n $NS_S -d link show dev $IF_S | grep -q prog/xdp"
done
e2e_finish
