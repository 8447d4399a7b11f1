#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
sink.py IFACE [MAX_SECONDS]: a packet socket (ETH_P_ALL) on IFACE that
counts what the kernel's stack received there, for the e2e tests.

Why: frames the receiving namespace has no protocol handler for (two VLAN
tags, PPPoE, MPLS, ...) are counted by the kernel as the device's
rx_dropped once XDP has passed them up, so `ip -s link` would show drops
that are no loss on the link. A packet socket is a handler: with one bound
to ETH_P_ALL (delivered before VLAN processing) and two more to 802.1Q and
802.1ad (what is left after the kernel strips the outer tag of a QinQ
frame and finds no VLAN device, which skips the ETH_P_ALL delivery),
rx_dropped moves only for real losses (the veth's own XDP queue), and the
ETH_P_ALL socket's PACKET_STATISTICS tp_packets is one more independent
count of the frames that arrived.

Prints "ready" once bound, then on SIGINT/SIGTERM (or after MAX_SECONDS,
default 600) "packets=N drops=D" (drops: frames the socket buffer had no
room for; harmless, the socket is only a counter) and exits 0.
"""
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_8021Q = 0x8100
ETH_P_8021AD = 0x88a8
SOL_PACKET = 263
PACKET_STATISTICS = 6


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().split("\n\n")[0], file=sys.stderr)
        sys.exit(2)
    limit = float(sys.argv[2]) if len(sys.argv) == 3 else 600.0
    socks = []
    for proto in (ETH_P_ALL, ETH_P_8021Q, ETH_P_8021AD):
        sk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
        sk.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)
        sk.bind((sys.argv[1], proto))
        socks.append(sk)
    s = socks[0]
    # Counters start at the bind; reset what arrived before anyone asked.
    s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    print("ready", flush=True)
    end = time.monotonic() + limit
    while not stop and time.monotonic() < end:
        time.sleep(0.05)
    # tp_packets includes the frames dropped for lack of buffer room.
    packets, drops = struct.unpack("II", s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))
    print(f"packets={packets} drops={drops}", flush=True)


if __name__ == "__main__":
    main()
