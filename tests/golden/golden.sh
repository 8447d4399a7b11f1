#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The records of every capture in ../shared/pcaps through `xdpscope replay`,
# with a config that exercises every part of an interval (several ranges of
# both families, both directions, sketches, rules and alerts), in 1 s bins,
# whole, and through the TC program. The stored outputs in this folder are
# what the product printed when they were last regenerated ON PURPOSE; a
# change in them is a change in what users see.
#
#   tests/golden/golden.sh check XDPSCOPE    compare; print a diff, exit 1
#   tests/golden/golden.sh write XDPSCOPE    regenerate the stored outputs
#
# Fields that vary from run to run (drain_ms, program ids) are masked.
set -u
mode=$1
xdpscope=$2
here=$(cd "$(dirname "$0")" && pwd)
pcaps=${XS_PCAPS:-$(cd "$here/../../.." && pwd)/shared/pcaps}
cfg=$here/config.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mask() {
	sed -E -e 's/"drain_ms":[0-9.e+-]+/"drain_ms":0/' -e 's/"id":[0-9]+\}/"id":0}/g'
}

failed=0
n=0
for f in "$pcaps"/*.pcap "$pcaps"/*.pcapng; do
	name=$(basename "$f")
	for variant in bins whole tc; do
		args=(--host golden -c "$cfg")
		case $variant in
		whole) args+=(--whole) ;;
		tc) args+=(--egress) ;;
		esac
		out=$tmp/$name.$variant.ndjson
		"$xdpscope" replay "${args[@]}" "$f" 2>"$tmp/err" | mask >"$out"
		# The exit status and the warnings are part of what users see.
		echo "exit ${PIPESTATUS[0]}" >>"$out"
		sed -e "s|$pcaps/||g" -e 's/^/stderr: /' "$tmp/err" >>"$out"
		n=$((n + 1))
		want=$here/out/$name.$variant.ndjson
		if [[ $mode == write ]]; then
			mkdir -p "$here/out"
			gzip -9n <"$out" >"$want.gz"
		elif ! zcat "$want.gz" 2>/dev/null | cmp -s - "$out"; then
			echo "FAIL: replay $variant $name differs from tests/golden/out/$name.$variant.ndjson.gz"
			zcat "$want.gz" 2>/dev/null | diff - "$out" | head -n 10 | cut -c1-400
			failed=$((failed + 1))
		fi
	done
done
if [[ $mode == check ]]; then
	echo "golden: $n replays, $failed differ"
	((failed == 0))
fi
