#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
The e2e tests' judge: reads xdpscope's NDJSON records and compares what they
add up to with the ground truth or with expected values. Python 3 standard
library only. Prints one "PASS: ..." or "FAIL: ..." line per check and exits
1 if any check failed (2 on bad usage or unreadable input).

  compare.py agg RECORDS
      the records added up, as JSON (for humans and debugging)

  compare.py pcap --gt GROUND_TRUTH --capture NAME --records RECORDS
                  --sent N --sent-bytes B --dropped-frames K --dropped-bytes DB
                  --replay-ok N --replay-failed F [--hook xdp|tc]
      a replayed capture against ground-truth.json's ethernet_direct_view

  compare.py expect RECORDS PATH OP VALUE [PATH OP VALUE ...]
      generic checks; PATH is summary:KEY[:KEY...] or
      range:NAME:DIR:KEY[:KEY...] or programs:HOOK:KEY (KEY count, runs,
      mode), OP one of == != >= <= > <; VALUE an integer or a string

How records add up: every record's counts are deltas of one interval, so a
run's total is the sum over its records: summary records for the whole-
program counters, range records per (range, dir).
"""
import argparse
import json
import sys

# Keys that are not counts (rates, durations, identity), or not counts that
# add up across intervals: the sketches' per-interval estimates and pool
# figures (tests/e2e/test_sketch.sh checks those), the outputs' cumulative
# statistics (sinks).
NOT_COUNTS = {"schema", "type", "ts", "host", "ifname", "interval_s", "pps", "bps",
              "drain_ms", "gap_s", "kernel_mem", "ranges", "programs", "uniq_src", "sketch",
              "hll", "sinks"}

failures = 0


def result(ok, label, detail=""):
    global failures
    if not ok:
        failures += 1
    print(("PASS: " if ok else "FAIL: ") + label + (": " + detail if detail else ""))


def add_counts(acc, rec):
    """Add every integer leaf of rec into acc (nested dicts kept)."""
    for k, v in rec.items():
        if k in NOT_COUNTS:
            continue
        if isinstance(v, dict):
            add_counts(acc.setdefault(k, {}), v)
        elif isinstance(v, int) and not isinstance(v, bool):
            acc[k] = acc.get(k, 0) + v


def load(path):
    """Aggregate: {'records', 'summaries', 'summary', 'ranges', 'programs', 'bad'}."""
    agg = {"records": 0, "summaries": 0, "summary": {}, "ranges": {}, "programs": {},
           "bad": [], "last_type": None}
    try:
        f = open(path)
    except OSError as e:
        print(f"compare.py: {path}: {e}", file=sys.stderr)
        sys.exit(2)
    with f:
        for n, line in enumerate(f, 1):
            if not line.endswith("\n"):
                agg["bad"].append(f"line {n}: no newline at the end (half a record?)")
            try:
                rec = json.loads(line)
            except ValueError as e:
                agg["bad"].append(f"line {n}: not JSON: {e}")
                continue
            agg["records"] += 1
            if rec.get("schema") != 1:
                agg["bad"].append(f"line {n}: schema {rec.get('schema')!r}, expected 1")
            t = rec.get("type")
            agg["last_type"] = t
            if t == "summary":
                agg["summaries"] += 1
                add_counts(agg["summary"], rec)
                for p in rec.get("programs", []):
                    e = agg["programs"].setdefault(p.get("hook"), {"count": 0, "runs": 0,
                                                                   "mode": p.get("mode")})
                    e["count"] += 1
                    e["runs"] += p.get("runs", 0)
            elif t == "range":
                key = (rec.get("range"), rec.get("dir"))
                add_counts(agg["ranges"].setdefault(key, {}), rec)
            else:
                agg["bad"].append(f"line {n}: unknown type {t!r}")
    return agg


def get(d, *keys, default=0):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return default
        d = d[k]
    return d


def range_sum(agg, *keys, dirs=("in", "out"), names=None):
    return sum(get(v, *keys) for (name, dr), v in agg["ranges"].items()
               if dr in dirs and (names is None or name in names))


def eq(label, got, want):
    result(got == want, label, f"got {got}, expected {want}")


# ------------------------------------------------------------------ pcap

# include/xdpscope.h enum xs_size: by counted length, Ethernet header on.
SIZE_BUCKETS = (("le64", 64), ("le128", 128), ("le256", 256), ("le512", 512),
                ("le1024", 1024), ("le1518", 1518), ("gt1518", None))


def bucket_of(size):
    for name, limit in SIZE_BUCKETS:
        if limit is None or size <= limit:
            return name


def cap_bytes_under(cap, limit):
    """Captured bytes of the frames shorter than `limit`, from the ground
    truth's exact size histograms (cap_len_hist exists when frames were cut,
    else every frame was captured whole and frame_len_hist is cap_len)."""
    hist = cap.get("cap_len_hist") or cap["frame_len_hist"]
    return sum(int(k) * v for k, v in hist.items() if int(k) < limit)


def check_sizes_flags_frags(n, agg, d, hist=None, strip=0):
    """Size histogram, TCP flags and fragments of the range records against
    the view d; with hist (frame size -> count, strip bytes of link header
    not counted), the histogram bucket by bucket too."""
    eq(f"{n}: size_hist adds up to pkts",
       sum(range_sum(agg, "size_hist", b) for b, _ in SIZE_BUCKETS), range_sum(agg, "pkts"))
    if hist is not None:
        want = {b: 0 for b, _ in SIZE_BUCKETS}
        for size, count in hist.items():
            want[bucket_of(int(size) - strip)] += count
        eq(f"{n}: size_hist == the capture's frame sizes, bucketed",
           {b: range_sum(agg, "size_hist", b) for b, _ in SIZE_BUCKETS}, want)
    tf = d["tcp_flags"]
    eq(f"{n}: tcp_flags syn/synack/rst/fin",
       tuple(range_sum(agg, "tcp_flags", k) for k in ("syn", "synack", "rst", "fin")),
       (tf["syn_no_ack"], tf["syn_ack"], tf["rst"], tf["fin"]))
    fr = d["fragments"]
    # frags: IPv4 fragments (first and later) and IPv6 non-atomic fragments
    # (first and later); atomic IPv6 fragments are whole packets.
    eq(f"{n}: frags == ipv4_total + ipv6_fraghdr_first + ipv6_fraghdr_later",
       range_sum(agg, "frags"),
       fr["ipv4_total"] + fr["ipv6_fraghdr_first"] + fr["ipv6_fraghdr_later"])


def cmd_pcap(a):
    gt = json.load(open(a.gt))
    cap = gt["captures"][a.capture]
    d = cap["ethernet_direct_view"]
    agg = load(a.records)
    s = agg["summary"]
    n = a.capture
    l4 = d["l4"]

    # --- what went on the link -------------------------------------------
    # Frames shorter than an Ethernet header cannot be sent (the kernel
    # refuses them, tcpreplay stops at a frame of 0 bytes): the test drops
    # them from the replayed file. They are exactly the ground truth's
    # frames_cap_len_under_14, counted there as non_ip.
    under = cap["frames_cap_len_under_14"]
    under_bytes = cap_bytes_under(cap, 14)
    eq(f"{n}: frames left out of the replay (cap_len < 14)", (a.dropped_frames, a.dropped_bytes),
       (under, under_bytes))
    sent = cap["packets"] - under
    sent_bytes = cap["bytes_captured"] - under_bytes
    eq(f"{n}: tcpreplay sent/failed", (a.replay_ok, a.replay_failed), (sent, 0))
    eq(f"{n}: tcpreplay bytes", a.sent_bytes, sent_bytes)

    # --- the records themselves --------------------------------------------
    result(not agg["bad"] and agg["summaries"] > 0 and agg["last_type"] == "summary",
           f"{n}: records well-formed ({agg['records']} records, {agg['summaries']} summaries)",
           "; ".join(agg["bad"][:3]) or f"last record type {agg['last_type']}")

    # --- totals: every frame sent, once ------------------------------------
    eq(f"{n}: summary pkts", s.get("pkts", 0), sent)
    eq(f"{n}: summary bytes", s.get("bytes", 0), sent_bytes)
    parts = s.get("ipv4", 0) + s.get("ipv6", 0) + get(s, "non_ip", "pkts") + \
        get(s, "malformed", "pkts")
    eq(f"{n}: ipv4 + ipv6 + non_ip + malformed == pkts", parts, s.get("pkts", 0))

    # --- IP families ---------------------------------------------------------
    # xdpscope counts a frame as ipv4/ipv6 once its IP header parsed; the
    # ground truth's ipv4/ipv6 also hold the frames whose header tshark could
    # not parse (l4.unparsed), which xdpscope counts as malformed instead.
    # The parsed ones are exactly the frames with a destination address:
    # dst_prefixes.*.packets.
    v4 = d["dst_prefixes"]["ipv4_24"]["packets"]
    v6 = d["dst_prefixes"]["ipv6_64"]["packets"]
    eq(f"{n}: ipv4 (parsed IPv4 headers)", s.get("ipv4", 0), v4)
    eq(f"{n}: ipv6 (parsed IPv6 headers)", s.get("ipv6", 0), v6)
    eq(f"{n}: ground truth consistent: ipv4+ipv6 - unparsed == parsed",
       d["ipv4"] + d["ipv6"] - l4["unparsed"]["packets"], v4 + v6)

    # --- malformed: the unparsed IP headers ----------------------------------
    # Same set in both definitions for these captures: bogus IHL, IP version
    # not matching the EtherType, IPv6 header cut. Frames shorter than an
    # Ethernet header would be malformed (errors.eth) too, but never reach a
    # live link (see above), so errors.eth is 0.
    eq(f"{n}: malformed pkts == direct l4.unparsed packets", get(s, "malformed", "pkts"),
       l4["unparsed"]["packets"])
    eq(f"{n}: malformed bytes == direct l4.unparsed bytes_captured",
       get(s, "malformed", "bytes"), l4["unparsed"]["bytes_captured"])
    eq(f"{n}: errors.eth (no frame under 14 bytes was sent)", get(s, "errors", "eth"), 0)
    errs = sum(get(s, "errors", k) for k in ("eth", "vlan", "ipv4", "ipv6", "ipv6_ext"))
    eq(f"{n}: errors eth+vlan+ipv4+ipv6+ipv6_ext == malformed pkts", errs,
       get(s, "malformed", "pkts"))

    # --- non-IP ----------------------------------------------------------------
    # Everything else xdpscope does not parse as IP: the ground truth's
    # non_ip (less the unsendable short frames) plus the IP packets it found
    # behind PPPoE, MPLS or a third VLAN tag (ip_packets_not_direct), which
    # an Ethernet + 2 tags parser sees as another EtherType.
    ip_bytes = sum(l4[k]["bytes_captured"] for k in ("tcp", "udp", "icmp", "other", "unparsed"))
    eq(f"{n}: non_ip pkts == non_ip - short frames + ip_packets_not_direct",
       get(s, "non_ip", "pkts"), cap["non_ip"] - under + d["ip_packets_not_direct"])
    eq(f"{n}: non_ip bytes == sent bytes - direct IP bytes", get(s, "non_ip", "bytes"),
       sent_bytes - ip_bytes)
    # More than 2 VLAN tags: non_ip, also counted as errors.vlan_deep.
    deep = sum(v for k, v in cap["vlan"]["tag_count_hist"].items() if int(k) > 2)
    eq(f"{n}: errors.vlan_deep == frames with 3+ VLAN tags", get(s, "errors", "vlan_deep"), deep)

    # --- L4 classes: range records + unmatched -------------------------------
    for cls in ("tcp", "udp", "icmp", "other"):
        got = (range_sum(agg, "proto", cls, "pkts") + get(s, "unmatched", "proto", cls, "pkts"),
               range_sum(agg, "proto", cls, "bytes") +
               get(s, "unmatched", "proto", cls, "bytes"))
        eq(f"{n}: {cls} pkts/bytes", got, (l4[cls]["packets"], l4[cls]["bytes_captured"]))

    # --- ranges: all rewritten traffic is inside test4/test6, counted once ----
    eq(f"{n}: unmatched pkts (every address rewritten into a test range)",
       get(s, "unmatched", "pkts"), 0)
    eq(f"{n}: dir out pkts (source and destination in one range count once, as in)",
       range_sum(agg, "pkts", dirs=("out",)), 0)
    eq(f"{n}: range test4 in pkts == parsed IPv4", range_sum(agg, "pkts", dirs=("in",),
                                                            names=("test4",)), v4)
    eq(f"{n}: range test6 in pkts == parsed IPv6", range_sum(agg, "pkts", dirs=("in",),
                                                            names=("test6",)), v6)
    eq(f"{n}: summary dir.in pkts == range records", get(s, "dir", "in", "pkts"),
       range_sum(agg, "pkts", dirs=("in",)))
    # Every frame a parsed IP packet in a range: the histogram is the
    # capture's own size distribution (live: captured length).
    hist = None
    if cap["non_ip"] == 0 and d["ip_packets_not_direct"] == 0 and l4["unparsed"]["packets"] == 0:
        hist = cap.get("cap_len_hist") or cap["frame_len_hist"]
    check_sizes_flags_frags(n, agg, d, hist)

    # --- cut L4 headers ---------------------------------------------------------
    inc = d["l4_header_incomplete"]
    eq(f"{n}: errors.tcp/udp == l4_header_incomplete tcp/udp",
       (get(s, "errors", "tcp"), get(s, "errors", "udp")), (inc["tcp"], inc["udp"]))

    # --- who counted ---------------------------------------------------------
    eq(f"{n}: missed.lookup_fail/records_dropped",
       (get(s, "missed", "lookup_fail"), get(s, "missed", "records_dropped")), (0, 0))
    progs = agg["programs"]
    eq(f"{n}: XDP attach mode in the summaries", get(progs, "xdp", "mode", default=None),
       a.xdp_mode)
    if a.hook == "xdp":
        result("xdp" in progs, f"{n}: summary programs list xdp",
               f"programs {sorted(progs)}")
    else:
        result("xdp" in progs and "tc" in progs, f"{n}: summary programs list xdp and tc",
               f"programs {sorted(progs)}")
        if a.runs:
            # --bpf-stats: run counts per program show which one counted.
            eq(f"{n}: tc program runs == frames sent", get(progs, "tc", "runs"), sent)
            eq(f"{n}: xdp program runs (peer sends nothing)", get(progs, "xdp", "runs"), 0)


# ------------------------------------------------------------------ expect

OPS = {"==": lambda x, y: x == y, "!=": lambda x, y: x != y, ">=": lambda x, y: x >= y,
       "<=": lambda x, y: x <= y, ">": lambda x, y: x > y, "<": lambda x, y: x < y}


def lookup(agg, path):
    parts = path.split(":")
    if parts[0] == "summary":
        return get(agg["summary"], *parts[1:], default=0)
    if parts[0] == "range" and len(parts) >= 4:
        return get(agg["ranges"].get((parts[1], parts[2]), {}), *parts[3:], default=0)
    if parts[0] == "programs" and len(parts) == 3:
        return get(agg["programs"], parts[1], parts[2], default=0)
    if parts[0] in ("records", "summaries"):
        return agg[parts[0]]
    if parts[0] == "range_names":
        return ",".join(sorted({k[0] for k in agg["ranges"]}))
    print(f"compare.py: bad path {path!r}", file=sys.stderr)
    sys.exit(2)


def cmd_expect(a):
    agg = load(a.records)
    result(not agg["bad"], f"{a.label}records well-formed ({agg['records']} records)",
           "; ".join(agg["bad"][:3]))
    if len(a.checks) % 3:
        print("compare.py: expect takes PATH OP VALUE triples", file=sys.stderr)
        sys.exit(2)
    for i in range(0, len(a.checks), 3):
        path, op, want = a.checks[i:i + 3]
        if op not in OPS:
            print(f"compare.py: bad operator {op!r}", file=sys.stderr)
            sys.exit(2)
        got = lookup(agg, path)
        try:
            want_v = int(want)
        except ValueError:
            want_v = want
        ok = type(got) is type(want_v) and OPS[op](got, want_v)
        result(ok, f"{a.label}{path} {op} {want}", f"got {got}")


def cmd_agg(a):
    agg = load(a.records)
    agg["ranges"] = {f"{k[0]}:{k[1]}": v for k, v in agg["ranges"].items()}
    json.dump(agg, sys.stdout, indent=1, sort_keys=True)
    print()


# ------------------------------------------------------------------ replay
#
# `xdpscope replay` over the shared captures (tests/e2e/test_replay_gt.sh).
# The same figures as cmd_pcap (the live veth test) with the same
# reconciliations, and these differences, all from how frames reach the
# program:
#  - nothing is rewritten and nothing left out: every frame of the file is
#    counted, also the ones shorter than an Ethernet header, which a live
#    link cannot carry and replay counts as malformed (errors.eth);
#  - bytes are the wire length (frame.len, the record's orig_len) or, with
#    --count-captured-bytes, the captured length: the ground truth's
#    bytes_wire or bytes_captured, chosen by --bytes;
#  - Linux cooked (SLL) and raw IP captures are handed to the program behind
#    a synthetic Ethernet header whose bytes are not counted (LINK_HDR);
#  - records are binned by the capture's own timestamps, so the per-second
#    figures of the ground truth can be checked bin by bin.

# pcap magic -> (byte order, nanosecond timestamps)
PCAP_MAGIC = {b"\xd4\xc3\xb2\xa1": ("<", False), b"\xa1\xb2\xc3\xd4": (">", False),
              b"\x4d\x3c\xb2\xa1": ("<", True), b"\xa1\xb2\x3c\x4d": (">", True)}


def pcap_frames(path):
    """[(ts_ns, cap_len, orig_len, linktype)] in file order, from a classic
    pcap or a pcapng file (EPB/SPB; if_tsresol honoured). The test's own
    reader, checked against the ground truth's packets, bytes and
    per-second bins before anything relies on it (replay_reader_checks)."""
    import struct
    with open(path, "rb") as f:
        data = f.read()
    out = []
    if data[:4] in PCAP_MAGIC:
        e, nano = PCAP_MAGIC[data[:4]]
        lt = struct.unpack(e + "I", data[20:24])[0] & 0xffff
        off = 24
        while off + 16 <= len(data):
            sec, sub, cap, orig = struct.unpack(e + "IIII", data[off:off + 16])
            out.append((sec * 10**9 + (sub if nano else sub * 1000), cap, orig, lt))
            off += 16 + cap
        return out
    if data[:4] != b"\x0a\x0d\x0d\x0a":
        raise ValueError(f"{path}: neither pcap nor pcapng")
    off, e, ifs = 0, "<", []
    while off + 12 <= len(data):
        if data[off:off + 4] == b"\x0a\x0d\x0d\x0a":	# section header: byte order
            e = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            ifs = []
        bt, bl = struct.unpack(e + "II", data[off:off + 8])
        body = data[off + 8:off + bl - 4]
        if bt == 1:	# interface description: link type, if_tsresol
            res, o = 10**6, 8
            while o + 4 <= len(body):
                code, ln = struct.unpack(e + "HH", body[o:o + 4])
                if code == 0:
                    break
                if code == 9:
                    v = body[o + 4]
                    res = 2 ** (v & 0x7f) if v & 0x80 else 10 ** v
                o += 4 + ((ln + 3) & ~3)
            ifs.append((struct.unpack(e + "H", body[:2])[0], res))
        elif bt == 6:	# enhanced packet
            iid, hi, lo, cap, orig = struct.unpack(e + "IIIII", body[:20])
            lt, res = ifs[iid]
            out.append((((hi << 32) | lo) * 10**9 // res, cap, orig, lt))
        elif bt == 3:	# simple packet: no timestamp
            raise ValueError(f"{path}: simple packet blocks (no timestamps) not handled")
        if bl < 12:
            raise ValueError(f"{path}: bad pcapng block length {bl} at {off}")
        off += bl
    return out


# Bytes a frame of this link type carries in front of its network layer.
# Replay drops them and puts a synthetic 14-byte Ethernet header there,
# whose bytes are not counted (issue 3): the counted length of an SLL frame
# is frame.len - 16, of a raw IP frame frame.len. The ground truth's byte
# figures are sums of frame.len/cap_len, so for SLL they are 16 bytes a
# frame more than what replay counts.
LINK_HDR = {"ether": 0, "linux-sll": 16, "linux-sll2": 20, "rawip": 0}
# What tshark finds in front of the outermost IP header when it follows the
# link header directly (ip_l2_paths); the Ethernet ones are in
# ethernet_direct_view.
DIRECT_PATHS = {"linux-sll": {"sll:ethertype"}, "linux-sll2": {"sll:ethertype"},
                "rawip": {"raw"}}


def ns_of(decimal):
    """'1333039452.484983000' -> integer nanoseconds, exactly."""
    s, _, frac = decimal.partition(".")
    return int(s) * 10**9 + int((frac + "000000000")[:9])


def fmt_ts(ns):
    """RFC 3339 UTC with milliseconds, truncated (user/emit.h)."""
    import time as _t
    s, ms = divmod(ns // 10**6, 1000)
    return _t.strftime("%Y-%m-%dT%H:%M:%S", _t.gmtime(s)) + ".%03dZ" % ms


def load_list(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class Replay:
    """What one capture's replay must print, from the ground truth (and,
    where the ground truth has no figure, the file itself)."""

    def __init__(self, a):
        gt = json.load(open(a.gt))
        self.name = a.capture
        self.cap = cap = gt["captures"][a.capture]
        self.link = lt = cap["link_type"]
        if lt not in LINK_HDR:
            raise SystemExit(f"compare.py: {a.capture}: link type {lt} unknown to the test")
        self.hdr = LINK_HDR[lt]
        self.bkey = "bytes_wire" if a.bytes == "wire" else "bytes_captured"
        if lt == "ether":
            # What an Ethernet + 0..2 VLAN tags parser reaches (as live).
            self.view = cap["ethernet_direct_view"]
            self.not_direct = self.view["ip_packets_not_direct"]
        else:
            # SLL / raw IP: the IP header follows the link header directly,
            # and replay puts it right behind its synthetic Ethernet header,
            # so every IP frame is direct. ethernet_direct_view counts only
            # Ethernet paths (it lists them all as not direct); the top
            # level holds the same counters for every IP frame. Checked,
            # not assumed: every ip_l2_path must be the bare link header.
            self.view = cap
            self.not_direct = 0
            paths = set(cap["ip_l2_paths"])
            result(paths <= DIRECT_PATHS[lt],
                   f"{a.capture}: every IP header follows the {lt} header directly",
                   f"ip_l2_paths {sorted(paths)}")
        self.frames = pcap_frames(a.pcap)
        self.window_ns = int(round(a.window * 10**9))
        self.interval_ns = int(round(a.interval * 10**9))
        # Frames shorter than an Ethernet header (Ethernet captures only:
        # replay gives SLL/raw IP frames a whole synthetic one).
        short = [f for f in self.frames if f[1] < 14] if lt == "ether" else []
        self.short = len(short)
        self.short_bytes = sum(f[2] if self.bkey == "bytes_wire" else f[1] for f in short)
        self.late = self.simulate()[1]

    def b(self, entry):
        """Counted bytes of a ground-truth entry {packets, bytes_wire, bytes_captured}."""
        return entry[self.bkey] - self.hdr * entry["packets"]

    def total_bytes(self):
        return self.cap[self.bkey] - self.hdr * self.cap["packets"]

    def reader_checks(self):
        """The test's own pcap reader agrees with the ground truth."""
        c, fr, n = self.cap, self.frames, self.name
        eq(f"{n}: own pcap reader: frames, bytes_wire, bytes_captured, first timestamp",
           (len(fr), sum(f[2] for f in fr), sum(f[1] for f in fr), fr[0][0] if fr else None),
           (c["packets"], c["bytes_wire"], c["bytes_captured"], ns_of(c["time"]["first"])))
        eq(f"{n}: own pcap reader: frames under 14 bytes", self.short,
           c["frames_cap_len_under_14"] if self.link == "ether" else self.short)

    def simulate(self):
        """The binning the replay contract describes, over the file's own
        timestamps: ({bin: [pkts, counted bytes]}, late frames). Frames wait
        until the newest timestamp read is more than the reorder window
        ahead of theirs, then come out oldest first (ties: file order); a
        bin is written when a frame of a later bin comes out; a frame whose
        bin was already written is `late` and counts in the bin being
        filled. With frames in order, or out of order by less than the
        window, this is plain binning (bins() below); it differs only for
        bgp_vpn_rt-oobr.pcap, whose fuzzed timestamps jump back and forth
        by years: which of its frames are late depends on when their bin
        was written, so the test models it rather than a simpler rule
        ("older than the newest by more than the window" would say 35 where
        the documented rule says 27: the 8 frames at t=0 right after the
        first frame come out before any frame of a later bin)."""
        import heapq
        out, late, held, newest, cur = {}, 0, [], None, None
        if not self.frames:
            return out, 0
        t0 = self.frames[0][0]

        def release(ts, cap, orig):
            nonlocal cur, late
            k = (ts - t0) // self.interval_ns
            if cur is None or k > cur:
                cur = k
            elif k < cur:
                late += 1
            v = out.setdefault(cur, [0, 0])
            v[0] += 1
            v[1] += (orig if self.bkey == "bytes_wire" else cap) - self.hdr

        for rec, (ts, cap, orig, _) in enumerate(self.frames):
            newest = ts if newest is None else max(newest, ts)
            heapq.heappush(held, (ts, rec, cap, orig))
            while held and newest - held[0][0] > self.window_ns:
                ts_, _, cap_, orig_ = heapq.heappop(held)
                release(ts_, cap_, orig_)
        while held:
            ts_, _, cap_, orig_ = heapq.heappop(held)
            release(ts_, cap_, orig_)
        return out, late

    def bins(self):
        """{bin: [pkts, counted bytes]} of the file, bin = floor((t - t0) / interval)."""
        out = {}
        t0 = self.frames[0][0]
        for ts, cap, orig, _ in self.frames:
            k = (ts - t0) // self.interval_ns
            v = out.setdefault(k, [0, 0])
            v[0] += 1
            v[1] += (orig if self.bkey == "bytes_wire" else cap) - self.hdr
        return out


