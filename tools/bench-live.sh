#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Live cost: xdpscope attached natively to a veth, a bare XDP_PASS on a
# second veth pair, the same traffic through both with tcpreplay
# --topspeed (a real capture mix, tls2.pcap rewritten into test addresses,
# 20 loops; and a spoofed SYN flood of 250,000 packets from 131,072
# sources), ns/packet from the kernel's bpf_stats (run_time_ns / run_cnt).
# With a second binary (BASE), each round measures both, for a before and
# after in one run. Uses the e2e lab (tests/e2e/lib.sh): own namespaces,
# test addresses, everything removed on exit.
#   tools/bench-live.sh XDPSCOPE [BASE_XDPSCOPE] [ROUNDS]
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/tests/e2e/lib.sh"
bins=("$1")
[[ -n ${2:-} ]] && bins=("$2" "$1")
rounds=${3:-3}
e2e_init
lab_up || exit 1
# Native XDP on veth takes no frame over about 3,400 bytes of MTU.
ip -n "$NS_S" link set "$IF_S" mtu 1500 && ip -n "$NS_R" link set "$IF_R" mtu 1500
IF_S2=${IF_S}b IF_R2=${IF_R}b
ip link add "$IF_S2" netns "$NS_S" mtu 1500 type veth peer name "$IF_R2" netns "$NS_R" mtu 1500
EXTRA_IFS+=("$NS_S:$IF_S2")
ip -n "$NS_S" link set "$IF_S2" up && ip -n "$NS_R" link set "$IF_R2" up
cat >"$TMP/bare.bpf.c" <<'C'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("xdp") int bare(struct xdp_md *ctx) { return XDP_PASS; }
C
clang -O2 -target bpf -I"/usr/include/$(uname -m)-linux-gnu" -c "$TMP/bare.bpf.c" \
	-o "$TMP/bare.o" || exit 1
ip -n "$NS_R" link set dev "$IF_R2" xdpdrv obj "$TMP/bare.o" sec xdp || exit 1
bare_id=$(ip -n "$NS_R" -j link show "$IF_R2" |
	"$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)[0]["xdp"]["prog"]["id"])')
prepare_capture "$PCAPS/tls2.pcap" >/dev/null || exit 1
mix=$PREP_FILE
"$PYTHON" - "$TMP/flood.pcap" <<'PY'
import random, struct, sys
random.seed(1)
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
for i in range(250000):
    r = random.randrange(131072)
    src = bytes([198, 18 + (r >> 16), (r >> 8) & 255, r & 255])
    tcp = struct.pack("!HHIIBBHHH", random.randrange(1024, 65535), 80, i, 0, 0x50, 0x02,
                      64240, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, i & 0xffff, 0, 64, 6, 0, src,
                     bytes([198, 19, 1, 10]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    frame = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + tcp + b"\0" * 6
    out.write(struct.pack("<IIII", 1700000000, i, len(frame), len(frame)) + frame)
PY
# The sysctl goes back to what it was however the run ends (other
# programs' records would carry ns_per_pkt otherwise).
was=$(sysctl -n kernel.bpf_stats_enabled)
trap 'sysctl -qw kernel.bpf_stats_enabled="$was"; e2e_cleanup' EXIT
sysctl -qw kernel.bpf_stats_enabled=1

prog_stats() {
	bpftool prog show id "$1" -j |
		"$PYTHON" -c 'import json, sys; d = json.load(sys.stdin); print(d.get("run_time_ns", 0), d.get("run_cnt", 0))'
}
# feed PROG_ID IFACE FILE LOOPS: "ns/packet runs" of the program over one tcpreplay.
feed() {
	local a b
	a=$(prog_stats "$1")
	nsenter --net="/run/netns/$NS_S" timeout 120 tcpreplay -q --topspeed --loop="$4" \
		-i "$2" "$3" >/dev/null 2>&1
	b=$(prog_stats "$1")
	"$PYTHON" -c 'import sys; (t0, n0), (t1, n1) = (map(int, x.split()) for x in sys.argv[1:])
print("%.1f %d" % ((t1 - t0) / max(1, n1 - n0), n1 - n0))' "$a" "$b"
}
printf 'live  %-6s %-6s %10s %10s %7s %9s\n' binary traffic ns/pkt bare_ns ratio pkts
for ((r = 1; r <= rounds; r++)); do
	for bin in "${bins[@]}"; do
		XDPSCOPE=$bin
		label=head
		((${#bins[@]} > 1)) && [[ $bin == "${bins[0]}" ]] && label=base
		for traffic in mix flood; do
			f=$mix loops=20
			[[ $traffic == flood ]] && f=$TMP/flood.pcap loops=1
			daemon_start live "$NS_R" "$IF_R" --xdp-mode native -r 198.18.0.0/16=a \
				-r 198.19.0.0/16=b -r 2001:db8::/32=c -o /dev/null || exit 1
			id=$(in_ns "$NS_R" bpftool net show dev "$IF_R" -j |
				"$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)[0]["xdp"][0]["id"])')
			read -r ns n < <(feed "$id" "$IF_S" "$f" "$loops")
			read -r bns _ < <(feed "$bare_id" "$IF_S2" "$f" "$loops")
			daemon_stop "$DPID"
			"$PYTHON" -c 'import sys; a = sys.argv
print("live  %-6s %-6s %10s %10s %7.2f %9s" % (a[1], a[2], a[3], a[4], float(a[3]) / float(a[4]), a[5]))' \
				"$label" "$traffic" "$ns" "$bns" "$n"
		done
	done
done
read -r _ d1 _ < <(link_stats "$NS_R" "$IF_R")
read -r _ d2 _ < <(link_stats "$NS_R" "$IF_R2")
echo "live  load average $(cut -d' ' -f1-3 /proc/loadavg); rx dropped on the veths: $d1, $d2"
e2e_finish
