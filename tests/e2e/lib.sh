# SPDX-License-Identifier: GPL-2.0
# Shared by tests/e2e/test_*.sh (sourced, not run). A test:
#
#   source "$(dirname "$0")/lib.sh"
#   e2e_init            # root + tools check, per-run names, temp dir, traps
#   lab_up              # netns S and R joined by a veth pair
#   ... pass/fail/check ...
#   e2e_finish          # summary line, exit status
#
# Network rules (DESIGN.md "Test addresses"): packets go only through the
# veth pair created here, between two network namespaces named with a
# per-run random prefix; addresses are only from 198.18.0.0/15 and
# 2001:db8::/32 (captures are rewritten first, see prepare_capture); IPv6 is
# off on the links so the kernel adds no ND/MLD packets; everything is
# removed by the EXIT trap, also when a test fails halfway or is
# interrupted. Every wait has a timeout, every replay a bounded rate.
#
# Environment: XDPSCOPE (binary, default build/xdpscope), XS_PCAPS (capture
# folder with ground-truth.json, default ../shared/pcaps beside the repo), XS_E2E_PPS
# (replay rate, default 20000 packets/s), XS_E2E_KEEP=1 keeps the temp dir.

set -u

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$E2E_DIR/../.." && pwd)
XDPSCOPE=${XDPSCOPE:-$ROOT/build/xdpscope}
PCAPS=${XS_PCAPS:-$(cd "$ROOT/.." && pwd)/shared/pcaps}
GT=$PCAPS/ground-truth.json
COMPARE=$E2E_DIR/compare.py
SCRUB=$ROOT/tools/pcap-scrub.py
PPS=${XS_E2E_PPS:-20000}
PIN_ROOT=/sys/fs/bpf/xdpscope
PYTHON=${PYTHON:-python3}
# Same dissection settings as the ground truth (make-ground-truth.sh).
TSHARK=(tshark -n -o ip.defragment:FALSE -o ipv6.defragment:FALSE
	-o tcp.desegment_tcp_streams:FALSE -o tcp.analyze_sequence_numbers:FALSE
	-o udp.process_info:FALSE)

n_pass=0
n_fail=0
DAEMON_PIDS=()
EXTRA_IFS=()	# "NS:IFACE" of further links a test made: cleaned up like the lab's
EXTRA_NS=()	# further namespaces a test made (per-run names): deleted at exit
TMP=
NS_S= NS_R= IF_S= IF_R=

pass() { echo "PASS: $*"; n_pass=$((n_pass + 1)); }
# readme_block NAME: the README's lines between <!-- NAME:begin --> and
# <!-- NAME:end -->, without the markers and the code fences.
readme_block() {
	sed -n "/<!-- $1:begin -->/,/<!-- $1:end -->/p" "$ROOT/README.md" | grep -v -e '^<!--' -e '^```'
}
fail() { echo "FAIL: $*"; n_fail=$((n_fail + 1)); }
note() { echo "      $*"; }

# check LABEL COMMAND...: PASS if the command succeeds.
check() {
	local label=$1
	shift
	if "$@"; then pass "$label"; else fail "$label"; fi
}

# check_eq LABEL GOT WANT
check_eq() {
	if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1: got '$2', expected '$3'"; fi
}

# Run compare.py; its PASS/FAIL lines count as ours.
compare() {
	local out rc
	out=$("$PYTHON" "$COMPARE" "$@" 2>&1)
	rc=$?
	[[ -n $out ]] && echo "$out"
	n_pass=$((n_pass + $(grep -c '^PASS' <<<"$out")))
	n_fail=$((n_fail + $(grep -c '^FAIL' <<<"$out")))
	if ((rc != 0)) && ! grep -q '^FAIL' <<<"$out"; then
		fail "compare.py $1 exited $rc"
	fi
	return $rc
}

e2e_finish() {
	echo "$(basename "$0"): $n_pass passed, $n_fail failed"
	((n_fail == 0)) && exit 0
	exit 1
}

# ---------------------------------------------------------------- setup

