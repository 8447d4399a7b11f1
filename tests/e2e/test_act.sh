#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Alerts that act (README "Mitigation", a rule's "mitigate"): a DNS
# amplification (UDP from port 53) floods R's address through the veth; a
# rule on the range's udp_pps with "mitigate": "drop" starts, its start
# or the interval's record after it names the filter it installed (the
# victim /32, UDP from port 53); from then on the flood stops reaching
# R's stack (counted there) while a TCP transfer to the same address
# completes; when the flood stops the alert ends, its end says what the
# filter dropped, and the filter goes hold_s later. A daemon stopped
# while its alert runs leaves no filter.
source "$(dirname "$0")/lib.sh"
e2e_init
lab_up || { fail "lab setup"; e2e_finish; }

lab_addr || { fail "addresses"; e2e_finish; }
lab_neigh || { fail "neighbours"; e2e_finish; }

cat >"$TMP/cfg.json" <<'JSON'
{"ranges": [{"name": "victims", "prefixes": ["198.18.0.0/24"]}],
 "mitigation": {"enabled": true, "hold_s": 2, "ttl_s": 600},
 "rules": [{"name": "dns-amp", "metric": "udp_pps", "above": 2000, "clear_s": 1,
	    "mitigate": "drop"}],
 "alerts": {"ongoing_s": 0}}
JSON

# flood SECONDS: UDP 198.18.0.1:53 -> 198.18.0.2:9000 as fast as it goes;
# prints the datagrams sent.
flood() {
	in_ns "$NS_S" timeout 60 "$PYTHON" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.0.1", 53))
sent, t0, d = 0, time.monotonic(), float(sys.argv[1])
while time.monotonic() - t0 < d:
    try:
        s.sendto(b"x" * 64, ("198.18.0.2", 9000))
        sent += 1
    except OSError:
        time.sleep(0.001)
print(sent)' "$1"
}
# trickle N: N datagrams of the same kind at about 500 a second, under
# the rule's threshold (so no alert starts again meanwhile).
trickle() {
	in_ns "$NS_S" timeout 60 "$PYTHON" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.0.1", 53))
for _ in range(int(sys.argv[1])):
    s.sendto(b"x" * 64, ("198.18.0.2", 9000))
    time.sleep(0.002)' "$1"
}
filters() { in_ns "$NS_R" "$XDPSCOPE" block list -i "$IF_R" | awk 'NR > 1 && $1 ~ /^[0-9]+$/' | wc -l; }
# alert_field STATE FIELD: FIELD (a Python expression over record a) of the first alert record in STATE.
alert_field() {
	"$PYTHON" -c '
import json, sys
for l in open(sys.argv[1]):
    a = json.loads(l)
    if a["type"] == "alert" and a["state"] == sys.argv[2]:
        print(eval(sys.argv[3]))
        break' "$DOUT" "$1" "$2"
}

daemon_start act "$NS_R" "$IF_R" -c "$TMP/cfg.json" || { fail "daemon"; e2e_finish; }
# The flood until the alert's filter is in the table (bounded: 20 s).
: >"$TMP/flood1.out"
for ((i = 0; i < 20; i++)); do
	flood 1 >>"$TMP/flood1.out"
	(($(filters) > 0)) && break
done
check_eq "the alert installed one filter while the flood went on" "$(filters)" 1
check_eq "its records name it: the victim /32, UDP from port 53, drop" \
	"$("$PYTHON" -c '
import json, sys
for l in open(sys.argv[1]):
    a = json.loads(l)
    if a["type"] == "alert" and "filters" in a.get("mitigation", {}):
        m = a["mitigation"]
        print(a["state"], m["match"], m["action"], len(m["filters"]))
        break' "$DOUT" | cut -d' ' -f2-)" "198.18.0.2/32 udp sport 53 drop 1"
u0=$(udp_in)
flood 3 >"$TMP/flood2.out" &
fl=$!
got=$(tcp_transfer 2000000)
wait "$fl"
sent=$(cat "$TMP/flood2.out")
sleep 0.3
check_eq "with the filter: none of the flood reaches the stack ($sent sent)" "$(($(udp_in) - u0))" 0
check_eq "a TCP transfer to the same victim completes meanwhile" "$got" 2000000
# The flood stops: the alert ends (clear_s 1) and says what was dropped.
wait_for_line "$DOUT" '"state":"end"' 1 15
check "the end says what its filter dropped (at least the $sent of the second flood)" \
	"$PYTHON" -c '
import json, sys
for l in open(sys.argv[1]):
    a = json.loads(l)
    if a["type"] == "alert" and a["state"] == "end":
        sys.exit(not a["mitigation"]["dropped"]["pkts"] >= int(sys.argv[2]))
sys.exit(1)' "$DOUT" "$sent"
for ((i = 0; i < 100; i++)); do
	(($(filters) == 0)) && break
	sleep 0.1
done
check_eq "hold_s (2 s) after the end, the filter is gone" "$(filters)" 0
u0=$(udp_in)
trickle 200
sleep 0.3
check_eq "then its traffic reaches the stack again (200 datagrams, slowly)" "$(($(udp_in) - u0))" 200
check "the summary counts what the alerts did" "$PYTHON" -c '
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
f = [r for r in s if r["type"] == "summary"][-1]["alerts"]["filters"]
sys.exit(not (f["installed"] >= 1 and f["removed"] >= 1 and f["failed"] == 0))' "$DOUT"
# A daemon stopped while its alert runs leaves no filter.
: >"$TMP/flood4.out"
for ((i = 0; i < 20; i++)); do
	flood 1 >>"$TMP/flood4.out"
	(($(filters) > 0)) && break
done
daemon_stop "$DPID"
check_eq "daemon exits 0" $? 0
check "the stop's end record says what it dropped" "$PYTHON" -c '
import json, sys
ends = [a for a in map(json.loads, open(sys.argv[1]))
        if a["type"] == "alert" and a["state"] == "end" and a.get("reason") == "stopped"]
sys.exit(not (ends and "dropped" in ends[-1]["mitigation"]))' "$DOUT"
check "nothing is left attached" bash -c "! ip -n '$NS_R' link show '$IF_R' | grep -q xdp"
u0=$(udp_in)
flood 0.3 >"$TMP/flood5.out"
sleep 0.3
check_eq "after the stop the flood reaches the stack, all of it" "$(($(udp_in) - u0))" \
	"$(cat "$TMP/flood5.out")"
e2e_finish
