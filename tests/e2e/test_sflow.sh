#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# xdpscope collect --sflow: sFlow v5 in, the records of run out.
#
# 1. Datagrams built here (sflowgen.py) through the socket of a collector
#    in its own namespace: every record type the decoder reads (flow
#    sample, expanded flow sample, raw headers of protocol Ethernet, IPv4
#    and IPv6, counter samples compact and expanded), each weighted by its
#    sampling rate; malformed ones for every length field (counted by
#    reason, the collector goes on); a sampling rate over the maximum;
#    sequence gaps of samples and of datagrams; an IPv6 agent over an IPv6
#    socket; agents filtered by sflow.agents; per-interface views; more
#    agents than the collector tracks one by one; 20,000 mutated datagrams
#    (bytes flipped, cut; seeded) that must leave it running.
# 2. A real exporter: pmacctd's sfprobe plugin (Debian's pmacct) on the
#    receiving end of the lab's veth, the rewritten captures replayed
#    through it, pointed at the collector; a live `xdpscope run` on the
#    same veth counts the same packets. Sampling rate 1: counts equal.
#    Rates 10 and 100 (pmacct samples at random, 1 in N on average): the
#    collected packets within 3 standard deviations of the live count
#    (binomial sampling: sd = sqrt(n (N - 1)); bytes likewise with the
#    frame sizes, see sflow_check in this file), and a SYN flood sampled
#    at 1 in 100 still raises the alert a live run raises.
#
# XS_SFLOW_PMACCT=0 skips part 2.
source "$(dirname "$0")/lib.sh"
e2e_init
GEN=$ROOT/tests/e2e/sflowgen.py
SUM=$ROOT/tests/e2e/sflow_sum.py
NS_C=${RUN_ID}C
EXTRA_NS+=("$NS_C")

# A namespace of its own for part 1: loopback with a test address of each
# family, IPv6 on (the IPv6 agent).
ip netns add "$NS_C" || { fail "netns $NS_C"; e2e_finish; }
ip -n "$NS_C" link set lo up
ip -n "$NS_C" addr add 198.18.255.1/32 dev lo
ip -n "$NS_C" addr add 2001:db8:ff::1/128 dev lo nodad
PORT=6343

# collect_start NAME NS [ARGS...]: `xdpscope collect` in NS (proc_start);
# records in $COUT, once it is listening. Sets CPID.
collect_start() {
	local name=$1 ns=$2 r
	shift 2
	proc_start "$name" "$ns" 'sflow: listening' collector "$XDPSCOPE" collect "$@"
	r=$?
	COUT=$PROC_OUT CERR=$PROC_ERR CPID=$PROC_PID
	return $r
}

# send CASE [ARGS...]: one built datagram to the collector in $NS_C.
send() {
	local c=$1
	shift
	in_ns "$NS_C" "$PYTHON" "$GEN" send 198.18.255.1 "$PORT" "$c" "$@"
}

sums() { "$PYTHON" "$SUM" "$COUT" "$@" | paste -sd' '; }

