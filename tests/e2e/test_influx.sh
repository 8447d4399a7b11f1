#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --influx and output.influx: a real InfluxDB 1.x (Debian's influxdb
# package, 1.6) started here on loopback inside the test's namespace
# receives every record as line protocol, and queried back holds the same
# values as the NDJSON records. The daemon started while InfluxDB is still
# down goes on writing records, counts the failed posts, keeps the lines in
# its bounded buffer and delivers them once InfluxDB is up: nothing lost.
# Then the same over HTTPS with authentication (a CA and server certificate
# made here with openssl): written with ca_file, user and password_file;
# without ca_file or with a wrong password, one line and counted failures.
# Last, InfluxDB 2.x: Debian has no 2.x server, so a recording HTTP server
# (httprec.py) checks the request a 2.x server would get.
source "$(dirname "$0")/lib.sh"
e2e_init
command -v influxd >/dev/null || { fail "'influxd' not found (make deps)"; e2e_finish; }

out=$("$XDPSCOPE" run -i lo --influx 127.0.0.1:8086 2>&1)
check "--influx: a URL without http:// is a usage error ($out)" \
	grep -q 'expected http(s)://HOST\[:PORT\]\[/PATH\]\[?QUERY\], got "127.0.0.1:8086"' <<<"$out"

