#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Live cost, the headline figure: xdpscope attached natively to a veth, a
# bare XDP_PASS on a second veth pair, the same traffic through both with
# tcpreplay, ns/packet from the kernel's own accounting (bpf_stats:
# run_time_ns / run_cnt), plus the daemon's own CPU a packet (the
# schedstat run time of all its threads over the same traffic).
#
# Traffic: "mix", five captures of ../shared/pcaps rewritten into test
# addresses (tests/e2e/lib.sh prepare_capture; frames over 1514 bytes
# left out: native XDP on veth wants an MTU of 1500); "flood", a spoofed
# IPv6 SYN flood from 250,000 distinct sources outside every range to one
# victim. Each at top speed and at a fixed rate (--pps, default 100000),
# for about 3 s.
# Ranges: 10, and 10,000 (512 IPv4 /24s over 198.18.0.0/15 and IPv6 /48s
# of 2001:db8::/32). Statistics: counters only; distinct sources alone;
# distinct sources and the source list; distinct sources and the two port
# lists; everything (the default); and with mitigation on (everything
# too): "mitig", no filter (what ordinary traffic pays for the check), and
# "mitig-drop", a filter that drops the flood (what a dropped flood packet
# costs; the mix passes it by).
#
# Every cell is measured ROUNDS times (default 3); the table gives min
# and median. The machine's load average is printed before and after.
# With a second binary (BASE), each round measures both, for a before and
# after in one run. Uses the e2e lab (own namespaces, test addresses,
# everything removed on exit).
#   tools/bench-live.sh XDPSCOPE [BASE_XDPSCOPE] [ROUNDS]
# Environment: XS_LIVE_RANGES ("10 10000"), XS_LIVE_STATS (the statistics
# above by name), XS_LIVE_PPS (100000), XS_LIVE_RATES ("top fixed"),
# XS_LIVE_STATS_EXTRA (a JSON object of stats keys added to every
# statistics config, e.g. '{"stage_sets": 1024}', to try settings),
# XS_LIVE_BARE ("floor": tools/floor.bpf.c, xdpscope's parser and one
# counter, replaces the bare XDP_PASS, to see what a packet costs before
# classification; or an object file whose section "xdp" does),
# XS_LIVE_PROFILE ("10000 all mix top": the cell whose first round also
# runs perf record -e cpu-clock, mapped to source lines by
# tools/bpf_lines and tools/live-profile.py; "" for none). This machine's
# perf has no hardware counters (a VM): no cache-miss counts.
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/tests/e2e/lib.sh"
bins=("$1")
[[ -n ${2:-} ]] && bins=("$2" "$1")
rounds=${3:-3}
RANGE_SETS=${XS_LIVE_RANGES:-10 10000}
STATS_SETS=${XS_LIVE_STATS:-counters hll hll+src hll+ports all}
RATES=${XS_LIVE_RATES:-top fixed}
FIXED_PPS=${XS_LIVE_PPS:-100000}
PROFILE=${XS_LIVE_PROFILE-10000 all mix top}
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
bare_obj=${XS_LIVE_BARE:-$TMP/bare.o}
if [[ $bare_obj == floor ]]; then
	bare_obj=$TMP/floor.o
	clang -O2 -g -target bpf -Wall -Werror -I"$root/include" -I"$root/bpf" \
		-I"/usr/include/$(uname -m)-linux-gnu" -c "$root/tools/floor.bpf.c" -o "$bare_obj" || exit 1
