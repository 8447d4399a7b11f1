#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `xdpscope replay` (issue 3) over EVERY capture of the shared set against
# ground-truth.json, exactly; then the same frames live through a veth and
# through replay must give identical counters.
#
# 1. Per capture, four replays (no interface is touched):
#    - catch-all ranges all4 = 0.0.0.0/0, all6 = ::/0, --interval 1s, once
#      with wire bytes (default) and once with --count-captured-bytes: every
#      parsed packet counts once, as `in` for its family, so the records
#      carry the class totals: totals, bytes, ipv4/ipv6, non-IP, malformed,
#      packets and bytes per L4 class, SYN/SYN-ACK/RST/FIN, fragments, cut
#      L4 headers, size histogram, the summary's replay object; and the
#      summaries bin by bin against per_second (bin k = floor((t - t0) / 1 s),
#      t0 = the first frame in file order, ts = end of the bin), or where
#      per_second is null (spans > 3600 s) no more summaries than seconds
#      with frames, within a few seconds;
#    - every listed destination and source /24 and /64 of the ground truth
#      (top 50 each) as its own range, named by the prefix, from a ranges
#      file: `in` == dst_prefixes[R], `out` == src_prefixes[R] -
#      same_src_dst_prefix[R], packets and bytes (wire, then captured).
#    Ethernet captures compare with ethernet_direct_view; Linux cooked (SLL)
#    and raw IP with the top level (their IP follows the link header).
#    tests/e2e/compare.py (replay-*) holds the checks and every
#    reconciliation with the ground truth's definitions.
# 2. Four captures rewritten into the test ranges (lib.sh prepare_capture),
#    tcpreplay'd through a veth into a live daemon (XDP, and TC --egress for
#    one), and the SAME rewritten file through `xdpscope replay
#    --count-captured-bytes` (live frames carry their captured bytes): all
#    counters equal (compare.py replay-same says which fields are left out).
# 3. Standard input and -o: `replay -o FILE -` of a file's bytes prints the
#    same records as `replay FILE`.
#
# XS_E2E_CAPTURES="a.pcap b.pcap" limits part 1 to those captures.
source "$(dirname "$0")/lib.sh"
e2e_init

REPLAY_TIMEOUT=${XS_REPLAY_TIMEOUT:-60}	# seconds, any one replay
QUICK_MS=5000	# a capture spanning years must still replay within this
CATCH_ALL=(-r 0.0.0.0/0=all4 -r ::/0=all6)
start_s=$(date +%s)

if ! "$XDPSCOPE" replay --help >/dev/null 2>&1; then
	fail "'xdpscope replay --help' fails: no replay command to test"
	e2e_finish
fi

# run_replay OUT ARGS...: `xdpscope replay ARGS` (time-limited); records in
# $TMP/OUT.out, stderr in $TMP/OUT.err. Sets RP_RC and RP_MS (wall time).
run_replay() {
	local out=$1 t0
	shift
	t0=$(date +%s%N)
	timeout "$REPLAY_TIMEOUT" "$XDPSCOPE" replay --host gt --ifname gt "$@" \
		>"$TMP/$out.out" 2>"$TMP/$out.err"
	RP_RC=$?
	RP_ERR=$TMP/$out.err
	RP_MS=$((($(date +%s%N) - t0) / 1000000))
}

# replay_ok LABEL: PASS/FAIL on the last run_replay's exit status (stderr
# shown on failure). Returns its success.
replay_ok() {
	if ((RP_RC == 0)); then
		pass "$1: replay exits 0 (${RP_MS} ms)"
		return 0
	fi
	fail "$1: replay exited $RP_RC$( ((RP_RC == 124)) && echo " (killed after ${REPLAY_TIMEOUT}s)")"
	head -5 "$RP_ERR" 2>/dev/null | sed 's/^/        /'
	return 1
}

# ------------------------------------------------- 1. every capture vs truth

