#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `xdpscope replay` on bad and unusual capture files, and the replay
# mechanics the ground-truth test does not look at. No network: nothing is
# attached, replay only runs the BPF object under BPF_PROG_TEST_RUN.
#
# - Bad files, built here: a 0-byte file, a pcap header only, a cut last
#   record, random bytes, an unsupported link type (pcap and a pcapng with
#   two interfaces of different types), a huge snap length in the header,
#   records longer than the snap length. Each error is exactly one stderr
#   line "xdpscope: FILE: ..." naming the file (and the record number for
#   record errors), with the exit code asserted; what was read before a bad
#   record is still reported.
# - Standard input gives the same records as the file.
# - Binning by capture time: a gap of 3 years gives 2 intervals and gap_s,
#   fast; frames out of order land in their own intervals; a frame older
#   than an interval already written counts as replay.late, warned once.
# - sll.pcap and raw_ip.pcap (synthetic Ethernet headers) against the
#   ground truth's top-level figures.
# - 10,000 generated frames (cut ones too) through TC (--egress) give the
#   same records as through XDP.
source "$(dirname "$0")/lib.sh"
e2e_init

GEN=$ROOT/tools/gen-pcap.py
T0=1700000000	# gen-pcap.py's first timestamp
RANGES=(--range 198.18.0.0/16=a --range 198.19.0.0/16=b --range 2001:db8::/32=c)

# xreplay NAME ARGS...: `xdpscope replay ARGS`, bounded; stdout in
# $TMP/NAME.out, stderr in $TMP/NAME.err, exit status in RC, time in MS.
xreplay() {
	local name=$1 t0
	shift
	t0=$(date +%s%N)
	timeout 60 "$XDPSCOPE" replay --host h "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	RC=$?
	MS=$((($(date +%s%N) - t0) / 1000000))
}

# summary FILE EXPR: EXPR (python, over `s`, the list of summary records,
# and `r`, the list of range records) evaluated on the records in FILE.
summary() {
	"$PYTHON" - "$1" "$2" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
s = [x for x in recs if x["type"] == "summary"]
r = [x for x in recs if x["type"] == "range"]
print(eval(sys.argv[2]))
PY
}

# one_line_error LABEL RC PATTERN...: the last xreplay exited RC and wrote
# exactly one stderr line, which holds every PATTERN (grep -E).
one_line_error() {
	local label=$1 want_rc=$2 pat ok=1
	shift 2
	check_eq "$label: exit status" "$RC" "$want_rc"
	check_eq "$label: one line on stderr" "$(wc -l <"$TMP/$label.err")" 1
	for pat in "$@"; do
		grep -qE -- "$pat" "$TMP/$label.err" || ok=0
	done
	if ((ok)); then
		pass "$label: message: $(cat "$TMP/$label.err")"
	else
		fail "$label: message '$(cat "$TMP/$label.err")' lacks one of: $*"
	fi
}

# pcap_header FILE LINKTYPE SNAPLEN: a classic little-endian pcap header.
pcap_header() {
	"$PYTHON" -c 'import struct, sys
open(sys.argv[1], "wb").write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0,
                                          int(sys.argv[3]), int(sys.argv[2])))' "$@"
}

# patch FILE OFFSET U32: overwrite 4 bytes (little-endian) in place.
patch() {
	"$PYTHON" -c 'import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]))
    f.write(struct.pack("<I", int(sys.argv[3])))' "$@"
}

UDP=udp,198.19.0.5,198.18.0.10,sport=40000,dport=53

# ------------------------------------------------------------ bad files

: >"$TMP/empty.pcap"
xreplay empty "$TMP/empty.pcap"
one_line_error empty 2 "^xdpscope: $TMP/empty.pcap: " "empty"
check_eq "empty: no records" "$(wc -c <"$TMP/empty.out")" 0

pcap_header "$TMP/header.pcap" 1 65535
xreplay header "$TMP/header.pcap"
check_eq "header only: exit status" "$RC" 0
check_eq "header only: no records, nothing on stderr" \
	"$(cat "$TMP/header.out" "$TMP/header.err" | wc -c)" 0

"$PYTHON" "$GEN" "$TMP/three.pcap" "$UDP,len=100,count=3,step=0.1"
head -c $(($(stat -c %s "$TMP/three.pcap") - 10)) "$TMP/three.pcap" >"$TMP/cut.pcap"
xreplay cut "$TMP/cut.pcap"
one_line_error cut 1 "^xdpscope: $TMP/cut.pcap: record 3: " "truncated"
check_eq "cut: the two whole records are reported" \
	"$(summary "$TMP/cut.out" 'sum(x["pkts"] for x in s), sum(x["bytes"] for x in s)')" \
	"(2, 200)"