def dict_diff(got, want, limit=4):
    keys = sorted(set(got) | set(want), key=str)
    bad = [f"{k}: got {got.get(k)}, expected {want.get(k)}" for k in keys
           if got.get(k) != want.get(k)]
    return f"{len(bad)} differ: " + "; ".join(bad[:limit]) + (" ..." if len(bad) > limit else "")


def check_dict(label, got, want):
    result(got == want, label, "" if got == want else dict_diff(got, want))


def replay_common(r, agg, tag):
    """Totals, families, malformed, non-IP, the replay object: the same in
    every run over a capture, whatever the ranges."""
    s, n, d = agg["summary"], f"{r.name} [{tag}]", r.view
    l4 = d["l4"]
    result(not agg["bad"] and agg["summaries"] > 0 and agg["last_type"] == "summary",
           f"{n}: records well-formed ({agg['records']} records, {agg['summaries']} summaries)",
           "; ".join(agg["bad"][:3]) or f"last record type {agg['last_type']}")
    eq(f"{n}: summary pkts == every frame in the file", s.get("pkts", 0), r.cap["packets"])
    eq(f"{n}: summary bytes == {r.bkey}" + (f" - {r.hdr} a frame ({r.link} header)" if r.hdr
                                            else ""), s.get("bytes", 0), r.total_bytes())
    parts = s.get("ipv4", 0) + s.get("ipv6", 0) + get(s, "non_ip", "pkts") + \
        get(s, "malformed", "pkts")
    eq(f"{n}: ipv4 + ipv6 + non_ip + malformed == pkts", parts, s.get("pkts", 0))
    # As cmd_pcap: xdpscope's ipv4/ipv6 are the parsed headers, the ground
    # truth's also hold the unparsed ones; parsed = frames with an address.
    v4 = d["dst_prefixes"]["ipv4_24"]["packets"]
    v6 = d["dst_prefixes"]["ipv6_64"]["packets"]
    eq(f"{n}: ipv4/ipv6 (parsed headers == dst_prefixes packets)",
       (s.get("ipv4", 0), s.get("ipv6", 0)), (v4, v6))
    # Malformed: the unparsed IP headers (as live) plus, unlike live, the
    # frames shorter than an Ethernet header: replay feeds every frame, the
    # ground truth counts those as non_ip ('(none)' protocol).
    eq(f"{n}: malformed pkts/bytes == l4.unparsed + frames under 14 bytes",
       (get(s, "malformed", "pkts"), get(s, "malformed", "bytes")),
       (l4["unparsed"]["packets"] + r.short, r.b(l4["unparsed"]) + r.short_bytes))
    eq(f"{n}: errors.eth == frames under 14 bytes", get(s, "errors", "eth"), r.short)
    errs = sum(get(s, "errors", k) for k in ("eth", "vlan", "ipv4", "ipv6", "ipv6_ext"))
    eq(f"{n}: errors eth+vlan+ipv4+ipv6+ipv6_ext == malformed pkts", errs,
       get(s, "malformed", "pkts"))
    # Non-IP: as cmd_pcap (other EtherTypes, IP behind PPPoE/MPLS/3 tags),
    # less the short frames, which are malformed here.
    ip_bytes = sum(r.b(l4[k]) for k in ("tcp", "udp", "icmp", "other", "unparsed"))
    eq(f"{n}: non_ip pkts == non_ip - frames under 14 + ip_packets_not_direct",
       get(s, "non_ip", "pkts"), r.cap["non_ip"] - r.short + r.not_direct)
    eq(f"{n}: non_ip bytes == all bytes - direct IP bytes - frames under 14",
       get(s, "non_ip", "bytes"), r.total_bytes() - ip_bytes - r.short_bytes)
    deep = sum(v for k, v in r.cap["vlan"]["tag_count_hist"].items() if int(k) > 2)
    eq(f"{n}: errors.vlan_deep == frames with 3+ VLAN tags", get(s, "errors", "vlan_deep"), deep)
    inc = d["l4_header_incomplete"]
    eq(f"{n}: errors.tcp/udp == l4_header_incomplete tcp/udp",
       (get(s, "errors", "tcp"), get(s, "errors", "udp")), (inc["tcp"], inc["udp"]))
    eq(f"{n}: missed.lookup_fail/records_dropped",
       (get(s, "missed", "lookup_fail"), get(s, "missed", "records_dropped")), (0, 0))
    eq(f"{n}: summary dir in/out == range records",
       (get(s, "dir", "in", "pkts"), get(s, "dir", "in", "bytes"),
        get(s, "dir", "out", "pkts"), get(s, "dir", "out", "bytes")),
       (range_sum(agg, "pkts", dirs=("in",)), range_sum(agg, "bytes", dirs=("in",)),
        range_sum(agg, "pkts", dirs=("out",)), range_sum(agg, "bytes", dirs=("out",))))
    # The replay object: frames read; late frames (Replay.simulate: 0 on
    # every capture but bgp_vpn_rt-oobr.pcap, whose fuzzed timestamps jump
    # back by years); frames the kernel's runner refused (none: frames
    # under 14 bytes are counted as malformed instead, as live).
    eq(f"{n}: replay frames/late/refused",
       (get(s, "replay", "frames", default=None), get(s, "replay", "late", default=None),
        get(s, "replay", "refused", default=None)),
       (r.cap["packets"], r.late, 0))


