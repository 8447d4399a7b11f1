#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sums of xdpscope's NDJSON records (collect or run), for test_sflow.sh.

  sflow_sum.py FILE KEY...   one value a line, each the sum over intervals

KEY is a path into the records: "range:NAME:DIR:FIELD" (a range record's
pkts, bytes, tcp.pkts, syn, ...), "summary:PATH" (e.g. summary:sflow.datagrams,
summary:sflow.malformed.short, summary:sflow.agents.198.18.0.1.samples_lost:
agent names may hold dots, so the agent is matched whole) or
"last:PATH" (the last summary's value, for interface counters), or
"agent" (the set of the records' "agent" values, sorted, comma-separated).
"range@AGENT:NAME:DIR:FIELD" and "range@AGENT/IFINDEX:NAME:DIR:FIELD" sum
only the range records of that view (IFINDEX "-": a null ifindex);
"alerts@AGENT" counts the alert records of an agent with state "start".
A missing value sums as 0.
"""
import json
import sys


def get(o, path):
    """Walk o by the dotted path, matching the longest key at each step."""
    parts = path.split('.')
    i = 0
    while i < len(parts):
        if not isinstance(o, dict):
            return 0
        for j in range(len(parts), i, -1):
            k = '.'.join(parts[i:j])
            if k in o:
                o = o[k]
                i = j
                break
        else:
            return 0
    return o


def main():
    recs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    for key in sys.argv[2:]:
        if key == 'agent':
            print(','.join(sorted({r.get('agent', '') for r in recs})))
            continue
        kind, _, rest = key.partition(':')
        kind, _, view = kind.partition('@')
        agent, _, ifx = view.partition('/')

        def of_view(r):
            if not view:
                return True
            if r.get('agent') != agent:
                return False
            if not ifx:
                return 'ifindex' not in r
            return r.get('ifindex', 0) == (None if ifx == '-' else int(ifx))
        if kind == 'alerts':
            v = sum(1 for r in recs if r.get('type') == 'alert' and
                    r.get('state') == 'start' and of_view(r))
        elif kind == 'range':
            name, d, field = rest.split(':', 2)
            v = sum(get(r, field) or 0 for r in recs
                    if r.get('type') == 'range' and r.get('range') == name and
                    r.get('dir') == d and of_view(r))
        elif kind == 'summary':
            v = sum(get(r, rest) or 0 for r in recs if r.get('type') == 'summary')
        elif kind == 'last':
            v = [get(r, rest) for r in recs if r.get('type') == 'summary' and get(r, rest)]
            v = v[-1] if v else 0
        else:
            raise SystemExit('bad key ' + key)
        print(v)
    return 0


if __name__ == '__main__':
    sys.exit(main())