# ------------------------------------------------------------ part 1
echo "--- built datagrams"
RANGES=(--range 198.18.5.0/24=r4 --range 2001:db8:5::/48=r6)
if collect_start built "$NS_C" --sflow "$PORT" "${RANGES[@]}"; then
	seq=1
	for c in flow expanded ipv4 ipv6 proto counters rate_over; do
		send "$c" --seq $((seq++))
	done
	for c in bad_short bad_version bad_agent_type bad_sample_count bad_sample_length \
		bad_sample_align bad_record_length bad_header_length bad_rate; do
		send "$c" --seq $((seq++))
	done
	# flow sample sequence numbers 1 2 5 6 10 of one source: 2 + 3 lost
	in_ns "$NS_C" "$PYTHON" "$GEN" seq 198.18.255.1 "$PORT" --agent 198.18.0.2 \
		--sample-seq 1 2 5 6 10
	# datagram sequence numbers 1 then 4: 2 datagrams lost
	send flow --agent 198.18.0.3 --seq 1
	send flow --agent 198.18.0.3 --seq 4
	# an IPv6 agent, over IPv6
	in_ns "$NS_C" "$PYTHON" "$GEN" send 2001:db8:ff::1 "$PORT" flow --agent 2001:db8:ff::7
	daemon_stop "$CPID"
	check_eq "collector exits 0 after bad input" "$?" 0
	# r4: flow 10 x 100 B (SYN), expanded 20 x 200 B (UDP), ipv4 3 x 300 B
	# (SYN), seq 5 x 1 x 100 B (SYN), agent 3: 2 x 10 x 100 B, IPv6
	# agent 10 x 100 B; r6: 4 x 400 B. Datagrams: 7 + 9 bad + 5 + 2 + 1;
	# flow samples: 6 good, 1 whose header record is cut (kept, its
	# record dropped), 5 + 2 + 1.
	check_eq "weighted counts of every header protocol" \
		"$(sums range:r4:in:pkts range:r4:in:bytes range:r4:in:proto.tcp.pkts \
			range:r4:in:proto.udp.pkts range:r4:in:tcp_flags.syn \
			range:r4:in:size_hist.le128 range:r4:in:size_hist.le256 \
			range:r4:in:size_hist.le512 range:r6:in:pkts range:r6:in:bytes)" \
		"68 9400 48 20 48 45 20 3 4 1600"
	check_eq "datagrams, samples, headers, counter samples" \
		"$(sums summary:sflow.datagrams summary:sflow.samples summary:sflow.headers \
			summary:sflow.counter_samples)" "24 15 12 2"
	check_eq "malformed by reason" \
		"$(sums summary:sflow.malformed.short summary:sflow.malformed.version \
			summary:sflow.malformed.agent_type summary:sflow.malformed.sample_count \
			summary:sflow.malformed.sample_length summary:sflow.malformed.sample_align \
			summary:sflow.malformed.record_length summary:sflow.malformed.header_cut \
			summary:sflow.malformed.sampling_rate summary:sflow.malformed_datagrams)" \
		"1 1 1 1 1 1 1 1 1 9"
	check_eq "refused header protocol, rate over the maximum" \
		"$(sums summary:sflow.headers_refused summary:sflow.rate_over)" "1 1"
	# 198.18.0.1's datagrams 8..11 had bad headers: never read, so lost.
	check_eq "sequence gaps: samples and datagrams lost" \
		"$(sums summary:sflow.agents.198.18.0.2.samples_lost \
			summary:sflow.agents.198.18.0.3.datagrams_lost \
			summary:sflow.agents.198.18.0.1.samples_lost \
			summary:sflow.agents.198.18.0.1.datagrams_lost)" "5 2 0 4"
	check_eq "IPv6 agent" "$(sums summary:sflow.agents.2001:db8:ff::7.samples)" "1"
	check_eq "interface counters of the counter samples" \
		"$(sums last:sflow.interfaces.198.18.0.1.3.in_octets \
			last:sflow.interfaces.198.18.0.1.3.out_octets \
			last:sflow.interfaces.198.18.0.1.4.in_octets)" "5000 6000 7000"
	check "one warning a kind" bash -c "(( \$(grep -c 'sflow.malformed.short' '$CERR') == 1 ))"
	check "records carry agent" bash -c "grep -q '\"agent\":' '$COUT'"
else
	fail "collector start"
fi

echo "--- agents filtered, views per input interface"
cat >"$TMP/agents.json" <<EOF
{"ranges": [{"name": "r4", "prefixes": ["198.18.5.0/24"]}],
 "sflow": {"agents": ["198.18.0.1/32"], "views": "ifindex"}}
EOF
if collect_start agents "$NS_C" --sflow 198.18.255.1:"$PORT" -c "$TMP/agents.json"; then
	send flow --seq 1
	send flow --seq 1 --agent 198.18.0.9 --count 3
	send expanded --seq 2
	daemon_stop "$CPID"
	check_eq "only the accepted agent counts" \
		"$(sums range:r4:in:pkts summary:sflow.agents_dropped)" "30 3"
	check_eq "views: agent/ifindex" \
		"$(sums summary:sflow.views.198.18.0.1/1.pkts summary:sflow.views.198.18.0.1/1.samples)" \
		"30 2"
	# the summary covers every agent: "*"
	check_eq "records carry the view's agent" "$(sums agent)" "*,198.18.0.1"
	check "agent refused: one warning" \
		bash -c "(( \$(grep -c 'not in sflow.agents' '$CERR') == 1 ))"
else
	fail "collector start"
fi

