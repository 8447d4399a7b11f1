#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# DESIGN.md, Operating promises: "SIGHUP reloads ranges and rules without
# detaching and without losing counters". The daemon runs with -c and one
# range (alpha); frames to it are counted; the config then gains a range
# (beta) and the daemon gets SIGHUP; frames to both follow. Expected: the
# same XDP program stays attached, alpha keeps counting, beta counts from
# the reload on, nothing is lost or unmatched.
source "$(dirname "$0")/lib.sh"
e2e_init
lab_up || { fail "lab setup"; e2e_finish; }

dmac=$(ip -n "$NS_R" -j link show dev "$IF_R" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
"$PYTHON" "$E2E_DIR/mkpcap.py" --dmac "$dmac" "$TMP/before.pcap" 'udp:198.19.0.1>198.18.0.1:5' &&
	"$PYTHON" "$E2E_DIR/mkpcap.py" --dmac "$dmac" "$TMP/after.pcap" \
		'udp:198.19.0.1>198.18.0.1:2' 'udp:198.19.0.1>198.18.1.1:3' || { fail "mkpcap"; e2e_finish; }
cat >"$TMP/cfg.json" <<'JSON'
{"ranges": [{"name": "alpha", "prefixes": ["198.18.0.0/24"]}]}
JSON
xdp_id() { ip -n "$NS_R" -d -j link show dev "$IF_R" | "$PYTHON" -c '
import json, sys
print(json.load(sys.stdin)[0].get("xdp", {}).get("prog", {}).get("id", "none"))'; }

daemon_start reload "$NS_R" "$IF_R" --interval 200ms -c "$TMP/cfg.json" || { fail "attach"; e2e_finish; }
id_before=$(xdp_id)
replay "$NS_S" "$IF_S" "$TMP/before.pcap" 1000 || fail "tcpreplay before the reload"
sleep 0.3
cat >"$TMP/cfg.json" <<'JSON'
{"ranges": [{"name": "alpha", "prefixes": ["198.18.0.0/24"]},
            {"name": "beta", "prefixes": ["198.18.1.0/24"]}]}
JSON
kill -HUP "$DPID"
sleep 0.5	# the reload happens at the daemon's next wakeup (200 ms interval)
check "SIGHUP: daemon still running" kill -0 "$DPID"
check_eq "SIGHUP: the same XDP program attached (no detach)" "$(xdp_id)" "$id_before"
replay "$NS_S" "$IF_S" "$TMP/after.pcap" 1000 || fail "tcpreplay after the reload"
sleep 0.4
daemon_stop "$DPID" INT
check_eq "exit 0" $? 0
note "stderr: $(tr '\n' ' ' <"$DERR")"
compare expect --label "reload on SIGHUP: " "$DOUT" \
	range:alpha:in:pkts == 7 range:beta:in:pkts == 3 summary:unmatched:pkts == 0 \
	summary:pkts == 10
e2e_finish
