#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A store made before the mitigation columns (range and roll-ups:
# passed_* and blocked_*; summary: mitigation_*) and the agent columns
# (range and alert: agent, ifindex, in the sorting key) takes
# `clickhouse-schema --upgrade` once (ClickHouse 18.16 has no ADD COLUMN
# IF NOT EXISTS): the columns are added, the range roll-ups' views made
# again, with and without a cluster; a store with the mitigation columns
# but not the agent ones takes --upgrade=agent; the plain schema then
# applies again and changes nothing. A replay with mitigation on stores
# rows with them, roll-ups too. `collect` with sflow.views stores a row
# per view (agent) of one range and interval, kept apart after a merge,
# in a fresh and an upgraded store. One server, in its own namespace, as
# tests/e2e/test_clickhouse.sh runs it.
source "$(dirname "$0")/lib.sh"
e2e_init
for t in clickhouse-server clickhouse-client; do
	command -v "$t" >/dev/null || { fail "'$t' not found (make deps)"; e2e_finish; }
done
lab_up || { fail "lab setup"; e2e_finish; }
NS_D=$NS_R
ip -n "$NS_D" link set lo up
H=$((20000 + RANDOM % 20000)) T=$((H + 1))
ch_conf ch "$H" "$T" "$T"
ch_up ch "$H" || e2e_finish
q() { in_ns "$NS_D" curl -sS "http://127.0.0.1:$H/" --data-binary "$1"; }
apply() { in_ns "$NS_D" clickhouse-client --port "$T" --multiquery <"$1"; }
new_cols="passed_pkts passed_bytes blocked_pkts blocked_bytes"
sum_cols="mitigation_blocked_in_pkts mitigation_blocked_in_bytes mitigation_blocked_out_pkts mitigation_blocked_out_bytes mitigation_filters mitigation_full"

# cols DB TABLE: its columns, space-separated, in order.
cols() { q "SELECT name FROM system.columns WHERE database = '$1' AND table = '$2' FORMAT TSV" | tr '\n' ' '; }

# old_schema FILE STEP...: the schema in FILE as a store made before those
# steps' columns had it.
old_schema() {
	"$PYTHON" - "$@" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
if "mitigation" in sys.argv[2:]:
    for c in ("passed_pkts", "passed_bytes", "blocked_pkts", "blocked_bytes"):
        s = re.sub(r",\s*%s UInt64" % c, "", s)
        s = re.sub(r", sum\(%s\) AS %s" % (c, c), "", s)
    s = re.sub(r",\s*mitigation_\w+ UInt64", "", s)
if "agent" in sys.argv[2:]:
    s = s.replace(", agent String, ifindex UInt32", "").replace(", agent, ifindex)", ")")
if "syn" in sys.argv[2:]:
    s = s.replace(", 'syn' = 5", "")
open(p, "w").write(s)
PY
}

# list_type DB TABLE: the type of its column `list`.
list_type() { q "SELECT type FROM system.columns WHERE database = '$1' AND table = '$2' AND name = 'list' FORMAT TSV" | tr -d '\\'; }

