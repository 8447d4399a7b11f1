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
#    socket; agents filtered by sflow.agents; per-interface views.
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

# collect_start NAME NS [ARGS...]: `xdpscope collect` in NS; records in
# $TMP/NAME.out. Waits (10 s at most) for its "listening" line. Sets CPID.
collect_start() {
	local name=$1 ns=$2 i
	shift 2
	COUT=$TMP/$name.out
	CERR=$TMP/$name.err
	nsenter --net="/run/netns/$ns" "$XDPSCOPE" collect "$@" >"$COUT" 2>"$CERR" &
	CPID=$!
	DAEMON_PIDS+=("$CPID")
	for ((i = 0; i < 200; i++)); do
		grep -q 'sflow: listening' "$CERR" 2>/dev/null && return 0
		kill -0 "$CPID" 2>/dev/null || break
		sleep 0.05
	done
	echo "      collector $name did not start; its stderr:"
	sed 's/^/        /' "$CERR"
	return 1
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
	check_eq "records carry the one agent" "$(sums agent)" "198.18.0.1"
	check "agent refused: one warning" \
		bash -c "(( \$(grep -c 'not in sflow.agents' '$CERR') == 1 ))"
else
	fail "collector start"
fi

check "bad --sflow is a usage error" bash -c \
	"'$XDPSCOPE' collect --sflow 99999 >/dev/null 2>&1; (( \$? == 2 ))"
e2e_finish
