#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The BGP blackhole hook (tools/bgp-blackhole) against real BGP speakers:
# gobgpd (GoBGP, AS 65001) in namespace G, BIRD 2 (AS 65002) in namespace
# B, eBGP over a veth between them, IPv4 and IPv6 sessions.
# - live: a spoofed SYN flood to 198.18.0.10 and to 2001:db8::10 through
#   the lab's veth raises, in a running xdpscope whose hook is the tool, two
#   alerts per victim (a syn_pps rule, whose victim is the top destination,
#   and a host_pps rule naming it as `target`); BIRD learns 198.18.0.10/32
#   and 2001:db8::10/128 with the community (65535,666) within 2 s of the
#   first hook's start, and loses each only after its last alert's end (the
#   measured figures are printed);
# - by hand: a repeated start or end is harmless, a victim two alerts hold
#   stays until the second ends, an `out` alert and `ongoing` do nothing;
# - bad input (no single host, a prefix, not an address, malformed JSON,
#   not an alert, a bad option, gobgpd not running): a non-zero exit, one
#   line on stderr, and nothing announced (BIRD then learns a sentinel
#   route and nothing else).
source "$(dirname "$0")/lib.sh"
e2e_init
for t in gobgpd gobgp bird birdc; do
	command -v "$t" >/dev/null || { fail "'$t' not found (make deps)"; e2e_finish; }
done
TOOL=$ROOT/tools/bgp-blackhole
NS_G=${RUN_ID}G NS_B=${RUN_ID}B IF_G=${RUN_ID}g IF_B=${RUN_ID}b
EXTRA_NS+=("$NS_G" "$NS_B")
API=unix://$TMP/gobgpd.sock
BIRD_CTL=$TMP/bird.ctl
STATE=$TMP/state
V4=198.18.0.10 V6=2001:db8::10

# ------------------------------------------------------------ README
# Its gobgpd config loads, its alerts config validates, and the tool takes
# the options it shows.
readme_block gobgpd >"$TMP/readme-gobgpd.toml"
check "README gobgpd config: gobgpd --dry-run accepts it" \
	bash -c "timeout 30 gobgpd -d -f '$TMP/readme-gobgpd.toml' >/dev/null 2>&1"
readme_block bgp-hook | sed "s|/usr/local/lib/xdpscope/bgp-blackhole|$TOOL|" >"$TMP/readme-hook.json"
if out=$("$XDPSCOPE" check-config "$TMP/readme-hook.json" 2>&1); then
	pass "README hook config: $out"
else
	fail "README hook config does not validate: $out"
fi
mapfile -t exec_argv < <("$PYTHON" -c 'import json, sys
print("\n".join(json.load(open(sys.argv[1]))["alerts"]["exec"]))' "$TMP/readme-hook.json")
echo '{"type": "alert", "id": "r1", "state": "ongoing", "dir": "in"}' |
	"${exec_argv[@]}" --state-dir "$TMP/readme-state" >"$TMP/readme-hook.out" 2>&1
check_eq "README hook options: the tool takes them" "$? $(cat "$TMP/readme-hook.out")" "0 "
check_eq "README hook: the installed path is where make install puts it" \
	"$(make -s -C "$ROOT" -n install PREFIX=/usr/local DESTDIR=/x | grep -c 'tools/bgp-blackhole /x/usr/local/lib/xdpscope/bgp-blackhole')" 1

# ------------------------------------------------------------ speakers
bgp_lab_up() {
	local ns
	ip netns add "$NS_G" && ip netns add "$NS_B" || return 1
	ip link add "$IF_G" netns "$NS_G" type veth peer name "$IF_B" netns "$NS_B" || return 1
	for ns in "$NS_G:$IF_G:1" "$NS_B:$IF_B:2"; do
		IFS=: read -r n i k <<<"$ns"
		ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
			net.ipv6.conf.default.disable_ipv6=0 || return 1
		ip -n "$n" link set lo up && ip -n "$n" link set "$i" up &&
			ip -n "$n" addr add "198.19.255.$k/30" dev "$i" &&
			ip -n "$n" addr add "2001:db8:ffff:ffff::$k/64" dev "$i" nodad || return 1
	done
}
bgp_lab_up || { fail "namespaces G and B with a veth"; e2e_finish; }

cat >"$TMP/gobgpd.toml" <<EOF
[global.config]
  as = 65001
  router-id = "198.19.255.1"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.19.255.2"
    peer-as = 65002
  [neighbors.timers.config]
    connect-retry = 1
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "2001:db8:ffff:ffff::2"
    peer-as = 65002
  [neighbors.timers.config]
    connect-retry = 1
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
EOF
cat >"$TMP/bird.conf" <<EOF
log "$TMP/bird.log" all;
router id 198.19.255.2;
protocol device { }
protocol bgp gobgp4 {
	local 198.19.255.2 as 65002;
	neighbor 198.19.255.1 as 65001;
	connect delay time 1; connect retry time 1; error wait time 1, 4;
	ipv4 { import all; export none; };
}
protocol bgp gobgp6 {
	local 2001:db8:ffff:ffff::2 as 65002;
	neighbor 2001:db8:ffff:ffff::1 as 65001;
	connect delay time 1; connect retry time 1; error wait time 1, 4;
	ipv6 { import all; export none; };
}
EOF
# nsenter execs the speaker: $! is the speaker itself, for the EXIT trap.
nsenter --net="/run/netns/$NS_G" gobgpd -f "$TMP/gobgpd.toml" --api-hosts "$API" --pprof-disable -p \
	>"$TMP/gobgpd.log" 2>&1 &
DAEMON_PIDS+=($!)
nsenter --net="/run/netns/$NS_B" bird -f -c "$TMP/bird.conf" -s "$BIRD_CTL" >"$TMP/bird.out" 2>&1 &
DAEMON_PIDS+=($!)

birdc_() { birdc -s "$BIRD_CTL" "$@"; }
# Both sessions up (60 s at most: BGP's own timers, not what we test).
if timeout 60 bash -c 'until [[ $(birdc -s "$1" show protocols 2>/dev/null |
	grep -c "Established") == 2 ]]; do sleep 0.2; done' _ "$BIRD_CTL"; then
	pass "eBGP sessions gobgpd (AS 65001) <-> BIRD (AS 65002) established, IPv4 and IPv6"
