#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write a small Ethernet pcap from a packet list, for tests and demos.

    gen-pcap.py OUT.pcap SPEC...

Each SPEC is one packet: KIND,SRC,DST[,key=value...] with KIND one of
tcp, udp, icmp, arp; keys: sport, dport, flags (tcp: S, SA, R, F, A, P
combined, e.g. SA), len (pad the frame to this many bytes), count (repeat),
cut (keep only this many bytes in the file; the record's original length
stays the frame's), at (the packet's time in seconds after the capture's
start, e.g. 0.5 or 94608000; default: where the previous packet left off),
step (seconds from one packet to the next, default 1; e.g. 0.001).
Addresses must be test addresses (198.18.0.0/15, 2001:db8::/32): this tool
refuses others, since its output is meant to go on a test link.
Timestamps start at 1700000000 s (2023-11-14) and have microseconds.
Standard library only.
"""
import ipaddress
import struct
import sys

TEST_NETS = [ipaddress.ip_network("198.18.0.0/15"), ipaddress.ip_network("2001:db8::/32")]
FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20}


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def test_addr(text):
    a = ipaddress.ip_address(text)
    if not any(a in n for n in TEST_NETS):
        sys.exit("gen-pcap: %s is not a test address (198.18.0.0/15, 2001:db8::/32)" % text)
    return a


def frame(kind, src, dst, opts):
    eth_src, eth_dst = b"\x02\x00\x00\x00\x00\x01", b"\x02\x00\x00\x00\x00\x02"
    if kind == "arp":
        s, d = test_addr(src), test_addr(dst)
        arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, eth_src, s.packed,
                          b"\0" * 6, d.packed)
        return b"\xff" * 6 + eth_src + b"\x08\x06" + arp
    s, d = test_addr(src), test_addr(dst)
    sport, dport = int(opts.get("sport", 40000)), int(opts.get("dport", 80))
    if kind == "tcp":
        fl = sum(FLAGS[c] for c in opts.get("flags", "S"))
        l4 = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 0x50, fl, 1024, 0, 0)
        proto = 6
    elif kind == "udp":
        l4 = struct.pack("!HHHH", sport, dport, 8 + 32, 0) + b"\0" * 32
        proto = 17
    elif kind == "icmp":
        proto = 1 if s.version == 4 else 58
        l4 = struct.pack("!BBHHH", 8 if s.version == 4 else 128, 0, 0, 1, 1) + b"\0" * 48
    else:
        sys.exit("gen-pcap: unknown kind %r" % kind)
    if s.version == 4:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0,
                         s.packed, d.packed)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        pkt = eth_dst + eth_src + b"\x08\x00" + ip + l4
    else:
        ip = struct.pack("!IHBB16s16s", 0x60000000, len(l4), proto, 64, s.packed, d.packed)
        pkt = eth_dst + eth_src + b"\x86\xdd" + ip + l4
    want = int(opts.get("len", 0))
    return pkt + b"\0" * max(0, want - len(pkt))


def usec(text):
    """Seconds as text ("1.2", "94608000") -> whole microseconds, exactly."""
    whole, _, frac = text.partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > 6:
        sys.exit("gen-pcap: expected seconds with at most 6 decimals, got %r" % text)
    return int(whole) * 1_000_000 + int(frac.ljust(6, "0") or 0)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    start = 1_700_000_000 * 1_000_000
    t = start
    for spec in sys.argv[2:]:
        parts = spec.split(",")
        if len(parts) < 3:
            sys.exit("gen-pcap: expected KIND,SRC,DST[,key=value...], got %r" % spec)
        opts = dict(p.split("=", 1) for p in parts[3:])
        f = frame(parts[0], parts[1], parts[2], opts)
        cap = f[:int(opts["cut"])] if "cut" in opts else f
        step = usec(opts.get("step", "1"))
        if "at" in opts:
            t = start + usec(opts["at"])
        for _ in range(int(opts.get("count", 1))):
            out.append(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(cap), len(f))
                       + cap)
            t += step
    with open(sys.argv[1], "wb") as fh:
        fh.write(b"".join(out))


if __name__ == "__main__":
    main()