"$PYTHON" -c 'import random, sys
rnd = random.Random(7)
data = bytes(rnd.randrange(256) for _ in range(4096))
open(sys.argv[1], "wb").write(b"\x00garbage" + data)' "$TMP/random.bin"
xreplay random "$TMP/random.bin"
one_line_error random 2 "^xdpscope: $TMP/random.bin: " "not a capture"

# pcapng that libpcap refuses at the header or at a block: libpcap's own
# message, in one line that ends in a newline (wc -l counts it).
"$PYTHON" -c 'import struct, sys
shb = lambda major: struct.pack("<IIIHHqI", 0x0A0D0D0A, 28, 0x1A2B3C4D, major, 0, -1, 28)
idb = struct.pack("<IIHHII", 1, 20, 1, 0, 65535, 20)
open(sys.argv[1], "wb").write(shb(2))
open(sys.argv[2], "wb").write(shb(1) + idb + struct.pack("<III", 6, 8, 8))' \
	"$TMP/ngver.pcapng" "$TMP/ngblock.pcapng"
xreplay ngver "$TMP/ngver.pcapng"
one_line_error ngver 2 "^xdpscope: $TMP/ngver.pcapng: " "not a capture" "version 2"
xreplay ngblock "$TMP/ngblock.pcapng"
one_line_error ngblock 1 "^xdpscope: $TMP/ngblock.pcapng: record 1: " "length of 8"
check_eq "random: no records" "$(wc -c <"$TMP/random.out")" 0

cp "$TMP/three.pcap" "$TMP/user0.pcap"
patch "$TMP/user0.pcap" 20 147
xreplay user0 "$TMP/user0.pcap"
one_line_error user0 2 "^xdpscope: $TMP/user0.pcap: link type 147 " "not supported" "EN10MB"
cp "$TMP/three.pcap" "$TMP/wifi.pcap"
patch "$TMP/wifi.pcap" 20 105
xreplay wifi "$TMP/wifi.pcap"
one_line_error wifi 2 "^xdpscope: $TMP/wifi.pcap: link type 105 \\(IEEE802_11, " "not supported" "EN10MB"

