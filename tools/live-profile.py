#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where a live program's time goes, by stage and by source line.

    live-profile.py LINES PERF_SCRIPT NS_PER_PKT

LINES: tools/bpf_lines output ("ADDRESS FILE:LINE" a line-info record);
PERF_SCRIPT: `perf script -F ip,sym` of `perf record -e cpu-clock -a`
taken while traffic ran through the program; NS_PER_PKT: the program's
ns/packet from bpf_stats over the same traffic. Each sample inside the
program is put on the source line whose first JIT instruction is the
nearest at or below it; a stage is a source file (parse.h, classify.h,
account.h, sketch.h, the entry file). Prints each stage's share of the
program's samples and its ns/packet (share x NS_PER_PKT), then the 15
busiest lines.
"""
import bisect
import collections
import sys

lines = []
for l in open(sys.argv[1]):
    addr, where = l.split()
    lines.append((int(addr, 16), where))
lines.sort()
addrs = [a for a, _ in lines]
ns = float(sys.argv[3])
by_line = collections.Counter()
total = inprog = 0
for l in open(sys.argv[2]):
    f = l.split()
    if len(f) < 2:
        continue
    total += 1
    if not f[1].startswith("bpf_prog_"):
        continue
    ip = int(f[0], 16)
    i = bisect.bisect_right(addrs, ip) - 1
    if i < 0 or ip - addrs[i] > 4096:
        continue
    inprog += 1
    by_line[lines[i][1]] += 1
if not inprog:
    print("profile  no samples in the program (%d in all)" % total)
    sys.exit(0)
by_file = collections.Counter()
for where, c in by_line.items():
    by_file[where.split(":")[0]] += c
print("profile  %d samples in the program (%.1f%% of all %d); stage (source file): share, ns/packet"
      % (inprog, 100.0 * inprog / max(1, total), total))
for f, c in by_file.most_common():
    print("profile    %-18s %5.1f%%  %6.1f ns" % (f, 100.0 * c / inprog, ns * c / inprog))
print("profile  busiest source lines:")
for where, c in by_line.most_common(15):
    print("profile    %-24s %5.1f%%  %6.1f ns" % (where, 100.0 * c / inprog, ns * c / inprog))
