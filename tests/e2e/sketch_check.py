#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks of the sketches (issue 4) in replay records, against the ground
truth and against tshark's own reading of the capture.

  whole: a --whole replay with catch-all ranges all4 = 0.0.0.0/0 and
         all6 = ::/0: uniq_src per family against distinct_src; the top
         sources and destination ports against the ground truth's top 10
         (where the counts are distinct) and every element with at least
         1% of its range's packets present, counted exactly or over by at
         most 0.1% of the range's packets.
  bins:  a replay with 1 s bins: uniq_src of every (range, direction) and
         bin within max(2, 3%) of the exact number of distinct sources,
         computed here from tshark's fields (outermost IP header, frames
         the parser reaches), with the catch-all ranges or with every
         listed /24 and /64 as its own range.
"""
import argparse
import ipaddress
import json
import sys
from collections import defaultdict

import compare
from compare import result

# Layers tshark may show in front of an outermost IP header that the
# parser reaches: Ethernet with 0..2 VLAN tags, or the link header replay
# replaces (SLL, raw IP).
VLAN = ("vlan", "ieee8021ad")


def outer_ip(protocols):
    """'ip' or 'ipv6' when the first IP layer is where the parser finds
    it, else None."""
    layers = protocols.split(":")
    for i, name in enumerate(layers):
        if name in ("ip", "ipv6"):
            head = layers[:i]
            break
    else:
        return None
    if head in (["sll", "ethertype"], ["raw"]):
        return name
    if head[:2] != ["eth", "ethertype"]:
        return None
    rest, tags = head[2:], 0
    while rest:
        if len(rest) < 2 or rest[0] not in VLAN or rest[1] != "ethertype":
            return None
        rest, tags = rest[2:], tags + 1
    return name if tags <= 2 else None


def load_tsv(path):
    """[(src, dst) or None] per frame in file order, from
    tshark -T fields -e frame.protocols -e ip.src -e ip.dst -e ipv6.src
    -e ipv6.dst -E occurrence=f (the first of each: the outermost)."""
    out = []
    with open(path) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            cols += [""] * (5 - len(cols))
            fam = outer_ip(cols[0])
            src, dst = (cols[1], cols[2]) if fam == "ip" else (cols[3], cols[4])
            if fam is None or not src or not dst:
                out.append(None)
                continue
            out.append((ipaddress.ip_address(src), ipaddress.ip_address(dst)))
    return out


def frame_bins(frames, interval_ns, window_ns):
    """The bin each frame is counted in, by the replay contract (as
    compare.Replay.simulate, frame by frame)."""
    import heapq
    bins, held, newest, cur = [None] * len(frames), [], None, None
    if not frames:
        return bins
    t0 = frames[0][0]

    def release(ts, rec):
        nonlocal cur
        k = (ts - t0) // interval_ns
        if cur is None or k > cur:
            cur = k
        bins[rec] = cur

    for rec, (ts, _, _, _) in enumerate(frames):
        newest = ts if newest is None else max(newest, ts)
        heapq.heappush(held, (ts, rec))
        while held and newest - held[0][0] > window_ns:
            release(*heapq.heappop(held))
    while held:
        release(*heapq.heappop(held))
    return bins


def within(got, want):
    return abs(got - want) <= max(2, 0.03 * want)


def cmd_bins(a):
    gt = json.load(open(a.gt))
    cap = gt["captures"][a.capture]
    view = cap["ethernet_direct_view"] if cap["link_type"] == "ether" else cap
    frames = compare.pcap_frames(a.pcap)
    addrs = load_tsv(a.tsv)
    result(len(addrs) == len(frames), f"{a.capture}: tshark fields for every frame",
           f"{len(addrs)} lines, {len(frames)} frames")
    if len(addrs) != len(frames):
        return
    interval = int(a.interval * 10**9)
    bins = frame_bins(frames, interval, int(a.window * 10**9))
    if a.prefixes:
        nets = [ipaddress.ip_network(p) for p in compare.prefix_ranges(view)]
    else:
        nets = [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
    names = {n: (str(n) if a.prefixes else ("all4" if n.version == 4 else "all6"))
             for n in nets}

    def range_of(addr):
        for n in nets:
            if addr.version == n.version and addr in n:
                return n
        return None

    want = defaultdict(set)		# (bin, range name, dir) -> sources
    for k, fa in zip(bins, addrs):
        if fa is None:
            continue
        s, d = fa
        rs, rd = range_of(s), range_of(d)
        if rd is not None:
            want[(k, names[rd], "in")].add(s)
        if rs is not None and rs != rd:
            want[(k, names[rs], "out")].add(s)
    t0 = frames[0][0]
    got = {}
    for rec in compare.load_list(a.records):
        if rec.get("type") == "range":
            got[(rec["ts"], rec["range"], rec["dir"])] = rec.get("uniq_src")
    bad, n = [], 0
    for (k, rng, dr), srcs in sorted(want.items(), key=lambda x: (x[0][0], x[0][1], x[0][2])):
        ts = compare.fmt_ts(t0 + (k + 1) * interval)
        g = got.get((ts, rng, dr))
        n += 1
        if g is None or not within(g, len(srcs)):
            bad.append(f"bin {k} {rng} {dr}: uniq_src {g}, exact {len(srcs)}")
    tag = "/24+/64 ranges" if a.prefixes else "catch-all"
    result(not bad, f"{a.capture} [{tag}]: uniq_src of {n} (range, dir, 1 s bin) within "
           f"max(2, 3%) of tshark's distinct sources", "; ".join(bad[:4]))


def merged_top(recs, key, field):
    """The all4 and all6 `in` lists of one dimension as one list, a key in
    both (a port) summed; with the packets of the ranges it came from."""
    pkts, rp = defaultdict(int), defaultdict(int)
    for r in recs:
        if r.get("type") == "range" and r["dir"] == "in":
            for e in r.get(key, []):
                pkts[e[field]] += e["pkts"]
                rp[e[field]] += r["pkts"]
    return sorted(((p, k, rp[k]) for k, p in pkts.items()), key=lambda x: (-x[0], str(x[1])))


def check_top(name, truth, ours, tkey, label):
    """Ranks whose counts are distinct in the truth's top 10: the same key,
    counted exactly or over by at most 0.1% of its range's packets."""
    counts = [t["packets"] for t in truth]
    bad, n = [], 0
    for i, t in enumerate(truth):
        if counts.count(t["packets"]) > 1:
            continue
        # The 10th may tie with an 11th the truth does not list.
        if i == len(truth) - 1 and len(truth) == 10:
            continue
        n += 1
        idx = [j for j, (_, k, _) in enumerate(ours) if str(k) == str(t[tkey])]
        if not idx:
            bad.append(f"rank {i + 1} {t[tkey]} ({t['packets']}): missing")
            continue
        p, _, rp = ours[idx[0]]
        if not (t["packets"] <= p <= t["packets"] + rp / 1000) or idx[0] != i:
            bad.append(f"rank {i + 1} {t[tkey]}: truth {t['packets']}, got {p} at rank "
                       f"{idx[0] + 1}")
    result(not bad, f"{name}: {label}: the {n} ranks with distinct counts match the ground "
           f"truth's top 10", "; ".join(bad[:4]))


