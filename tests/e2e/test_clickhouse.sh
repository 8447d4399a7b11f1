#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --clickhouse (issue 7): a fleet in one store.
#
# Two real clickhouse-server processes (Debian's 18.16) are the two shards
# of a cluster, in a "store" namespace, with the schema of
# `xdpscope clickhouse-schema --cluster` applied on both. Three hosts (a
# namespace each, each with its own traffic veth and its own link to the
# store) run `xdpscope run --clickhouse`: host 1 writes to shard A, host 2
# to shard B, host 3 through a proxy (tests/e2e/chproxy.py) that drops the
# answer of its first INSERTs after the server stored them.
#
# 1. The same 5,000 sources hit all three hosts, plus 2,000 of their own:
#    fleet totals (SQL) == the sum of the three hosts' NDJSON records,
#    exactly; fleet distinct sources within 2 % of the union (11,000:
#    5,000 + 3 x 2,000) while the hosts' own counts add up to 21,000; and the SQL estimator gives
#    exactly what the C estimator gives for a replay of all three
#    captures at once (same registers); a range of 9 sources stays exact
#    across hosts; the top source fleet-wide is the one that is heaviest
#    on two hosts (not the heaviest of any single host); every host's
#    alerts are in the store.
# 2. Shard B stopped while traffic flows and started again: every interval
#    of every host is stored exactly once (rows and sums), the lost
#    answers were not stored twice, and the summaries say what happened.
# 3. replay --clickhouse of captures of ../shared/pcaps: the store's sums
#    equal the ground truth.
# 4. Bad input: wrong URL, wrong password, a server answering garbage or
#    closing the connection, a full buffer: one clear line each, counted,
#    and the records all written.
source "$(dirname "$0")/lib.sh"
e2e_init
for t in clickhouse-server clickhouse-client mergecap; do
	command -v "$t" >/dev/null || { fail "'$t' not found (make deps)"; e2e_finish; }
done

out=$("$XDPSCOPE" run -i lo --clickhouse 127.0.0.1:8123 2>&1)
check "--clickhouse: a URL without http:// is a usage error ($out)" \
	grep -q 'expected http://HOST:PORT or https://HOST:PORT, got "127.0.0.1:8123"' <<<"$out"
out=$("$XDPSCOPE" clickhouse-query top-src --from yesterday 2>&1)
check "clickhouse-query: a bad --from is one line ($out)" \
	grep -qx "xdpscope: --from: expected 'YYYY-MM-DD hh:mm:ss' (UTC), got \"yesterday\"" <<<"$out"

lab_up || { fail "lab setup"; e2e_finish; }
NS_D=$NS_R	# the store
ip -n "$NS_D" link set lo up
BASE=$((20000 + RANDOM % 20000))
HA=$BASE TA=$((BASE + 1)) HB=$((BASE + 2)) TB=$((BASE + 3)) HP=$((BASE + 4))

# q SQL: the answer of shard A (TSV)
q() { in_ns "$NS_D" curl -sS "http://127.0.0.1:$HA/" --data-binary "$1"; }

ch_conf A "$HA" "$TA" "$TA" "$TB" && ch_conf B "$HB" "$TB" "$TA" "$TB"
ch_up A "$HA" && ch_up B "$HB" || e2e_finish
"$XDPSCOPE" clickhouse-schema --cluster fleet >"$TMP/schema.sql"
for p in "$TA" "$TB"; do
	in_ns "$NS_D" clickhouse-client --port "$p" --multiquery <"$TMP/schema.sql" ||
		fail "the shipped schema does not apply on the server at port $p"
done
check_eq "the schema made the same tables on both shards" \
	"$(q "SELECT count() FROM system.tables WHERE database = 'xdpscope'")" \
	"$(in_ns "$NS_D" curl -sS "http://127.0.0.1:$HB/" --data-binary "SELECT count() FROM system.tables WHERE database = 'xdpscope'")"

