#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --metrics (issue 6): the daemon on a veth serves Prometheus text that
# promtool accepts, with the values the NDJSON records carry (counters
# since start equal the records' sums, the interval's gauges equal the
# record of the same interval); a real Prometheus server (Debian's
# package), started here on loopback inside the test's namespace, scrapes
# it and its HTTP API answers with the same figures, alerts included.
# Bad --metrics values and a port in use are clear errors. The Grafana
# dashboard in dashboards/ only queries metrics and labels a real scrape
# has, and Prometheus runs every one of its queries. Top keys (issue 13):
# by default no series has a `key` label, in a scrape or in Prometheus;
# after a SIGHUP with metrics.top_ranges, exactly the named range has
# them, at most top_n ranks a list.
source "$(dirname "$0")/lib.sh"
e2e_init
for t in curl promtool prometheus; do
	command -v "$t" >/dev/null || { fail "'$t' not found (make deps)"; e2e_finish; }
done

# --------------------------------------------------------- CLI errors
out=$("$XDPSCOPE" run -i lo --metrics 127.0.0.1:99999 2>&1)
check_eq "--metrics: a bad port is a usage error" "$out" \
	"xdpscope: run: --metrics: expected ADDR:PORT (127.0.0.1:9100, [::1]:9100) or PORT (loopback), got \"127.0.0.1:99999\" (see 'xdpscope run --help')"
out=$("$XDPSCOPE" run -i lo --metrics host:80 2>&1)
check "--metrics: a host name is refused ($out)" grep -q 'got "host:80"' <<<"$out"

# The README's opt-in loads; a range it does not have is refused.
RA='{"name": "customer-a", "prefixes": ["198.18.0.0/24"]}'
printf '{"ranges": [%s, {"name": "customer-b", "prefixes": ["198.18.1.0/24"]}], %s}\n' \
	"$RA" "$(readme_block metrics)" >"$TMP/readme-metrics.json"
out=$("$XDPSCOPE" check-config "$TMP/readme-metrics.json" 2>&1)
check "README metrics.top_ranges example: $out" test $? -eq 0
printf '{"ranges": [%s], %s}\n' "$RA" "$(readme_block metrics)" >"$TMP/readme-metrics.json"
out=$("$XDPSCOPE" check-config "$TMP/readme-metrics.json" 2>&1)
check_eq "metrics.top_ranges: a range that does not exist" "$out" \
	'xdpscope: metrics.top_ranges: expected ranges that exist, got "customer-b"'

lab_up || { fail "lab setup"; e2e_finish; }
ip -n "$NS_R" link set lo up
MPORT=$((20000 + RANDOM % 20000))
PPORT=$((MPORT + 1))

specs=()
for ((i = 0; i < 3000; i++)); do
	specs+=("tcp,198.19.$((i / 250)).$((i % 250 + 1)),198.18.0.10,sport=$((1024 + i)),dport=80,flags=S")
	((i % 3 == 0)) && specs+=("udp,198.19.200.1,198.18.0.20,sport=53,dport=5353,len=300")
done
"$PYTHON" "$ROOT/tools/gen-pcap.py" "$TMP/mix.pcap" "${specs[@]}" >/dev/null
# Every (range, direction) gets every L4 class, TCP flag and fragments, each
# kind a different count (1 + kind + 9 * pair): a series left out, swapped
# or zero shows against the records. The pairs: victim in, victim out,
# other in, other out (the far end in no range), and unmatched (neither
# end in a range); then ARP and IPv6 for the whole interface's counters.
KINDS=(syn synack rst fin udp icmp gre frag1 fragn)
PAIRS=('198.19.9.9>198.18.0.30' '198.18.0.40>198.19.9.9' '198.19.9.9>198.18.1.5'
	'198.18.1.6>198.19.9.9' '198.19.9.9>198.19.9.8')
specs=()
for ((j = 0; j < 5; j++)); do
	for ((k = 0; k < 9; k++)); do
		specs+=("${KINDS[k]}:${PAIRS[j]}:$((1 + k + 9 * j))")
	done