def replay_bins(r, recs, agg):
    """Per-interval summaries against the per-second ground truth."""
    n = f"{r.name} [{'wire' if r.bkey == 'bytes_wire' else 'captured'} bytes]"
    summ = [x for x in recs if x.get("type") == "summary"]
    tss = [x.get("ts") for x in summ]
    result(all(a < b for a, b in zip(tss, tss[1:])), f"{n}: summaries in time order, one a bin",
           f"ts {tss[:6]}")
    sts = set(tss)
    seen, stray = set(), []
    for x in recs:
        if x.get("type") == "range":
            k = (x.get("ts"), x.get("range"), x.get("dir"))
            if x.get("ts") not in sts or k in seen:
                stray.append(k)
            seen.add(k)
    result(not stray, f"{n}: every range record in a bin with a summary, once a (range, dir)",
           f"{stray[:3]}")
    got = {}
    for x in summ:
        v = got.setdefault(x.get("ts"), [0, 0])
        v[0] += x.get("pkts", 0)
        v[1] += x.get("bytes", 0)
    t0 = r.frames[0][0]
    ts_of = lambda k: fmt_ts(t0 + (k + 1) * r.interval_ns)	# noqa: E731 (end of bin k)
    own = r.bins()
    ps = r.cap["per_second"]
    if ps is not None and r.interval_ns == 10**9:
        fb = ps["first_bin"]
        want = {fb + i: [p, b - r.hdr * p] for i, (p, b) in
                enumerate(zip(ps["packets"], ps[r.bkey])) if p}
        check_dict(f"{n}: own pcap reader: bins == ground truth per_second", own, want)
        check_dict(f"{n}: per-second bins ({len(want)} non-empty of {len(ps['packets'])}, "
                   f"first_bin {fb}): summary pkts/bytes at ts = t0 + (bin+1) s",
                   got, {ts_of(k): v for k, v in want.items()})
        return
    # No per-second figures (spans > 3600 s) or another interval: no more
    # summaries than bins with frames, and where no frame is late, the
    # file's own bins exactly.
    result(len(summ) <= len(own), f"{n}: {len(summ)} summaries <= {len(own)} bins with frames "
           f"(span {r.cap['time']['duration_s']} s: empty bins print nothing)")
    sim, late = r.simulate()
    check_dict(f"{n}: bins ({len(sim)}, from the file's timestamps; {late} frames late) == "
               f"summary pkts/bytes by ts", got, {ts_of(k): v for k, v in sim.items()})