# The hosts: namespace H_i, traffic veth S:a_i -> H_i:b_i, and a link
# H_i:c_i (198.18.254.4i+1/30) -- store:d_i (198.18.254.4i+2/30).
HOSTS=(1 2 3)
for i in "${HOSTS[@]}"; do
	h=${RUN_ID}h$i
	ip netns add "$h" || { fail "netns $h"; e2e_finish; }
	EXTRA_NS+=("$h")
	EXTRA_IFS+=("$h:${RUN_ID}b$i")
	ip netns exec "$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip link add "${RUN_ID}a$i" netns "$NS_S" type veth peer name "${RUN_ID}b$i" netns "$h"
	ip link add "${RUN_ID}c$i" netns "$h" type veth peer name "${RUN_ID}d$i" netns "$NS_D"
	ip -n "$NS_S" link set "${RUN_ID}a$i" up
	ip -n "$h" link set "${RUN_ID}b$i" up
	ip -n "$h" link set lo up
	ip -n "$h" addr add "198.18.254.$((4 * i + 1))/30" dev "${RUN_ID}c$i"
	ip -n "$NS_D" addr add "198.18.254.$((4 * i + 2))/30" dev "${RUN_ID}d$i"
	ip -n "$h" link set "${RUN_ID}c$i" up
	ip -n "$NS_D" link set "${RUN_ID}d$i" up
done
timeout 5 bash -c "until ip -n ${RUN_ID}h3 link show ${RUN_ID}b3 | grep -q 'state UP'; do sleep 0.05; done"
nsenter --net="/run/netns/$NS_D" "$PYTHON" "$E2E_DIR/chproxy.py" "$HP" "$HA" lose 2 "$TMP/proxy.log" &
DAEMON_PIDS+=("$!")
PORT=("" "$HA" "$HB" "$HP")	# host i writes to PORT[i] of the store

# The traffic. Sources 198.19.0.1 ... (5,000 shared), 2,000 of each host's
# own; 198.19.250.1 sends 300 packets on hosts 1 and 2 (600 fleet-wide),
# 198.19.250.2 400 on host 3 alone; range "small": 3 shared sources and 2
# own a host (9 in all).
gen_host() { # gen_host I OUT
	"$PYTHON" - "$1" "$2" "$ROOT/tools" <<'PY'
import sys
sys.path.insert(0, sys.argv[3])
i, out = int(sys.argv[1]), sys.argv[2]
specs = []
for k in range(5000):
    specs.append(f"tcp,198.19.{k // 250}.{k % 250 + 1},198.18.0.10,sport={1024 + k},dport=80,flags=S")
for k in range(2000):
    specs.append(f"tcp,198.19.{100 + (i - 1) * 10 + k // 250}.{k % 250 + 1},198.18.0.10,sport={1024 + k},dport=443,flags=S")
heavy = "198.19.250.1,count=300" if i < 3 else "198.19.250.2,count=400"
src, count = heavy.split(",")
specs.append(f"udp,{src},198.18.0.20,sport=53,dport=5353,len=200,{count}")
for s in ["198.19.251.1", "198.19.251.2", "198.19.251.3", f"198.19.252.{2 * i - 1}", f"198.19.252.{2 * i}"]:
    specs.append(f"udp,{s},198.18.1.1,sport=123,dport=123")
import importlib.util
spec = importlib.util.spec_from_file_location("g", sys.argv[3] + "/gen-pcap.py")
sys.argv = ["gen-pcap.py", out] + [s + ",step=0.00001" for s in specs]
g = importlib.util.module_from_spec(spec)
spec.loader.exec_module(g)
g.main()
PY
}
for i in "${HOSTS[@]}"; do
	gen_host "$i" "$TMP/h$i.pcap" >/dev/null || fail "gen-pcap for host $i"
done
mergecap -F pcap -w "$TMP/all.pcap" "$TMP"/h[123].pcap
NPKT=$(capinfos -Mc "$TMP/h1.pcap" | awk '/Number of packets/ {print $NF}')

