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