else
	fail "eBGP sessions not established: $(birdc_ show protocols 2>&1 | tail -n +2 | tr '\n' ' ')"
	note "gobgpd: $(tail -3 "$TMP/gobgpd.log")"
	e2e_finish
fi

# bird_route PREFIX: "blackhole", "plain" (no 65535:666) or "absent".
bird_route() {
	local out
	out=$(birdc_ show route "$1" all 2>/dev/null)
	if ! grep -q "^$1 " <<<"$out"; then
		echo absent
	elif grep -q 'BGP.community:.*(65535,666)' <<<"$out"; then
		echo blackhole
	else
		echo plain
	fi
}
# wait_route PREFIX STATE [SECONDS]: until BIRD has it so (30 s at most).
wait_route() {
	local end=$((SECONDS + ${3:-30}))
	until [[ $(bird_route "$1") == "$2" ]]; do
		((SECONDS < end)) || return 1
		sleep 0.05
	done
}
# wait_community PREFIX COMMUNITY: until BIRD's route has it (30 s at most).
wait_community() {
	local end=$((SECONDS + 30))
	until birdc_ show route "$1" all 2>/dev/null | grep -q "BGP.community:.*$2"; do
		((SECONDS < end)) || return 1
		sleep 0.05
	done
}
# bird_test_routes: every route BIRD holds in the test ranges, sorted.
bird_test_routes() {
	birdc_ show route 2>/dev/null | awk '$1 ~ /^(198\.1[89]\.|2001:db8:)/ { print $1 }' | sort
}
# hook STATE ID DIR FIELDS [OPTIONS...]: run the tool by hand on a record;
# its stderr in $TMP/hook.err, its exit status returned.
hook() {
	local state=$1 id=$2 dir=$3 fields=$4
	shift 4
	printf '{"type": "alert", "id": "%s", "state": "%s", "dir": "%s"%s}\n' \
		"$id" "$state" "$dir" "${fields:+, $fields}" |
		timeout 60 "$TOOL" --api "$API" --state-dir "$STATE" "$@" 2>"$TMP/hook.err"
}

# ------------------------------------------------------------ live alert
lab_up || { fail "lab setup"; e2e_finish; }
specs=()
for ((i = 0; i < 4000; i++)); do
	specs+=("tcp,198.19.$((i / 250)).$((i % 250 + 1)),$V4,sport=$((1024 + i)),dport=80,flags=S"
		"tcp,2001:db8:ffff::$(printf %x $((i + 1))),$V6,sport=$((1024 + i)),dport=80,flags=S")
