#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The daemon's life on an interface (DESIGN.md "Operating promises"):
#  - run: pins under /sys/fs/bpf/xdpscope/<if>/; `xdpscope maps` lists them
#    with a bpftool command each, and bpftool shows named fields (BTF);
#  - a second run on the same interface fails with a clear error and
#    changes nothing: the first daemon keeps its program and keeps counting;
#  - SIGTERM: exit 0, the final partial interval is emitted, XDP and pins
#    are gone;
#  - kill -9 leaves XDP and pins (and the TC filter with --egress) behind;
#    `xdpscope detach` removes them; a second detach finds nothing, exit 0;
#    the interface can be used again.
source "$(dirname "$0")/lib.sh"
e2e_init
lab_up || { fail "lab setup"; e2e_finish; }

ranges=(--range 198.18.0.0/15=test4 --range 2001:db8::/32=test6)
pins=(range_ctrs global_ctrs v4_root v4_nodes v6_root v6_nodes v6_skip v6_cache)
dmac=$(ip -n "$NS_R" -j link show dev "$IF_R" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
"$PYTHON" "$E2E_DIR/mkpcap.py" --dmac "$dmac" "$TMP/ten.pcap" 'udp:198.19.0.1>198.18.0.1:6' \
	'syn:198.19.0.2>198.18.0.2:4' || { fail "mkpcap"; e2e_finish; }
"$PYTHON" "$E2E_DIR/mkpcap.py" --dmac "$dmac" "$TMP/five.pcap" 'udp:198.19.0.3>198.18.0.3:5' ||
	{ fail "mkpcap"; e2e_finish; }

pins_present() {
	local p
	for p in "${pins[@]}"; do
		[[ -e $PIN_R/$p ]] || { echo "      missing $PIN_R/$p"; return 1; }
	done
}
gone() {
	local what=""
	xdp_on "$NS_R" "$IF_R" && what+=" XDP program;"
	[[ -e $PIN_R ]] && what+=" $PIN_R;"
	[[ -n $(tc_egress_filters "$NS_R" "$IF_R") ]] && what+=" egress filter;"
	[[ -z $what ]] || { echo "      still there:$what"; return 1; }
}
xdp_id() { ip -n "$NS_R" -d -j link show dev "$IF_R" | "$PYTHON" -c '
import json, sys
print(json.load(sys.stdin)[0].get("xdp", {}).get("prog", {}).get("id", "none"))'; }

echo "--- run: pins, maps, bpftool"
# A long interval: only the final partial interval (on SIGTERM) can carry
# the packets sent below.
daemon_start first "$NS_R" "$IF_R" --interval 30s "${ranges[@]}" ||
	{ fail "first daemon attach"; e2e_finish; }
first=$DPID
first_out=$DOUT
check "XDP program attached" xdp_on "$NS_R" "$IF_R"
check "pins under $PIN_R/" pins_present
in_ns "$NS_R" "$XDPSCOPE" maps -i "$IF_R" >"$TMP/maps.out" 2>"$TMP/maps.err"
check_eq "xdpscope maps: exit 0" $? 0
for p in "${pins[@]}"; do
	check "xdpscope maps lists $p with a bpftool command" \
		grep -Eq "^$p +bpftool map dump pinned $PIN_R/$p\$" "$TMP/maps.out"
done
cmd=$(sed -n 's/^range_ctrs *//p' "$TMP/maps.out")
if [[ -n $cmd ]]; then
	# shellcheck disable=SC2086
	timeout 20 $cmd >"$TMP/dump.out" 2>&1
	check_eq "'$cmd': exit 0" $? 0
	for field in tcp pkts bytes syn synack frags le64 gt1518; do
		check "bpftool dump of range_ctrs names field '$field'" \
			grep -q "\"$field\"" "$TMP/dump.out"
	done
else
	fail "no range_ctrs line in 'xdpscope maps'"
fi

echo "--- a second run on the same interface"
id_before=$(xdp_id)
timeout 30 nsenter --net="/run/netns/$NS_R" "$XDPSCOPE" run -i "$IF_R" --egress "${ranges[@]}" \
	>"$TMP/second.out" 2>"$TMP/second.err"
rc=$?
check "second run: non-zero exit (got $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
check_eq "second run: one line on stderr" "$(wc -l <"$TMP/second.err")" 1
check "second run: the error names $IF_R and says it is in use" \
	grep -Eq "^xdpscope: .*$IF_R.*(already|in use|busy)" "$TMP/second.err"
note "stderr: $(head -n1 "$TMP/second.err")"
check "first daemon still running" kill -0 "$first"
check_eq "the same XDP program still attached" "$(xdp_id)" "$id_before"
check "pins still there" pins_present
check_eq "no egress filter from the second run" "$(tc_egress_filters "$NS_R" "$IF_R")" ""
replay "$NS_S" "$IF_S" "$TMP/ten.pcap" 1000 || fail "tcpreplay of 10 crafted frames"
sleep 0.2

echo "--- SIGTERM"
daemon_stop "$first" TERM
check_eq "SIGTERM: exit 0" $? 0
check "SIGTERM: XDP, pins and filters gone" gone
check "stdout holds only records" \
	bash -c "! grep -qv '^{' '$first_out'"
compare expect --label "first daemon (final partial interval): " "$first_out" \
	summaries '>=' 1 \
	range:test4:in:pkts == 10 range:test4:in:proto:udp:pkts == 6 \
	range:test4:in:tcp_flags:syn == 4 summary:pkts == 10 summary:unmatched:pkts == 0

echo "--- kill -9, then detach"
daemon_start killed "$NS_R" "$IF_R" --interval 250ms "${ranges[@]}" ||
	fail "attach after a clean exit"
daemon_stop "$DPID" KILL
check "kill -9 leaves the XDP program" xdp_on "$NS_R" "$IF_R"
check "kill -9 leaves the pins" pins_present
timeout 30 nsenter --net="/run/netns/$NS_R" "$XDPSCOPE" run -i "$IF_R" "${ranges[@]}" \
	>/dev/null 2>"$TMP/leftover.err"
check "run over the leftovers fails, pointing at detach" grep -q 'detach' "$TMP/leftover.err"
timeout 30 nsenter --net="/run/netns/$NS_R" "$XDPSCOPE" detach -i "$IF_R" \
	>"$TMP/detach.out" 2>"$TMP/detach.err"
check_eq "detach: exit 0" $? 0
note "detach: $(cat "$TMP/detach.err" "$TMP/detach.out")"
check "detach: XDP and pins gone" gone
timeout 30 nsenter --net="/run/netns/$NS_R" "$XDPSCOPE" detach -i "$IF_R" \
	>"$TMP/detach2.out" 2>"$TMP/detach2.err"
check_eq "second detach: exit 0" $? 0
check "second detach: says nothing is left" grep -qi 'nothing' "$TMP/detach2.err" "$TMP/detach2.out"
note "second detach: $(cat "$TMP/detach2.err" "$TMP/detach2.out")"

echo "--- --egress, kill -9, then detach"
daemon_start egress "$NS_R" "$IF_R" --egress --interval 250ms "${ranges[@]}" ||
	fail "attach with --egress after detach"
check "--egress: egress filter present" test -n "$(tc_egress_filters "$NS_R" "$IF_R")"
daemon_stop "$DPID" KILL
check "kill -9 leaves the egress filter" test -n "$(tc_egress_filters "$NS_R" "$IF_R")"
timeout 30 nsenter --net="/run/netns/$NS_R" "$XDPSCOPE" detach -i "$IF_R" >/dev/null 2>&1
check_eq "detach after --egress: exit 0" $? 0
check "detach after --egress: XDP, pins and egress filter gone" gone

echo "--- usable again"
daemon_start again "$NS_R" "$IF_R" --interval 250ms "${ranges[@]}" ||
	fail "attach after detach"
replay "$NS_S" "$IF_S" "$TMP/five.pcap" 1000 || fail "tcpreplay of 5 crafted frames"
sleep 0.4
daemon_stop "$DPID" INT
check_eq "SIGINT: exit 0" $? 0
check "SIGINT: XDP, pins and filters gone" gone
compare expect --label "daemon after detach: " "$DOUT" \
	range:test4:in:pkts == 5 summary:pkts == 5

echo "--- -o FILE, SIGHUP reopens it (logrotate), nothing detached or lost"
daemon_start rotate "$NS_R" "$IF_R" --interval 200ms -o "$TMP/rot.ndjson" "${ranges[@]}" ||
	fail "attach with -o"
rot=$DPID
id_before=$(xdp_id)
replay "$NS_S" "$IF_S" "$TMP/ten.pcap" 1000 || fail "tcpreplay before the rotation"
sleep 0.4
mv "$TMP/rot.ndjson" "$TMP/rot.ndjson.1"
kill -HUP "$rot"
sleep 0.4
check "SIGHUP: daemon still running" kill -0 "$rot"
check_eq "SIGHUP: the same XDP program attached" "$(xdp_id)" "$id_before"
replay "$NS_S" "$IF_S" "$TMP/five.pcap" 1000 || fail "tcpreplay after the rotation"
sleep 0.4
daemon_stop "$rot" INT
check_eq "-o: exit 0" $? 0
check_eq "-o: nothing on stdout" "$(head -c 100 "$DOUT")" ""
check "SIGHUP: a new $TMP/rot.ndjson was opened" test -s "$TMP/rot.ndjson"
cat "$TMP/rot.ndjson.1" "$TMP/rot.ndjson" >"$TMP/rot.all" 2>/dev/null
compare expect --label "-o + SIGHUP, both files: " "$TMP/rot.all" \
	range:test4:in:pkts == 15 summary:pkts == 15
compare expect --label "-o + SIGHUP, new file: " "$TMP/rot.ndjson" summaries '>=' 1

echo "--- --count N: stops by itself"
timeout 20 nsenter --net="/run/netns/$NS_R" "$XDPSCOPE" run -i "$IF_R" --count 3 \
	--interval 100ms "${ranges[@]}" >"$TMP/count.out" 2>"$TMP/count.err"
check_eq "--count 3: exit 0 by itself" $? 0
compare expect --label "--count 3: " "$TMP/count.out" summaries == 3
check "--count 3: XDP, pins and filters gone" gone
e2e_finish
