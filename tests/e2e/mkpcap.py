#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
mkpcap.py [--dmac MAC] OUT.pcap SPEC...: write a classic pcap of crafted
Ethernet/IPv4 frames for the e2e tests (Python standard library only).

SPEC is KIND:SRC>DST:COUNT, KIND one of
  udp      UDP 40000 -> 7 with 18 bytes of payload (a 60-byte frame)
  syn      TCP SYN 40001 -> 80 (a 54-byte frame)
  synack, rst, fin
           the same with SYN+ACK, RST+ACK, FIN+ACK
  frag1    the first fragment of a UDP datagram (More Fragments, offset 0)
  fragn    a later fragment of it (offset 64 bytes: no UDP header)
  icmp     ICMP echo request
  gre      IP protocol 47 with a 4-byte GRE header (class "other")
Addresses must lie in 198.18.0.0/15 (the test ranges); the source MAC is
02:00:00:00:00:01 (locally administered), the destination --dmac or
02:00:00:00:00:02. Checksums are right; frames are spaced 1 ms apart.
"""
import ipaddress
import struct
import sys

TEST_NET = ipaddress.ip_network("198.18.0.0/15")


def csum(data):
    if len(data) % 2:
        data += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


TCP_FLAGS = {"syn": 0x02, "synack": 0x12, "rst": 0x14, "fin": 0x11}


def frame(kind, src, dst, dmac, ident):
    s, d = src.packed, dst.packed
    frag = 0
    if kind == "udp":
        payload = b"xdpscope-e2e-test!"
        l4 = struct.pack("!HHHH", 40000, 7, 8 + len(payload), 0) + payload
        proto = 17
        ck = csum(s + d + struct.pack("!BBH", 0, proto, len(l4)) + l4) or 0xffff
        l4 = l4[:6] + struct.pack("!H", ck) + l4[8:]
    elif kind in TCP_FLAGS:
        l4 = struct.pack("!HHIIBBHHH", 40001, 80, 1000 + ident, 0, 5 << 4, TCP_FLAGS[kind],
                         64240, 0, 0)
        proto = 6
        ck = csum(s + d + struct.pack("!BBH", 0, proto, len(l4)) + l4)
        l4 = l4[:16] + struct.pack("!H", ck) + l4[18:]
    elif kind == "frag1":
        # No checksum: it covers the whole datagram, which is not here.
        l4 = struct.pack("!HHHH", 40000, 7, 8 + 64 + 16, 0) + b"\0" * 56
        proto, frag = 17, 0x2000
    elif kind == "fragn":
        l4 = b"\0" * 16
        proto, frag = 17, 64 // 8
    elif kind == "icmp":
        l4 = struct.pack("!BBHHH", 8, 0, 0, 1, ident) + b"\0" * 24
        l4 = l4[:2] + struct.pack("!H", csum(l4)) + l4[4:]
        proto = 1
    elif kind == "gre":
        l4 = struct.pack("!HH", 0, 0x88B5) + b"\0" * 20	# local experimental EtherType
        proto = 47
    else:
        raise ValueError(f"unknown kind {kind!r}")
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident, frag, 64, proto, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = dmac + bytes.fromhex("020000000001") + b"\x08\x00"
    return eth + ip + l4


def main():
    args = sys.argv[1:]
    dmac = bytes.fromhex("020000000002")
    if args[:1] == ["--dmac"] and len(args) > 1:
        dmac = bytes.fromhex(args[1].replace(":", ""))
        args = args[2:]
    if len(args) < 2 or len(dmac) != 6:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    frames = []
    for spec in args[1:]:
        try:
            kind, pair, count = spec.split(":")
            src, dst = (ipaddress.IPv4Address(x) for x in pair.split(">"))
            count = int(count)
        except ValueError:
            print(f"mkpcap.py: bad SPEC {spec!r}: expected KIND:SRC>DST:COUNT", file=sys.stderr)
            sys.exit(2)
        if src not in TEST_NET or dst not in TEST_NET:
            print(f"mkpcap.py: {spec}: addresses must be in {TEST_NET}", file=sys.stderr)
            sys.exit(2)
        for _ in range(count):
            frames.append(frame(kind, src, dst, dmac, len(frames) + 1))
    with open(args[0], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000, i * 1000, len(fr), len(fr)))
            f.write(fr)


if __name__ == "__main__":
    main()