e2e_init() {
	local t
	if ((EUID != 0)); then
		echo "SKIP: $(basename "$0") needs root (network namespaces, XDP)"
		exit 0
	fi
	for t in ip nsenter timeout tcpreplay tcprewrite tshark capinfos editcap bpftool \
		"$PYTHON"; do
		if ! command -v "$t" >/dev/null; then
			echo "FAIL: '$t' not found (make deps)"
			exit 1
		fi
	done
	if [[ ! -x $XDPSCOPE ]]; then
		echo "FAIL: $XDPSCOPE not built (make)"
		exit 1
	fi
	# A per-run prefix: "xs" + 6 hex digits; interface names stay under 16 bytes.
	while :; do
		RUN_ID=$(printf 'xs%04x%02x' $RANDOM $((RANDOM % 256)))
		[[ -e /run/netns/${RUN_ID}S || -e /run/netns/${RUN_ID}R ]] || break
	done
	NS_S=${RUN_ID}S NS_R=${RUN_ID}R IF_S=${RUN_ID}s IF_R=${RUN_ID}r
	TMP=$(mktemp -d "/tmp/xs-e2e-$RUN_ID.XXXXXX")
	export WIRESHARK_CONFIG_DIR=$TMP/wireshark-config
	mkdir "$WIRESHARK_CONFIG_DIR"
	trap e2e_cleanup EXIT
	trap 'echo "FAIL: interrupted"; exit 130' INT
	trap 'echo "FAIL: terminated"; exit 143' TERM
	trap 'echo "FAIL: hangup"; exit 129' HUP
	trap 'exit 141' PIPE	# stdout gone (| head): clean up all the same
}

