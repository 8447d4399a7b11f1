#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The README stays true: its sample records are what the daemon prints for
# the traffic described next to them, its config example and prefix list
# load, its error example is the daemon's message, and `xdpscope maps`
# prints what it shows.
source "$(dirname "$0")/lib.sh"
e2e_init

README=$ROOT/README.md
GEN=$ROOT/tools/gen-pcap.py

# The traffic behind the README's sample (keep the two in step).
SAMPLE_TRAFFIC=(
	tcp,198.19.0.5,198.18.0.10,sport=40000,dport=443,flags=S,len=60,count=2
	tcp,198.19.0.5,198.18.0.10,sport=40001,dport=443,flags=R,len=60
	udp,198.19.0.5,198.18.0.10,sport=40002,dport=53,len=80,count=2
	icmp,198.19.0.5,198.18.0.10,len=98
	arp,198.19.0.5,198.18.0.10
)

block() { readme_block "$@"; }

# 1. The config example validates.
block config >"$TMP/readme-config.json"
if out=$("$XDPSCOPE" check-config "$TMP/readme-config.json" 2>&1); then
	pass "README config example: $out"
else
	fail "README config example does not validate: $out"
fi

# 2. The prefix list example loads (through ranges_file).
sed -n '/^    # CIDR/,/^$/p' "$README" | sed 's/^    //' >"$TMP/prefixes.txt"
printf '{"ranges_file": "prefixes.txt"}\n' >"$TMP/pl.json"
if out=$("$XDPSCOPE" check-config "$TMP/pl.json" 2>&1) && [[ $out == *"3 ranges"* ]]; then
	pass "README prefix list: $out"
else
	fail "README prefix list: $out"
fi

# 3. The error example is the message the daemon prints.
want=$(grep -o 'xdpscope: cfg.json: \$\.ranges\[0\]\.prefixes\[1\]: .*' "$README" | head -1)
printf '{"ranges": [{"name": "a", "prefixes": ["198.18.0.0/24", "198.18.0.0/33"]}]}\n' \
	>"$TMP/cfg.json"
got=$(cd "$TMP" && "$XDPSCOPE" check-config cfg.json 2>&1)
check_eq "README error example" "$got" "$want"

# same_records WANT GOT VOLATILE LABEL: the records of WANT and GOT agree in
# order, fields, types and every value but the comma-separated VOLATILE
# keys. Counts a pass or a failure.
same_records() {
	"$PYTHON" - "$@" <<'PY'
import json, sys
# Fields that differ from run to run; every other value must match.
VOLATILE = set(sys.argv[3].split(","))

def shape(v):
    if isinstance(v, dict):
        return {k: shape(x) for k, x in v.items()}
    if isinstance(v, list):
        return [shape(x) for x in v]
    return type(v).__name__

def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in VOLATILE}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v

want = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
got = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
ok = True
if len(want) != len(got):
    print("FAIL: README %s has %d records, the daemon printed %d" % (sys.argv[4], len(want), len(got)))
    ok = False
for i, (w, g) in enumerate(zip(want, got)):
    label = "%s %s" % (w.get("type"), w.get("range", ""))
    if list(w) != list(g) or shape(w) != shape(g):
        print("FAIL: README %s record %d (%s): fields or types differ from the daemon's"
              % (sys.argv[4], i, label))
        ok = False
    elif strip(w) != strip(g):
        print("FAIL: README %s record %d (%s): values differ:\n  readme %s\n  daemon %s"
              % (sys.argv[4], i, label, json.dumps(strip(w)), json.dumps(strip(g))))
        ok = False
    else:
        print("PASS: README %s record %d (%s) matches the daemon's" % (sys.argv[4], i, label))
if not ok:
    print("      daemon output:")
    for l in open(sys.argv[2]):
        print("      " + l.rstrip())
sys.exit(0 if ok else 1)
PY
	local rc=$?
	n_pass=$((n_pass + (rc == 0 ? 1 : 0)))
	((rc == 0)) || n_fail=$((n_fail + 1))
}