cat >"$TMP/pw" <<<"s3cret"
# what the replays on the C side read: the ranges and sketches, no store
cat >"$TMP/c.json" <<JSON
{"ranges": [{"name": "victim", "prefixes": ["198.18.0.0/24"]},
            {"name": "small", "prefixes": ["198.18.1.0/24"]}],
 "stats": {"hll_precision": 14}}
JSON
for i in "${HOSTS[@]}"; do
	cat >"$TMP/h$i.json" <<JSON
{"interval_ms": 500,
 "ranges": [{"name": "victim", "prefixes": ["198.18.0.0/24"]},
            {"name": "small", "prefixes": ["198.18.1.0/24"]}],
 "rules": [{"name": "syn-flood", "metric": "syn_pps", "above": 1000, "clear_s": 1}],
 "stats": {"hll_precision": 14},
 "output": {"clickhouse": {"url": "http://198.18.254.$((4 * i + 2)):${PORT[i]}",
   "database": "xdpscope", "user": "writer", "password_file": "$TMP/pw",
   "sketch_interval_s": 2, "hll_precision": 14}}}
JSON
	daemon_start "h$i" "${RUN_ID}h$i" "${RUN_ID}b$i" -c "$TMP/h$i.json" --host "host$i" ||
		{ fail "daemon h$i"; e2e_finish; }
	eval "PID_$i=$DPID"
done

send_all() { # send_all: every host's capture, one after another
	local i
	for i in "${HOSTS[@]}"; do
		in_ns "$NS_S" timeout 60 tcpreplay -q -i "${RUN_ID}a$i" --pps "$PPS" "$TMP/h$i.pcap" \
			>/dev/null 2>&1 || fail "tcpreplay into host $i"
	done
}
# stored_hosts TABLE: hosts with rows in it
stored_hosts() { q "SELECT count(DISTINCT host) FROM xdpscope.$1"; }

send_all
in_ns "$NS_D" timeout 30 bash -c "until [[ \$(curl -s http://127.0.0.1:$HA/ --data-binary 'SELECT count(DISTINCT host) FROM xdpscope.sketch') == 3 ]]; do sleep 0.2; done" ||
	fail "sketch windows of the three hosts did not arrive within 30 s ($(stored_hosts sketch))"

# 2. Shard B goes away while the hosts send, and comes back.
kill -TERM "$CH_PID_B"	# stopped as an operator stops it
timeout 30 tail --pid="$CH_PID_B" -f /dev/null || kill -KILL "$CH_PID_B"
wait "$CH_PID_B" 2>/dev/null
send_all
sleep 2	# a few intervals fail (what is checked is only that they all arrive)
ch_up B "$HB" || e2e_finish
# every daemon's last summary: nothing pending any more
for i in "${HOSTS[@]}"; do
	timeout 60 bash -c "until tail -n 200 '$TMP/h$i.out' | grep '\"type\":\"summary\"' | tail -1 | grep -q '\"clickhouse\":{\"sent\":[0-9]*,\"dropped\":0,\"failed\":[0-9]*,\"pending\":0'; do sleep 0.2; done" ||
		fail "host $i still has rows pending 60 s after shard B came back: $(grep '"type":"summary"' "$TMP/h$i.out" | tail -1 | grep -o '"clickhouse":{[^}]*}')"
done
for i in "${HOSTS[@]}"; do
	eval "pid=\$PID_$i"
	daemon_stop "$pid"
	check_eq "host $i: the daemon stopped cleanly" "$?" 0
done

# --- checks of parts 1 and 2 ---
"$PYTHON" - "$TMP" >"$TMP/ndjson.tsv" <<'PY'
import json, sys
tmp = sys.argv[1]
for i in (1, 2, 3):
    tot = {}
    nrange = nsum = 0
    last = None
    for line in open(f"{tmp}/h{i}.out"):
        r = json.loads(line)
        if r["type"] == "range":
            nrange += 1
            k = (r["range"], r["dir"])
            t = tot.setdefault(k, [0, 0, 0, 0])
            t[0] += r["pkts"]; t[1] += r["bytes"]; t[2] += r["tcp_flags"]["syn"]; t[3] += r["proto"]["udp"]["bytes"]
        elif r["type"] == "summary":
            nsum += 1
            last = r
    for (rg, d), t in sorted(tot.items()):
        print(f"tot\thost{i}\t{rg}\t{d}\t" + "\t".join(map(str, t)))
    print(f"rows\thost{i}\t{nrange}\t{nsum}")
    ch = last["sinks"]["clickhouse"]
    print(f"sink\thost{i}\t{ch['sent']}\t{ch['dropped']}\t{ch['failed']}\t{ch['found_stored']}")
