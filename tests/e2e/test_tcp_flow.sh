#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A real TCP connection over the veth pair, counted at both ends with
# --egress: what S's TC egress program counts leaving S must be exactly
# what R's XDP program counts arriving at R, and the other way round. The
# kernel hands TC egress GSO super-packets (segmented only after TC, since
# XDP on the peer turns the veth's TSO off), while XDP on the peer sees
# the wire segments: so this checks the TC program's GSO accounting
# (packets, bytes, size buckets, flags) against the wire, with no ground
# truth needed.
#
# Ranges: s = 198.18.0.1/32 (S's address), r = 198.18.0.2/32 (R's). A
# packet S->R counts as r:in and s:out; R->S as s:in and r:out. At either
# end, r:in is the S->R direction and s:in the R->S one, whichever
# program counted it.
source "$(dirname "$0")/lib.sh"
e2e_init
lab_up || { fail "lab setup"; e2e_finish; }

BYTES=${XS_E2E_TCP_BYTES:-4000000}
lab_addr || { fail "addresses"; e2e_finish; }
ranges=(--range 198.18.0.1/32=s --range 198.18.0.2/32=r)

daemon_start tcp-r "$NS_R" "$IF_R" --egress --interval 250ms "${ranges[@]}" ||
	{ fail "daemon on R"; e2e_finish; }
pid_r=$DPID out_r=$DOUT
daemon_start tcp-s "$NS_S" "$IF_S" --egress --bpf-stats --interval 250ms "${ranges[@]}" ||
	{ fail "daemon on S"; e2e_finish; }
pid_s=$DPID out_s=$DOUT

# The server reads until EOF and prints the byte count; the client sends
# BYTES and closes. Both bounded in time.
tcp_server || fail "TCP server did not start: $(cat "$TMP/server.out")"
nsenter --net="/run/netns/$NS_S" timeout 60 "$PYTHON" -c '
import socket, sys
n = int(sys.argv[1]); s = socket.create_connection(("198.18.0.2", 5001), timeout=30)
chunk = bytes(range(256)) * 256
sent = 0
while sent < n:
    sent += s.send(chunk[: min(len(chunk), n - sent)])
s.shutdown(socket.SHUT_WR); s.recv(1); s.close()' "$BYTES" >"$TMP/client.out" 2>&1
check_eq "TCP client sent $BYTES bytes" "$?:$(cat "$TMP/client.out")" "0:"
wait "$TCP_SERVER"
check_eq "TCP server received them" "$(tail -n1 "$TMP/server.out")" "$BYTES"
sleep 0.6	# the closing segments, and more than one interval
daemon_stop "$pid_s" INT
check_eq "daemon on S exits 0" $? 0
daemon_stop "$pid_r" INT
check_eq "daemon on R exits 0" $? 0

"$PYTHON" "$COMPARE" agg "$out_s" >"$TMP/agg_s.json" && "$PYTHON" "$COMPARE" agg "$out_r" >"$TMP/agg_r.json" ||
	{ fail "records unreadable"; e2e_finish; }
field() { # field AGG RANGE:DIR KEYS...: one number from an aggregate
	"$PYTHON" -c '
import json, sys
v = json.load(open(sys.argv[1]))["ranges"].get(sys.argv[2], {})
for k in sys.argv[3:]:
    v = v.get(k, 0) if isinstance(v, dict) else 0
print(v)' "$@"
}
for dir in r:in s:in; do
	what="S->R (S tc egress vs R xdp)"
	[[ $dir == s:in ]] && what="R->S (R tc egress vs S xdp)"
	for key in pkts bytes "proto tcp pkts" "proto tcp bytes" "tcp_flags syn" "tcp_flags synack" \
		"tcp_flags fin" "tcp_flags rst" "size_hist le64" "size_hist le128" \
		"size_hist le1024" "size_hist le1518" "size_hist gt1518"; do
		# shellcheck disable=SC2086
		a=$(field "$TMP/agg_s.json" "$dir" $key)
		# shellcheck disable=SC2086
		b=$(field "$TMP/agg_r.json" "$dir" $key)
		check_eq "$what: $key equal at both ends ($a)" "$a" "$b"
	done
done
# S->R carried the payload: at least one full-size segment per 1448 bytes.
pk=$(field "$TMP/agg_r.json" r:in pkts)
check "S->R: $pk packets >= $BYTES / 1448" test "$pk" -ge $((BYTES / 1448))
# --bpf-stats on S: fewer TC runs than packets counted means TC saw GSO
# skbs, i.e. the GSO accounting was exercised, not bypassed.
compare expect --label "S tc egress saw GSO skbs: " "$out_s" programs:tc:runs '<' "$pk" \
	programs:tc:runs '>' 0
check_eq "S->R: one SYN" "$(field "$TMP/agg_r.json" r:in tcp_flags syn)" 1
check_eq "R->S: one SYN-ACK" "$(field "$TMP/agg_r.json" s:in tcp_flags synack)" 1
e2e_finish
