#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
pcap-scrub: move every IP address tshark can see in a capture into the test
ranges (198.18.0.0/15, 2001:db8::/32), keeping every frame's length.

    tools/pcap-scrub.py [--drop-under N] IN.pcap OUT.pcap

tcprewrite --srcipmap/--dstipmap rewrites the outermost IPv4/IPv6 header it
finds behind Ethernet and 802.1Q tags. It leaves real addresses in headers
it does not walk: IP headers quoted in ICMP errors, tunnel payloads (GRE,
IPIP, 6in4, Teredo, VXLAN), IP behind PPPoE, MPLS or 802.1ad tags, ARP. This
tool finds those with tshark itself (PDML gives each field's byte offset),
so "what tshark shows" and "what we rewrote" are the same set:

  - ip.src/ip.dst, ipv6.src/ipv6.dst (every layer), arp.src.proto_ipv4 and
    arp.dst.proto_ipv4 outside the test ranges are mapped like tcprewrite
    maps them: IPv4 source -> 198.19.x.y, destination -> 198.18.x.y (low
    16 bits kept); IPv6 source -> 2001:db8:ffff::/48, destination ->
    2001:db8:0::/48 (low 80 bits kept);
  - every checksum that covers a changed byte (the IPv4 header checksum,
    TCP/UDP/ICMPv6 through their pseudo-header, ICMP/ICMPv6/GRE through
    their payload) is updated incrementally (RFC 1624), innermost first, so
    a checksum that was right stays right and a wrong one stays as wrong;
  - a raw pass over the outermost header behind Ethernet and up to two
    VLAN tags (what an XDP parser reads) maps address bytes tshark did not
    show because the header is malformed (IHL < 5, version mismatch, cut
    header): no checksum is touched there.

--drop-under N leaves out frames of fewer than N captured bytes (14: what
tcpreplay cannot send; it stops at a frame of 0 bytes) and prints
"dropped_frames=K dropped_bytes=B" on stdout, so a test can subtract them.

Only the classic pcap format is read and written (convert pcapng with
`editcap -F pcap` first); record headers are copied unchanged. Python 3
standard library and tshark only. Prints one line of figures on stderr;
exits 1 when a field's bytes do not match what tshark reported (nothing is
then written), 2 on bad usage or input.
"""
import ipaddress
import os
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

V4_NET = ipaddress.ip_network("198.18.0.0/15")
V6_NET = ipaddress.ip_network("2001:db8::/32")

TSHARK_OPTS = ["-n", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
               "-o", "tcp.desegment_tcp_streams:FALSE",
               "-o", "tcp.analyze_sequence_numbers:FALSE", "-o", "udp.process_info:FALSE"]

ADDR_FIELDS = {
    "ip.src": ("v4", "src"), "ip.dst": ("v4", "dst"),
    "ipv6.src": ("v6", "src"), "ipv6.dst": ("v6", "dst"),
    "arp.src.proto_ipv4": ("v4", "src"), "arp.dst.proto_ipv4": ("v4", "dst"),
}
CKSUM_FIELDS = {
    "ip.checksum": "ip", "tcp.checksum": "tcp", "udp.checksum": "udp",
    "icmp.checksum": "icmp", "icmpv6.checksum": "icmpv6", "gre.checksum": "gre",
}
PSEUDO = {"tcp", "udp", "icmpv6"}	# checksums over a pseudo-header


def die(msg, code=2):
    print("pcap-scrub: " + msg, file=sys.stderr)
    sys.exit(code)


def allowed(raw):
    if len(raw) == 4:
        return ipaddress.IPv4Address(bytes(raw)) in V4_NET
    return ipaddress.IPv6Address(bytes(raw)) in V6_NET


def mapped(raw, role):
    """The test-range address for `raw` (4 or 16 bytes), as tcprewrite maps."""
    if len(raw) == 4:
        return bytes([198, 19 if role == "src" else 18]) + bytes(raw[2:])
    head = b"\x20\x01\x0d\xb8" + (b"\xff\xff" if role == "src" else b"\x00\x00")
    return head + bytes(raw[6:])


def mapped_prefix(raw, role, full):
    """First bytes of the mapped address when only len(raw) < full bytes exist."""
    padded = bytes(raw) + bytes(full - len(raw))
    return mapped(padded, role)[:len(raw)]


def prefix_allowed(raw, full):
    """Could a cut address starting with `raw` lie in the test ranges?"""
    if full == 4:
        return len(raw) < 1 or (raw[0] == 198 and (len(raw) < 2 or raw[1] in (18, 19)))
    want = b"\x20\x01\x0d\xb8"
    n = min(len(raw), 4)
    return bytes(raw[:n]) == want[:n]


# ---------------------------------------------------------------- pcap I/O

def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        die(f"{path}: too short for a pcap header")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    elif magic == b"\x0a\x0d\x0d\x0a":
        die(f"{path}: pcapng; convert it with 'editcap -F pcap' first")
    else:
        die(f"{path}: not a pcap file (magic {magic.hex()})")
    header = data[:24]
    records = []
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            die(f"{path}: record header cut at byte {off}")
        rec_hdr = data[off:off + 16]
        caplen = struct.unpack(endian + "I", rec_hdr[8:12])[0]
        if off + 16 + caplen > len(data):
            die(f"{path}: record {len(records) + 1} cut at byte {off}")
        records.append([rec_hdr, bytearray(data[off + 16:off + 16 + caplen])])
        off += 16 + caplen
    return header, records


def write_pcap(path, header, records):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(header)
        for rec_hdr, frame in records:
            f.write(rec_hdr)
            f.write(frame)
    os.replace(tmp, path)


# ---------------------------------------------------------------- tshark

def tshark_frames_to_fix(path):
    """Frame numbers where tshark shows an address outside the test ranges."""
    cmd = ["tshark"] + TSHARK_OPTS + ["-r", path, "-T", "fields", "-E", "occurrence=a",
                                      "-E", "separator=/t", "-E", "aggregator=,",
                                      "-e", "frame.number"]
    for name in ADDR_FIELDS:
        cmd += ["-e", name]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    bad = []
    for line in out.splitlines():
        cols = line.split("\t")
        addrs = [ipaddress.ip_address(a) for col in cols[1:] for a in col.split(",") if a]
        if any(a not in (V4_NET if a.version == 4 else V6_NET) for a in addrs):
            bad.append(int(cols[0]))
    return bad


def tshark_pdml(path, frames):
    """PDML of `frames` (a list of frame numbers), parsed: {number: <packet>}."""
    result = {}
    # A display filter of a few hundred numbers is fine; chunk to stay sane.
    for i in range(0, len(frames), 400):
        chunk = frames[i:i + 400]
        flt = "frame.number in {" + ",".join(str(n) for n in chunk) + "}"
        cmd = ["tshark"] + TSHARK_OPTS + ["-r", path, "-Y", flt, "-T", "pdml"]
        with tempfile.TemporaryFile() as out:
            subprocess.run(cmd, stdout=out, stderr=subprocess.DEVNULL, check=True)
            out.seek(0)
            for _, elem in ET.iterparse(out, events=("end",)):
                if elem.tag != "packet":
                    continue
                num = None
                for p in elem.findall("proto"):
                    if p.get("name") == "frame":
                        for fld in p.iter("field"):
                            if fld.get("name") == "frame.number":
                                num = int(fld.get("show"))
                                break
                if num is not None:
                    result[num] = elem
    return result


class Layer:
    """A <proto> of interest in document order (outer layers first)."""

    def __init__(self, name, pos, size):
        self.name = name
        self.pos = pos
        self.size = size
        self.addrs = []		# (field, pos, length, role)
        self.cksum = None	# (kind, pos, value bytes)
        self.hdr_len = None	# IPv4 header length
        self.pseudo = None	# for tcp/udp/icmpv6: the IP Layer of the pseudo-header


def walk(elem, layers, current):
    for child in elem:
        if child.tag == "proto":
            name = child.get("name")
            pos = child.get("pos")
            layer = None
            if pos is not None and name in ("ip", "ipv6", "tcp", "udp", "icmp", "icmpv6",
                                            "gre", "arp"):
                layer = Layer(name, int(pos), int(child.get("size") or 0))
                layers.append(layer)
            walk(child, layers, layer if layer else current)
        elif child.tag == "field":
            fname = child.get("name")
            if current is not None and child.get("pos") is not None:
                if fname in ADDR_FIELDS:
                    fam, role = ADDR_FIELDS[fname]
                    current.addrs.append((fname, int(child.get("pos")),
                                          int(child.get("size")), role, child.get("value")))
                elif fname in CKSUM_FIELDS and child.get("value"):
                    current.cksum = (CKSUM_FIELDS[fname], int(child.get("pos")),
                                     bytes.fromhex(child.get("value")))
                elif fname == "ip.hdr_len":
                    current.hdr_len = int(child.get("show"))
            walk(child, layers, current)


# ---------------------------------------------------------------- checksums

def ones_sum(buf):
    if len(buf) % 2:
        buf = bytes(buf) + b"\x00"
    s = sum(struct.unpack("!%dH" % (len(buf) // 2), buf))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s


def ones_add(a, b):
    s = a + b
    return (s & 0xffff) + (s >> 16)


def covered_sum(frame, start, end, skip):
    """Sum of frame[start:end] with the 2 checksum bytes at `skip` as zero."""
    buf = bytearray(frame[start:end])
    k = skip - start
    if 0 <= k < len(buf):
        buf[k] = 0
        if k + 1 < len(buf):
            buf[k + 1] = 0
    return ones_sum(buf)


def pseudo_sum(frame, ip):
    s = 0
    for _, pos, length, _, _ in ip.addrs:
        s = ones_add(s, ones_sum(frame[pos:pos + length]))
    return s


def fix_checksums(orig, cur, layers):
    """Incremental update of every checksum, innermost (last) first."""
    fixed = 0
    for layer in reversed(layers):
        if layer.cksum is None:
            continue
        kind, pos, value = layer.cksum
        if pos + 2 > len(cur) or bytes(orig[pos:pos + 2]) != value:
            continue
        if kind == "ip":
            if not layer.hdr_len:
                continue
            start, end = layer.pos, min(len(cur), layer.pos + layer.hdr_len)
        else:
            # Everything from the L4 header to the end of the frame: bytes
            # past the real payload (Ethernet padding) are never changed, so
            # they add nothing to the difference.
            start, end = layer.pos, len(cur)
        s_old = covered_sum(orig, start, end, pos)
        s_new = covered_sum(cur, start, end, pos)
        if kind in PSEUDO and layer.pseudo is not None:
            s_old = ones_add(s_old, pseudo_sum(orig, layer.pseudo))
            s_new = ones_add(s_new, pseudo_sum(cur, layer.pseudo))
        if s_old == s_new:
            continue
        old = struct.unpack("!H", bytes(orig[pos:pos + 2]))[0]
        if kind == "udp" and old == 0:
            continue	# IPv4 UDP without a checksum stays without
        new = ~ones_add(ones_add(~old & 0xffff, ~s_old & 0xffff), s_new) & 0xffff
        if kind == "udp" and new == 0:
            new = 0xffff
        cur[pos:pos + 2] = struct.pack("!H", new)
        fixed += 1
    return fixed


# ---------------------------------------------------------------- rewriting

def scrub_pdml(frame, packet):
    """Rewrite the addresses tshark located; returns (fields, checksums)."""
    layers = []
    walk(packet, layers, None)
    last_ip = None
    for layer in layers:
        if layer.name in ("ip", "ipv6"):
            last_ip = layer
        elif layer.name in PSEUDO:
            layer.pseudo = last_ip
    orig = bytes(frame)
    changed = 0
    for layer in layers:
        for fname, pos, length, role, value in layer.addrs:
            raw = orig[pos:pos + length]
            if value is None or raw.hex() != value.lower() or length not in (4, 16):
                raise ValueError(f"{fname} at byte {pos}: tshark says {value}, "
                                 f"the frame holds {raw.hex()}")
            if allowed(raw):
                continue
            frame[pos:pos + length] = mapped(raw, role)
            changed += 1
    fixed = fix_checksums(orig, frame, layers) if changed else 0
    return changed, fixed


def scrub_raw(frame):
    """The outermost header behind Ethernet + up to 2 VLAN tags, as parsed
    by an XDP program: map whatever address bytes are present."""
    if len(frame) < 14:
        return 0
    off = 12
    etype = struct.unpack("!H", frame[off:off + 2])[0]
    off += 2
    for _ in range(2):
        if etype not in (0x8100, 0x88a8) or off + 4 > len(frame):
            break
        etype = struct.unpack("!H", frame[off + 2:off + 4])[0]
        off += 4
    if etype == 0x0800:
        spots = ((off + 12, 4, "src"), (off + 16, 4, "dst"))
    elif etype == 0x86dd:
        spots = ((off + 8, 16, "src"), (off + 24, 16, "dst"))
    else:
        return 0
    changed = 0
    for pos, full, role in spots:
        raw = frame[pos:min(len(frame), pos + full)]
        if not raw:
            continue
        if len(raw) == full:
            if allowed(raw):
                continue
            frame[pos:pos + full] = mapped(raw, role)
        else:
            if prefix_allowed(raw, full):
                continue
            frame[pos:pos + len(raw)] = mapped_prefix(raw, role, full)
        changed += 1
    return changed


def main():
    args = sys.argv[1:]
    drop_under = None
    if args[:1] in (["-h"], ["--help"]):
        print(__doc__.strip().split("\n\n")[1], file=sys.stdout)
        sys.exit(0)
    if args[:1] == ["--drop-under"] and len(args) >= 2 and args[1].isdigit():
        drop_under = int(args[1])
        args = args[2:]
    if len(args) != 2:
        die("usage: pcap-scrub.py [--drop-under N] IN.pcap OUT.pcap")
    src, dst = args
    header, records = read_pcap(src)
    todo = tshark_frames_to_fix(src)
    packets = tshark_pdml(src, todo) if todo else {}
    fields = cksums = raw = 0
    for num in todo:
        if num not in packets:
            die(f"{src}: frame {num}: tshark gave no PDML for it", 1)
        try:
            n, c = scrub_pdml(records[num - 1][1], packets[num])
        except ValueError as e:
            die(f"{src}: frame {num}: {e}", 1)
        fields += n
        cksums += c
    for rec in records:
        raw += scrub_raw(rec[1])
    kept = records
    if drop_under is not None:
        kept = [r for r in records if len(r[1]) >= drop_under]
        dropped = [r for r in records if len(r[1]) < drop_under]
        print(f"dropped_frames={len(dropped)} dropped_bytes={sum(len(r[1]) for r in dropped)}")
    write_pcap(dst, header, kept)
    print(f"pcap-scrub: {os.path.basename(src)}: {len(records)} frames, {len(todo)} with "
          f"addresses outside the test ranges: {fields} fields rewritten, {cksums} "
          f"checksums updated; {raw} raw outer addresses mapped", file=sys.stderr)


if __name__ == "__main__":
    main()