PY
while IFS=$'\t' read -r kind host a b c d e f; do
	case $kind in
	tot)
		check_eq "$host $a/$b: the store's pkts, bytes, syn, udp bytes == its records" \
			"$(q "SELECT sum(pkts), sum(bytes), sum(tcp_flags_syn), sum(proto_udp_bytes) FROM xdpscope.range WHERE host = '$host' AND range = '$a' AND dir = '$b' FORMAT TSV" | tr '\t' ' ')" \
			"$c $d $e $f" ;;
	rows)
		check_eq "$host: range and summary rows stored once each == records written" \
			"$(q "SELECT count(), uniqExact(range, dir, ts, ms) FROM xdpscope.range WHERE host = '$host'" | tr '\t' ' ') $(q "SELECT count(), uniqExact(ts, ms) FROM xdpscope.summary WHERE host = '$host'" | tr '\t' ' ')" \
			"$a $a $b $b" ;;
	sink)
		check_eq "$host: the summary counts nothing dropped" "$b" 0
		note "$host: sinks.clickhouse sent $a, failed $c, found_stored $d"
		eval "FAILED_$host=$c FOUND_$host=$d" ;;
	esac
done <"$TMP/ndjson.tsv"
check "host2 (writing to shard B) counted failed posts while B was down ($FAILED_host2)" test "$FAILED_host2" -gt 0
check_eq "host3: answers lost after a store were found stored, not sent twice (proxy log: $(grep -c stored-then-lost "$TMP/proxy.log"))" \
	"$FOUND_host3" "$(grep -c stored-then-lost "$TMP/proxy.log")"
check "host3: the proxy lost answers of stored INSERTs" test "$(grep -c stored-then-lost "$TMP/proxy.log")" -ge 1
check_eq "hosts 2: B's outage was logged once" \
	"$(grep -c 'clickhouse: .*retrying, rows wait in a buffer' "$TMP/h2.err")" 1
check "host2: and its end ($(grep 'writing again' "$TMP/h2.err"))" grep -q 'clickhouse: .*: writing again' "$TMP/h2.err"

# fleet totals: the query shipped as `clickhouse-query totals`
"$XDPSCOPE" clickhouse-query totals >"$TMP/q.sql"
fleet=$(in_ns "$NS_D" curl -sS "http://127.0.0.1:$HA/" --data-binary @"$TMP/q.sql" |
	awk -F'\t' '$1 == "victim" && $2 == "in" {print $3, $4}')
check_eq "fleet totals (clickhouse-query totals) == the sum of the hosts' records" "$fleet" \
	"$(awk -F'\t' '$1 == "tot" && $3 == "victim" && $4 == "in" {p += $5; b += $6} END {print p, b}' "$TMP/ndjson.tsv")"
"$XDPSCOPE" clickhouse-query totals --hourly >"$TMP/q.sql"
check_eq "the hourly roll-up says the same" \
	"$(in_ns "$NS_D" curl -sS "http://127.0.0.1:$HA/" --data-binary @"$TMP/q.sql" | awk -F'\t' '$1 == "victim" && $2 == "in" {print $3, $4}')" "$fleet"

"$XDPSCOPE" clickhouse-query uniq-src >"$TMP/q.sql"
in_ns "$NS_D" curl -sS "http://127.0.0.1:$HA/" --data-binary @"$TMP/q.sql" >"$TMP/uniq.tsv"
uniq=$(awk -F'\t' '$1 == "victim" && $2 == "in" {print $3}' "$TMP/uniq.tsv")
each=0
for i in "${HOSTS[@]}"; do
	n=$("$XDPSCOPE" replay --whole -c "$TMP/c.json" "$TMP/h$i.pcap" 2>/dev/null |
		grep '"range":"victim"' | grep -o '"uniq_src":[0-9]*' | cut -d: -f2)
	each=$((each + n))
