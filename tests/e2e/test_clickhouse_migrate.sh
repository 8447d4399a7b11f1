#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A store made before the mitigation columns (range and roll-ups:
# passed_* and blocked_*; summary: mitigation_*) takes `clickhouse-schema
# --upgrade` once (ClickHouse 18.16 has no ADD COLUMN IF NOT EXISTS):
# the columns are added, the range roll-ups' views made again, with and
# without a cluster; the plain schema then applies again and changes
# nothing. A replay with mitigation on stores rows with them, roll-ups
# too. One server, in its own
# namespace, as tests/e2e/test_clickhouse.sh runs it.
source "$(dirname "$0")/lib.sh"
e2e_init
for t in clickhouse-server clickhouse-client; do
	command -v "$t" >/dev/null || { fail "'$t' not found (make deps)"; e2e_finish; }
done
lab_up || { fail "lab setup"; e2e_finish; }
NS_D=$NS_R
ip -n "$NS_D" link set lo up
H=$((20000 + RANDOM % 20000)) T=$((H + 1))
d=$TMP/ch
mkdir -p "$d/data" "$d/tmp" "$d/log"
cat >"$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$d/log/server.log</log><errorlog>$d/log/err.log</errorlog><size>10M</size><count>1</count></logger>
  <http_port>$H</http_port>
  <tcp_port>$T</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <users_config>$d/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>5368709</mark_cache_size>
  <timezone>UTC</timezone>
  <remote_servers><fleet>
    <shard><replica><host>127.0.0.1</host><port>$T</port></replica></shard>
  </fleet></remote_servers>
</yandex>
XML
cat >"$d/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
XML
nsenter --net="/run/netns/$NS_D" clickhouse-server --config-file="$d/config.xml" >"$d/out" 2>&1 &
DAEMON_PIDS+=("$!")
in_ns "$NS_D" timeout 30 bash -c "until curl -sf http://127.0.0.1:$H/ping >/dev/null; do sleep 0.1; done" ||
	{ fail "clickhouse-server did not come up: $(tail -3 "$d/log/err.log" 2>/dev/null)"; e2e_finish; }
q() { in_ns "$NS_D" curl -sS "http://127.0.0.1:$H/" --data-binary "$1"; }
apply() { in_ns "$NS_D" clickhouse-client --port "$T" --multiquery <"$1"; }
new_cols="passed_pkts passed_bytes blocked_pkts blocked_bytes"
sum_cols="mitigation_blocked_in_pkts mitigation_blocked_in_bytes mitigation_blocked_out_pkts mitigation_blocked_out_bytes mitigation_filters mitigation_full"

# cols DB TABLE: its columns, space-separated, in order.
cols() { q "SELECT name FROM system.columns WHERE database = '$1' AND table = '$2' FORMAT TSV" | tr '\n' ' '; }

for variant in plain cluster; do
	db=mig_$variant
	args=(--database "$db")
	local_sfx=
	if [[ $variant == cluster ]]; then args+=(--cluster fleet); local_sfx=_local; fi
	"$XDPSCOPE" clickhouse-schema "${args[@]}" >"$TMP/$db.sql"
	"$XDPSCOPE" clickhouse-schema --upgrade "${args[@]}" >"$TMP/$db.up.sql"
	# A store made before: the same tables without the new columns.
	cp "$TMP/$db.sql" "$TMP/$db.old.sql"
	"$PYTHON" - "$TMP/$db.old.sql" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
for c in ("passed_pkts", "passed_bytes", "blocked_pkts", "blocked_bytes"):
    s = re.sub(r",\s*%s UInt64" % c, "", s)
    s = re.sub(r", sum\(%s\) AS %s" % (c, c), "", s)
s = re.sub(r",\s*mitigation_\w+ UInt64", "", s)
open(p, "w").write(s)
PY
	apply "$TMP/$db.old.sql" || fail "$variant: the old schema does not apply"
	check_eq "$variant: the old store has no mitigation columns" \
		"$(cols "$db" "range$local_sfx" | grep -c blocked_pkts)$(cols "$db" summary$local_sfx | grep -c mitigation_)" "00"
	apply "$TMP/$db.up.sql" || fail "$variant: --upgrade does not apply over the old store"
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
e2e_finish
