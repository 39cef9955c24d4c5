#!/usr/bin/env python3
"""Sends VRRP advertisements (RFC 3768 v2, RFC 5798 v3) from the network namespace it runs in, for
tests that need a sender the floats do not control: a foreign router on the segment, a flood.

    vrrp_sender.py --version 3 --vrid 61 --priority 254 --interval 100ms --vip 10.99.0.100 \
        --to 10.99.0.1 --to 224.0.0.18 --rate 10 --duration 5 [--source 10.99.0.9] \
        [--interface eth0]
    vrrp_sender.py --selftest

Each round sends one advertisement to every --to address; --rate rounds per second, until --count
rounds or --duration seconds have passed (one round when neither is given; never more than an
hour). The IP header comes from the kernel with TTL / hop limit 255 and TOS 0xc0 (as keepalived
sends). Checksums: VRRPv2 over the VRRP message alone, VRRPv3 over the message and the IPv4 or IPv6
pseudo-header of the packet's real source and destination. IPv6 adverts go out from the
interface's link-local address (pass --source fe80::... to choose one) with the kernel computing
the checksum at offset 6, which covers the same pseudo-header.

--interval is the advert interval written in the packet: "100ms", "1s", "0.1" (seconds) or "10cs";
VRRPv2 carries whole seconds, VRRPv3 centiseconds (12 bits).
--selftest encodes the fields of advertisements captured from keepalived and compares the bytes.
Prints one summary line when done: "sent N advertisements (E errors) in Ts (first round at EPOCH,
last at EPOCH): ...".
"""
import argparse
import fcntl
import ipaddress
import socket
import struct
import sys
import time

IPPROTO_VRRP = 112
MULTICAST_V4 = "224.0.0.18"
MULTICAST_V6 = "ff02::12"
MAX_SECONDS = 3600
SIOCGIFINDEX = 0x8933


def internet_checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def pseudo_header(source, destination, length: int) -> bytes:
    if source.version == 4:
        return source.packed + destination.packed + struct.pack("!BBH", 0, IPPROTO_VRRP, length)
    return source.packed + destination.packed + struct.pack("!IxxxB", length, IPPROTO_VRRP)


def encode(version: int, vrid: int, priority: int, interval_cs: int, vips, source=None,
           destination=None, checksum: bool = True) -> bytes:
    """The VRRP message. VRRPv3 needs source and destination for its checksum (unless checksum is
    False, which leaves the field 0 for the kernel to fill)."""
    vips = [ipaddress.ip_address(v) for v in vips]
    if not 1 <= vrid <= 255 or not 0 <= priority <= 255 or not vips or len(vips) > 255:
        raise ValueError("vrid 1-255, priority 0-255, 1-255 VIPs")
    addresses = b"".join(v.packed for v in vips)
    if version == 2:
        seconds = interval_cs // 100
        if interval_cs % 100 or not 1 <= seconds <= 255 or any(v.version != 4 for v in vips):
            raise ValueError("VRRPv2: whole seconds 1-255 and IPv4 VIPs")
        header = struct.pack("!BBBBBBH", 0x21, vrid, priority, len(vips), 0, seconds, 0)
        message = bytearray(header + addresses + bytes(8))  # authentication data: none
        struct.pack_into("!H", message, 6, internet_checksum(bytes(message)))
        return bytes(message)
    if version != 3:
        raise ValueError("version 2 or 3")
    if not 1 <= interval_cs <= 0xFFF:
        raise ValueError("VRRPv3: interval 1-4095 centiseconds")
    message = bytearray(struct.pack("!BBBBHH", 0x31, vrid, priority, len(vips), interval_cs, 0)
                        + addresses)
    if checksum:
        source = ipaddress.ip_address(source)
        destination = ipaddress.ip_address(destination)
        value = internet_checksum(pseudo_header(source, destination, len(message)) + bytes(message))
        struct.pack_into("!H", message, 6, value)
    return bytes(message)


def parse_interval(text: str) -> int:
    """Centiseconds."""
    text = text.strip()
    for suffix, factor in (("ms", 0.1), ("cs", 1.0), ("s", 100.0)):
        if text.endswith(suffix):
            value = float(text[: -len(suffix)]) * factor
            break
    else:
        value = float(text) * 100.0
    centiseconds = round(value)
    if abs(value - centiseconds) > 1e-6 or centiseconds <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: a positive multiple of 10ms")
    return centiseconds


# Advertisements captured from keepalived 2.2.7 (VRID 51, priority 150 or 0, VIP 10.99.0.100,
# sender 10.99.0.1; the IPv6 one VRID 52 from fe80::f847:c2ff:fe16:fb58, VIP fd00:98::100).
SAMPLES = [
    (2, 51, 150, 100, ["10.99.0.100"], "10.99.0.1", "224.0.0.18",
     "2133960100013e030a6300640000000000000000"),
    (2, 51, 0, 100, ["10.99.0.100"], "10.99.0.1", "224.0.0.18",
     "213300010001d4030a6300640000000000000000"),
    (3, 51, 150, 10, ["10.99.0.100"], "10.99.0.1", "224.0.0.18", "31339601000a43070a630064"),
    (3, 51, 0, 10, ["10.99.0.100"], "10.99.0.1", "224.0.0.18", "31330001000ad9070a630064"),
    (2, 51, 150, 100, ["10.99.0.100"], "10.99.0.1", "10.99.0.2",
     "2133960100013e030a6300640000000000000000"),
    (3, 51, 150, 100, ["10.99.0.100"], "10.99.0.1", "10.99.0.2", "313396010064185b0a630064"),
    (3, 52, 150, 100, ["fd00:98::100"], "fe80::f847:c2ff:fe16:fb58", "ff02::12",
     "31349601006486f7fd000098000000000000000000000100"),
]