def cmd_replay_totals(a):
    """Run with catch-all ranges (0.0.0.0/0, ::/0): every parsed packet is
    `in` for its family's range, once (source and destination in one range
    count once), so the range records carry the class totals."""
    r = Replay(a)
    agg = load(a.records)
    recs = load_list(a.records)
    s, d = agg["summary"], r.view
    n = f"{r.name} [catch-all, {'wire' if r.bkey == 'bytes_wire' else 'captured'} bytes]"
    r.reader_checks()
    replay_common(r, agg, n.split(" [")[1][:-1])
    l4 = d["l4"]
    for cls in ("tcp", "udp", "icmp", "other"):
        got = (range_sum(agg, "proto", cls, "pkts") + get(s, "unmatched", "proto", cls, "pkts"),
               range_sum(agg, "proto", cls, "bytes") +
               get(s, "unmatched", "proto", cls, "bytes"))
        eq(f"{n}: {cls} pkts/bytes", got, (l4[cls]["packets"], r.b(l4[cls])))
    v4 = d["dst_prefixes"]["ipv4_24"]["packets"]
    v6 = d["dst_prefixes"]["ipv6_64"]["packets"]
    eq(f"{n}: unmatched pkts, dir out pkts", (get(s, "unmatched", "pkts"),
                                              range_sum(agg, "pkts", dirs=("out",))), (0, 0))
    eq(f"{n}: range all4/all6 in pkts == parsed IPv4/IPv6",
       (range_sum(agg, "pkts", dirs=("in",), names=("all4",)),
        range_sum(agg, "pkts", dirs=("in",), names=("all6",))), (v4, v6))
    # Every frame a parsed IP packet: the histogram is the file's sizes by
    # counted length (wire: frame.len; captured: cap_len), link header off.
    hist = None
    if r.cap["non_ip"] == 0 and r.not_direct == 0 and l4["unparsed"]["packets"] == 0:
        hist = r.cap["frame_len_hist"] if r.bkey == "bytes_wire" else \
            (r.cap.get("cap_len_hist") or r.cap["frame_len_hist"])
    check_sizes_flags_frags(n, agg, d, hist, r.hdr)
    replay_bins(r, recs, agg)