echo "--- views per agent: a record, rules and an alert each"
cat >"$TMP/views.json" <<EOF
{"interval_ms": 600000, "ranges": [{"name": "r4", "prefixes": ["198.18.5.0/24"]}],
 "sflow": {"views": "agent"},
 "rules": [{"name": "syn", "metric": "syn_pps", "above": 0.001}]}
EOF
if collect_start views "$NS_C" --sflow 198.18.255.1:"$PORT" -c "$TMP/views.json"; then
	# 198.18.0.1: 2 x 10 SYN x 100 B; 198.18.0.2: 3 x 20 UDP x 200 B;
	# 198.18.0.3: 10 SYN x 100 B
	send flow --seq 1 --count 2
	send expanded --seq 1 --agent 198.18.0.2 --count 3
	send flow --seq 1 --agent 198.18.0.3
	daemon_stop "$CPID"
	check_eq "views: collector exits 0" "$?" 0
	check_eq "two agents to one range: a record each, with its own counts" \
		"$(sums range@198.18.0.1:r4:in:pkts range@198.18.0.1:r4:in:bytes \
			range@198.18.0.2:r4:in:pkts range@198.18.0.2:r4:in:bytes \
			'range@*:r4:in:pkts')" "20 2000 60 12000 0"
	check_eq "views: the records' agents" "$(sums agent)" "*,198.18.0.1,198.18.0.2,198.18.0.3"
	check_eq "views: one summary, the sum of the views" \
		"$(sums summary:sflow.views.198.18.0.1.pkts summary:sflow.views.198.18.0.2.pkts \
			summary:dir.in.pkts summary:pkts summary:sflow.views_loaded)" "20 60 90 90 3"
	check_eq "views: the SYN views alert, the UDP one does not" \
		"$(sums alerts@198.18.0.1 alerts@198.18.0.2 alerts@198.18.0.3 summary:alerts.started)" \
		"1 0 1 2"
	check_eq "views: two views' alerts of one range: two ids, a start and an end each" \
		"$("$PYTHON" -c '
import json, sys
a = [r for r in map(json.loads, open(sys.argv[1])) if r["type"] == "alert"]
print(len({r["id"] for r in a}), sorted(len({r["id"] for r in a if r["agent"] == g}) for g in
      ("198.18.0.1", "198.18.0.3")), len(a))' "$COUT")" "2 [1, 1] 4"
	check "views: the alert's end carries its agent" bash -c \
		"grep '\"type\":\"alert\"' '$COUT' | grep '\"state\":\"end\"' | grep -q '\"agent\":\"198.18.0.1\"'"
else
	fail "collector start"
fi

echo "--- views per input interface, bounded: the rest under \"other\""
cat >"$TMP/ifviews.json" <<EOF
{"interval_ms": 600000, "ranges": [{"name": "r4", "prefixes": ["198.18.5.0/24"]}],
 "sflow": {"views": "ifindex", "max_views": 2}}
EOF
if collect_start ifviews "$NS_C" --sflow 198.18.255.1:"$PORT" -c "$TMP/ifviews.json"; then
	send flow --seq 1 --input 3
	send flow --seq 2 --input 4 --count 2
	send flow --seq 3 --input 5 --count 3				# past the bound
	send flow --seq 1 --agent 198.18.0.2 --input 3 --count 4	# likewise
	daemon_stop "$CPID"
	check_eq "ifindex views: a record per (agent, ifIndex), the rest under *" \
		"$(sums range@198.18.0.1/3:r4:in:pkts range@198.18.0.1/4:r4:in:pkts \
			'range@*:r4:in:pkts' range:r4:in:pkts)" "10 20 70 100"
	check_eq "ifindex views: the bound counted" \
		"$(sums summary:sflow.views_over summary:sflow.views.other.pkts \
			summary:sflow.views_loaded summary:sflow.views_max)" "7 70 2 2"
	check "ifindex views: one warning" \
		bash -c "(( \$(grep -c 'sflow.views_over' '$CERR') == 1 ))"
else
	fail "collector start"
fi

echo "--- views in Prometheus: the agent (and ifindex) label"
cat >"$TMP/promviews.json" <<EOF
{"interval_ms": 200, "ranges": [{"name": "r4", "prefixes": ["198.18.5.0/24"]}],
 "sflow": {"views": "ifindex"}}