for variant in plain cluster agent agent_cluster syn syn_cluster; do
	db=mig_$variant
	args=(--database "$db")
	local_sfx=
	if [[ $variant == *cluster ]]; then args+=(--cluster fleet); local_sfx=_local; fi
	steps=(mitigation agent syn)
	if [[ $variant == agent* ]]; then steps=(agent syn); fi
	if [[ $variant == syn* ]]; then steps=(syn); fi
	"$XDPSCOPE" clickhouse-schema "${args[@]}" >"$TMP/$db.sql"
	"$XDPSCOPE" clickhouse-schema --upgrade="${steps[0]}" "${args[@]}" >"$TMP/$db.up.sql"
	# A store made before: the same tables without the new columns.
	cp "$TMP/$db.sql" "$TMP/$db.old.sql"
	old_schema "$TMP/$db.old.sql" "${steps[@]}"
	apply "$TMP/$db.old.sql" || fail "$variant: the old schema does not apply"
	[[ ${steps[0]} != syn ]] &&
		check_eq "$variant: the old store has none of the new columns" \
			"$(cols "$db" "range$local_sfx" | grep -c ' agent ')$(cols "$db" "alert$local_sfx" | grep -c ' ifindex ')" "00"
	check_eq "$variant: the old store's top lists have no 'syn'" \
		"$(list_type "$db" "top$local_sfx" | grep -c "'syn'")" 0
	apply "$TMP/$db.up.sql" || fail "$variant: --upgrade does not apply over the old store"
	for tb in top top_1h; do
		for sfx in $local_sfx ""; do
			check "$variant: $tb$sfx lists 'syn' after --upgrade" \
				grep -q "'syn' = 5" <<<"$(list_type "$db" "$tb$sfx")"
		done
	done
	for tb in range alert; do
		for sfx in $local_sfx ""; do
			check "$variant: $tb$sfx has agent and ifindex after ifname" \
				grep -q ' ifname agent ifindex ' <<<" $(cols "$db" "$tb$sfx")"
		done
		check_eq "$variant: $tb$local_sfx sorts by agent and ifindex too" \
			"$(q "SELECT sorting_key LIKE '%agent, ifindex' FROM system.tables WHERE database = '$db' AND name = '$tb$local_sfx' FORMAT TSV")" 1
	done
	for tb in range range_1m range_1h; do
		for sfx in $local_sfx ""; do
			got=$(cols "$db" "$tb$sfx")
			miss=
			for c in $new_cols; do [[ " $got" == *" $c "* ]] || miss+=" $c"; done
			check_eq "$variant: $tb$sfx has the passed and blocked columns" "$miss" ""
		done
	done
	got=$(cols "$db" "summary$local_sfx")
	miss=
	for c in $sum_cols; do [[ " $got" == *" $c "* ]] || miss+=" $c"; done
	check_eq "$variant: summary$local_sfx has the mitigation columns" "$miss" ""
	before=$(q "SELECT count() FROM system.columns WHERE database = '$db'")
	apply "$TMP/$db.sql" || fail "$variant: the schema does not apply after --upgrade"
	check_eq "$variant: the schema after --upgrade changes nothing" \
		"$(q "SELECT count() FROM system.columns WHERE database = '$db'")" "$before"
done

# A fresh store and a replay with mitigation on: range rows carry passed.
"$XDPSCOPE" clickhouse-schema --database fresh >"$TMP/fresh.sql"
apply "$TMP/fresh.sql" || fail "a fresh store"
cat >"$TMP/cfg.json" <<JSON
{"ranges": [{"name": "all4", "prefixes": ["0.0.0.0/0"]}, {"name": "all6", "prefixes": ["::/0"]}],
 "mitigation": {"enabled": true},
 "output": {"clickhouse": {"url": "http://127.0.0.1:$H", "database": "fresh"}}}
JSON
cap=$PCAPS/tls2.pcap
in_ns "$NS_D" "$XDPSCOPE" replay -c "$TMP/cfg.json" "$cap" >"$TMP/replay.out" 2>"$TMP/replay.err" ||
	fail "replay --clickhouse: $(tail -2 "$TMP/replay.err")"
