#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# SIGHUP with new ranges (issue 6), under traffic: range a is kept, b is
# removed, c is new. The programs and maps are replaced without a detach;
# a's counters go on without a gap or a jump (every packet sent to a is in
# a's records exactly once), b's records stop, c's start from zero (its
# packets before the reload are in the unmatched counters), and over the
# whole run every packet is in exactly one record. The pins follow the new
# maps, and the daemon stops cleanly afterwards. A removed range gets a
# last record at the reload with what it counted since the last report.
source "$(dirname "$0")/lib.sh"
e2e_init
lab_up || { fail "lab setup"; e2e_finish; }

specs=()
for ((i = 0; i < 1500; i++)); do
	specs+=("udp,198.19.0.$((i % 50 + 1)),198.18.0.10,sport=$((2000 + i % 100)),dport=53"
		"udp,198.19.1.$((i % 50 + 1)),198.18.1.10,sport=3000,dport=53"
		"tcp,198.19.2.$((i % 50 + 1)),198.18.2.10,sport=4000,dport=80,flags=S")
done
"$PYTHON" "$ROOT/tools/gen-pcap.py" "$TMP/mix.pcap" "${specs[@]}" >/dev/null
mk() { # mk RANGES_JSON
	printf '{"ranges": %s, "interval_ms": 500,\n "rules": [{"name": "spike", "metric": "pps", "ranges": ["a"],\n "baseline": {"window_s": 30, "factor": 50, "warmup_s": 1}}]}\n' "$1"
}
mk '[{"name": "a", "prefixes": ["198.18.0.0/24"]}, {"name": "b", "prefixes": ["198.18.1.0/24"]}]' \
	>"$TMP/r.json"
if daemon_start rl "$NS_R" "$IF_R" -c "$TMP/r.json"; then
	id0=$(ip -n "$NS_R" -d link show "$IF_R" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
	before=($(link_stats "$NS_R" "$IF_R"))
	replay "$NS_S" "$IF_S" "$TMP/mix.pcap" 600 &
	rp=$!
	sleep 3
	mk '[{"name": "c", "prefixes": ["198.18.2.0/24"]}, {"name": "a", "prefixes": ["198.18.0.0/24"]}]' \
		>"$TMP/r.json"
	kill -HUP "$DPID"
	wait "$rp"
	sleep 1
	after=($(link_stats "$NS_R" "$IF_R"))
	check_eq "veth dropped nothing" "$((after[1] - before[1]))" 0
	check "SIGHUP: the new ranges took over, programs and maps replaced" \
		grep -q 'SIGHUP: config reloaded, 2 ranges, 1 rules, programs and maps replaced' "$DERR"
	id1=$(ip -n "$NS_R" -d link show "$IF_R" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
	check "a new XDP program is attached ($id0 -> $id1)" test -n "$id1" -a "$id1" != "$id0"
	check "the pins are the new maps'" \
		bpftool map show pinned "$PIN_R/range_ctrs" -j
	slots=$(bpftool map show pinned "$PIN_R/range_ctrs" -j | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["max_entries"])')
	check_eq "... sized for the new ranges (2 ranges + unmatched, 2 directions)" "$slots" 6
	daemon_stop "$DPID"
	check_eq "the daemon stopped cleanly" "$?" 0
	check "nothing left attached" bash -c "! ip -n $NS_R -d link show $IF_R | grep -q prog/xdp"
	"$PYTHON" - "$DOUT" "$DERR" <<'PY' | tee "$TMP/rl.log"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
def res(ok, label):
    print(("PASS" if ok else "FAIL") + ": " + label)
rng = [r for r in recs if r["type"] == "range"]
summ = [r for r in recs if r["type"] == "summary"]
tot = lambda name: sum(r["pkts"] for r in rng if r["range"] == name and r["dir"] == "in")
a, b, c = tot("a"), tot("b"), tot("c")
unm = sum(s["unmatched"]["pkts"] for s in summ)
allp = sum(s["pkts"] for s in summ)
res(a == 1500, "a kept: every packet sent to it counted once across the reload (%d of 1500)" % a)
res(0 < b < 1500, "b removed: its records stop at the reload (%d of 1500 before)" % b)
res(0 < c < 1500 and unm == (1500 - c) + (1500 - b),
    "c new: from zero; unmatched: c's packets before the reload and b's after (%d == %d + %d)"
    % (unm, 1500 - c, 1500 - b))
res(allp == 4500 and a + b + c + unm == 4500,
    "every packet is in exactly one record (%d + %d + %d + %d unmatched; summaries %d)"
    % (a, b, c, unm, allp))
last_b = max(r["ts"] for r in rng if r["range"] == "b")
first_c = min(r["ts"] for r in rng if r["range"] == "c")
res(last_b <= first_c, "b's last record (%s) is not after c's first (%s)" % (last_b, first_c))
# The last summary is the stop's: it covers the part of an interval that had
# passed when SIGINT came, so it is only bounded above.
ivals = [s["interval_s"] for s in summ[:-1]]
res(all(0.3 < x < 0.8 for x in ivals), "an interval every 0.5 s throughout (%.3f..%.3f)" %
    (min(ivals), max(ivals)))
res(0 < summ[-1]["interval_s"] < 0.8, "the stop's record covers what was left of an interval (%.3f s)"
    % summ[-1]["interval_s"])
res(all(s["sketch"]["races"] == 0 for s in summ), "sketches: no race")
PY
	n_pass=$((n_pass + $(grep -c '^PASS' "$TMP/rl.log")))
	n_fail=$((n_fail + $(grep -c '^FAIL' "$TMP/rl.log")))
else
	fail "daemon did not start"
fi
e2e_finish