done
whole=$("$XDPSCOPE" replay --whole -c "$TMP/c.json" "$TMP/all.pcap" 2>/dev/null |
	grep '"range":"victim"' | grep -o '"uniq_src":[0-9]*' | cut -d: -f2)
note "distinct sources of victim: fleet (SQL) $uniq, union exact 11000, hosts' own counts add up to $each"
check "fleet distinct sources within 2% of the union, 11000 ($uniq)" \
	"$PYTHON" -c "import sys; sys.exit(abs($uniq - 11000) > 220)"
check "the hosts' own counts add up to about 21000 ($each)" \
	"$PYTHON" -c "import sys; sys.exit(abs($each - 21000) > 420)"
check_eq "the SQL estimator == the C estimator on the same registers (replay of all three captures)" \
	"$uniq" "$whole"
check_eq "range small: 9 sources across hosts, exact (uniq_src, exact)" \
	"$(awk -F'\t' '$1 == "small" && $2 == "in" {print $3, $4}' "$TMP/uniq.tsv")" "9 1"
"$XDPSCOPE" clickhouse-query uniq-src --hourly --range victim --dir in >"$TMP/q.sql"
check_eq "the hourly roll-up of the registers gives the same estimate" \
	"$(in_ns "$NS_D" curl -sS "http://127.0.0.1:$HA/" --data-binary @"$TMP/q.sql" | cut -f3)" "$uniq"

"$XDPSCOPE" clickhouse-query top-src --range victim --dir in --limit 2 >"$TMP/q.sql"
top=$(in_ns "$NS_D" curl -sS "http://127.0.0.1:$HA/" --data-binary @"$TMP/q.sql")
check_eq "fleet top source: heaviest on two hosts, 2 x 2 x 300 packets ($(tr '\t\n' ' ;' <<<"$top"))" \
	"$(head -1 <<<"$top" | cut -f3,4 | tr '\t' ' ')" "198.19.250.1 1200"
check_eq "then the heaviest of one host, 2 x 400" "$(sed -n 2p <<<"$top" | cut -f3,4 | tr '\t' ' ')" \
	"198.19.250.2 800"
"$XDPSCOPE" clickhouse-query alerts >"$TMP/q.sql"
check_eq "every host's alerts are in the store (hosts with a syn-flood start)" \
	"$(in_ns "$NS_D" curl -sS "http://127.0.0.1:$HA/" --data-binary @"$TMP/q.sql" | awk -F'\t' '$6 == "syn-flood" && $9 == "start" {print $3}' | sort -u | tr '\n' ' ')" \
	"host1 host2 host3 "

# 3. Captures of the shared set through replay --clickhouse (from host 1's
# namespace, which reaches the store), each under its own host name.
"$PYTHON" - "$GT" >"$TMP/gt.tsv" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))["captures"]
ok = [(k, c) for k, c in sorted(g.items()) if c.get("link_type") == "ether"
      and not c.get("frames_cap_len_under_14") and c["packets"] < 100000]
for k, c in ok[:8]:
    print(f"{k}\t{c['packets']}\t{c['bytes_wire']}")
