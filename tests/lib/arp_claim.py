#!/usr/bin/env python3
"""Claims an address for another MAC on the segment, the way a misconfigured host holding the same
address does: ARP replies (IPv4) or unsolicited neighbour advertisements (IPv6) sent from the
network namespace it runs in, through a packet socket on one of its interfaces.

    arp_claim.py --interface eth0 --address 10.99.0.100 --mac 02:00:00:00:99:99 \
        [--count 5] [--interval 0.2] [--op reply|request]

IPv4: a broadcast ARP frame whose sender MAC / sender address are the claim and whose target
address is the same address (gratuitous): --op reply (default) is an "is-at" answer nobody asked
for (target MAC = MAC), --op request a gratuitous request (target MAC ff:ff:ff:ff:ff:ff), as a
host sends when it brings the address up. IPv6 (an address with ':'): a neighbour advertisement
from ADDRESS to ff02::1, hop limit 255, flags Override, target ADDRESS, target link-layer option
MAC. The Ethernet source is MAC too.
Sends --count frames --interval seconds apart and stops; prints one summary line.
"""
import argparse
import ipaddress
import socket
import struct
import sys
import time

from vrrp_sender import internet_checksum  # the same ones' complement sum, beside this file

ETH_P_ARP = 0x0806
ETH_P_IPV6 = 0x86DD
BROADCAST = b"\xff" * 6


def parse_mac(text: str) -> bytes:
    parts = text.split(":")
    if len(parts) != 6:
        raise argparse.ArgumentTypeError(f"{text!r}: a MAC such as 02:00:00:00:99:99")
    return bytes(int(p, 16) for p in parts)


def arp_frame(mac: bytes, address: ipaddress.IPv4Address, op: str) -> bytes:
    # Gratuitous: sender and target protocol address are both the claimed one.
    operation, target_mac = (2, mac) if op == "reply" else (1, BROADCAST)
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, operation) + mac + address.packed \
        + target_mac + address.packed
    return BROADCAST + mac + struct.pack("!H", ETH_P_ARP) + arp


def na_frame(mac: bytes, address: ipaddress.IPv6Address) -> bytes:
    destination = ipaddress.IPv6Address("ff02::1")
    # Type 136, code 0, checksum, flags R=0 S=0 O=1, target, option 2 (target link-layer address).
    body = bytearray(struct.pack("!BBHI", 136, 0, 0, 0x20000000) + address.packed
                     + struct.pack("!BB", 2, 1) + mac)
    pseudo = address.packed + destination.packed + struct.pack("!IxxxB", len(body), 58)
    struct.pack_into("!H", body, 2, internet_checksum(pseudo + bytes(body)))
    ipv6 = struct.pack("!IHBB", 0x60000000, len(body), 58, 255) + address.packed \
        + destination.packed
    return b"\x33\x33\x00\x00\x00\x01" + mac + struct.pack("!H", ETH_P_IPV6) + ipv6 + bytes(body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interface", required=True)
    parser.add_argument("--address", required=True, type=ipaddress.ip_address)
    parser.add_argument("--mac", required=True, type=parse_mac)
    parser.add_argument("--count", type=int, default=5)
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("--op", choices=("reply", "request"), default="reply")
    args = parser.parse_args()
    if not 1 <= args.count <= 10000 or not 0 <= args.interval <= 60:
        parser.error("--count 1-10000, --interval 0-60 seconds")
    if args.address.version == 4:
        frame = arp_frame(args.mac, args.address, args.op)
        what = f"ARP {args.op}"
    else:
        frame = na_frame(args.mac, args.address)
        what = "neighbour advertisement"
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as sock:
        sock.bind((args.interface, 0))
        for n in range(args.count):
            if n:
                time.sleep(args.interval)
            sock.send(frame)
    mac = ":".join(f"{b:02x}" for b in args.mac)
    print(f"sent {args.count} x {what}: {args.address} is-at {mac} on {args.interface}",
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
