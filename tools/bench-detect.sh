#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Detection time, live: xdpscope runs on a veth with the default 1 s
# interval and the README's syn-flood rule (syn_pps over 1,000 and over 100
# distinct sources); a spoofed SYN flood of 50,000 sources at 100,000
# packets a second goes through the veth with tcpreplay, starting at a
# random point of an interval; the figure is the time from just before
# tcpreplay starts (so it includes tcpreplay's own start-up) to the `ts`
# of the alert's start record. ROUNDS rounds (default 5) with early
# detection on (alerts.check_ms 100, the default) and off (0, the start at
# the interval's end), interleaved. Uses the e2e lab (own namespaces,
# test addresses, everything removed on exit).
#   tools/bench-detect.sh XDPSCOPE [ROUNDS]
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/tests/e2e/lib.sh"
XDPSCOPE=$1
rounds=${2:-5}
e2e_init
lab_up || exit 1
"$PYTHON" - "$TMP/flood.pcap" <<'PY'
import struct, sys
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
dst = bytes([198, 18, 0, 10])
for i in range(50000):
    src = bytes([198, 19, i >> 8 & 0xff, i & 0xff])
    tcp = struct.pack("!HHIIBBHHH", 1024 + i % 60000, 80, i, 0, 0x50, 0x02, 64240, 0, 0)
    ph = src + dst + struct.pack("!BBH", 0, 6, len(tcp)) + tcp
    tcp = tcp[:16] + struct.pack("!H", csum(ph)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, i & 0xffff, 0, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    fr = bytes.fromhex("020000000002020000000001") + b"\x08\x00" + ip + tcp
    out.write(struct.pack("<IIII", 1700000000, i * 10, len(fr), len(fr)) + fr)
PY
for ms in 100 0; do
	cat >"$TMP/c$ms.json" <<JSON
{"ranges": [{"name": "victim", "prefixes": ["198.18.0.0/24"]}],
 "rules": [{"name": "syn-flood", "metric": "syn_pps", "above": 1000,
	    "and": [{"metric": "uniq_src", "above": 100}]}],
 "alerts": {"check_ms": $ms}}
JSON
done
: >"$TMP/raw.tsv"
echo "detect  load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; flood 100000 pkt/s, 50000 sources; interval 1 s"
for ((r = 1; r <= rounds; r++)); do
	for ms in 100 0; do
		daemon_start detect "$NS_R" "$IF_R" -c "$TMP/c$ms.json" || exit 1
		sleep "$("$PYTHON" -c 'import random; print(round(1 + random.random(), 3))')"
		t0=$(date +%s.%N)
		replay "$NS_S" "$IF_S" "$TMP/flood.pcap" 100000
		wait_for_line "$DOUT" '"state":"start"' 1 10
		daemon_stop "$DPID"
		"$PYTHON" - "$DOUT" "$t0" "$ms" >>"$TMP/raw.tsv" <<'PY'
import datetime, json, sys
t0 = float(sys.argv[2])
for l in open(sys.argv[1]):
    a = json.loads(l)
    if a["type"] == "alert" and a["state"] == "start":
        t = datetime.datetime.strptime(a["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        print("%s\t%.3f" % (sys.argv[3], t - t0))
        break
else:
    print("%s\tnan" % sys.argv[3])
PY
	done
done
"$PYTHON" - "$TMP/raw.tsv" <<'PY'
import statistics, sys
v = {}
for l in open(sys.argv[1]):
    ms, d = l.split()
    v.setdefault(ms, []).append(float(d))
for ms in ("100", "0"):
    x = sorted(v.get(ms, []))
    ok = [d for d in x if d == d]
    label = "early detection on (check_ms 100)" if ms == "100" else "off (start at the interval's end)"
    if ok:
        print("detect  %-34s first packet -> start record: min %.3f  median %.3f  max %.3f s  (%d of %d rounds alerted)"
              % (label, ok[0], statistics.median(ok), ok[-1], len(ok), len(x)))
    else:
        print("detect  %-34s no alert" % label)
PY
echo "detect  load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
e2e_finish