done
"$PYTHON" "$ROOT/tools/gen-pcap.py" "$TMP/flood.pcap" "${specs[@]}" >/dev/null
cat >"$TMP/hook.sh" <<EOF
#!/bin/sh
# The test's view of the hook: when it started and on what, then the tool.
rec=\$(cat)
printf '%s %s\n' "\$(date +%s.%N)" "\$rec" >>"$TMP/hooks.log"
printf '%s\n' "\$rec" | exec "$TOOL" --api "$API" --state-dir "$STATE"
EOF
chmod +x "$TMP/hook.sh"
cat >"$TMP/live.json" <<JSON
{"ranges": [{"name": "victim4", "prefixes": ["198.18.0.0/24"]},
	    {"name": "victim6", "prefixes": ["2001:db8::/64"]}],
 "rules": [{"name": "syn-flood", "metric": "syn_pps", "above": 300, "clear_s": 1,
	    "and": [{"metric": "uniq_src", "above": 100}]},
	   {"name": "host-flood", "metric": "host_pps", "above": 300, "clear_s": 1}],
 "alerts": {"exec": "$TMP/hook.sh", "ongoing_s": 0, "exec_max": 8}}
JSON
# BIRD's view, polled every 50 ms: a line per change of either prefix.
cat >"$TMP/poll.py" <<'PY'
import os, subprocess, sys, time
ctl, stop, prefixes = sys.argv[1], sys.argv[2], sys.argv[3:]
last = {}
while not os.path.exists(stop):
    for p in prefixes:
        out = subprocess.run(["birdc", "-s", ctl, "show", "route", p, "all"],
                             capture_output=True, text=True).stdout
        t = time.time()
        s = "absent"
        if any(l.startswith(p + " ") for l in out.splitlines()):
            s = "blackhole" if "(65535,666)" in out else "plain"
        if last.get(p) != s:
            print("%.6f %s %s" % (t, p, s), flush=True)
            last[p] = s
    time.sleep(0.05)
PY
: >"$TMP/hooks.log"
"$PYTHON" "$TMP/poll.py" "$BIRD_CTL" "$TMP/poll.stop" "$V4/32" "$V6/128" >"$TMP/poll.log" &
POLL_PID=$!
DAEMON_PIDS+=("$POLL_PID")
if daemon_start live "$NS_R" "$IF_R" -c "$TMP/live.json"; then
	replay "$NS_S" "$IF_S" "$TMP/flood.pcap" 2000 || fail "live: tcpreplay"
	# The ends come clear_s after the flood: wait for both hooks (bounded).
	wait_for_line "$TMP/hooks.log" '"state":"end"' 4 30 || fail "live: no end hooks within 30 s"
	wait_route "$V4/32" absent
	wait_route "$V6/128" absent
	sleep 0.2
	touch "$TMP/poll.stop"
	wait "$POLL_PID"
	daemon_stop "$DPID"
	"$PYTHON" - "$DOUT" "$TMP/hooks.log" "$TMP/poll.log" "$V4/32" "$V6/128" <<'PY' | tee "$TMP/live.log"
import datetime, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
hooks = []
for l in open(sys.argv[2]):
    t, rec = l.split(" ", 1)
    hooks.append((float(t), json.loads(rec)))