PY
n=0
while IFS=$'\t' read -r f pk by; do
	n=$((n + 1))
	in_ns "${RUN_ID}h1" timeout 120 "$XDPSCOPE" replay -r 0.0.0.0/0=all4 -r ::/0=all6 \
		--host "gt$n" --clickhouse "http://198.18.254.6:$HA" "$PCAPS/$f" \
		>"$TMP/gt$n.out" 2>"$TMP/gt$n.err"
	rc=$?
	recs=$(grep -c '"type":"range"' "$TMP/gt$n.out")
	check_eq "replay --clickhouse $f: exit 0, every record stored, the store's sums == ground truth" \
		"$rc $(q "SELECT count() FROM xdpscope.range WHERE host = 'gt$n'") $(q "SELECT sum(pkts), sum(bytes) FROM xdpscope.summary WHERE host = 'gt$n' AND ifname = '$f'" | tr '\t' ' ')" \
		"0 $recs $pk $by"
	check_eq "$f: the store's range sums == the records'" \
		"$(q "SELECT sum(pkts), sum(bytes), sum(proto_tcp_pkts), sum(proto_udp_pkts), sum(tcp_flags_syn) FROM xdpscope.range WHERE host = 'gt$n'" | tr '\t' ' ')" \
		"$("$PYTHON" -c '
import json, sys
t = [0] * 5
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["type"] == "range":
        for i, v in enumerate((r["pkts"], r["bytes"], r["proto"]["tcp"]["pkts"], r["proto"]["udp"]["pkts"], r["tcp_flags"]["syn"])):
            t[i] += v
print(*t)' "$TMP/gt$n.out")"
done <"$TMP/gt.tsv"
check "some captures were replayed ($n)" test "$n" -ge 5

# Retention on the real servers: the captures' rows are years old, the
# hosts' are today's; --dry-run drops nothing, then each shard drops its
# own old partitions of the raw tables and roll-ups.
old=$(q "SELECT count() FROM xdpscope.range WHERE ts < now() - 8 * 86400")
new=$(q "SELECT count() FROM xdpscope.range WHERE ts >= now() - 86400")
in_ns "${RUN_ID}h1" "$XDPSCOPE" clickhouse-retention --url "http://198.18.254.6:$HA" \
	--cluster fleet --dry-run >"$TMP/ret.dry" 2>&1
check "the captures left rows older than 8 days ($old)" test "$old" -gt 0
check "clickhouse-retention --dry-run prints DROP PARTITION statements ($(head -1 "$TMP/ret.dry"))" \
	grep -q "^ALTER TABLE xdpscope.range_local DROP PARTITION '20" "$TMP/ret.dry"
check_eq "--dry-run dropped nothing" "$(q "SELECT count() FROM xdpscope.range WHERE ts < now() - 8 * 86400")" "$old"
rc=0
for i in 1 2; do	# shard A through host 1's link, shard B through host 2's
	in_ns "${RUN_ID}h$i" "$XDPSCOPE" clickhouse-retention --url "http://198.18.254.$((4 * i + 2)):${PORT[i]}" \
		--cluster fleet >"$TMP/ret$i.out" 2>&1 || rc=1
done
check_eq "clickhouse-retention on both shards: exit 0; the old rows gone ($old before), today's kept" \
	"$rc $(q "SELECT count() FROM xdpscope.range WHERE ts < now() - 8 * 86400") $(q "SELECT count() FROM xdpscope.range WHERE ts >= now() - 86400")" \
	"0 0 $new"
check_eq "and the old hourly roll-ups too" \
	"$(q "SELECT count() FROM xdpscope.range_1h WHERE t < now() - 731 * 86400")" 0