fi
ip -n "$NS_R" link set dev "$IF_R2" xdpdrv obj "$bare_obj" sec xdp || exit 1
bare_id=$(ip -n "$NS_R" -j link show "$IF_R2" |
	"$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)[0]["xdp"]["prog"]["id"])')

# The mix: five captures, rewritten, concatenated, frames <= 1514 bytes.
parts=()
for c in tls2.pcap emix.pcap many-protocols.pcap quic-crypto-packets.pcap ipv6-fragmented-dns.pcap; do
	prepare_capture "$PCAPS/$c" >/dev/null || exit 1
	"${TSHARK[@]}" -r "$PREP_FILE" -Y 'frame.len <= 1514' -F pcap -w "$TMP/$c.mtu.pcap" || exit 1
	parts+=("$TMP/$c.mtu.pcap")
done
mergecap -a -F pcap -w "$TMP/mix.pcap" "${parts[@]}" || exit 1
"$PYTHON" - "$TMP/flood.pcap" <<'PY'
import random, struct, sys
random.seed(1)
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
n = 250000
order = list(range(n))
random.shuffle(order)
dst = bytes.fromhex("20010db8000000000000000000000010")
for i, s in enumerate(order):
    # 2001:db8:8000::/33 + s: outside every range of the bench
    src = bytes.fromhex("20010db88000") + struct.pack("!HI", 0, 0) + struct.pack("!I", s)
    tcp = struct.pack("!HHIIBBHHH", 1024 + s % 60000, 80, i, 0, 0x50, 0x02, 64240, 0, 0)
    ph = src + dst + struct.pack("!IxxxB", len(tcp), 6) + tcp
    if len(ph) % 2:
        ph += b"\0"
    c = sum(struct.unpack("!%dH" % (len(ph) // 2), ph))
    while c >> 16:
        c = (c & 0xffff) + (c >> 16)
    tcp = tcp[:16] + struct.pack("!H", ~c & 0xffff) + tcp[18:]
    ip6 = struct.pack("!IHBB", 6 << 28, len(tcp), 6, 64) + src + dst
    frame = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x86\xdd" + ip6 + tcp
    out.write(struct.pack("<IIII", 1700000000, i, len(frame), len(frame)) + frame)
PY
mix_n=$(capinfos -c -M -T -r "$TMP/mix.pcap" | cut -f2)
# A measurement lasts about 3 s, so it takes in a few of the daemon's
# intervals (its CPU is mostly the drain, once an interval): about
# 1,000,000 packets at top speed, 300,000 at the fixed rate.
loops() { # loops TRAFFIC RATE
	local want=1000000 n=$mix_n
	[[ $2 == fixed ]] && want=$((3 * FIXED_PPS))
	[[ $1 == flood ]] && n=250000
	echo $(((want + n - 1) / n))
}

# The ranges files.
cat >"$TMP/r10.txt" <<TXT
198.18.0.0/16 a
198.19.0.0/16 b
2001:db8::/48 c
2001:db8:ffff::/48 d
2001:db8:1::/48 e
2001:db8:2::/48 f
2001:db8:3::/48 g
2001:db8:4::/48 h
2001:db8:5::/48 i
2001:db8:6::/48 j
TXT
ranges_10000 "$TMP/r10000.txt" || exit 1
stats_json() { # stats_json NAME: the config's stats object (and XS_LIVE_STATS_EXTRA's keys)
	local j
	case $1 in
	counters) j='{"enabled": false}' ;;
	hll) j='{"top": []}' ;;
	hll+src) j='{"top": ["src"]}' ;;
	hll+ports) j='{"top": ["dport", "sport"]}' ;;
	all | mitig | mitig-drop) j='{}' ;;
	esac
	if [[ -n ${XS_LIVE_STATS_EXTRA:-} && $1 != counters ]]; then
		"$PYTHON" -c 'import json, sys; d = json.loads(sys.argv[1]); d.update(json.loads(sys.argv[2])); print(json.dumps(d))' \
			"$j" "$XS_LIVE_STATS_EXTRA"
	else
		echo "$j"
	fi
}

# The sysctl goes back to what it was however the run ends (other
# programs' records would carry ns_per_pkt otherwise).
was=$(sysctl -n kernel.bpf_stats_enabled)
trap 'sysctl -qw kernel.bpf_stats_enabled="$was"; e2e_cleanup' EXIT
sysctl -qw kernel.bpf_stats_enabled=1