# Runs on every exit path: daemons, programs, pins, namespaces, temp dir.
e2e_cleanup() {
	local rc=$? pid ns ifn
	trap - EXIT INT TERM
	# With stdout gone (| head), a write here must fail, not end the
	# clean-up halfway and leave the namespaces behind.
	trap '' PIPE
	for pid in "${DAEMON_PIDS[@]}"; do
		kill -0 "$pid" 2>/dev/null || continue
		kill -TERM "$pid" 2>/dev/null
		timeout 5 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null
	done
	for ns in "$NS_S:$IF_S" "$NS_R:$IF_R" "${EXTRA_IFS[@]}"; do
		ifn=${ns#*:}
		ns=${ns%%:*}
		[[ -n $ns && -e /run/netns/$ns ]] || continue
		# What a crashed daemon may have left: our XDP program, TC filter, pins.
		nsenter --net="/run/netns/$ns" "$XDPSCOPE" detach -i "$ifn" >/dev/null 2>&1
	done
	for ns in "$NS_S:$IF_S" "$NS_R:$IF_R" "${EXTRA_IFS[@]}"; do
		ifn=${ns#*:}
		[[ -n $ifn ]] || continue
		rm -rf "${PIN_ROOT:?}/$ifn" "${PIN_ROOT:?}/$ifn"@netns*
	done
	rmdir "$PIN_ROOT" 2>/dev/null
	for ns in "$NS_S" "$NS_R" "${EXTRA_NS[@]}"; do
		[[ -n $ns && -e /run/netns/$ns ]] && ip netns del "$ns"
	done
	if [[ -n $TMP && -d $TMP ]]; then
		if [[ ${XS_E2E_KEEP:-0} == 1 ]]; then
			echo "      kept $TMP"
		else
			rm -rf "$TMP"
		fi
	fi
	exit "$rc"
}

# netns S and R, a veth pair S:$IF_S <-> R:$IF_R, MTU 9000 (captures hold
# frames up to 6197 bytes), IPv6 off before the links come up, no
# addresses (lab_addr adds one where a test needs it).
lab_up() {
	local ns
	ip netns add "$NS_S" || return 1
	ip netns add "$NS_R" || return 1
	for ns in "$NS_S" "$NS_R"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
	done
	ip link add "$IF_S" netns "$NS_S" mtu 9000 type veth \
		peer name "$IF_R" netns "$NS_R" mtu 9000 || return 1
	ip -n "$NS_S" link set "$IF_S" up || return 1
	ip -n "$NS_R" link set "$IF_R" up || return 1
	for ns in "$NS_S:$IF_S" "$NS_R:$IF_R"; do
		if [[ $(ip netns exec "${ns%%:*}" sysctl -n "net.ipv6.conf.${ns#*:}.disable_ipv6") != 1 ]]; then
			echo "FAIL: IPv6 still on on ${ns#*:}"
			return 1
		fi
	done
	# Carrier up on both ends: wait (bounded) for the peer to report it.
	timeout 5 bash -c "until ip -n $NS_R link show $IF_R | grep -q 'state UP'; do sleep 0.05; done" ||
		return 1
	PIN_S=$(pin_dir "$NS_S" "$IF_S")
	PIN_R=$(pin_dir "$NS_R" "$IF_R")
}

# lab_addr: the links at MTU 1500 (native XDP on veth), 198.18.0.1/24 on
# S and 198.18.0.2/24 on R, for tests that send through the stacks.
lab_addr() {
	ip -n "$NS_S" link set "$IF_S" mtu 1500 && ip -n "$NS_R" link set "$IF_R" mtu 1500 &&
		ip -n "$NS_S" addr add 198.18.0.1/24 dev "$IF_S" &&
		ip -n "$NS_R" addr add 198.18.0.2/24 dev "$IF_R"
}

# lab_neigh: static neighbours both ways: no ARP in the counts, none lost
# to a full queue.
lab_neigh() {
	local mac_s mac_r
	mac_s=$(ip -n "$NS_S" -br link show "$IF_S" | awk '{print $3}')
	mac_r=$(ip -n "$NS_R" -br link show "$IF_R" | awk '{print $3}')
	ip -n "$NS_S" neigh replace 198.18.0.2 lladdr "$mac_r" dev "$IF_S" nud permanent &&
		ip -n "$NS_R" neigh replace 198.18.0.1 lladdr "$mac_s" dev "$IF_R" nud permanent
}

# pin_dir NS IFACE: where a daemon in NS pins IFACE's maps: outside the
# initial network namespace the directory carries the namespace's cookie
# (user/loader.c, loader_pin_dir).
pin_dir() {
	local cookie
	cookie=$(nsenter --net="/run/netns/$1" "$PYTHON" -c '
import socket, struct
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
print(struct.unpack("Q", s.getsockopt(socket.SOL_SOCKET, 71, 8))[0])')
	if ((cookie > 1)); then echo "$PIN_ROOT/$2@netns$cookie"; else echo "$PIN_ROOT/$2"; fi
}

# in_ns NS CMD...: run in NS's network namespace, keeping the root mount
# namespace (pins under /sys/fs/bpf stay visible; `ip netns exec` would
# remount /sys).
in_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

# ---------------------------------------------------------------- daemon

# proc_start NAME NS READY WHAT CMD...: CMD in NS (exec'd by nsenter, so
# the PID is CMD's own: a subshell would ignore SIGINT); stdout in
# $TMP/NAME.out, stderr in $TMP/NAME.err. Waits (10 s at most) for READY
# (a grep pattern) on its stderr. Sets PROC_PID, PROC_OUT, PROC_ERR.
# Returns 1, with its stderr, if it was not ready.
proc_start() {
	local name=$1 ns=$2 ready=$3 what=$4 i
	shift 4
	PROC_OUT=$TMP/$name.out
	PROC_ERR=$TMP/$name.err
	nsenter --net="/run/netns/$ns" "$@" >"$PROC_OUT" 2>"$PROC_ERR" &
	PROC_PID=$!
	DAEMON_PIDS+=("$PROC_PID")
	for ((i = 0; i < 200; i++)); do
		grep -q -- "$ready" "$PROC_ERR" 2>/dev/null && return 0
		kill -0 "$PROC_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "      $what $name did not start; its stderr:"
	sed 's/^/        /' "$PROC_ERR"
	return 1
}

# daemon_start NAME NS IFACE [RUN ARGS...]: `xdpscope run -i IFACE` in NS
# (proc_start); records in $DOUT, stderr in $DERR, once it said
# "attached". Sets DPID.
daemon_start() {
	local name=$1 ns=$2 ifn=$3 r
	shift 3
	proc_start "$name" "$ns" ': attached' daemon "$XDPSCOPE" run -i "$ifn" "$@"
	r=$?
	DOUT=$PROC_OUT DERR=$PROC_ERR DPID=$PROC_PID
	return $r
}

# daemon_stop PID [SIGNAL]: signal it and wait (10 s at most, then
# SIGKILL). Returns its exit status (124 if it had to be killed: then its
# programs and pins are left; lab_detach removes them).
daemon_stop() {
	local pid=$1 sig=${2:-INT} i
	kill -"$sig" "$pid" 2>/dev/null
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 124
	fi
	wait "$pid" 2>/dev/null
}

# lab_detach NS IFACE: remove whatever xdpscope left on IFACE.
lab_detach() {
	in_ns "$1" "$XDPSCOPE" detach -i "$2" >/dev/null 2>&1
}

# ---------------------------------------------------------------- links

# link_stats NS IFACE: "rx_packets rx_dropped rx_errors tx_packets tx_dropped tx_errors"
link_stats() {
	ip -n "$1" -j -s link show dev "$2" | "$PYTHON" -c '
import json, sys
s = json.load(sys.stdin)[0]["stats64"]
print(s["rx"]["packets"], s["rx"]["dropped"], s["rx"]["errors"],
      s["tx"]["packets"], s["tx"]["dropped"], s["tx"]["errors"])'
}

# link_mark: remember the counters of both ends of the lab's veth, for
# check_link.
link_mark() {
	LINK_S0=$(link_stats "$NS_S" "$IF_S")
	LINK_R0=$(link_stats "$NS_R" "$IF_R")
}

# check_link PREFIX SENT [SUNK]: since link_mark, no drops or errors on
# either end (ip -s link), S sent and R took in exactly SENT frames (and
# R's stack SUNK of them, when given), and nothing came back.
check_link() {
	local p=$1 sent=$2 s0 r0 s1 r1
	read -r -a s0 <<<"$LINK_S0"
	read -r -a r0 <<<"$LINK_R0"
	read -r -a s1 <<<"$(link_stats "$NS_S" "$IF_S")"
	read -r -a r1 <<<"$(link_stats "$NS_R" "$IF_R")"
	check_eq "${p}no drops or errors on the veth (S rx/tx, R rx/tx: dropped errors)" \
		"$((s1[1] - s0[1])) $((s1[2] - s0[2])) $((s1[4] - s0[4])) $((s1[5] - s0[5])) $((r1[1] - r0[1])) $((r1[2] - r0[2])) $((r1[4] - r0[4])) $((r1[5] - r0[5]))" \
		"0 0 0 0 0 0 0 0"
	if (($# > 2)); then
		check_eq "${p}frames through the veth (S tx, R rx, R stack) == sent" \
			"$((s1[3] - s0[3])) $((r1[0] - r0[0])) $3" "$sent $sent $sent"
	else
		check_eq "${p}frames through the veth (S tx, R rx) == sent" \
			"$((s1[3] - s0[3])) $((r1[0] - r0[0]))" "$sent $sent"
	fi
	check_eq "${p}nothing came back (S rx, R tx)" "$((s1[0] - s0[0])) $((r1[3] - r0[3]))" "0 0"
}

# sink_start NS IFACE: a packet socket counting what IFACE's stack
# receives (tests/e2e/sink.py says why). Sets SPID; waits (5 s at most) for
# it to be bound.
sink_start() {
	local i
	SINK_OUT=$TMP/sink.$2.out
	nsenter --net="/run/netns/$1" "$PYTHON" "$E2E_DIR/sink.py" "$2" 600 >"$SINK_OUT" 2>&1 &
	SPID=$!
	DAEMON_PIDS+=("$SPID")
	for ((i = 0; i < 100; i++)); do
		grep -q '^ready' "$SINK_OUT" && return 0
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.05
	done
	echo "      packet sink on $2 did not start: $(cat "$SINK_OUT")"
	return 1
}

# sink_stop: stop it; prints the frames it saw.
sink_stop() {
	daemon_stop "$SPID" TERM >/dev/null
	sed -n 's/^packets=\([0-9]*\).*/\1/p' "$SINK_OUT"
}

# xdp_on NS IFACE: true if an XDP program is attached.
xdp_on() {
	ip -n "$1" -d link show dev "$2" | grep -q 'prog/xdp'
}

# tc_egress_filters NS IFACE: the egress filters, empty if none (or no clsact).
tc_egress_filters() {
	in_ns "$1" tc filter show dev "$2" egress 2>/dev/null
}

# ---------------------------------------------------------------- captures

# capture_lengths FILE [FILTER]: "cap_len frame.len" a frame, in order.
capture_lengths() {
	"${TSHARK[@]}" -r "$1" ${2:+-Y "$2"} -T fields -e frame.cap_len -e frame.len 2>/dev/null
}

# prepare_capture SRC: rewrite a capture for the link into $TMP/prep/.
# Sets PREP_FILE, PREP_DROPPED_FRAMES, PREP_DROPPED_BYTES. Returns 1 (after
# a FAIL line) if any address outside the test ranges remains or a frame's
# length changed.
#  1. tcprewrite maps the outermost IPv4/IPv6 addresses (source ->
#     198.19.0.0/16 or 2001:db8:ffff::/48, destination -> 198.18.0.0/16 or
#     2001:db8::/48) and fixes their checksums. It gives up on some files
#     (a frame of 0 bytes, a header it cannot checksum): then the original
#     goes to step 2, which maps those addresses itself.
#  2. tools/pcap-scrub.py maps what tcprewrite does not reach (ICMP-quoted
#     headers, tunnel payloads, IP behind PPPoE/MPLS/802.1ad, ARP) at the
#     byte offsets tshark reports, keeps checksums right, and leaves out the
#     frames shorter than an Ethernet header (tcpreplay cannot send them).
#  3. Verified with tshark: no ip/ipv6/arp address outside 198.18.0.0/15 and
#     2001:db8::/32 in any layer, and every frame's cap_len and frame.len
#     identical to the original's (less the frames left out).
prepare_capture() {
	local src=$1 b dir pcap rw out addrs n
	b=$(basename "$src")
	dir=$TMP/prep
	mkdir -p "$dir"
	pcap=$dir/$b.in.pcap
	rw=$dir/$b.rw.pcap
	out=$dir/$b.replay.pcap
	PREP_FILE=
	# Classic pcap for both tools (pcapng is converted byte for byte).
	if ! editcap -F pcap "$src" "$pcap" >"$dir/$b.editcap.log" 2>&1; then
		fail "$b: editcap -F pcap failed: $(head -c 300 "$dir/$b.editcap.log")"
		return 1
	fi
	if tcprewrite --srcipmap='0.0.0.0/0:198.19.0.0/16,[::/0]:[2001:db8:ffff::/48]' \
		--dstipmap='0.0.0.0/0:198.18.0.0/16,[::/0]:[2001:db8::/48]' --fixcsum \
		-i "$pcap" -o "$rw" >"$dir/$b.tcprewrite.log" 2>&1 &&
		cmp -s <(capture_lengths "$pcap") <(capture_lengths "$rw"); then
		:
	else
		note "$b: tcprewrite failed or changed lengths ($(grep -m1 -i 'error' \
			"$dir/$b.tcprewrite.log" | head -c 160)); pcap-scrub maps every address"
		rw=$pcap
	fi
	if ! n=$("$PYTHON" "$SCRUB" --drop-under 14 "$rw" "$out" 2>"$dir/$b.scrub.log"); then
		fail "$b: pcap-scrub failed: $(cat "$dir/$b.scrub.log")"
		return 1
	fi
	note "$(cat "$dir/$b.scrub.log")"
	PREP_DROPPED_FRAMES=$(sed -n 's/.*dropped_frames=\([0-9]*\).*/\1/p' <<<"$n")
	PREP_DROPPED_BYTES=$(sed -n 's/.*dropped_bytes=\([0-9]*\).*/\1/p' <<<"$n")

	if ! cmp -s <(capture_lengths "$src" 'frame.cap_len >= 14') <(capture_lengths "$out"); then
		fail "$b: frame lengths differ after rewriting"
		return 1
	fi
	if [[ $(capinfos -c -M -T -r "$out" | cut -f2) != $(($(capinfos -c -M -T -r "$src" | cut -f2) - PREP_DROPPED_FRAMES)) ]]; then
		fail "$b: capinfos packet count differs after rewriting"
		return 1
	fi
	addrs=$("${TSHARK[@]}" -r "$out" -T fields -E occurrence=a -E separator=' ' \
		-E aggregator=' ' -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
		-e arp.src.proto_ipv4 -e arp.dst.proto_ipv4 2>/dev/null |
		"$PYTHON" -c '
import ipaddress, sys
nets = [ipaddress.ip_network("198.18.0.0/15"), ipaddress.ip_network("2001:db8::/32")]
bad = {a for line in sys.stdin for a in line.split()
       if not any(ipaddress.ip_address(a) in n for n in nets)}
print(" ".join(sorted(bad)[:5]), len(bad))')
	if [[ ${addrs##* } != 0 ]]; then
		fail "$b: addresses outside the test ranges remain after rewriting: $addrs"
		return 1
	fi
	PREP_FILE=$out
	return 0
}

# replay NS IFACE FILE [PPS]: tcpreplay at a bounded rate (time-limited).
# Sets REPLAY_OK, REPLAY_FAILED, REPLAY_BYTES from tcpreplay's report.
replay() {
	local ns=$1 ifn=$2 file=$3 pps=${4:-$PPS} n limit log
	log=$TMP/replay.log
	n=$(capinfos -c -M -T -r "$file" | cut -f2)
	limit=$((n / pps + 20))
	REPLAY_OK=-1 REPLAY_FAILED=-1 REPLAY_BYTES=-1
	timeout "$limit" nsenter --net="/run/netns/$ns" tcpreplay -i "$ifn" --pps="$pps" \
		"$file" >"$log" 2>&1
	REPLAY_RC=$?
	REPLAY_OK=$(sed -n 's/.*Successful packets: *\([0-9]*\).*/\1/p' "$log")
	REPLAY_FAILED=$(sed -n 's/.*Failed packets: *\([0-9]*\).*/\1/p' "$log")
	REPLAY_BYTES=$(sed -n 's/^Actual: [0-9]* packets (\([0-9]*\) bytes).*/\1/p' "$log")
	REPLAY_OK=${REPLAY_OK:--1} REPLAY_FAILED=${REPLAY_FAILED:--1} REPLAY_BYTES=${REPLAY_BYTES:--1}
	if ((REPLAY_RC != 0)); then
		echo "      tcpreplay exited $REPLAY_RC:"
		grep -v '^$' "$log" | tail -5 | sed 's/^/        /'
		return 1
	fi
}

# capture_check NAME MODE: prepare capture NAME, run a daemon, replay it,
# and compare the records with the ground truth (compare.py pcap). MODE:
#   xdp      daemon on R's veth, native XDP (the default mode)
#   generic  daemon on R's veth, --xdp-mode generic
#   tc       daemon on S's veth with --egress --bpf-stats: the TC program
#            counts what leaves S; XDP on S must see nothing
# Ranges: test4 = 198.18.0.0/15, test6 = 2001:db8::/32, which hold every
# rewritten address: each parsed IP packet counts once, as `in`.
capture_check() {
	local name=$1 mode=$2 ns=$NS_R ifn=$IF_R label=$1 rc sunk
	local args=(--interval 250ms --range 198.18.0.0/15=test4 --range 2001:db8::/32=test6)
	local cmp=(--hook xdp --xdp-mode native)
	case $mode in
	xdp) ;;
	generic)
		args+=(--xdp-mode generic)
		cmp=(--hook xdp --xdp-mode generic)
		label+=" (generic XDP)"
		;;
	tc)
		ns=$NS_S ifn=$IF_S
		args+=(--egress --bpf-stats)
		cmp=(--hook tc --xdp-mode native --runs)
		label+=" (TC egress)"
		;;
	esac
	prepare_capture "$PCAPS/$name" || return 1
	if ! daemon_start "$mode-$name" "$ns" "$ifn" "${args[@]}"; then
		fail "$label: daemon attach"
		return 1
	fi
	if [[ $mode == tc ]]; then
		check "$label: egress filter on $ifn while running" \
			test -n "$(tc_egress_filters "$ns" "$ifn")"
	fi
	sink_start "$NS_R" "$IF_R" || fail "$label: packet sink"
	link_mark
	replay "$NS_S" "$IF_S" "$PREP_FILE" || fail "$label: tcpreplay"
	sleep 0.4	# more than one interval: the veth queue is drained
	sunk=$(sink_stop)
	daemon_stop "$DPID" INT
	rc=$?
	check_eq "$label: daemon exits 0 on SIGINT" $rc 0
	((rc == 124)) && lab_detach "$ns" "$ifn"
	check_link "$label: " "$REPLAY_OK" "$sunk"
	compare pcap --gt "$GT" --capture "$name" --records "$DOUT" "${cmp[@]}" \
		--sent-bytes "$REPLAY_BYTES" --replay-ok "$REPLAY_OK" \
		--replay-failed "$REPLAY_FAILED" --dropped-frames "$PREP_DROPPED_FRAMES" \
		--dropped-bytes "$PREP_DROPPED_BYTES"
	check "$label: nothing left on $ifn after exit (XDP, pins, egress filter)" \
		bash -c "! ip -n $ns -d link show dev $ifn | grep -q prog/xdp && [[ ! -e $(pin_dir "$ns" "$ifn") ]] && [[ -z \$(nsenter --net=/run/netns/$ns tc filter show dev $ifn egress) ]]"
}

# ---------------------------------------------------------------- records

# now_s: the wall time, seconds since the epoch with nanoseconds.
now_s() {
	date +%s.%N
}

# count_results FILE: add FILE's PASS and FAIL lines to ours.
count_results() {
	n_pass=$((n_pass + $(grep -c '^PASS' "$1")))
	n_fail=$((n_fail + $(grep -c '^FAIL' "$1")))
}

# check_intervals RECORDS STARTED STOPPED [LABEL]: what a live daemon
# promises about its intervals, with no bound on their lengths
# (tests/e2e/intervals.py): interval_s is the measured length, the
# intervals cover the run from STARTED (just before the daemon started) to
# STOPPED (just before SIGINT) without a gap, rates divide by interval_s.
check_intervals() {
	local log=$TMP/intervals.log
	"$PYTHON" "$E2E_DIR/intervals.py" "$@" >"$log" 2>&1 ||
		echo "FAIL: intervals.py $1: $(tail -1 "$log")" >>"$log"
	cat "$log"
	count_results "$log"
}

# wait_for_line FILE PATTERN N [SECONDS]: wait (20 s at most unless told)
# until FILE has N lines matching PATTERN (grep -E). Returns 1 on timeout.
wait_for_line() {
	timeout "${4:-20}" bash -c 'until (($(grep -cE -- "$2" "$1" 2>/dev/null) >= $3)); do
		sleep 0.05; done' _ "$1" "$2" "$3"
}

# ranges_10000 FILE: the 10,000 ranges of the live bench and the memory
# test, as a prefix list: 512 IPv4 /24s over 198.18.0.0/15, then IPv6
# /48s of 2001:db8::/32 (2001:db8:ffff::/48 first).
ranges_10000() {
	"$PYTHON" - "$1" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    n = 0
    for a in (18, 19):
        for b in range(256):
            f.write(f"198.{a}.{b}.0/24 v4-{a}-{b}\n")
            n += 1
    f.write("2001:db8:ffff::/48 v6-ffff\n")
    n += 1
    k = 0
    while n < 10000:
        f.write(f"2001:db8:{k:x}::/48 v6-{k}\n")
        k += 1
        n += 1
PY
}

# ------------------------------------------------ mitigation (R = 198.18.0.2)

# UDP datagrams that reached R's stack so far.
udp_in() {
	in_ns "$NS_R" awk '/^Udp:/ { if (h) { print $2 + $3 + $4; exit } h = 1 }' /proc/net/snmp
}

# tcp_server: a TCP server on R at 198.18.0.2:5001 that reads until EOF
# and prints the bytes it got into $TMP/server.out; its pid in TCP_SERVER.
# Fails when it does not listen within 10 s.
tcp_server() {
	# nsenter execs it: $! is the server (in_ns, a function, would be a subshell)
	nsenter --net="/run/netns/$NS_R" timeout 60 "$PYTHON" -c '
import socket
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("198.18.0.2", 5001)); ls.listen(1); ls.settimeout(30)
print("listening", flush=True)
c, _ = ls.accept(); c.settimeout(30); n = 0
while True:
    b = c.recv(1 << 16)
    if not b: break
    n += len(b)
c.close(); print(n, flush=True)' >"$TMP/server.out" 2>&1 &
	TCP_SERVER=$!
	DAEMON_PIDS+=("$TCP_SERVER")
	timeout 10 bash -c "until grep -q listening '$TMP/server.out'; do sleep 0.05; done"
}

# tcp_transfer BYTES: a TCP connection S -> R:5001 carrying BYTES, paced;
# prints what the server received.
tcp_transfer() {
	tcp_server
	in_ns "$NS_S" timeout 60 "$PYTHON" -c '
import socket, sys, time
n = int(sys.argv[1]); s = socket.create_connection(("198.18.0.2", 5001), timeout=30)
chunk = b"y" * 4096; sent = 0
while sent < n:
    sent += s.send(chunk[: min(len(chunk), n - sent)])
    time.sleep(0.0005)
s.close()' "$1" >/dev/null 2>&1
	wait "$TCP_SERVER"
	tail -n1 "$TMP/server.out"
}

# ------------------------------------------------ ClickHouse servers

# ch_conf NAME HTTP TCP SHARD_TCP...: a clickhouse-server config in
# $TMP/NAME: the ports, users default and writer (password s3cret), and a
# cluster "fleet" of one shard a TCP port on 127.0.0.1.
ch_conf() {
	local d=$TMP/$1 shards="" p
	for p in "${@:4}"; do
		shards+="    <shard><replica><host>127.0.0.1</host><port>$p</port></replica></shard>
"
	done
	mkdir -p "$d/data" "$d/tmp" "$d/log"
	cat >"$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$d/log/server.log</log><errorlog>$d/log/err.log</errorlog><size>10M</size><count>1</count></logger>
  <http_port>$2</http_port>
  <tcp_port>$3</tcp_port>
  <listen_host>0.0.0.0</listen_host>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <users_config>$d/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>5368709</mark_cache_size>
  <timezone>UTC</timezone>
  <remote_servers><fleet>
$shards  </fleet></remote_servers>
</yandex>
XML
	cat >"$d/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users>
    <default><password></password><networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></default>
    <writer><password>s3cret</password><networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></writer>
  </users>
  <quotas><default></default></quotas>
</yandex>
XML
}
# ch_up NAME HTTP: start it in $NS_D (the store namespace); sets CH_PID_NAME
ch_up() {
	# nsenter execs it: $! is the server (a function would be a subshell)
	nsenter --net="/run/netns/$NS_D" clickhouse-server --config-file="$TMP/$1/config.xml" \
		>"$TMP/$1/out" 2>&1 &
	eval "CH_PID_$1=$!"
	DAEMON_PIDS+=("$!")
	in_ns "$NS_D" timeout 30 bash -c "until curl -sf http://127.0.0.1:$2/ping >/dev/null; do sleep 0.1; done" ||
		{ fail "clickhouse-server $1 did not come up: $(tail -3 "$TMP/$1/log/err.log" 2>/dev/null)"; return 1; }
}
