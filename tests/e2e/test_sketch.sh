#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The sketches (issue 4): distinct sources and top-K lists.
#
# 1. Every capture of the shared set, replayed (no interface touched):
#    - with --whole and catch-all ranges all4 = 0.0.0.0/0, all6 = ::/0:
#      uniq_src per family within max(2, 3%) of the ground truth's
#      distinct_src; top_src and top_dport against its top 10 where the
#      counts are distinct; every source of >= 1% of its range present,
#      counted exactly or over by at most 0.1% of the range;
#    - in 1 s bins, catch-all and with every listed /24 and /64 as its own
#      range: uniq_src of every (range, direction, bin) within max(2, 3%)
#      of the distinct sources tshark reads in the same frames
#      (tests/e2e/sketch_check.py).
# 2. stats.export_sketches: the registers of 5 s intervals, merged by a
#    register-wise max as a central store would, estimate the distinct
#    sources of the whole capture.
# Storms: replay counts a flood of new flows exactly by default; with
#    stats.storm_flows set it samples the range's top lists, says so
#    (top_sampled) and keeps the heavy source on top within the bound.
# 3. Live, epoch flips under traffic: 40 sources send 25 packets each to
#    30 ports through a veth while the daemon flips every 100 ms; summed
#    over the intervals, every source and port has exactly its packets in
#    the top lists, as many as the counters say: nothing lost or counted
#    twice across a flip.
#
# XS_E2E_CAPTURES="a.pcap b.pcap" limits part 1 to those captures.
source "$(dirname "$0")/lib.sh"
e2e_init

CHECK=$E2E_DIR/sketch_check.py
CATCH_ALL=(-r 0.0.0.0/0=all4 -r ::/0=all6)