done
"$PYTHON" "$E2E_DIR/mkpcap.py" "$TMP/each.pcap" "${specs[@]}" || fail "mkpcap"
"$PYTHON" "$ROOT/tools/gen-pcap.py" "$TMP/misc.pcap" "arp,198.19.9.9,198.19.9.8,count=3" \
	"udp,2001:db8:9::9,2001:db8:9::8,count=4" >/dev/null
# Before the reload: 60 sources to "other" for 6 s, so that its top lists
# are full in several intervals and Prometheus scrapes some of them.
specs=()
for ((i = 1; i <= 60; i++)); do
	specs+=("udp,198.19.50.$i,198.18.1.7,sport=$((2000 + i)),dport=$((3000 + i % 7))")
done
"$PYTHON" "$ROOT/tools/gen-pcap.py" "$TMP/other.pcap" "${specs[@]}" >/dev/null
RANGES='"ranges": [{"name": "victim", "prefixes": ["198.18.0.0/24"]},
	    {"name": "other", "prefixes": ["198.18.1.0/24"]}],
 "rules": [{"name": "syn-flood", "metric": "syn_pps", "above": 200, "clear_s": 1}],
 "alerts": {"exec": "/bin/true"}'
echo "{$RANGES}" >"$TMP/m.json"
TOP_N=2
echo "{$RANGES, \"metrics\": {\"top_ranges\": [\"victim\"], \"top_n\": $TOP_N}}" >"$TMP/m-top.json"

# A port taken: a clear error before anything is attached.
nsenter --net="/run/netns/$NS_R" "$PYTHON" -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
print("ready", flush=True); time.sleep(30)' "$MPORT" >"$TMP/blocker.out" 2>&1 &
blocker=$!
wait_for_line "$TMP/blocker.out" '^ready' 1 || fail "the port blocker did not start: $(cat "$TMP/blocker.out")"
out=$(nsenter --net="/run/netns/$NS_R" "$XDPSCOPE" run -i "$IF_R" -c "$TMP/m.json" \
	--metrics "$MPORT" -n 1 2>&1)
check_eq "--metrics: a port in use is refused" "$out" \
	"xdpscope: --metrics: cannot listen on 127.0.0.1:$MPORT (in use, or not an address of this host)"
kill "$blocker" 2>/dev/null
wait "$blocker" 2>/dev/null

cat >"$TMP/prom.yml" <<YML
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: xdpscope
    static_configs: [{targets: ["127.0.0.1:$MPORT"]}]
YML
nsenter --net="/run/netns/$NS_R" prometheus --config.file="$TMP/prom.yml" \
	--storage.tsdb.path="$TMP/prom" --web.listen-address="127.0.0.1:$PPORT" \
	>"$TMP/prom.log" 2>&1 &
PROM=$!
DAEMON_PIDS+=("$PROM")
in_ns "$NS_R" timeout 20 bash -c "until curl -sf http://127.0.0.1:$PPORT/-/ready >/dev/null; do sleep 0.2; done" ||
	fail "prometheus did not come up: $(tail -3 "$TMP/prom.log")"

