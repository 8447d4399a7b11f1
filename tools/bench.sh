#!/usr/bin/env bash
# make bench: figures and ratios, no pass/fail. Timings on a shared machine
# are noisy: compare the ratios taken within one run.
set -euo pipefail
cd "$(dirname "$0")/.."
pcaps=${PCAPS:-$(cd .. && pwd)/shared/pcaps}
largest=$(ls -S "$pcaps"/*.pcap* | head -1)
echo "== xdpscope bench ($(uname -r), $(nproc) CPUs)"
echo "== largest capture: $largest"
echo "== XDP program vs bare XDP_PASS under BPF_PROG_TEST_RUN (tools/bench_xdp.c)"
for n in 10 10000; do
	build/tools/bench_xdp "$largest" "$n"
done
echo "== the same on a spoofed flood: 10^6 SYNs from random sources, 1% from one heavy hitter"
for n in 10 10000; do
	build/tools/bench_xdp flood:1000000 "$n"
done

now() { date +%s.%N; }
if build/xdpscope replay --help >/dev/null 2>&1; then
	echo "== replay throughput vs tshark, same file, same run"
	frames=$(capinfos -c -M -T -r "$largest" | cut -f2)
	best_x=999999 best_t=999999
	for i in 1 2 3; do
		t0=$(now)
		build/xdpscope replay --range 2001:db8::/32=bench "$largest" >/dev/null
		t1=$(now)
		tshark -q -r "$largest" -z io,stat,0 >/dev/null
		t2=$(now)
		best_x=$(awk -v a="$t0" -v b="$t1" -v m="$best_x" 'BEGIN { d = b - a; print (d < m ? d : m) }')
		best_t=$(awk -v a="$t1" -v b="$t2" -v m="$best_t" 'BEGIN { d = b - a; print (d < m ? d : m) }')
	done
	awk -v n="$frames" -v x="$best_x" -v t="$best_t" 'BEGIN {
		printf "replay  %d frames: xdpscope %.3f s (%.0f pkt/s), tshark io,stat %.3f s (%.0f pkt/s), ratio %.1fx\n",
			n, x, n / x, t, n / t, t / x }'
fi

echo "== rule engine: 10,000 ranges, 10 rules (tools/bench_rules.c)"
build/tools/bench_rules
echo "== one /metrics scrape, 10,000 ranges (tools/bench_metrics.c)"
build/tools/bench_metrics
echo "== sFlow v5 decoding, one core (tools/bench_sflow.c)"
build/tools/bench_sflow
echo "== collect --sflow: the whole collector path, one core, socket excluded (tools/bench_collect.c)"
build/tools/bench_collect
echo "== detection latency: capture seconds from an attack's start (first 1 s bin with >= 10% of the"
echo "   peak bin's packets, ground-truth.json) to the alert's start, the README's example rules"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -n '/<!-- rules:begin -->/,/<!-- rules:end -->/p' README.md | grep -v -e '^<!--' -e '^```' \
	>"$tmp/rules.json"
python3 - "$tmp/rules.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["ranges"] = [{"name": "victim", "prefixes": ["10.10.10.0/24", "2001:db8:1::/64"]},
               {"name": "rest", "prefixes": ["0.0.0.0/0", "::/0"]}]
del c["alerts"]["exec"]
json.dump(c, open(sys.argv[1], "w"))
PY
for f in pkt.TCP.synflood.spoofed.pcap pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng \
	amp.TCP.reflection.SYNACK.pcap amp.UDP.isakmp.pcap amp.UDP.snmp.src161.pcapng \
	amp.dns.RRSIG.fragmented.pcap denial6-6.pcap; do
	[[ -e $pcaps/$f ]] || continue
	build/xdpscope replay -c "$tmp/rules.json" "$pcaps/$f" >"$tmp/out.ndjson"
	python3 - "$pcaps/ground-truth.json" "$f" "$tmp/out.ndjson" <<'PY'
import datetime, json, sys
from decimal import Decimal
gt = json.load(open(sys.argv[1]))["captures"][sys.argv[2]]
ps = gt["per_second"]
k = next(i for i, n in enumerate(ps["packets"]) if n * 10 >= max(ps["packets"]))
begin = Decimal(gt["time"]["first"]) + ps["first_bin"] + k
starts = [a for a in map(json.loads, open(sys.argv[3]))
          if a["type"] == "alert" and a["state"] == "start"]
if not starts:
    print("latency %-38s no alert" % sys.argv[2])
else:
    t = datetime.datetime.strptime(starts[0]["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    print("latency %-38s %5.2f s  %-13s %s" % (sys.argv[2], float(Decimal(t) - begin),
                                               starts[0]["rule"], starts[0]["attack"]))
PY
done

echo
echo "== live detection: a SYN flood through a veth, first packet to the alert's start record (tools/bench-detect.sh)"
tools/bench-detect.sh build/xdpscope 5 | grep '^detect'

echo
echo "== live: program vs bare XDP_PASS on veths, kernel bpf_stats (tools/bench-live.sh)"
tools/bench-live.sh build/xdpscope "" 3 | grep '^live'

echo
echo "== live: mitigation, ns/packet of ordinary and dropped flood packets (tools/bench-mitigation.sh)"
tools/bench-mitigation.sh build/xdpscope 3 | grep -v -e '^PASS' -e '^FAIL'

echo
tools/bench-clickhouse.sh
