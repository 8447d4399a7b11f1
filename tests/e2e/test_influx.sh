#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --influx (issue 6): a real InfluxDB (Debian's influxdb package) started
# here on loopback inside the test's namespace receives every record as
# line protocol, and queried back holds the same values as the NDJSON
# records. The daemon started while InfluxDB is still down goes on
# writing records, counts the failed posts, keeps the lines in its
# bounded buffer and delivers them once InfluxDB is up: nothing lost.
source "$(dirname "$0")/lib.sh"
e2e_init
command -v influxd >/dev/null || { fail "'influxd' not found (make deps)"; e2e_finish; }

out=$("$XDPSCOPE" run -i lo --influx 127.0.0.1:8086 2>&1)
check "--influx: a URL without http:// is a usage error ($out)" \
	grep -q 'expected http://HOST\[:PORT\]/write?db=NAME, got "127.0.0.1:8086"' <<<"$out"

lab_up || { fail "lab setup"; e2e_finish; }
ip -n "$NS_R" link set lo up
IPORT=$((20000 + RANDOM % 20000))
mkdir -p "$TMP/influx"
cat >"$TMP/influx.conf" <<TOML
reporting-disabled = true
bind-address = "127.0.0.1:$((IPORT + 1))"
[meta]
  dir = "$TMP/influx/meta"
[data]
  dir = "$TMP/influx/data"
  wal-dir = "$TMP/influx/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:$IPORT"
  log-enabled = false
[monitor]
  store-enabled = false
TOML
influx_up() {
	nsenter --net="/run/netns/$NS_R" influxd -config "$TMP/influx.conf" >"$TMP/influxd.log" 2>&1 &
	INFLUX=$!
	DAEMON_PIDS+=("$INFLUX")
	in_ns "$NS_R" timeout 20 bash -c "until curl -sf http://127.0.0.1:$IPORT/ping; do sleep 0.2; done" ||
		{ fail "influxd did not come up: $(tail -3 "$TMP/influxd.log")"; return 1; }
	in_ns "$NS_R" curl -sf -XPOST "http://127.0.0.1:$IPORT/query" --data-urlencode "q=CREATE DATABASE xs" >/dev/null
}
q() { # q INFLUXQL: the JSON answer
	in_ns "$NS_R" curl -sfG "http://127.0.0.1:$IPORT/query" --data-urlencode db=xs --data-urlencode "q=$1"
}

specs=()
for ((i = 0; i < 2000; i++)); do
	specs+=("tcp,198.19.$((i / 250)).$((i % 250 + 1)),198.18.0.10,sport=$((1024 + i)),dport=80,flags=S")
	((i % 4 == 0)) && specs+=("udp,198.19.200.1,198.18.0.20,sport=53,dport=5353,len=300")
done
"$PYTHON" "$ROOT/tools/gen-pcap.py" "$TMP/mix.pcap" "${specs[@]}" >/dev/null
cat >"$TMP/i.json" <<JSON
{"ranges": [{"name": "victim", "prefixes": ["198.18.0.0/24"]}],
 "rules": [{"name": "syn-flood", "metric": "syn_pps", "above": 200, "clear_s": 1}]}
JSON

