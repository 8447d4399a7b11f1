#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# With no range options the daemon watches the prefixes configured on the
# interface (DESIGN.md: `xdpscope run -i eth0` with no config). R's veth
# gets 198.18.77.1/24; crafted frames then go to, from and past that
# prefix, and the records must name the range "198.18.77.0/24":
#   5 UDP to 198.18.77.x from outside      -> in
#   3 SYN from 198.18.77.x to outside      -> out
#   2 UDP between two outside addresses    -> unmatched
# (The outside addresses are in 198.18.0.0/15 too, but not on the link; R
# has no route to them, so its stack sends nothing back.)
source "$(dirname "$0")/lib.sh"
e2e_init
lab_up || { fail "lab setup"; e2e_finish; }

ip -n "$NS_R" addr add 198.18.77.1/24 dev "$IF_R" || { fail "address on $IF_R"; e2e_finish; }
dmac=$(ip -n "$NS_R" -j link show dev "$IF_R" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
"$PYTHON" "$E2E_DIR/mkpcap.py" --dmac "$dmac" "$TMP/frames.pcap" \
	'udp:198.18.200.5>198.18.77.1:3' 'udp:198.19.3.4>198.18.77.9:2' \
	'syn:198.18.77.20>198.19.9.9:3' 'udp:198.19.1.1>198.19.2.2:2' || { fail "mkpcap"; e2e_finish; }

daemon_start default "$NS_R" "$IF_R" --interval 250ms || { fail "daemon attach without ranges"; e2e_finish; }
check "attached line says 1 range" grep -q 'attached.*, 1 ranges' "$DERR"
note "$(grep attached "$DERR")"
replay "$NS_S" "$IF_S" "$TMP/frames.pcap" 1000 || fail "tcpreplay of the crafted frames"
sleep 0.4
daemon_stop "$DPID" INT
check_eq "SIGINT: exit 0" $? 0
compare expect --label "default ranges: " "$DOUT" \
	range_names == 198.18.77.0/24 \
	range:198.18.77.0/24:in:pkts == 5 range:198.18.77.0/24:in:proto:udp:pkts == 5 \
	range:198.18.77.0/24:out:pkts == 3 range:198.18.77.0/24:out:tcp_flags:syn == 3 \
	summary:unmatched:pkts == 2 summary:pkts == 10 summary:ranges_active '>=' 2
e2e_finish
