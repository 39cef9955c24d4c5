#!/usr/bin/env python3
"""Records which lab nodes hold some addresses, every PERIOD seconds for SECONDS, in one line per
sample: "EPOCH HOLDERS..." with the holders of each address as comma-separated node numbers ("-"
for none). Each node's addresses come from one rtnetlink dump per sample, so two addresses are
compared at the same instant; a sample takes well under a millisecond, so the period holds.

    holder_sampler.py --out FILE --seconds 7 [--period 0.05] [--interface eth0] \
        --node 1=NETNS --node 2=NETNS --address 10.99.0.100 [--address fd00:99::100]

NETNS is a name from `ip netns list` (/run/netns/NETNS). It only reads; it stops by itself.
"""
import argparse
import ctypes
import ipaddress
import os
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
RTM_NEWADDR, RTM_GETADDR = 20, 22
NLMSG_DONE, NLMSG_ERROR = 3, 2
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
IFA_ADDRESS, IFA_LOCAL = 1, 2

libc = ctypes.CDLL(None, use_errno=True)


def setns(fd: int) -> None:
    if libc.setns(fd, CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


class Node:
    """A netlink socket and the interface index, both opened inside the node's namespace."""

    def __init__(self, name: str, netns: str, interface: str):
        self.name = name
        home = os.open("/proc/self/ns/net", os.O_RDONLY)
        target = os.open(f"/run/netns/{netns}", os.O_RDONLY)
        try:
            setns(target)
            self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)  # NETLINK_ROUTE
            self.sock.bind((0, 0))
            self.index = socket.if_nametoindex(interface)
        finally:
            setns(home)
            os.close(home)
            os.close(target)
        self.seq = 0

    def addresses(self) -> set:
        self.seq += 1
        request = struct.pack("=LHHLL", 16 + 8, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, self.seq,
                              0) + struct.pack("=BBBBL", socket.AF_UNSPEC, 0, 0, 0, 0)
        self.sock.send(request)
        found = set()
        while True:
            data = self.sock.recv(1 << 16)
            offset = 0
            while offset + 16 <= len(data):
                length, kind, _, seq, _ = struct.unpack_from("=LHHLL", data, offset)
                if length < 16:
                    return found
                if seq == self.seq:
                    if kind == NLMSG_DONE:
                        return found
                    if kind == NLMSG_ERROR:
                        raise OSError("netlink dump failed")
                    if kind == RTM_NEWADDR:
                        found |= self._parse(data[offset + 16: offset + length])
                offset += (length + 3) & ~3

    def _parse(self, message: bytes) -> set:
        family, _, _, _, index = struct.unpack_from("=BBBBL", message)
        if index != self.index:
            return set()
        addresses = set()
        offset = 8
        while offset + 4 <= len(message):
            length, kind = struct.unpack_from("=HH", message, offset)
            if length < 4:
                break
            if kind in (IFA_ADDRESS, IFA_LOCAL):
                value = message[offset + 4: offset + length]
                addresses.add(ipaddress.ip_address(value if family == socket.AF_INET6 else
                                                   value[:4]))
            offset += (length + 3) & ~3
        return addresses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--period", type=float, default=0.05)
    parser.add_argument("--interface", default="eth0")
    parser.add_argument("--node", action="append", default=[], help="NUMBER=NETNS")
    parser.add_argument("--address", action="append", default=[], type=ipaddress.ip_address)
    args = parser.parse_args()
    if not args.node or not args.address or not 0 < args.seconds <= 3600 or args.period <= 0:
        parser.error("--node and --address at least once, --seconds up to 3600")
    nodes = [Node(*spec.split("=", 1), args.interface) for spec in args.node]
    start = time.monotonic()
    samples = 0
    with open(args.out, "a", buffering=1) as out:
        while time.monotonic() - start < args.seconds:
            held = {address: [] for address in args.address}
            for node in nodes:
                present = node.addresses()
                for address in args.address:
                    if address in present:
                        held[address].append(node.name)
            out.write(f"{time.time():.6f} " + " ".join(",".join(held[a]) or "-"
                                                       for a in args.address) + "\n")
            samples += 1
            delay = start + samples * args.period - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    print(f"{samples} samples in {time.monotonic() - start:.3f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
