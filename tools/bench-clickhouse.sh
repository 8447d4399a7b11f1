#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The ClickHouse figures of `make bench`: a clickhouse-server of its own on
# loopback (a temp dir, a random port, removed on exit), the shipped schema,
# then:
#  1. one writer at 10,000 ranges (tools/bench_clickhouse.c, the sink's own
#     code): rows a second stored end to end, CPU an interval;
#  2. the store's bytes a row of each table, from system.parts, and so the
#     bytes a host adds a day at 10,000 ranges, with and without sketches;
#  3. the fleet distinct-sources query for one range over a day of sketch
#     windows from 3 hosts (every register set: the worst case), min and
#     median of 5, raw windows and hourly roll-up.
# Figures only, no pass/fail. Usage: bench-clickhouse.sh [RANGES] [INTERVALS]
set -euo pipefail
cd "$(dirname "$0")/.."
RANGES=${1:-10000}
INTERVALS=${2:-120}
command -v clickhouse-server >/dev/null || { echo "clickhouse-server not installed (make deps)"; exit 0; }
dir=$(mktemp -d /tmp/xs-bench-ch.XXXXXX)
pid=
cleanup() {
	[[ -n $pid ]] && kill "$pid" 2>/dev/null && timeout 20 tail --pid="$pid" -f /dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
port=$((30000 + RANDOM % 20000))
mkdir -p "$dir/data" "$dir/tmp"
cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/server.log</log><errorlog>$dir/err.log</errorlog></logger>
  <http_port>$port</http_port>
  <tcp_port>$((port + 1))</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <users_config>$dir/users.xml</users_config>
  <mark_cache_size>5368709</mark_cache_size>
  <timezone>UTC</timezone>
</yandex>
XML
cat >"$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex><profiles><default></default></profiles>
<users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
<quotas><default></default></quotas></yandex>
XML
clickhouse-server --config-file="$dir/config.xml" >"$dir/out" 2>&1 &
pid=$!
url=http://127.0.0.1:$port
timeout 30 bash -c "until curl -sf $url/ping >/dev/null; do sleep 0.1; done"
q() { curl -sS "$url/" --data-binary "$1"; }
build/xdpscope clickhouse-schema | clickhouse-client --port $((port + 1)) --multiquery

echo "== ClickHouse: one writer, $RANGES ranges, $INTERVALS intervals of 1 s (tools/bench_clickhouse.c)"
build/tools/bench_clickhouse "$url" "$RANGES" "$INTERVALS"
q "OPTIMIZE TABLE xdpscope.range FINAL" >/dev/null
q "OPTIMIZE TABLE xdpscope.sketch FINAL" >/dev/null
q "OPTIMIZE TABLE xdpscope.top FINAL" >/dev/null
q "SELECT table, sum(rows), sum(bytes_on_disk) FROM system.parts WHERE active AND database = 'xdpscope' GROUP BY table FORMAT TSV" >"$dir/parts.tsv"
echo "== the store: bytes a row (system.parts), and a host's bytes a day at $RANGES ranges"
awk -F'\t' -v n="$RANGES" -v iv="$INTERVALS" '
{ rows[$1] = $2; bytes[$1] = $3 }
END {
	for (t in rows) if (rows[t]) printf "  %-10s %10d rows %12d bytes %8.1f bytes a row\n", t, rows[t], bytes[t], bytes[t] / rows[t]
	# a day: every range in one direction every second; sketch and top
	# windows as measured (60 s here), scaled to the default 300 s window
	# (the heavy ranges fill their registers either way)
	rec = bytes["range"] / iv * 86400 + bytes["range_1m"] / iv * 86400 + bytes["range_1h"] / iv * 86400 / 60
	win = iv / 60
	sk = (bytes["sketch"] + bytes["top"]) / win * 288 + bytes["hll_1h"] / win * 288 / 5 + bytes["sketch_1h"] / win * 24 + bytes["top_1h"] / win * 288 / 5
	printf "  a host a day: records and roll-ups %.2f GB; sketch windows (300 s) and their roll-ups %.2f GB; together %.2f GB\n", rec / 1e9, sk / 1e9, (rec + sk) / 1e9
}' "$dir/parts.tsv"

echo "== the fleet distinct-sources query: one range, a day of 300 s windows from 3 hosts, every register set"
q "INSERT INTO xdpscope.sketch (ts, ms, host, ifname, range, dir, window_s, intervals, pkts, bytes, hll_p, src_exact, src_lower_bound, src_hashes, hll_idx, hll_rank)
   SELECT toDateTime(1764720000 + intDiv(number, 3) * 300), 0, concat('host', toString(number % 3)), 'eth0', 'day', 'in', 300, 300, 1000000, 600000000, 12, 0, 0, [],
          arrayMap(i -> toUInt16(i), range(4096)), arrayMap(i -> toUInt8(1 + cityHash64(number, i) % 12), range(4096))
   FROM system.numbers LIMIT 864" >/dev/null
from="2025-12-03 00:00:00"
to="2025-12-04 00:00:00"
for mode in raw hourly; do
	args=(--range day --from "$from" --to "$to")
	[[ $mode == hourly ]] && args+=(--hourly)
	build/xdpscope clickhouse-query uniq-src "${args[@]}" >"$dir/q.sql"
	for i in 1 2 3 4 5; do
		curl -sS -o /dev/null -w '%{time_total}\n' "$url/" --data-binary @"$dir/q.sql"
	done | sort -n | awk -v m="$mode" '{ t[NR] = $1 } END { printf "  %-6s min %.3f s, median %.3f s (%s)\n", m, t[1], t[3], "clickhouse-query uniq-src" }'
done
echo "  answer: $(curl -sS "$url/" --data-binary @"$dir/q.sql" | tr '\t' ' ')"