EOF
MPORT=9187
if collect_start promviews "$NS_C" --sflow 198.18.255.1:"$PORT" -c "$TMP/promviews.json" \
	--metrics 127.0.0.1:$MPORT; then
	send flow --seq 1 --count 2 --input 3
	send expanded --seq 1 --agent 198.18.0.2 --count 3 --input 4
	# counters since start: the scrape that has both (10 s at most)
	want1='xdpscope_packets_total{range="r4",dir="in",agent="198.18.0.1",ifindex="3",class="tcp"} 20'
	want2='xdpscope_packets_total{range="r4",dir="in",agent="198.18.0.2",ifindex="4",class="udp"} 60'
	for ((i = 0; i < 100; i++)); do
		in_ns "$NS_C" curl -sf "http://127.0.0.1:$MPORT/metrics" >"$TMP/promviews.txt"
		grep -qxF "$want1" "$TMP/promviews.txt" && grep -qxF "$want2" "$TMP/promviews.txt" &&
			break
		sleep 0.1
	done
	check "Prometheus: a series per view, with agent and ifindex" \
		bash -c "grep -qxF '$want1' '$TMP/promviews.txt' && grep -qxF '$want2' '$TMP/promviews.txt'"
	check "Prometheus: every range series carries agent" \
		bash -c "! grep '^xdpscope_packets_total{' '$TMP/promviews.txt' | grep -v 'agent=\"'"
	daemon_stop "$CPID"
else
	fail "collector start"
fi

echo "--- views: a max_views over the kernel memory budget is refused"
cat >"$TMP/toomany.json" <<EOF
{"ranges": [{"name": "r4", "prefixes": ["198.18.5.0/24"]}], "max_kernel_mem": "64M",
 "sflow": {"views": "agent", "max_views": 4096}}
EOF
out=$("$XDPSCOPE" check-config "$TMP/toomany.json" 2>&1)
check_eq "check-config refuses max_views over the budget" "$?" 2
check "the error names sflow.max_views and what fits" \
	grep -q 'sflow.max_views: 4096 views need .* at most [0-9]* fit' <<<"$out"
check_eq "the error is one line" "$(wc -l <<<"$out")" 1
nsenter --net="/run/netns/$NS_C" "$XDPSCOPE" collect --sflow "$PORT" -c "$TMP/toomany.json" \
	>/dev/null 2>"$TMP/toomany.err"
check_eq "collect refuses it (usage)" "$?" 2
check "collect: the same one-line error" grep -q 'sflow.max_views: 4096' "$TMP/toomany.err"

echo "--- more agents than are tracked"
if collect_start agents800 "$NS_C" --sflow "$PORT" "${RANGES[@]}"; then
	# 800 agents: 768 tracked one by one, 32 counted together, all counted
	in_ns "$NS_C" "$PYTHON" "$GEN" agents 198.18.255.1 "$PORT" --count 800
	daemon_stop "$CPID"
	check_eq "agents past the table: counted together, their samples counted" \
		"$(sums summary:sflow.agents_untracked range:r4:in:pkts)" "32 8000"
else
	fail "collector start"
fi

echo "--- mutated datagrams"
if collect_start mutated "$NS_C" --sflow "$PORT" "${RANGES[@]}"; then
	in_ns "$NS_C" "$PYTHON" "$GEN" mutate 198.18.255.1 "$PORT" --count 20000 --seed 7
	daemon_stop "$CPID"
	check_eq "20,000 mutated datagrams: the collector exits 0" "$?" 0
	check_eq "mutated datagrams: every one received" "$(sums summary:sflow.datagrams)" 20000
	check "mutated datagrams: faults counted" bash -c \
		"(( \$(\"$PYTHON\" \"$SUM\" \"$COUT\" summary:sflow.malformed_datagrams) > 1000 ))"
	check "no weight over the maximum reached the program" bash -c \
		"\"$PYTHON\" - \"$COUT\" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r['type'] == 'summary' and r['pkts'] > (1 << 20) * r['sflow']['headers']:
        sys.exit(1)
PY"
else
	fail "collector start"
fi

check "bad --sflow is a usage error" bash -c \
	"'$XDPSCOPE' collect --sflow 99999 >/dev/null 2>&1; (( \$? == 2 ))"