changes = [l.split() for l in open(sys.argv[3])]
def ts(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
def res(ok, label):
    print(("PASS" if ok else "FAIL") + ": live: " + label)
starts = [r for r in recs if r["type"] == "alert" and r["state"] == "start"]
res(sorted((a["range"], a["rule"]) for a in starts) == [
    ("victim4", "host-flood"), ("victim4", "syn-flood"),
    ("victim6", "host-flood"), ("victim6", "syn-flood")],
    "two alerts per victim range, syn-flood and host-flood (got %s)"
    % sorted((a["range"], a["rule"]) for a in starts))
for prefix, rng in zip(sys.argv[4:], ("victim4", "victim6")):
    ids = {a["id"]: a for a in starts if a["range"] == rng}
    h0 = [(t, r["id"]) for t, r in hooks if r["id"] in ids and r["state"] == "start"]
    h1 = [t for t, r in hooks if r["id"] in ids and r["state"] == "end"]
    res(len(ids) == len(h0) == len(h1) > 0,
        "%s: the hook ran for every start and end (%d alerts, %d starts, %d ends)"
        % (rng, len(ids), len(h0), len(h1)))
    if not h0 or len(h1) != len(ids):
        continue
    first, last_end = min(h0), max(h1)
    ch = [(float(t), s) for t, p, s in changes if p == prefix]
    seen = next((t for t, s in ch if s == "blackhole" and t >= first[0]), None)
    gone = next((t for t, s in ch if s == "absent" and seen and t > seen), None)
    res(all(s != "plain" for _, s in ch), "%s: BIRD never held %s without (65535,666)"
        % (rng, prefix))
    if seen is None:
        res(False, "%s: BIRD learned %s with (65535,666) (changes: %s)" % (rng, prefix, ch))
        continue
    late = seen - first[0]
    print("      %s: announce: %.3f s from the first hook's start to BIRD holding %s with "
          "(65535,666) (%.3f s from the alert record's ts)"
          % (rng, late, prefix, seen - ts(ids[first[1]]["ts"])))
    res(late <= 2.0, "%s: BIRD learned %s with (65535,666) within 2 s of the hook's start "
        "(%.3f s)" % (rng, prefix, late))
    if gone is None or gone < last_end:
        res(False, "%s: BIRD held %s until the last of its alerts ended, then lost it "
            "(last end hook %.3f, changes: %s)" % (rng, prefix, last_end, ch))
        continue
    print("      %s: withdraw: %.3f s from the last end hook's start to BIRD without %s"
          % (rng, gone - last_end, prefix))
    res(True, "%s: BIRD held %s until the last of its alerts ended, then lost it"
        % (rng, prefix))
PY
	count_results "$TMP/live.log"
	check "live: the tool took the syn-flood alerts' victim from top_dst" \
		test "$(grep -c 'bgp-blackhole: alert .* start: announced .* (from top_dst, [0-9]*% of the packets) community 65535:666' "$DERR")" = 2
	check "live: the tool took the host-flood alerts' victim from target" \
		test "$(grep -c 'bgp-blackhole: alert .* start: announced .* (from target) community 65535:666' "$DERR")" = 2
	check "live: the second end of each victim withdrew it, the first kept it" \
		test "$(grep -c 'end: withdrew' "$DERR") $(grep -c 'stays, alert .* still holds it' "$DERR")" = "2 2"
	check "live: no hook failed" bash -c "! grep -q 'alert hook' '$DERR'"
else
	fail "live: daemon did not start"
	kill "$POLL_PID" 2>/dev/null
fi
check_eq "live: nothing left in BIRD" "$(bird_test_routes | tr '\n' ' ')" ""

# ------------------------------------------------------------ by hand
gobgp_has() { gobgp --target "$API" global rib -a "$1" 2>/dev/null | grep -c "^\*> $2 "; }

hook start h1 in "\"victim\": \"$V4\""
check_eq "start: exit 0" $? 0
hook start h1 in "\"victim\": \"$V4\""
check_eq "the same start again: exit 0" $? 0
check "BIRD learns $V4/32 with (65535,666)" wait_route "$V4/32" blackhole
check_eq "gobgpd holds one path for $V4/32 after two starts" "$(gobgp_has ipv4 "$V4/32")" 1
hook start h2 in "\"target\": \"$V4/32\"" --community 65535:65281
check_eq "a second alert on the same victim: exit 0" $? 0
check "... with --community 65535:65281 too" wait_community "$V4/32" '(65535,65281)'
hook end h1 in ""
check_eq "end of the first alert: exit 0" $? 0
check "... the victim stays: the second alert holds it" grep -q 'stays, alert h2 still holds it' "$TMP/hook.err"
check_eq "... gobgpd still announces $V4/32" "$(gobgp_has ipv4 "$V4/32")" 1
hook end h1 in ""
check_eq "the same end again: exit 0" $? 0
hook end h2 in ""
check_eq "end of the second alert: exit 0" $? 0
check "... BIRD loses $V4/32" wait_route "$V4/32" absent
hook end h2 in ""
check_eq "the same end again after the withdrawal: exit 0" $? 0
check_eq "... nothing said but that" "$(cat "$TMP/hook.err")" \
	"bgp-blackhole: alert h2 end: nothing announced for it, nothing withdrawn"

hook start h6 in "\"top_dst\": [{\"addr\": \"$V6\", \"pkts\": 90}, {\"addr\": \"2001:db8::11\", \"pkts\": 10}], \"pkts\": 100" \
	--next-hop 2001:db8:ffff:ffff::1
check_eq "start from top_dst (90% of the packets), IPv6: exit 0" $? 0
check "BIRD learns $V6/128 with (65535,666)" wait_route "$V6/128" blackhole
hook end h6 in ""
check "... and loses it at the end" wait_route "$V6/128" absent

hook start o1 out "\"top_src\": [{\"addr\": \"$V4\", \"pkts\": 9}], \"target\": \"$V4\""
check_eq "an out alert: exit 0, nothing done" "$? $(gobgp_has ipv4 "$V4/32")" "0 0"
hook ongoing g1 in "\"victim\": \"$V4\""
check_eq "ongoing: exit 0, nothing done" "$? $(gobgp_has ipv4 "$V4/32") $(wc -c <"$TMP/hook.err")" "0 0 0"

# After a crash no end comes: --flush withdraws what the state holds.
hook start f1 in "\"victim\": \"$V4\"" && hook start f2 in "\"victim\": \"$V6\""
victims() { wait_route "$V4/32" "$1" && wait_route "$V6/128" "$1"; }
check "crash: two victims announced" victims blackhole
timeout 60 "$TOOL" --api "$API" --state-dir "$STATE" --flush 2>"$TMP/hook.err"
check_eq "--flush: exit 0" $? 0
check "--flush: BIRD loses both" victims absent
check_eq "--flush: the state holds no alert" "$(tr -d ' \n' <"$STATE/state.json")" '{"alerts":{}}'
hook end f1 in ""
check_eq "--flush: the end that comes later finds nothing" "$? $(cat "$TMP/hook.err")" \
	"0 bgp-blackhole: alert f1 end: nothing announced for it, nothing withdrawn"

# ------------------------------------------------------------ bad input
# bad LABEL WANT_STATUS STATE FIELDS [OPTIONS...]: exit WANT_STATUS, one
# line on stderr naming the problem.
bad() {
	local label=$1 want=$2 rc lines
	shift 2
	hook "$1" "bad$n_pass" in "$2" "${@:3}"
	rc=$?
	lines=$(wc -l <"$TMP/hook.err")
	if [[ $rc == "$want" && $lines == 1 ]] && grep -q '^bgp-blackhole: ' "$TMP/hook.err"; then
		pass "bad input: $label: exit $rc: $(cat "$TMP/hook.err")"
	else
		fail "bad input: $label: exit $rc (expected $want), $lines stderr lines: $(cat "$TMP/hook.err")"
	fi
}
bad "no single host (top_dst 50/50)" 2 start \
	"\"top_dst\": [{\"addr\": \"$V4\", \"pkts\": 5}, {\"addr\": \"198.18.0.11\", \"pkts\": 5}], \"pkts\": 10"
bad "no host at all" 2 start '"range": "victim4"'
bad "a non-host IPv4 prefix" 2 start '"victim": "198.18.0.0/24"'
bad "a non-host IPv6 prefix" 2 start '"target": "2001:db8::/64"'
bad "not an address" 2 start '"victim": "edge1"'
bad "a multicast address" 2 start '"victim": "224.0.0.1"'
bad "the unspecified address" 2 start '"victim": "::"'
bad "outside --only" 2 start "\"victim\": \"$V4\"" --only 2001:db8::/32
bad "a bad --community" 2 start "\"victim\": \"$V4\"" --community 65536:666
bad "a --next-hop of the wrong kind" 2 start "\"victim\": \"$V4\"" --next-hop 198.18.0.0/24
bad "no state" 2 "" "\"victim\": \"$V4\""
printf '{"type": "alert", "id": "m1", "state": "start", "victim": "%s"' "$V4" |
	"$TOOL" --api "$API" --state-dir "$STATE" 2>"$TMP/hook.err"
rc=$?
check "bad input: malformed JSON: exit 2, one line: $(cat "$TMP/hook.err")" \
	test "$rc $(wc -l <"$TMP/hook.err")" = "2 1"
echo '{"type": "range", "range": "victim4"}' | "$TOOL" --api "$API" --state-dir "$STATE" \
	2>"$TMP/hook.err"
rc=$?
check "bad input: not an alert: exit 2, one line: $(cat "$TMP/hook.err")" \
	test "$rc $(wc -l <"$TMP/hook.err")" = "2 1"
# gobgpd not running: a socket nobody listens on; bounded by --timeout.
API=unix://$TMP/nobody.sock bad "gobgpd not running" 1 start "\"victim\": \"$V4\"" --timeout 2
check "... and the alert is not recorded as announced" \
	bash -c "! grep -q '\"bad' '$STATE/state.json'"
# Nothing of that was announced: a sentinel route arrives after anything
# sent before it (one session a family, in order) and is then alone.
hook start s4 in '"victim": "198.18.0.99"' && hook start s6 in '"victim": "2001:db8::99"'
sentinels() { wait_route 198.18.0.99/32 "$1" && wait_route 2001:db8::99/128 "$1"; }
check "sentinels learned" sentinels blackhole
check_eq "bad input announced nothing: BIRD holds only the sentinels" \
	"$(bird_test_routes | tr '\n' ' ')" "198.18.0.99/32 2001:db8::99/128 "
hook end s4 in "" && hook end s6 in ""
check "sentinels withdrawn" sentinels absent
check_eq "the state holds no alert" "$(tr -d ' \n' <"$STATE/state.json")" '{"alerts":{}}'
e2e_finish
