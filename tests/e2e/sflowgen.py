#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""sFlow v5 datagrams built by hand (sflow.org, "sFlow Version 5"), for
tests/e2e/test_sflow.sh: every record type user/sflow.c decodes, and
malformed ones for every length field.

  sflowgen.py send HOST PORT CASE [--agent A] [--seq N] ...   one case
  sflowgen.py list                                            the cases
  sflowgen.py mutate HOST PORT --count N --seed S             N mutated cases
  sflowgen.py agents HOST PORT --count N                      N agents, 1 flow each
  sflowgen.py marker IFACE        20 frames to 2001:db8:fffe::1 (AF_PACKET)

Big-endian 32-bit words (XDR); opaques padded to 4 bytes.
"""
import argparse
import ipaddress
import random
import socket
import struct
import sys


def w(*v):
    return struct.pack('>%dI' % len(v), *v)


def pad(b):
    return b + b'\0' * (-len(b) % 4)


def tagged(fmt, body):
    return w(fmt, len(body)) + body


def raw_header(proto, frame_len, header, stripped=0):
    return tagged(1, w(proto, frame_len, stripped, len(header)) + pad(header))


def flow_sample(seq, source, rate, records, pool=0, drops=0, inp=1, out=2, expanded=False):
    recs = b''.join(records)
    if expanded:
        body = w(seq, source >> 24, source & 0xffffff, rate, pool, drops, 0, inp, 0, out,
                 len(records)) + recs
        return tagged(3, body)
    body = w(seq, source, rate, pool, drops, inp, out, len(records)) + recs
    return tagged(1, body)


def generic_if(ifindex, in_octets=1000, out_octets=2000, in_ucast=10, out_ucast=20,
               speed=10**9, status=3):
    body = w(ifindex, 6) + struct.pack('>Q', speed) + w(1, status) + \
        struct.pack('>Q', in_octets) + w(in_ucast, 0, 0, 0, 0, 0) + \
        struct.pack('>Q', out_octets) + w(out_ucast, 0, 0, 0, 0, 2)
    assert len(body) == 88
    return tagged(1, body)


def counter_sample(seq, source, records, expanded=False):
    recs = b''.join(records)
    if expanded:
        return tagged(4, w(seq, source >> 24, source & 0xffffff, len(records)) + recs)
    return tagged(2, w(seq, source, len(records)) + recs)


def datagram(agent, seq, samples, sub_agent=0, uptime=1000, nsamples=None):
    a = ipaddress.ip_address(agent)
    head = w(5, 1 if a.version == 4 else 2) + a.packed + w(sub_agent, seq, uptime)
    return head + w(len(samples) if nsamples is None else nsamples) + b''.join(samples)


# -- frames -----------------------------------------------------------

def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('>%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4(src, dst, proto, payload, ttl=64):
    h = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), 1, 0, ttl, proto, 0,
                    ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed)
    h = h[:10] + struct.pack('>H', csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nh, payload):
    return struct.pack('>IHBB16s16s', 6 << 28, len(payload), nh, 64,
                       ipaddress.ip_address(src).packed,
                       ipaddress.ip_address(dst).packed) + payload


def tcp(sport, dport, flags=0x02, payload=b''):
    return struct.pack('>HHIIBBHHH', sport, dport, 1, 0, 5 << 4, flags, 65535, 0, 0) + payload


def udp(sport, dport, payload=b''):
    return struct.pack('>HHHH', sport, dport, 8 + len(payload), 0) + payload


def eth(ethertype, payload):
    return b'\x02\0\0\0\0\x01' + b'\x02\0\0\0\0\x02' + struct.pack('>H', ethertype) + payload


def syn4(src, dst, sport=40000, dport=80):
    return eth(0x0800, ipv4(src, dst, 6, tcp(sport, dport)))


def udp4(src, dst, sport=5000, dport=53, n=18):
    return eth(0x0800, ipv4(src, dst, 17, udp(sport, dport, b'x' * n)))


def udp6(src, dst, sport=5000, dport=53, n=18):
    return eth(0x86dd, ipv6(src, dst, 17, udp(sport, dport, b'x' * n)))


# -- cases ------------------------------------------------------------
# Each: (datagram bytes, what it shows). DST is in the test's range
# 198.18.5.0/24 (v4) / 2001:db8:5::/48 (v6); rate and frame lengths are
# chosen so the counts are easy to tell apart.

def cases(agent, seq, inp=1):
    f4 = syn4('198.19.0.1', '198.18.5.1')
    f4u = udp4('198.19.0.2', '198.18.5.2')
    f6 = udp6('2001:db8:9::1', '2001:db8:5::1')
    c = {}
    # flow sample, Ethernet header: 1 sample of a 100-byte frame, rate 10
    c['flow'] = datagram(agent, seq, [flow_sample(1, 7, 10, [raw_header(1, 100, f4)],
                                                  inp=inp)])
    # expanded flow sample, Ethernet: 1 sample of 200 bytes at rate 20
    c['expanded'] = datagram(agent, seq, [flow_sample(1, 8, 20, [raw_header(1, 200, f4u)],
                                                      inp=inp, expanded=True)])
    # raw IPv4 header (protocol 11): 300 bytes at rate 3
    c['ipv4'] = datagram(agent, seq, [flow_sample(1, 9, 3, [raw_header(11, 300, f4[14:])])])
    # raw IPv6 header (protocol 12): 400 bytes at rate 4
    c['ipv6'] = datagram(agent, seq, [flow_sample(1, 10, 4, [raw_header(12, 400, f6[14:])])])
    # header protocol 2 (ISO88024): refused by us, counted
    c['proto'] = datagram(agent, seq, [flow_sample(1, 11, 5, [raw_header(2, 100, f4)])])
    # counter samples, compact and expanded: interface 3 and 4
    c['counters'] = datagram(agent, seq, [
        counter_sample(1, 3, [generic_if(3, in_octets=5000, out_octets=6000)]),
        counter_sample(1, 4, [generic_if(4, in_octets=7000)], expanded=True)])
    # sampling rate over the program's maximum (1 << 20): dropped, counted
    c['rate_over'] = datagram(agent, seq, [flow_sample(1, 12, (1 << 20) + 1,
                                                       [raw_header(1, 100, f4)])])
    good = flow_sample(1, 13, 10, [raw_header(1, 100, f4)])
    # malformed: one per length field
    c['bad_short'] = datagram(agent, seq, [good])[:20]
    c['bad_version'] = w(4) + datagram(agent, seq, [good])[4:]
    c['bad_agent_type'] = w(5, 3) + datagram(agent, seq, [good])[8:]
    c['bad_sample_count'] = datagram(agent, seq, [good], nsamples=1000)
    # the sample's length past the datagram's end
    s = bytearray(good)
    s[4:8] = w(len(good) + 100)
    c['bad_sample_length'] = datagram(agent, seq, [bytes(s)])
    # the sample's length not a multiple of 4
    s = bytearray(good)
    s[4:8] = w(len(good) - 8 - 2)
    c['bad_sample_align'] = datagram(agent, seq, [bytes(s)])
    # the record's length past the sample's end
    s = bytearray(good)
    s[8 + 32 + 4:8 + 32 + 8] = w(4000)
    c['bad_record_length'] = datagram(agent, seq, [bytes(s)])
    # header length past the record's end
    s = bytearray(good)
    s[8 + 32 + 8 + 12:8 + 32 + 8 + 16] = w(1000)
    c['bad_header_length'] = datagram(agent, seq, [bytes(s)])
    # sampling rate 0
    c['bad_rate'] = datagram(agent, seq, [flow_sample(1, 14, 0, [raw_header(1, 100, f4)])])
    return c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('cmd', choices=['send', 'list', 'seq', 'marker', 'mutate', 'agents'])
    ap.add_argument('host', nargs='?')
    ap.add_argument('port', nargs='?', type=int)
    ap.add_argument('case', nargs='?')
    ap.add_argument('--agent', default='198.18.0.1')
    ap.add_argument('--seq', type=int, default=1)
    ap.add_argument('--sample-seq', type=int, nargs='*', default=[],
                    help='seq: flow samples of source 7 with these sequence numbers')
    ap.add_argument('--count', type=int, default=1)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--input', type=int, default=1,
                    help='send: the input ifIndex of the flow and expanded samples')
    a = ap.parse_args()
    if a.cmd == 'marker':
        # 20 frames to 2001:db8:fffe::1 on interface HOST (test_sflow.sh)
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((a.host, 0))
        f = eth(0x86dd, ipv6('2001:db8:ffff::fffe', '2001:db8:fffe::1', 17, udp(9, 9)))
        for _ in range(20):
            s.send(f)
        return 0
    if a.cmd == 'list':
        print('\n'.join(cases(a.agent, 1)))
        return 0
    fam = socket.AF_INET6 if ':' in a.host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if a.cmd == 'seq':
        f4 = syn4('198.19.0.1', '198.18.5.1')
        for i, q in enumerate(a.sample_seq):
            d = datagram(a.agent, a.seq + i, [flow_sample(q, 7, 1, [raw_header(1, 100, f4)])])
            s.sendto(d, (a.host, a.port))
        return 0
    if a.cmd == 'mutate':
        # COUNT datagrams: every case, cut or with bytes flipped (seeded)
        rnd = random.Random(a.seed)
        base = list(cases(a.agent, 1).values())
        for i in range(a.count):
            d = bytearray(rnd.choice(base))
            for _ in range(rnd.randint(1, 8)):
                k = rnd.randrange(len(d))
                d[k] = rnd.choice([0, 0xff, rnd.randrange(256), d[k] ^ (1 << rnd.randrange(8))])
            if rnd.random() < 0.2:
                d = d[:rnd.randrange(len(d) + 1)]
            s.sendto(bytes(d), (a.host, a.port))
        return 0
    if a.cmd == 'agents':
        # one 'flow' datagram from each of COUNT agents 198.18.64.0 + i
        for i in range(a.count):
            agent = str(ipaddress.ip_address('198.18.64.0') + i)
            s.sendto(cases(agent, 1)['flow'], (a.host, a.port))
        return 0
    d = cases(a.agent, a.seq, a.input)[a.case]
    for _ in range(a.count):
        s.sendto(d, (a.host, a.port))
    return 0


if __name__ == '__main__':
    sys.exit(main())