# ------------------------------------------------------------ part 2
if [[ ${XS_SFLOW_PMACCT:-1} == 0 ]]; then
	e2e_finish
fi
if ! command -v pmacctd >/dev/null; then
	fail "pmacctd not found (make deps: pmacct)"
	e2e_finish
fi
lab_up || { fail "lab setup"; e2e_finish; }
ip -n "$NS_R" link set lo up
ip -n "$NS_R" addr add 198.18.255.1/32 dev lo
# Ranges of both daemons. The marker range holds no rewritten address
# (sources go to 2001:db8:ffff::/48, destinations to 2001:db8::/48).
PM_RANGES=(--range 198.18.0.0/15=test4 --range 2001:db8::/32=test6
	--range 2001:db8:fffe::/48=marker)

# marker_until_seen: frames to the marker range on S's veth until the
# collector has a sample of one (30 s at most). pmacctd exports in order:
# once a marker is in, every packet before it has been exported.
marker_until_seen() {
	local i
	for ((i = 0; i < 150; i++)); do
		in_ns "$NS_S" "$PYTHON" "$GEN" marker "$IF_S"
		[[ $("$PYTHON" "$SUM" "$COUT" range:marker:in:pkts) != 0 ]] && return 0
		sleep 0.2
	done
	return 1
}

# pmacct_round NAME RATE CAPTURE...: a collector in R, a live run on R's
# veth, pmacctd's sfprobe on R's veth at 1 in RATE; the captures replayed
# from S; everything stopped once the marker is collected. Sets LOUT (the
# live records), COUT (the collector's).
pmacct_round() {
	local name=$1 rate=$2 c pm cpid dpid ppid
	shift 2
	pm=$TMP/$name.pmacct.conf
	printf '%s\n' "daemonize: false" "pcap_interface: $IF_R" "plugins: sfprobe" \
		"sfprobe_receiver: 198.18.255.1:$PORT" "sfprobe_agentip: 198.18.255.2" \
		"sampling_rate: $rate" "logfile: $TMP/$name.pmacct.log" >"$pm"
	collect_start "$name-collect" "$NS_R" --sflow 198.18.255.1:"$PORT" -t 200ms \
		"${PM_RANGES[@]}" "${ROUND_ARGS[@]}" || return 1
	cpid=$CPID
	daemon_start "$name-live" "$NS_R" "$IF_R" -t 200ms "${PM_RANGES[@]}" \
		"${ROUND_ARGS[@]}" || return 1
	LOUT=$DOUT
	dpid=$DPID
	nsenter --net="/run/netns/$NS_R" pmacctd -f "$pm" >"$TMP/$name.pmacct.out" 2>&1 &
	ppid=$!
	DAEMON_PIDS+=("$ppid")
	for ((c = 0; c < 200; c++)); do
		grep -q 'Sampling at' "$TMP/$name.pmacct.log" 2>/dev/null && break
		sleep 0.05
	done
	for c in "$@"; do
		replay "$NS_S" "$IF_S" "$c" || fail "$name: tcpreplay $(basename "$c")"
	done
	marker_until_seen || fail "$name: no marker sample within 30 s"
	daemon_stop "$ppid" TERM
	daemon_stop "$dpid" INT || fail "$name: live run exit"
	daemon_stop "$cpid" INT || fail "$name: collector exit"
}

# psum FILE KEY...: the sum of the keys' sums.
psum() {
	"$PYTHON" "$SUM" "$@" | awk '{ s += $1 } END { printf "%.0f\n", s }'
}