# 4. The sample records: same traffic, same command, same records.
lab_up || { fail "lab_up"; e2e_finish; }
"$PYTHON" "$GEN" "$TMP/sample.pcap" "${SAMPLE_TRAFFIC[@]}"
if daemon_start readme "$NS_R" "$IF_R" --range 198.18.0.0/16=customer-a \
	--range 198.19.0.0/16=customer-b --host edge1 --interval 60s; then
	replay "$NS_S" "$IF_S" "$TMP/sample.pcap" 100 || fail "replay"
	# 5. maps lists the pins with their bpftool commands, dumps show names.
	maps=$(in_ns "$NS_R" "$XDPSCOPE" maps -i "$IF_R")
	if grep -qx "range_ctrs   bpftool map dump pinned $PIN_R/range_ctrs" \
		<<<"$maps"; then
		pass "xdpscope maps lists range_ctrs"
	else
		fail "xdpscope maps output: $maps"
	fi
	if bpftool map dump pinned "$PIN_R/global_ctrs" | grep -q '"ipv4_pkts": 6'; then
		pass "bpftool dump of global_ctrs shows named fields"
	else
		fail "bpftool dump of global_ctrs"
	fi
	sleep 0.3
	daemon_stop "$DPID" INT
	block sample >"$TMP/readme-sample.ndjson"
		same_records "$TMP/readme-sample.ndjson" "$DOUT" \
		ts,ifname,interval_s,pps,bps,drain_ms,id,kernel_mem sample
else
	fail "daemon did not start"
fi

# 6. The replay example: the same capture through `xdpscope replay`, the
# command the README shows; capture time makes ts and rates exact.
cmd=$(sed -n '/^    xdpscope replay --range/,/sample.pcap$/p' "$README" | tr -d '\\\n' |
	sed 's/^ *xdpscope //')
block replay >"$TMP/readme-replay.ndjson"
if [[ -n $cmd ]] && (cd "$TMP" && "$XDPSCOPE" $cmd >"$TMP/replay.out" 2>"$TMP/replay.err"); then
	pass "README replay command runs: xdpscope $cmd"
	same_records "$TMP/readme-replay.ndjson" "$TMP/replay.out" drain_ms,id,kernel_mem replay
else
	fail "README replay command '$cmd': $(cat "$TMP/replay.err" 2>/dev/null)"
fi
# The alert example: the README's rules with the capture's victim as a
# range print exactly this start record.
block rules >"$TMP/readme-rules.json"
# Its hook is the operator's program: check-config wants it executable.
if out=$("$XDPSCOPE" check-config "$TMP/readme-rules.json" 2>&1); then
	fail "README rules example validates without its hook: $out"
else
	check_eq "README rules example without its hook" "$out" "xdpscope: $TMP/readme-rules.json: \
alerts.exec: /usr/local/bin/on-alert: expected an executable program: No such file or directory"
fi
sed 's|/usr/local/bin/on-alert|/bin/true|' "$TMP/readme-rules.json" >"$TMP/readme-rules-true.json"
if out=$("$XDPSCOPE" check-config "$TMP/readme-rules-true.json" 2>&1) && [[ $out == *"6 rules"* ]]
then
	pass "README rules example: $out"
else
	fail "README rules example does not validate: $out"
fi
"$PYTHON" - "$TMP/readme-rules.json" "$TMP/alert-cfg.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["ranges"] = [{"name": "victim", "prefixes": ["10.10.10.0/24", "2001:db8:1::/64"]},
               {"name": "rest", "prefixes": ["0.0.0.0/0", "::/0"]}]
del c["alerts"]["exec"]
json.dump(c, open(sys.argv[2], "w"))
PY
block alert >"$TMP/readme-alert.json"
"$XDPSCOPE" replay --host edge1 -c "$TMP/alert-cfg.json" "$PCAPS/pkt.TCP.synflood.spoofed.pcap" \
	2>"$TMP/alert.err" | grep '"type":"alert","' | grep '"state":"start"' >"$TMP/alert.out"
"$PYTHON" -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))))' \
	"$TMP/readme-alert.json" >"$TMP/readme-alert.ndjson"
same_records "$TMP/readme-alert.ndjson" "$TMP/alert.out" "" alert
e2e_finish