lab_up || { fail "lab setup"; e2e_finish; }
ip -n "$NS_R" link set lo up
IPORT=$((20000 + RANDOM % 20000))
mkdir -p "$TMP/influx"
influx_conf() { # influx_conf FILE DIR PORT [HTTP SETTINGS...]: an influxd config
	local f=$1 dir=$2 port=$3
	shift 3
	cat >"$f" <<TOML
reporting-disabled = true
bind-address = "127.0.0.1:$((port + 1))"
[meta]
  dir = "$dir/meta"
[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:$port"
  log-enabled = false
TOML
	printf '  %s\n' "$@" >>"$f"
}
influx_conf "$TMP/influx.conf" "$TMP/influx" "$IPORT"
influx_up() {
	nsenter --net="/run/netns/$NS_R" influxd -config "$TMP/influx.conf" >"$TMP/influxd.log" 2>&1 &
	INFLUX=$!
	DAEMON_PIDS+=("$INFLUX")
	in_ns "$NS_R" timeout 20 bash -c "until curl -sf http://127.0.0.1:$IPORT/ping; do sleep 0.2; done" ||
		{ fail "influxd did not come up: $(tail -3 "$TMP/influxd.log")"; return 1; }
	in_ns "$NS_R" curl -sf -XPOST "http://127.0.0.1:$IPORT/query" --data-urlencode "q=CREATE DATABASE xs" >/dev/null
}
QURL=http://127.0.0.1:$IPORT QCURL=()
q() { # q INFLUXQL: the JSON answer (of the server at $QURL, curl options $QCURL)
	in_ns "$NS_R" curl -sfG "${QCURL[@]}" "$QURL/query" --data-urlencode db=xs --data-urlencode "q=$1"
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
	check "the failure is told once on stderr" test "$(grep -c "influx: http://127.0.0.1:$IPORT: Couldn't connect to server; retrying" "$DERR")" -eq 1
	down=$(grep '"type":"summary"' "$DOUT" | tail -1)
	check "the summary counts failed posts and pending lines" \
		grep -q '"influx":{"sent":0,"dropped":0,"failed_posts":[1-9][0-9]*,"pending":[1-9]' <<<"$down"
	influx_up
	sleep 4
	daemon_stop "$DPID"
	check "it says when writing works again" grep -q "influx: http://127.0.0.1:$IPORT: writing again" "$DERR"
	compare_influx "after an outage" "$DOUT"
fi
kill "$INFLUX" 2>/dev/null; wait "$INFLUX" 2>/dev/null

# sum_of FIELD: the influx sink's FIELD in the last summary of $DOUT.
sum_of() {
	grep '"type":"summary"' "$DOUT" | tail -1 |
		sed -n 's/.*"sinks":{.*"influx":{\([^}]*\)}.*/\1/p' | tr ',' '\n' |
		sed -n "s/^\"$1\":\([0-9]*\)$/\1/p"
}
# failing_for SECONDS: until the daemon has counted 2 failed posts over
# 3 summaries (a generous bound: a test never times what it checks).
failing_for() {
	local end=$((SECONDS + $1))
	until (($(grep -c '"type":"summary"' "$DOUT") >= 3)) && (($(sum_of failed) >= 2)); do
		((SECONDS < end)) || return 1
		sleep 0.2
	done
}

# 3. HTTPS and authentication against influxd: a CA of the test's own.
T=$TMP/tls
mkdir -p "$T" "$TMP/influx2"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -out "$T/ca.pem" -days 2 \
	-subj "/CN=xdpscope test CA" 2>"$T/log" &&
	openssl req -newkey rsa:2048 -nodes -keyout "$T/server.key" -out "$T/server.csr" \
		-subj "/CN=127.0.0.1" 2>>"$T/log" &&
	printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >"$T/ext" &&
	openssl x509 -req -in "$T/server.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
		-out "$T/server.pem" -days 2 -extfile "$T/ext" 2>>"$T/log" ||
	{ fail "openssl: $(tail -3 "$T/log")"; e2e_finish; }
SPORT=$((IPORT + 2))
influx_conf "$TMP/influx2.conf" "$TMP/influx2" "$SPORT" "https-enabled = true" \
	"https-certificate = \"$T/server.pem\"" "https-private-key = \"$T/server.key\"" \
	"auth-enabled = true"
nsenter --net="/run/netns/$NS_R" influxd -config "$TMP/influx2.conf" >"$TMP/influxd2.log" 2>&1 &
INFLUX2=$!
DAEMON_PIDS+=("$INFLUX2")
QURL=https://127.0.0.1:$SPORT QCURL=(--cacert "$T/ca.pem" -u admin:adminpw)
if ! in_ns "$NS_R" timeout 20 bash -c "until curl -sf --cacert $T/ca.pem $QURL/ping; do sleep 0.2; done"; then
	fail "influxd with https did not come up: $(tail -3 "$TMP/influxd2.log")"
	e2e_finish
fi
# With no user yet, influxd takes the first (an admin) without credentials.
for stmt in "CREATE USER admin WITH PASSWORD 'adminpw' WITH ALL PRIVILEGES" \
	"CREATE DATABASE xs" "CREATE USER writer WITH PASSWORD 'wr1ter pw'" \
	"GRANT WRITE ON xs TO writer"; do
	in_ns "$NS_R" curl -sf --cacert "$T/ca.pem" $([[ $stmt == *admin* ]] || echo -u admin:adminpw) \
		-XPOST "$QURL/query" --data-urlencode "q=$stmt" >/dev/null ||
		fail "influxd: $stmt"
done
printf 'wr1ter pw\n' >"$TMP/pw"
tls_cfg() { # tls_cfg FILE OUTPUT_INFLUX_JSON: the test's config with output.influx
	printf '{"ranges": [{"name": "victim", "prefixes": ["198.18.0.0/24"]}],\n "rules": [{"name": "syn-flood", "metric": "syn_pps", "above": 200, "clear_s": 1}],\n "output": {"influx": %s}}\n' "$2" >"$1"
}
tls_cfg "$TMP/tls.json" '{"url": "https://127.0.0.1:'"$SPORT"'/write", "db": "xs", "ca_file": "'"$T/ca.pem"'", "user": "writer", "password_file": "'"$TMP/pw"'"}'

# 3a. HTTPS with ca_file, basic authentication: everything arrives.
if daemon_start tls "$NS_R" "$IF_R" -c "$TMP/tls.json"; then
	replay "$NS_S" "$IF_S" "$TMP/mix.pcap" 1000
	kill -HUP "$DPID"	# the same config: nothing to say
	check "https: SIGHUP with the same output.influx" wait_for_line "$DERR" 'SIGHUP: config reloaded' 1
	sleep 1.5
	daemon_stop "$DPID"
	check_eq "https: the daemon said nothing about InfluxDB" "$(grep -c influx "$DERR")" 0
	compare_influx "https, authenticated" "$DOUT"
	check "https: the summary counts the lines sent" test "$(sum_of sent)" -gt 0
fi

# 3b. Without ca_file the server's certificate is not trusted: one line
# that says so, counted failures, records go on.
tls_cfg "$TMP/noca.json" '{"url": "https://127.0.0.1:'"$SPORT"'/write?db=xs", "user": "writer", "password_file": "'"$TMP/pw"'"}'
if daemon_start noca "$NS_R" "$IF_R" -c "$TMP/noca.json"; then
	check "https without ca_file: posts fail and are counted, records go on" failing_for 60
	daemon_stop "$DPID"
	note "$(grep influx "$DERR" | head -1)"
	check_eq "https without ca_file: one line about the certificate" \
		"$(grep -c "influx: https://127.0.0.1:$SPORT: .*certificate.*; retrying" "$DERR")" 1
	check_eq "https without ca_file: nothing sent" "$(sum_of sent)" 0
fi

# 3c. A wrong password (here as 1.x's u= and p= in --influx, which
# replaces the config's url): one line with InfluxDB's answer, counted.
if daemon_start badpw "$NS_R" "$IF_R" -c "$TMP/tls.json" \
	--influx "https://127.0.0.1:$SPORT/write?db=xs&u=writer&p=wrong"; then
	check "wrong password: posts fail and are counted, records go on" failing_for 60
	sed -i 's/"db": "xs"/"db": "xs", "buffer": "8M"/' "$TMP/tls.json"
	kill -HUP "$DPID"
	check "SIGHUP: a changed output.influx is told, the writer goes on" wait_for_line "$DERR" \
		"SIGHUP: output.influx: a change needs a restart; the lines go on to https://127.0.0.1:$SPORT as before" 1
	daemon_stop "$DPID"
	note "$(grep influx "$DERR" | head -1)"
	check_eq "wrong password: one line with the server's answer" \
		"$(grep -c "influx: https://127.0.0.1:$SPORT answered HTTP 401: .*authorization failed.*; retrying" "$DERR")" 1
	check_eq "wrong password: nothing sent" "$(sum_of sent)" 0
fi
kill "$INFLUX2" 2>/dev/null; wait "$INFLUX2" 2>/dev/null

# 4. InfluxDB 2.x. No InfluxDB 2.x server exists in Debian, so what is
# tested is the request one would get: the recording server checks the
# URL (path, org, bucket, precision=ns), the token header from the file,
# the Content-Type, and that the body is the very line protocol the 1.x
# path sent (which influxd took above) for the same records: a capture
# replayed once through each.
RPORT=$((IPORT + 4))
nsenter --net="/run/netns/$NS_R" "$PYTHON" "$E2E_DIR/httprec.py" "$RPORT" "$TMP/req.jsonl" \
	>"$TMP/httprec.log" 2>&1 &
REC=$!
DAEMON_PIDS+=("$REC")
timeout 20 bash -c "until grep -q ready $TMP/httprec.log; do sleep 0.1; done" ||
	{ fail "httprec.py did not start: $(cat "$TMP/httprec.log")"; e2e_finish; }
printf '  tok-3n+/Q==  \nnot the token\n' >"$TMP/token"
# A few intervals with a SYN flood (an alert) and UDP, 4 ms apart.
"$PYTHON" "$ROOT/tools/gen-pcap.py" "$TMP/v2.pcap" \
	tcp,198.19.0.7,198.18.0.10,sport=4000,dport=80,flags=S,count=700,step=0.004 \
	udp,198.19.0.8,198.18.0.20,sport=53,dport=5353,len=300,count=100,step=0.004 >/dev/null
tls_cfg "$TMP/v2.json" '{"url": "http://127.0.0.1:'"$RPORT"'/api/v2/write", "org": "my org", "bucket": "net", "token_file": "'"$TMP/token"'"}'
in_ns "$NS_R" "$XDPSCOPE" replay -c "$TMP/v2.json" --host h1 "$TMP/v2.pcap" >"$TMP/v2.out" 2>"$TMP/v2.err"
check_eq "2.x: replay --influx ends well ($(head -c 300 "$TMP/v2.err"))" $? 0
mv "$TMP/req.jsonl" "$TMP/req2.jsonl"
in_ns "$NS_R" "$XDPSCOPE" replay -c "$TMP/i.json" --host h1 --influx "http://127.0.0.1:$RPORT/write?db=xs" \
	"$TMP/v2.pcap" >"$TMP/v1.out" 2>"$TMP/v1.err"
check_eq "1.x: replay --influx ends well ($(head -c 300 "$TMP/v1.err"))" $? 0
mv "$TMP/req.jsonl" "$TMP/req1.jsonl"
kill "$REC"; wait "$REC" 2>/dev/null
"$PYTHON" - "$TMP/req2.jsonl" "$TMP/req1.jsonl" "$TMP/v2.out" <<'PY' | tee "$TMP/cmp2.log"
import json, re, sys, urllib.parse
v2 = [json.loads(l) for l in open(sys.argv[1])]
v1 = [json.loads(l) for l in open(sys.argv[2])]
recs = [json.loads(l) for l in open(sys.argv[3])]
def check(ok, what):
    print(("PASS" if ok else "FAIL") + ": 2.x: " + what)
check(len(v2) >= 1 and all(r["method"] == "POST" for r in v2), "%d POSTs" % len(v2))
for r in v2[:1] + v2[-1:]:
    u = urllib.parse.urlsplit(r["path"])
    q = urllib.parse.parse_qs(u.query)
    check(u.path == "/api/v2/write", "path %s" % u.path)
    check(q == {"org": ["my org"], "bucket": ["net"], "precision": ["ns"]}, "query %s" % u.query)
    check(r["headers"].get("authorization") == "Token tok-3n+/Q==",
          "Authorization: %s (the file's first line, trimmed)" % r["headers"].get("authorization"))
    check(r["headers"].get("content-type") == "text/plain; charset=utf-8",
          "Content-Type: %s" % r["headers"].get("content-type"))
u = urllib.parse.urlsplit(v1[0]["path"])
check(u.path == "/write" and urllib.parse.parse_qs(u.query) == {"db": ["xs"], "precision": ["ns"]}
      and "authorization" not in v1[0]["headers"], "the 1.x request: %s" % v1[0]["path"])
# What differs between two replays: the time a drain took, and the sinks'
# own counters at the time of each summary.
VOLATILE = re.compile(r"^(drain_ms|sinks_.*|influx_.*)=")
def lines(reqs):
    out = []
    for r in reqs:
        for l in r["body"].splitlines():
            head, fields, ts = l.split(" ")
            if head.startswith("xdpscope_summary"):
                fields = ",".join(f for f in fields.split(",") if not VOLATILE.match(f))
            out.append(" ".join((head, fields, ts)))
    return out
a, b = lines(v2), lines(v1)
kinds = sorted(set(l.split(",")[0] for l in a))
check(a == b and kinds == ["xdpscope_alert", "xdpscope_range", "xdpscope_summary"],
      "the body is the 1.x body, line for line (%d vs %d lines of %s)" % (len(a), len(b), kinds))
check(len(a) == len(recs), "a line a record (%d lines, %d records)" % (len(a), len(recs)))
PY
n_pass=$((n_pass + $(grep -c '^PASS' "$TMP/cmp2.log")))
n_fail=$((n_fail + $(grep -c '^FAIL' "$TMP/cmp2.log")))
e2e_finish