echo "--- pmacctd sfprobe, sampling rate 1"
mapfile -t captures < <("$PYTHON" -c '
import json, sys
for name, c in sorted(json.load(open(sys.argv[1]))["captures"].items()):
    if c["link_type"] == "ether":
        print(name)' "$GT")
if [[ -n ${XS_E2E_CAPTURES:-} ]]; then
	read -ra captures <<<"$XS_E2E_CAPTURES"
fi
# pmacctd 1.7.7 parses no 802.1ad (0x88a8) tag: it exports none of the
# frames of dot1ad.pcap (the live run counts their 2 ICMP packets).
prepared=()
for name in "${captures[@]}"; do
	if [[ $name == dot1ad.pcap ]]; then
		note "$name left out: pmacctd does not export 802.1ad-tagged frames"
		continue
	fi
	prepare_capture "$PCAPS/$name" >/dev/null && prepared+=("$PREP_FILE")
done
# pmacctd 1.7.7 reports the frame length of a frame with all-zero MAC
# addresses (a loopback capture) 14 bytes short: counted here, taken off
# the live bytes. sum_sq: the IP frames' squared lengths (rates 10, 100).
zero_mac=0 sum_sq=0
for f in "${prepared[@]}"; do
	read -r n sq < <("${TSHARK[@]}" -r "$f" -Y 'ip or ipv6' -T fields -e frame.len -e eth.src \
		-e eth.dst 2>/dev/null | awk '{ if ($2 == "00:00:00:00:00:00" && $3 == $2) z++
			s += $1 * $1 } END { printf "%d %.0f\n", z, s }')
	zero_mac=$((zero_mac + n))
	sum_sq=$((sum_sq + sq))
done
ROUND_ARGS=()
if pmacct_round rate1 1 "${prepared[@]}"; then
	for k in pkts proto.tcp.pkts proto.udp.pkts proto.icmp.pkts proto.other.pkts \
		tcp_flags.syn tcp_flags.synack tcp_flags.rst tcp_flags.fin frags; do
		live=$("$PYTHON" "$SUM" "$LOUT" "range:test4:in:$k" "range:test6:in:$k" | paste -sd' ')
		got=$("$PYTHON" "$SUM" "$COUT" "range:test4:in:$k" "range:test6:in:$k" | paste -sd' ')
		check_eq "rate 1: $k (test4 test6) as the live run" "$got" "$live"
	done
	live=$(psum "$LOUT" range:test4:in:bytes range:test6:in:bytes)
	got=$(psum "$COUT" range:test4:in:bytes range:test6:in:bytes)
	check_eq "rate 1: bytes as the live run (less 14 for each of $zero_mac zero-MAC frames)" \
		"$got" "$((live - 14 * zero_mac))"
	check_eq "rate 1: no sample lost, no header refused" \
		"$(sums 'summary:sflow.agents.198.18.255.2#1402.samples_lost' \
			summary:sflow.headers_refused)" "0 0"
fi

# Rates 10 and 100: pmacctd samples each packet with probability 1/N and
# it then counts N: the estimate of n packets has the standard deviation
# sqrt(n (N - 1)); of the bytes, sqrt((N - 1) sum(len^2)). Tested: within
# 3 of them of the live count (the zero-MAC frames' 14 bytes taken off).
for rate in 10 100; do
	echo "--- pmacctd sfprobe, sampling rate $rate"
	pmacct_round "rate$rate" "$rate" "${prepared[@]}" || continue
	live=$(psum "$LOUT" range:test4:in:pkts range:test6:in:pkts)
	got=$(psum "$COUT" range:test4:in:pkts range:test6:in:pkts)
	lb=$(psum "$LOUT" range:test4:in:bytes range:test6:in:bytes)
	gb=$(psum "$COUT" range:test4:in:bytes range:test6:in:bytes)
	check "rate $rate: packets $got within 3 sd of the live $live" "$PYTHON" -c "
import math, sys
n, got, N = $live, $got, $rate
sys.exit(abs(got - n) > 3 * math.sqrt(n * (N - 1)))"
	check "rate $rate: bytes $gb within 3 sd of the live $lb" "$PYTHON" -c "
import math, sys
b, got, N, sq = $lb - 14 * $zero_mac, $gb, $rate, $sum_sq
sys.exit(abs(got - b) > 3 * math.sqrt((N - 1) * sq))"
done

echo "--- a SYN flood sampled at 1 in 100 still alerts"
printf '%s\n' '{"rules": [{"name": "syn-flood", "metric": "syn_pps", "above": 500,' \
	'  "clear_s": 1}]}' >"$TMP/flood.json"
if prepare_capture "$PCAPS/pkt.TCP.synflood.spoofed.pcap" >/dev/null; then
	ROUND_ARGS=(-c "$TMP/flood.json")
	if pmacct_round flood 100 "$PREP_FILE"; then
		check "flood: the live run alerts" grep -q '"type":"alert".*"syn-flood"' "$LOUT"
		check "flood: the collector alerts" grep -q '"type":"alert".*"syn-flood"' "$COUT"
	fi
fi
e2e_finish