compare_influx() { # compare_influx LABEL NDJSON
	q 'SELECT sum("pkts"), sum("proto_tcp_pkts"), sum("proto_udp_bytes"), sum("tcp_flags_syn"), max("uniq_src"), count("pkts") FROM "xdpscope_range" WHERE "range"='"'"victim"'"' AND "dir"='"'"in"'"'' >"$TMP/q1.json"
	q 'SELECT count("value") FROM "xdpscope_alert" WHERE "state"='"'"start"'"'' >"$TMP/q2.json"
	q 'SELECT count("pkts") FROM "xdpscope_summary"' >"$TMP/q3.json"
	"$PYTHON" - "$2" "$TMP/q1.json" "$TMP/q2.json" "$TMP/q3.json" "$1" <<'PY' | tee "$TMP/cmp.log"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
lab = sys.argv[5]
rng = [r for r in recs if r["type"] == "range" and r["range"] == "victim" and r["dir"] == "in"]
want = [sum(r["pkts"] for r in rng), sum(r["proto"]["tcp"]["pkts"] for r in rng),
        sum(r["proto"]["udp"]["bytes"] for r in rng), sum(r["tcp_flags"]["syn"] for r in rng),
        max(r["uniq_src"] for r in rng), len(rng)]
def vals(f):
    res = json.load(open(f))["results"][0]
    return res["series"][0]["values"][0][1:] if "series" in res else []
got = vals(sys.argv[2])
print(("PASS" if got == want else "FAIL") + ": %s: InfluxDB's sums of the range records == the "
      "NDJSON's (pkts, tcp pkts, udp bytes, syn, max uniq_src, records): %s vs %s" % (lab, got, want))
starts = sum(1 for r in recs if r["type"] == "alert" and r["state"] == "start")
got = vals(sys.argv[3])
print(("PASS" if got == [starts] and starts >= 1 else "FAIL") +
      ": %s: alert starts in InfluxDB %s, in the NDJSON %d" % (lab, got, starts))
summ = sum(1 for r in recs if r["type"] == "summary")
got = vals(sys.argv[4])
print(("PASS" if got == [summ] else "FAIL") + ": %s: summaries %s vs %d" % (lab, got, summ))
PY
	n_pass=$((n_pass + $(grep -c '^PASS' "$TMP/cmp.log")))
	n_fail=$((n_fail + $(grep -c '^FAIL' "$TMP/cmp.log")))
}

# 1. InfluxDB up: everything arrives.
influx_up || e2e_finish
if daemon_start inf "$NS_R" "$IF_R" -c "$TMP/i.json" --influx "http://127.0.0.1:$IPORT/write?db=xs"; then
	replay "$NS_S" "$IF_S" "$TMP/mix.pcap" 1000
	sleep 1.5
	daemon_stop "$DPID"
	check_eq "the daemon said nothing about InfluxDB" "$(grep -c influx "$DERR")" 0
	compare_influx "live" "$DOUT"
	last=$(grep '"type":"summary"' "$DOUT" | tail -1)
	check "the summary counts the lines sent ($(sed 's/.*"influx"://' <<<"$last" | cut -c1-80))" \
		grep -q '"influx":{"sent":[1-9][0-9]*,"dropped":0,"failed_posts":0' <<<"$last"
fi

# 2. InfluxDB down at first: retried from the buffer, nothing lost.
kill "$INFLUX"; wait "$INFLUX" 2>/dev/null
rm -rf "$TMP/influx"
mkdir -p "$TMP/influx"
if daemon_start late "$NS_R" "$IF_R" -c "$TMP/i.json" --influx "http://127.0.0.1:$IPORT/write?db=xs"; then
	replay "$NS_S" "$IF_S" "$TMP/mix.pcap" 1000
	sleep 1
	check "records go on while InfluxDB is down" test "$(grep -c '"type":"summary"' "$DOUT")" -ge 3
	check "the failure is told once on stderr" test "$(grep -c 'influx: connecting to' "$DERR")" -eq 1
	down=$(grep '"type":"summary"' "$DOUT" | tail -1)
	check "the summary counts failed posts and pending lines" \
		grep -q '"influx":{"sent":0,"dropped":0,"failed_posts":[1-9][0-9]*,"pending":[1-9]' <<<"$down"
	influx_up
	sleep 4
	daemon_stop "$DPID"
	check "it says when writing works again" grep -q 'influx: 127.0.0.1:[0-9]*: writing again' "$DERR"
	compare_influx "after an outage" "$DOUT"
fi
kill "$INFLUX" 2>/dev/null; wait "$INFLUX" 2>/dev/null
e2e_finish