prog_stats() {
	bpftool prog show id "$1" -j |
		"$PYTHON" -c 'import json, sys; d = json.load(sys.stdin); print(d.get("run_time_ns", 0), d.get("run_cnt", 0))'
}
cpu_ns() { # cpu_ns PID: CPU time of all its threads, ns (schedstat: exact, not in ticks)
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ t += $1 } END { printf "%.0f\n", t }'
}
# feed PROG_ID IFACE FILE LOOPS RATE [PID]: "ns/packet runs daemon_ns/packet"
feed() {
	local a b c0 c1 rate=(--topspeed)
	[[ $5 == fixed ]] && rate=(--pps="$FIXED_PPS")
	c0=$(cpu_ns "${6:-$$}")
	a=$(prog_stats "$1")
	nsenter --net="/run/netns/$NS_S" timeout 120 tcpreplay -q "${rate[@]}" --loop="$4" \
		-i "$2" "$3" >/dev/null 2>&1
	b=$(prog_stats "$1")
	c1=$(cpu_ns "${6:-$$}")
	"$PYTHON" -c 'import sys; (t0, n0), (t1, n1) = (map(int, x.split()) for x in sys.argv[1:3])
n = max(1, n1 - n0)
print("%.1f %d %.1f" % ((t1 - t0) / n, n1 - n0, (float(sys.argv[4]) - float(sys.argv[3])) / n))' \
		"$a" "$b" "$c0" "$c1"
}
echo "live  load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; mix: $mix_n frames; flood: 250000 sources; about 3 s a measurement; fixed rate $FIXED_PPS pkt/s"
: >"$TMP/raw.tsv"
for ((r = 1; r <= rounds; r++)); do
	for bin in "${bins[@]}"; do
		XDPSCOPE=$bin
		label=head
		((${#bins[@]} > 1)) && [[ $bin == "${bins[0]}" ]] && label=base
		for nr in $RANGE_SETS; do
			for st in $STATS_SETS; do
				mit=
				[[ $st == mitig* ]] && mit=', "mitigation": {"enabled": true}'
				printf '{"ranges_file": "%s", "stats": %s%s}\n' "$TMP/r$nr.txt" \
					"$(stats_json "$st")" "$mit" >"$TMP/c.json"
				daemon_start live "$NS_R" "$IF_R" --xdp-mode native -c "$TMP/c.json" \
					-o /dev/null || exit 1
				# The flood's victim (2001:db8::10), its SYNs dropped.
				[[ $st == mitig-drop ]] && { in_ns "$NS_R" "$XDPSCOPE" block add -i "$IF_R" \
					2001:db8::10/128 --proto tcp --syn --drop >/dev/null || exit 1; }
				id=$(in_ns "$NS_R" bpftool net show dev "$IF_R" -j |
					"$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)[0]["xdp"][0]["id"])')
				for traffic in mix flood; do
					f=$TMP/mix.pcap
					[[ $traffic == flood ]] && f=$TMP/flood.pcap
					for rate in $RATES; do
						loops=$(loops "$traffic" "$rate")
						prof=
						[[ $r == 1 && "$nr $st $traffic $rate" == "$PROFILE" ]] &&
							command -v perf >/dev/null && prof=$TMP/perf.data
						[[ -n $prof ]] && { perf record -q -e cpu-clock -F 10000 -a \
							-o "$prof" >/dev/null 2>&1 & PERF_PID=$!; }
						read -r ns n dns < <(feed "$id" "$IF_S" "$f" "$loops" "$rate" "$DPID")
						if [[ -n $prof ]]; then
							kill -INT "$PERF_PID"
							wait "$PERF_PID" 2>/dev/null
							"$root/build/tools/bpf_lines" "$id" >"$TMP/lines.txt" &&
								perf script -i "$prof" -F ip,sym >"$TMP/perf.txt" 2>/dev/null &&
								"$PYTHON" "$root/tools/live-profile.py" "$TMP/lines.txt" \
									"$TMP/perf.txt" "$ns" >"$TMP/profile.txt"
							sed -i "1s/^/profile  $label, $nr ranges, $st, $traffic, $rate, $ns ns\/packet:\n/" \
								"$TMP/profile.txt"
						fi
						read -r bns _ _ < <(feed "$bare_id" "$IF_S2" "$f" "$loops" "$rate")
						printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$nr" "$st" \
							"$traffic" "$rate" "$ns" "$bns" "$dns" "$n" >>"$TMP/raw.tsv"
					done
				done
				daemon_stop "$DPID"
			done
		done
	done
done
"$PYTHON" - "$TMP/raw.tsv" "$rounds" <<'PY'
import statistics, sys
cells = {}
for line in open(sys.argv[1]):
    b, nr, st, tr, rate, ns, bns, dns, n = line.split("\t")
    cells.setdefault((b, int(nr), st, tr, rate), []).append((float(ns), float(bns), float(dns), int(n)))
print("live  %-4s %6s %-9s %-5s %-5s | %15s %15s | %6s | %9s %6s | %s" % (
    "bin", "ranges", "stats", "load", "rate", "prog ns min/med", "bare ns min/med",
    "ratio", "daemon ns", "total", "pkts"))
for k in sorted(cells):
    v = cells[k]
    prog = sorted(x[0] for x in v)
    bare = sorted(x[1] for x in v)
    dmn = sorted(x[2] for x in v)
    med = statistics.median
    ratio = med([x[0] / x[1] for x in v])
    total = med([(x[0] + x[2]) / x[1] for x in v])
    print("live  %-4s %6d %-9s %-5s %-5s | %7.1f %7.1f %7.1f %7.1f | %5.2fx | %9.1f %5.2fx | %d" % (
        k[0], k[1], k[2], k[3], k[4], prog[0], med(prog), bare[0], med(bare), ratio, med(dmn),
        total, v[0][3]))
PY
[[ -s $TMP/profile.txt ]] && cat "$TMP/profile.txt"
read -r _ d1 _ < <(link_stats "$NS_R" "$IF_R")
read -r _ d2 _ < <(link_stats "$NS_R" "$IF_R2")
echo "live  load average after: $(cut -d' ' -f1-3 /proc/loadavg); rx dropped on the veths: $d1, $d2"
e2e_finish