if daemon_start met "$NS_R" "$IF_R" -c "$TMP/m.json" --metrics "127.0.0.1:$MPORT"; then
	check "the daemon says where the metrics are" grep -q "metrics at http://127.0.0.1:$MPORT/metrics" "$DERR"
	# Traffic only once Prometheus scrapes the daemon (its first scrape
	# comes some seconds after it is ready).
	in_ns "$NS_R" timeout 20 bash -c "until curl -sfG http://127.0.0.1:$PPORT/api/v1/query \
		--data-urlencode 'query=up{job=\"xdpscope\"} == 1' | grep -q '\"value\"'; do sleep 0.2; done" ||
		fail "prometheus never scraped the daemon"
	# The default: top lists in the records, none in /metrics or Prometheus.
	replay "$NS_S" "$IF_S" "$TMP/other.pcap" 10 &
	rpid=$!
	in_ns "$NS_R" timeout 20 bash -c "until curl -sf http://127.0.0.1:$MPORT/metrics >'$TMP/default.prom' &&
		grep -q '^xdpscope_uniq_src{range=\"other\"' '$TMP/default.prom'; do sleep 0.1; done" ||
		fail "no scrape with other's traffic"
	in_ns "$NS_R" timeout 20 bash -c "until curl -sfG http://127.0.0.1:$PPORT/api/v1/query \
		--data-urlencode 'query=xdpscope_uniq_src{range=\"other\"}' | grep -q '\"value\"'; do sleep 0.2; done" ||
		fail "prometheus never scraped an interval of other's traffic"
	wait "$rpid" || fail "tcpreplay (other)"
	check "default: the records of other have top lists" grep -q '"range":"other".*"top_src":\[{' "$DOUT"
	check "default: no xdpscope_top_ family in a scrape with traffic" \
		bash -c "! grep -q xdpscope_top_ '$TMP/default.prom'"
	check "default: no key label in a scrape with traffic" bash -c "! grep -q 'key=' '$TMP/default.prom'"
	for m in '{key=~".+"}' '{__name__=~"xdpscope_top_.+"}'; do
		out=$(in_ns "$NS_R" curl -sfG "http://127.0.0.1:$PPORT/api/v1/series" --data-urlencode "match[]=$m")
		check_eq "default: Prometheus has no series $m" "$out" '{"status":"success","data":[]}'
	done
	# Opt in by SIGHUP: the same counters go on, the victim's top keys appear.
	cp "$TMP/m-top.json" "$TMP/m.json"
	kill -HUP "$DPID"
	wait_for_line "$DERR" 'SIGHUP: config reloaded' 1 || fail "no reload: $(tail -2 "$DERR")"
	replay "$NS_S" "$IF_S" "$TMP/each.pcap" 1000 || fail "tcpreplay (each kind)"
	replay "$NS_S" "$IF_S" "$TMP/misc.pcap" 1000 || fail "tcpreplay (ARP, IPv6)"
	replay "$NS_S" "$IF_S" "$TMP/mix.pcap" 1000 &
	rpid=$!
	sleep 2.2
	in_ns "$NS_R" curl -sf "http://127.0.0.1:$MPORT/metrics" >"$TMP/during.prom"
	wait "$rpid"
	sleep 2.5
	in_ns "$NS_R" curl -sf "http://127.0.0.1:$MPORT/metrics" >"$TMP/after.prom"
	code=$(in_ns "$NS_R" curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/nope")
	check_eq "an unknown path is 404" "$code" 404
	code=$(in_ns "$NS_R" curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$MPORT/metrics")
	check_eq "POST is 405" "$code" 405
	if out=$(promtool check metrics <"$TMP/after.prom" 2>&1); then
		pass "promtool check metrics passes${out:+ ($out)}"
	else
		fail "promtool check metrics: $out"
	fi
	promtool check metrics <"$TMP/during.prom" >/dev/null 2>&1 &&
		pass "promtool check metrics passes during traffic" ||
		fail "promtool check metrics during traffic: $(promtool check metrics <"$TMP/during.prom" 2>&1 | head -3)"
	# Let Prometheus scrape the final state, then ask it.
	sleep 2
	for q in 'xdpscope_packets_total{range="victim",dir="in",class="udp"}' \
		'xdpscope_packets_total{range="victim",dir="in",class="tcp"}' \
		'xdpscope_bytes_total{range="victim",dir="in",class="udp"}' \
		'xdpscope_tcp_flags_total{range="victim",dir="in",flag="syn"}' \
		'max_over_time(xdpscope_alert_active{range="victim",rule="syn-flood",attack="syn_flood"}[5m])' \
		'max_over_time(xdpscope_uniq_src{range="victim",dir="in"}[5m])' \
		'xdpscope_records_dropped_total' 'xdpscope_program_info'; do
		in_ns "$NS_R" curl -sfG "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$q"
		echo
	done >"$TMP/api.json"
	in_ns "$NS_R" curl -sfG "http://127.0.0.1:$PPORT/api/v1/series" \
		--data-urlencode 'match[]={key=~".+"}' >"$TMP/series-top.json"
	# The Grafana dashboard: every query it makes, as Prometheus sees it.
	"$PYTHON" - "$ROOT/dashboards/xdpscope.json" >"$TMP/dash-queries.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["panels"]:
    for t in p["targets"]:
        print(p["title"] + "\t" + t["expr"])
for v in d["templating"]["list"]:
    if v["type"] == "query":
        print("variable " + v["name"] + "\t" + v["definition"])
PY
	while IFS=$'\t' read -r title expr; do
		q=${expr//\$__rate_interval/1m}
		q=${q//\$range/.*}
		if [[ $q == label_values* ]]; then
			m=${q#label_values(}; lab=${m#*, }; lab=${lab%)}; m=${m%%,*}
			in_ns "$NS_R" curl -sfG "http://127.0.0.1:$PPORT/api/v1/label/$lab/values" \
				--data-urlencode "match[]=$m" >"$TMP/dq.json"
		else
			in_ns "$NS_R" curl -sfG "http://127.0.0.1:$PPORT/api/v1/query" \
				--data-urlencode "query=$q" >"$TMP/dq.json"
		fi
		"$PYTHON" - "$TMP/dq.json" "$title" <<'PY' >>"$TMP/dash.log"
import json, sys
try:
    r = json.load(open(sys.argv[1]))
    ok, n = r["status"] == "success", len(r["data"] if isinstance(r["data"], list) else r["data"]["result"])
except Exception as e:
    ok, n = False, 0
print(("PASS" if ok else "FAIL") + ": dashboard '%s': Prometheus runs its query (%d series)" % (sys.argv[2], n))
PY
	done <"$TMP/dash-queries.txt"
	daemon_stop "$DPID"
	"$PYTHON" - "$ROOT/dashboards/xdpscope.json" "$TMP/after.prom" "$TMP/during.prom" <<'PY' >>"$TMP/dash.log"
import json, re, sys
d = json.load(open(sys.argv[1]))
have = {}
for f in sys.argv[2:]:
    for l in open(f):
        m = re.match(r"([a-z_]+)(\{[^}]*\})? ", l)
        if m and not l.startswith("#"):
            have.setdefault(m.group(1), set()).update(re.findall(r'(\w+)="', m.group(2) or ""))
exprs = [t["expr"] for p in d["panels"] for t in p["targets"]]
exprs += [v["definition"] for v in d["templating"]["list"] if v["type"] == "query"]
fails = []
for e in exprs:
    names = re.findall(r"\b(xdpscope_[a-z_]+)", e)
    for n in names:
        if n not in have:
            fails.append("%s: no such metric in a scrape" % n)
    for n, sel in re.findall(r"\b(xdpscope_[a-z_]+)\{([^}]*)\}", e):
        for lab in re.findall(r"(\w+)\s*(?:=~|!=|=)", sel):
            if lab not in have.get(n, ()):
                fails.append("%s has no label %s" % (n, lab))
    for grp in re.findall(r"by \(([^)]*)\)", e):
        for lab in [x.strip() for x in grp.split(",")]:
            if not any(lab in have.get(n, ()) for n in names):
                fails.append("by (%s) in %s: no such label" % (lab, e))
    m = re.match(r"label_values\((\w+), (\w+)\)", e)
    if m and m.group(2) not in have.get(m.group(1), ()):
        fails.append("variable: %s has no label %s" % m.groups())
vars_ = [v["name"] for v in d["templating"]["list"]]
ds = {v.get("query") for v in d["templating"]["list"] if v["type"] == "datasource"}
print(("FAIL: dashboard: " + "; ".join(sorted(set(fails)))) if fails else
      "PASS: dashboard: every metric and label its %d queries use is in a real scrape" % len(exprs))
print(("PASS" if "range" in vars_ and ds == {"prometheus"} else "FAIL") +
      ": dashboard: a Prometheus data source and a range variable (%s)" % vars_)
tops = [p for p in d["panels"] if any("xdpscope_top_" in t["expr"] for t in p["targets"])]
bad = [p["title"] for p in tops if "metrics.top_ranges" not in p.get("description", "")]
print(("FAIL: dashboard: no word of metrics.top_ranges in %s" % bad) if bad else
      "PASS: dashboard: its %d top-key panels say they need metrics.top_ranges" % len(tops))
PY
	n_pass=$((n_pass + $(grep -c '^PASS' "$TMP/dash.log")))
	n_fail=$((n_fail + $(grep -c '^FAIL' "$TMP/dash.log")))
	grep '^FAIL' "$TMP/dash.log"
	"$PYTHON" - "$DOUT" "$TMP/during.prom" "$TMP/after.prom" "$TMP/api.json" \
		"$TMP/series-top.json" "$TOP_N" <<'PY' | tee "$TMP/m.log"
import json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
def parse(path):
    out = {}
    for l in open(path):
        if l.startswith("#") or not l.strip():
            continue
        m = re.match(r'([a-z_]+)(\{.*\})? (\S+)$', l.strip())
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        out[(m.group(1), tuple(sorted(labels.items())))] = float(m.group(3))
    return out
def get(d, name, **lab):
    return d.get((name, tuple(sorted(lab.items()))))
def res(ok, label):
    print(("PASS" if ok else "FAIL") + ": " + label)
during, after = parse(sys.argv[2]), parse(sys.argv[3])
api = [json.loads(l) for l in open(sys.argv[4]) if l.strip()]
rng = [r for r in recs if r["type"] == "range" and r["range"] == "victim" and r["dir"] == "in"]
tot = {c: sum(r["proto"][c]["pkts"] for r in rng) for c in ("tcp", "udp")}
totb = sum(r["proto"]["udp"]["bytes"] for r in rng)
syn = sum(r["tcp_flags"]["syn"] for r in rng)
res(tot == {"tcp": 3000 + 1 + 2 + 3 + 4, "udp": 1000 + 5 + 8 + 9},
    "NDJSON: the traffic sent (%s)" % tot)
for c in ("tcp", "udp"):
    v = get(after, "xdpscope_packets_total", range="victim", dir="in", **{"class": c})
    res(v == tot[c], "/metrics packets_total %s %s == NDJSON %d" % (c, v, tot[c]))
res(get(after, "xdpscope_bytes_total", range="victim", dir="in", **{"class": "udp"}) == totb,
    "/metrics bytes_total udp == NDJSON %d" % totb)
res(get(after, "xdpscope_tcp_flags_total", range="victim", dir="in", flag="syn") == syn,
    "/metrics tcp_flags_total syn == NDJSON %d" % syn)
# Every per-range counter family, every label value, against the records up
# to the interval the scrape after the traffic names.
import datetime
def rts(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
cut = get(after, "xdpscope_last_interval_timestamp_seconds")
upto = [r for r in recs if rts(r["ts"]) <= cut + 0.002]
classes, flags = ("tcp", "udp", "icmp", "other"), ("syn", "synack", "rst", "fin")
want = {}
for r in upto:
    if r["type"] != "range":
        continue
    lab = (("dir", r["dir"]), ("range", r["range"]))
    def add(name, extra, n):
        k = (name, tuple(sorted(lab + extra)))
        want[k] = want.get(k, 0) + n
    for c in classes:
        add("xdpscope_packets_total", (("class", c),), r["proto"][c]["pkts"])
        add("xdpscope_bytes_total", (("class", c),), r["proto"][c]["bytes"])
    for f in flags:
        add("xdpscope_tcp_flags_total", (("flag", f),), r["tcp_flags"][f])
    add("xdpscope_fragments_total", (), r["frags"])
pairs = {(r["range"], r["dir"]) for r in upto if r["type"] == "range" and r["pkts"]}
res(pairs == {(n, d) for n in ("victim", "other") for d in ("in", "out")},
    "the records: traffic in every (range, dir): %s" % sorted(pairs))
nonzero = [k for k in want if want[k] == 0]
res(not nonzero, "the records: every class, flag and fragment count is nonzero in every "
    "(range, dir) (zero: %s)" % nonzero[:4])
for fam in ("xdpscope_packets_total", "xdpscope_bytes_total", "xdpscope_tcp_flags_total",
            "xdpscope_fragments_total"):
    got = {k: v for k, v in after.items() if k[0] == fam}
    w = {k: v for k, v in want.items() if k[0] == fam}
    missing = sorted(set(w) - set(got))
    extra = sorted(set(got) - set(w))
    wrong = sorted(k for k in set(w) & set(got) if got[k] != w[k])
    res(not missing and not extra and not wrong,
        "/metrics %s: all %d series (range, dir%s) == the records' sums%s" % (
            fam, len(w), {"xdpscope_packets_total": ", class", "xdpscope_bytes_total": ", class",
                          "xdpscope_tcp_flags_total": ", flag"}.get(fam, ""),
            "; missing %s; extra %s; wrong %s" % (
                [dict(k[1]) for k in missing[:3]], [dict(k[1]) for k in extra[:3]],
                [(dict(k[1]), got[k], w[k]) for k in wrong[:3]])
            if missing or extra or wrong else ""))
# The whole interface's counters, against the summaries up to the same interval.
su = [r for r in upto if r["type"] == "summary"]
ws = {("xdpscope_seen_packets_total", (("outcome", "ipv4"),)): sum(r["ipv4"] for r in su),
      ("xdpscope_seen_packets_total", (("outcome", "ipv6"),)): sum(r["ipv6"] for r in su),
      ("xdpscope_seen_packets_total", (("outcome", "non_ip"),)): sum(r["non_ip"]["pkts"] for r in su),
      ("xdpscope_seen_packets_total", (("outcome", "malformed"),)):
          sum(r["malformed"]["pkts"] for r in su),
      ("xdpscope_seen_bytes_total", ()): sum(r["bytes"] for r in su),
      ("xdpscope_lookup_failures_total", ()): sum(r["missed"]["lookup_fail"] for r in su)}
for c in classes:
    ws[("xdpscope_unmatched_packets_total", (("class", c),))] = sum(
        r["unmatched"]["proto"][c]["pkts"] for r in su)
bad = [(k[0], dict(k[1]), after.get(k), v) for k, v in ws.items() if after.get(k) != v]
zero = [(k[0], dict(k[1])) for k, v in ws.items() if not v and "malformed" not in str(k)
        and "lookup" not in k[0]]
res(not zero, "the summaries: ipv4, ipv6, non_ip and every unmatched class nonzero (zero: %s)"
    % zero)
res(not bad,
    "/metrics seen_packets_total (every outcome), seen_bytes_total, unmatched_packets_total "
    "(every class), lookup_failures_total == the summaries' sums%s" % ("; wrong " + str(bad[:3])
                                                                      if bad else ""))
# The gauges of the scrape during traffic are those of the record of its interval.
ts = get(during, "xdpscope_last_interval_timestamp_seconds")
same = [r for r in rng if abs(rts(r["ts"]) - ts) < 0.002]
res(len(same) == 1, "the scrape during traffic names an interval of the records (%s)" % ts)
if same:
    r = same[0]
    res(get(during, "xdpscope_uniq_src", range="victim", dir="in") == r["uniq_src"],
        "uniq_src gauge == the record's %d" % r["uniq_src"])
    top = r["top_dst"][0]
    res(get(during, "xdpscope_top_packets", range="victim", dir="in", list="dst", rank="1",
            key=top["addr"]) == top["pkts"], "top_packets dst rank 1 == the record's %s" % top)
    al = get(during, "xdpscope_alert_active", range="victim", dir="in", rule="syn-flood",
             attack="syn_flood")
    res(al == 1, "alert_active gauge during the flood: %s" % al)
summ = [x for x in recs if x["type"] == "summary"]
res(get(after, "xdpscope_records_dropped_total") == 0, "records_dropped_total 0")
res(get(after, "xdpscope_program_info", hook="xdp", mode=summ[-1]["programs"][0]["mode"],
        id=str(summ[-1]["programs"][0]["id"])) == 1, "program_info names the attached program")
want = [tot["udp"], tot["tcp"], totb, syn, 1, None, 0, 1]
for i, (a, w) in enumerate(zip(api, want)):
    vals = [float(x["value"][1]) for x in a["data"]["result"]]
    if w is None:
        ok = vals and vals[0] >= 1
    else:
        ok = vals == [w]
    res(ok, "Prometheus API query %d: %s (expected %s)" % (i, vals, w))
# Opted in: the victim's keys, no other range's (other has top lists in the
# records of the same intervals), at most top_n ranks a list.
top_n = int(sys.argv[6])
ranks = [str(i) for i in range(1, top_n + 1)]
first = min(rts(r["ts"]) for r in rng)	# the victim's traffic came after the reload
other_top = [r for r in recs if r["type"] == "range" and r["range"] == "other" and
             rts(r["ts"]) >= first and r["top_src"]]
res(other_top and any(len(r["top_src"]) > top_n for r in rng),
    "the records after the reload: other has top lists (%d records), the victim more than %d "
    "top sources" % (len(other_top), top_n))
keyed = [dict(k[1]) | {"__name__": k[0]} for k in during if "key" in dict(k[1])]
got = {(s["range"], s["dir"], s["list"]) for s in keyed}
res(keyed and {s["range"] for s in keyed} == {"victim"} and
    {s["__name__"] for s in keyed} == {"xdpscope_top_packets", "xdpscope_top_bytes"} and
    all(s["rank"] in ranks for s in keyed) and
    all(sum(1 for s in keyed if (s["range"], s["dir"], s["list"]) == g and
            s["__name__"] == "xdpscope_top_packets") <= top_n for g in got),
    "/metrics during traffic after the reload: %d keyed series, all of range victim, ranks %s, "
    "at most %d a list (%s)" % (len(keyed), sorted({s["rank"] for s in keyed}), top_n,
                                sorted(got)))
ser = json.load(open(sys.argv[5]))["data"]
lists = {(s["range"], s["dir"], s["list"]) for s in ser}
res(ser and {s["range"] for s in ser} == {"victim"} and {s["rank"] for s in ser} <= set(ranks)
    and {s["__name__"] for s in ser} == {"xdpscope_top_packets", "xdpscope_top_bytes"},
    "Prometheus: %d series with a key label, ranges %s, ranks %s (expected victim only, "
    "ranks %s)" % (len(ser), sorted({s["range"] for s in ser}), sorted({s["rank"] for s in ser}),
                   ranks))
PY
	n_pass=$((n_pass + $(grep -c '^PASS' "$TMP/m.log")))
	n_fail=$((n_fail + $(grep -c '^FAIL' "$TMP/m.log")))
else
	fail "daemon did not start"
fi
kill "$PROM" 2>/dev/null
wait "$PROM" 2>/dev/null

# The HTTP and InfluxDB threads leave the signals to the main thread: a
# SIGINT stops a daemon with a 30 s interval at once, not at its next tick
# (but for the 5 s it gives InfluxDB, down here, to take the last lines).
if daemon_start sig "$NS_R" "$IF_R" -r 198.18.0.0/24=a -t 30s --metrics "127.0.0.1:$MPORT" \
	--influx "http://127.0.0.1:$PPORT/write?db=x"; then
	t0=$(date +%s%N)
	daemon_stop "$DPID"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	check "SIGINT stops a daemon with --metrics and --influx at once (rc $rc, $ms ms)" \
		test "$rc" -eq 0 -a "$ms" -lt 8000
fi
e2e_finish