# pcapng: an Ethernet interface with one packet, then a Linux cooked
# interface with another. libpcap reads one link type per file: the first
# packet is reported, the second interface is refused with the record.
"$PYTHON" - "$TMP/mixed.pcapng" <<'PY'
import struct, sys
def block(kind, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", kind, n) + body + struct.pack("<I", n)
eth = (b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + bytes.fromhex(
    "450000200001000040110000c6130005c612000a9c400035000c0000") + b"\0" * 4)
def epb(ifid, data):
    return block(6, struct.pack("<IIIII", ifid, 0x60000, 0x1000, len(data), len(data)) + data)
shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
out = shb + block(1, struct.pack("<HHI", 1, 0, 65535)) + epb(0, eth)
out += block(1, struct.pack("<HHI", 113, 0, 65535)) + epb(1, b"\0" * 16 + eth[14:])
open(sys.argv[1], "wb").write(out)
PY
xreplay mixed "$TMP/mixed.pcapng"
one_line_error mixed 2 "^xdpscope: $TMP/mixed.pcapng: record 2: " "type 113"
check_eq "mixed: the Ethernet packet before is reported" \
	"$(summary "$TMP/mixed.out" 'sum(x["pkts"] for x in s)')" 1

# A snap length of 4 GiB - 1 in the header: libpcap clamps it; no giant
# buffer, the file replays.
cp "$TMP/three.pcap" "$TMP/hugesnap.pcap"
patch "$TMP/hugesnap.pcap" 16 4294967295
xreplay hugesnap "$TMP/hugesnap.pcap"
check_eq "huge snaplen: exit status" "$RC" 0
check_eq "huge snaplen: nothing on stderr" "$(wc -c <"$TMP/hugesnap.err")" 0
check_eq "huge snaplen: all records counted" \
	"$(summary "$TMP/hugesnap.out" 'sum(x["pkts"] for x in s)')" 3

# A record whose captured length (300000) is over the snap length (65535)
# and over libpcap's sanity limit: libpcap's message, with the record.
cp "$TMP/three.pcap" "$TMP/overcap.pcap"
patch "$TMP/overcap.pcap" $((24 + 16 + 100 + 8)) 300000
xreplay overcap "$TMP/overcap.pcap"
one_line_error overcap 1 "^xdpscope: $TMP/overcap.pcap: record 2: " "300000" "snaplen"
check_eq "caplen > snaplen: the record before is reported" \
	"$(summary "$TMP/overcap.out" 'sum(x["pkts"] for x in s)')" 1

# Over the snap length but within libpcap's limit: libpcap hands over the
# first snaplen bytes; the packet counts at its wire length.
"$PYTHON" "$GEN" "$TMP/big.pcap" "$UDP,len=9000" "$UDP,len=100"
patch "$TMP/big.pcap" 16 1500
xreplay bigcap "$TMP/big.pcap"
check_eq "caplen 9000 > snaplen 1500: exit status" "$RC" 0
check_eq "caplen 9000 > snaplen 1500: counted at the wire length" \
	"$(summary "$TMP/bigcap.out" 'sum(x["pkts"] for x in s), sum(x["bytes"] for x in s)')" \
	"(2, 9100)"

xreplay missing "$TMP/no-such.pcap"
one_line_error missing 2 "^xdpscope: $TMP/no-such.pcap: " "No such file"

# ------------------------------------------------------ standard input

# The same records from stdin as from the file, but for what differs
# between any two runs (drain time, program id).
same_records() {
	"$PYTHON" - "$1" "$2" <<'PY'
import json, sys
def load(p):
    out = []
    for l in open(p):
        x = json.loads(l)
        x.pop("drain_ms", None)
        for prog in x.get("programs", []):
            prog.pop("id", None)
        out.append(x)
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
sys.exit(0 if a == b and a else 1)
PY
}
"$PYTHON" "$GEN" "$TMP/mix.pcap" "$UDP,count=40,step=0.05" \
	"tcp,198.18.0.10,198.19.0.5,flags=SA,count=20,step=0.07" \
	"icmp,2001:db8::1,2001:db8::2,count=10,step=0.2"
xreplay file "${RANGES[@]}" --ifname x "$TMP/mix.pcap"
RC_FILE=$RC
xreplay stdin "${RANGES[@]}" --ifname x - <"$TMP/mix.pcap"
check_eq "stdin: exit status (file, stdin)" "$RC_FILE $RC" "0 0"
check "stdin: 'replay -' gives the records of 'replay FILE'" \
	same_records "$TMP/file.out" "$TMP/stdin.out"
xreplay stdin-name - <"$TMP/mix.pcap"
check_eq "stdin: ifname defaults to stdin" \
	"$(summary "$TMP/stdin-name.out" 'sorted(set(x["ifname"] for x in s))')" "['stdin']"
xreplay base "$TMP/mix.pcap"
check_eq "file: ifname defaults to the basename" \
	"$(summary "$TMP/base.out" 'sorted(set(x["ifname"] for x in s))')" "['mix.pcap']"

# -------------------------------------------------------------- binning

# t, t + 0.5 s, t + 3 years: two intervals of records, the second summary
# with the gap, and no time spent on the empty intervals between.
YEARS3=94608000
"$PYTHON" "$GEN" "$TMP/gap.pcap" "$UDP,at=0" "$UDP,at=0.5" "$UDP,at=$YEARS3"
xreplay gap -t 1s "$TMP/gap.pcap"
check_eq "gap: exit status" "$RC" 0
check_eq "gap: 2 summaries (packets 2, 1)" "$(summary "$TMP/gap.out" '[x["pkts"] for x in s]')" \
	"[2, 1]"
check_eq "gap: gap_s only on the second, the 3 years less the first interval" \
	"$(summary "$TMP/gap.out" '[x.get("gap_s") for x in s]')" "[None, $((YEARS3 - 1)).0]"
check_eq "gap: ts = ends of the intervals" \
	"$(summary "$TMP/gap.out" '[x["ts"] for x in s]')" \
	"['2023-11-14T22:13:21.000Z', '2026-11-13T22:13:21.000Z']"
check "gap: replay took ${MS} ms (< 5000)" test "$MS" -lt 5000

# Out of order within the reorder window: each frame in its own interval,
# counted from the FIRST frame's time (t0 = t + 1.2 s), nothing late.
"$PYTHON" "$GEN" "$TMP/order.pcap" "$UDP,at=1.2" "$UDP,at=0.1" "$UDP,at=0.9"
xreplay order -t 1s "$TMP/order.pcap"
check_eq "out of order: exit status, stderr" "$RC $(wc -c <"$TMP/order.err")" "0 0"
check_eq "out of order: intervals end at t0 - 1 s, t0, t0 + 1 s; a packet each" \
	"$(summary "$TMP/order.out" '[(x["ts"], x["pkts"], x["replay"]) for x in s]')" \
	"[('2023-11-14T22:13:20.200Z', 1, {'frames': 1, 'late': 0, 'refused': 0}), ('2023-11-14T22:13:21.200Z', 1, {'frames': 1, 'late': 0, 'refused': 0}), ('2023-11-14T22:13:22.200Z', 1, {'frames': 1, 'late': 0, 'refused': 0})]"

# Beyond the window: record 4 (t + 0.5) comes after the interval of t + 2
# started; it counts there, as late, with one warning.
"$PYTHON" "$GEN" "$TMP/late.pcap" "$UDP,at=0" "$UDP,at=2" "$UDP,at=3" "$UDP,at=0.5" \
	"$UDP,at=0.6"
xreplay late -t 1s --reorder-window 0 "$TMP/late.pcap"
check_eq "late: exit status" "$RC" 0
check_eq "late: (packets, late) per interval" \
	"$(summary "$TMP/late.out" '[(x["pkts"], x["replay"]["late"]) for x in s]')" \
	"[(1, 0), (3, 2), (1, 0)]"
check_eq "late: one warning line" "$(wc -l <"$TMP/late.err")" 1
if grep -qE "^xdpscope: warning: $TMP/late.pcap: record 4: .*late" "$TMP/late.err"; then
	pass "late: warning names the file and record 4: $(cat "$TMP/late.err")"
else
	fail "late: warning: $(cat "$TMP/late.err")"
fi

# A sub-second field out of range (0x80000000 microseconds): libpcap hands
# it over sign-extended, 35 minutes early. Clamped into its second,
# counted as replay.bad_ts, warned once; nothing is late.
"$PYTHON" "$GEN" "$TMP/badts.pcap" "$UDP,at=0" "$UDP,at=0.5"
"$PYTHON" -c 'import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
caplen = struct.unpack_from("<I", b, 24 + 8)[0]
struct.pack_into("<I", b, 24 + 16 + caplen + 4, 0x80000000)
open(sys.argv[1], "wb").write(b)' "$TMP/badts.pcap"
xreplay badts -t 1s "$TMP/badts.pcap"
check_eq "bad sub-second: exit status" "$RC" 0
check_eq "bad sub-second: (packets, bad_ts, late) per interval" \
	"$(summary "$TMP/badts.out" '[(x["pkts"], x["replay"].get("bad_ts"), x["replay"]["late"]) for x in s]')" \
	"[(2, 1, 0)]"
check_eq "bad sub-second: the interval ends 1 s after the first frame" \
	"$(summary "$TMP/badts.out" '[x["ts"] for x in s]')" "['2023-11-14T22:13:21.000Z']"
if [[ $(wc -l <"$TMP/badts.err") == 1 ]] &&
	grep -qE "^xdpscope: warning: $TMP/badts.pcap: record 2: .*out of range" "$TMP/badts.err"; then
	pass "bad sub-second: one warning naming record 2"
else
	fail "bad sub-second: warning: $(cat "$TMP/badts.err")"
fi

# ------------------------------------------ Linux cooked and raw IP captures

# SLL (16-byte link header) and raw IP (none) against the ground truth:
# packets, IPv4/IPv6, non-IP, per-class packets; bytes are the frame
# without its link header (the synthetic Ethernet header is not counted).
for cap in sll.pcap:16 raw_ip.pcap:0; do
	name=${cap%:*} strip=${cap#*:}
	xreplay "$name" -t 3600s "$PCAPS/$name"
	check_eq "$name: exit status, stderr" "$RC $(wc -c <"$TMP/$name.err")" "0 0"
	"$PYTHON" - "$TMP/$name.out" "$GT" "$name" "$strip" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
s = [x for x in recs if x["type"] == "summary"]
gt = json.load(open(sys.argv[2]))["captures"][sys.argv[3]]
strip = int(sys.argv[4])
def tot(f):
    return sum(f(x) for x in s)
checks = [
    ("packets", tot(lambda x: x["pkts"]), gt["packets"]),
    ("replay.frames", tot(lambda x: x["replay"]["frames"]), gt["packets"]),
    ("ipv4", tot(lambda x: x["ipv4"]), gt["ipv4"]),
    ("ipv6", tot(lambda x: x["ipv6"]), gt["ipv6"]),
    ("non_ip", tot(lambda x: x["non_ip"]["pkts"]), gt["non_ip"]),
    ("malformed", tot(lambda x: x["malformed"]["pkts"]), gt["l4"]["unparsed"]["packets"]),
    ("bytes", tot(lambda x: x["bytes"]), gt["bytes_wire"] - strip * gt["packets"]),
]
for c in ("tcp", "udp", "icmp", "other"):
    g = gt["l4"][c]
    checks.append(("%s packets" % c, tot(lambda x: x["unmatched"]["proto"][c]["pkts"]),
                   g["packets"]))
    checks.append(("%s bytes" % c, tot(lambda x: x["unmatched"]["proto"][c]["bytes"]),
                   g["bytes_wire"] - strip * g["packets"]))
for what, got, want in checks:
    print("%s: %s: %s %s (ground truth %s)" % ("PASS" if got == want else "FAIL",
          sys.argv[3], what, got, want))
PY
done > "$TMP/gt.txt"
cat "$TMP/gt.txt"
n_pass=$((n_pass + $(grep -c '^PASS' "$TMP/gt.txt")))
n_fail=$((n_fail + $(grep -c '^FAIL' "$TMP/gt.txt")))

# ------------------------------------------------------------ XDP == TC

# 10,000 frames over about 5 s: TCP with flags, UDP, ICMP, ICMPv6, ARP,
# frames cut by a snap length, cut inside the Ethernet header (the runner
# refuses those) and inside the IPv4/IPv6 header (TC's runner refuses
# those). Through TC they must give the very records they give through XDP.
specs=()
for i in 0 1 2 3 4; do	# 2,000 frames each round
	specs+=("tcp,198.19.$i.5,198.18.0.10,sport=4000$i,dport=443,flags=S,count=601,step=0.0005"
		"tcp,198.18.0.10,198.19.$i.5,sport=443,dport=4000$i,flags=SA,len=1400,count=300,step=0.0005"
		"udp,198.18.1.$i,198.19.2.$i,dport=53,len=512,count=300,step=0.0005"
		"icmp,198.19.3.$i,198.18.3.$i,count=200,step=0.0005"
		"icmp,2001:db8::$i,2001:db8:1::$i,len=200,count=200,step=0.0005"
		"arp,198.18.0.1,198.18.0.2,count=100,step=0.0005"
		"udp,198.18.1.$i,198.19.2.$i,len=1000,cut=60,count=150,step=0.0005"
		"tcp,198.19.0.5,198.18.0.10,cut=10,count=50,step=0.0005"
		"tcp,198.19.0.5,198.18.0.10,cut=30,count=49,step=0.0005"
		"udp,2001:db8::1,2001:db8::2,cut=50,count=50,step=0.0005")
done
"$PYTHON" "$GEN" "$TMP/10k.pcap" "${specs[@]}"
xreplay xdp10k "${RANGES[@]}" --ifname x "$TMP/10k.pcap"
RC_XDP=$RC
xreplay tc10k "${RANGES[@]}" --ifname x --egress "$TMP/10k.pcap"
check_eq "10k: exit status (xdp, tc)" "$RC_XDP $RC" "0 0"
check_eq "10k: 10,000 frames, none refused, through XDP" \
	"$(summary "$TMP/xdp10k.out" 'sum(x["pkts"] for x in s), sum(x["replay"]["frames"] for x in s), sum(x["replay"]["refused"] for x in s)')" \
	"(10000, 10000, 0)"
check_eq "10k: the cut frames are malformed (eth, ipv4, ipv6 errors)" \
	"$(summary "$TMP/xdp10k.out" 'sum(x["errors"]["eth"] for x in s), sum(x["errors"]["ipv4"] for x in s), sum(x["errors"]["ipv6"] for x in s)')" \
	"(250, 245, 250)"
check_eq "10k: hooks (xdp, tc)" \
	"$(summary "$TMP/xdp10k.out" 's[0]["programs"][0]["hook"]') $(summary "$TMP/tc10k.out" 's[0]["programs"][0]["hook"]')" \
	"xdp tc"
"$PYTHON" - "$TMP/xdp10k.out" "$TMP/tc10k.out" <<'PY' >"$TMP/same.txt"
import json, sys
def load(p):
    out = []
    for l in open(p):
        x = json.loads(l)
        x.pop("drain_ms", None)
        x.pop("programs", None)
        out.append(x)
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
if a == b:
    print("PASS: 10k: --egress (TC) gives the records of XDP (%d records)" % len(a))
else:
    print("FAIL: 10k: --egress (TC) records differ from XDP's")
    for x, y in zip(a, b):
        if x != y:
            print("      xdp %s\n      tc  %s" % (json.dumps(x), json.dumps(y)))
            break
PY
cat "$TMP/same.txt"
n_pass=$((n_pass + $(grep -c '^PASS' "$TMP/same.txt")))
n_fail=$((n_fail + $(grep -c '^FAIL' "$TMP/same.txt")))

e2e_finish