# 4. Bad input: one line each, counted, every record still written.
# 3000 one-packet intervals: ~6000 rows, more than 1 MiB; 100 for the rest
"$PYTHON" "$ROOT/tools/gen-pcap.py" "$TMP/many.pcap" "udp,198.19.0.1,198.18.0.10,count=3000" >/dev/null
"$PYTHON" "$ROOT/tools/gen-pcap.py" "$TMP/some.pcap" "udp,198.19.0.1,198.18.0.10,count=100" >/dev/null
bad_replay() { # bad_replay NAME URL [ARGS...]: a replay against a bad store
	local name=$1 url=$2
	shift 2
	in_ns "${RUN_ID}h1" timeout 60 "$XDPSCOPE" replay -r 198.18.0.0/24=victim --host "$name" \
		--clickhouse "$url" "$@" "$TMP/some.pcap" >"$TMP/$name.out" 2>"$TMP/$name.err"
	BAD_RC=$?
	BAD_ERR=$(cat "$TMP/$name.err")
	BAD_SINK=$(grep '"type":"summary"' "$TMP/$name.out" | tail -1 | grep -o '"clickhouse":{[^}]*}')
}
bad_case() { # bad_case LABEL PATTERN: checks of the last bad_replay
	check_eq "$1: replay writes all its records, and exits 1 (the store did not take them)" \
		"$BAD_RC $(grep -c '"type":"range"' "$TMP/$name.out")" \
		"1 $(grep -c '"type":"range"' "$TMP/h1ref.out")"
	check "$1: one line says why ($(head -1 <<<"$BAD_ERR"))" \
		test "$(grep -c "$2" <<<"$BAD_ERR")" -eq 1
	check "$1: one line counts the rows given up ($(tail -1 <<<"$BAD_ERR"))" \
		test "$(grep -c 'clickhouse: .*: [1-9][0-9]* rows could not be written' <<<"$BAD_ERR")" -eq 1
	check "$1: the summary counts them, pending or failed ($BAD_SINK)" \
		grep -Eq '"(failed|pending)":[1-9]' <<<"$BAD_SINK"
	check_eq "$1: nothing else on stderr" "$(wc -l <<<"$BAD_ERR")" 2
}
in_ns "${RUN_ID}h1" "$XDPSCOPE" replay -r 198.18.0.0/24=victim "$TMP/some.pcap" >"$TMP/h1ref.out" 2>/dev/null
name=badurl
bad_replay badurl "http://198.18.254.6:1"
bad_case "a URL nobody listens at" "clickhouse: http://198.18.254.6:1: Couldn't connect to server; retrying"
name=badpw
bad_replay badpw "http://writer:wrong@198.18.254.6:$HA"
bad_case "a wrong password" "clickhouse: http://198.18.254.6:$HA answered HTTP 401: .*Wrong password for user writer"
check_eq "a wrong password stored nothing" "$(q "SELECT count() FROM xdpscope.range WHERE host = 'badpw'")" 0
nsenter --net="/run/netns/$NS_D" "$PYTHON" "$E2E_DIR/chproxy.py" "$((HP + 1))" "$HA" garbage &
DAEMON_PIDS+=("$!")
nsenter --net="/run/netns/$NS_D" "$PYTHON" "$E2E_DIR/chproxy.py" "$((HP + 2))" "$HA" close &
DAEMON_PIDS+=("$!")
sleep 0.5
name=garbage
bad_replay garbage "http://198.18.254.6:$((HP + 1))"
bad_case "a server answering garbage" "clickhouse: http://198.18.254.6:$((HP + 1)): .*retrying"
name=closing
bad_replay closing "http://198.18.254.6:$((HP + 2))"
bad_case "a server closing the connection" "clickhouse: http://198.18.254.6:$((HP + 2)): .*retrying"
cat >"$TMP/small.json" <<JSON
{"output": {"clickhouse": {"buffer": "1M"}}}
JSON
in_ns "${RUN_ID}h1" timeout 90 "$XDPSCOPE" replay -r 198.18.0.0/24=victim -c "$TMP/small.json" \
	--host full --clickhouse "http://198.18.254.6:1" "$TMP/many.pcap" >"$TMP/full.out" 2>"$TMP/full.err"
rc=$?
sink=$(grep '"type":"summary"' "$TMP/full.out" | tail -1 | grep -o '"clickhouse":{[^}]*}')
check_eq "a full buffer: replay writes all 3000 intervals (exit 1: rows dropped)" \
	"$rc $(grep -c '"type":"range"' "$TMP/full.out")" "1 3000"
check "a full buffer: the oldest rows are dropped and counted ($sink)" grep -q '"dropped":[1-9]' <<<"$sink"
check "a full buffer: one line for the outage, one for the rows lost ($(tr '\n' '|' <"$TMP/full.err"))" \
	test "$(grep -c 'retrying' "$TMP/full.err") $(grep -c 'rows could not be written' "$TMP/full.err")" = "1 1"
e2e_finish
