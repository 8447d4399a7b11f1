#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Live cost of mitigation (README "Mitigation"), ns/packet from the
# kernel's own accounting (bpf_stats, the summary's programs[].ns_per_pkt)
# while a UDP flood (one flow, 198.18.0.1:53 -> 198.18.0.2:9000) goes
# through a veth to xdpscope attached natively, the default statistics
# on: mitigation off; on, no filter; on, a filter for another host (the
# filter count is not 0, so the trie is looked up and misses); on, a drop
# filter that matches every packet of the flood. Then a spoofed UDP flood
# (sources random in 198.18.128.0/17, a raw socket), which the flow cache
# cannot absorb: mitigation off, and a drop filter. Each for about 3 s,
# ROUNDS times (default 3); min and median. Uses the e2e lab.
#   tools/bench-mitigation.sh XDPSCOPE [ROUNDS]
root=$(cd "$(dirname "$0")/.." && pwd)
XDPSCOPE=${1:-$root/build/xdpscope}
rounds=${2:-3}
source "$root/tests/e2e/lib.sh"
e2e_init
lab_up || exit 1
lab_addr && lab_neigh || exit 1
cat >"$TMP/flood.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.0.1", 53))
t0, msg = time.monotonic(), b"x" * 64
while time.monotonic() - t0 < float(sys.argv[1]):
    try:
        s.sendto(msg, ("198.18.0.2", 9000))
    except OSError:
        pass
PY
cat >"$TMP/spoof.py" <<'PY'
import random, socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
dst = socket.inet_aton("198.18.0.2")
udp = struct.pack("!HHHH", 53, 9000, 8 + 64, 0) + b"x" * 64
pkts = []
for i in range(4096):
    src = socket.inet_aton("198.18.%d.%d" % (128 + random.randrange(128), random.randrange(256)))
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0, src, dst)
    pkts.append(ip + udp)
t0, i = time.monotonic(), 0
while time.monotonic() - t0 < float(sys.argv[1]):
    try:
        s.sendto(pkts[i & 4095], ("198.18.0.2", 0))
    except OSError:
        pass
    i += 1
PY
for mit in off on; do
	cat >"$TMP/$mit.json" <<JSON
{"interval_ms": 1000, "ranges": [{"name": "victims", "prefixes": ["198.18.0.0/24"]}],
 "mitigation": {"enabled": $([[ $mit == on ]] && echo true || echo false)}}
JSON
done

# cell NAME CONFIG [FILTER ARGS]: one round; prints ns/packet.
# FLOOD: flood.py or spoof.py.
cell() {
	local name=$1 cfg=$2
	shift 2
	daemon_start "$name" "$NS_R" "$IF_R" --xdp-mode native --bpf-stats -c "$TMP/$cfg.json" || return 1
	[[ $# -gt 0 ]] && in_ns "$NS_R" "$XDPSCOPE" block add -i "$IF_R" "$@" >/dev/null
	in_ns "$NS_S" timeout 30 "$PYTHON" "$TMP/${FLOOD:-flood.py}" 3.5
	daemon_stop "$DPID" INT
	"$PYTHON" -c '
import json, sys
v = []
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["type"] == "summary" and r["pkts"] > 10000:
        v += [p["ns_per_pkt"] for p in r["programs"] if "ns_per_pkt" in p]
v.sort()
print("%.1f" % v[len(v) // 2] if v else "nan")' "$DOUT"
}

declare -A res
names=("off" "on-nofilter" "on-otherhost" "on-drop" "spoofed-off" "spoofed-drop")
for ((r = 0; r < rounds; r++)); do
	res[off]+=" $(cell off$r off)"
	res[on-nofilter]+=" $(cell nofilter$r on)"
	res[on-otherhost]+=" $(cell other$r on 198.18.0.77/32 --proto udp)"
	res[on-drop]+=" $(cell drop$r on 198.18.0.2/32 --proto udp --sport 53)"
	res[spoofed-off]+=" $(FLOOD=spoof.py cell soff$r off)"
	res[spoofed-drop]+=" $(FLOOD=spoof.py cell sdrop$r on 198.18.0.2/32 --proto udp --sport 53)"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-14s %10s %10s   %s\n' "mitigation" "min ns/pkt" "median" "rounds"
for n in "${names[@]}"; do
	"$PYTHON" -c '
import sys
v = sorted(float(x) for x in sys.argv[2].split())
print("%-14s %10.1f %10.1f   %s" % (sys.argv[1], v[0], v[len(v) // 2], " ".join(sys.argv[2].split())))' "$n" "${res[$n]}"
done
e2e_finish >/dev/null