want=$("$PYTHON" -c '
import json, sys
print(sum(r["passed"]["pkts"] for r in map(json.loads, open(sys.argv[1])) if r["type"] == "range"))' "$TMP/replay.out")
check_eq "the store's passed_pkts equal the records' ($want)" \
	"$(q "SELECT sum(passed_pkts), sum(blocked_pkts) FROM fresh.range FORMAT TSV")" "$want	0"
check_eq "the roll-up too" "$(q "SELECT sum(passed_pkts) FROM fresh.range_1m FORMAT TSV")" "$want"
# The upgraded store's remade view rolls them up as well.
sed -i 's/"database": "fresh"/"database": "mig_plain"/' "$TMP/cfg.json"
in_ns "$NS_D" "$XDPSCOPE" replay -c "$TMP/cfg.json" "$cap" >/dev/null 2>"$TMP/replay.err" ||
	fail "replay --clickhouse (upgraded): $(tail -2 "$TMP/replay.err")"
check_eq "the upgraded store's roll-up has passed_pkts" \
	"$(q "SELECT sum(passed_pkts) FROM mig_plain.range_1m FORMAT TSV")" "$want"

# The SYN list (stats.top "syn") goes to a fresh store and to one
# upgraded from before it: top rows of list 'syn' naming the flood's
# victim, and the hourly roll-up.
for db in fresh mig_syn; do
	cat >"$TMP/syn.json" <<JSON
{"ranges": [{"name": "all4", "prefixes": ["0.0.0.0/0"]}],
 "stats": {"top": ["src", "dst", "dport", "sport", "syn"]},
 "output": {"clickhouse": {"url": "http://127.0.0.1:$H", "database": "$db"}}}
JSON
	in_ns "$NS_D" "$XDPSCOPE" replay -c "$TMP/syn.json" "$PCAPS/pkt.TCP.synflood.spoofed.pcap" \
		>"$TMP/syn.out" 2>"$TMP/syn.err" ||
		fail "$db: replay with the SYN list: $(tail -2 "$TMP/syn.err")"
	victim=$("$PYTHON" -c '
import json, sys
recs = [r for r in map(json.loads, open(sys.argv[1])) if r["type"] == "range" and r.get("top_syn")]
print(max(recs, key=lambda r: r["top_syn"][0]["pkts"])["top_syn"][0]["addr"])' "$TMP/syn.out")
	check_eq "$db: the store's SYN list names the flood's victim ($victim)" \
		"$(q "SELECT key FROM $db.top WHERE list = 'syn' ORDER BY pkts DESC LIMIT 1 FORMAT TSV")" "$victim"
	check_eq "$db: and its hourly roll-up" \
		"$(q "SELECT key FROM $db.top_1h WHERE list = 'syn' ORDER BY pkts DESC LIMIT 1 FORMAT TSV")" "$victim"
done

# collect with sflow.views: two agents' samples of one range in one
# interval are two rows, each with its agent and counts, kept apart by a
# merge (the sorting key), in a fresh store and an upgraded one.
SPORT=$((H + 2))
for db in fresh mig_agent; do
	cat >"$TMP/views.json" <<JSON
{"interval_ms": 600000, "ranges": [{"name": "r4", "prefixes": ["198.18.5.0/24"]}],
 "sflow": {"views": "ifindex"},
 "output": {"clickhouse": {"url": "http://127.0.0.1:$H", "database": "$db"}}}
JSON
	nsenter --net="/run/netns/$NS_D" "$XDPSCOPE" collect --sflow 127.0.0.1:$SPORT \
		-c "$TMP/views.json" >"$TMP/collect.out" 2>"$TMP/collect.err" &
	cpid=$!
	DAEMON_PIDS+=("$cpid")
	in_ns "$NS_D" timeout 10 bash -c "until grep -q 'sflow: listening' '$TMP/collect.err'; do sleep 0.05; done" ||
		fail "$db: the collector did not start: $(tail -2 "$TMP/collect.err")"
	in_ns "$NS_D" "$PYTHON" "$E2E_DIR/sflowgen.py" send 127.0.0.1 $SPORT flow --count 2 --input 3
	in_ns "$NS_D" "$PYTHON" "$E2E_DIR/sflowgen.py" send 127.0.0.1 $SPORT flow --count 3 \
		--agent 198.18.0.2 --input 4
	daemon_stop "$cpid"
	check_eq "$db: collect with views exits 0" "$?" 0
	q "OPTIMIZE TABLE $db.range FINAL" >/dev/null
	check_eq "$db: a range row per view, with its agent, ifindex and counts" \
		"$(q "SELECT agent, ifindex, pkts FROM $db.range WHERE range = 'r4' ORDER BY agent FORMAT CSV" | tr '\n' ' ')" \
		'"198.18.0.1",3,20 "198.18.0.2",4,30 '
	check_eq "$db: the roll-up adds the views up" \
		"$(q "SELECT sum(pkts) FROM $db.range_1m WHERE range = 'r4' FORMAT TSV")" 50
done
e2e_finish
