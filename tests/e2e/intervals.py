#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
intervals.py RECORDS STARTED STOPPED [LABEL]: what a live daemon promises
about its intervals, whatever the machine's speed (no bound on any one
interval's length). STARTED is the wall time (seconds since the epoch)
just before the daemon was started, STOPPED just before it was sent
SIGINT; the last summary must be the stop's. Prints one PASS/FAIL line a
check (lib.sh, check_intervals, counts them):

- `interval_s` is the measured length: each summary's `ts` minus the
  previous summary's equals its `interval_s` (within TOL: `ts` has
  milliseconds, and is read from the wall clock next to the monotonic one);
- the intervals cover the run without a gap: the first starts after
  STARTED, the last (the stop's) ends after STOPPED, and the lengths add up
  to the wall time between the first and the last record;
- every range record carries its interval's `ts` and `interval_s`, but for
  the last record of a range removed by a reload (at the reload: its
  `interval_s` is then the time since the previous summary);
- rates are the counts divided by `interval_s`: pps = pkts / interval_s,
  bps = 8 * bytes / interval_s (to 1e-9 relative), for range and summary
  records.
"""
import datetime
import json
import sys

TOL = 0.02	# seconds: ms in ts, two clock reads, a preemption between them
SUM_TOL = 0.05


def ts(s):
    d = datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
    return d.replace(tzinfo=datetime.timezone.utc).timestamp()


def main():
    recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    started, stopped = float(sys.argv[2]), float(sys.argv[3])
    label = sys.argv[4] + ": " if len(sys.argv) > 4 else ""

    def res(ok, text):
        print(("PASS" if ok else "FAIL") + ": " + label + text)

    summ = [r for r in recs if r["type"] == "summary"]
    if not summ:
        res(False, "no summary record")
        return
    # Consecutive summaries: the ts difference is the interval.
    worst, at = 0.0, None
    for p, s in zip(summ, summ[1:]):
        dev = abs((ts(s["ts"]) - ts(p["ts"])) - s["interval_s"])
        if dev >= worst:
            worst, at = dev, s["ts"]
    if len(summ) > 1:
        res(worst <= TOL, "interval_s is the measured length: ts differences of %d consecutive "
            "summaries equal their interval_s (worst %.4f s, at %s)" % (len(summ) - 1, worst, at))
    first, last = summ[0], summ[-1]
    begin = ts(first["ts"]) - first["interval_s"]
    res(first["interval_s"] > 0 and begin >= started - TOL,
        "the first interval starts after the daemon was started (%.3f s later, %.3f s long)"
        % (begin - started, first["interval_s"]))
    res(ts(last["ts"]) >= stopped - TOL,
        "the stop's record ends after SIGINT was sent (%.3f s later)" % (ts(last["ts"]) - stopped))
    span = ts(last["ts"]) - ts(first["ts"])
    total = sum(s["interval_s"] for s in summ[1:])
    res(abs(total - span) <= SUM_TOL,
        "the intervals add up to the wall time between the first and the last record "
        "(%.3f s of %.3f s)" % (total, span))

    # Range records: their interval's ts and interval_s, or a removed range's last.
    by_ts = {s["ts"]: s for s in summ}
    last_at = {}
    for i, r in enumerate(recs):
        if r["type"] == "range":
            last_at[(r["range"], r["dir"])] = i
    odd, bad = [], []
    for i, r in enumerate(recs):
        if r["type"] != "range":
            continue
        s = by_ts.get(r["ts"])
        if s is not None and s["interval_s"] == r["interval_s"]:
            continue
        odd.append(r["range"])
        prev = [s for s in summ if ts(s["ts"]) <= ts(r["ts"])]
        if not prev or last_at[(r["range"], r["dir"])] != i or \
                abs(ts(r["ts"]) - ts(prev[-1]["ts"]) - r["interval_s"]) > TOL:
            bad.append("%s %s at %s (%s s)" % (r["range"], r["dir"], r["ts"], r["interval_s"]))
    res(not bad, "range records carry their interval's ts and interval_s, or are a removed "
        "range's last, timed from the previous summary (%d such: %s)%s" % (
            len(odd), sorted(set(odd)), "; wrong: " + ", ".join(bad[:5]) if bad else ""))

    # Rates.
    bad = []
    n = 0
    for r in recs:
        if r["type"] not in ("range", "summary"):
            continue
        n += 1
        iv = r["interval_s"]
        for rate, count, k in (("pps", "pkts", 1), ("bps", "bytes", 8)):
            want = k * r[count] / iv if iv > 0 else 0
            if abs(r[rate] - want) > 1e-9 * max(abs(want), 1e-300) and r[rate] != want:
                bad.append("%s %s %s: %s=%r, %s/interval_s=%r" % (
                    r["type"], r.get("range", ""), r["ts"], rate, r[rate], count, want))
    res(n > 0 and not bad, "pps = pkts / interval_s and bps = 8 bytes / interval_s in all %d "
        "range and summary records%s" % (n, "; " + "; ".join(bad[:3]) if bad else ""))

if __name__ == "__main__":
    main()