def prefix_ranges(view):
    """The ranges of the per-prefix run: every listed (top 50) destination
    and source /24 and /64, each its own range named by the prefix."""
    seen = []
    for side in ("dst_prefixes", "src_prefixes"):
        for fam in ("ipv4_24", "ipv6_64"):
            for e in view[side][fam]["top_by_packets"]:
                if e["prefix"] not in seen:
                    seen.append(e["prefix"])
    return seen


def cmd_replay_ranges(a):
    gt = json.load(open(a.gt))
    cap = gt["captures"][a.capture]
    view = cap["ethernet_direct_view"] if cap["link_type"] == "ether" else cap
    for p in prefix_ranges(view):
        print(p, p)


def cmd_replay_prefixes(a):
    """Run with every listed /24 and /64 as its own range. MANIFEST: for a
    range R, `in` = dst_prefixes[R]; `out` = src_prefixes[R] -
    same_src_dst_prefix[R] (a packet from R to R counts once, as `in`; one
    from R to another configured range counts `in` there and `out` here;
    one from R to no range counts `out` here)."""
    r = Replay(a)
    agg = load(a.records)
    d = r.view
    tag = f"/24+/64 ranges, {'wire' if r.bkey == 'bytes_wire' else 'captured'} bytes"
    n = f"{r.name} [{tag}]"
    replay_common(r, agg, tag)
    cfg = set(prefix_ranges(d))
    names = {k[0] for k in agg["ranges"]}
    result(names <= cfg, f"{n}: range records only for configured ranges",
           f"unknown {sorted(names - cfg)[:3]}")

    def rec(p, dr):
        v = agg["ranges"].get((p, dr), {})
        return (v.get("pkts", 0), v.get("bytes", 0))

    for fam, plen in (("ipv4_24", "/24"), ("ipv6_64", "/64")):
        dst, src, same = (d[k][fam] for k in ("dst_prefixes", "src_prefixes",
                                               "same_src_dst_prefix"))
        dl = {e["prefix"]: e for e in dst["top_by_packets"]}
        sl = {e["prefix"]: e for e in src["top_by_packets"]}
        ml = {e["prefix"]: e for e in same["top_by_packets"]}
        fam_cfg = [p for p in cfg if (":" in p) == (fam == "ipv6_64")]
        if not fam_cfg:
            continue
        # in == dst_prefixes entry; a configured prefix missing from a
        # complete list (count == listed) has no packets to it.
        got, want = {}, {}
        dst_complete = dst["count"] == len(dl)
        for p in fam_cfg:
            if p in dl:
                want[p] = (dl[p]["packets"], r.b(dl[p]))
            elif dst_complete:
                want[p] = (0, 0)
            else:
                continue
            got[p] = rec(p, "in")
        check_dict(f"{n}: {len(got)} {plen} ranges: in pkts/bytes == dst_prefixes "
                   f"(count {dst['count']}, {len(dl)} listed)", got, want)
        # out == src - same; same is known where listed or the list is complete.
        got, want, bounded = {}, {}, []
        src_complete = src["count"] == len(sl)
        same_complete = same["count"] == len(ml)
        same_min = min((e["packets"] for e in ml.values()), default=0)
        for p in fam_cfg:
            if p in sl:
                se = sl[p]
            elif src_complete:
                se = {"packets": 0, "bytes_wire": 0, "bytes_captured": 0}
            else:
                continue
            if p in ml:
                me = ml[p]
            elif same_complete or se["packets"] == 0:
                me = {"packets": 0, "bytes_wire": 0, "bytes_captured": 0}
            else:
                bounded.append(p)
                continue
            got[p] = rec(p, "out")
            want[p] = (se["packets"] - me["packets"], r.b(se) - r.b(me))
        check_dict(f"{n}: {len(got)} {plen} ranges: out pkts/bytes == src_prefixes - "
                   f"same_src_dst_prefix (count {same['count']}, {len(ml)} listed)", got, want)
        if bounded:
            # same_src_dst_prefix lists its top 50 only: an unlisted entry
            # holds at most as many packets as the smallest listed one.
            bad = [p for p in bounded
                   if not 0 <= sl[p]["packets"] - rec(p, "out")[0] <= same_min]
            result(not bad, f"{n}: {len(bounded)} {plen} ranges whose same_src_dst_prefix "
                   f"entry is beyond the top {len(ml)}: src - {same_min} <= out pkts <= src",
                   f"{[(p, rec(p, 'out')[0], sl[p]['packets']) for p in bad[:3]]}")


