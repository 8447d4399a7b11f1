#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every shared capture through `xdpscope replay` (XDP, and TC for one),
# under a memory checker: the checker's errors fail the run. Used by
# `make asan` and `make valgrind` so that replay's reader, reorder buffer
# and output are checked on real files, not only on the unit tests.
#   tests/replay-captures.sh XDPSCOPE [CHECKER ARGS...]
set -u
xdpscope=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
pcaps=${XS_PCAPS:-$(cd "$root/.." && pwd)/shared/pcaps}
failed=0
n=0
for f in "$pcaps"/*.pcap "$pcaps"/*.pcapng; do
	for hook in xdp tc; do
		args=()
		if [[ $hook == tc ]]; then
			[[ $f == */truncated-header.pcap ]] || continue
			args=(--egress)
		fi
		n=$((n + 1))
		if ! "$@" "$xdpscope" replay -r 0.0.0.0/0=all4 -r ::/0=all6 "${args[@]}" "$f" \
			>/dev/null 2>"${TMPDIR:-/tmp}/xs-replay-check.err"; then
			echo "FAIL: replay ($hook) $(basename "$f"):"
			grep -v '^xdpscope: warning' "${TMPDIR:-/tmp}/xs-replay-check.err" | head -20
			failed=$((failed + 1))
		fi
	done
done
rm -f "${TMPDIR:-/tmp}/xs-replay-check.err"
echo "replay-captures: $n replays, $failed failed"
((failed == 0))
