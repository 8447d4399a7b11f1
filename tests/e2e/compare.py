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

# Summary keys that are not counts (rates, durations, identity).
NOT_COUNTS = {"schema", "type", "ts", "host", "ifname", "interval_s", "pps", "bps",
              "drain_ms", "gap_s", "kernel_mem", "ranges", "programs"}

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
    eq(f"{n}: size_hist adds up to pkts",
       sum(range_sum(agg, "size_hist", b) for b, _ in SIZE_BUCKETS), range_sum(agg, "pkts"))
    if cap["non_ip"] == 0 and d["ip_packets_not_direct"] == 0 and l4["unparsed"]["packets"] == 0:
        # Every frame is a parsed IP packet in a range: the histogram is the
        # capture's own size distribution, bucketed (live: captured length).
        hist = cap.get("cap_len_hist") or cap["frame_len_hist"]
        want = {b: 0 for b, _ in SIZE_BUCKETS}
        for size, count in hist.items():
            want[bucket_of(int(size))] += count
        eq(f"{n}: size_hist == the capture's frame sizes, bucketed",
           {b: range_sum(agg, "size_hist", b) for b, _ in SIZE_BUCKETS}, want)

    # --- TCP flags, fragments, cut L4 headers ---------------------------------
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
    a = ap.parse_args()
    {"agg": cmd_agg, "pcap": cmd_pcap, "expect": cmd_expect}[a.cmd](a)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