# Counters a live run and a replay of the same frames must agree on: all,
# less what depends on when records were cut or on the host: rates, times,
# ids (NOT_COUNTS), the replay object (replay only), ranges_active (records
# in an interval: the sum depends on how many intervals there were) and
# missed.drains_late (a live daemon's scheduling, not the traffic).
SAME_SKIP = {"replay", "ranges_active"}


def flat(d, pre=""):
    out = {}
    for k, v in d.items():
        if k in SAME_SKIP and not pre:
            continue
        if isinstance(v, dict):
            out.update(flat(v, pre + k + "."))
        else:
            out[pre + k] = v
    out.pop("missed.drains_late", None)
    return out


def cmd_replay_same(a):
    x, y = load(a.a), load(a.b)
    for agg, what in ((x, a.a_name), (y, a.b_name)):
        result(not agg["bad"] and agg["summaries"] > 0,
               f"{a.label}: {what} records well-formed ({agg['records']} records)",
               "; ".join(agg["bad"][:3]))
    check_dict(f"{a.label}: summary counters, {a.a_name} == {a.b_name}",
               flat(x["summary"]), flat(y["summary"]))
    keys = sorted(set(x["ranges"]) | set(y["ranges"]), key=str)
    got = {f"{k[0]}:{k[1]}:{f}": v for k in keys for f, v in flat(x["ranges"].get(k, {})).items()}
    want = {f"{k[0]}:{k[1]}:{f}": v for k in keys
            for f, v in flat(y["ranges"].get(k, {})).items()}
    check_dict(f"{a.label}: range counters ({len(keys)} range/dir), {a.a_name} == {a.b_name}",
               got, want)
    if a.want_pkts is not None:
        eq(f"{a.label}: {a.a_name} counted every frame sent", x["summary"].get("pkts", 0),
           a.want_pkts)
    if a.per_ts:
        # Same binning (two replays): the records themselves, less volatile fields.
        def strip(path):
            out = []
            for rec in load_list(path):
                rec = {k: v for k, v in rec.items() if k not in ("drain_ms", "programs",
                                                                "kernel_mem")}
                out.append(json.dumps(rec, sort_keys=True))
            return out
        la, lb = strip(a.a), strip(a.b)
        result(la == lb, f"{a.label}: records identical but drain_ms/programs/kernel_mem "
               f"({len(la)} vs {len(lb)})",
               next((f"first difference: {p} vs {q}" for p, q in zip(la, lb) if p != q), ""))