def cmd_whole(a):
    gt = json.load(open(a.gt))
    cap = gt["captures"][a.capture]
    view = cap["ethernet_direct_view"] if cap["link_type"] == "ether" else cap
    recs = compare.load_list(a.records)
    rng = {r["range"]: r for r in recs if r.get("type") == "range" and r["dir"] == "in"}
    n = a.capture
    for fam, name in (("ipv4", "all4"), ("ipv6", "all6")):
        want = view["distinct_src"][fam]
        got = rng.get(name, {}).get("uniq_src", 0)
        result(within(got, want), f"{n}: whole capture: {name} uniq_src within max(2, 3%) "
               f"of distinct_src.{fam}", f"got {got}, exact {want}")
    # The top lists of the ground truth count every IP frame; compare them
    # where every IP frame is one the parser reaches.
    if cap["link_type"] == "ether" and view["ip_packets_not_direct"]:
        return
    fams = {4: view["ipv4"], 6: view["ipv6"]}
    srcs = merged_top(recs, "top_src", "addr")
    ports = merged_top(recs, "top_dport", "port")
    check_top(n, cap["top_src_by_packets"], srcs, "addr", "top_src")
    check_top(n, cap["top_dst_ports"], ports, "port", "top_dport")
    # Every element of at least 1% of its range: present, within 0.1%.
    bad, n1 = [], 0
    for t in cap["top_src_by_packets"]:
        fam = ipaddress.ip_address(t["addr"]).version
        if t["packets"] * 100 < fams[fam]:
            continue
        n1 += 1
        mine = [p for p, k, _ in srcs if k == t["addr"]]
        if not mine or not t["packets"] <= mine[0] <= t["packets"] + fams[fam] / 1000:
            bad.append(f"{t['addr']}: truth {t['packets']}, got {mine[:1]}")
    result(not bad, f"{n}: the {n1} sources with >= 1% of their range's packets are in "
           f"top_src, within 0.1%", "; ".join(bad[:4]))


def main():
    ap = argparse.ArgumentParser(description="check xdpscope's sketches")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("whole")
    p.add_argument("--gt", required=True)
    p.add_argument("--capture", required=True)
    p.add_argument("--records", required=True)
    p = sub.add_parser("bins")
    p.add_argument("--gt", required=True)
    p.add_argument("--capture", required=True)
    p.add_argument("--pcap", required=True)
    p.add_argument("--tsv", required=True)
    p.add_argument("--records", required=True)
    p.add_argument("--prefixes", action="store_true", help="ranges: every listed /24, /64")
    p.add_argument("--interval", type=float, default=1.0)
    p.add_argument("--window", type=float, default=1.0)
    a = ap.parse_args()
    {"whole": cmd_whole, "bins": cmd_bins}[a.cmd](a)
    sys.exit(1 if compare.failures else 0)


if __name__ == "__main__":
    main()