def selftest() -> int:
    failures = 0
    for version, vrid, priority, interval, vips, source, destination, expected in SAMPLES:
        got = encode(version, vrid, priority, interval, vips, source, destination).hex()
        # The captured bytes must verify too: v2 alone, v3 with the pseudo-header.
        raw = bytes.fromhex(expected)
        covered = raw if version == 2 else pseudo_header(
            ipaddress.ip_address(source), ipaddress.ip_address(destination), len(raw)) + raw
        verifies = internet_checksum(covered) == 0
        ok = got == expected and verifies
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} v{version} vrid {vrid} prio {priority} {source} > "
              f"{destination}: {got}" + ("" if got == expected else f" expected {expected}")
              + ("" if verifies else " (sample checksum does not verify)"))
    print("selftest passed" if failures == 0 else f"selftest: {failures} failure(s)")
    return 1 if failures else 0


def interface_index(name: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        request = struct.pack("16si", name.encode(), 0)
        return struct.unpack("16si", fcntl.ioctl(probe.fileno(), SIOCGIFINDEX, request))[1]


def link_local_of(interface: str) -> str:
    with open("/proc/net/if_inet6") as table:
        for line in table:
            fields = line.split()
            if fields[5] == interface and fields[0].startswith("fe80"):
                return str(ipaddress.IPv6Address(bytes.fromhex(fields[0])))
    raise SystemExit(f"vrrp_sender: no IPv6 link-local address on {interface}")


def source_for(destination: str, interface: str) -> str:
    """The address the kernel would send from on INTERFACE (IPv4)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
        probe.connect((destination, 9))
        return probe.getsockname()[0]


def open_socket(family: int, source: str, interface: str, scope: int) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_RAW, IPPROTO_VRRP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
    if family == socket.AF_INET:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 255)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0xC0)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
        sock.bind((source, 0))
    else:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, scope)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_CHECKSUM, 6)  # the kernel's pseudo-header
        sock.bind((source, 0, 0, scope if source.startswith("fe80") else 0))
    return sock


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--selftest", action="store_true")
    parser.add_argument("--version", type=int, choices=(2, 3), default=3)
    parser.add_argument("--vrid", type=int)
    parser.add_argument("--priority", type=int)
    parser.add_argument("--interval", type=parse_interval, default=parse_interval("1s"))
    parser.add_argument("--vip", action="append", default=[])
    parser.add_argument("--to", action="append", default=[])
    parser.add_argument("--rate", type=float, default=10.0, help="rounds per second")
    parser.add_argument("--duration", type=float)
    parser.add_argument("--count", type=int)
    parser.add_argument("--source")
    parser.add_argument("--interface", default="eth0")
    args = parser.parse_args()
    if args.selftest:
        return selftest()
    if args.vrid is None or args.priority is None or not args.vip or not args.to:
        parser.error("--vrid, --priority, --vip and --to are needed")
    if args.rate <= 0 or (args.duration is not None and args.duration > MAX_SECONDS):
        parser.error(f"--rate above 0, --duration at most {MAX_SECONDS}")
    destinations = [ipaddress.ip_address(d) for d in args.to]
    v6 = destinations[0].version == 6
    if any((d.version == 6) != v6 for d in destinations):
        parser.error("--to addresses of one family")
    scope = interface_index(args.interface)
    source = args.source or (link_local_of(args.interface) if v6 else
                             source_for(str(destinations[0]), args.interface))
    family = socket.AF_INET6 if v6 else socket.AF_INET
    sock = open_socket(family, source, args.interface, scope)
    packets = []
    for destination in destinations:
        message = encode(args.version, args.vrid, args.priority, args.interval, args.vip, source,
                         destination, checksum=not v6)
        address = (str(destination), 0) if not v6 else (
            str(destination), 0, 0, scope if destination.is_link_local or
            destination.is_multicast else 0)
        packets.append((message, address))

    rounds = args.count if args.count is not None else (
        max(1, round(args.duration * args.rate)) if args.duration is not None else 1)
    rounds = min(rounds, int(MAX_SECONDS * args.rate))
    period = 1.0 / args.rate
    started = time.monotonic()
    sent = errors = 0
    first = last = 0.0
    for n in range(rounds):
        delay = started + n * period - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        last = time.time()
        first = first or last
        for message, address in packets:
            try:
                sock.sendto(message, address)
                sent += 1
            except OSError as error:
                errors += 1
                if errors == 1:
                    print(f"vrrp_sender: send to {address[0]}: {error}", file=sys.stderr)
    took = time.monotonic() - started
    print(f"sent {sent} advertisements ({errors} errors) in {took:.3f}s (first round at {first:.6f},"
          f" last at {last:.6f}): v{args.version} vrid {args.vrid} priority {args.priority} from "
          f"{source} to {', '.join(args.to)}", flush=True)
    return 0 if sent else 1


if __name__ == "__main__":
    sys.exit(main())