def main():
    ap = argparse.ArgumentParser(description="compare xdpscope records")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("agg")
    p.add_argument("records")
    p = sub.add_parser("pcap")
    p.add_argument("--gt", required=True)
    p.add_argument("--capture", required=True)
    p.add_argument("--records", required=True)
    for opt in ("--sent-bytes", "--dropped-frames", "--dropped-bytes", "--replay-ok",
                "--replay-failed"):
        p.add_argument(opt, type=int, required=True)
    p.add_argument("--hook", choices=("xdp", "tc"), default="xdp")
    p.add_argument("--runs", action="store_true", help="records carry run counts")
    p.add_argument("--xdp-mode", default="native", help="expected XDP attach mode")
    p = sub.add_parser("expect")
    p.add_argument("--label", default="")
    p.add_argument("records")
    p.add_argument("checks", nargs="*")
    for cmd in ("replay-totals", "replay-prefixes"):
        p = sub.add_parser(cmd)
        p.add_argument("--gt", required=True)
        p.add_argument("--capture", required=True)
        p.add_argument("--pcap", required=True, help="the capture file replayed")
        p.add_argument("--records", required=True)
        p.add_argument("--bytes", choices=("wire", "captured"), default="wire")
        p.add_argument("--interval", type=float, default=1.0, help="seconds")
        p.add_argument("--window", type=float, default=1.0, help="reorder window, seconds")
    p = sub.add_parser("replay-ranges")
    p.add_argument("--gt", required=True)
    p.add_argument("--capture", required=True)
    p = sub.add_parser("replay-same")
    p.add_argument("--label", required=True)
    p.add_argument("--a", required=True)
    p.add_argument("--b", required=True)
    p.add_argument("--a-name", default="live")
    p.add_argument("--b-name", default="replay")
    p.add_argument("--want-pkts", type=int, help="frames --a must have counted")
    p.add_argument("--per-ts", action="store_true", help="same binning: compare records")
    a = ap.parse_args()
    {"agg": cmd_agg, "pcap": cmd_pcap, "expect": cmd_expect, "replay-totals": cmd_replay_totals,
     "replay-prefixes": cmd_replay_prefixes, "replay-ranges": cmd_replay_ranges,
     "replay-same": cmd_replay_same}[a.cmd.replace("_", "-")](a)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