# ------------------------------------------------------------- 1. captures
captures=${XS_E2E_CAPTURES:-$(cd "$PCAPS" && ls -- *.pcap *.pcapng)}
for name in $captures; do
	f=$PCAPS/$name
	base=$TMP/${name//./_}
	if ! timeout 60 "$XDPSCOPE" replay --whole --host gt --ifname gt "${CATCH_ALL[@]}" "$f" \
		>"$base.whole" 2>"$base.err"; then
		fail "$name: replay --whole: $(head -1 "$base.err")"
		continue
	fi
	"$PYTHON" "$CHECK" whole --gt "$GT" --capture "$name" --records "$base.whole" |
		tee -a "$TMP/checks.log" | grep -v '^PASS' || true
	"${TSHARK[@]}" -r "$f" -T fields -e frame.protocols -e ip.src -e ip.dst -e ipv6.src \
		-e ipv6.dst -E occurrence=f >"$base.tsv" 2>/dev/null
	timeout 60 "$XDPSCOPE" replay --host gt --ifname gt "${CATCH_ALL[@]}" "$f" \
		>"$base.bins" 2>/dev/null
	"$PYTHON" "$CHECK" bins --gt "$GT" --capture "$name" --pcap "$f" --tsv "$base.tsv" \
		--records "$base.bins" | tee -a "$TMP/checks.log" | grep -v '^PASS' || true
	"$PYTHON" "$COMPARE" replay-ranges --gt "$GT" --capture "$name" >"$base.ranges"
	if [[ -s $base.ranges ]]; then
		timeout 60 "$XDPSCOPE" replay --host gt --ifname gt -f "$base.ranges" "$f" \
			>"$base.pfx" 2>/dev/null
		"$PYTHON" "$CHECK" bins --gt "$GT" --capture "$name" --pcap "$f" \
			--tsv "$base.tsv" --records "$base.pfx" --prefixes |
			tee -a "$TMP/checks.log" | grep -v '^PASS' || true
	fi
done
n_pass=$((n_pass + $(grep -c '^PASS' "$TMP/checks.log")))
n_fail=$((n_fail + $(grep -c '^FAIL' "$TMP/checks.log")))
echo "      captures: $(grep -c '^PASS' "$TMP/checks.log") checks passed"

# -------------------------------------------------------- 2. export, merge
name=pkt.TCP.synflood.spoofed.pcap
echo '{"stats": {"export_sketches": true}}' >"$TMP/export.json"
"$XDPSCOPE" replay -c "$TMP/export.json" -t 5s "${CATCH_ALL[@]}" "$PCAPS/$name" \
	>"$TMP/export.out" 2>"$TMP/export.err"
check "export: replay exits 0" test $? -eq 0
"$XDPSCOPE" replay --whole "${CATCH_ALL[@]}" "$PCAPS/$name" >"$TMP/export.whole" 2>/dev/null
"$PYTHON" - "$TMP/export.out" "$TMP/export.whole" <<'EOF' | tee -a "$TMP/export.log"
import base64, json, math, sys, zlib

def regs(h):
    r = zlib.decompress(base64.b64decode(h["regs"]))
    assert len(r) == 1 << h["p"], f"{len(r)} register bytes for p={h['p']}"
    assert max(r) <= 64 - h["p"] + 1, "a register above 64 - p + 1"
    return r

def estimate(r):
    # HyperLogLog with linear counting for small counts (Flajolet et al.),
    # independent of the daemon's own estimator.
    m = len(r)
    e = 0.7213 / (1 + 1.079 / m) * m * m / sum(2.0 ** -v for v in r)
    z = r.count(0)
    return m * math.log(m / z) if e <= 2.5 * m and z else e

recs = [json.loads(l) for l in open(sys.argv[1])]
rng = [x for x in recs if x["type"] == "range" and x["range"] == "all4"]
merged = None
for x in rng:
    r = regs(x["hll"])
    merged = r if merged is None else bytes(map(max, merged, r))
whole = [json.loads(l) for l in open(sys.argv[2])]
want = [x for x in whole if x["type"] == "range" and x["range"] == "all4"][0]["uniq_src"]
got = estimate(merged)
ok = len(rng) >= 4 and abs(got - want) <= 0.03 * want
print(("PASS" if ok else "FAIL") + f": export: {len(rng)} intervals' registers merge to "
      f"{got:.0f} distinct sources, the whole capture's uniq_src is {want}")
EOF
n_pass=$((n_pass + $(grep -c '^PASS' "$TMP/export.log")))
n_fail=$((n_fail + $(grep -c '^FAIL' "$TMP/export.log")))

# -------------------------------------------------------- budget
# The sketches' memory counts against the budget: with it a small budget
# is refused (exit 2, one line naming the config), without it the same
# config fits.
printf '{"ranges": [{"name": "a", "prefixes": ["198.18.0.0/24"]}], "max_kernel_mem": "2M"}\n' \
	>"$TMP/budget.json"
out=$("$XDPSCOPE" check-config "$TMP/budget.json" 2>&1)
check_eq "budget: a config over max_kernel_mem is refused (exit 2)" "$?" 2
check "budget: the refusal names the config and both figures ($out)" \
	grep -q "^xdpscope: $TMP/budget.json: the config needs [0-9.]* MiB of kernel memory, over the budget of 2.0 MiB" <<<"$out"
printf '{"ranges": [{"name": "a", "prefixes": ["198.18.0.0/24"]}], "max_kernel_mem": "2M", "stats": {"enabled": false}}\n' \
	>"$TMP/budget-off.json"
check "budget: the same config without sketches fits" \
	"$XDPSCOPE" check-config "$TMP/budget-off.json"

# -------------------------------------------------------- storms
# 3,000 UDP packets to one victim of range a, each a new flow (source port
# random), every 5th from one heavy source: replay counts them exactly by
# default; a config with storm_flows 100 and storm_sample 4 puts the range
# in a storm, flags the record (top_sampled 4), and keeps the heavy source
# on top within 5 standard deviations of the sampling.
mapfile -t specs < <("$PYTHON" -c '
import random
random.seed(7)
for i in range(3000):
    src = "198.19.0.1" if i % 5 == 0 else "198.19.%d.%d" % (random.randint(1, 200), random.randint(1, 250))
    print("udp,%s,198.18.0.9,sport=%d,dport=53" % (src, random.randint(1024, 65535)))')
"$PYTHON" "$ROOT/tools/gen-pcap.py" "$TMP/storm.pcap" "${specs[@]}" >/dev/null
echo '{"stats": {"storm_flows": 100, "storm_sample": 4}}' >"$TMP/storm.json"
"$XDPSCOPE" replay --whole -r 198.18.0.0/24=a "$TMP/storm.pcap" >"$TMP/storm-exact.out" 2>&1
check_eq "storms: replay exits 0" $? 0
"$XDPSCOPE" replay --whole -c "$TMP/storm.json" -r 198.18.0.0/24=a "$TMP/storm.pcap" \
	>"$TMP/storm-sampled.out" 2>&1
check_eq "storms: replay with storm_flows exits 0" $? 0
"$PYTHON" - "$TMP/storm-exact.out" "$TMP/storm-sampled.out" <<'PY' | tee "$TMP/storm.log"
import json, math, sys
def rec(path):
    for line in open(path):
        d = json.loads(line)
        if d.get("type") == "range" and d["range"] == "a" and d["dir"] == "in":
            return d
exact, sampled = rec(sys.argv[1]), rec(sys.argv[2])
def check(name, ok):
    print(("PASS: " if ok else "FAIL: ") + "storms: " + name)
check("by default no storm: no top_sampled, the heavy source exact (600)",
      "top_sampled" not in exact and exact["top_src"][0] == {"addr": "198.19.0.1", "pkts": 600,
                                                            "bytes": exact["top_src"][0]["bytes"]})
check("with storm_flows 100: top_sampled 4", sampled.get("top_sampled") == 4)
hh = sampled["top_src"][0]
check("the heavy source on top, %d within 5 sd of 600" % hh["pkts"],
      hh["addr"] == "198.19.0.1" and abs(hh["pkts"] - 600) <= 5 * math.sqrt(600 * 3))
check("counters exact in both (3000 packets)", exact["pkts"] == sampled["pkts"] == 3000)
check("distinct sources the same in both", exact["uniq_src"] == sampled["uniq_src"])
PY
n_pass=$((n_pass + $(grep -c '^PASS' "$TMP/storm.log")))
n_fail=$((n_fail + $(grep -c '^FAIL' "$TMP/storm.log")))

# ------------------------------------------------- 3. live, epoch flips
lab_up || { fail "lab setup"; e2e_finish; }
specs=()
for ((i = 0; i < 1000; i++)); do
	specs+=("udp,198.19.0.$((i % 40 + 1)),198.18.0.10,sport=$((20000 + i % 40)),dport=$((5000 + i % 30))")
done
"$PYTHON" "$ROOT/tools/gen-pcap.py" "$TMP/flip.pcap" "${specs[@]}" >/dev/null
echo '{"interval_ms": 100, "stats": {"top_k": 64}}' >"$TMP/flip.json"
if daemon_start flip "$NS_R" "$IF_R" -c "$TMP/flip.json" -r 198.18.0.0/24=victim; then
	before=($(link_stats "$NS_R" "$IF_R"))
	replay "$NS_S" "$IF_S" "$TMP/flip.pcap" 400
	sleep 0.3
	after=($(link_stats "$NS_R" "$IF_R"))
	daemon_stop "$DPID"
	check_eq "live: veth dropped nothing" "$((after[1] - before[1]))" 0
	"$PYTHON" - "$DOUT" <<'EOF' | tee -a "$TMP/flip.log"
import json, sys
from collections import Counter
recs = [json.loads(l) for l in open(sys.argv[1])]
rng = [r for r in recs if r["type"] == "range" and r["range"] == "victim" and r["dir"] == "in"]
summ = [r for r in recs if r["type"] == "summary"]
src, dport, sport = Counter(), Counter(), Counter()
for r in rng:
    for e in r["top_src"]:
        src[e["addr"]] += e["pkts"]
    for e in r["top_dport"]:
        dport[e["port"]] += e["pkts"]
    for e in r["top_sport"]:
        sport[e["port"]] += e["pkts"]
pkts = sum(r["pkts"] for r in rng)
def res(ok, label):
    print(("PASS" if ok else "FAIL") + ": live: " + label)
res(len(rng) >= 10, f"traffic spread over {len(rng)} intervals (>= 10 epoch flips)")
res(pkts == 1000, f"counters: {pkts} packets of 1000")
res(sum(src.values()) == pkts and set(src.values()) == {25} and len(src) == 40,
    f"top_src summed over the intervals: 40 sources x 25 packets (got {len(src)} "
    f"sources, {sum(src.values())} packets, counts {sorted(set(src.values()))})")
want = Counter({5000 + i % 30: 0 for i in range(30)})
for i in range(1000):
    want[5000 + i % 30] += 1
res(dport == want, f"top_dport summed: every port exactly ({len(dport)} ports)")
res(sum(sport.values()) == 1000, f"top_sport summed: {sum(sport.values())} packets")
res(all(r["uniq_src"] <= 40 for r in rng), "uniq_src never above the 40 sources")
sk = [s.get("sketch", {}) for s in summ]
res(all(s.get("races", 1) == 0 and s.get("torn", 1) == 0 and s.get("pool_empty", 1) == 0
        for s in sk), "summaries: no lost race, torn entry or empty pool")
EOF
	n_pass=$((n_pass + $(grep -c '^PASS' "$TMP/flip.log")))
	n_fail=$((n_fail + $(grep -c '^FAIL' "$TMP/flip.log")))
else
	fail "live: daemon did not start"
fi
e2e_finish