mapfile -t captures < <("$PYTHON" -c '
import json, sys
for name, c in sorted(json.load(open(sys.argv[1]))["captures"].items()):
    print(name, c["link_type"], "null" if c["per_second"] is None else "bins")' "$GT")

# No capture silently skipped: the folder's capture files are exactly the
# ones the ground truth describes.
check_eq "capture files in $PCAPS == captures in ground-truth.json" \
	"$(cd "$PCAPS" && ls -1 -- *.pcap *.pcapng 2>/dev/null | sort | tr '\n' ' ')" \
	"$(printf '%s\n' "${captures[@]}" | cut -d' ' -f1 | sort | tr '\n' ' ')"

declare -A cap_fail
for line in "${captures[@]}"; do
	read -r name link bins <<<"$line"
	if [[ -n ${XS_E2E_CAPTURES:-} && " $XS_E2E_CAPTURES " != *" $name "* ]]; then
		continue
	fi
	echo "--- $name ($link)"
	f0=$n_fail
	file=$PCAPS/$name
	b=${name//[^A-Za-z0-9._-]/_}
	gtargs=(--gt "$GT" --capture "$name" --pcap "$file")
	"$PYTHON" "$COMPARE" replay-ranges --gt "$GT" --capture "$name" >"$TMP/$b.ranges"
	for bytes in wire captured; do
		opt=()
		[[ $bytes == captured ]] && opt=(--count-captured-bytes)
		out=$b.all.$bytes
		run_replay "$out" -t 1s "${CATCH_ALL[@]}" "${opt[@]}" "$file"
		if replay_ok "$name [catch-all, $bytes bytes]"; then
			if [[ $bins == null ]]; then
				# Spans years: empty seconds must cost nothing.
				check "$name [catch-all, $bytes bytes]: replay of a capture spanning > 3600 s takes < ${QUICK_MS} ms (${RP_MS} ms)" \
					test "$RP_MS" -lt "$QUICK_MS"
			fi
			compare replay-totals "${gtargs[@]}" --bytes "$bytes" --records "$TMP/$out.out"
		fi
		out=$b.pfx.$bytes
		if [[ -s $TMP/$b.ranges ]]; then
			run_replay "$out" -f "$TMP/$b.ranges" "${opt[@]}" "$file"
		else
			# No parsed IP address in the capture: no prefix to
			# configure; replay without ranges (all IP unmatched).
			run_replay "$out" "${opt[@]}" "$file"
		fi
		if replay_ok "$name [$(wc -l <"$TMP/$b.ranges") prefix ranges, $bytes bytes]"; then
			compare replay-prefixes "${gtargs[@]}" --bytes "$bytes" --records "$TMP/$out.out"
		fi
	done
	cap_fail[$name]=$((n_fail - f0))
done

# ------------------------------------------------- 2. live veth == replay

# live_vs_replay NAME MODE (xdp | tc): the rewritten capture through a live
# daemon and through replay of the same file.
live_vs_replay() {
	local name=$1 mode=$2 b=${1//[^A-Za-z0-9._-]/_} ns=$NS_R ifn=$IF_R rc label
	local ranges=(--range 198.18.0.0/16=dst4 --range 198.19.0.0/16=src4
		--range 2001:db8::/48=dst6 --range 2001:db8:ffff::/48=src6)
	local live=() rp=(--count-captured-bytes)
	label="$name live vs replay ($mode)"
	echo "--- $label"
	prepare_capture "$PCAPS/$name" || return 1
	if [[ $mode == tc ]]; then
		# The TC program on the sender's veth counts what leaves it.
		ns=$NS_S ifn=$IF_S live=(--egress) rp+=(--egress)
	fi
	if ! daemon_start "live-$mode-$b" "$ns" "$ifn" --interval 250ms "${ranges[@]}" "${live[@]}"; then
		fail "$label: daemon attach"
		return 1
	fi
	replay "$NS_S" "$IF_S" "$PREP_FILE" || fail "$label: tcpreplay"
	sleep 0.4	# more than one interval: the veth queue is drained
	daemon_stop "$DPID" INT
	rc=$?
	check_eq "$label: daemon exits 0 on SIGINT" $rc 0
	((rc == 124)) && lab_detach "$ns" "$ifn"
	check_eq "$label: tcpreplay sent every frame (failed: 0)" "$REPLAY_FAILED" 0
	run_replay "rp-$mode-$b" "${ranges[@]}" "${rp[@]}" "$PREP_FILE"
	replay_ok "$label: replay of the rewritten file" || return 1
	compare replay-same --label "$label" --a "$DOUT" --b "$TMP/rp-$mode-$b.out" \
		--a-name live --b-name replay --want-pkts "$REPLAY_OK"
}

if [[ -z ${XS_E2E_CAPTURES:-} ]]; then
	if lab_up; then
		# SYN-ACK reflection with ICMP errors quoting TCP and a fragment;
		# IPv6 extension chains, atomic fragments, a frame out of order;
		# untagged/1-tag/2-tag frames, some > 1514 bytes; snaplen-cut frames
		# (bytes_wire != bytes_captured).
		for name in amp.TCP.reflection.SYNACK.pcap ipv6-http-atomic-frag.pcap \
			vlan-collisions.pcap truncated-header.pcap; do
			live_vs_replay "$name" xdp
		done
		live_vs_replay amp.TCP.reflection.SYNACK.pcap tc
	else
		fail "lab setup (live vs replay not run)"
	fi

	# --------------------------------------------- 3. stdin and -o
	# A real pcapng file and the largest capture, read from a pipe.
	for name in vlan-pcp-dei.pcapng denial6-6.pcap; do
		b=${name//[^A-Za-z0-9._-]/_}
		rm -f "$TMP/stdin-$b.ndjson"
		run_replay "stdin-$b" -t 1s "${CATCH_ALL[@]}" -o "$TMP/stdin-$b.ndjson" - <"$PCAPS/$name"
		if replay_ok "$name: replay -o FILE - (standard input)"; then
			check "$name: -o: nothing on standard output" test ! -s "$TMP/stdin-$b.out"
			compare replay-same --label "$name: replay - (stdin, -o) vs replay FILE" \
				--a "$TMP/stdin-$b.ndjson" --b "$TMP/$b.all.wire.out" \
				--a-name stdin --b-name file --per-ts
		fi
	done
fi

echo "--- per capture (replay vs ground truth)"
for line in "${captures[@]}"; do
	name=${line%% *}
	[[ -n ${cap_fail[$name]+x} ]] || continue
	if ((cap_fail[$name] == 0)); then
		echo "      $name: pass"
	else
		echo "      $name: FAIL (${cap_fail[$name]} checks)"
	fi
done
note "run time: $(($(date +%s) - start_s)) s"
e2e_finish
