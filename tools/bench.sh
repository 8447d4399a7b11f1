#!/usr/bin/env bash
# make bench: figures and ratios, no pass/fail. Timings on a shared machine
# are noisy: compare the ratios taken within one run.
set -euo pipefail
cd "$(dirname "$0")/.."
pcaps=${PCAPS:-../shared/pcaps}
largest=$(ls -S "$pcaps"/*.pcap* | head -1)
echo "== xdpscope bench ($(uname -r), $(nproc) CPUs)"
echo "== largest capture: $largest"
for n in 10 10000; do
	build/tools/bench_xdp "$largest" "$n"
done
